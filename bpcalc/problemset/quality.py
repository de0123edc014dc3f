"""Variants worth working by hand: the rules a drawn variant is refused by, judged on its
solved trace and on the quantities the set asks for (`bpcalc.problemset.template` reads
the template's `variants:` key that chooses them).

- dead_relu: a relu node whose net is <= 0 at an asked step where something asked
  depends on it (its own net, out, slope or delta, a weight into it, or the error for an
  output node): its slope is 0, so its delta and the weights into it are 0 and nothing is
  learnt there.
- saturated: a sigmoid or tanh node, likewise asked, whose |net| (times beta for a sigmoid)
  is above the threshold (default 4 for sigmoid, 2 for tanh: its slope is then under a
  fourteenth of its largest, 0.018 of 0.25 and 0.071 of 1).
- zero_delta: an asked delta that rounds to 0 at the precision asked for it.
- identical: the same drawn numbers as an earlier variant (judged by the generator).
- frozen_weight: an asked, trained weight whose change is 0 at every update of the run.

Not defects: a bias kept by `train_bias: false`, a perceptron's delta of 0 (the pattern is
already right) and its weights that stay (every pattern right), and a weight from an
input that is 0 at every step. Pure: a problem and its trace in, a rule's name out.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.engine.trace import Trace
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Problem, Rounding, WeightKey

RULES = ("identical", "dead_relu", "saturated", "zero_delta", "frozen_weight")
DEFAULT_SATURATION = {"sigmoid": Fraction(4), "tanh": Fraction(2)}
NODE_KINDS = ("net", "out", "slope", "delta")
WEIGHT_KINDS = ("change", "new", "gradient", "momentum")


class Focus(NamedTuple):
    """One asked quantity as the rules read it (the commands layer resolves the names)."""

    step: int  # 1-based
    kind: str  # net, out, slope, delta, error, change, new, gradient, momentum
    node: int | None = None
    key: WeightKey | None = None
    precision: Rounding = Rounding("places", 4)  # as asked for this quantity


class Rules(NamedTuple):
    """Which rules refuse a draw, and the saturation threshold per activation."""

    reject: tuple[str, ...] = RULES
    saturation: tuple[tuple[str, Fraction], ...] = tuple(DEFAULT_SATURATION.items())
    draws: int = 100  # draws of one variant before the set is given up

    def threshold(self, name: str) -> Fraction | None:
        return dict(self.saturation).get(name)


def solved(problem: Problem) -> Trace:
    """The problem solved as `bpcalc solve` solves its file (the keys' trace)."""
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic

    return solve(problem, make_arithmetic(problem.rounding, False))


def refusal(trace: Trace, focus: tuple[Focus, ...], rules: Rules) -> str | None:
    """The first rule (in RULES order) the solved variant breaks, or None if it is good."""
    problem = trace.problem
    for rule, broken in (("dead_relu", _dead_relu), ("saturated", _saturated),
                         ("zero_delta", _zero_delta), ("frozen_weight", _frozen_weight)):
        if rule in rules.reject and broken(trace, problem, focus, rules):
            return rule
    return None


def _watched(problem: Problem, focus: tuple[Focus, ...]) -> dict[int, set[int]]:
    """Step -> the nodes something asked at that step depends on."""
    outputs = problem.network.output_layer.node_ids
    watched: dict[int, set[int]] = {}
    for item in focus:
        nodes = watched.setdefault(item.step, set())
        if item.kind in NODE_KINDS:
            nodes.add(item.node)
        elif item.kind in WEIGHT_KINDS:
            nodes.add(item.key[1])
        elif item.kind == "error":
            nodes.update(outputs)
    return watched


def _watched_nodes(trace: Trace, problem: Problem, focus):
    """(node record, its activation) of each watched node at each asked step."""
    for step_number, nodes in sorted(_watched(problem, focus).items()):
        if step_number > len(trace.steps):
            continue
        step = trace.steps[step_number - 1]
        for node_id in sorted(nodes):
            record = step.node(node_id)
            if record.kind in ("input", "bias"):
                continue
            yield record, problem.activation_of_layer(record.layer)


def _dead_relu(trace: Trace, problem: Problem, focus, rules: Rules) -> bool:
    return any(activation_spec(act.name).dies and not trace.arithmetic.is_positive(node.net)
               for node, act in _watched_nodes(trace, problem, focus))


def _saturated(trace: Trace, problem: Problem, focus, rules: Rules) -> bool:
    for node, act in _watched_nodes(trace, problem, focus):
        spec = activation_spec(act.name)
        threshold = rules.threshold(act.name)
        if spec.saturation is None or threshold is None:
            continue
        scaled = abs(_exact(trace, node.net) * spec.saturation(act))
        if scaled > threshold:
            return True
    return False


def _zero_delta(trace: Trace, problem: Problem, focus, rules: Rules) -> bool:
    for item in focus:
        if item.kind != "delta" or item.step > len(trace.steps):
            continue
        act = problem.activation_of_layer(problem.network.layer_of(item.node))
        if activation_spec(act.name).perceptron:
            continue  # 0 because the pattern is already right: a fair answer
        delta = trace.steps[item.step - 1].node(item.node).delta
        if round_fraction(_exact(trace, delta), item.precision) == 0:
            return True
    return False


def _frozen_weight(trace: Trace, problem: Problem, focus, rules: Rules) -> bool:
    network = problem.network
    if activation_spec(problem.activations[-1].name).perceptron:
        return False  # its weights stay when every pattern is already right
    keys = {item.key for item in focus if item.kind in WEIGHT_KINDS}
    for key in sorted(keys):
        if network.node_kind(key[0]) == "bias" and not problem.train_bias:
            continue
        if all(_exact(trace, step.node(key[0]).out) == 0 for step in trace.steps):
            continue  # from an input that is 0 throughout: it cannot change
        changes = [update.change for step in trace.steps for update in step.updates
                   if update.key == key]
        if changes and all(_exact(trace, change) == 0 for change in changes):
            return True
    return False


def _exact(trace: Trace, value) -> Fraction:
    """A trace's value as a Fraction (a float exactly as stored)."""
    try:
        return Fraction(value)
    except TypeError:
        return Fraction(trace.arithmetic.to_float(value))

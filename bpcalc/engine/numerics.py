"""Numerical trouble in a run: overflow and NaN (an error), and warnings a student should see.

Pure: it reads steps of a trace, raises `NumericalError` or returns warning sentences; no I/O.
An overflow stops the run (exit status 2) because no number after it means anything, and a
JSON number cannot hold infinity or NaN. Dead relu nodes, vanishing deltas and saturated
sigmoid/tanh nodes are only warnings: the arithmetic is right, the learning is not.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator

from bpcalc.engine.trace import Step, Trace
from bpcalc.errors import ProblemError
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Problem, weight_name

FLOAT_MAX = sys.float_info.max
VANISHING_RATIO = 1e-6  # a hidden layer's largest |delta| below this times the output's
SATURATED_SLOPE = 1e-4  # f'(net) (per unit beta) below this: a saturated sigmoid or tanh
_ADVICE = "lower the learning rate or the weights"


class NumericalError(ProblemError):
    """A value overflowed or became NaN; names the step and the node (or weight)."""


def finite_check(arithmetic, keys: list) -> Callable[[int, Step, list, list], None]:
    """The engine's per-step check: `check(number, step, weights, changes)` raises on overflow.

    `weights` are the ones the step used and `changes` its changes, both in `keys` order.
    Floats: one sum per step (a NaN or infinity anywhere makes it non-finite) and a scan only
    when it is. Rounded and exact values never overflow by themselves, so they are held to the
    float range instead; otherwise their digits could grow without bound (a hang).
    """
    to_float = arithmetic.to_float
    if arithmetic.name == "float":
        def check(number: int, step: Step, weights: list, changes: list) -> None:
            total = step.error + sum(weights) + sum(changes)
            for node in step.nodes:
                if node.net is not None:
                    total += node.net
            if not math.isfinite(total):  # a finite sum that overflowed passes the scan
                _scan(number, _values(step, keys, weights, changes), float)
        return check

    def check_exactly(number: int, step: Step, weights: list, changes: list) -> None:
        _scan(number, _values(step, keys, weights, changes), to_float)
    return check_exactly


def check_final_weights(final_weights: dict, step_count: int, to_float) -> None:
    """The last update can overflow too; the final weights are checked once at the end."""
    for key, value in final_weights.items():
        bad = _bad(to_float, value)
        if bad:
            raise NumericalError(f"step {step_count}: new {weight_name(key)} {bad}; {_ADVICE}")


def _values(step: Step, keys: list, weights: list, changes: list
            ) -> Iterator[tuple[str, object]]:
    """Every value of a step in the order it was computed, each with its name."""
    for key, value in zip(keys, weights, strict=True):
        yield f"{weight_name(key)} (as the step began)", value
    for node in step.nodes:
        if node.net is not None:
            yield f"node {node.id}: net", node.net
            yield f"node {node.id}: activation", node.out
    yield "error", step.error
    for node in reversed(step.nodes):
        if node.delta is not None:
            yield f"node {node.id}: delta", node.delta
    for key, value in zip(keys, changes, strict=True):
        yield f"change of {weight_name(key)}", value


def _scan(number: int, values: Iterator[tuple[str, object]], to_float) -> None:
    for name, value in values:
        bad = _bad(to_float, value)
        if bad:
            raise NumericalError(f"step {number}, {name} {bad}; {_ADVICE}")


def _bad(to_float, value) -> str:
    """'' for a finite value in the float range, else what went wrong."""
    try:
        number = to_float(value)
    except (OverflowError, ValueError, TypeError):
        return f"overflowed (beyond ±{FLOAT_MAX:.3g})"
    if math.isnan(number):
        return "is not a number (NaN, from infinity - infinity or 0 × infinity)"
    if math.isinf(number):
        return "overflowed to infinity"
    return ""


def find_warnings(trace: Trace) -> list[str]:
    """Sentences about learning that has stalled: dead relu nodes, vanishing or saturated
    deltas. One sentence per node (or layer) and kind, naming where it first happened."""
    if not trace.steps or not trace.steps[0].nodes:  # a summary run keeps no node records
        return flat_layers(trace.problem)  # known from the problem alone
    watch = WarningWatch(trace.problem, trace.arithmetic)
    for number, step in enumerate(trace.steps, start=1):
        watch.see(number, step)
    return watch.sentences()


class WarningWatch:
    """The warnings, gathered step by step as a run goes (nothing of a step is kept), so a
    streamed run of any length warns as a whole trace does. Steps must carry node records."""

    def __init__(self, problem: Problem, arithmetic):
        self.problem = problem
        self.to_float = arithmetic.to_float
        self.positive = arithmetic.is_positive
        network = problem.network
        self.relu = []  # the nodes whose f' is 0 for every net <= 0 (relu): they can die
        for layer in network.layers[1:]:
            act = problem.activation_of_layer(layer.index)
            if activation_spec(act.name).dies:
                self.relu += [_Liveness(j, act.name) for j in layer.node_ids]
        self.epoch = 0
        # Vanishing: positions in step.nodes (ids count from 1) of the output and hidden nodes.
        self.outputs = [k - 1 for k in network.output_layer.node_ids]
        self.hidden = [(layer.index, [j - 1 for j in layer.node_ids])
                       for layer in network.layers[1:-1]]
        self.vanishing: dict[int, list[int]] = {}  # layer -> [first step, count]
        # Saturated: (node, position, bound on |f'(net)|) of each sigmoid and tanh node.
        self.names: dict[int, str] = {}
        self.bounds = []
        for layer in network.layers[1:]:
            act = problem.activation_of_layer(layer.index)
            saturation = activation_spec(act.name).saturation
            if saturation is not None:
                scale = abs(float(saturation(act)))
                self.names.update(dict.fromkeys(layer.node_ids, act.name))
                self.bounds += [(j, j - 1, SATURATED_SLOPE * scale) for j in layer.node_ids
                                if scale]
        self.saturated: dict[int, list] = {}  # node -> [first step, its slope, count]

    def see(self, number: int, step: Step) -> None:
        nodes = step.nodes
        if self.relu:
            if step.epoch != self.epoch:
                self._close_epoch()
                self.epoch = step.epoch
            for node in self.relu:
                if not node.alive_now:
                    node.alive_now = self.positive(nodes[node.id - 1].net)
        to_float = self.to_float
        if self.hidden:
            top = max(abs(to_float(nodes[k].delta)) for k in self.outputs)
            if top != 0:
                for index, positions in self.hidden:
                    largest = max(abs(to_float(nodes[j].delta)) for j in positions)
                    if largest < VANISHING_RATIO * top:
                        self.vanishing.setdefault(index, [number, 0])[1] += 1
        for j, position, bound in self.bounds:
            slope = abs(to_float(nodes[position].slope))
            if slope < bound:
                self.saturated.setdefault(j, [number, slope, 0])[2] += 1

    def _close_epoch(self) -> None:
        if self.epoch:
            for node in self.relu:
                node.close(self.epoch)

    def sentences(self) -> list[str]:
        """The warnings of the steps seen so far (call once, after the last step)."""
        self._close_epoch()
        self.epoch = 0
        last = self.problem.epochs
        result = flat_layers(self.problem)
        for node in self.relu:
            if node.first_dead:
                every = " (and every epoch after it)" if (
                    not node.alive_after and node.last_dead == last and node.dead > 1) else ""
                result.append(
                    f"node {node.id} ({node.name}) is dead in epoch {node.first_dead}{every}: its "
                    "net is <= 0 for every pattern, so f'(net) = 0 and the weights into it stop "
                    "learning")
        result += [
            f"vanishing gradient: hidden layer {index}'s deltas are below {VANISHING_RATIO:g} "
            f"times the output deltas from step {first} ({count} step(s)), so the weights "
            "into it barely learn" for index, (first, count) in sorted(self.vanishing.items())]
        result += [
            f"node {j} ({self.names[j]}) is saturated from step {first} ({count} step(s)): "
            f"f'(net) = {slope:.3g}, so its delta is almost 0 and the weights into it barely "
            "learn" for j, (first, slope, count) in sorted(self.saturated.items())]
        return result


def flat_layers(problem: Problem) -> list[str]:
    """Parameters that make f' 0 for every net (sigmoid with beta = 0) are accepted (a
    number, and a lesson), but no node of such a layer learns: the entry's sentence, with
    the layers it concerns."""
    layers = problem.network.layers[1:]
    flat: dict[str, list[int]] = {}  # the entry's sentence -> its layers
    for layer in layers:
        act = problem.activation_of_layer(layer.index)
        note = activation_spec(act.name).flat
        sentence = note(act) if note is not None else None
        if sentence:
            flat.setdefault(sentence, []).append(layer.index)
    return [sentence.format(where="" if len(indices) == len(layers) else (
                f" (layer{'s' * (len(indices) > 1)} {', '.join(map(str, indices))})"))
            for sentence, indices in flat.items()]


class _Liveness:
    """One relu node across epochs: dead in an epoch when its net is <= 0 for every pattern."""

    def __init__(self, node_id: int, name: str):
        self.id = node_id
        self.name = name  # its activation's
        self.alive_now = False  # net > 0 for some pattern of the current epoch
        self.first_dead = 0  # the first dead epoch (0: none yet)
        self.last_dead = 0
        self.dead = 0  # how many epochs it was dead in
        self.alive_after = False  # alive in some epoch after the first dead one

    def close(self, epoch: int) -> None:
        if not self.alive_now:
            self.first_dead = self.first_dead or epoch
            self.last_dead = epoch
            self.dead += 1
        elif self.first_dead:
            self.alive_after = True
        self.alive_now = False

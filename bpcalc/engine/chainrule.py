"""dE/dw by the chain rule, path by path: an independent check of backprop's recursion.

Backprop computes dE/dw_ij as ±delta_j out_i, where each delta is built recursively from
the deltas above it. The chain rule instead multiplies the local derivatives along every
path from w_ij to an output node and adds the paths:

    dE/dw_ij = sum over paths j -> k -> ... -> o of
               dE/dout_o * dout_o/dnet_o * dnet_o/dout_k * ... * dout_j/dnet_j * dnet_j/dw_ij

This module enumerates those paths from one solved step and multiplies their factors
itself; it only *reads* the trace (activations, f'(net), the step's weights, targets) and
takes the recursion's value (delta_j, out_i) from it for comparison. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import prod
from typing import Any

from bpcalc.engine.trace import Step, Trace
from bpcalc.errors import ProblemError
from bpcalc.problem import losses
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Problem, WeightKey, weight_name

# Paths multiply: a 10-10-10-10 net has 1,000 paths from a first-layer weight. Above this
# the enumeration is refused rather than left to run for minutes.
MAX_PATHS = 100_000
MAX_EXACT_PATHS = 2_000  # each exact path product is a SymPy expression

# Float agreement: both sides are the same few products in another order.
_FLOAT_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Factor:
    """One local derivative of a path, named by what is differentiated by what.

    kind:
      "loss"   dE/dout_node          (node: an output)
      "slope"  dout_node/dnet_node   = f'(net_node)
      "weight" dnet_node/dout_source = w_(source, node), the weight before the update
      "input"  dnet_node/dw_(source, node) = out_source
      "jacobian" dout_node/dnet_source = z_node (1[node = source] - z_source): a softmax
               output depends on every net of its layer
    """

    kind: str
    node: int
    source: int | None
    value: Any


@dataclass(frozen=True)
class Path:
    """One path from the weight's node up to an output: its nodes and its factors, in the
    order the chain rule writes them (from the error back down to the weight)."""

    nodes: tuple[int, ...]  # node j of w_ij, then one node per layer, ending at an output
    factors: tuple[Factor, ...]
    product: Any


@dataclass(frozen=True)
class ChainRule:
    """dE/dw for one weight in one step: the chain rule's sum and the recursion's value."""

    key: WeightKey
    step_number: int
    step: Step
    paths: tuple[Path, ...]
    total: Any  # the sum over paths: dE/dw by the chain rule
    delta: Any  # delta_j, from the trace
    source_out: Any  # out_i, from the trace
    sign: int  # dE/dw = sign * delta_j * out_i: -1 in the slides, +1 in the textbook
    recursion: Any  # sign * delta_j * out_i
    difference: Any  # total - recursion
    agreement: str  # "exact" | "float" | "rounded" | "numeric" (exact, to 50 digits) | "disagree"
    loss_factor: Fraction  # dE/dout = loss_factor * (out - t): 1, 2 or 2/K
    perceptron: bool  # step output: the perceptron rule, not a gradient
    rate: Any
    gradient_change: Any  # -rate * total: the change gradient descent makes
    change: Any  # this step's change of the weight, from the trace

    @property
    def factors(self) -> list[Factor]:
        """Every distinct factor once, in the order the paths first use them."""
        seen: dict[tuple, Factor] = {}
        for path in self.paths:
            for factor in path.factors:
                seen.setdefault((factor.kind, factor.node, factor.source), factor)
        return list(seen.values())


def path_count(problem: Problem, key: WeightKey) -> int:
    """How many paths lead from w_ij to the outputs: the sizes of the layers above j (and
    through a softmax, from each output's net to every output)."""
    layers = problem.network.layers
    above = layers[problem.network.layer_of(key[1]) + 1:]
    wide = _softmax_outputs(problem)
    return prod(len(layer.node_ids) for layer in above) * (
        len(layers[-1].node_ids) if wide else 1)


def _softmax_outputs(problem: Problem) -> bool:
    """Whether the output activation is one of the whole layer (softmax)."""
    return activation_spec(problem.activations[-1].name).layer_wide


def check_weight(problem: Problem, key: WeightKey, argument: str = "WEIGHT") -> None:
    """Refuse a weight the network does not have, naming the ones it has."""
    if key in problem.weights:
        return
    keys = problem.network.weight_keys()
    i, j = key
    raise ProblemError(
        f"this network has no weight from node {i} to node {j} ({weight_name(key)}); "
        f"its {len(keys)} weights run from {weight_name(keys[0])} to {weight_name(keys[-1])}",
        key=argument)


def explain(trace: Trace, key: WeightKey, step_number: int = 1) -> ChainRule:
    """The chain rule for dE/dw_key in step `step_number` (from 1) of a solved trace."""
    problem = trace.problem
    check_weight(problem, key)
    if not 1 <= step_number <= len(trace.steps):
        raise ProblemError(f"steps run from 1 to {len(trace.steps)}, got {step_number}",
                           key="--step")
    arithmetic = trace.arithmetic
    count = path_count(problem, key)
    limit = MAX_EXACT_PATHS if getattr(arithmetic, "name", "") == "exact" else MAX_PATHS
    if count > limit:
        raise ProblemError(f"{weight_name(key)} reaches the outputs along {count:,} paths; "
                           f"explain enumerates at most {limit:,}"
                           + (" in exact mode" if limit == MAX_EXACT_PATHS else ""),
                           key="WEIGHT")
    step = trace.steps[step_number - 1]
    i, j = key
    paths = _paths(problem, arithmetic, step, key)
    factor, perceptron = problem.output_delta.factor, problem.perceptron
    num = arithmetic.number

    total = sum(path.product for path in paths)  # 0 + x is x for every number type
    sign = -1 if problem.convention == "slides" else 1
    delta = step.node(j).delta
    source_out = step.node(i).out
    recursion = delta * source_out if sign == 1 else -(delta * source_out)
    deltas = [record.delta for record in step.nodes if record.delta is not None]
    difference, agreement = _compare(arithmetic, total, recursion, deltas)
    rate = num(problem.learning_rate)
    return ChainRule(key, step_number, step, tuple(paths), total, delta, source_out, sign,
                     recursion, difference, agreement, factor, perceptron, rate,
                     -(rate * total), step.changes[key])


class _Factors:
    """The local derivatives of one step, as the paths take them."""

    def __init__(self, problem: Problem, arithmetic, step: Step):
        self.problem, self.m, self.step = problem, arithmetic, step
        self.outputs = problem.network.output_layer.node_ids
        self.targets = dict(zip(self.outputs, step.target, strict=True))
        self.loss_spec = losses.loss_spec(problem.loss)

    def loss(self, o: int) -> Factor:
        """dE/dz_o: factor (z - t) for a squared error (and the perceptron rule), else the
        loss entry's own derivative."""
        m, problem = self.m, self.problem
        z, t = self.step.node(o).out, m.number(self.targets[o])
        if problem.perceptron or self.loss_spec.squared:
            return Factor("loss", o, None, m.number(problem.output_delta.factor) * (z - t))
        return Factor("loss", o, None, self.loss_spec.dE_dz(m, t, z, len(self.outputs)))

    def slope(self, node: int) -> Factor:
        return Factor("slope", node, None, self.step.node(node).slope)

    def jacobian(self, o: int, k: int) -> Factor:
        """dz_o/dnet_k = z_o (1[o = k] - z_k), through a softmax."""
        z_o, z_k = self.step.node(o).out, self.step.node(k).out
        one = self.m.number(Fraction(1))
        return Factor("jacobian", o, k, z_o * ((one if o == k else 0) - z_k))


def _paths(problem: Problem, arithmetic, step: Step, key: WeightKey) -> list[Path]:
    """Every path from w_key to the outputs with its factors and their product; through a
    softmax the net of each output reaches every output."""
    i, j = key
    factors = _Factors(problem, arithmetic, step)
    wide = _softmax_outputs(problem)
    input_factor = Factor("input", j, i, step.node(i).out)
    paths = []
    for nodes in _node_paths(problem.network, j):
        k = nodes[-1]
        for o in factors.outputs if wide else (k,):
            chain = [factors.loss(o), factors.jacobian(o, k) if wide else factors.slope(k)]
            for lower, upper in zip(reversed(nodes[:-1]), reversed(nodes[1:]), strict=True):
                chain += [Factor("weight", upper, lower, step.weights[(lower, upper)]),
                          factors.slope(lower)]
            chain.append(input_factor)
            paths.append(Path(nodes + ((o,) if wide else ()), tuple(chain),
                              prod(f.value for f in chain)))
    return paths


def _node_paths(network, start: int) -> list[tuple[int, ...]]:
    """Every path start -> one node per higher layer -> an output node (bias nodes have no
    incoming weights, so no path passes through one)."""
    paths = [(start,)]
    for layer in network.layers[network.layer_of(start) + 1:]:
        paths = [path + (node,) for path in paths for node in layer.node_ids]
    return paths



def _compare(arithmetic, total, recursion, deltas: list) -> tuple[Any, str]:
    """The difference and what it means: exactly 0, float noise, hand rounding, or not."""
    difference = total - recursion
    name = getattr(arithmetic, "name", "float")
    if name == "exact":
        return _exact_difference(total, recursion, deltas)
    if difference == 0:
        return difference, "exact"
    if getattr(arithmetic, "rounds", False):
        return difference, "rounded"
    size = max(abs(float(total)), abs(float(recursion)), 1e-300)
    return difference, "float" if abs(float(difference)) <= _FLOAT_TOLERANCE * size else \
        "disagree"


def _exact_difference(total, recursion, deltas: list) -> tuple[Any, str]:
    """Prove the difference is 0. With every exp(..) and tanh(..) taken as an unknown, both
    sides are the same rational function of them, so cancelling leaves exactly 0 (expanding
    the nested closed forms instead takes minutes). Where the exact arithmetic has named a
    long delta (δ4⁽³⁾), the name is opened up into its recursion, layer by layer, so that
    both sides are written in the same named activations and weights (z7⁽³⁾, w47⁽²⁾)."""
    import sympy  # the exact arithmetic has imported it already

    named = {delta: delta.definition for delta in deltas
             if getattr(delta, "definition", None) is not None}
    difference = total - recursion
    for _ in range(len(named) + 1):
        if difference == 0:
            return sympy.Integer(0), "exact"
        unknowns = {atom: sympy.Dummy() for atom in difference.atoms(sympy.exp, sympy.tanh)}
        if sympy.cancel(difference.xreplace(unknowns)) == 0:
            return sympy.Integer(0), "exact"
        opened = difference.xreplace(named)
        if opened == difference:
            break
        difference = opened
    # Not proved symbolically: compare the numbers (named values carry 256 bits).
    size = abs(sympy.N(total, 60)) + abs(sympy.N(recursion, 60)) + sympy.Float(1e-300)
    if abs(sympy.N(difference, 60)) <= sympy.Float(10) ** -50 * size:
        return difference, "numeric"
    return difference, "disagree"

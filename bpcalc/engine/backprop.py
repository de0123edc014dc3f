"""Backpropagation, one pattern at a time: the pure core. No I/O, no printing.

Written once for every arithmetic (float, hand-rounded, exact): only `+`, `-`, `*` are used
directly, and the arithmetic supplies activation, slope and `settle` (hand rounding, or
naming an exact value). Both sign conventions compute the same changes; they differ only in
the sign of delta and of the update rule. The topology is turned into index lists once
(`_Plan`), so the loops over patterns only index lists. The engine is a generator of steps
(`train` gives them one at a time, kept by nobody: see `bpcalc.engine.run`); `solve` keeps
them all as a `Trace`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from operator import mul

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.numerics import finite_check
from bpcalc.engine.run import Run
from bpcalc.engine.trace import NodeRecord, Step, Trace, WeightUpdate
from bpcalc.problem.model import Problem

# Float runs of networks with at least this many weights use the vectorised engine
# (bpcalc.engine.vectorised, numpy): below it, list indexing beats numpy's per-call cost.
VECTORISE_FROM_WEIGHTS = 200


@dataclass(frozen=True)
class Slips:
    """Deliberate hand-calculation mistakes, so `bpcalc check` can reproduce a wrong answer.

    The other usual mistakes (sign, factor 2, bias, learning rate, early rounding) are
    changes to the problem itself and need no switch here.
    """

    new_weights_in_hidden_delta: bool = False  # w_jk after its update in sum_k delta_k w_jk
    no_slope: bool = False  # f'(net) left out of every delta
    net_in_update: bool = False  # net_i instead of the activation z_i in the weight change


CORRECT = Slips()


def solve(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT, *,
          record: bool = True) -> Trace:
    """Train for every epoch and pattern, recording every step.

    With `record=False` no step is kept: the trace has the error per epoch and the final
    weights, which is all a summary or a plot reads.
    """
    return train(problem, arithmetic, slips, record=record).trace()


def train(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT, *,
          record: bool = True, warn: bool = False) -> Run:
    """The same training as a `Run`: its steps are handed on one at a time, as computed,
    and kept by nobody, so a reader that writes them as they come needs the memory of a
    step, not of the run. `warn` gathers the warnings (numerics.py) as the steps pass."""
    # (Not the perceptron: numpy sums in its own order, which could move a net across the
    # step's threshold.)
    if (arithmetic.name == "float" and slips == CORRECT
            and len(problem.weights) >= VECTORISE_FROM_WEIGHTS and not problem.perceptron):
        from bpcalc.engine.vectorised import vectorised_steps

        return Run(problem, arithmetic, vectorised_steps(problem, record), record, warn=warn)
    return Run(problem, arithmetic, _steps(problem, arithmetic, slips, record), record,
               warn=warn)


def _steps(problem: Problem, arithmetic: Arithmetic, slips: Slips, record: bool
           ) -> Generator[Step, None, list]:
    """The generic engine: each step, checked for overflow; returns the final weights."""
    plan = _Plan(problem, arithmetic)
    weights = [arithmetic.number(value) for value in problem.weights.values()]
    batch = problem.update == "batch"
    settle = arithmetic.settle if arithmetic.settles else None
    keys = plan.keys
    check_finite = finite_check(arithmetic, keys)  # overflow or NaN: an error naming the node
    number = 0
    for epoch in range(1, problem.epochs + 1):
        summed = None
        last = len(problem.patterns)
        for position, pattern in enumerate(problem.patterns, start=1):
            number += 1
            step, changes = _step(plan, arithmetic, weights, pattern, plan.patterns[position - 1],
                                  epoch, position, number, slips, record)
            check_finite(number, step, weights, changes)
            if not batch:
                weights = _apply(plan, settle, weights, changes, step, number, record)
                yield step
                continue
            summed = changes if summed is None else list(map(_add, summed, changes))
            if position == last:
                if settle:
                    summed = [settle(value, "sum", number, key[1], key[0])
                              for value, key in zip(summed, keys, strict=True)]
                weights = _apply(plan, settle, weights, summed, step, number, record)
            yield step
    return weights


def _add(left, right):
    return left + right


def _apply(plan: _Plan, settle, weights: list, changes: list, step: Step, number: int,
           record: bool) -> list:
    """The new weights; recorded on `step` as its updates."""
    new = list(map(_add, weights, changes))
    if settle:
        new = [settle(value, "new", number, key[1], key[0])
               for value, key in zip(new, plan.keys, strict=True)]
    if record:
        step.updates = list(map(WeightUpdate, plan.keys, weights, changes, new))
    return new


class _Plan:
    """The network as index lists, built once per solve: per layer, its nodes, the nodes
    feeding it, and per node the positions of its incoming weights in the weight list."""

    def __init__(self, problem: Problem, arithmetic: Arithmetic):
        num = arithmetic.number
        network = problem.network
        self.keys = list(problem.weights)
        index = {key: k for k, key in enumerate(self.keys)}
        self.size = max(layer.bias_id or max(layer.node_ids) for layer in network.layers) + 1
        self.inputs = network.layers[0].node_ids
        self.bias = num(problem.bias) if problem.bias is not None else None
        self.bias_nodes = [(layer.bias_id, layer.index) for layer in network.layers
                           if layer.bias_id is not None]
        self.layers = []  # (index, kind, activation, ids, feeding, incoming weight positions)
        last = len(network.layers) - 1
        for previous, layer in zip(network.layers, network.layers[1:], strict=False):
            feeding = previous.feeding_ids()
            incoming = [[index[(i, j)] for i in feeding] for j in layer.node_ids]
            kind = "output" if layer.index == last else "hidden"
            self.layers.append((layer.index, kind, problem.activation_of_layer(layer.index),
                                layer.node_ids, feeding, incoming))
        # outgoing[j]: positions of the weights from hidden node j to the layer above
        self.outgoing = {}
        for position in range(1, last):
            layer, above = network.layers[position], network.layers[position + 1]
            for j in layer.node_ids:
                self.outgoing[j] = [index[(j, k)] for k in above.node_ids]
        self.patterns = [([num(x) for x in p.input], [num(t) for t in p.target])
                         for p in problem.patterns]
        factor, self.out_slope = problem.output_delta  # no f' in the perceptron rule
        self.out_factor = num(factor)
        self.loss_scale = num(problem.loss_scale)
        self.slides = problem.convention == "slides"
        rate = num(problem.learning_rate)
        self.signed_rate = rate if self.slides else -rate
        self.one = num(Fraction(1))


def _step(plan: _Plan, arithmetic: Arithmetic, weights: list, pattern, converted,
          epoch: int, position: int, number: int, slips: Slips, record: bool):
    """Forward pass, error, backward pass and this step's changes (`weights` unchanged)."""
    settle = arithmetic.settle if arithmetic.settles else None
    activate, slope_of = arithmetic.activate, arithmetic.slope
    size = plan.size
    out = [None] * size
    net = [None] * size
    slope = [None] * size
    delta = [None] * size
    inputs, targets = converted
    for node_id, x in zip(plan.inputs, inputs, strict=True):
        out[node_id] = x
    for bias_id, _ in plan.bias_nodes:
        out[bias_id] = plan.bias

    # Forward pass: net_j = sum_i w_ij z_i, z_j = f(net_j).
    get = weights.__getitem__
    for _, _, act, ids, feeding, incoming in plan.layers:
        sources = [out[i] for i in feeding]
        for j, positions in zip(ids, incoming, strict=True):
            value = sum(map(mul, map(get, positions), sources))
            if settle:
                value = settle(value, "net", number, j)
            net[j] = value
            z = activate(act, value)
            out[j] = settle(z, "out", number, j) if settle else z

    # Error of this pattern under the chosen loss.
    _, _, out_act, outputs, _, _ = plan.layers[-1]
    residuals = [t - out[k] for k, t in zip(outputs, targets, strict=True)]
    error = sum(map(mul, residuals, residuals)) * plan.loss_scale
    if settle:
        error = settle(error, "error", number, 0)

    # Output deltas: (t - z) f'(net) in the slides, (z - t) f'(net) in the textbook,
    # times the loss's own factor (2 for sse, 2/K for mse); the perceptron takes (t - z).
    factor, one = plan.out_factor, plan.one
    no_slope = slips.no_slope or not plan.out_slope
    for k, residual in zip(outputs, residuals, strict=True):
        s = slope[k] = slope_of(out_act, net[k], out[k])
        value = factor * (residual if plan.slides else -residual) * (one if no_slope else s)
        delta[k] = settle(value, "delta", number, k) if settle else value

    # Changes: +C delta_j z_i (slides) equals -eta delta_j a_i (textbook).
    signed_rate = plan.signed_rate
    source = net if slips.net_in_update else out

    def factor_of(i):
        return source[i] if source[i] is not None else out[i]

    def change(i: int, j: int):
        value = signed_rate * delta[j] * factor_of(i)
        return settle(value, "change", number, j, i) if settle else value

    # Hidden deltas: f'(net_j) sum_k delta_k w_jk, with the weights before this update.
    for index in range(len(plan.layers) - 2, -1, -1):
        _, _, act, ids, _, _ = plan.layers[index]
        above = plan.layers[index + 1][3]
        down = [delta[k] for k in above]
        for j in ids:
            s = slope[j] = slope_of(act, net[j], out[j])
            used = [weights[p] for p in plan.outgoing[j]]
            if slips.new_weights_in_hidden_delta:
                used = [_settled(settle, w + change(j, k), "new", number, k, j)
                        for w, k in zip(used, above, strict=True)]
            value = (one if slips.no_slope else s) * sum(map(mul, down, used))
            delta[j] = settle(value, "delta", number, j) if settle else value

    changes = [None] * len(weights)
    for _, _, _, ids, feeding, incoming in plan.layers:
        if settle or slips.net_in_update:
            for j, positions in zip(ids, incoming, strict=True):
                for i, p in zip(feeding, positions, strict=True):
                    changes[p] = change(i, j)
            continue
        sources = [out[i] for i in feeding]
        for j, positions in zip(ids, incoming, strict=True):
            scaled = signed_rate * delta[j]
            for p, z in zip(positions, sources, strict=True):
                changes[p] = scaled * z

    if not record:
        return Step(epoch, position, pattern.input, pattern.target, [], error, {}, {}), changes
    keys = plan.keys
    kinds = plan.kinds if hasattr(plan, "kinds") else _kinds(plan)
    nodes = [NodeRecord(node_id, kind, layer, out[node_id], net[node_id], delta[node_id],
                        slope[node_id]) for node_id, kind, layer in kinds]
    return Step(epoch, position, pattern.input, pattern.target, nodes, error,
                dict(zip(keys, weights, strict=True)),
                dict(zip(keys, changes, strict=True))), changes


def _kinds(plan: _Plan) -> list[tuple[int, str, int]]:
    """(id, kind, layer) of every node in id order, computed once per plan."""
    kinds = [(i, "input", 0) for i in plan.inputs]
    kinds += [(bias_id, "bias", layer) for bias_id, layer in plan.bias_nodes]
    for index, kind, _, ids, _, _ in plan.layers:
        kinds += [(j, kind, index) for j in ids]
    plan.kinds = sorted(kinds)
    return plan.kinds


def _settled(settle, value, *label):
    return settle(value, *label) if settle else value



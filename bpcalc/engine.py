"""Backpropagation, one pattern at a time: the pure core. No I/O, no printing.

Written once for every arithmetic (float, hand-rounded, exact): only `+`, `-`, `*` are used
directly, and the arithmetic supplies activation, slope and rounding. Both sign conventions
compute the same changes; they differ only in the sign of delta and of the update rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from operator import mul

from bpcalc.arithmetic import Arithmetic
from bpcalc.problem import Pattern, Problem, WeightKey
from bpcalc.trace import NodeRecord, Step, Trace, WeightUpdate


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


def solve(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT) -> Trace:
    """Train for every epoch and pattern, recording every step."""
    num = arithmetic.number
    weights = {key: num(value) for key, value in problem.weights.items()}
    steps: list[Step] = []
    batch = problem.update == "batch"
    for epoch in range(1, problem.epochs + 1):
        summed: dict[WeightKey, object] = {}
        last = len(problem.patterns)
        for position, pattern in enumerate(problem.patterns, start=1):
            step = solve_step(problem, arithmetic, weights, pattern, epoch, position, slips)
            steps.append(step)
            if not batch:
                step.updates = _apply(arithmetic, weights, step.changes)
                weights = {u.key: u.new for u in step.updates}
                continue
            for key, change in step.changes.items():
                summed[key] = change if key not in summed else summed[key] + change
            if position == last:
                if arithmetic.rounds:
                    summed = {key: arithmetic.round(value) for key, value in summed.items()}
                step.updates = _apply(arithmetic, weights, summed)
                weights = {u.key: u.new for u in step.updates}
    return Trace(problem, arithmetic, steps, dict(weights))


def _apply(arithmetic: Arithmetic, weights: dict, changes: dict) -> list[WeightUpdate]:
    rnd = arithmetic.round if arithmetic.rounds else None
    updates = []
    for key, old in weights.items():
        change = changes[key]
        new = old + change
        updates.append(WeightUpdate(key, old, change, rnd(new) if rnd else new))
    return updates


def solve_step(problem: Problem, arithmetic: Arithmetic, weights: dict,
               pattern: Pattern, epoch: int, position: int, slips: Slips = CORRECT) -> Step:
    """Forward pass, error, backward pass and this step's changes, with `weights` unchanged."""
    num = arithmetic.number
    rnd = arithmetic.round if arithmetic.rounds else _same
    network = problem.network
    bias = num(problem.bias) if problem.bias is not None else None
    records: dict[int, NodeRecord] = {}

    # Forward pass: inputs and bias nodes pass their value on; others take f(net).
    first = network.layers[0]
    for node_id, x in zip(first.node_ids, pattern.input, strict=True):
        records[node_id] = NodeRecord(node_id, "input", 0, num(x))
    previous = first
    for layer in network.layers[1:]:
        if previous.bias_id is not None:
            records[previous.bias_id] = NodeRecord(previous.bias_id, "bias", previous.index, bias)
        act = problem.activation_of_layer(layer.index)
        kind = "output" if layer is network.output_layer else "hidden"
        feeding = previous.feeding_ids()
        for j in layer.node_ids:
            net = rnd(_dot([weights[(i, j)] for i in feeding], [records[i].out for i in feeding]))
            out = rnd(arithmetic.activate(act, net))
            records[j] = NodeRecord(j, kind, layer.index, out, net)
        previous = layer

    # Error of this pattern under the chosen loss.
    outputs = network.output_layer.node_ids
    targets = [num(t) for t in pattern.target]
    residuals = [t - records[k].out for k, t in zip(outputs, targets, strict=True)]
    squared = _dot(residuals, residuals)
    error = rnd(squared * num(_loss_scale(problem)))

    # Output deltas: (t - z) f'(net) in the slides, (z - t) f'(net) in the textbook,
    # times the loss's own factor (2 for sse, 2/K for mse); the perceptron takes (t - z).
    out_act = problem.activation_of_layer(network.output_layer.index)
    factor = num(Fraction(1) if out_act.name == "step" else _delta_factor(problem))
    sign = 1 if problem.convention == "slides" else -1
    one = num(Fraction(1))
    for k, residual in zip(outputs, residuals, strict=True):
        record = records[k]
        record.slope = arithmetic.slope(out_act, record.net, record.out)
        signed = residual if sign == 1 else -residual
        record.delta = rnd(factor * signed * (one if slips.no_slope else record.slope))

    # Changes: +C delta_j z_i (slides) equals -eta delta_j a_i (textbook).
    rate = num(problem.learning_rate)
    signed_rate = rate if sign == 1 else -rate

    def change(i: int, j: int):
        source = records[i]
        factor_i = source.net if slips.net_in_update and source.net is not None else source.out
        return rnd(signed_rate * records[j].delta * factor_i)

    # Hidden deltas: f'(net_j) sum_k delta_k w_jk, with the weights before this update.
    for index in range(len(network.layers) - 2, 0, -1):
        layer, above = network.layers[index], network.layers[index + 1]
        act = problem.activation_of_layer(index)
        for j in layer.node_ids:
            record = records[j]
            record.slope = arithmetic.slope(act, record.net, record.out)
            used = [weights[(j, k)] for k in above.node_ids]
            if slips.new_weights_in_hidden_delta:
                used = [rnd(w + change(j, k)) for w, k in zip(used, above.node_ids, strict=True)]
            back = _dot([records[k].delta for k in above.node_ids], used)
            record.delta = rnd((one if slips.no_slope else record.slope) * back)

    changes = {(i, j): change(i, j) for i, j in weights}

    nodes = [records[node_id] for node_id in sorted(records)]
    return Step(epoch, position, pattern.input, pattern.target, nodes, error, weights, changes)


def _loss_scale(problem: Problem) -> Fraction:
    if problem.loss == "half_sse":
        return Fraction(1, 2)
    if problem.loss == "sse":
        return Fraction(1)
    return Fraction(1, len(problem.network.output_layer.node_ids))


def _delta_factor(problem: Problem) -> Fraction:
    """d/dz of the loss, over -(t - z): the factor 2 of squared error, or 2/K for mse."""
    return 2 * _loss_scale(problem)


def _dot(left, right):
    """sum of products; works for floats, Fractions and SymPy alike (0 + x is x)."""
    return sum(map(mul, left, right))


def _same(value):
    return value

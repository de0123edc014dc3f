"""The float engine for larger networks: one numpy matrix product per layer and step.

The same sequential (or batch) training as `bpcalc.engine.backprop`, in IEEE doubles, for networks
where per-weight Python loops would dominate. It returns the same `Trace` (Python floats,
the problem's weight order); only float arithmetic without slips comes here, and numpy is
imported only when it does. Sums are taken in numpy's order, so values agree with the
generic engine to rounding error (a test holds them to 1e-12), not bit for bit.
"""

from __future__ import annotations

from operator import attrgetter, truediv

import numpy as np

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.trace import NodeRecord, Step, Trace, WeightUpdate
from bpcalc.problem.model import Activation, Problem


def solve_vectorised(problem: Problem, record: bool = True) -> Trace:
    """Train in floats with numpy; `record=False` keeps only each step's error."""
    network = problem.network
    layers = network.layers
    keys = list(problem.weights)
    position = {key: k for k, key in enumerate(keys)}
    has_bias = problem.bias is not None
    bias = float(problem.bias) if has_bias else 0.0
    matrices, order = [], []
    for previous, layer in zip(layers, layers[1:], strict=False):
        feeding = previous.feeding_ids()
        matrices.append(np.array([[float(problem.weights[(i, j)]) for i in feeding]
                                  for j in layer.node_ids], dtype=np.float64))
        order += [position[(i, j)] for j in layer.node_ids for i in feeding]
    # flat (matrix order) -> problem order
    to_keys = np.empty(len(order), dtype=np.intp)
    to_keys[np.array(order, dtype=np.intp)] = np.arange(len(order))
    acts = [problem.activation_of_layer(layer.index) for layer in layers[1:]]
    patterns = [(np.array(_floats(p.input) + ([bias] if has_bias else [])),
                 np.array(_floats(p.target))) for p in problem.patterns]
    rate = float(problem.learning_rate)
    signed_rate = rate if problem.convention == "slides" else -rate
    factor = float(problem.output_delta_factor)
    loss_scale = float(problem.loss_scale)
    slides = problem.convention == "slides"
    batch = problem.update == "batch"
    last = len(matrices) - 1
    kinds = _node_kinds(problem) if record else None
    # Built once: each hidden layer's outputs with the bias after them (refilled every
    # step), and the views W[:, :n].T of the weights back into each hidden layer (the
    # matrices are updated in place, so the views stay current).
    buffers = [np.full(len(layer.node_ids) + has_bias, bias) for layer in layers[1:-1]]
    backs = [matrix[:, :len(buffer) - has_bias].T
             for matrix, buffer in zip(matrices[1:], buffers, strict=True)]
    steps: list[Step] = []
    with np.errstate(over="ignore"):  # exp(800) is inf, and 1/(1 + inf) is the right 0
        for epoch in range(1, problem.epochs + 1):
            summed = None
            for number, (pattern, (x, t)) in enumerate(
                    zip(problem.patterns, patterns, strict=True), start=1):
                sources, nets, outs, slopes = [x], [], [], []
                for index, (matrix, act) in enumerate(zip(matrices, acts, strict=True)):
                    net = matrix @ sources[-1]
                    out, slope = _activate(act, net)
                    nets.append(net)
                    outs.append(out)
                    slopes.append(slope)
                    if index < last:
                        source = buffers[index]
                        source[:len(out)] = out
                        sources.append(source)
                residual = t - outs[-1]
                error = float(residual @ residual) * loss_scale
                signed = residual if slides else -residual
                deltas = [None] * len(matrices)
                # factor * signed * slope, as the generic engine multiplies (1.0 * r is r)
                deltas[last] = (signed if factor == 1.0 else factor * signed) * slopes[last]
                for index in range(last - 1, -1, -1):
                    deltas[index] = slopes[index] * (backs[index] @ deltas[index + 1])
                changes = [np.multiply.outer(signed_rate * delta, source)
                           for delta, source in zip(deltas, sources, strict=True)]
                step = Step(epoch, number, pattern.input, pattern.target, [], error, {}, {})
                if record:
                    step.nodes = _records(kinds, x, sources, nets, outs, deltas, slopes,
                                          has_bias)
                    step.weights = dict(zip(keys, _flat(matrices, to_keys), strict=True))
                    step.changes = dict(zip(keys, _flat(changes, to_keys), strict=True))
                steps.append(step)
                if batch:
                    summed = changes if summed is None else [
                        s + c for s, c in zip(summed, changes, strict=True)]
                    if number < len(patterns):
                        continue
                    changes = summed
                old = _flat(matrices, to_keys) if record else None
                for matrix, change in zip(matrices, changes, strict=True):
                    matrix += change  # new = old + change, in place
                if record:
                    step.updates = list(map(WeightUpdate, keys, old, _flat(changes, to_keys),
                                            _flat(matrices, to_keys)))
    final = dict(zip(keys, _flat(matrices, to_keys), strict=True))
    return Trace(problem, Arithmetic(), steps, final)


def _floats(values) -> list[float]:
    """Fractions to the nearest doubles (int / int rounds correctly, faster than float())."""
    return list(map(truediv, map(_NUMERATOR, values), map(_DENOMINATOR, values)))


_NUMERATOR, _DENOMINATOR = attrgetter("numerator"), attrgetter("denominator")


def _activate(act: Activation, net: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(net) and f'(net), by the formulas of `Arithmetic.activate` and `.slope` (sigmoid
    in one form: where exp(-x) overflows, 1/(1 + inf) is the 0 the two-form float gives)."""
    name = act.name
    if name == "sigmoid":
        beta = float(act.beta)
        out = 1.0 / (1.0 + np.exp(-(net if beta == 1.0 else beta * net)))
        return out, (out if beta == 1.0 else beta * out) * (1 - out)
    if name == "tanh":
        out = np.tanh(net)
        return out, 1 - out * out
    if name == "relu":
        positive = net > 0
        return np.where(positive, net, 0.0), positive.astype(np.float64)
    if name == "linear":
        return net, np.ones_like(net)
    raise ValueError(f"the vectorised engine has no {name} activation")


def _flat(matrices: list[np.ndarray], to_keys: np.ndarray) -> list[float]:
    """All weights as Python floats, in the problem's weight order."""
    return np.concatenate([m.ravel() for m in matrices])[to_keys].tolist()


def _node_kinds(problem: Problem) -> list[tuple[int, str, int]]:
    network = problem.network
    kinds = []
    last = len(network.layers) - 1
    for layer in network.layers:
        kind = "input" if layer.index == 0 else "output" if layer.index == last else "hidden"
        kinds += [(i, kind, layer.index) for i in layer.node_ids]
        if layer.bias_id is not None:
            kinds.append((layer.bias_id, "bias", layer.index))
    return kinds


def _records(kinds, x, sources, nets, outs, deltas, slopes, has_bias) -> list[NodeRecord]:
    """Node records in id order (the numbering runs layer by layer, bias last)."""
    values = x.tolist()  # inputs, then the bias value
    flat_out = values[:]
    flat_net = [None] * len(values)
    flat_delta = [None] * len(values)
    flat_slope = [None] * len(values)
    for index in range(len(nets)):
        flat_out += outs[index].tolist()
        flat_net += nets[index].tolist()
        flat_delta += deltas[index].tolist()
        flat_slope += slopes[index].tolist()
        if has_bias and index < len(nets) - 1:
            flat_out.append(sources[index + 1][-1].item())
            flat_net.append(None)
            flat_delta.append(None)
            flat_slope.append(None)
    return [NodeRecord(i, kind, layer, o, n, d, s)
            for (i, kind, layer), o, n, d, s in zip(kinds, flat_out, flat_net, flat_delta,
                                                   flat_slope, strict=True)]

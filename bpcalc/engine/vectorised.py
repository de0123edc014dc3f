"""The float engine for larger networks: one numpy matrix product per layer and step.

The same sequential (or batch) training as `bpcalc.engine.backprop`, in IEEE doubles, for networks
where per-weight Python loops would dominate. It returns the same `Trace` (Python floats,
the problem's weight order); only float arithmetic without slips comes here, and numpy is
imported only when it does. Sums are taken in numpy's order, so values agree with the
generic engine to rounding error (a test holds them to 1e-12), not bit for bit.
"""

from __future__ import annotations

from collections.abc import Generator
from operator import attrgetter, truediv

import numpy as np

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.numerics import finite_check
from bpcalc.engine.trace import NodeRecord, Step, Trace, WeightUpdate
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Activation, Problem


def solve_vectorised(problem: Problem, record: bool = True) -> Trace:
    """Train in floats with numpy; `record=False` keeps no steps (errors and final weights)."""
    from bpcalc.engine.run import Run

    return Run(problem, Arithmetic(), vectorised_steps(problem, record), record).trace()


def vectorised_steps(problem: Problem, record: bool = True) -> Generator[Step, None, list]:
    """The steps one at a time, each checked for overflow before it is handed on; returns
    the final weights in the problem's order. Unrecorded steps carry only their error."""
    net = _Layers(problem)
    keys = net.keys
    batch = problem.update == "batch"
    kinds = _node_kinds(problem) if record else None
    # Overflow or NaN: an error naming the value, as in the generic engine; an unrecorded
    # step has only its error to check (the final weights are checked at the end).
    check_finite = finite_check(Arithmetic(), keys if record else [])
    count = len(problem.patterns)
    number = 0
    for epoch in range(1, problem.epochs + 1):
        summed = summed_gradients = None
        for index, (pattern, (x, t)) in enumerate(
                zip(problem.patterns, net.patterns, strict=True), start=1):
            number += 1
            # exp(800) is inf, and 1/(1 + inf) is the right 0; inf and NaN are caught below
            with np.errstate(all="ignore"):
                sources, nets, outs, slopes, deltas, changes, error = net.step(x, t)
                step = Step(epoch, index, pattern.input, pattern.target, [], error, {}, {})
                weights = flat_changes = []
                if record:
                    step.nodes = _records(kinds, x, sources, nets, outs, deltas, slopes,
                                          net.has_bias)
                    weights, flat_changes = net.flat(net.matrices), net.flat(changes)
                    step.weights = dict(zip(keys, weights, strict=True))
                    step.changes = dict(zip(keys, flat_changes, strict=True))
                check_finite(number, step, weights, flat_changes)
                gradients = net.gradients(deltas, sources) if record else None
                if batch:
                    summed = changes if summed is None else [
                        s + c for s, c in zip(summed, changes, strict=True)]
                    changes = summed
                    if record:
                        summed_gradients = gradients if summed_gradients is None else [
                            s + g for s, g in zip(summed_gradients, gradients, strict=True)]
                        gradients = summed_gradients
                if not batch or index == count:
                    for matrix, change in zip(net.matrices, changes, strict=True):
                        matrix += change  # new = old + change, in place
                    if record:
                        step.updates = list(map(WeightUpdate, keys, weights, net.flat(changes),
                                                net.flat(net.matrices), net.flat(gradients),
                                                [0.0] * len(keys)))
            yield step
    return net.flat(net.matrices)


class _Layers:
    """The network as one weight matrix per layer (updated in place), and one step of
    training as matrix products."""

    def __init__(self, problem: Problem):
        layers = problem.network.layers
        self.keys = list(problem.weights)
        position = {key: k for k, key in enumerate(self.keys)}
        self.has_bias = has_bias = problem.bias is not None
        bias = float(problem.bias) if has_bias else 0.0
        self.matrices, order = [], []
        for previous, layer in zip(layers, layers[1:], strict=False):
            feeding = previous.feeding_ids()
            self.matrices.append(np.array([[float(problem.weights[(i, j)]) for i in feeding]
                                           for j in layer.node_ids], dtype=np.float64))
            order += [position[(i, j)] for j in layer.node_ids for i in feeding]
        # flat (matrix order) -> problem order
        self.to_keys = np.empty(len(order), dtype=np.intp)
        self.to_keys[np.array(order, dtype=np.intp)] = np.arange(len(order))
        self.acts = [problem.activation_of_layer(layer.index) for layer in layers[1:]]
        self.patterns = [(np.array(_floats(p.input) + ([bias] if has_bias else [])),
                          np.array(_floats(p.target))) for p in problem.patterns]
        self.signed_rate = float(problem.learning_rate) * (
            1 if problem.convention == "slides" else -1)
        factor, self.out_slope = problem.output_delta[:2]
        self.factor = float(factor)
        self.loss_scale = float(problem.loss_scale)
        self.slides = problem.convention == "slides"
        self.last = len(self.matrices) - 1
        # Built once: each hidden layer's outputs with the bias after them (refilled every
        # step), and the views W[:, :n].T of the weights back into each hidden layer (the
        # matrices are updated in place, so the views stay current).
        self.buffers = [np.full(len(layer.node_ids) + has_bias, bias)
                        for layer in layers[1:-1]]
        self.backs = [matrix[:, :len(buffer) - has_bias].T
                      for matrix, buffer in zip(self.matrices[1:], self.buffers, strict=True)]

    def step(self, x: np.ndarray, t: np.ndarray):
        """Forward pass, error, deltas and changes of one pattern (the weights unchanged)."""
        last = self.last
        sources, nets, outs, slopes = [x], [], [], []
        for layer, (matrix, act) in enumerate(zip(self.matrices, self.acts, strict=True)):
            net = matrix @ sources[-1]
            out, slope = _activate(act, net)
            nets.append(net)
            outs.append(out)
            slopes.append(slope)
            if layer < last:
                source = self.buffers[layer]
                source[:len(out)] = out
                sources.append(source)
        residual = t - outs[-1]
        error = float(residual @ residual) * self.loss_scale
        signed = residual if self.slides else -residual
        deltas = [None] * len(self.matrices)
        # factor * signed * slope, as the generic engine multiplies (1.0 * r is r)
        factor = self.factor
        deltas[last] = signed if factor == 1.0 else factor * signed
        if self.out_slope:  # not where a loss's closed form cancels f'
            deltas[last] = deltas[last] * slopes[last]
        for layer in range(last - 1, -1, -1):
            deltas[layer] = slopes[layer] * (self.backs[layer] @ deltas[layer + 1])
        changes = [np.multiply.outer(self.signed_rate * delta, source)
                   for delta, source in zip(deltas, sources, strict=True)]
        return sources, nets, outs, slopes, deltas, changes, error

    def gradients(self, deltas: list, sources: list) -> list[np.ndarray]:
        """dE/dw per layer: -delta_j z_i in the slides' sign, +delta_j z_i in the textbook's."""
        sign = -1.0 if self.slides else 1.0
        return [sign * np.multiply.outer(delta, source)
                for delta, source in zip(deltas, sources, strict=True)]

    def flat(self, matrices: list[np.ndarray]) -> list[float]:
        """All weights (or changes) as Python floats, in the problem's weight order."""
        return np.concatenate([m.ravel() for m in matrices])[self.to_keys].tolist()


def _floats(values) -> list[float]:
    """Fractions to the nearest doubles (int / int rounds correctly, faster than float())."""
    return list(map(truediv, map(_NUMERATOR, values), map(_DENOMINATOR, values)))


_NUMERATOR, _DENOMINATOR = attrgetter("numerator"), attrgetter("denominator")


class _Arrays:
    """numpy float64 arrays as the activation entries' arithmetic (one value per node of a
    layer). The logistic function in one form: where exp(-x) overflows, 1/(1 + inf) is the
    0 the two-form float gives."""

    number = staticmethod(float)
    exp = staticmethod(np.exp)
    tanh = staticmethod(np.tanh)
    where = staticmethod(np.where)

    @staticmethod
    def logistic(x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    @staticmethod
    def is_positive(x: np.ndarray) -> np.ndarray:
        return x > 0

    @staticmethod
    def at_least(x: np.ndarray, bound) -> np.ndarray:
        return x >= float(bound)


_ARRAYS = _Arrays()


def _activate(act: Activation, net: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(net) and f'(net) of a layer, by the activation's entry (a constant, such as
    linear's f' = 1, is spread over the layer)."""
    spec = activation_spec(act.name)
    out = spec.f(_ARRAYS, act, net)
    slope = spec.slope(_ARRAYS, act, net, out)
    return _per_node(out, net), _per_node(slope, net)


def _per_node(value, net: np.ndarray) -> np.ndarray:
    return value if np.ndim(value) else np.full_like(net, value)


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

"""Activations, their slopes, the losses and the output layer's dE/dnet."""

from __future__ import annotations

from fractions import Fraction as F

from .arithmetic import Arithmetic, ProblemError
from .problem import Problem


def activate(act: dict, nets: list, ar: Arithmetic) -> list:
    """A layer's outputs from its nets (softmax needs the whole layer)."""
    name = act["name"]
    if name == "softmax":
        top = max(nets)
        powers = [ar.exp(net - top) for net in nets]
        total = sum(powers)
        return [p / total for p in powers]
    if name == "sigmoid":
        return [ar.logistic(act["beta"] * net) for net in nets]
    if name == "tanh":
        return [ar.tanh(net) for net in nets]
    if name == "relu":
        return [net if net > 0 else 0 * net for net in nets]
    if name == "leaky_relu":
        return [net if net > 0 else act["leak"] * net for net in nets]
    if name == "step":
        return [ar.num(1 if net >= act["threshold"] else 0) for net in nets]
    assert name == "linear", name
    return list(nets)


def slope(act: dict, net, z, ar: Arithmetic):
    """f'(net) from the carried activation (softmax: the diagonal z (1 - z))."""
    name = act["name"]
    if name == "sigmoid":
        return act["beta"] * z * (1 - z)
    if name == "tanh":
        return 1 - z * z
    if name == "softmax":
        return z * (1 - z)
    if name == "relu":
        return ar.num(1 if net > 0 else 0)
    if name == "leaky_relu":
        return ar.num(1) if net > 0 else act["leak"]
    return ar.num(1)  # linear; step (the perceptron's derivative is taken as 1)


def _log(value, ar: Arithmetic, where: str):
    if value <= 0:
        raise ProblemError(f"{where}: log of {float(value)} <= 0")
    return ar.ln(value)


def loss_value(name: str, targets: list, outs: list, ar: Arithmetic, where: list[str]):
    """E for one pattern; a term whose coefficient is 0 takes no log."""
    pairs = list(zip(targets, outs, strict=True))
    if name in ("half_sse", "sse", "mse"):
        scale = {"half_sse": F(1, 2), "sse": F(1), "mse": F(1, len(pairs))}[name]
        return ar.num(scale) * sum((t - z) ** 2 for t, z in pairs)
    total = 0
    for (t, z), at in zip(pairs, where, strict=True):
        if t != 0:
            total -= t * _log(z, ar, at)
        if name == "binary_cross_entropy" and 1 - t != 0:
            total -= (1 - t) * _log(1 - z, ar, at)
    return total


def _divide(top, bottom, where: str):
    if bottom == 0:
        raise ProblemError(f"{where}: division by 0 in the delta")
    return top / bottom


def loss_slope(name: str, t, z, count: int, ar: Arithmetic, where: str):
    """dE/dz for one output node."""
    if name in ("half_sse", "sse", "mse"):
        factor = {"half_sse": F(1), "sse": F(2), "mse": F(2, count)}[name]
        return -ar.num(factor) * (t - z)
    value = 0 if t == 0 else -_divide(t, z, where)
    if name == "binary_cross_entropy" and 1 - t != 0:
        value += _divide(1 - t, 1 - z, where)
    return value


def output_gradients(p: Problem, targets, outs, slopes, where: list[str]) -> list:
    """dE/dnet for each output node, in the cancelled closed forms where they exist."""
    act, ar, pairs = p.acts[-1], p.ar, list(zip(targets, outs, strict=True))
    name, count = act["name"], len(pairs)
    if name == "step":
        return [-(t - z) for t, z in pairs]
    if name == "softmax" and p.loss == "cross_entropy":
        total = sum(targets)
        return [z * total - t for t, z in pairs]
    if name == "sigmoid" and p.loss == "binary_cross_entropy":
        return [act["beta"] * (z - t) for t, z in pairs]
    dz = [loss_slope(p.loss, t, z, count, ar, at) for (t, z), at in zip(pairs, where,
                                                                         strict=True)]
    if name == "softmax":
        return [sum(dz[j] * outs[j] * ((j == k) - outs[k]) for j in range(count))
                for k in range(count)]
    return [d * s for d, s in zip(dz, slopes, strict=True)]



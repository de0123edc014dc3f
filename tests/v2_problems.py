"""Seeded random problems in the contract's version-2 vocabulary (section 4).

`random_spec(seed, ...)` returns a problem as YAML would load it. Fixed choices (output
activation, loss, convention, ...) may be forced; the rest are drawn so that every
combination stays solvable (no log of a value <= 0): cross-entropy losses only with
sigmoid or softmax outputs, targets in [0, 1] for those, step only without hidden layers.
"""

from __future__ import annotations

import random

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "step")
LOSSES = ("half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy")
SHAPES = ((2, 2, 1), (3, 3, 2), (2, 3, 2, 3), (3, 2), (2, 2, 3), (1, 3), (2, 1))
ROUNDINGS = (
    None, {"round": 4}, {"sigfigs": 3}, {"round": {"out": 3, "weight": 4}, "sigfigs": {"delta": 3}},
    {"round": {"net": 3, "slope": 3, "change": 5}}, {"sigfigs": {"error": 4, "out": 4, "slope": 2}},
    {"round": {"delta": 4}, "sigfigs": {"weight": 5, "net": 4}},
)


def valid(output: str, loss: str) -> bool:
    """Combinations whose logs are always defined and the output layer allowed."""
    if loss in ("cross_entropy", "binary_cross_entropy"):
        return output in ("sigmoid", "softmax")
    return True


def _shape(rng: random.Random, output: str, shapes=SHAPES) -> tuple[int, ...]:
    shapes = [s for s in shapes
              if (output != "softmax" or s[-1] >= 2) and (output != "step" or len(s) == 2)]
    return rng.choice(shapes)


def _value(rng: random.Random, low: int, high: int, scale: int = 100):
    """A decimal as YAML gives it: a float, a decimal string, or now and then a fraction."""
    number = rng.randint(low, high)
    kind = rng.random()
    if kind < 0.1:
        return f"{number}/{scale + 1}"
    if kind < 0.3:
        return str(number / scale)
    return number / scale


def _weights(rng: random.Random, shape, bias) -> object:
    per_layer = [[[_value(rng, -80, 80) for _ in range(shape[k] + (bias is not None))]
                  for _ in range(shape[k + 1])] for k in range(len(shape) - 1)]
    if rng.random() < 0.5:
        return per_layer
    # as a mapping with names w<i>_<j>, a default for some
    mapping, first = {}, 1
    ids = []
    for k, size in enumerate(shape):
        layer = list(range(first, first + size))
        first += size
        bias_id = first if bias is not None and k < len(shape) - 1 else None
        first += bias_id is not None
        ids.append(layer + ([bias_id] if bias_id else []))
    for k, matrix in enumerate(per_layer):
        for j, row in zip(ids[k + 1], matrix, strict=False):
            for i, value in zip(ids[k], row, strict=True):
                mapping[f"w{i}_{j}"] = value
    if rng.random() < 0.5:
        mapping = {name: v for name, v in mapping.items() if rng.random() < 0.7}
        mapping["default"] = _value(rng, -50, 50)
    return mapping


def _target(rng: random.Random, output: str, loss: str, size: int) -> list:
    if output == "step":
        return [rng.randint(0, 1) for _ in range(size)]
    if output == "softmax" and loss == "cross_entropy" and rng.random() < 0.7:
        hot = [0] * size
        hot[rng.randrange(size)] = 1
        return hot
    if output in ("sigmoid", "softmax", "relu") or loss != "half_sse":
        return [rng.choice([0, 1, rng.randint(1, 9) / 10]) for _ in range(size)]
    return [rng.randint(-9, 9) / 10 for _ in range(size)]


def _acts(rng: random.Random, shape, output: str):
    hidden = [rng.choice(HIDDEN) for _ in shape[1:-1]]
    return output if not hidden and rng.random() < 0.5 else [*hidden, output]


def random_spec(seed: int, output: str | None = None, loss: str | None = None,
                shapes=SHAPES, patterns: int = 4, **fixed) -> dict:
    """A solvable problem for `seed` (at most `patterns` patterns, a shape from `shapes`);
    other keyword arguments set keys outright."""
    rng = random.Random(seed)
    output = output or rng.choice(OUTPUTS)
    loss = loss or rng.choice([name for name in LOSSES if valid(output, name)])
    shape = _shape(rng, output, shapes)
    bias = rng.choice([1, -1, None])
    step = output == "step"
    given = [{"input": [rng.randint(0, 1) if step else _value(rng, -100, 100)
                           for _ in range(shape[0])],
                 "target": _target(rng, output, loss, shape[-1])}
                for _ in range(rng.randint(1, patterns))]
    spec = {"title": f"random v2 problem {seed}", "layers": list(shape),
            "activation": _acts(rng, shape, output), "bias": bias,
            "weights": _weights(rng, shape, bias), "patterns": given,
            "learning_rate": rng.choice([0.1, 0.25, 0.5, 1, "3/10"]), "loss": loss,
            "convention": rng.choice(["slides", "textbook"]), "epochs": rng.randint(1, 3)}
    if rng.random() < 0.4:
        spec["beta"] = rng.choice([0.5, 2])
    if rng.random() < 0.5:
        spec["leak"] = rng.choice([0.1, 0.2, "1/8"])
    if step:
        spec["threshold"] = rng.choice([0, 0.5, -0.25])
    spec = spec | _training(rng, step) | fixed
    if spec.get("update") != "batch":
        spec.pop("batch_size", None)  # batch_size belongs to update: batch only
    return {key: value for key, value in spec.items() if value is not None or key == "bias"}


def _training(rng: random.Random, step: bool) -> dict:
    """Momentum, batch groups, train_bias and until, each drawn on its own."""
    extra: dict = {}
    if rng.random() < 0.5:
        extra["momentum"] = rng.choice([0.5, 0.9, 0.25])
    if rng.random() < 0.5:
        extra["update"] = "batch"
        if rng.random() < 0.6:
            extra["batch_size"] = rng.randint(1, 3)
    if rng.random() < 0.4:
        extra["train_bias"] = False
    if rng.random() < 0.25:
        extra["until"] = "no_mistakes" if step else {"error": rng.choice([0.01, 0.5, 5])}
        extra["epochs"] = rng.randint(2, 6)
    return extra

"""The problem file read as the contract says: numbering, weight forms, defaults."""

from __future__ import annotations

from .arithmetic import Arithmetic, rounding_of


def numbering(layers: list[int], bias) -> list[tuple[list[int], int | None]]:
    """[(node ids of a layer, its bias node id or None)], numbered from 1."""
    result, next_id = [], 1
    for index, size in enumerate(layers):
        ids = list(range(next_id, next_id + size))
        next_id += size
        bias_id = None
        if bias is not None and index < len(layers) - 1:
            bias_id, next_id = next_id, next_id + 1
        result.append((ids, bias_id))
    return result


def feeding(numbered, layer: int) -> list[int]:
    """The nodes feeding `layer`: the previous layer's nodes, then its bias node."""
    ids, bias_id = numbered[layer - 1]
    return ids + ([bias_id] if bias_id is not None else [])


def weight_keys(numbered) -> list[tuple[int, int]]:
    """Every (from, to), in matrix order: row by row, the bias column last."""
    return [(i, j) for layer in range(1, len(numbered)) for j in numbered[layer][0]
            for i in feeding(numbered, layer)]


def _name_key(name: str) -> tuple[int, int]:
    body = name[1:]
    if "_" in body:
        i, j = body.split("_")
        return int(i), int(j)
    assert len(body) == 2, name
    return int(body[0]), int(body[1])


def initial_weights(given, numbered, keys, ar: Arithmetic) -> dict:
    """The three weight forms: one number, per-layer matrices, or a mapping of names."""
    if isinstance(given, list):
        flat = [v for matrix in given for row in matrix for v in row]
        assert len(flat) == len(keys)
        return {key: ar.num(v) for key, v in zip(keys, flat, strict=True)}
    if isinstance(given, dict):
        named = {_name_key(n): v for n, v in given.items() if n != "default"}
        return {key: ar.num(named.get(key, given.get("default"))) for key in keys}
    return dict.fromkeys(keys, ar.num(given))


def _bias_of(spec: dict):
    bias = spec.get("bias", 1)
    return None if bias is None or bias == "none" else bias


def _layer_acts(spec: dict, ar: Arithmetic) -> list[dict]:
    names = spec.get("activation", "sigmoid")
    count = len(spec["layers"]) - 1
    names = [names] * count if isinstance(names, str) else list(names)
    common = {"beta": ar.num(spec.get("beta", 1)), "leak": ar.num(spec.get("leak", 0.01)),
              "threshold": ar.num(spec.get("threshold", 0))}
    return [{"name": name, **common} for name in names]


def _patterns(spec: dict, ar: Arithmetic) -> list[tuple[list, list]]:
    given = spec.get("patterns") or [{"input": spec["pattern"], "target": spec["target"]}]
    return [([ar.num(x) for x in p["input"]], [ar.num(t) for t in p["target"]])
            for p in given]


class Problem:
    """The contract's keys with their defaults, in the arithmetic the run uses."""

    def __init__(self, spec: dict):
        self.ar = ar = Arithmetic(rounding_of(spec))
        self.title = spec.get("title")
        self.layers = list(spec["layers"])
        bias = _bias_of(spec)
        self.bias = None if bias is None else ar.num(bias)
        self.numbered = numbering(self.layers, bias)
        self.keys = weight_keys(self.numbered)
        self.bias_ids = {b for _, b in self.numbered if b is not None}
        self.weights = initial_weights(spec["weights"], self.numbered, self.keys, ar)
        self.acts = _layer_acts(spec, ar)
        self.patterns = _patterns(spec, ar)
        self.lr = ar.num(spec["learning_rate"])
        self.alpha = ar.num(spec.get("momentum", 0))
        self.loss = spec.get("loss", "half_sse")
        self.convention = spec.get("convention", "slides")
        self.sign = 1 if self.convention == "slides" else -1  # delta = -sign * dE/dnet
        self.update = spec.get("update", "sequential")
        self.batch_size = spec.get("batch_size")
        self.train_bias = spec.get("train_bias", True)
        self.until = spec.get("until")
        self.max_epochs = int(spec.get("epochs", 100 if self.until is not None else 1))

    def groups(self) -> list[list[int]]:
        """Pattern positions (from 1) in the groups after which the weights change."""
        positions = list(range(1, len(self.patterns) + 1))
        size = 1 if self.update == "sequential" else (self.batch_size or len(positions))
        return [positions[at:at + size] for at in range(0, len(positions), size)]

    def trained(self, key: tuple[int, int]) -> bool:
        return self.train_bias or key[0] not in self.bias_ids


"""The training keys of a problem file: rounding, and version 2's additions
(problem-format.md section 4): momentum, batch_size, train_bias, rounding and display per
quantity, and until. Each reader takes the YAML value (or None when the key is absent) and
returns the model's value, or raises one `ProblemError` naming the key and line.

Kept apart from `bpcalc.problem.loader` (the network, weights and patterns) because these
keys are about how training runs, not what is trained.
"""

from __future__ import annotations

from fractions import Fraction

from bpcalc.errors import ProblemError, quoted
from bpcalc.problem import activations
from bpcalc.problem.model import QUANTITIES, Activation, QuantityRounding, Rounding, Until
from bpcalc.problem.yamlsource import Value

MAX_ROUND_DIGITS = 40  # exp and tanh are evaluated to 60 digits (engine.arithmetic)
UNTIL_EPOCHS = 100  # the most epochs a run with `until` and no `epochs` takes
_KINDS = (("round", "places", 0), ("sigfigs", "sigfigs", 1))  # key, kind, fewest digits


def _absent(value: Value | None) -> bool:
    return value is None or value.is_null() or (value.is_scalar() and value.word() == "none")


def _digits(value: Value, minimum: int) -> int:
    digits = value.integer()
    if not minimum <= digits <= MAX_ROUND_DIGITS:
        raise value.error(f"must be none or a whole number from {minimum} to "
                          f"{MAX_ROUND_DIGITS}")
    return digits


def rounding(places: Value | None, sigfigs: Value | None
             ) -> Rounding | QuantityRounding | None:
    """`round`/`sigfigs`: a scalar (every quantity but slope), or mappings from quantities
    to digits (a quantity in at most one of them; a scalar never mixed with a mapping)."""
    given = [(value, kind, minimum) for value, (_key, kind, minimum)
             in zip((places, sigfigs), _KINDS, strict=True) if not _absent(value)]
    if not given:
        return None
    if all(value.is_scalar() for value, _kind, _minimum in given):
        if len(given) == 2:
            raise sigfigs.error("give round or sigfigs, not both (or a mapping of "
                                "quantities in each)")
        value, kind, minimum = given[0]
        return Rounding(kind, _digits(value, minimum))
    if any(value.is_scalar() for value, _kind, _minimum in given):
        scalar = next(value for value, _kind, _minimum in given if value.is_scalar())
        raise scalar.error("a single number here cannot be combined with a mapping in the "
                           "other of round and sigfigs: write both as mappings "
                           "(round: {out: 3}, sigfigs: {delta: 3})")
    return _by_quantity(given)


def _by_quantity(given: list[tuple[Value, str, int]]) -> QuantityRounding:
    """Mappings of quantity -> digits, one rounding per quantity."""
    chosen: dict[str, Rounding] = {}
    for value, kind, minimum in given:
        for name, (key, item) in value.mapping().items():
            if name not in QUANTITIES:
                raise key.error(f"unknown quantity {quoted(name)} (quantities: "
                                f"{', '.join(QUANTITIES)})")
            if name in chosen:
                raise key.error(f"{name} is named in both round and sigfigs: give it one "
                                "rounding")
            if not _absent(item):
                chosen[name] = Rounding(kind, _digits(item, minimum))
    return QuantityRounding(tuple((name, chosen[name]) for name in QUANTITIES
                                  if name in chosen))


def display(value: Value | None) -> QuantityRounding | None:
    """`display: {round: {...}, sigfigs: {...}}`: the digits shown per quantity."""
    if _absent(value):
        return None
    fields = value.mapping()
    for name, (key, _item) in fields.items():
        if name not in ("round", "sigfigs"):
            raise key.error("display takes round and sigfigs, each a mapping of quantities "
                            "to digits (display: {round: {out: 3}, sigfigs: {delta: 3}})")
    given = []
    for key, kind, minimum in _KINDS:
        item = fields.get(key, (None, None))[1]
        if not _absent(item):
            if item.is_scalar():
                raise item.error("expected a mapping of quantities to digits, e.g. "
                                 "{out: 3, weight: 4}")
            given.append((item, kind, minimum))
    return _by_quantity(given) if given else None


def momentum(value: Value | None) -> Fraction:
    """alpha, with 0 <= alpha < 1 (1 or more never settles)."""
    if _absent(value):
        return Fraction(0)
    alpha = value.number()
    if not 0 <= alpha < 1:
        raise value.error(f"must be at least 0 and less than 1, got "
                          f"{quoted(value.text().strip())}")
    return alpha


def batch_size(value: Value | None, update: str) -> int | None:
    """Patterns per update, with `update: batch` only."""
    if _absent(value):
        return None
    size = value.integer()
    if size < 1:
        raise value.error(f"must be 1 or more, got {size}")
    if update != "batch":
        raise value.error("batch_size needs update: batch (sequential updates change the "
                          "weights after every pattern)")
    return size


def train_bias(value: Value | None) -> bool:
    if value is None or value.is_null():
        return True
    if not value.is_bool():
        raise value.error(f"expected true or false, got {value.describe()}")
    return value.word() in ("true", "yes", "on")


def until(value: Value | None, layer_activations: tuple[Activation, ...]) -> Until | None:
    """`until: {error: X}` or `until: no_mistakes` (step outputs only)."""
    if _absent(value):
        return None
    if value.is_scalar():
        if value.word() != "no_mistakes":
            raise value.error(f"expected no_mistakes or {{error: X}}, got {value.describe()}")
        if not activations.activation_spec(layer_activations[-1].name).perceptron:
            raise value.error("until: no_mistakes needs activation step (the perceptron): "
                              "other outputs are never exactly their targets; use "
                              "until: {error: X}")
        return Until(no_mistakes=True)
    fields = value.mapping()
    for name, (key, _item) in fields.items():
        if name != "error":
            raise key.error("until takes error (until: {error: 0.01}) or is no_mistakes")
    if "error" not in fields:
        raise value.error("until needs error: until: {error: 0.01}")
    bound = fields["error"][1].number()
    if bound < 0:
        raise fields["error"][1].error("must not be negative")
    return Until(error=bound)


def check_layer_wide(layer_activations: tuple[Activation, ...], sizes: tuple[int, ...],
                     where: list) -> None:
    """Softmax (a layer-wide activation) only as the output layer, of at least 2 nodes."""
    last = len(layer_activations) - 1
    for index, (act, item) in enumerate(zip(layer_activations, where, strict=True)):
        spec = activations.activation_spec(act.name)
        if not spec.layer_wide:
            continue
        if index != last:
            raise _at(item, f"{act.name} works only as the output layer's activation (its "
                      "outputs sum to 1 over the layer): give the hidden layers another, "
                      "e.g. activation: [sigmoid, softmax]")
        if sizes[-1] < spec.min_outputs:
            raise _at(item, f"{act.name} needs at least {spec.min_outputs} output nodes, got "
                      f"{sizes[-1]} (with one node it is the constant 1)")


def _at(item: Value | None, message: str) -> ProblemError:
    return item.error(message) if item is not None else ProblemError(message,
                                                                     key="activation")


def rounding_data(rounding: Rounding | QuantityRounding | None) -> dict | None:
    """A rounding as JSON data in the file's own spelling: {"round": 4}, {"sigfigs": 3}, or
    {"round": {"weight": 4}, "sigfigs": {"delta": 3}} per quantity (None stays None)."""
    if rounding is None:
        return None
    key = {kind: name for name, kind, _minimum in _KINDS}
    if isinstance(rounding, Rounding):
        return {key[rounding.kind]: rounding.digits}
    data: dict = {}
    for quantity, each in rounding.by:
        data.setdefault(key[each.kind], {})[quantity] = each.digits
    return {name: data[name] for name, _kind, _minimum in _KINDS if name in data}


def rounding_from_data(data) -> Rounding | QuantityRounding | None:
    """The inverse of `rounding_data`; ValueError for data it never writes."""
    if data is None:
        return None
    kinds = {name: (kind, minimum) for name, kind, minimum in _KINDS}
    if not isinstance(data, dict) or not data or set(data) - set(kinds):
        raise ValueError("expected {round: N} or {sigfigs: N}, or mappings of quantities")

    def digits(number, minimum: int) -> int:
        if isinstance(number, bool) or not isinstance(number, int) or not (
                minimum <= number <= MAX_ROUND_DIGITS):
            raise ValueError(f"digits must be whole numbers from {minimum} to "
                             f"{MAX_ROUND_DIGITS}")
        return number

    if len(data) == 1 and not isinstance(next(iter(data.values())), dict):
        (name, number), = data.items()
        return Rounding(kinds[name][0], digits(number, kinds[name][1]))
    chosen: dict[str, Rounding] = {}
    for name, by in data.items():
        if not isinstance(by, dict) or set(by) - set(QUANTITIES) or set(by) & set(chosen):
            raise ValueError(f"expected a mapping of quantities ({', '.join(QUANTITIES)})")
        for quantity, number in by.items():
            chosen[quantity] = Rounding(kinds[name][0], digits(number, kinds[name][1]))
    return QuantityRounding(tuple((q, chosen[q]) for q in QUANTITIES if q in chosen))

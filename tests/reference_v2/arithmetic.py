"""Hand rounding (halves away from zero, from the true value) and the two arithmetics."""

from __future__ import annotations

import math
from decimal import Context, Decimal
from fractions import Fraction as F

QUANTITIES = ("net", "out", "slope", "delta", "error", "change", "weight")
PRECISION = 60


class ProblemError(ValueError):
    """What the contract calls a clear error of the run (a log of a value <= 0, a 1/0)."""


# --- hand rounding ------------------------------------------------------------------------

def round_places(value, places: int) -> F:
    """`value` to `places` decimals, exactly, halves away from zero."""
    value = F(value)
    scaled = abs(value) * F(10) ** places
    whole = math.floor(scaled + F(1, 2))
    return (1 if value >= 0 else -1) * F(whole) / F(10) ** places


def round_sigfigs(value, figures: int) -> F:
    """`value` to `figures` significant figures, halves away from zero."""
    value = F(value)
    if value == 0:
        return value
    size = abs(value)
    exponent = math.floor(math.log10(size))
    while F(10) ** exponent > size:
        exponent -= 1
    while F(10) ** (exponent + 1) <= size:
        exponent += 1
    return round_places(value, figures - 1 - exponent)


def rounding_of(spec: dict) -> dict[str, tuple[str, int]]:
    """{quantity: ("round" | "sigfigs", N)}; a scalar covers every quantity but slope."""
    digits: dict[str, tuple[str, int]] = {}
    for kind in ("round", "sigfigs"):
        given = spec.get(kind)
        if given is None or given == "none":
            continue
        if isinstance(given, dict):
            digits.update({name: (kind, int(n)) for name, n in given.items()})
        else:
            digits.update({name: (kind, int(given)) for name in QUANTITIES if name != "slope"})
    return digits


def _context() -> Context:
    return Context(prec=PRECISION)


def _decimal(value: F) -> Decimal:
    return _context().divide(Decimal(value.numerator), Decimal(value.denominator))


class Arithmetic:
    """Floats, or Fractions rounded per quantity (hand rounding)."""

    def __init__(self, digits: dict[str, tuple[str, int]]):
        self.digits = digits
        self.hand = bool(digits)

    def num(self, value):
        exact = F(str(value)) if isinstance(value, (int, float, str)) else F(value)
        return exact if self.hand else float(exact)

    def r(self, quantity: str, value):
        if not self.hand:
            return value
        kind, n = self.digits.get(quantity, ("sigfigs", PRECISION))
        return round_places(value, n) if kind == "round" else round_sigfigs(value, n)

    def exp(self, x):
        return F(_context().exp(_decimal(F(x)))) if self.hand else math.exp(x)

    def ln(self, x):
        return F(_context().ln(_decimal(F(x)))) if self.hand else math.log(x)

    def logistic(self, x):
        if self.hand:
            return 1 / (1 + self.exp(-x))
        if x >= 0:
            return 1 / (1 + math.exp(-x))
        e = math.exp(x)
        return e / (1 + e)

    def tanh(self, x):
        if not self.hand:
            return math.tanh(x)
        e = self.exp(-2 * abs(x))
        return (1 if x >= 0 else -1) * (1 - e) / (1 + e)


"""The expression tree of a worked line: symbols, numbers and the operations between them.

Plain data, so every renderer typesets the same tree its own way (`style.PlainStyle` and
its Markdown, LaTeX and HTML subclasses). A `Num` holds the trace's own value beside the
text this mode shows it with: nothing here recomputes a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sym:
    """A named quantity: `net4`, `z4`, `δ7`, `w47`, `Δw47`, `W^2_74`, `Δw47(p2)`."""

    base: str  # net, z, δ, w, C, E, t, ...
    index: str = ""  # node id(s): "4", "47", "4_17"
    sup: str = ""  # layer superscript (paper notation: W^2), else ""
    prefix: str = ""  # "Δ" for a change
    tag: str = ""  # which pattern a batch change belongs to: "p2"
    mark: str = ""  # exact mode: the step a value shown by name belongs to, "⁽²⁾"


@dataclass(frozen=True)
class Num:
    """A number as this mode shows it: `value` is the trace's own value (float, Fraction or
    SymPy), `text` its display. `ref` is set when an exact closed form was too long to
    write out and the line names the value instead (then `text` is that name)."""

    value: Any
    text: str
    ref: Sym | None = None

    @property
    def compound(self) -> bool:
        """True for a closed form with operators inside (needs parentheses in a product)."""
        body = self.text[1:] if self.text.startswith("-") else self.text
        return self.ref is None and any(c in body for c in " ()*^")


@dataclass(frozen=True)
class Sum:
    terms: tuple  # a + b + c


@dataclass(frozen=True)
class Diff:
    left: Any
    right: Any  # left - right


@dataclass(frozen=True)
class Prod:
    factors: tuple  # a * b * c


@dataclass(frozen=True)
class Quot:
    numerator: Any
    denominator: Any


@dataclass(frozen=True)
class Neg:
    arg: Any  # -arg


@dataclass(frozen=True)
class Pow:
    base: Any
    exponent: int


@dataclass(frozen=True)
class Exp:
    arg: Any  # e^arg


@dataclass(frozen=True)
class Func:
    name: str  # tanh, max, f'
    args: tuple


@dataclass(frozen=True)
class Threshold:
    arg: Any
    bound: Any  # 1 if arg >= bound else 0


@dataclass(frozen=True)
class Paren:
    arg: Any  # parentheses a hand calculation writes even where precedence needs none


Expr = Sym | Num | Sum | Diff | Prod | Quot | Neg | Pow | Exp | Func | Threshold | Paren


class Terms:
    """The tree's constructors, as an activation entry writes its f(net) and f' with them
    (`bpcalc.problem.activations.Terms`); `const` makes a number of the line's mode."""

    def __init__(self, const):
        self.const = const

    sum = staticmethod(lambda *terms: Sum(terms))
    diff = staticmethod(Diff)
    prod = staticmethod(lambda *factors: Prod(factors))
    quot = staticmethod(Quot)
    neg = staticmethod(Neg)
    power = staticmethod(Pow)
    exp = staticmethod(Exp)
    func = staticmethod(lambda name, *args: Func(name, args))
    threshold = staticmethod(Threshold)
    paren = staticmethod(Paren)

"""Exact arithmetic with SymPy: every value kept as a closed-form expression, or named.

Imported only for `--exact`, because importing SymPy costs more than a whole numeric solve.
Values come in as `Fraction`s (0.9 is 9/10); no user text is ever given to `sympify`.

Closed forms nest step after step (each new weight holds the whole history), so their size
and SymPy's work on them grow without bound. So a value whose expression has more than
`NAME_ABOVE` nodes is replaced by a `Named` symbol (z7⁽²⁾: z7 of step 2, w47⁽¹⁾: w47 after
step 1) that stands for its definition in terms of named earlier quantities; every step's
exact work is then bounded, and a run costs about linearly in its steps. Decimals come from
each named value's number, carried to 256 bits with mpmath. `exact_text` (the JSON's
`_exact` twins) writes the full closed form back out, up to `MAX_CLOSED_FORM` characters;
a longer one is refused with a clear error rather than written for minutes.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy
from sympy.printing.str import StrPrinter

from bpcalc.engine.arithmetic import Arithmetic, DivisionByZero, LogOfNonPositive, SettleKind
from bpcalc.errors import ProblemError
from bpcalc.problem.model import weight_name
from bpcalc.text import step_mark

NAME_ABOVE = 60  # expression nodes; the slides' first step (54 at most) stays closed
MAX_CLOSED_FORM = 200_000  # characters of one closed form written out (JSON _exact)
_BITS = 256  # precision of the named values' numbers (about 77 digits)
_MP = mpmath.MPContext()
_MP.prec = _BITS
_TINY = _MP.mpf(2) ** (40 - _BITS)  # below this a number's sign is not trusted


class Named(sympy.Dummy):
    """An exact value shown by name: `definition` is its expression (in this step's and
    earlier named values), `number` its value to 256 bits (SymPy's evalf uses it)."""

    __slots__ = ("definition", "number", "label", "step")

    def __new__(cls, label: str, step: int, definition, number, **assumptions):
        obj = super().__new__(cls, label, **assumptions)
        obj.label, obj.step, obj.definition, obj.number = label, step, definition, number
        return obj

    def _eval_evalf(self, prec):
        return sympy.Float(self.number, max(1, mpmath.libmp.prec_to_dps(prec)))

    def _sympystr(self, printer):
        expand = getattr(printer, "expand_named", None)
        return expand(self) if expand else self.label

    def _latex(self, printer):
        base = self.label.split("⁽")[0]
        for greek, tex in (("Σ", r"\Sigma "), ("Δ", r"\Delta "), ("δ", r"\delta ")):
            base = base.replace(greek, tex)
        return rf"\mathrm{{{base}}}^{{({self.step})}}"


class _ClosedPrinter(StrPrinter):
    """SymPy's str form with every named value written out as its closed form."""

    def __init__(self):
        super().__init__()
        self._texts: dict[Named, str] = {}

    def expand_named(self, named: Named) -> str:
        text = self._texts.get(named)
        if text is None:
            text = self._texts[named] = "(" + self.doprint(named.definition) + ")"
        return text


class ExactArithmetic(Arithmetic):
    name = "exact"
    settles = True

    def __init__(self):
        self._sizes: dict = {}
        self._closed_lengths: dict[Named, int] = {}
        self._printer = _ClosedPrinter()

    def number(self, value: Fraction):
        return sympy.Rational(value.numerator, value.denominator)

    def exp(self, x):
        return sympy.exp(x)

    def tanh(self, x):
        return sympy.tanh(x)

    def logistic(self, x):
        return 1 / (1 + sympy.exp(-x))

    def log(self, x):
        if not self.is_positive(x):
            raise LogOfNonPositive(x)
        return sympy.log(x)

    def divide(self, numerator, denominator):
        if denominator.is_Rational and denominator == 0:
            raise DivisionByZero(denominator)
        return numerator / denominator

    def shift(self, nets: list):
        """No shift: the closed form is the lecture's e^(net_k) / Σ_j e^(net_j)."""
        return sympy.Integer(0)

    def settle(self, value, kind: SettleKind, step: int, node: int,
               source: int | None = None):
        """Keep a short expression; name a long one (bounded work for the next steps)."""
        if value.is_Rational or isinstance(value, Named) or self._size(value) <= NAME_ABOVE:
            return value
        number = _number(value)
        if number > _TINY:
            assumptions = {"positive": True}
        elif number < -_TINY:
            assumptions = {"negative": True}
        else:
            assumptions = {"real": True}
        return Named(_label(kind, step, node, source), step, value, number, **assumptions)

    def _size(self, expr) -> int:
        """Nodes of the expression tree (memoised). A named value counts as too many, so
        whatever is built from one is named too: its definition then holds only this step's
        names, the previous weights' names and short closed forms."""
        if expr.is_Atom:
            return NAME_ABOVE + 1 if isinstance(expr, Named) else 1
        size = self._sizes.get(expr)
        if size is None:
            size = self._sizes[expr] = 1 + sum(self._size(arg) for arg in expr.args)
        return size

    def is_positive(self, value) -> bool:
        if value.is_Rational:
            return bool(value > 0)
        number = _number(value)
        if abs(number) > _TINY:
            return bool(number > 0)
        decided = value.is_positive  # too close to 0 for the numbers: ask SymPy
        return bool(decided) if decided is not None else False

    def at_least(self, value, bound: Fraction) -> bool:
        difference = value - self.number(bound)
        if difference.is_Rational:
            return bool(difference >= 0)
        number = _number(difference)
        if abs(number) > _TINY:
            return bool(number > 0)
        decided = difference.is_nonnegative
        return bool(decided) if decided is not None else True

    def to_float(self, value) -> float:
        if value.is_Rational:
            return int(value.p) / int(value.q)
        return float(_number(value))

    def exact_text(self, value) -> str:
        """The full closed form, which `sympy.parse_expr` reads back to the same value."""
        if not value.atoms(Named):
            return sympy.sstr(value)
        length = self._closed_length(value)
        if length > MAX_CLOSED_FORM:
            raise ProblemError(
                f"an exact closed form in this run would have about {length:,} characters "
                f"(more than {MAX_CLOSED_FORM:,}): closed forms nest step after step, and "
                "JSON's _exact strings must be closed forms. Solve fewer steps, or use --exact "
                "without --format json (it names earlier values instead)", key="--exact")
        return self._printer.doprint(value)

    def _closed_length(self, expr) -> int:
        """Characters of the closed form, counted without writing it out."""
        length = len(sympy.sstr(expr))
        for atom in sympy.preorder_traversal(expr):
            if isinstance(atom, Named):
                known = self._closed_lengths.get(atom)
                if known is None:
                    known = self._closed_lengths[atom] = self._closed_length(atom.definition)
                length += known + 2 - len(atom.label)
        return length

    def pretty(self, value) -> str:
        """Human form for the terminal: e^(...) instead of exp(...); a named value shows
        its definition, with earlier named values by name (z7⁽²⁾ is z7 of step 2)."""
        if isinstance(value, Named):
            value = value.definition
        return sympy.sstr(value).replace("**", "^")

    def is_named(self, value) -> bool:
        """Whether a value is shown by name (z7⁽²⁾) rather than as a closed form."""
        return isinstance(value, Named)

    def definition(self, value):
        """The expression a named value stands for (the value itself if not named)."""
        return value.definition if isinstance(value, Named) else value


def _label(kind: str, step: int, node: int, source: int | None) -> str:
    mark = step_mark(step)
    if kind in ("change", "sum", "new"):
        name = weight_name((source, node))
        prefix = {"change": "Δ", "sum": "ΣΔ", "new": ""}[kind]
        return f"{prefix}{name}{mark}"
    symbol = {"net": "net", "out": "z", "slope": "f'", "delta": "δ",
              "error": "E"}.get(kind, kind)
    return f"{symbol}{node if kind != 'error' else ''}{mark}"


def _number(expr):
    """The value of an expression to 256 bits (named values by their carried numbers)."""
    if isinstance(expr, Named):
        return expr.number
    if expr.is_Rational:
        return _MP.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Add:
        return _MP.fsum(_number(arg) for arg in expr.args)
    if expr.is_Mul:
        result = _MP.mpf(1)
        for arg in expr.args:
            result *= _number(arg)
        return result
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer:
            return _number(base) ** int(exponent)
        return _MP.power(_number(base), _number(exponent))
    if isinstance(expr, sympy.exp):
        return _MP.exp(_number(expr.args[0]))
    if isinstance(expr, sympy.tanh):
        return _MP.tanh(_number(expr.args[0]))
    if isinstance(expr, sympy.log):
        return _MP.log(_number(expr.args[0]))
    if expr is sympy.E:
        return _MP.e
    return _MP.mpf(sympy.Float(expr.evalf(mpmath.libmp.prec_to_dps(_BITS)), 80))

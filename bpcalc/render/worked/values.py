"""The numbers and symbols of worked lines: each value of a trace as its mode shows it
(float, hand-rounded, exact), each given value as the problem file writes it, and each
symbol in the notation. The line builder (`bpcalc.render.worked.build`) and the version 2
additions (`bpcalc.render.worked.additions`) write their lines with these."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from bpcalc.engine.trace import Step, Trace
from bpcalc.render.names import Notation
from bpcalc.render.worked.expr import Num, Sym, Terms
from bpcalc.render.worked.style import PLAIN
from bpcalc.text import (
    WORKED_CLOSED_FORM,
    WORKED_RESULT_CLOSED_FORM,
    as_fraction,
    decimal_text,
    display_text,
    format_float,
    rounded_places,
    shown_rounding,
    step_mark,
    terminating_decimal,
)

# Longer than any hand-rounded value (40 digits at most): a term not rounded on its own,
# such as momentum's learning-rate part, whose sum is rounded once.
_LONGEST_ROUNDED = 44


class ValueWriter:
    """Writes a trace's values and the notation's symbols; every number from the trace."""

    def __init__(self, trace: Trace, notation: Notation, digits: int):
        self.trace = trace
        self.problem = trace.problem
        self.network = trace.problem.network
        self.arithmetic = trace.arithmetic
        self.n = notation
        self.digits = digits
        self.mode = trace.arithmetic.name  # float | rounded | exact
        self.slides_sign = trace.problem.convention == "slides"
        self.terms = Terms(self.const)
        self.step: Step | None = None  # the step being written (step_lines sets it)

    # -- numbers -------------------------------------------------------------------------

    def num(self, value, ref: Sym | None = None, quantity: str | None = None,
            key=None) -> Num:
        """A computed value of the trace (a `quantity` of the contract's: net, out, slope,
        delta, error, change, weight), as this mode shows it, to the digits `display` asks."""
        display = shown_rounding(self.problem, quantity)
        if display is not None and self.mode != "exact":
            number = Fraction(value) if self.mode == "rounded" else float(value)
            return Num(value, display_text(number, display))
        if self.mode == "exact":
            rational = as_fraction(value)
            if rational is not None:
                return Num(value, _fraction_form(rational))
            named = getattr(self.arithmetic, "is_named", None)  # long values of later steps
            if ref is not None and named and named(value):
                return Num(value, value.label)  # by the name its closed form uses: z4⁽²⁾
            text = getattr(self.arithmetic, "pretty", self.arithmetic.exact_text)(value)
            if ref is not None and len(text) > WORKED_CLOSED_FORM:
                ref = self.marked(ref, key) if key is not None else ref
                return Num(value, PLAIN.sym(ref), ref)
            return Num(value, text)
        if self.mode == "rounded":
            text = terminating_decimal(Fraction(value))
            if text is None or len(text) > _LONGEST_ROUNDED or (
                    quantity is not None and len(text) > 20
                    and self.problem.rounding.of(quantity) is None):
                text = format_float(float(value), 6)  # a value not (yet) rounded
            elif quantity is not None:  # with the zeros the tables write: 0.7820
                text = self._padded(Fraction(value), text, quantity)
            return Num(value, text)
        return Num(value, format_float(float(value), self.digits))

    def _padded(self, value: Fraction, text: str, quantity: str) -> str:
        """A rounded value with the trailing zeros of its rounding (as the tables show it)."""
        rounding = self.problem.rounding
        rounding = rounding.of(quantity) if rounding is not None else None
        if rounding is None:
            return text
        return decimal_text(value, 6, min_places=rounded_places(value, rounding))

    def given(self, value: Fraction) -> Num:
        """A value from the problem file (input, target, rate, constant), as written."""
        value = Fraction(value)
        if self.mode == "exact":
            return Num(self.arithmetic.number(value), _fraction_form(value))
        number = self.arithmetic.number(value)
        text = terminating_decimal(value)
        return Num(number, text if text is not None else f"{value.numerator}/{value.denominator}")

    def const(self, value: int | Fraction) -> Num:
        return self.given(Fraction(value))

    def result(self, value, ref: Sym, quantity: str | None = None) -> tuple[Num, str | None]:
        """The line's result, and its decimal when the result is an exact closed form (one
        longer than WORKED_RESULT_CLOSED_FORM is left out, text "": the line ends with its
        substitution and the decimal; the JSON has it whole)."""
        shown = self.num(value, quantity=quantity)
        if self.mode != "exact":
            return shown, None
        rational = as_fraction(value)
        if rational is not None and terminating_decimal(rational) is not None:
            return shown, None  # 5/4 is exact; its decimal adds nothing a reader needs
        display = shown_rounding(self.problem, quantity)
        number = rational if rational is not None else self.arithmetic.to_float(value)
        approx = (display_text(number, display) if display is not None else
                  format_float(self.arithmetic.to_float(value), 6, keep_zeros=True))
        if len(shown.text) > WORKED_RESULT_CLOSED_FORM:
            return Num(value, ""), approx
        return shown, approx

    # -- symbols -------------------------------------------------------------------------

    def net_sym(self, j: int) -> Sym:
        return Sym(self.n.net, str(j))

    def out_sym(self, node_id: int) -> Sym:
        kind = self.network.node_kind(node_id)
        layer = self.network.layer_of(node_id)
        return Sym(self.n.activation_symbol(kind, layer), str(node_id))

    def delta_sym(self, j: int) -> Sym:
        return Sym(self.n.delta, str(j))

    def weight_sym(self, key, prefix: str = "", tag: str = "") -> Sym:
        base, index, sup = self.n.weight_parts(self.network, key)
        return Sym(base, index, sup, prefix, tag)

    def out_value(self, step: Step, node_id: int) -> Num:
        record = step.node(node_id)
        if record.kind in ("input", "bias"):
            return self.given_value(record.out)
        return self.num(record.out, self.out_sym(node_id), "out")

    def given_value(self, value) -> Num:
        """An input or bias value carried in the trace's number type, shown as written."""
        rational = as_fraction(value)
        if rational is None and self.mode == "float":
            return self.num(value)
        if rational is None:
            rational = Fraction(str(value))
        shown = self.given(rational)
        return Num(value, shown.text)

    def weight_value(self, value, key) -> Num:
        return self.num(value, self.weight_sym(key), "weight", key)

    def marked(self, ref: Sym, key) -> Sym:
        """A weight's `ref` with the step whose update set it, as the named values carry
        it (w47⁽¹⁾: a bare w47 in step 2 reads as the initial weight). This step's own
        values keep their bare names (δ7 is the δ7 worked above)."""
        steps = self.trace.steps
        number = next((n for n, each in enumerate(steps, start=1) if each is self.step), 1)
        number = next((n for n in range(number - 1, 0, -1)
                       if any(u.key == key for u in steps[n - 1].updates)), 0)
        return replace(ref, mark=step_mark(number)) if number else ref


def _fraction_form(value: Fraction) -> str:
    """Exact mode: rationals as fractions (5/4), as SymPy writes them."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"

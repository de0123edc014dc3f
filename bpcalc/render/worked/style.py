"""Worked lines as data, and their plain-text typesetting.

A `WorkedLine` is `target = formula = substituted [= carried] = result` for one value of
one step, each side an expression tree (`expr`); `PlainStyle` writes it as plain text
(`1/(1 + e^-1.25)`, `δ7`) and is subclassed, hook by hook, for Markdown, LaTeX and HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpcalc.engine.trace import Step, Trace
from bpcalc.render.worked.expr import (
    Diff,
    Exp,
    Func,
    Neg,
    Num,
    Paren,
    Pow,
    Prod,
    Quot,
    Sum,
    Sym,
    Threshold,
)

SECTIONS = ("forward", "error", "backward", "update")


@dataclass(frozen=True)
class WorkedLine:
    """`target = formula = substituted [= carried] = result`, one value of one step.

    kind: net | activation | error | output_delta | hidden_delta | change | update
    (sequential update, or batch update summed over the epoch's patterns).
    `carried` is the substitution after its inner parts were rounded (hand rounding: the
    change is rounded before it is added), or None. `approx` is the decimal of a result
    whose text is an exact closed form (shown `≈`), else None.
    """

    kind: str
    section: str  # one of SECTIONS
    target: Sym
    formula: Any  # Expr in symbols
    substituted: Any  # Expr in numbers
    result: Num
    node: int | None = None
    key: tuple[int, int] | None = None
    carried: Any = None
    approx: str | None = None

    def text(self, style: PlainStyle | None = None, *, formula: bool = False) -> str:
        """One line of text; `formula` also writes the symbolic form first."""
        return (style or PLAIN).line(self, formula=formula)


@dataclass(frozen=True)
class StepWork:
    """The worked lines of one step, with what the step was (for headings)."""

    number: int  # 1-based step number in the trace
    step: Step
    lines: tuple[WorkedLine, ...]

    def section(self, name: str) -> list[WorkedLine]:
        return [line for line in self.lines if line.section == name]


class PlainStyle:
    """Plain-text typesetting (`1/(1 + e^-1.25)`, `δ7`). Subclass and override the hooks
    (`sym`, `num`, `times`, `quot`, `exp`, ...) for Markdown, LaTeX or HTML."""

    times = " * "
    plus = " + "
    minus = " - "
    equals = " = "
    approx = " ≈ "
    exact_exp = False  # exp(x) instead of e^x (set for exact lines, so closed forms match)

    def sym(self, s: Sym) -> str:
        text = f"{s.prefix}{s.base}"
        text += f"^{s.sup}_{s.index}" if s.sup else s.index
        return text + (f"({s.tag})" if s.tag else "") + s.mark

    def num(self, n: Num) -> str:
        return self.sym(n.ref) if n.ref is not None else n.text

    def paren(self, text: str) -> str:
        return f"({text})"

    def quot(self, numerator: str, denominator: str) -> str:
        return f"{numerator}/{denominator}"

    def power(self, base: str, exponent: int) -> str:
        return f"{base}^{exponent}"

    def exp(self, arg: str, simple: bool) -> str:
        if self.exact_exp:
            return f"exp({arg})"
        return f"e^{arg}" if simple else f"e^({arg})"

    def func(self, name: str, args: list[str]) -> str:
        return f"{name}({', '.join(args)})"

    def threshold(self, arg: str, bound: str) -> str:
        return f"(1 if {arg} >= {bound} else 0)"

    # -- the walk ------------------------------------------------------------------------

    def render(self, e) -> str:
        if isinstance(e, Sym):
            return self.sym(e)
        if isinstance(e, Num):
            return self.num(e)
        if isinstance(e, Paren):
            return self.paren(self.render(e.arg))
        if isinstance(e, Sum):
            parts = [self.render(e.terms[0])]
            parts += [self._operand(t, after_op=True) for t in e.terms[1:]]
            return self.plus.join(parts)
        if isinstance(e, Diff):
            right = e.right
            text = self.render(right)
            if isinstance(right, Sum | Diff) or _negative(right):
                text = self.paren(text)
            return self.render(e.left) + self.minus + text
        if isinstance(e, Prod):  # a negative factor in parentheses: 1 * (-0.0115) * 0.9
            return self.times.join(self.paren(self.render(f)) if index and _negative(f)
                                   else self._factor(f) for index, f in enumerate(e.factors))
        if isinstance(e, Quot):
            return self.quot(self._factor(e.numerator), self._atom(e.denominator))
        if isinstance(e, Neg):
            if isinstance(e.arg, Num) and _negative(e.arg):  # -(-0.85) is 0.85
                return self.num(Num(-e.arg.value, e.arg.text[1:]))
            text = self._factor(e.arg)
            return "-" + (self.paren(text) if _negative(e.arg) else text)  # -(-1.25)
        if isinstance(e, Pow):
            return self.power(self._atom(e.base), e.exponent)
        if isinstance(e, Exp):
            simple = _simple(e.arg)
            return self.exp(self.render(e.arg), simple)
        if isinstance(e, Func):
            return self.func(e.name, [self.render(a) for a in e.args])
        if isinstance(e, Threshold):
            return self.threshold(self.render(e.arg), self.render(e.bound))
        raise TypeError(f"not an expression: {e!r}")

    def _operand(self, e, after_op: bool) -> str:
        """A term after + : negative numbers in parentheses, `+ (-0.3) * 0.5`."""
        if after_op and isinstance(e, Prod) and _negative(e.factors[0]):
            rest = [self._factor(f) for f in e.factors[1:]]
            return self.times.join([self.paren(self.render(e.factors[0])), *rest])
        text = self.render(e)
        return self.paren(text) if after_op and _negative(e) else text

    def _factor(self, e) -> str:
        """A factor of a product: sums and closed forms in parentheses."""
        text = self.render(e)
        if isinstance(e, Sum | Diff) or (isinstance(e, Num) and e.compound):
            return self.paren(text)
        return text

    def _atom(self, e) -> str:
        """A denominator or power base: anything but a plain number or name in parentheses."""
        text = self.render(e)
        plain = isinstance(e, Sym | Paren) or (isinstance(e, Num) and not e.compound
                                               and "/" not in e.text and
                                               not e.text.startswith("-"))
        return text if plain else self.paren(text)

    def line(self, line: WorkedLine, *, formula: bool = False) -> str:
        """`target = [formula =] substituted [= carried] = result [≈ decimal]`."""
        parts = [self.sym(line.target)]
        if formula:
            parts.append(self.render(line.formula))
        substituted = self.render(line.substituted)
        if substituted != parts[-1]:  # exact values all named: the formula says it already
            parts.append(substituted)
        if line.carried is not None:
            parts.append(self.render(line.carried))
        result = self.num(line.result) if line.result.text else parts[-1]  # "": too long
        if result != parts[-1]:
            parts.append(result)
        text = self.equals.join(parts)
        if line.approx is not None:
            text += self.approx + line.approx
        return text


def _negative(e) -> bool:
    return isinstance(e, Neg) or (isinstance(e, Num) and e.ref is None
                                  and e.text.startswith("-"))


def _simple(e) -> bool:
    """An exponent short enough to write without parentheses: e^-1.25."""
    if isinstance(e, Neg):
        if _negative(e.arg) and not isinstance(e.arg, Num):
            return False
        e = e.arg  # -(-0.25) is written 0.25
    return isinstance(e, Sym) or (isinstance(e, Num) and not e.compound and "/" not in e.text)


PLAIN = PlainStyle()


class _ExactPlain(PlainStyle):
    exact_exp = True


PLAIN_EXACT = _ExactPlain()


def plain_style(trace: Trace) -> PlainStyle:
    """The plain style for a trace: exact traces write exp(...), as their closed forms do."""
    return PLAIN_EXACT if trace.arithmetic.name == "exact" else PLAIN


def lines_text(lines: list[WorkedLine], style: PlainStyle | None = None, *,
               formula: bool = False) -> str:
    """Plain text, one line each."""
    return "\n".join(line.text(style, formula=formula) for line in lines)

"""Worked lines: each computed value with its formula and the numbers put into it.

A hand solution is checked line by line (`net4 = .9 * .5 + .6 * .5 + 1 * .5 = 1.25`), so
this module turns one step of a trace into such lines, as data: a small expression tree
per line (formula with symbols, the same formula with the trace's numbers, the result),
which any renderer typesets its own way (plain text here; Markdown, LaTeX, HTML subclass
`PlainStyle`). Pure: no rich, no SymPy import; every number is a value of the trace, never
recomputed (`Num.value` holds it, `Num.text` is how this mode shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from bpcalc.engine.trace import Step, Trace
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Activation
from bpcalc.render.names import Notation, notation_for
from bpcalc.text import (
    WORKED_CLOSED_FORM,
    WORKED_RESULT_CLOSED_FORM,
    as_fraction,
    format_float,
    terminating_decimal,
)

# -- expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sym:
    """A named quantity: `net4`, `z4`, `δ7`, `w47`, `Δw47`, `W^2_74`, `Δw47(p2)`."""

    base: str  # net, z, δ, w, C, E, t, ...
    index: str = ""  # node id(s): "4", "47", "4_17"
    sup: str = ""  # layer superscript (paper notation: W^2), else ""
    prefix: str = ""  # "Δ" for a change
    tag: str = ""  # which pattern a batch change belongs to: "p2"


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


# -- lines -------------------------------------------------------------------------------

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


# -- plain text style --------------------------------------------------------------------


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
        return text + (f"({s.tag})" if s.tag else "")

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
        if isinstance(e, Prod):
            return self.times.join(self._factor(f) for f in e.factors)
        if isinstance(e, Quot):
            return self.quot(self._factor(e.numerator), self._atom(e.denominator))
        if isinstance(e, Neg):
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
        result = self.num(line.result)
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
        if _negative(e.arg):
            return False
        e = e.arg
    return isinstance(e, Sym) or (isinstance(e, Num) and not e.compound and "/" not in e.text)


PLAIN = PlainStyle()


class _ExactPlain(PlainStyle):
    exact_exp = True


PLAIN_EXACT = _ExactPlain()


def plain_style(trace: Trace) -> PlainStyle:
    """The plain style for a trace: exact traces write exp(...), as their closed forms do."""
    return PLAIN_EXACT if trace.arithmetic.name == "exact" else PLAIN


# -- building the lines ------------------------------------------------------------------

DIGITS = 4  # significant digits of float values in worked lines (the slides': .7773)


class _Builder:
    """Reads one step of a trace and writes its lines; every number comes from the trace."""

    def __init__(self, trace: Trace, notation: Notation, digits: int):
        self.trace = trace
        self.problem = trace.problem
        self.network = trace.problem.network
        self.arithmetic = trace.arithmetic
        self.n = notation
        self.digits = digits
        self.mode = trace.arithmetic.name  # float | rounded | exact
        self.slides_sign = trace.problem.convention == "slides"
        self.terms = _Terms(self.const)

    # -- numbers -------------------------------------------------------------------------

    def num(self, value, ref: Sym | None = None) -> Num:
        """A computed value of the trace, as this mode shows it."""
        if self.mode == "exact":
            rational = as_fraction(value)
            if rational is not None:
                return Num(value, _fraction_form(rational))
            text = getattr(self.arithmetic, "pretty", self.arithmetic.exact_text)(value)
            named = getattr(self.arithmetic, "is_named", None)  # long values of later steps
            if ref is not None and (len(text) > WORKED_CLOSED_FORM or (named and named(value))):
                return Num(value, _plain_sym(ref), ref)
            return Num(value, text)
        if self.mode == "rounded":
            text = terminating_decimal(Fraction(value))
            return Num(value, text if text is not None else format_float(float(value), 6))
        return Num(value, format_float(float(value), self.digits))

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

    def result(self, value, ref: Sym) -> tuple[Num, str | None]:
        """The line's result, and its decimal when the result is an exact closed form (one
        longer than WORKED_RESULT_CLOSED_FORM is elided to `…`: the JSON has it whole)."""
        shown = self.num(value)
        if self.mode != "exact":
            return shown, None
        rational = as_fraction(value)
        if rational is not None and terminating_decimal(rational) is not None:
            return shown, None  # 5/4 is exact; its decimal adds nothing a reader needs
        approx = format_float(self.arithmetic.to_float(value), 6, keep_zeros=True)
        if len(shown.text) > WORKED_RESULT_CLOSED_FORM:
            return Num(value, "…"), approx
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
        base, index, sup = _weight_parts(self.n, self.network, key)
        return Sym(base, index, sup, prefix, tag)

    def out_value(self, step: Step, node_id: int) -> Num:
        record = step.node(node_id)
        if record.kind in ("input", "bias"):
            return self.given_value(record.out)
        return self.num(record.out, self.out_sym(node_id))

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
        return self.num(value, self.weight_sym(key))

    # -- forward -------------------------------------------------------------------------

    def forward(self, step: Step) -> list[WorkedLine]:
        lines = []
        for previous, layer in zip(self.network.layers, self.network.layers[1:], strict=False):
            act = self.problem.activation_of_layer(layer.index)
            feeding = previous.feeding_ids()
            for j in layer.node_ids:
                lines.append(self.net_line(step, j, feeding))
                lines.append(self.activation_line(step, j, act))
        return lines

    def net_line(self, step: Step, j: int, feeding) -> WorkedLine:
        formula, numbers = [], []
        for i in feeding:
            pair_s = (self.out_sym(i), self.weight_sym((i, j)))
            pair_v = (self.out_value(step, i), self.weight_value(step.weights[(i, j)], (i, j)))
            if self.n.weight_first_forward:
                pair_s, pair_v = pair_s[::-1], pair_v[::-1]
            formula.append(Prod(pair_s))
            numbers.append(Prod(pair_v))
        record = step.node(j)
        target = self.net_sym(j)
        result, approx = self.result(record.net, target)
        return WorkedLine("net", "forward", target, _sum(formula), _sum(numbers), result,
                          node=j, approx=approx)

    def activation_line(self, step: Step, j: int, act: Activation) -> WorkedLine:
        record = step.node(j)
        net_value = self.num(record.net, self.net_sym(j))
        expression = activation_spec(act.name).expression
        formula = expression(act, self.net_sym(j), self.terms)
        numbers = expression(act, net_value, self.terms)
        target = self.out_sym(j)
        result, approx = self.result(record.out, target)
        return WorkedLine("activation", "forward", target, formula, numbers, result, node=j,
                          approx=approx)

    # -- error ---------------------------------------------------------------------------

    def residual(self, step: Step, k: int, target, symbolic: bool):
        """(t - z) in the slides, (y - t) in the textbook: the convention's error term."""
        position = self.network.output_layer.node_ids.index(k)
        if symbolic:
            t, z = Sym(self.n.target, str(k)), self.out_sym(k)
        else:
            t, z = self.given(target[position]), self.num(step.node(k).out, self.out_sym(k))
        return Diff(t, z) if self.slides_sign else Diff(z, t)

    def error_line(self, step: Step) -> WorkedLine:
        outputs = self.network.output_layer.node_ids
        scale = self.problem.loss_scale

        def build(symbolic: bool):
            squares = [Pow(Paren(self.residual(step, k, step.target, symbolic)), 2)
                       for k in outputs]
            body = squares[0] if len(squares) == 1 else Paren(Sum(tuple(squares)))
            return body if scale == 1 else Prod((self.const(scale), body))

        target = Sym(self.n.error)
        result, approx = self.result(step.error, target)
        return WorkedLine("error", "error", target, build(True), build(False), result,
                          approx=approx)

    # -- backward ------------------------------------------------------------------------

    def backward(self, step: Step) -> list[WorkedLine]:
        lines = []
        out_act = self.problem.activation_of_layer(self.network.output_layer.index)
        for k in self.network.output_layer.node_ids:
            lines.append(self.output_delta_line(step, k, out_act))
        for index in range(len(self.network.layers) - 2, 0, -1):
            layer, above = self.network.layers[index], self.network.layers[index + 1]
            act = self.problem.activation_of_layer(index)
            for j in layer.node_ids:
                lines.append(self.hidden_delta_line(step, j, above.node_ids, act))
        return lines

    def slope(self, step: Step, j: int, act: Activation, symbolic: bool) -> list:
        """The factors of f'(net_j) as the lecture writes them: z(1 - z), (1 - z^2), ..."""
        record = step.node(j)
        if symbolic:
            z, slope = self.out_sym(j), Func("f'", (self.net_sym(j),))
        else:
            z, slope = self.num(record.out, self.out_sym(j)), self.num(record.slope)
        return activation_spec(act.name).slope_factors(act, z, slope, self.terms)

    def output_delta_line(self, step: Step, k: int, act: Activation) -> WorkedLine:
        factor, with_slope = self.problem.output_delta

        def build(symbolic: bool):
            factors = [] if factor == 1 else [self.const(factor)]
            factors.append(Paren(self.residual(step, k, step.target, symbolic)))
            if with_slope:
                factors += self.slope(step, k, act, symbolic)
            return factors[0] if len(factors) == 1 else Prod(tuple(factors))

        target = self.delta_sym(k)
        result, approx = self.result(step.node(k).delta, target)
        return WorkedLine("output_delta", "backward", target, build(True), build(False), result,
                          node=k, approx=approx)

    def hidden_delta_line(self, step: Step, j: int, above, act: Activation) -> WorkedLine:
        def build(symbolic: bool):
            terms = []
            for k in above:
                if symbolic:
                    pair = (self.delta_sym(k), self.weight_sym((j, k)))
                else:
                    pair = (self.num(step.node(k).delta, self.delta_sym(k)),
                            self.weight_value(step.weights[(j, k)], (j, k)))
                terms.append(Prod(pair[::-1] if self.n.weight_first_backward else pair))
            back = Paren(_sum(terms))
            slope = self.slope(step, j, act, symbolic)
            factors = [*slope, back] if self.n.slope_first else [back, *slope]
            return factors[0] if len(factors) == 1 else Prod(tuple(factors))

        target = self.delta_sym(j)
        result, approx = self.result(step.node(j).delta, target)
        return WorkedLine("hidden_delta", "backward", target, build(True), build(False), result,
                          node=j, approx=approx)

    # -- updates -------------------------------------------------------------------------

    def product(self, step: Step, key, symbolic: bool):
        """C δ_j z_i (or η δ_j a_i) for one weight, from this step's values."""
        i, j = key
        if symbolic:
            return Prod((Sym(self.n.rate), self.delta_sym(j), self.out_sym(i)))
        return Prod((self.given(self.problem.learning_rate),
                     self.num(step.node(j).delta, self.delta_sym(j)), self.out_value(step, i)))

    def move(self, old, amount):
        """old + (amount) in the slides, old - (amount) in the textbook."""
        return Sum((old, Paren(amount))) if self.slides_sign else Diff(old, Paren(amount))

    def updates(self, step: Step) -> list[WorkedLine]:
        if self.problem.update == "batch":
            lines = [self.change_line(step, key) for key in step.changes]
            if step.updates:
                lines += [self.summed_line(step, u) for u in step.updates]
            return lines
        return [self.update_line(step, u) for u in step.updates]

    def update_line(self, step: Step, update) -> WorkedLine:
        key = update.key
        target = self.weight_sym(key)
        formula = self.move(target, self.product(step, key, True))
        old = self.weight_value(update.old, key)
        numbers = self.move(old, self.product(step, key, False))
        carried = None
        if self.arithmetic.rounds:  # the change was rounded before it was added
            if self.slides_sign:
                carried = Sum((old, Paren(self.num(update.change))))
            else:  # w - (η δ a): the same rounded amount, written as it is subtracted
                carried = Diff(old, self.num(-update.change))
        result, approx = self.result(update.new, target)
        return WorkedLine("update", "update", target, formula, numbers, result, key=key,
                          carried=carried, approx=approx)

    def change_line(self, step: Step, key) -> WorkedLine:
        """Batch mode: this pattern's own change, summed and applied after the epoch."""
        target = self.weight_sym(key, prefix="Δ", tag=f"p{step.pattern}")

        def build(symbolic: bool):
            product = self.product(step, key, symbolic)
            return product if self.slides_sign else Neg(Paren(product))

        result, approx = self.result(step.changes[key], target)
        return WorkedLine("change", "update", target, build(True), build(False), result,
                          key=key, approx=approx)

    def summed_line(self, step: Step, update) -> WorkedLine:
        key = update.key
        epoch_steps = self.trace.epoch_steps(step.epoch)
        target = self.weight_sym(key)
        formula = Sum((target, Paren(_sum([self.weight_sym(key, "Δ", f"p{s.pattern}")
                                           for s in epoch_steps]))))
        old = self.weight_value(update.old, key)
        changes = [self.num(s.changes[key]) for s in epoch_steps]
        numbers = Sum((old, Paren(_sum(changes))))
        carried = None
        if self.arithmetic.rounds and len(changes) > 1:
            carried = Sum((old, Paren(self.num(update.change))))
        result, approx = self.result(update.new, target)
        return WorkedLine("update", "update", target, formula, numbers, result, key=key,
                          carried=carried, approx=approx)


def _sum(terms: list):
    return terms[0] if len(terms) == 1 else Sum(tuple(terms))


class _Terms:
    """The expression tree's constructors, as the activation entries write with them."""

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


def _fraction_form(value: Fraction) -> str:
    """Exact mode: rationals as fractions (5/4), as SymPy writes them."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _plain_sym(s: Sym) -> str:
    return PLAIN.sym(s)


def _weight_parts(notation: Notation, network, key) -> tuple[str, str, str]:
    """(letter, index, superscript) of a weight in this notation."""
    return notation.weight_parts(network, key)


# -- public entry points -----------------------------------------------------------------


def notation_of(trace: Trace) -> Notation:
    """The notation a trace is shown in: the problem's own, else its convention's."""
    problem = trace.problem
    return notation_for(problem.convention, getattr(problem, "notation", None))


def step_lines(trace: Trace, step: Step, *, notation: Notation | None = None,
               digits: int = DIGITS) -> list[WorkedLine]:
    """Every worked line of one step, in the order a hand solution writes them:
    forward pass (net, activation per node), error, deltas (output first), weight updates
    (batch: this pattern's changes, and on the epoch's last step the summed update)."""
    builder = _Builder(trace, notation or notation_of(trace), digits)
    return (builder.forward(step) + [builder.error_line(step)] + builder.backward(step)
            + builder.updates(step))


def worked_steps(trace: Trace, *, steps: set[int] | None = None,
                 notation: Notation | None = None, digits: int = DIGITS) -> list[StepWork]:
    """The worked lines of every step (or of the chosen 1-based step numbers)."""
    chosen = notation or notation_of(trace)
    return [StepWork(number, step, tuple(step_lines(trace, step, notation=chosen,
                                                    digits=digits)))
            for number, step in enumerate(trace.steps, start=1)
            if steps is None or number in steps]


def lines_text(lines: list[WorkedLine], style: PlainStyle | None = None, *,
               formula: bool = False) -> str:
    """Plain text, one line each."""
    return "\n".join(line.text(style, formula=formula) for line in lines)

"""`bpcalc check --hint`: the first wrong value's formula, in the problem's notation as the
worked solution writes it, and each value the formula needs as the student has it.

Only the formula's symbols are read from the worked line (bpcalc.render.worked), never its
numbers: every number printed is the problem's data or the student's own answer
(bpcalc.grading.hints), so a hint gives nothing away.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from fractions import Fraction

from bpcalc.grading.answers import Answer, Quantity
from bpcalc.grading.hints import MISSING, Givens, Known, first_wrong
from bpcalc.grading.verdicts import CheckResult
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Problem
from bpcalc.render.names import Notation
from bpcalc.render.worked import PLAIN, Func, Neg, Num, Paren, Prod, Sum, Sym, Terms
from bpcalc.text import fraction_text, rounding_text


def hint_text(problem: Problem, result: CheckResult, marks=None) -> str:
    """`check --hint`'s report: the score line and the hint, no expected value."""
    from bpcalc.render.terminal.check_report import score_line

    return "\n".join([score_line(result, marks), *hint_lines(problem, result)]) + "\n"


def hint_lines(problem: Problem, result: CheckResult) -> list[str]:
    """The hint: which value to work again, its formula, and what it needs."""
    verdict = first_wrong(problem, result)
    if verdict is None:
        few = [v.answer.label for v in result.verdicts if v.too_few_digits is not None]
        if few and result.precision is not None:
            return [f"Hint: every value is right; write {', '.join(few)} to "
                    f"{rounding_text(result.precision)}, as asked."]
        return ["Hint: every answer is right."]
    answer = verdict.answer
    formula, needs = _Hint(problem, [v.answer for v in result.verdicts], answer).build()
    lines = [f"Hint: your first wrong value is {answer.label}. Work it again:",
             f"  {formula}"]
    if verdict.carried is not None and not verdict.carried.roots:  # rounding only
        lines[0] = (f"Hint: your first wrong value is {answer.label}. It follows from your "
                    f"own earlier values, but they are rounded too far: work it again "
                    f"with more digits of them:")
    target = formula.partition(" = ")[0]
    for name, known in needs:
        if name == target:  # an update's old weight, written as the new one is
            name = f"{name} before the update"
        if known.text is None:
            lines.append(f"  {name} ({known.source})")
        else:
            lines.append(f"  {name} = {known.text} ({known.source})")
    return lines


# The worked line that computes each kind of value (bpcalc.render.worked's line kinds).
LINE_KINDS = {"net": ("net",), "out": ("activation",), "error": ("error",),
              "delta": ("output_delta", "hidden_delta"), "change": ("change",),
              "new": ("update",)}


def worked_line(lines, quantity: Quantity):
    """The worked line among a step's `lines` that computes `quantity`, or None (a slope,
    gradient or momentum term, or a sequential change, has no line of its own)."""
    wanted = LINE_KINDS.get(quantity.kind, ())
    return next((line for line in lines if line.kind in wanted and line.node == quantity.node
                 and line.key == quantity.key), None)


class Formulas:
    """Each value's formula in symbols, as the worked solution of `trace` writes it (only
    the symbols are read: never a number of the trace)."""

    def __init__(self, trace, notation: Notation | None = None):
        from bpcalc.render.worked import notation_of

        self.trace, self.problem = trace, trace.problem
        self.n: Notation = notation or notation_of(trace)
        self.network = trace.problem.network

    def of(self, step: int, quantity: Quantity, name: str):
        """(target symbol, formula in symbols, or None where there is no formula) of the
        value `quantity` of the 1-based `step`; `name` as asked, for a value with none."""
        from bpcalc.render.worked import step_lines

        kind = quantity.kind
        if kind == "slope":
            return self._slope(quantity.node)
        if kind == "momentum":
            return (self.weight(quantity.key, "momentum_"),
                    Prod((Sym("α"), self.weight(quantity.key, "Δ", "prev"))))
        if kind == "gradient":
            return self._gradient(quantity.key)
        lines = step_lines(self.trace, self.trace.steps[step - 1], notation=self.n)
        line = worked_line(lines, quantity)
        if line is not None:
            return line.target, line.formula
        if kind == "change":  # sequential: the change is the update's added term
            for line in lines:
                if line.kind == "update" and line.key == quantity.key and isinstance(
                        line.formula.terms[-1] if isinstance(line.formula, Sum)
                        else line.formula.right, Paren):
                    added = (line.formula.terms[-1].arg if isinstance(line.formula, Sum)
                             else Neg(line.formula.right))
                    return self.weight(quantity.key, "Δ"), added
        return Sym(name), None

    def _slope(self, node: int):
        act = self.problem.activation_of_layer(self.network.layer_of(node))
        net = Sym(self.n.net, str(node))
        factors = activation_spec(act.name).slope_factors(
            act, self.out(node), Func("f'", (net,)), Terms(lambda v: Num(v, fraction_text(
                Fraction(v)))))
        body = factors[0] if len(factors) == 1 else Prod(tuple(factors))
        return Sym(f"f'({self.n.net}{node})"), body

    def _gradient(self, key):
        """∂E/∂w_ij = -δ_j z_i (slides' sign; textbook δ_j a_i), one pattern's."""
        i, j = key
        product = Prod((Sym(self.n.delta, str(j)), self.out(i)))
        sign = self.problem.convention == "slides"
        return self.weight(key, "∂E/∂"), Neg(product) if sign else product

    def out(self, node: int) -> Sym:
        kind = self.network.node_kind(node)
        return Sym(self.n.activation_symbol(kind, self.network.layer_of(node)), str(node))

    def weight(self, key, prefix: str = "", tag: str = "") -> Sym:
        base, index, sup = self.n.weight_parts(self.network, key)
        return Sym(base, index, sup, prefix, tag)


def needed(target: Sym, formula, kind: str) -> list[Sym]:
    """The symbols a value's formula needs, each once, in the order written; the target
    itself only where it stands for its old value (a weight's update)."""
    seen, found = set() if kind == "new" else {PLAIN.sym(target)}, []
    for sym in symbols(formula):
        if PLAIN.sym(sym) not in seen:
            seen.add(PLAIN.sym(sym))
            found.append(sym)
    return found


class _Hint:
    """The formula of one answer's value and the values its symbols name."""

    def __init__(self, problem: Problem, answers: list[Answer], answer: Answer):
        self.problem, self.answer, self.step = problem, answer, answer.step
        self.givens = Givens(problem, answers)
        self.formulas = Formulas(_trace(problem, answer.step))
        self.n: Notation = self.formulas.n
        self.network = problem.network

    def build(self) -> tuple[str, list[tuple[str, Known]]]:
        quantity = self.answer.quantity
        if quantity.kind == "epoch_error":
            return self._epoch_error()
        target, formula = self.formulas.of(self.step, quantity, self.answer.name)
        if formula is None:
            return f"{PLAIN.sym(target)}: no worked line for this value", []
        names = self._names()
        needs = [(PLAIN.sym(sym), names.get(PLAIN.sym(sym), MISSING))
                 for sym in needed(target, formula, quantity.kind)]
        return f"{PLAIN.sym(target)} = {PLAIN.render(formula)}", needs

    def _epoch_error(self) -> tuple[str, list[tuple[str, Known]]]:
        """E(epoch 2) = E(step 5) + ... : the sum of the epoch's steps' errors."""
        count = len(self.problem.patterns)
        steps = range(self.step - count + 1, self.step + 1)
        names = [f"{self.n.error}(step {s})" for s in steps]
        epoch = self.step // count
        needs = [(name, self.givens.answer(s, Quantity("error")))
                 for name, s in zip(names, steps, strict=True)]
        return f"{self.n.error}(epoch {epoch}) = {' + '.join(names)}", needs

    # -- the symbols' values -------------------------------------------------------------

    def _names(self) -> dict[str, Known]:
        """Every symbol a formula of this step can hold, by its printed name."""
        g, s, n = self.givens, self.step, self.n
        out, weight = self.formulas.out, self.formulas.weight
        names = {PLAIN.sym(Sym(n.rate)): g.rate(), "α": g.momentum(),
                 PLAIN.sym(Sym(n.error)): g.answer(s, Quantity("error"))}
        for layer in self.network.layers:
            for node in layer.feeding_ids():
                names[PLAIN.sym(out(node))] = g.out(s, node)
                if self.network.node_kind(node) not in ("input", "bias"):
                    names[f"{n.net}{node}"] = g.answer(s, Quantity("net", node=node))
                    names[f"{n.delta}{node}"] = g.answer(s, Quantity("delta", node=node))
        for node in self.network.output_layer.node_ids:
            names[f"{n.target}{node}"] = g.target(s, node)
        first = s - (s - 1) % len(self.problem.patterns)  # the epoch's first step
        for key in self.problem.weights:
            names[PLAIN.sym(weight(key))] = g.old_weight(s, key)
            names[PLAIN.sym(weight(key, tag="initial"))] = g.initial(key)
            names[PLAIN.sym(weight(key, "Δ"))] = g.answer(s, Quantity("change", key=key))
            names[PLAIN.sym(weight(key, "Δ", "prev"))] = g.previous_change(s, key)
            for pattern in range(1, len(self.problem.patterns) + 1):
                names[PLAIN.sym(weight(key, "Δ", f"p{pattern}"))] = g.answer(
                    first + pattern - 1, Quantity("change", key=key))
        return names


def symbols(expr):
    """The symbols of a formula, in the order written (numbers in it are constants)."""
    if isinstance(expr, Sym):
        yield expr
    elif isinstance(expr, tuple):
        for item in expr:
            yield from symbols(item)
    elif dataclasses.is_dataclass(expr) and not isinstance(expr, Num):
        for field in dataclasses.fields(expr):
            yield from symbols(getattr(expr, field.name))


def _trace(problem: Problem, step: int):
    """The problem solved as far as `step`, for the worked line's symbols only."""
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic

    epochs = -(-step // len(problem.patterns))
    shortened = replace(problem, epochs=min(epochs, problem.epochs), until=None)
    return solve(shortened, make_arithmetic(None, exact=False))

"""The student's next step (`bpcalc check --hint`): the first wrong value, and each value
its formula needs as the student already has it, the problem's data or their own answer.

Never a value the student has not written: what the solution computed stays out of a
hint, so the hint says where to look without giving the answer away. Pure: reads the
problem and the checked sheet; the formula's text is the renderer's (render/hints.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bpcalc.grading.answers import Answer, Quantity, update_after
from bpcalc.grading.judging import dependency_order
from bpcalc.grading.verdicts import CheckResult, Verdict
from bpcalc.problem.model import Problem, WeightKey
from bpcalc.text import fraction_text


@dataclass(frozen=True)
class Known:
    """A value a formula needs, as the student has it: `text` as written (None: not in
    their answers) and where it comes from."""

    text: str | None
    source: str  # your answer, the input, the target, the bias, the learning rate, ...


MISSING = Known(None, "not in your answers")


def first_wrong(problem: Problem, result: CheckResult) -> Verdict | None:
    """The earliest wrong value in the order of the calculation (too few digits is not
    wrong: its value is right)."""
    wrong = [v for v in result.verdicts if not v.right and v.too_few_digits is None]
    return min(wrong, key=lambda v: dependency_order(problem, v.answer), default=None)


class Givens:
    """What the student has for each value of a step: the problem's data, else their own
    answer, else nothing."""

    def __init__(self, problem: Problem, answers: list[Answer]):
        self.problem = problem
        self.answers = {(a.step, a.quantity): a for a in answers}

    def answer(self, step: int, quantity: Quantity) -> Known:
        given = self.answers.get((step, quantity))
        return MISSING if given is None else Known(given.text, "your answer")

    def pattern(self, step: int):
        return self.problem.patterns[(step - 1) % len(self.problem.patterns)]

    def out(self, step: int, node: int) -> Known:
        """A node's output: an input or the bias is given, a computed one is an answer."""
        network = self.problem.network
        kind = network.node_kind(node)
        if kind == "input":
            position = network.layers[0].node_ids.index(node)
            return _data(self.pattern(step).input[position], "the input")
        if kind == "bias":
            return _data(self.problem.bias, "the bias")
        return self.answer(step, Quantity("out", node=node))

    def target(self, step: int, node: int) -> Known:
        position = self.problem.network.output_layer.node_ids.index(node)
        return _data(self.pattern(step).target[position], "the target")

    def rate(self) -> Known:
        return _data(self.problem.learning_rate, "the learning rate")

    def momentum(self) -> Known:
        return _data(self.problem.momentum, "the momentum")

    def old_weight(self, step: int, key: WeightKey) -> Known:
        """The weight as step `step` uses it: the initial one before any update (and for a
        bias weight that does not train), else the new weight of the update before."""
        before = previous_update(self.problem, step)
        frozen = not self.problem.train_bias and self.problem.network.node_kind(
            key[0]) == "bias"
        if before is None or frozen:
            return self.initial(key)
        known = self.answer(before, Quantity("new", key=key))
        if known.text is None:
            return Known(None, f"the new weight of step {before}, not in your answers")
        return Known(known.text, f"your new weight of step {before}")

    def initial(self, key: WeightKey) -> Known:
        return _data(self.problem.weights[key], "the initial weight")

    def previous_change(self, step: int, key: WeightKey) -> Known:
        """The weight's change at the update before this one (momentum), 0 at the first."""
        before = previous_update(self.problem, step)
        if before is None:
            return Known("0", "no update before this one")
        return self.answer(before, Quantity("change", key=key))


def previous_update(problem: Problem, step: int) -> int | None:
    """The last step before `step` after which the weights changed, or None."""
    for earlier in range(step - 1, 0, -1):
        if update_after(problem, earlier) == earlier:
            return earlier
    return None


def _data(value, source: str) -> Known:
    return Known(fraction_text(Fraction(value)), source)

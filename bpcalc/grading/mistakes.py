"""The usual hand-calculation mistakes, each as the problem the student worked instead.

`bpcalc.grading.diagnosis` solves each one again and names the one that reproduces a wrong
answer. A mistake is a changed problem (the other convention's sign, a loss with its factor
2 toggled, the bias forgotten or negated, the learning rate left out, an early rounding) or
one of the engine's deliberate `Slips` (a new weight in a hidden delta, f' left out, net in
place of the activation). Pure: it only builds problems.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from bpcalc.engine.backprop import CORRECT, Slips
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.losses import loss_spec
from bpcalc.problem.model import Problem, Rounding
from bpcalc.text import fraction_text, rounding_text

# The hand roundings the diagnosis detects by itself (a student who carried 4 places); the
# early roundings are a mistake (every value to 1 place along the way).
DETECTED_PLACES = (2, 3, 4, 5, 6)
DETECTED_SIGFIGS = (3, 4)
EARLY_ROUNDINGS = (Rounding("places", 1), Rounding("places", 2), Rounding("places", 3),
                   Rounding("sigfigs", 2))


@dataclass(frozen=True)
class Mistake:
    """One usual hand-calculation mistake: the problem as the student worked it."""

    id: str
    description: str
    problem: Problem
    slips: Slips = CORRECT

    @property
    def short(self) -> str:
        """A few words for a table cell; `description` says it in full."""
        if self.id == "early_rounding":
            return f"rounded to {rounding_text(self.problem.rounding)} too early"
        return _SHORT[self.id]


_SHORT = {
    "delta_sign": "sign of delta mixed up",
    "update_sign": "sign of the update mixed up",
    "factor_two_added": "factor 2 of squared error added",
    "factor_two_dropped": "factor 2 of squared error left out",
    "new_weight_in_hidden_delta": "new weight in a hidden delta",
    "bias_forgotten": "bias input forgotten",
    "bias_sign": "bias input with the wrong sign",
    "no_slope": "f' left out of the deltas",
    "net_in_update": "net instead of the activation in the update",
    "no_learning_rate": "learning rate left out",
}


def usual_mistakes(problem: Problem, rounding: Rounding | None,
                   detect_rounding: bool = True) -> list[Mistake]:
    """Every usual mistake that changes this problem's numbers, as a re-solvable problem."""
    slides = problem.convention == "slides"
    rate = "C" if slides else "η"
    z, net = ("z", "net") if slides else ("a", "h")
    residual, flipped = ("(t - z)", "(z - t)") if slides else ("(y - t)", "(t - y)")
    update, wrong_update = ((f"w + {rate} δ {z}", f"w - {rate} δ {z}") if slides
                            else (f"w - {rate} δ {z}", f"w + {rate} δ {z}"))
    other, others = ("textbook", "the textbook's") if slides else ("slides", "the slides'")
    hidden = len(problem.network.layers) > 2
    learning = problem.learning_rate != 0
    mistakes = [
        Mistake("delta_sign", f"sign of delta mixed up: {flipped} f'({net}) ({others} "
                f"sign) instead of {residual} f'({net}), with the update {update}",
                replace(problem, convention=other, learning_rate=-problem.learning_rate)),
    ]
    if learning:
        mistakes.append(Mistake("update_sign", f"sign of the update mixed up: {wrong_update} "
                                f"instead of {update}",
                                replace(problem, learning_rate=-problem.learning_rate)))
    slip = loss_spec(problem.loss).slip
    if slip is not None and not problem.perceptron:  # the perceptron's delta has no factor
        mistakes.append(Mistake(slip.id, slip.description.format(residual=residual, net=net),
                                replace(problem, loss=slip.instead)))
    if hidden:
        mistakes.append(Mistake("new_weight_in_hidden_delta",
                                "the new weight used in a hidden delta instead of the old one "
                                "(Σ δ_k w_jk takes w_jk before the update)", problem,
                                Slips(new_weights_in_hidden_delta=True)))
    if problem.bias is not None and problem.bias != 0:
        mistakes.append(Mistake("bias_forgotten", "the bias input forgotten (taken as 0)",
                                replace(problem, bias=Fraction(0))))
        mistakes.append(Mistake("bias_sign", f"the bias input taken as {_signed(-problem.bias)} "
                                f"instead of {_signed(problem.bias)}",
                                replace(problem, bias=-problem.bias)))
    if not all(activation_spec(act.name).unit_slope for act in problem.activations):
        mistakes.append(Mistake("no_slope", f"f'({net}) left out of the deltas", problem,
                                Slips(no_slope=True)))
    if hidden:
        mistakes.append(Mistake("net_in_update", f"{net} used where the activation belongs "
                                f"in the update ({net}_i instead of {z}_i)", problem,
                                Slips(net_in_update=True)))
    if learning and problem.learning_rate != 1:
        mistakes.append(Mistake("no_learning_rate", f"the learning rate left out ({rate} taken "
                                f"as 1 instead of {fraction_text(problem.learning_rate)})",
                                replace(problem, learning_rate=Fraction(1))))
    for early in EARLY_ROUNDINGS:
        if early == rounding or (detect_rounding and rounding is None and _detectable(early)):
            continue
        mistakes.append(Mistake("early_rounding", f"rounded too early: every value to "
                                f"{rounding_text(early)} along the way",
                                replace(problem, rounding=early)))
    return mistakes


def _detectable(rounding: Rounding) -> bool:
    if rounding.kind == "places":
        return rounding.digits in DETECTED_PLACES
    return rounding.digits in DETECTED_SIGFIGS


def _signed(value: Fraction) -> str:
    return f"+{fraction_text(value)}" if value > 0 else fraction_text(value)

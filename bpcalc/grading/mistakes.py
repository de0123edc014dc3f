"""The usual hand-calculation mistakes, each as the problem the student worked instead.

`bpcalc.grading.diagnosis` solves each one again and names the one that reproduces a wrong
answer. A mistake is a changed problem (the other convention's sign, a loss with its factor
2 toggled, the bias forgotten or negated, the learning rate left out, an early rounding) or
one of the engine's deliberate `Slips` (a new weight in a hidden delta, f' left out, net in
place of the activation, softmax's derivative as its diagonal, an f' put back into a
cancelled closed form, momentum from the wrong update, a mini-batch averaged). Version 2's
training additions give their own: momentum forgotten, bias weights trained when they
should not be. Pure: it only builds problems.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.engine.backprop import CORRECT, Slips
from bpcalc.grading.roundings import DETECTED_PLACES, DETECTED_SIGFIGS
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.losses import loss_spec
from bpcalc.problem.model import Problem, Rounding, weight_name
from bpcalc.text import fraction_text, rounding_text

# The hand roundings the diagnosis detects by itself (a student who carried 4 places) are
# listed in grading/roundings.py; the early roundings are a mistake (every value to 1 place
# along the way).
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
        if self.id == "other_convention":
            return f"sheet in the {self.problem.convention} convention"
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
    "momentum_forgotten": "momentum term left out",
    "momentum_wrong_update": "momentum from the wrong update",
    "softmax_diagonal": "softmax derivative as z(1 - z) alone",
    "extra_slope": "extra f' in the cross-entropy delta",
    "batch_averaged": "mini-batch changes averaged, not summed",
    "bias_trained": "bias weights updated (train_bias is false)",
    "net_fed_forward": "net fed forward instead of the activation",
    "slope_from_net": "sigmoid's f' from net, not the activation",
    "hidden_slope_from_net": "sigmoid's f' from net in the hidden deltas",
    "tanh_slope_unsquared": "tanh' as 1 - tanh, not 1 - tanh²",
    "no_output_slope": "f' left out of the output delta",
    "transposed_hidden_sum": "hidden delta summed over the wrong weights",
    "initial_weights_each_step": "a later step worked from the initial weights",
    "other_delta": "another node's delta in a weight's change",
    "other_convention": "sheet in the other convention",  # (`short` names which)
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
    mistakes += _version_two_mistakes(problem)
    mistakes += _more_slips(problem)
    for early in EARLY_ROUNDINGS:
        if early == rounding or (detect_rounding and rounding is None and _detectable(early)):
            continue
        mistakes.append(Mistake("early_rounding", f"rounded too early: every value to "
                                f"{rounding_text(early)} along the way",
                                replace(problem, rounding=early)))
    return mistakes


def _version_two_mistakes(problem: Problem) -> list[Mistake]:
    """The usual mistakes of version 2's additions, each only where the problem has the
    addition and the mistake would change a number."""
    slides = problem.convention == "slides"
    rate, z, net = ("C", "z", "net") if slides else ("η", "a", "h")
    term = f"{rate} δ {z}" if slides else f"-{rate} δ {z}"
    residual = "(t - z)" if slides else "(y - t)"
    group = problem.group_size
    updates = problem.epochs * -(-len(problem.patterns) // group)
    alpha = fraction_text(problem.momentum)
    output = problem.activations[-1]
    form = problem.output_delta.form
    mistakes = []
    if problem.momentum and updates > 1 and problem.learning_rate:
        mistakes.append(Mistake(
            "momentum_forgotten", f"the momentum term left out: Δw(n) = {term} instead of "
            f"{term} + α Δw(n-1) (α = {alpha})", replace(problem, momentum=Fraction(0))))
    if problem.momentum and updates > 2 and problem.learning_rate:
        mistakes.append(Mistake(
            "momentum_wrong_update", f"momentum taken from the wrong update: α times the "
            f"previous {term} alone instead of α Δw(n-1), the whole previous change "
            "(its own momentum term included)", problem, Slips(momentum_rate_term_only=True)))
    if activation_spec(output.name).layer_wide:
        mistakes.append(Mistake(
            "softmax_diagonal", f"softmax's derivative taken as {z}_k (1 - {z}_k) alone: "
            f"the terms -{z}_j {z}_k (j ≠ k) of its Jacobian left out of the output deltas",
            problem, Slips(softmax_diagonal=True)))
    if form == "softmax_cross_entropy" or (form == "residual" and not problem.output_delta.slope
                                           and not problem.perceptron):
        closed = (f"{residual} (for targets summing to 1)" if form != "residual"
                  else f"β {residual}" if output.beta != 1 else residual)
        mistakes.append(Mistake(
            "extra_slope", f"an extra f'({net}) in the output delta: {problem.loss}'s closed "
            f"form {closed} multiplied by f'({net}) again, though f' has cancelled in it",
            problem, Slips(extra_slope=True)))
    if problem.update == "batch" and group > 1 and problem.learning_rate:
        mistakes.append(Mistake(
            "batch_averaged", f"the mini-batch's changes averaged instead of summed: each "
            f"group's summed Δw divided by its size ({group} patterns) before the update",
            problem, Slips(batch_averaged=True)))
    if not problem.train_bias and problem.bias and problem.learning_rate:
        mistakes.append(Mistake(
            "bias_trained", "the bias weights updated, though train_bias is false (they "
            "keep their initial values)", replace(problem, train_bias=True)))
    return mistakes


def _detectable(rounding: Rounding) -> bool:
    if rounding.kind == "places":
        return rounding.digits in DETECTED_PLACES
    return rounding.digits in DETECTED_SIGFIGS


def _signed(value: Fraction) -> str:
    return f"+{fraction_text(value)}" if value > 0 else fraction_text(value)


# -- single slips of the pen --------------------------------------------------------------

# A slip's name as the report gives it, by what changed between the digits.
SLIP_WORDS = {"sign": "slip (sign dropped?)", "point": "slip (decimal point misplaced?)",
              "swap": "slip (digits swapped?)", "digit": "slip (one digit wrong?)"}


def single_slip(given: Fraction, places: int | None, meant: Fraction) -> str | None:
    """How a value written to `places` decimals differs from the `meant` one by one slip
    of the pen: "sign" (dropped or added), "point" (the decimal point misplaced, the digits
    kept), "swap" (two neighbouring digits swapped) or "digit" (one digit wrong; not the
    last digit off by one, which is rounding). None: no single slip."""
    if places is None or places < 0 or meant == 0:
        return None
    written = round_fraction(meant, Rounding("places", places))
    if given == -written:
        return "sign"
    if (given < 0) != (meant < 0) or given == 0:
        return None
    for shift in (-3, -2, -1, 1, 2, 3):
        if given == round_fraction(meant * Fraction(10) ** shift, Rounding("places", places)):
            return "point"
    return _digit_slip(_digits(given, places), _digits(written, places))


def _digits(value: Fraction, places: int) -> str:
    return str(int(abs(value) * 10**places))


def _digit_slip(given: str, meant: str) -> str | None:
    """"swap" or "digit" between two digit strings of a value at the same places."""
    width = max(len(given), len(meant))
    given, meant = given.zfill(width), meant.zfill(width)
    differ = [k for k in range(width) if given[k] != meant[k]]
    if len(differ) == 2 and differ[1] == differ[0] + 1 and (
            given[differ[0]] == meant[differ[1]] and given[differ[1]] == meant[differ[0]]):
        return "swap"
    if len(differ) == 1:
        k = differ[0]
        if k == width - 1 and abs(int(given[k]) - int(meant[k])) == 1:
            return None  # the last digit off by one: a rounding, not a slip
        return "digit"
    return None


# -- the further mistakes: slopes, the forward pass, the weights ---------------------------------


def _slope_used(problem: Problem, layer: int) -> bool:
    """Whether a layer's f'(net) enters a delta: every hidden layer's does, the output
    layer's where its delta is formed with f' (not a closed form that cancelled it)."""
    if layer < len(problem.network.layers) - 1:
        return True
    form = problem.output_delta
    return (form.form == "residual" and form.slope) or form.form == "chain"


def _more_slips(problem: Problem) -> list[Mistake]:
    """The further slips, each only where it would change a number: net fed forward,
    sigmoid's and tanh's f' mistaken, f' left out of the output delta alone, a hidden
    delta over the transposed weights, a later step from the initial weights."""
    slides = problem.convention == "slides"
    z, net = ("z", "net") if slides else ("a", "h")
    layers = problem.network.layers
    hidden = range(1, len(layers) - 1)
    names = {i: problem.activation_of_layer(i).name for i in range(1, len(layers))}
    mistakes = []
    if any(names[i] != "linear" for i in hidden):
        mistakes.append(Mistake(
            "net_fed_forward", f"net fed forward instead of {z}: the next layer's net "
            f"computed from the hidden nodes' {net}_i, not their activations {z}_i = "
            f"f({net}_i)", problem, Slips(net_fed_forward=True)))
    used = [i for i in names if _slope_used(problem, i)]
    if any(names[i] == "sigmoid" for i in used):
        mistakes.append(Mistake(
            "slope_from_net", f"the sigmoid's derivative taken from the net: {net} (1 - "
            f"{net}) instead of {z} (1 - {z})", problem, Slips(slope_from_net=True)))
    if hidden and any(names[i] == "sigmoid" for i in hidden if i in used) and \
            names[len(layers) - 1] == "sigmoid" and len(layers) - 1 in used:
        mistakes.append(Mistake(
            "hidden_slope_from_net", f"the sigmoid's derivative taken from the net in the "
            f"hidden deltas only: {net}_j (1 - {net}_j) instead of {z}_j (1 - {z}_j)", problem,
            Slips(hidden_slope_from_net=True)))
    if any(names[i] == "tanh" for i in used):
        mistakes.append(Mistake(
            "tanh_slope_unsquared", f"tanh's derivative taken as 1 - {z} instead of "
            f"1 - {z}² (1 - tanh² {net})", problem, Slips(tanh_slope_unsquared=True)))
    output = activation_spec(names[len(layers) - 1])
    if (hidden and _slope_used(problem, len(layers) - 1) and not output.unit_slope
            and not all(activation_spec(names[i]).unit_slope for i in hidden)):
        mistakes.append(Mistake(
            "no_output_slope", f"f'({net}) left out of the output delta only (the hidden "
            f"deltas computed on from it, with their f'({net}))", problem,
            Slips(no_output_slope=True)))
    if any(_asymmetric_square(problem, layers[i], layers[i + 1]) for i in hidden):
        mistakes.append(Mistake(
            "transposed_hidden_sum", "a hidden delta summed over the wrong weights: Σ_k δ_k "
            "w_jk read along the weight matrix's other index (δ_j from the weights into the "
            "j-th node of the layer above, W δ instead of Wᵀ δ)", problem,
            Slips(transposed_hidden_sum=True)))
    steps = problem.epochs * len(problem.patterns)
    if problem.learning_rate and steps > problem.group_size:
        mistakes.append(Mistake(
            "initial_weights_each_step", "a later step worked from the initial weights: the "
            "weights not updated between steps (each step's new weights are the initial "
            "ones plus its own change)", problem, Slips(initial_weights_each_step=True)))
    return mistakes


def _asymmetric_square(problem: Problem, layer, above) -> bool:
    """A hidden layer and the one above of one size (2 or more), whose weights between
    them are not symmetric: only there does the transposed sum exist and differ."""
    ids, up = layer.node_ids, above.node_ids
    if len(ids) != len(up) or len(ids) < 2:
        return False
    weights = problem.weights
    return any(weights[(ids[b], up[a])] != weights[(ids[a], up[b])]
               for a in range(len(ids)) for b in range(len(ids)))


def other_delta_mistake(problem: Problem, step: int, key: tuple[int, int],
                        other: int) -> Mistake:
    """The change of weight `key` at `step` made with node `other`'s delta instead of its
    own node's (found per weight by the diagnosis, never tried for every weight)."""
    source, node = key
    slides = problem.convention == "slides"
    rate, z = ("C", "z") if slides else ("-η", "a")
    return Mistake("other_delta", f"another node's delta used for one weight: "
                   f"{weight_name(key)}'s "
                   f"change {rate} δ{other} {z}{source} instead of {rate} δ{node} "
                   f"{z}{source} (step {step})", problem,
                   Slips(other_delta=(step, source, node, other)))


def other_convention(problem: Problem) -> Mistake:
    """A whole sheet worked in the other convention: every answer agrees with its
    solution. Not a mistake of method: the report says to rerun in that convention."""
    other = "textbook" if problem.convention == "slides" else "slides"
    return Mistake("other_convention", f"this sheet follows the {other} convention; rerun "
                   f"with --convention {other}", replace(problem, convention=other))


def other_delta_suspects(problem: Problem, trace, wrong: list) -> list[Mistake]:
    """The other-delta mistakes worth solving: per wrong change or new weight w_ij
    (grading.answers.Answer), each other node o of j's layer whose delta, put in place of
    delta_j in the true solution (`trace`, unrounded), comes near the value written. One
    weight at a time, so that no combination of weights is ever tried."""
    sign = 1 if problem.convention == "slides" else -1
    rate = float(problem.learning_rate) * sign
    layers = problem.network.layers
    found = []
    for answer in wrong:
        kind, key = answer.quantity.kind, answer.quantity.key
        if kind not in ("change", "new") or answer.step > len(trace.steps):
            continue
        step = trace.steps[answer.step - 1]
        value = (step.changes.get(key) if kind == "change" else next(
            (u.new for u in step.updates if u.key == key), None))
        if value is None:
            continue
        source, node = key
        own = float(step.node(node).delta)
        for other in layers[problem.network.layer_of(node)].node_ids:
            moved = rate * (float(step.node(other).delta) - own) * float(step.node(source).out)
            if other == node or moved == 0:
                continue
            near = float(value) + moved
            slack = (2 * 10.0 ** -answer.places if answer.places is not None else 1e-9)
            if abs(float(answer.value) - near) <= slack + 1e-3 * abs(near):
                mistake = other_delta_mistake(problem, answer.step, key, other)
                if all(m.slips != mistake.slips for m in found):
                    found.append(mistake)
    return found

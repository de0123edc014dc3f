"""Worked lines (`net4 = .9 * .5 + .6 * .5 + 1 * .5 = 1.25`): the slides' numbers, the
textbook's signs, hand rounding, exact forms, and an independent check that each line's
substituted arithmetic gives its result."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding
from bpcalc.render import worked as w
from bpcalc.render.worked import lines_text, plain_style, step_lines, worked_steps

SLIDES_PATTERN = Pattern((Fraction(9, 10), Fraction(6, 10)), (Fraction(0),))


def slides_problem(**changes) -> Problem:
    network = Network((2, 2, 1), True)
    values = dict(network=network, activations=(Activation("sigmoid"),) * 2, bias=Fraction(1),
                  weights={key: Fraction(1, 2) for key in network.weight_keys()},
                  patterns=(SLIDES_PATTERN,), learning_rate=Fraction(1))
    values.update(changes)
    return Problem(**values)


def lines_of(problem: Problem, exact: bool = False, step: int = 0) -> dict[str, str]:
    """Plain text of one step's lines, keyed by target name (δ7, w47, Δw47(p1), ...)."""
    trace = solve(problem, make_arithmetic(problem.rounding, exact))
    style = plain_style(trace)
    return {style.sym(line.target): line.text(style)
            for line in step_lines(trace, trace.steps[step])}


def test_slides_example_lines():
    lines = lines_of(slides_problem())
    assert lines["net4"] == "net4 = 0.9 * 0.5 + 0.6 * 0.5 + 1 * 0.5 = 1.25"
    assert lines["z4"] == "z4 = 1/(1 + e^-1.25) = 0.7773"
    assert lines["net7"] == "net7 = 0.7773 * 0.5 + 0.7773 * 0.5 + 1 * 0.5 = 1.277"
    assert lines["z7"] == "z7 = 1/(1 + e^-1.277) = 0.7820"
    assert lines["δ7"] == "δ7 = (0 - 0.7820) * 0.7820 * (1 - 0.7820) = -0.1333"
    assert lines["δ4"] == "δ4 = (-0.1333 * 0.5) * 0.7773 * (1 - 0.7773) = -0.01154"
    assert lines["w47"] == "w47 = 0.5 + (1 * (-0.1333) * 0.7773) = 0.3964"
    assert lines["w67"] == "w67 = 0.5 + (1 * (-0.1333) * 1) = 0.3667"
    assert lines["w14"] == "w14 = 0.5 + (1 * (-0.01154) * 0.9) = 0.4896"
    assert lines["E"] == "E = 0.5 * (0 - 0.7820)^2 = 0.3058"


def test_formula_form_and_order():
    trace = solve(slides_problem(), make_arithmetic(None, False))
    lines = step_lines(trace, trace.steps[0])
    kinds = [line.kind for line in lines]
    assert kinds == (["net", "activation"] * 3 + ["error", "output_delta"]
                     + ["hidden_delta"] * 2 + ["update"] * 9)
    text = lines_text(lines, formula=True)
    assert "net4 = z1 * w14 + z2 * w24 + z3 * w34 = 0.9 * 0.5" in text
    assert "δ7 = (t7 - z7) * z7 * (1 - z7) = (0 - 0.7820)" in text
    assert "δ4 = (δ7 * w47) * z4 * (1 - z4) = " in text
    assert "w47 = w47 + (C * δ7 * z4) = 0.5 + " in text


def test_textbook_signs_and_names():
    lines = lines_of(slides_problem(convention="textbook"))
    assert lines["δ7"] == "δ7 = (0.7820 - 0) * 0.7820 * (1 - 0.7820) = 0.1333"
    assert lines["δ4"] == "δ4 = 0.7773 * (1 - 0.7773) * (0.5 * 0.1333) = 0.01154"
    assert lines["w47"] == "w47 = 0.5 - (1 * 0.1333 * 0.7773) = 0.3964"
    assert lines["v14"] == "v14 = 0.5 - (1 * 0.01154 * 0.9) = 0.4896"
    rounded = lines_of(slides_problem(convention="textbook", rounding=Rounding("places", 4)))
    assert rounded["w47"] == "w47 = 0.5000 - (1 * 0.1333 * 0.7773) = 0.5000 - 0.1036 = 0.3964"
    assert lines["E"] == "E = 0.5 * (0.7820 - 0)^2 = 0.3058"
    assert "h4" in lines and "a4" in lines and "y7" in lines


def test_rounded_lines_show_the_carried_values():
    lines = lines_of(slides_problem(rounding=Rounding("places", 4)))
    # computed values with the zeros of their rounding, as the tables show them
    assert lines["z4"] == "z4 = 1/(1 + e^-1.2500) = 0.7773"
    assert lines["net7"] == ("net7 = 0.7773 * 0.5000 + 0.7773 * 0.5000 + 1 * 0.5000 "
                             "= 1.2773")
    assert lines["z7"] == "z7 = 1/(1 + e^-1.2773) = 0.7820"
    assert lines["δ7"] == "δ7 = (0 - 0.7820) * 0.7820 * (1 - 0.7820) = -0.1333"
    assert lines["δ4"] == "δ4 = (-0.1333 * 0.5000) * 0.7773 * (1 - 0.7773) = -0.0115"
    # the change is rounded before it is added, and the line shows it; a negative factor
    # in parentheses
    assert lines["w47"] == ("w47 = 0.5000 + (1 * (-0.1333) * 0.7773) = 0.5000 + (-0.1036) "
                            "= 0.3964")
    assert lines["w14"] == ("w14 = 0.5000 + (1 * (-0.0115) * 0.9) = 0.5000 + (-0.0104) "
                            "= 0.4896")


def test_exact_lines():
    lines = lines_of(slides_problem(), exact=True)
    assert lines["net4"] == "net4 = 9/10 * 1/2 + 3/5 * 1/2 + 1 * 1/2 = 5/4"
    assert lines["z4"].startswith("z4 = 1/(1 + exp(-5/4)) = ")
    assert lines["z4"].endswith("≈ 0.777300")
    assert "exp(-5/4)" in lines["net7"] and lines["net7"].endswith("≈ 1.27730")
    assert lines["w47"].endswith("≈ 0.396374")
    # a closed form too long to repeat is named instead: δ7 in w47's line
    assert "(1 * δ7 * " in lines["w47"]


@pytest.mark.parametrize("activation, beta, expected", [
    ("sigmoid", Fraction(2), "z4 = 1/(1 + e^(-2 * 1.25)) = 0.9241"),
    ("tanh", Fraction(1), "z4 = tanh(1.25) = 0.8483"),
    ("relu", Fraction(1), "z4 = max(0, 1.25) = 1.25"),
    ("linear", Fraction(1), "z4 = 1.25"),
])
def test_activation_lines(activation, beta, expected):
    act = Activation(activation, beta=beta)
    lines = lines_of(slides_problem(activations=(act, act)))
    assert lines["z4"] == expected


def test_negative_net_in_the_exponent():
    lines = lines_of(slides_problem(patterns=(Pattern((Fraction(-9, 10), Fraction(-6, 10)),
                                                      (Fraction(1),)),)))
    assert lines["net4"] == "net4 = -0.9 * 0.5 + (-0.6) * 0.5 + 1 * 0.5 = -0.25"
    assert lines["z4"] == "z4 = 1/(1 + e^0.25) = 0.4378"  # not e^(-(-0.25))


def test_slopes_in_output_deltas():
    tanh = Activation("tanh")
    lines = lines_of(slides_problem(activations=(tanh, tanh)))
    assert lines["δ7"].startswith("δ7 = (0 - 0.8736) * (1 - 0.8736^2) = -0.2068")
    beta = Activation("sigmoid", beta=Fraction(2))
    lines = lines_of(slides_problem(activations=(beta, beta)))
    assert lines["δ7"].startswith("δ7 = (0 - 0.9452) * 2 * 0.9452 * (1 - 0.9452) = ")


def test_loss_factors():
    assert lines_of(slides_problem(loss="sse"))["δ7"].startswith("δ7 = 2 * (0 - 0.7820) * ")
    network = Network((2, 2, 2), True)
    two = Pattern((Fraction(9, 10), Fraction(6, 10)), (Fraction(0), Fraction(1)))
    assert lines_of(slides_problem(loss="mse"))["δ7"].startswith("δ7 = 2 * (0 - 0.7820) * ")
    problem = slides_problem(network=network, patterns=(two,), loss="mse",
                             weights={key: Fraction(1, 2) for key in network.weight_keys()})
    lines = lines_of(problem)
    assert lines["δ7"].startswith("δ7 = (0 - 0.7820) * ")  # 2/K = 1 with K = 2: not written
    assert lines["E"] == "E = 0.5 * ((0 - 0.7820)^2 + (1 - 0.7820)^2) = 0.3295"  # 1/K
    lines = lines_of(slides_problem(network=network, patterns=(two,), weights={
        key: Fraction(1, 2) for key in network.weight_keys()}))
    assert lines["E"] == "E = 0.5 * ((0 - 0.7820)^2 + (1 - 0.7820)^2) = 0.3295"
    # hidden delta sums over both nodes above, with the weights this step used
    assert lines["δ4"].startswith("δ4 = (-0.1333 * 0.5 + 0.03717 * 0.5) * 0.7773 * ")


def test_bias_none_and_minus_one():
    network = Network((2, 2, 1), False)
    lines = lines_of(slides_problem(network=network, bias=None, weights={
        key: Fraction(1, 2) for key in network.weight_keys()}))
    assert lines["net3"] == "net3 = 0.9 * 0.5 + 0.6 * 0.5 = 0.75"
    lines = lines_of(slides_problem(bias=Fraction(-1)))
    assert lines["net4"] == "net4 = 0.9 * 0.5 + 0.6 * 0.5 + (-1) * 0.5 = 0.25"
    assert lines["w34"].startswith("w34 = 0.5 + (1 * ") and " * (-1)) = " in lines["w34"]


def test_batch_changes_and_summed_update():
    second = Pattern((Fraction(1, 10), Fraction(-3, 10)), (Fraction(1),))
    problem = slides_problem(patterns=(SLIDES_PATTERN, second), update="batch")
    first, last = lines_of(problem, step=0), lines_of(problem, step=1)
    assert first["Δw47(p1)"] == "Δw47(p1) = 1 * (-0.1333) * 0.7773 = -0.1036"
    assert "w47" not in first  # nothing is applied before the epoch's last pattern
    change2 = last["Δw47(p2)"].rpartition(" = ")[2]
    assert last["w47"] == f"w47 = 0.5 + (-0.1036 + {change2}) = 0.4244"
    textbook = lines_of(slides_problem(patterns=(SLIDES_PATTERN, second), update="batch",
                                       convention="textbook"))
    assert textbook["Δw47(p1)"] == "Δw47(p1) = -(1 * 0.1333 * 0.7773) = -0.1036"


def test_perceptron_lines():
    network = Network((2, 1), True)
    step = Activation("step", threshold=Fraction(1, 2))
    problem = slides_problem(network=network, activations=(step,),
                             weights={key: Fraction(0) for key in network.weight_keys()},
                             patterns=(Pattern((Fraction(1), Fraction(1)), (Fraction(1),)),),
                             learning_rate=Fraction(1, 2))
    lines = lines_of(problem)
    assert lines["z4"] == "z4 = (1 if 0 >= 0.5 else 0) = 0"
    assert lines["δ4"] == "δ4 = (1 - 0) = 1"
    assert lines["w14"] == "w14 = 0 + (0.5 * 1 * 1) = 0.5"


# -- an independent check: each line's arithmetic, evaluated, gives its result --------


def evaluate(e, number):
    """Evaluate a substituted expression; `number(Num)` gives each number's value."""
    if isinstance(e, w.Num):
        return number(e)
    if isinstance(e, w.Paren):
        return evaluate(e.arg, number)
    if isinstance(e, w.Sum):
        return sum((evaluate(t, number) for t in e.terms[1:]), evaluate(e.terms[0], number))
    if isinstance(e, w.Diff):
        return evaluate(e.left, number) - evaluate(e.right, number)
    if isinstance(e, w.Prod):
        result = evaluate(e.factors[0], number)
        for factor in e.factors[1:]:
            result = result * evaluate(factor, number)
        return result
    if isinstance(e, w.Quot):
        return evaluate(e.numerator, number) / evaluate(e.denominator, number)
    if isinstance(e, w.Neg):
        return -evaluate(e.arg, number)
    if isinstance(e, w.Pow):
        return evaluate(e.base, number) ** e.exponent
    if isinstance(e, w.Exp):
        return math.exp(evaluate(e.arg, number))
    if isinstance(e, w.Func) and e.name == "tanh":
        return math.tanh(evaluate(e.args[0], number))
    if isinstance(e, w.Func) and e.name == "max":
        return max(evaluate(a, number) for a in e.args)
    if isinstance(e, w.Threshold):
        return 1 if evaluate(e.arg, number) >= evaluate(e.bound, number) else 0
    raise AssertionError(f"no symbols in a substituted expression: {e!r}")


def random_problem(rng: random.Random, **fixed) -> Problem:
    sizes = rng.choice([(2, 2, 1), (2, 3, 2), (1, 2, 2, 1), (3, 2)])
    bias = rng.choice([Fraction(1), Fraction(-1), None])
    network = Network(sizes, bias is not None)
    names = ["sigmoid", "tanh", "relu", "linear"]
    acts = tuple(Activation(rng.choice(names), beta=rng.choice([Fraction(1), Fraction(3, 2)]))
                 for _ in sizes[1:])
    tenth = lambda: Fraction(rng.randint(-9, 9), 10)  # noqa: E731
    patterns = tuple(Pattern(tuple(tenth() for _ in range(sizes[0])),
                             tuple(Fraction(rng.randint(0, 1)) for _ in range(sizes[-1])))
                     for _ in range(rng.randint(1, 3)))
    values = dict(network=network, activations=acts, bias=bias,
                  weights={key: tenth() for key in network.weight_keys()}, patterns=patterns,
                  learning_rate=rng.choice([Fraction(1), Fraction(1, 2), Fraction(3, 10)]),
                  epochs=2, update=rng.choice(["sequential", "batch"]),
                  loss=rng.choice(["half_sse", "sse", "mse"]),
                  convention=rng.choice(["slides", "textbook"]))
    values.update(fixed)
    return Problem(**values)


def test_float_lines_evaluate_to_their_results():
    rng = random.Random(3)
    checked = 0
    for _ in range(20):
        trace = solve(random_problem(rng), make_arithmetic(None, False))
        for work in worked_steps(trace):
            for line in work.lines:
                value = evaluate(line.substituted, lambda n: float(n.value))
                assert value == pytest.approx(float(line.result.value), rel=1e-9, abs=1e-12), \
                    line.text()
                checked += 1
    assert checked > 400


def test_rounded_lines_evaluate_from_their_printed_digits():
    """Numbers parsed from the printed text (never eval), rounded as the trace rounds:
    a student redoing each line by hand gets the printed result, digit for digit."""
    rng = random.Random(5)
    for _ in range(15):
        rounding = rng.choice([Rounding("places", 4), Rounding("sigfigs", 3)])
        trace = solve(random_problem(rng, rounding=rounding), make_arithmetic(rounding, False))

        def printed(n):
            return Fraction(n.text)

        for work in worked_steps(trace):
            for line in work.lines:
                result = Fraction(line.result.text)
                assert result == line.result.value
                if line.kind == "activation":
                    value = evaluate(line.substituted, lambda n: float(printed(n)))
                    assert abs(value - float(result)) <= 10 ** -3 * max(1, abs(value)), \
                        line.text()
                    continue
                value = evaluate(line.substituted, printed)
                if line.carried is None:
                    assert round_fraction(value, rounding) == result, line.text()
                    continue
                sub = line.substituted
                old = printed(sub.left if isinstance(sub, w.Diff) else sub.terms[0])
                carried = evaluate(line.carried, printed)
                assert round_fraction(value - old, rounding) == carried - old, line.text()
                assert round_fraction(carried, rounding) == result, line.text()


def test_exact_lines_evaluate_to_their_results():
    sympy = pytest.importorskip("sympy")
    trace = solve(slides_problem(), make_arithmetic(None, True))
    for line in step_lines(trace, trace.steps[0]):
        value = evaluate(line.substituted, lambda n: float(n.value.evalf(30)))
        assert value == pytest.approx(float(line.result.value.evalf(30)), rel=1e-12)
        if line.node in (4, 5) and line.kind == "net":  # printed fractions give the result
            exact = evaluate(line.substituted, lambda n: Fraction(n.text))
            assert sympy.Rational(exact.numerator, exact.denominator) == line.result.value

"""The engine against the worked examples it must reproduce.

Problems are built directly in Python (no YAML), so these tests check only the engine and
the arithmetics. Printed numbers are asserted to the digits the source prints:
|value - printed| <= half a unit of the last printed digit.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic, round_fraction
from bpcalc.engine.backprop import solve
from bpcalc.engine.exact import ExactArithmetic
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding

F = Fraction


def close_to_printed(value, printed: str) -> bool:
    """True when `value` rounds to the printed decimal: within half a unit of its last digit."""
    digits = len(printed.split(".")[1]) if "." in printed else 0
    return abs(float(value) - float(printed)) <= 0.5 * 10**-digits + 1e-15


def assert_printed(value, printed: str, what: str = "") -> None:
    assert close_to_printed(value, printed), f"{what}: {float(value)!r} is not {printed}"


def slide_problem(convention: str = "slides", rounding: Rounding | None = None) -> Problem:
    """The lecture's 2-2-1 MLP: all weights .5, learning rate 1, pattern .9 .6 -> 0."""
    network = Network((2, 2, 1), True)
    return Problem(
        network=network,
        activations=(Activation("sigmoid"), Activation("sigmoid")),
        bias=F(1),
        weights={key: F("0.5") for key in network.weight_keys()},
        patterns=(Pattern((F("0.9"), F("0.6")), (F(0),)),),
        learning_rate=F(1),
        convention=convention,
        rounding=rounding,
    )


def seed001_problem(loss: str = "half_sse", rounding: Rounding | None = None) -> Problem:
    """The 2-1-1 example without bias: x=[1,2], w13=.5, w23=.3, w34=.8, target 1, eta .1."""
    return Problem(
        network=Network((2, 1, 1), False),
        activations=(Activation("sigmoid"), Activation("sigmoid")),
        bias=None,
        weights={(1, 3): F("0.5"), (2, 3): F("0.3"), (3, 4): F("0.8")},
        patterns=(Pattern((F(1), F(2)), (F(1),)),),
        learning_rate=F("0.1"),
        loss=loss,
        convention="textbook",
        rounding=rounding,
    )


def updates_by_key(step) -> dict:
    return {u.key: u for u in step.updates}


# --------------------------------------------------------------------------------------
# The slides' 2-2-1 example, float arithmetic, both conventions

SLIDE_FORWARD = {4: ("1.25", ".777"), 5: ("1.25", ".777"), 7: ("1.277", ".782")}
SLIDE_DELTAS = {7: "-.133", 4: "-.0115", 5: "-.0115"}
SLIDE_NEW_WEIGHTS = {
    (4, 7): ".3964", (5, 7): ".3964", (6, 7): ".3667",
    (1, 4): ".4896", (1, 5): ".4896",
    (2, 4): ".4931", (2, 5): ".4931",
    (3, 4): ".4885", (3, 5): ".4885",
}


@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_slide_example_forward_pass(convention):
    step = solve(slide_problem(convention), Arithmetic()).steps[0]
    for node_id, (net, out) in SLIDE_FORWARD.items():
        assert_printed(step.node(node_id).net, net, f"net{node_id}")
        assert_printed(step.node(node_id).out, out, f"z{node_id}")
    # inputs and bias nodes pass their values on, with no net and no delta
    assert [step.node(i).out for i in (1, 2, 3, 6)] == [0.9, 0.6, 1.0, 1.0]
    assert all(step.node(i).net is None and step.node(i).delta is None for i in (1, 2, 3, 6))
    assert [step.node(i).kind for i in range(1, 8)] == [
        "input", "input", "bias", "hidden", "hidden", "bias", "output"]


def test_slide_example_deltas_slides_convention():
    step = solve(slide_problem("slides"), Arithmetic()).steps[0]
    for node_id, printed in SLIDE_DELTAS.items():
        assert_printed(step.node(node_id).delta, printed, f"delta{node_id}")


def test_slide_example_deltas_textbook_convention_opposite_sign():
    slides = solve(slide_problem("slides"), Arithmetic()).steps[0]
    textbook = solve(slide_problem("textbook"), Arithmetic()).steps[0]
    for node_id, printed in SLIDE_DELTAS.items():
        assert_printed(textbook.node(node_id).delta, printed.replace("-", ""), f"delta{node_id}")
        assert textbook.node(node_id).delta == pytest.approx(-slides.node(node_id).delta,
                                                             abs=1e-15)


@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_slide_example_new_weights(convention):
    trace = solve(slide_problem(convention), Arithmetic())
    updates = updates_by_key(trace.steps[0])
    assert set(updates) == set(SLIDE_NEW_WEIGHTS)
    for key, printed in SLIDE_NEW_WEIGHTS.items():
        assert updates[key].old == 0.5
        assert_printed(updates[key].new, printed, f"w{key}")
        assert updates[key].new == pytest.approx(updates[key].old + updates[key].change)
        assert trace.final_weights[key] == updates[key].new
    # every change is negative: the output 0.782 is pushed toward the target 0
    assert all(u.change < 0 for u in updates.values())


def test_slide_example_both_conventions_same_changes():
    slides = solve(slide_problem("slides"), Arithmetic())
    textbook = solve(slide_problem("textbook"), Arithmetic())
    for key, value in slides.final_weights.items():
        assert textbook.final_weights[key] == pytest.approx(value, abs=1e-15)
    assert textbook.steps[0].error == pytest.approx(slides.steps[0].error, abs=1e-15)


def test_contract_json_example_values():
    """The numbers in problem-format.md's JSON example (full double precision, printed)."""
    trace = solve(slide_problem(), Arithmetic())
    step = trace.steps[0]
    assert_printed(step.node(4).net, "1.25")
    assert_printed(step.node(4).out, "0.7773")
    assert_printed(step.node(4).delta, "-0.01154")
    assert_printed(step.node(7).net, "1.2773")
    assert_printed(step.node(7).out, "0.782")
    assert_printed(step.node(7).delta, "-0.1333")
    assert_printed(step.error, "0.3058")
    w47 = updates_by_key(step)[(4, 7)]
    assert w47.old == 0.5
    assert_printed(w47.change, "-0.10363")
    assert_printed(w47.new, "0.39637")
    assert_printed(trace.final_weights[(1, 4)], "0.48962")
    assert step.epoch == 1 and step.pattern == 1


def test_slide_example_full_precision_values():
    """A handful of values to many digits, computed independently with math."""
    import math

    z4 = 1 / (1 + math.exp(-1.25))
    net7 = z4 + 0.5
    z7 = 1 / (1 + math.exp(-net7))
    d7 = (0 - z7) * z7 * (1 - z7)
    d4 = z4 * (1 - z4) * d7 * 0.5
    step = solve(slide_problem(), Arithmetic()).steps[0]
    assert step.node(4).out == pytest.approx(z4, abs=1e-15)
    assert step.node(7).net == pytest.approx(net7, abs=1e-15)
    assert step.node(7).delta == pytest.approx(d7, abs=1e-15)
    assert step.node(4).delta == pytest.approx(d4, abs=1e-15)
    assert step.error == pytest.approx(0.5 * z7 * z7, abs=1e-15)
    assert updates_by_key(step)[(2, 5)].change == pytest.approx(d4 * 0.6, abs=1e-15)


# --------------------------------------------------------------------------------------
# Seed 001: a 2-1-1 network without bias, in the textbook convention


def test_seed001_half_sse_textbook():
    trace = solve(seed001_problem(), Arithmetic())
    step = trace.steps[0]
    assert [n.kind for n in step.nodes] == ["input", "input", "hidden", "output"]
    assert_printed(step.node(3).net, "1.1")
    assert_printed(step.node(3).out, ".750")  # h
    assert_printed(step.node(4).net, "0.600")
    assert_printed(step.node(4).out, ".646")  # yhat
    assert_printed(step.node(4).delta, "-0.0811")  # delta_out = (yhat - y) yhat (1 - yhat)
    # The seed prints delta_h = -0.01217, computed from its own rounded -0.0811 and
    # h(1-h) = .1875 ("slight differences ... due to rounding at intermediate steps");
    # the true value is -0.012149, which is -0.0121(5) to the seed's precision.
    assert step.node(3).delta == pytest.approx(-0.01217, abs=3e-5)
    assert_printed(step.node(3).delta, "-0.0121")
    assert step.node(3).delta == pytest.approx(
        step.node(4).delta * 0.8 * step.node(3).out * (1 - step.node(3).out), abs=1e-15)
    # dL/dw3 = delta_out * h = -0.0608
    assert_printed(step.node(4).delta * step.node(3).out, "-0.0608")
    updates = updates_by_key(step)
    assert_printed(updates[(3, 4)].new, "0.806")
    assert_printed(updates[(1, 3)].new, "0.501")
    assert_printed(updates[(2, 3)].new, "0.302")
    # all weights increase, moving the prediction toward 1
    assert all(u.change > 0 for u in updates.values())
    assert updates[(2, 3)].change == pytest.approx(2 * updates[(1, 3)].change, abs=1e-15)


def test_seed001_rounded_three_places():
    """Worked by hand to 3 places, the seed's printed numbers come out exactly."""
    step = solve(seed001_problem(rounding=Rounding("places", 3)),
                 RoundedArithmetic(Rounding("places", 3))).steps[0]
    assert step.node(3).out == F("0.750")
    assert step.node(4).net == F("0.600")
    assert step.node(4).out == F("0.646")
    assert step.node(4).delta == F("-0.081")
    updates = updates_by_key(step)
    assert updates[(3, 4)].new == F("0.806")
    assert updates[(1, 3)].new == F("0.501")
    assert updates[(2, 3)].new == F("0.302")


def test_seed001_sse_error_is_the_printed_L():
    """The seed's L = (1 - 0.646)^2 = 0.125 is the sse loss, from the rounded yhat .646."""
    rounding = Rounding("places", 3)
    step = solve(seed001_problem("sse", rounding), RoundedArithmetic(rounding)).steps[0]
    assert step.error == F("0.125")
    half = solve(seed001_problem("half_sse", rounding), RoundedArithmetic(rounding)).steps[0]
    assert half.error == F("0.063")  # 0.0625... rounded half away from zero
    # in floats the sse error is (1 - 0.645704)^2 = 0.12553, exactly twice the half_sse one
    sse = solve(seed001_problem("sse"), Arithmetic()).steps[0]
    half_f = solve(seed001_problem("half_sse"), Arithmetic()).steps[0]
    assert sse.error == pytest.approx(0.12552571851659558, abs=1e-12)
    assert sse.error == pytest.approx(2 * half_f.error, abs=1e-15)
    # sse deltas carry the factor 2, so the changes double
    assert sse.node(4).delta == pytest.approx(2 * half_f.node(4).delta, abs=1e-15)
    assert sse.node(3).delta == pytest.approx(2 * half_f.node(3).delta, abs=1e-15)


# --------------------------------------------------------------------------------------
# Hand rounding

# Independent hand calculations of the slide example (decimal, ROUND_HALF_UP).
ROUNDED_EXPECTED = {
    ("places", 4): dict(net4="1.25", z4="0.7773", net7="1.2773", z7="0.782", d7="-0.1333",
                        err="0.3058", d4="-0.0115", c47="-0.1036", w47="0.3964",
                        w67="0.3667", w14="0.4896", w24="0.4931", w34="0.4885"),
    ("sigfigs", 4): dict(net4="1.25", z4="0.7773", net7="1.277", z7="0.7819", d7="-0.1333",
                         err="0.3057", d4="-0.01154", c47="-0.1036", w47="0.3964",
                         w67="0.3667", w14="0.4896", w24="0.4931", w34="0.4885"),
    ("sigfigs", 3): dict(net4="1.25", z4="0.777", net7="1.28", z7="0.782", d7="-0.133",
                         err="0.306", d4="-0.0115", c47="-0.103", w47="0.397",
                         w67="0.367", w14="0.490", w24="0.493", w34="0.489"),
    ("places", 3): dict(net4="1.25", z4="0.777", net7="1.277", z7="0.782", d7="-0.133",
                        err="0.306", d4="-0.012", c47="-0.103", w47="0.397",
                        w67="0.367", w14="0.489", w24="0.493", w34="0.488"),
}


@pytest.mark.parametrize("kind,digits", list(ROUNDED_EXPECTED))
@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_slide_example_rounded_exact_values(kind, digits, convention):
    rounding = Rounding(kind, digits)
    arithmetic = make_arithmetic(rounding, exact=False)
    assert isinstance(arithmetic, RoundedArithmetic)
    trace = solve(slide_problem(convention, rounding), arithmetic)
    step = trace.steps[0]
    expected = {name: F(text) for name, text in ROUNDED_EXPECTED[(kind, digits)].items()}
    sign = 1 if convention == "slides" else -1
    assert step.node(4).net == expected["net4"] == step.node(5).net
    assert step.node(4).out == expected["z4"] == step.node(5).out
    assert step.node(7).net == expected["net7"]
    assert step.node(7).out == expected["z7"]
    assert step.node(7).delta == sign * expected["d7"]
    assert step.node(4).delta == sign * expected["d4"] == step.node(5).delta
    assert step.error == expected["err"]
    updates = updates_by_key(step)
    assert updates[(4, 7)].change == expected["c47"]
    for name in ("w47", "w67", "w14", "w24", "w34"):
        key = (int(name[1]), int(name[2]))
        assert updates[key].new == expected[name], name
        assert type(updates[key].new) is Fraction
    assert updates[(5, 7)].new == expected["w47"]
    assert updates[(1, 5)].new == expected["w14"]
    assert trace.final_weights == {u.key: u.new for u in step.updates}


def test_rounded_inputs_and_initial_weights_are_not_rounded():
    """Only computed values are rounded: 0.12345 stays 0.12345 with round 2."""
    rounding = Rounding("places", 2)
    network = Network((1, 1), True)
    problem = Problem(network, (Activation("linear"),), F(1),
                      {(1, 3): F("0.12345"), (2, 3): F("1/3")},
                      (Pattern((F("0.555"),), (F("0.125"),)),), F("0.015"), rounding=rounding)
    step = solve(problem, RoundedArithmetic(rounding)).steps[0]
    assert step.node(1).out == F("0.555")
    assert step.weights[(1, 3)] == F("0.12345")
    # net = 0.555 * 0.12345 + 1/3 = 0.40184... -> 0.40
    assert step.node(3).net == F("0.40")
    assert step.node(3).out == F("0.40")
    # delta = (0.125 - 0.40) * 1 = -0.275 -> -0.28 (half away from zero)
    assert step.node(3).delta == F("-0.28")
    # change = 0.015 * -0.28 * 0.555 = -0.002331 -> -0.00 ; bias: 0.015 * -0.28 = -0.0042 -> -0.00
    updates = updates_by_key(step)
    assert updates[(1, 3)].change == 0
    # new weight = old + rounded change, then rounded: 0.12345 -> 0.12
    assert updates[(1, 3)].new == F("0.12")
    assert updates[(2, 3)].new == F("0.33")


@pytest.mark.parametrize(
    "value,kind,digits,expected",
    [
        ("0.125", "places", 2, "0.13"),
        ("-0.125", "places", 2, "-0.13"),
        ("2.5", "places", 0, "3"),
        ("-2.5", "places", 0, "-3"),
        ("0.5", "places", 0, "1"),
        ("1.5", "places", 0, "2"),
        ("0.124999", "places", 2, "0.12"),
        ("1/3", "places", 4, "0.3333"),
        ("2/3", "places", 4, "0.6667"),
        ("-2/3", "places", 1, "-0.7"),
        ("0.00005", "places", 4, "0.0001"),
        ("0.00004999", "places", 4, "0"),
        ("0", "places", 3, "0"),
        ("0.0012345", "sigfigs", 3, "0.00123"),
        ("0.0012355", "sigfigs", 4, "0.001236"),
        ("-0.0012345", "sigfigs", 3, "-0.00123"),
        ("12345", "sigfigs", 2, "12000"),
        ("12500", "sigfigs", 2, "13000"),
        ("0.9996", "sigfigs", 3, "1"),
        ("0.09995", "sigfigs", 3, "0.1"),
        ("1", "sigfigs", 3, "1"),
        ("100", "sigfigs", 1, "100"),
        ("99.95", "sigfigs", 3, "100"),
        ("1/3", "sigfigs", 2, "0.33"),
        ("1/7000", "sigfigs", 2, "0.00014"),
        ("0", "sigfigs", 3, "0"),
    ],
)
def test_round_fraction_halves_away_from_zero(value, kind, digits, expected):
    result = round_fraction(F(value), Rounding(kind, digits))
    assert result == F(expected)
    assert type(result) is Fraction


def test_round_fraction_binary_halves_are_true_decimal_halves():
    # 2.675 as a double is 2.67499999..., but the rounded arithmetic holds exact decimals
    assert round_fraction(F("2.675"), Rounding("places", 2)) == F("2.68")
    assert round_fraction(F("1.005"), Rounding("places", 2)) == F("1.01")
    # a value just below the half stays below
    assert round_fraction(F("2.675") - F(1, 10**30), Rounding("places", 2)) == F("2.67")
    # tiny and huge magnitudes in sigfigs
    assert round_fraction(F(123456789, 10**40), Rounding("sigfigs", 3)) == F(123, 10**34)
    assert round_fraction(F(10**50 + 5 * 10**47), Rounding("sigfigs", 3)) == F(101 * 10**48)


# --------------------------------------------------------------------------------------
# Exact arithmetic


def test_exact_slide_example_closed_forms():
    arithmetic = make_arithmetic(None, exact=True)
    assert isinstance(arithmetic, ExactArithmetic)
    step = solve(slide_problem(), arithmetic).steps[0]
    assert step.node(1).out == sympy.Rational(9, 10)
    assert step.node(2).out == sympy.Rational(3, 5)
    assert step.node(4).net == sympy.Rational(5, 4)
    z4 = 1 / (1 + sympy.exp(-sympy.Rational(5, 4)))
    assert sympy.simplify(step.node(4).out - z4) == 0
    assert step.node(4).out.equals(z4)
    net7 = z4 + sympy.Rational(1, 2)
    assert sympy.simplify(step.node(7).net - net7) == 0
    z7 = 1 / (1 + sympy.exp(-net7))
    assert sympy.simplify(step.node(7).out - z7) == 0
    assert sympy.simplify(step.node(7).delta - (-z7 * z7 * (1 - z7))) == 0
    assert sympy.simplify(step.error - z7**2 / 2) == 0
    w67 = updates_by_key(step)[(6, 7)]
    assert w67.old == sympy.Rational(1, 2)
    assert sympy.simplify(w67.new - (sympy.Rational(1, 2) - z7**2 * (1 - z7))) == 0
    # the exact text reads back to the same value
    text = arithmetic.exact_text(step.node(4).out)
    assert "exp" in text
    assert sympy.simplify(sympy.parse_expr(text) - z4) == 0


@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_exact_values_evaluate_to_the_float_ones(convention):
    exact = solve(slide_problem(convention), ExactArithmetic())
    floats = solve(slide_problem(convention), Arithmetic())
    ea = exact.arithmetic
    for node_e, node_f in zip(exact.steps[0].nodes, floats.steps[0].nodes, strict=True):
        assert node_e.id == node_f.id
        assert abs(ea.to_float(node_e.out) - node_f.out) <= 1e-12
        for attr in ("net", "delta"):
            value_e, value_f = getattr(node_e, attr), getattr(node_f, attr)
            assert (value_e is None) == (value_f is None)
            if value_e is not None:
                assert abs(ea.to_float(value_e) - value_f) <= 1e-12
    assert abs(ea.to_float(exact.steps[0].error) - floats.steps[0].error) <= 1e-12
    for up_e, up_f in zip(exact.steps[0].updates, floats.steps[0].updates, strict=True):
        assert up_e.key == up_f.key
        assert abs(ea.to_float(up_e.change) - up_f.change) <= 1e-12
        assert abs(ea.to_float(up_e.new) - up_f.new) <= 1e-12
    for key, value in floats.final_weights.items():
        assert abs(ea.to_float(exact.final_weights[key]) - value) <= 1e-12
    assert_printed(ea.to_float(exact.final_weights[(4, 7)]), ".3964")


def test_exact_seed001_matches_floats():
    exact = solve(seed001_problem(), ExactArithmetic())
    floats = solve(seed001_problem(), Arithmetic())
    assert exact.steps[0].node(3).net == sympy.Rational(11, 10)
    for key, value in floats.final_weights.items():
        assert abs(exact.arithmetic.to_float(exact.final_weights[key]) - value) <= 1e-12
    assert abs(exact.arithmetic.to_float(exact.steps[0].node(3).delta)
               - floats.steps[0].node(3).delta) <= 1e-12

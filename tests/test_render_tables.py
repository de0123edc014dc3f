"""The rich tables renderer and its pure helpers (names, number formatting).

Problems are built in Python, not loaded from YAML, so these tests depend only on the core.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding
from bpcalc.render.names import notation_for, weight_label
from bpcalc.render.terminal.tables import render_tables_text
from bpcalc.text import (
    decimal_text,
    format_float,
    format_value,
    fraction_text,
    show_value,
)

SLIDES_PATTERN = Pattern((Fraction(9, 10), Fraction(6, 10)), (Fraction(0),))
SECOND_PATTERN = Pattern((Fraction(1, 10), Fraction(-3, 10)), (Fraction(1),))


def slides_problem(**changes) -> Problem:
    """The lecture's 2-2-1 example: all weights 0.5, pattern (.9, .6) -> 0, rate 1."""
    network = Network((2, 2, 1), True)
    values = dict(
        network=network,
        activations=(Activation("sigmoid"), Activation("sigmoid")),
        bias=Fraction(1),
        weights={key: Fraction(1, 2) for key in network.weight_keys()},
        patterns=(SLIDES_PATTERN,),
        learning_rate=Fraction(1),
        title="2-2-1 MLP, all weights 0.5",
    )
    values.update(changes)
    return Problem(**values)


def render(problem: Problem, exact: bool = False, **options) -> str:
    trace = solve(problem, make_arithmetic(problem.rounding, exact))
    return render_tables_text(trace, width=120, **options)


def test_slides_example_float():
    text = render(slides_problem())
    for expected in ("2-2-1 MLP, all weights 0.5", "Forward pass", "Backward pass",
                     "Weight updates", "Final weights", "1.25", "0.777300", "0.781990",
                     "-0.133315", "-0.0115387", "w47", "0.396374", "0.366685", "0.489615",
                     "C = 1", "δ_j = (t_j - z_j) f'(net_j)", "w_ij ← w_ij + C δ_j z_i",
                     "net_j"):
        assert expected in text, expected
    assert "v14" not in text
    assert "Error per epoch" not in text  # a single epoch needs no summary table
    assert "0.30000000000000004" not in text


def test_textbook_names():
    text = render(slides_problem(convention="textbook"))
    for expected in ("v14", "v35", "w47", "η = 1", "h_j", "(y_j - t_j) f'(h_j)",
                     "w_ij ← w_ij - η δ_j a_i", "a4", "y7", "0.396374"):
        assert expected in text, expected
    assert "0.5 - 1 × 0.133315 × 0.777300" in text  # textbook: positive delta, minus rule


def test_summary_omits_steps():
    problem = slides_problem(patterns=(SLIDES_PATTERN, SECOND_PATTERN), epochs=2)
    text = render(problem, summary=True)
    assert "Forward pass" not in text and "Backward pass" not in text
    assert "Step 1" not in text
    assert "Error per epoch" in text and "Final weights" in text


def test_several_epochs_show_error_per_epoch():
    problem = slides_problem(patterns=(SLIDES_PATTERN, SECOND_PATTERN), epochs=2)
    text = render(problem)
    assert "Step 4: epoch 2, pattern 2" in text
    assert "Error per epoch" in text


def test_steps_filter():
    problem = slides_problem(patterns=(SLIDES_PATTERN, SECOND_PATTERN))
    text = render(problem, steps={2})
    assert "Step 2" in text and "Step 1" not in text
    assert "Final weights" in text


def test_exact_mode_shows_closed_forms():
    text = render(slides_problem(), exact=True)
    assert "exp(-5/4)" in text or "e^" in text
    assert "0.396374" in text
    assert "exact values (closed forms)" in text  # one wording, the keys' too


def test_rounded_mode_shows_carried_decimals():
    text = render(slides_problem(rounding=Rounding("places", 4)))
    for expected in ("0.7773", "0.7820", "1.2773", "-0.1333", "-0.0115", "0.3964",
                     "0.3667", "0.4896", "rounded to 4 decimal places"):
        assert expected in text, expected
    assert "0.39640000" not in text


def test_batch_shows_per_step_and_summed_changes():
    problem = slides_problem(patterns=(SLIDES_PATTERN, SECOND_PATTERN), update="batch")
    text = render(problem)
    assert "Weight changes (batch)" in text
    assert "this pattern's Δw" in text
    assert "epoch's Σ Δw" in text
    assert text.count("epoch's Σ Δw") == 1  # only on the epoch's last step


def test_weight_names():
    slides, textbook = notation_for("slides"), notation_for("textbook")
    network = Network((2, 2, 1), True)
    assert slides.weight_name((4, 7)) == "w47"
    assert slides.weight_name((4, 17)) == "w4_17"
    assert weight_label(slides, network, (1, 4)) == "w14"
    assert weight_label(textbook, network, (1, 4)) == "v14"
    assert weight_label(textbook, network, (4, 7)) == "w47"
    assert textbook.activation_symbol("hidden") == "a"
    assert textbook.activation_symbol("output") == "y"
    assert textbook.net_name(4) == "h4" and slides.net_name(4) == "net4"
    assert textbook.rate == "η" and slides.rate == "C"
    with pytest.raises(KeyError):
        notation_for("nonsense")


def test_rule_texts_follow_loss():
    slides = notation_for("slides")
    assert slides.output_delta_rule("sse").startswith("δ_j = 2 (t_j - z_j)")
    assert "(2/K)" in slides.output_delta_rule("mse")
    assert slides.output_delta_rule(perceptron=True) == "δ_j = (t_j - z_j)"
    assert slides.loss_formula("half_sse") == "E = ½ Σ_k (t_k - z_k)²"


def test_number_formatting():
    assert format_float(0.1 + 0.2) == "0.3"
    assert format_float(0.7772998611) == "0.777300"
    assert format_float(1.25) == "1.25"
    assert format_float(0.0) == "0"
    assert decimal_text(Fraction(1982, 5000)) == "0.3964"
    assert decimal_text(Fraction(-5, 10000)) == "-0.0005"
    assert decimal_text(Fraction(29, 500), min_places=4) == "0.0580"
    assert decimal_text(Fraction(1, 3)).endswith("…")
    assert fraction_text(Fraction(9, 10)) == "0.9"
    assert fraction_text(Fraction(1, 3)) == "1/3"
    assert format_value(Arithmetic(), 0.39637400000000004) == "0.396374"
    rounded = RoundedArithmetic(Rounding("places", 4))
    assert format_value(rounded, Fraction(1982, 5000)) == "0.3964"
    assert format_value(rounded, Fraction(33, 100)) == "0.3300"


def test_exact_number_formatting():
    exact = make_arithmetic(None, True)
    # a terminating fraction is shown as SymPy keeps it, equal to its decimal
    assert format_value(exact, exact.number(Fraction(5, 4))) == "5/4 = 1.25"
    assert format_value(exact, exact.number(Fraction(3))) == "3"
    assert format_value(exact, exact.number(Fraction(1, 3))) == "1/3 ≈ 0.333333"
    long = exact.number(Fraction(9, 10) ** 20)
    assert format_value(exact, long) == "0.12157665459056928801 ≈ 0.121577"
    assert format_value(exact, exact.number(Fraction(1))) == "1"
    sigmoid = exact.activate(Activation("sigmoid"), exact.number(Fraction(5, 4)))
    shown = show_value(exact, sigmoid)
    assert shown.decimal == "0.777300" and not shown.equal
    assert "exp(-5/4)" in shown.exact or "e^" in shown.exact
    assert show_value(exact, sigmoid, exact_limit=5).elided

"""The answer keys' formulas read alike in every format: the formula list says which delta
is which, a negative factor is bracketed everywhere, -(-x) is written x, and a value shows
the same digits in its worked line and its table (hand rounding included, where f'(net) is
said not to be rounded)."""

from __future__ import annotations

from pathlib import Path

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.render import formats

ROOT = Path(__file__).resolve().parent.parent
SLIDES = str(ROOT / "problems" / "slides_2-2-1.yaml")


def key(fmt: str, rounding=None, path: str = SLIDES) -> str:
    problem = load_problem(path)
    if rounding is not None:
        import dataclasses

        problem = dataclasses.replace(problem, rounding=rounding)
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    return formats.render(trace, fmt, formats.Options(show="both", width=120))


# By hand from the slides: δ4 = δ7 w47 z4 (1 - z4), δ7 = -z7² (1 - z7) with z7 = 0.781990,
# so δ4 = -0.0115387 to 6 figures; Δw14 = 1 × δ4 × 0.9.
DELTA4 = "0.0115387"


def test_the_formula_list_labels_the_deltas():
    assert r"\text{output}\ \delta\text{:}\quad" in key("markdown")
    assert r"\text{hidden}\ \delta\text{:}\quad" in key("latex")
    html = key("html")
    assert '<span class="label">output δ:</span>' in html
    assert '<span class="label">hidden δ:</span>' in html


def test_a_negative_factor_is_bracketed_in_every_format():
    assert f"(1 * (-{DELTA4}) * 0.9)" in key("table")
    assert rf"1 \times \left(-{DELTA4}\right) \times 0.9" in key("markdown")
    assert rf"1 \times \left(-{DELTA4}\right) \times 0.9" in key("latex")
    assert f"1 × (−{DELTA4}) × 0.9" in key("html")
    for fmt in ("table", "markdown", "latex", "html"):
        text = key(fmt)
        for unbracketed in (f"* -{DELTA4}", rf"\times -{DELTA4}", f"× −{DELTA4}"):
            assert unbracketed not in text, (fmt, unbracketed)


def test_worked_lines_show_the_tables_digits():
    md = key("markdown")
    # z7 = 1/(1 + e^-1.2773) = 0.781990 (sigmoid of 1.277300 by hand); the table's cell too
    assert r"= 0.781990" in md and "| 0.781990 |" in md
    assert "0.7820" not in md
    assert "shown to 6 significant digits" in md


def test_hand_rounding_pads_and_says_fprime_is_not_rounded():
    from bpcalc.problem.model import Rounding

    md = key("markdown", Rounding("places", 4))
    # z7 = sigmoid(1.2773) = 0.78199 -> 0.7820 to 4 places, in the line as in the table
    assert r"\frac{1}{1 + e^{-1.2773}} = 0.7820" in md and "| 0.7820 |" in md
    # f'(net7) = 0.7820 (1 - 0.7820) = 0.170476 exactly, carried unrounded, and said so
    assert "| 0.170476 |" in md
    assert "f'(net\\_j) is not rounded" in md
    assert "f'(net) is not" in md  # the statement's rounding line


def test_html_writes_e_to_minus_a_negative_net_as_a_positive_power():
    """xor.yaml step 1, input (0, 0): net5 = bias weight -0.2 (by hand), so z5 = 1/(1 +
    e^{0.2}) in every key; the HTML once wrote e^{−.2}, the sign flipped and the 0 lost.
    Exact: e^{1/5}, once e^{−/5}. A negative decimal after ≈ gets a true minus too."""
    import dataclasses

    problem = dataclasses.replace(load_problem(str(ROOT / "problems" / "xor.yaml")), epochs=1)
    for exact, power in ((False, "0.2"), (True, "1/5")):
        trace = solve(problem, make_arithmetic(problem.rounding, exact))
        page = formats.render(trace, "html", formats.Options(exact=exact))
        assert f"= 1/(1 + <i>e</i><sup>{power}</sup>)" in page
        assert "<sup>−.2</sup>" not in page and "<sup>−/5</sup>" not in page
        assert "≈ -" not in page
    assert "e^{0.2}" in key("markdown", path=str(ROOT / "problems" / "xor.yaml"))

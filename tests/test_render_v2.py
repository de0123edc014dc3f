"""The human-facing outputs of version 2 (problem-format.md section 4): the digits `display`
shows, the statement's loss and delta rules, softmax's and cross-entropy's worked lines,
momentum's two-part change, frozen bias weights, mini-batch groups, the epoch table's
mistakes and stop line, the until line on the plot, and answer keys that compile and
escape what the user wrote."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import parse_problem
from bpcalc.render.worked import plain_style, step_lines
from bpcalc.text import display_text, format_float
from tests.test_documents import compile_latex

PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
SLIDES = (PROBLEMS / "slides_2-2-1.yaml").read_text(encoding="utf-8")
XOR = (PROBLEMS / "xor.yaml").read_text(encoding="utf-8").replace("epochs: 5\n", "")
DISPLAY = "display: {round: {net: 3, out: 3, weight: 4}, sigfigs: {delta: 3}}\n"
SOFTMAX = """title: softmax
layers: [2, 3, 3]
activation: [sigmoid, softmax]
loss: cross_entropy
weights:
  - [[0.1, 0.2, -0.1], [0.3, -0.2, 0.1], [-0.1, 0.4, 0.2]]
  - [[0.2, -0.3, 0.1, 0.05], [0.1, 0.2, -0.2, 0.0], [-0.1, 0.1, 0.3, -0.05]]
pattern: [0.5, 0.2]
target: [0, 1, 0]
learning_rate: 0.5
"""


def run(tmp_path: Path, text: str, *options: str) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, [options[0], str(path), *options[1:]],
                                env={"COLUMNS": "200"})  # worked lines on one line each
    assert result.exit_code == 0, result.output
    return result.output


def solved(text: str, exact: bool = False):
    problem = parse_problem(text)
    return solve(problem, make_arithmetic(problem.rounding, exact))


def lines_of(trace, step: int = 0) -> dict[str, str]:
    style = plain_style(trace)
    return {style.sym(line.target): line.text(style)
            for line in step_lines(trace, trace.steps[step])}


def cells(output: str, name: str) -> list[str]:
    """The cells of the table rows whose first cell is `name`."""
    rows = [line.split("│")[1:-1] for line in output.splitlines() if line.startswith("│")]
    return [[cell.strip() for cell in row] for row in rows if row and row[0].strip() == name]


# -- display -------------------------------------------------------------------------------


def test_display_digits_exact_places_and_figures():
    from bpcalc.problem.model import Rounding

    places, figures = Rounding("places", 3), Rounding("sigfigs", 3)
    assert display_text(0.7772998611, places) == "0.777"
    assert display_text(0.77, places) == "0.77"  # exact in fewer digits: as it is
    assert display_text(1.2500000000000002, places) == "1.25"  # binary noise is exact
    assert display_text(0.7769996, places) == "0.777"
    assert display_text(0.7770004, Rounding("places", 4)) == "0.7770"  # zero kept
    assert display_text(-0.0115387, figures) == "-0.0115"
    assert display_text(0.0999613, figures) == "0.100"
    assert display_text(0.28125, Rounding("sigfigs", 4)) == "0.2813"  # half away from 0
    assert display_text(-0.00001, places) == "0.000"


def test_slides_display_in_tables_worked_lines_and_keys(tmp_path):
    text = SLIDES + DISPLAY
    tables = run(tmp_path, text, "solve", "--show", "both")
    assert cells(tables, "4")[0][3:] == ["1.25", "0.777"]
    assert cells(tables, "7")[0][3:] == ["1.277", "0.782"]
    assert cells(tables, "7")[1][3] == "-0.133"
    assert cells(tables, "4")[1][3] == "-0.0115"
    assert cells(tables, "w47")[0][-1] == "0.3964"
    assert cells(tables, "w67")[0][-1] == "0.3667"
    assert cells(tables, "w14")[-1][-1] == "0.4896"
    assert "z7 = 1/(1 + e^-net7) = 1/(1 + e^-1.277) = 0.782" in tables
    assert "w47 = w47 + (C * δ7 * z4) = 0.5 + (1 * (-0.133) * 0.777) = 0.3964" in tables
    assert "Shown" in tables and "delta to 3 significant figures" in tables
    for fmt in ("markdown", "html", "latex"):
        key = run(tmp_path, text, "solve", "--format", fmt).replace("\u2212", "-").replace(
            "$-$", "-")
        for number in ("1.277", "0.782", "-0.133", "-0.0115", "0.3964", "0.3667", "0.4896"):
            assert number in key, (fmt, number)
        assert not re.search(r"0\.7773|-0\.1333(?!\d)", key)  # the 4-figure defaults
        assert "-0.133315" in key  # the change: a quantity display does not name
    data = json.loads(run(tmp_path, text, "solve", "--format", "json"))
    assert data["steps"][0]["nodes"][6]["out"] == pytest.approx(0.78199, abs=1e-5)  # full


def test_rounding_per_quantity_is_described_and_padded(tmp_path):
    text = SLIDES + "round: {out: 3, weight: 4}\nsigfigs: {delta: 3}\n"
    output = run(tmp_path, text, "solve", "--show", "both")
    assert "out to 3 decimal places, delta to 3 significant" in output
    assert cells(output, "w67")[-1][-1] == "0.3670"  # padded to the weight's 4 places
    assert cells(output, "w47")[-1][-1] == "0.3967"
    # the weight padded to its 4 places, as the tables show it; the negative δ4 bracketed
    assert "w14 = w14 + (C * δ4 * z1) = 0.5000 + (1 * (-0.0115) * 0.9)" in output
    assert "= 0.5000 + (-0.01035)" in output


# -- statement -------------------------------------------------------------------------


def test_statement_rules_for_softmax_cross_entropy(tmp_path):
    slides = run(tmp_path, SOFTMAX, "solve")
    assert "cross_entropy: E = -Σ_k t_k ln z_k" in slides
    assert "δ_k = t_k - z_k Σ_j t_j" in slides
    assert "(t_k - z_k)²" not in slides
    textbook = run(tmp_path, SOFTMAX, "solve", "--convention", "textbook")
    assert "E = -Σ_k t_k ln y_k" in textbook
    assert "δ_k = y_k Σ_j t_j - t_k" in textbook
    general = run(tmp_path, SOFTMAX.replace("cross_entropy", "half_sse"), "solve")
    assert "δ_k = -Σ_j ∂E/∂z_j z_j (1[j = k] - z_k)" in general


def test_statement_rules_for_chain_and_closed_forms(tmp_path):
    tanh = SLIDES.replace("activation: sigmoid", "activation: [sigmoid, tanh]").replace(
        "target: [0]", "target: [0.5]") + "loss: cross_entropy\n"
    assert "δ_j = (t_j/z_j) f'(net_j)" in run(tmp_path, tanh, "solve")
    binary = SLIDES + "loss: binary_cross_entropy\nbeta: 2\n"
    output = run(tmp_path, binary, "solve")
    assert "E = -Σ_k [t_k ln z_k + (1 - t_k) ln(1 - z_k)]" in output
    assert "δ_j = 2 (t_j - z_j)" in output


def test_statement_training_facts(tmp_path):
    text = XOR + "epochs: 300\nmomentum: 0.9\nuntil: {error: 0.05}\ntrain_bias: false\n"
    output = run(tmp_path, text, "solve", "--summary")
    assert "Δw_ij(n) = C δ_j z_i + α Δw_ij(n-1)" in output
    assert "α = 0.9" in output
    assert "at most 300 epochs" in output
    assert "is at most 0.05" in output
    assert "not trained: they keep their initial values" in output
    batch = run(tmp_path, XOR + "update: batch\nbatch_size: 2\n", "solve", "--summary")
    assert "batch updates in groups of 2 patterns" in batch


# -- worked lines ------------------------------------------------------------------------


def test_softmax_and_cross_entropy_worked_lines():
    trace = solved(SOFTMAX)
    lines = lines_of(trace)
    step = trace.steps[0]
    z8, z9, z10 = (step.node(k).out for k in (8, 9, 10))
    assert lines["z8"].startswith("z8 = e^0.03953/(e^0.03953 + e^0.04876 + e^0.1227) = ")
    assert lines["z8"].endswith(f"= {z8:.4f}")
    assert lines["E"] == f"E = -ln({z9:.4f}) = {-math.log(z9):.3f}"
    assert lines["δ8"] == f"δ8 = 0 - {z8:.4f} * (0 + 1 + 0) = {-z8:.4f}"
    assert lines["δ9"] == f"δ9 = 1 - {z9:.4f} * (0 + 1 + 0) = {1 - z9:.4f}"
    assert step.node(10).delta == pytest.approx(-z10)


def test_softmax_jacobian_line_sums_every_output():
    trace = solved(SOFTMAX.replace("cross_entropy", "half_sse"))
    line = lines_of(trace)["δ8"]
    z = {k: trace.steps[0].node(k).out for k in (8, 9, 10)}
    t = {8: 0, 9: 1, 10: 0}
    expected = sum((t[j] - z[j]) * z[j] * ((j == 8) - z[8]) for j in z)
    assert line.count("(0 - ") >= 3 and "(1 - 0.3230)" in line
    assert trace.steps[0].node(8).delta == pytest.approx(expected)
    assert line.endswith(f"= {expected:.4f}")


def test_momentum_change_line_has_both_parts(tmp_path):
    text = XOR + "epochs: 2\nmomentum: 0.9\n"
    trace = solved(text)
    data = json.loads(run(tmp_path, text, "solve", "--format", "json"))
    update = data["steps"][1]["updates"][2]  # w34, step 2
    assert (update["from"], update["to"]) == (3, 4)
    rate_term = -0.5 * update["gradient"]
    line = lines_of(trace, 1)["Δw34"]
    before = data["steps"][0]["updates"][2]["change"]
    assert line.startswith("Δw34 = 0.5 * 0.01815 * 1 + 0.9 * ")
    shown = lambda value: format_float(value, 4)  # noqa: E731 (worked lines: 4 figures)
    negative = f"({shown(before)})" if before < 0 else shown(before)  # in parentheses
    assert f"0.9 * {negative} = " in line
    assert f" = {shown(rate_term)} + ({shown(update['momentum'])}) = " in line
    assert line.endswith(f" = {shown(update['change'])}")
    assert (shown(rate_term), shown(update["momentum"])) == ("0.009073", "-0.01139")
    assert update["change"] == pytest.approx(rate_term + update["momentum"])
    assert lines_of(trace, 1)["w34"] == (f"w34 = {shown(update['old'])} + "
                                         f"({shown(update['change'])}) = "
                                         f"{shown(update['new'])}")


def test_frozen_bias_and_groups(tmp_path):
    text = XOR + "epochs: 1\nupdate: batch\nbatch_size: 2\ntrain_bias: false\n"
    trace = solved(text)
    lines = lines_of(trace, 1)
    assert lines["w34"] == "w34 = 0.1"
    assert lines["Δw34(p2)"] == "Δw34(p2) = 0"
    assert lines["w47"].startswith("w47 = 0.7 + (-0.03806 + 0.02216) = ")  # group 1 only
    output = run(tmp_path, text, "solve", "--steps", "2")
    assert "Step 2: epoch 1, pattern 2, group 1 (patterns 1–2)" in output
    assert "bias weight, not trained" in output
    assert "group's summed changes are applied now" in output


# -- epochs, plot ------------------------------------------------------------------------


def test_stop_line_and_mistakes(tmp_path):
    text = XOR + "epochs: 300\nmomentum: 0.9\nuntil: {error: 0.05}\n"
    data = json.loads(run(tmp_path, text, "solve", "--format", "json"))
    epoch = data["stopped"]["epoch"]
    assert data["stopped"]["reason"] == "until"
    error = data["epochs"][-1]["error"]
    output = run(tmp_path, text, "solve", "--summary")
    assert f"Training stopped at epoch {epoch}: error {error:.6g} <= 0.05 (until met)." \
        in output
    limited = run(tmp_path, text.replace("epochs: 300", "epochs: 20"), "solve", "--summary")
    assert "stopped at epoch 20: the epoch limit (epochs: 20) was reached before E <= 0.05" \
        in limited
    perceptron = (PROBLEMS / "perceptron_and.yaml").read_text(encoding="utf-8")
    output = run(tmp_path, perceptron.replace("epochs: 6", "epochs: 20\nuntil: no_mistakes"),
                 "solve", "--summary")
    assert "mistakes" in output
    assert "Training stopped at epoch 6: no mistakes (until met)." in output
    assert cells(output, "6")[0][1:] == ["0", "0"]


def test_plot_draws_the_until_threshold():
    from bpcalc.render.pictures.plot import error_plot_figure

    trace = solved(XOR + "epochs: 300\nmomentum: 0.9\nuntil: {error: 0.05}\n")
    axes = error_plot_figure(trace).axes[0]
    flat = [line for line in axes.get_lines() if set(line.get_ydata()) == {0.05}]
    assert len(flat) == 1
    assert "met at epoch" in flat[0].get_label()


# -- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [SOFTMAX, XOR + "epochs: 2\nupdate: batch\nbatch_size: 2\n"
                                   "momentum: 0.5\ntrain_bias: false\n", SLIDES + DISPLAY])
def test_v2_latex_keys_compile(extra, tmp_path):
    compile_latex(run(tmp_path, extra, "solve", "--format", "latex"), tmp_path)


def test_v2_exact_softmax_latex_compiles(tmp_path):
    compile_latex(run(tmp_path, SOFTMAX, "solve", "--format", "latex", "--exact"), tmp_path)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def test_html_key_escapes_user_text(tmp_path):
    text = (XOR + "epochs: 300\nmomentum: 0.9\nuntil: {error: 0.05}\n").replace(
        'title: "XOR, 2-2-1 sigmoid network"', "title: '<script>x</script> & <b>y_z'")
    page = run(tmp_path, text, "solve", "--format", "html", "--summary")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;x&lt;/script&gt; &amp; &lt;b&gt;y_z" in page
    assert re.search(r"Training stopped at epoch \d+: error [\d.]+ &lt;= 0.05", page)


def test_check_report_with_rounding_per_quantity(tmp_path):
    """`bpcalc check` of a problem rounded per quantity (was AttributeError: 'kind')."""
    problem = tmp_path / "p.yaml"
    problem.write_text(SLIDES + "round: {out: 3, weight: 4}\nsigfigs: {delta: 3}\n",
                       encoding="utf-8")
    answers = PROBLEMS / "answers" / "slides_2-2-1_correct.yaml"
    result = CliRunner().invoke(app, ["check", str(problem), str(answers)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert cells(result.output, "delta4")[0][1:4] == ["-.0115", "-0.0115", "right"]
    assert cells(result.output, "z7")[0][1:4] == [".782", "0.782", "right"]
    report = json.loads(CliRunner().invoke(app, ["check", str(problem), str(answers),
                                                 "--format", "json"]).output)
    assert report["rounding"]["by_quantity"]["delta"] == {"kind": "sigfigs", "digits": 3}


def test_explain_labels_softmax_and_cross_entropy_factors(tmp_path):
    """Through a softmax each path names its Jacobian factor ∂z_o/∂net_k; a cross-entropy
    loss its own ∂E/∂z; and the chain rule agrees with backprop."""
    output = run(tmp_path, SOFTMAX, "explain", "w48")
    z8, z9 = solved(SOFTMAX).steps[0].node(8).out, solved(SOFTMAX).steps[0].node(9).out
    assert f"-t9/z9 = -1/{z9:.6f}" in output
    assert f"-z9 z8 = -{z9:.6f} × {z8:.6f}" in output
    assert f"z8(1 - z8) = {z8:.6f} × (1 - {z8:.6f})" in output
    assert "-(t9 - z9)" not in output
    assert "the chain rule and backprop agree" in output
    momentum = run(tmp_path, XOR + "epochs: 2\nmomentum: 0.9\n", "explain", "w47",
                   "--step", "2")
    assert "the update adds the momentum term α Δw47(prev) = -0.0342541" in momentum

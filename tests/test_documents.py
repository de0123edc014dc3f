"""Answer keys (`solve --format markdown|latex|html`): contents, structure, and real TeX.

Every bundled problem is rendered in each format through the real command; the numbers
checked are the seeds' (slides 2-2-1, paper 2-1-1) or computed here by hand (delta rule,
perceptron, XOR's first forward pass). The LaTeX is compiled with pdflatex.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.render.document.formula import split_relation, to_html, to_latex
from bpcalc.render.document.latex import escape_text

PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
BUNDLED = sorted(path.name for path in PROBLEMS.glob("*.yaml"))
FORMATS = ("markdown", "latex", "html")


@cache
def key(problem: str | Path, fmt: str, *options: str) -> str:
    """The answer key as the real command writes it (cached: several tests read each)."""
    path = problem if isinstance(problem, Path) else PROBLEMS / problem
    result = CliRunner().invoke(app, ["solve", str(path), "--format", fmt, *options])
    assert result.exit_code == 0, result.output
    return result.output


def plain(text: str) -> str:
    """HTML's true minus signs as hyphens, so one number list serves every format."""
    return text.replace("\u2212", "-")


def xor_first_forward() -> tuple[float, float, float]:
    """XOR's first step by hand: pattern (0, 0), so only the bias weights act."""
    sigmoid = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    z4, z5 = sigmoid(0.1), sigmoid(-0.2)
    net7 = 0.7 * z4 - 0.5 * z5 + 0.3
    return z4, z5, net7


# Numbers every key of a problem must show: the seeds' answers (to the slides' 4
# significant digits; the keys show 6), or values worked out by hand in the comments.
EXPECTED = {
    # slides: net4 1.25, z4 .777(3), net7 1.277, z7 .782, δ7 -.133, δ4 -.0115,
    # w47 .3964, w67 .3667, w14 .4896, w24 .4931, w34 .4885
    "slides_2-2-1.yaml": ["1.25", "0.7773", "1.277", "0.7820", "-0.1333", "-0.01154",
                          "0.3964", "0.3667", "0.4896", "0.4931", "0.4885"],
    # paper explainer: h .750, yhat .646, δ_out -0.0811, δ_h -0.01217, w3 .806, w1 .501,
    # w2 .302
    "paper_2-1-1.yaml": ["0.7503", "0.6457", "-0.08105", "-0.01215", "0.8061", "0.5012",
                         "0.3024"],
    # pattern (1, .5) -> 1: net = .2 - .05 + .1 = .25, E = ½(.75)² = .28125, δ = .75,
    # w14 = .2 + .1·.75·1 = .275, w24 = -.1 + .1·.75·.5 = -.0625, w34 = .1 + .075 = .175
    # (.28125 to 4 digits is 0.2813: halves away from zero, as check judges it)
    "delta_rule.yaml": ["0.25", "0.2813", "0.75", "0.275", "-0.0625", "0.175"],
    # pattern (0, 0) -> 0 from weights 0: net 0 >= 0 fires, so δ = -1 and the bias
    # weight drops to 0 + .5·(-1)·1 = -0.5
    "perceptron_and.yaml": ["-0.5", "Step 24: epoch 6, pattern 4"],
    "xor.yaml": [f"{value:.4g}" for value in xor_first_forward()]
                + ["Step 20: epoch 5, pattern 4", "Error per epoch"],
    # version 2 (the problems' own comments): Mazur's out_o1 .75136507, out_o2 .772928465,
    # E .298371109, w5 new .35891648, w1 new .149780716 (his biases are not updated)
    "mazur_2-2-2.yaml": ["0.7514", "0.7729", "0.2984", "0.3589", "0.1498",
                         "not trained: they keep their initial values"],
    # OR learnt after epoch 4, weights .5, .5 and bias weight -.5
    "perceptron_or.yaml": ["Step 16: epoch 4, pattern 4", "-0.5",
                           "Training stopped at epoch 4: no mistakes (until met)."],
    # the slide's carried rounding: w47 .3967, w67 .3670, w14 .4897, w24 .4931, w34 .4885
    "slides_mixed_rounding.yaml": ["0.3967", "0.3670", "0.4897", "0.4931", "0.4885",
                                   "out to 3 decimal places"],
    # z8 .3887, z9 .2987, z10 .3125, E = -ln z9 = 1.2082, δ9 = 1 - z9 = .7013, δ4 .07983,
    # w7_9 new -.1 + .5 · .7013 = .2506
    "softmax_2-3-3.yaml": ["0.3887", "0.2987", "0.3125", "1.208", "0.7013", "0.07983",
                           "0.2506"],
    # epoch 196 ends at .0469, where until stops the run
    "xor_momentum.yaml": ["Step 784: epoch 196, pattern 4", "0.0468818",
                          "Training stopped at epoch 196"],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("problem", BUNDLED)
def test_every_bundled_problem_gives_a_complete_key(problem, fmt):
    text = plain(key(problem, fmt))
    for section in ("Problem", "Formulas", "Training patterns", "Initial weights",
                    "Step 1: epoch 1, pattern 1", "Forward pass", "Error", "Backward pass",
                    "Weight updates", "Final weights"):
        assert section in text, section
    for number in EXPECTED[problem]:
        assert shows(text, number), number


_NUMBER = re.compile(r"-?\d*\.?\d+")


def shows(text: str, expected: str) -> bool:
    """`expected` is in the text, or (a number) some longer decimal of the text rounds to
    it (halves away from zero): keys write 6 significant digits, the slides 4."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    if expected in text:
        return True
    try:
        wanted = Decimal(expected)
    except InvalidOperation:
        return False
    places = len(expected.partition(".")[2])
    step = Decimal(1).scaleb(-places)
    return any(len(found.partition(".")[2]) > places
               and Decimal(found).quantize(step, ROUND_HALF_UP) == wanted
               for found in _NUMBER.findall(text))


def test_slides_key_reads_like_the_lecture():
    md = key("slides_2-2-1.yaml", "markdown")
    # the slide's worked lines, formula first, then the numbers
    assert (r"\mathrm{net}_{4} = z_{1} \times w_{14} + z_{2} \times w_{24} + z_{3} \times "
            r"w_{34} = 0.9 \times 0.5 + 0.6 \times 0.5 + 1 \times 0.5 = 1.25") in md
    # a negative factor in parentheses; the digits of the tables (0.396374 below)
    assert (r"= 0.5 + \left(1 \times \left(-0.133315\right) \times 0.777300\right) "
            r"= 0.396374") in md
    # the statement: numbering, activation, loss, convention formulas, rate, weights table
    assert "inputs 1–2, bias 3; hidden 4–5, bias 6; output 7" in md
    assert r"$f(\mathrm{net}) = 1/(1 + e^{-\mathrm{net}})$" in md
    assert r"\delta_{j} = f'(\mathrm{net}_{j}) \sum_{k} \delta_{k} w_{jk}" in md
    assert r"w_{ij} \leftarrow w_{ij} + C \delta_{j} z_{i}" in md
    assert "$C = 1$" in md
    assert "| $w_{67}$ | 6 → 7 | 0.5 |" in md
    # final weights: initial and final side by side, full precision
    assert "| $w_{47}$ | 4 → 7 | 0.5 | 0.396374 |" in md


def test_textbook_key_uses_the_textbook_signs_and_names():
    md = key("paper_2-1-1.yaml", "markdown")
    assert r"w_{ij} \leftarrow w_{ij} - \eta \delta_{j} a_{i}" in md
    assert (r"= 0.8 - \left(0.1 \times \left(-0.0810524\right) \times 0.750260\right) "
            r"= 0.806081") in md
    assert r"$\eta = 0.1$" in md


def test_rounded_key_shows_the_values_carried():
    md = key("slides_2-2-1.yaml", "markdown", "--round", "4")
    assert "rounded to 4 decimal places" in md
    # the change is rounded before it is added, and the line says so
    assert r"= 0.5000 + \left(-0.1036\right) = 0.3964" in md
    assert "| $z_{7}$ | 1.2773 | 0.7820 |" in md  # padded as carried by hand


@cache
def exact_key(fmt: str) -> str:
    """The slides' key in exact mode, solved once (SymPy is slow to start)."""
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.problem.loader import load_problem
    from bpcalc.render import formats

    problem = load_problem(str(PROBLEMS / "slides_2-2-1.yaml"))
    return formats.render(solve(problem, make_arithmetic(None, True)), fmt)


def test_exact_key_shows_closed_forms():
    md = exact_key("markdown")
    # z4 = 1/(1 + e^(-5/4)), its decimal beside it
    assert r"z_{4} = \frac{1}{1 + e^{-\mathrm{net}_{4}}} = \frac{1}{1 + e^{-5/4}} = " in md
    assert r"\approx 0.777300" in md
    assert "| $z_{4}$ | $5/4 = 1.25$ | $1/(e^{-5/4} + 1) \\approx 0.777300$ |" in md
    page = exact_key("html")
    assert "≈ 0.777300" in page and "<i>e</i><sup>\u22125/4</sup>" in page


def test_summary_and_steps_choose_what_is_written():
    summary = key("xor.yaml", "markdown", "--summary")
    assert "Step 1:" not in summary and "Error per epoch" in summary
    chosen = key("xor.yaml", "html", "--steps", "2")
    assert "Step 2: epoch 1, pattern 2" in chosen and "Step 1:" not in chosen


def test_output_file_is_written(tmp_path):
    target = tmp_path / "key.html"
    result = CliRunner().invoke(app, ["solve", str(PROBLEMS / "slides_2-2-1.yaml"),
                                      "--format", "html", "-o", str(target)])
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- structure ---------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}


class _Nesting(HTMLParser):
    """Checks that every element is closed, in order."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("problem", BUNDLED)
def test_html_is_one_well_formed_offline_file(problem):
    page = key(problem, "html")
    assert page.startswith("<!DOCTYPE html>")
    checker = _Nesting()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert {"html", "head", "style", "body", "table", "h1"} <= checker.tags
    assert '<meta charset="utf-8">' in page
    # self-contained: nothing fetched, nothing run (href="#id" points inside the page)
    assert not re.search(r"src=|href=(?!\"#)|https?:|<script|@import|url\((?!#)", page)


TABLE_ROW = re.compile(r"^\|.*\|$")


@pytest.mark.parametrize("problem", BUNDLED)
def test_markdown_maths_is_balanced_and_tables_are_regular(problem):
    md = key(problem, "markdown")
    assert "\\\\" not in md  # no LaTeX line breaks: Markdown may eat the backslashes
    unescaped_dollars = re.compile(r"(?<!\\)\$")
    for line in md.splitlines():
        assert len(unescaped_dollars.findall(line)) % 2 == 0, line
    rows = [line for line in md.splitlines() if TABLE_ROW.match(line)]
    assert rows
    for line in rows:
        # cells split on unescaped pipes only; none may hide inside maths
        inside_math = re.findall(r"\$[^$]*\$", line)
        assert all("|" not in math for math in inside_math), line


def test_markdown_prose_is_escaped(tmp_path):
    problem = tmp_path / "odd.yaml"
    problem.write_text((PROBLEMS / "slides_2-2-1.yaml").read_text(encoding="utf-8").replace(
        'title: "2-2-1 MLP, all weights 0.5 (lecture slides)"',
        'title: "50% of *x_1* & <b>$5</b> #1 {a} ~ ^ \\\\ ünï 中文"'), encoding="utf-8")
    md = key(problem, "markdown")
    assert md.startswith(r"# 50% of \*x\_1\* &amp; \<b\>\$5\</b\> \#1 {a} \~ ^ \\ ünï 中文")
    page = key(problem, "html")
    assert "<title>50% of *x_1* &amp; &lt;b&gt;$5&lt;/b&gt; #1" in page
    tex = key(problem, "latex")
    assert r"50\% of *x\_1* \& \textless{}b\textgreater{}\$5" in tex
    compile_latex(tex, tmp_path)


# -- formula typesetting -----------------------------------------------------------------


def test_formula_text_becomes_latex_and_html():
    assert to_latex("w4_17") == "w_{4,17}"
    assert to_latex("net4 = .9 * .5 = .45", align=True) == \
        r"\mathrm{net}_{4} &= .9 \times .5 = .45"
    assert to_latex("E = ½ Σ_k (t_k - z_k)²") == \
        r"E = \tfrac{1}{2} \sum_{k} (t_{k} - z_{k})^{2}"
    assert to_latex("W^2_74") == "W_{74}^{2}"
    assert to_latex("z = 1/(1 + e^(-2·net))") == r"z = 1/(1 + e^{-2\cdot \mathrm{net}})"
    assert to_html("δ_jk - w47") == \
        "δ<sub><i>j</i><i>k</i></sub> \u2212 <i>w</i><sub>47</sub>"
    assert to_html("W^2_74") == '<i>W</i><span class="ss"><sup>2</sup><sub>74</sub></span>'
    assert to_html("a < b & c") == "<i>a</i> &lt; <i>b</i> &amp; <i>c</i>"
    assert split_relation("f(x = 1) ← y = 2") == ("f(x = 1) ", "← y = 2")


def test_latex_text_escapes_every_special():
    assert escape_text(r"50% & $ # _ { } ~ ^ \ ") == \
        (r"50\% \& \$ \# \_ \{ \} \textasciitilde{} \^{} \textbackslash{} ")
    assert escape_text("σ → ü 中") == r"$\sigma$ $\to$ ü ?"


# -- real TeX ----------------------------------------------------------------------------


def compile_latex(tex: str, directory: Path, *, fits: bool = False) -> None:
    """pdflatex must turn the key into a PDF; missing glyphs count as failures, and with
    `fits` so does anything wider than the page."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing: .ci/run must install TeX (texlive-latex-base)")
        pytest.skip("pdflatex not installed (apt-get install texlive-latex-base "
                    "texlive-latex-recommended texlive-fonts-recommended)")
    (directory / "key.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", "key.tex"], cwd=directory,
                          capture_output=True, text=True, timeout=300)
    log = (directory / "key.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert (directory / "key.pdf").read_bytes().startswith(b"%PDF")
    assert "Missing character" not in log
    if fits:
        assert "Overfull \\hbox" not in log


@pytest.mark.parametrize("problem", BUNDLED)
def test_latex_key_compiles_with_pdflatex(problem, tmp_path):
    compile_latex(key(problem, "latex"), tmp_path, fits=True)


def test_wide_layers_wrap_to_fit_the_page(tmp_path):
    """Nine terms in each net: the sums wrap onto aligned rows instead of running off."""
    problem = tmp_path / "wide.yaml"
    problem.write_text("layers: [8, 3, 2]\nweights: 0.25\nlearning_rate: 0.5\n"
                       "pattern: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]\ntarget: [0, 1]\n",
                       encoding="utf-8")
    tex = key(problem, "latex")
    assert "\\\\*\n  &\\quad + " in tex
    compile_latex(tex, tmp_path, fits=True)


@pytest.mark.parametrize("options", [("--round", "4", "--notation", "paper"),
                                     ("--convention", "textbook", "--notation", "notes")])
def test_latex_variants_compile(options, tmp_path):
    compile_latex(key("slides_2-2-1.yaml", "latex", *options), tmp_path)


def test_exact_latex_compiles(tmp_path):
    compile_latex(exact_key("latex"), tmp_path)


def test_html_key_embeds_the_network_and_the_error_plot():
    """The HTML key draws the network (initial weights) and, for several epochs, the error."""
    page = key("xor.yaml", "html")
    assert page.count("<svg") == 2
    assert "<figcaption>The network with its initial weights</figcaption>" in page
    assert "<figcaption>Error per epoch</figcaption>" in page
    assert page.index("The network with its") < page.index(">Formulas</h3>")
    assert "-0.4" in page.split("<figcaption>The network")[0]  # w24's label in the drawing
    one_epoch = key("slides_2-2-1.yaml", "html")
    assert one_epoch.count("<svg") == 1 and "Error per epoch" not in one_epoch
    assert "<svg" not in key("xor.yaml", "markdown")


def test_html_key_of_a_network_too_wide_to_draw_has_no_diagram(tmp_path):
    problem = tmp_path / "wide.yaml"
    problem.write_text("layers: [20, 2, 1]\nweights: 0.1\npattern: [" + ", ".join(["1"] * 20)
                       + "]\ntarget: [1]\nlearning_rate: 1\n")
    page = key(problem, "html")
    assert "<svg" not in page and "Final weights" in page

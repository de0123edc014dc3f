"""Printed keys: no heading left alone at the foot of a page, a table that fits on a page
kept on one (LaTeX: a minipage, and \\bpneed before each heading; HTML: the print
stylesheet), and a key limited with --steps says which steps it leaves out."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import apply_overrides, load_problem
from bpcalc.render import formats
from bpcalc.render.document.progress import steps_left_out

ROOT = Path(__file__).resolve().parent.parent
XOR = str(ROOT / "problems" / "xor.yaml")
HEADINGS = {"Problem", "Formulas", "Forward pass", "Error", "Backward pass", "Weight updates",
            "Result", "Final weights", "Error per epoch", "Training patterns",
            "Initial weights"}


def xor_key(fmt: str, steps: set[int] | None = None, epochs: int = 1,
            exact: bool = False) -> str:
    problem = apply_overrides(load_problem(XOR), epochs=epochs)
    trace = solve(problem, make_arithmetic(problem.rounding, exact))
    return formats.render(trace, fmt, formats.Options(steps=steps, exact=exact))


def pages(tex: str, directory: Path) -> list[list[str]]:
    """The lines of each printed page (pdflatex, then pdftotext)."""
    if shutil.which("pdflatex") is None or shutil.which("pdftotext") is None:
        pytest.skip("pdflatex and pdftotext are needed")
    (directory / "key.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"],
                          cwd=directory, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    text = subprocess.run(["pdftotext", "-layout", "key.pdf", "-"], cwd=directory,
                          capture_output=True, text=True, timeout=60).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()]
            for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("exact", [False, True], ids=["float", "exact"])
def test_no_heading_ends_a_printed_page_and_tables_stay_whole(tmp_path, exact):
    printed = pages(xor_key("latex", exact=exact), tmp_path)
    assert len(printed) >= 4
    for number, lines in enumerate(printed, start=1):
        body = lines[:-1] if lines[-1].isdigit() else lines  # the page number
        last = body[-1]
        assert last not in HEADINGS and not last.startswith("Step "), (number, last)
        # nor a step's heading with only its input line (the exact key's step 2 was)
        assert not last.startswith("Input ("), (number, last)
        # a forward table that starts on this page ends on it: its header and node 7 row
        for index, line in enumerate(body):
            if re.match(r"node\s+kind\s+name", line):
                assert any(re.match(r"7\s+output", row) for row in body[index:]), number
            if re.match(r"weight\s+old", line):
                assert any(row.startswith("w67") for row in body[index:]), number


def test_the_latex_key_keeps_headings_with_what_follows():
    tex = xor_key("latex")
    assert "\\newcommand{\\bpneed}" in tex
    assert "\\bpneed{6\\baselineskip}\\subsection*{Forward pass}" in tex
    assert tex.count("\\begin{minipage}{\\linewidth}") >= 4 * 3  # each step's tables


def test_the_html_print_stylesheet_keeps_headings_and_tables_whole():
    page = xor_key("html")
    style = page[page.index("@media print"):page.index("</style>")]
    assert re.search(r"h2, h3[^{]*\{[^}]*break-after: avoid", style)
    assert re.search(r"table[^{]*\{[^}]*break-inside: avoid", style)


def test_a_key_limited_with_steps_says_what_it_leaves_out():
    note = "Shown: steps 1, 3–5 of 8; left out: steps 2, 6–8 (--steps)."
    for fmt in ("markdown", "html", "table"):
        assert note in xor_key(fmt, {1, 3, 4, 5}, epochs=2), fmt
    assert "Shown: steps 1, 3--5 of 8; left out: steps 2, 6--8 (--steps)." in \
        xor_key("latex", {1, 3, 4, 5}, epochs=2)  # TeX's en dash
    assert "left out" not in xor_key("markdown")
    assert steps_left_out({4}, 4) == "Shown: step 4 of 4; left out: steps 1–3 (--steps)."
    assert steps_left_out({1, 2}, 2) == "Shown: every step (2)."


def test_the_html_key_prints_a_worked_line_whole():
    """A worked line's formula row and its numbers row are one `.line` (a subgrid row of
    the aligned equations) that printing keeps whole: Chromium's print of the XOR key
    ended pages on `w34 = w34 + (C × δ4 × z3)`, its numbers on the next page."""
    page = xor_key("html")
    style = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"\.equations > \.line \{[^}]*grid-template-columns: subgrid", style)
    assert re.search(r"@media print.*\.equations > div \{[^}]*break-inside: avoid", style,
                     flags=re.S)
    blocks = re.findall(r'<div class="equations worked">\n(.*?)</div>\n(?=<|$)', page,
                        flags=re.S)
    assert blocks
    lines = re.findall(r'<div class="line"><div class="lhs math">(.*?)</div>'
                       r'<div class="math">= (.*?)</div>\n<div></div>'
                       r'<div class="math">= (.*?)</div></div>\n', page)
    # every worked line of the 4 steps: 6 forward, 1 error, 3 deltas, 9 updates each
    assert len(lines) == 4 * 19
    w34 = "<i>w</i><sub>34</sub>"
    assert lines[12][:2] == (w34, f"{w34} + (<i>C</i> × δ<sub>4</sub> × <i>z</i><sub>3</sub>)")

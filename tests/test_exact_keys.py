"""Exact answer keys stay readable past step 1: every worked line shows its substitution
(earlier values by their step-marked names, z_4^{(2)}), no line is left as `= … ≈ x`, no
SymPy spelling (`exp(`, `**`) reaches the typeset maths, and the Markdown key converts
with pandoc to PDF (a bare ≈ in a table cell stopped pdflatex)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.render import formats

ROOT = Path(__file__).resolve().parent.parent
XOR = str(ROOT / "problems" / "xor.yaml")


@cache
def exact_key(fmt: str) -> str:
    """xor.yaml, one epoch (4 steps), exact: `bpcalc solve xor.yaml --exact --epochs 1`."""
    import dataclasses

    problem = dataclasses.replace(load_problem(XOR), epochs=1)
    trace = solve(problem, make_arithmetic(problem.rounding, True))
    return formats.render(trace, fmt, formats.Options(exact=True))


def maths(text: str) -> list[str]:
    """Every `$...$` and `$$...$$` of a Markdown key."""
    return re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", text, flags=re.S)


def test_no_sympy_spelling_in_the_typeset_maths():
    md = exact_key("markdown")
    for display, inline in maths(md):
        formula = display or inline
        assert "exp(" not in formula and "**" not in formula, formula
    tex = exact_key("latex")
    body = tex[tex.index(r"\begin{document}"):]
    assert "exp(" not in body and "**" not in body and r"\exp" not in body
    page = re.sub(r"<svg.*?</svg>", "", exact_key("html"), flags=re.S)  # the picture's own
    assert "exp(" not in page and "**" not in page
    assert "1/(<i>e</i><sup>−1/10</sup> + 1) ≈ 0.524979" in page  # z4 = sigmoid(1/10)


def test_every_worked_line_shows_its_substitution():
    md = exact_key("markdown")
    steps = md.split("## Step ")[1:]
    assert len(steps) == 4
    for step in steps[1:]:  # after step 1, values are named
        lines = [display.strip() for display, _ in maths(step) if display]
        assert lines
        for line in lines:
            assert r"\ldots" not in line and "…" not in line, line
            assert line.count(" = ") >= 2 or r"\approx" not in line, line  # formula = numbers
    # step 2's net4 in the earlier weight by its name, w34 after step 1: w_{34}^{(1)}
    assert r"1 \times w_{34}^{(1)} = w_{34}^{(1)} - \frac{2}{5} \approx -0.312656" in steps[1]
    # and z4 = 1/(1 + e^{-net4}) with net4 of step 2 named: no exp( spelling
    assert r"\frac{1}{1 + e^{-\mathrm{net}_{4}^{(2)}}} \approx 0.422467" in steps[1]


def test_no_bare_approx_in_markdown_prose():
    md = exact_key("markdown")
    outside = re.sub(r"\$\$.+?\$\$|\$.+?\$", "", md, flags=re.S)
    assert "≈" not in outside


@pytest.mark.skipif(shutil.which("pandoc") is None or shutil.which("pdflatex") is None,
                    reason="pandoc and pdflatex are needed (CI installs both)")
def test_the_exact_markdown_key_converts_with_pandoc(tmp_path):
    source = tmp_path / "key.md"
    source.write_text(exact_key("markdown"), encoding="utf-8")
    done = subprocess.run(["pandoc", str(source), "-o", str(tmp_path / "key.pdf")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "key.pdf").read_bytes().startswith(b"%PDF")


def test_a_long_earlier_weight_is_named_with_its_step():
    """Step 2 uses w47 after step 1, whose closed form is too long to write out: the line
    names it w47⁽¹⁾, never a bare w47 (which reads as the initial 0.7)."""
    md = exact_key("markdown")
    step2 = md.split("## Step ")[2]
    update = next(d for d, _ in maths(step2) if d.strip().startswith("w_{47} = "))
    assert r"= w_{47}^{(1)} + \left(\frac{1}{2} \times \delta_{7}^{(2)}" in update
    net7 = next(d for d, _ in maths(step2) if d.strip().startswith(r"\mathrm{net}_{7} ="))
    assert r"z_{4}^{(2)} \times w_{47}^{(1)} + z_{5}^{(2)} \times w_{57}^{(1)}" in net7
    assert r"1 \times w_{67}^{(1)}" in net7

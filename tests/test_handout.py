"""The handout: the problem as a student receives it, in Markdown, LaTeX and HTML, holding
none of the run's computed values; `generate` writes one per variant."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"
BUNDLED = sorted(path.name for path in PROBLEMS.glob("*.yaml"))
FORMATS = ("markdown", "latex", "html")
runner = CliRunner()
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+|(?<![\w.])-?\d+(?![\w.])")


@cache
def handout(problem: str, fmt: str) -> str:
    result = runner.invoke(app, ["handout", str(PROBLEMS / problem), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


@cache
def solved(problem: str, fmt: str = "json") -> str:
    result = runner.invoke(app, ["solve", str(PROBLEMS / problem), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def numbers(text: str) -> set[str]:
    """Every number written in `text`, as written (HTML's minus sign as a hyphen); of a
    drawing only its text (an SVG's <text>, a LaTeX picture's labels), not its coordinates,
    nor LaTeX's lengths."""
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<svg.*?</svg>", lambda svg: " ".join(
        re.findall(r"<text[^>]*>(.*?)</text>", svg.group(0), re.S)), text, flags=re.S)
    text = re.sub(r"\\(put|qbezier|begin\{picture\}|makebox|dashbox\{[\d.]+\})(\([^)]*\))+|"
                  r"\\circle\{[\d.]+\}|\{[\d.]+(in|cm)\}|\\arraystretch\}\{[\d.]+\}", " ", text)
    return set(NUMBER.findall(text.replace("\u2212", "-").replace("$-$", "-")))


def computed_numbers(problem: str) -> set[str]:
    """Each value the run computes (nets, activations, slopes, deltas, errors, changes, new
    weights), written to 3-6 significant digits and 2-6 places as a key or a student might,
    less the numbers the problem file itself gives and whole numbers."""
    trace = json.loads(solved(problem))
    values = []
    for step in trace["steps"]:
        values.append(step["error"])
        for node in step["nodes"]:
            if node["kind"] not in ("input", "bias"):
                values += [node["net"], node["out"], node["slope"], node["delta"]]
        for update in step["updates"]:
            values += [update["change"], update["new"]]
    given = numbers((PROBLEMS / problem).read_text(encoding="utf-8"))
    written = set()
    for value in values:
        if not isinstance(value, float):
            continue
        for digits in range(3, 7):
            written.add(f"{value:.{digits}g}")
        for places in range(2, 7):
            written.add(f"{value:.{places}f}")
    return {text for text in written
            if text not in given and not re.fullmatch(r"-?\d+(\.0*)?", text)
            and not any(float(text) == float(g) for g in given)}


@pytest.mark.parametrize("problem", BUNDLED)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_handout_holds_no_computed_value(problem, fmt):
    computed = computed_numbers(problem)
    # The detector finds the answers where they are: in the answer key.
    assert numbers(solved(problem, fmt)) & computed, problem
    leaked = numbers(handout(problem, fmt)) & computed
    assert not leaked, (problem, sorted(leaked)[:10])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_handout_states_the_problem_and_what_to_compute(fmt):
    text = handout("xor.yaml", fmt).replace("\u2212", "-")
    for words in ("XOR", "What to compute", "Forward pass", "Backward pass", "Initial weights",
                  "Training patterns", "20 steps (5 epochs of 4 patterns)", "final weights",
                  "Exercise", "4 patterns, 5 epochs"):
        assert words in text, (fmt, words)
    for weight in ("0.5", "-0.4", "0.1", "-0.3", "0.6", "-0.2", "0.7", "-0.5", "0.3"):
        assert weight in numbers(text), (fmt, weight)
    assert "Answer key" not in text and "Result" not in text and "Final weights" not in text


def test_html_and_markdown_draw_the_network_and_latex_draws_it_natively():
    assert "<svg" in handout("slides_2-2-1.yaml", "html")
    markdown = handout("slides_2-2-1.yaml", "markdown")
    # an image with a data: URI (GitHub and pandoc drop inline <svg> in Markdown)
    assert "<svg" not in markdown
    start = markdown.index("![The network with its initial weights](data:image/png;base64,")
    import base64

    data = markdown[markdown.index(",", start) + 1:markdown.index(")", start)]
    assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    latex = handout("slides_2-2-1.yaml", "latex")
    assert "\\begin{picture}" in latex and latex.count("\\qbezier") == 9  # 9 weights
    assert "\\includegraphics" not in latex


def test_an_until_problem_says_when_to_stop():
    text = handout("perceptron_or.yaml", "markdown")
    assert "Then carry on, 4 patterns an epoch, and stop after the first epoch in which " \
           "every output equals its target (at most" in text


def compile_latex(tex: str, directory: Path) -> None:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing: .ci/run must install TeX (texlive-latex-base)")
        pytest.skip("pdflatex not installed")
    (directory / "sheet.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", "sheet.tex"], cwd=directory,
                          capture_output=True, text=True, timeout=300)
    log = (directory / "sheet.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert (directory / "sheet.pdf").read_bytes().startswith(b"%PDF")
    assert "Missing character" not in log and "Overfull \\hbox" not in log


@pytest.mark.parametrize("problem", ["slides_2-2-1.yaml", "softmax_2-3-3.yaml",
                                     "mazur_2-2-2.yaml", "xor_momentum.yaml"])
def test_latex_handout_compiles_with_pdflatex(problem, tmp_path):
    compile_latex(handout(problem, "latex"), tmp_path)


def test_generate_writes_a_handout_per_variant(tmp_path):
    template = ROOT / "templates" / "slides_2-2-1_variants.yaml"
    out = tmp_path / "set"
    result = runner.invoke(app, ["generate", str(template), "--count", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir() if not path.name.startswith("."))
    assert names == ["index.csv", "index.json", "index.md", "variant_01.handout.md",
                     "variant_01.key.json", "variant_01.key.md", "variant_01.yaml",
                     "variant_02.handout.md",
                     "variant_02.key.json", "variant_02.key.md", "variant_02.yaml"]
    for number in (1, 2):
        key = json.loads((out / f"variant_0{number}.key.json").read_text())
        node = key["steps"][0]["nodes"][-1]
        sheet = (out / f"variant_0{number}.handout.md").read_text()
        assert "What to compute" in sheet
        assert f"{node['out']:.6f}" in (out / f"variant_0{number}.key.md").read_text()
        assert f"{node['out']:.6f}" not in sheet and f"{node['out']:.4f}" not in sheet
    assert "[handout.md](variant_01.handout.md)" in (out / "index.md").read_text()


def test_generate_writes_latex_and_html_handouts_on_request(tmp_path):
    template = ROOT / "templates" / "slides_2-2-1_variants.yaml"
    out = tmp_path / "set"
    result = runner.invoke(app, ["generate", str(template), "--count", "1", "--out", str(out),
                                 "--formats", "json,handout-latex,handout-html"])
    assert result.exit_code == 0, result.output
    assert (out / "variant_01.handout.tex").read_text().startswith("\\documentclass")
    assert (out / "variant_01.handout.html").read_text().startswith("<!DOCTYPE html>")
    again = runner.invoke(app, ["generate", str(template), "--count", "1", "--out", str(out),
                                "--formats", "json", "--force"])
    assert again.exit_code == 0, again.output  # --force replaces a set holding handouts
    assert not (out / "variant_01.handout.tex").exists()


def test_the_markdown_handout_converts_with_pandoc(tmp_path):
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc not installed")
    (tmp_path / "sheet.md").write_text(handout("xor.yaml", "markdown"), encoding="utf-8")
    done = subprocess.run([pandoc, "sheet.md", "-o", "sheet.pdf"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")


def test_the_handout_is_one_call_from_python():
    from bpcalc.problem.loader import load_problem
    from bpcalc.render import formats

    problem = load_problem(str(PROBLEMS / "slides_2-2-1.yaml"))
    assert formats.render_handout(problem) == handout("slides_2-2-1.yaml", "markdown")
    assert formats.render_handout(problem, "handout-html") == handout("slides_2-2-1.yaml",
                                                                      "html")
    with pytest.raises(ValueError, match="not a handout format"):
        formats.render_handout(problem, "markdown")

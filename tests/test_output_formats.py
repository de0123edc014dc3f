"""`-o FILE` picks the format from the extension (formats.EXTENSIONS) unless --format is
given; a --format the extension does not admit is refused; diagram and plot write PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.commands.solve import OutputFormat
from bpcalc.render import formats

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
XOR = ROOT / "problems" / "xor.yaml"
ANSWERS = ROOT / "problems" / "answers" / "slides_2-2-1_correct.yaml"
runner = CliRunner()

# How each format's file begins (or what it holds), to tell them apart.
LOOKS = {
    "table": lambda text: text.startswith("╭"),
    "json": lambda text: json.loads(text)["steps"][0]["nodes"][3]["net"] == 1.25,
    "markdown": lambda text: text.startswith("# 2-2-1") and "Answer key" in text,
    "latex": lambda text: text.startswith("\\documentclass") and "Answer key" in text,
    "html": lambda text: text.startswith("<!DOCTYPE html>") and "Answer key" in text,
    "worksheet": lambda text: text.startswith("<!DOCTYPE html>") and "Self-check" in text,
    "handout-markdown": lambda text: text.startswith("# 2-2-1") and "Exercise" in text,
    "handout-latex": lambda text: text.startswith("\\documentclass") and "Exercise" in text,
    "handout-html": lambda text: text.startswith("<!DOCTYPE html>") and "Exercise" in text,
}
SOLVE = [entry.value for entry in OutputFormat]
HANDOUT = ["markdown", "latex", "html"]


def run(*args: str):
    return runner.invoke(app, [str(arg) for arg in args])


def test_the_table_names_real_formats_and_each_format_admits_its_own_extension():
    known = set(formats.FORMATS) | set(formats.CHECK_FORMATS)
    for extension, names in formats.EXTENSIONS.items():
        assert set(names) <= known, extension
    for entry in formats.FORMATS.values():
        assert entry.name in formats.EXTENSIONS[entry.extension], entry.name
    assert formats.EXTENSIONS["json"] == ("json", "gradescope")
    assert formats.EXTENSIONS["html"] == ("html", "worksheet", "handout-html")


@pytest.mark.parametrize(("name", "expected"), [
    ("key.json", "json"), ("key.md", "markdown"), ("key.tex", "latex"), ("key.html", "html"),
    ("key.txt", "table"), ("KEY.HTML", "html"), ("key.markdown", "markdown"),
    ("key.htm", "html"),
    ("key", "table"), ("key.out", "table"),  # no or an unknown extension: today's default
])
def test_solve_infers_the_format_from_the_extension(tmp_path, name, expected):
    out = tmp_path / name
    result = run("solve", SLIDES, "-o", out)
    assert result.exit_code == 0, result.output
    assert LOOKS[expected](out.read_text(encoding="utf-8")), name


# Every (extension, solve format) pair: written where the extension admits the format.
PAIRS = [(extension, name) for extension in ("json", "md", "tex", "html", "txt", "out")
         for name in SOLVE]


@pytest.mark.parametrize(("extension", "name"), PAIRS)
def test_every_extension_and_format_pair_is_written_or_refused(tmp_path, extension, name):
    out = tmp_path / f"key.{extension}"
    result = run("solve", SLIDES, "-f", name, "-o", out)
    admitted = formats.EXTENSIONS.get(extension)
    if admitted is None or name in admitted:  # an unknown extension holds any format
        assert result.exit_code == 0, result.output
        assert LOOKS[name](out.read_text(encoding="utf-8"))
    else:
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("bpcalc: error: --format: a ."), lines
        assert f"not {name}" in lines[0] and "Traceback" not in result.stderr
        assert not out.exists()


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_solve_refuses_a_picture_extension(tmp_path, extension):
    out = tmp_path / f"key.{extension}"
    result = run("solve", SLIDES, "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith(f"bpcalc: error: --output: this command writes no "
                                    f".{extension} file")


def test_standard_output_keeps_the_default_and_format_still_chooses():
    assert LOOKS["table"](run("solve", SLIDES).stdout)
    assert LOOKS["table"](run("solve", SLIDES, "-o", "-").stdout)
    assert LOOKS["html"](run("solve", SLIDES, "-f", "html", "-o", "-").stdout)


@pytest.mark.parametrize(("name", "given", "expected"), [
    ("r.json", None, "json"), ("r.json", "json", "json"), ("r.json", "gradescope", "gradescope"),
    ("r.txt", None, "table"), ("r.txt", "table", "table"), ("r", None, "table"),
    ("results.json", "gradescope", "gradescope"),  # the README's Gradescope command
])
def test_check_infers_and_admits(tmp_path, name, given, expected):
    out = tmp_path / name
    result = run("check", SLIDES, ANSWERS, "-o", out, *(["-f", given] if given else []))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if expected == "table":
        assert "right" in text and not text.startswith("{")
    else:
        report = json.loads(text)
        assert ("tests" in report) == (expected == "gradescope"), report.keys()
        if expected == "gradescope":
            assert report["score"] == report["max_score"] == 12.0


@pytest.mark.parametrize(("name", "given", "option"), [
    ("r.json", "table", "--format"), ("r.txt", "json", "--format"),
    ("r.txt", "gradescope", "--format"), ("r.html", None, "--output"),
    ("r.md", "json", "--format"),
])
def test_check_refuses_what_the_extension_cannot_hold(tmp_path, name, given, option):
    out = tmp_path / name
    result = run("check", SLIDES, ANSWERS, "-o", out, *(["-f", given] if given else []))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith(f"bpcalc: error: {option}: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(("extension", "name"),
                         [(e, n) for e in ("md", "tex", "html", "json") for n in HANDOUT])
def test_handout_pairs(tmp_path, extension, name):
    out = tmp_path / f"sheet.{extension}"
    result = run("handout", SLIDES, "-f", name, "-o", out)
    if f"handout-{name}" in formats.EXTENSIONS[extension]:
        assert result.exit_code == 0, result.output
        assert LOOKS[f"handout-{name}"](out.read_text(encoding="utf-8"))
    else:
        assert result.exit_code == 2 and not out.exists()
        assert result.stderr.startswith("bpcalc: error: --format: a .")


@pytest.mark.parametrize(("extension", "expected"), [
    ("md", "handout-markdown"), ("tex", "handout-latex"), ("html", "handout-html"),
    ("out", "handout-markdown")])
def test_handout_infers_from_the_extension(tmp_path, extension, expected):
    out = tmp_path / f"sheet.{extension}"
    assert run("handout", SLIDES, "-o", out).exit_code == 0
    assert LOOKS[expected](out.read_text(encoding="utf-8"))


# -- PDF pictures ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["diagram", SLIDES], ["diagram", SLIDES, "--step", "1"],
                                  ["plot", XOR, "--epochs", "20"]])
def test_pictures_are_written_as_pdf_safely(tmp_path, args):
    out = tmp_path / "picture.PDF"
    first = run(*args, "-o", out)
    assert first.exit_code == 0, first.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"CreationDate" not in data  # the same problem gives the same bytes
    out.write_bytes(b"mine")
    again = run(*args, "-o", out)
    assert again.exit_code == 2 and "exists" in again.stderr and out.read_bytes() == b"mine"
    forced = run(*args, "-o", out, "--force")
    assert forced.exit_code == 0 and out.read_bytes() == data


def test_pdf_titles_are_text_never_mathtext(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text(SLIDES.read_text(encoding="utf-8").replace(
        "title:", "title: '$5 and $x_$ ' #", 1), encoding="utf-8")
    out = tmp_path / "net.pdf"
    result = run("diagram", problem, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_pictures_refuse_other_extensions(tmp_path):
    result = run("diagram", SLIDES, "-o", tmp_path / "net.eps")
    assert result.exit_code == 2
    assert "pictures are written as .svg, .png or .pdf" in result.stderr

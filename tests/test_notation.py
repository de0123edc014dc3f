"""Notation: the symbols printed (slides, textbook, paper, notes), chosen apart from the
sign convention, from the file's `notation` key or `--notation`; JSON never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.problem.loader import parse_problem
from bpcalc.render.names import notation_for

runner = CliRunner()
SLIDES = str(Path(__file__).parent.parent / "problems" / "slides_2-2-1.yaml")
GOOD = """\
layers: [2, 2, 1]
weights: 0.5
pattern: [0.9, 0.6]
target: [0]
learning_rate: 1
"""


def solve(*options: str, file: str = SLIDES) -> str:
    result = runner.invoke(app, ["solve", file, *options])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def test_the_key_is_read_and_checked():
    assert parse_problem(GOOD).notation is None  # default: the convention's own
    assert parse_problem(GOOD + "notation: notes\n").notation == "notes"
    assert parse_problem(GOOD + "notation: null\n").notation is None


def test_bad_notation_names_key_and_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD + "notation: papers\n")
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "line 6" in message and "notation" in message and "'paper'" in message
    assert "Traceback" not in message
    result = runner.invoke(app, ["solve", SLIDES, "--notation", "greek"])
    assert result.exit_code == 2 and result.stdout == ""


def test_paper_notation_with_slides_signs():
    text = solve("--notation", "paper", "--show", "work")
    for expected in ("z4 = W^1_41 * x1 + W^1_42 * x2 + b^1_4 * x3 = 0.5 * 0.9",
                     "a4 = 1/(1 + e^-z4) = 1/(1 + e^-1.25) = 0.777300",
                     "L = 0.5 * (y7 - a7)^2",
                     "δ4 = (W^2_74 * δ7) * a4 * (1 - a4)",
                     "W^2_74 = W^2_74 + (η * δ7 * a4) = 0.5 + (1 * (-0.133315) * 0.777300)",
                     "b^2_7 = b^2_7 + (η * δ7 * a6) = 0.5 + (1 * (-0.133315) * 1) = 0.366685",
                     "slides signs, paper notation",
                     "W^l_ji ← W^l_ji + η δ_j a_i"):
        assert expected in text, expected
    assert "net4" not in text and "w47" not in text


def test_notes_notation_from_the_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD + "notation: notes\nconvention: textbook\n")
    text = solve("--show", "both", file=str(path))
    for expected in ("u4 = θ41 * o1 + θ42 * o2 + θ43 * o3", "o7 = 1/(1 + e^-u7)",
                     "Err = 0.5 * (o7 - y7)^2", "θ74 = θ74 - (η * δ7 * o4)",
                     "δ4 = o4 * (1 - o4) * (δ7 * θ74)", "θ_ji ← θ_ji - η δ_j o_i",
                     "│ θ74 "):
        assert expected in text, expected
    # the option wins over the file
    assert "net4 = z1 * w14" in solve("--notation", "slides", "--show", "work",
                                       file=str(path))


def test_textbook_notation_keeps_slides_signs():
    text = solve("--notation", "textbook", "--show", "work")
    assert "v14 = v14 + (η * δ4 * x1) = 0.5 + (1 * (-0.0115387) * 0.9) = 0.489615" in text
    assert "δ7 = (t7 - y7) * y7 * (1 - y7)" in text and "= (0 - 0.781990)" in text
    assert "w_ij ← w_ij + η δ_j a_i" in text


def test_default_is_the_conventions_own():
    text = solve("--convention", "textbook")
    assert "textbook (Marsland" in text and "v14" in text and "η = 1" in text
    assert "net_j" in solve()


def test_json_is_unaffected():
    plain = solve("--format", "json")
    for name in ("paper", "notes", "textbook"):
        assert solve("--format", "json", "--notation", name) == plain


def test_show_work_replaces_the_step_tables():
    work = solve("--show", "work")
    assert "Worked lines" in work and "net4 = z1 * w14 + z2 * w24 + z3 * w34" in work
    assert "┃ node" not in work and "Final weights" in work
    tables = solve()
    assert "┃ node" in tables and "Worked lines" not in tables
    both = solve("--show", "both")
    assert "┃ node" in both and "Worked lines" in both


@pytest.mark.parametrize("convention, notation, sign", [
    ("slides", "notes", 1), ("textbook", "slides", -1), ("slides", "paper", 1),
    ("textbook", "textbook", -1)])
def test_rules_follow_the_convention(convention, notation, sign):
    n = notation_for(convention, notation)
    assert n.update_sign == sign and n.name == notation
    assert (" + " in n.update_rule) == (sign > 0)

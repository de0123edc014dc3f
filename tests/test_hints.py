"""`bpcalc check --hint`: the first wrong value, its formula in the problem's notation, and
the values it needs as the student has them, and never a value the student has not: no
number of the solved trace appears in a hint but the problem's data and the student's own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "bpcalc" / "examples"
SLIDES = str(EXAMPLES / "slides_2-2-1.yaml")
XOR = str(EXAMPLES / "xor.yaml")
NEW_WEIGHT = EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml"


def hint(tmp_path, text: str, *options: str, problem: str = SLIDES):
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["check", problem, str(path), "--hint", *options])


def test_the_new_weight_in_a_hidden_delta_gets_delta4s_formula():
    result = runner.invoke(app, ["check", SLIDES, str(NEW_WEIGHT), "--hint"])
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Score: 10/11")
    assert lines[1] == "Hint: your first wrong value is delta4. Work it again:"
    assert lines[2] == "  δ4 = (δ7 * w47) * z4 * (1 - z4)"
    # delta4 takes w47 before the update: the initial .5, not the student's new .3964
    assert lines[3:] == ["  δ7 = -.133 (your answer)", "  w47 = 0.5 (the initial weight)",
                         "  z4 = .777 (your answer)"]


def test_an_updates_old_weight_is_told_apart_from_the_new_one(tmp_path):
    """`w47 = w47 + (C * δ7 * z4)` then `w47 = 0.5` read as if the answer were 0.5: the
    weight on the right is the one before the update."""
    lines = hint(tmp_path, "z4: .7773\ndelta7: -.1333\nw47: .3\n").stdout.splitlines()
    assert lines[1] == "Hint: your first wrong value is w47. Work it again:"
    assert lines[2] == "  w47 = w47 + (C * δ7 * z4)"
    assert "  w47 before the update = 0.5 (the initial weight)" in lines[3:]
    assert "  w47 = 0.5 (the initial weight)" not in lines


def test_the_textbook_notation_and_a_value_not_given(tmp_path):
    result = hint(tmp_path, "y7: .782\ndelta7: .2\n", "--convention", "textbook")
    lines = result.stdout.splitlines()
    assert lines[1] == "Hint: your first wrong value is delta7. Work it again:"
    assert lines[2] == "  δ7 = (y7 - t7) * y7 * (1 - y7)"
    assert lines[3:] == ["  y7 = .782 (your answer)", "  t7 = 0 (the target)"]
    result = hint(tmp_path, "delta7: .2\n", "--convention", "textbook")
    assert "  y7 (not in your answers)" in result.stdout.splitlines()


def test_a_later_step_uses_the_students_own_new_weights(tmp_path):
    # XOR step 2 (input 0 1): net4 = x1 w14 + x2 w24 + x3 w34 with step 1's new weights.
    text = "w14: .5\nw24: -.4\nw34: .0873\nstep 2:\n  net4: 5\n"
    lines = hint(tmp_path, text, problem=XOR).stdout.splitlines()
    assert lines[1] == "Hint: your first wrong value is step 2: net4. Work it again:"
    assert lines[2] == "  net4 = z1 * w14 + z2 * w24 + z3 * w34"
    assert lines[3:] == ["  z1 = 0 (the input)", "  w14 = .5 (your new weight of step 1)",
                         "  z2 = 1 (the input)", "  w24 = -.4 (your new weight of step 1)",
                         "  z3 = 1 (the bias)", "  w34 = .0873 (your new weight of step 1)"]


def test_an_epochs_error_is_the_sum_of_its_steps(tmp_path):
    text = "error: .2\nepoch 1:\n  error: 7\n"  # step 1: E = 0.1854
    lines = hint(tmp_path, text, problem=XOR).stdout.splitlines()
    assert lines[2] == "  E(epoch 1) = E(step 1) + E(step 2) + E(step 3) + E(step 4)"
    assert lines[3] == "  E(step 1) = .2 (your answer)"
    assert lines[4] == "  E(step 2) (not in your answers)"


def test_every_answer_right_or_only_too_few_digits(tmp_path):
    result = hint(tmp_path, "net4: 1.25\nz4: .7773\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "Hint: every answer is right."
    result = hint(tmp_path, "z4: .78\n", "--places", "4")
    assert result.exit_code == 3
    assert "write z4 to 4 decimal places, as asked" in result.stdout


@pytest.mark.parametrize("options", [["-f", "json"], ["-f", "gradescope"]])
def test_hint_is_text_only(tmp_path, options):
    result = hint(tmp_path, "z4: .5\n", *options)
    assert result.exit_code == 2 and "--hint" in result.stderr and result.stdout == ""


def test_hint_is_not_for_a_class_run(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "a.yaml").write_text("z4: .5\n", encoding="utf-8")
    result = runner.invoke(app, ["check", SLIDES, str(folder), "--hint"])
    assert result.exit_code == 2 and "--hint" in result.stderr


# -- a hint reveals nothing ---------------------------------------------------------------

SHEETS = [
    (SLIDES, "net4: 1.25\nz4: .777\nnet7: 1.4\n", []),
    (SLIDES, "z4: .777\nz7: .782\ndelta7: -.133\ndelta4: -.009\n", []),
    (SLIDES, "z7: .782\ndelta7: .5\n", ["--convention", "textbook"]),
    (SLIDES, "delta7: -.133\nw47: .45\n", []),
    (SLIDES, "delta4: -.0115\ndw14: -.02\n", []),
    (SLIDES, "error: .9\n", []),
    (SLIDES, "slope7: .5\n", []),
    (XOR, "step 3:\n  delta4: .3\n", []),
    (XOR, "epoch 2:\n  w47: .1\n", []),
    (XOR, "epoch 2:\n  error: .9\n", []),
    (str(EXAMPLES / "xor_momentum.yaml"), "step 2:\n  dw47: .3\n", []),
    (str(EXAMPLES / "softmax_2-3-3.yaml"), "delta8: .3\n", []),
]


def _trace_values(problem_file: str, convention: str | None) -> list[float]:
    problem = load_problem(problem_file)
    # The sheets answer within the first two epochs (xor_momentum runs 196).
    problem = replace(problem, epochs=min(problem.epochs, 2), until=None)
    if convention:
        problem = replace(problem, convention=convention)
    trace = solve(problem, make_arithmetic(None, exact=False))
    values = []
    for step in trace.steps:
        values += [n.net for n in step.nodes if n.net is not None]
        values += [n.out for n in step.nodes if n.kind not in ("input", "bias")]
        values += [n.delta for n in step.nodes if n.delta is not None]
        values += [n.slope for n in step.nodes if getattr(n, "slope", None) is not None]
        values.append(step.error)
        values += [u.change for u in step.updates] + [u.new for u in step.updates]
    values += [error for _epoch, error in trace.epoch_errors()]
    return [float(v) for v in values]


def _given(problem_file: str, answers: str) -> set[Fraction]:
    """The numbers the student has: the problem's data and their own answers."""
    problem = load_problem(problem_file)
    numbers = {Fraction(problem.learning_rate), Fraction(problem.momentum)}
    numbers |= {Fraction(x) for p in problem.patterns for x in (*p.input, *p.target)}
    numbers |= {Fraction(w) for w in problem.weights.values()}
    numbers |= {Fraction(problem.bias or 0)}
    numbers |= {Fraction(m) for m in re.findall(r":\s*(-?[\d.]+)", answers)}
    return numbers


@pytest.mark.parametrize(("problem_file", "answers", "options"), SHEETS)
def test_a_hint_shows_no_value_the_student_does_not_have(tmp_path, problem_file, answers,
                                                         options):
    result = hint(tmp_path, answers, *options, problem=problem_file)
    assert result.exit_code == 3 and "Hint: your first wrong value is" in result.stdout
    text = result.stdout
    given = _given(problem_file, answers)
    # Every number printed (not the digits of a name such as w47 or δ7) is one the student
    # has, a small whole number (a step, an epoch, the 1 of 1 - z) or a score.
    hint_text = text.split("\n", 1)[1]  # after the score line
    for number in re.findall(r"(?<![\w.^])-?(?:\d+\.\d*|\.\d+|\d+)(?![\w.])", hint_text):
        value = Fraction(number)
        assert value in given or (value.denominator == 1 and abs(value) <= 20), number
    # And no value of the solved trace at any usual rounding, unless the student has it.
    convention = options[1] if options else None
    for value in _trace_values(problem_file, convention):
        if any(abs(value - float(g)) < 1e-9 for g in given):
            continue
        for shown in [f"{value:.{p}f}" for p in range(2, 7)] + [
                f"{value:.{s}g}" for s in range(3, 7)]:
            if Fraction(shown) in given or (Fraction(shown).denominator == 1
                                            and abs(Fraction(shown)) <= 20):
                continue
            for form in {shown, shown.replace("0.", ".", 1)}:
                assert not re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", hint_text), (
                    form, value)


def test_a_value_off_only_by_the_students_rounding_says_so(tmp_path):
    """z4 .78 and net7 1.28 are right at 2 places; z7 .7824 from 1.28 (1/(1 + e^-1.28) by
    hand here) differs from the solution's only by that rounding: the hint says to carry
    more digits rather than "work it again" as if the formula were misapplied."""
    import math

    z7 = 1 / (1 + math.exp(-1.28))
    text = f"z4: .78\nz5: .78\nnet7: 1.28\nz7: {z7:.4f}\n"
    assert f"{z7:.4f}" == "0.7824"
    lines = hint(tmp_path, text).stdout.splitlines()
    assert lines[1].startswith("Hint: your first wrong value is z7. It follows from your own")
    assert "with more digits of them" in lines[1]
    assert lines[2:] == ["  z7 = 1/(1 + e^-net7)", "  net7 = 1.28 (your answer)"]

"""`bpcalc check --places N / --digits N`: right within the asked precision's interval
(exactly `grading.precision.within`), "too few digits" as a verdict of its own with its
credit, the interval printed for every answer, and the options' bad input.

The true values are the lecture's 2-2-1 example worked by hand here (math, not the engine):
all weights .5, input .9 .6, target 0, learning rate 1.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bpcalc
from bpcalc.cli import app
from bpcalc.grading.precision import within
from bpcalc.problem.model import Rounding

runner = CliRunner()
SLIDES = str(Path(__file__).resolve().parent.parent / "bpcalc" / "examples" / "slides_2-2-1.yaml")


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


NET4 = 0.9 * 0.5 + 0.6 * 0.5 + 0.5  # 1.25
Z4 = _sigmoid(NET4)  # 0.7772998...
NET7 = Z4 * 0.5 + Z4 * 0.5 + 0.5
Z7 = _sigmoid(NET7)  # 0.7819898...
DELTA7 = (0 - Z7) * Z7 * (1 - Z7)  # -0.1333...
W47 = 0.5 + DELTA7 * Z4  # 0.3963743...
DELTA4 = Z4 * (1 - Z4) * DELTA7 * 0.5  # -0.0115...
W14 = 0.5 + DELTA4 * 0.9


def test_the_hand_values_are_the_slides():
    assert (round(Z7, 7), round(W47, 7)) == (0.7819898, 0.3963743)


def check(tmp_path, answers: str, *options: str):
    path = tmp_path / "answers.yaml"
    path.write_text(answers, encoding="utf-8")
    result = runner.invoke(app, ["check", SLIDES, str(path), *options])
    return result


def report(tmp_path, answers: str, *options: str) -> tuple[int, dict]:
    result = check(tmp_path, answers, *options, "-f", "json", "--no-detect-rounding")
    return result.exit_code, json.loads(result.stdout)


def by_name(document: dict) -> dict:
    return {a["name"]: a for a in document["answers"]}


def test_answers_to_the_asked_places_are_right_within_half_a_unit(tmp_path):
    text = "".join(f"{name}: {value:.4f}\n" for name, value in
                   [("z4", Z4), ("z7", Z7), ("delta7", DELTA7), ("w47", W47), ("w14", W14)])
    status, document = report(tmp_path, text, "--places", "4")
    assert status == 0 and document["all_right"]
    assert document["precision"] == {"kind": "places", "digits": 4}
    w47 = by_name(document)["w47"]
    assert w47["accepted"]["low"] == pytest.approx(W47 - 0.00005, abs=1e-12)
    assert w47["accepted"]["high"] == pytest.approx(W47 + 0.00005, abs=1e-12)


def test_the_asked_precision_decides_not_the_digits_written(tmp_path):
    # z7 = 0.78199: 0.7800 is 0.002 away, right at 2 places asked, wrong at its own 4.
    status, document = report(tmp_path, "z7: 0.7800\n", "--places", "2")
    assert status == 0 and by_name(document)["z7"]["verdict"] == "right"
    status, document = report(tmp_path, "z7: 0.7800\n")
    assert status == 3 and by_name(document)["z7"]["verdict"] == "wrong"
    # w47 = 0.396374: .3963 is 0.000074 away, outside half a unit of the 4th place.
    status, document = report(tmp_path, "w47: .3963\n", "--places", "4")
    assert status == 3 and by_name(document)["w47"]["verdict"] == "wrong"


@pytest.mark.parametrize("offset", [-7, -6, -5, -4, -1, 0, 1, 4, 5, 6, 7])
def test_check_accepts_exactly_what_precision_within_accepts(tmp_path, offset):
    """The worksheet and the exports share precision.within: check must agree with it."""
    given = Fraction(round(W47 * 100000) + offset, 100000)  # 5 places, around the ends
    text = f"w47: {float(given):.5f}\n"
    _status, document = report(tmp_path, text, "--places", "4")
    expected = within(given, Fraction(W47), Rounding("places", 4))
    assert by_name(document)["w47"]["right"] is expected
    assert expected is (abs(float(given) - W47) < 0.00005)


def test_too_few_digits_is_a_verdict_with_its_own_note_and_credit(tmp_path):
    status, document = report(tmp_path, "net4: 1.25\nz4: .7773\nz7: 0.8\n", "--places", "4")
    assert status == 3 and not document["all_right"]
    answers = by_name(document)
    assert answers["net4"]["verdict"] == "right"  # 1.25 is the value exactly
    z7 = answers["z7"]
    assert z7["verdict"] == "too_few_digits" and z7["right"] is False
    assert z7["note"] == "0.8 is 0.781990 to 1 place; 4 places asked"
    assert z7["credit"] == 0 and z7["mistake"] is None
    assert document["score"] == 2 and document["mistakes"] == []
    assert document["unexplained"] == []  # not a wrong value to diagnose
    status, document = report(tmp_path, "net4: 1.25\nz4: .7773\nz7: 0.8\n", "--places", "4",
                              "--too-few-digits-credit", "0.5")
    assert status == 3 and document["score"] == 2.5
    assert by_name(document)["z7"]["credit"] == 0.5


def test_too_few_digits_and_wrong_at_them_is_wrong(tmp_path):
    _status, document = report(tmp_path, "z7: 0.7\n", "--places", "4")
    assert by_name(document)["z7"]["verdict"] == "wrong"


def test_significant_figures_asked(tmp_path):
    # delta4 = -0.011539: 3 significant figures end in the 4th place (+- 0.00005).
    text = f"delta4: {DELTA4:.4f}\nw14: {W14:.3f}\ndelta7: -.13\n"
    status, document = report(tmp_path, text, "--digits", "3")
    answers = by_name(document)
    assert answers["delta4"]["verdict"] == "right" and answers["w14"]["verdict"] == "right"
    assert answers["delta7"]["verdict"] == "too_few_digits"
    assert answers["delta7"]["note"] == ("-.13 is -0.133315 to 2 significant figures; "
                                         "3 significant figures asked")
    assert answers["delta4"]["accepted"]["high"] - answers["delta4"]["accepted"]["low"] == \
        pytest.approx(0.0001)
    assert status == 3


def test_without_a_precision_the_interval_is_the_written_digits(tmp_path):
    _status, document = report(tmp_path, "z4: .777\nnet4: 1.25\nz7: \"1/2\"\n")
    answers = by_name(document)
    assert answers["z4"]["accepted"] == {"low": pytest.approx(Z4 - 0.0005),
                                         "high": pytest.approx(Z4 + 0.0005)}
    assert answers["z7"]["accepted"] == {"low": pytest.approx(Z7), "high": pytest.approx(Z7)}


def test_the_tolerance_interval_and_its_refusal_beside_a_precision(tmp_path):
    _status, document = report(tmp_path, "z7: .8\n", "--tolerance", "0.02")
    z7 = by_name(document)["z7"]
    assert z7["right"] and z7["accepted"]["low"] == pytest.approx(Z7 - 0.02)
    result = check(tmp_path, "z7: .8\n", "--tolerance", "0.02", "--places", "4")
    assert result.exit_code == 2 and "--tolerance" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("options", [
    ["--places", "4", "--digits", "3"], ["--places", "-1"], ["--digits", "0"],
    ["--places", "4", "--too-few-digits-credit", "2"],
    ["--places", "4", "--too-few-digits-credit", "half"],
])
def test_bad_precision_options_are_exit_2(tmp_path, options):
    result = check(tmp_path, "z7: .8\n", *options)
    assert result.exit_code == 2 and result.stdout == ""
    assert ("--digits" in result.stderr or "--places" in result.stderr
            or "--too-few-digits-credit" in result.stderr)


def test_the_table_shows_the_interval_and_the_verdict(tmp_path):
    result = check(tmp_path, "z7: 0.8\nw47: .3964\n", "--places", "4")
    assert result.exit_code == 3
    words = " ".join(result.stdout.split())
    assert "accepted" in words and "too few digits" in words
    low, high = W47 - 0.00005, W47 + 0.00005  # 0.3963243, 0.3964243
    # one place more than asked, rounded inwards: 0.39632 would be a refused end
    assert f"[{math.ceil(low * 1e5) / 1e5:.5f}, {math.floor(high * 1e5) / 1e5:.5f}]" in words
    assert "[0.39633, 0.39642]" in words
    assert "1 with too few digits at credit 0" in words


@pytest.mark.parametrize("options, asked, tolerance", [
    (["--places", "4"], Rounding("places", 4), None),
    (["--digits", "3"], Rounding("sigfigs", 3), None),
    (["--tolerance", "0.01"], None, 0.01),
])
def test_every_end_of_a_printed_interval_is_accepted(tmp_path, options, asked, tolerance):
    """A reader takes the printed ends as accepted answers: each end must be one (the
    intervals of z7, w47, delta7 and w14 at 4 places have ends that round outwards)."""
    values = {"z7": Z7, "w47": W47, "delta7": DELTA7, "w14": W14}
    text = "".join(f"{name}: {value:.6f}\n" for name, value in values.items())
    result = check(tmp_path, text, *options, "--no-detect-rounding")
    assert result.exit_code == 0, result.stdout
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) < 3 or cells[1] not in values:
            continue
        interval = next(cell for cell in cells if cell.startswith("["))
        ends = [Fraction(end) for end in interval.strip("[]").split(", ")]
        true = Fraction(values[cells[1]])
        for end in ends:
            if asked is not None:
                assert within(end, true, asked), (cells[1], interval)
            else:
                assert abs(end - true) <= Fraction(tolerance), (cells[1], interval)


def test_gradescope_gives_the_credit_times_the_points(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("points: {z7: 4}\n", encoding="utf-8")
    result = check(tmp_path, "z7: 0.8\nz4: .7773\n", "--places", "4", "-f", "gradescope",
                   "--rubric", str(rubric), "--too-few-digits-credit", "0.25")
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    z7 = next(t for t in document["tests"] if t["name"] == "z7")
    assert (z7["score"], z7["max_score"], z7["status"]) == (1.0, 4.0, "failed")
    assert "too few digits" in z7["output"] and "accepted [0.78194, 0.78203]" in z7["output"]
    assert document["score"] == 2.0 and document["max_score"] == 5.0


def test_the_api_takes_places_digits_and_the_credit():
    report = bpcalc.check(SLIDES, answers_text="z7: 0.8\nz4: .7773\n", places=4,
                          too_few_digits_credit=0.5)
    assert report.score == 1.5 and not report.all_right
    assert [v.too_few_digits for v in report.verdicts] == [Fraction(1, 2), None]
    assert report.to_dict()["answers"][0]["verdict"] == "too_few_digits"
    with pytest.raises(bpcalc.BpcalcError, match="places"):
        bpcalc.check(SLIDES, answers_text="z7: 0.8\n", places=4, digits=3)
    with pytest.raises(bpcalc.BpcalcError, match="tolerance"):
        bpcalc.check(SLIDES, answers_text="z7: 0.8\n", places=4, tolerance=0.1)


def test_a_wrong_value_is_still_diagnosed_and_carried_with_a_precision(tmp_path):
    """The new weight used in the hidden delta (delta4 with w47 = .3964): diagnosed, and
    w14 worked from it is carried forward, with --places as without."""
    wrong_delta4 = Z4 * (1 - Z4) * DELTA7 * W47
    w14 = 0.5 + round(wrong_delta4, 4) * 0.9
    text = (f"z4: {Z4:.4f}\ndelta7: {DELTA7:.4f}\nw47: {W47:.4f}\n"
            f"delta4: {wrong_delta4:.4f}\nw14: {w14:.4f}\n")
    status, document = report(tmp_path, text, "--places", "4")
    answers = by_name(document)
    assert status == 3
    assert answers["delta4"]["mistake"] == "new_weight_in_hidden_delta"
    assert answers["w14"]["verdict"] == "carried_forward"


def test_a_class_run_judges_every_sheet_at_the_asked_precision(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "ann.yaml").write_text(f"z7: {Z7:.4f}\n", encoding="utf-8")
    (folder / "bob.yaml").write_text("z7: 0.8\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = runner.invoke(app, ["check", SLIDES, str(folder), "--out", str(out),
                                 "--places", "4", "-f", "json",
                                 "--too-few-digits-credit", "1"])
    assert result.exit_code == 3  # bob's 0.8 earns full credit but is not right
    bob = json.loads((out / "bob.json").read_text(encoding="utf-8"))
    assert bob["answers"][0]["verdict"] == "too_few_digits" and bob["score"] == 1
    assert not bob["all_right"]
    roster = (out / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("answers/bob.yaml") or "bob.yaml" in line for line in roster)


def test_the_reports_repr_counts_too_few_digits():
    report = bpcalc.check(SLIDES, answers_text="z7: 0.8\nz4: .7773\n", places=4)
    assert repr(report) == "<bpcalc.CheckReport: 1/2 (1 right, 1 with too few digits)>"


def test_the_table_never_cuts_a_name_or_number_at_60_columns():
    """The intervals move below the table when they do not fit beside the notes."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "60"}
    shown = subprocess.run([sys.executable, "-m", "bpcalc", "check",
                            "problems/slides_2-2-1.yaml",
                            "problems/answers/slides_2-2-1_slip.yaml", "--places", "4"],
                           capture_output=True, text=True, env=env, check=False).stdout
    lines = shown.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert "…" not in shown
    # below the table: -0.0115387 ± 0.00005, rounded inwards (-0.01159 is refused)
    assert "  delta4: [-0.01158, -0.01149]" in lines
    row = next(line for line in lines if line.startswith("│ delta4"))
    assert "-.01154" in row and "-0.0115387" in row


def test_a_rubrics_points_move_below_a_narrow_table_whole(tmp_path):
    """Sections, --places and a rubric at 46 columns: the points column was cropped to
    `po` (and `verdict` folded to `verdi|ct`); now it moves below the table, after the
    intervals, and an empty "Notes:" is not printed."""
    import os
    import subprocess
    import sys

    answers = tmp_path / "answers.yaml"
    answers.write_text(f"final:\n  w47: {W47:.4f}\nz7: {Z7:.4f}\ndelta7: {DELTA7:.4f}\n")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("points: {w*: 5}\n")
    env = {**os.environ, "COLUMNS": "46"}
    shown = subprocess.run([sys.executable, "-m", "bpcalc", "check", SLIDES, str(answers),
                            "--places", "4", "--rubric", str(rubric)],
                           capture_output=True, text=True, env=env, check=False).stdout
    lines = shown.splitlines()
    assert all(len(line) <= 46 for line in lines)
    assert "┃ verdict ┃" in shown and "Notes:" not in lines
    points = lines.index("Points:")
    assert lines.index("Accepted:") < points
    assert lines[points + 1:points + 4] == ["  final: w47: 5/5", "  z7: 1/1", "  delta7: 1/1"]
    assert lines[-1] == "Score: 7/7 points (3/3 answers right)"

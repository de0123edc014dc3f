"""`bpcalc check --rubric`: points per answer name or pattern (an exact name beats a
pattern, the most specific pattern beats a looser one), deductions once per distinct
mistake, a score never below 0, and a bad rubric as one message with key and line."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import parse_answers
from bpcalc.grading.grade import check
from bpcalc.grading.rubric import Rubric, marks, parse_rubric
from bpcalc.problem.loader import load_problem

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "bpcalc" / "examples"
SLIDES = str(EXAMPLES / "slides_2-2-1.yaml")
# The new-weight sheet: net4 z4 net7 z7 delta7 dw47 w47 right; delta4 w14 w24 w34 wrong,
# all four from one mistake (new_weight_in_hidden_delta), as tests/test_check.py holds:
# delta4 is the mistake, and w14 w24 w34 follow correctly from it (carried forward, the
# policy's credit: full by default, half, none).
NEW_WEIGHT = EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml"
RUBRIC = """\
points:
  w*: 2
  w47: 5
  delta*: 1
  net*: 0.5
deductions:
  new_weight_in_hidden_delta: 3
  no_slope: 1
"""


@pytest.fixture(scope="module")
def problem():
    return load_problem(SLIDES)


def sheet_marks(problem, answers: str, rubric: str, carried_forward: str = "full"):
    result = check(problem, parse_answers(answers, problem), carried_forward=carried_forward)
    return result, marks(result, parse_rubric(rubric))


def worth(problem, rubric: str, name: str) -> Fraction:
    (answer,) = parse_answers(f"{name}: 1.0\n", problem)
    return parse_rubric(rubric).worth(answer)


def test_exact_name_beats_pattern_and_specific_beats_loose(problem):
    rubric = "points:\n  w*: 2\n  w4*: 3\n  w47: 5\n  'w?7': 4\ndefault: 0.25\n"
    assert worth(problem, rubric, "w47") == 5  # exact, though three patterns match
    assert worth(problem, rubric, "w57") == 4  # w?7 has two literal characters, w* one
    assert worth(problem, rubric, "w14") == 2  # only w* matches
    assert worth(problem, rubric, "net4") == Fraction(1, 4)  # nothing: the default
    # The same weight in the notes' notation (θ74 is w47), and a4 for z4.
    assert worth(problem, rubric, "θ74") == 5
    assert worth(problem, "points:\n  z*: 3\n", "a4") == 3


@pytest.mark.parametrize(("policy", "score"), [
    ("full", 10), ("half", Fraction(17, 2)), ("none", 7)])  # 7 right + 3 x the credit
def test_without_a_rubric_every_answer_is_one_point(problem, policy, score):
    result = check(problem, parse_answers(NEW_WEIGHT.read_text(), problem),
                   carried_forward=policy)
    plain = marks(result, None)
    assert plain.possible == (1,) * 11 and plain.deductions == ()
    assert (plain.score, plain.total) == (score, 11) == (result.score, result.total)
    assert marks(result, Rubric()) == plain


def test_points_and_one_deduction_per_distinct_mistake(problem):
    # About points per pattern and a deduction once per mistake, not the credit a carried
    # value earns (test_rubric_and_half_credit_combine): no carried-forward credit here, so
    # each wrong answer earns 0 of its points.
    _result, scored = sheet_marks(problem, NEW_WEIGHT.read_text(), RUBRIC, "none")
    # net4 .5 + z4 1 + net7 .5 + z7 1 + delta7 1 + dw47 1 + w47 5 = 10 earned;
    # wrong: delta4 1 + w14 w24 w34 2 each = 7; total 17. Four wrong values, one mistake:
    # 3 points deducted once.
    assert sum(scored.earned) == 10
    assert scored.total == 17
    assert scored.deductions == (("new_weight_in_hidden_delta", 3),)
    assert scored.score == 7


def test_score_never_below_zero(problem):
    rubric = "deductions:\n  new_weight_in_hidden_delta: 50\n"
    _result, scored = sheet_marks(problem, NEW_WEIGHT.read_text(), rubric)
    assert scored.score == 0 and scored.total == 11


def test_a_mistake_not_found_costs_nothing(problem):
    right = (EXAMPLES / "answers" / "slides_2-2-1_correct.yaml").read_text()
    _result, scored = sheet_marks(problem, right, RUBRIC)
    assert scored.deductions == () and scored.score == scored.total


def test_cli_json_and_table_follow_the_rubric(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(RUBRIC)
    result = runner.invoke(app, ["check", SLIDES, str(NEW_WEIGHT), "--rubric", str(rubric),
                                 "-f", "json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    # The default, full carried-forward credit: the 10 points of the right answers, delta4
    # 0 of 1, w14 w24 w34 2 of 2 each (carried forward from delta4): 16, less 3 = 13 of 17.
    assert (report["score"], report["total"], report["all_right"]) == (13, 17, False)
    assert report["deductions"] == [{"mistake": "new_weight_in_hidden_delta", "points": 3}]
    by_name = {a["name"]: (a["points"], a["worth"]) for a in report["answers"]}
    assert by_name["w47"] == (5, 5) and by_name["w14"] == (2, 2)
    assert by_name["net4"] == (0.5, 0.5) and by_name["delta4"] == (0, 1)
    table = runner.invoke(app, ["check", SLIDES, str(NEW_WEIGHT), "--rubric", str(rubric)])
    # Answers are counted, not credited: 7 are right and 3 carried forward, not "10 right".
    assert ("Score: 13/17 points (7/11 answers right, 3 carried forward at full credit); "
            "deducted 3 for new_weight_in_hidden_delta") in " ".join(table.stdout.split())
    rows = {line.split("│")[1].strip(): line.split("│")[5].strip()
            for line in table.stdout.splitlines() if line.count("│") == 7}
    assert (rows["w47"], rows["w14"], rows["net4"]) == ("5/5", "2/2", "0.5/0.5")
    assert rows["delta4"] == "0/1"


def test_cli_gradescope_follows_the_rubric(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(RUBRIC)
    # About each answer's points becoming its test's max_score and a wrong one's 0, not the
    # credit a carried value earns (test_rubric_and_half_credit_combine): none here.
    result = runner.invoke(app, ["check", SLIDES, str(NEW_WEIGHT), "--rubric", str(rubric),
                                 "-f", "gradescope", "--carried-forward", "none"])
    document = json.loads(result.stdout)
    assert (document["score"], document["max_score"]) == (7.0, 17.0)
    tests = {t["name"]: (t["score"], t["max_score"]) for t in document["tests"]}
    assert tests["w47"] == (5.0, 5.0) and tests["w24"] == (0.0, 2.0)
    assert tests["dw47"] == (1.0, 1.0)  # no pattern: the default point


def test_rubric_and_half_credit_combine(tmp_path):
    # w* worth 3: a weight carried forward at half credit earns 3 x 0.5 = 1.5 points.
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(RUBRIC.replace("w*: 2", "w*: 3"))
    check_sheet = [SLIDES, str(NEW_WEIGHT), "--rubric", str(rubric), "--carried-forward", "half"]
    # The right answers' 10 points, delta4 0 of 1, w14 w24 w34 1.5 of 3 each: 14.5 earned
    # of 1 + 3 x 3 + 10 = 20, less 3 for the mistake: 11.5.
    result = runner.invoke(app, ["check", *check_sheet, "-f", "json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert (report["score"], report["total"]) == (11.5, 20)
    by_name = {a["name"]: (a["points"], a["worth"], a["credit"]) for a in report["answers"]}
    assert by_name["w14"] == by_name["w24"] == by_name["w34"] == (1.5, 3, 0.5)
    assert by_name["delta4"] == (0, 1, 0) and by_name["w47"] == (5, 5, 1)
    table = runner.invoke(app, ["check", *check_sheet])
    assert ("Score: 11.5/20 points (7/11 answers right, 3 carried forward at half credit); "
            "deducted 3 for new_weight_in_hidden_delta") in " ".join(table.stdout.split())
    rows = {line.split("│")[1].strip(): line.split("│")[5].strip()
            for line in table.stdout.splitlines() if line.count("│") == 7}
    assert (rows["w14"], rows["delta4"]) == ("1.5/3", "0/1")
    document = json.loads(runner.invoke(app, ["check", *check_sheet, "-f", "gradescope"]).stdout)
    assert (document["score"], document["max_score"]) == (11.5, 20.0)
    tests = {t["name"]: (t["score"], t["max_score"], t["status"]) for t in document["tests"]}
    assert tests["w14"] == (1.5, 3.0, "failed") and tests["w47"] == (5.0, 5.0, "passed")


@pytest.mark.parametrize(("text", "fragments"), [
    ("points:\n  w*: two\n", ["line 2", "points.w*", "expected a number"]),
    ("points:\n  w*: -1\n", ["line 2", "points.w*", "0 or more"]),
    ("deductions:\n  sign: 1\n", ["line 2", "deductions.sign", "not a mistake id"]),
    ("point:\n  w*: 1\n", ["line 1", "point", "not a rubric key"]),
    ("points: [w47]\n", ["line 1", "points", "expected a mapping"]),
    ("default: yes\n", ["line 1", "default", "expected a number"]),
    ("- w47\n", ["rubric file is a mapping"]),
])
def test_bad_rubric_is_one_message_with_key_and_line(tmp_path, text, fragments):
    with pytest.raises(ProblemError) as caught:
        parse_rubric(text)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(text)
    result = runner.invoke(app, ["check", SLIDES, str(NEW_WEIGHT), "--rubric", str(rubric)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"bpcalc: error: {rubric}")
    for fragment in fragments:
        assert fragment in line and fragment in str(caught.value) + "rubric.yaml"

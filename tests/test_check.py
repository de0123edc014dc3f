"""`bpcalc check`: verdicts at the written digits, rounding detection, the diagnosis of each
usual mistake, the exit statuses, and the JSON and Gradescope files."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import Answer, Quantity, parse_answers, written_places
from bpcalc.grading.diagnosis import usual_mistakes
from bpcalc.grading.grade import check
from bpcalc.grading.judging import agrees, dependency_order
from bpcalc.problem.loader import load_problem, parse_problem
from bpcalc.problem.model import Rounding, weight_name

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "bpcalc" / "examples"
SLIDES = str(EXAMPLES / "slides_2-2-1.yaml")
PAPER = str(EXAMPLES / "paper_2-1-1.yaml")

# A 2-2-1 problem in which every usual mistake changes some number: uneven weights, a
# learning rate that is not 1, a target above the output.
MIXED = """\
layers: [2, 2, 1]
weights:
  - [[0.3, -0.2, 0.4],
     [0.1, 0.5, -0.3]]
  - [[0.6, -0.4, 0.2]]
pattern: [0.8, 0.3]
target: [1]
learning_rate: 0.5
bias: {bias}
convention: {convention}
loss: {loss}
"""


def run_check(tmp_path, answers: str, *options: str, problem: str = SLIDES):
    path = tmp_path / "answers.yaml"
    path.write_text(answers, encoding="utf-8")
    return runner.invoke(app, ["check", problem, str(path), *options])


def as_json(result) -> dict:
    return json.loads(result.stdout)


def answers_from(trace, places: int = 4) -> str:
    """Every value of step 1 as a student writes it: to `places` decimals."""
    step = trace.steps[0]

    def text(value) -> str:
        return f"{float(value):.{places}f}"

    lines = []
    for node in step.nodes:
        if node.net is not None:
            lines += [f"net{node.id}: {text(node.net)}", f"z{node.id}: {text(node.out)}"]
    lines.append(f"error: {text(step.error)}")
    lines += [f"delta{n.id}: {text(n.delta)}"
              for n in sorted(step.nodes, key=lambda n: -n.layer) if n.delta is not None]
    lines += [f"d{weight_name(u.key)}: {text(u.change)}" for u in step.updates]
    lines += [f"{weight_name(u.key)}: {text(u.new)}" for u in step.updates]
    return "\n".join(lines) + "\n"


# -- the digits written decide ------------------------------------------------------------


@pytest.mark.parametrize(("text", "places"), [
    (".777", 3), ("0.7773", 4), ("0.78", 2), ("-0.0115", 4), ("1", 0), ("1.5e-3", 4),
    ("2E2", -2), ("1/3", None),
])
def test_written_places(text, places):
    assert written_places(text) == places


@pytest.mark.parametrize(("given", "right"), [
    (".777", True), (".778", False), (".7773", True), ("0.78", True), ("0.7772", False),
    ("0.777300", True), ("0.8", True), ("0.77", False),
])
def test_z4_judged_at_the_digits_written(tmp_path, given, right):
    # z4 = 1/(1 + e^-1.25) = 0.7772998611...
    result = run_check(tmp_path, f"z4: {given}\n", "--no-detect-rounding", "-f", "json")
    verdict = as_json(result)["answers"][0]
    assert verdict["right"] is right
    assert verdict["given"] == given
    assert verdict["expected"] == pytest.approx(0.7772998611746911)
    assert result.exit_code == (0 if right else 3)


def test_quoted_values_keep_their_text(tmp_path):
    result = run_check(tmp_path, 'z4: "0.7770"\nnet4: "5/4"\n', "-f", "json",
                       "--no-detect-rounding")
    answers = as_json(result)["answers"]
    assert [a["given"] for a in answers] == ["0.7770", "5/4"]
    assert answers[0]["right"] is False  # 0.7773 to 4 places is not 0.7770
    assert answers[1]["right"] is True


def _answer(text: str) -> Answer:
    return Answer("x", 1, Quantity("error"), text, Fraction(text), written_places(text), 1)


def test_exact_ties_round_away_from_zero_and_float_noise_does_not_decide():
    tie = Fraction(-145, 100000)  # a hand-rounded trace's -0.00145
    assert agrees(_answer("-0.0015"), tie)
    assert not agrees(_answer("-0.0014"), tie)
    assert agrees(_answer("0.3"), 0.1 + 0.2)  # 0.30000000000000004
    assert agrees(_answer("0.49"), 0.48999999999999994)
    assert agrees(_answer("-0.0015"), -0.0014499999999999999)  # a tie with binary noise
    assert not agrees(_answer("-0.0014"), -0.0014499999999999999)
    assert agrees(_answer("1."), 0.5) and not agrees(_answer("0."), 0.5)


def test_whole_numbers_mean_exactly_that(tmp_path):
    # Perceptron AND, step 4 (pattern 1 1 -> 1): z4 = 0, so w14 becomes 0 + .5 x 1 x 1.
    text = "z4: 1\nstep 4:\n  z4: 0\n  w14: 0.5\n  w24: 0\n  w34: 0\n"
    result = run_check(tmp_path, text, "-f", "json",
                       problem=str(EXAMPLES / "perceptron_and.yaml"))
    rights = {(a["step"], a["name"]): a["right"] for a in as_json(result)["answers"]}
    assert rights == {(1, "z4"): True, (4, "z4"): True, (4, "w14"): True,
                      (4, "w24"): False, (4, "w34"): True}
    (zero,) = parse_answers("w14: 0\n", load_problem(SLIDES))
    assert zero.places is None
    assert agrees(zero, 1e-17) and not agrees(zero, 0.3)


def test_tolerance_replaces_the_digit_rule(tmp_path):
    # w14 = 0.489615...; .489 is wrong at 3 places, right within 0.001.
    wrong = run_check(tmp_path, "w14: .489\n", "--no-detect-rounding", "-f", "json")
    assert as_json(wrong)["answers"][0]["right"] is False
    within = run_check(tmp_path, "w14: .489\n", "--tolerance", "0.001", "-f", "json")
    assert as_json(within)["answers"][0]["right"] is True
    assert as_json(within)["tolerance"] == 0.001
    tight = run_check(tmp_path, "w14: 0.4896\n", "--tolerance", "1e-5", "-f", "json",
                      "--no-detect-rounding")
    assert as_json(tight)["answers"][0]["right"] is False


# -- the slides' own answers, names and steps ----------------------------------------------


def test_the_slides_answers_are_all_right():
    answers = EXAMPLES / "answers" / "slides_2-2-1_correct.yaml"
    result = runner.invoke(app, ["check", SLIDES, str(answers)])
    assert result.exit_code == 0, result.stdout
    assert "Score: 12/12 right" in result.stdout
    assert "wrong" not in result.stdout


def test_the_papers_answers_in_textbook_names(tmp_path):
    # Seed 001: a .750, yhat .646, delta_out -0.0811, w3 .806, w1 .501, w2 .302.
    text = "a3: .750\ny4: .646\nδ4: -0.0811\nw34: .806\nv13: .501\nv23: .302\nh3: 1.1\n"
    result = run_check(tmp_path, text, "-f", "json", problem=PAPER)
    assert result.exit_code == 0, result.stdout
    assert as_json(result)["score"] == 7


def test_name_spellings_mean_the_same_values():
    problem = load_problem(SLIDES)
    answers = parse_answers("z4: 1\nδ7: 1\nΔw4_7: 1\nθ74: 1\nE: 1\nh5: 1\nv15: 1\n", problem)
    assert [(a.quantity.kind, a.quantity.node, a.quantity.key) for a in answers] == [
        ("out", 4, None), ("delta", 7, None), ("change", None, (4, 7)),
        ("new", None, (4, 7)), ("error", None, None), ("net", 5, None), ("new", None, (1, 5))]
    with pytest.raises(ProblemError, match="already given as w47 on line 1"):
        parse_answers("w47: 1\nθ74: 1\n", problem)  # the notes' θ_ji is w_ij


def test_paper_notation_reads_z_as_the_net_input():
    problem = parse_problem(MIXED.format(bias=1, convention="slides", loss="half_sse")
                            + "notation: paper\n")
    (answer,) = parse_answers("z4: 0.58\n", problem)
    assert answer.quantity.kind == "net"


def test_step_sections(tmp_path):
    problem = load_problem(str(EXAMPLES / "xor.yaml"))
    trace = solve(problem, make_arithmetic(None, exact=False))
    second = trace.steps[1]
    z_out = float(second.node(7).out)
    w47 = next(float(u.new) for u in second.updates if u.key == (4, 7))
    text = (f"z7: {float(trace.steps[0].node(7).out):.4f}\n"
            f"step 2:\n  z7: {z_out:.4f}\n  w47: {w47:.4f}\n"
            f"step 3:\n  z7: {z_out:.4f}\n")  # step 3's output is not step 2's
    result = run_check(tmp_path, text, "-f", "json", problem=str(EXAMPLES / "xor.yaml"))
    verdicts = {(a["step"], a["name"]): a["right"] for a in as_json(result)["answers"]}
    assert verdicts == {(1, "z7"): True, (2, "z7"): True, (2, "w47"): True,
                        (3, "z7"): False}
    assert result.exit_code == 3


# -- rounding along the way ----------------------------------------------------------------

ROUNDED_3 = "z4: .777\ndelta7: -.133\ndelta4: -.012\nw47: .397\nw14: .489\nw34: .488\n"


def test_hand_rounding_is_detected(tmp_path):
    # Rounded to 3 places all along: w47 = .5 - .133 x .777 = .397 (exactly .3964 -> .396).
    result = run_check(tmp_path, ROUNDED_3, "-f", "json")
    report = as_json(result)
    assert result.exit_code == 0
    assert report["rounding"] == {"kind": "places", "digits": 3, "detected": True}
    notes = {a["name"]: a["note"] for a in report["answers"]}
    assert notes["w47"] == "hand rounding to 3 decimal places detected"
    assert notes["z4"] == ""
    table = run_check(tmp_path, ROUNDED_3)
    assert "Hand rounding to 3 decimal places detected" in table.stdout


def test_without_detection_early_rounding_is_the_diagnosis(tmp_path):
    result = run_check(tmp_path, ROUNDED_3, "--no-detect-rounding", "-f", "json")
    report = as_json(result)
    assert result.exit_code == 3
    assert report["score"] == 4
    (finding,) = report["mistakes"]
    assert finding["mistake"] == "early_rounding"
    assert finding["first"] == {"name": "w47", "step": 1}
    assert finding["explains"] == [{"name": "w14", "step": 1}]


def test_round_option_sets_the_expected_values(tmp_path):
    result = run_check(tmp_path, ROUNDED_3, "--round", "3", "-f", "json")
    report = as_json(result)
    assert result.exit_code == 0
    assert report["rounding"] == {"kind": "places", "digits": 3, "detected": False}
    expected = {a["name"]: a["expected"] for a in report["answers"]}
    assert expected["w47"] == 0.397 and expected["w14"] == 0.489


@pytest.mark.parametrize("options", [(), ("--round", "4")])
def test_rounding_too_early(tmp_path, options):
    # This student rounded every value to 1 place along the way (and wrote 1 place):
    # w67 = .2 + .5 x .1 = .25 -> .3 by hand, but .2485 -> .2 unrounded.
    text = MIXED.format(bias=1, convention="slides", loss="half_sse")
    problem = parse_problem(text)
    (early,) = [m for m in usual_mistakes(problem, None) if m.id == "early_rounding"
                and m.problem.rounding.digits == 1]
    trace = solve(early.problem, make_arithmetic(early.problem.rounding, exact=False))
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(text)
    result = run_check(tmp_path, answers_from(trace, places=1), *options, "-f", "json",
                       problem=str(mixed))
    report = as_json(result)
    assert result.exit_code == 3
    assert {a["name"]: a["given"] for a in report["answers"]}["w67"] == "0.3"
    (finding,) = report["mistakes"]
    assert finding["mistake"] == "early_rounding"
    assert finding["first"] == {"name": "dw67", "step": 1}
    assert finding["explains"] == [{"name": "w67", "step": 1}]
    assert "1 decimal place" in finding["description"]


# -- each usual mistake is named -------------------------------------------------------------

CASES = [  # (mistake id, bias, convention, loss)
    ("delta_sign", 1, "slides", "half_sse"),
    ("delta_sign", -1, "textbook", "half_sse"),
    ("update_sign", 1, "slides", "half_sse"),
    ("update_sign", -1, "textbook", "half_sse"),
    ("factor_two_added", 1, "slides", "half_sse"),
    ("factor_two_dropped", 1, "slides", "sse"),
    ("factor_two_dropped", 1, "textbook", "mse"),
    ("new_weight_in_hidden_delta", 1, "slides", "half_sse"),
    ("new_weight_in_hidden_delta", -1, "textbook", "half_sse"),
    ("bias_forgotten", 1, "slides", "half_sse"),
    ("bias_sign", 1, "slides", "half_sse"),
    ("bias_sign", -1, "textbook", "half_sse"),
    ("no_slope", 1, "slides", "half_sse"),
    ("net_in_update", 1, "slides", "half_sse"),
    ("no_learning_rate", 1, "slides", "half_sse"),
    ("no_learning_rate", -1, "textbook", "half_sse"),
]


@pytest.mark.parametrize(("mistake_id", "bias", "convention", "loss"), CASES)
def test_each_mistake_is_diagnosed(mistake_id, bias, convention, loss):
    problem = parse_problem(MIXED.format(bias=bias, convention=convention, loss=loss))
    (mistake,) = [m for m in usual_mistakes(problem, None) if m.id == mistake_id]
    wrong_trace = solve(mistake.problem, make_arithmetic(None, exact=False), mistake.slips)
    answers = parse_answers(answers_from(wrong_trace), problem)
    result = check(problem, answers)
    assert result.score < result.total
    assert result.rounding is None
    assert result.unexplained == []
    # One mistake explains every wrong value: named once, at the earliest wrong value.
    (finding,) = result.findings
    assert finding.mistake.id == mistake_id
    wrong = [v.answer for v in result.verdicts if not v.right]
    assert finding.first is min(wrong, key=lambda a: dependency_order(problem, a))
    # The rest the mistake reproduces, or (carried forward) follows from one it does.
    carried = [v.answer for v in result.verdicts if v.carried is not None]
    named = [finding.first, *finding.also]  # each carried value from one of these
    assert all(set(map(id, v.carried.roots)) <= set(map(id, named))
               for v in result.verdicts if v.carried)
    assert {finding.first.name, *(a.name for a in [*finding.also, *carried])} == {
        a.name for a in wrong}


def test_bias_sign_is_described_in_the_problems_terms():
    slides = parse_problem(MIXED.format(bias=1, convention="slides", loss="half_sse"))
    textbook = parse_problem(MIXED.format(bias=-1, convention="textbook", loss="half_sse"))
    describe = {m.id: m.description for m in usual_mistakes(slides, None)}
    assert describe["bias_sign"] == "the bias input taken as -1 instead of +1"
    describe = {m.id: m.description for m in usual_mistakes(textbook, None)}
    assert describe["bias_sign"] == "the bias input taken as +1 instead of -1"


def test_an_early_mistake_explains_the_later_values():
    answers = EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml"
    result = runner.invoke(app, ["check", SLIDES, str(answers)])
    assert result.exit_code == 3
    assert "Score: 10/11 (7 right, 3 carried forward at full credit" in result.stdout
    assert ("delta4 wrong: the new weight used in a hidden delta instead of the old one"
            in result.stdout)
    words = " ".join(result.stdout.split())  # as the table wraps it
    assert ("takes w_jk before the update); 3 later values follow correctly from it "
            "(w14, w24, w34).") in words
    assert words.count("right on method from delta4") == 3


def test_a_wrong_value_no_mistake_explains(tmp_path):
    result = run_check(tmp_path, "z4: .777\nw47: .123\n", "-f", "json")
    report = as_json(result)
    assert report["unexplained"] == [{"name": "w47", "step": 1}]
    assert report["answers"][1]["note"] == "no usual mistake reproduces this value"


# -- output files and exit statuses ----------------------------------------------------------


def test_gradescope_results_file(tmp_path):
    out = tmp_path / "results.json"
    answers = EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml"
    result = runner.invoke(app, ["check", SLIDES, str(answers), "-f", "gradescope",
                                 "-o", str(out)])
    assert result.exit_code == 3
    assert result.stdout == ""
    document = json.loads(out.read_text())
    assert set(document) == {"score", "max_score", "output", "tests"}
    # 7 right and 3 carried forward from delta4 (full credit, the default)
    assert (document["score"], document["max_score"]) == (10.0, 11.0)
    assert len(document["tests"]) == 11
    for test in document["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output"}
        assert test["max_score"] == 1.0
        assert test["status"] == ("passed" if test["score"] == 1.0 else "failed")
    assert sum(t["score"] for t in document["tests"]) == document["score"]
    delta4 = next(t for t in document["tests"] if t["name"] == "delta4")
    assert delta4["status"] == "failed"
    assert delta4["output"].startswith("given -.0091, expected -0.0115387: wrong")
    assert "delta4 wrong" in document["output"]


def test_json_report(tmp_path):
    result = run_check(tmp_path, "net4: 1.25\ndelta7: -.782\nw47: .5\n", "-f", "json")
    report = as_json(result)
    assert set(report) == {"score", "total", "all_right", "rounding", "tolerance", "answers",
                           "mistakes", "unexplained", "carried_forward", "precision",
                           "too_few_digits_credit"}
    assert (report["score"], report["total"], report["all_right"]) == (1, 3, False)
    first = report["answers"][0]
    assert first == {"name": "net4", "step": 1, "line": 1, "given": "1.25", "expected": 1.25,
                     "right": True, "note": "", "mistake": None, "verdict": "right",
                     "credit": 1.0, "carried_from": [], "slip": None, "resolved": None,
                     # judged at the 2 places written: 1.25 +- 0.005
                     "accepted": {"low": 1.245, "high": 1.255}, "section": None}
    # delta7 = (0 - .782) without f'(net): the slope left out.
    (finding,) = [m for m in report["mistakes"] if m["first"]["name"] == "delta7"]
    assert finding["mistake"] == "no_slope"


@pytest.mark.parametrize(("text", "fragments"), [
    ("zz4: 1\n", ["line 1", "zz4", "not a value name"]),
    ("net1: 0.9\n", ["line 1", "net1", "input node"]),
    ("z4: 1\nw45: 0.5\n", ["line 2", "w45", "no weight from node 4 to node 5"]),
    ("z9: 1\n", ["no node 9"]),
    ("z4: big\n", ["line 1", "z4", "expected a number"]),
    ("z4: [1, 2]\n", ["z4", "expected a number"]),
    ("step 2:\n  z4: 1\n", ["line 1", "step 2"]),
    ("z4: 1\na4: 1\n", ["line 2", "already given as z4 on line 1"]),
    ("", ["empty"]),
    ("- z4\n", ["mapping"]),
    ("z4: 1\nz4: 2\n", ["line 2", "twice"]),
])
def test_bad_answers_files_exit_2(tmp_path, text, fragments):
    result = run_check(tmp_path, text)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in result.stderr


def test_bad_options_exit_2(tmp_path):
    result = run_check(tmp_path, "z4: .777\n", "--tolerance", "-1")
    assert result.exit_code == 2
    assert "--tolerance" in result.stderr
    missing = runner.invoke(app, ["check", SLIDES, str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr


def test_exit_statuses(tmp_path):
    assert run_check(tmp_path, "z4: .777\n").exit_code == 0
    assert run_check(tmp_path, "z4: .778\n").exit_code == 3
    assert run_check(tmp_path, "z4: x\n").exit_code == 2


def test_two_mistakes_that_give_the_same_numbers_are_both_named():
    # Only new weights given: a flipped update and a flipped delta both negate the change.
    problem = parse_problem(MIXED.format(bias=1, convention="slides", loss="half_sse"))
    (flipped,) = [m for m in usual_mistakes(problem, None) if m.id == "update_sign"]
    trace = solve(flipped.problem, make_arithmetic(None, exact=False))
    text = "".join(f"{weight_name(u.key)}: {float(u.new):.4f}\n" for u in trace.steps[0].updates)
    result = check(problem, parse_answers(text, problem))
    (finding,) = result.findings
    assert finding.mistake.id == "delta_sign"  # the first in the list, and the other named
    assert finding.alternatives == [flipped.description]
    assert result.score == 0 and len(finding.also) == 8


def test_answers_in_the_other_convention_can_be_checked_as_such(tmp_path):
    # The paper's problem is in the textbook's signs: delta4 = (y - t) f'(h) = -0.0811.
    slides = run_check(tmp_path, "delta4: 0.0811\n", "--convention", "slides", "-f", "json",
                       problem=PAPER)
    assert as_json(slides)["score"] == 1
    textbook = run_check(tmp_path, "delta4: 0.0811\n", "-f", "json", problem=PAPER)
    report = as_json(textbook)
    assert report["score"] == 0
    assert report["mistakes"][0]["mistake"] == "delta_sign"


def test_batch_mode_has_new_weights_only_at_the_end_of_an_epoch(tmp_path):
    problem = tmp_path / "batch.yaml"
    problem.write_text("layers: [2, 1]\nweights: 0.5\nupdate: batch\nlearning_rate: 1\n"
                       "patterns:\n  - {input: [1, 0], target: [1]}\n"
                       "  - {input: [0, 1], target: [0]}\n")
    result = run_check(tmp_path, "w14: 0.5\n", problem=str(problem))
    assert result.exit_code == 2
    assert "line 1" in result.stderr and "step 2" in result.stderr
    # Pattern 1: net4 = .5 + 0 + .5 (bias 3) = 1, z4 = 0.731059, delta4 = (1 - z4) z4
    # (1 - z4) = 0.052877, its own change of w14 = 1 x delta4 x 1; pattern 2 has x1 = 0,
    # and delta4 = (0 - z4) z4 (1 - z4) = -0.143734, so w24 = .5 - .143734 after the epoch.
    ok = run_check(tmp_path, "dw14: 0.0529\nstep 2:\n  dw14: 0\n  w24: 0.3563\n",
                   problem=str(problem))
    assert ok.exit_code == 0, ok.stdout


@pytest.mark.parametrize("mistake_id", ["delta_sign", "factor_two_added", "bias_forgotten",
                                        "no_slope", "no_learning_rate"])
def test_a_mistake_made_while_rounding_to_3_places(mistake_id):
    problem = parse_problem(MIXED.format(bias=1, convention="slides", loss="half_sse"))
    (mistake,) = [m for m in usual_mistakes(problem, None) if m.id == mistake_id]
    rounded = replace(mistake.problem, rounding=Rounding("places", 3))
    trace = solve(rounded, make_arithmetic(rounded.rounding, exact=False), mistake.slips)
    result = check(problem, parse_answers(answers_from(trace, places=3), problem))
    assert [f.mistake.id for f in result.findings] == [mistake_id]
    assert result.unexplained == []
    assert (result.rounding, result.rounding_detected) == (Rounding("places", 3), True)

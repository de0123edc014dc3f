"""Error carried forward (`bpcalc check --carried-forward`): a later value worked correctly
from the student's own wrong earlier value is right on method; its root is named once (a
usual mistake or a single slip); a trivial root carries no credit.

The students' sheets are planted by a hand solver in this file (a 2-2-1 sigmoid network
worked as a student works it: each value from the values already written, rounded to 4
places, with one value slipped), independent of the engine and of the grading code.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.grading.answers import parse_answers
from bpcalc.grading.grade import check
from bpcalc.grading.mistakes import single_slip
from bpcalc.problem.loader import parse_problem

runner = CliRunner()

# Inputs 1, 2, bias 3; hidden 4, 5, bias 6; output 7. Rows: each hidden node's weights
# from 1, 2, 3; the output's from 4, 5, 6.
PROBLEM = """\
layers: [2, 2, 1]
weights:
  - [[0.3, -0.2, 0.4],
     [0.1, 0.5, -0.3]]
  - [[0.6, -0.4, 0.2]]
pattern: [0.8, 0.3]
target: [1]
learning_rate: 0.5
bias: 1
epochs: {epochs}
convention: {convention}
"""
WEIGHTS = {"w14": .3, "w24": -.2, "w34": .4, "w15": .1, "w25": .5, "w35": -.3,
           "w47": .6, "w57": -.4, "w67": .2}
INPUTS, TARGET, RATE, BIAS = (.8, .3), 1.0, .5, 1.0


def problem(convention: str = "slides", epochs: int = 1):
    return parse_problem(PROBLEM.format(convention=convention, epochs=epochs))


def by_hand(value: float) -> float:
    """To 4 places as a person rounds, halves away from 0 (0.05395 -> 0.0540)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def hand_sheet(convention: str = "slides", steps: int = 1, written: dict | None = None,
               no_slope_out: bool = False, carry_all_digits: bool = False
               ) -> dict[str, float]:
    """Every value of every step as a student writes it (4 places), each worked from the
    values written before it (or, `carry_all_digits`, from the unrounded ones); `written`
    puts a value (by its label) in place of the student's own working, and everything
    after follows from it."""
    written = written or {}
    sheet: dict[str, float] = {}
    weights = dict(WEIGHTS)

    def put(name: str, step: int, value: float) -> float:
        label = name if step == 1 else f"step {step}: {name}"
        sheet[label] = written.get(label, by_hand(value))
        return value if carry_all_digits and label not in written else sheet[label]

    sign = 1 if convention == "slides" else -1  # the textbook's delta is -dE/dnet's opposite
    for step in range(1, steps + 1):
        z = {1: INPUTS[0], 2: INPUTS[1], 3: BIAS, 6: BIAS}
        for j in (4, 5):
            net = put(f"net{j}", step, sum(weights[f"w{i}{j}"] * z[i] for i in (1, 2, 3)))
            z[j] = put(f"z{j}", step, 1 / (1 + math.exp(-net)))
        net7 = put("net7", step, sum(weights[f"w{i}7"] * z[i] for i in (4, 5, 6)))
        z[7] = put("z7", step, 1 / (1 + math.exp(-net7)))
        slope = 1 if no_slope_out else z[7] * (1 - z[7])
        delta = {7: put("delta7", step, sign * (TARGET - z[7]) * slope)}
        for j in (4, 5):
            delta[j] = put(f"delta{j}", step, z[j] * (1 - z[j]) * delta[7] * weights[f"w{j}7"])
        new = {}
        for j, sources in ((7, (4, 5, 6)), (4, (1, 2, 3)), (5, (1, 2, 3))):
            for i in sources:
                name = f"w{i}{j}"
                change = put(f"d{name}", step, sign * RATE * delta[j] * z[i])
                new[name] = put(name, step, weights[name] + change)
        weights = new
    return sheet


def as_yaml(sheet: dict[str, float], texts: dict[str, str] | None = None) -> str:
    """The sheet as an answers file, `texts` giving some values as written (e.g. '.4738')."""
    texts = texts or {}
    steps: dict[int, list[str]] = {}
    for label, value in sheet.items():
        step, name = (int(label.split(":")[0][5:]), label.split(": ")[1]) if ":" in label \
            else (1, label)
        steps.setdefault(step, []).append(f"{name}: {texts.get(label, f'{value:.4f}')}")
    if list(steps) == [1]:
        return "\n".join(steps[1]) + "\n"
    return "".join(f"step {s}:\n" + "".join(f"  {line}\n" for line in lines)
                   for s, lines in steps.items())


def checked(sheet, texts=None, convention="slides", epochs=1, policy="full"):
    p = problem(convention, epochs)
    return check(p, parse_answers(as_yaml(sheet, texts), p), carried_forward=policy)


def verdict_of(result, label):
    return next(v for v in result.verdicts if v.answer.label == label)


# -- the planted slips --------------------------------------------------------------------


def slipped(text: str, kind: str) -> str:
    """A 4-place value as a student slips it: signs, decimal points, neighbouring digits."""
    negative, digits = text.startswith("-"), text.lstrip("-")
    whole, part = digits.split(".")
    if kind == "sign":
        return digits if negative else "-" + digits
    if kind == "point":
        return ("-" if negative else "") + whole + part[0] + "." + part[1:]
    if kind == "swap":
        k = next(k for k in range(3) if part[k] != part[k + 1])
        part = part[:k] + part[k + 1] + part[k] + part[k + 2:]
    else:  # one digit wrong, not the last (which is a rounding)
        part = part[:1] + str((int(part[1]) + 3) % 10) + part[2:]
    return ("-" if negative else "") + whole + "." + part


@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_a_correct_sheet_is_unchanged(convention):
    result = checked(hand_sheet(convention), convention=convention)
    assert result.all_right and result.score == result.total == 27
    assert result.roots == [] and all(v.carried is None for v in result.verdicts)


@pytest.mark.parametrize("convention", ["slides", "textbook"])
@pytest.mark.parametrize(("kind", "words"), [
    ("swap", "slip (digits swapped?)"), ("sign", "slip (sign dropped?)"),
    ("point", "slip (decimal point misplaced?)"), ("digit", "slip (one digit wrong?)")])
def test_a_slip_in_z5_is_named_once_and_the_rest_carried_forward(convention, kind, words):
    true = hand_sheet(convention)
    text = slipped(f"{true['z5']:.4f}", kind)
    sheet = hand_sheet(convention, written={"z5": float(text)})
    result = checked(sheet, {"z5": text}, convention=convention)
    (root,) = result.roots
    assert (root.answer.name, root.why, root.trivial) == ("z5", words, None)
    # Every value the slip moved (net7 and all after it) follows from it; net4 to z4 not.
    changed = {label for label in sheet if sheet[label] != true[label]} - {"z5"}
    assert {"net7", "z7", "delta7", "w47", "w57", "w15"} <= changed
    assert not changed & {"net4", "z4", "net5"}
    assert {a.name for a in root.followers} == changed
    assert all(verdict_of(result, a.label).carried.roots == (root.answer,)
               for a in root.followers)
    assert verdict_of(result, "z5").slip == kind
    assert result.score == result.total - 1
    assert result.unexplained == []


@pytest.mark.parametrize(("policy", "credit"), [("full", 1), ("half", Fraction(1, 2)),
                                                 ("none", 0)])
def test_each_policy_scores_the_carried_values(policy, credit):
    true = hand_sheet()
    sheet = hand_sheet(written={"z5": -true["z5"]})
    result = checked(sheet, {"z5": f"{-true['z5']:.4f}"}, policy=policy)
    wrong = {label for label in sheet if sheet[label] != true[label]}
    right = len(sheet) - len(wrong)
    carried = len(wrong) - 1  # all but z5 itself
    assert sum(v.carried is not None for v in result.verdicts) == carried
    assert result.score == right + credit * carried
    assert result.carried_forward == policy
    assert not result.all_right


def test_the_policy_is_in_every_report(tmp_path):
    true = hand_sheet()
    text = slipped(f"{true['z5']:.4f}", "swap")
    sheet = hand_sheet(written={"z5": float(text)})
    problem_file, answers = tmp_path / "p.yaml", tmp_path / "a.yaml"
    problem_file.write_text(PROBLEM.format(convention="slides", epochs=1))
    answers.write_text(as_yaml(sheet, {"z5": text}))
    base = ["check", str(problem_file), str(answers), "--carried-forward", "half"]
    table = runner.invoke(app, base)
    assert table.exit_code == 3
    words = " ".join(table.stdout.split())  # as the table wraps it at 80 columns
    assert "carried forward at half credit: --carried-forward half" in words
    assert f"z5 {text}: slip (digits swapped?); 23 later values follow correctly" in words
    report = json.loads(runner.invoke(app, base + ["-f", "json"]).stdout)
    assert report["carried_forward"]["policy"] == "half"
    assert report["carried_forward"]["credit"] == 0.5
    (root,) = report["carried_forward"]["roots"]
    assert root["name"] == "z5" and len(root["followers"]) == len(result_carried(report))
    net7 = next(a for a in report["answers"] if a["name"] == "net7")
    assert (net7["verdict"], net7["credit"], net7["right"]) == ("carried_forward", .5, False)
    assert net7["carried_from"] == [{"name": "z5", "step": 1}]
    grades = json.loads(runner.invoke(app, base + ["-f", "gradescope"]).stdout)
    assert grades["score"] == report["score"] == sum(t["score"] for t in grades["tests"])
    assert "--carried-forward half" in grades["output"]
    test = next(t for t in grades["tests"] if t["name"] == "net7")
    assert (test["score"], test["status"]) == (.5, "failed")
    assert test["output"].startswith("given ")
    assert ": carried forward (right on method from z5); accepted [" in test["output"]


def result_carried(report):
    return [a for a in report["answers"] if a["verdict"] == "carried_forward"]


def test_the_output_delta_without_f_prime_is_the_root_named_by_the_diagnosis():
    true = hand_sheet()
    sheet = hand_sheet(no_slope_out=True)  # only delta7 leaves f' out; the rest follows
    result = checked(sheet)
    (root,) = result.roots
    assert (root.answer.name, root.why) == ("delta7", "f' left out of the output delta")
    changed = {label for label in sheet if sheet[label] != true[label]} - {"delta7"}
    assert {a.name for a in root.followers} == changed
    assert {"delta4", "delta5", "dw47", "w47", "dw14", "w35"} <= changed
    assert result.score == result.total - 1


def test_a_second_mistake_after_a_slip_is_a_root_of_its_own():
    true = hand_sheet()
    sheet = hand_sheet(written={"delta5": -true["delta5"], "w47": .1234})
    result = checked(sheet)
    roots = {root.answer.name: root for root in result.roots}
    assert set(roots) == {"delta5", "w47"}
    assert roots["w47"].why == "wrong" and roots["w47"].followers == []
    assert {a.name for a in roots["delta5"].followers} == {"dw15", "dw25", "dw35", "w15",
                                                           "w25", "w35"}
    assert verdict_of(result, "w47").carried is None
    assert [a.name for a in result.unexplained] == ["w47"]


def test_one_unit_in_the_last_place_is_allowed_where_earlier_values_were_rounded():
    """A student who carried every digit and wrote 4: re-solved from the 4 places written,
    a later value may differ from theirs in the last place, and still follows."""
    true = hand_sheet(carry_all_digits=True)
    text = slipped(f"{true['z5']:.4f}", "swap")
    sheet = hand_sheet(written={"z5": float(text)}, carry_all_digits=True)
    result = checked(sheet, {"z5": text})
    (root,) = result.roots
    assert root.answer.name == "z5"
    carried = [v for v in result.verdicts if v.carried is not None]
    assert len(carried) == len(root.followers) == sum(
        sheet[label] != true[label] for label in sheet) - 1
    off_by_one = [v for v in carried if v.answer.value != round(
        Fraction(v.carried.resolved), 4)]
    assert off_by_one  # the allowance is what carries these
    assert all(abs(v.answer.value - round(Fraction(v.carried.resolved), 4))
               == Fraction(1, 10**4) for v in off_by_one)


def test_two_units_off_is_not_carried_forward():
    true = hand_sheet()
    text = slipped(f"{true['z5']:.4f}", "swap")
    sheet = hand_sheet(written={"z5": float(text)})
    sheet["w47"] = round(sheet["w47"] + .0002, 4)
    result = checked(sheet, {"z5": text})
    assert verdict_of(result, "w47").carried is None
    assert {r.answer.name for r in result.roots} == {"z5", "w47"}
    assert result.score == result.total - 2


def test_a_slip_in_the_last_value_is_named_with_nothing_following():
    true = hand_sheet()
    text = slipped(f"{true['w35']:.4f}", "point")
    result = checked(hand_sheet(written={"w35": float(text)}), {"w35": text})
    (root,) = result.roots
    assert (root.answer.name, root.slip, root.followers) == ("w35", "point", [])
    assert result.unexplained == [] and result.score == result.total - 1


# -- anti-gaming: a trivial root carries nothing ------------------------------------------


@pytest.mark.parametrize(("label", "text", "reason"), [
    ("z5", "1", "1 where the true value is neither 0 nor 1 makes the work after it trivial"),
    ("z4", "0", "0 where the true value is neither 0 nor 1 makes the work after it trivial"),
    ("z5", "0.8", "copies an input of the problem")])
def test_a_trivial_root_earns_no_carried_forward_credit(label, text, reason):
    sheet = hand_sheet(written={label: float(text)})
    result = checked(sheet, {label: text})
    root = next(r for r in result.roots if r.answer.name == label)
    assert root.trivial.endswith(reason)
    assert root.followers
    for answer in root.followers:
        verdict = verdict_of(result, answer.label)
        assert verdict.carried is not None and verdict.carried.credit == 0
    assert result.score == sum(v.right for v in result.verdicts)


@pytest.mark.parametrize("policy", ["full", "half"])
def test_the_score_line_does_not_credit_what_follows_a_trivial_root(policy):
    """z5 written 1: what follows earns nothing, so the score line must not count it as
    carried forward at the policy's credit (it said "7 carried forward at full credit")."""
    from bpcalc.render.terminal.check_report import score_line, summary_lines

    result = checked(hand_sheet(written={"z5": 1.0}), {"z5": "1"}, policy=policy)
    following = sum(v.carried is not None for v in result.verdicts)
    assert following and all(v.carried.credit == 0 for v in result.verdicts if v.carried)
    line = score_line(result)
    assert "carried forward at" not in line
    told = summary_lines(result)[1:]  # z5 said once: its root line, not again as unexplained
    assert sum(" z5" in f" {text}" for text in told) == 1, told
    assert (f"{following} following from a value that makes the work trivial, at no credit"
            in line)
    assert f"--carried-forward {policy}" in line


def test_a_weight_left_at_its_initial_value_carries_nothing_into_step_two():
    sheet = hand_sheet(steps=2, written={"w47": .6})  # the update forgotten
    result = checked(sheet, epochs=2)
    root = next(r for r in result.roots if r.answer.name == "w47")
    assert root.trivial == "0.6000 copies an initial weight of the problem"
    followers = {a.label for a in root.followers}
    assert {"step 2: net7", "step 2: z7", "step 2: delta7"} <= followers
    assert all(verdict_of(result, label).credit == 0 for label in followers)


def test_the_same_slip_in_a_weight_carries_into_step_two():
    true = hand_sheet(steps=2)
    text = slipped(f"{true['w47']:.4f}", "swap")
    sheet = hand_sheet(steps=2, written={"w47": float(text)})
    result = checked(sheet, {"w47": text}, epochs=2)
    (root,) = result.roots
    assert (root.answer.name, root.why, root.trivial) == ("w47", "slip (digits swapped?)",
                                                          None)
    changed = {label for label in sheet if sheet[label] != true[label]} - {"w47"}
    assert {a.label for a in root.followers} == changed
    assert result.score == result.total - 1


# -- the slip patterns --------------------------------------------------------------------


@pytest.mark.parametrize(("given", "places", "meant", "kind"), [
    ("0.4738", 4, "0.43782", "swap"), ("-0.4378", 4, "0.43782", "sign"),
    ("4.378", 3, "0.43782", "point"), ("0.04378", 5, "0.43782", "point"),
    ("0.4318", 4, "0.43782", "digit"), ("0.4379", 4, "0.43782", None),
    ("0.9999", 4, "0.43782", None), ("-1.25", 2, "1.25", "sign"), ("1.52", 2, "1.25", "swap"),
])
def test_single_slips(given, places, meant, kind):
    assert single_slip(Fraction(given), places, Fraction(meant)) == kind


@pytest.mark.parametrize(("policy", "score"), [("full", 17), ("half", 12), ("none", 7)])
def test_the_bundled_slip_sheet(policy, score):
    """problems/answers/slides_2-2-1_slip.yaml: z5 .7737 for .7773, the rest worked by hand
    from it; delta4 and the weights into node 4 do not depend on z5 and are right."""
    examples = Path(__file__).resolve().parent.parent / "bpcalc" / "examples"
    result = runner.invoke(app, ["check", str(examples / "slides_2-2-1.yaml"),
                                 str(examples / "answers" / "slides_2-2-1_slip.yaml"),
                                 "--carried-forward", policy, "-f", "json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["score"] == score and report["total"] == 18
    (root,) = report["carried_forward"]["roots"]
    assert (root["name"], root["given"], root["why"]) == ("z5", ".7737",
                                                          "slip (digits swapped?)")
    assert [f["name"] for f in root["followers"]] == [
        "net7", "z7", "delta7", "delta5", "w47", "w57", "w67", "w15", "w25", "w35"]


# -- right values rounded early: what follows from them is right on method ----------------


def _early_rounded_sheet(z4: float, z5: float) -> dict[str, str]:
    """The student writes z4, z5 to 2 places, then works z7, delta7, w47 and w67 to 4
    places from their own written values (by hand here: net7 from the problem's weights)."""
    net7 = WEIGHTS["w47"] * z4 + WEIGHTS["w57"] * z5 + WEIGHTS["w67"] * BIAS
    z7 = round(1 / (1 + math.exp(-net7)), 4)
    delta7 = round((TARGET - z7) * z7 * (1 - z7), 4)
    return {"z4": f"{z4:.2f}", "z5": f"{z5:.2f}", "z7": f"{z7:.4f}",
            "delta7": f"{delta7:.4f}", "w47": f"{WEIGHTS['w47'] + RATE * delta7 * z4:.4f}",
            "w67": f"{WEIGHTS['w67'] + RATE * delta7 * BIAS:.4f}"}


def test_values_worked_from_right_but_rounded_values_are_right_on_method():
    """z4 .67 and z5 .55 are right at 2 places; z7 and the rest, worked at 4 places from
    them, differ from the true values only by that rounding: they were 'wrong, no usual
    mistake reproduces this value'."""
    true = hand_sheet()
    z4, z5 = round(true["z4"], 2), round(true["z5"], 2)
    sheet = _early_rounded_sheet(z4, z5)
    assert sheet["z7"] != f"{true['z7']:.4f}"  # the rounding shows at 4 places
    p = problem()
    result = check(p, parse_answers("".join(f"{k}: {v}\n" for k, v in sheet.items()), p))
    later = ["z7", "delta7", "w47", "w67"]
    assert all(verdict_of(result, name).right for name in ("z4", "z5"))
    for name in later:
        verdict = verdict_of(result, name)
        if verdict.right:  # (one that rounds to the true value anyway is simply right)
            continue
        assert verdict.carried is not None and verdict.carried.roots == ()
        assert verdict.carried.credit == 1
    assert result.unexplained == [] and result.score == result.total
    from bpcalc.render.terminal.check_report import note_text

    notes = {note_text(verdict_of(result, name)) for name in later
             if not verdict_of(result, name).right}
    assert notes == {"right on method from your own rounded earlier values"}


def test_a_value_wrong_after_rounded_values_is_still_wrong():
    true = hand_sheet()
    sheet = _early_rounded_sheet(round(true["z4"], 2), round(true["z5"], 2))
    sheet["z7"] = f"{float(sheet['z7']) + 0.05:.4f}"  # not worked from them
    p = problem()
    result = check(p, parse_answers("".join(f"{k}: {v}\n" for k, v in sheet.items()), p))
    z7 = verdict_of(result, "z7")
    assert not z7.right and z7.carried is None


def test_a_value_one_unit_off_after_right_values_is_not_carried():
    """delta7 .2 after z7 .6 (right: z7 is .5967): (1 - .6) .6 .4 is .096, .1 at 1 place;
    .2 is not worked from z7 (the one unit of leeway for rounded roots must not make it
    'right on method')."""
    assert round(hand_sheet()["z7"], 1) == 0.6 and round(hand_sheet()["delta7"], 1) == 0.1
    p = problem()
    result = check(p, parse_answers("z7: .6\ndelta7: .2\n", p))
    delta7 = verdict_of(result, "delta7")
    assert verdict_of(result, "z7").right and not delta7.right and delta7.carried is None


def test_a_value_one_unit_off_after_right_values_is_not_carried_on_the_slides(tmp_path):
    """The slides in the textbook convention: y7 .782 is right, delta7 = (y7 - t) y7 (1 - y7)
    is .1333, .1 at 1 place; .2 was 'right on method from your own rounded earlier values'
    through the one unit of leeway."""
    assert round(.782 * .782 * .218, 1) == 0.1
    answers = tmp_path / "answers.yaml"
    answers.write_text("y7: .782\ndelta7: .2\n", encoding="utf-8")
    slides = Path(__file__).resolve().parent.parent / "bpcalc" / "examples" / "slides_2-2-1.yaml"
    result = CliRunner().invoke(app, ["check", str(slides), str(answers), "--convention",
                                      "textbook", "-f", "json"])
    delta7 = next(a for a in json.loads(result.stdout)["answers"] if a["name"] == "delta7")
    assert delta7["verdict"] == "wrong" and delta7["carried_from"] == []


def test_a_net_of_1_is_a_root_like_any_other():
    """net4 written 1 (true 1.25) leaves f(1) and everything after it to work out: the
    values worked from it are carried forward at full credit."""
    sheet = hand_sheet(written={"net4": 1.0})
    result = checked(sheet, {"net4": "1"})
    root = next(r for r in result.roots if r.answer.name == "net4")
    assert root.trivial is None and root.followers
    assert all(verdict_of(result, a.label).carried.credit == 1 for a in root.followers)

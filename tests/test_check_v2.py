"""`bpcalc check` on version-2 problems (problem-format.md section 4): each new usual
mistake, planted in an answers file as a student writes it, is diagnosed as exactly that
mistake; a right answers file for each addition passes; the new value names; a step after
`until` stopped the run is refused."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import CORRECT, solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import parse_answers
from bpcalc.grading.diagnosis import usual_mistakes
from bpcalc.grading.grade import check
from bpcalc.grading.judging import dependency_order
from bpcalc.problem.loader import parse_problem
from bpcalc.problem.model import Rounding, weight_name

runner = CliRunner()

HIDDEN = """\
  - [[0.3, -0.2, 0.4],
     [0.1, 0.5, -0.3]]
"""
PATTERNS = """\
patterns:
  - {{input: [0.8, 0.3], target: [1]}}
  - {{input: [0.2, 0.9], target: [0]}}
  - {{input: [0.5, 0.5], target: [1]}}
  - {{input: [0.9, 0.1], target: [0]}}
"""
# 2-2-1 with uneven weights and four patterns: momentum, mini-batches, frozen biases.
TRAINING = "layers: [2, 2, 1]\nweights:\n" + HIDDEN + "  - [[0.6, -0.4, 0.2]]\n" + PATTERNS \
    + "learning_rate: 0.5\nconvention: {convention}\n{extra}"
# 2-2-2 with a softmax output layer.
SOFTMAX = "layers: [2, 2, 2]\nactivation: [sigmoid, softmax]\nweights:\n" + HIDDEN + """\
  - [[0.6, -0.4, 0.2],
     [-0.1, 0.3, 0.5]]
pattern: [0.8, 0.3]
target: [1, 0]
learning_rate: 0.5
convention: {convention}
{extra}"""
# 2-2-1 sigmoid with binary cross-entropy: delta = beta (t - z), f' cancelled.
BINARY = "layers: [2, 2, 1]\nweights:\n" + HIDDEN + """\
  - [[0.6, -0.4, 0.2]]
pattern: [0.8, 0.3]
target: [1]
learning_rate: 0.5
loss: binary_cross_entropy
convention: {convention}
{extra}"""

CASES = [  # (mistake id, problem, convention, the additions)
    ("momentum_forgotten", TRAINING, "slides", "momentum: 0.9\n"),
    ("momentum_forgotten", TRAINING, "textbook", "momentum: 0.5\nbias: -1\n"),
    ("momentum_wrong_update", TRAINING, "slides", "momentum: 0.9\n"),
    ("momentum_wrong_update", TRAINING, "textbook", "momentum: 0.9\nupdate: batch\n"
     "batch_size: 1\n"),
    ("softmax_diagonal", SOFTMAX, "slides", "loss: cross_entropy\n"),
    ("softmax_diagonal", SOFTMAX, "textbook", ""),
    ("extra_slope", SOFTMAX, "slides", "loss: cross_entropy\n"),
    ("extra_slope", BINARY, "slides", ""),
    ("extra_slope", BINARY, "textbook", "beta: 2\n"),
    ("batch_averaged", TRAINING, "slides", "update: batch\nbatch_size: 2\n"),
    ("batch_averaged", TRAINING, "textbook", "update: batch\nbatch_size: 3\nmomentum: 0.5\n"),
    ("batch_averaged", TRAINING, "slides", "update: batch\n"),
    ("bias_trained", TRAINING, "slides", "train_bias: false\n"),
    ("bias_trained", SOFTMAX, "textbook", "train_bias: false\nloss: cross_entropy\n"),
]


def problem_of(template: str, convention: str, extra: str):
    return parse_problem(template.format(convention=convention, extra=extra))


def _text(value, places: int) -> str:
    return f"{float(value):.{places}f}"


def answers_from(trace, places: int = 4) -> str:
    """Every value of every step as a student writes it: to `places` decimals, a `step N:`
    section each, the new weights where the weights changed."""
    lines = []
    for number, step in enumerate(trace.steps, start=1):
        lines.append(f"step {number}:")
        for node in step.nodes:
            if node.net is not None:
                lines += [f"  net{node.id}: {_text(node.net, places)}",
                          f"  z{node.id}: {_text(node.out, places)}"]
        lines.append(f"  error: {_text(step.error, places)}")
        lines += [f"  delta{n.id}: {_text(n.delta, places)}"
                  for n in sorted(step.nodes, key=lambda n: -n.layer) if n.delta is not None]
        lines += [f"  d{weight_name(key)}: {_text(change, places)}"
                  for key, change in step.changes.items()]
        lines += [f"  {weight_name(u.key)}: {_text(u.new, places)}" for u in step.updates]
    return "\n".join(lines) + "\n"


def ids(problem) -> set[str]:
    return {m.id for m in usual_mistakes(problem, None)}


@pytest.mark.parametrize(("mistake_id", "template", "convention", "extra"), CASES)
def test_each_new_mistake_is_diagnosed(mistake_id, template, convention, extra):
    problem = problem_of(template, convention, extra)
    (mistake,) = [m for m in usual_mistakes(problem, None) if m.id == mistake_id]
    wrong = solve(mistake.problem, make_arithmetic(None, exact=False), mistake.slips)
    answers = parse_answers(answers_from(wrong), problem)
    result = check(problem, answers)
    assert result.score < result.total
    assert result.rounding is None
    assert result.unexplained == []
    (finding,) = result.findings
    assert finding.mistake.id == mistake_id
    wrong_ones = [v.answer for v in result.verdicts if not v.right]
    assert finding.first is min(wrong_ones, key=lambda a: dependency_order(problem, a))
    # The rest the mistake reproduces, or (carried forward) follows from one it does.
    carried = [v.answer for v in result.verdicts if v.carried is not None]
    named = [finding.first, *finding.also]  # each carried value from one of these
    assert all(set(map(id, v.carried.roots)) <= set(map(id, named))
               for v in result.verdicts if v.carried)
    assert {(a.step, a.name) for a in [finding.first, *finding.also, *carried]} == {
        (a.step, a.name) for a in wrong_ones}


def test_the_new_mistakes_are_offered_only_where_the_problem_allows_them():
    plain = problem_of(TRAINING, "slides", "")
    assert not ids(plain) & {"momentum_forgotten", "momentum_wrong_update",
                             "softmax_diagonal", "extra_slope", "batch_averaged",
                             "bias_trained"}
    # One update (a single pattern, one epoch): momentum changes nothing.
    one = problem_of(BINARY, "slides", "momentum: 0.9\n")
    assert not ids(one) & {"momentum_forgotten", "momentum_wrong_update"}
    # Two updates: forgetting momentum shows; the previous change is still a bare rate term.
    two = problem_of(BINARY, "slides", "momentum: 0.9\nepochs: 2\n")
    assert "momentum_forgotten" in ids(two) and "momentum_wrong_update" not in ids(two)
    # Softmax with a squared error: the Jacobian, but no closed form to put f' into.
    jacobian = problem_of(SOFTMAX, "slides", "")
    assert "softmax_diagonal" in ids(jacobian) and "extra_slope" not in ids(jacobian)
    assert "batch_averaged" not in ids(problem_of(TRAINING, "slides", "update: batch\n"
                                                  "batch_size: 1\n"))
    single = "layers: [2, 1]\nweights: 0.5\npattern: [1, 0]\ntarget: [1]\nlearning_rate: 1\n"
    assert "bias_trained" in ids(parse_problem(single + "train_bias: false\n"))
    for bias in ("0", "none"):  # a bias input of 0 changes nothing; no bias, no weights
        assert "bias_trained" not in ids(parse_problem(single + f"bias: {bias}\n"
                                                       "train_bias: false\n"))


def test_descriptions_are_in_the_conventions_words():
    slides = {m.id: m.description for m in usual_mistakes(
        problem_of(TRAINING, "slides", "momentum: 0.9\n"), None)}
    textbook = {m.id: m.description for m in usual_mistakes(
        problem_of(TRAINING, "textbook", "momentum: 0.9\n"), None)}
    assert slides["momentum_forgotten"] == ("the momentum term left out: Δw(n) = C δ z "
                                            "instead of C δ z + α Δw(n-1) (α = 0.9)")
    assert textbook["momentum_forgotten"] == ("the momentum term left out: Δw(n) = -η δ a "
                                              "instead of -η δ a + α Δw(n-1) (α = 0.9)")
    binary = {m.id: m.description for m in usual_mistakes(
        problem_of(BINARY, "textbook", "beta: 2\n"), None)}
    assert "closed form β (y - t) multiplied by f'(h)" in binary["extra_slope"]


# -- a right answers file for each addition passes -----------------------------------------

def _correct_case(tmp_path, text: str, places: int = 4):
    """The problem's own solution as a student writes it, with version 2's names (slope,
    gradient, momentum of the last update: a momentum term that is not 0, where there is
    momentum); checked through the CLI."""
    problem = parse_problem(text)
    trace = solve(problem, make_arithmetic(problem.rounding, exact=False), CORRECT)
    answers = answers_from(trace, places)
    step = [s for s in trace.steps if s.updates][-1]
    update = step.updates[0]
    node = next(n for n in step.nodes if n.slope is not None)
    number = trace.steps.index(step) + 1
    extra = (f"  slope{node.id}: {_text(node.slope, places)}\n"
             f"  dE/dw{update.key[0]}{update.key[1]}: {_text(update.gradient, places)}\n"
             f"  momentum_w{update.key[0]}{update.key[1]}: "
             f"{_text(update.momentum, places)}\n")
    answers = answers.replace(f"step {number}:\n", f"step {number}:\n{extra}", 1)
    problem_path, answers_path = tmp_path / "p.yaml", tmp_path / "a.yaml"
    problem_path.write_text(text, encoding="utf-8")
    answers_path.write_text(answers, encoding="utf-8")
    return runner.invoke(app, ["check", str(problem_path), str(answers_path), "-f", "json"])


CORRECT_CASES = {
    "softmax_cross_entropy": SOFTMAX.format(convention="slides", extra="loss: cross_entropy\n"
                                            "epochs: 2\n"),
    "softmax_squared": SOFTMAX.format(convention="textbook", extra=""),
    "leaky_relu": TRAINING.format(convention="slides", extra="activation: [leaky_relu, "
                                  "sigmoid]\nleak: 0.1\n"),
    "binary_cross_entropy": BINARY.format(convention="textbook", extra="epochs: 2\n"),
    "momentum": TRAINING.format(convention="slides", extra="momentum: 0.9\nepochs: 2\n"),
    "batch_size": TRAINING.format(convention="textbook", extra="update: batch\n"
                                  "batch_size: 3\nmomentum: 0.5\nepochs: 2\n"),
    "train_bias": TRAINING.format(convention="slides", extra="train_bias: false\n"),
    "display": TRAINING.format(convention="slides", extra="display: {round: {out: 3}}\n"),
    "until": TRAINING.format(convention="slides", extra="epochs: 50\nlearning_rate: 2\n"
                             "until: {error: 0.6095}\n").replace("learning_rate: 0.5\n", ""),
}


@pytest.mark.parametrize("name", sorted(CORRECT_CASES))
def test_right_answers_pass(tmp_path, name):
    result = _correct_case(tmp_path, CORRECT_CASES[name])
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["all_right"] and report["total"] > 20
    kinds = {a["name"][:5]: a["expected"] for a in report["answers"]}
    assert {"slope", "dE/dw", "momen"} <= set(kinds)
    assert (kinds["momen"] != 0) == ("momentum" in CORRECT_CASES[name])


def test_a_planted_mistake_through_the_command(tmp_path):
    text = CORRECT_CASES["momentum"]
    problem = parse_problem(text)
    wrong = solve(replace(problem, momentum=0), make_arithmetic(None, exact=False))
    (tmp_path / "p.yaml").write_text(text)
    (tmp_path / "a.yaml").write_text(answers_from(wrong))
    result = runner.invoke(app, ["check", str(tmp_path / "p.yaml"), str(tmp_path / "a.yaml"),
                                 "-f", "json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    (finding,) = report["mistakes"]
    assert finding["mistake"] == "momentum_forgotten"
    assert finding["short"] == "momentum term left out"
    assert finding["first"] == {"name": "dw47", "step": 2}  # the first change with momentum
    assert report["unexplained"] == []
    table = runner.invoke(app, ["check", str(tmp_path / "p.yaml"), str(tmp_path / "a.yaml")])
    assert "step 2: dw47 wrong: the momentum term left out: Δw(n) = C δ z" in " ".join(
        table.stdout.split())


def test_until_stops_early_and_a_later_step_is_refused(tmp_path):
    text = CORRECT_CASES["until"]
    problem = parse_problem(text)
    trace = solve(problem, make_arithmetic(None, exact=False))
    assert trace.stopped[1] == "until" and 1 < trace.stopped[0] < 50
    ran = len(trace.steps)
    (tmp_path / "p.yaml").write_text(text)
    (tmp_path / "a.yaml").write_text(f"z7: .5\nstep {ran + 1}:\n  z7: .5\n")
    result = runner.invoke(app, ["check", str(tmp_path / "p.yaml"), str(tmp_path / "a.yaml")])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (f"a.yaml, line 3: step {ran + 1}.z7: training stops after epoch "
            f"{trace.stopped[0]}, step {ran} (its `until` is met)") in result.stderr


def test_the_lectures_rounding_per_quantity(tmp_path):
    # Section 4: carried with round {out: 3, weight: 4}, sigfigs {delta: 3}, the slide's
    # example gives w47 .3967, w67 .3670, w14 .4897, w24 .4931, w34 .4885.
    problem = tmp_path / "p.yaml"
    problem.write_text("layers: [2, 2, 1]\nweights: 0.5\npattern: [0.9, 0.6]\n"
                       "target: [0]\nlearning_rate: 1\n"
                       "round: {out: 3, weight: 4}\nsigfigs: {delta: 3}\n")
    answers = tmp_path / "a.yaml"
    answers.write_text("z4: .777\nz7: .782\ndelta7: -.133\nw47: .3967\nw67: .3670\n"
                       "w14: .4897\nw24: .4931\nw34: .4885\n")
    result = runner.invoke(app, ["check", str(problem), str(answers), "-f", "json"])
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["rounding"] == {"by_quantity": {
        "out": {"kind": "places", "digits": 3}, "delta": {"kind": "sigfigs", "digits": 3},
        "weight": {"kind": "places", "digits": 4}}, "detected": False}
    assert {a["name"]: a["expected"] for a in report["answers"]}["w47"] == 0.3967
    table = runner.invoke(app, ["check", str(problem), str(answers)])
    assert table.exit_code == 0 and "Score: 8/8 right" in table.stdout


# -- names ---------------------------------------------------------------------------------


def test_new_value_names():
    problem = problem_of(TRAINING, "slides", "momentum: 0.9\nupdate: batch\nbatch_size: 2\n")
    answers = parse_answers("step 2:\n  slope4: 1\n  f'7: 1\n  dE/dw47: 1\n  ∂E/∂w14: 1\n"
                            "  grad_w24: 1\n  momentum_w47: 1\n  mom_w14: 1\n", problem)
    assert [(a.quantity.kind, a.quantity.node, a.quantity.key) for a in answers] == [
        ("slope", 4, None), ("slope", 7, None), ("gradient", None, (4, 7)),
        ("gradient", None, (1, 4)), ("gradient", None, (2, 4)),
        ("momentum", None, (4, 7)), ("momentum", None, (1, 4))]


@pytest.mark.parametrize(("text", "message"), [
    ("w47: 1\n", "in batch mode the weights change only after the last pattern of each "
     "group of 2 (batch_size) (step 2), not after step 1"),
    ("step 3:\n  dE/dw47: 1\n", "(step 4), not after step 3"),
    ("slope3: 1\n", "node 3 is a bias node: it has no slope f'(net)"),
])
def test_update_values_only_where_the_weights_change(text, message):
    problem = problem_of(TRAINING, "slides", "update: batch\nbatch_size: 2\n")
    with pytest.raises(ProblemError) as caught:
        parse_answers(text, problem)
    assert message in caught.value.message


def test_a_rounded_mistake_with_momentum():
    # Momentum forgotten by a student who carried 3 places: found with the rounding.
    problem = problem_of(TRAINING, "slides", "momentum: 0.9\n")
    (mistake,) = [m for m in usual_mistakes(problem, None) if m.id == "momentum_forgotten"]
    rounded = replace(mistake.problem, rounding=Rounding("places", 3))
    trace = solve(rounded, make_arithmetic(rounded.rounding, exact=False))
    result = check(problem, parse_answers(answers_from(trace, 3), problem))
    assert [f.mistake.id for f in result.findings] == ["momentum_forgotten"]
    assert result.rounding_detected and result.rounding.digits == 3

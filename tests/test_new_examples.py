"""`bpcalc new` (a starter that solves as it stands) and `bpcalc examples` (bundled files)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.problem.loader import known_keys, parse_problem

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "bpcalc" / "examples"


def solve_json(path: Path) -> dict:
    result = runner.invoke(app, ["solve", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_new_default_solves_and_comments_every_key(tmp_path):
    result = runner.invoke(app, ["new", "--layers", "2-2-1"])
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "problem.yaml"
    path.write_text(result.stdout)
    solved = solve_json(path)
    assert solved["layers"] == [2, 2, 1]
    # all weights 0.5, input 1 0, bias 1: net4 = 0.5 + 0.5 = 1
    assert solved["steps"][0]["nodes"][3]["net"] == pytest.approx(1.0)
    # Every key, each with its comment; optional ones may be commented out ("# notation:").
    top_level = [line.removeprefix("# ") for line in result.stdout.splitlines()
                 if re.match(r"(# )?[a-z_]+:", line)]
    written = {line.split(":")[0] for line in top_level}
    assert written == set(known_keys()) - {"patterns"}
    assert all("#" in line for line in top_level)
    assert "into node 4: from 1, 2, bias 3" in result.stdout


def test_new_with_options(tmp_path):
    path = tmp_path / "p.yaml"
    result = runner.invoke(app, ["new", "--layers", "3,4,2", "--activation", "tanh",
                                 "--convention", "textbook", "--bias", "-1",
                                 "--patterns", "3", "--learning-rate", "1/4",
                                 "--weights", "0.2", "-o", str(path)])
    assert result.exit_code == 0, result.stderr
    problem = parse_problem(path.read_text())
    assert problem.network.sizes == (3, 4, 2)
    assert problem.bias == -1 and problem.convention == "textbook"
    assert {a.name for a in problem.activations} == {"tanh"}
    assert len(problem.patterns) == 3 and problem.learning_rate == 0.25
    assert set(problem.weights.values()) == {Fraction(1, 5)}
    solved = solve_json(path)
    assert solved["steps"][0]["nodes"][3] == {"id": 4, "kind": "bias", "layer": 0,
                                               "net": None, "out": -1.0, "delta": None,
                                               "slope": None}
    again = runner.invoke(app, ["new", "-o", str(path)])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert runner.invoke(app, ["new", "-o", str(path), "--force"]).exit_code == 0


def test_new_perceptron_and_bad_options():
    step = runner.invoke(app, ["new", "--layers", "2-1", "--activation", "step",
                               "--patterns", "4", "--bias", "none"])
    assert step.exit_code == 0
    assert len(parse_problem(step.stdout).patterns) == 4
    for options, key in ((["--layers", "2"], "--layers"),
                         (["--layers", "2-0-1"], "--layers"),
                         (["--activation", "sigmoidal"], "--activation"),
                         (["--layers", "2-2-1", "--activation", "step"], "--activation"),
                         (["--bias", "one"], "--bias"),
                         (["--learning-rate", "-1"], "--learning-rate")):
        result = runner.invoke(app, ["new", *options])
        assert result.exit_code == 2, options
        assert result.stderr.startswith(f"bpcalc: error: {key}:"), result.stderr
        assert result.stdout == ""


def test_new_with_version_two_options(tmp_path):
    path = tmp_path / "p.yaml"
    result = runner.invoke(app, ["new", "--layers", "2-2-2", "--activation", "sigmoid,softmax",
                                 "--loss", "cross_entropy", "--momentum", "0.9",
                                 "--batch-size", "2", "--patterns", "3", "--no-train-bias",
                                 "--until-error", "0.5", "-o", str(path)])
    assert result.exit_code == 0, result.stderr
    problem = parse_problem(path.read_text())
    assert [a.name for a in problem.activations] == ["sigmoid", "softmax"]
    assert problem.loss == "cross_entropy" and problem.momentum == Fraction(9, 10)
    assert (problem.update, problem.batch_size, problem.train_bias) == ("batch", 2, False)
    assert problem.until.error == Fraction(1, 2) and problem.epochs == 100
    assert [p.target for p in problem.patterns] == [(1, 0), (0, 1), (1, 0)]  # one-hot
    solved = solve_json(path)
    assert (solved["momentum"], solved["batch_size"], solved["train_bias"]) == (0.9, 2, False)
    # Groups of 2 and 1: updates after steps 2 and 3; the bias weights (from 3, 6) stay.
    steps = solved["steps"]
    assert [bool(s["updates"]) for s in steps[:3]] == [False, True, True]
    assert all(u["change"] == 0 for u in steps[1]["updates"] if u["from"] in (3, 6))
    assert any(u["change"] != 0 for u in steps[1]["updates"] if u["from"] == 4)
    leaky = runner.invoke(app, ["new", "--activation", "leaky_relu", "--leak", "1/10"])
    assert leaky.exit_code == 0, leaky.stderr
    assert {a.leak for a in parse_problem(leaky.stdout).activations} == {Fraction(1, 10)}
    assert "leak: 0.1" in leaky.stdout


@pytest.mark.parametrize(("options", "message"), [
    (["--momentum", "1"], "--momentum: must be less than 1, got '1'"),
    (["--momentum", "-0.1"], "--momentum: must be 0 or more"),
    (["--batch-size", "0"], "--batch-size: expected a whole number of patterns from 1 to 1000"),
    (["--batch-size", "two"], "--batch-size: expected a whole number"),
    (["--until-error", "-1"], "--until-error: must be 0 or more"),
    (["--until-error", "small"], "--until-error: expected a number"),
    (["--leak", "0.1"], "--leak: only leaky_relu takes a leak"),
    (["--activation", "leaky_relu", "--leak", "1"], "--leak: must be less than 1"),
    (["--activation", "softmax"], "--activation: softmax works only as the output layer's"),
    (["--activation", "sigmoid,softmax"], "--activation: softmax needs at least 2 output"),
    (["--layers", "2-1", "--activation", "tanh", "--loss", "cross_entropy", "--weights",
      "-0.5"], "--loss: step 1, output node 4: cross_entropy takes the log of "),
])
def test_new_refuses_bad_version_two_values(options, message):
    result = runner.invoke(app, ["new", *options])
    assert result.exit_code == 2, options
    assert result.stdout == ""
    assert result.stderr.startswith(f"bpcalc: error: {message}"), result.stderr
    assert result.stderr.count("\n") == 1


def test_examples_lists_problems_answers_and_templates_in_groups():
    result = runner.invoke(app, ["examples"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings[:3] == ["Problems (bpcalc solve NAME.yaml):",
                            "Answers files (bpcalc check PROBLEM.yaml NAME.yaml):",
                            "Templates (bpcalc generate NAME.yaml):"]
    groups = {"": [], "answers": [], "templates": []}
    for folder, names in groups.items():
        names.extend(sorted(p.stem for p in (BUNDLED / folder).glob("*.yaml")))
    assert len(groups[""]) >= 5 and groups["answers"] and groups["templates"]
    start = {heading: lines.index(heading) for heading in headings[:3]}
    for names, (heading, first) in zip(groups.values(), start.items(), strict=True):
        for name in names:  # each file under its own heading, in the order of the groups
            row = next(n for n, line in enumerate(lines) if line.startswith(f"  {name} "))
            assert row > first, (name, heading)
            assert all(not first < other < row for other in start.values()), name
    assert "2-2-1 MLP, all weights 0.5 (lecture slides)" in result.stdout
    assert "2-2-1 sigmoid, 4 patterns x 5 epochs, learning rate" in result.stdout  # (wrapped)
    assert "2-1 step, 4 patterns x at most 20 epochs" in result.stdout  # until no_mistakes
    assert "  slides_2-2-1_correct     The lecture's own answers to" in result.stdout
    assert max(len(line) for line in lines) <= 80


def test_examples_copies_one_and_all(tmp_path):
    one = runner.invoke(app, ["examples", "xor", "-o", str(tmp_path)])
    assert one.exit_code == 0, one.stderr
    assert (tmp_path / "xor.yaml").read_bytes() == (BUNDLED / "xor.yaml").read_bytes()
    again = runner.invoke(app, ["examples", "xor.yaml", "-o", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.stderr
    renamed = runner.invoke(app, ["examples", "slides_2-2-1", "-o", str(tmp_path / "hw1.yaml")])
    assert renamed.exit_code == 0
    assert (tmp_path / "hw1.yaml").read_text() == (BUNDLED / "slides_2-2-1.yaml").read_text()
    printed = runner.invoke(app, ["examples", "paper_2-1-1", "-o", "-"])
    assert printed.stdout == (BUNDLED / "paper_2-1-1.yaml").read_text()
    # An answers file and a template copy by name, like a problem.
    answers = runner.invoke(app, ["examples", "slides_2-2-1_correct", "-o", str(tmp_path)])
    assert answers.exit_code == 0, answers.stderr
    assert (tmp_path / "slides_2-2-1_correct.yaml").read_bytes() == (
        BUNDLED / "answers" / "slides_2-2-1_correct.yaml").read_bytes()
    template = runner.invoke(app, ["examples", "slides_2-2-1_variants", "-o", "-"])
    assert template.stdout == (BUNDLED / "templates" / "slides_2-2-1_variants.yaml").read_text()
    # --all: the package's layout, so --to problems/ gives the README's paths.
    folder = tmp_path / "all"
    every = runner.invoke(app, ["examples", "--all", "--to", str(folder)])
    assert every.exit_code == 0, every.stderr
    copied = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml"))
    assert copied == sorted(p.relative_to(BUNDLED).as_posix() for p in BUNDLED.rglob("*.yaml"))
    assert "answers/slides_2-2-1_new_weight.yaml" in copied
    assert "templates/slides_2-2-1_variants.yaml" in copied
    assert "copied answers/slides_2-2-1_correct.yaml to " in every.stderr
    unknown = runner.invoke(app, ["examples", "xr"])
    assert unknown.exit_code == 2 and "did you mean 'xor'" in unknown.stderr


def test_problems_folder_is_the_bundled_one():
    """The README's `problems/...` paths and the package data are the same files."""
    problems = ROOT / "problems"
    assert sorted(p.name for p in problems.glob("*.yaml")) == sorted(
        p.name for p in BUNDLED.glob("*.yaml"))
    assert (problems / "slides_2-2-1.yaml").resolve() == (BUNDLED / "slides_2-2-1.yaml").resolve()
    assert 'examples/*.yaml' in (ROOT / "pyproject.toml").read_text()
    templates = ROOT / "templates"  # the clone's templates/ is the bundled folder too
    assert (templates / "slides_2-2-1_variants.yaml").resolve() == (
        BUNDLED / "templates" / "slides_2-2-1_variants.yaml").resolve()

"""Every malformed file or option: one clear line naming the key and line, status 2."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()

GOOD = """\
layers: [2, 2, 1]
weights: 0.5
pattern: [0.9, 0.6]
target: [0]
learning_rate: 1
"""


def run(tmp_path, text: str, *options: str):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    return runner.invoke(app, ["solve", str(path), "--format", "json", *options])


def assert_bad(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert result.stdout == ""  # nothing written half-way
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_good_file_solves(tmp_path):
    result = run(tmp_path, GOOD)
    assert result.exit_code == 0
    assert '"final_weights"' in result.stdout


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (GOOD.replace("learning_rate: 1\n", ""), ["learning_rate", "required", "line 1"]),
        (GOOD.replace("layers: [2, 2, 1]\n", ""), ["layers", "required"]),
        (GOOD.replace("weights: 0.5\n", ""), ["weights", "required"]),
        (GOOD.replace("pattern: [0.9, 0.6]\ntarget: [0]\n", ""), ["patterns", "required"]),
        (GOOD.replace("target: [0]\n", ""), ["target", "required with pattern"]),
        (GOOD.replace("learning_rate: 1", "learning_rate: fast"),
         ["learning_rate", "expected a number", "'fast'", "line 5"]),
        (GOOD.replace("learning_rate: 1", "learning_rate: -1"),
         ["learning_rate", "negative", "line 5"]),
        (GOOD.replace("learning_rate: 1", "learning_rate: true"),
         ["learning_rate", "expected a number", "line 5"]),
        (GOOD.replace("learning_rate: 1", "learning_rate: \"__import__('os')\""),
         ["learning_rate", "expected a number", "line 5"]),
        (GOOD.replace("learning_rate: 1", "learning_rate: 1e999999"),
         ["learning_rate", "expected a number", "line 5"]),
        (GOOD.replace("[0.9, 0.6]", "[0.9, 0.6, 0.1]"),
         ["pattern", "expected 2 input value(s)", "got 3", "line 3"]),
        (GOOD.replace("target: [0]", "target: [0, 1]"),
         ["target", "expected 1 target value(s)", "line 4"]),
        (GOOD.replace("[0.9, 0.6]", "[0.9, x]"), ["pattern[1]", "expected a number", "'x'"]),
        (GOOD + "learnin_rate: 2\n", ["learnin_rate", "unknown key", "learning_rate", "line 6"]),
        (GOOD + "activation: sigmod\n", ["activation", "unknown activation", "sigmoid"]),
        (GOOD + "activation: step\n", ["activation", "step", "hidden", "line 6"]),
        (GOOD + "activation: [sigmoid]\n", ["activation", "expected 2 activation(s)"]),
        (GOOD + "round: 3\nsigfigs: 3\n", ["sigfigs", "round or sigfigs", "line 7"]),
        (GOOD + "round: 2.5\n", ["round", "whole number", "line 6"]),
        (GOOD + "epochs: 0\n", ["epochs", "1 or more", "line 6"]),
        (GOOD + "loss: cross_entropi\n", ["loss", "unknown value", "cross_entropy"]),
        (GOOD + "convention: book\n", ["convention", "unknown value"]),
        (GOOD + "update: online\n", ["update", "unknown value"]),
        (GOOD + "learning_rate: 2\n", ["learning_rate", "twice", "line 6"]),
        (GOOD.replace("weights: 0.5", "weights: {w47: 0.1}"),
         ["weights", "no value for w14", "default", "line 2"]),
        (GOOD.replace("weights: 0.5", "weights: {default: 0.5, w48: 0.1}"),
         ["weights.w48", "no weight from node 4 to node 8", "line 2"]),
        (GOOD.replace("weights: 0.5", "weights: {default: 0.5, weight7: 0.1}"),
         ["weights.weight7", "not a weight name"]),
        (GOOD.replace("weights: 0.5", "weights: {default: 0.5, w47: 0.1, w4_7: 0.2}"),
         ["weights.w4_7", "named twice"]),
        (GOOD.replace("weights: 0.5", "weights: [[[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]]"),
         ["weights", "expected 2 matrices"]),
        (GOOD.replace("weights: 0.5",
                      "weights:\n  - [[0.5, 0.5, 0.5]]\n  - [[0.5, 0.5, 0.5]]"),
         ["weights[0]", "needs 2 row(s), got 1", "line 3"]),
        (GOOD.replace("weights: 0.5",
                      "weights:\n  - [[0.5, 0.5], [0.5, 0.5]]\n  - [[0.5, 0.5, 0.5]]"),
         ["weights[0][0]", "node 4 takes 3 weight(s)", "and its bias", "got 2", "line 3"]),
        (GOOD.replace("weights: 0.5", "weights: \"1/0\""), ["weights", "expected a number"]),
        (GOOD.replace("layers: [2, 2, 1]", "layers: [2]"), ["layers", "at least an input"]),
        (GOOD.replace("layers: [2, 2, 1]", "layers: [2, 0, 1]"), ["layers[1]", "at least 1"]),
        (GOOD.replace("layers: [2, 2, 1]", "layers: [2, two, 1]"),
         ["layers[1]", "expected a number", "'two'"]),
        (GOOD.replace("layers: [2, 2, 1]", "layers: [2, 1.5, 1]"),
         ["layers[1]", "whole number"]),
        (GOOD.replace("layers: [2, 2, 1]", "layers: [2, 5000, 1]"), ["layers", "limit"]),
        ("", ["empty"]),
        ("# only a comment\n", ["empty"]),
        ("- 1\n- 2\n", ["mapping", "line 1"]),
        ("layers: [2, 2, 1\nweights: 0.5\n", ["not valid YAML", "line"]),
        ("layers: !!python/object:os.system [2]\n", ["layers", "tag"]),
        (GOOD + "pattern: [1, 1]\n", ["pattern", "twice"]),
        (GOOD.replace("pattern: [0.9, 0.6]\ntarget: [0]\n",
                      "patterns:\n  - {input: [1, 1]}\n"), ["patterns[0]", "needs 'target'"]),
        (GOOD.replace("pattern: [0.9, 0.6]\ntarget: [0]\n",
                      "patterns:\n  - {input: [1, 1], target: [1], weight: 2}\n"),
         ["patterns[0].weight", "unknown key"]),
    ],
)
def test_bad_file(tmp_path, text, fragments):
    message = assert_bad(run(tmp_path, text), *fragments)
    assert message.startswith("bpcalc: error: ")
    assert message.count("\n") == 0  # one message, one line


def test_missing_path():
    result = runner.invoke(app, ["solve", "no/such/problem.yaml"])
    assert_bad(result, "no/such/problem.yaml", "no such file")


def test_directory_path(tmp_path):
    assert_bad(runner.invoke(app, ["solve", str(tmp_path)]), "directory")


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--learning-rate", "abc"], ["--learning-rate", "expected a number"]),
        (["--epochs", "0"], ["--epochs", "1 or more"]),
        (["--round", "2", "--sigfigs", "3"], ["--round", "not both"]),
        (["--steps", "5"], ["--steps", "from 1 to 1"]),
        (["--steps", "one"], ["--steps", "step numbers"]),
    ],
)
def test_bad_option(tmp_path, options, fragments):
    assert_bad(run(tmp_path, GOOD, *options), *fragments)


def test_bad_choice_option_is_usage_error(tmp_path):
    result = run(tmp_path, GOOD, "--convention", "book")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_alias_bomb_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        previous = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([previous] * 9)}]")
    started = time.perf_counter()
    result = run(tmp_path, "\n".join(lines) + "\n" + GOOD)
    elapsed = time.perf_counter() - started
    assert_bad(result, "aliases", "line 2")
    assert elapsed < 5  # generous: it is refused before anything is expanded


def test_huge_nets_do_not_crash(tmp_path):
    text = GOOD.replace("weights: 0.5", "weights: 1000").replace("[0.9, 0.6]", "[900, -600]")
    for options in ([], ["--round", "4"], ["--exact"]):
        result = run(tmp_path, text, *options)
        assert result.exit_code == 0, result.stderr
        assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_output_file_not_written_on_error(tmp_path):
    target = tmp_path / "out.json"
    result = run(tmp_path, GOOD.replace("learning_rate: 1", "learning_rate: x"),
                 "-o", str(target))
    assert result.exit_code == 2
    assert not target.exists()

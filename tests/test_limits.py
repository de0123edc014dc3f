"""Resource limits: each refuses at once with its own message (exit 2), never a hang."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine import limits
from bpcalc.problem import yamlsource

runner = CliRunner()

GOOD = "layers: [2, 2, 1]\nweights: 0.5\npattern: [0.9, 0.6]\ntarget: [0]\nlearning_rate: 1\n"


def run(tmp_path, text: str | bytes, *options: str):
    path = tmp_path / "problem.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["solve", str(path), "--format", "json", *options])


def refused(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith("bpcalc: error: ") and message.count("\n") == 1, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_file_size(tmp_path):
    padding = "# " + "x" * 1000 + "\n"
    text = GOOD + padding * (yamlsource.MAX_FILE_BYTES // len(padding) + 1)
    assert len(text.encode()) > yamlsource.MAX_FILE_BYTES
    refused(run(tmp_path, text), "larger than 5 MiB")
    assert run(tmp_path, GOOD + padding * 100).exit_code == 0


@pytest.mark.parametrize(("layers", "fragment"), [
    ("[2, 100000000000000000000000000000000000000000000000000000000000, 1]",
     "nodes is more than the limit of 5000"),  # was a MemoryError: the network was built first
    ("[2, 4999, 1]", "5002 nodes is more than the limit of 5000"),
    ("[" + ", ".join(["1"] * 6000) + "]", "6000 nodes is more than the limit of 5000"),
    ("[600, 600, 1]", "more than 250,000 weights"),
])
def test_nodes_and_weights(tmp_path, layers, fragment):
    refused(run(tmp_path, GOOD.replace("[2, 2, 1]", layers)), "layers", fragment)


def test_steps(tmp_path):
    refused(run(tmp_path, GOOD + "epochs: 2000001\n"), "epochs", "more than 2,000,000 steps")
    refused(run(tmp_path, GOOD, "--epochs", "2000001"), "--epochs", "more than 2,000,000")


def test_steps_times_weights(tmp_path):
    # 2-40-1 has 161 weights: one step more than the float engine's limit of weight updates.
    limit = limits.COMPUTATION_LIMITS["fastfloat"]
    epochs = limit // 161 + 1
    text = GOOD.replace("[2, 2, 1]", "[2, 40, 1]")
    refused(run(tmp_path, text, "--epochs", str(epochs)), "--epochs",
            f"{epochs:,} steps of 161 weights is {epochs * 161:,} weight updates (steps x "
            f"weights), more than the {limit:,} allowed for float runs")
    # 2-300-300-1 (91,501 weights) is numpy's: 300 steps are quick to compute, but their
    # JSON would be 27 million values.
    wide = GOOD.replace("[2, 2, 1]", "[2, 300, 300, 1]").replace("[0]", "[0]\nepochs: 300")
    refused(run(tmp_path, wide), "epochs", "300 steps of 606 nodes and 91,501 weights",
            "values to write", "line 5")


@pytest.mark.parametrize("key", ["round", "sigfigs"])
def test_rounding_digits(tmp_path, key):
    # round: 1000000000 used to build 10**1000000000 (a hang).
    refused(run(tmp_path, GOOD + f"{key}: 1000000000\n"), key, "from", "to 40")
    assert run(tmp_path, GOOD + f"{key}: 40\n").exit_code == 0
    refused(run(tmp_path, GOOD, f"--{key}", "41"), f"--{key}", "to 40")


def test_exact_work_is_limited_with_advice(tmp_path):
    limit = limits.COMPUTATION_LIMITS["exact"]
    epochs = limit // 9 + 1  # the 2-2-1 example has 9 weights
    message = refused(run(tmp_path, GOOD, "--exact", "--epochs", str(epochs)), "--exact",
                      f"{epochs} step(s) of 9 weights is too much for exact values",
                      f"at most {limit:,}", "--round")
    assert "leave out --exact" in message
    assert run(tmp_path, GOOD, "--exact", "--epochs", str(epochs), "--round", "4").exit_code == 0


def test_yaml_alias_refused(tmp_path):
    text = GOOD.replace("pattern: [0.9, 0.6]", "pattern: &p [0.9, 0.6]") + "title: *p\n"
    refused(run(tmp_path, text), "aliases (*p) are not allowed", "line 6")


@pytest.mark.parametrize("number", ["1e61", "1e-61", "1" * 61, "1e999999999999"])
def test_huge_exponents_refused(tmp_path, number):
    refused(run(tmp_path, GOOD.replace("learning_rate: 1", f"learning_rate: {number}")),
            "learning_rate", "expected a number")


def test_largest_numbers_accepted(tmp_path):
    assert run(tmp_path, GOOD.replace("learning_rate: 1", "learning_rate: 1e-60")).exit_code == 0


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_is_one_line_not_a_recursion_error(tmp_path, depth):
    refused(run(tmp_path, GOOD + "title: " + "[" * depth + "]" * depth + "\n"),
            "not valid YAML", "nesting depth")
    refused(run(tmp_path, GOOD + "title: " + "{a: " * depth + "1" + "}" * depth + "\n"),
            "not valid YAML")


def test_control_characters_and_bytes_are_one_line(tmp_path):
    refused(run(tmp_path, GOOD + 'title: "\x01"\n'), "line 6", "character U+0001 is not allowed")
    refused(run(tmp_path, GOOD.encode() + b"\xff\xfe"), "not UTF-8")
    refused(run(tmp_path, GOOD + '"\\r": 1\n'), "'\\r': this key: character U+000D")  # escaped


def test_lone_surrogates_in_text_are_a_problem_error():
    # parse_problem takes text from callers other than files; the C parser cannot encode it.
    from bpcalc.errors import ProblemError
    from bpcalc.problem.loader import parse_problem

    with pytest.raises(ProblemError, match="line 2: not valid YAML: character '.udc80'"):
        parse_problem(GOOD[:19] + "\udc80" + GOOD[19:])


def test_rounded_tanh_of_a_huge_net(tmp_path):
    # tanh(1e120) at 40 digits used to raise decimal.Overflow (exit 1).
    text = GOOD.replace("weights: 0.5", "weights: 1e60").replace("[0.9, 0.6]", "[1e60, 1]")
    result = run(tmp_path, text + "activation: tanh\n", "--round", "3")
    assert result.exit_code == 0, result.stderr
    assert '"out":1.0' in result.stdout

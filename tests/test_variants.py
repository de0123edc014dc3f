"""Problem sets for a course: what a template asks (`ask`, `answer_precision`), a variant
per student (`--roster`), and variants worth working (the rejection rules)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.errors import ProblemError
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.problem.training import rounding_data, rounding_from_data
from bpcalc.problemset.generator import generate, template_keys

runner = CliRunner()

BASE = """\
title: Slides
layers: [2, 2, 1]
activation: sigmoid
weights: {random: [-1, 1], step: 0.1, exclude: [0]}
pattern: {random: [0, 1], step: 0.1}
target: {choice: [0, 1]}
learning_rate: 1
"""


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run_generate(template: Path, out: Path, *options: str):
    return runner.invoke(app, ["generate", str(template), "--out", str(out), *options])


# --- ask and answer_precision --------------------------------------------------------------

def test_ask_is_text_and_line_pairs_and_every_variant_carries_it():
    text = BASE + 'ask: [z7, delta7, "step 1: w47", {step 1: w14}]\n'
    keys = template_keys(text)
    assert keys.ask == (("z7", 8), ("delta7", 8), ("step 1: w47", 8), ("step 1: w14", 8))
    variants = generate(text, seed=1, count=2, name="t.yaml")
    assert [v.ask for v in variants] == [keys.ask, keys.ask]
    assert all(v.answer_precision is None for v in variants)  # absent: 4 places


def test_ask_as_a_block_list_has_a_line_per_entry():
    keys = template_keys(BASE + "ask:\n  - z7\n  - step 1: w47\n")
    assert keys.ask == (("z7", 9), ("step 1: w47", 10))


@pytest.mark.parametrize(("written", "expected"), [
    ("4", Rounding("places", 4)),
    ("{round: 3}", Rounding("places", 3)),
    ("{sigfigs: 3}", Rounding("sigfigs", 3)),
    ("{round: {weight: 4}, sigfigs: {delta: 3}}",
     QuantityRounding((("delta", Rounding("sigfigs", 3)), ("weight", Rounding("places", 4))))),
])
def test_answer_precision_reads_as_rounding_does(written, expected):
    keys = template_keys(BASE + f"answer_precision: {written}\n")
    assert keys.answer_precision == expected
    assert rounding_from_data(rounding_data(expected)) == expected


@pytest.mark.parametrize(("line", "message"), [
    ("ask: []", "line 8: ask: asks for nothing"),
    ("ask: [[z7]]", "line 8: ask[0]: expected a quantity name"),
    ("answer_precision: {places: 4}", "line 8: answer_precision.places: answer_precision "
                                      "takes round and sigfigs"),
    ("answer_precision: {round: {weights: 4}}", "line 8: answer_precision.round.weights: "
                                                "unknown quantity"),
    ("answer_precision: {round: 4, sigfigs: 3}", "line 8: answer_precision.sigfigs: give "
                                                 "round or sigfigs, not both"),
    ("answer_precision: {round: 99}", "line 8: answer_precision.round: must be none or a "
                                      "whole number from 0 to 40"),
])
def test_bad_template_keys_name_the_key_and_line(line, message):
    with pytest.raises(ProblemError) as error:
        template_keys(BASE + line + "\n")
    assert str(error.value).startswith(message), str(error.value)


def test_the_variant_file_has_no_template_only_key_and_the_index_has_them(tmp_path):
    template = write(tmp_path, BASE + "ask: [z7, delta4]\n"
                     "answer_precision: {round: {weight: 4}, sigfigs: {delta: 3}}\n")
    out = tmp_path / "set"
    result = run_generate(template, out, "-n", "2", "--formats", "json")
    assert result.exit_code == 0, result.stderr
    text = (out / "variant_01.yaml").read_text()
    assert "ask" not in text and "answer_precision" not in text
    load_problem(str(out / "variant_01.yaml"))  # still a valid problem
    index = json.loads((out / "index.json").read_text())
    assert index["ask"] == ["z7", "delta4"]
    assert index["answer_precision"] == {"round": {"weight": 4}, "sigfigs": {"delta": 3}}
    assert [v["number"] for v in index["variants"]] == [1, 2]
    assert index["variants"][1]["file"] == "variant_02.yaml"
    assert index["variants"][1]["ask"] == ["z7", "delta4"]


@pytest.mark.parametrize(("ask", "message"), [
    ("[z7, w99]", "line 9: ask: this network has no weight"),
    ('[z7, "step 2: w47"]', "line 9: ask: this problem has 1 step(s), not step 2"),
])
def test_a_name_the_problem_lacks_is_exit_2_before_anything_is_written(tmp_path, ask,
                                                                        message):
    template = write(tmp_path, BASE + "# what is asked\n" + f"ask: {ask}\n")
    out = tmp_path / "set"
    result = run_generate(template, out, "-n", "2")
    assert result.exit_code == 2
    assert f"{template}, {message}" in result.stderr, result.stderr
    assert not out.exists()

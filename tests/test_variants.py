"""Problem sets for a course: what a template asks (`ask`, `answer_precision`), a variant
per student (`--roster`), and variants worth working (the rejection rules)."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
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
    # one value asked twice: two boxes and two platform answers for it, which no answers
    # file can hold
    ('[z7, delta4, "step 1: z7"]', "line 9: ask: 'step 1: z7' asks again for 'z7'"),
])
def test_a_name_the_problem_lacks_is_exit_2_before_anything_is_written(tmp_path, ask,
                                                                        message):
    template = write(tmp_path, BASE + "# what is asked\n" + f"ask: {ask}\n")
    out = tmp_path / "set"
    result = run_generate(template, out, "-n", "2")
    assert result.exit_code == 2
    assert f"{template}, {message}" in result.stderr, result.stderr
    assert not out.exists()


# --- variants worth working: each rule planted, its counts computed here --------------------

def simulate(seed: int, count: int, draw, bad, draws: int = 100):
    """The documented drawing, done independently: variant n's k-th draw is
    random.Random(f"{seed}/{n}") (k = 1) or f"{seed}/{n}/{k}"; an earlier variant's numbers
    are refused as identical, then `bad(numbers)` names the rule that refuses them."""
    refused, seen, chosen = Counter(), set(), []
    for number in range(1, count + 1):
        for attempt in range(1, draws + 1):
            rng = random.Random(f"{seed}/{number}" if attempt == 1
                                else f"{seed}/{number}/{attempt}")
            numbers = draw(rng)
            rule = "identical" if numbers in seen else bad(numbers)
            if rule is None:
                seen.add(numbers)
                chosen.append(numbers)
                break
            refused[rule] += 1
    return chosen, refused


def refused_line(refused: Counter) -> str:
    order = ("identical", "dead_relu", "saturated", "zero_delta", "frozen_weight")
    total = sum(refused.values())
    counts = ", ".join(f"{rule} {refused[rule]}" for rule in order if refused[rule])
    return f"refused {total} draws not worth working ({counts}) and drew again"


def index_rows(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "index.csv").read_text())))


# Each planted template: its text, how many values each draw takes (randrange bounds, in
# the template's order), the rule refusing a draw, and the values' column in index.csv.
DEAD_RELU = ("""\
layers: [1, 1, 1]
activation: [relu, linear]
weights: {w13: {choice: [-1, 1]}, w23: 0, w35: 1, w45: {random: [0.1, 0.9], step: 0.1}}
pattern: [1]
target: [2]
learning_rate: 0.1
""", (2, 9), lambda v: "dead_relu" if v[0] == 0 else None)  # w13 = -1: net3 = -1 <= 0

SATURATED = ("""\
layers: [1, 1]
activation: sigmoid
weights: {w13: {choice: [5, 1]}, w23: {random: [-0.5, 0.5], step: 0.1}}
pattern: [1]
target: [0]
learning_rate: 1
""", (2, 11), lambda v: "saturated" if v[0] == 0 else None)  # net3 = 5 + w23 >= 4.5 > 4

ZERO_DELTA = ("""\
layers: [1, 1]
activation: linear
weights: {w13: 0.5, w23: 0}
pattern: [1]
target: {choice: [0.50004, 1]}
learning_rate: {random: [0.1, 0.9], step: 0.1}
""", (2, 9), lambda v: "zero_delta" if v[0] == 0 else None)  # delta3 = 0.00004: 0.0000

FROZEN_WEIGHT = ("""\
layers: [1, 1]
activation: linear
round: 2
weights: {w13: 0, w23: 0}
pattern: [1]
target: {random: [0.5, 0.9], step: 0.1}
learning_rate: {choice: [0.001, 1]}
""", (5, 2), lambda v: "frozen_weight" if v[1] == 0 else None)  # 0.001 x 0.9 rounds to 0.00

IDENTICAL = ("""\
layers: [1, 1]
activation: sigmoid
weights: {w13: 0.5, w23: 0.2}
pattern: [1]
target: [0]
learning_rate: {choice: [0.5, 1]}
""", (2,), lambda v: None)


@pytest.mark.parametrize(("planted", "count"), [
    (DEAD_RELU, 6), (SATURATED, 6), (ZERO_DELTA, 6), (FROZEN_WEIGHT, 4), (IDENTICAL, 2)],
    ids=["dead_relu", "saturated", "zero_delta", "frozen_weight", "identical"])
def test_a_planted_rule_refuses_and_counts_its_draws(tmp_path, planted, count):
    text, bounds, bad = planted
    chosen, refused = simulate(5, count, lambda rng: tuple(rng.randrange(b) for b in bounds),
                               bad)
    rule = bad((0, 0)) or "identical"
    assert refused[rule] > 0  # the seed does plant the defect
    out = tmp_path / "set"
    result = run_generate(write(tmp_path, text), out, "-n", str(count), "--seed", "5",
                          "--formats", "json")
    assert result.exit_code == 0, result.stderr
    assert refused_line(refused) in result.stderr
    assert len(index_rows(out)) == count


def test_the_written_variants_are_the_draws_that_passed(tmp_path):
    text, bounds, bad = DEAD_RELU
    chosen, _refused = simulate(5, 6, lambda rng: tuple(rng.randrange(b) for b in bounds),
                                bad)
    out = tmp_path / "set"
    assert run_generate(write(tmp_path, text), out, "-n", "6", "--seed", "5").exit_code == 0
    written = [(row["weights.w13"], row["weights.w45"]) for row in index_rows(out)]
    grid = [f"0.{i}" for i in range(1, 10)]
    assert written == [("1", grid[w45]) for _w13, w45 in chosen]


@pytest.mark.parametrize(("planted", "setting"), [
    (SATURATED, "variants: {saturation: 6}"),  # 5.5 is not above 6
    (SATURATED, "variants: {saturation: {sigmoid: 6}}"),
    (ZERO_DELTA, "answer_precision: {sigfigs: 3}"),  # 0.0000400 is not 0
    (DEAD_RELU, "variants: {reject: [identical]}"),
    (DEAD_RELU, "variants: {reject: none}"),
])
def test_the_template_sets_the_rules(tmp_path, planted, setting):
    text, _bounds, bad = planted
    rule = bad((0, 0))
    result = run_generate(write(tmp_path, text + setting + "\n"), tmp_path / "set", "-n", "6",
                          "--seed", "5", "--formats", "json")
    assert result.exit_code == 0, result.stderr
    assert rule not in result.stderr


NOT_DEFECTS = {
    "frozen bias": """\
layers: [1, 1]
activation: sigmoid
train_bias: false
weights: {random: [-1, 1], step: 0.1, exclude: [0]}
pattern: [{random: [0.1, 1], step: 0.1}]
target: {choice: [0, 1]}
learning_rate: 1
""",
    "perceptron already right": """\
layers: [2, 1]
activation: step
weights: {w14: {random: [0.1, 1], step: 0.1}, w24: 0.5, w34: 0.5}
pattern: [1, 1]
target: [1]
learning_rate: 1
epochs: 2
""",
    "zero input": """\
layers: [2, 1]
activation: linear
weights: {w14: 0.3, w24: 0.2, w34: 0.1}
pattern: [0, {random: [0.5, 1], step: 0.1}]
target: [2]
learning_rate: 0.5
""",
}


@pytest.mark.parametrize("name", list(NOT_DEFECTS))
def test_what_is_not_a_defect_is_never_refused(tmp_path, name):
    text = NOT_DEFECTS[name] + ("variants: {reject: [dead_relu, saturated, zero_delta, "
                                "frozen_weight]}\n")
    result = run_generate(write(tmp_path, text), tmp_path / "set", "-n", "6", "--formats",
                          "json")
    assert result.exit_code == 0, result.stderr
    assert "refused" not in result.stderr


@pytest.mark.parametrize(("planted", "count", "message"), [
    (IDENTICAL, 3, "all 7 draws of variant 3 were refused (identical 7)"),
    ((DEAD_RELU[0].replace("{choice: [-1, 1]}", "-1"),), 1,
     "all 7 draws of variant 1 were refused (dead_relu 7)"),
])
def test_too_few_good_variants_is_a_clear_error(tmp_path, planted, count, message):
    text = planted[0] + "# seven tries\nvariants: {draws: 7}\n"
    line = text.count("\n")
    out = tmp_path / "set"
    result = run_generate(write(tmp_path, text), out, "-n", str(count))
    assert result.exit_code == 2
    assert (f"line {line}: variants: the template cannot give enough variants worth "
            f"working: {message}") in result.stderr, result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("setting", "message"), [
    ("variants: {reject: [dead]}", "line 8: variants.reject[0]: unknown rule 'dead'"),
    ("variants: {tries: 3}", "line 8: variants.tries: unknown key in variants"),
    ("variants: {draws: 0}", "line 8: variants.draws: must be from 1 to 1000"),
    ("variants: {saturation: -1}", "line 8: variants.saturation: must be more than 0"),
    ("variants: {saturation: {relu: 1}}", "line 8: variants.saturation.relu: saturation is "
                                          "judged for sigmoid, tanh"),
])
def test_bad_rules_name_the_key_and_line(setting, message):
    with pytest.raises(ProblemError) as error:
        template_keys(BASE + setting + "\n")
    assert str(error.value).startswith(message), str(error.value)

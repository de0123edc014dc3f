"""`epoch N:` and `final:` sections of an answers file: the weights after an epoch's last
update and the epoch's error, the weights after the last update; their labels, and the
bad input (a value of one presentation under `epoch N:`, an epoch the problem does not
run) refused with the key and the line.

The XOR network's weights are trained here by a separate small loop (not the engine).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()
XOR = str(Path(__file__).resolve().parent.parent / "bpcalc" / "examples" / "xor.yaml")
PATTERNS = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]
START = {(1, 4): .5, (2, 4): -.4, (3, 4): .1, (1, 5): -.3, (2, 5): .6, (3, 5): -.2,
         (4, 7): .7, (5, 7): -.5, (6, 7): .3}


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def train(epochs: int, batch: bool = False) -> tuple[dict, list[float]]:
    """2-2-1 sigmoid, bias 1, learning rate .5, half squared error: (weights, error of
    each epoch, the sum of its patterns' errors)."""
    w = dict(START)
    errors = []
    for _epoch in range(epochs):
        total, summed = 0.0, dict.fromkeys(w, 0.0)
        for (x1, x2), t in PATTERNS:
            z = {1: x1, 2: x2, 3: 1.0, 6: 1.0}
            for j in (4, 5):
                z[j] = _sigmoid(z[1] * w[(1, j)] + z[2] * w[(2, j)] + w[(3, j)])
            z[7] = _sigmoid(z[4] * w[(4, 7)] + z[5] * w[(5, 7)] + w[(6, 7)])
            total += 0.5 * (t - z[7]) ** 2
            delta = {7: (t - z[7]) * z[7] * (1 - z[7])}
            for j in (4, 5):
                delta[j] = z[j] * (1 - z[j]) * delta[7] * w[(j, 7)]
            changes = {(i, j): .5 * delta[j] * z[i] for (i, j) in w}
            if batch:
                summed = {key: summed[key] + changes[key] for key in w}
            else:
                w = {key: w[key] + changes[key] for key in w}
        if batch:
            w = {key: w[key] + summed[key] for key in w}
        errors.append(total)
    return w, errors


def name(key) -> str:
    return f"w{key[0]}{key[1]}"


def run(tmp_path, text: str, *options: str, problem: str = XOR):
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["check", problem, str(path), *options])


def weights_section(title: str, weights: dict, error: float | None = None) -> str:
    lines = [f"{title}:"] + [f"  {name(k)}: {v:.4f}" for k, v in weights.items()]
    if error is not None:
        lines.append(f"  error: {error:.4f}")
    return "\n".join(lines) + "\n"


def test_epoch_2_weights_and_error_are_the_weights_after_its_last_update(tmp_path):
    weights, errors = train(2)
    result = run(tmp_path, weights_section("epoch 2", weights, errors[1]), "-f", "json")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["all_right"] and len(document["answers"]) == 10
    w47 = next(a for a in document["answers"] if a["name"] == "w47")
    assert (w47["step"], w47["section"]) == (8, "epoch 2")  # epoch 2's last pattern
    assert w47["expected"] == pytest.approx(weights[(4, 7)], abs=1e-12)
    error = next(a for a in document["answers"] if a["name"] == "error")
    assert error["expected"] == pytest.approx(errors[1], abs=1e-12)


def test_final_is_the_weights_after_the_last_epoch(tmp_path):
    weights, _errors = train(5)
    result = run(tmp_path, weights_section("final", weights), "-f", "json")
    assert result.exit_code == 0, result.stdout
    answers = json.loads(result.stdout)["answers"]
    assert {(a["step"], a["section"]) for a in answers} == {(20, "final")}


def test_batch_epochs_sum_the_changes(tmp_path):
    problem = tmp_path / "batch.yaml"
    problem.write_text(Path(XOR).read_text(encoding="utf-8") + "update: batch\n",
                       encoding="utf-8")
    weights, errors = train(3, batch=True)
    result = run(tmp_path, weights_section("epoch 3", weights, errors[2]), "-f", "json",
                 problem=str(problem))
    assert result.exit_code == 0, result.stdout


def test_final_with_until_is_the_epoch_training_stopped_at(tmp_path):
    weights, errors = train(3)
    assert errors[2] < errors[1] < errors[0]
    limit = (errors[2] + errors[1]) / 2  # met after epoch 3, not before
    problem = tmp_path / "until.yaml"
    problem.write_text(Path(XOR).read_text(encoding="utf-8").replace(
        "epochs: 5", f"epochs: 8\nuntil: {{error: {limit!r}}}"), encoding="utf-8")
    result = run(tmp_path, weights_section("final", weights), "-f", "json",
                 problem=str(problem))
    assert result.exit_code == 0, result.stdout
    assert {a["step"] for a in json.loads(result.stdout)["answers"]} == {12}


def test_labels_name_the_section(tmp_path):
    weights, _ = train(2)
    text = f"epoch 2:\n  w47: {weights[(4, 7)] + 0.1:.4f}\nfinal:\n  w57: 0.1\n"
    result = run(tmp_path, text, "-f", "gradescope")
    names = [t["name"] for t in json.loads(result.stdout)["tests"]]
    assert names == ["epoch 2: w47", "final: w57"]
    table = run(tmp_path, text)
    assert table.exit_code == 3 and "epoch 2: w47" in table.stdout


@pytest.mark.parametrize(("text", "line", "words"), [
    ("w47: .5\nepoch 2:\n  z4: .5\n", 3,
     ["'z4'", "one presentation", "`step N:`", "steps 5 to 8"]),
    ("epoch 2:\n  dw47: .1\n", 2, ["'dw47'", "`step N:`"]),
    ("epoch 9:\n  w47: .5\n", 1, ["epoch 9", "epochs 1 to 5"]),
    ("epoch 0:\n  w47: .5\n", 1, ["epoch 0"]),
    ("epoch -1:\n  w47: .5\n", 1, ["epoch -1"]),
    ("final:\n  error: .5\n", 2, ["final", "'error'", "`epoch N:`"]),
    ("step 8:\n  w47: .5\nepoch 2:\n  w47: .5\n", 4, ["already given as step 8: w47"]),
])
def test_bad_sections_are_exit_2_with_the_key_and_line(tmp_path, text, line, words):
    result = run(tmp_path, text)
    assert result.exit_code == 2 and result.stdout == ""
    message = result.stderr
    assert f"line {line}" in message and "Traceback" not in message
    for word in words:
        assert word in message


def test_an_epoch_after_until_stopped_the_run_is_exit_2(tmp_path):
    _weights, errors = train(3)
    problem = tmp_path / "until.yaml"
    problem.write_text(Path(XOR).read_text(encoding="utf-8").replace(
        "epochs: 5", f"epochs: 8\nuntil: {{error: {(errors[2] + errors[1]) / 2!r}}}"),
        encoding="utf-8")
    result = run(tmp_path, "w47: .5\nepoch 4:\n  w47: .5\n", problem=str(problem))
    assert result.exit_code == 2 and result.stdout == ""
    assert "line 3" in result.stderr and "epoch 4: w47" in result.stderr
    assert "training stops after epoch 3" in result.stderr

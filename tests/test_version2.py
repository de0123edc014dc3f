"""The contract's version 2 (problem-format.md, section 4), checked through the real CLI.

Every run is `bpcalc solve FILE --format json` (and `--exact` where it matters); every field
the contract names (nodes with slope, updates with gradient and momentum, top-level epochs
and stopped) is compared with the independent reference in tests/reference_v2, to 1e-9
relative, on the bundled v2 problems and on seeded random problems. The published numbers
(Mazur's example, the slide's carried rounding) are checked to their printed digits, and
each malformed v2 key must be one line on stderr naming it, exit status 2.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy
import v2_problems as v2
import yaml
from reference_v2 import solve as reference
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()
PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
BUNDLED = ["softmax_2-3-3.yaml", "xor_momentum.yaml", "perceptron_or.yaml", "mazur_2-2-2.yaml",
           "slides_mixed_rounding.yaml"]
NUMBERS = ("net", "out", "delta", "slope", "error", "old", "change", "new", "gradient",
           "momentum", "value")


def run(path: Path, *options: str):
    return runner.invoke(app, ["solve", str(path), "--format", "json", *options])


def solved(path: Path, *options: str) -> dict:
    import json

    result = run(path, *options)
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    return json.loads(result.stdout)


def written(tmp_path: Path, spec: dict, name: str = "problem.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def spec_of(name: str, **changes) -> dict:
    return yaml.safe_load((PROBLEMS / name).read_text()) | changes


# --- comparing a run with the reference --------------------------------------------------

def _close(got, want) -> bool:
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)


def _by_weight(records: list) -> list:
    """Updates and final weights in one order whatever order the run lists them in."""
    return sorted(records, key=lambda r: (r["to"], r["from"]))


def assert_same(got, want, where: str = "") -> None:
    """Every field of the reference's JSON is in bpcalc's, with the same value."""
    if isinstance(want, dict):
        assert isinstance(got, dict), (where, got)
        for key, value in want.items():
            assert key in got, f"{where}: no field {key!r}"
            assert_same(got[key], value, f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, len(got), len(want))
        if want and isinstance(want[0], dict) and "from" in want[0]:
            got, want = _by_weight(got), _by_weight(want)
        for index, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{index}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert isinstance(got, (int, float)) and _close(got, want), (where, got, want)
    else:
        assert got == want, (where, got, want)


def check_against_reference(path: Path, spec: dict, *options: str) -> dict:
    data = solved(path, *options)
    want = reference(spec)
    if want["title"] is None:
        del want["title"]
    assert_same(data, want)
    return data


# --- the bundled problems ------------------------------------------------------------------

@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_problem_equals_reference(name):
    check_against_reference(PROBLEMS / name, spec_of(name))


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_problem_in_textbook_convention(name):
    check_against_reference(PROBLEMS / name, spec_of(name, convention="textbook"),
                            "--convention", "textbook")


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "xor_momentum.yaml"])
def test_bundled_problem_exact_equals_reference(name):
    data = check_against_reference(PROBLEMS / name, spec_of(name), "--exact")
    assert_twins(data)
    if "round" not in spec_of(name) and "sigfigs" not in spec_of(name):
        assert_exact_change_identity(data, spec_of(name))


def test_mazur_published_numbers():
    data = solved(PROBLEMS / "mazur_2-2-2.yaml")
    step = data["steps"][0]
    node = {n["id"]: n for n in step["nodes"]}
    assert round(node[7]["out"], 8) == 0.75136507 and round(node[8]["out"], 9) == 0.772928465
    assert round(step["error"], 9) == 0.298371109
    update = {(u["from"], u["to"]): u for u in step["updates"]}
    assert round(update[(4, 7)]["new"], 8) == 0.35891648  # Mazur's w5+
    assert round(update[(1, 4)]["new"], 9) == 0.149780716  # Mazur's w1+
    for key in ((3, 4), (3, 5), (6, 7), (6, 8)):  # train_bias: false
        assert update[key]["change"] == 0 and update[key]["momentum"] == 0
        assert update[key]["new"] == update[key]["old"]
    assert update[(6, 7)]["gradient"] == pytest.approx(-node[7]["delta"], rel=1e-12)


def test_slides_with_mixed_rounding_give_the_students_numbers():
    step = solved(PROBLEMS / "slides_mixed_rounding.yaml")["steps"][0]
    new = {(u["from"], u["to"]): u["new"] for u in step["updates"]}
    assert [new[k] for k in ((4, 7), (6, 7), (1, 4), (2, 4), (3, 4))] == [
        0.3967, 0.367, 0.4897, 0.4931, 0.4885]
    node = {n["id"]: n for n in step["nodes"]}
    assert (node[4]["out"], node[7]["out"], node[7]["delta"], node[4]["delta"]) == (
        0.777, 0.782, -0.133, -0.0115)


def test_runs_stop_where_the_reference_stops():
    xor = solved(PROBLEMS / "xor_momentum.yaml")
    assert xor["stopped"] == {"epoch": 196, "reason": "until"}
    assert len(xor["epochs"]) == 196 and xor["epochs"][-1]["error"] <= 0.05
    perceptron = solved(PROBLEMS / "perceptron_or.yaml")
    assert [e["mistakes"] for e in perceptron["epochs"]] == [2, 2, 1, 0]
    assert perceptron["stopped"] == {"epoch": 4, "reason": "until"}
    limited = solved(PROBLEMS / "perceptron_or.yaml", "--epochs", "4")
    assert limited["stopped"] == {"epoch": 4, "reason": "until"}  # met on the last epoch
    short = solved(PROBLEMS / "perceptron_or.yaml", "--epochs", "3")
    assert short["stopped"] == {"epoch": 3, "reason": "epochs"}


def test_display_changes_no_json_value(tmp_path):
    plain = solved(PROBLEMS / "slides_2-2-1.yaml")
    shown = spec_of("slides_2-2-1.yaml", display={"round": {"net": 3, "out": 3, "weight": 4},
                                                  "sigfigs": {"delta": 3}})
    path = written(tmp_path, shown)
    assert solved(path)["steps"] == plain["steps"]
    text = runner.invoke(app, ["solve", str(path)], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    printed = text.stdout.replace("\u2212", "-")
    for number in ("1.277", ".777", ".782", "-.133", "-.0115", ".3964", ".3667", ".4896"):
        assert re.search(r"(?<![\d.])-?0?" + re.escape(number.lstrip("-")) + r"(?!\d)",
                         printed), number


# --- exact twins and the change identity ---------------------------------------------------

def _records(data: dict):
    for step in data["steps"]:
        yield from step["nodes"]
        yield from step["updates"]
        yield step
    yield from data["final_weights"]
    yield from data["epochs"]


def _mp(expr, memo: dict):
    """expr's value in mpmath, each shared subtree once (evalf on nested closed forms is
    thousands of times slower)."""
    import mpmath

    if id(expr) in memo:
        return memo[id(expr)][1]
    if expr.is_Rational:
        result = mpmath.mpf(expr.p) / expr.q
    elif expr.is_Add or expr.is_Mul:
        parts = [_mp(a, memo) for a in expr.args]
        result = mpmath.fsum(parts) if expr.is_Add else mpmath.fprod(parts)
    elif expr.is_Pow:
        result = mpmath.power(_mp(expr.base, memo), _mp(expr.exp, memo))
    elif isinstance(expr, (sympy.exp, sympy.log, sympy.tanh)):
        function = {sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.tanh: mpmath.tanh}
        result = function[type(expr)](_mp(expr.args[0], memo))
    else:
        result = mpmath.mpf(str(expr.evalf(60)))
    memo[id(expr)] = (expr, result)  # keeps expr alive so that its id is not reused
    return result


@functools.lru_cache(maxsize=4096)
def exact_value(text: str):
    """A twin read back by sympy.parse_expr, evaluated to 60 digits (each text once)."""
    import mpmath

    with mpmath.workdps(60):
        return _mp(sympy.parse_expr(text), {})


def assert_twins(data: dict) -> None:
    """Each value's `_exact` twin reads back with sympy.parse_expr to the same number."""
    seen = set()
    for record in _records(data):
        for name in NUMBERS:
            if record.get(name) is None:
                continue
            text = record[name + "_exact"]
            assert "e**" not in text and " e " not in text, text
            value = float(exact_value(text))
            assert math.isclose(value, record[name], rel_tol=1e-12, abs_tol=1e-15), (
                name, text, record[name])
            seen.add(name)
    assert {"slope", "gradient", "momentum", "error"} <= seen, seen


def trained_updates(data: dict, spec: dict):
    """Every listed update of a weight that trains (all of them unless train_bias: false)."""
    from reference_v2 import numbering

    biases = {b for _, b in numbering(spec["layers"], spec.get("bias", 1)) if b}
    for step in data["steps"]:
        for update in step["updates"]:
            if spec.get("train_bias", True) or update["from"] not in biases:
                yield update


def assert_change_identity(data: dict, spec: dict) -> int:
    rate = float(F(str(spec["learning_rate"])))
    count = 0
    for u in trained_updates(data, spec):
        assert math.isclose(u["change"], -rate * u["gradient"] + u["momentum"],
                            rel_tol=1e-12, abs_tol=1e-15), u
        count += 1
    return count


def assert_exact_change_identity(data: dict, spec: dict) -> None:
    import mpmath

    rate = F(str(spec["learning_rate"]))
    for u in trained_updates(data, spec):
        change, gradient, momentum = (exact_value(u[f"{n}_exact"])
                                      for n in ("change", "gradient", "momentum"))
        with mpmath.workdps(60):
            gap = change - (-mpmath.mpf(rate.numerator) / rate.denominator * gradient
                            + momentum)
        assert abs(gap) <= 1e-45 * max(1, abs(change)), (u, gap)


@pytest.mark.parametrize("name", ["softmax_2-3-3.yaml", "mazur_2-2-2.yaml",
                                  "xor_momentum.yaml"])
def test_change_is_learning_rate_term_plus_momentum(name):
    data = solved(PROBLEMS / name)
    assert assert_change_identity(data, spec_of(name)) > 0


RATIONAL = {"title": "rational closed forms: momentum over batch groups", "layers": [2, 2, 1],
            "activation": ["leaky_relu", "linear"], "leak": "1/10", "bias": 1,
            "weights": [[[0.5, -0.3, 0.2], ["1/3", 0.4, -0.6]], [[0.7, -0.2, 0.1]]],
            "patterns": [{"input": [1, -0.5], "target": [0.5]},
                         {"input": [-1, 0.25], "target": [-0.2]},
                         {"input": [0.5, 0.5], "target": [1]}],
            "learning_rate": "1/4", "momentum": 0.5, "update": "batch", "batch_size": 2,
            "epochs": 2, "train_bias": False, "convention": "textbook"}


def test_exact_change_identity_with_momentum_and_batches(tmp_path):
    spec = RATIONAL
    path = written(tmp_path, spec)
    data = check_against_reference(path, spec, "--exact")
    assert_exact_change_identity(data, spec)
    assert_twins(data)
    assert any(u["momentum"] != 0 for s in data["steps"] for u in s["updates"])


# --- random problems -----------------------------------------------------------------------

def case(seed: int) -> dict:
    """Seed -> a problem; outputs, losses and roundings cycle so that 60 seeds cover all."""
    output = v2.OUTPUTS[seed % len(v2.OUTPUTS)]
    losses = [name for name in v2.LOSSES if v2.valid(output, name)]
    loss = losses[(seed // len(v2.OUTPUTS)) % len(losses)]
    rounding = v2.ROUNDINGS[(seed + seed // len(v2.OUTPUTS)) % len(v2.ROUNDINGS)] or {}
    return v2.random_spec(5000 + seed, output=output, loss=loss) | rounding


SEEDS = range(60)


def test_random_cases_cover_every_addition():
    specs = [case(seed) for seed in SEEDS]
    acts = {a for s in specs for a in ([s["activation"]] if isinstance(s["activation"], str)
                                       else s["activation"])}
    assert {"softmax", "leaky_relu", "sigmoid", "tanh", "relu", "linear", "step"} <= acts
    assert {s["loss"] for s in specs} == set(v2.LOSSES)
    assert {s["convention"] for s in specs} == {"slides", "textbook"}
    assert any(s.get("momentum") for s in specs) and any(s.get("batch_size") for s in specs)
    assert any(s.get("train_bias") is False for s in specs)
    assert any(s.get("until") == "no_mistakes" for s in specs)
    assert any(isinstance(s.get("until"), dict) for s in specs)
    assert any(isinstance(s.get("round"), dict) and isinstance(s.get("sigfigs"), dict)
               for s in specs)
    assert any(isinstance(s.get("round"), int) for s in specs)
    assert any(isinstance(s.get("sigfigs"), int) for s in specs)
    assert any(isinstance(s.get("round"), dict) and "slope" in s["round"] for s in specs)
    assert any(s.get("bias") is None for s in specs) and any(s.get("bias") == -1 for s in specs)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_problem_equals_reference(tmp_path, seed):
    spec = case(seed)
    data = check_against_reference(written(tmp_path, spec), spec)
    if "round" not in spec and "sigfigs" not in spec:
        assert_change_identity(data, spec)


SMALL = ((2, 2, 1), (3, 2), (2, 2, 3), (1, 3), (2, 1))  # exact closed forms stay short


@pytest.mark.parametrize("seed", range(8))
def test_random_problem_exact_equals_reference(tmp_path, seed):
    # (Softmax's closed forms grow fastest: seed 0's second epoch would write 2.8 million
    # characters, over bpcalc's limit for exact JSON, so its run is one epoch.)
    spec = v2.random_spec(9000 + seed, output=["softmax", "sigmoid", "leaky_relu", "tanh"][
        seed % 4], shapes=SMALL, patterns=2, epochs=1 if seed == 0 else 2 - seed % 2,
        until=None, momentum=0.5,
        update=["sequential", "batch"][seed // 4], batch_size=1 if seed >= 4 else None)
    data = check_against_reference(written(tmp_path, spec), spec, "--exact")
    assert_twins(data)
    assert_exact_change_identity(data, spec)


# --- malformed v2 keys ---------------------------------------------------------------------

BASE = """\
layers: [2, 2, 2]
weights: 0.5
pattern: [0.9, 0.6]
target: [0, 1]
learning_rate: 1
"""
ONE_OUT = BASE.replace("[2, 2, 2]", "[2, 2, 1]").replace("[0, 1]", "[1]")


@pytest.mark.parametrize(("text", "keys", "lines"), [
    (BASE + "activation: [softmax, sigmoid]\n", ["activation"], [6]),
    (ONE_OUT + "activation: [sigmoid, softmax]\n", ["activation"], [6]),
    (BASE + "momentum: 1\n", ["momentum"], [6]),
    (BASE + "momentum: -0.1\n", ["momentum"], [6]),
    (BASE + "update: batch\nbatch_size: 0\n", ["batch_size"], [7]),
    (BASE + "update: sequential\nbatch_size: 2\n", ["batch_size"], [6, 7]),
    (BASE + "round: {out: 3}\nsigfigs: {out: 2}\n", ["out"], [6, 7]),
    (ONE_OUT + "until: no_mistakes\n", ["until"], [6]),
    (BASE + "round: 3\nsigfigs: {delta: 3}\n", ["round", "sigfigs"], [6, 7]),
], ids=["softmax-hidden", "softmax-one-output", "momentum-1", "momentum-negative",
        "batch_size-0", "batch_size-sequential", "out-in-both", "no_mistakes-without-step",
        "scalar-round-with-sigfigs-mapping"])
def test_bad_v2_key_is_one_line_naming_it(tmp_path, text, keys, lines):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    message = assert_bad(run(path)).replace(str(path), "FILE")
    assert "unknown" not in message and "expected a number" not in message, message
    assert any(key in message for key in keys), message
    assert any(f"line {n}" in message for n in lines), message


def assert_bad(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message and "\n" not in message, message
    return message


LOG = """\
layers: [1, 2]
activation: {activation}
bias: none
weights: [[[{w2}], [{w3}]]]
pattern: [1]
target: {target}
learning_rate: 1
loss: binary_cross_entropy
"""


@pytest.mark.parametrize(("activation", "w2", "w3", "target", "node"), [
    ("relu", 1, -1, "[1, 0.5]", 3),      # z3 = 0 with t3 = .5: ln z3
    ("linear", 2, 0.5, "[0.5, 0.5]", 2),  # z2 = 2: ln(1 - z2)
    ("relu", 1, 0.5, "[0.5, 0.5]", 2),   # z2 = 1: ln(1 - z2) = ln 0
])
def test_log_of_a_value_at_most_zero_names_step_and_node(tmp_path, activation, w2, w3,
                                                           target, node):
    path = tmp_path / "problem.yaml"
    path.write_text(LOG.format(activation=activation, w2=w2, w3=w3, target=target))
    message = assert_bad(run(path)).replace(str(path), "FILE")
    assert re.search(rf"\bnode {node}\b", message), message
    assert re.search(r"\bstep 1\b|\bpattern 1\b", message), message


def test_logs_with_zero_coefficients_are_not_taken(tmp_path):
    # z2 = 1 with t2 = 1 and z3 = 0 with t3 = 0: every log's coefficient is 0, E = 0
    path = tmp_path / "problem.yaml"
    spec = yaml.safe_load(LOG.format(activation="relu", w2=1, w3=-1, target="[1, 0]"))
    path.write_text(yaml.safe_dump(spec))
    data = check_against_reference(path, spec)
    assert data["steps"][0]["error"] == 0

"""Property tests: random problem files and command lines never crash, hang or mislead.

Every run ends with exit status 0 and a solution, or status 2 and ONE line on stderr that
starts "bpcalc: error:"; never status 1, never a traceback. Files are built from valid
problems, then mutated (wrong types, missing keys, wrong lengths, huge numbers, unicode,
deep nesting, random bytes). Examples are few enough that the file runs in well under a
minute; `fuzz/fuzz_problem.py` runs the same kind of inputs at scale.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import solve
from bpcalc.errors import ProblemError
from bpcalc.problem.loader import parse_problem

runner = CliRunner()
_DIR = Path(tempfile.mkdtemp(prefix="bpcalc-properties-"))
SETTINGS = settings(deadline=None, max_examples=60, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# --- valid problems -----------------------------------------------------------------------

small_numbers = st.one_of(
    st.integers(-3, 3),
    st.floats(-4, 4, allow_nan=False).map(lambda x: round(x, 3)),
    st.sampled_from(["1/3", "-2/7", ".5", "2e-3", "0.9"]),
)


@st.composite
def problems(draw, max_hidden: int = 2) -> dict:
    """A valid problem as plain data (numbers, lists, mappings), ready for YAML."""
    hidden = draw(st.lists(st.integers(1, 3), max_size=max_hidden))
    layers = [draw(st.integers(1, 3)), *hidden, draw(st.integers(1, 2))]
    single = len(layers) == 2
    activation = draw(st.sampled_from(
        ["sigmoid", "tanh", "relu", "linear"] + (["step"] if single else [])))
    bias = draw(st.sampled_from([1, -1, None, 0.5, "none"]))
    has_bias = bias not in (None, "none")
    problem: dict = {"layers": layers, "activation": activation, "bias": bias,
                     "learning_rate": draw(st.sampled_from([0, 0.1, 0.5, 1, "1/4"]))}
    form = draw(st.sampled_from(["scalar", "matrices", "named"]))
    if form == "scalar":
        problem["weights"] = draw(small_numbers)
    elif form == "matrices":
        problem["weights"] = [
            [[draw(small_numbers) for _ in range(n_in + has_bias)] for _ in range(n_out)]
            for n_in, n_out in zip(layers, layers[1:], strict=False)]
    else:
        problem["weights"] = {"default": draw(small_numbers)}
    count = draw(st.integers(1, 3))
    patterns = [{"input": [draw(small_numbers) for _ in range(layers[0])],
                 "target": [draw(st.sampled_from([0, 1, 0.5, -1])) for _ in range(layers[-1])]}
                for _ in range(count)]
    if count == 1 and draw(st.booleans()):
        problem["pattern"], problem["target"] = patterns[0]["input"], patterns[0]["target"]
    else:
        problem["patterns"] = patterns
    for key, choices in (("epochs", [1, 2, 3]), ("loss", ["half_sse", "sse", "mse"]),
                         ("convention", ["slides", "textbook"]),
                         ("update", ["sequential", "batch"]), ("round", [None, 2, 4]),
                         ("beta", [1, 2, 0.5])):
        if draw(st.booleans()):
            problem[key] = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        problem["title"] = draw(st.text(max_size=20))
    return problem


def to_yaml(problem) -> str:
    return yaml.safe_dump(problem, allow_unicode=True, sort_keys=False)


# --- mutations into (mostly) invalid files ---------------------------------------------------

junk_values = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12),
    st.integers(-10**70, 10**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e999", "-1e-999", "1/0", "9" * 80, "NaN", ".inf", "ﬁve", "٣", "½",
                     "__import__('os')", "0x10", "1_000", "1e60", "-1e60", "1/3/4"]),
    st.lists(st.integers(-3, 3), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(data, prefix=()):
    """Every key path into nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _set(data, path, value):
    if not path:
        return value
    *head, last = path
    target = data
    for part in head:
        target = target[part]
    target[last] = value
    return data


def _delete(data, path):
    *head, last = path
    target = data
    for part in head:
        target = target[part]
    del target[last]
    return data


@st.composite
def mutated_texts(draw) -> str:
    problem = draw(problems())
    kind = draw(st.sampled_from(["value", "delete", "grow", "nest", "text", "bytes", "add"]))
    paths = [p for p in _paths(problem) if p]
    if kind == "value":
        problem = _set(problem, draw(st.sampled_from(paths)), draw(junk_values))
    elif kind == "delete":
        problem = _delete(problem, draw(st.sampled_from(paths)))
    elif kind == "grow":  # a list one too long
        lists = [p for p in _paths(problem) if p and isinstance(_get(problem, p), list)]
        if lists:
            _get(problem, draw(st.sampled_from(lists))).append(draw(small_numbers))
    elif kind == "nest":
        depth = draw(st.sampled_from([3, 50, 500, 10_000]))
        return to_yaml(problem) + "title: " + "[" * depth + "]" * depth + "\n"
    elif kind == "add":
        problem[draw(st.text(min_size=1, max_size=8))] = draw(junk_values)
    text = to_yaml(problem)
    if kind == "text":  # characters spliced in anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(min_size=1, max_size=8)) + text[at:]
    if kind == "bytes":
        at = draw(st.integers(0, len(text)))
        raw = text.encode()[:at] + draw(st.binary(min_size=1, max_size=8)) + text.encode()[at:]
        return raw.decode("utf-8", errors="surrogateescape")
    return text


def _get(data, path):
    for part in path:
        data = data[part]
    return data


# --- the promise ----------------------------------------------------------------------------

def _write(text: str) -> Path:
    path = _DIR / "problem.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return path


def assert_kept_promise(result, json_output: bool) -> None:
    if result.exit_code == 0:
        assert result.stdout
        if json_output:
            data = json.loads(result.stdout)  # strict: NaN or Infinity would not parse back
            assert "final_weights" in data and isinstance(data["warnings"], list)
            _assert_finite(data)
        return
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpcalc: error:"), result.stderr
    assert result.stdout == ""


def _assert_finite(data) -> None:
    if isinstance(data, float):
        assert math.isfinite(data)
    elif isinstance(data, dict):
        for value in data.values():
            _assert_finite(value)
    elif isinstance(data, list):
        for value in data:
            _assert_finite(value)


@SETTINGS
@given(text=st.one_of(mutated_texts(), problems().map(to_yaml), st.text(max_size=200)))
def test_parse_then_solve_never_crashes(text):
    """The core directly: a Problem or a ProblemError; solving: a trace or a NumericalError."""
    try:
        problem = parse_problem(text)
    except ProblemError as error:
        assert "\n" not in str(error)
        return
    try:
        trace = solve(problem, Arithmetic())
    except ProblemError as error:  # NumericalError: overflow named by step
        assert str(error).startswith("step ")
        return
    assert len(trace.steps) == problem.step_count


options = st.fixed_dictionaries({}, optional={
    "--format": st.sampled_from(["table", "json"]),
    "--round": st.integers(-1, 6),
    "--sigfigs": st.integers(0, 6),
    "--convention": st.sampled_from(["slides", "textbook"]),
    "--epochs": st.integers(-1, 3),
    "--learning-rate": st.sampled_from(["0.5", "1/4", "0", "-1", "abc", "1e999", "½", " 2 ",
                                        "1/0", "3e-2"]),
    "--steps": st.sampled_from(["1", "1-2", "last", "2-1", "0", "x", "1,last", "99"]),
    "--summary": st.just(None),
})


def _command_line(path: Path, chosen: dict) -> list[str]:
    args = ["solve", str(path)]
    for name, value in chosen.items():
        args += [name] if value is None else [name, str(value)]
    return args


@SETTINGS
@given(text=st.one_of(problems().map(to_yaml), mutated_texts()), chosen=options)
def test_command_line_keeps_its_promise(text, chosen):
    result = runner.invoke(app, _command_line(_write(text), chosen))
    assert_kept_promise(result, chosen.get("--format") == "json")


@settings(deadline=None, max_examples=8, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(max_hidden=0), chosen=options)
def test_exact_command_line_on_small_nets(problem, chosen):
    """--exact on one step of a single-layer net (bigger exact runs are refused, exit 2)."""
    problem["epochs"] = 1
    problem.pop("patterns", None)
    problem["pattern"] = [0.5] * problem["layers"][0]
    problem["target"] = [1] * problem["layers"][-1]
    chosen = {k: v for k, v in chosen.items() if k not in ("--epochs", "--steps")}
    result = runner.invoke(app, _command_line(_write(to_yaml(problem)), chosen) + ["--exact"])
    assert_kept_promise(result, chosen.get("--format") == "json")


@settings(deadline=None, max_examples=25, derandomize=True)
@given(scale=st.sampled_from(["1e30", "1e60", "-1e45", "1e20"]),
       activation=st.sampled_from(["linear", "relu", "tanh", "sigmoid"]),
       epochs=st.integers(1, 40), rounding=st.sampled_from([[], ["--round", "3"]]))
def test_huge_weights_end_in_a_solution_or_a_named_overflow(scale, activation, epochs,
                                                            rounding):
    text = (f"layers: [2, 2, 1]\nactivation: {activation}\nweights: {scale}\n"
            f"pattern: [0.9, 0.6]\ntarget: [0]\nlearning_rate: 1\nepochs: {epochs}\n")
    result = runner.invoke(app, _command_line(_write(text), {"--format": "json"}) + rounding)
    assert_kept_promise(result, True)
    if result.exit_code == 2:
        assert "overflowed" in result.stderr or "not a number" in result.stderr
        assert "step " in result.stderr

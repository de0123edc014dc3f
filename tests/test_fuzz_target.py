"""The fuzzing targets run in CI too: fixed, seeded corpora through fuzz/fuzz_*.py.

The long coverage-guided runs (atheris) are done by hand and recorded in the README; this
keeps the targets working and their promise checked on every commit: the loader and engine
(fuzz_problem), `check` on answers files (fuzz_answers) and `generate` on templates
(fuzz_template), each input of the last two run through the command line in-process.
Inputs that broke the promise (found with the targets: by the long runs or by hand) are
replayed from tests/fixtures/fuzz/<target>/.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
FOUND = Path(__file__).resolve().parent / "fixtures" / "fuzz"
# Inputs whose defect is still open (/work/wt/fuzz-findings.md), with who is fixing it.
# When the fix lands the input passes, strict xfail fails: remove its entry here.
OPEN: dict[str, str] = {}  # e.g. "answers/long_node_id": "clean-text: int() of 5,000 digits"
# Failures of an open defect that the fixed corpora also meet, tracked by its input above.
OPEN_FAILURES: dict[str, str] = {}


def load_target(name: str = "fuzz_problem"):
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    spec = importlib.util.spec_from_file_location(name, FUZZ / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_corpus_is_the_bundled_problems():
    target = load_target()
    assert len(target.SEEDS) >= 5
    assert any(b"layers" in seed for seed in target.SEEDS)


def test_fixed_corpus_keeps_the_promise():
    """Raw bytes and spliced seed files: a Problem or ProblemError, a trace or a named overflow."""
    target = load_target()
    parse_problem, solve, arithmetics, problem_error = target._imports()
    rng = random.Random(20261125)
    tried = 0
    for _ in range(600):
        size = rng.randrange(0, 64)
        raw = bytes(rng.randrange(256) for _ in range(size))
        structured = b"\x00" + bytes(rng.randrange(256) for _ in range(4)) + raw
        for data in (raw, structured):
            target.check_one(data, parse_problem, solve, arithmetics, problem_error)
            tried += 1
    assert tried == 1200


def test_command_line_seeds_are_the_real_files():
    answers, template = load_target("fuzz_answers"), load_target("fuzz_template")
    assert any(b"net4: 1.25" in seed for seed in answers.SEEDS)
    assert any(b"{random:" in seed for seed in template.SEEDS)
    assert any(b"patterns:" in seed for seed in template.SEEDS)  # the problems too


@pytest.mark.parametrize(("name", "count"), [("fuzz_answers", 300), ("fuzz_template", 200)])
def test_fixed_command_line_corpus_keeps_the_promise(name, count):
    """Every input ends in exit 0 (3: wrong answers), or 2 with one line and no file; and
    the corpus reaches both, so the checks on what is written run too."""
    target = load_target(name)
    harness = sys.modules["harness"]
    statuses: Counter = Counter()
    for data in harness.fixed_corpus(random.Random(20261202), count, 2):
        try:
            statuses[target.check_one(data)] += 1
        except harness.Failure as failure:
            if failure.signature not in OPEN_FAILURES:
                raise
            statuses["open"] += 1
    assert sum(statuses.values()) == count
    assert statuses[2] > count // 4, statuses
    assert statuses[0] + statuses[3] > count // 10, statuses


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _found() -> list:
    return [pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=OPEN[_name(path)]))
            if _name(path) in OPEN else path
            for path in sorted(FOUND.glob("*/*.bin"))]


@pytest.mark.parametrize("path", _found(), ids=_name)
def test_inputs_that_broke_the_promise_keep_it(path):
    target = load_target(f"fuzz_{path.parent.name}")
    check = target.check_bytes if path.parent.name == "problem" else target.check_one
    check(path.read_bytes())


# --- the checks themselves catch what they are for ------------------------------------------

def _outcome(code=0, stdout="", stderr="", crash=None):
    harness = sys.modules["harness"]
    exc_info = None
    if crash is not None:
        try:
            raise crash
        except Exception:  # noqa: BLE001
            exc_info = sys.exc_info()
    return harness.Outcome(code, stdout, stderr, exc_info)


@pytest.mark.parametrize(("outcome", "signature"), [
    (dict(code=1, crash=ValueError("boom")), "exit 1: ValueError in "),
    (dict(code=2, stderr="bpcalc: error: a\nsecond line\n"), "exit 2 without exactly one"),
    (dict(code=2, stderr="Traceback (most recent call last):\n"), "exit 2 without exactly one"),
    (dict(code=2, stdout="half", stderr="bpcalc: error: x\n"), "exit 2 with output"),
    (dict(code=3), "exit 3"),
    (dict(stdout="title \x1b]52;c;aGk=\x07"), "raw C0 control in stdout"),
    (dict(stdout="\u202egnp.exe"), "raw bidi control in stdout"),
    (dict(stderr="bpcalc: error: \x9b31m\n", code=2), "raw C1 control in stderr"),
])
def test_a_broken_promise_is_a_failure(tmp_path, outcome, signature):
    load_target("fuzz_answers")
    harness = sys.modules["harness"]
    case = harness.Case(["solve"], {})
    with pytest.raises(harness.Failure) as failure:
        harness.check_result(case, _outcome(**outcome), tmp_path)
    assert failure.value.signature.startswith(signature)


def test_a_file_left_on_exit_2_is_a_failure(tmp_path):
    load_target("fuzz_answers")
    harness = sys.modules["harness"]
    (tmp_path / "report.out").write_text("half")
    with pytest.raises(harness.Failure, match="exit 2 left a file"):
        harness.check_result(harness.Case(["check"], {}),
                             _outcome(2, stderr="bpcalc: error: x\n"), tmp_path)
    harness.check_result(harness.Case(["check"], {}), _outcome(0, stdout="fine\n\tok\n"),
                         tmp_path)  # a clean success, and a clean written file, pass

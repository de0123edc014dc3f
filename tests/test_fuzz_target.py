"""The fuzzing target runs in CI too: a fixed, seeded corpus through fuzz/fuzz_problem.py.

The long coverage-guided run (atheris) is done by hand and recorded in the README; this keeps
the target itself working and its promise checked on every commit.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

FUZZ = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_problem.py"


def load_target():
    spec = importlib.util.spec_from_file_location("fuzz_problem", FUZZ)
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

"""The engine hands on its steps one at a time and keeps none: memory does not grow with
the run. Structural tests (what is kept, what is handed on when), not timings."""

from __future__ import annotations

import gc
import math
import weakref
from fractions import Fraction as F

import pytest

from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic
from bpcalc.engine.backprop import solve, train
from bpcalc.engine.numerics import NumericalError, find_warnings
from bpcalc.problem.loader import apply_overrides, load_problem, parse_problem
from bpcalc.problem.model import Rounding

XOR = "problems/xor.yaml"


def xor(epochs: int):
    return apply_overrides(load_problem(XOR), epochs=epochs)


def wide(epochs: int):
    """20-10-1: 221 weights, so the vectorised (numpy) engine solves it."""
    text = ("layers: [20, 10, 1]\nactivation: [relu, sigmoid]\nweights: 0.05\n"
            "pattern: [" + ", ".join(["0.5"] * 20) + "]\ntarget: [1]\nlearning_rate: 0.5\n"
            f"epochs: {epochs}\n")
    return parse_problem(text)


@pytest.mark.parametrize(("problem", "arithmetic"), [
    (xor(300), Arithmetic()), (wide(60), Arithmetic()),
    (xor(30), RoundedArithmetic(Rounding("places", 4)))],
    ids=["fastfloat", "vectorised", "generic"])
def test_a_run_keeps_no_step_it_has_handed_on(problem, arithmetic):
    run = train(problem, arithmetic)
    gone = []
    refs = []
    for number, step in enumerate(run.steps, start=1):
        assert step.nodes and step.updates  # recorded, and handed on
        refs.append(weakref.ref(step))
        if number > 3:
            gone.append(refs[number - 4]() is None)
    del step
    gc.collect()
    assert len(refs) == problem.step_count
    assert all(gone)  # three steps back is already freed: at most the held one is alive
    assert all(ref() is None for ref in refs)
    assert len(run.final_weights) == len(problem.weights)


@pytest.mark.parametrize("problem", [xor(50), wide(20)], ids=["generic", "vectorised"])
def test_a_run_gives_what_the_whole_trace_gives(problem):
    whole = solve(problem, Arithmetic())
    run = train(problem, Arithmetic(), warn=True)
    for mine, theirs in zip(run.steps, whole.steps, strict=True):
        assert (mine.epoch, mine.pattern, mine.error) == (theirs.epoch, theirs.pattern,
                                                          theirs.error)
        assert mine.updates == theirs.updates and mine.nodes == theirs.nodes
    assert run.final_weights == whole.final_weights
    assert run.errors.floats() == whole.epoch_errors()
    assert run.warnings == find_warnings(whole)


@pytest.mark.parametrize("problem", [xor(40), wide(40)], ids=["generic", "vectorised"])
def test_a_summary_keeps_no_step_records(problem):
    trace = solve(problem, Arithmetic(), record=False)
    assert trace.steps == []
    whole = solve(problem, Arithmetic())
    totals = {}
    for step in whole.steps:
        totals[step.epoch] = totals.get(step.epoch, 0.0) + step.error
    assert trace.epoch_errors() == sorted(totals.items())  # the same sums, in the same order
    assert trace.final_weights == whole.final_weights


def test_hand_rounded_epoch_errors_are_exact_sums_without_records():
    problem = xor(3)
    trace = solve(problem, RoundedArithmetic(Rounding("places", 4)), record=False)
    whole = solve(problem, RoundedArithmetic(Rounding("places", 4)))
    exact = trace.epoch_totals().exact()
    assert exact == [(epoch, sum((s.error for s in whole.steps if s.epoch == epoch), F(0)))
                     for epoch in (1, 2, 3)]
    assert all(10**4 % total.denominator == 0 for _, total in exact)  # 4 places, summed


# 1-1-1, linear, no bias, two copies of one pattern in batch mode: each pattern's change of
# w23 is -1.5e308 (finite, as is every other value), but the epoch's sum is -3e308: the
# new w23 overflows on step 2, the last of epoch 1.
OVERFLOW = ("layers: [1, 1, 1]\nactivation: linear\nbias: none\n"
            "weights: {w12: 1e60, w23: 1.5e8}\nlearning_rate: 1e60\nupdate: batch\n"
            "patterns:\n  - {input: [1e60], target: [0]}\n  - {input: [1e60], target: [0]}\n")


def test_a_step_whose_new_weights_overflow_is_never_handed_on():
    problem = parse_problem(OVERFLOW + "epochs: 2\n")
    run = train(problem, Arithmetic())
    handed = []
    with pytest.raises(NumericalError, match=r"^step 3, w23 \(as the step began\) overflowed"):
        for step in run.steps:
            handed.append(step)
    assert [s.pattern for s in handed] == [1]  # step 2 carried the infinite new weight
    assert all(math.isfinite(u.new) for s in handed for u in s.updates)


def test_the_last_step_waits_for_the_final_weights_check():
    problem = parse_problem(OVERFLOW + "epochs: 1\n")
    run = train(problem, Arithmetic())
    handed = []
    with pytest.raises(NumericalError, match=r"^step 2: new w23 overflowed to infinity"):
        for step in run.steps:
            handed.append(step)
    assert len(handed) == 1

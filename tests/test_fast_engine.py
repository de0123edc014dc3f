"""The vectorised float engine (numpy) gives the generic engine's trace, to 1e-12.

Random networks cover every activation (sigmoid with beta, tanh, relu, linear), loss,
bias mode, convention and update mode; the traces are compared value by value: every
node's net, out, delta and f'(net), every weight's old value, change and new value, the
errors and the final weights. Also: `record=False` keeps the errors and final weights
only, and `solve` picks the vectorised engine for large float networks.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest

from bpcalc.engine import backprop as engine
from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic
from bpcalc.engine.backprop import solve
from bpcalc.engine.vectorised import solve_vectorised, vectorised_steps
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding

ACTIVATIONS = [("sigmoid", F(1)), ("sigmoid", F(3, 2)), ("tanh", F(1)), ("relu", F(1)),
               ("linear", F(1))]
SHAPES = [(2, 2, 1), (3, 4, 2), (2, 3, 3, 2), (4, 3)]
BIASES = [F(1), F(-1), None]
LOSSES = ["half_sse", "sse", "mse"]
CONVENTIONS = ["slides", "textbook"]
UPDATES = ["sequential", "batch"]
COMBINATIONS = list(itertools.product(UPDATES, CONVENTIONS, LOSSES))


def random_problem(seed: int) -> Problem:
    """A random small problem; `seed` also walks through every option in turn."""
    rng = random.Random(seed)
    sizes = SHAPES[seed % len(SHAPES)]
    bias = BIASES[seed % len(BIASES)]
    network = Network(sizes, bias is not None)
    acts = []
    for layer in range(1, len(sizes)):
        name, beta = ACTIVATIONS[(seed + layer) % len(ACTIVATIONS)]
        acts.append(Activation(name, beta=beta))
    weights = {key: F(rng.randint(-90, 90), 100) for key in network.weight_keys()}
    if seed % 2:  # named weights may come in any order: the trace keeps the problem's
        weights = dict(sorted(weights.items(), key=lambda item: (-item[0][1], item[0][0])))
    patterns = tuple(
        Pattern(tuple(F(rng.randint(-100, 100), 50) for _ in range(sizes[0])),
                tuple(F(rng.randint(0, 10), 10) for _ in range(sizes[-1])))
        for _ in range(rng.randint(1, 3)))
    update, convention, loss = COMBINATIONS[seed % len(COMBINATIONS)]
    return Problem(network=network, activations=tuple(acts), bias=bias, weights=weights,
                   patterns=patterns, learning_rate=F(rng.randint(1, 20), 10),
                   epochs=rng.randint(1, 3), update=update, loss=loss,
                   convention=convention)


SEEDS = range(40)


def test_the_cases_cover_every_option():
    problems = [random_problem(seed) for seed in SEEDS]
    assert {a.name for p in problems for a in p.activations} == {"sigmoid", "tanh", "relu",
                                                                  "linear"}
    assert {p.loss for p in problems} == set(LOSSES)
    assert {p.bias for p in problems} == set(BIASES)
    assert {p.convention for p in problems} == set(CONVENTIONS)
    assert {p.update for p in problems} == set(UPDATES)
    assert {(p.update, p.convention, p.loss) for p in problems} == set(COMBINATIONS)


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


@pytest.mark.parametrize("seed", SEEDS)
def test_vectorised_equals_generic(seed):
    problem = random_problem(seed)
    generic = solve(problem, Arithmetic(), generic=True)
    fast = solve_vectorised(problem)
    assert len(fast.steps) == len(generic.steps) == problem.step_count
    for mine, theirs in zip(fast.steps, generic.steps, strict=True):
        assert (mine.epoch, mine.pattern) == (theirs.epoch, theirs.pattern)
        assert close(mine.error, theirs.error)
        assert [n.id for n in mine.nodes] == [n.id for n in theirs.nodes]
        for a, b in zip(mine.nodes, theirs.nodes, strict=True):
            assert (a.kind, a.layer) == (b.kind, b.layer)
            for attr in ("net", "out", "delta", "slope"):
                assert close(getattr(a, attr), getattr(b, attr)), (a.id, attr)
        assert list(mine.weights) == list(theirs.weights) == list(problem.weights)
        for key in problem.weights:
            assert close(mine.weights[key], theirs.weights[key])
            assert close(mine.changes[key], theirs.changes[key])
        assert [u.key for u in mine.updates] == [u.key for u in theirs.updates]
        for a, b in zip(mine.updates, theirs.updates, strict=True):
            assert close(a.old, b.old) and close(a.change, b.change) and close(a.new, b.new)
    assert list(fast.final_weights) == list(problem.weights)
    for key, value in generic.final_weights.items():
        assert close(fast.final_weights[key], value)
    assert all(type(value) is float for value in fast.final_weights.values())


@pytest.mark.parametrize("seed", [0, 7])
def test_unrecorded_steps_keep_errors_and_final_weights(seed):
    problem = random_problem(seed)
    full = solve(problem, Arithmetic())
    for summary in (solve(problem, Arithmetic(), record=False),
                    solve_vectorised(problem, record=False)):
        assert summary.steps == []  # no per-step records at all: memory does not grow
        assert len(summary.epoch_errors()) == problem.epochs
        assert [(e, pytest.approx(v, abs=1e-12)) for e, v in summary.epoch_errors()] == \
            full.epoch_errors()
        for key, value in full.final_weights.items():
            assert close(summary.final_weights[key], value)


def test_rounded_summary_matches_the_full_run():
    problem = random_problem(3)
    rounded = RoundedArithmetic(Rounding("places", 4))
    full = solve(problem, rounded)
    summary = solve(problem, rounded, record=False)
    assert summary.final_weights == full.final_weights  # exact decimals: equal, not close
    assert summary.steps == []
    by_epoch: dict[int, F] = {}
    for step in full.steps:
        by_epoch[step.epoch] = by_epoch.get(step.epoch, F(0)) + step.error
    assert summary.epoch_totals().exact() == sorted(by_epoch.items())


def test_large_float_networks_take_the_vectorised_engine(monkeypatch):
    sizes = (20, 12, 3)
    network = Network(sizes, True)
    rng = random.Random(5)
    problem = Problem(
        network=network, activations=(Activation("sigmoid"), Activation("tanh")), bias=F(1),
        weights={key: F(rng.randint(-50, 50), 100) for key in network.weight_keys()},
        patterns=(Pattern(tuple(F(rng.randint(0, 9), 10) for _ in range(20)), (F(1), F(0),
                                                                                F(1, 2))),),
        learning_rate=F(1, 2), epochs=2)
    assert len(problem.weights) >= engine.VECTORISE_FROM_WEIGHTS
    calls = []
    real = vectorised_steps

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("bpcalc.engine.vectorised.vectorised_steps", spy)
    fast = solve(problem, Arithmetic())
    assert calls == [1]
    monkeypatch.setattr(engine, "VECTORISE_FROM_WEIGHTS", 10**9)
    generic = solve(problem, Arithmetic())
    assert calls == [1]
    for key, value in generic.final_weights.items():
        assert close(fast.final_weights[key], value)


def test_large_networks_print_final_weights_as_lines_and_summaries_a_screenful():
    from bpcalc.render.document.build import SCREENFUL
    from bpcalc.render.terminal.tables import PLAIN_ROWS, render_tables_text
    from bpcalc.text import format_float

    sizes = (20, 12, 3)
    network = Network(sizes, True)
    rng = random.Random(9)
    problem = Problem(
        network=network, activations=(Activation("sigmoid"), Activation("sigmoid")),
        bias=F(1), weights={key: F(rng.randint(-50, 50), 100) for key in network.weight_keys()},
        patterns=(Pattern(tuple(F(rng.randint(0, 9), 10) for _ in range(20)),
                          (F(1), F(0), F(1))),), learning_rate=F(1, 2))
    trace = solve(problem, Arithmetic())
    assert len(trace.final_weights) == 291 > PLAIN_ROWS

    def row(key, value):
        i, j = key
        return [f"w{i}_{j}", str(i), "→", str(j),
                str(float(problem.weights[key])).rstrip("0").rstrip("."), format_float(value)]

    lines = render_tables_text(trace).splitlines()
    rows = lines[lines.index("Final weights") + 3:]
    assert [r.split() for r in rows] == [row(k, v) for k, v in trace.final_weights.items()]
    # A summary lists a screenful: the first and last 20 (the weights into the outputs),
    # and says how many are left out and where they all are.
    summary = solve(problem, Arithmetic(), record=False)
    assert summary.final_weights == trace.final_weights
    lines = render_tables_text(summary, summary=True).splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "Final weights")
    box = [line for line in lines[start + 4:] if line.startswith("│")]
    weights = list(trace.final_weights.items())
    assert SCREENFUL == 40 and len(box) == 40
    assert [line.replace("│", " ").split() for line in box] == [
        row(k, v) for k, v in weights[:20] + weights[-20:]]
    note = " ".join(line.strip() for line in lines[start + 4 + 41:])
    assert note == ("251 more weights between these two halves: the full list is in "
                    "--format json")

"""The engine's deltas are the true gradient of the loss, whatever the network.

For seeded random small networks the whole loss is built as a SymPy expression of symbolic
weights and differentiated; the engine's implied gradient must match it:
slides dE/dw_ij = -delta_j out_i, textbook dE/dw_ij = +delta_j out_i, and in both
change_ij = -lr dE/dw_ij. A finite-difference check on the engine's own error confirms it
in floats. Then update modes, the single-layer rules and very large nets.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
from fractions import Fraction

import pytest
import sympy

from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic, round_fraction
from bpcalc.engine.backprop import solve
from bpcalc.engine.exact import ExactArithmetic
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding

F = Fraction
HALF = F(1, 2)
ZERO = F(0)
TENTH = F(1, 10)

# ----------------------------------------------------------------------------------------
# Problems


def make_problem(sizes, activations, bias, weights, patterns, *, lr=HALF, loss="half_sse",
                 convention="slides", update="sequential", epochs=1, rounding=None) -> Problem:
    return Problem(
        network=Network(tuple(sizes), bias is not None),
        activations=tuple(activations),
        bias=bias,
        weights=dict(weights),
        patterns=tuple(Pattern(tuple(x), tuple(t)) for x, t in patterns),
        learning_rate=lr,
        epochs=epochs,
        update=update,
        loss=loss,
        convention=convention,
        rounding=rounding,
    )


def _decimal(rng: random.Random, low: float, high: float) -> Fraction:
    return F(rng.randint(round(low * 100), round(high * 100)), 100)


# (sizes, per-layer activations as (name, beta), bias, loss, steps checked against SymPy).
# SymPy differentiation is slow, so the symbolic check runs on the first ten cases (which
# between them cover every size, activation, loss, bias and convention); the float
# finite-difference check runs on all of them.
CASES = [
    ((2, 2, 1), [("sigmoid", 1), ("sigmoid", 1)], F(1), "half_sse", 2),
    ((2, 2, 1), [("sigmoid", F(5, 2)), ("linear", 1)], F(-1), "sse", 2),
    ((2, 2, 1), [("linear", 1), ("tanh", 1)], None, "mse", 1),
    ((3, 2, 2), [("tanh", 1), ("sigmoid", F(7, 10))], None, "mse", 1),
    ((3, 2, 2), [("relu", 1), ("linear", 1)], F(1), "half_sse", 1),
    ((2, 3, 2, 1), [("relu", 1), ("tanh", 1), ("sigmoid", 2)], F(-1), "mse", 1),
    ((1, 1), [("sigmoid", 3)], F(1), "sse", 2),
    ((1, 1), [("tanh", 1)], F(-1), "mse", 2),
    ((1, 1), [("linear", 1)], None, "half_sse", 2),
    ((1, 1), [("relu", 1)], F(1), "sse", 2),
    # finite differences only
    ((2, 2, 1), [("tanh", 1), ("tanh", 1)], None, "mse", 0),
    ((3, 2, 2), [("linear", 1), ("relu", 1)], F(-1), "mse", 0),
    ((3, 2, 2), [("sigmoid", F(1, 2)), ("tanh", 1)], F(1), "sse", 0),
    ((2, 3, 2, 1), [("sigmoid", F(3, 2)), ("tanh", 1), ("sigmoid", 1)], F(-1), "mse", 0),
    ((2, 3, 2, 1), [("tanh", 1), ("relu", 1), ("linear", 1)], None, "half_sse", 0),
]
SYMPY_CASES = [index for index, case in enumerate(CASES) if case[4]]


@functools.cache
def random_case(index: int):
    """A seeded random problem for CASES[index], with relu nets kept away from 0."""
    sizes, acts, bias, loss, _ = CASES[index]
    activations = [Activation(name, beta=F(beta)) for name, beta in acts]
    rng = random.Random(1000 + index)
    network = Network(sizes, bias is not None)
    out_act = acts[-1][0]
    for _ in range(200):
        weights = {key: _decimal(rng, -1, 1) for key in network.weight_keys()}
        patterns = []
        for _ in range(2):
            x = [_decimal(rng, -1, 1) for _ in range(sizes[0])]
            if out_act == "sigmoid":
                t = [_decimal(rng, 0.05, 0.95) for _ in range(sizes[-1])]
            elif out_act == "tanh":
                t = [_decimal(rng, -0.9, 0.9) for _ in range(sizes[-1])]
            else:
                t = [_decimal(rng, -1.5, 1.5) for _ in range(sizes[-1])]
            patterns.append((x, t))
        problem = make_problem(sizes, activations, bias, weights, patterns, loss=loss)
        trace = solve(problem, Arithmetic())
        if _relu_nets_clear(problem, trace) and _trains(trace):
            return problem
    raise AssertionError("no suitable random case")  # pragma: no cover


def _relu_nets_clear(problem: Problem, trace) -> bool:
    """Every relu net is at least 0.05 from the kink, in every step."""
    for step in trace.steps:
        for node in step.nodes:
            if node.net is None:
                continue
            if problem.activation_of_layer(node.layer).name == "relu" and abs(node.net) < 0.05:
                return False
    return True


def _trains(trace) -> bool:
    """At least one weight gets a real gradient (relu may block some, not all)."""
    return any(abs(c) > 1e-4 for step in trace.steps for c in step.changes.values())


# ----------------------------------------------------------------------------------------
# The loss as a SymPy expression of symbolic weights


def _sym_activation(act: Activation, net):
    if act.name == "sigmoid":
        return 1 / (1 + sympy.exp(-sympy.Rational(act.beta.numerator, act.beta.denominator) * net))
    if act.name == "tanh":
        return sympy.tanh(net)
    if act.name == "relu":
        return sympy.Piecewise((net, net > 0), (0, True))
    if act.name == "linear":
        return net
    raise AssertionError(act.name)


def _q(value: Fraction):
    return sympy.Rational(value.numerator, value.denominator)


def symbolic_loss(problem: Problem, pattern: Pattern, symbols: dict):
    """E(w) for one pattern, written from the textbook definitions, not from the engine."""
    network = problem.network
    outs = {i: _q(x) for i, x in zip(network.layers[0].node_ids, pattern.input, strict=True)}
    for prev, layer in zip(network.layers, network.layers[1:], strict=False):
        if prev.bias_id is not None:
            outs[prev.bias_id] = _q(problem.bias)
        act = problem.activation_of_layer(layer.index)
        for j in layer.node_ids:
            net = sum(symbols[(i, j)] * outs[i] for i in prev.feeding_ids())
            outs[j] = _sym_activation(act, net)
    squared = sum((_q(t) - outs[k]) ** 2
                  for k, t in zip(network.output_layer.node_ids, pattern.target, strict=True))
    k_outputs = len(network.output_layer.node_ids)
    scale = {"half_sse": sympy.Rational(1, 2), "sse": 1, "mse": sympy.Rational(1, k_outputs)}
    return scale[problem.loss] * squared


def weight_symbols(problem: Problem) -> dict:
    """One real SymPy symbol per weight (real=True keeps SymPy's assumption queries cheap)."""
    return {key: sympy.Symbol(f"w{key[0]}_{key[1]}", real=True)
            for key in problem.network.weight_keys()}


@functools.cache
def symbolic_gradient(index: int, pattern_index: int):
    """(symbols, E, {key: dE/dw}) for CASES[index]'s pattern, as SymPy expressions."""
    problem = random_case(index)
    symbols = weight_symbols(problem)
    loss = symbolic_loss(problem, problem.patterns[pattern_index], symbols)
    return symbols, loss, {key: sympy.diff(loss, s) for key, s in symbols.items()}


def evaluate(expr, symbols: dict, weights: dict) -> float:
    """expr at the given weights, evaluated with 30-digit floats."""
    subs = {symbols[key]: sympy.Float(sympy.Rational(F(value).numerator, F(value).denominator),
                                      30)
            for key, value in weights.items()}
    return float(expr.xreplace(subs).evalf(30))


def implied_gradient(problem: Problem, step, key) -> float:
    """dE/dw_ij from the engine's deltas, by the convention's sign."""
    i, j = key
    sign = -1 if problem.convention == "slides" else 1
    return sign * float(step.node(j).delta) * float(step.node(i).out)


# ----------------------------------------------------------------------------------------
# Deltas are the gradient

CASE_IDS = [f"{'-'.join(map(str, c[0]))}:{'/'.join(a for a, _ in c[1])}:bias{c[2]}:{c[3]}"
            for c in CASES]


def test_sympy_cases_cover_everything():
    cases = [CASES[i] for i in SYMPY_CASES]
    hidden = {a for c in cases for a, _ in c[1][:-1]}
    output = {c[1][-1][0] for c in cases}
    assert hidden == output == {"sigmoid", "tanh", "relu", "linear"}
    assert {c[3] for c in cases} == {"half_sse", "sse", "mse"}
    assert {c[2] for c in cases} == {F(1), F(-1), None}
    assert any(beta != 1 for c in cases for a, beta in c[1] if a == "sigmoid")
    assert {c[0] for c in cases} == {(2, 2, 1), (3, 2, 2), (2, 3, 2, 1), (1, 1)}


def _with(problem: Problem, **changes) -> Problem:
    return dataclasses.replace(problem, **changes)


@pytest.mark.parametrize("convention", ["slides", "textbook"])
@pytest.mark.parametrize("index", SYMPY_CASES, ids=[CASE_IDS[i] for i in SYMPY_CASES])
def test_deltas_are_the_sympy_gradient(index, convention):
    problem = _with(random_case(index), convention=convention)
    trace = solve(problem, Arithmetic())
    lr = float(problem.learning_rate)
    weights = dict(problem.weights)  # exact, for SymPy
    nonzero = 0
    checked = CASES[index][4]
    assert len(trace.steps) == 2
    for step_index, step in enumerate(trace.steps[:checked]):
        symbols, loss, grads = symbolic_gradient(index, step_index)
        assert step.error == pytest.approx(evaluate(loss, symbols, weights), abs=1e-12)
        # this step ran on the weights we track independently (sequential: the previous
        # step's new weights), within float error
        for key, value in weights.items():
            assert step.weights[key] == pytest.approx(float(value), abs=1e-12)
        new_weights = {}
        for key, grad in grads.items():
            true = evaluate(grad, symbols, weights)
            assert implied_gradient(problem, step, key) == pytest.approx(true, abs=1e-9), key
            assert step.changes[key] == pytest.approx(-lr * true, abs=1e-9), key
            nonzero += abs(true) > 1e-6
            new_weights[key] = F(weights[key]) + F(-lr * true)
        weights = new_weights
    assert nonzero > 0
    if checked == len(trace.steps):
        # the final weights are the last step's new ones, and match the tracked ones
        for key, value in trace.final_weights.items():
            assert value == pytest.approx(float(weights[key]), abs=1e-9)


@pytest.mark.parametrize("index", [0, 2, 7, 9], ids=[CASE_IDS[i] for i in (0, 2, 7, 9)])
def test_exact_arithmetic_deltas_are_the_sympy_gradient(index):
    problem = _with(random_case(index), patterns=random_case(index).patterns[:1])
    trace = solve(problem, ExactArithmetic())
    step = trace.steps[0]
    symbols, loss, grads = symbolic_gradient(index, 0)
    to_float = trace.arithmetic.to_float
    assert to_float(step.error) == pytest.approx(evaluate(loss, symbols, problem.weights),
                                                 abs=1e-12)
    for (i, j), grad in grads.items():
        true = evaluate(grad, symbols, problem.weights)
        engine = -to_float(step.node(j).delta * step.node(i).out)
        assert engine == pytest.approx(true, abs=1e-12)
        assert to_float(step.changes[(i, j)]) == pytest.approx(
            -float(problem.learning_rate) * true, abs=1e-12)


@pytest.mark.parametrize("convention", ["slides", "textbook"])
@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_finite_differences(index, convention):
    """Central differences of the engine's own error (float forward pass) match its deltas."""
    base = random_case(index)
    problem = _with(base, patterns=base.patterns[:1], convention=convention)
    step = solve(problem, Arithmetic()).steps[0]
    h = F(1, 10**6)
    for key in problem.weights:
        plus = dict(problem.weights)
        minus = dict(problem.weights)
        plus[key] += h
        minus[key] -= h
        e_plus = solve(_with(problem, weights=plus), Arithmetic()).steps[0].error
        e_minus = solve(_with(problem, weights=minus), Arithmetic()).steps[0].error
        numeric = (e_plus - e_minus) / (2 * float(h))
        assert implied_gradient(problem, step, key) == pytest.approx(numeric, abs=1e-6), key


def test_sympy_reference_is_not_trivially_zero():
    """Guard the reference itself: a hand-checked derivative on a 1-1 sigmoid net."""
    problem = make_problem((1, 1), [Activation("sigmoid")], F(1),
                           {(1, 3): F(1, 2), (2, 3): F(0)}, [([F(2)], [F(1)])])
    symbols = weight_symbols(problem)
    loss = symbolic_loss(problem, problem.patterns[0], symbols)
    z = 1 / (1 + math.exp(-1))
    grad = sympy.diff(loss, symbols[(1, 3)])
    # dE/dw = -(t - z) z (1 - z) x
    assert evaluate(grad, symbols, problem.weights) == pytest.approx(-(1 - z) * z * (1 - z) * 2,
                                                                     abs=1e-15)


# ----------------------------------------------------------------------------------------
# Update modes


def _batch_problem(update: str, epochs: int = 2, rounding=None) -> Problem:
    rng = random.Random(7)
    network = Network((2, 2, 1), True)
    weights = {key: _decimal(rng, -1, 1) for key in network.weight_keys()}
    patterns = [([F(0), F(0)], [F(0)]), ([F(0), F(1)], [F(1)]),
                ([F(1), F(0)], [F(1)]), ([F(1), F(1)], [F(0)])]
    return make_problem((2, 2, 1), [Activation("sigmoid")] * 2, F(1), weights, patterns,
                        lr=F(3, 2), update=update, epochs=epochs, rounding=rounding)


def _single_pattern_changes(problem: Problem, weights: dict, pattern: Pattern, arithmetic):
    """The changes one pattern asks for from the given weights, via a fresh 1-step solve."""
    single = _with(problem, weights=weights, patterns=(pattern,), epochs=1,
                   update="sequential")
    return solve(single, arithmetic).steps[0].changes


def test_batch_sums_changes_from_epoch_start_weights():
    problem = _batch_problem("batch", epochs=2)
    trace = solve(problem, Arithmetic())
    assert len(trace.steps) == 8
    start = {key: float(value) for key, value in problem.weights.items()}
    for epoch in (1, 2):
        steps = [s for s in trace.steps if s.epoch == epoch]
        assert [s.pattern for s in steps] == [1, 2, 3, 4]
        for step in steps:
            assert step.weights == start  # every step sees the epoch's start weights
        assert all(s.updates == [] for s in steps[:-1])
        updates = {u.key: u for u in steps[-1].updates}
        assert set(updates) == set(start)
        for key, update in updates.items():
            expected = 0.0
            for step, pattern in zip(steps, problem.patterns, strict=True):
                own = _single_pattern_changes(
                    problem, {k: F(v) for k, v in start.items()}, pattern, Arithmetic())[key]
                assert step.changes[key] == pytest.approx(own, abs=1e-15)
                expected += own
            assert update.old == start[key]
            assert update.change == pytest.approx(expected, abs=1e-14)
            assert update.new == pytest.approx(start[key] + expected, abs=1e-14)
        start = {key: u.new for key, u in updates.items()}
    assert trace.final_weights == start


def test_batch_change_is_minus_lr_times_summed_sympy_gradient():
    problem = _batch_problem("batch", epochs=1)
    trace = solve(problem, Arithmetic())
    symbols = weight_symbols(problem)
    total = sum(symbolic_loss(problem, p, symbols) for p in problem.patterns)
    updates = {u.key: u for u in trace.steps[-1].updates}
    for key, symbol in symbols.items():
        grad = evaluate(sympy.diff(total, symbol), symbols, problem.weights)
        assert updates[key].change == pytest.approx(-1.5 * grad, abs=1e-9)
    assert sum(s.error for s in trace.steps) == pytest.approx(
        evaluate(total, symbols, problem.weights), abs=1e-12)


def test_batch_differs_from_sequential():
    batch = solve(_batch_problem("batch", epochs=1), Arithmetic())
    sequential = solve(_batch_problem("sequential", epochs=1), Arithmetic())
    assert batch.steps[0].changes == pytest.approx(sequential.steps[0].changes)
    assert any(abs(batch.final_weights[k] - sequential.final_weights[k]) > 1e-3
               for k in batch.final_weights)


def test_sequential_steps_use_previous_new_weights():
    problem = _batch_problem("sequential", epochs=2)
    trace = solve(problem, Arithmetic())
    assert [(s.epoch, s.pattern) for s in trace.steps] == [
        (e, p) for e in (1, 2) for p in (1, 2, 3, 4)]
    weights = {key: float(value) for key, value in problem.weights.items()}
    for step, pattern in zip(trace.steps, problem.patterns * 2, strict=True):
        assert step.weights == weights
        own = _single_pattern_changes(problem, {k: F(v) for k, v in weights.items()}, pattern,
                                      Arithmetic())
        assert len(step.updates) == len(weights)
        for update in step.updates:
            assert update.old == weights[update.key]
            assert update.change == pytest.approx(own[update.key], abs=1e-15)
            assert update.new == update.old + update.change
        weights = {u.key: u.new for u in step.updates}
    assert trace.final_weights == weights


def test_batch_rounded_change_is_the_group_terms_rounded_once():
    """A batch's change is its steps' learning-rate terms C delta_j z_i (from the carried,
    rounded delta and z) summed unrounded and rounded once, so that change = round(-C x
    gradient) (section 4); each step's own change is still the rounded term."""
    rounding = Rounding("sigfigs", 2)
    problem = _batch_problem("batch", epochs=1, rounding=rounding)
    trace = solve(problem, RoundedArithmetic(rounding))
    last = trace.steps[-1]
    rate = problem.learning_rate
    for update in last.updates:
        i, j = update.key
        terms = [rate * s.node(j).delta * s.node(i).out for s in trace.steps]
        assert [s.changes[update.key] for s in trace.steps] == [
            round_fraction(term, rounding) for term in terms]
        assert update.change == round_fraction(sum(terms), rounding)
        assert update.gradient == -sum(terms) / rate and update.momentum == 0
        assert update.new == round_fraction(update.old + update.change, rounding)
        assert update.old == problem.weights[update.key]
    assert all(s.weights == last.weights for s in trace.steps)
    # the rule is not a no-op here: summing the rounded terms would differ for some weight
    assert any(round_fraction(sum(s.changes[u.key] for s in trace.steps), rounding)
               != u.change for u in last.updates)


# ----------------------------------------------------------------------------------------
# Single-layer rules, hand computed


def _perceptron(weights, x, t, *, threshold=ZERO, lr=TENTH, loss="half_sse",
                convention="slides", rounding=None):
    return make_problem((2, 1), [Activation("step", threshold=threshold)], F(1),
                        {(1, 4): weights[0], (2, 4): weights[1], (3, 4): weights[2]},
                        [(x, t)], lr=lr, loss=loss, convention=convention, rounding=rounding)


ARITHMETICS = [Arithmetic(), RoundedArithmetic(Rounding("places", 4)), ExactArithmetic()]


@pytest.mark.parametrize("arithmetic", ARITHMETICS, ids=lambda a: a.name)
@pytest.mark.parametrize("convention", ["slides", "textbook"])
@pytest.mark.parametrize("loss", ["half_sse", "sse"])
def test_perceptron_rule(arithmetic, convention, loss):
    # net = 1*.2 + 1*(-.5) + 1*.1 = -.2 < 0 -> z = 0; dw = c (t - z) x = .1 * 1 * [1, 1, 1]
    problem = _perceptron([F("0.2"), F("-0.5"), F("0.1")], [F(1), F(1)], [F(1)],
                          loss=loss, convention=convention)
    trace = solve(problem, arithmetic)
    step = trace.steps[0]
    f = arithmetic.to_float
    assert f(step.node(4).net) == pytest.approx(-0.2, abs=1e-15)
    assert f(step.node(4).out) == 0
    sign = 1 if convention == "slides" else -1
    assert f(step.node(4).delta) == sign * 1  # the perceptron's delta is t - z, whatever loss
    expected = {(1, 4): 0.3, (2, 4): -0.4, (3, 4): 0.2}
    for key, value in expected.items():
        assert f(trace.final_weights[key]) == pytest.approx(value, abs=1e-15)
        assert f(step.changes[key]) == pytest.approx(0.1, abs=1e-15)


@pytest.mark.parametrize("arithmetic", ARITHMETICS, ids=lambda a: a.name)
def test_perceptron_threshold_and_no_change_when_right(arithmetic):
    # net = .5*1 + .25*2 + 1*(-.5) = .5 >= threshold .5 -> z = 1 = t: nothing moves
    problem = _perceptron([F("0.5"), F("0.25"), F("-0.5")], [F(1), F(2)], [F(1)],
                          threshold=F("0.5"))
    trace = solve(problem, arithmetic)
    assert arithmetic.to_float(trace.steps[0].node(4).out) == 1
    assert {k: arithmetic.to_float(v) for k, v in trace.final_weights.items()} == {
        (1, 4): 0.5, (2, 4): 0.25, (3, 4): -0.5}
    # same net, target 0: z - t = 1, so dw = -c x = -.1 * [1, 2, 1]
    problem = _perceptron([F("0.5"), F("0.25"), F("-0.5")], [F(1), F(2)], [F(0)],
                          threshold=F("0.5"))
    trace = solve(problem, arithmetic)
    final = {k: arithmetic.to_float(v) for k, v in trace.final_weights.items()}
    assert final == pytest.approx({(1, 4): 0.4, (2, 4): 0.05, (3, 4): -0.6}, abs=1e-15)
    # just below the threshold the step is 0
    problem = _perceptron([F("0.5"), F("0.25"), F("-0.5001")], [F(1), F(2)], [F(1)],
                          threshold=F("0.5"))
    assert arithmetic.to_float(solve(problem, arithmetic).steps[0].node(4).out) == 0


def test_perceptron_or_over_epochs():
    """OR with the perceptron rule, 3 epochs by hand: weights (w1, w2, bias) from 0, c = 1."""
    network_patterns = [([F(0), F(0)], [F(0)]), ([F(0), F(1)], [F(1)]),
                        ([F(1), F(0)], [F(1)]), ([F(1), F(1)], [F(1)])]
    problem = make_problem((2, 1), [Activation("step", threshold=F(1, 2))], F(1),
                           {(1, 4): F(0), (2, 4): F(0), (3, 4): F(0)}, network_patterns,
                           lr=F(1), epochs=3)
    trace = solve(problem, ExactArithmetic())
    # epoch 1: (0,0): net 0 < .5, z 0 = t. (0,1): z 0, t 1 -> w = (0,1,1).
    #          (1,0): net 1 -> z 1 = t. (1,1): z 1 = t.
    # epoch 2: (0,0): net 1 -> z 1, t 0 -> w = (0,1,0). (0,1): net 1 ok. (1,0): net 0 -> z 0,
    #          t 1 -> w = (1,1,1). (1,1) ok.  epoch 3: (0,0): net 1 -> w = (1,1,0); rest ok.
    outs = [int(s.node(4).out) for s in trace.steps]
    assert outs == [0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]
    assert trace.final_weights == {(1, 4): 1, (2, 4): 1, (3, 4): 0}


@pytest.mark.parametrize("arithmetic", ARITHMETICS, ids=lambda a: a.name)
@pytest.mark.parametrize("convention", ["slides", "textbook"])
def test_linear_single_layer_is_the_delta_rule(arithmetic, convention):
    # net = 1*.5 + 2*(-.25) + 1*.1 = .1; dw = c (t - net) x = .1 * .9 * [1, 2, 1]
    problem = make_problem((2, 1), [Activation("linear")], F(1),
                           {(1, 4): F("0.5"), (2, 4): F("-0.25"), (3, 4): F("0.1")},
                           [([F(1), F(2)], [F(1)])], lr=F("0.1"), convention=convention)
    trace = solve(problem, arithmetic)
    step = trace.steps[0]
    f = arithmetic.to_float
    assert f(step.node(4).net) == pytest.approx(0.1, abs=1e-15)
    assert f(step.node(4).out) == pytest.approx(0.1, abs=1e-15)
    assert f(step.node(4).delta) == pytest.approx(0.9 if convention == "slides" else -0.9,
                                                  abs=1e-15)
    assert f(step.error) == pytest.approx(0.405, abs=1e-15)  # 1/2 (.9)^2
    expected = {(1, 4): 0.59, (2, 4): -0.07, (3, 4): 0.19}
    for key, value in expected.items():
        assert f(trace.final_weights[key]) == pytest.approx(value, abs=1e-15)
    if arithmetic.name != "float":
        # exact and rounded keep decimals exact
        assert trace.final_weights[(2, 4)] == F("-0.07")


def test_linear_single_layer_bias_minus_one_and_two_outputs():
    # Marsland's bias -1: net_k = sum x_i w_ik - w_bias,k ; mse over K = 2 outputs -> factor 1
    problem = make_problem((1, 2), [Activation("linear")], F(-1),
                           {(1, 3): F(2), (2, 3): F(1), (1, 4): F(-1), (2, 4): F(0)},
                           [([F(3)], [F(4), F(-2)])], lr=F(1, 10), loss="mse",
                           convention="textbook")
    trace = solve(problem, ExactArithmetic())
    step = trace.steps[0]
    assert step.node(2).out == -1 and step.node(2).kind == "bias"
    assert step.node(3).net == 5 and step.node(4).net == -3
    # mse: E = 1/2 ((4-5)^2 + (-2+3)^2) = 1 ; textbook delta = (2/K)(z - t) = (z - t)
    assert step.error == 1
    assert step.node(3).delta == 1 and step.node(4).delta == -1
    # w <- w - eta delta a
    assert trace.final_weights == {(1, 3): F(17, 10), (2, 3): F(11, 10),
                                   (1, 4): F(-7, 10), (2, 4): F(-1, 10)}


# ----------------------------------------------------------------------------------------
# Very large nets do not crash and saturate sensibly


HUGE_ARITHMETICS = ARITHMETICS + [RoundedArithmetic(Rounding("sigfigs", 3))]
# exact tanh is left out only for time: SymPy's evalf of its cancelling closed forms is slow
HUGE_CASES = [(name, a) for name in ("sigmoid", "tanh") for a in HUGE_ARITHMETICS
              if not (name == "tanh" and isinstance(a, ExactArithmetic))]


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("name,arithmetic", HUGE_CASES,
                         ids=[f"{n}-{a.name}{getattr(a, 'rounding', '')}" for n, a in HUGE_CASES])
def test_huge_nets_saturate_without_crashing(arithmetic, sign, name):
    network = Network((2, 2, 1), True)
    problem = make_problem((2, 2, 1), [Activation(name, beta=F(2))] * 2, F(1),
                           {key: F(1000 * sign) for key in network.weight_keys()},
                           [([F(1), F(1)], [F(1, 2)])], lr=F(1),
                           # exact closed forms grow fast with every step: one epoch there
                           epochs=1 if isinstance(arithmetic, ExactArithmetic) else 2)
    trace = solve(problem, arithmetic)
    f = arithmetic.to_float
    step = trace.steps[0]
    assert f(step.node(4).net) == pytest.approx(3000 * sign)
    low = 0.0 if name == "sigmoid" else -1.0
    assert f(step.node(4).out) == (1.0 if sign > 0 else low)
    # output net: 2000 * out4 + 1000 (all times sign): saturated in both directions
    assert f(step.node(7).out) == (1.0 if sign > 0 or name == "tanh" else 0.0)
    assert f(step.error) == pytest.approx(0.125, abs=1e-12)
    for node in step.nodes:
        if node.delta is not None:
            assert math.isfinite(f(node.delta))
            assert abs(f(node.delta)) <= 1e-12
    for key, value in trace.final_weights.items():
        assert math.isfinite(f(value))
        assert f(value) == pytest.approx(1000 * sign, abs=1e-9), key


@pytest.mark.parametrize("net", [10**6, -(10**6), 745, -745, 710, -710])
def test_float_sigmoid_never_overflows(net):
    act = Activation("sigmoid")
    value = Arithmetic().activate(act, float(net))
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(1.0 if net > 0 else 0.0, abs=1e-300)
    assert Arithmetic().activate(Activation("tanh"), float(net)) == (1.0 if net > 0 else -1.0)
    rounded = RoundedArithmetic(Rounding("places", 4))
    exact_value = rounded.activate(act, F(net))
    assert type(exact_value) is Fraction
    assert rounded.round(exact_value) == (1 if net > 0 else 0)

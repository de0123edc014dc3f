"""The fast float engine (bpcalc.engine.fastfloat) gives the generic engine's numbers.

It runs the generic engine's algorithm as code written for the problem's network, with
every value computed by the same operations in the same order, so the traces must be
equal bit for bit (stronger than the 1e-12 the vectorised engine is held to): on random
networks over every activation (sigmoid with beta, tanh, relu, linear, the perceptron's
step), loss, bias (1, -1, none), update mode and convention, recorded and unrecorded,
with named weights in any order. Also: overflow is refused with the generic engine's
message, and a recorded step's records (built when read) behave as a `Step`'s.
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction as F

import pytest

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import solve, train
from bpcalc.engine.fastfloat import float_source
from bpcalc.engine.numerics import NumericalError
from bpcalc.engine.trace import PackedStep
from bpcalc.problem import activations
from bpcalc.problem.loader import apply_overrides, load_problem
from bpcalc.problem.model import Activation, Network, Pattern, Problem

ACTIVATIONS = [("sigmoid", F(1)), ("sigmoid", F(3, 2)), ("tanh", F(1)), ("relu", F(1)),
               ("linear", F(1)), ("sigmoid", F(-1, 3))]
SHAPES = [(2, 2, 1), (3, 4, 2), (2, 3, 3, 2), (4, 3), (1, 1), (5, 2, 1, 3)]
BIASES = [F(1), F(-1), None, F(1, 2)]
LOSSES = ["half_sse", "sse", "mse"]
CONVENTIONS = ["slides", "textbook"]
UPDATES = ["sequential", "batch"]
COMBINATIONS = list(itertools.product(UPDATES, CONVENTIONS, LOSSES))
SEEDS = range(48)


def random_problem(seed: int) -> Problem:
    """A random small problem; `seed` also walks through every option in turn."""
    rng = random.Random(seed)
    sizes = SHAPES[seed % len(SHAPES)]
    bias = BIASES[seed % len(BIASES)]
    network = Network(sizes, bias is not None)
    if len(sizes) == 2 and seed % 4 == 0:  # the perceptron: one layer of step nodes
        acts = (Activation("step", threshold=F(rng.randint(-5, 5), 10)),)
    else:
        acts = tuple(Activation(*ACTIVATIONS[(seed + layer) % len(ACTIVATIONS)])
                     for layer in range(1, len(sizes)))
    weights = {key: F(rng.randint(-90, 90), 100) for key in network.weight_keys()}
    if seed % 2:  # named weights may come in any order: the trace keeps the problem's
        weights = dict(sorted(weights.items(), key=lambda item: (-item[0][1], item[0][0])))
    patterns = tuple(
        Pattern(tuple(F(rng.randint(-100, 100), 50) for _ in range(sizes[0])),
                tuple(F(rng.randint(0, 10), 10) for _ in range(sizes[-1])))
        for _ in range(rng.randint(1, 4)))
    update, convention, loss = COMBINATIONS[seed % len(COMBINATIONS)]
    return Problem(network=network, activations=acts, bias=bias, weights=weights,
                   patterns=patterns, learning_rate=F(rng.randint(1, 20), 10),
                   epochs=rng.randint(1, 4), update=update, loss=loss, convention=convention)


def test_the_cases_cover_every_option():
    problems = [random_problem(seed) for seed in SEEDS]
    assert {a.name for p in problems for a in p.activations} == {
        "sigmoid", "tanh", "relu", "linear", "step"}
    assert {a.beta for p in problems for a in p.activations} >= {F(1), F(3, 2), F(-1, 3)}
    assert {p.loss for p in problems} == set(LOSSES)
    assert {p.bias for p in problems} == set(BIASES)
    assert {(p.update, p.convention, p.loss) for p in problems} == set(COMBINATIONS)
    assert any(list(p.weights) != p.network.weight_keys() for p in problems)
    assert any(len(p.network.sizes) == 4 for p in problems)


def fields(step) -> tuple:
    return (step.epoch, step.pattern, step.input, step.target, step.nodes, step.error,
            step.weights, step.changes, step.updates)


def exactly(values) -> list:
    """Values compared bit for bit: the float's own digits, and its sign at zero."""
    return [(type(v).__name__, v.hex() if isinstance(v, float) else v) for v in values]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_fast_engine_gives_the_generic_engine_s_trace_bit_for_bit(seed):
    problem = random_problem(seed)
    if problem.perceptron:  # solved by the generic engine (mistakes per epoch); still held
        from bpcalc.engine.fastfloat import float_steps
        from bpcalc.engine.run import Run

        fast = Run(problem, Arithmetic(), float_steps(problem)).trace()
    else:
        fast = solve(problem, Arithmetic())
    generic = solve(problem, Arithmetic(), generic=True)
    assert all(isinstance(step, PackedStep) for step in fast.steps)  # it did run
    assert not any(isinstance(step, PackedStep) for step in generic.steps)
    assert len(fast.steps) == problem.step_count
    for mine, theirs in zip(fast.steps, generic.steps, strict=True):
        assert fields(mine) == fields(theirs)
        assert exactly(n.__dict__[a] for n in mine.nodes for a in ("out", "net", "delta",
                                                                  "slope")) == \
            exactly(n.__dict__[a] for n in theirs.nodes for a in ("out", "net", "delta",
                                                                  "slope"))
        assert exactly([mine.error, *mine.weights.values(), *mine.changes.values()]) == \
            exactly([theirs.error, *theirs.weights.values(), *theirs.changes.values()])
        assert list(mine.weights) == list(problem.weights)
    assert exactly(fast.final_weights.values()) == exactly(generic.final_weights.values())
    assert list(fast.final_weights) == list(problem.weights)
    assert fast.epoch_errors() == generic.epoch_errors()


@pytest.mark.parametrize("seed", SEEDS[::5])
def test_an_unrecorded_run_gives_the_same_errors_and_final_weights(seed):
    problem = random_problem(seed)
    fast = solve(problem, Arithmetic(), record=False)
    generic = solve(problem, Arithmetic(), record=False, generic=True)
    assert fast.steps == [] == generic.steps
    assert exactly(fast.final_weights.values()) == exactly(generic.final_weights.values())
    assert exactly(e for _, e in fast.epoch_errors()) == exactly(
        e for _, e in generic.epoch_errors())


def test_an_unrecorded_float_run_hands_on_no_step():
    problem = random_problem(3)
    run = train(problem, Arithmetic(), record=False)
    assert list(run.steps) == []  # nobody reads them: the loop sums the errors itself
    generic = train(problem, Arithmetic(), record=False, generic=True)
    assert all(step.nodes == [] and step.updates == [] for step in generic.steps)
    assert run.errors.floats() == generic.errors.floats()
    assert len(run.errors) == problem.epochs


def test_xor_for_many_epochs_is_the_same_bit_for_bit():
    problem = apply_overrides(load_problem("problems/xor.yaml"), epochs=500)
    fast, generic = solve(problem, Arithmetic()), solve(problem, Arithmetic(), generic=True)
    assert [fields(s) for s in fast.steps] == [fields(s) for s in generic.steps]
    assert exactly(fast.final_weights.values()) == exactly(generic.final_weights.values())


@pytest.mark.parametrize("record", [True, False])
@pytest.mark.parametrize("update", ["sequential", "batch"])
def test_overflow_is_refused_with_the_generic_engine_s_message(record, update):
    network = Network((2, 1), True)
    problem = Problem(network=network, activations=(Activation("linear"),), bias=F(1),
                      weights=dict.fromkeys(network.weight_keys(), F(10) ** 100),
                      patterns=(Pattern((F(10) ** 100, F(1)), (F(0),)),),
                      learning_rate=F(10) ** 100, epochs=3, update=update)
    messages = []
    for generic in (False, True):
        with pytest.raises(NumericalError) as raised:
            solve(problem, Arithmetic(), record=record, generic=generic)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert "overflowed" in messages[0] and "step 1" in messages[0]


def test_a_packed_step_reads_as_a_step():
    problem = apply_overrides(load_problem("problems/xor.yaml"), epochs=1)
    step = solve(problem, Arithmetic()).steps[1]
    generic = solve(problem, Arithmetic(), generic=True).steps[1]
    assert step.node(4) == generic.node(4) and step.node(4).kind == "hidden"
    assert step.node(3).out == 1.0 and step.node(3).net is None  # the bias node
    assert step.node(2).out == 1.0 and step.node(2).kind == "input"  # pattern 2: (0, 1)
    assert step.nodes is step.nodes  # built once, then kept
    step.updates = []  # records can be replaced, as on any step
    assert step.updates == [] and step.weights == generic.weights
    assert repr(step).startswith("PackedStep(epoch=1, pattern=2")


def test_the_generated_loop_is_made_of_names_only():
    problem = random_problem(1)
    source = float_source(problem, record=True)
    compile(source, "<test>", "exec")
    numbers = {str(float(value)) for value in problem.weights.values()} | {
        str(float(x)) for p in problem.patterns for x in p.input}
    assert not any(text in source for text in numbers if text not in ("0.0", "1.0"))
    assert "def steps(" in source and "yield step" in source


def test_a_wide_layer_compiles():
    network = Network((150, 1, 1), True)  # 151 + 2 weights: below the numpy engine's size
    problem = Problem(network=network, activations=(Activation("tanh"), Activation("linear")),
                      bias=F(1), weights=dict.fromkeys(network.weight_keys(), F(1, 1000)),
                      patterns=(Pattern(tuple(F(i % 7, 10) for i in range(150)), (F(1),)),),
                      learning_rate=F(1, 10), epochs=2)
    fast, generic = solve(problem, Arithmetic()), solve(problem, Arithmetic(), generic=True)
    assert exactly(fast.final_weights.values()) == exactly(generic.final_weights.values())
    assert math.isfinite(fast.steps[-1].error)


def test_an_entry_that_cannot_be_written_out_is_called_instead(monkeypatch):
    """An activation whose f tests its net in Python (not through the arithmetic's
    `where`) cannot become source; the fast engine calls it, and agrees bit for bit."""
    relu = activations.activation_spec("relu")
    branching = relu._replace(name="branching_relu",
                        f=lambda m, act, net: net if net > 0 else m.number(0),
                        slope=lambda m, act, net, z: m.number(1 if net > 0 else 0))
    monkeypatch.setitem(activations.REGISTRY, "branching_relu", branching)
    network = Network((2, 3, 1), True)
    problem = Problem(network=network,
                      activations=(Activation("branching_relu"), Activation("sigmoid")),
                      bias=F(1), weights={key: F((3 * key[0] - 2 * key[1]) % 7 - 3, 5)
                                          for key in network.weight_keys()},
                      patterns=(Pattern((F(1), F(-1, 2)), (F(1),)),
                                Pattern((F(-1), F(2)), (F(0),))), learning_rate=F(1, 2),
                      epochs=3)
    source = float_source(problem, record=True)
    assert "(n4)" in source and "(n4, z4)" in source  # called, not written out
    fast, generic = solve(problem, Arithmetic()), solve(problem, Arithmetic(), generic=True)
    assert [fields(s) for s in fast.steps] == [fields(s) for s in generic.steps]
    assert {n.net > 0 for s in fast.steps for n in s.nodes if n.kind == "hidden"} == {True, False}


@pytest.mark.parametrize("name", activations.names())
def test_every_entry_gives_floats_in_the_float_arithmetic(name):
    """A recorded float step keeps its numbers as doubles: that is exact because the
    float arithmetic's values are floats, whatever the activation."""
    spec = activations.activation_spec(name)
    act = Activation(name)
    if spec.layer_wide:
        outs = spec.layer_f(Arithmetic(), act, [-2.5, -0.0, 0.0, 0.75, 3.0])
        assert all(type(z) is float for z in outs)
        assert all(type(spec.slope(Arithmetic(), act, None, z)) is float for z in outs)
        return
    for net in (-2.5, -0.0, 0.0, 0.75, 3.0):
        z = spec.f(Arithmetic(), act, net)
        assert type(z) is float and type(spec.slope(Arithmetic(), act, net, z)) is float

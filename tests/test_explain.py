"""`bpcalc explain`: the chain rule along every path agrees with backprop's delta_j out_i.

The slide example's factors are checked against the lecture's numbers; on random multi-path
networks the sum over paths is checked against the trace's delta_j out_i and against a
finite difference (and a SymPy derivative) of a forward pass written here, independently
of the engine.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.chainrule import explain, path_count
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.problem.loader import apply_overrides, load_problem
from bpcalc.problem.model import Activation, Network, Pattern, Problem, Rounding

F = Fraction
HALF = Fraction(1, 2)
PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
SLIDES = str(PROBLEMS / "slides_2-2-1.yaml")
runner = CliRunner()


def slides(**overrides):
    problem = apply_overrides(load_problem(SLIDES), **overrides)
    return problem


def rule_for(problem: Problem, key, step: int = 1, exact: bool = False):
    trace = solve(problem, make_arithmetic(problem.rounding, exact))
    return explain(trace, key, step), trace


# ----------------------------------------------------------------------------------------
# The slide example, dE/dw14 = dE/dz7 dz7/dnet7 dnet7/dz4 dz4/dnet4 dnet4/dw14


def test_slide_example_factors_product_and_sign():
    rule, trace = rule_for(slides(), (1, 4))
    assert len(rule.paths) == 1 and rule.paths[0].nodes == (4, 7)
    kinds = [(f.kind, f.node, f.source) for f in rule.paths[0].factors]
    assert kinds == [("loss", 7, None), ("slope", 7, None), ("weight", 7, 4),
                     ("slope", 4, None), ("input", 4, 1)]
    values = [f.value for f in rule.paths[0].factors]
    expected = [0.781990, 0.170482, 0.5, 0.173105, 0.9]
    for value, want in zip(values, expected, strict=True):
        assert value == pytest.approx(want, abs=5e-7)
    assert rule.total == pytest.approx(0.0103849, abs=5e-8)
    delta4 = trace.steps[0].node(4).delta
    assert delta4 == pytest.approx(-0.0115387, abs=5e-8)  # the slide's -.0115
    assert rule.sign == -1 and rule.recursion == pytest.approx(-delta4 * 0.9, rel=1e-15)
    assert rule.agreement in ("exact", "float") and abs(rule.difference) < 1e-15
    # change = -C dE/dw = C delta4 z1, the slide's w14: .5 -> .4896
    assert rule.gradient_change == pytest.approx(-0.0103849, abs=5e-8)
    assert rule.change == pytest.approx(rule.gradient_change, rel=1e-15)
    assert 0.5 + rule.change == pytest.approx(0.4896, abs=5e-5)


def test_textbook_sign_is_plus_delta_a():
    rule, trace = rule_for(slides(convention="textbook"), (1, 4))
    delta4 = trace.steps[0].node(4).delta
    assert delta4 == pytest.approx(0.0115387, abs=5e-8)  # the textbook's delta: opposite sign
    assert rule.sign == 1
    assert rule.recursion == pytest.approx(delta4 * 0.9, rel=1e-15)
    assert rule.total == pytest.approx(0.0103849, abs=5e-8)  # the gradient itself is the same
    assert abs(rule.difference) < 1e-15


def test_output_and_bias_weights_have_one_short_path():
    rule, _ = rule_for(slides(), (6, 7))  # bias weight into the output
    assert [f.kind for f in rule.paths[0].factors] == ["loss", "slope", "input"]
    assert rule.paths[0].factors[-1].value == 1.0  # dnet7/dw67 = z6 = the bias value
    assert rule.total == pytest.approx(0.133315, abs=5e-7)  # -delta7 = .133


def test_loss_factors_sse_and_mse():
    half = rule_for(slides(), (4, 7))[0]
    sse = rule_for(replace_loss(slides(), "sse"), (4, 7))[0]
    assert sse.loss_factor == 2 and half.loss_factor == 1
    assert sse.paths[0].factors[0].value == pytest.approx(2 * half.paths[0].factors[0].value)
    assert sse.total == pytest.approx(2 * half.total, rel=1e-14)
    assert abs(sse.difference) < 1e-15


def replace_loss(problem: Problem, loss: str) -> Problem:
    from dataclasses import replace

    return replace(problem, loss=loss)


def test_exact_mode_difference_cancels_to_zero():
    rule, _ = rule_for(slides(), (1, 4), exact=True)
    assert rule.agreement == "exact" and rule.difference == 0
    assert float(rule.total) == pytest.approx(0.0103849, abs=5e-8)


def test_hand_rounding_reports_the_rounding_not_a_disagreement():
    rule, _ = rule_for(slides(round_places=4), (6, 7))
    assert rule.agreement == "rounded"
    assert rule.recursion == F(1333, 10000)  # -delta7 z6 with delta7 rounded to -.1333
    assert 0 < abs(rule.difference) < F(1, 10000)


# ----------------------------------------------------------------------------------------
# Multi-path networks: sum over paths = delta_j out_i = the derivative of the loss


def make_problem(sizes, activations, bias, weights, patterns, *, loss="half_sse",
                 convention="slides", update="sequential", epochs=1, lr=HALF) -> Problem:
    return Problem(network=Network(tuple(sizes), bias is not None),
                   activations=tuple(Activation(name, F(beta)) for name, beta in activations),
                   bias=bias, weights=dict(weights),
                   patterns=tuple(Pattern(tuple(x), tuple(t)) for x, t in patterns),
                   learning_rate=lr, epochs=epochs, update=update, loss=loss,
                   convention=convention)


def random_problem(seed: int, sizes, activations, bias, loss, convention, update="sequential"):
    rng = random.Random(seed)
    network = Network(tuple(sizes), bias is not None)
    weights = {key: F(rng.randint(-90, 90), 100) for key in network.weight_keys()}
    patterns = [([F(rng.randint(-10, 10), 10) for _ in range(sizes[0])],
                 [F(rng.randint(0, 10), 10) for _ in range(sizes[-1])]) for _ in range(2)]
    return make_problem(sizes, activations, bias, weights, patterns, loss=loss,
                        convention=convention, update=update, epochs=2)


def forward_loss(problem: Problem, weights: dict, pattern: Pattern) -> float:
    """The loss of one pattern, by a forward pass written here (not the engine's)."""
    layers = problem.network.layers
    outs = {i: float(x) for i, x in zip(layers[0].node_ids, pattern.input, strict=True)}
    for prev, layer in pairwise(layers):
        if prev.bias_id is not None:
            outs[prev.bias_id] = float(problem.bias)
        act = problem.activations[layer.index - 1]
        for j in layer.node_ids:
            net = sum(weights[(i, j)] * outs[i] for i in prev.feeding_ids())
            outs[j] = {"sigmoid": lambda n, b=float(act.beta): 1 / (1 + math.exp(-b * n)),
                       "tanh": math.tanh, "relu": lambda n: max(n, 0.0),
                       "linear": lambda n: n}[act.name](net)
    outputs = layers[-1].node_ids
    squared = sum((float(t) - outs[k]) ** 2
                  for k, t in zip(outputs, pattern.target, strict=True))
    scale = {"half_sse": 0.5, "sse": 1.0, "mse": 1 / len(outputs)}[problem.loss]
    return scale * squared


CASES = [
    (11, (2, 3, 2, 2), [("sigmoid", 1), ("tanh", 1), ("sigmoid", 1)], F(1), "half_sse",
     "slides", "sequential"),
    (12, (2, 3, 2, 2), [("tanh", 1), ("sigmoid", F(5, 2)), ("linear", 1)], F(-1), "mse",
     "textbook", "batch"),
    (13, (2, 3, 2, 2), [("relu", 1), ("tanh", 1), ("sigmoid", F(1, 2))], None, "sse",
     "slides", "batch"),
    (14, (3, 2, 2, 3), [("sigmoid", 1), ("relu", 1), ("tanh", 1)], F(1), "mse",
     "textbook", "sequential"),
]


@pytest.mark.parametrize(("seed", "sizes", "acts", "bias", "loss", "convention", "update"),
                         CASES)
def test_sum_over_paths_is_delta_out_and_the_loss_derivative(seed, sizes, acts, bias, loss,
                                                             convention, update):
    problem = random_problem(seed, sizes, acts, bias, loss, convention, update)
    trace = solve(problem, make_arithmetic(None, False))
    h = 1e-6
    for number in (1, 2, 4):  # step 4: epoch 2 (batch: its starting weights)
        step = trace.steps[number - 1]
        pattern = problem.patterns[step.pattern - 1]
        weights = {key: float(value) for key, value in step.weights.items()}
        for key in problem.network.weight_keys():
            rule = explain(trace, key, number)
            assert len(rule.paths) == path_count(problem, key)
            i, j = key
            delta_out = step.node(j).delta * step.node(i).out
            expected = -delta_out if convention == "slides" else delta_out
            assert rule.total == pytest.approx(expected, rel=1e-12, abs=1e-15)
            assert rule.agreement in ("exact", "float")
            plus, minus = dict(weights), dict(weights)
            plus[key] += h
            minus[key] -= h
            numeric = (forward_loss(problem, plus, pattern)
                       - forward_loss(problem, minus, pattern)) / (2 * h)
            assert rule.total == pytest.approx(numeric, rel=1e-5, abs=1e-9), (number, key)


def test_path_counts_of_a_2_3_2_2_network():
    problem = random_problem(1, (2, 3, 2, 2), [("sigmoid", 1)] * 3, F(1), "half_sse",
                             "slides")
    assert path_count(problem, (1, 4)) == 4  # into the first hidden layer: 2 x 2 paths
    assert path_count(problem, (3, 4)) == 4  # its bias weight too
    assert path_count(problem, (4, 8)) == 2
    assert path_count(problem, (8, 11)) == 1
    trace = solve(problem, make_arithmetic(None, False))
    rule = explain(trace, (1, 4))
    assert [p.nodes for p in rule.paths] == [(4, 8, 11), (4, 8, 12), (4, 9, 11), (4, 9, 12)]
    # factors shared by paths are listed once: 2 losses, 2 output slopes, 4 weights
    # into the outputs, 2 hidden-2 slopes, 2 weights from node 4, slope 4, z1
    assert len(rule.factors) == 14


def test_sympy_derivative_of_the_loss_matches_exact_chain_rule():
    import sympy

    problem = random_problem(5, (2, 2, 2), [("tanh", 1), ("sigmoid", 1)], F(1), "mse",
                             "textbook")
    trace = solve(problem, make_arithmetic(None, True))
    key = (1, 4)
    rule = explain(trace, key)
    assert rule.agreement == "exact" and rule.difference == 0
    # The loss of pattern 1 as a function of w13 alone, differentiated by SymPy.
    w = sympy.Symbol("w")
    layers = problem.network.layers
    pattern = problem.patterns[0]
    outs = {i: sympy.Rational(x.numerator, x.denominator)
            for i, x in zip(layers[0].node_ids, pattern.input, strict=True)}
    for prev, layer in pairwise(layers):
        outs[prev.bias_id] = sympy.Integer(1)
        f = sympy.tanh if layer.index == 1 else (lambda n: 1 / (1 + sympy.exp(-n)))
        for j in layer.node_ids:
            outs[j] = f(sum((w if (i, j) == key else sympy.Rational(str(problem.weights[(i, j)])))
                            * outs[i] for i in prev.feeding_ids()))
    loss = sum((sympy.Rational(str(t)) - outs[k]) ** 2
               for k, t in zip(layers[-1].node_ids, pattern.target, strict=True)) / 2
    value = sympy.diff(loss, w).subs(w, sympy.Rational(str(problem.weights[key])))
    assert float(value) == pytest.approx(float(rule.total), rel=1e-12)


def test_perceptron_is_the_rule_with_slope_one():
    problem = load_problem(str(PROBLEMS / "perceptron_and.yaml"))
    rule, trace = rule_for(problem, (3, 4), step=4)  # pattern (1, 1) -> 1, output 0
    assert rule.perceptron
    assert [f.value for f in rule.paths[0].factors] == [-1.0, 1.0, 1.0]
    assert rule.total == -1.0 and rule.change == 0.5  # c (t - z) x = .5 (1 - 0) 1


# ----------------------------------------------------------------------------------------
# Refusals


def test_unknown_weight_and_step_are_refused():
    problem = slides()
    trace = solve(problem, make_arithmetic(None, False))
    with pytest.raises(ProblemError, match="no weight from node 4 to node 1"):
        explain(trace, (4, 1))
    with pytest.raises(ProblemError, match="steps run from 1 to 1"):
        explain(trace, (1, 4), 2)


# ----------------------------------------------------------------------------------------
# The command


def test_cli_slide_example():
    result = runner.invoke(app, ["explain", SLIDES, "w14"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "∂E/∂z7 · ∂z7/∂net7 · ∂net7/∂z4 · ∂z4/∂net4 · ∂net4/∂w14" in out
    assert "= 0.781990 × 0.170482 × 0.5 × 0.173105 × 0.9" in out
    assert "-δ4 z1 = -(-0.0115387) × 0.9 = 0.0103849" in out
    assert "the chain rule and backprop agree" in out


def test_cli_textbook_long_name_exact_and_output_file(tmp_path):
    target = tmp_path / "explain.txt"
    result = runner.invoke(app, ["explain", SLIDES, "w4_7", "--convention", "textbook",
                                 "--exact", "-o", str(target)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "∂E/∂w47 = δ7 a4" in text
    assert "exactly (SymPy cancels the difference to 0)" in text


def test_cli_perceptron_note():
    result = runner.invoke(app, ["explain", str(PROBLEMS / "perceptron_and.yaml"), "w14",
                                 "--step", "4"])
    assert result.exit_code == 0, result.output
    assert "not the gradient of any loss" in " ".join(result.output.split())


MULTI = """\
layers: [2, 3, 2, 2]
activation: [tanh, relu, sigmoid]
bias: -1
weights:
  - [[0.5, -0.4, 0.1], [-0.3, 0.6, -0.2], [0.2, 0.1, 0.3]]
  - [[0.7, -0.5, 0.3, 0.2], [0.4, 0.6, -0.3, 0.1]]
  - [[0.2, -0.6, 0.3], [0.5, 0.4, -0.1]]
patterns:
  - {input: [1, 0.5], target: [1, 0]}
  - {input: [-0.5, 1], target: [0, 1]}
learning_rate: 0.5
update: batch
loss: mse
"""


def test_cli_multi_path_batch_step_and_path_limit(tmp_path):
    problem = tmp_path / "multi.yaml"
    problem.write_text(MULTI, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(problem), "w1_4", "--step", "2",
                                 "--paths", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    flat = " ".join(out.split())
    assert "the chain rule and backprop agree" in flat and "Batch mode" in out
    assert "4 → 9 → 11" in out and "4 → 9 → 12" not in out
    assert "1 more path (in the sum; --paths 0 lists all)" in out
    assert "the sum of the 4 path products" in out
    assert "(2/K)(t11 - z11)" in out


@pytest.mark.parametrize(("args", "message"), [
    (["w99"], "WEIGHT: this network has no weight from node 9 to node 9"),
    (["w41"], "WEIGHT: this network has no weight from node 4 to node 1"),
    (["x14"], "WEIGHT: expected a weight name like w47, w4_7, v14 or θ74, got 'x14'"),
    (["w14", "--step", "2"], "--step: steps run from 1 to 1, got 2"),
    (["w14", "--step", "0"], "--step: steps run from 1 to 1, got 0"),
])
def test_cli_bad_arguments_exit_2(args, message):
    result = runner.invoke(app, ["explain", SLIDES, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_core_imports_neither_rich_nor_sympy():
    code = ("import sys, bpcalc.engine.chainrule; "
            "assert 'rich' not in sys.modules and 'sympy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rounded_run_is_explained():
    problem = slides()
    problem = Problem(**{**problem.__dict__, "rounding": Rounding("places", 4)})
    rule, _ = rule_for(problem, (1, 4))
    assert rule.agreement == "rounded"


def test_exact_later_step_with_named_values_multi_path():
    """At step 3 the exact arithmetic names long values (δ4⁽³⁾, w49⁽²⁾); the proof opens this
    step's names and still cancels to 0. Batch mode, epoch 2, 4 paths."""
    problem = random_problem(12, (2, 3, 2, 2), [("tanh", 1), ("sigmoid", 1), ("sigmoid", 1)],
                             F(1), "mse", "slides", "batch")
    exact = solve(problem, make_arithmetic(None, True))
    floats = solve(problem, make_arithmetic(None, False))
    for key in [(1, 4), (6, 9), (4, 8)]:
        rule = explain(exact, key, 3)
        assert rule.agreement == "exact" and rule.difference == 0, key
        assert float(rule.total) == pytest.approx(explain(floats, key, 3).total, rel=1e-12)


def test_cli_refuses_too_many_paths(tmp_path):
    problem = tmp_path / "wide.yaml"
    problem.write_text("layers: [1, 1, 60, 60, 60, 2]\nactivation: tanh\nweights: 0.1\n"
                       "pattern: [1]\ntarget: [0, 1]\nlearning_rate: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(problem), "w1_3"])
    assert result.exit_code == 2
    assert "WEIGHT: w13 reaches the outputs along 432,000 paths" in result.stderr


def test_cli_other_notations_same_numbers():
    result = runner.invoke(app, ["explain", SLIDES, "w14", "--notation", "paper"])
    assert result.exit_code == 0, result.output
    assert "∂L/∂a7 · ∂a7/∂z7 · ∂z7/∂a4 · ∂a4/∂z4 · ∂z4/∂W^1_41" in result.output
    assert "-δ4 x1 = -(-0.0115387) × 0.9 = 0.0103849" in result.output
    result = runner.invoke(app, ["explain", SLIDES, "w34", "--notation", "notes",
                                 "--convention", "textbook"])
    assert result.exit_code == 0, result.output
    assert "∂Err/∂θ43 = δ4 o3 = 0.0115387 × 1 = 0.0115387" in result.output

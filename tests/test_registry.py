"""The activation and loss registries: each entry's f' is the derivative of its f in every
arithmetic, every registered name is a valid problem, and an entry registered here (in a
test, with no other edit) is taken up by every arithmetic, engine and renderer: the proof
that a new activation or loss is one entry."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic, round_fraction
from bpcalc.engine.backprop import solve
from bpcalc.engine.exact import ExactArithmetic
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.engine.vectorised import solve_vectorised
from bpcalc.problem import activations, losses
from bpcalc.problem.activations import ActivationSpec, activation_spec
from bpcalc.problem.loader import parse_problem
from bpcalc.problem.losses import LossSpec
from bpcalc.problem.model import Activation, Rounding
from bpcalc.render.worked import lines_text, step_lines

F = Fraction
NETS = [F(-13, 10), F(-1, 5), F(7, 10), F(21, 10)]  # away from relu's kink and step's threshold
# Entries of one net (softmax, an activation of the whole layer, is tested in
# tests/test_softmax_losses.py against its Jacobian).
SMOOTH = [name for name in activations.names() if not activation_spec(name).perceptron
          and not activation_spec(name).layer_wide]


def _acts(name: str) -> list[Activation]:
    spec = activation_spec(name)
    if any(param.key == "beta" for param in spec.params):
        return [Activation(name), Activation(name, beta=F(3, 2))]
    return [Activation(name)]


def _cases():
    return [(name, act, net) for name in SMOOTH for act in _acts(name) for net in NETS]


@pytest.mark.parametrize(("name", "act", "net"), _cases())
def test_slope_is_the_derivative_in_floats(name, act, net):
    m = Arithmetic()
    x, h = float(net), 1e-6
    z = m.activate(act, x)
    numeric = (m.activate(act, x + h) - m.activate(act, x - h)) / (2 * h)
    assert m.slope(act, x, z) == pytest.approx(numeric, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize(("name", "act", "net"), _cases())
def test_slope_is_the_derivative_in_rounded_fractions(name, act, net):
    # Activations are fractions (exp, tanh to 60 digits), unrounded here, so a central
    # difference with h = 10^-15 agrees with f' to about h^2.
    m = RoundedArithmetic(Rounding("places", 30))
    h = F(1, 10**15)
    z = m.activate(act, net)
    assert isinstance(z, Fraction)
    numeric = (m.activate(act, net + h) - m.activate(act, net - h)) / (2 * h)
    assert abs(m.slope(act, net, z) - numeric) < F(1, 10**25)


@pytest.mark.parametrize(("name", "act", "net"), _cases())
def test_slope_is_the_derivative_in_sympy(name, act, net):
    m = ExactArithmetic()
    x = m.number(net)
    h = sympy.Rational(1, 10**20)
    z = m.activate(act, x)
    numeric = (m.activate(act, x + h) - m.activate(act, x - h)) / (2 * h)
    difference = sympy.N(m.slope(act, x, z) - numeric, 80)
    assert abs(difference) < 1e-30


@pytest.mark.parametrize("name", [name for name in SMOOTH if not activation_spec(name).cases])
def test_symbolic_slope_is_sympys_derivative(name):
    """Where f has no cases (a piecewise f is checked by differences on each side), SymPy
    differentiates the entry's own f symbolically."""
    m = ExactArithmetic()
    x = sympy.Symbol("x", real=True)
    for act in _acts(name):
        z = m.activate(act, x)
        assert sympy.simplify(sympy.diff(z, x) - m.slope(act, x, z)) == 0


@pytest.mark.parametrize("arithmetic", [Arithmetic(), RoundedArithmetic(Rounding("places", 4)),
                                        ExactArithmetic()], ids=["float", "rounded", "exact"])
def test_perceptron_entries_take_the_slope_as_one(arithmetic):
    for name in activations.names():
        spec = activation_spec(name)
        if spec.perceptron:
            act = Activation(name, threshold=F(1, 2))
            for net in (F(-1), F(1, 2), F(2)):
                x = arithmetic.number(net)
                assert arithmetic.slope(act, x, arithmetic.activate(act, x)) == 1
                assert arithmetic.activate(act, x) == (1 if net >= F(1, 2) else 0)


def test_numpy_values_are_the_float_arithmetics():
    from bpcalc.engine.vectorised import _activate

    nets = np.array([float(net) for net in NETS] + [0.0, -800.0, 800.0])
    m = Arithmetic()
    for name in SMOOTH:
        for act in _acts(name):
            with np.errstate(over="ignore"):  # exp(800): 1/(1 + inf) is the right 0
                outs, slopes = _activate(act, nets)
            for net, out, slope in zip(nets.tolist(), outs.tolist(), slopes.tolist(),
                                       strict=True):
                assert out == pytest.approx(m.activate(act, net), rel=1e-15, abs=1e-300)
                assert slope == pytest.approx(m.slope(act, net, m.activate(act, net)),
                                              rel=1e-12, abs=1e-300)


# -- the loader takes its names from the registries ----------------------------------------

def _problem_text(activation: str, loss: str) -> str:
    spec = activation_spec(activation)
    if spec.layer_wide:  # an output layer's activation, of 2 or more nodes
        return (f"layers: [2, 2]\nactivation: {activation}\nloss: {loss}\nweights: 0.5\n"
                "pattern: [0.9, 0.6]\ntarget: [0, 1]\nlearning_rate: 1\n")
    layers = "[2, 1]" if spec.perceptron else "[2, 2, 1]"
    return (f"layers: {layers}\nactivation: {activation}\nloss: {loss}\nweights: 0.5\n"
            "pattern: [0.9, 0.6]\ntarget: [0]\nlearning_rate: 1\n")


@pytest.mark.parametrize("loss", losses.names())
@pytest.mark.parametrize("activation", activations.names())
def test_every_registered_name_is_accepted(activation, loss):
    problem = parse_problem(_problem_text(activation, loss))
    assert {act.name for act in problem.activations} == {activation}
    assert problem.loss == loss
    assert problem.perceptron == activation_spec(activation).perceptron


def test_defaults_are_the_registries():
    problem = parse_problem("layers: [1, 1]\nweights: 0\npattern: [1]\ntarget: [1]\n"
                            "learning_rate: 1\n")
    assert problem.activations == (Activation(activations.DEFAULT),)
    assert problem.loss == losses.DEFAULT


def test_loss_entries_give_the_formats_scales():
    assert [losses.loss_spec(name).scale(4) for name in ("half_sse", "sse", "mse")] == [
        F(1, 2), F(1), F(1, 4)]
    assert losses.loss_spec("mse").delta_factor(4) == F(1, 2)


# -- a new activation is one entry ----------------------------------------------------------

def _swish_slope(m, act, net, z):
    s = m.logistic(net)
    return s + z * (1 - s)  # d/dx x σ(x) = σ + x σ (1 - σ) = σ + z (1 - σ)


SWISH = ActivationSpec(
    name="swish_test",
    f=lambda m, act, net: net * m.logistic(net),
    slope=_swish_slope,
    rule=lambda act, net, param: f"{net}/(1 + e^(-{net}))",
    slope_rule=lambda act, net, f, param: f"σ({net}) + {f}(1 - σ({net}))",
    expression=lambda act, net, t: t.prod(net, t.quot(t.const(1), t.paren(
        t.sum(t.const(1), t.exp(t.neg(net)))))),
    slope_factors=lambda act, z, slope, t: [slope],
)


@pytest.fixture
def swish():
    activations.register(SWISH)
    try:
        yield SWISH
    finally:
        del activations.REGISTRY[SWISH.name]


PROBLEM = """\
title: "swish"
layers: [2, 2, 1]
activation: [swish_test, {output}]
weights: {{default: 0.5, w14: -0.4, w25: 0.8}}
patterns:
  - {{input: [0.9, 0.6], target: [0.1]}}
  - {{input: [-0.3, 1.0], target: [0.7]}}
learning_rate: 1
loss: {loss}
"""


def _swish(x: float) -> float:
    return x / (1 + math.exp(-x))


def _loss(problem, weights: dict, pattern) -> float:
    """One pattern's loss by a forward pass written here: swish hidden, sigmoid output."""
    z = {1: float(pattern.input[0]), 2: float(pattern.input[1]), 3: 1.0}
    for j in (4, 5):
        z[j] = _swish(sum(float(weights[(i, j)]) * z[i] for i in (1, 2, 3)))
    z[6] = 1.0
    out = 1 / (1 + math.exp(-sum(float(weights[(i, 7)]) * z[i] for i in (4, 5, 6))))
    return float(problem.loss_scale) * (float(pattern.target[0]) - out) ** 2


def test_a_registered_activation_runs_in_every_arithmetic(swish):
    problem = parse_problem(PROBLEM.format(output="sigmoid", loss="half_sse"))
    traces = {"float": solve(problem, Arithmetic()),
              "numpy": solve_vectorised(problem),
              "rounded": solve(problem, make_arithmetic(Rounding("places", 12), False)),
              "exact": solve(problem, ExactArithmetic())}
    first = traces["float"].steps[0]
    weights = dict(problem.weights)
    # the forward pass: z4 = swish(net4), computed here
    net4 = sum(float(weights[(i, 4)]) * x for i, x in ((1, 0.9), (2, 0.6), (3, 1.0)))
    assert first.node(4).out == pytest.approx(_swish(net4), rel=1e-15)
    # the backward pass: the change of w14 is -C dE/dw14, dE/dw14 by a finite difference
    h = 1e-6
    up, down = dict(weights), dict(weights)
    up[(1, 4)] += F(h)
    down[(1, 4)] -= F(h)
    pattern = problem.patterns[0]
    gradient = (_loss(problem, up, pattern) - _loss(problem, down, pattern)) / (2 * h)
    assert first.changes[(1, 4)] == pytest.approx(-gradient, rel=1e-6)
    for name, trace in traces.items():
        to_float = trace.arithmetic.to_float
        for step, reference in zip(trace.steps, traces["float"].steps, strict=True):
            for node, expected in zip(step.nodes, reference.nodes, strict=True):
                tolerance = 1e-10 if name == "rounded" else 1e-12
                assert to_float(node.out) == pytest.approx(expected.out, abs=tolerance), name
                if expected.delta is not None:
                    assert to_float(node.delta) == pytest.approx(expected.delta,
                                                                 abs=tolerance), name


def test_a_registered_activation_is_rendered_everywhere(swish, tmp_path):
    path = tmp_path / "swish.yaml"
    path.write_text(PROBLEM.format(output="sigmoid", loss="sse"), encoding="utf-8")
    trace = solve(parse_problem(path.read_text(encoding="utf-8")), Arithmetic())
    work = lines_text(step_lines(trace, trace.steps[0]), formula=True)
    # net4 = 0.9 (-0.4) + 0.6 (0.5) + 0.5 = 0.44; z4 = 0.44 σ(0.44) = 0.267634
    assert "z4 = net4 * 1/(1 + e^-net4) = 0.44 * 1/(1 + e^-0.44) = 0.2676" in work
    # f'(net4) = σ(0.44) + 0.267634 (1 - σ(0.44)) = 0.713102, written as a whole
    assert "δ4 = (δ7 * w47) * f'(net4) = (-0.2372 * 0.5) * 0.7131 = -0.08456" in work
    runner = CliRunner()
    outputs = {}
    for name, options in {"tables": ["--show", "both"], "exact": ["--exact", "--show", "both"],
                          "markdown": ["-f", "markdown"], "latex": ["-f", "latex"],
                          "html": ["-f", "html"], "json": ["-f", "json", "--round", "4"]}.items():
        result = runner.invoke(app, ["solve", str(path), *options])
        assert result.exit_code == 0, (name, result.stdout, result.stderr)
        outputs[name] = result.stdout
    assert "swish_test: f(net) = net/(1 + e^(-net))" in outputs["tables"]
    assert (r"f'(\mathrm{net}) = \sigma (\mathrm{net}) + f(\mathrm{net})(1 - \sigma "
            r"(\mathrm{net}))") in outputs["markdown"]
    assert "δ_j = 2 (t_j - z_j) f'(net_j)" in outputs["tables"]
    data = json.loads(outputs["json"])
    assert data["steps"][0]["nodes"][3]["out"] == pytest.approx(_swish(
        0.9 * -0.4 + 0.6 * 0.5 + 0.5), abs=5e-5)
    explained = runner.invoke(app, ["explain", str(path), "w14"])
    assert explained.exit_code == 0, explained.stderr
    assert "f'(net4) = σ(net4) + z4(1 - σ(net4))" in explained.stdout
    assert "chain rule - recursion = 0 exactly" in explained.stdout


# -- a new loss is one entry, closed forms included -------------------------------------------

FAKE_LOSS = LossSpec(
    name="fake_closed_test",
    scale=lambda outputs: F(1, 2),
    scale_text="½",
    factor_text="",
    cancelled={"sigmoid": lambda act: act.beta},  # δ = β (t - z): f' cancelled
)


@pytest.fixture
def fake_loss():
    losses.register(FAKE_LOSS)
    try:
        yield FAKE_LOSS
    finally:
        del losses.REGISTRY[FAKE_LOSS.name]


@pytest.mark.parametrize("arithmetic", [Arithmetic(), RoundedArithmetic(Rounding("places", 6)),
                                        ExactArithmetic()], ids=["float", "rounded", "exact"])
def test_a_registered_loss_with_a_closed_form(fake_loss, swish, arithmetic):
    problem = parse_problem(PROBLEM.format(output="sigmoid", loss=fake_loss.name))
    assert problem.output_delta == (F(1), False, "residual")
    step = solve(problem, arithmetic).steps[0]
    out = step.node(7)
    expected = arithmetic.to_float(arithmetic.number(F(1, 10))) - arithmetic.to_float(out.out)
    assert arithmetic.to_float(out.delta) == pytest.approx(expected, abs=1e-6)
    assert arithmetic.to_float(out.slope) != pytest.approx(1.0)  # f' is there, but not used
    lines = [line for line in step_lines(solve(problem, arithmetic), step)
             if line.kind == "output_delta"]
    assert "(1 - z7)" not in lines[0].text(formula=True)


def test_a_registered_loss_closed_form_in_numpy(fake_loss, swish):
    problem = parse_problem(PROBLEM.format(output="sigmoid", loss=fake_loss.name))
    fast, generic = solve_vectorised(problem), solve(problem, Arithmetic())
    for a, b in zip(fast.steps, generic.steps, strict=True):
        assert a.node(7).delta == pytest.approx(b.node(7).delta, abs=1e-12)


# -- hand rounding sees the true value, to the most digits a problem may ask for ------------

@pytest.mark.parametrize("rounding", [Rounding("sigfigs", 40), Rounding("places", 40),
                                      Rounding("sigfigs", 30)], ids=str)
def test_rounded_activations_are_the_true_value_rounded(rounding):
    """exp, tanh and the logistic function are evaluated with digits to spare, so every
    digit a rounding keeps is the true value's (mpmath at 100 digits is the reference).
    They were evaluated to 40 digits, and for a negative tanh or a positive sigmoid net
    partly in Decimal's default 28: about one value in four was wrong at 40 digits."""
    import mpmath

    context = mpmath.MPContext()
    context.dps = 100
    m = RoundedArithmetic(rounding)
    wrong = []
    for numerator in range(-2300, 2300, 97):
        net = F(numerator, 1000) + F(1, 7)  # not a terminating decimal
        x = context.mpf(net.numerator) / net.denominator
        for act, true in ((Activation("tanh"), context.tanh(x)),
                          (Activation("sigmoid"), 1 / (1 + context.exp(-x))),
                          (Activation("sigmoid", beta=F(3, 7)),
                           1 / (1 + context.exp(-x * 3 / 7)))):
            got = m.round(m.activate(act, net))
            exact = F(context.nstr(true, 90, min_fixed=-200, max_fixed=200))
            if got != round_fraction(exact, rounding):
                wrong.append((act.name, act.beta, net))
    assert wrong == []

"""bpcalc's deltas and weight changes against PyTorch autograd, on random networks.

PyTorch differentiates the loss itself (float64, CPU); bpcalc's recursion must agree:
dE/dw_ij = -change_ij / rate and dE/dnet_j = -delta_j (slides) or +delta_j (textbook),
for every activation (sigmoid with beta, tanh, relu, linear), loss, bias mode, convention,
and update mode, over several steps; PyTorch also trains on its own from the initial
weights, and must arrive at bpcalc's final weights.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import solve
from bpcalc.problem.model import Activation, Network, Pattern, Problem

torch = pytest.importorskip(
    "torch", reason="PyTorch not installed (pip install torch==2.13.0, or the torch extra)")

ACTIVATIONS = [("sigmoid", F(1)), ("sigmoid", F(2)), ("tanh", F(1)), ("relu", F(1)),
               ("linear", F(1))]
SHAPES = [(2, 2, 1), (3, 3, 2), (2, 3, 2, 2), (3, 2)]
COMBINATIONS = list(itertools.product(["sequential", "batch"], ["slides", "textbook"],
                                      ["half_sse", "sse", "mse"], [F(1), F(-1), None]))


def random_problem(seed: int) -> Problem:
    rng = random.Random(1000 + seed)
    update, convention, loss, bias = COMBINATIONS[seed % len(COMBINATIONS)]
    sizes = SHAPES[seed % len(SHAPES)]
    network = Network(sizes, bias is not None)
    acts = tuple(Activation(*ACTIVATIONS[(seed + layer) % len(ACTIVATIONS)])
                 for layer in range(1, len(sizes)))
    patterns = tuple(Pattern(tuple(F(rng.randint(-100, 100), 100) for _ in range(sizes[0])),
                             tuple(F(rng.randint(0, 10), 10) for _ in range(sizes[-1])))
                     for _ in range(2))
    return Problem(network=network, activations=acts, bias=bias,
                   weights={key: F(rng.randint(-80, 80), 100) for key in network.weight_keys()},
                   patterns=patterns, learning_rate=F(rng.randint(2, 10), 10), epochs=2,
                   update=update, loss=loss, convention=convention)


SEEDS = range(len(COMBINATIONS))  # 24: every update, convention, loss and bias


def test_the_cases_cover_every_option():
    problems = [random_problem(seed) for seed in SEEDS]
    assert {a.name for p in problems for a in p.activations} == {"sigmoid", "tanh", "relu",
                                                                  "linear"}
    assert any(a.beta != 1 for p in problems for a in p.activations)
    assert {(p.update, p.convention, p.loss, p.bias) for p in problems} == set(COMBINATIONS)


def activate(act: Activation, net):
    if act.name == "sigmoid":
        return torch.sigmoid(float(act.beta) * net)
    if act.name == "tanh":
        return torch.tanh(net)
    if act.name == "relu":
        return torch.relu(net)
    return net


def matrices(problem: Problem, weights: dict) -> list:
    """One leaf tensor per layer: rows are the receiving nodes, columns the feeding ones."""
    layers = problem.network.layers
    return [torch.tensor([[float(weights[(i, j)]) for i in prev.feeding_ids()]
                          for j in layer.node_ids], dtype=torch.float64, requires_grad=True)
            for prev, layer in zip(layers, layers[1:], strict=False)]


def forward_and_gradients(problem: Problem, mats: list, pattern: Pattern):
    """The loss, dE/dW per layer and dE/dnet per layer, by autograd."""
    bias = [float(problem.bias)] if problem.bias is not None else []
    source = torch.tensor([float(x) for x in pattern.input] + bias, dtype=torch.float64)
    nets = []
    for index, matrix in enumerate(mats, start=1):
        net = matrix @ source
        net.retain_grad()
        nets.append(net)
        out = activate(problem.activation_of_layer(index), net)
        is_last = index == len(mats)
        source = out if is_last else torch.cat((out, torch.tensor(bias, dtype=torch.float64)))
    target = torch.tensor([float(t) for t in pattern.target], dtype=torch.float64)
    squared = (target - source) ** 2
    loss = {"half_sse": 0.5 * squared.sum(), "sse": squared.sum(),
            "mse": squared.mean()}[problem.loss]
    loss.backward()
    return loss.item(), [m.grad.clone() for m in mats], [n.grad.clone() for n in nets]


@pytest.mark.parametrize("seed", SEEDS)
def test_changes_and_deltas_are_autograds(seed):
    problem = random_problem(seed)
    trace = solve(problem, Arithmetic())
    rate = float(problem.learning_rate)
    sign = -1.0 if problem.convention == "slides" else 1.0  # dE/dnet_j = sign * delta_j
    layers = problem.network.layers
    own = {key: float(value) for key, value in problem.weights.items()}  # torch's own run
    summed: dict = {}
    for number, step in enumerate(trace.steps, start=1):
        # the weights this step used are the ones PyTorch has trained to on its own
        for key, value in own.items():
            assert step.weights[key] == pytest.approx(value, abs=1e-12), (number, key)
        mats = matrices(problem, step.weights)
        loss, weight_grads, net_grads = forward_and_gradients(
            problem, mats, problem.patterns[step.pattern - 1])
        assert step.error == pytest.approx(loss, abs=1e-12)
        for index, (prev, layer) in enumerate(zip(layers, layers[1:], strict=False)):
            for row, j in enumerate(layer.node_ids):
                dnet = net_grads[index][row].item()
                assert sign * step.node(j).delta == pytest.approx(dnet, abs=1e-12), j
                for col, i in enumerate(prev.feeding_ids()):
                    grad = weight_grads[index][row, col].item()
                    assert -step.changes[(i, j)] / rate == pytest.approx(grad, abs=1e-12)
                    summed[(i, j)] = summed.get((i, j), 0.0) - rate * grad
        if problem.update == "sequential" or step.pattern == len(problem.patterns):
            own = {key: value + summed[key] for key, value in own.items()}
            summed = {}
    for key, value in trace.final_weights.items():
        assert value == pytest.approx(own[key], abs=1e-9), key

"""Numerical trouble in a run: overflow and NaN (an error), and warnings a student should see.

Pure: it reads steps of a trace, raises `NumericalError` or returns warning sentences; no I/O.
An overflow stops the run (exit status 2) because no number after it means anything, and a
JSON number cannot hold infinity or NaN. Dead relu nodes, vanishing deltas and saturated
sigmoid/tanh nodes are only warnings: the arithmetic is right, the learning is not.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator

from bpcalc.engine.trace import Step, Trace
from bpcalc.errors import ProblemError
from bpcalc.problem.model import weight_name

FLOAT_MAX = sys.float_info.max
VANISHING_RATIO = 1e-6  # a hidden layer's largest |delta| below this times the output's
SATURATED_SLOPE = 1e-4  # f'(net) (per unit beta) below this: a saturated sigmoid or tanh
_ADVICE = "lower the learning rate or the weights"


class NumericalError(ProblemError):
    """A value overflowed or became NaN; names the step and the node (or weight)."""


def finite_check(arithmetic, keys: list) -> Callable[[int, Step, list, list], None]:
    """The engine's per-step check: `check(number, step, weights, changes)` raises on overflow.

    `weights` are the ones the step used and `changes` its changes, both in `keys` order.
    Floats: one sum per step (a NaN or infinity anywhere makes it non-finite) and a scan only
    when it is. Rounded and exact values never overflow by themselves, so they are held to the
    float range instead; otherwise their digits could grow without bound (a hang).
    """
    to_float = arithmetic.to_float
    if arithmetic.name == "float":
        def check(number: int, step: Step, weights: list, changes: list) -> None:
            total = step.error + sum(weights) + sum(changes)
            for node in step.nodes:
                if node.net is not None:
                    total += node.net
            if not math.isfinite(total):  # a finite sum that overflowed passes the scan
                _scan(number, _values(step, keys, weights, changes), float)
        return check

    def check_exactly(number: int, step: Step, weights: list, changes: list) -> None:
        _scan(number, _values(step, keys, weights, changes), to_float)
    return check_exactly


def check_trace(trace: Trace) -> None:
    """The same check after the run, for engines that cannot stop in the middle (numpy)."""
    for number, step in enumerate(trace.steps, start=1):
        keys = list(step.weights)
        values = _values(step, keys, list(step.weights.values()), list(step.changes.values()))
        _scan(number, values, trace.arithmetic.to_float)
    check_final_weights(trace)


def check_final_weights(trace: Trace) -> None:
    """The last update can overflow too; the final weights are checked once at the end."""
    to_float = trace.arithmetic.to_float
    for key, value in trace.final_weights.items():
        bad = _bad(to_float, value)
        if bad:
            raise NumericalError(f"step {len(trace.steps)}: new {weight_name(key)} {bad}; "
                                 f"{_ADVICE}")


def _values(step: Step, keys: list, weights: list, changes: list
            ) -> Iterator[tuple[str, object]]:
    """Every value of a step in the order it was computed, each with its name."""
    for key, value in zip(keys, weights, strict=True):
        yield f"{weight_name(key)} (as the step began)", value
    for node in step.nodes:
        if node.net is not None:
            yield f"node {node.id}: net", node.net
            yield f"node {node.id}: activation", node.out
    yield "error", step.error
    for node in reversed(step.nodes):
        if node.delta is not None:
            yield f"node {node.id}: delta", node.delta
    for key, value in zip(keys, changes, strict=True):
        yield f"change of {weight_name(key)}", value


def _scan(number: int, values: Iterator[tuple[str, object]], to_float) -> None:
    for name, value in values:
        bad = _bad(to_float, value)
        if bad:
            raise NumericalError(f"step {number}, {name} {bad}; {_ADVICE}")


def _bad(to_float, value) -> str:
    """'' for a finite value in the float range, else what went wrong."""
    try:
        number = to_float(value)
    except (OverflowError, ValueError, TypeError):
        return f"overflowed (beyond ±{FLOAT_MAX:.3g})"
    if math.isnan(number):
        return "is not a number (NaN, from infinity - infinity or 0 × infinity)"
    if math.isinf(number):
        return "overflowed to infinity"
    return ""


def find_warnings(trace: Trace) -> list[str]:
    """Sentences about learning that has stalled: dead relu nodes, vanishing or saturated
    deltas. One sentence per node (or layer) and kind, naming where it first happened."""
    if not trace.steps or not trace.steps[0].nodes:  # a summary run keeps no node records
        return []
    return _dead_relu(trace) + _vanishing(trace) + _saturated(trace)


def _dead_relu(trace: Trace) -> list[str]:
    problem = trace.problem
    relu_ids = [j for layer in problem.network.layers[1:]
                if problem.activation_of_layer(layer.index).name == "relu"
                for j in layer.node_ids]
    if not relu_ids:
        return []
    positive = trace.arithmetic.is_positive
    alive: dict[tuple[int, int], bool] = {}  # (epoch, node) -> net > 0 for some pattern
    for step in trace.steps:
        for j in relu_ids:
            key = (step.epoch, j)
            if not alive.get(key):
                alive[key] = positive(step.node(j).net)
    result = []
    for j in relu_ids:
        dead = [epoch for (epoch, node), lives in alive.items() if node == j and not lives]
        if dead:
            every = " (and every epoch after it)" if dead == list(
                range(dead[0], problem.epochs + 1)) and len(dead) > 1 else ""
            result.append(
                f"node {j} (relu) is dead in epoch {dead[0]}{every}: its net is <= 0 for every "
                "pattern, so f'(net) = 0 and the weights into it stop learning")
    return result


def _vanishing(trace: Trace) -> list[str]:
    network = trace.problem.network
    if len(network.layers) < 3:
        return []
    to_float = trace.arithmetic.to_float
    outputs = network.output_layer.node_ids
    hidden = network.layers[1:-1]
    first: dict[int, int] = {}
    count: dict[int, int] = {}
    outputs = [k - 1 for k in outputs]  # positions in step.nodes (ids count from 1)
    hidden_positions = [(layer.index, [j - 1 for j in layer.node_ids]) for layer in hidden]
    for number, step in enumerate(trace.steps, start=1):
        nodes = step.nodes
        top = max(abs(to_float(nodes[k].delta)) for k in outputs)
        if top == 0:
            continue
        for index, positions in hidden_positions:
            largest = max(abs(to_float(nodes[j].delta)) for j in positions)
            if largest < VANISHING_RATIO * top:
                first.setdefault(index, number)
                count[index] = count.get(index, 0) + 1
    return [f"vanishing gradient: hidden layer {index}'s deltas are below {VANISHING_RATIO:g} "
            f"times the output deltas from step {first[index]} ({count[index]} step(s)), so the "
            "weights into it barely learn" for index in sorted(first)]


def _saturated(trace: Trace) -> list[str]:
    problem = trace.problem
    to_float = trace.arithmetic.to_float
    watched = []
    for layer in problem.network.layers[1:]:
        act = problem.activation_of_layer(layer.index)
        if act.name in ("sigmoid", "tanh"):
            scale = float(act.beta) if act.name == "sigmoid" else 1.0
            watched += [(j, act.name, abs(scale)) for j in layer.node_ids]
    first: dict[int, tuple[int, float]] = {}
    count: dict[int, int] = {}
    bounds = [(j, j - 1, SATURATED_SLOPE * scale) for j, _name, scale in watched if scale]
    for number, step in enumerate(trace.steps, start=1):
        nodes = step.nodes
        for j, position, bound in bounds:
            slope = abs(to_float(nodes[position].slope))
            if slope < bound:
                first.setdefault(j, (number, slope))
                count[j] = count.get(j, 0) + 1
    names = {j: name for j, name, _ in watched}
    return [f"node {j} ({names[j]}) is saturated from step {first[j][0]} ({count[j]} step(s)): "
            f"f'(net) = {first[j][1]:.3g}, so its delta is almost 0 and the weights into it "
            "barely learn" for j in sorted(first)]

"""Backpropagation, one pattern at a time: the pure core. No I/O, no printing.

Written once for every arithmetic (float, hand-rounded, exact): only `+`, `-`, `*` are used
directly, and the arithmetic supplies activation, slope and `settle` (hand rounding, or
naming an exact value). Both sign conventions compute the same changes; they differ only in
the sign of delta and of the update rule. The topology is turned into index lists once
(`_Plan`); each step is the lecture's algorithm, one method per part (`_Presentation`:
forward, error, output deltas, hidden deltas, changes, update). The engine is a generator
of steps (`train` gives them one at a time, kept by nobody: see `bpcalc.engine.run`);
`solve` keeps them all as a `Trace`. Floats without slips take a float engine instead
(`fastfloat`, the same numbers bit for bit; `vectorised` for large networks).
"""

from __future__ import annotations

from collections.abc import Generator
from fractions import Fraction
from itertools import pairwise
from operator import mul
from typing import NamedTuple

from bpcalc.engine.arithmetic import Arithmetic, DivisionByZero, LogOfNonPositive, SettleKind
from bpcalc.engine.limits import check_computation
from bpcalc.engine.numerics import NumericalError, finite_check
from bpcalc.engine.outputs import output_deltas
from bpcalc.engine.run import Run
from bpcalc.engine.slips import CORRECT, Slips, slipped_slope
from bpcalc.engine.trace import EpochErrors, NodeKind, NodeRecord, Step, Trace, WeightUpdate
from bpcalc.engine.training import Momentum, Progress
from bpcalc.problem import activations, losses
from bpcalc.problem.model import Activation, Problem

# Float runs of networks with at least this many weights use the vectorised engine
# (bpcalc.engine.vectorised, numpy): below it, list indexing beats numpy's per-call cost.
VECTORISE_FROM_WEIGHTS = 200


def solve(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT, *,
          record: bool = True, generic: bool = False) -> Trace:
    """Train for every epoch and pattern, recording every step.

    With `record=False` no step is kept: the trace has the error per epoch and the final
    weights, which is all a summary or a plot reads.
    """
    return train(problem, arithmetic, slips, record=record, generic=generic).trace()


def train(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT, *,
          record: bool = True, warn: bool = False, generic: bool = False) -> Run:
    """The same training as a `Run`: its steps are handed on one at a time, as computed,
    and kept by nobody, so a reader that writes them as they come needs the memory of a
    step, not of the run. `warn` gathers the warnings (numerics.py) as the steps pass.

    Floats without slips run in a float engine: `fastfloat` (the same numbers, bit for
    bit) or, from VECTORISE_FROM_WEIGHTS weights, `vectorised` (numpy, to 1e-12);
    `generic` keeps them in the engine written for every arithmetic (for comparisons).
    A run too large for its engine is refused before its first step (engine/limits.py).
    """
    engine = engine_for(problem, arithmetic, slips, generic=generic)
    check_computation(problem, engine)
    progress = Progress(arithmetic.name == "float", problem.perceptron)
    if engine == "numpy":
        from bpcalc.engine.vectorised import vectorised_steps

        return Run(problem, arithmetic, vectorised_steps(problem, record), record, warn=warn)
    if engine == "fastfloat":
        from bpcalc.engine.fastfloat import float_steps

        errors = EpochErrors(arithmetic)
        return Run(problem, arithmetic, float_steps(problem, record, errors), record,
                   warn=warn, errors=errors)
    return Run(problem, arithmetic, _steps(problem, arithmetic, slips, record, progress),
               record, warn=warn, progress=progress)


def engine_for(problem: Problem, arithmetic: Arithmetic, slips: Slips = CORRECT, *,
               generic: bool = False) -> str:
    """Which engine solves the run: "numpy" or "fastfloat" for floats without slips (numpy
    from VECTORISE_FROM_WEIGHTS weights), else the generic engine in the arithmetic's own
    numbers ("float", "rounded", "exact")."""
    # (Version 2's training additions and the perceptron's mistakes per epoch: only the
    # generic engine.)
    if (not generic and arithmetic.name == "float" and slips == CORRECT
            and not problem.version_two and not problem.perceptron):
        # (Not the perceptron: numpy sums in its own order, which could move a net across
        # the step's threshold.)
        if len(problem.weights) >= VECTORISE_FROM_WEIGHTS and not problem.perceptron:
            return "numpy"
        return "fastfloat"
    return arithmetic.name


def _steps(problem: Problem, arithmetic: Arithmetic, slips: Slips, record: bool,
           progress: Progress | None = None) -> Generator[Step, None, list]:
    """The generic engine: each step, checked for overflow; returns the final weights.

    Weights change after every group of `problem.group_size` patterns (1: sequential), by
    the group's summed changes plus the momentum term; `progress` gets each epoch's error
    and mistakes, and why the run stopped."""
    plan = _Plan(problem, arithmetic)
    weights = [arithmetic.number(value) for value in problem.weights.values()]
    check_finite = finite_check(arithmetic, plan.keys)  # overflow or NaN: names the value
    if progress is None:
        progress = Progress(arithmetic.name == "float", problem.perceptron)
    momentum = Momentum(plan, arithmetic, slips.momentum_rate_term_only)
    initial = list(weights)  # (the slip of starting every step from them)
    last, group = len(problem.patterns), problem.group_size
    number = 0
    for epoch in range(1, problem.epochs + 1):
        summed = gradients = None
        error_sum, mistakes = arithmetic.number(Fraction(0)), 0 if plan.perceptron else None
        for position, (pattern, (inputs, targets)) in enumerate(
                zip(problem.patterns, plan.patterns, strict=True), start=1):
            number += 1
            values = _Presentation(plan, arithmetic, slips, weights, number)
            values.forward(inputs)
            error = values.error(targets)
            values.output_deltas(targets)
            values.hidden_deltas()
            terms, gradient = values.rate_terms(), values.gradients()
            alone = group == 1
            changes = momentum.changes(values, terms) if alone else momentum.frozen_at_zero(
                values.settled_all(terms, "change"))
            step = values.step(epoch, position, pattern, error, changes, record)
            error_sum = error_sum + error
            if mistakes is not None:
                step.mistake = values.mistaken(targets)
                mistakes += step.mistake
            check_finite(number, step, weights, changes)
            if alone:
                weights = values.update(changes, step, record, gradient, momentum.terms)
                weights = initial if slips.initial_weights_each_step else weights
            else:  # the group's change is rounded once: from the unrounded terms
                part = momentum.frozen_at_zero(list(terms)) if arithmetic.rounds else changes
                summed = part if summed is None else list(map(_add, summed, part))
                gradients = gradient if gradients is None else list(map(_add, gradients,
                                                                        gradient))
                if position % group == 0 or position == last:
                    if slips.batch_averaged:  # (the group's size: the last may be smaller)
                        size = arithmetic.number(Fraction(1, (position - 1) % group + 1))
                        summed = [change * size for change in summed]
                    applied = momentum.changes(values, summed, "sum")
                    weights = values.update(applied, step, record, gradients, momentum.terms)
                    weights = initial if slips.initial_weights_each_step else weights
                    summed = gradients = None
            yield step
        if progress.epoch_done(epoch, error_sum, mistakes, problem, arithmetic):
            break
    return weights


def _add(left, right):
    return left + right


class PlanLayer(NamedTuple):
    """One non-input layer as the engine walks it."""

    index: int  # the layer's number (0 is the input layer)
    kind: NodeKind  # hidden or output
    activation: Activation
    ids: tuple[int, ...]  # its nodes
    feeding: tuple[int, ...]  # the nodes feeding it: the layer below's, then its bias
    incoming: list[list[int]]  # per node, the positions of its weights from `feeding`


class _Plan:
    """The network as index lists, built once per solve, and the problem's numbers in the
    arithmetic's own type."""

    def __init__(self, problem: Problem, arithmetic: Arithmetic):
        num = arithmetic.number
        network = problem.network
        self.keys = list(problem.weights)
        index = {key: k for k, key in enumerate(self.keys)}
        self.size = max(layer.bias_id or max(layer.node_ids) for layer in network.layers) + 1
        self.inputs = network.layers[0].node_ids
        self.bias = num(problem.bias) if problem.bias is not None else None
        self.bias_ids = [layer.bias_id for layer in network.layers
                         if layer.bias_id is not None]
        last = len(network.layers) - 1
        self.layers = [
            PlanLayer(layer.index, "output" if layer.index == last else "hidden",
                      problem.activation_of_layer(layer.index), layer.node_ids,
                      previous.feeding_ids(),
                      [[index[(i, j)] for i in previous.feeding_ids()] for j in layer.node_ids])
            for previous, layer in pairwise(network.layers)]
        # outgoing[j]: positions of the weights from hidden node j into the layer above
        self.outgoing = {j: [index[(j, k)] for k in above.node_ids]
                         for layer, above in pairwise(network.layers[1:])
                         for j in layer.node_ids}
        self.kinds: list[tuple[int, NodeKind, int]] = sorted(
            [(i, "input", 0) for i in self.inputs]
            + [(layer.bias_id, "bias", layer.index) for layer in network.layers
               if layer.bias_id is not None]
            + [(j, layer.kind, layer.index) for layer in self.layers for j in layer.ids])
        self.patterns = [([num(x) for x in p.input], [num(t) for t in p.target])
                         for p in problem.patterns]
        factor, self.out_slope, self.delta_form = problem.output_delta  # f' or not, and how
        self.out_factor = num(factor)
        self.loss = losses.loss_spec(problem.loss)
        self.loss_origin = problem.origin("loss")
        self.outputs = len(network.output_layer.node_ids)
        self.perceptron = problem.perceptron
        self.momentum = num(problem.momentum) if problem.momentum else None
        bias_ids = set(self.bias_ids)
        self.frozen = [] if problem.train_bias else [
            k for k, (i, _j) in enumerate(self.keys) if i in bias_ids]
        self.settles_slope = arithmetic.settles_slope
        # f' cancelled in a closed form (sigmoid with binary cross-entropy): the slip of an
        # extra f' puts it back
        self.cancelled = self.delta_form == "residual" and not self.out_slope and not (
            self.perceptron)
        self.loss_scale = num(problem.loss_scale)
        self.slides = problem.convention == "slides"
        rate = num(problem.learning_rate)
        self.signed_rate = rate if self.slides else -rate
        self.one = num(Fraction(1))


class _Presentation:
    """One pattern presented to the network: every node's net, activation, f'(net) and
    delta (lists indexed by node id), computed in the lecture's order by the methods
    below. Each computed value passes through the arithmetic's `settle` (hand rounding,
    or naming an exact value) before it is used."""

    def __init__(self, plan: _Plan, arithmetic: Arithmetic, slips: Slips, weights: list,
                 number: int):
        self.plan, self.arithmetic, self.slips = plan, arithmetic, slips
        self.weights = weights  # as this step began; the step leaves them unchanged
        self.number = number  # the step's number, from 1
        self.settles = arithmetic.settles
        size = plan.size
        self.out, self.net, self.slope, self.delta = ([None] * size, [None] * size,
                                                      [None] * size, [None] * size)

    def settled(self, value, kind: SettleKind, node: int, source: int | None = None):
        if not self.settles:
            return value
        return self.arithmetic.settle(value, kind, self.number, node, source)

    def settled_all(self, values: list, kind: SettleKind) -> list:
        """A value per weight, each settled under its weight's nodes."""
        if not self.settles:
            return values
        return [self.settled(value, kind, j, i)
                for value, (i, j) in zip(values, self.plan.keys, strict=True)]

    def forward(self, inputs: list) -> None:
        """net_j = sum_i w_ij z_i and z_j = f(net_j), layer by layer from the inputs (a
        layer-wide activation, softmax, once all its nets are settled)."""
        out, net, plan = self.out, self.net, self.plan
        for node_id, x in zip(plan.inputs, inputs, strict=True):
            out[node_id] = x
        for bias_id in plan.bias_ids:
            out[bias_id] = plan.bias
        get, activate = self.weights.__getitem__, self.arithmetic.activate
        fed = net if self.slips.net_fed_forward else out  # (a slip: the nets fed on)
        for layer in plan.layers:
            sources = [out[i] if fed[i] is None else fed[i] for i in layer.feeding]
            spec = activations.activation_spec(layer.activation.name)
            for j, positions in zip(layer.ids, layer.incoming, strict=True):
                net[j] = self.settled(sum(map(mul, map(get, positions), sources)), "net", j)
                if not spec.layer_wide:
                    out[j] = self.settled(activate(layer.activation, net[j]), "out", j)
            if spec.layer_wide:
                outs = spec.layer_f(self.arithmetic, layer.activation, [net[j] for j in layer.ids])
                for j, z in zip(layer.ids, outs, strict=True):
                    out[j] = self.settled(z, "out", j)

    def error(self, targets: list):
        """E = loss_scale * sum_k (t_k - z_k)^2 (keeping the residuals t_k - z_k), or the
        sum of the loss's terms (cross-entropy), each log checked."""
        outputs = self.plan.layers[-1].ids
        self.residuals = [t - self.out[k] for k, t in zip(outputs, targets, strict=True)]
        loss = self.plan.loss
        if loss.squared:
            error = sum(map(mul, self.residuals, self.residuals)) * self.plan.loss_scale
        else:
            terms = [self.checked(loss.term, t, k, "error")
                     for k, t in zip(outputs, targets, strict=True)]
            error = sum(terms[1:], terms[0])
        return self.settled(error, "error", 0)

    def checked(self, function, target, k: int, what: str):
        """A loss's term or derivative at output node k; a log of a value <= 0, or a
        division by 0, is an error naming the step and the node."""
        try:
            return function(self.arithmetic, target, self.out[k])
        except LogOfNonPositive as refused:
            problem = (f"takes the log of {self._shown(refused.args[0])}, a value <= 0 "
                       f"(z{k} = {self._shown(self.out[k])})")
        except DivisionByZero:
            problem = f"would divide by 0 (z{k} = {self._shown(self.out[k])})"
        key, line = self.plan.loss_origin
        raise NumericalError(f"step {self.number}, output node {k}: {self.plan.loss.name} "
                             f"{'' if what == 'error' else 'delta '}{problem}; its outputs must "
                             "lie strictly between 0 and 1 where a target term needs them "
                             "(sigmoid or softmax outputs do)", key=key, line=line)

    def _shown(self, value) -> str:
        return f"{self.arithmetic.to_float(value):.6g}"

    def output_deltas(self, targets: list) -> None:
        """delta_k by the form `losses.output_delta` chose (engine/outputs.py)."""
        layer = self.plan.layers[-1]
        for k in layer.ids:
            self.slope[k] = self._slope(layer.activation, k)
        output_deltas(self, targets)

    def _slope(self, activation: Activation, j: int, hidden: bool = False):
        s = slipped_slope(self.slips, self.arithmetic, activation, self.net[j], self.out[j],
                          hidden)
        if s is None:
            s = self.arithmetic.slope(activation, self.net[j], self.out[j])
        return self.settled(s, "slope", j) if self.plan.settles_slope else s

    def hidden_deltas(self) -> None:
        """delta_j = f'(net_j) sum_k delta_k w_jk, from the top hidden layer down, with the
        weights before this step's update."""
        plan, delta, slips = self.plan, self.delta, self.slips
        for layer, above in reversed(list(pairwise(plan.layers))):
            down = [delta[k] for k in above.ids]
            square = len(layer.ids) == len(above.ids)
            for position, j in enumerate(layer.ids):
                s = self.slope[j] = self._slope(layer.activation, j, hidden=True)
                used = [self.weights[p] for p in plan.outgoing[j]]
                if slips.transposed_hidden_sum and square:  # the weights into the j-th above
                    used = [self.weights[plan.outgoing[i][position]] for i in layer.ids]
                if slips.new_weights_in_hidden_delta:
                    used = [self.settled(w + self.change(j, k), "new", k, j)
                            for w, k in zip(used, above.ids, strict=True)]
                self.delta[j] = self.settled(
                    (plan.one if slips.no_slope else s) * sum(map(mul, down, used)), "delta", j)

    def change(self, i: int, j: int):
        """The change of w_ij: +C delta_j z_i (slides), equal to -eta delta_j a_i
        (textbook: its delta has the other sign)."""
        return self.settled(self.rate_term(i, j), "change", j, i)

    def rate_term(self, i: int, j: int):
        """The learning-rate term of w_ij's change, not yet settled."""
        source = self.net[i] if self.slips.net_in_update else None
        z = self.out[i] if source is None else source
        if self.slips.other_delta is not None:  # (a slip: another node's delta)
            j = self.slips.delta_for(self.number, i, j)
        return self.plan.signed_rate * self.delta[j] * z

    def rate_terms(self) -> list:
        """Every weight's learning-rate term, in the problem's weight order."""
        terms = [None] * len(self.weights)
        for layer in self.plan.layers:
            for j, positions in zip(layer.ids, layer.incoming, strict=True):
                for i, p in zip(layer.feeding, positions, strict=True):
                    terms[p] = self.rate_term(i, j)
        return terms

    def gradients(self) -> list:
        """dE/dw_ij of this step's error from the carried values, not rounded: -delta_j z_i
        in the slides' sign, +delta_j z_i in the textbook's."""
        grads = [None] * len(self.weights)
        slides = self.plan.slides
        for layer in self.plan.layers:
            for j, positions in zip(layer.ids, layer.incoming, strict=True):
                d = self.delta[j]
                for i, p in zip(layer.feeding, positions, strict=True):
                    product = d * self.out[i]
                    grads[p] = -product if slides else product
        return grads

    def mistaken(self, targets: list) -> bool:
        """Whether an output differs from its target (counted for step outputs)."""
        return any(self.out[k] != t for k, t in zip(self.plan.layers[-1].ids, targets,
                                                     strict=True))

    def step(self, epoch: int, position: int, pattern, error, changes: list,
             record: bool) -> Step:
        """The step as it is handed on: with every node and weight, or (unrecorded) its
        error only."""
        if not record:
            return Step(epoch, position, pattern.input, pattern.target, [], error, {}, {})
        keys = self.plan.keys
        nodes = [NodeRecord(node_id, kind, layer, self.out[node_id], self.net[node_id],
                            self.delta[node_id], self.slope[node_id])
                 for node_id, kind, layer in self.plan.kinds]
        return Step(epoch, position, pattern.input, pattern.target, nodes, error,
                    dict(zip(keys, self.weights, strict=True)),
                    dict(zip(keys, changes, strict=True)))

    def update(self, changes: list, step: Step, record: bool, gradients: list,
               momentum: list) -> list:
        """The new weights, w + change, recorded on `step` as its updates (with each
        weight's gradient and momentum term); a frozen bias weight keeps its value as given."""
        new = self.settled_all(list(map(_add, self.weights, changes)), "new")
        for position in self.plan.frozen:
            new[position] = self.weights[position]
        if record:
            step.updates = list(map(WeightUpdate, self.plan.keys, self.weights, changes, new,
                                    gradients, momentum))
        return new

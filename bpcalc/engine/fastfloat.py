"""The float engine for small networks: the generic engine's algorithm as straight-line code.

`bpcalc.engine.backprop` is written once for every arithmetic, so each value passes
through the arithmetic's methods and each step through the checks for rounding and slips:
some 40 us a step for XOR 2-2-1, where a plain Python loop written out for that network
takes 3-4 us. Lists indexed in loops do not close that gap (measured: 16x the plain loop,
even with f and f' bound once), because the plain loop's speed comes from local variables.
So for IEEE doubles without slips this module writes that plain loop for the problem's own
network: one local variable per weight, node value, delta and change, the forward pass,
error, deltas and changes spelled out node by node (see `float_source`), compiled once
per solve. The source is made only of names built from node ids and weight positions;
every number (weights, inputs, rates, an activation's parameters) is passed in as a
value, never written as text.

Every value is computed by the same operations in the same order as the generic engine:
a net is `0.0 + w1 z1 + w2 z2 + ...` as `sum` adds it, a delta `factor * r * f'`, a change
`(rate * delta) * z`. So the numbers are the same bit for bit (the golden JSON cannot tell
the engines apart; tests/test_float_engine.py holds them equal on random networks).

f and f' come from the activation's entry (`bpcalc.problem.activations`), run once on
`_Code` values instead of floats: the entry's arithmetic then writes itself out as source
(sigmoid's f' becomes `((k0 * z4) * (1 - z4))`), calling the float arithmetic's own exp
and tanh (its logistic is written out, in its two forms). An entry that cannot be written
out (one that tests a value in Python) is called instead, through the float arithmetic,
as the generic engine calls it.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from functools import partial
from itertools import pairwise

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.numerics import finite_check
from bpcalc.engine.trace import EpochErrors, PackedStep, Step, StepLayout
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Activation, Network, Problem

_FLOAT = Arithmetic()


def float_steps(problem: Problem, record: bool = True, errors: EpochErrors | None = None
                ) -> Generator[Step, None, list]:
    """The steps one at a time, as `backprop` gives them for float arithmetic without
    slips (each checked for overflow); returns the final weights in the problem's order.
    Each epoch's total error is given to `errors` (summed as `EpochErrors.add` sums)."""
    writer = _Writer(problem, record,
                     (errors if errors is not None else EpochErrors(_FLOAT)).add_epoch)
    namespace: dict = {}
    exec(compile(writer.source(), "<bpcalc float engine>", "exec"), namespace)
    table = [(position, pattern, tuple(map(float, pattern.input)),
              tuple(map(float, pattern.target)))
             for position, pattern in enumerate(problem.patterns, start=1)]
    weights = [float(value) for value in problem.weights.values()]
    arguments = (weights, table, problem.epochs, list(writer.values.values()))
    if record:
        return namespace["steps"](*arguments)
    return _no_steps(namespace["steps"], arguments)


def _no_steps(train, arguments) -> Generator[Step, None, list]:
    """An unrecorded run hands on no step (nobody reads one: the errors per epoch are
    summed in the loop): the loop is a plain function, run by this generator."""
    return train(*arguments)
    yield  # never reached: it makes this function a generator


def float_source(problem: Problem, record: bool) -> str:
    """The Python source of the training loop for this problem's network: a generator of
    steps if `record`, else a function that returns the final weights."""
    return _Writer(problem, record).source()


class _Writer:
    """Writes the loop: names (`z4` the activation of node 4, `n4` its net, `g4` its
    f'(net), `d4` its delta; `w0` the first weight in the problem's order, `c0` its change
    in this step, `a0` a batch's summed change, `v0` its new value) and one method per part
    of a step. `values` holds what the loop takes by name: numbers and functions."""

    def __init__(self, problem: Problem, record: bool, add_epoch=None):
        self.problem = problem
        self.network = problem.network
        self.record = record
        self.keys = list(problem.weights)
        self.position = {key: k for k, key in enumerate(self.keys)}
        self.slides = problem.convention == "slides"
        self.batch = problem.update == "batch"
        self.output = self.network.output_layer
        rate = float(problem.learning_rate)
        factor, self.with_slope = problem.output_delta[:2]  # no f' in the perceptron rule
        bias = float(problem.bias) if problem.bias is not None else None
        self.values: dict[str, object] = {
            "factor": float(factor), "scale": float(problem.loss_scale),
            "rate": rate if self.slides else -rate, "bias": bias, "one": 1.0,
            "check": finite_check(_FLOAT, self.keys), "isfinite": math.isfinite,
            "add_epoch": add_epoch,
            "PackedStep": PackedStep,
            "layout": StepLayout(_kinds(self.network), self.keys, bias, self.batch)}
        self.values["pack"] = self.values["layout"].pack
        self.values["pack_updated"] = self.values["layout"].pack_updated
        self._named: dict = {}
        self.f: dict[int, _Layer] = {
            layer.index: _Layer(self, layer.index, problem.activation_of_layer(layer.index))
            for layer in self.network.layers[1:]}

    def name(self, value) -> str:
        """A name for a value the loop takes (a number or a function), `k0`, `k1`, ...;
        the same value (bit for bit) gets the same name."""
        key = (type(value), value.hex() if type(value) is float else value)
        try:
            known = self._named.get(key)
        except TypeError:  # unhashable: a name of its own
            key, known = None, None
        if known is None:
            known = f"k{len(self.values)}"
            self.values[known] = value
            if key is not None:
                self._named[key] = known
        return known

    def w(self, i: int, j: int) -> str:
        return f"w{self.position[(i, j)]}"

    def all(self, prefix: str) -> str:
        """`w0, w1, ...`: one name per weight, in the problem's order."""
        return ", ".join(f"{prefix}{k}" for k in range(len(self.keys)))

    def source(self) -> str:
        layers = self.network.layers
        biases = [f"z{layer.bias_id}" for layer in layers if layer.bias_id is not None]
        targets = "".join(f"t{k}, " for k in self.output.node_ids)
        body = (self.forward() + self.error() + self.output_deltas() + self.hidden_deltas()
                + self.changes() + self.check() + self.update()
                + (["yield step"] if self.record else []))
        return "\n".join([
            "def steps(weights, table, epochs, values):",
            f"    {', '.join(self.values)}, = values",
            f"    {self.all('w')}, = weights",
            *([f"    {' = '.join(biases)} = bias"] if biases else []),
            "    for epoch in range(1, epochs + 1):",
            "        total = 0.0",
            f"        for position, pattern, inputs, ({targets}) in table:",
            f"            {''.join(f'z{i}, ' for i in layers[0].node_ids)}= inputs",
            *["            " + line for line in body],
            "        add_epoch(total)",
            f"    return [{self.all('w')}]", ""])

    def forward(self) -> list[str]:
        """net_j = sum_i w_ij z_i and z_j = f(net_j), layer by layer."""
        lines = []
        for previous, layer in pairwise(self.network.layers):
            for j in layer.node_ids:
                terms = " + ".join(f"{self.w(i, j)} * z{i}" for i in previous.feeding_ids())
                lines += [f"n{j} = 0.0 + {terms}", f"z{j} = {self.f[layer.index].f(j)}"]
        return lines

    def error(self) -> list[str]:
        """E = scale * sum_k (t_k - z_k)^2."""
        ids = self.output.node_ids
        squares = " + ".join(f"r{k} * r{k}" for k in ids)
        return [f"r{k} = t{k} - z{k}" for k in ids] + [f"error = (0.0 + {squares}) * scale",
                                                       "total += error"]

    def output_deltas(self) -> list[str]:
        """delta_k = factor (t_k - z_k) f'(net_k) (slides), factor (z_k - t_k) f'(net_k)
        (textbook); the perceptron rule leaves f' out (times one, as the generic engine)."""
        sign = "" if self.slides else "-"
        lines = []
        for k in self.output.node_ids:
            slope = f"g{k}" if self.with_slope else "one"
            lines += [f"g{k} = {self.f[self.output.index].slope(k)}",
                      f"d{k} = factor * {sign}r{k} * {slope}"]
        return lines

    def hidden_deltas(self) -> list[str]:
        """delta_j = f'(net_j) sum_k delta_k w_jk, from the top hidden layer down, with the
        weights before this step's update."""
        lines = []
        layers = self.network.layers
        for layer in reversed(layers[1:-1]):
            above = layers[layer.index + 1]
            for j in layer.node_ids:
                terms = " + ".join(f"d{k} * {self.w(j, k)}" for k in above.node_ids)
                lines += [f"g{j} = {self.f[layer.index].slope(j)}",
                          f"d{j} = g{j} * (0.0 + {terms})"]
        return lines

    def changes(self) -> list[str]:
        """change w_ij = (rate delta_j) z_i, the rate signed by the convention."""
        lines = []
        for previous, layer in pairwise(self.network.layers):
            for j in layer.node_ids:
                lines.append(f"e = rate * d{j}")
                lines += [f"c{self.position[(i, j)]} = e * z{i}" for i in previous.feeding_ids()]
                if self.record:  # the gradient dE/dw, as the generic engine forms it
                    sign = "-" if self.slides else ""
                    lines += [f"q{self.position[(i, j)]} = {sign}(d{j} * z{i})"
                              for i in previous.feeding_ids()]
        return lines

    def check(self) -> list[str]:
        """The generic engine's overflow check: a sum of the step's values (its nets too
        when recorded), and only when that is not finite the check that names the value."""
        terms = ["error"] + [f"w{k}" for k in range(len(self.keys))] + [
            f"c{k}" for k in range(len(self.keys))]
        if self.record:
            terms += [f"n{j}" for layer in self.network.layers[1:] for j in layer.node_ids]
        chunks = [" + ".join(terms[at:at + 64]) for at in range(0, len(terms), 64)]
        return [f"if not isfinite(({') + ('.join(chunks)})):",
                f"    check((epoch - 1) * {len(self.problem.patterns)} + position, "
                f"{self.step_of(update=False)}, [{self.all('w')}], [{self.all('c')}])"]

    def update(self) -> list[str]:
        """new w_ij = w_ij + its change (sequential), or + the epoch's summed changes after
        its last pattern (batch); then the step as the generic engine hands it on."""
        count = len(self.keys)
        change = "a" if self.batch else "c"
        if self.record:  # the step keeps the old weights and the new
            new = [f"v{k} = w{k} + {change}{k}" for k in range(count)]
            applied = new + [f"step = {self.step_of(update=True)}"] + [
                f"w{k} = v{k}" for k in range(count)]
            unapplied = [f"step = {self.step_of(update=False)}"]
        else:  # no step is handed on
            applied, unapplied = [f"w{k} += {change}{k}" for k in range(count)], []
        if not self.batch:
            return applied
        first = [f"a{k} = c{k}" for k in range(count)]
        more = [f"a{k} = a{k} + c{k}" for k in range(count)]
        if self.record:  # and the gradients summed over the epoch, as the changes are
            first += [f"b{k} = q{k}" for k in range(count)]
            more += [f"b{k} = b{k} + q{k}" for k in range(count)]
        return (["if position == 1:", *_indent(first), "else:", *_indent(more),
                 f"if position == {len(self.problem.patterns)}:", *_indent(applied),
                 *(["else:", *_indent(unapplied)] if unapplied else [])])

    def step_of(self, update: bool) -> str:
        """A recorded step packs its numbers as doubles, in `StepLayout`'s order."""
        head = "PackedStep(epoch, position, pattern.input, pattern.target, error, layout"
        if not self.record:
            return head + ")"
        numbers = []
        for i, kind, _layer in _kinds(self.network):
            if kind not in ("input", "bias"):
                numbers += [f"z{i}", f"n{i}", f"d{i}", f"g{i}"]
        numbers += [self.all("w"), self.all("c")]
        if update:
            numbers += ([self.all("a"), self.all("v"), self.all("b")] if self.batch
                        else [self.all("v"), self.all("q")])
        pack = "pack_updated" if update else "pack"
        return f"{head}, inputs, {pack}({', '.join(numbers)}))"


class _Layer:
    """f and f' of one layer's activation, as source for node j: written out from the
    entry where it can be, else a call of the entry through the float arithmetic."""

    def __init__(self, writer: _Writer, index: int, act: Activation):
        spec = activation_spec(act.name)
        tracing = _Tracing(writer)
        try:
            self.f_text = _text(spec.f(tracing, act, _Code("n{j}")))
            self.slope_text = _text(spec.slope(tracing, act, _Code("n{j}"), _Code("z{j}")))
        except (_Untraceable, TypeError, AttributeError):
            f = writer.name(partial(spec.f, _FLOAT, act))
            slope = writer.name(partial(spec.slope, _FLOAT, act))
            self.f_text, self.slope_text = f"{f}(n{{j}})", f"{slope}(n{{j}}, z{{j}})"

    def f(self, j: int) -> str:
        return self.f_text.replace("{j}", str(j))

    def slope(self, j: int) -> str:
        return self.slope_text.replace("{j}", str(j))


class _Untraceable(Exception):
    """An entry did something with a value that cannot be written out as source."""


class _Code:
    """A float expression as source text: an entry's arithmetic on these writes the same
    operations, in the same order, as the float arithmetic would compute them."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __add__(self, other):
        return _Code(f"({self.text} + {_text(other)})")

    def __radd__(self, other):
        return _Code(f"({_text(other)} + {self.text})")

    def __sub__(self, other):
        return _Code(f"({self.text} - {_text(other)})")

    def __rsub__(self, other):
        return _Code(f"({_text(other)} - {self.text})")

    def __mul__(self, other):
        return _Code(f"({self.text} * {_text(other)})")

    def __rmul__(self, other):
        return _Code(f"({_text(other)} * {self.text})")

    def __truediv__(self, other):
        return _Code(f"({self.text} / {_text(other)})")

    def __rtruediv__(self, other):
        return _Code(f"({_text(other)} / {self.text})")

    def __neg__(self):
        return _Code(f"(-{self.text})")

    def __bool__(self):
        raise _Untraceable("a value tested in Python")

    def __eq__(self, other):
        raise _Untraceable("a value compared in Python")

    __lt__ = __le__ = __gt__ = __ge__ = __ne__ = __eq__
    __hash__ = None


def _text(value) -> str:
    """Source for a value in an expression: a `_Code`'s text, or an int or finite float
    literal (read back as the same number); anything else cannot be written out."""
    if isinstance(value, _Code):
        return value.text
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    raise _Untraceable(f"a {type(value).__name__} in an expression")


class _Tracing:
    """What the activation entries are written with (the float arithmetic's `number`,
    `exp`, `tanh`, `logistic`, `where`, `is_positive`, `at_least`), writing source: the
    numbers are the float arithmetic's, passed in by name; its functions are called; its
    comparisons and `where` are written out as the expressions they evaluate."""

    def __init__(self, writer: _Writer):
        self.writer = writer

    def number(self, value) -> _Code:
        return _Code(self.writer.name(_FLOAT.number(value)))

    def exp(self, x) -> _Code:
        return self._call(_FLOAT.exp, x)

    def tanh(self, x) -> _Code:
        return self._call(_FLOAT.tanh, x)

    def logistic(self, x) -> _Code:
        """`Arithmetic.logistic`'s two forms written out (1/(1 + e^-x) for x >= 0, else
        e^x/(1 + e^x)): the hot function of most networks, spared a call per node."""
        exp = self.writer.name(math.exp)
        return _Code(f"(1.0 / (1.0 + {exp}(-_x)) if (_x := {_text(x)}) >= 0 else "
                     f"(_e := {exp}(_x)) / (1.0 + _e))")

    def _call(self, function, x) -> _Code:
        return _Code(f"{self.writer.name(function)}({_text(x)})")

    def where(self, condition, if_true, if_false):
        if type(condition) is bool:
            return if_true if condition else if_false
        return _Code(f"({_text(if_true)} if {_text(condition)} else {_text(if_false)})")

    def is_positive(self, value) -> _Code:
        return _Code(f"({_text(value)} > 0)")

    def at_least(self, value, bound) -> _Code:
        return _Code(f"({_text(value)} >= {self.writer.name(bound)})")  # bound kept exact


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _kinds(network: Network) -> list[tuple[int, str, int]]:
    """(id, kind, layer) of every node, in id order."""
    last = len(network.layers) - 1
    kinds = []
    for layer in network.layers:
        kind = "input" if layer.index == 0 else "output" if layer.index == last else "hidden"
        kinds += [(i, kind, layer.index) for i in layer.node_ids]
        if layer.bias_id is not None:
            kinds.append((layer.bias_id, "bias", layer.index))
    return sorted(kinds)

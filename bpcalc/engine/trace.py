"""The solved trace: everything the engine computed, step by step.

Renderers (terminal tables, JSON, documents) only read a trace; none of them calculates.
Values are in the arithmetic's own number type (float, Fraction or SymPy expression);
`Trace.arithmetic` converts them for display.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from bpcalc.problem.model import Problem, WeightKey

NodeKind = Literal["input", "bias", "hidden", "output"]


@dataclass
class NodeRecord:
    """One node in one step. `net`, `delta` and `slope` (f'(net)) are None for input/bias."""

    id: int
    kind: NodeKind
    layer: int
    out: Any
    net: Any = None
    delta: Any = None
    slope: Any = None


@dataclass
class WeightUpdate:
    """A weight's move: `change` is the signed amount added to `old` (both conventions)."""

    key: WeightKey
    old: Any
    change: Any
    new: Any
    gradient: Any = None  # dE/dw of the error this update applies (a group's: summed)
    momentum: Any = None  # alpha times the weight's previous change (0 without momentum)


@dataclass
class Step:
    """One pattern presentation: forward pass, error, backward pass and weight changes."""

    epoch: int
    pattern: int  # position of the pattern in the file, from 1
    input: tuple
    target: tuple
    nodes: list[NodeRecord]
    error: Any
    weights: dict[WeightKey, Any]  # the weights this step's forward and backward pass used
    changes: dict[WeightKey, Any]  # this step's own change per weight (batch: before summing)
    updates: list[WeightUpdate] = field(default_factory=list)  # applied after this step
    mistake: bool | None = None  # a step output differs from its target (else None)

    def node(self, node_id: int) -> NodeRecord:
        return self.nodes[node_id - 1]


class StepLayout:
    """How a `PackedStep`'s numbers are laid out, the same for every step of a run: per
    computed node in id order its out, net, delta and f'(net), then the weights the step
    used and its changes, and when an update followed the step, the changes applied (a
    batch's sums; a sequential step applies its own, not repeated) and the new weights.
    The input nodes' values are the pattern's (`PackedStep.inputs`), the bias nodes' the
    run's bias."""

    def __init__(self, kinds: list[tuple[int, NodeKind, int]], keys: list[WeightKey], bias,
                 batch: bool):
        self.kinds = kinds  # (id, kind, layer) of every node, in id order
        self.keys = keys
        self.bias = bias  # the value of every bias node
        self.batch = batch
        self.places = []  # per node: its input's position, or where its four values start
        computed = inputs = 0
        for _id, kind, _layer in kinds:
            if kind == "input":
                self.places.append(inputs)
                inputs += 1
            elif kind == "bias":
                self.places.append(None)
            else:
                self.places.append(computed)
                computed += 4
        count = len(keys)
        self.weights_at = computed
        self.changes_at = computed + count
        self.after_at = computed + 2 * count  # the update, if one followed the step
        updated = self.after_at + (3 if batch else 2) * count  # (applied), new, gradients
        # `pack(*numbers)`: the numbers of a step as the bytes of that many doubles
        self.pack = struct.Struct(f"{self.after_at}d").pack
        self.pack_updated = struct.Struct(f"{updated}d").pack

    def nodes(self, step: PackedStep) -> list[NodeRecord]:
        if step.data is None:  # a step of a run that records nothing
            return []
        numbers, records = step.numbers(), []
        for (node_id, kind, layer), at in zip(self.kinds, self.places, strict=True):
            if kind == "input":
                records.append(NodeRecord(node_id, kind, layer, step.inputs[at]))
            elif kind == "bias":
                records.append(NodeRecord(node_id, kind, layer, self.bias))
            else:
                records.append(NodeRecord(node_id, kind, layer, *numbers[at:at + 4]))
        return records

    def by_key(self, step: PackedStep, at: int) -> dict[WeightKey, Any]:
        if step.data is None:
            return {}
        return dict(zip(self.keys, step.numbers()[at:at + len(self.keys)], strict=True))

    def updates(self, step: PackedStep) -> list[WeightUpdate]:
        numbers = step.numbers()
        if len(numbers) <= self.after_at:  # no update after this step (or not recorded)
            return []
        count, after = len(self.keys), self.after_at
        if self.batch:
            applied = numbers[after:after + count]
            after += count
        else:
            applied = numbers[self.changes_at:after]
        new, gradients = numbers[after:after + count], numbers[after + count:]
        return list(map(WeightUpdate, self.keys, numbers[self.weights_at:self.changes_at],
                        applied, new, gradients, [0.0] * count))


class _Built:
    """A record of a `PackedStep`, built from its numbers when first read (then kept)."""

    def __init__(self, build: Callable[[PackedStep], Any]):
        self.build = build

    def __set_name__(self, owner, name: str) -> None:
        self.name = "_" + name

    def __get__(self, step, owner=None):
        if step is None:
            return self
        value = step.__dict__.get(self.name)
        if value is None:
            value = step.__dict__[self.name] = self.build(step)
        return value

    def __set__(self, step, value) -> None:
        step.__dict__[self.name] = value


class PackedStep(Step):
    """A step of the float engine, its numbers held as the bytes of doubles (`data`, laid
    out by `layout`) and read as a `Step`: the records are built when first asked for.
    A step of a run that records nothing has no data (its records are empty).

    A recorded run of 40,000 steps would otherwise keep some 900,000 small objects (a
    record per node and per weight) and 1.2 million floats, made one by one and walked
    again and again by Python's garbage collector: most of the run's time. Doubles are
    exact: each float reads back bit for bit, the sign of a zero included.
    """

    nodes = _Built(lambda step: step.layout.nodes(step))
    weights = _Built(lambda step: step.layout.by_key(step, step.layout.weights_at))
    changes = _Built(lambda step: step.layout.by_key(step, step.layout.changes_at))
    updates = _Built(lambda step: step.layout.updates(step))

    def __init__(self, epoch: int, pattern: int, input: tuple, target: tuple, error,
                 layout: StepLayout, inputs: tuple | None = None, data: bytes | None = None):
        self.epoch = epoch
        self.pattern = pattern
        self.input = input
        self.target = target
        self.error = error
        self.layout = layout
        self.inputs = inputs  # the pattern's inputs as floats
        self.data = data

    def numbers(self) -> list[float]:
        return memoryview(self.data).cast("d").tolist() if self.data else []


class EpochErrors:
    """The total error of each epoch (the sum over its patterns), added up as steps pass.

    Kept by the engine for every run, recorded or not, so a summary or a plot needs no
    step records: one double per epoch (8 bytes, in an array), plus for hand-rounded runs
    the exact sum of the carried decimals, so a hand check of the column matches digit for
    digit. The float totals are summed exactly as `sum(to_float(error))` over the epoch.
    """

    def __init__(self, arithmetic):
        self._to_float = arithmetic.to_float
        self._floats = array("d")
        self._exact: list[Fraction] | None = [] if getattr(arithmetic, "rounds", False) \
            else None
        self._epoch = 0

    def add(self, step: Step) -> None:
        if step.epoch != self._epoch:
            self._epoch = step.epoch
            self._floats.append(0.0)
            if self._exact is not None:
                self._exact.append(Fraction(0))
        self._floats[-1] += self._to_float(step.error)
        if self._exact is not None:
            self._exact[-1] += Fraction(step.error)

    def add_epoch(self, total: float) -> None:
        """An epoch's total summed by the engine itself (as `add` sums: 0.0 + e1 + e2 + ...;
        the float engine, which has no exact sums to keep)."""
        self._floats.append(total)

    def __len__(self) -> int:
        return len(self._floats)

    def totals(self) -> array:
        """The float total of every epoch, in epoch order: the array itself (read, don't
        change it)."""
        return self._floats

    def floats(self) -> list[tuple[int, float]]:
        """(epoch, total) for every epoch, from 1."""
        return list(enumerate(self._floats, start=1))

    def exact(self) -> list[tuple[int, Fraction]] | None:
        """(epoch, exact total) of a hand-rounded run; None for other arithmetics."""
        return None if self._exact is None else list(enumerate(self._exact, start=1))


class EpochRecords:
    """(epoch, error, mistakes) of every epoch run, held compactly so that a long run's
    memory stays flat: the errors in a float array (floats) or a list (rounded and exact
    values, for their exact twins), the mistakes in an int array, or none where they are
    not counted (outputs other than step). Reads as a sequence of tuples."""

    def __init__(self, floats: bool = True, counted: bool = False, errors=None):
        self._errors = errors if errors is not None else (array("d") if floats else [])
        self._mistakes = array("q") if counted else None

    def append(self, error, mistakes: int | None) -> None:
        self._errors.append(error)
        if self._mistakes is not None:
            self._mistakes.append(mistakes)

    def __len__(self) -> int:
        return len(self._errors)

    def __getitem__(self, index: int) -> tuple[int, Any, int | None]:
        if index < 0:
            index += len(self)
        mistakes = None if self._mistakes is None else self._mistakes[index]
        return index + 1, self._errors[index], mistakes

    def __iter__(self):
        mistakes = self._mistakes if self._mistakes is not None else [None] * len(self)
        return zip(range(1, len(self) + 1), self._errors, mistakes, strict=True)


@dataclass
class Trace:
    problem: Problem
    arithmetic: Any  # bpcalc.engine.arithmetic.Arithmetic: converts values for display
    # Every step in order; none for a run solved with record=False; a run that keeps only
    # some (engine.run.Run.trace(keep)) has None in the others' places.
    steps: list[Step | None]
    final_weights: dict[WeightKey, Any]
    warnings: list[str] = field(default_factory=list)
    errors: EpochErrors | None = None  # the engine's per-epoch totals (None: from the steps)
    # (epoch, error, mistakes) per epoch run, in the arithmetic's numbers (mistakes: step
    # outputs only, else None), and (epoch, "until" | "epochs"): why training stopped
    epochs: EpochRecords | list = field(default_factory=list)
    stopped: tuple[int, str] | None = None

    def epoch_steps(self, epoch: int) -> list[Step]:
        """The steps of one epoch (kept, in a trace that keeps only some)."""
        count = len(self.problem.patterns)
        return self.steps[(epoch - 1) * count:epoch * count]

    def epoch_errors(self) -> list[tuple[int, float]]:
        """Total error per epoch (sum over the epoch's patterns), as floats for plots/summaries."""
        return self.epoch_totals().floats()

    def epoch_totals(self) -> EpochErrors:
        """The per-epoch totals: the engine's, or added up from the steps of a trace built by
        hand."""
        if self.errors is None:
            errors = EpochErrors(self.arithmetic)
            for step in self.steps:
                errors.add(step)
            return errors
        return self.errors

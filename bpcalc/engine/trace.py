"""The solved trace: everything the engine computed, step by step.

Renderers (terminal tables, JSON, documents) only read a trace; none of them calculates.
Values are in the arithmetic's own number type (float, Fraction or SymPy expression);
`Trace.arithmetic` converts them for display.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bpcalc.problem.model import Problem, WeightKey


@dataclass
class NodeRecord:
    """One node in one step. `net`, `delta` and `slope` (f'(net)) are None for input/bias."""

    id: int
    kind: str  # input | bias | hidden | output
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

    def node(self, node_id: int) -> NodeRecord:
        return self.nodes[node_id - 1]


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

    def __len__(self) -> int:
        return len(self._floats)

    def floats(self) -> list[tuple[int, float]]:
        """(epoch, total) for every epoch, from 1."""
        return list(enumerate(self._floats, start=1))

    def exact(self) -> list[tuple[int, Fraction]] | None:
        """(epoch, exact total) of a hand-rounded run; None for other arithmetics."""
        return None if self._exact is None else list(enumerate(self._exact, start=1))


@dataclass
class Trace:
    problem: Problem
    arithmetic: Any  # bpcalc.engine.arithmetic.Arithmetic: converts values for display
    steps: list[Step]  # every step; empty for a run solved with record=False
    final_weights: dict[WeightKey, Any]
    warnings: list[str] = field(default_factory=list)
    errors: EpochErrors | None = None  # the engine's per-epoch totals (None: from the steps)

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

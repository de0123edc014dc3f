"""The solved trace: everything the engine computed, step by step.

Renderers (terminal tables, JSON, documents) only read a trace; none of them calculates.
Values are in the arithmetic's own number type (float, Fraction or SymPy expression);
`Trace.arithmetic` converts them for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class Trace:
    problem: Problem
    arithmetic: Any  # bpcalc.engine.arithmetic.Arithmetic: converts values for display
    steps: list[Step]
    final_weights: dict[WeightKey, Any]
    warnings: list[str] = field(default_factory=list)

    def epoch_errors(self) -> list[tuple[int, float]]:
        """Total error per epoch (sum over the epoch's patterns), as floats for plots/summaries."""
        totals: dict[int, float] = {}
        for step in self.steps:
            totals[step.epoch] = totals.get(step.epoch, 0.0) + self.arithmetic.to_float(step.error)
        return sorted(totals.items())

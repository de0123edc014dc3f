"""A solve as it happens: the steps handed on one at a time, so a long run needs no memory
for the steps it has passed.

The engines (`bpcalc.engine.backprop`, `bpcalc.engine.vectorised`) are generators of steps
that check each step for overflow as they compute it. `Run` adds what is known only across
steps: the error per epoch, the warnings (dead relu, vanishing, saturated) and the final
weights. A step is handed on only once the next one has been computed and checked, and the
last only once the final weights have been: so a step whose new weights overflowed is never
handed on, and a reader writing steps as they come (the streamed JSON) writes no value that
is not finite. Nothing here keeps a step; `trace()` keeps them all, for the renderers that
read a whole trace.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from bpcalc.engine.numerics import WarningWatch, check_final_weights
from bpcalc.engine.trace import EpochErrors, Step, Trace
from bpcalc.problem.model import Problem


class Run:
    """One solve, read once through `steps`; then `final_weights` and `warnings` are set.

    `record=False` runs carry only each step's epoch, pattern and error (for the error per
    epoch); `warn` gathers the warnings as the steps pass (recorded runs only). An engine
    that sums the error per epoch itself (the float engine, in its loop) gives its
    `errors`, and hands on no unrecorded step at all; otherwise the errors are added up
    here, step by step.
    """

    def __init__(self, problem: Problem, arithmetic, source: Generator[Step, None, list],
                 record: bool = True, *, warn: bool = False, errors: EpochErrors | None = None):
        self.problem = problem
        self.arithmetic = arithmetic
        self.record = record
        self._summed = errors is not None
        self.errors = errors if errors is not None else EpochErrors(arithmetic)
        self.final_weights: dict | None = None  # known once the steps are exhausted
        self.warnings: list[str] = []
        self._watch = WarningWatch(problem, arithmetic) if warn and record else None
        self.steps: Iterator[Step] = self._handed_on(source)

    def _handed_on(self, source: Generator[Step, None, list]) -> Iterator[Step]:
        add, watch = None if self._summed else self.errors.add, self._watch
        held = None
        number = 0
        while True:
            try:
                step = next(source)
            except StopIteration as finished:
                final = finished.value
                break
            number += 1
            if add is not None:
                add(step)
            if watch is not None:
                watch.see(number, step)
            if held is not None:
                yield held
            held = step
        final_weights = dict(zip(self.problem.weights, final, strict=True))
        check_final_weights(final_weights, self.problem.step_count, self.arithmetic.to_float)
        self.final_weights = final_weights
        if watch is not None:
            self.warnings = watch.sentences()
        if held is not None:
            yield held

    def trace(self) -> Trace:
        """Run to the end; the whole trace (no steps if the run records none)."""
        if self.record:
            steps = list(self.steps)
        else:
            steps = []
            for _ in self.steps:
                pass
        return Trace(self.problem, self.arithmetic, steps, self.final_weights,
                     list(self.warnings), self.errors)

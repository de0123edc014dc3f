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

from bpcalc.engine.numerics import WarningWatch, check_final_weights, flat_layers
from bpcalc.engine.trace import EpochErrors, EpochRecords, Step, Trace
from bpcalc.problem.model import Problem


class Run:
    """One solve, read once through `steps`; then `final_weights` and `warnings` are set.

    `record=False` runs carry only each step's epoch, pattern and error (for the error per
    epoch); `warn` gathers the warnings as the steps pass (an unrecorded run has only those
    known from the problem itself). An engine that sums the error per epoch itself (the
    float engine, in its loop) gives its `errors`, and hands on no unrecorded step at all;
    otherwise the errors are added up here, step by step.
    """

    def __init__(self, problem: Problem, arithmetic, source: Generator[Step, None, list],
                 record: bool = True, *, warn: bool = False, errors: EpochErrors | None = None,
                 progress=None):
        self.problem = problem
        # Each epoch's (epoch, error, mistakes) and the stop (epoch, reason): the generic
        # engine's `Progress`, else made from the errors per epoch once the steps are done.
        self.progress = progress
        self.epochs: EpochRecords | list = []
        self.stopped: tuple[int, str] | None = None
        self.arithmetic = arithmetic
        self.record = record
        self._summed = errors is not None
        self.errors = errors if errors is not None else EpochErrors(arithmetic)
        self.final_weights: dict | None = None  # known once the steps are exhausted
        self.warnings: list[str] = []
        self.warn = warn
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
        self._epochs_known()
        self.final_weights = final_weights
        if watch is not None:
            self.warnings = watch.sentences()
        elif self.warn:
            self.warnings = flat_layers(self.problem)  # known without step records
        if held is not None:
            yield held

    def _epochs_known(self) -> None:
        if self.progress is not None and self.progress.stopped is not None:
            self.epochs, self.stopped = self.progress.epochs, self.progress.stopped
        else:  # an engine without a Progress runs every epoch (no `until`)
            self.epochs = EpochRecords(errors=self.errors.totals())  # shared, not copied
            self.stopped = (len(self.epochs), "epochs")

    def trace(self, keep: set[int] | None = None) -> Trace:
        """Run to the end and keep its steps: all of them, or none if the run records none.

        With `keep` (step numbers from 1), only the steps `kept_steps` names are kept, and
        None stands in the place of every other, so steps are still found by number and the
        memory is that of the kept steps.
        """
        if not self.record:
            steps = []
            for _ in self.steps:
                pass
        elif keep is None:
            steps = list(self.steps)
        else:
            kept = kept_steps(self.problem, keep)
            steps = [step if number in kept else None
                     for number, step in enumerate(self.steps, start=1)]
        return Trace(self.problem, self.arithmetic, steps, self.final_weights,
                     list(self.warnings), self.errors, self.epochs, self.stopped)


def kept_steps(problem: Problem, chosen: set[int]) -> set[int]:
    """The steps to keep to show the `chosen` ones: those, step 1 (the initial weights a
    document draws), and in batch mode every step of their epochs (the epoch's update is
    the sum of its patterns' changes)."""
    kept = set(chosen) | {1}
    if problem.update == "batch":
        count = len(problem.patterns)
        for number in chosen:
            start = (number - 1) // count * count
            kept.update(range(start + 1, start + count + 1))
    return kept

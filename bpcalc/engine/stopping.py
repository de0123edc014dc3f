"""Where a run that trains `until` a goal stops, found before the run that shows it.

Above the engine (it runs `bpcalc.engine.backprop.train`), below the commands that choose
steps to show."""

from __future__ import annotations

from dataclasses import replace

from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import train
from bpcalc.problem.model import Problem


def with_epochs_run(problem: Problem, arithmetic: Arithmetic) -> Problem:
    """A run with `until` stops at an epoch known only by running it: the problem with
    `epochs` set to that epoch, so that steps can be chosen (`--steps last`) and sized
    before the run that shows them (which stops there again, by `until`: the contract's
    reason "until" on the last allowed epoch). Without `until`, the problem itself."""
    if problem.until is None:
        return problem
    run = train(problem, arithmetic, record=False)
    for _step in run.steps:
        pass
    return replace(problem, epochs=run.stopped[0], epoch_limit=problem.epochs)

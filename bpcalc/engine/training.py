"""Training across steps: momentum (each weight's change remembers its previous one) and
the progress of a run across epochs (its error and mistakes, and when `until` stops it).
Pure: the generic engine (`bpcalc.engine.backprop`) drives both."""

from __future__ import annotations

from fractions import Fraction

from bpcalc.engine.arithmetic import Arithmetic, SettleKind
from bpcalc.engine.trace import EpochRecords
from bpcalc.problem.model import Problem


def _add(left, right):
    return left + right


class Progress:
    """What is known of a run across its epochs: each epoch's error (the sum of its steps'
    errors, as carried) and mistakes (step outputs only, else None), and why it stopped."""

    def __init__(self, floats: bool = True, counted: bool = False):
        self.epochs = EpochRecords(floats, counted)
        self.stopped: tuple[int, str] | None = None

    def epoch_done(self, epoch: int, error, mistakes: int | None, problem: Problem,
                   arithmetic: Arithmetic) -> bool:
        """Record the epoch; True when `until` is met (training stops after it)."""
        self.epochs.append(error, mistakes)
        until = problem.until
        met = until is not None and (
            (until.no_mistakes and mistakes == 0) or (until.error is not None and not
                                                      arithmetic.is_positive(
                                                          error - arithmetic.number(
                                                              until.error))))
        if met or epoch == problem.epochs:
            self.stopped = (epoch, "until" if met else "epochs")
        return met


class Momentum:
    """Each weight's change of update n: its learning-rate term plus alpha times its change
    of update n - 1 (0 before the first), rounded once as a whole; bias weights that do not
    train change by 0. `terms` is the last update's alpha x previous change, per weight."""

    def __init__(self, plan, arithmetic: Arithmetic, rate_term_only: bool = False):
        zero = arithmetic.number(Fraction(0))
        self.alpha = plan.momentum
        self.frozen = plan.frozen
        self.rate_term_only = rate_term_only  # the slip: alpha x the previous rate term
        self.zero = zero
        self.previous = self.none = [zero] * len(plan.keys)
        self.terms = self.none

    def changes(self, values, rate_terms: list, kind: SettleKind = "change") -> list:
        """This update's changes (`values`: the step, which settles them)."""
        if self.alpha is None:
            changes = values.settled_all(rate_terms, kind)
            self.terms = self.none
        else:
            self.terms = [self.alpha * previous for previous in self.previous]
            changes = values.settled_all(list(map(_add, rate_terms, self.terms)), kind)
        self.frozen_at_zero(changes)
        if self.frozen and self.alpha is not None:
            self.terms = list(self.terms)
            for position in self.frozen:
                self.terms[position] = self.zero
        self.previous = rate_terms if self.rate_term_only else changes
        return changes

    def frozen_at_zero(self, changes: list) -> list:
        """The changes with every frozen bias weight's set to 0 (in place)."""
        for position in self.frozen:
            changes[position] = self.zero
        return changes


"""The run across its epochs, as the result shows it: the error (and, for step outputs, the
mistakes) of every epoch, or of a long run a digest a person reads, and why training
stopped where `until` could stop it, and which steps a solution limited with --steps
shows. Reads the trace; computes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpcalc.render.document.model import Column, Math, Table
from bpcalc.render.names import Notation
from bpcalc.text import epoch_error_texts, fraction_text, shown_rounding

if TYPE_CHECKING:
    from bpcalc.engine.trace import Trace

# A long run's error per epoch is read, not searched: beyond this many epochs, a digest.
DIGEST_ROWS = 21


def epoch_error_table(trace: Trace, notation: Notation) -> Table:
    """Every epoch's error (and mistakes, for step outputs), or for a long run a digest,
    saying so."""
    columns = [Column(["epoch"], "count"),
               Column([Math(notation.error), " (sum over patterns)"], "value")]
    mistakes = {epoch: count for epoch, _, count in trace.epochs if count is not None}
    if mistakes:
        columns.append(Column(["mistakes"], "count"))
    totals = [total for _, total in trace.epoch_totals().floats()]
    epochs, lowest = epoch_digest(totals, DIGEST_ROWS)
    display = shown_rounding(trace.problem, "error")
    digest = len(epochs) != len(totals)
    rows = []
    for epoch, text in epoch_error_texts(trace, epochs if digest else None, display):
        row = [[str(epoch)], [text]]
        if mistakes:
            row.append([str(mistakes.get(epoch, ""))])
        if digest:
            row.append(["lowest" if epoch == lowest else ""])
        rows.append(row)
    if not digest:
        return Table("Error per epoch", columns, rows)
    return Table("Error per epoch", [*columns, Column([""])], rows,
                 f"{len(epochs)} of {len(totals):,} epochs ({len(totals) - len(epochs):,} "
                 "left out): the first, the last, evenly spaced ones and the lowest error")


def stopped_text(trace: Trace, notation: Notation) -> str:
    """Why training stopped, where `until` could have stopped it (else ""): `Stopped at
    epoch 162: error 0.0493 <= 0.05.` or the epoch limit reached first."""
    until, stopped = trace.problem.until, trace.stopped
    if until is None or stopped is None:
        return ""
    epoch, reason = stopped
    if until.no_mistakes:
        goal = "no mistakes"
        reached = "no mistakes"
    else:
        goal = f"{notation.error} <= {fraction_text(until.error)}"
        error = dict(epoch_error_texts(trace, [epoch], shown_rounding(trace.problem, "error")))
        reached = f"error {error[epoch]} <= {fraction_text(until.error)}"
    if reason == "until":
        return f"Training stopped at epoch {epoch}: {reached} (until met)."
    return (f"Training stopped at epoch {epoch}: the epoch limit (epochs: "
            f"{trace.problem.epochs}) was reached before {goal}.")


def epoch_digest(totals, rows: int) -> tuple[list[int], int]:
    """The epochs (from 1) a person reads, and the one with the lowest error: all of them,
    or for a longer run `rows` evenly spaced from the first to the last, plus the lowest."""
    count = len(totals)
    lowest = min(range(count), key=totals.__getitem__) + 1 if count else 0
    if count <= rows:
        return list(range(1, count + 1)), lowest
    chosen = {1 + round(k * (count - 1) / (rows - 1)) for k in range(rows)} | {lowest}
    return sorted(chosen), lowest


def steps_left_out(shown: set[int], total: int) -> str:
    """What a solution limited with --steps shows and leaves out, in ranges: `Shown: steps
    1, 3–4 of 6; left out: steps 2, 5–6 (--steps).`"""
    def ranges(numbers: list[int]) -> str:
        parts, start = [], None
        for index, number in enumerate(numbers):
            start = number if start is None else start
            if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
                parts.append(str(start) if start == number else f"{start}–{number}")
                start = None
        return ", ".join(parts)

    kept = sorted(number for number in shown if 1 <= number <= total)
    left = [number for number in range(1, total + 1) if number not in shown]
    word = "step" if len(kept) == 1 else "steps"
    if not left:
        return f"Shown: every step ({total})."
    gone = "step" if len(left) == 1 else "steps"
    return f"Shown: {word} {ranges(kept)} of {total}; left out: {gone} {ranges(left)} (--steps)."

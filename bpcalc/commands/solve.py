"""`bpcalc solve`: load, solve, and hand the trace to one renderer."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import (
    ConventionOption,
    EpochsOption,
    ForceOption,
    LearningRateOption,
    NotationOption,
    OutputOption,
    RoundOption,
    SigfigsOption,
    load_with_overrides,
    run_guarded,
)
from bpcalc.commands.files import check_output, write_output
from bpcalc.errors import ProblemError, quoted
from bpcalc.render import formats

# The choices of --format: every key format of the one formats table.
OutputFormat = StrEnum("OutputFormat", {entry.name: entry.name for entry in formats.KEY_FORMATS})


class Show(StrEnum):
    tables = "tables"
    work = "work"
    both = "both"


def parse_step_selection(text: str, step_count: int) -> set[int]:
    """'1,3-5' -> {1, 3, 4, 5}; 'last' names the last step."""
    chosen: set[int] = set()
    for part in text.split(","):
        part = part.strip().lower()
        if part == "last":
            chosen.add(step_count)
            continue
        first, _, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if last else low
        except ValueError:
            raise ProblemError(f"expected step numbers like 1,3-5 or last, got {quoted(text)}",
                               key="--steps") from None
        if not 1 <= low <= high <= step_count:
            raise ProblemError(f"steps run from 1 to {step_count}, got {quoted(part)}",
                               key="--steps")
        chosen.update(range(low, high + 1))
    return chosen


def solve(
    file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f",
                                                 help="table (terminal), json, or an answer key: "
                                                      "markdown, latex or html.")]
    = OutputFormat.table,
    exact: Annotated[bool, typer.Option(help="Exact SymPy values beside the decimals.")]
    = False,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    show: Annotated[Show, typer.Option(
        help="Per step: tables, work (worked lines: net4 = .9 * .5 + ... = 1.25), or both.")]
    = Show.tables,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
    summary: Annotated[bool, typer.Option(
        help="Only the error per epoch and the final weights.")] = False,
    steps: Annotated[str | None, typer.Option(
        help="Show only these steps, e.g. 1,3-5 or last.")] = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Solve a problem file ('-': standard input) and show every step of the worked
    solution."""

    def job() -> None:
        check_output(output, force=force, inputs=[("the problem file", file)])
        from bpcalc.engine.backprop import solve as solve_problem
        from bpcalc.engine.numbers import make_arithmetic
        from bpcalc.engine.numerics import find_warnings
        from bpcalc.problem.loader import check_exact_work

        problem = load_with_overrides(
            file, convention=convention, notation=notation, round_places=round_places,
            sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)
        if steps and summary:
            raise ProblemError("give --steps or --summary, not both (a summary shows no steps)",
                               key="--steps")
        chosen = parse_step_selection(steps, problem.step_count) if steps else None
        if format is OutputFormat.json:
            # The contract's JSON is always the whole trace: say so rather than ignore them.
            for given, option in ((steps, "--steps"), (summary, "--summary"),
                                  (show is not Show.tables, "--show")):
                if given:
                    raise ProblemError("applies to tables and answer keys; --format json "
                                       "always prints the whole trace", key=option)
        # A terminal summary needs only the errors and final weights: no per-step records.
        record = not (summary and format is OutputFormat.table)
        if exact and problem.rounding is None:
            check_exact_work(problem)
        trace = solve_problem(problem, make_arithmetic(problem.rounding, exact), record=record)
        trace.warnings.extend(find_warnings(trace))
        # Styles only for tables on a terminal (a closed stdout is write_output's error).
        color = (format is OutputFormat.table and output is None and sys.stdout is not None
                 and sys.stdout.isatty())
        options = formats.Options(steps=chosen, summary=summary, exact=exact, show=show.value,
                                  color=color)
        write_output(formats.render(trace, format.value, options), output, force=force)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(solve)

"""`bpcalc solve`: load, solve, and hand the trace to one renderer."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded, write_output
from bpcalc.errors import ProblemError


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    html = "html"


class Convention(StrEnum):
    slides = "slides"
    textbook = "textbook"


class NotationName(StrEnum):
    slides = "slides"
    textbook = "textbook"
    paper = "paper"
    notes = "notes"


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
            raise ProblemError(f"expected step numbers like 1,3-5 or last, got {text!r}",
                               key="--steps") from None
        if not 1 <= low <= high <= step_count:
            raise ProblemError(f"steps run from 1 to {step_count}, got {part!r}", key="--steps")
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
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention and names (overrides the file).")] = None,
    notation: Annotated[NotationName | None, typer.Option(
        help="Symbols to print, whatever the convention: slides (net, z, C), textbook "
             "(h, a, y, eta, v/w), paper (z, a, eta, W^l, b^l) or notes (u, o, theta). "
             "Overrides the file; default: the convention's own.")] = None,
    show: Annotated[Show, typer.Option(
        help="Per step: tables, work (worked lines: net4 = .9 * .5 + ... = 1.25), or both.")]
    = Show.tables,
    round_places: Annotated[int | None, typer.Option(
        "--round", help="Round every computed value to N decimal places (hand rounding).")]
    = None,
    sigfigs: Annotated[int | None, typer.Option(
        help="Round every computed value to N significant figures.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Number of epochs (overrides the file).")]
    = None,
    learning_rate: Annotated[str | None, typer.Option(
        help="Learning rate, a decimal or fraction like 1/4 (overrides the file).")] = None,
    summary: Annotated[bool, typer.Option(
        help="Only the error per epoch and the final weights.")] = False,
    steps: Annotated[str | None, typer.Option(
        help="Show only these steps, e.g. 1,3-5 or last.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of the terminal.")] = None,
) -> None:
    """Solve a problem file and show every step of the worked solution."""

    def job() -> None:
        from bpcalc.arithmetic import make_arithmetic
        from bpcalc.engine import solve as solve_problem
        from bpcalc.loader import apply_overrides, check_exact_work, load_problem
        from bpcalc.numerics import find_warnings

        problem = load_problem(str(file))
        problem = apply_overrides(
            problem, convention=convention.value if convention else None,
            round_places=round_places, sigfigs=sigfigs, epochs=epochs,
            learning_rate=learning_rate, notation=notation.value if notation else None)
        chosen = parse_step_selection(steps, problem.step_count) if steps else None
        # A terminal summary needs only the errors and final weights: no per-step records.
        record = not (summary and format is OutputFormat.table)
        if exact and problem.rounding is None:
            check_exact_work(problem)
        trace = solve_problem(problem, make_arithmetic(problem.rounding, exact), record=record)
        trace.warnings.extend(find_warnings(trace))
        if format is OutputFormat.json:
            from bpcalc.render.json_out import render_json

            write_output(render_json(trace, exact=exact), output)
            return
        if format in (OutputFormat.markdown, OutputFormat.latex, OutputFormat.html):
            from bpcalc.render.document import render_document

            write_output(render_document(trace, format.value, steps=chosen, summary=summary),
                         output)
            return
        from bpcalc.render.tables import render_tables_text

        terminal = output is None and sys.stdout.isatty()
        write_output(render_tables_text(trace, steps=chosen, summary=summary, exact=exact,
                                        color=terminal, show=show.value), output)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(solve)

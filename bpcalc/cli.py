"""The `bpcalc` command: parse options, load, solve, hand the trace to one renderer.

Kept thin on purpose; renderers that need rich or SymPy are imported only when used, so a
numeric `--format json` run starts about as fast as Python and typer themselves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.errors import ProblemError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Worked-example solver for backpropagation: every net, activation, delta and "
         "weight update, in the slides' or the textbook's convention.",
)


@app.callback()
def _commands() -> None:
    """Worked-example solver for backpropagation."""


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class Convention(StrEnum):
    slides = "slides"
    textbook = "textbook"


def run_guarded(job: Callable[[], int | None]) -> None:
    """Bad input: one line on stderr and status 2. Anything else: status 1, no traceback."""
    try:
        status = job()
    except ProblemError as error:
        sys.stderr.write(f"bpcalc: error: {error}\n")
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("BPCALC_DEBUG"):
            raise
        sys.stderr.write(f"bpcalc: internal error: {type(error).__name__}: {error}\n"
                         "(set BPCALC_DEBUG=1 for the traceback, and please report it)\n")
        raise typer.Exit(1) from None
    if status:
        raise typer.Exit(status)


def write_output(text: str, output: Path | None) -> None:
    """Write all or nothing: to a temporary file renamed into place, or to stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    temporary = target.with_name(f".{target.name}.bpcalc-tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ProblemError(f"cannot write '{output}': {exc.strerror}", key="--output") from None


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


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f",
                                                 help="table (terminal) or json.")]
    = OutputFormat.table,
    exact: Annotated[bool, typer.Option(help="Exact SymPy values beside the decimals.")]
    = False,
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention and names (overrides the file).")] = None,
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
        from bpcalc.loader import apply_overrides, load_problem

        problem = load_problem(str(file))
        problem = apply_overrides(
            problem, convention=convention.value if convention else None,
            round_places=round_places, sigfigs=sigfigs, epochs=epochs,
            learning_rate=learning_rate)
        chosen = parse_step_selection(steps, problem.step_count) if steps else None
        trace = solve_problem(problem, make_arithmetic(problem.rounding, exact))
        if format is OutputFormat.json:
            from bpcalc.render.json_out import render_json

            write_output(render_json(trace, exact=exact), output)
            return
        from bpcalc.render.tables import render_tables_text

        terminal = output is None and sys.stdout.isatty()
        write_output(render_tables_text(trace, steps=chosen, summary=summary, exact=exact,
                                        color=terminal), output)

    run_guarded(job)


def main() -> None:
    app()

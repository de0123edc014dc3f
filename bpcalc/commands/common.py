"""What every command shares: the overriding options and the error promise (status 2, no
traceback). Safe output is in `bpcalc.commands.files`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand

from bpcalc.errors import ProblemError, one_line

if TYPE_CHECKING:
    from bpcalc.problem.model import Problem


class Convention(StrEnum):
    slides = "slides"
    textbook = "textbook"


class NotationName(StrEnum):
    slides = "slides"
    textbook = "textbook"
    paper = "paper"
    notes = "notes"


# The options that override the problem file, shared by every command that solves.
ConventionOption = Annotated[Convention | None, typer.Option(
    help="Sign convention and names (overrides the file).")]
NotationOption = Annotated[NotationName | None, typer.Option(
    help="Symbols to print: slides (net, z, C), textbook (h, a, y, eta, v/w), paper "
         "(z, a, eta, W^l, b^l) or notes (u, o, theta). Overrides the file; default: the "
         "convention's own.")]
RoundOption = Annotated[int | None, typer.Option(
    "--round", metavar="N", help="Round every computed value to N decimal places (hand rounding).")]
SigfigsOption = Annotated[int | None, typer.Option(
    metavar="N", help="Round every computed value to N significant figures.")]
EpochsOption = Annotated[int | None, typer.Option(
    metavar="N", help="Number of epochs (overrides the file).")]
LearningRateOption = Annotated[str | None, typer.Option(
    metavar="RATE", help="Learning rate, a decimal or fraction like 1/4 (overrides the file).")]
# A string, not a Path: typer turns "" into Path("."), and -o "" must be refused as empty.
OutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="FILE", help="Write to this file instead of the terminal ('-': "
    "standard output). All or nothing; an existing file needs --force.")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace the --output file if it exists (never one of the inputs).")]


def problem_argument(what: str = "The YAML problem file", metavar: str = "FILE"):
    """A file argument shown as FILE in the usage line (typer would print {file} or
    PATH), whose help says that '-' reads standard input."""
    return typer.Argument(metavar=metavar, show_default=False,
                          help=f"{what} ('-': standard input).")


ProblemArgument = Annotated[Path, problem_argument()]


class _Command(TyperCommand):
    """A command whose usage line names its arguments as the help does (`FILE`), not in
    braces (`{FILE}`, typer's mark of a required argument)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]


def register_command(app: typer.Typer, function: Callable, summary: str,
                     *examples: str) -> None:
    """Add `function` to `app` with its one-line summary (`bpcalc --help`) and an
    'Examples:' paragraph ending its help, the lines kept as written."""
    epilog = "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in examples)
    app.command(cls=_Command, short_help=summary, epilog=epilog)(function)


def load_with_overrides(file: Path, *, convention: Convention | None = None,
                        notation: NotationName | None = None, round_places: int | None = None,
                        sigfigs: int | None = None, epochs: int | None = None,
                        learning_rate: str | None = None) -> Problem:
    """The problem file with the command line's overrides applied (they win)."""
    from bpcalc.problem.loader import apply_overrides, load_problem

    return apply_overrides(
        load_problem(str(file)), convention=convention.value if convention else None,
        notation=notation.value if notation else None, round_places=round_places,
        sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)


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
        detail = one_line(f"{type(error).__name__}: {error}")  # one line, nothing raw
        sys.stderr.write(f"bpcalc: internal error: {detail[:300]}\n"
                         "(set BPCALC_DEBUG=1 for the traceback, and please report it)\n")
        raise typer.Exit(1) from None
    if status:
        raise typer.Exit(status)

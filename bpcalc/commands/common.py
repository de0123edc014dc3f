"""What every command shares: the error promise (status 2, no traceback) and safe output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from bpcalc.errors import ProblemError


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

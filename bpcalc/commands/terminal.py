"""How the command line meets a terminal, a pipe or a file: colour, width, long runs.

The conventions other tools follow:
- width: `COLUMNS` when set, else the terminal's width when the output is a terminal,
  else 80 (a pipe into `less` or a file);
- colour: `--color always` or `never` decide; `auto` (the default) colours only output that
  goes to a terminal, and none at all when `NO_COLOR` is set to anything (no-color.org) or
  TERM is `dumb`. `--color always` also colours a pipe (`bpcalc solve p.yaml --color
  always | less -R`) or a file. Colour never carries meaning alone: every verdict and
  warning is also in words.

The console itself is made in one place, `bpcalc.render.console.text_console`; this module
reads nothing heavier than `os`, so a `--format json` run pays nothing for it.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated, NamedTuple

import typer

# Without a terminal or COLUMNS: the width of a classic terminal window.
FALLBACK_WIDTH = 80
# A run showing more steps than this says so on stderr before it starts.
LONG_RUN_STEPS = 200


class ColorChoice(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


ColorOption = Annotated[ColorChoice, typer.Option(
    "--color", help="Colour the output: auto (only on a terminal, and not when NO_COLOR is "
    "set), always (also in a pipe, e.g. for less -R) or never.")]


class Screen(NamedTuple):
    """What the text is written for: with ANSI colour or not, and how many columns."""

    color: bool
    width: int


def screen_for(choice: ColorChoice | str = ColorChoice.auto, output: str | None = None, *,
               stream=None, environ=None) -> Screen:
    """The colour and width of text written to `output` (None or '-': `stream`, standard
    output by default)."""
    environ = os.environ if environ is None else environ
    stream = sys.stdout if stream is None else stream
    to_stream = output is None or output == "-"
    terminal = to_stream and _is_terminal(stream)
    if choice == ColorChoice.always:
        color = True
    elif choice == ColorChoice.never:
        color = False
    else:
        color = (terminal and not environ.get("NO_COLOR")
                 and environ.get("TERM", "").lower() != "dumb")
    return Screen(color, _width(environ, stream if terminal else None))


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _width(environ, terminal) -> int:
    columns = environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) > 0:
        return int(columns)
    if terminal is not None:
        try:
            width = os.get_terminal_size(terminal.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 0
        if width > 0:  # a pseudo-terminal may report 0 columns
            return width
    return FALLBACK_WIDTH


def long_run_notice(shown: int, *, stream=None) -> None:
    """One line on stderr before a run that will show more than LONG_RUN_STEPS steps, so a
    user who did not mean to print thousands of tables can stop it and choose."""
    if shown <= LONG_RUN_STEPS:
        return
    (sys.stderr if stream is None else stream).write(
        f"bpcalc: note: this run shows {shown:,} steps, each in full; --summary shows only "
        "the error per epoch and the final weights, --steps (e.g. 1,last) only some steps\n")

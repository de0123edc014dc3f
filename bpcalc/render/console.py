"""The one place a rich Console is made: every terminal view (tables, explain, check)
renders into a buffer through `text_console`, so colour and width follow one rule.

Whether there is colour and how wide the text is are decided by the caller (the command
line follows NO_COLOR, COLUMNS and `--color`: `bpcalc.commands.terminal`); here nothing is
read from the environment, so the same call gives the same text whatever TERM, COLUMNS,
NO_COLOR or FORCE_COLOR say, in a pipe, a terminal or a notebook.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a console is made, never at start-up
    from rich.console import Console

# The width of text written without a terminal in view and without a width given (an
# answer key file of `generate`, a test): fixed, so the same input gives the same file.
DOCUMENT_WIDTH = 120


def text_console(file: IO[str], *, color: bool = False, width: int | None = None) -> Console:
    """A Console writing to `file`: ANSI styles only when `color`, lines of at most
    `width` columns (None: DOCUMENT_WIDTH)."""
    from rich.console import Console

    return Console(
        file=file, width=width or DOCUMENT_WIDTH, height=25, force_terminal=color,
        no_color=not color, color_system="standard" if color else None,
        force_jupyter=False, force_interactive=False, legacy_windows=False,
        highlight=False, emoji=False, _environ={})

"""The worked solution as tables: what `bpcalc solve` prints by default (`--format table`).

Laid out the way a hand solution is checked: the set-up and the convention's rules first,
then per step the forward pass, the error, the backward pass and the weight changes, then
the error per epoch and the final weights. The content is the one document model
(`bpcalc.render.document.build`), which the answer keys typeset too; `RichRenderer` sets
it in the terminal's boxes.
"""

from __future__ import annotations

from bpcalc.engine.trace import Trace
from bpcalc.render.document.build import build_document
from bpcalc.render.terminal.rich_renderer import PLAIN_ROWS, SHOW_CHOICES, RichRenderer

__all__ = ["PLAIN_ROWS", "SHOW_CHOICES", "render_tables_text"]


def render_tables_text(trace: Trace, *, steps: set[int] | None = None, summary: bool = False,
                       color: bool = False, width: int | None = None,
                       show: str = "tables") -> str:
    """The solution of `trace` as the terminal shows it, as one string, so the CLI writes
    all or nothing (stdout or -o FILE).

    `steps` keeps only those 1-based step numbers; `summary` shows only the statement, the
    error per epoch and the final weights. Closed forms are shown when the trace was solved
    exactly. `show` picks what each step prints: its tables, its worked lines
    (`net4 = .9 * .5 + ... = 1.25`), or both. `color` writes the terminal's styles; `width`
    is the columns (None: `bpcalc.render.console.DOCUMENT_WIDTH`); the command line decides
    both (`bpcalc.commands.terminal`).
    """
    from bpcalc.render.console import DOCUMENT_WIDTH

    columns = width or DOCUMENT_WIDTH
    document = build_document(trace, steps=steps, summary=summary,
                              worked_lines=show != "tables", calculations=True)
    return RichRenderer(width=columns, color=color, show=show).render(document)

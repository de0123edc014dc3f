"""A class run's summary: the roster (CSV), the most frequent mistakes (Markdown and the
terminal's tables), and each student's own report. Only reads the `Sheet`s that
`bpcalc.grading.classrun` made.
"""

from __future__ import annotations

import csv
import io
import json

from bpcalc.errors import one_line
from bpcalc.grading.classrun import (
    UNEXPLAINED,
    UNEXPLAINED_TEXT,
    Sheet,
    mistake_counts,
)
from bpcalc.grading.mistakes import _SHORT
from bpcalc.render.terminal.check_report import points_text
from bpcalc.render.terminal.layout import boxed_width
from bpcalc.text import markdown_text

ROSTER_COLUMNS = ["file", "variant", "score", "total", "mistakes", "note"]


def mistake_text(mistake: str) -> str:
    """A mistake id in a few words: `no_slope` -> f' left out of the deltas."""
    if mistake == UNEXPLAINED:
        return UNEXPLAINED_TEXT
    if mistake == "early_rounding":
        return "rounded too early"
    return _SHORT.get(mistake, mistake)


def _cells(sheet: Sheet) -> list[str]:
    """One roster row: a sheet not checked scores 0 and says why."""
    variant = "" if sheet.variant is None else str(sheet.variant)
    if sheet.marks is None:
        return [sheet.file, variant, "0", "", "", f"{sheet.status}: {one_line(sheet.error)}"]
    return [sheet.file, variant, points_text(sheet.marks.score),
            points_text(sheet.marks.total), " ".join(sheet.mistakes), sheet.status]


def roster_csv(sheets: list[Sheet]) -> str:
    """file, variant, score, total, mistakes (ids, space-separated), note: one row a sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    writer.writerows(_cells(sheet) for sheet in sheets)
    return buffer.getvalue()


def counts_line(sheets: list[Sheet]) -> str:
    """`200 files: 150 all right, 45 with wrong answers, 3 unreadable, 2 unmatched.`"""
    statuses = [sheet.status for sheet in sheets]
    parts = [f"{statuses.count('right')} all right",
             f"{statuses.count('wrong')} with wrong answers"]
    parts += [f"{statuses.count(s)} {s}" for s in ("unreadable", "unmatched")
              if s in statuses]
    plural = "s" * (len(sheets) != 1)
    return f"{len(sheets)} file{plural}: " + ", ".join(parts) + "."


def mistakes_markdown(sheets: list[Sheet]) -> str:
    """The class summary as Markdown: the counts and the most frequent mistakes."""
    lines = ["# Class summary", "", counts_line(sheets), "",
             "| mistake | students | what |", "|---|---:|---|"]
    counts = mistake_counts(sheets)
    lines += [f"| `{mistake}` | {count} | {mistake_text(mistake)} |"
              for mistake, count in counts]
    if not counts:
        lines.append("| (none) | 0 | no wrong answers |")
    failed = [sheet for sheet in sheets if sheet.marks is None]
    if failed:
        lines += ["", "## Not checked", ""]
        lines += [f"- {markdown_text(one_line(s.file))}: {s.status}: "
                  f"{markdown_text(one_line(s.error))}" for s in failed]
    return "\n".join(lines) + "\n"


def render_terminal(sheets: list[Sheet], *, color: bool = False,
                    width: int | None = None) -> str:
    """The roster and the mistake table as the terminal shows them. A file name, a score
    and a mistake id are never cut or broken across lines (a sheet's mistakes one to a
    line): where a table would need that, its rows are printed as lines instead."""
    from rich.text import Text

    from bpcalc.render.console import text_console

    buffer = io.StringIO()
    console = text_console(buffer, color=color, width=width)
    for part in (_roster(sheets, console.width), _mistake_table(sheets, console.width)):
        for piece in part:  # a file's own line (text, options) is never wrapped or cropped
            text, options = piece if isinstance(piece, tuple) else (piece, {})
            console.print(text, **options)
    console.print(Text(counts_line(sheets), "bold"))
    return buffer.getvalue()


def _fits(cells: list[list[str]], width: int, wrapped: int | None = None) -> bool:
    """Do these columns, whole (and a last one `wrapped` to that many columns), fit?"""
    widths = [max(len(line) for row in column for line in row.split("\n"))
              for column in cells]
    if wrapped is not None:
        widths[-1] = min(widths[-1], wrapped)
    return boxed_width(widths) <= width


def _roster(sheets: list[Sheet], width: int) -> list:
    """The roster as a table whose cells are all whole, else as one line a sheet."""
    from rich.table import Table
    from rich.text import Text

    columns = [c for c in ROSTER_COLUMNS
               if c != "variant" or any(s.variant is not None for s in sheets)]
    rows = []
    for sheet in sheets:
        cells = dict(zip(ROSTER_COLUMNS, _cells(sheet), strict=True))
        cells["note"] = sheet.status  # the reason of a file not checked is on stderr
        cells["mistakes"] = cells["mistakes"].replace(" ", "\n")
        rows.append([cells[column] for column in columns])
    by_column = [[column, *(row[i] for row in rows)] for i, column in enumerate(columns)]
    if not _fits(by_column, width):
        lines = [Text("Class run")]
        for row in rows:
            file, details = _roster_line(row, columns)
            lines += [(Text(file), {"soft_wrap": True}), Text(details)]
        return lines
    roster = Table(title="Class run", title_justify="left")
    for column in columns:
        roster.add_column(column, justify="right" if column in ("score", "total") else "left",
                          no_wrap=True)
    for row in rows:
        roster.add_row(*(Text(cell) for cell in row))
    return [roster]


def _roster_line(row: list[str], columns: list[str]) -> tuple[str, str]:
    """A sheet on two lines for a narrow terminal: its file, then `10/11, wrong:
    new_weight_in_hidden_delta` (the words wrap there, never inside the file's line)."""
    cells = dict(zip(columns, row, strict=True))
    variant = f"variant {cells['variant']}, " if cells.get("variant") else ""
    score = f"{cells['score']}/{cells['total']}" if cells["total"] else cells["score"]
    mistakes = cells["mistakes"].replace("\n", ", ")
    return (f"  {cells['file']}",
            f"    {variant}{score}, {cells['note']}" + (f": {mistakes}" if mistakes else ""))


def _mistake_table(sheets: list[Sheet], width: int) -> list:
    """The most frequent mistakes: a table whose ids are whole, else one line each."""
    from rich.table import Table
    from rich.text import Text

    counts = mistake_counts(sheets)
    if not counts:
        return []
    ids = ["mistake", *(mistake for mistake, _ in counts)]
    students = ["students", *(str(count) for _, count in counts)]
    what = ["what", *(mistake_text(mistake) for mistake, _ in counts)]
    if not _fits([ids, students, what], width, wrapped=12):
        return [Text("Most frequent mistakes"),
                *(Text(f"  {m}: {c} student{'s' * (c != 1)}: {mistake_text(m)}")
                  for m, c in counts)]
    table = Table(title="Most frequent mistakes", title_justify="left")
    table.add_column("mistake", no_wrap=True)
    table.add_column("students", justify="right", no_wrap=True)
    table.add_column("what")
    for mistake, count in counts:
        table.add_row(Text(mistake), Text(str(count)), Text(mistake_text(mistake)))
    return [table]


def sheet_report(sheet: Sheet, format: str, *, rubric: bool = False,
                 gradescope_options=None) -> str:
    """A student's own report in the chosen format (table, json or gradescope); with a
    rubric its points, as `bpcalc check` writes them for one sheet."""
    from bpcalc.render import gradescope
    from bpcalc.render.terminal import check_report

    rubric_marks = sheet.marks if rubric else None
    options = gradescope_options or gradescope.GradescopeOptions()
    if sheet.result is None:
        reason = f"{sheet.status}: {one_line(sheet.error)}"
        if format == "gradescope":
            return gradescope.render_error(sheet.error, options)
        if format == "json":
            return json.dumps({"file": sheet.file, "score": 0, "error": reason},
                              ensure_ascii=False) + "\n"
        return f"{sheet.file}\n{reason}\n"
    if format == "gradescope":
        return gradescope.render(sheet.result, rubric_marks, options)
    if format == "json":
        from bpcalc.render.check_json import render_json

        return render_json(sheet.result, rubric_marks)
    return f"{sheet.file}\n" + check_report.render_table_text(sheet.result, width=100,
                                                               marks=rubric_marks)

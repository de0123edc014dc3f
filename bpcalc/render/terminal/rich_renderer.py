"""The solution on the terminal: the document model typeset as rich's boxed tables.

One more renderer of `bpcalc.render.document.model`, beside the Markdown, LaTeX and HTML
keys: the statement packed into one panel (with the convention's delta and update rules),
a rule per step, then the step's tables (`--show tables`), its worked lines (`work`) or
both, then the error per epoch, the final weights and any warnings. Pieces are laid out by
`bpcalc.render.terminal.layout`, which draws rich's look itself and leaves to rich only
what needs wrapping.
"""

from __future__ import annotations

from bpcalc.render.document.model import (
    Column,
    Document,
    ErrorLine,
    Inline,
    Math,
    Renderer,
    Result,
    Section,
    Statement,
    Step,
    Table,
    Value,
    cut,
)
from bpcalc.render.terminal import layout
from bpcalc.render.terminal.wrap import (
    column_width,
    fit_table,
    table_width,
    term_width,
    wrapped,
)
from bpcalc.text import TERMINAL_CLOSED_FORM, Shown

# Continuation lines of a long formula: a worked line's, the error line's (past `Error  `).
WORKED_INDENT = 6
ERROR_INDENT = 9
# Final weights beyond this many are printed as aligned plain lines: rich lays a table out
# cell by cell (about half a millisecond a row), seconds for a 64-32-10 network's 2,410.
PLAIN_ROWS = 200

SHOW_CHOICES = ("tables", "work", "both")  # per step: tables, worked lines, or both


class RichRenderer(Renderer):
    def __init__(self, *, width: int = 120, color: bool = False, show: str = "tables",
                 fast: bool = True):
        self.screen = layout.Screen(width, color, fast)
        self.show = show
        self.warnings: list[str] = []

    def render(self, doc: Document) -> str:
        super().render(doc)
        return self.screen.text()

    def begin(self, doc: Document) -> str:
        return ""

    def end(self, doc: Document) -> str:
        if self.warnings:
            rows = [("", [(f"• {text}", "")]) for text in self.warnings]
            self.screen.print(layout.Panel("Warnings", rows, border="yellow", expand=True,
                                           title_style=""))
        return ""

    # -- inline parts: plain text --------------------------------------------------------

    def text(self, text: str) -> str:
        return text

    def math(self, math: Math) -> str:
        return math.text

    def value(self, value: Value) -> str:
        return cut(value, TERMINAL_CLOSED_FORM).text()

    def cell(self, parts: list[Inline], style: str = "") -> list[layout.Span]:
        """A table cell: decimals; in exact mode the closed form, its decimal dim beneath."""
        spans: list[layout.Span] = []
        for part in parts:
            if not isinstance(part, Shown):
                spans += layout.spans(self.inline([part]), style)
                continue
            shown = cut(part, TERMINAL_CLOSED_FORM)
            if shown.exact is not None:
                spans += [(shown.exact, style),
                          (f"\n{'=' if shown.equal else '≈'} {shown.decimal}", "dim")]
            elif shown.elided:  # the decimal as an approximation, as the keys write it
                spans += [(f"≈ {shown.decimal}", style),
                          ("\n(closed form in --format json)", "dim")]
            else:
                spans += layout.spans(shown.decimal, style)
        return spans

    def paragraph(self, block) -> str:
        self.screen.print(layout.Text(layout.spans(self.inline(block.parts), "italic")))
        return ""

    # -- the solution's parts ------------------------------------------------------------

    def statement(self, block: Statement) -> str:
        """The facts in one panel, the convention's rules beneath the convention."""
        formulas = block.formulas
        rows = []
        for label, parts in block.facts.rows:
            rows.append((label, [(self.inline(parts), "")]))
            if label == "Convention":
                output = formulas.output_delta
                rule = f"{output.text}  {output.note}" if output.note else output.text
                rows.append(("  output δ", [(rule, "")]))
                if formulas.hidden_delta is not None:
                    rows.append(("  hidden δ", [(formulas.hidden_delta.text, "")]))
                update = formulas.update
                rule = f"{update.text}  {update.note}" if update.note else update.text
                rows.append(("  update", [(f"{rule};  {formulas.change.text}", "")]))
        self.screen.print(layout.Panel(self.document.title, rows))
        self.warnings = block.warnings  # printed last, where they are seen
        return ""

    def step(self, block: Step) -> str:
        self.screen.print(layout.Rule(block.title))
        self.screen.print(layout.Text(layout.spans(self.inline(block.given.parts))))
        if self.show != "work":
            for section in block.sections:
                if section.table is not None:
                    for piece in self.boxed(section.table, section.title):
                        self.screen.print(piece)
                if section.error is not None:
                    self.error(section.error)
        if self.show != "tables":
            self.worked(block.sections)
        return ""

    def error(self, error: ErrorLine) -> None:
        spans = [("Error  ", "bold"), (f"{error.formula.text} = ", ""),
                 (self.value(error.value), "bold")]
        self.screen.print(layout.Text(wrapped(spans, self.screen.width, ERROR_INDENT)))
        self.screen.print(layout.Text([(f"       ({error.detail})", "dim")]))

    def worked(self, sections: list[Section]) -> None:
        """The step as a hand solution writes it: symbols (dim), numbers, result (bold)."""
        from bpcalc.render.worked import PLAIN, PLAIN_EXACT

        style = PLAIN_EXACT if self.document.exact else PLAIN
        self.screen.print(layout.Text([("Worked lines", "bold underline")]))
        for section in sections:
            lines = section.worked.lines if section.worked is not None else []
            if not lines:
                continue
            self.screen.print(layout.Text([(section.title, "bold italic")]))
            for line in lines:
                spans = worked_spans(line, style)
                self.screen.print(layout.Text(wrapped(spans, self.screen.width,
                                                      WORKED_INDENT)))

    def result(self, block: Result) -> str:
        if block.epoch_errors is not None:
            self.screen.print(self.box(block.epoch_errors))
        if block.stopped:
            self.screen.print(layout.Text([(block.stopped, "bold")]))
        if len(block.final_weights.rows) > PLAIN_ROWS:
            self.screen.print(self.aligned(block.final_weights))
        else:
            self.screen.print(self.box(block.final_weights))
        return ""

    # -- tables --------------------------------------------------------------------------

    def box(self, table: Table, title: str = "") -> layout.Table:
        columns = [self.column(column) for column in table.columns]
        rows = [[self.cell(cell, "bold" if column.strong else "")
                 for cell, column in zip(row, table.columns, strict=True)]
                for row in table.rows]
        piece = layout.Table(table.title or title, columns, rows, table.caption)
        if table_width(piece) > self.screen.width:  # a long header on two lines, not cut:
            piece = piece._replace(columns=[  # `x_j / a_j / y_j` over `= f(h_j)`
                column._replace(header=column.header.replace(" = ", "\n= ", 1))
                if column.no_wrap else column for column in columns])
        return fit_table(piece, self.screen.width)

    def boxed(self, table: Table, title: str = "") -> list:
        """The table; when it cannot fit the terminal with whole terms in its constant
        text (the calculation and rule columns), the table without those columns and
        their text below it, a line per row, so that no number or name is cut."""
        piece = self.box(table, title)
        width = self.screen.width
        moved = [i for i, column in enumerate(table.columns) if column.kind == "formula"]
        if not moved or (table_width(piece) <= width and all(
                column_width(piece, i) >= term_width(table.rows, i, self.cell) for i in moved)):
            return [piece]
        kept = [i for i in range(len(table.columns)) if i not in moved]
        narrow = table._replace(columns=[table.columns[i] for i in kept],
                                rows=[[row[i] for i in kept] for row in table.rows])
        pieces: list = [self.box(narrow, title)]
        for index in moved:
            spans: list[layout.Span] = [(f"{self.inline(table.columns[index].header)} "
                                         "(below the table at this width):", "dim")]
            for row in table.rows:
                spans += [("\n  " + self.inline(row[0]) + "  ", ""),
                          *self.cell(row[index])]
            pieces.append(layout.Text(wrapped(spans, width, 4)))
        return pieces

    def column(self, column: Column) -> layout.Column:
        """Numbers right-aligned and never cut (no_wrap: rich narrows other columns first);
        closed forms (exact runs) left and folded; names kept whole; formulas and other
        constant text wrap where a narrow terminal needs the room."""
        header = self.inline(column.header)
        if column.kind == "value" and self.document.exact:
            return layout.Column(header, "left", fold=True)
        if column.numeric:
            return layout.Column(header, "right", no_wrap=True)
        if column.kind == "formula":
            return layout.Column(header, fold=True)
        return layout.Column(header, no_wrap=True)

    def aligned(self, table: Table) -> layout.Verbatim:
        """A table as aligned plain lines, for networks too large for a boxed table."""
        rows = [[self.inline(cell) for cell in row] for row in [table.header, *table.rows]]
        right = table.numeric
        widths = [max(len(row[index]) for row in rows) for index in range(len(right))]
        lines = ["  ".join(cell.rjust(width) if r else cell.ljust(width)
                           for cell, width, r in zip(row, widths, right, strict=True)).rstrip()
                 for row in rows]
        rule = "-" * max(len(line) for line in lines)
        caption = [table.caption] if table.caption else []
        return layout.Verbatim("\n".join([table.title, lines[0], rule, *lines[1:], *caption]))


def worked_spans(line, style) -> list[layout.Span]:
    """One worked line: `net4 = z1 * w14 + ... = 0.9 * 0.5 + ... = 1.25`, the formula dim
    and the result bold; a middle form equal to the formula is left out."""
    spans: list[layout.Span] = [("  " + style.sym(line.target) + " = ", "")]
    formula = style.render(line.formula)
    spans.append((formula, "dim"))
    for middle in (line.substituted, line.carried):
        shown = None if middle is None else style.render(middle)
        if shown is not None and shown != formula:
            spans.append((" = " + shown, ""))
    result = style.num(line.result) if line.result.text else ""  # "": too long to write
    if result and not layout.plain(spans).endswith(" = " + result):
        spans += [(" = ", ""), (result, "bold")]
    if line.approx is not None:
        spans += [(" ≈ ", ""), (line.approx, "bold")]
    return spans

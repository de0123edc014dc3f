"""Terminal layout: the few rich renderables bpcalc prints, laid out directly when they fit.

rich lays a table out cell by cell, measuring and wrapping every one: the slides' five small
tables took 45 ms, a third of `bpcalc solve`'s start. What bpcalc prints (boxed tables, a
panel of facts, a rule per step, lines of text) needs no wrapping when it fits the width,
and then its layout is simple: so each piece here writes rich's own characters (the same
boxes, padding, alignment and styles) itself, and hands the piece to rich only when some
line is too wide, holds a character of unusual width or a control code, so that rich wraps
it exactly as before. tests/test_terminal_layout.py holds the two ways equal.

Every piece is a list of spans `(text, style)` (rich style names: "bold", "dim italic").
What fits is laid out without importing rich at all.
"""

from __future__ import annotations

import io
from typing import Literal, NamedTuple

Span = tuple[str, str]
Justify = Literal["left", "right"]
Line = list[Span]


def boxed_width(widths: list[int]) -> int:
    """The width of a boxed table with columns this wide: a border and a space each side."""
    return sum(widths) + 3 * len(widths) + 1


def spans(text: str, style: str = "") -> list[Span]:
    return [(text, style)] if text else []


def plain(line: list[Span]) -> str:
    return "".join(text for text, _ in line)


def split_lines(styled: list[Span]) -> list[Line]:
    """Spans split at each newline, one list of spans per line."""
    lines: list[Line] = [[]]
    for text, style in styled:
        first, *rest = text.split("\n")
        if first:
            lines[-1].append((first, style))
        for part in rest:
            lines.append([(part, style)] if part else [])
    return lines


# Characters one cell wide in rich's tables, besides ASCII: Latin-1 and the Latin
# extensions, Greek, and the symbols bpcalc writes (tests/test_terminal_layout.py checks
# each against rich). Knowing them spares loading rich's Unicode width tables (about 6 ms
# of every start) for the common text.
NARROW = frozenset(char for char in map(chr, (*range(0xA1, 0x300), *range(0x370, 0x400)))
                   if char.isprintable()) | set(
    "–—‘’“”•…′″⁄⁽⁾⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻₀₁₂₃₄₅₆₇₈₉ᵀℓ←↑→↓⇒∂∆∇∈∑−∓√∞∫≈≠≤≥⊙⋅─━│┃")


class _Box(NamedTuple):
    """The characters of one of rich's boxes (rich.box), as rich draws a table's lines."""

    top: str  # left, line, between columns, right
    head: str  # the header row's edges and dividers
    head_rule: str  # the rule beneath the header
    row: str  # a body row's edges and dividers
    bottom: str

    def rule(self, chars: str, widths: list[int]) -> str:
        left, line, between, right = chars
        return left + between.join(line * width for width in widths) + right


HEAVY_HEAD = _Box("┏━┳┓", "┃┃┃", "┡━╇┩", "│││", "└─┴┘")  # rich.box.HEAVY_HEAD, a table's
ROUNDED = _Box("╭─┬╮", "│││", "├─┼┤", "│││", "╰─┴╯")  # rich.box.ROUNDED, a panel's


def _simple(text: str) -> bool:
    """Laid out here: printable text whose every character is one cell wide (so that
    `len` and rich's cell width agree); anything else is left to rich."""
    if not text.isprintable():
        return False
    if text.isascii() or all(char in NARROW for char in text if not char.isascii()):
        return True
    from rich.cells import cell_len  # loads rich's Unicode tables

    return cell_len(text) == len(text)


def _wrapped(line: Line, room: int) -> list[Line] | None:
    """One line of one style wrapped at single spaces to `room` cells, word by word as rich
    wraps a cell; None (left to rich) for several styles, runs of spaces or a word longer
    than the room."""
    text = plain(line)
    if len(text) <= room:
        return [line]
    styles = {style for _, style in line}
    if len(styles) != 1 or "  " in text or text != text.strip() or room < 1:
        return None
    style = styles.pop()
    out, current = [], ""
    for word in text.split(" "):
        if len(word) > room:
            return None
        if current and len(current) + 1 + len(word) > room:
            out.append([(current, style)])
            current = word
        else:
            current = f"{current} {word}" if current else word
    out.append([(current, style)])
    return out


def _pad(line: Line, width: int, justify: Justify = "left") -> Line:
    gap = width - sum(len(text) for text, _ in line)
    if gap <= 0:
        return line
    return [(" " * gap, ""), *line] if justify == "right" else [*line, (" " * gap, "")]


# -- the pieces ---------------------------------------------------------------------------


class Text(NamedTuple):
    """Lines of text, printed as `console.print(Text(...))` prints them (wrapped when wide)."""

    spans: list[Span]

    def lines(self, width: int) -> list[Line] | None:
        lines = split_lines(self.spans)
        if any(not _simple(plain(line)) or len(plain(line)) > width for line in lines):
            return None
        return lines

    def rich(self):
        from rich.text import Text as RichText

        return RichText.assemble(*self.spans)


class Verbatim(NamedTuple):
    """Text written as it is (`console.out`): never wrapped, never styled."""

    text: str

    def lines(self, width: int) -> list[Line] | None:
        return [[(line, "")] if line else [] for line in self.text.split("\n")]

    def rich(self):
        return self


class Rule(NamedTuple):
    """A horizontal rule across the width with a title in its middle (`console.rule`)."""

    title: str
    style: str = "bold"

    def lines(self, width: int) -> list[Line] | None:
        size = len(self.title)
        if not _simple(self.title) or size > width - 4:
            return None
        side = (width - size) // 2
        right = width - side - size  # the space after the title, then the line
        return [[("─" * (side - 1) + " ", "bright_green"), (self.title, self.style),
                 (" " + "─" * (right - 1), "bright_green")]]

    def rich(self):
        from rich.rule import Rule as RichRule
        from rich.text import Text as RichText

        return RichRule(RichText(self.title, style=self.style))


class Column(NamedTuple):
    header: str
    justify: Justify = "left"
    fold: bool = False  # long values fold within the column (rich's overflow="fold")
    no_wrap: bool = False


class Table(NamedTuple):
    """A boxed table as rich draws it by default: heavy head, the title (italic) above on
    the left, the caption (dim italic) centred below; header cells bold."""

    title: str
    columns: list[Column]
    rows: list[list[list[Span]]]
    caption: str = ""

    def lines(self, width: int) -> list[Line] | None:
        header = [split_lines(spans(column.header, "bold")) for column in self.columns]
        tallest = max(len(cell) for cell in header)  # headers sit at the bottom, as rich's
        header = [[[]] * (tallest - len(cell)) + cell for cell in header]
        body = [[split_lines(cell) for cell in row] for row in self.rows]
        widths = [0] * len(self.columns)
        for row in [header, *body]:
            for index, cell in enumerate(row):
                for line in cell:
                    text = plain(line)
                    if not _simple(text):
                        return None
                    widths[index] = max(widths[index], len(text))
        total = boxed_width(widths)
        if total > width or len(self.title) > total or len(self.caption) > total:
            return None
        if not (_simple(self.title) and _simple(self.caption)):
            return None
        justify = [column.justify for column in self.columns]
        box = HEAVY_HEAD
        out: list[Line] = []
        if self.title:
            out.append([(self.title, "italic"), (" " * (total - len(self.title)), "")])
        cells = [width + 2 for width in widths]  # with their padding
        out.append([(box.rule(box.top, cells), "")])
        out.extend(_row(header, widths, justify, *box.head))
        out.append([(box.rule(box.head_rule, cells), "")])
        for row in body:
            out.extend(_row(row, widths, justify, *box.row))
        out.append([(box.rule(box.bottom, cells), "")])
        if self.caption:
            left = (total - len(self.caption)) // 2
            out.append([(" " * left, ""), (self.caption, "dim italic"),
                        (" " * (total - left - len(self.caption)), "")])
        return out

    def rich(self):
        from rich.table import Table as RichTable
        from rich.text import Text as RichText

        table = RichTable(title=self.title or None, title_justify="left",
                          caption=self.caption or None)
        for column in self.columns:
            table.add_column(column.header, justify=column.justify,
                             overflow="fold" if column.fold else "ellipsis",
                             no_wrap=column.no_wrap)
        for row in self.rows:
            table.add_row(*(RichText.assemble(*cell) for cell in row))
        return table


def _row(cells: list[list[Line]], widths: list[int], justify: list[Justify], left: str,
         between: str, right: str) -> list[Line]:
    """One table row, as many lines high as its tallest cell."""
    height = max(len(cell) for cell in cells)
    out = []
    for number in range(height):
        line: Line = [(left, "")]
        for index, cell in enumerate(cells):
            content = cell[number] if number < len(cell) else []
            line += [(" ", ""), *_pad(content, widths[index], justify[index]), (" ", "")]
            line.append((between if index < len(cells) - 1 else right, ""))
        out.append(line)
    return out


class Panel(NamedTuple):
    """Label: text rows in a rounded box with the title on its top edge, as tall and wide as
    its content (labels bold); `expand` fills the width, as a panel of plain lines does."""

    title: str
    rows: list[tuple[str, list[Span]]]
    border: str = ""
    expand: bool = False
    title_style: str = "bold"

    def _content(self, room: int) -> tuple[list[Line], bool] | None:
        """The panel's lines, label and text side by side, and whether one was wrapped: a
        text wider than `room` cells (the panel's inside) is wrapped at its spaces as
        rich's grid wraps it (rich then makes the panel as wide as it can be)."""
        if all(label == "" for label, _ in self.rows):
            return [line for _, text in self.rows for line in split_lines(text)], False
        labels = max(len(label) for label, _ in self.rows)
        lines, wrapped_any = [], False
        for label, text in self.rows:
            content = split_lines(text)
            if len(content) != 1 or not content[0]:  # rich's grid squeezes an empty cell
                return None
            wrapped = _wrapped(content[0], room - labels - 2)
            if wrapped is None:
                return None
            wrapped_any = wrapped_any or len(wrapped) > 1
            lines.append([(label, "bold"), (" " * (labels - len(label) + 2), ""), *wrapped[0]])
            lines.extend([(" " * (labels + 2), ""), *more] for more in wrapped[1:])
        return lines, wrapped_any

    def lines(self, width: int) -> list[Line] | None:
        laid_out = self._content(width - 4)
        if laid_out is None or not _simple(self.title):
            return None
        content, wrapped = laid_out
        texts = [plain(line) for line in content]
        if not all(_simple(text) for text in texts):
            return None
        inner = max((len(text) for text in texts), default=0) + 2
        if self.expand or wrapped:
            inner = width - 2
        elif self.title:
            inner = max(inner, len(self.title) + 4)
        if inner + 2 > width or max(len(text) for text in texts) + 2 > inner:
            return None
        box, border = ROUNDED, self.border
        left, line, _, right = box.top
        if self.title:
            fill = inner - 2 - (len(self.title) + 2)
            title_style = f"{border} {self.title_style}".strip()  # rich styles it as the edge
            top = [(left + line + " ", border), (self.title, title_style),
                   (" " + line * fill + line + right, border)]
        else:
            top = [(box.rule(box.top, [inner]), border)]
        out = [top]
        edge, _, edge_right = box.row
        for text in content:
            out.append([(edge, border), (" ", ""), *_pad(text, inner - 1), (edge_right, border)])
        out.append([(box.rule(box.bottom, [inner]), border)])
        return out

    def rich(self):
        from rich.panel import Panel as RichPanel
        from rich.table import Table as RichTable
        from rich.text import Text as RichText

        title = RichText(self.title, style=self.title_style) if self.title else None
        if all(label == "" for label, _ in self.rows):
            body = RichText("\n").join(RichText.assemble(*text) for _, text in self.rows)
        else:
            body = RichTable.grid(padding=(0, 2))
            body.add_column(style="bold")
            body.add_column()
            for label, text in self.rows:
                body.add_row(label, RichText.assemble(*text))
        return RichPanel(body, title=title, title_align="left", expand=self.expand,
                         border_style=self.border or "none")


# -- the screen ---------------------------------------------------------------------------


class Screen:
    """The pieces in order, as one string: plain, or with the terminal's ANSI styles.

    A piece that does not fit is printed by rich (imported only then) into the same text;
    `fast=False` has rich print every piece (the tests compare the two).
    """

    def __init__(self, width: int, color: bool, fast: bool = True):
        self.width = width
        self.fast = fast
        # Whether to colour is the caller's to say (the command line: no colour for
        # TERM=dumb unless --color always; bpcalc.commands.terminal); nothing read here.
        self.color = color
        self.buffer = io.StringIO()
        self._console = None

    def print(self, piece) -> None:
        lines = piece.lines(self.width) if self.fast else None
        if lines is None:
            self._rich_print(piece)
            return
        write = self.buffer.write
        for line in lines:
            write(self._styled(line) if self.color else plain(line))
            write("\n")

    def _styled(self, line: Line) -> str:
        from rich.color import ColorSystem
        from rich.style import Style

        return "".join(Style.parse(style).render(text, color_system=ColorSystem.STANDARD)
                       if style and text.strip() else text for text, style in line)

    def _rich_print(self, piece) -> None:
        if self._console is None:
            from bpcalc.render.console import text_console

            self._console = text_console(self.buffer, color=self.color, width=self.width)
        if isinstance(piece, Verbatim):
            self._console.out(piece.text, highlight=False)
        else:
            self._console.print(piece.rich())

    def text(self) -> str:
        return self.buffer.getvalue()

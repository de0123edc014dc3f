"""Long formulas broken between terms, never inside one, for the terminal.

rich wraps a line at its spaces and folds a word longer than the room anywhere, so an exact
closed form came out as `3*tanh(7/` over `20)/10`, and a worked line's continuation started
in column 0. Here a line breaks before an `=` or `≈` where it can, else before a `+`, `-`
or `*` between terms (or after SymPy's `*`, or a `/` before its parenthesised denominator),
else at any space; only a single term wider than the whole room is cut. Continuation lines
keep a hanging indent. The renderer breaks its lines here before handing them to the
layout (`layout`), so the fast layout and rich print the same lines.
"""

from __future__ import annotations

from bpcalc.render.terminal.layout import Line, Span, Table, boxed_width, plain, split_lines

CELL_INDENT = 2  # a table cell's continuation lines (none in a column narrower than 16)
NARROWEST = 8  # a closed-form column is never squeezed below this


def _tier(text: str, p: int) -> int | None:
    """How good a break before text[p] is: 0 best (before `=`/`≈`), 1 between terms,
    2 at another space or after `/` before `(`, 3 after an opening parenthesis before a
    name; None: not a break (inside a name or number, or between `=`/`≈` and its value)."""
    before, here = text[p - 1], text[p]
    following = text[p + 1:p + 2]
    if before == " " and here != " ":
        if text[p - 2:p - 1] in ("=", "≈") and (p < 3 or text[p - 3] == " "):
            return None
        if text[p - 2:p - 1] in ("+", "-", "*", "×", "−") and (p < 3 or text[p - 3] == " "):
            return 3  # an operator with its operand: `×` alone ends a line only if need be
        if here in "=≈" and following == " ":
            return 0
        if here in "+-*×−" and following == " ":
            return 1
        return 2
    if before == "*" and here != " ":
        return 1
    if before == "/" and here == "(":
        return 2
    if before == "(" and (here.isalpha() or here == "("):
        return 3  # inside a call or group, before a name: only where nothing else fits
    return None


def _depths(text: str) -> list[int]:
    """The parenthesis depth before each position."""
    depths, depth = [], 0
    for char in text:
        depths.append(depth)
        depth += {"(": 1, ")": -1}.get(char, 0)
    return depths + [depth]


def break_at(text: str, start: int, room: int, depths: list[int] | None = None) -> int:
    """Where the line that starts at `start` ends: past the first quarter of the line, the break
    outside the fewest parentheses, of the best kind, furthest on; else the furthest break
    at all; at the room itself when the next term alone is wider than the room."""
    depths = depths or _depths(text)
    limit = min(len(text), start + room)
    # a break is at the next term's start, so one past the room when the line fills it
    candidates = [p for p in range(start + 1, min(limit + 1, len(text) - 1) + 1)
                  if _tier(text, p) is not None and len(text[start:p].rstrip()) <= room]
    if not candidates:
        return limit
    late = [p for p in candidates if p - start >= room / 4]
    if late:
        return min(late, key=lambda p: (depths[p], _tier(text, p), -p))
    return candidates[-1]


def longest_term(text: str, glued: bool = False) -> int:
    """The widest piece of `text` no break may split (`glued`: nor the one after an
    operator, `× (-0.0115387)` whole)."""
    cuts = [0] + [p for p in range(1, len(text))
                  if _tier(text, p) not in (None, 3 if glued else None)] + [len(text)]
    return max(len(text[a:b].strip()) for a, b in zip(cuts, cuts[1:], strict=False))


def wrap_text(text: str, room: int, indent: int = 0) -> list[str]:
    """`text` as lines at most `room` wide, the later ones indented by `indent` spaces."""
    return [text[a:b] if not number else " " * indent + text[a:b]
            for number, (a, b) in enumerate(_pieces(text, room, indent))]


def _pieces(text: str, room: int, indent: int) -> list[tuple[int, int]]:
    """(start, end) of each line's text (trailing spaces dropped, leading ones skipped)."""
    pieces, start, first = [], 0, True
    depths = _depths(text)
    while True:
        space = room if first else max(room - indent, 1)
        if len(text) - start <= space:
            pieces.append((start, len(text)))
            return pieces
        end = break_at(text, start, space, depths)
        pieces.append((start, len(text[:end].rstrip()) if text[start:end].strip() else end))
        start, first = end, False
        while start < len(text) and text[start] == " ":
            start += 1
        if start >= len(text):
            return pieces


def wrap_spans(line: Line, room: int, indent: int = 0) -> list[Line]:
    """One line of styled spans broken as `wrap_text` breaks its text, styles kept."""
    text = plain(line)
    if len(text) <= room:
        return [line]
    styles = [style for span, style in line for _ in span]
    out = []
    for number, (a, b) in enumerate(_pieces(text, room, indent)):
        piece: Line = []
        for position in range(a, b):  # runs of one style
            style = styles[position]
            if piece and piece[-1][1] == style:
                piece[-1] = (piece[-1][0] + text[position], style)
            else:
                piece.append((text[position], style))
        if number and indent:
            piece.insert(0, (" " * indent, ""))
        out.append(piece)
    return out


def wrapped(spans: list[Span], width: int, indent: int) -> list[Span]:
    """Spans (newlines allowed) re-broken to `width` columns, as spans with newlines."""
    out: list[Span] = []
    for number, line in enumerate(split_lines(spans)):
        for index, piece in enumerate(wrap_spans(line, width, indent)):
            if number or index:
                out.append(("\n", ""))
            out += piece
    return out


# -- tables -------------------------------------------------------------------------------


def table_width(table: Table) -> int:
    """The width the table takes with every cell's lines as they are."""
    natural = [max([*map(len, column.header.split("\n"))] + [len(plain(line)) for row in table.rows
                                            for line in split_lines(row[index])])
               for index, column in enumerate(table.columns)]
    return boxed_width(natural)


def column_width(table: Table, index: int) -> int:
    """The width of one column's cells as they are laid out."""
    return max([0] + [len(plain(line)) for row in table.rows for line in split_lines(row[index])])


def term_width(rows, index: int, cell) -> int:
    """The widest term, an operator with its operand, of one column of a document table's
    `rows` (each cell typeset by `cell`)."""
    return max([0] + [longest_term(plain(line), glued=True) for row in rows
                      for line in split_lines(cell(row[index]))])


def fit_table(table: Table, width: int) -> Table:
    """A table too wide for `width` with its folding columns (closed forms, formulas)
    narrowed and their cells broken between terms, so that it fits; as it was otherwise
    (then rich folds it)."""
    cells = [[split_lines(cell) for cell in row] for row in table.rows]
    texts = [column.header.split("\n") + [plain(line) for row in cells for line in row[index]]
             for index, column in enumerate(table.columns)]
    natural = [max(map(len, column)) for column in texts]
    overhead = boxed_width([0] * len(natural))  # the borders and padding
    if sum(natural) + overhead <= width:
        return table
    folding = [index for index, column in enumerate(table.columns) if column.fold]
    room = width - overhead - sum(w for i, w in enumerate(natural) if i not in folding)
    least = {index: max(NARROWEST, *(longest_term(text) for text in texts[index]))
             for index in folding}
    least = {index: min(w, natural[index]) for index, w in least.items()}
    if not folding or sum(least.values()) > room:
        return table
    allotted = _share(room - sum(least.values()), least,
                      {index: natural[index] for index in folding})
    rows = []
    for row in cells:
        rows.append([_cell(lines, allotted[index], least[index]) if index in allotted else
                     [span for number, line in enumerate(lines)
                      for span in ([("\n", "")] if number else []) + line]
                     for index, lines in enumerate(row)])
    return Table(table.title, table.columns, rows, table.caption)


def _share(spare: int, least: dict[int, int], wanted: dict[int, int]) -> dict[int, int]:
    """Columns' widths: each its least, then the `spare` columns shared out evenly, none
    wider than it needs (water-filling)."""
    allotted = dict(least)
    growing = [index for index in wanted if wanted[index] > allotted[index]]
    while growing and spare > 0:
        each = max(spare // len(growing), 1)
        for index in growing:
            give = min(each, wanted[index] - allotted[index], spare)
            allotted[index] += give
            spare -= give
        growing = [index for index in growing if wanted[index] > allotted[index]]
    return allotted


def _cell(lines: list[Line], room: int, term: int) -> list[Span]:
    """A cell's lines broken to `room`; continuation lines indented where there is room."""
    indent = CELL_INDENT if room >= max(16, term + CELL_INDENT) else 0
    out: list[Span] = []
    for number, line in enumerate(lines):
        for index, piece in enumerate(wrap_spans(line, room, indent)):
            if number or index:
                out.append(("\n", ""))
            out += piece
    return out

"""The solution as a document: the blocks every output format typesets, and the `Renderer`
base class that dispatches on them (one method per block type, as mistune's renderers do).

`bpcalc.render.document.build` makes the blocks from a solved trace, once; the answer keys
(markdown.py, latex.py, html.py, through `PageRenderer`) and the terminal
(`bpcalc.render.terminal.rich_renderer`) each typeset the same blocks. The renderers import
this module, never the builder or each other.

A few blocks are the solution's own parts (`Statement`, `Step` with its `Section`s,
`Result`), so that each medium lays them out its way: a page shows the statement with its
formulas, patterns and initial weights, and each step section by section; the terminal
packs the statement into one panel and prints a step's tables before its worked lines.
The rest are plain typesetting blocks (headings, paragraphs, tables) and inline parts
(prose, formulas, computed values). Every block is a NamedTuple: a renderer reads it and
never changes it (and a NamedTuple class costs a tenth of a dataclass to define, which
every start of `bpcalc solve` pays).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from bpcalc.text import KEY_CELL_CLOSED_FORM, Shown

if TYPE_CHECKING:
    from bpcalc.render import worked


class Math(NamedTuple):
    """A formula: plain formula text, and ready LaTeX where SymPy typeset it (exact mode)."""

    text: str
    latex: str | None = None
    note: str = ""  # prose after a displayed formula, e.g. "(v_ij into a hidden layer)"
    label: str = ""  # what a displayed formula is, before it: "output δ"


# A computed value as shown (`bpcalc.text.show_value`): its decimal and, in exact mode, its
# whole closed form; each renderer cuts a closed form too long for its cells (`cut`).
Value = Shown
Inline = str | Math | Value  # a run of prose, a formula, or a computed value


def cut(value: Value, limit: int) -> Value:
    """`value` without a closed form longer than `limit` characters (marked elided)."""
    if value.exact is not None and len(value.exact) > limit and not value.equal:
        return Shown(value.decimal, None, False, elided=True)
    return value


# -- typesetting blocks -------------------------------------------------------------------


class Heading(NamedTuple):
    level: int  # 1 = section, 2 = subsection
    text: str


class Paragraph(NamedTuple):
    parts: list[Inline]


class Facts(NamedTuple):
    """Label: content rows, such as the problem statement's network, loss and rate."""

    rows: list[tuple[str, list[Inline]]]


class Equations(NamedTuple):
    """Display formulas, one per line, aligned at their first `=` or `←`."""

    lines: list[Math]


class Worked(NamedTuple):
    """Worked lines (`bpcalc.render.worked.WorkedLine`): each renderer typesets the
    expression trees with its own style, formula first, then the numbers."""

    lines: list[worked.WorkedLine]


ColumnKind = Literal["text", "formula", "count", "value", "answer"]


class Column(NamedTuple):
    """A table column: `count` (node, epoch numbers) and `value` (a value given or computed)
    columns are numbers, right-aligned; value columns hold closed forms in exact mode;
    `answer` columns are left blank for a student to write in (a handout's), room made."""

    header: list[Inline]
    kind: ColumnKind = "text"
    strong: bool = False  # the column a reader looks for (new, final weights)

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "value")


class Table(NamedTuple):
    title: str
    columns: list[Column]
    rows: list[list[list[Inline]]]
    caption: str = ""  # a note below the table

    @property
    def header(self) -> list[list[Inline]]:
        return [column.header for column in self.columns]

    @property
    def numeric(self) -> list[bool]:
        return [column.numeric for column in self.columns]


class Items(NamedTuple):
    """A bulleted list, such as a handout's tasks."""

    items: list[list[Inline]]


class Picture(NamedTuple):
    """A drawing as a standalone SVG document (HTML inlines it; "" where not drawn), as
    PNG bytes (Markdown shows them as a data: URI image; b"" where not drawn), and for
    LaTeX as a `picture` environment (`latex`, "" where there is none)."""

    caption: str
    svg: str
    latex: str = ""
    png: bytes = b""


# -- the solution's parts -----------------------------------------------------------------


class Formulas(NamedTuple):
    """The problem's formulas as its notation writes them."""

    activations: list[Math]  # f(net) and f'(net) of each activation, in turn
    loss: Math
    output_delta: Math
    hidden_delta: Math | None  # None: no hidden layer
    update: Math  # w ← w + ..., with its note
    change: Math  # Δw = ...

    @property
    def lines(self) -> list[Math]:
        middle = [self.hidden_delta] if self.hidden_delta is not None else []
        return [*self.activations, self.loss, self.output_delta, *middle, self.update,
                self.change]


class Statement(NamedTuple):
    """The problem as set: its facts (network, activation, ..., rounding), its formulas, the
    training patterns and the initial weights, and the run's warnings."""

    facts: Facts
    formulas: Formulas
    patterns: Table
    initial_weights: Table
    warnings: list[str]
    picture: Picture | None = None  # the network drawn (HTML)


class ErrorLine(NamedTuple):
    """The step's error: its formula and value, and the targets and outputs it compares."""

    formula: Math
    value: Value
    detail: str  # "t7 = 0, z7 = 0.781990"


class Section(NamedTuple):
    """One part of a step: forward pass, error, backward pass or weight updates."""

    kind: Literal["forward", "error", "backward", "update"]
    title: str
    worked: Worked | None  # None: worked lines not built (the terminal's tables alone)
    table: Table | None = None
    error: ErrorLine | None = None


class Step(NamedTuple):
    title: str  # "Step 1: epoch 1, pattern 1"
    given: Paragraph  # the pattern's input and target
    sections: list[Section]


class Result(NamedTuple):
    """After the steps: the error per epoch (several epochs, or a summary) and the final
    weights."""

    epoch_errors: Table | None
    final_weights: Table
    picture: Picture | None = None  # the error plot (HTML)
    stopped: str = ""  # why training stopped, where `until` could stop it


# The line under a handout's title, in place of the key's "Answer key worked by bpcalc".
HANDOUT_LINE = "Exercise: work out every value by hand (the answers are not included)"


class Document(NamedTuple):
    title: str
    exact: bool  # values carry closed forms (an exact run)
    blocks: list
    handout: bool = False  # the problem alone, for students (document.handout): no answers


# -- helpers for renderers ----------------------------------------------------------------


def prose(text: str) -> list[Inline]:
    """Prose in which words with an index (`v_ij`) are formulas: `(v_ij into a layer)`."""
    parts: list[Inline] = []
    for word in text.split(" "):
        core = word.strip("(),.;")
        if "_" in core:
            head, _, tail = word.partition(core)
            parts += [(" " if parts else "") + head, Math(core), tail]
        else:
            parts.append((" " if parts else "") + word)
    return [part for part in parts if part != ""]


def worked_parts(line: worked.WorkedLine, style: worked.PlainStyle) -> tuple[str, str, list]:
    """(target, formula, [numbers, carried numbers, result]) of one worked line in `style`,
    for renderers that set the formula and the numbers on rows aligned at `=`."""
    target = style.sym(line.target)
    numbers = style.line(line)[len(target) + len(style.equals):]
    return target, style.render(line.formula), numbers.split(style.equals)


class Renderer:
    """Typesets a Document: `begin`/`end`, one method per block type, named as the type in
    lower case (`table` for `Table`), and `text`/`math`/`value` for the inline parts."""

    def render(self, doc: Document) -> str:
        self.document = doc
        return "".join([self.begin(doc), *(self.block(block) for block in doc.blocks),
                        self.end(doc)])

    def block(self, block) -> str:
        return getattr(self, type(block).__name__.lower())(block)

    def inline(self, parts: list[Inline]) -> str:
        return "".join(self.math(part) if isinstance(part, Math)
                       else self.value(part) if isinstance(part, Shown)
                       else self.text(part) for part in parts)

    def begin(self, doc: Document) -> str:
        raise NotImplementedError

    def end(self, doc: Document) -> str:
        raise NotImplementedError

    def text(self, text: str) -> str:
        raise NotImplementedError

    def math(self, math: Math) -> str:
        raise NotImplementedError

    def value(self, value: Value) -> str:
        raise NotImplementedError


class PageRenderer(Renderer):
    """A page (an answer key): the statement with its formulas, patterns and initial
    weights; each step section by section, worked lines above their table; the result.
    Subclasses typeset the plain blocks; values become formulas (`closed ≈ decimal`)."""

    # Longest closed form typeset in a table cell; longer ones show their decimal only (the
    # worked lines above each table write them out).
    exact_limit = KEY_CELL_CLOSED_FORM

    def expand(self, parts: list[Inline]) -> list[str | Math]:
        """The parts with each value as prose (a decimal) or a formula (a closed form)."""
        out: list[str | Math] = []
        for part in parts:
            if not isinstance(part, Shown):
                out.append(part)
                continue
            shown = cut(part, self.exact_limit)
            if shown.exact is None and shown.elided:  # ≈ as maths: a bare ≈ stops pdflatex
                out.append(Math(f"≈ {shown.decimal}"))
            elif shown.exact is None:
                out.append(shown.decimal)
            else:
                closed = shown.exact.replace("exp(", "e^(")
                out.append(Math(f"{closed} {'=' if shown.equal else '≈'} {shown.decimal}"))
        return out

    def inline(self, parts: list[Inline]) -> str:
        return super().inline(self.expand(parts))

    def blocks(self, blocks: list) -> str:
        return "".join(self.block(block) for block in blocks if block is not None)

    def statement(self, block: Statement) -> str:
        warnings = [Paragraph([f"Warning: {text}"]) for text in block.warnings]
        return self.blocks([Heading(1, "Problem"), block.facts, *warnings, block.picture,
                            Heading(2, "Formulas"), Equations(block.formulas.lines),
                            block.patterns, block.initial_weights])

    def step(self, block: Step) -> str:
        return self.blocks([Heading(1, block.title), block.given, *block.sections])

    def section(self, block: Section) -> str:
        lines = block.worked.lines if block.worked is not None else []
        shown: list = [Heading(2, block.title), block.worked if lines else None, block.table]
        if block.error is not None and not lines:
            shown.append(Paragraph([block.error.formula, " = ", block.error.value]))
        return self.blocks(shown)

    def result(self, block: Result) -> str:
        stopped = Paragraph([block.stopped]) if block.stopped else None
        return self.blocks([Heading(1, "Result"), block.picture, block.epoch_errors, stopped,
                            block.final_weights])

"""The answer key's document model: the blocks every format typesets, and the `Renderer`
base class that dispatches on them.

The builder (`bpcalc.render.document.build`) makes the blocks from a solved trace; each
renderer (markdown.py, latex.py, html.py) imports this module, never the builder, so the
model depends on nothing of theirs and they on nothing of each other's making.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpcalc.render import worked


@dataclass(frozen=True)
class Math:
    """A formula: plain formula text, and ready LaTeX where SymPy typeset it (exact mode)."""

    text: str
    latex: str | None = None
    note: str = ""  # prose after a displayed formula, e.g. "(v_ij into a hidden layer)"


Inline = str | Math  # a run of prose, or a formula within it


@dataclass
class Heading:
    level: int  # 1 = section, 2 = subsection
    text: str


@dataclass
class Paragraph:
    parts: list[Inline]


@dataclass
class Facts:
    """Label: content rows, such as the problem statement's network, loss and rate."""

    rows: list[tuple[str, list[Inline]]]


@dataclass
class Equations:
    """Display formulas, one per line, aligned at their first `=` or `←`."""

    lines: list[Math]


@dataclass
class Worked:
    """Worked lines (`bpcalc.render.worked.WorkedLine`): each renderer typesets the
    expression trees with its own style, formula first, then the numbers."""

    lines: list[worked.WorkedLine]


@dataclass
class Table:
    title: str
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    numeric: list[bool]  # right-align these columns


@dataclass
class Picture:
    """An inline SVG drawing (HTML keys only: Markdown hosts strip SVG, LaTeX needs files)."""

    caption: str
    svg: str


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)


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
    """Typesets a Document; each format supplies `begin`/`end`, one method per block kind
    (`heading`, `paragraph`, `facts`, `equations`, `table`) and `text`/`math` for inlines."""

    def render(self, doc: Document) -> str:
        out = [self.begin(doc)]
        for block in doc.blocks:
            out.append(getattr(self, type(block).__name__.lower())(block))
        out.append(self.end(doc))
        return "".join(out)

    def inline(self, parts: list[Inline]) -> str:
        return "".join(self.math(part) if isinstance(part, Math) else self.text(part)
                       for part in parts)

    def begin(self, doc: Document) -> str:
        raise NotImplementedError

    def end(self, doc: Document) -> str:
        raise NotImplementedError

    def text(self, text: str) -> str:
        raise NotImplementedError

    def math(self, math: Math) -> str:
        raise NotImplementedError

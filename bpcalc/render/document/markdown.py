r"""The answer key as Markdown with `$...$` / `$$...$$` maths, as GitHub and GitLab render it.

Only constructs those hosts' MathJax/KaTeX accept (no `\\`, no `\{`, no `|` in cells);
prose is escaped so that an underscore or star in a title never turns into emphasis.
"""

from __future__ import annotations

from bpcalc.render.document.latex import LATEX_STYLE, label_latex, math_latex
from bpcalc.render.document.model import (
    HANDOUT_LINE,
    Document,
    Equations,
    Facts,
    Heading,
    Items,
    Math,
    PageRenderer,
    Paragraph,
    Picture,
    Table,
    Worked,
    prose,
)
from bpcalc.text import markdown_text


class MarkdownRenderer(PageRenderer):
    def begin(self, doc: Document) -> str:
        line = (HANDOUT_LINE if doc.handout else
                "Answer key worked by bpcalc: every value below comes from one solved trace.")
        return f"# {self.text(doc.title)}\n\n{self.text(line)}\n\n"

    def end(self, doc: Document) -> str:
        return ""

    def text(self, text: str) -> str:
        return markdown_text(text)

    def math(self, math: Math) -> str:
        return f"${_latex(math)}$"

    def heading(self, block: Heading) -> str:
        return f"{'#' * (block.level + 1)} {self.text(block.text)}\n\n"

    def paragraph(self, block: Paragraph) -> str:
        return self.inline(block.parts) + "\n\n"

    def facts(self, block: Facts) -> str:
        return "".join(f"- **{self.text(label)}**: {self.inline(parts)}\n"
                       for label, parts in block.rows) + "\n"

    def equations(self, block: Equations) -> str:
        out = []
        for line in block.lines:
            out.append(f"$$\n{_safe(label_latex(line.label))}{_latex(line)}\n$$\n\n")
            if line.note:
                out.append(self.inline(prose(line.note)) + "\n\n")
        return "".join(out)

    def worked(self, block: Worked) -> str:
        """One display per line (formula = numbers = result): no `\\\\` line breaks, which
        Markdown processors may eat before the maths sees them."""
        return "".join(f"$$\n{_safe(LATEX_STYLE.line(line, formula=True))}\n$$\n\n"
                       for line in block.lines)

    def items(self, block: Items) -> str:
        return "".join(f"- {self.inline(parts)}\n" for parts in block.items) + "\n"

    def picture(self, block: Picture) -> str:
        """The drawing as a PNG image with a data: URI, so that the key stays one file
        (written as safely as any other): GitHub and pandoc drop inline <svg> in Markdown,
        and pandoc's PDF needs rsvg-convert for an SVG, but shows a PNG as it is (so do
        pandoc's HTML, VS Code and most editors; GitHub's sanitiser drops data: images, and
        the tables say it all)."""
        if not block.png:
            return ""
        import base64

        data = base64.b64encode(block.png).decode("ascii")
        return f"![{self.text(block.caption)}](data:image/png;base64,{data})\n\n"

    def table(self, block: Table) -> str:
        def row(cells) -> str:
            return "| " + " | ".join(self.inline(cell) for cell in cells) + " |\n"

        rule = "|" + "|".join("---:" if numeric else "---" for numeric in block.numeric) + "|\n"
        title = f"**{self.text(block.title)}**\n\n" if block.title else ""
        caption = f"*{self.text(block.caption)}*\n\n" if block.caption else ""
        return (title + row(block.header) + rule
                + "".join(row(cells) for cells in block.rows) + "\n" + caption)


def _latex(math: Math) -> str:
    """LaTeX safe inside Markdown: `|` would split a table cell, `<` start an HTML tag."""
    return _safe(math_latex(math))


def _safe(latex: str) -> str:
    return latex.replace("|", r"\vert ").replace("<", r"\lt ").replace(">", r"\gt ").strip()

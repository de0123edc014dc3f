r"""The answer key as Markdown with `$...$` / `$$...$$` maths, as GitHub and GitLab render it.

Only constructs those hosts' MathJax/KaTeX accept (no `\\`, no `\{`, no `|` in cells);
prose is escaped so that an underscore or star in a title never turns into emphasis.
"""

from __future__ import annotations

from bpcalc.render.document.latex import LATEX_STYLE, math_latex
from bpcalc.render.document.model import (
    Document,
    Equations,
    Facts,
    Heading,
    Math,
    PageRenderer,
    Paragraph,
    Table,
    Worked,
    prose,
)
from bpcalc.text import markdown_text


class MarkdownRenderer(PageRenderer):
    def begin(self, doc: Document) -> str:
        return (f"# {self.text(doc.title)}\n\n"
                "Answer key worked by bpcalc: every value below comes from one solved trace.\n\n")

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
            out.append(f"$$\n{_latex(line)}\n$$\n\n")
            if line.note:
                out.append(self.inline(prose(line.note)) + "\n\n")
        return "".join(out)

    def worked(self, block: Worked) -> str:
        """One display per line (formula = numbers = result): no `\\\\` line breaks, which
        Markdown processors may eat before the maths sees them."""
        return "".join(f"$$\n{_safe(LATEX_STYLE.line(line, formula=True))}\n$$\n\n"
                       for line in block.lines)

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

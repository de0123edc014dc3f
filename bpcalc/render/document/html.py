"""The answer key as one self-contained HTML file: opens from disk, with no network at all.

No script, no web font, no CDN: the maths is plain HTML (italic letters, <sub>/<sup>,
Unicode operators), so it reads the same in any browser, offline, and prints cleanly.
"""

from __future__ import annotations

import html
import re

from bpcalc.render import worked
from bpcalc.render.document.formula import split_relation, to_html
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
    worked_parts,
)

STYLE = """
body { font-family: Georgia, "Times New Roman", serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid #ccc; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
.subtitle { color: #555; margin-top: 0; }
figure { margin: 1.2rem 0; text-align: center; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9rem; }
.math { white-space: nowrap; }
.math i { font-style: italic; }
.ss { display: inline-block; vertical-align: -0.45em; line-height: 1; font-size: 0.8em;
      margin-left: 0.05em; }
.ss sup, .ss sub { display: block; font-size: 1em; vertical-align: baseline; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.equations { display: grid; grid-template-columns: max-content auto; gap: 0.25rem 0.4rem;
             align-items: baseline;
             margin: 0.6rem 0 0.8rem 1.5rem; font-size: 1.05rem; }
.equations .lhs { text-align: right; }
.equations > .line { display: grid; grid-column: 1 / -1; grid-template-columns: subgrid;
                     row-gap: 0.25rem; align-items: baseline; }
.equations .math { white-space: normal; }
.worked { margin-bottom: 1rem; }
.equations .note { color: #555; margin-left: 1rem; }
.equations .label { color: #555; font-style: normal; margin-right: 0.6rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { padding: 0.15rem 0.7rem; border-bottom: 1px solid #e2e2e2; }
thead th { border-bottom: 2px solid #444; text-align: left; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:last-child td { border-bottom: 2px solid #444; }
p.caption { color: #555; font-style: italic; margin-top: -0.6rem; }
@media print { body { margin: 0; max-width: none; }
  h2, h3, caption { break-after: avoid; }
  table, figure, .equations > div { break-inside: avoid; } }
"""
HANDOUT_STYLE = "td.answer { min-width: 7rem; height: 1.9rem; }\n"  # room to write in
NUMERIC = ' class="num"'


def _class(column) -> str:
    """A cell's class: numbers right-aligned; a handout's answer cells with room to write."""
    return ' class="answer"' if column.kind == "answer" else NUMERIC if column.numeric else ""

_MINUS = re.compile(r"(?<![\w>])-(?=[\d.])")


class HtmlStyle(worked.PlainStyle):
    """Worked lines as HTML: italic letters, subscripts, e<sup>…</sup>, true minus signs."""

    times = " × "
    minus = " − "
    approx = " ≈ "

    def sym(self, s: worked.Sym) -> str:
        return to_html(super().sym(s))

    def num(self, n: worked.Num) -> str:
        """A number; an exact closed form with e<sup>…</sup> for SymPy's exp(…)."""
        return self.sym(n.ref) if n.ref is not None else to_html(n.text.replace("exp(", "e^("))

    def quot(self, numerator: str, denominator: str) -> str:
        return f"{numerator}/{denominator}"

    def power(self, base: str, exponent: int) -> str:
        return f"{base}<sup>{exponent}</sup>"

    def exp(self, arg: str, simple: bool) -> str:
        return f"<i>e</i><sup>{arg}</sup>"

    def threshold(self, arg: str, bound: str) -> str:
        return f"(1 if {arg} ≥ {bound} else 0)"

    def render(self, e) -> str:
        text = super().render(e)  # -(-0.2) is already 0.2: only a leading minus is one
        return "−" + text[1:] if isinstance(e, worked.Neg) and text[:1] == "-" else text

    def line(self, line: worked.WorkedLine, *, formula: bool = False) -> str:
        text = super().line(line, formula=formula)
        if line.approx is not None and line.approx.startswith("-"):  # ≈ −0.144997
            text = text[:-len(line.approx)] + "−" + line.approx[1:]
        return text


HTML_STYLE = HtmlStyle()


class HtmlRenderer(PageRenderer):
    def begin(self, doc: Document) -> str:
        title = self.text(doc.title)
        line = HANDOUT_LINE if doc.handout else "Answer key worked by bpcalc"
        style = STYLE + HANDOUT_STYLE if doc.handout else STYLE
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{title}</title>\n<style>{style}</style>\n</head>\n<body>\n<main>\n"
                f"<h1>{title}</h1>\n<p class=\"subtitle\">{self.text(line)}</p>\n")

    def end(self, doc: Document) -> str:
        return "</main>\n</body>\n</html>\n"

    def text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def math(self, math: Math) -> str:
        return f"<span class=\"math\">{to_html(math.text)}</span>"

    def heading(self, block: Heading) -> str:
        level = block.level + 1
        return f"<h{level}>{self.text(block.text)}</h{level}>\n"

    def paragraph(self, block: Paragraph) -> str:
        return f"<p>{self.inline(block.parts)}</p>\n"

    def facts(self, block: Facts) -> str:
        rows = "".join(f"<dt>{self.text(label)}</dt><dd>{self.inline(parts)}</dd>\n"
                       for label, parts in block.rows)
        return f"<dl class=\"facts\">\n{rows}</dl>\n"

    def equations(self, block: Equations) -> str:
        rows = []
        for line in block.lines:
            left, right = split_relation(line.text)
            note = (f"<span class=\"note\">{self.inline(prose(line.note))}</span>"
                    if line.note else "")
            label = (f"<span class=\"label\">{self.text(line.label)}:</span> "
                     if line.label else "")
            rows.append(f"<div class=\"lhs math\">{label}{to_html(left)}</div>"
                        f"<div><span class=\"math\">{to_html(right)}</span>{note}</div>\n")
        return f"<div class=\"equations\">\n{''.join(rows)}</div>\n"

    def cell(self, parts, numeric: bool) -> str:
        """A table cell; numbers get a true minus sign, as in the worked lines."""
        text = self.inline(parts)
        return _MINUS.sub("\u2212", text) if numeric else text

    def worked(self, block: Worked) -> str:
        """Each line as two rows aligned at `=`: the formula, then the numbers and result; one
        `.line` (a subgrid, so all lines align), which printing never splits."""
        rows = []
        for line in block.lines:
            target, formula, parts = worked_parts(line, HTML_STYLE)
            numbers = " = ".join(parts)
            rows.append(f"<div class=\"line\"><div class=\"lhs math\">{target}</div>"
                        f"<div class=\"math\">= {formula}</div>\n<div></div>"
                        f"<div class=\"math\">= {numbers}</div></div>\n")
        return f"<div class=\"equations worked\">\n{''.join(rows)}</div>\n"

    def items(self, block: Items) -> str:
        rows = "".join(f"<li>{self.inline(parts)}</li>\n" for parts in block.items)
        return f"<ul>\n{rows}</ul>\n"

    def picture(self, block: Picture) -> str:
        if not block.svg:
            return ""
        from bpcalc.render.pictures.plot import inline_svg

        return (f"<figure>\n{inline_svg(block.svg)}\n<figcaption>{self.text(block.caption)}"
                "</figcaption>\n"
                "</figure>\n")

    def table(self, block: Table) -> str:
        def cells(tag: str, row) -> str:
            return "".join(
                f"<{tag}{_class(column)}>{self.cell(cell, column.numeric)}</{tag}>"
                for cell, column in zip(row, block.columns, strict=True))

        caption = f"<caption>{self.text(block.title)}</caption>\n" if block.title else ""
        body = "".join(f"<tr>{cells('td', row)}</tr>\n" for row in block.rows)
        note = (f"<p class=\"caption\">{self.text(block.caption)}</p>\n" if block.caption
                else "")
        return (f"<table>\n{caption}<thead><tr>{cells('th', block.header)}</tr></thead>\n"
                f"<tbody>\n{body}</tbody>\n</table>\n{note}")


def scoped_style(scope: str) -> str:
    """STYLE for a key inside someone else's page (a notebook): every rule confined to
    `scope`, the page's `body` rule given to the scope itself; the print rules left out."""
    rules = []
    for rule in STYLE.split("@media")[0].split("}"):
        if "{" not in rule:
            continue
        selectors, body = rule.split("{", 1)
        chosen = [scope if name.strip() == "body" else f"{scope} {name.strip()}"
                  for name in selectors.split(",")]
        rules.append(f"{', '.join(chosen)} {{{body}}}")
    return "\n".join(rules)


class HtmlFragmentRenderer(HtmlRenderer):
    """The same key as one <div> with its own scoped style, for a notebook's output cell
    (a whole page's <html> and `body` rule would restyle the notebook)."""

    scope = "bpcalc-key"

    def begin(self, doc: Document) -> str:
        title = self.text(doc.title)
        return (f"<div class=\"{self.scope}\">\n<style>{scoped_style('.' + self.scope)}"
                f"</style>\n<h1>{title}</h1>\n"
                "<p class=\"subtitle\">Answer key worked by bpcalc</p>\n")

    def end(self, doc: Document) -> str:
        return "</div>\n"

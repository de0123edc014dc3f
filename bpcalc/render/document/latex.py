"""The answer key as a standalone LaTeX document that pdflatex compiles.

Only packages of Debian's texlive-latex-base, -latex-recommended and -fonts-recommended
(what `.ci/run` installs): amsmath for aligned worked lines, booktabs for tables, mathpazo
(Palatino) so that T1 text needs no bitmap fonts.
Every piece of user text (title) is escaped; characters TeX cannot set become `?`.
"""

from __future__ import annotations

import re
import unicodedata

from bpcalc.render import worked
from bpcalc.render.document.formula import GREEK, to_latex
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

CHUNK = 40  # table rows per tabular
WIDE = 85  # a worked line longer than this (as plain text) gets one row per `=`
ROW = 85  # characters (roughly, as printed) of a sum on one row before it wraps
PLAIN = worked.PlainStyle()

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{mathpazo}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{array,booktabs}
\usepackage{parskip}
\usepackage{color}
\allowdisplaybreaks
\providecommand{\lt}{<}
\providecommand{\gt}{>}
% \bpneed{h}: a new page unless h of room is left (needspace.sty's rule, which CI's TeX
% lacks), so that no heading is left alone at the foot of a page
\makeatletter
\newcommand{\bpneed}[1]{\par\penalty-100\begingroup\setlength{\dimen@}{#1}%
  \dimen@ii\pagegoal\advance\dimen@ii-\pagetotal
  \ifdim\dimen@>\dimen@ii\ifdim\dimen@ii>\z@\vfil\fi\penalty-\@M\fi\endgroup}
\makeatother
"""

_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}", "→": r"$\to$", "←": r"$\leftarrow$",
    "≈": r"$\approx$", "Σ": r"$\Sigma$", "Δ": r"$\Delta$", "δ": r"$\delta$", "η": r"$\eta$",
    "θ": r"$\theta$", "β": r"$\beta$", "×": r"$\times$", "·": r"$\cdot$", "½": r"$\frac12$",
    "²": r"\textsuperscript{2}", "…": r"\dots{}", "≥": r"$\geq$", "≤": r"$\leq$",
    "−": "-", "′": "'", "–": "--", "—": "---", "ᵀ": r"$^{\top}$", "⊙": r"$\odot$",
}


def escape_text(text: str) -> str:
    """Prose for TeX: specials escaped, a few symbols as maths, Latin letters as they are,
    anything else (which T1 cannot set) as its plain base letter or `?`."""
    out = []
    for char in text:
        if char in _TEXT:
            out.append(_TEXT[char])
        elif char in GREEK:
            out.append(f"${GREEK[char]}$")
        elif char.isascii() or ord(char) <= 0x17F and unicodedata.category(char)[0] == "L":
            out.append(char if char.isprintable() or char == "\n" else " ")
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(escape_text(base) if base else "?")
    return "".join(out)


class LatexRenderer(PageRenderer):
    # A printed page is narrower than a screen: longer closed forms show their decimal in a
    # table cell (the worked lines above write them out).
    exact_limit = 24

    def begin(self, doc: Document) -> str:
        line = HANDOUT_LINE if doc.handout else "Answer key worked by bpcalc"
        return (PREAMBLE + "\\begin{document}\n"
                f"\\begin{{center}}{{\\LARGE {self.text(doc.title)}}}\\\\[4pt]\n"
                f"{self.text(line)}\\end{{center}}\n\n")

    def end(self, doc: Document) -> str:
        return "\\end{document}\n"

    def text(self, text: str) -> str:
        return escape_text(text)

    def math(self, math: Math) -> str:
        return f"${math_latex(math)}$"

    def heading(self, block: Heading) -> str:
        """A heading with room for a few lines after it, else on the next page. A section
        (a step) is followed by its input line and a subsection that asks room of its own,
        so it asks for both: with 8 lines, `Step 2` and its input were left at a page foot."""
        command = "section" if block.level == 1 else "subsection"
        room = 14 if block.level == 1 else 6
        return f"\\bpneed{{{room}\\baselineskip}}\\{command}*{{{self.text(block.text)}}}\n"

    def paragraph(self, block: Paragraph) -> str:
        return self.inline(block.parts) + "\n\n"

    def facts(self, block: Facts) -> str:
        items = "".join(f"  \\item[{self.text(label)}] {self.inline(parts)}\n"
                        for label, parts in block.rows)
        return f"\\begin{{description}}\n{items}\\end{{description}}\n"

    def equations(self, block: Equations) -> str:
        lines = []
        for line in block.lines:
            text = label_latex(line.label) + math_latex(line, align=True)
            if line.note:
                text += rf"\quad\text{{{self.inline(prose(line.note))}}}"
            lines.append("  " + text)
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"

    def worked(self, block: Worked) -> str:
        """Each line as aligned rows: the formula, then the numbers and the result; where
        a row would be too wide for the page, one row per `=` and long sums wrapped."""
        rows = []
        for line in block.lines:
            target, formula, parts = worked_parts(line, LATEX_STYLE)
            if len(PLAIN.line(line)) > WIDE:
                numbers = " \\\\*\n  &= ".join(wrap_sum(part) for part in parts)
            else:
                numbers = " = ".join(parts)
            rows.append(f"  {target} &= {wrap_sum(formula)} \\\\*\n  &= {numbers}")
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"

    def items(self, block: Items) -> str:
        rows = "".join(f"  \\item {self.inline(parts)}\n" for parts in block.items)
        return f"\\begin{{itemize}}\n{rows}\\end{{itemize}}\n"

    def picture(self, block: Picture) -> str:
        if not block.latex:
            return ""
        return (f"\\begin{{center}}\n{block.latex}\\\\[2pt]\n"
                f"\\textit{{{self.text(block.caption)}}}\n\\end{{center}}\n")

    def cell(self, parts, numeric: bool) -> str:
        """A table cell; a number's minus sign set as the maths' minus, not a hyphen."""
        if not numeric:
            return self.inline(parts)
        return "".join(self.math(part) if isinstance(part, Math)
                       else _MINUS.sub("$-$", self.text(part)) for part in self.expand(parts))

    def table(self, block: Table) -> str:
        """One `tabular` per CHUNK rows, header repeated: a long table breaks across pages,
        and every piece is laid out in one pdflatex run (longtable would need two)."""
        spec = "".join("p{2.3cm}" if column.kind == "answer" else "r" if column.numeric
                       else "l" for column in block.columns)
        title = f"\\textbf{{{self.text(block.title)}}}\\par\\nopagebreak\n" if block.title else ""

        def row(cells, numeric=block.numeric) -> str:
            return " & ".join(self.cell(cell, number) for cell, number in
                              zip(cells, numeric, strict=True)) + r" \\" + "\n"

        header = "\\toprule\n" + row(block.header, [False] * len(block.numeric)) \
            + "\\midrule\n"
        pieces = []
        for start in range(0, max(len(block.rows), 1), CHUNK):
            body = "".join(row(cells) for cells in block.rows[start:start + CHUNK])
            pieces.append(f"\\noindent\\begin{{tabular}}{{{spec}}}\n{header}{body}"
                          "\\bottomrule\n\\end{tabular}\\par\n")
        caption = f"\\textit{{{self.text(block.caption)}}}\\par\n" if block.caption else ""
        if any(column.kind == "answer" for column in block.columns):  # room to write in
            pieces = [f"{{\\renewcommand{{\\arraystretch}}{{1.8}}{piece}}}" for piece in pieces]
        whole = title + "\\smallskip\n".join(pieces) + caption
        if len(block.rows) > CHUNK:  # breaks across pages between its pieces
            return whole + "\n"
        # one piece: kept on one page (a minipage never breaks), with its title
        return ("\\par\\noindent\\begin{minipage}{\\linewidth}\n"
                f"{whole}\\end{{minipage}}\\par\n\n")


class LatexStyle(worked.PlainStyle):
    """Worked lines as LaTeX maths: `\\times`, `\\frac`, `e^{…}`, SymPy's own LaTeX for
    exact closed forms."""

    times = r" \times "
    approx = r" \approx "

    def sym(self, s: worked.Sym) -> str:
        return to_latex(super().sym(s))

    def num(self, n: worked.Num) -> str:
        if n.ref is not None:
            return self.sym(n.ref)
        if _symbolic(n.value):  # exact: SymPy's LaTeX, a named value by its name (z_4^{(2)})
            value = n.value
            if n.text == getattr(value, "label", None):
                return to_latex(n.text)
            return sympy_latex(getattr(value, "definition", value))
        return to_latex(n.text)

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def quot(self, numerator: str, denominator: str) -> str:
        return rf"\frac{{{_unparen(numerator)}}}{{{_unparen(denominator)}}}"

    def power(self, base: str, exponent: int) -> str:
        return f"{base}^{{{exponent}}}"

    def exp(self, arg: str, simple: bool) -> str:
        return "e^{" + _SMALL_FRACTION.sub(r"\1/\2", arg) + "}"  # e^{-5/4}: readable size

    def func(self, name: str, args: list[str]) -> str:
        head = {"tanh": r"\tanh", "max": r"\max", "min": r"\min", "ln": r"\ln"}.get(name, name)
        return head + self.paren(", ".join(args))

    def threshold(self, arg: str, bound: str) -> str:
        return self.paren(rf"1 \text{{ if }} {arg} \geq {bound} \text{{ else }} 0")


LATEX_STYLE = LatexStyle()
_MINUS = re.compile(r"(?<![\w$])-(?=[\d.])")
_SMALL_FRACTION = re.compile(r"\\frac\{(\d+)\}\{(\d+)\}")


def _symbolic(value) -> bool:
    """A SymPy value (a named value of bpcalc.engine.exact too), not a float or Fraction."""
    return any(kind.__module__.startswith("sympy") for kind in type(value).__mro__)


# A named value as SymPy's LaTeX writes it (bpcalc.engine.exact.Named): \mathrm{z4}^{(2)}
_NAMED = re.compile(r"\\mathrm\{([^{}]*)\}\^\{\((\d+)\)\}")
_NAMED_GREEK = ((r"\Sigma ", "Σ"), (r"\Delta ", "Δ"), (r"\delta ", "δ"))


def _named(match: re.Match) -> str:
    """`\\mathrm{\\Delta w24}^{(2)}` -> `\\Delta w_{24}^{(2)}`, as the notation writes names."""
    name = match.group(1)
    for tex, greek in _NAMED_GREEK:
        name = name.replace(tex, greek)
    return to_latex(name) + "^{(" + match.group(2) + ")}"


def sympy_latex(value) -> str:
    """SymPy's LaTeX of an exact value, with exponents written on one line
    (`e^{-1/(e^{-5/4} + 1)}`): nested fractions in an exponent would be too small to read."""
    import sympy
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_ExpBase(self, expr, exp=None):
            linear = sympy.sstr(expr.args[0]).replace("**", "^").replace("exp(", "e^(")
            tex = "e^{" + to_latex(linear) + "}"
            return tex if exp is None else f"{{{tex}}}^{{{exp}}}"

    return _NAMED.sub(_named, Printer().doprint(value))


def _unparen(text: str) -> str:
    """`\\left(x\\right)` -> `x` where the parentheses wrap the whole text (a fraction's
    bar groups it already)."""
    opening, closing = r"\left(", r"\right)"
    if not (text.startswith(opening) and text.endswith(closing)):
        return text
    inner = text[len(opening):-len(closing)]
    depth = 0
    for index in range(len(inner)):
        if inner.startswith(opening, index):
            depth += 1
        elif inner.startswith(closing, index):
            depth -= 1
            if depth < 0:
                return text
    return inner


def wrap_sum(latex: str, width: int = ROW) -> str:
    """A long sum over several aligned rows (`a + b \\\\* &\\quad + c`), broken at a
    top-level + or -, and inside a term wider than a row at a top-level × (a product of
    long closed forms), so that a node with many inputs still fits the page."""
    terms = []
    for term in _split_top(latex, (" + ", " - ")):
        terms += _split_top(term, (r" \times ",)) if _visible(term) > width else [term]
    rows, row = [], ""
    for term in terms:
        if row and _visible(row + term) > width:
            rows.append(row)
            row = ""
        row += term
    return " \\\\*\n  &\\quad".join(rows + [row])


def _split_top(latex: str, marks: tuple[str, ...]) -> list[str]:
    """`latex` cut before each of `marks` outside every group (braces, \\left...\\right)."""
    pieces, depth, start = [], 0, 0
    for index in range(len(latex)):
        if latex.startswith(r"\left", index) or latex[index] == "{":
            depth += 1
        elif latex.startswith(r"\right", index) or latex[index] == "}":
            depth -= 1
        elif depth == 0 and index > start and latex.startswith(marks, index):
            pieces.append(latex[start:index])
            start = index
    return pieces + [latex[start:]]


def _visible(latex: str) -> int:
    """Roughly how many characters wide a piece of LaTeX maths prints."""
    return len(_BRACES.sub("", _COMMANDS.sub("x", latex)))


_COMMANDS = re.compile(r"\\(left|right|mathrm)?([a-zA-Z]+|.)")
_BRACES = re.compile(r"[{}_^]")


def label_latex(label: str) -> str:
    """A displayed formula's label before it (`output δ:`), words upright; "" for none."""
    if not label:
        return ""
    words = [rf"\text{{{escape_text(word)}}}" if word.isascii() else to_latex(word)
             for word in label.split()]
    return r"\ ".join(words) + r"\text{:}\quad "


def math_latex(math: Math, align: bool = False) -> str:
    """A formula's LaTeX (without `$`), for LaTeX and Markdown alike: its own where the
    builder gave one, else its text's; `align`: as a row of `align*`, with its `&`."""
    if math.latex is not None:
        return ("&" if align else "") + math.latex
    return to_latex(math.text, align=align)

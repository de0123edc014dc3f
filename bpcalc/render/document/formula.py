"""Plain formula text (`δ_j = f'(net_j) Σ_k δ_k w_jk`, `net4 = 0.9 * 0.5 = 0.45`) as LaTeX or HTML.

`bpcalc.render.names` and the worked lines write formulas once, as readable Unicode text
with `_` subscripts, `^` superscripts and names like `net4`, `w4_17`, `δ7`. The document
renderers typeset that same text here, so a new notation needs no change in any renderer.
Pure string work: no SymPy, no rich.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# A name with its index: `net4`, `w4_17` (the contract's name, shown as w_{4,17}), `δ_j`,
# `W^l`; or a number (`.9`, `1.25`); or one other character.
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<name>[A-Za-z]+|[\u0370-\u03ff])(?P<index>\d+(?:_\d+)*)?
  | (?P<op>>=|<=|->|.)
""", re.VERBOSE)

GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma",
    "φ": r"\varphi", "ω": r"\omega", "Δ": r"\Delta", "Σ": r"\sum", "Θ": r"\Theta",
}
_FUNCTIONS = {"tanh", "exp", "max", "min", "ln", "log", "sin", "cos", "sigmoid"}
_WORDS = {"if", "else", "otherwise", "and", "for", "with", "all"}
_LATEX_OPS = {
    "*": r"\times ", "×": r"\times ", "·": r"\cdot ", "←": r"\leftarrow ", "→": r"\to ",
    "->": r"\to ", "≈": r"\approx ", ">=": r"\geq ", "≥": r"\geq ", "<=": r"\leq ",
    "≤": r"\leq ", "<": r"\lt ", ">": r"\gt ", "½": r"\tfrac{1}{2}", "²": "^{2}",
    "…": r"\ldots ", "∂": r"\partial ", "−": "-", "{": r"\{", "}": r"\}", "%": r"\%",
    "#": r"\#", "&": r"\&", "$": r"\$", "|": r"\vert ", "~": r"\sim ", "\\": r"\backslash ",
    "∞": r"\infty ", "±": r"\pm ", "'": "'", "ᵀ": r"^{\top}", "⊙": r"\odot ",
}
_HTML_OPS = {
    "-": "\u2212", "−": "\u2212", "'": "\u2032", "*": "×", "->": "→", ">=": "≥", "<=": "≤",
    "²": "<sup>2</sup>",
}
_RELATIONS = {"=", "←", "≈"}


@dataclass
class _Atom:
    """One token of a formula: its kind, text, and any index or exponent attached to it."""

    kind: str  # space | number | name | op | group
    text: str
    sub: str | None = None  # subscript as formula text ("4,17", "jk")
    sup: list[_Atom] | None = None  # superscript, parsed


def _parse(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    tokens = list(_tokens(text))
    position = 0
    while position < len(tokens):
        kind, value, index = tokens[position]
        position += 1
        if kind == "name":
            atom = _Atom("name", value, sub=index.replace("_", ",") if index else None)
        elif kind == "number":
            atom = _Atom("number", value)
        elif kind == "space":
            atom = _Atom("space", " ")
        else:
            atom = _Atom("op", value)
        # `_x`, `_jk`, `_(…)` and `^x`, `^(…)`, `^-1.25` attach to the atom before them.
        while position < len(tokens) and tokens[position][1] in ("_", "^") \
                and atom.kind in ("name", "number", "op") and position + 1 < len(tokens):
            mark = tokens[position][1]
            taken, consumed = _script(tokens, position + 1)
            if consumed == 0:
                break
            position += 1 + consumed
            if mark == "_":
                atom.sub = (atom.sub + "," if atom.sub else "") + taken
            else:
                atom.sup = _parse(taken)
        atoms.append(atom)
    return atoms


def _tokens(text: str):
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup if match.lastgroup != "index" else "name"
        if match.group("name"):
            yield "name", match.group("name"), match.group("index")
        else:
            yield kind, match.group(kind), None


def _script(tokens: list, position: int) -> tuple[str, int]:
    """The text of a sub/superscript starting at `position` and how many tokens it used:
    a parenthesised group (parentheses dropped), a sign and one atom, or one atom."""
    kind, value, index = tokens[position]
    if value == "(":
        depth, end = 0, position
        while end < len(tokens):
            depth += {"(": 1, ")": -1}.get(tokens[end][1], 0)
            if depth == 0:
                break
            end += 1
        inner = "".join(t[1] + (t[2] or "") for t in tokens[position + 1:end])
        return inner, end - position + 1
    if value in ("-", "−") and position + 1 < len(tokens) \
            and tokens[position + 1][0] in ("name", "number"):
        after = tokens[position + 1]
        return "-" + after[1] + (after[2] or ""), 2
    if kind in ("name", "number"):
        return value + (index or ""), 1
    return "", 0


# -- LaTeX ---------------------------------------------------------------------------------


def to_latex(text: str, *, align: bool = False) -> str:
    """The formula as LaTeX math (without `$`); `align` puts `&` before the first relation,
    for `align*` environments."""
    # exact mode's named values carry their step as ⁽²⁾ (bpcalc.engine.exact): TeX writes ^(2)
    text = _STEP_MARK.sub(lambda m: "^((" + m.group(1).translate(_DIGITS) + "))", text)
    parts = []
    aligned = not align
    for atom in _parse(text):
        if not aligned and atom.kind == "op" and atom.text in _RELATIONS:
            parts.append("&")
            aligned = True
        parts.append(_latex_atom(atom))
    return re.sub(" {2,}", " ", "".join(parts)).strip()


_STEP_MARK = re.compile("⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾")
_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _latex_atom(atom: _Atom) -> str:
    if atom.kind == "space":
        return " "
    if atom.kind == "number":
        body = atom.text  # ".5" stays as the slides write it
    elif atom.kind == "name":
        body = _latex_name(atom.text)
    else:
        body = _LATEX_OPS.get(atom.text, atom.text)
    body = body.rstrip() if atom.sub or atom.sup is not None else body
    if atom.sub:
        body += "_{" + _latex_sub(atom.sub) + "}"
    if atom.sup is not None:
        body += "^{" + "".join(_latex_atom(a) for a in atom.sup).strip() + "}"
    return body


def _latex_name(name: str) -> str:
    if name in GREEK:
        return GREEK[name] + " "
    if len(name) == 1:
        return name
    if name in _FUNCTIONS:
        return rf"\operatorname{{{name}}}" if name == "sigmoid" else "\\" + name + " "
    if name in _WORDS:
        return rf"\text{{ {name} }}"
    return rf"\mathrm{{{name}}}"


def _latex_sub(sub: str) -> str:
    return "".join(_latex_atom(a) for a in _indices(_parse(sub))).strip()


def _indices(atoms: list[_Atom]) -> list[_Atom]:
    """In a subscript, a short run of letters is indices (`jk` is j, k), not a word."""
    out = []
    for atom in atoms:
        if atom.kind == "name" and 1 < len(atom.text) <= 3 and atom.text.isascii() \
                and atom.text not in _WORDS and atom.text not in _FUNCTIONS:
            out.extend(_Atom("name", letter) for letter in atom.text[:-1])
            out.append(_Atom("name", atom.text[-1], atom.sub, atom.sup))
        else:
            out.append(atom)
    return out


# -- HTML ----------------------------------------------------------------------------------


def to_html(text: str) -> str:
    """The formula as HTML: italic single letters, <sub>/<sup>, Unicode operators."""
    return "".join(_html_atom(atom) for atom in _parse(text)).strip()


def _html_atom(atom: _Atom) -> str:
    if atom.kind == "space":
        return " "
    if atom.kind == "number":
        body = atom.text
    elif atom.kind == "name":
        name = atom.text
        if len(name) == 1 and name.isascii():
            body = f"<i>{name}</i>"
        elif name in _WORDS:
            body = f"&nbsp;{name}&nbsp;"
        else:
            body = html.escape(name)
    else:
        body = _HTML_OPS.get(atom.text) or html.escape(atom.text)
    sub = "".join(map(_html_atom, _indices(_parse(atom.sub)))) if atom.sub else None
    sup = "".join(_html_atom(a) for a in atom.sup).strip() if atom.sup is not None else None
    if sub is not None and sup is not None:  # stacked, as W^l_ji is written (class in CSS)
        return f"{body}<span class=\"ss\"><sup>{sup}</sup><sub>{sub}</sub></span>"
    if sub is not None:
        body += f"<sub>{sub}</sub>"
    if sup is not None:
        body += f"<sup>{sup}</sup>"
    return body


def split_relation(text: str) -> tuple[str, str]:
    """`net4 = a + b = 1.25` -> (`net4 `, `= a + b = 1.25`): the parts either side of the
    first `=`, `←` or `≈` outside parentheses, for aligning worked lines; ("", text) if none."""
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth == 0 and token in _RELATIONS:
            return text[:match.start()], text[match.start():]
    return "", text

"""Worked lines: each computed value with its formula and the numbers put into it.

A hand solution is checked line by line (`net4 = .9 * .5 + .6 * .5 + 1 * .5 = 1.25`), so
one step of a trace becomes such lines, as data: a small expression tree per line (the
formula in symbols, the same formula with the trace's numbers, the result), which any
renderer typesets its own way. Pure: no rich, no SymPy import; every number is a value of
the trace, never recomputed. `expr` holds the tree, `style` the lines and their plain text
(Markdown, LaTeX, HTML subclass `PlainStyle`), `build` reads a trace into lines; the names
other modules use are re-exported here.
"""

from bpcalc.render.worked.build import (
    DIGITS,
    notation_of,
    step_lines,
    worked_steps,
)
from bpcalc.render.worked.expr import (
    Diff,
    Exp,
    Expr,
    Func,
    Neg,
    Num,
    Paren,
    Pow,
    Prod,
    Quot,
    Sum,
    Sym,
    Terms,
    Threshold,
)
from bpcalc.render.worked.style import (
    PLAIN,
    PLAIN_EXACT,
    SECTIONS,
    PlainStyle,
    StepWork,
    WorkedLine,
    lines_text,
    plain_style,
)

__all__ = [
    "DIGITS", "PLAIN", "PLAIN_EXACT", "SECTIONS", "Diff", "Exp", "Expr", "Func", "Neg", "Num",
    "Paren", "PlainStyle", "Pow", "Prod", "Quot", "StepWork", "Sum", "Sym", "Terms",
    "Threshold", "WorkedLine", "lines_text", "notation_of", "plain_style", "step_lines",
    "worked_steps",
]

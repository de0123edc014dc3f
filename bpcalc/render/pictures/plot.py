"""The error per epoch as a line plot, and the one place figures become SVG, PNG or PDF
bytes.

`error_plot_data` is the plot's data, straight from the engine's error per epoch (tested
without drawing). matplotlib is imported only inside the drawing functions, and only its
object-oriented API is used (a `Figure`, never pyplot), so no state leaks between calls.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bpcalc.engine.trace import Trace
from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.model import Problem
from bpcalc.render.names import Notation, notation_for
from bpcalc.text import format_float, fraction_text

FORMATS = ("svg", "png", "pdf")
PNG_DPI = 120
# Fixed so that the same trace always gives byte-identical SVG (ids are hashed with this).
SVG_SALT = "bpcalc"
# Every text is drawn as the characters it holds: never as mathtext (a title's `$5 and $2`
# would be typeset as maths, and an unbalanced `$x_$` crashes the parser) nor through LaTeX.
LITERAL = {"parse_math": False, "usetex": False}


def figure_bytes(figure, fmt: str) -> bytes:
    """Render a Figure as SVG (text kept as <text>, no date), PNG, or PDF (matplotlib's
    PDF backend: vector, fonts embedded as TrueType so text stays text, no date),
    deterministically."""
    import matplotlib

    if fmt not in FORMATS:
        raise ProblemError(f"pictures are svg, png or pdf, not {quoted(fmt)}", key="--output")
    buffer = io.BytesIO()
    settings = {"svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "font.family": "DejaVu Sans",
                "text.usetex": False, "pdf.fonttype": 42}
    metadata = {"svg": {"Date": None}, "png": {"Software": "bpcalc"},
                "pdf": {"CreationDate": None, "Creator": "bpcalc"}}[fmt]
    import warnings

    # A title in a script the font lacks draws boxes; matplotlib's warning about it would
    # only be noise on the user's terminal.
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return buffer.getvalue()


def inline_svg(svg: str) -> str:
    """The <svg> element alone, to put inside HTML: no XML declaration or DOCTYPE, no
    metadata, no namespace declarations (HTML knows <svg>), and `href` for `xlink:href`,
    so the page names no outside address at all; `#id` references stay inside the page."""
    import re

    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.replace("xlink:href=", "href=")


def problem_notation(problem: Problem) -> Notation:
    """The problem's symbols (its `notation`, else its convention's) with its convention's
    signs; a notation unknown here falls back to the convention's own."""
    try:
        return notation_for(problem.convention, getattr(problem, "notation", None))
    except KeyError:
        return notation_for(problem.convention)


def error_plot_data(trace: Trace) -> tuple[Sequence[int], Sequence[float]]:
    """Epoch numbers and total errors; a plot needs two epochs or more to show a trend.
    The engine's own array of totals (8 bytes an epoch), not a list: a plot of 2,000,000
    epochs holds 16 MB of them, not a quarter of a gigabyte of Python objects."""
    totals = trace.epoch_totals().totals()
    if len(totals) < 2:
        raise ProblemError(f"plot needs epochs >= 2 (this run has {len(totals)}); "
                           "give --epochs N", key="epochs")
    return range(1, len(totals) + 1), totals


def error_plot_figure(trace: Trace):
    """A Figure of the error per epoch, titled with the problem and the loss formula."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    epochs, errors = error_plot_data(trace)
    problem = trace.problem
    notation = problem_notation(problem)
    figure = Figure(figsize=(6.4, 4.0))
    axes = figure.add_subplot()
    axes.plot(epochs, errors, color="#1f6fb2", linewidth=1.6,
              marker="o" if len(epochs) <= 40 else None, markersize=3.5)
    import textwrap

    title = textwrap.fill(f"{problem.title or 'network'}: error per epoch", 64)
    axes.set_title(title, fontsize=11, fontweight="bold", **LITERAL)
    patterns = len(problem.patterns)
    summed = f", summed over the {patterns} patterns" if patterns > 1 else ""
    axes.set_xlabel("epoch", **LITERAL)
    axes.set_ylabel(f"error {notation.error}", **LITERAL)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(True, color="#dddddd", linewidth=0.6)
    span = max(len(errors) - 1, 1)
    axes.set_xlim(1 - 0.02 * span, len(errors) + 0.12 * span)  # room for the last value
    threshold = until_threshold(trace) or 0.0
    highest = max(float(max(errors)), threshold)
    # the error's true scale from 0, never a zoomed-in axis; room above for the labels
    axes.set_ylim(0, highest * 1.12 if highest > 0 else 1.0)
    until_line(axes, trace, notation)
    # the final value right of its point, where the line (coming from the left) is not
    axes.annotate(f"{format_float(errors[-1], 4)}", (epochs[-1], errors[-1]),
                  textcoords="offset points", xytext=(6, 6), ha="left", va="bottom",
                  fontsize=8, color="#1f6fb2", **LITERAL)
    figure.text(0.5, 0.015, plot_caption(problem, notation, summed), ha="center",
                va="bottom", fontsize=8, color="#444444", usetex=False,
                parse_math=_mathtext_ok(plot_caption(problem, notation, summed)))
    figure.subplots_adjust(left=0.12, right=0.96, top=0.9, bottom=0.2)
    return figure


def plot_caption(problem: Problem, notation: Notation, summed: str) -> str:
    """The caption: the loss formula typeset by mathtext (`$E = \\frac{1}{2} \\sum_{k}...$`),
    then the run's updates and rate. Only bpcalc's own text reaches mathtext: the formula
    is the notation's, the rate a number; the problem's title never does (LITERAL)."""
    from bpcalc.render.document.formula import to_latex

    formula = to_latex(notation.loss_formula(problem.loss)).replace(r"\tfrac", r"\frac")
    rate = to_latex(f"{notation.rate} = {fraction_text(problem.learning_rate)}")
    return f"${formula}${summed}; {problem.update} updates, ${rate}$"


def _mathtext_ok(text: str) -> bool:
    """Whether mathtext can typeset `text` (else it is drawn as it is, never crashing)."""
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(text)
    except ValueError:
        return False
    return True


def until_threshold(trace: Trace) -> float | None:
    """The error `until` stops at, or None (no until, or until no_mistakes)."""
    until = trace.problem.until
    return None if until is None or until.error is None else float(until.error)


def until_line(axes, trace: Trace, notation: Notation) -> None:
    """A dashed horizontal line at the error `until` stops at, labelled, and the epoch it
    stopped at where it did."""
    threshold = until_threshold(trace)
    if threshold is None:
        return
    label = f"until {notation.error} <= {fraction_text(trace.problem.until.error)}"
    if trace.stopped is not None and trace.stopped[1] == "until":
        label += f" (met at epoch {trace.stopped[0]})"
    axes.axhline(threshold, color="#c0392b", linestyle="--", linewidth=1.0, label=label)
    axes.legend(loc="upper right", fontsize=8, frameon=False)


def error_plot_svg(trace: Trace) -> str:
    """The error plot as SVG text, for embedding (HTML/Markdown keys) or writing."""
    return figure_bytes(error_plot_figure(trace), "svg").decode("utf-8")


def error_plot_png(trace: Trace) -> bytes:
    return figure_bytes(error_plot_figure(trace), "png")


def error_plot_bytes(trace: Trace, fmt: str) -> bytes:
    """The error plot in one picture format: svg, png or pdf."""
    return figure_bytes(error_plot_figure(trace), fmt)

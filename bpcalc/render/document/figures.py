"""The pictures of a document: the network with its initial weights in the statement, and
for several epochs the error plot in the result, drawn in the forms its renderer shows
(svg: HTML inlines it; png: Markdown's data: URI image; latex: a picture pdflatex draws).
matplotlib is imported only when a picture is drawn."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from bpcalc.render.document.model import Document, Picture, Result, Statement

if TYPE_CHECKING:
    from bpcalc.engine.trace import Trace


def network_picture(trace: Trace,
                    drawings: tuple[str, ...] = ("svg", "latex")) -> Picture | None:
    """The network with its initial weights, drawn as `drawings` asks (svg: for HTML,
    png: for Markdown, latex: a LaTeX picture); None for a network too large to draw (the
    initial weights table says it all)."""
    from bpcalc.errors import ProblemError
    from bpcalc.render.pictures.diagram import (
        UNLABELLED,
        diagram_bytes,
        layout_diagram,
        weights_labelled,
    )
    from bpcalc.render.pictures.latex import diagram_latex

    # a network drawn without weight labels says so, and where its weights are
    caption = ("The network with its initial weights" if weights_labelled(trace.problem.network)
               else f"The network ({UNLABELLED}: the initial weights are in the table below)")
    with contextlib.suppress(ProblemError):
        svg = diagram_bytes(trace, fmt="svg").decode() if "svg" in drawings else ""
        png = diagram_bytes(trace, fmt="png") if "png" in drawings else b""
        latex = diagram_latex(layout_diagram(trace)) if "latex" in drawings else ""
        return Picture(caption, svg, latex, png)
    return None


def add_pictures(doc: Document, trace: Trace, drawings: tuple[str, ...] = ("svg",)) -> None:
    """The network with its initial weights in the statement, and for several epochs the
    error plot in the result (SVG or PNG: a LaTeX key lists the error per epoch)."""
    from bpcalc.render.pictures.plot import error_plot_bytes

    for index, block in enumerate(doc.blocks):
        if isinstance(block, Statement):
            doc.blocks[index] = block._replace(picture=network_picture(trace, drawings))
        elif isinstance(block, Result) and len(trace.epoch_errors()) > 1 and (
                "svg" in drawings or "png" in drawings):
            svg = error_plot_bytes(trace, "svg").decode() if "svg" in drawings else ""
            png = error_plot_bytes(trace, "png") if "png" in drawings else b""
            picture = Picture("Error per epoch", svg, png=png)
            doc.blocks[index] = block._replace(picture=picture)

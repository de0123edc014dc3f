"""The network diagram as a LaTeX `picture`: drawn by pdflatex itself, so it stays vector
and needs no file beside the .tex and no package beyond texlive-latex-base (the kernel's
picture mode and `color` for the white behind each weight).

The layout is the diagram's own (`diagram.layout_diagram`, in inches), so the picture
matches `bpcalc diagram`. Edges are `\\qbezier` with the control point at the midpoint (a
straight line at any slope: the kernel's `\\line` has only a few), stopped at each node's
edge.
"""

from __future__ import annotations

import math

from bpcalc.render.pictures.diagram import RADIUS, Diagram

TEXT_WIDTH = 6.3  # inches: A4 with 2 cm margins, less a little


def diagram_latex(diagram: Diagram) -> str:
    """The diagram as a `picture` environment, scaled down to fit the text width."""
    from bpcalc.render.document.latex import escape_text

    unit = min(1.0, TEXT_WIDTH / diagram.width)
    top = diagram.height - 0.55  # the diagram's title and subtitle are the document's
    lines = [f"\\setlength{{\\unitlength}}{{{unit:.3f}in}}",
             f"\\begin{{picture}}({diagram.width:.2f},{top:.2f})"]
    for x, caption in diagram.columns:
        lines.append(f"\\put({x:.3f},{top - 0.25:.3f}){{\\makebox(0,0){{\\small\\itshape "
                     f"{escape_text(caption)}}}}}")
    for edge in diagram.edges:
        (x0, y0), (x1, y1) = _shortened(edge.start, edge.end, RADIUS)
        lines.append(f"\\qbezier({x0:.3f},{y0:.3f})({(x0 + x1) / 2:.3f},{(y0 + y1) / 2:.3f})"
                     f"({x1:.3f},{y1:.3f})")
    for edge in (edge for edge in diagram.edges if edge.label):
        label = escape_text(edge.label).replace("-", "$-$")
        lines.append(f"\\put({edge.at[0]:.3f},{edge.at[1]:.3f}){{\\makebox(0,0)"
                     f"{{\\fboxsep=1pt\\colorbox{{white}}{{\\scriptsize {label}}}}}}}")
    for node in diagram.nodes:
        if node.kind == "bias":
            lines.append(f"\\put({node.x - RADIUS:.3f},{node.y - RADIUS:.3f})"
                         f"{{\\dashbox{{0.06}}({2 * RADIUS:.2f},{2 * RADIUS:.2f}){{}}}}")
            lines.append(f"\\put({node.x:.3f},{node.y - RADIUS - 0.14:.3f}){{\\makebox(0,0)"
                         f"{{\\scriptsize {escape_text(node.caption)}}}}}")
        else:
            lines.append(f"\\put({node.x:.3f},{node.y:.3f}){{\\circle{{{2 * RADIUS:.2f}}}}}")
        lines.append(f"\\put({node.x:.3f},{node.y:.3f}){{\\makebox(0,0){{\\bfseries "
                     f"{node.id}}}}}")
    lines.append("\\end{picture}")
    return "\n".join(lines) + "\n"


def _shortened(start, end, by: float):
    """The segment from `start` to `end` less `by` at each end (it meets the nodes' edges)."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if length <= 2 * by:
        return start, end
    dx, dy = (x1 - x0) / length * by, (y1 - y0) / length * by
    return (x0 + dx, y0 + dy), (x1 - dx, y1 - dy)

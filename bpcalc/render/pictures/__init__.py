"""Pictures drawn with matplotlib: the network diagram and the error plot.

The documented entry points are re-exported here (matplotlib is imported only when one is
called): `diagram_svg(trace, step, weights)`, `error_plot_svg(trace)` and `inline_svg`.
"""

from __future__ import annotations


def diagram_svg(*args, **kwargs):
    from bpcalc.render.pictures.diagram import diagram_svg as draw

    return draw(*args, **kwargs)


def error_plot_svg(*args, **kwargs):
    from bpcalc.render.pictures.plot import error_plot_svg as draw

    return draw(*args, **kwargs)


def inline_svg(*args, **kwargs):
    from bpcalc.render.pictures.plot import inline_svg as inline

    return inline(*args, **kwargs)

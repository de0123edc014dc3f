"""`bpcalc plot`: the error per epoch of a run of several epochs, as SVG or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded
from bpcalc.commands.diagram import picture_format, solved_trace, write_picture
from bpcalc.commands.solve import Convention


def plot(
    file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="error.svg or error.png (format by extension); else SVG on "
                               "stdout.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Number of epochs (overrides the file).")]
    = None,
    learning_rate: Annotated[str | None, typer.Option(
        help="Learning rate, a decimal or fraction like 1/4 (overrides the file).")] = None,
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention and names (overrides the file).")] = None,
    round_places: Annotated[int | None, typer.Option(
        "--round", help="Round every computed value to N decimal places.")] = None,
    sigfigs: Annotated[int | None, typer.Option(
        help="Round every computed value to N significant figures.")] = None,
) -> None:
    """Plot the error per epoch (needs 2 epochs or more)."""

    def job() -> None:
        fmt = picture_format(output)
        trace = solved_trace(file, convention=convention, round_places=round_places,
                             sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)
        from bpcalc.render.plot import error_plot_data, error_plot_png, error_plot_svg

        error_plot_data(trace)  # refuses a single epoch before matplotlib is imported
        data = error_plot_png(trace) if fmt == "png" else error_plot_svg(trace).encode()
        write_picture(data, output)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(plot)

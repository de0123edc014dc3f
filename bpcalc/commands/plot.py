"""`bpcalc plot`: the error per epoch of a run of several epochs, as SVG, PNG or PDF."""

from __future__ import annotations

from typing import Annotated

import typer

from bpcalc.commands.common import (
    ConventionOption,
    EpochsOption,
    ForceOption,
    LearningRateOption,
    NotationOption,
    ProblemArgument,
    RoundOption,
    SigfigsOption,
    register_command,
    run_guarded,
)
from bpcalc.commands.diagram import picture_format, solved_trace
from bpcalc.commands.files import check_output, write_output


def plot(
    file: ProblemArgument,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="error.svg, error.png or error.pdf (format by extension); else SVG on "
             "stdout.")] = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    force: ForceOption = False,
) -> None:
    """Plot the error per epoch (needs 2 epochs or more)."""

    def job() -> None:
        check_output(output, force=force, inputs=[("the problem file", file)])
        fmt = picture_format(output)
        # Only the error per epoch is drawn: no step is recorded, whatever the run's length.
        trace, _ = solved_trace(file, record=False, convention=convention, notation=notation,
                                round_places=round_places, sigfigs=sigfigs, epochs=epochs,
                                learning_rate=learning_rate)
        from bpcalc.render.pictures.plot import error_plot_bytes, error_plot_data

        error_plot_data(trace)  # refuses a single epoch before matplotlib is imported
        write_output(error_plot_bytes(trace, fmt.name), output, force=force)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    register_command(app, plot, "Plot the error per epoch (SVG, PNG or PDF).",
                     "bpcalc plot problems/xor.yaml --epochs 500 -o error.svg")

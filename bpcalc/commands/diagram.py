"""`bpcalc diagram`: draw the network with its weights (and one step's values) as SVG, PNG
or PDF."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
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
    load_with_overrides,
    register_command,
    run_guarded,
)
from bpcalc.commands.files import check_output, write_output, writes_directly
from bpcalc.errors import ProblemError, quoted
from bpcalc.render.formats import FORMATS, Format, by_extension


class WeightsShown(StrEnum):
    before = "before"
    after = "after"


def picture_format(output: str | None) -> Format:
    """svg, png or pdf (bpcalc.render.formats) from the output's extension; standard output,
    a device or a FIFO without one gets SVG; any other name is refused."""
    entry = by_extension(Path(output or "").suffix)
    if entry is not None:
        return entry
    if output is None or (output != "" and writes_directly(output)):
        return FORMATS["svg"]
    raise ProblemError("pictures are written as .svg, .png or .pdf, got "
                       f"{quoted(Path(output).name)}", key="--output")


def solved_trace(file: Path, *, step: str | None = None, record: bool = True, **overrides):
    """Load, apply the command-line overrides, and solve in the problem's own arithmetic,
    keeping only what a picture needs: the step `step` names (else step 1, whose weights
    are the initial ones), or with `record=False` no step at all (a plot reads only the
    error per epoch). Returns the trace and the step's number (None without `step`)."""
    from bpcalc.engine.backprop import train
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.engine.stopping import with_epochs_run

    problem = load_with_overrides(file, **overrides)
    arithmetic = make_arithmetic(problem.rounding, False)
    if step is not None:
        problem = with_epochs_run(problem, arithmetic)
    number = parse_step(step, problem.step_count) if step is not None else None
    run = train(problem, arithmetic, record=record)
    return run.trace(keep={number or 1}), number


def parse_step(text: str, step_count: int) -> int:
    """A step number from 1, or `last`."""
    if text.strip().lower() == "last":
        return step_count
    try:
        number = int(text)
    except ValueError:
        raise ProblemError(f"expected a step number or last, got {quoted(text)}",
                           key="--step") from None
    if not 1 <= number <= step_count:
        shown = number if len(text.strip()) <= 20 else quoted(text.strip(), 20)
        raise ProblemError(f"steps run from 1 to {step_count}, got {shown}", key="--step")
    return number


def diagram(
    file: ProblemArgument,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="net.svg, net.png or net.pdf (format by extension); else SVG on stdout.")]
    = None,
    step: Annotated[str | None, typer.Option(
        metavar="STEP",
        help="Show this step's net, activation and delta on the nodes (a number or last).")]
    = None,
    weights: Annotated[WeightsShown, typer.Option(
        help="before: the weights the step used (no --step: the initial ones); after: "
             "after its update (no --step: the final ones).")] = WeightsShown.before,
    names: Annotated[bool, typer.Option(help="Label edges `w47 = 0.5`, not just `0.5`.")]
    = False,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
    force: ForceOption = False,
) -> None:
    """Draw the network as the slides do: numbered nodes, bias squares, weights on edges."""

    def job() -> None:
        check_output(output, force=force, inputs=[("the problem file", file)])
        fmt = picture_format(output)
        trace, number = solved_trace(file, step=step, convention=convention,
                                     notation=notation, round_places=round_places,
                                     sigfigs=sigfigs, epochs=epochs,
                                     learning_rate=learning_rate)
        from bpcalc.render.pictures.diagram import UNLABELLED, diagram_bytes, weights_labelled

        write_output(diagram_bytes(trace, number, weights.value, names, fmt.name), output,
                     force=force)
        if not weights_labelled(trace.problem.network):
            import sys

            sizes = "-".join(map(str, trace.problem.network.sizes))
            sys.stderr.write(f"bpcalc: note: the {sizes} network is drawn without weight "
                             f"labels ({UNLABELLED}; bpcalc solve lists them)\n")

    run_guarded(job)


def register(app: typer.Typer) -> None:
    register_command(app, diagram, "Draw the network and its weights (SVG, PNG or PDF).",
                     "bpcalc diagram problems/slides_2-2-1.yaml -o net.svg",
                     "bpcalc diagram p.yaml --step 1 --weights after -o s1.png",
                     "bpcalc diagram p.yaml -o net.pdf   # for LaTeX")

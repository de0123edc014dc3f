"""`bpcalc diagram`: draw the network with its weights (and one step's values) as SVG/PNG."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded
from bpcalc.commands.solve import Convention
from bpcalc.errors import ProblemError


class WeightsShown(StrEnum):
    before = "before"
    after = "after"


def picture_format(output: Path | None) -> str:
    """svg or png from the output's extension (stdout gets SVG); anything else is refused."""
    if output is None:
        return "svg"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in ("svg", "png"):
        raise ProblemError(f"pictures are written as .svg or .png, got {output.name!r}",
                           key="--output")
    return suffix


def write_picture(data: bytes, output: Path | None) -> None:
    """All or nothing, like `write_output`, but bytes (PNG is binary)."""
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    target = Path(output)
    temporary = target.with_name(f".{target.name}.bpcalc-tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ProblemError(f"cannot write '{output}': {exc.strerror}", key="--output") from None


def solved_trace(file: Path, **overrides):
    """Load, apply the command-line overrides, and solve in the problem's own arithmetic."""
    from bpcalc.arithmetic import make_arithmetic
    from bpcalc.engine import solve
    from bpcalc.loader import apply_overrides, load_problem

    convention = overrides.pop("convention", None)
    problem = apply_overrides(load_problem(str(file)),
                              convention=convention.value if convention else None, **overrides)
    return solve(problem, make_arithmetic(problem.rounding, False))


def parse_step(text: str, step_count: int) -> int:
    """A step number from 1, or `last`."""
    if text.strip().lower() == "last":
        return step_count
    try:
        number = int(text)
    except ValueError:
        raise ProblemError(f"expected a step number or last, got {text!r}",
                           key="--step") from None
    if not 1 <= number <= step_count:
        raise ProblemError(f"steps run from 1 to {step_count}, got {number}", key="--step")
    return number


def diagram(
    file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="net.svg or net.png (format by extension); else SVG on stdout.")]
    = None,
    step: Annotated[str | None, typer.Option(
        help="Show this step's net, activation and delta on the nodes (a number or last).")]
    = None,
    weights: Annotated[WeightsShown, typer.Option(
        help="before: the weights the step used (no --step: the initial ones); after: "
             "after its update (no --step: the final ones).")] = WeightsShown.before,
    names: Annotated[bool, typer.Option(help="Label edges `w47 = 0.5`, not just `0.5`.")]
    = False,
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention and names (overrides the file).")] = None,
    round_places: Annotated[int | None, typer.Option(
        "--round", help="Round every computed value to N decimal places.")] = None,
    sigfigs: Annotated[int | None, typer.Option(
        help="Round every computed value to N significant figures.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Number of epochs (overrides the file).")]
    = None,
    learning_rate: Annotated[str | None, typer.Option(
        help="Learning rate, a decimal or fraction like 1/4 (overrides the file).")] = None,
) -> None:
    """Draw the network as the slides do: numbered nodes, bias squares, weights on edges."""

    def job() -> None:
        fmt = picture_format(output)
        trace = solved_trace(file, convention=convention, round_places=round_places,
                             sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)
        number = parse_step(step, len(trace.steps)) if step is not None else None
        from bpcalc.render.diagram import diagram_png, diagram_svg

        if fmt == "png":
            data = diagram_png(trace, number, weights.value, names)
        else:
            data = diagram_svg(trace, number, weights.value, names).encode("utf-8")
        write_picture(data, output)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(diagram)

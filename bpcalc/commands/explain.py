"""`bpcalc explain FILE w14`: dE/dw by the chain rule, checked against backprop's deltas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded, write_output
from bpcalc.commands.solve import Convention, NotationName
from bpcalc.errors import ProblemError


def explain(
    file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    weight: Annotated[str, typer.Argument(
        metavar="WEIGHT", help="The weight to explain: w14, or w4_17 for longer ids.")],
    step: Annotated[int, typer.Option(help="Which step (pattern presentation), from 1.")] = 1,
    exact: Annotated[bool, typer.Option(help="Exact SymPy values beside the decimals.")]
    = False,
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention and names (overrides the file).")] = None,
    notation: Annotated[NotationName | None, typer.Option(
        help="Symbols to print (slides, textbook, paper, notes), whatever the convention; "
             "default: the convention's own.")] = None,
    round_places: Annotated[int | None, typer.Option(
        "--round", help="Round every computed value to N decimal places (hand rounding).")]
    = None,
    sigfigs: Annotated[int | None, typer.Option(
        help="Round every computed value to N significant figures.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Number of epochs (overrides the file).")]
    = None,
    learning_rate: Annotated[str | None, typer.Option(
        help="Learning rate, a decimal or fraction like 1/4 (overrides the file).")] = None,
    paths: Annotated[int, typer.Option(
        help="List at most N paths one by one (0: all); the sum always has every path.")]
    = 24,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of the terminal.")] = None,
) -> None:
    """dE/dWEIGHT by the chain rule along every path, checked against backprop's deltas."""

    def job() -> None:
        from dataclasses import replace

        from bpcalc.arithmetic import make_arithmetic
        from bpcalc.chainrule import check_weight
        from bpcalc.chainrule import explain as explain_weight
        from bpcalc.engine import solve as solve_problem
        from bpcalc.loader import apply_overrides, load_problem, parse_weight_name

        problem = load_problem(str(file))
        problem = apply_overrides(
            problem, convention=convention.value if convention else None,
            round_places=round_places, sigfigs=sigfigs, epochs=epochs,
            learning_rate=learning_rate, notation=notation.value if notation else None)
        key = parse_weight_name(weight)
        if key is None:
            raise ProblemError(f"expected a weight name like w47 or w4_7, got {weight!r}",
                               key="WEIGHT")
        check_weight(problem, key)
        if not 1 <= step <= problem.step_count:
            raise ProblemError(f"steps run from 1 to {problem.step_count}, got {step}",
                               key="--step")
        if paths < 0:
            raise ProblemError("must be 0 (all) or more", key="--paths")
        # Only the epochs up to the chosen step need solving (a batch epoch stays whole).
        needed = -(-step // len(problem.patterns))
        trace = solve_problem(replace(problem, epochs=needed),
                              make_arithmetic(problem.rounding, exact))
        rule = explain_weight(trace, key, step)
        from bpcalc.render.explain import render_explain_text

        terminal = output is None and sys.stdout.isatty()
        write_output(render_explain_text(rule, problem, trace.arithmetic, exact=exact,
                                         paths=paths, color=terminal), output)

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(explain)

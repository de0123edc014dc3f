"""`bpcalc explain FILE w14`: dE/dw by the chain rule, checked against backprop's deltas."""

from __future__ import annotations

from typing import Annotated

import typer

from bpcalc.commands.common import (
    ConventionOption,
    EpochsOption,
    ForceOption,
    LearningRateOption,
    NotationOption,
    OutputOption,
    ProblemArgument,
    RoundOption,
    SigfigsOption,
    load_with_overrides,
    register_command,
    run_guarded,
)
from bpcalc.commands.files import check_output, write_output
from bpcalc.commands.terminal import ColorChoice, ColorOption, screen_for
from bpcalc.errors import ProblemError


def explain(
    file: ProblemArgument,
    weight: Annotated[str, typer.Argument(
        metavar="WEIGHT", help="The weight to explain: w14 (or w4_17 for longer ids), "
        "the textbook's v14, or the notes' θ41 (to 4 from 1).")],
    step: Annotated[str, typer.Option(
        metavar="STEP", help="Which step (pattern presentation): a number from 1, or last.")] = "1",
    exact: Annotated[bool, typer.Option(help="Exact SymPy values beside the decimals.")]
    = False,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
    paths: Annotated[int, typer.Option(
        metavar="N",
        help="List at most N paths one by one (0: all); the sum always has every path.")]
    = 24,
    output: OutputOption = None,
    force: ForceOption = False,
    color: ColorOption = ColorChoice.auto,
) -> None:
    """dE/dWEIGHT by the chain rule along every path, checked against backprop's deltas."""

    def job() -> None:
        from dataclasses import replace

        from bpcalc.commands.diagram import parse_step
        from bpcalc.engine.backprop import train
        from bpcalc.engine.chainrule import check_weight
        from bpcalc.engine.chainrule import explain as explain_weight
        from bpcalc.engine.numbers import make_arithmetic

        check_output(output, force=force, inputs=[("the problem file", file)])
        problem = load_with_overrides(
            file, convention=convention, notation=notation, round_places=round_places,
            sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)
        key = weight_key(weight)
        check_weight(problem, key)
        from bpcalc.engine.stopping import with_epochs_run

        problem = with_epochs_run(problem, make_arithmetic(problem.rounding, exact))
        number = parse_step(step, problem.step_count)
        if paths < 0:
            raise ProblemError("must be 0 (all) or more", key="--paths")
        # Only the epochs up to the chosen step need solving (a batch epoch stays whole).
        needed = replace(problem, epochs=-(-number // len(problem.patterns)))
        run = train(needed, make_arithmetic(problem.rounding, exact))
        trace = run.trace(keep={number})  # the chain rule reads that step alone
        rule = explain_weight(trace, key, number)
        from bpcalc.render.terminal.explain import render_explain_text

        screen = screen_for(color, output)
        write_output(render_explain_text(rule, problem, trace.arithmetic, exact=exact,
                                         paths=paths, color=screen.color, width=screen.width),
                     output, force=force)

    run_guarded(job)


def weight_key(text: str) -> tuple[int, int]:
    """(from, to) of a weight as a student of any notation writes it: w14 and the textbook's
    v14 go from 1 to 4; the notes' θ41 (or theta41) is written to-from, so it is (1, 4)."""
    from bpcalc.errors import quoted
    from bpcalc.problem.loader import node_id_refusal, parse_weight_name

    word = text.strip()
    letter = next((p for p in ("theta", "θ", "v") if word.lower().startswith(p)), "")
    backwards = letter in ("theta", "θ")
    name = f"w{word[len(letter):]}" if letter else word
    key = parse_weight_name(name)
    if key is None:
        beyond = node_id_refusal(name)
        raise ProblemError(f"{quoted(text)} {beyond}" if beyond else "expected a weight name "
                           f"like w47, w4_7, v14 or θ74, got {quoted(text)}", key="WEIGHT")
    return (key[1], key[0]) if backwards else key


def register(app: typer.Typer) -> None:
    register_command(app, explain, "Show one weight's gradient by the chain rule, path by "
                     "path.",
                     "bpcalc explain problems/slides_2-2-1.yaml w14",
                     "bpcalc explain p.yaml w47 --step last --exact")

"""`bpcalc handout`: the problem as a student receives it, with no answers (Markdown, LaTeX
or HTML: bpcalc.render.document.handout)."""

from __future__ import annotations

from enum import StrEnum
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
from bpcalc.render import formats


class HandoutFormat(StrEnum):  # formats.FORMATS' handout-markdown, handout-latex, handout-html
    markdown = "markdown"
    latex = "latex"
    html = "html"


def handout(
    file: ProblemArgument,
    format: Annotated[HandoutFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="markdown, latex (pdflatex) or html. Default: from -o's extension (.md .tex "
             ".html), else markdown.")] = None,
    output: OutputOption = None,
    force: ForceOption = False,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
) -> None:
    """Write the problem as a student receives it: the statement, the network with its
    initial weights, the patterns and what to compute, with no answers (nothing is
    solved)."""

    def job() -> None:
        chosen = handout_format(output, format)
        check_output(output, force=force, inputs=[("the problem file", file)])
        problem = load_with_overrides(file, convention=convention, notation=notation,
                                      round_places=round_places, sigfigs=sigfigs,
                                      epochs=epochs, learning_rate=learning_rate)
        write_output(formats.render_handout(problem, chosen), output, force=force)

    run_guarded(job)


def handout_format(output: str | None, given: HandoutFormat | None) -> formats.Format:
    """The handout format --format names, or -o's extension does (formats.EXTENSIONS)."""
    names = [entry.name for entry in formats.HANDOUT_FORMATS]
    name = formats.output_format(output, f"handout-{given.value}" if given else None, names,
                                 "handout-markdown")
    return formats.FORMATS[name]


def register(app: typer.Typer) -> None:
    register_command(app, handout, "Write the problem for students, with no answers.",
                     "bpcalc handout problems/slides_2-2-1.yaml -o sheet.md",
                     "bpcalc handout p.yaml -o sheet.tex   # for pdflatex",
                     "bpcalc handout p.yaml -f html > sheet.html")

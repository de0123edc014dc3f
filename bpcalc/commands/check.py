"""`bpcalc check`: judge a student's answers file against the solved problem."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import (
    Convention,
    ForceOption,
    OutputOption,
    problem_argument,
    register_command,
    run_guarded,
)
from bpcalc.commands.files import check_output, write_output
from bpcalc.commands.terminal import ColorChoice, ColorOption, screen_for
from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.yamlsource import STDIN, source_name
from bpcalc.render import formats

# Exit status when the check ran but some answers are wrong (2 stays for bad input).
SOME_WRONG = 3


# The reports of bpcalc.render.formats.CHECK_FORMATS.
CheckFormat = StrEnum("CheckFormat", {name: name for name in formats.CHECK_FORMATS})


def check(
    problem_file: Annotated[Path, problem_argument(metavar="PROBLEM_FILE")],
    answers_file: Annotated[Path, problem_argument("The student's answers, a YAML file",
                                                   metavar="ANSWERS_FILE")],
    format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="table (terminal), json, or gradescope (results.json). Default: from -o's "
             "extension (.txt table, .json json), else table.")] = None,
    round_places: Annotated[int | None, typer.Option(
        "--round", metavar="N",
        help="Expect every value rounded to N decimal places along the way.")]
    = None,
    sigfigs: Annotated[int | None, typer.Option(
        metavar="N",
        help="Expect every value rounded to N significant figures along the way.")] = None,
    tolerance: Annotated[str | None, typer.Option(
        metavar="X",
        help="Right when within this absolute distance (instead of the written digits).")]
    = None,
    detect_rounding: Annotated[bool, typer.Option(
        "--detect-rounding/--no-detect-rounding",
        help="Accept answers that match the solution hand-rounded to 2-6 places or "
             "3-4 significant figures.")] = True,
    convention: Annotated[Convention | None, typer.Option(
        help="Sign convention of the answers (overrides the problem file).")] = None,
    output: OutputOption = None,
    force: ForceOption = False,
    color: ColorOption = ColorChoice.auto,
) -> None:
    """Check a student's answers: a verdict per value (the words right or wrong), a score,
    and the likely mistake behind each wrong value.

    Exit status: 0 all right, 3 some wrong, 2 bad input.
    """

    def job() -> int:
        if str(problem_file) == STDIN and str(answers_file) == STDIN:
            raise ProblemError("only one of the two files can be read from standard input "
                               "('-')", key="ANSWERS_FILE")
        chosen = CheckFormat(formats.output_format(
            output, format.value if format else None, list(formats.CHECK_FORMATS), "table"))
        check_output(output, force=force, inputs=[("the problem file", problem_file),
                                                  ("the answers file", answers_file)])
        from bpcalc.grading.answers import load_answers
        from bpcalc.grading.diagnosis import check as check_answers
        from bpcalc.problem.loader import apply_overrides, load_problem

        problem = load_problem(str(problem_file))
        problem = apply_overrides(problem, convention=convention.value if convention else None,
                                  round_places=round_places, sigfigs=sigfigs)
        limit = _tolerance(tolerance)
        answers = load_answers(str(answers_file), problem)
        try:
            result = check_answers(problem, answers, tolerance=limit,
                                   detect_rounding=detect_rounding)
        except ProblemError as error:  # an answer the run cannot have (after `until`)
            if error.source is None and error.line is not None:
                error.source = source_name(str(answers_file))
            raise
        write_output(_report(result, chosen, color, output), output, force=force)
        return 0 if result.score == result.total else SOME_WRONG

    run_guarded(job)


def _tolerance(text: str | None):
    """--tolerance as a number of 0 or more (None: judge by the written digits)."""
    if text is None:
        return None
    from bpcalc.problem.yamlsource import parse_number

    limit = parse_number(text.strip())
    if limit is None or limit < 0:
        raise ProblemError(f"expected a number of 0 or more, got {quoted(text)}",
                           key="--tolerance")
    return limit


def _report(result, format: CheckFormat, color: ColorChoice, output: str | None) -> str:
    """The verdicts in the chosen format; the table sized and coloured for where it goes."""
    from bpcalc.render.terminal import check_report

    if format == "json":
        return check_report.render_json(result)
    if format == "gradescope":
        return check_report.render_gradescope(result)
    screen = screen_for(color, output)
    return check_report.render_table_text(result, color=screen.color, width=screen.width)


def register(app: typer.Typer) -> None:
    register_command(app, check, "Mark a student's answers: right or wrong, score, likely "
                     "mistakes.",
                     "bpcalc check problem.yaml answers.yaml",
                     "bpcalc check problems/slides_2-2-1.yaml \\",
                     "    problems/answers/slides_2-2-1_new_weight.yaml",
                     "bpcalc check p.yaml a.yaml -f gradescope -o results.json")

"""`bpcalc check`: judge a student's answers file against the solved problem."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import Convention, ForceOption, OutputOption, run_guarded
from bpcalc.commands.files import check_output, write_output
from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.yamlsource import STDIN

# Exit status when the check ran but some answers are wrong (2 stays for bad input).
SOME_WRONG = 3


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    gradescope = "gradescope"


def check(
    problem_file: Annotated[Path, typer.Argument(help="The YAML problem file.")],
    answers_file: Annotated[Path, typer.Argument(help="The student's answers (YAML).")],
    format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="table (terminal), json, or gradescope (results.json).")]
    = CheckFormat.table,
    round_places: Annotated[int | None, typer.Option(
        "--round", help="Expect every value rounded to N decimal places along the way.")]
    = None,
    sigfigs: Annotated[int | None, typer.Option(
        help="Expect every value rounded to N significant figures along the way.")] = None,
    tolerance: Annotated[str | None, typer.Option(
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
) -> None:
    """Check a student's answers: a verdict per value, a score, and the likely mistakes.

    Exit status: 0 all right, 3 some wrong, 2 bad input.
    """

    def job() -> int:
        if str(problem_file) == STDIN and str(answers_file) == STDIN:
            raise ProblemError("only one of the two files can be read from standard input "
                               "('-')", key="ANSWERS_FILE")
        check_output(output, force=force, inputs=[("the problem file", problem_file),
                                                  ("the answers file", answers_file)])
        from bpcalc.grading.answers import load_answers
        from bpcalc.grading.diagnosis import check as check_answers
        from bpcalc.problem.loader import apply_overrides, load_problem
        from bpcalc.problem.yamlsource import parse_number
        from bpcalc.render.terminal import check_report

        problem = load_problem(str(problem_file))
        problem = apply_overrides(problem, convention=convention.value if convention else None,
                                  round_places=round_places, sigfigs=sigfigs)
        limit = None
        if tolerance is not None:
            limit = parse_number(tolerance.strip())
            if limit is None or limit < 0:
                raise ProblemError(f"expected a number of 0 or more, got {quoted(tolerance)}",
                                   key="--tolerance")
        answers = load_answers(str(answers_file), problem)
        result = check_answers(problem, answers, tolerance=limit,
                               detect_rounding=detect_rounding)
        if format is CheckFormat.json:
            text = check_report.render_json(result)
        elif format is CheckFormat.gradescope:
            text = check_report.render_gradescope(result)
        else:
            text = check_report.render_table_text(result,
                                                  color=output is None and sys.stdout.isatty())
        write_output(text, output, force=force)
        return 0 if result.score == result.total else SOME_WRONG

    run_guarded(job)


def register(app: typer.Typer) -> None:
    app.command()(check)

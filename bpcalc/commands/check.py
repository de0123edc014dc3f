"""`bpcalc check`: judge a student's answers file against the solved problem."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import (
    Convention,
    ForceOption,
    OutputOption,
    register_command,
    run_guarded,
)
from bpcalc.commands.files import check_output, write_output
from bpcalc.commands.terminal import ColorChoice, ColorOption, screen_for
from bpcalc.errors import ProblemError
from bpcalc.problem.yamlsource import STDIN, source_name
from bpcalc.render import formats

# Exit status when the check ran but some answers are wrong (2 stays for bad input).
SOME_WRONG = 3


class Visibility(StrEnum):
    hidden = "hidden"
    after_due_date = "after_due_date"
    after_published = "after_published"
    visible = "visible"


class CarriedForward(StrEnum):
    full = "full"
    half = "half"
    none = "none"


# The reports of bpcalc.render.formats.CHECK_FORMATS.
CheckFormat = StrEnum("CheckFormat", {name: name for name in formats.CHECK_FORMATS})


# The class run's, the rubric's and Gradescope's options.
RubricOption = Annotated[Path | None, typer.Option(
    metavar="FILE", help="Points per answer name or pattern and deductions per mistake "
    "(YAML); without it every answer is 1 point.")]
SetOption = Annotated[Path | None, typer.Option(
    "--set", metavar="INDEX", help="A generated set's index.csv (or its folder): each "
    "answers file is checked against its variant, by its id: key or file name.")]
OutDirOption = Annotated[str | None, typer.Option(
    "--out", metavar="DIR", help="Class run: write each student's report and the summary "
    "(roster.csv, mistakes.md) into this directory.")]
VisibilityOption = Annotated[Visibility | None, typer.Option(
    metavar="WHO", help="Gradescope: who sees each test's result: hidden, "
    "after_due_date, after_published or visible.")]
ExtraDataOption = Annotated[bool, typer.Option(
    help="Gradescope: each test's diagnosis as extra_data.")]
MarkdownOption = Annotated[bool, typer.Option(
    help="Gradescope: the output written as Markdown (output_format md).")]
# How answers are judged.
ToleranceOption = Annotated[str | None, typer.Option(
    metavar="X",
    help="Right when within this absolute distance (instead of the written digits).")]
DetectRoundingOption = Annotated[bool, typer.Option(
    "--detect-rounding/--no-detect-rounding",
    help="Accept answers that match the solution hand-rounded to 2-6 places or "
         "3-4 significant figures.")]
RoundOption = Annotated[int | None, typer.Option(
    "--round", metavar="N", help="Expect every value rounded to N decimal places along the "
    "way.")]
SigfigsOption = Annotated[int | None, typer.Option(
    metavar="N", help="Expect every value rounded to N significant figures along the way.")]
ConventionOption = Annotated[Convention | None, typer.Option(
    help="Sign convention of the answers (overrides the problem file).")]
PlacesOption = Annotated[int | None, typer.Option(
    "--places", metavar="N", help="The precision asked: N decimal places. An answer is right "
    "within half a unit of the N-th place; one written with fewer is 'too few digits'.")]
DigitsOption = Annotated[int | None, typer.Option(
    "--digits", metavar="N", help="The precision asked: N significant figures (as --places).")]
TooFewOption = Annotated[str | None, typer.Option(
    "--too-few-digits-credit", metavar="X", help="Credit (0 to 1) for an answer right at its "
    "own digits but written with fewer than --places/--digits ask. Default 0.")]
HintOption = Annotated[bool, typer.Option(
    "--hint", help="For the student: the score and the first wrong value's formula with the "
    "values it needs (only the problem's and the student's own), no expected value.")]
CarriedForwardOption = Annotated[CarriedForward, typer.Option(
    "--carried-forward",
    help="Credit for a wrong value worked correctly from the student's own wrong "
         "earlier values: full, half or none.")]


def check(
    files: Annotated[list[Path], typer.Argument(
        metavar="PROBLEM_FILE ANSWERS_FILE", show_default=False,
        help="The YAML problem file, then the student's answers: a file ('-': standard "
             "input), several, or a folder of them (a class run). With --set, only answers.")],
    format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="table (terminal), json, or gradescope (results.json). Default: from -o's "
             "extension (.txt table, .json json), else table.")] = None,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    tolerance: ToleranceOption = None,
    places: PlacesOption = None,
    digits: DigitsOption = None,
    too_few_digits_credit: TooFewOption = None,
    hint: HintOption = False,
    detect_rounding: DetectRoundingOption = True,
    convention: ConventionOption = None,
    rubric: RubricOption = None,
    problem_set: SetOption = None,
    out: OutDirOption = None,
    visibility: VisibilityOption = None,
    extra_data: ExtraDataOption = False,
    markdown: MarkdownOption = False,
    carried_forward: CarriedForwardOption = CarriedForward.full,
    output: OutputOption = None,
    force: ForceOption = False,
    color: ColorOption = ColorChoice.auto,
) -> None:
    """Check a student's answers: a verdict per value (the words right or wrong), a score,
    and the likely mistake behind each wrong value. Given several answers files or a
    folder, check a whole class in one run, with a roster and the most frequent mistakes.

    Exit status: 0 all right, 3 some wrong, 2 bad input (a class run: any file unreadable
    or unmatched, every other file still checked).
    """

    def job() -> int:
        from bpcalc.commands import check_class
        from bpcalc.grading.grade import parse_credit, parse_precision, parse_tolerance
        from bpcalc.render.gradescope import GradescopeOptions

        chosen = CheckFormat(formats.output_format(
            output, format.value if format else None, list(formats.CHECK_FORMATS), "table"))
        settings = check_class.Settings(
            format=chosen.value, tolerance=parse_tolerance(tolerance, "--tolerance"),
            detect_rounding=detect_rounding, rubric=_rubric(rubric),
            convention=convention.value if convention else None, round_places=round_places,
            sigfigs=sigfigs, gradescope=GradescopeOptions(
                visibility.value if visibility else None, extra_data, markdown),
            carried_forward=carried_forward.value,
            precision=parse_precision(places, digits, tolerance=tolerance),
            too_few_digits_credit=parse_credit(too_few_digits_credit,
                                               "--too-few-digits-credit"),
            hint=hint)
        return _run(files, settings, problem_set, out, output, force,
                    screen_for(color, output))

    run_guarded(job)


def _run(files: list[Path], settings, problem_set, out, output, force, screen) -> int:
    """A class run (several answers files, a folder, or --set), else one sheet."""
    from bpcalc.commands import check_class

    if problem_set is not None or len(files) > 2 or (len(files) == 2 and files[1].is_dir()):
        if settings.hint:
            raise ProblemError("--hint is for one student's sheet, not a class run",
                               key="--hint")
        return check_class.run_class(files, problem_set, settings, out=out, output=output,
                                     force=force, screen=screen)
    if len(files) != 2:
        raise ProblemError("give the problem file and the answers file (or a folder of "
                           "answers files)", key="ANSWERS_FILE")
    if settings.hint and settings.format != CheckFormat.table:
        raise ProblemError("--hint prints the student's hint as text: it goes with "
                           "--format table only", key="--hint")
    if out is not None:
        raise ProblemError("--out is for a class run (several answers files or a "
                           "folder): use --output for one report", key="--out")
    return _check_one(files[0], files[1], settings, output, force, screen)


def _check_one(problem_file: Path, answers_file: Path, settings, output, force, screen
               ) -> int:
    """One sheet, as before the class run; a bad answers file on Gradescope still gets a
    results.json (score 0, the message shown to the student)."""
    if str(problem_file) == STDIN and str(answers_file) == STDIN:
        raise ProblemError("only one of the two files can be read from standard input "
                           "('-')", key="ANSWERS_FILE")
    check_output(output, force=force, inputs=[("the problem file", problem_file),
                                              ("the answers file", answers_file)])
    from bpcalc.commands.check_class import load_checked_problem
    from bpcalc.grading.answers import load_answers
    from bpcalc.grading.grade import check as check_answers
    from bpcalc.grading.rubric import marks

    problem = load_checked_problem(str(problem_file), settings)
    try:
        answers = load_answers(str(answers_file), problem)
        try:
            result = check_answers(problem, answers, tolerance=settings.tolerance,
                                   detect_rounding=settings.detect_rounding,
                                   carried_forward=settings.carried_forward,
                                   precision=settings.precision,
                                   too_few_digits_credit=settings.too_few_digits_credit)
        except ProblemError as error:  # an answer the run cannot have (after `until`)
            if error.source is None and error.line is not None:
                error.source = source_name(str(answers_file))
            raise
    except ProblemError as error:
        if settings.format != CheckFormat.gradescope:
            raise
        # On Gradescope the student must see why: the file is a result (score 0, exit 3),
        # so exit 2 keeps its promise of nothing written.
        from bpcalc.render.gradescope import render_error

        write_output(render_error(str(error), settings.gradescope), output, force=force)
        sys.stderr.write(f"bpcalc: answers not read, results.json gives score 0: {error}\n")
        return SOME_WRONG
    scored = marks(result, settings.rubric) if settings.rubric else None
    if settings.hint:  # the student's: no table, whose expected values give answers away
        from bpcalc.render.hints import hint_text

        write_output(hint_text(problem, result, scored), output, force=force)
    else:
        write_output(_report(result, scored, settings, screen), output, force=force)
    return 0 if result.all_right else SOME_WRONG


def _rubric(path: Path | None):
    if path is None:
        return None
    from bpcalc.grading.rubric import load_rubric

    return load_rubric(str(path))


def _report(result, scored, settings, screen) -> str:
    """The verdicts in the chosen format; the table sized and coloured for where it goes."""
    from bpcalc.render.terminal import check_report

    if settings.format == CheckFormat.json:
        from bpcalc.render.check_json import render_json

        return render_json(result, scored)
    if settings.format == CheckFormat.gradescope:
        from bpcalc.render.gradescope import render as render_gradescope

        return render_gradescope(result, scored, settings.gradescope)
    return check_report.render_table_text(result, color=screen.color, width=screen.width,
                                          marks=scored)


def register(app: typer.Typer) -> None:
    register_command(app, check, "Mark a student's answers: right or wrong, score, likely "
                     "mistakes.",
                     "bpcalc check problem.yaml answers.yaml",
                     "bpcalc check problems/slides_2-2-1.yaml \\",
                     "    problems/answers/slides_2-2-1_new_weight.yaml",
                     "bpcalc check p.yaml a.yaml -f gradescope -o results.json",
                     "bpcalc check p.yaml a.yaml --rubric rubric.yaml",
                     "bpcalc check p.yaml answers/ --out reports/",
                     "bpcalc check --set keys/ answers/ --out reports/")

"""`bpcalc check` on a whole class: the files read, the reports written (all or nothing,
into --out), the summary shown. The checking itself is bpcalc.grading.classrun's."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from bpcalc.commands.files import check_output, write_output
from bpcalc.errors import ProblemError, one_line
from bpcalc.problem.yamlsource import STDIN, printable

ANSWER_SUFFIXES = (".yaml", ".yml")
_EXTENSION = {"table": "txt", "json": "json", "gradescope": "results.json"}
SUMMARY_FILES = ("roster.csv", "mistakes.md")
# What --force may replace in --out: the reports and the summary a class run wrote.
_OURS = re.compile(r"[^/\\]+\.(txt|json)|roster\.csv|mistakes\.md")


@dataclass(frozen=True)
class Settings:
    """How every sheet is checked and reported (the command line's options)."""

    format: str
    tolerance: Fraction | None
    detect_rounding: bool
    rubric: object  # bpcalc.grading.rubric.Rubric or None
    convention: str | None
    round_places: int | None
    sigfigs: int | None
    gradescope: object  # bpcalc.render.gradescope.GradescopeOptions
    carried_forward: str = "full"  # the credit policy for values carried forward
    precision: object = None  # the precision asked (Rounding: --places/--digits), or None
    too_few_digits_credit: Fraction = Fraction(0)
    hint: bool = False  # --hint: the student's next step, without the expected values


def load_checked_problem(path: str, settings: Settings):
    """The problem file with the command line's convention and rounding applied."""
    from bpcalc.problem.loader import apply_overrides, load_problem

    return apply_overrides(load_problem(path), convention=settings.convention,
                           round_places=settings.round_places, sigfigs=settings.sigfigs)


def run_class(files: list[Path], problem_set: Path | None, settings: Settings, *,
              out: str | None, output: str | None, force: bool, screen) -> int:
    """Check every answers file in one process; report each and the class. Returns the
    exit status: 2 if any file could not be read or matched, else 3 if any is wrong."""
    from bpcalc.grading.classrun import exit_status, grade_class
    from bpcalc.render.terminal.class_report import render_terminal

    if problem_set is None:
        problem_file, submissions = files[0], files[1:]
        if str(problem_file) == STDIN:
            raise ProblemError("a class run reads the problem from a file, not standard "
                               "input", key="PROBLEM_FILE")
        problem = load_checked_problem(str(problem_file), settings)
        inputs = [("the problem file", problem_file)]

        def problem_for(_id, _stem):
            return None, problem
    else:
        submissions, inputs = files, [("the set's index", problem_set)]
        problem_for = _set_problems(problem_set, settings)
    check_output(output, force=force, inputs=inputs)
    if out == "":
        raise ProblemError("the directory name is empty", key="--out")
    skipped = [path for _what, path in inputs]
    sheets = grade_class(_read_all(_answer_files(submissions, skipped)), problem_for,
                         settings.rubric,
                         tolerance=settings.tolerance,
                         detect_rounding=settings.detect_rounding,
                         carried_forward=settings.carried_forward,
                         precision=settings.precision,
                         too_few_digits_credit=settings.too_few_digits_credit)
    if problem_set is not None and out is None and len(files) == 1 and not files[0].is_dir():
        return _one_sheet_of_set(sheets[0], settings, output, force, screen)
    if out is not None:
        _write_reports(sheets, settings, out, force)
    for sheet in sheets:
        if sheet.result is None:
            sys.stderr.write(f"bpcalc: error: {one_line(sheet.file)}: {sheet.error}\n")
    write_output(render_terminal(sheets, color=screen.color, width=screen.width), output,
                 force=force)
    return exit_status(sheets)


def _one_sheet_of_set(sheet, settings: Settings, output, force: bool, screen) -> int:
    """One student's sheet checked against its variant (`check --set keys/ answers.yaml`,
    as on Gradescope): their own report in the chosen format, as a single check writes it,
    not a class summary; a sheet not read or matched on Gradescope still gets a
    results.json (score 0, the message shown to the student, exit 3)."""
    from bpcalc.render import gradescope
    from bpcalc.render.terminal.check_report import render_table_text
    from bpcalc.render.terminal.class_report import sheet_report

    if sheet.result is None:
        if settings.format == "gradescope":
            message = f"{sheet.file}: {sheet.error}"
            write_output(gradescope.render_error(message, settings.gradescope), output,
                         force=force)
            sys.stderr.write(f"bpcalc: answers not read, results.json gives score 0: "
                             f"{message}\n")
            return 3
        sys.stderr.write(f"bpcalc: error: {one_line(sheet.file)}: {sheet.error}\n")
        return 2
    rubric = settings.rubric is not None
    if settings.format == "table":
        report = f"{sheet.file}: variant {sheet.variant}\n" + render_table_text(
            sheet.result, color=screen.color, width=screen.width,
            marks=sheet.marks if rubric else None)
    else:
        report = sheet_report(sheet, settings.format, rubric=rubric,
                              gradescope_options=settings.gradescope)
    write_output(report, output, force=force)
    return 0 if sheet.result.all_right else 3


def _set_problems(index: Path, settings: Settings):
    """problem_for(id, stem) over a generated set: each variant's file loaded once."""
    from bpcalc.grading.classrun import match_variant, read_set_index, read_set_json
    from bpcalc.problem.yamlsource import read_text

    path = index / "index.csv" if index.is_dir() else index
    beside = path.with_name("index.json")  # a set written since: students and precision
    if path.name == "index.csv" and beside.is_file():
        path = beside
    try:
        read = read_set_json if path.suffix.lower() == ".json" else read_set_index
        variants = read(read_text(str(path)))
    except ProblemError as error:
        error.key = error.key or "--set"
        raise
    # Each variant's precision (the set's answer_precision) is the default of --places and
    # --digits: a sheet is judged at the precision its set asked (grading.classrun).
    folder = path.parent
    loaded: dict[int, object] = {}

    def problem_for(given_id, stem):
        variant = match_variant(variants, given_id, stem)
        if variant is None:
            return None
        if variant.number not in loaded:
            loaded[variant.number] = load_checked_problem(
                str(folder / variant.problem_file), settings)
        return variant.number, loaded[variant.number], variant.precision

    return problem_for


def _answer_files(paths: list[Path], skipped: list[Path]) -> list[Path]:
    """The files given, and a folder's .yaml/.yml files in name order: not hidden, and not
    the problem file or the set's index (a folder holding the problem and the answers)."""
    found: list[Path] = []
    for path in paths:
        if str(path) == STDIN:
            raise ProblemError("a class run reads answers files, not standard input",
                               key="ANSWERS_FILE")
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.suffix.lower() in ANSWER_SUFFIXES
                        and not p.name.startswith(".") and p.is_file()
                        and not any(_same_file(p, other) for other in skipped))
        if not inside:
            raise ProblemError("holds no .yaml or .yml answers files (a folder of answers "
                               "is checked as a class)", source=printable(str(path)))
        found += inside
    return found


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.samefile(other)
    except OSError:
        return False


def _read_all(paths: list[Path]) -> list[tuple[str, str, object]]:
    """(name shown, stem, text or ReadFailure) for each file; a failure stops nothing."""
    from bpcalc.grading.classrun import ReadFailure
    from bpcalc.problem.yamlsource import read_text

    read = []
    for path in paths:
        try:
            content: object = read_text(str(path))
        except ProblemError as error:
            content = ReadFailure(error.message)
        read.append((printable(str(path)), path.stem, content))
    return read


def _write_reports(sheets, settings: Settings, out: str, force: bool) -> None:
    """Each student's report (STEM.txt, STEM.json or STEM.results.json), roster.csv and
    mistakes.md, moved into `out` together; an existing set needs --force."""
    from bpcalc.commands.fileset import writing_set
    from bpcalc.render.terminal.class_report import mistakes_markdown, roster_csv, sheet_report

    if os.path.lexists(out) and not os.path.isdir(out):
        raise ProblemError(f"'{printable(out)}' exists and is not a directory", key="--out")
    extension = _EXTENSION[settings.format]
    used = set(SUMMARY_FILES)
    with writing_set(out, force=force, ours=_OURS.fullmatch) as written:
        for sheet in sheets:
            name = _report_name(sheet.stem, extension, used)
            written.write(name, sheet_report(sheet, settings.format,
                                             rubric=settings.rubric is not None,
                                             gradescope_options=settings.gradescope))
        written.write("roster.csv", roster_csv(sheets))
        written.write("mistakes.md", mistakes_markdown(sheets))


def _report_name(stem: str, extension: str, used: set[str]) -> str:
    """STEM.EXT, or STEM-2.EXT when two sheets share a stem (a.yaml and a.yml)."""
    base = stem.lstrip(".") or "answers"
    name, number = f"{base}.{extension}", 1
    while name in used:
        number += 1
        name = f"{base}-{number}.{extension}"
    used.add(name)
    return name

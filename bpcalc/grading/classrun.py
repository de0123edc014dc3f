"""A whole class checked in one run: each answers sheet matched to its problem, checked,
scored, and summed up as a roster and the class's most frequent mistakes.

With a generated set, a sheet names its variant by an `id:` key (`id: 3`, `id: 03` or
`id: variant_03`, or a roster's student id: `id: ann@uni.edu`), else by its file name's
stem (`variant_03.yaml`, `3.yaml`, `ann@uni.edu.yaml`); a sheet whose id or stem names no
variant is reported as unmatched, never guessed. Pure: the
command reads the files and writes the reports.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bpcalc.engine.limits import output_size
from bpcalc.errors import ProblemError, one_line
from bpcalc.grading import diagnosis
from bpcalc.grading.answers import parse_answers, sheet_id
from bpcalc.grading.asked import completed
from bpcalc.grading.grade import check
from bpcalc.grading.rubric import Marks, Rubric, marks
from bpcalc.grading.verdicts import CheckResult
from bpcalc.problem.model import Problem, QuantityRounding, Rounding
from bpcalc.problem.training import rounding_from_data

# A variant as a sheet names it: 3, 03, variant_3, variant_03 (any case, - or _).
_VARIANT = re.compile(r"(?:variant[_-]?)?0*(\d{1,9})")
# Sharing the diagnosis's solves between sheets: for problems of at most this many values
# (steps x (nodes + weights)), at most this many traces kept at once.
SHARED_SOLVES_VALUES = 20_000
SHARED_SOLVES_KEPT = 256
UNEXPLAINED = "unexplained"  # the mistake table's row for values nothing reproduces
UNEXPLAINED_TEXT = "wrong, and no usual mistake reproduces it"


@dataclass(frozen=True)
class Variant:
    """One variant of a generated set, from its index.csv or index.json."""

    number: int
    problem_file: str  # as the index names it, relative to the index's folder
    student: str | None = None  # the roster's id it was drawn for (index.json)
    # The precision the set asks (index.json's answer_precision; its null: 4 places), the
    # default of `check --places/--digits` for the set; None (an index.csv only): the
    # written digits decide.
    precision: Rounding | QuantityRounding | None = None


@dataclass
class Sheet:
    """One student's answers file and what became of it."""

    file: str  # the name as shown
    stem: str
    variant: int | None = None
    result: CheckResult | None = None
    marks: Marks | None = None
    error: str | None = None  # why it could not be read or checked: one line
    unmatched: bool = False

    @property
    def status(self) -> str:
        if self.unmatched:
            return "unmatched"
        if self.error is not None:
            return "unreadable"
        right = self.marks.score == self.marks.total and self.result.all_right
        return "right" if right else "wrong"  # (too few digits at full credit: not right)

    @property
    def mistakes(self) -> list[str]:
        """The distinct mistake ids found on the sheet, earliest first (and `unexplained`)."""
        if self.result is None:
            return []
        found = list(dict.fromkeys(f.mistake.id for f in self.result.findings))
        return found + [UNEXPLAINED] * bool(self.result.unexplained)


def read_set_index(text: str) -> list[Variant]:
    """The variants listed in a set's index.csv (as `bpcalc generate` writes it)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:2] != ["variant", "problem"]:
        raise ProblemError("not the index.csv of a set `bpcalc generate` wrote (its first "
                           "columns are variant, problem)", key="--set")
    variants = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2 or not row[0].isdigit() or not row[1]:
            raise ProblemError(f"row {number} names no variant and problem file",
                               key="--set")
        if "/" in row[1] or "\\" in row[1] or row[1].startswith("."):
            raise ProblemError(f"row {number}: the problem file must be a file beside the "
                               "index (as `bpcalc generate` writes it)", key="--set")
        variants.append(Variant(int(row[0]), row[1]))
    if not variants:
        raise ProblemError("the index lists no variants", key="--set")
    return variants


def read_set_json(text: str) -> list[Variant]:
    """The variants listed in a set's index.json, with their students and precision."""
    try:
        data = json.loads(text)
        rows = data["variants"]
        variants = [_json_variant(row) for row in rows]
    except (ValueError, KeyError, TypeError) as error:
        raise ProblemError("not the index.json of a set `bpcalc generate` wrote "
                           f"({one_line(str(error))})", key="--set") from None
    if not variants:
        raise ProblemError("the index lists no variants", key="--set")
    return variants


def _json_variant(row: dict) -> Variant:
    number, file, student = row["number"], row["file"], row.get("student")
    if isinstance(number, bool) or not isinstance(number, int) or not isinstance(file, str):
        raise ValueError("each variant needs a number and a file")
    if "/" in file or "\\" in file or file.startswith(".") or not file:
        raise ValueError(f"variant {number}: the problem file must be a file beside the index")
    if student is not None and not isinstance(student, str):
        raise ValueError(f"variant {number}: the student is not text")
    precision = completed(rounding_from_data(row.get("answer_precision")))
    return Variant(number, file, student, precision)


def match_variant(variants: list[Variant], given_id: str | None, stem: str
                  ) -> Variant | None:
    """The variant a sheet names by its `id:`, else by its file stem; None when it names
    none (a sheet with an id is matched by the id alone). A roster's student id (an email,
    any case) is matched first, then a variant's number or file stem."""
    word = (given_id if given_id is not None else stem).strip().lower()
    by_student = {v.student.strip().lower(): v for v in variants if v.student}
    if word in by_student:
        return by_student[word]
    by_number = {v.number: v for v in variants}
    by_stem = {v.problem_file.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower(): v
               for v in variants}
    if word in by_stem:
        return by_stem[word]
    match = _VARIANT.fullmatch(word)
    return by_number.get(int(match.group(1))) if match else None


def grade_sheet(sheet: Sheet, text: str, problem: Problem, rubric: Rubric | None,
                **options) -> Sheet:
    """Check one sheet's text against its problem; bad answers become the sheet's error."""
    try:
        answers = parse_answers(text, problem)
        with _shared_solves(problem):
            result = check(problem, answers, **options)
    except ProblemError as error:
        sheet.error = str(error)
        return sheet
    sheet.result, sheet.marks = result, marks(result, rubric)
    return sheet


def grade_class(files: list[tuple[str, str, str | ReadFailure]],
                problem_for: Callable[[str | None, str], tuple | None],
                rubric: Rubric | None = None, **options) -> list[Sheet]:
    """Every sheet, given as (name shown, file stem, its text or why it could not be read),
    matched by `problem_for(id, stem)` to (variant number, problem) or (variant number,
    problem, the set's precision), checked in order."""
    sheets = []
    for shown, stem, text in files:
        sheet = Sheet(shown, stem)
        sheets.append(sheet)
        if isinstance(text, ReadFailure):
            sheet.error = text.message
            continue
        try:
            given = sheet_id(text)
            found = problem_for(given, stem)
        except ProblemError as error:
            sheet.error = str(error)
            continue
        if found is None:
            sheet.unmatched = True
            sheet.error = unmatched_reason(given, stem)
            continue
        sheet.variant, problem, *asked = found
        grade_sheet(sheet, text, problem, rubric, **_with_set_precision(options, asked))
    return sheets


def unmatched_reason(given_id: str | None, stem: str) -> str:
    """Why a sheet matched no variant, naming what was tried: its id (which alone decides),
    else its file name, and how to name a variant."""
    if given_id is not None:
        return (f"matches no variant of the set: its id: {given_id} names none (a sheet "
                f"with an id is matched by it alone, never by its file name)")
    return (f"matches no variant of the set: it has no id: key, and its file name "
            f"'{stem}' names none (write `id: 3` in it, or name it variant_03.yaml)")


def _with_set_precision(options: dict, asked: list) -> dict:
    """The set's answer_precision (a variant's third item) when the command line asks
    neither a precision nor a tolerance: what the set was generated to ask."""
    if not asked or options.get("precision") is not None or options.get("tolerance"):
        return options
    return {**options, "precision": asked[0]}


class _Solves(dict):
    """The solves shared between sheets, emptied when full (sheets of many variants)."""

    def __setitem__(self, key, trace) -> None:
        if len(self) >= SHARED_SOLVES_KEPT:
            self.clear()
        super().__setitem__(key, trace)


_SOLVES = _Solves()


@contextlib.contextmanager
def _shared_solves(problem: Problem) -> Iterator[None]:
    """Share the diagnosis's solves between sheets of a small problem (a large one's traces
    would fill the memory; each of its sheets is solved afresh)."""
    if output_size(problem, problem.step_count) > SHARED_SOLVES_VALUES:
        yield
        return
    diagnosis.SHARED_SOLVES = _SOLVES
    try:
        yield
    finally:
        diagnosis.SHARED_SOLVES = None


@dataclass(frozen=True)
class ReadFailure:
    """A file that could not be read: the one-line reason."""

    message: str


def exit_status(sheets: list[Sheet]) -> int:
    """2 if any sheet could not be read or matched, else 3 if any answer is wrong, else 0."""
    statuses = {sheet.status for sheet in sheets}
    if statuses & {"unreadable", "unmatched"}:
        return 2
    return 3 if "wrong" in statuses else 0


def mistake_counts(sheets: list[Sheet]) -> list[tuple[str, int]]:
    """(mistake id, how many students made it), most frequent first, then by id."""
    counts = Counter(mistake for sheet in sheets for mistake in sheet.mistakes)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

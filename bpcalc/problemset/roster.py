"""A class roster (`generate --roster students.csv`): the students a set draws a variant for.

A CSV file with one student a row. The id (an email, a student number) is the first column,
unless the first row is a header naming a column `id`, `email` or `student` (any case; the
first such column is taken): then that column, and the header is no student. Blank rows
are skipped; ids are compared without case (emails), and must be one printable line.

Each student's variant depends on the seed, the id and an attempt number only, never on
the roster's order or on the other students: the draw is a `random.Random` seeded with
sha256("{seed}:{id}:{attempt}"), so the same roster gives the same set, and a student
added later changes no one else's numbers. Pure: text in, students out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from typing import NamedTuple

from bpcalc.errors import ProblemError, quoted

ID_COLUMNS = ("id", "email", "student")
MAX_ID_LENGTH = 200


class Student(NamedTuple):
    id: str  # as the roster writes it (stripped)
    line: int  # the roster's line, for messages


def parse_roster(text: str, source: str) -> tuple[Student, ...]:
    """The roster's students, in its order; a bad roster names `source` and the line."""
    rows = _rows(text, source)
    column, first = 0, 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0][1]]
        named = [index for index, cell in enumerate(header) if cell in ID_COLUMNS]
        if named:
            column, first = named[0], 1
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, cells in rows[first:]:
        ident = cells[column].strip() if column < len(cells) else ""
        if not ident:
            raise ProblemError("no student id in this row" + (
                f" (column {column + 1})" if column else ""), line=line, source=source)
        if not ident.isprintable() or len(ident) > MAX_ID_LENGTH:
            raise ProblemError(f"a student id is one printable line of at most "
                               f"{MAX_ID_LENGTH} characters, not {quoted(ident)}",
                               line=line, source=source)
        if ident.lower() in seen:
            raise ProblemError(f"the student {quoted(ident)} is already on line "
                               f"{seen[ident.lower()]}", line=line, source=source)
        seen[ident.lower()] = line
        students.append(Student(ident, line))
    if not students:
        raise ProblemError("the roster lists no students (a column of ids, e.g. emails)",
                           source=source)
    return tuple(students)


def _rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of each non-blank row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        line = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ProblemError(f"not a CSV file: {error}", line=reader.line_num,
                           source=source) from None
    return rows


def student_random(seed: int, student: str, attempt: int) -> random.Random:
    """The draw of `student`'s variant on its `attempt` (1, then 2 ... after a refusal)."""
    return random.Random(_digest(f"{seed}:{student.lower()}:{attempt}"))


def student_order(seed: int, student: str) -> int:
    """Where a student comes when the set judges identical variants: by a hash of the id,
    so the roster's order never decides who keeps a variant and who redraws."""
    return _digest(f"{seed}:{student.lower()}")


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")

"""Gradescope's autograder results.json for a checked answers file, or for one that could
not be read (score 0, the message shown to the student, so the student never sees only
"the autograder failed").

Fields as documented at gradescope-autograders.readthedocs.io/en/latest/specs/: top-level
score, max_score, output, output_format, test_output_format, visibility, tests; per test
name, score, max_score, status, output, visibility, extra_data. Only reads the
`CheckResult` and its `Marks`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

from bpcalc.grading.rubric import Marks
from bpcalc.grading.rubric import marks as marks_of
from bpcalc.grading.verdicts import CheckResult
from bpcalc.text import markdown_text

# Who sees a test's result, in Gradescope's words.
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


@dataclass(frozen=True)
class GradescopeOptions:
    visibility: str | None = None  # per test; None: Gradescope's default
    extra_data: bool = False  # each test's diagnosis as data for the instructor
    markdown: bool = False  # output_format "md"


def render(result: CheckResult, marks: Marks | None = None,
           options: GradescopeOptions = GradescopeOptions()) -> str:
    """One test per answer, worth its points (1 each without a rubric)."""
    from bpcalc.render.terminal.check_report import (
        accepted_text,
        expected_text,
        note_text,
        summary_lines,
        verdict_word,
    )

    rubric_marks, marks = marks, marks or marks_of(result)
    tests = []
    for verdict, earned, possible in zip(result.verdicts, marks.earned, marks.possible,
                                         strict=True):
        answer = verdict.answer
        status = verdict_word(verdict)  # right, too few digits, carried forward or wrong
        given, expected = answer.text, expected_text(verdict)
        interval = accepted_text(verdict, result.tolerance)
        if options.markdown:
            given, expected, status = f"`{given}`", f"`{expected}`", f"**{status}**"
            interval = f"`{interval}`"
        output = f"given {given}, expected {expected}: {status}"
        note = note_text(verdict)
        if note:
            output += f" ({markdown_text(note) if options.markdown else note})"
        output += f"; accepted {interval}"
        test = {"name": answer.label, "score": float(earned), "max_score": float(possible),
                "status": "passed" if verdict.credit == 1 else "failed", "output": output}
        if options.visibility:
            test["visibility"] = options.visibility
        if options.extra_data:
            test["extra_data"] = _diagnosis(verdict, note)
        tests.append(test)
    lines = summary_lines(result, rubric_marks)
    if options.markdown:
        lines = [markdown_text(line) for line in lines]  # read as text, never as markup
        lines = [f"**{lines[0]}**", "", *(f"- {line}" for line in lines[1:])]
    document = {"score": float(marks.score), "max_score": float(marks.total),
                "output": "\n".join(lines), "tests": tests}
    return _dump(document, options)


def render_error(message: str, options: GradescopeOptions = GradescopeOptions()) -> str:
    """A file that could not be checked: score 0 and the one-line reason, visible."""
    output = f"Your answers file could not be read: {message}"
    if options.markdown:  # the message quotes the student's file: text, never markup
        output = markdown_text(output)
    document = {"score": 0.0, "output": output, "visibility": "visible", "tests": []}
    return _dump(document, options)


def _diagnosis(verdict, note: str) -> dict:
    """The instructor's data: the mistake that explains the answer, or the earlier wrong
    values it was carried forward from (as the JSON's `carried_from`), and its credit."""
    finding, carried = verdict.finding, verdict.carried
    return {"given": verdict.answer.text, "expected": float(Fraction(verdict.expected)),
            "right": verdict.right, "note": note,
            "mistake": finding.mistake.id if finding else None,
            "first": finding.first.label if finding else None,
            "carried_from": [root.label for root in carried.roots] if carried else [],
            "credit": float(verdict.credit),
            "accepted": ([float(end) for end in verdict.accepted]
                         if verdict.accepted is not None else None)}


def _dump(document: dict, options: GradescopeOptions) -> str:
    if options.markdown:
        document["output_format"] = "md"
        document["test_output_format"] = "md"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

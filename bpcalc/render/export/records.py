"""What every export needs of one solved variant, kept as the set is written.

The asked quantities come from the template (`ask:` and `answer_precision:`, carried on the
variant), by default the outputs, deltas and new weights of step 1 at 4 decimal places
(`grading.asked`): each with its true value and the interval `bpcalc check` accepts. The
statement and the worked solution are the answer key's own HTML (`document.html`), with no
page around them; the picture is the handout's, the network with its initial weights.

Every text here is safe to put into another platform's HTML: user text is HTML-escaped by
the renderer, and `$`, `\\`, `{`, `}` and `@` are written as character references, so no
platform reads them as maths (MathJax, Moodle's TeX filter, Canvas), as a Cloze answer or
as Moodle's @@PLUGINFILE@@ file marker.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple

from bpcalc.engine.trace import Trace
from bpcalc.grading.asked import (
    Asked,
    asked_or_default,
    asked_quantities,
    parse_asked,
    unrounded_quantities,
)
from bpcalc.grading.precision import float_slack, within
from bpcalc.render.document.html import HtmlRenderer
from bpcalc.render.document.model import Document, Statement

PICTURE_CAPTION = "The network with its initial weights"
# `@`: Moodle rewrites @@PLUGINFILE@@ in a question's text into its files' URL.
_INERT = str.maketrans({"$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;",
                        "@": "&#64;"})


class VariantRecord(NamedTuple):
    number: int
    title: str  # plain text, as the problem file gives it
    asked: tuple[Asked, ...]
    statement: str  # HTML (safe): facts, formulas, patterns, initial weights
    worked: str  # HTML (safe): the asked steps' tables and worked lines
    picture: str | None  # SVG file text, or None for a network too large to draw
    float_run: bool = True  # check's float slack applies (False: a hand-rounded run's exact values)
    # A hand-rounded problem's unrounded run, which check accepts too ("matches the
    # unrounded solution"): its asked quantities, in the same order; None otherwise.
    unrounded: tuple[Asked, ...] | None = None
    student: str | None = None  # the roster's id of the student it was drawn for

    def name(self, seed: int) -> str:
        """The variant's name on a platform: its title, the seed and, with a roster, the
        student it is for (a Canvas quiz is assigned to that student by this name)."""
        student = f", for {self.student}" if self.student else ""
        return f"{self.title}, seed {seed}{student}"


def inert(html_text: str) -> str:
    """HTML that no maths renderer, filter or Cloze parser reads as its own syntax."""
    return html_text.translate(_INERT)


class _Fragment(HtmlRenderer):
    """The key's HTML blocks with no page around them (the platform gives the page)."""

    def begin(self, doc: Document) -> str:
        return ""

    def end(self, doc: Document) -> str:
        return ""


def variant_record(variant, trace: Trace) -> VariantRecord:
    """The record of one variant, its solved `trace` read once."""
    from bpcalc.render.document.build import build_document
    from bpcalc.render.document.handout import problem_statement

    problem = variant.problem
    names = parse_asked(asked_or_default(variant.ask, problem), problem)
    asked = tuple(asked_quantities(trace, names, variant.answer_precision))
    unrounded = unrounded_quantities(problem, names, variant.answer_precision)
    renderer = _Fragment()
    title = problem.title or "Backpropagation"
    # The handout's statement, its network (with the initial weights) a file of its own.
    statement, _builder = problem_statement(problem, ("svg",))
    picture = statement.picture.svg if statement.picture is not None else None
    statement_html = renderer.render(Document(title, False, [statement._replace(picture=None)],
                                              handout=True))
    steps = {a.step for a in asked}
    key = build_document(trace, steps=steps)
    worked = [block for block in key.blocks if not isinstance(block, Statement)]
    worked_html = renderer.render(Document(title, key.exact, worked))
    return VariantRecord(variant.number, title, asked, inert(statement_html),
                         inert(worked_html), picture, trace.arithmetic.name == "float",
                         None if unrounded is None else tuple(unrounded), variant.student)


def set_title(records) -> str:
    """The template's title: a variant's, without the ` (variant N)` the generator adds."""
    return re.sub(r" \(variant \d+\)$", "", records[0].title)


def picture_name(record: VariantRecord, width: int) -> str:
    return f"network_{record.number:0{width}d}.svg"


def width_of(records) -> int:
    """Digits of a variant's number in file names, as the set's own files (variant_01)."""
    return max(2, len(str(len(records))))


def decimal_text(value) -> str:
    """A true value as a decimal with no exponent that a platform reads back as the same
    double (the shortest such digits): `0.39642036`, `-0.00001234`, `0`."""
    text = format(Decimal(repr(float(value))), "f")
    return "0" if float(value) == 0 else text


def exact_text(value: Fraction) -> str:
    """A finite decimal fraction (a tolerance, 1/20000) written exactly: `0.00005`."""
    with localcontext() as context:
        context.prec = 200
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def bounds_text(asked: Asked) -> tuple[str, str]:
    """The accepted interval's ends as a platform reads them: the written true value minus
    and plus the tolerance, exactly."""
    with localcontext() as context:
        context.prec = 200
        value, tolerance = Decimal(decimal_text(asked.value)), Decimal(exact_text(asked.tolerance))
        return format(value - tolerance, "f"), format(value + tolerance, "f")


def slack_of(asked: Asked, float_run: bool) -> Fraction:
    """check's float slack for this true value (an answer that close to an end is at that
    end, grading/judging.py); none for a hand-rounded run's exact values."""
    return float_slack(asked.value, float_run)


def refused_end(asked: Asked, float_run: bool) -> Fraction | None:
    """The decimal at the end of the interval that `bpcalc check` refuses, if a student may
    write one there: at a tie, halves round away from zero, so for a true 1.25 asked to 1
    place check takes 1.3 and refuses 1.2, and a platform's closed interval [1.2, 1.3] must
    be told so. The shortest decimal with at most 3 more places than asked within check's
    slack of the end toward zero; None for a true 0 (both ends are taken) or none there."""
    if asked.value == 0:
        return None
    end = asked.low if asked.value > 0 else asked.high
    slack = slack_of(asked, float_run)
    for places in range(asked.places, asked.places + 4):
        unit = Fraction(10) ** -places
        near = round(end / unit) * unit
        if abs(near - end) <= slack:
            return near
    return None


def solutions(record: VariantRecord, index: int) -> list[tuple[Asked, bool]]:
    """What check judges the index-th asked quantity against, each with whether check's
    float slack applies: the run's value, and a hand-rounded problem's unrounded one."""
    found = [(record.asked[index], record.float_run)]
    if record.unrounded is not None:
        found.append((record.unrounded[index], True))
    return found


def takes(asked: Asked, float_run: bool, given: Fraction) -> bool:
    """check's rule for one solution (grading/judging.py): inside the interval; within the
    slack of an end, only the end away from zero."""
    return within(given, asked.value, asked.precision, slack_of(asked, float_run))


def refused_ends(record: VariantRecord, index: int) -> list[Fraction]:
    """The ends (`refused_end`) of the index-th quantity's intervals that check refuses,
    none of its solutions taking them: what a platform must be told to refuse."""
    found = solutions(record, index)
    ends: list[Fraction] = []
    for asked, float_run in found:
        end = refused_end(asked, float_run)
        if end is not None and end not in ends and not any(
                takes(other, other_float, end) for other, other_float in found):
            ends.append(end)
    return ends

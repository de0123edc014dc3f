"""Moodle XML (moodle.xml): one Cloze question per variant, in a category of their own.

Import it in the question bank (Import, format "Moodle XML"); then add the category's
questions to a quiz, or one "random question" from the category so each student gets one
variant. Each question is `<question type="cloze">` (Moodle's multianswer): the title, the
network picture (an SVG `<file>` in the question text, shown with `@@PLUGINFILE@@`), the
statement, and one `{1:NUMERICAL:=value:tolerance}` per asked quantity, whose value is the
TRUE value and tolerance half a unit of the asked precision (`Asked.tolerance`): the very
interval `bpcalc check` accepts (a tie's refused end first as a 0% answer, a hand-rounded
problem's unrounded run as one more right answer: `cloze`). General feedback is the worked
solution of the asked steps.

Texts go in CDATA (a `]]>` in them split across two sections); user text is HTML-escaped
and inert (`records.inert`): no `{`, `}`, `$` or `\\` that Moodle would read. The one text
inside a Cloze answer (its feedback) is escaped as Moodle's parser reads it back.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from fractions import Fraction
from xml.sax.saxutils import escape

from bpcalc.render.export.records import (
    PICTURE_CAPTION,
    VariantRecord,
    decimal_text,
    exact_text,
    inert,
    picture_name,
    refused_ends,
    solutions,
    width_of,
)
from bpcalc.text import rounding_text

FILE = "moodle.xml"


def files(records: list[VariantRecord], info) -> Iterator[tuple[str, str]]:
    yield FILE, moodle_xml(records, info)


def moodle_xml(records: list[VariantRecord], info) -> str:
    width = width_of(records)
    category = f"$course$/top/bpcalc {info.name} seed {info.seed}"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n',
             '  <question type="category">\n',
             f"    <category><text>{escape(category)}</text></category>\n",
             "  </question>\n"]
    parts += [_question(record, width, info) for record in records]
    parts.append("</quiz>\n")
    return "".join(parts)


def _question(record: VariantRecord, width: int, info) -> str:
    name = record.name(info.seed)
    picture, file = "", ""
    if record.picture is not None:
        file_name = picture_name(record, width)
        picture = (f'<p><img src="@@PLUGINFILE@@/{file_name}" alt="{PICTURE_CAPTION}"></p>\n')
        data = base64.b64encode(record.picture.encode("utf-8")).decode("ascii")
        file = f'      <file name="{file_name}" path="/" encoding="base64">{data}</file>\n'
    text = (f'<div class="bpcalc mathjax_ignore tex2jax_ignore">\n'
            f"<h3>{_inert_text(record.title)}</h3>\n{picture}{record.statement}"
            f"{_answers(record)}</div>\n")
    feedback = f'<div class="bpcalc mathjax_ignore tex2jax_ignore">\n{record.worked}</div>\n'
    return ('  <question type="cloze">\n'
            f"    <name><text>{escape(name)}</text></name>\n"
            f'    <questiontext format="html">\n      <text>{cdata(text)}</text>\n{file}'
            "    </questiontext>\n"
            f'    <generalfeedback format="html">\n      <text>{cdata(feedback)}</text>\n'
            "    </generalfeedback>\n"
            "    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n"
            f"    <idnumber>bpcalc-{escape(info.name)}-{info.seed}-{record.number}</idnumber>\n"
            "  </question>\n")


def _answers(record: VariantRecord) -> str:
    """What to give, one Cloze NUMERICAL sub-question each, in a table."""
    rows = []
    for index, asked in enumerate(record.asked):
        words = rounding_text(asked.precision)
        also = [each for each, _float_run in solutions(record, index)[1:]]
        rows.append(f"<tr><td>{html.escape(asked.label)}</td>"
                    f"<td>{cloze(asked, refused_ends(record, index), also)}</td>"
                    f"<td>to {words}</td></tr>\n")
    return ("<p>Give each value to the precision shown.</p>\n<table>\n"
            + "".join(rows) + "</table>\n")


def cloze(asked, refused: list[Fraction] = (), also: list = ()) -> str:
    """`{1:NUMERICAL:=0.39642036:0.00005#z7 = 0.3964}`: the true value, the tolerance.

    At a tie (`records.refused_ends`: 1.25 to 1 place) the end check refuses comes first as
    a 0% answer of tolerance 0 (`%0%1.2:0`): Moodle grades by the first answer that
    matches (question_first_matching_answer_grading_strategy, answers in the order written),
    so 1.2 is wrong and 1.3 right, as in check. `also`: the unrounded run of a hand-rounded
    problem, which check accepts too, as one more right answer."""
    feedback = cloze_escape(f"{asked.label} = {asked.rounded_text()}")
    note = cloze_escape(f"{asked.label} = {asked.rounded_text()}: halves round away from 0")
    alternatives = [f"%0%{exact_text(end)}:0#{note}" for end in refused]
    alternatives += [f"={decimal_text(each.value)}:{exact_text(each.tolerance)}#{feedback}"
                     for each in (asked, *also)]
    return f"{{1:NUMERICAL:{'~'.join(alternatives)}}}"


def cloze_escape(text: str) -> str:
    """Text inside a Cloze sub-question's feedback, read back as written. Moodle's parser
    (question/type/multianswer/questiontype.php) ends a feedback at an unescaped `~` or `}`,
    then decodes character references and unescapes only `\\}` and `\\#`: so `}` and `#`
    take the documented backslash, and `~`, `\\`, `/`, `"` and `{` (which a backslash
    would leave showing) are character references."""
    escaped = html.escape(text, quote=False)
    return "".join(_CLOZE_ESCAPES.get(c, c) for c in escaped)


_CLOZE_ESCAPES = {"}": "\\}", "#": "\\#", "~": "&#126;", "\\": "&#92;", "/": "&#47;",
                  '"': "&#34;", "{": "&#123;"}


def _inert_text(text: str) -> str:
    return inert(html.escape(text))


def cdata(text: str) -> str:
    """`text` as CDATA; a `]]>` inside it closes one section and opens the next."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

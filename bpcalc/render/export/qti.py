"""Canvas: a QTI 1.2 zip (canvas_qti.zip), one quiz per variant.

Import it in a course's Settings > Import Course Content > "QTI .zip file"; each variant
becomes a quiz of its own ("... variant 03"), to assign to a student or a section. A quiz
is the statement with the network picture (a text-only item), then one numerical question
per asked quantity whose accepted answers are the TRUE value, or anything from the value
minus to the value plus `Asked.tolerance` (`vargte`/`varlte`, Canvas's "exact answer with
margin"): the interval `bpcalc check` accepts; at a tie, whose end toward zero check
refuses, a range stopping short of that end, and for a hand-rounded problem one answer more,
the unrounded run's (`_accepted`). The last question's general feedback is the worked
solution.

Written by hand, in the layout text2qti writes and Canvas imports, because text2qti (the
library the issue preferred) cannot carry these answers: it refuses any accepted value of
magnitude under 0.0001 (so 0 ± 0.00005), and writes the interval's ends to 4 decimal
places (0.39637 becomes 0.3964). The zip is the same byte for byte for the same seed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from bpcalc.render.export.records import (
    PICTURE_CAPTION,
    VariantRecord,
    bounds_text,
    decimal_text,
    exact_text,
    inert,
    picture_name,
    refused_end,
    refused_ends,
    slack_of,
    solutions,
    width_of,
)
from bpcalc.text import rounding_text

FILE = "canvas_qti.zip"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_STAMP = (1980, 1, 1, 0, 0, 0)  # every member's time: the same zip for the same seed


def files(records: list[VariantRecord], info) -> Iterator[tuple[str, bytes]]:
    yield FILE, qti_zip(records, info)


def qti_zip(records: list[VariantRecord], info) -> bytes:
    width = width_of(records)
    members: list[tuple[str, str]] = []
    quizzes = []
    for record in records:
        ident = _ident(info, f"quiz {record.number}")
        title = record.name(info.seed)
        members.append((f"{ident}/{ident}.xml", assessment_xml(record, ident, title, width)))
        members.append((f"{ident}/assessment_meta.xml", _meta(ident, title, record)))
        quizzes.append(ident)
    pictures = [(f"images/{picture_name(r, width)}", r.picture) for r in records
                if r.picture is not None]
    manifest = _manifest(_ident(info, "manifest"), quizzes, [path for path, _ in pictures])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in [("imsmanifest.xml", manifest), *members, *pictures]:
            entry = zipfile.ZipInfo(name, _STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text.encode("utf-8"))
    return buffer.getvalue()


def _ident(info, what: str) -> str:
    """An identifier stable for the template and seed: `g` and 32 hex digits."""
    digest = hashlib.sha256(f"{info.template_text}\0{info.seed}\0{what}".encode()).hexdigest()
    return "g" + digest[:32]


def assessment_xml(record: VariantRecord, ident: str, title: str, width: int) -> str:
    picture = ""
    if record.picture is not None:
        src = f"%24IMS-CC-FILEBASE%24/images/{picture_name(record, width)}"
        picture = f'<p><img src="{src}" alt="{PICTURE_CAPTION}"></p>\n'
    statement = (f'<div class="mathjax_ignore">\n<h3>{inert(escape(record.title))}</h3>\n'
                 f"{picture}{record.statement}</div>\n")
    items = [_text_item(f"{ident}_statement", statement)]
    last = len(record.asked) - 1
    for index in range(len(record.asked)):
        feedback = record.worked if index == last else None
        items.append(_numerical_item(f"{ident}_q{index + 1}", record, index, feedback))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<questestinterop xmlns="{QTI}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{QTI} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd">\n'
            f"  <assessment ident=\"{ident}\" title={quoteattr(title)}>\n"
            "    <qtimetadata>\n"
            + _field("cc_maxattempts", "1", 6)
            + "    </qtimetadata>\n    <section ident=\"root_section\">\n"
            + "".join(items)
            + "    </section>\n  </assessment>\n</questestinterop>\n")


def _field(label: str, entry: str, indent: int) -> str:
    pad = " " * indent
    return (f"{pad}<qtimetadatafield>\n{pad}  <fieldlabel>{label}</fieldlabel>\n"
            f"{pad}  <fieldentry>{escape(entry)}</fieldentry>\n{pad}</qtimetadatafield>\n")


def _metadata(kind: str, points: str) -> str:
    return ("        <itemmetadata>\n          <qtimetadata>\n"
            + _field("question_type", kind, 12) + _field("points_possible", points, 12)
            + "          </qtimetadata>\n        </itemmetadata>\n")


def _text_item(ident: str, text: str) -> str:
    return (f'      <item ident="{ident}" title="Problem">\n'
            + _metadata("text_only_question", "0")
            + "        <presentation>\n          <material>\n"
            f'            <mattext texttype="text/html">{escape(text)}</mattext>\n'
            "          </material>\n        </presentation>\n      </item>\n")


def _numerical_item(ident: str, record: VariantRecord, index: int, worked: str | None) -> str:
    """One asked quantity: the true value, or anything in [value - tol, value + tol] (one
    answer more for a hand-rounded problem's unrounded run, which check accepts too)."""
    asked = record.asked[index]
    right = "".join('          <respcondition continue="No">\n            <conditionvar>\n'
                    f"{_accepted(each, float_run, record, index)}            </conditionvar>\n"
                    '            <setvar action="Set" varname="SCORE">100</setvar>\n'
                    "          </respcondition>\n"
                    for each, float_run in solutions(record, index))
    question = (f"<p>{escape(asked.label)} = ? (to {rounding_text(asked.precision)})</p>")
    feedback_link, feedback = "", ""
    if worked is not None:
        feedback_link = ("          <respcondition continue=\"Yes\">\n            <conditionvar>"
                         "<other/></conditionvar>\n            <displayfeedback "
                         "feedbacktype=\"Response\" linkrefid=\"general_fb\"/>\n"
                         "          </respcondition>\n")
        feedback = ('        <itemfeedback ident="general_fb">\n          <flow_mat>\n'
                    "            <material>\n"
                    f'              <mattext texttype="text/html">{escape(worked)}</mattext>\n'
                    "            </material>\n          </flow_mat>\n        </itemfeedback>\n")
    return (f"      <item ident=\"{ident}\" title={quoteattr(asked.label)}>\n"
            + _metadata("numerical_question", "1")
            + "        <presentation>\n          <material>\n"
            f'            <mattext texttype="text/html">{escape(question)}</mattext>\n'
            "          </material>\n"
            '          <response_str ident="response1" rcardinality="Single">\n'
            '            <render_fib fibtype="Decimal">\n'
            '              <response_label ident="answer1"/>\n'
            "            </render_fib>\n          </response_str>\n        </presentation>\n"
            "        <resprocessing>\n          <outcomes>\n"
            '            <decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/>\n'
            f"          </outcomes>\n{feedback_link}{right}        </resprocessing>\n"
            f"{feedback}      </item>\n")


def _accepted(asked, float_run: bool, record: VariantRecord, index: int) -> str:
    """The condition of a right answer: Canvas's "exact answer with margin" (the value, or
    [value - tol, value + tol]); at a tie (`records.refused_end`), whose end toward zero
    check refuses, an "answer in range" that stops check's float slack (10^-9) short of it
    (Canvas's importer reads a margin from the upper end only, and its ranges are closed)."""
    low, high = bounds_text(asked)
    refused = refused_end(asked, float_run)
    if refused is not None and refused in refused_ends(record, index):
        step = slack_of(asked, True)
        low, high = ((exact_text(refused + step), high) if asked.value > 0
                     else (low, exact_text(refused - step)))
        return ("              <and>\n"
                f'                <vargte respident="response1">{low}</vargte>\n'
                f'                <varlte respident="response1">{high}</varlte>\n'
                "              </and>\n")
    return ("              <or>\n"
            f'                <varequal respident="response1">{decimal_text(asked.value)}'
            "</varequal>\n                <and>\n"
            f'                  <vargte respident="response1">{low}</vargte>\n'
            f'                  <varlte respident="response1">{high}</varlte>\n'
            "                </and>\n              </or>\n")


def _meta(ident: str, title: str, record: VariantRecord) -> str:
    """Canvas's own settings of the quiz (an assignment, one attempt, not published)."""
    points = f"{len(record.asked):.1f}"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<quiz identifier="{ident}" xmlns="http://canvas.instructure.com/xsd/cccv1p0">\n'
            f"  <title>{escape(title)}</title>\n  <description></description>\n"
            "  <shuffle_answers>false</shuffle_answers>\n"
            "  <scoring_policy>keep_highest</scoring_policy>\n"
            "  <quiz_type>assignment</quiz_type>\n"
            f"  <points_possible>{points}</points_possible>\n"
            "  <allowed_attempts>1</allowed_attempts>\n  <available>false</available>\n"
            "</quiz>\n")


def _manifest(ident: str, quizzes: list[str], pictures: list[str]) -> str:
    resources = []
    for quiz in quizzes:
        resources.append(f'    <resource identifier="{quiz}" type="imsqti_xmlv1p2">\n'
                         f'      <file href="{quiz}/{quiz}.xml"/>\n'
                         f'      <dependency identifierref="{quiz}_meta"/>\n    </resource>\n'
                         f'    <resource identifier="{quiz}_meta" type="associatedcontent/'
                         f'imscc_xmlv1p1/learning-application-resource" '
                         f'href="{quiz}/assessment_meta.xml">\n'
                         f'      <file href="{quiz}/assessment_meta.xml"/>\n    </resource>\n')
    for number, path in enumerate(pictures, start=1):
        resources.append(f'    <resource identifier="{ident}_image{number}" type="webcontent" '
                         f'href="{path}">\n      <file href="{path}"/>\n    </resource>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<manifest identifier="{ident}" '
            'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">\n'
            "  <metadata>\n    <schema>IMS Content</schema>\n"
            "    <schemaversion>1.1.3</schemaversion>\n  </metadata>\n"
            "  <organizations/>\n  <resources>\n" + "".join(resources)
            + "  </resources>\n</manifest>\n")

"""`generate --export moodle`: Moodle XML's documented question format, parsed with a real
XML parser, and every Cloze sub-question parsed with the documented grammar, its value and
tolerance checked against the quantity worked by hand and `bpcalc check`'s interval."""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from export_support import (
    DEFAULT_NAMES,
    HALF_UNIT_4_PLACES,
    SLIDES_TEMPLATE,
    generate_set,
    slides_values,
)

from bpcalc.grading.answers import Quantity
from bpcalc.grading.asked import Asked
from bpcalc.grading.precision import accepted_interval, within
from bpcalc.problem.model import Rounding
from bpcalc.render.export import moodle

COUNT = 3
# The Cloze grammar (Moodle docs, "Embedded Answers (Cloze) question type"):
# {weight:NUMERICAL:answer~answer}, answer = [=|%n%]value[:tolerance][#feedback], and
# `}`, `#`, `~`, `/`, `"`, `\` escaped with a backslash inside it.
SUBQUESTION = re.compile(r"\{(\d*):(NUMERICAL|NM):((?:\\.|[^\\}])*)\}")
ANSWER = re.compile(r"(=|%-?\d+(?:\.\d+)?%)?(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
                    r"(?::(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?))?(?:#((?:\\.|[^\\~])*))?")
ROW = re.compile(r"<tr><td>([^<]*)</td><td>(\{.*?)</td>")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("moodle") / "set"
    generate_set(out, "--count", str(COUNT), "--seed", "5", "--export", "moodle")
    return out


def subquestions(text: str) -> list[tuple[str, str, str]]:
    """(value, tolerance, feedback) of each NUMERICAL sub-question, in order."""
    found = []
    for match in SUBQUESTION.finditer(text):
        answers = re.split(r"(?<!\\)~", match.group(3))
        assert len(answers) == 1
        answer = ANSWER.fullmatch(answers[0])
        assert answer is not None, answers[0]
        assert answer.group(1) == "="
        found.append((answer.group(2), answer.group(3), answer.group(4) or ""))
    return found


def test_the_documented_structure(exported):
    root = ET.parse(exported / "moodle.xml").getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].find("category/text").text.startswith("$course$/top/")
    cloze = questions[1:]
    assert [q.get("type") for q in cloze] == ["cloze"] * COUNT
    for question in cloze:
        assert question.find("name/text").text.strip()
        text = question.find("questiontext")
        assert text.get("format") == "html"
        assert "{1:NUMERICAL:" in text.find("text").text
        assert question.find("generalfeedback/text").text.strip()
        assert question.find("generalfeedback").get("format") == "html"


def test_the_picture_is_an_embedded_svg_file(exported):
    root = ET.parse(exported / "moodle.xml").getroot()
    for number, question in enumerate(root.findall("question[@type='cloze']"), start=1):
        file = question.find("questiontext/file")
        assert file.get("encoding") == "base64" and file.get("path") == "/"
        assert file.get("name") == f"network_{number:02d}.svg"
        assert f'src="@@PLUGINFILE@@/{file.get("name")}"' in question.find("questiontext/text").text
        svg = ET.fromstring(base64.b64decode(file.text))
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_each_answer_is_the_true_value_with_the_asked_tolerance(exported):
    root = ET.parse(exported / "moodle.xml").getroot()
    for number, question in enumerate(root.findall("question[@type='cloze']"), start=1):
        text = question.find("questiontext/text").text
        by_hand = slides_values(exported / f"variant_{number:02d}.yaml")
        rows = ROW.findall(text)
        assert [label for label, _ in rows] == DEFAULT_NAMES
        assert len(subquestions(text)) == len(DEFAULT_NAMES)  # nothing else reads as Cloze
        for label, cell in rows:
            (value, tolerance, feedback), = subquestions(cell)
            assert float(value) == pytest.approx(by_hand[label], rel=1e-12, abs=1e-15)
            assert float(tolerance) == pytest.approx(HALF_UNIT_4_PLACES, rel=1e-12)
            assert feedback == f"{label} = {by_hand[label]:.4f}"
            # exactly bpcalc check's interval: inside just within the tolerance, not beyond
            true = Fraction(value)
            inside, outside = Fraction(tolerance) * Fraction(999, 1000), Fraction(tolerance) * 1.001
            asked = Rounding("places", 4)
            assert within(true + inside, true, asked) and within(true - inside, true, asked)
            assert not within(true + Fraction(outside), true, asked)


def _asked(value: str, precision: Rounding) -> Asked:
    true = Fraction(value)
    low, high = accepted_interval(true, precision)
    return Asked("z7", 1, Quantity("out", 7, None), true, precision, low, high)


@pytest.mark.parametrize(("value", "precision", "written", "tolerance"), [
    ("0", Rounding("places", 4), "0", "0.00005"),
    ("0.00001234", Rounding("sigfigs", 3), "0.00001234", "0.00000005"),
    ("-0.0000123", Rounding("places", 4), "-0.0000123", "0.00005"),
    ("123.456", Rounding("sigfigs", 2), "123.456", "5"),
])
def test_small_zero_and_large_values_have_no_exponent(value, precision, written, tolerance):
    text = moodle.cloze(_asked(value, precision))
    (got, tol, _), = subquestions(text)
    assert (got, tol) == (written, tolerance)
    # 1.234e-5 at 3 significant figures: half a unit of the 7th place, by hand
    assert Fraction(tol) == _asked(value, precision).tolerance


def test_user_text_is_escaped(tmp_path):
    template = tmp_path / "hostile.yaml"
    title = 'A {1:NUMERICAL:=1:0} $x$ \\(y\\) <b>bold</b> & ]]> # ~ / "q"'
    template.write_text(
        f"title: '{title.replace(chr(39), chr(39) * 2)}'\nlayers: [2, 2, 1]\n"
        "activation: sigmoid\nbias: 1\nweights: {random: [-1, 1], step: 0.1, exclude: [0]}\n"
        "pattern: {random: [0, 1], step: 0.1}\ntarget: {choice: [0, 1]}\n"
        "learning_rate: 1\nconvention: slides\n", encoding="utf-8")
    out = tmp_path / "set"
    generate_set(out, "--count", "1", "--export", "moodle", template=template)
    root = ET.parse(out / "moodle.xml").getroot()  # the ]]> did not break the CDATA
    question = root.find("question[@type='cloze']")
    assert question.find("name/text").text.startswith(title)  # plain text, XML-escaped
    text = question.find("questiontext/text").text
    assert len(subquestions(text)) == len(DEFAULT_NAMES)  # the title's "Cloze" is not one
    assert "<b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "$" not in text and "\\" not in text.replace("\\/", "")
    assert "&#36;x&#36;" in text and "&#123;1:NUMERICAL" in text


# Moodle's own parser (question/type/multianswer/questiontype.php, ANSWER_REGEX), in Python:
# an answer ends before an unescaped ~, # or }, a feedback before an unescaped ~ or }.
_ALT = (r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
        r"(#(.*?(?<!\\)(?=[~}]|$)))?")
MOODLE_ANSWER = re.compile(r"\{([0-9]*):(NUMERICAL|NM):(" + _ALT + "(~" + _ALT + r")*)\}", re.S)


def test_cloze_feedback_reads_back_as_written_by_moodles_parser():
    text = 'a}b#c~d/e"f\\g{h & <i>'
    assert moodle.cloze_escape(text) == (
        "a\\}b\\#c&#126;d&#47;e&#34;f&#92;g&#123;h &amp; &lt;i&gt;")
    cloze = "{1:NUMERICAL:=0.5:0.00005#" + moodle.cloze_escape(text) + "}"
    match = MOODLE_ANSWER.fullmatch(cloze)
    assert match is not None and match.group(6) == "0.5:0.00005"
    feedback = match.group(8)  # then decoded as Moodle does: entities, \} and \#
    assert html.unescape(feedback).replace("\\}", "}").replace("\\#", "#") == (
        html.escape(text, quote=False).replace("&amp;", "&").replace("&lt;", "<")
        .replace("&gt;", ">"))


def test_every_exported_sub_question_is_one_moodle_reads(exported):
    root = ET.parse(exported / "moodle.xml").getroot()
    for question in root.findall("question[@type='cloze']"):
        text = question.find("questiontext/text").text
        found = MOODLE_ANSWER.findall(text)
        assert len(found) == len(DEFAULT_NAMES)
        assert all(f[0] == "1" and f[3] == "=" for f in found)


def test_a_bad_export_names_the_option_and_the_choices(tmp_path):
    from typer.testing import CliRunner

    from bpcalc.cli import app

    out = tmp_path / "set"
    result = CliRunner().invoke(app, ["generate", str(SLIDES_TEMPLATE), "--out", str(out),
                                      "--export", "moodle,blackboard"])
    assert result.exit_code == 2
    assert "--export" in result.output and "'blackboard'" in result.output
    assert "moodle, qti, prairielearn" in result.output
    assert not out.exists()


def test_force_replaces_an_earlier_export_and_its_folders(tmp_path):
    out = tmp_path / "set"
    generate_set(out, "--count", "2", "--export", "moodle,prairielearn")
    generate_set(out, "--count", "1", "--export", "qti", "--force")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("variant_")) == [
        ".bpcalc-manifest.json", "canvas_qti.zip", "index.csv", "index.json", "index.md"]


def test_a_title_naming_moodles_file_marker_is_not_rewritten(tmp_path):
    """Moodle replaces @@PLUGINFILE@@ in a question's text by the URL of its files: a title
    holding it must reach the student as written, not as a link to the picture's folder."""
    template = tmp_path / "marker.yaml"
    template.write_text(SLIDES_TEMPLATE.read_text(encoding="utf-8").replace(
        'title: "2-2-1 MLP, one step of backpropagation"',
        'title: "see @@PLUGINFILE@@/x.svg"'), encoding="utf-8")
    out = tmp_path / "set"
    generate_set(out, "--count", "1", "--export", "moodle,qti,prairielearn", template=template)
    text = ET.parse(out / "moodle.xml").getroot().find(
        "question[@type='cloze']/questiontext/text").text
    assert text.count("@@PLUGINFILE@@") == 1  # the picture's own src only
    assert "see &#64;&#64;PLUGINFILE&#64;&#64;/x.svg" in text

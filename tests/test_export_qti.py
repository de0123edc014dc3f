"""`generate --export qti`: a Canvas QTI 1.2 zip, opened with zipfile, its manifest and
every assessment parsed, each numerical question's accepted range checked against the
quantity worked by hand and the interval `bpcalc check` accepts; the assessments validated
by lxml against the QTI 1.2.1 DTD, the manifest against the IMS CP 1.1 XSD."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from export_support import (
    ASKING_NAMES,
    DEFAULT_NAMES,
    HALF_UNIT_4_PLACES,
    asking_template,
    asking_tolerance,
    generate_set,
    slides_values,
)
from lxml import etree

from bpcalc.grading.answers import Quantity
from bpcalc.grading.asked import Asked
from bpcalc.grading.precision import accepted_interval
from bpcalc.problem.model import Rounding
from bpcalc.render.export import qti
from bpcalc.render.export.records import VariantRecord

COUNT = 3
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP11 = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
SCHEMAS = Path(__file__).parent / "schemas"
QTI_DTD = etree.DTD(str(SCHEMAS / "ims_qtiasiv1p2p1.dtd"))


def _cp_schema() -> etree.XMLSchema:
    """IMS CP 1.1's XSD, its import of the xml: attributes read from the copy beside it
    rather than from w3.org, so the tests need no network."""
    document = etree.parse(str(SCHEMAS / "imscp_v1p1.xsd"))
    for imported in document.iter("{http://www.w3.org/2001/XMLSchema}import"):
        imported.set("schemaLocation", (SCHEMAS / "ims_xml.xsd").as_uri())
    return etree.XMLSchema(document)


CP_SCHEMA = _cp_schema()


def dtd_view(text: bytes) -> etree._ElementTree:
    """The assessment as the DTD sees it: QTI 1.2's XSD binding (the one Canvas writes)
    puts the elements in a namespace and names its schema in xsi:schemaLocation, both of
    which the 2003 DTD predates; taken off, everything else is checked unchanged."""
    root = etree.fromstring(text)
    for element in root.iter(etree.Element):
        element.tag = etree.QName(element).localname
    root.attrib.pop(f"{XSI}schemaLocation", None)
    etree.cleanup_namespaces(root)
    return etree.ElementTree(root)


def cp_view(text: bytes) -> etree._ElementTree:
    """The manifest in IMS CP 1.1's namespace. Canvas writes the Common Cartridge 1.1
    namespace with CP 1.1's content model (schemaversion 1.1.3; Canvas's own exports name
    imscp_v1p1.xsd as that namespace's schema), so only the namespace is changed."""
    root = etree.fromstring(text)
    for element in root.iter(etree.Element):
        assert element.tag.startswith(CP), element.tag
        element.tag = CP11 + etree.QName(element).localname
    etree.cleanup_namespaces(root)
    return etree.ElementTree(root)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("qti") / "set"
    generate_set(out, "--count", str(COUNT), "--seed", "5", "--export", "qti")
    return out


def open_zip(path) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def assessment_files(archive: zipfile.ZipFile) -> list[bytes]:
    """Each quiz file the manifest lists, in order."""
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest"
    return [archive.read(resource.find(f"{CP}file").get("href"))
            for resource in manifest.iter(f"{CP}resource")
            if resource.get("type") == "imsqti_xmlv1p2"]


def assessments(archive: zipfile.ZipFile) -> list[ET.Element]:
    """Each quiz the manifest lists, parsed, in order."""
    roots = [ET.fromstring(text) for text in assessment_files(archive)]
    assert all(root.tag == f"{Q}questestinterop" for root in roots)
    return [root.find(f"{Q}assessment") for root in roots]


def field(item: ET.Element, label: str) -> str:
    for entry in item.iter(f"{Q}qtimetadatafield"):
        if entry.find(f"{Q}fieldlabel").text == label:
            return entry.find(f"{Q}fieldentry").text
    raise KeyError(label)


def answer_range(item: ET.Element) -> tuple[str | None, str, str]:
    """(varequal, vargte, varlte) of the condition that scores 100 (varequal None: an
    "answer in range", written at a tie)."""
    for condition in item.iter(f"{Q}respcondition"):
        if condition.find(f"{Q}setvar") is not None:
            var = condition.find(f"{Q}conditionvar")
            exact = var.find(f".//{Q}varequal")
            return (None if exact is None else exact.text, var.find(f".//{Q}vargte").text,
                    var.find(f".//{Q}varlte").text)
    raise AssertionError("no scoring condition")


def test_the_manifest_lists_every_file_in_the_zip(exported):
    archive = open_zip(exported / "canvas_qti.zip")
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    listed = {f.get("href") for f in manifest.iter(f"{CP}file")}
    assert listed == set(archive.namelist()) - {"imsmanifest.xml"}
    assert len(assessments(archive)) == COUNT
    pictures = [n for n in archive.namelist() if n.startswith("images/")]
    assert pictures == [f"images/network_{n:02d}.svg" for n in range(1, COUNT + 1)]


def test_each_numerical_question_accepts_the_asked_interval(exported):
    archive = open_zip(exported / "canvas_qti.zip")
    for number, assessment in enumerate(assessments(archive), start=1):
        items = assessment.findall(f"{Q}section/{Q}item")
        assert field(items[0], "question_type") == "text_only_question"
        picture = f"%24IMS-CC-FILEBASE%24/images/network_{number:02d}.svg"
        assert picture in items[0].find(f".//{Q}mattext").text
        numerical = items[1:]
        assert [item.get("title") for item in numerical] == DEFAULT_NAMES
        by_hand = slides_values(exported / f"variant_{number:02d}.yaml")
        for item in numerical:
            assert field(item, "question_type") == "numerical_question"
            assert item.find(f".//{Q}render_fib").get("fibtype") == "Decimal"
            exact, low, high = answer_range(item)
            value = by_hand[item.get("title")]
            assert float(exact) == pytest.approx(value, rel=1e-12, abs=1e-15)
            # the interval around the TRUE value, half a unit of the 4th place either side
            assert Fraction(low) == Fraction(exact) - Fraction(1, 20000)
            assert Fraction(high) == Fraction(exact) + Fraction(1, 20000)
            assert float(high) - value == pytest.approx(HALF_UNIT_4_PLACES, rel=1e-9)
        assert numerical[-1].find(f"{Q}itemfeedback") is not None  # the worked solution


def _record(value: str, precision: Rounding, title: str = "T") -> VariantRecord:
    true = Fraction(value)
    low, high = accepted_interval(true, precision)
    asked = Asked("z7", 1, Quantity("out", 7, None), true, precision, low, high)
    return VariantRecord(1, title, (asked,), "<p>s</p>", "<p>w</p>", None)


# An exact true value with few digits puts a tie at the interval's end toward zero, which
# check refuses (0.396365 for 0.39637 to 5 places): the range stops check's float slack,
# 10^-9, short of it.
@pytest.mark.parametrize(("value", "precision", "low", "high"), [
    ("0", Rounding("places", 4), "-0.00005", "0.00005"),  # text2qti refuses these
    ("0.00001234", Rounding("sigfigs", 3), "0.000012291", "0.00001239"),
    ("0.39637", Rounding("places", 5), "0.396365001", "0.396375"),  # text2qti: 0.3964
    ("-0.39637", Rounding("places", 5), "-0.396375", "-0.396365001"),
    ("0.396371234", Rounding("places", 5), "0.396366234", "0.396376234"),  # no tie: v +- tol
])
def test_small_and_zero_values_keep_their_interval(value, precision, low, high):
    text = qti.assessment_xml(_record(value, precision), "g1", "T", 2)
    item = ET.fromstring(text).findall(f".//{Q}item")[1]
    _exact, got_low, got_high = answer_range(item)
    assert (Fraction(got_low), Fraction(got_high)) == (Fraction(low), Fraction(high))
    assert "e" not in got_low.lower() + got_high.lower()


def test_user_text_is_escaped():
    title = "<b>x</b> & $y$ \\(z\\)"
    root = ET.fromstring(qti.assessment_xml(_record("0.5", Rounding("places", 4), title),
                                            "g1", title, 2))
    assert root.find(f"{Q}assessment").get("title") == title  # XML-escaped, read back whole
    html = root.find(f".//{Q}mattext").text
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "$" not in html and "\\" not in html


def test_the_same_seed_writes_the_same_zip(exported, tmp_path):
    again = tmp_path / "again"
    generate_set(again, "--count", str(COUNT), "--seed", "5", "--export", "qti")
    assert (again / "canvas_qti.zip").read_bytes() == (exported / "canvas_qti.zip").read_bytes()


def test_the_templates_ask_and_answer_precision(tmp_path):
    out = tmp_path / "set"
    generate_set(out, "--count", "2", "--export", "qti", template=asking_template(tmp_path))
    for number, assessment in enumerate(assessments(open_zip(out / "canvas_qti.zip")), 1):
        numerical = assessment.findall(f"{Q}section/{Q}item")[1:]
        assert [item.get("title") for item in numerical] == ASKING_NAMES
        by_hand = slides_values(out / f"variant_{number:02d}.yaml")
        for item in numerical:
            exact, low, high = answer_range(item)
            name = item.get("title")
            half = (float(high) - float(low)) / 2
            assert half == pytest.approx(asking_tolerance(name, by_hand[name]), rel=1e-9)
            assert float(exact) == pytest.approx(by_hand[name], rel=1e-12)


def test_every_assessment_is_valid_against_the_qti_1_2_dtd(exported):
    files = assessment_files(open_zip(exported / "canvas_qti.zip"))
    assert len(files) == COUNT
    hostile = qti.assessment_xml(_record("0", Rounding("sigfigs", 3), "<b>$x$</b>"), "g1",
                                 "<b>$x$</b>", 2)
    for text in [*files, hostile.encode("utf-8")]:
        document = dtd_view(text)
        assert QTI_DTD.validate(document), QTI_DTD.error_log


def test_the_dtd_check_can_fail(exported):
    real = assessment_files(open_zip(exported / "canvas_qti.zip"))[0]
    document = dtd_view(real)
    item = document.find("assessment/section/item")
    item.append(item.find("itemmetadata"))  # now after <presentation>: out of order
    del document.find("assessment").attrib["ident"]  # #REQUIRED
    assert not QTI_DTD.validate(document)
    messages = [error.message for error in QTI_DTD.error_log]
    assert any("Element item content does not follow the DTD" in m for m in messages)
    assert "Element assessment does not carry attribute ident" in messages, messages


def test_the_manifest_is_valid_against_ims_content_packaging_1_1(exported):
    manifest = cp_view(open_zip(exported / "canvas_qti.zip").read("imsmanifest.xml"))
    assert CP_SCHEMA.validate(manifest), CP_SCHEMA.error_log


def test_the_manifest_check_can_fail(exported):
    manifest = cp_view(open_zip(exported / "canvas_qti.zip").read("imsmanifest.xml"))
    resources = manifest.find(f"{CP11}resources")
    first, second = resources.findall(f"{CP11}resource")[:2]
    second.set("identifier", first.get("identifier"))  # xsd:ID: must be unique
    assert not CP_SCHEMA.validate(manifest)
    assert f"'{first.get('identifier')}' is not a valid value of the atomic type 'xs:ID'" \
        in str(CP_SCHEMA.error_log)
    manifest.getroot().remove(resources)
    assert not CP_SCHEMA.validate(manifest)
    assert "Expected is ( {http://www.imsglobal.org/xsd/imscp_v1p1}resources )" in str(
        CP_SCHEMA.error_log)


def test_a_rosters_quizzes_and_questions_name_their_student(tmp_path):
    """With --roster each Canvas quiz is one student's: its title says whose (and Moodle's
    question name too), in the roster's order."""
    roster = tmp_path / "students.csv"
    roster.write_text("name,email\nAnn,ann@uni.edu\nBob,bob@uni.edu\n", encoding="utf-8")
    out = tmp_path / "set"
    generate_set(out, "--seed", "7", "--roster", str(roster), "--export", "moodle,qti")
    titles = sorted(a.get("title") for a in assessments(open_zip(out / "canvas_qti.zip")))
    assert titles == [
        "2-2-1 MLP, one step of backpropagation (variant 1), seed 7, for ann@uni.edu",
        "2-2-1 MLP, one step of backpropagation (variant 2), seed 7, for bob@uni.edu"]
    names = [q.find("name/text").text for q in
             ET.parse(out / "moodle.xml").getroot().findall("question[@type='cloze']")]
    assert names == titles

"""At a tie every export refuses what `bpcalc check` refuses: halves round away from zero, so
for a true net4 = -1.25 and net5 = 1.25 asked to 1 decimal place check takes -1.3 and 1.3
and refuses -1.2 and 1.2, the interval's ends toward zero. A platform's closed interval
[1.2, 1.3] would take both. Each platform's grading is played here as it is documented
(Moodle's first matching answer with its float epsilon, Canvas's margin read from the upper
end or its closed range, PrairieLearn's server.py), and check itself is run on sheets."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from export_support import generate_set
from lxml import etree
from typer.testing import CliRunner

from bpcalc.cli import app

# net4 = -0.5 * 0.9 - 0.5 * 0.6 - 0.5 = -1.25 and net5 = 1.25 by hand: exact ties at 1 place.
TIES = """\
title: Ties
layers: [2, 2, 1]
activation: sigmoid
bias: 1
weights: [[[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]], [[0.5, 0.5, 0.5]]]
pattern: [0.9, 0.6]
target: [0]
learning_rate: {choice: [1]}
convention: slides
ask: [net4, net5]
answer_precision: {round: {net: 1}}
"""
# What check's rule gives, worked by hand: (answer, right?) per name.
EXPECTED = {"net4": [("-1.2", False), ("-1.25", True), ("-1.3", True), ("-1.31", False)],
            "net5": [("1.2", False), ("1.25", True), ("1.3", True), ("1.31", False)]}
Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"

# A hand-rounded problem (round: 4), where check accepts the unrounded solution too. By hand,
# rounding each value to 4 places: net4 = 0.63 - 0.2 = 0.43, z4 = 0.6059, z5 = f(-0.24) =
# 0.4403, net7 = 0.06059 + 0.30821 + 0.5 = 0.8688, z7 = 0.7045, delta7 = 0.2955 * 0.7045 *
# 0.2955 = 0.0615, delta4 = 0.6059 * 0.3941 * 0.1 * 0.0615 = 0.0015: a tie at 3 places, so
# [0.001, 0.002] with 0.001 refused. Unrounded, delta4 = 0.0014690 (UNROUNDED_DELTA4 below):
# (0.000969, 0.001969), which takes 0.001 and 0.00097.
HAND_ROUNDED = """\
title: Hand-rounded
layers: [2, 2, 1]
activation: sigmoid
bias: 1
weights: [[[0.9, 0.4, -0.2], [-0.2, -0.5, -0.1]], [[0.1, 0.7, 0.5]]]
pattern: [0.7, 0]
target: [1]
learning_rate: {choice: [2]}
convention: slides
round: 4
ask: [delta4]
answer_precision: 3
"""
ROUNDED_ANSWERS = [("0.0009", False), ("0.00097", True), ("0.001", True), ("0.0015", True),
                   ("0.002", True), ("0.0020", True), ("0.00201", False)]


def unrounded_delta4() -> float:
    def f(net: float) -> float:
        return 1 / (1 + math.exp(-net))

    z4, z5 = f(0.9 * 0.7 - 0.2), f(-0.2 * 0.7 - 0.1)
    z7 = f(0.1 * z4 + 0.7 * z5 + 0.5)
    return z4 * (1 - z4) * 0.1 * (1 - z7) * z7 * (1 - z7)


@pytest.fixture(scope="module")
def tied(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ties")
    template = folder / "ties.yaml"
    template.write_text(TIES, encoding="utf-8")
    out = folder / "set"
    generate_set(out, "--count", "1", "--seed", "1", "--export", "moodle,qti,prairielearn",
                 template=template)
    return out


def moodle_grade(cloze: str, answer: str) -> float:
    """Moodle's Cloze NUMERICAL: the first alternative within its tolerance (nominal, plus
    Moodle's epsilon of 1e-14 times the larger of the tolerance and the answer) gives its
    fraction; none: 0."""
    body = re.fullmatch(r"\{1:NUMERICAL:(.*)\}", cloze).group(1)
    for alternative in body.split("~"):
        alternative = alternative.split("#", 1)[0]
        fraction = 1.0 if alternative.startswith("=") else float(alternative.split("%")[1]) / 100
        value, tolerance = (float(part) for part in alternative.lstrip("=").split("%")[-1]
                            .split(":"))
        margin = tolerance + 1e-14 * max(abs(tolerance), abs(value), 1e-14)
        if value - margin <= float(answer) <= value + margin:
            return fraction
    return 0.0


def test_moodle_refuses_the_end_check_refuses(tied):
    text = (tied / "moodle.xml").read_text(encoding="utf-8")
    clozes = re.findall(r"\{1:NUMERICAL:[^}]*\}", text)
    assert len(clozes) == 2
    for cloze, name in zip(clozes, ["net4", "net5"], strict=True):
        for answer, right in EXPECTED[name]:
            assert moodle_grade(cloze, answer) == (1.0 if right else 0.0), (cloze, answer)


def canvas_grade(item, answer: str) -> bool:
    """Canvas's import of a QTI numerical question, one answer per scoring condition: `or`
    is an exact answer whose margin is the upper end minus the value; `and` alone a closed
    range. Right when any answer takes it. Canvas computes the margin and scores in
    BigDecimal (qti_exporter's numeric_interaction.rb), so decimals here."""
    given = Decimal(answer)
    for condition in item.findall(f".//{Q}respcondition[@continue='No']/{Q}conditionvar"):
        exact = condition.find(f".//{Q}varequal")
        upper = Decimal(condition.find(f".//{Q}varlte").text)
        if exact is not None:
            value = Decimal(exact.text)
            if value - (upper - value) <= given <= upper:
                return True
        elif Decimal(condition.find(f".//{Q}vargte").text) <= given <= upper:
            return True
    return False


def test_canvas_refuses_the_end_check_refuses(tied):
    archive = zipfile.ZipFile(tied / "canvas_qti.zip")
    name = next(n for n in archive.namelist() if n.count("/") == 1 and "meta" not in n
                and n.endswith(".xml"))
    items = etree.fromstring(archive.read(name)).findall(f".//{Q}item")[1:]
    for item in items:
        for answer, right in EXPECTED[item.get("title")]:
            assert canvas_grade(item, answer) == right, (item.get("title"), answer)


def test_prairielearn_grade_refuses_the_end_check_refuses(tied):
    folder = tied / "prairielearn" / "ties"
    spec = importlib.util.spec_from_file_location("bpcalc_pl_server", folder / "server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    for index in range(4):
        data = {"params": {}, "correct_answers": {}, "variant_seed": 7,
                "options": {"question_path": str(folder)}}
        server.generate(data)
        raw = {name: EXPECTED[name][index][0] for name in EXPECTED}
        # what pl-number-input's relabs comparison gives: |a - b| <= atol, both ends taken
        data["raw_submitted_answers"] = raw
        data["partial_scores"] = {name: {"score": 1, "weight": 1} for name in raw}
        server.grade(data)
        for name in EXPECTED:
            assert data["partial_scores"][name]["score"] == int(EXPECTED[name][index][1])
        assert data["score"] == sum(EXPECTED[n][index][1] for n in EXPECTED) / 2


def test_prairielearn_finds_its_variants_from_anywhere(tied, monkeypatch, tmp_path):
    folder = tied / "prairielearn" / "ties"
    spec = importlib.util.spec_from_file_location("bpcalc_pl_server2", folder / "server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    monkeypatch.chdir(tmp_path)  # no question_path given: the folder of server.py
    data = {"params": {}, "correct_answers": {}, "variant_seed": 0, "options": {}}
    server.generate(data)
    assert data["correct_answers"] == {"net4": -1.25, "net5": 1.25}


def test_check_itself_agrees(tied, tmp_path):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for name, answers in EXPECTED.items():
        for index, (answer, _right) in enumerate(answers):
            (sheets / f"{name}_{index}.yaml").write_text(f"id: 1\n{name}: '{answer}'\n",
                                                         encoding="utf-8")
    reports = tmp_path / "reports"
    CliRunner().invoke(app, ["check", "--set", str(tied), str(sheets), "--format", "json",
                             "--out", str(reports)])
    for name, answers in EXPECTED.items():
        for index, (answer, right) in enumerate(answers):
            report = json.loads((reports / f"{name}_{index}.json").read_text(encoding="utf-8"))
            assert report["answers"][0]["right"] == right, (name, answer)


@pytest.fixture(scope="module")
def hand_rounded(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rounded")
    template = folder / "rounded.yaml"
    template.write_text(HAND_ROUNDED, encoding="utf-8")
    out = folder / "set"
    generate_set(out, "--count", "1", "--seed", "1", "--export", "moodle,qti,prairielearn",
                 template=template)
    return out


def test_the_hand_worked_values():
    assert unrounded_delta4() == pytest.approx(0.0014690, abs=5e-8)


def test_every_export_takes_the_unrounded_solution_as_check_does(hand_rounded, tmp_path):
    cloze = re.findall(r"\{1:NUMERICAL:[^}]*\}",
                       (hand_rounded / "moodle.xml").read_text(encoding="utf-8"))[0]
    archive = zipfile.ZipFile(hand_rounded / "canvas_qti.zip")
    name = next(n for n in archive.namelist() if n.count("/") == 1 and "meta" not in n
                and n.endswith(".xml"))
    item = etree.fromstring(archive.read(name)).findall(f".//{Q}item")[1]
    folder = hand_rounded / "prairielearn" / "rounded"
    spec = importlib.util.spec_from_file_location("bpcalc_pl_server3", folder / "server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for index, (answer, right) in enumerate(ROUNDED_ANSWERS):
        assert moodle_grade(cloze, answer) == (1.0 if right else 0.0), answer
        assert canvas_grade(item, answer) == right, answer
        data = {"params": {}, "correct_answers": {}, "variant_seed": 0,
                "options": {"question_path": str(folder)},
                "raw_submitted_answers": {"delta4": answer},
                "partial_scores": {"delta4": {"score": 0, "weight": 1}}}
        server.generate(data)
        server.grade(data)
        assert data["partial_scores"]["delta4"]["score"] == int(right), answer
        (sheets / f"s{index}.yaml").write_text(f"id: 1\ndelta4: '{answer}'\n", encoding="utf-8")
    reports = tmp_path / "reports"
    CliRunner().invoke(app, ["check", "--set", str(hand_rounded), str(sheets), "--format",
                             "json", "--out", str(reports)])
    for index, (answer, right) in enumerate(ROUNDED_ANSWERS):
        report = json.loads((reports / f"s{index}.json").read_text(encoding="utf-8"))
        assert report["answers"][0]["right"] == right, answer


@pytest.mark.parametrize(("true", "places", "float_run", "refused"), [
    (0.00145, 4, True, "0.0014"),  # 0.0014499999...: check's slack makes it the tie
    (-0.00145, 4, True, "-0.0014"),
    (0.7388324210601013, 4, True, None),  # no decimal a student writes at its ends
    (0.0, 4, True, None),  # a true 0 takes both ends
    ("0.3395", 3, False, "0.339"),  # a hand-rounded run's exact tie
    ("0.33951", 3, False, "0.33901"),  # its end has 2 more places: still written
    ("0.3395000001", 3, False, None),  # too many places: no one writes it
])
def test_the_refused_end_is_the_decimal_check_refuses(true, places, float_run, refused):
    from fractions import Fraction

    from bpcalc.grading.answers import Quantity
    from bpcalc.grading.asked import Asked
    from bpcalc.grading.precision import accepted_interval
    from bpcalc.problem.model import Rounding
    from bpcalc.render.export.records import refused_end, takes

    value = Fraction(true)
    precision = Rounding("places", places)
    asked = Asked("z7", 1, Quantity("out", 7), value, precision, *accepted_interval(value,
                                                                                  precision))
    end = refused_end(asked, float_run)
    assert end == (None if refused is None else Fraction(refused))
    if end is not None:
        assert not takes(asked, float_run, end)  # check refuses it ...
        mirror = 2 * value - end  # ... and takes the other end, away from zero
        assert takes(asked, float_run, Fraction(round(mirror, places + 3)))

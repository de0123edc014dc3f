"""A variant per student (`generate --roster`): each student's draw from the seed and the id
(computed here from the documented seeding), stable as the roster grows or is reordered,
bad rosters named by file and line, and `check --set` finding a sheet's variant by email."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.grading.classrun import read_set_json
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import Rounding
from tests.test_variants import BASE, IDENTICAL, index_rows, run_generate, runner, write

SLIDES_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / \
    "slides_2-2-1_variants.yaml"
ROSTER = "email,name\nann@uni.edu,Ann\nbob@uni.edu,Bob\ncy@uni.edu,Cy\n"


def with_roster(tmp_path: Path, roster: str, folder: str, *options: str,
                roster_file: str | None = None):
    path = write(tmp_path, roster, roster_file or f"{folder}.csv")
    out = tmp_path / folder
    result = run_generate(SLIDES_TEMPLATE, out, "--seed", "7", "--roster", str(path),
                          "--formats", "json", *options)
    return result, out


def assignment(out: Path) -> dict[str, tuple]:
    """Student -> the numbers of the variant they were given."""
    skip = {"variant", "problem", "student", "answer_keys"}
    return {row["student"]: tuple(v for k, v in row.items() if k not in skip)
            for row in index_rows(out)}


def slides_draw(seed: int, student: str, attempt: int = 1) -> dict[str, str]:
    """The slides template's draw for a student, computed from the documented seeding:
    random.Random(sha256("seed:id:attempt")), values in the template's order."""
    digest = hashlib.sha256(f"{seed}:{student}:{attempt}".encode()).digest()
    rng = random.Random(int.from_bytes(digest, "big"))
    # weights: -1, -0.9, ..., 1 without 0 (20 values); inputs 0, 0.1, ..., 1
    weights = [Fraction(i - 10 + (i >= 10), 10) for i in (rng.randrange(20) for _ in range(9))]
    pattern = [Fraction(rng.randrange(11), 10) for _ in range(2)]
    target, rate = (0, 1)[rng.randrange(2)], ("0.5", "1", "2")[rng.randrange(3)]
    names = ["w14", "w24", "w34", "w15", "w25", "w35", "w47", "w57", "w67"]
    drawn = {f"weights.{n}": w for n, w in zip(names, weights, strict=True)}
    drawn.update({"pattern[0]": pattern[0], "pattern[1]": pattern[1]})
    text = {key: f"{float(value):g}" for key, value in drawn.items()}
    return {**text, "target[0]": str(target), "learning_rate": rate}


def test_each_student_gets_the_draw_of_their_id(tmp_path):
    result, out = with_roster(tmp_path, ROSTER, "set")
    assert result.exit_code == 0, result.stderr
    rows = index_rows(out)
    assert [row["student"] for row in rows] == ["ann@uni.edu", "bob@uni.edu", "cy@uni.edu"]
    for row in rows:
        expected = slides_draw(7, row["student"])
        assert {k: row[k] for k in expected} == expected
    index = json.loads((out / "index.json").read_text())
    assert [(v["number"], v["student"]) for v in index["variants"]] == [
        (1, "ann@uni.edu"), (2, "bob@uni.edu"), (3, "cy@uni.edu")]
    assert "--roster" in (out / "variant_01.yaml").read_text().splitlines()[1]


def test_the_same_roster_gives_the_same_set(tmp_path):
    first, a = with_roster(tmp_path, ROSTER, "a", roster_file="class.csv")
    again, b = with_roster(tmp_path, ROSTER, "a2", roster_file="class.csv")
    assert first.exit_code == again.exit_code == 0
    files = sorted(p.name for p in a.iterdir() if p.name.startswith("variant"))
    assert files == sorted(p.name for p in b.iterdir() if p.name.startswith("variant"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert assignment(a) == assignment(b)


def test_a_student_added_changes_no_one_else(tmp_path):
    _result, before = with_roster(tmp_path, ROSTER, "before", roster_file="class.csv")
    _result, after = with_roster(tmp_path, ROSTER + "dan@uni.edu,Dan\n", "after",
                                 roster_file="class.csv")
    old, new = assignment(before), assignment(after)
    assert {k: new[k] for k in old} == old and len(new) == 4
    for name in sorted(p.name for p in before.iterdir() if p.name.startswith("variant")):
        assert (before / name).read_bytes() == (after / name).read_bytes()  # appended
    _result, middle = with_roster(tmp_path, "email\nann@uni.edu\ndan@uni.edu\nbob@uni.edu\n"
                                  "cy@uni.edu\n", "middle")
    assert assignment(middle) == new  # inserted anywhere: the same numbers


def test_the_roster_order_never_decides(tmp_path):
    _result, ordered = with_roster(tmp_path, ROSTER, "ordered")
    _result, shuffled = with_roster(tmp_path, "cy@uni.edu\nann@uni.edu\nbob@uni.edu\n",
                                    "shuffled")  # no header: the first column
    assert assignment(shuffled) == assignment(ordered)
    assert [row["student"] for row in index_rows(shuffled)] == [
        "cy@uni.edu", "ann@uni.edu", "bob@uni.edu"]  # numbered in the roster's order


def test_identical_draws_move_the_student_later_in_hash_order(tmp_path):
    text = IDENTICAL[0]  # two possible variants: learning rate 0.5 or 1
    students = ["s1@x.org", "s2@x.org", "s3@x.org", "s4@x.org"]

    def rate(student: str, attempt: int) -> str:
        digest = hashlib.sha256(f"7:{student}:{attempt}".encode()).digest()
        return ("0.5", "1")[random.Random(int.from_bytes(digest, "big")).randrange(2)]

    def hashed(student: str) -> int:
        return int.from_bytes(hashlib.sha256(f"7:{student}".encode()).digest(), "big")

    pair = next((a, b) for a in students for b in students
                if hashed(a) < hashed(b) and rate(a, 1) == rate(b, 1))
    first, second = pair
    expected = {first: rate(first, 1),
                second: next(rate(second, k) for k in range(2, 100)
                             if rate(second, k) != rate(first, 1))}
    template = write(tmp_path, text)
    for order in ((first, second), (second, first)):
        roster = write(tmp_path, "\n".join(order) + "\n", "pair.csv")
        out = tmp_path / f"set_{order[0]}"
        result = run_generate(template, out, "--seed", "7", "--roster", str(roster))
        assert result.exit_code == 0, result.stderr
        got = {row["student"]: row["learning_rate"] for row in index_rows(out)}
        assert got == expected
        assert "identical" in result.stderr
    roster = write(tmp_path, "\n".join(students[:3]) + "\n", "three.csv")
    result = run_generate(template, tmp_path / "three", "--roster", str(roster))
    assert result.exit_code == 2 and "identical 100" in result.stderr


@pytest.mark.parametrize(("roster", "message"), [
    ("", "roster.csv: the roster lists no students"),
    ("email\n\n", "roster.csv: the roster lists no students"),
    ("email\nann@uni.edu\nAnn@Uni.edu\n", "roster.csv, line 3: the student 'Ann@Uni.edu' is "
                                          "already on line 2"),
    ("name,email\nAnn,ann@uni.edu\nBob,\n", "roster.csv, line 3: no student id in this row "
                                            "(column 2)"),
    ('email\n"ann\nx"\n', "roster.csv, line 2: a student id is one printable line"),
])
def test_a_bad_roster_names_the_file_and_line(tmp_path, roster, message):
    path = write(tmp_path, roster, "roster.csv")
    out = tmp_path / "set"
    result = run_generate(SLIDES_TEMPLATE, out, "--roster", str(path))
    assert result.exit_code == 2
    assert f"bpcalc: error: {tmp_path}/{message}" in result.stderr, result.stderr
    assert not out.exists()


def test_an_unreadable_roster_or_a_count_with_it(tmp_path):
    out = tmp_path / "set"
    missing = run_generate(SLIDES_TEMPLATE, out, "--roster", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "none.csv: no such file" in missing.stderr
    path = write(tmp_path, ROSTER, "roster.csv")
    both = run_generate(SLIDES_TEMPLATE, out, "--roster", str(path), "-n", "3")
    assert both.exit_code == 2 and "--count: a roster gives one variant per student" in \
        both.stderr
    assert not out.exists()


def z7_of(problem_file: Path) -> str:
    """z7 of step 1 to 4 places, solved by the engine from the variant's file."""
    problem = load_problem(str(problem_file))
    trace = solve(problem, make_arithmetic(None, exact=False))
    return f"{float(trace.steps[0].node(7).out):.4f}"


def test_check_set_finds_each_students_variant_by_email(tmp_path):
    result, out = with_roster(tmp_path, ROSTER, "set")
    assert result.exit_code == 0, result.stderr
    z7 = {row["student"]: z7_of(out / row["problem"]) for row in index_rows(out)}
    assert len(set(z7.values())) == 3
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "first.yaml").write_text(f"id: ANN@uni.edu\nz7: {z7['ann@uni.edu']}\n")
    (sheets / "second.yaml").write_text(f"id: bob@uni.edu\nz7: {z7['cy@uni.edu']}\n")
    (sheets / "cy@uni.edu.yaml").write_text(f"z7: {z7['cy@uni.edu']}\n")  # by its stem
    reports = tmp_path / "reports"
    checked = runner.invoke(app, ["check", "--set", str(out), str(sheets), "--out",
                                  str(reports)])
    assert checked.exit_code == 3  # bob answered cy's z7
    rows = {r["file"].rsplit("/", 1)[-1]: (r["variant"], r["score"]) for r in
            csv.DictReader(io.StringIO((reports / "roster.csv").read_text()))}
    assert rows == {"first.yaml": ("1", "1"), "second.yaml": ("2", "0"),
                    "cy@uni.edu.yaml": ("3", "1")}


def test_the_set_index_gives_each_variant_its_precision(tmp_path):
    template = write(tmp_path, BASE + "answer_precision: {sigfigs: 3}\n")
    out = tmp_path / "set"
    assert run_generate(template, out, "-n", "2").exit_code == 0
    variants = read_set_json((out / "index.json").read_text())
    assert [(v.number, v.problem_file, v.precision) for v in variants] == [
        (1, "variant_01.yaml", Rounding("sigfigs", 3)),
        (2, "variant_02.yaml", Rounding("sigfigs", 3))]
    plain = tmp_path / "plain"
    assert run_generate(write(tmp_path, BASE, "plain.yaml"), plain, "-n", "1").exit_code == 0
    assert read_set_json((plain / "index.json").read_text())[0].precision == \
        Rounding("places", 4)
    with pytest.raises(ProblemError, match="not the index.json"):
        read_set_json('{"variants": [{"number": 1, "file": "../x.yaml"}]}')


def test_check_set_judges_each_sheet_at_the_precision_its_set_asks(tmp_path):
    template = write(tmp_path, BASE + "answer_precision: {round: 4}\n")
    out = tmp_path / "set"
    assert run_generate(template, out, "-n", "1", "--formats", "json").exit_code == 0
    z7 = float(z7_of(out / "variant_01.yaml"))
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "variant_01.yaml").write_text(f"z7: {z7:.2f}\n")  # right at 2 places
    checked = runner.invoke(app, ["check", "--set", str(out), str(sheets / "variant_01.yaml"),
                                  "--out", str(tmp_path / "r"), "--format", "json"])
    assert checked.exit_code == 3, checked.stderr
    report = json.loads((tmp_path / "r" / "variant_01.json").read_text())
    assert report["answers"][0]["verdict"] == "too_few_digits"
    # The command line's own rule wins over the set's precision.
    loose = runner.invoke(app, ["check", "--set", str(out), str(sheets / "variant_01.yaml"),
                                "--tolerance", "0.01", "--out", str(tmp_path / "r2")])
    assert loose.exit_code == 0, loose.stdout + loose.stderr


def test_a_per_quantity_set_precision_judges_the_rest_at_4_places(tmp_path):
    """As the worksheet and the exports do: a quantity answer_precision leaves out is asked
    to 4 places, and the JSON says the precision per quantity."""
    template = write(tmp_path, BASE + "answer_precision: {round: {weight: 2}}\n")
    out = tmp_path / "set"
    assert run_generate(template, out, "-n", "1", "--formats", "json").exit_code == 0
    z7 = float(z7_of(out / "variant_01.yaml"))
    sheet = tmp_path / "variant_01.yaml"
    sheet.write_text(f"z7: {z7:.2f}\n")  # 2 places: the weights' precision, not z7's
    checked = runner.invoke(app, ["check", "--set", str(out), str(sheet), "--out",
                                  str(tmp_path / "r"), "--format", "json"])
    assert checked.exit_code == 3, checked.stderr
    report = json.loads((tmp_path / "r" / "variant_01.json").read_text())
    assert report["answers"][0]["verdict"] == "too_few_digits"
    by = report["precision"]["by_quantity"]
    assert by["weight"] == {"kind": "places", "digits": 2}
    assert by["out"] == {"kind": "places", "digits": 4}

"""`bpcalc check` on a whole class: a folder (or many files) in one run, a report per
student in --out, the roster CSV and the mistake table, the exit statuses, and --set
matching each sheet to its variant by `id:` or by file stem."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.grading.classrun import Variant, match_variant, read_set_index
from bpcalc.problem.loader import load_problem

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "bpcalc" / "examples"
SLIDES = str(EXAMPLES / "slides_2-2-1.yaml")
TEMPLATE = ROOT / "templates" / "slides_2-2-1_variants.yaml"
RIGHT = (EXAMPLES / "answers" / "slides_2-2-1_correct.yaml").read_text()
NEW_WEIGHT = (EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml").read_text()
# delta7 without f'(net): -(0.782) is -.782 (tests/test_check.py's no_slope case).
NO_SLOPE = "net4: 1.25\nz4: .777\ndelta7: -.782\n"


@pytest.fixture
def submissions(tmp_path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "ann.yaml").write_text(RIGHT)
    (folder / "bob.yaml").write_text(NEW_WEIGHT)
    (folder / "cat.yml").write_text(NEW_WEIGHT)
    (folder / "dan.yaml").write_text(NO_SLOPE)
    (folder / "eve.yaml").write_text("z4: [.777\n")  # not YAML
    (folder / "fay.yaml").write_bytes(b"z4: \xff\xfe\n")  # not UTF-8
    (folder / "notes.txt").write_text("not an answers file")  # a folder's .txt is skipped
    (folder / ".hidden.yaml").write_text("zz: 1\n")  # and so is a hidden file
    return folder


def class_run(*args: str):
    return runner.invoke(app, ["check", *args])


def roster(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "roster.csv").read_text())))


def test_a_folder_in_one_run(tmp_path, submissions):
    out = tmp_path / "reports"
    result = class_run(SLIDES, str(submissions), "--out", str(out))
    assert result.exit_code == 2  # two files unreadable; every other one checked
    rows = roster(out)
    assert [Path(r["file"]).name for r in rows] == ["ann.yaml", "bob.yaml", "cat.yml",
                                                     "dan.yaml", "eve.yaml", "fay.yaml"]
    cells = {Path(r["file"]).stem: (r["score"], r["total"], r["mistakes"]) for r in rows}
    assert cells["ann"] == ("12", "12", "")
    # (3 later weights follow from the mistake: carried forward, full credit by default)
    assert cells["bob"] == cells["cat"] == ("10", "11", "new_weight_in_hidden_delta")
    assert cells["dan"] == ("2", "3", "no_slope")
    assert cells["eve"] == cells["fay"] == ("0", "", "")
    notes = {Path(r["file"]).stem: r["note"] for r in rows}
    assert notes["ann"] == "right" and notes["bob"] == "wrong"
    assert notes["eve"].startswith("unreadable: line 2") and "YAML" in notes["eve"]
    assert notes["fay"].startswith("unreadable:") and "UTF-8" in notes["fay"]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "ann.txt", "bob.txt", "cat.txt", "dan.txt", "eve.txt", "fay.txt", "mistakes.md",
        "roster.csv"]
    # The report says the roster's 10: 7 right, and w14 w24 w34 worked correctly from the
    # wrong delta4 (carried forward, full credit: the default).
    assert ("Score: 10/11 (7 right, 3 carried forward at full credit"
            in (out / "bob.txt").read_text())
    # stderr names each file not checked, once; stdout is the roster and mistake table.
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and "eve.yaml" in errors[0] and "fay.yaml" in errors[1]
    assert "Most frequent mistakes" in result.stdout
    assert "6 files: 1 all right, 3 with wrong answers, 2 unreadable." in result.stdout


def test_the_mistake_table(tmp_path, submissions):
    out = tmp_path / "reports"
    class_run(SLIDES, str(submissions), "--out", str(out))
    markdown = (out / "mistakes.md").read_text()
    table = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert table == ["| `new_weight_in_hidden_delta` | 2 | new weight in a hidden delta |",
                     "| `no_slope` | 1 | f' left out of the deltas |"]
    assert "## Not checked" in markdown and "eve.yaml" in markdown
    terminal = class_run(SLIDES, str(submissions)).stdout
    assert "new_weight_in_hidden_delta │        2" in terminal


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_class_tables_never_cut_a_file_name_or_mistake_id(tmp_path, submissions, columns,
                                                               monkeypatch):
    """A long file name and the longest mistake id stay whole on one line: at 80 columns
    the roster table folded `new_weight_in_hidden_d|elta` and `bob.yam|l`, at 60 the
    mistake table cut the id with an ellipsis."""
    (submissions / "a student with a rather long name.yaml").write_text(NEW_WEIGHT)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", SLIDES, "submissions"],
                           env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert "…" not in result.stdout
    assert all(len(line) <= columns for line in lines)
    for file in sorted(submissions.glob("[!.]*.y*ml")):
        assert any(f"submissions/{file.name}" in line for line in lines), file
    ids = [line for line in lines if "new_weight_in_hidden_delta" in line]
    assert len(ids) >= 4  # three sheets in the roster, one row of the mistake table
    assert any("no_slope" in line for line in lines)


def test_mistakes_md_reads_file_names_and_messages_as_text(tmp_path):
    """A file name with a backtick and a key like <b> would end the code span and turn
    into HTML in mistakes.md: both are escaped."""
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "a`<b>x.yaml").write_text('"<i>": 1\n')
    out = tmp_path / "reports"
    class_run(SLIDES, str(folder), "--out", str(out))
    markdown = (out / "mistakes.md").read_text()
    line = next(line for line in markdown.splitlines() if line.startswith("- "))
    assert "a\\`\\<b\\>x.yaml" in line and "\\<i\\>" in line
    assert line.count("<") == line.count("\\<")


def test_student_reports_equal_a_single_check(tmp_path, submissions):
    out = tmp_path / "reports"
    class_run(SLIDES, str(submissions), "--out", str(out), "-f", "json")
    for stem in ("ann", "bob", "dan"):
        single = class_run(SLIDES, str(submissions / f"{stem}.yaml"), "-f", "json")
        assert json.loads((out / f"{stem}.json").read_text()) == json.loads(single.stdout)
    bad = json.loads((out / "eve.json").read_text())
    assert bad["score"] == 0 and bad["error"].startswith("unreadable: line 2")


@pytest.mark.parametrize(("names", "status"), [
    (["ann.yaml"], 0), (["ann.yaml", "bob.yaml"], 3), (["bob.yaml", "eve.yaml"], 2),
])
def test_exit_status_of_many_files(submissions, names, status):
    result = class_run(SLIDES, *(str(submissions / name) for name in names))
    assert result.exit_code == status


def test_out_is_refused_without_force_and_replaced_with_it(tmp_path, submissions):
    out = tmp_path / "reports"
    assert class_run(SLIDES, str(submissions), "--out", str(out)).exit_code == 2
    (out / "ann.txt").write_text("old")
    refused = class_run(SLIDES, str(submissions), "--out", str(out))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (out / "ann.txt").read_text() == "old"
    forced = class_run(SLIDES, str(submissions), "--out", str(out), "--force")
    assert forced.exit_code == 2 and (out / "ann.txt").read_text() != "old"
    (out / "mine.csv").write_text("a file bpcalc did not write")
    foreign = class_run(SLIDES, str(submissions), "--out", str(out), "--force")
    assert foreign.exit_code == 2 and "not written by bpcalc" in foreign.stderr


def test_an_empty_folder_is_bad_input(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = class_run(SLIDES, str(empty))
    assert result.exit_code == 2 and "holds no .yaml or .yml answers files" in result.stderr


# -- a generated set: each sheet to its variant -------------------------------------------


@pytest.fixture
def problem_set(tmp_path) -> Path:
    keys = tmp_path / "keys"
    made = runner.invoke(app, ["generate", str(TEMPLATE), "-n", "3", "--seed", "4",
                               "-o", str(keys)])
    assert made.exit_code == 0, made.stderr
    return keys


def output_of(problem_file: Path) -> str:
    """z7 of step 1 to 4 places, solved by the engine from the variant's file."""
    problem = load_problem(str(problem_file))
    trace = solve(problem, make_arithmetic(None, exact=False))
    return f"{float(trace.steps[0].node(7).out):.4f}"


def test_set_matches_by_id_then_by_stem(tmp_path, problem_set):
    z7 = {n: output_of(problem_set / f"variant_0{n}.yaml") for n in (1, 2, 3)}
    assert len(set(z7.values())) == 3  # each variant has its own answer
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    # The id wins over the stem: variant_02.yaml says it is variant 1.
    (sheets / "variant_02.yaml").write_text(f"id: 1\nz7: {z7[1]}\n")
    (sheets / "alice.yaml").write_text(f"id: variant_02\nz7: {z7[2]}\n")
    (sheets / "3.yaml").write_text(f"z7: {z7[3]}\n")  # by stem
    (sheets / "bert.yaml").write_text(f"id: 3\nz7: {z7[1]}\n")  # variant 3, answered wrong
    (sheets / "nobody.yaml").write_text(f"z7: {z7[1]}\n")  # no id, stem names no variant
    (sheets / "zed.yaml").write_text(f"id: 9\nz7: {z7[1]}\n")  # no variant 9: not guessed
    out = tmp_path / "reports"
    result = class_run("--set", str(problem_set / "index.csv"), str(sheets), "--out", str(out))
    assert result.exit_code == 2
    rows = {Path(r["file"]).name: (r["variant"], r["score"], r["total"]) for r in roster(out)}
    assert rows["variant_02.yaml"] == ("1", "1", "1")
    assert rows["alice.yaml"] == ("2", "1", "1")
    assert rows["3.yaml"] == ("3", "1", "1")
    assert rows["bert.yaml"] == ("3", "0", "1")
    assert rows["nobody.yaml"] == rows["zed.yaml"] == ("", "0", "")
    notes = {Path(r["file"]).name: r["note"] for r in roster(out)}
    assert notes["zed.yaml"].startswith("unmatched: matches no variant")
    assert "its id: 9 names none" in notes["zed.yaml"]  # says what was tried
    assert "no id: key, and its file name 'nobody' names none" in notes["nobody.yaml"]
    # The set's folder works as well as its index.
    again = class_run("--set", str(problem_set), str(sheets / "alice.yaml"))
    assert again.exit_code == 0


def test_one_sheet_of_a_set_gets_its_own_report_as_on_gradescope(tmp_path, problem_set):
    """`check --set keys/ answers.yaml -f gradescope -o results.json` wrote the class run's
    terminal table into results.json (not JSON at all); a sheet that matches no variant
    got none, so the student saw only an autograder failure."""
    z7 = output_of(problem_set / "variant_02.yaml")
    sheet = tmp_path / "answers.yaml"
    sheet.write_text(f"id: 2\nz7: {z7}\n")
    results = tmp_path / "results.json"
    result = class_run("--set", str(problem_set), str(sheet), "-f", "gradescope",
                       "-o", str(results))
    assert result.exit_code == 0, result.stderr
    document = json.loads(results.read_text())
    assert (document["score"], document["max_score"]) == (1.0, 1.0)
    assert [t["name"] for t in document["tests"]] == ["z7"]
    sheet.write_text(f"id: 9\nz7: {z7}\n")  # the set has no variant 9
    results.unlink()
    result = class_run("--set", str(problem_set), str(sheet), "-f", "gradescope",
                       "-o", str(results))
    assert result.exit_code == 3
    document = json.loads(results.read_text())
    assert document["score"] == 0.0 and document["tests"] == []
    assert "its id: 9 names none" in document["output"]
    table = class_run("--set", str(problem_set), str(sheet.with_name("3.yaml")))
    assert table.exit_code == 2  # not there: the same message, no report
    sheet.write_text(f"id: 2\nz7: {z7}\n")
    table = class_run("--set", str(problem_set), str(sheet))
    assert table.exit_code == 0 and "answers.yaml: variant 2" in table.stdout
    assert "Class run" not in table.stdout


def test_match_variant_rules():
    variants = [Variant(1, "variant_01.yaml"), Variant(12, "variant_12.yaml")]
    assert match_variant(variants, None, "variant_01") == variants[0]
    assert match_variant(variants, None, "VARIANT-12") == variants[1]
    assert match_variant(variants, "012", "anything") == variants[1]
    assert match_variant(variants, "7", "variant_01") is None  # an id is never overruled
    assert match_variant(variants, None, "variant_01_v2") is None  # no guessing
    assert match_variant(variants, None, "alice") is None


def test_a_file_that_is_not_a_set_index(tmp_path):
    index = tmp_path / "index.csv"
    index.write_text("student,score\nann,3\n")
    result = class_run("--set", str(index), SLIDES)
    assert result.exit_code == 2 and "--set" in result.stderr
    with pytest.raises(Exception, match="no variants"):
        read_set_index("variant,problem\n")
    for elsewhere in ("../secret.yaml", "/etc/p.yaml", ".hidden.yaml"):
        with pytest.raises(Exception, match="a file beside the index"):
            read_set_index(f"variant,problem\n1,{elsewhere}\n")


def test_the_roster_and_reports_follow_a_rubric(tmp_path, submissions):
    rubric = tmp_path / "rubric.yaml"
    # bob: net4 z4 net7 z7 delta7 dw47 w47 right (1 + 1 + 1 + 1 + 1 + 1 + 3 = 9), delta4
    # (1) wrong, and w14 w24 w34 (2 each) carried forward from it at full credit (the
    # default: 6 more): 15 of 16, less 2 for the one mistake.
    rubric.write_text("points:\n  w*: 2\n  w47: 3\ndeductions:\n"
                      "  new_weight_in_hidden_delta: 2\n")
    out = tmp_path / "reports"
    class_run(SLIDES, str(submissions / "bob.yaml"), str(submissions / "ann.yaml"),
              "--rubric", str(rubric), "--out", str(out), "-f", "json")
    rows = {Path(r["file"]).stem: (r["score"], r["total"]) for r in roster(out)}
    assert rows["bob"] == ("13", "16")
    assert json.loads((out / "bob.json").read_text())["deductions"] == [
        {"mistake": "new_weight_in_hidden_delta", "points": 2}]


def test_output_takes_the_summary_and_out_needs_a_class(tmp_path, submissions):
    summary = tmp_path / "summary.txt"
    result = class_run(SLIDES, str(submissions / "ann.yaml"), str(submissions / "dan.yaml"),
                       "-o", str(summary))
    assert result.exit_code == 3 and result.stdout == ""
    assert "1 all right, 1 with wrong answers" in summary.read_text()
    single = class_run(SLIDES, str(submissions / "ann.yaml"), "--out", str(tmp_path / "r"))
    assert single.exit_code == 2 and "--out is for a class run" in single.stderr


@pytest.mark.parametrize(("policy", "score"), [("full", "10"), ("half", "8.5"), ("none", "7")])
def test_carried_forward_reaches_every_sheet(tmp_path, submissions, policy, score):
    # bob and cat: 7 right, delta4 wrong, w14 w24 w34 carried forward from it: 7 + 3 x
    # the policy's credit (1, 1/2, 0). ann has nothing carried: 12 whatever the policy.
    out = tmp_path / "reports"
    sheets = [str(submissions / name) for name in ("ann.yaml", "bob.yaml", "cat.yml")]
    result = class_run(SLIDES, *sheets, "--carried-forward", policy, "--out", str(out),
                       "-f", "json")
    assert result.exit_code == 3
    rows = {Path(r["file"]).stem: (r["score"], r["total"]) for r in roster(out)}
    assert rows == {"ann": ("12", "12"), "bob": (score, "11"), "cat": (score, "11")}
    for stem in ("bob", "cat"):
        report = json.loads((out / f"{stem}.json").read_text())
        assert report["carried_forward"]["policy"] == policy
        single = class_run(SLIDES, sheets[1], "--carried-forward", policy, "-f", "json")
        assert report == json.loads(single.stdout)  # as the sheet checked on its own

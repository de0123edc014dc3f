"""`bpcalc check -f gradescope` against the results.json fields Gradescope documents
(gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"): a bad answers
file still gets a valid file (score 0, the message visible to the student), per-test
visibility and extra_data, and the Markdown output_format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "bpcalc" / "examples"
SLIDES = str(EXAMPLES / "slides_2-2-1.yaml")
NEW_WEIGHT = str(EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml")

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
        "name_format": FORMAT, "number": {"type": "string"}, "output": {"type": "string"},
        "output_format": FORMAT, "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY, "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
# The documented top-level fields; max_score is the one bpcalc has always added (the
# assignment's total; Gradescope reads the tests' max_score).
RESULTS = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"},
        "execution_time": {"type": "number"}, "output": {"type": "string"},
        "output_format": FORMAT, "test_output_format": FORMAT, "test_name_format": FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"}, "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array"},
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "additionalProperties": False,
}


def gradescope(tmp_path, answers: str, *options: str):
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["check", SLIDES, answers, "-f", "gradescope", "-o", str(out),
                                 *options])
    document = json.loads(out.read_text())
    jsonschema.validate(document, RESULTS)
    return result, document


def test_the_schema_refuses_what_gradescope_does_not_document():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "tests": [{"score": 1, "status": "ok"}]}, RESULTS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "visibility": "students"}, RESULTS)


def test_a_bad_problem_file_is_bad_input_and_writes_nothing(tmp_path):
    problem = tmp_path / "problem.yaml"
    problem.write_text("layers: [2, 2\n")
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["check", str(problem), NEW_WEIGHT, "-f", "gradescope",
                                 "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()


def test_a_checked_file_is_valid(tmp_path):
    result, document = gradescope(tmp_path, NEW_WEIGHT)
    assert result.exit_code == 3
    # 7 right, and w14 w24 w34 carried forward from the wrong delta4 at full credit (the
    # default): 10 points, delta4's test the one failed.
    assert (document["score"], len(document["tests"])) == (10.0, 11)
    assert [t["name"] for t in document["tests"] if t["status"] == "failed"] == ["delta4"]
    assert all("visibility" not in t and "extra_data" not in t for t in document["tests"])


@pytest.mark.parametrize(("text", "fragment"), [
    ("zz4: 1\n", "line 1: zz4: not a value name"),
    ("z4: [1\n", "not valid YAML"),
    ("", "empty"),
])
def test_a_bad_answers_file_still_writes_results(tmp_path, text, fragment):
    answers = tmp_path / "answers.yaml"
    answers.write_text(text)
    result, document = gradescope(tmp_path, str(answers))
    # A result, not bad input: exit 2 would promise that nothing was written.
    assert result.exit_code == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("bpcalc: answers not read, results.json gives score 0: ")
    assert fragment in line
    assert document["score"] == 0.0 and document["tests"] == []
    assert document["visibility"] == "visible"
    (line,) = document["output"].splitlines()
    assert line.startswith("Your answers file could not be read: ") and fragment in line


def test_a_missing_answers_file_still_writes_results(tmp_path):
    result, document = gradescope(tmp_path, str(tmp_path / "absent.yaml"))
    assert result.exit_code == 3 and document["score"] == 0.0
    assert "absent.yaml" in document["output"]


def test_visibility_and_extra_data(tmp_path):
    _result, document = gradescope(tmp_path, NEW_WEIGHT, "--visibility", "after_published",
                                   "--extra-data")
    assert {t["visibility"] for t in document["tests"]} == {"after_published"}
    delta4 = next(t for t in document["tests"] if t["name"] == "delta4")
    assert delta4["extra_data"] == {
        "given": "-.0091", "expected": pytest.approx(-0.0115387, abs=1e-7), "right": False,
        "note": "new weight in a hidden delta", "mistake": "new_weight_in_hidden_delta",
        "first": "delta4", "carried_from": [], "credit": 0.0,
        # written to 4 places: the true value +- 0.00005
        "accepted": [pytest.approx(-0.0115887, abs=1e-7), pytest.approx(-0.0114887, abs=1e-7)]}
    # w14 is no second case of the mistake: it follows correctly from the wrong delta4
    # (carried forward, full credit by default), and the data says which value it follows.
    w14 = next(t for t in document["tests"] if t["name"] == "w14")
    assert w14["extra_data"] == {
        "given": ".4918", "expected": pytest.approx(0.489615, abs=1e-6), "right": False,
        "note": "right on method from delta4", "mistake": None, "first": None,
        "carried_from": ["delta4"], "credit": 1.0,
        "accepted": [pytest.approx(0.489565, abs=1e-6), pytest.approx(0.489665, abs=1e-6)]}
    z4 = next(t for t in document["tests"] if t["name"] == "z4")
    assert z4["extra_data"]["mistake"] is None and z4["extra_data"]["right"] is True


def test_markdown_output_format(tmp_path):
    _result, document = gradescope(tmp_path, NEW_WEIGHT, "--markdown")
    assert document["output_format"] == document["test_output_format"] == "md"
    lines = document["output"].splitlines()
    # The default: w14 w24 w34 carried forward from delta4 at full credit.
    assert lines[0] == ("**Score: 10/11 (7 right, 3 carried forward at full credit: "
                        "--carried-forward full)**")
    assert lines[2].startswith("- delta4 wrong: ")
    delta4 = next(t for t in document["tests"] if t["name"] == "delta4")
    assert delta4["output"].startswith("given `-.0091`, expected `-0.0115387`: **wrong**")


def test_markdown_output_reads_the_students_text_as_text(tmp_path):
    """With output_format md, a key the student wrote (quoted in the one-line message) and
    the descriptions' underscores (Σ δ_k w_jk) are escaped, never read as HTML or emphasis."""
    planted = tmp_path / "answers.yaml"
    planted.write_text('"<img src=x onerror=alert(1)>": 1\n', encoding="utf-8")
    _result, document = gradescope(tmp_path, str(planted), "--markdown")
    assert document["score"] == 0.0
    output = document["output"]
    assert output.count("<img") == output.count("\\<img") == 1  # only the escaped one
    assert "\\<img src=x onerror=alert(1)\\>" in output
    (tmp_path / "again").mkdir()
    _result, document = gradescope(tmp_path / "again", NEW_WEIGHT, "--markdown")
    assert "δ\\_k w\\_jk" in document["output"] and "δ_k" not in document["output"]


def test_a_class_run_writes_a_valid_file_for_each_sheet(tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "ann.yaml").write_text(Path(NEW_WEIGHT).read_text())
    (folder / "bob.yaml").write_text("zz4: 1\n")
    out = tmp_path / "reports"
    result = runner.invoke(app, ["check", SLIDES, str(folder), "-f", "gradescope",
                                 "--out", str(out), "--visibility", "visible"])
    assert result.exit_code == 2
    ann = json.loads((out / "ann.results.json").read_text())
    bob = json.loads((out / "bob.results.json").read_text())
    for document in (ann, bob):
        jsonschema.validate(document, RESULTS)
    # ann: 7 right and 3 carried forward at full credit (the default), as one check.
    assert ann["score"] == 10.0 and bob["score"] == 0.0
    assert "zz4: not a value name" in bob["output"]

"""`generate --export prairielearn`: the question folder; info.json valid against
PrairieLearn's published schema (tests/schemas/), question.html's number inputs, and the
generated server.py run with a fake `data` dict: its correct answers are the variant's
values, worked by hand, and its tolerances the interval `bpcalc check` accepts."""

from __future__ import annotations

import json
import runpy
import uuid
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from export_support import (
    ASKING_NAMES,
    DEFAULT_NAMES,
    HALF_UNIT_4_PLACES,
    SLIDES_TEMPLATE,
    asking_template,
    asking_tolerance,
    generate_set,
    slides_values,
)

SCHEMA = Path(__file__).parent / "schemas" / "prairielearn_infoQuestion.json"
COUNT = 3
QUESTION = "slides_2-2-1_variants"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("pl") / "set"
    generate_set(out, "--count", str(COUNT), "--seed", "5", "--export", "prairielearn")
    return out


def test_info_json_is_valid_against_prairielearns_schema(exported):
    info = json.loads((exported / "prairielearn" / QUESTION / "info.json").read_text())
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(info, schema, format_checker=jsonschema.FormatChecker())
    assert info["type"] == "v3" and info["title"] == "2-2-1 MLP, one step of backpropagation"
    assert uuid.UUID(info["uuid"]).version == 5


def test_the_uuid_is_stable_for_the_template_and_seed(exported, tmp_path):
    first = json.loads((exported / "prairielearn" / QUESTION / "info.json").read_text())
    generate_set(tmp_path / "same", "--count", "2", "--seed", "5", "--export", "prairielearn")
    generate_set(tmp_path / "other", "--count", str(COUNT), "--seed", "6", "--export",
                 "prairielearn")
    same = json.loads((tmp_path / "same/prairielearn" / QUESTION / "info.json").read_text())
    other = json.loads((tmp_path / "other/prairielearn" / QUESTION / "info.json").read_text())
    assert same["uuid"] == first["uuid"] != other["uuid"]


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "pl-number-input":
            self.inputs.append(dict(attrs))


def test_question_html_has_one_number_input_per_asked_quantity(exported):
    parser = _Inputs()
    parser.feed((exported / "prairielearn" / QUESTION / "question.html").read_text())
    assert [i["answers-name"] for i in parser.inputs] == DEFAULT_NAMES
    for entry in parser.inputs:
        # PrairieLearn's documented attributes: an absolute tolerance, no relative one
        assert entry["comparison"] == "relabs" and entry["rtol"] == "0"
        assert entry["atol"] == f"{{{{params.{entry['answers-name']}_atol}}}}"


def run_generate(folder: Path, variant_seed: int) -> dict:
    data = {"params": {}, "correct_answers": {}, "variant_seed": variant_seed,
            "options": {"question_path": str(folder)}}
    runpy.run_path(str(folder / "server.py"))["generate"](data)
    return data


@pytest.mark.parametrize("variant_seed", [0, 1, 2, 3, 7, 2**31 - 1])
def test_server_generate_gives_the_chosen_variants_answers(exported, variant_seed):
    folder = exported / "prairielearn" / QUESTION
    data = run_generate(folder, variant_seed)
    number = variant_seed % COUNT + 1  # the variants in order, chosen by the seed
    assert data["params"]["number"] == number
    by_hand = slides_values(exported / f"variant_{number:02d}.yaml")
    assert list(data["correct_answers"]) == DEFAULT_NAMES
    for name, value in data["correct_answers"].items():
        assert value == pytest.approx(by_hand[name], rel=1e-12, abs=1e-15)
        assert float(data["params"][f"{name}_atol"]) == pytest.approx(HALF_UNIT_4_PLACES)
        assert data["params"][f"{name}_precision"] == "4 decimal places"
    picture = folder / "clientFilesQuestion" / data["params"]["picture"]
    assert picture.read_text().lstrip().startswith("<?xml") and "<svg" in picture.read_text()


def test_the_answers_stay_out_of_the_client_files(exported):
    folder = exported / "prairielearn" / QUESTION
    client = sorted(p.name for p in (folder / "clientFilesQuestion").iterdir())
    assert client == [f"network_{n:02d}.svg" for n in range(1, COUNT + 1)]
    assert (folder / "variants.json").is_file()


def test_user_text_is_escaped(tmp_path):
    template = tmp_path / "hostile.yaml"
    template.write_text(
        "title: '<b>x</b> {{params.y}} $z$'\nlayers: [2, 2, 1]\nactivation: sigmoid\n"
        "bias: 1\nweights: {random: [-1, 1], step: 0.1, exclude: [0]}\n"
        "pattern: [0.5, 1]\ntarget: [1]\nlearning_rate: 1\nconvention: slides\n",
        encoding="utf-8")
    generate_set(tmp_path / "set", "--count", "1", "--export", "prairielearn",
                 template=template)
    data = run_generate(tmp_path / "set" / "prairielearn" / "hostile", 0)
    title = data["params"]["title"]
    assert "<b>" not in title and "$" not in title and "{" not in title
    assert title == ("&lt;b&gt;x&lt;/b&gt; &#123;&#123;params.y&#125;&#125; &#36;z&#36; "
                     "(variant 1)")


def test_the_templates_ask_and_answer_precision(tmp_path):
    out = tmp_path / "set"
    generate_set(out, "--count", "2", "--export", "prairielearn",
                 template=asking_template(tmp_path))
    folder = out / "prairielearn" / "asking"
    data = run_generate(folder, 1)
    by_hand = slides_values(out / "variant_02.yaml")
    assert list(data["correct_answers"]) == ASKING_NAMES
    for name, value in data["correct_answers"].items():
        assert value == pytest.approx(by_hand[name], rel=1e-12)
        assert float(data["params"][f"{name}_atol"]) == pytest.approx(
            asking_tolerance(name, by_hand[name]), rel=1e-12)
    assert [data["params"][f"{n}_precision"] for n in ASKING_NAMES] == [
        "4 decimal places", "3 significant figures", "2 decimal places"]


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): ("dir" if p.is_dir() else p.read_text(errors="replace"))
            for p in sorted(folder.rglob("*"))}


def test_a_failed_move_into_the_folder_leaves_out_as_it_was(tmp_path, monkeypatch):
    import errno
    import os

    from typer.testing import CliRunner

    from bpcalc.cli import app

    out = tmp_path / "set"
    generate_set(out, "--count", "2", "--export", "moodle")
    before = _tree(out)
    real_replace = os.replace
    placed = []

    def second_in_the_folder_fails(source, target):
        if f"{os.sep}prairielearn{os.sep}" in str(target) and ".previous" not in str(target):
            placed.append(target)
            if len(placed) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", second_in_the_folder_fails)
    result = CliRunner().invoke(app, ["generate", str(SLIDES_TEMPLATE), "--out", str(out),
                                      "--count", "3", "--export", "prairielearn", "--force"])
    assert result.exit_code == 2 and "no space left on device" in result.output
    assert _tree(out) == before  # no folder made on the way is left behind


def test_variants_asking_different_quantities_are_named_in_the_error(tmp_path):
    """A drawn batch_size moves the default new weights to another step (`step 2: w14` for
    batches of 2, `step 4: w14` for 4): one question.html cannot ask both, and the error
    says which variants differ and how, before anything is written."""
    import re

    from typer.testing import CliRunner

    from bpcalc.cli import app

    template = tmp_path / "batch.yaml"
    template.write_text(
        "title: batch\nlayers: [2, 2, 1]\nactivation: sigmoid\nbias: 1\n"
        "weights: {random: [-1, 1], step: 0.1, exclude: [0]}\n"
        "patterns: [{input: [0, 0], target: [0]}, {input: [0, 1], target: [1]},\n"
        "           {input: [1, 0], target: [1]}, {input: [1, 1], target: [0]}]\n"
        "learning_rate: 1\nconvention: slides\nupdate: batch\n"
        "batch_size: {choice: [2, 4]}\n", encoding="utf-8")
    out = tmp_path / "set"
    result = CliRunner().invoke(app, ["generate", str(template), "--out", str(out), "-n", "6",
                                      "--seed", "1", "--export", "prairielearn"])
    assert result.exit_code == 2
    found = re.search(r"--export: the variants ask different quantities \(variant (\d+) asks "
                      r"'step (\d): w14' where variant (\d+) asks 'step (\d): w14'\)",
                      result.stderr)
    assert found, result.stderr
    assert {found[2], found[4]} == {"2", "4"}
    assert not out.exists()


def test_a_template_from_standard_input_names_its_question_problem_set(tmp_path):
    """`bpcalc generate -` reads the template from stdin: its name '-' is no folder name
    to copy into a course (`cp -r prairielearn/- ...`), nor a Moodle category's."""
    from typer.testing import CliRunner

    from bpcalc.cli import app

    out = tmp_path / "set"
    result = CliRunner().invoke(app, ["generate", "-", "--out", str(out), "-n", "1",
                                      "--export", "prairielearn,moodle"],
                                input=SLIDES_TEMPLATE.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "prairielearn").iterdir()] == ["problem_set"]
    assert "<category><text>$course$/top/bpcalc problem_set seed " in (
        out / "moodle.xml").read_text(encoding="utf-8")

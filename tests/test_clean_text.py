"""Issue 8, text: what goes out is what came in, and only printable.

Free text is drawn literally (never mathtext), control and bidi characters are refused at
the key and line, generated files never carry a template's name raw, and every message
stays one short line whatever the user gave.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError, one_line, quoted
from bpcalc.problem.loader import load_problem, parse_problem
from bpcalc.render import formats
from bpcalc.render.pictures.diagram import diagram_svg
from bpcalc.render.pictures.plot import error_plot_svg

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "slides_2-2-1_variants.yaml"
BODY = ("layers: [2, 2, 1]\nweights: 0.5\npattern: [0.9, 0.6]\ntarget: [0]\n"
        "learning_rate: 1\nepochs: 2\n")
SVG = "{http://www.w3.org/2000/svg}"


def problem_text(title: str) -> str:
    return f"title: {json.dumps(title, ensure_ascii=False)}\n" + BODY


def texts(svg: str, namespace: str = SVG) -> list[str]:
    """Every <text> of an SVG; parsing it also proves it is well-formed XML."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{namespace}text")]


def refused(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    message = result.stderr
    assert message.startswith("bpcalc: error: ") and message.count("\n") == 1, message
    assert message[:-1].isprintable(), message  # nothing raw reaches the terminal
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def write(tmp_path: Path, text: str, name: str = "problem.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- pictures draw free text literally ------------------------------------------------------

MATHS_TITLES = ["$\\alpha$", "price $5 and $2", "a $_$ b", "\\frac{1}{2} $x^{$"]


@pytest.mark.parametrize("title", MATHS_TITLES)
def test_pictures_draw_a_title_literally(title):
    # Before: `$\alpha$` was typeset as maths (drawn as paths, no <text> of it), and an
    # unbalanced `$_$` crashed the mathtext parser (exit 1).
    trace = solve(parse_problem(problem_text(title)), make_arithmetic(None, False))
    assert title in texts(diagram_svg(trace))
    assert f"{title}: error per epoch" in texts(error_plot_svg(trace))
    page = formats.render(trace, "html")
    inline = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(inline) == 2  # the network and the error plot, both drawn
    assert title in texts(inline[0], namespace="")
    assert f"{title}: error per epoch" in texts(inline[1], namespace="")


@pytest.mark.parametrize("command", [["diagram"], ["plot"], ["solve", "--format", "html"]])
def test_two_dollars_in_a_title_no_longer_crash(tmp_path, command):
    title = "price $5_ and $2"  # before: mathtext refused `5_ and ` and the run died, exit 1
    path = write(tmp_path, problem_text(title))
    out = tmp_path / ("out.html" if "html" in command else "out.svg")
    result = runner.invoke(app, [command[0], path, *command[1:], "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    drawn = out.read_text(encoding="utf-8")
    svg = re.search(r"<svg.*?</svg>", drawn, flags=re.S).group(0)
    assert any(title in text for text in texts(svg, SVG if "xmlns" in svg[:200] else ""))


def test_an_svg_of_awkward_but_allowed_text_is_well_formed_xml():
    title = "<&>\"' a\u00a0b \u00e9 \u05d0\u05d1 \U0001f469\u200d\U0001f4bb \ue000 \U0010fffd"
    trace = solve(parse_problem(problem_text(title)), make_arithmetic(None, False))
    assert title in texts(diagram_svg(trace))
    assert f"{title}: error per epoch" in texts(error_plot_svg(trace))


def test_explain_shows_a_title_as_text_not_rich_markup(tmp_path):
    # Before: `[/]` crashed rich's markup parser (exit 1) and `[link=...]` made a link.
    path = write(tmp_path, problem_text("[/] [bold]x[/bold] [link=http://e.invalid]y[/link]"))
    result = runner.invoke(app, ["explain", path, "w47"])
    assert result.exit_code == 0, result.stderr
    assert "[/] [bold]x[/bold] [link=http://e.invalid]y[/link]" in result.stdout


# -- characters that act instead of showing are refused --------------------------------------

OSC_52 = "\x1b]52;c;aGVsbG8=\x07"  # "set the clipboard" to "hello"


@pytest.mark.parametrize("yaml_title", [
    '"\\e]52;c;aGVsbG8=\\a"', '"a\\x01b"', '"\\0"', '"left \\u202e right"', '"one\\ntwo"',
    '"one\\rtwo"', '"tab\\there"', '"\\x7f"', '"\\x9b31m"', '"\\N"', '"\\L"', '"x\\u2066y"',
    '"zero\\u200bwidth"', '"\\ufeffbom"', '"\\uffff"', '|\n  two\n  lines',
])
def test_control_and_bidi_characters_in_a_title_are_refused(tmp_path, yaml_title):
    # Before: all taken; the tables printed them raw, a Markdown heading broke at the
    # newline, and `diagram` wrote an SVG holding \x01, which is not well-formed XML.
    path = write(tmp_path, f"{BODY}title: {yaml_title}\n")
    for command in (["solve", path], ["solve", path, "-f", "markdown"], ["diagram", path]):
        refused(runner.invoke(app, command), "line 7", "title: character U+", "is not allowed")


def test_osc_52_in_a_title_never_reaches_the_tables(tmp_path):
    path = write(tmp_path, f'title: "\\e]52;c;aGVsbG8=\\a"\n{BODY}')
    message = refused(runner.invoke(app, ["solve", path]), "line 1", "U+001B (ESCAPE)",
                      "control character")
    assert OSC_52 not in message and "\x1b" not in message


@pytest.mark.parametrize(("text", "fragment"), [
    (BODY + 'activation: "sigmoid\\e[2J"\n', "activation: character U+001B"),
    (BODY.replace("weights: 0.5", 'weights: {default: 0.5, "w4\\u200d7": 1}'),
     "this key: character U+200D"),
    (BODY.replace("[2, 2, 1]", '[2, "2\\u202e", 1]'), "layers[1]: character U+202E"),
    (BODY + '"\\e]0;pwned\\a": 1\n', "this key: character U+001B"),
    (BODY.replace("[2, 2, 1]", "[2, 2, 1]  # a comment \u202e reversed"),
     "line 1: character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
])
def test_other_keys_values_and_comments_are_checked_too(tmp_path, text, fragment):
    refused(runner.invoke(app, ["solve", write(tmp_path, text)]), fragment)


def test_a_zero_width_joiner_is_allowed_in_a_title_only(tmp_path):
    title = "\U0001f469\u200d\U0001f4bb learns \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    problem = load_problem(write(tmp_path, problem_text(title)))
    assert problem.title == title


def test_an_answers_file_and_a_template_are_checked_like_a_problem(tmp_path):
    problem = write(tmp_path, problem_text("ok"))
    answers = write(tmp_path, 'z4: .777\n"z7\\e[31m": .782\n', "answers.yaml")
    refused(runner.invoke(app, ["check", problem, answers]), "line 2", "U+001B")
    template = TEMPLATE.read_text() + "# \u2067 hidden \u2069\n"
    path = write(tmp_path, template, "template.yaml")
    refused(runner.invoke(app, ["generate", path, "--out", str(tmp_path / "set")]),
            "U+2067 (RIGHT-TO-LEFT ISOLATE)")
    assert not (tmp_path / "set").exists()


def test_a_file_name_with_control_characters_is_escaped_in_messages(tmp_path):
    problem = write(tmp_path, problem_text("ok"))
    answers = write(tmp_path, "z4: fast\n", "answers\x1b]0;x\x07.yaml")
    message = refused(runner.invoke(app, ["check", problem, answers]), "expected a number")
    assert "answers\\x1b]0;x\\x07.yaml" in message
    message = refused(runner.invoke(app, ["solve", str(tmp_path / "no\nsuch.yaml")]))
    assert "no\\nsuch.yaml" in message


def test_every_problem_error_is_one_printable_line():
    error = ProblemError("bad \x1b[2J value\n", key="a\rb", source="f\u202e.yaml", line=3)
    assert str(error) == "f\\u202e.yaml, line 3: a\\rb: bad \\x1b[2J value\\n"
    assert one_line("fine: ±0.5 × é") == "fine: ±0.5 × é"


# -- generate: a template's name is never written raw -----------------------------------------


def test_a_template_title_beyond_the_basic_plane_survives_into_the_variants(tmp_path):
    # Before: json.dumps wrote the emoji as a surrogate pair YAML cannot read (exit 2).
    text = TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", 'title: "XOR \U0001f600 \u00e9"', text, flags=re.M)
    result = runner.invoke(app, ["generate", write(tmp_path, text, "t.yaml"), "-n", "1",
                                 "--out", str(tmp_path / "set")])
    assert result.exit_code == 0, result.stderr
    variant = load_problem(str(tmp_path / "set" / "variant_01.yaml"))
    assert variant.title == "XOR \U0001f600 \u00e9 (variant 1)"


def test_a_template_named_with_a_newline_gives_loadable_variants(tmp_path):
    evil = tmp_path / "evil\nweights: 99\n# `x` *y*.yaml"
    plain = tmp_path / "plain.yaml"
    for path in (evil, plain):
        path.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        result = runner.invoke(app, ["generate", str(path), "-n", "3", "--seed", "5",
                                     "--out", str(tmp_path / path.stem[:4])])
        assert result.exit_code == 0, result.stderr
    for number in (1, 2, 3):
        name = f"variant_{number:02d}.yaml"
        variant = (tmp_path / "evil" / name).read_text(encoding="utf-8")
        header = variant.splitlines()[:3]
        assert header[0].startswith("# Variant") and header[1].startswith("# Again: ")
        assert not header[2].startswith("#")  # two comment lines, then the problem
        assert load_problem(str(tmp_path / "evil" / name)) == load_problem(
            str(tmp_path / "plai" / name))
    index = (tmp_path / "evil" / "index.md").read_text(encoding="utf-8").splitlines()
    assert index[0].startswith("# Problem set from ") and index[0].endswith("3 variants")
    assert "evil\\\\nweights: 99\\\\n\\# \\`x\\` \\*y\\*.yaml" in index[0]  # escaped, one line
    assert index[1] == ""
    assert "``bpcalc generate $'" in index[2]  # a code span no backtick in the name can end


def test_the_again_command_in_a_variant_names_the_template_for_the_shell():
    from bpcalc.problemset.yamltext import shell_word

    assert shell_word("templates/a.yaml") == "templates/a.yaml"
    assert shell_word("my set.yaml") == "'my set.yaml'"
    assert shell_word("a\nb'\\.yaml") == "$'a\\x0ab\\'\\\\.yaml'"


# -- messages stay one short line --------------------------------------------------------------

MEGABYTE = "x" * 1_000_000


@pytest.mark.parametrize(("text", "fragments"), [
    (BODY.replace("learning_rate: 1", f'learning_rate: "{MEGABYTE}"'),
     ["expected a number", "…' (1,000,000 characters)"]),
    (BODY.replace("learning_rate: 1", "learning_rate: " + "1" * 1_000_000),
     ["over the limit", "(1,000,000 characters)"]),
    (BODY.replace("learning_rate: 1", "learning_rate: 1e99"), ["exponent", "over the limit"]),
    (BODY + f"activation: {MEGABYTE}\n", ["unknown activation", "(1,000,000 characters)"]),
    (BODY + f"? {MEGABYTE}\n: 1\n", ["unknown key", "(1,000,000 characters)"]),
    ("title: 2024-01-15\n" + BODY, ["title: must be text", 'quotes (title: "2024-01-15")']),
    (BODY.replace("weights: 0.5", "weights: 2024-01-15"), ["reads as a date"]),
])
def test_a_message_is_short_whatever_the_value(tmp_path, text, fragments):
    message = refused(runner.invoke(app, ["solve", write(tmp_path, text)]), *fragments)
    assert len(message) < 400 + len(str(tmp_path)), message  # the known keys are listed
    assert "timestamp tag" not in message


@pytest.mark.parametrize("arguments", [
    ["solve", "{problem}", "--learning-rate", MEGABYTE],
    ["solve", "{problem}", "--steps", MEGABYTE],
    ["diagram", "{problem}", "--step", "9" * 5000],
    ["explain", "{problem}", "w" + MEGABYTE],
    ["new", "--activation", MEGABYTE],
    ["new", "--weights", MEGABYTE],
    ["check", "{problem}", "{answers}", "--tolerance", MEGABYTE],
    ["generate", str(TEMPLATE), "--formats", MEGABYTE, "--out", "{out}"],
])
def test_an_option_message_is_short_whatever_the_option(tmp_path, arguments):
    problem = write(tmp_path, problem_text("ok"))
    answers = write(tmp_path, "z4: .777\n", "answers.yaml")
    filled = [a.format(problem=problem, answers=answers, out=tmp_path / "set") for a in arguments]
    message = refused(runner.invoke(app, filled))
    assert len(message) < 300 + len(str(tmp_path)), message


def test_quoted_cuts_and_escapes():
    assert quoted("abc") == "'abc'"
    assert quoted("a\x1bb") == "'a\\x1bb'"
    assert quoted("y" * 100, 5) == "'yyyyy…' (100 characters)"


# -- the other crashes and silent acceptances ---------------------------------------------------


@pytest.mark.parametrize(("layers", "fragment"), [
    ("2-99999999999-1", "99999999999 nodes is more than the limit of 5000"),  # was MemoryError
    ("2-" + "9" * 5000 + "-1", "nodes is more than the limit of 5000"),
    ("2-5000-1", "5003 nodes is more than the limit of 5000"),
    ("2-4996-1", "5001 nodes is more than the limit of 5000"),  # with the 2 bias nodes
    ("2-500-500-1", "more than 250,000 weights"),
    ("2--1", "one - or , between them"),  # was read as [2, 1]
    ("-2-1", "one - or , between them"),
    ("2-0-1", "node counts of 1 or more"),
])
def test_new_refuses_layers_it_cannot_build(layers, fragment):
    refused(runner.invoke(app, ["new", "--layers", layers]), "--layers", fragment)


@pytest.mark.parametrize(("layers", "sizes"), [("2-2-1", "[2, 2, 1]"), ("3,4,2", "[3, 4, 2]"),
                                               ("2 3 1", "[2, 3, 1]"), ("2 - 1", "[2, 1]")])
def test_new_still_takes_the_usual_layer_forms(layers, sizes):
    result = runner.invoke(app, ["new", "--layers", layers])
    assert result.exit_code == 0, result.stderr
    assert f"layers: {sizes}" in result.stdout


def test_a_weight_id_of_thousands_of_digits_is_a_clear_error(tmp_path):
    problem = write(tmp_path, problem_text("ok"))
    # Before: int() of 5,000 digits raised ValueError (exit 1).
    refused(runner.invoke(app, ["explain", problem, "w1_" + "9" * 5000]), "WEIGHT",
            "names no weight: node ids go up to 5,000", "(5,003 characters)")
    named = BODY.replace("weights: 0.5", "weights:\n  default: 0.5\n  ? w1_" + "9" * 5000
                         + "\n  : 1")
    refused(runner.invoke(app, ["solve", write(tmp_path, named, "named.yaml")]),
            "names no weight")
    answers = write(tmp_path, "? step " + "9" * 5000 + "\n: {z4: .777}\n", "answers.yaml")
    refused(runner.invoke(app, ["check", problem, answers]), "there is no step")


@pytest.mark.parametrize(("given", "plain"), [("1e0", "1"), ("1.25e0", "1.25"),
                                              ("-1.15e-2", "-0.0115"), ("125E-2", "1.25")])
def test_check_refuses_an_answer_in_exponent_form(tmp_path, given, plain):
    # Before: net4 = 1.25 and `net4: 1e0` was judged at 0 places, so marked right.
    problem = write(tmp_path, problem_text("ok"))
    answers = write(tmp_path, f"z4: .777\nnet4: {given}\n", "answers.yaml")
    refused(runner.invoke(app, ["check", problem, answers]), "line 2", "net4",
            f"plain decimal or a fraction, e.g. {plain} rather than {given}")


def test_check_still_judges_a_plain_answer(tmp_path):
    problem = write(tmp_path, problem_text("ok"))
    answers = write(tmp_path, "net4: 1.25\nz4: .777\n", "answers.yaml")
    assert runner.invoke(app, ["check", problem, answers]).exit_code == 0


def test_beta_0_is_warned_about(tmp_path):
    path = write(tmp_path, BODY + "beta: 0\n")
    result = runner.invoke(app, ["solve", path, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["warnings"][0].startswith("beta is 0, so every sigmoid node outputs "
                                              "the constant 0.5")
    assert all(node["out"] == 0.5 for node in document["steps"][0]["nodes"]
               if node["kind"] in ("hidden", "output"))
    for options in ([], ["--summary"]):
        tables = runner.invoke(app, ["solve", path, *options]).stdout
        assert "Warnings" in tables and "beta is 0" in tables
    mixed = write(tmp_path, BODY + "beta: 0\nactivation: [sigmoid, linear]\n", "mixed.yaml")
    warnings = json.loads(runner.invoke(app, ["solve", mixed, "-f", "json"]).stdout)["warnings"]
    assert warnings[0].startswith("beta is 0, so every sigmoid node (layer 1) outputs")
    usual = json.loads(runner.invoke(app, ["solve", write(tmp_path, BODY, "b1.yaml"),
                                           "-f", "json"]).stdout)
    assert usual["warnings"] == []

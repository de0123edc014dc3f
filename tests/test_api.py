"""The Python API (`import bpcalc`): each kind of input, the one exception with the command
line's message, the display methods and exact mode, against the command line's output."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import bpcalc
from bpcalc.cli import app
from bpcalc.errors import ProblemError
from bpcalc.grading.carried import CREDIT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "bpcalc" / "examples"
SLIDES = EXAMPLES / "slides_2-2-1.yaml"
NEW_WEIGHT = EXAMPLES / "answers" / "slides_2-2-1_new_weight.yaml"
SLIDES_DICT = {"title": "2-2-1", "layers": [2, 2, 1], "activation": "sigmoid", "bias": 1,
               "weights": 0.5, "pattern": [0.9, 0.6], "target": [0], "learning_rate": 1}
runner = CliRunner()


def cli(*arguments: str):
    return runner.invoke(app, [str(a) for a in arguments])


def cli_error(*arguments: str) -> str:
    """The message the command line prints for bad input (after `bpcalc: error: `)."""
    result = cli(*arguments)
    assert result.exit_code == 2, result.output
    prefix = "bpcalc: error: "
    assert result.stderr.startswith(prefix)
    return result.stderr[len(prefix):].rstrip("\n")


def api_error(job) -> str:
    with pytest.raises(bpcalc.BpcalcError) as caught:
        job()
    assert isinstance(caught.value, ProblemError)
    frames, tb = [], caught.value.__traceback__
    while tb is not None:
        frames.append(Path(tb.tb_frame.f_code.co_filename))
        tb = tb.tb_next
    inside = [f for f in frames if f.is_relative_to(ROOT / "bpcalc")]
    assert inside and all(f.parent.name == "api" for f in inside)  # a notebook shows no more
    return str(caught.value)


# -- each kind of input -------------------------------------------------------------------


@pytest.mark.parametrize("given", [str(SLIDES), SLIDES, SLIDES_DICT],
                         ids=["str", "Path", "dict"])
def test_every_kind_of_input_gives_the_slides_numbers(given):
    solution = bpcalc.solve(given)
    weights = solution.final_weights
    assert round(weights["w47"], 4) == 0.3964
    assert round(weights["w67"], 4) == 0.3667
    assert round(weights["w14"], 4) == 0.4896
    step = solution.steps[0]
    assert round(step.node(4).net, 4) == 1.25 and round(step.node(7).out, 3) == 0.782
    assert round(step.node(4).delta, 4) == -0.0115


def test_yaml_text_goes_through_text():
    solution = bpcalc.solve(text=SLIDES.read_text())
    assert round(solution.final_weights["w47"], 4) == 0.3964


def test_the_json_is_the_command_lines():
    for given, extra in ((SLIDES, ()), (EXAMPLES / "xor_momentum.yaml", ())):
        expected = cli("solve", given, "--format", "json", *extra)
        assert expected.exit_code == 0
        assert json.loads(bpcalc.solve(given).to_json()) == json.loads(expected.stdout)
    exact = cli("solve", SLIDES, "--format", "json", "--exact")
    assert bpcalc.solve(SLIDES, exact=True).to_json() == exact.stdout


def test_a_dict_is_the_yaml_it_would_load():
    """Every example, loaded by yaml.safe_load and given as a dict, solves as the file."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        from_dict, from_file = bpcalc.solve(data), bpcalc.solve(path)
        assert from_dict.problem == from_file.problem, path.name
        assert from_dict.final_weights == from_file.final_weights, path.name


def test_dict_numbers_are_their_decimals_never_code():
    data = dict(SLIDES_DICT, pattern=[0.1, "1/3"], learning_rate=Fraction(1, 4),
                weights={"w14": Decimal("0.25"), "default": 0.5})
    problem = bpcalc.solve(data).problem
    assert problem.patterns[0].input == (Fraction(1, 10), Fraction(1, 3))  # not 0.1's binary
    assert problem.learning_rate == Fraction(1, 4)
    assert problem.weights[(1, 4)] == Fraction(1, 4) and problem.weights[(2, 4)] == 0.5
    message = api_error(lambda: bpcalc.solve(dict(SLIDES_DICT,
                                                  learning_rate="__import__('os')")))
    assert message.startswith("learning_rate: expected a number (like 0.5, -1 or \"1/3\")")
    message = api_error(lambda: bpcalc.solve(dict(SLIDES_DICT, learning_rate=1j)))
    assert message == ("learning_rate: expected a number, text, a list or a mapping, got a "
                       "value of type complex")
    looped: dict = dict(SLIDES_DICT)
    looped["weights"] = looped
    assert "nested more than" in api_error(lambda: bpcalc.solve(looped))


def test_a_string_is_never_guessed_to_be_yaml():
    message = api_error(lambda: bpcalc.solve(SLIDES.read_text()))
    assert message.startswith("problem: no such file \"# The lecture's worked example")
    assert "a string here is always a path; give YAML text through text=" in message
    message = api_error(lambda: bpcalc.solve(text=str(SLIDES)))  # a path given as text
    assert message.startswith("line 1: a problem file is a mapping of keys")
    assert api_error(lambda: bpcalc.solve()) == (
        "problem: give problem (a path or a dict) or text= (YAML text), one of them")
    assert api_error(lambda: bpcalc.solve(SLIDES, text="layers: [1, 1]")).endswith(
        "not both")
    assert api_error(lambda: bpcalc.solve(42)) == (
        "problem: expected a path (str or pathlib.Path) or a dict, got int")


# -- one exception, the command line's message ---------------------------------------------


BAD = SLIDES.read_text().replace("weights: 0.5", "weights: [[0.5]]")


def test_a_bad_file_raises_the_message_the_cli_prints(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    message = cli_error("solve", path)
    assert "line 10: weights: expected 2 matrices" in message
    assert api_error(lambda: bpcalc.solve(path)) == message
    assert api_error(lambda: bpcalc.solve(str(path))) == message
    # the text has the lines, not the file's name; the dict names only the key
    assert api_error(lambda: bpcalc.solve(text=BAD)) == message.split(", ", 1)[1]
    assert api_error(lambda: bpcalc.solve(yaml.safe_load(BAD))) == message.split(": ", 1)[1]
    missing = tmp_path / "missing.yaml"
    assert api_error(lambda: bpcalc.solve(missing)) == cli_error("solve", missing)


def test_an_option_names_the_keyword():
    for option, keyword, api_value in (("--round", "round", 99), ("--epochs", "epochs", 0),
                                       ("--learning-rate", "learning_rate", "x")):
        message = cli_error("solve", SLIDES, option, str(api_value))
        assert message.startswith(option + ": ")
        given = api_error(lambda k=keyword, v=api_value: bpcalc.solve(SLIDES, **{k: v}))
        assert given == keyword + message[len(option):]
    assert api_error(lambda: bpcalc.solve(SLIDES, round="4")) == (
        "round: expected a whole number, got \"'4'\"")
    assert api_error(lambda: bpcalc.solve(SLIDES, round=2, sigfigs=3)) == (
        "round: give --round or --sigfigs, not both")


def test_the_one_exception_is_problem_error():
    assert bpcalc.BpcalcError is ProblemError
    from bpcalc.engine.numerics import NumericalError

    assert issubclass(NumericalError, bpcalc.BpcalcError)
    with pytest.raises(bpcalc.BpcalcError) as caught:
        bpcalc.solve(dict(SLIDES_DICT, epochs=1000), exact=True)
    assert caught.value.key == "exact"  # the CLI's --exact, named as the keyword
    assert "too much for exact values" in str(caught.value)


# -- display ------------------------------------------------------------------------------


def test_the_keys_are_the_command_lines():
    solution = bpcalc.solve(SLIDES)
    for name, method in (("markdown", solution.to_markdown), ("latex", solution.to_latex),
                         ("html", solution.to_html)):
        assert method() == cli("solve", SLIDES, "--format", name).stdout
    assert solution.to_markdown(steps=[1]) == cli("solve", SLIDES, "-f", "markdown",
                                                  "--steps", "1").stdout
    assert "w_{47} = w_{47} + " in solution.to_markdown()
    assert "= 0.396374\n$$" in solution.to_markdown()
    assert "\\begin{document}" in solution.to_latex()
    text = solution.to_text()
    assert "0.396374" in text and "\x1b[" not in text


def test_notebook_display_is_a_scoped_fragment():
    solution = bpcalc.solve(SLIDES)
    fragment = solution._repr_html_()
    assert fragment.startswith('<div class="bpcalc-key">\n<style>.bpcalc-key {')
    assert "<html" not in fragment and "<body" not in fragment
    assert "\nbody " not in fragment and ".bpcalc-key h1 {" in fragment
    assert "= 0.5 + (1 × (−0.133315) × 0.777300) = 0.396374</div>" in fragment  # worked
    assert "<svg" in fragment  # the network's picture
    assert fragment.count('<div class="bpcalc-key">') == 1 and fragment.endswith("</div>\n")
    assert solution._repr_markdown_() == solution.to_markdown()


def test_a_long_run_displays_its_summary():
    solution = bpcalc.solve(EXAMPLES / "xor.yaml", epochs=2000)
    fragment = solution._repr_html_()
    assert "Final weights" in fragment and "Step 2000" not in fragment
    message = api_error(solution.to_markdown)
    assert "more than the 40,000 allowed for document" in message
    assert "summary=True" in message
    assert len(solution.epoch_errors) == 2000
    assert solution.epoch_errors[-1] < solution.epoch_errors[0]


def test_pictures_are_svg_a_notebook_draws():
    solution = bpcalc.solve(SLIDES)
    picture = solution.diagram()
    assert isinstance(picture, str) and "<svg" in picture
    assert picture._repr_svg_() == str(picture)
    assert "0.3964" in solution.diagram(step=1, weights="after")
    assert api_error(lambda: solution.diagram(step=2)) == "steps: steps run from 1 to 1, got 2"
    assert api_error(solution.plot) == ("epochs: plot needs epochs >= 2 (this run has 1); "
                                        "give --epochs N")
    assert "<svg" in bpcalc.solve(SLIDES, epochs=5).plot()


def test_a_key_of_some_steps():
    solution = bpcalc.solve(EXAMPLES / "xor.yaml", epochs=3)
    assert solution.to_markdown(steps=[2, 12]) == cli(
        "solve", EXAMPLES / "xor.yaml", "--epochs", "3", "-f", "markdown",
        "--steps", "2,12").stdout
    assert "Final weights" in solution.to_html(summary=True)
    assert api_error(lambda: solution.to_latex(steps=[13])) == (
        "steps: steps run from 1 to 12, got 13")
    assert api_error(lambda: solution.to_markdown(steps=[1], summary=True)) == (
        "steps: give steps or summary, not both (a summary shows no steps)")


def test_notation_and_convention_are_checked_as_the_cli_does():
    key = bpcalc.solve(SLIDES, notation="textbook").to_markdown()
    assert key == cli("solve", SLIDES, "--notation", "textbook", "-f", "markdown").stdout
    assert api_error(lambda: bpcalc.solve(SLIDES, convention="lecture")) == (
        "convention: must be one of slides, textbook")
    assert api_error(lambda: bpcalc.solve(SLIDES, notation=3)) == (
        "notation: expected a word, got '3'")


# -- exact and hand-rounded ----------------------------------------------------------------


def test_exact_mode():
    solution = bpcalc.solve(SLIDES, exact=True)
    w47 = solution.final_weights["w47"]
    assert "exp(-5/4)" in str(w47)
    assert abs(float(w47) - 0.3963742759968643) < 1e-12
    assert "e^{" in solution.to_markdown() and "exp(" not in solution.to_markdown()
    final = {(w["from"], w["to"]): w for w in json.loads(solution.to_json())["final_weights"]}
    assert final[(4, 7)]["value_exact"] == str(w47)
    assert final[(4, 7)]["value"] == pytest.approx(0.3963742759968643, abs=1e-15)


def test_rounding_and_overrides():
    rounded = bpcalc.solve(SLIDES, round=4)
    assert rounded.final_weights["w47"] == Fraction("0.3964")
    assert rounded.final_weights["w14"] == Fraction("0.4896")
    assert bpcalc.solve(SLIDES, sigfigs=3).final_weights["w47"] == Fraction("0.397")
    half, quarter = (bpcalc.solve(SLIDES, learning_rate=rate) for rate in (0.5, "1/4"))
    assert half.problem.learning_rate == Fraction(1, 2)
    assert quarter.problem.learning_rate == Fraction(1, 4)
    assert round(half.final_weights["w47"], 4) == round(0.5 - 0.103626 / 2, 4)
    assert bpcalc.solve(SLIDES, convention="textbook").problem.convention == "textbook"
    assert bpcalc.solve(SLIDES, epochs=3).problem.epochs == 3


# -- check --------------------------------------------------------------------------------


def test_check_is_the_command_lines():
    report = bpcalc.check(SLIDES, NEW_WEIGHT)
    # 7 right, and w14 w24 w34 carried forward from the wrong delta4 at full credit (the
    # default, as the command line's): 10 of 11, not all right.
    assert (report.score, report.total, report.all_right) == (10, 11, False)
    assert report.to_json() == cli("check", SLIDES, NEW_WEIGHT, "-f", "json").stdout
    assert report.to_gradescope() == cli("check", SLIDES, NEW_WEIGHT, "-f",
                                         "gradescope").stdout
    assert repr(report) == "<bpcalc.CheckReport: 10/11 (7 right, 3 carried forward)>"
    right = bpcalc.check(SLIDES, {"w47": 0.3964, "delta4": "-.0115"})
    assert repr(right) == "<bpcalc.CheckReport: 2/2 right>"
    mistakes = report.to_dict()["mistakes"]
    assert [m["first"]["name"] for m in mistakes] == ["delta4"]


def test_check_display():
    report = bpcalc.check(SLIDES, NEW_WEIGHT)
    html = report._repr_html_()
    assert "<td>delta4</td><td>-.0091</td><td>-0.0115387</td>" in html
    assert ">wrong</td>" in html
    # w14 is carried forward (wrong, but right on method from delta4), not plain wrong.
    assert ("<td>w14</td><td>.4918</td><td>0.489615</td><td style=\"color:#9a6700\">carried "
            "forward</td><td>right on method from delta4</td>") in html
    score = "Score: 10/11 (7 right, 3 carried forward at full credit: --carried-forward full)"
    assert f"<b>{score}</b>" in html
    markdown = report._repr_markdown_()
    assert "| delta4 | -.0091 | -0.0115387 | wrong | new weight in a hidden delta |" in markdown
    assert ("| w14 | .4918 | 0.489615 | carried forward | right on method from delta4 |"
            in markdown)
    assert f"**{score}**" in markdown
    assert "δ\\_k w\\_jk" in markdown  # not emphasis


def test_check_answers_as_dict_and_text():
    answers = yaml.safe_load(NEW_WEIGHT.read_text())
    as_dict = bpcalc.check(SLIDES_DICT, {k: str(v) for k, v in answers.items()})
    assert (as_dict.score, as_dict.total) == (10, 11)  # 7 right, 3 carried forward
    as_text = bpcalc.check(text=SLIDES.read_text(), answers_text=NEW_WEIGHT.read_text())
    assert as_text.to_json() == bpcalc.check(SLIDES, NEW_WEIGHT).to_json()
    right = bpcalc.check(SLIDES, {"w47": 0.3964, "delta4": "-.0115"})
    assert right.all_right and right.score == 2
    assert bpcalc.check(SLIDES, {"w47": "0.39"}, tolerance=0.01).all_right
    message = api_error(lambda: bpcalc.check(SLIDES, {"q9": 1}))
    assert message.startswith("q9: ")


@pytest.mark.parametrize(("policy", "score"), [("full", 10), ("half", 8.5), ("none", 7)])
def test_check_carried_forward_is_the_command_lines(policy, score):
    # 7 right + w14 w24 w34 carried forward from delta4 at the policy's credit (1, 1/2, 0).
    report = bpcalc.check(SLIDES, NEW_WEIGHT, carried_forward=policy)
    assert (report.score, report.total, report.all_right) == (score, 11, False)
    assert [v.credit for v in report.verdicts if v.carried] == [CREDIT[policy]] * 3
    option = ("--carried-forward", policy)
    assert report.to_json() == cli("check", SLIDES, NEW_WEIGHT, "-f", "json", *option).stdout
    assert report.to_gradescope() == cli("check", SLIDES, NEW_WEIGHT, "-f", "gradescope",
                                         *option).stdout
    assert report.to_dict()["carried_forward"]["policy"] == policy


def test_check_carried_forward_is_checked():
    for bad in ("quarter", None, 0.5):
        message = api_error(lambda bad=bad: bpcalc.check(SLIDES, NEW_WEIGHT,
                                                         carried_forward=bad))
        assert message.startswith("carried_forward: must be one of full, half, none, got ")


def test_check_errors_are_the_command_lines(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("z4: .777\nz4: .78\n")
    message = cli_error("check", SLIDES, answers)
    assert api_error(lambda: bpcalc.check(SLIDES, answers)) == message
    assert api_error(lambda: bpcalc.check(SLIDES, answers, tolerance=-1)) == (
        "tolerance: expected a number of 0 or more, got '-1'")


# -- cheap to import ----------------------------------------------------------------------


def test_import_bpcalc_is_cheap():
    code = "import sys, bpcalc; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('sympy', 'numpy', 'matplotlib', 'yaml', 'rich', 'typer') or " \
           "m.startswith('bpcalc.')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "['bpcalc.errors']"
    code = "import sys, bpcalc; bpcalc.solve; print('sympy' in sys.modules, " \
           "'numpy' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False False False"
    assert {"solve", "check", "BpcalcError", "Solution"} <= set(dir(bpcalc))
    with pytest.raises(AttributeError):
        bpcalc.no_such_thing  # noqa: B018

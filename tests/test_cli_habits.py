"""The command line's habits (issue 12): help that reads at any width, an example in every
command's help, check listed first, shell completion, `bpcalc` alone, --steps ranges,
per-layer activations in `new`, and the bundled files inside the package."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.commands import COMMANDS
from bpcalc.commands.solve import OutputFormat

ROOT = Path(__file__).resolve().parent.parent
SLIDES = str(ROOT / "problems" / "slides_2-2-1.yaml")
NAMES = [module.__name__.rsplit(".", 1)[1] for module in COMMANDS]
runner = CliRunner()
ENV = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "NO_COLOR")}
ENV["PYTHONPATH"] = str(ROOT)


def bpcalc(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """The real entry point (`bpcalc.cli.main`, as the installed script runs it)."""
    return subprocess.run([sys.executable, "-m", "bpcalc", *args], capture_output=True,
                          text=True, env={**ENV, **(env or {})}, timeout=120, **kwargs)


def help_text(name: str, columns: int) -> str:
    """A command's help as a pipe of `columns` gets it (CliRunner forces 80 columns)."""
    result = bpcalc(name, "--help", env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_bpcalc_alone_prints_help_and_exits_0():
    result = bpcalc()
    assert result.returncode == 0, result.stderr  # click's no_args_is_help exits 2
    assert result.stdout.startswith("Usage: bpcalc [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.stdout and result.stderr == ""
    assert bpcalc("--version").stdout.startswith("bpcalc ")


def test_top_help_lists_check_first_with_one_line_summaries_and_completion():
    result = bpcalc("--help", env={"COLUMNS": "100"})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    start = lines.index("Commands:") + 1
    rows = [line.split(None, 1) for line in lines[start:] if line.strip()]
    assert [name for name, _summary in rows] == NAMES
    assert NAMES[0] == "check"
    for name, summary in rows:  # one line each, a plain sentence, not cut with "..."
        assert summary.endswith(".") and not summary.endswith("..."), name
        assert "`" not in summary and "WEIGHT" not in summary, name
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_shell_completion_script_and_a_completion_request():
    script = bpcalc("--show-completion", env={"SHELL": "/bin/bash"})
    assert script.returncode == 0, script.stderr
    assert "_BPCALC_COMPLETE=complete_bash" in script.stdout
    # What bash asks when the user types `bpcalc so<TAB>`, and `bpcalc solve --form<TAB>`.
    words = bpcalc(env={"_BPCALC_COMPLETE": "complete_bash", "COMP_WORDS": "bpcalc so",
                        "COMP_CWORD": "1"})
    assert words.returncode == 0 and words.stdout.split() == ["solve"]
    option = bpcalc(env={"_BPCALC_COMPLETE": "complete_bash",
                         "COMP_WORDS": "bpcalc solve --form", "COMP_CWORD": "2"})
    assert option.stdout.split() == ["--format"]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_help_fits_and_keeps_words_whole(columns):
    choices = "|".join(entry.value for entry in OutputFormat)
    for name in NAMES:
        text = help_text(name, columns)
        assert max(len(line) for line in text.splitlines()) <= columns, (name, columns)
        assert "…" not in text, name
    solve = help_text("solve", columns)
    assert f"--format <{choices}>" in solve  # the choices on one line, never cut mid-word


def test_usage_lines_name_files_and_every_help_has_examples():
    usage = {name: help_text(name, 100).splitlines()[0] for name in NAMES}
    assert usage["solve"] == "Usage: bpcalc solve [OPTIONS] FILE"  # not {file} or PATH
    assert usage["check"] == "Usage: bpcalc check [OPTIONS] PROBLEM_FILE ANSWERS_FILE"
    assert usage["explain"] == "Usage: bpcalc explain [OPTIONS] FILE WEIGHT"
    assert usage["generate"] == "Usage: bpcalc generate [OPTIONS] TEMPLATE"
    assert usage["examples"] == "Usage: bpcalc examples [OPTIONS] [NAME]"
    for name in NAMES:
        text = help_text(name, 100)
        assert "{" not in usage[name] and "PATH" not in text and "<str>" not in text, name
        examples = text[text.index("Examples:"):].splitlines()[1:]
        commands = [line.strip() for line in examples if line.startswith("    bpcalc ")]
        assert any(line.startswith(f"bpcalc {name}") for line in commands), name
    for name in ("solve", "check", "explain", "diagram", "plot", "generate"):
        assert "'-': standard input" in help_text(name, 100), name
    assert "-o, --output FILE" in help_text("solve", 100)


def test_examples_in_help_run_as_written(tmp_path):
    """The first example of solve, check and explain, run from the repository."""
    for args, status in ((["solve", "problems/slides_2-2-1.yaml"], 0),
                         (["check", "problems/slides_2-2-1.yaml",
                           "problems/answers/slides_2-2-1_new_weight.yaml"], 3),
                         (["explain", "problems/slides_2-2-1.yaml", "w14"], 0)):
        assert runner.invoke(app, args).exit_code == status, args


def test_steps_range_written_backwards_is_named_as_such():
    result = bpcalc("solve", SLIDES, "--epochs", "3", "--steps", "3-1")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "bpcalc: error: --steps: the range '3-1' is reversed: write 1-3\n"
    beyond = bpcalc("solve", SLIDES, "--steps", "1-4")
    assert beyond.stderr == "bpcalc: error: --steps: steps run from 1 to 1, got '1-4'\n"


def test_new_takes_one_activation_per_layer(tmp_path):
    path = tmp_path / "p.yaml"
    made = runner.invoke(app, ["new", "--layers", "2-2-1", "--activation", "tanh,linear",
                               "-o", str(path)])
    assert made.exit_code == 0, made.stderr
    assert "activation: [tanh, linear]" in path.read_text()
    solved = runner.invoke(app, ["solve", str(path), "--format", "json"])
    nodes = {n["id"]: n for n in json.loads(solved.stdout)["steps"][0]["nodes"]}
    # input 1 0, bias 1, all weights 0.5: net4 = 1, z4 = tanh 1; net7 = z4 + 0.5, linear.
    assert nodes[4]["net"] == 1.0 and math.isclose(nodes[4]["out"], math.tanh(1))
    assert math.isclose(nodes[7]["out"], math.tanh(1) + 0.5)
    assert math.isclose(nodes[7]["net"], nodes[7]["out"])
    for given, message in (("tanh,linear,relu", "3 activations for 2 layers after the "
                            "inputs: give one name, or one per layer"),
                           ("tanh,sigmoidal", "unknown 'sigmoidal' (known: sigmoid, tanh, "
                            "relu, linear, step, leaky_relu, softmax)"),
                           ("step,step", "step (the perceptron rule) needs a single layer")):
        result = runner.invoke(app, ["new", "--activation", given])
        assert result.exit_code == 2 and result.stdout == "", given
        assert result.stderr.startswith(f"bpcalc: error: --activation: {message}"), given
    text = help_text("new", 100)
    for option, allowed in (("--activation", "sigmoid, tanh, relu, linear, step, leaky_relu or "
                             "softmax"),
                            ("--convention", "slides"), ("--loss", "half_sse"),
                            ("--bias", "none"), ("--patterns", "1 to 1000")):
        assert allowed in " ".join(text[text.index(option):].split()[:40]), option


def test_the_wheel_ships_problems_answers_and_templates(tmp_path):
    """A plain `pip install` gets every bundled file: build the wheel and read its list."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", "problem-set"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "dist"), str(source)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("bpcalc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = ROOT / "bpcalc" / "examples"
    expected = {f"bpcalc/examples/{p.relative_to(bundled).as_posix()}"
                for p in bundled.rglob("*.yaml")}
    assert "bpcalc/examples/templates/slides_2-2-1_variants.yaml" in expected
    assert "bpcalc/examples/answers/slides_2-2-1_new_weight.yaml" in expected
    assert expected <= names, expected - names

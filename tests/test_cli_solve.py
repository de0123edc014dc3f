"""`bpcalc solve` as a user runs it: a real process, its stdout, and what it imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SLIDES = Path(__file__).resolve().parent.parent / "problems" / "slides_2-2-1.yaml"

# Runs the real command line in a fresh interpreter, then reports what got imported.
PROBE = """
import sys
from bpcalc.cli import app
try:
    app(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
heavy = sorted(name for name in ("sympy", "rich", "numpy", "matplotlib", "torch")
               if name in sys.modules)
sys.stderr.write("IMPORTED=" + ",".join(heavy) + "\\n")
sys.exit(code)
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=120)


def imported(result: subprocess.CompletedProcess) -> set[str]:
    line = [x for x in result.stderr.splitlines() if x.startswith("IMPORTED=")][-1]
    return set(filter(None, line.removeprefix("IMPORTED=").split(",")))


def test_numeric_json_imports_neither_sympy_nor_rich_and_prints_only_json():
    result = run("solve", str(SLIDES), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # stdout is the JSON and nothing else
    assert [n["id"] for n in data["steps"][0]["nodes"]] == [1, 2, 3, 4, 5, 6, 7]
    new = {(u["from"], u["to"]): u["new"] for u in data["steps"][0]["updates"]}
    assert abs(new[(4, 7)] - 0.3964) < 0.00005 and abs(new[(1, 4)] - 0.4896) < 0.00005
    assert "sympy" not in imported(result)
    assert "rich" not in imported(result)


def test_exact_json_twins_read_back_to_the_same_values():
    import sympy

    result = run("solve", str(SLIDES), "--format", "json", "--exact")
    assert result.returncode == 0, result.stderr
    assert "sympy" in imported(result)
    step = json.loads(result.stdout)["steps"][0]
    node4 = step["nodes"][3]
    assert node4["net_exact"] == "5/4"
    assert sympy.simplify(sympy.parse_expr(node4["out_exact"])
                          - 1 / (1 + sympy.exp(sympy.Rational(-5, 4)))) == 0
    records = step["nodes"] + step["updates"]
    for record in records:
        for name in ("net", "out", "delta", "old", "change", "new"):
            if record.get(name) is None:
                continue
            text = record[name + "_exact"]
            assert "e**" not in text and " e " not in text  # exp(...), never a bare e
            value = float(sympy.parse_expr(text).evalf(30))
            assert abs(value - record[name]) <= 1e-12 * max(1.0, abs(record[name]))


def test_terminal_tables_show_the_slide_numbers():
    result = run("solve", str(SLIDES))
    assert result.returncode == 0, result.stderr
    for number in ("1.25", "0.777300", "1.27730", "0.781990", "-0.133315", "-0.0115387",
                   "0.396374", "0.366685", "0.489615", "0.493077", "0.488461"):
        assert number in result.stdout, number


def test_view_options_are_refused_with_json_rather_than_ignored():
    from typer.testing import CliRunner

    from bpcalc.cli import app

    for options, key in ((["--steps", "1"], "--steps"), (["--summary"], "--summary"),
                         (["--show", "work"], "--show")):
        result = CliRunner().invoke(app, ["solve", str(SLIDES), "--format", "json", *options])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert key in result.stderr and "whole trace" in result.stderr

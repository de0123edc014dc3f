"""Exact mode that scales: long values are named, so every step's expressions stay small.

Checks without timing: over 16 steps of the slides' example every carried value is short
or a named symbol whose definition is short; every value still equals the float engine's;
the JSON's closed forms (no names in them) read back with `sympy.parse_expr` to the same
numbers; a run whose closed forms would be too long for JSON is refused (exit 2); and the
terminal shows a named value by its definition (w47⁽¹⁵⁾ + Δw47⁽¹⁶⁾).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import solve
from bpcalc.engine.exact import NAME_ABOVE, ExactArithmetic, Named
from bpcalc.problem.loader import apply_overrides, load_problem

SLIDES = Path(__file__).resolve().parent.parent / "problems" / "slides_2-2-1.yaml"


def nodes(expr) -> int:
    """Expression tree nodes, a named value counting as one."""
    return 1 + sum(nodes(arg) for arg in expr.args)


def values(step):
    for node in step.nodes:
        yield from (v for v in (node.net, node.out, node.delta) if v is not None)
    yield step.error
    for update in step.updates:
        yield from (update.change, update.new)


@pytest.fixture(scope="module")
def long_run():
    problem = apply_overrides(load_problem(str(SLIDES)), epochs=16)
    return solve(problem, ExactArithmetic()), solve(problem, Arithmetic())


def test_every_step_carries_short_expressions(long_run):
    exact, _ = long_run
    named_per_step = []
    for step in exact.steps:
        named = 0
        for value in values(step):
            if isinstance(value, Named):
                named += 1
                assert nodes(value.definition) <= 4 * NAME_ABOVE
                assert all(atom.step <= step.epoch for atom in value.definition.atoms(Named))
            else:
                assert nodes(value) <= NAME_ABOVE
        named_per_step.append(named)
    # the first step is all closed forms; from the third on, each step names as many values
    assert named_per_step[0] == 0
    assert len(set(named_per_step[2:])) == 1 and named_per_step[2] > 0


def test_named_values_equal_the_float_engine(long_run):
    exact, floats = long_run
    to_float = exact.arithmetic.to_float
    for mine, theirs in zip(exact.steps, floats.steps, strict=True):
        assert to_float(mine.error) == pytest.approx(theirs.error, abs=1e-12)
        for a, b in zip(mine.nodes, theirs.nodes, strict=True):
            for attr in ("net", "out", "delta"):
                if getattr(b, attr) is not None:
                    assert to_float(getattr(a, attr)) == pytest.approx(getattr(b, attr),
                                                                       abs=1e-12)
        for a, b in zip(mine.updates, theirs.updates, strict=True):
            assert to_float(a.new) == pytest.approx(b.new, abs=1e-12)
    for key, value in floats.final_weights.items():
        assert to_float(exact.final_weights[key]) == pytest.approx(value, abs=1e-12)
    # the slides' step 1 is unchanged: closed forms, w47 .3964
    assert not exact.steps[0].node(7).out.atoms(Named)
    assert f"{to_float(exact.steps[0].updates[6].new):.4f}" == "0.3964"


def test_terminal_form_names_the_previous_weights(long_run):
    exact, _ = long_run
    pretty = exact.arithmetic.pretty
    assert pretty(exact.final_weights[(4, 7)]) == "w47⁽¹⁵⁾ + Δw47⁽¹⁶⁾"
    net7 = exact.steps[-1].node(7).net
    assert isinstance(net7, Named)
    assert pretty(net7) == "w47⁽¹⁵⁾*z4⁽¹⁶⁾ + w57⁽¹⁵⁾*z5⁽¹⁶⁾ + w67⁽¹⁵⁾"


def test_json_closed_forms_read_back_to_the_same_values():
    result = CliRunner().invoke(app, ["solve", str(SLIDES), "--exact", "--epochs", "2",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["steps"]) == 2
    checked = 0
    last = data["steps"][-1]
    # step 2's output node and the final weights: the longest forms (SymPy reads slowly)
    records = last["nodes"][-1:] + data["final_weights"]
    for record in records:
        for name in ("net", "out", "delta", "change", "new", "value"):
            text = record.get(name + "_exact")
            if text is None:
                continue
            assert "⁽" not in text  # names never reach the JSON
            value = sympy.parse_expr(text)
            assert not value.free_symbols
            assert float(value.evalf(30)) == pytest.approx(record[name], abs=1e-12)
            checked += 1
    assert checked == 12


def test_closed_forms_too_long_for_json_are_refused(tmp_path):
    out = tmp_path / "exact.json"
    result = CliRunner().invoke(app, ["solve", str(SLIDES), "--exact", "--epochs", "4",
                                      "--format", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert "closed form" in result.output and "Traceback" not in result.output
    assert not out.exists()
    # the terminal view of the same run names values instead, and works
    result = CliRunner().invoke(app, ["solve", str(SLIDES), "--exact", "--epochs", "4",
                                      "--summary"])
    assert result.exit_code == 0, result.output
    assert "w47⁽³⁾ + Δw47⁽⁴⁾" in result.output


def test_named_values_in_latex_keys_are_plain_tex(tmp_path):
    out = tmp_path / "key.tex"
    result = CliRunner().invoke(app, ["solve", str(SLIDES), "--exact", "--epochs", "3",
                                      "--format", "latex", "-o", str(out)])
    assert result.exit_code == 0, result.output
    tex = out.read_text(encoding="utf-8")
    assert "⁽" not in tex and "⁾" not in tex
    assert "w_{14}^{(2)}" in tex  # w14 after step 2, in step 3's net4


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_exact_runs_of_every_kind_equal_the_float_engine(seed):
    """Several steps of random networks (every activation, loss, bias, convention, batch and
    sequential; relu decides its branch from the named values' numbers)."""
    from test_fast_engine import random_problem

    problem = random_problem(seed)
    exact, floats = solve(problem, ExactArithmetic()), solve(problem, Arithmetic())
    to_float = exact.arithmetic.to_float
    for mine, theirs in zip(exact.steps, floats.steps, strict=True):
        for a, b in zip(mine.nodes, theirs.nodes, strict=True):
            for attr in ("net", "out", "delta"):
                if getattr(b, attr) is not None:
                    assert to_float(getattr(a, attr)) == pytest.approx(getattr(b, attr),
                                                                       abs=1e-12)
    for key, value in floats.final_weights.items():
        assert to_float(exact.final_weights[key]) == pytest.approx(value, abs=1e-12)

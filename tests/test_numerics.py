"""Overflow and NaN stop the run naming step and node; stalled learning gives warnings."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic
from bpcalc.engine.backprop import solve
from bpcalc.engine.numerics import NumericalError, find_warnings
from bpcalc.problem.loader import parse_problem
from bpcalc.problem.model import Rounding

runner = CliRunner()


def problem_text(weights="0.5", activation="sigmoid", epochs=1, target="[0]",
                 pattern="[0.9, 0.6]", rate="1", layers="[2, 2, 1]") -> str:
    return (f"layers: {layers}\nactivation: {activation}\nweights: {weights}\n"
            f"pattern: {pattern}\ntarget: {target}\nlearning_rate: {rate}\nepochs: {epochs}\n")


def test_linear_overflow_is_named_by_step_and_value():
    # Weights 1e30: step 1's error is 4.5e120 (finite); step 1's changes push the weights to
    # about 5e90, so step 2's output net is about 6e181 and its squared error overflows.
    problem = parse_problem(problem_text("1e30", "linear", epochs=5))
    with pytest.raises(NumericalError) as caught:
        solve(problem, Arithmetic())
    assert str(caught.value) == ("step 2, error overflowed to infinity; lower the learning "
                                 "rate or the weights")


def test_first_bad_value_in_a_step_is_the_node_it_started_in():
    # 1-1-1, no bias, every weight and the input 1e110: net2 = 1e220 (linear, so z2 = 1e220)
    # and net3 = 1e330 overflows; the sigmoid still gives z3 = 1, so only the net is infinite.
    big = "1" + "0" * 50 + "e60"
    text = problem_text(big, "[linear, sigmoid]", pattern=f"[{big}]", layers="[1, 1, 1]")
    problem = parse_problem(text + "bias: none\n")
    with pytest.raises(NumericalError, match=r"^step 1, node 3: net overflowed to infinity; "
                                             r"lower the learning rate or the weights$"):
        solve(problem, Arithmetic())


def test_rounded_values_are_held_to_the_float_range():
    # Fractions never overflow: without the check the digits double every step (a hang).
    problem = parse_problem(problem_text("1e30", "linear", epochs=30))
    with pytest.raises(NumericalError, match=r"^step 2, error overflowed \(beyond"):
        solve(problem, RoundedArithmetic(Rounding("places", 3)))


def test_cli_overflow_is_one_line_exit_2_and_no_json(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(problem_text("1e30", "linear", epochs=20))
    for options in ([], ["--format", "json"], ["--round", "3"]):
        result = runner.invoke(app, ["solve", str(path), *options])
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("bpcalc: error: step 2, error overflowed")


def test_saturated_sigmoid_that_stays_finite_has_finite_json(tmp_path):
    # net 1000 saturates the sigmoid: f' underflows to 0, but every value stays finite.
    path = tmp_path / "p.yaml"
    path.write_text(problem_text("1000", "sigmoid", epochs=2))
    result = runner.invoke(app, ["solve", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert all(math.isfinite(n["out"]) for s in data["steps"] for n in s["nodes"])
    assert any("node 7 (sigmoid) is saturated from step 1 (2 step(s))" in w
               for w in data["warnings"])


def test_dead_relu_nodes_are_named_with_their_first_epoch():
    # All weights -0.5 and positive inputs: net4 = net5 = -0.5*0.9 - 0.5*0.6 - 0.5 = -1.25,
    # so the hidden relu nodes never fire; node 7's net is -0.5 (only the bias weight).
    trace = solve(parse_problem(problem_text("-0.5", "relu", epochs=3, target="[1]")),
                  Arithmetic())
    assert trace.steps[0].node(4).net == pytest.approx(-1.25)
    warnings = find_warnings(trace)
    assert warnings == [
        f"node {j} (relu) is dead in epoch 1 (and every epoch after it): its net is <= 0 for "
        "every pattern, so f'(net) = 0 and the weights into it stop learning" for j in (4, 5, 7)]


def test_relu_alive_for_one_pattern_is_not_dead():
    text = problem_text("0.5", "relu").replace(
        "pattern: [0.9, 0.6]\ntarget: [0]\n",
        "patterns:\n  - {input: [-5, -5], target: [1]}\n  - {input: [1, 1], target: [1]}\n")
    trace = solve(parse_problem(text), Arithmetic())
    assert trace.steps[0].node(4).net < 0 < trace.steps[1].node(4).net
    assert not [w for w in find_warnings(trace) if "dead" in w]


def test_vanishing_gradient_in_a_deep_sigmoid_net():
    # Hidden weights 8 saturate the hidden sigmoids (f' about 1e-10) while the output is not.
    text = problem_text("0.5").replace(
        "weights: 0.5", "weights:\n  - [[8, 8, 8], [8, 8, 8]]\n  - [[0.1, 0.1, 0.1]]")
    trace = solve(parse_problem(text), Arithmetic())
    hidden = abs(trace.steps[0].node(4).delta)
    output = abs(trace.steps[0].node(7).delta)
    assert hidden < 1e-6 * output
    warnings = find_warnings(trace)
    assert warnings[0].startswith("vanishing gradient: hidden layer 1's deltas are below 1e-06 "
                                  "times the output deltas from step 1 (1 step(s))")
    assert "node 4 (sigmoid) is saturated from step 1" in warnings[1]


def test_healthy_slides_example_has_no_warnings(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(problem_text())
    result = runner.invoke(app, ["solve", str(path), "--format", "json"])
    assert json.loads(result.stdout)["warnings"] == []
    table = runner.invoke(app, ["solve", str(path)])
    assert "Warnings" not in table.stdout


def test_table_shows_a_warnings_panel(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(problem_text("-0.5", "relu", target="[1]"))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 0, result.stderr
    tail = result.stdout[result.stdout.index("Warnings"):]
    assert "node 4 (relu) is dead in epoch 1" in tail


def test_vectorised_engine_reports_overflow_too(tmp_path):
    # 20-10-1 has 221 weights, so numpy solves it; its overflow must not print numpy warnings.
    text = problem_text("1e30", "linear", epochs=5, layers="[20, 10, 1]",
                        pattern="[" + ", ".join(["0.5"] * 20) + "]")
    path = tmp_path / "p.yaml"
    path.write_text(text)
    for options in (["--format", "json"], ["--summary"]):
        result = runner.invoke(app, ["solve", str(path), *options])
        assert result.exit_code == 2
        assert result.stderr == ("bpcalc: error: step 2, error overflowed to infinity; lower "
                                 "the learning rate or the weights\n")

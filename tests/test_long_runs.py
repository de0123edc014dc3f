"""Long runs: `--format json` streams (all or nothing in a file, a truncated document at
worst on standard output), `--summary` keeps no steps and prints a digest a person reads,
`--steps` keeps only what it shows, and the work limits say which limit and what to do."""

from __future__ import annotations

import json
import weakref
from fractions import Fraction as F

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine import limits
from bpcalc.engine.arithmetic import Arithmetic
from bpcalc.engine.backprop import engine_for, solve, train
from bpcalc.problem.loader import apply_overrides, load_problem
from bpcalc.problem.model import Activation, Network, Pattern, Problem
from bpcalc.render import json_out
from bpcalc.render.document.build import epoch_digest
from bpcalc.text import format_float

runner = CliRunner()
XOR = "problems/xor.yaml"
# 1-1 linear, no bias, w = 1, x = 1, t = 0, rate 2.05: each step multiplies w by -1.05, so
# the error 0.5 w^2 overflows at step 7,275, after about 1.5 MB of JSON.
DIVERGING = ("layers: [1, 1]\nactivation: linear\nbias: none\nweights: 1\npattern: [1]\n"
             "target: [0]\nlearning_rate: 2.05\nepochs: 10000\n")
OVERFLOW = "bpcalc: error: step 7275, error overflowed to infinity; "


def test_json_is_written_step_by_step_without_keeping_the_steps(monkeypatch):
    alive = []
    seen = []
    real = json_out._Shape.step

    def spy(self, step):
        seen.append(weakref.ref(step))
        alive.append(sum(ref() is not None for ref in seen[-50:]))
        return real(self, step)

    monkeypatch.setattr(json_out._Shape, "step", spy)
    result = runner.invoke(app, ["solve", XOR, "--epochs", "100", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert len(seen) == 400 == len(json.loads(result.stdout)["steps"])
    assert max(alive) <= 3  # the step written, the one held back, and the one computed


def test_a_failing_json_run_leaves_no_file(tmp_path):
    target = tmp_path / "trace.json"
    problem = tmp_path / "diverging.yaml"
    problem.write_text(DIVERGING)
    result = runner.invoke(app, ["solve", str(problem), "--format", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(OVERFLOW) and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diverging.yaml"]  # no temporary


def test_a_json_run_failing_half_way_on_stdout_leaves_a_truncated_document(tmp_path):
    problem = tmp_path / "diverging.yaml"
    problem.write_text(DIVERGING)
    result = runner.invoke(app, ["solve", str(problem), "--format", "json"])
    assert result.exit_code == 2
    assert result.stderr.startswith(OVERFLOW) and result.stderr.count("\n") == 1
    # The first MiB went out before step 7,275 was computed; what is there is the start
    # of the document, cut off.
    assert len(result.stdout) >= json_out.CHUNK
    assert result.stdout.startswith('{"title":"","convention":"slides"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_a_json_run_failing_early_writes_nothing_to_stdout(tmp_path):
    problem = tmp_path / "diverging.yaml"
    problem.write_text(DIVERGING.replace("2.05", "3"))  # w doubles: overflow at step 513
    result = runner.invoke(app, ["solve", str(problem), "--format", "json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("bpcalc: error: step 513, error overflowed")


# -- the summary --------------------------------------------------------------------------

def summary_lines(*options: str) -> list[str]:
    result = runner.invoke(app, ["solve", XOR, "--summary", *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def error_rows(lines: list[str]) -> list[list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith("Error per epoch"))
    rows = []
    for line in lines[start + 4:]:
        if line.startswith("└"):
            break
        rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def independent_epoch_errors(epochs: int) -> list[float]:
    """Each epoch's error added up from the recorded steps of a whole run."""
    trace = solve(apply_overrides(load_problem(XOR), epochs=epochs), Arithmetic())
    totals = [0.0] * epochs
    for step in trace.steps:
        totals[step.epoch - 1] += step.error
    return totals


def test_a_short_summary_lists_every_epoch():
    rows = error_rows(summary_lines("--epochs", "5"))
    assert rows == [[str(e), format_float(total)]
                    for e, total in enumerate(independent_epoch_errors(5), start=1)]


def test_a_long_summary_is_a_digest_saying_how_much_is_left_out():
    lines = summary_lines("--epochs", "3000")
    rows = error_rows(lines)
    totals = independent_epoch_errors(3000)
    epochs = [1 + round(k * 2999 / 20) for k in range(21)]
    assert [int(row[0]) for row in rows] == epochs  # the error falls: the last is the lowest
    assert [row[1] for row in rows] == [format_float(totals[e - 1]) for e in epochs]
    assert rows[-1][2] == "lowest" and all(row[2] == "" for row in rows[:-1])
    end = next(i for i, line in enumerate(lines) if line.startswith("└"))
    note = " ".join(line.strip() for line in lines[end + 1:end + 4])
    assert note.startswith("21 of 3,000 epochs (2,979 left out): the first, the last, evenly "
                           "spaced ones and the lowest error")
    assert len(lines) < 60  # a screenful, not a 3,000-row table


def test_the_digest_includes_the_lowest_error_between_its_rows():
    totals = [5.0] * 100
    totals[57] = 0.5  # epoch 58: not one of the evenly spaced epochs
    epochs, lowest = epoch_digest(totals, 21)
    assert lowest == 58 and 58 in epochs and len(epochs) == 22
    assert epochs[0] == 1 and epochs[-1] == 100
    assert epoch_digest([3.0, 2.0, 1.0], 21) == ([1, 2, 3], 3)


def test_a_summary_keeps_no_step_records(monkeypatch):
    kept = []
    real = train

    def spy(*args, **kwargs):
        run = real(*args, **kwargs)
        kept.append(run)
        return run

    monkeypatch.setattr("bpcalc.engine.backprop.train", spy)
    summary_lines("--epochs", "50")
    assert [run.record for run in kept] == [False]


def test_steps_keep_only_what_they_show():
    problem = apply_overrides(load_problem(XOR), epochs=2000)
    trace = train(problem, Arithmetic()).trace(keep={7000})
    assert [n for n, s in enumerate(trace.steps, start=1) if s is not None] == [1, 7000]
    result = runner.invoke(app, ["solve", XOR, "--epochs", "2000", "--steps", "7000"])
    assert result.exit_code == 0, result.stderr
    assert "Step 7000: epoch 1750, pattern 4" in result.stdout
    assert result.stdout.count("Step ") == 1


# -- the limits ---------------------------------------------------------------------------

def big_network(patterns: int, epochs: int) -> Problem:
    """64-32-10 (2,410 weights) with `patterns` patterns, built without running it."""
    network = Network((64, 32, 10), True)
    pattern = Pattern((F(1, 2),) * 64, (F(0),) * 10)
    return Problem(network=network, activations=(Activation("sigmoid"),) * 2, bias=F(1),
                   weights=dict.fromkeys(network.weight_keys(), F(1, 100)),
                   patterns=(pattern,) * patterns, learning_rate=F(1, 2), epochs=epochs)


def test_a_summary_is_not_refused_for_output_it_does_not_write():
    # 64-32-10, 1,000 patterns, 10 epochs: 24,100,000 weight updates, which numpy does in
    # seconds; its recorded steps would be 25,180,000 values, too many to write.
    problem = big_network(1000, 10)
    assert engine_for(problem, Arithmetic()) == "numpy"
    limits.check_computation(problem, "numpy")  # not refused
    with pytest.raises(Exception, match=r"values to write .* use fewer epochs"):
        limits.check_output(problem, problem.step_count, "json", "use fewer epochs")
    with pytest.raises(Exception, match=r"allowed for float runs with slips \(check\): use"):
        limits.check_computation(problem, "float")  # the generic engine would take minutes


def test_tables_too_long_to_print_are_refused_with_advice():
    result = runner.invoke(app, ["solve", XOR, "--epochs", "2000"])
    assert result.exit_code == 2 and result.stdout == ""
    assert limits.OUTPUT_LIMITS["tables"] == 25_000
    assert result.stderr == (
        "bpcalc: error: --epochs: 8,000 steps of 7 nodes and 9 weights is 128,000 values to "
        "write (steps x (nodes + weights)), more than the 25,000 allowed for tables: use "
        "--summary (the error per epoch and the final weights), --steps to show some "
        "steps, or fewer epochs\n")
    assert runner.invoke(app, ["solve", XOR, "--epochs", "2000", "--summary"]).exit_code == 0
    assert runner.invoke(app, ["solve", XOR, "--epochs", "2000", "--steps", "1-3"]
                         ).exit_code == 0


def test_the_computation_limit_names_the_file_line_or_the_option(tmp_path):
    # 10-15-2 has 197 weights (the float engine's): one step more than its limit.
    limit = limits.COMPUTATION_LIMITS["fastfloat"]
    steps = limit // 197 + 1
    path = tmp_path / "p.yaml"
    path.write_text("layers: [10, 15, 2]\nweights: 0.1\npattern: [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]"
                    f"\ntarget: [1, 0]\nlearning_rate: 1\nepochs: {steps}\n")
    for options, where in (([], "line 6: epochs: "), (["--epochs", str(steps)], "--epochs: ")):
        result = runner.invoke(app, ["solve", str(path), "--summary", *options])
        assert result.exit_code == 2, result.stderr
        assert where in result.stderr
        assert (f"{steps:,} steps of 197 weights is {steps * 197:,} weight updates (steps x "
                f"weights), more than the {limit:,} allowed for float runs: use fewer epochs "
                "or a smaller network") in result.stderr


def test_plot_and_generate_refuse_quickly_or_run_without_records(tmp_path, monkeypatch):
    result = runner.invoke(app, ["plot", XOR, "--epochs", "2000000"])
    assert result.exit_code == 2 and "more than 2,000,000 steps" in result.stderr
    kept = []
    real = train
    monkeypatch.setattr("bpcalc.engine.backprop.train",
                        lambda *a, **k: kept.append(k.get("record", True)) or real(*a, **k))
    assert runner.invoke(app, ["plot", XOR, "--epochs", "300"]).exit_code == 0
    assert kept == [False]
    # The plot draws the engine's array of epoch totals (8 bytes an epoch), not a copy.
    from bpcalc.render.pictures.plot import error_plot_data

    trace = solve(apply_overrides(load_problem(XOR), epochs=300), Arithmetic(), record=False)
    epochs, errors = error_plot_data(trace)
    assert errors is trace.epoch_totals().totals() and epochs == range(1, 301)
    result = runner.invoke(app, ["generate", "problems/slides_2-2-1.yaml", "--count",
                                 "1000000", "--out", str(tmp_path / "set")])
    assert result.exit_code == 2 and "--count: must be from 1 to 10,000" in result.stderr
    # 1,000 HTML keys (two pictures each) take about 2 minutes: refused before any file.
    result = runner.invoke(app, ["generate", "problems/slides_2-2-1.yaml", "--count", "1000",
                                 "--formats", "html", "--out", str(tmp_path / "set")])
    assert result.exit_code == 2
    assert ("--count: 1,000 variants with html keys would take about 129 s to write (at "
            "most 60 s): use a smaller --count") in result.stderr
    assert not (tmp_path / "set").exists()


def test_the_json_text_is_what_json_dumps_writes_and_refuses_what_it_refuses():
    import numpy as np

    trace = solve(apply_overrides(load_problem(XOR), epochs=1), Arithmetic())
    step = trace.steps[0]
    step.error = np.float64(0.25)  # a float subclass is written as a plain float
    step.nodes[0].out = -0.0
    text = json_out.render_json(trace)
    assert '"out":-0.0,' in text and '"error":0.25,' in text
    assert text == json.dumps(json.loads(text), separators=(",", ":"), allow_nan=False) + "\n"
    for bad in (float("nan"), float("inf")):
        step.error = bad
        with pytest.raises(ValueError, match="Out of range float values"):
            json_out.render_json(trace)


def test_answer_keys_show_the_same_digest():
    result = runner.invoke(app, ["solve", XOR, "--epochs", "3000", "--summary", "--format",
                                 "markdown"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "*21 of 3,000 epochs (2,979 left out): the first, the last, evenly spaced ones " \
           "and the lowest error*" in text
    assert "| 3000 | 0.00370055 | lowest |" in text and "| 2 | 0.5" not in text

"""Shared by the export tests: a generated set, and the slides' 2-2-1 values worked
independently (a few lines of plain floating point), to check each export's answers."""

from __future__ import annotations

import math
from pathlib import Path

from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.problem.loader import load_problem

ROOT = Path(__file__).resolve().parent.parent
SLIDES_TEMPLATE = ROOT / "bpcalc" / "examples" / "templates" / "slides_2-2-1_variants.yaml"
DEFAULT_NAMES = ["z7", "delta7", "delta4", "delta5", "w14", "w24", "w34", "w15", "w25", "w35",
                 "w47", "w57", "w67"]
HALF_UNIT_4_PLACES = 0.5 * 10 ** -4  # what `bpcalc check --places 4` accepts either side


def generate_set(out: Path, *options: str, template: Path = SLIDES_TEMPLATE):
    result = CliRunner().invoke(app, ["generate", str(template), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return result


def slides_values(problem_file: Path) -> dict[str, float]:
    """Step 1 of a 2-2-1 sigmoid network in the slides' convention, by hand: z = f(net),
    delta_out = (t - z) z (1 - z), delta_hidden = z (1 - z) delta7 w_j7, w' = w + C delta z."""
    problem = load_problem(str(problem_file))
    w = {key: float(value) for key, value in problem.weights.items()}
    x1, x2 = (float(v) for v in problem.patterns[0].input)
    target = float(problem.patterns[0].target[0])
    rate, bias = float(problem.learning_rate), float(problem.bias)
    z = {1: x1, 2: x2, 3: bias, 6: bias}

    def sigmoid(net: float) -> float:
        return 1 / (1 + math.exp(-net))

    for j in (4, 5):
        z[j] = sigmoid(z[1] * w[1, j] + z[2] * w[2, j] + z[3] * w[3, j])
    z[7] = sigmoid(z[4] * w[4, 7] + z[5] * w[5, 7] + z[6] * w[6, 7])
    delta = {7: (target - z[7]) * z[7] * (1 - z[7])}
    for j in (4, 5):
        delta[j] = z[j] * (1 - z[j]) * delta[7] * w[j, 7]
    values = {"z7": z[7], "delta7": delta[7], "delta4": delta[4], "delta5": delta[5]}
    for (i, j), old in w.items():
        values[f"w{i}{j}"] = old + rate * delta[j] * z[i]
    return values


# The template asking for three quantities at their own precisions.
ASKING = """\
title: Asked at their own precisions
layers: [2, 2, 1]
activation: sigmoid
bias: 1
weights: {random: [-1, 1], step: 0.1, exclude: [0]}
pattern: {random: [0.1, 1], step: 0.1}
target: [1]
learning_rate: 1
convention: slides
ask: [z7, delta4, "step 1: w47"]
answer_precision: {round: {weight: 2}, sigfigs: {delta: 3}}
"""
ASKING_NAMES = ["z7", "delta4", "w47"]


def asking_template(folder: Path) -> Path:
    path = folder / "asking.yaml"
    path.write_text(ASKING, encoding="utf-8")
    return path


def asking_tolerance(name: str, value: float) -> float:
    """By hand: z7 at the default 4 places, delta4 at 3 significant figures (half a unit of
    the third figure), w47 at 2 places."""
    if name == "delta4":
        return 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 2)
    return 0.5 * 10 ** -(2 if name == "w47" else 4)

"""Shared by the worksheet's tests: the lecture's 2-2-1 example worked by hand, and the
page's data read back."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction as F
from pathlib import Path

from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.problem.model import Rounding

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
runner = CliRunner()
PLACES4, SIG3, SIG2 = Rounding("places", 4), Rounding("sigfigs", 3), Rounding("sigfigs", 2)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# The lecture's example by hand (all weights .5, input .9 .6, target 0, C = 1).
Z4 = sigmoid(0.9 * 0.5 + 0.6 * 0.5 + 0.5)
Z7 = sigmoid(0.5 * Z4 + 0.5 * Z4 + 0.5)
DELTA7 = (0 - Z7) * Z7 * (1 - Z7)
DELTA4 = Z4 * (1 - Z4) * DELTA7 * 0.5
W47 = 0.5 + DELTA7 * Z4


def worksheet(path: Path, *args: str) -> str:
    result = runner.invoke(app, ["solve", str(path), "--format", "worksheet", *args])
    assert result.exit_code == 0, result.output
    return result.output


def data_of(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="bpcalc-worksheet-data">(.*?)'
                      r"</script>", page, re.S)
    return json.loads(found.group(1))


def interval(box: dict) -> tuple[F, F]:
    """The accepted interval of a box's first solution (the run's), as fractions."""
    solution = box["solutions"][0]
    return tuple(F(int(solution[end][0]), int(solution[end][1])) for end in ("low", "high"))

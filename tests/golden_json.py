"""The golden JSON cases: every bundled problem and a few more, in the option combinations
the tests use. `python tests/golden_json.py` (re)writes tests/fixtures/golden_json/; the
test (test_golden_json.py) compares a fresh run with those files byte for byte, so a
reshaping of the code cannot change the JSON unnoticed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures" / "golden_json"

PROBLEMS = sorted((ROOT / "problems").glob("*.yaml")) + sorted(
    (FIXTURES / "problems").glob("*.yaml"))

OPTIONS = {
    "plain": [],
    "exact": ["--exact"],
    "textbook": ["--convention", "textbook"],
    "round4": ["--round", "4"],
    "round3_exact": ["--round", "3", "--exact"],
    "sigfigs3": ["--sigfigs", "3"],
    "epochs3_lr": ["--epochs", "3", "--learning-rate", "1/4"],
    "notes": ["--notation", "notes"],
}


def cases() -> list[tuple[str, Path, list[str]]]:
    return [(f"{path.stem}.{name}", path, options)
            for path in PROBLEMS for name, options in OPTIONS.items()]


def run_case(path: Path, options: list[str]) -> str:
    """The command's whole visible result: exit status, stdout, stderr."""
    import os

    from typer.testing import CliRunner

    from bpcalc.cli import app

    name = str(path.relative_to(ROOT))  # messages name the file as given: keep them portable
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["solve", name, "--format", "json", *options])
    finally:
        os.chdir(before)
    return json.dumps({"status": result.exit_code, "stdout": result.stdout,
                       "stderr": result.stderr}, ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, path, options in cases():
        (FIXTURES / f"{name}.json").write_text(run_case(path, options), encoding="utf-8")
    print(f"wrote {len(cases())} golden files")

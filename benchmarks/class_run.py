"""A class run against the same checks in a bare loop: 200 answers files of the slides'
2-2-1 problem (right sheets, the new-weight mistake, f' left out, a value nothing explains),
checked (a) by `load_answers` + `check` 200 times in this process, and (b) by one
`bpcalc check PROBLEM DIR --out REPORTS` (a new process: startup, reading, checking,
every report and the summary written). Prints both times and their ratio; the target is
a ratio of at most 2 and at most 15 s.

Run: python benchmarks/class_run.py [--count N] [--format table|json|gradescope]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEM = ROOT / "bpcalc" / "examples" / "slides_2-2-1.yaml"
ANSWERS = ROOT / "bpcalc" / "examples" / "answers"

SHEETS = [
    (ANSWERS / "slides_2-2-1_correct.yaml").read_text(encoding="utf-8"),
    (ANSWERS / "slides_2-2-1_new_weight.yaml").read_text(encoding="utf-8"),
    "z4: .7773\nz5: .7503\nz7: .3808\ndelta7: -.0898\ndelta4: -.0156\n",  # f' left out
    "z4: .7773\nz5: .7503\nz7: .3808\ndelta7: -.0898\nw47: .123\n",  # nothing explains w47
]


def write_sheets(folder: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"student_{number:03d}.yaml"
        path.write_text(SHEETS[number % len(SHEETS)], encoding="utf-8")
        paths.append(path)
    return paths


def loop_seconds(paths: list[Path]) -> float:
    """200 checks in one process, nothing rendered: the floor a class run is held to."""
    from bpcalc.grading.answers import load_answers
    from bpcalc.grading.grade import check
    from bpcalc.problem.loader import load_problem

    start = time.perf_counter()
    problem = load_problem(str(PROBLEM))
    for path in paths:
        check(problem, load_answers(str(path), problem))
    return time.perf_counter() - start


def class_run_seconds(folder: Path, out: Path, format: str) -> float:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bpcalc", "check", str(PROBLEM), str(folder),
               "--out", str(out), "-f", format]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=environment, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"the class run failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--format", default="table", choices=["table", "json", "gradescope"])
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "submissions"
        folder.mkdir()
        paths = write_sheets(folder, arguments.count)
        loop = loop_seconds(paths)
        run = class_run_seconds(folder, Path(temporary) / "reports", arguments.format)
        reports = len(os.listdir(Path(temporary) / "reports"))
    print(f"{arguments.count} checks in one process: {loop:.2f} s")
    print(f"class run ({arguments.format}, {reports} files written): {run:.2f} s")
    print(f"ratio: {run / loop:.2f} (target: at most 2, and at most 15 s)")


if __name__ == "__main__":
    main()

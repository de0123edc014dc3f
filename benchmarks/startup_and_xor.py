"""Wall-time figures for issue 2: cold start of a numeric JSON solve against the floor
`python -c "import typer, rich.table"`, and XOR 2-2-1 trained for 10,000 epochs.

Run: python benchmarks/startup_and_xor.py [--runs N]. Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
XOR = ROOT / "problems" / "xor.yaml"


# Byte-code cached, as after `pip install` (which compiles it): where the environment
# forbids writing .pyc files (PYTHONDONTWRITEBYTECODE), an editable checkout's modules would
# be compiled from source on every start while typer's and rich's come cached.
_CACHE = tempfile.mkdtemp(prefix="bpcalc-pycache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = _CACHE


def wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - started


def median_times(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command, the commands taking turns run after run, so that
    a change in the machine's load falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, record in zip(commands, times, strict=True):
            record.append(wall_time(command))
    return [statistics.median(record) for record in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    floor_cmd = [python, "-c", "import typer, rich.table"]
    solve_cmd = [python, "-m", "bpcalc", "solve", str(SLIDES), "--format", "json"]
    median_times([floor_cmd, solve_cmd], 2)  # warm the file cache and the byte-code cache
    floor, solve = median_times([floor_cmd, solve_cmd], args.runs)
    print(f"floor  python -c 'import typer, rich.table'   median {floor * 1000:7.1f} ms")
    print(f"solve  bpcalc solve slides --format json        median {solve * 1000:7.1f} ms")
    print(f"ratio  solve / floor                            {solve / floor:7.2f}  (target <= 1.5)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "xor.json"
        command = [python, "-m", "bpcalc", "solve", str(XOR), "--epochs", "10000",
                   "--format", "json", "-o", str(out)]
        started = time.perf_counter()
        subprocess.run(command, check=True, env=ENV)
        elapsed = time.perf_counter() - started
        size = out.stat().st_size / 1e6
    print(f"xor    10,000 epochs (40,000 steps), JSON to file  {elapsed:7.2f} s  ({size:.1f} MB)")


if __name__ == "__main__":
    main()

"""Cold start of `bpcalc solve` on the slides' problem (default tables, and `--format json`)
against the floor `python -c "import typer, rich.table"`, and XOR 2-2-1 trained for 10,000
epochs.

Each start-up is measured as wall time and as CPU time (user + system of the process, from
os.wait4): on a machine other jobs keep busy, a process also waits for a core, which only
the wall time counts. Best and median of each, and each against the floor's, side by side.

Run: python benchmarks/startup_and_xor.py [--runs N] [--startup-only]. Prints figures;
never fails.
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


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with status {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def run_times(commands: list[list[str]], runs: int) -> list[list[tuple[float, float]]]:
    """(wall, CPU) of each command, the commands taking turns run after run, so that a
    change in the machine's load falls on all of them alike."""
    times: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for command, record in zip(commands, times, strict=True):
            record.append(timed(command))
    return times


def startup(runs: int) -> None:
    """Best and median of each start-up, wall and CPU, and each against the floor."""
    python = sys.executable
    commands = {
        "floor  python -c 'import typer, rich.table'": [python, "-c", "import typer, rich.table"],
        "tables bpcalc solve slides": [python, "-m", "bpcalc", "solve", str(SLIDES)],
        "json   bpcalc solve slides --format json": [python, "-m", "bpcalc", "solve",
                                                     str(SLIDES), "--format", "json"],
    }
    run_times(list(commands.values()), 2)  # warm the file cache and the byte-code cache
    times = run_times(list(commands.values()), runs)
    print(f"start-up, {runs} runs each; ms, and x the floor's")
    print(f"{'':44} {'wall best':>15} {'wall median':>15} {'CPU best':>15} {'CPU median':>15}")
    floor = _figures(times[0])
    for label, record in zip(commands, times, strict=True):
        cells = [f"{value * 1000:6.1f} {value / base:5.2f}x"
                 for value, base in zip(_figures(record), floor, strict=True)]
        print(f"{label:44} " + " ".join(f"{cell:>15}" for cell in cells))
    print("target: tables and json each <= 1.5 x the floor")


def _figures(record: list[tuple[float, float]]) -> list[float]:
    walls, cpus = [wall for wall, _ in record], [cpu for _, cpu in record]
    return [min(walls), statistics.median(walls), min(cpus), statistics.median(cpus)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--startup-only", action="store_true", help="skip the XOR run")
    args = parser.parse_args()
    python = sys.executable
    startup(args.runs)
    if args.startup_only:
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "xor.json"
        command = [python, "-m", "bpcalc", "solve", str(XOR), "--epochs", "10000",
                   "--format", "json", "-o", str(out)]
        elapsed, _ = timed(command)
        size = out.stat().st_size / 1e6
    print(f"xor    10,000 epochs (40,000 steps), JSON to file  {elapsed:7.2f} s  ({size:.1f} MB)")


if __name__ == "__main__":
    main()

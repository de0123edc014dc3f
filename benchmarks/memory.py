"""Peak memory and time of `bpcalc solve --format json` for long runs (issue 8): the delta
rule (problems/delta_rule.yaml, 2 patterns, 3 weights) at 1e4, 1e5 and 1e6 steps and XOR
2-2-1 (problems/xor.yaml, 4 patterns, 9 weights) at 1e4 and 1e5 steps, each in a fresh
process writing a regular file (the all-or-nothing path: streamed into a temporary file,
renamed at the end).

Peak memory is the child's own maximum resident set size, and its CPU time user + system
(os.wait4's rusage: getrusage(RUSAGE_CHILDREN) for that one child). The reference in the
same run is `bpcalc --version` (start-up and imports): the memory ratio shows what a run
adds, and the CPU ratio against the 1e4-step run of the same problem shows that the time
grows with the steps while the memory does not. Wall time is printed too; on a machine
busy with other work it is mostly waiting, which the calibration loop shows.

Run: python benchmarks/memory.py [--quick] (--quick: leaves out the 1e6-step run).
Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [("delta rule", "delta_rule.yaml", 2, steps) for steps in (10**4, 10**5, 10**6)] + [
    ("XOR 2-2-1", "xor.yaml", 4, steps) for steps in (10**4, 10**5)]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def measure(arguments: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB and exit status of one fresh bpcalc
    process (CPU time is what the run itself took on a machine busy with other work)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bpcalc", *arguments], env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    return (elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def calibration() -> float:
    """Microseconds for sum(range(1000)): about 10 on an idle core of the README's machine."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the 1e6-step run")
    quick = parser.parse_args().quick
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; calibration "
          f"sum(range(1000)): {calibration():.1f} us")
    base_time, base_cpu, base_rss, _ = measure(["--version"])
    print(f"reference `bpcalc --version`: {base_time:.2f} s ({base_cpu:.2f} s CPU), "
          f"{base_rss:.0f} MB\n")
    print(f"{'run':<12} {'steps':>9} {'JSON MB':>8} {'wall s':>7} {'CPU s':>7} "
          f"{'CPU x 1e4':>9} {'peak MB':>8} {'x ref':>6}")
    first: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, problem, patterns, steps in CASES:
            if quick and steps > 10**5:
                continue
            target = Path(folder) / "trace.json"
            elapsed, cpu, rss, status = measure(
                ["solve", f"problems/{problem}", "--epochs", str(steps // patterns),
                 "--format", "json", "-o", str(target), "--force"])
            size = target.stat().st_size / 1e6 if target.exists() else 0.0
            first.setdefault(name, cpu)
            note = "" if status == 0 else f"  exit {status}"
            print(f"{name:<12} {steps:>9,} {size:>8.1f} {elapsed:>7.1f} {cpu:>7.1f} "
                  f"{cpu / first[name]:>9.1f} {rss:>8.0f} {rss / base_rss:>6.2f}{note}")
            target.unlink(missing_ok=True)
    print(f"\ncalibration after the runs: {calibration():.1f} us")


if __name__ == "__main__":
    main()

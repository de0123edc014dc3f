"""Exact mode's cost against the number of steps: the slides' 2-2-1 example, 1 to 16 steps.

Long exact values are named (bpcalc.engine.exact), so each step's work is bounded and the cost
should grow about linearly: 16 steps within 20 times 1 step. Prints, per step count, the
in-process time of the exact solve and of solve + terminal tables, and their ratio to 1
step (the fastest of --runs runs, each from SymPy's empty cache; SymPy imported
beforehand). Prints figures; never fails.

Run: python benchmarks/exact_scaling.py [--runs N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
COUNTS = (1, 2, 4, 8, 16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from sympy.core.cache import clear_cache

    from bpcalc.engine.arithmetic import Arithmetic
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.exact import ExactArithmetic
    from bpcalc.problem.loader import apply_overrides, load_problem
    from bpcalc.render.terminal.tables import render_tables_text

    base = load_problem(str(SLIDES))
    print("slides' 2-2-1 example in exact mode (in-process, best of "
          f"{args.runs}; start-up and imports excluded)")
    print(f"{'steps':>5}  {'solve':>9}  {'ratio':>6}  {'solve+tables':>12}  {'ratio':>6}"
          f"  {'max |exact - float|':>19}")
    first = None
    for count in COUNTS:
        problem = apply_overrides(base, epochs=count)
        best_solve = best_total = float("inf")
        for _ in range(args.runs):
            clear_cache()  # every run from SymPy's empty cache, or repeats would be free
            started = time.perf_counter()
            trace = solve(problem, ExactArithmetic())
            solved = time.perf_counter()
            render_tables_text(trace)
            done = time.perf_counter()
            best_solve = min(best_solve, solved - started)
            best_total = min(best_total, done - started)
        floats = solve(problem, Arithmetic())
        to_float = trace.arithmetic.to_float
        gap = max(abs(to_float(value) - floats.final_weights[key])
                  for key, value in trace.final_weights.items())
        first = first or (best_solve, best_total)
        print(f"{count:>5}  {best_solve:8.3f}s  {best_solve / first[0]:6.1f}  "
              f"{best_total:11.3f}s  {best_total / first[1]:6.1f}  {gap:19.1e}")
    print("target: 16 steps within 20 times 1 step")


if __name__ == "__main__":
    main()

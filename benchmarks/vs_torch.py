"""bpcalc side by side with PyTorch (CPU, float64, the same sequential SGD, same weights).

(a) XOR 2-2-1 (problems/xor.yaml), 10,000 epochs = 40,000 sequential steps, the full
    per-step trace written as JSON to a file;
(b) a 64-32-10 sigmoid network, 1,000 patterns (generated deterministically), one epoch,
    summary only (`bpcalc solve big.yaml --summary`).

Two kinds of figures, for each side:
- "loop": in-process time of training (and, for (a), building and writing the JSON), after
  the problem is loaded: interpreter start-up and imports excluded;
- "command": wall time of the whole command in a fresh process (`bpcalc solve ...` against
  `python benchmarks/torch_reference.py ...`), start-up, imports and YAML reading included.
Ratios are bpcalc / PyTorch (target <= 1.0). The final weights of the two must agree to
1e-9; the largest difference is printed. Prints figures; never fails on a slow result.

Run: python benchmarks/vs_torch.py [--runs N] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XOR = ROOT / "problems" / "xor.yaml"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_problem import write_big_problem  # noqa: E402


def best_time(function, runs: int):
    """The fastest of `runs` calls (the least disturbed by other load), and its result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def command_time(command: list[str], runs: int) -> float:
    """Wall time of a fresh process, byte-code cached as after `pip install` (see
    startup_and_xor.py); one untimed run first fills the cache."""
    from startup_and_xor import ENV

    def run():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)

    run()
    return best_time(run, runs)[0]


def max_difference(ours: dict, theirs: list[dict]) -> float:
    return max(abs(ours[(w["from"], w["to"])] - w["value"]) for w in theirs)


def report(label: str, what: str, ours: float, theirs: float) -> None:
    print(f"  {label:<8} {what:<44} bpcalc {ours:8.3f} s   torch {theirs:8.3f} s"
          f"   ratio {ours / theirs:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--epochs", type=int, default=10_000, help="XOR epochs for (a)")
    args = parser.parse_args()

    import torch_reference

    from bpcalc.engine.arithmetic import Arithmetic
    from bpcalc.engine.backprop import solve
    from bpcalc.problem.loader import apply_overrides, load_problem
    from bpcalc.render.json_out import render_json

    python = sys.executable
    reference = str(Path(__file__).resolve().parent / "torch_reference.py")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ours_json, theirs_json = folder / "bpcalc.json", folder / "torch.json"
        big = folder / "big.yaml"
        write_big_problem(big)

        # (a) XOR, full trace as JSON
        print(f"(a) XOR 2-2-1, {args.epochs:,} epochs sequential, JSON trace to a file")
        problem = apply_overrides(load_problem(str(XOR)), epochs=args.epochs)
        data = torch_reference.load(str(XOR))

        parts: dict[str, float] = {}  # the last run's split: training, then the JSON

        def ours_a():
            started = time.perf_counter()
            trace = solve(problem, Arithmetic())
            parts["bpcalc"] = time.perf_counter() - started
            ours_json.write_text(render_json(trace), encoding="utf-8")
            return trace

        def theirs_a():
            started = time.perf_counter()
            result = torch_reference.train(data, args.epochs, record=True)
            parts["torch"] = time.perf_counter() - started
            theirs_json.write_text(json.dumps(result, separators=(",", ":")) + "\n",
                                   encoding="utf-8")
            return result

        loop_ours, trace = best_time(ours_a, args.runs)
        loop_theirs, result = best_time(theirs_a, args.runs)
        diff_a = max_difference(trace.final_weights, result["final_weights"])
        report("loop", "solve + JSON written (after loading)", loop_ours, loop_theirs)
        report("  of it", "training and recording the trace", parts["bpcalc"],
               parts["torch"])
        command_ours = command_time([python, "-m", "bpcalc", "solve", str(XOR), "--epochs",
                                     str(args.epochs), "--format", "json", "-o",
                                     str(ours_json), "--force"], args.runs)  # run after run
        command_theirs = command_time([python, reference, str(XOR), "--epochs",
                                       str(args.epochs), "-o", str(theirs_json)], args.runs)
        report("command", "whole command, fresh process", command_ours, command_theirs)
        written = json.loads(ours_json.read_text(encoding="utf-8"))["final_weights"]
        diff_files = max_difference({(w["from"], w["to"]): w["value"] for w in written},
                                    json.loads(theirs_json.read_text())["final_weights"])
        print(f"  final weights: max |bpcalc - torch| = {max(diff_a, diff_files):.2e}"
              f"  ({'OK' if max(diff_a, diff_files) <= 1e-9 else 'DIFFERENT'}, limit 1e-9);"
              f" JSON {ours_json.stat().st_size / 1e6:.1f} MB")

        # (b) 64-32-10, 1,000 patterns, summary
        print("(b) 64-32-10 sigmoid, 1,000 patterns, one epoch, summary only")
        problem = load_problem(str(big))
        data = torch_reference.load(str(big))
        loop_ours, trace = best_time(lambda: solve(problem, Arithmetic(), record=False),
                                     args.runs)
        loop_theirs, result = best_time(
            lambda: torch_reference.train(data, 1, record=False), args.runs)
        report("loop", "training, errors and final weights", loop_ours, loop_theirs)
        command_ours = command_time([python, "-m", "bpcalc", "solve", str(big), "--summary"],
                                    args.runs)
        command_theirs = command_time([python, reference, str(big), "--summary"], args.runs)
        report("command", "whole command, fresh process", command_ours, command_theirs)
        diff_b = max_difference(trace.final_weights, result["final_weights"])
        print(f"  final weights: max |bpcalc - torch| = {diff_b:.2e}"
              f"  ({'OK' if diff_b <= 1e-9 else 'DIFFERENT'}, limit 1e-9)")


if __name__ == "__main__":
    main()

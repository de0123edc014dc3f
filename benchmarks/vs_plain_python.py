"""bpcalc's float engine side by side with a plain Python loop, and its loader with PyYAML's.

The reference is XOR 2-2-1 (problems/xor.yaml: sigmoid, bias input 1, half_sse, the
slides' convention, sequential updates), trained for 10,000 epochs = 40,000 steps by
`reference_train` below: nine local floats, math.exp, no lists, the updates written out
by hand. It is written here, not imported from bpcalc, so it cannot share a mistake.

Figures, all taken in this one run, the two sides taking turns (best of --runs), in CPU
time (user + system), so that on a shared machine the time spent waiting for a core is in
neither side:
(a) in-process time per step of bpcalc's float engine in summary mode (no records)
    against the reference loop; target <= 3x;
(b) the whole command `bpcalc solve problems/xor.yaml --epochs 10000 --summary` against a
    process running the reference (`python benchmarks/vs_plain_python.py --reference`),
    each a fresh interpreter; target <= 4x;
(c) in-process time per step with the trace recorded (every node and weight of every
    step, as tables and JSON read it) against the same reference loop; target <= 6x;
    and the final weights of bpcalc and the reference, equal to 1e-12;
(d) loading the 64-32-10 problem with 1,000 patterns (benchmarks/big_problem.py, 459 KB)
    with `bpcalc.problem.loader.load_problem` against `yaml.load(text, Loader=CSafeLoader)`
    of the same file (which builds plain Python objects and keeps no line numbers);
    target <= 1.3x.
Prints figures; never fails on a slow result.

Run: python benchmarks/vs_plain_python.py [--runs N] [--epochs N]
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from pathlib import Path

# problems/xor.yaml, written out: rows are the weights into nodes 4, 5 and 7, bias last.
XOR_WEIGHTS = (0.5, -0.4, 0.1, -0.3, 0.6, -0.2, 0.7, -0.5, 0.3)
XOR_PATTERNS = ((0.0, 0.0, 0.0), (0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (1.0, 1.0, 0.0))
XOR_RATE = 0.5
XOR_WEIGHT_KEYS = ((1, 4), (2, 4), (3, 4), (1, 5), (2, 5), (3, 5), (4, 7), (5, 7), (6, 7))
HERE = Path(__file__).resolve().parent
XOR = HERE.parent / "problems" / "xor.yaml"


def reference_train(epochs: int) -> tuple[tuple[float, ...], list[float]]:
    """Sequential backpropagation for XOR 2-2-1: (final weights, error per epoch).

    delta_7 = (t - z_7) z_7 (1 - z_7); delta_j = z_j (1 - z_j) delta_7 w_j7 with the
    weights before the step's update; w_ij += C delta_j z_i (bias input 1).
    """
    w14, w24, w34, w15, w25, w35, w47, w57, w67 = XOR_WEIGHTS
    rate, exp = XOR_RATE, math.exp
    errors = []
    for _ in range(epochs):
        total = 0.0
        for x1, x2, t in XOR_PATTERNS:
            z4 = 1.0 / (1.0 + exp(-(w14 * x1 + w24 * x2 + w34)))
            z5 = 1.0 / (1.0 + exp(-(w15 * x1 + w25 * x2 + w35)))
            z7 = 1.0 / (1.0 + exp(-(w47 * z4 + w57 * z5 + w67)))
            residual = t - z7
            total += 0.5 * residual * residual
            d7 = residual * z7 * (1.0 - z7)
            d4 = z4 * (1.0 - z4) * d7 * w47
            d5 = z5 * (1.0 - z5) * d7 * w57
            c7, c4, c5 = rate * d7, rate * d4, rate * d5
            w47 += c7 * z4
            w57 += c7 * z5
            w67 += c7
            w14 += c4 * x1
            w24 += c4 * x2
            w34 += c4
            w15 += c5 * x1
            w25 += c5 * x2
            w35 += c5
        errors.append(total)
    return (w14, w24, w34, w15, w25, w35, w47, w57, w67), errors


def run_reference_process(epochs: int) -> None:
    """What the plain script's process does: train, then print what --summary prints."""
    weights, errors = reference_train(epochs)
    for epoch, error in enumerate(errors, start=1):
        print(f"{epoch:6d}  {error:.9f}")
    for key, value in zip(XOR_WEIGHT_KEYS, weights, strict=True):
        print(f"w{key[0]}{key[1]}  {value:.5f}")


def cpu_time(function) -> tuple[float, object]:
    """CPU seconds of one call in this process (after a full garbage collection), and its
    result: time the process spends waiting for a core, on a shared machine, is not in it."""
    gc.collect()
    started = time.process_time()
    result = function()
    return time.process_time() - started, result


def child_cpu_time(argv: list[str], env: dict) -> float:
    """CPU seconds (user + system) of a fresh process running `argv`."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def taking_turns(functions, runs: int) -> list:
    """(best time, last result) of each function (which returns both), the functions
    taking turns run after run, so that a change in the machine's load falls on all
    alike. Results should be small: a trace of 40,000 steps left alive would slow every
    later garbage collection, on both sides."""
    results = [(float("inf"), None) for _ in functions]
    for _ in range(runs):
        for index, function in enumerate(functions):
            elapsed, value = function()
            results[index] = (min(elapsed, results[index][0]), value)
    return results


def line(label: str, ours: float, theirs: float, unit: str, target: float) -> None:
    ratio = ours / theirs
    verdict = "met" if ratio <= target else "NOT met"
    print(f"  {label:<40} bpcalc {ours:9.3f} {unit:<7} reference {theirs:9.3f} {unit:<7}"
          f" ratio {ratio:5.2f}  (target <= {target}: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (best kept)")
    parser.add_argument("--epochs", type=int, default=10_000, help="XOR epochs")
    parser.add_argument("--reference", action="store_true",
                        help="only run the plain loop and print its summary (for (b))")
    args = parser.parse_args()
    if args.reference:
        run_reference_process(args.epochs)
        return
    sys.path.insert(0, str(HERE))
    print(f"XOR 2-2-1 sigmoid, half_sse, sequential, {args.epochs:,} epochs "
          f"({args.epochs * len(XOR_PATTERNS):,} steps); CPU time, best of {args.runs}")
    in_process(args.runs, args.epochs)
    whole_process(args.runs, args.epochs)
    loading(args.runs)


def in_process(runs: int, epochs: int) -> None:
    """(a) and (c), and the final weights of both sides."""
    from bpcalc.engine.arithmetic import Arithmetic
    from bpcalc.engine.backprop import solve
    from bpcalc.problem.loader import apply_overrides, load_problem

    problem = apply_overrides(load_problem(str(XOR)), epochs=epochs)
    assert tuple(float(w) for w in problem.weights.values()) == XOR_WEIGHTS
    assert tuple(problem.weights) == XOR_WEIGHT_KEYS
    micro = 1e6 / (epochs * len(XOR_PATTERNS))

    def bpcalc_train(record: bool):
        """CPU time of the solve; then only the final weights and errors are kept."""
        elapsed, trace = cpu_time(lambda: solve(problem, Arithmetic(), record=record))
        return elapsed, ([float(trace.final_weights[key]) for key in XOR_WEIGHT_KEYS],
                         [error for _, error in trace.epoch_errors()])

    (summary, (ours, our_errors)), (recorded, (kept, kept_errors)), (plain, (weights, errors))\
        = taking_turns([lambda: bpcalc_train(False), lambda: bpcalc_train(True),
                        lambda: cpu_time(lambda: reference_train(epochs))], runs)
    line("(a) in-process, summary (no records)", summary * micro, plain * micro,
         "us/step", 3)
    line("(c) in-process, trace recorded", recorded * micro, plain * micro, "us/step", 6)
    difference = max(abs(a - b) for a, b in zip(ours + kept, list(weights) * 2, strict=True))
    epoch_difference = max(abs(a - b) for a, b in
                           zip(our_errors + kept_errors, errors * 2, strict=True))
    verdict = "equal" if max(difference, epoch_difference) <= 1e-12 else "DIFFERENT"
    print(f"  final weights: max |bpcalc - reference| = {difference:.1e}; error per epoch: "
          f"{epoch_difference:.1e}  ({verdict}, limit 1e-12)")


def whole_process(runs: int, epochs: int) -> None:
    """(b): each side in a fresh interpreter, byte-code cached as after `pip install`."""
    from startup_and_xor import ENV

    python = sys.executable
    command = [python, "-m", "bpcalc", "solve", str(XOR), "--epochs", str(epochs),
               "--summary"]
    reference = [python, str(Path(__file__).resolve()), "--reference", "--epochs",
                 str(epochs)]
    sides = [lambda: (child_cpu_time(command, ENV), None),
             lambda: (child_cpu_time(reference, ENV), None)]
    taking_turns(sides, 1)  # fills the byte-code cache
    (whole, _), (whole_plain, _) = taking_turns(sides, runs)
    line("(b) whole process, --summary", whole, whole_plain, "s", 4)


def loading(runs: int) -> None:
    """(d): the large problem file, read by bpcalc and by PyYAML's C loader."""
    import tempfile

    import yaml
    from big_problem import write_big_problem

    from bpcalc.problem.loader import load_problem

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.yaml"
        write_big_problem(big)
        size = big.stat().st_size

        def pyyaml():
            return yaml.load(big.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        (load, patterns), (floor, _) = taking_turns(
            [lambda: cpu_time(lambda: len(load_problem(str(big)).patterns)),
             lambda: cpu_time(lambda: len(pyyaml()["patterns"]))], runs)
    print(f"64-32-10, {patterns:,} patterns, {size / 1000:.0f} KB of YAML")
    line("(d) load (bpcalc vs PyYAML CSafeLoader)", load, floor, "s", 1.3)


if __name__ == "__main__":
    main()

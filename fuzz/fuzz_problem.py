"""Fuzz the loader and the engine: arbitrary bytes and mutated problem files.

The promise under test: `parse_problem` returns a Problem or raises ProblemError, and
`solve` returns a trace or raises NumericalError (a ProblemError) -- any other exception is
a bug. Runs under atheris (coverage-guided libFuzzer) when it is installed, otherwise under
hypothesis at scale; the command line is fuzz/longrun.py's (a long run keeps going past a
failure and saves each distinct one). Usage:

    python fuzz/fuzz_problem.py -max_total_time=180      # atheris: prints "Done N runs"
    python fuzz/fuzz_problem.py --hypothesis 20000        # fallback: prints the count

Solving is skipped for runs larger than SOLVE_LIMIT weight updates (the limits themselves
are tested in tests/test_limits.py), so that one big but valid file is not taken for a hang.
"""

from __future__ import annotations

from harness import seeds, splice
from longrun import main

SOLVE_LIMIT = 20_000  # steps x weights solved per input
SEEDS = seeds("problems/*.yaml")
_parts = None


def check_one(data: bytes, parse_problem, solve, arithmetics, ProblemError) -> None:
    """One input: bytes as they are, or a seed file with the bytes spliced in."""
    text = splice(data, SEEDS).decode("utf-8", errors="replace")
    try:
        problem = parse_problem(text)
    except ProblemError:
        return
    if problem.step_count * len(problem.weights) > SOLVE_LIMIT:
        return
    for arithmetic in arithmetics(problem):
        try:
            solve(problem, arithmetic)
        except ProblemError as error:
            assert str(error).startswith("step "), error  # only a named overflow


def _imports():
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.errors import ProblemError
    from bpcalc.problem.loader import parse_problem

    def arithmetics(problem):
        yield make_arithmetic(None, False)
        if problem.step_count * len(problem.weights) <= 200:  # hand rounding is slower
            yield make_arithmetic(problem.rounding or _rounding(), False)

    def _rounding():
        from bpcalc.problem.model import Rounding

        return Rounding("places", 4)

    return parse_problem, solve, arithmetics, ProblemError


def check_bytes(data: bytes) -> None:
    global _parts
    if _parts is None:
        _parts = _imports()
    check_one(data, *_parts)


if __name__ == "__main__":
    main("problem", check_bytes, None, seed_inputs=lambda: SEEDS)

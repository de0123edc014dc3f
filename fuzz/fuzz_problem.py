"""Fuzz the loader and the engine: arbitrary bytes and mutated problem files.

The promise under test: `parse_problem` returns a Problem or raises ProblemError, and
`solve` returns a trace or raises NumericalError (a ProblemError) -- any other exception is
a bug. Runs under atheris (coverage-guided libFuzzer) when it is installed, otherwise under
hypothesis at scale. Usage:

    python fuzz/fuzz_problem.py -max_total_time=180      # atheris: prints "Done N runs"
    python fuzz/fuzz_problem.py --hypothesis 20000        # fallback: prints the count

Solving is skipped for runs larger than SOLVE_LIMIT weight updates (the limits themselves
are tested in tests/test_limits.py), so that one big but valid file is not taken for a hang.
"""

from __future__ import annotations

import sys
from pathlib import Path

SOLVE_LIMIT = 20_000  # steps x weights solved per input
SEEDS = [path.read_bytes() for path in sorted(
    (Path(__file__).resolve().parent.parent / "problems").glob("*.yaml"))]


def check_one(data: bytes, parse_problem, solve, arithmetics, ProblemError) -> None:
    """One input: bytes as they are, or a seed file with the bytes spliced in."""
    if data[:1] == b"\x00" and len(data) > 2 and SEEDS:  # structured: mutate a seed file
        seed = SEEDS[data[1] % len(SEEDS)]
        at = int.from_bytes(data[2:4] or b"\0", "little") % (len(seed) + 1)
        cut = data[4] % 16 if len(data) > 4 else 0
        data = seed[:at] + data[5:] + seed[at + cut:]
    text = data.decode("utf-8", errors="replace")
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


def run_atheris(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["bpcalc", "yaml"]):
        parts = _imports()

    def target(data: bytes) -> None:
        check_one(data, *parts)

    atheris.Setup(argv, target)
    atheris.Fuzz()


def run_hypothesis(count: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    parts = _imports()
    tried = 0

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=400),
                     st.binary(min_size=5, max_size=60).map(lambda b: b"\x00" + b)))
    def target(data: bytes) -> None:
        nonlocal tried
        tried += 1
        check_one(data, *parts)

    target()
    print(f"hypothesis: {tried} inputs tried, no failure")


if __name__ == "__main__":
    if "--hypothesis" in sys.argv:
        run_hypothesis(int(sys.argv[sys.argv.index("--hypothesis") + 1]))
    else:
        try:
            import atheris  # noqa: F401
        except ImportError:
            run_hypothesis(20_000)
        else:
            run_atheris(sys.argv)

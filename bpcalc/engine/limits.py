"""How much work a run is, and how much a run may do: limits sized by measurement, so that
every run they allow finishes within about a minute on a 2-core machine, in bounded memory.

Two measures, each with its own message saying how to make the run smaller:

- computation, steps x weights: every run does it (`train` refuses a run over the limit
  before its first step). A weight update costs very different times in each engine, so
  each has its limit: 0.2 to 0.4 us in the float engine (`bpcalc.engine.fastfloat`), 1 to
  4 us in the generic engine (float runs with slips, for `check`), 100 us hand-rounded
  (exact decimals), milliseconds exact (SymPy); numpy's (`bpcalc.engine.vectorised`) cost
  is mostly per step (some 70 us, as much as 15,000 of its 4.5 ns weight updates), so its
  steps count as 15,000 weight updates more.
- output, steps x (nodes + weights): the values of the steps recorded and written (JSON,
  tables, answer keys). A summary or a plot records none, so it is never refused for
  output; the commands that write steps check it (`check_output`), each with the limit of
  how it writes: about 8 us a value as streamed JSON, 0.6 to 1.5 ms in an answer key
  (HTML draws pictures too), 2 ms in rich tables.

Measured in CPU time on the README's machine (2-core AMD EPYC), busy with other work; the
figures are in the README ("Robustness") and benchmarks/memory.py.
"""

from __future__ import annotations

from bpcalc.errors import ProblemError
from bpcalc.problem.model import Problem

# weight updates (steps x weights; numpy: steps x (weights + NUMPY_STEP)), per engine
COMPUTATION_LIMITS = {
    "fastfloat": 200_000_000,
    "float": 15_000_000,
    "numpy": 13_000_000_000,
    "rounded": 500_000,
    "exact": 2_000,
}
NUMPY_STEP = 15_000  # a numpy step's own cost, in its weight updates
# steps x (nodes + weights) written: streamed JSON, terminal tables, answer keys (documents)
OUTPUT_LIMITS = {
    "json": 7_500_000,
    "tables": 25_000,
    "document": 40_000,
}
_ENGINE_WORDS = {
    "fastfloat": "float runs", "float": "float runs with slips (check)",
    "numpy": "float runs of large networks (numpy)",
    "rounded": "hand-rounded runs", "exact": "exact values",
}


def computation(problem: Problem, engine: str = "float") -> int:
    """Weight updates: steps x weights (numpy: each step counts NUMPY_STEP more)."""
    weights = len(problem.weights) + (NUMPY_STEP if engine == "numpy" else 0)
    return problem.step_count * weights


def output_size(problem: Problem, steps: int) -> int:
    """Values written for `steps` recorded steps: steps x (nodes + weights)."""
    return steps * (problem.network.node_count + len(problem.weights))


def check_computation(problem: Problem, engine: str) -> None:
    """Refuse a run the `engine` (a key of COMPUTATION_LIMITS) cannot finish in time."""
    limit = COMPUTATION_LIMITS[engine]
    work = computation(problem, engine)
    if work <= limit:
        return
    steps, weights = problem.step_count, len(problem.weights)
    if engine == "exact":
        raise ProblemError(
            f"{steps:,} step(s) of {weights:,} weights is too much for exact values (at most "
            f"{limit:,} weight updates, steps x weights): use --round N for hand-rounded "
            "exact decimals, or leave out --exact", key="--exact")
    advice = "use fewer epochs or a smaller network"
    if engine == "rounded":
        advice += ", or leave out round/sigfigs (float runs may do more)"
    measure = "steps x weights"
    if engine == "numpy":
        measure = f"steps x (weights + {NUMPY_STEP:,} for the step itself)"
    key, line = problem.origin("epochs")
    raise ProblemError(
        f"{steps:,} steps of {weights:,} weights is {work:,} weight updates ({measure}), "
        f"more than the {limit:,} allowed for {_ENGINE_WORDS[engine]}: {advice}",
        key=key, line=line)


def check_output(problem: Problem, steps: int, written: str, advice: str) -> None:
    """Refuse writing `steps` recorded steps as `written` (a key of OUTPUT_LIMITS) when
    they are too many values; `advice` says how to write fewer."""
    limit = OUTPUT_LIMITS[written]
    size = output_size(problem, steps)
    if size <= limit:
        return
    key, line = problem.origin("epochs")
    network = problem.network
    raise ProblemError(
        f"{steps:,} steps of {network.node_count:,} nodes and {len(problem.weights):,} "
        f"weights is {size:,} values to write (steps x (nodes + weights)), more than the "
        f"{limit:,} allowed for {written}: {advice}", key=key, line=line)

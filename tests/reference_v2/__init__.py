"""An independent reference for the problem contract (shared/problem-format.md, 1, 3 and 4).

Written from the contract's text alone, never from bpcalc's code, so that the engine is
checked against a second reading of the same page. `solve(spec)` takes a problem as loaded
from YAML and returns the contract's JSON as a dict. Arithmetic is float; with `round` or
`sigfigs` (scalar or per-quantity mapping) every value is a Fraction, each named quantity is
rounded from its true value with halves away from zero, and exp, tanh and ln are evaluated
to 60 digits first (quantities not named are carried to 60 significant figures).
"""

from .arithmetic import (
    QUANTITIES,
    Arithmetic,
    ProblemError,
    round_places,
    round_sigfigs,
    rounding_of,
)
from .problem import Problem, numbering, weight_keys
from .training import solve

__all__ = ["QUANTITIES", "Arithmetic", "Problem", "ProblemError", "numbering", "round_places",
           "round_sigfigs", "rounding_of", "solve", "weight_keys"]

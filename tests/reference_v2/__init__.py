"""An independent reference for the problem contract (shared/problem-format.md, 1, 3 and 4).

Written from the contract's text alone, never from bpcalc's code, so that the engine is
checked against a second reading of the same page. `solve(spec)` takes a problem as loaded
from YAML and returns the contract's JSON as a dict. Arithmetic is float; with `round` or
`sigfigs` (scalar or per-quantity mapping) every value is a Fraction, each named quantity is
rounded from its true value with halves away from zero, and exp, tanh and ln are evaluated
to 60 digits first (quantities not named are carried to 60 significant figures).

Where the page leaves room, this is how it is read:
- batch with hand rounding: a group's change is rounded once, as a whole, from
  -rate * (the group's summed gradient) + momentum; the steps' own changes are not
  rounded one by one (section 4: "the change is rounded once"; bpcalc's version-1 engine
  and tests/test_contract.py round each step's change before summing);
- a non-softmax node's delta uses its slope as carried, rounded if `slope` is named
  ("f'(net) as used in its delta"); the closed forms (softmax with cross_entropy, sigmoid
  with binary_cross_entropy) use no slope at all;
- train_bias: false: the new bias weight is the old one, not re-rounded to `weight` digits;
- gradient and momentum are never rounded; an epoch's error is the plain sum of its steps'
  rounded errors; a pattern is a mistake when any output differs from its target.
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

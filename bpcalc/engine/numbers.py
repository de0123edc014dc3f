"""Which number system a run computes in: the one place that knows all three.

`arithmetic.py` (float, hand-rounded) and `exact.py` (SymPy, which builds on `Arithmetic`)
import nothing of each other's choosing; this module sits above both, so there is no import
cycle between them, and SymPy is still imported only when a run is exact.
"""

from __future__ import annotations

from bpcalc.engine.arithmetic import Arithmetic, RoundedArithmetic
from bpcalc.problem.model import Rounding


def make_arithmetic(rounding: Rounding | None, exact: bool) -> Arithmetic:
    """The arithmetic for a run: exact SymPy (imported only here), rounded, or float."""
    if exact and rounding is None:
        from bpcalc.engine.exact import ExactArithmetic

        return ExactArithmetic()
    if rounding is not None:
        return RoundedArithmetic(rounding)
    return Arithmetic()

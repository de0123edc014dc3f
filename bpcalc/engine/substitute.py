"""Solving with some values given: the engine carries a student's own values in place of
the ones it computes, so that every later value is re-solved from them (error carried
forward, bpcalc/grading/carried.py). One engine for both: the hook is `settle`, which
every computed value passes through before it is used.
"""

from __future__ import annotations

from bpcalc.engine.arithmetic import Arithmetic, SettleKind

# Which value of which step: (step from 1, kind as `settle` names it, node, source node);
# a weight's change and new value are named by the weight's target `node` and `source`.
SettleKey = tuple[int, SettleKind, int, int | None]


class Substituting:
    """An arithmetic that computes as `inner` does, but carries the value `given` names in
    place of the computed one, and keeps each computed value (before substitution) in
    `computed`: what the value should have been, from the given values before it.

    Every other attribute is the inner arithmetic's (its number type, its functions);
    solve with `generic=True`, since only the generic engine settles.
    """

    settles = True
    settles_slope = True  # a student may give f'(net) too

    def __init__(self, inner: Arithmetic, given: dict[SettleKey, object]):
        self.inner = inner
        self.given = given
        self.computed: dict[SettleKey, object] = {}

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def settle(self, value, kind: SettleKind, step: int, node: int,
               source: int | None = None):
        if self.inner.settles and (kind != "slope" or self.inner.settles_slope):
            value = self.inner.settle(value, kind, step, node, source)
        key = (step, kind, node, source)
        self.computed[key] = value
        return self.given.get(key, value)

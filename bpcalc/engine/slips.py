"""The deliberate hand-calculation mistakes the engine can make, so that `bpcalc check`
reproduces a student's wrong answer by solving with them (bpcalc/grading/mistakes.py)."""

from __future__ import annotations

from typing import NamedTuple


class Slips(NamedTuple):
    """Deliberate hand-calculation mistakes, so `bpcalc check` can reproduce a wrong answer.

    The other usual mistakes (sign, factor 2, bias, learning rate, early rounding) are
    changes to the problem itself and need no switch here.
    """

    new_weights_in_hidden_delta: bool = False  # w_jk after its update in sum_k delta_k w_jk
    no_slope: bool = False  # f'(net) left out of every delta
    net_in_update: bool = False  # net_i instead of the activation z_i in the weight change
    softmax_diagonal: bool = False  # softmax's derivative taken as z_k (1 - z_k) alone
    extra_slope: bool = False  # f'(net) multiplied into a closed form that cancelled it
    momentum_rate_term_only: bool = False  # alpha x the previous learning-rate term, not
    # the previous change (its momentum left out): the momentum of the wrong update
    batch_averaged: bool = False  # a group's summed changes divided by its size


CORRECT = Slips()

"""The deliberate hand-calculation mistakes the engine can make, so that `bpcalc check`
reproduces a student's wrong answer by solving with them (bpcalc/grading/mistakes.py)."""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from bpcalc.problem.model import Activation


class Slips(NamedTuple):
    """Deliberate hand-calculation mistakes, so `bpcalc check` can reproduce a wrong answer.

    The other usual mistakes (sign, factor 2, bias, learning rate, early rounding, the
    other convention) are changes to the problem itself and need no switch here.
    """

    new_weights_in_hidden_delta: bool = False  # w_jk after its update in sum_k delta_k w_jk
    no_slope: bool = False  # f'(net) left out of every delta
    net_in_update: bool = False  # net_i instead of the activation z_i in the weight change
    softmax_diagonal: bool = False  # softmax's derivative taken as z_k (1 - z_k) alone
    extra_slope: bool = False  # f'(net) multiplied into a closed form that cancelled it
    momentum_rate_term_only: bool = False  # alpha x the previous learning-rate term, not
    # the previous change (its momentum left out): the momentum of the wrong update
    batch_averaged: bool = False  # a group's summed changes divided by its size
    net_fed_forward: bool = False  # a layer's net from the nets below, not their z
    slope_from_net: bool = False  # sigmoid's f' as beta net (1 - net), not beta z (1 - z)
    hidden_slope_from_net: bool = False  # the same in the hidden deltas only
    tanh_slope_unsquared: bool = False  # tanh's f' as 1 - z, not 1 - z^2
    no_output_slope: bool = False  # f'(net) left out of the output deltas only
    transposed_hidden_sum: bool = False  # sum_k delta_k w_jk read along the weight
    # matrix's other index: delta_j of the j-th node from the weights into the j-th node
    # above (square layers only; elsewhere the sum is right)
    initial_weights_each_step: bool = False  # every step starts from the initial weights
    other_delta: tuple[int, int, int, int] | None = None  # (step, i, j, o): that step's
    # change of w_ij made with delta_o, another node's delta, instead of delta_j

    @property
    def output_slope_left_out(self) -> bool:
        """Whether f'(net) is left out of the output deltas (of every delta, or of these)."""
        return self.no_slope or self.no_output_slope

    def delta_for(self, step: int, source: int, node: int) -> int:
        """The node whose delta the change of w_(source, node) takes at `step`."""
        other = self.other_delta
        if other is not None and other[:3] == (step, source, node):
            return other[3]
        return node


CORRECT = Slips()


def slipped_slope(slips: Slips, arithmetic, activation: Activation, net, out,
                  hidden: bool = False):
    """f'(net) as a slip computes it (sigmoid's from net, tanh's unsquared), or None where
    no slip touches this activation's slope (of a hidden node, if `hidden`)."""
    from_net = slips.slope_from_net or (hidden and slips.hidden_slope_from_net)
    if from_net and activation.name == "sigmoid":
        return arithmetic.number(activation.beta) * net * (arithmetic.number(Fraction(1)) - net)
    if slips.tanh_slope_unsquared and activation.name == "tanh":
        return arithmetic.number(Fraction(1)) - out
    return None

"""Every loss, each defined once: its scale, its output delta's factor and how it is written.

The problem format's losses are squared errors, E = scale · Σ_k (t_k - z_k)² over the K
output nodes, so an entry is its scale (½, 1 or 1/K), the texts that write it, and the
usual mistake made with it; the output delta δ_k = factor · (t_k - z_k) · f'(net_k) takes
factor = 2 · scale (d/dz of the square). `output_delta` is the one place that says how an
output delta is formed: the perceptron rule (an activation without a derivative) takes
δ = (t - z) whatever the loss, and a loss may list closed forms for given output
activations, where f' cancels against dE/dz (`cancelled`: the next issue's
binary_cross_entropy with sigmoid is δ = β (t - z)). A new loss is one `register` below,
plus its tests. Imports only `bpcalc.problem.activations`.

A loss that is not a squared error (cross_entropy, binary_cross_entropy) gives E's term
per output node and dE/dz_k, written against the arithmetic `m` (its `log` refuses a value
<= 0); a term whose coefficient is 0 contributes 0 and takes no log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from bpcalc.problem.activations import Activation, ActivationSpec


class Slip(NamedTuple):
    """The factor-2 mistake made with a loss: the loss the student computed instead."""

    id: str  # the mistake's id in `bpcalc.grading.diagnosis`
    instead: str  # the loss the student's numbers follow
    description: str  # with {residual} and {net}: the convention's symbols


class OutputDelta(NamedTuple):
    """How δ_k is formed (in the slides' sign, δ = -dE/dnet), by `form`:
    "residual": factor · (t_k - z_k), times f'(net_k) when `slope`;
    "chain": -dE/dz_k · f'(net_k), from the loss's `derivative`;
    "jacobian": -Σ_j dE/dz_j z_j (1[j = k] - z_k), through a layer-wide activation;
    "softmax_cross_entropy": t_k - z_k Σ_j t_j, the Jacobian sum in its cancelled form."""

    factor: Fraction
    slope: bool
    form: str = "residual"


class LossSpec(NamedTuple):
    name: str
    scale: Callable[[int], Fraction]  # K output nodes -> the scale of Σ_k (t_k - z_k)²
    scale_text: str  # the scale as the loss formula writes it: "½", "", "(1/K)"
    factor_text: str  # 2 · scale as the output delta's rule writes it: "", "2", "(2/K)"
    per_output: bool = False  # the scale divides by K (explain says what K is)
    slip: Slip | None = None
    cancelled: Mapping[str, Callable[[Activation], Fraction]] = MappingProxyType({})
    # output activation name -> c: there δ_k = c · (t_k - z_k), without f' (it cancels)
    term: Callable | None = None  # (m, t, z) -> one output's share of E; None: a square
    derivative: Callable | None = None  # (m, t, z) -> dE/dz_k; None: -2 scale (t - z)
    formula: str = ""  # E as the statement writes it, for a loss that is not a square
    gradient_text: str = ""  # dE/dz_k as a rule writes it (t_k, z_k), for the same losses

    @property
    def squared(self) -> bool:
        """E = scale · Σ (t - z)²: the version-1 losses."""
        return self.term is None

    def delta_factor(self, outputs: int) -> Fraction:
        """dE/dz over -(t - z): the factor 2 of the square, times the scale."""
        return 2 * self.scale(outputs)

    def dE_dz(self, m, target, out, outputs: int):
        """dE/dz_k of one output node, in the arithmetic `m`."""
        if self.derivative is None:
            return m.number(-self.delta_factor(outputs)) * (target - out)
        return self.derivative(m, target, out)


REGISTRY: dict[str, LossSpec] = {}
DEFAULT = "half_sse"  # the loss of a problem file that names none


def register(spec: LossSpec) -> LossSpec:
    REGISTRY[spec.name] = spec
    return spec


def loss_spec(name: str) -> LossSpec:
    return REGISTRY[name]


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def output_delta(loss: LossSpec, spec: ActivationSpec, act: Activation,
                 outputs: int) -> OutputDelta:
    """How the output delta is formed for this loss and output activation."""
    if spec.perceptron:
        return OutputDelta(Fraction(1), False)
    closed = loss.cancelled.get(spec.name)
    if closed is not None:
        if spec.layer_wide:
            return OutputDelta(Fraction(1), False, "softmax_cross_entropy")
        return OutputDelta(closed(act), False)
    factor = loss.delta_factor(outputs) if loss.squared else Fraction(1)
    if spec.layer_wide:
        return OutputDelta(factor, False, "jacobian")
    return OutputDelta(factor, True, "residual" if loss.squared else "chain")


# -- the losses --------------------------------------------------------------------------

register(LossSpec(
    name="half_sse",
    scale=lambda outputs: Fraction(1, 2),
    scale_text="½",
    factor_text="",
    slip=Slip("factor_two_added", "sse", "the factor 2 of squared error added: "
              "δ = 2 {residual} f'({net}) (and E without the ½)"),
))

register(LossSpec(
    name="sse",
    scale=lambda outputs: Fraction(1),
    scale_text="",
    factor_text="2",
    slip=Slip("factor_two_dropped", "half_sse", "the factor 2 left out: "
              "δ = {residual} f'({net}) (and E with a ½)"),
))

register(LossSpec(
    name="mse",
    scale=lambda outputs: Fraction(1, outputs),
    scale_text="(1/K)",
    factor_text="(2/K)",
    per_output=True,
    slip=Slip("factor_two_dropped", "half_sse", "the factor 2/K of the mean squared error "
              "left out: δ = {residual} f'({net}) (and E with a ½)"),
))


def _cross_entropy_term(m, t, z):
    """-t ln z; nothing (and no log) where t = 0."""
    return m.number(Fraction(0)) if t == 0 else -(t * m.log(z))


def _binary_term(m, t, z):
    """-[t ln z + (1 - t) ln(1 - z)], each part only where its coefficient is not 0."""
    total = m.number(Fraction(0))
    if t != 0:
        total = total - t * m.log(z)
    if 1 - t != 0:
        total = total - (1 - t) * m.log(1 - z)
    return total


def _binary_derivative(m, t, z):
    """d/dz of the binary term: -t/z + (1 - t)/(1 - z), each part where it exists."""
    total = m.number(Fraction(0))
    if t != 0:
        total = total - m.divide(t, z)
    if 1 - t != 0:
        total = total + m.divide(1 - t, 1 - z)
    return total


register(LossSpec(
    name="cross_entropy",
    scale=lambda outputs: Fraction(1),
    scale_text="",
    factor_text="",
    term=_cross_entropy_term,
    derivative=lambda m, t, z: m.number(Fraction(0)) if t == 0 else -m.divide(t, z),
    formula="-Σ_k t_k ln z_k",
    gradient_text="-t_k/z_k",
    cancelled={"softmax": lambda act: Fraction(1)},
))

register(LossSpec(
    name="binary_cross_entropy",
    scale=lambda outputs: Fraction(1),
    scale_text="",
    factor_text="",
    term=_binary_term,
    derivative=_binary_derivative,
    formula="-Σ_k [t_k ln z_k + (1 - t_k) ln(1 - z_k)]",
    gradient_text="(1 - t_k)/(1 - z_k) - t_k/z_k",
    cancelled={"sigmoid": lambda act: act.beta},
))

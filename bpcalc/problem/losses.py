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

Extension point, a loss that is not a squared error (the next issue's cross_entropy): its
entry would add E itself and dE/dz, which the engines then ask for instead of `scale`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from bpcalc.problem.activations import Activation, ActivationSpec


@dataclass(frozen=True)
class Slip:
    """The factor-2 mistake made with a loss: the loss the student computed instead."""

    id: str  # the mistake's id in `bpcalc.grading.diagnosis`
    instead: str  # the loss the student's numbers follow
    description: str  # with {residual} and {net}: the convention's symbols


class OutputDelta(NamedTuple):
    """δ_k = factor · (t_k - z_k), times f'(net_k) when `slope` (in the slides' sign)."""

    factor: Fraction
    slope: bool


@dataclass(frozen=True)
class LossSpec:
    name: str
    scale: Callable[[int], Fraction]  # K output nodes -> the scale of Σ_k (t_k - z_k)²
    scale_text: str  # the scale as the loss formula writes it: "½", "", "(1/K)"
    factor_text: str  # 2 · scale as the output delta's rule writes it: "", "2", "(2/K)"
    per_output: bool = False  # the scale divides by K (explain says what K is)
    slip: Slip | None = None
    cancelled: Mapping[str, Callable[[Activation], Fraction]] = field(default_factory=dict)
    # output activation name -> c: there δ_k = c · (t_k - z_k), without f' (it cancels)

    def delta_factor(self, outputs: int) -> Fraction:
        """dE/dz over -(t - z): the factor 2 of the square, times the scale."""
        return 2 * self.scale(outputs)


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
        return OutputDelta(closed(act), False)
    return OutputDelta(loss.delta_factor(outputs), True)


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

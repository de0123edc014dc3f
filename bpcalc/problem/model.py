"""The problem as the solver sees it: a validated, immutable description of one exercise.

Every number is a `Fraction`, exactly as the user wrote it (0.9 is 9/10), so that each
arithmetic back end (floats, hand-rounded decimals, exact SymPy) starts from the same
values. Node numbering follows the slides: layer by layer from the inputs, each non-output
layer followed by its bias node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Literal, NamedTuple

from bpcalc.problem import activations, losses

CONVENTIONS = ("slides", "textbook")
UPDATES = ("sequential", "batch")
NOTATIONS = ("slides", "textbook", "paper", "notes")  # symbol sets, see bpcalc.render.names

WeightKey = tuple[int, int]  # (from node id, to node id)


class Activation(NamedTuple):
    """The activation of one non-input layer, with its own parameters: one field per
    parameter of the activation entries (`bpcalc.problem.activations`)."""

    name: str
    beta: Fraction = Fraction(1)  # sigmoid slope
    threshold: Fraction = Fraction(0)  # step threshold
    leak: Fraction = Fraction(1, 100)  # leaky_relu's slope for net <= 0


RoundingKind = Literal["places", "sigfigs"]


# The quantities a rounding (or a display) may name, as the contract spells them.
QUANTITIES = ("net", "out", "slope", "delta", "error", "change", "weight")


class Rounding(NamedTuple):
    """Hand-calculation rounding: `places` decimals or `sigfigs` significant figures, of
    every computed quantity but the slope (the scalar `round: 4`)."""

    kind: RoundingKind
    digits: int

    def of(self, quantity: str) -> Rounding | None:
        """How `quantity` (one of QUANTITIES) is rounded: as every other, slope excepted."""
        return None if quantity == "slope" else self


class QuantityRounding(NamedTuple):
    """Rounding per quantity (`round: {out: 3, weight: 4}, sigfigs: {delta: 3}`): a quantity
    not named is carried unrounded."""

    by: tuple[tuple[str, Rounding], ...]  # (quantity, rounding), in QUANTITIES order

    def of(self, quantity: str) -> Rounding | None:
        return dict(self.by).get(quantity)


class Until(NamedTuple):
    """When training stops before `epochs`: once an epoch's error is at most `error`, or
    (`no_mistakes`) once an epoch makes no mistake."""

    error: Fraction | None = None
    no_mistakes: bool = False


class Pattern(NamedTuple):
    input: tuple[Fraction, ...]
    target: tuple[Fraction, ...]


class Layer(NamedTuple):
    """One layer of nodes; `bias_id` is the bias node that follows it (None if none)."""

    index: int
    node_ids: tuple[int, ...]
    bias_id: int | None

    def feeding_ids(self) -> tuple[int, ...]:
        """The nodes whose outputs feed the next layer: this layer's, then its bias."""
        return self.node_ids + ((self.bias_id,) if self.bias_id is not None else ())


@dataclass(frozen=True)
class Network:
    """Topology only: which nodes exist and which weights connect them."""

    sizes: tuple[int, ...]
    has_bias: bool
    layers: tuple[Layer, ...] = field(init=False)

    def __post_init__(self) -> None:
        layers = []
        next_id = 1
        last = len(self.sizes) - 1
        for index, size in enumerate(self.sizes):
            ids = tuple(range(next_id, next_id + size))
            next_id += size
            bias_id = None
            if self.has_bias and index < last:
                bias_id = next_id
                next_id += 1
            layers.append(Layer(index, ids, bias_id))
        object.__setattr__(self, "layers", tuple(layers))

    @property
    def output_layer(self) -> Layer:
        return self.layers[-1]

    def weight_keys(self) -> list[WeightKey]:
        """Every weight, in the order of the contract's matrices: layer, row, column."""
        keys = []
        for prev, layer in pairwise(self.layers):
            for to_id in layer.node_ids:
                for from_id in prev.feeding_ids():
                    keys.append((from_id, to_id))
        return keys

    def node_kind(self, node_id: int) -> str:
        for layer in self.layers:
            if node_id == layer.bias_id:
                return "bias"
            if node_id in layer.node_ids:
                if layer.index == 0:
                    return "input"
                return "output" if layer is self.layers[-1] else "hidden"
        raise KeyError(node_id)

    def layer_of(self, node_id: int) -> int:
        for layer in self.layers:
            if node_id in layer.node_ids or node_id == layer.bias_id:
                return layer.index
        raise KeyError(node_id)

    @property
    def node_count(self) -> int:
        return sum(len(layer.feeding_ids()) for layer in self.layers)


def weight_name(key: WeightKey) -> str:
    """`w47` where both ids are single digits, else `w4_17`: the contract's names."""
    i, j = key
    return f"w{i}{j}" if i < 10 and j < 10 else f"w{i}_{j}"


@dataclass(frozen=True)
class Problem:
    """A complete, validated exercise.

    Built by `bpcalc.problem.loader`, solved by `bpcalc.engine.backprop`.
    """

    network: Network
    activations: tuple[Activation, ...]  # one per non-input layer
    bias: Fraction | None  # value of every bias node, or None for no bias nodes
    weights: dict[WeightKey, Fraction]
    patterns: tuple[Pattern, ...]
    learning_rate: Fraction
    epochs: int = 1
    update: str = "sequential"
    loss: str = losses.DEFAULT
    convention: str = "slides"
    rounding: Rounding | QuantityRounding | None = None
    title: str = ""
    # Version 2 (problem-format.md section 4): each default is the version-1 behaviour.
    momentum: Fraction = Fraction(0)  # alpha: change(n) = learning-rate term + alpha change(n-1)
    batch_size: int | None = None  # with batch: patterns per weight update (None: all)
    train_bias: bool = True  # False: bias weights keep their initial values
    display: QuantityRounding | None = None  # digits shown per quantity; never computed with
    until: Until | None = None  # stop early (then epochs is the most epochs run)
    epoch_limit: int | None = None  # the file's epochs, where `epochs` was set to the epoch
    # `until` stops at (engine.stopping.with_epochs_run); shown, never computed with
    notation: str | None = None  # symbols to print (slides, textbook, paper, notes); None:
    # the convention's own. Display only: the solver never reads it.
    # Where a setting came from, for errors found after loading (the work limits): name ->
    # (key, YAML line), e.g. "epochs" -> ("epochs", 12), or ("--epochs", None) when the
    # command line set it.
    origins: dict[str, tuple[str, int | None]] = field(default_factory=dict, compare=False,
                                                      repr=False)

    def activation_of_layer(self, layer_index: int) -> Activation:
        return self.activations[layer_index - 1]

    @property
    def loss_scale(self) -> Fraction:
        """E = loss_scale * sum_k (t_k - z_k)^2: 1/2 (half_sse), 1 (sse) or 1/K (mse)."""
        return losses.loss_spec(self.loss).scale(len(self.network.output_layer.node_ids))

    @property
    def output_delta(self) -> losses.OutputDelta:
        """How the output delta is formed: factor (t - z), times f'(net) unless the
        perceptron rule (or a loss's closed form) leaves it out."""
        out = self.activations[-1]
        return losses.output_delta(losses.loss_spec(self.loss),
                                   activations.activation_spec(out.name), out,
                                   len(self.network.output_layer.node_ids))

    @property
    def perceptron(self) -> bool:
        """Trained by the perceptron rule: the output activation (step) has no derivative."""
        return activations.activation_spec(self.activations[-1].name).perceptron

    @property
    def step_count(self) -> int:
        """The most steps the run takes (`until` may stop it sooner)."""
        return self.epochs * len(self.patterns)

    @property
    def group_size(self) -> int:
        """Patterns per weight update: 1 (sequential), batch_size, or every pattern."""
        if self.update == "sequential":
            return 1
        return min(self.batch_size or len(self.patterns), len(self.patterns))

    @property
    def version_two(self) -> bool:
        """Whether the run uses a training addition of version 2 that only the generic
        engine computes (momentum, mini-batches, frozen biases, a layer-wide activation, a
        loss that is not a squared error, rounding per quantity, stopping early)."""
        layer_wide = any(activations.activation_spec(act.name).layer_wide
                         for act in self.activations)
        mini_batch = self.update == "batch" and self.group_size != len(self.patterns)
        return (self.momentum != 0 or mini_batch
                or not self.train_bias or layer_wide or self.until is not None
                or not losses.loss_spec(self.loss).squared
                or isinstance(self.rounding, QuantityRounding))

    def origin(self, name: str) -> tuple[str, int | None]:
        """The key (and line) to name when `name`'s value is at fault."""
        return self.origins.get(name, (name, None))

"""The commented starter problem of `bpcalc new`: every key, each with what it means.

The text is valid as it stands (the command checks it with the loader), so a student can
solve it at once and then edit the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bpcalc.problem import activations, losses
from bpcalc.problem.model import Network
from bpcalc.problemset.yamltext import matrices_yaml, number_text

_COLUMN = 30  # where the comments start


@dataclass(frozen=True)
class Training:
    """Version 2's training keys (problem-format.md section 4), each as `bpcalc new` took
    it; the defaults are version 1's training."""

    momentum: Fraction = Fraction(0)
    batch_size: int | None = None  # given: update batch, weights change every N patterns
    train_bias: bool = True
    until_error: Fraction | None = None  # stop once an epoch's error is at most this
    leak: Fraction | None = None  # leaky_relu's slope for net <= 0 (None: its default)


def starter_text(sizes: tuple[int, ...], *,
                 activation: str | tuple[str, ...] = activations.DEFAULT,
                 convention: str = "slides", bias: Fraction | None = Fraction(1),
                 loss: str = losses.DEFAULT, learning_rate: Fraction = Fraction(1, 2),
                 weight: Fraction = Fraction(1, 2), patterns: int = 1,
                 training: Training = Training(), command: str = "bpcalc new") -> str:
    network = Network(sizes, bias is not None)
    shape = "-".join(str(s) for s in sizes)
    lines = [
        f"# A backpropagation problem for bpcalc, made by `{command}`.",
        "# Edit the numbers, then: bpcalc solve THIS_FILE",
        f"# Nodes are numbered from 1, layer by layer: {_numbering(network)}.",
        "# Weight w<i><j> (w<i>_<j> when an id has two digits) goes from node i to node j.",
    ]

    def key(text: str, comment: str) -> None:
        lines.append(f"{text:<{_COLUMN - 1}} # {comment}")

    key(f'title: "{shape} network"', "free text, shown at the top of the solution")
    key(f"layers: [{', '.join(str(s) for s in sizes)}]",
        "node counts: inputs, hidden layer(s), outputs")
    names = activation if isinstance(activation, tuple) else (activation,)
    if not isinstance(activation, str):  # one per non-input layer
        activation = f"[{', '.join(activation)}]"
    key(f"activation: {activation}", "sigmoid, tanh, relu, leaky_relu, linear, step")
    key("", "(perceptron) or softmax (outputs only); or a list,")
    key("", "one per non-input layer")
    key("beta: 1", "sigmoid slope: f(net) = 1/(1 + e^(-beta*net))")
    leak = training.leak if training.leak is not None else Fraction(1, 100)
    key(f"leak: {number_text(leak)}", "leaky_relu only: f = net if net > 0, else leak*net")
    key(f"bias: {'none' if bias is None else number_text(bias)}",
        "the bias input's value: 1, -1 (the textbook's) or none")
    key("threshold: 0", "step only: z = 1 if net >= threshold, else 0")
    key("weights:", "initial weights, one matrix per non-input layer: a row per node,")
    key("", "its columns the previous layer's nodes, then its bias")
    lines.append(matrices_yaml(network, lambda _key: number_text(weight), _COLUMN).lstrip("\n"))
    one_hot = activations.activation_spec(names[-1]).layer_wide
    inputs, targets = _patterns(sizes, patterns, one_hot)
    if patterns == 1:
        key(f"pattern: {inputs[0]}", "the input pattern, one value per input node")
        key(f"target: {targets[0]}", "the output wanted, one value per output node")
    else:
        key("patterns:", "training patterns in the order presented: input and target")
        for given, wanted in zip(inputs, targets, strict=True):
            lines.append(f"  - {{input: {given}, target: {wanted}}}")
    key(f"learning_rate: {number_text(learning_rate)}",
        "C in the slides, eta in the textbook")
    _training_keys(key, training)
    _rule_keys(key, loss, convention)
    return "\n".join(lines) + "\n"


def _rule_keys(key, loss: str, convention: str) -> None:
    """The loss, the convention, the notation and the rounding, each with its comment."""
    key(f"loss: {loss}", "half_sse: E = 1/2 sum (t - z)^2; sse: sum (t - z)^2;")
    key("", "mse: sum (t - z)^2 / number of outputs; cross_entropy:")
    key("", "-sum t ln z; binary_cross_entropy: -sum t ln z +")
    key("", "(1 - t) ln(1 - z)")
    key(f"convention: {convention}", "slides: delta = (t - z) f'(net), w += C delta z;")
    key("", "textbook: delta = (y - t) f'(h), w -= eta delta a")
    key("# notation: notes", "names printed: slides, textbook, paper or notes;")
    key("", "without it, the convention's own")
    key("round: none", "none, or N: round each computed value to N places, as by hand;")
    key("", "or per quantity: {out: 3, weight: 4}")
    key("sigfigs: none", "none, or N significant figures (instead of round)")
    key("display: none", "digits shown, never computed with: {round: {out: 3}}")


def _training_keys(key, training: Training) -> None:
    """epochs, update and version 2's training keys, each with its comment."""
    until = training.until_error
    if until is None:
        key("epochs: 1", "full passes over the patterns")
    else:
        key("epochs: 100", "the most full passes over the patterns (with until)")
    if training.batch_size is None:
        key("update: sequential", "sequential (after every pattern) or batch (once per epoch)")
        key("batch_size: none", "with batch: the weights change every N patterns")
    else:
        key("update: batch", "sequential (after every pattern) or batch")
        key(f"batch_size: {training.batch_size}", "the weights change every N patterns, by "
            "their summed changes")
    key(f"momentum: {number_text(training.momentum)}",
        "alpha, 0 to < 1: each change adds alpha x the previous")
    key(f"train_bias: {'true' if training.train_bias else 'false'}",
        "false: the bias weights keep their initial values")
    key("until: none" if until is None else f"until: {{error: {number_text(until)}}}",
        "{error: X}: stop after the first epoch with error <= X")


def _numbering(network: Network) -> str:
    parts = []
    for layer in network.layers:
        kind = network.node_kind(layer.node_ids[0])
        ids = layer.node_ids
        span = str(ids[0]) if len(ids) == 1 else f"{ids[0]}-{ids[-1]}"
        name = {"input": "inputs", "hidden": "hidden", "output": "output"}[kind]
        text = f"{name} {span}"
        if layer.bias_id is not None:
            text += f", bias {layer.bias_id}"
        parts.append(text)
    return "; ".join(parts)


def _patterns(sizes: tuple[int, ...], count: int, one_hot: bool = False
              ) -> tuple[list[str], list[str]]:
    """Inputs that count in binary (0 0, 0 1, 1 0, ...); a single pattern is 1 0 1 ...
    Targets are all 1 (a single pattern) or 0, or one-hot for a softmax: 1 0 0 ..."""
    inputs, targets = [], []
    for index in range(count):
        if count == 1:
            bits = [(i + 1) % 2 for i in range(sizes[0])]
        else:
            bits = [(index >> (sizes[0] - 1 - i)) & 1 for i in range(sizes[0])]
        inputs.append("[" + ", ".join(str(b) for b in bits) + "]")
        if one_hot:
            wanted = ["1" if k == index % sizes[-1] else "0" for k in range(sizes[-1])]
        else:
            wanted = ["1" if count == 1 else "0"] * sizes[-1]
        targets.append("[" + ", ".join(wanted) + "]")
    return inputs, targets

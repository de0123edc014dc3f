"""`bpcalc new`: print a commented starter problem that solves as it stands."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from bpcalc.commands.common import OutputOption, register_command, run_guarded
from bpcalc.commands.files import check_output, write_output
from bpcalc.errors import ProblemError, quoted
from bpcalc.problem import activations, losses

if TYPE_CHECKING:
    from bpcalc.problemset.starter import Training


def either(names: tuple[str, ...]) -> str:
    """`a, b or c`: the choices of an option, for its help."""
    return " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


# Version 2's training options (problem-format.md section 4).
MomentumOption = Annotated[str, typer.Option(
    metavar="ALPHA", help="Momentum alpha, 0 or more and less than 1: each change adds "
    "alpha times the previous one.")]
BatchSizeOption = Annotated[str | None, typer.Option(
    metavar="N", help="Batch updates after every N patterns (1 or more); without it, "
    "sequential updates.")]
TrainBiasOption = Annotated[bool, typer.Option(
    "--train-bias/--no-train-bias", help="Whether the bias weights are trained "
    "(--no-train-bias: they keep their initial values).")]
UntilErrorOption = Annotated[str | None, typer.Option(
    metavar="X", help="Stop after the first epoch whose error is X or less (0 or "
    "more), within 100 epochs.")]
LeakOption = Annotated[str | None, typer.Option(
    metavar="VALUE", help="leaky_relu's slope for net <= 0, 0 or more and less than 1 "
    "(default 0.01).")]


def new(
    layers: Annotated[str, typer.Option(
        metavar="SIZES", help="Node counts per layer, inputs first, outputs last: 2 or more "
        "counts of 1 or more, e.g. 2-2-1 or 3,4,2.")] = "2-2-1",
    activation: Annotated[str, typer.Option(
        metavar="NAME[,NAME...]", help=f"{either(activations.names())} (step: the "
        "perceptron, one layer only); one for every layer, or one per layer after the "
        "inputs, comma-separated: tanh,linear.")] = activations.DEFAULT,
    convention: Annotated[str, typer.Option(
        metavar="NAME", help="slides (delta = (t - z) f'(net)) or textbook "
        "(delta = (y - t) f'(h)).")] = "slides",
    bias: Annotated[str, typer.Option(
        metavar="VALUE", help="The bias input: 1, -1 (the textbook's), none, or any "
        "number.")] = "1",
    loss: Annotated[str, typer.Option(
        metavar="NAME", help=f"{either(losses.names())} (half_sse: half the sum of "
        "squared errors).")] = losses.DEFAULT,
    learning_rate: Annotated[str, typer.Option(
        metavar="RATE", help="0 or more: a decimal or a fraction like 1/4.")] = "0.5",
    weights: Annotated[str, typer.Option(
        metavar="VALUE", help="Every initial weight: a decimal or a fraction like -1/3.")]
    = "0.5",
    patterns: Annotated[int, typer.Option(
        metavar="N", help="How many training patterns: 1 to 1000.")] = 1,
    momentum: MomentumOption = "0",
    batch_size: BatchSizeOption = None,
    train_bias: TrainBiasOption = True,
    until_error: UntilErrorOption = None,
    leak: LeakOption = None,
    output: OutputOption = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --output file.")] = False,
) -> None:
    """Print a starter problem: every key with a comment saying what it means."""

    def job() -> None:
        from bpcalc.problem.model import CONVENTIONS
        from bpcalc.problemset.starter import starter_text

        sizes = _sizes(layers, _bias(bias) is not None)
        chosen = _activations(activation, len(sizes) - 1)
        _known("--convention", convention, CONVENTIONS)
        _known("--loss", loss, losses.names())
        perceptron = [name for name in ([chosen] if isinstance(chosen, str) else chosen)
                      if activations.activation_spec(name).perceptron]
        if perceptron and len(sizes) > 2:
            raise ProblemError(f"{perceptron[0]} (the perceptron rule) needs a single layer, e.g. "
                               "--layers 2-1", key="--activation")
        if not 1 <= patterns <= 1000:
            raise ProblemError("must be from 1 to 1000", key="--patterns")
        training = _training(momentum, batch_size, train_bias, until_error, leak, chosen)
        check_output(output, force=force)
        text = starter_text(
            sizes, activation=chosen, convention=convention, bias=_bias(bias),
            loss=loss, learning_rate=_number(learning_rate, "--learning-rate", 0),
            weight=_number(weights, "--weights"), patterns=patterns, training=training,
            command=f"bpcalc new --layers {'-'.join(map(str, sizes))}")
        _solves(text)
        write_output(text, output, force=force)

    run_guarded(job)


def _training(momentum: str, batch_size: str | None, train_bias: bool,
              until_error: str | None, leak: str | None, chosen) -> Training:
    """Version 2's training keys for the starter, each checked."""
    from bpcalc.problemset.starter import Training

    alpha = _number(momentum, "--momentum", 0)
    if alpha >= 1:
        raise ProblemError(f"must be less than 1, got {quoted(momentum)}", key="--momentum")
    size = None
    if batch_size is not None:
        text = batch_size.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 4
                and 1 <= int(text) <= 1000):
            raise ProblemError(f"expected a whole number of patterns from 1 to 1000, got "
                               f"{quoted(batch_size)}", key="--batch-size")
        size = int(text)
    slope = None
    if leak is not None:
        if "leaky_relu" not in ([chosen] if isinstance(chosen, str) else chosen):
            raise ProblemError("only leaky_relu takes a leak: add --activation leaky_relu",
                               key="--leak")
        slope = _number(leak, "--leak", 0)
        if slope >= 1:
            raise ProblemError(f"must be less than 1, got {quoted(leak)}", key="--leak")
    bound = None if until_error is None else _number(until_error, "--until-error", 0)
    return Training(alpha, size, train_bias, bound, slope)


def _solves(text: str) -> None:
    """The promise: the starter loads and solves as it stands (a cross-entropy's log needs
    outputs strictly between 0 and 1: tanh or linear outputs may not have them)."""
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.problem.loader import parse_problem

    try:
        problem = parse_problem(text)
        if not losses.loss_spec(problem.loss).squared:
            first = replace(problem, epochs=1, until=None)
            solve(first, make_arithmetic(None, exact=False), record=False)
    except ProblemError as error:
        key = (error.key or "layers").partition("[")[0].replace("_", "-")
        raise ProblemError(error.message, key=f"--{key.removeprefix('--')}") from None


def _activations(text: str, layers: int) -> str | tuple[str, ...]:
    """'tanh' (every layer) or 'tanh,linear' (one per layer after the inputs)."""
    names = [part.strip() for part in text.split(",")]
    for name in names:
        _known("--activation", name, activations.names())
    if len(names) == 1:
        return names[0]
    if len(names) != layers:
        raise ProblemError(f"{len(names)} activations for {layers} layer"
                           f"{'s' * (layers != 1)} after the inputs: give one name, or one "
                           "per layer", key="--activation")
    return tuple(names)


def _known(key: str, value: str, known) -> None:
    """Refuse a name that is none of the known ones, listing them."""
    if value not in known:
        raise ProblemError(f"unknown {quoted(value)} (known: {', '.join(known)})", key=key)


def _sizes(text: str, bias: bool) -> tuple[int, ...]:
    """'2-2-1', '3,4,2' or '2 2 1': one separator between counts, so '2--1' (an empty
    layer, or a minus sign) is refused rather than read as 2-1; sizes within the loader's
    node limit, checked before anything is built (2-99999999999-1 would not fit)."""
    from bpcalc.problem.loader import MAX_NODES, network_size_refusal

    parts = re.split(r"\s*[-,]\s*|\s+", text.strip())
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() and p.strip("0") for p in parts):
        raise ProblemError(f"expected node counts of 1 or more with one - or , between them, "
                           f"like 2-2-1 (inputs, hidden, outputs), got {quoted(text)}",
                           key="--layers")
    for part in parts:
        if len(part.lstrip("0")) > len(str(MAX_NODES)) or int(part) > MAX_NODES:
            shown = part if len(part) <= 12 else quoted(part, 12)
            raise ProblemError(f"{shown} nodes is more than the limit of {MAX_NODES}",
                               key="--layers")
    sizes = tuple(int(p) for p in parts)
    refusal = network_size_refusal(sizes, bias)
    if refusal:
        raise ProblemError(refusal, key="--layers")
    return sizes


def _number(text: str, key: str, minimum=None):
    from bpcalc.problem.yamlsource import number_refusal, parse_number

    value = parse_number(text.strip())
    if value is None:
        raise ProblemError(number_refusal(text.strip(), "0.5 or 1/4"), key=key)
    if minimum is not None and value < minimum:
        raise ProblemError(f"must be {minimum} or more, got {quoted(text)}", key=key)
    return value


def _bias(text: str):
    if text.strip().lower() in ("none", "no", "false", "null"):
        return None
    return _number(text, "--bias")


def register(app: typer.Typer) -> None:
    register_command(app, new, "Print a starter problem file, every key explained.",
                     "bpcalc new > problem.yaml",
                     "bpcalc new --layers 3-4-2 --activation tanh,linear",
                     "bpcalc new --layers 2-1 --activation step --patterns 4",
                     "bpcalc new --layers 2-2-2 --activation sigmoid,softmax \\",
                     "    --loss cross_entropy --momentum 0.9",
                     "bpcalc new | bpcalc solve -")

"""From a YAML problem file to a validated `Problem`, or one clear `ProblemError`.

Validation is hand-written rather than a schema library: each rule needs its own message
in the domain's words ("layer 2 has 2 nodes, so weights[0] needs 2 rows"), with the line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from fractions import Fraction
from itertools import pairwise

from bpcalc.errors import ProblemError, quoted
from bpcalc.problem import activations, losses, training
from bpcalc.problem.model import (
    CONVENTIONS,
    NOTATIONS,
    UPDATES,
    Activation,
    Network,
    Pattern,
    Problem,
    Rounding,
    WeightKey,
    weight_name,
)
from bpcalc.problem.training import MAX_ROUND_DIGITS
from bpcalc.problem.yamlsource import (
    Value,
    compose_mapping,
    number_refusal,
    parse_number,
    read_text,
    source_name,
)

KNOWN_KEYS = (
    "title", "layers", "activation", "beta", "bias", "threshold", "weights", "patterns",
    "pattern", "target", "learning_rate", "epochs", "update", "loss", "convention", "round",
    "sigfigs", "notation", "momentum", "batch_size", "train_bias", "display", "until",
)  # and the parameter of any activation entry added since (known_keys)
FREE_TEXT_KEYS = ("title",)  # shown as written: one line, checked by problem.characters
MAX_NODES = 5000
MAX_WEIGHTS = 250_000
MAX_STEPS = 2_000_000
# The work a run may do (steps x weights, by engine) and write: bpcalc.engine.limits.
_LONG_NAME = re.compile(r"w(\d+)_(\d+)")
_SHORT_NAME = re.compile(r"w(\d)(\d)")
_MAX_ID_DIGITS = len(str(MAX_NODES))  # no node id of a network within the limit is longer


def load_problem(path: str) -> Problem:
    """Read and validate a problem file; errors carry the file name and line."""
    try:
        return parse_problem(read_text(path))
    except ProblemError as error:
        if error.source is None:
            error.source = source_name(path)
        raise


def parse_problem(text: str) -> Problem:
    return problem_from_root(compose_mapping(
        text, "the file is empty: a problem needs at least layers, weights, patterns "
        "(or pattern and target) and learning_rate",
        "a problem file is a mapping of keys (layers, weights, ...) to values",
        free_text=FREE_TEXT_KEYS))


def problem_from_root(root: Value) -> Problem:
    """The validated problem from a document's root mapping (a file's, or a dict's:
    bpcalc.problem.datasource)."""
    fields = root.mapping()
    known = known_keys()
    for name, (key, _value) in fields.items():
        if name not in known:
            raise key.error(f"unknown key{_suggest(name, known)}")

    def get(name: str) -> Value | None:
        entry = fields.get(name)
        return entry[1] if entry else None

    def require(name: str) -> Value:
        value = get(name)
        if value is None:
            raise ProblemError("this key is required", key=name, line=root.line)
        return value

    network = _network(require("layers"), get("bias"))
    layer_activations = _activations(get("activation"), get, network)
    patterns = _patterns(get("patterns"), get("pattern"), get("target"), network, root)
    weights = _weights(require("weights"), network)
    learning_rate = require("learning_rate").number()
    if learning_rate < 0:
        raise require("learning_rate").error("must not be negative")
    until = training.until(get("until"), layer_activations)
    epochs = _count(get("epochs"), 1 if until is None else training.UNTIL_EPOCHS, minimum=1)
    rounding = training.rounding(get("round"), get("sigfigs"))
    update = _choice(get("update"), UPDATES, "sequential")
    if epochs * len(patterns) > MAX_STEPS:
        raise ProblemError(f"{epochs} epochs of {len(patterns)} patterns is more than "
                           f"{MAX_STEPS:,} steps", key="epochs", line=_line(get("epochs"), root))
    title_value = get("title")
    return Problem(
        network=network,
        activations=layer_activations,
        bias=_bias(get("bias")),
        weights=weights,
        patterns=patterns,
        learning_rate=learning_rate,
        epochs=epochs,
        update=update,
        loss=_choice(get("loss"), losses.names(), losses.DEFAULT),
        convention=_choice(get("convention"), CONVENTIONS, "slides"),
        notation=_notation(get("notation")),
        rounding=rounding,
        title="" if title_value is None or title_value.is_null() else title_value.free_text(),
        momentum=training.momentum(get("momentum")),
        batch_size=training.batch_size(get("batch_size"), update),
        train_bias=training.train_bias(get("train_bias")),
        display=training.display(get("display")),
        until=until,
        origins={name: (name, value.line) for name, (_key, value) in fields.items()},
    )


def apply_overrides(problem: Problem, *, convention: str | None = None,
                    round_places: int | None = None, sigfigs: int | None = None,
                    epochs: int | None = None, learning_rate: str | None = None,
                    notation: str | None = None) -> Problem:
    """Command-line options win over the file; they are checked like the file's keys."""
    changes: dict = {}
    if notation is not None:
        if notation not in NOTATIONS:
            raise ProblemError(f"must be one of {', '.join(NOTATIONS)}", key="--notation")
        changes["notation"] = notation
    if convention is not None:
        if convention not in CONVENTIONS:
            raise ProblemError(f"must be one of {', '.join(CONVENTIONS)}", key="--convention")
        changes["convention"] = convention
    if round_places is not None and sigfigs is not None:
        raise ProblemError("give --round or --sigfigs, not both", key="--round")
    if round_places is not None:
        if not 0 <= round_places <= MAX_ROUND_DIGITS:
            raise ProblemError(f"must be 0 to {MAX_ROUND_DIGITS}", key="--round")
        changes["rounding"] = Rounding("places", round_places)
    if sigfigs is not None:
        if not 1 <= sigfigs <= MAX_ROUND_DIGITS:
            raise ProblemError(f"must be 1 to {MAX_ROUND_DIGITS}", key="--sigfigs")
        changes["rounding"] = Rounding("sigfigs", sigfigs)
    if epochs is not None:
        if epochs < 1:
            raise ProblemError("must be 1 or more", key="--epochs")
        if epochs * len(problem.patterns) > MAX_STEPS:
            raise ProblemError(f"more than {MAX_STEPS:,} steps", key="--epochs")
        changes["epochs"] = epochs
        changes["origins"] = {**problem.origins, "epochs": ("--epochs", None)}
    if learning_rate is not None:
        rate = parse_number(learning_rate.strip())
        if rate is None:
            raise ProblemError(number_refusal(learning_rate.strip(), "0.5 or 1/4"),
                               key="--learning-rate")
        if rate < 0:
            raise ProblemError(f"must be 0 or more, got {quoted(learning_rate)}",
                               key="--learning-rate")
        changes["learning_rate"] = rate
    return replace(problem, **changes) if changes else problem


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(choices)})"


def _line(value: Value | None, fallback: Value) -> int:
    return (value or fallback).line


def _choice(value: Value | None, choices, default: str) -> str:
    if value is None:
        return default
    word = value.word()
    if word not in choices:
        raise value.error(f"unknown value {quoted(word)}{_suggest(word, choices)}")
    return word


def _notation(value: Value | None) -> str | None:
    """The symbols to print; absent or null: the convention's own."""
    if value is None or value.is_null():
        return None
    return _choice(value, NOTATIONS, "")


def _count(value: Value | None, default: int, minimum: int) -> int:
    if value is None:
        return default
    number = value.integer()
    if number < minimum:
        raise value.error(f"must be {minimum} or more, got {number}")
    return number


def _network(value: Value, bias: Value | None) -> Network:
    items = value.items()
    if len(items) < 2:
        raise value.error("needs at least an input and an output layer, e.g. [2, 2, 1]")
    sizes = []
    for item in items:
        size = item.integer()
        if size < 1:
            raise item.error(f"a layer needs at least 1 node, got {size}")
        if size > MAX_NODES:  # checked before the network is built: 1e50 nodes would not fit
            raise item.error(f"{size} nodes is more than the limit of {MAX_NODES}")
        sizes.append(size)
    has_bias = _bias(bias) is not None
    refusal = network_size_refusal(tuple(sizes), has_bias)
    if refusal:
        raise value.error(refusal)
    return Network(tuple(sizes), has_bias)


def network_size_refusal(sizes: tuple[int, ...], has_bias: bool = True) -> str | None:
    """Why a network of these layer sizes is over the limits, or None; counted, not built
    (bias nodes included), so a network far too large never takes memory."""
    for nodes in (sum(sizes), sum(sizes) + (len(sizes) - 1) * has_bias):
        if nodes > MAX_NODES:
            return f"{nodes} nodes is more than the limit of {MAX_NODES}"
    if sum((a + has_bias) * b for a, b in pairwise(sizes)) > MAX_WEIGHTS:
        return f"more than {MAX_WEIGHTS:,} weights"
    return None


def _bias(value: Value | None) -> Fraction | None:
    if value is None:
        return Fraction(1)
    if value.is_null() or (value.is_scalar() and value.word() in ("none", "no", "false")):
        return None
    return value.number()


def known_keys() -> tuple[str, ...]:
    """The keys of a problem file: KNOWN_KEYS, and every activation entry's parameters."""
    return KNOWN_KEYS + tuple(key for key in activations.params() if key not in KNOWN_KEYS)


def _activations(value: Value | None, get, network: Network) -> tuple[Activation, ...]:
    """One activation per non-input layer, each with every parameter's value (the file's,
    else the entry's default)."""
    count = len(network.sizes) - 1
    numbers = {}
    for key, param in activations.params().items():
        given = get(key)
        numbers[key] = given.number() if given is not None else param.default
    if value is None:
        names = [activations.DEFAULT] * count
        where = [None] * count
    elif value.is_scalar():
        names = [value.word()] * count
        where = [value] * count
    else:
        items = value.items()
        if len(items) != count:
            raise value.error(f"expected {count} activation(s), one per non-input layer, "
                              f"got {len(items)}")
        names = [item.word() for item in items]
        where = items
    known = activations.names()
    for name, item in zip(names, where, strict=True):
        if name not in known:
            raise item.error(f"unknown activation {quoted(name)}{_suggest(name, known)}")
        if activations.activation_spec(name).perceptron and count > 1:
            raise item.error(f"{name} (the perceptron rule) works only for a single layer: "
                             "layers must be [inputs, outputs] with no hidden layer")
    chosen = tuple(Activation(name, **numbers) for name in names)
    training.check_layer_wide(chosen, network.sizes, where)
    return chosen


def _vector(value: Value, length: int, what: str) -> tuple[Fraction, ...]:
    if value.is_scalar() and not value.is_null() and length == 1:
        return (value.number(),)
    count = value.count()
    if count != length:
        raise value.error(f"expected {length} {what} value(s) to match layers, got {count}")
    return value.numbers()


def _patterns(patterns: Value | None, pattern: Value | None, target: Value | None,
              network: Network, root: Value) -> tuple[Pattern, ...]:
    n_in, n_out = network.sizes[0], network.sizes[-1]
    if patterns is not None:
        if pattern is not None or target is not None:
            raise (pattern or target).error("give either patterns or pattern and target, "
                                            "not both")
        result = []
        items = patterns.items()
        if not items:
            raise patterns.error("needs at least one pattern")
        for item in items:
            fields = item.mapping()
            for name, (key, _v) in fields.items():
                if name not in ("input", "target"):
                    raise key.error(f"unknown key{_suggest(name, ('input', 'target'))}")
            for name in ("input", "target"):
                if name not in fields:
                    raise item.error(f"each pattern needs '{name}'")
            result.append(Pattern(_vector(fields["input"][1], n_in, "input"),
                                  _vector(fields["target"][1], n_out, "target")))
        return tuple(result)
    if pattern is None:
        raise ProblemError("this key is required (or the shorthand pattern and target)",
                           key="patterns", line=root.line)
    if target is None:
        raise ProblemError("required with pattern", key="target", line=pattern.line)
    return (Pattern(_vector(pattern, n_in, "input"), _vector(target, n_out, "target")),)


def _weights(value: Value, network: Network) -> dict[WeightKey, Fraction]:
    keys = network.weight_keys()
    if value.is_scalar():
        number = value.number()
        return dict.fromkeys(keys, number)
    if value.is_list():
        return _weight_matrices(value, network)
    return _named_weights(value, network)


def _weight_matrices(value: Value, network: Network) -> dict[WeightKey, Fraction]:
    matrices = value.items()
    count = len(network.layers) - 1
    if len(matrices) != count:
        raise value.error(f"expected {count} matrices, one per non-input layer, "
                          f"got {len(matrices)}")
    weights: dict[WeightKey, Fraction] = {}
    for matrix, (prev, layer) in zip(matrices, pairwise(network.layers), strict=True):
        rows = matrix.items()
        feeding = prev.feeding_ids()
        if len(rows) != len(layer.node_ids):
            raise matrix.error(f"layer {layer.index} has {len(layer.node_ids)} node(s), so "
                               f"this matrix needs {len(layer.node_ids)} row(s), got {len(rows)}")
        for row, to_id in zip(rows, layer.node_ids, strict=True):
            count = row.count()
            if count != len(feeding):
                bias = " and its bias" if prev.bias_id is not None else ""
                raise row.error(f"node {to_id} takes {len(feeding)} weight(s) (from layer "
                                f"{prev.index}'s {len(prev.node_ids)} node(s){bias}), "
                                f"got {count}")
            for cell, from_id in zip(row.numbers(), feeding, strict=True):
                weights[(from_id, to_id)] = cell
    return {key: weights[key] for key in network.weight_keys()}


def _named_weights(value: Value, network: Network) -> dict[WeightKey, Fraction]:
    fields = value.mapping()
    valid = set(network.weight_keys())
    default: Fraction | None = None
    named: dict[WeightKey, Fraction] = {}
    for name, (key, item) in fields.items():
        if name == "default":
            default = item.number()
            continue
        weight = parse_weight_name(name)
        if weight is None:
            raise key.error(node_id_refusal(name) or "not a weight name: write w<from><to> for "
                            "single-digit ids (w47) or w<from>_<to> (w4_17)")
        if weight not in valid:
            raise key.error(f"there is no weight from node {weight[0]} to node {weight[1]} "
                            f"in this network (layers {list(network.sizes)})")
        if weight in named:
            raise key.error("this weight is named twice")
        named[weight] = item.number()
    missing = [k for k in network.weight_keys() if k not in named]
    if missing and default is None:
        shown = ", ".join(weight_name(k) for k in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise value.error(f"no value for {shown}{more}: name every weight or add "
                          "'default: <value>'")
    return {k: named.get(k, default) for k in network.weight_keys()}


def parse_weight_name(name: str) -> WeightKey | None:
    """(i, j) for 'w4_7' or 'w47'; None if the name is not a weight name, or names a node
    beyond any network's (ids of more digits than MAX_NODES has; never int() of 5,000)."""
    text = name.strip().lower()
    match = _LONG_NAME.fullmatch(text) or _SHORT_NAME.fullmatch(text)
    if match is None or any(len(g.lstrip("0")) > _MAX_ID_DIGITS for g in match.groups()):
        return None
    return int(match.group(1)), int(match.group(2))


def node_id_refusal(name: str) -> str | None:
    """The message for a weight name of the right form whose ids are beyond every network
    (see `parse_weight_name`); None for any other name."""
    match = _LONG_NAME.fullmatch(name.strip().lower())
    if match is None or parse_weight_name(name) is not None:
        return None
    return f"names no weight: node ids go up to {MAX_NODES:,}, the limit of nodes in a network"

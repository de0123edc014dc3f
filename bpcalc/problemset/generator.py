"""From a template to variants: problem files with drawn numbers, each checked by the loader.

A template is a problem file where weights, pattern values, targets, the learning rate,
beta, threshold and version 2's momentum, leak and batch_size may be random, and the
activation (or one layer's) and the loss a choice of names (`bpcalc.problemset.template`).
Variant n draws from its own `random.Random(f"{seed}/{n}")`, in the template's order, so
the same seed gives the same files byte for byte, and variant 3 is the same whatever
`--count` is. Each variant's text
is parsed by `bpcalc.problem.loader`, exactly as `bpcalc solve` will read it; an error in a variant
is reported at the template's key and line. Pure: text in, text and problems out.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from bpcalc.errors import ProblemError
from bpcalc.problem.loader import FREE_TEXT_KEYS, parse_problem, parse_weight_name
from bpcalc.problem.model import Network, Problem, QuantityRounding, Rounding, weight_name
from bpcalc.problem.yamlsource import Value, compose_mapping, source_name
from bpcalc.problemset.drawing import draw_set, slots
from bpcalc.problemset.quality import Focus
from bpcalc.problemset.roster import Student
from bpcalc.problemset.template import (
    TEMPLATE_ONLY_KEYS,
    SetKeys,
    Spec,
    is_spec,
    parse_set_keys,
    parse_spec,
)
from bpcalc.problemset.yamltext import (
    feeding_ids,
    matrices_text,
    matrices_yaml,
    number_text,
    shell_word,
    yaml_string,
)

RANDOM_KEYS = ("weights", "pattern", "target", "patterns", "learning_rate", "beta", "threshold",
               "momentum", "leak", "batch_size", "activation", "loss")
NAME_KEYS = ("activation", "loss")  # drawn from a choice of names, not numbers
MAX_VARIANTS = 10_000
_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_.+\-/~]+")


@dataclass(frozen=True)
class Variant:
    number: int
    text: str  # the problem file, header comment included
    problem: Problem
    drawn: tuple[tuple[str, str], ...]  # (key path, value as written), in drawing order
    # The template's `ask` as (text, line) pairs (() = the default names) and
    # `answer_precision` (None = 4 places): template-only keys, kept out of `text`.
    ask: tuple[tuple[str, int | None], ...] = ()
    answer_precision: Rounding | QuantityRounding | None = None
    student: str | None = None  # the roster's id of the student it is drawn for


class DrawnSet(NamedTuple):
    variants: list[Variant]
    rejected: Counter  # rule -> draws refused (bpcalc.problemset.quality.RULES)


def generate(template_text: str, *, seed: int, count: int, name: str) -> list[Variant]:
    """`count` variants of the template named `name`; every one is validated."""
    return generate_set(template_text, seed=seed, count=count, name=name).variants


def generate_set(template_text: str, *, seed: int, count: int, name: str,
                 roster: tuple[Student, ...] | None = None, roster_name: str = "",
                 focus: Callable[[Problem, SetKeys], tuple[Focus, ...]] | None = None
                 ) -> DrawnSet:
    """The set's variants, each validated and (given `focus`, the quantities asked, from the
    first variant's problem) drawn again while a rule of the template's `variants:` refuses
    it; with a roster, one per student in the roster's order."""
    if roster is None and not 1 <= count <= MAX_VARIANTS:
        raise ProblemError(f"must be from 1 to {MAX_VARIANTS:,}", key="--count")
    if roster is not None and len(roster) > MAX_VARIANTS:
        raise ProblemError(f"lists {len(roster):,} students, more than {MAX_VARIANTS:,}",
                           key="--roster", source=source_name(roster_name))
    template = _Template(template_text)
    keys = template.keys
    judge_identical = bool(template.instantiate(random.Random(0), 1)[1])
    drawn, rejected = draw_set(slots(seed, count, roster), seed, draw=template.instantiate,
                               parse=template.parse, rules=keys.rules,
                               focus=None if focus is None else lambda p: focus(p, keys),
                               judge_identical=judge_identical, rules_line=keys.rules_line)
    variants = [Variant(item.slot.number, _header(item.slot.number, len(drawn), name, seed,
                                                  roster_name if roster else None)
                        + item.body, item.problem, item.drawn, keys.ask,
                        keys.answer_precision, item.slot.student)
                for item in drawn]
    return DrawnSet(variants, rejected)


def _header(number: int, count: int, name: str, seed: int, roster: str | None) -> str:
    """The comment that says where a variant comes from and how to write it again."""
    template = shell_word(name)
    if roster is None:
        return (f"# Variant {number} of {count}, generated by bpcalc from the template "
                f"{template} with seed {seed}.\n"
                f"# Again: bpcalc generate {template} --seed {seed} --count {count}\n")
    return (f"# Variant {number}, for a student of the roster {shell_word(roster)} (its "
            f"index.json says whose), generated by bpcalc from the template {template} "
            f"with seed {seed}.\n"
            f"# Again: bpcalc generate {template} --seed {seed} --roster "
            f"{shell_word(roster)}\n")


def template_keys(template_text: str) -> SetKeys:
    """The template's `ask` and `answer_precision` (checked, with their lines)."""
    return _Template(template_text).keys


def has_random_values(template_text: str) -> bool:
    template = _Template(template_text)
    return bool(template.instantiate(random.Random(0), 1)[1])


class _Template:
    """The template's node graph, its lines by key path, and the network its specs fill."""

    def __init__(self, text: str):
        self.text = text
        root = compose_mapping(text, "the template is empty",
                               "a template is a mapping of keys (layers, weights, ...) to "
                               "values", free_text=FREE_TEXT_KEYS)
        self.root = root
        self.fields = root.mapping()
        self.lines: dict[str, int] = {}
        for name, (key, value) in self.fields.items():
            self.lines[name] = key.line
            self._index(value, random_allowed=name in RANDOM_KEYS, names=name in NAME_KEYS)
        self.network = self._network()
        self.keys = parse_set_keys(self.fields)

    def _index(self, value: Value, random_allowed: bool, names: bool = False) -> None:
        """Remember each key path's line; refuse random values where none may be."""
        if is_spec(value):
            if not random_allowed:
                raise value.error("random and choice values may be given only in "
                                  f"{', '.join(RANDOM_KEYS)}")
            parse_spec(value, names)
            return
        self.lines.setdefault(value.key, value.line)
        if value.is_list():
            for item in value.items():
                self._index(item, random_allowed, names)
        elif not value.is_scalar():
            for _name, (_key, item) in value.mapping().items():
                self._index(item, random_allowed, names)

    def _network(self) -> Network:
        """The topology specs are expanded to: layers and bias are never random."""
        if "layers" not in self.fields:
            raise ProblemError("this key is required", key="layers", line=self.root.line)
        sizes = []
        for item in self.fields["layers"][1].items():
            size = item.integer()
            if size < 1:
                raise item.error(f"a layer needs at least 1 node, got {size}")
            sizes.append(size)
        bias = self.fields.get("bias", (None, None))[1]
        no_bias = bias is not None and (bias.is_null() or (
            bias.is_scalar() and bias.word() in ("none", "no", "false")))
        return Network(tuple(sizes), not no_bias)

    def parse(self, body: str, number: int) -> Problem:
        """A variant's text as `bpcalc solve` reads it; an error at the template's line."""
        try:
            return parse_problem(body)
        except ProblemError as error:
            raise self.locate(error, number) from None

    def locate(self, error: ProblemError, number: int) -> ProblemError:
        """A loader error in a variant, moved to the template's line for that key."""
        key = error.key or ""
        line = None
        while key and line is None:
            line = self.lines.get(key)
            shorter = re.sub(r"(\[\d+\]|\.[^.\[]+)$", "", key)
            key = "" if shorter == key else shorter
        return ProblemError(f"{error.message} (in variant {number})", key=error.key,
                            line=line if line is not None else error.line)

    # --- one variant -------------------------------------------------------------------

    def instantiate(self, rng: random.Random, number: int) -> tuple[str, list]:
        drawer = _Drawer(rng)
        lines = []
        if "title" not in self.fields:
            lines.append(f"title: {yaml_string(f'Variant {number}')}")
        for name, (key, value) in self.fields.items():
            if name in TEMPLATE_ONLY_KEYS:
                continue  # the index carries them; a problem file has no such key
            if name == "title":
                title = "" if value.is_null() else value.free_text()
                lines.append(f"title: {yaml_string(f'{title} (variant {number})'.strip())}")
            elif name in RANDOM_KEYS and _has_spec(value):
                lines.append(self._emit(name, value, drawer))
            else:
                start, end = key.node.start_mark.index, value.node.end_mark.index
                lines.append(self.text[start:end].rstrip())
        return "\n".join(lines) + "\n", drawer.drawn

    def _emit(self, name: str, value: Value, drawer: _Drawer) -> str:
        sizes = self.network.sizes
        if name == "weights":
            return "weights:" + _weights(value, self.network, drawer)
        if name in ("pattern", "target"):
            length = sizes[0] if name == "pattern" else sizes[-1]
            return f"{name}: {_vector(value, length, drawer)}"
        if name == "patterns":
            return "patterns:\n" + "\n".join(
                f"  - {_pattern(item, sizes, drawer)}" for item in value.items())
        if name == "activation" and value.is_list():  # a name per layer, some drawn
            return f"{name}: [{', '.join(drawer.value(item) for item in value.items())}]"
        return f"{name}: {drawer.value(value)}"


class _Drawer:
    """Draws values in document order and records them, for the index of variants."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.drawn: list[tuple[str, str]] = []
        self._specs: dict[int, Spec] = {}

    def value(self, value: Value, label: str | None = None) -> str:
        """A scalar position: drawn if it is a spec, else copied as written."""
        if not is_spec(value):
            return _flow(value)
        spec = self._specs.get(id(value.node))
        if spec is None:
            names = re.split(r"[.\[]", value.key)[0] in NAME_KEYS
            spec = self._specs[id(value.node)] = parse_spec(value, names)
        drawn = spec.draw(self.rng)
        text = drawn if isinstance(drawn, str) else number_text(drawn)
        self.drawn.append((label or value.key, text))
        return text


def _has_spec(value: Value) -> bool:
    if is_spec(value):
        return True
    if value.is_list():
        return any(_has_spec(item) for item in value.items())
    if value.is_scalar():
        return False
    return any(_has_spec(item) for _key, item in value.mapping().values())


def _flow(value: Value) -> str:
    """A non-random node in YAML flow style, meaning exactly what it meant in the template."""
    if value.is_list():
        return "[" + ", ".join(_flow(item) for item in value.items()) + "]"
    if not value.is_scalar():
        return "{" + ", ".join(f"{yaml_string(name)}: {_flow(item)}"
                               for name, (_key, item) in value.mapping().items()) + "}"
    text = value.text()
    if value.node.style in (None, "") and _SAFE_PLAIN.fullmatch(text):
        return text  # plain as written: numbers, null and words resolve as before
    return yaml_string(text)


def _vector(value: Value, length: int, drawer: _Drawer) -> str:
    """`{random: ...}` for every element, or a list with random elements."""
    if is_spec(value):
        return "[" + ", ".join(drawer.value(value, f"{value.key}[{i}]")
                               for i in range(length)) + "]"
    if value.is_list():
        return "[" + ", ".join(drawer.value(item) for item in value.items()) + "]"
    return _flow(value)


def _pattern(item: Value, sizes: tuple[int, ...], drawer: _Drawer) -> str:
    if is_spec(item):
        raise item.error("a pattern cannot be random as a whole: give its input and target, "
                         "e.g. {input: {random: [0, 1], step: 0.1}, target: [1]}")
    if item.is_scalar() or item.is_list():
        return _flow(item)  # the loader reports it at the template's line
    parts = []
    for name, (_key, value) in item.mapping().items():
        length = {"input": sizes[0], "target": sizes[-1]}.get(name)
        text = _vector(value, length, drawer) if length else _flow(value)
        parts.append(f"{name}: {text}")
    return "{" + ", ".join(parts) + "}"


def _weights(value: Value, network: Network, drawer: _Drawer) -> str:
    """Random weights as one matrix per layer, or as named weights if the template names them."""
    if is_spec(value):
        return matrices_yaml(
            network, lambda key: drawer.value(value, f"weights.{weight_name(key)}"))
    if value.is_list():
        return _weight_matrices(value, network, drawer)
    fields = value.mapping()
    default = fields.get("default", (None, None))[1]
    named = {}
    for name, (key, item) in fields.items():
        weight = parse_weight_name(name) or name
        if weight in named:
            raise key.error("this weight is named twice")
        named[weight] = item
    lines = []
    if default is not None and not is_spec(default):
        lines.append([f"default: {_flow(default)}"])
    for layer in network.layers[1:]:
        row = []
        for to_id in layer.node_ids:
            for from_id in feeding_ids(network, layer.index):
                key = (from_id, to_id)
                if key in named:
                    row.append(f"{weight_name(key)}: {drawer.value(named.pop(key))}")
                elif default is not None and is_spec(default):
                    row.append(f"{weight_name(key)}: "
                               f"{drawer.value(default, f'weights.{weight_name(key)}')}")
        lines.append(row)
    leftover = [f"{yaml_string(str(k)) if isinstance(k, str) else weight_name(k)}: {_flow(v)}"
                for k, v in named.items() if k != "default"]
    lines.append(leftover)  # names the loader will refuse, with the template's line
    body = ",\n    ".join(", ".join(row) for row in lines if row)
    return " {" + body + "}"


def _weight_matrices(value: Value, network: Network, drawer: _Drawer) -> str:
    """The template's matrices with random cells, rows or whole matrices filled in."""
    blocks = []
    layers = network.layers[1:]
    for index, matrix in enumerate(value.items()):
        layer = layers[index] if index < len(layers) else None
        node_ids = layer.node_ids if layer else ()
        feeding = feeding_ids(network, layer.index) if layer else ()
        rows_in = [matrix] * len(node_ids) if is_spec(matrix) else matrix.items()
        rows = [_row(row, feeding, node_ids[r] if r < len(node_ids) else None, drawer)
                for r, row in enumerate(rows_in)]
        if len(rows) != len(node_ids):
            node_ids = ()  # the loader reports the shape; no misleading comments
        blocks.append((rows, node_ids, feeding))
    return matrices_text(blocks, network)


def _row(row: Value, feeding: tuple[int, ...], to_id: int | None, drawer: _Drawer) -> str:
    """One row into node `to_id`; drawn cells are recorded by weight name (weights.w47)."""
    def label(column: int) -> str | None:
        if to_id is None or column >= len(feeding):
            return None
        return f"weights.{weight_name((feeding[column], to_id))}"

    if is_spec(row):
        return "[" + ", ".join(drawer.value(row, label(c)) for c in range(len(feeding))) + "]"
    if not row.is_list():
        return _flow(row)
    return "[" + ", ".join(drawer.value(cell, label(c))
                           for c, cell in enumerate(row.items())) + "]"

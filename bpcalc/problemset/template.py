"""Random values in a problem template: `{random: [low, high], step: s}` and `{choice: [...]}`
(of numbers, or of names where the key takes a name: `activation: {choice: [sigmoid, tanh]}`),
and the keys only a template has: what is asked (`ask`) and how precisely
(`answer_precision`).

Values are drawn on an exact grid of Fractions (low, low + step, ... up to high), so every
value a student sees is a short decimal to work by hand: 0.3, never 0.30000000000000004.
Drawing takes the caller's `random.Random`, never the global one, so a seed reproduces it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import yaml

from bpcalc.errors import quoted, short
from bpcalc.problem import training
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.problem.yamlsource import Value
from bpcalc.problemset.quality import DEFAULT_SATURATION, RULES, Rules

SPEC_KEYS = ("random", "choice")
_RANDOM_KEYS = ("random", "step", "exclude")


@dataclass(frozen=True)
class Grid:
    """low, low + step, ..., up to high; `excluded` are grid positions never drawn."""

    low: Fraction
    step: Fraction
    count: int
    excluded: tuple[int, ...] = ()

    def draw(self, rng: random.Random) -> Fraction:
        position = rng.randrange(self.count - len(self.excluded))
        for skipped in self.excluded:  # sorted: the position-th grid point not excluded
            if skipped <= position:
                position += 1
        return self.low + position * self.step


@dataclass(frozen=True)
class Choice:
    values: tuple[Fraction | str, ...]  # numbers, or names (an activation, a loss)

    def draw(self, rng: random.Random) -> Fraction | str:
        return self.values[rng.randrange(len(self.values))]


Spec = Grid | Choice


def is_spec(value: Value) -> bool:
    """A mapping with a `random` or `choice` key: a value to draw, not a weight map."""
    if not isinstance(value.node, yaml.MappingNode):
        return False
    return any(isinstance(key, yaml.ScalarNode) and key.value in SPEC_KEYS
               for key, _item in value.node.value)


def parse_spec(value: Value, names: bool = False) -> Spec:
    """Check a spec once; every message names the key and the template's line. `names`:
    the key takes a name (activation, loss), so only a choice of names is drawn."""
    fields = value.mapping()
    if "random" in fields and "choice" in fields:
        raise value.error("give random or choice, not both")
    if names and "choice" not in fields:
        raise value.error("a name is drawn with choice, e.g. {choice: [sigmoid, tanh]}")
    if "choice" in fields:
        for name, (key, _item) in fields.items():
            if name != "choice":
                raise key.error("choice takes no other keys (write {choice: [0.1, 0.5, 1]})")
        items = fields["choice"][1].items()
        if not items:
            raise fields["choice"][1].error("needs at least one value")
        return Choice(tuple(_name(item) if names else item.number() for item in items))
    for name, (key, _item) in fields.items():
        if name not in _RANDOM_KEYS:
            raise key.error(f"unknown key in a random value (known: {', '.join(_RANDOM_KEYS)})")
    bounds = fields["random"][1]
    items = bounds.items()
    if len(items) != 2:
        raise bounds.error("expected [low, high], e.g. random: [-1, 1]")
    low, high = items[0].number(), items[1].number()
    if low > high:
        raise bounds.error(f"low {short(items[0].text())} is above high "
                           f"{short(items[1].text())}")
    if "step" not in fields:
        raise value.error("random needs a step, so values are short decimals a student can "
                          "work by hand: e.g. {random: [-1, 1], step: 0.1}")
    step_value = fields["step"][1]
    step = step_value.number()
    if step <= 0:
        raise step_value.error("step must be more than 0")
    count = (high - low) // step + 1
    excluded = _excluded(fields.get("exclude"), low, step, count)
    if len(excluded) == count:
        raise fields["exclude"][1].error("excludes every value of the range")
    return Grid(low, step, int(count), excluded)


def _name(item: Value) -> str:
    """A name to draw: one plain word (the loader then checks it is a known one)."""
    word = item.word()
    if not item.is_scalar() or not word.replace("_", "").isalnum() or not word.isascii():
        raise item.error(f"expected a name such as sigmoid, got {item.describe()}")
    return word


def _excluded(entry: tuple[Value, Value] | None, low: Fraction, step: Fraction,
              count: int) -> tuple[int, ...]:
    if entry is None:
        return ()
    value = entry[1]
    items = value.items() if value.is_list() else [value]
    positions = set()
    for item in items:
        position = (item.number() - low) / step
        if position.denominator != 1 or not 0 <= position < count:
            raise item.error(f"{short(item.text())} is not one of the range's values "
                             f"({_grid_preview(low, step, count)})")
        positions.add(int(position))
    return tuple(sorted(positions))


def _grid_preview(low: Fraction, step: Fraction, count: int) -> str:
    from bpcalc.text import fraction_text

    shown = [fraction_text(low + i * step) for i in range(min(count, 3))]
    if count > 3:
        shown.append("...")
        shown.append(fraction_text(low + (count - 1) * step))
    return ", ".join(shown)


# --- the keys of a template only (never written into a variant's problem file) ----------

ASK_KEY, PRECISION_KEY, RULES_KEY = "ask", "answer_precision", "variants"
TEMPLATE_ONLY_KEYS = (ASK_KEY, PRECISION_KEY, RULES_KEY)
_RULES_KEYS = ("reject", "saturation", "draws")
MAX_DRAWS = 1000
_PRECISION_KEYS = ("round", "sigfigs")


def parse_ask(value: Value | None) -> tuple[tuple[str, int | None], ...]:
    """`ask: [z7, delta7, "step 2: w47"]` as (text, line) pairs; () when absent (then the
    default: outputs, deltas and new weights of step 1). Names are checked against the
    problem by bpcalc.grading.asked.parse_asked, in the command."""
    if value is None or value.is_null():
        return ()
    items = value.items() if value.is_list() else [value]
    if not items:
        raise value.error("asks for nothing: list the quantities asked, e.g. "
                          "[z7, delta7, w47], or leave the key out for the default")
    asked = []
    for item in items:
        if item.is_scalar() and not item.is_null():
            text = item.text().strip()
        elif isinstance(item.node, yaml.MappingNode) and len(item.node.value) == 1:
            # `- step 2: w47` unquoted reads as a one-key mapping: the same entry
            (name, (_key, inner)), = item.mapping().items()
            text = f"{name}: {inner.text().strip()}"
        else:
            raise item.error(f"expected a quantity name such as z7, delta4, w47 or "
                             f"\"step 2: w47\", got {item.describe()}")
        if not text:
            raise item.error("an empty name")
        asked.append((text, item.line))
    return tuple(asked)


def parse_answer_precision(value: Value | None) -> Rounding | QuantityRounding | None:
    """`answer_precision:` as the problem file's rounding reads it: `4` (places), `{round:
    4}`, `{sigfigs: 3}` or per quantity `{round: {weight: 4}, sigfigs: {delta: 3}}` (the
    quantities of `display`). None when absent: the default, 4 decimal places."""
    if value is None or value.is_null():
        return None
    if value.is_scalar():
        return training.rounding(value, None)
    fields = value.mapping()
    for name, (key, _item) in fields.items():
        if name not in _PRECISION_KEYS:
            raise key.error("answer_precision takes round and sigfigs, each a number of "
                            "digits or a mapping of quantities to digits (answer_precision: "
                            "{round: {weight: 4}, sigfigs: {delta: 3}})")
    places, sigfigs = (fields.get(name, (None, None))[1] for name in _PRECISION_KEYS)
    precision = training.rounding(places, sigfigs)
    if precision is None:
        raise value.error("gives no precision: e.g. {round: 4} or {sigfigs: 3}")
    return precision


@dataclass(frozen=True)
class SetKeys:
    """What a template says about the set as a whole, carried on each variant."""

    ask: tuple[tuple[str, int | None], ...] = ()  # (text, line); () = asked.default_names
    answer_precision: Rounding | QuantityRounding | None = None  # None: 4 places
    rules: Rules = Rules()  # what refuses a draw (bpcalc.problemset.quality)
    rules_line: int | None = None  # the `variants:` key's line, for "too few good variants"


def parse_set_keys(fields: dict[str, tuple[Value, Value]]) -> SetKeys:
    """The template-only keys of a template's top-level fields."""
    def get(name: str) -> Value | None:
        return fields[name][1] if name in fields else None

    rules = get(RULES_KEY)
    return SetKeys(parse_ask(get(ASK_KEY)), parse_answer_precision(get(PRECISION_KEY)),
                   parse_rules(rules), fields[RULES_KEY][0].line if rules else None)


def parse_rules(value: Value | None) -> Rules:
    """`variants: {reject: [dead_relu, ...], saturation: 4, draws: 100}`; each key optional
    (reject: every rule; saturation: 4 for sigmoid and 2 for tanh, or one number for both,
    or {sigmoid: 3, tanh: 1.5}; draws: how many draws of one variant before giving up)."""
    if value is None or value.is_null():
        return Rules()
    fields = value.mapping()
    for name, (key, _item) in fields.items():
        if name not in _RULES_KEYS:
            raise key.error(f"unknown key in variants (known: {', '.join(_RULES_KEYS)})")
    rules = Rules()
    if "reject" in fields:
        rules = rules._replace(reject=_rule_names(fields["reject"][1]))
    if "saturation" in fields:
        rules = rules._replace(saturation=_saturation(fields["saturation"][1]))
    if "draws" in fields:
        draws = fields["draws"][1]
        count = draws.integer()
        if not 1 <= count <= MAX_DRAWS:
            raise draws.error(f"must be from 1 to {MAX_DRAWS}, got {count}")
        rules = rules._replace(draws=count)
    return rules


def _rule_names(value: Value) -> tuple[str, ...]:
    if value.is_null() or (value.is_scalar() and value.word() == "none"):
        return ()
    items = value.items() if value.is_list() else [value]
    names = []
    for item in items:
        word = item.word()
        if word not in RULES:
            raise item.error(f"unknown rule {quoted(word)} (rules: {', '.join(RULES)})")
        names.append(word)
    return tuple(rule for rule in RULES if rule in names)


def _saturation(value: Value) -> tuple[tuple[str, Fraction], ...]:
    if value.is_scalar():
        bound = _positive(value)
        return tuple((name, bound) for name in DEFAULT_SATURATION)
    chosen = dict(DEFAULT_SATURATION)
    for name, (key, item) in value.mapping().items():
        if name not in DEFAULT_SATURATION:
            raise key.error(f"saturation is judged for {', '.join(DEFAULT_SATURATION)}, not "
                            f"{quoted(name)}")
        chosen[name] = _positive(item)
    return tuple(chosen.items())


def _positive(value: Value) -> Fraction:
    number = value.number()
    if number <= 0:
        raise value.error("must be more than 0: the |net| above which a node is saturated")
    return number

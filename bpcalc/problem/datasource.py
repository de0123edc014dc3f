"""A problem (or an answers file) given as Python data, as `yaml.safe_load` would give it:
turned into the node graph the loader reads, so that a dict meets the same validation, and
the same messages naming its keys, as a file (without lines: there is no text).

Nothing is evaluated: a value is taken as the text it stands for. An int as its digits; a
float as its shortest decimal (`repr`, the digits that read back as the same float) written
out without an exponent, so 0.9 is 9/10 as the YAML's `0.9` is, and 0.1 is 1/10, not the
binary float's 3602879701896397/36028797018963968; a Fraction as `n/d`; a Decimal as its
digits; a string as quoted text in a file is (so "1/3" is a third, as `"1/3"` is in YAML);
True, False and None as the YAML's true, false and null. Any other type is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import yaml

from bpcalc.errors import ProblemError, short
from bpcalc.problem.characters import check_document
from bpcalc.problem.loader import FREE_TEXT_KEYS, problem_from_root
from bpcalc.problem.model import Problem
from bpcalc.problem.yamlsource import Value

_TAG = "tag:yaml.org,2002:"
MAX_DEPTH = 20  # a problem nests four deep (patterns[0].input[1]); a loop never ends


def problem_from_data(data: object) -> Problem:
    """The validated problem from a dict of the file's keys (`layers`, `weights`, ...)."""
    return problem_from_root(root_from_data(
        data, "a problem is a mapping of keys (layers, weights, ...) to values",
        free_text=FREE_TEXT_KEYS))


def root_from_data(data: object, what: str, free_text: tuple[str, ...] = ()) -> Value:
    """The data's root as the loader's `Value`; it must be a mapping (`what` says of what)."""
    node = _node(data, "", 0)
    root = Value("", node)
    if not isinstance(node, yaml.MappingNode):
        raise root.error(f"{what}, got {root.describe()}")
    check_document(node, None, free_text)
    return root


def scalar_text(value: object) -> str | None:
    """The text a plain number stands for, or None if `value` is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        text = float.__repr__(float(value))  # numpy's float64 has its own repr
        if text in ("nan", "inf", "-inf"):
            return text
        return format(Decimal(text), "f")
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    return None


def _node(value: object, path: str, depth: int) -> yaml.Node:
    if depth > MAX_DEPTH:
        raise ProblemError(f"nested more than {MAX_DEPTH} deep (does it contain itself?)",
                           key=short(path) or None)
    if value is None:
        return yaml.ScalarNode(_TAG + "null", "null")
    if isinstance(value, bool):
        return yaml.ScalarNode(_TAG + "bool", "true" if value else "false")
    if isinstance(value, str):
        return yaml.ScalarNode(_TAG + "str", value)
    number = scalar_text(value)
    if number is not None:
        kind = "int" if isinstance(value, int) else "float"
        return yaml.ScalarNode(_TAG + kind, number)
    if isinstance(value, list | tuple):
        return yaml.SequenceNode(_TAG + "seq", [_node(item, f"{path}[{i}]", depth + 1)
                                                for i, item in enumerate(value)])
    if isinstance(value, Mapping):
        pairs = []
        for key, item in value.items():
            name = key if isinstance(key, str) else scalar_text(key)
            if name is None:
                raise ProblemError(f"keys must be plain names, got {type(key).__name__} "
                                   f"{short(repr(key), 40)}", key=short(path) or None)
            child = f"{path}.{name}" if path else name
            pairs.append((yaml.ScalarNode(_TAG + "str", name), _node(item, child, depth + 1)))
        return yaml.MappingNode(_TAG + "map", pairs)
    raise ProblemError(f"expected a number, text, a list or a mapping, got a value of type "
                       f"{type(value).__name__}", key=short(path) or None)

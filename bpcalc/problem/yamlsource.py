"""Safe YAML reading that keeps line numbers, so every error can point at its line.

We compose PyYAML's node graph instead of loading Python objects: nodes keep their line
and their text exactly as written (0.9 stays "0.9", never the double nearest to it), and
nothing is constructed from tags. Aliases are refused before composing, which stops alias
bombs ("billion laughs") in linear time.

Large files (a thousand patterns) are read in one pass of the C parser, and PyYAML's
implicit resolver (a regular expression per scalar, for a tag we mostly never ask for)
runs only when a value's tag is asked for: bpcalc reads numbers from their text itself.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import sys
from fractions import Fraction
from typing import NamedTuple

import yaml
from yaml.resolver import Resolver

from bpcalc.errors import ProblemError, quoted, short
from bpcalc.problem.characters import check_document, describe

try:  # libyaml is faster where it is built; the pure-Python parser behaves the same.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

MAX_FILE_BYTES = 5 * 1024 * 1024
STDIN = "-"  # the file name that means standard input
STDIN_NAME = "<stdin>"
_STANDARD_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset({"str", "int", "float", "bool", "null", "seq", "map"})
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*(\d+)")
_MAX_DIGITS = 60
_MAX_EXPONENT = 60
# The tag of a plain scalar until it is asked for (`Value.tag`): resolving it takes a
# regular expression or two, and a file of numbers never needs it.
_UNRESOLVED = "tag:bpcalc,2026:unresolved"
_STR, _SEQ, _MAP = (Resolver.DEFAULT_SCALAR_TAG, Resolver.DEFAULT_SEQUENCE_TAG,
                    Resolver.DEFAULT_MAPPING_TAG)


def source_name(path: str) -> str:
    """How messages name a file: `<stdin>` for '-', else the path on one line."""
    return STDIN_NAME if path == STDIN else printable(path)


def read_text(path: str) -> str:
    """The file's text ('-': standard input); errors name the file once, as their source.

    Only a regular file is opened: a FIFO would wait for a writer for ever, a device may
    never end, so both are refused from their status before anything is opened.
    """
    shown = source_name(path)
    data = _read_stdin() if path == STDIN else _read_file(path, shown)
    if len(data) > MAX_FILE_BYTES:
        raise ProblemError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", source=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(f"not UTF-8 text (byte {exc.start})", source=shown) from None


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is None:
            raise OSError(errno.EBADF, "standard input is closed")
        return stream.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:
        what = getattr(exc, "strerror", None) or "it is closed"
        raise ProblemError(f"cannot read standard input: {what}", source=STDIN_NAME) from None


def _read_file(path: str, shown: str) -> bytes:
    try:
        _refuse_special(os.stat(path).st_mode, shown)
        # O_NONBLOCK: should a FIFO be swapped in after the stat, opening it cannot hang.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(handle, "rb") as stream:
            _refuse_special(os.fstat(handle).st_mode, shown)
            os.set_blocking(handle, True)
            return stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ProblemError("no such file", source=shown) from None
    except IsADirectoryError:
        raise ProblemError("it is a directory, not a file", source=shown) from None
    except OSError as exc:
        raise ProblemError(f"cannot read it: {exc.strerror}", source=shown) from None


def _refuse_special(mode: int, shown: str) -> None:
    """Refuse anything but a regular file, saying what it is instead."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        what = "it is a directory, not a file"
    elif stat.S_ISFIFO(mode):
        what = ("it is a named pipe (FIFO), not a file: to read from a pipe, give '-' and "
                "send the text to standard input")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "it is a device, not a file"
    else:
        what = "it is not a regular file"
    raise ProblemError(what, source=shown)


class _Composer(_Parser):
    """PyYAML's composer with the implicit resolver left for later (see `Value.tag`)."""

    def descend_resolver(self, current_node, current_index) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind, value, implicit) -> str:
        if kind is yaml.ScalarNode:
            return _UNRESOLVED if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


@functools.lru_cache(maxsize=1024)
def _resolved(text: str) -> str:
    """The tag PyYAML's safe loader gives the plain scalar `text` (int, null, bool, ...)."""
    return Resolver().resolve(yaml.ScalarNode, text, (True, False))


def compose(text: str) -> yaml.Node | None:
    """The single YAML document in `text` as a node graph, or None if it is empty."""
    try:
        if "*" in text:  # an alias starts with '*': without one, one pass is enough
            _refuse_aliases(text)
        composer = _Composer(text)
        try:
            return composer.get_single_node()
        finally:
            composer.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ProblemError(f"not valid YAML: {problem}", line=line) from None
    except UnicodeEncodeError as exc:  # lone surrogates: text that never was UTF-8
        raise ProblemError(f"not valid YAML: character {exc.object[exc.start]!r} is not "
                           "text", line=text.count("\n", 0, exc.start) + 1) from None
    except yaml.reader.ReaderError as exc:  # a control character: not a MarkedYAMLError
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1]
                                                                         or "?")
        raise ProblemError(f"character {describe(chr(code))} is not allowed: a control "
                           "character or not text", line=line) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise ProblemError(f"not valid YAML: {first}") from None


def _refuse_aliases(text: str) -> None:
    """Aliases are refused from the events, before a graph that shares nodes exists."""
    for event in yaml.parse(text, Loader=_Composer):
        if isinstance(event, yaml.AliasEvent):
            raise ProblemError(
                f"YAML aliases (*{event.anchor}) are not allowed in a problem file",
                line=event.start_mark.line + 1)


def compose_mapping(text: str, empty: str, what: str, free_text: tuple[str, ...] = ()
                    ) -> Value:
    """The document's root, which must be a mapping of keys to values.

    `empty` is the message for an empty document; `what` names the file in the message for
    a document that is a single value or a list ("a problem file is a mapping of ...").
    Every key and value is checked for characters that must never be shown (see
    `bpcalc.problem.characters`); `free_text` names the top-level keys of free text.
    """
    node = compose(text)
    if node is None:
        raise ProblemError(empty)
    root = Value("", node)
    if root.is_scalar() or root.is_list():
        raise root.error(f"{what}, got {root.describe()}")
    check_document(node, text, free_text)
    return root


def line_of(node: yaml.Node) -> int | None:
    """The node's line from 1; None for a node built from Python data (no text, no line)."""
    return node.start_mark.line + 1 if node.start_mark is not None else None


def _short_tag(tag: str) -> str:
    return tag[len(_STANDARD_TAG):] if tag.startswith(_STANDARD_TAG) else tag


class Value(NamedTuple):
    """A YAML node with the key path that reached it, for messages like `weights[1][0]`."""

    key: str
    node: yaml.Node

    @property
    def line(self) -> int | None:
        return line_of(self.node)

    @property
    def tag(self) -> str:
        """The node's tag, as PyYAML's safe loader resolves it (`!!bool` for yes)."""
        tag = self.node.tag or ""
        return _resolved(self.node.value) if tag == _UNRESOLVED else tag

    def error(self, message: str) -> ProblemError:
        return ProblemError(message, key=short(self.key), line=self.line)

    def describe(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return "a mapping"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        if self.is_null():
            return "nothing (null)"
        return quoted(self.node.value)

    def _check_tag(self) -> None:
        tag = _short_tag(self.tag)
        if tag == "timestamp":
            raise self.error(f"{quoted(self.node.value)} reads as a date (a YAML timestamp): "
                             "quote it if it is text")
        if tag not in _PLAIN_TAGS:
            raise self.error(f"YAML tag {quoted(self.tag)} is not allowed here")

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and _short_tag(self.tag) == "null"

    def is_bool(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and _short_tag(self.tag) == "bool"

    def is_list(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    def is_scalar(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode)

    def text(self) -> str:
        if not self.is_scalar():
            raise self.error(f"expected a single value, got {self.describe()}")
        self._check_tag()
        return str(self.node.value)

    def free_text(self) -> str:
        """Text shown as written, such as a title; a date or other typed value is refused
        (quoting it makes it text) rather than shown as the tag YAML gave it."""
        if self.is_scalar() and _short_tag(self.tag) == "timestamp":
            raise self.error(f"must be text, and {self.node.value} reads as a date: put it in "
                             f"quotes ({self.key}: \"{self.node.value}\")")
        return self.text()

    def word(self) -> str:
        """A plain word such as an activation name; null reads as 'none'."""
        if self.is_null():
            return "none"
        return self.text().strip().lower()

    def number(self) -> Fraction:
        """A decimal or fraction, exactly as written; never evaluated as code."""
        if self.node.tag == _UNRESOLVED:  # a plain number is never null, bool or a date
            parsed = parse_number(self.node.value)
            if parsed is not None:
                return parsed
        if not self.is_scalar() or self.is_null() or self.is_bool():
            raise self.error(f"expected a number, got {self.describe()}")
        text = self.text().strip()
        parsed = parse_number(text)
        if parsed is None:
            raise self.error(number_refusal(text))
        return parsed

    def integer(self) -> int:
        value = self.number()
        if value.denominator != 1:
            raise self.error(f"expected a whole number, got {quoted(self.text().strip())}")
        return int(value)

    def _sequence(self) -> list[yaml.Node]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"expected a list, got {self.describe()}")
        self._check_tag()
        return self.node.value

    def items(self) -> list[Value]:
        return [Value(f"{self.key}[{i}]", item) for i, item in enumerate(self._sequence())]

    def count(self) -> int:
        """How many items the list has."""
        return len(self._sequence())

    def numbers(self) -> tuple[Fraction, ...]:
        """Every item as a number, as `number()` reads it; one value at a time only for a
        message, so that a thousand patterns read quickly."""
        numbers = []
        for i, item in enumerate(self._sequence()):
            parsed = parse_number(item.value) if item.tag == _UNRESOLVED else None
            numbers.append(Value(f"{self.key}[{i}]", item).number() if parsed is None
                           else parsed)
        return tuple(numbers)

    def mapping(self) -> dict[str, tuple[Value, Value]]:
        """Key text -> (key value, value); duplicate or non-scalar keys are errors."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"expected a mapping of keys to values, got {self.describe()}")
        self._check_tag()
        result: dict[str, tuple[Value, Value]] = {}
        for key_node, value_node in self.node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ProblemError("keys must be plain names", key=short(self.key),
                                   line=line_of(key_node))
            name = str(key_node.value)
            path = f"{self.key}.{name}" if self.key else name
            if name in result:
                raise ProblemError("key appears twice", key=short(path),
                                   line=line_of(key_node))
            result[name] = (Value(path, key_node), Value(path, value_node))
        return result


def printable(text: str) -> str:
    """A file name as it can be shown on one line: quoted and escaped if it holds a line
    break or a control character; never cut, since it says which file is meant."""
    return text if text.isprintable() else repr(text)


def number_refusal(text: str, example: str = '0.5, -1 or "1/3"') -> str:
    """The message for text that `parse_number` refused: over a limit, or not a number."""
    if _DECIMAL.fullmatch(text) or _FRACTION.fullmatch(text):
        if len(text) > _MAX_DIGITS:
            return (f"expected a number of at most {_MAX_DIGITS} characters: this one is over "
                    f"the limit ({len(text):,} characters)")
        if _DECIMAL.fullmatch(text):
            return (f"expected a number with an exponent from -{_MAX_EXPONENT} to "
                    f"{_MAX_EXPONENT}: {text} is over the limit")
        return f"expected a number: {text} divides by 0"
    return f"expected a number (like {example}), got {quoted(text)}"


@functools.lru_cache(maxsize=4096)  # files repeat their numbers (0, 1, 0.5, ...)
def parse_number(text: str) -> Fraction | None:
    """Fraction for '0.9', '.5', '-1', '2e-3' or '1/3'; None for anything else."""
    if len(text) > _MAX_DIGITS:
        return None
    match = _DECIMAL.fullmatch(text)
    if match:
        exponent = match.group(1)
        if exponent is None:  # digits, a point, digits: 0.25 is 25/100, as Fraction reads it
            whole, _, decimals = text.partition(".")
            return Fraction(int(whole + decimals), 10 ** len(decimals))
        if abs(int(exponent)) > _MAX_EXPONENT:
            return None
        return Fraction(text)
    match = _FRACTION.fullmatch(text)
    if match and int(match.group(2)) != 0:
        return Fraction(int(match.group(1)), int(match.group(2)))
    return None

"""The one error a user sees for bad input: names the key and, for YAML, the line.

A message is one short line whatever the user gave: text echoed back goes through `quoted`
(escaped, cut to a few dozen characters), and `one_line` escapes anything left that a
terminal would act on (a file name holding ESC or a newline, say) when the line is shown.
"""

from __future__ import annotations

SHOWN_CHARACTERS = 40  # user text echoed in a message is cut to this many characters


def one_line(text: str) -> str:
    """`text` with every character that is not printable (controls, line breaks, bidi and
    other invisible formatting) written as its Python escape: ESC -> \\x1b, LF -> \\n."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def quoted(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """User text inside a message: quoted and escaped as Python writes a string, cut to
    `limit` characters with an ellipsis and the full length: 'aaaa…' (1,048,576 characters)."""
    if len(text) <= limit:
        return repr(text)
    shown = repr(text[:limit])
    return f"{shown[:-1]}…{shown[-1]} ({len(text):,} characters)"


def short(text: str, limit: int = 60) -> str:
    """A key (or a short value) in a message: as it is if it is printable and short, else
    `quoted` and cut: a 1 MB key is a few words."""
    return text if text.isprintable() and len(text) <= limit else quoted(text, limit)


class ProblemError(Exception):
    """Bad problem file or option. The CLI prints it on one line and exits with status 2."""

    def __init__(self, message: str, key: str | None = None, line: int | None = None,
                 source: str | None = None):
        super().__init__(message)
        self.message = message
        self.key = key
        self.line = line
        self.source = source

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        prefix = ", ".join(where)
        text = f"{self.key}: {self.message}" if self.key else self.message
        return one_line(f"{prefix}: {text}" if prefix else text)

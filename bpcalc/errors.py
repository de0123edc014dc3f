"""The one error a user sees for bad input: names the key and, for YAML, the line."""

from __future__ import annotations


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
        return f"{prefix}: {text}" if prefix else text

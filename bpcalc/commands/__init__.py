"""One module per command; each has `register(app)` and imports heavy things lazily."""

from __future__ import annotations

import typer

from bpcalc.commands import check, diagram, examples, explain, generate, new, plot, solve

COMMANDS = [solve, explain, generate, new, examples, diagram, plot, check]


def register_all(app: typer.Typer) -> None:
    for module in COMMANDS:
        module.register(app)

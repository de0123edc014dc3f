"""One module per command; each has `register(app)` and imports heavy things lazily."""

from __future__ import annotations

import typer

from bpcalc.commands import (
    check,
    diagram,
    examples,
    explain,
    generate,
    handout,
    new,
    plot,
    solve,
)

# The order of `bpcalc --help`: checking homework first, then solving, then the rest.
COMMANDS = [check, solve, explain, diagram, plot, handout, new, examples, generate]


def register_all(app: typer.Typer) -> None:
    for module in COMMANDS:
        module.register(app)

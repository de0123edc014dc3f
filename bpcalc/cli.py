"""The `bpcalc` command line: the typer app and its commands, nothing else.

Each command lives in `bpcalc.commands`; renderers that need rich or SymPy are imported
only when used, so a numeric `--format json` run starts about as fast as typer itself.
"""

from __future__ import annotations

import typer

from bpcalc.commands import register_all

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Worked-example solver for backpropagation: every net, activation, delta and "
         "weight update, in the slides' or the textbook's convention.",
)


@app.callback()
def _commands() -> None:
    """Worked-example solver for backpropagation."""


register_all(app)


def main() -> None:
    app()

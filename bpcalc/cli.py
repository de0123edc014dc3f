"""The `bpcalc` command line: the typer app and its commands, nothing else.

Each command lives in `bpcalc.commands`; renderers that need rich or SymPy are imported
only when used, so a numeric `--format json` run starts about as fast as typer itself.
"""

from __future__ import annotations

import sys

import typer

from bpcalc.commands import register_all

_SETTINGS = dict(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Worked-example solver for backpropagation: every net, activation, delta and "
         "weight update, in the slides' or the textbook's convention.",
)
app = typer.Typer(**_SETTINGS)


def _print_version(value: bool) -> None:
    if value:
        from bpcalc import __version__

        typer.echo(f"bpcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _commands(version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")) -> None:
    """Worked-example solver for backpropagation."""


register_all(app)


def main() -> None:
    """Run the command line. typer builds every registered command's options before it
    runs one (milliseconds each, and start-up matters), so when the first argument names a
    command, an app holding only that command runs it: same options, same help."""
    chosen = _command_named(sys.argv[1]) if len(sys.argv) > 1 else None
    if chosen is None:
        app()
        return
    single = typer.Typer(**_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = [chosen]
    single()


def _command_named(name: str):
    for info in app.registered_commands:
        if (info.name or info.callback.__name__.replace("_", "-")) == name:
            return info
    return None

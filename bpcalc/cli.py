"""The `bpcalc` command line: the typer app and its commands, nothing else.

Each command lives in `bpcalc.commands`; renderers that need rich or SymPy are imported
only when used, so a numeric `--format json` run starts about as fast as typer itself.
Help is click's plain text (rich_markup_mode=None): it wraps between words at any width
(COLUMNS, else the terminal's, else 80) and needs no rich at start-up.
"""

from __future__ import annotations

import sys

import typer

from bpcalc.commands import register_all

PROG = "bpcalc"
_SETTINGS = dict(
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Worked-example solver for backpropagation: every net, activation, delta and "
         "weight update, in the slides' or the textbook's convention. Start with `bpcalc "
         "examples`, or `bpcalc new > problem.yaml`; `bpcalc COMMAND --help` shows a "
         "command's options and an example.",
)
app = typer.Typer(**_SETTINGS)


def _print_version(value: bool) -> None:
    if value:
        from bpcalc import __version__

        typer.echo(f"bpcalc {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _commands(ctx: typer.Context, version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")) -> None:
    """`bpcalc` alone prints this help and exits 0 (click's no_args_is_help exits 2)."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


register_all(app)


def main() -> None:
    """Run the command line. typer builds every registered command's options before it
    runs one (milliseconds each, and start-up matters), so when the first argument names a
    command, an app holding only that command runs it: same options, same help. Shell
    completion (`--install-completion`, `--show-completion`, and the completion requests
    a shell sends, whose argv is the program's name alone) goes through the whole app."""
    chosen = _command_named(sys.argv[1]) if len(sys.argv) > 1 else None
    if chosen is None:
        app(prog_name=PROG)
        return
    single = typer.Typer(**{**_SETTINGS, "add_completion": False})
    single.registered_callback = app.registered_callback
    single.registered_commands = [chosen]
    single(prog_name=PROG)


def _command_named(name: str):
    for info in app.registered_commands:
        if (info.name or info.callback.__name__.replace("_", "-")) == name:
            return info
    return None

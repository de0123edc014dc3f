"""`bpcalc examples`: list the bundled problems, or copy them out to edit."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded
from bpcalc.commands.files import check_output, reason, write_output
from bpcalc.errors import ProblemError
from bpcalc.problem.yamlsource import printable


def bundled() -> dict[str, str]:
    """Name -> text of every bundled problem (package data, so a plain install has them)."""
    from importlib.resources import files

    folder = files("bpcalc") / "examples"
    return {entry.name[:-5]: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".yaml")}


def describe(text: str) -> tuple[str, str]:
    """(title, one line on what the problem is), read from the problem itself."""
    from bpcalc.problem.loader import parse_problem
    from bpcalc.text import fraction_text

    problem = parse_problem(text)
    names = sorted({a.name for a in problem.activations}, key=[a.name for a in
                                                                problem.activations].index)
    patterns = len(problem.patterns)
    line = (f"{'-'.join(map(str, problem.network.sizes))} {'/'.join(names)}, "
            f"{patterns} pattern{'s' * (patterns != 1)} x {problem.epochs} "
            f"epoch{'s' * (problem.epochs != 1)}, learning rate "
            f"{fraction_text(problem.learning_rate)}, {problem.convention} convention")
    return problem.title, line


def examples(
    name: Annotated[str | None, typer.Argument(help="The problem to copy (omit to list).")]
    = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", "--to", help="File or directory to copy to (a name ending in / is a "
        "directory, made if need be); '-' prints it.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Copy every bundled problem.")] = False,
    force: Annotated[bool, typer.Option(help="Replace files that exist.")] = False,
) -> None:
    """List the bundled problems; `examples NAME` copies one, `--all --to DIR` all."""

    def job() -> None:
        problems = bundled()
        if name is None and not all_:
            _list(problems)
            return
        if all_ and name is not None:
            raise ProblemError("give a NAME or --all, not both", key="--all")
        chosen = problems if all_ else {_known(name, problems): None}
        if output == "-":
            if all_:
                raise ProblemError("--all copies files: give a directory", key="--to")
            write_output(problems[next(iter(chosen))], "-")
            return
        _copy({key: problems[key] for key in chosen}, output, as_dir=all_, force=force)

    run_guarded(job)


def _copy(chosen: dict[str, str], output: str | None, *, as_dir: bool, force: bool) -> None:
    """Copy each problem to its file; every destination is checked before the first copy."""
    option = "--to" if as_dir else "--output"
    if output == "":
        check_output(output, option=option)  # refused: an empty name
    path = Path(output) if output is not None else None
    if path is not None and not as_dir:
        as_dir = output.endswith(("/", "\\")) or path.is_dir()
    elif path is not None and os.path.lexists(path) and not path.is_dir():
        raise ProblemError(f"'{printable(output)}' is a file, not a directory: --all copies "
                           "every problem into a directory", key=option)
    targets = {key: (path or Path(".")) / f"{key}.yaml" if as_dir or path is None else path
               for key in chosen}
    for target in targets.values():
        check_output(target, force=force, option=option)
    if as_dir and path is not None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProblemError(f"cannot create '{printable(output)}': {reason(exc)}",
                               key=option) from None
    for key, target in targets.items():
        write_output(chosen[key], target, force=force, option=option)
        sys.stderr.write(f"copied {key}.yaml to {target}\n")


def _known(name: str, problems: dict[str, str]) -> str:
    stem = name[:-5] if name.endswith(".yaml") else name
    if stem not in problems:
        close = difflib.get_close_matches(stem, problems, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(problems)}"
        raise ProblemError(f"no bundled problem '{name}' ({hint})", key="NAME")
    return stem


def _list(problems: dict[str, str]) -> None:
    rows = [(key, *describe(text)) for key, text in problems.items()]
    width = max(len(key) for key, _t, _l in rows)
    out = []
    for key, title, line in rows:
        out.append(f"{key:<{width}}  {title}\n{'':<{width}}  {line}\n")
    out.append("\nCopy one to edit: bpcalc examples NAME [-o FILE or DIR]; "
               "all: bpcalc examples --all --to DIR\n")
    sys.stdout.write("".join(out))


def register(app: typer.Typer) -> None:
    app.command()(examples)

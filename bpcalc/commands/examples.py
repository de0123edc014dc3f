"""`bpcalc examples`: list the bundled problems, answers files and templates, or copy them
out to edit.

They are package data (`bpcalc/examples/`: problems at the top, `answers/`, `templates/`),
so a plain `pip install` has them; `--all --to DIR` copies them in that layout, so
`bpcalc examples --all --to problems/` gives the paths the README's commands use.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from bpcalc.commands.common import register_command, run_guarded
from bpcalc.commands.files import check_output, reason, write_output
from bpcalc.errors import ProblemError
from bpcalc.problem.yamlsource import printable


class Kind(NamedTuple):
    """One group of bundled files: its folder under bpcalc/examples and how one is used."""

    folder: str  # "" for the problems themselves
    title: str
    use: str


KINDS = (
    Kind("", "Problems", "bpcalc solve NAME.yaml"),
    Kind("answers", "Answers files", "bpcalc check PROBLEM.yaml NAME.yaml"),
    Kind("templates", "Templates", "bpcalc generate NAME.yaml"),
)


class Bundled(NamedTuple):
    name: str  # the file's stem, unique over every kind
    kind: Kind
    text: str

    @property
    def relative(self) -> Path:
        """Where it sits under bpcalc/examples, and under `--all --to DIR`."""
        return Path(self.kind.folder, f"{self.name}.yaml")


def bundled() -> dict[str, Bundled]:
    """Name -> every bundled file, problems first, then answers files, then templates."""
    from importlib.resources import files

    found: dict[str, Bundled] = {}
    for kind in KINDS:
        folder = files("bpcalc") / "examples"
        if kind.folder:
            folder = folder / kind.folder
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                name = entry.name[:-5]
                found[name] = Bundled(name, kind, entry.read_text(encoding="utf-8"))
    return found


def describe(item: Bundled) -> tuple[str, str]:
    """(title, one line on what it is): a problem is read by the loader; an answers file
    or a template says what it is in its first comment line."""
    if item.kind.folder:
        return "", _first_comment(item.text)
    from bpcalc.problem.loader import parse_problem
    from bpcalc.text import fraction_text

    problem = parse_problem(item.text)
    names = sorted({a.name for a in problem.activations}, key=[a.name for a in
                                                                problem.activations].index)
    patterns = len(problem.patterns)
    most = "at most " if problem.until is not None else ""
    line = (f"{'-'.join(map(str, problem.network.sizes))} {'/'.join(names)}, "
            f"{patterns} pattern{'s' * (patterns != 1)} x {most}{problem.epochs} "
            f"epoch{'s' * (problem.epochs != 1)}, learning rate "
            f"{fraction_text(problem.learning_rate)}, {problem.convention} convention")
    return problem.title, line


def _first_comment(text: str) -> str:
    """The file's opening comment up to the end of its first sentence, on one line."""
    words: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words.append(line.lstrip("#").strip())
        if words[-1].endswith((".", ":")):
            break
    return " ".join(words).rstrip(":")


def examples(
    name: Annotated[str | None, typer.Argument(
        metavar="[NAME]", show_default=False,
        help="The problem, answers file or template to copy (omit to list them).")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", "--to", metavar="FILE|DIR", help="File or directory to copy to (a "
        "name ending in / is a directory, made if need be); '-' prints it.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Copy every bundled file: problems into --to DIR, answers files into "
        "DIR/answers/, templates into DIR/templates/.")] = False,
    force: Annotated[bool, typer.Option(help="Replace files that exist.")] = False,
) -> None:
    """List the bundled problems, answers files and templates; `examples NAME` copies one,
    `--all --to DIR` all of them."""

    def job() -> None:
        items = bundled()
        if name is None and not all_:
            _list(items)
            return
        if all_ and name is not None:
            raise ProblemError("give a NAME or --all, not both", key="--all")
        if output == "-":
            if all_:
                raise ProblemError("--all copies files: give a directory", key="--to")
            write_output(items[_known(name, items)].text, "-")
            return
        chosen = list(items.values()) if all_ else [items[_known(name, items)]]
        _copy(chosen, output, as_dir=all_, force=force)

    run_guarded(job)


def _copy(chosen: list[Bundled], output: str | None, *, as_dir: bool, force: bool) -> None:
    """Copy each file to its place; every destination is checked before the first copy."""
    option = "--to" if as_dir else "--output"
    if output == "":
        check_output(output, option=option)  # refused: an empty name
    path = Path(output) if output is not None else None
    if path is not None and not as_dir:
        as_dir = output.endswith(("/", "\\")) or path.is_dir()
    elif path is not None and os.path.lexists(path) and not path.is_dir():
        raise ProblemError(f"'{printable(output)}' is a file, not a directory: --all copies "
                           "every bundled file into a directory", key=option)
    base = path or Path(".")
    if as_dir and len(chosen) > 1:  # --all: the package's layout, sub-folders and all
        targets = [(item, base / item.relative) for item in chosen]
    else:
        targets = [(item, base / f"{item.name}.yaml" if as_dir or path is None else path)
                   for item in chosen]
    for _item, target in targets:
        check_output(target, force=force, option=option)
    for folder in sorted({target.parent for _item, target in targets} if as_dir else ()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProblemError(f"cannot create '{printable(str(folder))}': {reason(exc)}",
                               key=option) from None
    for item, target in targets:
        write_output(item.text, target, force=force, option=option)
        sys.stderr.write(f"copied {item.relative.as_posix()} to {target}\n")


def _known(name: str, items: dict[str, Bundled]) -> str:
    stem = name[:-5] if name.endswith(".yaml") else name
    if stem not in items:
        close = difflib.get_close_matches(stem, items, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(items)}"
        raise ProblemError(f"no bundled file '{printable(name)}' ({hint})", key="NAME")
    return stem


def _list(items: dict[str, Bundled]) -> None:
    """Each kind under its heading, each file's lines wrapped to the screen's width."""
    import textwrap

    from bpcalc.commands.terminal import screen_for

    width = screen_for("never").width
    out = []
    for kind in KINDS:
        group = [item for item in items.values() if item.kind is kind]
        if not group:
            continue
        if out:
            out.append("\n")
        out.append(f"{kind.title} ({kind.use}):\n")
        column = max(len(item.name) for item in group) + 4
        for item in group:
            title, line = describe(item)
            for number, text in enumerate(filter(None, (title, line))):
                lead = f"  {item.name:<{column - 2}}" if number == 0 else ""
                out.append(textwrap.fill(text, max(width, column + 20), initial_indent=lead
                                         .ljust(column), subsequent_indent=" " * column,
                                         break_long_words=False, break_on_hyphens=False))
                out.append("\n")
    out.append("\nCopy one to edit: bpcalc examples NAME [-o FILE|DIR]\n"
               "Copy them all:    bpcalc examples --all --to DIR\n")
    sys.stdout.write("".join(out))


def register(app: typer.Typer) -> None:
    register_command(app, examples, "List or copy the bundled problems, answers files and "
                     "templates.",
                     "bpcalc examples",
                     "bpcalc examples xor                 # ./xor.yaml",
                     "bpcalc examples xor -o hw1.yaml",
                     "bpcalc examples --all --to problems/")

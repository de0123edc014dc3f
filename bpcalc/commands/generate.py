"""`bpcalc generate`: a template in, a directory of problems, answer keys and an index out."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import run_guarded
from bpcalc.commands.files import write_output
from bpcalc.errors import ProblemError

_OURS = re.compile(r"variant_\d+\.(yaml|key\.(json|md|tex|html|txt))|index\.(md|csv)")


def generate(
    template: Annotated[Path, typer.Argument(help="The template: a problem file with "
                                             "random or choice values.")],
    count: Annotated[int, typer.Option("--count", "-n", help="How many variants.")] = 10,
    seed: Annotated[int, typer.Option(help="The seed: the same seed writes the same files.")]
    = 1,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write into.")]
    = Path("problem-set"),
    formats: Annotated[str, typer.Option(
        help="Answer-key formats, comma-separated: json, markdown, latex, html, txt.")]
    = "json,markdown",
    force: Annotated[bool, typer.Option(help="Write into a directory that is not empty, "
                                        "replacing an earlier set.")] = False,
) -> None:
    """Write COUNT variants of a template: each a problem file and its answer keys."""

    def job() -> None:
        from bpcalc.problem.yamlsource import read_text, source_name
        from bpcalc.problemset.build import parse_formats, problem_set_files
        from bpcalc.problemset.generator import generate as generate_variants
        from bpcalc.problemset.generator import has_random_values

        chosen = parse_formats(formats)
        name = source_name(str(template))
        _check_out(out, force)
        try:
            text = read_text(str(template))
            variants = generate_variants(text, seed=seed, count=count, name=name)
        except ProblemError as error:
            if error.source is None and not (error.key or "").startswith("--"):
                error.source = name
            raise
        if not has_random_values(text):
            sys.stderr.write("bpcalc: warning: the template has no random or choice values, "
                             "so every variant is the same\n")
        files = problem_set_files(variants, chosen, template_name=name, seed=seed)
        _write(out, files)
        written = f"{len(variants)} variant{'s' * (len(variants) != 1)}"
        sys.stderr.write(f"wrote {written} to {out}/ (index: {out}/index.md)\n")

    run_guarded(job)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ProblemError(f"'{out}' exists and is not a directory", key="--out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ProblemError(f"'{out}' is not empty: choose another directory, or --force to "
                           "replace the set in it", key="--out")


def _write(out: Path, files: dict[str, str]) -> None:
    """Everything is rendered before this runs; an earlier set's extra variants go."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProblemError(f"cannot create '{out}': {exc.strerror}", key="--out") from None
    for old in out.iterdir():
        if _OURS.fullmatch(old.name) and old.name not in files:
            old.unlink()
    for name, text in files.items():
        write_output(text, out / name, force=True, option="--out")


def register(app: typer.Typer) -> None:
    app.command()(generate)

"""`bpcalc generate`: a template in, a directory of problems, answer keys and an index out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bpcalc.commands.common import problem_argument, register_command, run_guarded
from bpcalc.errors import ProblemError
from bpcalc.render import formats
from bpcalc.render.export import FILE_PATTERN, SetExports, parse_exports
from bpcalc.render.formats import Format, parse_key_formats

# The options, declared once here so that generate() reads as what it does.
TemplateArgument = Annotated[Path, problem_argument(
    "The template: a problem file with random or choice values", metavar="TEMPLATE")]
CountOption = Annotated[int | None, typer.Option(
    "--count", "-n", metavar="N", help="How many variants (default 10; with --roster, "
    "one per student).")]
SeedOption = Annotated[int, typer.Option(
    metavar="N", help="The seed: the same seed writes the same files.")]
OutOption = Annotated[str, typer.Option("--out", "-o", metavar="DIR",
                                        help="Directory to write into (made if need be).")]
FormatsOption = Annotated[str, typer.Option(
    metavar="FORMATS",
    help="Formats, comma-separated: answer keys json, markdown, latex, html, table (the "
         "terminal's tables, as .txt); worksheet (a self-check page, .worksheet.html); "
         "handouts (no answers) handout-markdown, handout-latex, handout-html.")]
ForceOption = Annotated[bool, typer.Option(help="Replace the set bpcalc wrote in --out (its "
                                           "manifest's files, nothing else).")]
RosterOption = Annotated[str | None, typer.Option(
    metavar="CSV", help="A variant per student: a CSV of ids (e.g. emails), first "
    "column or the one headed id, email or student; each student's variant depends on "
    "the seed and the id only.")]
ExportOption = Annotated[str, typer.Option(
    metavar="PLATFORMS",
    help="Also write the set for learning platforms, comma-separated: moodle (Moodle "
         "XML), qti (a Canvas QTI zip), prairielearn (a question folder).")]


def generate(
    template: TemplateArgument,
    count: CountOption = None,
    seed: SeedOption = 1,
    out: OutOption = "problem-set",
    formats: FormatsOption = "json,markdown,handout-markdown",
    force: ForceOption = False,
    roster: RosterOption = None,
    export: ExportOption = "",
) -> None:
    """Write COUNT variants of a template ('-': standard input), or one per student of
    --roster: each a problem file, its answer keys and its handout, all or nothing."""

    def job() -> None:
        from bpcalc.commands.fileset import check_out_dir, writing_set
        from bpcalc.problem.yamlsource import printable, read_text, source_name
        from bpcalc.problemset.build import problem_set_files
        from bpcalc.problemset.generator import has_random_values

        chosen = key_writers(parse_key_formats(formats, choices=SET_FORMATS))
        platforms = parse_exports(export) if export else ()
        name = source_name(str(template))
        check_out_dir(out, str(template))
        with writing_set(out, force=force, ours=set_file().fullmatch) as files:
            students = read_roster(roster, count, str(template))
            try:
                text = read_text(str(template))
                drawn = draw_variants(text, str(template), seed=seed, count=count,
                                      students=students, roster=roster, keys=chosen,
                                      exports=bool(platforms))
            except ProblemError as error:
                if error.source is None and not (error.key or "").startswith("--"):
                    error.source = name
                raise
            variants = drawn.variants
            report_draws(drawn.rejected, has_random_values(text))
            exports = (SetExports(platforms, template_name=str(template), template_text=text,
                                  seed=seed) if platforms else None)
            # The name as given: the variants and the index escape it themselves.
            for file_name, content in problem_set_files(variants, chosen, seed=seed,
                                                        template_name=str(template),
                                                        roster_name=roster, export=exports):
                files.write(file_name, content)
        written = f"{len(variants)} variant{'s' * (len(variants) != 1)}"
        shown = printable(out.rstrip("/"))
        sys.stderr.write(f"wrote {written} to {shown}/ (index: {shown}/index.md)\n")

    run_guarded(job)


def draw_variants(text: str, template: str, *, seed: int, count: int | None, students,
                  roster: str | None, keys: list, exports: bool = False):
    """The set's variants (bpcalc.problemset.generator.generate_set): before the first draw
    is judged, a set too large to write is refused, and `ask` is checked and resolved."""
    from bpcalc.problemset.build import check_work
    from bpcalc.problemset.generator import MAX_VARIANTS, generate_set

    size = len(students) if students else 10 if count is None else count

    def prepare(problem, template_keys):  # once, with the first variant's problem
        check_work([problem] * min(size, MAX_VARIANTS), [suffix for suffix, _write in keys],
                   exports)
        return asked_focus(problem, template_keys)

    return generate_set(text, seed=seed, count=size, name=template, roster=students,
                        roster_name=roster or "", focus=prepare)


def report_draws(rejected, random_values: bool) -> None:
    """On stderr: a template that draws nothing, and the draws refused, per rule."""
    from bpcalc.problemset.drawing import rejection_text

    if not random_values:
        sys.stderr.write("bpcalc: warning: the template has no random or choice values, so "
                         "every variant is the same\n")
    if rejected:
        total = sum(rejected.values())
        sys.stderr.write(f"refused {total} draw{'s' * (total != 1)} not worth working "
                         f"({rejection_text(rejected)}) and drew again\n")


def read_roster(roster: str | None, count: int | None, template: str):
    """The roster's students (None without --roster); a bad roster names its file and line."""
    if roster is None:
        return None
    if count is not None:
        raise ProblemError("a roster gives one variant per student: leave --count out",
                           key="--count")
    if roster == "-" and template == "-":
        raise ProblemError("the template is read from standard input, so the roster cannot "
                           "be: give its file", key="--roster")
    from bpcalc.problem.yamlsource import read_text, source_name
    from bpcalc.problemset.roster import parse_roster

    return parse_roster(read_text(roster), source_name(roster))


def asked_focus(problem, keys) -> tuple:
    """The quantities the template asks for (`ask`, else the outputs, deltas and new weights
    of step 1), each at its asked precision, for the rules that refuse a draw; a name the
    problem lacks is exit 2 naming `ask` and the template's line."""
    from bpcalc.grading.asked import DEFAULT_PRECISION, asked_or_default, parse_asked
    from bpcalc.grading.precision import asked_of
    from bpcalc.problemset.quality import Focus

    names = asked_or_default(keys.ask, problem)
    parsed = parse_asked(names, problem)  # refuses a value asked twice
    return tuple(Focus(step, quantity.kind, quantity.node, quantity.key,
                       asked_of(keys.answer_precision, quantity.kind) or DEFAULT_PRECISION)
                 for step, _name, quantity in parsed)


# What --formats may name: the answer keys and the handouts.
SET_FORMATS = formats.KEY_FORMATS + formats.HANDOUT_FORMATS


def set_file():
    """Every name a set can hold, whichever keys it has: what `--force` may replace."""
    from bpcalc.problemset.build import set_file_pattern

    return set_file_pattern((suffix(entry) for entry in SET_FORMATS), FILE_PATTERN)


def suffix(entry: Format) -> str:
    """A variant's file for `entry`: variant_01.key.md, variant_01.handout.md,
    variant_01.worksheet.html."""
    word = entry.file_word or ("handout" if entry.handout else "key")
    return f"{word}.{entry.extension}"


def key_writers(chosen: tuple[Format, ...]) -> list:
    """(file suffix, renderer) of each chosen format, from the formats table, for
    bpcalc.problemset.build.problem_set_files; a worksheet asks what the variant's
    template asks (`ask`, `answer_precision`)."""

    def writer(entry: Format):
        def write(trace, variant) -> str:
            options = formats.Options(ask=variant.ask or None,
                                      answer_precision=variant.answer_precision)
            return formats.render(trace, entry, options)

        return write

    return [(suffix(entry), writer(entry)) for entry in chosen]


def register(app: typer.Typer) -> None:
    register_command(app, generate, "Write a problem set: variants of a template, with "
                     "answer keys.",
                     "bpcalc generate templates/slides_2-2-1_variants.yaml \\",
                     "    --count 30 --seed 7 --out keys/",
                     "bpcalc examples slides_2-2-1_variants   # copy it first",
                     "bpcalc generate slides_2-2-1_variants.yaml -n 5",
                     "bpcalc generate t.yaml --formats latex,handout-latex",
                     "bpcalc generate t.yaml --roster class.csv --seed 7",
                     "bpcalc generate t.yaml --export moodle,qti")

"""`bpcalc solve`: load, solve, and hand the trace to one renderer (the JSON is streamed:
written step by step as the engine computes it)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from bpcalc.commands.common import (
    ConventionOption,
    EpochsOption,
    ForceOption,
    LearningRateOption,
    NotationOption,
    OutputOption,
    ProblemArgument,
    RoundOption,
    SigfigsOption,
    load_with_overrides,
    register_command,
    run_guarded,
)
from bpcalc.commands.files import check_output, open_output, write_output
from bpcalc.commands.terminal import ColorChoice, ColorOption, long_run_notice, screen_for
from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.model import Rounding
from bpcalc.render import formats

# The choices of --format: every key format of the one formats table.
OutputFormat = StrEnum("OutputFormat", {entry.name: entry.name for entry in formats.KEY_FORMATS})


class Show(StrEnum):
    tables = "tables"
    work = "work"
    both = "both"


def parse_step_selection(text: str, step_count: int) -> set[int]:
    """'1,3-5' -> {1, 3, 4, 5}; 'last' names the last step."""
    chosen: set[int] = set()
    for part in text.split(","):
        part = part.strip().lower()
        if part == "last":
            chosen.add(step_count)
            continue
        first, _, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if last else low
        except ValueError:
            raise ProblemError(f"expected step numbers like 1,3-5 or last, got {quoted(text)}",
                               key="--steps") from None
        if low > high:
            raise ProblemError(f"the range {quoted(part)} is reversed: write {high}-{low}",
                               key="--steps")
        if not 1 <= low <= high <= step_count:
            raise ProblemError(f"steps run from 1 to {step_count}, got {quoted(part)}",
                               key="--steps")
        chosen.update(range(low, high + 1))
    return chosen


def solve(
    file: ProblemArgument,
    format: Annotated[OutputFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="table (terminal), json, an answer key (markdown, latex or html), or worksheet "
             "(a self-check page). Default: from -o's extension (.txt .json .md .tex "
             ".html), else table.")] = None,
    exact: Annotated[bool, typer.Option(help="Exact SymPy values beside the decimals.")]
    = False,
    convention: ConventionOption = None,
    notation: NotationOption = None,
    show: Annotated[Show, typer.Option(
        help="Per step: tables, work (worked lines: net4 = .9 * .5 + ... = 1.25), or both.")]
    = Show.tables,
    round_places: RoundOption = None,
    sigfigs: SigfigsOption = None,
    epochs: EpochsOption = None,
    learning_rate: LearningRateOption = None,
    summary: Annotated[bool, typer.Option(
        help="Only the error per epoch and the final weights.")] = False,
    steps: Annotated[str | None, typer.Option(
        metavar="STEPS", help="Show only these steps, e.g. 1,3-5 or last.")] = None,
    output: OutputOption = None,
    force: ForceOption = False,
    color: ColorOption = ColorChoice.auto,
    ask: Annotated[str | None, typer.Option(
        metavar="NAMES", help="Worksheet: the values asked, comma-separated (z7,delta4,"
        "step 2: w47). Default: the outputs, deltas and new weights of step 1.")] = None,
    answer_places: Annotated[int | None, typer.Option(
        metavar="N", min=0, max=15, help="Worksheet: judge answers to N decimal places "
        "(default 4).")] = None,
    answer_sigfigs: Annotated[int | None, typer.Option(
        metavar="N", min=1, max=15, help="Worksheet: judge answers to N significant "
        "figures.")] = None,
) -> None:
    """Solve a problem file ('-': standard input) and show every step of the worked
    solution."""

    overrides = dict(convention=convention, notation=notation, round_places=round_places,
                     sigfigs=sigfigs, epochs=epochs, learning_rate=learning_rate)

    def job() -> None:
        chosen = output_format(output, format)
        asked = worksheet_request(chosen, ask, answer_places, answer_sigfigs)
        solve_file(file, View(chosen, exact, show, summary, steps, color, *asked), overrides,
                   output, force)

    run_guarded(job)


def output_format(output: str | None, given: OutputFormat | None) -> OutputFormat:
    """--format, or the one -o's extension names (bpcalc.render.formats.EXTENSIONS)."""
    names = [entry.name for entry in formats.KEY_FORMATS]
    return OutputFormat(formats.output_format(output, given.value if given else None, names,
                                              OutputFormat.table.value))


def worksheet_request(chosen: OutputFormat, ask: str | None, places: int | None,
                      sigfigs: int | None) -> tuple[tuple | None, Rounding | None]:
    """--ask as (name, no line) pairs and the precision asked, for the worksheet only."""
    given = [(value, option) for value, option in ((ask, "--ask"), (places, "--answer-places"),
                                                   (sigfigs, "--answer-sigfigs"))
             if value is not None]
    if given and chosen is not OutputFormat.worksheet:
        raise ProblemError("applies to --format worksheet only", key=given[0][1])
    precision = None
    if places is not None or sigfigs is not None:  # (grading is imported only for a worksheet)
        from bpcalc.grading.grade import parse_precision

        precision = parse_precision(places, sigfigs, keys=("--answer-places",
                                                           "--answer-sigfigs"))
    names = None
    if ask is not None:
        names = tuple((part.strip(), None) for part in ask.split(","))
        if not all(name for name, _line in names):
            raise ProblemError(f"expected names like z7,delta4,w47, got {quoted(ask)}",
                               key="--ask")
    return names, precision


class View(NamedTuple):
    """What the command line asks to see of the solution."""

    format: OutputFormat
    exact: bool
    show: Show
    summary: bool
    steps: str | None  # --steps as given
    color: ColorChoice = ColorChoice.auto
    ask: tuple | None = None  # the worksheet's --ask, as (name, None) pairs
    answer_precision: Rounding | None = None  # the worksheet's; None: 4 places


def solve_file(file: Path, view: View, overrides: dict, output: str | None,
               force: bool) -> None:
    """Load, check the request, solve, and write one format (`solve`'s whole work)."""
    from bpcalc.engine.numbers import make_arithmetic

    check_output(output, force=force, inputs=[("the problem file", file)])
    problem = load_with_overrides(file, **overrides)
    if view.ask is not None:  # every name checked before the solve
        from bpcalc.grading.asked import parse_asked

        try:
            parse_asked(list(view.ask), problem)
        except ProblemError as error:
            error.key = "--ask"
            raise
    arithmetic = make_arithmetic(problem.rounding, view.exact)
    if view.format is not OutputFormat.json:  # steps are chosen among those run
        from bpcalc.engine.stopping import with_epochs_run

        problem = with_epochs_run(problem, arithmetic)
    chosen = _shown_steps(view, problem.step_count)
    if view.format is OutputFormat.json:
        _write_json(problem, arithmetic, view.exact, output, force)
    else:
        _write_view(problem, arithmetic, view, chosen, output, force)


def _shown_steps(view: View, step_count: int) -> set[int] | None:
    """The steps --steps chooses (None: all); options that contradict each other are
    refused, never silently ignored."""
    if view.steps and view.summary:
        raise ProblemError("give --steps or --summary, not both (a summary shows no steps)",
                           key="--steps")
    chosen = parse_step_selection(view.steps, step_count) if view.steps else None
    if view.format is OutputFormat.worksheet:  # its boxes are step 1's values (and ask's)
        for given, option in ((view.steps, "--steps"), (view.summary, "--summary"),
                              (view.exact, "--exact")):  # check judges the float run
            if given:
                raise ProblemError("applies to tables and answer keys, not to the worksheet",
                                   key=option)
    if view.format is OutputFormat.json:
        # The contract's JSON is always the whole trace: say so rather than ignore them.
        for given, option in ((view.steps, "--steps"), (view.summary, "--summary"),
                              (view.show is not Show.tables, "--show")):
            if given:
                raise ProblemError("applies to tables and answer keys; --format json "
                                   "always prints the whole trace", key=option)
    return chosen


def _write_json(problem, arithmetic, exact: bool, output: str | None, force: bool) -> None:
    """The contract's JSON, streamed: each step is written as it is computed and then
    dropped, into a temporary file renamed into place at the end (standard output gets it
    as it comes)."""
    from bpcalc.engine.backprop import train
    from bpcalc.engine.limits import check_output as check_size
    from bpcalc.render.json_out import render_json, write_json

    run = train(problem, arithmetic, warn=True)  # refuses too much computation at once
    check_size(problem, problem.step_count, "json",
               "use fewer epochs (the JSON is always every step), or tables with --summary")
    if arithmetic.name == "exact":
        # Exact runs are short; their closed forms are measured (at most 200,000
        # characters) before anything is written.
        write_output(render_json(run, exact=True), output, force=force)
        return
    with open_output(output, force=force) as stream:
        write_json(run, stream, exact=exact)


def _write_view(problem, arithmetic, view: View, chosen: set[int] | None,
                output: str | None, force: bool) -> None:
    """Tables or an answer key, from a trace that keeps only the steps shown (a summary
    none)."""
    from bpcalc.engine.backprop import train
    from bpcalc.engine.limits import check_output as check_size
    from bpcalc.engine.run import kept_steps

    run = train(problem, arithmetic, record=not view.summary, warn=True)
    if not view.summary:
        shown = problem.step_count if chosen is None else len(kept_steps(problem, chosen))
        written = "tables" if view.format is OutputFormat.table else "document"
        check_size(problem, shown, written,
                   "use --summary (the error per epoch and the final weights), --steps to "
                   "show some steps, or fewer epochs")
        long_run_notice(problem.step_count if chosen is None else len(chosen))
    trace = run.trace(keep=chosen)
    # Styles only for tables (COLUMNS, NO_COLOR, --color: bpcalc.commands.terminal).
    screen = screen_for(view.color, output)
    options = formats.Options(steps=chosen, summary=view.summary, exact=view.exact,
                              show=view.show.value, width=screen.width,
                              color=screen.color and view.format is OutputFormat.table,
                              ask=view.ask, answer_precision=view.answer_precision)
    write_output(formats.render(trace, view.format.value, options), output, force=force)


def register(app: typer.Typer) -> None:
    register_command(app, solve, "Solve a problem and show every step of the working.",
                     "bpcalc solve problems/slides_2-2-1.yaml",
                     "bpcalc solve p.yaml --steps 1,last --show work",
                     "bpcalc solve p.yaml --epochs 200 --summary",
                     "bpcalc solve p.yaml -o key.md   # markdown, by extension",
                     "bpcalc new | bpcalc solve -")

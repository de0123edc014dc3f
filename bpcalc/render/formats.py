"""Every output format bpcalc writes, named once: the one table that `solve`, `generate`
and anything else that writes a key or a picture reads.

An entry gives the format's command-line name (and the other spellings accepted), the
extension of a file written in it, whether it is binary, and its renderer. Renderers are
imported only when their format is written, so naming every format here costs nothing at
start-up. A new output format is one entry here plus its renderer module.

The plain-text view of the terminal's tables is `table` everywhere (`solve --format table`,
`generate --formats table`); its files end in `.txt`, and `txt` (generate's name for it
before) is still accepted.

`EXTENSIONS` says which formats a file may hold by its extension: `-o key.html` writes HTML
unless `--format` names another format a `.html` file admits (`output_format`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, NamedTuple

from bpcalc.errors import ProblemError, quoted

if TYPE_CHECKING:  # the table is read at every start: it imports no renderer, no engine
    from bpcalc.engine.trace import Trace


class Options(NamedTuple):
    """What a reader asked to see; each format uses the options that apply to it."""

    steps: set[int] | None = None  # only these 1-based steps (tables and keys)
    summary: bool = False  # no steps: the error per epoch and the final weights
    exact: bool = False  # the JSON's `_exact` twins (tables and keys show an exact run's)
    show: str = "tables"  # per step in the terminal: tables, work (worked lines) or both
    color: bool = False  # the terminal's styles (only for a terminal)
    width: int | None = None  # columns; None: render.console.DOCUMENT_WIDTH (120)
    # The worksheet's questions: `ask:` entries as (text, line) pairs (None: the outputs,
    # deltas and new weights of step 1) and their precision (None: 4 decimal places).
    ask: tuple | None = None
    answer_precision: object = None  # a Rounding or QuantityRounding


class Format(NamedTuple):
    name: str  # as the command line spells it
    extension: str  # of a file written in this format
    description: str
    render: Callable[[Trace, Options], str] | None = None  # None: a picture (see pictures/)
    aliases: tuple[str, ...] = ()  # other spellings accepted on the command line
    binary: bool = False
    key: bool = True  # an answer key of a trace (`solve --format`); pictures, handouts not
    handout: bool = False  # the problem as a student receives it: no computed value
    file_word: str = ""  # a set's file name before the extension (variant_01.worksheet.html);
    # "" for `key`, or `handout` for a handout


def _table(trace: Trace, options: Options) -> str:
    from bpcalc.render.terminal.tables import render_tables_text

    return render_tables_text(trace, steps=options.steps, summary=options.summary,
                              color=options.color, width=options.width, show=options.show)


def _json(trace: Trace, options: Options) -> str:
    from bpcalc.render.json_out import render_json

    return render_json(trace, exact=options.exact)


def _document(renderer: str,
              pictures: tuple[str, ...] = ("svg",)) -> Callable[[Trace, Options], str]:
    """An answer key: the one document model, typeset by `renderer` (module.Class), with
    the network (and error plot) drawn as `pictures` says: svg, latex."""

    def render(trace: Trace, options: Options) -> str:
        import importlib

        from bpcalc.render.document.build import build_document
        from bpcalc.render.document.figures import add_pictures

        document = build_document(trace, steps=options.steps, summary=options.summary)
        if pictures:
            add_pictures(document, trace, pictures)
        module, _, name = renderer.rpartition(".")
        return getattr(importlib.import_module(module), name)().render(document)

    return render


def _handout(renderer: str) -> Callable[[Trace, Options], str]:
    """A handout: the problem alone (the trace's problem; none of its computed values)."""

    def render(trace: Trace, options: Options) -> str:
        import importlib

        from bpcalc.render.document.handout import build_handout

        drawing = ("latex" if renderer.endswith("LatexRenderer") else
                   "png" if renderer.endswith("MarkdownRenderer") else "svg")
        document = build_handout(trace.problem, (drawing,))
        module, _, name = renderer.rpartition(".")
        return getattr(importlib.import_module(module), name)().render(document)

    return render


def _worksheet(trace: Trace, options: Options) -> str:
    from bpcalc.render.document.worksheet import render_worksheet

    return render_worksheet(trace, options.ask, options.answer_precision)


FORMATS: dict[str, Format] = {entry.name: entry for entry in (
    Format("table", "txt", "the terminal's tables as plain text", _table,
           aliases=("txt", "text", "tables")),
    Format("json", "json", "the contract's JSON: every value of every step", _json),
    Format("markdown", "md", "an answer key with $...$ maths (GitHub, GitLab)",
           _document("bpcalc.render.document.markdown.MarkdownRenderer", ("png",)),
           aliases=("md",)),
    Format("latex", "tex", "an answer key for pdflatex",
           _document("bpcalc.render.document.latex.LatexRenderer", ("latex",)),
           aliases=("tex",)),
    Format("html", "html", "an answer key as one offline page, with pictures",
           _document("bpcalc.render.document.html.HtmlRenderer")),
    Format("worksheet", "html", "a self-check page: the problem and a box per asked value, "
           "judged as check judges it, offline", _worksheet, file_word="worksheet"),
    Format("svg", "svg", "a picture (diagram, plot) as SVG text", key=False),
    Format("png", "png", "a picture (diagram, plot) as PNG", binary=True, key=False),
    Format("pdf", "pdf", "a picture (diagram, plot) as vector PDF, for LaTeX", binary=True,
           key=False),
    Format("handout-markdown", "md", "the problem for students, no answers, as Markdown",
           _handout("bpcalc.render.document.markdown.MarkdownRenderer"), key=False,
           handout=True),
    Format("handout-latex", "tex", "the problem for students, no answers, for pdflatex",
           _handout("bpcalc.render.document.latex.LatexRenderer"), key=False, handout=True),
    Format("handout-html", "html", "the problem for students, no answers, as one page",
           _handout("bpcalc.render.document.html.HtmlRenderer"), key=False, handout=True),
)}

# Not a format of the command line: the HTML key as a notebook shows it (bpcalc.api).
notebook_html = _document("bpcalc.render.document.html.HtmlFragmentRenderer")

KEY_FORMATS = tuple(entry for entry in FORMATS.values() if entry.key)
PICTURE_FORMATS = tuple(entry for entry in FORMATS.values() if entry.render is None)
HANDOUT_FORMATS = tuple(entry for entry in FORMATS.values() if entry.handout)
# `bpcalc check`'s reports (bpcalc.render.terminal.check_report): the verdicts, not a trace.
CHECK_FORMATS = {"table": "the verdicts as the terminal's table (plain text in a file)",
                 "json": "the verdicts as JSON",
                 "gradescope": "Gradescope's results.json"}

# What a file's extension admits, for every command: the formats a file so named may hold,
# the first the one `-o FILE` writes when no --format is given (and the command writes it).
# A name with no extension, or one not listed (`key`, `out.log`, /dev/stdout), holds the
# command's default format (tables) or the one --format names. Documented in the README.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "txt": ("table",),
    "json": ("json", "gradescope"),
    "md": ("markdown", "handout-markdown"),
    "markdown": ("markdown", "handout-markdown"),
    "tex": ("latex", "handout-latex"),
    "html": ("html", "worksheet", "handout-html"),
    "htm": ("html", "worksheet", "handout-html"),
    "svg": ("svg",),
    "png": ("png",),
    "pdf": ("pdf",),
}


def find(name: str, choices=KEY_FORMATS) -> Format | None:
    """The format `name` spells (its name or an alias, any case), or None."""
    wanted = name.strip().lower()
    return next((entry for entry in choices
                 if wanted == entry.name or wanted in entry.aliases), None)


def render(trace: Trace, fmt: Format | str, options: Options | None = None) -> str:
    """`trace` written in one key format."""
    entry = fmt if isinstance(fmt, Format) else FORMATS[fmt]
    if entry.render is None:
        raise ValueError(f"{entry.name} is a picture format: draw it with render.pictures")
    return entry.render(trace, options or Options())


def parse_key_formats(text: str, option: str = "--formats",
                      choices: tuple[Format, ...] = KEY_FORMATS) -> tuple[Format, ...]:
    """'json,markdown' -> those formats, each once; an unknown name is an `option` error.
    `choices`: the formats allowed (generate adds the handouts)."""
    chosen: list[Format] = []
    for part in text.split(","):
        entry = find(part, choices)
        if entry is None:
            known = ", ".join(entry.name for entry in choices)
            raise ProblemError(f"unknown answer-key format {quoted(part.strip())} (known: {known})",
                               key=option)
        if entry not in chosen:
            chosen.append(entry)
    return tuple(chosen)


def by_extension(extension: str, choices=PICTURE_FORMATS) -> Format | None:
    """The format whose files end in `.extension` (any case), or None."""
    wanted = extension.lower().lstrip(".")
    return next((entry for entry in choices if entry.extension == wanted), None)


def output_format(output: str | None, given: str | None, choices: Sequence[str],
                  default: str, *, option: str = "--format") -> str:
    """The format a command writes to `output` (-o): `given` (--format, one of `choices`)
    if the file's extension admits it, else the first of the command's `choices` the
    extension admits; a name with no extension, or one `EXTENSIONS` does not list, holds
    `given` or `default`. A contradiction is refused, never written (`-o key.html` with
    --format table, or `solve -o key.png`)."""
    suffix = PurePath(output).suffix.lower().lstrip(".") if output not in (None, "-") else ""
    admitted = EXTENSIONS.get(suffix)
    if admitted is None:
        return given or default
    if given is not None:
        if given not in admitted:
            raise ProblemError(f"a .{suffix} file holds {_either(admitted)}, not {given}: "
                               f"drop {option} or name the file for it", key=option)
        return given
    ours = [name for name in admitted if name in choices]
    if not ours:
        written = sorted({f".{ext}" for ext, names in EXTENSIONS.items()
                          if set(names) & set(choices)})
        raise ProblemError(f"this command writes no .{suffix} file (it writes "
                           f"{_either(written)})", key="--output")
    return ours[0]


def _either(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def render_handout(problem, fmt: Format | str = "handout-markdown") -> str:
    """A problem's handout (no solve: a handout reads only the problem), for the Python API
    as for `bpcalc handout`."""
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.engine.trace import Trace

    entry = fmt if isinstance(fmt, Format) else FORMATS[fmt]
    if not entry.handout:
        raise ValueError(f"{entry.name} is not a handout format")
    trace = Trace(problem, make_arithmetic(problem.rounding, False), [], {})
    return render(trace, entry)

"""Every output format bpcalc writes, named once: the one table that `solve`, `generate`
and anything else that writes a key or a picture reads.

An entry gives the format's command-line name (and the other spellings accepted), the
extension of a file written in it, whether it is binary, and its renderer. Renderers are
imported only when their format is written, so naming every format here costs nothing at
start-up. A new output format is one entry here plus its renderer module.

The plain-text view of the terminal's tables is `table` everywhere (`solve --format table`,
`generate --formats table`); its files end in `.txt`, and `txt` (generate's name for it
before) is still accepted.
"""

from __future__ import annotations

from collections.abc import Callable
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


class Format(NamedTuple):
    name: str  # as the command line spells it
    extension: str  # of a file written in this format
    description: str
    render: Callable[[Trace, Options], str] | None = None  # None: a picture (see pictures/)
    aliases: tuple[str, ...] = ()  # other spellings accepted on the command line
    binary: bool = False
    key: bool = True  # an answer key of a trace (`generate --formats`); pictures are not


def _table(trace: Trace, options: Options) -> str:
    from bpcalc.render.terminal.tables import render_tables_text

    return render_tables_text(trace, steps=options.steps, summary=options.summary,
                              color=options.color, width=options.width, show=options.show)


def _json(trace: Trace, options: Options) -> str:
    from bpcalc.render.json_out import render_json

    return render_json(trace, exact=options.exact)


def _document(renderer: str, pictures: bool = False) -> Callable[[Trace, Options], str]:
    """An answer key: the one document model, typeset by `renderer` (module.Class)."""

    def render(trace: Trace, options: Options) -> str:
        import importlib

        from bpcalc.render.document.build import add_pictures, build_document

        document = build_document(trace, steps=options.steps, summary=options.summary)
        if pictures:
            add_pictures(document, trace)
        module, _, name = renderer.rpartition(".")
        return getattr(importlib.import_module(module), name)().render(document)

    return render


FORMATS: dict[str, Format] = {entry.name: entry for entry in (
    Format("table", "txt", "the terminal's tables as plain text", _table,
           aliases=("txt", "text", "tables")),
    Format("json", "json", "the contract's JSON: every value of every step", _json),
    Format("markdown", "md", "an answer key with $...$ maths (GitHub, GitLab)",
           _document("bpcalc.render.document.markdown.MarkdownRenderer"), aliases=("md",)),
    Format("latex", "tex", "an answer key for pdflatex",
           _document("bpcalc.render.document.latex.LatexRenderer"), aliases=("tex",)),
    Format("html", "html", "an answer key as one offline page, with pictures",
           _document("bpcalc.render.document.html.HtmlRenderer", pictures=True)),
    Format("svg", "svg", "a picture (diagram, plot) as SVG text", key=False),
    Format("png", "png", "a picture (diagram, plot) as PNG", binary=True, key=False),
)}

# Not a format of the command line: the HTML key as a notebook shows it (bpcalc.api).
notebook_html = _document("bpcalc.render.document.html.HtmlFragmentRenderer", pictures=True)

KEY_FORMATS = tuple(entry for entry in FORMATS.values() if entry.key)
PICTURE_FORMATS = tuple(entry for entry in FORMATS.values() if not entry.key)


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


def parse_key_formats(text: str, option: str = "--formats") -> tuple[Format, ...]:
    """'json,markdown' -> those formats, each once; an unknown name is an `option` error."""
    chosen: list[Format] = []
    for part in text.split(","):
        entry = find(part)
        if entry is None:
            known = ", ".join(entry.name for entry in KEY_FORMATS)
            raise ProblemError(f"unknown answer-key format {quoted(part.strip())} (known: {known})",
                               key=option)
        if entry not in chosen:
            chosen.append(entry)
    return tuple(chosen)


def by_extension(extension: str, choices=PICTURE_FORMATS) -> Format | None:
    """The format whose files end in `.extension` (any case), or None."""
    wanted = extension.lower().lstrip(".")
    return next((entry for entry in choices if entry.extension == wanted), None)

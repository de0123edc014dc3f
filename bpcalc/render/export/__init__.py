"""A generated set for a learning platform (`bpcalc generate --export moodle,qti,prairielearn`).

Each export is a renderer of the set's variants: `SetExports.add` keeps a small record of
each solved variant as `problemset.build` passes it (`records.VariantRecord`: what is asked,
with the accepted intervals of `grading.asked`, the statement, the picture and the worked
lines), and `files` writes every chosen platform's files from those records, through the
same all-or-nothing writer as the rest of the set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from bpcalc.errors import ProblemError, quoted

# --export's choices, in the order their files are written, and what each one is.
EXPORTS = {"moodle": "Moodle XML: one Cloze question per variant (moodle.xml)",
           "qti": "Canvas: a QTI 1.2 zip, one quiz per variant (canvas_qti.zip)",
           "prairielearn": "PrairieLearn: a question folder (prairielearn/QUESTION/)"}
# Every file an export may write: what `generate --force` may replace.
FILE_PATTERN = (r"moodle\.xml|canvas_qti\.zip|prairielearn/[A-Za-z0-9_-]+/"
                r"(info\.json|question\.html|server\.py|variants\.json|"
                r"clientFilesQuestion/network_\d+\.svg)")
_OPTION = "--export"


def parse_exports(text: str) -> tuple[str, ...]:
    """'moodle,qti' -> those exports, each once; an unknown name is an --export error."""
    chosen: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if name not in EXPORTS:
            raise ProblemError(f"unknown export {quoted(part.strip())} (choices: "
                               f"{', '.join(EXPORTS)})", key=_OPTION)
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def question_name(template_name: str) -> str:
    """A platform's name for the template's question: its file name's stem, in letters,
    digits, `_` and `-` (PrairieLearn's question folder), neither first nor last;
    `problem_set` when none is left (a template read from `-`, standard input)."""
    stem = re.sub(r"\.ya?ml$", "", template_name.replace("\\", "/").rsplit("/", 1)[-1])
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-") or "problem_set"


class SetExports:
    """The chosen exports of one set: records added variant by variant, files at the end."""

    def __init__(self, chosen: tuple[str, ...], *, template_name: str, template_text: str,
                 seed: int):
        self.chosen = chosen
        self.set = SetInfo(question_name(template_name), template_text, seed)
        self.records: list = []

    def add(self, variant, trace) -> None:
        from bpcalc.render.export.records import variant_record

        self.records.append(variant_record(variant, trace))

    def files(self) -> Iterator[tuple[str, str | bytes]]:
        import importlib

        for name in self.chosen:
            module = importlib.import_module(f"bpcalc.render.export.{name}")
            yield from module.files(self.records, self.set)


class SetInfo(NamedTuple):
    """What names the set: the question's name, the template's text and the seed."""

    name: str
    template_text: str
    seed: int

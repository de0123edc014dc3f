"""A problem set as files: each variant's problem, its answer keys, and an index.

Every answer key is a renderer of the variant's solved trace (the same solve that
`bpcalc solve` does on the written problem file), so a key can never disagree with the
problem it answers. Pure: yields file names and texts one at a time, the index files last,
and keeps no trace once its keys are rendered; the command writes them. The keys are
written by functions the command passes in (from bpcalc.render.formats), so this module
stays below the rendering layer; so are the exports (Moodle, Canvas, PrairieLearn), which
keep a small record of each solved variant as the loop passes and write their files after
the last variant, before the index: each variant is solved once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Protocol

from bpcalc.engine.trace import Trace
from bpcalc.errors import ProblemError, one_line
from bpcalc.problem.model import Problem
from bpcalc.problem.training import rounding_data
from bpcalc.problemset.generator import Variant
from bpcalc.problemset.quality import solved
from bpcalc.problemset.yamltext import shell_word
from bpcalc.text import format_float, format_value, fraction_text, markdown_text

# A key: (file-name suffix such as "key.md", the function writing it from the trace and
# its variant, whose `ask` and `answer_precision` a worksheet reads).
KeyWriter = tuple[str, Callable[[Trace, Variant], str]]
# Milliseconds to write one key, by its file's extension: for the key, and for each value of
# its steps (steps x (nodes + weights)); HTML draws two pictures. Measured (CPU) on the
# README's machine.
KEY_MILLISECONDS = {"json": (1, 0.01), "md": (4, 0.63), "tex": (6, 0.66),
                    "html": (105, 1.5), "txt": (20, 2.0),
                    # a worksheet draws the network once and writes step 1's lines
                    "worksheet.html": (70, 0.0),
                    # a handout draws the network once (SVG, or a LaTeX picture) and no step
                    "handout.md": (60, 0.0), "handout.html": (60, 0.0), "handout.tex": (15, 0.0)}
# Every export of a variant (its record: the picture, statement and worked lines as HTML).
EXPORT_MILLISECONDS = (45, 1.0)  # measured: 40 variants of the 2-2-1 template, 2.3 s
SET_MILLISECONDS = 60_000  # a set is written within about a minute


class SetExport(Protocol):
    """The set for another platform (bpcalc.render.export): shown each solved variant in
    turn, it keeps what it needs; then it writes its files."""

    def add(self, variant: Variant, trace: Trace) -> None: ...

    def files(self) -> Iterator[tuple[str, str | bytes]]: ...


def check_set_work(variants: list[Variant], suffixes: list[str], exports: bool = False) -> None:
    """Refuse a set whose keys (file suffixes such as key.md) and exports would take more
    than about a minute to write."""
    check_work([variant.problem for variant in variants], suffixes, exports)


def check_work(problems: list[Problem], suffixes: list[str], exports: bool = False) -> None:
    """The same for the variants' problems: called with the first variant's problem as
    many times as the set has variants, before the draws are judged (each judged by a
    solve), so that a set too large to write is refused at once."""
    from bpcalc.engine.limits import output_size

    costs = [KEY_MILLISECONDS.get(suffix, KEY_MILLISECONDS.get(suffix.rpartition(".")[2],
                                                               (20, 2.0)))
             for suffix in suffixes] + [EXPORT_MILLISECONDS] * exports
    total = 0.0
    for problem in problems:
        values = output_size(problem, problem.step_count)
        total += sum(per_key + values * per_value for per_key, per_value in costs)
    if total > SET_MILLISECONDS:
        names = ", ".join(suffix.rpartition(".")[2] for suffix in suffixes)
        raise ProblemError(
            f"{len(problems):,} variants with {names} keys would take about "
            f"{total / 1000:,.0f} s to write (at most {SET_MILLISECONDS // 1000} s): use a "
            "smaller --count, fewer --formats or --export, or fewer epochs in the template",
            key="--count")


def set_file_pattern(suffixes, exports: str = "") -> re.Pattern:
    """Every name a set with keys ending in `suffixes` (and the exports' files, a regular
    expression) can hold: what `generate --force` may replace, and nothing else."""
    keys = "|".join(re.escape(suffix) for suffix in suffixes)
    more = f"|{exports}" if exports else ""
    return re.compile(rf"variant_\d+\.(yaml|{keys})|index\.(md|csv|json){more}")


def problem_set_files(variants: list[Variant], keys: list[KeyWriter], *,
                      template_name: str, seed: int, roster_name: str | None = None,
                      export: SetExport | None = None) -> Iterator[tuple[str, str | bytes]]:
    """(file name, text) for the whole set, variant by variant, then the exports' files,
    the index files last; a set too large to write in about a minute is refused before
    the first file."""
    check_set_work(variants, [suffix for suffix, _write in keys], export is not None)
    width = max(2, len(str(len(variants))))
    rows = []
    for variant in variants:
        stem = f"variant_{variant.number:0{width}d}"
        trace = solved(variant.problem)
        yield f"{stem}.yaml", variant.text
        names = []
        for suffix, write in keys:
            name = f"{stem}.{suffix}"
            yield name, write(trace, variant)
            names.append(name)
        if export is not None:
            export.add(variant, trace)
        rows.append((variant, f"{stem}.yaml", names, _answers(trace),
                     trace.problem.step_count))
    if export is not None:
        yield from export.files()
    yield "index.md", _index_markdown(rows, template_name, seed, roster_name)
    yield "index.csv", _index_csv(rows)
    yield "index.json", _index_json(rows, template_name, seed, roster_name)


def _answers(trace: Trace) -> tuple[str, str, str]:
    """The headline numbers of a key: step 1's outputs and error, and the last epoch's error."""
    arithmetic = trace.arithmetic
    first = trace.steps[0]
    outputs = [format_value(arithmetic, node.out, exact=False)
               for node in first.nodes if node.kind == "output"]
    error = format_value(arithmetic, first.error, exact=False)
    last_epoch = trace.epoch_errors()[-1][1]
    return ", ".join(outputs), error, format_float(last_epoch)


def _patterns_text(variant: Variant) -> str:
    patterns = variant.problem.patterns
    if len(patterns) > 2:
        return f"{len(patterns)} patterns"

    def vector(values) -> str:
        return "[" + ", ".join(fraction_text(v) for v in values) + "]"

    return "; ".join(f"{vector(p.input)} → {vector(p.target)}" for p in patterns)


def _index_markdown(rows, template_name: str, seed: int, roster: str | None) -> str:
    """The index; the template's name is escaped (one line, no Markdown), never raw."""
    several = any(row[4] > 1 for row in rows)
    heading = markdown_text(one_line(template_name))
    command = f"bpcalc generate {shell_word(template_name)} --seed {seed} " + (
        f"--count {len(rows)}" if roster is None else f"--roster {shell_word(roster)}")
    lines = [
        f"# Problem set from {heading}, seed {seed}: {len(rows)} "
        f"variant{'s' * (len(rows) != 1)}",
        "",
        f"Made with {_code(command)}; the same command writes the same files again.",
        "Each variant's problem file solves with `bpcalc solve`; its answer keys are the "
        "solved trace of that file.",
        "",
    ]
    header = ["variant", "problem", "answer keys, handouts", "learning rate", "pattern(s)",
              "output(s), step 1", "error, step 1"]
    if roster is not None:
        header.insert(1, "student")
    if several:
        header.append("error, last epoch")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for variant, problem_file, keys, answers, _steps in rows:
        outputs, error, last = answers
        cells = [str(variant.number), f"[{problem_file}]({problem_file})",
                 " ".join(f"[{k.split('.', 1)[1]}]({k})" for k in keys),
                 fraction_text(variant.problem.learning_rate), _patterns_text(variant),
                 outputs, error]
        if several:
            cells.append(last)
        if roster is not None:
            cells.insert(1, markdown_text(one_line(variant.student or "")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A Markdown code span that no backtick in `text` can close early."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _index_csv(rows) -> str:
    """One row per variant: its files, every drawn value, and the headline answers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    labels = [label for label, _text in rows[0][0].drawn]
    students = rows[0][0].student is not None  # a roster's set: a column of students
    writer.writerow(["variant", "problem", *["student"] * students, "answer_keys", *labels,
                     "outputs_step_1", "error_step_1", "error_last_epoch"])
    for variant, problem_file, keys, answers, _steps in rows:
        drawn = dict(variant.drawn)
        writer.writerow([variant.number, problem_file, *[variant.student] * students,
                         " ".join(keys),
                         *(drawn.get(label, "").strip('"') for label in labels), *answers])
    return buffer.getvalue()


def _index_json(rows, template_name: str, seed: int, roster: str | None) -> str:
    """The set for programs (check --set, the worksheet, the exports): each variant's files,
    student and what is asked at which precision. `ask` null: the default (outputs, deltas
    and new weights of step 1); `answer_precision` null: 4 decimal places."""
    variants = []
    for variant, problem_file, keys, _answers, _steps in rows:
        variants.append({
            "number": variant.number, "file": problem_file, "keys": keys,
            "student": variant.student,
            "ask": [text for text, _line in variant.ask] or None,
            "answer_precision": rounding_data(variant.answer_precision)})
    first = rows[0][0]
    data = {"template": template_name, "seed": seed, "roster": roster, "count": len(rows),
            "ask": variants[0]["ask"], "answer_precision": rounding_data(
                first.answer_precision), "variants": variants}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""A checked answers file as a rich table, HTML or Markdown, and the words every report
shares (the JSON is bpcalc/render/check_json.py, Gradescope's bpcalc/render/gradescope.py).
Only reads the `CheckResult`; every verdict comes from `bpcalc.grading.diagnosis`.
"""

from __future__ import annotations

from fractions import Fraction

from bpcalc.engine.arithmetic import decimal_exponent
from bpcalc.grading.mistakes import SLIP_WORDS
from bpcalc.grading.precision import float_slack, interval_text
from bpcalc.grading.rubric import Marks
from bpcalc.grading.verdicts import CheckResult, Finding, Verdict
from bpcalc.problem.model import Rounding
from bpcalc.render.terminal.layout import boxed_width
from bpcalc.text import decimal_text, format_float, rounded_places, rounding_text


def expected_text(verdict: Verdict) -> str:
    """The value judged against: 6 significant digits, or a hand-rounded value as carried
    (a rounding per quantity: as this quantity was rounded, if it was)."""
    rounding = verdict.rounding
    if rounding is not None and not isinstance(rounding, Rounding):
        kind = verdict.answer.quantity.kind
        rounding = rounding.of({"new": "weight"}.get(kind, kind))
    if rounding is not None:
        value = Fraction(verdict.expected)
        return decimal_text(value, min_places=rounded_places(value, rounding))
    return format_float(float(verdict.expected), 6)


def note_text(verdict: Verdict) -> str:
    """Why: the rounding that made it right, the earlier wrong values it follows from
    (carried forward), or the mistake or slip that reproduces it."""
    finding = verdict.finding
    if verdict.right or verdict.too_few_digits is not None:
        return verdict.note
    if verdict.carried is not None:
        return carried_text(verdict)
    if verdict.slip is not None:
        return SLIP_WORDS[verdict.slip]
    if finding is None:
        return "no usual mistake reproduces this value"
    if finding.first is verdict.answer:
        return finding.mistake.short
    return f"follows from {finding.first.label} ({finding.mistake.short})"


def finding_text(finding: Finding, root=None) -> str:
    """`delta4 wrong: f'(net) left out of the deltas; this also explains w14, w24.`, and
    the later values that follow correctly from it (`root`: it, as carried.Root)."""
    text = f"{finding.first.label} wrong: {finding.mistake.description}"
    if finding.alternatives:
        text += " (or: " + "; or: ".join(finding.alternatives) + ")"
    if finding.also:
        text += "; this also explains " + ", ".join(a.label for a in finding.also)
    return text + (followers_text(root) if root is not None else "") + "."


def verdict_word(verdict: Verdict) -> str:
    """right, too few digits (right at its own digits, fewer than asked), carried forward
    (wrong, but right on method), or wrong."""
    if verdict.right:
        return "right"
    if verdict.too_few_digits is not None:
        return "too few digits"
    return "carried forward" if verdict.carried is not None else "wrong"


def accepted_text(verdict: Verdict, tolerance=None) -> str:
    """The interval accepted, `[0.39633, 0.39642]` (one place more than judged at; with a
    `tolerance`, 6 significant digits; its ends rounded inwards, so that they are accepted
    too), or `exactly` for a whole number or fraction judged as the value itself."""
    if verdict.accepted is None:
        return ""
    low, high = verdict.accepted
    if low == high:
        return "exactly"
    if tolerance is not None:  # 6 significant digits of the larger end, rounded inwards
        larger = max(abs(Fraction(low)), abs(Fraction(high)))
        places = 4 - decimal_exponent(larger) if larger else 5
        return interval_text(low, high, max(places, -1), closed=True)
    half = decimal_text(Fraction(high - low) / 2, 12)  # 0.00005: judged at 4 places
    return interval_text(low, high, max(len(half.partition(".")[2]) - 1, -1),
                         value=verdict.expected, slack=float_slack(verdict.expected))


def carried_text(verdict: Verdict) -> str:
    """`carried forward from z5 (right on method)`, or why it earns nothing."""
    names = ", ".join(a.label for a in verdict.carried.roots)
    if not verdict.carried.roots:  # the earlier values are right, only rounded by the student
        return "right on method from your own rounded earlier values"
    if verdict.carried.credit == 0:
        return f"follows from {names}, which earns no carried-forward credit"
    return f"right on method from {names}"


_POLICY_WORDS = {"full": "full credit", "half": "half credit", "none": "no credit"}


def root_text(root) -> str:
    """`z5 .4738: slip (digits swapped?); 11 later values follow correctly from it.`"""
    why = "wrong, not a usual mistake or a slip" if root.why == "wrong" else root.why
    return f"{root.answer.label} {root.answer.text}: {why}{followers_text(root)}."


def followers_text(root) -> str:
    """`; 3 later values follow correctly from it (w14, w24, w34)`, and why they earn
    nothing when the root makes them trivial ('' when nothing follows)."""
    count = len(root.followers)
    if not count:
        return ""
    text = (f"; {count} later value{'s follow' if count > 1 else ' follows'} correctly "
            f"from it ({', '.join(a.label for a in root.followers)})")
    if root.trivial:
        text += f", but earn{'' if count > 1 else 's'} no carried-forward credit: {root.trivial}"
    return text


def _score_line(result: CheckResult) -> str:
    carried = sum(v.carried is not None for v in result.verdicts)
    few = _too_few_text(result)
    if not carried and not few:
        return f"Score: {result.score}/{result.total} right"
    right = sum(v.right for v in result.verdicts)
    parts = [f"{right} right"]
    parts += _carried_texts(result, f": --carried-forward {result.carried_forward}")
    return f"Score: {result.score}/{result.total} ({', '.join(parts + few)})"


def _carried_texts(result: CheckResult, policy: str = "") -> list[str]:
    """`3 carried forward at full credit`, and apart from them those that earn nothing
    because their root makes the work trivial (the policy's credit is not theirs)."""
    carried = [v for v in result.verdicts if v.carried is not None]
    trivial = sum(bool(v.carried.roots) and v.carried.credit == 0
                  and result.carried_forward != "none" for v in carried)
    texts = []
    if len(carried) > trivial:
        texts.append(f"{len(carried) - trivial} carried forward at "
                     f"{_POLICY_WORDS[result.carried_forward]}{policy}")
    if trivial:
        texts.append(f"{trivial} following from a value that makes the work trivial, "
                     f"at no credit" + ("" if texts or not policy else
                                        f" whatever the policy{policy}"))
    return texts


def _too_few_text(result: CheckResult) -> list[str]:
    """`1 with too few digits at credit 0.5 (--too-few-digits-credit)`, or nothing."""
    few = sum(v.too_few_digits is not None for v in result.verdicts)
    if not few:
        return []
    return [f"{few} with too few digits at credit {points_text(result.too_few_digits_credit)} "
            f"(--too-few-digits-credit)"]


def points_text(points) -> str:
    """7, 7.5 or 0.25: a score as a marker writes it."""
    value = Fraction(points)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _answers_right(result: CheckResult) -> str:
    """`7/11 answers right, 3 carried forward at full credit`: answers counted, not the
    credit (a carried value is not right; the points already hold its credit)."""
    right = sum(v.right for v in result.verdicts)
    text = f"{right}/{result.total} answers right"
    return ", ".join([text, *_carried_texts(result), *_too_few_text(result)])


def score_line(result: CheckResult, marks: Marks | None = None) -> str:
    """`Score: 7/11 right`, or with a rubric its points and what was deducted."""
    if marks is None:
        return _score_line(result)
    line = (f"Score: {points_text(marks.score)}/{points_text(marks.total)} points "
            f"({_answers_right(result)})")
    if marks.deductions:
        line += "; deducted " + ", ".join(f"{points_text(points)} for {mistake}"
                                          for mistake, points in marks.deductions)
    return line


def summary_lines(result: CheckResult, marks: Marks | None = None) -> list[str]:
    lines = [score_line(result, marks)]
    named = {id(f.first) for f in result.findings}  # a root the diagnosis named: its line
    explained = {id(a): f for f in result.findings for a in f.also}  # told with its finding
    told = [root for root in result.roots if id(root.answer) not in named
            and id(root.answer) not in explained and (root.followers or root.slip)]
    lines += [root_text(root) for root in told]
    if result.rounding_detected:
        lines.append(f"Hand rounding to {rounding_text(result.rounding)} detected: an answer "
                     "that matches the solution rounded that way along the way is right, and "
                     "mistakes are reproduced with that rounding.")
    roots = {id(root.answer): root for root in result.roots}
    for finding in result.findings:
        text = finding_text(finding, roots.get(id(finding.first)))
        for root in result.roots:  # a value the mistake also explains, and what follows it
            if explained.get(id(root.answer)) is finding and root.followers:
                text = text[:-1] + followers_text(root).replace(
                    "from it", f"from {root.answer.label}") + "."
        lines.append(text)
    said = {id(root.answer) for root in told}  # "wrong, not a usual mistake" already
    unexplained = [a for a in result.unexplained if id(a) not in said]
    if unexplained:
        names = ", ".join(a.label for a in unexplained)
        lines.append(f"Wrong, and no usual mistake reproduces it: {names}.")
    return lines


# -- rich table ---------------------------------------------------------------------------


def render_table_text(result: CheckResult, *, color: bool = False,
                      width: int | None = None, marks: Marks | None = None) -> str:
    """The verdicts as a table, then the score and the mistakes found, as one string.

    Names and numbers are never cut: the verdict and note columns wrap first, and where the
    width is still too small the accepted intervals, then the notes, then a rubric's points
    move below the table.
    """
    import io

    from rich.table import Table
    from rich.text import Text

    from bpcalc.render.console import text_console

    header, rows = _rows(result, marks)
    verdicts = [row[header.index("verdict")] for row in rows]
    widest = {name: max(len(name), *(len(row[i]) for row in rows))
              for i, name in enumerate(header)}
    below = _moved_below(header, widest, width or 80)
    table = Table(title="Answers checked", title_justify="left")
    kept = [index for index, name in enumerate(header) if name not in below]
    wrapped = _wrapped_widths([header[i] for i in kept], widest, width or 80)
    for index in kept:
        name = header[index]
        if name in wrapped:
            table.add_column(name, width=wrapped[name], overflow="fold")
        else:
            table.add_column(name, justify="left" if name == "name" else "right",
                             no_wrap=True, min_width=widest[name])
    for row, word in zip(rows, verdicts, strict=True):
        style = {"right": "green", "wrong": "bold red"}.get(word, "yellow")
        table.add_row(*(Text(row[i], style if header[i] == "verdict" else "") for i in kept))
    buffer = io.StringIO()
    console = text_console(buffer, color=color, width=width)
    console.print(table)
    for name in below:
        column = header.index(name)
        if not any(row[column] for row in rows):
            continue  # no note at all: no empty "Notes:"
        console.print(Text(f"{_BELOW_TITLES[name]}:"))
        for row in rows:
            if row[column]:
                label = row[header.index("name")]
                step = (f"step {row[0]}: " if header[0] == "step" and ": " not in label
                        else "")  # `epoch 2: w47` names its section already
                console.print(Text(f"  {step}{label}: {row[column]}"))
    for number, line in enumerate(summary_lines(result, marks)):
        console.print(Text(line, "bold" if number == 0 else ""))
    return buffer.getvalue()


# The columns that move below the table, in this order, when it would not fit.
_BELOW_TITLES = {"accepted": "Accepted", "note": "Notes", "points": "Points"}

# The narrowest the wrapping columns get: a verdict's longest word, a note's few words.
_WRAPPED_MIN = {"verdict": 7, "note": 12}


def _wrapped_widths(kept: list[str], widest: dict[str, int], width: int) -> dict[str, int]:
    """The verdict's and the note's widths: whole when they fit, else the room left (the
    verdict first down to its longest word, then the note)."""
    wraps = [name for name in kept if name in _WRAPPED_MIN]
    room = width - boxed_width([widest[name] for name in kept if name not in _WRAPPED_MIN]
                               + [0] * len(wraps))
    verdict = widest["verdict"] if "verdict" in wraps else 0
    note = widest["note"] if "note" in wraps else 0
    if verdict + note > room:
        verdict = max(_WRAPPED_MIN["verdict"], min(verdict, room - _WRAPPED_MIN["note"]))
        note = max(_WRAPPED_MIN["note"], min(note, room - verdict))
    return {name: value for name, value in (("verdict", verdict), ("note", note))
            if name in wraps}


def _moved_below(header: list[str], widest: dict[str, int], width: int) -> list[str]:
    """The columns to print below the table so that no name or number is cut: none when
    all fit, else the accepted intervals, then the notes, then the points."""
    def needed(below: list[str]) -> int:
        return boxed_width([min(widest[name], _WRAPPED_MIN.get(name, widest[name]))
                            for name in header if name not in below])

    below: list[str] = []
    for name in _BELOW_TITLES:
        if needed(below) <= width:
            break
        if name in header:
            below.append(name)
    return below


def shows_interval(result: CheckResult) -> bool:
    """Tables show the accepted interval where a rule was asked (--places, --digits,
    --tolerance); at the written digits `.777` says its own interval (the JSON has it)."""
    return result.precision is not None or result.tolerance is not None


def _name_cell(answer) -> str:
    """The name, with its section where it was written under `epoch N:` or `final:`."""
    return answer.label if answer.section is not None else answer.name


# -- notebooks: HTML and Markdown -----------------------------------------------------------


def _rows(result: CheckResult, marks: Marks | None = None
          ) -> tuple[list[str], list[list[str]]]:
    """The table's header and rows as plain text (the terminal's, HTML and Markdown)."""
    multi_step = {v.answer.step for v in result.verdicts} != {1}
    interval = shows_interval(result)
    header = ["name", "given", "expected", *["accepted"] * interval, "verdict",
              *["points"] * (marks is not None), "note"]
    rows = []
    for index, verdict in enumerate(result.verdicts):
        points = ([f"{points_text(marks.earned[index])}/{points_text(marks.possible[index])}"]
                  if marks is not None else [])
        cells = [_name_cell(verdict.answer), verdict.answer.text, expected_text(verdict),
                 *[accepted_text(verdict, result.tolerance)] * interval,
                 verdict_word(verdict), *points, note_text(verdict)]
        rows.append(([str(verdict.answer.step)] if multi_step else []) + cells)
    return (["step"] if multi_step else []) + header, rows


# As the terminal's table: green, yellow (carried forward: wrong, right on method), bold red.
_VERDICT_STYLE = {"right": ' style="color:#1a7f37"', "carried forward": ' style="color:#9a6700"',
                  "too few digits": ' style="color:#9a6700"',
                  "wrong": ' style="color:#cf222e;font-weight:bold"'}


def render_html(result: CheckResult) -> str:
    """The verdicts as an HTML fragment (a notebook's output cell): the table, then the
    score and the mistakes found. The words (right, carried forward, wrong) carry the
    verdict; colour only repeats it."""
    import html

    header, rows = _rows(result)
    verdict = header.index("verdict")
    parts = ['<div class="bpcalc-check">', "<table>",
             "<caption>Answers checked</caption>", "<thead><tr>"
             + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for number, cell in enumerate(row):
            style = ""
            if number == verdict:
                style = _VERDICT_STYLE[cell]
            cells.append(f"<td{style}>{html.escape(cell)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    lines = summary_lines(result)
    parts.append(f"<p><b>{html.escape(lines[0])}</b></p>")
    parts += [f"<p>{html.escape(line)}</p>" for line in lines[1:]]
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def render_markdown(result: CheckResult) -> str:
    """The verdicts as a Markdown table, then the score and the mistakes found."""
    header, rows = _rows(result)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(_markdown_text(cell) for cell in cells) + " |"

    lines = [line(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [line(row) for row in rows]
    summary = [_markdown_text(text) for text in summary_lines(result)]
    lines += ["", f"**{summary[0]}**"] + [f"\n{text}" for text in summary[1:]]
    return "\n".join(lines) + "\n"


def _markdown_text(text: str) -> str:
    """Plain text that Markdown shows as written (δ_k w_jk is no emphasis, $ no maths)."""
    return "".join(f"\\{ch}" if ch in "\\`*_[]<>|$#" else ch for ch in text)

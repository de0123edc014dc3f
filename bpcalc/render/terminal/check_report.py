"""A checked answers file as a rich table, as JSON for scripts, or as Gradescope's
results.json. Only reads the `CheckResult`; every verdict comes from `bpcalc.grading.diagnosis`.
"""

from __future__ import annotations

import json
from fractions import Fraction

from bpcalc.grading.diagnosis import CheckResult, Finding, Verdict
from bpcalc.grading.mistakes import SLIP_WORDS
from bpcalc.problem.model import Rounding
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
    if verdict.right:
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
    """right, carried forward (wrong, but right on method), or wrong."""
    if verdict.right:
        return "right"
    return "carried forward" if verdict.carried is not None else "wrong"


def carried_text(verdict: Verdict) -> str:
    """`carried forward from z5 (right on method)`, or why it earns nothing."""
    names = ", ".join(a.label for a in verdict.carried.roots)
    if verdict.carried.credit == 0 and verdict.carried.roots:
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
    if not carried:
        return f"Score: {result.score}/{result.total} right"
    right = sum(v.right for v in result.verdicts)
    return (f"Score: {result.score}/{result.total} ({right} right, {carried} carried forward "
            f"at {_POLICY_WORDS[result.carried_forward]}: --carried-forward "
            f"{result.carried_forward})")


def summary_lines(result: CheckResult) -> list[str]:
    lines = [_score_line(result)]
    named = {id(f.first) for f in result.findings}  # a root the diagnosis named: its line
    lines += [root_text(root) for root in result.roots
              if id(root.answer) not in named and (root.followers or root.slip)]
    if result.rounding_detected:
        lines.append(f"Hand rounding to {rounding_text(result.rounding)} detected: an answer "
                     "that matches the solution rounded that way along the way is right, and "
                     "mistakes are reproduced with that rounding.")
    roots = {id(root.answer): root for root in result.roots}
    lines += [finding_text(f, roots.get(id(f.first))) for f in result.findings]
    unexplained = result.unexplained
    if unexplained:
        names = ", ".join(a.label for a in unexplained)
        lines.append(f"Wrong, and no usual mistake reproduces it: {names}.")
    return lines


# -- JSON ---------------------------------------------------------------------------------


def result_to_dict(result: CheckResult) -> dict:
    """The `--format json` schema documented in the README."""
    rounding = None
    if isinstance(result.rounding, Rounding):
        rounding = {"kind": result.rounding.kind, "digits": result.rounding.digits,
                    "detected": result.rounding_detected}
    elif result.rounding is not None:  # the problem's rounding per quantity (version 2)
        rounding = {"by_quantity": {name: {"kind": each.kind, "digits": each.digits}
                                    for name, each in result.rounding.by},
                    "detected": False}
    return {
        "score": result.score,
        "total": result.total,
        "all_right": result.score == result.total,
        "rounding": rounding,
        "tolerance": None if result.tolerance is None else float(result.tolerance),
        "answers": [_verdict_dict(v) for v in result.verdicts],
        "mistakes": [
            {"mistake": f.mistake.id, "short": f.mistake.short,
             "description": f.mistake.description,
             "first": _ref(f.first), "explains": [_ref(a) for a in f.also],
             "alternatives": f.alternatives}
            for f in result.findings
        ],
        "unexplained": [_ref(a) for a in result.unexplained],
        "carried_forward": _carried_dict(result),
    }


def _carried_dict(result: CheckResult) -> dict:
    """The policy and each root with the answers that follow from it."""
    from bpcalc.grading.carried import CREDIT

    return {"policy": result.carried_forward,
            "credit": float(CREDIT[result.carried_forward]),
            "roots": [{**_ref(root.answer), "given": root.answer.text, "why": root.why,
                       "followers": [_ref(a) for a in root.followers],
                       "trivial": root.trivial} for root in result.roots]}


def _ref(answer) -> dict:
    return {"name": answer.name, "step": answer.step}


def _verdict_dict(verdict: Verdict) -> dict:
    answer = verdict.answer
    return {
        "name": answer.name,
        "step": answer.step,
        "line": answer.line,
        "given": answer.text,
        "expected": float(verdict.expected),
        "right": verdict.right,
        "note": note_text(verdict),
        "mistake": verdict.finding.mistake.id if verdict.finding else None,
        "verdict": verdict_word(verdict).replace(" ", "_"),
        "credit": float(verdict.credit),
        "carried_from": [_ref(a) for a in verdict.carried.roots] if verdict.carried else [],
        "slip": verdict.slip,
        "resolved": (float(verdict.carried.resolved) if verdict.carried is not None
                     else None),  # re-solved from the student's own earlier values
    }


def render_json(result: CheckResult) -> str:
    return json.dumps(result_to_dict(result), ensure_ascii=False) + "\n"


def render_gradescope(result: CheckResult) -> str:
    """Gradescope's autograder results.json: one test per answer, one point each."""
    tests = []
    for verdict in result.verdicts:
        answer = verdict.answer
        status = verdict_word(verdict)
        output = f"given {answer.text}, expected {expected_text(verdict)}: {status}"
        note = note_text(verdict)
        if note:
            output += f" ({note})"
        tests.append({
            "name": answer.label,
            "score": float(verdict.credit),
            "max_score": 1.0,
            "status": "passed" if verdict.credit == 1 else "failed",
            "output": output,
        })
    document = {
        "score": float(result.score),
        "max_score": float(result.total),
        "output": "\n".join(summary_lines(result)),
        "tests": tests,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- rich table ---------------------------------------------------------------------------


def render_table_text(result: CheckResult, *, color: bool = False,
                      width: int | None = None) -> str:
    """The verdicts as a table, then the score and the mistakes found, as one string."""
    import io

    from rich.table import Table
    from rich.text import Text

    from bpcalc.render.console import text_console

    table = Table(title="Answers checked", title_justify="left")
    multi_step = {v.answer.step for v in result.verdicts} != {1}  # step 1 alone goes unsaid
    if multi_step:
        table.add_column("step", justify="right")
    table.add_column("name")
    table.add_column("given", justify="right")
    table.add_column("expected", justify="right")
    table.add_column("verdict")
    table.add_column("note", overflow="fold")
    for verdict in result.verdicts:
        word = verdict_word(verdict)
        mark = Text(word, {"right": "green", "wrong": "bold red"}.get(word, "yellow"))
        cells = [Text(verdict.answer.name), Text(verdict.answer.text),
                 Text(expected_text(verdict)), mark, Text(note_text(verdict))]
        if multi_step:
            cells.insert(0, Text(str(verdict.answer.step)))
        table.add_row(*cells)
    buffer = io.StringIO()
    console = text_console(buffer, color=color, width=width)
    console.print(table)
    for number, line in enumerate(summary_lines(result)):
        console.print(Text(line, "bold" if number == 0 else ""))
    return buffer.getvalue()

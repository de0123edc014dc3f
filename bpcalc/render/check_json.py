"""A checked answers file as the JSON of `check --format json` (its fields are in the
README's check section): every value read from the `CheckResult`, the words from
bpcalc.render.terminal.check_report."""

from __future__ import annotations

import json
from fractions import Fraction

from bpcalc.grading.rubric import Marks
from bpcalc.grading.verdicts import CheckResult, Verdict
from bpcalc.render.json_out import rounding_dict
from bpcalc.render.terminal.check_report import note_text, verdict_word


def result_to_dict(result: CheckResult, marks: Marks | None = None) -> dict:
    """The `--format json` schema documented in the README; with a rubric the score and
    total are its points, each answer says its points, and `deductions` are listed."""
    rounding = rounding_dict(result.rounding)
    if rounding is not None:
        rounding["detected"] = result.rounding_detected
    document = {
        "score": result.score,
        "total": result.total,
        "all_right": result.all_right,
        "rounding": rounding,
        "tolerance": None if result.tolerance is None else float(result.tolerance),
        "precision": rounding_dict(result.precision),
        "too_few_digits_credit": float(result.too_few_digits_credit),
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
    if marks is not None:
        document = _with_points(document, marks)
    return document


def _number(points):
    value = Fraction(points)
    return value.numerator if value.denominator == 1 else float(value)


def _with_points(document: dict, marks: Marks) -> dict:
    document["score"], document["total"] = _number(marks.score), _number(marks.total)
    document["all_right"] = marks.score == marks.total and document["all_right"]
    for answer, earned, possible in zip(document["answers"], marks.earned, marks.possible,
                                        strict=True):
        answer["points"], answer["worth"] = _number(earned), _number(possible)
    document["deductions"] = [{"mistake": mistake, "points": _number(points)}
                              for mistake, points in marks.deductions]
    return document


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
        "expected": _decimal(verdict.expected),
        "right": verdict.right,
        "note": note_text(verdict),
        "mistake": verdict.finding.mistake.id if verdict.finding else None,
        "verdict": verdict_word(verdict).replace(" ", "_"),
        "accepted": ({"low": float(verdict.accepted[0]), "high": float(verdict.accepted[1])}
                     if verdict.accepted is not None else None),
        "section": answer.section,
        "credit": float(verdict.credit),
        "carried_from": [_ref(a) for a in verdict.carried.roots] if verdict.carried else [],
        "slip": verdict.slip,
        "resolved": (_decimal(verdict.carried.resolved) if verdict.carried is not None
                     else None),  # re-solved from the student's own earlier values
    }


def _decimal(value) -> float:
    """A value as a JSON number; a zero is 0.0, never -0.0 (a re-solved 0 can carry a sign)."""
    return float(value) + 0.0


def render_json(result: CheckResult, marks: Marks | None = None) -> str:
    return json.dumps(result_to_dict(result, marks), ensure_ascii=False) + "\n"



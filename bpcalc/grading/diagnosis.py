"""Checking a student's answers against the solution, and naming the mistake behind each
wrong one. Pure: solves with the engine, reads traces, does no I/O.

An answer is judged at the digits it was written to (`.777` is right when the true value
rounds to .777). A wrong answer is re-checked against hand-rounded solutions (a student
who rounded along the way) and then against the problem solved with each usual mistake;
a mistake early in the chain explains the later values it reproduces, so those are
reported together under the first. A later value worked correctly from the student's own
wrong earlier value is carried forward (bpcalc/grading/carried.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from bpcalc.engine.backprop import CORRECT, Slips, solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.engine.trace import Trace
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import Answer
from bpcalc.grading.judging import agrees, dependency_order, value_of
from bpcalc.grading.mistakes import Mistake, other_convention, other_delta_suspects, usual_mistakes
from bpcalc.grading.precision import QUANTITY_OF
from bpcalc.grading.roundings import (
    DETECTED_PLACES,
    mixed_roundings,
    mixed_variants,
    modal_places,
    shown,
    uniform_roundings,
)
from bpcalc.grading.verdicts import Finding, Verdict
from bpcalc.problem.model import Problem, QuantityRounding, Rounding
from bpcalc.text import rounding_text

# An answer's kind as the quantity a hand rounding rounds: as the precision asked names it
# (grading.precision), except that a gradient or momentum term is never rounded itself.
_QUANTITY_OF = {kind: quantity for kind, quantity in QUANTITY_OF.items()
                if kind not in ("gradient", "momentum")}


def judge(problem: Problem, answers: list[Answer], tolerance: Fraction | None,
          detect_rounding: bool) -> tuple:
    """Every answer judged and the wrong ones diagnosed: (problem as solved, verdicts,
    findings, rounding, whether it was detected)."""
    problem = _only_needed_epochs(problem, answers)
    given = problem.rounding
    expected = _solve(problem)
    verdicts = []
    for answer in answers:
        value = value_of(expected, answer)
        verdicts.append(Verdict(answer, value, rounding_of(given, answer),
                                agrees(answer, value, tolerance)))
    rounding, detected = given, False
    if given is not None:
        _accept(verdicts, _solve(replace(problem, rounding=None)), tolerance,
                "matches the unrounded solution")
    elif detect_rounding and any(not v.right for v in verdicts):
        rounding = _detect_rounding(problem, verdicts, tolerance)
        detected = rounding is not None
    findings, carried = _diagnose(problem, verdicts, rounding, tolerance, detect_rounding)
    if carried is not None:
        rounding, detected = carried, True
    return problem, verdicts, findings, rounding, detected


# A class run checks many sheets of one problem: it sets this to a dict so that a solve
# (which depends on the problem and the slips only, never on the answers) is done once.
SHARED_SOLVES: dict | None = None


def _solve(problem: Problem, slips: Slips = CORRECT) -> Trace:
    if SHARED_SOLVES is not None:
        key = (repr(problem), repr(slips))
        if key not in SHARED_SOLVES:
            SHARED_SOLVES[key] = solve(problem, make_arithmetic(problem.rounding, False), slips)
        return SHARED_SOLVES[key]
    return solve(problem, make_arithmetic(problem.rounding, exact=False), slips)


def _only_needed_epochs(problem: Problem, answers: list[Answer]) -> Problem:
    """Solve no further than the last step answered: diagnosis solves many times. A step
    after `until` stopped the run is refused; within the run, `until` is dropped, so that
    a mistake's run (whose error may fall sooner) still reaches every step answered."""
    last = max(answers, key=lambda answer: answer.step)
    epochs = min(-(-last.step // len(problem.patterns)), problem.epochs)
    problem = replace(problem, epochs=epochs)
    if problem.until is None:
        return problem
    run = _solve(problem)
    if last.step > len(run.steps):
        stopped = run.stopped[0] if run.stopped else epochs
        raise ProblemError(
            f"training stops after epoch {stopped}, step {len(run.steps)} (its `until` "
            f"is met): there is no step {last.step} to answer for",
            key=f"step {last.step}.{last.name}", line=last.line)
    return replace(problem, until=None)


def _accept(verdicts: list[Verdict], trace: Trace, tolerance, note: str) -> None:
    """Mark the wrong answers that agree with `trace` right, with `note`."""
    rounding = trace.problem.rounding
    for verdict in verdicts:
        if verdict.right or verdict.finding or not _carried(verdict.answer, rounding):
            continue
        value = value_of(trace, verdict.answer)
        if agrees(verdict.answer, value, tolerance):
            verdict.right, verdict.note = True, note
            verdict.expected, verdict.rounding = value, rounding_of(rounding, verdict.answer)


def rounding_of(rounding: Rounding | QuantityRounding | None, answer: Answer
                ) -> Rounding | None:
    """How the value an answer names was rounded in a solution carried with `rounding`
    (a gradient or momentum term never is: only the change they make)."""
    quantity = _QUANTITY_OF.get(answer.quantity.kind)
    if rounding is None or quantity is None:
        return None
    return rounding.of(quantity)


def _carried(answer: Answer, rounding: Rounding | QuantityRounding | None) -> bool:
    """Could the student have carried `rounding` and written this? Who rounds to 5 places
    writes 5 (a 4-place answer matching a 5-place solution is a double-rounding accident)."""
    rounding = rounding_of(rounding, answer)
    if rounding is None or rounding.kind != "places" or answer.places is None:
        return True
    return answer.places >= rounding.digits


def _detect_rounding(problem: Problem, verdicts: list[Verdict], tolerance
                     ) -> Rounding | QuantityRounding | None:
    """The hand rounding (2-6 places, 3-4 significant figures; the places the student
    wrote first) under which most wrong answers become right, or None; where one rounding
    for every value leaves some wrong, a mixed precision (grading/roundings.py) that puts
    more right. A rounding that contradicts an answer already right is a coincidence, not
    how the student worked."""
    best, best_count, best_trace = _best_rounding(
        problem, verdicts, tolerance, uniform_roundings(modal_places([v.answer for v in verdicts])))
    if best_count < sum(not v.right for v in verdicts):
        mixed = _best_rounding(problem, verdicts, tolerance, mixed_roundings(
            [v.answer for v in verdicts], [v.expected for v in verdicts]))
        if mixed[1] > best_count:
            best, best_count, best_trace = mixed
    if best is not None and not shown(best, best_count, [v.answer for v in verdicts]):
        best = None
    if best is not None:
        _accept(verdicts, best_trace, tolerance, f"hand rounding to {rounding_text(best)} "
                "detected")
    return best


def _best_rounding(problem: Problem, verdicts: list[Verdict], tolerance, candidates: list
                   ) -> tuple:
    """(rounding, how many wrong answers it puts right, its trace) of the candidate that
    puts the most right and contradicts no right answer; (None, 0, None) if none does."""
    best, best_count, best_trace = None, 0, None
    for rounding in candidates:
        trace = _solve(replace(problem, rounding=rounding))
        pairs = [(agrees(v.answer, value_of(trace, v.answer), tolerance), v)
                 for v in verdicts]
        if not all(agree for agree, v in pairs if v.right):
            continue
        count = sum(agree and not v.right and _carried(v.answer, rounding)
                    for agree, v in pairs)
        if count > best_count:
            best, best_count, best_trace = rounding, count, trace
    return best, best_count, best_trace


@dataclass
class _Candidate:
    mistake: Mistake
    explains: set[int]
    contradicts: int
    carried: Rounding | QuantityRounding | None  # a hand rounding the student also used,
    # beyond the solution's (a mixed precision too)


def _diagnose(problem: Problem, verdicts: list[Verdict], rounding: Rounding | None,
              tolerance, detect_rounding: bool) -> tuple[list[Finding], Rounding | None]:
    """Name the mistake behind each wrong answer, earliest first, grouping the later wrong
    values the same mistake reproduces under the first. Also returns the hand rounding the
    student used besides the mistake, when the best explanation needs one."""
    wrong = [i for i, v in enumerate(verdicts) if not v.right]
    if not wrong:
        return [], None
    candidates = _candidates(problem, verdicts, wrong, rounding, tolerance, detect_rounding)
    carried = _absorb_rounding(problem, verdicts, candidates, rounding, tolerance,
                               detect_rounding)
    if carried is not None:
        wrong = [i for i in wrong if not verdicts[i].right]
        for candidate in candidates:
            candidate.explains &= set(wrong)
    return _assign(problem, verdicts, wrong, candidates), carried


def _candidates(problem: Problem, verdicts: list[Verdict], wrong: list[int],
                rounding: Rounding | None, tolerance, detect_rounding: bool
                ) -> list[_Candidate]:
    """Each usual mistake, re-solved as the student may have carried the numbers, with the
    wrong values it reproduces and the right ones it contradicts (its best variant)."""
    correct: dict[Rounding | None, Trace] = {}

    def agreeing(trace: Trace, indices) -> set[int]:
        return {i for i in indices
                if agrees(verdicts[i].answer, value_of(trace, verdicts[i].answer), tolerance)}

    candidates = []
    modal = modal_places([v.answer for v in verdicts])
    mixed = [] if not detect_rounding or problem.rounding is not None else mixed_variants(
        [v.answer for v in verdicts], [v.expected for v in verdicts])
    suspects = other_delta_suspects(problem, _solve(replace(problem, rounding=None)),
                                    [verdicts[i].answer for i in wrong])
    if problem.learning_rate and any(verdicts[i].answer.quantity.kind == "delta"
                                     for i in wrong):
        suspects.append(other_convention(problem))  # (it contradicts no weight, as the
        # sign slip does: the deltas of a sheet in the other convention are named so)
    for mistake in usual_mistakes(problem, rounding, detect_rounding) + suspects:
        best = None
        for variant in _variants(mistake, rounding, modal, mixed):
            trace = _solve(variant, mistake.slips)
            explains = agreeing(trace, wrong)
            carried = None
            if mistake.id != "early_rounding":
                # A value the mistake does not change is not its doing (only the rounding's).
                if variant.rounding not in correct:
                    correct[variant.rounding] = _solve(replace(problem,
                                                               rounding=variant.rounding))
                explains -= agreeing(correct[variant.rounding], explains)
                carried = variant.rounding if variant.rounding != rounding else None
            if not explains:
                continue
            contradicts = sum(
                not agrees(v.answer, value_of(trace, v.answer), tolerance)
                for v in verdicts if v.right)
            if best is None or (len(explains), -contradicts) > (len(best.explains),
                                                                  -best.contradicts):
                best = _Candidate(mistake, explains, contradicts, carried)
        if best is not None:
            candidates.append(best)
    return candidates


def _absorb_rounding(problem: Problem, verdicts: list[Verdict],
                     candidates: list[_Candidate], rounding: Rounding | None, tolerance,
                     detect_rounding: bool) -> Rounding | None:
    """The student rounded their own way as well as making a mistake: the values the
    mistake does not touch are right with that rounding, and need no explaining."""
    if not (detect_rounding and rounding is None and candidates):
        return None
    top = max(candidates, key=lambda c: (len(c.explains), -c.contradicts,
                                         c.carried is None))
    if top.carried is not None:
        _accept(verdicts, _solve(replace(problem, rounding=top.carried)), tolerance,
                f"hand rounding to {rounding_text(top.carried)} detected")
    return top.carried


def _assign(problem: Problem, verdicts: list[Verdict], wrong: list[int],
            candidates: list[_Candidate]) -> list[Finding]:
    """Each wrong value, earliest first, to the mistake that explains the most of the
    still-unexplained ones (fewest right ones contradicted, no rounding of the student's
    own needed; first of equals in the list's order)."""
    findings = []
    unassigned = set(wrong)
    for index in sorted(wrong, key=lambda i: dependency_order(problem, verdicts[i].answer)):
        if index not in unassigned:
            continue
        fitting = [c for c in candidates if index in c.explains]
        if not fitting:
            continue
        ranks = [(len(c.explains & unassigned), -c.contradicts, c.carried is None)
                 for c in fitting]
        top = max(ranks)
        chosen = fitting[ranks.index(top)]
        covered = chosen.explains & unassigned
        alternatives = [c.mistake.description for c, r in zip(fitting, ranks, strict=True)
                        if c is not chosen and r == top and c.explains & unassigned == covered]
        later = sorted(covered - {index},
                       key=lambda i: dependency_order(problem, verdicts[i].answer))
        finding = Finding(chosen.mistake, verdicts[index].answer,
                          [verdicts[i].answer for i in later], alternatives)
        for i in covered:
            verdicts[i].finding = finding
        unassigned -= covered
        findings.append(finding)
    return findings


def _variants(mistake: Mistake, rounding: Rounding | None, modal: int | None,
              mixed: list[QuantityRounding]) -> list[Problem]:
    """The mistake solved as the student carried the numbers: with the solution's rounding,
    unrounded, rounded to the places the student wrote, and in the mixed precisions the
    digits allow (an early-rounding mistake keeps its own rounding)."""
    if mistake.id == "early_rounding":
        return [mistake.problem]
    roundings = [rounding, None]
    if modal in DETECTED_PLACES:
        roundings.append(Rounding("places", modal))
    roundings += mixed
    unique = list(dict.fromkeys(roundings))
    return [replace(mistake.problem, rounding=r) for r in unique]

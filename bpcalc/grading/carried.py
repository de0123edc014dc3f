"""Error carried forward: a later answer worked correctly from the student's own wrong
earlier value is right on method. Pure: solves with the engine, reads traces, no I/O.

The problem is solved once more with every value the student wrote carried in place of
the computed one (`bpcalc.engine.substitute`), so each value is re-solved from the
student's own earlier values as written. A wrong answer that agrees with its re-solved
value (at the digits written, one unit in the last place allowed where earlier written
values were rounded) follows from an earlier mistake: it is carried forward. A wrong
answer that does not is a root, named once: by the diagnosis' mistake, as a single slip
of the pen, or as wrong. Which roots a carried answer follows from is found by putting
each wrong value right in turn and seeing which re-solved values move. A usual mistake
the diagnosis found first in a value that is carried forward is dropped: the student's
own earlier values explain it. A wrong answer that follows from earlier values that are
all right at the digits written (z4 .78, net7 1.28, then z7 .7824 from them) is carried
forward from no root: right on method from the student's own rounded values.

Anti-gaming: a root that makes the later work trivial (0 or 1 where the true value is
neither, or a copy of a given input, target, bias or initial weight) earns nothing
carried forward for what follows from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from bpcalc.engine.arithmetic import Arithmetic, round_fraction
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.engine.substitute import SettleKey, Substituting
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import Answer
from bpcalc.grading.judging import agrees, dependency_order, value_of
from bpcalc.grading.mistakes import SLIP_WORDS, single_slip
from bpcalc.grading.verdicts import Finding, Verdict
from bpcalc.problem.model import Problem, QuantityRounding, Rounding

# The credit an answer carried forward earns, per `--carried-forward` policy.
CREDIT = {"full": Fraction(1), "half": Fraction(1, 2), "none": Fraction(0)}
_MOVED = 1e-11  # a re-solved value that moved more than this (relative) depends on it


@dataclass(frozen=True)
class Carry:
    """On a verdict: the wrong earlier values (roots) this answer follows correctly from."""

    roots: tuple[Answer, ...]
    credit: Fraction  # the policy's, or 0 when a root makes the later work trivial
    resolved: object  # the value re-solved from the student's own earlier values


@dataclass
class Root:
    """A wrong value no earlier wrong value explains, named once with what follows it."""

    answer: Answer
    why: str  # the diagnosis' mistake, a slip, or "wrong"
    followers: list[Answer] = field(default_factory=list)
    trivial: str | None = None  # why what follows earns no carried-forward credit
    slip: str | None = None  # the slip of the pen it is (mistakes.SLIP_WORDS), if one


def carry_forward(problem: Problem, verdicts: list[Verdict], findings: list[Finding],
                  rounding: Rounding | QuantityRounding | None, tolerance,
                  policy: str = "full") -> list[Root]:
    """Mark the wrong answers that follow from the student's own earlier values (their
    `carried`), name each root's slip (their `slip`), take the carried values out of the
    `findings` (in place), and return the roots."""
    wrong = [i for i, v in enumerate(verdicts) if not v.right]
    if not wrong:
        return []
    keys = [settle_key(v.answer) for v in verdicts]
    inner = make_arithmetic(rounding, exact=False)
    resolved = _resolve(problem, verdicts, keys, inner)
    if resolved is None:  # the student's values cannot be computed on (a log of 0)
        return []
    rounded = _rounded_before(problem, verdicts)
    follows = {i for i in wrong if resolved[i] is not None and _follows(
        verdicts[i].answer, resolved[i], tolerance, rounded[i])}
    depends = _dependencies(problem, verdicts, keys, wrong, follows)
    roots = {i: _root(problem, verdicts[i], resolved[i]) for i in wrong if i not in follows}
    order = sorted(wrong, key=lambda i: dependency_order(problem, verdicts[i].answer))
    sources: dict[int, set[int]] = {}
    for i in order:  # earliest first: a carried value's roots are known before its own
        if i in follows:
            sources[i] = set().union(*({j} if j in roots else sources.get(j, set())
                                       for j in depends.get(i, ())))
    named = {id(a) for f in findings for a in (f.first, *f.also)}  # early_rounding, say
    rounding_only = _from_rounding_only(problem, verdicts, keys, inner, tolerance, [
        i for i in follows if not sources[i] and id(verdicts[i].answer) not in named
        and agrees(verdicts[i].answer, resolved[i], tolerance)])  # (no unit of leeway)
    for i in order:
        if i in rounding_only:  # from the student's own right but rounded values (z4 .78)
            verdicts[i].carried = Carry((), CREDIT[policy], resolved[i])
        if i not in follows or not sources[i]:
            continue
        from_roots = sorted(sources[i], key=order.index)
        trivial = any(roots[j].trivial for j in from_roots)
        verdicts[i].carried = Carry(tuple(verdicts[j].answer for j in from_roots),
                                    Fraction(0) if trivial else CREDIT[policy], resolved[i])
        for j in from_roots:
            roots[j].followers.append(verdicts[i].answer)
    _drop_carried_findings(verdicts, findings)
    return [roots[i] for i in order if i in roots]


def _from_rounding_only(problem: Problem, verdicts: list[Verdict], keys: list,
                        inner: Arithmetic, tolerance, candidates: list[int]) -> set[int]:
    """The wrong answers that follow from the student's values although no earlier value
    is wrong: those that no longer follow when the right values (and these candidates) are
    taken at their true values instead of as written (z7 .7824 from net7 written 1.28).
    Only the student's rounding of right values explains them; a value that follows
    either way (one the engine takes as given) is not one."""
    if not candidates:
        return set()
    true = set(candidates) | {i for i, v in enumerate(verdicts) if v.right}
    truer = {key: inner.number(Fraction(v.expected) if i in true else v.answer.value)
             for i, (key, v) in enumerate(zip(keys, verdicts, strict=True))
             if key is not None}
    again = _run(problem, verdicts, keys, inner, truer)
    if again is None:
        return set()
    return {i for i in candidates if again[i] is not None  # (no unit of leeway here)
            and not agrees(verdicts[i].answer, again[i], tolerance)}


def _drop_carried_findings(verdicts: list[Verdict], findings: list[Finding]) -> None:
    """A carried value is explained by the student's own earlier values: a mistake that
    reproduces it too (by coincidence, or as a later value of its first) is not its name;
    the mistake starts at its first value that is not carried, if any."""
    carried = {id(v.answer) for v in verdicts if v.carried is not None}
    kept = []
    for finding in findings:
        rest = [a for a in [finding.first, *finding.also] if id(a) not in carried]
        if rest:
            finding.first, finding.also = rest[0], rest[1:]
            kept.append(finding)
    findings[:] = kept
    for verdict in verdicts:
        if verdict.carried is not None:
            verdict.finding = None


def settle_key(answer: Answer) -> SettleKey | None:
    """The engine's name (`settle`'s) for the value an answer gives; None for a gradient
    or momentum term, which the engine never settles (they are compared, not carried)."""
    quantity, step = answer.quantity, answer.step
    if quantity.kind == "error":
        return (step, "error", 0, None)
    if quantity.kind in ("net", "out", "slope", "delta"):
        return (step, quantity.kind, quantity.node, None)
    if quantity.kind in ("change", "new"):
        source, node = quantity.key
        return (step, quantity.kind, node, source)
    return None


def _resolve(problem: Problem, verdicts: list[Verdict], keys: list, inner: Arithmetic
             ) -> list | None:
    """Each answer's value re-solved from the student's own earlier values as written."""
    given = {key: inner.number(v.answer.value) for key, v in zip(keys, verdicts, strict=True)
             if key is not None}
    return _run(problem, verdicts, keys, inner, given)


def _run(problem: Problem, verdicts: list[Verdict], keys: list, inner: Arithmetic,
         given: dict) -> list | None:
    """Per answer, its value computed with `given` carried in place of the computed ones
    (None: one the engine does not compute, as an input's z); None if the run fails, as
    on a log of 0 from the student's values."""
    substituting = Substituting(inner, given)
    try:
        trace = solve(problem, substituting, generic=True)
    except (ProblemError, ArithmeticError):
        return None
    return [substituting.computed.get(key) if key is not None else value_of(trace, v.answer)
            for key, v in zip(keys, verdicts, strict=True)]


def _dependencies(problem: Problem, verdicts: list[Verdict], keys: list, wrong: list[int],
                  follows: set[int]) -> dict[int, set[int]]:
    """For each wrong answer that `follows`, the wrong ones its re-solved value depends on:
    those that move it when put right (in floats, so that no rounding hides a move; the
    true value, not a small nudge, so that a step function's threshold cannot hide it,
    and no log of a value <= 0 appears that the student's own values did not have)."""
    depends: dict[int, set[int]] = {}
    if not follows:
        return depends
    given = {key: float(v.answer.value) for key, v in zip(keys, verdicts, strict=True)
             if key is not None}
    base = _run(problem, verdicts, keys, Arithmetic(), given)
    last = max(dependency_order(problem, verdicts[i].answer) for i in follows)
    for j in wrong:  # (only those before the last that follows can move one)
        if base is None or keys[j] is None or not (
                dependency_order(problem, verdicts[j].answer) < last):
            continue
        corrected = _run(problem, verdicts, keys, Arithmetic(),
                         {**given, keys[j]: float(verdicts[j].expected)})
        if corrected is None:
            continue
        for i in follows:
            if i != j and _moved(base[i], corrected[i]):
                depends.setdefault(i, set()).add(j)
    return depends


def _moved(before, after) -> bool:
    if before is None or after is None:
        return False
    return abs(float(after) - float(before)) > _MOVED * max(1.0, abs(float(before)))


def _follows(answer: Answer, resolved, tolerance, rounded: bool) -> bool:
    """Does the answer agree with its value re-solved from the student's own values: at
    the digits written, or within one unit of the last written place where earlier
    written values were rounded?"""
    if agrees(answer, resolved, tolerance):
        return True
    if isinstance(tolerance, Fraction) or answer.places is None or not rounded:
        return False  # (a precision asked, a Rounding, keeps the one unit of leeway)
    written = round_fraction(Fraction(resolved), Rounding("places", answer.places))
    return abs(answer.value - written) <= Fraction(1, 10**answer.places) if (
        answer.places >= 0) else False


def _rounded_before(problem: Problem, verdicts: list[Verdict]) -> list[bool]:
    """Per answer: was a value computed before it written to finitely many places?"""
    orders = [dependency_order(problem, v.answer) for v in verdicts]
    rounded = [orders[k] for k, v in enumerate(verdicts) if v.answer.places is not None]
    first = min(rounded) if rounded else None
    return [first is not None and first < order for order in orders]


def _root(problem: Problem, verdict: Verdict, resolved) -> Root:
    """A wrong value that follows from nothing earlier: named by the diagnosis' mistake,
    else as a single slip of the value it should have been, else as wrong."""
    answer = verdict.answer
    why = "wrong"
    if verdict.finding is not None:
        why = verdict.finding.mistake.short
    else:
        meant = [Fraction(value) for value in (resolved, verdict.expected) if value is not None]
        slips = [single_slip(answer.value, answer.places, value) for value in meant]
        verdict.slip = next((slip for slip in slips if slip), None)
        why = SLIP_WORDS[verdict.slip] if verdict.slip else why
    return Root(answer, why, trivial=trivial_reason(problem, answer, verdict.expected),
                slip=verdict.slip)


def trivial_reason(problem: Problem, answer: Answer, expected) -> str | None:
    """Why a wrong root value makes the work after it trivial (no credit carried forward
    from it), or None: 0 or 1 where the true value is neither, or a copy of a value the
    problem gives (an input, a target, the bias, an initial weight). A net input of 0 or 1
    is not trivial (f(1), f(0) are still to work out): for a net only a copied input or
    initial weight counts, as the 0-or-1 rule, the target and the bias (1) would take credit
    from an honest slip."""
    value = answer.value
    net = answer.quantity.kind == "net"
    if value in (0, 1) and Fraction(expected) not in (0, 1) and not net:
        return (f"{int(value)} where the true value is neither 0 nor 1 makes the work "
                f"after it trivial")
    given = [("an input", x) for p in problem.patterns for x in p.input]
    if not net:
        given += [("a target", t) for p in problem.patterns for t in p.target]
        given += [("the bias", problem.bias)] if problem.bias is not None else []
    given += [("an initial weight", w) for w in problem.weights.values()]
    for what, number in given:
        if value == number:
            return f"{answer.text} copies {what} of the problem"
    return None

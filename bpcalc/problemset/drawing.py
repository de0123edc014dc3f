"""Drawing a set's variants: one slot per variant (or per student of a roster), each drawn
until a draw passes the rules of `bpcalc.problemset.quality`, with a bound on the draws.

Without a roster, variant n's first draw is `random.Random(f"{seed}/{n}")` (as before the
rules existed, so a set whose draws all pass is unchanged), its k-th `f"{seed}/{n}/{k}"`;
slots are judged in number order, so variant n never depends on --count. With a roster,
each student's k-th draw is seeded by the seed, the id and k (bpcalc.problemset.roster),
and students are judged in the order of a hash of their ids, never the roster's: a student
redraws only for a draw identical to one of a student judged before. Pure.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.model import Problem
from bpcalc.problemset.quality import RULES, Focus, Rules, refusal, solved
from bpcalc.problemset.roster import Student, student_order, student_random


class Slot(NamedTuple):
    """One variant to draw: its number in the set, and its student (None without a roster)."""

    number: int
    student: str | None = None


class Drawn(NamedTuple):
    slot: Slot
    body: str
    drawn: tuple[tuple[str, str], ...]
    problem: Problem
    draws: int  # how many draws it took (1: the first passed)


def slots(seed: int, count: int, roster: tuple[Student, ...] | None) -> list[Slot]:
    """The slots in the order they are judged: by number, or by the hash of each id."""
    if roster is None:
        return [Slot(number) for number in range(1, count + 1)]
    numbered = [Slot(number, student.id) for number, student in enumerate(roster, start=1)]
    return sorted(numbered, key=lambda slot: student_order(seed, slot.student))


def slot_random(seed: int, slot: Slot, attempt: int) -> random.Random:
    if slot.student is not None:
        return student_random(seed, slot.student, attempt)
    return random.Random(f"{seed}/{slot.number}" if attempt == 1
                         else f"{seed}/{slot.number}/{attempt}")


def draw_set(order: list[Slot], seed: int, *, draw: Callable, parse: Callable,
             focus: Callable[[Problem], tuple[Focus, ...]] | None, rules: Rules,
             judge_identical: bool, rules_line: int | None = None
             ) -> tuple[list[Drawn], Counter]:
    """Every slot drawn until a draw passes (`draw(rng, number)` -> (body, drawn values),
    `parse(body, number)` -> the problem); the drawn variants in number order and the
    refused draws per rule. Too many refusals in a row is a ProblemError naming the rules."""
    rejected: Counter = Counter()
    seen: set[tuple] = set()
    asked: tuple[Focus, ...] | None = None
    result = []
    for slot in order:
        refused: Counter = Counter()
        for attempt in range(1, rules.draws + 1):
            body, drawn = draw(slot_random(seed, slot, attempt), slot.number)
            numbers = tuple(drawn)
            if judge_identical and "identical" in rules.reject and numbers in seen:
                refused["identical"] += 1
                continue
            problem = parse(body, slot.number)
            if asked is None:
                asked = focus(problem) if focus is not None else ()
            rule = refusal(solved(problem), asked, rules) if asked else None
            if rule is not None:
                refused[rule] += 1
                continue
            seen.add(numbers)
            result.append(Drawn(slot, body, numbers, problem, attempt))
            break
        else:
            raise _too_few(slot, refused, rules, rules_line)
        rejected.update(refused)
    return sorted(result, key=lambda item: item.slot.number), rejected


def _too_few(slot: Slot, refused: Counter, rules: Rules, line: int | None) -> ProblemError:
    whose = f"the variant of {quoted(slot.student)}" if slot.student else f"variant {slot.number}"
    return ProblemError(
        f"the template cannot give enough variants worth working: all {rules.draws} draws "
        f"of {whose} were refused ({rejection_text(refused)}); widen the template's ranges, "
        "or leave the rule out (variants: {reject: [...]}, saturation: N, draws: N)",
        key="variants", line=line)


def rejection_text(rejected: Counter) -> str:
    """`dead_relu 3, zero_delta 1`, in the rules' order."""
    return ", ".join(f"{rule} {rejected[rule]}" for rule in RULES if rejected[rule])

"""The hand roundings the diagnosis tries by itself: one rounding for every value (2-6
places, 3-4 significant figures), or a mixed precision, values carried at one precision
and results written at another (the slides carry z .777 and delta -.0115 and write the new
weights to 4 places). Pure: it only lists roundings; `bpcalc.grading.diagnosis` solves them.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.grading.answers import Answer
from bpcalc.grading.precision import written_sigfigs
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.text import rounded_places

DETECTED_PLACES = (2, 3, 4, 5, 6)
DETECTED_SIGFIGS = (3, 4)
# What a student carries the forward values (net, out) and the deltas at, each: the mixed
# precisions tried are the pairs of these the written digits allow, with the new weights
# at the places written.
CARRIED = (Rounding("places", 2), Rounding("places", 3), Rounding("places", 4),
           Rounding("sigfigs", 3))
_GROUP = {"net": "forward", "out": "forward", "delta": "delta"}


def shown(rounding: Rounding | QuantityRounding, count: int, answers: list[Answer]) -> bool:
    """Does the sheet show the hand rounding, rather than one wrong value happening to match
    it? It must put two answers right, or some answer must be written at its digits (`.78`
    for 2 places); a mixed precision is tried only where the digits written show it."""
    if count >= 2 or isinstance(rounding, QuantityRounding):
        return True
    if rounding.kind == "places":
        return any(answer.places == rounding.digits for answer in answers)
    return any(written_sigfigs(answer.text) == rounding.digits for answer in answers)


def uniform_roundings(modal: int | None) -> list[Rounding]:
    """Every value rounded alike, the places the student wrote most often first."""
    order = list(DETECTED_PLACES)
    if modal in order:
        order.remove(modal)
        order.insert(0, modal)
    return [Rounding("places", p) for p in order] + [Rounding("sigfigs", s)
                                                     for s in DETECTED_SIGFIGS]


def mixed_roundings(answers: list[Answer], expected: list) -> list[QuantityRounding]:
    """Forward values and deltas each carried at one of CARRIED that every such answer
    shows (`written_as_carried`), the new weights written at the places they mostly are,
    the changes and the error unrounded: results written at least as precisely as the
    values carried (the slides', and a student's who carries 2 places and writes 4). A
    choice that rounds every value alike is left out (the uniform ones cover it)."""
    places = modal_places([a for a in answers if a.quantity.kind == "new"] or answers)
    weight = Rounding("places", places) if places is not None else None
    allowed = {"forward": set(CARRIED), "delta": set(CARRIED)}
    for answer, true in zip(answers, expected, strict=True):
        group = allowed.get(_GROUP.get(answer.quantity.kind, ""))
        if group is not None:
            group -= {r for r in group if not written_as_carried(answer, true, r)}
    mixed = []
    for forward in CARRIED:
        for delta in CARRIED:
            if (forward not in allowed["forward"] or delta not in allowed["delta"]
                    or forward == delta == weight or (weight is not None and max(
                        forward.digits, delta.digits) > weight.digits)):
                continue
            by = [("net", forward), ("out", forward), ("delta", delta)]
            mixed.append(QuantityRounding(tuple(by + ([("weight", weight)] if weight else []))))
    return mixed


def mixed_variants(answers: list[Answer], expected: list) -> list[QuantityRounding]:
    """The mixed precisions a mistake is also solved with: those the written digits allow,
    when they allow one or two and some net, activation or delta is written with fewer
    decimals than the new weights (the slides' .777, -.133 and 4-place weights) and is
    not an exact value (net4 1.25)."""
    places = modal_places([a for a in answers if a.quantity.kind == "new"] or answers)
    if places is None or not any(
            a.quantity.kind in _GROUP and a.places is not None and a.places < places
            and a.value != true for a, true in zip(answers, expected, strict=True)):
        return []
    mixed = mixed_roundings(answers, expected)
    return mixed if len(mixed) <= 2 else []  # (more: the digits do not tell which)


def written_as_carried(answer: Answer, true, carried: Rounding) -> bool:
    """Is the value written with the digits it would be carried at: .777 or -.0115 under
    3 places or 3 significant figures, not .7773 (more) nor .78 (fewer), though 1.25 for a
    net of 1.250 (its `true` value rounded so ends in 0)? A student copies what they
    carry: a precision the written digits contradict is not how they worked."""
    if answer.places is None:
        return True
    if round_fraction(answer.value, carried) != answer.value:
        return False  # more digits than carried
    return answer.places >= rounded_places(answer.value, carried) or (
        true is not None and answer.places >= _least_places(
            round_fraction(Fraction(true), carried)))


def _least_places(value: Fraction) -> int:
    """The fewest decimals that write a decimal value exactly (1.250 -> 2)."""
    places = 0
    while (value * 10**places).denominator != 1 and places < 30:
        places += 1
    return places


def modal_places(answers: list[Answer]) -> int | None:
    """The number of decimals the answers are most often written to."""
    places = [answer.places for answer in answers if answer.places is not None]
    return Counter(places).most_common(1)[0][0] if places else None

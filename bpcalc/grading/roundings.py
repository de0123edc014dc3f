"""The hand roundings the diagnosis tries by itself: one rounding for every value (2-6
places, 3-4 significant figures), or a mixed precision, values carried at one precision
and results written at another (the slides carry z .777 and delta -.0115 and write the new
weights to 4 places). Pure: it only lists roundings; `bpcalc.grading.diagnosis` solves them.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from bpcalc.grading.answers import Answer
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.text import rounded_places

DETECTED_PLACES = (2, 3, 4, 5, 6)
DETECTED_SIGFIGS = (3, 4)
# What a student carries the forward values (net, out) and the deltas at, each: the mixed
# precisions tried are every pair of these, with the new weights at the places written.
CARRIED = (Rounding("places", 2), Rounding("places", 3), Rounding("places", 4),
           Rounding("sigfigs", 3))


def uniform_roundings(modal: int | None) -> list[Rounding]:
    """Every value rounded alike, the places the student wrote most often first."""
    order = list(DETECTED_PLACES)
    if modal in order:
        order.remove(modal)
        order.insert(0, modal)
    return [Rounding("places", p) for p in order] + [Rounding("sigfigs", s)
                                                     for s in DETECTED_SIGFIGS]


def mixed_roundings(weight_places: int | None) -> list[QuantityRounding]:
    """Forward values and deltas each carried at one of CARRIED, the new weights written
    at `weight_places` (None: carried unrounded), the changes and the error unrounded:
    results written at least as precisely as the values carried (the slides', and a
    student's who carries 2 places and writes 4). A choice that rounds every value alike
    is left out (the uniform ones cover it)."""
    weight = Rounding("places", weight_places) if weight_places is not None else None
    mixed = []
    for forward in CARRIED:
        for delta in CARRIED:
            if forward == delta == weight or (weight is not None and max(
                    forward.digits, delta.digits) > weight.digits):
                continue  # (written at fewer places than carried: the written digits
                # alone judge that, against the unrounded solution)
            by = [("net", forward), ("out", forward), ("delta", delta)]
            if weight is not None:
                by.append(("weight", weight))
            mixed.append(QuantityRounding(tuple(by)))
    return mixed


def modal_places(answers: list[Answer]) -> int | None:
    """The number of decimals the answers are most often written to."""
    places = [answer.places for answer in answers if answer.places is not None]
    return Counter(places).most_common(1)[0][0] if places else None


def written_as_carried(answers: list[Answer], values: list, rounding: QuantityRounding
                       ) -> bool:
    """Each net, activation or delta carried rounded is written to no more decimals than
    it was carried at (.777, or 1.25 for 1.250; not .7773 if z was carried at 3 places)."""
    for answer, value in zip(answers, values, strict=True):
        kind = answer.quantity.kind
        carried = rounding.of(kind) if kind in ("net", "out", "delta") else None
        if (None not in (carried, answer.places, value)
                and answer.places > rounded_places(Fraction(value), carried)):
            return False
    return True

"""The asked quantities (grading/asked.py): slide values, intervals and clear errors."""

from fractions import Fraction as F

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.grading.asked import asked_quantities, default_names, parse_asked
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import QuantityRounding, Rounding

PROBLEM = load_problem("problems/slides_2-2-1.yaml")
TRACE = solve(PROBLEM, make_arithmetic(None, False))


def test_default_is_outputs_deltas_and_new_weights():
    assert default_names(PROBLEM)[:4] == ["z7", "delta7", "delta4", "delta5"]
    assert default_names(PROBLEM)[-3:] == ["w47", "w57", "w67"]


def test_slide_values_and_their_intervals():
    asked = asked_quantities(TRACE, parse_asked([("z7", 1), ("w47", 2)], PROBLEM))
    assert [a.rounded_text() for a in asked] == ["0.7820", "0.3964"]  # the slides: .782, .3964
    w47 = asked[1]
    assert w47.tolerance == F(1, 20000)
    assert w47.low < F("0.3964") < w47.high and not w47.low < F("0.3963") < w47.high


def test_per_quantity_precision():
    precision = QuantityRounding((("delta", Rounding("sigfigs", 3)),
                                  ("weight", Rounding("places", 2))))
    asked = asked_quantities(TRACE, parse_asked([("delta4", 1), ("w47", 2), ("z7", 3)],
                                                PROBLEM), precision)
    assert [a.rounded_text() for a in asked] == ["-0.0115", "0.40", "0.7820"]


def test_a_bad_name_names_ask_and_its_line():
    with pytest.raises(ProblemError) as error:
        parse_asked([("step 9: w47", 4)], PROBLEM, "t.yaml")
    assert str(error.value) == "t.yaml, line 4: ask: this problem has 1 step(s), not step 9"
    with pytest.raises(ProblemError) as error:
        parse_asked([("w99", 7)], PROBLEM, "t.yaml")
    assert str(error.value).startswith("t.yaml, line 7: ask: this network has no weight")


def test_a_value_asked_twice_is_refused_at_the_second_entry():
    with pytest.raises(ProblemError) as error:
        parse_asked([("z7", 3), ("step 1: z7", 4)], PROBLEM, "t.yaml")
    assert str(error.value) == "t.yaml, line 4: ask: 'step 1: z7' asks again for 'z7'"

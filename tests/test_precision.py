"""The accepted interval shared by check, the worksheet and the exports (grading/precision)."""

from fractions import Fraction as F

from bpcalc.grading.precision import (
    accepted_interval,
    enough_digits,
    half_unit,
    within,
    written_sigfigs,
)
from bpcalc.problem.model import Rounding

PLACES4 = Rounding("places", 4)
SIG3 = Rounding("sigfigs", 3)


def test_places_interval_is_half_a_unit_either_side_of_the_true_value():
    low, high = accepted_interval(F("0.39637"), PLACES4)
    assert (low, high) == (F("0.39632"), F("0.39642"))
    assert within(F("0.3964"), F("0.39637"), PLACES4)
    assert not within(F("0.3963"), F("0.39637"), PLACES4)


def test_sigfigs_count_from_the_true_values_first_digit():
    assert half_unit(F("-0.0115"), SIG3) == F("0.00005")
    assert half_unit(F("12.34"), SIG3) == F("0.05")
    assert within(F("-0.0115"), F("-0.011504"), SIG3)
    assert not within(F("-0.0116"), F("-0.011504"), SIG3)


def test_a_tie_rounds_away_from_zero():
    assert within(F("0.0015"), F("0.00145"), PLACES4)
    assert not within(F("0.0014"), F("0.00145"), PLACES4)
    assert within(F("-0.0015"), F("-0.00145"), PLACES4)
    assert not within(F("-0.0014"), F("-0.00145"), PLACES4)


def test_significant_figures_written():
    assert [written_sigfigs(t) for t in ("0.0390", ".777", "120", "-0.4", "0", "1/3")] == [
        3, 3, 3, 1, 1, None]


def test_too_few_digits():
    assert not enough_digits("0.4", 1, PLACES4, F("0.380775"))
    assert enough_digits("0.3808", 4, PLACES4, F("0.380775"))
    assert enough_digits("1/3", None, PLACES4, F(1, 3))
    assert not enough_digits("-0.01", 2, SIG3, F("-0.0115"))
    assert enough_digits("-0.0115", 4, SIG3, F("-0.0115"))
    assert enough_digits("0.100", 3, SIG3, F("0.0999"))  # places of a 3-figure 0.0999 suffice


def test_a_printed_interval_never_shows_a_refused_end():
    """0.00145 as a float is 0.0014499999...: check takes it as the tie and refuses 0.0014,
    so the interval printed must not start at 0.00140 (it did, before float noise counted)."""
    from bpcalc.grading.precision import float_slack, interval_text

    true = 0.00145
    low, high = accepted_interval(F(true), PLACES4)
    shown = interval_text(low, high, 4, value=true, slack=float_slack(true))
    assert shown == "[0.00141, 0.00150]"
    assert not within(F("0.0014"), F(true), PLACES4, float_slack(true))
    assert within(F("0.0015"), F(true), PLACES4, float_slack(true))
    assert interval_text(low, high, 4, value=true, slack=float_slack(true),
                         open_ties=True) == "(0.00140, 0.00150]"
    exact_low, exact_high = accepted_interval(F("0.39637"), PLACES4)
    assert interval_text(exact_low, exact_high, 4) == "[0.39633, 0.39642]"  # 0.39642: a tie taken

"""A large problem file (64-32-10, 1,000 patterns) reads to the right numbers, and a bad
value anywhere in it is named by its key path and its own YAML line.

Large files take a fast path (one pass of the C parser, tags resolved only when asked for,
whole lists of numbers read at once); these tests hold it to what the slow path says.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from bpcalc.errors import ProblemError
from bpcalc.problem.loader import parse_problem
from bpcalc.problem.yamlsource import parse_number

PATTERNS = 1000
HEADER = ["layers: [64, 32, 10]", "activation: sigmoid", "learning_rate: 0.5", "weights:"]
FIRST_ROW_LINE = len(HEADER) + 2  # 1-based: after the header and "  -"
FIRST_PATTERN_LINE = len(HEADER) + 1 + 32 + 1 + 10 + 2  # after the matrices and "patterns:"


@pytest.fixture(scope="module")
def big() -> tuple[list[list[str]], list[list[str]]]:
    """The weight rows' texts (32 rows into the hidden layer, then 10) and the patterns'
    input texts, as a generator of big files writes them."""
    rng = random.Random(9)
    rows = [[f"{rng.uniform(-0.3, 0.3):.4f}" for _ in range(count)]
            for size, count in ((32, 65), (10, 33)) for _ in range(size)]
    inputs = [[f"{rng.random():.2f}" for _ in range(64)] for _ in range(PATTERNS)]
    return rows, inputs


def text_of(rows: list[list[str]], inputs: list[list[str]], keys=("input", "target")) -> str:
    lines = list(HEADER)
    for first, last in ((0, 32), (32, 42)):
        lines.append("  -")
        lines += ["    - [" + ", ".join(row) + "]" for row in rows[first:last]]
    lines.append("patterns:")
    for index, values in enumerate(inputs):
        target = ", ".join("1" if k == index % 10 else "0" for k in range(10))
        lines.append(f"  - {{{keys[0]}: [{', '.join(values)}], {keys[1]}: [{target}]}}")
    return "\n".join(lines) + "\n"


def error_of(text: str) -> ProblemError:
    with pytest.raises(ProblemError) as raised:
        parse_problem(text)
    return raised.value


def test_the_line_numbers_are_where_the_file_has_them(big):
    lines = text_of(*big).splitlines()
    assert lines[FIRST_ROW_LINE - 1].startswith("    - [" + big[0][0][0])
    assert lines[FIRST_PATTERN_LINE - 1].startswith("  - {input: [" + big[1][0][0])


def test_numbers_are_exact_and_in_place(big):
    rows, inputs = big
    problem = parse_problem(text_of(rows, inputs))
    assert len(problem.patterns) == PATTERNS
    assert problem.patterns[733].input == tuple(F(text) for text in inputs[733])
    assert problem.patterns[733].target == tuple(F(int(k == 3)) for k in range(10))
    # The first hidden node is node 66 (64 inputs, then bias 65); its bias weight is last.
    assert problem.weights[(1, 66)] == F(rows[0][0])
    assert problem.weights[(65, 66)] == F(rows[0][64])
    assert problem.weights[(98, 108)] == F(rows[-1][-1])  # hidden bias 98 into output 108
    assert len(problem.weights) == 32 * 65 + 10 * 33


@pytest.mark.parametrize("bad, fragment", [
    ("x", "expected a number (like 0.5, -1 or \"1/3\"), got 'x'"),
    ("yes", "expected a number, got 'yes'"),
    ("~", "expected a number, got nothing (null)"),
    ("2024-01-01", "'2024-01-01' reads as a date (a YAML timestamp): quote it if it is text"),
    ("[1]", "expected a number, got a list"),
])
def test_a_bad_input_value_names_its_key_and_line(big, bad, fragment):
    rows, inputs = big
    inputs = [list(values) for values in inputs]
    inputs[733][39] = bad
    error = error_of(text_of(rows, inputs))
    assert (error.key, error.line) == ("patterns[733].input[39]", FIRST_PATTERN_LINE + 733)
    assert error.message == fragment


def test_a_bad_weight_names_its_key_and_line(big):
    rows, inputs = big
    rows = [list(row) for row in rows]
    rows[17][3] = "abc"
    error = error_of(text_of(rows, inputs))
    assert (error.key, error.line) == ("weights[0][17][3]", FIRST_ROW_LINE + 17)


def test_a_short_pattern_and_an_unknown_key_deep_in_the_file(big):
    rows, inputs = big
    short = [list(values) for values in inputs]
    del short[998][5]
    error = error_of(text_of(rows, short))
    assert (error.key, error.line) == ("patterns[998].input", FIRST_PATTERN_LINE + 998)
    assert error.message == "expected 64 input value(s) to match layers, got 63"
    error = error_of(text_of(rows, inputs, keys=("input", "tagret")))
    assert (error.key, error.line) == ("patterns[0].tagret", FIRST_PATTERN_LINE)


@pytest.mark.parametrize("text, value", [
    ("0.9", F(9, 10)), ("-0.25", F(-1, 4)), (".5", F(1, 2)), ("+.5", F(1, 2)), ("5.", F(5)),
    ("-0", F(0)), ("007.50", F(15, 2)), ("1e-3", F(1, 1000)), ("-2.5E2", F(-250)),
    ("1/3", F(1, 3)), ("0.30000000000000004", F(30000000000000004, 10**17)),
])
def test_numbers_are_read_exactly(text, value):
    assert parse_number(text) == value
    assert parse_number(text) == parse_number(text)  # and the same again (cached)


def test_a_decimal_is_never_the_nearest_double():
    assert parse_number("0.9") == F(9, 10) != F(0.9)
    assert parse_number("0.1") + parse_number("0.2") == parse_number("0.3")


@pytest.mark.parametrize("text", ["1_000", " 1", "0x1F", ".", "-", "1e61", "1/0", "", "nan"])
def test_not_numbers(text):
    assert parse_number(text) is None

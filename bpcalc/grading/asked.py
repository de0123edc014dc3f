"""The quantities an assignment asks for, each with its true value and the interval of
answers accepted for it (bpcalc/grading/precision.py).

A generated set's template says what is asked (`ask: [z7, delta7, "step 2: w47"]`, by
default the outputs, the deltas and the new weights of step 1) and how precisely
(`answer_precision:`, by default 4 decimal places). The worksheet and the exports to
Moodle, Canvas and PrairieLearn all read this one list, so they accept exactly what
`bpcalc check --places/--digits` accepts. Pure: reads a solved trace.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

import yaml

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.engine.trace import Trace
from bpcalc.errors import ProblemError, quoted
from bpcalc.grading.answers import Answer, Quantity, parse_name, update_after
from bpcalc.grading.judging import value_of
from bpcalc.grading.precision import accepted_interval, asked_of, places_for
from bpcalc.problem.model import QUANTITIES, Problem, QuantityRounding, Rounding, weight_name
from bpcalc.problem.yamlsource import Value

DEFAULT_PRECISION = Rounding("places", 4)
_STEP_NAME = re.compile(r"\s*step\s*(\d+)\s*:\s*(.+)", re.IGNORECASE)


class Asked(NamedTuple):
    """One quantity to answer: its name, step, true value and accepted interval."""

    name: str  # as asked (z7, w47)
    step: int  # 1-based step
    quantity: Quantity
    value: Fraction  # the true value (a float trace's value, exactly)
    precision: Rounding  # the precision asked for this quantity
    low: Fraction  # the accepted interval's ends (a tie: only the end away from zero)
    high: Fraction

    @property
    def label(self) -> str:
        """The name, with its step when it is not step 1 (`step 2: w47`)."""
        return self.name if self.step == 1 else f"step {self.step}: {self.name}"

    @property
    def places(self) -> int:
        """Decimal places the asked precision means for this value."""
        return places_for(self.value, self.precision)

    @property
    def tolerance(self) -> Fraction:
        """Half the interval's width: an absolute tolerance for a platform's numeric answer."""
        return (self.high - self.low) / 2

    def rounded_text(self) -> str:
        """The true value written at the asked precision (`0.3964`): the model answer."""
        places = max(self.places, 0)
        rounded = round_fraction(self.value, Rounding("places", places))
        return f"{float(rounded):.{places}f}" if places else str(int(rounded))


def default_names(problem: Problem) -> list[str]:
    """What is asked when the template does not say: each output node's activation, every
    delta and every new weight, of step 1 (in batch mode the new weights of the step after
    which they change: `step 4: w47`)."""
    network = problem.network
    outputs = network.layers[-1].node_ids
    deltas = [node for layer in reversed(network.layers[1:]) for node in layer.node_ids]
    # z7 names the net input in the paper's notation: its activation is a7 there.
    z = "a" if problem.notation == "paper" else "y" if problem.convention == "textbook" else "z"
    names = [f"{z}{node}" for node in outputs] + [f"delta{node}" for node in deltas]
    updated = update_after(problem, 1)
    step = "" if updated == 1 else f"step {updated}: "
    return names + [step + _weight_word(key) for key in problem.weights]


def completed(precision: Rounding | QuantityRounding | None) -> Rounding | QuantityRounding:
    """An answer_precision with every quantity it leaves out at DEFAULT_PRECISION: what the
    worksheet and the exports accept, so that `check --set` accepts the same."""
    if precision is None:
        return DEFAULT_PRECISION
    if isinstance(precision, Rounding):
        return precision
    return QuantityRounding(tuple((quantity, precision.of(quantity) or DEFAULT_PRECISION)
                                  for quantity in QUANTITIES))


def asked_or_default(ask, problem: Problem) -> list[tuple[str, int | None]]:
    """The template's `ask:` entries (text, line), or the default names (no line)."""
    return list(ask) or [(name, None) for name in default_names(problem)]


def _weight_word(key) -> str:
    """`w47`, or `w4_17` when an id has more than one digit (as answers files write it)."""
    return weight_name(key)


def parse_asked(names: list[tuple[str, int | None]], problem: Problem,
                source: str | None = None) -> list[tuple[int, str, Quantity]]:
    """The template's `ask:` entries (text, line) as (step, name, quantity), each checked
    against the problem; an error names the entry's line. One value asked twice (`z7` and
    `step 1: z7`) is refused: it would get two boxes on a worksheet and two answers on every
    platform, and an answers file cannot hold it twice."""
    asked: list[tuple[int, str, Quantity]] = []
    seen: dict = {}
    for text, line in names:
        key = _key(text, line)
        step, name = 1, text.strip()
        match = _STEP_NAME.fullmatch(text)
        if match:
            step, name = int(match.group(1)), match.group(2).strip()
            if not 1 <= step <= problem.step_count:
                raise ProblemError(f"this problem has {problem.step_count} step(s), not "
                                   f"step {step}", key="ask", line=line, source=source)
        try:
            quantity = parse_name(name, problem, key)
        except ProblemError as error:  # at the entry's line (none: given without one)
            error.key, error.source, error.line = "ask", source, line
            raise
        if (step, quantity) in seen:
            raise ProblemError(f"{quoted(text)} asks again for {quoted(seen[step, quantity])}",
                               key="ask", line=line, source=source)
        seen[step, quantity] = text
        asked.append((step, name, quantity))
    return asked


def _key(text: str, line: int | None) -> Value:
    """A stand-in YAML node for `parse_name`'s messages, at the entry's line."""
    mark = yaml.Mark("ask", 0, (line or 1) - 1, 0, None, None)
    return Value("ask", yaml.ScalarNode("tag:yaml.org,2002:str", text, mark, mark))


def asked_quantities(trace: Trace, asked: list[tuple[int, str, Quantity]],
                     precision: Rounding | QuantityRounding | None = None) -> list[Asked]:
    """Each asked quantity with its true value from `trace` and its accepted interval."""
    result = []
    for step, name, quantity in asked:
        probe = Answer(name, step, quantity, "", Fraction(0), None, None)
        value = Fraction(value_of(trace, probe))
        each = asked_of(precision, quantity.kind) or DEFAULT_PRECISION
        low, high = accepted_interval(value, each)
        result.append(Asked(name, step, quantity, value, each, low, high))
    return result


def unrounded_quantities(problem: Problem, asked: list[tuple[int, str, Quantity]],
                         precision: Rounding | QuantityRounding | None = None
                         ) -> list[Asked] | None:
    """For a hand-rounded problem, the asked quantities of its unrounded solution, which
    check accepts too ("matches the unrounded solution"); None for any other problem."""
    if problem.rounding is None:
        return None
    from dataclasses import replace

    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic

    plain = solve(replace(problem, rounding=None), make_arithmetic(None, False))
    return asked_quantities(plain, asked, precision)

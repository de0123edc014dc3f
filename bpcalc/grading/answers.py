"""A student's answers file: which value of which step, and the text exactly as written.

The text matters as much as the number: `.777` was written to 3 places and is judged at
3 places, `0.7773` at 4. So values are read from the YAML node's text, never as floats.
Names are the ones a student writes, in any of the course notations: `net4`/`h4`/`u4`,
`z4`/`a4`/`y7`/`o4`, `delta7`/`δ7`, `w47`/`v14`/`w4_17` (the new weight), `dw47`/`Δw47`
(the change), `error`/`E`/`Err`/`L`; the notes' `θ74` is the weight from 4 to 7, and in
the paper's notation (problem `notation: paper`) `z4` is the net input, as it writes it.
Version 2's values too: `slope4`/`f'4` (f'(net)), `dE/dw47`/`∂E/∂w47`/`grad_w47` (the
gradient of the update) and `momentum_w47`/`mom_w47` (alpha times the previous change).
Top-level names are step 1's; `step N:` holds another step's, `epoch N:` the weights after
epoch N's last update and the epoch's error (the sum of its steps' errors), `final:` the
weights after the last update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from bpcalc.errors import ProblemError, quoted
from bpcalc.problem.model import Problem, WeightKey, weight_name
from bpcalc.problem.yamlsource import (
    Value,
    compose_mapping,
    number_refusal,
    parse_number,
    read_text,
    source_name,
)

_DECIMAL = re.compile(r"[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_STEP = re.compile(r"step\s*(\d+)")
_EPOCH = re.compile(r"epoch\s*([+-]?\d+)")
FINAL = "final"
_MAX_ID_DIGITS = 9  # a node or step id longer than this is none of the problem's
_ERROR_NAMES = frozenset({"error", "e", "err", "loss", "l"})
_NET = re.compile(r"(?:net|h|u)_?(\d+)")
_OUT = re.compile(r"(?:a|y|o|x|out)_?(\d+)")
_Z = re.compile(r"z_?(\d+)")  # the activation, except in the paper's notation: its net
_DELTA = re.compile(r"(?:delta|δ)_?(\d+)")
_CHANGE = re.compile(r"(?:d|δ|delta_?)([wvθ]|theta)_?(\d+(?:_\d+)?)")
_WEIGHT = re.compile(r"([wvθ]|theta)_?(\d+(?:_\d+)?)")
_SLOPE = re.compile(r"(?:slope|f')_?(\d+)")
_GRADIENT = re.compile(r"(?:de/d|∂e/∂|grad(?:ient)?_?)([wvθ]|theta)_?(\d+(?:_\d+)?)")
_MOMENTUM = re.compile(r"mom(?:entum)?_?([wvθ]|theta)_?(\d+(?:_\d+)?)")
ID_KEY = "id"  # names the sheet's variant (`bpcalc check --set`), never an answer
KINDS = ("net", "out", "slope", "delta", "error", "change", "new", "gradient", "momentum",
         "epoch_error")  # an epoch's error: the sum of its steps' errors
# The values of a weight update: only after the last step of a group (batch mode).
UPDATE_KINDS = ("new", "gradient", "momentum")


@dataclass(frozen=True)
class Quantity:
    """One value of a step: a node's net/out/slope/delta, the error, or a weight's change,
    new value, gradient or momentum term."""

    kind: str  # one of KINDS
    node: int | None = None
    key: WeightKey | None = None


@dataclass(frozen=True)
class Answer:
    """One answer as written: `text` keeps the digits that set how exactly it is judged."""

    name: str  # as the student wrote it
    step: int  # 1-based step (pattern presentation)
    quantity: Quantity
    text: str
    value: Fraction
    places: int | None  # decimal places written; None for 1/3 or a whole number: exact
    line: int | None  # None for answers given as Python data
    section: str | None = None  # `epoch 3` or `final`, where it was written under one

    @property
    def label(self) -> str:
        """The name, with its section (`epoch 3: w47`, `final: w47`) or its step when it
        is not step 1 (`step 2: w47`)."""
        if self.section is not None:
            return f"{self.section}: {self.name}"
        return self.name if self.step == 1 else f"step {self.step}: {self.name}"


def written_places(text: str) -> int | None:
    """Decimal places a number was written to: '.777' -> 3, '1.5e-3' -> 4, '1/3' -> None."""
    match = _DECIMAL.fullmatch(text.strip())
    if match is None:
        return None
    decimals = len(match.group(2) or "")
    exponent = int(match.group(3) or 0)
    return decimals - exponent


def load_answers(path: str, problem: Problem) -> list[Answer]:
    """Read and validate an answers file against the problem; errors carry file and line."""
    try:
        return parse_answers(read_text(path), problem)
    except ProblemError as error:
        if error.source is None:
            error.source = source_name(path)
        raise


ANSWERS_ARE = ("an answers file is a mapping of names (net4, z4, delta7, w47, dw47, error, or "
               "`step 2:` sections) to values")


def parse_answers(text: str, problem: Problem) -> list[Answer]:
    return answers_from_root(compose_mapping(
        text, "the answers file is empty: write one value per line, like `z4: .777`",
        ANSWERS_ARE), problem)


def answers_from_root(root: Value, problem: Problem) -> list[Answer]:
    """The answers of a document's root mapping (a file's, or a dict's)."""
    answers: list[Answer] = []
    seen: dict[tuple[int, Quantity], Answer] = {}
    for name, (key, value) in root.mapping().items():
        if name.strip().lower() == ID_KEY:  # whose sheet it is (a class run), not an answer
            continue
        word = name.strip().lower()
        match = _STEP.fullmatch(word)
        if match:
            step = _whole(match.group(1), "step", key)
            _check_step(problem, step, key)
            for inner, (inner_key, inner_value) in value.mapping().items():
                _add(answers, seen, problem, step, inner, inner_key, inner_value)
        elif _EPOCH.fullmatch(word) or word == FINAL:
            section = _section(problem, word, key)
            for inner, (inner_key, inner_value) in value.mapping().items():
                _add(answers, seen, problem, section[1], inner, inner_key, inner_value,
                     section[0])
        else:
            _add(answers, seen, problem, 1, name, key, value)
    if not answers:
        raise root.error("no answers in the file")
    return answers


def sheet_id(text: str) -> str | None:
    """The `id:` an answers file gives (the student's variant in a class run), or None."""
    root = compose_mapping(text, "the answers file is empty", "an answers file is a mapping")
    for name, (_key, value) in root.mapping().items():
        if name.strip().lower() == ID_KEY:
            if not value.is_scalar() or value.is_null():
                raise value.error(f"expected a variant number or name, got {value.describe()}")
            return value.text().strip()
    return None


def _check_step(problem: Problem, step: int, key: Value) -> None:
    count = problem.step_count
    if not 1 <= step <= count:
        plural = "1 step" if count == 1 else f"steps 1 to {count}"
        raise key.error(f"this problem has {plural} (epochs x patterns), not step {step}")


def _section(problem: Problem, word: str, key: Value) -> tuple[str, int]:
    """(`epoch 3` or `final`, the step of its last update) for a section's key."""
    if word == FINAL:
        return FINAL, problem.step_count
    number = _EPOCH.fullmatch(word).group(1)
    epoch = _whole(number.lstrip("+-"), "epoch", key) * (-1 if number.startswith("-") else 1)
    if not 1 <= epoch <= problem.epochs:
        runs = "1 epoch" if problem.epochs == 1 else f"epochs 1 to {problem.epochs}"
        raise key.error(f"this problem runs {runs}, not epoch {epoch}")
    return f"epoch {epoch}", epoch * len(problem.patterns)


def _in_section(quantity: Quantity, section: str, step: int, problem: Problem,
                name: str, key: Value) -> Quantity:
    """What a name means in an `epoch N:` section (a new weight, or the epoch's error) or
    in `final:` (a new weight); a value of one presentation is refused, naming its step."""
    if quantity.kind == "new":
        return quantity
    if section == FINAL:
        raise key.error(f"`final:` holds the weights after the last update (w47, ...), not "
                        f"{quoted(name.strip(), 20)}: write an epoch's error under "
                        f"`epoch N:` and the values of one presentation under `step N:`")
    if quantity.kind == "error":
        return Quantity("epoch_error")
    first = step - len(problem.patterns) + 1
    steps = f"step {step}" if first == step else f"steps {first} to {step}"
    raise key.error(f"{quoted(name.strip(), 20)} is a value of one presentation, not of "
                    f"{section}: write it under `step N:` ({section} is {steps}); "
                    f"`{section}:` holds the new weights (w47) and the epoch's error")


def _add(answers: list[Answer], seen: dict, problem: Problem, step: int, name: str,
         key: Value, value: Value, section: str | None = None) -> None:
    quantity = parse_name(name, problem, key)
    if section is not None:
        quantity = _in_section(quantity, section, step, problem, name, key)
    if quantity.kind in UPDATE_KINDS:
        _check_update_step(problem, step, key)
    text = "" if value.is_null() or not value.is_scalar() else value.text().strip()
    if not text or value.is_bool():
        raise value.error(f"expected a number (like .777, -0.0115 or \"1/3\"), "
                          f"got {value.describe()}")
    if parse_number(text) is None:
        raise value.error(number_refusal(text, '.777, -0.0115 or "1/3"'))
    if "e" in text.lower():  # 1e0 for 1.25 would pass at "0 places": refuse it
        raise value.error(f"write an answer as a plain decimal or a fraction, e.g. "
                          f"{plain(text)} rather than {text}: the digits written say how "
                          "exactly it is judged")
    earlier = seen.get((step, quantity))
    if earlier is not None:
        where = f" on line {earlier.line}" if earlier.line is not None else ""
        raise key.error(f"the same value is already given as {earlier.label}{where}")
    # `0` or `1` means exactly that (a perceptron's output, an untouched weight), not
    # "anything that rounds to 0": write 0.0 to mean one place.
    places = written_places(text) if "." in text else None
    answer = Answer(name, step, quantity, text, parse_number(text), places, value.line,
                    section)
    seen[(step, quantity)] = answer
    answers.append(answer)


def update_after(problem: Problem, step: int) -> int:
    """The step after which the weights next change, counting from `step`: the step itself
    (sequential), else the last of its group of `group_size` patterns (the last group of an
    epoch may be smaller)."""
    per_epoch, group = len(problem.patterns), problem.group_size
    position = (step - 1) % per_epoch + 1
    return step + min(-(-position // group) * group, per_epoch) - position


def _check_update_step(problem: Problem, step: int, key: Value) -> None:
    last = update_after(problem, step)
    if last == step:
        return
    if problem.group_size == len(problem.patterns):
        where = "the last pattern of an epoch"
    else:
        where = f"the last pattern of each group of {problem.group_size} (batch_size)"
    raise key.error(f"in batch mode the weights change only after {where} (step {last}), "
                    f"not after step {step}")


def plain(text: str) -> str:
    """An exponent form as the plain decimal it stands for: 1.15e-2 -> 0.0115, 1e0 -> 1."""
    from decimal import Decimal

    return format(Decimal(text), "f")


def _whole(digits: str, what: str, key: Value) -> int:
    """A node id or step number as written; thousands of digits are refused before int()
    (which refuses them too, with an error that is not the user's words)."""
    if len(digits.lstrip("0")) > _MAX_ID_DIGITS:
        raise key.error(f"there is no {what} {quoted(digits, 12)} in this problem")
    return int(digits)


def parse_name(name: str, problem: Problem, key: Value) -> Quantity:
    """`z4` -> Quantity('out', node=4); checked against the problem's network."""
    word = name.strip().lower().replace("Δ", "δ")
    if word in _ERROR_NAMES:
        return Quantity("error")
    z_kind = "net" if problem.notation == "paper" else "out"
    for pattern, kind in ((_GRADIENT, "gradient"), (_MOMENTUM, "momentum"),
                          (_CHANGE, "change"), (_DELTA, "delta"), (_SLOPE, "slope"),
                          (_NET, "net"), (_OUT, "out"), (_Z, z_kind), (_WEIGHT, "new")):
        match = pattern.fullmatch(word)
        if match is None:
            continue
        if kind in ("change", "new", "gradient", "momentum"):
            letter, digits = match.group(1), match.group(2)
            # The notes write θ_ji for the weight from i to j: the ids the other way round.
            backwards = letter in ("θ", "theta")
            return Quantity(kind, key=_weight_key(digits, problem, key, backwards))
        return Quantity(kind, node=_node(_whole(match.group(1), "node", key), kind, problem, key))
    raise key.error("not a value name: write net4, z4 (or a4, y7, o4), delta7, w47 or w4_7 "
                    "(the new weight), dw47 (its change), error, slope4, dE/dw47 (the "
                    "gradient), momentum_w47, or a `step 2:` section")


def _node(node_id: int, kind: str, problem: Problem, key: Value) -> int:
    network = problem.network
    try:
        node_kind = network.node_kind(node_id)
    except KeyError:
        raise key.error(f"there is no node {node_id}: this network has nodes "
                        f"1 to {network.node_count}") from None
    if kind in ("net", "delta", "slope") and node_kind in ("input", "bias"):
        article = "an" if node_kind == "input" else "a"
        what = {"net": "net input", "delta": "delta", "slope": "slope f'(net)"}[kind]
        raise key.error(f"node {node_id} is {article} {node_kind} node: it has no {what}")
    return node_id


def _weight_key(digits: str, problem: Problem, key: Value, backwards: bool) -> WeightKey:
    if "_" in digits:
        first, second = digits.split("_")
        weight = (_whole(first, "node", key), _whole(second, "node", key))
    elif len(digits) == 2:
        weight = (int(digits[0]), int(digits[1]))
    else:
        raise key.error("write a weight as w47, or w4_17 with an underscore when an id has "
                        "more than one digit")
    if backwards:
        weight = (weight[1], weight[0])
    if weight not in problem.weights:
        known = ", ".join(weight_name(k) for k in list(problem.weights)[:12])
        more = ", ..." if len(problem.weights) > 12 else ""
        raise key.error(f"this network has no weight from node {weight[0]} to node "
                        f"{weight[1]} (its weights: {known}{more})")
    return weight

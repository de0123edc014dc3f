"""The contract's JSON (problem-format.md section 3), written step by step.

The shape is spelled once, by `_Shape`: each record is written as JSON text directly, its
values through one `put`. `write_json` writes each step as it comes, so a streamed run
(`bpcalc.engine.run.Run`) of a million steps needs the memory of one step. The bytes are
exactly those of `json.dumps(whole object, separators=(",", ":"), allow_nan=False)`
(tests/test_golden_json.py holds them to it); writing the text directly rather than
building dicts for the encoder makes long runs about twice as fast.
"""

from __future__ import annotations

import io
import json
from typing import TextIO

from bpcalc.engine.trace import Step, Trace
from bpcalc.problem.model import Rounding

# Compact; allow_nan=False: a NaN or infinity must never reach a checker as invalid JSON.
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_FLOAT = float.__repr__  # what json writes for a float (also for numpy's float64)
CHUNK = 1 << 20  # characters written at a time


def _number(value: float) -> str:
    """A finite float as json writes it; a NaN or infinity is refused as json refuses it."""
    if value - value:  # inf - inf and nan - nan are nan, which is true
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return _FLOAT(value)


class _Shape:
    """The contract's records as JSON text. `put(name, value)` is the field `"name":value`:
    for float runs the value as it is, for others converted to a float, and with `exact`
    followed by its `_exact` twin (a string `sympy.parse_expr` reads back)."""

    def __init__(self, arithmetic, exact: bool):
        to_float, exact_text = arithmetic.to_float, arithmetic.exact_text
        if exact:
            def put(name: str, value) -> str:
                if value is None:
                    return f'"{name}":null,"{name}_exact":null'
                return (f'"{name}":{_number(to_float(value))},'
                        f'"{name}_exact":{_ENCODE(exact_text(value))}')
        elif arithmetic.name == "float":
            def put(name: str, value) -> str:  # _number, inlined: a run has millions
                if value is None:
                    return f'"{name}":null'
                if value - value:
                    _number(value)  # raises
                return f'"{name}":{_FLOAT(value)}'
        else:
            def put(name: str, value) -> str:
                return f'"{name}":{"null" if value is None else _number(to_float(value))}'
        self.put = put
        self._given: dict[int, str] = {}
        self._kinds: dict[str, str] = {}

    def vector(self, values: tuple) -> str:
        """A pattern's input or target (exact fractions) as a list of floats, made once."""
        known = self._given.get(id(values))
        if known is None:
            known = self._given[id(values)] = _ENCODE([float(x) for x in values])
        return known

    def kind(self, kind: str) -> str:
        known = self._kinds.get(kind)
        if known is None:
            known = self._kinds[kind] = _ENCODE(kind)
        return known

    def step(self, step: Step) -> str:
        put, kinds = self.put, self._kinds
        nodes = ",".join([
            f'{{"id":{node.id},"kind":{kinds.get(node.kind) or self.kind(node.kind)},'
            f'"layer":{node.layer},'
            f'{put("net", node.net)},{put("out", node.out)},{put("delta", node.delta)},'
            f'{put("slope", node.slope)}}}'
            for node in step.nodes])
        updates = ",".join([
            f'{{"from":{update.key[0]},"to":{update.key[1]},{put("old", update.old)},'
            f'{put("change", update.change)},{put("new", update.new)},'
            f'{put("gradient", update.gradient)},{put("momentum", update.momentum)}}}'
            for update in step.updates])
        return (f'{{"epoch":{step.epoch},"pattern":{step.pattern},'
                f'"input":{self.vector(step.input)},"target":{self.vector(step.target)},'
                f'"nodes":[{nodes}],{put("error", step.error)},"updates":[{updates}]}}')

    def final_weights(self, final_weights: dict) -> str:
        return "[" + ",".join(f'{{"from":{i},"to":{j},{self.put("value", value)}}}'
                              for (i, j), value in final_weights.items()) + "]"

    def epochs(self, epochs, stopped: tuple[int, str] | None):
        """Version 2's `epochs` (error and mistakes of every epoch run) and `stopped`, as
        pieces of text: a run of a million epochs is written a piece at a time."""
        put = self.put
        yield '"epochs":['
        separator = ""
        for epoch, error, mistakes in epochs:
            yield (f'{separator}{{"epoch":{epoch},{put("error", error)},'
                   f'"mistakes":{"null" if mistakes is None else mistakes}}}')
            separator = ","
        stop = "null" if stopped is None else (f'{{"epoch":{stopped[0]},'
                                               f'"reason":{_ENCODE(stopped[1])}}}')
        yield f'],"stopped":{stop}}}\n'



def _head(problem) -> dict:
    """Everything before the steps: the problem's set-up (bpcalc's additions after title
    and convention)."""
    return {
        "title": problem.title,
        "convention": problem.convention,
        "layers": list(problem.network.sizes),
        "loss": problem.loss,
        "update": problem.update,
        "learning_rate": float(problem.learning_rate),
        "rounding": rounding_dict(problem.rounding),
        "momentum": float(problem.momentum),
        "batch_size": problem.group_size,
        "train_bias": problem.train_bias,
    }


def rounding_dict(rounding) -> dict | None:
    """The run's hand rounding: {kind, digits}, or per quantity {"by_quantity": {out: {kind,
    digits}, ...}} (bpcalc's additions to the contract); check's JSON says it so too."""
    if rounding is None:
        return None
    if isinstance(rounding, Rounding):
        return {"kind": rounding.kind, "digits": rounding.digits}
    return {"by_quantity": {name: {"kind": each.kind, "digits": each.digits}
                            for name, each in rounding.by}}


def write_json(trace, stream: TextIO, exact: bool = False) -> None:
    """Write the JSON of `trace` (a `Trace`, or a `Run` read as it goes) to `stream`.

    Written in pieces of about a MiB (CHUNK): few writes, and a run that fails within its
    first MiB writes nothing at all, even where nothing can be taken back (standard
    output). The final weights and the warnings come after the steps, as the contract
    orders them, so they are read from `trace` only once its steps are exhausted.
    """
    shape = _Shape(trace.arithmetic, exact)
    step_text = shape.step
    parts = [_ENCODE(_head(trace.problem))[:-1] + ',"steps":[']
    size = 0
    separator = ""
    for step in trace.steps:
        text = separator + step_text(step)
        parts.append(text)
        separator = ","
        size += len(text)
        if size > CHUNK:
            stream.write("".join(parts))
            parts, size = [], 0
    parts.append(f'],"final_weights":{shape.final_weights(trace.final_weights)},'
                 f'"warnings":{_ENCODE(list(trace.warnings))},')
    for piece in shape.epochs(trace.epochs, trace.stopped):
        parts.append(piece)
        size += len(piece)
        if size > CHUNK:
            stream.write("".join(parts))
            parts, size = [], 0
    stream.write("".join(parts))


def render_json(trace: Trace, exact: bool = False) -> str:
    """The whole JSON as one string (for answer keys and tests)."""
    buffer = io.StringIO()
    write_json(trace, buffer, exact)
    return buffer.getvalue()

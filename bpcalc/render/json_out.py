"""The contract's JSON (problem-format.md section 3), built from a solved trace."""

from __future__ import annotations

import json

from bpcalc.engine.trace import Trace


def trace_to_dict(trace: Trace, exact: bool = False) -> dict:
    """Plain data in the contract's shape; with `exact`, each value gets an `_exact` twin."""
    arithmetic = trace.arithmetic
    to_float = arithmetic.to_float
    exact_text = arithmetic.exact_text

    def put(record: dict, name: str, value) -> None:
        record[name] = None if value is None else to_float(value)
        if exact:
            record[name + "_exact"] = None if value is None else exact_text(value)

    # Float traces hold Python floats already: records are built directly (a long run has
    # millions of values), and each pattern's input and target are converted once.
    plain = arithmetic.name == "float" and not exact
    given: dict[int, list[float]] = {}

    def floats(values: tuple) -> list[float]:
        known = given.get(id(values))
        if known is None:
            known = given[id(values)] = [float(x) for x in values]
        return known[:]

    steps = []
    for step in trace.steps:
        if plain:
            entry = {"epoch": step.epoch, "pattern": step.pattern, "input": floats(step.input),
                     "target": floats(step.target),
                     "nodes": [{"id": n.id, "kind": n.kind, "layer": n.layer, "net": n.net,
                                "out": n.out, "delta": n.delta} for n in step.nodes],
                     "error": step.error,
                     "updates": [{"from": u.key[0], "to": u.key[1], "old": u.old,
                                  "change": u.change, "new": u.new} for u in step.updates]}
            steps.append(entry)
            continue
        nodes = []
        for node in step.nodes:
            record = {"id": node.id, "kind": node.kind, "layer": node.layer}
            put(record, "net", node.net)
            put(record, "out", node.out)
            put(record, "delta", node.delta)
            nodes.append(record)
        updates = []
        for update in step.updates:
            record = {"from": update.key[0], "to": update.key[1]}
            put(record, "old", update.old)
            put(record, "change", update.change)
            put(record, "new", update.new)
            updates.append(record)
        entry = {
            "epoch": step.epoch,
            "pattern": step.pattern,
            "input": floats(step.input),
            "target": floats(step.target),
            "nodes": nodes,
        }
        put(entry, "error", step.error)
        entry["updates"] = updates
        steps.append(entry)
    final = []
    for (i, j), value in trace.final_weights.items():
        record = {"from": i, "to": j}
        put(record, "value", value)
        final.append(record)
    problem = trace.problem
    rounding = problem.rounding
    return {
        "title": problem.title,
        "convention": problem.convention,
        "layers": list(problem.network.sizes),
        "loss": problem.loss,
        "update": problem.update,
        "learning_rate": float(problem.learning_rate),
        "rounding": None if rounding is None else {"kind": rounding.kind,
                                                   "digits": rounding.digits},
        "steps": steps,
        "final_weights": final,
        "warnings": list(trace.warnings),  # dead relu, vanishing or saturated (numerics.py)
    }


def render_json(trace: Trace, exact: bool = False) -> str:
    # Compact, so that json's C encoder does the work (indent falls back to pure Python).
    # allow_nan=False: a NaN or infinity must never reach a checker as invalid JSON.
    return json.dumps(trace_to_dict(trace, exact), separators=(",", ":"),
                      allow_nan=False) + "\n"

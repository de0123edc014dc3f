"""Steps (forward, deltas, gradients), weight updates with momentum, epochs and until."""

from __future__ import annotations

from .functions import activate, loss_value, output_gradients, slope
from .problem import Problem, feeding


def forward(p: Problem, w: dict, x: list) -> tuple[dict, dict, dict]:
    """net, out and slope per node, each rounded as asked before it is used again."""
    ar, net, out, slopes = p.ar, {}, {}, {}
    for layer, (ids, bias_id) in enumerate(p.numbered):
        if layer == 0:
            out.update(zip(ids, x, strict=True))
        else:
            nets = [ar.r("net", sum(w[(i, j)] * out[i] for i in feeding(p.numbered, layer)))
                    for j in ids]
            act = p.acts[layer - 1]
            outs = [ar.r("out", z) for z in activate(act, nets, ar)]
            for j, n, z in zip(ids, nets, outs, strict=True):
                net[j], out[j], slopes[j] = n, z, ar.r("slope", slope(act, n, z, ar))
        if bias_id is not None:
            out[bias_id] = p.bias
    return net, out, slopes


def backward(p: Problem, w: dict, out: dict, slopes: dict, targets: list,
             where: list[str]) -> dict:
    """Each node's delta in the chosen convention (slides -dE/dnet, textbook +dE/dnet)."""
    ar, outputs = p.ar, p.numbered[-1][0]
    grads = output_gradients(p, targets, [out[k] for k in outputs],
                             [slopes[k] for k in outputs], where)
    delta = {k: ar.r("delta", -p.sign * g) for k, g in zip(outputs, grads, strict=True)}
    for layer in range(len(p.layers) - 2, 0, -1):
        above = p.numbered[layer + 1][0]
        for j in p.numbered[layer][0]:
            delta[j] = ar.r("delta", slopes[j] * sum(delta[k] * w[(j, k)] for k in above))
    return delta


def _kind(p: Problem, layer: int) -> str:
    return "input" if layer == 0 else "output" if layer == len(p.layers) - 1 else "hidden"


def _float(value):
    return None if value is None else float(value)


def node_records(p: Problem, net: dict, out: dict, delta: dict, slopes: dict) -> list:
    records = []
    for layer, (ids, bias_id) in enumerate(p.numbered):
        for node in ids + ([bias_id] if bias_id is not None else []):
            records.append({"id": node, "kind": "bias" if node == bias_id else _kind(p, layer),
                            "layer": layer, "net": _float(net.get(node)),
                            "out": float(out[node]), "delta": _float(delta.get(node)),
                            "slope": _float(slopes.get(node))})
    return records


def run_step(p: Problem, w: dict, epoch: int, position: int, number: int):
    """One pattern presentation: its JSON step, its gradients dE/dw, and whether it erred."""
    x, t = p.patterns[position - 1]
    where = [f"step {number} (epoch {epoch}, pattern {position}), node {k}"
             for k in p.numbered[-1][0]]
    net, out, slopes = forward(p, w, x)
    outs = [out[k] for k in p.numbered[-1][0]]
    error = p.ar.r("error", loss_value(p.loss, t, outs, p.ar, where))
    delta = backward(p, w, out, slopes, t, where)
    gradient = {(i, j): -p.sign * delta[j] * out[i] for i, j in p.keys}
    wrong = p.acts[-1]["name"] == "step" and outs != list(t)
    step = {"epoch": epoch, "pattern": position, "input": [float(v) for v in x],
            "target": [float(v) for v in t], "nodes": node_records(p, net, out, delta, slopes),
            "error": float(error), "updates": []}
    return step, error, gradient, wrong


# --- training ---------------------------------------------------------------------------

def apply_update(p: Problem, start: dict, gradient: dict, previous: dict):
    """The new weights, each change with its momentum term, and the JSON updates."""
    ar, weights, changes, updates = p.ar, {}, {}, []
    for key in p.keys:
        zero = ar.num(0)
        momentum = p.alpha * previous[key] if p.trained(key) else zero
        change = ar.r("change", -p.lr * gradient[key] + momentum) if p.trained(key) else zero
        new = ar.r("weight", start[key] + change) if p.trained(key) else start[key]
        weights[key], changes[key] = new, change
        updates.append({"from": key[0], "to": key[1], "old": float(start[key]),
                        "change": float(change), "new": float(new),
                        "gradient": float(gradient[key]), "momentum": float(momentum)})
    return weights, changes, updates


def run_epoch(p: Problem, w: dict, previous: dict, epoch: int, steps: list):
    """Every group of the epoch in order; returns weights, last changes, error, mistakes."""
    error, mistakes = 0, 0
    for group in p.groups():
        summed = {key: 0 for key in p.keys}
        for position in group:
            step, e, gradient, wrong = run_step(p, w, epoch, position, len(steps) + 1)
            steps.append(step)
            error, mistakes = error + e, mistakes + wrong
            summed = {key: summed[key] + gradient[key] for key in p.keys}
        w, previous, steps[-1]["updates"] = apply_update(p, w, summed, previous)
    return w, previous, error, mistakes


def _met(p: Problem, error, mistakes: int) -> bool:
    if p.until is None:
        return False
    if p.until == "no_mistakes":
        return mistakes == 0
    return error <= p.ar.num(p.until["error"])


def solve(spec: dict) -> dict:
    """The contract's JSON for `spec` (a problem as loaded from YAML)."""
    p = Problem(spec)
    w, previous = dict(p.weights), dict.fromkeys(p.keys, p.ar.num(0))
    steps, epochs, reason = [], [], "epochs"
    counting = p.acts[-1]["name"] == "step"
    for epoch in range(1, p.max_epochs + 1):
        w, previous, error, mistakes = run_epoch(p, w, previous, epoch, steps)
        epochs.append({"epoch": epoch, "error": float(error),
                       "mistakes": mistakes if counting else None})
        if _met(p, error, mistakes):
            reason = "until"
            break
    return {"title": p.title, "convention": p.convention, "steps": steps,
            "final_weights": [{"from": i, "to": j, "value": float(w[(i, j)])}
                              for i, j in p.keys],
            "epochs": epochs, "stopped": {"epoch": len(epochs), "reason": reason}}

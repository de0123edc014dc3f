"""The PyTorch side of the speed comparison: the same sequential SGD as `bpcalc solve`.

What a PyTorch user would write for the benchmark problems (sigmoid layers, bias input 1,
weights as one matrix per layer with the bias weight last, loss half_sse, the slides'
convention): float64 on the CPU, no autograd (the deltas are wanted anyway, and a
hand-written backward pass is the fastest honest loop), one matrix product per layer.

With the trace it records, per step, what bpcalc's JSON holds (every node's net, out and
delta; every weight's old value, change and new value; the error) and writes the same
contract-shaped JSON; with `--summary` only the error per epoch and the final weights.

Run: python benchmarks/torch_reference.py PROBLEM.yaml [--epochs N] [--summary] [-o FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

import torch
import yaml


def load(path: str) -> dict:
    """The problem file's plain data (PyYAML's C loader when available)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def _float(value) -> float:
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def _patterns(data: dict) -> list[tuple[list[float], list[float]]]:
    if "patterns" in data:
        return [([_float(x) for x in p["input"]], [_float(t) for t in p["target"]])
                for p in data["patterns"]]
    return [([_float(x) for x in data["pattern"]], [_float(t) for t in data["target"]])]


def _weights(data: dict) -> list[torch.Tensor]:
    """One (nodes, previous nodes + 1) matrix per layer: the bias weight last."""
    sizes = data["layers"]
    given = data["weights"]
    if isinstance(given, list):
        return [torch.tensor([[_float(w) for w in row] for row in matrix], dtype=torch.float64)
                for matrix in given]
    return [torch.full((after, before + 1), _float(given), dtype=torch.float64)
            for before, after in zip(sizes, sizes[1:], strict=False)]


def _node_ids(sizes: list[int]) -> tuple[list[list[int]], list[int]]:
    """The slides' numbering: each layer's node ids, and the bias id after every layer."""
    ids, biases, next_id = [], [], 1
    for index, size in enumerate(sizes):
        ids.append(list(range(next_id, next_id + size)))
        next_id += size
        if index < len(sizes) - 1:
            biases.append(next_id)
            next_id += 1
    return ids, biases


def train(data: dict, epochs: int, record: bool) -> dict:
    """Sequential SGD on `data`; returns the contract-shaped result (steps only if `record`)."""
    torch.set_grad_enabled(False)
    sizes = data["layers"]
    rate = _float(data["learning_rate"])
    weights = _weights(data)
    patterns = _patterns(data)
    one = torch.ones(1, dtype=torch.float64)
    inputs = [torch.cat((torch.tensor(x, dtype=torch.float64), one)) for x, _ in patterns]
    targets = [torch.tensor(t, dtype=torch.float64) for _, t in patterns]
    ids, biases = _node_ids(sizes)
    last = len(weights) - 1
    keys = [[(i, j) for j in ids[layer + 1] for i in ids[layer] + [biases[layer]]]
            for layer in range(len(weights))]
    steps, errors = [], []
    for epoch in range(1, epochs + 1):
        for position, (x, t) in enumerate(zip(inputs, targets, strict=True), start=1):
            activations, nets, outs = [x], [], []
            for layer, matrix in enumerate(weights):
                net = matrix @ activations[-1]
                out = torch.sigmoid(net)
                nets.append(net)
                outs.append(out)
                activations.append(out if layer == last else torch.cat((out, one)))
            residual = t - outs[-1]
            error = 0.5 * float(residual @ residual)
            deltas = [None] * len(weights)
            deltas[last] = residual * outs[-1] * (1 - outs[-1])
            for layer in range(last - 1, -1, -1):
                back = weights[layer + 1][:, :-1].T @ deltas[layer + 1]
                deltas[layer] = outs[layer] * (1 - outs[layer]) * back
            changes = [rate * torch.outer(deltas[layer], activations[layer])
                       for layer in range(len(weights))]
            if record:
                old = [matrix.flatten().tolist() for matrix in weights]
            for matrix, change in zip(weights, changes, strict=True):
                matrix += change
            if record:
                steps.append(_step_record(epoch, position, patterns[position - 1], ids,
                                          biases, activations, nets, outs, deltas, error,
                                          keys, old, changes, weights))
            else:
                errors.append((epoch, error))
    final = [{"from": i, "to": j, "value": value}
             for layer, matrix in enumerate(weights)
             for (i, j), value in zip(keys[layer], matrix.flatten().tolist(), strict=True)]
    result = {"layers": sizes, "steps": steps, "final_weights": final}
    if not record:
        totals: dict[int, float] = {}
        for epoch, error in errors:
            totals[epoch] = totals.get(epoch, 0.0) + error
        result["epoch_errors"] = sorted(totals.items())
    return result


def _step_record(epoch, position, pattern, ids, biases, activations, nets, outs, deltas,
                 error, keys, old, changes, weights) -> dict:
    x, t = pattern
    nodes = [{"id": i, "kind": "input", "layer": 0, "net": None, "out": v, "delta": None}
             for i, v in zip(ids[0], x, strict=True)]
    nodes.append({"id": biases[0], "kind": "bias", "layer": 0, "net": None, "out": 1.0,
                  "delta": None})
    last = len(nets) - 1
    for layer in range(len(nets)):
        kind = "output" if layer == last else "hidden"
        for i, net, out, delta in zip(ids[layer + 1], nets[layer].tolist(),
                                      outs[layer].tolist(), deltas[layer].tolist(),
                                      strict=True):
            nodes.append({"id": i, "kind": kind, "layer": layer + 1, "net": net, "out": out,
                          "delta": delta})
        if layer < last:
            nodes.append({"id": biases[layer + 1], "kind": "bias", "layer": layer + 1,
                          "net": None, "out": 1.0, "delta": None})
    updates = []
    for layer, matrix in enumerate(weights):
        for (i, j), before, change, after in zip(keys[layer], old[layer],
                                                 changes[layer].flatten().tolist(),
                                                 matrix.flatten().tolist(), strict=True):
            updates.append({"from": i, "to": j, "old": before, "change": change,
                            "new": after})
    return {"epoch": epoch, "pattern": position, "input": x, "target": t, "nodes": nodes,
            "error": error, "updates": updates}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("problem")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args()
    data = load(args.problem)
    epochs = args.epochs or data.get("epochs", 1)
    result = train(data, epochs, record=not args.summary)
    if args.summary:
        for epoch, error in result["epoch_errors"]:
            print(f"epoch {epoch}: error {error:.6g}")
        for weight in result["final_weights"]:
            print(f"w{weight['from']}_{weight['to']} = {weight['value']:.6g}")
        return
    text = json.dumps(result, separators=(",", ":"), allow_nan=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

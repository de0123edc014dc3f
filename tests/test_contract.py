"""Conformance with the contract (problem-format.md), checked against an independent reference.

The reference below is written from the contract alone (its own node numbering, its own
rounding with `decimal`'s ROUND_HALF_UP, its own sigmoid/tanh to 50 digits), not from
bpcalc's code; every test runs the real `bpcalc solve ... --format json` command.
"""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction as F

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()


# ---------------------------------------------------------------------------------------
# Independent reference
# ---------------------------------------------------------------------------------------

def numbering(layers, bias):
    """[(ids of layer, bias id or None)] numbered from 1 as the contract describes."""
    result, next_id = [], 1
    for index, size in enumerate(layers):
        ids = list(range(next_id, next_id + size))
        next_id += size
        bias_id = None
        if bias is not None and index < len(layers) - 1:
            bias_id, next_id = next_id, next_id + 1
        result.append((ids, bias_id))
    return result


def keys_of(layers, bias):
    """Weight keys in the order of the per-layer matrices: row by row, bias column last."""
    numbered = numbering(layers, bias)
    keys = []
    for (prev, prev_bias), (ids, _) in zip(numbered, numbered[1:], strict=False):
        feeding = prev + ([prev_bias] if prev_bias is not None else [])
        keys += [(i, j) for j in ids for i in feeding]
    return keys


def _decimal(value: F) -> Decimal:
    ctx = Context(prec=60)
    return ctx.divide(Decimal(value.numerator), Decimal(value.denominator))


def hand_round(value, places=None, sigfigs=None) -> F:
    """Round the true value, halves away from zero (decimal's ROUND_HALF_UP)."""
    value = F(value)
    if value == 0:
        return value
    d = _decimal(value)
    if places is not None:
        return F(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return F(Context(prec=sigfigs, rounding=ROUND_HALF_UP).plus(d))


def _exp(x: F) -> F:
    return F(Context(prec=60).exp(_decimal(x)))


def act(name, net, beta=F(1), threshold=F(0), exact=False):
    if name == "sigmoid":
        if exact:
            return 1 / (1 + _exp(-beta * net))
        return 1 / (1 + math.exp(-float(beta) * net))
    if name == "tanh":
        if exact:
            e = _exp(2 * net)
            return (e - 1) / (e + 1)
        return math.tanh(net)
    if name == "relu":
        return net if net > 0 else 0 * net
    if name == "linear":
        return net
    return 1 if net >= threshold else 0


def slope(name, net, z, beta=1):
    if name == "sigmoid":
        return beta * z * (1 - z)
    if name == "tanh":
        return 1 - z * z
    if name == "relu":
        return 1 if net > 0 else 0
    return 1


def reference(layers, acts, weights, patterns, lr, *, bias=1, beta=1, threshold=0,
              epochs=1, update="sequential", loss="half_sse", convention="slides",
              places=None, sigfigs=None):
    """Every step as the contract's JSON would show it (floats, or Fractions when rounding)."""
    rounding = places is not None or sigfigs is not None
    num = F if rounding else float

    def r(value):
        return hand_round(value, places, sigfigs) if rounding else value

    numbered = numbering(layers, bias)
    keys = keys_of(layers, bias)
    w = {k: num(F(v)) for k, v in weights.items()}
    if isinstance(acts, str):
        acts = [acts] * (len(layers) - 1)
    K = layers[-1]
    factor = {"half_sse": F(1), "sse": F(2), "mse": F(2, K)}[loss]
    scale = {"half_sse": F(1, 2), "sse": F(1), "mse": F(1, K)}[loss]
    if acts[-1] == "step":
        factor = F(1)
    sign = 1 if convention == "slides" else -1
    steps = []
    for epoch in range(1, epochs + 1):
        start = dict(w)
        summed = dict.fromkeys(keys, num(0))
        for position, (x, t) in enumerate(patterns, start=1):
            used = start if update == "batch" else w
            out, net, delta, kinds = {}, {}, {}, {}
            for node, value in zip(numbered[0][0], x, strict=True):
                out[node] = num(F(value))
                kinds[node] = ("input", 0)
            for li, (ids, bias_id) in enumerate(numbered):
                if li > 0:
                    prev, prev_bias = numbered[li - 1]
                    feeding = prev + ([prev_bias] if prev_bias is not None else [])
                    for j in ids:
                        net[j] = r(sum(used[(i, j)] * out[i] for i in feeding))
                        out[j] = r(act(acts[li - 1], net[j], F(beta), F(threshold), rounding))
                        kinds[j] = ("output" if li == len(layers) - 1 else "hidden", li)
                if bias_id is not None:
                    out[bias_id] = num(F(bias))
                    kinds[bias_id] = ("bias", li)
            outputs = numbered[-1][0]
            res = [num(F(tv)) - out[k] for k, tv in zip(outputs, t, strict=True)]
            error = r(num(scale) * sum(e * e for e in res))
            for k, e in zip(outputs, res, strict=True):
                s = slope(acts[-1], net[k], out[k], num(F(beta)))
                delta[k] = r(sign * num(factor) * e * s)
            for li in range(len(layers) - 2, 0, -1):
                above = numbered[li + 1][0]
                for j in numbered[li][0]:
                    s = slope(acts[li - 1], net[j], out[j], num(F(beta)))
                    delta[j] = r(s * sum(delta[k] * used[(j, k)] for k in above))
            raw = {(i, j): sign * num(F(lr)) * delta[j] * out[i] for i, j in keys}
            change = {key: r(value) for key, value in raw.items()}
            nodes = [{"id": n, "kind": kinds[n][0], "layer": kinds[n][1], "net": net.get(n),
                      "out": out[n], "delta": delta.get(n)} for n in sorted(out)]
            step = {"epoch": epoch, "pattern": position, "nodes": nodes, "error": error,
                    "updates": []}
            if update == "batch":  # rounded once, as a whole (section 4's gradient identity)
                summed = {k: summed[k] + raw[k] for k in keys}
                if position == len(patterns):
                    step["updates"] = [{"from": i, "to": j, "old": start[(i, j)],
                                        "change": r(summed[(i, j)]),
                                        "new": r(start[(i, j)] + r(summed[(i, j)]))}
                                       for i, j in keys]
                    w = {k: r(start[k] + r(summed[k])) for k in keys}
            else:
                step["updates"] = [{"from": i, "to": j, "old": w[(i, j)],
                                    "change": change[(i, j)],
                                    "new": r(w[(i, j)] + change[(i, j)])} for i, j in keys]
                w = {k: r(w[k] + change[k]) for k in keys}
            steps.append(step)
    return steps, w


# ---------------------------------------------------------------------------------------
# Running the real command
# ---------------------------------------------------------------------------------------

def solve(tmp_path, text: str, *options: str, status: int = 0):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["solve", str(path), "--format", "json", *options])
    assert result.exit_code == status, (result.exit_code, result.stdout, result.stderr)
    if status:
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        return result.stderr
    return json.loads(result.stdout)


def close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-15)


def same(a, b):
    """Rounded runs: the JSON number must be the reference decimal exactly."""
    if a is None or b is None:
        return a is None and b is None
    return a == float(b)


def assert_matches(data, steps, final, compare=close):
    assert len(data["steps"]) == len(steps)
    for got, want in zip(data["steps"], steps, strict=True):
        assert (got["epoch"], got["pattern"]) == (want["epoch"], want["pattern"])
        assert [(n["id"], n["kind"], n["layer"]) for n in got["nodes"]] == \
            [(n["id"], n["kind"], n["layer"]) for n in want["nodes"]]
        for g, w in zip(got["nodes"], want["nodes"], strict=True):
            for name in ("net", "out", "delta"):
                assert compare(g[name], w[name]), (got["epoch"], got["pattern"], g, w, name)
        assert compare(got["error"], want["error"]), (got["error"], want["error"])
        assert len(got["updates"]) == len(want["updates"])
        for g, w in zip(got["updates"], want["updates"], strict=True):
            assert (g["from"], g["to"]) == (w["from"], w["to"])
            for name in ("old", "change", "new"):
                assert compare(g[name], w[name]), (g, w, name)
    assert [(f["from"], f["to"]) for f in data["final_weights"]] == list(final)
    for f in data["final_weights"]:
        assert compare(f["value"], final[(f["from"], f["to"])])


# ---------------------------------------------------------------------------------------
# The contract's own example, and the three runs computed by hand
# ---------------------------------------------------------------------------------------

EXAMPLE = """\
layers: [2, 2, 1]
weights: 0.5
pattern: [0.9, 0.6]
target: [0]
learning_rate: 1
"""


def test_contract_example_values(tmp_path):
    data = solve(tmp_path, EXAMPLE)
    keys = keys_of([2, 2, 1], 1)
    assert keys == [(1, 4), (2, 4), (3, 4), (1, 5), (2, 5), (3, 5), (4, 7), (5, 7), (6, 7)]
    steps, final = reference([2, 2, 1], "sigmoid", dict.fromkeys(keys, 0.5),
                             [([0.9, 0.6], [0])], 1)
    assert_matches(data, steps, final)
    step = data["steps"][0]
    node = {n["id"]: n for n in step["nodes"]}
    # By hand: net4 = .9*.5 + .6*.5 + 1*.5; z4 = 1/(1+e^-1.25); net7 = 2*.5*z4 + .5; ...
    z4 = 1 / (1 + math.exp(-1.25))
    z7 = 1 / (1 + math.exp(-(z4 + 0.5)))
    d7 = (0 - z7) * z7 * (1 - z7)
    d4 = z4 * (1 - z4) * d7 * 0.5
    assert node[4]["net"] == 1.25 and close(node[4]["out"], z4)
    assert close(node[7]["net"], z4 + 0.5) and close(node[7]["delta"], d7)
    assert close(node[4]["delta"], d4)
    assert close(step["error"], 0.5 * z7 * z7)
    # The contract's printed decimals.
    assert round(node[4]["out"], 4) == 0.7773 and round(node[4]["delta"], 5) == -0.01154
    assert round(node[7]["out"], 4) == 0.782 and round(node[7]["delta"], 4) == -0.1333
    assert round(step["error"], 4) == 0.3058
    update = {(u["from"], u["to"]): u for u in step["updates"]}
    assert round(update[(4, 7)]["change"], 5) == -0.10363
    assert round(update[(4, 7)]["new"], 5) == 0.39637
    assert round(data["final_weights"][0]["value"], 5) == 0.48962
    assert node[3] == {"id": 3, "kind": "bias", "layer": 0, "net": None, "out": 1.0,
                       "delta": None, "slope": None}  # slope: version 2's addition
    assert close(node[7]["slope"], z7 * (1 - z7)) and close(node[4]["slope"], z4 * (1 - z4))
    assert list(step) == ["epoch", "pattern", "input", "target", "nodes", "error", "updates"]
    assert list(step["updates"][0]) == ["from", "to", "old", "change", "new", "gradient",
                                        "momentum"]
    assert close(update[(4, 7)]["gradient"], -d7 * z4) and update[(4, 7)]["momentum"] == 0
    assert data["epochs"] == [{"epoch": 1, "error": step["error"], "mistakes": None}]
    assert data["stopped"] == {"epoch": 1, "reason": "epochs"}
    assert list(data["final_weights"][0]) == ["from", "to", "value"]
    assert list(data)[:2] == ["title", "convention"]
    assert list(data).index("steps") < list(data).index("final_weights")
    assert step["input"] == [0.9, 0.6] and step["target"] == [0.0]


TANH_BATCH = """\
title: tanh batch
layers: [2, 2, 2]
activation: tanh
bias: -1
loss: mse
update: batch
epochs: 2
learning_rate: 0.5
weights:
  - [[0.1, -0.2, 0.3], ["1/3", 0.4, -0.5]]
  - [[0.6, -0.7, .8], [-0.9, 1, 0.25]]
patterns:
  - {input: [1, 0.5], target: [0.2, -0.4]}
  - {input: [-0.3, 0.8], target: [-0.1, 0.7]}
"""


def tanh_batch_weights():
    keys = keys_of([2, 2, 2], -1)
    assert keys == [(1, 4), (2, 4), (3, 4), (1, 5), (2, 5), (3, 5),
                    (4, 7), (5, 7), (6, 7), (4, 8), (5, 8), (6, 8)]
    values = [0.1, -0.2, 0.3, F(1, 3), 0.4, -0.5, 0.6, -0.7, 0.8, -0.9, 1, 0.25]
    return dict(zip(keys, [F(str(v)) if isinstance(v, float) else F(v) for v in values],
                    strict=True))


def test_tanh_bias_minus_one_mse_batch_two_epochs(tmp_path):
    data = solve(tmp_path, TANH_BATCH)
    patterns = [([1, 0.5], [0.2, -0.4]), ([-0.3, 0.8], [-0.1, 0.7])]
    steps, final = reference([2, 2, 2], "tanh", tanh_batch_weights(), patterns, 0.5, bias=-1,
                             loss="mse", update="batch", epochs=2)
    assert_matches(data, steps, final)
    assert data["title"] == "tanh batch"
    assert [(s["epoch"], s["pattern"]) for s in data["steps"]] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert [len(s["updates"]) for s in data["steps"]] == [0, 12, 0, 12]
    bias_out = [n["out"] for s in data["steps"] for n in s["nodes"] if n["kind"] == "bias"]
    assert bias_out == [-1.0] * 8
    # By hand, first step, output node 7: net7 = .6 z4 - .7 z5 + .8 * (-1); delta7 with 2/K = 1.
    z4 = math.tanh(0.1 * 1 - 0.2 * 0.5 - 0.3)
    z5 = math.tanh(1 / 3 + 0.4 * 0.5 + 0.5)
    z7 = math.tanh(0.6 * z4 - 0.7 * z5 - 0.8)
    z8 = math.tanh(-0.9 * z4 + z5 - 0.25)
    node = {n["id"]: n for n in data["steps"][0]["nodes"]}
    assert close(node[7]["delta"], (0.2 - z7) * (1 - z7 ** 2))  # 2/K with K = 2
    assert close(data["steps"][0]["error"], ((0.2 - z7) ** 2 + (-0.4 - z8) ** 2) / 2)
    # The epoch's updates start from the epoch's weights and add the summed changes.
    first, second = data["steps"][1]["updates"], data["steps"][3]["updates"]
    assert close(first[3]["old"], 1 / 3)
    assert [u["old"] for u in second] == [u["new"] for u in first]
    assert [f["value"] for f in data["final_weights"]] == [u["new"] for u in second]
    for u in first + second:
        assert close(u["new"], u["old"] + u["change"])


SIGFIGS = """\
layers: [2, 2, 1]
weights: {default: 0.5, w14: 0.15, w2_5: -0.25, w36: 1}
patterns:
  - {input: [0.9, 0.6], target: [0]}
  - {input: [0.12345, -0.7], target: [1]}
learning_rate: 0.35
epochs: 2
sigfigs: 3
"""


def test_sigfigs_three_sequential(tmp_path):
    keys = keys_of([2, 2, 1], 1)
    weights = dict.fromkeys(keys, F(1, 2)) | {(1, 4): F("0.15"), (2, 5): F("-0.25")}
    message = solve(tmp_path, SIGFIGS, status=2)  # no weight 3 -> 6: both are bias nodes
    assert "w36" in message and "node 3 to node 6" in message
    data = solve(tmp_path, SIGFIGS.replace("w36: 1", "w6_7: 1"))
    weights[(6, 7)] = F(1)
    patterns = [([F("0.9"), F("0.6")], [0]), ([F("0.12345"), F("-0.7")], [1])]
    steps, final = reference([2, 2, 1], "sigmoid", weights, patterns, F("0.35"), epochs=2,
                             sigfigs=3)
    assert_matches(data, steps, final, compare=same)
    # By hand for the first step: net4 = .9*.15 + .6*.5 + .5 = .935, z4 = 0.718 (3 s.f.).
    node = {n["id"]: n for n in data["steps"][0]["nodes"]}
    assert node[4]["net"] == 0.935 and node[4]["out"] == 0.718
    # Inputs and the learning rate are never rounded.
    assert data["steps"][1]["input"] == [0.12345, -0.7]
    assert node[1]["out"] == 0.9 and data["learning_rate"] == 0.35


# ---------------------------------------------------------------------------------------
# Hand rounding
# ---------------------------------------------------------------------------------------

def test_halves_round_away_from_zero_and_givens_stay_unrounded(tmp_path):
    # Linear 1-1 without bias: net = w x exactly; 0.25 and -0.25 to 1 place are 0.3 and -0.3
    # (Python's round() gives 0.2); 2.675 to 2 places is 2.68 (the float 2.675 is below it).
    base = "layers: [1, 1]\nactivation: linear\nbias: none\nlearning_rate: 0.123\nround: 1\n"
    data = solve(tmp_path, base + "weights: 0.5\npatterns: [{input: [0.5], target: [0.04]},"
                 " {input: [-0.5], target: [0.04]}]\n")
    nets = [s["nodes"][1]["net"] for s in data["steps"]]
    assert nets[0] == 0.3
    assert hand_round(F("-0.25"), places=1) == F("-0.3")
    assert data["steps"][0]["input"] == [0.5] and data["steps"][0]["target"] == [0.04]
    assert data["steps"][0]["updates"][0]["old"] == 0.5
    assert data["learning_rate"] == 0.123
    data = solve(tmp_path, base.replace("round: 1", "round: 2")
                 + "weights: 2.675\npattern: [1]\ntarget: [0]\n")
    assert data["steps"][0]["nodes"][1]["net"] == 2.68
    data = solve(tmp_path, base + "weights: -0.5\npattern: [0.5]\ntarget: [0]\n")
    assert data["steps"][0]["nodes"][1]["net"] == -0.3
    # The change is rounded before it is added: delta = t - z = 0 - (-0.3) = 0.3,
    # change = 0.123 * 0.3 * 0.5 = 0.01845 -> 0.0, new = -0.5 + 0.0.
    update = data["steps"][0]["updates"][0]
    assert data["steps"][0]["nodes"][1]["delta"] == 0.3
    assert update["change"] == 0.0 and update["new"] == -0.5


def test_round_places_batch_textbook_equals_reference(tmp_path):
    text = TANH_BATCH.replace("update: batch", "update: batch\nround: 4\nconvention: textbook")
    data = solve(tmp_path, text)
    patterns = [([1, F("0.5")], [F("0.2"), F("-0.4")]), ([F("-0.3"), F("0.8")],
                                                        [F("-0.1"), F("0.7")])]
    steps, final = reference([2, 2, 2], "tanh", tanh_batch_weights(), patterns, F("0.5"),
                             bias=-1, loss="mse", update="batch", epochs=2, places=4,
                             convention="textbook")
    assert_matches(data, steps, final, compare=same)
    assert data["convention"] == "textbook"
    # The initial weight 1/3 is never rounded.
    assert data["steps"][1]["updates"][3]["old"] == 1 / 3


def test_round_from_the_command_line_equals_the_file_key(tmp_path):
    from_file = solve(tmp_path, EXAMPLE + "round: 3\n")
    from_option = solve(tmp_path, EXAMPLE, "--round", "3")
    assert from_file["steps"] == from_option["steps"]
    steps, final = reference([2, 2, 1], "sigmoid", dict.fromkeys(keys_of([2, 2, 1], 1), 0.5),
                             [([F("0.9"), F("0.6")], [0])], 1, places=3)
    assert_matches(from_option, steps, final, compare=same)
    assert from_option["steps"][0]["nodes"][3]["out"] == 0.777


# ---------------------------------------------------------------------------------------
# Weights, numbering, activations, bias, losses, conventions
# ---------------------------------------------------------------------------------------

ONE_STEP = """\
layers: [2, 2, 1]
pattern: [0.9, 0.6]
target: [0]
learning_rate: 1
"""


def finals(data):
    return {(f["from"], f["to"]): f["value"] for f in data["final_weights"]}


def test_weight_forms_mean_the_same(tmp_path):
    matrices = "weights:\n  - [[0.1, \"1/3\", -1], [.2, 0.3, 0.4]]\n  - [[0.5, 0.6, 0.7]]\n"
    named_all = ("weights: {w14: 0.1, w2_4: \"1/3\", w34: -1, w15: .2, w25: 0.3, w3_5: 0.4,"
                 " w47: 0.5, w57: 0.6, w6_7: 0.7}\n")
    named_default = "weights: {default: 0.6, w14: 0.1, w24: \"1/3\", w3_4: -1, w15: 0.2,\n" \
                    "  w25: 0.3, w35: 0.4, w4_7: 0.5, w67: 0.7}\n"
    results = [solve(tmp_path, ONE_STEP + text) for text in (matrices, named_all, named_default)]
    assert results[0]["steps"] == results[1]["steps"] == results[2]["steps"]
    weights = dict(zip(keys_of([2, 2, 1], 1), [F("0.1"), F(1, 3), F(-1), F("0.2"), F("0.3"),
                                                F("0.4"), F("0.5"), F("0.6"), F("0.7")],
                       strict=True))
    steps, final = reference([2, 2, 1], "sigmoid", weights, [([0.9, 0.6], [0])], 1)
    assert_matches(results[0], steps, final)
    scalar = solve(tmp_path, ONE_STEP + "weights: \"1/4\"\n")
    assert all(u["old"] == 0.25 for u in scalar["steps"][0]["updates"])
    assert len(scalar["steps"][0]["updates"]) == 9  # bias weights included
    message = solve(tmp_path, ONE_STEP + "weights: {w14: 0.1}\n", status=2)
    assert "weights" in message and "w24" in message


def test_exact_decimals_are_taken_as_written(tmp_path):
    data = solve(tmp_path, ONE_STEP + "weights: 0.1\n", "--exact")
    node4 = data["steps"][0]["nodes"][3]
    assert node4["net_exact"] == "1/4"  # 0.9*0.1 + 0.6*0.1 + 0.1, not a sum of doubles
    assert data["steps"][0]["nodes"][0]["out_exact"] == "9/10"
    assert data["steps"][0]["updates"][0]["old_exact"] == "1/10"


def test_numbering_without_bias_and_with_several_hidden_layers(tmp_path):
    base = "weights: 0.1\npattern: [1, 0]\ntarget: [1]\nlearning_rate: 1\n"
    data = solve(tmp_path, base + "layers: [2, 3, 2, 1]\n")
    kinds = [(n["id"], n["kind"], n["layer"]) for n in data["steps"][0]["nodes"]]
    assert kinds == [(1, "input", 0), (2, "input", 0), (3, "bias", 0), (4, "hidden", 1),
                     (5, "hidden", 1), (6, "hidden", 1), (7, "bias", 1), (8, "hidden", 2),
                     (9, "hidden", 2), (10, "bias", 2), (11, "output", 3)]
    steps, final = reference([2, 3, 2, 1], "sigmoid", dict.fromkeys(keys_of([2, 3, 2, 1], 1),
                                                                   F("0.1")), [([1, 0], [1])], 1)
    assert_matches(data, steps, final)
    assert (10, 11) in finals(data) and (7, 9) in finals(data)
    data = solve(tmp_path, base + "layers: [2, 3, 2, 1]\nbias: none\n")
    assert [n["id"] for n in data["steps"][0]["nodes"]] == list(range(1, 9))
    assert {n["kind"] for n in data["steps"][0]["nodes"]} == {"input", "hidden", "output"}
    steps, final = reference([2, 3, 2, 1], "sigmoid", dict.fromkeys(keys_of([2, 3, 2, 1], None),
                                                                   F("0.1")), [([1, 0], [1])],
                             1, bias=None)
    assert_matches(data, steps, final)
    assert list(finals(data)) == [(1, 3), (2, 3), (1, 4), (2, 4), (1, 5), (2, 5), (3, 6), (4, 6),
                                  (5, 6), (3, 7), (4, 7), (5, 7), (6, 8), (7, 8)]
    # bias: null is none; a 12-node net names w<i>_<j> with two-digit ids.
    assert solve(tmp_path, base + "layers: [2, 3, 2, 1]\nbias: null\n")["steps"] == data["steps"]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_every_activation_and_loss_equals_reference(tmp_path, activation):
    for loss in ("half_sse", "sse", "mse"):
        for bias in (1, -1):
            text = (f"layers: [2, 2, 2]\nactivation: {activation}\nbeta: 2\nloss: {loss}\n"
                    f"bias: {bias}\nlearning_rate: 0.3\nepochs: 2\nweights:\n"
                    "  - [[0.4, -0.2, 0.1], [0.3, 0.5, -0.6]]\n  - [[0.7, -0.1, 0.2], "
                    "[-0.3, 0.9, 0.05]]\npatterns:\n  - {input: [1, 0.5], target: [0.9, 0.1]}\n"
                    "  - {input: [0.2, -1], target: [0.3, 0.8]}\n")
            data = solve(tmp_path, text)
            weights = dict(zip(keys_of([2, 2, 2], bias), [F(x) for x in (
                "0.4", "-0.2", "0.1", "0.3", "0.5", "-0.6", "0.7", "-0.1", "0.2", "-0.3",
                "0.9", "0.05")], strict=True))
            patterns = [([1, 0.5], [0.9, 0.1]), ([0.2, -1], [0.3, 0.8])]
            steps, final = reference([2, 2, 2], activation, weights, patterns, 0.3, bias=bias,
                                     beta=2, loss=loss, epochs=2)
            assert_matches(data, steps, final)


def test_loss_factors_by_hand(tmp_path):
    # Linear 1-2 without bias, w = 0.5, x = 2: z = 1 at both outputs; targets 3 and 0.
    text = ("layers: [1, 2]\nactivation: linear\nbias: none\nweights: 0.5\npattern: [2]\n"
            "target: [3, 0]\nlearning_rate: 0.1\n")
    expected = {"half_sse": (2.5, [2, -1]), "sse": (5, [4, -2]), "mse": (2.5, [2, -1])}
    for loss, (error, deltas) in expected.items():
        data = solve(tmp_path, text + f"loss: {loss}\n")
        step = data["steps"][0]
        assert step["error"] == error
        assert [n["delta"] for n in step["nodes"][1:]] == deltas
        # delta rule: dw = c (t - net) x times the loss's factor
        assert [u["change"] for u in step["updates"]] == [0.1 * d * 2 for d in deltas]


def test_step_perceptron_threshold_and_restriction(tmp_path):
    text = ("layers: [2, 1]\nactivation: step\nthreshold: 0.5\nweights: [[[0.3, 0.2, 0.1]]]\n"
            "patterns: [{input: [1, 1], target: [0]}, {input: [1, 0], target: [1]}]\n"
            "learning_rate: 0.5\n")
    for loss in ("half_sse", "sse", "mse"):
        data = solve(tmp_path, text + f"loss: {loss}\n")
        first, second = data["steps"]
        # net = 0.6 >= 0.5 -> z = 1, delta = t - z = -1, dw = 0.5 * -1 * x
        assert first["nodes"][3]["net"] == pytest.approx(0.6)
        assert first["nodes"][3]["out"] == 1 and first["nodes"][3]["delta"] == -1
        assert [u["change"] for u in first["updates"]] == [-0.5, -0.5, -0.5]
        # new w = [-0.2, -0.3, -0.4]: net = -0.2 - 0.4 = -0.6 < 0.5 -> z = 0, delta = 1
        assert second["nodes"][3]["out"] == 0 and second["nodes"][3]["delta"] == 1
        assert list(finals(data).values()) == pytest.approx([0.3, -0.3, 0.1])
    # net exactly at the threshold fires.
    data = solve(tmp_path, text.replace("0.1]]]", "0.0]]]").replace("[1, 1]", "[1, 1.0]")
                 .replace("threshold: 0.5", "threshold: 0.5\nround: 2"))
    assert data["steps"][0]["nodes"][3]["out"] == 1
    message = solve(tmp_path, text.replace("[2, 1]", "[2, 1, 1]")
                    .replace("[[[0.3, 0.2, 0.1]]]", "0.1"), status=2)
    assert "step" in message and "activation" in message
    message = solve(tmp_path, text.replace("[2, 1]", "[2, 1, 1]").replace(
        "activation: step", "activation: [sigmoid, step]").replace("[[[0.3, 0.2, 0.1]]]", "0.1"),
        status=2)
    assert "step" in message


def test_conventions_same_weights_opposite_delta(tmp_path):
    slides = solve(tmp_path, TANH_BATCH)
    textbook = solve(tmp_path, TANH_BATCH + "convention: textbook\n")
    option = solve(tmp_path, TANH_BATCH, "--convention", "textbook")
    assert textbook["steps"] == option["steps"] and option["convention"] == "textbook"
    for s, t in zip(slides["steps"], textbook["steps"], strict=True):
        for a, b in zip(s["nodes"], t["nodes"], strict=True):
            assert b["delta"] == (None if a["delta"] is None else -a["delta"])
        assert s["updates"] == t["updates"]  # change is the signed amount added, both ways
    assert slides["final_weights"] == textbook["final_weights"]


def test_activation_list_beta_and_rounding_equal_reference(tmp_path):
    text = TANH_BATCH.replace("activation: tanh", "activation: [sigmoid, tanh]\nbeta: 2")
    patterns = [([1, F("0.5")], [F("0.2"), F("-0.4")]), ([F("-0.3"), F("0.8")],
                                                        [F("-0.1"), F("0.7")])]
    for option, rounding in ((["--sigfigs", "4"], {"sigfigs": 4}), (["--round", "3"],
                                                                    {"places": 3})):
        data = solve(tmp_path, text, *option)
        steps, final = reference([2, 2, 2], ["sigmoid", "tanh"], tanh_batch_weights(), patterns,
                                 F("0.5"), bias=-1, beta=2, loss="mse", update="batch",
                                 epochs=2, **rounding)
        assert_matches(data, steps, final, compare=same)


def test_defaults_and_explicit_keys(tmp_path):
    data = solve(tmp_path, EXAMPLE)
    explicit = solve(tmp_path, EXAMPLE + "activation: sigmoid\nbeta: 1\nbias: 1\nepochs: 1\n"
                     "update: sequential\nloss: half_sse\nconvention: slides\nround: none\n"
                     "sigfigs: none\nthreshold: 0\n")
    assert data["steps"] == explicit["steps"] and data["final_weights"] == explicit["final_weights"]
    assert (data["convention"], data["title"], len(data["steps"])) == ("slides", "", 1)
    full = solve(tmp_path, EXAMPLE.replace("pattern: [0.9, 0.6]\ntarget: [0]\n",
                                           "patterns:\n  - input: [0.9, 0.6]\n    target: [0]\n"))
    assert full["steps"] == data["steps"]
    assert "learning_rate" in solve(tmp_path, EXAMPLE.replace("learning_rate: 1\n", ""),
                                    status=2)
    assert "epochs" in solve(tmp_path, EXAMPLE + "epochs: 0\n", status=2)
    assert "sigfigs" in solve(tmp_path, EXAMPLE + "round: 2\nsigfigs: 2\n", status=2)


# ---------------------------------------------------------------------------------------
# --exact, the command line, exit statuses
# ---------------------------------------------------------------------------------------

EXACT_NAMES = {"net", "out", "delta", "error", "old", "change", "new", "value", "slope",
               "gradient", "momentum"}  # the last three: version 2


def _twins(record: dict):
    for name, value in record.items():
        if name in EXACT_NAMES:
            yield name, value, record[name + "_exact"]


def check_twins(data) -> int:
    from sympy import parse_expr

    checked = 0
    records = [r for s in data["steps"] for r in [s, *s["nodes"], *s["updates"]]]
    records += data.get("epochs", [])
    for record in records + data["final_weights"]:
        for name, value, text in _twins(record):
            if value is None:
                assert text is None
                continue
            assert not re.search(r"(?<![A-Za-z0-9_.])e(?![A-Za-z0-9_(])", text), text
            assert math.isclose(float(parse_expr(text).evalf(30)), value, rel_tol=1e-12,
                                abs_tol=1e-15), (name, text, value)
            checked += 1
    return checked


def test_exact_twins_read_back(tmp_path):
    text = ("layers: [2, 2, 2]\nactivation: [tanh, sigmoid]\nbeta: 2\nbias: -1\nloss: mse\n"
            "convention: textbook\nlearning_rate: 0.5\nweights: [[[0.1, -0.2, 0.3], "
            "[\"1/3\", 0.4, -0.5]], [[0.6, -0.7, .8], [-0.9, 1, 0.25]]]\n"
            "pattern: [1, 0.5]\ntarget: [0.2, -0.4]\n")
    data = solve(tmp_path, text, "--exact")
    # 8 outs, net, delta and slope of 4 nodes, the error, 12 updates x 5 (old, change, new,
    # gradient, momentum), 12 final weights
    assert check_twins(data) == 8 + 4 * 3 + 1 + 12 * 5 + 12 + 1  # and the epoch's error
    plain = solve(tmp_path, text)
    steps, final = reference([2, 2, 2], ["tanh", "sigmoid"], tanh_batch_weights(),
                             [([1, 0.5], [0.2, -0.4])], 0.5, bias=-1, beta=2, loss="mse",
                             convention="textbook")
    assert_matches(data, steps, final)
    assert_matches(plain, steps, final)
    node7 = data["steps"][0]["nodes"][6]
    assert "exp(" in node7["out_exact"]
    assert list(node7) == ["id", "kind", "layer", "net", "net_exact", "out", "out_exact",
                           "delta", "delta_exact", "slope", "slope_exact"]
    # Rounded and exact: the twins are the rounded decimals as fractions.
    rounded = solve(tmp_path, EXAMPLE, "--exact", "--round", "3")
    assert check_twins(rounded) > 0
    assert rounded["steps"][0]["nodes"][3]["out_exact"] == "777/1000"


def test_overrides_win_over_the_file(tmp_path):
    text = TANH_BATCH.replace("epochs: 2", "epochs: 5").replace("learning_rate: 0.5",
                                                               "learning_rate: 9")
    data = solve(tmp_path, text, "--epochs", "2", "--learning-rate", "1/2")
    assert data["steps"] == solve(tmp_path, TANH_BATCH)["steps"]
    assert "--epochs" in solve(tmp_path, EXAMPLE, "--epochs", "0", status=2)
    assert "--learning-rate" in solve(tmp_path, EXAMPLE, "--learning-rate", "abc", status=2)
    assert "--round" in solve(tmp_path, EXAMPLE, "--round", "-1", status=2)
    runner_result = runner.invoke(app, ["solve", str(tmp_path / "problem.yaml"), "--format",
                                        "json", "--convention", "sideways"])
    assert runner_result.exit_code == 2 and runner_result.stdout == ""


def test_exit_statuses(tmp_path, monkeypatch):
    message = solve(tmp_path, EXAMPLE.replace("learning_rate: 1", "learning_rate: 1\nlayrs: 2"),
                    status=2)
    assert "layrs" in message and "line 6" in message and len(message.splitlines()) == 1
    assert "no such file" in runner.invoke(app, ["solve", str(tmp_path / "missing.yaml"),
                                                 "--format", "json"]).stderr

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    import bpcalc.engine.backprop

    monkeypatch.setattr(bpcalc.engine.backprop, "train", broken)  # what solve runs
    message = solve(tmp_path, EXAMPLE, status=1)
    assert "boom" in message and "Traceback" not in message


def test_json_on_stdout_and_nothing_else(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "problem.yaml"
    path.write_text(EXAMPLE)
    result = subprocess.run([sys.executable, "-m", "bpcalc", "solve", str(path), "--format",
                             "json"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["steps"][0]["nodes"][3]["net"] == 1.25
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("{")


@pytest.mark.parametrize("update", ["sequential", "batch"])
def test_large_network_equals_reference(tmp_path, update):
    # 245 weights: float runs this size take the vectorised engine; the contract is the same.
    layers = [10, 15, 5]
    keys = keys_of(layers, -1)
    values = [F((k * 37) % 23 - 11, 40) for k in range(len(keys))]
    assert len(keys) == 245 and keys[-1] == (27, 32)
    matrices = [[[str(values[keys.index((i, j))]) for i in [*range(1, 11), 11]]
                 for j in range(12, 27)],
                [[str(values[keys.index((i, j))]) for i in [*range(12, 27), 27]]
                 for j in range(28, 33)]]
    patterns = [([F(p * i % 7 - 3, 5) for i in range(10)], [F(p % 3, 4)] * 5) for p in (1, 2)]
    text = (f"layers: {layers}\nactivation: [tanh, sigmoid]\nbias: -1\nloss: mse\n"
            f"update: {update}\nepochs: 2\nlearning_rate: 0.2\nweights: {json.dumps(matrices)}\n"
            "patterns:\n" + "".join(
                f"  - {{input: {json.dumps([str(v) for v in x])}, "
                f"target: {json.dumps([str(v) for v in t])}}}\n" for x, t in patterns))
    data = solve(tmp_path, text)
    steps, final = reference(layers, ["tanh", "sigmoid"], dict(zip(keys, values, strict=True)),
                             patterns, F(1, 5), bias=-1, loss="mse", update=update, epochs=2)
    assert_matches(data, steps, final, compare=lambda a, b: close(a, b, rel=1e-9))


def test_step_textbook_sign_rounding_and_no_bias(tmp_path):
    text = ("layers: [2, 1]\nactivation: step\nthreshold: 0.5\nweights: [[[0.3, 0.2]]]\n"
            "patterns: [{input: [1, 1], target: [0]}, {input: [1, 0], target: [1]}]\n"
            "learning_rate: 0.5\nconvention: textbook\nloss: sse\nround: 1\nbias: none\n")
    first, second = solve(tmp_path, text)["steps"]
    # net = 0.5 >= 0.5: z = 1, textbook delta z - t = 1 (no factor 2 for the perceptron)
    assert [(n["id"], n["kind"]) for n in first["nodes"]] == [(1, "input"), (2, "input"),
                                                              (3, "output")]
    assert (first["nodes"][2]["out"], first["nodes"][2]["delta"], first["error"]) == (1, 1, 1)
    assert [(u["change"], u["new"]) for u in first["updates"]] == [(-0.5, -0.2), (-0.5, -0.3)]
    # net = -0.2 < 0.5: z = 0, delta = -1, change = +0.5 x
    assert (second["nodes"][2]["net"], second["nodes"][2]["delta"]) == (-0.2, -1)
    assert [(u["change"], u["new"]) for u in second["updates"]] == [(0.5, 0.3), (0.0, -0.3)]


def test_exact_batch_relu_equals_reference(tmp_path):
    text = ("layers: [2, 2, 1]\nactivation: relu\nweights: [[[0.4, -0.2, 0.1], [-0.3, 0.5, -0.6]],"
            " [[0.7, -0.1, 0.2]]]\npatterns: [{input: [1, 0.5], target: [0.9]}, "
            "{input: [0.2, -1], target: [0.3]}]\nlearning_rate: 0.3\nupdate: batch\nloss: sse\n"
            "epochs: 2\n")
    data = solve(tmp_path, text, "--exact")
    # 119 of version 1, and 12 slopes, 36 gradients and momentum terms, 2 epoch errors
    assert check_twins(data) == 119 + 12 + 36 + 2
    weights = dict(zip(keys_of([2, 2, 1], 1), [F(x) for x in (
        "0.4", "-0.2", "0.1", "-0.3", "0.5", "-0.6", "0.7", "-0.1", "0.2")], strict=True))
    steps, final = reference([2, 2, 1], "relu", weights, [([1, 0.5], [0.9]), ([0.2, -1], [0.3])],
                             0.3, loss="sse", update="batch", epochs=2)
    assert_matches(data, steps, final)
    assert [len(s["updates"]) for s in data["steps"]] == [0, 9, 0, 9]

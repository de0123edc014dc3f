"""The independent reference (tests/reference_v2) checked on its own, before bpcalc uses it.

PyTorch autograd (float64) differentiates every activation and loss of the contract; the
reference's deltas must be -dE/dnet (slides) or +dE/dnet (textbook) and its gradients
dE/dw; torch.optim.SGD with momentum, fed the group sums, must reach the reference's final
weights. The published numbers (Mazur, the lecture's slide) and hand-worked rounding,
momentum and until cases pin the rest. Nothing here runs bpcalc.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F
from pathlib import Path

import pytest
import v2_problems as v2
import yaml
from reference_v2 import (
    ProblemError,
    numbering,
    round_places,
    round_sigfigs,
    rounding_of,
    solve,
    weight_keys,
)

torch = pytest.importorskip("torch")
TF = torch.nn.functional
PROBLEMS = Path(__file__).resolve().parent.parent / "problems"


def bundled(name: str, **changes) -> dict:
    return yaml.safe_load((PROBLEMS / name).read_text()) | changes


def updates_of(step: dict) -> dict:
    return {(u["from"], u["to"]): u for u in step["updates"]}


# --- rounding, numbering --------------------------------------------------------------------

def test_rounding_is_of_the_true_decimal_with_halves_away_from_zero():
    assert round_places(F("0.25"), 1) == F("0.3") and round_places(F("-0.25"), 1) == F("-0.3")
    assert round_places(F("2.675"), 2) == F("2.68")  # the float 2.675 lies below it
    assert round_places(F(1, 3), 3) == F("0.333") and round_places(F(-2, 3), 0) == -1
    assert round_sigfigs(F("-0.0115225"), 3) == F("-0.0115")
    assert round_sigfigs(F("0.00012345"), 4) == F("0.0001235")
    assert round_sigfigs(F("999.5"), 3) == 1000 and round_sigfigs(F(0), 3) == 0
    assert round_sigfigs(F("100"), 1) == 100 and round_sigfigs(F("0.1"), 2) == F("0.1")


def test_scalar_rounding_covers_every_quantity_but_slope():
    assert rounding_of({"round": 3}) == {q: ("round", 3) for q in
                                         ("net", "out", "delta", "error", "change", "weight")}
    assert rounding_of({"round": {"out": 3, "weight": 4}, "sigfigs": {"delta": 3}}) == {
        "out": ("round", 3), "weight": ("round", 4), "delta": ("sigfigs", 3)}
    assert rounding_of({"round": "none", "sigfigs": None}) == {}


def test_node_numbering_and_weight_order():
    numbered = numbering([2, 2, 1], 1)
    assert numbered == [([1, 2], 3), ([4, 5], 6), ([7], None)]
    assert weight_keys(numbered) == [(1, 4), (2, 4), (3, 4), (1, 5), (2, 5), (3, 5),
                                     (4, 7), (5, 7), (6, 7)]
    assert numbering([2, 2, 1], None) == [([1, 2], None), ([3, 4], None), ([5], None)]
    assert numbering([2, 3, 3], 1)[2] == ([8, 9, 10], None)


# --- published numbers ---------------------------------------------------------------------

def test_slides_example_at_full_precision():
    step = solve(bundled("slides_2-2-1.yaml"))["steps"][0]
    node = {n["id"]: n for n in step["nodes"]}
    assert round(node[4]["out"], 4) == 0.7773 and round(node[7]["out"], 3) == 0.782
    assert round(node[7]["delta"], 4) == -0.1333 and round(node[4]["delta"], 5) == -0.01154
    assert round(step["error"], 4) == 0.3058
    assert node[7]["slope"] == pytest.approx(node[7]["out"] * (1 - node[7]["out"]))
    new = {k: u["new"] for k, u in updates_of(step).items()}
    assert [round(new[k], 4) for k in ((4, 7), (6, 7), (1, 4), (2, 4), (3, 4))] == [
        0.3964, 0.3667, 0.4896, 0.4931, 0.4885]


def test_slides_carried_with_the_slides_rounding():
    step = solve(bundled("slides_mixed_rounding.yaml"))["steps"][0]
    node = {n["id"]: n for n in step["nodes"]}
    assert (node[4]["out"], node[7]["out"]) == (0.777, 0.782)
    assert (node[7]["delta"], node[4]["delta"]) == (-0.133, -0.0115)
    assert node[7]["net"] == pytest.approx(1.277, abs=1e-15)  # .777 + .777 / 2 * 2 ... exact
    assert node[7]["slope"] == pytest.approx(0.782 * 0.218, abs=1e-15)  # not rounded
    new = {k: u["new"] for k, u in updates_of(step).items()}
    assert [new[k] for k in ((4, 7), (6, 7), (1, 4), (2, 4), (3, 4))] == [
        0.3967, 0.367, 0.4897, 0.4931, 0.4885]
    w14 = updates_of(step)[(1, 4)]
    assert w14["change"] == pytest.approx(-0.01035, abs=1e-15)  # change is not rounded
    assert w14["gradient"] == pytest.approx(0.01035, abs=1e-15)


def test_mazur_step_by_step_example():
    data = solve(bundled("mazur_2-2-2.yaml"))
    step = data["steps"][0]
    node = {n["id"]: n for n in step["nodes"]}
    assert round(node[7]["out"], 8) == 0.75136507 and round(node[8]["out"], 9) == 0.772928465
    assert round(step["error"], 9) == 0.298371109
    update = updates_of(step)
    assert round(update[(4, 7)]["new"], 8) == 0.35891648
    assert round(update[(1, 4)]["new"], 9) == 0.149780716
    for key in ((3, 4), (3, 5), (6, 7), (6, 8)):  # biases stay, gradient still true
        assert update[key]["change"] == 0 and update[key]["momentum"] == 0
        assert update[key]["new"] == update[key]["old"] and update[key]["gradient"] != 0
    assert update[(6, 7)]["gradient"] == pytest.approx(-node[7]["delta"])  # dE/dnet7 * 1
    assert data["epochs"] == [{"epoch": 1, "error": step["error"], "mistakes": None}]
    assert data["stopped"] == {"epoch": 1, "reason": "epochs"}


# --- momentum, batch groups, until, hand-worked -------------------------------------------

ONE_LINEAR = {"layers": [1, 1], "activation": "linear", "bias": None, "weights": 0.5,
              "pattern": [1], "target": [0], "learning_rate": 0.1, "momentum": 0.5,
              "epochs": 2}


def test_momentum_by_hand_and_the_change_rounded_once():
    # epoch 1: delta -.5, change -.05, w .45; epoch 2: delta -.45, change -.045 - .025 = -.07
    plain = solve(ONE_LINEAR)
    second = plain["steps"][1]["updates"][0]
    assert second["momentum"] == pytest.approx(-0.025) and second["gradient"] == 0.45
    assert second["change"] == pytest.approx(-0.07) and second["new"] == pytest.approx(0.38)
    # rounded to 2 places as a whole: -.07 (rounding the two terms apart would give -.08)
    rounded = solve(ONE_LINEAR | {"round": 2})["steps"][1]["updates"][0]
    assert rounded["change"] == -0.07 and rounded["new"] == 0.38


def test_batch_groups_and_momentum_counts_groups():
    spec = ONE_LINEAR | {"patterns": [{"input": [1], "target": [0]}] * 3, "update": "batch",
                         "batch_size": 2, "epochs": 1}
    steps = solve(spec)["steps"]
    assert [len(s["updates"]) for s in steps] == [0, 1, 1]
    first, second = steps[1]["updates"][0], steps[2]["updates"][0]
    # group 1: both steps at w .5: gradient 2 * .5, change -.1; group 2: w .4, one step
    assert first["gradient"] == 1.0 and first["change"] == pytest.approx(-0.1)
    assert second["old"] == pytest.approx(0.4) and second["gradient"] == pytest.approx(0.4)
    assert second["momentum"] == pytest.approx(-0.05)
    assert second["change"] == pytest.approx(-0.04 - 0.05)


def test_until_stops_as_the_contract_says():
    xor = solve(bundled("xor_momentum.yaml"))
    assert xor["stopped"] == {"epoch": 196, "reason": "until"}
    errors = [e["error"] for e in xor["epochs"]]
    assert errors[-1] <= 0.05 < min(errors[:-1]) and len(xor["steps"]) == 4 * 196
    assert errors[0] == pytest.approx(sum(s["error"] for s in xor["steps"][:4]))
    perceptron = solve(bundled("perceptron_or.yaml"))
    assert [e["mistakes"] for e in perceptron["epochs"]] == [2, 2, 1, 0]
    assert perceptron["stopped"] == {"epoch": 4, "reason": "until"}
    assert [w["value"] for w in perceptron["final_weights"]] == [0.5, 0.5, -0.5]
    assert solve(bundled("perceptron_or.yaml", epochs=4))["stopped"]["reason"] == "until"
    assert solve(bundled("perceptron_or.yaml", epochs=3))["stopped"] == {
        "epoch": 3, "reason": "epochs"}
    del_epochs = {k: v for k, v in bundled("perceptron_or.yaml").items() if k != "epochs"}
    assert solve(del_epochs | {"weights": -100})["stopped"] == {"epoch": 100, "reason": "epochs"}


def test_softmax_slope_rounding_is_display_only():
    full = solve(bundled("softmax_2-3-3.yaml"))["steps"][0]
    shown = solve(bundled("softmax_2-3-3.yaml", round={"slope": 1}))["steps"][0]
    for a, b in zip(full["nodes"], shown["nodes"], strict=True):
        if b["slope"] is not None:
            assert b["slope"] == round(a["slope"], 1)
        if a["kind"] == "output":  # the softmax delta never uses the rounded diagonal
            assert b["delta"] == pytest.approx(a["delta"], rel=1e-13, abs=0)
        if a["kind"] == "hidden":  # a sigmoid's slope is the one its delta uses
            assert b["delta"] / b["slope"] == pytest.approx(a["delta"] / a["slope"], rel=1e-13)
    node = {n["id"]: n for n in full["nodes"]}
    assert node[9]["delta"] == pytest.approx(1 - node[9]["out"])  # t - z
    assert full["error"] == pytest.approx(-math.log(node[9]["out"]))


def test_a_log_of_a_value_at_most_zero_names_step_and_node():
    spec = {"layers": [1, 2], "activation": "relu", "bias": None, "weights": [[[1], [-1]]],
            "pattern": [1], "target": [1, 0.5], "learning_rate": 1,
            "loss": "binary_cross_entropy"}
    with pytest.raises(ProblemError, match=r"step 1 .*node 3"):
        solve(spec)  # z3 = relu(-1) = 0, and t3 = .5 takes ln 0
    with pytest.raises(ProblemError, match=r"step 1 .*node 2"):
        solve(spec | {"target": [0.5, 0]})  # z2 = 1: ln(1 - z2) = ln 0
    fine = solve(spec | {"target": [1, 0]})["steps"][0]  # every log has coefficient 0
    assert fine["error"] == 0 and [n["delta"] for n in fine["nodes"]] == [None, 1.0, 0.0]


# --- against PyTorch autograd --------------------------------------------------------------

def torch_act(name: str, net, spec: dict):
    if name == "sigmoid":
        return torch.sigmoid(float(spec.get("beta", 1)) * net)
    if name == "softmax":
        return torch.softmax(net, dim=0)
    if name == "leaky_relu":
        return TF.leaky_relu(net, negative_slope=float(F(str(spec.get("leak", 0.01)))))
    return {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}[name](net)


def torch_loss(loss: str, net, z, t, softmax: bool):
    if loss == "mse":
        return TF.mse_loss(z, t)
    if loss in ("half_sse", "sse"):
        return (0.5 if loss == "half_sse" else 1.0) * ((t - z) ** 2).sum()
    if loss == "binary_cross_entropy":
        return TF.binary_cross_entropy(z, t, reduction="sum")
    if softmax:  # from the logits, probability targets
        return TF.cross_entropy(net[None], t[None])
    return -(t * torch.log(z)).sum()


def torch_pass(spec: dict, weights: dict, x: list, t: list):
    """The loss, dE/dw per weight key and dE/dnet per node, by autograd."""
    numbered = numbering(spec["layers"], spec.get("bias", 1))
    acts = spec["activation"]
    acts = [acts] * (len(numbered) - 1) if isinstance(acts, str) else acts
    bias = spec.get("bias", 1)
    source = torch.tensor(x, dtype=torch.float64)
    leaves, nets = {}, {}
    for layer in range(1, len(numbered)):
        ids, prev_bias = numbered[layer][0], numbered[layer - 1][1]
        feeding = numbered[layer - 1][0] + ([prev_bias] if prev_bias else [])
        if prev_bias:
            source = torch.cat((source, torch.tensor([float(bias)], dtype=torch.float64)))
        matrix = torch.tensor([[weights[(i, j)] for i in feeding] for j in ids],
                              dtype=torch.float64, requires_grad=True)
        net = matrix @ source
        net.retain_grad()
        leaves.update({(i, j): (matrix, r, c) for r, j in enumerate(ids)
                       for c, i in enumerate(feeding)})
        nets.update({j: (net, r) for r, j in enumerate(ids)})
        source = torch_act(acts[layer - 1], net, spec)
    target = torch.tensor(t, dtype=torch.float64)
    loss = torch_loss(spec.get("loss", "half_sse"), net, source, target, acts[-1] == "softmax")
    loss.backward()
    return (loss.item(), {k: m.grad[r, c].item() for k, (m, r, c) in leaves.items()},
            {j: n.grad[r].item() for j, (n, r) in nets.items()})


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-12)


COMBINATIONS = [(o, loss, c) for o, loss, c in itertools.product(
    ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"],
    ["half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy"],
    ["slides", "textbook"]) if v2.valid(o, loss)]


def groups(steps: list) -> list[list]:
    """Steps cut after each one that lists updates (one weight change per group)."""
    result, current = [], []
    for step in steps:
        current.append(step)
        if step["updates"]:
            result.append(current)
            current = []
    return result


@pytest.mark.parametrize(("output", "loss", "convention"), COMBINATIONS)
@pytest.mark.parametrize("seed", [1, 2])
def test_deltas_and_gradients_are_autograds(output, loss, convention, seed):
    spec = v2.random_spec(100 * seed + len(output) + len(loss), output=output, loss=loss,
                          convention=convention, until=None, beta=[1, 2][seed - 1])
    data = solve(spec)
    sign = -1.0 if convention == "slides" else 1.0  # dE/dnet = sign * delta
    for group in groups(data["steps"]):
        weights = {(u["from"], u["to"]): u["old"] for u in group[-1]["updates"]}
        summed = dict.fromkeys(weights, 0.0)
        for step in group:
            error, grads, dnet = torch_pass(spec, weights, step["input"], step["target"])
            assert close(step["error"], error), (step["error"], error)
            for node in step["nodes"]:
                if node["delta"] is not None:
                    assert close(sign * node["delta"], dnet[node["id"]]), node
            summed = {k: summed[k] + grads[k] for k in summed}
        for update in group[-1]["updates"]:
            assert close(update["gradient"], summed[(update["from"], update["to"])]), update


@pytest.mark.parametrize("seed", range(12))
def test_momentum_batches_and_frozen_biases_train_as_torch_sgd(seed):
    spec = v2.random_spec(700 + seed, output=["sigmoid", "softmax", "tanh"][seed % 3],
                          loss="half_sse" if seed % 2 else None, momentum=[0.9, 0.5][seed % 2],
                          update="batch" if seed % 4 < 2 else "sequential", batch_size=2,
                          train_bias=seed % 3 != 0, until=None, epochs=3)
    data = solve(spec)
    keys = [(w["from"], w["to"]) for w in data["final_weights"]]
    weights = dict(zip(keys, [u["old"] for u in data["steps"][0]["updates"] or
                              groups(data["steps"])[0][-1]["updates"]], strict=True))
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in weights.items()}
    biases = {b for _, b in numbering(spec["layers"], spec.get("bias", 1)) if b}
    trained = [v for k, v in leaves.items() if spec["train_bias"] or k[0] not in biases]
    sgd = torch.optim.SGD(trained, lr=float(F(str(spec["learning_rate"]))),
                          momentum=spec["momentum"])
    for group in groups(data["steps"]):
        sgd.zero_grad()
        for step in group:
            current = {k: v.item() for k, v in leaves.items()}
            _, grads, _ = torch_pass(spec, current, step["input"], step["target"])
            for k in trained_keys(leaves, trained):
                leaves[k].grad = (leaves[k].grad if leaves[k].grad is not None
                                  else torch.zeros((), dtype=torch.float64)) + grads[k]
        sgd.step()
    for final in data["final_weights"]:
        assert close(final["value"], leaves[(final["from"], final["to"])].item()), final


def trained_keys(leaves: dict, trained: list) -> list:
    ids = {id(v) for v in trained}
    return [k for k, v in leaves.items() if id(v) in ids]

"""The output deltas, in each form `bpcalc.problem.losses.output_delta` names, with the
slips `bpcalc check` reproduces (f' left out, softmax's derivative taken as its diagonal,
an f' multiplied into a closed form that had cancelled it). Pure: it reads and fills the
step's values (`backprop._Presentation`).

Slides' sign, delta = -dE/dnet; the textbook's is the opposite:
- residual: factor (t_k - z_k) f'(net_k) (squared errors; the perceptron rule and closed
  forms such as sigmoid with binary cross-entropy, beta (t_k - z_k), leave f' out);
- chain: -dE/dz_k f'(net_k) (cross-entropy through an activation of one net);
- jacobian: -sum_j dE/dz_j z_j (1[j = k] - z_k) (softmax);
- softmax_cross_entropy: t_k - z_k sum_j t_j (the Jacobian sum, cancelled).
"""

from __future__ import annotations


def output_deltas(values, targets: list) -> None:
    """Fill `values.delta` for the output layer; its slopes are already in `values.slope`."""
    plan, slips, out = values.plan, values.slips, values.out
    ids = plan.layers[-1].ids
    form = plan.delta_form
    if slips.softmax_diagonal and form in ("jacobian", "softmax_cross_entropy"):
        form = "chain"  # dz_k/dnet_k = z_k (1 - z_k) alone: the Jacobian's diagonal
    if form == "residual":  # the convention's sign on the residual, as version 1 has it
        with_slope = plan.out_slope or (slips.extra_slope and plan.cancelled)
        no_slope = slips.output_slope_left_out or not with_slope
        for k, residual in zip(ids, values.residuals, strict=True):
            signed = residual if plan.slides else -residual
            values.delta[k] = values.settled(plan.out_factor * signed * (
                plan.one if no_slope else values.slope[k]), "delta", k)
        return
    if form == "softmax_cross_entropy":
        total = sum(targets[1:], targets[0])
        raw = [t - out[k] * total for k, t in zip(ids, targets, strict=True)]
        if slips.extra_slope:
            raw = [value * values.slope[k] for k, value in zip(ids, raw, strict=True)]
    else:
        down = [values.checked(lambda m, t, z: plan.loss.dE_dz(m, t, z, plan.outputs), t, k,
                               "delta") for k, t in zip(ids, targets, strict=True)]
        if form == "chain":
            raw = [-(g * (plan.one if slips.output_slope_left_out else values.slope[k]))
                   for k, g in zip(ids, down, strict=True)]
        else:
            raw = [_jacobian_sum(out, ids, down, k, plan.one) for k in ids]
    for k, value in zip(ids, raw, strict=True):
        values.delta[k] = values.settled(value if plan.slides else -value, "delta", k)


def _jacobian_sum(out: list, ids: tuple, down: list, k: int, one):
    """Softmax's output delta (slides' sign): -sum_j dE/dz_j z_j (1[j = k] - z_k)."""
    terms = [g * out[j] * ((one if j == k else 0) - out[k]) for j, g in zip(ids, down,
                                                                            strict=True)]
    return -sum(terms[1:], terms[0])

"""Worked lines of the additions of version 2: softmax's output over the whole layer, the
cross-entropy errors with their logs, output deltas in each form `losses.output_delta`
names, momentum's two-part change, bias weights that do not train, and a mini-batch's
group. Every number is the trace's; the one product written out is the learning-rate
term of a change with momentum, -C x dE/dw, so the line shows both parts it adds.
The builder (`bpcalc.render.worked.build._Builder`) supplies numbers and symbols
(`bpcalc.render.worked.values.ValueWriter`).
"""

from __future__ import annotations

from fractions import Fraction

from bpcalc.problem import losses
from bpcalc.render.worked.expr import Diff, Exp, Func, Neg, Paren, Prod, Quot, Sum, Sym
from bpcalc.render.worked.style import WorkedLine


def _sum(terms: list):
    return terms[0] if len(terms) == 1 else Sum(tuple(terms))


def _prod(factors: list):
    return factors[0] if len(factors) == 1 else Prod(tuple(factors))


# -- softmax and the cross-entropy errors --------------------------------------------------


def softmax_line(b, step, k: int, ids: tuple) -> WorkedLine:
    """z_k = e^net_k / (e^net_8 + e^net_9 + ...), over every output of the layer."""
    def build(symbolic: bool):
        nets = {j: b.net_sym(j) if symbolic else b.num(step.node(j).net, b.net_sym(j), "net")
                for j in ids}
        return Quot(Exp(nets[k]), Paren(_sum([Exp(nets[j]) for j in ids])))

    target = b.out_sym(k)
    result, approx = b.result(step.node(k).out, target, "out")
    return WorkedLine("activation", "forward", target, build(True), build(False), result,
                      node=k, approx=approx)


def _ln(arg):
    return Func("ln", (arg,))


def loss_error_line(b, step) -> WorkedLine:
    """E = -(t8 ln z8 + t9 ln z9 + ...) (binary: + (1 - t) ln(1 - z)); in numbers only the
    terms whose coefficient is not 0 (they take no log)."""
    outputs = b.network.output_layer.node_ids
    binary = b.problem.loss == "binary_cross_entropy"

    def build(symbolic: bool):
        terms = []
        for k, t in zip(outputs, step.target, strict=True):
            t = Fraction(t)
            z = b.out_sym(k) if symbolic else b.num(step.node(k).out, b.out_sym(k), "out")
            tk = Sym(b.n.target, str(k)) if symbolic else b.given(t)
            if symbolic or t != 0:
                terms.append(Prod((tk, _ln(z))) if symbolic or t != 1 else _ln(z))
            if binary and (symbolic or t != 1):
                rest = Paren(Diff(b.const(1), tk)) if symbolic else b.given(1 - t)
                log = _ln(Diff(b.const(1), z))
                terms.append(Prod((rest, log)) if symbolic or t != 0 else log)
        if not terms:
            return b.const(0)
        return Neg(Paren(_sum(terms)) if len(terms) > 1 else terms[0])

    target = Sym(b.n.error)
    result, approx = b.result(step.error, target, "error")
    return WorkedLine("error", "error", target, build(True), build(False), result,
                      approx=approx)


# -- output deltas by form ----------------------------------------------------------------


def descent(b, loss: str, t, z):
    """-dE/dz_k of one output as an expression (slides' sign): factor (t - z) for a squared
    error, t/z for cross-entropy, t/z - (1 - t)/(1 - z) for binary cross-entropy."""
    spec = losses.loss_spec(loss)
    if spec.squared:
        residual = Paren(Diff(t, z))
        factor = spec.delta_factor(len(b.network.output_layer.node_ids))
        return residual if factor == 1 else Prod((b.const(factor), residual))
    if loss == "cross_entropy":
        return Quot(t, z)
    one = b.const(1)
    return Diff(Quot(t, z), Quot(Paren(Diff(one, t)), Paren(Diff(one, z))))


def output_delta_expr(b, step, k: int, act, form: str, symbolic: bool):
    """δ_k in `form` (chain, jacobian, softmax_cross_entropy), in the convention's sign."""
    ids = b.network.output_layer.node_ids

    def t(j):
        return Sym(b.n.target, str(j)) if symbolic else b.given(step.target[ids.index(j)])

    def z(j):
        return b.out_sym(j) if symbolic else b.num(step.node(j).out, b.out_sym(j), "out")

    if form == "softmax_cross_entropy":
        total = Prod((z(k), Paren(_sum([t(j) for j in ids]))))
        return Diff(t(k), total) if b.slides_sign else Diff(total, t(k))
    def down(j):
        expr = descent(b, b.problem.loss, t(j), z(j))
        return expr if isinstance(expr, Paren) else Paren(expr)

    if form == "chain":
        expr = Prod((down(k), *b.slope(step, k, act, symbolic)))
    else:  # jacobian: Σ_j -dE/dz_j z_j (1[j = k] - z_k)
        expr = _sum([Prod((down(j), z(j), Paren(Diff(b.const(1 if j == k else 0), z(k)))))
                     for j in ids])
    return expr if b.slides_sign else Neg(Paren(expr))


# -- changes: momentum, frozen bias weights, groups -----------------------------------------


def frozen(b, key) -> bool:
    """A bias weight that does not train (train_bias: false)."""
    return not b.problem.train_bias and b.network.node_kind(key[0]) == "bias"


def frozen_line(b, update) -> WorkedLine:
    """w34 = w34(initial) = 0.1: a bias weight keeps its initial value."""
    target = b.weight_sym(update.key)
    result, approx = b.result(update.new, target, "weight")
    return WorkedLine("update", "update", target, b.weight_sym(update.key, tag="initial"),
                      b.weight_value(update.old, update.key), result, key=update.key,
                      approx=approx)


def previous_change(b, step, key):
    """The weight's change at the update before this step's, from the trace (None: not
    kept, or this is the first update)."""
    steps = b.trace.steps
    at = next((i for i, s in enumerate(steps) if s is step), None)
    if at is None:
        return None
    for earlier in reversed(steps[:at]):
        if earlier is None:
            return None
        for update in earlier.updates:
            if update.key == key:
                return update.change
    return 0


def momentum_parts(b, step, update, symbolic: bool):
    """α Δw(prev): in numbers α times the previous change, or the momentum term alone."""
    prev = b.weight_sym(update.key, prefix="Δ", tag="prev")
    if symbolic:
        return Prod((Sym("α"), prev))
    change = previous_change(b, step, update.key)
    if change is None:
        return b.num(update.momentum, quantity="change")
    return Prod((b.given(b.problem.momentum), b.num(change, prev, "change")))


def rate_term(b, update):
    """The learning-rate term of a change, -C dE/dw (the JSON's gradient)."""
    rate = b.arithmetic.number(Fraction(b.problem.learning_rate))
    return -(rate * update.gradient)


def momentum_change_line(b, step, update) -> WorkedLine:
    """Δw47 = C δ7 z4 + α Δw47(prev) = ... = rate term + momentum term = change."""
    key = update.key
    target = b.weight_sym(key, prefix="Δ")

    def build(symbolic: bool):
        product = b.product(step, key, symbolic)
        first = product if b.slides_sign else Neg(Paren(product))
        return Sum((first, momentum_parts(b, step, update, symbolic)))

    carried = Sum((b.num(rate_term(b, update), quantity="change"),
                   b.num(update.momentum, quantity="change")))
    result, approx = b.result(update.change, target, "change")
    return WorkedLine("change", "update", target, build(True), build(False), result, key=key,
                      carried=carried, approx=approx)


def applied_line(b, update) -> WorkedLine:
    """w47 = w47 + Δw47 = 0.7 + (-0.0724) = 0.6276, after a change with momentum."""
    key = update.key
    target = b.weight_sym(key)
    formula = Sum((target, b.weight_sym(key, prefix="Δ")))
    numbers = Sum((b.weight_value(update.old, key),
                   Paren(b.num(update.change, quantity="change"))))
    result, approx = b.result(update.new, target, "weight")
    return WorkedLine("update", "update", target, formula, numbers, result, key=key,
                      approx=approx)


def group_term(b, step, key, symbolic: bool):
    """One pattern's learning-rate term of a group's change, C δ_j(p) z_i(p), unrounded:
    with hand rounding the group's change is rounded once, from these terms (the step's
    own rounded Δw(p) would not add up to it)."""
    i, j = key
    tag = f"p{step.pattern}"
    if symbolic:
        product = Prod((Sym(b.n.rate), Sym(b.n.delta, str(j), tag=tag),
                        Sym(b.out_sym(i).base, str(i), tag=tag)))
    else:
        product = b.product(step, key, False)
    return product if b.slides_sign else Neg(Paren(product))


def group_steps(b, step) -> list:
    """The steps of this step's group (a mini-batch of `batch_size`; every pattern of the
    epoch without one), in the epoch's order."""
    size = b.problem.group_size
    epoch = b.trace.epoch_steps(step.epoch)
    start = (step.pattern - 1) // size * size
    return [s for s in epoch[start:start + size] if s is not None]


def summed_line(b, step, update) -> WorkedLine:
    """A batch group's update: the old weight plus the sum of its patterns' changes (and
    momentum's α Δw(prev)); with hand rounding, the unrounded terms it is rounded from."""
    key = update.key
    group = group_steps(b, step)
    target = b.weight_sym(key)
    old = b.weight_value(update.old, key)
    if b.arithmetic.rounds:  # the group's change is rounded once, from its terms
        names = [group_term(b, s, key, True) for s in group]
        changes = [group_term(b, s, key, False) for s in group]
    else:
        names = [b.weight_sym(key, "Δ", f"p{s.pattern}") for s in group]
        changes = [b.num(s.changes[key], quantity="change") for s in group]
    if b.problem.momentum != 0:  # the group's sum plus α times the previous change
        names.append(momentum_parts(b, step, update, True))
        changes.append(momentum_parts(b, step, update, False))
    formula = Sum((target, Paren(_sum(names))))
    numbers = Sum((old, Paren(_sum(changes))))
    carried = None
    if b.arithmetic.rounds:
        carried = Sum((old, Paren(b.num(update.change, quantity="change"))))
    result, approx = b.result(update.new, target, "weight")
    return WorkedLine("update", "update", target, formula, numbers, result, key=key,
                      carried=carried, approx=approx)

"""Building the worked lines of a step from a solved trace: every number read, none computed.

The lines come in the order a hand solution writes them: forward pass, error, deltas
(output first), weight updates. Each activation's f(net) and f' factors are written by its
entry (`bpcalc.problem.activations`); the notation gives the symbols.
"""

from __future__ import annotations

from bpcalc.engine.trace import Step, Trace
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.losses import loss_spec
from bpcalc.problem.model import Activation
from bpcalc.render.names import Notation, notation_for
from bpcalc.render.worked import additions as more
from bpcalc.render.worked.expr import Diff, Func, Neg, Paren, Pow, Prod, Sum, Sym
from bpcalc.render.worked.style import StepWork, WorkedLine
from bpcalc.render.worked.values import ValueWriter

DIGITS = 4  # significant digits of float values in worked lines (the slides': .7773)


class _Builder(ValueWriter):
    """Reads one step of a trace and writes its lines; every number comes from the trace
    (as `ValueWriter` writes it)."""

    # -- forward -------------------------------------------------------------------------

    def forward(self, step: Step) -> list[WorkedLine]:
        lines = []
        for previous, layer in zip(self.network.layers, self.network.layers[1:], strict=False):
            act = self.problem.activation_of_layer(layer.index)
            feeding = previous.feeding_ids()
            if activation_spec(act.name).layer_wide:  # every net first, then the layer
                lines += [self.net_line(step, j, feeding) for j in layer.node_ids]
                lines += [more.softmax_line(self, step, j, layer.node_ids)
                          for j in layer.node_ids]
                continue
            for j in layer.node_ids:
                lines.append(self.net_line(step, j, feeding))
                lines.append(self.activation_line(step, j, act))
        return lines

    def net_line(self, step: Step, j: int, feeding) -> WorkedLine:
        formula, numbers = [], []
        for i in feeding:
            pair_s = (self.out_sym(i), self.weight_sym((i, j)))
            pair_v = (self.out_value(step, i), self.weight_value(step.weights[(i, j)], (i, j)))
            if self.n.weight_first_forward:
                pair_s, pair_v = pair_s[::-1], pair_v[::-1]
            formula.append(Prod(pair_s))
            numbers.append(Prod(pair_v))
        record = step.node(j)
        target = self.net_sym(j)
        result, approx = self.result(record.net, target, "net")
        return WorkedLine("net", "forward", target, _sum(formula), _sum(numbers), result,
                          node=j, approx=approx)

    def activation_line(self, step: Step, j: int, act: Activation) -> WorkedLine:
        record = step.node(j)
        net_value = self.num(record.net, self.net_sym(j), "net")
        expression = activation_spec(act.name).expression
        formula = expression(act, self.net_sym(j), self.terms)
        numbers = expression(act, net_value, self.terms)
        target = self.out_sym(j)
        result, approx = self.result(record.out, target, "out")
        return WorkedLine("activation", "forward", target, formula, numbers, result, node=j,
                          approx=approx)

    # -- error ---------------------------------------------------------------------------

    def residual(self, step: Step, k: int, target, symbolic: bool):
        """(t - z) in the slides, (y - t) in the textbook: the convention's error term."""
        position = self.network.output_layer.node_ids.index(k)
        if symbolic:
            t, z = Sym(self.n.target, str(k)), self.out_sym(k)
        else:
            t, z = self.given(target[position]), self.num(step.node(k).out, self.out_sym(k),
                                                          "out")
        return Diff(t, z) if self.slides_sign else Diff(z, t)

    def error_line(self, step: Step) -> WorkedLine:
        if not loss_spec(self.problem.loss).squared:
            return more.loss_error_line(self, step)
        outputs = self.network.output_layer.node_ids
        scale = self.problem.loss_scale

        def build(symbolic: bool):
            squares = [Pow(Paren(self.residual(step, k, step.target, symbolic)), 2)
                       for k in outputs]
            body = squares[0] if len(squares) == 1 else Paren(Sum(tuple(squares)))
            return body if scale == 1 else Prod((self.const(scale), body))

        target = Sym(self.n.error)
        result, approx = self.result(step.error, target, "error")
        return WorkedLine("error", "error", target, build(True), build(False), result,
                          approx=approx)

    # -- backward ------------------------------------------------------------------------

    def backward(self, step: Step) -> list[WorkedLine]:
        lines = []
        out_act = self.problem.activation_of_layer(self.network.output_layer.index)
        for k in self.network.output_layer.node_ids:
            lines.append(self.output_delta_line(step, k, out_act))
        for index in range(len(self.network.layers) - 2, 0, -1):
            layer, above = self.network.layers[index], self.network.layers[index + 1]
            act = self.problem.activation_of_layer(index)
            for j in layer.node_ids:
                lines.append(self.hidden_delta_line(step, j, above.node_ids, act))
        return lines

    def slope(self, step: Step, j: int, act: Activation, symbolic: bool) -> list:
        """The factors of f'(net_j) as the lecture writes them: z(1 - z), (1 - z^2), ..."""
        record = step.node(j)
        if symbolic:
            z, slope = self.out_sym(j), Func("f'", (self.net_sym(j),))
        else:
            z, slope = (self.num(record.out, self.out_sym(j), "out"),
                        self.num(record.slope, quantity="slope"))
        return activation_spec(act.name).slope_factors(act, z, slope, self.terms)

    def output_delta_line(self, step: Step, k: int, act: Activation) -> WorkedLine:
        factor, with_slope, form = self.problem.output_delta

        def build(symbolic: bool):
            if form != "residual":
                return more.output_delta_expr(self, step, k, act, form, symbolic)
            factors = [] if factor == 1 else [self.const(factor)]
            factors.append(Paren(self.residual(step, k, step.target, symbolic)))
            if with_slope:
                factors += self.slope(step, k, act, symbolic)
            return factors[0] if len(factors) == 1 else Prod(tuple(factors))

        target = self.delta_sym(k)
        result, approx = self.result(step.node(k).delta, target, "delta")
        return WorkedLine("output_delta", "backward", target, build(True), build(False), result,
                          node=k, approx=approx)

    def hidden_delta_line(self, step: Step, j: int, above, act: Activation) -> WorkedLine:
        def build(symbolic: bool):
            terms = []
            for k in above:
                if symbolic:
                    pair = (self.delta_sym(k), self.weight_sym((j, k)))
                else:
                    pair = (self.num(step.node(k).delta, self.delta_sym(k), "delta"),
                            self.weight_value(step.weights[(j, k)], (j, k)))
                terms.append(Prod(pair[::-1] if self.n.weight_first_backward else pair))
            back = Paren(_sum(terms))
            slope = self.slope(step, j, act, symbolic)
            factors = [*slope, back] if self.n.slope_first else [back, *slope]
            return factors[0] if len(factors) == 1 else Prod(tuple(factors))

        target = self.delta_sym(j)
        result, approx = self.result(step.node(j).delta, target, "delta")
        return WorkedLine("hidden_delta", "backward", target, build(True), build(False), result,
                          node=j, approx=approx)

    # -- updates -------------------------------------------------------------------------

    def product(self, step: Step, key, symbolic: bool):
        """C δ_j z_i (or η δ_j a_i) for one weight, from this step's values."""
        i, j = key
        if symbolic:
            return Prod((Sym(self.n.rate), self.delta_sym(j), self.out_sym(i)))
        return Prod((self.given(self.problem.learning_rate),
                     self.num(step.node(j).delta, self.delta_sym(j), "delta"),
                     self.out_value(step, i)))

    def move(self, old, amount):
        """old + (amount) in the slides, old - (amount) in the textbook."""
        return Sum((old, Paren(amount))) if self.slides_sign else Diff(old, Paren(amount))

    def updates(self, step: Step) -> list[WorkedLine]:
        if self.problem.update == "batch":
            lines = [self.change_line(step, key) for key in step.changes]
            if step.updates:
                lines += [more.frozen_line(self, u) if more.frozen(self, u.key)
                          else more.summed_line(self, step, u) for u in step.updates]
            return lines
        lines = []
        for update in step.updates:
            if more.frozen(self, update.key):
                lines.append(more.frozen_line(self, update))
            elif self.problem.momentum != 0:
                lines += [more.momentum_change_line(self, step, update),
                          more.applied_line(self, update)]
            else:
                lines.append(self.update_line(step, update))
        return lines

    def update_line(self, step: Step, update) -> WorkedLine:
        key = update.key
        target = self.weight_sym(key)
        formula = self.move(target, self.product(step, key, True))
        old = self.weight_value(update.old, key)
        numbers = self.move(old, self.product(step, key, False))
        carried = None
        if self.arithmetic.rounds:  # the change was rounded before it was added
            if self.slides_sign:
                carried = Sum((old, Paren(self.num(update.change, quantity="change"))))
            else:  # w - (η δ a): the same rounded amount, written as it is subtracted
                carried = Diff(old, self.num(-update.change, quantity="change"))
        result, approx = self.result(update.new, target, "weight")
        return WorkedLine("update", "update", target, formula, numbers, result, key=key,
                          carried=carried, approx=approx)

    def change_line(self, step: Step, key) -> WorkedLine:
        """Batch mode: this pattern's own change, summed and applied after the epoch."""
        target = self.weight_sym(key, prefix="Δ", tag=f"p{step.pattern}")

        def build(symbolic: bool):
            if more.frozen(self, key):
                return self.const(0)
            product = self.product(step, key, symbolic)
            return product if self.slides_sign else Neg(Paren(product))

        result, approx = self.result(step.changes[key], target, "change")
        return WorkedLine("change", "update", target, build(True), build(False), result,
                          key=key, approx=approx)


def _sum(terms: list):
    return terms[0] if len(terms) == 1 else Sum(tuple(terms))


def notation_of(trace: Trace) -> Notation:
    """The notation a trace is shown in: the problem's own, else its convention's."""
    problem = trace.problem
    return notation_for(problem.convention, getattr(problem, "notation", None))


def step_lines(trace: Trace, step: Step, *, notation: Notation | None = None,
               digits: int = DIGITS) -> list[WorkedLine]:
    """Every worked line of one step, in the order a hand solution writes them:
    forward pass (net, activation per node), error, deltas (output first), weight updates
    (batch: this pattern's changes, and on the epoch's last step the summed update)."""
    builder = _Builder(trace, notation or notation_of(trace), digits)
    builder.step = step
    return (builder.forward(step) + [builder.error_line(step)] + builder.backward(step)
            + builder.updates(step))


def worked_steps(trace: Trace, *, steps: set[int] | None = None,
                 notation: Notation | None = None, digits: int = DIGITS) -> list[StepWork]:
    """The worked lines of every step (or of the chosen 1-based step numbers)."""
    chosen = notation or notation_of(trace)
    return [StepWork(number, step, tuple(step_lines(trace, step, notation=chosen,
                                                    digits=digits)))
            for number, step in enumerate(trace.steps, start=1)
            if steps is None or number in steps]

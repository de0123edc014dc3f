"""The solution built once from a solved trace, as the blocks of `document.model`: what the
answer keys and the terminal each typeset.

It only reads values, never calculates: the problem statement (facts, formulas, patterns,
initial weights), then per step the worked lines and tables of the forward pass, the error,
the backward pass and the weight updates, then the error per epoch and the final weights.
Formulas are plain formula text (see `bpcalc.render.document.formula`); values are kept
whole (`bpcalc.text.Shown`), and each renderer typesets both its own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpcalc.problem.activations import activation_spec
from bpcalc.render.document.facts import (
    applied_heading,
    batch_caption,
    extra_facts,
    frozen,
    group_text,
    output_delta_note,
    training_text,
    update_rules,
)
from bpcalc.render.document.model import (
    Column,
    Document,
    ErrorLine,
    Facts,
    Formulas,
    Inline,
    Math,
    Paragraph,
    Result,
    Section,
    Statement,
    Step,
    Table,
    Value,
    Worked,
)
from bpcalc.render.document.progress import (  # noqa: F401 (epoch_digest: re-exported)
    DIGEST_ROWS,
    epoch_digest,
    epoch_error_table,
    steps_left_out,
    stopped_text,
)
from bpcalc.render.names import node_numbering, notation_for, parameter_values
from bpcalc.text import (
    fraction_text,
    quantity_rounding_text,
    rounding_text,
    show_value,
    shown_rounding,
)

# Significant digits of float values, in the tables and the worked lines alike.
TABLE_DIGITS = 6
# A summary lists at most a screenful of final weights (the full list is in --format json).
SCREENFUL = 40

if TYPE_CHECKING:
    from bpcalc.engine.trace import Step as TraceStep
    from bpcalc.engine.trace import Trace


def build_document(trace: Trace, *, steps: set[int] | None = None, summary: bool = False,
                   worked_lines: bool = True, calculations: bool = False) -> Document:
    """The whole solution; `steps` keeps only those 1-based steps, `summary` none.

    `worked_lines=False` leaves the steps' worked lines out (the terminal's tables alone
    need none); `calculations` adds the update table's hand calculation column
    (`0.5 + 1 × (-0.0115387) × 0.9`, not in exact runs), as the terminal shows it.
    """
    return DocumentBuilder(trace, worked_lines, calculations).build(steps, summary)


def statement_rounding(trace: Trace) -> str:
    """How the run's numbers were carried, as the statement says it."""
    rounding = trace.problem.rounding
    if trace.arithmetic.name == "exact":
        return "none: exact values (closed forms), decimals to 6 significant digits"
    if rounding is None:
        return "none: full double precision, shown to 6 significant digits"
    if not hasattr(rounding, "kind"):  # per quantity
        return (f"{quantity_rounding_text(rounding)}, each rounded so before it is used "
                "again; the rest carried unrounded")
    return (f"every computed value rounded to {rounding_text(rounding)} before it is used "
            "again (f'(net) is not: it comes from the rounded activation)")


class DocumentBuilder:
    """Reads a solved trace into the document's blocks (the handout uses its statement)."""

    def __init__(self, trace: Trace, worked_lines: bool, calculations: bool):
        self.trace = trace
        self.problem = trace.problem
        self.network = trace.problem.network
        self.notation = notation_for(self.problem.convention,
                                     getattr(self.problem, "notation", None))
        self.arithmetic = trace.arithmetic
        self.exact = trace.arithmetic.name == "exact"
        self.worked_lines = worked_lines
        self.calculations = calculations and not self.exact

    # -- values --------------------------------------------------------------------------

    def value(self, value, pad: bool = True, quantity: str | None = None) -> list[Inline]:
        """A cell of one computed value (a `quantity` of the contract's: net, out, slope,
        delta, error, change, weight): the carried decimal, in exact mode its closed form,
        to the digits `display` asks for; a given value (`pad=False`) as it is."""
        return [self.shown(value, pad, quantity, exact=True)]

    def decimal(self, value, pad: bool = True, quantity: str | None = None) -> str:
        """A value inside a calculation: its decimal only."""
        return self.shown(value, pad, quantity, exact=False).decimal

    def shown(self, value, pad: bool, quantity: str | None, exact: bool):
        display = shown_rounding(self.problem, quantity) if pad else None
        return show_value(self.arithmetic, value, exact=exact, pad=pad, quantity=quantity,
                          display=display)

    def name(self, key) -> Math:
        return Math(self.notation.weight_text(self.network, key))

    # -- the document --------------------------------------------------------------------

    def build(self, steps: set[int] | None, summary: bool) -> Document:
        doc = Document(self.problem.title or "Backpropagation", self.exact, [])
        doc.blocks.append(self.statement())
        if steps is not None and not summary:
            doc.blocks.append(Paragraph([steps_left_out(steps, len(self.trace.steps))]))
        if not summary:
            for number, step in enumerate(self.trace.steps, start=1):
                if steps is None or number in steps:
                    doc.blocks.append(self.step(number, step))
        several = summary or len(self.trace.epoch_errors()) > 1
        table = epoch_error_table(self.trace, self.notation) if several else None
        doc.blocks.append(Result(table, self.final_weights_table(SCREENFUL if summary else None),
                                 stopped=stopped_text(self.trace, self.notation)))
        return doc

    def statement(self) -> Statement:
        p, n = self.problem, self.notation
        rows = [
            ("Network", [self.network_text()]),
            ("Activation", self.activation_parts()),
            ("Bias input", [fraction_text(p.bias) if p.bias is not None else "none"]),
            ("Loss", [f"{p.loss}: ", Math(n.loss_formula(p.loss))]),
            ("Convention", [self.convention_text()]),
            ("Learning rate", [Math(f"{n.rate} = {fraction_text(p.learning_rate)}")]),
            ("Training", [training_text(p)]),
            *extra_facts(p, n),
            ("Rounding", [statement_rounding(self.trace)]),
        ]
        return Statement(Facts(rows), self.formulas(), self.patterns_table(),
                         self.initial_weights_table(), list(self.trace.warnings))

    def network_text(self) -> str:
        sizes = "-".join(str(size) for size in self.network.sizes)
        return f"{sizes} (nodes: {node_numbering(self.network, dash='–')})"

    def convention_text(self) -> str:
        n, convention = self.notation, self.problem.convention
        if n.name == convention:
            return f"{n.name} ({n.source})"
        return f"{convention} signs, {n.name} notation ({n.source})"

    def activation_parts(self) -> list[Inline]:
        acts = self.problem.activations
        rule = self.notation.activation_rule
        if all(act == acts[0] for act in acts):
            return [f"{acts[0].name}: ", Math(rule(acts[0]))]
        parts: list[Inline] = []
        for index, act in enumerate(acts, start=1):
            kind = "output" if index == len(acts) else "hidden"
            parts += [("; " if parts else "") + f"layer {index} ({kind}) {act.name}: ",
                      Math(rule(act))]
        return parts

    def formulas(self) -> Formulas:
        p, n = self.problem, self.notation
        activations = []
        for act in dict.fromkeys(p.activations):
            activations.append(Math(n.activation_rule(act)))
            spec = activation_spec(act.name)
            slope = spec.slope_rule(act, n.net, f"f({n.net})", parameter_values(act))
            note = "(taken as 1: the perceptron rule)" if spec.perceptron else ""
            activations.append(Math(f"f'({n.net}) = {slope}", note=note))
        hidden = (Math(n.hidden_delta_rule, label=f"hidden {n.delta}")
                  if len(self.network.layers) > 2 else None)
        output = Math(self.output_rule(), note=output_delta_note(p, n),
                      label=f"output {n.delta}")
        return Formulas(activations, Math(n.loss_formula(p.loss)), output, hidden,
                        *update_rules(p, n))

    def output_rule(self) -> str:
        p = self.problem
        return self.notation.output_delta_rule(p.loss, p.perceptron, p.output_delta)

    def patterns_table(self) -> Table:
        n = self.notation
        inputs = self.network.layers[0].node_ids
        outputs = self.network.output_layer.node_ids
        columns = [Column(["pattern"], "count")]
        columns += [Column([Math(n.activation_name("input", i))], "value") for i in inputs]
        columns += [Column([Math(f"{n.target}{k}")], "value") for k in outputs]
        rows = []
        for number, pattern in enumerate(self.problem.patterns, start=1):
            values = pattern.input + pattern.target
            rows.append([[str(number)]] + [[fraction_text(v)] for v in values])
        return Table("Training patterns", columns, rows)

    def initial_weights_table(self) -> Table:
        rows = [[[self.name(key)], [f"{key[0]} → {key[1]}"], [fraction_text(value)]]
                for key, value in self.problem.weights.items()]
        return Table("Initial weights", [Column(["weight"]), Column(["from → to"]),
                                         Column(["value"], "value")], rows)

    # -- one step ------------------------------------------------------------------------

    def step(self, number: int, step: TraceStep) -> Step:
        n = self.notation
        inputs = ", ".join(fraction_text(x) for x in step.input)
        targets = ", ".join(fraction_text(t) for t in step.target)
        given = Paragraph(["Input ", Math(f"({inputs})"), ", target ",
                           Math(f"{n.target} = ({targets})"), "."])
        work = self.step_lines(step)

        def lines(kind: str) -> Worked | None:
            return None if work is None else Worked([w for w in work if w.section == kind])

        batch = self.problem.update == "batch"
        sections = [
            Section("forward", "Forward pass", lines("forward"), self.forward_table(step)),
            Section("error", "Error", lines("error"), error=self.error_line(step)),
            Section("backward", "Backward pass", lines("backward"), self.backward_table(step)),
            Section("update", "Weight changes (batch)" if batch else "Weight updates",
                    lines("update"), self.update_table(step)),
        ]
        return Step(f"Step {number}: epoch {step.epoch}, pattern {step.pattern}"
                    f"{group_text(self.problem, step)}", given, sections)

    def step_lines(self, step: TraceStep) -> list | None:
        if not self.worked_lines:
            return None
        from bpcalc.render.worked import step_lines  # only where worked lines are shown

        # to the tables' digits, so that a value reads the same in its line and its table
        return step_lines(self.trace, step, notation=self.notation, digits=TABLE_DIGITS)

    def forward_table(self, step: TraceStep) -> Table:
        n = self.notation
        rows = []
        for record in step.nodes:
            given = record.kind in ("input", "bias")  # not computed, so never rounded
            name = n.activation_name(record.kind, record.id, record.layer)
            rows.append([[str(record.id)], [record.kind], [Math(name)],
                         self.value(record.net, quantity="net") if record.net is not None
                         else [""], self.value(record.out, pad=not given, quantity="out")])
        columns = [Column(["node"], "count"), Column(["kind"]), Column(["name"]),
                   Column([Math(f"{n.net}_j")], "value"),
                   Column([Math(f"{n.activation_heading()} = f({n.net}_j)")], "value")]
        return Table("", columns, rows)

    def error_line(self, step: TraceStep) -> ErrorLine:
        n = self.notation
        outputs = self.network.output_layer.node_ids
        detail = ", ".join(
            f"{n.target}{k} = {fraction_text(t)}, "
            f"{n.activation_name('output', k)} = {self.decimal(step.node(k).out, quantity='out')}"
            for k, t in zip(outputs, step.target, strict=True))
        value: Value = self.value(step.error, quantity="error")[0]
        return ErrorLine(Math(n.loss_formula(self.problem.loss)), value, detail)

    def backward_table(self, step: TraceStep) -> Table:
        n = self.notation
        output_rule = self.output_rule()
        rows = []
        for layer in reversed(self.network.layers[1:]):
            for node_id in layer.node_ids:
                record = step.node(node_id)
                rule = output_rule if record.kind == "output" else n.hidden_delta_rule
                rows.append([[str(record.id)], [record.kind],
                             self.value(record.slope, quantity="slope"),
                             self.value(record.delta, quantity="delta"), [Math(rule)]])
        columns = [Column(["node"], "count"), Column(["kind"]),
                   Column([Math(f"f'({n.net}_j)")], "value"),
                   Column([Math(f"{n.delta}_j")], "value"), Column(["rule"], "formula")]
        caption = ""
        if self.arithmetic.rounds and _slope_unrounded(self.problem):
            caption = (f"f'({n.net}_j) is not rounded: it is worked out from the rounded "
                       "activation and used as it is")
        if self.problem.perceptron:
            name = self.problem.activations[-1].name
            caption = f"{name}: f'({n.net}) taken as 1 (the perceptron rule)"
        elif activation_spec(self.problem.activations[-1].name).layer_wide:
            caption = (f"softmax: f'({n.net}_k) shows the diagonal ∂z_k/∂net_k; the output δ "
                       "sums over the whole Jacobian")
        return Table("", columns, rows, caption)

    def update_table(self, step: TraceStep) -> Table:
        batch = self.problem.update == "batch"
        applied = {u.key: u for u in step.updates}
        delta_w = self.notation.change_heading()
        columns = [Column(["weight"]), Column(["old"], "value")]
        if self.calculations:
            columns.append(Column(["calculation"], "formula"))  # wraps first when narrow
        columns.append(Column(["this pattern's " if batch else "change ", Math(delta_w)],
                              "value"))
        if batch and applied:
            columns.append(Column(applied_heading(self.problem, delta_w), "value"))
        if applied:
            columns.append(Column(["new"], "value", strong=True))
        rate = fraction_text(self.problem.learning_rate)
        rows = []
        for key, change in step.changes.items():
            row = [[self.name(key)], self.value(step.weights[key], quantity="weight")]
            if self.calculations:
                calculation = self.calculation(step, key, rate, with_old=not batch)
                if frozen(self.problem, key):
                    calculation = "bias weight, not trained"
                elif key in applied and not batch and self.problem.momentum != 0:
                    momentum = self.decimal(applied[key].momentum, quantity="change")
                    calculation += f" + {_paren(momentum)}"
                row.append([calculation])
            row.append(self.value(change, quantity="change"))
            if key in applied:
                if batch:
                    row.append(self.value(applied[key].change, quantity="change"))
                row.append(self.value(applied[key].new, quantity="weight"))
            rows.append(row)
        return Table("", columns, rows, batch_caption(self.problem, step) if batch else "")

    def calculation(self, step: TraceStep, key, rate: str, with_old: bool) -> str:
        """The hand calculation of the change (and new weight), in the convention's form."""
        i, j = key
        delta = _paren(self.decimal(step.node(j).delta, quantity="delta"))
        source = step.node(i)
        out = _paren(self.decimal(source.out, pad=source.kind not in ("input", "bias"),
                                  quantity="out"))
        product = f"{rate} × {delta} × {out}"
        old = self.decimal(step.weights[key], quantity="weight")
        if self.notation.update_sign < 0:
            return f"{old} - {product}" if with_old else f"-{product}"
        return f"{old} + {product}" if with_old else product

    # -- after the steps -----------------------------------------------------------------

    def final_weights_table(self, most: int | None = None) -> Table:
        """The final weights; with `most` (a summary), the first and last `most` // 2 of a
        larger network's, and a note that the full list is in the JSON."""
        weights = list(self.trace.final_weights.items())
        caption = ""
        if most is not None and len(weights) > most:
            caption = (f"{len(weights) - most:,} more weights between these two halves: the "
                       "full list is in --format json")
            weights = weights[:most // 2] + weights[-(most - most // 2):]
        rows = []
        for key, value in weights:
            initial = self.problem.weights.get(key)
            rows.append([[self.name(key)], [f"{key[0]} → {key[1]}"],
                         [fraction_text(initial) if initial is not None else ""],
                         self.value(value, quantity="weight")])
        return Table("Final weights", [Column(["weight"]), Column(["from → to"]),
                                       Column(["initial"], "value"),
                                       Column(["final"], "value", strong=True)], rows, caption)


def _slope_unrounded(problem) -> bool:
    """Whether the hand rounding leaves f'(net) as it comes (the contract: it does, unless a
    per-quantity rounding names the slope)."""
    rounding = problem.rounding
    return rounding is not None and rounding.of("slope") is None


def _paren(text: str) -> str:
    """Negative factors in parentheses, as a hand calculation writes them."""
    return f"({text})" if text.startswith("-") else text

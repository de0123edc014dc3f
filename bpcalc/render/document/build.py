"""The answer key built once from a solved trace, as the blocks of `document.model`.

It only reads values, never calculates: the problem statement, then per step the worked
lines and tables of the forward pass, the error, the backward pass and the weight updates,
then the error per epoch and the final weights. Formulas are plain formula text (see
`bpcalc.render.document.formula`); each renderer typesets them.
"""

from __future__ import annotations

from bpcalc.engine.trace import Step, Trace
from bpcalc.problem.activations import activation_spec
from bpcalc.render import worked
from bpcalc.render.document.model import (
    Document,
    Equations,
    Facts,
    Heading,
    Inline,
    Math,
    Paragraph,
    Picture,
    Table,
    Worked,
)
from bpcalc.render.names import node_numbering, parameter_values
from bpcalc.text import (
    KEY_CELL_CLOSED_FORM,
    epoch_error_texts,
    fraction_text,
    show_value,
)


def build_document(trace: Trace, *, steps: set[int] | None = None,
                   summary: bool = False) -> Document:
    """The whole answer key; `steps` keeps only those 1-based steps, `summary` none."""
    return _Builder(trace).build(steps, summary)


class _Builder:
    def __init__(self, trace: Trace):
        self.trace = trace
        self.problem = trace.problem
        self.network = trace.problem.network
        self.notation = worked.notation_of(trace)
        self.arithmetic = trace.arithmetic
        self.exact = trace.arithmetic.name == "exact"

    # -- values --------------------------------------------------------------------------

    def value(self, value, pad: bool = True) -> list[Inline]:
        """A table cell: the carried decimal; in exact mode the closed form ≈ its decimal."""
        shown = show_value(self.arithmetic, value, exact=True, exact_limit=KEY_CELL_CLOSED_FORM,
                           pad=pad)
        if shown.exact is None:
            return [("≈ " if shown.elided else "") + shown.decimal]
        relation = "=" if shown.equal else "≈"
        closed = shown.exact.replace("exp(", "e^(")
        return [Math(f"{closed} {relation} {shown.decimal}")]

    def name(self, key) -> Math:
        return Math(self.notation.weight_text(self.network, key))

    def node_name(self, record) -> Math:
        return Math(self.notation.activation_name(record.kind, record.id, record.layer))

    # -- the document --------------------------------------------------------------------

    def build(self, steps: set[int] | None, summary: bool) -> Document:
        doc = Document(self.problem.title or "Backpropagation answer key")
        doc.blocks.extend(self.statement())
        if not summary:
            for number, step in enumerate(self.trace.steps, start=1):
                if steps is None or number in steps:
                    doc.blocks.extend(self.step(number, step))
        doc.blocks.append(Heading(1, "Result"))
        if len(self.trace.epoch_errors()) > 1:
            doc.blocks.append(self.epoch_error_table())
        doc.blocks.append(self.final_weights_table())
        return doc

    def statement(self) -> list:
        p, n = self.problem, self.notation
        rows = [
            ("Network", [self.network_text()]),
            ("Activation", self.activation_parts()),
            ("Bias input", [fraction_text(p.bias) if p.bias is not None else "none"]),
            ("Loss", [f"{p.loss}: ", Math(n.loss_formula(p.loss))]),
            ("Convention", [f"{p.convention} signs, {n.name} notation ({n.source})"]),
            ("Learning rate", [Math(f"{n.rate} = {fraction_text(p.learning_rate)}")]),
            ("Training", [self.training_text()]),
            ("Rounding", [self.rounding_text()]),
        ]
        blocks: list = [Heading(1, "Problem"), Facts(rows)]
        blocks.extend(Paragraph([f"Warning: {w}"]) for w in self.trace.warnings)
        blocks.append(Heading(2, "Formulas"))
        blocks.append(Equations(self.formulas()))
        blocks.append(self.patterns_table())
        blocks.append(self.initial_weights_table())
        return blocks

    def network_text(self) -> str:
        sizes = "-".join(str(size) for size in self.network.sizes)
        return (f"{sizes}; nodes numbered layer by layer: "
                f"{node_numbering(self.network, dash='–')}")

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

    def training_text(self) -> str:
        p = self.problem
        count = len(p.patterns)
        return (f"{count} pattern{'s' * (count != 1)}, {p.epochs} epoch{'s' * (p.epochs != 1)}, "
                f"{p.update} updates")

    def rounding_text(self) -> str:
        rounding = self.problem.rounding
        if self.exact:
            return "none: exact values (closed forms), decimals to 6 significant digits"
        if rounding is None:
            return "none: full double precision, shown to 6 significant digits"
        unit = "decimal places" if rounding.kind == "places" else "significant figures"
        return (f"every computed value rounded to {rounding.digits} {unit} before it is used "
                "again; the values below are the rounded values carried on")

    def formulas(self) -> list[Math]:
        p, n = self.problem, self.notation
        texts = []
        for act in dict.fromkeys(p.activations):
            texts.append(n.activation_rule(act))
            spec = activation_spec(act.name)
            slope = spec.slope_rule(act, n.net, f"f({n.net})", parameter_values(act))
            note = "(taken as 1: the perceptron rule)" if spec.perceptron else ""
            texts.append(Math(f"f'({n.net}) = {slope}", note=note))
        texts.append(n.loss_formula(p.loss))
        texts.append(n.output_delta_rule(p.loss, p.perceptron))
        if len(self.network.layers) > 2:
            texts.append(n.hidden_delta_rule)
        rule, _, note = n.update_rule.partition("  ")
        texts.append(Math(rule, note=note.strip()))
        texts.append(n.change_rule)
        return [text if isinstance(text, Math) else Math(text) for text in texts]

    def patterns_table(self) -> Table:
        n = self.notation
        inputs = self.network.layers[0].node_ids
        outputs = self.network.output_layer.node_ids
        header = [["pattern"]]
        header += [[Math(n.activation_name("input", i))] for i in inputs]
        header += [[Math(f"{n.target}{k}")] for k in outputs]
        rows = []
        for number, pattern in enumerate(self.problem.patterns, start=1):
            values = pattern.input + pattern.target
            rows.append([[str(number)]] + [[fraction_text(v)] for v in values])
        return Table("Training patterns", header, rows, [True] * len(header))

    def initial_weights_table(self) -> Table:
        rows = [[[self.name(key)], [f"{key[0]} → {key[1]}"], [fraction_text(value)]]
                for key, value in self.problem.weights.items()]
        return Table("Initial weights", [["weight"], ["from → to"], ["value"]], rows,
                     [False, False, True])

    # -- one step ------------------------------------------------------------------------

    def step(self, number: int, step: Step) -> list:
        n = self.notation
        inputs = ", ".join(fraction_text(x) for x in step.input)
        targets = ", ".join(fraction_text(t) for t in step.target)
        blocks: list = [
            Heading(1, f"Step {number}: epoch {step.epoch}, pattern {step.pattern}"),
            Paragraph(["Input ", Math(f"({inputs})"), ", target ",
                       Math(f"{n.target} = ({targets})"), "."]),
        ]
        work = worked.step_lines(self.trace, step, notation=self.notation)
        for title, kind, table in (("Forward pass", "forward", self.forward_table),
                                   ("Error", "error", None),
                                   ("Backward pass", "backward", self.backward_table),
                                   ("Weight updates", "update", self.update_table)):
            blocks.append(Heading(2, title))
            lines = [line for line in work if line.section == kind]
            if lines:
                blocks.append(Worked(lines))
            if table is not None:
                blocks.append(table(step))
            elif not lines:
                blocks.append(self.error_paragraph(step))
        return blocks

    def forward_table(self, step: Step) -> Table:
        n = self.notation
        rows = []
        for record in step.nodes:
            given = record.kind in ("input", "bias")  # not computed, so never rounded
            rows.append([[str(record.id)], [record.kind], [self.node_name(record)],
                         self.value(record.net) if record.net is not None else [""],
                         self.value(record.out, pad=not given)])
        header = [["node"], ["kind"], ["name"], [Math(f"{n.net}_j")],
                  [Math(f"{n.activation_heading()} = f({n.net}_j)")]]
        return Table("", header, rows, [True, False, False, True, True])

    def error_paragraph(self, step: Step) -> Paragraph:
        formula = self.notation.loss_formula(self.problem.loss)
        shown = self.value(step.error)
        if isinstance(shown[0], Math):
            return Paragraph([Math(formula), " = ", *shown])
        return Paragraph([Math(f"{formula} = {shown[0]}")])

    def backward_table(self, step: Step) -> Table:
        n = self.notation
        output_rule = n.output_delta_rule(self.problem.loss, self.problem.perceptron)
        rows = []
        for layer in reversed(self.network.layers[1:]):
            for node_id in layer.node_ids:
                record = step.node(node_id)
                rule = output_rule if record.kind == "output" else n.hidden_delta_rule
                rows.append([[str(record.id)], [record.kind], self.value(record.slope),
                             self.value(record.delta), [Math(rule)]])
        header = [["node"], ["kind"], [Math(f"f'({n.net}_j)")], [Math(f"{n.delta}_j")],
                  ["rule"]]
        return Table("", header, rows, [True, False, True, True, False])

    def update_table(self, step: Step) -> Table:
        batch = self.problem.update == "batch"
        applied = {u.key: u for u in step.updates}
        delta_w = self.notation.change_heading()
        header = [["weight"], ["old"], ["this pattern's " if batch else "change ", Math(delta_w)]]
        if batch and applied:
            header.append(["epoch's ", Math(f"Σ {delta_w}")])
        if applied:
            header.append(["new"])
        rows = []
        for key, change in step.changes.items():
            row = [[self.name(key)], self.value(step.weights[key]), self.value(change)]
            if key in applied:
                if batch:
                    row.append(self.value(applied[key].change))
                row.append(self.value(applied[key].new))
            rows.append(row)
        title = ""
        if batch:
            title = ("Batch update: this pattern's changes; the epoch's sums are applied "
                     + ("now" if applied else "after the epoch's last pattern"))
        return Table(title, header, rows, [False] + [True] * (len(header) - 1))

    # -- after the steps -----------------------------------------------------------------

    def epoch_error_table(self) -> Table:
        rows = [[[str(epoch)], [text]] for epoch, text in epoch_error_texts(self.trace)]
        return Table("Error per epoch", [["epoch"], [Math(self.notation.error),
                                                     " (sum over patterns)"]], rows,
                     [True, True])

    def final_weights_table(self) -> Table:
        rows = []
        for key, value in self.trace.final_weights.items():
            initial = self.problem.weights.get(key)
            rows.append([[self.name(key)], [f"{key[0]} → {key[1]}"],
                         [fraction_text(initial) if initial is not None else ""],
                         self.value(value)])
        return Table("Final weights", [["weight"], ["from → to"], ["initial"], ["final"]],
                     rows, [False, False, True, True])


def add_pictures(doc: Document, trace: Trace) -> None:
    """The network with its initial weights after the problem statement, and for several
    epochs the error plot before the final weights; a network too large to draw is left
    without its diagram (the tables say it all)."""
    from bpcalc.errors import ProblemError
    from bpcalc.render.pictures.diagram import diagram_svg
    from bpcalc.render.pictures.plot import error_plot_svg, inline_svg

    try:
        network = Picture("The network with its initial weights", inline_svg(diagram_svg(trace)))
    except ProblemError:
        network = None
    if network is not None:
        at = next(i for i, block in enumerate(doc.blocks)
                  if isinstance(block, Heading) and block.text == "Formulas")
        doc.blocks.insert(at, network)
    if len(trace.epoch_errors()) > 1:
        result = next(i for i, block in enumerate(doc.blocks)
                      if isinstance(block, Heading) and block.text == "Result")
        doc.blocks.insert(result + 1, Picture("Error per epoch", inline_svg(error_plot_svg(trace))))

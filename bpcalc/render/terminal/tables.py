"""The worked solution as rich tables: what `bpcalc solve` prints by default.

Laid out the way a hand solution is checked: the set-up and the convention's formulas
first, then per step the forward pass, the error, the backward pass and the weight
changes, then the error per epoch and the final weights. It only reads the trace; every
number comes from the engine, formatted by `bpcalc.text`.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bpcalc.engine.trace import NodeRecord, Step, Trace
from bpcalc.problem.model import Network, Problem
from bpcalc.render.names import Notation, node_numbering, notation_for, weight_label
from bpcalc.text import (
    TERMINAL_CLOSED_FORM,
    epoch_error_texts,
    format_value,
    fraction_text,
    show_value,
)

# Final weights beyond this many are printed as aligned plain lines: rich lays a table out
# cell by cell (about half a millisecond a row), seconds for a 64-32-10 network's 2,410.
PLAIN_ROWS = 200


SHOW_CHOICES = ("tables", "work", "both")  # per step: tables, worked lines, or both


def render_tables(trace: Trace, console: Console, *, steps: set[int] | None = None,
                  summary: bool = False, exact: bool = False, show: str = "tables") -> None:
    """Print the solution of `trace` on `console`.

    `steps` keeps only those 1-based step numbers; `summary` prints only the header, the
    error per epoch and the final weights. Exact closed forms are shown when the trace was
    solved exactly (or `exact` asks for them); otherwise decimals only. `show` picks what
    each step prints: its tables, its worked lines (`net4 = .9 * .5 + ... = 1.25`), or both.
    """
    view = _View(trace, exact or trace.arithmetic.name == "exact", show)
    console.print(view.header())
    if not summary:
        for number, step in enumerate(trace.steps, start=1):
            if steps is not None and number not in steps:
                continue
            view.print_step(console, number, step)
    if summary or len(trace.epoch_errors()) > 1:
        console.print(view.epoch_error_table())
    if len(trace.final_weights) > PLAIN_ROWS:
        view.print_final_weights_plain(console)
    else:
        console.print(view.final_weights_table())
    if trace.warnings:
        console.print(Panel("\n".join(f"• {text}" for text in trace.warnings),
                            title="Warnings", title_align="left", border_style="yellow"))


class _View:
    """One trace with its notation and number formatting, building the renderables."""

    def __init__(self, trace: Trace, show_exact: bool, show: str = "tables"):
        self.trace = trace
        self.problem: Problem = trace.problem
        self.network: Network = trace.problem.network
        self.notation: Notation = notation_for(trace.problem.convention, trace.problem.notation)
        self.show = show
        self.arithmetic = trace.arithmetic
        self.show_exact = show_exact
        # The calculation column repeats decimals; with closed forms it would be unreadable.
        self.show_working = trace.arithmetic.name != "exact"

    def fmt(self, value, style: str = "", pad: bool = True) -> Text:
        """A table cell: the decimal; in exact mode the closed form, its decimal dim beneath."""
        shown = show_value(self.arithmetic, value, exact=self.show_exact,
                           exact_limit=TERMINAL_CLOSED_FORM, pad=pad)
        if shown.exact is not None:
            cell = Text(shown.exact, style=style)
            cell.append(f"\n{'=' if shown.equal else '≈'} {shown.decimal}", style="dim")
            return cell
        cell = Text(shown.decimal, style=style)
        if shown.elided:
            cell.append("\n≈ … (closed form in --format json)", style="dim")
        return cell

    def value_column(self, table: Table, header: str) -> None:
        """A column of values: decimals right-aligned; closed forms left, folded not cut."""
        if self.show_exact:
            table.add_column(header, justify="left", overflow="fold")
        else:
            table.add_column(header, justify="right")

    def short(self, value, pad: bool = True) -> str:
        """A value inside a calculation: decimal only."""
        return format_value(self.arithmetic, value, exact=False, pad=pad)

    def name(self, key) -> str:
        return weight_label(self.notation, self.network, key)

    # -- header --------------------------------------------------------------------------

    def header(self) -> Panel:
        p, n = self.problem, self.notation
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("Network", self._network_text())
        grid.add_row("Activation", self._activation_text())
        grid.add_row("Bias input", fraction_text(p.bias) if p.bias is not None else "none")
        grid.add_row("Loss", f"{p.loss}: {n.loss_formula(p.loss)}")
        if n.name == p.convention:
            grid.add_row("Convention", f"{n.name} ({n.source})")
        else:
            grid.add_row("Convention", f"{p.convention} signs, {n.name} notation ({n.source})")
        grid.add_row("  output δ", n.output_delta_rule(p.loss, p.perceptron))
        if len(self.network.layers) > 2:
            grid.add_row("  hidden δ", n.hidden_delta_rule)
        grid.add_row("  update", f"{n.update_rule};  {n.change_rule}")
        grid.add_row("Learning rate", f"{n.rate} = {fraction_text(p.learning_rate)}")
        patterns = len(p.patterns)
        grid.add_row("Training", f"{patterns} pattern{'s' * (patterns != 1)}, "
                                 f"{p.epochs} epoch{'s' * (p.epochs != 1)}, {p.update} updates")
        grid.add_row("Rounding", self._rounding_text())
        title = Text(p.title or "Backpropagation", style="bold")
        return Panel(grid, title=title, title_align="left", expand=False)

    def _network_text(self) -> str:
        sizes = "-".join(str(size) for size in self.network.sizes)
        return f"{sizes}  (nodes: {node_numbering(self.network)})"

    def _activation_text(self) -> str:
        acts = self.problem.activations
        if all(act == acts[0] for act in acts):
            return f"{acts[0].name}: {self.notation.activation_rule(acts[0])}"
        last = len(acts)
        return "; ".join(
            f"layer {index} ({'output' if index == last else 'hidden'}) {act.name}: "
            f"{self.notation.activation_rule(act)}"
            for index, act in enumerate(acts, start=1))

    def _rounding_text(self) -> str:
        rounding = self.problem.rounding
        if self.arithmetic.name == "exact":
            return "none: exact values (SymPy), decimals to 6 significant digits"
        if rounding is None:
            return "none: full double precision, shown to 6 significant digits"
        unit = "decimal places" if rounding.kind == "places" else "significant figures"
        return f"every computed value rounded to {rounding.digits} {unit} before reuse"

    # -- one step ------------------------------------------------------------------------

    def print_step(self, console: Console, number: int, step: Step) -> None:
        n = self.notation
        inputs = ", ".join(fraction_text(x) for x in step.input)
        targets = ", ".join(fraction_text(t) for t in step.target)
        console.rule(Text(f"Step {number}: epoch {step.epoch}, pattern {step.pattern}",
                          style="bold"))
        console.print(Text(f"input ({inputs})   target {n.target} = ({targets})"))
        if self.show != "work":
            console.print(self.forward_table(step))
            console.print(self.error_text(step))
            console.print(self.backward_table(step))
            console.print(self.update_table(step))
        if self.show != "tables":
            console.print(self.worked_lines(step))

    def worked_lines(self, step: Step) -> Group:
        """The step as a hand solution writes it: symbols (dim), numbers, result (bold)."""
        from bpcalc.render.worked import SECTIONS, plain_style, step_lines

        style = plain_style(self.trace)
        lines = step_lines(self.trace, step, notation=self.notation)
        titles = dict(zip(SECTIONS, ("Forward pass", "Error", "Backward pass",
                                     "Weight changes" if self.problem.update == "batch"
                                     else "Weight updates"), strict=True))
        parts: list = []
        for section in SECTIONS:
            chosen = [line for line in lines if line.section == section]
            if not chosen:
                continue
            parts.append(Text(titles[section], style="bold italic"))
            for line in chosen:
                text = Text("  ")
                text.append(style.sym(line.target))
                text.append(" = ")
                formula = style.render(line.formula)
                text.append(formula, style="dim")
                for middle in (line.substituted, line.carried):
                    shown = None if middle is None else style.render(middle)
                    if shown is not None and shown != formula:
                        text.append(" = " + shown)
                result = style.num(line.result)
                if not text.plain.endswith(" = " + result):
                    text.append(" = ")
                    text.append(result, style="bold")
                if line.approx is not None:
                    text.append(" ≈ ")
                    text.append(line.approx, style="bold")
                parts.append(text)
        return Group(Text("Worked lines", style="bold underline"), *parts)

    def forward_table(self, step: Step) -> Table:
        n = self.notation
        table = Table(title="Forward pass", title_justify="left")
        table.add_column("node", justify="right")
        table.add_column("kind")
        table.add_column("name")
        self.value_column(table, f"{n.net}_j")
        self.value_column(table, f"{n.activation_heading()} = f({n.net}_j)")
        for record in step.nodes:
            given = record.kind in ("input", "bias")  # not computed, so never rounded
            table.add_row(str(record.id), record.kind,
                          n.activation_name(record.kind, record.id, record.layer),
                          self.fmt(record.net), self.fmt(record.out, pad=not given))
        return table

    def error_text(self, step: Step) -> Group:
        n = self.notation
        outputs = self.network.output_layer.node_ids
        parts = ", ".join(
            f"{n.target}{k} = {fraction_text(t)}, "
            f"{n.activation_name('output', k)} = {self.short(step.node(k).out)}"
            for k, t in zip(outputs, step.target, strict=True))
        line = Text.assemble(("Error  ", "bold"), f"{n.loss_formula(self.problem.loss)} = ",
                             (format_value(self.arithmetic, step.error, exact=self.show_exact,
                                           exact_limit=TERMINAL_CLOSED_FORM), "bold"))
        return Group(line, Text(f"       ({parts})", style="dim"))

    def backward_table(self, step: Step) -> Table:
        n = self.notation
        table = Table(title="Backward pass", title_justify="left")
        table.add_column("node", justify="right")
        table.add_column("kind")
        self.value_column(table, f"f'({n.net}_j)")
        self.value_column(table, f"{n.delta}_j")
        table.add_column("rule", no_wrap=True)
        output_rule = n.output_delta_rule(self.problem.loss, self.problem.perceptron)
        for record in self._backward_order(step):
            rule = output_rule if record.kind == "output" else n.hidden_delta_rule
            table.add_row(str(record.id), record.kind, self.fmt(record.slope),
                          self.fmt(record.delta), Text(f"{record.kind}: {rule}"))
        if self.problem.perceptron:
            name = self.problem.activations[-1].name
            table.caption = f"{name}: f'({n.net}) taken as 1 (the perceptron rule)"
        return table

    def _backward_order(self, step: Step) -> list[NodeRecord]:
        """Output layer first, then each hidden layer back towards the inputs."""
        records = []
        for layer in reversed(self.network.layers[1:]):
            records.extend(step.node(node_id) for node_id in layer.node_ids)
        return records

    def update_table(self, step: Step) -> Table:
        batch = self.problem.update == "batch"
        applied = {u.key: u for u in step.updates}
        title = "Weight changes (batch)" if batch else "Weight updates"
        table = Table(title=title, title_justify="left")
        table.add_column("weight")
        self.value_column(table, "old")
        if self.show_working:
            table.add_column("calculation")
        delta_w = self.notation.change_heading()
        self.value_column(table, f"change {delta_w}" if not batch else f"this pattern's {delta_w}")
        if batch and applied:
            self.value_column(table, f"epoch's Σ {delta_w}")
        if applied:
            self.value_column(table, "new")
        rate = fraction_text(self.problem.learning_rate)
        for key, change in step.changes.items():
            old = step.weights[key]
            row = [Text(self.name(key)), self.fmt(old)]
            if self.show_working:
                row.append(Text(self._working(step, key, old, rate, with_old=not batch)))
            row.append(self.fmt(change))
            if key in applied:
                if batch:
                    row.append(self.fmt(applied[key].change))
                row.append(self.fmt(applied[key].new, "bold"))
            table.add_row(*row)
        if batch and not applied:
            table.caption = "summed and applied after the epoch's last pattern"
        return table

    def _working(self, step: Step, key, old, rate: str, with_old: bool) -> str:
        """The hand calculation of the change (and new weight), in the convention's form."""
        i, j = key
        delta = _paren(self.short(step.node(j).delta))
        source = step.node(i)
        out = _paren(self.short(source.out, pad=source.kind not in ("input", "bias")))
        product = f"{rate} × {delta} × {out}"
        if self.notation.update_sign < 0:
            return f"{self.short(old)} - {product}" if with_old else f"-{product}"
        return f"{self.short(old)} + {product}" if with_old else product

    # -- after the steps -----------------------------------------------------------------

    def epoch_error_table(self) -> Table:
        table = Table(title="Error per epoch", title_justify="left")
        table.add_column("epoch", justify="right")
        self.value_column(table, f"{self.notation.error} (sum over patterns)")
        for epoch, text in epoch_error_texts(self.trace):
            table.add_row(str(epoch), text)
        return table

    def print_final_weights_plain(self, console: Console) -> None:
        """The final weights as aligned lines, for networks too large for a rich table."""
        rows = [("weight", "from → to", "initial", "final")]
        for key, value in self.trace.final_weights.items():
            initial = self.problem.weights.get(key)
            shown = show_value(self.arithmetic, value, exact=self.show_exact,
                               exact_limit=TERMINAL_CLOSED_FORM)
            rows.append((self.name(key), f"{key[0]} → {key[1]}",
                         fraction_text(initial) if initial is not None else "",
                         shown.text()))
        lines = _aligned(rows, (False, False, True, True))
        rule = "-" * max(len(line) for line in lines)
        console.out("\n".join(["Final weights", lines[0], rule, *lines[1:]]), highlight=False)

    def final_weights_table(self) -> Table:
        table = Table(title="Final weights", title_justify="left")
        table.add_column("weight")
        table.add_column("from → to")
        self.value_column(table, "initial")
        self.value_column(table, "final")
        for key, value in self.trace.final_weights.items():
            initial = self.problem.weights.get(key)
            table.add_row(Text(self.name(key)), f"{key[0]} → {key[1]}",
                          fraction_text(initial) if initial is not None else "",
                          self.fmt(value, "bold"))
        return table


def _aligned(rows: list[tuple[str, ...]], right: tuple[bool, ...]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(right))]
    return ["  ".join(cell.rjust(width) if r else cell.ljust(width)
                      for cell, width, r in zip(row, widths, right, strict=True)).rstrip()
            for row in rows]


def _paren(text: str) -> str:
    """Negative factors in parentheses, as a hand calculation writes them."""
    return f"({text})" if text.startswith("-") else text


def render_tables_text(trace: Trace, *, steps: set[int] | None = None, summary: bool = False,
                       exact: bool = False, color: bool = False, width: int | None = None,
                       show: str = "tables") -> str:
    """The tables as one string, so the CLI writes all or nothing (stdout or -o FILE)."""
    import io
    import shutil

    buffer = io.StringIO()
    columns = width or (shutil.get_terminal_size((120, 40)).columns if color else 120)
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=columns,
                      highlight=False)
    render_tables(trace, console, steps=steps, summary=summary, exact=exact, show=show)
    return buffer.getvalue()

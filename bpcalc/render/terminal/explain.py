"""`bpcalc explain`: dE/dw spelled out by the chain rule, beside backprop's recursion.

Reads a `bpcalc.engine.chainrule.ChainRule` (every number already computed) and lays it out as a
student checks it: the local derivatives with their values, each path's product, the sum,
then delta_j out_i from the recursion and the difference between the two.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bpcalc.engine.chainrule import ChainRule, Factor
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.losses import loss_spec
from bpcalc.problem.model import Problem
from bpcalc.render.names import Notation, notation_for, weight_label
from bpcalc.text import TERMINAL_CLOSED_FORM, format_value, fraction_text, show_value

# Paths listed one by one; the rest are counted (the sum always includes every path).
DEFAULT_PATHS_SHOWN = 24


class _Names:
    """The printed symbols of one problem in one notation: z7 or y7, net4 or h4, w47 or v14."""

    def __init__(self, problem: Problem, rule: ChainRule):
        self.problem = problem
        self.step = rule.step
        self.notation: Notation = notation_for(problem.convention,
                                               getattr(problem, "notation", None))

    def out(self, node: int) -> str:
        record = self.step.node(node)
        return self.notation.activation_name(record.kind, node, record.layer)

    def net(self, node: int) -> str:
        return self.notation.net_name(node)

    def weight(self, key) -> str:
        return weight_label(self.notation, self.problem.network, key)

    def delta(self, node: int) -> str:
        return self.notation.delta_name(node)

    def symbol(self, factor: Factor) -> str:
        """∂E/∂z7, ∂z7/∂net7, ∂net7/∂z4, ∂net4/∂w14."""
        node, source = factor.node, factor.source
        if factor.kind == "loss":
            return f"∂{self.notation.error}/∂{self.out(node)}"
        if factor.kind == "slope":
            return f"∂{self.out(node)}/∂{self.net(node)}"
        if factor.kind == "jacobian":  # a softmax output through another output's net
            return f"∂{self.out(node)}/∂{self.net(source)}"
        if factor.kind == "weight":
            return f"∂{self.net(node)}/∂{self.out(source)}"
        return f"∂{self.net(node)}/∂{self.weight((source, node))}"


class _View:
    def __init__(self, rule: ChainRule, problem: Problem, arithmetic, exact: bool):
        self.rule = rule
        self.problem = problem
        self.arithmetic = arithmetic
        self.exact = exact
        self.names = _Names(problem, rule)
        self.wname = self.names.weight(rule.key)

    def value(self, value, style: str = "", pad: bool = True) -> Text:
        """A value (closed form beneath in exact mode); pad=False for given values, which
        hand rounding never rounds."""
        shown = show_value(self.arithmetic, value, exact=self.exact,
                           exact_limit=TERMINAL_CLOSED_FORM, pad=pad)
        cell = Text(shown.decimal, style=style)
        if shown.exact is not None:
            cell.append(f"\n{'=' if shown.equal else '≈'} {shown.exact}", style="dim")
        return cell

    def computed(self, factor: Factor) -> bool:
        """Hand rounding pads computed values to its places; given inputs and weights are
        shown as written (a weight a step has changed is padded: it was rounded)."""
        if factor.kind == "input":
            return self.rule.step.node(factor.source).kind not in ("input", "bias")
        if factor.kind == "weight":
            return factor.value != self.problem.weights[(factor.source, factor.node)]
        return True

    def change_note(self, rule: ChainRule) -> str:
        """Why the trace's change is not -C dE/dw alone (version 2): a frozen bias weight,
        the momentum term it adds, or a batch's group summing its patterns' changes."""
        problem = self.problem
        if not problem.train_bias and problem.network.node_kind(rule.key[0]) == "bias":
            return "; a bias weight, not trained: it never changes"
        notes = []
        if problem.update == "batch":
            notes.append("this pattern's share; the group's are summed")
        update = next((u for u in rule.step.updates if u.key == rule.key), None)
        if problem.momentum != 0 and update is not None:
            applied = self.short(update.change)
            notes.append(f"the update adds the momentum term α Δ{self.wname}(prev) = "
                         f"{self.short(update.momentum)}, giving {applied}")
        return "".join(f"; {note}" for note in notes)

    def short(self, value, pad: bool = True) -> str:
        return format_value(self.arithmetic, value, exact=False, pad=pad)

    def paren(self, value, pad: bool = True) -> str:
        text = self.short(value, pad)
        return f"({text})" if text.startswith("-") else text

    # -- the parts ---------------------------------------------------------------------

    def header(self) -> Panel:
        rule, step, notation = self.rule, self.rule.step, self.names.notation
        i, j = rule.key
        count = len(rule.paths)
        lines = [
            f"∂{notation.error}/∂{self.wname} by the chain rule, step {rule.step_number} "
            f"(epoch {step.epoch}, pattern {step.pattern}: input "
            f"({', '.join(fraction_text(x) for x in step.input)}), target "
            f"({', '.join(fraction_text(t) for t in step.target)}))",
            f"{self.problem.convention} convention, {notation.name} notation; loss "
            f"{self.problem.loss}: {notation.loss_formula(self.problem.loss)}",
            f"{self.wname} (from node {i} to node {j}) changes {self.names.net(j)}, which "
            f"reaches the output{'s' if count > 1 else ''} along {count:,} "
            f"path{'s' if count > 1 else ''}; each path's factors are multiplied, the paths "
            "added.",
        ]
        if self.problem.update == "batch":
            whose = ("group's" if self.problem.group_size < len(self.problem.patterns)
                     else "epoch's")
            lines.append(f"Batch mode: this is this pattern's own gradient, at the {whose} "
                         f"starting weights; the {whose} changes are summed.")
        title = Text(self.problem.title) if self.problem.title else None  # never markup
        return Panel("\n".join(lines), title=title, expand=False)

    def perceptron_note(self) -> Text:
        return Text(
            "The step function has no useful derivative (0 everywhere except at the "
            "threshold), so the perceptron rule is not the gradient of any loss. As the "
            "problem format does, bpcalc takes f'(net) as 1 and the error term as (t - z) "
            "whatever the loss: the 'chain rule' below reproduces the perceptron rule "
            "Δw = c (t - z) x, not a true derivative.", style="yellow")

    def factor_table(self) -> Table:
        table = Table(title="Local derivatives",
                      title_justify="left")
        table.add_column("factor")
        table.add_column("is")
        table.add_column("value", justify="left" if self.exact else "right")
        for factor in self.rule.factors:
            table.add_row(self.names.symbol(factor), self.meaning(factor),
                          self.value(factor.value, pad=self.computed(factor)))
        return table

    def meaning(self, factor: Factor) -> str:
        names, node = self.names, factor.node
        if factor.kind == "loss":
            return self.loss_meaning(node)
        if factor.kind == "slope":
            return self.slope_meaning(node)
        if factor.kind == "jacobian":
            return self.jacobian_meaning(node, factor.source)
        if factor.kind == "weight":
            return f"{names.weight((factor.source, node))} (before the update)"
        source = self.rule.step.node(factor.source)
        return names.out(factor.source) + (" (bias)" if source.kind == "bias" else "")

    def loss_meaning(self, node: int) -> str:
        rule, notation = self.rule, self.names.notation
        t = f"{notation.target}{node}"
        z = self.names.out(node)
        record = self.rule.step.node(node)
        target = self.rule.step.target[self.problem.network.output_layer.node_ids.index(node)]
        loss = loss_spec(self.problem.loss)
        if not rule.perceptron and not loss.squared:  # the loss's own dE/dz
            symbols = notation.symbols(loss.gradient_text, "§").replace("_§", str(node))
            values = (loss.gradient_text.replace("t_k", fraction_text(target))
                      .replace("z_k", self.paren(record.out)))
            return f"{symbols} = {values}"
        if rule.perceptron:
            scale, note = "", " (perceptron: whatever the loss)"
        else:
            k = len(self.problem.network.output_layer.node_ids)
            scale, note = loss.factor_text, (f", K = {k}" if loss.per_output else "")
        values = f"{fraction_text(target)} - {self.paren(record.out)}"
        if self.problem.convention == "slides":
            return f"-{scale}({t} - {z}) = -{scale}({values}){note}"
        values = f"{self.paren(record.out)} - {fraction_text(target)}"
        return f"{scale}({z} - {t}) = {scale}({values}){note}"

    def jacobian_meaning(self, node: int, source: int) -> str:
        """Softmax: ∂z_o/∂net_k = z_o (1[o = k] - z_k), with the step's values."""
        z_o, z_k = self.names.out(node), self.names.out(source)
        out, other = self.rule.step.node(node).out, self.rule.step.node(source).out
        if node == source:
            return f"{z_o}(1 - {z_o}) = {self.short(out)} × (1 - {self.short(out)})"
        return f"-{z_o} {z_k} = -{self.short(out)} × {self.paren(other)}"

    def slope_meaning(self, node: int) -> str:
        record = self.rule.step.node(node)
        act = self.problem.activation_of_layer(record.layer)
        net, z = self.names.net(node), self.names.out(node)
        fprime = f"f'({net})"
        spec = activation_spec(act.name)
        if spec.perceptron:
            return f"{fprime} taken as 1 (the perceptron rule)"
        for case in spec.cases:  # a piecewise f': the case this net is in
            if case.holds(self.arithmetic, act, record.net):
                return f"{fprime} = {case.slope} since {case.condition.format(net=net)}"
        symbols = {param.key: param.symbol for param in spec.params}
        text = spec.slope_rule(act, net, z, symbols.__getitem__)
        values = "".join(f", {param.symbol} = {fraction_text(getattr(act, param.key))}"
                         for param in spec.params if getattr(act, param.key) != param.default)
        return f"{fprime} = {text}{values}"

    def path_table(self, shown: int | None) -> Table:
        rule = self.rule
        table = Table(title=f"Paths from {self.wname} to the output"
                            f"{'s' if len(rule.paths) > 1 else ''}", title_justify="left")
        table.add_column("path", no_wrap=True)
        table.add_column("chain rule, and its values")
        table.add_column("product", justify="left" if self.exact else "right")
        limit = len(rule.paths) if shown is None or shown <= 0 else shown
        for path in rule.paths[:limit]:
            symbols = " · ".join(self.names.symbol(f) for f in path.factors)
            values = " × ".join(self.paren(f.value, self.computed(f)) for f in path.factors)
            table.add_row(" → ".join(str(n) for n in path.nodes), f"{symbols}\n= {values}",
                          self.value(path.product))
        hidden = len(rule.paths) - limit
        if hidden > 0:
            more = f"{hidden:,} more path{'s' if hidden > 1 else ''}"
            table.add_row("…", f"{more} (in the sum; --paths 0 lists all)", "")
        return table

    def conclusion(self) -> Group:
        rule, names = self.rule, self.names
        i, j = rule.key
        error = names.notation.error
        grad = f"∂{error}/∂{self.wname}"
        count = len(rule.paths)
        summed = (f"the sum of the {count:,} path products" if count > 1
                  else "the one path's product")
        lines = [Text.assemble(
            f"{grad} = {summed} = ",
            (self.short(rule.total), "bold"))]
        delta, out = names.delta(j), names.out(i)
        pad_out = rule.step.node(i).kind not in ("input", "bias")  # computed: padded
        if rule.sign == -1:
            meaning = f"{delta} = -∂{error}/∂{names.net(j)}"
            formula = f"-{delta} {out}"
            values = f"-{self.paren(rule.delta)} × {self.paren(rule.source_out, pad_out)}"
        else:
            meaning = f"{delta} = ∂{error}/∂{names.net(j)}"
            formula = f"{delta} {out}"
            values = f"{self.paren(rule.delta)} × {self.paren(rule.source_out, pad_out)}"
        lines.append(Text(
            f"Backprop's recursion: {meaning} ({self.problem.convention} sign) collects the "
            f"factors of every path above {names.net(j)}, so"))
        lines.append(Text.assemble(f"{grad} = {formula} = {values} = ",
                                   (self.short(rule.recursion), "bold"),
                                   f"   ({delta} from the solved trace)"))
        lines.append(self.agreement())
        rate = names.notation.rate
        lines.append(Text.assemble(
            f"Weight change: Δ{self.wname} = -{rate} {grad} = "
            f"-{self.paren(rule.rate, pad=False)} × {self.paren(rule.total)} = ",
            self.short(rule.gradient_change), "   (the trace's change: ",
            self.short(rule.change), f"{self.change_note(rule)})"))
        if getattr(self.arithmetic, "name", "") == "exact":
            lines.append(Text("(decimals here; the tables above show the closed forms)",
                              style="dim"))
        return Group(*lines)

    def agreement(self) -> Text:
        rule = self.rule
        lead = "Agreement: chain rule - recursion = "
        if rule.agreement == "exact":
            how = "exactly (SymPy cancels the difference to 0)" \
                if getattr(self.arithmetic, "name", "") == "exact" else "exactly"
            return Text(f"{lead}0 {how}: the chain rule and backprop agree.", style="green")
        difference = self.short(rule.difference)
        if rule.agreement == "float":
            return Text(f"{lead}{difference}, floating-point rounding only (|difference| ≤ "
                        "1e-12 × the value): the chain rule and backprop agree.",
                        style="green")
        if rule.agreement == "numeric":
            return Text(f"{lead}0 to 50 digits (not proved symbolically): the chain rule "
                        "and backprop agree.", style="green")
        if rule.agreement == "rounded":
            return Text(f"{lead}{difference}: hand rounding rounded the trace's deltas "
                        "before use; the chain rule's products here are not rounded.",
                        style="yellow")
        return Text(f"{lead}{difference}: they DISAGREE (please report this).",
                    style="bold red")


def render_explain(rule: ChainRule, problem: Problem, arithmetic, console: Console, *,
                   exact: bool = False, paths: int | None = DEFAULT_PATHS_SHOWN) -> None:
    """Print the chain-rule explanation of one weight in one step on `console`."""
    view = _View(rule, problem, arithmetic, exact or getattr(arithmetic, "name", "") == "exact")
    console.print(view.header())
    if rule.perceptron:
        console.print(view.perceptron_note())
    console.print(view.factor_table())
    console.print(view.path_table(paths))
    console.print(view.conclusion())


def render_explain_text(rule: ChainRule, problem: Problem, arithmetic, *, exact: bool = False,
                        paths: int | None = DEFAULT_PATHS_SHOWN, color: bool = False,
                        width: int | None = None) -> str:
    """The explanation as one string, so the CLI writes all or nothing."""
    import io

    from bpcalc.render.console import text_console

    buffer = io.StringIO()
    console = text_console(buffer, color=color, width=width)
    render_explain(rule, problem, arithmetic, console, exact=exact, paths=paths)
    return buffer.getvalue()

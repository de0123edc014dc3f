"""The statement's training facts and rules for the additions of version 2 (momentum,
mini-batches, frozen bias weights, stopping early, digits shown): what a reader must know
to redo the run, said only where the problem uses it, so a version-1 statement is as it
was. Pure text: the document builder places it."""

from __future__ import annotations

from bpcalc.problem.model import Problem
from bpcalc.render.document.model import Inline, Math
from bpcalc.render.names import Notation
from bpcalc.text import fraction_text, quantity_rounding_text


def training_text(problem: Problem) -> str:
    """`4 patterns, 2 epochs, sequential updates`; with `until`, `at most 2000 epochs`;
    with a batch size, the groups."""
    count = len(problem.patterns)
    limit = problem.epoch_limit or problem.epochs  # the file's, before `until` stopped it
    epochs = f"{limit} epoch{'s' * (limit != 1)}"
    if problem.until is not None:
        epochs = f"at most {epochs}"
    text = f"{count} pattern{'s' * (count != 1)}, {epochs}, {problem.update} updates"
    size = problem.group_size
    if problem.update == "batch" and size < count:
        text += (f" in groups of {size} pattern{'s' * (size != 1)} (the weights change after "
                 "each group, by the sum of its changes)")
    return text


def until_text(problem: Problem, notation: Notation) -> str | None:
    """When training stops early, or None."""
    until = problem.until
    if until is None:
        return None
    if until.no_mistakes:
        return "after the first epoch in which every output equals its target"
    return (f"after the first epoch whose error {notation.error} (the sum over its patterns) "
            f"is at most {fraction_text(until.error)}")


def extra_facts(problem: Problem, notation: Notation) -> list[tuple[str, list[Inline]]]:
    """The statement's rows for the version-2 settings the problem uses."""
    rows: list[tuple[str, list[Inline]]] = []
    if problem.momentum != 0:
        rows.append(("Momentum", [Math(f"α = {fraction_text(problem.momentum)}"),
                                  " (each change adds α times the weight's previous change)"]))
    stop = until_text(problem, notation)
    if stop is not None:
        rows.append(("Stop", [stop]))
    if not problem.train_bias:
        rows.append(("Bias weights", ["not trained: they keep their initial values"]))
    if problem.display is not None:
        rows.append(("Shown", [f"{quantity_rounding_text(problem.display)} (display only: "
                               "computed at full precision; a value exact in fewer digits "
                               "as it is)"]))
    return rows


def update_rules(problem: Problem, notation: Notation) -> tuple[Math, Math]:
    """The update and the change rule: the notation's, or with momentum Δw(n) = the
    learning-rate term + α Δw(n-1)."""
    if problem.momentum != 0:
        update, change = notation.momentum_rules()
        return Math(update, note="(n counts weight updates; Δw(0) = 0)"), Math(change)
    rule, _, note = notation.update_rule.partition("  ")
    return Math(rule, note=note.strip()), Math(notation.change_rule)


def output_delta_note(problem: Problem, notation: Notation) -> str:
    """Prose after the output delta's rule where its form needs a word."""
    form = problem.output_delta.form
    if form == "softmax_cross_entropy":
        return "(softmax with cross-entropy: t_k - z_k when the targets sum to 1)"
    if form == "jacobian":
        return f"(softmax: every output's {notation.output_gradient(problem.loss)})"
    if form == "residual" and not problem.output_delta.slope and not problem.perceptron:
        return "(f' cancels against dE/dz)"
    return ""


# -- a step's weight changes -----------------------------------------------------------


def frozen(problem: Problem, key) -> bool:
    """A bias weight that does not train (train_bias: false)."""
    return not problem.train_bias and problem.network.node_kind(key[0]) == "bias"


def _groups(problem: Problem) -> bool:
    """Batch updates in groups smaller than the epoch (batch_size)."""
    return problem.update == "batch" and problem.group_size < len(problem.patterns)


def group_text(problem: Problem, step) -> str:
    """`, group 2 (patterns 3-4)` after a step's title, in a mini-batch run; else ""."""
    if not _groups(problem):
        return ""
    size = problem.group_size
    number = (step.pattern - 1) // size + 1
    first, last = (number - 1) * size + 1, min(number * size, len(problem.patterns))
    patterns = f"pattern {first}" if first == last else f"patterns {first}–{last}"
    return f", group {number} ({patterns})"


def applied_heading(problem: Problem, delta_w: str) -> list[Inline]:
    """The heading of a batch update's applied change: the epoch's or group's sum, plus
    the momentum term where there is one."""
    whose = "group's " if _groups(problem) else "epoch's "
    rule = f"Σ {delta_w}" + (f" + α {delta_w}(prev)" if problem.momentum != 0 else "")
    return [whose, Math(rule)]


def batch_caption(problem: Problem, step) -> str:
    """Below a batch step's changes: when they are applied."""
    whose = "group's" if _groups(problem) else "epoch's"
    momentum = " (plus α times the previous change)" if problem.momentum != 0 else ""
    if step.updates:
        return f"the {whose} summed changes{momentum} are applied now"
    return f"summed and applied after the {whose} last pattern"

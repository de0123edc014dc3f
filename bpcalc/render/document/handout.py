"""The handout: the problem as a student receives it, with no answers.

Built from the problem alone, never from a solved run: the statement (facts, formulas,
training patterns, initial weights, the network drawn with its initial weights), what to
compute, and step 1's answer tables left blank. Every number in it is one the problem file
gives, so no computed value can leak into it. The same blocks as an answer key
(`document.model`), so Markdown, LaTeX and HTML typeset it as they typeset keys.
"""

from __future__ import annotations

from bpcalc.engine.trace import Trace
from bpcalc.problem.model import Problem
from bpcalc.render.document.build import DocumentBuilder
from bpcalc.render.document.facts import until_text
from bpcalc.render.document.figures import network_picture
from bpcalc.render.document.model import (
    Column,
    Document,
    Heading,
    Inline,
    Items,
    Math,
    Paragraph,
    Statement,
    Table,
)
from bpcalc.text import fraction_text


def build_handout(problem: Problem, drawings: tuple[str, ...] = ("svg", "latex")) -> Document:
    """The problem's handout: statement, picture, tasks and blank answer tables; the
    picture drawn only as `drawings` asks (svg for HTML and Markdown, latex for LaTeX)."""
    statement, builder = problem_statement(problem, drawings)
    blocks = [statement, Heading(1, "What to compute"), Items(tasks(problem, builder)),
              Heading(1, "Step 1: your answers"), *blank_tables(problem, builder)]
    return Document(problem.title or "Backpropagation", False, blocks, handout=True)


def problem_statement(problem: Problem, drawings: tuple[str, ...]
                      ) -> tuple[Statement, DocumentBuilder]:
    """The statement as set (facts, formulas, patterns, initial weights, the network drawn
    as `drawings` asks), from the problem alone, and the builder that wrote it: a handout's
    and a worksheet's first part."""
    from bpcalc.engine.numbers import make_arithmetic

    # A trace with no step: the statement's builder reads only the problem from it.
    trace = Trace(problem, make_arithmetic(problem.rounding, False), [], dict(problem.weights))
    builder = DocumentBuilder(trace, worked_lines=False, calculations=False)
    picture = network_picture(trace, drawings)
    return builder.statement()._replace(warnings=[], picture=picture), builder


def tasks(problem: Problem, builder: DocumentBuilder) -> list[list[Inline]]:
    """What to compute, in the notation's words: step 1 part by part, then the rest."""
    n = builder.notation
    network = problem.network
    first = problem.patterns[0]
    inputs = ", ".join(fraction_text(x) for x in first.input)
    targets = ", ".join(fraction_text(t) for t in first.target)
    computing = [i for layer in network.layers[1:] for i in layer.node_ids]
    nodes = ", ".join(str(i) for i in computing)
    batch = problem.update == "batch"
    which = "hidden and output node" if len(network.layers) > 2 else "output node"
    which += f" (node{'s' * (len(computing) != 1)} {nodes})"
    items: list[list[Inline]] = [
        ["Step 1 is epoch 1, pattern 1: input ", Math(f"({inputs})"), ", target ",
         Math(f"({targets})"), "."],
        ["Forward pass: compute ", Math(f"{n.net}_j"), " and the activation ",
         Math(f"{n.activation_heading()} = f({n.net}_j)"), f" of every {which}."],
        ["Error: compute ", Math(n.loss_formula(problem.loss)), " for step 1."],
        ["Backward pass: compute ", Math(f"f'({n.net}_j)"), " and ", Math(f"{n.delta}_j"),
         f" of every {which}."],
        (["Weight changes: compute this pattern's ", Math(n.change_heading()),
          " for every weight (batch updates: the changes are summed and applied later)."]
         if batch else
         ["Weight updates: compute ", Math(n.change_heading()), " and the new value of "
          "every weight."]),
        ["Carry and round the numbers as the Rounding line says."],
    ]
    steps = problem.step_count
    if steps > 1 or problem.until is not None:
        items.append([_carry_on(problem, builder)])
    return items


def _carry_on(problem: Problem, builder: DocumentBuilder) -> str:
    """After step 1: the rest of the run, as the problem file sets it."""
    count = len(problem.patterns)
    stop = until_text(problem, builder.notation)
    limit = problem.epoch_limit or problem.epochs
    if stop is not None:
        return (f"Then carry on, {count} pattern{'s' * (count != 1)} an epoch, and stop "
                f"{stop} (at most {limit} epochs); give the final weights and the error of "
                "each epoch.")
    epochs = f"{limit} epoch{'s' * (limit != 1)}"
    several = "the error of each epoch and " if limit > 1 else ""
    return (f"Then carry on through all {problem.step_count} steps ({epochs} of {count} "
            f"pattern{'s' * (count != 1)}) and give {several}the final weights.")


def blank_tables(problem: Problem, builder: DocumentBuilder) -> list:
    """Step 1's tables with the cells to fill left empty (the old weights are the initial
    ones, which the problem gives)."""
    n = builder.notation
    network = problem.network
    rows = []
    for layer in network.layers[1:]:
        for node_id in layer.node_ids:
            rows.append([[str(node_id)], [network.node_kind(node_id)], [""], [""], [""], [""]])
    nodes = Table("Nodes", [Column(["node"], "count"), Column(["kind"]),
                            Column([Math(f"{n.net}_j")], "answer"),
                            Column([Math(f"{n.activation_heading()} = f({n.net}_j)")],
                                   "answer"),
                            Column([Math(f"f'({n.net}_j)")], "answer"),
                            Column([Math(f"{n.delta}_j")], "answer")], rows)
    batch = problem.update == "batch"
    columns = [Column(["weight"]), Column(["old"], "value"),
               Column([Math(n.change_heading())], "answer")]
    if not batch:
        columns.append(Column(["new"], "answer"))
    weights = [[[builder.name(key)], [fraction_text(value)], [""]] + ([] if batch else [[""]])
               for key, value in problem.weights.items()]
    error = Paragraph(["Error of step 1: ", Math(n.loss_formula(problem.loss)), " = "])
    return [nodes, error, Table("Weights", columns, weights)]

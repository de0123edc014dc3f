"""The document model (bpcalc.render.document.build) of the lecture's 2-2-1 example: which
blocks, in which order, holding which values, checked against the slides' own answers
(net4 1.25, z4 .777, net7 1.277, z7 .782, delta7 -.133, delta4 -.0115, w47 .3964,
w67 .3667, w14 .4896, w24 .4931, w34 .4885)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import Rounding
from bpcalc.render.document.build import build_document, statement_rounding
from bpcalc.render.document.model import (
    Facts,
    Math,
    Result,
    Statement,
    Step,
    Table,
    Worked,
)
from bpcalc.text import Shown, rounding_text

ROOT = Path(__file__).resolve().parent.parent


def trace_of(name: str = "slides_2-2-1", exact: bool = False, **changes):
    from dataclasses import replace

    problem = replace(load_problem(str(ROOT / "problems" / f"{name}.yaml")), **changes)
    return solve(problem, make_arithmetic(problem.rounding, exact))


@pytest.fixture(scope="module")
def slides():
    return build_document(trace_of())


def column(table: Table, header: str) -> list:
    """The cells of the column whose header reads `header` (formulas by their text)."""
    names = ["".join(part.text if isinstance(part, Math) else part for part in c.header)
             for c in table.columns]
    index = names.index(header)
    return [row[index] for row in table.rows]


def decimals(cells) -> list[str]:
    assert all(isinstance(cell[0], Shown) for cell in cells)
    return [cell[0].decimal for cell in cells]


def test_blocks_in_order(slides):
    assert slides.title == "2-2-1 MLP, all weights 0.5 (lecture slides)"
    assert [type(block) for block in slides.blocks] == [Statement, Step, Result]
    step = slides.blocks[1]
    assert step.title == "Step 1: epoch 1, pattern 1"
    assert [(s.kind, s.title) for s in step.sections] == [
        ("forward", "Forward pass"), ("error", "Error"), ("backward", "Backward pass"),
        ("update", "Weight updates")]
    assert [type(s.table) for s in step.sections] == [Table, type(None), Table, Table]
    assert all(isinstance(s.worked, Worked) and s.worked.lines for s in step.sections)
    assert slides.exact is False


def test_statement(slides):
    statement = slides.blocks[0]
    assert isinstance(statement.facts, Facts)
    facts = {label: "".join(p.text if isinstance(p, Math) else p for p in parts)
             for label, parts in statement.facts.rows}
    assert list(facts) == ["Network", "Activation", "Bias input", "Loss", "Convention",
                           "Learning rate", "Training", "Rounding"]
    assert facts["Network"] == "2-2-1 (nodes: inputs 1–2, bias 3; hidden 4–5, bias 6; output 7)"
    assert facts["Activation"] == "sigmoid: f(net) = 1/(1 + e^(-net))"
    assert facts["Convention"] == "slides (lecture slides)"
    assert facts["Learning rate"] == "C = 1"
    assert facts["Training"] == "1 pattern, 1 epoch, sequential updates"
    assert facts["Rounding"] == "none: full double precision, shown to 6 significant digits"
    formulas = statement.formulas
    assert formulas.output_delta.text == "δ_j = (t_j - z_j) f'(net_j)"
    assert formulas.hidden_delta.text == "δ_j = f'(net_j) Σ_k δ_k w_jk"
    assert [m.text for m in formulas.lines] == [
        "f(net) = 1/(1 + e^(-net))", "f'(net) = f(net)(1 - f(net))", "E = ½ Σ_k (t_k - z_k)²",
        "δ_j = (t_j - z_j) f'(net_j)", "δ_j = f'(net_j) Σ_k δ_k w_jk",
        "w_ij ← w_ij + C δ_j z_i", "Δw_ij = C δ_j z_i"]
    assert statement.patterns.rows == [[["1"], ["0.9"], ["0.6"], ["0"]]]
    assert [row[2] for row in statement.initial_weights.rows] == [["0.5"]] * 9
    assert statement.warnings == []


def test_forward_error_backward_values(slides):
    forward, error, backward, update = slides.blocks[1].sections
    nets = column(forward.table, "net_j")
    outs = decimals(column(forward.table, "z_j = f(net_j)"))
    assert nets[:3] == [[""]] * 3 and decimals(nets[3:5] + nets[6:]) == [
        "1.25", "1.25", "1.27730"]
    assert outs == ["0.9", "0.6", "1", "0.777300", "0.777300", "1", "0.781990"]
    assert round(float(outs[3]), 3) == 0.777 and round(float(outs[6]), 3) == 0.782
    assert error.error.value.decimal == "0.305754"
    assert error.error.detail == "t7 = 0, z7 = 0.781990"
    assert [row[0] for row in backward.table.rows] == [["7"], ["4"], ["5"]]
    deltas = decimals(column(backward.table, "δ_j"))
    assert deltas == ["-0.133315", "-0.0115387", "-0.0115387"]
    assert round(float(deltas[0]), 3) == -0.133 and round(float(deltas[1]), 4) == -0.0115
    assert column(backward.table, "rule")[0] == [Math("δ_j = (t_j - z_j) f'(net_j)")]
    assert backward.table.caption == ""


def test_weight_updates(slides):
    update = slides.blocks[1].sections[3].table
    headers = ["".join(p.text if isinstance(p, Math) else p for p in c.header)
               for c in update.columns]
    assert headers == ["weight", "old", "change Δw", "new"]  # no calculation column here
    assert [c.strong for c in update.columns] == [False, False, False, True]
    new = dict(zip([row[0][0].text for row in update.rows],
                   decimals(column(update, "new")), strict=True))
    slides_answers = {"w47": .3964, "w67": .3667, "w14": .4896, "w24": .4931, "w34": .4885}
    for name, answer in slides_answers.items():
        assert round(float(new[name]), 4) == answer, name


def test_result(slides):
    result = slides.blocks[2]
    assert result.epoch_errors is None  # one epoch
    assert len(result.final_weights.rows) == 9
    assert decimals(column(result.final_weights, "final"))[6] == "0.396374"  # w47


def test_options_choose_what_is_built():
    trace = trace_of()
    terminal = build_document(trace, worked_lines=False, calculations=True)
    sections = terminal.blocks[1].sections
    assert all(section.worked is None for section in sections)
    update = sections[3].table
    assert update.columns[2].header == ["calculation"]
    assert update.rows[6][2] == ["0.5 + 1 × (-0.133315) × 0.777300"]  # w47
    summary = build_document(trace, summary=True)
    assert [type(block) for block in summary.blocks] == [Statement, Result]
    assert summary.blocks[1].epoch_errors.rows == [[["1"], ["0.305754"]]]
    only_two = build_document(trace_of("xor"), steps={2, 20})
    assert [b.title for b in only_two.blocks if isinstance(b, Step)] == [
        "Step 2: epoch 1, pattern 2", "Step 20: epoch 5, pattern 4"]


def test_batch_and_perceptron_captions():
    from bpcalc.problem.model import Pattern

    second = Pattern((Fraction(1, 10), Fraction(-3, 10)), (Fraction(1),))
    batch = trace_of(update="batch", patterns=(trace_of().problem.patterns[0], second))
    steps = [b for b in build_document(batch).blocks if isinstance(b, Step)]
    first, last = (step.sections[3] for step in steps)
    assert first.title == "Weight changes (batch)"
    assert first.table.caption == "summed and applied after the epoch's last pattern"
    assert last.table.caption == "the epoch's summed changes are applied now"
    perceptron = build_document(trace_of("perceptron_and"))
    backward = perceptron.blocks[1].sections[2].table
    assert backward.caption == "step: f'(net) taken as 1 (the perceptron rule)"


def test_exact_values_keep_their_closed_forms():
    document = build_document(trace_of(exact=True))
    assert document.exact
    forward = document.blocks[1].sections[0].table
    z4 = forward.rows[3][4][0]
    assert z4.exact == "1/(exp(-5/4) + 1)" and z4.decimal == "0.777300" and not z4.equal
    net4 = forward.rows[3][3][0]
    assert (net4.decimal, net4.exact, net4.equal) == ("1.25", "5/4", True)
    assert statement_rounding(trace_of(exact=True)).startswith("none: exact values (closed")


def test_rounding_is_said_one_way():
    """One wording for the statement (tables and keys) and the grader's messages; one
    place, one decimal place (the tables said '1 decimal places')."""
    assert rounding_text(Rounding("places", 1)) == "1 decimal place"
    assert rounding_text(Rounding("sigfigs", 3)) == "3 significant figures"
    trace = trace_of(rounding=Rounding("places", 1))
    assert statement_rounding(trace) == ("every computed value rounded to 1 decimal place "
                                         "before it is used again (f'(net) is not: it "
                                         "comes from the rounded activation)")


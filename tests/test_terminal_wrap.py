"""Exact closed forms on a narrow terminal break between terms, never inside a number, a
fraction or a name, and a wrapped line keeps its indent (bpcalc.render.terminal.wrap)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.render.document.build import build_document
from bpcalc.render.terminal.rich_renderer import RichRenderer
from bpcalc.render.terminal.wrap import wrap_text

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
TANH = ROOT / "tests" / "fixtures" / "golden_json" / "problems" / "tanh_deep.yaml"
VALUE_HEADERS = {"net_j", "z_j = f(net_j)", "f'(net_j)", "δ_j", "change Δw", "new", "old"}


def exact_screen(path: Path, width: int) -> list[str]:
    problem = load_problem(str(path))
    trace = solve(problem, make_arithmetic(problem.rounding, True))
    document = build_document(trace, steps={1}, worked_lines=True, calculations=True)
    return RichRenderer(width=width, show="both").render(document).split("\n")


def inside_a_token(end: str, start: str) -> bool:
    """A line ending in `end` continued by `start` split a name, a number or a fraction."""
    last, first = end[-1], start[0]
    return ((last.isalnum() or last in "._") and (first.isalnum() or first in "./(_")) \
        or (last == "/" and first.isdigit())


def value_cell_breaks(lines: list[str]) -> list[tuple[str, str]]:
    """(line end, next line start) of every closed form continued within a table cell."""
    breaks, headers = [], None
    for line, below in zip(lines, lines[1:], strict=False):
        if line.startswith("┃"):
            headers = [cell.strip() for cell in line.split("┃")[1:-1]]
        if not (headers and line.startswith("│") and below.startswith("│")):
            continue
        cells, next_cells = line.split("│")[1:-1], below.split("│")[1:-1]
        if len(cells) < 2 or next_cells[0].strip():  # a new row starts below
            continue
        for header, cell, next_cell in zip(headers, cells, next_cells, strict=True):
            pair = (cell.strip(), next_cell.strip())
            note = any(word in " ".join(pair) for word in ("closed", "format", "json"))
            if header in VALUE_HEADERS and all(pair) and not note:  # not the elision note
                breaks.append(pair)
    return breaks


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("path", [SLIDES, TANH], ids=["slides", "tanh_deep"])
def test_exact_closed_forms_break_between_terms(path, width):
    lines = exact_screen(path, width)
    assert max(len(line) for line in lines) <= width
    breaks = value_cell_breaks(lines)
    assert breaks, "some closed form is wrapped at this width"
    assert [pair for pair in breaks if inside_a_token(*pair)] == []
    assert not any(line.strip().endswith(("exp(-5/", "tanh(7/")) for line in lines)


@pytest.mark.parametrize("width", [60, 80])
def test_wrapped_lines_keep_their_indent(width):
    lines = exact_screen(SLIDES, width)
    error = next(index for index, line in enumerate(lines) if line.startswith("Error  E"))
    continued = []
    for line in lines[error + 1:]:
        if not line.startswith("         "):
            break
        continued.append(line)
    assert continued and continued[-1].lstrip().startswith("≈ 0.305754")
    assert not any(line.startswith(("≈", "=", "-", "+")) for line in lines)
    start = lines.index("Worked lines")
    end = next(index for index, line in enumerate(lines) if line.startswith("Final weights"))
    for line in lines[start + 1:end]:
        assert line == "" or line in ("Forward pass", "Error", "Backward pass",
                                      "Weight updates") or line.startswith("  ")
        if not re.match(r"  \S+ = ", line) and line.startswith("  "):
            assert line.startswith("      "), line  # a continuation, indented


def test_a_term_is_never_split():
    """The issue's example: `3*tanh(7/20)/10` broke as `3*tanh(7/` / `20)/10`."""
    text = "δ4 = 3*tanh(7/20)/10 + 2*exp(-5/4)*(1 - tanh(7/20)^2) ≈ 0.3"
    for room in range(17, 40):  # the longest term, tanh(7/20)/10, and the indent fit
        lines = wrap_text(text, room, indent=4)
        assert all(len(line) <= room for line in lines)
        assert all("7/20" in line or "7/" not in line for line in lines)
        assert "".join(line.strip() for line in lines).replace(" ", "") == \
            text.replace(" ", "")
        for end, start in zip(lines, lines[1:], strict=False):
            assert not inside_a_token(end, start.strip()), (room, lines)


def _xor_net7_of_step_2() -> float:
    """net7 in step 2 of xor.yaml, by hand: one sequential sigmoid update on pattern (0, 0)."""
    import math

    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    hidden = [[0.5, -0.4, 0.1], [-0.3, 0.6, -0.2]]
    out = [0.7, -0.5, 0.3]
    z = [sig(w[2]) for w in hidden]  # input (0, 0): only the bias feeds the hidden nodes
    z7 = sig(out[0] * z[0] + out[1] * z[1] + out[2])
    d7 = (0 - z7) * z7 * (1 - z7)
    d = [d7 * out[i] * z[i] * (1 - z[i]) for i in range(2)]
    out = [out[0] + 0.5 * d7 * z[0], out[1] + 0.5 * d7 * z[1], out[2] + 0.5 * d7]
    hidden = [[w[0], w[1], w[2] + 0.5 * d[i]] for i, w in enumerate(hidden)]
    z = [sig(w[1] + w[2]) for w in hidden]  # input (0, 1)
    return out[0] * z[0] + out[1] * z[1] + out[2]


def test_a_cell_too_long_for_its_closed_form_shows_the_decimal_as_approximate():
    """Step 2's net7 (its closed form too long for a cell): `≈ 0.187119` with a note that
    the closed form is in the JSON, never the decimal above a puzzling `≈ …`."""
    problem = load_problem(str(ROOT / "problems" / "xor.yaml"))
    import dataclasses

    problem = dataclasses.replace(problem, epochs=1)
    trace = solve(problem, make_arithmetic(problem.rounding, True))
    document = build_document(trace, steps={2})
    screen = RichRenderer(width=120).render(document)
    row = next(line for line in screen.split("\n") if "│ z7 " in line)
    assert f"│ ≈ {_xor_net7_of_step_2():.6f} " in row
    assert "≈ …" not in screen


@pytest.mark.parametrize("width", [60, 66])
def test_an_operator_stays_with_its_operand(width):
    """The calculation column at 60 columns: `0.5 + 1` over `× (-0.0115387)` over `× 0.9`,
    never a `×` alone on its line (it was, with the negative factor beneath it)."""
    problem = load_problem(str(SLIDES))
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    document = build_document(trace, steps={1}, calculations=True)
    lines = RichRenderer(width=width).render(document).split("\n")
    cells = [line.split("│")[3].strip() for line in lines if line.count("│") == 6]
    assert any("× (-0.0115387)" in cell for cell in cells)  # δ4, bracketed, with its ×
    assert not [cell for cell in cells if cell.endswith(("×", "+", "-"))], cells


def _xor_step_2_delta5() -> float:
    """δ5 in step 2 of xor.yaml, by hand (as _xor_net7_of_step_2, one step further)."""
    import math

    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    z4, z5 = sig(0.1), sig(-0.2)  # step 1, input (0, 0)
    z7 = sig(0.7 * z4 - 0.5 * z5 + 0.3)
    d7 = -z7 * z7 * (1 - z7)
    d4, d5 = d7 * 0.7 * z4 * (1 - z4), d7 * -0.5 * z5 * (1 - z5)
    w47, w57, w67 = 0.7 + 0.5 * d7 * z4, -0.5 + 0.5 * d7 * z5, 0.3 + 0.5 * d7
    z4, z5 = sig(-0.4 + 0.1 + 0.5 * d4), sig(0.6 - 0.2 + 0.5 * d5)  # step 2, input (0, 1)
    z7 = sig(w47 * z4 + w57 * z5 + w67)
    d7 = (1 - z7) * z7 * (1 - z7)
    return d7 * w57 * z5 * (1 - z5)


def test_a_calculation_column_too_narrow_for_its_terms_moves_below_the_table():
    """XOR's step 2 at 60 columns: the numbers leave the calculation column 9 cells, and
    rich cut `(-0.0143522)` into `(-0.01435` over `22)`; the table drops the column and
    the calculations follow it, one whole line per weight."""
    import dataclasses

    problem = dataclasses.replace(load_problem(str(ROOT / "problems" / "xor.yaml")), epochs=1)
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    document = build_document(trace, steps={2}, calculations=True)
    lines = RichRenderer(width=60).render(document).split("\n")
    assert max(map(len, lines)) <= 60
    assert not any("calculati" in line for line in lines if "┃" in line)
    below = lines.index("calculation (below the table at this width):")
    assert lines[below - 1].startswith("└")
    assert f"  w15  -0.3 + 0.5 × ({_xor_step_2_delta5():.6g}) × 0" in lines[below:]
    # the slides' example still fits its calculation column at 60
    slides = build_document(solve(load_problem(str(SLIDES)), make_arithmetic(None, False)),
                            calculations=True)
    assert "below the table" not in RichRenderer(width=60).render(slides)


def test_a_long_header_goes_on_two_lines_rather_than_cutting_a_name():
    """paper_2-1-1 at 60 columns: its activation header `x_j / a_j / y_j = f(h_j)` took
    the room, so rich cut the name column's header to `na…` and its own to `f(h_…`. Now
    it is two lines, the others at the bottom of the header row (as rich sets them)."""
    problem = load_problem(str(ROOT / "problems" / "paper_2-1-1.yaml"))
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    lines = RichRenderer(width=60).render(build_document(trace)).split("\n")
    assert not [line for line in lines if "…" in line]
    header = next(index for index, line in enumerate(lines) if "┃ name ┃" in line)
    assert "x_j / a_j / y_j ┃" in lines[header - 1] and "= f(h_j) ┃" in lines[header]
    assert max(map(len, lines)) <= 60
    # wide enough, the header stays on one line
    wide = RichRenderer(width=80).render(build_document(trace))
    assert "┃ x_j / a_j / y_j = f(h_j) ┃" in wide


def test_a_calculation_column_too_narrow_for_an_operator_and_its_operand_moves_below():
    """Mazur's example at 60 columns left 13 cells, one short of `× (-0.00877135)`: the
    column printed `×` alone over the bracketed delta. It moves below the table instead."""
    problem = load_problem(str(ROOT / "problems" / "mazur_2-2-2.yaml"))
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    lines = RichRenderer(width=60).render(build_document(trace, calculations=True))
    lines = lines.split("\n")
    assert not [line for line in lines if line.rstrip(" │").endswith(" ×")]
    below = lines.index("calculation (below the table at this width):")
    # w14 = 0.15, rate 0.5, input 0.05 (the file); δ4 as the backward table prints it
    delta4 = [line.split("│")[4].strip() for line in lines if line.startswith("│    4 │")][1]
    assert f"  w14  0.15 + 0.5 × ({delta4}) × 0.05" in lines[below:]

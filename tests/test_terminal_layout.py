"""The terminal's own layout (bpcalc.render.terminal.layout) prints exactly what rich prints:
the same characters, and the same styles on every visible character; whatever it does not
lay out itself (too wide, unusual characters) it hands to rich."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from rich.console import Console

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.render.document.build import build_document
from bpcalc.render.terminal import layout
from bpcalc.render.terminal.rich_renderer import RichRenderer

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures" / "golden_json" / "problems").glob("*.yaml"))
ANSI = re.compile(r"\x1b\[([0-9;]*)m")


def styled(text: str) -> list[tuple[str, frozenset]]:
    """Each character with the SGR codes in force on it (none on blanks: a style on a space
    cannot be seen, and rich and the layout pad differently there)."""
    out, codes, position = [], frozenset(), 0
    for match in ANSI.finditer(text):
        out += [(char, codes if char.strip() else frozenset())
                for char in text[position:match.start()]]
        given = match.group(1)
        codes = frozenset() if given in ("", "0") else frozenset(given.split(";"))
        position = match.end()
    return out + [(char, codes if char.strip() else frozenset()) for char in text[position:]]


def by_rich(piece, width: int, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width,
                      highlight=False, color_system="standard" if color else None)
    if isinstance(piece, layout.Verbatim):
        console.out(piece.text, highlight=False)
    else:
        console.print(piece.rich())
    return buffer.getvalue()


def by_layout(piece, width: int, color: bool) -> str | None:
    if piece.lines(width) is None:
        return None
    screen = layout.Screen(width, color)
    screen.print(piece)
    return screen.text()


WORDS = ["0.5", "-0.0115387", "w47", "node", "δ_j = f'(net_j) Σ_k δ_k w_jk", "",
         "1/(exp(-5/4) + 1)\n≈ 0.777300", "x" * 30, "Forward pass", "a b c", "寬"]


def random_piece(draw: random.Random):
    kind = draw.randrange(5)
    if kind == 0:
        count = draw.randint(1, 5)
        columns = [layout.Column(draw.choice(WORDS[:5]) or "h", draw.choice(["left", "right"]),
                                 draw.random() < .3) for _ in range(count)]
        rows = [[[(draw.choice(WORDS), draw.choice(["", "bold", "dim"]))]
                 + ([("\n= 0.25", "dim")] if draw.random() < .2 else [])
                 for _ in range(count)] for _ in range(draw.randint(0, 4))]
        return layout.Table(draw.choice(["", "Forward pass", "t" * 50]), columns, rows,
                            draw.choice(["", "summed and applied after the epoch's last "
                                             "pattern", "c"]))
    if kind == 1:
        return layout.Rule(draw.choice(["Step 1: epoch 1, pattern 1", "x", "y" * 70]))
    if kind == 2:
        rows = [(draw.choice(["Network", "  output δ", "Rounding"]),
                 [(draw.choice(WORDS), "")]) for _ in range(draw.randint(1, 6))]
        return layout.Panel(draw.choice(["2-2-1 MLP, all weights 0.5", "B", "q" * 60]), rows)
    if kind == 3:
        rows = [("", [("• " + draw.choice(WORDS), "")]) for _ in range(draw.randint(1, 3))]
        return layout.Panel("Warnings", rows, border="yellow", expand=True, title_style="")
    return layout.Text([(draw.choice(WORDS), draw.choice(["", "bold"])), (" = ", ""),
                        (draw.choice(WORDS), "dim")])


def test_each_piece_is_printed_as_rich_prints_it():
    draw = random.Random(9)
    laid_out = {"Table": 0, "Rule": 0, "Panel": 0, "Text": 0}
    for _ in range(800):
        piece, width = random_piece(draw), draw.choice([40, 60, 80, 120])
        for color in (False, True):
            mine = by_layout(piece, width, color)
            if mine is None:
                continue
            laid_out[type(piece).__name__] += 1
            theirs = by_rich(piece, width, color)
            if color:
                assert styled(mine) == styled(theirs), (piece, width)
            else:
                assert mine == theirs, (piece, width)
    assert min(laid_out.values()) > 50  # every kind of piece laid out here, many times


def test_the_narrow_characters_are_one_cell_wide_for_rich():
    """The layout takes these as one cell without asking rich (whose width tables take
    milliseconds to load); rich must agree on every one."""
    from rich.cells import cell_len

    assert len(layout.NARROW) > 700
    assert [char for char in layout.NARROW if cell_len(char) != 1] == []
    assert "δ" in layout.NARROW and "寬" not in layout.NARROW


def test_the_boxes_are_richs():
    """The layout draws without importing rich: its box characters are rich.box's."""
    from rich import box

    for mine, theirs in ((layout.HEAVY_HEAD, box.HEAVY_HEAD), (layout.ROUNDED, box.ROUNDED)):
        widths = [3, 1, 4]
        assert mine.rule(mine.top, widths) == theirs.get_top(widths)
        assert mine.rule(mine.head_rule, widths) == theirs.get_row(widths, "head")
        assert mine.rule(mine.bottom, widths) == theirs.get_bottom(widths)
        assert mine.head == theirs.head_left + theirs.head_vertical + theirs.head_right
        assert mine.row == theirs.mid_left + theirs.mid_vertical + theirs.mid_right


def test_solving_on_the_fast_path_imports_no_rich():
    """Off a terminal bpcalc is 80 wide: every piece of the slide example is laid out
    without rich (the statement's long network line wrapped as rich wraps it)."""
    import os
    import subprocess
    import sys

    code = ("import sys; from bpcalc.cli import main; sys.argv = ['bpcalc', 'solve', "
            "'problems/slides_2-2-1.yaml']\ntry: main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'), "
            "file=sys.stderr)")
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env)
    assert "┏━━━━━━┳" in done.stdout
    assert done.stderr.strip() == "[]"


def test_what_does_not_fit_is_left_to_rich():
    too_wide = layout.Table("", [layout.Column("h")], [[[("x" * 200, "")]]])
    wide_char = layout.Text([("寬 wide", "")])
    control = layout.Text([("a\tb", "")])
    for piece in (too_wide, wide_char, control):
        assert piece.lines(120) is None
        screen = layout.Screen(120, False)
        screen.print(piece)
        assert screen.text() == by_rich(piece, 120, False)


@pytest.mark.parametrize("path", PROBLEMS, ids=[path.stem for path in PROBLEMS])
def test_whole_solutions_equal_rich_alone(path):
    """Every bundled problem, tables and worked lines, plain and styled, at two widths."""
    problem = load_problem(str(path))
    trace = solve(problem, make_arithmetic(problem.rounding, False))
    document = build_document(trace, worked_lines=True, calculations=True)
    for width, color in ((120, False), (120, True), (80, False), (80, True), (72, False),
                         (60, False)):
        fast = RichRenderer(width=width, color=color, show="both").render(document)
        slow = RichRenderer(width=width, color=color, show="both", fast=False).render(document)
        if color:
            assert styled(fast) == styled(slow)
        else:
            assert fast == slow

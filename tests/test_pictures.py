"""Pictures: `bpcalc diagram` and `bpcalc plot`, their layout and their data.

Layout and plot data are checked without drawing (pure functions); a few real renders
check the files (valid SVG/PNG, every weight and node number present, deterministic).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.errors import ProblemError
from bpcalc.problem.loader import apply_overrides, load_problem, parse_problem
from bpcalc.render.pictures.diagram import (
    RADIUS,
    diagram_png,
    diagram_svg,
    diagram_weights,
    layout_diagram,
)
from bpcalc.render.pictures.plot import (
    error_plot_data,
    error_plot_figure,
    error_plot_svg,
    inline_svg,
)
from bpcalc.text import format_float

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
XOR = ROOT / "problems" / "xor.yaml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"

WIDE = """
title: "3-4-2 network"
layers: [3, 4, 2]
activation: sigmoid
weights:
  - [[0.12, -0.4, 0.31, 0.1], [-0.3, 0.65, -0.2, 0.05],
     [0.2, 0.1, -0.15, -0.33], [0.44, -0.27, 0.18, 0.2]]
  - [[0.7, -0.5, 0.3, -0.12, 0.25], [-0.6, 0.45, 0.22, 0.19, -0.1]]
pattern: [1, 0.5, -0.25]
target: [1, 0]
learning_rate: 0.5
"""


def solved(problem):
    return solve(problem, make_arithmetic(problem.rounding, False))


@pytest.fixture(scope="module")
def slides_trace():
    return solved(load_problem(str(SLIDES)))


@pytest.fixture(scope="module")
def wide_trace():
    return solved(parse_problem(WIDE))


def svg_texts(svg: str) -> list[str]:
    """Every <text> of an SVG (parsing it also proves it is well-formed XML)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# -- layout (no drawing) --------------------------------------------------------------------


def test_layout_puts_layers_left_to_right_with_bias_below(slides_trace):
    diagram = layout_diagram(slides_trace)
    nodes = {node.id: node for node in diagram.nodes}
    assert sorted(nodes) == [1, 2, 3, 4, 5, 6, 7]
    assert nodes[1].x == nodes[2].x == nodes[3].x < nodes[4].x == nodes[6].x < nodes[7].x
    assert nodes[3].y < nodes[2].y < nodes[1].y  # bias 3 under inputs 1, 2
    assert [nodes[i].kind for i in (3, 6)] == ["bias", "bias"]
    assert nodes[3].caption == "bias 1"
    assert [caption for _, caption in diagram.columns] == ["inputs", "hidden", "output"]


def test_every_weight_is_labelled_with_its_value(slides_trace):
    diagram = layout_diagram(slides_trace)
    assert {edge.key for edge in diagram.edges} == set(slides_trace.problem.network.weight_keys())
    assert {edge.label for edge in diagram.edges} == {"0.5"}
    named = layout_diagram(slides_trace, names=True)
    assert {edge.key: edge.label for edge in named.edges}[(4, 7)] == "w47 = 0.5"


@pytest.mark.parametrize("step", [None, 1])
def test_labels_do_not_overlap_each_other_or_nodes(wide_trace, step):
    diagram = layout_diagram(wide_trace, step=step)
    boxes = diagram.label_boxes()
    for a, b in combinations(boxes, 2):
        assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]), (a, b)
    for box in boxes:
        for node in diagram.nodes:  # the label box does not reach into a node's circle
            nearest_x = min(max(node.x, box[0]), box[2])
            nearest_y = min(max(node.y, box[1]), box[3])
            assert (nearest_x - node.x) ** 2 + (nearest_y - node.y) ** 2 > RADIUS**2


def test_labels_sit_on_their_own_edge(wide_trace):
    for edge in layout_diagram(wide_trace).edges:
        (x0, y0), (x1, y1), (x, y) = edge.start, edge.end, edge.at
        assert min(x0, x1) < x < max(x0, x1)
        assert abs((x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)) < 1e-9  # collinear


def test_step_values_on_the_nodes_are_the_slides_numbers(slides_trace):
    diagram = layout_diagram(slides_trace, step=1)
    values = {node.id: node.values for node in diagram.nodes}
    assert values[1] == ["z1 = 0.9"]
    assert values[4] == ["net4 = 1.25", "z4 = 0.7773", "δ4 = -0.01154"]
    assert values[7] == ["net7 = 1.277", "z7 = 0.7820", "δ7 = -0.1333", "t7 = 0"]
    assert values[3] == []  # a bias shows its value under the square, not a box
    assert diagram.subtitle.startswith("step 1 (epoch 1, pattern 1): E = 0.3058")


def test_textbook_names_and_signs(slides_trace):
    textbook = solved(apply_overrides(slides_trace.problem, convention="textbook"))
    values = {node.id: node.values for node in layout_diagram(textbook, step=1).nodes}
    assert values[4][:2] == ["h4 = 1.25", "a4 = 0.7773"]
    assert values[7][2] == "δ7 = 0.1333"  # the textbook's delta has the other sign


def test_weights_before_and_after_the_update(slides_trace):
    before = diagram_weights(slides_trace, 1, "before")
    after = diagram_weights(slides_trace, 1, "after")
    assert before[(4, 7)] == 0.5
    assert after[(4, 7)] == pytest.approx(0.3964, abs=5e-5)  # the slide's w47
    assert after[(1, 4)] == pytest.approx(0.4896, abs=5e-5)
    assert diagram_weights(slides_trace, None, "after") == slides_trace.final_weights
    labels = {e.key: e.label for e in layout_diagram(slides_trace, 1, "after").edges}
    assert labels[(6, 7)] == "0.3667"  # w67 on the slide: .3667


def test_hand_rounded_weights_are_drawn_as_carried(slides_trace):
    rounded = solved(apply_overrides(slides_trace.problem, round_places=4))
    labels = {e.key: e.label for e in layout_diagram(rounded, None, "after").edges}
    assert labels[(4, 7)] == "0.3964"
    assert rounded.final_weights[(4, 7)] == Fraction("0.3964")


def test_bad_step_and_weights_are_problem_errors(slides_trace):
    with pytest.raises(ProblemError, match="steps run from 1 to 1"):
        layout_diagram(slides_trace, step=2)
    with pytest.raises(ProblemError, match="before or after"):
        diagram_weights(slides_trace, None, "during")


# -- error plot data ------------------------------------------------------------------------


def test_plot_data_is_the_trace_error_per_epoch():
    trace = solved(apply_overrides(load_problem(str(XOR)), epochs=30))
    epochs, errors = error_plot_data(trace)
    assert list(zip(epochs, errors, strict=True)) == trace.epoch_errors()
    assert list(epochs) == list(range(1, 31))
    # Independent check of epoch 1: the sum of its four steps' errors.
    assert errors[0] == pytest.approx(sum(float(s.error) for s in trace.steps[:4]))
    line = error_plot_figure(trace).axes[0].lines[0]
    assert list(line.get_xdata()) == list(epochs) and list(line.get_ydata()) == list(errors)
    assert errors[-1] < errors[0]


def test_plot_needs_two_epochs(slides_trace):
    with pytest.raises(ProblemError, match="plot needs epochs >= 2"):
        error_plot_data(slides_trace)


# -- files ----------------------------------------------------------------------------------


def test_diagram_svg_has_every_weight_and_node_and_is_deterministic(wide_trace):
    svg = diagram_svg(wide_trace, step=1, weights="after")
    texts = svg_texts(svg)
    for edge in layout_diagram(wide_trace, 1, "after").edges:
        assert edge.label in texts, edge
    for node_id in range(1, 12):
        assert str(node_id) in texts
    assert "net5 = -0.0575" in "\n".join(texts)
    assert "<dc:date>" not in svg
    assert diagram_svg(wide_trace, step=1, weights="after") == svg


def test_error_plot_svg_is_valid(tmp_path):
    trace = solved(apply_overrides(load_problem(str(XOR)), epochs=5))
    texts = svg_texts(error_plot_svg(trace))
    assert "epoch" in texts and "error E" in texts
    inline = inline_svg(error_plot_svg(trace))
    assert inline.startswith("<svg") and "<?xml" not in inline and "DOCTYPE" not in inline


def test_diagram_png(slides_trace):
    width, height = png_size(diagram_png(slides_trace, step=1))
    assert 500 < width < 2000 and 400 < height < 2000


# -- the commands ---------------------------------------------------------------------------

runner = CliRunner()


def test_cli_diagram_svg_and_png(tmp_path):
    svg, png = tmp_path / "net.svg", tmp_path / "net.png"
    result = runner.invoke(app, ["diagram", str(SLIDES), "-o", str(svg)])
    assert result.exit_code == 0, result.output
    texts = svg_texts(svg.read_text(encoding="utf-8"))
    assert texts.count("0.5") == 9 and {"1", "2", "3", "4", "5", "6", "7"} <= set(texts)
    result = runner.invoke(app, ["diagram", str(SLIDES), "--step", "1", "--weights", "after",
                                 "-o", str(png)])
    assert result.exit_code == 0, result.output
    assert png_size(png.read_bytes())[0] > 500


def test_cli_plot_png(tmp_path):
    out = tmp_path / "error.PNG"
    result = runner.invoke(app, ["plot", str(XOR), "--epochs", "20", "--learning-rate", "2",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert png_size(out.read_bytes()) == (768, 480)


@pytest.mark.parametrize(("args", "message"), [
    (["diagram", str(SLIDES), "-o", "{tmp}/net.eps"], "--output: pictures are written as"),
    (["plot", str(XOR), "-o", "{tmp}/error.jpg"], "--output: pictures are written as"),
    (["diagram", str(SLIDES), "--step", "2", "-o", "{tmp}/net.svg"], "--step: steps run from 1"),
    (["diagram", str(SLIDES), "--step", "0", "-o", "{tmp}/net.svg"], "--step: steps run from 1"),
    (["diagram", str(SLIDES), "--step", "two", "-o", "{tmp}/net.svg"], "--step: expected"),
    (["plot", str(SLIDES), "-o", "{tmp}/error.svg"], "plot needs epochs >= 2"),
    (["plot", str(XOR), "--epochs", "0", "-o", "{tmp}/error.svg"], "--epochs: must be 1"),
])
def test_cli_errors_exit_2_and_write_nothing(tmp_path, args, message):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_matplotlib_is_not_imported_by_the_cli():
    code = "import sys, bpcalc.cli; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_too_large_a_network_is_refused():
    big = parse_problem("layers: [20, 3, 1]\nweights: 0.1\npattern: 1\ntarget: 1\n"
                        "learning_rate: 1\n".replace("pattern: 1", "pattern: [" +
                                                     ", ".join(["1"] * 20) + "]"))
    with pytest.raises(ProblemError, match="at most 16 nodes a layer"):
        layout_diagram(solved(big))


def test_cli_diagram_without_output_prints_svg():
    result = runner.invoke(app, ["diagram", str(SLIDES), "--names"])
    assert result.exit_code == 0, result.output
    assert "w47 = 0.5" in svg_texts(result.stdout)


# -- the error plot as a reader sees it ---------------------------------------------------


def _drawn_plot(trace):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = error_plot_figure(trace)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return figure, canvas.get_renderer()


def test_the_error_axis_starts_at_zero_and_the_last_value_is_off_the_line():
    import numpy

    trace = solved(apply_overrides(load_problem(str(XOR)), epochs=30))
    figure, renderer = _drawn_plot(trace)
    axes = figure.axes[0]
    bottom, top = axes.get_ylim()
    assert bottom == 0 and top > max(error_plot_data(trace)[1])
    label = axes.texts[0]
    assert label.get_text() == format_float(error_plot_data(trace)[1][-1], 4)
    box = label.get_window_extent(renderer)
    line = axes.lines[0]
    xs, ys = line.get_xdata(), line.get_ydata()
    # the line, sampled finely between its points, never passes through the label
    fine_x = numpy.interp(numpy.linspace(0, len(xs) - 1, 2000), range(len(xs)), xs)
    fine_y = numpy.interp(numpy.linspace(0, len(ys) - 1, 2000), range(len(ys)), ys)
    points = axes.transData.transform(numpy.column_stack([fine_x, fine_y]))
    inside = [(x, y) for x, y in points if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1]
    assert inside == []


def test_the_caption_is_typeset_and_the_title_never_is():
    trace = solved(apply_overrides(load_problem(str(XOR)), epochs=5))
    figure, _ = _drawn_plot(trace)
    caption = figure.texts[0]
    assert caption.get_text().startswith(r"$E = \frac{1}{2} \sum_{k} (t_{k} - z_{k})^{2}$")
    assert "Σ_k" not in caption.get_text() and "t_k" not in caption.get_text()
    assert caption._parse_math is True  # our own fixed formula: mathtext
    title = figure.axes[0].title
    assert title._parse_math is False  # user text: drawn as the characters it holds


EIGHT_SIX_THREE = "layers: [8, 6, 3]\nweights: 0.5\nlearning_rate: 0.5\n" \
    "pattern: [1, 0, 1, 0, 1, 0, 1, 0]\ntarget: [1, 0, 0]\n"


def test_a_network_too_large_to_label_is_drawn_without_labels_and_says_so(tmp_path):
    trace = solved(parse_problem(EIGHT_SIX_THREE))
    diagram = layout_diagram(trace)
    # 9 × 6 = 54 weights between the inputs and the hidden layer: more than can be told apart
    assert diagram.labelled is False and {edge.label for edge in diagram.edges} == {""}
    assert len(diagram.edges) == 9 * 6 + 7 * 3
    assert "too many weights to label every edge" in diagram.subtitle
    assert diagram.width < 12  # the layers as close as without labels to make room for
    texts = svg_texts(diagram_svg(trace))
    assert "0.5" not in texts and "19" in texts
    problem = tmp_path / "big.yaml"
    problem.write_text(EIGHT_SIX_THREE, encoding="utf-8")
    result = runner.invoke(app, ["diagram", str(problem), "-o", str(tmp_path / "d.png")])
    assert result.exit_code == 0, result.output
    assert ("bpcalc: note: the 8-6-3 network is drawn without weight labels (too many "
            "weights to label every edge; bpcalc solve lists them)") in result.stderr
    assert (tmp_path / "d.png").read_bytes().startswith(PNG_SIGNATURE)


def test_the_slides_network_keeps_its_labels():
    trace = solved(load_problem(str(SLIDES)))
    assert layout_diagram(trace).labelled is True
    result = runner.invoke(app, ["diagram", str(SLIDES)])
    assert "note" not in result.stderr

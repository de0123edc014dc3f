"""The network drawn as the slides draw it: numbered nodes in layers, bias squares, weights
on the edges, and optionally one step's net / activation / delta on the nodes.

Two halves: `layout_diagram` is pure geometry (positions in inches, label texts, where each
weight label sits), so the placement can be tested without drawing; `draw_diagram` paints
a layout with matplotlib (imported only there). SVG and PNG come from the same figure, so
the two files cannot disagree. Only reads a solved trace; every number comes from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from bpcalc.engine.trace import Step, Trace
from bpcalc.errors import ProblemError
from bpcalc.problem.model import WeightKey
from bpcalc.render.names import Notation, weight_label
from bpcalc.render.pictures.plot import LITERAL, figure_bytes, problem_notation
from bpcalc.text import format_value, fraction_text, shown_rounding

# Sizes in inches (1 layout unit = 1 inch of the figure) and points.
RADIUS = 0.24
EDGE_FONT = 8
NODE_FONT = 11
VALUE_FONT = 8
TITLE_FONT = 11
DIGITS = 4  # significant digits of float values: a picture, not the reference tables
MAX_LAYER_NODES = 16
MAX_EDGES = 240
# Beyond this many weights between two layers their labels cannot be told apart (an 8-6-3
# network's 54): the diagram is drawn without them, and says so.
MAX_LABELLED_EDGES = 30
# Where along an edge (0 = source, 1 = target) a weight label may sit, best first.
FRACTIONS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.21, 0.79, 0.16, 0.84)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_size(lines: list[str], points: float) -> tuple[float, float]:
    """Width and height in inches of text in DejaVu Sans (digits are 0.64 em wide)."""
    width = max((len(line) for line in lines), default=0) * 0.64 * points / 72
    return width, len(lines) * 1.3 * points / 72


@dataclass
class NodeShape:
    id: int
    kind: str  # input | bias | hidden | output
    x: float
    y: float
    caption: str = ""  # the bias value under a bias square
    values: list[str] = field(default_factory=list)  # one step's values, in a box
    values_at: tuple[float, float, str, str] = (0.0, 0.0, "center", "center")  # x, y, ha, va


@dataclass
class EdgeShape:
    key: WeightKey
    start: tuple[float, float]
    end: tuple[float, float]
    label: str
    at: tuple[float, float] = (0.0, 0.0)  # centre of the label


@dataclass
class Diagram:
    width: float
    height: float
    title: str
    subtitle: str
    columns: list[tuple[float, str]]  # x and caption of each layer
    nodes: list[NodeShape]
    edges: list[EdgeShape]
    labelled: bool = True  # False: too many weights to label them on the edges

    def label_boxes(self) -> list[Box]:
        return [_centred_box(edge.at, text_size([edge.label], EDGE_FONT)) for edge in self.edges]


def diagram_weights(trace: Trace, step: int | None, weights: str) -> dict[WeightKey, object]:
    """The weights to draw: a step's before/after its update, or the run's initial/final."""
    if weights not in ("before", "after"):
        raise ProblemError("must be before or after", key="--weights")
    if step is None:
        if weights == "after":
            return trace.final_weights
        return trace.steps[0].weights if trace.steps else dict(trace.problem.weights)
    chosen = trace_step(trace, step)
    drawn = dict(chosen.weights)
    if weights == "after":
        drawn.update({update.key: update.new for update in chosen.updates})
    return drawn


def weights_labelled(network) -> bool:
    """Whether every weight can be labelled legibly on its edge: at most
    MAX_LABELLED_EDGES weights between any two layers."""
    return all(len(prev.feeding_ids()) * len(layer.node_ids) <= MAX_LABELLED_EDGES
               for prev, layer in pairwise(network.layers))


UNLABELLED = "too many weights to label every edge"


def trace_step(trace: Trace, step: int) -> Step:
    if not 1 <= step <= len(trace.steps):
        raise ProblemError(f"steps run from 1 to {len(trace.steps)}, got {step}", key="--step")
    return trace.steps[step - 1]


def layout_diagram(trace: Trace, step: int | None = None, weights: str = "before",
                   names: bool = False) -> Diagram:
    """Place every node, edge and label; `names` writes `w47 = 0.5` instead of `0.5`."""
    problem = trace.problem
    network = problem.network
    notation = problem_notation(problem)
    if max(network.sizes) > MAX_LAYER_NODES or len(network.weight_keys()) > MAX_EDGES:
        raise ProblemError(f"a diagram draws at most {MAX_LAYER_NODES} nodes a layer and "
                           f"{MAX_EDGES} weights; this network is too large to read",
                           key="layers")
    drawn = diagram_weights(trace, step, weights)
    chosen = trace_step(trace, step) if step is not None else None
    arithmetic = trace.arithmetic

    def edge_text(key: WeightKey) -> str:
        value = format_value(arithmetic, drawn[key], DIGITS, exact=False, pad=False,
                             quantity="weight", display=shown_rounding(problem, "weight"))
        return f"{weight_label(notation, network, key)} = {value}" if names else value

    labelled = weights_labelled(network)
    labels = {key: edge_text(key) if labelled else "" for key in network.weight_keys()}
    label_w, label_h = text_size(["-0.0000"], EDGE_FONT)
    label_w = max(label_w, max(text_size([t], EDGE_FONT)[0] for t in labels.values()))
    outputs = network.output_layer.node_ids
    values = {node.id: _node_values(notation, node, chosen, arithmetic, outputs, problem)
              for node in (chosen.nodes if chosen else [])}

    # Rows: a layer's nodes from the top, its bias last; spacing leaves room for value boxes.
    rows = [len(layer.feeding_ids()) for layer in network.layers]
    value_h = max((text_size(v, VALUE_FONT)[1] for v in values.values()), default=0)
    dy = max(1.0, 2 * RADIUS + value_h + 0.45) if chosen else 1.0
    column_h = (max(rows) - 1) * dy
    side_w = max((text_size(values.get(i, []), VALUE_FONT)[0] for layer in
                  (network.layers[0], network.layers[-1]) for i in layer.node_ids), default=0)
    margin = max(0.6, side_w + RADIUS + 0.35)
    xs = [margin]
    for gap in (_gaps(network, label_w, label_h, max(column_h, dy)) if labelled
                else [3.2] * (len(network.layers) - 1)):
        xs.append(xs[-1] + gap)
    width = xs[-1] + margin
    bottom, top_band = 0.65, 0.95 + RADIUS + (value_h + 0.25 if chosen else 0)
    height = bottom + column_h + top_band
    top = bottom + column_h

    nodes = _node_shapes(problem, xs, top, max(rows), dy, values)
    where = {node.id: (node.x, node.y) for node in nodes}
    edges = [EdgeShape(key, where[key[0]], where[key[1]], labels[key])
             for key in network.weight_keys()]
    if labelled:
        _place_labels(edges, _obstacles(nodes), label_h)
    subtitle = _subtitle(trace, step, weights, chosen)
    if not labelled:
        subtitle += f" ({UNLABELLED})"
    return Diagram(width, height, problem.title or "network", subtitle,
                   list(zip(xs, _captions(len(network.layers)), strict=True)), nodes, edges,
                   labelled)


def _node_shapes(problem, xs: list[float], top: float, rows: int, dy: float,
                 values: dict) -> list[NodeShape]:
    """Each layer's nodes in a column from the top, centred, its bias last."""
    network = problem.network
    nodes: list[NodeShape] = []
    for layer, x in zip(network.layers, xs, strict=True):
        ids = layer.feeding_ids()
        first = top - (rows - len(ids)) * dy / 2
        for row, node_id in enumerate(ids):
            kind = network.node_kind(node_id)
            shape = NodeShape(node_id, kind, x, first - row * dy)
            if kind == "bias":
                shape.caption = f"bias {fraction_text(problem.bias)}"
            shape.values = values.get(node_id, []) if kind != "bias" else []
            shape.values_at = _values_anchor(shape)
            nodes.append(shape)
    return nodes


def _gaps(network, label_w: float, label_h: float, column_h: float) -> list[float]:
    """Space between layers: wider where more weights (and longer labels) must fit."""
    gaps = []
    for prev, layer in pairwise(network.layers):
        edges = len(prev.feeding_ids()) * len(layer.node_ids)
        needed = edges * (label_w + 0.12) * (label_h + 0.1) * 2.2  # label area, loosely packed
        gaps.append(max(2.4, 1.0 + 0.12 * edges, label_w * 3.2, needed / column_h + 2 * RADIUS))
    return gaps


def _captions(count: int) -> list[str]:
    last = count - 1
    return ["inputs" if i == 0 else "output" if i == last else
            ("hidden" if last == 2 else f"hidden {i}") for i in range(count)]


def _subtitle(trace: Trace, step: int | None, weights: str, chosen: Step | None) -> str:
    if chosen is None:
        return "initial weights" if weights == "before" else "final weights"
    error = format_value(trace.arithmetic, chosen.error, DIGITS, exact=False,
                         quantity="error", display=shown_rounding(trace.problem, "error"))
    when = "before" if weights == "before" else "after"
    return (f"step {step} (epoch {chosen.epoch}, pattern {chosen.pattern}): "
            f"E = {error}; weights {when} the update")


def _node_values(notation: Notation, node, step: Step, arithmetic,
                 outputs: tuple[int, ...], problem=None) -> list[str]:
    """A node's lines: the activation alone for inputs; net, activation, delta (and the
    target, for outputs) for the nodes that compute, to the digits `display` asks."""
    def show(value, pad: bool = True, quantity: str | None = None) -> str:
        display = shown_rounding(problem, quantity) if pad else None
        return format_value(arithmetic, value, DIGITS, exact=False, pad=pad,
                            quantity=quantity, display=display)

    name = notation.activation_name(node.kind, node.id, node.layer)
    if node.kind in ("input", "bias"):
        return [f"{name} = {show(node.out, pad=False)}"]
    out = f"{name} = {show(node.out, quantity='out')}"
    lines = [f"{notation.net_name(node.id)} = {show(node.net, quantity='net')}", out,
             f"{notation.delta_name(node.id)} = {show(node.delta, quantity='delta')}"]
    if node.kind == "output":
        target = step.target[outputs.index(node.id)]
        lines.append(f"{notation.target}{node.id} = {show(target, pad=False)}")
    return lines


def _values_anchor(node: NodeShape) -> tuple[float, float, str, str]:
    """Inputs' values to the left, outputs' to the right (no edges there), hidden above."""
    gap = RADIUS + 0.12
    if node.kind == "input":
        return node.x - gap, node.y, "right", "center"
    if node.kind == "output":
        return node.x + gap, node.y, "left", "center"
    return node.x, node.y + gap, "center", "bottom"


def _values_box(node: NodeShape) -> Box | None:
    if not node.values:
        return None
    w, h = text_size(node.values, VALUE_FONT)
    x, y, ha, va = node.values_at
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
    y0 = {"bottom": y, "center": y - h / 2}[va]
    return x0 - 0.06, y0 - 0.05, x0 + w + 0.06, y0 + h + 0.05


def _obstacles(nodes: list[NodeShape]) -> list[Box]:
    boxes = [(n.x - RADIUS - 0.04, n.y - RADIUS - 0.04, n.x + RADIUS + 0.04, n.y + RADIUS + 0.04)
             for n in nodes]
    return boxes + [box for box in map(_values_box, nodes) if box is not None]


def _place_labels(edges: list[EdgeShape], obstacles: list[Box], label_h: float) -> None:
    """Greedy: each label takes the spot along its edge that overlaps the fewest things.

    A spot is scored by its overlap with nodes, value boxes and labels already placed
    (heavily), then by how much of the other edges runs under it (a label on a crossing
    reads as belonging to either edge), then by its distance from the middle.
    """
    placed: list[Box] = []
    for edge in edges:
        best = None
        for t in FRACTIONS:
            (x0, y0), (x1, y1) = edge.start, edge.end
            at = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            box = _centred_box(at, text_size([edge.label], EDGE_FONT), pad=0.05)
            cost = 100 * sum(_overlap(box, other) for other in obstacles + placed)
            cost += sum(_inside_length(other.start, other.end, box)
                        for other in edges if other is not edge) / label_h
            cost += abs(t - 0.5) * 0.5
            if best is None or cost < best[0] - 1e-9:
                best = (cost, at, box)
        edge.at = best[1]
        placed.append(best[2])


def _centred_box(at: tuple[float, float], size: tuple[float, float], pad: float = 0.0) -> Box:
    (x, y), (w, h) = at, size
    return x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad


def _overlap(a: Box, b: Box) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _inside_length(start, end, box: Box) -> float:
    """Length of the segment start-end inside `box` (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return 0.0
            continue
        r = q / p
        if p < 0:
            low = max(low, r)
        else:
            high = min(high, r)
    return max(0.0, high - low) * (dx * dx + dy * dy) ** 0.5


# -- drawing ------------------------------------------------------------------------------

COLOURS = {"input": "#dbe9f6", "hidden": "#fdebd0", "output": "#d5f5e3", "bias": "#eeeeee"}


def draw_diagram(diagram: Diagram):
    """A matplotlib Figure of the layout; 1 data unit is 1 inch, y upwards."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Rectangle

    figure = Figure(figsize=(diagram.width, diagram.height))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, diagram.width)
    axes.set_ylim(0, diagram.height)
    axes.set_axis_off()
    top = diagram.height
    axes.text(diagram.width / 2, top - 0.25, diagram.title, ha="center", va="center",
              fontsize=TITLE_FONT, fontweight="bold", **LITERAL)
    axes.text(diagram.width / 2, top - 0.5, diagram.subtitle, ha="center", va="center",
              fontsize=VALUE_FONT + 1, color="#444444", **LITERAL)
    for x, caption in diagram.columns:
        axes.text(x, top - 0.8, caption, ha="center", va="center", fontsize=VALUE_FONT + 1,
                  color="#666666", fontstyle="italic", **LITERAL)
    for edge in diagram.edges:
        (x0, y0), (x1, y1) = edge.start, edge.end
        axes.plot([x0, x1], [y0, y1], color="#7f8c8d", linewidth=0.9, zorder=1)
    for edge in (edge for edge in diagram.edges if edge.label):
        axes.text(*edge.at, edge.label, ha="center", va="center", fontsize=EDGE_FONT, zorder=3,
                  bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                        "edgecolor": "#bbbbbb", "linewidth": 0.5}, **LITERAL)
    for node in diagram.nodes:
        if node.kind == "bias":
            axes.add_patch(Rectangle((node.x - RADIUS, node.y - RADIUS), 2 * RADIUS,
                                     2 * RADIUS, facecolor=COLOURS["bias"], edgecolor="#555555",
                                     linestyle="--", linewidth=1.2, zorder=4))
            axes.text(node.x, node.y - RADIUS - 0.14, node.caption, ha="center", va="center",
                      fontsize=VALUE_FONT, color="#444444", zorder=5, **LITERAL)
        else:
            axes.add_patch(Circle((node.x, node.y), RADIUS, facecolor=COLOURS[node.kind],
                                  edgecolor="#333333", linewidth=1.2, zorder=4))
        axes.text(node.x, node.y, str(node.id), ha="center", va="center", fontsize=NODE_FONT,
                  fontweight="bold", zorder=5, **LITERAL)
        if node.values:
            x, y, ha, va = node.values_at
            axes.text(x, y, "\n".join(node.values), ha=ha, va=va, fontsize=VALUE_FONT,
                      zorder=5, linespacing=1.3, multialignment="left",
                      bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fffbe6",
                            "edgecolor": "#c9b458", "linewidth": 0.6, "alpha": 0.8}, **LITERAL)
    return figure


def diagram_svg(trace: Trace, step: int | None = None, weights: str = "before",
                names: bool = False) -> str:
    """The diagram as SVG text, for embedding (HTML/Markdown keys) or writing to a file."""
    figure = draw_diagram(layout_diagram(trace, step, weights, names))
    return figure_bytes(figure, "svg").decode("utf-8")


def diagram_png(trace: Trace, step: int | None = None, weights: str = "before",
                names: bool = False) -> bytes:
    return figure_bytes(draw_diagram(layout_diagram(trace, step, weights, names)), "png")


def diagram_bytes(trace: Trace, step: int | None = None, weights: str = "before",
                  names: bool = False, fmt: str = "svg") -> bytes:
    """The diagram in one picture format: svg, png or pdf."""
    return figure_bytes(draw_diagram(layout_diagram(trace, step, weights, names)), fmt)

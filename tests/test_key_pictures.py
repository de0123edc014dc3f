"""Every answer key draws the network: LaTeX natively (a `picture` pdflatex draws itself),
Markdown as a PNG image with a data: URI (one file, written as safely as any other), HTML
inline; the handout the same way, built with the key's public builder."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.render import formats

ROOT = Path(__file__).resolve().parent.parent
SLIDES = str(ROOT / "problems" / "slides_2-2-1.yaml")


def key(fmt: str, path: str = SLIDES) -> str:
    problem = load_problem(path)
    return formats.render(solve(problem, make_arithmetic(problem.rounding, False)), fmt)


def test_the_latex_key_draws_the_network_and_compiles(tmp_path):
    tex = key("latex")
    picture = tex[tex.index("\\begin{picture}"):tex.index("\\end{picture}")]
    assert picture.count("\\qbezier") == 9  # the slides' 9 weights, one edge each
    assert picture.count("\\circle{") == 5 and picture.count("\\dashbox") == 2  # 5 nodes, 2 bias
    assert "The network with its initial weights" in tex
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    (tmp_path / "key.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "key.pdf").read_bytes().startswith(b"%PDF")


def test_the_markdown_key_shows_the_network_as_a_data_uri_image():
    md = key("markdown")
    assert "<svg" not in md  # GitHub and pandoc drop inline SVG in Markdown
    images = re.findall(r"!\[([^\]]*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert [caption for caption, _ in images] == ["The network with its initial weights"]
    assert base64.b64decode(images[0][1]).startswith(b"\x89PNG\r\n\x1a\n")
    # in the statement, before the formulas
    assert md.index("data:image/png") < md.index("### Formulas")


def test_several_epochs_add_the_error_plot_to_markdown():
    md = key("markdown", str(ROOT / "problems" / "xor.yaml"))
    captions = re.findall(r"!\[([^\]]*)\]\(data:image/png", md)
    assert captions == ["The network with its initial weights", "Error per epoch"]


def test_the_handout_uses_the_public_builder():
    from bpcalc.render.document import build, handout

    source = Path(handout.__file__).read_text(encoding="utf-8")
    assert "_Builder" not in source and "DocumentBuilder" in source
    assert build.DocumentBuilder is handout.DocumentBuilder


def test_a_network_drawn_without_weight_labels_is_not_captioned_with_its_weights(tmp_path):
    """8-6-3 has 54 weights between its inputs and hidden layer, too many to label (the
    diagram leaves them off): the caption says so and points to the table, rather than
    'The network with its initial weights' under a picture that shows none."""
    path = tmp_path / "big.yaml"
    path.write_text("layers: [8, 6, 3]\nweights: 0.1\nlearning_rate: 0.5\npatterns:\n"
                    "  - {input: [1, 0, 1, 0, 1, 0, 1, 0], target: [1, 0, 0]}\n")
    for fmt in ("latex", "markdown", "html"):
        text = key(fmt, str(path))
        assert "too many weights to label every edge: the initial weights are in the " \
               "table below" in text, fmt
        assert "The network with its initial weights" not in text, fmt
    assert "The network with its initial weights" in key("latex")  # 2-2-1: labelled

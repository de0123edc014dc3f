"""docs/notebook.ipynb run in a real Jupyter kernel (nbclient, ipykernel): the outputs its
cells show an instructor, with the lecture's numbers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
WHERE = "import bpcalc, pathlib; print(pathlib.Path(bpcalc.__file__).resolve())"


@pytest.fixture(scope="module")
def outputs() -> list[list[dict]]:
    """Each code cell's outputs, after running the notebook from the repository's root
    (with this checkout's bpcalc first on the path, as the test session has it)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(WHERE))  # which bpcalc ran
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(cwd=str(ROOT), env=env)
    cells = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    assert cells[0][0]["text"].strip() == str(ROOT / "bpcalc" / "__init__.py")
    return cells[1:]


def data(output: dict, kind: str) -> str:
    return output.get("data", {}).get(kind, "")


def test_every_cell_runs_without_an_error(outputs):
    assert len(outputs) == 6
    assert all(output["output_type"] != "error" for cell in outputs for output in cell)


def test_the_slides_key_is_shown_as_html(outputs):
    [shown] = outputs[0]
    html = data(shown, "text/html")
    assert html.startswith('<div class="bpcalc-key">')
    assert "2-2-1 MLP, all weights 0.5 (lecture slides)</h1>" in html
    assert "= 0.5 + (1 × (−0.133315) × 0.777300) = 0.396374</div>" in html  # w47's line
    assert "<td class=\"num\">0.396374</td>" in html  # the final weights' table
    assert "<svg" in html  # the network, inline
    assert data(shown, "text/markdown").startswith("# 2-2-1 MLP")
    assert data(outputs[1][0], "text/plain") == "0.3963742759968643"


def test_the_learning_rates_table(outputs):
    [shown] = outputs[1 + 1]
    table = data(shown, "text/markdown").splitlines()
    assert table[0] == "| learning rate | w47 after step 1 | error in epoch 20 |"
    rows = {row.split(" | ")[0].strip("| "): row for row in table[2:]}
    assert rows["1"] == "| 1 | 0.3964 | 0.0115 |"  # the slides' w47 by hand
    assert rows["0.5"].startswith("| 0.5 | 0.4482 |")
    errors = [float(row.rstrip(" |").split(" | ")[-1]) for row in table[2:]]
    assert errors == sorted(errors, reverse=True)  # a larger rate, a smaller error here


def test_the_check_report_is_shown_as_html(outputs):
    [shown] = outputs[3]
    html = data(shown, "text/html")
    assert "<td>delta4</td><td>-.0091</td><td>-0.0115387</td>" in html
    # 7 right; w14 w24 w34 follow correctly from the wrong delta4: carried forward at full
    # credit, the default the notebook's text states.
    assert ("<b>Score: 10/11 (7 right, 3 carried forward at full credit: "
            "--carried-forward full)</b>") in html
    assert ">carried forward</td><td>right on method from delta4</td>" in html
    assert "the new weight used in a hidden delta instead of the old one" in html
    assert "| w47 | .3964 | 0.396374 | right |  |" in data(shown, "text/markdown")


def test_a_dict_and_the_one_exception(outputs):
    printed = "".join(output.get("text", "") for output in outputs[4])
    assert printed.splitlines() == [
        "0.3963742759968643",  # the exact run's w47, as a float
        "weights: expected 2 matrices, one per non-input layer, got 1"]


def test_the_diagram_is_drawn_as_svg(outputs):
    [shown] = outputs[5]
    assert "<svg" in data(shown, "image/svg+xml")
    assert "0.3964" in data(shown, "image/svg+xml")  # the weights after step 1
    assert data(shown, "text/plain").startswith("<bpcalc.Picture: SVG, ")

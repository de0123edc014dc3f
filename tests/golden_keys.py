"""One golden file per output format: the lecture's 2-2-1 example as the terminal prints it
(120 columns, tables and worked lines), and its Markdown, LaTeX and HTML answer keys.
`python tests/golden_keys.py` (re)writes tests/fixtures/golden_keys/; the test
(test_golden_keys.py) compares a fresh run with those files byte for byte, so a change to
the document model or a renderer shows up as a diff to review (each file was looked at once
rendered: the LaTeX through pdflatex, the HTML in a browser)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures" / "golden_keys"
PROBLEM = "problems/slides_2-2-1.yaml"

# file name -> solve's options; the tables at 120 columns (COLUMNS=120: off a terminal,
# bpcalc is otherwise 80 columns wide)
CASES = {
    "slides_2-2-1.txt": ["--show", "both"],
    "slides_2-2-1.md": ["--format", "markdown"],
    "slides_2-2-1.tex": ["--format", "latex"],
    "slides_2-2-1.html": ["--format", "html"],
}


def run_case(options: list[str]) -> str:
    import os

    from typer.testing import CliRunner

    from bpcalc.cli import app

    before = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["solve", PROBLEM, *options],
                                    env={"COLUMNS": "120", "NO_COLOR": None})
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.stderr
    return result.stdout


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, options in CASES.items():
        (FIXTURES / name).write_text(run_case(options), encoding="utf-8")
    print(f"wrote {len(CASES)} golden files")

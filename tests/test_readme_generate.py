"""The README's "Generating problem sets" examples print what the README shows."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bpcalc.cli import app

ROOT = Path(__file__).resolve().parent.parent


def readme_block_after(command: str) -> list[str]:
    """The lines the README shows after `$ command`, up to the block's end."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"$ {command}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("```", "$ ")))
    return lines[start:end]


def test_the_index_head_is_the_one_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    template = ROOT / "templates" / "slides_2-2-1_variants.yaml"
    (tmp_path / "templates" / template.name).write_text(template.read_text(encoding="utf-8"),
                                                        encoding="utf-8")
    result = CliRunner().invoke(app, ["generate", "templates/slides_2-2-1_variants.yaml",
                                      "--count", "30", "--seed", "7", "--out", "keys/"])
    assert result.exit_code == 0, result.output
    shown = readme_block_after("head -9 keys/index.md")
    head = (tmp_path / "keys" / "index.md").read_text(encoding="utf-8").splitlines()[:9]
    assert shown[0] == head[0]
    assert shown[1] == "..."  # the lines the README leaves out
    assert shown[2:] == head[-len(shown) + 2:]

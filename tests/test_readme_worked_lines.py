"""The README's worked-line examples print what the README says: every line of each
`console` block under "Exact mode" (shown at 80 columns, wrapped) and "Worked lines and
notation" (at 200, unwrapped) is in the output of its command. The notes-notation example
once showed `(1 * -0.1333 * 0.7773)`, neither the bracketing nor the digits printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {"## Exact mode": "80", "## Worked lines and notation": "200"}


def examples() -> list[tuple[str, str, list[str]]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for heading, width in SECTIONS.items():
        section = readme[readme.index(heading):]
        section = section[:section.index("\n## ", len(heading))]
        for block in re.findall(r"```console\n(.*?)```", section, flags=re.S):
            for run in re.split(r"^\$ ", block, flags=re.M)[1:]:
                command, *shown = run.splitlines()
                found.append((command, width, [line for line in shown
                                        if line.strip() not in ("", "...")]))
    return found


@pytest.mark.parametrize("command, width, shown", examples(),
                         ids=[command[13:60] for command, _, _ in examples()])
def test_a_readme_example_prints_what_it_shows(command, width, shown):
    assert command.startswith("bpcalc solve ")
    done = subprocess.run([sys.executable, "-m", "bpcalc", *command.split()[1:]], cwd=ROOT,
                          env={**os.environ, "COLUMNS": width, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = {line.strip() for line in done.stdout.splitlines()}
    assert [line for line in shown if line.strip() not in printed] == []

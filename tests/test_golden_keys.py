"""Each output format of the lecture's example is byte-identical to its golden file (see
golden_keys.py, which rewrites them after a change on purpose)."""

from __future__ import annotations

import pytest
from golden_keys import CASES, FIXTURES, run_case


@pytest.mark.parametrize("name", CASES)
def test_output_is_its_golden_file(name):
    expected = (FIXTURES / name).read_text(encoding="utf-8")
    assert run_case(CASES[name]) == expected

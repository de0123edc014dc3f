"""The JSON of every bundled problem, in every option combination, is byte-identical to the
golden files written before the code was reshaped (see golden_json.py)."""

from __future__ import annotations

import json

import pytest
from golden_json import FIXTURES, cases, run_case


@pytest.mark.parametrize("name,path,options", cases(), ids=[c[0] for c in cases()])
def test_json_is_unchanged(name, path, options):
    expected = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    actual = run_case(path, options)
    assert json.loads(actual)["status"] in (0, 2)
    assert actual == expected

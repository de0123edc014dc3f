"""The self-check worksheet (`--format worksheet`): a self-contained page (no outside
address, a strict CSP, user text escaped), its boxes and intervals against values worked by
hand, hints that hold no answer, solve's and generate's options, the Python API. The page
in a real browser: tests/test_worksheet_browser.py."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction as F

import pytest
from worksheet_support import (
    DELTA4,
    DELTA7,
    ROOT,
    SIG3,
    SLIDES,
    W47,
    Z7,
    app,
    data_of,
    interval,
    runner,
    worksheet,
)

from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.render.document.worksheet import render_worksheet

BUNDLED = sorted(path.name for path in (ROOT / "problems").glob("*.yaml"))


# -- static checks ------------------------------------------------------------------------


@pytest.mark.parametrize("problem", BUNDLED)
def test_every_bundled_problem_makes_a_self_contained_page(problem):
    page = worksheet(ROOT / "problems" / problem)
    assert page.startswith("<!DOCTYPE html>")
    for outside in ('src="http', "src='http", "<link", "@import", "@font-face", "src="):
        assert outside not in page, outside
    assert not re.search(r"url\((?!#)|https?:|//[a-z]", page)  # url(#clip) is the page's own
    assert re.findall(r"<script[^>]*>", page) == [
        '<script type="application/json" id="bpcalc-worksheet-data">', "<script>"]
    assert "default-src 'none'" in page and "<svg" in page
    assert data_of(page)["boxes"]


def test_the_slides_boxes_are_the_outputs_deltas_and_new_weights_with_true_intervals():
    boxes = {box["label"]: box for box in data_of(worksheet(SLIDES))["boxes"]}
    assert list(boxes)[:4] == ["z7", "delta7", "delta4", "delta5"]
    assert list(boxes)[-3:] == ["w47", "w57", "w67"]
    for label, true in (("z7", Z7), ("delta7", DELTA7), ("delta4", DELTA4), ("w47", W47)):
        low, high = interval(boxes[label])
        assert abs((low + high) / 2 - F(true)) < F(1, 10**12), label
        assert high - low == F(1, 10**4), label
    assert boxes["w47"]["answer"] == "0.3964" and boxes["z7"]["answer"] == "0.7820"


def test_hints_name_the_values_and_never_give_the_answer():
    page = worksheet(SLIDES)
    hints = re.findall(r'<div class="hint" id="(q\d+)-hint" hidden>(.*?)</div>', page)
    boxes = {box["id"]: box for box in data_of(page)["boxes"]}
    assert len(hints) == len(boxes)
    for qid, hint in hints:
        answer = boxes[qid]["answer"].lstrip("-")
        assert answer not in hint and answer.lstrip("0") not in hint, (qid, hint)
        assert not re.search(r"\d\.\d", hint), hint  # no number of the run at all
    w47 = next(hint for qid, hint in hints if boxes[qid]["label"] == "w47")
    assert "δ<sub>7</sub>" in w47 and "<i>z</i><sub>4</sub>" in w47 and "<i>C</i>" in w47


def test_user_text_is_escaped_and_cannot_end_the_script(tmp_path):
    title = '</script><script>alert(1)</script> & <b>bold</b>'
    problem = tmp_path / "p.yaml"
    problem.write_text(SLIDES.read_text().replace(
        'title: "2-2-1 MLP, all weights 0.5 (lecture slides)"', f"title: '{title}'"))
    page = worksheet(problem)
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert page.count("<script") == 2


def test_the_format_is_chosen_by_name_and_refuses_steps(tmp_path):
    out = tmp_path / "sheet.html"
    result = runner.invoke(app, ["solve", str(SLIDES), "-f", "worksheet", "-o", str(out)])
    assert result.exit_code == 0 and "Self-check" in out.read_text()
    for option in (["--steps", "1"], ["--summary"], ["--exact"]):
        result = runner.invoke(app, ["solve", str(SLIDES), "-f", "worksheet", *option])
        assert result.exit_code == 2
        assert result.stderr == (f"bpcalc: error: {option[0]}: applies to tables and answer "
                                 "keys, not to the worksheet\n")


def test_generate_writes_a_worksheet_per_variant(tmp_path):
    out = tmp_path / "set"
    template = ROOT / "templates" / "slides_2-2-1_variants.yaml"
    result = runner.invoke(app, ["generate", str(template), "-n", "2", "--out", str(out),
                                 "--formats", "json,worksheet"])
    assert result.exit_code == 0, result.output
    for number in (1, 2):
        page = (out / f"variant_0{number}.worksheet.html").read_text()
        key = json.loads((out / f"variant_0{number}.key.json").read_text())
        boxes = {box["label"]: box for box in data_of(page)["boxes"]}
        z7 = key["steps"][0]["nodes"][6]["out"]
        low, high = interval(boxes["z7"])
        assert low < F(z7) < high


def test_render_worksheet_takes_an_ask_list_and_a_precision():
    problem = load_problem(str(SLIDES))
    trace = solve(problem, make_arithmetic(None, False))
    page = render_worksheet(trace, (("delta4", 3), ("w47", 4)), SIG3)
    boxes = data_of(page)["boxes"]
    assert [box["label"] for box in boxes] == ["delta4", "w47"]
    assert [box["answer"] for box in boxes] == ["-0.0115", "0.396"]
    assert boxes[0]["precision"] == "3 significant figures"


def test_generate_asks_what_the_template_asks_at_its_precision(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text((ROOT / "templates" / "slides_2-2-1_variants.yaml").read_text()
                        + 'ask: [z7, delta4, "step 1: w47"]\nanswer_precision: {sigfigs: 3}\n')
    out = tmp_path / "set"
    result = runner.invoke(app, ["generate", str(template), "-n", "1", "--out", str(out),
                                 "--formats", "json,worksheet"])
    assert result.exit_code == 0, result.output
    boxes = data_of((out / "variant_01.worksheet.html").read_text())["boxes"]
    key = json.loads((out / "variant_01.key.json").read_text())["steps"][0]
    assert [box["label"] for box in boxes] == ["z7", "delta4", "w47"]
    assert all(box["kind"] == "sigfigs" and box["digits"] == 3 for box in boxes)
    delta4 = next(node["delta"] for node in key["nodes"] if node["id"] == 4)
    low, high = interval(boxes[1])
    exponent = math.floor(math.log10(abs(delta4)))
    assert high - low == F(10) ** (exponent - 2)  # a unit of the third significant figure
    assert low < F(delta4) < high


def test_default_names_in_the_paper_notation_and_in_batch_mode():
    from bpcalc.grading.asked import default_names
    from bpcalc.problem.loader import parse_problem

    paper = (ROOT / "problems" / "paper_2-1-1.yaml").read_text()
    names = default_names(parse_problem(paper + "notation: paper\n"))
    assert names[0] == "a4"  # z4 is the net input in the paper's notation
    xor = (ROOT / "problems" / "xor.yaml").read_text()
    batch = parse_problem(re.sub(r"(?m)^(update|epochs):.*\n", "", xor) + "update: batch\n")
    names = default_names(batch)  # four patterns: the weights change after step 4
    assert names[:2] == ["z7", "delta7"] and names[-1] == "step 4: w67"
    page = render_worksheet(solve(batch, make_arithmetic(None, False)))
    assert [box["label"] for box in data_of(page)["boxes"]][-1] == "step 4: w67"


def test_solve_ask_and_answer_precision_options():
    boxes = data_of(worksheet(SLIDES, "--ask", "z7, delta4", "--answer-sigfigs", "3"))["boxes"]
    assert [(box["label"], box["answer"], box["kind"]) for box in boxes] == [
        ("z7", f"{Z7:.3f}", "sigfigs"), ("delta4", f"{DELTA4:.4f}", "sigfigs")]
    boxes = data_of(worksheet(SLIDES, "--ask", "w47", "--answer-places", "2"))["boxes"]
    assert boxes[0]["answer"] == f"{W47:.2f}" and boxes[0]["interval"].startswith("[0.3")
    for args, message in (
            (["--ask", "w99"], "--ask: this network has no weight from node 9 to node 9"),
            (["--ask", "z7,,w47"], "--ask: expected names like z7,delta4,w47"),
            (["--answer-places", "3", "--answer-sigfigs", "3"], "--answer-sigfigs: give"),
    ):
        result = runner.invoke(app, ["solve", str(SLIDES), "-f", "worksheet", *args])
        assert result.exit_code == 2 and result.stderr.startswith(f"bpcalc: error: {message}")
        assert len(result.stderr.splitlines()) == 1
    result = runner.invoke(app, ["solve", str(SLIDES), "--ask", "z7"])
    assert result.exit_code == 2
    assert result.stderr == "bpcalc: error: --ask: applies to --format worksheet only\n"


def test_a_hand_rounded_problem_is_judged_against_both_solutions_as_check_does():
    page = worksheet(ROOT / "problems" / "slides_mixed_rounding.yaml")
    boxes = {box["label"]: box for box in data_of(page)["boxes"]}
    z7 = boxes["z7"]["solutions"]
    assert all(len(box["solutions"]) == 2 for box in boxes.values())
    assert z7[0]["slack"] is None and z7[1]["slack"] == ["1", "1000000000"]
    unrounded = F(int(z7[1]["value"][0]), int(z7[1]["value"][1]))
    assert abs(unrounded - F(Z7)) < F(1, 10**12)  # the float run: the true z7
    rounded = F(int(z7[0]["value"][0]), int(z7[0]["value"][1]))
    assert rounded == F(rounded.limit_denominator(1000))  # carried to 3 places (out: 3)
    assert len(data_of(worksheet(SLIDES))["boxes"][0]["solutions"]) == 1


def test_the_python_api_writes_the_same_worksheet():
    import bpcalc

    solution = bpcalc.solve(str(SLIDES))
    page = solution.to_worksheet(ask=["z7", "w47"], sigfigs=3)
    assert page == worksheet(SLIDES, "--ask", "z7,w47", "--answer-sigfigs", "3")
    with pytest.raises(bpcalc.BpcalcError, match=r"^ask: this network has no weight"):
        solution.to_worksheet(ask=["w99"])
    with pytest.raises(bpcalc.BpcalcError, match=r"^sigfigs: give places or sigfigs"):
        solution.to_worksheet(places=3, sigfigs=3)
    with pytest.raises(bpcalc.BpcalcError, match=r"^exact: the worksheet judges"):
        bpcalc.solve(str(SLIDES), exact=True).to_worksheet()


def test_boxes_asked_at_different_precisions_each_say_their_own():
    """`{sigfigs: {delta: 3}}` with the weights at 4 places: the page must say which box
    takes which, not "3 significant figures or 4 decimal places" once for all."""
    problem = load_problem(str(SLIDES))
    trace = solve(problem, make_arithmetic(None, False))
    mixed = QuantityRounding((("delta", Rounding("sigfigs", 3)),
                              ("weight", Rounding("places", 4))))
    page = render_worksheet(trace, (("delta4", 3), ("w47", 4)), mixed)
    assert "to the precision shown at its box" in page
    assert re.search(r'id="q1-input"[^>]*placeholder="3 sig\. figures"', page)
    assert re.search(r'id="q2-input"[^>]*placeholder="4 places"', page)
    single = render_worksheet(trace, (("delta4", 3), ("w47", 4)), SIG3)
    assert "placeholder" not in single and "Give each value to 3 significant figures," in single


def test_the_keys_interval_shows_only_right_answers_and_its_refused_tie_end_open():
    """Show all answers: the interval one place past the asked one, rounded inward; every
    number shown inside it is right by check's rule, and an end check refuses is open."""
    from bpcalc.grading.answers import Quantity
    from bpcalc.grading.asked import Asked
    from bpcalc.grading.precision import accepted_interval, within
    from bpcalc.render.document.worksheet import Solution, shown_interval

    def shown(value, precision, float_run):
        low, high = accepted_interval(F(value), precision)
        asked = Asked("d", 1, Quantity("delta", 4), F(value), precision, low, high)
        return shown_interval(Solution(asked, float_run))

    # slides' delta4 = -0.0115387 (by hand, worksheet_support): 3 significant figures take
    # (-0.0115887, -0.0114887); -0.01159 is outside, so the left end shows -0.01158
    text = shown(DELTA4, SIG3, True)
    assert text == "[-0.01158, -0.01149]"
    low, high = (F(part) for part in text[1:-1].split(", "))
    for step in range(int((high - low) * 100000) + 1):
        assert within(low + F(step, 100000), F(DELTA4), SIG3)
    assert shown("1.25", Rounding("places", 1), False) == "(1.20, 1.30]"
    assert shown("-1.25", Rounding("places", 1), False) == "[-1.30, -1.20)"
    assert shown(0.00145, Rounding("places", 4), True) == "(0.00140, 0.00150]"  # 0.00144999...
    assert shown("0", Rounding("places", 4), False) == "[-0.00005, 0.00005]"

"""The self-check worksheet (`--format worksheet`): a self-contained page whose judge (JS)
agrees with bpcalc check's rule (grading/precision.py), tested in a real headless Chromium:
verdicts as a student types, hints that hold no answer, the key on request, user text never
read as HTML, and not one network request."""

from __future__ import annotations

import json
import math
import re
import shutil
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.engine.backprop import solve
from bpcalc.engine.numbers import make_arithmetic
from bpcalc.grading.answers import Answer, Quantity, written_places
from bpcalc.grading.asked import Asked
from bpcalc.grading.diagnosis import agrees
from bpcalc.grading.precision import accepted_interval, enough_digits, within
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import Rounding
from bpcalc.problem.yamlsource import parse_number
from bpcalc.render.document.worksheet import Solution, box_data, render_worksheet

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
BUNDLED = sorted(path.name for path in (ROOT / "problems").glob("*.yaml"))
runner = CliRunner()
PLACES4, SIG3, SIG2 = Rounding("places", 4), Rounding("sigfigs", 3), Rounding("sigfigs", 2)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# The lecture's example by hand (all weights .5, input .9 .6, target 0, C = 1).
Z4 = sigmoid(0.9 * 0.5 + 0.6 * 0.5 + 0.5)
Z7 = sigmoid(0.5 * Z4 + 0.5 * Z4 + 0.5)
DELTA7 = (0 - Z7) * Z7 * (1 - Z7)
DELTA4 = Z4 * (1 - Z4) * DELTA7 * 0.5
W47 = 0.5 + DELTA7 * Z4


def worksheet(path: Path, *args: str) -> str:
    result = runner.invoke(app, ["solve", str(path), "--format", "worksheet", *args])
    assert result.exit_code == 0, result.output
    return result.output


def data_of(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="bpcalc-worksheet-data">(.*?)'
                      r"</script>", page, re.S)
    return json.loads(found.group(1))


def interval(box: dict) -> tuple[F, F]:
    """The accepted interval of a box's first solution (the run's), as fractions."""
    solution = box["solutions"][0]
    return tuple(F(int(solution[end][0]), int(solution[end][1])) for end in ("low", "high"))


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


# -- the judge, in Python (check's rule) ----------------------------------------------------


SLACK = F(1, 10**9)  # check's (grading/diagnosis.py): a float's binary noise


def float_within(given: F, true: F, precision: Rounding) -> bool:
    """check's rule for a float trace's true value: within the slack of an end is at that
    end, the tie going away from zero (grading/diagnosis.py's `_within`, written again)."""
    slack = SLACK * max(1, abs(true))
    low, high = accepted_interval(true, precision)
    if abs(given - high) <= slack:
        return true >= -slack
    if abs(given - low) <= slack:
        return true <= slack
    return low < given < high


def python_verdict(text: str, solutions, float_trace: bool = False) -> str:
    """What check makes of one answer at the asked precision (grading/grade.py and
    diagnosis.py): bpcalc/grading/answers.py's reading; right within the interval
    (precision.within, with the slack for a float run) when written with enough digits
    (precision.enough_digits), else right when right at its own digits (diagnosis.agrees);
    the unrounded solution of a hand-rounded problem accepted too;
    then right with fewer digits than asked is "too few digits", unless it is the value."""
    if isinstance(solutions, Asked):
        solutions = [Solution(solutions, float_trace)]
    text = text.strip()
    if not text:
        return "empty"
    value = parse_number(text)
    if value is None:
        return "not a number"
    if "e" in text.lower():
        return "exponent"
    places = written_places(text) if "." in text else None
    answer = Answer("w47", 1, Quantity("new", key=(4, 7)), text, value, places, None)

    def enough(solution) -> bool:
        return enough_digits(text, places, solution.asked.precision, solution.asked.value)

    def agrees_with(solution) -> bool:
        true, precision = solution.asked.value, solution.asked.precision
        if enough(solution):
            return (float_within if solution.float_run else within)(value, true, precision)
        return agrees(answer, float(true) if solution.float_run else true)

    truth = solutions[0]
    right = agrees_with(truth)
    for other in solutions[1:]:
        if not right and agrees_with(other):
            right, truth = True, other
    true = truth.asked.value
    if right and places is not None and not enough(truth) and (
            abs(value - true) > SLACK * max(1, abs(true))):
        return "too few digits"
    return "right" if right else "wrong"


def asked(value, precision: Rounding = PLACES4) -> Asked:
    value = F(value)
    low, high = accepted_interval(value, precision)
    return Asked("w47", 1, Quantity("new", key=(4, 7)), value, precision, low, high)


# (true value, precision, typed answers): ties, signs, zero, sigfigs, fractions, junk.
CASES = [
    (F(W47), PLACES4, ["0.3964", ".3964", "0.39637", "0.3963", "0.3965", "0.40", "0.4",
                       "+0.3964", " 0.3964 ", "0.396400", "3964/10000", "1/3", "0,3964",
                       "abc", "4e-1", "0.3964e0", "", "0.39", "-0.3964", "0.3964.",
                       "0.39642", "0.396424", "0.39632"]),
    (F("0.00145"), PLACES4, ["0.0015", "0.0014", "0.00145", ".0015", "3/2000", "29/20000"]),
    (F("-0.00145"), PLACES4, ["-0.0015", "-0.0014", "-0.00145", "-3/2000", "0.0015"]),
    (F(DELTA4), SIG3, ["-0.0115", "-0.01", "-0.012", "-0.0116", "-.0115", "-0.01154",
                       "-0.0115387", "-1/87"]),
    (F("0.0999"), SIG3, ["0.0999", "0.100", "0.10", "0.1", "0.09990", "0.0001", "0.0000"]),
    (F("123.4"), SIG2, ["120", "123", "12", "123.4", "130", "1.2e2", "120.", "246/2"]),
    (F(0), PLACES4, ["0", "0.0000", "0.0", "-0.0000", "0/5", "0.00004", "0.00005"]),
    (F(1, 3), PLACES4, ["0.3333", "1/3", "0.3334", "2/6", "0.33333"]),
]
# A hand-rounded run's value (0.3965) and the unrounded run's (0.396374...), which check
# also accepts ("matches the unrounded solution").
HAND_ROUNDED = [
    ([Solution(asked("0.3965")), Solution(asked(0.396374), True)],
     ["0.3965", "0.3964", "0.39637", "0.3963", "0.40", "0.397", "0.396", "1/3", "0.39638"]),
]
# A float trace's values (binary noise at a tie): judged with check's slack.
FLOAT_CASES = [
    (F(0.00145), PLACES4, ["0.0015", "0.0014", "0.00145"]),  # 0.0014499999999999999...
    (F(-0.00145), PLACES4, ["-0.0015", "-0.0014"]),
    (F(1.25 + 2e-16), Rounding("places", 1), ["1.3", "1.2", "1.25"]),  # 1.25 + noise
    (F(1.25 - 1e-16 * 2), Rounding("places", 1), ["1.3", "1.2"]),
    (F(W47), PLACES4, ["0.3964", "0.3963"]),
]


def test_the_python_rule_on_hand_checked_cases():
    w47 = asked(W47)
    assert [python_verdict(t, w47) for t in ("0.3964", ".3964", "0.3965", "0.40", "0.41",
                                              "1/3", "4e-1", "x")] == [
        "right", "right", "wrong", "too few digits", "wrong", "wrong", "exponent",
        "not a number"]
    exact = asked("1.25")  # written whole: nothing more to write
    assert [python_verdict(t, exact) for t in ("1.25", "1.3", "5/4")] == [
        "right", "too few digits", "right"]
    tie = asked("0.00145")
    assert [python_verdict(t, tie) for t in ("0.0015", "0.0014")] == ["right", "wrong"]
    noisy = asked(0.00145)  # the float 0.00144999...: a tie to check, not to within() alone
    assert not within(F("0.0015"), noisy.value, PLACES4)
    assert python_verdict("0.0015", noisy, float_trace=True) == "right"


# -- the page, in a real browser -------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--window-size=1000,1400"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def requests_made(driver) -> list[str]:
    """Every URL the page asked for since the last call (Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver, path: Path) -> None:
    requests_made(driver)  # forget earlier pages' requests
    driver.get_log("browser")
    driver.get(path.as_uri())


def type_into(driver, box_id: str, text: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, f"{box_id}-input")
    field.clear()
    field.send_keys(text)
    verdict = driver.find_element(By.ID, f"{box_id}-verdict")
    return verdict.get_attribute("class"), verdict.text


def test_the_page_judges_as_check_does_and_asks_for_nothing(browser, tmp_path):
    from selenium.webdriver.common.by import By

    page = tmp_path / "sheet.html"
    page.write_text(worksheet(SLIDES), encoding="utf-8")
    open_page(browser, page)
    boxes = {box["label"]: box["id"] for box in browser.execute_script(
        "return window.bpcalcWorksheet.boxes")}
    w47, delta4 = boxes["w47"], boxes["delta4"]
    right = f"{W47:.4f}"
    assert type_into(browser, w47, right) == ("verdict right", "✓ right")
    assert type_into(browser, w47, f"{W47 + 0.0001:.4f}")[0] == "verdict wrong"
    assert type_into(browser, w47, f"{W47:.2f}") == (
        "verdict too-few-digits", "too few digits: give 4 decimal places")
    assert type_into(browser, delta4, f"{DELTA4:.4f}")[0] == "verdict right"
    assert type_into(browser, boxes["z7"], "." + f"{Z7:.4f}"[2:])[0] == "verdict right"

    hint = browser.find_element(By.ID, f"{w47}-hint")
    assert not hint.is_displayed()
    browser.find_element(By.ID, f"{w47}-hint-button").click()
    assert hint.is_displayed() and right not in hint.text and "δ" in hint.text
    browser.find_element(By.ID, f"{w47}-worked-button").click()
    assert right in browser.find_element(By.ID, f"{w47}-worked").text

    browser.find_element(By.ID, "bpcalc-show-all").click()
    key = browser.find_element(By.ID, f"{w47}-key")
    assert key.is_displayed() and key.text.startswith(f"answer: {right} (accepted: [")

    assert requests_made(browser) == [page.as_uri()]  # the page itself, nothing else
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    # And the page's policy would refuse one: a script's fetch is blocked before it is sent.
    failed = browser.execute_async_script(
        "const done = arguments[0]; fetch('http://127.0.0.1:9/x').then(() => done('sent'),"
        " error => done(String(error)))")
    assert failed.startswith("TypeError")
    assert requests_made(browser) == []
    assert any("Content Security Policy" in entry["message"]
               for entry in browser.get_log("browser"))


def test_the_javascript_judge_agrees_with_the_python_rule(browser, tmp_path):
    page = tmp_path / "sheet.html"
    page.write_text(worksheet(SLIDES), encoding="utf-8")
    open_page(browser, page)
    tables = [([Solution(asked(value, precision), float_run)], texts)
              for cases, float_run in ((CASES, False), (FLOAT_CASES, True))
              for value, precision, texts in cases] + HAND_ROUNDED
    for solutions, texts in tables:
        box = box_data(1, solutions)
        verdicts = browser.execute_script(
            "return arguments[0].map(t => window.bpcalcWorksheet.judge(t, arguments[1]))",
            texts, box)
        expected = [python_verdict(text, solutions) for text in texts]
        assert list(zip(texts, verdicts, strict=True)) == list(
            zip(texts, expected, strict=True)), solutions[0].asked.value
    assert sum(len(texts) for _solutions, texts in tables) >= 30


def test_user_text_stays_text_in_the_browser(browser, tmp_path):
    title = "</script><script>window.injected = 1</script><img src=x onerror=alert(1)>"
    problem = tmp_path / "p.yaml"
    problem.write_text(SLIDES.read_text().replace(
        'title: "2-2-1 MLP, all weights 0.5 (lecture slides)"', f"title: '{title}'"))
    page = tmp_path / "sheet.html"
    page.write_text(worksheet(problem), encoding="utf-8")
    open_page(browser, page)
    assert browser.title == title
    assert browser.execute_script("return document.querySelector('h1').textContent") == title
    assert browser.execute_script("return window.injected === undefined && "
                                  "document.images.length === 0 && "
                                  "typeof window.bpcalcWorksheet.judge === 'function'")
    assert requests_made(browser) == [page.as_uri()]


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


@pytest.mark.parametrize(("problem", "option", "digits"), [
    ("slides_2-2-1.yaml", "--answer-places", 4), ("slides_2-2-1.yaml", "--answer-sigfigs", 3),
    ("slides_mixed_rounding.yaml", "--answer-places", 4),
    ("slides_mixed_rounding.yaml", "--answer-places", 3), ("xor.yaml", "--answer-places", 3),
])
def test_the_page_agrees_with_bpcalc_check_itself(browser, tmp_path, problem, option, digits):
    """Every box, answered a dozen ways around its value (the key, a digit more or less,
    the unrounded value), judged by the page and by grading.grade.check --places/--digits."""
    from bpcalc.grading.answers import parse_answers
    from bpcalc.grading.grade import check

    path = ROOT / "problems" / problem
    page = tmp_path / "sheet.html"
    page.write_text(worksheet(path, option, str(digits)), encoding="utf-8")
    open_page(browser, page)
    loaded = load_problem(str(path))
    precision = Rounding("places" if option == "--answer-places" else "sigfigs", digits)
    for box in browser.execute_script("return window.bpcalcWorksheet.boxes"):
        key = box["answer"]
        values = [float(F(int(s["value"][0]), int(s["value"][1]))) for s in box["solutions"]]
        texts = {key, key + "0", key[:-1], *(f"{v + shift:.{places}f}" for v in values
                                            for shift in (0, 1e-4) for places in (2, 3, 4, 5))}
        texts = sorted(text for text in texts if text.strip("-0.") or "." in text)
        page_says = browser.execute_script(
            "return arguments[0].map(t => window.bpcalcWorksheet.judge(t, arguments[1]))",
            texts, box)
        check_says = []
        for text in texts:
            answers = parse_answers(f'{box["label"]}: "{text}"\n', loaded)
            verdict = check(loaded, answers, precision=precision,
                            detect_rounding=False).verdicts[0]
            check_says.append("too few digits" if verdict.too_few_digits is not None
                              else "right" if verdict.right else "wrong")
        assert list(zip(texts, page_says, strict=True)) == list(
            zip(texts, check_says, strict=True)), box["label"]


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

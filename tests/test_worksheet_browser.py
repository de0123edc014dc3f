"""The worksheet's page in a real headless Chromium (Selenium; skipped where chromium or
chromedriver is missing): verdicts as a student types, the hint, the worked line and the
key on request, not one network request (Chrome's performance log) and a fetch refused by
the page's CSP, user text kept as text; and the page's JavaScript judge against check's
rule, in Python on tables of answers and as `bpcalc check --places/--digits` itself."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction as F
from pathlib import Path

import pytest
from worksheet_support import (
    DELTA4,
    PLACES4,
    ROOT,
    SIG2,
    SIG3,
    SLIDES,
    W47,
    Z7,
    worksheet,
)

from bpcalc.grading.answers import Answer, Quantity, written_places
from bpcalc.grading.asked import Asked
from bpcalc.grading.judging import agrees
from bpcalc.grading.precision import accepted_interval, enough_digits, within
from bpcalc.problem.loader import load_problem
from bpcalc.problem.model import Rounding
from bpcalc.problem.yamlsource import parse_number
from bpcalc.render.document.worksheet import Solution, box_data

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
    (precision.enough_digits), else right when right at its own digits (judging.agrees);
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

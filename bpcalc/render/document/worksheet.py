"""The self-check worksheet: one offline HTML page with the problem and a box for every
asked quantity, judged in the page by `bpcalc check`'s rule as the student types.

The statement is the handout's (the problem alone, the network drawn inline as SVG); each
asked quantity (bpcalc/grading/asked.py) gets a box, a hint (its formula and the values it
depends on, by name: never its value) and, on request, its worked line; "show all" reveals
the key. The judge is worksheet.js, a port of check's rule for one answer
(grading/precision.py, the digits-written rule of judging.agrees, check's float slack)
that compares exact fractions; the page carries each box's solutions (the true value and
accepted interval, exactly; a hand-rounded problem's unrounded solution too) in a
`<script type="application/json">`, so the key is in the page's source (a self-check, not
an exam). No server and no network: the script and the style are inline, and a
Content-Security-Policy (`default-src 'none'`, the script allowed by its hash) forbids
every request and any other script.
"""

from __future__ import annotations

import base64
import hashlib
import json
from fractions import Fraction
from importlib.resources import files
from typing import NamedTuple

from bpcalc.engine.trace import Trace
from bpcalc.errors import ProblemError
from bpcalc.grading.answers import Quantity
from bpcalc.grading.asked import (
    Asked,
    asked_or_default,
    asked_quantities,
    parse_asked,
    unrounded_quantities,
)
from bpcalc.grading.precision import float_slack, interval_text, noise  # check's rule
from bpcalc.problem.model import QuantityRounding, Rounding
from bpcalc.render import worked
from bpcalc.render.document.handout import problem_statement
from bpcalc.render.document.html import HTML_STYLE, STYLE, HtmlRenderer
from bpcalc.render.document.model import Document, Heading, Paragraph, Worked
from bpcalc.render.hints import Formulas, needed, worked_line
from bpcalc.text import rounding_text

SCRIPT = files("bpcalc.render.document").joinpath("worksheet.js").read_text(encoding="utf-8")
WORKSHEET_LINE = ("Self-check: type each value; the page says at once whether it is right, "
                  "by the rule of bpcalc check")
WORKSHEET_STYLE = """
.questions { display: grid; grid-template-columns: max-content 9rem auto; gap: 0.5rem 0.8rem;
             align-items: baseline; margin: 1rem 0; }
.questions label { text-align: right; font-size: 1.05rem; }
.questions label code { color: #666; font-size: 0.8rem; margin-left: 0.3rem; }
.questions input { font: inherit; width: 8.5rem; padding: 0.15rem 0.3rem; }
.questions .more { grid-column: 2 / 4; margin: -0.3rem 0 0.3rem; }
.questions .more > div { margin: 0.3rem 0; padding: 0.3rem 0.6rem; background: #f5f5f0; }
.questions button { font: inherit; font-size: 0.85rem; margin-right: 0.4rem; }
.verdict.right { color: #1a7f37; font-weight: bold; }
.verdict.wrong, .verdict.not-a-number, .verdict.exponent { color: #b42318; }
.verdict.too-few-digits { color: #9a6700; }
.key { font-variant-numeric: tabular-nums; }
.questions .more .equations { margin: 0.2rem 0 0.2rem 1rem; }
#bpcalc-show-all { font: inherit; margin: 0.5rem 0 2rem; }
"""


class Solution(NamedTuple):
    """One solution an answer is judged against: the asked quantity's value in it, and
    whether it is a float run (check's slack)."""

    asked: Asked
    float_run: bool = False


class Question(NamedTuple):
    """One box: its solutions (the run's first), the value's formula in symbols (`target =
    formula`, as check --hint writes it; formula None where there is none) and the worked
    line it is computed in (its own, or the one it is part of; None: none)."""

    solutions: list[Solution]
    target: worked.Sym
    formula: object
    line: worked.WorkedLine | None

    @property
    def asked(self) -> Asked:
        return self.solutions[0].asked


class Questions(NamedTuple):
    """The worksheet's boxes, in the order asked."""

    intro: str
    questions: list[Question]

    @property
    def mixed(self) -> bool:
        """Are the boxes asked at more than one precision (each box then says its own)?"""
        return len({q.asked.precision for q in self.questions}) > 1


def solutions_of(trace: Trace, ask: tuple | None = None,
                 precision: Rounding | QuantityRounding | None = None) -> list[list[Solution]]:
    """What the worksheet asks (the template's `ask:` entries as (text, line) pairs, else
    the outputs, deltas and new weights of step 1: `asked.default_names`), each with the
    solutions check judges it against: the run's, and for a hand-rounded problem also the
    unrounded run's (check accepts an answer that matches it: "matches the unrounded
    solution")."""
    problem = trace.problem
    names = parse_asked(asked_or_default(ask or (), problem), problem)
    float_run = trace.arithmetic.name == "float"
    columns = [[Solution(each, float_run)]
               for each in asked_quantities(trace, names, precision)]
    unrounded = unrounded_quantities(problem, names, precision)
    for column, other in zip(columns, unrounded or [], strict=unrounded is not None):
        column.append(Solution(other, True))
    return columns


def build_worksheet(trace: Trace, columns: list[list[Solution]]) -> Document:
    """The statement (from the problem alone), then one box per asked quantity."""
    problem = trace.problem
    statement, _builder = problem_statement(problem, ("svg",))
    formulas = Formulas(trace)
    lines: dict[int, list[worked.WorkedLine]] = {}
    questions = []
    for column in columns:
        each = column[0].asked
        if each.step not in lines:
            lines[each.step] = worked.step_lines(trace, trace.steps[each.step - 1])
        target, formula = formulas.of(each.step, each.quantity, each.name)
        questions.append(Question(column, target, formula,
                                  line_of(lines[each.step], each.quantity)))
    precisions = sorted({rounding_text(column[0].asked.precision) for column in columns})
    # One precision is said once; several, at each box (its placeholder, and after it).
    to = (precisions[0] if len(precisions) == 1
          else f"the precision shown at its box ({' or '.join(precisions)})")
    intro = (f"Give each value to {to}, as a decimal (.777, -0.0115) "
             "or a fraction (1/3). Step 1 is epoch 1, pattern 1.")
    blocks = [statement, Heading(1, "Your answers"), Questions(intro, questions)]
    return Document(problem.title or "Backpropagation", False, blocks)


def line_of(lines: list[worked.WorkedLine], quantity: Quantity) -> worked.WorkedLine | None:
    """The worked line of a value: its own (render.hints.worked_line), else the one it is
    part of (a slope in its node's delta, a change or gradient in its weight's update)."""
    own = worked_line(lines, quantity)
    if own is not None or quantity.kind not in PART_OF:
        return own
    return next((line for line in lines if line.kind in PART_OF[quantity.kind]
                 and line.node == quantity.node and line.key == quantity.key), None)


PART_OF = {"slope": ("output_delta", "hidden_delta"), "change": ("update",),
           "gradient": ("change", "update"), "momentum": ("change", "update")}


def _fraction(value: Fraction) -> list[str]:
    """An exact fraction for the page's judge: [numerator, denominator] as digit strings."""
    value = Fraction(value)
    return [str(value.numerator), str(value.denominator)]


def solution_data(solution: Solution) -> dict:
    """One solution as the page's judge reads it: the true value and the interval's ends as
    exact fractions, and for a float run check's slack (an answer that close to an end is
    at that end; `same`: that close to the value, it is the value)."""
    asked = solution.asked
    true = asked.value
    near = noise(true)
    slack = near if solution.float_run else None
    return {"value": _fraction(true), "places": asked.places, "zero": true == 0,
            "low": _fraction(asked.low), "high": _fraction(asked.high),
            "lowClosed": true <= 0, "highClosed": true >= 0,
            "slack": None if slack is None else _fraction(slack),
            "lowNear": slack is not None and true <= slack,
            "highNear": slack is not None and true >= -slack,
            "same": _fraction(near)}


def box_data(number: int, solutions: list[Solution]) -> dict:
    """What the page reads for one box: the precision asked, the solutions to judge by
    (the run's first), and the key shown on request."""
    asked = solutions[0].asked
    return {"id": f"q{number}", "label": asked.label, "kind": asked.precision.kind,
            "digits": asked.precision.digits, "precision": rounding_text(asked.precision),
            "solutions": [solution_data(each) for each in solutions],
            "answer": asked.rounded_text(),
            "interval": shown_interval(solutions[0])}


def shown_interval(solution: Solution) -> str:
    """The accepted interval as the key shows it (`precision.interval_text`, as check
    prints it): one place more than asked, its ends rounded inward so that every number
    shown inside is right (-0.0115387 to 3 significant figures: [-0.01158, -0.01149]), and
    a tie check refuses shown open (1.25 to 1 place: (1.20, 1.30])."""
    asked = solution.asked
    return interval_text(asked.low, asked.high, max(asked.places, 0), value=asked.value,
                         slack=float_slack(asked.value, solution.float_run), open_ties=True)


def script_json(data) -> str:
    """JSON that cannot end its <script> element: <, > and & written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CSP = ("default-src 'none'; script-src " + script_hash(SCRIPT) + "; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


class WorksheetRenderer(HtmlRenderer):
    """The HTML key's typesetting, with the boxes, the page's data and its judge."""

    def begin(self, doc: Document) -> str:
        self.boxes: list[dict] = []
        title = self.text(doc.title)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{title}</title>\n<style>{STYLE}{WORKSHEET_STYLE}</style>\n</head>\n"
                f"<body>\n<main>\n<h1>{title}</h1>\n"
                f"<p class=\"subtitle\">{self.text(WORKSHEET_LINE)}</p>\n")

    def end(self, doc: Document) -> str:
        return ("<script type=\"application/json\" id=\"bpcalc-worksheet-data\">"
                f"{script_json({'boxes': self.boxes})}</script>\n"
                f"<script>{SCRIPT}</script>\n</main>\n</body>\n</html>\n")

    def questions(self, block: Questions) -> str:
        rows = [self.question(number, question, block.mixed)
                for number, question in enumerate(block.questions, start=1)]
        return (f"{self.paragraph(Paragraph([block.intro]))}<div class=\"questions\">\n"
                f"{''.join(rows)}</div>\n<button type=\"button\" id=\"bpcalc-show-all\">"
                "Show all answers</button>\n")

    def question(self, number: int, question: Question, mixed: bool = False) -> str:
        asked, line = question.asked, question.line
        box = box_data(number, question.solutions)
        self.boxes.append(box)
        qid = box["id"]
        symbol = HTML_STYLE.sym(question.target)
        step = "" if asked.step == 1 else f"step {asked.step}: "
        label = (f"<label for=\"{qid}-input\">{self.text(step)}<span class=\"math\">{symbol}"
                 f"</span><code>{self.text(asked.name)}</code></label>")
        short = (f"{box['digits']} sig. figures" if box["kind"] == "sigfigs"
                 else f"{box['digits']} places")
        said = (f" placeholder=\"{short}\" title=\"to {self.text(box['precision'])}\""
                if mixed else "")
        field = (f"<input id=\"{qid}-input\" type=\"text\" inputmode=\"decimal\" "
                 f"autocomplete=\"off\" spellcheck=\"false\"{said}>")
        buttons = (f"<span><button type=\"button\" id=\"{qid}-hint-button\" "
                   f"aria-expanded=\"false\">Hint</button><button type=\"button\" "
                   f"id=\"{qid}-worked-button\" aria-expanded=\"false\">Worked line</button>"
                   f" <span class=\"verdict\" id=\"{qid}-verdict\" aria-live=\"polite\">"
                   "</span></span>")
        worked_line = (self.worked(Worked([line])) if line is not None
                       else "<p>No worked line of its own: see the answer key.</p>")
        more = (f"<div class=\"more\"><div class=\"hint\" id=\"{qid}-hint\" hidden>"
                f"{self.hint(question)}</div><div id=\"{qid}-worked\" hidden>{worked_line}</div>"
                f"<div class=\"key\" id=\"{qid}-key\" hidden></div></div>")
        return f"{label}\n{field}\n{buttons}\n{more}\n"

    def hint(self, question: Question) -> str:
        """The formula and the names of the values it uses (check --hint's formula and
        symbols, render/hints.py): never a number of the run."""
        target, formula = question.target, question.formula
        if formula is None:
            return "Work it out from the formulas above."
        names = [f"<span class=\"math\">{HTML_STYLE.sym(symbol)}</span>"
                 + (" (its value before this step)" if symbol == target else "")
                 for symbol in needed(target, formula, question.asked.quantity.kind)]
        uses = f"; it uses {', '.join(names)}" if names else ""
        return (f"Hint: <span class=\"math\">{HTML_STYLE.sym(target)} = "
                f"{HTML_STYLE.render(formula)}</span>{uses}.")


def render_worksheet(trace: Trace, ask: tuple | None = None,
                     precision: Rounding | QuantityRounding | None = None) -> str:
    """The worksheet page of a solved trace (a float or hand-rounded run: check judges
    against those, never against closed forms)."""
    if trace.arithmetic.name == "exact":
        raise ProblemError("the worksheet judges answers as check does, against the run's "
                           "decimals: solve without exact values", key="--exact")
    columns = solutions_of(trace, ask, precision)
    return WorksheetRenderer().render(build_worksheet(trace, columns))


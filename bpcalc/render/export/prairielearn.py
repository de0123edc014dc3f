"""PrairieLearn: one question folder for the template (prairielearn/QUESTION/).

Copy the folder into a course's `questions/` and add it to an assessment. It holds
`info.json` (a v3 question; its uuid stable for the template and seed), `question.html`
(the statement, the picture, one `pl-number-input` per asked quantity), `server.py`, whose
`generate(data)` picks one stored variant by `data["variant_seed"]` and sets its correct
answers, `variants.json` (every variant's statement, worked solution, answers and
tolerances; beside server.py, so no student can download it) and `clientFilesQuestion/`
(each variant's picture).

Grading: `comparison="relabs"` with `rtol="0"` and `atol` = the asked tolerance around the
TRUE value, then server.py's `grade(data)` judges each answer the element read again, from
the typed digits in exact fractions, by check's rule (`variants.json`'s `intervals`): a
closed float comparison would take both ends of a tie (1.2 and 1.3 for a true 1.25 to 1
place; check takes only 1.3) and float noise can drop the end check takes. Its `decdig`
and `sigfig` comparisons would not do either: they accept 0.51 (not 0.5) of a unit in the
last digit (prairielearn/grading_utils.py), and `sigfig` counts a true 0 as `digits - 1`
places. The placeholder says the asked precision instead.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from html import escape

from bpcalc.errors import ProblemError
from bpcalc.render.export.records import (
    PICTURE_CAPTION,
    VariantRecord,
    decimal_text,
    exact_text,
    inert,
    picture_name,
    set_title,
    slack_of,
    solutions,
    width_of,
)
from bpcalc.text import rounding_text

FOLDER = "prairielearn"
TOPIC = "Backpropagation"
TAGS = ["bpcalc", "backpropagation"]
# The question's uuids are version-5 uuids in this namespace, of the template and seed.
NAMESPACE = uuid.UUID("6f1c5d6e-4f0b-5e39-9a53-8d1f3b3c0b7a")

SERVER = '''"""Written by bpcalc: picks one of the stored variants (variants.json) by the variant
seed, and gives PrairieLearn its statement, picture, tolerances and correct answers; then
grades each answer by bpcalc check's rule, exactly (grade below)."""

import json
import os
from fractions import Fraction


def _variants(data):
    here = os.path.dirname(os.path.abspath(__file__))
    folder = data.get("options", {}).get("question_path") or here
    with open(os.path.join(folder, "variants.json"), encoding="utf-8") as stream:
        return json.load(stream)["variants"]


def _chosen(data):
    variants = _variants(data)
    return variants[int(data["variant_seed"]) % len(variants)]


def generate(data):
    chosen = _chosen(data)
    data["params"].update(chosen["params"])
    data["correct_answers"].update(chosen["correct_answers"])


def _within(given, rule):
    """bpcalc check's rule: inside the interval; at an end (a tie, or within a float's
    slack of one) only the end away from zero, as halves round away from zero."""
    value, low, high, slack = (Fraction(rule[key]) for key in ("value", "low", "high", "slack"))
    if abs(given - high) <= slack:
        return value >= -slack
    if abs(given - low) <= slack:
        return value <= slack
    return low < given < high


def _right(given, rules):
    """Right for any of the solutions check judges against (the run's, and a hand-rounded
    problem's unrounded one)."""
    return any(_within(given, rule) for rule in rules)


def grade(data):
    """pl-number-input's relabs comparison in floats takes both ends of the interval (and
    float noise may drop one): each answer it read is judged again from the digits the
    student typed, in exact fractions, and the score is the weighted mean again."""
    scores = data.get("partial_scores", {})
    for name, rules in _chosen(data).get("intervals", {}).items():
        raw = data.get("raw_submitted_answers", {}).get(name)
        if name not in scores or raw is None:
            continue
        try:
            given = Fraction(str(raw).strip())
        except (ValueError, ZeroDivisionError):
            continue
        scores[name]["score"] = 1 if _right(given, rules) else 0
    if scores:
        weights = sum(each.get("weight", 1) for each in scores.values()) or 1
        data["score"] = sum(each.get("score", 0) * each.get("weight", 1)
                            for each in scores.values()) / weights
'''


def files(records: list[VariantRecord], info) -> Iterator[tuple[str, str]]:
    folder = f"{FOLDER}/{info.name}"
    width = width_of(records)
    names = answer_names(records)
    yield f"{folder}/info.json", info_json(records, info)
    yield f"{folder}/question.html", question_html(records[0], names)
    yield f"{folder}/server.py", SERVER
    yield f"{folder}/variants.json", variants_json(records, names, width)
    for record in records:
        if record.picture is not None:
            yield f"{folder}/clientFilesQuestion/{picture_name(record, width)}", record.picture


def question_uuid(info) -> str:
    """The same uuid for the same template text and seed, another for any other."""
    digest = hashlib.sha256(info.template_text.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(NAMESPACE, f"{digest}/{info.seed}"))


def info_json(records: list[VariantRecord], info) -> str:
    document = {"uuid": question_uuid(info), "title": set_title(records), "topic": TOPIC,
                "tags": TAGS, "type": "v3", "singleVariant": len(records) == 1}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def answer_names(records: list[VariantRecord]) -> list[str]:
    """Each asked quantity's `answers-name` (`z7`, `step2_w47`), the same in every variant:
    the template asks the same quantities of each."""
    labels = [a.label for a in records[0].asked]
    other = next((r for r in records if [a.label for a in r.asked] != labels), None)
    if other is not None:  # the default names follow a drawn batch_size, say
        mine, theirs = _first_difference(labels, [a.label for a in other.asked])
        raise ProblemError(f"the variants ask different quantities (variant "
                           f"{records[0].number} asks {mine} where variant {other.number} "
                           f"asks {theirs}), so they cannot share one PrairieLearn question: "
                           "name them in the template's ask:",
                           key="--export")
    names: list[str] = []
    for label in labels:
        name = re.sub(r"[^A-Za-z0-9_]+", "_", label).strip("_")
        names.append(name if name not in names else f"{name}_{len(names) + 1}")
    return names  # unique, as PrairieLearn requires of answers-name


def _first_difference(one: list[str], other: list[str]) -> tuple[str, str]:
    """The first place two lists of names differ, each side quoted ('nothing' past its end)."""
    for index in range(max(len(one), len(other))):
        pair = [repr(names[index]) if index < len(names) else "nothing"
                for names in (one, other)]
        if pair[0] != pair[1]:
            return pair[0], pair[1]
    return "nothing", "nothing"


def question_html(record: VariantRecord, names: list[str]) -> str:
    inputs = []
    for asked, name in zip(record.asked, names, strict=True):
        inputs.append(f'<p><pl-number-input answers-name="{name}" label="{escape(asked.label)} ="'
                      f' comparison="relabs" rtol="0" atol="{{{{params.{name}_atol}}}}"'
                      f' placeholder="{{{{params.{name}_precision}}}}"></pl-number-input></p>')
    return ("<pl-question-panel>\n<div class=\"mathjax_ignore tex2jax_ignore\">\n"
            "<h3>{{{params.title}}}</h3>\n"
            "{{#params.picture}}<p><img src=\"{{options.client_files_question_url}}/"
            f"{{{{params.picture}}}}\" alt=\"{PICTURE_CAPTION}\"></p>{{{{/params.picture}}}}\n"
            "{{{params.statement}}}\n</div>\n<p>Give each value to the precision shown.</p>\n"
            "</pl-question-panel>\n\n" + "\n".join(inputs) + "\n\n"
            "<pl-answer-panel>\n<div class=\"mathjax_ignore tex2jax_ignore\">\n"
            "{{{params.worked}}}\n</div>\n</pl-answer-panel>\n")


def variants_json(records: list[VariantRecord], names: list[str], width: int) -> str:
    variants = []
    for record in records:
        params = {"number": record.number, "title": inert(escape(record.title)),
                  "picture": picture_name(record, width) if record.picture else "",
                  "statement": record.statement, "worked": record.worked}
        answers, intervals = {}, {}
        for index, (asked, name) in enumerate(zip(record.asked, names, strict=True)):
            params[f"{name}_atol"] = exact_text(asked.tolerance)
            params[f"{name}_precision"] = rounding_text(asked.precision)
            answers[name] = float(decimal_text(asked.value))
            intervals[name] = [{"value": str(each.value), "low": str(each.low),
                                "high": str(each.high), "slack": str(slack_of(each, float_run))}
                               for each, float_run in solutions(record, index)]
        variants.append({"params": params, "correct_answers": answers,
                         "intervals": intervals})
    return json.dumps({"written_by": "bpcalc generate", "variants": variants}, indent=1,
                      ensure_ascii=False) + "\n"

"""PrairieLearn: one question folder for the template (prairielearn/QUESTION/).

Copy the folder into a course's `questions/` and add it to an assessment. It holds
`info.json` (a v3 question; its uuid stable for the template and seed), `question.html`
(the statement, the picture, one `pl-number-input` per asked quantity), `server.py`, whose
`generate(data)` picks one stored variant by `data["variant_seed"]` and sets its correct
answers, `variants.json` (every variant's statement, worked solution, answers and
tolerances; beside server.py, so no student can download it) and `clientFilesQuestion/`
(each variant's picture).

Grading: `comparison="relabs"` with `rtol="0"` and `atol` = the asked tolerance around the
TRUE value, so PrairieLearn accepts the interval `bpcalc check` accepts. Its `decdig` and
`sigfig` comparisons would not: they accept 0.51 (not 0.5) of a unit in the last digit
(prairielearn/grading_utils.py), and `sigfig` counts a true 0 as `digits - 1` places.
The placeholder says the asked precision instead.
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
    width_of,
)
from bpcalc.text import rounding_text

FOLDER = "prairielearn"
TOPIC = "Backpropagation"
TAGS = ["bpcalc", "backpropagation"]
# The question's uuids are version-5 uuids in this namespace, of the template and seed.
NAMESPACE = uuid.UUID("6f1c5d6e-4f0b-5e39-9a53-8d1f3b3c0b7a")

SERVER = '''"""Written by bpcalc: picks one of the stored variants (variants.json) by the variant
seed, and gives PrairieLearn its statement, picture, tolerances and correct answers."""

import json
import os


def _variants(data):
    folder = data.get("options", {}).get("question_path", ".")
    with open(os.path.join(folder, "variants.json"), encoding="utf-8") as stream:
        return json.load(stream)["variants"]


def generate(data):
    variants = _variants(data)
    chosen = variants[int(data["variant_seed"]) % len(variants)]
    data["params"].update(chosen["params"])
    data["correct_answers"].update(chosen["correct_answers"])
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
    if any([a.label for a in record.asked] != labels for record in records):
        raise ProblemError("the variants ask different quantities, so they cannot share one "
                           "PrairieLearn question: name them in the template's ask:",
                           key="--export")
    names: list[str] = []
    for label in labels:
        name = re.sub(r"[^A-Za-z0-9_]+", "_", label).strip("_")
        names.append(name if name not in names else f"{name}_{len(names) + 1}")
    return names  # unique, as PrairieLearn requires of answers-name


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
        answers = {}
        for asked, name in zip(record.asked, names, strict=True):
            params[f"{name}_atol"] = exact_text(asked.tolerance)
            params[f"{name}_precision"] = rounding_text(asked.precision)
            answers[name] = float(decimal_text(asked.value))
        variants.append({"params": params, "correct_answers": answers})
    return json.dumps({"written_by": "bpcalc generate", "variants": variants}, indent=1,
                      ensure_ascii=False) + "\n"

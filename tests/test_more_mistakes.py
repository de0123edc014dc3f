"""Issue 11's further usual mistakes, a sheet in the other convention, and mixed-precision
rounding: each planted in an answers file by a hand solver in this file (a forward and
backward pass written out for one hidden layer, with the student's mistake built in),
independent of the engine and of the grading code, and checked for exactly that diagnosis.

Problems: the slides' 2-2-1 (problems/slides_2-2-1.yaml: sigmoid, every weight .5, .9 .6
-> 0, C = 1) and a 2-2-2 tanh network with uneven weights and two patterns.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.grading.answers import parse_answers
from bpcalc.grading.grade import check
from bpcalc.grading.mistakes import usual_mistakes
from bpcalc.problem.loader import load_problem, parse_problem
from bpcalc.problem.model import QuantityRounding, Rounding

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SLIDES_FILE = ROOT / "problems" / "slides_2-2-1.yaml"
SLIDES_TEXT = SLIDES_FILE.read_text(encoding="utf-8")
# Inputs 1, 2, bias 3; hidden 4, 5, bias 6; outputs 7 (and 8).
SLIDES = {"hidden": [[.5, .5, .5], [.5, .5, .5]], "output": [[.5, .5, .5]],
          "patterns": [((.9, .6), (0.,))], "rate": 1., "act": "sigmoid"}
TANH_TEXT = """\
layers: [2, 2, 2]
activation: tanh
weights:
  - [[0.3, -0.2, 0.4],
     [0.1, 0.5, -0.3]]
  - [[0.6, -0.4, 0.2],
     [-0.1, 0.3, 0.5]]
patterns:
  - {input: [0.8, 0.3], target: [1, 0]}
  - {input: [0.2, 0.9], target: [0, 1]}
learning_rate: 0.5
convention: {convention}
"""
TANH = {"hidden": [[.3, -.2, .4], [.1, .5, -.3]], "output": [[.6, -.4, .2], [-.1, .3, .5]],
        "patterns": [((.8, .3), (1., 0.)), ((.2, .9), (0., 1.))], "rate": .5, "act": "tanh"}


def tanh_problem(convention: str = "slides"):
    return parse_problem(TANH_TEXT.replace("{convention}", convention))


# -- the hand solver ----------------------------------------------------------------------


def f(act: str, net: float) -> float:
    return 1 / (1 + math.exp(-net)) if act == "sigmoid" else math.tanh(net)


def hand(net: dict, steps: int = 1, slip: tuple = (), sign: int = 1) -> dict[str, float]:
    """Every value of `steps` steps, named as a student writes them (`step 2: z4`), worked
    in the slides' way: delta_k = (t - z) f'(net), delta_j = f'(net_j) sum_k delta_k w_jk,
    w += C delta_j z_i, with `slip` (its first item names the mistake) built in. `sign`
    -1 writes the deltas as the textbook has them (the changes are the same)."""
    hidden, output = [list(r) for r in net["hidden"]], [list(r) for r in net["output"]]
    initial = ([list(r) for r in hidden], [list(r) for r in output])
    act, rate, kind = net["act"], net["rate"], slip[0] if slip else None
    h, k = len(hidden), len(output)
    ids_h, ids_o = [4 + a for a in range(h)], [5 + h + b for b in range(k)]
    values: dict[str, float] = {}
    for number in range(1, steps + 1):
        x, t = net["patterns"][(number - 1) % len(net["patterns"])]

        def put(name: str, value: float, n: int = number) -> None:
            values[name if n == 1 else f"step {n}: {name}"] = value

        if kind == "initial_weights":
            hidden, output = [list(r) for r in initial[0]], [list(r) for r in initial[1]]
        sources = [*x, 1.]
        net_h = [sum(w * s for w, s in zip(row, sources, strict=True)) for row in hidden]
        z_h = [f(act, n) for n in net_h]
        fed = [*(net_h if kind == "net_fed_forward" else z_h), 1.]
        net_o = [sum(w * s for w, s in zip(row, fed, strict=True)) for row in output]
        z_o = [f(act, n) for n in net_o]

        def slope(n: float, z: float) -> float:
            if act == "sigmoid":
                return n * (1 - n) if kind == "slope_from_net" else z * (1 - z)
            return 1 - z if kind == "tanh_unsquared" else 1 - z * z

        d_o = [(tb - z) * (1 if kind == "no_output_slope" else slope(n, z))
               for tb, z, n in zip(t, z_o, net_o, strict=True)]
        d_h = []
        for a in range(h):
            used = ([output[a][b] for b in range(k)] if kind == "transposed"
                    else [output[b][a] for b in range(k)])
            total = sum(d * w for d, w in zip(d_o, used, strict=True))
            d_h.append(slope(net_h[a], z_h[a]) * total)
        delta = dict(zip(ids_h + ids_o, d_h + d_o, strict=True))
        for j, n, z in zip(ids_h + ids_o, net_h + net_o, z_h + z_o, strict=True):
            put(f"net{j}", n)
            put(f"z{j}", z)
        put("error", .5 * sum((tb - z) ** 2 for tb, z in zip(t, z_o, strict=True)))
        for j in ids_o + ids_h:
            put(f"delta{j}", sign * delta[j])
        layers = ((output, [*ids_h, 4 + h], ids_o, [*z_h, 1.]),
                  (hidden, [1, 2, 3], ids_h, sources))
        for rows, feeding, ids, outs in layers:
            z_of = dict(zip(feeding, outs, strict=True))
            for row, j in zip(rows, ids, strict=True):
                for p, i in enumerate(feeding):
                    used = slip[3] if kind == "other_delta" and slip[1:3] == (number, (i, j)) \
                        else j
                    change = rate * delta[used] * z_of[i]
                    put(f"dw{i}{j}", change)
                    row[p] += change
                    put(f"w{i}{j}", row[p])
    return values


def at(value: float, places: int = 4) -> str:
    """A value as a person writes it to `places` decimals, halves away from 0."""
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def sheet_text(values: dict[str, float], places: int = 4) -> str:
    """The answers file: step 1's values at the top, then a `step N:` section each."""
    lines, section = [], None
    for label, value in values.items():
        step, _, name = label.rpartition(": ")
        if step and step != section:
            lines.append(f"{step}:")
            section = step
        lines.append(f"{'  ' if step else ''}{name}: {at(value, places)}")
    return "\n".join(lines) + "\n"


def changed(slipped: dict[str, float], true: dict[str, float]) -> set[str]:
    """The labels whose written value the slip changes."""
    return {label for label in slipped if at(slipped[label]) != at(true[label])}


def diagnosed(problem, values: dict[str, float]):
    return check(problem, parse_answers(sheet_text(values), problem))


# -- each mistake, named, with the values it explains ------------------------------------

CASES = [  # (mistake id, network, the problem, steps, the slip, the first wrong value)
    ("net_fed_forward", SLIDES, lambda: load_problem(str(SLIDES_FILE)), 1,
     ("net_fed_forward",), "net7"),
    ("slope_from_net", SLIDES, lambda: load_problem(str(SLIDES_FILE)), 1,
     ("slope_from_net",), "delta7"),
    ("no_output_slope", SLIDES, lambda: load_problem(str(SLIDES_FILE)), 1,
     ("no_output_slope",), "delta7"),
    ("tanh_slope_unsquared", TANH, tanh_problem, 2, ("tanh_unsquared",), "delta7"),
    ("transposed_hidden_sum", TANH, tanh_problem, 1, ("transposed",), "delta4"),
    ("initial_weights_each_step", TANH, tanh_problem, 2, ("initial_weights",),
     "step 2: net4"),
    ("other_delta", TANH, tanh_problem, 1, ("other_delta", 1, (1, 4), 5), "dw14"),
    ("other_delta", TANH, tanh_problem, 2, ("other_delta", 2, (5, 8), 7), "step 2: dw58"),
]


@pytest.mark.parametrize(("mistake_id", "network", "make", "steps", "slip", "first"), CASES)
def test_each_further_mistake_is_named(mistake_id, network, make, steps, slip, first):
    problem = make()
    slipped, true = hand(network, steps, slip), hand(network, steps)
    result = diagnosed(problem, slipped)
    assert result.unexplained == [] and result.rounding is None
    (finding,) = result.findings
    assert finding.mistake.id == mistake_id
    assert finding.first.label == first
    # Every value the slip changes is the mistake's, or carried forward from one it named.
    named = {finding.first.label, *(a.label for a in finding.also)}
    carried = {v.answer.label for v in result.verdicts if v.carried is not None}
    assert all({a.label for a in v.carried.roots} <= named
               for v in result.verdicts if v.carried is not None)
    assert named | carried == changed(slipped, true)
    assert {v.answer.label for v in result.verdicts if not v.right} == changed(slipped, true)


def test_the_mistakes_explain_the_values_they_reproduce():
    # w14's change with delta5: dw14 named, w14 = .3 + dw14 right on method from it.
    slipped = hand(TANH, 1, ("other_delta", 1, (1, 4), 5))
    result = diagnosed(tanh_problem(), slipped)
    (finding,) = result.findings
    (w14,) = [v for v in result.verdicts if not v.right and v.answer is not finding.first]
    assert w14.answer.label == "w14" and [a.label for a in w14.carried.roots] == ["dw14"]
    assert "w14's change C δ5 z1 instead of C δ4 z1" in finding.mistake.description
    # The transposed sum: delta4 = f'(net4) (delta7 w47 + delta8 w57), then delta5.
    slipped = hand(TANH, 1, ("transposed",))
    (finding,) = diagnosed(tanh_problem(), slipped).findings
    assert finding.first.label == "delta4" and "delta5" in {a.label for a in finding.also}


def test_what_follows_a_value_the_mistake_also_explains_is_told_with_the_mistake():
    """f' from net in delta7 and again in delta4: the report names the mistake at delta7,
    then says what follows from delta4, after it (it printed a line of delta4's own before
    the mistake was named, as if delta4 were the first)."""
    from bpcalc.render.terminal.check_report import summary_lines

    slipped = hand(SLIDES, 1, ("slope_from_net",))
    result = diagnosed(load_problem(str(SLIDES_FILE)), slipped)
    lines = summary_lines(result)[1:]
    assert len(lines) == 1 and lines[0].startswith("delta7 wrong: the sigmoid's derivative")
    assert "this also explains delta4" in lines[0]
    # the hand sheet has dw14..dw35 and w14..w35: delta4's six follow from it
    assert "6 later values follow correctly from delta4 (dw14, dw24, dw34, w14, w24, w34)" \
        in lines[0]


def test_the_output_delta_alone_without_f_prime_is_followed():
    # delta7 = (0 - .782) = -.7820, and delta4 computed on from it with f'(net4).
    slipped = hand(SLIDES, 1, ("no_output_slope",))
    assert at(slipped["delta7"]) == "-0.7820"
    result = diagnosed(load_problem(str(SLIDES_FILE)), slipped)
    (finding,) = result.findings
    assert finding.mistake.short == "f' left out of the output delta"
    delta4 = next(v for v in result.verdicts if v.answer.label == "delta4")
    assert not delta4.right and (delta4.finding is finding or delta4.carried is not None)


def test_each_is_considered_only_where_it_changes_a_number():
    slides = {m.id for m in usual_mistakes(load_problem(str(SLIDES_FILE)), None)}
    assert {"net_fed_forward", "slope_from_net", "no_output_slope"} <= slides
    # No tanh, layers not square, a single step:
    assert not slides & {"tanh_slope_unsquared", "transposed_hidden_sum",
                         "initial_weights_each_step"}
    tanh = {m.id for m in usual_mistakes(tanh_problem(), None)}
    assert {"tanh_slope_unsquared", "transposed_hidden_sum",
            "initial_weights_each_step"} <= tanh
    assert "slope_from_net" not in tanh
    linear = parse_problem(SLIDES_TEXT.replace("activation: sigmoid",
                                               "activation: [linear, sigmoid]"))
    assert "net_fed_forward" not in {m.id for m in usual_mistakes(linear, None)}
    # The slides' hidden deltas are equal: another node's delta changes nothing there.
    slips = diagnosed(load_problem(str(SLIDES_FILE)), {"dw14": -.0104})
    assert all(f.mistake.id != "other_delta" for f in slips.findings)


def test_descriptions_are_in_the_conventions_words():
    textbook = {m.id: m.description for m in usual_mistakes(tanh_problem("textbook"), None)}
    assert textbook["net_fed_forward"].startswith("net fed forward instead of a: the next "
                                                  "layer's net computed from the hidden "
                                                  "nodes' h_i")
    assert "1 - a instead of 1 - a²" in textbook["tanh_slope_unsquared"]
    slides = {m.id: m.description for m in usual_mistakes(load_problem(str(SLIDES_FILE)),
                                                          None)}
    assert "net (1 - net) instead of z (1 - z)" in slides["slope_from_net"]


# -- a sheet in the other convention ------------------------------------------------------


def test_a_sheet_in_the_textbook_convention_is_said_to_be_so(tmp_path):
    # The slides' problem worked in the textbook's signs and names: delta7 = (z - t) f'(h)
    # = +.1333, the changes and new weights as the slides have them.
    values = hand(SLIDES, 1, sign=-1)
    text = sheet_text(values).replace("z", "a").replace("net", "h").replace("delta", "δ")
    assert "δ7: 0.1333" in text and "w47: 0.3964" in text
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(SLIDES_FILE), str(path), "-f", "json"])
    report = json.loads(result.stdout)
    (finding,) = report["mistakes"]
    assert finding["mistake"] == "other_convention"
    assert finding["description"] == ("this sheet follows the textbook convention; rerun "
                                      "with --convention textbook")
    assert finding["first"] == {"name": "δ7", "step": 1}
    assert report["unexplained"] == []
    wrong = {a["name"] for a in report["answers"] if not a["right"]}
    assert wrong == {"δ7", "δ4", "δ5"}  # the weights are right in either convention
    again = runner.invoke(app, ["check", str(SLIDES_FILE), str(path), "--convention",
                                "textbook"])
    assert again.exit_code == 0, again.stdout


def test_a_sheet_in_the_slides_convention_of_a_textbook_problem():
    problem = tanh_problem("textbook")
    result = diagnosed(problem, hand(TANH, 2))  # the hand solver works in the slides' way
    (finding,) = result.findings
    assert finding.mistake.id == "other_convention"
    assert finding.mistake.description.endswith("rerun with --convention slides")
    assert finding.mistake.short == "sheet in the slides convention"


def test_the_other_convention_with_a_slip_besides():
    # The textbook's deltas and a w24 nothing explains: the deltas are still the other
    # convention's (its weights right), not a sign slip that would flip the changes.
    values = hand(SLIDES, 1, sign=-1)
    values["w24"] = .1234
    result = diagnosed(load_problem(str(SLIDES_FILE)), values)
    assert [f.mistake.id for f in result.findings] == ["other_convention"]
    assert [a.label for a in result.unexplained] == ["w24"]


def test_deltas_alone_of_the_other_sign_are_still_a_sign_slip():
    # Without a weight, nothing tells the other convention from a slip of the sign.
    values = hand(SLIDES, 1, sign=-1)
    result = diagnosed(load_problem(str(SLIDES_FILE)), {"delta7": values["delta7"]})
    assert [f.mistake.id for f in result.findings] == ["delta_sign"]


# -- mixed precision ----------------------------------------------------------------------


def places(value: float | Decimal, digits: int) -> Decimal:
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def sigfigs(value: float | Decimal, digits: int) -> Decimal:
    value = Decimal(repr(value) if isinstance(value, float) else value)
    return places(value, digits - 1 - value.adjusted())


def carried_sheet(forward, delta, weight: int, no_output_slope: bool = False
                  ) -> dict[str, str]:
    """The slides' 2-2-1 as a student carries it: nets and activations by `forward`,
    deltas by `delta` (each a rounding of a Decimal), new weights written to `weight`
    places, the changes unrounded (`no_output_slope`: delta7 = t - z7, f' left out)."""
    x, bias, half = (Decimal(".9"), Decimal(".6")), Decimal(1), Decimal(".5")
    net4 = forward(half * x[0] + half * x[1] + half * bias)
    z4 = forward(Decimal(repr(1 / (1 + math.exp(-float(net4))))))
    net7 = forward(half * z4 + half * z4 + half * bias)
    z7 = forward(Decimal(repr(1 / (1 + math.exp(-float(net7))))))
    delta7 = delta((0 - z7) * (1 if no_output_slope else z7 * (1 - z7)))
    delta4 = delta(delta7 * half * z4 * (1 - z4))
    written = {"net4": net4, "z4": z4, "net7": net7, "z7": z7, "delta7": delta7,
               "delta4": delta4}
    new = {"w47": half + delta7 * z4, "w67": half + delta7, "w14": half + delta4 * x[0],
           "w24": half + delta4 * x[1], "w34": half + delta4}
    written.update({name: places(value, weight) for name, value in new.items()})
    return {name: str(value) for name, value in written.items()}


def test_the_slides_own_precision_is_detected(tmp_path):
    # The slide's working: z4 .777, z7 .782, delta7 -.133, delta4 -.0115 (3 places,
    # 3 significant figures); carried on, w47 = .5 + (-.133)(.777) = .396659 -> .3967.
    sheet = carried_sheet(lambda v: places(v, 3), lambda v: sigfigs(v, 3), 4)
    assert (sheet["z4"], sheet["z7"], sheet["delta7"], sheet["delta4"]) == (
        "0.777", "0.782", "-0.133", "-0.0115")
    assert (sheet["w47"], sheet["w67"], sheet["w14"], sheet["w24"], sheet["w34"]) == (
        "0.3967", "0.3670", "0.4897", "0.4931", "0.4885")
    # (The slide itself prints .3964, .3667, .4896: the weights from the unrounded values.)
    problem = load_problem(str(SLIDES_FILE))
    text = "".join(f"{name}: {value}\n" for name, value in sheet.items())
    result = check(problem, parse_answers(text, problem))
    assert result.all_right and result.rounding_detected
    three, sf3 = Rounding("places", 3), Rounding("sigfigs", 3)
    assert result.rounding == QuantityRounding((("net", three), ("out", three),
                                                ("delta", sf3),
                                                ("weight", Rounding("places", 4))))
    # The same sheet against the bundled problem carried that way: right as it stands.
    bundled = load_problem(str(ROOT / "problems" / "slides_mixed_rounding.yaml"))
    assert check(bundled, parse_answers(text, bundled), detect_rounding=False).all_right
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    table = runner.invoke(app, ["check", str(SLIDES_FILE), str(path)])
    assert table.exit_code == 0
    assert ("Hand rounding to 3 decimal places for net and out, 3 significant figures for "
            "delta, 4 decimal places for weight detected") in " ".join(table.stdout.split())
    report = json.loads(runner.invoke(app, ["check", str(SLIDES_FILE), str(path),
                                            "-f", "json"]).stdout)
    assert report["rounding"] == {"by_quantity": {
        "net": {"kind": "places", "digits": 3}, "out": {"kind": "places", "digits": 3},
        "delta": {"kind": "sigfigs", "digits": 3}, "weight": {"kind": "places", "digits": 4}},
        "detected": True}


def test_two_places_carried_and_four_written():
    # z4 .78, z7 .78, delta7 -.13, delta4 -.01; w47 = .5 - .13 x .78 = .3986.
    sheet = carried_sheet(lambda v: places(v, 2), lambda v: places(v, 2), 4)
    assert (sheet["z7"], sheet["delta4"], sheet["w47"], sheet["w14"]) == (
        "0.78", "-0.01", "0.3986", "0.4910")
    problem = load_problem(str(SLIDES_FILE))
    result = check(problem, parse_answers("".join(f"{n}: {v}\n" for n, v in sheet.items()),
                                          problem))
    assert result.all_right
    two = Rounding("places", 2)
    assert result.rounding == QuantityRounding((("net", two), ("out", two), ("delta", two),
                                                ("weight", Rounding("places", 4))))


def test_a_precision_the_written_digits_contradict_is_not_detected():
    # z4 written .7773 (4 places) cannot have been carried at 3: w47 .3967 stays wrong.
    problem = load_problem(str(SLIDES_FILE))
    result = check(problem, parse_answers("z4: .7773\nw47: .3967\n", problem))
    assert not result.all_right
    assert not isinstance(result.rounding, QuantityRounding)


def test_a_mistake_made_in_the_slides_precision():
    # f' left out of delta7 only, carried as the slide carries: delta7 = -.782, delta4 =
    # sf3(-.782 x .5 x .777 x .223) = -.0677, w47 = .5 - .782 x .777 = -.1076 (4 places).
    sheet = carried_sheet(lambda v: places(v, 3), lambda v: sigfigs(v, 3), 4,
                          no_output_slope=True)
    assert (sheet["delta7"], sheet["delta4"], sheet["w47"]) == ("-0.782", "-0.0677",
                                                                "-0.1076")
    problem = load_problem(str(SLIDES_FILE))
    result = check(problem, parse_answers("".join(f"{n}: {v}\n" for n, v in sheet.items()),
                                          problem))
    (finding,) = result.findings
    assert finding.mistake.id == "no_output_slope" and finding.first.label == "delta7"
    assert result.unexplained == []
    assert result.rounding_detected and isinstance(result.rounding, QuantityRounding)
    assert result.rounding.of("delta") == Rounding("sigfigs", 3)
    assert result.rounding.of("out") == Rounding("places", 3)


def test_one_wrong_value_alone_does_not_show_a_hand_rounding(tmp_path):
    """w47 to 3 places along the way is .397 (z7 .782, delta7 -.133, dw47 -.133 x .777
    = -.103, w47 = .5 - .103); written .3970, it might be a hand rounding or a slip: with no
    value written at 3 places and nothing else it explains, it stays wrong. Written .397, the
    digits show the rounding."""
    from bpcalc.grading.answers import parse_answers
    from bpcalc.grading.grade import check
    from bpcalc.problem.loader import load_problem

    problem = load_problem("problems/slides_2-2-1.yaml")
    alone = check(problem, parse_answers("w47: .3970\n", problem))
    assert not alone.verdicts[0].right and alone.rounding is None
    shown = check(problem, parse_answers("w47: .397\n", problem))
    assert shown.verdicts[0].right  # 0.396374 rounds to .396 at 3 places: only hand rounding
    assert shown.rounding is not None and shown.rounding.digits == 3


def test_sigmoid_slope_from_net_in_the_hidden_deltas_only():
    """The output delta right, delta4 = net4 (1 - net4) delta7 w47 worked by hand:
    1.25 x (-0.25) x (-0.133315) x 0.5 = 0.0208305, so w14 = 0.5 + 0.0208305 x 0.9."""
    from bpcalc.grading.answers import parse_answers
    from bpcalc.grading.grade import check
    from bpcalc.problem.loader import load_problem

    problem = load_problem("problems/slides_2-2-1.yaml")
    delta4 = 1.25 * (1 - 1.25) * -0.1333150 * 0.5
    sheet = (f"z7: .7820\ndelta7: -.1333\ndelta4: {delta4:.4f}\n"
             f"w14: {0.5 + delta4 * 0.9:.4f}\n")
    result = check(problem, parse_answers(sheet, problem))
    assert [f.mistake.id for f in result.findings] == ["hidden_slope_from_net"]
    assert result.findings[0].first.name == "delta4"
    w14 = next(v for v in result.verdicts if v.answer.name == "w14")
    assert w14.carried is not None or w14.answer in result.findings[0].also  # from delta4

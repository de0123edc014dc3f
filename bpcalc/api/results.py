"""What the Python API hands back: a solved problem and a checked answers file, each written
by the renderers the command line uses, and shown in a notebook as HTML (or Markdown).

Nothing is computed here: a `Solution` holds the trace the engine recorded, a `CheckReport`
the grading's `CheckResult`; every method is one renderer of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bpcalc.api.inputs import guarded
from bpcalc.errors import ProblemError

if TYPE_CHECKING:
    from bpcalc.engine.trace import Step, Trace
    from bpcalc.grading.verdicts import CheckResult
    from bpcalc.problem.model import Problem

_KEY_ADVICE = ("show some steps (steps=[1, 2]) or only the error per epoch and the final "
               "weights (summary=True), or use fewer epochs")


def _refuse(message: str, key: str) -> None:
    raise ProblemError(message, key=key)


class Picture(str):
    """SVG text that a notebook draws (rather than printing its markup)."""

    __slots__ = ()

    def _repr_svg_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the markup is the drawing's, not text to read
        return f"<bpcalc.Picture: SVG, {len(self):,} characters>"


class Solution:
    """A solved problem: every step as the engine recorded it, and its answer keys."""

    def __init__(self, trace: Trace, exact: bool, problem: Problem):
        self.trace = trace  # the run the keys show (stopped where `until` stopped it)
        self.exact = exact
        self._problem = problem  # as given: the JSON's (its epochs, not the stopping epoch)

    @property
    def problem(self) -> Problem:
        return self.trace.problem

    @property
    def steps(self) -> list[Step]:
        """Each pattern presentation: forward pass, error, deltas and weight updates."""
        return list(self.trace.steps)

    @property
    def final_weights(self) -> dict[str, object]:
        """Weight name (w47, w4_17) -> its value after the run, in the run's numbers: a
        float, a Fraction when hand-rounded (exact decimals), a SymPy value when exact."""
        from bpcalc.problem.model import weight_name

        return {weight_name(key): value for key, value in self.trace.final_weights.items()}

    @property
    def epoch_errors(self) -> list[float]:
        """The total error of each epoch, in order."""
        return [error for _epoch, error in self.trace.epoch_errors()]

    @property
    def warnings(self) -> list[str]:
        return list(self.trace.warnings)

    def to_json(self) -> str:
        """The contract's JSON, as `bpcalc solve --format json` writes it."""
        return guarded(self._json)

    def _json(self) -> str:
        from bpcalc.render import formats

        trace = self.trace
        if self._problem.until is not None:  # the JSON runs the problem as given
            from bpcalc.engine.backprop import train

            trace = train(self._problem, trace.arithmetic, warn=True).trace()
        return formats.render(trace, "json", formats.Options(exact=self.exact))

    def to_text(self, steps: Iterable[int] | None = None, summary: bool = False,
                width: int = 100) -> str:
        """The terminal's tables as plain text (`bpcalc solve` without colour)."""
        return self._key("table", steps, summary, width=width)

    def to_markdown(self, steps: Iterable[int] | None = None, summary: bool = False) -> str:
        return self._key("markdown", steps, summary)

    def to_latex(self, steps: Iterable[int] | None = None, summary: bool = False) -> str:
        return self._key("latex", steps, summary)

    def to_html(self, steps: Iterable[int] | None = None, summary: bool = False) -> str:
        """The answer key as one offline HTML page, with its pictures."""
        return self._key("html", steps, summary)

    def to_worksheet(self, ask: Iterable[str] | None = None, places: int | None = None,
                     sigfigs: int | None = None) -> str:
        """The self-check worksheet page (`solve --format worksheet`): `ask` names the
        values (z7, "step 2: w47"; default the outputs, deltas and new weights of step 1),
        `places` or `sigfigs` how precisely answers are judged (default 4 places)."""
        from bpcalc.grading.grade import parse_precision
        from bpcalc.render import formats

        def render() -> str:
            precision = parse_precision(places, sigfigs, ("places", "sigfigs"))
            names = None if ask is None else tuple((str(name), None) for name in ask)
            options = formats.Options(ask=names, answer_precision=precision)
            return formats.render(self.trace, "worksheet", options)

        return guarded(render)

    def _key(self, name: str, steps, summary: bool, width: int | None = None) -> str:
        from bpcalc.render import formats

        options = guarded(lambda: self._options(steps, summary, width))
        render = formats.notebook_html if name == "notebook" else formats.FORMATS[name].render
        return guarded(lambda: render(self.trace, options))

    def _options(self, steps, summary: bool, width: int | None):
        from bpcalc.engine.limits import check_output
        from bpcalc.engine.run import kept_steps
        from bpcalc.render import formats

        chosen = None if steps is None else self._chosen(steps)
        if steps is not None and summary:
            raise ProblemError("give steps or summary, not both (a summary shows no steps)",
                               key="steps")
        if not summary:
            count = self.problem.step_count
            shown = count if chosen is None else len(kept_steps(self.problem, chosen))
            check_output(self.problem, shown, "document", _KEY_ADVICE)
        return formats.Options(steps=chosen, summary=summary, exact=self.exact, width=width)

    def _chosen(self, steps) -> set[int]:
        count = self.problem.step_count
        chosen = set()
        for number in steps:
            if isinstance(number, bool) or not isinstance(number, int) \
                    or not 1 <= number <= count:
                raise ProblemError(f"steps run from 1 to {count}, got {number!r}", key="steps")
            chosen.add(number)
        return chosen

    def diagram(self, step: int | None = None, weights: str = "before",
                names: bool = False) -> Picture:
        """The network as the slides draw it (SVG): the initial weights, or with `step` that
        step's values on the nodes; weights="after" shows them after the update."""
        if step is not None:
            guarded(lambda: self._chosen([step]))
        if weights not in ("before", "after"):
            guarded(lambda: _refuse(f"must be before or after, got {weights!r}", "weights"))
        from bpcalc.render.pictures.diagram import diagram_svg

        return Picture(guarded(lambda: diagram_svg(self.trace, step, weights, names)))

    def plot(self) -> Picture:
        """The error per epoch (SVG); a run of one epoch has no plot."""
        from bpcalc.render.pictures.plot import error_plot_data, error_plot_svg

        guarded(lambda: error_plot_data(self.trace))
        return Picture(guarded(lambda: error_plot_svg(self.trace)))

    def _display_summary(self) -> bool:
        """A notebook shows every step unless they are too many for a key."""
        from bpcalc.engine.limits import OUTPUT_LIMITS, output_size

        return output_size(self.problem, self.problem.step_count) > OUTPUT_LIMITS["document"]

    def _repr_html_(self) -> str:
        return self._key("notebook", None, self._display_summary())

    def _repr_markdown_(self) -> str:
        return self.to_markdown(summary=self._display_summary())

    def __repr__(self) -> str:
        title = self.problem.title or "problem"
        count = self.problem.step_count
        return (f"<bpcalc.Solution {title!r}: {count} step{'s' * (count != 1)}, "
                f"{len(self.trace.final_weights)} weights>")


class CheckReport:
    """A checked answers file: a verdict per answer, the score, the likely mistakes."""

    def __init__(self, result: CheckResult):
        self.result = result

    score = property(lambda self: self.result.score)
    total = property(lambda self: self.result.total)
    all_right = property(lambda self: self.result.all_right)
    verdicts = property(lambda self: list(self.result.verdicts))
    findings = property(lambda self: list(self.result.findings))

    def to_dict(self) -> dict:
        """The README's `bpcalc check --format json` schema, as Python data."""
        from bpcalc.render.check_json import result_to_dict

        return result_to_dict(self.result)

    def to_json(self) -> str:
        from bpcalc.render.check_json import render_json

        return render_json(self.result)

    def to_gradescope(self) -> str:
        """Gradescope's results.json (`bpcalc check --format gradescope`)."""
        from bpcalc.render.gradescope import render as render_gradescope

        return render_gradescope(self.result)

    def to_text(self, width: int = 100) -> str:
        from bpcalc.render.terminal.check_report import render_table_text

        return render_table_text(self.result, width=width)

    def to_html(self) -> str:
        from bpcalc.render.terminal.check_report import render_html

        return render_html(self.result)

    def to_markdown(self) -> str:
        from bpcalc.render.terminal.check_report import render_markdown

        return render_markdown(self.result)

    _repr_html_ = to_html
    _repr_markdown_ = to_markdown

    def __repr__(self) -> str:
        """`7/11 right`; with values carried forward the score is not a count of right
        answers, so both are said: `10/11 (7 right, 3 carried forward)`."""
        verdicts = self.result.verdicts
        carried = sum(v.carried is not None for v in verdicts)
        few = sum(v.too_few_digits is not None for v in verdicts)
        if not carried and not few:
            return f"<bpcalc.CheckReport: {self.score}/{self.total} right>"
        right = sum(v.right for v in verdicts)
        parts = [f"{right} right"] + [f"{carried} carried forward"] * bool(carried)
        parts += [f"{few} with too few digits"] * bool(few)
        return f"<bpcalc.CheckReport: {self.score}/{self.total} ({', '.join(parts)})>"

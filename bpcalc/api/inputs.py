"""What the Python API is given, read through the loaders the command line uses: a path
(str or os.PathLike), a dict as the YAML would load (bpcalc.problem.datasource), or YAML
text through its own parameter. A string is always a path, never guessed to be YAML.

Every refusal is a `ProblemError`, the message the command line prints; an option's name
is the keyword's (`round`, `learning_rate`), not the command line's (`--round`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from bpcalc.errors import ProblemError, quoted

if TYPE_CHECKING:
    from bpcalc.grading.answers import Answer
    from bpcalc.problem.model import Problem

T = TypeVar("T")


def guarded(job: Callable[[], T]) -> T:
    """Run `job`; a `ProblemError` leaves with the keyword's name for an option and without
    the library's frames (a notebook shows the caller's line and the message)."""
    try:
        return job()
    except ProblemError as error:
        if error.key and error.key.startswith("--"):
            error.key = error.key[2:].replace("-", "_")
        raise error.with_traceback(None) from None


def _one_source(given: object, text: str | None, name: str, text_name: str) -> None:
    if (given is None) == (text is None):
        raise ProblemError(f"give {name} (a path or a dict) or {text_name}= (YAML text), "
                           f"{'not both' if given is not None else 'one of them'}",
                           key=name)
    if text is not None and not isinstance(text, str):
        raise ProblemError(f"YAML text must be a str, got {type(text).__name__}",
                           key=text_name)


def _path(given: object, name: str) -> str | None:
    """The path `given` names, or None if it is not a path (a dict, say)."""
    if not isinstance(given, str | os.PathLike):
        return None
    path = os.fspath(given)
    if not isinstance(path, str):
        raise ProblemError("a path must be text, not bytes", key=name)
    if path == "-":
        raise ProblemError("'-' (standard input) is the command line's: give the text as "
                           f"{'text' if name == 'problem' else 'answers_text'}=...", key=name)
    if "\n" in path and not os.path.exists(path):
        raise ProblemError(f"no such file {quoted(path)}: a string here is always a path; "
                           "give YAML text through text= (answers: answers_text=)", key=name)
    return path


def load(problem: object, text: str | None) -> Problem:
    """The validated problem from exactly one of a path, a dict, or YAML text."""
    from bpcalc.problem.loader import load_problem, parse_problem

    _one_source(problem, text, "problem", "text")
    if text is not None:
        return parse_problem(text)
    path = _path(problem, "problem")
    if path is not None:
        return load_problem(path)
    if isinstance(problem, Mapping):
        from bpcalc.problem.datasource import problem_from_data

        return problem_from_data(problem)
    raise ProblemError(f"expected a path (str or pathlib.Path) or a dict, got "
                       f"{type(problem).__name__}", key="problem")


def load_answers(answers: object, text: str | None, problem: Problem) -> list[Answer]:
    """A student's answers from exactly one of a path, a dict, or YAML text."""
    from bpcalc.grading import answers as reader

    _one_source(answers, text, "answers", "answers_text")
    if text is not None:
        return reader.parse_answers(text, problem)
    path = _path(answers, "answers")
    if path is not None:
        return reader.load_answers(path, problem)
    if isinstance(answers, Mapping):
        from bpcalc.problem.datasource import root_from_data

        return reader.answers_from_root(root_from_data(answers, reader.ANSWERS_ARE), problem)
    raise ProblemError(f"expected a path (str or pathlib.Path) or a dict, got "
                       f"{type(answers).__name__}", key="answers")


def whole(value: object, name: str) -> int | None:
    """An option that is a whole number (round, sigfigs, epochs), checked for its type."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ProblemError(f"expected a whole number, got {quoted(repr(value))}", key=name)


def word(value: object, name: str) -> str | None:
    """An option that is a word (convention, notation)."""
    if value is None or isinstance(value, str):
        return value
    raise ProblemError(f"expected a word, got {quoted(repr(value))}", key=name)


def carried_policy(value: object) -> str:
    """check's carried_forward, as --carried-forward takes it: full, half or none."""
    from bpcalc.grading.carried import CREDIT

    if isinstance(value, str) and value in CREDIT:
        return value
    shown = quoted(value) if isinstance(value, str) else quoted(repr(value))
    raise ProblemError(f"must be one of {', '.join(CREDIT)}, got {shown}",
                       key="carried_forward")


def number_text(value: object, name: str) -> str | None:
    """A number option (learning_rate, tolerance) as the text the loaders read: a str as
    written ('1/4'), a number as datasource reads one (0.25 -> '0.25')."""
    from bpcalc.problem.datasource import scalar_text

    if value is None or isinstance(value, str):
        return value
    text = scalar_text(value)
    if text is None:
        raise ProblemError(f"expected a number, got {quoted(repr(value))}", key=name)
    return text


def overridden(problem: Problem, *, convention=None, notation=None, round=None,
               sigfigs=None, epochs=None, learning_rate=None) -> Problem:
    """The problem with the keywords' overrides (they win, checked as the CLI's options)."""
    from bpcalc.problem.loader import apply_overrides

    return apply_overrides(
        problem, convention=word(convention, "convention"), notation=word(notation, "notation"),
        round_places=whole(round, "round"), sigfigs=whole(sigfigs, "sigfigs"),
        epochs=whole(epochs, "epochs"),
        learning_rate=number_text(learning_rate, "learning_rate"))


def tolerance_of(value: object):
    """check's tolerance as a number of 0 or more (None: judge by the written digits)."""
    from bpcalc.grading.grade import parse_tolerance

    return parse_tolerance(number_text(value, "tolerance"), "tolerance")

"""Fuzz `bpcalc check`: arbitrary answers files against a good problem, and mutated problems.

An input is two option bytes, then (if the first asks for it) a length-prefixed splice of a
bundled problem file, else the lecture's example or a bundled problem as it is, then the
answers file: raw bytes, or (first byte 0) a byte-spliced copy of a
real answers file. The options choose --format, -o, --round, --sigfigs, --tolerance,
--convention and --no-detect-rounding. The promise is the harness's, plus: exit 0 exactly
when every answer is right (3 when some are wrong), JSON that parses, and a title holding a
control character refused. Usage: see fuzz/longrun.py, e.g.

    nice -n 19 python fuzz/fuzz_answers.py -max_total_time=600 -timeout=60 \\
        -dict=fuzz/yaml.dict CORPUS_DIR
"""

from __future__ import annotations

from pathlib import Path

from harness import (
    ROOT,
    Case,
    Failure,
    command_target,
    expect_titles_refused,
    parse_json,
    seeds,
    splice,
    take,
)
from longrun import main

CHECK_LIMIT = 2_000  # steps x weights: check solves the problem again for every mistake
GOOD = (ROOT / "problems" / "slides_2-2-1.yaml").read_bytes()
PROBLEMS = seeds("problems/*.yaml")
SEEDS = seeds("bpcalc/examples/answers/*.yaml", "fuzz/seeds/answers/*.yaml")
FORMATS = ("table", "json", "gradescope", "table")
ROUNDING = ([], ["--round", "3"], ["--sigfigs", "3"], ["--round", "2", "--sigfigs", "3"])
TOLERANCE = ([], ["--tolerance", "0.001"], ["--tolerance", "0"], ["--tolerance", " 1/0"])


def build(data: bytes) -> Case | None:
    """The command line and files of one input; None when the problem is too big to solve."""
    options, flags, rest = (data[:1] or b"\0")[0], (data[1:2] or b"\0")[0], data[2:]
    if options & 0x18 == 0x18:
        part, rest = take(rest, 40)
        problem = splice(b"\x00" + part, PROBLEMS)
    else:
        choice = options >> 5  # mostly the lecture's example, else a bundled problem
        problem = GOOD if choice < 3 else PROBLEMS[choice - 3]
    parsed = _parsed(problem)
    if parsed is not None and parsed.step_count * len(parsed.weights) > CHECK_LIMIT:
        return None
    fmt = FORMATS[options & 3]
    args = ["check", "{dir}/problem.yaml", "{dir}/answers.yaml", "--format", fmt]
    args += ["--no-detect-rounding"] if flags & 1 else []
    args += ["--convention", "textbook"] if flags & 2 else []
    args += ROUNDING[flags >> 2 & 3] + TOLERANCE[flags >> 4 & 3]
    written = bool(options & 0x04)
    if written:
        args += ["-o", "{dir}/report.out"]
    case = Case(args, {"problem.yaml": problem, "answers.yaml": splice(rest, SEEDS)},
                statuses=(0, 2, 3))
    case.checks.append(lambda result, directory: _check_report(result, directory, fmt,
                                                               written))
    if parsed is not None:
        expect_titles_refused(case, [parsed.title])
    return case


def _parsed(problem: bytes):
    from bpcalc.errors import ProblemError
    from bpcalc.problem.loader import parse_problem

    try:
        return parse_problem(problem.decode("utf-8-sig"))
    except (ProblemError, UnicodeDecodeError):
        return None


def _check_report(result, directory: Path, fmt: str, written: bool) -> None:
    text = result.stdout
    if written:
        if text:
            raise Failure("check -o also wrote to stdout", text[:200])
        text = (directory / "report.out").read_text("utf-8")
    if fmt == "json":
        report = parse_json(text, "check --format json")
        if report["all_right"] != (result.exit_code == 0):
            raise Failure("check's exit status disagrees with all_right")
    elif fmt == "gradescope":
        parse_json(text, "check --format gradescope")


def seed_inputs() -> list[bytes]:
    """Each real answers file against the lecture's example, in every format, with -o, and
    against XOR (for its step sections) and the delta rule."""
    options = [b"\x00\x00", b"\x01\x00", b"\x02\x00", b"\x05\x04", b"\x00\x11",
               b"\xe0\x00", b"\x60\x02"]
    return [prefix + seed for seed in SEEDS for prefix in options]


check_one = command_target(build)

if __name__ == "__main__":
    main("answers", check_one, build, prefix=2, seed_inputs=seed_inputs)

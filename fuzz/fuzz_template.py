"""Fuzz `bpcalc generate`: arbitrary templates, a few variants each, into a scratch directory.

An input is two option bytes (--count 1 to 3 and which --formats; the seed), then the
template: raw bytes, or (first byte 0) a byte-spliced copy of a real template or problem
file. The promise is the harness's (exit 0 or 2, one error line, nothing written on exit 2,
no raw control character in any file), plus: a set is whole (every variant file and the
index), every variant file loads as a problem, every JSON key parses, and a title holding
a control character is refused. Usage: see fuzz/longrun.py, e.g.

    nice -n 19 python fuzz/fuzz_template.py -max_total_time=600 -timeout=60 \\
        -dict=fuzz/yaml.dict CORPUS_DIR
"""

from __future__ import annotations

from pathlib import Path

from harness import Case, Failure, command_target, expect_titles_refused, parse_json, seeds, splice
from longrun import main

GENERATE_LIMIT = 400  # steps x weights per variant: each is solved and rendered as keys
SEEDS = seeds("templates/*.yaml", "fuzz/seeds/templates/*.yaml", "problems/*.yaml")
# --formats: one or two at a time (an HTML or text key of XOR takes a second to render).
FORMATS = (None, "json", "markdown", "latex", "html", "txt", "md,tex", "json,html")
SUFFIXES = {"json": "key.json", "markdown": "key.md", "md": "key.md", "latex": "key.tex",
            "tex": "key.tex", "html": "key.html", "txt": "key.txt"}


def build(data: bytes) -> Case | None:
    """The command line and files of one input; None when a variant is too big to solve."""
    options, seed, rest = (data[:1] or b"\0")[0], (data[1:2] or b"\0")[0], data[2:]
    count = 1 + (options & 3) % 3
    template = splice(rest, SEEDS)
    variants = _variants(template, seed, count)
    if variants and any(v.problem.step_count * len(v.problem.weights) > GENERATE_LIMIT
                        for v in variants):
        return None
    args = ["generate", "{dir}/template.yaml", "--count", str(count), "--seed", str(seed),
            "--out", "{dir}/set"]
    chosen = FORMATS[(options >> 2) & 7]
    if chosen:
        args += ["--formats", chosen]
    case = Case(args, {"template.yaml": template})
    keys = (chosen or "json,markdown").split(",")
    case.checks.append(lambda result, directory: _check_set(directory / "set", count, keys))
    expect_titles_refused(case, [v.problem.title for v in variants or ()])
    return case


def _variants(template: bytes, seed: int, count: int):
    """The variants as generate makes them, or None if it refuses (or fails: the run shows)."""
    from bpcalc.problemset.generator import generate

    try:
        return generate(template.decode("utf-8-sig"), seed=seed, count=count,
                        name="template.yaml")
    except Exception:  # noqa: BLE001 - refused, or a crash the command-line run will report
        return None


def _check_set(out: Path, count: int, formats: list[str]) -> None:
    from bpcalc.errors import ProblemError
    from bpcalc.problem.loader import parse_problem

    width = max(2, len(str(count)))
    wanted = {"index.md", "index.csv"}
    for number in range(1, count + 1):
        stem = f"variant_{number:0{width}d}"
        wanted |= {f"{stem}.yaml", *(f"{stem}.{SUFFIXES[f]}" for f in formats)}
    present = {path.name for path in out.iterdir()} if out.is_dir() else set()
    if wanted - present:
        raise Failure("generate exit 0 without the whole set", ", ".join(sorted(wanted - present)))
    for number in range(1, count + 1):
        stem = f"variant_{number:0{width}d}"
        try:
            parse_problem((out / f"{stem}.yaml").read_text("utf-8"))
        except ProblemError as error:
            raise Failure("a written variant file does not load", str(error)) from None
        if "json" in formats:
            parse_json((out / f"{stem}.key.json").read_text("utf-8"), "a JSON answer key")


def seed_inputs() -> list[bytes]:
    """Each real template and problem file, with the default formats and with each other."""
    options = [b"\x00\x01", b"\x05\x07", b"\x0a\x02", b"\x0c\x03", b"\x10\x04",
               b"\x14\x05", b"\x18\x06"]
    return [prefix + seed for seed in SEEDS for prefix in options]


check_one = command_target(build)

if __name__ == "__main__":
    main("template", check_one, build, prefix=2, seed_inputs=seed_inputs)

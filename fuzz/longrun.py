"""The command line every fuzz target shares: a long run that keeps going past a failure.

Under atheris a run keeps going past a failure: each distinct failure (its `signature`) is
saved once, the smallest input seen for it, in OUT/<target>/ with a summary.json, so one
long run reports every defect instead of stopping at the first. Usage, for any target:

    python fuzz/fuzz_answers.py -max_total_time=600 -timeout=60 -dict=fuzz/yaml.dict DIR
    python fuzz/fuzz_answers.py --write-seeds DIR   # the real files, as the target's inputs
    python fuzz/fuzz_answers.py --show INPUT        # the command line and files of an input
    python fuzz/fuzz_answers.py --minimize INPUT    # a smaller input with the same failure
    python fuzz/fuzz_answers.py --hypothesis 2000   # where atheris is not installed
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from harness import ROOT, signature_of

FINDINGS = Path(os.environ.get("BPCALC_FUZZ_FINDINGS", ROOT / "fuzz" / "findings-out"))


class Recorder:
    """Counts inputs and saves the smallest input seen for each distinct failure."""

    def __init__(self, target: str):
        self.directory = FINDINGS / target
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tried = 0
        self.started = time.time()
        self.failures: dict[str, dict] = {}

    def record(self, data: bytes, error: BaseException) -> None:
        signature = signature_of(error)
        entry = self.failures.get(signature)
        name = hashlib.sha1(signature.encode()).hexdigest()[:10] + ".bin"
        if entry is None:
            entry = self.failures[signature] = {"count": 0, "file": name, "size": None,
                                                "first_at_input": self.tried,
                                                "detail": str(error)[:400]}
            sys.stderr.write(f"\n== new failure #{len(self.failures)}: {signature}\n")
        entry["count"] += 1
        if entry["size"] is None or len(data) < entry["size"]:
            entry["size"] = len(data)
            entry["detail"] = str(error)[:400]
            (self.directory / name).write_bytes(data)
        self.save()

    def save(self) -> None:
        summary = {"tried": self.tried, "seconds": round(time.time() - self.started),
                   "failures": self.failures}
        (self.directory / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


def main(target: str, check_one: Callable[[bytes], object], build: Callable | None,
         prefix: int = 0, seed_inputs: Callable[[], list[bytes]] | None = None) -> None:
    """The command line every target shares (see the module docstring). `prefix`: how many
    option bytes come before the file; `seed_inputs`: the real files as inputs."""
    argv = sys.argv
    if "--show" in argv:
        show(Path(argv[argv.index("--show") + 1]).read_bytes(), build)
    elif "--minimize" in argv:
        minimize(Path(argv[argv.index("--minimize") + 1]), check_one, build)
    elif "--write-seeds" in argv:
        directory = Path(argv[argv.index("--write-seeds") + 1])
        directory.mkdir(parents=True, exist_ok=True)
        for data in seed_inputs() if seed_inputs else []:
            (directory / f"seed-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)
    elif "--hypothesis" in argv:
        run_hypothesis(check_one, int(argv[argv.index("--hypothesis") + 1]), prefix)
    else:
        try:
            import atheris  # noqa: F401
        except ImportError:
            run_hypothesis(check_one, 20_000, prefix)
        else:
            run_atheris(target, check_one, argv)


def run_atheris(target: str, check_one: Callable[[bytes], object], argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["bpcalc", "yaml"]):
        import_everything()
    recorder = Recorder(target)

    def one(data: bytes) -> None:
        recorder.tried += 1
        try:
            check_one(data)
        except Exception as error:  # noqa: BLE001 - every failure is recorded, then on
            recorder.record(data, error)
        if recorder.tried % 500 == 0:
            recorder.save()

    atheris.Setup(argv, one)
    atheris.Fuzz()


def import_everything() -> None:
    """Every bpcalc module now, so that atheris instruments them (commands import lazily)."""
    import importlib
    import pkgutil

    import bpcalc

    for module in pkgutil.walk_packages(bpcalc.__path__, "bpcalc."):
        if not module.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(module.name)


def run_hypothesis(check_one: Callable[[bytes], object], count: int, prefix: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    tried = 0
    body = st.one_of(st.binary(max_size=400),
                     st.binary(min_size=6, max_size=80).map(lambda b: b"\x00" + b))

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.tuples(st.binary(min_size=prefix, max_size=prefix), body).map(b"".join))
    def target(data: bytes) -> None:
        nonlocal tried
        tried += 1
        check_one(data)

    target()
    print(f"hypothesis: {tried} inputs tried, no failure")


def show(data: bytes, build: Callable | None) -> None:
    if build is None:
        print(repr(data))
        return
    case = build(data)
    if case is None:
        print("(skipped: too large a run to solve)")
        return
    print("bpcalc " + " ".join(case.command(Path("DIR"))))
    for name, text in case.files.items():
        print(f"--- DIR/{name} ---")
        print(text.decode("utf-8", errors="backslashreplace"))


def minimize(path: Path, check_one: Callable[[bytes], object], build: Callable | None) -> None:
    """Greedy: drop chunks, then single bytes, while the same failure still happens."""
    data = path.read_bytes()

    def signature(candidate: bytes) -> str | None:
        try:
            check_one(candidate)
        except Exception as error:  # noqa: BLE001
            return signature_of(error)
        return None

    wanted = signature(data)
    if wanted is None:
        sys.exit(f"{path}: no failure")
    chunk = max(1, len(data) // 2)
    while chunk >= 1:
        at = 0
        while at < len(data):
            candidate = data[:at] + data[at + chunk:]
            if candidate != data and signature(candidate) == wanted:
                data = candidate
            else:
                at += chunk
        chunk //= 2
    out = path.with_suffix(".min")
    out.write_bytes(data)
    print(f"{wanted}\n{len(data)} bytes: {data!r}\nsaved as {out}")
    show(data, build)

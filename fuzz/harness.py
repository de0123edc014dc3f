"""What the fuzz targets share: turning bytes into files, running the command, the promise.

A target turns the fuzzer's bytes into a `Case` (a command line and the files it reads),
runs it in-process, as typer's test runner does, in a fresh directory, and checks what the
command promises (README, "Robustness"): exit 0 (or 3 for `check` with wrong answers) or
exit 2 with ONE line `bpcalc: error: ...` (at most MAX_MESSAGE characters) on stderr,
empty stdout and no file written; never exit 1; and no raw control character (escape,
NUL, CR, C1, bidi override) on stdout, stderr or in a written file, since every one of
them comes from the input.

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

import atexit
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = Path(os.environ.get("BPCALC_FUZZ_FINDINGS", ROOT / "fuzz" / "findings-out"))
MAX_MESSAGE = 500  # an error line, file name included: a long value is cut (issue 8)
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def seeds(*patterns: str) -> list[bytes]:
    """The files matching the glob patterns under the repository root, in a fixed order."""
    paths = sorted({path for pattern in patterns for path in ROOT.glob(pattern)})
    return [path.read_bytes() for path in paths]


def splice(data: bytes, seed_files: list[bytes]) -> bytes:
    """Bytes as they are, or (first byte 0) a seed file with bytes spliced in at a place."""
    if data[:1] == b"\x00" and len(data) > 2 and seed_files:
        seed = seed_files[data[1] % len(seed_files)]
        at = int.from_bytes(data[2:4] or b"\0", "little") % (len(seed) + 1)
        cut = data[4] % 16 if len(data) > 4 else 0
        return seed[:at] + data[5:] + seed[at + cut:]
    return data


def take(data: bytes, limit: int) -> tuple[bytes, bytes]:
    """A length-prefixed part (at most `limit` bytes) and the rest: two files from one input."""
    if not data:
        return b"", b""
    size = data[0] % (limit + 1)
    return data[1:1 + size], data[1 + size:]


class Failure(AssertionError):
    """A broken promise; `signature` says which one, so a run counts distinct failures."""

    def __init__(self, signature: str, detail: str = ""):
        super().__init__(f"{signature}: {detail}" if detail else signature)
        self.signature = signature


@dataclass
class Case:
    """One run of the command: its arguments ({dir} is the run's directory) and files."""

    args: list[str]
    files: dict[str, bytes]
    statuses: tuple[int, ...] = (0, 2)  # the exit statuses the command may end with
    checks: list[Callable] = field(default_factory=list)  # more checks on success

    def command(self, directory: Path) -> list[str]:
        return [arg.replace("{dir}", str(directory)) for arg in self.args]


def parse_json(text: str, where: str):
    try:
        return json.loads(text)
    except ValueError as error:
        raise Failure(f"{where} is not JSON", str(error)) from None


def raw_controls(text: str) -> list[str]:
    """Characters that must not reach a terminal or file raw: controls but \\n and \\t."""
    found = {char for char in text
             if char in BIDI or (unicodedata.category(char) == "Cc" and char not in "\n\t")}
    return sorted(found)


def control_class(char: str) -> str:
    code = ord(char)
    if char in BIDI:
        return "bidi"
    return "C0" if code < 0x20 else "DEL" if code == 0x7F else "C1"


def assert_clean(text: str, where: str) -> None:
    found = raw_controls(text)
    if found:
        classes = ",".join(sorted({control_class(c) for c in found}))
        raise Failure(f"raw {classes} control in {where}",
                      " ".join(f"U+{ord(c):04X}" for c in found))


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    exc_info: tuple | None  # set when an exception other than SystemExit escaped


class Runner:
    """Runs cases in one scratch directory, emptied before each run.

    The click command is built once: typer's test runner rebuilds every command's options
    on each call (145 ms, nine tenths of a typical run)."""

    def __init__(self):
        import typer.main
        from typer.testing import CliRunner

        from bpcalc.cli import app

        self.command = typer.main.get_command(app)
        self.cli = CliRunner()
        self.directory = Path(tempfile.mkdtemp(prefix="bpcalc-fuzz-"))
        atexit.register(shutil.rmtree, self.directory, True)

    def run(self, case: Case) -> int:
        for old in self.directory.iterdir():
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for name, data in case.files.items():
            (self.directory / name).write_bytes(data)
        outcome = self.invoke(case.command(self.directory))
        check_result(case, outcome, self.directory)
        return outcome.exit_code

    def invoke(self, args: list[str]) -> Outcome:
        """As the test runner does: streams captured, BPCALC_DEBUG set so a crash raises."""
        exc_info = None
        with self.cli.isolation(env={"BPCALC_DEBUG": "1", "COLUMNS": "100"}) as streams:
            try:
                self.command.main(args=args, prog_name="bpcalc")
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
            except Exception:  # noqa: BLE001 - the crash is the finding
                code, exc_info = 1, sys.exc_info()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            stdout, stderr = (stream.getvalue().decode("utf-8", errors="replace")
                              for stream in streams[:2])
        return Outcome(code, stdout, stderr, exc_info)


def check_result(case: Case, result: Outcome, directory: Path) -> None:
    status = result.exit_code
    if result.exc_info is not None:
        error = result.exc_info[1]
        raise Failure(f"exit 1: {crash_signature(result.exc_info)}",
                      f"{type(error).__name__}: {str(error)[:200]}")
    if status not in case.statuses:
        raise Failure(f"exit {status}", result.stderr[:300])
    assert_clean(result.stdout, "stdout")
    assert_clean(result.stderr, "stderr")
    new = sorted(p.name for p in directory.iterdir() if p.name not in case.files)
    if status == 2:
        lines = result.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("bpcalc: error: "):
            raise Failure("exit 2 without exactly one error line on stderr", result.stderr[:300])
        if len(lines[0]) > MAX_MESSAGE:
            raise Failure(f"exit 2 with an error line over {MAX_MESSAGE} characters",
                          f"{len(lines[0])}: {lines[0][:200]}")
        if result.stdout:
            raise Failure("exit 2 with output on stdout", result.stdout[:200])
        if new:
            raise Failure("exit 2 left a file", ", ".join(new))
        return
    if "Traceback" in result.stderr or "internal error" in result.stderr:
        raise Failure(f"exit {status} with a traceback on stderr", result.stderr[:300])
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name not in case.files:
            assert_clean(path.read_text("utf-8", errors="replace"),
                         f"a written {path.name.split('.', 1)[-1]} file")
    for check in case.checks:
        check(result, directory)


def crash_signature(exc_info) -> str:
    """The exception type and the innermost frame in bpcalc: where it was raised."""
    kind, _error, trace = exc_info
    frames = [f for f in traceback.extract_tb(trace) if f"{os.sep}bpcalc{os.sep}" in f.filename]
    where = frames[-1] if frames else traceback.extract_tb(trace)[-1]
    name = Path(where.filename)
    return f"{kind.__name__} in {name.parent.name}/{name.name}:{where.name}"


def signature_of(error: BaseException) -> str:
    if isinstance(error, Failure):
        return error.signature
    return f"harness {crash_signature((type(error), error, error.__traceback__))}"


# --- the fixed corpus CI replays -----------------------------------------------------------

def dictionary() -> list[bytes]:
    """The tokens of fuzz/yaml.dict (libFuzzer's format: one quoted string a line)."""
    tokens = []
    for line in (ROOT / "fuzz" / "yaml.dict").read_text().splitlines():
        if line.startswith('"'):
            tokens.append(line[1:-1].encode("latin-1").decode("unicode_escape")
                          .encode("latin-1"))
    return tokens


def fixed_corpus(rng, count: int, prefix: int) -> list[bytes]:
    """`count` inputs from a seeded `random.Random`: option bytes, then raw bytes or a seed
    file with random bytes and dictionary tokens spliced in (most inputs stay YAML)."""
    tokens = dictionary()
    inputs = []
    for number in range(count):
        options = bytes(rng.randrange(256) if rng.random() < 0.5 else 0 for _ in range(prefix))
        insert = b"".join(_piece(rng, tokens) for _ in range(rng.randrange(0, 5)))
        if number % 4 == 0:
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 48)))
        else:  # which seed, where, and half the time nothing cut: the file stays nearly whole
            cut = rng.randrange(256) if rng.random() < 0.5 else 0
            body = bytes([0, rng.randrange(256), rng.randrange(256), rng.randrange(256), cut])
            body += insert
        inputs.append(options + body)
    return inputs


def _piece(rng, tokens: list[bytes]) -> bytes:
    """A dictionary token, a character YAML gives meaning to, or (rarely) any byte."""
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(tokens)
    if roll < 0.9:
        return bytes([rng.choice(b" \n:-.,0123456789ezw[]{}'\"#")])
    return bytes([rng.randrange(256)])


# --- long runs: keep going, save each distinct failure once ----------------------------------

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

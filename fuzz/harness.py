"""What the fuzz targets share: turning bytes into files, running the command, the promise.

A target turns the fuzzer's bytes into a `Case` (a command line and the files it reads),
runs it in-process, as typer's test runner does, in a fresh directory, and checks what the
command promises (README, "Robustness"): exit 0 (or 3 for `check` with wrong answers) or
exit 2 with ONE line `bpcalc: error: ...` (at most MAX_MESSAGE characters) on stderr,
empty stdout and no file written; never exit 1; and no raw control character (escape,
NUL, CR, C1, bidi override) on stdout, stderr or in a written file, since every one of
them comes from the input. The targets' command line (long runs, --show, --minimize) is
fuzz/longrun.py's.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


# --- what the command-line targets share ----------------------------------------------------

_runner: Runner | None = None


def command_target(build: Callable[[bytes], Case | None]) -> Callable[[bytes], int | None]:
    """A command-line target's `check_one`: run the Case that `build` makes of an input and
    return its exit status, or None where `build` skipped it as too big. One Runner serves
    every target of the process, made at the first run (building the command takes time)."""

    def check_one(data: bytes) -> int | None:
        global _runner
        case = build(data)
        if case is None:
            return None
        if _runner is None:
            _runner = Runner()
        return _runner.run(case)

    return check_one


def expect_titles_refused(case: Case, titles) -> None:
    """A title holding a control character or a line break must be refused: where one of
    `titles` does, a run that succeeds is a failure."""
    if any(raw_controls(title) or "\n" in title for title in titles):
        case.checks.append(_title_accepted)


def _title_accepted(result, directory) -> None:
    raise Failure("a title with a control character or line break is accepted")


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

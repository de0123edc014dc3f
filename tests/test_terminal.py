"""Terminals, pipes and colour (issue 12): width from COLUMNS, else the terminal's, else 80;
colour only on a terminal unless --color says otherwise, never under NO_COLOR; and a long
run says so before it starts. Real processes, on a pseudo-terminal where it matters."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bpcalc.commands.terminal import FALLBACK_WIDTH, LONG_RUN_STEPS, Screen, screen_for

ROOT = Path(__file__).resolve().parent.parent
SLIDES = "problems/slides_2-2-1.yaml"
ANSWERS = "problems/answers/slides_2-2-1_new_weight.yaml"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The environment of a user's shell: no COLUMNS exported, no NO_COLOR, a colour terminal.
BASE_ENV = {key: value for key, value in os.environ.items()
            if key not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM")}
BASE_ENV.update(PYTHONPATH=str(ROOT), TERM="xterm-256color")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bpcalc", *args]


def in_pty(args: list[str], columns: int, env: dict | None = None) -> tuple[int, str]:
    """Run `args` with stdin, stdout and stderr on a pseudo-terminal `columns` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
                               env=BASE_ENV if env is None else env)
    os.close(slave)
    chunks = []
    try:
        while select.select([master], [], [], 120)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed its side (EIO on Linux)
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        status = process.wait(timeout=120)
    return status, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def piped(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, cwd=ROOT,
                          env=BASE_ENV if env is None else env, timeout=120)


def widest(text: str) -> int:
    return max(len(line) for line in ANSI.sub("", text).splitlines())


def row(text: str, section: str, first: str) -> str:
    """The row whose first cell is `first` in the first table after the heading `section`."""
    plain = ANSI.sub("", text)
    after = plain[plain.index(section):]
    return next(line for line in after.splitlines()
                if line.startswith("│") and line.split("│")[1].strip() == first)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_a_terminal_gets_its_own_width_and_colour(columns):
    status, out = in_pty(command("solve", SLIDES), columns)
    assert status == 0, out
    assert "\x1b[" in out  # colour on a terminal
    assert widest(out) <= columns
    if columns > 60:  # the widest table fills the window instead of 120 columns
        assert widest(out) > columns - 10
    # The slides' new weights, each whole on its row of the final table.
    assert "0.396374" in row(out, "Final weights", "w47")
    assert "0.366685" in row(out, "Final weights", "w67")


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_output_delta_is_whole_at_every_width(columns):
    status, out = in_pty(command("solve", SLIDES), columns)
    assert status == 0
    assert "-0.133315" in row(out, "Backward pass", "7")


def test_at_60_columns_numbers_stay_whole_and_the_text_columns_wrap():
    """The rule and calculation columns give way; no number is cut to '0…'."""
    status, out = in_pty(command("solve", SLIDES), 60)
    plain = ANSI.sub("", out)
    assert status == 0 and widest(out) <= 60 and "…" not in plain
    for number in ("0.170482", "-0.0115387", "-0.00692324", "0.489615", "0.396374"):
        assert number in plain, number


def test_check_report_on_a_terminal_keeps_the_words():
    status, out = in_pty(command("check", SLIDES, ANSWERS), 80)
    assert status == 3
    plain = ANSI.sub("", out)
    assert "\x1b[" in out and widest(out) <= 80
    verdicts = {line.split("│")[1].strip(): line.split("│")[4].strip()
                for line in plain.splitlines() if line.startswith("│ ") and "│" in line[1:]
                and line.split("│")[4].strip() in ("right", "wrong")}
    assert verdicts["delta7"] == "right" and verdicts["delta4"] == "wrong"


def test_no_color_on_a_terminal_drops_every_escape_but_keeps_the_width():
    status, out = in_pty(command("solve", SLIDES), 70, env={**BASE_ENV, "NO_COLOR": "1"})
    assert status == 0
    assert "\x1b[" not in out
    assert 60 < widest(out) <= 70
    status, out = in_pty(command("check", SLIDES, ANSWERS), 70,
                         env={**BASE_ENV, "NO_COLOR": "1"})
    assert status == 3 and "\x1b[" not in out
    assert "wrong" in out and "right" in out  # the meaning is in the words


def test_columns_beats_the_terminal_width():
    status, out = in_pty(command("solve", SLIDES), 120, env={**BASE_ENV, "COLUMNS": "64"})
    assert status == 0
    assert 54 < widest(out) <= 64


def test_color_never_on_a_terminal_and_always_beats_no_color():
    status, out = in_pty(command("solve", SLIDES, "--color", "never"), 80)
    assert status == 0 and "\x1b[" not in out
    always = piped("solve", SLIDES, "--color", "always", env={**BASE_ENV, "NO_COLOR": "1"})
    assert always.returncode == 0 and "\x1b[" in always.stdout


def test_a_pipe_is_80_columns_without_colour_unless_asked():
    result = piped("solve", SLIDES)
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert 70 < widest(result.stdout) <= 80  # was always 120
    wide = piped("solve", SLIDES, env={**BASE_ENV, "COLUMNS": "120"})
    assert 110 < widest(wide.stdout) <= 120
    narrow = piped("explain", SLIDES, "w14", env={**BASE_ENV, "COLUMNS": "60"})
    assert narrow.returncode == 0 and widest(narrow.stdout) <= 60


def test_color_always_in_a_pipe_is_for_less_r():
    for args in (("solve", SLIDES), ("explain", SLIDES, "w14"), ("check", SLIDES, ANSWERS)):
        result = piped(*args, "--color", "always")
        assert result.returncode in (0, 3), result.stderr
        assert "\x1b[" in result.stdout, args
        assert widest(result.stdout) <= 80
        assert "\x1b[" not in piped(*args).stdout  # and auto in a pipe: none
    check = piped("check", SLIDES, ANSWERS, "--color", "always")
    assert "\x1b[1;31mwrong" in check.stdout and "\x1b[32mright" in check.stdout


def test_color_always_into_a_file_and_never_by_default(tmp_path):
    coloured, plain = tmp_path / "c.txt", tmp_path / "p.txt"
    assert piped("solve", SLIDES, "-o", str(coloured), "--color", "always").returncode == 0
    assert piped("solve", SLIDES, "-o", str(plain)).returncode == 0
    assert "\x1b[" in coloured.read_text() and "\x1b[" not in plain.read_text()
    assert ANSI.sub("", coloured.read_text()) == plain.read_text()


def test_a_bad_color_value_is_refused():
    result = piped("solve", SLIDES, "--color", "sometimes")
    assert result.returncode == 2
    assert "sometimes" in result.stderr and "auto" in result.stderr


def test_screen_rules_without_a_process():
    class Tty:
        def isatty(self):
            return True

        def fileno(self):
            raise ValueError("no descriptor")  # a terminal of unknown size

    class Pipe:
        def isatty(self):
            return False

    assert screen_for("auto", None, stream=Pipe(), environ={}) == Screen(False, FALLBACK_WIDTH)
    assert screen_for("auto", None, stream=Tty(), environ={}).color
    assert screen_for("auto", None, stream=Tty(), environ={}).width == FALLBACK_WIDTH
    assert not screen_for("auto", None, stream=Tty(), environ={"NO_COLOR": "1"}).color
    assert not screen_for("auto", None, stream=Tty(), environ={"TERM": "dumb"}).color
    # NO_COLOR set but empty does not count (no-color.org); -o FILE is no terminal.
    assert screen_for("auto", "-", stream=Tty(), environ={"NO_COLOR": ""}).color
    assert not screen_for("auto", "out.txt", stream=Tty(), environ={}).color
    assert screen_for("always", "out.txt", stream=Pipe(), environ={"NO_COLOR": "1"}).color
    assert not screen_for("never", None, stream=Tty(), environ={}).color
    for columns, width in (("100", 100), ("abc", 80), ("0", 80), ("-5", 80), ("", 80)):
        assert screen_for("auto", None, stream=Pipe(), environ={"COLUMNS": columns}).width \
            == width, columns


def test_a_long_run_says_so_before_it_starts(tmp_path):
    # XOR: 4 patterns, so 60 epochs are 240 steps (> LONG_RUN_STEPS), 50 epochs 200.
    assert LONG_RUN_STEPS == 200
    long = piped("solve", "problems/xor.yaml", "--epochs", "60", "-o", str(tmp_path / "a.txt"))
    assert long.returncode == 0
    notes = [line for line in long.stderr.splitlines() if line.startswith("bpcalc: note:")]
    assert notes == ["bpcalc: note: this run shows 240 steps, each in full; --summary shows "
                     "only the error per epoch and the final weights, --steps (e.g. 1,last) "
                     "only some steps"]
    key = piped("solve", "problems/xor.yaml", "--epochs", "60", "-f", "markdown",
                "-o", str(tmp_path / "k.md"))
    assert "240 steps" in key.stderr
    for quiet in (["--epochs", "50"], ["--epochs", "60", "--summary"],
                  ["--epochs", "60", "--steps", "1-200"], ["--epochs", "60", "-f", "json"]):
        name = "q.json" if "json" in quiet else "q.txt"  # a .txt file holds tables only
        result = piped("solve", "problems/xor.yaml", *quiet, "-o", str(tmp_path / name),
                       "--force")
        assert result.returncode == 0, (quiet, result.stderr)
        assert "note" not in result.stderr, quiet
    chosen = piped("solve", "problems/xor.yaml", "--epochs", "60", "--steps", "1-201")
    assert "this run shows 201 steps" in chosen.stderr

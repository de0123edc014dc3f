"""Issue 8, files: no input overwritten, nothing half-written, no symlink followed, --force
the same everywhere, `-` for standard input and output, FIFOs and devices refused."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "problems" / "slides_2-2-1.yaml"
XOR = ROOT / "problems" / "xor.yaml"
ANSWERS = ROOT / "problems" / "answers" / "slides_2-2-1_correct.yaml"
EXISTS = "exists: choose another name, or --force to replace it"


def bpcalc(*args: str, timeout: float = 60, **options) -> subprocess.CompletedProcess:
    """The real command line in a fresh process (for stdin, devices and FIFOs); the time
    limit turns a hang into a failure."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bpcalc", *args], text=True, timeout=timeout,
                          env=env, cwd=ROOT, check=False, **options)


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpcalc: error: "), stderr
    return lines[0]


def copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


# Each command with its own inputs: (arguments before -o, the input files they name).
def command_lines(tmp_path: Path) -> dict[str, tuple[list[str], list[Path]]]:
    problem = copy(SLIDES, tmp_path / "p.yaml")
    answers = copy(ANSWERS, tmp_path / "a.yaml")
    return {
        "solve": (["solve", str(problem)], [problem]),
        "check": (["check", str(problem), str(answers)], [problem, answers]),
        "explain": (["explain", str(problem), "w47"], [problem]),
        "diagram": (["diagram", str(problem)], [problem]),
        "plot": (["plot", str(copy(XOR, tmp_path / "x.yaml"))], [tmp_path / "x.yaml"]),
    }


# -- -o naming one of the command's own inputs --------------------------------------------

@pytest.mark.parametrize("command", ["solve", "check", "explain", "diagram", "plot"])
@pytest.mark.parametrize("spelling", ["same", "symlink", "dotted", "hardlink"])
@pytest.mark.parametrize("force", [False, True])
def test_output_naming_an_input_is_refused_even_with_force(tmp_path, command, spelling,
                                                             force):
    args, inputs = command_lines(tmp_path)[command]
    for victim in inputs:
        if command in ("diagram", "plot"):  # a problem file named .svg passes the format test
            renamed = victim.with_suffix(".svg")
            victim.rename(renamed)
            args = [str(renamed) if a == str(victim) else a for a in args]
            victim = renamed
        before = victim.read_bytes()
        target = {"same": victim, "dotted": victim.parent / "." / ".." / victim.parent.name
                  / victim.name}.get(spelling)
        if spelling == "symlink":
            target = tmp_path / "link.out"
            target.unlink(missing_ok=True)
            target.symlink_to(victim)
        elif spelling == "hardlink":
            target = tmp_path / "hard.out"
            target.unlink(missing_ok=True)
            os.link(victim, target)
        result = runner.invoke(app, [*args, "-o", str(target), *(["--force"] * force)])
        assert result.exit_code == 2, (result.stdout, result.stderr)
        line = one_error_line(result.stderr)
        assert "--output" in line and "this command reads" in line
        assert victim.read_bytes() == before


def test_input_is_refused_before_any_work(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("layers: [2, 2\n")  # a YAML error that loading would report
    result = runner.invoke(app, ["solve", str(broken), "-o", str(broken)])
    assert result.exit_code == 2
    assert "is the problem file this command reads" in one_error_line(result.stderr)
    assert broken.read_text() == "layers: [2, 2\n"


def test_output_that_is_standard_input_is_refused(tmp_path):
    problem = copy(SLIDES, tmp_path / "p.yaml")
    with problem.open("rb") as stdin:
        result = bpcalc("solve", "-", "-o", str(problem), "--force", stdin=stdin)
    assert result.returncode == 2
    assert "--output" in one_error_line(result.stderr)
    assert problem.read_bytes() == SLIDES.read_bytes()


# -- an existing file needs --force, the same words everywhere ------------------------------

@pytest.mark.parametrize("command", ["solve", "check", "explain", "diagram", "plot"])
def test_existing_output_needs_force(tmp_path, command):
    args, _inputs = command_lines(tmp_path)[command]
    target = tmp_path / ("old.svg" if command in ("diagram", "plot") else "old.txt")
    target.write_text("keep me")
    refused = runner.invoke(app, [*args, "-o", str(target)])
    assert refused.exit_code == 2
    assert f"--output: '{target}' {EXISTS}" in one_error_line(refused.stderr)
    assert target.read_text() == "keep me"
    forced = runner.invoke(app, [*args, "-o", str(target), "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text() != "keep me" and len(target.read_text()) > 100


def test_new_and_examples_use_the_same_words(tmp_path):
    target = tmp_path / "p.yaml"
    target.write_text("mine")
    for args in (["new", "-o", str(target)], ["examples", "xor", "-o", str(target)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert f"'{target}' {EXISTS}" in one_error_line(result.stderr)
    assert target.read_text() == "mine"


@pytest.mark.parametrize("command", ["solve", "check", "explain", "diagram", "plot", "new",
                                     "examples"])
def test_empty_output_name_is_a_clear_error(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = {"new": ["new"], "examples": ["examples", "xor"]}.get(command)
    args = args or command_lines(tmp_path)[command][0]
    result = runner.invoke(app, [*args, "-o", ""])
    assert result.exit_code == 2, result.stderr
    assert "--output: the file name is empty" in one_error_line(result.stderr)
    assert {p.name for p in tmp_path.iterdir()} <= {"a.yaml", "p.yaml", "x.yaml"}


def test_examples_all_to_an_existing_file_is_a_clear_error(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = runner.invoke(app, ["examples", "--all", "--to", str(target)])
    assert result.exit_code == 2
    assert "--to" in one_error_line(result.stderr) and "not a directory" in result.stderr
    assert target.read_text() == "mine"


def test_output_directory_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["solve", str(SLIDES), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in one_error_line(result.stderr)


# -- temporary files and symlinks ----------------------------------------------------------

def test_symlink_planted_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / ".out.json.bpcalc-tmp").symlink_to(victim)  # the old fixed name
    result = runner.invoke(app, ["solve", str(SLIDES), "--format", "json", "-o",
                                 str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious"
    assert json.loads((tmp_path / "out.json").read_text())["layers"] == [2, 2, 1]
    assert not (tmp_path / "out.json").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.json.bpcalc-tmp", "out.json",
                                                          "victim.txt"]


def test_symlink_at_the_destination_is_an_existing_file_and_force_replaces_the_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    refused = runner.invoke(app, ["solve", str(SLIDES), "--format", "json", "-o", str(link)])
    assert refused.exit_code == 2 and EXISTS in one_error_line(refused.stderr)
    assert link.is_symlink()
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere")
    refused = runner.invoke(app, ["solve", str(SLIDES), "-o", str(dangling)])
    assert refused.exit_code == 2 and EXISTS in one_error_line(refused.stderr)
    assert not (tmp_path / "nowhere").exists()
    forced = runner.invoke(app, ["solve", str(SLIDES), "--format", "json", "-o", str(link),
                                 "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert not link.is_symlink() and json.loads(link.read_text())["layers"] == [2, 2, 1]
    assert victim.read_text() == "precious"


def test_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode(tmp_path):
    old_mask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        assert runner.invoke(app, ["solve", str(SLIDES), "-o", str(fresh)]).exit_code == 0
        assert fresh.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        assert runner.invoke(app, ["solve", str(SLIDES), "-o", str(kept),
                                   "--force"]).exit_code == 0
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old_mask)


def test_a_failed_rename_leaves_no_temporary_file_and_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def full(*_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    result = runner.invoke(app, ["solve", str(SLIDES), "-o", str(target), "--force"])
    assert result.exit_code == 2
    assert "no space left on device" in one_error_line(result.stderr)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert target.read_text() == "old"


def test_cleanup_that_fails_too_never_raises(tmp_path, monkeypatch):
    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only)
    monkeypatch.setattr(os, "unlink", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    result = runner.invoke(app, ["solve", str(SLIDES), "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 2
    assert "read-only file system" in one_error_line(result.stderr)


def test_a_directory_that_cannot_hold_the_file_is_one_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    result = runner.invoke(app, ["solve", str(SLIDES), "-o", str(tmp_path / "file" / "out")])
    assert result.exit_code == 2  # the old cleanup raised NotADirectoryError: exit 1
    assert "not a directory" in one_error_line(result.stderr)


# -- standard output, devices ----------------------------------------------------------------

def test_dash_is_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["solve", str(SLIDES), "--format", "json", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["layers"] == [2, 2, 1]
    svg = runner.invoke(app, ["diagram", str(SLIDES), "-o", "-"])
    assert svg.exit_code == 0 and svg.stdout.lstrip().startswith("<?xml"), svg.stderr
    assert list(tmp_path.iterdir()) == []  # no file named '-'


def test_dev_stdout_reaches_standard_output_and_stays_a_link():
    result = bpcalc("solve", str(SLIDES), "--format", "json", "-o", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["layers"] == [2, 2, 1]
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")
    svg = bpcalc("diagram", str(SLIDES), "-o", "/dev/stdout")
    assert svg.returncode == 0 and "<svg" in svg.stdout, svg.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_says_no_space_left():
    result = bpcalc("solve", str(SLIDES), "--format", "json", "-o", "/dev/full")
    assert result.returncode == 2
    assert "cannot write '/dev/full': no space left on device" in one_error_line(result.stderr)
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")
    with open("/dev/full", "w") as full:
        full_stdout = bpcalc("solve", str(SLIDES), stdout=full)
    assert full_stdout.returncode == 2
    assert "no space left on device" in one_error_line(full_stdout.stderr)


# -- the writer as other code uses it: in pieces, all or nothing ------------------------------

def test_open_output_writes_in_pieces_and_only_a_whole_file_appears(tmp_path):
    from bpcalc.commands.files import open_output
    from bpcalc.errors import ProblemError

    target = tmp_path / "trace.json"
    with open_output(target) as stream:
        stream.write('{"steps": [')
        assert not target.exists()  # still the temporary file
        stream.write("]}")
    assert target.read_text() == '{"steps": []}'
    with pytest.raises(RuntimeError), open_output(target, force=True) as stream:
        stream.write('{"half')
        raise RuntimeError("overflow at step 900,000")
    with pytest.raises(ProblemError, match="no space left on device"), \
            open_output(target, force=True, binary=True) as stream:
        stream.write(b"\x89PNG")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert target.read_text() == '{"steps": []}'
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]


# -- reading: only regular files, or '-' for standard input ----------------------------------

def input_positions(tmp_path: Path, special: str) -> dict[str, list[str]]:
    """Every command line that reads a file, with `special` in the file's place."""
    problem = copy(SLIDES, tmp_path / "p.yaml")
    return {
        "solve": ["solve", special],
        "check-problem": ["check", special, str(ANSWERS)],
        "check-answers": ["check", str(problem), special],
        "explain": ["explain", special, "w47"],
        "diagram": ["diagram", special],
        "plot": ["plot", special],
        "generate": ["generate", special, "--out", str(tmp_path / "set")],
    }


@pytest.mark.parametrize("position", ["solve", "check-problem", "check-answers", "explain",
                                      "diagram", "plot", "generate"])
def test_a_fifo_is_refused_at_once_instead_of_waiting_for_ever(tmp_path, position):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = bpcalc(*input_positions(tmp_path, str(fifo))[position], timeout=30)
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert f"{fifo}: it is a named pipe (FIFO), not a file" in line and "'-'" in line
    assert not (tmp_path / "set").exists()


@pytest.mark.parametrize("position", ["solve", "check-answers", "generate"])
def test_a_device_or_a_directory_is_refused(tmp_path, position):
    for special, words in (("/dev/zero", "it is a device, not a file"),
                           (str(tmp_path), "it is a directory, not a file")):
        if position == "check-answers" and special == str(tmp_path):
            # A folder of answers is a class run; this one holds only the problem file.
            words = "holds no .yaml or .yml answers files"
        result = runner.invoke(app, input_positions(tmp_path, special)[position])
        assert result.exit_code == 2
        assert f"{special}: {words}" in one_error_line(result.stderr)


def test_new_piped_into_solve_dash():
    new = subprocess.Popen([sys.executable, "-m", "bpcalc", "new"], stdout=subprocess.PIPE,
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    solved = bpcalc("solve", "-", "--format", "json", stdin=new.stdout)
    new.stdout.close()
    assert new.wait(timeout=60) == 0
    assert solved.returncode == 0, solved.stderr
    # bpcalc new: 2-2-1, all weights 0.5, input (1, 0), bias 1: net4 = 0.5 + 0.5 = 1
    assert json.loads(solved.stdout)["steps"][0]["nodes"][3]["net"] == pytest.approx(1.0)


@pytest.mark.parametrize("position", ["solve", "check-problem", "check-answers", "explain",
                                      "diagram", "plot", "generate"])
def test_dash_reads_standard_input_everywhere(tmp_path, position):
    text = {"check-answers": ANSWERS, "plot": XOR}.get(position, SLIDES).read_text()
    if position == "generate":
        text = (ROOT / "templates" / "slides_2-2-1_variants.yaml").read_text()
    result = runner.invoke(app, input_positions(tmp_path, "-")[position], input=text)
    assert result.exit_code == 0, result.stderr
    if position.startswith("check"):
        assert "net4" in result.stdout
    elif position == "generate":
        assert (tmp_path / "set" / "variant_10.yaml").is_file()
    elif position in ("diagram", "plot"):
        assert "<svg" in result.stdout
    else:
        assert "w47" in result.stdout


def test_errors_in_standard_input_are_named_stdin(tmp_path):
    for position in ("solve", "check-answers", "generate"):
        result = runner.invoke(app, input_positions(tmp_path, "-")[position],
                               input="layers: [2, 2\n")
        assert result.exit_code == 2
        assert one_error_line(result.stderr).startswith("bpcalc: error: <stdin>, line "), \
            position


def test_check_reads_only_one_file_from_standard_input():
    result = runner.invoke(app, ["check", "-", "-"], input=SLIDES.read_text())
    assert result.exit_code == 2
    assert "ANSWERS_FILE: only one of the two files" in one_error_line(result.stderr)


def test_closed_standard_output_is_one_clear_error():
    result = bpcalc("solve", str(SLIDES), "--format", "json", preexec_fn=lambda: os.close(1))
    assert result.returncode == 2  # was an internal error: sys.stdout is None
    assert "cannot write to standard output: it is closed" in one_error_line(result.stderr)


def test_a_fifo_as_output_is_written_into_not_replaced(tmp_path):
    import threading

    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = runner.invoke(app, ["solve", str(SLIDES), "--format", "json", "-o", str(fifo)])
    reader.join(timeout=30)
    if reader.is_alive():  # the old code renamed a file over the FIFO: free the reader
        with open(fifo, "wb"):
            pass
    assert result.exit_code == 0, result.stderr
    assert json.loads(received[0])["layers"] == [2, 2, 1]
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["trace.fifo"]

"""Output files: never an input, never half-written, never followed; one wording everywhere.

A regular file is written to a fresh temporary file beside it (tempfile: a unique name made
with O_EXCL) and renamed into place only when the whole content is written, so a failed run
leaves the earlier file as it was. The rename replaces a symlink at the destination, never
the file it points to. Standard output (`-`), a character device and a FIFO cannot be
replaced, so they are written directly. Callers that write in pieces use `open_output`;
`write_output` writes one string or bytes.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from bpcalc.errors import ProblemError
from bpcalc.problem.yamlsource import STDIN, printable

STDOUT = "-"
# Names of an already open file descriptor: written like a device, never replaced.
_FD_ALIAS = re.compile(r"/dev/(stdout|stderr|fd/\d+)|/proc/(self|\d+)/fd/\d+")


def reason(exc: OSError) -> str:
    """The OS's words for a failure, as a phrase: 'no space left on device'."""
    text = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc)) or "failed"
    return text[:1].lower() + text[1:]


def exists_error(path: str, option: str = "--output") -> ProblemError:
    """The one refusal to overwrite, for every command that writes a file."""
    return ProblemError(f"'{printable(path)}' exists: choose another name, or --force to "
                        "replace it", key=option)


def check_output(output: str | os.PathLike | None, *, force: bool = False,
                 inputs: Iterable[tuple[str, str | os.PathLike]] = (),
                 option: str = "--output") -> None:
    """Refuse a bad destination before any work: an empty name, one of the command's own
    inputs (whatever --force says; `inputs` are (what, path) pairs), a directory, or an
    existing file without --force."""
    if output is None:
        return
    path = os.fspath(output)
    if path == "":
        raise _empty_name(option)
    if path == STDOUT:
        return
    for what, given in inputs:
        if _same_file(path, os.fspath(given)):
            raise ProblemError(f"'{printable(path)}' is {what} this command reads: writing "
                               "it would destroy it; choose another name (even with --force)",
                               key=option)
    _destination(path, force, option)


def writes_directly(output: str | os.PathLike | None) -> bool:
    """True for standard output, a device, a FIFO or an open file descriptor's name."""
    if output is None or os.fspath(output) == STDOUT:
        return True
    try:
        return _kind(os.fspath(output)) == "direct"
    except ProblemError:
        return False


@contextlib.contextmanager
def open_output(output: str | os.PathLike | None, *, force: bool = False,
                binary: bool = False, option: str = "--output") -> Iterator[IO]:
    """A stream to write the output into: None or '-' is standard output.

    A regular file appears only when the block ends without an exception (then it replaces
    the destination); otherwise the temporary file is removed. Write errors (a full disk)
    become one ProblemError naming the file.
    """
    if output is None or os.fspath(output) == STDOUT:
        with _stdout(binary) as stream:
            yield stream
        return
    path = os.fspath(output)
    if path == "":
        raise _empty_name(option)
    opened = _direct if _destination(path, force, option) == "direct" else _replacing
    with opened(path, binary, option) as stream:
        yield stream


def write_output(content: str | bytes, output: str | os.PathLike | None, *,
                 force: bool = False, option: str = "--output") -> None:
    """Write all of `content` (bytes for a PNG) or nothing; None or '-' is standard output."""
    binary = isinstance(content, bytes)
    with open_output(output, force=force, binary=binary, option=option) as stream:
        stream.write(content)


def _kind(path: str) -> str:
    """'direct', 'directory', 'exists' (a file or a symlink), 'other' or 'new'."""
    if _is_fd_alias(path):
        return "direct"
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise _cannot_write(path, exc, "--output") from None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "direct"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return "exists"
    return "other"


def _destination(path: str, force: bool, option: str) -> str:
    try:
        kind = _kind(path)
    except ProblemError as error:
        error.key = option
        raise
    if kind == "directory":
        raise ProblemError(f"'{printable(path)}' is a directory: give a file name",
                           key=option)
    if kind == "other":
        raise ProblemError(f"'{printable(path)}' is not a regular file (a socket or a block "
                           "device): choose another name", key=option)
    if kind == "exists" and not force:
        raise exists_error(path, option)
    return kind


def _is_fd_alias(path: str) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N, or a symlink chain to one of them."""
    current = os.path.abspath(path)
    for _hop in range(8):
        if _FD_ALIAS.fullmatch(current):
            return True
        try:
            target = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return False


def _same_file(output: str, given: str) -> bool:
    """The same (device, inode), through any symlink or spelling; '-' is standard input."""
    try:
        written = os.stat(output)
        read = os.fstat(sys.stdin.fileno()) if given == STDIN else os.stat(given)
    except (OSError, ValueError, AttributeError):
        return False
    return (written.st_dev, written.st_ino) == (read.st_dev, read.st_ino)


def _empty_name(option: str) -> ProblemError:
    return ProblemError("the file name is empty: give a file name, or '-' for standard output",
                        key=option)


def _cannot_write(path: str, exc: OSError, option: str) -> ProblemError:
    return ProblemError(f"cannot write '{printable(path)}': {reason(exc)}", key=option)


@contextlib.contextmanager
def _stdout(binary: bool) -> Iterator[IO]:
    if sys.stdout is None:  # started with standard output closed (>&-)
        raise ProblemError("cannot write to standard output: it is closed")
    try:
        if binary and hasattr(sys.stdout, "buffer"):
            sys.stdout.flush()
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        else:
            yield sys.stdout
            sys.stdout.flush()
    except OSError as exc:
        _silence_stdout()
        raise ProblemError(f"cannot write to standard output: {reason(exc)}") from None


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so the exit's flush cannot fail too."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


@contextlib.contextmanager
def _direct(path: str, binary: bool, option: str) -> Iterator[IO]:
    """A device, a FIFO or an open descriptor: written as it is, appended, never created."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
    try:
        sys.stdout.flush()  # /dev/stdout after what was printed already
        stream = _stream(os.open(path, flags), binary)
    except OSError as exc:
        raise _cannot_write(path, exc, option) from None
    try:
        yield stream
        stream.close()
    except OSError as exc:
        _close_quietly(stream)
        raise _cannot_write(path, exc, option) from None
    except BaseException:
        _close_quietly(stream)
        raise


@contextlib.contextmanager
def _replacing(path: str, binary: bool, option: str) -> Iterator[IO]:
    """A temporary file beside `path`, renamed over it at the end (removed on failure)."""
    folder, name = os.path.split(path)
    mode = _mode_for(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name[:80]}.", suffix=".bpcalc-tmp",
                                             dir=folder or ".")
    except OSError as exc:
        raise _cannot_write(path, exc, option) from None
    stream = None
    try:
        with contextlib.suppress(OSError):
            os.fchmod(handle, mode)
        stream = _stream(handle, binary)
        yield stream
        stream.close()
        os.replace(temporary, path)
    except OSError as exc:
        _discard(stream, handle, temporary)
        raise _cannot_write(path, exc, option) from None
    except BaseException:
        _discard(stream, handle, temporary)
        raise


def _stream(handle: int, binary: bool) -> IO:
    if binary:
        return os.fdopen(handle, "wb")
    return os.fdopen(handle, "w", encoding="utf-8", newline="")


def _mode_for(path: str) -> int:
    """The replaced file's permissions, or what a new file gets under the umask."""
    with contextlib.suppress(OSError):
        status = os.lstat(path)
        if stat.S_ISREG(status.st_mode):
            return stat.S_IMODE(status.st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _close_quietly(stream: IO | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _discard(stream: IO | None, handle: int, temporary: str) -> None:
    """Close and remove the temporary file; never raises (the first error is the news)."""
    if stream is None:
        with contextlib.suppress(OSError):
            os.close(handle)
    _close_quietly(stream)
    with contextlib.suppress(OSError):
        os.unlink(temporary)

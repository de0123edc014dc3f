"""A directory of files written whole or not at all (`bpcalc generate --out DIR`).

The set is built in a fresh temporary directory beside DIR and moved in only once every
file is written, the index last and the manifest after it; a failure on the way (a bad
variant, a full disk, a failed move, which is undone) leaves DIR as it was. The manifest
lists the files bpcalc wrote, so `--force` replaces those and nothing else: any other file
in DIR is named and refused. A lock file (made with O_EXCL) keeps a second run out while
one is writing. A name may hold folders (`prairielearn/Q/info.json`, an export's folder):
they are made as the files move in, and a replaced set's folders left empty are removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from bpcalc.commands.files import reason
from bpcalc.errors import ProblemError
from bpcalc.problem.yamlsource import STDIN, printable

MANIFEST = ".bpcalc-manifest.json"
LOCK = ".bpcalc-lock"
_OPTION = "--out"
_MANIFEST_BYTES = 64 * 1024 * 1024


def check_out_dir(out: str, template: str) -> None:
    """Before any work: a name, not the template nor a directory holding it, not a file."""
    if out == "":
        raise ProblemError("the directory name is empty", key=_OPTION)
    if template != STDIN:
        _refuse_template_in(out, template)
    if os.path.lexists(out) and not os.path.isdir(out):
        raise ProblemError(f"'{printable(out)}' exists and is not a directory", key=_OPTION)


class FileSet:
    """The files of one set, written into the stage until `commit` moves them into DIR."""

    def __init__(self, out: str, stage: str, ours: Callable[[str], bool]):
        self.out, self.stage, self.ours = out, stage, ours
        self.names: list[str] = []

    @contextlib.contextmanager
    def open(self, name: str, *, binary: bool = False) -> Iterator[IO]:
        """A new file of the set, to write in pieces; write errors name its place in DIR."""
        if not (self.ours(name) or name == MANIFEST) or name in self.names or not _plain(name):
            raise ValueError(f"not a new file name of a problem set: {name!r}")
        path = os.path.join(self.stage, name)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with (open(path, "xb") if binary
                  else open(path, "x", encoding="utf-8", newline="")) as stream:
                yield stream
        except OSError as exc:
            raise ProblemError(f"cannot write '{printable(os.path.join(self.out, name))}': "
                               f"{reason(exc)} (nothing in '{printable(self.out)}' changed)",
                               key=_OPTION) from None
        self.names.append(name)

    def write(self, name: str, content: str | bytes) -> None:
        with self.open(name, binary=isinstance(content, bytes)) as stream:
            stream.write(content)

    def commit(self, previous: list[str]) -> None:
        """Move the set in (index, then manifest, last); the earlier set's other files go.
        A failed move puts back everything moved so far."""
        written = sorted(self.names, key=lambda n: (n.startswith("index."), n == "index.md"))
        self.write(MANIFEST, _manifest_text(written))
        backup = os.path.join(self.stage, ".previous")
        journal: list[tuple[str, str]] = []
        try:
            os.mkdir(backup)
            for name in [*written, MANIFEST]:
                target = os.path.join(self.out, name)
                journal.extend(("made", folder) for folder in _make_folders(self.out, name))
                if os.path.lexists(target):
                    _keep(target, backup, name)
                    journal.append(("kept", name))
                os.replace(os.path.join(self.stage, name), target)
                journal.append(("placed", name))
            for name in previous:
                if name not in written and os.path.lexists(os.path.join(self.out, name)):
                    _keep(os.path.join(self.out, name), backup, name)
                    journal.append(("kept", name))
        except OSError as exc:
            self._undo(journal, backup)
            raise ProblemError(f"cannot move the set into '{printable(self.out)}': "
                               f"{reason(exc)} (it is as it was)", key=_OPTION) from None
        _remove_empty_folders(self.out, [n for n in previous if n not in written])

    def _undo(self, journal: list[tuple[str, str]], backup: str) -> None:
        for action, name in reversed(journal):
            if action == "made":
                with contextlib.suppress(OSError):
                    os.rmdir(name)
                continue
            source, target = ((os.path.join(self.out, name), os.path.join(self.stage, name))
                              if action == "placed" else
                              (os.path.join(backup, name), os.path.join(self.out, name)))
            with contextlib.suppress(OSError):
                os.replace(source, target)


@contextlib.contextmanager
def writing_set(out: str, *, force: bool, ours: Callable[[str], bool]) -> Iterator[FileSet]:
    """Lock DIR, refuse what bpcalc did not write, yield the set to fill, then commit it.

    On any failure DIR keeps its earlier contents (a DIR this run created is removed) and
    the lock and the stage go; the cleanup never raises.
    """
    created = _make_directory(out)
    stage = None
    try:
        lock = _lock(out)
        try:
            previous = _previous_set(out, force, ours)
            stage = _make_stage(out)
            files = FileSet(out, stage, ours)
            yield files
            files.commit(previous)
            created = []
        finally:
            if stage is not None:
                shutil.rmtree(stage, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.unlink(lock)
    finally:
        for folder in created:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _plain(name: str) -> bool:
    """A relative name of plain parts: no '..', '.', empty or hidden folder."""
    parts = name.split("/")
    return all(part and not part.startswith(".") for part in parts[:-1]) and ".." not in parts


def _make_folders(out: str, name: str) -> list[str]:
    """The folders of `name` missing in DIR, made, outermost first (to undo)."""
    made = []
    folder = out
    for part in name.split("/")[:-1]:
        folder = os.path.join(folder, part)
        if not os.path.isdir(folder):
            os.mkdir(folder)
            made.append(folder)
    return made


def _keep(path: str, backup: str, name: str) -> None:
    """Move an earlier file aside into the backup, folders and all."""
    target = os.path.join(backup, name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(path, target)


def _remove_empty_folders(out: str, names: list[str]) -> None:
    """The folders of an earlier set's files, once emptied, go (innermost first)."""
    folders = {os.path.dirname(name) for name in names if "/" in name}
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        while folder:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(out, folder))
            folder = os.path.dirname(folder)


def _refuse_template_in(out: str, template: str) -> None:
    try:
        read = os.stat(template)
    except OSError:
        return  # reading it reports the problem
    if _same(out, read):
        raise ProblemError(f"'{printable(out)}' is the template: write the set into a "
                           "directory", key=_OPTION)
    inside = os.path.realpath(template)
    folder = os.path.realpath(out)
    holds = os.path.commonpath([inside, folder]) == folder
    if not holds and os.path.isdir(out):
        with contextlib.suppress(OSError), os.scandir(out) as entries:
            holds = any(_same(entry.path, read) for entry in entries)
    if holds:
        raise ProblemError(f"'{printable(out)}' holds the template '{printable(template)}': "
                           "write the set into another directory (even with --force)",
                           key=_OPTION)


def _same(path: str, read: os.stat_result) -> bool:
    try:
        status = os.stat(path)
    except OSError:
        return False
    return (status.st_dev, status.st_ino) == (read.st_dev, read.st_ino)


def _make_directory(out: str) -> list[str]:
    """Create DIR and its missing parents; return them, deepest first, to undo."""
    missing = []
    current = os.path.abspath(out)
    while not os.path.lexists(current) and current != os.path.dirname(current):
        missing.append(current)
        current = os.path.dirname(current)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        for folder in missing:
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise ProblemError(f"cannot create '{printable(out)}': {reason(exc)}",
                           key=_OPTION) from None
    return missing


def _lock(out: str) -> str:
    path = os.path.join(out, LOCK)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ProblemError(f"another bpcalc generate is writing into '{printable(out)}' (its "
                           f"lock file {LOCK} is there): wait for it to finish, or remove the "
                           "lock file if no run is going", key=_OPTION) from None
    except OSError as exc:
        raise ProblemError(f"cannot write into '{printable(out)}': {reason(exc)}",
                           key=_OPTION) from None
    with contextlib.suppress(OSError):
        os.write(handle, f"{os.getpid()}\n".encode())
    os.close(handle)
    return path


def _previous_set(out: str, force: bool, ours: Callable[[str], bool]) -> list[str]:
    """The earlier set's files that --force may replace; anything else is refused."""
    entries = sorted(_entries(out))
    if not entries:
        return []
    if not force:
        raise ProblemError(f"'{printable(out)}' is not empty: choose another directory, or "
                           "--force to replace the set bpcalc wrote in it", key=_OPTION)
    listed = _read_manifest(out, ours) if MANIFEST in entries else set()
    foreign = [name for name in entries if name != MANIFEST
               and not (name in listed and _is_file(os.path.join(out, name)))]
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise ProblemError(f"'{printable(os.path.join(out, foreign[0]))}'{more} was not "
                           f"written by bpcalc (it is not in {MANIFEST}): --force replaces "
                           "only a set bpcalc wrote; move it away, or choose another "
                           "directory", key=_OPTION)
    return [name for name in entries if name in listed]


def _entries(out: str) -> set[str]:
    """DIR's names, a folder's files as `folder/name` (a folder bpcalc did not list is
    refused by its files; a symbolic link is a name, never followed)."""
    found = set()
    for entry in os.listdir(out):
        path = os.path.join(out, entry)
        if entry != LOCK and os.path.isdir(path) and not os.path.islink(path):
            inner = _entries(path)
            found |= {f"{entry}/{name}" for name in inner} if inner else {entry}
        elif entry != LOCK:
            found.add(entry)
    return found


def _read_manifest(out: str, ours: Callable[[str], bool]) -> set[str]:
    path = os.path.join(out, MANIFEST)
    files = None
    if _is_file(path):
        with contextlib.suppress(OSError, ValueError, RecursionError), open(path, "rb") as stream:
            document = json.loads(stream.read(_MANIFEST_BYTES))
            files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list) or not all(isinstance(n, str) and ours(n) for n in files):
        raise ProblemError(f"'{printable(path)}' is not a manifest bpcalc wrote: move it "
                           "away, or choose another directory", key=_OPTION)
    return set(files)


def _is_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _make_stage(out: str) -> str:
    """A fresh directory beside DIR on the same disk (renames cannot cross disks), else
    inside DIR (beside it may be read-only, or another disk)."""
    folder = os.path.abspath(out)
    with contextlib.suppress(OSError):
        stage = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)[:80]}.bpcalc-stage-",
                                 dir=os.path.dirname(folder))
        if os.stat(stage).st_dev == os.stat(folder).st_dev:
            return stage
        os.rmdir(stage)
    try:
        return tempfile.mkdtemp(prefix=".bpcalc-stage-", dir=folder)
    except OSError as exc:
        raise ProblemError(f"cannot write into '{printable(out)}': {reason(exc)}",
                           key=_OPTION) from None


def _manifest_text(names: list[str]) -> str:
    return json.dumps({"written_by": "bpcalc generate", "files": sorted(names)},
                      indent=1) + "\n"

"""Issue 8, `generate --out DIR`: a whole set or nothing, --force replaces only what the
manifest lists, the template is never touched, and a lock keeps a second run out."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app
from bpcalc.errors import ProblemError

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "slides_2-2-1_variants.yaml"
MANIFEST = ".bpcalc-manifest.json"


def generate(out: Path, *options: str, template: Path = TEMPLATE):
    return runner.invoke(app, ["generate", str(template), "--out", str(out), "--formats",
                               "json", *options])


def tree(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder` (hidden ones too) with its kind and content hash, and
    the entries beside it, so a leftover temporary directory shows."""
    state: dict[str, tuple] = {"..": tuple(sorted(p.name for p in folder.parent.iterdir()))}
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        name = str(path.relative_to(folder))
        if path.is_symlink():
            state[name] = ("link", os.readlink(path))
        elif path.is_dir():
            state[name] = ("dir",)
        else:
            state[name] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(),
                           path.stat().st_mode)
    return state


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpcalc: error: --out: "), stderr
    return lines[0]


@pytest.fixture
def earlier_set(tmp_path) -> Path:
    """A five-variant set written by bpcalc, to be replaced with --force."""
    out = tmp_path / "keys"
    result = generate(out, "--count", "5", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    return out


def test_the_manifest_lists_every_file_written_and_the_index_is_there(earlier_set):
    manifest = json.loads((earlier_set / MANIFEST).read_text())
    names = sorted(p.name for p in earlier_set.iterdir() if p.name != MANIFEST)
    assert manifest["files"] == names and len(names) == 5 * 2 + 3  # the index: .md, .csv, .json
    assert not (earlier_set / ".bpcalc-lock").exists()
    assert sorted(p.name for p in earlier_set.parent.iterdir()) == ["keys"]


def test_a_failed_move_half_way_is_undone(earlier_set, monkeypatch):
    before = tree(earlier_set)
    real_replace = os.replace
    calls = []

    def third_fails(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", third_fails)
    result = generate(earlier_set, "--count", "3", "--seed", "4", "--force")
    assert result.exit_code == 2
    assert "no space left on device" in one_error_line(result.stderr)
    assert tree(earlier_set) == before  # the old code had replaced two files and stopped


@pytest.mark.parametrize("fresh", [False, True])
def test_a_bad_variant_3_leaves_out_as_it_was(tmp_path, earlier_set, monkeypatch, fresh):
    from bpcalc.render import formats

    out = tmp_path / "new" / "keys" if fresh else earlier_set
    before = tree(tmp_path)
    real_render = formats.render
    rendered = []

    def fails_on_variant_3(trace, fmt, options=None):
        rendered.append(fmt)
        if len(rendered) == 3:
            raise ProblemError("step 1, net7 overflowed to infinity (in variant 3)")
        return real_render(trace, fmt, options)

    monkeypatch.setattr(formats, "render", fails_on_variant_3)
    result = generate(out, "--count", "6", "--seed", "4", "--force")
    assert result.exit_code == 2 and "in variant 3" in result.stderr
    assert tree(tmp_path) == before  # a directory the run made is gone again


def test_a_full_disk_while_writing_leaves_out_as_it_was(earlier_set, monkeypatch):
    from bpcalc.commands import fileset

    before = tree(earlier_set)
    opened = []

    def fourth_is_full(path, *args, **kwargs):
        opened.append(path)
        if len(opened) == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(fileset, "open", fourth_is_full, raising=False)
    result = generate(earlier_set, "--count", "3", "--force")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "variant_02.yaml': no space left on device" in line  # the manifest is read first
    assert tree(earlier_set) == before


def test_force_replaces_the_set_and_drops_its_surplus_variants(earlier_set):
    result = generate(earlier_set, "--count", "2", "--seed", "9", "--force")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in earlier_set.iterdir())
    assert names == [MANIFEST, "index.csv", "index.json", "index.md", "variant_01.key.json",
                     "variant_01.yaml", "variant_02.key.json", "variant_02.yaml"]
    assert json.loads((earlier_set / MANIFEST).read_text())["files"] == names[1:]
    assert "seed 9" in (earlier_set / "index.md").read_text()


@pytest.mark.parametrize("planted", ["notes.txt", "directory", "listed-but-symlink",
                                     "no-manifest", "bad-manifest"])
def test_force_refuses_anything_bpcalc_did_not_write(tmp_path, earlier_set, planted):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    manifest = earlier_set / MANIFEST
    if planted == "notes.txt":
        (earlier_set / "notes.txt").write_text("mine")
    elif planted == "directory":
        (earlier_set / "variant_09.yaml").mkdir()
    elif planted == "listed-but-symlink":
        (earlier_set / "variant_05.yaml").unlink()
        (earlier_set / "variant_05.yaml").symlink_to(victim)
    elif planted == "no-manifest":
        manifest.unlink()  # a set from before manifests: bpcalc cannot tell it wrote it
    else:
        manifest.write_text(json.dumps({"files": ["../victim.txt", "variant_01.yaml"]}))
    before = tree(tmp_path)
    result = generate(earlier_set, "--count", "2", "--force")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    expected = {"notes.txt": "notes.txt' was not written by bpcalc",
                "directory": "variant_09.yaml' was not written by bpcalc",
                "listed-but-symlink": "variant_05.yaml' was not written by bpcalc",
                "no-manifest": "index.csv' (and 12 more) was not written by bpcalc",
                "bad-manifest": f"{MANIFEST}' is not a manifest bpcalc wrote"}[planted]
    assert expected in line
    assert tree(tmp_path) == before and victim.read_text() == "precious"


@pytest.mark.parametrize("where", ["inside", "symlinked-out", "hard-link", "out-is-it"])
def test_the_template_is_never_in_out_even_with_force(tmp_path, earlier_set, where):
    template = earlier_set / "variant_05.yaml"  # the old code deleted it as a surplus
    out = earlier_set
    if where == "symlinked-out":
        out = tmp_path / "alias"
        out.symlink_to(earlier_set)
    elif where == "hard-link":
        template = tmp_path / "template.yaml"
        os.link(earlier_set / "variant_05.yaml", template)
    elif where == "out-is-it":
        out = template
    before = tree(tmp_path)
    result = generate(out, "--count", "3", "--force", template=template)
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert ("is the template" if where == "out-is-it" else "holds the template") in line
    assert tree(tmp_path) == before


def test_a_second_run_while_one_is_writing_is_refused(tmp_path):
    from bpcalc.commands.fileset import writing_set
    from bpcalc.commands.generate import set_file

    out = tmp_path / "keys"
    with writing_set(str(out), force=False, ours=set_file().fullmatch) as files:
        files.write("index.md", "# the first run\n")
        second = generate(out, "--count", "2")
        assert second.exit_code == 2
        assert "another bpcalc generate is writing into" in one_error_line(second.stderr)
        assert (out / ".bpcalc-lock").exists()  # the second run left the first one's lock
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "index.md"]
    assert (out / "index.md").read_text() == "# the first run\n"


def test_a_failed_run_removes_its_lock_and_the_directory_it_made(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [2, 2, 1]\nweights: {random: [1, -1], step: 0.1}\n")
    result = generate(tmp_path / "keys", template=bad)
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_the_set_is_staged_inside_out_when_beside_it_cannot_be_written(tmp_path,
                                                                      monkeypatch):
    import tempfile

    real_mkdtemp = tempfile.mkdtemp

    def parent_read_only(*args, dir=None, **kwargs):  # noqa: A002 - mkdtemp's own name
        if Path(dir) == tmp_path:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", parent_read_only)
    result = generate(tmp_path / "keys", "--count", "2")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        MANIFEST, "index.csv", "index.json", "index.md", "variant_01.key.json", "variant_01.yaml",
        "variant_02.key.json", "variant_02.yaml"]


def test_empty_or_file_out_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(TEMPLATE, tmp_path / "t.yaml")
    result = runner.invoke(app, ["generate", "t.yaml", "--out", ""])
    assert result.exit_code == 2
    assert "the directory name is empty" in one_error_line(result.stderr)
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["generate", "t.yaml", "--out", "file"])
    assert "'file' exists and is not a directory" in one_error_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "t.yaml"]

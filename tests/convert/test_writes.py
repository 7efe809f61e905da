"""A failed ``askflow convert`` leaves the file system exactly as it was: output paths are checked before
anything is written, and a write that fails part-way (or is interrupted) takes back every file and folder
it made and puts back every file it replaced. A rerun then behaves like a clean run."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from askflow.cli import main
from askflow.convert.writer import new_library_lock
from askflow.errors import AskflowError
from askflow.files import write_all
from tests.convert.support import write_json, write_yaml

IMAGE = "registry.example.com/team/worker:1.0"


def definition(name: str = "worker") -> dict[str, Any]:
    return {"jobDefinitionName": name, "type": "container",
            "containerProperties": {"image": IMAGE, "command": ["run"],
                                    "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                             {"type": "MEMORY", "value": "2048"}]}}


def cronjob(name: str = "nightly") -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": IMAGE}]}}}}}}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``root``, hidden ones included."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def snapshot_names(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["convert", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def errors(err: str) -> list[str]:
    return err.splitlines()


def test_json_under_a_file_is_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reviewer's case: --json afile/r.json named afile, not the report, and left lib/ and lib/worker/ behind,
    so the corrected rerun saw a non-empty library and wrote no versions.lock."""
    source = write_json(tmp_path, "def.json", definition())
    (tmp_path / "afile").touch()
    before = snapshot(tmp_path)
    code, out, err = cli(capsys, str(source), "--out", str(tmp_path / "lib"), "--json", str(tmp_path / "afile/r.json"))
    assert code == 2 and out == "" and "Traceback" not in err
    assert errors(err) == [f"{tmp_path / 'afile/r.json'}: --json cannot be written: {tmp_path / 'afile'} is a file, "
                           "not a folder; choose another path"]
    assert snapshot(tmp_path) == before
    code, _, _ = cli(capsys, str(source), "--out", str(tmp_path / "lib"), "--json", str(tmp_path / "r.json"))
    assert code == 0 and (tmp_path / "lib" / "versions.lock").is_file()


def test_out_under_a_file_is_refused_before_anything_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_json(tmp_path, "def.json", definition())
    (tmp_path / "afile").touch()
    before = snapshot(tmp_path)
    code, out, err = cli(capsys, str(source), "--out", str(tmp_path / "afile/lib"), "--json", str(tmp_path / "r.json"))
    assert code == 2 and out == ""
    assert errors(err) == [f"{tmp_path / 'afile/lib'}: --out cannot be created: {tmp_path / 'afile'} is a file, not "
                           "a folder; choose another folder"]
    assert snapshot(tmp_path) == before


def test_every_output_path_is_checked_before_writing(tmp_path: Path) -> None:
    (tmp_path / "lib" / "b").mkdir(parents=True)
    (tmp_path / "lib" / "b" / "v1.yaml").mkdir()  # a folder where a file goes
    before = snapshot(tmp_path)
    with pytest.raises(AskflowError) as err:
        write_all({tmp_path / "lib" / "a" / "v1.yaml": "a", tmp_path / "lib" / "b" / "v1.yaml": "b"})
    assert err.value.line() == f"{tmp_path / 'lib/b/v1.yaml'}: cannot be written: is a folder; nothing was written"
    assert snapshot(tmp_path) == before  # lib/a/ was not made


def _fail_on(monkeypatch: pytest.MonkeyPatch, method: str, name: str, exc: BaseException) -> None:
    """Make ``Path.<method>`` raise ``exc`` for the file (or temporary file) called ``name``."""
    original = getattr(Path, method)

    def patched(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == name or self.name.startswith(f".{name}.") and self.name.endswith(".tmp"):
            raise exc
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, patched)


@pytest.mark.parametrize(("method", "name"), [
    ("write_text", "v1.yaml"),  # staging: nightly's files are staged, worker's new folder is made
    ("write_text", "r.json"),  # the last file: every other one is staged
    ("replace", "v1.migration.md"),  # in place: nightly's v2 and the replaced cron file, worker's v1.yaml
    ("replace", "r.json"),  # the last rename: everything else is in place, the old report replaced
])
def test_a_write_failing_part_way_leaves_everything_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, method: str,
        name: str) -> None:
    lib = tmp_path / "lib"
    earlier = cronjob()
    earlier["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"] = ["--earlier"]  # so this
    # run's nightly is a new version
    assert cli(capsys, str(write_yaml(tmp_path, "earlier.yaml", earlier)), "--out", str(lib))[0] == 0
    cron = str(write_yaml(tmp_path, "cron.yaml", cronjob()))
    job = str(write_json(tmp_path, "def.json", definition()))
    (tmp_path / "r.json").write_text("the previous report\n")
    before = snapshot(tmp_path)
    _fail_on(monkeypatch, method, name, OSError(errno.ENOSPC, "No space left on device"))
    code, out, err = cli(capsys, cron, job, "--out", str(lib), "--json", str(tmp_path / "r.json"))
    assert code == 2 and out == "" and "Traceback" not in err
    [line] = errors(err)
    assert line.endswith(": cannot be written (No space left on device); nothing was written"), line
    assert Path(line.split(": ")[0]).name == name  # the file that failed, not its temporary name or folder
    assert snapshot(tmp_path) == before  # no v2, no worker/, no .tmp/.bak, the old cron file and report back
    monkeypatch.undo()
    assert cli(capsys, cron, job, "--out", str(lib), "--json", str(tmp_path / "r.json"))[0] == 0
    assert sorted(p.name for p in (lib / "nightly").iterdir()) == ["cron-nightly.yaml", "v1.migration.md", "v1.yaml",
                                                                   "v2.migration.md", "v2.yaml"]
    assert sorted(p.name for p in (lib / "worker").iterdir()) == ["v1.migration.md", "v1.yaml"]
    assert "nightly-v2" in (lib / "nightly" / "cron-nightly.yaml").read_text()


def test_a_failed_first_run_then_a_rerun_is_a_clean_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A new library whose write fails leaves no folder behind, so the rerun still gets its versions.lock."""
    source = str(write_json(tmp_path, "def.json", definition()))
    before = snapshot(tmp_path)
    _fail_on(monkeypatch, "replace", "v1.migration.md", OSError(errno.EIO, "Input/output error"))
    assert cli(capsys, source, "--out", str(tmp_path / "lib"))[0] == 2
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    assert cli(capsys, source, "--out", str(tmp_path / "lib"))[0] == 0
    assert cli(capsys, source, "--out", str(tmp_path / "clean"))[0] == 0
    assert snapshot(tmp_path / "lib") == snapshot(tmp_path / "clean")
    assert (tmp_path / "lib" / "versions.lock").is_file()


def test_an_interrupted_write_is_undone_and_the_interrupt_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "x.yaml").write_text("old\n")
    before = snapshot(tmp_path)
    _fail_on(monkeypatch, "replace", "z.yaml", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_all({tmp_path / "lib" / "x.yaml": "new\n", tmp_path / "lib" / "new" / "y.yaml": "y\n",
                   tmp_path / "lib" / "z.yaml": "z\n"})
    assert snapshot(tmp_path) == before


def test_empty_folders_left_by_an_older_askflow_are_still_a_new_library(tmp_path: Path) -> None:
    (tmp_path / "lib" / "pi").mkdir(parents=True)
    assert new_library_lock(tmp_path / "lib") == tmp_path / "lib" / "versions.lock"
    (tmp_path / "lib" / "pi" / "v1.yaml").write_text("x\n")
    assert new_library_lock(tmp_path / "lib") is None


def test_json_to_a_fifo_is_refused_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Renaming the report over a FIFO (or /dev/stdout's target) would replace it with a regular file."""
    source = write_json(tmp_path, "def.json", definition())
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    before = snapshot_names(tmp_path)
    code, out, err = cli(capsys, str(source), "--out", str(tmp_path / "lib"), "--json", str(fifo))
    assert code == 2 and out == ""
    assert errors(err) == [f"{fifo}: --json cannot be written: is not a regular file: a FIFO, socket or device is "
                           "never replaced; choose another path"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and snapshot_names(tmp_path) == before



def test_an_existing_library_whose_root_is_read_only_still_takes_new_versions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the folders written into must be writable: a new version goes into lib/worker/, not lib/."""
    source = write_json(tmp_path, "def.json", definition())
    lib = tmp_path / "lib"
    assert cli(capsys, str(source), "--out", str(lib))[0] == 0
    changed = definition()
    changed["containerProperties"]["command"] = ["run", "--again"]
    source = write_json(tmp_path, "def.json", changed)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != lib and real_access(p, mode, **kw))
    code, _, err = cli(capsys, str(source), "--out", str(lib))
    assert (code, err) == (0, "")
    assert (lib / "worker" / "v2.yaml").is_file()

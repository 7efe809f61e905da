"""``askflow convert`` end to end: exit codes, one-line errors, nothing written on failure, versions,
the JSON report, detection messages, determinism, progress bar and summary."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from askflow import yamlio
from askflow.cli import main
from askflow.convert import CODES
from askflow.convert.cli import _Bar
from tests.conftest import ROOT
from tests.convert.support import write_json, write_yaml

IMAGE = "registry.example.com/team/worker:1.0"


def definition(name: str = "worker", **extra: Any) -> dict[str, Any]:
    return {"jobDefinitionName": name, "type": "container",
            "containerProperties": {"image": IMAGE, "command": ["run"],
                                    "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                             {"type": "MEMORY", "value": "2048"}]}, **extra}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["convert", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_exit_0_with_warnings_and_detection_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, "def.json", definition())
    code, out, err = cli(capsys, str(path), "--out", str(tmp_path / "lib"))
    assert code == 0 and err == ""  # what the run did is output, not diagnostics
    assert out.startswith(f"{path}: detected aws-batch (job definition)\n")
    assert "worker" in out and "1/1 converted" in out
    assert sorted(p.name for p in (tmp_path / "lib" / "worker").iterdir()) == ["v1.migration.md", "v1.yaml"]


def test_exit_1_writes_the_convertible_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(tmp_path, "a.json", definition("good"))
    write_json(tmp_path, "b.json", {"jobDefinitionName": "mpi", "type": "multinode", "nodeProperties": {}})
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"))
    assert code == 1
    assert "mpi: not converted: UNSUPPORTED_MULTINODE" in err
    assert (tmp_path / "lib" / "good" / "v1.yaml").exists()
    assert not (tmp_path / "lib" / "mpi").exists()


MALFORMED = {
    "truncated.json": ('{"jobDefinitionName": "x", "type": "contai', "JSON does not parse (line 1, column"),
    "unknown.yaml": ("kind: Pizza\ntoppings: [cheese]\n", "not a definition of any known format"),
    "dupkey.json": ('{"jobDefinitionName": "x", "jobDefinitionName": "y"}', "duplicate key 'jobDefinitionName'"),
    "missing-dep.json": (json.dumps({"Name": "j", "Type": "DAG", "DAG": {"Tasks": {"a": {
        "Parameters": {"Command": {"CommandLine": "x"}}}}, "Dependencies": {"a": ["zzz"]}}}),
        "names downstream task 'zzz'"),
    "cycle.json": (json.dumps([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "dependsOn": [{"jobId": "A"}]}]),
                   "dependency cycle: A -> A"),
    "empty.yaml": ("", "is empty"),
    # numbers that parse but are not finite (1e400 is inf in JSON): one line, not OverflowError/ValueError
    "vcpus-overflow.json": ('{"jobDefinitionName": "x", "type": "container", "containerProperties": '
                            '{"image": "a/b:1", "vcpus": 1e400, "memory": 100}}',
                            "containerProperties.vcpus: expected a finite number"),
    "memory-nan.json": ('{"jobDefinitionName": "x", "type": "container", "containerProperties": {"image": "a/b:1", '
                        '"resourceRequirements": [{"type": "MEMORY", "value": "nan"}]}}',
                        "containerProperties.resourceRequirements[0].value: expected a finite number"),
    "legacy-cpu-inf.json": (json.dumps({"JobName": "old", "TaskDag": {"TaskDescMap": {"S": {
        "InstanceCount": 1, "PackageUri": "oss://b/p.tar.gz", "ProgramName": "s.py", "ProgramType": "python",
        "ImageId": "img-1", "ResourceDescription": {"Cpu": "inf", "Memory": 4000}}}, "Dependencies": {}}}),
        "TaskDag.TaskDescMap.S.ResourceDescription.Cpu: expected a finite number"),
}


#: Files that cannot be read or hold no definition: reported like a linter's findings, the rest converted.
UNREADABLE = {"truncated.json": "1:36", "unknown.yaml": "1:1", "dupkey.json": "1:1", "empty.yaml": "1:1"}


def _beside_a_good_definition(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> tuple[str, Path, Path, str, str]:
    """Convert MALFORMED[name] beside a good definition into tmp_path/lib with a JSON report: the run
    exits 1 with one line on stderr. Returns (the expected message, the bad file, the report,
    stdout, that line)."""
    text, message = MALFORMED[name]
    good = write_json(tmp_path, "good.json", definition())
    bad = tmp_path / "in" / name
    bad.write_text(text, encoding="utf-8")
    report = tmp_path / "report.json"
    code, out, err = cli(capsys, str(good), str(bad), "--out", str(tmp_path / "lib"), "--json", str(report))
    assert code == 1 and "Traceback" not in err
    [line] = err.splitlines()
    return message, bad, report, out, line


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_is_reported_and_the_others_are_converted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    message, bad, report, out, line = _beside_a_good_definition(tmp_path, capsys, name)
    where = f"{bad}:{UNREADABLE[name]}:"
    assert line.startswith(f"{where} not converted: ") and message in line, line
    assert (tmp_path / "lib" / "worker" / "v1.yaml").is_file() and "1 template version(s) written" in out
    data = json.loads(report.read_text())
    assert [item["file"] for item in data["unreadable"]] == [str(bad)]
    assert data["summary"]["converted"] == 1
    # Only unreadable files: nothing could be read, exit 2, one line each, nothing written.
    code, out, err = cli(capsys, str(bad), str(bad), "--out", str(tmp_path / "lib2"))
    assert (code, out) == (2, "") and err.splitlines() == [f"{where} {line.split('not converted: ', 1)[1]}"]
    assert not (tmp_path / "lib2").exists()


@pytest.mark.parametrize("name", sorted(set(MALFORMED) - set(UNREADABLE)))
def test_a_definition_that_cannot_be_converted_is_a_finding_and_the_others_are_converted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """A definition that reads but cannot be converted as a whole (a dependency on a task that does not
    exist, a cycle, a number that is not finite) is one error at its file, line and column; the run goes
    on, exits 1 at the end, and writes nothing for it."""
    message, bad, report, out, line = _beside_a_good_definition(tmp_path, capsys, name)
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: (.*: )?not converted: ", line), line
    assert message in line.replace("not converted: ", ""), line
    assert "1 template version(s) written" in out
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == ["versions.lock", "worker"]
    data = json.loads(report.read_text())
    [failed] = data["malformed"]
    assert failed["file"] == str(bad) and failed["line"] >= 1
    assert message in f"{failed['path']}: {failed['message']}" if failed["path"] else failed["message"]
    assert data["summary"]["converted"] == 1 and data["unreadable"] == []


def _pipeline(tmp_path: Path, definition_name: str = "prep") -> Path:
    return write_json(tmp_path, "pipeline.json", [
        {"jobName": "A", "jobQueue": "q", "jobDefinition": "other"},
        {"jobName": "B", "jobQueue": "q", "jobDefinition": definition_name, "dependsOn": [{"jobId": "A"}]}])


def test_a_pipeline_whose_job_definition_failed_in_another_file_fails_at_its_reference(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dependency across files: the definition's own error at its position, the pipeline's at its
    jobDefinition, naming the other; every file is processed and nothing is written for either."""
    write_json(tmp_path, "good.json", definition())
    broken = tmp_path / "in" / "prep.json"
    broken.write_text('{\n  "jobDefinitionName": "prep",\n  "type": "container",\n  "containerProperties": '
                      '{"image": "a/b:1", "vcpus": 1e400, "memory": 100}\n}\n', encoding="utf-8")
    pipeline = _pipeline(tmp_path)
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"), "--json", "-")
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{pipeline}:13:5: [1].jobDefinition: not converted: job definition 'prep' could not be converted ({broken}:4:45: "
        "containerProperties.vcpus: expected a finite number, found inf): fix it there and convert both again",
        f"{broken}:4:45: containerProperties.vcpus: not converted: expected a finite number, found inf"]
    data = json.loads(out)  # stdout is the report and nothing else
    assert [(f["file"], f["line"], f["column"]) for f in data["malformed"]] == [(str(pipeline), 13, 5),
                                                                               (str(broken), 4, 45)]
    assert [j["name"] for j in data["jobs"]] == ["worker"]
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == ["versions.lock", "worker"]


def test_a_pipeline_is_not_converted_without_its_definition_while_an_input_could_not_be_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The definition may be in the file that does not parse: a template with its image as a parameter
    would be a different one from what the fixed input gives, so the pipeline waits for the fix."""
    (tmp_path / "in").mkdir()
    broken = tmp_path / "in" / "prep.json"
    broken.write_text('{"jobDefinitionName": "prep", "type": ', encoding="utf-8")
    pipeline = _pipeline(tmp_path)
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"))
    assert code == 1 and "0 template version(s) written" in out
    assert err.splitlines()[1] == (
        f"{pipeline}:3:5: [0].jobDefinition: not converted: job definition 'other' is not among the inputs read, "
        f"and {broken} could not be read: fix that first (or convert this pipeline without it)")
    assert not (tmp_path / "lib").exists()
    code, _, err = cli(capsys, str(pipeline), "--out", str(tmp_path / "lib"))  # alone, it converts as before
    assert code == 0 and "JOB_DEFINITION" not in err


def test_json_to_stdout_is_one_complete_document_whatever_happens(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_json(tmp_path, "good.json", definition())
    bad = tmp_path / "in" / "bad.json"
    bad.write_text('{"jobDefinitionName": ', encoding="utf-8")
    code, out, err = cli(capsys, str(good), str(bad), "--out", str(tmp_path / "lib"), "--json", "-")
    assert code == 1 and "detected aws-batch" in err and "1 template version(s) written" in err
    data = json.loads(out)
    assert data["summary"]["converted"] == 1 and [u["file"] for u in data["unreadable"]] == [str(bad)]
    assert not (Path.cwd() / "-").exists()
    # nothing could be read (exit 2): still the document, with nothing converted
    code, out, err = cli(capsys, str(bad), "--out", str(tmp_path / "lib2"), "--json", "-")
    assert code == 2 and json.loads(out)["summary"]["jobs"] == 0 and json.loads(out)["unreadable"][0]["line"] == 1
    assert not (tmp_path / "lib2").exists()
    # a usage error: the error as a document
    code, out, err = cli(capsys, str(tmp_path / "nope.json"), "--out", str(tmp_path / "lib3"), "--json", "-")
    assert code == 2 and json.loads(out)["error"]["message"] == "no such file or folder"
    assert err == f"{tmp_path / 'nope.json'}: no such file or folder\n"


def test_missing_input_and_wrong_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, str(tmp_path / "nope.json"), "--out", str(tmp_path / "lib"))
    assert code == 2 and err.strip() == f"{tmp_path / 'nope.json'}: no such file or folder"
    path = write_json(tmp_path, "def.json", definition())
    code, _, err = cli(capsys, "--from", "k8s", str(path), "--out", str(tmp_path / "lib"))
    assert code == 2 and "is aws-batch (job definition), not --from k8s" in err
    assert err.splitlines() == [f"{path}:1:1: is aws-batch (job definition), not --from k8s"]


def test_name_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, "def.json", definition())
    assert cli(capsys, str(path), "--name", "renamed", "--out", str(tmp_path / "lib"))[0] == 0
    assert yamlio.load_file(tmp_path / "lib" / "renamed" / "v1.yaml")["metadata"]["name"] == "renamed"
    write_json(tmp_path, "other.json", definition("other"))
    code, _, err = cli(capsys, str(tmp_path / "in"), "--name", "x", "--out", str(tmp_path / "lib2"))
    assert code == 2 and "--name names one job, but the inputs hold 2" in err
    code, _, err = cli(capsys, str(path), "--name", "Bad_Name", "--out", str(tmp_path / "lib3"))
    assert code == 2 and "is not a template name" in err


def test_next_free_version_and_cron_follows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
            "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": IMAGE}]}}}}}}
    path = write_yaml(tmp_path, "cron.yaml", cron)
    lib = tmp_path / "lib"
    (lib / "nightly").mkdir(parents=True)
    (lib / "nightly" / "v3.py").write_text("# an existing hera version\n")
    (lib / "nightly" / "v3.migration.md").write_text("# converted earlier\n")  # askflow convert made nightly
    assert cli(capsys, str(path), "--out", str(lib))[0] == 0
    cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"] = ["--changed"]
    path = write_yaml(tmp_path, "cron.yaml", cron)
    assert cli(capsys, str(path), "--out", str(lib))[0] == 0
    names = sorted(p.name for p in (lib / "nightly").iterdir())
    assert names == ["cron-nightly.yaml", "v3.migration.md", "v3.py", "v4.migration.md", "v4.yaml", "v5.migration.md",
                     "v5.yaml"]
    ref = yamlio.load_file(lib / "nightly" / "cron-nightly.yaml")["spec"]["workflowSpec"]["workflowTemplateRef"]
    assert ref == {"name": "nightly-v5"}  # the version just written


def test_a_job_named_like_a_library_template_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, "def.json", definition("etl"))
    lib = tmp_path / "lib"
    (lib / "etl").mkdir(parents=True)
    (lib / "etl" / "v1.yaml").write_text("# written by a person\n")
    before = sorted(p.name for p in lib.rglob("*"))
    code, out, err = cli(capsys, str(path), "--out", str(lib))
    assert (code, out) == (2, "")
    assert err == (f"{path}: job 'etl' is named like the library template {lib / 'etl'} that askflow convert did not "
                   "create; convert it under another name (--name etl-converted, one job at a time) or rename the job\n")
    assert sorted(p.name for p in lib.rglob("*")) == before
    assert cli(capsys, str(path), "--out", str(lib), "--name", "etl-converted")[0] == 0


def test_the_same_input_twice_is_not_a_duplicate_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, "def.json", definition())
    lib = tmp_path / "lib"
    assert cli(capsys, str(path), "--out", str(lib))[0] == 0
    before = sorted(p.name for p in lib.rglob("*"))
    code, out, err = cli(capsys, str(path), "--out", str(lib))
    assert (code, out) == (2, "") and err.startswith(f"{path}: worker-v1 was converted from the same input and is a "
                                                     "draft (release it with `askflow workflows lock worker-v1`)")
    assert sorted(p.name for p in lib.rglob("*")) == before


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(tmp_path, "a.json", definition(retryStrategy={"attempts": 3}))
    write_json(tmp_path, "b.json", {"jobQueueName": "q", "priority": 1})
    report_path = tmp_path / "reports" / "convert.json"
    code, _, _ = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"), "--json", str(report_path))
    assert code == 1
    report = json.loads(report_path.read_text())
    assert set(report) == {"report_version", "summary", "jobs", "codes", "unreadable", "malformed"}
    assert report["unreadable"] == report["malformed"] == []
    assert report["summary"]["jobs"] == 2 and report["summary"]["converted"] == 1
    worker, queue = report["jobs"]
    assert set(worker) == {"name", "status", "version", "deployed_name", "source", "outputs", "parameters",
                           "counts", "entries"}
    assert (worker["status"], worker["version"], worker["deployed_name"]) == ("converted", 1, "worker-v1")
    assert worker["source"]["format"] == "aws-batch" and worker["source"]["kind"] == "job definition"
    assert all(Path(p).exists() for p in worker["outputs"])
    assert queue["status"] == "not-converted" and queue["outputs"] == [] and queue["version"] is None
    for job in report["jobs"]:
        for entry in job["entries"]:
            assert set(entry) <= {"code", "severity", "path", "message", "target"}
            assert entry["severity"] == CODES[entry["code"]].severity
        assert sum(job["counts"].values()) == len(job["entries"])
    retry = next(e for e in worker["entries"] if e["code"] == "RETRY_LIMIT")
    assert retry["path"] == "retryStrategy.attempts" and "limit 2" in retry["message"]
    assert set(report["codes"]) == {e["code"] for j in report["jobs"] for e in j["entries"]}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_deterministic_across_processes(tmp_path: Path) -> None:
    """Same inputs, byte-identical files and JSON report, whatever the hash seed."""
    shared = ROOT.parent / "shared" / "batch-jobs"
    inputs = [str(shared)] if shared.exists() else [str(write_json(tmp_path, "def.json", definition()))]
    snapshots = []
    for seed in ("1", "2"):
        work = tmp_path / "run"
        if work.exists():
            import shutil

            shutil.rmtree(work)
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "askflow.cli", "convert", *inputs, "--out", str(work / "lib"),
                        "--json", str(work / "report.json")], env=env, cwd=ROOT, capture_output=True, check=False)
        snapshots.append(_snapshot(work))
    assert snapshots[0] and snapshots[0] == snapshots[1]


def test_progress_bar_only_on_a_terminal_and_for_many_jobs() -> None:
    for terminal, total, shown in ((True, 10, True), (True, 3, False), (False, 10, False)):
        buffer = io.StringIO()
        bar = _Bar(Console(file=buffer, force_terminal=terminal, width=80))
        bar.start(total)
        for _ in range(total):
            bar.advance("x")
        bar.stop()
        assert (bar.progress is not None) is shown


def test_progress_is_silent_when_stderr_is_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    for i in range(8):
        write_json(tmp_path, f"d{i}.json", definition(f"job{i}"))
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"))
    assert code == 0 and "converting" not in err
    assert "8/8 converted" in out


@pytest.mark.parametrize("where", ["folder", "output", "existing template"])
def test_json_path_that_would_clobber_is_refused_before_writing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    path = write_json(tmp_path, "def.json", definition())
    lib = tmp_path / "lib"
    if where == "existing template":  # this run writes v2; --json must not replace the released v1
        assert cli(capsys, str(write_json(tmp_path, "old.json", definition(retryStrategy={"attempts": 2}))),
                   "--out", str(lib))[0] == 0
        report = lib / "worker" / "v1.yaml"
    elif where == "output":
        report = lib / "worker" / "v1.yaml"
    else:
        report = tmp_path / "reports"
        report.mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    old = report.read_bytes() if report.is_file() else None
    code, out, err = cli(capsys, str(path), "--out", str(lib), "--json", str(report))
    assert code == 2 and out == "" and "Traceback" not in err
    errors = err.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"{report}: --json"), err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written, no .tmp
    assert (report.read_bytes() if report.is_file() else None) == old


def test_summary_prints_file_names_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """File names are data: Rich markup ([red]) and emoji codes (:x:) print as they are."""
    name = "we[red]ird:x:.json"
    write_json(tmp_path, name, definition())
    lib = tmp_path / "l[b]ib"
    code, out, err = cli(capsys, str(tmp_path / "in" / name), "--out", str(lib))
    assert code == 0, err
    assert name in out and f"written to {lib}/" in out


def test_a_failing_run_prints_one_line_whatever_it_detected(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    """Detection is reported with the summary of the run; a file that cannot be read is one line on stderr
    and the files recognised beside it are converted."""
    for i in range(3):
        write_json(tmp_path, f"a{i}.json", definition(f"job{i}"))
    (tmp_path / "in" / "z.json").write_text('{"jobDefinitionName": ', encoding="utf-8")
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "other"))
    assert code == 1 and "3 template version(s) written" in out
    assert len(err.splitlines()) == 1 and err.startswith(f"{tmp_path / 'in' / 'z.json'}:1:23: not converted: JSON does "
                                                         "not parse"), err
    (tmp_path / "in" / "z.json").unlink()
    code, out, err = cli(capsys, str(tmp_path / "in"), "--out", str(tmp_path / "lib"), "--json",
                         str(tmp_path / "r.json"))
    assert code == 0 and err == ""
    assert [line for line in out.splitlines() if ": detected " in line] == [
        f"{tmp_path / 'in' / f'a{i}.json'}: detected aws-batch (job definition)" for i in range(3)]
    assert "detected" not in (tmp_path / "r.json").read_text()  # the JSON report is unchanged


def test_help_says_where_detection_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    assert "the output says which" in " ".join(capsys.readouterr().out.split())


def test_an_input_that_is_not_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO is not 'no such file or folder' (it exists), and is never opened (reading it would block)."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, out, err = cli(capsys, str(fifo), "--out", str(tmp_path / "lib"))
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{fifo}: is a FIFO (named pipe), not a regular file; save the definition to a file "
                                "and give that"]
    link = tmp_path / "gone.json"
    link.symlink_to(tmp_path / "nowhere.json")
    code, _, err = cli(capsys, str(link), "--out", str(tmp_path / "lib"))
    assert code == 2 and err.startswith(f"{link}: is a broken symbolic link (to {tmp_path / 'nowhere.json'})")
    assert not (tmp_path / "lib").exists()

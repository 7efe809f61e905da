"""Conventions every ``askflow`` command follows: exit codes in --help, help text for every
argument, plain-text help, help for a command given without its subcommand, Ctrl-C, closed pipes."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from askflow import cli, jsonout
from tests.conftest import ROOT

PARSERS = list(cli.parsers(cli.build_parser()))
RST = re.compile(r"``|:(class|mod|func|data|meth):`")


@pytest.mark.parametrize(("prog", "parser"), PARSERS, ids=[prog for prog, _ in PARSERS])
def test_help_lists_exit_codes_and_has_no_markup(prog: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert "exit codes:" in text and "130 interrupted (Ctrl-C)" in text, prog
    assert re.search(r"^\s+0 ", text, re.M), text
    assert not RST.search(text), RST.search(text)


@pytest.mark.parametrize(("prog", "parser"), PARSERS, ids=[prog for prog, _ in PARSERS])
def test_every_argument_has_help(prog: str, parser: argparse.ArgumentParser) -> None:
    bare = [a.dest for a in parser._actions if not a.help and not isinstance(a, argparse._SubParsersAction)]
    assert bare == [], prog


@pytest.mark.parametrize(("prog", "parser"), PARSERS, ids=[prog for prog, _ in PARSERS])
def test_every_json_option_is_a_path_where_dash_is_standard_output(prog: str, parser: argparse.ArgumentParser) -> None:
    """One --json for every command (askflow.jsonout): a new command's own variant fails here."""
    for action in parser._actions:
        if "--json" in action.option_strings:
            assert (action.dest, action.metavar, action.type) == (jsonout.DEST, "PATH", None), prog
            assert "(- for standard output" in (action.help or ""), prog


#: Runs that end in an error (exit 2) with --json -: standard output is still one JSON document.
FAILING_WITH_JSON = {
    "lint": ["lint", "{tmp}/nope.yaml", "--json", "-"],
    "workflows list": ["workflows", "list", "--root", "{tmp}/nope", "--json", "-"],
    "convert": ["convert", "{tmp}/nope.json", "--out", "{tmp}/lib", "--json", "-"],
    "plan": ["plan", "--stack", "nope", "--project", str(ROOT), "--out", "{tmp}/out", "--json", "-"],
    "e2e": ["e2e", "--stack", "nope", "--dry-run", "--project", str(ROOT), "--json", "-"],
    "logs": ["logs", "w1", "--stack", "nope", "--project", str(ROOT), "--json", "-"],
}


def test_every_command_with_json_output_is_tested_here() -> None:
    commands = {" ".join(prog.split()[1:]) for prog, parser in PARSERS
                if any("--json" in a.option_strings for a in parser._actions)}
    assert commands == set(FAILING_WITH_JSON)


@pytest.mark.parametrize("command", sorted(FAILING_WITH_JSON))
def test_json_to_standard_output_is_a_document_even_when_the_run_fails(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.format(tmp=tmp_path) for a in FAILING_WITH_JSON[command]]
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert error["exit_code"] == 2 and error["message"] in err and err.count("\n") == 1
    assert not (Path.cwd() / "-").exists()


def test_json_to_standard_output_is_a_document_after_a_usage_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lint", "--json", "-", "--no-such-option", "x.yaml"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and "unrecognized arguments: --no-such-option" in err
    assert json.loads(out)["error"]["message"] == "askflow: unrecognized arguments: --no-such-option"
    with pytest.raises(SystemExit):
        cli.main(["lint", "--no-such-option", "x.yaml"])
    assert capsys.readouterr().out == ""  # no --json -: argparse's usage line alone, on stderr


def test_json_to_standard_output_holds_only_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a command prints for people goes to standard error while its JSON goes to standard output."""
    assert cli.main(["workflows", "list", "--root", str(ROOT / "workflows"), "--environments",
                     str(ROOT / "environments"), "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["versions"] and err == ""
    assert cli.main(["lint", str(ROOT / "workflows" / "etl"), "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["files"] >= 1 and err == ""


@pytest.mark.parametrize("command", ["stack", "workflows"])
def test_a_command_without_its_subcommand_prints_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: askflow {command}") and err == ""


def test_ctrl_c_is_one_line_and_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(_args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    import askflow.lint.cli

    monkeypatch.setattr(askflow.lint.cli, "run", interrupted)
    assert cli.main(["lint", "x"]) == 130
    out, err = capsys.readouterr()
    assert out == "" and err == cli.INTERRUPTED + "\n"


# A real `askflow plan` in a fresh process that sends itself a real SIGINT once the Pulumi program is
# running (inside the event loop, where the interrupt may surface as another error).
INTERRUPT_DURING_PLAN = """
import os, signal, sys, threading
import askflow.plan as plan
from askflow.cli import main
real = plan.run_program
def run_program(*args, **kwargs):
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    return real(*args, **kwargs)
plan.run_program = run_program
sys.exit(main())
"""


def test_ctrl_c_during_a_plan_leaves_nothing_half_written(tmp_path: Path) -> None:
    """One line on stderr, exit 130, no output folder."""
    out_dir = tmp_path / "plan"
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_DURING_PLAN, "plan", "--stack", "dev", "--out", str(out_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if proc.returncode == 0:
        pytest.skip("the plan finished before the signal arrived")
    assert (proc.returncode, proc.stderr) == (130, cli.INTERRUPTED + "\n"), proc.stderr
    assert not out_dir.exists() and not list(tmp_path.iterdir())


SWALLOWED_INTERRUPT = """
import signal, sys, threading, os
import askflow.plan as plan
from askflow.cli import main
def run_program(*args, **kwargs):
    # What a runtime that catches the KeyboardInterrupt and then waits forever does.
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
    while True:
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            # What asyncio prints when the interrupted loop's tasks are collected.
            print("Task was destroyed but it is pending!", file=sys.stderr, flush=True)
plan.run_program = run_program
sys.exit(main())
"""


def test_ctrl_c_that_the_runtime_swallows_still_ends_the_command(tmp_path: Path) -> None:
    """The interrupt is lost inside the program's run: the command still ends, with the one line
    and 130, after cli.UNWIND_SECONDS, instead of hanging; what the unwinding prints is not shown."""
    out_dir = tmp_path / "plan"
    proc = subprocess.run(
        [sys.executable, "-c", SWALLOWED_INTERRUPT, "plan", "--stack", "dev", "--out", str(out_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (130, cli.INTERRUPTED + "\n"), proc.stderr
    assert not out_dir.exists() and not list(tmp_path.iterdir())


def test_a_closed_pipe_is_silent(tmp_path: Path) -> None:
    for i in range(300):
        (tmp_path / f"w{i:03}.yaml").write_text("kind: Workflow\nmetadata: {name: x}\nspec: {}\n")
    read, write = os.pipe()
    os.close(read)  # nobody reads: the first write fails with EPIPE
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from askflow.cli import main; sys.exit(main())", "lint", str(tmp_path)],
        cwd=ROOT, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120,
    )
    os.close(write)
    assert (proc.returncode, proc.stderr) == (141, "")

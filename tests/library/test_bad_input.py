"""Bad input to ``askflow workflows``: one line naming the file or argument and what to do, exit 2,
no traceback, nothing written or half-changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import load_library, parse_deployed_name
from askflow.library.model import check_namespace

Run = Callable[..., tuple[int, str, str]]


def _one_line_error(result: tuple[int, str, str], *expected: str) -> str:
    code, out, err = result
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


# --- version numbers and deployed names (ASCII digits, bounded) ---------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize("arg", ["²", "v²", "٣", "v٣", "１", "0", "v0", "-1", "v", "", " 1", "1 ", HUGE, "v" + HUGE])
def test_diff_refuses_what_is_not_a_version_number(lib_root: Path, askflow: Run, arg: str) -> None:
    for a, b in ((arg, "2"), ("1", arg)):
        err = _one_line_error(askflow("workflows", "diff", "etl", a, b, "--root", str(lib_root)), "is not a version number")
        assert len(err) < 200, "a long argument is cut short in the message"


def test_diff_takes_ascii_numbers_with_or_without_v(lib_root: Path, askflow: Run) -> None:
    assert askflow("workflows", "diff", "etl", "v1", "02", "--root", str(lib_root))[0] == 0
    # A number that fits a deployed name but names no version is a plain "no such version".
    _one_line_error(askflow("workflows", "diff", "etl", "9" * 60, "1", "--root", str(lib_root)), "has no version")


@pytest.mark.parametrize("name", ["etl-v" + HUGE, "etl-v²", "etl-v１", "etl-v2\n", "etl-v" + "9" * 59])
def test_show_and_retire_refuse_what_is_not_a_deployed_name(lib_root: Path, askflow: Run, name: str) -> None:
    err = _one_line_error(askflow("workflows", "show", name, "--root", str(lib_root)), "is neither a template nor")
    assert len(err) < 300
    err = _one_line_error(askflow("workflows", "retire", name, "--root", str(lib_root)), "is not a deployed name")
    assert len(err) < 300


def test_parse_deployed_name_is_ascii_whole_and_bounded() -> None:
    assert parse_deployed_name("etl-v12") == ("etl", 12)
    longest = "e-v" + "9" * 60  # 63 characters: still a deployed name
    assert parse_deployed_name(longest) == ("e", int("9" * 60))
    for text in (longest + "9", "etl-v" + HUGE, "etl-v²", "etl-v٣", "etl-v1\n", "etl\n-v1", "etl-v01"):
        assert parse_deployed_name(text) is None, text


def test_a_trailing_newline_is_no_name(lib_root: Path) -> None:
    with pytest.raises(AskflowError, match="not a valid Kubernetes namespace"):
        check_namespace("data-eng\n")
    folder = lib_root / "etl\n"
    folder.mkdir()
    (folder / "v1.yaml").write_text((lib_root / "etl" / "v1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(AskflowError, match="template folder names are Kubernetes names"):
        load_library(lib_root)


def test_a_lock_key_with_a_huge_number_is_a_one_line_error(lib_root: Path, askflow: Run) -> None:
    lock = lib_root / "versions.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + f"  ? etl-v{HUGE}\n  : sha256:{'0' * 64}\n", encoding="utf-8")
    _one_line_error(askflow("workflows", "list", "--root", str(lib_root)), "is not a deployed name")

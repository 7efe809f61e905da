"""checkov waivers: each names a check and gives a reason; bad files give one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.policies.waivers import main, read_waivers
from tests.conftest import ROOT


def test_the_shipped_waivers_parse() -> None:
    waivers = read_waivers(ROOT / "policy" / "checkov-waivers.yaml")
    assert set(waivers) == {"CKV_ALI_6", "CKV_ALI_11"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waivers:\n  - check: CKV_ALI_6\n", "w.yaml: waivers[0].reason: needs a reason a reviewer can judge"),
        ("waivers:\n  - check: ali6\n    reason: because it is fine here really\n",
         "w.yaml: waivers[0].check: needs a checkov id such as CKV_ALI_6"),
        ("nope: 1\n", "w.yaml: waivers: must hold `waivers:`, a list of {check, reason}"),
    ],
)
def test_bad_waivers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("w.yaml").write_text(text)
    with pytest.raises(AskflowError) as info:
        read_waivers("w.yaml")
    assert info.value.line() == expected
    assert main(["w.yaml"]) == 2

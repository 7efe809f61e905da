"""Waivers for scanners others wrote (checkov): ``policy/checkov-waivers.yaml``.

``python -m askflow.policies.waivers FILE`` prints the waived check ids, comma-separated, for
``checkov --skip-check``; a waiver without a reason is an error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from askflow import yamlio
from askflow.errors import AskflowError

_CHECK = re.compile(r"^CKV2?_[A-Z]+_\d+$")


def read_waivers(path: str | Path) -> dict[str, str]:
    data = yamlio.load_file(path)
    items = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise AskflowError("must hold `waivers:`, a list of {check, reason}", file=str(path), path="waivers")
    out: dict[str, str] = {}
    for i, item in enumerate(items):
        check = item.get("check") if isinstance(item, dict) else None
        reason = item.get("reason") if isinstance(item, dict) else None
        if not isinstance(check, str) or not _CHECK.match(check):
            raise AskflowError("needs a checkov id such as CKV_ALI_6", file=str(path), path=["waivers", i, "check"])
        if not isinstance(reason, str) or len(reason.split()) < 5:
            raise AskflowError("needs a reason a reviewer can judge", file=str(path), path=["waivers", i, "reason"])
        if check in out:
            raise AskflowError(f"{check} is waived twice", file=str(path), path=["waivers", i, "check"])
        out[check] = reason
    return out


def main(argv: list[str]) -> int:
    try:
        print(",".join(sorted(read_waivers(argv[0] if argv else "policy/checkov-waivers.yaml"))))
    except AskflowError as exc:
        print(exc.line(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

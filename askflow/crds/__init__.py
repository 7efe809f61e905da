"""The full Argo CRDs that the chart's install job applies, and checking a copy of them.

The chart's CRD job runs ``kubectl apply -f <crdBaseURL>/<file>`` for each file it names
(argo-helm ``charts/argo-workflows/templates/crds-install-job.yaml``): it cannot check a checksum.
So the download is fixed where it can be: by default ``argo.crd_base_url`` names the files at a
commit of argo-helm, whose content git fixes by hash (:data:`askflow.settings.ARGO_CRD_BASE_URL`).
A mirror (China regions) holds whatever was put there: ``askflow crds --stack NAME --verify``
downloads each file from the stack's ``crd_base_url`` and compares its sha256 with the digests
recorded here from that commit (``data/argo-workflows-<chart>.json``, generated with
``git show <commit>:<path>/<file> | sha256sum``); run it before ``pulumi up``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from askflow.errors import AskflowError

DATA = Path(__file__).resolve().parent / "data"
Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class CrdSet:
    """The CRD files of one chart version: where they were taken from and their digests."""

    chart_version: str
    repository: str
    commit: str
    path: str
    files: dict[str, str]

    @property
    def commit_url(self) -> str:
        """The raw download URL of the files at the recorded commit."""
        owner_repo = self.repository.removeprefix("https://github.com/")
        return f"https://raw.githubusercontent.com/{owner_repo}/{self.commit}/{self.path}"


@cache
def crd_set(chart_version: str) -> CrdSet:
    """The recorded CRDs of ``chart_version``; AskflowError when none are recorded."""
    path = DATA / f"argo-workflows-{chart_version}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem.removeprefix("argo-workflows-") for p in DATA.glob("*.json")))
        raise AskflowError(
            f"no CRD digests recorded for chart {chart_version} (recorded: {known}); add "
            f"{path.name} from that chart's release commit (see askflow/crds/__init__.py)",
            file=str(path),
        )
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return CrdSet(data["chart_version"], data["repository"], data["commit"], data["path"], dict(data["files"]))


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (https only: settings refuse others)
        body: bytes = response.read()
        return body


def verify(base_url: str, crds: CrdSet, fetch: Fetch | None = None) -> list[str]:
    """Download every CRD file from ``base_url`` and compare it with the recorded digest; return the
    URLs checked. AskflowError (exit 1) names the first file whose content differs, (exit 2) the first
    that cannot be downloaded."""
    fetch = fetch or _download
    checked = []
    for name, expected in sorted(crds.files.items()):
        url = f"{base_url.rstrip('/')}/{name}"
        try:
            body = fetch(url)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise AskflowError(f"{url}: cannot download it ({exc}); nothing was checked after it") from None
        actual = "sha256:" + hashlib.sha256(body).hexdigest()
        if actual != expected:
            raise AskflowError(
                f"{url}: is {actual}, but chart {crds.chart_version}'s {name} at argo-helm {crds.commit[:12]} is "
                f"{expected}: the CRD job would apply other CRDs; refresh the mirror from that commit",
                exit_code=1,
            )
        checked.append(url)
    return checked


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crds",
        help="the CRD files Argo's chart job downloads for a stack; --verify checks them by sha256",
        description="List the URLs the chart's CRD install job downloads for a stack (argo.crd_base_url). "
        "With --verify, download each and compare its sha256 with the digests recorded from the chart's "
        "release commit (askflow/crds/data): run it against a mirror before pulumi up.",
    )
    parser.add_argument("--stack", required=True, help="the stack (environments/Pulumi.<stack>.yaml)")
    parser.add_argument("--project", default=".", metavar="DIR", help="the Pulumi project folder (default: .)")
    parser.add_argument("--verify", action="store_true", help="download every file and check its sha256")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from askflow.stacks import load_project, load_settings, read_stack

    settings = load_settings(read_stack(load_project(args.project), args.stack)).argo
    crds = crd_set(settings.chart_version)
    if not args.verify:
        for name in sorted(crds.files):
            print(f"{settings.crd_base_url}/{name}  {crds.files[name]}")
        return 0
    for url in verify(settings.crd_base_url, crds):
        print(f"ok {url}")
    print(f"{len(crds.files)} CRD files match chart {crds.chart_version} (argo-helm {crds.commit})", file=sys.stderr)
    return 0

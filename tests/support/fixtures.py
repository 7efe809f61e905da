"""``make fixtures``: the upstream files the conformance tests read, at pinned versions, verified.

The tests that check askflow against others' truth (Argo's CRDs, schema and examples; the Argo
Workflows chart's values) read them from ``.cache/fixtures/`` when this has downloaded them, else
from ``../shared`` beside the repository, else skip saying ``make fixtures``
(:func:`tests.conftest.shared_path`). ``tests/support/fixtures.sha256`` lists each file: its
SHA-256, its path in the cache (the same as in ../shared) and the URL of that file at a pinned tag:

- Argo Workflows v4.1.2 (https://github.com/argoproj/argo-workflows/tree/v4.1.2): ``examples/``,
  ``api/jsonschema/schema.json``, ``manifests/base/crds/full/``;
- the argo-workflows chart 1.0.18 (https://github.com/argoproj/argo-helm/tree/argo-workflows-1.0.18).

A file is kept only when its SHA-256 matches; anything else is an error naming the URL, and
nothing half-downloaded is left. Files already in the cache with the right sum are not fetched
again. Not here: the job definitions under ``batch-jobs/`` (extracted from documentation pages,
some with syntax fixes, so there is no upstream file to fetch) and Pulumi's project schema; their
tests still read ``../shared`` or skip.

``python -m tests.support.fixtures --manifest SHARED`` rewrites the list from a checkout of the
same files (how it was made).
"""

from __future__ import annotations

import hashlib
import os
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MANIFEST = Path(__file__).with_name("fixtures.sha256")
CACHE = ROOT / ".cache" / "fixtures"

ARGO = "https://raw.githubusercontent.com/argoproj/argo-workflows/v4.1.2/"
CHART = "https://raw.githubusercontent.com/argoproj/argo-helm/argo-workflows-1.0.18/charts/argo-workflows/"
#: Folder in ../shared (and the cache) -> URL prefix of the same files upstream.
SOURCES = {
    "argo/v4.1.2/examples/": ARGO + "examples/",
    "argo/v4.1.2/schema.json": ARGO + "api/jsonschema/schema.json",
    "argo/v4.1.2/crds/": ARGO + "manifests/base/crds/full/",
    "argo-helm/argo-workflows-1.0.18/": CHART,
}


def url_of(path: str) -> str | None:
    for prefix, url in SOURCES.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return url + path[len(prefix):] if prefix.endswith("/") else url
    return None


def entries() -> list[tuple[str, str, str]]:
    """``(sha256, path, url)`` for every line of the manifest."""
    out = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, path, url = line.split("  ")
            out.append((digest, path, url))
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - https URLs from the manifest
        return bytes(response.read())


def download(cache: Path = CACHE, get=fetch) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Fetch every file of the manifest missing from ``cache`` (or with another sum); return
    (fetched, already there). Raises SystemExit naming the URL when a sum does not match."""
    fetched = kept = 0
    for digest, path, url in entries():
        target = cache / path
        if target.is_file() and sha256(target.read_bytes()) == digest:
            kept += 1
            continue
        data = get(url)
        if sha256(data) != digest:
            raise SystemExit(f"{url}: sha256 {sha256(data)}, expected {digest} "
                             f"({MANIFEST.relative_to(ROOT)}); nothing was kept")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        fetched += 1
    return fetched, kept


def write_manifest(shared: Path) -> int:
    lines = ["# sha256  path (in .cache/fixtures and ../shared)  upstream URL at the pinned tag; "
             "made by `python -m tests.support.fixtures --manifest ../shared`"]
    for prefix in SOURCES:
        base = shared / prefix
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for file in files:
            path = file.relative_to(shared).as_posix()
            lines.append(f"{sha256(file.read_bytes())}  {path}  {url_of(path)}")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["--manifest"]:
        print(f"wrote {write_manifest(Path(argv[1]))} entries to {MANIFEST}")
        return 0
    fetched, kept = download()
    print(f"fixtures: {fetched} downloaded, {kept} already in {CACHE.relative_to(ROOT)} (all sha256-verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

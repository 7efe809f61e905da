"""``make fixtures``: the upstream files the conformance tests read, at pinned versions, verified.

The tests that check askflow against others' truth (Argo's CRDs, schema and examples; the Argo
Workflows chart's values) read them from ``.cache/fixtures/`` when this has downloaded them, else
from ``../shared`` beside the repository, else skip saying ``make fixtures``
(:func:`tests.conftest.shared_path`). ``tests/support/fixtures.sha256`` lists each file: its
SHA-256, its path in the cache (the same as in ../shared) and the URL of that file at a pinned tag:

- Argo Workflows v4.1.2 (https://github.com/argoproj/argo-workflows/tree/v4.1.2): ``examples/``,
  ``api/jsonschema/schema.json``, ``manifests/base/crds/full/``;
- the argo-workflows chart 1.0.18 (https://github.com/argoproj/argo-helm/tree/argo-workflows-1.0.18);
- Pulumi's project schema, ``sdk/go/common/workspace/project.json`` of pulumi/pulumi at v3.259.0
  (cached as ``pulumi/v3.259.0/project.json``). ../shared's ``pulumi/project.schema.json`` is an
  edited copy that matches no release (its content differs from every tag from v3.40.1 to v3.259.0),
  so it is not listed; its tests read it beside this one. The CLI CI pins is 3.272.0: v3.259.0 is the
  newest tag whose bytes could be checked where this list was made (the schema is the same from
  v3.255.0 to v3.259.0); move the tag when a newer one can be checked.

A file is kept only when its SHA-256 matches; anything else is an error naming the URL, and
nothing half-downloaded is left. Files already in the cache with the right sum are not fetched
again. Not here: the job definitions under ``batch-jobs/`` (extracted from documentation pages,
some with syntax fixes, so there is no upstream file to fetch); their tests still read ``../shared``
or skip.

``python -m tests.support.fixtures --manifest ARGO_GIT HELM_GIT PULUMI_GIT`` rewrites the list from
git clones of argoproj/argo-workflows, argoproj/argo-helm and pulumi/pulumi (bare or not): each sum
is that of the file at the pinned tag, so the list holds upstream's bytes, not those of a copy. (It
was once made from ../shared, whose copy of examples/archive-location.yaml then differed from the tag.)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MANIFEST = Path(__file__).with_name("fixtures.sha256")
CACHE = ROOT / ".cache" / "fixtures"

ARGO = "https://raw.githubusercontent.com/argoproj/argo-workflows/v4.1.2/"
CHART = "https://raw.githubusercontent.com/argoproj/argo-helm/argo-workflows-1.0.18/charts/argo-workflows/"
PULUMI = "https://raw.githubusercontent.com/pulumi/pulumi/v3.259.0/"
#: Folder in the cache (and ../shared, where it has the file) -> URL prefix of the same files upstream.
SOURCES = {
    "argo/v4.1.2/examples/": ARGO + "examples/",
    "argo/v4.1.2/schema.json": ARGO + "api/jsonschema/schema.json",
    "argo/v4.1.2/crds/": ARGO + "manifests/base/crds/full/",
    "argo-helm/argo-workflows-1.0.18/": CHART,
    "pulumi/v3.259.0/project.json": PULUMI + "sdk/go/common/workspace/project.json",
}
#: Entries ../shared does not hold, and why (tests/test_fixtures.py compares ../shared with the rest).
NOT_IN_SHARED = {
    "pulumi/v3.259.0/project.json": "../shared/pulumi/project.schema.json is an edited copy matching no release",
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
                             f"({MANIFEST.name}); nothing was kept")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        fetched += 1
    return fetched, kept


def _git_source(url: str, argo_git: Path, helm_git: Path, pulumi_git: Path) -> tuple[Path, str, str]:
    """(git dir, tag, path in the repository) of a manifest URL."""
    for base, gitdir in ((ARGO, argo_git), (CHART, helm_git), (PULUMI, pulumi_git)):
        if url.startswith(base):
            owner_repo_tag = base.removeprefix("https://raw.githubusercontent.com/").split("/")
            prefix = "/".join(owner_repo_tag[3:])
            return gitdir, owner_repo_tag[2], prefix + url[len(base):]
    raise SystemExit(f"{url}: not under {ARGO}, {CHART} or {PULUMI}")


def write_manifest(argo_git: Path, helm_git: Path, pulumi_git: Path) -> int:
    """Rewrite the manifest with the sums of the files at the pinned tags in the three git clones.
    The paths listed are those of the current manifest (a new file is added to it by hand)."""
    lines = ["# sha256  path (in .cache/fixtures and ../shared)  upstream URL at the pinned tag; "
             "made by `python -m tests.support.fixtures --manifest ARGO_GIT HELM_GIT PULUMI_GIT`"]
    for _, path, url in entries():
        gitdir, tag, inside = _git_source(url, argo_git, helm_git, pulumi_git)
        shown = subprocess.run(["git", f"--git-dir={_gitdir(gitdir)}", "show", f"{tag}:{inside}"],
                               capture_output=True, check=False)
        if shown.returncode:
            raise SystemExit(f"{gitdir}: no {tag}:{inside} ({shown.stderr.decode().strip()}); nothing was written")
        lines.append(f"{sha256(shown.stdout)}  {path}  {url}")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def _gitdir(clone: Path) -> Path:
    return clone / ".git" if (clone / ".git").is_dir() else clone


def main(argv: list[str]) -> int:
    if argv[:1] == ["--manifest"]:
        if len(argv) != 4:
            raise SystemExit("usage: python -m tests.support.fixtures --manifest ARGO_GIT HELM_GIT PULUMI_GIT")
        print(f"wrote {write_manifest(Path(argv[1]), Path(argv[2]), Path(argv[3]))} entries to {MANIFEST}")
        return 0
    fetched, kept = download()
    print(f"fixtures: {fetched} downloaded, {kept} already in {CACHE.relative_to(ROOT)} (all sha256-verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

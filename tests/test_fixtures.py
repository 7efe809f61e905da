"""``make fixtures``: the manifest matches the files it names, and the download keeps only what matches.

No network: the download is given the bytes (tests/support/fixtures.py fetches them over HTTPS)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.support import fixtures


def test_every_manifest_entry_names_its_upstream_file_at_the_pinned_tag() -> None:
    entries = fixtures.entries()
    assert len(entries) > 230
    for digest, path, url in entries:
        assert len(digest) == 64 and url == fixtures.url_of(path), path
        assert "/v4.1.2/" in url or "/argo-workflows-1.0.18/" in url or "/pulumi/pulumi/v3.259.0/" in url


def test_the_reference_copy_holds_upstream_bytes() -> None:
    """../shared is a copy; the manifest holds the sums of the files at the pinned tags (made from
    git clones of upstream, see tests/support/fixtures.py). A copy that drifts is named file by file."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    drifted = [path for digest, path, _ in fixtures.entries() if path not in fixtures.NOT_IN_SHARED and (
               not (SHARED / path).is_file() or fixtures.sha256((SHARED / path).read_bytes()) != digest)]
    assert not drifted, f"../shared differs from upstream at the pinned tag in {drifted}: run `make fixtures`"


def test_download_verifies_and_keeps_nothing_that_does_not_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"argo/v4.1.2/examples/a.yaml": b"kind: Workflow\n", "argo/v4.1.2/crds/b.yaml": b"kind: CRD\n"}
    manifest = tmp_path / "fixtures.sha256"
    manifest.write_text("# header\n" + "".join(
        f"{fixtures.sha256(data)}  {path}  {fixtures.url_of(path)}\n" for path, data in files.items()))
    monkeypatch.setattr(fixtures, "MANIFEST", manifest)
    served = {fixtures.url_of(path): data for path, data in files.items()}
    cache = tmp_path / "cache"
    assert fixtures.download(cache, served.__getitem__) == (2, 0)
    assert fixtures.download(cache, served.__getitem__) == (0, 2)  # nothing fetched again
    digest, path, url = fixtures.entries()[0]
    (cache / path).write_bytes(b"changed")
    with pytest.raises(SystemExit, match=f"{url}: sha256 .*, expected {digest}"):
        fixtures.download(cache, lambda _url: b"tampered")
    assert (cache / path).read_bytes() == b"changed" and not list((cache / path).parent.glob(".*.tmp"))


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_the_manifest_is_made_from_the_files_at_the_pinned_tags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--manifest ARGO_GIT HELM_GIT PULUMI_GIT``: each sum is that of the file at its tag in its clone,
    not of what the working tree holds; a file missing at the tag writes nothing."""
    paths = ["argo/v4.1.2/examples/a.yaml", "argo-helm/argo-workflows-1.0.18/values.yaml", "pulumi/v3.259.0/project.json"]
    manifest = tmp_path / "fixtures.sha256"
    manifest.write_text("# old\n" + "".join(f"{'0' * 64}  {p}  {fixtures.url_of(p)}\n" for p in paths))
    monkeypatch.setattr(fixtures, "MANIFEST", manifest)
    clones = []
    for path in paths:
        _, tag, inside = fixtures._git_source(str(fixtures.url_of(path)), Path(), Path(), Path())
        clone = tmp_path / tag
        (clone / inside).parent.mkdir(parents=True)
        (clone / inside).write_bytes(f"{tag} at the tag\n".encode())
        _git(clone, "init", "-q")
        _git(clone, "add", ".")
        _git(clone, "commit", "-qm", "x")
        _git(clone, "tag", tag)
        (clone / inside).write_bytes(b"changed after the tag\n")
        clones.append(clone)
    assert fixtures.write_manifest(*clones) == 3
    assert [digest for digest, _, _ in fixtures.entries()] == [
        fixtures.sha256(f"{tag} at the tag\n".encode()) for tag in ("v4.1.2", "argo-workflows-1.0.18", "v3.259.0")]
    before = manifest.read_text()
    with pytest.raises(SystemExit, match="no v4.1.2:examples/a.yaml"):
        fixtures.write_manifest(clones[1], clones[1], clones[2])
    assert manifest.read_text() == before

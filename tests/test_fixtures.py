"""``make fixtures``: the manifest matches the files it names, and the download keeps only what matches.

No network: the download is given the bytes (tests/support/fixtures.py fetches them over HTTPS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.support import fixtures


def test_every_manifest_entry_names_its_upstream_file_at_the_pinned_tag() -> None:
    entries = fixtures.entries()
    assert len(entries) > 230
    for digest, path, url in entries:
        assert len(digest) == 64 and url == fixtures.url_of(path), path
        assert "/v4.1.2/" in url or "/argo-workflows-1.0.18/" in url


def test_the_reference_copy_holds_upstream_bytes() -> None:
    """../shared is a copy; the manifest holds the sums of the files at the pinned tags (made from
    git clones of upstream, see tests/support/fixtures.py). A copy that drifts is named file by file."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    drifted = [path for digest, path, _ in fixtures.entries()
               if not (SHARED / path).is_file() or fixtures.sha256((SHARED / path).read_bytes()) != digest]
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

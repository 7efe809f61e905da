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


def test_the_sums_are_those_of_the_reference_files() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    for digest, path, _ in fixtures.entries():
        assert fixtures.sha256((SHARED / path).read_bytes()) == digest, path


def test_download_verifies_and_keeps_nothing_that_does_not_match(tmp_path: Path) -> None:
    entries = fixtures.entries()
    good = {url: b"" for _, _, url in entries}
    if SHARED.is_dir():
        good = {url: (SHARED / path).read_bytes() for _, path, url in entries}
    else:
        pytest.skip("../shared is absent: no bytes with the right sums to serve")
    assert fixtures.download(tmp_path, good.__getitem__) == (len(entries), 0)
    assert fixtures.download(tmp_path, good.__getitem__) == (0, len(entries))  # nothing fetched again
    digest, path, url = entries[0]
    (tmp_path / path).write_bytes(b"changed")
    with pytest.raises(SystemExit, match=f"{url}: sha256 .*, expected {digest}"):
        fixtures.download(tmp_path, lambda _url: b"tampered")
    assert (tmp_path / path).read_bytes() == b"changed" and not list((tmp_path / path).parent.glob(".*.tmp"))

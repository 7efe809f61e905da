"""Rendering: deployed name, labels, digest annotation, namespace; rendered objects validate
against Argo's CRD schemas (external truth: ../shared/argo/v4.1.2/crds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import DIGEST_ANNOTATION, content_digest, load_library
from tests.library.conftest import LIBRARY, STARTER, crd_errors


def test_rendered_metadata(lib_root: Path) -> None:
    library = load_library(lib_root)
    version = library.by_deployed_name["etl-v2"]
    manifest = version.render(namespace="data-eng")
    meta = manifest["metadata"]
    assert meta["name"] == "etl-v2"
    assert meta["namespace"] == "data-eng"
    assert meta["labels"] == {
        "app.kubernetes.io/name": "etl",
        "app.kubernetes.io/version": "2",
        "app.kubernetes.io/managed-by": "askflow",
    }
    assert meta["annotations"][DIGEST_ANNOTATION] == version.digest
    # The author's own annotation stays.
    assert "workflows.argoproj.io/description" in meta["annotations"]
    # The digest is the canonical content of the source document (what versions.lock records).
    assert version.digest == content_digest(version.document)
    assert version.digest.startswith("sha256:") and len(version.digest) == 7 + 64
    assert "namespace" not in version.render()["metadata"]


def test_render_returns_a_fresh_copy(lib_root: Path) -> None:
    version = load_library(lib_root).versions[0]
    first = version.render()
    first["spec"]["templates"].clear()
    assert version.render()["spec"]["templates"], "mutating a render must not change the library"


def test_render_is_deterministic(lib_root: Path) -> None:
    a = [v.render("ns") for v in load_library(lib_root).versions]
    b = [v.render("ns") for v in load_library(lib_root).versions]
    assert a == b and [list(m["metadata"]) for m in a] == [list(m["metadata"]) for m in b]


def test_bad_namespace(lib_root: Path) -> None:
    with pytest.raises(AskflowError, match="not a valid Kubernetes namespace"):
        load_library(lib_root).versions[0].render("Data_Eng")


def test_cron_render(lib_root: Path) -> None:
    cron = load_library(lib_root).crons_by_name["nightly-etl"]
    manifest = cron.render("data-eng")
    assert manifest["metadata"]["name"] == "nightly-etl"
    assert manifest["metadata"]["labels"]["app.kubernetes.io/version"] == "2"
    assert manifest["spec"]["workflowSpec"]["workflowTemplateRef"]["name"] == "etl-v2"


@pytest.mark.parametrize(
    ("root", "deployed_name"),
    [(root, v.deployed_name) for root in (LIBRARY, STARTER) for v in load_library(root).versions],
    ids=lambda x: x if isinstance(x, str) else x.parent.name,
)
def test_rendered_versions_validate_against_the_crd(root: Path, deployed_name: str) -> None:
    manifest = load_library(root).by_deployed_name[deployed_name].render(namespace="data-eng")
    assert crd_errors(manifest) == []


@pytest.mark.parametrize("root", [LIBRARY, STARTER], ids=["workflows", "fixture"])
def test_rendered_crons_validate_against_the_crd(root: Path) -> None:
    for cron in load_library(root).crons:
        assert crd_errors(cron.render(namespace="data-eng")) == [], cron.name


def test_crd_check_can_fail() -> None:
    manifest = load_library(STARTER).versions[0].render()
    manifest["spec"]["templates"][0]["contianer"] = {}
    manifest["spec"]["activeDeadlineSeconds"] = "soon"
    errors = crd_errors(manifest)
    assert errors, "a misspelt field and a wrong type must be rejected"

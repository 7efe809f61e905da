"""Artifact locations and paths: git/hdfs locations complete, artifact paths present and not
escaping their directory (validate.go: validateArtifactLocation; Artifact.CleanPath)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from askflow.lint.argo.documents import Checks, lst, text

RULES = ("artifact-location",)


class ArtifactChecks(Checks):
    def validate_artifact_location(self, prefix: str, loc: dict[str, Any], path: str) -> None:
        git = loc.get("git")
        if isinstance(git, dict) and not text(git.get("repo")):
            self.emit("artifact-location", f"{path}.git.repo", f"{prefix}.git.repo is required")
        hdfs = loc.get("hdfs")
        if isinstance(hdfs, dict):
            hp, hpath = f"{prefix}.hdfs", f"{path}.hdfs"
            if not lst(hdfs.get("addresses")):
                self.emit("artifact-location", f"{hpath}.addresses", f"{hp}.addresses is required")
            hdfs_path = text(hdfs.get("path"))
            if not hdfs_path:
                self.emit("artifact-location", f"{hpath}.path", f"{hp}.path is required")
            elif not hdfs_path.startswith("/") and "{{" not in hdfs_path:
                self.emit("artifact-location", f"{hpath}.path", f"{hp}.path must be a absolute file path")
            if (
                not text(hdfs.get("hdfsUser"))
                and hdfs.get("krbCCacheSecret") is None
                and hdfs.get("krbKeytabSecret") is None
            ):
                self.emit(
                    "artifact-location",
                    hpath,
                    f"either {hp}.hdfsUser, {hp}.krbCCacheSecret or {hp}.krbKeytabSecret is required",
                )


def clean_path_error(art: Mapping[str, Any]) -> str | None:
    """Artifact.CleanPath: a path is required and must not escape its directory with '..'."""
    path = text(art.get("path"))
    name = text(art.get("name"))
    if not path:
        return f"Artifact '{name}' did not specify a path"
    safe = ""
    if "/../" in path:
        safe = path[: path.index("/../")]
    elif path.endswith("/.."):
        safe = path[:-3]
    if safe:
        cleaned = posixpath.normpath(path)
        if not cleaned.startswith(safe + "/") or len(cleaned) <= len(safe) + 1:
            return f"Artifact '{name}' attempted to use a path containing '..'. Directory traversal is not permitted"
    return None

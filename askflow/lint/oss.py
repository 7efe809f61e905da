"""OSS artifact checks Argo does not make (``// TODO: validate other artifact locations``).

Facts from ``pkg/apis/workflow/v1alpha1`` and ``workflow/artifacts/oss/oss.go`` at v4.1.2, as
summarised in ``../shared/argo/OSS-ARTIFACTS.md``:

* ``key`` is required on an OSS artifact; ``bucket`` + ``endpoint`` + ``key`` make a full location,
  ``key`` alone takes bucket and endpoint from the artifact repository.
* ``securityToken`` is a plain string, so an STS token would sit in the manifest.
* The driver reads AK/SK only when ``!useSDKCreds && accessKeySecret.name != ""`` and dereferences
  ``secretKeySecret`` then: one without the other is a crash (or silently ignored).
* ``lifecycleRule`` errors on Save when the IA transition comes after deletion, and replaces the
  bucket's whole lifecycle configuration; it and ``createBucketIfNotPresent`` need RAM rights beyond
  ``oss:PutObject``/``oss:GetObject``, which is all the platform's workflow role grants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from askflow.lint.variables import join

Report = Callable[[str, str, str], None]


def _oss_locations(
    value: Any, rel: list[str | int]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every ``oss:`` mapping under ``value`` (artifacts, archive locations), status excluded."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "status" and not rel:
                continue
            rel.append(key)
            if key == "oss" and isinstance(item, dict):
                yield tuple(rel), item
            elif isinstance(item, (dict, list)):
                yield from _oss_locations(item, rel)
            rel.pop()
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                rel.append(i)
                yield from _oss_locations(item, rel)
                rel.pop()


def _set(value: Any) -> bool:
    return value not in (None, "", {}, False)


def check(obj: dict[str, Any], report: Report) -> None:
    """Report OSS problems of one document as ``report(rule, path, message)``."""
    for rel, oss in _oss_locations(obj, []):
        path = join("", rel)
        if not _set(oss.get("key")):
            report(
                "oss-missing-key",
                path,
                "OSS artifact has no key: set oss.key (the object key; bucket and endpoint may come from "
                "the artifact repository)",
            )
        if _set(oss.get("securityToken")):
            report(
                "oss-security-token",
                f"{path}.securityToken",
                "securityToken is a plain string, so the STS token sits in the manifest: use useSDKCreds "
                "(RRSA) instead",
            )
        access, secret = _set(oss.get("accessKeySecret")), _set(oss.get("secretKeySecret"))
        sdk = oss.get("useSDKCreds") is True
        if access != secret and not sdk:
            missing = "secretKeySecret" if access else "accessKeySecret"
            present = "accessKeySecret" if access else "secretKeySecret"
            report(
                "oss-credentials-pair",
                f"{path}.{present}",
                f"{present} without {missing}: the OSS driver needs both (or neither, with useSDKCreds)",
            )
        if sdk and (access or secret):
            report(
                "oss-sdk-creds-conflict",
                f"{path}.useSDKCreds",
                "useSDKCreds ignores accessKeySecret/secretKeySecret: remove them (credentials come from RRSA)",
            )
        bucket, endpoint = _set(oss.get("bucket")), _set(oss.get("endpoint"))
        if bucket != endpoint:
            given, absent = ("bucket", "endpoint") if bucket else ("endpoint", "bucket")
            report(
                "oss-partial-location",
                f"{path}.{given}",
                f"{given} without {absent}: Argo treats the artifact as key-only and uses the artifact "
                f"repository's {absent} and {given}, ignoring this one; set both or neither",
            )
        rule = oss.get("lifecycleRule")
        if isinstance(rule, dict):
            ia, deletion = rule.get("markInfrequentAccessAfterDays"), rule.get("markDeletionAfterDays")
            if isinstance(ia, int) and isinstance(deletion, int) and 0 < deletion < ia:
                report(
                    "oss-lifecycle-rule",
                    f"{path}.lifecycleRule",
                    f"markInfrequentAccessAfterDays ({ia}) is after markDeletionAfterDays ({deletion}): the "
                    "driver fails on save",
                )
        for extra in ("createBucketIfNotPresent", "lifecycleRule"):
            if _set(oss.get(extra)):
                what = (
                    "creates the bucket (oss:PutBucket)"
                    if extra == "createBucketIfNotPresent"
                    else "replaces the bucket's whole lifecycle configuration (oss:PutBucketLifecycle)"
                )
                report(
                    "oss-extra-permissions",
                    f"{path}.{extra}",
                    f"{extra} {what}: the workflow role grants only oss:PutObject and oss:GetObject",
                )

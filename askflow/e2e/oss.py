"""The stack's bucket with the runner's own credentials (the environment's, or the STS credentials
of the role CI assumed through OIDC): never through RRSA, so the check is independent of what the
smoke workflow proved. OSS SDK for Python v2 (https://github.com/aliyun/alibabacloud-oss-python-sdk-v2).
"""

from __future__ import annotations

from typing import Any

from askflow.e2e.backend import StepFailed

#: OSS deletes at most 1,000 objects per DeleteMultipleObjects request.
DELETE_BATCH = 1000


def _code(exc: Exception) -> str | None:
    """OSS's error code (``NoSuchKey``, ``AccessDenied``): the SDK wraps a ServiceError in an OperationError."""
    inner = exc.unwrap() if hasattr(exc, "unwrap") else exc
    code = getattr(inner, "code", None) or getattr(exc, "code", None)
    return str(code) if code else None


class OssBucket:
    """:class:`askflow.e2e.backend.Bucket` over ``alibabacloud_oss_v2``."""

    def __init__(self, name: str, endpoint: str, region: str, access_key: str, secret: str, token: str | None) -> None:
        import alibabacloud_oss_v2 as oss

        self._oss = oss
        self.name = name
        config = oss.config.load_default()
        config.region = region
        # The stack's ossInternalEndpoint output: the runner is in the VPC (the API server is private).
        config.endpoint = endpoint
        config.credentials_provider = oss.credentials.StaticCredentialsProvider(access_key, secret, token)
        self._client = oss.Client(config)

    def _fail(self, what: str, exc: Exception) -> StepFailed:
        return StepFailed(f"{what} oss://{self.name}: {_code(exc) or exc}"[:400])

    def read(self, key: str) -> bytes:
        oss = self._oss
        try:
            result = self._client.get_object(oss.GetObjectRequest(bucket=self.name, key=key))
            try:
                data: bytes = result.body.read()
            finally:
                result.body.close()
        except Exception as exc:  # the SDK's errors (OperationError/ServiceError) and network errors
            raise self._fail(f"GetObject {key} from", exc) from None
        return data

    def empty(self) -> int:
        oss = self._oss
        deleted = 0
        try:
            paginator = self._client.list_object_versions_paginator()
            for page in paginator.iter_page(oss.ListObjectVersionsRequest(bucket=self.name)):
                entries: list[Any] = [*(page.version or []), *(page.delete_marker or [])]
                for i in range(0, len(entries), DELETE_BATCH):
                    batch = [oss.ObjectIdentifier(key=e.key, version_id=e.version_id) for e in entries[i:i + DELETE_BATCH]]
                    self._client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
                        bucket=self.name, delete=oss.Delete(objects=batch, quiet=True)))
                    deleted += len(batch)
        except Exception as exc:
            if _code(exc) == "NoSuchBucket":
                return deleted
            raise self._fail("emptying", exc) from None
        return deleted

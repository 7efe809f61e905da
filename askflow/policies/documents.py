"""RAM policy documents: RRSA trust policies and least-privilege bucket access.

Both follow Alibaba Cloud's RAM policy language (``Version: "1"``, ``Statement``); see
https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RRSA_AUDIENCE = "sts.aliyuncs.com"
SECURE_TRANSPORT_KEY = "acs:SecureTransport"


def federated_trust_policy(provider_arn: str, string_equals: dict[str, Any]) -> dict[str, Any]:
    """Let identities of one OIDC provider assume a role when every claim equals exactly."""
    return {
        "Version": "1",
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"Federated": [provider_arn]},
                "Condition": {"StringEquals": string_equals},
            }
        ],
    }


def rrsa_trust_policy(issuer_url: str, provider_arn: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Trust exactly one service account through the cluster's OIDC provider."""
    return federated_trust_policy(provider_arn, {
        "oidc:aud": RRSA_AUDIENCE,
        "oidc:iss": issuer_url,
        "oidc:sub": f"system:serviceaccount:{namespace}:{service_account}",
    })


def bucket_access_policy(
    bucket: str,
    prefixes: Sequence[str],
    *,
    read_only: bool = False,
    allow_delete: bool = False,
    read_prefixes: Sequence[str] = (),
    kms_key_arn: str | None = None,
) -> dict[str, Any]:
    """Get/put/list on ``bucket`` limited to ``prefixes`` (get only with ``read_only``), get on
    ``read_prefixes``; delete only for artifact GC; the bucket's KMS key when it has one (SSE-KMS
    reads and writes need it: https://www.alibabacloud.com/help/en/oss/user-guide/server-side-encryption-8)."""
    object_actions = ["oss:GetObject"] if read_only else ["oss:GetObject", "oss:PutObject"]
    if allow_delete and not read_only:
        object_actions.append("oss:DeleteObject")
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": object_actions, "Resource": [f"acs:oss:*:*:{bucket}/{p}*" for p in prefixes]}
    ]
    extra_reads = [p for p in read_prefixes if p not in prefixes]
    if extra_reads:
        statements.append({
            "Effect": "Allow", "Action": ["oss:GetObject"],
            "Resource": [f"acs:oss:*:*:{bucket}/{p}*" for p in extra_reads],
        })
    listed = [*prefixes, *extra_reads]
    list_statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": ["oss:ListObjects"],
        "Resource": [f"acs:oss:*:*:{bucket}"],
    }
    if all(listed):
        list_statement["Condition"] = {"StringLike": {"oss:Prefix": [f"{p}*" for p in listed]}}
    statements.append(list_statement)
    if kms_key_arn:
        kms_actions = ["kms:Decrypt"] if read_only else ["kms:Decrypt", "kms:GenerateDataKey"]
        statements.append({"Effect": "Allow", "Action": kms_actions, "Resource": [kms_key_arn]})
    return {"Version": "1", "Statement": statements}


def https_only_bucket_policy(bucket: str) -> dict[str, Any]:
    """An OSS bucket policy that refuses every request made over plain HTTP.

    OSS accepts HTTP unless the bucket policy denies requests whose ``acs:SecureTransport`` is
    false, for any principal, on the bucket and its objects (Cloud Config rule
    ``oss-bucket-only-https-enabled``:
    https://www.alibabacloud.com/help/en/cloud-config/latest/oss-bucket-only-https-enabled).
    """
    return {
        "Version": "1",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": ["*"],
                "Action": ["oss:*"],
                "Resource": [f"acs:oss:*:*:{bucket}", f"acs:oss:*:*:{bucket}/*"],
                "Condition": {"Bool": {SECURE_TRANSPORT_KEY: ["false"]}},
            }
        ],
    }

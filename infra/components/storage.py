"""The OSS bucket that holds Argo's artifacts and archived logs.

Private (ACL and public-access block), HTTPS only (a bucket policy denies every request over plain
HTTP), encrypted (SSE-KMS with the stack's key, else AES256),
versioned where the stack says (on in prod), ZRS in prod, with lifecycle rules: artifacts expire
after the stack's retention, Argo UI uploads under ``uploads/`` expire (Argo's docs warn they
accumulate there), incomplete multipart uploads are aborted, old versions expire. The bucket name
is deterministic per stack so a platform team can find it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from askflow.policies.documents import https_only_bucket_policy
from askflow.settings import Storage


@dataclass(frozen=True, kw_only=True)
class StorageArgs:
    settings: Storage
    """The stack's storage settings."""
    bucket_name: str
    """The bucket's (globally unique, deterministic) name."""
    protect: bool = False
    """Pulumi `protect` on the bucket (prod)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Bucket tags."""


class StorageComponent(pulumi.ComponentResource):
    """Artifact bucket with its ACL and public-access block (``askflow:storage:ArtifactStore``)."""

    bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:storage:ArtifactStore", name, None, opts)
        s = args.settings
        if s.kms_key_id:
            sse = alicloud.oss.BucketServerSideEncryptionRuleArgs(sse_algorithm="KMS", kms_master_key_id=s.kms_key_id)
        else:
            sse = alicloud.oss.BucketServerSideEncryptionRuleArgs(sse_algorithm="AES256")
        # OSS takes one rule per prefix (a second rule for "" is refused), so everything for the
        # whole bucket is one rule. UI uploads expire sooner: a second Expiration on an overlapping
        # prefix, which OSS accepts only with lifecycle_rule_allow_same_action_overlap.
        rules = [
            alicloud.oss.BucketLifecycleRuleArgs(
                id="whole-bucket",
                enabled=True,
                prefix="",
                expirations=[alicloud.oss.BucketLifecycleRuleExpirationArgs(days=s.artifact_retention_days)],
                abort_multipart_uploads=[
                    alicloud.oss.BucketLifecycleRuleAbortMultipartUploadArgs(days=s.abort_multipart_days)
                ],
                noncurrent_version_expirations=[
                    alicloud.oss.BucketLifecycleRuleNoncurrentVersionExpirationArgs(days=s.noncurrent_version_days)
                ] if s.versioning else None,
            ),
            alicloud.oss.BucketLifecycleRuleArgs(
                id="expire-ui-uploads",
                enabled=True,
                prefix="uploads/",
                expirations=[alicloud.oss.BucketLifecycleRuleExpirationArgs(days=s.uploads_retention_days)],
            ),
        ]
        bucket = alicloud.oss.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            storage_class="Standard",
            redundancy_type=s.redundancy,
            server_side_encryption_rule=sse,
            versioning=alicloud.oss.BucketVersioningArgs(status="Enabled" if s.versioning else "Suspended"),
            lifecycle_rules=rules,
            lifecycle_rule_allow_same_action_overlap=True,
            # Access logs into the bucket itself (under access-logs/, expired with the rest):
            # who read or wrote which artifact, without a second bucket to manage.
            logging=alicloud.oss.BucketLoggingArgs(target_bucket=args.bucket_name, target_prefix="access-logs/"),
            force_destroy=s.force_destroy,
            tags=args.tags,
            # The bucket policy is the BucketPolicy's below. oss.Bucket still reads the live policy
            # into its own optional `policy` (resource_alicloud_oss_bucket.go l. 349-352, 909-933 at
            # 81c43b67) and, finding it differs from the unset input, an update sends an empty one,
            # which DELETEs the bucket policy (l. 1062-1067, 1538-1552): after a refresh, the next
            # `up` would drop the HTTPS-only deny. The provider's doc says to ignore it.
            # Likewise `acl`, which the BucketAcl below owns (oss_bucket doc: ignore_changes for what a
            # companion resource manages; acl is Computed today, l. 36-42, so this only keeps it so).
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, ignore_changes=["acl", "policy"]),
        )
        alicloud.oss.BucketAcl(
            f"{name}-acl", bucket=bucket.id, acl="private", opts=pulumi.ResourceOptions(parent=self)
        )
        alicloud.oss.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_access=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # OSS serves plain HTTP too unless the bucket policy refuses it. The document names the
        # bucket from the settings, so a preview of a new stack already shows (and checks) it.
        # A resource of its own: the provider deprecates oss.Bucket's `policy` since 1.220.0.
        alicloud.oss.BucketPolicy(
            f"{name}-https-only",
            bucket=bucket.id,
            policy=json.dumps(https_only_bucket_policy(args.bucket_name), sort_keys=True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = bucket.bucket.apply(lambda b: b or args.bucket_name)
        self.register_outputs({"bucketName": self.bucket_name})

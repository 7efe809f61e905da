"""Settings of a bootstrap stack (``bootstrap/environments/Pulumi.<stack>.yaml``), parsed once, frozen.

The region comes from ``alicloud:region``; everything else from ``askflow-bootstrap:settings``.
Defaults live here. :func:`parse_bootstrap_settings` turns both into :class:`BootstrapSettings`
or raises one :class:`~askflow.errors.AskflowError` naming the file and the key path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from askflow.bootstrap import PROJECT, SETTINGS_KEY
from askflow.bootstrap.service_roles import SERVICE_ROLE_NAMES
from askflow.policies.documents import RRSA_AUDIENCE
from askflow.settings import DNS_LABEL, OSS_BUCKET, SettingsError, matching, region_id, validate_config

# GitHub owner/repository names: letters, digits, '-', '_', '.'.
_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9_.-]+$")
_REF_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{40}$")
_RAM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$")
# Pulumi project names (tokens.ValidateProjectName): letters, digits, '_', '.', '-'.
_PULUMI_PROJECT = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_OIDC_PROVIDER_ARN = re.compile(r"^acs:ram::\d+:oidc-provider/[A-Za-z0-9.-]+$")

Repository = Annotated[str, matching(_REPOSITORY, "`owner/repository`")]
RamOidcProviderName = Annotated[str, matching(_RAM_NAME, "a valid RAM OIDC provider name")]
RamOidcProviderArn = Annotated[
    str, matching(_OIDC_PROVIDER_ARN, "a RAM OIDC provider ARN (acs:ram::<account>:oidc-provider/<name>)")
]
StateBucketName = Annotated[str, matching(OSS_BUCKET, "a valid OSS bucket name (3-63 lowercase letters, digits, '-')")]
PulumiProject = Annotated[str, matching(_PULUMI_PROJECT, "a Pulumi project name (letters, digits, '_', '.', '-')")]

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# The audience `aliyun/configure-aliyun-credentials-action@v1` requests by default (its action.yml),
# and the client id GitHub's guide for Alibaba Cloud recommends: STS's, the same as RRSA's.
GITHUB_AUDIENCE = RRSA_AUDIENCE
# SHA-1 fingerprints of the CA of token.actions.githubusercontent.com that AWS and others pin.
# They change when GitHub rotates certificates: check with
#   openssl s_client -servername token.actions.githubusercontent.com \
#     -connect token.actions.githubusercontent.com:443 -showcerts </dev/null \
#   | openssl x509 -fingerprint -sha1 -noout
GITHUB_FINGERPRINTS = ("6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)


class GitHub(_Model):
    """Who may assume the CI roles: GitHub Actions of one repository, through OIDC.

    The `oidc:sub` claim of a job is `repo:<repo>:ref:refs/heads/<branch>` for a push,
    `repo:<repo>:pull_request` for a pull request, and `repo:<repo>:environment:<name>` when the job
    runs in a GitHub environment (https://docs.github.com/en/actions/reference/security/oidc).
    """

    repository: Repository = Field(description="`owner/repository` whose workflows may assume the CI roles.")
    deploy_branches: tuple[str, ...] = Field(
        ("main",),
        description="Branches whose push jobs may assume the deploy role of `branch_environment`; also the only "
        "branches the deploy environments accept (next steps restrict them in GitHub).",
    )
    deploy_environments: tuple[str, ...] = Field(
        ("dev", "prod"),
        description="GitHub environments whose jobs may deploy, one CI deploy role each, named like the main "
        "project's stacks: environment `dev` may manage `<managed_prefix>-dev-*` names only. Give them required "
        "reviewers in GitHub (prod).",
    )
    branch_environment: str | None = Field(
        None,
        description="A deploy environment whose role push jobs of `deploy_branches` may also assume, without "
        "running in that GitHub environment. Default null: only jobs running in a deploy environment may deploy "
        "(the workflow's `up-dev` job runs in `dev`); otherwise any job of any workflow on those branches, "
        "with no environment rules, gets the role.",
    )
    preview_stacks: tuple[str, ...] = Field(
        ("dev", "staging"),
        description="Stacks of the main project whose `pulumi preview` a pull request may run, each in GitHub "
        "environment `preview-<stack>` (no reviewers; it holds that stack's passphrase) with a read-only role that "
        "reads that stack's state only. Never a prod-class stack: prod previews run in the `prod` environment.",
    )
    oidc_provider_name: RamOidcProviderName = Field("github-actions", description="Name of the RAM OIDC provider to create.")
    oidc_provider_arn: RamOidcProviderArn | None = Field(
        None, description="Bring your own: an existing RAM OIDC provider for GitHub (then none is created)."
    )
    fingerprints: tuple[str, ...] = Field(
        GITHUB_FINGERPRINTS, description="SHA-1 fingerprints of the issuer's CA certificate (lowercase hex)."
    )

    @field_validator("deploy_branches", "deploy_environments", "preview_stacks")
    @classmethod
    def _refs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for ref in v:
            # Exact names only: the trust policy uses StringEquals so that no pattern can match a
            # branch or environment someone creates later.
            if not _REF_PART.match(ref) or "*" in ref:
                raise ValueError(f"{ref!r} is not an exact branch or environment name (no wildcards)")
        if len(set(v)) != len(v):
            raise ValueError("lists a name twice")
        return v

    @field_validator("deploy_environments")
    @classmethod
    def _environments_apart(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        # Environment `dev` may manage `<managed_prefix>-dev-*`: that pattern would also match
        # every name of an environment `dev-eu`, so dev's role could change or delete them.
        for env in v:
            for other in v:
                if other.startswith(f"{env}-"):
                    raise ValueError(
                        f"{other!r} starts with {env!r}-: the deploy role of {env!r} (names {env}-*) could manage "
                        f"{other!r}'s resources; rename one"
                    )
        return v

    @model_validator(mode="after")
    def _preview_environments_apart(self) -> GitHub:
        for i, env in enumerate(self.deploy_environments):
            if env.startswith("preview-"):
                raise SettingsError(
                    ("deploy_environments", i),
                    f"{env!r}: `preview-<stack>` names the environments pull requests preview in; rename it",
                )
        return self

    @field_validator("fingerprints")
    @classmethod
    def _fingerprints(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for fp in v:
            if not _FINGERPRINT.match(fp):
                raise ValueError(f"{fp!r} is not a SHA-1 fingerprint (40 lowercase hex digits)")
        if not v:
            raise ValueError("give at least one fingerprint")
        return v

    @model_validator(mode="after")
    def _branch_environment(self) -> GitHub:
        if self.branch_environment is not None and self.branch_environment not in self.deploy_environments:
            raise SettingsError(
                ("branch_environment",),
                f"{self.branch_environment!r} is not one of deploy_environments ({', '.join(self.deploy_environments)})",
            )
        return self

    def deploy_subjects(self, environment: str) -> tuple[str, ...]:
        """`oidc:sub` values allowed to assume the deploy role of ``environment``, sorted.

        Jobs running in that GitHub environment, plus push jobs of the deploy branches for
        ``branch_environment``: a job in `dev` (or a push) can never assume prod's role.
        """
        subs = [f"repo:{self.repository}:environment:{environment}"]
        if environment == self.branch_environment:
            subs += [f"repo:{self.repository}:ref:refs/heads/{b}" for b in self.deploy_branches]
        return tuple(sorted(subs))

    @property
    def previewed_stacks(self) -> tuple[str, ...]:
        """Stacks with a read-only preview role: those pull requests preview and the deploy environments."""
        return tuple(sorted({*self.preview_stacks, *self.deploy_environments}))

    def preview_subjects(self, stack: str) -> tuple[str, ...]:
        """`oidc:sub` values allowed to assume ``stack``'s read-only preview role, sorted.

        Jobs in GitHub environment `preview-<stack>` (pull requests, for `preview_stacks`) and jobs
        in the deploy environment of the same name (whose reviewers and branch rules apply). Never
        `pull_request` itself: a pull-request job outside an environment gets no cloud role, and
        its only way to a stack's state and passphrase is that stack's preview environment.
        """
        subs = []
        if stack in self.preview_stacks:
            subs.append(f"repo:{self.repository}:environment:{preview_environment(stack)}")
        if stack in self.deploy_environments:
            subs.append(f"repo:{self.repository}:environment:{stack}")
        return tuple(sorted(subs))


def preview_environment(stack: str) -> str:
    """The GitHub environment whose jobs may preview ``stack`` from a pull request."""
    return f"preview-{stack}"


class StateBucket(_Model):
    """The OSS bucket that holds Pulumi state (the DIY backend)."""

    bucket_name: StateBucketName | None = Field(None, description="Bucket name (globally unique); default `<name>-<region>-pulumi-state`.")
    redundancy: Literal["LRS", "ZRS"] = Field("ZRS", description="OSS redundancy. State is small and precious: ZRS.")
    kms_key_id: str | None = Field(None, description="KMS key for server-side encryption (SSE-KMS); AES256 when unset.")
    noncurrent_version_days: int = Field(
        90, ge=1, description="Old versions of state files expire after this many days (recovery window)."
    )
    history_retention_days: int = Field(
        365, ge=1, description="Pulumi's per-update history and backup files (`.pulumi/history/`, `.pulumi/backups/`) "
        "expire after this many days. Current state files never expire."
    )
    abort_multipart_days: int = Field(2, ge=1, description="Incomplete multipart uploads are aborted after this many days.")
    endpoint: Literal["public", "internal"] = Field(
        "public", description="The OSS S3 endpoint of the `pulumi login` URL: `public` (`s3.oss-<region>.aliyuncs.com`) "
        "or `internal` (`s3.oss-<region>-internal.aliyuncs.com`, reachable from the region's VPCs only). OSS refuses "
        "data operations through the default public endpoints for buckets in mainland China regions of accounts "
        "opened since 2025-03-20: those run `pulumi` inside the VPC (a bastion, a self-hosted CI runner) with `internal`."
    )


class BootstrapSettings(_Model):
    """Everything a bootstrap stack creates. Parsed from `alicloud:region` and `askflow-bootstrap:settings`."""

    name: str = Field(description="Prefix of the bootstrap's own physical names (state bucket, CI roles).")
    region: str = Field(description="Alibaba Cloud region of the state bucket (from `alicloud:region`).")
    managed_prefix: str = Field(
        "askflow",
        description="Prefix of every physical name the main project's stacks create (their `name` starts with "
        "`<managed_prefix>-`). The CI role may create and delete only OSS buckets, SLS projects and RAM roles "
        "and policies with this prefix.",
    )
    regions: tuple[str, ...] = Field((), description="Regions the main project deploys to (default: `region`).")
    project: PulumiProject = Field(
        "askflow",
        description="Name of the main Pulumi project (`name` in ../Pulumi.yaml). Its stacks' state lives under "
        "`.pulumi/*/<project>/` in the state bucket: each deploy role may write only its own stack's files there.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on every taggable resource.")
    github: GitHub
    state: StateBucket = Field(default_factory=StateBucket)
    existing_roles: tuple[str, ...] = Field(
        (),
        description="Service-linked and service roles ASK/ECI need that the account already has: they are "
        "checked, not created.",
    )

    @field_validator("name", "managed_prefix")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > 30 or not DNS_LABEL.match(v):
            raise ValueError(
                f"{v!r} is not a valid name prefix: at most 30 lowercase letters, digits and '-', "
                "starting with a letter"
            )
        return v

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        return region_id(v)

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for r in v:
            region_id(r)
        return v

    @field_validator("existing_roles")
    @classmethod
    def _existing(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for role in v:
            if role not in SERVICE_ROLE_NAMES:
                raise ValueError(f"{role!r} is not a role the bootstrap manages ({', '.join(SERVICE_ROLE_NAMES)})")
        return v

    @model_validator(mode="after")
    def _check(self) -> BootstrapSettings:
        # The CI role may create and delete anything named `<managed_prefix>-*`. If the bootstrap's
        # own roles, policies or state bucket matched that pattern, CI could rewrite its own
        # permissions or delete the state: refuse.
        if self.name == self.managed_prefix or self.name.startswith(f"{self.managed_prefix}-"):
            raise SettingsError(
                ("name",),
                f"must not start with managed_prefix {self.managed_prefix!r}: the CI role could then modify the "
                "bootstrap's own roles and state bucket (e.g. use `platform`)",
            )
        if self.project == PROJECT:
            raise SettingsError(
                ("project",), f"{PROJECT!r} is the bootstrap's own project: name the main project (../Pulumi.yaml)"
            )
        bucket = self.state_bucket_name
        if not OSS_BUCKET.match(bucket):
            raise SettingsError(("state", "bucket_name"), f"the default {bucket!r} is too long: set bucket_name")
        if bucket.startswith(f"{self.managed_prefix}-"):
            raise SettingsError(
                ("state", "bucket_name"), f"must not start with managed_prefix {self.managed_prefix!r}-"
            )
        return self

    @property
    def state_bucket_name(self) -> str:
        return self.state.bucket_name or f"{self.name}-{self.region}-pulumi-state"

    @property
    def deploy_regions(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.regions or (self.region,))))

    def deploy_role_name(self, environment: str) -> str:
        return f"{self.name}-ci-deploy-{environment}"

    def environment_prefix(self, environment: str) -> str:
        """Physical names the deploy role of ``environment`` may manage start with this and ``-``.

        The main project's stack ``<env>`` is named ``<managed_prefix>-<env>`` (environments/*.yaml
        ``name:``) and its buckets, SLS projects and RAM names start with that.
        """
        return f"{self.managed_prefix}-{environment}"

    def preview_role_name(self, stack: str) -> str:
        return f"{self.name}-ci-preview-{stack}"


def parse_bootstrap_settings(region: Any, raw: Any, *, file: str) -> BootstrapSettings:
    """Build :class:`BootstrapSettings` from the two config values, or raise one :class:`AskflowError`."""
    return validate_config(
        BootstrapSettings, region, raw, file=file, key=SETTINGS_KEY, what="bootstrap settings",
        region_hint="the region of the state bucket, e.g. cn-hangzhou",
    )

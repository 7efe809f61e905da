"""askflow-bootstrap: what an account needs before the first ``pulumi up`` of the main project.

Settings come from ``alicloud:region`` and ``askflow-bootstrap:settings``
(:mod:`askflow.bootstrap.settings`); the documents from :mod:`askflow.bootstrap.policy`. Creates:

1. the OSS bucket holding Pulumi state: private (ACL and public-access block), versioned,
   encrypted, old versions expire, ``protect``-ed; the stack exports the ``pulumi login`` URL;
2. a RAM OIDC provider for GitHub Actions and roles trusting it (one deploy role per deploy
   environment, one read-only preview role) with custom policies that name services and actions;
3. the service-linked and service roles ASK and ECI need (or checks those the account has);
4. the RRSA policies of every stack of the main project (``../environments/``), computed from its
   settings (:mod:`askflow.rrsa`): the stacks only attach them, so CI never writes a policy
   document. Adding a tenant (or a stack) means running this bootstrap first.

Run ``pulumi up`` from ``bootstrap/`` with admin credentials, or offline
``askflow plan --project bootstrap --stack <stack>``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

from askflow.bootstrap import PROJECT, SETTINGS_KEY
from askflow.bootstrap.policy import (
    backend_url,
    ci_deploy_policies,
    ci_preview_policy,
    deploy_output_name,
    github_trust_policy,
    next_steps,
    preview_output_name,
    render,
)
from askflow.bootstrap.service_roles import SERVICE_ROLES, service_trust_policy
from askflow.bootstrap.settings import GITHUB_AUDIENCE, GITHUB_ISSUER, BootstrapSettings, parse_bootstrap_settings
from askflow.e2e.names import e2e_stack_name
from askflow.e2e.plan import e2e_copy
from askflow.errors import AskflowError
from askflow.policies.documents import https_only_bucket_policy
from askflow.rrsa import stack_policies
from askflow.settings import Settings
from askflow.stacks import load_project, load_settings, read_stack

PROTECTED = pulumi.ResourceOptions(protect=True)
# The main project: bootstrap/program/__main__.py -> the repository root.
MAIN_PROJECT = Path(__file__).resolve().parent.parent.parent


def main_stacks(s: BootstrapSettings, file: str) -> dict[str, Settings]:
    """Settings of every stack of the main project; the deploy and preview stacks must be among them,
    and a pull request never previews a prod-class stack."""
    project = load_project(MAIN_PROJECT)
    stacks = {name: load_settings(read_stack(project, name)) for name in project.stacks()}
    gh = s.github
    for key, names in (("deploy_environments", gh.deploy_environments), ("preview_stacks", gh.preview_stacks)):
        for i, name in enumerate(names):
            if name not in stacks:
                raise AskflowError(
                    f"{name!r} has no stack file environments/Pulumi.{name}.yaml in the main project "
                    f"(stacks: {', '.join(stacks) or 'none'})",
                    file=file, path=f"{SETTINGS_KEY}.github.{key}[{i}]",
                )
    # The e2e copy of each non-prod deploy stack (`askflow e2e`, run by that stack's deploy role):
    # its RRSA policies are created here like every stack's, from the copy `stack new` derives.
    for env in gh.deploy_environments:
        copy = e2e_stack_name(env)
        if stacks[env].environment != "prod" and copy not in stacks:
            stacks[copy] = e2e_copy(project, env).settings
    for i, name in enumerate(gh.preview_stacks):
        if stacks[name].environment == "prod":
            raise AskflowError(
                f"{name!r} is a prod stack: pull requests never preview prod (its previews run in the deploy "
                "environment); remove it",
                file=file, path=f"{SETTINGS_KEY}.github.preview_stacks[{i}]",
            )
    return stacks


def rrsa_policies(stacks: dict[str, Settings]) -> dict[str, tuple[str, ...]]:
    """The RRSA policies every stack attaches (:func:`askflow.rrsa.stack_policies`), created here so that
    no CI role needs to write a policy document. Returns the policy names by stack."""
    names: dict[str, tuple[str, ...]] = {}
    for stack, settings in sorted(stacks.items()):
        policies = stack_policies(settings)
        for name, document in sorted(policies.items()):
            alicloud.ram.Policy(
                f"rrsa-{name}",
                policy_name=name,
                description=f"askflow stack {stack}: artifact bucket access of RAM role {name.removesuffix('-oss')} (RRSA)",
                policy_document=render(document),
                # Updates create policy versions; RAM keeps at most five.
                rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
            )
        names[stack] = tuple(sorted(policies))
    return names


def state_bucket(s: BootstrapSettings, tags: dict[str, str]) -> alicloud.oss.Bucket:
    """The Pulumi state bucket.

    Current state files (``.pulumi/stacks/``) never expire. What the DIY backend writes on every
    update, a checkpoint copy under ``.pulumi/history/`` (and ``.pulumi/backups/``), grows without
    bound, so it expires after the stack's history retention.
    https://www.pulumi.com/docs/iac/guides/basics/using-a-diy-backend/
    """
    st = s.state
    if st.kms_key_id:
        sse = alicloud.oss.BucketServerSideEncryptionRuleArgs(sse_algorithm="KMS", kms_master_key_id=st.kms_key_id)
    else:
        sse = alicloud.oss.BucketServerSideEncryptionRuleArgs(sse_algorithm="AES256")
    bucket = alicloud.oss.Bucket(
        f"{s.name}-state",
        bucket=s.state_bucket_name,
        storage_class="Standard",
        redundancy_type=st.redundancy,
        server_side_encryption_rule=sse,
        # Versioning keeps every checkpoint Pulumi overwrites: a corrupted or deleted state file
        # can be restored from an older version.
        versioning=alicloud.oss.BucketVersioningArgs(status="Enabled"),
        lifecycle_rules=[
            *(
                alicloud.oss.BucketLifecycleRuleArgs(
                    id=f"expire-{folder}",
                    enabled=True,
                    prefix=f".pulumi/{folder}/",
                    expirations=[alicloud.oss.BucketLifecycleRuleExpirationArgs(days=st.history_retention_days)],
                )
                for folder in ("history", "backups")
            ),
            # One rule for the whole bucket: OSS refuses two rules with the same prefix.
            alicloud.oss.BucketLifecycleRuleArgs(
                id="whole-bucket",
                enabled=True,
                prefix="",
                noncurrent_version_expirations=[
                    alicloud.oss.BucketLifecycleRuleNoncurrentVersionExpirationArgs(days=st.noncurrent_version_days)
                ],
                abort_multipart_uploads=[
                    alicloud.oss.BucketLifecycleRuleAbortMultipartUploadArgs(days=st.abort_multipart_days)
                ],
            ),
        ],
        force_destroy=False,
        tags=tags,
        # The ACL and the policy are their companion resources' below; the bucket would otherwise
        # read the live policy back and delete it on its next update (infra/components/storage.py).
        opts=pulumi.ResourceOptions.merge(PROTECTED, pulumi.ResourceOptions(ignore_changes=["acl", "policy"])),
    )
    # Protected like the bucket: `pulumi destroy --exclude-protected` (or --continue-on-error)
    # deletes every unprotected resource and keeps the bucket, which would leave the state readable
    # without its private ACL, public-access block and HTTPS-only policy (pulumi/pulumi#8359).
    alicloud.oss.BucketAcl(f"{s.name}-state-acl", bucket=bucket.id, acl="private", opts=PROTECTED)
    alicloud.oss.BucketPublicAccessBlock(
        f"{s.name}-state-public-access-block", bucket=bucket.id, block_public_access=True, opts=PROTECTED
    )
    # Pulumi's S3 backend speaks HTTPS (the login URL's endpoint): plain HTTP is refused.
    alicloud.oss.BucketPolicy(
        f"{s.name}-state-https-only",
        bucket=bucket.id,
        policy=json.dumps(https_only_bucket_policy(s.state_bucket_name), sort_keys=True),
        opts=PROTECTED,
    )
    return bucket


def service_roles(s: BootstrapSettings, file: str) -> list[str]:
    """Create the roles ASK/ECI need, or check the ones the stack says exist. Returns their names."""
    names = []
    for role in SERVICE_ROLES:
        names.append(role.name)
        if role.name in s.existing_roles:
            found = alicloud.ram.get_roles(name_regex=f"^{role.name}$")
            if role.name not in (found.names or []):
                i = s.existing_roles.index(role.name)
                raise AskflowError(
                    f"role {role.name} does not exist in this account: remove it from existing_roles so the "
                    "bootstrap creates it",
                    file=file,
                    path=f"{SETTINGS_KEY}.existing_roles[{i}]",
                )
            continue
        if role.kind == "service-linked":
            alicloud.resourcemanager.ServiceLinkedRole(
                f"{s.name}-{role.name}", service_name=role.service, description=role.why, opts=PROTECTED
            )
        else:
            created = alicloud.ram.Role(
                f"{s.name}-{role.name}",
                role_name=role.name,
                assume_role_policy_document=json.dumps(service_trust_policy(role.service), sort_keys=True),
                description=role.why,
                opts=PROTECTED,
            )
            alicloud.ram.RolePolicyAttachment(
                f"{s.name}-{role.name}-policy",
                role_name=created.role_name,
                policy_name=str(role.policy),
                policy_type="System",
                opts=PROTECTED,
            )
    return names


#: A deploy job's STS session: a stack's first `up` creates the cluster (the provider waits up to
#: 90 minutes, resource_alicloud_cs_managed_kubernetes.go's Timeouts) and the database, and an e2e
#: run adds a workflow and a destroy (cluster delete: up to 60 minutes); a session that ends mid-run
#: leaves a half-applied stack. The deploy and e2e jobs' timeout-minutes stay inside it
#: (tests/bootstrap/test_ci_workflow.py). RAM accepts 3600-43200 seconds.
DEPLOY_SESSION_SECONDS = 10800
#: A preview only reads: one hour.
PREVIEW_SESSION_SECONDS = 3600


def ci_identity(
    s: BootstrapSettings, account: str, stacks: dict[str, Settings], policies: dict[str, tuple[str, ...]]
) -> tuple[pulumi.Output[str], dict[str, pulumi.Output[str]], dict[str, pulumi.Output[str]]]:
    """The GitHub OIDC provider, the deploy roles and the preview roles.

    Returns (provider ARN, deploy role ARN by environment, preview role ARN by stack).
    """
    gh = s.github
    if gh.oidc_provider_arn:
        provider_arn: pulumi.Output[str] = pulumi.Output.from_input(gh.oidc_provider_arn)
    else:
        provider = alicloud.ims.OidcProvider(
            f"{s.name}-github-oidc",
            oidc_provider_name=gh.oidc_provider_name,
            issuer_url=GITHUB_ISSUER,
            client_ids=[GITHUB_AUDIENCE],
            fingerprints=list(gh.fingerprints),
            description=f"GitHub Actions of {gh.repository} (askflow CI)",
            opts=PROTECTED,
        )
        # The documented ARN form, derived from the provider's own output so roles wait for it.
        provider_arn = provider.oidc_provider_name.apply(lambda n: f"acs:ram::{account}:oidc-provider/{n}")

    def role(role_name: str, what: str, subjects: tuple[str, ...], documents: dict[str, str],
             session_seconds: int) -> pulumi.Output[str]:
        created = alicloud.ram.Role(
            role_name,
            role_name=role_name,
            assume_role_policy_document=provider_arn.apply(lambda arn: render(github_trust_policy(arn, subjects))),
            description=f"askflow CI ({what}) for GitHub Actions of {gh.repository}",
            # The longest STS session a job may ask for (AssumeRoleWithOIDC's DurationSeconds is
            # capped by it); the provider sends it as MaxSessionDuration
            # (alicloud/resource_alicloud_ram_role.go l. 146-148).
            max_session_duration=session_seconds,
        )
        for key, document in sorted(documents.items()):
            name = f"{role_name}-{key}" if key else role_name
            policy = alicloud.ram.Policy(
                name,
                policy_name=name,
                description=f"askflow CI ({what}): {key or 'read-only'}",
                policy_document=document,
                # Updates create policy versions; RAM keeps at most five.
                rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
            )
            alicloud.ram.RolePolicyAttachment(
                name if key else f"{role_name}-attachment",
                role_name=created.role_name,
                policy_name=policy.policy_name,
                policy_type="Custom",
            )
        return created.arn

    deploy = {
        env: role(
            s.deploy_role_name(env), f"deploy {env}", gh.deploy_subjects(env),
            {k: render(v) for k, v in ci_deploy_policies(
                s, account, env, environment_class=stacks[env].environment, rrsa_policies=(*policies[env], *policies.get(e2e_stack_name(env), ())),
            ).items()},
            DEPLOY_SESSION_SECONDS,
        )
        for env in gh.deploy_environments
    }
    preview = {
        stack: role(s.preview_role_name(stack), f"preview {stack}", gh.preview_subjects(stack),
                    {"": render(ci_preview_policy(s, account, stack))}, PREVIEW_SESSION_SECONDS)
        for stack in gh.previewed_stacks
    }
    return provider_arn, deploy, preview


def main() -> None:
    stack = pulumi.get_stack()
    file = f"bootstrap/environments/Pulumi.{stack}.yaml"
    s = parse_bootstrap_settings(
        pulumi.Config("alicloud").get("region"),
        pulumi.Config(PROJECT).get_object(SETTINGS_KEY.split(":", 1)[1]),
        file=file,
    )
    tags = {"managed-by": "askflow-bootstrap", "askflow-stack": stack, **s.tags}
    account = alicloud.get_account().id
    bucket = state_bucket(s, tags)
    roles = service_roles(s, file)
    stacks = main_stacks(s, file)
    provider_arn, deploy_arns, preview_arns = ci_identity(s, account, stacks, rrsa_policies(stacks))
    login_url = backend_url(s.state_bucket_name, s.region, s.state.endpoint)

    pulumi.export("stateBucketName", bucket.bucket)
    pulumi.export("loginUrl", login_url)
    pulumi.export("oidcProviderArn", provider_arn)
    for env, arn in deploy_arns.items():
        pulumi.export(deploy_output_name(env), arn)
    for stack, arn in preview_arns.items():
        pulumi.export(preview_output_name(stack), arn)
    pulumi.export("serviceRoles", {"created": [r for r in roles if r not in s.existing_roles],
                                   "checked": list(s.existing_roles)})
    pulumi.export("nextSteps", next_steps(s, login_url, stack))


try:
    main()
except AskflowError as exc:
    # The Pulumi CLI prints a RunError as one line, without a traceback.
    raise pulumi.RunError(exc.line()) from exc

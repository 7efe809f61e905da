"""The GitHub Actions example: valid against GitHub's workflow schema, keyless, and wired to make targets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.bootstrap.settings import GITHUB_AUDIENCE
from askflow.plan import plan_stack
from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WORKFLOW = ROOT / ".github" / "workflows" / "infrastructure.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
CREDENTIALS_ACTION = "aliyun/configure-aliyun-credentials-action@634ae44a69cb7a52335621ed1964278bfe3091c1"
CHECKOUT = "actions/checkout@11d5960a326750d5838078e36cf38b85af677262"
LOGIN_ACTION_DIR = ROOT / ".github" / "actions" / "pulumi-login"
LOGIN_ACTION = "./.github/actions/pulumi-login"


def _validate(path: Path, schema: str = "vendor.github-workflows") -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its vendored copy of the public GitHub workflow (or action) schema (SchemaStore)."""
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, check=False,
    )


def _action() -> dict[str, Any]:
    return dict(yamlio.load_file(LOGIN_ACTION_DIR / "action.yml"))


def _workflow() -> dict[str, Any]:
    data = yamlio.load_file(WORKFLOW)
    # YAML 1.1 reads the key `on` as True: PyYAML does; GitHub does not.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_validates_against_the_github_workflow_schema(path: Path) -> None:
    result = _validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_login_action_validates_against_the_github_action_schema() -> None:
    result = _validate(LOGIN_ACTION_DIR / "action.yml", "vendor.github-actions")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_schema_check_rejects_a_broken_action(tmp_path: Path) -> None:
    broken = tmp_path / "action.yml"
    broken.write_text("name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n")
    assert _validate(broken, "vendor.github-actions").returncode != 0  # a composite `run` step needs `shell`


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The validator really validates: a job without `runs-on` or `steps` fails."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    environment: prod\n")
    assert _validate(broken).returncode != 0


def test_triggers_and_jobs() -> None:
    wf = _workflow()
    assert set(wf["on"]) == {"pull_request", "push", "workflow_dispatch"}
    jobs = wf["jobs"]
    assert set(jobs) == {"plan", "library", "preview", "comment", "up-dev", "preview-prod", "up-prod"}
    assert "pull_request" in jobs["preview"]["if"] and "pull_request" in jobs["comment"]["if"]
    assert jobs["up-dev"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    manual = "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'"
    assert jobs["up-prod"]["if"] == f"{manual} && inputs.prod == 'up'"
    assert jobs["preview-prod"]["if"] == f"{manual} && inputs.prod == 'preview'"
    # Approval: GitHub environments (required reviewers are configured on `prod`).
    assert jobs["up-dev"]["environment"] == "dev"
    assert jobs["up-prod"]["environment"] == jobs["preview-prod"]["environment"] == "prod"


def test_uses_the_make_targets() -> None:
    jobs = _workflow()["jobs"]
    runs = {name: "\n".join(s.get("run", "") for s in _steps(job)) for name, job in jobs.items()}
    assert "make plan STACK=${{ matrix.stack }}" in runs["plan"]
    assert "make preview STACK=${{ matrix.stack }}" in runs["preview"]
    assert "make up STACK=dev" in runs["up-dev"] and "make up STACK=prod" in runs["up-prod"]
    assert "make preview STACK=prod" in runs["preview-prod"]
    assert not re.search(r"pulumi (up|preview)", "\n".join(runs.values())), "call make, not pulumi directly"
    # `make preview` is the one that adds the policy pack.
    makefile = (ROOT / "Makefile").read_text()
    preview = makefile[makefile.index("\npreview:"):]
    assert "--policy-pack policy" in preview.split("\n\n")[0]


def test_released_versions_are_checked_against_the_base_revision() -> None:
    jobs = _workflow()["jobs"]
    library = jobs["library"]
    checkout = next(s for s in _steps(library) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision must be there to read
    run = "\n".join(s.get("run", "") for s in _steps(library))
    assert 'askflow workflows lock --check --base "$base"' in run and "make venv" in run
    assert 'base="origin/$GITHUB_BASE_REF"' in run and 'base="$BEFORE"' in run
    assert "${{" not in run  # event data reaches the script through env, never spliced into it
    assert "library" in jobs["up-dev"]["needs"]


def _login_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _steps(job) if s.get("uses") == LOGIN_ACTION]


def test_no_stored_cloud_keys_only_the_oidc_roles() -> None:
    text = WORKFLOW.read_text() + (LOGIN_ACTION_DIR / "action.yml").read_text()
    assert not re.search(r"(ACCESS_KEY|SECRET_KEY|ACCESS_KEY_SECRET)\w*:\s*\$\{\{\s*secrets\.", text)
    assert re.findall(r"secrets\.(\w+)", text) and set(re.findall(r"secrets\.(\w+)", text)) == {"PULUMI_CONFIG_PASSPHRASE"}
    jobs = _workflow()["jobs"]
    # The credentials action is used in one place only: the composite login action.
    assert CREDENTIALS_ACTION not in WORKFLOW.read_text()
    cloud = {name: job for name, job in jobs.items() if _login_steps(job)}
    assert set(cloud) == {"preview", "preview-prod", "up-dev", "up-prod"}
    for name, job in cloud.items():
        assert job["permissions"]["id-token"] == "write", name
        (step,) = _login_steps(job)
        # Each deploy job assumes its own environment's role (which trusts that environment only).
        role = {"preview": None, "preview-prod": "ALICLOUD_CI_PREVIEW_ROLE_ARN_PROD",
                "up-dev": "ALICLOUD_CI_DEPLOY_ROLE_ARN_DEV", "up-prod": "ALICLOUD_CI_DEPLOY_ROLE_ARN_PROD"}[name]
        if role is None:  # each stack's own preview role, from the matrix
            assert step["with"]["role-to-assume"] == "${{ matrix.role }}"
            assert [(m["stack"], m["role"]) for m in job["strategy"]["matrix"]["include"]] == [
                (s, "${{ vars.ALICLOUD_CI_PREVIEW_ROLE_ARN_" + s.upper() + " }}") for s in ("dev", "staging")]
        else:
            assert step["with"]["role-to-assume"] == "${{ vars." + role + " }}"
        assert step["with"]["oidc-provider-arn"] == "${{ vars.ALICLOUD_OIDC_PROVIDER_ARN }}"
        assert step["with"]["backend-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        # The checkout comes first: a local action is read from the workspace.
        names = [s.get("uses", "") for s in _steps(job)]
        assert names.index(CHECKOUT) < names.index(LOGIN_ACTION)
    # No cloud access at all without credentials: plan runs offline, comment only writes to the PR.
    assert "id-token" not in json.dumps(jobs["plan"]) and "id-token" not in json.dumps(jobs["comment"])
    assert _workflow()["permissions"] == {"contents": "read"}


def test_login_action_requests_the_audience_the_bootstrap_trusts() -> None:
    action = _action()
    (step,) = [s for s in action["runs"]["steps"] if s.get("uses") == CREDENTIALS_ACTION]
    # Stated explicitly: the bootstrap's OIDC provider and trust policies expect exactly this.
    assert step["with"]["audience"] == GITHUB_AUDIENCE
    assert step["with"]["role-to-assume"] == "${{ inputs.role-to-assume }}"
    # Every input the workflow passes exists, and every required input is passed.
    inputs = action["inputs"]
    required = {k for k, v in inputs.items() if v.get("required")}
    for job in _workflow()["jobs"].values():
        for s in _login_steps(job):
            assert required <= set(s["with"]) <= set(inputs)


def test_session_outlives_a_deploy_but_not_the_role_limit() -> None:
    """The STS session a job requests fits its role's max_session_duration, and a deploy job's
    timeout ends before its session does (a destroy never runs on expired credentials)."""
    bootstrap = plan_stack("platform", project_root=ROOT / "bootstrap")
    limits = {r.inputs["roleName"]: r.inputs["maxSessionDuration"] for r in bootstrap.of_type("alicloud:ram/role:Role")
              if "-ci-" in r.inputs["roleName"]}
    assert len(limits) == 5
    deploy = {v for k, v in limits.items() if "deploy" in k}
    preview = {v for k, v in limits.items() if "preview" in k}
    assert deploy == {10800} and preview == {3600}, limits
    default = int(_action()["inputs"]["role-session-expiration"]["default"])
    jobs = [(job, _workflow()["jobs"][job]) for job in ("preview", "preview-prod", "up-dev", "up-prod")]
    e2e = dict(yamlio.load_file(ROOT / ".github" / "workflows" / "e2e.yml"))["jobs"]["e2e"]
    for name, job in [*jobs, ("e2e", e2e)]:
        (step,) = _login_steps(job)
        session = int(step["with"].get("role-session-expiration", default))
        assert 1800 <= session <= (min(deploy) if name.startswith(("up-", "e2e")) else min(preview)), name
        if name.startswith(("up-", "e2e")):
            assert 0 < int(job["timeout-minutes"]) * 60 < session, name


def test_repository_variables_are_the_ones_the_bootstrap_tells_you_to_set() -> None:
    bootstrap = plan_stack("platform", project_root=ROOT / "bootstrap")
    told = set(re.findall(r"gh variable set (\w+)", "\n".join(bootstrap.outputs["nextSteps"])))
    used = set(re.findall(r"vars\.(\w+)", WORKFLOW.read_text()))
    assert {"ALICLOUD_CI_DEPLOY_ROLE_ARN_DEV", "ALICLOUD_CI_DEPLOY_ROLE_ARN_PROD"} <= used
    assert used <= told, used - told
    assert told <= used, told - used  # nothing the workflow never reads


def test_jobs_that_reach_the_cluster_run_inside_the_vpc() -> None:
    """The API server is private by default (cluster.endpoint_public_access false): preview and up run
    on self-hosted runners in the VPC; previews (pull-request code) never on the runners that hold
    deploy roles. The offline jobs need nothing of the VPC and stay on GitHub's runners."""
    jobs = _workflow()["jobs"]
    bootstrap = plan_stack("platform", project_root=ROOT / "bootstrap")
    labels = {}
    for name, variable in (("preview", "ASKFLOW_PREVIEW_RUNNER"), ("up-dev", "ASKFLOW_DEPLOY_RUNNER"),
                           ("up-prod", "ASKFLOW_DEPLOY_RUNNER"), ("preview-prod", "ASKFLOW_DEPLOY_RUNNER")):
        runs_on = jobs[name]["runs-on"]
        match = re.fullmatch(r"\$\{\{ fromJSON\(vars\." + variable + r" \|\| '(.*)'\) \}\}", runs_on)
        assert match, (name, runs_on)
        labels[name] = json.loads(match.group(1))
        assert labels[name][0] == "self-hosted"
        told = next(step for step in bootstrap.outputs["nextSteps"] if f"gh variable set {variable} " in step)
        assert json.loads(told.split("--body ", 1)[1].strip("'")) == labels[name]
    assert labels["up-dev"] == labels["up-prod"] and not set(labels["preview"][1:]) & set(labels["up-dev"][1:])
    assert jobs["plan"]["runs-on"] == jobs["comment"]["runs-on"] == jobs["library"]["runs-on"] == "ubuntu-latest"


def _pipes(script: str) -> bool:
    """A shell pipeline (`a | b`), not `||`."""
    return bool(re.search(r"(?<!\|)\|(?!\|)", script))


def _runs_under_pipefail(wf: dict[str, Any], job: dict[str, Any], step: dict[str, Any]) -> bool:
    # GitHub runs an explicit `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`; the implicit
    # default (no shell anywhere) is `bash -e {0}`, which lets a failing command before `| tee` pass.
    # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defaultsrunshell
    shell = step.get("shell") or job.get("defaults", {}).get("run", {}).get("shell") \
        or wf.get("defaults", {}).get("run", {}).get("shell")
    return shell == "bash" or "set -o pipefail" in step["run"] or "set -eo pipefail" in step["run"]


def test_every_step_that_pipes_fails_when_a_piped_command_fails() -> None:
    # A composite action's `run` steps must name their shell; `bash` runs them with pipefail too.
    for step in _action()["runs"]["steps"]:
        assert "run" not in step or step["shell"] == "bash", step.get("name")
    wf = _workflow()
    piped = [(name, s) for name, job in wf["jobs"].items() for s in _steps(job) if _pipes(s.get("run", ""))]
    assert any("| tee" in s["run"] for _, s in piped)  # the preview step is among them
    for name, step in piped:
        assert _runs_under_pipefail(wf, wf["jobs"][name], step), f"{name}: {step.get('name')} pipes without pipefail"


def test_the_pipefail_check_catches_the_implicit_shell() -> None:
    step = {"run": "make preview 2>&1 | tee x.txt"}
    assert not _runs_under_pipefail({}, {}, step)
    assert not _runs_under_pipefail({"defaults": {"run": {"shell": "sh"}}}, {}, step)
    assert _runs_under_pipefail({"defaults": {"run": {"shell": "bash"}}}, {}, step)


def test_pull_requests_compare_the_plan_with_the_base_branch() -> None:
    """The PR comment shows what `pulumi up` would change: each stack's plan of the base branch
    (planned by the base's own code) is the OLD side of `--against`, and plan.md is what is posted."""
    plan = _workflow()["jobs"]["plan"]
    steps = _steps(plan)
    base = next(s for s in steps if "--json" in s.get("run", ""))
    assert base["if"] == "github.event_name == 'pull_request'"
    assert 'git worktree add ../base "origin/$GITHUB_BASE_REF"' in base["run"]
    assert "../base/.venv/bin/askflow plan" in base["run"]
    ours = next(s for s in steps if "make plan" in s.get("run", ""))
    assert 'AGAINST="$BASE_PLAN"' in ours["run"] and ours["env"]["BASE_PLAN"] == "build/base-${{ matrix.stack }}.json"
    assert plan["steps"][0]["with"]["fetch-depth"] == 0
    makefile = (ROOT / "Makefile").read_text()
    assert "$(if $(AGAINST),--against $(AGAINST))" in makefile


# ------------------------------------------------------------------------------------------ issue #20
def _uses(text: str) -> list[str]:
    return re.findall(r"^\s*(?:-\s+)?uses:\s*(.+)$", text, flags=re.M)


def test_every_action_is_pinned_by_commit_with_its_tag_beside_it() -> None:
    """A tag can be moved; a commit cannot. The credentials action receives cloud credentials."""
    texts = [WORKFLOW.read_text(), (LOGIN_ACTION_DIR / "action.yml").read_text()]
    uses = [u for text in texts for u in _uses(text)]
    assert len(uses) >= 8
    for use in uses:
        if use.startswith("./"):
            continue  # this repository's own action, at the checked-out commit
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+ \(v\d+\.\d+\.\d+\)", use), use


def test_the_pin_check_refuses_a_tag() -> None:
    assert _uses("    steps:\n      - uses: actions/checkout@v4\n") == ["actions/checkout@v4"]
    assert not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+ \(v\d+\.\d+\.\d+\)", "actions/checkout@v4")


def _install_script() -> str:
    (install,) = [s for s in _action()["runs"]["steps"] if "Install the Pulumi CLI" in s.get("name", "")]
    assert install["env"]["PULUMI_SHA256"] == "${{ inputs.pulumi-sha256 }}"
    return str(install["run"])


def test_the_pulumi_cli_is_verified_by_checksum_before_it_runs() -> None:
    script = _install_script()
    assert not re.search(r"\|\s*(sh|bash)\b", script), "no curl | sh"
    assert "checksums.txt" not in script, "the sum is pinned in the repository, not downloaded beside the archive"
    # Verified before it is unpacked or put on the PATH.
    assert script.index("sha256sum --check --strict") < script.index("tar -xzf") < script.index("GITHUB_PATH")
    assert _action()["inputs"]["pulumi-sha256"]["required"] is True


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


@pytest.mark.parametrize("name", ["infrastructure.yml", "e2e.yml"])
def test_every_workflow_pins_one_cli_version_and_its_sha256(name: str) -> None:
    """The sum sits beside the version in each workflow (with the source it was read from), both
    workflows pin the same pair, and every use of the login action passes both."""
    path = ROOT / ".github" / "workflows" / name
    env = dict(yamlio.load_file(path)["env"])
    reference = _workflow()["env"]
    assert (env["PULUMI_VERSION"], env["PULUMI_SHA256"]) == (reference["PULUMI_VERSION"], reference["PULUMI_SHA256"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", env["PULUMI_VERSION"])
    assert re.fullmatch(r"[0-9a-f]{64}", env["PULUMI_SHA256"])
    # 3.256 fixed writes to S3-compatible state backends (pulumi/pulumi#23764, #24219).
    assert _version(env["PULUMI_VERSION"]) >= (3, 256, 0)
    text = path.read_text()
    assert "pulumi/homebrew-tap" in text, "the sum names its source"
    logins = [step["with"] for job in yamlio.load_file(path)["jobs"].values() for step in _steps(job)
              if step.get("uses") == LOGIN_ACTION]
    assert logins
    for inputs in logins:
        assert inputs["pulumi-version"] == "${{ env.PULUMI_VERSION }}"
        assert inputs["pulumi-sha256"] == "${{ env.PULUMI_SHA256 }}"


def _run_install(tmp_path: Path, archive: bytes, sha256: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """The action's install step as GitHub runs it (bash -eo pipefail), with a `curl` that serves
    ``archive`` from disk and records the URL it was asked for."""
    import shutil

    served = tmp_path / "served.tar.gz"
    served.write_bytes(archive)
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "curl").write_text(
        "#!/bin/bash\nout=''\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in -o) out=\"$2\"; shift 2;; *) url=\"$1\"; shift;; esac\n"
        f"done\necho \"$url\" >> {tmp_path}/urls\ncp {served} \"$out\"\n"
    )
    (stubs / "curl").chmod(0o755)
    runner_temp, github_path = tmp_path / "runner", tmp_path / "github_path"
    runner_temp.mkdir()
    tools = ":".join(sorted({str(Path(shutil.which(t) or "/bin/sh").parent) for t in ("tar", "sha256sum", "mkdir", "gzip")}))
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _install_script()],
        env={"PATH": f"{stubs}:{tools}", "PULUMI_VERSION": "3.259.0", "PULUMI_SHA256": sha256,
             "RUNNER_TEMP": str(runner_temp), "GITHUB_PATH": str(github_path)},
        capture_output=True, text=True, check=False,
    )
    return result, runner_temp / "pulumi-cli", github_path


def _archive() -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"#!/bin/sh\necho pulumi\n"
        info = tarfile.TarInfo("pulumi/pulumi")
        info.size, info.mode, info.mtime = len(data), 0o755, 0
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_the_install_step_puts_an_archive_with_the_pinned_sum_on_the_path(tmp_path: Path) -> None:
    import hashlib

    archive = _archive()
    result, cli, github_path = _run_install(tmp_path, archive, hashlib.sha256(archive).hexdigest())
    assert result.returncode == 0, result.stderr
    assert (cli / "pulumi" / "pulumi").is_file()
    assert github_path.read_text() == f"{cli}/pulumi\n"
    assert (tmp_path / "urls").read_text().splitlines() == [
        "https://github.com/pulumi/pulumi/releases/download/v3.259.0/pulumi-v3.259.0-linux-x64.tar.gz"]


def test_the_install_step_refuses_an_archive_whose_sum_differs(tmp_path: Path) -> None:
    import hashlib

    archive = _archive()
    result, cli, github_path = _run_install(tmp_path, archive, hashlib.sha256(archive + b"x").hexdigest())
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert not (cli / "pulumi").exists(), "nothing unpacked"
    assert not github_path.exists(), "nothing put on the PATH"


@pytest.mark.parametrize("pinned", ["", "94BA357A", "not-a-sum", "0" * 63])
def test_the_install_step_refuses_a_missing_or_malformed_sum_before_downloading(tmp_path: Path, pinned: str) -> None:
    result, cli, github_path = _run_install(tmp_path, _archive(), pinned)
    assert result.returncode != 0
    assert "pulumi-sha256 must be" in result.stderr
    assert not (tmp_path / "urls").exists() and not github_path.exists()


def test_passphrases_live_in_environments_and_pull_requests_reach_only_non_prod_ones() -> None:
    """Each stack's passphrase is an environment secret; a pull-request job runs only in
    `preview-<stack>` environments of the stacks the bootstrap lets pull requests preview (never
    prod); prod's environment is used only by manual or push runs from main."""
    bootstrap = plan_stack("platform", project_root=ROOT / "bootstrap")
    preview_stacks = {s.split("--env preview-")[1].split()[0] for s in bootstrap.outputs["nextSteps"]
                      if s.startswith("gh secret set") and "--env preview-" in s}
    assert preview_stacks == {"dev", "staging"}
    jobs = _workflow()["jobs"]
    for name, job in jobs.items():
        text = json.dumps(job)
        if "secrets.PULUMI_CONFIG_PASSPHRASE" in text:
            assert job.get("environment"), f"{name} reads the passphrase outside an environment"
        if "pull_request" in job.get("if", ""):
            env = job.get("environment")
            assert env in (None, "preview-${{ matrix.stack }}"), name
    preview = jobs["preview"]
    assert {m["stack"] for m in preview["strategy"]["matrix"]["include"]} == preview_stacks
    for name in ("preview-prod", "up-prod"):
        assert "workflow_dispatch" in jobs[name]["if"] and "refs/heads/main" in jobs[name]["if"]

"""askflow plan: every stack plans, deterministically, as the program under the same mocks records."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from askflow import yamlio
from askflow.cli import main
from askflow.errors import AskflowError
from askflow.plan import plan_stack
from askflow.plan.output import violations
from tests.conftest import PROJECT_SCHEMAS, ROOT, shared_path, umask
from tests.plan.harness import INFRA, record
from tests.support.projects import full_project

STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "environments").glob("Pulumi.*.yaml"))


def test_there_are_three_environments() -> None:
    assert {"dev", "staging", "prod"} <= set(STACKS)


@pytest.mark.parametrize("schema_path", PROJECT_SCHEMAS, ids="/".join)
def test_pulumi_yaml_validates_against_the_project_schema(schema_path: tuple[str, ...]) -> None:
    schema = json.loads(shared_path(*schema_path).read_text())
    project = yamlio.load_file(ROOT / "Pulumi.yaml")
    jsonschema.validate(project, schema)
    assert project["main"] == "infra/" and project["stackConfigDir"] == "environments"
    assert project["runtime"]["name"] == "python" and project["name"] == "askflow"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_plans_and_passes_the_policy_rules(stack: str) -> None:
    plan = plan_stack(stack, ROOT)
    assert plan.resources
    assert violations(plan) == []
    assert plan.outputs["kubeconfig"] == "[secret]"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_plan_is_byte_identical_twice(stack: str) -> None:
    assert plan_stack(stack, ROOT).to_json() == plan_stack(stack, ROOT).to_json()


def test_plan_equals_what_the_program_records_under_the_same_mocks() -> None:
    """The CLI's plan and an in-test run of infra/__main__.py under the mocks agree exactly."""
    import pulumi

    stack_file = yamlio.load_file(ROOT / "environments" / "Pulumi.staging.yaml")["config"]
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_file.items()}

    def program() -> None:
        assert pulumi.get_stack() == "staging"
        runpy.run_path(str(INFRA), run_name="__main__")

    in_test = record(program, stack="staging", config=config)
    planned = plan_stack("staging", ROOT)
    assert in_test.to_dict()["resources"] == planned.to_dict()["resources"]
    assert in_test.outputs == planned.outputs


def test_json_shape_and_dependencies() -> None:
    data = plan_stack("prod", ROOT).to_dict()
    assert set(data) == {"project", "stack", "resources", "outputs"}
    r = data["resources"][0]
    assert set(r) == {"urn", "type", "name", "parent", "provider", "inputs", "options", "dependencies"}
    assert set(r["options"]) == {"protect", "retain_on_delete", "delete_before_replace", "ignore_changes", "depends_on"}
    by_type = {x["type"]: x for x in data["resources"]}
    vpc = by_type["alicloud:vpc/network:Network"]["urn"]
    switches = [x for x in data["resources"] if x["type"] == "alicloud:vpc/switch:Switch"]
    assert all(vpc in sw["dependencies"] for sw in switches)
    release = by_type["kubernetes:helm.sh/v3:Release"]["urn"]
    templates = [x for x in data["resources"] if x["type"] == "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"]
    assert templates and all(t["options"]["depends_on"] == [release] for t in templates)


def test_cli_writes_json_manifests_and_helm_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--json", str(tmp_path / "p.json"),
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Resources per component" in text and "[secret]" in text
    assert json.loads((tmp_path / "p.json").read_text())["stack"] == "dev"
    assert (out / "helm" / "argo-workflows.values.yaml").is_file()
    assert (out / "manifests" / "data-eng" / "serviceaccount-argo-workflow.yaml").is_file()
    first = sorted(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.read_bytes() for p in out.rglob("*") if p.is_file()) == first


def test_out_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--out", str(tmp_path)]) == 2
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert "was not written by askflow plan" in capsys.readouterr().err




@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config: {alicloud:region: cn-hangzhou, askflow:platform: [1", "environments/Pulumi.bad.yaml: YAML does not parse"),
        ("config:\n  alicloud:region: cn-hangzhou\n  askflow:nope: 1\n", "environments/Pulumi.bad.yaml: askflow:nope: unknown key"),
        ("config:\n  alicloud:region: cn-hangzhou\n  askflow:platform:\n    environment: dev\n    name: x\n    nmae: y\n",
         "environments/Pulumi.bad.yaml: askflow:platform.nmae: unknown key"),
        ("configs: {}\n", "environments/Pulumi.bad.yaml: configs: unknown top-level key"),
        # Values Pulumi config cannot hold, or YAML that does not construct.
        ("config:\n  alicloud:region: cn-hangzhou\n  other:since: 2020-01-01\n",
         "environments/Pulumi.bad.yaml: other:since: 2020-01-01 reads as a date, which Pulumi config cannot hold; quote it"),
        ("config:\n  alicloud:region: cn-hangzhou\n  other:when: 2020-13-45\n",
         "environments/Pulumi.bad.yaml: YAML value does not load (line 3, column 15: '2020-13-45' is not a valid timestamp); quote it"),
        ("config:\n  alicloud:region: cn-hangzhou\n  other:blob: !!binary aGk=\n",
         "environments/Pulumi.bad.yaml: other:blob: !!binary values cannot be config"),
        ("config:\n  alicloud:region: cn-hangzhou\n  other:cap: .inf\n",
         "environments/Pulumi.bad.yaml: other:cap: inf is not a finite number"),
        ("config:\n  alicloud:region: cn-hangzhou\n  other:loop: &a [*a]\n",
         "environments/Pulumi.bad.yaml: YAML has an alias inside the value it names"),
    ],
)
def test_bad_stack_files_give_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    proj = full_project(tmp_path)
    (proj / "environments" / "Pulumi.bad.yaml").write_text(text)
    monkeypatch.chdir(proj)
    assert main(["plan", "--stack", "bad"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1 and "Traceback" not in err
    assert not (proj / "build" / "bad").exists()


def test_missing_stack_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "nope", "--project", str(ROOT)]) == 2
    assert "stack 'nope' does not exist (stacks: " in capsys.readouterr().err


def test_secret_config_becomes_a_placeholder_and_is_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = full_project(tmp_path)
    prod = yamlio.load_file(proj / "environments" / "Pulumi.dev.yaml")
    prod["config"]["askflow:platform"]["argo"] = {
        "auth_mode": "sso",
        "sso": {"issuer": "https://idp.example.com", "client_id": "argo", "redirect_url": "https://argo.example.com/oauth2/callback"},
    }
    prod["config"]["askflow:argoSsoClientSecret"] = {"secure": "v1:c2VjcmV0LXZhbHVlLXRvcC1zZWNyZXQ="}
    (proj / "environments" / "Pulumi.sso.yaml").write_text(yamlio.dumps(prod))
    monkeypatch.chdir(proj)
    assert main(["plan", "--stack", "sso", "--json", "p.json"]) == 0
    everything = capsys.readouterr().out + (proj / "p.json").read_text()
    everything += "".join(p.read_text() for p in (proj / "build" / "sso").rglob("*.yaml"))
    assert "v1:c2VjcmV0" not in everything
    secret = (proj / "build" / "sso" / "manifests" / "argo" / "secret-argo-server-sso.yaml").read_text()
    assert yamlio.loads(secret)["stringData"] == {"client-id": "[secret]", "client-secret": "[secret]"}


def test_policy_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A program that breaks a mandatory rule: the plan reports resource and rule, and exits 1."""
    proj = tmp_path / "p"
    (proj / "prog").mkdir(parents=True)
    (proj / "Pulumi.yaml").write_text("name: sample\nruntime: python\nmain: prog/\n")
    (proj / "Pulumi.s.yaml").write_text("config:\n  alicloud:region: cn-hangzhou\n")
    (proj / "prog" / "__main__.py").write_text(
        "import pulumi_alicloud as a\n"
        "a.oss.Bucket('b', bucket='x-y-z')\n"
        "a.ram.AccessKey('k', user_name='u')\n"
    )
    assert main(["plan", "--stack", "s", "--project", str(proj)]) == 1
    err = capsys.readouterr().err
    assert "policy violation: no-access-keys: urn:pulumi:s::sample::alicloud:ram/accessKey:AccessKey::k" in err
    assert "policy violation: bucket-encrypted:" in err


def test_console_script_runs_from_a_shell(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "askflow"
    result = subprocess.run([str(exe), "plan", "--stack", "prod", "--quiet", "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_public_endpoint_sso_and_private_load_balancer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unsafe choice must be asked for by name; the plan warns; SSO and the intranet SLB render."""
    proj = full_project(tmp_path)
    data = yamlio.load_file(proj / "environments" / "Pulumi.staging.yaml")
    platform = data["config"]["askflow:platform"]
    platform["cluster"].update(endpoint_public_access=True, public_endpoint_reason="vendor CI runs outside the VPC")
    platform["argo"] = {
        "auth_mode": "sso",
        "enable_private_load_balancer": True,
        "sso": {"issuer": "https://idp.example.com", "client_id": "argo",
                "redirect_url": "https://argo.example.com/oauth2/callback"},
    }
    data["config"]["askflow:argoSsoClientSecret"] = {"secure": "v1:AAAA"}
    (proj / "environments" / "Pulumi.edge.yaml").write_text(yamlio.dumps(data))
    plan = plan_stack("edge", proj)
    assert any("reachable from the internet" in w for w in plan.warnings)
    assert violations(plan) == []  # waived with a reason
    (cluster,) = plan.of_type("alicloud:cs/managedKubernetes:ManagedKubernetes")
    assert cluster.inputs["slbInternetEnabled"] is True
    from askflow.plan.output import helm_values, manifests

    values = helm_values(plan)["helm/argo-workflows.values.yaml"]
    assert values["server"]["authModes"] == ["sso"]
    assert values["server"]["sso"]["clientSecret"] == {"name": "argo-server-sso", "key": "client-secret"}
    lb = manifests(plan)["manifests/argo/service-argo-server-intranet.yaml"]
    assert lb["spec"]["type"] == "LoadBalancer"
    assert lb["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "intranet"}
    monkeypatch.chdir(proj)
    # Without the secret, SSO is a one-line error naming the key to set.
    del data["config"]["askflow:argoSsoClientSecret"]
    (proj / "environments" / "Pulumi.edge.yaml").write_text(yamlio.dumps(data))
    with pytest.raises(AskflowError, match="askflow:argoSsoClientSecret: auth_mode sso needs the client secret"):
        plan_stack("edge", proj)


def test_plan_refuses_a_changed_released_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = full_project(tmp_path)
    v3 = proj / "workflows" / "etl" / "v3.yaml"
    v3.write_text(v3.read_text().replace("activeDeadlineSeconds: ", "activeDeadlineSeconds: 1"))
    assert main(["plan", "--stack", "dev", "--project", str(proj)]) == 2
    err = capsys.readouterr().err
    assert "etl-v3 is released and immutable; copy it to v4 and change v4" in err and err.count("\n") == 1


def test_plan_refuses_leaving_out_a_referenced_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = full_project(tmp_path)
    prod = proj / "environments" / "Pulumi.prod.yaml"
    prod.write_text(prod.read_text().replace("deploy: [hello-world-v2, etl-v3, fan-out-v3]", "deploy: [hello-world-v2, fan-out-v3]"))
    assert main(["plan", "--stack", "prod", "--project", str(proj)]) == 2
    err = capsys.readouterr().err
    assert "nightly-etl references etl-v3, which this stack does not deploy; add etl-v3 to templates.deploy" in err


def test_prod_refuses_a_draft_and_deploys_only_strict_clean_templates(tmp_path: Path) -> None:
    proj = full_project(tmp_path)
    v4 = proj / "workflows" / "etl" / "v4.yaml"
    v4.write_text((proj / "workflows" / "etl" / "v3.yaml").read_text())
    prod = proj / "environments" / "Pulumi.prod.yaml"
    prod.write_text(prod.read_text().replace("deploy: [hello-world-v2, etl-v3, fan-out-v3]",
                                             "deploy: [hello-world-v2, etl-v3, etl-v4, fan-out-v3]"))
    with pytest.raises(AskflowError, match="etl-v4 is a draft \\(not in versions.lock\\)"):
        plan_stack("prod", proj)
    plan_stack("dev", proj)  # drafts are for dev
    v4.write_text(v4.read_text().replace("serviceAccountName: argo-workflow", "serviceAccountName: default"))
    with pytest.raises(AskflowError, match="strict lint error") as info:
        plan_stack("dev", proj)
    assert info.value.file and info.value.file.endswith("etl/v4.yaml")


def test_bring_your_own_network_plans_and_the_archive_admits_only_its_vswitches(tmp_path: Path) -> None:
    proj = full_project(tmp_path)
    data = yamlio.load_file(proj / "environments" / "Pulumi.prod.yaml")
    data["config"]["askflow:platform"]["network"] = {
        "vpc_id": "vpc-existing", "vswitch_ids": ["vsw-a", "vsw-b"], "security_group_id": "sg-existing"}
    (proj / "environments" / "Pulumi.byo.yaml").write_text(yamlio.dumps(data))
    plan = plan_stack("byo", proj)
    assert not plan.of_type("alicloud:vpc/network:Network") and not plan.of_type("alicloud:vpc/switch:Switch")
    (cluster,) = plan.of_type("alicloud:cs/managedKubernetes:ManagedKubernetes")
    # ManagedKubernetes takes the VPC from its vSwitches (resource_alicloud_cs_managed_kubernetes.go l. 968-981).
    assert cluster.inputs["vswitchIds"] == ["vsw-a", "vsw-b"] and "vpcId" not in cluster.inputs
    (db,) = plan.of_type("alicloud:rds/instance:Instance")
    # The brought vSwitches' CIDRs (mocked lookup: two /20s of 172.30.0.0/16), never the VPC or 0.0.0.0/0.
    assert db.inputs["securityIps"] == ["172.30.0.0/20", "172.30.16.0/20"]
    (netpol, *_) = plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["172.30.0.0/16"]}}]} in netpol.inputs["spec"]["egress"]
    assert violations(plan) == []


def test_an_unknown_template_in_a_stack_names_the_stack_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = full_project(tmp_path)
    dev = proj / "environments" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("deploy: all", "deploy: [nonexistent-v9]"))
    monkeypatch.chdir(proj)
    assert main(["plan", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("environments/Pulumi.dev.yaml: askflow:platform.templates.deploy[0]: 'nonexistent-v9' "
                          "is not in the template library") and err.count("\n") == 1
    assert not (proj / "build").exists()


@pytest.mark.parametrize(
    ("main_line", "expected"),
    [
        ("main: nonexistent/", "Pulumi.yaml: main: 'nonexistent/' is not a Python program"),
        ("main: [1, 2]", "Pulumi.yaml: main: must be the path of the program"),
        ("main: workflows/", "Pulumi.yaml: main: 'workflows/' is not a Python program"),
    ],
)
def test_a_bad_main_in_pulumi_yaml_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], main_line: str, expected: str
) -> None:
    proj = full_project(tmp_path)
    project = proj / "Pulumi.yaml"
    project.write_text(project.read_text().replace("main: infra/", main_line))
    monkeypatch.chdir(proj)
    assert main(["plan", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--json", "{d}/adir"], "{d}/adir: cannot be written (is a folder); nothing was written"),
        (["--out", "{d}/afile"], "{d}/afile: cannot be written (is a file, not a folder); nothing was written"),
        (["--terraform-json", "{d}/afile/x.json"],
         "{d}/afile/x.json: cannot be written ({d}/afile is a file, not a folder); nothing was written"),
        (["--out", "{d}/afile/sub"], "{d}/afile/sub: cannot be written ({d}/afile is a file, not a folder); nothing was written"),
        (["--terraform-json", "-"], "--terraform-json -: is a file for checkov, not standard output: give a file name "
                                    "(e.g. build/prod.tf.json); nothing was written"),
    ],
)
def test_bad_output_paths_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("")
    given = [a.format(d=tmp_path) for a in args]
    if "--out" not in args:
        given += ["--out", str(tmp_path / "out")]
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), *given]) == 2
    assert capsys.readouterr().err == expected.format(d=tmp_path) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]  # no output, no temporary file


def test_output_folder_follows_the_umask_and_a_failed_swap_keeps_the_previous_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from askflow.plan.output import write_out_dir

    plan = plan_stack("dev", ROOT)
    out = tmp_path / "out"
    write_out_dir(plan, out)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask()
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_rename = Path.rename

    def fail_second_rename(self: Path, target: Path) -> Path:
        if self.name.startswith(".out.") and self.name != ".out.old" and target == out:  # the new plan only
            raise PermissionError(13, "Permission denied")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", fail_second_rename)
    with pytest.raises(AskflowError, match="cannot be written .Permission denied.; the previous plan's files are unchanged"):
        write_out_dir(plan, out, {"plan.md": "changed\n"})
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_refused_file_anywhere_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied", "/somewhere/build")

    monkeypatch.setattr("askflow.plan.plan_stack", refuse)
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--out", "/tmp/unused-askflow-out"]) == 2
    assert capsys.readouterr().err == "/somewhere/build: Permission denied; check the path and its permissions\n"


def test_an_unwritable_json_folder_is_refused_before_the_plan_folder_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    out, ro = tmp_path / "out", tmp_path / "ro"
    ro.mkdir()
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--out", str(out), "--quiet"]) == 0
    inode = out.stat().st_ino
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != ro and real_access(p, mode, **kw))
    args = ["plan", "--stack", "dev", "--project", str(ROOT), "--out", str(out), "--json", str(ro / "p.json")]
    assert main(args) == 2
    assert capsys.readouterr().err == f"{ro}/p.json: cannot be written (the folder {ro} is not writable); nothing was written\n"
    assert out.stat().st_ino == inode and list(ro.iterdir()) == []


def test_json_outputs_are_put_in_place_only_with_the_plan_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure writing the plan folder leaves the JSON files as they were, and no temporary file."""
    out, report = tmp_path / "out", tmp_path / "plan.json"
    report.write_text("old")

    def refuse(*_: object, **__: object) -> None:
        raise AskflowError("cannot be written (No space left on device); nothing was written", file=str(out))

    monkeypatch.setattr("askflow.plan.output.write_out_dir", refuse)
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--out", str(out), "--json", str(report)]) == 2
    assert report.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]

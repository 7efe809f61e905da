"""The workflow cluster settings provider against the recorded adcp fake, through the real SDK."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from typing import Any

import dill
import pytest
from pulumi.dynamic import dynamic
from pulumi.runtime import rpc

from askflow.ackone.provider import WorkflowClusterFeaturesProvider
from askflow.errors import AskflowError
from tests.ackone.conftest import CLUSTER, props
from tests.conftest import ROOT
from tests.support.adcp_fake import AdcpFake, FakeCluster, FakeEndpointProvider


def _one_line(exc: AskflowError) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


# -- create ------------------------------------------------------------------------------------


def test_create_waits_for_running_sets_both_settings_and_reads_the_private_kubeconfig(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    fake.clusters[CLUSTER].initial_polls = 2
    result = provider.create(props())
    assert result.id == CLUSTER
    assert fake.actions() == ["DescribeHubClusterDetails"] * 3 + [
        "UpdateHubClusterFeature", "DescribeHubClusterDetails", "DescribeHubClusterKubeconfig"]
    assert {c.version for c in fake.calls} == {"2022-01-01"}
    update = fake.writes()[0]
    # The SDK sends Python booleans as str(True) (OpenApiUtilClient.query); the API reads them as booleans.
    assert update.params == {"ClusterId": CLUSTER, "ArgoServerEnabled": "True", "WorkflowScheduleMode": "cost-optimized"}
    assert fake.calls[-1].params == {"ClusterId": CLUSTER, "PrivateIpAddress": "True"}
    outs = result.outs or {}
    assert (outs["argo_server_enabled"], outs["scheduling_mode"]) == (True, "cost-optimized")
    assert (outs["cluster_id"], outs["region"]) == (CLUSTER, "cn-hangzhou")
    assert "server: https://172.16.3.14:6443" in outs["kubeconfig"] and CLUSTER in outs["kubeconfig"]
    cluster = fake.clusters[CLUSTER]
    assert (cluster.argo_server_enabled, cluster.scheduling_mode) == (True, "cost-optimized")


def test_create_sends_nothing_when_the_cluster_already_has_the_settings(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    result = provider.create(props(argo_server_enabled=False, scheduling_mode="stock-optimized"))
    assert fake.writes() == []
    assert (result.outs or {})["scheduling_mode"] == "stock-optimized"


def test_create_waits_until_the_cluster_reports_the_new_settings(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    fake.clusters[CLUSTER].apply_after = 3
    provider.create(props())
    assert fake.actions().count("DescribeHubClusterDetails") == 1 + 4
    assert fake.clusters[CLUSTER].scheduling_mode == "cost-optimized"


def test_create_is_safe_to_run_again_after_a_failure_half_way(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    fake.fail["DescribeHubClusterKubeconfig"] = (500, "InternalError", "The request processing has failed.")
    with pytest.raises(AskflowError):
        provider.create(props())
    del fake.fail["DescribeHubClusterKubeconfig"]
    fake.calls.clear()
    provider.create(props())
    assert fake.writes() == []  # the settings took; the second run only reads


# -- update ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "sent"), [
    ({"argo_server_enabled": True}, {"ArgoServerEnabled": "True"}),
    ({"argo_server_enabled": False}, {"ArgoServerEnabled": "False"}),
    ({"scheduling_mode": "cost-optimized"}, {"WorkflowScheduleMode": "cost-optimized"}),
])
def test_update_sends_only_the_changed_setting_and_keeps_the_kubeconfig(
        fake: AdcpFake, provider: FakeEndpointProvider, change: dict[str, Any], sent: dict[str, str]) -> None:
    cluster = fake.clusters[CLUSTER]
    cluster.argo_server_enabled = not change.get("argo_server_enabled", not cluster.argo_server_enabled)
    olds = props(argo_server_enabled=cluster.argo_server_enabled, scheduling_mode=cluster.scheduling_mode,
                 kubeconfig="kept-kubeconfig")
    news = {**olds, **change, "kubeconfig": None}
    outs = provider.update(CLUSTER, olds, news).outs or {}
    assert [c.params for c in fake.writes()] == [{"ClusterId": CLUSTER, **sent}]
    assert "DescribeHubClusterKubeconfig" not in fake.actions()
    assert outs["kubeconfig"] == "kept-kubeconfig"
    for key, value in change.items():
        assert outs[key] == value and getattr(cluster, key) == value


# -- delete, read ------------------------------------------------------------------------------


def test_delete_makes_no_call_and_leaves_the_cluster_as_it_is(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    cluster = fake.clusters[CLUSTER]
    cluster.argo_server_enabled, cluster.scheduling_mode = True, "cost-optimized"
    provider.delete(CLUSTER, props(kubeconfig="k"))
    assert fake.calls == []
    assert (cluster.argo_server_enabled, cluster.scheduling_mode) == (True, "cost-optimized")


def test_read_reports_drift_and_a_deleted_cluster(fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    state = props(argo_server_enabled=True, scheduling_mode="cost-optimized", kubeconfig="k")
    fake.clusters[CLUSTER].argo_server_enabled = False  # changed in the console
    read = provider.read(CLUSTER, state)
    assert read.id == CLUSTER
    assert read.outs == {**state, "argo_server_enabled": False, "scheduling_mode": "stock-optimized"}
    fake.clusters[CLUSTER].state = "deleted"
    assert provider.read(CLUSTER, state).id == ""


# -- errors ------------------------------------------------------------------------------------


def test_an_api_error_is_one_line_with_code_message_cluster_and_what_to_do_and_changes_nothing(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    fake.fail["UpdateHubClusterFeature"] = (403, "Forbidden.RAM", "User not authorized to operate on the specified resource.")
    with pytest.raises(AskflowError) as caught:
        provider.create(props())
    line = _one_line(caught.value)
    assert line.startswith(f"ACK One UpdateHubClusterFeature on workflow cluster {CLUSTER} (cn-hangzhou) failed: "
                           "Forbidden.RAM: User not authorized")
    assert "request id D4E5F6A7-B8C9-5D0E-8F1A-2B3C4D5E6F70" in line
    assert "adcp:UpdateHubClusterFeature" in line  # what to do
    cluster = fake.clusters[CLUSTER]
    assert (cluster.argo_server_enabled, cluster.scheduling_mode) == (False, "stock-optimized")
    assert "DescribeHubClusterKubeconfig" not in fake.actions()


def test_throttling_and_server_errors_are_tried_again_and_a_refusal_is_not(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    fake.fail["UpdateHubClusterFeature"] = (400, "Throttling.User", "Request was denied due to user flow control.")
    fake.fail_times["UpdateHubClusterFeature"] = 2
    provider.create(props())
    assert fake.actions().count("UpdateHubClusterFeature") == 3
    assert fake.clusters[CLUSTER].scheduling_mode == "cost-optimized"

    fake.calls.clear()
    fake.fail["DescribeHubClusterDetails"] = (503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
    with pytest.raises(AskflowError) as caught:
        provider.create(props())
    line = _one_line(caught.value)
    assert "failed: ServiceUnavailable: The request has failed" in line and "after 3 attempts" in line
    assert fake.actions() == ["DescribeHubClusterDetails"] * 3  # retry_waits (0, 0): two more tries

    fake.calls.clear()
    fake.fail["DescribeHubClusterDetails"] = (400, "InvalidParameter", "The parameter ClusterId is invalid.")
    with pytest.raises(AskflowError, match="InvalidParameter"):
        provider.create(props())
    assert fake.actions() == ["DescribeHubClusterDetails"]


def test_a_missing_cluster_says_check_the_id(fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    with pytest.raises(AskflowError) as caught:
        provider.create(props(cluster_id="cmissing"))
    line = _one_line(caught.value)
    assert "DescribeHubClusterDetails on workflow cluster cmissing (cn-hangzhou) failed: Cluster.NotFound" in line
    assert "check the cluster id and region" in line
    assert fake.writes() == []


@pytest.mark.parametrize(("cluster", "expected"), [
    (FakeCluster("cfailed", state="failed", error_message="vSwitch vsw-1 has no free IP"),
     "is failed: vSwitch vsw-1 has no free IP"),
    (FakeCluster("cdefault", profile="Default"), "has profile 'Default', not 'XFlow'"),
])
def test_a_cluster_that_cannot_take_the_settings_is_refused(
        fake: AdcpFake, provider: FakeEndpointProvider, cluster: FakeCluster, expected: str) -> None:
    fake.add(cluster)
    with pytest.raises(AskflowError, match=expected) as caught:
        provider.create(props(cluster_id=cluster.cluster_id))
    _one_line(caught.value)
    assert fake.writes() == []


def test_a_cluster_that_never_reports_the_settings_times_out(fake: AdcpFake) -> None:
    fake.clusters[CLUSTER].apply_after = 10**6
    with pytest.raises(AskflowError, match="did not become running with argo_server_enabled=True") as caught:
        FakeEndpointProvider(fake.endpoint, timeout_seconds=0).create(props())
    _one_line(caught.value)


def test_the_provider_host_reports_an_api_error_as_its_one_line(
        fake: AdcpFake, provider: FakeEndpointProvider) -> None:
    """Through Pulumi's own dynamic provider host (``python -m pulumi.dynamic``, what `pulumi up` starts)
    over gRPC: a failed Create's error is the one line, without Python's traceback."""
    import grpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    fake.fail["UpdateHubClusterFeature"] = (400, "InvalidParameter", "The parameter WorkflowScheduleMode is invalid.")
    loop = asyncio.new_event_loop()
    struct = loop.run_until_complete(rpc.serialize_properties(
        {**props(), "__provider": dynamic.serialize_provider(provider)}, {}))
    loop.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIfakefakefake",
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "fakesecretfakesecret"}
    host = subprocess.Popen([sys.executable, "-m", "pulumi.dynamic"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int((host.stdout.readline() if host.stdout else "").strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            with pytest.raises(grpc.RpcError) as caught:
                stub.Create(provider_pb2.CreateRequest(
                    urn="urn:pulumi:test::askflow::pulumi-python:dynamic/ackone:WorkflowClusterFeatures::wf",
                    properties=struct), timeout=60)
    finally:
        host.kill()
        host.wait()
    assert caught.value.details() == (  # type: ignore[attr-defined]
        f"askflow.errors.AskflowError: ACK One UpdateHubClusterFeature on workflow cluster {CLUSTER} (cn-hangzhou) "
        "failed: InvalidParameter: The parameter WorkflowScheduleMode is invalid. "
        "(request id D4E5F6A7-B8C9-5D0E-8F1A-2B3C4D5E6F70); fix what the message says, or run again if it was transient\n")
    assert fake.actions()[-1] == "UpdateHubClusterFeature"


# -- check, diff -------------------------------------------------------------------------------


def test_check_refuses_what_the_api_would_and_leaves_unknowns(provider: FakeEndpointProvider) -> None:
    bad = provider.check({}, props(scheduling_mode="cheapest", argo_server_enabled="yes", cluster_id=""))
    assert sorted((f.property, f.reason) for f in bad.failures) == [
        ("argo_server_enabled", "argo_server_enabled must be true or false, not 'yes'"),
        ("cluster_id", "cluster_id must be a non-empty string, not ''"),
        ("scheduling_mode", "scheduling_mode must be stock-optimized or cost-optimized (adcp WorkflowScheduleMode), "
                            "not 'cheapest'"),
    ]
    assert provider.check({}, props(cluster_id=rpc.UNKNOWN)).failures == []
    assert provider.check({}, props()).failures == []


@pytest.mark.parametrize(("change", "changes", "replaces"), [
    ({}, False, []),
    ({"kubeconfig": "another"}, False, []),  # an output, not compared
    ({"argo_server_enabled": False}, True, []),
    ({"scheduling_mode": "stock-optimized"}, True, []),
    ({"cluster_id": "cother"}, True, ["cluster_id"]),
    ({"cluster_id": rpc.UNKNOWN}, True, ["cluster_id"]),  # the cluster is replaced in the same run
    ({"region": "cn-shanghai"}, True, ["region"]),
    ({"region": "cn-shanghai", "scheduling_mode": "stock-optimized"}, True, ["region"]),
])
def test_diff_replaces_for_another_cluster_and_updates_settings(
        provider: FakeEndpointProvider, change: dict[str, Any], changes: bool, replaces: list[str]) -> None:
    olds = props(kubeconfig="k")
    result = provider.diff(CLUSTER, olds, {**olds, **change})
    assert (result.changes, result.replaces, result.delete_before_replace) == (changes, replaces, False)


# -- pickling, import cost ---------------------------------------------------------------------


def test_the_provider_pickles_as_pulumi_pickles_it_and_works_after(fake: AdcpFake) -> None:
    original = WorkflowClusterFeaturesProvider()
    text = dynamic.serialize_provider(original)
    assert dynamic.serialize_provider(WorkflowClusterFeaturesProvider()) == text  # deterministic: no diff
    copy = dill.loads(base64.b64decode(text))
    assert type(copy) is WorkflowClusterFeaturesProvider
    assert vars(copy) == vars(original) == {"poll_seconds": 10.0, "timeout_seconds": 1500,
                                            "retry_waits": (3, 5, 5, 5, 5, 5)}
    pointed = dill.loads(base64.b64decode(dynamic.serialize_provider(FakeEndpointProvider(fake.endpoint))))
    assert pointed.create(props()).id == CLUSTER


def test_importing_the_resource_does_not_import_the_sdk() -> None:
    """``askflow plan`` imports the component; the SDK (~0.4 s) loads only inside a provider call."""
    code = ("import sys; sys.path.insert(0, 'infra'); import components.workflow_cluster; "
            "loaded = sorted(m for m in sys.modules if m.startswith(('alibabacloud', 'Tea', 'darabonba'))); "
            "print(loaded); sys.exit(1 if loaded else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

"""The Pulumi dynamic resource provider for a workflow cluster's settings (Argo Server, scheduling
mode) and its private-IP kubeconfig.

The resource's id is the cluster id: the settings belong to one cluster and have no id of their own.

- **check**: every input has a value the API takes (:func:`askflow.ackone.features.problems`).
- **diff**: ``cluster_id`` or ``region`` changed: replace (another cluster); ``argo_server_enabled``
  or ``scheduling_mode`` changed: update in place (UpdateHubClusterFeature changes them on a running
  cluster); nothing else is compared (the kubeconfig is an output).
- **create / update**: wait until the cluster is ``running`` (the provider's own create waits for
  that too, terraform-provider-alicloud ``alicloud/resource_alicloud_ack_one_cluster.go`` l. 142-146),
  send UpdateHubClusterFeature with only the settings that differ from what DescribeHubClusterDetails
  reports (nothing when they match), then wait until the cluster reports them back and is running
  again (the provider's update waits for ``running`` and then a fixed 4 minutes, l. 276-282; reading
  the values back is the direct test). Create then reads the kubeconfig; update keeps the one it has,
  so dependent Kubernetes providers see no change.
- **read** (``pulumi refresh``): the settings as the cluster reports them, so drift made in the
  console shows up and the next ``up`` sets them back; a cluster that is gone (``Cluster.NotFound``)
  removes the resource from state.
- **delete**: no API call. The settings live and die with the cluster, and askflow deletes the
  cluster in the same run (destroy, engine switch, replacement, all after this resource, which
  depends on it). Setting them back first would put the cluster into an update right before
  DeleteHubCluster and make a destroy slower and more fragile (the provider waits minutes after
  every feature update, l. 276-282). Someone who removes only this resource keeps a working engine
  as it is. The kubeconfig has no revoke call in adcp 2022-01-01 (the SDK's client.py has none).

The provider holds its waiting times and nothing else (Pulumi pickles it with dill into the resource's
``__provider`` input): the SDK client is built inside each call (:class:`askflow.ackone.api.Adcp`).
An API error fails the call with one line (:func:`askflow.ackone.api.api_error`); nothing was
changed by a call the API refused, and create/update are safe to run again (they send only what
still differs).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from askflow.ackone import features
from askflow.ackone.api import DEAD_STATES, RETRY_WAITS, RUNNING, Adcp, ClusterNotFound, ClusterView
from askflow.errors import AskflowError

T = TypeVar("T")

#: The provider's create/update timeout for this cluster type is 25 minutes
#: (resource_alicloud_ack_one_cluster.go l. 24-28); the same bound here.
TIMEOUT_SECONDS = 25 * 60
POLL_SECONDS = 10.0
#: The module Pulumi's dynamic provider host runs: the CLI starts the plugin
#: ``pulumi-resource-pulumi-python``, which runs ``<virtualenv>/bin/python -u -m pulumi.dynamic``
#: (pulumi/pulumi ``sdk/python/dist/pulumi-resource-pulumi-python``), so askflow is importable there.
HOST_MODULE = "pulumi.dynamic.__main__"


def _in_provider_host() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == HOST_MODULE


def _one_line(fn: Callable[[], T]) -> T:
    """Run ``fn``; an AskflowError leaves the provider host as its own line.

    The host reports a failed call with ``traceback.format_exc()`` (pulumi ``dynamic/__main__.py``,
    ``_abort_with_traceback``), which ``pulumi up`` prints whole. With ``sys.tracebacklimit = 0``
    that text is the exception's line alone. Set only inside that host process, only on failure.
    """
    try:
        return fn()
    except AskflowError:
        if _in_provider_host():
            sys.tracebacklimit = 0
        raise


class WorkflowClusterFeaturesProvider(ResourceProvider):
    """Argo Server on/off and the scheduling mode of an ACK One workflow cluster, plus its kubeconfig."""

    def __init__(self, *, poll_seconds: float = POLL_SECONDS, timeout_seconds: float = TIMEOUT_SECONDS,
                 retry_waits: tuple[float, ...] = RETRY_WAITS) -> None:
        super().__init__()
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self.retry_waits = retry_waits

    # -- the engine's calls ------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [CheckFailure(p, why) for p, why in features.problems(news, unknown=rpc.UNKNOWN)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        diffs, replaces = features.changed(olds, news)
        # Replacing means another cluster: the new settings resource is made on the new cluster
        # before the old one is forgotten (delete makes no call), so the default order is right.
        return DiffResult(changes=bool(diffs), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = _one_line(lambda: self._apply(props, kubeconfig=None))
        return CreateResult(str(props["cluster_id"]), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kept = olds.get("kubeconfig") if olds.get("cluster_id") == news.get("cluster_id") else None
        return UpdateResult(_one_line(lambda: self._apply(news, kubeconfig=kept or None)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return _one_line(lambda: self._read(id_, props))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo (see the module docstring): the cluster's own deletion ends the settings."""
        return None

    # -- the work ----------------------------------------------------------------------------

    def _api(self, region: str) -> Adcp:
        """A new API client for this call (tests/support/adcp_fake.py points it at the fake)."""
        return Adcp(region, retry_waits=self.retry_waits)

    def _apply(self, props: dict[str, Any], *, kubeconfig: str | None) -> dict[str, Any]:
        cluster_id, region = str(props["cluster_id"]), str(props["region"])
        want = {"argo_server_enabled": props["argo_server_enabled"], "scheduling_mode": props["scheduling_mode"]}
        bad = features.problems(props)
        if bad:
            raise AskflowError(f"workflow cluster {cluster_id}: {bad[0][1]}")
        api = self._api(region)
        view = self._wait(api, cluster_id, None)
        if view.profile and view.profile != "XFlow":
            raise AskflowError(
                f"ACK One cluster {cluster_id} ({region}) has profile {view.profile!r}, not 'XFlow': Argo Server "
                "and the scheduling mode apply only to workflow clusters; pass the id of an XFlow cluster")
        send = {k: v for k, v in want.items() if _reported(view, k) != v}
        if send:
            api.update_features(cluster_id, **send)
            view = self._wait(api, cluster_id, want)
        return {
            "cluster_id": cluster_id,
            "region": region,
            # What the cluster reports; what was asked when it does not report the field.
            "argo_server_enabled": _or(view.argo_server_enabled, want["argo_server_enabled"]),
            "scheduling_mode": _or(view.scheduling_mode, want["scheduling_mode"]),
            "kubeconfig": kubeconfig if kubeconfig else api.kubeconfig(cluster_id),
        }

    def _wait(self, api: Adcp, cluster_id: str, want: dict[str, Any] | None) -> ClusterView:
        """Poll DescribeHubClusterDetails until the cluster is running (and reports ``want``)."""
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            view = api.details(cluster_id)
            if view.state in DEAD_STATES:
                why = f": {view.error_message}" if view.error_message else ""
                raise AskflowError(
                    f"ACK One workflow cluster {cluster_id} ({api.region}) is {view.state}{why}; "
                    "it will not become running: look at it in the ACK One console (DescribeHubClusterLogs)")
            settled = want is None or all(_reported(view, k) in (None, v) for k, v in want.items())
            if view.state == RUNNING and settled:
                return view
            if time.monotonic() >= deadline:
                wanted = "" if want is None else " with " + ", ".join(f"{k}={v}" for k, v in sorted(want.items()))
                raise AskflowError(
                    f"ACK One workflow cluster {cluster_id} ({api.region}) did not become running{wanted} within "
                    f"{self.timeout_seconds / 60:g} min (state {view.state!r}, argo_server_enabled="
                    f"{view.argo_server_enabled}, scheduling_mode={view.scheduling_mode}); check it in the ACK One "
                    "console, then run again")
            time.sleep(self.poll_seconds)

    def _read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        region = str(props.get("region") or "")
        if not region:
            raise AskflowError(f"workflow cluster {id_}: the state has no region; run `pulumi up` first")
        try:
            view = self._api(region).details(id_)
        except ClusterNotFound:
            return ReadResult("", {})
        outs = dict(props)
        outs.update(cluster_id=id_, region=region)
        if view.argo_server_enabled is not None:
            outs["argo_server_enabled"] = view.argo_server_enabled
        if view.scheduling_mode is not None:
            outs["scheduling_mode"] = view.scheduling_mode
        return ReadResult(id_, outs)


def _reported(view: ClusterView, key: str) -> Any:
    return view.argo_server_enabled if key == "argo_server_enabled" else view.scheduling_mode


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value

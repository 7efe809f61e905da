"""The adcp fake, served to the real SDK client (tests/support/adcp_fake.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.adcp_fake import AdcpFake, FakeCluster, FakeEndpointProvider

CLUSTER = "c5f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[AdcpFake]:
    # Credentials through the SDK's default chain (its environment provider comes first); fake values.
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIfakefakefake")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "fakesecretfakesecret")
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    with AdcpFake() as f:
        f.add(FakeCluster(CLUSTER))
        yield f


@pytest.fixture
def provider(fake: AdcpFake) -> FakeEndpointProvider:
    return FakeEndpointProvider(fake.endpoint)


def props(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"cluster_id": CLUSTER, "region": "cn-hangzhou", "argo_server_enabled": True,
                               "scheduling_mode": "cost-optimized", "kubeconfig": None}
    base.update(over)
    return base

"""The fake's recorded bodies are what the SDK parses: every field name survives the SDK's models."""

from __future__ import annotations

import pytest
from alibabacloud_adcp20220101 import models

from tests.support.adcp_fake import recorded


@pytest.mark.parametrize(("action", "model"), [
    ("DescribeHubClusterDetails", models.DescribeHubClusterDetailsResponseBody),
    ("DescribeHubClusterKubeconfig", models.DescribeHubClusterKubeconfigResponseBody),
    ("UpdateHubClusterFeature", models.UpdateHubClusterFeatureResponseBody),
])
def test_a_recorded_body_round_trips_through_the_sdk_model(action: str, model: type) -> None:
    """``from_map`` keeps only the names the SDK knows: a misspelt or invented field would be lost."""
    body = recorded(action)
    assert model().from_map(body).to_map() == body


def test_the_details_carry_the_fields_askflow_reads() -> None:
    cluster = models.DescribeHubClusterDetailsResponseBody().from_map(recorded("DescribeHubClusterDetails")).cluster
    assert (cluster.cluster_info.state, cluster.cluster_info.profile) == ("running", "XFlow")
    assert (cluster.workflow_config.argo_server_enabled, cluster.workflow_config.workflow_schedule_mode) == (
        False, "stock-optimized")

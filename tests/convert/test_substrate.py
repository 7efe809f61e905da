"""``askflow convert --cluster-kind``: ECI annotations where pods run on ECI, ACS labels on acs."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow.cli import main
from tests.convert.support import codes, convert, crd_problems, template_of, templates_by_name, write_json
from tests.convert.test_aws_batch import definition
from tests.convert.test_batchcompute import job, task

SPOT = {"AutoCluster": {"InstanceType": "ecs.c6.xlarge", "ResourceType": "Spot", "SpotStrategy": "SpotWithPriceLimit",
                        "SpotPriceLimit": 0.5, "ImageId": "img-ubuntu",
                        "Configs": {"Disks": {"SystemDisk": {"Size": 80, "Type": "cloud_efficiency"}}}}}


def _leaf(tmp_path: Path, kind: str) -> tuple[dict, set[str]]:
    data = job({"count": task(**SPOT)}, {})
    run, out = convert(tmp_path, write_json(tmp_path, "job.json", data), cluster_kind=kind)
    wt = template_of(out, "log-count")
    assert crd_problems(out) == []
    return templates_by_name(wt)["count"], codes(run)


@pytest.mark.parametrize("kind", ["ack-pro-eci", "ask", "ask-legacy"])
def test_kinds_with_pods_on_eci_keep_the_eci_annotations(tmp_path: Path, kind: str) -> None:
    leaf, found = _leaf(tmp_path, kind)
    assert leaf["metadata"]["annotations"]["k8s.aliyun.com/eci-spot-strategy"] == "SpotWithPriceLimit"
    assert "labels" not in leaf["metadata"]
    assert not {c for c in found if c.startswith("ACS_")}


def test_acs_turns_spot_into_best_effort_and_drops_what_acs_does_not_read(tmp_path: Path) -> None:
    leaf, found = _leaf(tmp_path, "acs")
    assert leaf["metadata"].get("labels") == {"alibabacloud.com/compute-qos": "best-effort"}
    assert not any(k.startswith("k8s.aliyun.com/eci-") for k in leaf["metadata"].get("annotations", {}))
    # Sized from the requests the converter wrote (c6.xlarge: 4 vCPU / 8 GiB), which ACS reads.
    assert leaf["container"]["resources"]["requests"] == {"cpu": "4", "memory": "8Gi"}
    assert {"ACS_BEST_EFFORT", "ACS_SPEC_DROPPED", "ACS_ANNOTATION_DROPPED"} <= found


def test_acs_gpu_job_gets_the_gpu_compute_class(tmp_path: Path) -> None:
    d = definition(props={"resourceRequirements": [{"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "8192"},
                                                   {"type": "GPU", "value": "1"}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d), cluster_kind="acs")
    wt = template_of(out, "worker")
    labels = [t.get("metadata", {}).get("labels", {}) for t in wt["spec"]["templates"]]
    assert {"alibabacloud.com/compute-class": "gpu"} in labels
    assert "ACS_GPU_CLASS" in codes(run)
    assert "eci-use-specs" not in str(wt["spec"]["templates"])
    assert crd_problems(out) == []


def test_the_cli_takes_the_kind(tmp_path: Path) -> None:
    src = write_json(tmp_path, "job.json", job({"count": task(**SPOT)}, {}))
    assert main(["convert", str(src), "--out", str(tmp_path / "lib"), "--cluster-kind", "acs"]) == 0
    assert "compute-qos: best-effort" in (tmp_path / "lib" / "log-count" / "v1.yaml").read_text()

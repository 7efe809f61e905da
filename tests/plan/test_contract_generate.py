"""The contract generator: Terraform facts read from Go source, and a rerun reproduces the data."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from askflow.plan.contract.generate import dumps, generate
from askflow.plan.contract.tfsource import AlicloudSource, Git
from tests.conftest import ROOT

PROVIDER_GO = """package alicloud

func Provider() {
	m := map[string]*schema.Resource{
		"alicloud_demo":                resourceAliCloudDemo(),
	}
}
"""

COMMON_GO = """package alicloud

const DemoModeFast = "Fast"
"""

RESOURCE_GO = """package alicloud

func resourceAliCloudDemo() *schema.Resource {
	return &schema.Resource{
		Create: resourceAliCloudDemoCreate,
		DeprecationMessage: "use alicloud_demo_v2",
		Schema: map[string]*schema.Schema{
			"size": {
				Type:         schema.TypeInt,
				Optional:     true,
				ValidateFunc: IntBetween(1, 24), // hours
			},
			"cidr": {
				Type:     schema.TypeString,
				ForceNew: true,
				ValidateFunc: validation.IsCIDRNetwork(16, 29),
			},
			"mode": {
				Type:         schema.TypeString,
				Deprecated:   "Field 'mode' is deprecated, use \\"kind\\"",
				ValidateFunc: StringInSlice([]string{DemoModeFast, "Slow"}, false),
			},
			"tags": tagsSchema(),
			"ids": {
				Type: schema.TypeList,
				Elem: &schema.Schema{Type: schema.TypeString, ValidateFunc: validation.StringMatch(regexp.MustCompile(`^vsw-`), "a vSwitch")},
			},
			"window": {
				Type:     schema.TypeList,
				MaxItems: 1,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						"day": {
							Type:     schema.TypeString,
							ForceNew: true,
							ValidateFunc: validateDemoDay,
						},
					},
				},
			},
		},
	}
}
"""


def _repo(tmp_path: Path) -> Git:
    files = {"alicloud/provider.go": PROVIDER_GO, "alicloud/common.go": COMMON_GO,
             "alicloud/resource_alicloud_demo.go": RESOURCE_GO}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo"], ["tag", "v1.0.0"]):
        subprocess.run(["git", *cmd], cwd=tmp_path, check=True, env=env)
    return Git(tmp_path / ".git")


def test_terraform_facts_are_read_from_go_source_with_their_lines(tmp_path: Path) -> None:
    git = _repo(tmp_path)
    assert git.describe == "v1.0.0"
    demo = AlicloudSource(git).resource("alicloud_demo")
    assert demo is not None
    assert demo.deprecation == "use alicloud_demo_v2" and demo.line == 3
    a = demo.attributes
    assert a["size"].rules == [{"min": 1, "max": 24}] and a["size"].line == 8 and not a["size"].force_new
    assert a["cidr"].force_new and a["cidr"].rules == [{"cidr": [16, 29]}]
    assert a["mode"].deprecated == "Field 'mode' is deprecated, use \"kind\""
    assert a["mode"].rules == [{"in": ["Fast", "Slow"]}]  # the constant resolved
    assert "tags" not in a  # a helper's schema is not read, never guessed
    assert a["ids"].each_rules == [{"pattern": "^vsw-", "message": "a vSwitch"}]
    day = a["window"].nested["day"]  # type: ignore[index]
    assert day.force_new and day.rules == [{"unparsed": "validateDemoDay"}] and day.line == 33


UPSTREAM = os.environ.get("ASKFLOW_UPSTREAM_MIRRORS")


@pytest.mark.skipif(not UPSTREAM, reason="set ASKFLOW_UPSTREAM_MIRRORS to a folder of <owner>+<repo>/repo git mirrors")
def test_a_rerun_reproduces_the_committed_data() -> None:
    base = Path(UPSTREAM or "")
    data = generate(
        Git(base / "aliyun+terraform-provider-alicloud/repo"),
        Git(base / "pulumi+pulumi-alicloud/repo"),
        Git(base / "hashicorp+terraform-provider-random/repo"),
        Git(base / "aliyun+aliyun-oss-go-sdk/repo", "v2.2.9"),
    )
    assert dumps(data) == (ROOT / "askflow/plan/contract/data/contract.json").read_text()

"""ACK One workflow clusters (Serverless Argo Workflows): the settings the provider does not expose.

pulumi-alicloud's ``alicloud.ackone.Cluster`` (terraform-provider-alicloud
``alicloud/resource_alicloud_ack_one_cluster.go`` at 81c43b67) creates a workflow cluster with
``profile: XFlow`` and knows ``cluster_name``, ``network`` (VPC, vSwitches), ``profile`` and, for
``Default`` only, ``argocd_enabled`` (l. 29-82; l. 88-92 refuses ``argocd_enabled`` with XFlow). It
sends ``UpdateHubClusterFeature`` with ``ArgoCDEnabled`` alone (l. 243-255) and never reads or sets
Argo Server (``ArgoServerEnabled``), the scheduling mode (``WorkflowScheduleMode``) or the
kubeconfig (``DescribeHubClusterKubeconfig``). This package does, through ACK One's API
(``adcp`` 2022-01-01) and Alibaba's SDK ``alibabacloud-adcp20220101``:

- :mod:`.features`: the settings as values (names, allowed values, what replaces and what updates),
  with no Pulumi and no SDK import, so the plan's contract checker reads them too;
- :mod:`.api`: the three API calls askflow makes, errors turned into one line;
- :mod:`.provider`: the Pulumi dynamic resource provider (create, diff, update, read, delete).

The ``pulumi.dynamic.Resource`` that uses the provider is ``infra/components/workflow_cluster.py``.
"""

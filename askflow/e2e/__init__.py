"""``askflow e2e``: the acceptance test a platform team runs on its own Alibaba Cloud account.

On a throw-away copy of a dev or staging stack (``askflow stack new``: its own names and CIDRs, no
``protect``), with the Pulumi Automation API (https://www.pulumi.com/docs/iac/using-pulumi/automation-api/),
the way Pulumi's own integration tests and Terratest prove a stack:

1. ``up`` with the policy pack; the stack's outputs are recorded;
2. wait for Argo's controller and server Deployments to be ready (through the stack's kubeconfig output);
3. submit the smoke template (``workflows/e2e-smoke``), which writes an artifact to OSS through RRSA
   and reads it back, then check its phase and read the object with the runner's own credentials;
4. ``refresh``, then ``preview --expect-no-changes``: any diff is drift and fails the test;
5. ``destroy`` and ``stack rm``, always (after a failure or Ctrl-C too); ``--keep`` skips it.

Modules: :mod:`~askflow.e2e.plan` resolves names (all ``--dry-run`` needs, no credentials),
:mod:`~askflow.e2e.runner` orchestrates over the :mod:`~askflow.e2e.backend` interfaces, whose real
implementations are :mod:`~askflow.e2e.automation` (Pulumi), :mod:`~askflow.e2e.kube` (the cluster)
and :mod:`~askflow.e2e.oss` (the bucket); the tests run the runner over fakes.
"""

"""Migrate batch job definitions into versioned Argo WorkflowTemplates (``askflow convert``).

Sources: AWS Batch job definitions and SubmitJob pipelines (:mod:`.aws_batch`), Alibaba Cloud
BatchCompute jobs in both API dialects (:mod:`.batchcompute`), Kubernetes Jobs and CronJobs
(:mod:`.kubernetes`). Each job becomes a new version in a template library (``DIR/<name>/v<N>.yaml``,
``cron-<schedule>.yaml``) with a migration report (``v<N>.migration.md``, ``--json REPORT``) whose
entries carry the stable codes of :data:`askflow.convert.codes.CODES`.

Public API::

    from askflow.convert import plan_run, Run, CODES
    run = plan_run(["jobs/"], "workflows", source_format=None, name=None)  # validates, renders; writes nothing
    run.write(json_report=None)        # every file atomically
    run.exit_code                      # 0 all converted, 1 some job not converted
    run.report()                       # the --json REPORT document

Reference: ``../shared/batch-jobs/FORMATS.md`` (field semantics and the mapping to Argo).
"""

from askflow.convert.codes import CODES, Code
from askflow.convert.engine import JobResult, Run, plan_run

__all__ = ["CODES", "Code", "JobResult", "Run", "plan_run"]

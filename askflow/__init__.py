"""askflow: a serverless batch platform on Alibaba Cloud (ASK + ECI) running Argo Workflows.

This package is plain Python and creates no cloud resources: the settings model, the template
library, the linter, the migration converters, the offline plan and the CLI. The Pulumi program
that creates resources lives in ``infra/`` and imports this package, never the other way round.
"""

__version__ = "0.1.0"

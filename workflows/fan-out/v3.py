"""fan-out v3, written in Python with hera (https://hera.readthedocs.io/, hera 7.1).

The fan-out / fan-in of v2 (at most 4 `process` pods at a time), with every parameter passed to the
scripts as an environment variable (COUNT, NUMBER, SQUARES) instead of being substituted into
their Python source. Argo substitutes {{...}} as text before the pod starts, so in v1 and v2 whoever
submitted the workflow could write code that ran inside this reviewed template; an environment
variable is only data (lint rule parameter-in-code). v1 and v2 are retired for that reason.

askflow calls build() and deploys build().to_dict() as fan-out-v3; the digest in versions.lock is
taken on that dict, so reformatting this file changes nothing, while changing what it builds does.
"""

from hera.workflows import (
    DAG,
    Env,
    Parameter,
    Resources,
    RetryStrategy,
    Script,
    Task,
    WorkflowTemplate,
)
from hera.workflows.models import ValueFrom

SMALL = Resources(cpu_request="100m", cpu_limit="250m", memory_request="64Mi", memory_limit="64Mi")


def build() -> WorkflowTemplate:
    with WorkflowTemplate(
        name="fan-out",
        annotations={
            "workflows.argoproj.io/description": (
                "Squares every number of a generated list, at most 4 at a time, then sums the squares."
            ),
        },
        entrypoint="main",
        service_account_name="argo-workflow",
        active_deadline_seconds=1800,
        arguments=[Parameter(name="count", value="8")],
    ) as wt:
        generate = Script(
            name="generate",
            image="python:3.12-slim",
            command=["python"],
            inputs=[Parameter(name="count")],
            env=[Env(name="COUNT", value="{{inputs.parameters.count}}")],
            source=(
                "import json, os\n"
                "count = int(os.environ['COUNT'])\n"
                "print(json.dumps(list(range(1, count + 1))))\n"
            ),
            resources=SMALL,
            retry_strategy=RetryStrategy(limit=2),
        )
        square = Script(
            name="square",
            image="python:3.12-slim",
            command=["python"],
            inputs=[Parameter(name="number")],
            outputs=[Parameter(name="square", value_from=ValueFrom(path="/tmp/square"))],
            env=[Env(name="NUMBER", value="{{inputs.parameters.number}}")],
            source=(
                "import os\n"
                "n = int(os.environ['NUMBER'])\n"
                "print(f'item {n}: {n * n}')\n"
                "open('/tmp/square', 'w').write(str(n * n))\n"
            ),
            resources=SMALL,
            retry_strategy=RetryStrategy(limit=2),
        )
        total = Script(
            name="sum",
            image="python:3.12-slim",
            command=["python"],
            inputs=[Parameter(name="squares")],
            env=[Env(name="SQUARES", value="{{inputs.parameters.squares}}")],
            source=(
                "import json, os\n"
                "squares = [int(s) for s in json.loads(os.environ['SQUARES'])]\n"
                'print(f"{len(squares)} squares, sum {sum(squares)}")\n'
            ),
            resources=SMALL,
            retry_strategy=RetryStrategy(limit=2),
        )
        # parallelism caps how many tasks of this DAG run at once: a long list does not start
        # hundreds of ECI pods together.
        with DAG(name="main", parallelism=4):
            gen = Task(
                name="generate",
                template=generate,
                arguments=[Parameter(name="count", value="{{workflow.parameters.count}}")],
            )
            process = Task(
                name="process",
                template=square,
                with_param="{{tasks.generate.outputs.result}}",
                arguments=[Parameter(name="number", value="{{item}}")],
            )
            aggregate = Task(
                name="aggregate",
                template=total,
                arguments=[Parameter(name="squares", value="{{tasks.process.outputs.parameters.square}}")],
            )
            gen >> process >> aggregate
    return wt

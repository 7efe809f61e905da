"""fan-out v2, written in Python with hera (https://hera.readthedocs.io/, hera 7.1).

The same fan-out / fan-in as v1.yaml, plus two changes (`askflow workflows diff fan-out v1 v2`):
- the DAG runs at most 4 `process` pods at a time (`parallelism`), whatever the list length;
- `process` is a Python script that also reports which item it handled.

askflow calls build() and deploys build().to_dict() as fan-out-v2; the digest in versions.lock is
taken on that dict, so reformatting this file changes nothing, while changing what it builds does.
"""

from hera.workflows import (
    DAG,
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
            source=(
                "import json\n"
                "print(json.dumps(list(range(1, {{inputs.parameters.count}} + 1))))\n"
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
            source=(
                "n = int('{{inputs.parameters.number}}')\n"
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
            source=(
                "import json\n"
                "squares = [int(s) for s in json.loads('{{inputs.parameters.squares}}')]\n"
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

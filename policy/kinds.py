"""Terraform exports of the prod stack on every ``cluster.kind``, for checkov (``make scan``).

``make scan`` checks prod as deployed; this writes ``<out>/<kind>.tf.json`` for prod derived to each
other kind (``askflow stack new k-<kind> --from prod --set cluster.kind=<kind>``, in a scratch copy
of the project, nothing written to ``environments/``), so each substrate passes the same checks, and
``<out>/engine-<engine>.tf.json`` for prod on each other ``argo.engine`` (:data:`ENGINE_SETS`).
Run: ``.venv/bin/python policy/kinds.py build/kinds``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from askflow import yamlio
from askflow.plan import plan_stack
from askflow.plan.terraform import to_terraform_json
from askflow.stacks.new import stack_new
from askflow.substrate import CLUSTER_KINDS

ROOT = Path(__file__).resolve().parent.parent
#: Prod on every other argo.engine (askflow.substrate.ENGINES): the managed engine has no archive
#: database, ECI image caches or per-tenant ECI settings (askflow.settings refuses them there).
ENGINE_SETS: dict[str, list[str]] = {
    "ack-one": ["argo.engine=ack-one", "argo.enable_archive=false", "templates.enable_image_cache=false",
                "tenants[0].eci={}"],
}


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="askflow-kinds-") as tmp:
        root = Path(tmp)
        (root / "environments").mkdir()
        project = yamlio.load_file(ROOT / "Pulumi.yaml")
        project["main"] = str(ROOT / "infra")
        (root / "Pulumi.yaml").write_text(yamlio.dumps(project))
        for f in sorted((ROOT / "environments").glob("Pulumi.*.yaml")):
            shutil.copy(f, root / "environments" / f.name)
        for kind in CLUSTER_KINDS:
            if kind == "ack-pro-eci":
                continue  # prod itself: make scan's own export
            sets = [f"cluster.kind={kind}"]
            if kind == "acs":
                # No ECI image caches or per-tenant ECI overrides on ACS (askflow.settings refuses them).
                sets += ["templates.enable_image_cache=false", "tenants[0].eci={}"]
            stack_new(f"k-{kind}", "prod", sets, project_root=root)
            (out / f"{kind}.tf.json").write_text(to_terraform_json(plan_stack(f"k-{kind}", root)))
            print(f"{out / f'{kind}.tf.json'}: prod on cluster.kind {kind}")
        for engine, sets in ENGINE_SETS.items():
            stack_new(f"e-{engine}", "prod", sets, project_root=root)
            (out / f"engine-{engine}.tf.json").write_text(to_terraform_json(plan_stack(f"e-{engine}", root)))
            print(f"{out / f'engine-{engine}.tf.json'}: prod on argo.engine {engine}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/kinds")))

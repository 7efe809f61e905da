"""The README's configuration reference is generated from the settings model and kept in sync."""

from __future__ import annotations

from askflow.reference import END, START, config_reference
from tests.conftest import REGENERATE, ROOT


def test_config_reference_is_in_sync() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    expected = f"{head}{START}\n{config_reference()}{END}{tail}"
    if REGENERATE:
        readme.write_text(expected)
    assert text == expected, "README configuration reference is stale: run ASKFLOW_REGENERATE=1 make test"


def test_reference_lists_every_settings_section() -> None:
    ref = config_reference()
    for key in ("`network.vswitch_cidrs`", "`cluster.kubernetes_version`", "`storage.force_destroy`",
                "`argo.template_referencing`", "`tenants[].queues`", "`templates.deploy`"):
        assert key in ref

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


def test_section_rows_carry_their_description_and_say_when_they_are_optional() -> None:
    """A section's own Field description is shown (it was lost when the section's model had no
    docstring), and a section that defaults to None says it is optional."""
    rows = {line.split("|")[1].strip(" `"): line for line in config_reference().splitlines() if line.startswith("| `")}
    assert "ResourceQuota of the namespace." in rows["tenants[].quota"]
    assert "optional" in rows["tenants[].default_limit"] and "optional" in rows["argo.sso"]
    assert "optional" not in rows["tenants[].default_request"]

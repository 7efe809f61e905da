"""The library reads templates with the linter's definitions (one source of truth, Argo's)."""

from __future__ import annotations

from askflow.library import diff, graph, loader, lock, model
from askflow.lint import argo, runner, structure


def test_template_type_is_argos() -> None:
    # A null field is no type (Argo's Go structs decode null as absent): this is a script template.
    tmpl = {"name": "t", "container": None, "script": {"image": "python:3.12", "source": "1"}}
    assert argo.template_type(tmpl) == ["script"]
    assert diff._type(tmpl) == graph._template_type(tmpl) == "script"
    assert not hasattr(diff, "_TEMPLATE_TYPES")


def test_depends_is_read_with_argos_pattern() -> None:
    assert graph.depends_terms is argo.depends_terms
    depends = "(a.Succeeded || b) && !c.AnySucceeded"
    assert list(argo.depends_terms(depends)) == [("a", "Succeeded"), ("b", None), ("c", "AnySucceeded")]
    assert argo.task_dependencies({"depends": depends}) == {"a": False, "b": False, "c": True}


def test_constants_have_one_home() -> None:
    assert loader.MAX_DEPLOYED_NAME == argo.MAX_NAME and loader.MAX_CRON_NAME is argo.MAX_CRON_NAME
    assert loader.API_VERSION is structure.API_VERSION
    assert lock.LOCK_FILE is model.LOCK_FILE is runner.LOCK_FILE

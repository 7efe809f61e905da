"""Lifecycle hooks and exit handlers: hooks other than ``exit`` need an expression (validate.go:
validateHooks, called for the workflow's and for steps' hooks).

Two things ``argo lint`` accepts but the controller refuses once the workflow runs are warnings
(errors with ``--strict``): a DAG task's hook without an expression (validateDAG never calls
validateHooks; workflow/controller/hooks.go executeTmplLifeCycleHook errors "Expression required for
hook %s") and a step's or task's ``onExit``/hook template that does not exist (validateSteps and
validateDAG never resolve them; the controller fails the node when it gets there)."""

from __future__ import annotations

from typing import Any

from askflow.lint.argo.documents import Checks, Holder, d, text

RULES = ("hook-expression", "task-hook-expression", "undefined-hook-template")


class HookChecks(Checks):
    def validate_hooks(self, hooks: dict[str, Any], path: str, prefix: str, *, task: bool = False) -> None:
        for name, hook in hooks.items():
            if name != "exit" and not text(d(hook).get("expression")):
                message = f"{prefix}.{name} Expression required"
                if task:
                    self.emit("task-hook-expression", f"{path}.{name}", message)
                else:
                    self.emit("hook-expression", f"{path}.{name}", message)

    def check_hook_templates(self, step: dict[str, Any], path: str, ctx: Holder, prefix: str) -> None:
        """Exit handlers and hooks name local templates that must exist (a runtime failure otherwise)."""
        on_exit = text(step.get("onExit"))
        if on_exit and on_exit not in ctx.templates:
            self.emit("undefined-hook-template", f"{path}.onExit", f"{prefix}template name '{on_exit}' undefined")
        for name, hook in d(step.get("hooks")).items():
            target = text(d(hook).get("template"))
            if target and target not in ctx.templates:
                self.emit(
                    "undefined-hook-template",
                    f"{path}.hooks.{name}.template",
                    f"{prefix}template name '{target}' undefined",
                )

"""Lifecycle hooks and exit handlers: hooks other than ``exit`` need an expression; exit handlers
and hooks name templates that exist (validate.go: validateWorkflowHooks, validateTemplateHooks)."""

from __future__ import annotations

from typing import Any

from askflow.lint.argo.documents import Checks, Holder, d, text

RULES = ("hook-expression", "undefined-template")


class HookChecks(Checks):
    def validate_hooks(self, hooks: dict[str, Any], path: str, prefix: str) -> None:
        for name, hook in hooks.items():
            if name != "exit" and not text(d(hook).get("expression")):
                self.emit("hook-expression", f"{path}.{name}", f"{prefix}.{name} Expression required")

    def check_hook_templates(self, step: dict[str, Any], path: str, ctx: Holder, prefix: str) -> None:
        """Exit handlers and hooks name local templates that must exist (a runtime failure otherwise)."""
        on_exit = text(step.get("onExit"))
        if on_exit and on_exit not in ctx.templates:
            self.emit("undefined-template", f"{path}.onExit", f"{prefix}template name '{on_exit}' undefined")
        for name, hook in d(step.get("hooks")).items():
            target = text(d(hook).get("template"))
            if target and target not in ctx.templates:
                self.emit(
                    "undefined-template",
                    f"{path}.hooks.{name}.template",
                    f"{prefix}template name '{target}' undefined",
                )

"""Steps templates: step names, loops, arguments, the template each step calls, and what the steps
after it may reference (validate.go: validateSteps)."""

from __future__ import annotations

from askflow.lint.argo.documents import FAKE, Call, Checks, Holder, Tmpl, d, field_name_errors, lst, text
from askflow.lint.variables import TAG, Scope

RULES = ("missing-name", "duplicate-name", "invalid-name")


class StepChecks(Checks):
    def validate_steps(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None:  # (27-29)
        self.validate_non_leaf(tmpl)
        t, tp = tmpl.name, tmpl.path
        names: set[str] = set()
        for i, group in enumerate(lst(tmpl.data.get("steps"))):
            for j, step in enumerate(lst(group)):
                if not isinstance(step, dict):
                    continue
                sp = f"{tp}.steps[{i}][{j}]"
                name = text(step.get("name"))
                if not name:
                    self.emit("missing-name", f"{sp}.name", f"templates.{t}.steps[{i}].name is required")
                    continue
                if name in names:
                    self.emit(
                        "duplicate-name",
                        f"{sp}.name",
                        f"templates.{t}.steps[{i}].name '{name}' is not unique",
                    )
                else:
                    # isValidStepName: a placeholder may stand for part of the name, which must still be
                    # valid once it is filled in (argoproj/argo-workflows#15896): run-{{...}} is, run_{{...}} is not
                    errs = field_name_errors(TAG.sub("x", name))
                    if errs:
                        self.emit(
                            "invalid-name",
                            f"{sp}.name",
                            f"templates.{t}.steps[{i}].name '{name}' is invalid: {';'.join(errs)}",
                        )
                names.add(name)
                prefix = f"steps.{name}"
                err_prefix = f"templates.{t}.steps[{i}].{name} "
                scope.add(prefix + ".status")
                self.add_items(step, scope, sp, err_prefix)
                arguments = d(step.get("arguments"))
                self.validate_arguments(
                    f"templates.{t}.steps[{i}].{name}.arguments.", arguments, False, f"{sp}.arguments"
                )
                call = Call(step, sp, err_prefix.rstrip())
                args = arguments if isinstance(step.get("templateRef"), dict) else FAKE
                resolved = self.validate_template_holder(call, ctx, args)
                hooks = d(step.get("hooks"))
                if "exit" in hooks or text(step.get("onExit")):
                    self.add_outputs(resolved, prefix, scope, False, False)
                self.validate_hooks(hooks, f"{sp}.hooks", f"templates.{t}.steps[{i}].{name}")
                self.check_hook_templates(step, sp, ctx, err_prefix)
                step_scope = scope.copy()
                inline = d(step.get("inline"))
                for param in lst(d(inline.get("inputs")).get("parameters")):
                    step_scope.add("inputs.parameters." + text(d(param).get("name")))
                self.resolve_all(step_scope, step, sp, f"templates.{t}.steps ")
                aggregate = bool(lst(step.get("withItems"))) or bool(text(step.get("withParam")))
                self.add_outputs(resolved, prefix, scope, aggregate, False)
                if args is FAKE and resolved is not None:  # validate again with the actual arguments
                    self.process_args(resolved, arguments, call)

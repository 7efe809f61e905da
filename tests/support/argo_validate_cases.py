"""Argo's own validator tests, run through askflow lint: the figures issue 16 asks for.

``python -m tests.support.argo_validate_cases GIT_DIR [TAG]`` reads ``workflow/validate/validate_test.go``
and ``validate_dag_test.go`` at TAG (default v4.1.2) from a clone of argoproj/argo-workflows (the files
stay outside this repository) and lints every YAML a test validates: a named ``var x = `...``` or a
literal passed straight to ``validate``/``unmarshalWf``. The expectation is the first assertion after
it (``NoError``: Argo accepts; ``Error``/``EqualError``/``ErrorContains``: Argo rejects). The
WorkflowTemplates the file defines are linted beside each case, as the Go tests create them in their
fake client. Table-driven fragments (a ``spec`` snippet spliced into a Go format string) are not
whole documents and are left out. Prints each disagreement and ``accepted A/B, rejected C/D``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import yaml

from askflow.lint import ERROR, lint_documents

FILES = ("workflow/validate/validate_test.go", "workflow/validate/validate_dag_test.go")
_CALL = re.compile(
    r"\b(validate|validateWorkflowTemplate|unmarshalWf|unmarshalWftmpl|MustUnmarshalWorkflow|"
    r"MustUnmarshalWorkflowTemplate)\((?:[^,()]*\([^()]*\)[^,()]*,\s*|ctx,\s*)?(\w+)"
)


def cases(src: str) -> tuple[list[tuple[str, str, str | None, bool]], dict[str, str]]:
    """``([(test, yaml name, expected error or None, is a WorkflowTemplate)], {yaml name: text})``."""
    yamls = dict(re.findall(r"(?:var|const) (\w+) = `(.*?)`", src, re.S))
    out: list[tuple[str, str, str | None, bool]] = []
    for test, body in re.findall(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", src, re.S | re.M):
        count = 0

        def literal(match: re.Match[str], test: str = test) -> str:
            nonlocal count
            whole = match.string
            if whole[match.end():match.end() + 1] == "+" or whole[max(match.start() - 1, 0)] == "+":
                return "fragment"  # part of a document spliced together in Go: not linted
            count += 1
            yamls[f"{test}#{count}"] = match.group(1)
            return f"{test}#{count}"

        body = re.sub(r"`(.*?)`", literal, body, flags=re.S)
        current, template = None, False
        for line in body.splitlines():
            call = _CALL.search(line.replace("#", "_H_"))
            if call and call.group(2).replace("_H_", "#") in yamls:
                current, template = call.group(2).replace("_H_", "#"), "mpl" in call.group(1)
                continue
            if current and re.search(r"(require|assert)\.NoError", line):
                out.append((test, current, None, template))
                current = None
            elif current and re.search(r"(require|assert)\.(Error|EqualError|ErrorContains)", line):
                said = re.search(r'"([^"]+)"', line)
                out.append((test, current, said.group(1) if said else "", template))
                current = None
    return out, yamls


def _documents(text: str) -> list[dict[str, Any]]:
    try:
        return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []


def run(git_dir: str, tag: str) -> tuple[list[int], list[int], list[str]]:
    accepted, rejected, disagreements = [0, 0], [0, 0], []
    for file in FILES:
        src = subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{file}"], check=True,
                             capture_output=True, text=True).stdout
        found, yamls = cases(src)
        support = [d for text in yamls.values() if "kind: WorkflowTemplate" in text for d in _documents(text)
                   if d.get("kind") == "WorkflowTemplate"]
        seen: set[str] = set()
        for test, name, expected, template in found:
            docs = _documents(yamls[name])
            if name in seen or not docs:
                continue
            seen.add(name)
            for doc in docs:
                doc.setdefault("kind", "WorkflowTemplate" if template else "Workflow")
                doc.setdefault("apiVersion", "argoproj.io/v1alpha1")
                if not isinstance(doc.get("metadata"), dict):
                    doc["metadata"] = {}
                doc["metadata"].setdefault("namespace", "default")  # the Go tests' fake client namespace
            own = {d["metadata"].get("name") for d in docs}
            entries = [(name, i, d) for i, d in enumerate(docs)]
            entries += [("support", i, {**d, "metadata": {**d["metadata"], "namespace": "default"}})
                        for i, d in enumerate(support) if d.get("metadata", {}).get("name") not in own]
            errors = [f.message for f in lint_documents(entries)
                      if f.severity == ERROR and f.file == name and f.doc == 0]
            tally = accepted if expected is None else rejected
            tally[1] += 1
            agree = not errors if expected is None else bool(errors)
            tally[0] += agree
            if not agree:
                disagreements.append(f"{file.rsplit('/', 1)[1]} {test} {name}: Argo "
                                     f"{'accepts' if expected is None else 'rejects (' + expected + ')'}, "
                                     f"askflow {errors[:2] if errors else 'accepts'}")
    return accepted, rejected, disagreements


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    accepted, rejected, disagreements = run(argv[0], argv[1] if len(argv) > 1 else "v4.1.2")
    for line in disagreements:
        print(line)
    print(f"accepted {accepted[0]}/{accepted[1]}, rejected {rejected[0]}/{rejected[1]}")
    return 0 if not disagreements else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

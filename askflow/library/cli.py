"""``askflow workflows``: list, start, lock, draw and compare template versions.

- ``list``: every template, its versions (released, draft, or changed since release), the stacks
  that deploy each (``environments/Pulumi.*.yaml``), and what references each.
- ``new NAME``: copy the latest version to the next number (refuses while the latest is a draft).
- ``lock NAME[-vN]... | --all``: release drafts (record their digests in ``versions.lock``);
  exit 1 if a released one changed.
- ``retire NAME-vN``: after deleting a released version's file, retire its name for good.
- ``show NAME[-vN]``: the DAG or steps as Mermaid (``--format dot`` for Graphviz, ``--png FILE``).
- ``diff NAME A B``: structural changes between two versions, ``--text`` adds a unified diff.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from askflow import files, jsonout
from askflow.errors import AskflowError, quoted
from askflow.library.authoring import lock_library, new_version
from askflow.library.diff import diff_versions, format_changes, text_diff
from askflow.library.environments import read_stack_templates
from askflow.library.graph import build_graph, to_dot, to_mermaid
from askflow.library.loader import MAX_DEPLOYED_NAME, load_library, parse_deployed_name
from askflow.library.lock import base_lock_text, check_against_base, read_lock, retire, unreleased, updated_lock
from askflow.library.model import Library, TemplateVersion
from askflow.library.selection import resolve_crons, resolve_deploy

#: Seconds ``dot`` may take to draw a PNG.
DOT_TIMEOUT = 120
DOT_MISSING = (
    "Graphviz `dot` is not on PATH; install it (apt-get install graphviz, or brew install graphviz) "
    "or drop --png and paste the Mermaid output into a Markdown file"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "workflows",
        help="the versioned WorkflowTemplate library (workflows/)",
        description=__doc__.replace("``", "`"),  # the docstring, without reStructuredText's double quotes
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="workflows_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        type=Path,
        default=Path("workflows"),
        help="the template library folder (default: workflows)",
    )

    p = sub.add_parser("list", parents=[common], help="templates, versions, which stacks deploy them, references")
    p.add_argument(
        "--environments",
        type=Path,
        default=Path("environments"),
        help="folder of Pulumi.<stack>.yaml files (default: environments)",
    )
    jsonout.add_argument(p, "the listing, instead of the table,")
    p.set_defaults(func=run_list)

    p = sub.add_parser("new", parents=[common], help="copy the latest version of NAME to the next version")
    p.add_argument("name", metavar="NAME", help="the template (a folder of the library), e.g. etl")
    p.set_defaults(func=run_new)

    p = sub.add_parser(
        "lock", parents=[common], help="release drafts: record their digests in versions.lock",
        description="Release the drafts named (NAME-vN, or NAME for every draft of a template) by recording "
        "their digests in versions.lock; --all releases every draft. Given neither, lists the drafts. A draft "
        "identical to its previous version, or failing strict lint, is refused.",
    )
    p.add_argument("versions", nargs="*", metavar="NAME[-vN]",
                   help="the drafts to release: a deployed name (etl-v4) or a template (every draft of it)")
    p.add_argument("--all", action="store_true", help="release every draft of the library")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the lock is not up to date")
    p.add_argument(
        "--base", metavar="REV",
        help="with --check: also exit 1 if the lock lost or changed a version released (or retired) at git "
        "revision REV, e.g. origin/main",
    )
    p.set_defaults(func=run_lock)

    p = sub.add_parser("retire", parents=[common], help="retire a deleted released version's name for good")
    p.add_argument("version", metavar="NAME-vN", help="the deployed name, e.g. etl-v1")
    p.set_defaults(func=run_retire)

    p = sub.add_parser("show", parents=[common], help="draw a version's DAG or steps (Mermaid, DOT, PNG)")
    p.add_argument("version", metavar="NAME[-vN]", help="a template (its latest version) or a deployed name")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                   help="print Mermaid (default; GitHub renders it in Markdown) or Graphviz DOT")
    p.add_argument("--png", type=Path, metavar="FILE",
                   help="render to a PNG with Graphviz dot (FILE's folder must exist)")
    p.set_defaults(func=run_show)

    p = sub.add_parser("diff", parents=[common], help="what changed between two versions of a template")
    p.add_argument("name", metavar="NAME", help="the template, e.g. etl")
    p.add_argument("a", metavar="VA", help="older version: v1 (or 1)")
    p.add_argument("b", metavar="VB", help="newer version: v2 (or 2)")
    p.add_argument("--text", action="store_true", help="also print a unified diff of the sources")
    p.set_defaults(func=run_diff)


# A version number fits in a deployed name (<name>-v<N>, at most 63 characters), so it has at most
# 60 digits; ASCII ones only (str.isdigit() also takes '²', which int() refuses).
_VERSION_ARG = re.compile(rf"[vV]?([0-9]{{1,{MAX_DEPLOYED_NAME - 3}}})")


def _number(text: str) -> int:
    m = _VERSION_ARG.fullmatch(text)
    number = int(m.group(1)) if m else 0
    if number < 1:
        raise AskflowError(f"{quoted(text, 70)} is not a version number; use v1, v2, ...")
    return number


def resolve_version(library: Library, text: str) -> TemplateVersion:
    """``etl`` -> the latest version of etl; ``etl-v2`` -> that version."""
    if text in library.by_name:
        return library.latest(text)
    parsed = parse_deployed_name(text)
    if parsed is not None and parsed[0] in library.by_name:
        return library.version(*parsed)
    raise AskflowError(
        f"{quoted(text, 70)} is neither a template nor a version in {library.root} "
        f"(templates: {', '.join(library.names) or 'none'})"
    )


def readable(version: TemplateVersion) -> TemplateVersion:
    """``version``, once its fields have the types the Argo API gives them; ``show`` and ``diff``
    read templates, tasks and steps by those types. Otherwise an AskflowError naming the first
    field of the wrong type (``spec.templates: expected a list, got an integer``), as the structural
    check of ``askflow lint`` reports it. Unknown and missing fields do not stop a drawing or a diff."""
    from askflow.lint.structure import check_document

    for path, rule, message in check_document(version.document):
        if rule == "invalid-type":
            raise AskflowError(f"{message}; run askflow lint {version.source}", file=str(version.source), path=path)
    return version


def _status(version: TemplateVersion, recorded: dict[str, str]) -> str:
    digest = recorded.get(version.deployed_name)
    if digest is None:
        return "draft"
    return "released" if digest == version.digest else "CHANGED"


def list_rows(library: Library, environments: Path) -> dict[str, list[dict[str, Any]]]:
    """The data ``workflows list`` prints: one row per version and per CronWorkflow."""
    recorded = read_lock(library.lock_path)
    stacks = read_stack_templates(environments)
    deployed_by: dict[str, list[str]] = {}
    cron_stacks: dict[str, list[str]] = {}
    for stack in stacks:
        try:
            versions = resolve_deploy(library, stack.deploy)
            crons = resolve_crons(library, stack.crons)
        except AskflowError as exc:
            raise AskflowError(exc.message, file=str(stack.file), path=f"config.askflow:platform.{exc.path}") from None
        for v in versions:
            deployed_by.setdefault(v.deployed_name, []).append(stack.stack)
        for c in crons:
            cron_stacks.setdefault(c.name, []).append(stack.stack)
    versions_out = [
        {
            "template": v.name,
            "version": v.number,
            "deployed_name": v.deployed_name,
            "status": _status(v, recorded),
            "stacks": deployed_by.get(v.deployed_name, []),
            "referenced_by": list(library.referenced_by.get(v.deployed_name, ())),
            "source": str(v.source),
        }
        for v in library.versions
    ]
    crons_out = [
        {
            "name": c.name,
            "template": c.template,
            "runs": c.template_ref,
            "stacks": cron_stacks.get(c.name, []),
            "source": str(c.source),
        }
        for c in library.crons
    ]
    return {"versions": versions_out, "crons": crons_out}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]


def run_list(args: argparse.Namespace) -> int:
    jsonout.check(args.json_path)
    library = load_library(args.root)
    data = list_rows(library, args.environments)
    if args.json_path:
        jsonout.write(args.json_path, json.dumps(data, indent=2, sort_keys=True) + "\n")
        return 0
    rows = [
        [
            r["template"],
            f"v{r['version']}",
            r["deployed_name"],
            r["status"],
            ", ".join(r["stacks"]) or "-",
            ", ".join(r["referenced_by"]) or "-",
        ]
        for r in data["versions"]
    ]
    lines = _table(["TEMPLATE", "VERSION", "DEPLOYED NAME", "STATUS", "STACKS", "REFERENCED BY"], rows)
    if data["crons"]:
        lines.append("")
        lines += _table(
            ["CRONWORKFLOW", "TEMPLATE", "RUNS", "STACKS"],
            [[c["name"], c["template"], c["runs"], ", ".join(c["stacks"]) or "-"] for c in data["crons"]],
        )
    print("\n".join(lines))
    return 0


def run_new(args: argparse.Namespace) -> int:
    library = load_library(args.root)
    previous = library.latest(args.name).deployed_name
    target, moved = new_version(library, args.name)
    new_name = f"{args.name}-{target.stem}"
    note = f" ({moved} mention{'s' if moved != 1 else ''} of {previous} changed to {new_name})" if moved else ""
    print(f"wrote {target}{note}; edit it, then run `askflow workflows lock` to release it")
    return 0


def run_lock(args: argparse.Namespace) -> int:
    if args.base is not None and not args.check:
        raise AskflowError("--base only checks; add --check", path=f"--base {quoted(args.base, 60)}")
    if args.check and (args.versions or args.all):
        raise AskflowError("--check checks the whole lock; drop the version names and --all")
    if args.versions and args.all:
        raise AskflowError("give the drafts to release or --all, not both")
    library = load_library(args.root)
    if args.check:
        if args.base is not None:
            check_against_base(library.lock_path, base_lock_text(library.lock_path, args.base), args.base)
        _, added = updated_lock(library, library.lock_path)
        if added:
            raise AskflowError(
                f"not locked yet: {', '.join(added)}; run `askflow workflows lock {' '.join(added)}`",
                file=str(library.lock_path),
                exit_code=1,
            )
        print(f"{library.lock_path} is up to date")
        return 0
    if not args.versions and not args.all:
        drafts = unreleased(library, library.lock_path)
        if drafts:
            for name in drafts:
                print(f"draft {name} {library.by_deployed_name[name].digest}")
            raise AskflowError(
                f"{len(drafts)} draft(s) not released; release them by name (askflow workflows lock "
                f"{' '.join(drafts)}) or all at once with --all",
                file=str(library.lock_path),
            )
    added = lock_library(library, args.versions or None)
    if not added:
        print(f"{library.lock_path} is up to date")
    for name in added:
        print(f"locked {name} {library.by_deployed_name[name].digest}")
    return 0


def run_retire(args: argparse.Namespace) -> int:
    if parse_deployed_name(args.version) is None:
        raise AskflowError(
            f"{quoted(args.version, 70)} is not a deployed name; use NAME-vN (at most {MAX_DEPLOYED_NAME} "
            "characters), e.g. etl-v1"
        )
    library = load_library(args.root)
    lock = retire(library, args.version)
    print(f"retired {args.version} in {lock}; its name will not be used again")
    return 0


def render_png(dot_text: str, target: Path) -> None:
    """Render DOT to ``target`` with Graphviz, whole or not at all; AskflowError (exit 2) when
    ``dot`` is missing or fails, or ``target`` cannot be written (nothing is written then)."""
    dot = shutil.which("dot")
    if dot is None:
        raise AskflowError(DOT_MISSING)
    with files.replacing(target) as tmp:
        try:
            result = subprocess.run(
                [dot, "-Tpng", "-o", str(tmp)],
                input=dot_text,
                capture_output=True,
                text=True,
                check=False,
                timeout=DOT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise AskflowError(
                f"Graphviz dot did not finish in {DOT_TIMEOUT} seconds; {files.NOTHING_WRITTEN}", file=str(target)
            ) from None
        except OSError as exc:
            raise AskflowError(
                f"Graphviz dot ({dot}) could not be run ({exc.strerror or exc}); {files.NOTHING_WRITTEN}",
                file=str(target),
            ) from None
        if result.returncode != 0:
            message = " ".join(result.stderr.split()) or f"exit code {result.returncode}"
            raise AskflowError(f"Graphviz dot failed: {message}; {files.NOTHING_WRITTEN}", file=str(target))
        if tmp.stat().st_size == 0:
            raise AskflowError(f"Graphviz dot wrote no image; {files.NOTHING_WRITTEN}", file=str(target))


def run_show(args: argparse.Namespace) -> int:
    if args.png:  # before any work, and nothing written
        if shutil.which("dot") is None:
            raise AskflowError(DOT_MISSING)
        files.check_output_file(args.png)
    library = load_library(args.root)
    version = readable(resolve_version(library, args.version))
    graph = build_graph(version.render(), version.deployed_name)
    if args.png:
        render_png(to_dot(graph), args.png)
        print(f"wrote {args.png}")
        return 0
    print(to_dot(graph) if args.format == "dot" else to_mermaid(graph), end="")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    library = load_library(args.root)
    library.latest(args.name)  # a clear error for an unknown template
    a = readable(library.version(args.name, _number(args.a)))
    b = readable(library.version(args.name, _number(args.b)))
    print(format_changes(a, b, diff_versions(a, b)), end="")
    if args.text:
        text = text_diff(a, b) or "(no text changes)\n"
        print("\n" + text, end="" if text.endswith("\n") else "\n")
    return 0

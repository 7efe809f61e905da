"""Migration reports: Markdown beside each template version, and JSON for the whole run.

The Markdown report (``DIR/<name>/v<N>.migration.md``) says what the job became, which parameters a
submitter must supply, and every entry grouped by severity (not converted first), with the meaning
of each code used. The JSON report (``--json REPORT``) holds the same entries for every job of the
run, plus a summary and the meaning of each code, so it can be checked by a script.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from askflow.convert.codes import CODES, SEVERITIES
from askflow.convert.model import Entry, JobPlan

REPORT_VERSION = 1
_TITLES = {"not-converted": "Not converted", "approximated": "Approximated", "mapped": "Mapped"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _ordered(entries: Sequence[Entry]) -> list[Entry]:
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # not-converted first
    return sorted(entries, key=lambda e: (rank[e.severity], e.code, e.path, e.message))


def _collapsed(entries: Sequence[Entry]) -> list[tuple[Entry, list[str]]]:
    """Rows for the Markdown tables: entries that differ only in one path segment (a task's name, which the
    message and target may repeat, also as its Kubernetes name) become one row listing the segments, so a DAG
    of 30 tasks reads as one row per fact rather than 30 copies. Order is kept (first member's place)."""
    def variants(e: Entry) -> list[tuple[tuple[str, ...], str]]:
        parts = e.path.split(".")
        out: list[tuple[tuple[str, ...], str]] = []
        for k, seg in enumerate(parts):
            if len(seg) < 2:
                continue
            names = sorted({seg, seg.lower(), re.sub(r"[^a-z0-9]+", "-", seg.lower()).strip("-")} - {""},
                           key=len, reverse=True)

            def mask(text: str, names: list[str] = names) -> str:
                for n in names:
                    text = text.replace(n, "\0")
                return text

            out.append(((e.code, ".".join([*parts[:k], "*", *parts[k + 1:]]), mask(e.message), mask(e.target)), seg))
        return out

    size = Counter(key for e in entries for key, _ in variants(e))
    groups: dict[tuple[str, ...], list[tuple[Entry, str]]] = {}
    order: list[tuple[str, ...] | Entry] = []
    for e in entries:
        best = max(variants(e), key=lambda v: size[v[0]], default=None)
        if best is None or size[best[0]] < 3:
            order.append(e)
            continue
        if best[0] not in groups:
            groups[best[0]] = []
            order.append(best[0])
        groups[best[0]].append((e, best[1]))
    rows: list[tuple[Entry, list[str]]] = []
    for item in order:
        if isinstance(item, Entry):
            rows.append((item, []))
            continue
        members = groups[item]
        if len(members) < 3:
            rows.extend((e, []) for e, _ in members)
            continue
        code, path, message, target = item
        rows.append((Entry(code, path, message.replace("\0", "*"), target.replace("\0", "*")),
                     [seg for _, seg in members]))
    return rows


def _defaults_line(entries: Sequence[Entry]) -> str:
    """One line for the platform defaults a job got (their rows would repeat in every job of a run)."""
    used = sorted({e.code for e in entries if CODES[e.code].platform_default})
    if not used:
        return ""
    return ("- Platform defaults (the same for every job; see Codes): " + ", ".join(f"`{c}`" for c in used))


def counts(entries: Sequence[Entry]) -> dict[str, int]:
    c = Counter(e.severity for e in entries)
    return {s: c.get(s, 0) for s in SEVERITIES}


def render_markdown(plan: JobPlan, version: int | None, outputs: Sequence[str]) -> str:
    """The Markdown report of one job (``outputs``: file names written beside it)."""
    src = plan.source
    lines = [f"# Migration report: {plan.name}" + (f" v{version}" if version else ""), ""]
    lines.append(f"- Source: `{src.file}`" + (f" document {src.doc + 1}" if src.doc else "")
                 + (f" at `{src.path}`" if src.path else "") + f": {src.format} {src.kind} `{plan.source_name}`")
    if plan.converted and version is not None:
        lines.append(f"- Result: WorkflowTemplate `{plan.name}`, deployed as `{plan.name}-v{version}`; files: "
                     + ", ".join(f"`{o}`" for o in outputs))
        lines.append(f"- Run it: `argo submit --from workflowtemplate/{plan.name}-v{version}"
                     + "".join(f" -p {p['name']}=..." for p in plan.parameters if "value" not in p) + "`")
    else:
        lines.append("- Result: **not converted**; nothing was written for this job")
    c = counts(plan.report.entries)
    lines.append(f"- Entries: {c['mapped']} mapped, {c['approximated']} approximated, "
                 f"{c['not-converted']} not converted")
    defaults = _defaults_line(plan.report.entries)
    if defaults:
        lines.append(defaults)
    lines.append("")
    if plan.converted and plan.parameters:
        lines += ["## Parameters", "", "| Parameter | Default | What it is |", "|---|---|---|"]
        for p in plan.parameters:
            default = f"`{p['value']}`" if "value" in p else "**required** (no default)"
            lines.append(f"| `{p['name']}` | {_cell(default)} | {_cell(p.get('description', ''))} |")
        lines.append("")
    entries = _ordered([e for e in plan.report.entries if not CODES[e.code].platform_default])
    for severity in reversed(SEVERITIES):
        group = [e for e in entries if e.severity == severity]
        if not group:
            continue
        lines += [f"## {_TITLES[severity]}", "", "| Code | Source path | What happened | Where it went |",
                  "|---|---|---|---|"]
        for e, members in _collapsed(group):
            each = f" (each of {len(members)}: {', '.join(members)})" if members else ""
            lines.append(f"| `{e.code}` | `{_cell(e.path) or '(definition)'}` | {_cell(e.message + each)} | "
                         f"{'`' + _cell(e.target) + '`' if e.target else ''} |")
        lines.append("")
    for note in plan.notes:
        lines += [note.rstrip(), ""]
    used = sorted({e.code for e in plan.report.entries})
    lines += ["## Codes", "", "| Code | Severity | Meaning |", "|---|---|---|"]
    for code in used:
        info = CODES[code]
        lines.append(f"| `{code}` | {info.severity}{' (blocking)' if info.blocking else ''} | {_cell(info.meaning)} |")
    return "\n".join(lines).rstrip() + "\n"


def job_json(plan: JobPlan, version: int | None, outputs: Sequence[str]) -> dict[str, Any]:
    src = plan.source
    return {
        "name": plan.name,
        "status": "converted" if plan.converted else "not-converted",
        "version": version,
        "deployed_name": f"{plan.name}-v{version}" if version else None,
        "source": {"file": src.file, "doc": src.doc, "path": src.path, "format": src.format, "kind": src.kind,
                   "name": plan.source_name},
        "outputs": list(outputs),
        "parameters": [dict(p) for p in plan.parameters] if plan.converted else [],
        "counts": counts(plan.report.entries),
        "entries": [e.to_json() for e in _ordered(plan.report.entries)],
    }


def run_json(jobs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``--json REPORT`` document: summary, one object per job, and the codes used."""
    used = sorted({e["code"] for j in jobs for e in j["entries"]})
    totals = Counter[str]()
    for j in jobs:
        totals.update(j["counts"])
    defaults: dict[str, list[str]] = {}
    for j in jobs:
        for code in sorted({e["code"] for e in j["entries"] if CODES[e["code"]].platform_default}):
            defaults.setdefault(code, []).append(j["name"])
    return {
        "report_version": REPORT_VERSION,
        "summary": {
            "jobs": len(jobs),
            "converted": sum(j["status"] == "converted" for j in jobs),
            "not_converted": sum(j["status"] != "converted" for j in jobs),
            "entries": {s: totals.get(s, 0) for s in SEVERITIES},
            # platform defaults, said once for the run: code -> the jobs that got it
            "platform_defaults": {c: {"meaning": CODES[c].meaning, "jobs": names} for c, names in sorted(defaults.items())},
        },
        "jobs": list(jobs),
        "codes": {c: {"severity": CODES[c].severity, "blocking": CODES[c].blocking, "meaning": CODES[c].meaning}
                  for c in used},
    }

"""Migration reports: Markdown beside each template version, and JSON for the whole run.

The Markdown report (``DIR/<name>/v<N>.migration.md``) says what the job became, which parameters a
submitter must supply, and every entry grouped by severity (not converted first), with the meaning
of each code used. The JSON report (``--json REPORT``) holds the same entries for every job of the
run, plus a summary and the meaning of each code, so it can be checked by a script.
"""

from __future__ import annotations

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
    lines.append("")
    if plan.converted and plan.parameters:
        lines += ["## Parameters", "", "| Parameter | Default | What it is |", "|---|---|---|"]
        for p in plan.parameters:
            default = f"`{p['value']}`" if "value" in p else "**required** (no default)"
            lines.append(f"| `{p['name']}` | {_cell(default)} | {_cell(p.get('description', ''))} |")
        lines.append("")
    entries = _ordered(plan.report.entries)
    for severity in reversed(SEVERITIES):
        group = [e for e in entries if e.severity == severity]
        if not group:
            continue
        lines += [f"## {_TITLES[severity]}", "", "| Code | Source path | What happened | Where it went |",
                  "|---|---|---|---|"]
        for e in group:
            lines.append(f"| `{e.code}` | `{_cell(e.path) or '(definition)'}` | {_cell(e.message)} | "
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
    return {
        "report_version": REPORT_VERSION,
        "summary": {
            "jobs": len(jobs),
            "converted": sum(j["status"] == "converted" for j in jobs),
            "not_converted": sum(j["status"] != "converted" for j in jobs),
            "entries": {s: totals.get(s, 0) for s in SEVERITIES},
        },
        "jobs": list(jobs),
        "codes": {c: {"severity": CODES[c].severity, "blocking": CODES[c].blocking, "meaning": CODES[c].meaning}
                  for c in used},
    }

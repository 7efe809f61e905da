"""The report codes are a documented, closed set: every code the converters emit is in CODES (with a
severity and a meaning), and every code in CODES is emitted somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import askflow.convert
from askflow.convert.codes import CODES, SEVERITIES
from askflow.convert.model import Reporter

SOURCE = Path(askflow.convert.__file__).parent
EMITTED = re.compile(r'\.add\(\s*"([A-Z][A-Z0-9_]+)"')


def emitted_codes() -> set[str]:
    return {m.group(1) for path in SOURCE.glob("*.py") for m in EMITTED.finditer(path.read_text())}


def test_every_emitted_code_is_documented() -> None:
    assert emitted_codes() - set(CODES) == set()


def test_every_documented_code_is_emitted() -> None:
    assert set(CODES) - emitted_codes() == set()


def test_codes_have_severity_and_meaning() -> None:
    for code, info in CODES.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert info.severity in SEVERITIES and info.meaning.endswith(".") and len(info.meaning) > 20
        assert not info.blocking or info.severity == "not-converted"


def test_the_suggested_codes_of_formats_md_are_used() -> None:
    """FORMATS.md section 6 suggests codes; the ones this converter has a trigger for keep their names."""
    for code in ("UNSUPPORTED_APP_JOB", "NEEDS_CONTAINER_IMAGE", "OSS_REGISTRY_IMAGE", "CLUSTER_BINDING_DROPPED",
                 "INSTANCE_TYPE_APPROXIMATED", "DROPPED_FIELD", "NEEDS_CLUSTER_RESOURCE", "LOG_SPLIT_LOST",
                 "NOTIFICATION_REWRITE", "RETRY_REASON_APPROXIMATED", "RETRY_COUNT_SEMANTICS", "N_TO_N_BARRIER",
                 "SEQUENTIAL_APPROXIMATED", "UNSUPPORTED_MULTINODE", "WORK_QUEUE_SEMANTICS",
                 "UNSUPPORTED_SUCCESS_POLICY", "RESTART_POLICY_CHANGED", "CRON_DEADLINE_DEFAULT"):
        assert code in CODES


def test_reporter_rejects_undocumented_codes() -> None:
    with pytest.raises(KeyError):
        Reporter().add("NOT_A_CODE", [], "x")


def test_name_sanitized_has_one_source() -> None:
    """Every format names its template through naming.job_template_name (one rule, one report line)."""
    emitters = sorted(path.name for path in SOURCE.glob("*.py") if '"NAME_SANITIZED"' in path.read_text()
                      and path.name != "codes.py")
    assert emitters == ["naming.py"]


def test_job_template_name_reports_only_a_changed_name() -> None:
    from askflow.convert.naming import job_template_name

    report = Reporter()
    assert job_template_name(None, "My_Job", report, ["Name"]) == "my-job"
    assert job_template_name(None, "ok-name", report, ["Name"]) == "ok-name"
    assert job_template_name("given", "My_Job", report, ["Name"]) == "given"
    assert [(e.code, e.path, e.message) for e in report.entries] == [("NAME_SANITIZED", "Name", "'My_Job' became 'my-job'")]

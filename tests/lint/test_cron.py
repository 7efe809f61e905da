"""Schedules parse the way robfig/cron v3 ``ParseStandard`` parses them (what Argo's controller uses)."""

from __future__ import annotations

import pytest

from askflow.lint.cron import CronError, parse_standard, timezone_error


@pytest.mark.parametrize(
    "spec",
    [
        "0 1 * * *",
        "*/5 * * * *",
        "0 0 1 jan *",
        "0 0 * * MON-FRI",
        "5 4 * * sun",
        "0 0 ? * *",
        "0,30 8-18/2 * * 1-5",
        "@daily",
        "@midnight",
        "@hourly",
        "@every 1h30m",
        "@every 90s",
        "CRON_TZ=Asia/Shanghai 0 1 * * *",
        "TZ=UTC @weekly",
        "0 12 1-31/10 * *",
    ],
)
def test_valid_schedules(spec: str) -> None:
    parse_standard(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("0 0 * * * *", "expected exactly 5 fields, found 6"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),  # robfig: Sunday is 0 only
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("x * * * *", "failed to parse int from x"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("@every 1x", "failed to parse duration @every 1x"),
        ("", "empty spec string"),
        ("CRON_TZ=Nowhere/City 0 1 * * *", "provided bad location Nowhere/City"),
    ],
)
def test_invalid_schedules(spec: str, message: str) -> None:
    with pytest.raises(CronError) as info:
        parse_standard(spec)
    assert message in str(info.value)


def test_timezones_load_like_go() -> None:
    assert timezone_error("") is None  # UTC
    assert timezone_error("America/Los_Angeles") is None
    assert timezone_error("Local") is None
    assert timezone_error("Mars/Olympus_Mons") == "unknown time zone Mars/Olympus_Mons"

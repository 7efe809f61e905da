"""Ordered retry rules folded into one expression keep first-match semantics (AWS evaluateOnExit,
Kubernetes podFailurePolicy), checked by evaluating the expression for many exit codes."""

from __future__ import annotations

import fnmatch
import itertools

import pytest

from askflow.convert import retry
from tests.convert.support import evaluate

CODES = ["0", "1", "2", "13", "137", "143", "255", "-1"]
GLOBS = ["137", "1*", "2*", "*", "143", "25*"]


def aws_retries(rules: list[tuple[str, str]], code: str) -> bool:
    """AWS Batch: the first rule whose onExitCode glob matches decides; none matching means retry."""
    for action, glob in rules:
        if fnmatch.fnmatchcase(code, glob):
            return action == "RETRY"
    return True


@pytest.mark.parametrize("rules", [
    list(combo) for n in (1, 2, 3)
    for combo in itertools.product(itertools.product(("RETRY", "EXIT"), GLOBS), repeat=n)
][::7])  # a spread of 1- to 3-rule lists, every 7th of all combinations
def test_fold_matches_first_match_semantics(rules: list[tuple[str, str]]) -> None:
    expression = retry.fold([(retry.exit_code_glob(g), a == "RETRY") for a, g in rules])
    for code in CODES:
        assert evaluate(expression, code) == aws_retries(rules, code), (rules, code, expression)


def test_documented_example() -> None:
    """FORMATS.md 2.3: [{RETRY onExitCode 137}, {EXIT *}] -> lastRetry.exitCode == '137'."""
    assert retry.fold([(retry.exit_code_glob("137"), True), (retry.exit_code_glob("*"), False)]) == (
        "lastRetry.exitCode == '137'")


def test_exit_code_lists() -> None:
    assert evaluate(retry.exit_code_in([42, 43]), "42") and not evaluate(retry.exit_code_in([42]), "1")
    assert evaluate(retry.exit_code_in([42], negate=True), "1")
    assert retry.all_of([retry.TRUE, "a == 'b'"]) == "a == 'b'"
    assert retry.all_of(["x == '1'", retry.FALSE]) == retry.FALSE

"""User rules: parsed safely, evaluated over time windows, each finding saying what fired."""

from __future__ import annotations

import numpy as np
import pytest

from anomaly_desk.detect.rule_language import RuleError, parse_rule
from anomaly_desk.detect.rules import UserRule, evaluate_rule
from anomaly_desk.model import Severity

MINUTE = 60 * 10**9
T0 = 1_700_000_000 * 10**9


def series(values: list[float], step: int = MINUTE) -> tuple[np.ndarray, np.ndarray]:
    return T0 + np.arange(len(values), dtype=np.int64) * step, np.asarray(values, dtype=float)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ('__import__("os").system("x")', "position"),
        ("value.__class__", "unexpected '.__class__' at position 6"),
        ("open(value)", "unknown name 'open'"),
        ("value > ", "found the end"),
        ("mean(value) > 3", "expected ','"),
        ("value > 1 for 10x", "expected duration"),
        ("lambda: 1", "unexpected .: 1. at position 7"),
        ("value > 1 or", "found the end"),
        ("x" * 600, "longer than 500"),
    ],
)
def test_unsafe_or_malformed_rules_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rule(text)


def test_threshold_with_hold_fires_only_after_holding() -> None:
    ts, values = series([10, 95, 96, 97, 10, 95, 96, 97, 98, 99, 99, 10])
    rule = UserRule("CPU hot", "value > 90 for 3m", Severity.CRITICAL)
    (finding,) = evaluate_rule(rule, ts, values, "web-03/cpu_pct")
    # The second run starts at index 5 and holds 3 minutes from index 8.
    assert (finding.start_ns, finding.end_ns) == (ts[8], ts[10])
    assert finding.score >= 75 and finding.type == "rule"
    assert finding.actual == 99.0
    assert 'Rule "CPU hot" (value > 90 for 3m) fired on web-03/cpu_pct' in finding.narrative
    assert "(3 points)" in finding.narrative


def test_rate_and_percent_change_use_time_windows() -> None:
    ts, values = series([0, 0, 0, 0, 600, 1200, 1200, 1200])
    (rate,) = evaluate_rule(UserRule("fast", "rate(value, 2m) > 4"), ts, values, "s")
    # 600 per 120 s = 5 per second at index 4, 5 and (1200 - 600) / 120 s at index 6.
    assert rate.start_ns == ts[4] and rate.end_ns == ts[6]
    drops = evaluate_rule(
        UserRule("drop", "pct_change(value, 1m) < -50%"), *series([100, 40, 40]), "s"
    )
    assert [f.start_ns for f in drops] == [T0 + MINUTE]
    means = evaluate_rule(
        UserRule("m", "mean(value, 3m) >= 2 * median(value, 1h) and value > 1"),
        *series([1, 1, 1, 1, 9, 9, 9]),
        "s",
    )
    assert means and means[0].start_ns == T0 + 4 * MINUTE


def test_absence_rule_and_series_globs() -> None:
    ts = np.array([0, 1, 2, 20, 21], dtype=np.int64) * MINUTE + T0
    values = np.ones(5)
    rule = UserRule("silent", "no data for 10m", Severity.MAJOR, series="web-*")
    (finding,) = evaluate_rule(rule, ts, values, "web-01/cpu")
    assert (finding.start_ns, finding.end_ns) == (ts[2], ts[3])
    assert "sent no data for 18 minutes" in finding.narrative
    assert evaluate_rule(rule, ts, values, "db-01/cpu") == []

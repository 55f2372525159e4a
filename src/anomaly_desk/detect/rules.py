"""User rules over a series: threshold, rate and absence conditions, each with a severity.

Rules are written in ``rule_language`` (parsed, never evaluated as Python) and evaluated here
vectorised over a whole series. Windows are in time, not points: ``mean(value, 1h)`` is the
mean of the last hour of data whatever the step.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import numpy as np
import pandas as pd

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.explain import duration, fmt, local
from anomaly_desk.detect.findings import Contribution, Finding
from anomaly_desk.detect.rule_language import Binary, Call, Node, Num, Rule, Unary, parse_rule
from anomaly_desk.model import Severity

# The score a rule finding gets: the middle of its severity band, so it sorts with its peers.
SEVERITY_SCORE = {
    Severity.CRITICAL: 90.0,
    Severity.MAJOR: 62.0,
    Severity.MINOR: 37.0,
    Severity.WARNING: 12.0,
    Severity.LOW: 1.0,
}


@dataclass(frozen=True)
class UserRule:
    name: str
    expression: str
    severity: Severity = Severity.MAJOR
    series: str = "*"  # a glob over series names ("web-*/cpu_pct")

    def parsed(self) -> Rule:
        return parse_rule(self.expression)

    def applies_to(self, series_name: str) -> bool:
        return fnmatch.fnmatchcase(series_name, self.series)


def _lagged_index(ts_ns: np.ndarray, window_s: float) -> np.ndarray:
    """For each point, the first point at or after ``t - window`` (the window's left end)."""
    return np.searchsorted(ts_ns, ts_ns - int(window_s * 1e9), side="left")


def _evaluate(node: Node, ts_ns: np.ndarray, values: FloatArray) -> FloatArray:
    if isinstance(node, Num):
        return np.full(len(values), node.value)
    if isinstance(node, Unary):
        inner = _evaluate(node.operand, ts_ns, values)
        return -inner if node.op == "-" else (inner == 0).astype(np.float64)
    if isinstance(node, Binary):
        left = _evaluate(node.left, ts_ns, values)
        right = _evaluate(node.right, ts_ns, values)
        return _binary(node.op, left, right)
    if isinstance(node, Call):
        return _call(node, ts_ns, values)
    return values  # Value


def _binary(op: str, left: FloatArray, right: FloatArray) -> FloatArray:
    with np.errstate(all="ignore"):
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        elif op == "/":
            result = np.where(right == 0, np.nan, left / np.where(right == 0, 1, right))
        elif op == "and":
            result = (left != 0) & (right != 0)
        elif op == "or":
            result = (left != 0) | (right != 0)
        else:
            result = {
                ">": np.greater, ">=": np.greater_equal, "<": np.less,
                "<=": np.less_equal, "==": np.equal, "!=": np.not_equal,
            }[op](left, right)  # fmt: skip
    return np.asarray(result, dtype=np.float64)


def _call(node: Call, ts_ns: np.ndarray, values: FloatArray) -> FloatArray:
    arg = _evaluate(node.arg, ts_ns, values)
    if node.name == "abs":
        return np.asarray(np.abs(arg), dtype=np.float64)
    assert node.window_s is not None
    if node.name in ("rate", "delta", "pct_change"):
        start = _lagged_index(ts_ns, node.window_s)
        before = arg[start]
        change = arg - before
        with np.errstate(all="ignore"):
            if node.name == "rate":
                seconds = (ts_ns - ts_ns[start]) / 1e9
                rate = np.where(seconds > 0, change / np.where(seconds > 0, seconds, 1), np.nan)
                return np.asarray(rate, dtype=np.float64)
            if node.name == "pct_change":
                pct = np.where(before != 0, 100.0 * change / np.abs(before), np.nan)
                return np.asarray(pct, dtype=np.float64)
        return np.asarray(change, dtype=np.float64)
    series = pd.Series(arg, index=pd.DatetimeIndex(ts_ns.astype("datetime64[ns]")))
    rolling = series.rolling(pd.Timedelta(seconds=node.window_s), min_periods=1)
    return np.asarray(getattr(rolling, node.name)().to_numpy(), dtype=np.float64)


def rule_mask(rule: Rule, ts_ns: np.ndarray, values: FloatArray) -> np.ndarray:
    """Where the rule's condition holds (and has held for its ``for`` duration)."""
    assert rule.condition is not None
    holds = np.nan_to_num(_evaluate(rule.condition, ts_ns, values), nan=0.0) != 0
    if rule.hold_s <= 0:
        return np.asarray(holds, dtype=bool)
    # Within each run of "holds", points from ``hold_s`` after the run began are firing.
    starts = np.flatnonzero(holds & ~np.r_[False, holds[:-1]])
    run_id = np.cumsum(holds & ~np.r_[False, holds[:-1]]) - 1
    run_start_ts = np.where(holds, ts_ns[starts[np.clip(run_id, 0, None)]] if len(starts) else 0, 0)
    return np.asarray(holds & (ts_ns - run_start_ts >= int(rule.hold_s * 1e9)), dtype=bool)


def evaluate_rule(
    user_rule: UserRule, ts_ns: np.ndarray, values: FloatArray, series: str, tz: str = "UTC"
) -> list[Finding]:
    """Findings where ``user_rule`` fires on this series (none if it does not apply to it)."""
    if not user_rule.applies_to(series) or len(ts_ns) == 0:
        return []
    order = np.argsort(ts_ns, kind="stable")
    ts, vals = np.asarray(ts_ns[order], dtype=np.int64), np.asarray(values[order], np.float64)
    rule = user_rule.parsed()
    score = SEVERITY_SCORE[user_rule.severity]
    contribution = (Contribution(f"rule: {user_rule.name}", 1.0, "raw", rule.text),)
    if rule.condition is None:
        gaps = np.flatnonzero(np.diff(ts) > int(rule.absence_s * 1e9))
        return [
            Finding(
                type="rule",
                start_ns=int(ts[i]),
                end_ns=int(ts[i + 1]),
                peak_ns=int(ts[i]),
                score=score,
                series=series,
                contributions=contribution,
                context={"rule": user_rule.name, "expression": rule.text},
                narrative=(
                    f'Rule "{user_rule.name}" ({rule.text}): {series} sent no data for '
                    f"{duration((ts[i + 1] - ts[i]) / 1e9)} after "
                    f"{local(int(ts[i]), tz):%Y-%m-%d %H:%M}."
                ),
            )
            for i in gaps
        ]
    firing = rule_mask(rule, ts, vals)
    edges = np.diff(np.r_[0, firing.astype(np.int8), 0])
    findings = []
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        end = stop - 1
        window = vals[start:stop]
        peak = start + int(np.nanargmax(np.abs(window))) if np.isfinite(window).any() else start
        findings.append(
            Finding(
                type="rule",
                start_ns=int(ts[start]),
                end_ns=int(ts[end]),
                peak_ns=int(ts[peak]),
                score=score,
                series=series,
                actual=float(vals[peak]),
                contributions=contribution,
                context={
                    "rule": user_rule.name,
                    "expression": rule.text,
                    "points": int(stop - start),
                },
                narrative=(
                    f'Rule "{user_rule.name}" ({rule.text}) fired on {series} from '
                    f"{local(int(ts[start]), tz):%Y-%m-%d %H:%M} to {local(int(ts[end]), tz):%H:%M}"
                    f" ({stop - start} points); the value at its peak was {fmt(float(vals[peak]))}."
                ),
            )
        )
    return findings

from __future__ import annotations

import pandas as pd

from anomaly_desk.model import Severity, Status
from anomaly_desk.query import Names, parse

END = int(pd.Timestamp("2015-01-31T23:30Z").value)
NAMES = Names(datasets={"nyc_taxi": 1, "logins": 2}, series={"web-01/cpu_pct": 7})
DAY = 86400 * 10**9


def test_the_example_from_the_issue() -> None:
    parsed = parse("critical open spikes on nyc_taxi last week", NAMES, END)
    spec = parsed.spec
    assert spec.severities == (Severity.CRITICAL,)
    assert spec.statuses == (Status.NEW, Status.TRIAGED, Status.INVESTIGATING)
    assert spec.types == ("spike",)
    assert spec.dataset_ids == (1,)
    assert (spec.since_ns, spec.until_ns) == (END - 7 * DAY, END)
    assert spec.text == ""
    assert "dataset: nyc_taxi" in parsed.chips and "time: last week" in parsed.chips


def test_scores_dates_and_free_text() -> None:
    spec = parse("false positives above 80 since 2014-12-01 backup job", NAMES, END).spec
    assert spec.statuses == (Status.FALSE_POSITIVE,)
    assert spec.min_score == 80.0
    assert spec.since_ns == int(pd.Timestamp("2014-12-01T00:00Z").value)
    assert spec.text == "backup job"
    spec = parse("score < 30 last 3 days", NAMES, END).spec
    assert spec.max_score == 30.0 and spec.since_ns == END - 3 * DAY


def test_series_names_with_punctuation_and_plural_types() -> None:
    spec = parse("level shifts and flatlines on web-01/cpu_pct", NAMES, END).spec
    assert spec.series_ids == (7,)
    assert spec.types == ("level_shift", "flatline")


def test_unknown_words_are_kept_as_text_never_dropped() -> None:
    parsed = parse("weird login from kiosk", NAMES, END)
    assert parsed.spec.text == "weird login kiosk"
    assert parsed.chips == ("text: weird login kiosk",)


def test_relative_days_count_from_the_reference() -> None:
    spec = parse("yesterday", NAMES, END).spec
    midnight = END - END % DAY
    assert (spec.since_ns, spec.until_ns) == (midnight - DAY, midnight - 1)

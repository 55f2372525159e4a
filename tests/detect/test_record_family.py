"""The record family: planted expense outliers and duplicates, honest narratives, quiet on clean data."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anomaly_desk.detect.families import detect_records
from anomaly_desk.detect.findings import Finding
from anomaly_desk.model import AnomalyType

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
FEATURES = ["employee", "department", "category", "amount", "nights", "distance_km", "receipts"]


@pytest.fixture(scope="module")
def expenses() -> pd.DataFrame:
    frame = pd.read_csv(DEMO / "expenses.csv.gz")
    frame["submitted"] = pd.to_datetime(frame["submitted"], utc=True)
    return frame


@pytest.fixture(scope="module")
def planted() -> dict[str, list[str]]:
    incidents = json.loads((DEMO / "planted.json").read_text())["expenses"]["incidents"]
    return {i["id"]: i["claim_ids"] for i in incidents}


@pytest.fixture(scope="module")
def findings(expenses: pd.DataFrame) -> list[Finding]:
    return detect_records(expenses, FEATURES, key="claim_id", timestamp="submitted")


def synth_records(n: int, seed: int = 0) -> pd.DataFrame:
    """Clean claims: log-normal amounts per category, hotel nights, mostly one receipt."""
    rng = np.random.default_rng(seed)
    params = {"hotel": (5.0, 0.5), "meals": (3.4, 0.4), "taxi": (3.3, 0.35), "software": (4.2, 0.6)}
    category = rng.choice(list(params), n, p=[0.15, 0.4, 0.2, 0.25])
    mu = np.array([params[c][0] for c in category])
    sd = np.array([params[c][1] for c in category])
    return pd.DataFrame(
        {
            "claim_id": [f"C-{i:06d}" for i in range(n)],
            "submitted": pd.Timestamp("2025-01-01", tz="UTC")
            + pd.to_timedelta(np.sort(rng.integers(0, 180, n)), unit="D"),
            "employee": pd.Series([f"E{e}" for e in rng.integers(1000, 1300, n)], dtype="str"),
            "department": pd.Series(rng.choice(["Sales", "Ops", "Eng", "Finance"], n), dtype="str"),
            "category": pd.Series(category, dtype="str"),
            "amount": np.round(np.exp(rng.normal(mu, sd)), 2),
            "nights": np.where(category == "hotel", rng.integers(1, 5, n), 0),
            "receipts": np.where(rng.random(n) < 0.05, 0, 1),
        }
    )


def named(findings: list[Finding]) -> set[str]:
    """Every record a finding names: its entity, and for duplicates all their keys."""
    return {k for f in findings for k in [f.entity or "", *f.context.get("keys", [])]}


def test_every_planted_claim_is_found_at_default_sensitivity(
    findings: list[Finding], planted: dict[str, list[str]], expenses: pd.DataFrame
) -> None:
    wanted = {c for ids in planted.values() for c in ids}
    assert wanted <= named(findings)
    assert len(findings) < 0.01 * len(expenses)  # 8 findings for 3,003 claims today


def test_the_planted_outliers_rank_high(
    findings: list[Finding], planted: dict[str, list[str]]
) -> None:
    scores = {f.entity: f.score for f in findings}
    for claim in planted["absurd_amount"] + planted["nights_no_receipts"]:
        assert scores[claim] >= 50, claim  # major or critical
    duplicate = [f for f in findings if f.contributions[0].name == "duplicate"]
    assert [f.context["keys"] for f in duplicate] == [planted["duplicate_training"]]


def test_findings_are_well_formed(findings: list[Finding]) -> None:
    for f in findings:
        assert f.type == AnomalyType.OUTLIER_RECORD
        assert 0 <= f.score <= 100
        assert sum(c.weight for c in f.contributions) == pytest.approx(1.0)
        assert 1 <= len(f.contributions) <= 3
        assert f.start_ns <= f.peak_ns <= f.end_ns and f.start_ns > 0
        assert f.narrative and f.entity
    assert [f.score for f in findings] == sorted((f.score for f in findings), reverse=True)


def test_taxi_narrative_states_true_facts(findings: list[Finding], expenses: pd.DataFrame) -> None:
    (taxi,) = [f for f in findings if f.entity == "EXP-00742"]
    amounts = expenses.loc[expenses["category"] == "taxi", "amount"].to_numpy()
    # Amounts are judged on a log scale, conditional on the category.
    usual = float(np.expm1(np.median(np.log1p(amounts))))
    assert taxi.contributions[0].name == "amount"
    assert taxi.actual == 4870.0
    assert taxi.expected == pytest.approx(usual)
    assert taxi.band_low is not None and taxi.band_high is not None
    assert taxi.band_low < usual < taxi.band_high < 4870.0
    assert taxi.deviation_sigma is not None and taxi.deviation_sigma > 8
    assert taxi.narrative.startswith("Claim EXP-00742 (Finance, taxi): amount 4,870.00 is ")
    assert f"above the usual for category taxi (median {usual:,.2f}" in taxi.narrative
    assert f"usual range {taxi.band_low:,.2f}–{taxi.band_high:,.2f}" in taxi.narrative
    assert taxi.peak_ns == pd.Timestamp("2025-02-12", tz="UTC").value


def test_hotel_narrative_names_nights_and_missing_receipts(findings: list[Finding]) -> None:
    (hotel,) = [f for f in findings if f.entity == "EXP-01284"]
    assert {c.name for c in hotel.contributions} >= {"nights", "receipts"}
    assert (
        "receipts 0 is " in hotel.narrative
        and "below the usual for category hotel" in hotel.narrative
    )
    assert "nights 19 is " in hotel.narrative
    assert hotel.context["features"]["nights"] == 19


def test_duplicate_narrative_states_true_facts(
    findings: list[Finding], expenses: pd.DataFrame
) -> None:
    (dup,) = [f for f in findings if f.contributions[0].name == "duplicate"]
    rows = expenses[expenses["claim_id"].isin(dup.context["keys"])]
    assert rows["employee"].nunique() == rows["category"].nunique() == rows["amount"].nunique() == 1
    days = (rows["submitted"].max() - rows["submitted"].min()).days
    assert dup.context["span_days"] == days == 4
    assert dup.narrative == (
        "Claims EXP-02066, EXP-02101, EXP-02152 share employee E1074, department Marketing, "
        "category training, amount 749.00 within 4 days (2025-05-05 to 2025-05-09)."
    )
    assert dup.score >= 75
    # The generator drops chance repeats: no other claims share employee, category and amount.
    groups = expenses.groupby(["employee", "category", "amount"]).size()
    assert int((groups > 1).sum()) == 1


def test_same_seed_same_findings(expenses: pd.DataFrame, findings: list[Finding]) -> None:
    again = detect_records(expenses, FEATURES, key="claim_id", timestamp="submitted", seed=0)
    assert again == findings


def test_more_sensitivity_finds_a_superset(expenses: pd.DataFrame) -> None:
    found = [
        named(
            detect_records(expenses, FEATURES, key="claim_id", timestamp="submitted", sensitivity=s)
        )
        for s in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    for fewer, more in itertools.pairwise(found):
        assert fewer <= more
    assert len(found[-1]) > len(found[0])


def test_clean_synthetic_claims_give_no_major_findings() -> None:
    frame = synth_records(5000)
    findings = detect_records(
        frame, [*FEATURES[:5], "receipts"], key="claim_id", timestamp="submitted"
    )
    assert len(findings) <= 0.005 * len(frame)
    assert not [f for f in findings if f.score >= 50]


def test_outliers_injected_into_synthetic_claims_are_found() -> None:
    frame = synth_records(5000, seed=1)
    injected = {
        "C-000100": ("taxi", 900.0),
        "C-002000": ("meals", 1500.0),
        "C-004000": ("hotel", 4.0),
    }
    for claim, (category, amount) in injected.items():
        frame.loc[frame["claim_id"] == claim, ["category", "amount"]] = [category, amount]
    frame.loc[frame["claim_id"] == "C-004000", "nights"] = 3  # a 3-night hotel for 4.00
    findings = detect_records(frame, ["department", "category", "amount", "nights"], key="claim_id")
    assert set(injected) <= named(findings)
    assert len(findings) <= 0.01 * len(frame)


def test_without_key_or_timestamp_rows_are_named_by_index(expenses: pd.DataFrame) -> None:
    findings = detect_records(expenses, ["category", "amount", "nights", "receipts"])
    rows = {int(f.entity) for f in findings if f.entity is not None and "keys" not in f.context}
    assert {741, 1283, 1649} <= rows  # EXP-00742, EXP-01284, EXP-01650
    assert all(f.start_ns == f.end_ns == 0 for f in findings)
    assert all(f.narrative.startswith(("Row ", "Rows ")) for f in findings)


def test_bad_input_is_refused_clearly(expenses: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no column 'cost'"):
        detect_records(expenses, ["amount", "cost"])
    with pytest.raises(ValueError, match="holds times"):
        detect_records(expenses, ["amount", "submitted"])
    assert detect_records(expenses.iloc[:0], ["amount"]) == []

"""The demo data in resources/demo/: reproducible, small, as documented, incidents really there.

The files are made by scripts/make_demo_data.py; these tests keep the shipped copies equal to
what the script makes (so nobody edits them by hand) and check that each incident listed in
planted.json is visible in the data, so detection tests can rely on it.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_demo_data.py"
DEMO = ROOT / "resources" / "demo"
BUDGET = 2_000_000  # bytes for everything in resources/demo; the installer ships it all
COLUMNS = {
    "datacenter_metrics": ["timestamp", "host", "cpu_pct", "latency_ms", "requests"],
    "shop_orders": ["date", "orders_eu", "orders_us", "orders_apac"],
    "logins": ["timestamp", "user", "src_host", "dst_host", "action", "result"],
    "expenses": [
        "claim_id", "submitted", "employee", "department", "category",
        "amount", "nights", "distance_km", "receipts",
    ],
}  # fmt: skip
GENERATED = [f"{name}.csv.gz" for name in COLUMNS] + ["planted.json"]
ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    load_generator().main(out)
    return out


@pytest.fixture(scope="module")
def planted() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DEMO / "planted.json").read_text(encoding="utf-8"))
    return result


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / f"{name}.csv.gz", keep_default_na=False)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def by_id(section: dict[str, Any], id_: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in section["incidents"] if i["id"] == id_)
    return found


def ratio_to_usual(frame: pd.DataFrame, column: str, inside: pd.Series) -> float:
    """Median of value / (median of the same hour of the week outside the incident)."""
    key = frame["ts"].dt.day_of_week * 24 + frame["ts"].dt.hour
    usual = frame.loc[~inside, column].groupby(key[~inside]).median()
    return float((frame.loc[inside, column] / key[inside].map(usual)).median())


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    frame = read("datacenter_metrics")
    frame["ts"] = pd.to_datetime(frame["timestamp"], format=ISO_Z, utc=True)
    return frame


@pytest.fixture(scope="module")
def logins() -> pd.DataFrame:
    frame = read("logins")
    frame["ts"] = pd.to_datetime(frame["timestamp"], format=ISO_Z, utc=True)
    return frame


# --- reproducible and small ---------------------------------------------------------------


def test_generator_is_deterministic(fresh: Path, tmp_path: Path) -> None:
    load_generator().main(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (fresh / name).read_bytes(), name


def test_shipped_files_equal_a_fresh_run(fresh: Path) -> None:
    # README.md is written by hand; everything else comes from the script.
    assert sorted(p.name for p in DEMO.iterdir()) == sorted([*GENERATED, "README.md"])
    hint = "resources/demo is stale or hand-edited: run scripts/make_demo_data.py"
    assert (DEMO / "planted.json").read_bytes() == (fresh / "planted.json").read_bytes(), hint
    for name in GENERATED[:-1]:
        shipped = (DEMO / name).read_bytes()
        assert shipped[4:8] == b"\0\0\0\0", f"{name}: gzip header mtime must be 0"
        # Compare the CSV text, not the gzip bytes: another zlib (e.g. zlib-ng) may compress
        # the same text into different bytes.
        assert gzip.decompress(shipped) == gzip.decompress((fresh / name).read_bytes()), hint


def test_size_budget() -> None:
    sizes = {p.name: p.stat().st_size for p in DEMO.iterdir()}
    assert sum(sizes.values()) < BUDGET, sizes
    assert all(size < BUDGET // 2 for size in sizes.values()), sizes


# --- columns as documented ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns_as_documented(name: str, planted: dict[str, Any]) -> None:
    assert list(read(name).columns) == COLUMNS[name]
    assert planted[name]["columns"] == COLUMNS[name]
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert f"`{name}.csv.gz`" in readme
    assert all(f"`{column}`" in readme for column in COLUMNS[name])


def test_metrics_shape_and_ranges(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    section = planted["datacenter_metrics"]
    assert metrics["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z").all()
    grid = pd.date_range(utc(section["start"]), utc(section["end"]), freq="5min", inclusive="left")
    assert len(grid) == 28 * 288
    assert sorted(metrics["host"].unique()) == sorted(section["hosts"])
    assert metrics["ts"].is_monotonic_increasing
    assert metrics["cpu_pct"].between(0, 100).all()
    assert (metrics["latency_ms"] > 0).all()
    assert metrics["requests"].dtype == np.int64 and (metrics["requests"] >= 0).all()
    # Daily and weekly rhythm: weekday office hours are far busier than nights and weekends.
    web = metrics[metrics["host"] == "web-01"]
    office = web["ts"].dt.hour.between(9, 16) & (web["ts"].dt.day_of_week < 5)
    night = web["ts"].dt.hour.between(0, 4)
    weekend_day = web["ts"].dt.hour.between(9, 16) & (web["ts"].dt.day_of_week >= 5)
    assert web.loc[office, "requests"].median() > 4 * web.loc[night, "requests"].median()
    assert web.loc[office, "requests"].median() > 2 * web.loc[weekend_day, "requests"].median()


# --- planted incidents are present --------------------------------------------------------


def metric_window(
    metrics: pd.DataFrame, planted: dict[str, Any], id_: str, host: str
) -> tuple[pd.DataFrame, pd.Series]:
    found = by_id(planted["datacenter_metrics"], id_)
    frame = metrics[metrics["host"] == host].reset_index(drop=True)
    inside = (frame["ts"] >= utc(found["start"])) & (frame["ts"] < utc(found["end"]))
    return frame, inside


def test_db01_slowdown_hits_db_and_web(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    found = by_id(planted["datacenter_metrics"], "db01_slowdown")
    assert {"host": "db-01", "column": "latency_ms"} in found["series"]
    frame, inside = metric_window(metrics, planted, "db01_slowdown", "db-01")
    assert inside.sum() == 24
    assert ratio_to_usual(frame, "latency_ms", inside) > 4
    for host in ["web-01", "web-02", "web-03"]:
        frame, inside = metric_window(metrics, planted, "db01_slowdown", host)
        assert ratio_to_usual(frame, "latency_ms", inside) > 2.5, host
        assert ratio_to_usual(frame, "cpu_pct", inside) > 1.2, host
    # The root cause is only the database: db-02 and cache-01 look normal meanwhile.
    for host in ["db-02", "cache-01"]:
        frame, inside = metric_window(metrics, planted, "db01_slowdown", host)
        assert 0.7 < ratio_to_usual(frame, "latency_ms", inside) < 1.3, host


def test_web02_cpu_spike(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    frame, inside = metric_window(metrics, planted, "web02_cpu_spike", "web-02")
    assert inside.sum() == 8
    assert frame.loc[inside, "cpu_pct"].min() > 85
    assert ratio_to_usual(frame, "cpu_pct", inside) > 4
    assert (metrics.loc[metrics["cpu_pct"] > 85, "host"] == "web-02").all()
    assert frame.loc[~inside, "cpu_pct"].max() < 85


def test_cache01_flatline(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    frame, inside = metric_window(metrics, planted, "cache01_flatline", "cache-01")
    assert inside.sum() == 60 and frame.loc[inside, "requests"].nunique() == 1
    # Nowhere else does any counter repeat itself for more than a few samples.
    for host, group in metrics.groupby("host"):
        values = group["requests"].to_numpy()
        if host == "cache-01":
            values = values[~inside.to_numpy()]
        changes = np.flatnonzero(np.diff(values) != 0)
        assert np.diff(changes).max() <= 4, host


def test_web03_gap(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    found = by_id(planted["datacenter_metrics"], "web03_gap")
    section = planted["datacenter_metrics"]
    grid = pd.date_range(utc(section["start"]), utc(section["end"]), freq="5min", inclusive="left")
    missing = (grid >= utc(found["start"])) & (grid < utc(found["end"]))
    for host, group in metrics.groupby("host"):
        expected = grid[~missing] if host == "web-03" else grid
        assert pd.DatetimeIndex(group["ts"]).equals(expected), host
    assert missing.sum() == 12


def test_db02_level_shift_persists(metrics: pd.DataFrame, planted: dict[str, Any]) -> None:
    frame, inside = metric_window(metrics, planted, "db02_level_shift", "db-02")
    assert ratio_to_usual(frame, "requests", inside) > 1.5
    last_day = frame["ts"] >= frame["ts"].max().floor("D")
    assert ratio_to_usual(frame, "requests", inside & last_day) > 1.5
    # Only the requests shift; the host's cpu stays as it was.
    assert 0.8 < ratio_to_usual(frame, "cpu_pct", inside) < 1.2


def test_shop_orders_repeat_the_fall_back_hour(planted: dict[str, Any]) -> None:
    shop, section = read("shop_orders"), planted["shop_orders"]
    assert section["timezone"] == "Europe/Berlin"
    assert shop["date"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00").all()
    transition = section["dst_transitions"][0]
    assert transition["kind"] == "fall_back"
    repeated = shop.loc[shop["date"].duplicated(keep=False), "date"]
    assert repeated.tolist() == [transition["ambiguous_local"]] * 2
    assert repeated.index[1] == repeated.index[0] + 1  # in clock order, one after the other
    # Read as a local clock in row order, the rows are exactly one real hour apart.
    naive = pd.DatetimeIndex(pd.to_datetime(shop["date"], format="%Y-%m-%d %H:%M"))
    instants = naive.tz_localize(section["timezone"], ambiguous="infer").tz_convert("UTC")
    assert (instants[1:] - instants[:-1] == pd.Timedelta(hours=1)).all()
    assert len(shop) == 60 * 24 + 1
    ambiguous = instants[repeated.index].strftime(ISO_Z).tolist()
    assert ambiguous == transition["occurrences_utc"]


@pytest.mark.parametrize(
    ("id_", "low", "high"), [("eu_payment_outage", 0, 0.2), ("apac_singles_day", 2, 5)]
)
def test_shop_orders_dip_and_spike(
    id_: str, low: float, high: float, planted: dict[str, Any]
) -> None:
    shop, section = read("shop_orders"), planted["shop_orders"]
    found = by_id(section, id_)
    shop["ts"] = pd.to_datetime(shop["date"], format="%Y-%m-%d %H:%M")  # local clock time
    start, end = pd.Timestamp(found["start_local"]), pd.Timestamp(found["end_local"])
    inside = (shop["ts"] >= start) & (shop["ts"] < end)
    assert low < ratio_to_usual(shop, found["column"], inside) < high
    others = [c for c in COLUMNS["shop_orders"][1:] if c != found["column"]]
    assert all(0.6 < ratio_to_usual(shop, c, inside) < 1.5 for c in others)


def test_logins_shape(logins: pd.DataFrame, planted: dict[str, Any]) -> None:
    section = planted["logins"]
    assert 15_000 < len(logins) < 25_000
    assert logins["ts"].is_monotonic_increasing
    assert logins["ts"].min() >= utc(section["start"]) and logins["ts"].max() < utc(section["end"])
    assert set(logins["action"]) == {"login", "logout", "sudo", "file_access"}
    assert set(logins["result"]) == {"success", "failure"}
    assert logins["user"].nunique() == 40
    assert len(set(logins["src_host"]) | set(logins["dst_host"])) == 25


def test_login_fan_out(logins: pd.DataFrame, planted: dict[str, Any]) -> None:
    found = by_id(planted["logins"], "fanout_0300")
    mine = logins[logins["user"] == found["user"]]
    inside = (mine["ts"] >= utc(found["start"])) & (mine["ts"] < utc(found["end"]))
    assert sorted(mine.loc[inside, "dst_host"].unique()) == sorted(found["dst_hosts"])
    assert len(found["dst_hosts"]) >= 10
    assert (mine.loc[inside, "ts"].dt.hour == 3).all()
    assert not set(mine.loc[~inside, "dst_host"]) & set(found["dst_hosts"])  # all new to them
    assert (mine.loc[~inside, "ts"].dt.hour >= 6).all()  # and they never work at night


def test_login_brute_force(logins: pd.DataFrame, planted: dict[str, Any]) -> None:
    found = by_id(planted["logins"], "bruteforce_jump01")
    failed = logins[logins["result"] == "failure"]
    inside = (failed["ts"] >= utc(found["start"])) & (failed["ts"] < utc(found["end"]))
    burst = failed[inside]
    assert len(burst) >= 100
    assert set(burst["src_host"]) == {found["src_host"]}
    assert set(burst["dst_host"]) == set(found["dst_hosts"])
    # Elsewhere, failures are the odd mistyped password: a few per pair and 10 minutes at most.
    rest = failed[~inside]
    per_bucket = rest.groupby([rest["src_host"], rest["dst_host"], rest["ts"].dt.floor("10min")])
    assert per_bucket.size().max() <= 3


def test_login_service_account_used_interactively(
    logins: pd.DataFrame, planted: dict[str, Any]
) -> None:
    found = by_id(planted["logins"], "svc_backup_interactive")
    svc = logins[logins["user"] == found["user"]]
    inside = (svc["ts"] >= utc(found["start"])) & (svc["ts"] < utc(found["end"]))
    assert set(svc.loc[inside, "src_host"]) == {found["src_host"]}
    assert "sudo" in set(svc.loc[inside, "action"])
    # Normally: only from backup-01, only at night, never sudo.
    normal = svc[~inside]
    assert set(normal["src_host"]) == {"backup-01"}
    assert (normal["ts"].dt.hour < 3).all() and "sudo" not in set(normal["action"])
    deploy = logins[logins["user"] == "svc-deploy"]
    assert set(deploy["src_host"]) == {"build-01"}


@pytest.fixture(scope="module")
def expenses(planted: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    frame = read("expenses")
    ids = {i["id"]: i["claim_ids"] for i in planted["expenses"]["incidents"]}
    return frame, ids


def test_expenses_shape(expenses: tuple[pd.DataFrame, dict[str, list[str]]]) -> None:
    frame, _ = expenses
    assert 2900 < len(frame) < 3100 and frame["claim_id"].is_unique
    assert frame["submitted"].is_monotonic_increasing  # claim ids follow submission order
    assert (frame["amount"] > 0).all() and (frame["receipts"] >= 0).all()
    mileage = frame[frame["category"] == "mileage"]
    assert np.allclose(mileage["amount"], mileage["distance_km"] * 0.30, atol=0.006)
    assert (frame.loc[frame["category"] != "mileage", "distance_km"] == 0).all()
    assert (frame.loc[frame["category"] != "hotel", "nights"] == 0).all()


def test_expenses_absurd_amounts(expenses: tuple[pd.DataFrame, dict[str, list[str]]]) -> None:
    frame, ids = expenses
    times_median = frame["amount"] / frame.groupby("category")["amount"].transform("median")
    planted = frame["claim_id"].isin(ids["absurd_amount"])
    assert planted.sum() == 2
    assert (times_median[planted] > 50).all()
    assert (times_median[~planted] < 25).all()


def test_expenses_nights_without_receipts(
    expenses: tuple[pd.DataFrame, dict[str, list[str]]],
) -> None:
    frame, ids = expenses
    hotel = frame[frame["category"] == "hotel"]
    planted = hotel["claim_id"].isin(ids["nights_no_receipts"])
    assert planted.sum() == 1
    assert (hotel.loc[planted, "receipts"] == 0).all()
    assert hotel.loc[planted, "nights"].min() > 2 * hotel.loc[~planted, "nights"].max()
    assert (hotel.loc[~planted, "receipts"] > 0).all()


def test_expenses_duplicates(expenses: tuple[pd.DataFrame, dict[str, list[str]]]) -> None:
    frame, ids = expenses
    # Only the planted claims share employee, category and amount; they are days apart.
    repeated = frame[frame.duplicated(["employee", "category", "amount"], keep=False)]
    assert sorted(repeated["claim_id"]) == sorted(ids["duplicate_training"])
    assert len(repeated) == 3 and repeated["employee"].nunique() == 1
    days = pd.to_datetime(repeated["submitted"], format="%Y-%m-%d")
    assert days.max() - days.min() <= pd.Timedelta(days=7)

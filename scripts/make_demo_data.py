"""Generate the demo data shipped with Anomaly Desk into ``resources/demo/``.

The output is reproducible byte for byte: one fixed seed, numbers formatted explicitly, and
gzip headers with ``mtime=0`` and no file name.  ``tests/test_demo_data.py`` checks that the
shipped files equal a fresh run, so change this script (and rerun it) instead of the files.

    python scripts/make_demo_data.py             # writes resources/demo/
    python scripts/make_demo_data.py OUT_DIR     # writes somewhere else

Only numpy, pandas and the standard library are needed.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20250303
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "resources" / "demo"

# The metrics and the login log cover the same four weeks (UTC), starting on a Monday.
START = pd.Timestamp("2025-03-03T00:00:00Z")
END = START + pd.Timedelta(days=28)
HOSTS = ["web-01", "web-02", "web-03", "db-01", "db-02", "cache-01"]
ISO = "%Y-%m-%dT%H:%M:%SZ"

# One line per planted incident; planted.json carries it so the app's demo can tell the story.
NOTES = {
    "db01_slowdown": "db-01 storage degraded: latency x6; web-01..03 wait, retry: latency, cpu up",
    "web02_cpu_spike": "runaway process on web-02 at night: cpu 90-100 % while traffic is low",
    "cache01_flatline": "cache-01 request counter stuck at its 05:55 value all morning",
    "web03_gap": "collector on web-03 down: its 12 rows are absent, not empty",
    "db02_level_shift": "reads moved to the db-02 replica: requests x1.7 from then on",
    "eu_payment_outage": "EU payment provider down in the evening peak: ~4 % of usual orders",
    "apac_singles_day": "Singles' Day promotion (11 Nov, Singapore time): APAC orders x3",
    "fanout_0300": "at 03:00 via VPN, one user logs into every server they never used before",
    "bruteforce_jump01": "150 failed logins in minutes from one desktop to jump-01, then a success",
    "svc_backup_interactive": "svc-backup (normally nightly from backup-01) used from a desktop",
    "absurd_amount": "a 4,870.00 EUR taxi ride and a 2,960.50 EUR meal",
    "nights_no_receipts": "19 hotel nights claimed with no receipts at all",
    "duplicate_training": "same employee, category and amount (749.00) three times in five days",
}

Meta = dict[str, Any]  # one dataset's section of planted.json


def iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime(ISO)


def entry(id_: str, kind: str, **kw: Any) -> Meta:
    """One planted incident for planted.json, with its story from NOTES."""
    return {"id": id_, "kind": kind, "description": NOTES[id_], **kw}


def incident(id_: str, kind: str, start: pd.Timestamp, end: pd.Timestamp, **kw: Any) -> Meta:
    """A planted incident over the time interval [start, end)."""
    return entry(id_, kind, start=iso(start), end=iso(end), **kw)


def fmt(values: np.ndarray, decimals: int) -> list[str]:
    # Format ourselves: repr() of a rounded float may still print 0.30000000000000004.
    return [f"{v:.{decimals}f}" for v in values]


def write_csv_gz(df: pd.DataFrame, path: Path) -> None:
    # No file name and mtime=0 in the gzip header, so the bytes depend only on the data.
    data = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(data)


def ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """Slowly wandering noise: real load drifts, it does not jump independently every sample."""
    out = rng.normal(0.0, sigma, n)  # the shocks, turned into the AR(1) series in place
    for i in range(1, n):
        out[i] += phi * out[i - 1]
    return out


def bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    # Distance on the 24 h clock, so an evening peak also lifts the hour after midnight.
    d = (hour - centre + 12.0) % 24.0 - 12.0
    return np.exp(-0.5 * (d / width) ** 2)


def office_load(hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Load in about [0.1, 1]: up around 08:00, down around 18:00 UTC, lunch dip, weekends ~35 %."""
    day = 1 / (1 + np.exp(-(hour - 8.0) / 0.8)) / (1 + np.exp((hour - 18.0) / 1.0))
    lunch = 1 - 0.12 * bump(hour, 12.5, 0.6)
    return np.asarray(0.1 + 0.9 * day * lunch * np.where(weekday >= 5, 0.35, 1.0))


def make_metrics(rng: np.random.Generator) -> tuple[pd.DataFrame, Meta]:
    times = pd.date_range(START, END, freq="5min", inclusive="left")
    n, k = len(times), len(HOSTS)
    load = office_load(np.asarray(times.hour + times.minute / 60.0), np.asarray(times.day_of_week))
    # Per host: requests per 5 min (floor, extra at peak), cpu % (base, extra at peak),
    # latency ms (base, extra at peak; grows with load squared, like a queue filling up).
    profile = {
        "web-01": (150, 2400, 6.0, 50.0, 45.0, 35.0),
        "web-02": (150, 2400, 6.0, 50.0, 45.0, 35.0),
        "web-03": (100, 1700, 5.0, 42.0, 48.0, 30.0),
        "db-01": (400, 5200, 10.0, 45.0, 4.0, 6.0),
        "db-02": (200, 2600, 8.0, 30.0, 3.5, 4.0),
        "cache-01": (900, 9000, 7.0, 18.0, 0.6, 0.5),
    }
    cpu, lat, req = np.empty((n, k)), np.empty((n, k)), np.empty((n, k))
    for j, host in enumerate(HOSTS):
        req_floor, req_peak, cpu0, cpu_k, lat0, lat_k = profile[host]
        drift = np.exp(ar1(rng, n, 0.97, 0.03))  # shared by a host's series, as in real load
        req[:, j] = rng.poisson((req_floor + req_peak * load) * drift)
        cpu[:, j] = cpu0 + cpu_k * load * drift + rng.normal(0.0, 2.0, n)
        lat[:, j] = (lat0 + lat_k * load**2) * np.exp(rng.normal(0.0, 0.08, n))

    # Planted incidents: id, kind, start (UTC), duration (None: to the end), affected series
    # as "hosts:columns" groups, meaning every host of a group with every column of it.
    slow = "db-01:latency_ms web-01,web-02,web-03:latency_ms,cpu_pct"
    plan = [
        ("db01_slowdown", "correlated_slowdown", "2025-03-12 14:00", "2h", slow),
        ("web02_cpu_spike", "spike", "2025-03-22 02:15", "40min", "web-02:cpu_pct"),
        ("cache01_flatline", "flatline", "2025-03-20 06:00", "5h", "cache-01:requests"),
        ("web03_gap", "gap", "2025-03-10 13:00", "1h", "web-03:cpu_pct,latency_ms,requests"),
        ("db02_level_shift", "level_shift", "2025-03-24 09:00", None, "db-02:requests"),
    ]
    incidents, win = [], {}
    for id_, kind, start, duration, spec in plan:
        t0 = pd.Timestamp(start, tz="UTC")
        t1 = t0 + pd.Timedelta(duration) if duration else END
        groups = [[part.split(",") for part in group.split(":")] for group in spec.split()]
        series = [{"host": h, "column": c} for hosts, cols in groups for h in hosts for c in cols]
        incidents.append(incident(id_, kind, t0, t1, series=series))
        win[id_] = (times >= t0) & (times < t1)
    col = {h: j for j, h in enumerate(HOSTS)}
    w = win["db01_slowdown"]
    lat[w, col["db-01"]] *= 6.0
    for h in HOSTS[:3]:  # web hosts block on the database and retry: slower and busier
        lat[w, col[h]] += rng.normal(180.0, 25.0, w.sum())
        cpu[w, col[h]] += rng.normal(22.0, 3.0, w.sum())
    w = win["web02_cpu_spike"]
    cpu[w, col["web-02"]] = rng.normal(95.0, 2.0, w.sum())
    w = win["cache01_flatline"]
    req[w, col["cache-01"]] = req[np.argmax(w) - 1, col["cache-01"]]
    w = win["db02_level_shift"]
    req[w, col["db-02"]] = np.round(req[w, col["db-02"]] * 1.7)

    # Long layout, time-major like a typical metrics export; the gap rows are left out.
    present = np.ones((n, k), dtype=bool)
    present[win["web03_gap"], col["web-03"]] = False
    keep = present.ravel()
    table = pd.DataFrame(
        {
            "timestamp": np.repeat(np.asarray(times.strftime(ISO)), k)[keep],
            "host": np.tile(HOSTS, n)[keep],
            "cpu_pct": fmt(np.clip(cpu, 0.0, 100.0).ravel()[keep], 1),
            "latency_ms": fmt(np.maximum(lat, 0.1).ravel()[keep], 1),
            "requests": req.ravel()[keep].astype(np.int64),
        }
    )
    meta = {"layout": "long", "time_column": "timestamp", "entity_column": "host"}
    span = {"timezone": "UTC", "step": "5min", "start": iso(START), "end": iso(END)}
    return table, meta | span | {"hosts": HOSTS, "incidents": incidents}


def make_shop(rng: np.random.Generator) -> tuple[pd.DataFrame, Meta]:
    tz = "Europe/Berlin"
    first, last = (
        pd.Timestamp(t, tz=tz).tz_convert("UTC") for t in ["2025-09-15", "2025-11-13 23:00"]
    )
    instants = pd.date_range(first, last, freq="h")  # hourly in real (UTC) time
    n = len(instants)
    # Written the way a real local-clock log is: the hour repeated at the fall-back (02:00 on
    # 2025-10-26) appears twice, and the import must flag it as DST-ambiguous.
    table = pd.DataFrame({"date": instants.tz_convert(tz).strftime("%Y-%m-%d %H:%M")})
    weekly = np.array([1.0, 0.96, 0.97, 1.0, 0.92, 1.08, 1.22])  # Mon..Sun: Sunday is busiest
    trend = 1.0 + 0.25 * np.linspace(0.0, 1.0, n)  # run-up towards the holiday season
    # Planted: id, kind, column, local start, local end, factor on the expected orders.
    plan = [
        ("eu_payment_outage", "dip", "orders_eu", "2025-10-08 19:00", "2025-10-08 22:00", 0.04),
        ("apac_singles_day", "spike", "orders_apac", "2025-11-10 17:00", "2025-11-11 17:00", 3.0),
    ]
    # Each region shops on its own clock (lunch bump, evening peak), so in Berlin time the US
    # pattern moves an hour when the US changes clocks on 2025-11-02, a week after Europe.
    zones = {"eu": tz, "us": "America/New_York", "apac": "Asia/Singapore"}
    peaks = {"eu": 420.0, "us": 300.0, "apac": 180.0}  # orders in the busiest hour
    for region, zone in zones.items():
        local = instants.tz_convert(zone)
        hour = np.asarray(local.hour, dtype=float)
        daily = 0.06 + 0.35 * bump(hour, 12.5, 1.5) + bump(hour, 20.5, 2.2)
        lam = peaks[region] * daily * weekly[np.asarray(local.day_of_week)] * trend
        for _, _, column, start, end, factor in plan:
            t0, t1 = pd.Timestamp(start, tz=tz), pd.Timestamp(end, tz=tz)
            if column == f"orders_{region}":
                lam = np.where((instants >= t0) & (instants < t1), lam * factor, lam)
        table[f"orders_{region}"] = rng.poisson(lam * np.exp(ar1(rng, n, 0.9, 0.05)))
    fall_back = {
        "kind": "fall_back",
        "ambiguous_local": "2025-10-26 02:00",
        "occurrences_utc": ["2025-10-26T00:00:00Z", "2025-10-26T01:00:00Z"],
        "note": "03:00 CEST -> 02:00 CET: the 02:00 row appears twice, CEST then CET",
    }
    incidents = [
        incident(id_, kind, pd.Timestamp(t0, tz=tz), pd.Timestamp(t1, tz=tz), column=column)
        | {"start_local": t0, "end_local": t1}
        for id_, kind, column, t0, t1, _ in plan
    ]
    meta = {"layout": "wide", "time_column": "date", "timezone": tz, "format": "%Y-%m-%d %H:%M"}
    rows = {"first": table["date"].iloc[0], "last": table["date"].iloc[-1]}
    return table, meta | rows | {"dst_transitions": [fall_back], "incidents": incidents}


def make_logins(rng: np.random.Generator) -> tuple[pd.DataFrame, Meta]:
    first = ["anna", "ben", "carla", "david", "elif", "frank", "greta", "hugo", "ines", "jonas"]
    last = ["berg", "costa", "meyer", "novak", "okafor", "ruiz", "schmidt", "tanaka"]
    # 38 people (10 and 8 names cycle without repeating a pair below 40) + 2 service accounts.
    users = [f"{first[i % 10]}.{last[i % 8]}" for i in range(38)]
    desktops = [f"vdi-{i:02d}" for i in range(1, 11)]  # shared virtual desktops, plus vpn-01
    roles = {  # habitual servers by role; only ops and dev use sudo
        "ops": ["jump-01", "web-01", "web-02", "db-01", "cache-01"],
        "dev": ["app-01", "app-02", "build-01", "web-03", "db-02"],
        "analyst": ["fs-01", "db-02", "app-02"],
        "office": ["fs-01", "fs-02", "mail-01"],
    }
    servers = sorted({h for hosts in roles.values() for h in hosts} | {"backup-01"})
    events: list[tuple[int, str, str, str, str, str]] = []
    day0 = int(START.timestamp())
    habits: dict[str, list[str]] = {}
    for i, user in enumerate(users):
        role = list(roles)[i % 4]
        habits[user] = [str(h) for h in rng.choice(roles[role], int(rng.integers(2, 4)), False)]
        # Most start 07-09 UTC; every seventh person works from the US and starts at 14 UTC.
        start_h = 14.0 if i % 7 == 3 else float(rng.choice([7.0, 7.5, 8.0, 8.5, 9.0]))
        for day in range(28):
            weekend = day % 7 >= 5
            if (weekend and (role != "ops" or rng.random() > 0.1)) or rng.random() < 0.07:
                continue  # weekend (ops sometimes work them), or a day off
            for _ in range(1 + int(rng.poisson(3.5))):
                t = day0 + day * 86400 + int((start_h + rng.uniform(0.0, 8.5)) * 3600)
                src = "vpn-01" if rng.random() < 0.15 else desktops[i % 10]
                dst = str(rng.choice(habits[user]))
                if rng.random() < 0.04:  # mistyped password, retried a few seconds later
                    events.append((t, user, src, dst, "login", "failure"))
                    t += int(rng.integers(5, 40))
                events.append((t, user, src, dst, "login", "success"))
                for _ in range(int(rng.poisson(3.5))):
                    t += int(rng.integers(20, 900))
                    sudo = role in ("ops", "dev") and rng.random() < 0.15
                    result = "failure" if rng.random() < 0.02 else "success"
                    events.append((t, user, src, dst, "sudo" if sudo else "file_access", result))
                t += int(rng.integers(60, 3600))
                events.append((t, user, src, dst, "logout", "success"))
    # Service accounts are non-interactive: nightly backups and daytime deploys, fixed hosts.
    for day in range(28):
        for j, dst in enumerate(["fs-01", "fs-02", "db-01", "db-02"]):
            t = day0 + day * 86400 + 3600 + j * 600 + int(rng.integers(0, 60))
            for action, dt in [("login", 0), ("file_access", 2), ("file_access", 240)]:
                events.append((t + dt, "svc-backup", "backup-01", dst, action, "success"))
            events.append((t + 480, "svc-backup", "backup-01", dst, "logout", "success"))
        for _ in range(int(rng.integers(1, 4)) if day % 7 < 5 else 0):
            t = day0 + day * 86400 + int(rng.uniform(9.0, 17.0) * 3600)
            for dst in ["web-01", "web-02", "web-03", "app-01", "app-02"]:
                for action, dt in [("login", 0), ("file_access", 3), ("logout", 30)]:
                    events.append((t + dt, "svc-deploy", "build-01", dst, action, "success"))
                t += 45

    bursts: list[tuple[str, str, str, str, list[str], int, int]] = []
    # (1) Fan-out at 03:00: one account touches every server it has never used, in minutes.
    user = users[5]
    new_hosts = [h for h in servers if h not in habits[user]]
    t0 = t = int(pd.Timestamp("2025-03-19 03:02", tz="UTC").timestamp())
    for dst in new_hosts:
        for action, dt in [("login", 0), ("file_access", 20), ("logout", 50)]:
            events.append((t + dt, user, "vpn-01", dst, action, "success"))
        t += 70
    bursts.append(("fanout_0300", "fan_out", user, "vpn-01", new_hosts, t0, t))
    # (2) Brute force: 150 failed logins from one desktop to the jump host, then a success.
    t0 = t = int(pd.Timestamp("2025-03-15 22:10", tz="UTC").timestamp())
    for _ in range(150):
        events.append((t, users[8], "vdi-03", "jump-01", "login", "failure"))
        t += int(rng.integers(2, 6))
    events.append((t, users[8], "vdi-03", "jump-01", "login", "success"))
    bursts.append(("bruteforce_jump01", "brute_force", users[8], "vdi-03", ["jump-01"], t0, t + 1))
    # (3) The backup service account used by a person: from a desktop, in office hours, sudo.
    who, src, dst = "svc-backup", "vdi-05", "db-01"
    t0 = t = int(pd.Timestamp("2025-03-26 13:47", tz="UTC").timestamp())
    for action in ["login", "sudo", *["file_access"] * 6, "sudo", "logout"]:
        events.append((t, who, src, dst, action, "success"))
        t = t + int(rng.integers(60, 400)) if action != "logout" else t + 1
    bursts.append(("svc_backup_interactive", "service_account_interactive", who, src, [dst], t0, t))

    def at(seconds: int) -> pd.Timestamp:
        return pd.Timestamp(seconds, unit="s", tz="UTC")

    incidents = [
        incident(id_, kind, at(t0), at(t1), user=who, src_host=src, dst_hosts=dsts)
        for id_, kind, who, src, dsts, t0, t1 in bursts
    ]
    events.sort()
    frame = pd.DataFrame(events, columns=["t", "user", "src_host", "dst_host", "action", "result"])
    stamps = pd.to_datetime(frame.pop("t"), unit="s", utc=True).dt.strftime(ISO)
    frame.insert(0, "timestamp", stamps)
    meta = {"layout": "events", "time_column": "timestamp", "timezone": "UTC"}
    return frame, meta | {"start": iso(START), "end": iso(END), "incidents": incidents}


def make_expenses(rng: np.random.Generator) -> tuple[pd.DataFrame, Meta]:
    departments = ["Sales", "Marketing", "Operations", "Engineering", "Support", "Finance"]
    travel_share = dict(zip(departments, [0.6, 0.4, 0.35, 0.25, 0.2, 0.15], strict=True))
    staff = [(f"E{1001 + i}", departments[i % 6]) for i in range(150)]
    days = pd.bdate_range("2025-01-02", "2025-06-30")
    # category -> (median amount EUR, log spread); mileage is paid per km instead.
    travel = {"hotel": (115, 0.25), "airfare": (320, 0.45), "mileage": (0, 0), "taxi": (28, 0.45)}
    office = {"office_supplies": (45, 0.7), "software": (60, 0.8), "training": (650, 0.4)}
    travel["meals"] = office["meals"] = (32, 0.5)
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[str, str, float]] = set()
    for _ in range(3000):
        employee, dept = staff[int(rng.integers(len(staff)))]
        pool = travel if rng.random() < travel_share[dept] else office
        category = str(rng.choice(list(pool)))
        median, spread = pool[category]
        nights, km, receipts = 0, 0.0, 1
        if category == "mileage":
            # One decimal km, so two trips rarely cost exactly the same by chance.
            km = round(float(np.clip(rng.lognormal(np.log(110), 0.6), 5, 700)), 1)
            amount, receipts = km * 0.30, 0  # flat rate per km, no receipt needed
        elif category == "hotel":
            nights = min(int(rng.geometric(0.55)), 6)
            amount = nights * rng.lognormal(np.log(median), spread)
            receipts = 1 if rng.random() < 0.8 else nights  # one folio, or one per night
        else:
            amount = rng.lognormal(np.log(median), spread)
            receipts = int(rng.integers(1, 4)) if category == "meals" else 1
            receipts = 0 if rng.random() < 0.03 else receipts  # the odd lost receipt
        if (employee, category, round(amount, 2)) in seen:
            continue  # a chance exact repeat would look like the planted duplicate claims
        seen.add((employee, category, round(amount, 2)))
        day = days[int(rng.integers(len(days)))]
        rows.append((day, employee, dept, category, round(amount, 2), nights, km, receipts, ""))
    # Planted: id, kind, submitted, employee index, category, amount, nights, receipts.
    dup = ("duplicate_training", "duplicate_claims")
    plan = [
        ("absurd_amount", "amount_outlier", "2025-02-12", 17, "taxi", 4870.00, 0, 1),
        ("absurd_amount", "amount_outlier", "2025-04-09", 52, "meals", 2960.50, 0, 1),
        ("nights_no_receipts", "missing_receipts", "2025-03-18", 30, "hotel", 2185.00, 19, 0),
        *[(*dup, f"2025-05-0{d}", 73, "training", 749.00, 0, 1) for d in (5, 7, 9)],
    ]
    for tag, _, when, who, category, amount, nights, receipts in plan:
        rows.append((pd.Timestamp(when), *staff[who], category, amount, nights, 0.0, receipts, tag))

    columns = ["submitted", "employee", "department", "category", "amount", "nights"]
    frame = pd.DataFrame(rows, columns=[*columns, "distance_km", "receipts", "tag"])
    frame = frame.sort_values("submitted", kind="stable")  # claim ids follow submission order
    frame.insert(0, "claim_id", [f"EXP-{i:05d}" for i in range(1, len(frame) + 1)])
    frame["submitted"] = frame["submitted"].dt.strftime("%Y-%m-%d")
    frame["amount"] = fmt(frame["amount"].to_numpy(), 2)
    frame["distance_km"] = fmt(frame["distance_km"].to_numpy(), 1)
    kinds = {tag: kind for tag, kind, *_ in plan}
    incidents = [
        entry(tag, kind, claim_ids=frame.loc[frame["tag"] == tag, "claim_id"].tolist())
        for tag, kind in kinds.items()
    ]
    meta = {"layout": "records", "id_column": "claim_id", "incidents": incidents}
    return frame.drop(columns="tag"), meta


def main(out_dir: Path) -> None:
    """Write the four demo files and planted.json into out_dir (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # One generator per dataset, so changing one dataset leaves the others' bytes unchanged.
    seeds = np.random.SeedSequence(SEED).spawn(4)
    names = ["datacenter_metrics", "shop_orders", "logins", "expenses"]
    makers = [make_metrics, make_shop, make_logins, make_expenses]
    planted: dict[str, Any] = {
        "generator": "scripts/make_demo_data.py",
        "seed": SEED,
        "intervals": "start inclusive, end exclusive; UTC ISO 8601 unless the key ends in _local",
    }
    for name, make, seed in zip(names, makers, seeds, strict=True):
        frame, meta = make(np.random.default_rng(seed))
        write_csv_gz(frame, out_dir / f"{name}.csv.gz")
        planted[name] = {"file": f"{name}.csv.gz", "columns": list(frame.columns), **meta}
    text = json.dumps(planted, indent=2, ensure_ascii=False) + "\n"
    (out_dir / "planted.json").write_bytes(text.encode("utf-8"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)

"""Record family: rows unlike the others, and claims filed twice.

Each row gets two views. The ``EnsembleRecordDetector`` ranks rows by how isolated they are in
all features together. Per feature, a robust z says how far the row's value lies from the usual:
numbers against the median and MAD of their column, on a log scale when the column is
non-negative and right-skewed (amounts), and conditional on the categorical column that explains
the most spread (a 4,870 taxi ride is extreme *for a taxi*, not for a flight); categories by
rarity. Columns of a few values (counts) are judged by their empirical tail instead: a value a
few percent of rows share is no 30-sigma event however tight the MAD.

A row is an outlier when the ensemble puts it in the top fraction and its strongest deviations
pass a floor, or when its deviations alone pass 1.5 times that floor (the ensemble cannot know that
an amount is ordinary for flights and absurd for meals). Both bars move with sensitivity, so more
sensitivity gives a superset; the score (0-100) grows with the deviations. Rows sharing every
categorical value and an exact continuous amount within a few days are reported as duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import norm

from anomaly_desk.detect.families.graph import exp_score, min_score, names
from anomaly_desk.detect.findings import Contribution, Finding
from anomaly_desk.detect.records import EnsembleRecordDetector

FloatArray = npt.NDArray[np.float64]

DAY_NS = 86_400_000_000_000
MAX_GROUP_VALUES = 50  # categorical columns with more values are never used as a condition
MIN_GROUP_ROWS = 20  # smaller groups are judged against the whole column
ID_SHARE = 0.5  # a categorical column with more distinct values than this share is an id
RARE_ROWS = 3  # a category held by at most this many rows (or 0.1 %) is rare
TOP = 3  # contributions per finding
CONTINUOUS_SHARE = 0.2  # numbers with this share of distinct values identify a claim's amount
DUPLICATE_DAYS = 7
ALONE = 1.5  # deviations this many times the floor make an outlier without the ensemble
DISCRETE_VALUES = 20  # a numeric column with at most this many values holds counts


def detect_records(
    frame: pd.DataFrame,
    features: Sequence[str],
    key: str | None = None,
    timestamp: str | None = None,
    sensitivity: float = 0.5,
    seed: int = 0,
) -> list[Finding]:
    """Outlying rows and duplicated rows of ``frame`` as findings, highest score first."""
    if len(frame) == 0:
        return []
    numeric, categorical = _split(frame, features, key, timestamp)
    instants = _instants(frame, timestamp)
    judged = [_judge_numeric(frame[f], categorical, frame) for f in numeric]
    z = np.column_stack([j["z"] for j in judged] + [_rarity(frame[c]) for c in categorical])
    strongest = np.sort(np.abs(z), axis=1)[:, -TOP:]
    extremeness = np.sqrt(np.sum(strongest**2, axis=1))
    ranks = EnsembleRecordDetector(random_state=seed).fit_score(
        _model_frame(frame, numeric, categorical)
    )
    s = float(np.clip(sensitivity, 0.0, 1.0))
    top = ranks >= np.quantile(ranks, 1.0 - (0.002 + 0.028 * s))  # top 0.2 % - 3 %
    floor = 6.0 - 3.0 * s  # in robust sigmas of the strongest deviations combined
    chosen = np.flatnonzero((top & (extremeness >= floor)) | (extremeness >= ALONE * floor))
    scores = exp_score(extremeness, 2.0, 8.0)
    labels = [str(v) for v in frame[key]] if key else [str(v) for v in frame.index]
    noun = key.removesuffix("_id").replace("_", " ").capitalize() if key else "Row"
    row = _RowContext(frame, numeric, categorical, judged, noun)
    findings = [
        row.finding(int(i), z[i], labels[i], int(instants[i]), float(scores[i]), float(ranks[i]))
        for i in chosen
    ]
    duplicates = _duplicates(frame, numeric, categorical, instants, labels, noun)
    findings += [f for f in duplicates if f.score >= min_score(s)]
    return sorted(findings, key=lambda f: (-f.score, f.start_ns, f.entity or ""))


def _split(
    frame: pd.DataFrame, features: Sequence[str], key: str | None, timestamp: str | None
) -> tuple[list[str], list[str]]:
    """Numeric and categorical features; the key, the timestamp and id-like columns are no
    features (an id is rare in every row and explains nothing)."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ValueError(f"the records have no column {', '.join(map(repr, missing))}")
    numeric, categorical = [], []
    for f in dict.fromkeys(features):
        if f in (key, timestamp):
            continue
        kind = frame[f].dtype.kind
        if kind in "mM":
            raise ValueError(f"the column {f!r} holds times: pass it as the timestamp")
        if kind in "iuf":
            numeric.append(f)
        elif frame[f].nunique(dropna=False) <= ID_SHARE * len(frame):
            categorical.append(f)
    if not numeric and not categorical:
        raise ValueError("no usable feature: give numeric or categorical columns")
    return numeric, categorical


def _instants(frame: pd.DataFrame, timestamp: str | None) -> npt.NDArray[np.int64]:
    if timestamp is None:
        return np.zeros(len(frame), np.int64)
    if timestamp not in frame.columns or frame[timestamp].dtype.kind != "M":
        raise ValueError(f"the records need a column {timestamp!r} of datetimes")
    index = pd.DatetimeIndex(frame[timestamp])
    index = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    return np.where(index.isna(), 0, index.as_unit("ns").asi8).astype(np.int64)


def _model_frame(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    out = frame[numeric].astype(np.float64)
    for c in categorical:
        out[c] = frame[c].astype(str)
    return out


def _robust(values: pd.Series, groups: pd.Series | None) -> tuple[FloatArray, FloatArray]:
    """Per row: the median and robust sigma of its group (or of the whole column). The sigma is
    1.4826 MAD, or 1.2533 mean absolute deviation where most values are equal (MAD 0)."""
    grouped: Any = values.groupby(groups) if groups is not None else values.groupby(0 * values)
    center = grouped.transform("median").to_numpy(np.float64)
    spread = (values - center).abs().groupby(groups if groups is not None else 0 * values)
    mad = 1.4826 * spread.transform("median").to_numpy(np.float64)
    mean_ad = 1.2533 * spread.transform("mean").to_numpy(np.float64)
    return center, np.where(mad > 0, mad, mean_ad)


def _judge_numeric(
    values: pd.Series, categorical: list[str], frame: pd.DataFrame
) -> dict[str, Any]:
    """Robust z of one numeric column, conditional on the categorical column that explains most."""
    raw = values.to_numpy(np.float64)
    finite = np.isfinite(raw)
    positive = raw[finite & (raw > 0)]
    log = bool(finite.any() and raw[finite].min() >= 0 and len(positive) >= 10)
    if log:  # right-skewed: the upper tail is longer than twice the lower one
        q10, q50, q90 = np.quantile(positive, [0.1, 0.5, 0.9])
        log = bool(q90 - q50 > 2 * (q50 - q10))
    t = pd.Series(np.log1p(raw) if log else raw).where(finite)
    center, scale = _robust(t, None)
    overall = float(np.nanmax(scale)) if np.isfinite(scale).any() else 0.0
    overall = overall if overall > 0 else 1.0  # a constant column: any change is a unit
    best: dict[str, Any] = {"group": None, "center": center, "scale": np.full(len(t), overall)}
    best_spread = overall
    for g in categorical:
        groups = frame[g].astype(str).reset_index(drop=True)
        size = groups.map(groups.value_counts()).to_numpy()
        if not 2 <= groups.nunique() <= MAX_GROUP_VALUES:
            continue
        g_center, g_scale = _robust(t, groups)
        small = size < MIN_GROUP_ROWS
        g_center = np.where(small, center, g_center)
        # A group whose values are all equal still gets a spread: a tenth of the column's.
        g_scale = np.where(small, overall, np.maximum(np.nan_to_num(g_scale), 0.1 * overall))
        spread = float(np.mean(g_scale[finite])) if finite.any() else overall
        if spread < 0.8 * best_spread:  # the condition must explain a fair share of the spread
            best, best_spread = {"group": g, "center": g_center, "scale": g_scale}, spread
    z = np.where(finite, (t.to_numpy() - best["center"]) / best["scale"], 0.0)
    discrete = values.nunique() <= DISCRETE_VALUES
    if discrete:
        condition = frame[best["group"]].astype(str) if best["group"] else None
        z = _discrete_z(t, z, condition, best["scale"])
    non_negative = bool(finite.any() and raw[finite].min() >= 0)
    return {
        **best,
        "log": log,
        "z": z,
        "values": raw,
        "non_negative": non_negative,
        "discrete": discrete,
    }


def _discrete_z(
    t: pd.Series, z: FloatArray, groups: pd.Series | None, scale: FloatArray
) -> FloatArray:
    """The deviation of a value of a few-valued column (counts such as receipts or nights): the
    normal quantile of its tail share in its group, plus, for the single most extreme value, its
    gap beyond the runner-up in robust sigmas, and never more than the robust z. A MAD of 0 (most
    values equal) says nothing of how rare the other values are; the tail does."""
    keys = groups.reset_index(drop=True) if groups is not None else pd.Series(np.zeros(len(t)))
    grouped = t.groupby(keys)
    size = grouped.transform("count").to_numpy(np.float64)
    upper = grouped.rank(method="max", ascending=False).to_numpy(np.float64)
    lower = grouped.rank(method="max", ascending=True).to_numpy(np.float64)
    as_extreme = np.where(z > 0, upper, lower)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = norm.isf(as_extreme / (size + 1.0))
    values = t.to_numpy(np.float64)
    for i in np.flatnonzero((as_extreme == 1) & (np.abs(z) > tail)):
        others = values[(keys == keys[i]).to_numpy() & (values != values[i])]
        inside = others[others < values[i]] if z[i] > 0 else others[others > values[i]]
        if len(inside):
            tail[i] += abs(values[i] - (inside.max() if z[i] > 0 else inside.min())) / scale[i]
    limit = np.nan_to_num(tail, nan=0.0, posinf=np.inf)
    return np.where(np.abs(z) > limit, np.sign(z) * limit, z).astype(np.float64)


def _rarity(values: pd.Series) -> FloatArray:
    """A rare category as a z: the normal quantile of its share (0 for common values)."""
    text = values.astype(str)
    count = text.map(text.value_counts()).to_numpy(np.float64)
    rare = count <= max(RARE_ROWS, 0.001 * len(text))
    return np.where(rare, norm.isf(count / len(text) / 2), 0.0).astype(np.float64)


def _fmt(value: float, integer: bool) -> str:
    return f"{value:,.0f}" if integer and float(value).is_integer() else f"{value:,.2f}"


class _RowContext:
    """Turns one outlying row into a finding with contributions and a narrative."""

    def __init__(
        self,
        frame: pd.DataFrame,
        numeric: list[str],
        categorical: list[str],
        judged: list[dict[str, Any]],
        noun: str,
    ) -> None:
        self.frame, self.numeric, self.categorical = frame, numeric, categorical
        self.judged, self.noun = judged, noun
        self.tags = [c for c in categorical if frame[c].nunique() <= MAX_GROUP_VALUES][:2]

    def finding(
        self, i: int, z: FloatArray, entity: str, instant: int, score: float, rank: float
    ) -> Finding:
        features = self.numeric + self.categorical
        order = [k for k in np.argsort(-np.abs(z), kind="stable") if abs(z[k]) >= 1.0][:TOP]
        order = order or [int(np.argmax(np.abs(z)))]
        total = float(sum(abs(z[k]) for k in order)) or 1.0
        texts = [self._explain(i, int(k), float(z[k])) for k in order]
        contributions = tuple(
            Contribution(features[k], abs(float(z[k])) / total, "raw", text)
            for k, text in zip(order, texts, strict=True)
        )
        row = self.frame.iloc[i]
        tags = ", ".join(str(row[c]) for c in self.tags)
        narrative = f"{self.noun} {entity}{f' ({tags})' if tags else ''}: {texts[0]}."
        if len(texts) > 1:
            narrative += f" Also unusual: {'; '.join(texts[1:])}."
        numbers: dict[str, Any] = {}
        top_numeric = [int(k) for k in order if k < len(self.numeric)]
        if top_numeric:
            numbers = self._numbers(i, top_numeric[0])
        context = {
            "features": {features[k]: _plain(row[features[k]]) for k in order},
            "deviations": {features[k]: round(float(z[k]), 2) for k in order},
            "ensemble_rank": round(rank, 4),
        }
        return Finding(
            type="outlier_record",
            start_ns=instant,
            end_ns=instant,
            peak_ns=instant,
            score=round(score, 2),
            entity=entity,
            **numbers,
            contributions=contributions,
            context=context,
            narrative=narrative,
        )

    def _numbers(self, i: int, k: int) -> dict[str, Any]:
        j = self.judged[k]
        back = np.expm1 if j["log"] else (lambda x: x)
        center, scale = float(j["center"][i]), float(j["scale"][i])
        low = float(back(center - 3 * scale))
        return {
            "actual": float(j["values"][i]),
            "expected": float(back(center)),
            "band_low": max(low, 0.0) if j["non_negative"] else low,
            "band_high": float(back(center + 3 * scale)),
            "deviation_sigma": round(float(j["z"][i]), 2),
        }

    def _explain(self, i: int, k: int, z: float) -> str:
        if k >= len(self.numeric):
            column = self.categorical[k - len(self.numeric)]
            value = self.frame[column].iloc[i]
            count = int((self.frame[column].astype(str) == str(value)).sum())
            return f"{column} {value} is rare ({count:,} of {len(self.frame):,} rows)"
        column, j = self.numeric[k], self.judged[k]
        integer = self.frame[column].dtype.kind in "iu"
        n = self._numbers(i, k)
        where = f" for {j['group']} {self.frame[j['group']].iloc[i]}" if j["group"] else ""
        sigma = "σ" if j["discrete"] else "robust σ"  # counts are judged by their tail
        return (
            f"{column} {_fmt(n['actual'], integer)} is {abs(z):.1f} {sigma} "
            f"{'above' if z > 0 else 'below'} the usual{where} (median "
            f"{_fmt(n['expected'], integer)}, usual range {_fmt(n['band_low'], False)}–"
            f"{_fmt(n['band_high'], False)})"
        )


def _plain(value: Any) -> Any:
    """A JSON-ready scalar."""
    return value.item() if isinstance(value, np.generic) else value


def _duplicates(
    frame: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    instants: npt.NDArray[np.int64],
    labels: list[str],
    noun: str,
) -> list[Finding]:
    """Rows equal in every categorical feature and every continuous number (an amount to the
    cent), within ``DUPLICATE_DAYS`` of each other: a claim filed more than once. Only with a
    timestamp and a "who" column (a categorical of many values, such as the employee): without
    them, equal amounts in a large table are mostly chance."""
    continuous = [f for f in numeric if frame[f].nunique() >= CONTINUOUS_SHARE * len(frame)]
    who = [c for c in categorical if frame[c].nunique() > MAX_GROUP_VALUES]
    if not continuous or not who or not instants.any():
        return []
    columns = categorical + continuous
    valid = np.ones(len(frame), bool)
    for f in continuous:  # a missing or zero amount identifies nothing
        valid &= np.isfinite(frame[f].to_numpy(np.float64)) & (frame[f].to_numpy() != 0)
    signature = frame[columns].astype(str).reset_index(drop=True).groupby(columns).ngroup()
    order = np.lexsort((instants, signature.to_numpy()))
    order = order[valid[order]]
    sig, when = signature.to_numpy()[order], instants[order]
    new_group = np.r_[True, (sig[1:] != sig[:-1]) | (np.diff(when) > DUPLICATE_DAYS * DAY_NS)]
    group = np.cumsum(new_group) - 1
    sizes = np.bincount(group)
    out = []
    for g in np.flatnonzero(sizes >= 2):
        rows = np.sort(order[group == g])
        first = frame.iloc[rows[0]]
        shared = {c: _plain(first[c]) for c in columns}
        keys = [labels[r] for r in rows]
        span = (int(instants[rows].max()) - int(instants[rows].min())) / DAY_NS
        said = ", ".join(
            f"{c} {_fmt(float(v), False) if c in continuous else v}" for c, v in shared.items()
        )
        text = f"{noun}s {names(keys)} share {said}"
        if instants.any():
            dates = [f"{pd.Timestamp(int(instants[r]), tz='UTC'):%Y-%m-%d}" for r in rows]
            text += f" within {span:g} days ({dates[0]} to {dates[-1]})"
        out.append(
            Finding(
                type="outlier_record",
                start_ns=int(instants[rows].min()),
                end_ns=int(instants[rows].max()),
                peak_ns=int(instants[rows[0]]),
                score=float(min(95.0, 35.0 + 15.0 * len(rows))),
                entity=keys[0],
                contributions=(Contribution("duplicate", 1.0, "raw", f"{len(rows)} equal rows"),),
                context={"keys": keys, "rows": rows.tolist(), "shared": shared, "span_days": span},
                narrative=f"{text}.",
            )
        )
    return out

"""The workspace schema (SQLAlchemy Core).

This module is the current shape; ``migrations/versions`` holds the frozen steps that build it,
and a test checks the two agree. Instants inside the data are integer nanoseconds since the
epoch, UTC (``*_ns``); bookkeeping times are ISO 8601 text, UTC, so the file reads well in any
SQLite browser.

Points of a time series are stored as columnar chunks (``point_chunks``): one row per series
and per block of up to ``points.CHUNK_POINTS`` points, holding the timestamps and values as
packed arrays. One row per point is ten times slower to write and read at 10M points
(docs/architecture.md has the measurements). Events and records live in one real table per
dataset (``data_<dataset id>``) so they can be queried with SQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Tables that exist in the file but not in ``metadata``: the FTS5 index (a virtual table and
# its shadow tables, built in migration 0002) and the per-dataset ``data_<id>`` tables.
UNMODELLED_PREFIXES = ("anomaly_fts", "data_")


def include_in_autogenerate(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_PREFIXES))


workspace_meta = Table(
    "workspace_meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("source_size", BigInteger, nullable=False),
    Column("mapping", Text, nullable=False),  # JSON of model.Mapping
    Column("timezone", String, nullable=False),
    Column("report", Text, nullable=False),  # JSON of model.ImportReport
    Column("rows", BigInteger, nullable=False),
    Column("data_table", String),  # events / records: name of the per-dataset table
    Column("imported_at", String, nullable=False),
)

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("name", String, nullable=False),
    Column("entity", String),
    Column("value_column", String, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("start_ns", BigInteger),
    Column("end_ns", BigInteger),
    Column("step_seconds", Float),
    Column("vmin", Float),
    Column("vmax", Float),
    UniqueConstraint("dataset_id", "name"),
)

point_chunks = Table(
    "point_chunks",
    metadata,
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("codec", String, nullable=False),
    Column("ts", LargeBinary, nullable=False),
    Column("vals", LargeBinary, nullable=False),
)

detection_runs = Table(
    "detection_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("preset", String, nullable=False),
    Column("config", Text, nullable=False),  # JSON: detectors, parameters, sensitivity
    Column("versions", Text, nullable=False),  # JSON: app, detector and library versions
    Column("seed", Integer, nullable=False),
    Column("input_sha256", String(64), nullable=False),
    Column("started_at", String, nullable=False),
    Column("finished_at", String),
    Column("anomaly_count", Integer, nullable=False, default=0),
)

anomalies = Table(
    "anomalies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("run_id", ForeignKey("detection_runs.id", ondelete="CASCADE"), nullable=False),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE")),
    Column("entity", String),
    Column("type", String, nullable=False),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("peak_ns", BigInteger, nullable=False),
    Column("score", Float, nullable=False),
    Column("score_at_triage", Float),
    Column("severity", String, nullable=False),
    Column("severity_override", String),
    Column("status", String, nullable=False, default="new"),
    Column("assignee", String),
    Column("starred", Boolean, nullable=False, default=False),
    Column("actual", Float),
    Column("expected", Float),
    Column("band_low", Float),
    Column("band_high", Float),
    Column("summary", Text, nullable=False, default=""),
    Column("explanation", Text, nullable=False, default="{}"),  # JSON
    # The rule muting this anomaly (kept, findable); a trigger clears it when the rule goes.
    Column("suppressed_by", Integer),
    Column("verdict", String),  # None, "confirmed" or "false_positive": feedback to the engine
    Column("updated_at", String, nullable=False),
    Index("ix_anomalies_score", "score"),
    Index("ix_anomalies_start", "start_ns"),
    Index("ix_anomalies_series_start", "series_id", "start_ns"),
    Index("ix_anomalies_status", "status"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("anomaly_id", ForeignKey("anomalies.id", ondelete="CASCADE"), nullable=False),
    Column("author", String, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", String, nullable=False),
    Index("ix_comments_anomaly", "anomaly_id"),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
)

anomaly_tags = Table(
    "anomaly_tags",
    metadata,
    Column("anomaly_id", ForeignKey("anomalies.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

# Append-only and hash-chained: hash = SHA-256(prev_hash || seq || canonical JSON of the record)
# (triage/audit.py defines it exactly); the head is also kept in workspace_meta['audit_head'].
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("at", String, nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    Column("object_type", String, nullable=False),
    Column("object_uid", String, nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_object", "object_uid"),
)

# "#123" in a comment: the anomalies it mentions (triage/mentions.py finds them).
comment_links = Table(
    "comment_links",
    metadata,
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    Column("anomaly_id", ForeignKey("anomalies.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_comment_links_anomaly", "anomaly_id"),
)

# User rules: detection rules (expression + severity), suppressions (muting findings like a
# judged false positive) and maintenance windows (calendar ranges whose findings are muted).
rules = Table(
    "rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("kind", String, nullable=False),  # "detection" | "suppression" | "maintenance"
    Column("name", String, nullable=False),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE")),
    Column("series_glob", String, nullable=False, default="*"),
    Column("definition", Text, nullable=False),  # JSON: expression, severity, type, ranges ...
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", String, nullable=False),
    Column("created_by", String, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("payload", Text, nullable=False),
    Column("sent_at", String),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("filter", Text, nullable=False),  # JSON of model.FilterSpec
    Column("created_at", String, nullable=False),
)

# Incidents: anomalies grouped by an analyst (proposals from triage/incidents.py are not
# stored). An anomaly is in at most one incident, hence the key on ``anomaly_id`` alone.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("title", String, nullable=False),
    Column("status", String, nullable=False, default="open"),  # "open" | "closed"
    Column("summary", Text, nullable=False, default=""),
    Column("created_at", String, nullable=False),
    Column("created_by", String, nullable=False),
    Column("updated_at", String, nullable=False),
)

incident_members = Table(
    "incident_members",
    metadata,
    Column("anomaly_id", ForeignKey("anomalies.id", ondelete="CASCADE"), primary_key=True),
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("added_at", String, nullable=False),
    Column("added_by", String, nullable=False),
    Index("ix_incident_members_incident", "incident_id"),
)

# Notes on a time range of one series, or of a whole dataset (series_id NULL); the timeline
# shows them. dataset_id is always set, so a dataset's notes are one indexed lookup.
# (Not named ``annotations`` here: that name is taken by ``from __future__ import annotations``.)
annotation_table = Table(
    "annotations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE")),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String, nullable=False),
    Column("created_by", String, nullable=False),
    Index("ix_annotations_dataset_start", "dataset_id", "start_ns"),
    Index("ix_annotations_series_start", "series_id", "start_ns"),
)

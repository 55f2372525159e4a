"""The evidence bundle: one zip holding everything a case needs to stand up later.

::

    evidence.zip
      manifest.json            SHA-256 of every other file, audit head, app version, own hash
      README.txt               how to check the bundle, with and without Anomaly Desk
      report/case.html         the case report (self-contained)
      report/case.pdf          the same report as PDF
      data/anomaly-<id>.csv    the series points in the plotted window around each anomaly
      audit/chain.jsonl        the whole audit chain up to the head, one record per line

The whole chain (not only the records of these anomalies) is included so the records named in
the report can be re-hashed and linked, record by record, up to the head the manifest and the
report record. ``bundle_verify.py`` says what verification proves and what it does not.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from anomaly_desk.model import AuditHead
from anomaly_desk.progress import Progress, silent
from anomaly_desk.report.anomaly_export import iso
from anomaly_desk.report.bundle_verify import (
    CHAIN,
    FORMAT,
    MANIFEST,
    SIGNATURE_KEY,
    manifest_digest,
)
from anomaly_desk.report.case import Case, CaseAnomaly
from anomaly_desk.report.render import render_html, render_pdf

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

AUDIT_PAGE = 10_000

_README = """Anomaly Desk evidence bundle
============================

{title}
Made {created} by {author} with Anomaly Desk {version}.

Check it:  anomaly-desk verify-bundle THIS.zip --manifest-sha256 HASH
where HASH is the manifest SHA-256 printed when the bundle was made and kept outside it (it
cannot be written here: this file is itself covered by the manifest).
Audit chain head at export: {head}

Without Anomaly Desk: unzip, then compare `sha256sum` of each file with manifest.json's
"files". The manifest's own hash is the SHA-256 of its JSON without the "{key}" key,
with keys sorted and no whitespace (UTF-8). report/ holds the case report (HTML and PDF),
data/ the series points around each anomaly, audit/chain.jsonl the audit chain up to the head.
"""


@dataclass(frozen=True)
class BundleResult:
    path: Path
    manifest_sha256: str
    audit_head: AuditHead | None
    files: tuple[str, ...]


def make_bundle(
    ws: Workspace, case: Case, dest: Path, progress: Progress | None = None
) -> BundleResult:
    """Write the bundle for ``case`` to ``dest`` (via a temporary name: no half zip is left
    under the asked-for name); returns the manifest's hash, for the user to keep elsewhere."""
    progress = progress or silent()
    html = render_html(case, progress)
    progress.update(0.0, "laying out the PDF")
    files: dict[str, bytes] = {
        "report/case.html": html.encode("utf-8"),
        "report/case.pdf": render_pdf(html),
    }
    progress.check()
    for item in case.anomalies:
        if len(item.context.ts_ns):
            files[f"data/anomaly-{item.row.id}.csv"] = _extract(item)
    files[CHAIN] = _chain(ws, case.chain.head)
    head = case.chain.head
    manifest: dict[str, object] = {
        "format": FORMAT,
        "app_version": case.app_version,
        "created_at": case.generated_at.isoformat(),
        "created_by": case.author,
        "title": case.title,
        "workspace": case.workspace,
        "anomalies": [a.row.id for a in case.anomalies],
        "audit_head": None if head is None else {"seq": head.seq, "hash": head.hash},
        "audit_chain_intact_at_export": case.chain.intact,
        "datasets": {d.name: d.source_sha256 for d in case.datasets},
    }
    files["README.txt"] = _readme(case)
    digest = _seal(manifest, files)
    _write_zip(dest, manifest, files, case)
    return BundleResult(dest, digest, head, (MANIFEST, *sorted(files)))


def _seal(manifest: dict[str, object], files: dict[str, bytes]) -> str:
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
    }
    digest = manifest_digest(manifest)
    manifest[SIGNATURE_KEY] = digest
    return digest


def _readme(case: Case) -> bytes:
    head = case.chain.head
    text = _README.format(
        title=case.title,
        created=case.generated_at.isoformat(),
        author=case.author,
        version=case.app_version,
        head="none" if head is None else str(head),
        key=SIGNATURE_KEY,
    )
    return text.encode("utf-8")


def _extract(item: CaseAnomaly) -> bytes:
    """The plotted window as CSV: ISO time, value, expected band, inside the anomaly or not."""
    ctx, row = item.context, item.row
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["timestamp", "value", "expected_low", "expected_high", "in_anomaly"])
    inside = (ctx.ts_ns >= row.start_ns) & (ctx.ts_ns <= row.end_ns)
    for i, ns in enumerate(ctx.ts_ns.tolist()):
        writer.writerow(
            [
                iso(ns),
                _float(ctx.values[i]),
                _float(ctx.band_low[i]),
                _float(ctx.band_high[i]),
                int(inside[i]),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _float(value: np.float64) -> str:
    # repr is the shortest text that reads back as the same float; missing stays empty.
    return repr(float(value)) if np.isfinite(value) else ""


def _chain(ws: Workspace, head: AuditHead | None) -> bytes:
    """Every record up to ``head`` (records written after the report was read are left out)."""
    lines: list[str] = []
    after = 0
    last = 0 if head is None else head.seq
    while after < last:
        page = ws.audit_records(after, AUDIT_PAGE)
        if not page:
            break
        for record in page:
            if record.seq > last:
                break
            lines.append(json.dumps(asdict(record), ensure_ascii=False, sort_keys=True))
        after = page[-1].seq
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _write_zip(
    dest: Path, manifest: dict[str, object], files: dict[str, bytes], case: Case
) -> None:
    stamp = case.generated_at.timetuple()[:6]
    tmp = dest.with_name(dest.name + ".partial")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entries = {MANIFEST: json.dumps(manifest, indent=2, ensure_ascii=False).encode()}
            entries.update(sorted(files.items()))
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)

"""Checking an evidence bundle: is every file the one the manifest lists, and the manifest sound?

What this proves, and what it does not
--------------------------------------
``manifest.json`` lists the SHA-256 of every other file in the bundle and carries
``manifest_sha256``: the SHA-256 of the manifest's own canonical JSON (keys sorted, no
whitespace, UTF-8; everything but that one key). ``verify_bundle`` recomputes all of them, so a
file changed, added or removed, or the manifest edited by hand, is caught and named.

A hash manifest only proves integrity *relative to itself*: someone who changes a file can also
rewrite the manifest and recompute every hash, and the bundle verifies again. What defeats that
is the manifest hash recorded *elsewhere*: ``anomaly-desk bundle`` prints it, and it belongs in
the case notes, an e-mail, a ticket. ``verify_bundle(path, expected)`` (CLI:
``--manifest-sha256``) then proves the manifest is the one made at export, and so is every file.

The audit chain in the bundle is re-verified against the head the manifest records: a chain
edited and re-hashed consistently still cannot end at a head recorded outside the workspace
(the report and the manifest both carry it). Nothing here proves *who* made the bundle: there is
no signature key, only hashes.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anomaly_desk.model import AuditHead, AuditRecord
from anomaly_desk.triage import audit

MANIFEST = "manifest.json"
CHAIN = "audit/chain.jsonl"
FORMAT = "anomaly-desk-evidence/1"
SIGNATURE_KEY = "manifest_sha256"


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``manifest`` without its own hash."""
    body = {k: v for k, v in manifest.items() if k != SIGNATURE_KEY}
    return hashlib.sha256(audit.canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class BundleProblem:
    path: str  # the file named: a member of the bundle, or manifest.json
    reason: str  # "changed", "added", "missing", "manifest edited", ...
    detail: str

    def describe(self) -> str:
        return f"{self.path}: {self.reason}: {self.detail}"


@dataclass(frozen=True)
class BundleVerification:
    files: int  # files checked against the manifest
    manifest_sha256: str | None
    audit_head: AuditHead | None
    app_version: str | None
    first_bad: BundleProblem | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify_bundle(path: Path, expected_manifest_sha256: str | None = None) -> BundleVerification:
    """Check a bundle made by ``make_bundle``; names the first problem found.

    Order: the manifest (readable, its own hash, the hash recorded elsewhere), then every file
    it lists (missing or changed, in the manifest's order), then files it does not list
    (added), then the audit chain inside against the manifest's head.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return _fail(path.name, "unreadable", f"not a zip file ({exc})")
    with archive:
        names = [info.filename for info in archive.infolist()]
        doubled = [n for n, count in Counter(names).items() if count > 1]
        if doubled:
            # A zip may hold two entries of one name; readers disagree on which one they show.
            return _fail(doubled[0], "added", "a second file of this name was put in the bundle")
        if MANIFEST not in names:
            return _fail(MANIFEST, "missing", "the bundle has no manifest")
        manifest, problem = _read_manifest(archive.read(MANIFEST), expected_manifest_sha256)
        if problem is not None:
            return _result(0, manifest, problem)
        listed: dict[str, dict[str, Any]] = manifest["files"]
        for name, entry in listed.items():
            if name not in names:
                return _result(0, manifest, BundleProblem(name, "missing", "listed, not there"))
            digest = hashlib.sha256(archive.read(name)).hexdigest()
            if digest != entry.get("sha256"):
                detail = f"SHA-256 {digest} differs from the manifest's {entry.get('sha256')}"
                return _result(0, manifest, BundleProblem(name, "changed", detail))
        for name in names:
            if name != MANIFEST and name not in listed:
                problem = BundleProblem(name, "added", "not listed in the manifest")
                return _result(len(listed), manifest, problem)
        if CHAIN in listed:
            problem = _check_chain(archive.read(CHAIN), manifest.get("audit_head"))
        return _result(len(listed), manifest, problem)


def _read_manifest(
    data: bytes, expected: str | None
) -> tuple[dict[str, Any], BundleProblem | None]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, BundleProblem(MANIFEST, "manifest edited", f"not valid JSON ({exc})")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return {}, BundleProblem(MANIFEST, "manifest edited", "it has no list of files")
    actual = manifest_digest(manifest)
    if manifest.get(SIGNATURE_KEY) != actual:
        detail = f"its content hashes to {actual}, not to the {SIGNATURE_KEY} it carries"
        return manifest, BundleProblem(MANIFEST, "manifest edited", detail)
    if expected is not None and expected.strip().lower() != actual:
        detail = f"its hash {actual} is not the one recorded at export ({expected.strip()})"
        return manifest, BundleProblem(MANIFEST, "manifest replaced", detail)
    return manifest, None


def _head(value: Any) -> AuditHead | None:
    if isinstance(value, dict) and isinstance(value.get("seq"), int):
        return AuditHead(value["seq"], str(value.get("hash")))
    return None


def _check_chain(data: bytes, head: Any) -> BundleProblem | None:
    try:
        records = [
            AuditRecord(**json.loads(line)) for line in data.decode("utf-8").splitlines() if line
        ]
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        return BundleProblem(CHAIN, "changed", f"not audit records ({exc})")
    found = _head(head)
    check = audit.verify(records, None if found is None else audit.head_text(found))
    if check.first_bad is not None:
        return BundleProblem(CHAIN, "audit chain broken", check.first_bad.describe())
    return None


def _fail(path: str, reason: str, detail: str) -> BundleVerification:
    return BundleVerification(0, None, None, None, BundleProblem(path, reason, detail))


def _result(
    files: int, manifest: dict[str, Any], problem: BundleProblem | None
) -> BundleVerification:
    return BundleVerification(
        files=files,
        manifest_sha256=manifest.get(SIGNATURE_KEY),
        audit_head=_head(manifest.get("audit_head")),
        app_version=manifest.get("app_version"),
        first_bad=problem,
    )

"""report, export-anomalies, bundle and verify-bundle through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

from tests.report.conftest import Built

SCRIPT = Path(sys.executable).parent / "anomaly-desk"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=180, check=False
    )


def test_report_with_filters_writes_html_and_pdf(built: Built, tmp_path: Path) -> None:
    html, pdf = tmp_path / "case.html", tmp_path / "case.pdf"
    done = run("report", "-w", str(built.path), "--status", "triaged", "-o", str(html),
               "--pdf", str(pdf), "--title", "Triaged taxi findings")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "report on 3 anomalies" in done.stdout and "audit chain head at export: " in done.stdout
    text = html.read_text(encoding="utf-8")
    assert "Triaged taxi findings" in text and pdf.read_bytes().startswith(b"%PDF")


def test_ids_and_filters_together_is_a_usage_error(built: Built, tmp_path: Path) -> None:
    done = run("report", "-w", str(built.path), str(built.triaged[0]), "--severity", "critical",
               "-o", str(tmp_path / "c.html"))  # fmt: skip
    assert done.returncode == 2 and "not both" in done.stderr
    assert not (tmp_path / "c.html").exists()


def test_export_anomalies(built: Built, tmp_path: Path) -> None:
    dest = tmp_path / "a.parquet"
    done = run("export-anomalies", "-w", str(built.path), "--min-score", "50",
               "--format", "parquet", "-o", str(dest))  # fmt: skip
    assert done.returncode == 0, done.stderr
    frame = pd.read_parquet(dest)
    assert len(frame) > 0 and (frame["score"] >= 50).all()


def test_bundle_then_verify_then_tamper(built: Built, tmp_path: Path) -> None:
    dest = tmp_path / "evidence.zip"
    ids = [str(i) for i in built.triaged]
    done = run("bundle", "-w", str(built.path), *ids, "-o", str(dest))
    assert done.returncode == 0, done.stderr
    digest = done.stdout.split("manifest sha256: ")[1].split()[0]
    assert len(digest) == 64
    ok = run("verify-bundle", str(dest), "--manifest-sha256", digest)
    assert ok.returncode == 0, ok.stderr
    assert "bundle intact" in ok.stdout and digest in ok.stdout

    with zipfile.ZipFile(dest) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["audit/chain.jsonl"] = members["audit/chain.jsonl"].replace(b"ann", b"eve", 1)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    bad = run("verify-bundle", str(tampered))
    assert bad.returncode == 4
    assert "audit/chain.jsonl: changed" in bad.stderr
    manifest = json.loads(members["manifest.json"])
    assert manifest["manifest_sha256"] == digest

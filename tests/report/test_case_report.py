"""The case report: self-contained HTML with everything a reviewer needs, and the same as PDF."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape
from PIL import Image

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.report import Case, build_case, render_html, select_ids
from anomaly_desk.store import Workspace
from tests.report.conftest import Built


def test_html_is_self_contained(report: tuple[Case, str, Path]) -> None:
    _, html, _ = report
    assert not re.search(r"https?://", html)
    assert "file:" not in html
    assert "<link" not in html and "<script" not in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"url\((?!data:)", html)


def test_html_holds_narratives_comments_and_hashes(
    report: tuple[Case, str, Path], built: Built
) -> None:
    case, html, _ = report
    with Workspace.open(built.path) as ws:
        for anomaly_id in built.all_ids:
            _, explanation = ws.anomaly(anomaly_id)
            assert str(escape(explanation["narrative"])) in html
        for anomaly_id in built.triaged[:2]:
            for comment in ws.comments(anomaly_id):
                assert str(escape(comment.body)) in html  # escaped: user text is never markup
        records = [rec for i in built.triaged for rec in ws.history(i)]
        head = ws.audit_head()
        runs = ws.detection_runs()
        sources = [d.source_sha256 for d in ws.datasets()]
    assert "<b>not bold</b>" not in html
    assert records and {r.seq for r in case.audit} == {r.seq for r in records}
    for record in records:
        assert record.hash in html and record.prev_hash in html
    assert head is not None and f"{head.seq}:{head.hash}" in html
    assert case.chain.intact and case.chain.head == head
    for run in runs:
        assert run.input_sha256 in html and run.uid in html
    assert all(digest in html for digest in sources)
    assert "Taxi demand case 42" in html
    assert len(case.anomalies) == len(built.all_ids)


def test_summary_counts_the_case(report: tuple[Case, str, Path], built: Built) -> None:
    case, _, _ = report
    assert sum(case.counts["severity"].values()) == len(built.all_ids)
    assert case.counts["status"]["triaged"] == 3
    starts = [a.row.start_ns for a in case.anomalies]
    assert starts == sorted(starts)  # a case reads as a chronology


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_pdf_has_the_text(report: tuple[Case, str, Path], built: Built) -> None:
    case, _, pdf = report
    text = _text(pdf)
    flat = re.sub(r"\s+", " ", text)
    bare = re.sub(r"\s+", "", text)  # hashes may wrap across lines
    assert "Taxi demand case 42" in flat
    narrative = case.anomalies[0].explanation["narrative"]
    assert re.sub(r"\s+", "", narrative[:60]) in bare
    head = case.chain.head
    assert head is not None and head.hash in bare
    assert case.audit[0].hash in bare


def test_pdf_pages_are_not_blank(report: tuple[Case, str, Path], tmp_path: Path) -> None:
    _, _, pdf = report
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) > 5
    for page in pages:
        pixels = np.asarray(Image.open(page), dtype=np.float64)
        assert pixels.std() > 5, f"{page.name} looks blank"


def test_an_incident_reuses_the_report_with_its_title_and_summary(
    taxi: Workspace, built: Built
) -> None:
    case = build_case(
        taxi,
        list(built.triaged),
        title="Incident 7: Thanksgiving",
        summary="Three findings on one holiday.\nClosed as expected behaviour.",
    )
    html = render_html(case)
    assert "Incident 7: Thanksgiving" in html
    assert "Three findings on one holiday." in html
    assert [a.row.id for a in case.anomalies] == sorted(
        built.triaged, key=lambda i: taxi.anomaly(i)[0].start_ns
    )


def test_selection_by_filter_and_by_unknown_id(taxi: Workspace) -> None:
    from anomaly_desk.model import FilterSpec, Severity

    ids, total = select_ids(taxi, spec=FilterSpec(severities=(Severity.CRITICAL,)), limit=2)
    assert len(ids) == 2 and total >= 2
    with pytest.raises(WorkspaceError, match="99999"):
        select_ids(taxi, (99999,))
    with pytest.raises(BadInputError):
        build_case(taxi, [])

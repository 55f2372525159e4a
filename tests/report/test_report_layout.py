"""What keeps a case report cheap to lay out, without losing what a finding says.

WeasyPrint's time follows the number of table cells more than the number of pages, so a
finding's facts and contributions are lines of text: these tests hold both halves of that bargain.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from markupsafe import escape

from anomaly_desk.report import Case


def test_tables_do_not_grow_with_the_number_of_findings(report: tuple[Case, str, Path]) -> None:
    case, html, _ = report
    with_history = sum(1 for a in case.anomalies if a.history)
    # summary facts, overview, audit facts, audit records, sources; one per triage history
    # and one per detection run
    assert html.count("<table") <= 5 + with_history + len(case.runs)
    assert len(case.anomalies) > 5 + with_history  # else the bound above proves nothing
    assert "display: flex" not in html
    tables = re.findall(r"<table[^>]*>(.*?)</table>", html, re.S)
    assert all("<colgroup>" in t for t in tables)  # a fixed layout needs its column widths


def test_each_finding_keeps_its_facts_and_contributions(report: tuple[Case, str, Path]) -> None:
    case, html, _ = report
    checked = 0
    for item in case.anomalies:
        row = item.row
        section = html[html.index(f'id="anomaly-{row.id}"') :]
        section = section[: section.index("</section>")]
        assert "Actual vs expected" in section and "peak " in section
        assert (row.assignee or "unassigned") in section
        for tag in row.tags:
            assert str(escape(tag)) in section
        for c in item.explanation.get("contributions") or []:
            assert str(escape(c["name"])) in section
            assert f"{c['weight'] * 100:.0f}%" in section
            if c.get("detail"):
                assert str(escape(c["detail"])) in section
            checked += 1
    assert checked > len(case.anomalies)  # the taxi case has findings with several detectors


def test_the_pdf_carries_a_contribution_and_the_facts(report: tuple[Case, str, Path]) -> None:
    case, _, pdf = report
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    item = next(a for a in case.anomalies if a.explanation.get("contributions"))
    top = max(item.explanation["contributions"], key=lambda c: c["weight"])
    assert top["name"] in flat
    assert f"{top['weight'] * 100:.0f}%" in flat
    assert "Actual vs expected" in flat and "usual range" in flat


def test_the_report_path_leaves_the_benchmark_and_record_detectors_unloaded() -> None:
    # The report needs the expected band (detect/deviation.py); importing any detect module
    # runs detect/__init__.py, which must not load bench, NAB, records or streaming with it.
    code = (
        "import sys\n"
        "import anomaly_desk.report.context\n"
        "from anomaly_desk.detect.deviation import expected_band\n"
        "heavy = ('bench', 'nab', 'nab_corpus', 'records', 'streaming')\n"
        "print([m for m in heavy if 'anomaly_desk.detect.' + m in sys.modules])\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "False"]  # scikit-learn alone costs ~0.6 s per report

"""A small real case for the report tests: NYC taxi from NAB, detected, a few triaged.

The workspace is built once per session (import and detection take a couple of seconds) and
each test that changes anything gets its own copy of the file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from anomaly_desk.model import FilterSpec, Severity, SortSpec, Status, TriageChange
from anomaly_desk.report import Case, build_case, write_report
from anomaly_desk.store import Workspace

NAB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nab"
TAXI = NAB / "data" / "realKnownCause" / "nyc_taxi.csv"
COMMENT = "Thanksgiving: demand fell across the city; see the calendar & #{other}"


@dataclass(frozen=True)
class Built:
    path: Path
    triaged: tuple[int, ...]  # the three strongest anomalies, triaged and commented
    all_ids: tuple[int, ...]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from anomaly_desk.analysis import run_detection
    from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file

    assert TAXI.is_file(), f"shared NAB data missing at {TAXI}"
    path = tmp_path_factory.mktemp("case") / "taxi.sqlite"
    with Workspace.open(path) as ws:
        import_file(ws, TAXI, ImportOptions(mapping=MappingOptions(timezone="UTC")))
        run_detection(ws, "nyc_taxi")
        rows, _ = ws.anomalies(FilterSpec(), SortSpec("score"), None, 10_000)
        top = tuple(r.id for r in rows[:3])
        ws.triage(top, TriageChange(status=Status.TRIAGED, assignee="ann"), "ann")
        ws.triage([top[0]], TriageChange(severity=Severity.CRITICAL, reason="city-wide"), "bob")
        ws.add_comment(top[0], COMMENT.format(other=top[1]), "bob")
        ws.add_comment(top[1], "Same pattern as last year <b>not bold</b>", "ann")
        ws.triage([top[2]], TriageChange(add_tags=("holiday", "taxi")), "ann")
        return Built(path, top, tuple(r.id for r in rows))


@pytest.fixture
def taxi(built: Built, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh copy of the built workspace, open."""
    path = tmp_path / "taxi.sqlite"
    shutil.copyfile(built.path, path)
    with Workspace.open(path) as ws:
        yield ws


@pytest.fixture(scope="session")
def report(built: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, str, Path]:
    """The report of every anomaly in the workspace, HTML and PDF, made once for the session."""
    out = tmp_path_factory.mktemp("report")
    with Workspace.open(built.path) as ws:
        case = build_case(ws, list(built.all_ids), title="Taxi demand case 42")
        html = write_report(case, out / "case.html", out / "case.pdf")
    return case, html, out / "case.pdf"

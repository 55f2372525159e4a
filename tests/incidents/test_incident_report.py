"""``anomaly-desk report --incident ID``: the incident's members, titled and summarised as it is."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from markupsafe import escape

from anomaly_desk.cli import cli
from anomaly_desk.cli.common import EXIT_USAGE
from anomaly_desk.store import Workspace
from tests.incidents.helpers import SERIES, add_anomalies, add_metrics, spike


def _invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.output


def test_report_of_an_incident(workspace_path: Path, tmp_path: Path) -> None:
    with Workspace.open(workspace_path) as ws:
        ids = add_metrics(ws)
        a, b, c = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
        info = ws.create_incident("App latency & errors", [a, b], "ann", summary="Deploy <42>")
    w = ["-w", str(workspace_path)]
    out = tmp_path / "incident.html"
    code, text = _invoke("report", "--incident", str(info.id), "-o", str(out), *w)
    assert code == 0, text
    assert "report on 2 anomalies" in text
    html = out.read_text(encoding="utf-8")
    assert str(escape("App latency & errors")) in html and str(escape("Deploy <42>")) in html
    assert f"#{a}" in html and f"#{b}" in html and f"#{c}" not in html
    # A title on the command line wins; ids and --incident together are refused.
    code, _ = _invoke("report", "--incident", str(info.id), "--title", "Other", "-o", str(out), *w)
    assert code == 0 and "Other" in out.read_text(encoding="utf-8")
    code, _ = _invoke("report", str(c), "--incident", str(info.id), "-o", str(out), *w)
    assert code == EXIT_USAGE

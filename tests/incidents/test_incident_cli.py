"""The incident and annotation commands as a user meets them: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from anomaly_desk.cli import cli
from anomaly_desk.cli.common import EXIT_BAD_INPUT, EXIT_USAGE, EXIT_WORKSPACE
from anomaly_desk.store import Workspace
from tests.incidents.helpers import SERIES, add_anomalies, add_metrics, spike


def _invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.output


def _seed(path: Path) -> list[int]:
    with Workspace.open(path) as ws:
        ids = add_metrics(ws)
        return add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])


def test_propose_create_change_show_and_verify(workspace_path: Path) -> None:
    a, b, c = _seed(workspace_path)
    w = ["-w", str(workspace_path)]
    code, out = _invoke("incidents", "--propose", *w)
    assert code == 0 and "app-1/latency_ms and 1 more series" in out, out
    assert f'anomaly-desk incident create "TITLE" {a} {b}' in out
    code, out = _invoke("incidents", "--propose", "--dataset", "metrics", "--format", "json", *w)
    (proposal,) = json.loads(out)
    assert (
        proposal["anomaly_ids"] == [a, b]
        and "usually move together" in (proposal["links"][0]["reason"])
    )
    code, out = _invoke("incident", "create", "app latency", str(a), "--actor", "ann", *w)
    assert code == 0 and "incident 1 created: 'app latency', 1 anomaly" in out, out
    assert _invoke("incident", "add", "1", str(b), str(c), *w)[0] == 0
    code, out = _invoke("incident", "remove", "1", str(c), *w)
    assert code == 0 and "incident 1: 2 anomalies" in out
    assert _invoke("incident", "create", "batch", str(c), *w)[0] == 0
    code, out = _invoke("incident", "merge", "1", "2", *w)
    assert code == 0 and "3 anomalies after the merge" in out
    code, out = _invoke("incident", "update", "1", "--status", "closed", "--summary", "done", *w)
    assert code == 0 and "closed" in out
    code, out = _invoke("incident", "show", "1", *w)
    assert code == 0 and "incident 1 [closed] app latency" in out and "app-2/latency_ms" in out
    code, out = _invoke("incident", "show", "1", "--format", "json", *w)
    shown = json.loads(out)
    assert shown["anomaly_ids"] == [a, b, c] and len(shown["anomalies"]) == 3
    code, out = _invoke("incidents", "--format", "json", *w)
    assert [i["id"] for i in json.loads(out)] == [1]
    code, out = _invoke("incidents", *w)
    assert code == 0 and "app latency" in out
    code, out = _invoke("incident", "dissolve", "1", *w)
    assert code == 0 and "incident 1 dissolved" in out
    code, out = _invoke("verify", *w)
    assert code == 0 and "audit chain intact: 8 records" in out, out


def test_refusals_and_their_exit_codes(workspace_path: Path) -> None:
    a, b, _ = _seed(workspace_path)
    w = ["-w", str(workspace_path)]
    assert _invoke("incident", "create", "one", str(a), *w)[0] == 0
    code, out = _invoke("incident", "create", "two", str(a), *w)
    assert code == EXIT_BAD_INPUT and f"anomaly {a} is in incident 1" in out
    code, out = _invoke("incident", "add", "9", str(b), *w)
    assert code == EXIT_WORKSPACE and "no incident with id 9" in out
    code, out = _invoke("incident", "create", "ghost", "999", *w)
    assert code == EXIT_WORKSPACE and "no anomaly with id 999" in out
    assert _invoke("incident", "merge", "1", *w)[0] == EXIT_BAD_INPUT
    assert _invoke("incident", "create", "no ids", *w)[0] == EXIT_USAGE
    assert _invoke("incidents", "--propose", "--dataset", "nope", *w)[0] == EXIT_WORKSPACE


def test_annotate_list_and_delete(workspace_path: Path) -> None:
    _seed(workspace_path)
    w = ["-w", str(workspace_path)]
    code, out = _invoke("annotate", SERIES[0], "deploy 4.2", "--from", "2023-11-14T22:00",
                        "--to", "2023-11-14T23:00+00:00", "--actor", "ann", *w)  # fmt: skip
    assert code == 0 and "annotation 1 on app-1/latency_ms: 2023-11-14T22:00:00Z" in out, out
    code, out = _invoke("annotations", "--series", SERIES[0], *w)
    assert code == 0 and "deploy 4.2" in out and "ann" in out
    code, out = _invoke("annotations", "--format", "json", *w)
    (note,) = json.loads(out)
    assert note["series"] == SERIES[0] and note["end"] == "2023-11-14T23:00:00Z"
    code, out = _invoke("annotate", "nope/x", "t", "--from", "2023-11-14", "--to", "2023-11-15", *w)
    assert code == EXIT_USAGE and "no series named 'nope/x'" in out
    code, out = _invoke(
        "annotate", SERIES[0], "t", "--from", "2023-11-15", "--to", "2023-11-14", *w
    )
    assert code == EXIT_BAD_INPUT and "end is before its start" in out
    assert _invoke("annotate", SERIES[0], "t", "--from", "soon", "--to", "later", *w)[0] == 2
    code, out = _invoke("annotations", "--delete", "1", *w)
    assert code == 0 and "annotation 1 deleted" in out
    assert _invoke("annotations", "--delete", "1", *w)[0] == EXIT_WORKSPACE
    code, out = _invoke("verify", *w)
    assert code == 0 and "2 records" in out

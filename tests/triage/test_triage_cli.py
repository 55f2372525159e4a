"""The triage commands as a user meets them: changes, refusals, comments, history, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from anomaly_desk.cli import cli
from anomaly_desk.cli.common import EXIT_BAD_INPUT, EXIT_WORKSPACE
from anomaly_desk.store import Workspace
from tests.triage.helpers import seed


def _invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.output


def test_triage_comment_history_and_verify(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as ws:
        a, b, c = seed(ws, n=3)
    w = ["-w", str(workspace_path)]
    code, out = _invoke("triage", str(a), str(b), "--status", "triaged", "--assign", "ann",
                        "--tag", "dns", "--comment", f"same cause as #{c}", "--actor", "ann", *w)  # fmt: skip
    assert code == 0, out
    assert f"anomaly {a}: assignee: - -> ann" in out and "status: new -> triaged" in out
    assert "2 anomalies changed, 2 comments added" in out
    code, out = _invoke("triage", str(a), "--status", "false-positive", "--severity", "low",
                        "--reason", "known batch job", "--star", *w)  # fmt: skip
    assert code == 0 and "1 anomaly changed" in out, out
    code, out = _invoke("comments", str(a), *w)
    assert code == 0 and f"(links: #{c})" in out and f"same cause as #{c}" in out
    code, out = _invoke("comments", str(c), *w)
    assert f"mentioned in a comment on #{a} by ann" in out
    code, out = _invoke("history", str(a), "--format", "json", *w)
    records = json.loads(out)
    assert [(r["object_type"], r["action"]) for r in records] == [
        ("anomaly", "update"), ("comment", "create"), ("anomaly", "update"),
    ]  # fmt: skip
    assert json.loads(records[2]["after"])["reason"] == "known batch job"
    code, out = _invoke("history", str(a), *w)
    assert "status: triaged -> false_positive" in out and "reason: known batch job" in out
    code, out = _invoke("verify", *w)
    assert code == 0 and "audit chain intact: 5 records, head 5:" in out


def test_refusals_say_why_and_change_nothing(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as ws:
        a, b = seed(ws, n=2)
    w = ["-w", str(workspace_path)]
    code, out = _invoke("triage", str(a), str(b), "--status", "resolved", *w)
    assert (
        code == EXIT_BAD_INPUT and f"anomaly {a}: cannot change status from new to resolved" in out
    )
    code, out = _invoke("triage", str(a), "--severity", "major", *w)
    assert code == EXIT_BAD_INPUT and "needs a reason" in out
    code, out = _invoke("triage", str(a), *w)
    assert code == EXIT_BAD_INPUT and "nothing to change" in out
    code, out = _invoke("triage", str(a), "999", "--star", *w)
    assert code == EXIT_WORKSPACE and "no anomaly with id 999" in out
    code, out = _invoke("history", "999", *w)
    assert code == EXIT_WORKSPACE
    code, out = _invoke("verify", *w)
    assert code == 0 and "0 records, head none" in out
    code, out = _invoke("verify", "-w", str(workspace_path.with_name("absent.sqlite")))
    assert code == EXIT_WORKSPACE

"""``anomaly-desk`` and ``anomaly-desk demo`` open the window when there is a display."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from anomaly_desk import gui
from anomaly_desk.cli import cli
from anomaly_desk.gui import app


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path | None, bool]]:
    calls: list[tuple[Path | None, bool]] = []

    def fake_run_app(workspace_path: Path | None = None, demo: bool = False) -> int:
        calls.append((workspace_path, demo))
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    return calls


def test_no_command_opens_the_window_when_a_display_is_usable(
    opened: list[tuple[Path | None, bool]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":42")
    ws = tmp_path / "ws.sqlite"
    result = CliRunner().invoke(cli, ["-w", str(ws)])
    assert result.exit_code == 0, result.output
    assert opened == [(ws, False)]


def test_no_display_keeps_the_headless_summary(
    opened: list[tuple[Path | None, bool]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not gui.display_available()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # renders nowhere: still headless
    monkeypatch.setenv("DISPLAY", "")
    assert not gui.display_available()
    result = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws.sqlite")])
    assert result.exit_code == 0 and "0 datasets" in result.output
    assert opened == []


def test_demo_opens_the_window_unless_headless(
    opened: list[tuple[Path | None, bool]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":42")
    demo = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(cli, ["demo", "-w", str(demo)])
    assert result.exit_code == 0, result.output
    assert opened == [(demo, True)] and not demo.exists()  # the window builds it, in a worker
    result = CliRunner().invoke(cli, ["demo", "-w", str(demo), "--headless"])
    assert result.exit_code == 0 and "4 datasets" in result.output
    assert opened == [(demo, True)]

"""The command line as a user meets it: real console script, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from anomaly_desk.cli import cli
from tests.conftest import REPO, write

SCRIPT = Path(sys.executable).parent / "anomaly-desk"
CSV = "timestamp,host,cpu\n" + "".join(
    f"2024-01-01T00:{m:02d}:00Z,web-{h},{m * h}\n" for m in range(30) for h in (1, 2)
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def test_import_list_export_backup_through_the_real_script(tmp_path: Path) -> None:
    ws = tmp_path / "ws.sqlite"
    data = write(tmp_path / "cpu.csv", CSV)
    done = run("import", str(data), "--workspace", str(ws))
    assert done.returncode == 0, done.stderr
    assert "imported 'cpu'" in done.stdout and "60 rows, 2 series" in done.stdout
    listed = json.loads(run("datasets", "-w", str(ws), "--format", "json").stdout)
    assert [(d["name"], d["kind"], d["rows"], d["series"]) for d in listed] == [
        ("cpu", "timeseries", 60, 2)
    ]
    series = json.loads(run("series", "cpu", "-w", str(ws), "--format", "json").stdout)
    assert [(s["series"], s["points"], s["step_s"]) for s in series] == [
        ("web-1", 30, 60.0),
        ("web-2", 30, 60.0),
    ]
    out = tmp_path / "out.csv"
    assert run("export", "cpu", "-w", str(ws), "-o", str(out)).returncode == 0
    assert out.read_text().splitlines()[1] == '"2024-01-01T00:00:00+0000","web-1",0'
    copy = tmp_path / "copy.sqlite"
    assert run("backup", str(copy), "-w", str(ws)).returncode == 0
    assert "cpu" in run("datasets", "-w", str(copy)).stdout


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "anomaly_desk", "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "anomaly-desk" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["import", "missing.csv"], 1, "no such file"),
        (["datasets", "-w", "absent.sqlite"], 3, "no workspace at"),
        (["series", "nope"], 3, "no dataset named 'nope'"),
        (["import"], 2, "Missing argument"),
    ],
)
def test_failures_have_clear_messages_and_exit_codes(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    ws = tmp_path / "ws.sqlite"
    if args[0] == "series":
        args = [*args, "-w", str(ws)]
        run("import", str(write(tmp_path / "cpu.csv", CSV)), "-w", str(ws))
    done = run(*args, cwd=tmp_path)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_reimport_under_the_same_name_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws.sqlite"
    data = write(tmp_path / "cpu.csv", CSV)
    assert run("import", str(data), "-w", str(ws)).returncode == 0
    again = run("import", str(data), "-w", str(ws))
    assert again.returncode == 1 and "already has a dataset named 'cpu'" in again.stderr


def test_dry_run_shows_the_mapping_and_writes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws.sqlite"
    result = CliRunner().invoke(
        cli, ["import", str(write(tmp_path / "cpu.csv", CSV)), "-w", str(ws), "--dry-run"]
    )
    assert result.exit_code == 0
    assert "entity     host" in result.output and "values     cpu" in result.output
    assert not ws.exists()


def test_every_command_has_help_and_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert (command.help or "").strip(), f"{name} has no help text"
        assert f"anomaly-desk {name}" in readme, f"README does not document '{name}'"


def test_the_group_workspace_option_reaches_the_command(tmp_path: Path) -> None:
    """`anomaly-desk -w FILE datasets`, as the help puts it, must list FILE's datasets."""
    ws, other = tmp_path / "ws.sqlite", tmp_path / "other.sqlite"
    data = write(tmp_path / "cpu.csv", CSV)
    runner = CliRunner()
    assert runner.invoke(cli, ["-w", str(ws), "import", str(data)]).exit_code == 0
    assert not other.exists()  # the import went to the group's workspace, nowhere else
    assert (
        runner.invoke(cli, ["import", str(data), "-w", str(other), "--name", "cpu2"]).exit_code == 0
    )
    listed = runner.invoke(cli, ["-w", str(ws), "datasets", "--format", "json"])
    assert [d["name"] for d in json.loads(listed.output)] == ["cpu"]
    own = runner.invoke(cli, ["-w", str(ws), "datasets", "-w", str(other), "--format", "json"])
    assert [d["name"] for d in json.loads(own.output)] == ["cpu2"]  # the command's own wins


def test_detect_with_chosen_families_round_trip(tmp_path: Path) -> None:
    from anomaly_desk.detect.catalog import FAMILIES
    from anomaly_desk.store import Workspace

    ws = tmp_path / "ws.sqlite"
    assert run("import", str(write(tmp_path / "cpu.csv", CSV)), "-w", str(ws)).returncode == 0
    done = run("detect", "cpu", "-w", str(ws), "--detectors", "gaps, shape")
    assert done.returncode == 0, done.stderr
    assert "detectors: deviation, shape, gaps (left out: scales, trend, flatline, multiseries)" in (
        done.stdout
    )
    assert run("detect", "cpu", "-w", str(ws)).returncode == 0  # default: every family
    with Workspace.open(ws, create=False) as workspace:
        configs = [r.config["detectors"] for r in workspace.detection_runs()]
    assert sorted(configs) == sorted([["deviation", "shape", "gaps"], list(FAMILIES)])

    bad = run("detect", "cpu", "-w", str(ws), "--detectors", "shape,wavelets")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "unknown detector family 'wavelets'" in bad.stderr
    assert "choose from deviation, scales, shape, trend, flatline, gaps, multiseries" in bad.stderr
    with Workspace.open(ws, create=False) as workspace:
        assert len(workspace.detection_runs()) == 2  # the refused run stored nothing

    shown = CliRunner().invoke(cli, ["detect", "--help"])
    assert "--detectors" in shown.output
    for name, description in FAMILIES.items():
        assert f"{name:<12} {description}" in shown.output

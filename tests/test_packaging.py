"""What a user installs: the wheel carries the demo data, migrations and the entry point."""

from __future__ import annotations

import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

import anomaly_desk
from tests.conftest import REPO


def test_public_surfaces_are_explicit() -> None:
    for name in (
        "anomaly_desk",
        "anomaly_desk.store",
        "anomaly_desk.ingest",
        "anomaly_desk.report",
    ):
        module = importlib.import_module(name)
        exported = module.__all__
        assert exported == sorted(exported), f"{name}.__all__ is not sorted"
        for item in exported:
            assert hasattr(module, item), f"{name}.__all__ names missing {item}"
    assert anomaly_desk.__version__.count(".") == 2


def test_wheel_contains_what_the_app_needs(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wheel = next(tmp_path.glob("anomaly_desk-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for demo in ("datacenter_metrics", "shop_orders", "logins", "expenses"):
        assert f"anomaly_desk/resources/demo/{demo}.csv.gz" in names
    assert any(n.startswith("anomaly_desk/store/migrations/versions/0001") for n in names)
    assert "anomaly_desk/store/migrations/env.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "anomaly-desk = anomaly_desk.cli:main" in text


def test_core_imports_without_qt_or_the_web_framework() -> None:
    # The rule of the house, checked at run time as well as by import-linter.
    code = (
        "import sys, anomaly_desk.cli, anomaly_desk.store, anomaly_desk.ingest, "
        "anomaly_desk.report;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6', 'fastapi', 'starlette', 'uvicorn')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

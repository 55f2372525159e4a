"""The detect package's public surface and its import rules."""

from __future__ import annotations

import subprocess
import sys

import anomaly_desk.detect as detect


def test_all_lists_real_names() -> None:
    assert sorted(detect.__all__) == sorted(set(detect.__all__))
    for name in detect.__all__:
        assert hasattr(detect, name), name


def test_detect_imports_no_sql_store_or_qt() -> None:
    code = (  # the star import loads every public name: the package itself loads them lazily
        "import sys\nfrom anomaly_desk.detect import *\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlite3', 'PySide6')"
        " or m.startswith('anomaly_desk.store') or m.startswith('anomaly_desk.gui')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""Running one measurement in a fresh Python process of its own.

A fresh process per measurement makes peak memory that measurement's own, and gives every
contender the same start: modules imported, nothing warm but the operating system's page cache
(``warm_page_cache`` is called before each run so that no contender pays for the disk).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.core import REPO


def warm_page_cache(path: Path) -> None:
    with path.open("rb") as fh:
        while fh.read(16 * 1024 * 1024):
            pass


def run_worker(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args...``; its last line of output is a JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{module} {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def wait_for_quiet(max_wait: float, quiet_percent: float) -> float:
    """Wait up to ``max_wait`` seconds for other work on the machine to use less than
    ``quiet_percent`` of its CPUs (sampled over 1 s); return the last reading, in percent."""
    import psutil

    deadline = time.monotonic() + max_wait
    while True:
        busy = float(psutil.cpu_percent(interval=1.0))
        if busy < quiet_percent or time.monotonic() >= deadline:
            return busy

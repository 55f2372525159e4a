"""The machine a run was measured on, and a process's own peak memory."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def peak_rss_bytes() -> int:
    """This process's peak resident memory (high-water mark), in bytes.

    On Linux this is ``VmHWM``, which a new program starts afresh. ``ru_maxrss`` is not used
    there: after fork + exec the child inherits the parent's high-water mark, so a child of a
    large parent would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    if sys.platform == "win32":
        import psutil

        return int(psutil.Process().memory_info().peak_wset)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def describe() -> str:
    """One line: CPU, cores, RAM, OS, Python and the versions that matter to the figures."""
    import psutil

    ram_gib = psutil.virtual_memory().total / 1024**3
    physical = psutil.cpu_count(logical=False)
    cores = f"{os.cpu_count()} logical cores" + (f" ({physical} physical)" if physical else "")
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("anomaly-desk", "pandas", "pyarrow", "numpy")
    )
    return (
        f"{_cpu_model()}, {cores}, {ram_gib:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, {versions}, "
        f"SQLite {sqlite3.sqlite_version}"
    )

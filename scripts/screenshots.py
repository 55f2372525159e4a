#!/usr/bin/env python3
"""Write docs/screenshots/*.png from the real app under X (Xvfb when there is no display).

    .venv/bin/python scripts/screenshots.py [OUT_DIR]

Starts ``Xvfb :99`` itself when DISPLAY is unset, runs the app with the xcb platform (a real X
window, not offscreen), waits until X reports the window mapped (``xdotool search --sync``),
and lets the app grab its own windows (``anomaly_desk.gui.shots``), then does the same for the
incident window on the demo's planted incident (``anomaly_desk.gui.incident_shot``, which
writes incident.png). Needs the Debian packages listed in PLATFORM.md for xcb, plus
``xvfb xdotool``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAB_TAXI = REPO.parent / "shared" / "data" / "nab" / "data" / "realKnownCause" / "nyc_taxi.csv"
DISPLAY = ":99"
SCREEN = "1600x1000x24"
TIMEOUT_S = 120


def start_xvfb() -> subprocess.Popen[bytes]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is missing: apt-get install xvfb xauth (and the xcb libraries, PLATFORM.md)")
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", SCREEN, "-nolisten", "tcp"])
    socket = Path(f"/tmp/.X11-unix/X{DISPLAY.lstrip(':')}")
    deadline = time.monotonic() + 10
    while not socket.exists():
        if xvfb.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"Xvfb did not start on {DISPLAY}")
        time.sleep(0.05)
    return xvfb


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    xvfb = None
    if not env.get("DISPLAY"):
        xvfb = start_xvfb()
        env["DISPLAY"] = DISPLAY
    try:
        code = run_shots(["anomaly_desk.gui.shots", str(out), "--import-file", str(NAB_TAXI)], env)
        if code == 0:
            code = run_shots(["anomaly_desk.gui.incident_shot", str(out)], env)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
    return code


def run_shots(module_args: list[str], env: dict[str, str]) -> int:
    """Run one screenshot entry point (``python -m ...``) and wait until it is done."""
    app = subprocess.Popen([sys.executable, "-m", *module_args], env=env)
    if shutil.which("xdotool"):
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Anomaly Desk"],
            env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
        print(f"X window mapped: {found.stdout.split()[:1]}", flush=True)
    return app.wait(timeout=TIMEOUT_S)


if __name__ == "__main__":
    raise SystemExit(main())

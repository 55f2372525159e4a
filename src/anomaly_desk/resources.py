"""Where the files shipped with the app live: inside the installed package, or in the
checkout's top-level ``resources/`` when running from source (editable installs)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir() -> Path:
    packaged = Path(str(resources.files("anomaly_desk"))) / "resources"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("the resources folder is missing from this installation")


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)

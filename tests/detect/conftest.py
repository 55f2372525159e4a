"""Shared fixtures: the reference data beside the checkout and small generated series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="session")
def nab_dir() -> Path:
    path = SHARED_DATA / "nab"
    if not (path / "data").is_dir():
        pytest.skip(f"NAB reference data not found at {path}")
    return path


@pytest.fixture(scope="session")
def odds_dir() -> Path:
    path = SHARED_DATA / "odds"
    if not any(path.glob("*.mat")):
        pytest.skip(f"ODDS reference data not found at {path}")
    return path


def _seasonal(n: int = 3000, period: int = 96, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


@pytest.fixture
def seasonal() -> Callable[..., np.ndarray]:
    """Makes a daily-like sine with noise: the clean background of the generated tests."""
    return _seasonal

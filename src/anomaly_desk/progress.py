"""How long work reports progress and learns it was cancelled.

Long work is a plain function taking a ``Progress``; the CLI draws a bar from it and the GUI
forwards it as a signal from a worker thread. Cancellation is checked at chunk boundaries only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from anomaly_desk.errors import Cancelled

ProgressCallback = Callable[[float, str], None]


class Progress:
    """Fraction done in [0, 1] plus a short message; ``cancel()`` may be called from any thread."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self._callback = callback
        self._cancelled = threading.Event()
        self.fraction = 0.0
        self.message = ""

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was asked for."""
        if self._cancelled.is_set():
            raise Cancelled("cancelled")

    def child(self, start: float, end: float) -> Progress:
        """A Progress for a sub-task covering ``start..end`` of this one; cancelling either
        cancels both (they share one flag)."""

        def forward(fraction: float, message: str) -> None:
            self.update(start + (end - start) * fraction, message)

        sub = Progress(forward)
        sub._cancelled = self._cancelled
        return sub

    def update(self, fraction: float, message: str = "") -> None:
        self.check()
        self.fraction = min(1.0, max(0.0, fraction))
        if message:
            self.message = message
        if self._callback is not None:
            self._callback(self.fraction, self.message)


def silent() -> Progress:
    return Progress(None)

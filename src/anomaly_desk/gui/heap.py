"""Keeping Python's cyclic garbage collector from pausing the GUI thread.

Once a workspace is open, the libraries loaded (Qt wrappers, pyqtgraph, and SQLAlchemy and
pandas in the worker that read the workspace) are ~150,000 objects that live as long as the
app. Left in the collector's generations, every full pass rescans them all while holding the
GIL: ~100 ms during which the window cannot repaint, whichever thread triggered it. Freezing
moves what exists now out of the collector's sight (reference counting still frees it).
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    gc.freeze()

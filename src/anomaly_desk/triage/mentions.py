"""``#123`` in a comment refers to anomaly 123. Pure: which numbers a text refers to.

A ``#`` counts only at the start of a word, so ``&#123;``, ``issue#5`` and ``##5`` are not
references; the store keeps links only to anomalies that exist.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"(?<![\w#&])#(\d{1,18})(?!\w)")


def references(text: str) -> tuple[int, ...]:
    """The anomaly ids ``text`` refers to, in order of first mention, without repeats."""
    return tuple(dict.fromkeys(int(m.group(1)) for m in _REFERENCE.finditer(text)))

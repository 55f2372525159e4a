"""Rewriting one benchmark's section of docs/benchmarks.md, leaving the rest alone."""

from __future__ import annotations

from pathlib import Path


def markers(section: str) -> tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


def replace_section(text: str, section: str, body: str) -> str:
    """``text`` with the part between the section's markers replaced by ``body``.

    A section not yet in ``text`` is appended at the end.
    """
    start, end = markers(section)
    block = f"{start}\n{body.strip()}\n{end}"
    head, found, rest = text.partition(start)
    if not found:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    _, found_end, tail = rest.partition(end)
    if not found_end:
        raise ValueError(f"{start} has no matching {end}")
    return head + block + tail


def write_section(path: Path, section: str, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(text, section, body), encoding="utf-8")

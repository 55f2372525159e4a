"""What the window remembers between runs, in one INI file per user (QSettings).

The format and scope are explicit so tests can move the file with ``QSettings.setPath``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from anomaly_desk.detect.catalog import ALL

ORGANIZATION = "Anomaly Desk"
APPLICATION = "Anomaly Desk"
MAX_RECENT = 8
THEMES = ("light", "dark", "system")


class Preferences:
    def __init__(self, organization: str = ORGANIZATION, application: str = APPLICATION) -> None:
        self._settings = QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, organization, application
        )

    @property
    def file_name(self) -> str:
        return self._settings.fileName()

    def sync(self) -> None:
        self._settings.sync()

    # -- recent workspaces ----------------------------------------------------------------

    def recent_workspaces(self) -> list[Path]:
        """Most recent first; files that vanished are left out."""
        raw = self._settings.value("recent/workspaces", [])
        items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        return [Path(item) for item in items if item and Path(item).is_file()]

    def add_recent(self, path: Path) -> None:
        path = path.resolve()
        items = [str(path)] + [str(p) for p in self.recent_workspaces() if p.resolve() != path]
        self._settings.setValue("recent/workspaces", items[:MAX_RECENT])

    def clear_recent(self) -> None:
        self._settings.remove("recent/workspaces")

    # -- appearance -----------------------------------------------------------------------

    def theme(self) -> str:
        value = str(self._settings.value("view/theme", "system"))
        return value if value in THEMES else "system"

    def set_theme(self, theme: str) -> None:
        self._settings.setValue("view/theme", theme)

    # -- assignees picked recently (the assign box offers them) ------------------------------

    def recent_assignees(self) -> list[str]:
        raw = self._settings.value("triage/recent_assignees", [])
        items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        return [str(item) for item in items if item]

    def add_assignee(self, name: str) -> None:
        items = [name] + [n for n in self.recent_assignees() if n != name]
        self._settings.setValue("triage/recent_assignees", items[:MAX_RECENT])

    # -- detector families of the last detection run ------------------------------------------

    def detect_families(self) -> frozenset[str] | None:
        """None when never chosen; names another version knew but this one does not are
        dropped (the dialog then shows what is left, required families ticked anyway)."""
        raw = self._settings.value("detect/families")
        if raw is None:
            return None
        items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        return frozenset(str(item) for item in items) & ALL

    def set_detect_families(self, families: frozenset[str]) -> None:
        if families >= ALL:  # "all": a family a later version adds is then on as well
            self._settings.remove("detect/families")
        else:
            self._settings.setValue("detect/families", sorted(families))

    # -- saved filter views of earlier versions ----------------------------------------------
    # Views now live in the workspace (``saved_views.ViewStore``); these are read once, moved
    # into the workspace opened next, and cleared.

    def legacy_saved_views(self) -> dict[str, dict[str, Any]]:
        """Name -> the filter state as JSON data, in the order they were saved."""
        raw = self._settings.value("filters/saved_views", "")
        try:
            data = json.loads(str(raw)) if raw else {}
        except json.JSONDecodeError:
            return {}  # a hand-edited or damaged file: start over rather than fail to start
        return (
            {str(k): v for k, v in data.items() if isinstance(v, dict)}
            if isinstance(data, dict)
            else {}
        )

    def clear_legacy_views(self) -> None:
        self._settings.remove("filters/saved_views")

    # -- window layout ----------------------------------------------------------------------

    def blob(self, key: str) -> QByteArray | None:
        value = self._settings.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_blob(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(f"window/{key}", value)

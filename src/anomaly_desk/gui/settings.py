"""What the window remembers between runs, in one INI file per user (QSettings).

The format and scope are explicit so tests can move the file with ``QSettings.setPath``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

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

    # -- saved filter views ------------------------------------------------------------------
    # Kept here for now; they move into the workspace (a saved_views table) when views are
    # shared with a team, since a view belongs with the anomalies it filters.

    def saved_views(self) -> dict[str, dict[str, Any]]:
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

    def save_view(self, name: str, state: dict[str, Any]) -> None:
        views = self.saved_views()
        views[name] = state
        self._settings.setValue("filters/saved_views", json.dumps(views))

    def delete_view(self, name: str) -> None:
        views = self.saved_views()
        views.pop(name, None)
        self._settings.setValue("filters/saved_views", json.dumps(views))

    # -- window layout ----------------------------------------------------------------------

    def blob(self, key: str) -> QByteArray | None:
        value = self._settings.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_blob(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(f"window/{key}", value)

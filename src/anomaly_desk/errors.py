"""The exceptions Anomaly Desk raises on purpose.

    AnomalyDeskError
    ├── BadInputError        input the user gave us is wrong; lists each Problem (where + what)
    ├── WorkspaceError       the workspace file cannot be used as asked
    │   └── NewerWorkspaceError   written by a newer Anomaly Desk
    └── Cancelled            the user (or a newer request) cancelled long work

Anything else escaping a command is a bug and is reported as one.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 20


class AnomalyDeskError(Exception):
    """Base of every error we raise deliberately."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    message: str
    row: int | None = None  # 1-based data row (not counting the header)
    column: str | None = None
    value: str | None = None
    line: int | None = None  # 1-based physical line in a text file

    def describe(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f": {shown!r}"
        return f"{', '.join(where)}: {text}" if where else text


class BadInputError(AnomalyDeskError):
    """The input cannot be used; nothing was changed.

    ``problems`` holds the first problems found (at most ``MAX_PROBLEMS_SHOWN``) and
    ``more`` how many further ones were counted but not listed.
    """

    def __init__(
        self, source: str, problems: list[Problem] | str, more: int = 0, hint: str | None = None
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.source = source
        self.problems = problems[:MAX_PROBLEMS_SHOWN]
        self.more = more + max(0, len(problems) - MAX_PROBLEMS_SHOWN)
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        if len(self.problems) == 1 and not self.more:
            text = f"{self.source}: {self.problems[0].describe()}"
        else:
            lines = [f"{self.source}: {len(self.problems) + self.more} problems"]
            lines += [f"  {p.describe()}" for p in self.problems]
            if self.more:
                lines.append(f"  ... and {self.more} more")
            text = "\n".join(lines)
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class WorkspaceError(AnomalyDeskError):
    """The workspace cannot be opened or changed as asked."""


class NewerWorkspaceError(WorkspaceError):
    """The workspace was written by a newer version; we refuse to touch it."""


class Cancelled(AnomalyDeskError):
    """Long work stopped because it was cancelled; nothing it was writing was kept."""

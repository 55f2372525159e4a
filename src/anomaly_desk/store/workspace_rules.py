"""Analyst feedback and rules: verdicts, suppressions, maintenance windows, user rules.

Each change is one audit record in the same transaction (``store/triage_audit.py``).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import RuleInfo, RuleKind, Suppression, Verdict
from anomaly_desk.store import rules_repo, schema
from anomaly_desk.store.triage_audit import AuditTrail, default_actor
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now
from anomaly_desk.triage.audit import Action, ObjectType


class RulesMixin(WorkspaceBase):
    def set_verdict(
        self, anomaly_id: int, verdict: Verdict | None, actor: str | None = None
    ) -> None:
        """Record the analyst's judgement (confirmed / false positive) for the engine to learn.

        ``actor`` defaults to the OS user. Giving the verdict it already has records nothing.
        """
        a = schema.anomalies
        value = None if verdict is None else verdict.value
        with self._write() as conn:
            found = conn.execute(select(a.c.uid, a.c.verdict).where(a.c.id == anomaly_id)).first()
            if found is None:
                raise WorkspaceError(f"no anomaly with id {anomaly_id} in {self.path}")
            if found.verdict == value:
                return
            now = utc_now()
            conn.execute(
                a.update().where(a.c.id == anomaly_id).values(verdict=value, updated_at=now)
            )
            with AuditTrail(conn, actor or default_actor(), now) as trail:
                trail.record(
                    Action.VERDICT,
                    ObjectType.ANOMALY,
                    found.uid,
                    {"verdict": found.verdict},
                    {"verdict": value},
                )

    def preview_suppression(self, rule: Suppression) -> int:
        """How many current anomalies ``rule`` would mute (shown before it is applied)."""
        with self._read() as conn:
            return rules_repo.count_matching(conn, rule)

    def suppression_preview(self, rule: Suppression, limit: int = 1000) -> list[int]:
        """Ids of the anomalies ``rule`` would mute now, strongest first (for review)."""
        with self._read() as conn:
            return rules_repo.matching_ids(conn, rule, limit)

    def add_suppression(
        self, rule: Suppression, actor: str, kind: RuleKind = RuleKind.SUPPRESSION
    ) -> tuple[int, int]:
        """Store a suppression (or maintenance window) and mute what it matches now.

        Returns (rule id, anomalies muted). Future runs apply it to their findings too.
        """
        if kind is RuleKind.DETECTION:
            raise ValueError("detection rules are added with add_detection_rule")
        with self._write() as conn:
            now = utc_now()
            rule_id = rules_repo.add(
                conn, kind, rule.name, rule.to_json(), now, actor,
                rule.dataset_id, rule.series_glob,
            )  # fmt: skip
            muted = rules_repo.mute(conn, rule, rule_id)
            _record_rule(conn, actor, now, Action.CREATE, rule_id, muted=muted)
            return rule_id, muted

    def add_detection_rule(
        self,
        name: str,
        expression: str,
        severity: str,
        actor: str,
        series_glob: str = "*",
        dataset_id: int | None = None,
    ) -> int:
        """Store a user rule after checking that it parses (``BadInputError`` if not)."""
        from anomaly_desk.detect.rule_language import RuleError, parse_rule

        try:
            parse_rule(expression)
        except RuleError as exc:
            raise BadInputError(f"rule {name!r}", str(exc)) from None
        definition = {"expression": expression, "severity": severity}
        with self._write() as conn:
            now = utc_now()
            rule_id = rules_repo.add(
                conn, RuleKind.DETECTION, name, definition, now, actor,
                dataset_id, series_glob,
            )  # fmt: skip
            _record_rule(conn, actor, now, Action.CREATE, rule_id)
            return rule_id

    def rules(self, kind: RuleKind | None = None) -> list[RuleInfo]:
        with self._read() as conn:
            return rules_repo.listed(conn, kind)

    def delete_rule(self, rule_id: int, actor: str | None = None) -> None:
        """Remove a rule; anomalies it muted are shown again. ``actor``: the OS user if None."""
        with self._write() as conn:
            now = utc_now()
            _record_rule(conn, actor or default_actor(), now, Action.DELETE, rule_id)
            rules_repo.remove(conn, rule_id)


def _record_rule(
    conn: Connection, actor: str, now: str, action: Action, rule_id: int, muted: int = 0
) -> None:
    found = next((r for r in rules_repo.listed(conn) if r.id == rule_id), None)
    if found is None:
        raise WorkspaceError(f"no rule with id {rule_id}")
    fields = {
        "kind": found.kind.value,
        "name": found.name,
        "dataset_id": found.dataset_id,
        "series_glob": found.series_glob,
        "definition": found.definition,
        "enabled": found.enabled,
    }
    before, after = (fields, None) if action is Action.DELETE else (None, fields)
    if muted:
        assert after is not None
        after["muted"] = muted
    with AuditTrail(conn, actor, now) as trail:
        trail.record(action, ObjectType.RULE, found.uid, before, after)

"""Analyst feedback and rules: verdicts, suppressions, maintenance windows, user rules."""

from __future__ import annotations

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import RuleInfo, RuleKind, Suppression, Verdict
from anomaly_desk.store import rules_repo, schema
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now


class RulesMixin(WorkspaceBase):
    def set_verdict(self, anomaly_id: int, verdict: Verdict | None) -> None:
        """Record the analyst's judgement (confirmed / false positive) for the engine to learn."""
        with self._write() as conn:
            done = conn.execute(
                schema.anomalies.update()
                .where(schema.anomalies.c.id == anomaly_id)
                .values(verdict=None if verdict is None else verdict.value, updated_at=utc_now())
            )
            if done.rowcount == 0:
                raise WorkspaceError(f"no anomaly with id {anomaly_id} in {self.path}")

    def preview_suppression(self, rule: Suppression) -> int:
        """How many current anomalies ``rule`` would mute (shown before it is applied)."""
        with self._read() as conn:
            return rules_repo.count_matching(conn, rule)

    def add_suppression(
        self, rule: Suppression, actor: str, kind: RuleKind = RuleKind.SUPPRESSION
    ) -> tuple[int, int]:
        """Store a suppression (or maintenance window) and mute what it matches now.

        Returns (rule id, anomalies muted). Future runs apply it to their findings too.
        """
        if kind is RuleKind.DETECTION:
            raise ValueError("detection rules are added with add_detection_rule")
        with self._write() as conn:
            rule_id = rules_repo.add(
                conn, kind, rule.name, rule.to_json(), utc_now(), actor,
                rule.dataset_id, rule.series_glob,
            )  # fmt: skip
            return rule_id, rules_repo.mute(conn, rule, rule_id)

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
            return rules_repo.add(
                conn, RuleKind.DETECTION, name, definition, utc_now(), actor,
                dataset_id, series_glob,
            )  # fmt: skip

    def rules(self, kind: RuleKind | None = None) -> list[RuleInfo]:
        with self._read() as conn:
            return rules_repo.listed(conn, kind)

    def delete_rule(self, rule_id: int) -> None:
        """Remove a rule; anomalies it muted are shown again."""
        with self._write() as conn:
            rules_repo.remove(conn, rule_id)

"""Triage workflow rules, the audit chain, feedback learning and incidents (later issue)."""

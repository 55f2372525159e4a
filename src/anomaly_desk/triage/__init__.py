"""Triage without a screen: the status lifecycle and what a change does (``workflow``), the
hash-chained audit log and its verification (``audit``), ``#123`` mentions in comments
(``mentions``) and suggestions from history (``similar``). All pure: the store persists, the
GUI and the CLI call ``Workspace`` methods. Feedback learning and incidents come later."""

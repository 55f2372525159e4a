"""Filters from words: the natural-language box of the filter bar and the CLI's --query."""

from anomaly_desk.query.natural import Names, ParsedQuery, parse

__all__ = ["Names", "ParsedQuery", "parse"]

"""Alert policy and notification backends (later issue)."""

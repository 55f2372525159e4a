"""FilterSpec <-> SQL and the natural-language query parser (later issue)."""

"""Benchmarks: figures printed and written to docs/benchmarks.md (not timed tests).

Run them all with ``python -m benchmarks.run`` from the repository root; each
``benchmarks/bench_*.py`` module is one benchmark (see ``benchmarks.core``).
"""

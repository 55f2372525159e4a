"""The benchmark runner works end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMPORT_FIGURES = {
    "rows",
    "import_s",
    "import_median_s",
    "import_cpu_s",
    "import_rows_per_s",
    "import_peak_mb",
    "naive_s",
    "naive_median_s",
    "naive_cpu_s",
    "naive_rows_per_s",
    "naive_peak_mb",
    "parse_s",
    "parse_median_s",
    "parse_cpu_s",
    "parse_rows_per_s",
    "parse_peak_mb",
    "speedup_vs_naive",
    "ratio_to_parse",
    "read_points",
    "read_ms",
    "read_first_ms",
}


def run_benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.slow
def test_quick_import_benchmark_prints_json_figures_and_writes_only_its_section(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text(
        "# Intro kept as is\n\n<!-- import-benchmark:start -->\nold\n<!-- import-benchmark:end -->\n"
        "\n<!-- other:start -->\nnot ours\n<!-- other:end -->\n"
    )
    real_docs = REPO / "docs" / "benchmarks.md"
    before = real_docs.read_bytes() if real_docs.exists() else None

    done = run_benchmarks(
        "--quick", "--rows", "5000", "--only", "import",
        "--work-dir", str(tmp_path / "work"), "--docs", str(docs),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert not IMPORT_FIGURES - figures.keys()
    assert all(isinstance(figures[k], int | float) and figures[k] > 0 for k in IMPORT_FIGURES)
    assert figures["rows"] == 5000
    assert "anomaly-desk: import_file" in done.stdout
    text = docs.read_text()
    assert text.startswith("# Intro kept as is")
    assert "old" not in text and "naive: pandas.read_csv" in text
    assert "<!-- other:start -->\nnot ours\n<!-- other:end -->" in text
    assert (real_docs.read_bytes() if real_docs.exists() else None) == before


def test_no_docs_is_the_default_for_quick_runs_and_can_be_forced() -> None:
    from benchmarks.run import docs_path, parse_args

    assert docs_path(parse_args(["--quick"], ["import"])) is None
    assert docs_path(parse_args(["--no-docs"], ["import"])) is None
    assert docs_path(parse_args(["--quick", "--docs", "x.md"], ["import"])) == Path("x.md")

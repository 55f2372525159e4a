"""Detection quality on reference data: NAB (streaming detector) and ODDS (record detector).

Targets from issue 3: NAB standard >= 70 (aim past 75); ODDS mean ROC-AUC above scikit-learn's
``IsolationForest()`` (seeded) of the same run. Reads ``../shared/data`` beside the checkout.
"""

from __future__ import annotations

from anomaly_desk.detect.bench import run_nab, run_odds
from benchmarks.core import REPO, Context, Result, Target

SECTION = "detect-quality"
DATA = REPO.parent / "shared" / "data"


def run(ctx: Context) -> Result:
    nab = run_nab(DATA / "nab", ctx.work_dir / "nab-results")
    odds = run_odds(DATA / "odds")
    rows = [
        [f"NAB {r['profile']}", f"{r['score']:.1f}", f"{r['detected_windows']}/{r['windows']}"]
        for r in nab["rows"]
    ]
    rows += [
        [f"ODDS {r['dataset']}", f"{r['ours']:.3f}", f"IsolationForest {r['isolation_forest']:.3f}"]
        for r in odds["rows"]
    ]
    ours, baseline = odds["summary"]["ours"], odds["summary"]["isolation_forest"]
    standard = nab["summary"]["standard"]
    return Result(
        title="Detection quality (NAB subset, ODDS subset)",
        header=["benchmark", "score", "detail"],
        rows=rows,
        figures={
            **{f"nab_{k}": v for k, v in nab["summary"].items()},
            "odds_ours": ours,
            "odds_isolation_forest": baseline,
        },
        targets=[
            Target("NAB standard >= 70", f"{standard:.1f}", standard >= 70),
            Target(
                "ODDS mean above IsolationForest()",
                f"{ours:.3f} vs {baseline:.3f}",
                ours > baseline,
            ),
        ],
    )

"""Where the streaming detector's NAB score comes from: per file, per category, per half.

    .venv/bin/python -m benchmarks.nab_breakdown [--data DIR] [--param NAME=VALUE ...]

Prints, at the corpus-wide threshold of the standard profile, each file's raw score, labelled
windows found and false positives, then the score of each category alone and of the corpus
without it, and of the even- and odd-numbered files. A change to the detector that helps the
whole corpus but not the files or categories left out is tuning, not a better method; this is
the check used for every experiment listed in docs/detection.md. ``--param`` passes
constructor arguments to ``StreamingDetector`` (e.g. ``--param half_life=5000``).
"""

from __future__ import annotations

import argparse
import ast
import time
from collections.abc import Callable, Sequence

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.nab import PROFILES, LabelledFile, file_raw_score, score_corpus
from anomaly_desk.detect.nab_corpus import NabSeries, load_corpus
from anomaly_desk.detect.streaming import StreamingDetector
from benchmarks.core import REPO

DEFAULT_DATA = REPO.parent / "shared" / "data" / "nab"


def _labelled(corpus: Sequence[NabSeries], scores: Sequence[FloatArray]) -> list[LabelledFile]:
    return [
        LabelledFile(s.relative_path, x, s.windows) for s, x in zip(corpus, scores, strict=True)
    ]


def _standard(files: list[LabelledFile]) -> str:
    try:
        return f"{score_corpus(files)['standard'].normalised:5.1f}"
    except ValueError:  # a subset without labelled windows has no normalised score
        return "  n/a"


def breakdown(corpus: Sequence[NabSeries], scores: Sequence[FloatArray]) -> list[str]:
    files = _labelled(corpus, scores)
    results = score_corpus(files)
    standard = results["standard"]
    lines = [
        "  ".join(f"{name} {r.normalised:.2f}" for name, r in results.items()),
        f"threshold {standard.threshold:.4f}, windows {standard.true_positives}/"
        f"{standard.windows}, false positives {standard.false_positives}",
        "",
        f"{'file':<58} {'raw':>6} {'windows':>8} {'FP':>4}",
    ]
    for f in files:
        raw, hits, fps = file_raw_score(f, PROFILES["standard"], standard.threshold)
        lines.append(f"{f.name:<58} {raw:+6.2f} {f'{hits}/{len(f.windows)}':>8} {fps:>4}")
    lines += ["", f"{'category':<24} {'alone':>6} {'left out':>9}"]
    categories = sorted({f.name.split("/")[0] for f in files})
    for category in categories:
        inside = [f for f in files if f.name.startswith(category + "/")]
        outside = [f for f in files if not f.name.startswith(category + "/")]
        lines.append(f"{category:<24} {_standard(inside):>6} {_standard(outside):>9}")
    lines.append(f"even files {_standard(files[0::2])}, odd files {_standard(files[1::2])}")
    return lines


def _parameters(pairs: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        out[name] = ast.literal_eval(value)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    params = _parameters(args.param)
    detector: Callable[[], StreamingDetector] = lambda: StreamingDetector(**params)  # noqa: E731
    corpus = load_corpus(args.data)
    began = time.perf_counter()
    scores = [detector().fit_score(s.values) for s in corpus]
    took = time.perf_counter() - began
    points = sum(len(s.values) for s in corpus)
    print("\n".join(breakdown(corpus, scores)))
    print(f"{points:,} points scored in {took:.2f} s ({points / took / 1000:.0f}k points/s)")


if __name__ == "__main__":
    main()

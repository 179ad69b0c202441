"""Choose the decline threshold from results: ``python -m evals.calibrate QUESTIONS RESULTS [QUESTIONS RESULTS …]``.

Every result records the answerer's evidence, declined or not; this prints, for each candidate threshold,
how many unanswerable questions would be declined and how many answerable ones would be, and the threshold
that declines every unanswerable question it can while refusing the fewest answerable ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals.questionset import read_jsonl, read_questions


def evidence_pairs(pairs: list[tuple[Path, Path]]) -> list[tuple[bool, float, str]]:
    rows = []
    for questions_path, results_path in pairs:
        results = {r["id"]: r for r in read_jsonl(results_path)}
        for question in read_questions(questions_path):
            result = results[question["id"]]
            if result.get("passages"):  # questions emptied by instruction stripping decline regardless
                rows.append((bool(question["answerable"]), float(result.get("evidence", 0.0)), question["id"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or len(args) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = evidence_pairs([(Path(args[i]), Path(args[i + 1])) for i in range(0, len(args), 2)])
    answerable = sorted(e for ok, e, _ in rows if ok)
    unanswerable = sorted(e for ok, e, _ in rows if not ok)
    best: tuple[float, float, float, float] | None = None
    for step in range(0, 81):
        threshold = step / 100
        refusal = sum(e < threshold for e in unanswerable) / max(1, len(unanswerable))
        false_refusal = sum(e < threshold for e in answerable) / max(1, len(answerable))
        objective = refusal - 2 * false_refusal
        if best is None or objective > best[0]:
            best = (objective, threshold, refusal, false_refusal)
    assert best is not None
    highest = [f"{i} {e:.3f}" for ok, e, i in sorted(rows, key=lambda r: -r[1]) if not ok][:4]
    lowest = [f"{i} {e:.3f}" for ok, e, i in sorted(rows, key=lambda r: r[1]) if ok][:8]
    print(f"highest unanswerable evidence: {', '.join(highest)}")
    print(f"lowest answerable evidence:    {', '.join(lowest)}")
    print(f"best threshold {best[1]:.2f}: refusal accuracy {best[2]:.3f}, false refusal rate {best[3]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Same answers before and after a change that should not change them (a move, a split, a rename):
``python -m evals.snapshot --out before.jsonl`` answers every question of every set (the pool sets, the kept-aside ones
among them, each on its corpus) and writes each result without its latency; after the change, the same command with
``--out after.jsonl --compare before.jsonl`` writes again and lists every question whose result differs, field by
field (exit status 1 if any)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from assistant.index.embeddings import LocalEmbeddings
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from evals.questionset import indexed_corpora, question_pool

def snapshot(out: Path) -> dict[str, dict[str, Any]]:
    pool = question_pool()
    base = Settings.from_env()
    embeddings = LocalEmbeddings(base.embedding_model)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="snapshot-") as work:
        corpora = indexed_corpora(Path(work), embeddings, base)
        assistants = {name: PolicyAssistant(settings, embeddings=embeddings) for name, settings in corpora.items()}
        for pooled in pool:
            result = assistants[pooled.corpus].ask(pooled.question["question"], pooled.question.get("history") or []).to_json()
            result.pop("latency_ms", None)
            results[pooled.key] = result
    out.write_text("".join(json.dumps({"key": k, "result": r}, ensure_ascii=False, sort_keys=True) + "\n" for k, r in results.items()))
    return results


def read(path: Path) -> dict[str, dict[str, Any]]:
    return {row["key"]: row["result"] for row in map(json.loads, path.read_text().splitlines())}


def differences(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    lines = [f"{key}: only before" for key in before.keys() - after.keys()]
    lines += [f"{key}: only after" for key in after.keys() - before.keys()]
    for key in sorted(before.keys() & after.keys()):
        fields = sorted(f for f in before[key].keys() | after[key].keys() if before[key].get(f) != after[key].get(f))
        if fields:
            lines.append(f"{key}: {', '.join(fields)} differ")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.snapshot", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="where to write this snapshot (JSONL)")
    parser.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    args = parser.parse_args(argv)
    results = snapshot(args.out)
    print(f"{len(results)} answers written to {args.out}")
    if args.compare is None:
        return 0
    found = differences(read(args.compare), results)
    print("\n".join(found) if found else f"identical to {args.compare} (latency aside)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

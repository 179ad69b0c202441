"""What a changed document costs the glossary: ``python -m evals.glossary_timing`` stores N variants of the corpus's
documents (no embedding: the glossary reads the stored texts only), then times a glossary rebuild from scratch and
one after a single document changed (medians of several; the machine is shared, read the ratio)."""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from assistant.index.store import Store
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.glossary_timing", description=__doc__)
    parser.add_argument("--variants", type=int, default=40, help="copies of each corpus document")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    texts = [p.read_text() for p in sorted(Settings.from_env().corpus_dir.glob("*")) if p.suffix in (".txt", ".md")]
    with tempfile.TemporaryDirectory(prefix="glossary-timing-") as folder:
        store = Store(Path(folder) / "index.sqlite")
        connection = store._connect()
        rows = []
        for variant in range(args.variants):
            for number, text in enumerate(texts):
                varied = f"{text}\nVariant {variant}.\n"
                rows.append((f"doc-{variant}-{number}.txt", hashlib.sha256(varied.encode()).hexdigest(), "Title",
                             "position paper", None, varied, "[]"))
        with connection:
            connection.executemany(
                "INSERT INTO documents(source, sha256, title, kind, date, text, page_starts) VALUES (?,?,?,?,?,?,?)", rows
            )

        def timed() -> float:
            started = time.perf_counter()
            store.rebuild_glossary()
            return time.perf_counter() - started

        from_scratch, one_changed = [], []
        for repeat in range(args.repeats):
            with connection:
                connection.execute("DELETE FROM glossary_sources")
            from_scratch.append(timed())
            with connection:
                connection.execute(
                    "UPDATE documents SET text = text || ?, sha256 = ? WHERE source = ?", (f" {repeat}", f"changed-{repeat}", rows[0][0])
                )
            one_changed.append(timed())
        store.close()
    scratch, changed = statistics.median(from_scratch), statistics.median(one_changed)
    print(f"{len(rows)} documents, {sum(len(r[5]) for r in rows) / 1e6:.1f} M characters")
    print(f"glossary from scratch    p50 {scratch * 1000:7.0f} ms")
    print(f"one document changed     p50 {changed * 1000:7.0f} ms  ({scratch / changed:.0f}x less)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

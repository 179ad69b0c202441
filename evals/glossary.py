"""How good the glossary is: ``python -m evals.glossary`` indexes the corpus into a temporary folder and prints every
entry, then how many acronyms have an expansion, how many of the acronyms the documents define are found with the
expansion they give (``evals/glossary_labels.json``, hand-labelled), how many entries are noise, and the people and
programmes found against the hand-labelled ones (precision: entries of that kind that are one; recall: labelled ones
found)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings

LABELS = PROJECT_ROOT / "evals" / "glossary_labels.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.glossary", description=__doc__)
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    labels = json.loads(args.labels.read_text())
    with tempfile.TemporaryDirectory(prefix="glossary-") as data_dir:
        settings = Settings.from_env(data_dir=Path(data_dir))
        Ingestor(settings).run()
        entries = PolicyAssistant(settings).store.glossary()
    for entry in entries:
        print(f"{entry.kind:<9} {entry.term:<32} {entry.expansion or '':<40} {entry.quote[:70]!r}")
    acronyms = [e for e in entries if e.kind == "acronym"]
    expanded = {e.term: e.expansion for e in acronyms if e.expansion}
    defined = labels["defined_acronyms"]
    right = [term for term, expansion in defined.items() if expanded.get(term) == expansion]
    noise = sorted(e.term for e in entries if e.term in set(labels["noise"]))
    print(f"\nentries: {len(entries)} ({len(acronyms)} acronyms)")
    print(f"acronyms with an expansion: {len(expanded)} of {len(acronyms)}")
    print(f"acronyms the documents define, found with their expansion: {len(right)} of {len(defined)}")
    print(f"noise entries: {len(noise)} {noise}")
    people = [e.term for e in entries if e.kind == "person"]
    found_people = set(people) & set(labels["people"])
    print(f"people: precision {len(found_people)}/{len(people)}, recall {len(found_people)}/{len(labels['people'])}"
          f"; not people: {sorted(set(people) - found_people)}; missed: {sorted(set(labels['people']) - found_people)}")
    spellings = {spelling.lower(): name for name, forms in labels["programmes"].items() for spelling in forms}
    programmes = [e.term for e in entries if e.kind == "programme"]
    right = [term for term in programmes if term.lower() in spellings]
    covered = {spellings[term.lower()] for term in right}
    print(f"programmes: precision {len(right)}/{len(programmes)}, recall {len(covered)}/{len(labels['programmes'])}"
          f"; not programmes: {sorted(set(programmes) - set(right))}; missed: {sorted(set(labels['programmes']) - covered)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

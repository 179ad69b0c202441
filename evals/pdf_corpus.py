"""The same questions asked of the corpus turned into PDFs: ``python -m evals.pdf_corpus [--keep DIR]``.

Every ``.txt`` and ``.md`` document of the corpus (and of ``evals/extra_corpus/``) is typeset with fpdf2 as a
multi-page A4 PDF the way a word processor prints it: the document's title as a running header on every page after
the first, the page number as a footer, paragraphs flowing over page breaks (so sentences run across pages). Each
question set is then answered from the text corpus and from the PDF corpus with the shipped models, and both rows
are printed: what a user sees when the alliance's documents arrive as PDFs instead of text.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from evals.questionset import QUESTION_SETS, corpus_of, extended_corpus, read_questions
from evals.score import score

EVALS = Path(__file__).resolve().parent
JUDGED_SETS = (*QUESTION_SETS, EVALS / "probe_questions.jsonl", EVALS / "blind_questions.jsonl")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|\*(?=\S)([^*\n]+?)\*")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def printed_text(text: str, markdown: bool) -> str:
    """What the page shows: Markdown emphasis, link targets and heading marks are typesetting, not words."""
    text = _LINK.sub(r"\1", _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text))
    if markdown:
        text = re.sub(r"^#{1,6}\s+", "", text, flags=re.MULTILINE)
    return text


def write_pdf(text: str, title: str, path: Path) -> None:
    from fpdf import FPDF

    class Document(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font(family, size=8)
                self.cell(0, 8, title[:110], align="C")
                self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, size=8)
            self.cell(0, 8, str(self.page_no()), align="C")

    pdf = Document(format="A4")
    if FONT.exists():
        pdf.add_font("body", fname=str(FONT))
        family = "body"
    else:  # the core font knows Latin-1 only
        family = "helvetica"
        text = text.encode("latin-1", "replace").decode("latin-1")
        title = title.encode("latin-1", "replace").decode("latin-1")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(family, size=11)
    for block in re.split(r"\n\s*\n", text.strip()):
        pdf.multi_cell(0, 5.5, block.strip())
        pdf.ln(3)
    pdf.output(str(path))


def pdf_corpus(source: Path, into: Path) -> Path:
    """A copy of ``source`` with each text document typeset as a PDF of the same name (catalog entries renamed)."""
    into.mkdir(parents=True, exist_ok=True)
    catalog_path = source / "catalog.json"
    catalog: dict[str, Any] = json.loads(catalog_path.read_text(encoding="utf-8")) if catalog_path.exists() else {}
    entries = catalog.get("documents", {})
    for path in sorted(source.iterdir()):
        if path.suffix.lower() in (".txt", ".md"):
            target = into / f"{path.stem}.pdf"
            entry = entries.pop(path.name, None)
            title = entry["title"] if entry else path.stem
            write_pdf(printed_text(path.read_text(encoding="utf-8"), path.suffix.lower() == ".md"), title, target)
            if entry:
                entries[target.name] = entry
        elif path.is_file() and path.name != "catalog.json":
            shutil.copy(path, into / path.name)
    if catalog:
        (into / "catalog.json").write_text(json.dumps(catalog, indent=1), encoding="utf-8")
    return into


def answered(settings: Settings, embeddings: LocalEmbeddings, questions: list[dict[str, Any]]) -> dict[str, Any]:
    Ingestor(settings, embeddings).run()
    assistant = PolicyAssistant(settings, embeddings)
    try:
        results = [assistant.ask(q["question"], q.get("history") or []).to_json(q["id"]) for q in questions]
    finally:
        assistant.store.close()
    return score(questions, results, settings.corpus_dir)


def row(name: str, metrics: dict[str, Any]) -> str:
    keys = ("recall@1", "recall@3", "mrr@10", "answer_accuracy", "cited_gold", "quotes_verbatim",
            "refusal_accuracy", "false_refusal_rate")
    return f"| {name} | {metrics['questions']} | " + " | ".join(f"{metrics[k]:.3f}" for k in keys) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.pdf_corpus", description=__doc__)
    parser.add_argument("--keep", type=Path, help="also write the PDF corpora into this folder")
    args = parser.parse_args(argv)
    embeddings = LocalEmbeddings()
    base = Settings.from_env()
    print("| question set, corpus | n | r@1 | r@3 | MRR@10 | answer acc. | cited gold | verbatim | refusal | false refusal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="pdf-corpus-") as work_dir:
        work = Path(work_dir)
        texts = {"corpus": base.corpus_dir, "extended": extended_corpus(base.corpus_dir, work / "extended-text")}
        pdfs = {name: pdf_corpus(folder, (args.keep or work) / f"{name}-pdf") for name, folder in texts.items()}
        for path in JUDGED_SETS:
            questions = read_questions(path)
            corpus = corpus_of(path)
            for label, folder in (("text", texts[corpus]), ("PDF", pdfs[corpus])):
                settings = base.with_overrides(corpus_dir=folder, data_dir=work / f"data-{corpus}-{label}")
                print(row(f"{path.stem}, {label}", answered(settings, embeddings, questions)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

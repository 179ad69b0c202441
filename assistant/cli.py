"""Command line: ``python -m assistant ingest`` and ``python -m assistant ask "question"``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from assistant.errors import AssistantError
from assistant.records.database import open_records
from assistant.settings import Settings


def _progress_bar(stream: TextIO):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if total == 0:
            return
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc="Embedding chunks", unit="chunk", file=stream)
        bar["bar"].update(done - bar["bar"].n)
        if done >= total:
            bar["bar"].close()

    return update


def run_ingest(settings: Settings, rebuild: bool, stdout: TextIO, stderr: TextIO) -> int:
    from assistant.index.ingestion import Ingestor

    report = Ingestor(settings).run(rebuild=rebuild, progress=_progress_bar(stderr))
    for failure in report.failures:
        print(f"FAILED {failure.source}: {failure.reason}", file=stderr)
    for warning in report.warnings:
        print(f"warning {warning}", file=stderr)
    for source in report.documents_removed:
        print(f"removed {source} (no longer in the corpus folder)", file=stderr)
    print(report.summary(), file=stdout)
    return 0 if report.ok else 1


def format_answer(result_json: dict) -> str:
    lines = [result_json["answer"], ""]
    if result_json["citations"]:
        lines.append("Closest passage:" if result_json.get("outcome") == "unsure" else "Sources:")
        for citation in result_json["citations"]:
            where = [citation["title"]]
            if citation.get("date"):
                where.append(citation["date"])
            if citation.get("section") and citation["section"] != citation["title"]:
                where.append(f"section “{citation['section']}”")
            if citation.get("page") is not None:
                where.append(f"p. {citation['page']}")
            lines.append(f"[{citation['n']}] {', '.join(where)} ({citation['source']})")
            lines.append(f"    “{citation['quote']}”")
    elif result_json["passages"]:
        lines.append("Closest passages:")
        for passage in result_json["passages"][:3]:
            snippet = passage["text"].replace("\n", " ")
            lines.append(f"  - {passage['title']} ({passage['source']}): {snippet[:200]}…")
    for notice in result_json.get("notices", []):
        lines.append(f"Note: {notice}")
    lines.append(f"[{result_json['mode']}, {result_json['latency_ms']:.0f} ms]")
    return "\n".join(lines)


def run_ask(settings: Settings, args: argparse.Namespace, stdout: TextIO) -> int:
    from assistant.pipeline import PolicyAssistant
    from assistant.search.retrieval import SearchFilters

    history = json.loads(Path(args.history).read_text(encoding="utf-8")) if args.history else []
    filters = SearchFilters(tuple(args.document or ()), tuple(args.kind or ()))
    assistant = PolicyAssistant(settings)
    result = assistant.ask(args.question, history, filters).to_json()
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_answer(result), file=stdout)
    return 0


def run_feedback(settings: Settings, args: argparse.Namespace, stdout: TextIO) -> int:
    text = open_records(settings).feedback.export(args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"feedback written to {args.out}", file=stdout)
    else:
        print(text, end="", file=stdout)
    return 0


def run_token(settings: Settings, args: argparse.Namespace, stdout: TextIO) -> int:
    records = open_records(settings)
    store = records.tokens
    if args.token_command == "create":
        token = store.create(args.name)
        records.audit.record("command line", "token create", args.name, "ok")
        print(f"Token for {args.name} (shown once; keep it secret):\n{token}", file=stdout)
    elif args.token_command == "revoke":
        store.revoke(args.name)
        records.audit.record("command line", "token revoke", args.name, "ok")
        print(f"Revoked the token of {args.name}.", file=stdout)
    else:
        for entry in store.tokens():
            print(entry.line(), file=stdout)
    return 0


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.service.api import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="The European Clusters Alliance's policy assistant.")
    parser.add_argument("--data-dir", type=Path, help="index folder (default .data/ or ASSISTANT_DATA_DIR)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default corpus/ or ASSISTANT_CORPUS_DIR)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index new and changed documents, drop deleted ones")
    ingest.add_argument("folder", nargs="?", type=Path, help="corpus folder (overrides --corpus)")
    ingest.add_argument("--rebuild", action="store_true", help="delete the index and build it again from scratch")

    ask = commands.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one result object (evals/FORMAT.md)")
    ask.add_argument("--history", help="JSON file with earlier turns: [{role, content}, …]")
    ask.add_argument("--document", action="append", help="only search this document (its source path); repeatable")
    ask.add_argument("--kind", action="append", help="only search this kind (position paper, annex, minutes)")

    serve = commands.add_parser("serve", help="the HTTP API for other tools (OpenAPI page at /docs)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--port", type=int, default=8000)

    token = commands.add_parser("token", help="create, revoke or list the HTTP API's bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_commands.add_parser("create", help="a new token, shown once").add_argument("name", help="who or what uses it")
    token_commands.add_parser("revoke", help="refuse this token from now on").add_argument("name")
    token_commands.add_parser("list", help="names, dates, active or revoked (never the tokens)")

    commands.add_parser("audit", help="print the log of admin actions and API calls")
    feedback = commands.add_parser("feedback", help="print or export the feedback log (thumbs up/down on answers)")
    feedback.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    feedback.add_argument("--out", help="write to this file instead of the terminal")
    return parser


def main(argv: list[str] | None = None, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Run a command; returns the exit code (0 ok, 1 some files failed or error, 2 usage)."""
    args = build_parser().parse_args(argv)
    corpus = getattr(args, "folder", None) or args.corpus
    try:
        settings = Settings.from_env(data_dir=args.data_dir, corpus_dir=corpus)
        if args.command == "ingest":
            return run_ingest(settings, args.rebuild, stdout, stderr)
        if args.command == "feedback":
            return run_feedback(settings, args, stdout)
        if args.command == "token":
            return run_token(settings, args, stdout)
        if args.command == "serve":
            return run_serve(settings, args)
        if args.command == "audit":
            for entry in open_records(settings).audit.entries():
                print(entry.line(), file=stdout)
            return 0
        return run_ask(settings, args, stdout)
    except AssistantError as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=stderr)
        return 1

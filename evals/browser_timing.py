"""How the chat feels in a real browser: ``python -m evals.browser_timing`` starts the app (``streamlit run``) on an
index of the corpus and drives Debian's Chromium through Playwright (test extras), printing the first page load,
reloads, and Enter-to-answer-shown and Enter-to-settled for questions of the development set (medians of several;
the machine is shared and noisy, so read ratios and medians, not single runs)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant.index.ingestion import Ingestor
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.servers import free_port, streamlit_app

CHROMIUM = "/usr/bin/chromium"
READY_TEXT = "What this assistant knows"
SETTLED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
# An answer is shown when its message carries the feedback buttons (drawn last) or a warning (a question refused).
ANSWERS_SHOWN = (
    "n => [...document.querySelectorAll('[data-testid=\"stChatMessage\"]')].filter(m => "
    "m.querySelector('[data-testid=\"stChatMessageAvatarAssistant\"]') && "
    "m.querySelector('[data-testid=\"stFeedback\"], [data-testid=\"stAlert\"]')).length >= n"
)


def seconds_since(started: float) -> float:
    return time.perf_counter() - started


def page_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text(READY_TEXT).first.wait_for(timeout=120_000)
    page.wait_for_function(SETTLED, timeout=120_000)


def measure(url: str, questions: list[str], reloads: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {"first load": [], "reload": [], "answer shown": [], "answer settled": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        started = time.perf_counter()
        page.goto(url)
        page_ready(page)
        figures["first load"].append(seconds_since(started))
        for _ in range(reloads):
            started = time.perf_counter()
            page.reload()
            page_ready(page)
            figures["reload"].append(seconds_since(started))
        for shown, question in enumerate(questions, start=1):
            page.get_by_test_id("stChatInputTextArea").fill(question)
            started = time.perf_counter()
            page.keyboard.press("Enter")
            try:
                page.wait_for_function(ANSWERS_SHOWN, arg=shown, timeout=120_000)
            except Exception:
                page.screenshot(path="browser-timing-failure.png", full_page=True)
                raise
            figures["answer shown"].append(seconds_since(started))
            page.wait_for_function(SETTLED, timeout=120_000)
            figures["answer settled"].append(seconds_since(started))
        browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.browser_timing", description=__doc__)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "dev_questions.jsonl")
    parser.add_argument("--count", type=int, default=10, help="questions asked in one conversation")
    parser.add_argument("--reloads", type=int, default=5)
    args = parser.parse_args(argv)
    questions = [q["question"] for q in read_questions(args.questions) if not q["history"]][: args.count]
    with tempfile.TemporaryDirectory(prefix="browser-timing-") as data_dir:
        Ingestor(Settings.from_env(data_dir=Path(data_dir))).run()
        port = free_port()
        with streamlit_app(port, PROJECT_ROOT, ASSISTANT_DATA_DIR=data_dir):
            figures = measure(f"http://127.0.0.1:{port}", questions, args.reloads)
    for name, values in figures.items():
        spread = f"  (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})" if len(values) > 1 else ""
        print(f"{name:<16} p50 {statistics.median(values):6.2f} s{spread}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

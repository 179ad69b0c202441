"""How the chat feels in a real browser: ``python -m evals.browser_timing`` starts the app (``streamlit run``) on an
index of the corpus and drives Debian's Chromium through Playwright (test extras), printing the first page load,
reloads, and Enter-to-answer-shown and Enter-to-settled for questions of the development set (medians of several;
the machine is shared and noisy, so read ratios and medians, not single runs). With ``--history N`` the local user
has N earlier conversations in the records database: the reloads then draw that history, and reopening
conversations from the sidebar is timed too."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.records.database import open_records
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

# A conversation is open when its sidebar entry is the disabled one and the chat shows its answers.
OPENED = (
    "([title, n]) => (!title || [...document.querySelectorAll('[data-testid=\"stSidebar\"] button')].some("
    "b => b.disabled && b.innerText.includes(title))) && "
    "document.querySelectorAll('[data-testid=\"stChatMessageAvatarAssistant\"]').length === n"
)


def wait_for(page, condition: str, arg: object) -> None:  # type: ignore[no-untyped-def]
    """Wait for a page condition; on a timeout the page is kept as a screenshot to see why."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=120_000)
    except Exception:
        page.screenshot(path="browser-timing-failure.png", full_page=True)
        raise


def seconds_since(started: float) -> float:
    return time.perf_counter() - started


def page_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text(READY_TEXT).first.wait_for(timeout=120_000)
    page.wait_for_function(SETTLED, timeout=120_000)


QUESTIONS_PER_CONVERSATION = 4
EARLIER = "Earlier conversation #"


def seed_history(settings: Settings, questions: list[str], conversations: int) -> None:
    """``conversations`` earlier conversations of the local user, each of real answers, titled "Earlier
    conversation #n" so the sidebar's entries can be found."""
    assistant = PolicyAssistant(settings)
    answers = [assistant.ask(question).to_json() for question in questions[:QUESTIONS_PER_CONVERSATION]]
    records = open_records(settings)
    for number in range(conversations):
        conversation = uuid.uuid4().hex
        for answer in answers:
            records.questions.record("local user", "chat", conversation, answer)
        records.conversations.rename("local user", conversation, f"{EARLIER}{number:03d}")


def measure(url: str, questions: list[str], reloads: int, earlier: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {"first load": [], "reload": [], "conversation reopened": [],
                                       "answer shown": [], "answer settled": []}
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
        listed = page.get_by_test_id("stSidebar").get_by_role("button", name=EARLIER)
        for number in range(1, min(reloads, earlier) + 1):  # the newest, as a reader looks for yesterday's answer
            label = listed.nth(number).inner_text()
            title = label[label.index(EARLIER):].strip()  # without the icon's name
            started = time.perf_counter()
            listed.nth(number).click()
            wait_for(page, OPENED, [title, QUESTIONS_PER_CONVERSATION])
            page.wait_for_function(SETTLED, timeout=120_000)
            figures["conversation reopened"].append(seconds_since(started))
        if earlier:
            page.get_by_role("button", name="New conversation").click()
            page.wait_for_function(OPENED, arg=["", 0], timeout=120_000)
            page.wait_for_function(SETTLED, timeout=120_000)
        for shown, question in enumerate(questions, start=1):
            page.get_by_test_id("stChatInputTextArea").fill(question)
            started = time.perf_counter()
            page.keyboard.press("Enter")
            wait_for(page, ANSWERS_SHOWN, shown)
            figures["answer shown"].append(seconds_since(started))
            page.wait_for_function(SETTLED, timeout=120_000)
            figures["answer settled"].append(seconds_since(started))
        browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.browser_timing", description=__doc__)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "dev_questions.jsonl")
    parser.add_argument("--count", type=int, default=10, help=f"questions asked in one conversation (≥ {QUESTIONS_PER_CONVERSATION})")
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--history", type=int, default=0, help="earlier conversations of the user (at most 50 listed)")
    args = parser.parse_args(argv)
    questions = [q["question"] for q in read_questions(args.questions) if not q["history"]][: args.count]
    with tempfile.TemporaryDirectory(prefix="browser-timing-") as data_dir:
        settings = Settings.from_env(data_dir=Path(data_dir))
        Ingestor(settings).run()
        if args.history:
            seed_history(settings, questions, args.history)
        port = free_port()
        with streamlit_app(port, PROJECT_ROOT, ASSISTANT_DATA_DIR=data_dir):
            figures = measure(f"http://127.0.0.1:{port}", questions, args.reloads, args.history)
    if args.history:
        print(f"(the local user has {args.history} earlier conversations of {QUESTIONS_PER_CONVERSATION} answers each)")
    for name, values in figures.items():
        if not values:
            continue
        spread = f"  (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})" if len(values) > 1 else ""
        print(f"{name:<16} p50 {statistics.median(values):6.2f} s{spread}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

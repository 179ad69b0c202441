"""Driving the app in Debian's Chromium through Playwright: the browser fixture and the steps every browser test
takes (wait for Streamlit to settle, open a tab, ask a question)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT
from evals.servers import streamlit_app

__all__ = ["ARTIFACTS_ROOT", "ask", "browser", "give_thumbs_down", "open_tab", "streamlit_app", "wait_idle"]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS_ROOT = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield instance
        instance.close()


def wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished running the script (its "Running…" status widget is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def open_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Click a tab until it is the selected one (a click during a rerun can be lost on a loaded machine)."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(20):
        wait_idle(page)
        tab.click()
        page.wait_for_timeout(300)
        if tab.get_attribute("aria-selected") == "true":
            return
    pytest.fail(f"the {name!r} tab did not open")


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=90_000)  # a first run can start after wait_idle looked: the page is still empty then
    box.fill(question)
    page.keyboard.press("Enter")


def give_thumbs_down(page, comment: str) -> None:  # type: ignore[no-untyped-def]
    """Thumbs down on the first answer shown, with a comment, sent."""
    wait_idle(page)
    page.get_by_test_id("stFeedback").filter(visible=True).first.locator("button").last.click()
    wait_idle(page)
    page.get_by_label("Comment (optional)").fill(comment)
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("your feedback was saved").wait_for(timeout=30_000)

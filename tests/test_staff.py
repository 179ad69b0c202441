"""Staff deployment in a real browser: Streamlit's own OIDC sign-in against a real provider on loopback
(oidc-provider-mock, predefined users with e-mail claims), the domain allow-list, and the admins' documents page
(upload, delete, re-index) using the real ingestion. Screenshots go to test-artifacts/staff/."""

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistant.index.ingestion import Ingestor
from assistant.index.store import Store
from assistant.records.database import open_records
from assistant.settings import Settings
from tests.browsing import ARTIFACTS_ROOT, ask, give_thumbs_down, open_tab, streamlit_app, wait_idle
from tests.conftest import CORPUS
from tests.postgres import fresh_database
from tests.servers import free_port, wait_until_up

pytestmark = pytest.mark.slow
ARTIFACTS = ARTIFACTS_ROOT / "staff"
USERS = {
    "alice": "alice@example.org",  # an admin
    "bob": "bob@example.org",  # staff
    "eve": "eve@elsewhere.com",  # signed in, but from outside the allowed domain
}
# an event whose name no document of the corpus mentions: before the upload the question is declined for that
# reason, after it the same session must answer from the new document (nothing read before the upload may linger)
NEW_DOCUMENT = (
    "# Nordic Hydrogen Valley Forum announcement\n\n"
    "The Nordic Hydrogen Valley Forum will take place in Tampere on 12 May 2027, hosted by the Finnish Cluster "
    "Association.\n"
)
NEW_QUESTION = "Where will the Nordic Hydrogen Valley Forum take place?"
NEW_ANSWER = "The Nordic Hydrogen Valley Forum will take place in Tampere"


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[str]:
    port = free_port()
    claims = [arg for sub, email in USERS.items() for arg in ("--user-claims", json.dumps({"sub": sub, "email": email}))]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "oidc-provider-mock"), "--port", str(port), *claims],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/.well-known/openid-configuration", process, "oidc-provider-mock")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def staff_app(root: Path, identity_provider: str, settings: Settings, **environment: str) -> Iterator["Deployment"]:
    """One instance as staff would run it: sign-in on, an allow-list, one admin, a 1 MB upload limit."""
    port = free_port()
    (root / "app" / ".streamlit").mkdir(parents=True)
    (root / "app" / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef"\n'
        'client_id = "eca-assistant"\nclient_secret = "test-client-secret"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n'
    )
    with streamlit_app(
        port, root / "app", ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_DATA_DIR=str(settings.data_dir),
        ASSISTANT_ALLOWED_DOMAINS="example.org", ASSISTANT_ADMINS=USERS["alice"], ASSISTANT_MAX_FILE_MB="1",
        **environment,
    ):
        yield Deployment(settings, f"http://localhost:{port}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, identity_provider: str) -> Iterator["Deployment"]:
    root = tmp_path_factory.mktemp("staff")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", max_file_bytes=2**20)
    assert Ingestor(settings).run().ok
    with staff_app(root, identity_provider, settings) as running:
        yield running


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    url: str
    """On localhost, as the redirect URI names it: the session cookie is set for that host."""


@pytest.fixture
def visit(browser, deployment: Deployment):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) on the app's sign-in page; returns the page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(deployment.url)
    yield page
    context.close()


def sign_in(page, sub: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub, exact=True).click()
    page.get_by_text(f"Signed in as {USERS[sub]}").or_(page.get_by_text("not allowed")).first.wait_for(timeout=90_000)
    wait_idle(page)


def shows_nothing_of_the_documents(page) -> bool:  # type: ignore[no-untyped-def]
    return (
        page.get_by_test_id("stChatInputTextArea").count() == 0
        and page.get_by_text("What this assistant knows").count() == 0
        and page.get_by_text("Clusters for Next Generation EU").count() == 0
    )


def test_an_anonymous_visitor_sees_the_sign_in_button_and_nothing_else(visit) -> None:  # type: ignore[no-untyped-def]
    visit.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    wait_idle(visit)
    assert shows_nothing_of_the_documents(visit)
    visit.screenshot(path=ARTIFACTS / "01-sign-in.png")


def test_a_user_outside_the_allowed_domain_is_refused(visit) -> None:  # type: ignore[no-untyped-def]
    sign_in(visit, "eve")
    assert visit.get_by_text("eve@elsewhere.com is not allowed to use this assistant").is_visible()
    assert shows_nothing_of_the_documents(visit)
    visit.screenshot(path=ARTIFACTS / "02-refused.png")


def test_staff_chat_with_citations_and_find_no_document_management(visit) -> None:  # type: ignore[no-untyped-def]
    sign_in(visit, "bob")
    ask(visit, "Who moderated the session with Commissioner Breton?")
    visit.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
    wait_idle(visit)
    assert visit.get_by_role("tab", name="Documents").count() == 0
    assert visit.locator("input[type=file]").count() == 0
    visit.screenshot(path=ARTIFACTS / "03-staff-chat.png")


def test_an_admin_adds_a_document_the_chat_answers_from_it_and_deleting_removes_it(  # type: ignore[no-untyped-def]
    visit, deployment: Deployment
) -> None:
    settings = deployment.settings
    sign_in(visit, "alice")
    ask(visit, NEW_QUESTION)
    visit.get_by_text("no document mentions").last.wait_for(timeout=90_000)
    open_tab(visit, "Documents")
    visit.locator("input[type=file]").set_input_files(
        files=[{"name": "hydrogen-forum-2027.md", "mimeType": "text/markdown", "buffer": NEW_DOCUMENT.encode()}]
    )
    title = visit.get_by_label("Title")
    wait_idle(visit)
    title.wait_for(timeout=60_000)
    assert title.input_value() == "Nordic Hydrogen Valley Forum announcement", "the title is pre-filled as ingestion guesses it"
    visit.screenshot(path=ARTIFACTS / "04-upload-form.png")
    visit.get_by_role("button", name="Add and index").click()
    visit.get_by_text("Added hydrogen-forum-2027.md").wait_for(timeout=120_000)
    visit.screenshot(path=ARTIFACTS / "05-uploaded.png")
    assert (settings.corpus_dir / "hydrogen-forum-2027.md").read_text() == NEW_DOCUMENT
    catalog = json.loads((settings.corpus_dir / "catalog.json").read_text())
    assert catalog["documents"]["hydrogen-forum-2027.md"]["title"] == "Nordic Hydrogen Valley Forum announcement"

    open_tab(visit, "Chat")
    ask(visit, NEW_QUESTION + "  ")
    visit.get_by_text(NEW_ANSWER).first.wait_for(timeout=90_000)
    wait_idle(visit)
    assert visit.get_by_text("Sources").first.is_visible()
    visit.screenshot(path=ARTIFACTS / "06-answer-from-new-document.png")

    open_tab(visit, "Documents")
    wait_idle(visit)  # the page reruns while it loads the changed index: a dropdown opened meanwhile closes again
    visit.get_by_label("Document to delete", exact=True).click()
    visit.keyboard.type("hydrogen-forum")  # the select box filters its options as one types
    visit.get_by_role("option", name="hydrogen-forum-2027.md").click()
    visit.get_by_text("Yes, delete hydrogen-forum-2027.md and its passages").click()
    visit.get_by_role("button", name="Delete", exact=True).click()
    visit.get_by_text("Deleted hydrogen-forum-2027.md").wait_for(timeout=120_000)
    assert not (settings.corpus_dir / "hydrogen-forum-2027.md").exists()

    open_tab(visit, "Chat")
    ask(visit, NEW_QUESTION + " ")
    wait_idle(visit)
    visit.get_by_text("no document mentions").nth(1).wait_for(timeout=90_000)
    store = Store(settings.store_path)
    try:
        assert "hydrogen-forum-2027.md" not in {d.source for d in store.documents()}
    finally:
        store.close()
    actions = [(e.who, e.action, e.target, e.result.split(":")[0]) for e in open_records(settings).audit.entries()]
    assert ("alice@example.org", "upload", "hydrogen-forum-2027.md", "ok") in actions
    assert ("alice@example.org", "delete", "hydrogen-forum-2027.md", "ok") in actions

    # the answer's permalink, opened now that its document is gone, says so instead of vouching for the quote
    [answered] = [q for q in open_records(settings).questions.entries() if NEW_ANSWER in q.answer]
    visit.goto(f"{deployment.url}/?answer={answered.link}")
    visit.get_by_text("A shared answer").wait_for(timeout=90_000)
    visit.get_by_text("is no longer found as quoted in “Nordic Hydrogen Valley Forum announcement”").wait_for(timeout=30_000)
    assert visit.get_by_text("Every quote was checked").count() == 0


def test_a_conversation_survives_a_reload_is_reopened_renamed_shared_and_deleted(  # type: ignore[no-untyped-def]
    visit, browser, deployment: Deployment
) -> None:
    sign_in(visit, "bob")
    ask(visit, "Who moderated the session with Commissioner Breton?")
    visit.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
    wait_idle(visit)
    assert "conversation=" in visit.url
    visit.reload()
    visit.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
    wait_idle(visit)
    visit.screenshot(path=ARTIFACTS / "08-after-reload.png")

    wait_idle(visit)
    visit.get_by_role("button", name="New conversation").click()
    expect(visit.get_by_text("Teodora Jilkova to open the session")).to_have_count(0, timeout=60_000)
    ask(visit, OTHER_UNANSWERED)
    visit.get_by_text("no document mentions").first.wait_for(timeout=90_000)
    wait_idle(visit)
    sidebar = visit.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="Who moderated the session with Commissioner Breton?").first.click()  # the newest
    visit.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
    wait_idle(visit)
    expect(visit.get_by_text("no document mentions")).to_have_count(0, timeout=30_000)  # the other one's answer gone

    sidebar.get_by_role("button", name="Rename or delete this conversation").click()
    visit.get_by_label("Title").fill("Breton session moderator")
    visit.get_by_role("button", name="Rename", exact=True).click()
    sidebar.get_by_role("button", name="Breton session moderator").wait_for(timeout=60_000)
    visit.screenshot(path=ARTIFACTS / "09-history.png")

    wait_idle(visit)
    visit.get_by_role("button", name="Link to this answer").first.click()
    link = visit.locator("[data-testid=stPopoverBody] code").first.inner_text(timeout=30_000).strip()
    assert "?answer=" in link and link.startswith(deployment.url)
    # the colleague opens the link before signing in: the identity provider returns to the app's root, and the
    # answer the link leads to opens anyway
    colleague = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    colleague.goto(link)
    colleague.get_by_text("Sign in to see the answer this link leads to.").wait_for(timeout=90_000)
    assert colleague.get_by_text("Teodora Jilkova").count() == 0
    sign_in(colleague, "alice")
    colleague.get_by_text("A shared answer").wait_for(timeout=90_000)
    colleague.get_by_text("Asked by bob@example.org").wait_for(timeout=30_000)
    colleague.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=30_000)
    colleague.get_by_text("Every quote was checked against the current documents just now.").wait_for(timeout=30_000)
    assert colleague.get_by_test_id("stChatInputTextArea").count() == 0, "a shared answer is read only"
    colleague.screenshot(path=ARTIFACTS / "10-shared-answer.png")
    colleague.get_by_role("button", name="Back to the chat").click()
    colleague.get_by_text("Ask the alliance's documents").wait_for(timeout=60_000)
    colleague.reload()  # the link was kept for one sign-in only
    colleague.get_by_text("Ask the alliance's documents").wait_for(timeout=90_000)
    wait_idle(colleague)
    assert colleague.get_by_text("A shared answer").count() == 0
    colleague.context.close()
    outsider = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    outsider.goto(deployment.url)
    sign_in(outsider, "eve")
    outsider.goto(link)
    outsider.get_by_text("is not allowed to use this assistant").wait_for(timeout=90_000)
    wait_idle(outsider)
    assert outsider.get_by_text("Teodora Jilkova").count() == 0 and shows_nothing_of_the_documents(outsider)
    outsider.context.close()

    visit.keyboard.press("Escape")
    sidebar.get_by_role("button", name="Rename or delete this conversation").click()
    visit.get_by_role("button", name="Delete this conversation", exact=True).click()
    expect(sidebar.get_by_role("button", name="Breton session moderator")).to_have_count(0, timeout=60_000)
    sidebar.get_by_role("button", name=OTHER_UNANSWERED).wait_for(timeout=60_000)
    expect(visit.get_by_text("Teodora Jilkova to open the session")).to_have_count(0, timeout=30_000)
    expect(visit).not_to_have_url(re.compile("conversation="), timeout=30_000)


UNANSWERED = "Where will the Baltic Battery Summit take place?"
OTHER_UNANSWERED = "When does the Alpine Robotics Week open?"


def test_the_secretariat_sees_what_staff_asked_and_what_the_documents_did_not_answer(  # type: ignore[no-untyped-def]
    visit, browser, deployment: Deployment
) -> None:
    sign_in(visit, "bob")
    ask(visit, UNANSWERED)
    visit.get_by_text("no document mentions").first.wait_for(timeout=90_000)
    kept = [q for q in open_records(deployment.settings).questions.entries() if q.question == UNANSWERED]
    assert [(q.user, q.channel, q.outcome) for q in kept] == [("bob@example.org", "chat", "declined")]
    admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    admin.goto(deployment.url)
    sign_in(admin, "alice")
    open_tab(admin, "Usage")
    admin.get_by_text("What the documents did not answer").wait_for(timeout=60_000)
    admin.get_by_text(UNANSWERED).first.wait_for(timeout=60_000)
    wait_idle(admin)
    assert admin.get_by_text("Declined").first.is_visible() and admin.get_by_text("Download the questions (CSV)").is_visible()
    admin.get_by_text("Thumbs down").first.scroll_into_view_if_needed()
    admin.screenshot(path=ARTIFACTS / "07-usage.png")
    admin.context.close()

    visit.get_by_role("button", name="Delete my questions").click()
    visit.get_by_role("button", name="Delete all my questions").click()
    visit.get_by_text(re.compile(r"Deleted \d+ questions?\.")).wait_for(timeout=60_000)  # this one, and earlier ones
    assert not [q for q in open_records(deployment.settings).questions.entries() if q.user == "bob@example.org"]


BAD_UPLOADS = [
    ("empty.md", b"", "the file is empty"),
    ("paper.pdf", b"Just some text pretending to be a PDF", "not a PDF"),
    ("binary.txt", b"%PDF-1.7\x00\x01\x02", "not a text file"),
    ("../catalog.md", b"# Replaces the catalog\n\nText.", "must be a plain name"),
]


def test_the_uploader_states_the_configured_limit_and_refuses_a_larger_file(visit, deployment: Deployment) -> None:  # type: ignore[no-untyped-def]
    """ASSISTANT_MAX_FILE_MB is 1 here: the uploader says so (not Streamlit's default 200 MB) and the browser
    refuses a larger file before it is sent; the server's own check stays behind it (tests/test_access.py)."""
    before = sorted(p.name for p in deployment.settings.corpus_dir.iterdir())
    sign_in(visit, "alice")
    open_tab(visit, "Documents")
    uploader = visit.get_by_test_id("stFileUploader")
    assert "up to 1 MB" in uploader.inner_text() and "1MB per file" in uploader.inner_text()
    assert "200MB" not in uploader.inner_text()
    huge = b"clusters " * 150_000
    visit.locator("input[type=file]").set_input_files(files=[{"name": "huge.txt", "mimeType": "text/plain", "buffer": huge}])
    uploader.get_by_text("File must be 1.0MB or smaller").wait_for(timeout=30_000)
    assert visit.get_by_role("button", name="Add and index").count() == 0
    assert sorted(p.name for p in deployment.settings.corpus_dir.iterdir()) == before


@pytest.mark.parametrize(("name", "data", "reason"), BAD_UPLOADS, ids=["empty", "not-a-pdf", "binary-as-text", "path-traversal"])
def test_a_bad_upload_gets_its_clear_error_and_changes_nothing(  # type: ignore[no-untyped-def]
    visit, deployment: Deployment, name: str, data: bytes, reason: str
) -> None:
    settings = deployment.settings
    before = sorted(p.name for p in settings.corpus_dir.iterdir())
    sign_in(visit, "alice")
    open_tab(visit, "Documents")
    visit.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
    error = visit.get_by_text(f"Not added: {name}:")
    error.wait_for(timeout=60_000)
    assert reason in error.inner_text()
    visit.screenshot(path=ARTIFACTS / f"07-refused-{name.replace('/', '_')}.png")
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == before
    assert visit.get_by_role("button", name="Add and index").count() == 0


def test_two_instances_on_one_postgresql_keep_one_history_one_feedback_log_and_one_audit_log(  # type: ignore[no-untyped-def]
    browser, identity_provider: str, postgres_server: str, tmp_path: Path
) -> None:
    """Behind one proxy, the next page may come from another instance: bob asks and gives feedback on the first,
    finds his conversation on the second; alice's refused upload on the second is in the audit log the first
    shows, beside bob's question and his thumbs-down."""
    database = fresh_database(postgres_server)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    first = Settings(corpus_dir=corpus, data_dir=tmp_path / "first" / "data")
    assert Ingestor(first).run().ok
    shutil.copytree(first.data_dir, tmp_path / "second" / "data")  # each instance its own copy of the index
    second = Settings(corpus_dir=corpus, data_dir=tmp_path / "second" / "data")
    with ExitStack() as running:
        one, two = (
            running.enter_context(staff_app(tmp_path / name, identity_provider, s, ASSISTANT_DATABASE_URL=database))
            for name, s in (("first", first), ("second", second))
        )
        # a context per instance: each one's sign-in cookie names its own origin (one origin behind a real proxy)
        bob = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        bob.goto(one.url)
        sign_in(bob, "bob")
        ask(bob, "Who moderated the session with Commissioner Breton?")
        bob.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
        wait_idle(bob)
        give_thumbs_down(bob, "Shared across instances")
        bob.context.close()

        bob_elsewhere = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        bob_elsewhere.goto(two.url)
        sign_in(bob_elsewhere, "bob")
        sidebar = bob_elsewhere.get_by_test_id("stSidebar")
        sidebar.get_by_role("button", name="Who moderated the session with Commissioner Breton?").click()
        bob_elsewhere.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
        bob_elsewhere.screenshot(path=ARTIFACTS / "11-history-on-another-instance.png")
        bob_elsewhere.context.close()

        alice = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        alice.goto(two.url)
        sign_in(alice, "alice")
        open_tab(alice, "Documents")
        alice.locator("input[type=file]").set_input_files(
            files=[{"name": "empty.md", "mimeType": "text/markdown", "buffer": b""}]
        )
        alice.get_by_text("Not added: empty.md:").wait_for(timeout=60_000)
        alice.context.close()

        secretariat = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        secretariat.goto(one.url)
        sign_in(secretariat, "alice")
        open_tab(secretariat, "Usage")
        secretariat.get_by_text("Questions asked (1)").wait_for(timeout=60_000)
        secretariat.get_by_text("Shared across instances").wait_for(timeout=60_000)
        disliked = secretariat.get_by_test_id("stTable").filter(has_text="Shared across instances")
        assert "?answer=" in disliked.get_by_role("link", name="Open").get_attribute("href")
        actions = secretariat.get_by_text("Document changes and API calls (1)")
        actions.wait_for(timeout=60_000)
        actions.scroll_into_view_if_needed()
        wait_idle(secretariat)
        secretariat.screenshot(path=ARTIFACTS / "12-usage-of-both-instances.png")
        secretariat.context.close()
    records = open_records(Settings(data_dir=tmp_path / "records", database_url=database))
    assert [(e.who, e.action, e.target) for e in records.audit.entries()] == [(USERS["alice"], "upload", "empty.md")]
    assert [(r.user, r.rating, r.comment) for r in records.feedback.records()] == [(USERS["bob"], -1, "Shared across instances")]
    # the thumbs-down names the answer it judges: the secretariat's "Open" leads to it
    assert records.feedback.records()[0].link == records.questions.entries()[0].link is not None

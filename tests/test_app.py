
import pytest
from streamlit.testing.v1 import AppTest

from assistant.settings import PROJECT_ROOT, Settings

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def app(corpus_settings: Settings, corpus_assistant, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus_settings.corpus_dir))
    return AppTest.from_file(APP, default_timeout=180).run()


def markdown_text(app: AppTest) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_sidebar_shows_documents_chunks_and_mode(app: AppTest) -> None:
    sidebar = "\n".join(element.value for element in app.sidebar.markdown)
    assert "extractive" in sidebar
    assert "5 documents" in sidebar
    assert "minutes" in sidebar


def test_asking_shows_a_cited_answer_with_source_cards(app: AppTest) -> None:
    app.chat_input[0].set_value("Who moderated the session with Commissioner Breton?").run()
    assert not app.exception
    assert "Jilkova" in markdown_text(app)
    assert "Answered from the documents" in markdown_text(app), "the outcome is shown"
    assert "**[1]** Clusters for Next Generation EU" in markdown_text(app)
    assert any(button.label == "Copy with reference" for button in app.button)


def test_conversation_is_kept_and_follow_ups_use_it(app: AppTest) -> None:
    app.chat_input[0].set_value("What happened at the 30 June 2020 meeting with Commissioner Breton?").run()
    app.chat_input[0].set_value("And who moderated it?").run()
    assert not app.exception
    assert len(app.chat_message) == 4
    assert "Jilkova" in "\n".join(m.value for m in app.chat_message[3].markdown)


def test_a_question_about_something_no_document_mentions_declines_and_shows_closest_passages(app: AppTest) -> None:
    app.chat_input[0].set_value("What does the alliance say about the Digital Services Act?").run()
    assert "The documents don't say" in markdown_text(app) and "no document mentions" in markdown_text(app)
    assert "Answered from the documents" not in markdown_text(app) and "**[1]**" not in markdown_text(app)
    assert len(app.expander) >= 1, "the closest passages are listed"


def test_a_question_before_anything_is_indexed_says_so_not_that_the_documents_are_silent(
    tmp_path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "corpus").mkdir()
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "corpus"))
    app = AppTest.from_file(APP, default_timeout=180).run()
    app.chat_input[0].set_value("What does the alliance ask of the Commission?").run()
    assert not app.exception
    assert "No documents to answer from" in markdown_text(app) and "No documents are indexed yet" in markdown_text(app)
    assert "The documents don't say" not in markdown_text(app)


def test_model_mode_streams_then_shows_the_verified_answer(corpus_settings: Settings, corpus_assistant, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tests.fake_openai import Behaviour, FakeOpenAI
    from tests.test_model import moderator_reply

    fake = FakeOpenAI(model="fake-model").start()
    try:
        fake.script(Behaviour(reply=moderator_reply))
        monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
        monkeypatch.setenv("OPENAI_API_KEY", fake.api_key)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_MODEL", fake.model)
        app = AppTest.from_file(APP, default_timeout=180).run()
        assert "fake\\-model via" in "\n".join(e.value for e in app.sidebar.markdown)  # rendered as "fake-model via"
        app.chat_input[0].set_value("Who moderated the session with Commissioner Breton?").run()
        assert not app.exception
        assert "moderated by Teodora Jilkova" in markdown_text(app)
        assert "**[1]** Clusters for Next Generation EU" in markdown_text(app)
        assert fake.requests and fake.requests[-1]["stream"] is True
    finally:
        fake.stop()

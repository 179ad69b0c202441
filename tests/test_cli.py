import io
import json

from assistant.cli import main
from assistant.settings import Settings
from tests.conftest import CORPUS


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_ingest_then_ask_prints_an_answer_with_its_sources(corpus_settings: Settings, corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("--data-dir", str(corpus_settings.data_dir), "--corpus", str(CORPUS), "ask", "What does EAAC stand for?")
    assert code == 0
    assert "Alliance Against Coronavirus" in out
    assert "Sources:" in out and "[1]" in out


def test_ask_json_follows_the_result_format(corpus_settings: Settings, corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("--data-dir", str(corpus_settings.data_dir), "ask", "--json", "How many jobs do European clusters account for?")
    assert code == 0
    result = json.loads(out)
    assert {"answer", "answerable", "citations", "passages", "latency_ms", "mode"} <= set(result)
    assert result["mode"] == "extractive" and result["answerable"] is True
    assert len(result["passages"]) >= 10
    assert [p["rank"] for p in result["passages"]] == list(range(1, len(result["passages"]) + 1))
    for citation in result["citations"]:
        assert {"n", "source", "title", "page", "section", "quote"} <= set(citation)


def test_ask_filters_by_kind(corpus_settings: Settings, corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("--data-dir", str(corpus_settings.data_dir), "ask", "--json", "--kind", "minutes", "What do clusters do?")
    assert code == 0
    result = json.loads(out)
    assert {p["source"] for p in result["passages"]} == {"minutes-clusters-for-next-generation-eu-2020-06-30.txt"}
    assert "Only the documents selected were searched (kind minutes)." in result["notices"]


def test_empty_question_is_an_error_message_not_a_traceback(corpus_settings: Settings, corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("--data-dir", str(corpus_settings.data_dir), "ask", "   ")
    assert code == 1
    assert err.startswith("error: Please type a question")
    code, _, err = run("--data-dir", str(corpus_settings.data_dir), "ask", "?? !!")
    assert code == 1 and err.startswith("error: Please type a question in words")


def test_a_filter_naming_no_indexed_document_is_an_error_naming_it(corpus_settings: Settings, corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    data = str(corpus_settings.data_dir)
    code, out, err = run("--data-dir", data, "ask", "--document", "no-such-paper.pdf", "What do clusters do?")
    assert code == 1 and out == ""
    assert err.startswith("error: document filter: nothing indexed is “no-such-paper.pdf”")
    assert "minutes-clusters-for-next-generation-eu-2020-06-30.txt" in err
    code, _, err = run("--data-dir", data, "ask", "--kind", "press release", "What do clusters do?")
    assert code == 1 and err.startswith("error: kind filter: nothing indexed is “press release”") and "minutes" in err


def test_asking_before_anything_is_indexed_says_so_without_claiming_absence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "corpus").mkdir()
    code, out, _ = run(
        "--data-dir", str(tmp_path / "data"), "--corpus", str(tmp_path / "corpus"), "ask", "--json",
        "What does the alliance ask of the Commission?",
    )
    result = json.loads(out)
    assert code == 0 and result["outcome"] == "declined" and result["passages"] == []
    assert result["answer"].startswith("No documents are indexed yet") and "python -m assistant ingest" in result["answer"]
    assert "don't say" not in result["answer"]

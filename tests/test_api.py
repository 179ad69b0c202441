"""The HTTP API through a real uvicorn on loopback: httpx, the openai client library, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn

from assistant.pipeline import PolicyAssistant
from assistant.records.database import open_records
from assistant.settings import PROJECT_ROOT, Settings
from assistant.service.api import create_app
from evals.servers import free_port

QUESTION = "Who moderated the session with Commissioner Breton?"


class Served:
    def __init__(self, settings: Settings, port: int) -> None:
        self.settings, self.url = settings, f"http://127.0.0.1:{port}"
        self.tokens = open_records(settings).tokens

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def serve(corpus_assistant: PolicyAssistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Served]]:
    """Starts the API over the session's assistant in a real uvicorn server; tokens and audit in a fresh folder."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**overrides: object) -> Served:
        settings = corpus_assistant.settings.with_overrides(data_dir=tmp_path_factory.mktemp("api-data"), **overrides)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, corpus_assistant), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        servers.append((server, thread))
        return Served(settings, port)

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(serve: Callable[..., Served]) -> Served:
    return serve()


def test_a_call_without_a_valid_token_is_refused_and_recorded(api: Served) -> None:
    for token in (None, "eca_not-a-token"):
        response = api.client(token).get("/v1/documents")
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert "token create" in response.json()["error"]
    assert api.client(None).get("/v1/health").json() == {"status": "ok"}
    refused = [e for e in open_records(api.settings).audit.entries() if e.result.startswith("refused")]
    assert len(refused) >= 2 and all(e.action == "/v1/documents" for e in refused)


def test_a_revoked_token_is_refused_from_then_on(api: Served) -> None:
    token = api.tokens.create("revoked-tool")
    assert api.client(token).get("/v1/documents").status_code == 200
    api.tokens.revoke("revoked-tool")
    assert api.client(token).get("/v1/documents").status_code == 401


def test_ask_gives_the_chat_s_answer_with_verified_citations_and_is_audited(api: Served, corpus_assistant: PolicyAssistant) -> None:
    token = api.tokens.create("intranet")
    response = api.client(token).post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    result = response.json()
    expected = corpus_assistant.ask(QUESTION).to_json()
    assert result["outcome"] == expected["outcome"] == "answered"
    assert result["answer"] == expected["answer"] and result["citations"] == expected["citations"]
    assert "Teodora Jilkova" in result["answer"] and result["passages"][0]["rank"] == 1
    entry = open_records(api.settings).audit.entries()[-1]
    assert (entry.who, entry.action, entry.target, entry.result) == ("api:intranet", "ask", QUESTION, "answered")
    kept = open_records(api.settings).questions.entries()[-1]
    assert (kept.user, kept.channel, kept.question, kept.outcome) == ("intranet", "api:intranet", QUESTION, "answered")


def test_a_follow_up_and_filters_are_taken_as_in_the_chat(api: Served) -> None:
    client = api.client(api.tokens.create("bot-followup"))
    first = client.post("/v1/ask", json={"question": QUESTION}).json()
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}]
    followup = client.post("/v1/ask", json={"question": "And who gave the closing remarks?", "history": history}).json()
    assert QUESTION.rstrip("?") in followup["standalone_question"]
    filtered = client.post(
        "/v1/ask", json={"question": QUESTION, "filters": {"kinds": ["position paper"]}}
    ).json()
    assert {p["source"] for p in filtered["passages"]} <= {
        "call-for-recognition-of-clusters-in-recovery-initiatives.txt",
        "industrial-clusters-for-an-innovative-and-competitive-europe.txt",
        "reinforcing-clusters-in-the-i3-initiative.txt",
    }
    unknown = client.post("/v1/ask", json={"question": QUESTION, "filters": {"documents": ["no-such-paper.pdf"]}})
    assert unknown.status_code == 400
    assert unknown.json()["error"].startswith("document filter: nothing indexed is “no-such-paper.pdf”")
    searched = client.get("/v1/passages", params={"q": "clusters", "kind": "press release"})
    assert searched.status_code == 400 and searched.json()["error"].startswith("kind filter: nothing indexed is")


def events_of(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_streaming_delivers_the_same_answer_as_one_response(api: Served) -> None:
    client = api.client(api.tokens.create("streamer"))
    whole = client.post("/v1/ask", json={"question": QUESTION}).json()
    with client.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = events_of(response.read().decode())
    assert [name for name, _ in events[:-1]] == ["token"] * (len(events) - 1) and events[-1][0] == "result"
    assert "".join(data["text"] for _, data in events[:-1]) == whole["answer"]
    assert events[-1][1]["answer"] == whole["answer"] and events[-1][1]["citations"] == whole["citations"]


def test_bad_input_gets_a_4xx_that_names_the_field(api: Served) -> None:
    client = api.client(api.tokens.create("careless-script"))
    broken = client.post("/v1/ask", content=b'{"question": "unfinished', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "JSON" in broken.json()["error"]
    empty = client.post("/v1/ask", json={"question": ""})
    assert empty.status_code == 422 and empty.json()["error"].startswith("question:")
    blank = client.post("/v1/ask", json={"question": "   "})
    assert blank.status_code == 400 and "empty" in blank.json()["error"]
    too_long = client.post("/v1/ask", json={"question": "why " * 2000})
    assert too_long.status_code == 422 and too_long.json()["error"].startswith("question:")
    assert "4000" in too_long.json()["error"]
    wrong_turn = client.post("/v1/ask", json={"question": QUESTION, "history": [{"role": "moderator", "content": "x"}]})
    assert wrong_turn.status_code == 422 and wrong_turn.json()["error"].startswith("history.0.role:")
    no_query = client.get("/v1/passages")
    assert no_query.status_code == 422 and no_query.json()["error"].startswith("q:")


def test_past_the_rate_a_token_gets_429_with_retry_after(serve: Callable[..., Served]) -> None:
    limited = serve(api_requests_per_minute=2)
    client = limited.client(limited.tokens.create("busy-bot"))
    assert [client.get("/v1/documents").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/v1/documents")
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "retry in" in refused.json()["error"]
    other = limited.client(limited.tokens.create("other-bot"))
    assert other.get("/v1/documents").status_code == 200, "the limit is per token"


def test_passages_and_documents(api: Served) -> None:
    client = api.client(api.tokens.create("search-page"))
    documents = client.get("/v1/documents").json()["documents"]
    assert len(documents) == 5 and all(d["title"] and d["passages"] > 0 for d in documents)
    found = client.get("/v1/passages", params={"q": "Breton moderator", "k": 3, "kind": "minutes"}).json()
    assert [p["rank"] for p in found["passages"]] == [1, 2, 3]
    assert {p["kind"] for p in found["passages"]} == {"minutes"}
    text = (PROJECT_ROOT / "corpus" / found["passages"][0]["source"]).read_text(encoding="utf-8")
    assert found["passages"][0]["text"] in text, "passages are verbatim"


def test_the_openai_client_gets_a_cited_answer_streamed_or_not(api: Served) -> None:
    client = openai.OpenAI(base_url=f"{api.url}/v1", api_key=api.tokens.create("chat-front-end"), max_retries=0)
    assert [m.id for m in client.models.list().data] == ["policy-assistant"]
    messages = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": QUESTION}]
    completion = client.chat.completions.create(model="policy-assistant", messages=messages)
    content = completion.choices[0].message.content or ""
    assert "Teodora Jilkova" in content and "[1]" in content
    sources = content.split("\n\nSources:\n", 1)[1]
    assert sources.startswith("[1] “") and "minutes-clusters-for-next-generation-eu-2020-06-30.txt" in sources
    streamed = client.chat.completions.create(model="policy-assistant", messages=messages, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in streamed) == content
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{api.url}/v1", api_key="eca_wrong", max_retries=0).models.list()


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT, env=os.environ.copy(),
    )


def test_an_admin_creates_a_token_serves_the_api_and_revokes_it_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "ingest").returncode == 0
    created = run_cli(data, "token", "create", "intranet")
    assert created.returncode == 0
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("eca_") and token not in (data / "records.sqlite").read_bytes().decode("latin-1")
    assert run_cli(data, "token", "create", "intranet").returncode == 1, "names are unique"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--data-dir", str(data), "serve", "--port", str(port)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the API did not start"
            time.sleep(0.2)
        assert "/v1/ask" in httpx.get(f"{url}/openapi.json").json()["paths"]
        headers = {"Authorization": f"Bearer {token}"}
        answer = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, headers=headers, timeout=120).json()
        assert answer["outcome"] == "answered" and answer["citations"]
        assert run_cli(data, "token", "revoke", "intranet").returncode == 0
        assert httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, headers=headers, timeout=60).status_code == 401
        listed = run_cli(data, "token", "list").stdout
        assert "intranet" in listed and "revoked" in listed and token not in listed
        audit = run_cli(data, "audit").stdout
        assert "api:intranet  ask" in audit and "token revoke  intranet" in audit
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_two_api_instances_on_one_postgresql_share_tokens_and_one_audit_log(
    serve: Callable[..., Served], postgres_server: str
) -> None:
    from tests.postgres import fresh_database

    database = fresh_database(postgres_server)
    first, second = serve(database_url=database), serve(database_url=database)
    assert first.settings.data_dir != second.settings.data_dir
    token = first.tokens.create("teams-bot")
    assert second.client(token).post("/v1/ask", json={"question": QUESTION}).json()["outcome"] == "answered"
    assert first.client(token).get("/v1/documents").status_code == 200
    first.tokens.revoke("teams-bot")
    assert second.client(token).get("/v1/documents").status_code == 401
    actions = [(e.who, e.action) for e in open_records(first.settings).audit.entries()]
    assert actions[:2] == [("api:teams-bot", "ask"), ("api:teams-bot", "documents")]


def test_32_concurrent_questions_each_get_their_own_answer(serve: Callable[..., Served], corpus_assistant: PolicyAssistant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    served = serve(api_requests_per_minute=1000)
    token = served.tokens.create("load")
    questions = [QUESTION, "What does EAAC stand for?", "Where will the Baltic Battery Summit take place?", "Who is Commissioner Breton?"] * 8
    expected = {q: corpus_assistant.ask(q).to_json() for q in set(questions)}

    def ask(question: str) -> tuple[str, dict]:
        with served.client(token) as client:
            response = client.post("/v1/ask", json={"question": question})
            assert response.status_code == 200, response.text
            return question, response.json()

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(ask, questions))
    assert len(answers) == 32
    for question, result in answers:  # no answer crossed over to another question
        assert result["question"] == question
        assert (result["answer"], result["outcome"]) == (expected[question]["answer"], expected[question]["outcome"])
    assert len([q for q in open_records(served.settings).questions.entries() if q.user == "load"]) == 32

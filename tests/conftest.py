"""Shared fixtures: real embedding model, real Chroma on temporary folders, real PDFs made by the tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from tests.fake_openai import FakeOpenAI
from tests.postgres import running_postgres
from tests.servers import running_chroma_server
from tests.browsing import browser  # noqa: F401  (the module-scoped Chromium every browser test uses)

CORPUS = PROJECT_ROOT / "corpus"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of the real llama.cpp server run last: llama-cpp-python compiles in the background meanwhile."""
    items.sort(key=lambda item: item.path.name == "test_llama_server.py")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's index or reaches a real model endpoint through the environment."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "default-data"))
    for name in (
        "OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT", "CHROMA_TOKEN", "ASSISTANT_CORPUS_DIR",
        "ASSISTANT_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embeddings() -> LocalEmbeddings:
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    model = LocalEmbeddings()
    model.embed_query("warm up")
    return model


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh, empty index over a copy of the real corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("corpus-index"))


@pytest.fixture(scope="session")
def corpus_assistant(corpus_settings: Settings, embeddings: LocalEmbeddings) -> Iterator[PolicyAssistant]:
    """The real pipeline over the real corpus, ingested once for the session (read-only in tests)."""
    report = Ingestor(corpus_settings, embeddings).run()
    assert report.ok, report.failures
    assistant = PolicyAssistant(corpus_settings, embeddings)
    yield assistant
    assistant.store.close()


def indexed_sources(settings: Settings) -> dict[str, int]:
    """Indexed documents and their chunk counts, read from the store."""
    from assistant.index.store import Store

    store = Store(settings.store_path)
    try:
        return {d.source: d.chunk_count for d in store.documents()}
    finally:
        store.close()


def write_text_pdf(path: Path, pages: list[str]) -> Path:
    """A real PDF with one text page per entry (fpdf2), readable by pypdf."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A PDF whose page has only drawings, no text layer (like a scan)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    for row in range(10):
        pdf.rect(20, 20 + row * 12, 170, 6, style="F")
    pdf.output(str(path))
    return path


def write_encrypted_pdf(path: Path, text: str, user_password: str) -> Path:
    """A text PDF encrypted with pypdf (AES-256); an empty user password opens it without asking."""
    from pypdf import PdfReader, PdfWriter

    plain = write_text_pdf(path.with_suffix(".plain.pdf"), [text])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    return path


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A protocol-faithful OpenAI-compatible server on loopback, scripted by each test."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for the session (tests make their own databases: ``tests.postgres.fresh_database``)."""
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real `chroma run` server on loopback for the session; its port (tests use their own collections)."""
    with running_chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port

"""The documentation names only what exists: every `python -m` command's module (and the assistant's subcommands),
every file path of the repository it mentions."""

import argparse
import importlib.util
import re

import pytest

from assistant.cli import build_parser
from assistant.settings import PROJECT_ROOT

DOCUMENTS = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "evals" / "FORMAT.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"python -m ([a-z_][\w.]*)(?: ([a-z][\w-]*))?")
PATH = re.compile(r"(?<![\w/.-])((?:assistant|evals|tests|scripts|docs|\.ci)/[\w./*-]*[\w*]|app\.py|ingest\.py|Makefile)")


def mentions(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    return [(document.name, match) for document in DOCUMENTS for match in pattern.finditer(document.read_text())]


def test_the_documentation_pages_exist_and_are_linked_from_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    for page in (PROJECT_ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in readme, f"{page.name} is not linked from the README"


@pytest.mark.parametrize(("document", "match"), mentions(COMMAND), ids=lambda v: v if isinstance(v, str) else v.group(0))
def test_every_python_m_command_runs_a_module_that_exists(document: str, match: re.Match[str]) -> None:
    module, subcommand = match.group(1), match.group(2)
    if not module.startswith(("assistant", "evals")):
        return  # a third-party server (llama_cpp.server): its package is a test requirement
    assert importlib.util.find_spec(module) is not None, f"{document}: no module {module}"
    if module == "assistant" and subcommand:
        commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
        assert subcommand in commands, f"{document}: python -m assistant has no command {subcommand!r}"


@pytest.mark.parametrize(("document", "match"), mentions(PATH), ids=lambda v: v if isinstance(v, str) else v.group(0))
def test_every_path_named_in_the_documentation_exists(document: str, match: re.Match[str]) -> None:
    path = match.group(1).rstrip(".")
    assert list(PROJECT_ROOT.glob(path)) or (PROJECT_ROOT / path).exists(), f"{document} names {path}, which does not exist"


def test_the_langchain_example_of_the_api_page_runs(corpus_assistant, corpus_settings, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # corpus_assistant: the session's index is built; the example opens its own assistant on it
    page = (PROJECT_ROOT / "docs" / "api.md").read_text()
    example = next(block for block in re.findall(r"```python\n(.*?)```", page, re.S) if "as_retriever" in block)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus_settings.corpus_dir))
    exec(compile(example, "docs/api.md", "exec"), {"__name__": "docs_example"})
    printed = capsys.readouterr().out
    assert printed.startswith("Answer from these sources only") and "[1] " in printed and "Teodora Jilkova" in printed

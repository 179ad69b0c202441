"""Helpers for tests that start real servers (llama.cpp, Chroma, Streamlit) on loopback ports."""

import importlib.util
import time

import pytest

from assistant.settings import PROJECT_ROOT
from evals.servers import free_port, running_chroma_server, wait_until_up

__all__ = ["free_port", "running_chroma_server", "wait_for_llama_cpp", "wait_until_up"]

LLAMA_BUILD = PROJECT_ROOT / ".venv" / "llama-build"


def wait_for_llama_cpp(timeout_s: float = 45 * 60) -> None:
    """llama-cpp-python compiles in the background while the suite runs (scripts/build-llama.sh): wait for it,
    or fail naming what went wrong."""
    done, failed, log = (LLAMA_BUILD.with_suffix(suffix) for suffix in (".done", ".failed", ".log"))
    deadline = time.monotonic() + timeout_s
    while not done.exists():
        if failed.exists():
            pytest.fail(f"compiling llama-cpp-python failed ({log}):\n{log.read_text()[-3000:]}")
        if not log.exists():
            if importlib.util.find_spec("llama_cpp") is not None:
                return  # installed some other way
            pytest.fail("llama-cpp-python is not installed: run `make test` (or `bash scripts/build-llama.sh`)")
        if time.monotonic() > deadline:
            pytest.fail(f"llama-cpp-python was still compiling after {timeout_s / 60:.0f} minutes ({log})")
        time.sleep(5)

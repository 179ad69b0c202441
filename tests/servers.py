"""Helpers for tests that start real servers (llama.cpp, Chroma, Streamlit) on loopback ports."""

from evals.servers import free_port, running_chroma_server, wait_until_up

__all__ = ["free_port", "running_chroma_server", "wait_until_up"]

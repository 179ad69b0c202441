"""Serving the assistant to other tools: the HTTP API (FastAPI), with bearer tokens and every call audited.

May import: assistant.pipeline, assistant.records, assistant.answering, assistant.search and the base modules.
"""

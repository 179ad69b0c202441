"""The assistant's named errors; each message says what went wrong and what to do."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class DocumentError(AssistantError):
    """A source document could not be read; carries the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IndexMismatchError(AssistantError):
    """The index was built with another embedding model than the one configured."""


class IndexLockedError(AssistantError):
    """Another ingest is running on the same index."""


class ModelUnavailable(AssistantError):
    """The configured model endpoint could not produce an answer."""


class QuestionError(AssistantError):
    """The question cannot be answered as given (empty, only control characters)."""

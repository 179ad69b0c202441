"""Numbers and dates as documents write them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.text.wordlists import MONTHS

MONTH_OF = {word: n for n, names in enumerate(MONTHS, start=1) for word in names.split()}
"""A month's number from its name or abbreviation in any of the languages of ``MONTHS``."""


def iter_numbers(text: str) -> Iterator[str]:
    """Numbers as written (``740``, ``134,000``, ``61.8``, ``23.4%``), for checking that figures are grounded."""
    for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
        yield match.group().rstrip(".,")


def number_key(number: str) -> str:
    """A comparable form of a written number: separators dropped (``112.000`` and ``112,000`` compare equal)."""
    return re.sub(r"[.,\s]", "", number)

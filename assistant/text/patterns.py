"""Character patterns more than one package needs, each written once."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, line feed and carriage return (C0, DEL and C1): never text."""

YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?![\w.,]\d)")
"""A year standing on its own: not part of a longer number ("12019", "1,2020") or a decimal."""

ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
"""A number with its ordinal suffix ("30th")."""

LIST_MARK = re.compile(r"^(?:[-*•–·]\s+|\(?\d{1,2}[.)]\s+)")
"""A list item's bullet or number."""

LETTERED_LIST_MARK = re.compile(r"^(?:[-*•–·]\s+|\(?\d{1,2}[.)]\s+|\(?[a-z][.)]\s+)")
"""A list item's bullet, number or letter ("a)", "(b)"): where a document's line structure is read."""

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ().-]{6,}\d")
"""An e-mail address and a phone number as written in a document's contact lines."""

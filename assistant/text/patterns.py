"""Character patterns more than one package needs, each written once."""

from __future__ import annotations

import re

from assistant.text.wordlists import MONTHS

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, line feed and carriage return (C0, DEL and C1): never text."""

YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?![\w.,]\d)")
"""A year standing on its own: not part of a longer number ("12019", "1,2020") or a decimal."""

ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
"""A number with its ordinal suffix ("30th")."""

BULLETS = "-*•–·◦▪▫■□●○►▸‣⁃➢✓✔\uf0a7\uf0b7\uf0d8"
"""List bullets as typed, and as word processors' symbol fonts come out of PDF extraction."""

LIST_MARK = re.compile(rf"^(?:[{re.escape(BULLETS)}]\s+|\(?\d{{1,2}}[.)]\s+)")
"""A list item's bullet or number."""

_TIME = r"\d{1,2}[:.h]\d\d"
_AGENDA_TIME = re.compile(rf"(?:\d{{1,2}}[:h]\d\d|{_TIME}\s*[-–—]\s*{_TIME})\s+(?=\S)")
"""An agenda item's time or time slot ("09:30 - 09:45 Welcome …", "14h00 Opening"); a dotted time only as a slot,
where "12.50 euros" is a price."""

LETTERED_LIST_MARK = re.compile(
    rf"^(?:[{re.escape(BULLETS)}]\s+|\(?\d{{1,2}}[.)]\s+|\(?[a-z][.)]\s+|\(?[ivx]{{2,5}}\)\s+|{_AGENDA_TIME.pattern})"
)
"""A list item's bullet, number, letter or roman number ("a)", "(b)", "(iii)"), or an agenda item's time: where a
document's line structure is read."""

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ().-]{6,}\d")
"""An e-mail address and a phone number as written in a document's contact lines."""

_CONTACT_LABEL = re.compile(r"^(?:e-?mail|tel|telephone|phone|mobile|fax|web|website|address)\s*:", re.IGNORECASE)

CONTACT_LINE_WORDS = 12
"""A contact detail's line is short ("Mobile: +34 …", "Contact: Piotr Zielinski, defence@…"); a longer line that
holds an address is a sentence, and the short line above it may be a heading."""


def is_contact_line(line: str) -> bool:
    """An e-mail address, a phone number or a labelled contact detail ("Mobile: +34 …"): data of a contact or
    signature block, never a heading; and the short line above one is the name it belongs to, not a heading."""
    stripped = line.strip()
    in_a_sentence = len(stripped.split()) > CONTACT_LINE_WORDS  # "The alliance will discuss … Contact: …@…."
    return bool(
        _CONTACT_LABEL.match(stripped) or (EMAIL_ADDRESS.search(stripped) and not in_a_sentence)
        or PHONE_NUMBER.fullmatch(stripped)
    )


def holds_contact(text: str) -> bool:
    """Whether any line of the text is a contact line."""
    return any(is_contact_line(line) for line in text.split("\n"))


POSTAL_ADDRESS = re.compile(
    r"\b(?:Avenue|Av\.|Rue|Street|Road|Rd\.|Square|Boulevard|Bd\.|Lane|Strasse|Straße|Via|Viale|Calle|Plaza|"
    r"Carrer|Rua|Ulica|ul\.)\s[^,\n]{0,40}?\d+\w?\b"
    r"|\b\d+\w?,?\s(?:[A-Z][\w'’-]*\s){0,3}(?:Avenue|Rue|Street|Road|Square|Boulevard|Lane)\b"
    r"|,\s*(?:[A-Z]{1,2}-)?(?!(?:19|20)\d\d\b)\d{4,5}\s+[A-Z][\w'’-]+"
)
"""A street with its number ("Avenue des Arts 56", "10 Downing Street") or a postcode and city after a comma
(", 1000 Brussels"; not a year: "jobs, 2020 European Panorama"), as an address is written in contact lines."""


_ENGLISH_MONTHS = tuple(names.split()[0].capitalize() for names in MONTHS)

_BYLINE = re.compile(
    r"(?i:authors?|editors?|rapporteurs?)\s*:$"  # the names are listed under it
    r"|(?:(?i:authors?|editors?|rapporteurs?)\s*:|(?i:(?:prepared|drafted|written|compiled|edited|authored)\s+by)\s*:?)"
    r"\s+(?:the\s+)?(?:[A-Z]|[a-z][\w'’-]*+(?!,)|[\[\"'“])"
    r"|(?i:by)\s+(?:the\s+)?(?!(?:" + "|".join(_ENGLISH_MONTHS) + r")\b)[A-Z][\w'’.-]*+(?!,)"
)
"""A line that says who wrote the document: "Author: …" (or "Authors:" above a list of them), "Prepared by …",
"Drafted by the secretariat", or a bare "By Jan Novak" (a capitalised name, no comma after its first word, no month:
"By contrast, …" and "By March 2025 the Commission …" are sentences; so is "Prepared by hand, …")."""

_BYLINE_WORDS = 20
"""A byline is a line, not a sentence that happens to open the same way."""


def is_byline(line: str) -> bool:
    """A line naming the document's author or authors: never a heading, and a line of its own under the title."""
    stripped = line.strip().lstrip("#*_ ").rstrip("*_ ")
    return (
        bool(_BYLINE.match(stripped)) and len(stripped.split()) <= _BYLINE_WORDS and not stripped.endswith(("!", "?"))
    )

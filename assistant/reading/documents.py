"""Reading source files (text, Markdown, PDF), cleaning their text and describing them from the catalog."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from typing import Any

from assistant.errors import DocumentError
from assistant.text.patterns import CONTROL_CHARACTERS, LETTERED_LIST_MARK, is_byline, is_contact_line
from assistant.text.numbers import MONTH_OF
from assistant.text.sentences import (
    HTML_TABLE_LINE, NOTE_MARK_AFTER_AN_END, ends_mid_sentence, is_formula_line, spaced_table_runs,
)
from assistant.text.terms import SUPERSCRIPT_DIGITS
from assistant.text.wordlists import MONTH_NAMES, STOP_WORDS

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")
CATALOG_NAME = "catalog.json"
KINDS = ("position paper", "annex", "minutes", "document")

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class DocumentInfo:
    """What the catalog (or the file itself) says about a document."""

    title: str
    kind: str = "document"
    date: str | None = None


@dataclass(frozen=True)
class SourceDocument:
    """A cleaned document ready to chunk: its text is the stored, quotable form."""

    source: str
    """Path relative to the corpus folder, with forward slashes."""
    text: str
    info: DocumentInfo
    sha256: str
    page_starts: tuple[int, ...] = ()
    """For PDFs, the character offset where each page (1, 2, …) begins in ``text``; empty otherwise."""
    warnings: tuple[str, ...] = field(default=())

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for documents without pages."""
        return page_at(self.page_starts, offset)


def page_at(page_starts: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding ``offset`` given where each page begins, or None for a document without pages."""
    if not page_starts:
        return None
    page = 1
    for number, start in enumerate(page_starts, start=1):
        if start <= offset:
            page = number
    return page


# --- cleaning ----------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_BOLD_LINE = re.compile(
    r"^[ \t]*(\*\*|__)(?=\S)[^\n]+?(?<=\S)\1[ \t]*$(?![ \t]*\n(?:[ \t]*\n)?[ \t]*:[ \t]+\S)", re.MULTILINE
)
# "<table><tr><td>…</td></tr><tr>…": each row of a table written in HTML on a line of its own, quoted as a row
_HTML_ROW_ON_A_LINE = re.compile(r"(?<=>)[ \t]*(?=<(?:tr|/table|/tbody|tbody|thead|/thead)\b)", re.IGNORECASE)
_HTML_CELL_LINE = re.compile(r"</?t[dh]\b|</tr\b", re.IGNORECASE)
# ": A region's plan …" under "Smart specialisation strategy (S3)": the definition of a Markdown definition list,
# one unit with its term (a blank line may part them)
_DEFINITION_UNDER_TERM = re.compile(r"(?<=\S)[ \t]*\n[ \t]*\n(?=[ \t]*:[ \t]+\S)")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_TERMINAL = (".", "!", "?", ":", ";", ",", "…")


def is_list_item(line: str) -> bool:
    return bool(LETTERED_LIST_MARK.match(line))


def looks_like_heading(line: str) -> bool:
    """A short stand-alone line that names what follows (title case or sentence case, no closing full stop)."""
    stripped = line.strip().lstrip("#").strip()
    if not stripped or is_list_item(line) or len(stripped) > 120:
        return False
    word_count = len(stripped.split())
    if word_count > 15 or stripped.endswith((".", ",", ";", "…")):
        return False
    if stripped.endswith(":"):
        before_colon = stripped[:-1].split()
        if word_count > 6 or (before_colon and before_colon[-1].lower() in STOP_WORDS):
            return False  # a sentence leading into a list ("We therefore ask the Commission to:"), not a heading
    first = stripped[0]
    return (first.isupper() or first.isdigit()) and any(c.isalpha() for c in stripped)


def clean_text(raw: str) -> str:
    """Quotable text: hyphenation at line ends joined, wrapped lines joined, emphasis markers dropped, spaces collapsed.

    Paragraphs stay separated by a blank line and list items by a line break, so structure survives cleaning.
    """
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = CONTROL_CHARACTERS.sub("", text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = without_contents_list(text)
    text = _DEFINITION_UNDER_TERM.sub("\n", text)
    text = _HTML_ROW_ON_A_LINE.sub("\n", text)
    # A line set in bold on its own ("**How do we apply?**" above its answer) is a heading in Markdown's plain
    # writing: it keeps a block of its own, where the emphasis dropped below would join it to the next line.
    text = _BOLD_LINE.sub(lambda bold: f"\n{bold.group().strip()}\n", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    blocks: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        blocks.extend(_clean_block(block))
    return "\n\n".join(blocks)


_CONTENTS_ENTRY = re.compile(r"^[ \t]*\S.*?(?:(?:[ \t]*[.·]){4,}|…{2,})[ \t]*(?:\d{1,4}|[ivxlcdm]{1,7})[ \t]*$", re.IGNORECASE)
"""A line of a table of contents: a title, a leader of dots and a page number ("2. Skills ........ 2")."""


def without_contents_list(text: str) -> str:
    """The text without its table of contents: runs of two or more lines giving a title, leader dots and a page
    number, with the short heading right above a run ("Contents"). They point at pages of the printed document;
    quoted, "3. Data spaces and SMEs ....... 3" would answer a question about what the section says."""
    lines = text.split("\n")
    entries = [index for index, line in enumerate(lines) if _CONTENTS_ENTRY.match(line)]
    dropped: set[int] = set()
    run: list[int] = []
    for index in [*entries, None]:
        if run and (index is None or any(lines[between].strip() for between in range(run[-1] + 1, index))):
            if len(run) >= 2:
                dropped.update(range(run[0], run[-1] + 1))
                above = run[0] - 1
                while above >= 0 and not lines[above].strip():
                    above -= 1
                if above >= 0 and len(lines[above].split()) <= 4 and looks_like_heading(lines[above]):
                    dropped.add(above)
            run = []
        if index is not None:
            run.append(index)
    return "\n".join(line for index, line in enumerate(lines) if index not in dropped) if dropped else text


def _clean_block(block: str, width: int = 0) -> list[str]:
    """A block's paragraphs, headings and lines. ``width`` is the longest line of the block this part was split
    from: wrapped prose breaks near it, so a line is short or long against the whole page, not the part left."""
    lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return []
    longest = max(width, *(len(line) for line in lines))
    dated = next((i for i, line in enumerate(lines) if len(lines) > 1 and is_date_line(line)
                  and not (i and _sentence_goes_on(lines[i - 1], longest))), None)
    if dated is not None:
        # A date line keeps its own block (PDF extraction drops the blank lines around "Brussels, 3 March 2021").
        before, after = "\n".join(lines[:dated]), "\n".join(lines[dated + 1:])
        return _clean_block(before, longest) + [lines[dated]] + _clean_block(after, longest)
    capitals = len(list(takewhile(_in_capitals, lines)))
    if 0 < capitals < len(lines) and looks_like_heading(lines[capitals]):
        # "TERMS OF REFERENCE" above "Working Group on Skills": a title set in capitals is a heading of its own
        return [" ".join(lines[:capitals])] + _clean_block("\n".join(lines[capitals:]), longest)
    tables = spaced_table_runs(lines) or _abbreviation_runs(lines)
    if tables:
        # "Webinars 7 11" under "Indicator 2021 2022": rows of a table whose columns PDF extraction only spaces
        # apart stay lines of one paragraph, read under the first row's column names, not headings one by one; so
        # do the rows of a list of abbreviations ("SME Small and medium-sized enterprise").
        first, end = tables[0]
        before = lines[:first]
        title = [before.pop().lstrip("# ").strip()] if before and _titles_table(before[-1]) else []
        rows = ["\n".join(lines[first:end])]
        return _clean_block("\n".join(before), longest) + title + rows + _clean_block("\n".join(lines[end:]), longest)
    formula = next((i for i in range(len(lines) - 1) if _letter_formula(lines, i, longest)), None)
    if formula is not None:
        # "Dear Commissioner," and "Yours sincerely," keep a line of their own (PDF extraction drops the blank lines
        # of a letter); a signature's short lines under a closing stay lines: the name, the role, the organisation.
        after = lines[formula + 1:]
        if all(len(line.split()) <= 8 and not line.endswith(_TERMINAL) for line in after):
            return _clean_block("\n".join(lines[:formula]), longest) + ["\n".join(lines[formula:])]
        before = _clean_block("\n".join(lines[:formula]), longest)
        return before + [lines[formula]] + _clean_block("\n".join(after), longest)
    heading = next((
        i for i in range(len(lines) - 1)
        # "4. Work plan 2021–2022" on a short line above a sentence: a numbered heading, not a list item wrapping
        if _glued_heading(lines, i, longest)
        or (_numbered_heading_line(lines[i], longest) and (
            lines[i + 1][:1].isupper() or heads_its_subsections(lines[i], lines[i + 1])
        ))
        or (i == 0 and _titles_list(lines))
    ), None)
    if heading is not None:
        # "Summary" or "What we ask for" on its own short line above a paragraph: PDF extraction drops the blank
        # line after a heading, and joining it would make the heading the start of the paragraph's first sentence.
        before = _clean_block("\n".join(lines[:heading]), longest)
        return before + [lines[heading].lstrip("# ").strip()] + _clean_block("\n".join(lines[heading + 1:]), longest)
    if len(lines) > 1 and lines[-2].endswith(_TERMINAL) and looks_like_heading(lines[-1]):
        # A heading glued under the previous paragraph (PDF extraction drops the blank line between them).
        return _clean_block("\n".join(lines[:-1]), longest) + [lines[-1].lstrip("# ").strip()]
    joined: list[str] = []
    for line in lines:
        # a row of a table written in HTML keeps a line, its cells on the lines under "<tr>" joined to it
        in_html_row = bool(_HTML_CELL_LINE.match(line))
        table_row = line.startswith("|") or bool(joined and joined[-1].startswith("|")) or (not in_html_row and (
            bool(HTML_TABLE_LINE.match(line)) or bool(joined and HTML_TABLE_LINE.match(joined[-1]))
        ))
        # A contact line keeps a line of its own, unless the line before breaks off mid-sentence: then it carries
        # that sentence on ("… with the Directorate-General for Defence Industry and" / "Space at a roundtable on
        # 12 June 2024. Contact: …@…").
        wrapped = bool(joined and ends_mid_sentence(joined[-1]))
        line_before = joined[-1].rsplit("\n", 1)[-1] if joined else ""
        contact = (is_contact_line(line) and not wrapped) or is_contact_line(line_before)
        labelled = bool(joined and _LABEL.match(line) and (
            joined[-1].endswith((".", ")", "!", "?")) or _LABEL.match(joined[-1])
        ))
        # A byline ("Drafted by the Digital Task Force") is a line of the title block, as is the line under it.
        byline = not wrapped and (is_byline(line) or is_byline(line_before))
        # "1.2 Clusters represent …" after a sentence's end: the next numbered paragraph, not wrapped text.
        numbered_paragraph = bool(joined and _SUBSECTION_NUMBER.match(line) and joined[-1].endswith(_TERMINAL))
        # "Position of the European Clusters Alliance, 21 October 2024" ends the title block: the sentence under it
        # is no part of it
        after_a_date = bool(joined and _ENDS_ON_A_DATE.search(joined[-1]) and line[:1].isupper())
        opens_a_line = (
            is_list_item(line) or line.startswith("#") or contact or table_row or labelled or byline
            or numbered_paragraph or after_a_date
        )
        if joined and not opens_a_line:
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return ["\n".join(joined)]


_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\S)")
_SUBSECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+(?=\S)")
"""A numbered subsection or paragraph ("1.2 Clusters represent …", "2.1.3 …")."""
_LABEL = re.compile(r"[A-Z][\w'-]*(?: [\w'-]+){0,2}: \S")
"""A line opening with a label ("Apologies: …", "Next meeting: …"): after a line that ends a sentence or a
parenthesis, or after another labelled line ("Deadline for nominations: 9 June 2023" above "Expected start: …"), it
starts an entry of its own (minutes list who was present, who sent apologies, the next meeting), where a line of
wrapped text goes on with the one before."""


_ABBREVIATION_ROW = re.compile(r"([A-Z][A-Z0-9&-]{1,9})\s+([A-Za-z][\w'’-]*(?:\s+[\w'’()-]+){0,9})")
"""A row of a list of abbreviations: the short form, then its long form ("IPCEI Important Project of Common European
Interest"), which the glossary checks letter by letter."""
_ABBREVIATION_ROWS = 2


def _abbreviation_runs(lines: list[str]) -> list[tuple[int, int]]:
    """Where ``lines`` hold a list of abbreviations, as (first, end) line indexes: two or more rows in a row, each
    long form starting with its short form's first letter."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, line in enumerate([*lines, ""]):
        row = _ABBREVIATION_ROW.fullmatch(line)
        if row and row.group(2)[0].lower() == row.group(1)[0].lower() and not line.endswith(_TERMINAL):
            start = index if start is None else start
            continue
        if start is not None and index - start >= _ABBREVIATION_ROWS:
            runs.append((start, index))
        start = None
    return runs


_SHORT_LINE = 40
"""Characters under which a line is no line of wrapped prose, whatever the block's width."""


def _sentence_goes_on(line: str, longest: int) -> bool:
    """A line that leaves its sentence for the next line: it ends on a comma or a word such as "on", or on a
    lower-case word near the full width (wrapped prose); a short title line ("Board meeting - draft agenda") does
    not."""
    last = line.rstrip().rsplit(" ", 1)[-1].lower()
    wrapped = len(line) >= max(_SHORT_LINE, 0.6 * longest)
    return ends_mid_sentence(line) and (line.rstrip().endswith(",") or last in STOP_WORDS or wrapped)


def heads_its_subsections(line: str, following: str) -> bool:
    """"1. Context" right above "1.1 The Commission presented …": a section's heading, numbered as the subsections
    or numbered paragraphs under it are, not the first of a numbered list."""
    parent, child = _NUMBERED.match(line), _NUMBERED.match(following)
    if not parent or not child:
        return False
    parent_number, child_number = parent.group().strip().rstrip("."), child.group().strip().rstrip(".")
    return child_number.startswith(f"{parent_number}.") and _short_title(line[parent.end():])


def _numbered_heading_line(line: str, longest: int) -> bool:
    numbered = _NUMBERED.match(line)
    if not numbered or "\n" in line or len(line) >= 0.6 * longest or longest < 40:
        return False
    title = line[numbered.end():]
    return len(title.split()) <= 10 and looks_like_heading(title) and not title.rstrip().endswith(":")


def _letter_formula(lines: list[str], index: int, longest: int) -> bool:
    """A letter's opening or closing line ("Dear Commissioner,", "Yours sincerely,"): a short line ending in a comma
    after the end of a sentence (or at the block's start, or under a short line such as the addressee), above a line
    that starts anew. Wrapped prose breaks near the full width of the page, so a short line ending in a comma inside
    a paragraph is no formula."""
    line, following = lines[index], lines[index + 1]
    before = lines[index - 1] if index else ""
    return (
        is_formula_line(line)
        and (longest < 40 or len(line) < 0.6 * longest)
        and (not before or before.endswith((".", "!", "?", ":")) or len(before) < 0.6 * longest)
        and (following[:1].isupper() or following[:1].isdigit())
    )


def _titles_list(lines: list[str]) -> bool:
    """A short line above nothing but list items, ending no sentence and leading into nothing ("Budget 2025" above
    "- Income: EUR 410,000", a slide's title above its bullets): the heading of the list, not its first line."""
    return len(lines) > 1 and all(is_list_item(line) for line in lines[1:]) and _short_title(lines[0])


def _in_capitals(line: str) -> bool:
    """A line whose letters are all capitals, at least four of them ("TERMS OF REFERENCE", "MEMBERSHIP STATISTICS
    2024"), not a short acronym among figures ("EUR 300")."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def _titles_table(line: str) -> bool:
    """A short line right above a table ("4. Key figures"), ending no sentence: its heading."""
    return _short_title(line[_NUMBERED.match(line).end():] if _NUMBERED.match(line) else line)


def _short_title(line: str) -> bool:
    """A heading of at most ten words that ends no sentence."""
    return len(line.split()) <= 10 and not line.endswith(_TERMINAL) and looks_like_heading(line)


def _glued_heading(lines: list[str], index: int, longest: int) -> bool:
    """A short heading-like line that ends what came before and starts what follows, in a block of longer lines;
    several such lines in a row ("Brussels, Belgium" above "To the Commissioner …" above the letter) each keep
    their own line."""
    line, following = lines[index], lines[index + 1]

    def short(candidate: str) -> bool:
        return (
            looks_like_heading(candidate) and not candidate.endswith(":") and len(candidate.split()) <= 10
            and len(candidate) < 0.6 * longest
        )

    return (
        short(line)
        and not is_contact_line(line) and not is_contact_line(following)  # a contact's name and details are no heading
        and longest >= 40  # a paragraph below, not a title wrapped over two short lines
        # after a sentence (with its note mark: "… contractors.¹"), a short line, or a subtitle closing on its
        # acronym ("… Strategy (EDIS)")
        and (
            index == 0 or lines[index - 1].endswith((*_TERMINAL, ")"))
            or bool(NOTE_MARK_AFTER_AN_END.search(lines[index - 1])) or short(lines[index - 1])
        )
        and (len(following) >= 0.6 * longest or is_list_item(following) or short(following))
        and (following[:1].isupper() or following[:1].isdigit() or is_list_item(following))
    )


# --- reading -----------------------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """Text of a .txt/.md file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), warnings
        except UnicodeDecodeError as exc:
            raise DocumentError(source, f"not valid UTF-16 text despite its byte-order mark ({exc.reason})") from exc
    if b"\x00" in data[:4096]:
        raise DocumentError(source, "binary data, not text (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), warnings
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 1000):
            raise DocumentError(source, f"not UTF-8 text and not Latin-1/Windows-1252 either (byte {exc.start})") from exc
        warnings.append(f"not valid UTF-8 (byte {exc.start}); read as Latin-1/Windows-1252")
        return text, warnings


def read_pdf_pages(path: Path, source: str) -> list[str]:
    """The raw text of each page, through pypdf; encrypted, damaged and text-less PDFs raise DocumentError."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise DocumentError(source, "not a PDF file (no %PDF header): binary data with a .pdf name?")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported ciphers
                raise DocumentError(source, f"encrypted PDF that cannot be opened ({exc})") from exc
            if not unlocked:
                raise DocumentError(source, "encrypted PDF: it needs a password; save an unencrypted copy")
        pages = [text_with_note_marks(page) for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(source, f"damaged or truncated PDF ({exc})") from exc
    if not pages:
        raise DocumentError(source, "PDF has no pages")
    if not any(page.strip() for page in pages):
        raise DocumentError(source, "PDF has no text layer (a scan?): run OCR on it first")
    return pages


_NOTE_MARK = re.compile(r"\d{1,3}|[*†‡]")
_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_SMALLER = 0.8
"""A note mark is set at most this share of the size of the words it follows."""


def text_with_note_marks(page: Any) -> str:
    """A page's text (pypdf) with the marks of its footnotes as marks: a number set small and level with or above
    the words it follows, with nothing between, is written as superscript digits ("in 2022¹", which pypdf extracts
    "in 20221", a wrong figure; the two are the same text once Unicode-normalised, as quotes are checked). A
    subscript, set below them ("CO₂"), stays as extracted."""
    pieces: list[tuple[str, float, float]] = []
    rises = [0.0]  # the text rise (Ts) of each saved graphics state: superscripts and subscripts are set with it

    def operator(name: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if name == b"q":
            rises.append(rises[-1])
        elif name == b"Q" and len(rises) > 1:
            rises.pop()
        elif name == b"Ts" and operands and isinstance(operands[0], (int, float)):
            rises[-1] = float(operands[0])  # a malformed rise is ignored: marks are a nicety, the text is not

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = abs(tm[3] * cm[3]) or 1.0  # the size a page sets through the text matrix rather than the font's
        pieces.append((text, size * scale, (tm[5] + rises[-1] * abs(tm[3])) * cm[3] + cm[5]))

    extracted = page.extract_text(visitor_text=visit, visitor_operand_before=operator) or ""
    if "".join(text for text, _, _ in pieces) != extracted:
        return extracted  # the pieces don't make up the text: nothing to place a mark by
    kept: list[str] = []
    words: tuple[float, float] | None = None  # size and baseline of the last piece with words
    for text, size, baseline in pieces:
        glued = bool(kept) and kept[-1][-1:].strip() != ""
        if words and glued and _NOTE_MARK.fullmatch(text) and size < _SMALLER * words[0] and baseline >= words[1] - 0.5:
            text = text.translate(_SUPERSCRIPT)
        if text:
            kept.append(text)
        if text.strip():
            words = (size, baseline)
    return "".join(kept)


_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:page\s*[|·:]?\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[|·]\s*page)?[-–—\s]*$",
    re.IGNORECASE,
)
"""A page number on its own: "2", "- 2 -", "Page 2 of 4", "2/4", "2 | Page"."""
_EDGE_LINES = 3


def without_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers: lines at the top or bottom of a page that recur (digits
    aside) on most pages ("European Clusters Alliance | Position paper | Page 2 of 4"), and bare page numbers."""
    if len(pages) < 2:
        return pages

    def shape(line: str) -> str:
        text = " ".join(line.split()).lower()
        # "… | Page 2 of 4", "2 | Page" recur with their number changing; other lines must recur word for word
        return re.sub(r"\d+", "#", text) if re.search(r"\bpage\b", text) and re.search(r"\d", text) else text

    def edges(lines: list[str]) -> list[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))

    split = [page.split("\n") for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        for shape_seen in {shape(lines[i]) for i in edges(lines)}:
            counts[shape_seen] = counts.get(shape_seen, 0) + 1
    recurring = {k for k, n in counts.items() if n >= max(2, (len(pages) + 1) // 2) and 0 < len(k.split()) <= 15}
    cleaned = []
    for lines in split:
        drop = {i for i in edges(lines) if shape(lines[i]) in recurring or _PAGE_NUMBER.match(lines[i])}
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return cleaned


_NOTE_LINE = re.compile(rf"^\s*(\d{{1,2}}|[{SUPERSCRIPT_DIGITS}]{{1,2}})\s+[A-Z]")
_NOTE_LINES = 8
"""Footnotes take the last few lines of a page."""
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)


def footnotes_apart(page: str) -> str:
    """A page whose footnotes ("1 European Commission, … 5 March 2024.") are blocks of their own, not the end of the
    paragraph or list item above them: a line among the page's last ones opening with a number that marks a word
    earlier on the page ("… prime contractors.1", "2030¹")."""
    lines = page.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    notes: list[int] = []
    for i in filled[-_NOTE_LINES:]:
        note = _NOTE_LINE.match(lines[i])
        if not note:
            continue
        number = note.group(1).translate(_FROM_SUPERSCRIPT)
        raised = number.translate(_TO_SUPERSCRIPT)
        mark = rf"[^\W\d_][.,;:!?\"”’)]?{number}(?!\d)|{raised}(?![{SUPERSCRIPT_DIGITS}])"
        if re.search(mark, "\n".join(lines[:i])):
            notes.append(i)
    for i in reversed(notes):
        lines.insert(i, "")
    return "\n".join(lines)


def title_from_text(text: str, path: Path) -> str:
    """The document's title from its opening blocks: its Markdown title ("# …", under a banner such as "FOR
    IMMEDIATE RELEASE"), else the first heading that is neither a date line ("Tuesday 30th June 2020 at 15:00",
    "Date: 14 June 2023" above an e-mail's subject) nor a byline ("Author: Jane Doe", kept from front matter)."""
    lines = [block.strip() for block in text.split("\n\n")[:5] if block.strip() and "\n" not in block.strip()]
    markdown_title = next((line for line in lines if line.startswith("# ")), None)
    if markdown_title:
        return markdown_title[2:].strip()
    for line in lines:
        labelled = _LABEL.match(line)
        dated = is_date_line(line) or bool(labelled and is_date_line(line.split(":", 1)[1]))
        if looks_like_heading(line) and not dated and not is_byline(line):
            return line.lstrip("#").strip()
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


_MONTH = "|".join(MONTH_NAMES)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.])(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.((?:19|20)\d\d)(?!\d|\.\d)")
"""A date as German, Polish or Finnish documents write it in figures, day first ("16.11.2023")."""
FULL_DATE = re.compile(f"{_DAY_MONTH_YEAR.pattern}|{_MONTH_DAY_YEAR.pattern}", re.IGNORECASE)
"""A day, month and year written out ("27 October 2020", "Tuesday 30th June 2020", "March 3, 2021")."""
_DAY_MONTH_YEAR_IN_ANY_LANGUAGE = re.compile(
    rf"\b(\d{{1,2}})\.?\s+({'|'.join(sorted(MONTH_OF, key=len, reverse=True))})\.?\s+((?:19|20)\d\d)\b", re.IGNORECASE
)
DATE_IN_ANY_LANGUAGE = re.compile(
    rf"{FULL_DATE.pattern}|{_DAY_MONTH_YEAR_IN_ANY_LANGUAGE.pattern}"
    r"|(?<![\d-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])"
    rf"|{_DOTTED_DATE.pattern}",
    re.IGNORECASE,
)
"""A full date as ``FULL_DATE`` reads it, written in one of the languages of ``MONTHS`` ("7 juin 2022"), as ISO
8601 writes it ("2023-06-02", as front matter gives it), or in figures day first ("16.11.2023")."""
_WRITTEN_DATE = rf"(?:{_DAY_MONTH_YEAR.pattern}|{_MONTH_DAY_YEAR.pattern}|{_ISO_DATE.pattern}|{_DOTTED_DATE.pattern})"
"""A full date in any of the forms that date a document (``full_dates``), as one pattern."""
_ENDS_ON_A_DATE = re.compile(f"{_WRITTEN_DATE}$", re.IGNORECASE)
_KIND_WORDS = (("minutes", "minutes"), ("annex", "annex"), ("position", "position paper"), ("call for", "position paper"))


def date_of(text: str, path: Path) -> str | None:
    """The document's own date, YYYY-MM-DD: from its file name, else the first full date in its opening lines
    ("27 October 2020", "Tuesday 30th June 2020"). None when neither gives one: a date in the body may be any event."""
    found = _ISO_DATE.search(path.stem)
    if found:
        year, month, day = found.groups()
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    found_dates = full_dates(text[:400])
    if found_dates:
        return found_dates[0]
    # A paper in another language is dated too ("Bruxelles, le 7 juin 2022"); left undated, a question about its
    # date was declined as if it carried none.
    for day, month, year in _DAY_MONTH_YEAR_IN_ANY_LANGUAGE.findall(text[:400]):
        try:
            return datetime.date(int(year), MONTH_OF[month.lower()], int(day)).isoformat()
        except ValueError:
            continue
    return None


def full_dates(text: str) -> list[str]:
    """The full dates the text writes ("27 October 2020", "Tuesday 30th June 2020", "2021-05-20", "16.11.2023"),
    YYYY-MM-DD, in the order they appear; an impossible one ("31 February 2021") is left out."""
    candidates = []
    for match in _DAY_MONTH_YEAR.finditer(text):
        day, month, year = match.groups()
        candidates.append((match.start(), year, month, day))
    for match in _MONTH_DAY_YEAR.finditer(text):
        month, day, year = match.groups()
        candidates.append((match.start(), year, month, day))
    for match in _ISO_DATE.finditer(text):
        year, month, day = match.groups()
        candidates.append((match.start(), year, MONTH_NAMES[int(month) - 1], day))
    for match in _DOTTED_DATE.finditer(text):
        day, month, year = match.groups()
        candidates.append((match.start(), year, MONTH_NAMES[int(month) - 1], day))
    found = []
    for _, year, month, day in sorted(candidates):
        try:
            found.append(datetime.date(int(year), MONTH_NAMES.index(month.lower()) + 1, int(day)).isoformat())
        except ValueError:
            continue
    return found


MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
"""A month and year ("February 2025")."""


def months_named(text: str) -> list[str]:
    """The months the text names with their year outside a full date ("the June 2020 dialogue"), YYYY-MM, in the
    order they appear."""
    return [
        f"{year}-{MONTH_NAMES.index(month.lower()) + 1:02d}"
        for month, year in MONTH_YEAR.findall(FULL_DATE.sub(" ", text))
    ]


def without_dates(text: str) -> str:
    """The text with its full dates and months taken out ("the budget discussed in June 2020" keeps no year)."""
    return MONTH_YEAR.sub(" ", FULL_DATE.sub(" ", text))


_DATE_LINE = re.compile(
    rf"^(?:[A-Z][\w'-]+,?\s+){{0,2}}{_WRITTEN_DATE}"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.h]\d\d(?:\s*[ap]\.?m\.?)?(?:\s*[-–—]\s*\d{1,2}[:.h]\d\d(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s+\w+)?)?$",
    re.IGNORECASE,
)


def is_date_line(line: str) -> bool:
    """A line that is a date and little else: "Tuesday 30th June 2020 at 15:00", "Brussels, 3 March 2021",
    "Videoconference, 9 March 2023, 14:00-16:30 CET"."""
    return bool(_DATE_LINE.match(line.strip().lstrip("#").strip()))


def kind_of(title: str, path: Path) -> str:
    """Minutes, annex or position paper when the file name or title says so; otherwise a plain document."""
    words = f"{path.stem.replace('-', ' ').replace('_', ' ')} {title}".lower()
    return next((kind for word, kind in _KIND_WORDS if word in words), "document")


def describe(text: str, path: Path, fields: dict[str, str] | None = None) -> DocumentInfo:
    """What a document not in the catalog says about itself: its heading as title, its kind, its date; a Markdown
    file's front matter ("title:", "date:") first."""
    fields = fields or {}
    title = fields.get("title") or title_from_text(text, path)
    dated = full_dates(fields.get("date", ""))
    return DocumentInfo(title=title, kind=kind_of(title, path), date=dated[0] if dated else date_of(text, path))


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_FIELD = re.compile(r"^([A-Za-z][\w-]*):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_YAML_LINE = re.compile(r"[A-Za-z][\w-]*:(?:\s|$)|\s+\S|-\s|#")
"""A line of front matter: a field, a nested or continued line, a list entry or a comment; text between two
horizontal rules ("---") at the start of a file is no front matter."""
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


_SHOWN_FIELD = re.compile(r"^(?:authors?|date):.*(?:\n[ \t]+\S.*|\n-[ \t].*)*", re.IGNORECASE | re.MULTILINE)
"""The front matter's author and date fields as written, with the list entries or indented lines under them."""
_TITLE_LINE = re.compile(r"\A\s*#[ \t][^\n]*\n")


def markdown_body(raw: str) -> tuple[str, dict[str, str]]:
    """A Markdown file's text as a reader sees it rendered, and its front matter's top-level fields: the front matter
    (between "---" lines at the very start) and HTML comments are no part of what the document says, but for its
    author and date fields, kept as written under the title (where Pandoc and site generators show who wrote the
    page and when), so that they can be quoted."""
    fields: dict[str, str] = {}
    front = _FRONT_MATTER.match(raw.lstrip("\ufeff"))
    if front and all(_YAML_LINE.match(line) for line in front.group(1).splitlines() if line.strip()):
        for key, value in _FRONT_MATTER_FIELD.findall(front.group(1)):
            fields[key.lower()] = value.strip("'\"")
        raw = raw.lstrip("\ufeff")[front.end():]
        shown = "\n\n".join(field.group() for field in _SHOWN_FIELD.finditer(front.group(1)))
        if shown:
            title = _TITLE_LINE.match(raw)
            at = title.end() if title else 0
            raw = f"{raw[:at]}\n{shown}\n\n{raw[at:]}"
    return _HTML_COMMENT.sub("", raw), fields


def read_document(path: Path, corpus_dir: Path, catalog: dict[str, DocumentInfo], max_bytes: int) -> SourceDocument:
    """Read and clean one file of the corpus; every failure is a DocumentError naming the file."""
    source = relative_source(path, corpus_dir)
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(corpus_dir.resolve()):
            raise DocumentError(source, "symbolic link to a file outside the corpus folder: refused")
        size = path.stat().st_size
        if size == 0:
            raise DocumentError(source, "empty file")
        if size > max_bytes:
            raise DocumentError(source, f"file is {size / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit")
        sha = file_sha256(path)
        warnings: list[str] = []
        page_starts: list[int] = []
        fields: dict[str, str] = {}
        if path.suffix.lower() == ".pdf":
            parts = [clean_text(footnotes_apart(page)) for page in without_running_lines(read_pdf_pages(path, source))]
            text = ""
            for part in parts:
                if text:
                    text += "\n\n"
                page_starts.append(len(text))
                text += part
        else:
            raw, warnings = decode_text(path.read_bytes(), source)
            if path.suffix.lower() == ".md":
                raw, fields = markdown_body(raw)
            text = clean_text(raw)
    except FileNotFoundError as exc:
        raise DocumentError(source, "file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise DocumentError(source, "permission denied") from exc
    except IsADirectoryError as exc:
        raise DocumentError(source, "is a directory") from exc
    if not text.strip():
        raise DocumentError(source, "no text after cleaning (empty or only whitespace)")
    info = catalog.get(source) or describe(text, path, fields)
    return SourceDocument(source, text, info, sha, tuple(page_starts), tuple(warnings))


def relative_source(path: Path, corpus_dir: Path) -> str:
    try:
        return path.relative_to(corpus_dir).as_posix()
    except ValueError:
        return path.name


def list_corpus_files(corpus_dir: Path) -> list[Path]:
    """Every supported file under the corpus folder, sorted, hidden files skipped."""
    files = [
        path
        for path in corpus_dir.rglob("*")
        if path.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
        and (path.is_file() or path.is_symlink())
    ]
    return sorted(files)


def load_catalog(corpus_dir: Path) -> dict[str, DocumentInfo]:
    """The catalog of titles, kinds and dates; a missing catalog is empty, a broken one is a DocumentError."""
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(CATALOG_NAME, f"not valid JSON ({exc})") from exc
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise DocumentError(CATALOG_NAME, 'expected an object {"documents": {"file name": {...}}}')
    catalog: dict[str, DocumentInfo] = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str) or not entry["title"].strip():
            raise DocumentError(CATALOG_NAME, f"entry {name!r}: field 'title' must be a non-empty string")
        kind = entry.get("kind", "document")
        if kind not in KINDS:
            raise DocumentError(CATALOG_NAME, f"entry {name!r}: field 'kind' must be one of {', '.join(KINDS)}")
        date = entry.get("date")
        if date is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(date)):
            raise DocumentError(CATALOG_NAME, f"entry {name!r}: field 'date' must look like YYYY-MM-DD")
        catalog[name] = DocumentInfo(title=entry["title"].strip(), kind=kind, date=date)
    return catalog

"""Structure-aware chunking: headings, paragraphs, list items and speaker turns stay whole where they fit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.reading.documents import (
    SourceDocument, heads_its_subsections, is_contact_line, is_list_item, looks_like_heading,
)
from assistant.text.patterns import is_byline
from assistant.text.sentences import (
    HEADING_MARKER, NOTE_MARK_AFTER_AN_END, Span, continues_sentence, reading_of, sentence_spans,
)

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class Unit:
    """The smallest piece chunking keeps whole when it can: a heading, a paragraph or a list item; or page furniture
    (a source line, logo words) that interrupts a sentence."""

    kind: str  # "heading" | "paragraph" | "item" | "furniture"
    start: int
    end: int


_BREAKS_OFF = re.compile(r"[^\W_]$")
_ENDS_A_LINE = (".", "!", "?", ";", ":", "…")


def _breaks_off(text: str) -> bool:
    """Ends on a word or number, not on a sentence's end (nor on a footnote mark after one)."""
    stripped = text.rstrip()
    return bool(_BREAKS_OFF.search(stripped)) and not NOTE_MARK_AFTER_AN_END.search(stripped)


def _is_furniture_block(block: str) -> bool:
    lines = [line for line in block.split("\n") if line.strip()]
    return 0 < len(lines) <= 3 and all(len(l.split()) <= 10 and not l.rstrip().endswith(_ENDS_A_LINE) for l in lines)


def text_blocks(text: str) -> list[tuple[int, int]]:
    """Offsets of the text's non-empty blocks (the paragraphs between blank lines)."""
    blocks: list[tuple[int, int]] = []
    position = 0
    for block in text.split("\n\n"):
        start = text.index(block, position) if block else position
        position = start + len(block)
        if block.strip():
            blocks.append((start, position))
    return blocks


def furniture_blocks(text: str) -> list[tuple[int, int]]:
    """Short blocks standing between a paragraph that breaks off mid-sentence and the paragraph that carries the
    sentence on ("… since March 2020: the European" / "Source: …" / "EUROPEAN CLUSTERS ALLIANCE" / "Alliance
    Against Coronavirus (EAAC). This alliance …"): what a PDF's page furniture leaves in converted text. Offsets
    of each such block."""
    blocks = text_blocks(text)
    found: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(blocks):
        paragraph = text[start:end].rstrip()
        prose = ". " in paragraph and not any(is_list_item(line) for line in paragraph.split("\n"))
        if len(paragraph.split()) < 15 or not prose or not _breaks_off(paragraph):
            continue
        run = index + 1
        while run < len(blocks) and run - index <= 3 and _is_furniture_block(text[blocks[run][0]:blocks[run][1]]):
            run += 1
        if index + 1 < run < len(blocks) and len(text[blocks[run][0]:blocks[run][1]].split()) >= 5:
            found.extend(blocks[index + 1:run])
    return found


def kept_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the text that stays once page furniture is taken out (each span trimmed at the cut), in order;
    joined by single spaces they read as ``without_furniture``."""
    spans: list[tuple[int, int]] = []
    position = 0
    for start, end in furniture_blocks(text):
        kept_end = position + len(text[position:start].rstrip())
        if kept_end > position or not spans:
            spans.append((position, kept_end))
        position = end + len(text[end:]) - len(text[end:].lstrip())
    spans.append((position, len(text)))
    return spans


def without_furniture(text: str) -> str:
    """The text with its page furniture taken out, so that a sentence it interrupted reads whole again: what search
    and the embedding model see. Quotes keep the document's own text."""
    return " ".join(text[start:end] for start, end in kept_spans(text))


@dataclass(frozen=True)
class Chunk:
    """A contiguous, verbatim span of a cleaned document, with what a citation needs to point at it."""

    id: str
    source: str
    ordinal: int
    text: str
    section: str | None
    page: int | None
    start: int
    end: int
    title: str
    kind: str
    date: str | None
    context: str | None = None
    """The paragraph that introduced the list this chunk continues, when it lies in an earlier chunk."""

    def header(self) -> str:
        """Section heading and lead-in that situate the chunk but are not part of its text."""
        parts = []
        if self.section and not self.text.startswith(self.section):
            parts.append(self.section)
        if self.context:
            parts.append(self.context)
        return "\n".join(parts)

    def situation(self) -> str:
        """Section heading and list lead-in, always: the words that situate every sentence of the chunk."""
        return "\n".join(part for part in (self.section, self.context) if part)

    def span(self, start: int, end: int) -> Span:
        """The chunk's text from one document offset to another, as one span (a pair of sentences, a lead-in and its
        list)."""
        return Span(self.text[start - self.start:end - self.start], start, end)

    def search_text(self) -> str:
        """The text as search reads it: without page furniture interrupting a sentence."""
        return without_furniture(self.text)

    def embedding_text(self) -> str:
        """What the embedding model sees: document title, section heading and lead-in give the passage its context."""
        return "\n".join(part for part in (self.title, self.header(), self.search_text()) if part)


_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+(?=\S)")


def is_numbered_heading(block: str, following: str) -> bool:
    """"2. Context" or "II. What we ask for" on its own above a paragraph: a numbered section heading, not a list
    item (a list item ends with punctuation, or is followed by the next item)."""
    numbered = _SECTION_NUMBER.match(block)
    if not numbered:
        return False
    followed_by_an_item = is_list_item(following) or bool(_SECTION_NUMBER.match(following))
    if followed_by_an_item and not heads_its_subsections(block, following):
        return False
    title = block[numbered.end():]
    return len(title.split()) <= 10 and looks_like_heading(title) and not title.rstrip().endswith(":")


def parse_units(text: str) -> list[Unit]:
    """Headings, paragraphs and list items of a cleaned text, with their offsets."""
    units: list[Unit] = []
    blocks = text_blocks(text)
    furniture = set(furniture_blocks(text))
    for index, (block_start, block_end) in enumerate(blocks):
        block = text[block_start:block_end]
        if (block_start, block_end) in furniture:
            units.append(Unit("furniture", block_start, block_end))
            continue
        following = text[blocks[index + 1][0]:blocks[index + 1][1]] if index + 1 < len(blocks) else ""
        in_contact_block = is_contact_line(block) or is_contact_line(following.split("\n", 1)[0])
        marked = bool(HEADING_MARKER.match(block)) and looks_like_heading(block)  # "## Contact", whatever follows
        heading = "\n" not in block and (marked or (
            not in_contact_block and not is_byline(block) and not continues_sentence(block, following)
            and (looks_like_heading(block) or is_numbered_heading(block, following))
        ))
        if heading:
            units.append(Unit("heading", block_start, block_start + len(block)))
            continue
        line_start = block_start
        for line in block.split("\n"):
            kind = "item" if is_list_item(line) else "paragraph"
            units.append(Unit(kind, line_start, line_start + len(line)))
            line_start += len(line) + 1
    return units


def _split_long(text: str, start: int, end: int, max_tokens: int, count: TokenCounter) -> list[Span]:
    """Cut an over-long unit at sentence boundaries, and a single over-long sentence at word boundaries."""
    pieces: list[Span] = []
    for sentence in sentence_spans(text[start:end], offset=start):
        if count(sentence.text) <= max_tokens:
            pieces.append(sentence)
            continue
        word_start = sentence.start
        current_end = sentence.start
        for word_end in _word_ends(text, sentence.start, sentence.end):
            if count(text[word_start:word_end]) > max_tokens and current_end > word_start:
                pieces.append(Span(text[word_start:current_end], word_start, current_end))
                word_start = current_end + 1
            current_end = word_end
        pieces.append(Span(text[word_start:sentence.end], word_start, sentence.end))
    merged: list[Span] = []
    for piece in pieces:
        if merged and count(text[merged[-1].start:piece.end]) <= max_tokens:
            merged[-1] = Span(text[merged[-1].start:piece.end], merged[-1].start, piece.end)
        else:
            merged.append(piece)
    return merged


def _word_ends(text: str, start: int, end: int) -> Iterator[int]:
    index = text.find(" ", start, end)
    while index != -1:
        yield index
        index = text.find(" ", index + 1, end)
    yield end


def chunk_document(
    document: SourceDocument, count_tokens: TokenCounter, max_tokens: int, context_tokens: int = 40
) -> list[Chunk]:
    """Pack a document's units into chunks of at most ``max_tokens``, never across a heading, nor across a page
    unless a sentence runs over the page break (its two halves then stay in one passage).

    A chunk that continues a list carries the paragraph that introduced the list ("He recapped the main points:")
    as context, not as text, so a speaker's bullets still say who is speaking.
    """
    text = document.text
    spans: list[tuple[int, int, str | None, str | None]] = []
    section: str | None = None
    list_lead: Unit | None = None
    current: list[Unit] = []
    units = list(units_within_limit(parse_units(text), text, max_tokens, count_tokens))
    furniture = [u for u in units if u.kind == "furniture"]
    content = [u for u in units if u.kind != "furniture"]
    previous_of = dict(zip(content[1:], content))

    def flush() -> None:
        if current:
            start, end = current[0].start, current[-1].end
            context = None
            if list_lead is not None and current[0].kind == "item" and list_lead.start < start:
                context = _truncate(text[list_lead.start:list_lead.end], context_tokens, count_tokens)
            elif broken_off_before(current[0]):
                # the chunk opens with the rest of a sentence the previous chunk broke off: its start is context
                previous = previous_of[current[0]]
                opening = sentence_spans(text[previous.start:previous.end])[-1].text
                context = _truncate(opening, context_tokens, count_tokens, keep_end=True)
            spans.append((start, end, section, context))
        current.clear()

    def broken_off_before(unit: Unit) -> bool:
        previous = previous_of.get(unit)
        if previous is None or unit.kind != "paragraph" or previous.kind != "paragraph":
            return False
        before, after = text[previous.start:previous.end], text[unit.start:unit.end]
        interrupted = any(previous.end <= u.start < unit.start for u in furniture)
        return continues_sentence(before, after) or (interrupted and _breaks_off(before))

    def tokens_if_added(unit: Unit) -> int:
        return count_tokens(text[current[0].start:unit.end]) if current else count_tokens(text[unit.start:unit.end])

    for unit in units:
        same_page = (
            not current or document.page_at(current[0].start) == document.page_at(unit.start)
            or continues_sentence(text[current[-1].start:current[-1].end], text[unit.start:unit.end])
        )
        if unit.kind == "heading":
            if current and any(u.kind != "heading" for u in current):
                flush()
            section = text[unit.start:unit.end].lstrip("# ").strip()
            list_lead = None
            if current and tokens_if_added(unit) > max_tokens:
                flush()
            current.append(unit)
            continue
        if current and (not same_page or tokens_if_added(unit) > max_tokens):
            # a lead-in ("We therefore ask the Commission to:") opens the chunk of the list it introduces
            lead_in_moves = (
                same_page and unit.kind == "item" and len(current) > 1 and current[-1] is list_lead
                and count_tokens(text[current[-1].start:unit.end]) <= max_tokens
            )
            carried = [current.pop()] if lead_in_moves else []
            flush()
            current.extend(carried)
        if unit.kind == "furniture":  # kept with the sentence it interrupts; names no section, leads no list
            current.append(unit)
            continue
        if unit.kind == "paragraph":
            list_lead = unit if text[unit.start:unit.end].rstrip().endswith(":") else None
        current.append(unit)
    flush()
    return _make_chunks(document, spans)


def _truncate(text: str, max_tokens: int, count: TokenCounter, keep_end: bool = False) -> str:
    """The text cut to ``max_tokens`` at a word boundary, keeping its start (or, ``keep_end``, its end)."""
    while count(text) > max_tokens and " " in text:
        text = text.split(" ", 1)[1] if keep_end else text.rsplit(" ", 1)[0]
    return text


def units_within_limit(units: list[Unit], text: str, max_tokens: int, count: TokenCounter) -> Iterator[Unit]:
    for unit in units:
        if count(text[unit.start:unit.end]) <= max_tokens:
            yield unit
            continue
        kind = "paragraph" if unit.kind == "heading" else unit.kind
        for piece in _split_long(text, unit.start, unit.end, max_tokens, count):
            yield Unit(kind, piece.start, piece.end)


def _make_chunks(document: SourceDocument, spans: list[tuple[int, int, str | None, str | None]]) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for ordinal, (start, end, section, context) in enumerate(spans):
        body = document.text[start:end]
        # Everything stored with the vector is hashed: a new title or date gives new ids, so nothing stale survives;
        # so are where its sentences end and how a table row is read, as a vector is stored per sentence.
        info = document.info
        sentences = sentence_spans(body)
        sentence_ends = " ".join(str(span.end) for span in sentences)
        read_otherwise = [read for span in sentences if (read := reading_of(body, span)) != span.text]
        identity = "\x00".join((
            document.source, info.title, info.kind, info.date or "", section or "", context or "", body, sentence_ends,
            *read_otherwise,
        ))
        digest = hashlib.sha1(identity.encode()).hexdigest()[:20]
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        chunk_id = digest if occurrence == 0 else f"{digest}-{occurrence}"
        chunks.append(
            Chunk(
                id=chunk_id,
                source=document.source,
                ordinal=ordinal,
                text=body,
                section=section,
                page=document.page_at(start),
                start=start,
                end=end,
                title=document.info.title,
                kind=document.info.kind,
                date=document.info.date,
                context=context,
            )
        )
    return chunks

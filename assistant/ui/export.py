"""Exporting a working set of quotes, or a conversation, as Markdown with footnotes and as DOCX with real footnotes."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from assistant.answering.references import VerifiedQuote
from assistant.text.sentences import as_read

_MARKER = re.compile(r"\[(\d{1,3})\]")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class ExportEntry:
    """One block of the export: an optional heading (a question), a text whose [n] markers point at ``quotes``."""

    text: str
    quotes: Sequence[VerifiedQuote] = field(default_factory=tuple)
    heading: str | None = None
    is_quote: bool = False
    """True for a collected passage: the text is the quote itself, cited as a whole."""


def quote_entry(quote: VerifiedQuote) -> ExportEntry:
    return ExportEntry(text=f"“{as_read(quote.quote)}” [1]", quotes=(quote,), is_quote=True)


def _note_text(quote: VerifiedQuote, with_quote: bool) -> str:
    return f"“{as_read(quote.quote)}” {quote.reference()}" if with_quote else quote.reference()


def to_markdown(title: str, entries: Sequence[ExportEntry]) -> str:
    """Markdown with footnotes ([^n]); every footnote holds the reference (and, for answers, the quote)."""
    lines = [f"# {title}", ""]
    notes: list[str] = []
    for entry in entries:
        if entry.heading:
            lines += [f"## {entry.heading}", ""]

        def footnote(match: re.Match[str], entry: ExportEntry = entry) -> str:
            index = int(match.group(1)) - 1
            if not 0 <= index < len(entry.quotes):
                return ""
            notes.append(f"[^{len(notes) + 1}]: {_note_text(entry.quotes[index], not entry.is_quote)}")
            return f"[^{len(notes)}]"

        body = _MARKER.sub(footnote, re.sub(r"\s+(?=\[\d{1,3}\])", "", entry.text))
        lines += [f"> {body}" if entry.is_quote else body, ""]
    return "\n".join(lines + notes) + "\n"


def to_docx(title: str, entries: Sequence[ExportEntry]) -> bytes:
    """A Word document whose citations are real footnotes (word/footnotes.xml), one per [n] marker."""
    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Pt

    document = docx.Document()
    document.add_heading(title, level=1)
    notes: list[str] = []
    for entry in entries:
        if entry.heading:
            document.add_heading(entry.heading, level=2)
        paragraph = document.add_paragraph(style="Quote" if entry.is_quote else None)
        position = 0
        for match in _MARKER.finditer(entry.text):
            paragraph.add_run(entry.text[position:match.start()].rstrip())
            index = int(match.group(1)) - 1
            if 0 <= index < len(entry.quotes):
                notes.append(_note_text(entry.quotes[index], not entry.is_quote))
                paragraph._p.append(
                    parse_xml(
                        f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                        f'<w:footnoteReference w:id="{len(notes)}"/></w:r>'
                    )
                )
            position = match.end()
        paragraph.add_run(entry.text[position:])
        for run in paragraph.runs:
            run.font.size = Pt(11)
    footnotes = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for number, note in enumerate(notes, start=1):
        footnotes.append(
            f'<w:footnote w:id="{number}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {escape(note)}</w:t></w:r></w:p></w:footnote>'
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">{"".join(footnotes)}</w:footnotes>'
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_footnotes(data: bytes) -> dict[int, str]:
    """The footnotes of a DOCX (id → text), read back from word/footnotes.xml."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return {}
        root = etree.fromstring(archive.read("word/footnotes.xml"))
    found: dict[int, str] = {}
    for note in root.findall(f"{{{W_NS}}}footnote"):
        number = int(note.get(f"{{{W_NS}}}id"))
        if number > 0:
            found[number] = "".join(t.text or "" for t in note.iter(f"{{{W_NS}}}t")).strip()
    return found

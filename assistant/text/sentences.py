"""Sentences and lines of a text, with where each sits in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.names import names_a_person
from assistant.text.numbers import MONTH_OF
from assistant.text.patterns import LIST_MARK, is_contact_line
from assistant.text.terms import SUPERSCRIPT_DIGITS
from assistant.text.wordlists import ABBREVIATIONS


@dataclass(frozen=True)
class Span:
    """A piece of a larger text and where it sits in it."""

    text: str
    start: int
    end: int


def is_fragment(text: str) -> bool:
    """A short line that is not a sentence: a heading, a name, a date, a place."""
    body = LIST_MARK.sub("", text).rstrip()
    return len(body.split()) <= 12 and not body.endswith((".", "!", "?", ";", "…", ":"))


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)|\n")
_ENDS_MID_SENTENCE = re.compile(r"(?:\b[a-z][\w'-]*|,)$")
_ENDS_A_SENTENCE = re.compile(r"[.!?…]")
_BLANK_LINE = re.compile(r"[ \t]*\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")
_LIST_NUMBER = re.compile(r"\s*\d{1,2}\.")
_LIST_NUMBER_AND_SPACE = re.compile(r"\d{1,2}\.\s+")
_ATTRIBUTION = re.compile(r"(?:>\s*)?[—–]\s*[A-Z]")
"""The dash before the name of whoever said a quotation ("— Tomasz Wójcik, Clean Hydrogen Partnership"), in a
Markdown quotation block or not."""


NOTE_MARK_AFTER_AN_END = re.compile(rf"[^\W\d_][\"”’)]?[.!?…][\"”’)]?(?:\d{{1,3}}|[{SUPERSCRIPT_DIGITS}]+)$")
"""A sentence's end with a footnote's number after it ("… with prime contractors.¹"): no sentence broken off (but
"… rose to 3.5" is)."""


def ends_mid_sentence(text: str) -> bool:
    """Ends on a lower-case word or a comma: a sentence broken off, not a heading or a finished one."""
    return bool(_ENDS_MID_SENTENCE.search(text.rstrip()))


def continues_sentence(before: str, after: str) -> bool:
    """Whether ``after`` goes on with the sentence ``before`` breaks off ("… introduced the Alliance and" at the
    foot of a page, "its objectives." at the top of the next)."""
    return ends_mid_sentence(before) and after.lstrip()[:1].islower()


def runs_over_blank_line(before: str, after: str) -> bool:
    """Whether one sentence goes on over the blank line between ``before`` and ``after`` (a page break of the
    source): ``before`` breaks off mid-sentence and the next line, in lower case, brings a sentence to its end. Short
    lower-case lines that end nothing are rather a list set out as paragraphs ("changing economies" / "changing
    climate")."""
    next_line = after.lstrip().split("\n", 1)[0]
    return continues_sentence(before, after) and bool(_ENDS_A_SENTENCE.search(next_line))


_NAME_WORDS = 6
"""A line of at most this many words, with no sentence end, above a contact line is the name the entry is under."""


def contact_entry_goes_on(before: str, after: str) -> bool:
    """Whether the next line is a contact detail of the entry the line before it opens or continues ("Krzysztof
    Krystowski" / "krzysztof.krystowski@…" / "Mobile: +48 …"): one entry, quoted whole, so that a number or an
    address is never shown without whose it is."""
    previous = before.rstrip().rsplit("\n", 1)[-1].strip()
    next_line = after.lstrip().split("\n", 1)[0]
    if not previous or HEADING_MARKER.match(previous) or not is_contact_line(next_line):
        return False  # a Markdown heading ("## Contact") names a section, not whose the entry is
    return is_contact_line(previous) or (is_fragment(previous) and len(previous.split()) <= _NAME_WORDS)


FORMULA_WORDS = 6
"""A letter's opening or closing line ("Dear Commissioner,", "Yours sincerely,", "On behalf of the Board,") is
short: at most this many words."""
SIGNATURE_LINES = 3
"""A signature is the name and at most this many lines in all (name, role, organisation)."""


def is_formula_line(line: str) -> bool:
    """A letter's opening or closing line: short, capitalised, ending in a comma."""
    stripped = line.strip()
    return stripped.endswith(",") and stripped[:1].isupper() and len(stripped.split()) <= FORMULA_WORDS


def signature_goes_on(before: str, after: str) -> bool:
    """Whether the next line is the signatory's role, under the name signed after a closing ("Yours sincerely," /
    "Jean-Luc Beylat" / "President of the European Clusters Alliance"): one entry, quoted whole, so that a role is
    read with whose it is."""
    lines = [line.strip() for line in before.rstrip().split("\n") if line.strip()]
    if not _under_a_name(after.lstrip().split("\n", 1)[0].strip()):
        return False
    for back in range(1, min(SIGNATURE_LINES, len(lines) - 1) + 1):
        name, closing, under = lines[-back], lines[-back - 1], lines[len(lines) - back + 1:]
        if is_formula_line(closing) and names_a_person(name) and not name.endswith((".", ",", ":")):
            return all(_under_a_name(line) for line in under)
    return False


def _under_a_name(line: str) -> bool:
    """A line of a signature under the name (a role, an organisation): a few words ending no sentence; not a page
    number."""
    return any(c.isalpha() for c in line) and not line.endswith((".", "!", "?", ":", ",")) and len(line.split()) <= 8


def _gaps_run_over(text: str) -> list[re.Match[str]]:
    """The line breaks inside one unit: a blank line a sentence runs over, a break inside a contact entry or under
    a signature's name."""
    gaps = []
    for gap in _LINE_BREAK.finditer(text):
        before, after = text[max(0, gap.start() - 200):gap.start()], text[gap.end():gap.end() + 400]
        page_break = bool(_BLANK_LINE.fullmatch(gap.group())) and runs_over_blank_line(before, after)
        signature = not _BLANK_LINE.fullmatch(gap.group()) and signature_goes_on(before, after)
        if page_break or signature or contact_entry_goes_on(before, after):
            gaps.append(gap)
    return gaps


def as_read(text: str) -> str:
    """The text with each line break inside a unit (a blank line a sentence runs over, the lines of a contact entry)
    read as a space: how a quote is shown in an answer (the citation keeps the document's characters, so its offsets
    still point at them)."""
    for gap in reversed(_gaps_run_over(text)):
        text = f"{text[:gap.start()]} {text[gap.end():]}"
    return text


_NUMERIC_CELL = re.compile(r"[-+]?[€$£]?\d[\d.,]*%?|[–—-]")
_SPACED_TABLE_ROWS = 3
"""A spaced table is at least this many lines in a row, each a label followed by the same number of figures."""


def figures_after_label(line: str) -> tuple[str, list[str]]:
    """A line read as a row of a table whose columns are only spaced apart (text extracted from a PDF): its label
    and the figures ending it ("Webinar participants 1,100 1,950": "Webinar participants", ["1,100", "1,950"])."""
    last = line.rsplit(None, 1)
    if len(last) < 2 or not _NUMERIC_CELL.fullmatch(last[1]) or LIST_MARK.match(line):
        return line, []  # most lines, and list items ("- Income: EUR 410,000"): the whole line is not split for this
    tokens = line.split()
    figures = 0
    while figures < len(tokens) - 1 and _NUMERIC_CELL.fullmatch(tokens[-1 - figures]):
        figures += 1
    label = " ".join(tokens[:len(tokens) - figures])
    if not figures or not any(c.isalpha() for c in label) or label.endswith((".", ",", ";", ":", "!", "?")):
        return line, []
    return label, tokens[len(tokens) - figures:]


def spaced_table_runs(lines: list[str]) -> list[tuple[int, int]]:
    """Where ``lines`` hold spaced tables, as (first, end) line indexes: runs of lines that each end in the same
    number of figures after a label ("Webinars 7 11"), the first often naming the columns ("Indicator 2021 2022").
    A heading or a date line above a table is no row of it: it ends in as many figures as the rows only by chance,
    and three such lines in a row are a table."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        width = len(figures_after_label(lines[index])[1])
        end = index + 1
        while width and end < len(lines) and len(figures_after_label(lines[end])[1]) == width:
            end += 1
        if width and end - index >= _SPACED_TABLE_ROWS:
            above = index - 1
            # "Region Members 2023 Members 2024" above rows of two figures: ends in one figure, yet names the columns
            named_above = above >= 0 and (not runs or runs[-1][1] <= above) and len(
                _year_column_names(lines[above])) == width + 1
            runs.append((above if named_above else index, end))
            index = end
        else:
            index += 1
    return runs


def table_header(text: str, row_start: int) -> str:
    """The first row (the column names) of the table whose row starts at ``row_start`` of ``text``: a Markdown
    table, or a spaced one (its lines in one paragraph); empty when the table starts before the text does or the
    line is no table row."""
    before = text[:row_start].split("\n")
    line_end = text.find("\n", row_start)
    line = text[row_start:len(text) if line_end < 0 else line_end]
    if is_table_row(line) and not line.startswith("|"):
        # an HTML table: its first row of header cells, if the rows above up to it are rows of the table
        for row in reversed([*before[:-1], before[-1] + line]):
            if _names_html_columns(row):
                return row
            if not is_table_row(row):
                break
        return ""
    if text[row_start:row_start + 1] == "|":
        header = ""
        for line in reversed(before[:-1] if before and not before[-1].strip() else before):
            if not line.startswith("|"):
                break
            header = line
        return header
    if (row_start and text[row_start - 1] != "\n") or not figures_after_label(line)[1]:
        return ""
    block_start = text.rfind("\n\n", 0, row_start)
    block_start = 0 if block_start < 0 else block_start + 2
    block_end = text.find("\n\n", row_start)
    lines = text[block_start:len(text) if block_end < 0 else block_end].split("\n")
    row = text[block_start:row_start].count("\n")
    first = next((first for first, end in spaced_table_runs(lines) if first <= row < end), None)
    if first is None or not _names_columns(lines[first]) or _names_columns(lines[first + 1]):
        return ""
    return lines[first]


_YEAR = re.compile(r"(?:19|20)\d\d")


def _names_columns(row: str) -> bool:
    """A spaced table's first row names its columns when its figures are years ("Indicator 2021 2022", "Region
    Members 2023 Members 2024") and the next row's are not: otherwise the first row is data like the rest, and no
    row is read under column names."""
    return all(_YEAR.fullmatch(figure) for figure in figures_after_label(row)[1])


def _year_column_names(row: str) -> list[str]:
    """The column names of a first row in which each year closes a name, the same words before each ("Region
    Members 2023 Members 2024": "Region", "Members 2023", "Members 2024"); the first name is the labels' column,
    whatever words are left. Empty for any other line."""
    tokens = row.split()
    years = [index for index, token in enumerate(tokens) if _YEAR.fullmatch(token)]
    if len(years) < 2 or years[-1] != len(tokens) - 1 or any(
        _NUMERIC_CELL.fullmatch(token) for index, token in enumerate(tokens) if index not in years
    ):
        return []
    words = years[-1] - years[-2] - 1
    if any(later - earlier - 1 != words for earlier, later in zip(years, years[1:])) or years[0] < words:
        return []
    names = [" ".join(tokens[:years[0] - words])]
    names += [" ".join(tokens[year - words:year + 1]) for year in years]
    return names


def column_names(header: str, figures: int) -> list[str]:
    """The names of a spaced table's columns, the labels' first, for rows of ``figures`` figures: the years
    closing the first row, each with the words before it; empty when the first row doesn't name so many."""
    named = _year_column_names(header)
    if len(named) == figures + 1:
        return named
    tokens = header.split()
    if len(tokens) <= figures:
        return []
    return [" ".join(tokens[:len(tokens) - figures]), *tokens[len(tokens) - figures:]]


HTML_TABLE_LINE = re.compile(r"[ \t]*</?(?:table|thead|tbody|tfoot|tr)\b", re.IGNORECASE)
"""A line of a table written in HTML (Markdown allows it): "<table>", a row "<tr><td>…</td></tr>", "</table>"."""
_HTML_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t\1\s*>", re.IGNORECASE | re.DOTALL)


def is_table_row(line: str) -> bool:
    """A row of a Markdown table ("| Observer | 0 |") or of an HTML one ("<tr><td>Observer</td><td>0</td></tr>")."""
    return line.startswith("|") or bool(re.match(r"[ \t]*<tr\b", line, re.IGNORECASE))


def _cells(row: str) -> list[str]:
    if not row.startswith("|"):
        return [re.sub(r"<[^>]+>", "", cell).strip() for _, cell in _HTML_CELL.findall(row)]
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _names_html_columns(row: str) -> bool:
    return bool(re.search(r"<th\b", row, re.IGNORECASE))


def reading_of(text: str, span: Span, offset: int = 0) -> str:
    """A sentence of ``text`` (which starts at ``offset``) as a reader takes it in: a table row with each cell under
    its column's name ("| Events | 62,000 | 80,000 |" under "| Item | 2021 (EUR) | Budget 2022 (EUR) |" is "Item:
    Events; 2021 (EUR): 62,000; Budget 2022 (EUR): 80,000"; "Webinars 7 11" under "Indicator 2021 2022" is
    "Indicator: Webinars; 2021: 7; 2022: 11"), since a row alone doesn't say what its figures are; a numbered list
    item without its number, which says nothing of what it says; anything else as written."""
    header = table_header(text, span.start - offset)
    if not header:
        numbered = _LIST_NUMBER_AND_SPACE.match(span.text)
        return span.text[numbered.end():] if numbered else span.text
    if header == span.text:
        return span.text
    if is_table_row(span.text):
        names, cells = _cells(header), _cells(span.text)
        if all(set(cell) <= set("-: ") for cell in cells):
            return span.text  # the line under the column names
    else:
        label, figures = figures_after_label(span.text)
        names = column_names(header, len(figures))
        if not names:
            return f"{header}\n{span.text}"
        cells = [label, *figures]
    if len(names) != len(cells):
        return f"{header}\n{span.text}"
    return "; ".join(f"{name}: {cell}" if name else cell for name, cell in zip(names, cells))


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentences (and separate lines), with offsets; abbreviations and decimals don't split."""
    return list(_sentence_spans(text, offset))


@lru_cache(maxsize=50_000)
def _sentence_spans(text: str, offset: int) -> tuple[Span, ...]:
    # Each candidate passage is split for its features, its sentence vectors and the answerer: once per text.
    spans: list[Span] = []
    start = 0
    run_over = [(gap.start(), gap.end()) for gap in _gaps_run_over(text)]
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() == "\n" and any(a <= match.start() < b for a, b in run_over):
            continue  # a sentence over a page break, a contact entry: one unit, quoted whole
        if match.group() != "\n":
            before = text[start:match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue
            following = text[end:].lstrip()
            if following[:1].islower():
                continue
            if last_word.isdigit() and len(last_word) <= 2 and following.split(" ", 1)[0].lower() in MONTH_OF:
                continue  # "am 27. Oktober": a German or Polish ordinal day, not a sentence end
            if _LIST_NUMBER.fullmatch(text[start:end]):
                continue  # "1. Short, modular courses …": the number of a list item, not a sentence
            if match.group()[-1] in "\"”’" and _ATTRIBUTION.match(following) and names_a_person(following[:100]):
                continue  # "“… bring together.” — Tomasz Wójcik": a quotation read with who said it
        _append_trimmed(spans, text, start, end, offset)
        start = end
    _append_trimmed(spans, text, start, len(text), offset)
    return tuple(spans)


HEADING_MARKER = re.compile(r"\s*#{1,6}\s+")
"""The marks of a Markdown heading ("## Attendance")."""


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    marker = HEADING_MARKER.match(piece)  # "## Attendance" is quoted as "Attendance"
    if marker:
        start, piece = start + marker.end(), piece[marker.end():]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = start + lead
    spans.append(Span(stripped, begin + offset, begin + len(stripped) + offset))

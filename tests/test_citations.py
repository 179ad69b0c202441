from assistant.answering.citations import Citation, cited_numbers, find_in_text, quote_is_verbatim, ungrounded_numbers, verified, without_citations

DOCUMENT = "Clusters matter. European clusters account for 61.8 million jobs. Clusters act local but reach global."


def citation(quote: str, n: int = 1, source: str = "a.txt", start: int | None = None, end: int | None = None) -> Citation:
    return Citation(n=n, source=source, title="A", page=None, section=None, quote=quote, start=start, end=end)


def lookup(source: str) -> str | None:
    return DOCUMENT if source == "a.txt" else None


def test_a_quote_in_the_stored_document_is_kept_and_an_invented_one_dropped() -> None:
    real = citation("European clusters account for 61.8 million jobs.")
    invented = citation("European clusters account for 90 million jobs.", n=2)
    unknown_source = citation("Clusters matter.", n=3, source="missing.txt")
    assert verified([real, invented, unknown_source], lookup) == [real]


def test_offsets_are_checked_first_and_layout_differences_tolerated() -> None:
    start = DOCUMENT.index("Clusters act")
    assert quote_is_verbatim(citation("Clusters act local but reach global.", start=start, end=len(DOCUMENT)), lookup)
    assert quote_is_verbatim(citation("clusters act  local\nbut reach global"), lookup)


def test_numbers_not_in_any_cited_quote_are_flagged() -> None:
    answer = "Clusters account for 61.8 million jobs [1] and 45% of exports [1]."
    assert ungrounded_numbers(answer, ["European clusters account for 61.8 million jobs."]) == ["45"]


def test_markers_and_sentences_of_dropped_citations_are_removed() -> None:
    answer = "Clusters matter [1]. They create 90 million jobs [2]. They act local [1][2]."
    assert cited_numbers(answer) == [1, 2]
    assert without_citations(answer, {2}) == "Clusters matter [1]. They act local [1]."


def test_find_in_text_returns_offsets_even_across_line_breaks() -> None:
    text = "They act local but\nreach global."
    assert find_in_text(text, "act local but reach global") == (5, 31)

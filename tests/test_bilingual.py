"""Questions in other EU languages without a model: searched in English word by word with FreeDict's dictionaries
(the real Debian packages, which `make test` installs), a dictd dictionary written here for the reader's details."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from assistant.text.bilingual import BilingualDictionary, Cognates, entry_translations, gloss

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def base64_number(value: int) -> str:
    digits = ""
    while True:
        digits = BASE64[value % 64] + digits
        value //= 64
        if not value:
            return digits


def write_dictd(folder: Path, name: str, entries: dict[str, str]) -> None:
    """A dictd dictionary as dictfmt writes it: the entries' text gzipped, an index of headword, offset, length."""
    data, index = b"", []
    for headword, text in entries.items():
        encoded = text.encode("utf-8")
        index.append(f"{headword}\t{base64_number(len(data))}\t{base64_number(len(encoded))}")
        data += encoded
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(data))
    (folder / f"{name}.index").write_text("\n".join(sorted(index)) + "\n", encoding="utf-8")


GERMAN = {
    "Kommission": "Kommission /kɔmɪsjˈoːn/ <fem, n, sg>\npanel <n>\n   Synonyms: {Gremium}, {Gruppe}\n\n",
    "kommission": "Kommission /kɔmɪsjˈoːn/ <fem, n, sg>\n [econ.] commission <n>\n      \"eine Ware in Kommission "
                  "nehmen\"  - take an item on commission\n",
    "fordern": "fordern /fˈɔɾdɜn/ <v, trans>\n1. demand, claim; call for\n see: {fordernd}, {gefordert}\n",
    "europäisch": "europäisch /ɔøroːpˈɛːɪʃ/ <adj>\nEuropean <adj>\n",
    "was": "was /vˈas/ <pron>\nwhat <pron>\n      \"Und was ist mit mir?\"  - What about me?\n",
    "Allianz": "Allianz /ˈaliːˌants/ <fem, n, sg>\nalliance <n>\n",
}


@pytest.fixture
def german(tmp_path: Path) -> BilingualDictionary:
    write_dictd(tmp_path / "dictd", "freedict-deu-eng", GERMAN)
    dictionary = BilingualDictionary.open("de", tmp_path / "dictd", tmp_path / "tables")
    assert dictionary is not None
    return dictionary


def test_an_entrys_translations_are_its_senses_not_its_examples_synonyms_or_references() -> None:
    assert entry_translations(GERMAN["fordern"]) == ["demand", "claim", "call for"]
    assert entry_translations(GERMAN["kommission"]) == ["commission"]
    assert entry_translations(GERMAN["was"]) == ["what"]
    assert entry_translations("skrót /skrut/\n2. wyrażać określoną treść, shortcut\n") == ["shortcut"]


def test_a_word_is_found_as_written_without_accents_or_by_the_stem_it_shares_with_a_headword(
    german: BilingualDictionary,
) -> None:
    assert german.lookup("Kommission") == ["panel", "commission"], "every sense of the headword, first sense first"
    assert german.lookup("europaisch") == ["European"]
    assert german.lookup("europäischen") == ["European"], "an inflected form by its stem"
    assert german.lookup("fordert") == ["demand", "claim", "call for"]
    assert german.lookup("wasser") == [], "three shared letters are not a stem"
    assert german.holds("Allianz") and not german.holds("europäischen")


def test_the_documents_choose_among_a_words_senses_and_names_numbers_and_acronyms_are_kept(
    german: BilingualDictionary,
) -> None:
    documents = {"commission", "european", "alliance", "breton", "2020"}
    rendered = gloss(
        "Was fordern die Allianz und die Europäische Kommission von Breton im Jahr 2020 für I3?",
        german, lambda words: all(w.lower() in documents for w in words.split()),
    )
    assert rendered == "what demand claim alliance European commission Breton Jahr 2020 I3"
    assert "2020" in rendered and "I3" in rendered and "Breton" in rendered
    assert "die" not in rendered.split(), "a three-letter function word is not searched"


def test_a_word_no_dictionary_holds_is_searched_as_the_documents_word_it_is_written_like(
    german: BilingualDictionary,
) -> None:
    cognates = Cognates(["initiatives", "clusters", "associations", "manager", "regulation", "just", "Breton"])
    assert cognates.of("Initiativen") == "initiatives"
    assert cognates.of("clústeres") == "clusters", "accents folded"
    assert cognates.of("asociaciones") == "associations"
    assert cognates.of("manera") is None, "alike in part only ('manager'): no cognate"
    assert cognates.of("jest") is None, "a short word is too often like an unrelated one"
    documents = {"commission", "initiatives", "alliance"}
    rendered = gloss(
        "Welche Initiativen fordert die Kommission vom Wasserstoffrat?", german,
        lambda words: all(w.lower() in documents for w in words.split()), cognates.of,
    )
    # "Welche" and "Wasserstoffrat": no word of the documents is alike, so as written
    assert rendered == "Welche initiatives demand claim commission Wasserstoffrat"


def test_a_table_built_by_another_version_or_from_a_changed_dictionary_is_built_again(tmp_path: Path) -> None:
    write_dictd(tmp_path / "dictd", "freedict-deu-eng", {"was": GERMAN["was"]})
    first = BilingualDictionary.open("de", tmp_path / "dictd", tmp_path / "tables")
    assert first is not None and first.lookup("Allianz") == []
    write_dictd(tmp_path / "dictd", "freedict-deu-eng", GERMAN)
    again = BilingualDictionary.open("de", tmp_path / "dictd", tmp_path / "tables")
    assert again is not None and again.lookup("Allianz") == ["alliance"]
    assert BilingualDictionary.open("ro", tmp_path / "dictd", tmp_path / "tables") is None, "no Romanian dictionary"


def test_a_german_question_is_searched_in_english_and_quotes_the_passage_that_answers(
    corpus_assistant: PolicyAssistant,
) -> None:
    result = corpus_assistant.ask("Welche Organisation vertrat Athanasios Konstandopoulos?")
    assert any(n.startswith("Searched in English word by word") for n in result.notices), result.notices
    assert result.answer.citations and "CERTH" in result.answer.citations[0].quote
    assert result.answer.outcome == "answered", "by the threshold fitted for word-by-word renderings"
    assert "Konstandopoulos" in result.passages[0].chunk.text


def test_without_the_fitted_threshold_a_rendering_must_be_as_sure_as_english_and_a_damaged_one_is_named(
    corpus_assistant: PolicyAssistant, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    corpus_settings = corpus_assistant.settings  # the corpus ingested (alone, this test found an empty index)
    missing = corpus_settings.with_overrides(other_languages_path=tmp_path / "none.json")
    result = PolicyAssistant(missing, embeddings).ask("Welche Organisation vertrat Athanasios Konstandopoulos?")
    assert result.answer.outcome == "unsure" and "CERTH" in result.answer.citations[0].quote
    damaged = tmp_path / "other_languages.json"
    damaged.write_text("{}", encoding="utf-8")
    with pytest.raises(AssistantError, match="other_languages.json: not a fitted threshold"):
        PolicyAssistant(corpus_settings.with_overrides(other_languages_path=damaged), embeddings)


def test_a_question_the_language_identifier_misplaces_is_placed_by_the_dictionaries(
    corpus_assistant: PolicyAssistant,
) -> None:
    assert corpus_assistant.language_of("Welche Organisation vertrat Athanasios Konstandopoulos?") == "de"
    assert corpus_assistant.language_of("Krzysztof Krystowski role?") == "en", "a name is not Polish"
    assert corpus_assistant.language_of("Teodora Jilkova organisation?") == "en"
    assert corpus_assistant.language_of("¿Dónde tiene su sede Reindustria Innovazione?") == "es"
    assert corpus_assistant.language_of("Who moderated the dialogue?") == "en"
    assert corpus_assistant.language_of("What was the budget in 2021?") == "en"
    german = "Was geschah bei dem Treffen mit Kommissar Breton am 30. Juni 2020?"
    assert corpus_assistant.language_of(german) == "de", "“was” and “am” are German words too"


def test_a_follow_up_in_another_language_keeps_the_subject_of_the_question_before(
    corpus_assistant: PolicyAssistant,
) -> None:
    history = [
        {"role": "user", "content": "Was geschah bei dem Treffen mit Kommissar Breton am 30. Juni 2020?"},
        {"role": "assistant", "content": "…"},
    ]
    result = corpus_assistant.ask("Und wer hat es moderiert?", history)
    assert "Breton" in result.standalone_question and "it" in result.standalone_question.split()
    assert any("Jilkova" in p.chunk.text for p in result.passages), "the passage that answers is found"


def test_without_a_dictionary_a_question_in_another_language_gets_the_notice_and_the_passages(
    corpus_assistant: PolicyAssistant, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    assistant = PolicyAssistant(corpus_assistant.settings.with_overrides(dictionary_dir=tmp_path / "none"), embeddings)
    result = assistant.ask("Wer hat die Sitzung mit Kommissar Breton moderiert?")
    assert result.answer.text.startswith("Dieser Assistent antwortet offline nur auf Englisch")
    assert result.answer.citations == [] and result.passages
    assert not any(n.startswith("Searched in English") for n in result.notices)


def test_a_damaged_dictionary_is_named_and_the_question_searched_as_written(
    corpus_assistant: PolicyAssistant, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = tmp_path / "dictd"
    folder.mkdir()
    (folder / "freedict-deu-eng.index").write_text("Kommission\tA\tZ\n", encoding="utf-8")
    (folder / "freedict-deu-eng.dict.dz").write_bytes(b"not gzip at all")
    assistant = PolicyAssistant(corpus_assistant.settings.with_overrides(dictionary_dir=folder), embeddings)
    result = assistant.ask("Wer hat die Sitzung mit Kommissar Breton moderiert?")
    damaged = "The German dictionary could not be read (BadGzipFile"
    assert any(n.startswith(damaged) for n in result.notices), result.notices
    assert result.answer.text.startswith("Dieser Assistent antwortet offline nur auf Englisch") and result.passages


def test_a_spanish_word_in_no_dictionary_is_searched_as_the_documents_word_even_one_just_added(
    settings: Settings, embeddings: LocalEmbeddings,
) -> None:
    """"biorrefinerías" is in no Spanish dictionary; once a document says "biorefineries", a question using it is
    searched with the documents' word (the words are read again after an ingest, as every other check is)."""
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    (settings.corpus_dir / "skills-note.md").write_text(
        "# Skills note\n\nThe alliance asks for training of cluster managers in data skills.\n", encoding="utf-8"
    )
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    try:
        question = "¿Qué pide la alianza sobre las biorrefinerías?"
        before = assistant.ask(question)
        assert "biorrefinerías" in before.standalone_question.split(), "no document word is alike yet"
        (settings.corpus_dir / "bioeconomy-note.md").write_text(
            "# Bioeconomy note\n\nThe alliance asks for a network of biorefineries in every rural region.\n",
            encoding="utf-8",
        )
        assert Ingestor(settings, embeddings).run().ok
        after = assistant.ask(question)
        assert "biorefineries" in after.standalone_question.split(), after.standalone_question
        assert after.passages[0].chunk.source == "bioeconomy-note.md"
    finally:
        assistant.store.close()

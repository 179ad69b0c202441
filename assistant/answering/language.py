"""Which language a question is written in, and what the offline answerer tells a reader of another language.

Identification is py3langid's model (shipped in its wheel, no download), restricted to the EU's languages. A
question is taken as English unless another language is clearly more likely: a short English question full of
names ("Who is Teodora Jilkova?") must not be sent to translation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.text.wordlists import STOP_WORDS

EU_LANGUAGES = ("en", "fr", "de", "es", "it", "pl", "nl", "pt", "sv", "da", "fi", "cs", "sk", "sl", "hr", "ro", "hu",
                "bg", "el", "et", "lv", "lt", "ga", "mt")
CONFIDENCE = 0.8
"""Probability another language needs before a text is not taken as English."""
ENGLISH_FUNCTION_WORDS = 2
"""A question with this many distinct English function words is English, whatever names or quoted foreign terms
it holds ("Which French pôle de compétitivité besides SCS is part of IoT4Industry?")."""

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pl": "Polish", "nl": "Dutch",
    "pt": "Portuguese", "sv": "Swedish", "da": "Danish", "fi": "Finnish", "cs": "Czech", "sk": "Slovak",
    "sl": "Slovenian", "hr": "Croatian", "ro": "Romanian", "hu": "Hungarian", "bg": "Bulgarian", "el": "Greek",
    "et": "Estonian", "lv": "Latvian", "lt": "Lithuanian", "ga": "Irish", "mt": "Maltese",
}

OFFLINE_ENGLISH_ONLY = {
    # Written for the reader, who cannot switch a model on; the sidebar tells an administrator how.
    "en": "This assistant answers offline in English only. Ask your question in English for a cited answer; the "
          "closest passages are listed below.",
    "fr": "Cet assistant répond hors ligne en anglais uniquement. Posez votre question en anglais pour obtenir une "
          "réponse citée ; les passages les plus proches sont listés ci-dessous.",
    "de": "Dieser Assistent antwortet offline nur auf Englisch. Stellen Sie Ihre Frage auf Englisch, um eine Antwort "
          "mit Quellen zu erhalten; die nächstliegenden Passagen stehen unten.",
    "es": "Este asistente responde sin conexión solo en inglés. Haga su pregunta en inglés para obtener una respuesta "
          "citada; los pasajes más cercanos aparecen abajo.",
    "it": "Questo assistente risponde offline solo in inglese. Faccia la domanda in inglese per ottenere una risposta "
          "con citazioni; i passaggi più vicini sono elencati sotto.",
    "pl": "Ten asystent odpowiada offline tylko po angielsku. Zadaj pytanie po angielsku, aby otrzymać odpowiedź z "
          "cytatami; najbliższe fragmenty są wymienione poniżej.",
    "nl": "Deze assistent antwoordt offline alleen in het Engels. Stel uw vraag in het Engels voor een antwoord met "
          "bronnen; de dichtstbijzijnde passages staan hieronder.",
    "pt": "Este assistente responde offline apenas em inglês. Faça a sua pergunta em inglês para obter uma resposta "
          "com citações; as passagens mais próximas estão listadas abaixo.",
}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(EU_LANGUAGES))
    return identifier


def english_function_words(text: str) -> set[str]:
    """The distinct English function words of ``text`` ("the", "of", "was", …)."""
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 1} & STOP_WORDS


def reads_as_english(text: str) -> bool:
    """Too short to tell, or holding enough English function words to be English whatever else it holds."""
    if sum(c.isalpha() for c in text) < 8:
        return True
    return len(english_function_words(text)) >= ENGLISH_FUNCTION_WORDS


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language; "en" unless another EU language is clearly more likely."""
    if reads_as_english(text):
        return "en"
    language, probability = _identifier().classify(text)
    return str(language) if language != "en" and probability >= CONFIDENCE else "en"


def likely_languages(text: str, count: int = 3) -> list[tuple[str, float]]:
    """The EU languages other than English the identifier finds likeliest for ``text``, with their probabilities,
    likeliest first."""
    return [(str(language), float(p)) for language, p in _identifier().rank(text) if language != "en"][:count]


def offline_notice(language: str) -> str:
    """The offline answerer's message to a question in ``language`` (in that language when we have it)."""
    text = OFFLINE_ENGLISH_ONLY.get(language)
    if text is None:
        name = LANGUAGE_NAMES.get(language, language)
        text = f"{OFFLINE_ENGLISH_ONLY['en']} (Your question seems to be in {name}.)"
    return text

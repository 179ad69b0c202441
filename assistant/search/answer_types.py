"""What kind of answer a question asks for (a date, a count, a duration, an e-mail address, a phone number) and
whether a sentence gives one. Words alone can't tell "Tuesday 30th June 2020 at 15:00" from an answer to "how long
did the dialogue last", or "7 European clusters" from an answer to "how many SMEs took part"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.text.names import names_a_person, names_a_place
from assistant.text.patterns import EMAIL_ADDRESS, PHONE_NUMBER, POSTAL_ADDRESS, YEAR
from assistant.text.terms import equivalent_terms, search_terms, words
from assistant.text.wordlists import CARDINALS, MONTH_NAMES, STOP_WORDS, WEEKDAY_NAMES

_MONTHS = "|".join(MONTH_NAMES)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})|(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|(?:{_MONTHS}) \d{{4}}|"
    r"\d{1,2}:\d\d)\b",
    re.IGNORECASE,
)
_DATE_WITH_YEAR = re.compile(rf"(?:{_DATE.pattern})(?:,? \d{{4}})?", re.IGNORECASE)
ADDRESSEE_LINE = re.compile(r"^To (?:the |Mr\.? |Ms\.? |Mrs\.? |Dr\.? )?[A-Z]")
"""A letter's addressee line ("To the Executive Vice-President …, <name>")."""
_NUMBER_WORDS = "|".join(CARDINALS[1:13]) + "|dozens?|hundreds?|thousands?|millions?|billions?|half|double|twice"
_NUMBER_WORD = re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\d[\d.,]*|\b(?:{_NUMBER_WORDS}|several|a few|an?))(?:\s+|-)(?:\w+\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|decades?|pages?|words?|characters?|lines?)\b",
    re.IGNORECASE,
)
# "What time does it start?": a time of day ("10:00", "15h30", "3 pm"), which a date alone doesn't give
_ASKS_TIME_OF_DAY = re.compile(r"\b(?:what|which) time\b|\bwhat hour\b", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[:h]\d\d\b|\b\d{1,2}(?:[:.]\d\d)?\s?(?:a\.?m\b\.?|p\.?m\b\.?)", re.IGNORECASE)
# "10:00–12:30", "2021-2027": a span from one time or year to another says how long as well.
_SPAN = re.compile(r"\b\d{1,2}[:.h]\d\d\s*[–—-]\s*\d{1,2}[:.h]\d\d\b|\b(?:19|20)\d\d\s*[–—-]\s*(?:19|20)\d\d\b")
_WEEKDAYS = "|".join(WEEKDAY_NAMES)
_TIME_EXPRESSION = re.compile(
    rf"\b(?:{_MONTHS}|{_WEEKDAYS}|(?:19|20)\d\d|\d{{1,2}}:\d\d|years?|months?|weeks?|days?|quarter|semester|"
    r"since|during|until|before|after|ago|daily|weekly|monthly|annual(?:ly)?|yearly|soon|now|currently|recently|"
    r"today|tomorrow|beginning|end of|spring|summer|autumn|winter|period)\b",
    re.IGNORECASE,
)
# "When" that opens the question ("When was …", "Since when …"), not "what did he say when he concluded".
_ASKS_WHEN = re.compile(
    r"(?:^|[.?!]\s+)(?:and\s+|so\s+)?(?:since |until )?when\b|\b(?:what|which|on what|at what) (?:date|day|year|month|time)\b",
    re.IGNORECASE,
)
_MONEY_WORDS = r"money|funding|funds?|budget|cost|costs|price|fee|fees|grant|grants|salary|turnover|revenue|financing"
# "How much money …", "what is the budget of …", "how much is the annual fee": an amount of money, not any number.
_ASKS_MONEY = re.compile(
    rf"\bhow much (?:{_MONEY_WORDS})\b|\bhow much (?:is|was|are|were|will|would|does|did|do)\b.*\b(?:{_MONEY_WORDS})\b"
    rf"|\bwhat (?:is|was|are|were|will be) the (?:\w+ )?(?:{_MONEY_WORDS})\b(?! (?:programme|program|instrument|line|strand))",
    re.IGNORECASE,
)
# "EUR 62,000", "62,000 euros", and a figure under a column of amounts ("2021 (EUR): 62,000")
_AMOUNT = re.compile(
    r"(?:\b(?:EUR|USD|GBP)|[€$£])\)?:?\s?\d"
    r"|\d[\d.,]*\s?(?:€|\b(?:EUR|euros?|USD|dollars?|GBP|pounds?|million|billion|bn)\b)",
    re.IGNORECASE,
)
_HOW_MANY = re.compile(r"\bhow (?:much|many)\s+(.{1,60})", re.IGNORECASE)
# "On what date …", "which day …": a date is what is asked; "before the end of the year" says when, but no date
_ASKS_A_DATE = re.compile(r"\b(?:what|which) (?:date|day)\b", re.IGNORECASE)
# "What share of …", "what percentage …": a part of a whole, given as a figure or a fraction ("68%", "a third"),
# which "reserve part of the technical assistance" or "their success rates are higher" doesn't give
_ASKS_A_SHARE = re.compile(r"\bwhat (?:share|percentage|proportion|fraction)\b", re.IGNORECASE)
_SHARE = re.compile(
    r"\d\s?%|\bper ?cent\b|\b(?:half|halves|thirds?|quarters?|fifths?|tenths?|majority|minority)\b|\bone in \w+\b"
    r"|\b(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten) (?:of|out of) (?:the |every )?\d[\d,]*\b",
    re.IGNORECASE,
)


def standalone_numbers(text: str) -> list[int]:
    """Offsets of numbers standing on their own ("740", "61.8 million", "seven"), not part of a name such as
    "IoT4Industry", "INNOSUP-1" or "COVID-19"."""
    offsets = []
    for match in re.finditer(r"\d[\d.,]*", text):
        before, after = text[max(0, match.start() - 2):match.start()], text[match.end():match.end() + 1]
        glued = before[-1:].isalnum() or (before[-1:] == "-" and before[:1].isalpha()) or after.isalpha()
        if not glued:
            offsets.append(match.start())
    offsets.extend(match.start() for match in _NUMBER_WORD.finditer(text))
    return sorted(offsets)


def states_a_quantity(text: str) -> bool:
    return bool(standalone_numbers(text))


def counts_what_was_asked(question: str, text: str, reach: int = 60) -> bool:
    """For "how many SMEs …": a number within ``reach`` characters of the word the question counts; the day or
    year of a date counts nothing ("Board meeting of 12 June 2024" says not how many Board members)."""
    dates = [(d.start(), d.end()) for d in _DATE_WITH_YEAR.finditer(text)]
    numbers = [n for n in standalone_numbers(text) if not any(a <= n < b for a, b in dates)]
    asked = _HOW_MANY.search(question)
    counted = _counted_noun(asked.group(1)) if asked else []
    if counted and re.fullmatch(_MONEY_WORDS, counted[0]):
        return bool(_AMOUNT.search(text))  # "how much money": "EUR 42 million" counts it
    if not numbers or not counted:
        return bool(numbers)
    forms = set(equivalent_terms(counted[0]))
    places = [m.start() for m in re.finditer(r"[^\W_]+", text) if search_terms(m.group()) and search_terms(m.group())[0] in forms]
    return any(abs(number - place) <= reach for number in numbers for place in places)


def _counted_noun(phrase: str) -> list[str]:
    """The search term of what "how many" counts: the first plural noun after it ("industrial ecosystems": not
    "Industrial Change" beside 122.000.000 jobs), else the first content word ("how many people")."""
    plural = [w for w in words(phrase) if len(w) > 3 and w.endswith("s") and not w.endswith("ss") and search_terms(w)]
    return search_terms(plural[0])[:1] if plural else search_terms(phrase)[:1]


@dataclass(frozen=True)
class AnswerType:
    name: str
    asked: re.Pattern[str]
    given: Callable[[str, str], bool]
    """Does this text (second argument) give what the question (first argument) asks for?"""
    preferred: bool
    """A sentence without it answers the question less well than one with it: of the best-matching passage, a sentence
    that gives it is quoted first, and the answer classifier learns what its absence means."""
    bonus: float
    """Added to the score of a sentence that gives it."""
    required: bool = False
    """A sentence without it does not answer at all ("What does ECA stand for?" is not answered by a sentence that
    only uses "ECA"): the answer is unsure whatever the classifier says."""
    belongs_to_someone: bool = False
    """It belongs to whoever its line names (an e-mail address, a phone number, a postal address): another document's
    is someone else's, so the answer quotes it from one document only."""


_ACRONYM_IN_QUESTION = re.compile(r"\b(?:[A-Z]{2,}[A-Za-z0-9]*(?:-\d)?|[A-Z]\d)\b")
# "What does ECA stand for?", "What is the I3 initiative called in full?": asks what an acronym of the question
# stands for, not "how many clusters does the Alliance stand for".
_ASKS_EXPANSION = re.compile(
    r"^(?=.*\b(?:[A-Z]{2,}[A-Za-z0-9]*|[A-Z]\d)\b)"
    r".*(?i:\bstands? for\b|\bshort for\b|\babbreviat\w*|\bacronym\b|\bin full\b|\bfull (?:name|form)\b|"
    r"\b(?:written|spelt|spelled) out\b|^\W*what (?:does|do|did) \S+ mean\W*$)"
)


def expands_acronym(question: str, text: str) -> bool:
    """Whether the text writes out an acronym of the question: a definition the glossary's reader finds ("European
    Clusters Alliance (ECA)", "ECA stands for …"), or the acronym in brackets after capitalised words
    ("Alliance Against Coronavirus (EAAC)", where the definition began in the sentence before)."""
    from assistant.reading.glossary import acronym_definitions

    asked = set(_ACRONYM_IN_QUESTION.findall(question))
    if not asked:
        return False
    if asked & {short for short, _, _ in acronym_definitions(text)}:
        return True
    return any(re.search(rf"[A-Z][\w’'-]*\s*\(\s*{re.escape(a)}\s*\)", text) for a in asked)


def _matches(pattern: re.Pattern[str]) -> Callable[[str, str], bool]:
    return lambda question, text: bool(pattern.search(text))


# "Who is Frans Timmermans?", "Who was Maria Rossi?": who someone the question names is, which only a sentence naming
# them says (not "who is the treasurer", "who is he").
_ASKS_WHO_SOMEONE_IS = re.compile(
    r"^\W*(?i:(?:and |so )?who (?:is|was))\s+"
    r"(?P<name>[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|der|di|da|del))*)\W*$"
)


def names_whom_the_question_asks_about(question: str, text: str) -> bool:
    """Whether the text names the one whose identity the question asks, by the last word of the name ("Timmermans")."""
    found = _ASKS_WHO_SOMEONE_IS.match(question.strip())
    asked = search_terms(found.group("name"))[-1:] if found else []
    return not asked or bool(set(equivalent_terms(asked[0])) & set(search_terms(text)))


# "Who should I contact about …?", "Whom can we write to …": someone to reach (a person, or an address or number),
# not "who should clusters connect …"
_ASKS_WHOM_TO_CONTACT = re.compile(
    r"\bwhom? (?:should|can|could|do|may|might|would|shall) (?:i|we|you|one|members|people) "
    r"(?:contact|write to|call|e-?mail|reach|get in touch with|talk to|speak to|turn to)\b",
    re.IGNORECASE,
)


_ASKS_POSTAL_ADDRESS = re.compile(
    r"\b(?:the|its|their|his|her|our|your|postal|street|office|mailing|physical|full)\s+address\b|['’]s\s+address\b",
    re.IGNORECASE,
)
""""What is the secretariat's address?" (not "address the challenges"; not "the e-mail address", with a word
between; "Where is the secretariat?" may be answered by a city)."""


# "Where is … based?", "In which city …?": a place (not "quote the sentence where …").
_ASKS_WHERE = re.compile(
    r"^\W*(?:and |so |but )?where\b|\b(?:in|from|at) (?:which|what) (?:city|country|region|town|place|location|venue|"
    r"member state)\b",
    re.IGNORECASE,
)


_ROLE_WORD = (
    r"(?:president|chair\w*|moderator|treasurer|secretary|head|director|commissioner|coordinator|speaker|"
    r"author|signatory|leader|manager|representative|rapporteur|contact|founder|spokes\w+)"
)
_ROLE = rf"(?:vice-)?{_ROLE_WORD}"
_NAMES_A_ROLE = re.compile(rf"\b{_ROLE}\b", re.IGNORECASE)


def names_a_role(question: str) -> bool:
    """The question names a role someone holds ("the president"), whatever it asks of them."""
    return bool(_NAMES_A_ROLE.search(question))


# A role with whatever is joined to its front by a hyphen: "Vice-President", "co-chair", "ex-Director".
_ROLE_AS_WRITTEN = re.compile(rf"\b(?:[^\W\d_]+-)*{_ROLE_WORD}s?\b", re.IGNORECASE)


def _roles(text: str, unqualified: bool = False) -> dict[str, set[str]]:
    """Each role the text names, by its last word, with the forms it is written in ("president": {"vice-president"});
    ``unqualified``: only those with no word of meaning before them ("the President", not "the deputy President",
    which may be the Vice-President)."""
    forms: dict[str, set[str]] = {}
    for found in _ROLE_AS_WRITTEN.finditer(text):
        before = text[:found.start()].split()[-1:]
        if unqualified and before and not before[0].endswith(("'s", "’s")):  # the alliance's President
            word = words(before[0])[-1:]
            if word and word[0].isalpha() and word[0] not in STOP_WORDS:
                continue
        written = re.sub(r"(?<=[^s])s$", "", found.group().lower())  # "Presidents" is a form of "President"
        forms.setdefault(written.rsplit("-", 1)[-1], set()).add(written)
    return forms


def names_the_role_asked(question: str, text: str) -> bool:
    """Whether a text naming a role the question asks about names it as asked: "re-elected Vice-President" does not
    speak of the President, nor "the President" of the Vice-President. A text naming no form of the role may still
    answer (it can name the person instead)."""
    in_text = _roles(text)
    return all(not in_text.get(last) or forms & in_text[last] for last, forms in _roles(question, True).items())


ANSWER_TYPES = (
    AnswerType("date", _ASKS_WHEN, _matches(_DATE), preferred=False, bonus=0.15),
    # a bare year ("the 2021-2027 period") answers "when" less precisely than "12 March 2021"
    AnswerType("year", _ASKS_WHEN, _matches(YEAR), preferred=False, bonus=0.05),
    AnswerType(
        "addressee", re.compile(r"\bto whom\b|\baddressed\b|\baddressee\b|\brecipients?\b", re.I),
        _matches(ADDRESSEE_LINE), preferred=False, bonus=0.25,
    ),
    AnswerType("time", _ASKS_WHEN, _matches(_TIME_EXPRESSION), preferred=True, bonus=0.0),
    AnswerType("time of day", _ASKS_TIME_OF_DAY, _matches(_TIME_OF_DAY), preferred=False, bonus=0.2),
    AnswerType(
        "duration", re.compile(r"\bhow long\b|\bfor how many (?:minutes|hours|days|weeks|months|years)\b", re.I),
        lambda question, text: bool(_DURATION.search(text) or _SPAN.search(text)), preferred=True, bonus=0.0,
    ),
    AnswerType(
        "e-mail address", re.compile(r"\be-?mail\b", re.I), _matches(EMAIL_ADDRESS), preferred=False, bonus=0.25,
        required=True, belongs_to_someone=True,
    ),
    AnswerType(
        "phone number", re.compile(r"\b(?:phone|telephone|mobile)\b", re.I), _matches(PHONE_NUMBER), preferred=False,
        bonus=0.25, required=True, belongs_to_someone=True,
    ),
    AnswerType(
        "postal address", _ASKS_POSTAL_ADDRESS, _matches(POSTAL_ADDRESS), preferred=False, bonus=0.25, required=True,
        belongs_to_someone=True,
    ),
    AnswerType("expansion", _ASKS_EXPANSION, expands_acronym, preferred=True, bonus=0.25, required=True),
    AnswerType("quantity", re.compile(r"\bhow (?:much|many)\b", re.I), counts_what_was_asked, preferred=True, bonus=0.0),
    AnswerType(
        "person",
        re.compile(
            rf"^\s*(?:and |so )?who (?:is|was|will be|has been) the (?:[\w'’-]+ ){{0,5}}?{_ROLE}\b"
            r"|^\s*who (?:chairs|chaired|leads|led|heads|headed|signed|moderated|presented|introduced|opened)\b",
            re.IGNORECASE,
        ),
        lambda question, text: names_a_person(text, question), preferred=True, bonus=0.0,
    ),
    AnswerType(
        "contact", _ASKS_WHOM_TO_CONTACT,
        lambda question, text: (
            names_a_person(text, question) or bool(EMAIL_ADDRESS.search(text) or PHONE_NUMBER.search(text))
        ),
        preferred=True, bonus=0.0,
    ),
    AnswerType("amount of money", _ASKS_MONEY, _matches(_AMOUNT), preferred=True, bonus=0.1),
    AnswerType("place", _ASKS_WHERE, lambda question, text: names_a_place(text, question), preferred=False, bonus=0.1),
    AnswerType(
        "sentence naming them", _ASKS_WHO_SOMEONE_IS, names_whom_the_question_asks_about, preferred=True, bonus=0.0,
        required=True,
    ),
)


def asks_for_a_figure(question: str) -> bool:
    """Whether the question asks for a date or a share by name ("On what date …", "What share of …")."""
    return bool(_ASKS_A_DATE.search(question) or _ASKS_A_SHARE.search(question))


def gives_the_figure_asked(question: str, text: str) -> bool:
    """A question asking for a date by name is answered only by a text giving one, and a question asking what share
    only by a text giving a part of a whole. (Checks on the answer only: the kinds of answer the ranker and the
    classifier read stay those they were fitted with.)"""
    date_given = not _ASKS_A_DATE.search(question) or bool(_DATE.search(text))
    return date_given and (not _ASKS_A_SHARE.search(question) or bool(_SHARE.search(text)))


def gives_the_place_asked(question: str, text: str) -> bool:
    """A "where" question is answered only by a text naming a place ("trust-based relations" says nothing of where
    the alliance is based)."""
    return not _ASKS_WHERE.search(question) or names_a_place(text, question)


def wanted_types(question: str) -> list[AnswerType]:
    """The kinds of answer the question asks for, usually none or one."""
    return [kind for kind in ANSWER_TYPES if kind.asked.search(question)]

"""The word lists the text helpers rest on: data, each with where it comes from and why it is kept.

They are about English and the EU languages members write in, never about one document of the corpus. A list that
changes what a question matches changes the keyword index: ``search_terms`` feeds it, so an edit here needs
``KEYWORD_VERSION`` bumped (``assistant/index/store.py``) and the models refitted (``python -m evals.learn``).
"""

from __future__ import annotations

# English function words, plus what a question says about the answer wanted rather than what it is about. Kept
# because the keyword ranker and word coverage score content words only; never judged held out without it (a
# keyword search over function words is not a baseline anyone runs).
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could did do does doing don down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is isn it its itself just
    let me more most my myself no nor not now of off on once only or other ought our ours ourselves out over
    own same shall she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon very was we were what when where which while who whom why
    will with would you your yours yourself yourselves give tell say said says according please me mention
    mentioned document documents paper papers""".split()
) | frozenset(
    # What a drafter asks for rather than what it is about: "the exact sentence", "a citable quote".
    "quote quotes quoted quotation exact exactly sentence sentences wording verbatim citable passage passages".split()
) | frozenset(
    # The kind of answer wanted, which the answer itself doesn't say: "on what date" is answered by "27 October 2020".
    "date dates name named number numbers figure figures amount".split()
)

# Month names in English and the EU languages members write most (the first of each row is English): dates in
# claims, and "27. Oktober" not split as a sentence end.
MONTHS = (
    "january janvier januar jänner enero gennaio styczeń stycznia jan",
    "february février februar febrero febbraio luty lutego feb",
    "march mars märz marzo marzec marca mar",
    "april avril abril aprile kwiecień kwietnia apr",
    "may mai mayo maggio maj maja",
    "june juin juni junio giugno czerwiec czerwca jun",
    "july juillet juli julio luglio lipiec lipca jul",
    "august août agosto sierpień sierpnia aug",
    "september septembre septiembre settembre wrzesień września sep sept",
    "october octobre oktober octubre ottobre październik października oct okt",
    "november novembre noviembre listopad listopada nov",
    "december décembre dezember diciembre dicembre grudzień grudnia dec dez",
)
MONTH_NAMES = tuple(row.split()[0] for row in MONTHS)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Cardinal numbers written as words, in order (CARDINALS[n] is n).
CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
).split()

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "art", "nr", "cf", "al"})

# How people ask what a paper wants, and how papers say it (stems): "what does it want / ask / demand" is answered
# by "we call for", "we propose", "we recommend"; "where is it located" by "based in"; "closing remarks" are the
# "concluding remarks". Kept on the held-out figures of issue 12 (docs/evaluation.md, rule audit).
EQUIVALENT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("call", "ask", "want", "demand", "request", "urg", "propos", "recommend"),
    ("base", "locat", "situat", "headquart"),
    ("phone", "telephon", "mobil"),
    ("email", "mail"),
    ("grow", "grown", "growth", "grew"),
    ("close", "conclud"),
)

# European countries and their adjectives ("the Italian agency" is in Italy), one pair per "|". Also what tells a
# nationality from a person's name.
COUNTRIES_AND_ADJECTIVES = (
    "austria austrian|belgium belgian|bulgaria bulgarian|croatia croatian|cyprus cypriot|czechia czech|"
    "denmark danish|estonia estonian|finland finnish|france french|germany german|greece greek|hungary hungarian|"
    "ireland irish|italy italian|latvia latvian|lithuania lithuanian|luxembourg luxembourgish|malta maltese|"
    "netherlands dutch|poland polish|portugal portuguese|romania romanian|slovakia slovak|slovenia slovenian|"
    "spain spanish|sweden swedish|norway norwegian|switzerland swiss|uk british"
)

COUNTRY_WORDS = frozenset(COUNTRIES_AND_ADJECTIVES.replace("|", " ").split())
COUNTRY_OF_ADJECTIVE = {
    adjective: country for country, adjective in (pair.split() for pair in COUNTRIES_AND_ADJECTIVES.split("|"))
}
"""Every country name and adjective of the list above, as single words."""

# Lower-case words joining the parts of a person's name ("Ursula von der Leyen").
NAME_CONNECTORS = ("von", "van", "der", "den", "de", "la", "le", "du", "des")

# Capitalised words that open a question or sentence rather than a name ("What Digital Services Act …").
SENTENCE_OPENERS = frozenset(
    "what which who whom whose how when where why is are was were does did do can could should would will give "
    "tell quote list show find please and but so in on at according since".split()
)

# Words of bodies, roles and forms of address: a capitalised phrase made only of these names no person
# ("the Czech National Cluster Association", "Executive Vice-President").
ROLE_AND_BODY_WORDS = frozenset(
    "association associations cluster clusters alliance national european europe commission union council parliament "
    "fund programme program initiative group network agency institute university centre center forum assembly general "
    "annual president vice-president executive commissioner director secretary treasurer chair chairman chairwoman "
    "manager minister head member members board committee office secretariat internal market the of and for dear mr ms "
    "mrs dr".split()
)

# Titles written before a person's name in English minutes and papers ("Commissioner Thierry Breton", "the moderator
# Teodora Jilkova"): a capitalised name after one of these is a person. General English usage, not read off the
# corpus; judged by `python -m evals.glossary` (people found against hand labels, docs/evaluation.md).
PERSONAL_TITLES = frozenset(
    "mr mrs ms dr prof professor commissioner president vice-president minister director chair chairman chairwoman "
    "chairperson moderator rapporteur speaker secretary-general ambassador mep".split()
)

# The head nouns EU programmes, policies and funds are named with ("Horizon Europe" aside): a capitalised phrase
# ending in one ("Multiannual Financial Framework", "European Defence Fund") or opening with one ("Pact for Skills")
# names a programme. General EU-policy vocabulary, judged by `python -m evals.glossary`.
PROGRAMME_HEADS = frozenset(
    "programme program programmes fund funds deal framework initiative instrument plan pact strategy agenda mechanism "
    "facility partnership package policy act".split()
)

# Words that open a noun phrase without naming anything ("The Green Deal", "Our Initiative").
DETERMINERS = frozenset("the a an this these that those our its their his her my your every each".split())

# What makes a question a follow-up that needs the conversation: a pronoun or an opener ("And who …", "What about …").
PRONOUNS = frozenset(
    "he she him his her hers it its they them their theirs this that these those there then such "
    "former latter same above".split()
)
FOLLOW_UP_OPENERS = ("and ", "also ", "but ", "what about", "how about", "what else", "who else", "why", "so ")

# Instructions to the assistant written into a question or a document (regular expressions, case ignored): the usual
# forms of prompt injection (override the instructions, a role prefix, a new persona, an order to state something,
# a forged citation marker). Written by the team from those forms and from the injected questions of the evaluation
# sets; the injected-instruction tests (tests/test_reliability.py, tests/test_retrieval.py) exercise them.
INSTRUCTION_PATTERNS = (
    r"\b(ignore|disregard|forget|override)\b.{0,60}\b(instructions?|prompts?|rules|documents?|context|above|previous)\b",
    r"^\s*(system|assistant|developer|admin)\s*:",
    r"\byou are (now|no longer)\b",
    r"\b(developer|dan|god|jailbreak) mode\b",
    r"\b(reply|respond|answer|output)\b.{0,30}\bonly (with|in)\b",
    r"\b(print|reveal|show|repeat|tell me|translate|output)\b.{0,30}\b(system prompt|hidden (rules|prompt)|your (instructions|rules|prompt))\b",
    r"\b(must|should) (invent|make up|fabricate)\b",
    r"^\s*\[\d{1,3}\]",
    r"\b(as|i am) (the|your|a|an) (system )?(administrator|admin|developer|operator|owner)\b",
    r"\bi (order|command|instruct|require) you\b",
    r"\byou (must|will|shall|have to) (now )?(state|say|confirm|claim|write|answer|pretend)\b",
    r"^\s*(please\s+)?(state|say|confirm|claim|pretend|assert|write) that\b",
    r"\b(new|updated|additional) (rule|rules|instruction|instructions|policy)\b",
    r"\bfrom (your|the) (developer|developers|creator|admin|administrator|operator|owner)s?\b",
    r"\balways (cite|answer|reply|respond|say|add|include)\b",
)

# Acronyms too common to explain in a glossary of EU policy papers.
COMMON_ACRONYMS = frozenset({"EU", "UK", "US", "IT", "AI", "SDG", "COVID-19", "COVID", "ICT", "SME", "SMES", "NGO", "NGOS"})

"""The languages stories are written in: which there are (settings.LANGUAGES), which way each is
written, how each is searched, and guessing a story's language from its copy.

Guessing is a stop-word count, not a statistical model: a story has hundreds of words, and with
three languages of which one has its own script, counting the commonest short words decides
every real story (tests/test_languages.py). langdetect and lingua were the alternatives: the first
is a port frozen since 2021 whose answers vary between runs unless seeded, the second ships
~100 MB of models for 75 languages to tell three apart.
"""

import re
import unicodedata

from django.conf import settings
from django.utils.translation import get_language_info

DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}

# The commonest words of each language with a Latin script: articles, prepositions, pronouns and
# auxiliaries, chosen so that no word is in two lists. A language without a list is never guessed
# (an editor sets it).
STOP_WORDS = {
    "en": set(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "was",
            "that",
            "for",
            "on",
            "with",
            "as",
            "by",
            "at",
            "from",
            "his",
            "her",
            "he",
            "she",
            "it",
            "they",
            "their",
            "this",
            "which",
            "have",
            "has",
            "had",
            "were",
            "been",
            "be",
            "not",
            "but",
            "are",
            "or",
            "an",
            "will",
            "would",
            "said",
            "who",
            "after",
            "also",
            "its",
            "than",
            "into",
            "about",
            "over",
        ]
    ),
    "fr": set(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "un",
            "une",
            "et",
            "est",
            "dans",
            "pour",
            "que",
            "qui",
            "sur",
            "au",
            "aux",
            "avec",
            "par",
            "ne",
            "pas",
            "plus",
            "ce",
            "cette",
            "ses",
            "son",
            "sa",
            "été",
            "sont",
            "était",
            "il",
            "elle",
            "ils",
            "elles",
            "leur",
            "selon",
            "mais",
            "ont",
            "où",
            "lors",
            "après",
            "entre",
        ]
    ),
}
# A number in each plural category (as CLDR and the browser's Intl.PluralRules name them) of
# each language, to write out every form of a counted phrase for a script to choose from. The
# language's gettext plural forms (its .po header) follow the same rules. A language not listed
# gets English's two.
PLURAL_SAMPLES = {
    "en": {"one": 1, "other": 2},
    "fr": {"one": 1, "many": 1_000_000, "other": 2},
    "ar": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100},
}
# Link previews' locale (Open Graph's og:locale, language_TERRITORY) where it is not the code
# twice over ("de" → "de_DE"); English is British here, as its date formats are.
OPEN_GRAPH_LOCALES = {"en": "en_GB", "ar": "ar_AR"}
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Arabic short vowels and other marks (tashkeel), and the tatweel that stretches a word.
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own language) for every configured language: "Français", "العربيّة"."""
    return [(code, name_of(code)) for code in codes()]


def default_language() -> str:
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in codes() else codes()[0]


def generic(code: str | None) -> str:
    """ "en" for "en-gb": the form stories are labelled with."""
    return (code or default_language()).split("-")[0].lower()


def direction(code: str | None) -> str:
    return "rtl" if generic(code) in RIGHT_TO_LEFT else "ltr"


def name_of(code: str) -> str:
    """The language's name in itself, as a language menu shows it: "Français", "العربيّة"."""
    name = get_language_info(generic(code))["name_local"]
    return name[:1].upper() + name[1:]


def translated_name_of(code: str) -> str:
    """The language's name in the language of the page being made: "French", "الفرنسية"."""
    return str(get_language_info(generic(code))["name_translated"])


def plural_samples(code: str | None) -> dict[str, int]:
    """{"one": 1, "other": 2}: a number in each of the language's plural categories."""
    return PLURAL_SAMPLES.get(generic(code)) or PLURAL_SAMPLES["en"]


def open_graph_locale(code: str | None) -> str:
    """ "fr_FR": a page's og:locale."""
    code = generic(code)
    return OPEN_GRAPH_LOCALES.get(code) or f"{code}_{code.upper()}"


def url_prefix(code: str | None) -> str:
    """The start of a page's path in `code`: "" for the default language, "fr/" for French."""
    code = generic(code)
    return "" if code == default_language() or code not in codes() else f"{code}/"


def search_configs(code: str | None) -> list[str]:
    """The PostgreSQL text search configurations a story in `code` is indexed with: the one
    that stems it, and optionally one more (see settings.STORY_SEARCH_CONFIGS)."""
    configs = settings.STORY_SEARCH_CONFIGS.get(generic(code)) or ["simple"]
    return [configs] if isinstance(configs, str) else list(configs)


def search_config(code: str | None) -> str:
    """The configuration that stems a story in `code` (and weighs its matches)."""
    return search_configs(code)[0]


def highlight_config(code: str | None) -> str:
    """The configuration that marks the matches in a story's snippet: its last, most forgiving
    one (French: accents folded), so "electeurs" typed without accents still marks "électeurs"
    as it found the story."""
    return search_configs(code)[-1]


def fold_for_search(text: str) -> str:
    """Text as both sides of a search see it: without Arabic diacritics (tashkeel) or tatweel,
    so that "الانتِخاباتُ" and "الانتخابات" are one word. (Latin accents are folded by the
    engines: FTS5's remove_diacritics and PostgreSQL's unaccent.)"""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text))


def detect_language(text: str) -> str | None:
    """The configured language `text` is most likely written in, or None when it cannot tell
    (too little text, or no stop words of any language)."""
    letters = _LETTER.findall(text)
    if len(letters) < 10:
        return None
    if "ar" in codes() and len(_ARABIC_LETTER.findall(text)) > len(letters) / 2:
        return "ar"
    counts = dict.fromkeys(STOP_WORDS, 0)
    for word in _WORD.findall(text.lower()):
        word = word.replace("’", "'")
        if "'" in word:  # l'armée, d'un: the elided article or preposition is French
            head = word.split("'")[0]
            word = {"l": "la", "d": "de", "qu": "que", "n": "ne", "s": "se"}.get(head, word)
        for code, words in STOP_WORDS.items():
            if word in words:
                counts[code] += 1
    candidates = {code: n for code, n in counts.items() if code in codes() and n}
    if not candidates:
        return None
    return max(candidates, key=candidates.get)

"""Story languages: guessing a story's language from its copy, and search folding."""

import pytest

from articles.languages import detect_language, direction, fold_for_search, url_prefix

FRENCH = (
    "Le Mali a reçu des hélicoptères et des armes de la Russie, selon l'armée malienne. "
    "Les appareils ont été livrés à Bamako dans la nuit de jeudi à vendredi."
)
ENGLISH = (
    "Mali has received helicopters and weapons from Russia, the army said. The aircraft were "
    "delivered to Bamako on Thursday night, according to the ministry of defence."
)
ARABIC = (
    "تسلّم الجيش المالي طائرات مروحية وأسلحة من روسيا، بحسب ما أعلنته وزارة الدفاع في باماكو "
    "مساء الخميس، في إطار تعاون عسكري متزايد بين البلدين."
)


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "fr"), (ENGLISH, "en"), (ARABIC, "ar")])
def test_detects_the_language_of_real_copy(text, language):
    assert detect_language(text) == language


def test_arabic_with_english_names_is_arabic():
    assert detect_language("قال Emmanuel Macron إن فرنسا ستسحب قواتها من Mali قريبًا جدًا") == "ar"


@pytest.mark.parametrize("text", ["", "Mali", "12 345 678", "Wagner Bamako Gao"])
def test_says_nothing_when_it_cannot_tell(text):
    assert detect_language(text) is None


def test_only_configured_languages_are_guessed(settings):
    settings.LANGUAGES = [("en", "English"), ("ar", "Arabic")]
    assert detect_language(FRENCH) is None
    assert detect_language(ARABIC) == "ar"


def test_search_folding_drops_arabic_diacritics_and_tatweel():
    assert fold_for_search("الانتِخاباتُ") == "الانتخابات"
    assert fold_for_search("مـــالي") == "مالي"
    assert fold_for_search("élections") == "élections"  # Latin accents: the engines fold them


def test_direction_and_url_prefix():
    assert (direction("ar"), direction("fr"), direction("en-gb")) == ("rtl", "ltr", "ltr")
    assert (url_prefix("en"), url_prefix("en-gb"), url_prefix("fr"), url_prefix("ar")) == (
        "",
        "",
        "fr/",
        "ar/",
    )

"""Imported copy gets its language: from ninjs `language` when given, else from its text."""

import io
import json

import pytest
from django.core.management import call_command

from articles.models import Article
from articles.outbound.ninjs import article_to_ninjs
from articles.wire.importing import import_parsed, parse_copy

pytestmark = pytest.mark.django_db

FRENCH_WIRE = """Le Mali reçoit des hélicoptères et des armes de la Russie

Les appareils ont été livrés à Bamako, selon l'armée malienne.

Des soldats maliens devant un hélicoptère [Fichier : Michele Cattani/AFP]

La livraison intervient alors que les relations entre le Mali et la France se sont dégradées.

Source: Al Jazeera et agences de presse
"""

ARABIC_WIRE = """مالي تتسلم مروحيات وأسلحة من روسيا

تسلّم الجيش المالي طائرات مروحية وأسلحة من روسيا بحسب وزارة الدفاع.

وجاءت الشحنة في إطار تعاون عسكري متزايد بين باماكو وموسكو، في وقت تدهورت فيه العلاقات مع فرنسا.

Source: Al Jazeera
"""


def test_wire_text_in_french_and_arabic_is_labelled_from_its_words(tmp_path):
    (tmp_path / "fr.txt").write_text(FRENCH_WIRE)
    (tmp_path / "ar.txt").write_text(ARABIC_WIRE)
    call_command("import_wire", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    languages = dict(Article.objects.values_list("headline", "language"))
    assert languages == {
        "Le Mali reçoit des hélicoptères et des armes de la Russie": "fr",
        "مالي تتسلم مروحيات وأسلحة من روسيا": "ar",
    }


def test_ninjs_language_wins_over_the_text_and_regional_tags_are_reduced():
    doc = {
        "uri": "urn:example:1",
        "language": "fr-ML",
        "headline": "Bamako: the army receives helicopters",  # an English headline…
        "body_html": "<p>Short.</p>",
    }
    story = import_parsed(parse_copy(json.dumps(doc)))
    assert story.article.language == "fr"  # …but the copy says French


def test_ninjs_without_language_is_detected_and_an_unknown_one_is_ignored():
    arabic = {
        "uri": "urn:example:2",
        "language": "sw",  # not one of the site's languages: the text decides
        "headline": "مالي تتسلم مروحيات",
        "body_text": "تسلّم الجيش المالي طائرات مروحية وأسلحة من روسيا بحسب وزارة الدفاع.",
    }
    assert import_parsed(parse_copy(json.dumps(arabic))).article.language == "ar"


def test_ninjs_out_carries_the_language_and_round_trips():
    doc = {
        "uri": "urn:example:3",
        "language": "ar",
        "headline": "مالي",
        "body_text": "نص قصير.",
    }
    article = import_parsed(parse_copy(json.dumps(doc))).article
    assert article_to_ninjs(article)["language"] == "ar"


def test_reimport_keeps_an_editors_language_when_the_text_says_nothing():
    doc = {"uri": "urn:example:4", "headline": "Gao", "body_text": "Gao, Mali."}
    article = import_parsed(parse_copy(json.dumps(doc))).article
    Article.objects.filter(pk=article.pk).update(language="fr")
    assert import_parsed(parse_copy(json.dumps(doc))).article.language == "fr"

"""Translations: made from the desk, linked both ways, flagged when the original changes."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from articles.editorial import services
from articles.models import Article, Tag

from ..helpers.factories import make_article, make_image, make_source, make_staff

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def editor_user(db):
    return make_staff("ed", role="Editor")


@pytest.fixture
def desk(editor_user) -> Client:
    client = Client()
    client.force_login(editor_user)
    return client


@pytest.fixture
def original(db):
    return make_article(
        "Mali receives helicopters from Russia",
        byline="Staff",
        tags=["Mali", "Russia"],
        sources=[make_source("AFP")],
        lead_image=make_image(alt_text="Helicopters on a runway"),
        published_at=PUBLISHED,
    )


def test_translate_button_makes_a_linked_draft_with_photo_sources_and_tags(
    desk, original, editor_user
):
    response = desk.post(
        reverse("admin:articles_article_translate", args=[original.pk]), {"translate_into": "fr"}
    )
    draft = Article.objects.get(translation_of=original)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[draft.pk])
    assert (draft.language, draft.status) == ("fr", Article.Status.DRAFT)
    assert draft.lead_image == original.lead_image
    assert list(draft.sources.values_list("name", flat=True)) == ["AFP"]
    assert sorted(draft.tags.names()) == ["Mali", "Russia"]
    assert draft.created_by == editor_user
    assert list(original.translations.all()) == [draft]
    assert draft.revisions.get().action.startswith("Created as the")


def test_the_change_form_offers_only_languages_without_a_translation(desk, original):
    url = reverse("admin:articles_article_change", args=[original.pk])
    page = desk.get(url).content.decode()
    assert "Translate this story" in page
    offered = re.findall(r'<option value="(\w+)"', page.split('id="id_translate_into"')[1][:400])
    assert offered == ["fr", "ar"]
    services.translate_article(article=original, language="ar", user=None)
    page = desk.get(url).content.decode()
    assert re.findall(r'<option value="(\w+)"', page.split('id="id_translate_into"')[1][:300]) == [
        "fr"
    ]


def test_a_second_translation_into_the_same_language_is_refused(original):
    services.translate_article(article=original, language="fr", user=None)
    with pytest.raises(ValidationError, match="already a translation"):
        services.translate_article(article=original, language="fr", user=None)
    with pytest.raises(ValidationError, match="already in that language"):
        services.translate_article(article=original, language="en", user=None)


def test_translating_a_translation_links_to_the_original(original):
    french = services.translate_article(article=original, language="fr", user=None)
    arabic = services.translate_article(article=french, language="ar", user=None)
    assert arabic.translation_of == original


def test_someone_who_cannot_create_stories_cannot_translate(original, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.translate_article(article=original, language="fr", user=nobody)


def publish_translation(original, language="fr", headline="Le Mali reçoit des hélicoptères"):
    draft = services.translate_article(article=original, language=language, user=None)
    draft.headline = headline
    services.save_article(article=draft, user=None)
    return services.publish_article(article=draft, user=None, at=PUBLISHED)


def test_a_correction_to_the_original_flags_published_translations(
    editor_user, original, time_machine
):
    time_machine.move_to(PUBLISHED + datetime.timedelta(days=1), tick=False)
    french = publish_translation(original)
    unpublished = services.translate_article(article=original, language="ar", user=None)
    time_machine.move_to(datetime.datetime(2025, 12, 3, 10, 42, tzinfo=datetime.UTC), tick=False)
    services.add_correction(article=original, user=None, text="The helicopters are Mi-171s.")
    french.refresh_from_db()
    unpublished.refresh_from_db()
    assert french.original_changed_at == datetime.datetime(2025, 12, 3, 10, 42, tzinfo=datetime.UTC)
    assert unpublished.original_changed_at is None  # not published: nothing to be behind
    desk = Client()
    desk.force_login(editor_user)  # after the time travel, so the session is fresh

    page = desk.get(reverse("admin:articles_article_change", args=[french.pk])).content.decode()
    assert "Original corrected on 3 December, 10:42" in page
    listing = desk.get(reverse("admin:articles_article_changelist") + "?translation=behind")
    assert "Original corrected on 3 December, 10:42" in listing.content.decode()
    assert french.headline in listing.content.decode()

    desk.post(reverse("admin:articles_article_translation_up_to_date", args=[french.pk]))
    french.refresh_from_db()
    assert french.original_changed_at is None
    assert french.revisions.first().action == "Marked up to date with its original"
    page = desk.get(reverse("admin:articles_article_change", args=[french.pk])).content.decode()
    assert "Original corrected on" not in page


def test_an_update_to_the_originals_text_flags_too_but_a_translations_edit_does_not(
    original, time_machine
):
    time_machine.move_to(PUBLISHED + datetime.timedelta(days=1), tick=False)
    french = publish_translation(original)
    french.body = "<p>Texte revu.</p>"
    services.save_article(article=french, user=None)
    assert Article.objects.get(pk=french.pk).original_changed_at is None
    original.body = "<p>A rewritten body.</p>"
    services.save_article(article=original, user=None)
    assert Article.objects.get(pk=french.pk).original_changed_at is not None


def test_tags_show_their_name_in_the_storys_language(client, original):
    Tag.objects.filter(name="Russia").update(names={"fr": "Russie", "ar": "روسيا"})
    french = publish_translation(original)
    arabic = publish_translation(original, "ar", "مالي تتسلم مروحيات من روسيا")
    assert '">Russie</a>' in client.get(french.get_absolute_url()).content.decode()
    assert '">روسيا</a>' in client.get(arabic.get_absolute_url()).content.decode()
    assert '">Russia</a>' in client.get(original.get_absolute_url()).content.decode()


def test_tag_names_in_other_languages_are_checked(desk):
    tag = Tag.objects.create(name="Russia")
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    response = desk.post(url, {"name": "Russia", "slug": "russia", "names": '["Russie"]'})
    assert response.status_code == 200
    assert "Give names as" in response.content.decode()
    desk.post(url, {"name": "Russia", "slug": "russia", "names": '{"fr-FR": " Russie "}'})
    tag.refresh_from_db()
    assert tag.names == {"fr": "Russie"}

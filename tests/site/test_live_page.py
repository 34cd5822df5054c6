"""A live story's page and its poll: key events, order, permalinks, the end, what never leaks,
and the poll served by the page cache (304 until the next update)."""

import re
import time

import pytest
from django.core.cache import cache

from articles.editorial import live
from articles.models import Article
from tests.helpers.factories import make_article, make_draft
from tests.helpers.readers import ask_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


@pytest.fixture
def story():
    return live.start_coverage(article=make_article("Election night live"), user=None)


def post(story, text, **fields):
    return live.post_update(article=story, user=None, body=f"<p>{text}</p>", **fields)


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def poll_url(story) -> str:
    return f"{story.get_absolute_url()}updates.json"


def order_of(page: str, *texts) -> list[int]:
    return [page.index(text) for text in texts]


def test_updates_newest_first_key_events_on_top_and_permalinks(client, story):
    first = post(story, "Polls close at eight.", headline="Polls close")
    second = post(story, "First results are in.")
    live.set_key_event(update=first, user=None, is_key_event=True)
    page = html(client, story.get_absolute_url())
    stream = page[page.index('id="live-stream"') :]
    assert stream.index("First results are in.") < stream.index("Polls close at eight.")
    key_events = page[page.index("Key events") : page.index('id="live-stream"')]
    assert f'href="#update-{first.pk}"' in key_events and "Polls close" in key_events
    assert f'href="#update-{second.pk}"' not in key_events
    assert f'id="update-{first.pk}"' in page and f'id="update-{second.pk}"' in page
    assert 'aria-live="polite"' in page
    # The words for live.js sit in data attributes; the status the reader sees says it is live.
    assert 'id="live-status">This live coverage has ended' not in page
    assert re.search(r'<script src="[^"]*js/live\.js" defer></script>', page)


def test_oldest_first_works_without_javascript(client, story):
    post(story, "Polls close at eight.")
    post(story, "First results are in.")
    page = html(client, story.get_absolute_url() + "?order=oldest")
    stream = page[page.index('id="live-stream"') :]
    assert stream.index("Polls close at eight.") < stream.index("First results are in.")
    assert 'href="?order=newest#live"' in page


def test_ended_coverage_says_so_and_stops_polling(client, story):
    post(story, "Last word.")
    live.end_coverage(article=story, user=None)
    page = html(client, story.get_absolute_url())
    assert 'id="live-status">This live coverage has ended.</p>' in page
    assert "Last word." in page
    assert "js/live.js" not in page
    assert client.get(poll_url(story)).json()["live"] is False


def test_an_ordinary_story_has_no_live_section_or_poll(client):
    article = make_article()
    assert 'id="live"' not in html(client, article.get_absolute_url())
    assert client.get(f"{article.get_absolute_url()}updates.json").status_code == 404


def test_deleted_updates_leave_the_page_and_the_poll(client, story):
    kept, gone = post(story, "Kept update."), post(story, "Mistaken update.")
    live.delete_update(update=gone, user=None)
    page = html(client, story.get_absolute_url())
    assert "Kept update." in page and "Mistaken update." not in page
    data = client.get(poll_url(story)).json()
    assert data["ids"] == [kept.pk]
    assert [item["id"] for item in data["updates"]] == [kept.pk]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.UNPUBLISHED])
def test_an_unpublished_storys_updates_never_leak(client, status):
    article = make_draft("Secret live") if status == "draft" else make_article(status=status)
    live.start_coverage(article=article, user=None)
    live.post_update(article=article, user=None, body="<p>Secret update.</p>")
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(poll_url(article)).status_code == 404
    for url in ("/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json", "/api/articles/"):
        assert b"Secret update" not in client.get(url).content, url


def test_poll_is_page_cached_answers_304_then_shows_the_next_update(
    client, settings, story, django_assert_num_queries, committed
):
    settings.PAGE_CACHE_SECONDS = 300
    first = post(story, "First.")
    response = client.get(poll_url(story))
    assert response["X-Page-Cache"] == "miss"
    assert "s-maxage=" in response["Cache-Control"]
    assert response.json()["ids"] == [first.pk]
    with django_assert_num_queries(0):  # from the page cache
        again = client.get(poll_url(story), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304

    with committed():  # what follows the commit: a new content generation
        second = post(story, "Second.")
    fresh = client.get(poll_url(story), headers={"If-None-Match": response["ETag"]})
    assert fresh.status_code == 200
    data = fresh.json()
    assert data["ids"] == [second.pk, first.pk]
    assert "Second." in data["updates"][0]["html"]
    assert f'id="update-{second.pk}"' in data["updates"][0]["html"]


def test_an_edit_and_a_pin_reach_the_cached_page_and_poll(client, settings, story, committed):
    settings.PAGE_CACHE_SECONDS = 300
    update = post(story, "Turnout is low.")
    before = client.get(poll_url(story)).json()["updates"][0]
    html(client, story.get_absolute_url())
    with committed():
        live.edit_update(update=update, user=None, body="<p>Turnout is high.</p>")
    with committed():
        live.set_key_event(update=update, user=None, is_key_event=True)
    after = client.get(poll_url(story)).json()["updates"][0]
    assert after["modified"] != before["modified"]
    assert after["key_event"] and "Turnout is high." in after["html"]
    page = html(client, story.get_absolute_url())
    assert "Turnout is high." in page and "Turnout is low." not in page
    assert "Key events" in page


def test_the_page_marks_updates_as_the_poll_does(client, story):
    update = post(story, "Same stamp.")
    page = html(client, story.get_absolute_url())
    item = client.get(poll_url(story)).json()["updates"][0]
    assert f'data-modified="{item["modified"]}"' in page
    assert update.pk == item["id"]


def test_page_and_poll_cost_a_fixed_number_of_queries(
    client, story, warm_page_cache, django_assert_max_num_queries
):
    for number in range(5):
        post(story, f"Update {number}.", headline=f"Headline {number}")
    with django_assert_max_num_queries(10):
        html(client, story.get_absolute_url())
    with django_assert_max_num_queries(4):
        assert len(client.get(poll_url(story)).json()["ids"]) == 5


def test_an_update_photo_shows_with_its_caption(client, story):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers.factories import make_image
    from tests.helpers.images import image_bytes

    # With a file: a caption waiting for its photo is shown to nobody (desk-edit).
    upload = SimpleUploadedFile("palace.png", image_bytes("PNG"))
    photo = make_image(
        caption="Crowds outside the palace",
        credit="Jane Doe/Reuters",
        alt_text="Crowds",
        file=upload,
    )
    post(story, "The scene.", image=photo)
    page = html(client, story.get_absolute_url())
    stream = page[page.index('id="live-stream"') :]
    assert "Crowds outside the palace" in stream and "The scene." in stream


def test_the_desk_preview_shows_a_draft_live_story_without_polling(client):
    from tests.helpers.factories import make_editor

    draft = make_draft("Live draft")
    live.start_coverage(article=draft, user=None)
    live.post_update(article=draft, user=None, body="<p>Prepared update.</p>")
    client.force_login(make_editor())
    response = client.get(f"/admin/articles/article/{draft.pk}/preview/")
    page = response.content.decode()
    assert "Prepared update." in page
    assert "js/live.js" not in page and "updates.json" not in page
    assert "no-store" in response["Cache-Control"]


def test_a_french_live_page_and_its_script_words_are_french(client):
    story = live.start_coverage(article=make_article("Soirée électorale", language="fr"), user=None)
    post(story, "Les bureaux ferment.")
    page = html(client, story.get_absolute_url())
    assert "Le direct" in page and "Les plus récentes d’abord" in page
    assert 'data-show-other="Afficher {count} nouvelles mises à jour"' in page
    assert 'data-show-one="Afficher {count} nouvelle mise à jour"' in page
    live.end_coverage(article=story, user=None)
    cache.clear()
    assert 'id="live-status">Ce direct est terminé.</p>' in html(client, story.get_absolute_url())


def test_pollers_arriving_together_after_a_post_render_the_poll_once(
    transactional_db, settings, monkeypatch
):
    """The moment a post makes the cached poll stale, every open page's next poll arrives: one of
    them renders it, the others wait for what it stores (and none is served the stale answer)."""
    import threading

    from django.test import Client

    from articles.site import views

    settings.PAGE_CACHE_SECONDS = 300
    story = live.start_coverage(article=make_article("Election night live"), user=None)
    first = post(story, "First.")
    url = poll_url(story)
    assert Client().get(url).json()["ids"] == [first.pk]
    second = post(story, "Second.")  # committed: a new content generation

    renders = []
    render_fragments = views._update_fragments

    def slow_render(*args):
        renders.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every poller to arrive meanwhile
        return render_fragments(*args)

    monkeypatch.setattr(views, "_update_fragments", slow_render)
    pollers = 12
    answers = [
        (response.status_code, response.json()["ids"]) for response in ask_together(url, pollers)
    ]
    assert answers == [(200, [second.pk, first.pk])] * pollers
    assert len(renders) == 1


def test_the_poll_carries_the_key_events_box_as_the_page_shows_it(client, story, committed):
    oldest = post(story, "Polls open.", headline="Polls open")
    for number in range(25):  # the oldest is no longer among the updates the poll carries
        post(story, f"Update {number}.")
    newest = post(story, "A winner is declared.")
    assert client.get(poll_url(story)).json()["key_events_html"] == ""
    with committed():
        live.set_key_event(update=oldest, user=None, is_key_event=True)
    with committed():
        live.set_key_event(update=newest, user=None, is_key_event=True)
    box = client.get(poll_url(story)).json()["key_events_html"]
    assert box.startswith('<nav class="live__key-events"')
    assert box.index(f'href="#update-{newest.pk}"') < box.index(f'href="#update-{oldest.pk}"')
    assert "Polls open" in box and "A winner is declared." in box
    assert box in html(client, story.get_absolute_url())
    with committed():
        live.set_key_event(update=oldest, user=None, is_key_event=False)
    box = client.get(poll_url(story)).json()["key_events_html"]
    assert f"#update-{oldest.pk}" not in box and f"#update-{newest.pk}" in box


@pytest.mark.parametrize(
    "language, forms",
    [
        ("en", {"one": "{count} new update", "other": "{count} new updates"}),
        (
            "fr",
            {
                "one": "{count} nouvelle mise à jour",
                "many": "{count} de nouvelles mises à jour",
                "other": "{count} nouvelles mises à jour",
            },
        ),
        (
            "ar",
            {
                "zero": "لا تحديثات جديدة",
                "one": "تحديث جديد واحد",
                "two": "تحديثان جديدان",
                "few": "{count} تحديثات جديدة",
                "many": "{count} تحديثًا جديدًا",
                "other": "{count} تحديث جديد",
            },
        ),
    ],
)
def test_the_script_gets_every_plural_form_of_the_pages_language(client, language, forms):
    # live.js picks one with Intl.PluralRules: the page gives each of the language's categories.
    story = live.start_coverage(article=make_article("Live", language=language), user=None)
    page = html(client, story.get_absolute_url())
    given = dict(re.findall(r' data-new-(\w+)="([^"]*)"', page))
    assert given == forms
    for name in ["show", "shown"]:
        assert set(re.findall(rf" data-{name}-(\w+)=", page)) == set(forms)

"""Corrections and updates at the foot of published stories, and the "Updated" line."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.editorial import services
from articles.models import Article, Correction

from ..helpers.factories import make_article, make_draft, make_staff

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2030, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def editor_user(db):
    return make_staff("ed", role="Editor")


@pytest.fixture
def editor(editor_user) -> Client:
    client = Client()
    client.force_login(editor_user)
    return client


def corrections_url(article) -> str:
    return reverse("admin:articles_article_corrections", args=[article.pk])


def foot_of(page: str) -> str:
    match = re.search(r'<section class="corrections".*?</section>', page, re.S)
    assert match, "no corrections section"
    return match.group(0)


def test_editor_adds_corrections_and_readers_see_them_newest_first(
    editor_user, client, time_machine
):
    time_machine.move_to(PUBLISHED + datetime.timedelta(hours=1), tick=False)
    editor = Client()
    editor.force_login(editor_user)  # after the time travel, so the session is fresh
    article = make_article(published_at=PUBLISHED)
    response = editor.post(
        corrections_url(article),
        {"kind": "correction", "text": "An earlier version misspelt the mayor's name."},
    )
    assert response.status_code == 302
    time_machine.move_to(PUBLISHED + datetime.timedelta(hours=3), tick=False)
    editor.post(corrections_url(article), {"kind": "update", "text": "The road has reopened."})

    foot = foot_of(client.get(article.get_absolute_url()).content.decode())
    update_at, correction_at = foot.index("The road has reopened."), foot.index("misspelt")
    assert update_at < correction_at  # newest first
    assert "<strong>Update</strong>" in foot and "<strong>Correction</strong>" in foot
    assert 'datetime="2030-03-01T11:00:00+00:00"' in foot
    correction = Correction.objects.get(kind="correction")
    assert correction.created_by.username == "ed"
    assert correction.created_at == PUBLISHED + datetime.timedelta(hours=1)


def test_correction_text_is_escaped(editor_user, client):
    article = make_article()
    services.add_correction(
        article=article, user=editor_user, text='<script>alert("x")</script> & more'
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in foot_of(page)


def test_no_corrections_section_without_corrections(client):
    page = client.get(make_article().get_absolute_url()).content.decode()
    assert 'class="corrections"' not in page


@pytest.mark.parametrize(
    "article_kind",
    ["draft", "scheduled", "deleted"],
)
def test_corrections_only_on_stories_readers_can_see(editor, editor_user, article_kind):
    if article_kind == "draft":
        article = make_draft()
    elif article_kind == "scheduled":
        article = make_article(published_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    else:
        article = make_article()
        services.delete_article(article=article, user=None)
    with pytest.raises(ValidationError):
        services.add_correction(article=article, user=editor_user, text="Fix.")
    if article_kind != "deleted":
        response = editor.post(corrections_url(article), {"kind": "correction", "text": "Fix."})
        assert response.status_code == 200
        assert "only be added to a published story" in response.content.decode()
    assert not Correction.objects.exists()


def test_empty_or_overlong_correction_is_refused(editor):
    article = make_article()
    for text in ("", "   ", "x" * 2001):
        response = editor.post(corrections_url(article), {"kind": "correction", "text": text})
        assert response.status_code == 200
    assert not Correction.objects.exists()


def test_reporter_cannot_add_a_correction():
    reporter = make_staff("rita", role="Reporter")
    with pytest.raises(PermissionDenied):
        services.add_correction(article=make_article(), user=reporter, text="Fix.")


def test_updated_line_after_a_change_to_the_words(editor_user, client, time_machine, committed):
    # The clock keeps ticking here: the page cache tells content generations apart by time.
    time_machine.move_to(PUBLISHED + datetime.timedelta(days=1))
    article = make_article(published_at=PUBLISHED)
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    article.byline = "Staff reporter"
    with committed():
        services.save_article(article=article, user=editor_user)
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    article.standfirst = "A sharper standfirst."
    with committed():
        services.save_article(article=article, user=editor_user)
    page = client.get(article.get_absolute_url()).content.decode()
    updated = Article.objects.get(pk=article.pk).content_updated_at
    assert updated - PUBLISHED >= datetime.timedelta(days=1)
    stamp = updated.isoformat(timespec="seconds")
    assert f'Updated <time datetime="{stamp}">2 March 2030, 08:00 UTC</time>' in page


def test_article_page_query_count_does_not_grow_with_corrections(editor_user, client, committed):
    article = make_article()
    url = article.get_absolute_url()
    with committed():
        services.add_correction(article=article, user=editor_user, text="First.")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    with committed():
        for n in range(5):
            services.add_correction(article=article, user=editor_user, text=f"More {n}.")
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).status_code == 200
    assert len(six) == len(one)

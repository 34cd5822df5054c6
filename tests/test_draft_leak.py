"""No draft, story in review, scheduled, embargoed, expired, withdrawn, killed or deleted story
shows on any public surface.

An anonymous reader requests every public URL there is (pages, search, feeds, sitemaps, robots,
API) and none of the hidden stories may appear in any response: not their headline, words, address,
id, nor a tag that only they carry. `test_every_public_url_is_covered` fails when someone adds a
public URL without adding it here.
"""

import datetime
import re

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from articles.editorial import live, services
from articles.models import Article, Author, Contributor

from .helpers.factories import make_article, make_draft, make_source

pytestmark = pytest.mark.django_db

Status = Article.Status

# URL names (namespace:name) this test requests; everything public must be listed here.
COVERED = {
    "articles:front",
    "articles:detail",
    "articles:live_updates",
    "articles:tag_index",
    "articles:tag",
    "articles:search",
    "articles:source",
    "articles:author_index",
    "articles:author",
    "syndication:author-rss",
    "syndication:author-atom",
    "articles:shared_preview",  # needs a signed token: tested in test_preview.py
    "syndication:latest-rss",
    "syndication:latest-atom",
    "syndication:latest-json",
    "syndication:language-rss",
    "syndication:language-atom",
    "syndication:tag-rss",
    "syndication:tag-atom",
    "syndication:source-rss",
    "syndication:source-atom",
    "syndication:sitemap-index",
    "syndication:sitemap-section",
    "syndication:robots",
    "api:root",
    "api:articles",
    "api:article",
    "api:article-ninjs",
    "api:tags",
    "api:sources",
    "api:schema",
    "api:unknown",
}
PUBLIC_NAMESPACES = {"articles", "syndication", "api"}
DELETED_UPDATE = "withdrawnupdatemarker"


def test_every_public_url_is_covered():
    names = set()
    resolver = get_resolver()
    for namespace in PUBLIC_NAMESPACES:
        if namespace not in resolver.namespace_dict:
            continue
        _, sub_resolver = resolver.namespace_dict[namespace]
        names |= {
            f"{namespace}:{pattern.name}"
            for pattern in sub_resolver.url_patterns
            if getattr(pattern, "name", None)
        }
    assert names - COVERED == set(), "add these public URLs to the draft-leak test"


@pytest.fixture
def newsroom(db, django_capture_on_commit_callbacks, time_machine):
    """One visible story and one hidden story of every kind, sharing its tag and source."""
    agency = make_source("Leak Agency")
    past = timezone.now() - datetime.timedelta(hours=2)
    hidden = {}
    with django_capture_on_commit_callbacks(execute=True):  # search index, caches…
        visible = make_article(
            "Visible story about zebrafinches",
            standfirst="Zebrafinch numbers rise.",
            tags=["Birds"],
            sources=[agency],
            published_at=past,
        )
        Contributor.objects.create(
            article=visible, author=Author.objects.create(name="Vera Visible")
        )
        # Live coverage on every story; the visible one has a deleted update that must not show.
        live.start_coverage(article=visible, user=None)
        live.post_update(article=visible, user=None, body="<p>Zebrafinch live update.</p>")
        withdrawn = live.post_update(
            article=visible, user=None, body=f"<p>Zebrafinch {DELETED_UPDATE} update.</p>"
        )
        live.delete_update(update=withdrawn, user=None)
        kinds = [
            "draft",
            "in_review",
            "scheduled",
            "unpublished",
            "deleted",
            "deleted_draft",
            "embargoed",
            "expired",
            "killed",
        ]
        for kind in kinds:
            marker = f"leakmarker{kind.replace('_', '')}"
            fields = {
                "standfirst": f"Zebrafinch {marker} standfirst.",
                "body": f"<p>Zebrafinch {marker} body.</p>",
                "tags": ["Birds", f"Secret {marker}"],
                "sources": [agency],
            }
            headline = f"Hidden {marker} zebrafinch story"
            if kind in ("draft", "deleted_draft"):
                article = make_draft(headline, **fields)
            elif kind == "in_review":
                article = make_article(headline, status=Status.IN_REVIEW, **fields)
            elif kind == "scheduled":
                article = make_draft(headline, **fields)
                services.schedule_article(
                    article=article, user=None, at=timezone.now() + datetime.timedelta(days=1)
                )
            elif kind == "embargoed":  # scheduled for the moment its embargo lifts
                lift = timezone.now() + datetime.timedelta(hours=3)
                article = make_draft(headline, embargoed_until=lift, **fields)
                services.schedule_article(article=article, user=None, at=lift)
            elif kind == "expired":
                article = make_article(
                    headline,
                    published_at=past,
                    expires_at=timezone.now() + datetime.timedelta(minutes=30),
                    **fields,
                )
            elif kind == "killed":
                article = make_article(headline, published_at=past, **fields)
                services.kill_story(article=article, user=None, reason="Agency kill")
            else:
                article = make_article(headline, published_at=past, **fields)
                if kind == "unpublished":
                    services.unpublish_article(article=article, user=None)
            live.start_coverage(article=article, user=None)
            live.post_update(
                article=article, user=None, body=f"<p>Zebrafinch {marker} live update.</p>"
            )
            if kind.startswith("deleted"):
                services.delete_article(article=article, user=None)
            writer = Author.objects.create(name=f"Writer {marker}")
            Contributor.objects.create(article=article, author=writer)
            article.refresh_from_db()
            hidden[marker] = article
    # The expired story was listed, counted and cached while it ran; it expires by time alone.
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    return visible, hidden


def public_urls(visible, hidden) -> list[str]:
    urls = [
        "/",
        visible.get_absolute_url(),
        f"{visible.get_absolute_url()}updates.json",
        reverse("api:article", kwargs={"id": visible.pk}),
        reverse("api:article-ninjs", kwargs={"id": visible.pk}),
        reverse("articles:tag_index"),
        reverse("articles:tag", kwargs={"slug": "birds"}),
        reverse("articles:source", kwargs={"slug": "leak-agency"}),
        reverse("articles:search") + "?q=zebrafinch",
        reverse("articles:search") + "?q=leakmarkerdraft",
        reverse("syndication:latest-rss"),
        reverse("syndication:latest-atom"),
        reverse("syndication:latest-json"),
        reverse("syndication:language-rss", kwargs={"language": "en"}),
        reverse("syndication:language-atom", kwargs={"language": "en"}),
        "/fr/search/?q=leakmarkerdraft",
        "/ar/tags/",
        reverse("syndication:tag-rss", kwargs={"slug": "birds"}),
        reverse("syndication:tag-atom", kwargs={"slug": "birds"}),
        reverse("syndication:source-rss", kwargs={"slug": "leak-agency"}),
        reverse("syndication:source-atom", kwargs={"slug": "leak-agency"}),
        reverse("syndication:sitemap-index"),
        reverse("syndication:robots"),
        reverse("api:root"),
        reverse("api:articles"),
        reverse("api:articles") + "?tag=birds",
        reverse("api:articles") + "?source=leak-agency",
        reverse("api:tags"),
        reverse("api:sources"),
        reverse("articles:author_index"),
        reverse("articles:author", kwargs={"slug": "vera-visible"}),
        reverse("syndication:author-atom", kwargs={"slug": "vera-visible"}),
        reverse("syndication:author-rss", kwargs={"slug": "vera-visible"}),
    ]
    for article in hidden.values():
        secret_tag = next(tag for tag in article.tags.all() if tag.name.startswith("Secret"))
        writer = article.authors.get()
        urls += [
            article.get_absolute_url(),
            f"{article.get_absolute_url()}updates.json",
            reverse("articles:tag", kwargs={"slug": secret_tag.slug}),
            reverse("syndication:tag-rss", kwargs={"slug": secret_tag.slug}),
            reverse("syndication:tag-atom", kwargs={"slug": secret_tag.slug}),
            reverse("api:article", kwargs={"id": article.pk}),
            reverse("api:article-ninjs", kwargs={"id": article.pk}),
            reverse("api:articles") + f"?tag={secret_tag.slug}",
            reverse("articles:author", kwargs={"slug": writer.slug}),
            reverse("syndication:author-atom", kwargs={"slug": writer.slug}),
        ]
    return urls


def test_no_hidden_story_on_any_public_surface(client, newsroom):
    visible, hidden = newsroom
    # A hidden story is given away by its marker word (in its standfirst, body and secret tag),
    # its headline or its address.
    forbidden = {
        marker: [marker, article.headline, article.get_absolute_url()]
        for marker, article in hidden.items()
    } | {DELETED_UPDATE: [DELETED_UPDATE]}
    # The sitemap index lists its sections; fetch every one of them too.
    index = client.get(reverse("syndication:sitemap-index")).content.decode()
    sections = [
        re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>(.*?)</loc>", index)
    ]
    assert sections, "the sitemap index lists no sections"

    seen_visible = 0
    for url in public_urls(visible, hidden) + sections:
        response = client.get(url)
        assert response.status_code in (200, 404, 410), (url, response.status_code)
        body = response.content.decode()
        for marker, needles in forbidden.items():
            for needle in needles:
                if needle == marker and marker in url:
                    continue  # a page may echo what was asked for (the search box)
                assert needle not in body, f"{marker} leaked at {url}"
        api_ids = re.findall(r'"id":\s*(\d+)', body) if url.startswith("/api/articles") else []
        assert not {int(i) for i in api_ids} & {a.pk for a in hidden.values()}, url
        if response.status_code == 200 and (
            visible.headline in body or visible.get_absolute_url() in body
        ):
            seen_visible += 1
    # The surfaces work (the visible story shows up on most of them), so "absent" means filtered.
    assert seen_visible >= 15, seen_visible


def test_hidden_story_pages_are_404_or_410_when_withdrawn(client, newsroom):
    _, hidden = newsroom
    for article in hidden.values():
        status = 410 if article.withdrawn_at else 404
        assert client.get(article.get_absolute_url()).status_code == status
        assert client.get(reverse("api:article", kwargs={"id": article.pk})).status_code == status
    assert sum(1 for article in hidden.values() if article.withdrawn_at) == 1


def test_tag_counts_ignore_hidden_stories(client, newsroom):
    page = client.get(reverse("articles:tag_index")).content.decode()
    assert "Birds" in page and "Secret" not in page
    api = client.get(reverse("api:tags")).json()
    items = api.get("results", api) if isinstance(api, dict) else api
    birds = next(item for item in items if item.get("name") == "Birds")
    if "count" in birds or "article_count" in birds:
        assert birds.get("count", birds.get("article_count")) == 1

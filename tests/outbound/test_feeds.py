import datetime
import html
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.editorial.tagging import merge_tags, rename_tag
from articles.models import Correction, Image, Tag

from ..helpers.factories import make_article, make_draft, make_source
from ..helpers.images import png_bytes

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
MRSS = "http://search.yahoo.com/mrss/"


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.fixture
def stories(db):
    now = timezone.now()
    photo = Image.objects.create(
        file=SimpleUploadedFile("photo.png", png_bytes(300, 200), content_type="image/png"),
        caption="Rescue workers wade through a flooded street",
        credit="Ahmed Jallanzo/EPA",
        alt_text="Two men in brown water",
    )
    reuters = make_source("Reuters")
    return {
        "mali": make_article(
            "Mali receives helicopters",
            standfirst="Tense relations & more.",
            body="<p>Full <strong>story</strong> text.</p><p>Second paragraph.</p>",
            byline="Jane Reporter",
            tags=["Mali", "Russia"],
            sources=[reuters],
            published_at=now - datetime.timedelta(hours=3),
            content_updated_at=now - datetime.timedelta(hours=1),
            lead_image=photo,
        ),
        "floods": make_article(
            "Floods in Liberia",
            tags=["Liberia"],
            sources=[make_source("Al Jazeera"), make_source("News Agencies")],
            published_at=now - datetime.timedelta(hours=5),
        ),
        "draft": make_draft("Draft about Mali", tags=["Mali"], sources=[reuters]),
        "scheduled": make_article(
            "Scheduled Mali story", tags=["Mali"], published_at=now + datetime.timedelta(hours=2)
        ),
        "deleted": make_article("Deleted Mali story", tags=["Mali"], deleted_at=now),
    }


LEAKS = ("Draft about Mali", "Scheduled Mali story", "Deleted Mali story")


@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/latest.atom"])
def test_latest_feeds_hold_only_published_stories_newest_first(client, stories, url):
    feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == [
        "Mali receives helicopters",
        "Floods in Liberia",
    ]
    body = client.get(url).content.decode()
    for leak in LEAKS:
        assert leak not in body


@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/latest.atom"])
def test_entry_carries_every_part(client, stories, url):
    article = stories["mali"]
    entry = parse(client, url).entries[0]
    assert entry.link == SITE + article.get_absolute_url()
    assert entry.published_parsed[:6] == article.published_at.utctimetuple()[:6]
    assert entry.author == "Jane Reporter"
    assert [tag.term for tag in entry.tags] == ["Mali", "Russia"]
    assert html.unescape(entry.summary) == "Tense relations & more."  # summary is HTML
    assert "<strong>story</strong>" in entry.content[0].value
    assert "Second paragraph." in entry.content[0].value
    (enclosure,) = [link for link in entry.links if link.rel == "enclosure"]
    assert enclosure.href == SITE + article.lead_image.file.url
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == article.lead_image.file.size
    (media,) = entry.media_content
    assert media["url"] == enclosure.href
    assert (media["width"], media["height"]) == ("300", "200")
    assert entry.media_credit[0]["content"] == "Ahmed Jallanzo/EPA"
    caption = ET.fromstring(client.get(url).content).find(f".//{{{MRSS}}}description")
    assert caption.text == "Rescue workers wade through a flooded street"


def test_atom_has_the_update_date(client, stories):
    entry = parse(client, "/feeds/latest.atom").entries[0]
    assert entry.updated_parsed[:6] == stories["mali"].content_updated_at.utctimetuple()[:6]


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json"])
def test_corrections_travel_with_the_story(client, stories, url):
    story = stories["mali"]
    older = timezone.now() - datetime.timedelta(minutes=30)
    Correction.objects.create(article=story, text="An earlier <b>note</b>.", created_at=older)
    newest = Correction.objects.create(
        article=story, kind=Correction.Kind.UPDATE, text="The minister has since resigned."
    )
    body = client.get(url).content.decode()
    expected_update = newest.created_at.astimezone(datetime.UTC)
    if url.endswith(".json"):
        item = json.loads(body)["items"][0]
        content = item["content_html"]
        updated = datetime.datetime.fromisoformat(item["date_modified"])
        assert abs(updated - expected_update) < datetime.timedelta(seconds=1)
    else:
        entry = feedparser.parse(body).entries[0]
        content = entry.content[0].value
        if url.endswith(".atom"):  # RSS items have no updated date
            assert entry.updated_parsed[:6] == expected_update.utctimetuple()[:6]
    assert content.index("The minister has since resigned.") < content.index("An earlier")
    assert "&lt;b&gt;note&lt;/b&gt;" in content  # a note is text, never markup


def test_without_a_byline_the_sources_are_the_author(client, stories):
    entry = parse(client, "/feeds/latest.atom").entries[1]
    assert entry.author == "Al Jazeera, News Agencies"
    assert not [link for link in entry.links if link.rel == "enclosure"]


def test_hostile_text_stays_text(client):
    make_article(
        "<script>alert(1)</script> & </title> headline",
        standfirst="<img src=x onerror=alert(1)>",
        body="<p>ok</p><script>alert(2)</script>",
    )
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        raw = client.get(url).content.decode()
        assert "<script>" not in raw and "<img" not in raw
        entry = parse(client, url).entries[0]
        assert entry.title == "<script>alert(1)</script> & </title> headline"
        assert "alert(2)" not in entry.content[0].value


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_feed_holds_only_that_tags_published_stories(client, stories, kind):
    feed = parse(client, f"/tags/mali/feed.{kind}")
    assert [entry.title for entry in feed.entries] == ["Mali receives helicopters"]
    assert "Mali" in feed.feed.title
    assert parse(client, f"/tags/liberia/feed.{kind}").entries[0].title == "Floods in Liberia"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_renamed_or_merged_tags_old_feed_redirects_to_its_new_one(client, stories, kind):
    rename_tag(Tag.objects.get(name="Mali"), new_name="Republic of Mali")
    merge_tags([Tag.objects.get(name="Liberia")], into=Tag.objects.get(name="Russia"))
    for old, new in [("mali", "republic-of-mali"), ("liberia", "russia")]:
        response = client.get(f"/tags/{old}/feed.{kind}")
        assert response.status_code == 301
        assert response["Location"] == f"/tags/{new}/feed.{kind}"
        assert parse(client, response["Location"]).entries  # a feed reader follows it
    assert client.get(f"/tags/republic-of-mali/feed.{kind}").status_code == 200


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_source_feed_filters(client, stories, kind):
    feed = parse(client, f"/sources/reuters/feed.{kind}")
    assert [entry.title for entry in feed.entries] == ["Mali receives helicopters"]


def test_feeds_of_unknown_or_draft_only_tags_and_sources_are_404(client, stories):
    make_draft("Secret", tags=["Secret tag"], sources=[make_source("Secret Agency")])
    for url in (
        "/tags/nothing/feed.rss",
        "/tags/secret-tag/feed.atom",
        "/sources/nobody/feed.rss",
        "/sources/secret-agency/feed.atom",
    ):
        assert client.get(url).status_code == 404, url


def test_feed_query_count_is_fixed(client, django_assert_max_num_queries):
    for n in range(12):
        image = Image.objects.create(caption=f"Photo {n}", credit="A/B")
        story = make_article(tags=[f"Tag {n}", "Common"], sources=[make_source()], lead_image=image)
        Correction.objects.create(article=story, text=f"Correction {n}")
    with django_assert_max_num_queries(8):
        assert len(parse(client, "/feeds/latest.atom").entries) == 12
    with django_assert_max_num_queries(9):
        assert len(parse(client, "/tags/common/feed.rss").entries) == 12


def test_json_feed(client, stories):
    response = client.get("/feeds/latest.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == SITE + "/feeds/latest.json"
    assert [item["title"] for item in feed["items"]] == [
        "Mali receives helicopters",
        "Floods in Liberia",
    ]
    item = feed["items"][0]
    article = stories["mali"]
    assert item["id"] == item["url"] == SITE + article.get_absolute_url()
    assert item["summary"] == "Tense relations & more."
    assert "<strong>story</strong>" in item["content_html"]
    assert item["tags"] == ["Mali", "Russia"]
    assert item["authors"] == [{"name": "Jane Reporter"}]
    assert item["image"] == SITE + article.lead_image.file.url
    published = datetime.datetime.fromisoformat(item["date_published"])
    assert abs(published - article.published_at) < datetime.timedelta(milliseconds=1)
    for leak in LEAKS:
        assert leak not in response.content.decode()


def test_pages_advertise_their_feeds(client, stories):
    front = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in front and 'href="/feeds/latest.atom"' in front
    assert 'href="/feeds/latest.rss"' in front and 'href="/feeds/latest.json"' in front
    tag_page = client.get("/tags/mali/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in tag_page
    assert 'href="/tags/mali/feed.atom"' in tag_page and 'href="/tags/mali/feed.rss"' in tag_page
    source_page = client.get("/sources/reuters/").content.decode()
    assert 'href="/sources/reuters/feed.rss"' in source_page
    assert 'href="/sources/reuters/feed.atom"' in source_page

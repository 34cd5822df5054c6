"""A live story as data: JSON-LD LiveBlogPosting, feed entries, the API and ninjs carry its updates
(never deleted ones), and the news sitemap lists it while it runs."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.editorial import live
from articles.outbound.ninjs import ninjs_schema
from tests.helpers.factories import make_article

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"

# The schema.org vocabulary (version 29) for the types our JSON-LD uses: each type's own
# properties and its parent. Thing ← CreativeWork ← Article ← SocialMediaPosting ← BlogPosting ←
# LiveBlogPosting (https://schema.org/LiveBlogPosting); NewsArticle is an Article.
SCHEMA_ORG = {
    "Thing": (None, {"@context", "@type", "@id", "url", "name", "description", "image",
                     "mainEntityOfPage", "identifier", "sameAs"}),
    "CreativeWork": ("Thing", {"headline", "datePublished", "dateModified", "author",
                               "publisher", "keywords", "isAccessibleForFree",
                               "sourceOrganization", "correction", "text"}),
    "Article": ("CreativeWork", {"articleBody", "articleSection", "wordCount"}),
    "NewsArticle": ("Article", {"dateline"}),
    "SocialMediaPosting": ("Article", {"sharedContent"}),
    "BlogPosting": ("SocialMediaPosting", set()),
    "LiveBlogPosting": ("BlogPosting", {"coverageStartTime", "coverageEndTime",
                                        "liveBlogUpdate"}),
    "Person": ("Thing", {"affiliation"}),
    "Organization": ("Thing", set()),
    "NewsMediaOrganization": ("Organization", set()),
    "WebPage": ("CreativeWork", set()),
    "CorrectionComment": ("CreativeWork", set()),
    "ImageObject": ("CreativeWork", {"contentUrl", "width", "height", "caption", "creditText"}),
}  # fmt: skip
DATE_TIME_PROPERTIES = {"datePublished", "dateModified", "coverageStartTime", "coverageEndTime"}


def properties_of(type_name: str) -> set[str]:
    names = set()
    while type_name:
        parent, own = SCHEMA_ORG[type_name]
        names |= own
        type_name = parent
    return names


def check_schema_org(node, path="$"):
    """Every property is defined for its node's schema.org type; dates are ISO 8601."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            check_schema_org(item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    allowed = properties_of(node["@type"])
    assert set(node) <= allowed, (path, node["@type"], set(node) - allowed)
    for name, value in node.items():
        if name in DATE_TIME_PROPERTIES:
            datetime.datetime.fromisoformat(value)
        check_schema_org(value, f"{path}.{name}")


def same_moment(text: str, moment) -> bool:
    """JSON-LD times are written to the millisecond."""
    return abs(datetime.datetime.fromisoformat(text) - moment) < datetime.timedelta(milliseconds=1)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


@pytest.fixture
def story():
    article = make_article("Summit live", tags=["Mali"], byline="Desk")
    live.start_coverage(article=article, user=None)
    first = live.post_update(
        article=article, user=None, body="<p>Leaders arrive.</p>", headline="Arrivals"
    )
    live.post_update(article=article, user=None, body="<p>Talks begin &amp; run late.</p>")
    gone = live.post_update(article=article, user=None, body="<p>Withdrawn rumour.</p>")
    live.delete_update(update=gone, user=None)
    live.set_key_event(update=first, user=None, is_key_event=True)
    article.refresh_from_db()
    return article


def json_ld(client, article) -> dict:
    page = client.get(article.get_absolute_url()).content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(script)


def test_json_ld_is_a_live_blog_posting_valid_for_schema_org(client, story):
    data = json_ld(client, story)
    check_schema_org(data)
    assert data["@type"] == "LiveBlogPosting"
    assert same_moment(data["coverageStartTime"], story.live_started_at)
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [item["articleBody"] for item in updates] == [
        "Talks begin & run late.",
        "Leaders arrive.",
    ]
    assert updates[1]["headline"] == "Arrivals"
    assert updates[0]["headline"] == "Talks begin & run late."  # made from the text
    assert updates[1]["url"].startswith(SITE + story.get_absolute_url() + "#update-")
    assert "Withdrawn" not in json.dumps(data)
    latest = max(datetime.datetime.fromisoformat(item["dateModified"]) for item in updates)
    assert datetime.datetime.fromisoformat(data["dateModified"]) >= latest


def test_ended_coverage_has_its_end_time(client, story):
    live.end_coverage(article=story, user=None)
    story.refresh_from_db()
    data = json_ld(client, story)
    check_schema_org(data)
    assert same_moment(data["coverageEndTime"], story.live_ended_at)


def test_an_ordinary_story_stays_a_news_article(client):
    data = json_ld(client, make_article())
    check_schema_org(data)
    assert data["@type"] == "NewsArticle" and "liveBlogUpdate" not in data


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json"])
def test_feed_entries_carry_the_updates_not_the_deleted(client, story, url):
    text = client.get(url).content.decode()
    assert "Leaders arrive." in text and "Talks begin" in text
    assert "Withdrawn rumour" not in text


def test_the_json_feed_entry_is_modified_by_the_newest_update(client, story):
    (item,) = client.get("/feeds/latest.json").json()["items"]
    newest = story.live_updates.order_by("-updated_at").first().updated_at
    assert datetime.datetime.fromisoformat(item["date_modified"]) >= newest.replace(microsecond=0)


def test_the_api_carries_the_live_updates_as_documented(client, story):
    data = client.get(f"/api/articles/{story.pk}/").json()
    coverage = data["live"]
    assert coverage["is_live"] is True and coverage["ended_at"] is None
    assert [u["body_html"] for u in coverage["updates"]] == [
        "<p>Talks begin &amp; run late.</p>",
        "<p>Leaders arrive.</p>",
    ]
    assert coverage["updates"][1]["is_key_event"] is True
    document = client.get("/api/schema/").json()
    schema = document["paths"]["/articles/{id}/"]["get"]["responses"]["200"]
    schema = schema["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(
        {**schema, "components": document["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    ).validate(data)
    ordinary = client.get(f"/api/articles/{make_article().pk}/").json()
    assert "live" not in ordinary


def test_an_update_changes_the_apis_last_modified(client, story, committed):
    url = f"/api/articles/{story.pk}/"
    last_modified = client.get(url)["Last-Modified"]
    with committed():
        live.post_update(
            article=story,
            user=None,
            body="<p>Later.</p>",
            posted_at=timezone.now() + datetime.timedelta(seconds=2),
        )
    story.live_updates.update(updated_at=timezone.now() + datetime.timedelta(seconds=2))
    response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 200
    assert "Later." in response.content.decode()


def test_ninjs_carries_the_updates_and_stays_valid(client, story):
    doc = client.get(f"/api/articles/{story.pk}.ninjs").json()
    jsonschema.Draft202012Validator(
        ninjs_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(doc)
    updates = [item for item in doc["associations"] if item.get("rel") == "liveupdate"]
    assert [item["bodies"][0]["value"] for item in updates] == [
        "<p>Talks begin &amp; run late.</p>",
        "<p>Leaders arrive.</p>",
    ]
    assert "Withdrawn" not in json.dumps(doc)


def test_the_news_sitemap_lists_running_coverage_older_than_two_days(client):
    old = make_article(
        "Week-long summit live", published_at=timezone.now() - datetime.timedelta(days=5)
    )
    live.start_coverage(article=old, user=None)
    locations = [
        element.text
        for element in ET.fromstring(client.get("/sitemap-news.xml").content).iter()
        if element.tag.endswith("loc")
    ]
    assert SITE + old.get_absolute_url() in locations
    live.end_coverage(article=old, user=None)
    cache.clear()
    assert client.get("/sitemap-news.xml").status_code == 404


def photo(**fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers.factories import make_image
    from tests.helpers.images import image_bytes

    upload = SimpleUploadedFile("scene.png", image_bytes("PNG", width=80, height=60))
    defaults = {"caption": "Crowds outside the palace", "credit": "Jane Doe/Reuters"}
    return make_image(alt_text="Crowds", file=upload, **(defaults | fields))


def stream_of(page: str, update) -> str:
    start = page.index(f'id="update-{update.pk}"')
    return page[start : page.index("</article>", start)]


def test_an_update_photo_is_in_the_json_ld_and_on_the_page(client):
    article = live.start_coverage(article=make_article("Coup live"), user=None)
    picture = photo()
    update = live.post_update(article=article, user=None, body="<p>The scene.</p>", image=picture)
    live.post_update(article=article, user=None, body="<p>No photo here.</p>")
    data = json_ld(client, article)
    check_schema_org(data)
    without, with_photo = data["liveBlogUpdate"]
    assert "image" not in without
    image = with_photo["image"]
    assert image["@type"] == "ImageObject"
    assert image["contentUrl"] == SITE + picture.file.url
    assert (image["width"], image["height"]) == (80, 60)
    assert image["caption"] == "Crowds outside the palace"
    assert image["creditText"] == "Jane Doe/Reuters"
    page = client.get(article.get_absolute_url()).content.decode()
    shown = stream_of(page, update)
    assert "<img" in shown and 'alt="Crowds"' in shown and "Crowds outside the palace" in shown
    without, with_photo = client.get(f"/api/articles/{article.pk}/").json()["live"]["updates"]
    assert without["image"] is None
    assert with_photo["image"] == {
        "url": SITE + picture.file.url,
        "width": 80,
        "height": 60,
        "alt_text": "Crowds",
        "caption": "Crowds outside the palace",
        "credit": "Jane Doe/Reuters",
        "is_file_photo": False,
    }


@pytest.mark.parametrize("state", ["expired", "no file yet"])
def test_an_update_photo_readers_may_not_see_shows_nowhere(client, state):
    article = live.start_coverage(article=make_article("Coup live"), user=None)
    if state == "expired":
        picture = photo(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    else:  # a wire caption waiting for its photo
        from tests.helpers.factories import make_image

        picture = make_image(caption="Crowds outside the palace")
    update = live.post_update(article=article, user=None, body="<p>The scene.</p>", image=picture)
    data = json_ld(client, article)
    check_schema_org(data)
    assert "image" not in data["liveBlogUpdate"][0]
    page = client.get(article.get_absolute_url()).content.decode()
    shown = stream_of(page, update)
    assert "The scene." in shown
    assert "<img" not in shown and "<figure" not in shown and "Crowds outside" not in shown
    (polled,) = client.get(f"{article.get_absolute_url()}updates.json").json()["updates"]
    assert "<img" not in polled["html"] and "Crowds outside" not in polled["html"]
    (in_the_api,) = client.get(f"/api/articles/{article.pk}/").json()["live"]["updates"]
    assert in_the_api["image"] is None


def test_a_photo_expiring_on_an_update_ends_the_cached_pages_life(client, settings):
    """The page cache and Varnish keep a live page no longer than its update photo's licence."""
    from articles.http import page_cache

    settings.PAGE_CACHE_SECONDS = 300
    article = live.start_coverage(article=make_article("Coup live"), user=None)
    expiring = timezone.now() + datetime.timedelta(seconds=90)
    live.post_update(
        article=article, user=None, body="<p>The scene.</p>", image=photo(expires_at=expiring)
    )
    response = client.get(article.get_absolute_url())
    assert "<img" in stream_of(response.content.decode(), article.live_updates.get())
    lifetime = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))
    assert 80 <= lifetime <= 90
    assert page_cache.cache_lifetime(None) <= 90


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/tags/mali/feed.atom"])
def test_an_atom_entry_is_updated_by_the_newest_update_even_when_cached(
    client, settings, story, url, committed
):
    settings.PAGE_CACHE_SECONDS = 300
    atom = "{http://www.w3.org/2005/Atom}"

    def entry():
        feed = ET.fromstring(client.get(url).content)
        (found,) = feed.iter(f"{atom}entry")
        return found

    assert "Talks begin" in entry().find(f"{atom}content").text
    later = timezone.now() + datetime.timedelta(minutes=5)
    with committed():
        live.post_update(article=story, user=None, body="<p>A deal is signed.</p>", posted_at=later)
    story.live_updates.filter(body__contains="deal").update(updated_at=later)
    fresh = entry()
    assert "A deal is signed." in fresh.find(f"{atom}content").text
    updated = datetime.datetime.fromisoformat(fresh.find(f"{atom}updated").text)
    assert updated >= later.replace(microsecond=0)


def test_the_rss_item_carries_the_updates_newest_first(client, story):
    (item,) = ET.fromstring(client.get("/feeds/latest.rss").content).iter("item")
    text = item.find("{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert text.index("Talks begin") < text.index("Leaders arrive.")
    assert "(Key event)" in text and "Withdrawn rumour" not in text


def test_the_news_sitemap_lists_a_live_page_started_today(client):
    fresh = live.start_coverage(article=make_article("Storm live"), user=None)
    found = ET.fromstring(client.get("/sitemap-news.xml").content)
    locations = [element.text for element in found.iter() if element.tag.endswith("loc")]
    assert SITE + fresh.get_absolute_url() in locations

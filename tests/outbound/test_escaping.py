"""Every name an editor typed, on every surface that takes it out of the site, stays text.

A tag, a source, a byline, a headline, a standfirst, a caption, a credit and a correction are
given hostile values, then every feed (channel and items, for the front, a tag and a source),
sitemap, article page (JSON-LD and meta tags), ninjs document, API response and admin message
that carries them is read the way its consumer reads it. A field a consumer reads as plain text
must come out as exactly the text typed; a field it reads as HTML (an RSS description, an Atom
summary or content) must hold the text escaped, never markup that would run. (No email carries
these names: the only email the site sends is Django's plain-text password reset.)
"""

import datetime
import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Correction, Image, Tag

from ..helpers.factories import make_article, make_source
from ..helpers.images import png_bytes

pytestmark = pytest.mark.django_db

TAG = "</title><svg onload=alert(1)>"
SOURCE = "<script>alert(2)</script>"
BYLINE = "]]><img src=x onerror=alert(3)>"
HEADLINE = '"><iframe src=javascript:alert(4)></iframe> ]]> & co'
STANDFIRST = "</description><img src=x onerror=alert(5)> &amp; more"
CAPTION = "</media:description><script>alert(6)</script>"
CREDIT = "<a href=javascript:alert(7)>Jane</a>/Reuters"
ALT = '"><svg onload=alert(8)>'
CORRECTION = "<script>alert(9)</script> An earlier version got it wrong."
HOSTILE = (TAG, SOURCE, BYLINE, HEADLINE, STANDFIRST, CAPTION, CREDIT, ALT, CORRECTION)

# What a hostile value leaves behind when it is markup rather than text.
DANGEROUS_TAGS = {"script", "svg", "img", "iframe", "title", "description", "object", "embed"}


class MarkupFinder(HTMLParser):
    """The elements and attributes a browser would build from an HTML string."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attributes = []
        self.scripts = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs
        if tag == "script":
            self._script = ""

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None


def live_markup(value: str) -> list[str]:
    """What in `value`, rendered as HTML, would be a dangerous element or attribute."""
    finder = MarkupFinder()
    finder.feed(value)
    finder.close()
    found = [f"<{tag}>" for tag in finder.tags if tag in DANGEROUS_TAGS]
    for name, attr_value in finder.attributes:
        if name.startswith("on") or (attr_value or "").strip().lower().startswith("javascript:"):
            found.append(f"{name}={attr_value}")
    return found


def as_html_text(value: str) -> str:
    """The text a reader sees when `value` is rendered as HTML (no markup expected)."""
    return html.unescape(value)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


@pytest.fixture
def hostile_story(db):
    photo = Image.objects.create(
        file=SimpleUploadedFile("photo.png", png_bytes(300, 200), content_type="image/png"),
        caption=CAPTION,
        credit=CREDIT,
        alt_text=ALT,
    )
    source = make_source(SOURCE)
    article = make_article(
        HEADLINE,
        standfirst=STANDFIRST,
        byline=BYLINE,
        tags=[TAG],
        sources=[source],
        lead_image=photo,
        published_at=timezone.now() - datetime.timedelta(hours=2),
    )
    Correction.objects.create(article=article, text=CORRECTION)
    return article


@pytest.fixture
def sourced_only_story(db):
    """A story with no byline: its feed author is the credited source's name."""
    return make_article(
        "Credited to a source only",
        sources=[make_source(SOURCE + " two")],
        published_at=timezone.now() - datetime.timedelta(hours=3),
    )


def tag_slug():
    return Tag.objects.get(name=TAG).slug


def feed_urls(hostile_story):
    tag = tag_slug()
    source = hostile_story.sources.get().slug
    return [
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        f"/tags/{tag}/feed.rss",
        f"/tags/{tag}/feed.atom",
        f"/sources/{source}/feed.rss",
        f"/sources/{source}/feed.atom",
    ]


def parsed_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    # Unsanitised: what a reader that trusts the feed would get.
    feed = feedparser.parse(response.content, sanitize_html=False)
    assert not feed.bozo, feed.bozo_exception
    return feed


ATOM = "{http://www.w3.org/2005/Atom}"


def item_summary(feed_xml: bytes, path: str) -> str:
    """The RSS <description> or Atom <summary type="html"> of the item linking to `path`."""
    root = ET.fromstring(feed_xml)
    for item in root.iter("item"):
        if item.find("link").text.endswith(path):
            return item.find("description").text
    for entry in root.iter(f"{ATOM}entry"):
        if entry.find(f"{ATOM}link").get("href").endswith(path):
            summary = entry.find(f"{ATOM}summary")
            assert summary.get("type") == "html"
            return summary.text
    raise AssertionError(f"no item for {path}")


def check_field(detail, expected_text: str, where: str):
    """`detail` is a feedparser detail ({value, type}): plain text must be the text exactly;
    HTML must render as that text, with nothing in it that would run."""
    value, kind = detail["value"], detail["type"]
    if kind == "text/plain":
        assert value == expected_text, where
    else:
        assert kind in ("text/html", "application/xhtml+xml"), (where, kind)
        assert live_markup(value) == [], (where, value)
        assert as_html_text(value) == expected_text, (where, value)


def test_every_feed_channel_keeps_the_tag_and_source_names_as_text(client, hostile_story):
    tag_url, tag_atom, source_url, source_atom = feed_urls(hostile_story)[2:]
    cases = [
        (tag_url, TAG, f"Stories about {TAG} from"),
        (tag_atom, TAG, f"Stories about {TAG} from"),
        (source_url, SOURCE, f"Stories credited to {SOURCE}, from"),
        (source_atom, SOURCE, f"Stories credited to {SOURCE}, from"),
    ]
    for url, name, description_start in cases:
        feed = parsed_feed(client, url).feed
        title = feed.title_detail
        check_field(title, title["value"] if title["type"] == "text/plain" else "", url)
        assert as_html_text(title["value"]).endswith(f": {name}"), (url, title)
        subtitle = feed.subtitle_detail
        if subtitle["type"] == "text/plain":  # Atom's subtitle is text
            assert subtitle["value"].startswith(description_start), (url, subtitle)
        else:  # RSS's channel description is HTML to feedparser and to readers
            assert live_markup(subtitle["value"]) == [], (url, subtitle)
            assert as_html_text(subtitle["value"]).startswith(description_start), (url, subtitle)


def test_the_rss_channel_description_is_escaped_html(client, hostile_story):
    """The hole that was found: a feed reader renders an RSS channel description as HTML."""
    response = client.get(f"/tags/{tag_slug()}/feed.rss")
    channel = ET.fromstring(response.content).find("channel")
    description = channel.find("description").text
    assert live_markup(description) == []
    assert "&lt;/title&gt;&lt;svg onload=alert(1)&gt;" in description
    assert as_html_text(description).startswith(f"Stories about {TAG} from")
    assert channel.find("title").text.endswith(f": {TAG}")  # plain text: exactly as typed


def test_every_feed_item_keeps_editor_text_as_text(client, hostile_story, sourced_only_story):
    for url in feed_urls(hostile_story):
        feed = parsed_feed(client, url)
        [entry] = [e for e in feed.entries if e.link.endswith(hostile_story.get_absolute_url())]
        check_field(entry.title_detail, HEADLINE, f"{url} title")
        # feedparser lets media:description (plain text) stand in for the summary; read the
        # item's own summary, which both formats declare as HTML.
        summary = item_summary(client.get(url).content, hostile_story.get_absolute_url())
        assert live_markup(summary) == [], (url, summary)
        assert as_html_text(summary) == STANDFIRST, url
        assert as_html_text(entry.get("author", "")) and BYLINE in entry.author, (url, entry)
        assert [tag.term for tag in entry.tags] == [TAG], url
        [content] = [c for c in entry.content if c["type"] == "text/html"]
        assert live_markup(content["value"]) == [], (url, content["value"])
        assert CORRECTION in as_html_text(content["value"]), url
        assert entry.media_content[0]["medium"] == "image"
        if url.startswith("/feeds/"):
            [other] = [e for e in feed.entries if e.link.endswith("credited-to-a-source-only/")]
            assert other.author == SOURCE + " two", url


def test_media_rss_caption_and_credit_are_plain_text(client, hostile_story):
    for url in feed_urls(hostile_story):
        root = ET.fromstring(client.get(url).content)
        ns = {"media": "http://search.yahoo.com/mrss/"}
        [description] = root.iter("{http://search.yahoo.com/mrss/}description")
        assert description.get("type") == "plain"
        assert description.text == CAPTION, url
        [credit] = root.findall(".//media:credit", ns)
        assert credit.text == CREDIT, url


def test_json_feed_keeps_every_name_as_text(client, hostile_story):
    feed = client.get("/feeds/latest.json").json()
    [item] = feed["items"]
    assert item["title"] == HEADLINE
    assert item["summary"] == STANDFIRST
    assert item["tags"] == [TAG]
    assert item["authors"] == [{"name": BYLINE}]
    assert item["attachments"][0]["title"] == CAPTION
    assert live_markup(item["content_html"]) == []
    assert CORRECTION in as_html_text(item["content_html"])


def test_sitemaps_keep_headlines_as_text_and_addresses_clean(client, hostile_story):
    news = ET.fromstring(client.get("/sitemap-news.xml").content)
    ns = {"news": "http://www.google.com/schemas/sitemap-news/0.9"}
    assert [title.text for title in news.iterfind(".//news:title", ns)] == [HEADLINE]
    for section in ("tags", "sources"):
        root = ET.fromstring(client.get(f"/sitemap-{section}.xml").content)
        locations = [
            loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        ]
        assert locations, section
        for location in locations:
            assert re.fullmatch(r"https?://[^\s<>\"']+/", location), location


def test_article_page_json_ld_and_meta_tags_keep_names_as_text(client, hostile_story):
    response = client.get(hostile_story.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for value in HOSTILE:
        if "<" in value:
            assert value not in page, value
    finder = MarkupFinder()
    finder.feed(page)
    assert "svg" not in finder.tags and "iframe" not in finder.tags and "img" in finder.tags
    assert not [name for name, _ in finder.attributes if name.startswith("on")]
    [json_ld] = [s for s in finder.scripts if s.strip().startswith("{")]
    assert "<" not in json_ld
    data = json.loads(json_ld)
    assert data["headline"] == HEADLINE
    assert data["description"] == STANDFIRST
    assert data["author"] == [{"@type": "Person", "name": BYLINE}]
    assert data["keywords"] == [TAG]
    assert [org["name"] for org in data["sourceOrganization"]] == [SOURCE]
    assert data["image"]["caption"] == CAPTION
    assert data["image"]["creditText"] == CREDIT
    assert data["correction"][0]["text"] == CORRECTION


@pytest.mark.parametrize("page", ["front", "tag", "source", "tags", "search"])
def test_reader_pages_show_names_as_text(client, hostile_story, page):
    url = {
        "front": "/",
        "tag": f"/tags/{tag_slug()}/",
        "source": hostile_story.sources.get().get_absolute_url(),
        "tags": "/tags/",
        "search": f"/search/?tag={tag_slug()}",
    }[page]
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    for value in HOSTILE:
        if "<" in value:
            assert value not in body, (url, value)
    finder = MarkupFinder()
    finder.feed(body)
    assert not {"svg", "iframe"} & set(finder.tags), url
    assert not [name for name, _ in finder.attributes if name.startswith("on")], url


def test_ninjs_and_api_give_the_names_exactly_as_json(client, hostile_story):
    ninjs = client.get(f"/api/articles/{hostile_story.pk}.ninjs")
    assert ninjs["Content-Type"].startswith("application/json")
    assert ninjs["X-Content-Type-Options"] == "nosniff"
    document = ninjs.json()
    assert document["headlines"][0]["value"] == HEADLINE
    assert [subject["name"] for subject in document["subjects"]] == [TAG]
    assert BYLINE in json.dumps(document, ensure_ascii=False)
    assert SOURCE in json.dumps(document, ensure_ascii=False)
    assert CAPTION in json.dumps(document, ensure_ascii=False)

    detail = client.get(f"/api/articles/{hostile_story.pk}/")
    assert detail["X-Content-Type-Options"] == "nosniff"
    item = detail.json()
    assert item["headline"] == HEADLINE and item["standfirst"] == STANDFIRST
    assert item["byline"] == BYLINE
    assert [tag["name"] for tag in item["tags"]] == [TAG]
    assert [source["name"] for source in item["sources"]] == [SOURCE]
    assert item["lead_image"]["caption"] == CAPTION and item["lead_image"]["credit"] == CREDIT
    assert item["lead_image"]["alt_text"] == ALT
    assert [t["name"] for t in client.get("/api/tags/").json()["results"]] == [TAG]
    assert [s["name"] for s in client.get("/api/sources/").json()["results"]] == [SOURCE]


def test_admin_messages_show_names_as_text(admin_client, hostile_story):
    other = Tag.objects.create(name="<b onmouseover=alert(10)>Mali</b>")
    tag = Tag.objects.get(name=TAG)
    response = admin_client.post(
        "/admin/articles/tag/",
        {
            "action": "merge_action",
            "_selected_action": [tag.pk, other.pk],
            "apply": "1",
            "into": tag.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Merged" in body
    assert TAG not in body and "<b onmouseover" not in body
    assert html.escape(TAG, quote=False) in body or html.escape(TAG) in body

    response = admin_client.post(
        "/admin/articles/tag/",
        {
            "action": "rename_action",
            "_selected_action": [tag.pk],
            "apply": "1",
            "new_name": SOURCE + " renamed",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Renamed" in body and SOURCE not in body and TAG not in body

import datetime
import json
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Correction, Image

from ..helpers.factories import make_article, make_source
from ..helpers.images import png_bytes

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


class HeadParser(HTMLParser):
    """Meta tags, link tags and the text of JSON-LD scripts, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser, response.content.decode()


def json_ld(client, article):
    parser, _ = page(client, article)
    (script,) = parser.json_ld
    return json.loads(script)


def test_seed_story_news_article(client, seed_story):
    data = json_ld(client, seed_story)
    canonical = SITE + seed_story.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == seed_story.headline
    assert data["description"] == seed_story.standfirst
    assert data["url"] == data["mainEntityOfPage"]["@id"] == canonical
    assert datetime.datetime.fromisoformat(data["datePublished"]) == seed_story.published_at
    assert datetime.datetime.fromisoformat(data["dateModified"]) == seed_story.published_at
    assert data["author"] == data["sourceOrganization"]
    assert data["sourceOrganization"][0]["name"] == "News Agencies"
    assert {"Mali", "Russia", "France"} <= set(data["keywords"])
    assert data["publisher"]["name"] == "The Newsroom"
    assert "image" not in data  # the seed photo has no file yet


def test_byline_image_caption_credit_and_corrections(client):
    image = Image.objects.create(
        file=SimpleUploadedFile("p.png", png_bytes(120, 80), content_type="image/png"),
        caption="Rescue workers wade through a flooded street",
        credit="Benoit Tessier/Reuters",
        is_file_photo=True,
        alt_text="Men in water",
    )
    updated = (timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=0)
    article = make_article(
        "Floods", byline="Jane Reporter", lead_image=image, content_updated_at=updated
    )
    Correction.objects.create(article=article, text="An earlier version misspelt Monrovia.")
    Correction.objects.create(article=article, kind="update", text="Adds the river level.")
    data = json_ld(client, article)
    assert data["author"] == [{"@type": "Person", "name": "Jane Reporter"}]
    assert data["image"]["url"] == SITE + image.file.url
    assert data["image"]["caption"] == "Rescue workers wade through a flooded street"
    assert data["image"]["creditText"] == "File: Benoit Tessier/Reuters"
    assert (data["image"]["width"], data["image"]["height"]) == (120, 80)
    assert datetime.datetime.fromisoformat(data["dateModified"]) == updated
    assert [c["text"] for c in data["correction"]] == ["An earlier version misspelt Monrovia."]
    assert data["correction"][0]["@type"] == "CorrectionComment"


@pytest.mark.parametrize(
    "headline",
    [
        '</script><script>alert("x")</script>',
        "</SCRIPT ><img src=x onerror=alert(1)>",
        "<!-- <script> & \u2028 \\ \" '",
    ],
)
def test_hostile_headline_cannot_break_out(client, headline):
    article = make_article(headline, standfirst=headline, tags=[headline[:50]])
    parser, html = page(client, article)
    assert len(parser.json_ld) == 1  # no second script element was opened
    data = json.loads(parser.json_ld[0])
    assert data["headline"] == " ".join(headline.split())
    assert data["description"] == headline
    head = html.split("</head>")[0]
    assert "<script>alert" not in head and "<img" not in head
    assert head.count("</script>") == 1


def test_open_graph_twitter_and_canonical(client):
    image = Image.objects.create(
        file=SimpleUploadedFile("p.png", png_bytes(300, 200), content_type="image/png"),
        caption="Caption",
        alt_text="What the photo shows",
    )
    article = make_article(
        "Mali & France", standfirst="Tense relations.", tags=["Mali", "France"], lead_image=image
    )
    parser, _ = page(client, article)
    canonical = SITE + article.get_absolute_url()
    assert {"rel": "canonical", "href": canonical} in parser.links
    meta = parser.meta
    assert meta["og:type"] == ["article"]
    assert meta["og:url"] == [canonical]
    assert meta["og:title"] == ["Mali & France"]
    assert meta["og:description"] == ["Tense relations."]
    assert meta["og:image"][0].startswith(SITE + "/media/")
    assert meta["og:image:alt"] == ["What the photo shows"]
    assert meta["article:tag"] == ["France", "Mali"]
    assert meta["twitter:card"] == ["summary_large_image"]
    assert meta["twitter:image"] == meta["og:image"]


def test_story_without_photo_gets_a_summary_card(client):
    article = make_article("No photo", sources=[make_source("Reuters")])
    meta = page(client, article)[0].meta
    assert meta["twitter:card"] == ["summary"]
    assert "og:image" not in meta


def test_article_page_query_count_with_meta(client, seed_story, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page(client, seed_story)

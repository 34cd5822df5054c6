import copy
import io
import json

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from articles.models import Article, Image, Rendition, Source
from articles.outbound.ninjs import ARCHIVE_GENRE_URI, article_to_ninjs, ninjs_schema
from articles.photos.renditions import generate_renditions
from articles.wire.importing import import_parsed
from articles.wire.ninjs import NinjsError, parse_ninjs

from ..helpers.factories import make_article, make_draft, make_source
from ..helpers.images import png_bytes

pytestmark = pytest.mark.django_db


def validate(doc):
    """Against the shipped official IPTC schema, with date-time formats checked too."""
    validator = jsonschema.Draft202012Validator(
        ninjs_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(doc)


@pytest.fixture
def photo_story(db):
    image = Image.objects.create(
        file=SimpleUploadedFile("pic.png", png_bytes(200, 100), content_type="image/png"),
        caption="Rescue workers wade through a flooded street",
        credit="Ahmed Jallanzo/EPA",
        alt_text="Two men waist-deep in brown water",
        is_file_photo=True,
        focal_x=0.25,
        focal_y=0.5,
    )
    return make_article(
        "Floods close roads in the capital",
        standfirst="Heavy rain cut power to thousands of homes.",
        body="<p>The river <strong>burst</strong> its banks.</p>\n<ul><li>One</li></ul>\n"
        '<p><a href="https://example.org/x">More</a></p>',
        byline="Jane Reporter",
        tags=["Floods", "Liberia"],
        sources=[make_source("Al Jazeera"), make_source("News Agencies")],
        lead_image=image,
    )


def test_shipped_schema_is_the_official_iptc_3_3_schema():
    schema = ninjs_schema()
    assert schema["$id"] == "http://www.iptc.org/std/ninjs/ninjs-schema_3.3.json#"
    assert schema["title"] == "IPTC ninjs - News in JSON - version 3.3"
    jsonschema.Draft202012Validator.check_schema(schema)
    with pytest.raises(jsonschema.ValidationError):
        validate({"headlines": [{"value": "no uri"}]})  # uri is required


class TestExport:
    def test_seed_story_export_validates_and_carries_every_part(self, seed_story):
        doc = article_to_ninjs(seed_story)
        validate(doc)
        assert doc["standard"]["version"] == "3.3"
        assert doc["headlines"] == [
            {"role": "main", "contentType": "text/plain", "value": seed_story.headline}
        ]
        assert doc["descriptions"][0]["role"] == "summary"
        assert doc["descriptions"][0]["value"] == seed_story.standfirst
        assert doc["bodies"][0]["contentType"] == "text/html"
        assert doc["bodies"][0]["value"] == seed_story.body
        assert {s["name"] for s in doc["subjects"]} >= {"Mali", "Russia", "France"}
        assert [s["name"] for s in doc["infoSources"]] == ["News Agencies"]
        (photo,) = doc["associations"]
        assert photo["type"] == "picture"
        assert photo["by"] == "Benoit Tessier"
        assert photo["copyrightHolder"] == "Reuters"
        assert photo["genres"][0]["uri"] == ARCHIVE_GENRE_URI
        assert photo["descriptions"][0]["role"] == "caption"
        assert photo["descriptions"][0]["value"].startswith("France has warned Mali")
        assert "renditions" not in photo  # the seed photo has no file yet
        assert doc["firstCreated"] == "2021-10-01T09:00:00Z"

    def test_photo_with_a_file_has_a_rendition_with_size_and_focal_point(self, photo_story):
        doc = article_to_ninjs(photo_story)
        validate(doc)
        original = doc["associations"][0]["renditions"][0]
        assert original["name"] == "original"
        assert original["href"].startswith("http://127.0.0.1:8000/media/images/")
        assert (original["width"], original["height"]) == (200, 100)
        assert original["poi"] == {"x": 50, "y": 50}
        assert original["contentType"] == "image/png"

    def test_renditions_made_by_the_image_pipeline_are_listed(self, photo_story):
        image = photo_story.lead_image
        assert generate_renditions(image) > 0
        article = Article.objects.for_detail().get(pk=photo_story.pk)
        doc = article_to_ninjs(article)
        validate(doc)
        renditions = doc["associations"][0]["renditions"]
        stored = {r.file.url for r in Rendition.objects.filter(image=image)}
        assert {r["href"].removeprefix("http://127.0.0.1:8000") for r in renditions[1:]} == stored
        assert all(r["width"] and r["height"] and r["contentType"] for r in renditions)

    def test_agency_only_credit_is_the_copyright_holder(self, photo_story):
        photo_story.lead_image.credit = "EPA"
        photo_story.lead_image.save()
        association = article_to_ninjs(photo_story)["associations"][0]
        assert association["copyrightHolder"] == "EPA"
        assert "by" not in association

    def test_endpoint_and_format_parameter_serve_the_same_valid_document(self, client, seed_story):
        by_suffix = client.get(f"/api/articles/{seed_story.pk}.ninjs")
        by_format = client.get(f"/api/articles/{seed_story.pk}/?format=ninjs")
        assert by_suffix.status_code == by_format.status_code == 200
        assert by_suffix.json() == by_format.json()
        validate(by_suffix.json())
        assert by_suffix["Access-Control-Allow-Origin"] == "*"

    def test_drafts_are_not_exported(self, client):
        draft = make_draft("Secret plans")
        for url in (f"/api/articles/{draft.pk}.ninjs", f"/api/articles/{draft.pk}/?format=ninjs"):
            response = client.get(url)
            assert response.status_code == 404
            assert "Secret" not in response.content.decode()


NINJS_3 = {
    "uri": "urn:agency:2024:floods-1",
    "standard": {"name": "ninjs", "version": "3.1"},
    "type": "text",
    "headlines": [
        {"role": "short", "value": "Floods"},
        {"role": "main", "value": "Floods close roads in the capital"},
    ],
    "descriptions": [{"role": "summary", "value": "Heavy rain cut power."}],
    "bodies": [
        {"role": "main", "contentType": "text/plain", "value": "Plain one.\n\nPlain two."},
        {"role": "main", "contentType": "text/html", "value": "<p>Rich <em>one</em>.</p>"},
    ],
    "by": "Jane Reporter",
    "subjects": [{"name": "Floods", "uri": "http://cv.iptc.org/newscodes/mediatopic/1"}],
    "infoSources": [{"name": "Reuters", "role": "source"}],
    "associations": [
        {
            "name": "featuremedia",
            "uri": "urn:agency:pic:1",
            "type": "picture",
            "descriptions": [
                {"role": "caption", "value": "A flooded street"},
                {"role": "alt-text", "value": "Water up to the doors"},
            ],
            "by": "Ahmed Jallanzo",
            "copyrightHolder": "EPA",
            "renditions": [{"name": "original", "href": "https://cdn.agency.example/pic.jpg"}],
        }
    ],
}

NINJS_1 = {
    "uri": "http://ninjs.example.com/newsitems/20130709cplx123",
    "type": "composite",
    "versioncreated": "2013-07-09T10:37:00Z",
    "byline": "Paulo Santalucia",
    "headline": "Captain of wrecked cruise ship on trial in Italy",
    "description_text": "The trial has begun in a theatre.",
    "body_html": "<p>GROSSETO, Italy (AP) -- The trial began.</p><p>Second.</p>",
    "subject": [{"name": "Shipwrecks", "code": "x"}],
    "associations": {
        "mainpic": {
            "uri": "http://ninjs.example.com/newsitems/20130709simpPh123",
            "type": "picture",
            "byline": "Paulo Santalucia",
            "headline": "Costa Concordia cruise ship",
            "description_text": "The Costa Concordia lies on its side.",
            "renditions": {"main": {"href": "http://hosted.example/big.jpg", "height": 281}},
        }
    },
}


class TestImport:
    def test_ninjs_3_document_becomes_a_draft_with_every_part(self):
        result = import_parsed(parse_ninjs(json.dumps(NINJS_3)))
        article = result.article
        assert result.created and article.status == Article.Status.DRAFT
        assert article.headline == "Floods close roads in the capital"  # the "main" headline
        assert article.standfirst == "Heavy rain cut power."
        assert article.body == "<p>Rich <em>one</em>.</p>"  # HTML body preferred over plain
        assert article.byline == "Jane Reporter"
        assert [t.name for t in article.tags.all()] == ["Floods"]
        assert [s.name for s in article.sources.all()] == ["Reuters"]
        image = article.lead_image
        assert (image.caption, image.credit, image.alt_text) == (
            "A flooded street",
            "Ahmed Jallanzo/EPA",
            "Water up to the doors",
        )
        assert not image.file  # foreign renditions are never fetched
        assert not Article.objects.published().exists()

    def test_import_goes_through_the_workflow_services(self):
        article = import_parsed(parse_ninjs(json.dumps(NINJS_3)), publish=True).article
        assert article.is_published
        revision = article.revisions.get()
        assert "Imported from ninjs" in revision.action and "Published" in revision.action

    def test_common_1_x_shape(self):
        article = import_parsed(parse_ninjs(json.dumps(NINJS_1).encode())).article
        assert article.headline == "Captain of wrecked cruise ship on trial in Italy"
        assert article.standfirst == "The trial has begun in a theatre."
        assert article.body == "<p>GROSSETO, Italy (AP) -- The trial began.</p><p>Second.</p>"
        assert article.byline == "Paulo Santalucia"
        assert [t.name for t in article.tags.all()] == ["Shipwrecks"]
        assert article.lead_image.caption == "The Costa Concordia lies on its side."
        assert article.lead_image.credit == "Paulo Santalucia"

    def test_plain_text_body_becomes_escaped_paragraphs(self):
        doc = copy.deepcopy(NINJS_3)
        doc["bodies"] = [{"value": "One <b>x</b>.\n\nTwo."}]
        article = import_parsed(parse_ninjs(doc)).article
        assert article.body == "<p>One &lt;b&gt;x&lt;/b&gt;.</p>\n<p>Two.</p>"

    def test_reimport_updates_instead_of_duplicating(self):
        import_parsed(parse_ninjs(NINJS_3))
        changed = copy.deepcopy(NINJS_3)
        changed["bodies"] = [{"contentType": "text/html", "value": "<p>Corrected.</p>"}]
        result = import_parsed(parse_ninjs(changed))
        assert not result.created
        assert Article.objects.count() == 1 and Image.objects.count() == 1
        assert Article.objects.get().body == "<p>Corrected.</p>"

    def test_hostile_html_is_sanitised(self):
        doc = copy.deepcopy(NINJS_3)
        doc["bodies"] = [
            {"contentType": "text/html", "value": "<p onclick=x()>Hi</p><script>alert(1)</script>"}
        ]
        doc["headlines"] = [{"value": "<script>alert(1)</script>Headline"}]
        article = import_parsed(parse_ninjs(doc)).article
        assert article.body == "<p>Hi</p>"
        assert "<script>" not in article.headline

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"{not json", "not valid JSON"),
            (b"\xff\xfe", "not valid UTF-8"),
            (b"[1, 2]", "a ninjs document is a JSON object"),
            (json.dumps({"uri": "x", "bodies": [{"value": "b"}]}), "no headline"),
            (json.dumps({"headlines": "Title", "bodies": [{"value": "b"}]}), "headlines must be"),
            (json.dumps({"headline": "Title"}), "no body"),
            (json.dumps({"headline": ["x"], "body_text": "b"}), "headline must be a string"),
            (json.dumps({"headline": "x" * 301, "body_text": "b"}), "at most 300"),
        ],
    )
    def test_unusable_documents_say_why(self, data, message):
        with pytest.raises(NinjsError, match=message):
            parse_ninjs(data)

    def test_only_our_own_stored_originals_can_be_attached(self, photo_story, settings):
        own = article_to_ninjs(photo_story)["associations"][0]["renditions"][0]["href"]
        doc = copy.deepcopy(NINJS_3)
        renditions = doc["associations"][0]["renditions"]
        for href in (
            own.replace("images/", "images/../../secret/"),
            own.replace("127.0.0.1:8000", "evil.example"),
            own.replace("pic", "missing"),
        ):
            renditions[0]["href"] = href
            assert parse_ninjs(doc).photo.file_name == ""
        renditions[0]["href"] = own
        assert parse_ninjs(doc).photo.file_name == photo_story.lead_image.file.name


def _story_fields(article):
    image = article.lead_image
    return {
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "byline": article.byline,
        "tags": sorted(t.name for t in article.tags.all()),
        "sources": sorted(s.name for s in article.sources.all()),
        "photo": image
        and (
            image.caption,
            image.credit,
            image.alt_text,
            image.is_file_photo,
            image.file.name,
            image.focal_x,
            image.focal_y,
        ),
    }


def _without_identity(doc):
    doc = copy.deepcopy(doc)
    for key in ("uri", "version", "firstCreated", "versionCreated", "altIds"):
        doc.pop(key, None)
    for association in doc.get("associations", []):
        association.pop("uri")
    return doc


class TestRoundTrip:
    def test_import_export_import_is_lossless(self, photo_story):
        exported = article_to_ninjs(photo_story)
        copy_of_story = import_parsed(parse_ninjs(json.dumps(exported)), publish=True).article
        assert copy_of_story.pk != photo_story.pk
        assert _story_fields(copy_of_story) == _story_fields(photo_story)

        exported_again = article_to_ninjs(copy_of_story)
        validate(exported_again)
        assert _without_identity(exported_again) == _without_identity(exported)

        again = import_parsed(parse_ninjs(json.dumps(exported_again)), publish=True)
        assert not again.created and again.article.pk == copy_of_story.pk
        assert _story_fields(again.article) == _story_fields(photo_story)

    def test_external_ninjs_survives_import_export_import(self):
        first = import_parsed(parse_ninjs(NINJS_3), publish=True).article
        exported = article_to_ninjs(first)
        validate(exported)
        second = import_parsed(parse_ninjs(exported)).article
        assert second.pk == first.pk  # our export carries the import identity
        assert _story_fields(second) == _story_fields(first)
        assert Article.objects.count() == 1

    def test_seed_story_round_trips_through_import_wire(self, seed_story, tmp_path):
        path = tmp_path / "seed.json"
        exported = article_to_ninjs(seed_story)
        path.write_text(json.dumps(exported))
        before = _story_fields(seed_story)
        Article.objects.all().delete()
        Source.objects.all().delete()
        call_command("import_wire", str(path), stdout=io.StringIO())
        restored = Article.objects.get()
        assert _story_fields(restored) == before
        assert _without_identity(article_to_ninjs(restored)) == _without_identity(exported)

import datetime

import jsonschema
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.http import http_date
from openapi_spec_validator import validate as validate_openapi

from articles.editorial.tagging import merge_tags, rename_tag
from articles.models import Article, Image, Tag

from ..helpers.factories import make_article, make_draft, make_source
from ..helpers.images import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with no cached responses from another test's database."""
    cache.clear()


NOW = timezone.now()


ONE_DAY = datetime.timedelta(days=1)


def days_ago(n, hour=12):
    return (NOW - datetime.timedelta(days=n)).replace(hour=hour, minute=0, second=0, microsecond=0)


def get(client, url, **headers):
    return client.get(url, headers=headers)


def error_of(response, status, parameter=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["message"]
    if parameter:
        assert error["parameter"] == parameter
    return error


@pytest.fixture
def stories(db):
    mali, russia = "Mali", "Russia"
    agency = make_source("Reuters")
    return {
        "old": make_article("Old Mali story", published_at=days_ago(10), tags=[mali]),
        "both": make_article(
            "Mali and Russia", published_at=days_ago(3), tags=[mali, russia], sources=[agency]
        ),
        "russia": make_article("Russia only", published_at=days_ago(2), tags=[russia]),
        "new": make_article("Newest story", published_at=days_ago(1), sources=[agency]),
        "draft": make_draft("Draft about Mali", tags=[mali], sources=[agency]),
        "scheduled": make_article(
            "Scheduled Mali story", published_at=NOW + datetime.timedelta(days=1), tags=[mali]
        ),
        "deleted": make_article("Deleted Mali story", tags=[mali], deleted_at=NOW),
    }


def headlines(response):
    assert response.status_code == 200, response.content
    return [item["headline"] for item in response.json()["results"]]


class TestArticleList:
    def test_published_only_newest_first(self, client, stories):
        assert headlines(client.get("/api/articles/")) == [
            "Newest story",
            "Russia only",
            "Mali and Russia",
            "Old Mali story",
        ]

    def test_item_shape(self, client, stories):
        item = client.get("/api/articles/").json()["results"][2]
        article = stories["both"]
        assert item["id"] == article.pk
        assert item["url"] == "http://127.0.0.1:8000" + article.get_absolute_url()
        assert [t["name"] for t in item["tags"]] == ["Mali", "Russia"]
        assert [s["name"] for s in item["sources"]] == ["Reuters"]
        assert item["published_at"] == article.published_at.isoformat().replace("+00:00", "Z")
        assert "body_html" not in item

    def test_filter_by_one_tag(self, client, stories):
        assert headlines(client.get("/api/articles/?tag=mali")) == [
            "Mali and Russia",
            "Old Mali story",
        ]

    def test_several_tags_must_all_match(self, client, stories):
        assert headlines(client.get("/api/articles/?tag=mali&tag=russia")) == ["Mali and Russia"]

    def test_a_tag_slug_in_any_script_filters(self, client, stories):
        make_article("Abidjan votes", tags=["Côte d’Ivoire", "Mali"])
        slug = Tag.objects.get(name="Côte d’Ivoire").slug
        assert not slug.isascii()
        assert headlines(client.get("/api/articles/", {"tag": [slug, "mali"]})) == ["Abidjan votes"]

    def test_commas_do_not_separate_tags(self, client, stories):
        error = error_of(client.get("/api/articles/?tag=mali,russia"), 400, "tag")
        assert "?tag=a&tag=b" in error["message"]

    def test_filter_by_source(self, client, stories):
        assert headlines(client.get("/api/articles/?source=reuters")) == [
            "Newest story",
            "Mali and Russia",
        ]

    def test_an_old_address_of_a_renamed_or_merged_tag_still_filters(self, client, stories):
        rename_tag(Tag.objects.get(name="Mali"), new_name="Republic of Mali")
        assert headlines(client.get("/api/articles/?tag=mali")) == [
            "Mali and Russia",
            "Old Mali story",
        ]
        merge_tags([Tag.objects.get(name="Russia")], into=Tag.objects.get(name="Republic of Mali"))
        merged = headlines(client.get("/api/articles/?tag=republic-of-mali"))
        assert "Russia only" in merged
        assert headlines(client.get("/api/articles/?tag=russia&tag=mali")) == merged

    def test_unknown_tag_or_source_is_simply_empty(self, client, stories):
        assert headlines(client.get("/api/articles/?tag=nothing")) == []
        assert headlines(client.get("/api/articles/?source=nobody")) == []

    def test_date_range_is_inclusive_of_whole_days(self, client, stories):
        start = days_ago(3).date().isoformat()
        end = days_ago(2).date().isoformat()
        assert headlines(client.get(f"/api/articles/?from={start}&to={end}")) == [
            "Russia only",
            "Mali and Russia",
        ]

    def test_date_time_bounds(self, client, stories):
        moment = days_ago(2).isoformat()
        assert headlines(client.get("/api/articles/", {"to": moment})) == [
            "Russia only",
            "Mali and Russia",
            "Old Mali story",
        ]
        assert headlines(client.get("/api/articles/", {"from": moment})) == [
            "Newest story",
            "Russia only",
        ]

    def test_offsets_far_from_utc_are_converted_before_the_database_sees_them(
        self, client, stories
    ):
        # PostgreSQL refuses an offset beyond ±15:59; ISO 8601 and Python allow up to ±23:59.
        moment = days_ago(2).astimezone(datetime.timezone(datetime.timedelta(hours=-19)))
        assert headlines(client.get("/api/articles/", {"from": moment.isoformat()})) == [
            "Newest story",
            "Russia only",
        ]

    def test_a_date_time_at_midnight_is_that_instant_not_the_whole_day(self, client, stories):
        day = days_ago(2).date()
        up_to_midnight = headlines(client.get("/api/articles/", {"to": f"{day}T00:00:00Z"}))
        assert up_to_midnight == headlines(client.get(f"/api/articles/?to={day - ONE_DAY}"))
        assert up_to_midnight != headlines(client.get(f"/api/articles/?to={day}"))

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [("from=0001-01-01T00:00:00%2B19:00", "from"), ("to=9999-12-31", "to")],
    )
    def test_moments_beyond_the_calendar_are_a_clear_400(self, client, stories, query, parameter):
        error = error_of(client.get(f"/api/articles/?{query}"), 400, parameter)
        assert "outside the years 1 to 9999" in error["message"]

    def test_pagination_with_links(self, client, stories):
        first = client.get("/api/articles/?page_size=3")
        data = first.json()
        assert (data["count"], data["page"], data["pages"]) == (4, 1, 2)
        assert data["previous"] is None
        assert data["next"] == "http://127.0.0.1:8000/api/articles/?page=2&page_size=3"
        assert first["Link"] == f'<{data["next"]}>; rel="next"'
        second = client.get(data["next"].removeprefix("http://127.0.0.1:8000"))
        assert headlines(second) == ["Old Mali story"]
        assert second.json()["next"] is None

    def test_list_query_count_is_fixed(
        self, client, warm_page_cache, django_assert_max_num_queries
    ):
        for n in range(15):
            image = Image.objects.create(caption=f"Photo {n}", credit="A/B")
            make_article(tags=[f"Tag {n}", "Common"], sources=[make_source()], lead_image=image)
        with django_assert_max_num_queries(8):
            response = client.get("/api/articles/?page_size=15")
        assert len(response.json()["results"]) == 15


class TestBadParameters:
    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("tags=mali", "tags"),
            ("tag=<script>", "tag"),
            ("tag=a,b,c,d,e,f", "tag"),
            ("source=a&source=b", "source"),
            ("from=yesterday", "from"),
            ("from=2021-02-30", "from"),
            ("to=2021-13-01T00:00:00Z", "to"),
            ("from=2021-10-02&to=2021-10-01", "to"),
            ("page=0", "page"),
            ("page=abc", "page"),
            ("page_size=101", "page_size"),
            ("page_size=-1", "page_size"),
        ],
    )
    def test_clear_json_400(self, client, stories, query, parameter):
        error = error_of(client.get(f"/api/articles/?{query}"), 400, parameter)
        assert error["code"] == "invalid_parameter"

    @pytest.mark.parametrize("value", ["xml", ""])
    def test_unknown_or_empty_format(self, client, stories, value):
        url = f"/api/articles/{stories['new'].pk}/?format={value}"
        assert error_of(client.get(url), 400, "format")["code"] == "invalid_parameter"

    @pytest.mark.parametrize("url", ["/api/articles/", "/api/tags/", "/api/sources/"])
    def test_a_page_past_the_last_is_a_json_404(self, client, stories, url):
        error = error_of(client.get(f"{url}?page=99"), 404, "page")
        assert error["code"] == "not_found"
        assert "the last page is 1" in error["message"]

    def test_not_found_and_unknown_endpoints_are_json(self, client, stories):
        for url in (
            f"/api/articles/{stories['draft'].pk}/",
            f"/api/articles/{stories['scheduled'].pk}/",
            f"/api/articles/{stories['deleted'].pk}/",
            "/api/articles/999999/",
            "/api/nothing-here/",
            "/api/articles/a%0Ab.ninjs",  # a newline in the path (found by schemathesis)
            "/api/%0A",
        ):
            assert error_of(client.get(url), 404)["code"] == "not_found"

    def test_writes_are_refused(self, client, stories):
        response = client.post("/api/articles/", {"headline": "x"})
        assert error_of(response, 405)["code"] == "method_not_allowed"
        assert "GET" in response["Allow"]


class TestArticleDetail:
    def test_full_story_with_body_and_photo(self, client):
        image = Image.objects.create(
            file=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
            caption="A caption",
            credit="Jane Doe/Reuters",
            alt_text="Alt",
        )
        article = make_article("With photo", body="<p>Body <em>here</em>.</p>", lead_image=image)
        data = client.get(f"/api/articles/{article.pk}/").json()
        assert data["body_html"] == "<p>Body <em>here</em>.</p>"
        assert data["lead_image"]["url"].startswith("http://127.0.0.1:8000/media/images/")
        assert data["lead_image"]["credit"] == "Jane Doe/Reuters"
        assert data["ninjs_url"] == f"http://127.0.0.1:8000/api/articles/{article.pk}.ninjs"


class TestConditionalRequests:
    def test_etag_revalidation_gives_304_until_the_story_changes(self, client, stories, settings):
        settings.PAGE_CACHE_SECONDS = 0  # the API's own validators, not the page cache's
        url = f"/api/articles/{stories['new'].pk}/"
        first = client.get(url)
        etag = first["ETag"]
        assert etag.startswith('"') and first["Last-Modified"]
        cached = get(client, url, if_none_match=etag)
        assert cached.status_code == 304 and cached.content == b""
        assert cached["ETag"] == etag
        assert cached["Access-Control-Allow-Origin"] == "*"

        article = Article.objects.get(pk=stories["new"].pk)
        article.headline = "Newest story, updated"
        article.save()
        changed = get(client, url, if_none_match=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag

    @pytest.mark.parametrize("page_cache_seconds", [0, 300])
    def test_if_modified_since(
        self, client, stories, settings, time_machine, page_cache_seconds, committed
    ):
        settings.PAGE_CACHE_SECONDS = page_cache_seconds
        url = "/api/articles/"
        last_modified = client.get(url)["Last-Modified"]
        assert get(client, url, if_modified_since=last_modified).status_code == 304
        time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1))
        with committed():
            make_article("Just published", published_at=timezone.now())
        assert get(client, url, if_modified_since=last_modified).status_code == 200

    @pytest.mark.parametrize("page_cache_seconds", [0, 300])
    def test_list_etag_changes_when_a_story_is_unpublished(
        self, client, stories, settings, page_cache_seconds, committed
    ):
        settings.PAGE_CACHE_SECONDS = page_cache_seconds
        etag = client.get("/api/articles/")["ETag"]
        article = Article.objects.get(pk=stories["new"].pk)
        article.status = Article.Status.UNPUBLISHED
        with committed():
            article.save()
        response = get(client, "/api/articles/", if_none_match=etag)
        assert response.status_code == 200
        assert "Newest story" not in headlines(response)

    def test_last_modified_is_the_newest_change(self, client, stories):
        response = client.get(f"/api/articles/{stories['old'].pk}/")
        article = stories["old"]
        newest = max(article.updated_at, article.published_at)
        assert response["Last-Modified"] == http_date(int(newest.timestamp()))


class TestCors:
    def test_get_is_readable_cross_origin(self, client, stories):
        response = get(client, "/api/articles/", origin="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]

    def test_preflight(self, client):
        response = client.options(
            "/api/articles/",
            headers={
                "origin": "https://elsewhere.example",
                "access-control-request-method": "GET",
                "access-control-request-headers": "if-none-match",
            },
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "GET" in response["Access-Control-Allow-Methods"]
        assert "If-None-Match" in response["Access-Control-Allow-Headers"]


class TestTagsAndSources:
    def test_tags_with_published_story_counts(self, client, stories):
        make_draft("Draft only", tags=["Secret draft tag"])
        data = client.get("/api/tags/").json()
        assert [(t["name"], t["story_count"]) for t in data["results"]] == [
            ("Mali", 2),
            ("Russia", 2),
        ]
        assert data["results"][0]["api_url"] == "http://127.0.0.1:8000/api/articles/?tag=mali"

    def test_sources_with_published_story_counts(self, client, stories):
        make_draft("Draft only", sources=[make_source("Secret Agency")])
        data = client.get("/api/sources/").json()
        assert [(s["name"], s["story_count"]) for s in data["results"]] == [("Reuters", 2)]

    def test_tag_list_query_count_is_fixed(self, client, django_assert_max_num_queries):
        for n in range(20):
            make_article(tags=[f"Tag {n}"], sources=[make_source()])
        with django_assert_max_num_queries(4):
            assert client.get("/api/tags/?page_size=50").json()["count"] == 20
        with django_assert_max_num_queries(4):
            assert client.get("/api/sources/?page_size=50").json()["count"] == 20


class TestOpenApi:
    @pytest.fixture
    def document(self, client):
        response = client.get("/api/schema/")
        assert response.status_code == 200
        return response.json()

    def test_document_is_valid_openapi(self, document):
        validate_openapi(document)
        assert document["servers"] == [{"url": "http://127.0.0.1:8000/api"}]

    def response_schema(self, document, path, status="200"):
        operation = document["paths"][path]["get"]
        response = operation["responses"][status]
        if "$ref" in response:
            response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        schema = response["content"]["application/json"]["schema"]
        return jsonschema.Draft202012Validator(
            {**schema, "components": document["components"]},
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )

    def test_real_responses_match_the_document(self, client, document, seed_story, stories):
        pk = seed_story.pk
        checks = [
            ("/", "/api/", "200"),
            ("/articles/", "/api/articles/?tag=mali&page_size=2", "200"),
            ("/articles/", "/api/articles/?page=9", "404"),
            ("/articles/", "/api/articles/?page=0", "400"),
            ("/articles/{id}/", f"/api/articles/{pk}/", "200"),
            ("/articles/{id}/", f"/api/articles/{pk}/?format=ninjs", "200"),
            ("/articles/{id}/", f"/api/articles/{stories['draft'].pk}/", "404"),
            ("/articles/{id}.ninjs", f"/api/articles/{pk}.ninjs", "200"),
            ("/tags/", "/api/tags/", "200"),
            ("/sources/", "/api/sources/", "200"),
        ]
        for path, url, status in checks:
            response = client.get(url)
            assert str(response.status_code) == status, url
            self.response_schema(document, path, status).validate(response.json())

    def test_every_documented_path_is_served(self, client, document, seed_story):
        for path, item in document["paths"].items():
            url = "/api" + path.replace("{id}", str(seed_story.pk))
            response = client.get(url)
            assert str(response.status_code) in item["get"]["responses"], url
            assert response.status_code == 200, url

    def test_the_document_rejects_a_wrong_shape(self, client, document, seed_story):
        data = client.get(f"/api/articles/{seed_story.pk}/").json()
        del data["headline"]
        with pytest.raises(jsonschema.ValidationError):
            self.response_schema(document, "/articles/{id}/").validate(data)


def test_a_storage_outage_breaks_no_outbound_surface(client, monkeypatch):
    from django.core.files.storage import default_storage

    image = Image.objects.create(
        file=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
        caption="Helicopters at Bamako airport",
        credit="Jane Doe/Reuters",
    )
    article = make_article("Photo story", lead_image=image, tags=["Mali"])

    def unreachable(name):
        raise OSError("object storage is unreachable")

    monkeypatch.setattr(default_storage, "url", unreachable)
    monkeypatch.setattr(default_storage, "size", unreachable)
    for url in (
        article.get_absolute_url(),
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        "/feeds/latest.json",
        "/tags/mali/feed.atom",
        "/api/articles/",
        f"/api/articles/{article.pk}/",
        f"/api/articles/{article.pk}.ninjs",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Photo story" in response.content.decode(), url


class TestDatabaseDown:
    """The API answers a lost database with its own JSON error shape, never the HTML page."""

    @pytest.fixture
    def database_down(self, settings):
        from django.db import OperationalError, connection

        settings.DATABASE_RETRY_AFTER = 23

        def refuse(execute, sql, params, many, context):
            raise OperationalError("connection to server was lost")

        with connection.execute_wrapper(refuse):
            yield

    @pytest.mark.parametrize(
        "url",
        [
            "/api/articles/",
            "/api/articles/1/",
            "/api/articles/1.ninjs",
            "/api/tags/",
            "/api/sources/",
        ],
    )
    @pytest.mark.parametrize("generation_known", [True, False])
    def test_503_is_the_api_json_error(self, client, stories, url, generation_known, request):
        if generation_known:  # as on a running site: the lost database is met in the view
            request.getfixturevalue("warm_page_cache")
        request.getfixturevalue("database_down")  # else met in the page cache's middleware
        client.raise_request_exception = False
        response = client.get(url)
        error = error_of(response, 503)
        assert error["code"] == "unavailable"
        assert "23 seconds" in error["message"]
        assert response["Retry-After"] == "23"
        assert "no-store" in response["Cache-Control"]
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_reader_pages_still_get_the_html_page(self, client, stories, database_down):
        client.raise_request_exception = False
        response = client.get("/tags/mali/")
        assert response.status_code == 503
        assert response["Content-Type"].startswith("text/html")
        assert b"Back in a moment" in response.content

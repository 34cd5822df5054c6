"""The page cache: public pages and API responses are served from the cache, answer conditional
requests, and change the moment anything readers could see changes (articles/http/page_cache.py)."""

import datetime
import http.server
import threading
import time

import pytest
import redis as redis_client
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.http import http_date

from articles.editorial.tagging import merge_tags, rename_tag
from articles.http import page_cache
from articles.models import Article, Correction, Tag

from ..helpers.factories import make_article, make_draft, make_image, make_source
from ..helpers.images import jpeg_bytes
from ..helpers.readers import ask_together
from ..helpers.servers import RedisServer, missing_service


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in {200, 304}, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


class TestServedFromCache:
    def test_second_request_is_a_hit_with_no_queries(self, client, db, django_assert_num_queries):
        make_article("Cached story", tags=["Mali"])
        first = get(client, "/")
        assert first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            second = get(client, "/")
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]

    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "ARTICLE",
            "/tags/mali/",
            "/sources/reuters/",
            "/feeds/latest.rss",
            "/tags/mali/feed.atom",
            "/api/articles/",
            "/search/?q=cached",
        ],
    )
    def test_public_responses_carry_shared_cache_headers(self, client, db, url):
        story = make_article("Cached story", tags=["Mali"], sources=[make_source("Reuters")])
        url = story.get_absolute_url() if url == "ARTICLE" else url
        response = get(client, url)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control
        assert "s-maxage=300" in cache_control
        # Browsers revalidate every time, so an edit is never hidden by a browser cache.
        assert "max-age=0" in cache_control
        assert response["ETag"]
        assert response["Last-Modified"]
        assert get(client, url)["X-Page-Cache"] == "hit"

    @pytest.mark.parametrize(
        "url", ["ARTICLE", "/tags/mali/", "/feeds/latest.rss", "/api/articles/", "/"]
    )
    def test_conditional_get_answers_304(self, client, db, url):
        story = make_article("Conditional story", tags=["Mali"])
        url = story.get_absolute_url() if url == "ARTICLE" else url
        first = get(client, url)
        by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert by_etag.status_code == 304
        assert by_etag.content == b""
        by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        assert by_date.status_code == 304
        stale = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200

    def test_a_change_makes_the_old_etag_stale(self, client, db, committed):
        story = make_article("Before the edit")
        first = get(client, story.get_absolute_url())
        story.headline = "After the edit"
        with committed():
            story.save()
        again = client.get(story.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 200
        assert "After the edit" in text(again)

    def test_an_old_if_modified_since_gets_the_page(self, client, db):
        story = make_article("Dated story")
        long_ago = http_date((timezone.now() - datetime.timedelta(days=30)).timestamp())
        response = client.get(story.get_absolute_url(), headers={"If-Modified-Since": long_ago})
        assert response.status_code == 200


class TestNeverCached:
    def test_admin_pages(self, editor_client):
        response = editor_client.get("/admin/")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "X-Page-Cache" not in response

    def test_admin_login_page(self, client, db):
        response = client.get("/admin/login/")
        assert "no-store" in response["Cache-Control"]

    def test_shared_preview_of_a_draft(self, client, editor):
        from articles.editorial.previews import share_link_token

        draft = make_draft("Secret draft")
        link = draft.share_links.create(
            created_by=editor, expires_at=timezone.now() + datetime.timedelta(hours=1)
        )
        url = f"/preview/{share_link_token(link)}/"
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert "Secret draft" in text(response)
            assert "X-Page-Cache" not in response
            assert "public" not in response["Cache-Control"]
            assert "no-store" in response["Cache-Control"]
        # Revoked: the next request says so; nothing served the old copy.
        link.revoked_at = timezone.now()
        link.save()
        assert client.get(url).status_code == 410

    def test_not_found_pages_are_not_shared(self, client, db):
        response = client.get("/tags/nothing-here/")
        assert response.status_code == 404
        assert "public" not in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]

    def test_drafts_never_reach_the_cache(self, client, db):
        draft = make_draft("Unseen draft")
        assert client.get(draft.get_absolute_url()).status_code == 404
        get(client, "/")
        assert "Unseen draft" not in text(get(client, "/"))


class TestInvalidation:
    """Each change readers could see shows on the very next request after it commits.

    (`committed()` runs what a real commit runs; tests run inside a transaction that never does.)
    """

    def test_publish(self, client, db, committed):
        draft = make_draft("Fresh news")
        assert "Fresh news" not in text(get(client, "/"))
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now() - datetime.timedelta(minutes=1)
        with committed():
            draft.save()
        response = get(client, "/")
        assert response["X-Page-Cache"] == "miss"
        assert "Fresh news" in text(response)

    def test_unpublish(self, client, db, committed):
        story = make_article("Withdrawn story", tags=["Mali"])
        url = story.get_absolute_url()
        for page in ("/", url, "/tags/mali/", "/feeds/latest.rss", "/api/articles/"):
            assert "Withdrawn story" in text(get(client, page))
        story.status = Article.Status.UNPUBLISHED
        with committed():
            story.save()
        assert client.get(url).status_code == 404
        for page in ("/", "/feeds/latest.rss", "/api/articles/"):
            assert "Withdrawn story" not in text(get(client, page))

    def test_edit(self, client, db, committed):
        story = make_article("Original headline", tags=["Mali"])
        for page in ("/", story.get_absolute_url(), "/tags/mali/", "/api/articles/"):
            get(client, page)
        story.headline = "Edited headline"
        with committed():
            story.save()
        for page in ("/", story.get_absolute_url(), "/tags/mali/", "/api/articles/"):
            assert "Edited headline" in text(get(client, page)), page

    def test_edits_while_the_clock_stands_still(self, client, db, time_machine, committed):
        time_machine.move_to(timezone.now(), tick=False)
        story = make_article("First version")
        for version in ("Second version", "Third version"):
            get(client, "/")
            story.headline = version
            with committed():
                story.save()
            assert version in text(get(client, "/"))

    def test_correction(self, client, db, committed):
        story = make_article("Corrected story")
        get(client, story.get_absolute_url())
        with committed():
            Correction.objects.create(article=story, text="An earlier version misspelt Bamako.")
        assert "misspelt Bamako" in text(get(client, story.get_absolute_url()))

    def test_tag_rename(self, client, db, committed):
        story = make_article("Tagged story", tags=["Mali"])
        assert "Mali" in text(get(client, story.get_absolute_url()))
        with committed():
            rename_tag(Tag.objects.get(name="Mali"), new_name="Republic of Mali")
        assert "Republic of Mali" in text(get(client, story.get_absolute_url()))

    def test_tag_merge(self, client, db, committed):
        story = make_article("Merged story", tags=["Wagner Group"])
        make_article("Other story", tags=["Wagner"])
        assert "Wagner Group" in text(get(client, story.get_absolute_url()))
        with committed():
            merge_tags([Tag.objects.get(name="Wagner Group")], into=Tag.objects.get(name="Wagner"))
        page = text(get(client, story.get_absolute_url()))
        assert "Wagner Group" not in page
        assert "/tags/wagner/" in page

    def test_tags_added_and_removed(self, client, db, committed):
        story = make_article("Retagged story")
        get(client, story.get_absolute_url())
        with committed():
            story.tags.add("Bamako")
        assert "Bamako" in text(get(client, story.get_absolute_url()))
        with committed():
            story.tags.remove("Bamako")
        assert "Bamako" not in text(get(client, story.get_absolute_url()))

    def test_image_change(self, client, db, committed):
        image = make_image(caption="The first caption", alt_text="A helicopter")
        image.file.save("helicopter.jpg", ContentFile(jpeg_bytes()))  # no file: no caption shown
        story = make_article("Photo story", lead_image=image)
        assert "The first caption" in text(get(client, story.get_absolute_url()))
        image.caption = "A better caption"
        with committed():
            image.save()
        assert "A better caption" in text(get(client, story.get_absolute_url()))

    def test_source_rename(self, client, db, committed):
        source = make_source("Reuterz")
        story = make_article("Sourced story", sources=[source])
        assert "Reuterz" in text(get(client, story.get_absolute_url()))
        source.name = "Reuters"
        with committed():
            source.save()
        assert "Reuterz" not in text(get(client, story.get_absolute_url()))

    def test_delete(self, client, db, committed):
        story = make_article("Deleted story")
        assert "Deleted story" in text(get(client, "/"))
        with committed():
            story.delete()
        assert "Deleted story" not in text(get(client, "/"))

    def test_bump_after_commit_and_purge(self, client, transactional_db, settings):
        """Outside tests a change commits: the generation moves after the commit, and each HTTP
        cache at CACHE_PURGE_URL gets a BAN once it is committed, not before."""
        bans = []

        class Varnish(http.server.BaseHTTPRequestHandler):
            def do_BAN(self):
                bans.append((self.path, self.headers["X-Ban-Url"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Varnish)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
            story = make_article("Committed story", tags=["Mali", "Bamako"])
            assert bans, "no BAN after a committed change"
            bans.clear()
            get(client, "/")
            before = page_cache.current_generation()
            from django.db import transaction

            with transaction.atomic():
                story.headline = "Committed edit"
                story.save()
                story.tags.add("Timbuktu")
                assert bans == [], "purged before the change was committed"
            assert page_cache.current_generation() != before
            # One BAN for the whole transaction (the search index was written inside it).
            assert bans == [("/", "^/")]
            assert "Committed edit" in text(get(client, "/"))
        finally:
            server.shutdown()
            server.server_close()

    def test_purge_failure_does_not_fail_the_save(self, transactional_db, settings, caplog):
        settings.CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens on the discard port
        settings.CACHE_PURGE_TIMEOUT = 0.5
        make_article("Saved anyway")
        assert Article.objects.filter(headline="Saved anyway").exists()
        assert "Could not purge the HTTP cache" in caplog.text


class TestScheduledPublication:
    def test_cache_lifetime_ends_when_the_next_story_is_due(self, client, db):
        make_article("Already out")
        make_article("Coming soon", published_at=timezone.now() + datetime.timedelta(seconds=90))
        response = get(client, "/")
        assert "Coming soon" not in text(response)
        max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        assert 80 <= max_age <= 90

    def test_scheduled_story_appears_on_time_on_a_cached_front_page(self, client, db):
        due = timezone.now() + datetime.timedelta(minutes=10)
        make_article("Already out")
        make_article("Embargoed story", published_at=due, tags=["Mali"])
        assert "Embargoed story" not in text(get(client, "/"))
        assert get(client, "/")["X-Page-Cache"] == "hit"
        with time_machine.travel(due + datetime.timedelta(seconds=1)):
            response = get(client, "/")
            assert "Embargoed story" in text(response)
            assert "Embargoed story" in text(get(client, "/tags/mali/"))
            assert "Embargoed story" in text(get(client, "/feeds/latest.rss"))

    def test_lifetime_is_the_configured_one_without_scheduled_stories(self, client, db, settings):
        settings.PAGE_CACHE_SECONDS = 120
        make_article("Only story")
        assert "s-maxage=120" in get(client, "/")["Cache-Control"]

    def test_page_cache_can_be_turned_off(self, client, db, settings):
        settings.PAGE_CACHE_SECONDS = 0
        make_article("Uncached story")
        for _ in range(2):
            response = get(client, "/")
            assert response["X-Page-Cache"] == "bypass"
            assert "s-maxage=0" in response["Cache-Control"]
            assert response["ETag"]


class TestGenerationAcrossProcesses:
    def test_per_process_cache_keeps_the_generation_in_a_shared_file(
        self, db, settings, tmp_path, committed
    ):
        settings.CONTENT_GENERATION_FILE = tmp_path / "shared" / "generation"
        first = page_cache.current_generation()
        assert settings.CONTENT_GENERATION_FILE.read_text() == str(first)
        with committed():
            make_article("A change")
        second = page_cache.current_generation()
        assert second != first
        # What another process on the same disk sees.
        assert int(settings.CONTENT_GENERATION_FILE.read_text()) == second


@pytest.fixture
def redis_cache(tmp_path, settings):
    """The page cache in a Redis server of the test's own; yields a client of that server."""
    try:
        redis = RedisServer(tmp_path)
    except FileNotFoundError:
        missing_service("redis-server is not installed (apt-get install redis-server)")
    settings.CACHES = {
        "default": {
            "BACKEND": "articles.http.redis_cache.ResilientRedisCache",
            "LOCATION": redis.url,
        }
    }
    yield redis_client.Redis.from_url(redis.url)
    redis.stop()


class TestSharedCache:
    def test_a_hit_is_one_round_trip_to_redis(self, client, db, redis_cache):
        make_article("Cached story", tags=["Mali"])
        assert get(client, "/")["X-Page-Cache"] == "miss"
        redis_cache.config_resetstat()
        assert get(client, "/")["X-Page-Cache"] == "hit"
        calls = {
            name.removeprefix("cmdstat_"): stats["calls"]
            for name, stats in redis_cache.info("commandstats").items()
            if name != "cmdstat_info"
        }
        assert {name: n for name, n in calls.items() if name.split("|")[0] != "config"} == {
            "mget": 1
        }

    def test_a_page_of_an_older_generation_is_not_served(self, client, db, redis_cache, committed):
        story = make_article("Before", tags=["Mali"])
        assert get(client, "/")["X-Page-Cache"] == "miss"
        with committed():
            story.headline = "After"
            story.save()
        fresh = get(client, "/")
        assert fresh["X-Page-Cache"] == "miss"
        assert "After" in text(fresh)
        assert get(client, "/")["X-Page-Cache"] == "hit"


class TestOneRenderPerMiss:
    """When a change makes a page stale, the readers who ask for it at that moment do not all
    render it: one does, the others are served what it stores."""

    @staticmethod
    def count_renders(monkeypatch, seconds: float) -> list:
        """Front page renders, each made to take `seconds`."""
        from articles.site import views

        renders, render = [], views.newest_in_language_first

        def slow(*args):
            renders.append(1)
            time.sleep(seconds)
            return render(*args)

        monkeypatch.setattr(views, "newest_in_language_first", slow)
        return renders

    def test_readers_after_a_change_share_one_render_through_redis(
        self, transactional_db, redis_cache, monkeypatch
    ):
        story = make_article("Before the change")
        assert b"Before the change" in ask_together("/", 1)[0].content
        story.headline = "After the change"
        story.save()  # committed: a new generation
        renders = self.count_renders(monkeypatch, 0.3)
        answers = ask_together("/", 8)
        assert [response.status_code for response in answers] == [200] * 8
        assert all(b"After the change" in response.content for response in answers)
        assert len(renders) == 1
        assert not redis_cache.keys("*rendering:*")

    def test_a_render_that_stores_nothing_does_not_hold_the_others(
        self, transactional_db, settings, monkeypatch
    ):
        """A page that cannot be stored (here its lifetime ends at once) is rendered by each
        reader, without waiting out RENDER_WAIT_SECONDS."""
        settings.PAGE_CACHE_SECONDS = 300
        make_article("Soon")
        monkeypatch.setattr(page_cache, "cache_lifetime", lambda generation: 0)
        renders = self.count_renders(monkeypatch, 0.2)
        started = time.monotonic()
        answers = ask_together("/", 4)
        assert [response.status_code for response in answers] == [200] * 4
        assert len(renders) == 4
        assert time.monotonic() - started < page_cache.RENDER_WAIT_SECONDS

"""Faults, for real: the database or Redis goes away under a running server, file storage fails
during an upload. Readers get a proper page, editors keep what they typed, and everything recovers
without a restart."""

import datetime
import re
import time

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article, Image

from ..helpers.factories import make_article
from ..helpers.images import png_bytes
from ..helpers.servers import (
    AppServer,
    Browser,
    RedisServer,
    TcpProxy,
    form_fields,
    fresh_database,
    missing_service,
    postgres_available,
    prepare_site,
    server_env,
    suite_database_vendor,
)

EDITOR_PASSWORD = "fault test password 1"


# -- The database goes away ---------------------------------------------------------------------


class DatabaseOutage:
    """A server whose database can be taken away and given back: through a TCP proxy for
    PostgreSQL, by moving the database's folder away for SQLite."""

    def __init__(self, vendor, tmp_path, database_url):
        self.vendor = vendor
        self.tmp_path = tmp_path
        if vendor == "postgres":
            self.proxy = TcpProxy(5432)
            self.server_url = database_url.replace(":5432/", f":{self.proxy.port}/")
        else:
            self.folder = tmp_path / "database"
            self.folder.mkdir()
            self.server_url = f"sqlite:///{self.folder / 'db.sqlite3'}"

    def cut(self):
        if self.vendor == "postgres":
            self.proxy.cut()
        else:
            self.folder.rename(self.tmp_path / "database-gone")

    def restore(self):
        if self.vendor == "postgres":
            self.proxy.restore()
        else:
            (self.tmp_path / "database-gone").rename(self.folder)

    def close(self):
        if self.vendor == "postgres":
            self.proxy.close()


@pytest.fixture(scope="module")
def outage_site(tmp_path_factory):
    vendor = suite_database_vendor()
    if vendor == "postgres" and not postgres_available():
        missing_service("PostgreSQL is not reachable at 127.0.0.1:5432")
    tmp_path = tmp_path_factory.mktemp("db-outage")
    with fresh_database(vendor, tmp_path) as database_url:
        outage = DatabaseOutage(vendor, tmp_path, database_url)
        env = server_env(tmp_path, DATABASE_URL=outage.server_url, DATABASE_RETRY_AFTER=17)
        prepare_site(env, editor_password=EDITOR_PASSWORD)
        server = AppServer(env, log_dir=tmp_path, workers=1)
        try:
            yield server, outage
        finally:
            server.stop()
            outage.close()


def seed_story_path(browser) -> str:
    front = browser.get("/").text
    start = front.index('href="/2021/')
    return front[start + 6 : front.index('"', start + 6)]


class TestDatabaseOutage:
    def test_readers_get_a_503_page_and_the_site_recovers_by_itself(self, outage_site):
        server, outage = outage_site
        browser = Browser(server.url)
        assert browser.get("/").status_code == 200
        pid = server.process.pid

        outage.cut()
        try:
            for path in ("/tags/mali/?page=1", "/sources/news-agencies/", "/api/articles/"):
                response = browser.get(path)
                assert response.status_code == 503, (path, response.text[:500])
                assert response.headers["Retry-After"] == "17"
                assert "no-store" in response.headers["Cache-Control"]
                assert "Traceback" not in response.text
                assert "OperationalError" not in response.text
                if path.startswith("/api/"):  # the API's own error shape, not the HTML page
                    assert response.headers["Content-Type"] == "application/json"
                    assert response.headers["Access-Control-Allow-Origin"] == "*"
                    error = response.json()["error"]
                    assert error["code"] == "unavailable" and "17 seconds" in error["message"]
                else:
                    assert "Back in a moment" in response.text
        finally:
            outage.restore()

        # Recovered without a restart: same process, fresh connections.
        deadline = time.monotonic() + 10
        while browser.get("/tags/mali/?page=2").status_code == 503:
            assert time.monotonic() < deadline, "still 503 ten seconds after the database returned"
            time.sleep(0.2)
        assert browser.get("/tags/mali/?page=1").status_code == 200
        assert server.process.pid == pid and server.process.poll() is None
        assert "Traceback" not in server.log_text()

    def test_pages_already_cached_keep_being_served(self, outage_site):
        server, outage = outage_site
        browser = Browser(server.url)
        path = seed_story_path(browser)
        assert browser.get(path).status_code == 200
        assert browser.get(path).headers["X-Page-Cache"] == "hit"
        outage.cut()
        try:
            response = browser.get(path)
            assert response.status_code == 200
            assert "Mali receives helicopters" in response.text
        finally:
            outage.restore()

    def test_an_editors_failed_save_keeps_what_they_typed(self, outage_site):
        server, outage = outage_site
        browser = Browser(server.url)
        browser.log_in("editor", EDITOR_PASSWORD)
        change_list = browser.get("/admin/articles/article/").text
        change_path = re.search(r'href="(/admin/articles/article/\d+/change/)', change_list)[1]
        form = browser.get(change_path)
        assert form.status_code == 200
        fields = form_fields(form.text, form_id="article_form")
        fields["headline"] = "Typed while the database was away"
        fields["standfirst"] = "A standfirst the editor <b>must not</b> lose"

        outage.cut()
        try:
            failed = browser.post(
                change_path,
                # The story is live: its edit reaches readers when its changes are published.
                data={**fields, "_publish_changes": "Publish changes"},
                headers={"Referer": browser.referer()},
            )
        finally:
            outage.restore()
        assert failed.status_code == 503, failed.text[:3000]
        assert "Your changes were not saved" in failed.text
        assert "Typed while the database was away" in failed.text
        # Given back escaped, exactly as typed.
        assert "A standfirst the editor &lt;b&gt;must not&lt;/b&gt; lose" in failed.text

        # The page's own form sends it all again once the database is back.
        retry = form_fields(failed.text)
        assert retry["headline"] == "Typed while the database was away"
        assert "_publish_changes" in retry  # the button pressed is sent again too
        deadline = time.monotonic() + 10
        while True:
            saved = browser.post(change_path, data=retry, headers={"Referer": browser.referer()})
            if saved.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert saved.status_code == 302, saved.text[:2000]
        assert "Typed while the database was away" in browser.get("/").text


# -- Redis goes away ----------------------------------------------------------------------------


@pytest.fixture
def redis_behind_proxy(tmp_path, settings):
    """A private Redis reached through a proxy that can be cut; the page cache uses it."""
    try:
        redis = RedisServer(tmp_path)
    except FileNotFoundError:
        missing_service("redis-server is not installed (apt-get install redis-server)")
    proxy = TcpProxy(redis.port)
    settings.CACHES = {
        "default": {
            "BACKEND": "articles.http.redis_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/0",
            "KEY_PREFIX": f"faults-{proxy.port}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "OUTAGE_RETRY_SECONDS": 0.5,
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    yield proxy
    proxy.close()
    redis.stop()


def wait_for_recovery(seconds=0.6):
    time.sleep(seconds)  # past OUTAGE_RETRY_SECONDS


class TestRedisOutage:
    def test_pages_serve_without_redis_and_use_it_again_when_it_returns(
        self, client, db, redis_behind_proxy
    ):
        story = make_article("Before the outage", tags=["Mali"])
        assert client.get("/").headers["X-Page-Cache"] == "miss"
        assert client.get("/").headers["X-Page-Cache"] == "hit"

        redis_behind_proxy.cut()
        started = time.monotonic()
        for path in ("/", story.get_absolute_url(), "/tags/mali/", "/api/articles/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["X-Page-Cache"] == "bypass"
        assert time.monotonic() - started < 3, "requests waited on the unreachable cache"

        # An edit while Redis is away cannot bump the shared generation...
        story.headline = "Edited during the outage"
        story.save()
        assert "Edited during the outage" in client.get("/").content.decode()

        redis_behind_proxy.restore()
        wait_for_recovery()
        # ...so the first process to see Redis again moves the generation on: the page cached
        # before the outage is not served.
        response = client.get("/")
        assert "Edited during the outage" in response.content.decode()
        assert response.headers["X-Page-Cache"] == "miss"
        assert client.get("/").headers["X-Page-Cache"] == "hit"

    def test_sign_in_still_works_without_redis(self, client, db, redis_behind_proxy, settings):
        from ..helpers.factories import make_editor

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        make_editor()
        redis_behind_proxy.cut()
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": "correct horse battery staple", "next": "/admin/"},
        )
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_the_backend_reports_misses_while_down(self, db, redis_behind_proxy):
        backend = caches["default"]
        backend.set("probe", "value")
        assert backend.get("probe") == "value"
        redis_behind_proxy.cut()
        assert backend.get("probe") is None
        assert backend.add("other", 1) is False
        backend.set("ignored", 1)  # dropped, not raised
        redis_behind_proxy.restore()
        wait_for_recovery()
        assert backend.get("probe") == "value"


# -- File storage fails during an upload --------------------------------------------------------


class TestStorageFailure:
    def test_failed_upload_leaves_no_row_and_keeps_the_typed_text(self, editor_client, settings):
        # The media folder's parent is a plain file: every write fails with a real OSError.
        blocker = settings.MEDIA_ROOT.parent / "not-a-folder"
        blocker.write_text("")
        settings.MEDIA_ROOT = blocker / "media"
        page = editor_client.get("/admin/articles/image/add/")
        fields = form_fields(page.content.decode(), form_id="image_form")
        fields.update(
            alt_text="Soldiers unload a helicopter",
            caption="A caption typed with care",
            credit="Jane Doe/Reuters",
        )
        fields["file"] = SimpleUploadedFile(
            "helicopter.png", png_bytes(640, 480), content_type="image/png"
        )
        response = editor_client.post("/admin/articles/image/add/", fields)
        assert response.status_code == 502
        body = response.content.decode()
        assert "The file storage failed" in body
        assert "A caption typed with care" in body
        assert "helicopter.png" in body  # named, to be chosen again
        assert Image.objects.count() == 0


def test_scheduled_story_is_unaffected_by_the_cache_being_down(client, db, redis_behind_proxy):
    """With Redis gone, lifetimes are still bounded by the next publication."""
    due = timezone.now() + datetime.timedelta(seconds=45)
    make_article("Scheduled story", published_at=due)
    redis_behind_proxy.cut()
    response = client.get("/")
    max_age = int(response.headers["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert max_age <= 45
    assert not Article.objects.published().filter(headline="Scheduled story").exists()

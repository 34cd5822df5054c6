"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No Chromium, no browser tests: they are deselected with one printed line and the rest of the suite
runs. Everything else about a visited page is watched: console errors (CSP violations included),
uncaught exceptions, failed requests, HTTP errors and requests to any other origin fail the test.
"""

import datetime
import importlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import ConsoleMessage, Page, Request, Response

from articles.models import Article, Image

from ..helpers.factories import make_article, make_editor
from ..helpers.images import jpeg_bytes
from .browser import EDITOR_PASSWORD, EDITOR_USERNAME, log_in


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one request at a time. Its threads share the test database's
    connection (an in-memory SQLite database exists only there), and sqlite3 does not allow two
    threads to use one connection at once: the desk's heartbeats, autosaves and page loads from
    two browser contexts could otherwise meet in it and deadlock. Connections stay concurrent;
    only the application is entered by one request at a time.

    The response is closed here, in the request's thread, as a WSGI server must. Left open, a
    `FileResponse` (a static file) was closed later by the garbage collector, in whatever thread
    it ran: its close sends `request_finished`, whose `close_old_connections` closed *that*
    thread's database connection, on PostgreSQL in the middle of a transaction ("the connection
    is closed" in a test's set-up or in the live server, now and then in full runs)."""

    application_lock = threading.Lock()

    def get_app(self):
        application = super().get_app()

        def one_at_a_time(environ, start_response):
            with self.application_lock:
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return one_at_a_time


LiveServerThread.server_class = OneRequestAtATimeServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_DIR = Path(__file__).parent


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.hookimpl(trylast=True)  # after pytest-django has ordered the tests by database use
def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if E2E_DIR in Path(item.path).parents]
    if not browser_tests:
        return
    browser_ids = {id(item) for item in browser_tests}
    if chromium_available():
        # Last: once started, Playwright's event loop stays in the main thread until the session
        # ends, and Django's async_to_sync (AsyncClient, async views) refuses to run beside it.
        items[:] = [item for item in items if id(item) not in browser_ids] + browser_tests
        return
    if os.environ.get("REQUIRE_CHROMIUM"):
        raise pytest.UsageError(f"REQUIRE_CHROMIUM is set but there is no Chromium at {CHROMIUM}")
    items[:] = [item for item in items if id(item) not in browser_ids]
    config.hook.pytest_deselected(items=browser_tests)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    message = (
        f"Browser tests skipped: no Chromium at {CHROMIUM} "
        f"(apt-get install -y chromium); running the other tests."
    )
    if reporter:
        reporter.write_line(message, yellow=True, bold=True)
    else:
        print(message)


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright_loop() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in the main thread; Django refuses ORM calls
    there unless told it is safe. It is: the live server answers from its own thread."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with nothing phoning home; never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


@pytest.fixture(autouse=True)
def _browser_test_settings(settings):
    # The live server serves static files from the finders: no collectstatic, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Logging in is part of the journeys; a slow hash would only slow them down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class BrowserProblems:
    """Everything that went wrong in the browser while a test ran."""

    origin: str
    expected_statuses: set[tuple[int, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def expect_status(self, status: int, path: str) -> None:
        """A response the test asks for on purpose (a 404 page) is not a problem."""
        self.expected_statuses.add((status, path))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            text = message.text
            location = message.location.get("url", "")
            # Chromium logs every non-2xx response as a console error; those are judged by status.
            if re.match(r"Failed to load resource: the server responded with a status", text):
                return
            self.problems.append(f"console error on {location}: {text}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def on_request(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in {"data", "blob"}:
            return
        if f"{url.scheme}://{url.netloc}" != self.origin:
            self.problems.append(f"third-party request: {request.url}")

    def on_request_failed(self, request: Request) -> None:
        # Closing a tab or leaving a page cancels what it was still loading (the icon, say).
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        path = urlsplit(response.url).path
        if (response.status, path) not in self.expected_statuses:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def watch(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("request", self.on_request)
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def assert_none(self) -> None:
        assert not self.problems, "Problems in the browser:\n" + "\n".join(self.problems)


@pytest.fixture
def browser_problems(live_server) -> BrowserProblems:
    return BrowserProblems(origin=live_server.url)


@pytest.fixture
def page(context, browser_problems) -> Iterator[Page]:
    """A page whose console errors, failed requests and foreign requests fail the test."""
    page = context.new_page()
    browser_problems.watch(page)
    yield page
    browser_problems.assert_none()


@pytest.fixture
def editor(transactional_db):
    return make_editor(EDITOR_USERNAME, EDITOR_PASSWORD)


@pytest.fixture
def editor_page(page, editor) -> Page:
    """A page logged in to the admin as an editor."""
    log_in(page)
    return page


@pytest.fixture
def newsroom(seed_story) -> Article:
    """The seed story (returned) and a few older stories sharing its tags, all published."""
    day = datetime.timedelta(days=1)
    stories = [
        ("France begins withdrawing troops from northern Mali", ["Mali", "France", "Sahel"]),
        ("Wagner Group fighters arrive in Bamako, diplomats say", ["Mali", "Russia"]),
        ("Sahel leaders meet to discuss regional security", ["Sahel", "Africa"]),
    ]
    for n, (headline, tags) in enumerate(stories, start=1):
        make_article(
            headline,
            published_at=seed_story.published_at - n * day,
            standfirst=f"{headline}: what we know so far.",
            body=f"<p>{headline}. Reporting from the region continues.</p>",
            tags=tags,
            sources=list(seed_story.sources.all()),
        )
    return seed_story


@pytest.fixture
def seed_photo(newsroom) -> Image:
    """The seed story's lead photo with a file (the wire copy ships only its caption and credit)."""
    photo = newsroom.lead_image
    photo.alt_text = "A cargo plane on the tarmac at Bamako airport"
    photo.file.save("mali-helicopters.jpg", ContentFile(jpeg_bytes(1600, 1000)))
    return photo


@pytest.fixture
def editorial_roles(transactional_db) -> None:
    """The Reporter and Editor groups with their permissions, as the data migrations make them
    (their lists are read from those migrations). A browser test's database is emptied after each
    test, and the groups with it; the permissions themselves are made again after the emptying."""

    def migration(name):
        return importlib.import_module(f"articles.migrations.{name}")

    roles = migration("0004_editorial_roles")
    wanted = {
        "Reporter": roles.codenames(roles.REPORTER),
        "Editor": roles.codenames(roles.EDITOR) + list(roles.EDITOR_EXTRA),
    }
    for later in (migration("0011_live_coverage"), migration("0020_authors_and_contributors")):
        for name in wanted:
            wanted[name] += later.ROLES[name]
    wanted["Editor"] += migration("0022_editors_run_ingest_channels").WANTED
    for name, codenames in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )

"""HTTP and S3 channels against real local servers: a ninjs list and an RSS feed over HTTP
(conditional requests, timeouts, refused redirects), an unreachable and a slow feed, and an S3
prefix on moto's server."""

import http.server
import json
import threading
import time

import pytest

from articles.ingest import polling
from articles.ingest.models import IngestChannel, IngestedItem
from articles.models import Article

from ..helpers.servers import ObjectStore, free_port
from .conftest import WIRE_TEXT, ninjs

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Agency Y</title><link>http://example.org/</link>
<description>Wire</description>
<item><guid>urn:y:1</guid><title>Harbour fire put out</title>
<link>http://example.org/fire</link>
<description>Firefighters worked through the night.</description>
<pubDate>Mon, 07 Dec 2026 03:00:00 GMT</pubDate><category>Fire</category></item>
<item><guid>urn:y:2</guid><title>Rail strike called off</title>
<description>Unions reached a deal with the operator.</description>
<pubDate>Mon, 07 Dec 2026 02:00:00 GMT</pubDate></item>
<item><guid>urn:y:3</guid><title></title><description>No title here.</description></item>
</channel></rss>"""


class FeedServer:
    """Serves `routes` (path -> (content type, body)); ETag-aware; /slow sleeps; /away
    redirects to another host."""

    def __init__(self, routes):
        self.routes = routes
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                if self.path == "/slow":
                    time.sleep(2)
                if self.path == "/away":
                    self.send_response(302)
                    self.send_header("Location", "http://localhost.invalid/feed")
                    self.end_headers()
                    return
                if self.path not in server.routes:
                    self.send_error(404)
                    return
                content_type, body = server.routes[self.path]
                etag = f'"{hash(body) & 0xFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feeds():
    routes = {
        "/ninjs.json": (
            "application/json",
            json.dumps([json.loads(ninjs("urn:z:1")), json.loads(ninjs("urn:z:2", headline="B"))]),
        ),
        "/wire.rss": ("application/rss+xml", RSS),
    }
    server = FeedServer(routes)
    yield server
    server.stop()


def http_channel(url, name="Agency Y"):
    return IngestChannel.objects.create(name=name, kind=IngestChannel.Kind.HTTP, location=url)


def test_a_ninjs_list_over_http_with_conditional_requests(feeds):
    channel = http_channel(feeds.url + "/ninjs.json")
    assert polling.poll(channel).taken == 2
    assert Article.objects.count() == 2

    channel.refresh_from_db()
    assert channel.etag
    summary = polling.poll(channel)
    assert summary.taken == 0
    _path, headers = feeds.requests[-1]
    assert headers["If-None-Match"] == channel.etag  # answered 304 Not Modified
    assert Article.objects.count() == 2


def test_an_rss_feed_bad_entry_isolated(feeds):
    channel = http_channel(feeds.url + "/wire.rss")
    summary = polling.poll(channel)
    assert (summary.taken, summary.failed) == (2, 1)
    fire = Article.objects.get(headline="Harbour fire put out")
    assert "Firefighters worked through the night." in fire.body
    assert 'href="http://example.org/fire"' in fire.body
    assert "Fire" in fire.tags.names()
    failed = IngestedItem.objects.get(outcome=IngestedItem.Outcome.FAILED)
    assert failed.key == "urn:y:3" and failed.reason == "no title"
    assert "No title here." in failed.raw


def test_an_unreachable_feed_backs_off_and_says_so(caplog):
    channel = http_channel(f"http://127.0.0.1:{free_port()}/feed")
    for _ in range(3):
        with pytest.raises(polling.ChannelUnreachable):
            polling.poll(IngestChannel.objects.get())
    channel.refresh_from_db()
    assert channel.consecutive_failures == 3
    assert "could not reach" in channel.last_error
    assert (channel.next_check_at - channel.last_checked_at).total_seconds() == 8 * 5 * 60
    # One line in the log for the outage, not one per look.
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


def test_a_slow_feed_times_out(feeds, settings):
    settings.INGEST_TIMEOUT_SECONDS = 0.5
    channel = http_channel(feeds.url + "/slow")
    started = time.monotonic()
    with pytest.raises(polling.ChannelUnreachable, match="timed out"):
        polling.poll(channel)
    assert time.monotonic() - started < 2


def test_only_http_to_the_configured_host(feeds, tmp_path):
    away = http_channel(feeds.url + "/away", name="Away")
    with pytest.raises(polling.ChannelUnreachable, match="refused a redirect"):
        polling.poll(away)
    secret = tmp_path / "secret.txt"
    secret.write_text(WIRE_TEXT)
    local = http_channel(f"file://{secret}", name="Local")
    with pytest.raises(polling.ChannelUnreachable, match="only http"):
        polling.poll(local)
    assert not Article.objects.exists()


def test_an_address_that_cannot_be_parsed_says_so_on_the_channel():
    channel = http_channel("http://[::1/feed")  # urllib raises ValueError, not a network error
    with pytest.raises(polling.ChannelUnreachable, match="ValueError: Invalid IPv6 URL"):
        polling.poll(channel)
    channel.refresh_from_db()
    assert channel.last_error == "ValueError: Invalid IPv6 URL"
    assert channel.consecutive_failures == 1
    assert polling.poll_channel.call(channel.pk).startswith("unreachable: ValueError")


def test_a_feed_over_the_size_cap_is_refused(feeds, settings):
    settings.INGEST_MAX_BYTES = 100
    with pytest.raises(polling.ChannelUnreachable, match="larger than 100 bytes"):
        polling.poll(http_channel(feeds.url + "/wire.rss"))


@pytest.fixture
def object_store(monkeypatch):
    store = ObjectStore()
    for name, value in store.credentials.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield store
    store.stop()


def test_an_s3_prefix(object_store):
    client = object_store.client()
    bucket = object_store.bucket
    client.put_object(Bucket=bucket, Key="wire/a.json", Body=ninjs("urn:s:1").encode())
    client.put_object(Bucket=bucket, Key="wire/storm.txt", Body=WIRE_TEXT.encode())
    client.put_object(Bucket=bucket, Key="elsewhere/b.json", Body=ninjs("urn:s:2").encode())
    channel = IngestChannel.objects.create(
        name="Bucket",
        kind=IngestChannel.Kind.S3,
        location=f"s3://{bucket}/wire/",
        s3_endpoint_url=object_store.url,
    )
    assert polling.poll(channel).taken == 2
    assert Article.objects.count() == 2

    # Seen objects are recognised by their ETag; a new version is taken.
    client.put_object(Bucket=bucket, Key="wire/a.json", Body=ninjs("urn:s:1", version=2).encode())
    summary = polling.poll(channel)
    assert (summary.taken, summary.unchanged) == (1, 1)
    assert Article.objects.count() == 2
    assert Article.objects.get(external_id__startswith="ingest:").revisions.first().action == (
        "Updated from Bucket, version 2"
    )

"""Public pages are served compressed by the app (brotli or gzip, as the client accepts), each
encoding compressed once when the page is stored; private pages never are."""

import gzip

import brotli
import pytest

from articles.http import page_cache

from ..helpers.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def story():
    return make_article("A story long enough", body="<p>" + "Words of the story. " * 200 + "</p>")


def plain(client, url):
    return client.get(url).content


@pytest.mark.parametrize("url", ["/", "STORY", "/feeds/latest.atom", "/feeds/latest.rss", "API"])
def test_each_encoding_gives_back_the_same_page(client, story, url):
    url = {"STORY": story.get_absolute_url(), "API": f"/api/articles/{story.pk}/"}.get(url, url)
    expected = plain(client, url)
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br["Content-Encoding"] == "br"
    assert brotli.decompress(br.content) == expected
    assert "Accept-Encoding" in br["Vary"]
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.content) == expected
    assert len(gz.content) < len(expected)
    assert int(gz["Content-Length"]) == len(gz.content)
    # Each representation has its own validator, and revalidates to a 304.
    assert len({br["ETag"], gz["ETag"], client.get(url)["ETag"]}) == 3
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": br["ETag"]})
    assert again.status_code == 304


def test_refused_or_absent_encodings_get_plain_text(client, story):
    for header in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "br;q=0, gzip;q=0"}):
        response = client.get("/", headers=header)
        assert "Content-Encoding" not in response
        assert b"A story long enough" in response.content


def test_a_hit_compresses_nothing(client, story, monkeypatch):
    calls = []
    compress = page_cache.ENCODINGS["br"]
    monkeypatch.setitem(page_cache.ENCODINGS, "br", lambda c: calls.append(1) or compress(c))
    first = client.get("/", headers={"Accept-Encoding": "br"})
    assert first["X-Page-Cache"] == "miss" and calls == [1]
    second = client.get("/", headers={"Accept-Encoding": "br"})
    assert second["X-Page-Cache"] == "hit" and calls == [1]
    assert second.content == first.content


def test_uncached_public_pages_are_compressed_too(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response["X-Page-Cache"] == "bypass"
    assert gzip.decompress(response.content).startswith(b"<!doctype html>")


def test_private_pages_are_never_compressed(editor_client, story):
    response = editor_client.get("/admin/", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response

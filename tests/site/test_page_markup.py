"""What validators check on the public pages: machine-readable times, canonical links and link
previews, absolute URLs on the configured origin."""

import json
import os
import re
import subprocess
import sys

import pytest

from ..helpers.factories import make_article, make_source
from ..helpers.servers import REPO

pytestmark = pytest.mark.django_db

DATETIME = re.compile(r'datetime="([^"]+)"')
# HTML's valid global date and time string: seconds with at most three decimals.
VALID = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)\Z")


def test_time_elements_carry_valid_html_date_times(client):
    story = make_article("Timed story", tags=["Mali"], sources=[make_source("AFP")])
    story.corrections.create(text="A correction.")
    for url in ("/", story.get_absolute_url(), "/tags/mali/", "/sources/afp/", "/search/?q=timed"):
        values = DATETIME.findall(client.get(url).content.decode())
        assert values, url
        assert all(VALID.match(value) for value in values), (url, values)


@pytest.mark.parametrize("url", ["/", "/tags/mali/", "/sources/afp/", "/tags/"])
def test_pages_other_than_stories_have_a_canonical_link_and_previews(client, url):
    make_article("Front story", tags=["Mali"], sources=[make_source("AFP")])
    page = client.get(url).content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{url}">' in page
    assert f'<meta property="og:url" content="http://127.0.0.1:8000{url}">' in page
    for prefix in ('<meta property="og:title" content="', '<meta property="og:description"'):
        assert prefix in page, (url, prefix)


def test_a_later_page_is_its_own_canonical(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    for n in range(2):
        make_article(f"Story {n}", tags=["Mali"])
    page = client.get("/tags/mali/?page=2").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/tags/mali/?page=2">' in page


def test_the_local_servers_port_is_in_every_absolute_url():
    """`PORT=8031 ./dev run`: canonical links, feeds, sitemaps and robots.txt say 8031."""
    program = """
import django, json
django.setup()
from django.conf import settings
from articles.outbound.links import absolute_url
print(json.dumps([settings.SITE_URL, absolute_url("/feeds/latest.atom")]))
"""
    env = {**os.environ, "PORT": "8031", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    env.pop("SITE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "http://127.0.0.1:8031",
        "http://127.0.0.1:8031/feeds/latest.atom",
    ]
    dev = (REPO / "dev").read_text()
    assert 'export PORT="${PORT:-8000}"' in dev  # ./dev run hands the port to the settings

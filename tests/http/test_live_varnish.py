"""Live coverage through a real Varnish (and gunicorn): the poll and the page are stored by
Varnish, answer 304 while nothing changed, and every post, edit and deletion reaches readers at
once (the app BANs on commit)."""

import json
import re

import pytest

from .test_cache_varnish import fetch, seed_story_path, shell, stack  # noqa: F401 (fixture)

SEED = "Article.objects.get(headline__startswith='Mali receives')"


def run(env, code: str) -> str:
    return shell(
        env, f"from articles.models import Article\nfrom articles.editorial import live\n{code}"
    )


@pytest.fixture(scope="module")
def live_story(stack):  # noqa: F811
    _, varnish, env = stack
    run(env, f"live.start_coverage(article={SEED}, user=None)")
    return seed_story_path(varnish)


def post(env, text: str) -> int:
    out = run(env, f"print(live.post_update(article={SEED}, user=None, body='<p>{text}</p>').pk)")
    return int(out.strip().splitlines()[-1])


def test_posts_edits_and_deletions_reach_readers_through_varnish(stack, live_story):  # noqa: F811
    _, varnish, env = stack
    poll = f"{live_story}updates.json"
    first = post(env, "Curfew announced.")
    fetch(varnish, poll)
    stored = fetch(varnish, poll)
    assert stored.headers["X-Varnish-Cache"] == "HIT"
    assert json.loads(stored.text)["ids"] == [first]
    etag = stored.headers["ETag"]
    assert fetch(varnish, poll, **{"If-None-Match": etag}).status_code == 304
    fetch(varnish, live_story)
    assert fetch(varnish, live_story).headers["X-Varnish-Cache"] == "HIT"

    second = post(env, "Roads closed.")
    fresh = fetch(varnish, poll, **{"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["X-Varnish-Cache"] == "MISS"
    assert json.loads(fresh.text)["ids"] == [second, first]
    assert "Roads closed." in fetch(varnish, live_story).text

    run(
        env,
        f"u = {SEED}.live_updates.get(pk={first})\n"
        "live.edit_update(update=u, user=None, body='<p>Curfew from 9pm.</p>')",
    )
    page = fetch(varnish, live_story).text
    assert "Curfew from 9pm." in page and "Curfew announced." not in page

    run(env, f"live.delete_update(update={SEED}.live_updates.get(pk={second}), user=None)")
    page = fetch(varnish, live_story).text
    assert "Roads closed." not in page
    assert not re.search(rf'id="update-{second}"', page)
    assert json.loads(fetch(varnish, poll).text)["ids"] == [first]

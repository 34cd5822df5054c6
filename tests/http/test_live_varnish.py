"""Live coverage through a real Varnish (and gunicorn): the poll and the page are stored by
Varnish, answer 304 while nothing changed, and every post, edit and deletion reaches readers at
once (the app BANs on commit)."""

import json
import re

import pytest

from ..helpers.varnish import fetch, seed_story_path, shell

SEED = "Article.objects.get(headline__startswith='Mali receives')"


def run(env, code: str) -> str:
    return shell(
        env, f"from articles.models import Article\nfrom articles.editorial import live\n{code}"
    )


@pytest.fixture(scope="module")
def live_story(stack):
    _, varnish, env = stack
    run(env, f"live.start_coverage(article={SEED}, user=None)")
    return seed_story_path(varnish)


def post(env, text: str) -> int:
    out = run(env, f"print(live.post_update(article={SEED}, user=None, body='<p>{text}</p>').pk)")
    return int(out.strip().splitlines()[-1])


def test_posts_edits_and_deletions_reach_readers_through_varnish(stack, live_story):
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

    # Both stored by Varnish when the deletion comes: it must purge them, not wait them out.
    fetch(varnish, poll)
    assert fetch(varnish, poll).headers["X-Varnish-Cache"] == "HIT"
    assert fetch(varnish, live_story).headers["X-Varnish-Cache"] == "HIT"
    run(env, f"live.delete_update(update={SEED}.live_updates.get(pk={second}), user=None)")
    page = fetch(varnish, live_story)
    assert page.headers["X-Varnish-Cache"] == "MISS"
    assert "Roads closed." not in page.text
    assert not re.search(rf'id="update-{second}"', page.text)
    polled = fetch(varnish, poll)
    assert polled.headers["X-Varnish-Cache"] == "MISS"
    assert json.loads(polled.text)["ids"] == [first]


def test_a_pin_reaches_the_varnish_cached_poll_and_page(stack, live_story):
    _, varnish, env = stack
    poll = f"{live_story}updates.json"
    update = post(env, "Talks collapse.")
    fetch(varnish, poll)
    assert fetch(varnish, poll).headers["X-Varnish-Cache"] == "HIT"
    fetch(varnish, live_story)
    assert fetch(varnish, live_story).headers["X-Varnish-Cache"] == "HIT"
    run(
        env,
        f"u = {SEED}.live_updates.get(pk={update})\n"
        "live.set_key_event(update=u, user=None, is_key_event=True)",
    )
    box = json.loads(fetch(varnish, poll).text)["key_events_html"]
    assert f'href="#update-{update}"' in box
    assert box in fetch(varnish, live_story).text

"""A real Varnish (Debian's package, with .ci/varnish/default.vcl) in front of gunicorn: public
pages are stored and served by Varnish, an editor's change is visible through it at once (the app
BANs on commit), scheduled stories appear on time, and admin pages and previews are never stored."""

import re
import time

from ..helpers.servers import Browser, manage
from ..helpers.varnish import EDITOR_PASSWORD, fetch, seed_story_path, shell


class TestThroughVarnish:
    def test_public_pages_are_stored_and_served_by_varnish(self, stack):
        _, varnish, _ = stack
        for path in ("/", seed_story_path(varnish), "/tags/mali/", "/api/articles/"):
            first = fetch(varnish, path)
            second = fetch(varnish, path)
            assert second.headers["X-Varnish-Cache"] == "HIT", path
            assert second.text == first.text
            assert "s-maxage=" in second.headers["Cache-Control"]

    def test_conditional_request_through_varnish(self, stack):
        _, varnish, _ = stack
        path = seed_story_path(varnish)
        etag = fetch(varnish, path).headers["ETag"]
        assert fetch(varnish, path, **{"If-None-Match": etag}).status_code == 304

    def test_an_editors_change_is_visible_through_varnish_at_once(self, stack):
        _, varnish, _ = stack
        path = seed_story_path(varnish)
        for page in ("/", path, "/tags/mali/"):
            fetch(varnish, page)
            assert fetch(varnish, page).headers["X-Varnish-Cache"] == "HIT"

        editor = Browser(varnish.url)
        editor.log_in("editor", EDITOR_PASSWORD)
        change_list = editor.get("/admin/articles/article/").text
        change_path = re.search(r'href="(/admin/articles/article/\d+/change/)', change_list)[1]
        saved = editor.submit(
            change_path,
            # A published story's edit reaches readers only when its changes are published.
            {
                "headline": "Mali receives helicopters, says the edited headline",
                "_publish_changes": "Publish changes",
            },
            form_id="article_form",
        )
        assert saved.status_code == 302, saved.text[:2000]

        for page in ("/", path, "/tags/mali/"):
            response = fetch(varnish, page)
            assert "says the edited headline" in response.text, page
            assert response.headers["X-Varnish-Cache"] == "MISS"

    def test_admin_pages_are_never_stored(self, stack):
        _, varnish, _ = stack
        for _ in range(2):
            response = Browser(varnish.url).get("/admin/login/")
            assert response.status_code == 200
            assert response.headers["X-Varnish-Cache"] == "MISS"
            assert "private" in response.headers["Cache-Control"]
        editor = Browser(varnish.url)
        editor.log_in("editor", EDITOR_PASSWORD)
        for _ in range(2):
            response = editor.get("/admin/")
            assert response.status_code == 200
            assert response.headers["X-Varnish-Cache"] == "MISS"

    def test_previews_are_never_stored(self, stack):
        _, varnish, env = stack
        token = (
            shell(
                env,
                "import datetime; from django.utils import timezone; "
                "from articles.models import Article, ShareLink; "
                "from articles.editorial.previews import share_link_token; "
                "a = Article.objects.create(headline='Draft only the link holders see'); "
                "link = ShareLink.objects.create(article=a, "
                "expires_at=timezone.now() + datetime.timedelta(hours=1)); "
                "print('TOKEN', share_link_token(link))",
            )
            .split("TOKEN ")[1]
            .strip()
        )
        for _ in range(2):
            response = Browser(varnish.url).get(f"/preview/{token}/")
            assert response.status_code == 200
            assert "Draft only the link holders see" in response.text
            assert response.headers["X-Varnish-Cache"] == "MISS"
        assert "Draft only the link holders see" not in fetch(varnish, "/").text

    def test_a_scheduled_story_appears_on_time_through_varnish(self, stack):
        _, varnish, env = stack
        shell(
            env,
            "import datetime; from django.utils import timezone; "
            "from articles.models import Article; "
            "Article.objects.create(headline='Embargoed until a few seconds from now', "
            "status='published', published_at=timezone.now() + datetime.timedelta(seconds=6))",
        )
        due = time.monotonic() + 6
        front = fetch(varnish, "/")
        assert "Embargoed until" not in front.text
        s_maxage = int(front.headers["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        assert s_maxage <= 6
        assert fetch(varnish, "/").headers["X-Varnish-Cache"] == "HIT"
        time.sleep(max(0.0, due - time.monotonic()) + 1.5)
        assert "Embargoed until a few seconds from now" in fetch(varnish, "/").text

    def test_an_agency_kill_reaches_varnish_at_once(self, stack, tmp_path):
        _, varnish, env = stack
        story = tmp_path / "story.txt"
        story.write_text("Varnish kill story\n\nThe standfirst.\n\nA body paragraph.\n")
        manage(env, "import_wire", "--publish", str(story))
        front = fetch(varnish, "/").text
        path = re.search(r'href="(/\d{4}/\d\d/\d\d/varnish-kill-story/)"', front)[1]
        fetch(varnish, path)
        assert fetch(varnish, path).headers["X-Varnish-Cache"] == "HIT"
        assert fetch(varnish, "/").headers["X-Varnish-Cache"] == "HIT"

        notice = tmp_path / "kill.txt"
        notice.write_text("KILL KILL KILL\n\nVarnish kill story\n\nLegal reasons.\n")
        manage(env, "import_wire", str(notice))

        gone = Browser(varnish.url).get(path)
        assert gone.status_code == 410
        assert "Varnish kill story" not in gone.text
        assert "Varnish kill story" not in fetch(varnish, "/").text
        assert "Varnish kill story" not in fetch(varnish, "/feeds/latest.atom").text

    def test_a_plain_http_redirect_is_not_served_for_https(self, stack):
        _, varnish, _ = stack
        import requests

        plain = requests.get(varnish.url + "/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301
        assert fetch(varnish, "/").status_code == 200

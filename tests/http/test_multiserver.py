"""Two app servers (gunicorn on two ports) sharing one database, one Redis and one media store —
a local folder, or S3-compatible object storage (moto) through django-storages. What one server
writes, the other serves at once."""

import re

import pytest
import requests

from ..helpers.images import png_bytes
from ..helpers.servers import (
    AppServer,
    Browser,
    ObjectStore,
    RedisServer,
    fresh_database,
    manage,
    missing_service,
    postgres_available,
    prepare_site,
    server_env,
    suite_database_vendor,
)

EDITOR_PASSWORD = "two servers password 1"


@pytest.fixture(scope="module", params=["shared-disk", "object-storage"])
def two_servers(request, tmp_path_factory):
    vendor = suite_database_vendor()
    if vendor == "postgres" and not postgres_available():
        missing_service("PostgreSQL is not reachable at 127.0.0.1:5432")
    tmp_path = tmp_path_factory.mktemp(request.param)
    try:
        redis = RedisServer(tmp_path)
    except FileNotFoundError:
        missing_service("redis-server is not installed (apt-get install redis-server)")
    store = ObjectStore() if request.param == "object-storage" else None
    servers = []
    try:
        with fresh_database(vendor, tmp_path) as database_url:
            env = server_env(
                tmp_path,
                DATABASE_URL=database_url,
                REDIS_URL=redis.url,
                **(store.env() if store else {}),
            )
            prepare_site(env, editor_password=EDITOR_PASSWORD)
            servers = [AppServer(env, log_dir=tmp_path, name=name) for name in ("a", "b")]
            yield (*servers, env, store)
    finally:
        for server in servers:
            server.stop()
        if store:
            store.stop()
        redis.stop()


def change_path(browser) -> str:
    listing = browser.get("/admin/articles/article/").text
    return re.search(r'href="(/admin/articles/article/\d+/change/)', listing)[1]


def test_an_edit_through_one_server_is_visible_through_the_other(two_servers):
    server_a, server_b, _, _ = two_servers
    reader = Browser(server_b.url)
    assert reader.get("/").status_code == 200
    assert reader.get("/").headers["X-Page-Cache"] == "hit"
    story_path = re.search(r'href="(/2021/\d\d/\d\d/[^"]+/)"', reader.get("/").text)[1]
    reader.get(story_path)

    editor = Browser(server_a.url)
    editor.log_in("editor", EDITOR_PASSWORD)
    path = change_path(editor)
    headline = f"Edited on server A ({server_a.port})"
    # A published story's edit reaches readers only when its changes are published.
    published = {"headline": headline, "_publish_changes": "Publish changes"}
    saved = editor.submit(path, published, form_id="article_form")
    assert saved.status_code == 302, saved.text[:2000]

    for page in ("/", story_path, "/api/articles/"):
        response = reader.get(page)
        assert response.status_code == 200
        assert headline in response.text, page


def test_an_upload_through_one_server_is_served_by_the_other(two_servers):
    server_a, server_b, env, store = two_servers
    editor = Browser(server_a.url)
    editor.log_in("editor", EDITOR_PASSWORD)
    picture = png_bytes(320, 200)
    saved = editor.submit(
        "/admin/articles/image/add/",
        {
            "alt_text": "Helicopters on a runway",
            "caption": "Uploaded through server A",
            "credit": "Jane Doe/Reuters",
            "_save": "Save",
        },
        files={"file": ("runway.png", picture, "image/png")},
        form_id="image_form",
    )
    assert saved.status_code == 302, saved.text[:3000]
    file_url = (
        manage(
            env,
            "shell",
            "-c",
            "from articles.models import Image; "
            "print('URL', Image.objects.get(caption='Uploaded through server A').file.url)",
        )
        .stdout.split("URL ")[1]
        .strip()
    )

    if store is None:
        assert file_url.startswith("/media/images/")
        served = Browser(server_b.url).get(file_url)
        assert served.status_code == 200
        assert served.content == picture
    else:
        # Object storage: the page links straight to the bucket; no server holds the file.
        assert file_url.startswith(store.url + "/" + store.bucket + "/images/")
        assert requests.get(file_url, timeout=10).content == picture
        assert any(key.startswith("images/") for key in store.object_names())

    # Server B shows it in the admin as well (same database, same storage).
    other = Browser(server_b.url)
    other.log_in("editor", EDITOR_PASSWORD)
    listing = other.get("/admin/articles/image/").text
    assert "Uploaded through server A" in listing


def test_sign_in_lockout_is_shared_by_both_servers(two_servers):
    server_a, server_b, _, _ = two_servers
    for _ in range(5):
        attempt = Browser(server_a.url)
        page = attempt.get("/admin/login/")
        assert page.status_code == 200
        attempt.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": re.search(
                    r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
                )[1],
                "username": "shared-lockout",
                "password": "wrong",
            },
            headers={"Referer": attempt.referer()},
        )
    other = Browser(server_b.url)
    page = other.get("/admin/login/")
    response = other.post(
        "/admin/login/",
        data={
            "csrfmiddlewaretoken": re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
            )[1],
            "username": "shared-lockout",
            "password": "wrong",
        },
        headers={"Referer": other.referer()},
    )
    assert "Too many failed sign-in attempts" in response.text

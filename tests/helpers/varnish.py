"""Talking to the Varnish stack of the HTTP tests (its fixture, `stack`, is in
tests/http/conftest.py): fetch a page through it, find the seed story, run code in the app's
shell."""

import re

from .servers import Browser, manage

EDITOR_PASSWORD = "varnish test password 1"


def fetch(varnish, path, **headers):
    response = Browser(varnish.url).get(path, headers=headers)
    assert response.status_code in {200, 304}, (path, response.status_code, response.text[:500])
    return response


def seed_story_path(varnish) -> str:
    return re.search(r'href="(/2021/\d\d/\d\d/[^"]+/)"', fetch(varnish, "/").text)[1]


def shell(env, code: str) -> str:
    return manage(env, "shell", "-c", code).stdout

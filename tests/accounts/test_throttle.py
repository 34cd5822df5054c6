"""Admin sign-in throttling (articles/accounts/throttle.py) and safe redirects after signing in."""

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from articles.accounts.models import LoginFailure
from articles.accounts.throttle import client_ip

from ..helpers.factories import make_editor
from ..helpers.servers import free_port

PASSWORD = "correct horse battery staple"
INVALID = "Please enter the correct username and password for a staff account."
LOCKED = "Too many failed sign-in attempts."


@pytest.fixture(autouse=True)
def _clean_counters(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password, *, ip="203.0.113.7", next_url="/admin/"):
    return client.post(
        f"/admin/login/?next={next_url}",
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=ip,
    )


def page(response) -> str:
    return response.content.decode()


class TestLockout:
    def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(self, client, db):
        make_editor()
        for _ in range(5):
            response = sign_in(client, "editor", "wrong password")
            assert response.status_code == 200
            assert INVALID in page(response)
        response = sign_in(client, "editor", PASSWORD)
        assert response.status_code == 200
        assert LOCKED in page(response)
        assert "_auth_user_id" not in client.session

    def test_lockout_is_per_user_from_any_address(self, client, db):
        make_editor()
        for n in range(5):
            sign_in(client, "editor", "wrong password", ip=f"198.51.100.{n}")
        assert LOCKED in page(sign_in(client, "editor", PASSWORD, ip="192.0.2.99"))

    def test_lockout_is_per_address_across_user_names(self, client, db):
        make_editor()
        for n in range(5):
            sign_in(client, f"guess{n}", "wrong password", ip="203.0.113.50")
        # The real editor is refused from that address…
        assert LOCKED in page(sign_in(client, "editor", PASSWORD, ip="203.0.113.50"))
        # …and signs in from another one.
        assert sign_in(client, "editor", PASSWORD, ip="192.0.2.1").status_code == 302

    def test_unknown_users_and_wrong_passwords_look_the_same(self, client, db):
        make_editor()
        for _ in range(5):
            known = sign_in(client, "editor", "wrong password", ip="192.0.2.1")
            unknown = sign_in(client, "nobody-here", "wrong password", ip="192.0.2.2")
            assert known.status_code == unknown.status_code == 200
            assert INVALID in page(known)
            assert INVALID in page(unknown)
        known = sign_in(client, "editor", "wrong password", ip="192.0.2.1")
        unknown = sign_in(client, "nobody-here", "wrong password", ip="192.0.2.2")
        assert LOCKED in page(known)
        assert LOCKED in page(unknown)

    def test_user_names_are_counted_case_insensitively(self, client, db):
        make_editor()
        for n, name in enumerate(["editor", "EDITOR", "Editor", " editor", "eDiToR"]):
            sign_in(client, name, "wrong password", ip=f"198.51.100.{n}")
        assert LOCKED in page(sign_in(client, "editor", PASSWORD, ip="192.0.2.99"))

    def test_lockout_ends_after_the_window(self, client, db, settings):
        settings.LOGIN_LOCKOUT_SECONDS = 600
        make_editor()
        for _ in range(5):
            sign_in(client, "editor", "wrong password")
        assert LOCKED in page(sign_in(client, "editor", PASSWORD))
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=601)):
            assert sign_in(client, "editor", PASSWORD).status_code == 302

    def test_success_forgets_the_user_name_failures(self, client, db):
        make_editor()
        for _ in range(4):
            sign_in(client, "editor", "wrong password", ip="192.0.2.1")
        assert sign_in(client, "editor", PASSWORD, ip="192.0.2.2").status_code == 302
        client.logout()
        for _ in range(4):
            sign_in(client, "editor", "wrong password", ip="192.0.2.3")
        assert sign_in(client, "editor", PASSWORD, ip="192.0.2.4").status_code == 302

    def test_the_backend_refuses_a_locked_out_user_everywhere(self, db):
        make_editor()
        request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
        for _ in range(5):
            assert authenticate(request, username="editor", password="wrong") is None
        assert authenticate(request, username="editor", password=PASSWORD) is None
        elsewhere = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
        assert authenticate(elsewhere, username="editor", password=PASSWORD) is None


class TestWithoutTheCache:
    """Hole 2 of issue 20: with Redis down the throttle saw "nothing counted" and failed open."""

    @pytest.fixture
    def redis_unreachable(self, settings):
        # A port nobody listens on: every cache call fails, as when Redis has been killed.
        settings.CACHES = {
            "default": {
                "BACKEND": "articles.http.redis_cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        }
        # (Overriding CACHES makes Django drop its cache connections.)
        assert cache.get("anything", "missed") == "missed"
        assert not cache.available

    def test_eight_wrong_passwords_then_the_right_one_is_refused(
        self, client, db, redis_unreachable
    ):
        make_editor()
        responses = [sign_in(client, "editor", f"wrong {n}") for n in range(8)]
        assert [INVALID in page(r) for r in responses[:5]] == [True] * 5
        assert all(LOCKED in page(r) for r in responses[5:])
        response = sign_in(client, "editor", PASSWORD)
        assert response.status_code == 200
        assert "Sign-in is paused for 15 minutes" in page(response)
        assert "_auth_user_id" not in client.session
        # Counted in the database, per user name and per address.
        assert sorted(LoginFailure.objects.values_list("kind", flat=True)) == ["address", "user"]

    def test_counters_are_shared_through_the_database(self, client, db, redis_unreachable):
        make_editor()
        for n in range(5):
            sign_in(client, "editor", "wrong", ip=f"198.51.100.{n}")
        # Another app server (another client, another address) sees the same lockout.
        from django.test import Client

        assert LOCKED in page(sign_in(Client(), "editor", PASSWORD, ip="192.0.2.200"))

    def test_an_expired_window_starts_afresh(self, client, db, settings):
        settings.LOGIN_LOCKOUT_SECONDS = 60
        make_editor()
        for _ in range(4):
            sign_in(client, "editor", "wrong")
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
            for _ in range(4):
                sign_in(client, "editor", "wrong")
            assert LoginFailure.objects.get(kind="user").count == 4
            assert sign_in(client, "editor", PASSWORD).status_code == 302


class TestClientAddress:
    def test_forwarded_for_is_ignored_without_trusted_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1"
        )
        assert client_ip(request) == "10.0.0.1"

    def test_only_what_the_trusted_proxy_saw_counts(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # The client forged the first entry; the proxy appended the address it really saw.
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1"
        )
        assert client_ip(request) == "203.0.113.1"


class TestRedirectAfterSignIn:
    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "http://testserver.evil.example/",
        ],
    )
    def test_next_never_leaves_the_site(self, client, db, next_url):
        make_editor()
        response = sign_in(client, "editor", PASSWORD, next_url=next_url)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"

    def test_next_on_the_site_is_followed(self, client, db):
        make_editor()
        response = sign_in(client, "editor", PASSWORD, next_url="/admin/articles/article/")
        assert response["Location"] == "/admin/articles/article/"

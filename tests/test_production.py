"""Production mode, for real: the settings refuse to start half-configured, `check --deploy` is
clean, and a gunicorn server in production mode sends the security headers, secure cookies and a
Content-Security-Policy under which the admin's rich-text editor still works in Chromium."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core import mail

from .helpers.factories import make_editor
from .helpers.servers import REPO, AppServer, Browser, free_port, manage, prepare_site, server_env

EDITOR_PASSWORD = "production test password 1"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
EDITABLE = ".prose-editor [contenteditable=true]"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A production-mode site on SQLite: seed story, an editor, two gunicorn workers."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = server_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    prepare_site(env, editor_password=EDITOR_PASSWORD)
    port = free_port()
    # Chromium posts forms with "Origin: http://localhost:…" while the app believes (from the
    # imagined TLS proxy's header) that it is served over HTTPS: trust that origin explicitly.
    env["CSRF_TRUSTED_ORIGINS"] = f"http://localhost:{port}"
    server = AppServer(env, log_dir=tmp_path, port=port)
    yield server, env
    server.stop()


def settings_check(**env_overrides) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


class TestProductionSettings:
    def test_check_deploy_reports_nothing(self, tmp_path):
        env = server_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
        # Exactly as production runs it: hashed static names, mail to a real SMTP server.
        env.pop("USE_MANIFEST_STATIC")
        env.pop("EMAIL_URL")
        result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
        assert "System check identified no issues (0 silenced)." in result.stdout

    def test_check_deploy_with_the_proxy_redirecting_to_https(self, tmp_path):
        env = server_env(
            tmp_path,
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            SECURE_SSL_REDIRECT="false",
            TLS_PROXY_REDIRECTS="true",
            EMAIL_URL="submission://newsroom:secret@smtp.example.org",
        )
        result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
        assert "System check identified no issues" in result.stdout

    @pytest.mark.parametrize(
        ("missing", "message"),
        [
            ("SECRET_KEY", "Production needs SECRET_KEY"),
            ("ALLOWED_HOSTS", "Production needs ALLOWED_HOSTS"),
        ],
    )
    def test_refuses_to_start_half_configured(self, missing, message):
        env = {"DJANGO_ENV": "production", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "example.org"}
        del env[missing]
        result = settings_check(**env)
        assert result.returncode != 0
        assert message in result.stderr

    def test_refuses_a_short_secret_key(self):
        result = settings_check(
            DJANGO_ENV="production", SECRET_KEY="too-short", ALLOWED_HOSTS="example.org"
        )
        assert result.returncode != 0
        assert "at least 50 random characters" in result.stderr

    def test_object_storage_is_chosen_by_bucket_name(self):
        script = (
            "from django.core.files.storage import storages; s = storages['default']; "
            "from django.conf import settings as c; "
            "print(type(s).__name__, s.bucket_name, s.endpoint_url, c.SERVE_MEDIA); "
            "print(c.SECURE_CSP['img-src'])"
        )
        env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME"}}
        env.update(
            AWS_STORAGE_BUCKET_NAME="newsroom-media",
            AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
            AWS_ACCESS_KEY_ID="key",
            AWS_SECRET_ACCESS_KEY="secret",
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        storage_line, img_src_line = result.stdout.strip().splitlines()[-2:]
        assert storage_line == "S3Storage newsroom-media http://127.0.0.1:9000 False"
        # Photos from the bucket are allowed by the Content-Security-Policy.
        assert "http://127.0.0.1:9000" in img_src_line


def test_every_setting_from_the_environment_is_documented_in_env_example():
    settings_source = (REPO / "newsroom" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M)
    )
    assert len(read) > 30
    assert read - documented == set()


class TestProductionServer:
    def test_security_headers(self, site):
        server, _ = site
        response = Browser(server.url).get("/")
        assert response.status_code == 200
        headers = response.headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp

    def test_plain_http_is_redirected_to_https(self, site):
        server, _ = site
        response = requests.get(server.url + "/", allow_redirects=False, timeout=10)
        assert response.status_code == 301
        assert response.headers["Location"] == f"https://127.0.0.1:{server.port}/"

    def test_cookies_are_secure(self, site):
        server, _ = site
        browser = Browser(server.url)
        login_page = browser.get("/admin/login/")
        assert re.search(r"csrftoken=[^;]+;.*Secure", login_page.headers["Set-Cookie"])
        browser.log_in("editor", EDITOR_PASSWORD)
        session_cookie = next(c for c in browser.cookies if c.name == "sessionid")
        assert session_cookie.has_nonstandard_attr("HttpOnly")
        response = browser.get("/admin/")
        assert response.status_code == 200

    def test_static_files_are_served(self, site):
        server, _ = site
        response = Browser(server.url).get("/static/css/site.css")
        assert response.status_code == 200
        assert "text/css" in response.headers["Content-Type"]

    def test_admin_rich_text_editor_works_under_the_csp(self, site):
        if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
            reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
            if os.environ.get("REQUIRE_CHROMIUM"):
                pytest.fail(reason)
            pytest.skip(reason=reason)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright

        server, _ = site
        # Chromium keeps Secure cookies for http://localhost (a secure context), not 127.0.0.1.
        base = f"http://localhost:{server.port}"
        problems: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
                context.add_init_script(
                    "document.addEventListener('securitypolicyviolation', e => console.error("
                    "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
                )
                page = context.new_page()
                page.on(
                    "console",
                    lambda message: (
                        message.type == "error"
                        and not message.location.get("url", "").endswith("/favicon.ico")
                        and problems.append(message.text)
                    ),
                )
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on(
                    "response",
                    lambda response: (
                        response.status >= 400
                        and not response.url.endswith("/favicon.ico")
                        and problems.append(f"HTTP {response.status} {response.url}")
                    ),
                )

                page.goto(f"{base}/admin/login/?next=/admin/articles/article/add/")
                page.fill("#id_username", "editor")
                page.fill("#id_password", EDITOR_PASSWORD)
                page.click("input[type=submit]")
                page.wait_for_url("**/admin/articles/article/add/")
                editor = page.locator(EDITABLE).first
                try:
                    editor.wait_for(state="visible", timeout=15000)
                except PlaywrightTimeout:
                    raise AssertionError("\n".join(problems) or "no editor") from None
                editor.click()
                page.keyboard.type("Typed under a strict policy.")
                assert "Typed under a strict policy." in editor.inner_text()
                # The toolbar works too: bold, then typed text ends up in <strong>.
                page.keyboard.press("Enter")
                page.locator(".prose-menubar button[title*='old']").first.click()
                page.keyboard.type("Bold words")
                assert "<strong>Bold words</strong>" in editor.inner_html()

                # The seed story's change form and the public pages, under the same policy.
                page.goto(f"{base}/admin/articles/article/")
                page.click("#result_list tbody tr a")
                page.locator(EDITABLE).first.wait_for(state="visible", timeout=15000)
                for path in ("/", "/tags/mali/"):
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
            finally:
                browser.close()
        assert problems == [], "\n".join(problems)


class TestPasswordReset:
    def test_the_sign_in_page_offers_a_reset(self, client, db):
        response = client.get("/admin/login/")
        assert 'href="/admin/password_reset/"' in response.content.decode()

    def test_reset_link_arrives_by_email_and_works(self, client, db):
        editor = make_editor()
        editor.email = "editor@example.org"
        editor.save()
        response = client.post("/admin/password_reset/", {"email": "editor@example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^\s]+/reset/[^\s]+/", mail.outbox[0].body).group(0)
        path = link.split("testserver", 1)[1]
        form_page = client.get(path, follow=True)
        assert form_page.status_code == 200
        assert "new_password1" in form_page.content.decode()

    def test_unknown_address_looks_the_same(self, client, db):
        response = client.post("/admin/password_reset/", {"email": "nobody@example.org"})
        assert response.status_code == 302
        assert mail.outbox == []

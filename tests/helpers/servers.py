"""Real services for the production tests: fresh databases, gunicorn app servers, a TCP proxy that
can cut a connection, and an HTTP client that behaves like a browser behind a TLS proxy.

Everything listens on 127.0.0.1 only, on free ports, and is stopped by the test that started it.
"""

import contextlib
import html.parser
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get(
    "POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET_KEY = "test-only-" + "k" * 60
# Names handed to the servers started here; anything else from the test run's own environment
# (DATABASE_URL, REDIS_URL…) must not leak into them.
SERVER_ENV_KEYS = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "PYTHONPATH", "TMPDIR"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 30, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


def suite_database_vendor() -> str:
    return "postgres" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:  # any failure means "not available here"
        return False


def postgres_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


@contextlib.contextmanager
def fresh_database(vendor: str, tmp_path: Path):
    """A new, empty database of `vendor`; yields its DATABASE_URL and drops it afterwards."""
    if vendor == "sqlite":
        path = tmp_path / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}"
        return
    name = f"newsroom_svc_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    postgres_execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        postgres_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(tmp_path: Path, **overrides) -> dict:
    """Production settings for a server on this machine, behind an imagined TLS proxy."""
    env = {key: value for key, value in os.environ.items() if key in SERVER_ENV_KEYS}
    static_root = tmp_path / "static"
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        TRUST_X_FORWARDED_PROTO="true",
        # Plain collected static files: the hashed, compressed copy takes half a minute to build.
        USE_MANIFEST_STATIC="false",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
        CONTENT_GENERATION_FILE=str(tmp_path / "content-generation"),
        EMAIL_URL="console://",
        LOG_LEVEL="WARNING",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def prepare_site(env: dict, *, editor_password: str | None = None) -> None:
    """Migrate, load the seed story, collect static files and (optionally) make an editor."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed")
    Path(env["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    if editor_password:
        script = (
            "from django.contrib.auth import get_user_model as g; "
            "g().objects.filter(username='editor').exists() or "
            f"g().objects.create_superuser('editor', 'editor@example.org', {editor_password!r})"
        )
        manage(env, "shell", "-c", script)


class AppServer:
    """gunicorn serving the project, as in the README's production command."""

    def __init__(
        self, env: dict, *, workers: int = 2, log_dir: Path, name: str = "app", port: int = 0
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, process=self.process)
        except Exception:
            self.stop()
            raise AssertionError(f"gunicorn did not start:\n{self.log_text()}") from None

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Browser(requests.Session):
    """A client that reaches the app as if through a TLS proxy: it says the request came over
    HTTPS and keeps sending the Secure cookies the app sets (requests would drop them over http)."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self.headers["X-Forwarded-Proto"] = "https"
        self.hooks["response"].append(self._keep_secure_cookies)

    def _keep_secure_cookies(self, response, *args, **kwargs):
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        response = super().request(method, url, *args, **kwargs)
        self._keep_secure_cookies(response)
        return response

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/admin/login/")
        fields = form_fields(page.text)
        fields.update(username=username, password=password, next="/admin/")
        response = self.post(
            "/admin/login/?next=/admin/", data=fields, headers={"Referer": self.referer()}
        )
        assert response.status_code == 302, response.text[:2000]

    def referer(self) -> str:
        # CSRF checks the Referer of "HTTPS" requests against the host.
        return self.base_url.replace("http://", "https://") + "/"

    def submit(self, path: str, changes: dict, *, files=None, form_id: str | None = None):
        """GET a form page, change some fields and POST it back (as a person would)."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        fields = form_fields(page.text, form_id=form_id)
        fields.update(changes)
        return self.post(path, data=fields, files=files, headers={"Referer": self.referer()})


class _FormParser(html.parser.HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and attrs.get("method", "").lower() == "post":
            if self.form_id is None or attrs.get("id") == self.form_id:
                self.in_form = True
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self.fields.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def form_fields(page_html: str, *, form_id: str | None = None) -> dict:
    """The values a browser would submit from the page's first POST form (or `form_id`).
    Fields with several values (a multiple select) become lists."""
    parser = _FormParser(form_id)
    parser.feed(page_html)
    fields: dict = {}
    for name, value in parser.fields:
        if name in fields:
            existing = fields[name]
            fields[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            fields[name] = value
    return fields


class TcpProxy:
    """Forwards a local port to `target`; `cut()` drops every connection and refuses new ones
    (the database "goes away"), `restore()` lets them through again."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    close = cut

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections.update({client, upstream})
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._connections.discard(source)


class RedisServer:
    """A private redis-server on a free port (never the shared one), stopped by `stop()`."""

    def __init__(self, tmp_path: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed")
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, process=self.process)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


VCL_PATH = REPO / ".ci" / "varnish" / "default.vcl"


class VarnishServer:
    """varnishd (Debian's package) with the project's VCL, in front of the app on `backend_port`."""

    def __init__(self, backend_port: int, tmp_path: Path, *, port: int = 0):
        binary = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")
        if binary is None:
            raise FileNotFoundError("varnishd is not installed")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        vcl = VCL_PATH.read_text().replace('.port = "8000";', f'.port = "{backend_port}";')
        # varnishd reads the VCL as its own unprivileged user: pytest's folders are private to
        # root, so it gets a readable folder of its own.
        self.home = Path(tempfile.mkdtemp(prefix="newsroom-varnish-"))
        self.home.chmod(0o755)
        vcl_path = self.home / "default.vcl"
        vcl_path.write_text(vcl)
        vcl_path.chmod(0o644)
        workdir = self.home / "work"
        self.log_path = tmp_path / "varnish.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                binary,
                "-F",
                "-n",
                str(workdir),
                "-a",
                f"127.0.0.1:{self.port}",
                "-f",
                str(vcl_path),
                "-s",
                "malloc,64m",
                "-T",
                "none",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, process=self.process)
        except Exception:
            self.stop()
            raise AssertionError(f"varnishd did not start:\n{self.log_path.read_text()}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def missing_service(reason: str):
    """Skip (with the reason printed) when a service is not installed here; in CI, where
    NEWSROOM_REQUIRE_SERVICES is set after installing them, fail instead."""
    import pytest

    if os.environ.get("NEWSROOM_REQUIRE_SERVICES"):
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason=reason)


class ObjectStore:
    """An S3-compatible endpoint (moto's server mode) with one bucket, on a free local port."""

    bucket = "newsroom-media"
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    def __init__(self):
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        wait_for_port(self.port)
        self.client().create_bucket(Bucket=self.bucket)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def object_names(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    def env(self) -> dict:
        """The settings that put media in this store (see newsroom/settings.py)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_REGION_NAME": "us-east-1",
            **self.credentials,
        }

    def storages_setting(self) -> dict:
        """STORAGES["default"] for an in-process test, as the settings build it from env()."""
        from botocore.config import Config

        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.url,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "querystring_auth": True,
                "file_overwrite": False,
                "addressing_style": "path",
                "client_config": Config(
                    connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}
                ),
            },
        }

    def stop(self) -> None:
        self._server.stop()

"""The fixtures the HTTP tests share: `stack`, a real Varnish (Debian's package, with
.ci/varnish/default.vcl) in front of gunicorn, on a fresh database of the suite's vendor, one per
test module."""

import pytest

from ..helpers.servers import (
    AppServer,
    VarnishServer,
    free_port,
    fresh_database,
    missing_service,
    postgres_available,
    prepare_site,
    server_env,
    suite_database_vendor,
)
from ..helpers.varnish import EDITOR_PASSWORD


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    vendor = suite_database_vendor()
    if vendor == "postgres" and not postgres_available():
        missing_service("PostgreSQL is not reachable at 127.0.0.1:5432")
    tmp_path = tmp_path_factory.mktemp("varnish")
    app_port, varnish_port = free_port(), free_port()
    with fresh_database(vendor, tmp_path) as database_url:
        env = server_env(
            tmp_path,
            DATABASE_URL=database_url,
            CACHE_PURGE_URL=f"http://127.0.0.1:{varnish_port}/",
            TRUSTED_PROXY_COUNT=1,
        )
        prepare_site(env, editor_password=EDITOR_PASSWORD)
        app = AppServer(env, log_dir=tmp_path, port=app_port)
        try:
            varnish = VarnishServer(app_port, tmp_path, port=varnish_port)
        except FileNotFoundError:
            app.stop()
            missing_service("varnishd is not installed (apt-get install varnish)")
        try:
            yield app, varnish, env
        finally:
            varnish.stop()
            app.stop()

"""Settings for the newsroom CMS.

Everything that differs between a laptop and production comes from the environment (see
`.env.example`). Local development needs no configuration at all: SQLite, an in-memory cache and a
secret key generated once into `.local/`. Production (`DJANGO_ENV=production`) refuses to start
without an explicit `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, production or test, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")


def _development_secret_key() -> str:
    """A random key kept in .local/ so sessions survive restarts of the dev server."""
    key_file = LOCAL_DIR / "secret-key"
    if not key_file.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production needs SECRET_KEY set to at least 50 random characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "articles.desk.apps.DeskAdminConfig",  # the admin, with the desk as its home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # SearchVectorField; its PostgreSQL-only parts stay unused on SQLite
    "taggit",
    "django_prose_editor",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache: which language a page is in comes from its path (/fr/, /ar/…), and
    # the cache looks pages up per language.
    "articles.http.languages.SiteLanguageMiddleware",
    # Outside everything that may query the database: a lost database becomes a 503 page, and
    # cached public pages are served (and stored) before sessions, users or CSRF are looked at.
    "articles.http.failures.DatabaseUnavailableMiddleware",
    "articles.http.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Where audit entries come from, then where each person is signed in (articles/accounts/).
    "articles.accounts.audit.RequestContextMiddleware",
    "articles.accounts.sessions.SessionTrackingMiddleware",
    "articles.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.site.context_processors.site",
                "articles.site.context_processors.page_language",
            ],
        },
    },
]

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that stops answering fails a request within seconds (a 503 page), not minutes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A writer waits for a lock instead of failing at once; WAL lets readers run beside it.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (django.tasks): queued in this database and run by `manage.py run_worker`
# (django-tasks-db), so it needs nothing the site does not already have. `immediate` runs each
# task inside the request that queues it (no worker needed; the tests use it).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
# A failed task is tried this many times in all, waiting base * 4^(n-1) seconds before try n+1.
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=4)
TASK_RETRY_BASE_SECONDS = env.float("TASK_RETRY_BASE_SECONDS", default=30.0)
# A job still "running" this long after it started is taken to be lost with its worker (killed,
# machine gone) and queued again; every task is idempotent, so a slow one run twice does no harm.
TASK_LEASE_SECONDS = env.float("TASK_LEASE_SECONDS", default=600.0)
# How often the worker's scheduler loop looks for due ingest channels and lost jobs.
SCHEDULER_INTERVAL_SECONDS = env.float("SCHEDULER_INTERVAL_SECONDS", default=15.0)
# How often the scheduler loop refreshes SQLite's planner statistics (background/statistics.py).
DATABASE_STATISTICS_SECONDS = env.float("DATABASE_STATISTICS_SECONDS", default=3600.0)
# Ingest channels: how long a feed may take to answer, and the largest file or feed taken.
INGEST_TIMEOUT_SECONDS = env.float("INGEST_TIMEOUT_SECONDS", default=10.0)
INGEST_MAX_BYTES = env.int("INGEST_MAX_BYTES", default=5 * 1024 * 1024)
# New items one look takes (a file or feed document is taken whole), so a look at a backlog
# stays well within TASK_LEASE_SECONDS; the next look is queued at once.
INGEST_ITEMS_PER_LOOK = env.int("INGEST_ITEMS_PER_LOOK", default=500)

# The cache holds rendered public pages and the content generation that invalidates them (sign-in
# counters are in the database). Redis is shared by every app server; without it each process has
# its own memory cache and the content generation lives in a file (see articles/cache.py).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis going away degrades to "no cache" instead of failing requests.
            "BACKEND": "articles.http.redis_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "OUTAGE_RETRY_SECONDS": env.float("CACHE_OUTAGE_RETRY_SECONDS", default=5.0),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public pages and API responses: kept at most this long (and never past the next scheduled
# publication); 0 turns the page cache off. Every change readers could see invalidates them at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Where the content generation lives when the cache is per-process (no REDIS_URL); by default
# LOCAL_DIR/content-generation.
CONTENT_GENERATION_FILE = env.path("CONTENT_GENERATION_FILE", default=None)
# HTTP caches in front of the app (Varnish), comma-separated: each gets a BAN on every change.
CACHE_PURGE_URLS = env.list("CACHE_PURGE_URL", default=[])
CACHE_PURGE_TIMEOUT = env.float("CACHE_PURGE_TIMEOUT", default=2.0)

# Seconds a reader is asked to wait when the database is unreachable (the 503 page).
DATABASE_RETRY_AFTER = env.int("DATABASE_RETRY_AFTER", default=30)

# Admin sign-in: this many failures for one user name, or from one address, lock it out for a while.
AUTHENTICATION_BACKENDS = ["articles.accounts.throttle.ThrottledModelBackend"]
# Signing in goes to the admin, also when `?next=` pointed off-site and was ignored.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Two-step sign-in (articles/accounts/second_factor.py): the name authenticator apps show, and no
# per-device back-off of django-otp's own: wrong codes count in the sign-in throttle instead.
OTP_TOTP_ISSUER = env.str("SITE_NAME", default="The Newsroom")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# "Last seen" on the sessions page is refreshed at most this often (seconds) per session.
SESSION_SEEN_INTERVAL = env.int("SESSION_SEEN_INTERVAL", default=60)
# How many reverse proxies (Varnish, a TLS terminator) sit in front and append to X-Forwarded-For;
# 0 trusts only the connecting address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages stories are written in and the public site speaks (BCP 47). English pages have no
# prefix; the others live under /fr/, /ar/… Adding one: a line here, its search configuration in
# STORY_SEARCH_CONFIGS, its stop words in articles/languages.py and a .po file under
# articles/locale/.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "articles" / "locale"]
# English keeps British formats (newsroom/formats/en).
FORMAT_MODULE_PATH = ["newsroom.formats"]
# PostgreSQL text search configurations per story language: the first stems the story; a second
# indexes it again (French: stemmed with its accents folded, by migration 0012's french_unaccent,
# so "election" finds "élections" while "reporté" still finds "reportées"). A language without
# one is searched with "simple".
STORY_SEARCH_CONFIGS = {"en": ["english"], "fr": ["french", "french_unaccent"], "ar": ["arabic"]}
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

SITE_NAME = env.str("SITE_NAME", default="The Newsroom")
# The local server's port (`PORT=8031 ./dev run`) is part of the default public origin.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Hashed, compressed static names whenever DEBUG is off; plain files while developing and testing.
USE_MANIFEST_STATIC = env.bool("USE_MANIFEST_STATIC", default=not DEBUG and DJANGO_ENV != "test")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if USE_MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded media: the local MEDIA_ROOT by default (shared by app servers through a shared disk and
# served by the app itself unless SERVE_MEDIA is off), or S3-compatible object storage through
# django-storages when AWS_STORAGE_BUCKET_NAME is set.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
MEDIA_ORIGIN = ""
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotoConfig

    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Signed URLs by default (a private bucket works); off for a public bucket or a CDN.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=24 * 3600),
            "file_overwrite": False,
            "addressing_style": "path" if AWS_S3_ENDPOINT_URL else None,
            # An unreachable store fails an upload in seconds with a clear error, not minutes.
            "client_config": BotoConfig(
                connect_timeout=3, read_timeout=20, retries={"max_attempts": 2}
            ),
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"https://{AWS_S3_CUSTOM_DOMAIN}"
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = AWS_S3_ENDPOINT_URL.rstrip("/")
    else:
        MEDIA_ORIGIN = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
    MEDIA_ORIGIN = env.str("MEDIA_ORIGIN", default=MEDIA_ORIGIN)
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)

# Email, for password resets: EMAIL_URL such as submission://user:password@smtp.example.org:587
# (STARTTLS), smtps://… (TLS) or smtp://localhost:25. Without one, development prints mail to the
# console and production hands it to a local mail server.
_email = env.dj_email_url(
    "EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "console://"
)
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"]}}
if _email["EMAIL_HOST"]:
    MAILERS["default"]["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": _email["EMAIL_USE_TLS"],
        "use_ssl": _email["EMAIL_USE_SSL"],
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="newsroom@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

TAGGIT_CASE_INSENSITIVE = True

# Photo uploads (articles/images.py): refused above this file size or pixel count. The pixel cap is
# checked from the file header before anything is decoded.
IMAGE_MAX_UPLOAD_BYTES = env.int("IMAGE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

ARTICLES_PER_PAGE = 20

# Security headers: on everywhere, the HTTPS-only ones in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
TIPTAP_INJECTED_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The admin's rich-text editor (Tiptap, inside django-prose-editor) injects one fixed <style>
    # element; its hash allows exactly that text (a browser test proves the editor loads cleanly).
    "style-src": [CSP.SELF, TIPTAP_INJECTED_STYLE_HASH],
    "img-src": [CSP.SELF, "data:", "blob:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not SECURE_SSL_REDIRECT and env.bool("TLS_PROXY_REDIRECTS", default=False):
        # The TLS proxy in front redirects plain HTTP itself (documented in .env.example).
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

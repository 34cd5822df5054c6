"""Caching of public pages and API responses that is always fresh.

Three layers, one rule: every change readers could see invalidates everything at once.

- **The content generation**: a number kept where every app server sees it (Redis when REDIS_URL is
  set, otherwise a file under `.local/`). It is bumped once after every transaction that changed
  something readers see (articles/changes.py decides what that is); it is part of every page-cache
  key, so one bump makes every cached page unreachable in every process.
- **The page cache** (`PublicPageCacheMiddleware`): rendered public responses kept in the cache
  under that generation, never past the next scheduled publication, so a scheduled story appears
  on time. It also answers conditional requests (`ETag`/`Last-Modified` → `304`).
- **One render per miss**: when a change has just made a page stale, the readers who ask for it at
  that moment do not all render it (a live page's poll is asked by every open page every few
  seconds). The first takes a short lock in the cache and renders; the others wait for what it
  stores (`_single_render`) and are served that, or render themselves after `RENDER_WAIT_SECONDS`.
  Nobody is served a page of an older generation meanwhile.
- **HTTP caches in front** (Varnish): public responses carry `s-maxage` with the same bound, and
  the same committed change sends one `BAN` to each `CACHE_PURGE_URL`.

Which views are public: those of the URL namespaces in `PUBLIC_NAMESPACES`, except previews and
anything decorated with `not_page_cached`. A response is stored only when it could not depend on who
asked: a 200 that sets no cookie, does not vary on `Cookie` (reading the session or user adds that)
and is not marked private. Everything else that has no `Cache-Control` of its own is sent with
"never cache" headers, so neither a browser nor Varnish keeps admin pages, previews or errors.
"""

import gzip
import hashlib
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from functools import lru_cache, wraps
from pathlib import Path

import brotli
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import DateTimeField, Min, Q, Subquery
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe

from ..models import Article, LiveUpdate

logger = logging.getLogger(__name__)

PUBLIC_NAMESPACES = {"articles", "api", "syndication"}
GENERATION_KEY = "content-generation"
CACHEABLE_STATUSES = {200}
# Headers that belong to one exchange, not to the stored page.
UNSTORED_HEADERS = {"set-cookie", "x-page-cache", "date", "cache-control"}
# A miss is rendered once: the others asking meanwhile wait at most this long for it, checking
# the cache every RENDER_CHECK_SECONDS (doubling up to RENDER_CHECK_MAX_SECONDS). The lock outlives
# a render that never finishes (a killed worker) by RENDER_LOCK_SECONDS at most.
RENDER_WAIT_SECONDS = 3.0
RENDER_CHECK_SECONDS = 0.005
RENDER_CHECK_MAX_SECONDS = 0.05
RENDER_LOCK_SECONDS = 10


# -- The content generation ---------------------------------------------------------------------


def _cache_is_per_process() -> bool:
    return isinstance(caches[DEFAULT_CACHE_ALIAS], (LocMemCache, DummyCache))


def _generation_file() -> Path:
    return Path(settings.CONTENT_GENERATION_FILE or Path(settings.LOCAL_DIR) / "content-generation")


def _new_generation(previous: int | None = None) -> int:
    # Time-based, so a generation key lost from Redis (eviction, restart) is never re-created with
    # a number that pages from before the loss are still stored under; always past `previous`,
    # even when the clock stands still or steps back.
    now = time.time_ns()
    return now if previous is None or now > previous else previous + 1


_UNREAD = object()


def current_generation(read=_UNREAD) -> int | None:
    """The content generation, or None when the shared cache is unreachable. `read` is the value
    already fetched from the shared cache, when the caller fetched it with something else."""
    if _cache_is_per_process():
        try:
            return int(_generation_file().read_text())
        except (FileNotFoundError, ValueError):
            return bump_generation()
    generation = cache.get(GENERATION_KEY) if read is _UNREAD else read
    if generation is not None and getattr(cache, "recovered_from_outage", lambda: False)():
        # Redis is back after being unreachable from this process: changes made meanwhile could
        # not bump the generation, so pages cached before the outage must not be served.
        return bump_generation()
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation() -> int:
    """Move to a new content generation and note when its next scheduled story is due."""
    if _cache_is_per_process():
        path = _generation_file()
        try:
            generation = _new_generation(int(path.read_text()))
        except (FileNotFoundError, ValueError):
            generation = _new_generation()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: another process never reads a half-written number.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".generation-")
        with os.fdopen(fd, "w") as tmp_file:
            tmp_file.write(str(generation))
        Path(tmp).replace(path)
    else:
        try:
            generation = cache.incr(GENERATION_KEY)
        except ValueError:
            # Missing (first change, eviction) or Redis unreachable: the latter is caught up by
            # `current_generation` once Redis answers again.
            generation = _new_generation()
            cache.set(GENERATION_KEY, generation, timeout=None)
    _remember_next_publication(generation)
    return generation


def purge_http_caches() -> None:
    """Send a BAN for every public page to each HTTP cache in front (CACHE_PURGE_URL)."""
    for url in settings.CACHE_PURGE_URLS:
        request = urllib.request.Request(  # noqa: S310 (an operator-configured URL)
            url, method="BAN", headers={"X-Ban-Url": "^/"}
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.CACHE_PURGE_TIMEOUT) as reply:  # noqa: S310
                reply.read()
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("Could not purge the HTTP cache at %s: %s", url, exc)


# -- Lifetimes ----------------------------------------------------------------------------------


def _next_publication_time():
    """When public pages next change by themselves, as a timestamp or None: a scheduled story
    appears (an embargoed one is scheduled at or after its embargo), or a story, a lead photo or
    a live update's photo expires."""
    now = timezone.now()
    update_photos = (
        LiveUpdate.objects.shown()
        .filter(image__expires_at__gt=now, article__in=Article.objects.listed())
        .order_by("image__expires_at")
        .values("image__expires_at")[:1]
    )
    moments = Article.objects.listed().aggregate(
        scheduled=Min("published_at", filter=Q(published_at__gt=now)),
        expiring=Min("expires_at", filter=Q(expires_at__gt=now)),
        photo_expiring=Min("lead_image__expires_at", filter=Q(lead_image__expires_at__gt=now)),
        # Not correlated with the stories row by row: worked out once, in the same query.
        update_photo_expiring=Min(Subquery(update_photos, output_field=DateTimeField())),
    )
    found = [moment for moment in moments.values() if moment is not None]
    return min(found).timestamp() if found else None


# The next publication time is worked out when content changes (and again once it has passed),
# not on every page render; it is kept per generation.
NEXT_PUBLICATION_KEPT_SECONDS = 24 * 3600


def _remember_next_publication(generation: int) -> float:
    next_time = _next_publication_time() or 0
    cache.set(f"next-publication:{generation}", next_time, timeout=NEXT_PUBLICATION_KEPT_SECONDS)
    return next_time


def cache_lifetime(generation: int | None) -> int:
    """Seconds a public response may be kept: PAGE_CACHE_SECONDS, ending before the next
    scheduled publication."""
    lifetime = settings.PAGE_CACHE_SECONDS
    if lifetime <= 0:
        return 0
    now = time.time()
    if generation is None:
        next_time = _next_publication_time()
    else:
        next_time = cache.get(f"next-publication:{generation}")
        if next_time is None or (next_time and next_time <= now):
            next_time = _remember_next_publication(generation)
    if next_time:
        lifetime = min(lifetime, int(next_time - now))
    return max(lifetime, 0)


# -- The middleware -----------------------------------------------------------------------------


def not_page_cached(view):
    """Keep a view in a public namespace out of every cache (e.g. something per reader)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        add_never_cache_headers(response)
        return response

    wrapped.page_cache_exempt = True
    return wrapped


def is_public_view(request) -> bool:
    if request.method not in {"GET", "HEAD"} or "HTTP_AUTHORIZATION" in request.META:
        return False
    return _is_public_path(request.path_info)


@lru_cache(maxsize=4096)  # the URL patterns do not change while the process runs
def _is_public_path(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if not PUBLIC_NAMESPACES.intersection(match.namespaces):
        return False
    is_preview = "preview" in (match.url_name or "")
    return not (is_preview or getattr(match.func, "page_cache_exempt", False))


def _page_key(request) -> str:
    """One key per address and language. The language comes from the path (articles/http/
    languages.py), so this only keeps two languages apart should that ever change."""
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    language = getattr(request, "LANGUAGE_CODE", "")
    return f"page:{language}:{hashlib.sha256(where.encode()).hexdigest()}"


def _generation_and_entry(key: str) -> tuple[int | None, dict | None]:
    """The content generation and what is stored under `key`, in one round trip to a shared
    cache. A stored page carries the generation it was rendered in and is served only while that
    is still the current one (one key per address: a new generation overwrites the old page)."""
    if _cache_is_per_process():
        generation, entry = current_generation(), cache.get(key)
    else:
        found = cache.get_many([GENERATION_KEY, key])
        generation, entry = current_generation(read=found.get(GENERATION_KEY)), found.get(key)
    if generation is None or entry is None or entry.get("generation") != generation:
        return generation, None
    return generation, entry


def _fresh(entry: dict | None, generation: int) -> bool:
    return (
        entry is not None
        and entry.get("generation") == generation
        and entry["expires"] - time.time() >= 1
    )


@contextmanager
def _single_render(key: str, generation: int):
    """Around the render (and storing) of a missed page: yields None when this request is to
    render it, having taken the lock (or given up waiting for it), or the entry another request
    rendered and stored while this one waited. The lock belongs to one address in one generation,
    so a render of an older generation never holds up the newer one."""
    lock = f"rendering:{generation}:{key}"
    held = cache.add(lock, True, timeout=RENDER_LOCK_SECONDS)
    entry, pause = None, RENDER_CHECK_SECONDS
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while not held and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, RENDER_CHECK_MAX_SECONDS)
        # The lock first: once it is gone, whatever its holder stored is there to read.
        found = cache.get_many([lock, key])
        if _fresh(found.get(key), generation):
            entry = found[key]
            break
        if lock not in found:
            # Released without storing (a 404, a private answer) or the cache went away: try
            # once more to be the one rendering, else render anyway.
            held = cache.add(lock, True, timeout=RENDER_LOCK_SECONDS)
            break
    try:
        yield entry
    finally:
        if held:
            cache.delete(lock)


def _is_shareable(response) -> bool:
    """Whether the response could not depend on who asked for it."""
    if response.cookies or getattr(response, "streaming", False):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return not (vary - {"accept-encoding"})


def _mark_public(response, lifetime: int) -> None:
    patch_cache_control(
        response, public=True, max_age=0, must_revalidate=True, s_maxage=max(lifetime, 0)
    )
    if not response.has_header("ETag") and response.status_code == 200:
        set_response_etag(response)
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date()


def _conditional(request, response):
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


# -- Compression ----------------------------------------------------------------------------
# Public responses are compressed here, once, when they are stored: a hit only picks the bytes.
# Nothing private is compressed (no secret of a page may leak through its compressed size).

COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/json",
    "application/feed+json",
    "application/atom+xml",
    "application/rss+xml",
)
MIN_COMPRESSED_SIZE = 860  # below this, the headers cost more than compression saves
ENCODINGS = {
    "br": lambda content: brotli.compress(content, quality=5),
    "gzip": lambda content: gzip.compress(content, compresslevel=6, mtime=0),
}


def _compressible(response) -> bool:
    return (
        not response.has_header("Content-Encoding")
        and len(response.content) >= MIN_COMPRESSED_SIZE
        and response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
    )


def _accepted_encoding(request) -> str | None:
    """The best encoding the client accepts (brotli, then gzip), or None."""
    accepted = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip().lower()] = quality
    return next((name for name in ENCODINGS if accepted.get(name, 0) > 0), None)


def _encoded(request, response, variants: dict[str, bytes]):
    """`response` in the best of `variants` the client accepts, with its own ETag."""
    patch_vary_headers(response, ["Accept-Encoding"])
    encoding = _accepted_encoding(request)
    if encoding is None or encoding not in variants:
        return response
    response.content = variants[encoding]
    response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(response.content))
    if etag := response.get("ETag"):  # a representation of its own
        response["ETag"] = etag[:-1] + f'-{encoding}"'
    return response


def _variants(response, *, only: str | None = None) -> dict[str, bytes]:
    if not _compressible(response):
        return {}
    return {
        name: compress(response.content)
        for name, compress in ENCODINGS.items()
        if only is None or name == only
    }


def _stored(response, lifetime: int, generation: int) -> dict:
    return {
        "generation": generation,
        "status": response.status_code,
        "headers": [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in UNSTORED_HEADERS
        ],
        "content": response.content,
        "variants": _variants(response),
        "expires": time.time() + lifetime,
    }


def _from_stored(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    _mark_public(response, int(entry["expires"] - time.time()))
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_view(request):
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                add_never_cache_headers(response)
            return response

        generation = entry = key = None
        if settings.PAGE_CACHE_SECONDS > 0:
            key = _page_key(request)
            generation, entry = _generation_and_entry(key)
            if generation is None:
                key = None
            elif _fresh(entry, generation):
                return self._hit(request, entry)
        if key is None:
            return self._render(request, key, generation)
        with _single_render(key, generation) as entry:
            if entry is not None:
                return self._hit(request, entry)
            return self._render(request, key, generation)

    @staticmethod
    def _hit(request, entry: dict):
        response = _from_stored(entry)
        response["X-Page-Cache"] = "hit"
        return _conditional(request, _encoded(request, response, entry["variants"]))

    def _render(self, request, key: str | None, generation: int | None):
        response = self.get_response(request)
        if response.status_code not in {200, 304} or not _is_shareable(response):
            if not response.has_header("Cache-Control"):
                add_never_cache_headers(response)
            return response

        lifetime = cache_lifetime(generation)
        _mark_public(response, lifetime)
        if key and lifetime >= 1 and response.status_code in CACHEABLE_STATUSES:
            entry = _stored(response, lifetime, generation)
            cache.set(key, entry, timeout=lifetime)
            response["X-Page-Cache"] = "miss"
            variants = entry["variants"]
        else:
            response["X-Page-Cache"] = "bypass"
            encoding = _accepted_encoding(request)
            variants = _variants(response, only=encoding) if encoding else {}
        return _conditional(request, _encoded(request, response, variants))

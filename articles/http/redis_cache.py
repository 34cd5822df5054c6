"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's RedisCache raises on every call when Redis is down, which would turn a cache outage into
server errors. This backend answers like an empty cache instead (reads miss, writes are dropped),
stops trying for `OUTAGE_RETRY_SECONDS` after a failure so requests are not slowed by connection
timeouts, and then tries again. `recovered_from_outage()` tells the page cache, once per outage,
that writes may have been lost meanwhile (see `articles.cache.current_generation`).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Per process and Redis location, shared by the per-thread backend instances Django creates.
_outages: dict[str, dict] = {}
_outages_lock = threading.Lock()


def _answers_like_an_empty_cache(method_name, fallback):
    def method(self, *args, **kwargs):
        if self._in_outage():
            return fallback(*args, **kwargs)
        try:
            result = getattr(super(ResilientRedisCache, self), method_name)(*args, **kwargs)
        except RedisError as exc:
            self._outage_began(exc)
            return fallback(*args, **kwargs)
        self._outage_ended()
        return result

    method.__name__ = method_name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty_dict(*args, **kwargs):
    return {}


def _all_keys_failed(data, *args, **kwargs):
    return list(data)


def _get_or_set(key, default, *args, **kwargs):
    return default() if callable(default) else default


def _incr_unavailable(key, delta=1, version=None):
    raise CacheUnavailable("The cache is unreachable.")


class CacheUnavailable(ValueError):
    """`incr`/`decr` while Redis is down. A ValueError, as for a missing key."""


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._retry_seconds = float(params.get("OUTAGE_RETRY_SECONDS", 5.0))
        with _outages_lock:
            self._outage = _outages.setdefault(
                str(server), {"down_until": 0.0, "down": False, "recovered": False}
            )

    def _in_outage(self) -> bool:
        return self._outage["down"] and time.monotonic() < self._outage["down_until"]

    def _outage_began(self, exc: Exception) -> None:
        if not self._outage["down"]:
            logger.warning("Cache unreachable, serving without it: %s", exc)
        self._outage["down"] = True
        self._outage["down_until"] = time.monotonic() + self._retry_seconds

    def _outage_ended(self) -> None:
        if self._outage["down"]:
            logger.warning("Cache reachable again.")
            self._outage["down"] = False
            self._outage["recovered"] = True

    def recovered_from_outage(self) -> bool:
        """True once after Redis came back from an outage this process noticed."""
        with _outages_lock:
            recovered, self._outage["recovered"] = self._outage["recovered"], False
        return recovered

    @property
    def available(self) -> bool:
        return not self._in_outage()

    get = _answers_like_an_empty_cache("get", _default)
    set = _answers_like_an_empty_cache("set", _nothing)
    add = _answers_like_an_empty_cache("add", _false)
    touch = _answers_like_an_empty_cache("touch", _false)
    delete = _answers_like_an_empty_cache("delete", _false)
    has_key = _answers_like_an_empty_cache("has_key", _false)
    get_many = _answers_like_an_empty_cache("get_many", _empty_dict)
    set_many = _answers_like_an_empty_cache("set_many", _all_keys_failed)
    delete_many = _answers_like_an_empty_cache("delete_many", _nothing)
    get_or_set = _answers_like_an_empty_cache("get_or_set", _get_or_set)
    incr = _answers_like_an_empty_cache("incr", _incr_unavailable)
    decr = _answers_like_an_empty_cache("decr", _incr_unavailable)
    clear = _answers_like_an_empty_cache("clear", _false)

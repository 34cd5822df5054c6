"""The query planner's statistics, kept current by the worker.

SQLite keeps none unless asked. Without them its planner guesses, and loading a page's stories
by id (`id IN (…)` beside "published and due") can take the (status, time) index, a range over
the whole archive, instead of the ids: the cost of the front, tag and source pages would then
grow with the archive. PostgreSQL's autovacuum keeps its own statistics; nothing is done there.
"""

import time

from django.conf import settings
from django.db import connection

# Rows ANALYZE reads per index on SQLite: approximate figures, in milliseconds at any size.
SQLITE_ANALYSIS_LIMIT = 1000

_last_refreshed: float | None = None


def refresh_statistics() -> bool:
    """Gather fresh planner statistics (SQLite). Returns whether it did anything."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


def refresh_statistics_when_due() -> bool:
    """For the scheduler loop: at its first turn, then every DATABASE_STATISTICS_SECONDS."""
    global _last_refreshed
    now = time.monotonic()
    if _last_refreshed is not None and now - _last_refreshed < settings.DATABASE_STATISTICS_SECONDS:
        return False
    _last_refreshed = now
    return refresh_statistics()

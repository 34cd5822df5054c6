"""The worker keeps the planner's statistics current (SQLite keeps none by itself); what they
change for the pages is in tests/site/test_archive_growth.py."""

import threading

import pytest
from django.db import connection

from articles.background import statistics
from articles.management.commands.run_worker import scheduler_loop

from ..helpers.factories import make_article

pytestmark = pytest.mark.django_db


def sqlite_statistics() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return set()
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'articles_article'")
        return {row[0] for row in cursor.fetchall()}


# The loop closes its connection after each turn, as the worker must: outside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_loop_gathers_statistics_at_its_first_turn_then_each_interval(
    settings, monkeypatch
):
    make_article("A story")
    settings.DATABASE_STATISTICS_SECONDS = 3600
    monkeypatch.setattr(statistics, "_last_refreshed", None)
    stop = threading.Event()
    stop.set()  # one turn

    scheduler_loop(stop, interval=0)

    if connection.vendor == "sqlite":
        assert "article_visibility" in sqlite_statistics()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
        scheduler_loop(stop, interval=0)
        assert sqlite_statistics() == set()  # not due again within the hour
        monkeypatch.setattr(statistics, "_last_refreshed", -3600.0)
        scheduler_loop(stop, interval=0)
        assert "article_visibility" in sqlite_statistics()
    else:
        # PostgreSQL: autovacuum keeps them; the loop adds nothing.
        assert statistics._last_refreshed is not None
        assert statistics.refresh_statistics() is False

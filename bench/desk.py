"""Desk benchmark (not a test): what the editors' pages cost over N stories.

    DATABASE_URL=sqlite:////tmp/desk-1k.sqlite3 .venv/bin/python bench/desk.py --stories 1000
    DATABASE_URL=sqlite:////tmp/desk-20k.sqlite3 .venv/bin/python bench/desk.py --stories 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_desk .venv/bin/python bench/desk.py \
        --stories 20000

Fills the database named by DATABASE_URL the way bench/pages.py does (N published stories with
tags, listings and search documents; skipped when it already holds N), turns 1 in 50 into drafts,
stories in review and scheduled stories so the desk's lists have something to show, then times,
through Django's test client as a logged-in editor: the desk home, the list of stories (plain,
filtered to scheduled, and searched), a story's change form, and a save of a live story (a
working draft). It prints p50 and p95 in ms, the SQL queries per request, and each p50 as a
multiple of a floor measured in the same run (/healthz, a view that runs no query), and the
process's CPU time per request (less inflated by a busy machine; on SQLite it includes the
database's work): ratios hold across machines where milliseconds do not. The target (issue 15)
is under 300 ms at 20,000 stories.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.helpers: reading a form
import pages  # noqa: I001 (sets Django up, as a benchmark run on its own needs)

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.helpers.workflow_forms import read_form


def spread_statuses() -> None:
    """1 story in 50 a draft, in review or scheduled (once; the rest stay published)."""
    stories = Article.objects.filter(slug__startswith="bench-story-")
    if stories.exclude(status=Article.Status.PUBLISHED).exists():
        return
    ids = list(stories.order_by("pk").values_list("pk", flat=True)[::50])
    thirds = [ids[0::3], ids[1::3], ids[2::3]]
    Article.objects.filter(pk__in=thirds[0]).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk__in=thirds[1]).update(status=Article.Status.IN_REVIEW)
    soon = timezone.now() + datetime.timedelta(days=1)
    Article.objects.filter(pk__in=thirds[2]).update(published_at=soon)
    call_command("rebuild_search_index", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if pages.generate(args.stories, args.seed):
        pages.build_index()
    spread_statuses()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(editor)
    story = Article.objects.published().order_by("-published_at").first()
    word = story.headline.split()[0]
    urls = {
        "floor: /healthz (no query)": "/healthz",
        "desk home": "/admin/",
        "story list": "/admin/articles/article/",
        "story list: scheduled": "/admin/articles/article/?status=scheduled",
        f"story list: search ({word})": f"/admin/articles/article/?q={word}",
        "story change form": f"/admin/articles/article/{story.pk}/change/",
    }
    total = Article.objects.count()
    print(f"\n{connection.vendor}: {total:,} stories, {args.repeat} requests per page")
    print(
        f"{'page':<40} {'p50 ms':>7} {'p95 ms':>7} {'cpu p50':>8} {'× floor':>8} {'queries':>8} "
        f"{'status':>7}"
    )
    floor = None
    for label, url in urls.items():
        timings, cpu_timings, query_counts, status = pages.measure(client, url, args.repeat)
        p50 = statistics.median(timings)
        floor = floor or p50
        queries = "/".join(str(n) for n in sorted(query_counts))
        print(
            f"{label:<40} {p50:7.2f} {pages.percentile(timings, 0.95):7.2f} "
            f"{statistics.median(cpu_timings):8.2f} {p50 / floor:8.1f} {queries:>8} {status:>7}"
        )
    save_timings, save_cpu, save_queries = time_saves(client, story, args.repeat)
    p50 = statistics.median(save_timings)
    queries = "/".join(str(n) for n in sorted(save_queries))
    print(
        f"{'save of a live story (working draft)':<40} {p50:7.2f} "
        f"{pages.percentile(save_timings, 0.95):7.2f} {statistics.median(save_cpu):8.2f} "
        f"{p50 / floor:8.1f} {queries:>8} {302:>7}"
    )
    print(f"This machine's speed: sum(range(10**7)) took {pages.cpu_yardstick()} ms")


def time_saves(client: Client, story: Article, repeat: int) -> tuple[list, list, set]:
    """Wall-clock and CPU ms and query counts of saving a live story's change form (a working
    draft), the form read from the page as a browser would post it (inlines included); the
    reading is not timed."""
    url = f"/admin/articles/article/{story.pk}/change/"
    timings, cpu_timings, query_counts = [], [], set()
    for n in range(repeat):
        data = read_form(client.get(url).content.decode())
        data["headline"] = f"{story.headline.split(' (')[0]} ({n})"
        data["_continue"] = "Save working draft"
        counter = pages.QueryCounter()
        with connection.execute_wrapper(counter):
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.post(url, data)
            timings.append((time.perf_counter() - began) * 1000)
            cpu_timings.append((time.process_time() - began_cpu) * 1000)
        query_counts.add(counter.count)
        assert response.status_code == 302, response.content.decode()[-3000:]
    return timings, cpu_timings, query_counts


if __name__ == "__main__":
    main()

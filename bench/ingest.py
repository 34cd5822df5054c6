"""Ingest benchmark (not a test): items per second through a folder channel.

    DATABASE_URL=sqlite:////tmp/bench-ingest.sqlite3 .venv/bin/python bench/ingest.py --items 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest .venv/bin/python bench/ingest.py

Migrates the database named by DATABASE_URL (use one of its own: it adds stories), writes N ninjs
files (default 2,000; 4-8 paragraphs, 3 tags) into a temporary folder and measures, in this
process with the tasks run inline:

- floor: the same N stories through the wire importer directly (`import_story`), the cost of
  writing a story with its revision, listing and search document;
- first delivery: one poll of a channel on the folder (read, split, dedupe, import, record);
- re-delivery: a second poll of the unchanged folder (nothing is written);
- new versions: every file rewritten as version 2 and polled (each story updated, one revision);

and prints items per second, each as a multiple of the floor (ratios hold across machines where
rates do not), and the peak memory of the process.
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DEBUG", "false")
os.environ["TASKS_BACKEND"] = "immediate"
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from articles.ingest import polling  # noqa: E402
from articles.ingest.models import IngestChannel  # noqa: E402
from articles.wire.importing import import_story  # noqa: E402

WORDS = [
    "government",
    "minister",
    "said",
    "people",
    "city",
    "water",
    "power",
    "police",
    "court",
    "report",
    "army",
    "election",
    "storm",
    "flood",
    "bridge",
    "market",
    "price",
    "talks",
    "deal",
    "strike",
    "border",
    "aid",
    "rescue",
    "crowd",
    "village",
]


def paragraph(rng) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60))).capitalize() + "."


def story(rng, n: int, run: str, version: int) -> dict:
    body = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(4, 8)))
    return {
        "uri": f"urn:bench:{run}:{n}",
        "version": str(version),
        "headline": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {run} {n} v{version}",
        "body_html": body,
        "subject": [{"name": rng.choice(WORDS)} for _ in range(3)],
    }


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    n = args.items
    call_command("migrate", "--no-input", "-v", "0")
    run = f"{int(time.time())}"
    rng = random.Random(7)

    started = time.perf_counter()
    for i in range(n):
        doc = story(rng, i, run + "floor", 1)
        import_story(
            external_id=f"bench-floor:{run}:{i}",
            headline=doc["headline"],
            standfirst="",
            body_html=doc["body_html"],
            how="bench",
        )
    floor = rate(n, time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as folder:
        for i in range(n):
            Path(folder, f"{i:06d}.json").write_text(json.dumps(story(rng, i, run, 1)))
        channel = IngestChannel.objects.create(name=f"Bench {run}", location=folder)
        timings = {}
        for label in ("first delivery", "re-delivery"):
            started = time.perf_counter()
            summary = polling.poll(channel)
            timings[label] = (rate(n, time.perf_counter() - started), str(summary))
        for i in range(n):
            Path(folder, f"{i:06d}.json").write_text(json.dumps(story(rng, i, run, 2)))
        started = time.perf_counter()
        summary = polling.poll(channel)
        timings["new versions"] = (rate(n, time.perf_counter() - started), str(summary))

    vendor = django.db.connection.vendor
    print(f"{n} items, {vendor}")
    print(f"{'floor (import_story)':<22} {floor:>9.1f} items/s   1.00x floor")
    for label, (items_per_second, summary) in timings.items():
        print(
            f"{label:<22} {items_per_second:>9.1f} items/s {items_per_second / floor:>6.2f}x floor"
            f"   ({summary})"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()

"""Ingest benchmark (not a test): a folder channel taken by the running worker, and photo uploads
answering at once while renditions are made in the background.

    DATABASE_URL=sqlite:////tmp/bench-ingest.sqlite3 .venv/bin/python bench/ingest.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest .venv/bin/python bench/ingest.py

Migrates the database named by DATABASE_URL (use one of its own: it adds stories and photos),
then measures, on the database queue (TASKS_BACKEND=database) with `manage.py run_worker` as a
separate process, as in production:

- floor: `--floor-items` stories (default 500; 4-8 paragraphs, 3 tags) through the wire importer
  directly (`import_story`) in this process, the cost of writing a story with its revision,
  listing and search document; ingest rates are printed as a multiple of it, since ratios hold
  across machines where rates do not;
- worker: `--items` ninjs files (default 10,000) dropped into a folder, then a channel on it; the
  worker's scheduler finds it due and takes it in looks of INGEST_ITEMS_PER_LOOK. Items per second
  from the channel being due to the last story in the desk, each item's time from being due to its
  story existing (median, 95th percentile, last), and the worker's peak memory;
- re-delivery: one look at the unchanged folder in this process (nothing is written);
- uploads: `--uploads` 4000x3000 JPEGs (default 5) posted to the admin. With the worker stopped,
  each upload is timed with its renditions made straight after it (what the request cost when
  renditions were made inside it); with the worker running, the upload alone, and the time until
  the worker has made every rendition.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TASKS_BACKEND"] = "database"
os.environ["PAGE_CACHE_SECONDS"] = "0"
_media = tempfile.TemporaryDirectory(prefix="bench-ingest-media-")
os.environ["MEDIA_ROOT"] = _media.name

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.ingest import polling  # noqa: E402
from articles.ingest.models import IngestChannel, IngestedItem  # noqa: E402
from articles.models import Article, Image  # noqa: E402
from articles.photos.jobs import make_renditions  # noqa: E402
from articles.wire.importing import import_story  # noqa: E402
from tests.helpers.factories import make_editor  # noqa: E402
from tests.helpers.images import image_bytes  # noqa: E402

WORDS = [
    *("government", "minister", "said", "people", "city", "water", "power", "police", "court"),
    *("report", "army", "election", "storm", "flood", "bridge", "market", "price", "talks"),
    *("deal", "strike", "border", "aid", "rescue", "crowd", "village"),
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


def start_worker(log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=120)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(condition, *, timeout: float, step: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        connection.close()  # see the worker's commits (and hold no lock while waiting)
        time.sleep(step)
    raise SystemExit("timed out: see the worker's log")


def ingest_with_worker(rng, n: int, run: str, folder: Path, log: Path) -> dict:
    for i in range(n):
        Path(folder, f"{i:06d}.json").write_text(json.dumps(story(rng, i, run, 1)))
    worker = start_worker(log)
    try:
        channel = IngestChannel.objects.create(name=f"Bench {run}", location=str(folder))
        due = timezone.now()  # the scheduler's next turn finds it due
        started = time.perf_counter()
        wait_for(
            lambda: IngestedItem.objects.filter(channel=channel).count() >= n,
            timeout=4 * 3600,
        )
        elapsed = time.perf_counter() - started
        memory = peak_memory_mb(worker.pid)
    finally:
        stop_worker(worker)
    created = sorted(
        Article.objects.filter(external_id__startswith="ingest:", created_at__gte=due)
        .values_list("created_at", flat=True)
        .iterator()
    )
    waits = [(moment - due).total_seconds() for moment in created]
    outcomes = IngestedItem.objects.filter(channel=channel).values_list("outcome", flat=True)
    return {
        "channel": channel,
        "stories": len(created),
        "taken": sum(1 for o in outcomes if o == IngestedItem.Outcome.TAKEN),
        "rate": rate(len(created), elapsed),
        "elapsed": elapsed,
        "first": waits[0] if waits else 0,
        "median": statistics.median(waits) if waits else 0,
        "p95": waits[int(len(waits) * 0.95) - 1] if waits else 0,
        "last": waits[-1] if waits else 0,
        "memory": memory,
    }


def upload(client: Client, name: str) -> tuple[float, int]:
    data = image_bytes("JPEG", width=4000, height=3000, quality=90)
    file = SimpleUploadedFile(name, data, content_type="image/jpeg")
    started = time.perf_counter()
    response = client.post(
        reverse("admin:articles_image_add"),
        {"file": file, "alt_text": "Bench photo", "caption": "", "credit": ""},
    )
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"upload refused ({response.status_code})")
    return seconds, Image.objects.order_by("-pk").values_list("pk", flat=True)[0]


def uploads(count: int, log: Path) -> dict:
    client = Client()
    client.force_login(make_editor(username=f"bench-{time.time_ns()}"))
    inline = []
    for i in range(count):  # today's cost without a worker: the upload, then its renditions
        seconds, pk = upload(client, f"inline-{i}.jpg")
        started = time.perf_counter()
        make_renditions.call(pk)
        inline.append(seconds + time.perf_counter() - started)
    worker = start_worker(log)
    try:
        answered, pks = [], []
        first_began = time.perf_counter()
        for i in range(count):
            seconds, pk = upload(client, f"background-{i}.jpg")
            answered.append(seconds)
            pks.append(pk)
        ready = Image.objects.filter(pk__in=pks, renditions_state=Image.RenditionsState.READY)
        wait_for(lambda: ready.count() == len(pks), timeout=1800, step=0.2)
        all_ready = time.perf_counter() - first_began
    finally:
        stop_worker(worker)
    return {"inline": inline, "answered": answered, "ready": all_ready}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--floor-items", type=int, default=500)
    parser.add_argument("--uploads", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", "--no-input", "-v", "0")
    run = f"{int(time.time())}"
    rng = random.Random(7)
    log = Path(tempfile.gettempdir(), f"bench-ingest-worker-{run}.log")

    started = time.perf_counter()
    for i in range(args.floor_items):
        doc = story(rng, i, run + "floor", 1)
        import_story(
            external_id=f"bench-floor:{run}:{i}",
            headline=doc["headline"],
            standfirst="",
            body_html=doc["body_html"],
            tags=[tag["name"] for tag in doc["subject"]],
            how="bench",
        )
    floor = rate(args.floor_items, time.perf_counter() - started)

    with tempfile.TemporaryDirectory(prefix="bench-ingest-drop-") as folder:
        taken = ingest_with_worker(rng, args.items, run, Path(folder), log)
        started = time.perf_counter()
        summary = polling.poll(taken["channel"])
        redelivery = rate(args.items, time.perf_counter() - started)
    photos = uploads(args.uploads, log) if args.uploads else None

    print(f"{args.items} items, {connection.vendor}, {Article.objects.count()} stories in all")
    print(f"floor (import_story, {args.floor_items})  {floor:8.1f} items/s   1.00x floor")
    print(
        f"worker, first delivery   {taken['rate']:8.1f} items/s {taken['rate'] / floor:6.2f}x floor"
        f"   ({taken['stories']} stories, {taken['taken']} taken in {taken['elapsed']:.0f} s)"
    )
    print(
        f"  due -> story in desk   first {taken['first']:.1f} s, median {taken['median']:.0f} s,"
        f" 95% {taken['p95']:.0f} s, last {taken['last']:.0f} s"
    )
    print(f"  worker peak memory     {taken['memory']:.0f} MB")
    print(f"re-delivery              {redelivery:8.1f} items/s   ({summary})")
    own_memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak memory {own_memory:.0f} MB")
    if photos:
        print(
            f"upload 4000x3000 JPEG, renditions in the request  median "
            f"{statistics.median(photos['inline']):.2f} s (max {max(photos['inline']):.2f})"
        )
        print(
            f"upload 4000x3000 JPEG, renditions by the worker   median "
            f"{statistics.median(photos['answered']):.2f} s (max {max(photos['answered']):.2f});"
            f" all {len(photos['answered'])} photos' renditions ready {photos['ready']:.1f} s"
            " after the first upload began"
        )
    print(f"worker log: {log}")


if __name__ == "__main__":
    main()

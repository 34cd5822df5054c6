"""The real worker (`manage.py run_worker`, a separate process on the database queue): it makes
renditions queued by an upload, and a worker killed with SIGKILL in the middle of a job loses
nothing: the job is given back after its lease and done once by the next worker."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from ..helpers.servers import (
    REPO,
    fresh_database,
    manage,
    missing_service,
    postgres_available,
    server_env,
    suite_database_vendor,
)

# A photo big enough that its renditions take a while (so the worker can be caught mid-job).
MAKE_PHOTO = """
from django.core.files.uploadedfile import SimpleUploadedFile
from articles.models import Image
from tests.helpers.images import image_bytes
data = image_bytes("JPEG", width={width}, height={height}, quality=95)
image = Image.objects.create(file=SimpleUploadedFile("big.jpg", data), alt_text="A test")
print(image.pk)
"""
# 4000x3000: full 5 widths, card 3, thumb 2 (WebP and JPEG each), one social JPEG.
EXPECTED_RENDITIONS = 5 * 2 + 3 * 2 + 2 * 2 + 1


@pytest.fixture
def site(tmp_path):
    vendor = suite_database_vendor()
    if vendor == "postgres" and not postgres_available():
        missing_service("PostgreSQL is not reachable")
    with fresh_database(vendor, tmp_path) as url:
        env = server_env(
            tmp_path,
            DATABASE_URL=url,
            TASKS_BACKEND="database",
            TASK_LEASE_SECONDS="4",
            SCHEDULER_INTERVAL_SECONDS="0.5",
            TASK_RETRY_BASE_SECONDS="0",
        )
        manage(env, "migrate", "--no-input", "-v", "0")
        yield env


def query(env: dict, sql: str) -> list[tuple]:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as connection:
            return connection.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def photo_state(env: dict, pk: int) -> tuple[str, int]:
    state = query(env, f"SELECT renditions_state FROM articles_image WHERE id = {int(pk)}")[0][0]  # noqa: S608
    count = query(env, f"SELECT COUNT(*) FROM articles_rendition WHERE image_id = {int(pk)}")[0][0]  # noqa: S608
    return state, count


def job_statuses(env: dict) -> list[str]:
    return [row[0] for row in query(env, "SELECT status FROM django_tasks_database_dbtaskresult")]


def start_worker(env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.05"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, *, timeout: float, step: float = 0.2, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_upload_queues_renditions_and_the_worker_makes_them(site, tmp_path):
    pk = int(
        manage(site, "shell", "-c", MAKE_PHOTO.format(width=1200, height=800)).stdout.split()[-1]
    )
    # The upload answered without making anything: the job waits in the queue.
    assert photo_state(site, pk) == ("pending", 0)
    assert job_statuses(site) == ["READY"]

    worker = start_worker(site, tmp_path / "worker.log")
    try:
        wait_until(lambda: photo_state(site, pk)[0] == "ready", timeout=120, what="renditions")
    finally:
        stop(worker)
    assert photo_state(site, pk)[1] > 0
    assert job_statuses(site) == ["SUCCESSFUL"]
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()


def test_a_worker_killed_mid_job_loses_nothing(site, tmp_path):
    pk = int(
        manage(site, "shell", "-c", MAKE_PHOTO.format(width=4000, height=3000)).stdout.split()[-1]
    )
    first = start_worker(site, tmp_path / "first.log")
    try:
        wait_until(
            lambda: job_statuses(site) == ["RUNNING"], timeout=120, step=0.02, what="the job"
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    # Killed in the middle: the job is stuck "running" and nothing of it was kept.
    assert job_statuses(site) == ["RUNNING"]
    assert photo_state(site, pk) == ("pending", 0)

    second = start_worker(site, tmp_path / "second.log")
    try:
        wait_until(lambda: photo_state(site, pk)[0] == "ready", timeout=180, what="the retry")
    finally:
        stop(second)
    log = (tmp_path / "second.log").read_text()
    assert photo_state(site, pk) == ("ready", EXPECTED_RENDITIONS), log
    assert job_statuses(site) == ["SUCCESSFUL"]


def test_the_worker_takes_a_folder_channel_by_itself(site, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.json").write_text(
        '{"uri": "urn:w:1", "version": "1", "headline": "Taken by the worker",'
        ' "body_html": "<p>Text.</p>"}'
    )
    script = (
        "from articles.ingest.models import IngestChannel; "
        f"IngestChannel.objects.create(name='Agency W', location={str(drop)!r})"
    )
    manage(site, "shell", "-c", script)
    worker = start_worker(site, tmp_path / "worker.log")
    try:
        # The scheduler loop finds the channel due and queues a look; the worker takes the item.
        wait_until(
            lambda: query(site, "SELECT headline FROM articles_article"),
            timeout=120,
            what="the story",
        )
    finally:
        stop(worker)
    assert query(site, "SELECT headline, status FROM articles_article") == [
        ("Taken by the worker", "draft")
    ]
    assert query(site, "SELECT outcome FROM articles_ingesteditem") == [("taken",)]


def test_a_worker_killed_in_the_middle_of_a_look_takes_each_item_once(site, tmp_path):
    """Killed with SIGKILL while taking a channel's items: what it committed stays, the look it
    was in is given back after the lease, and the next worker takes the rest; every story is
    written once, with one revision, and recorded once."""
    count = 80
    drop = tmp_path / "drop"
    drop.mkdir()
    for n in range(count):
        (drop / f"{n:03d}.json").write_text(
            f'{{"uri": "urn:k:{n}", "version": "1", "headline": "Story {n}",'
            f' "body_html": "<p>Text {n}.</p>"}}'
        )
    env = {**site, "INGEST_ITEMS_PER_LOOK": "5"}  # several looks, each queued by the last
    script = (
        "from articles.ingest.models import IngestChannel; "
        f"IngestChannel.objects.create(name='Agency K', location={str(drop)!r})"
    )
    manage(env, "shell", "-c", script)

    def items() -> int:
        return query(env, "SELECT COUNT(*) FROM articles_ingesteditem")[0][0]

    # On a busy machine the look seen running can end before the kill lands: then the kill
    # fell between two looks, and another worker is started and killed, until one is caught.
    for attempt in range(5):
        first = start_worker(env, tmp_path / f"first-{attempt}.log")
        try:
            wait_until(
                lambda: 5 <= items() < count - 5 and "RUNNING" in job_statuses(env),
                timeout=120,
                step=0.02,
                what="the worker to be in the middle of a look",
            )
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        if "RUNNING" in job_statuses(env):  # the look it was in, stuck
            break
    else:
        pytest.fail("Five workers in a row were killed between two looks, never in one")
    taken_before = items()
    assert 0 < taken_before < count

    second = start_worker(env, tmp_path / "second.log")
    try:
        wait_until(lambda: items() == count, timeout=300, what="the rest of the items")
        wait_until(lambda: "RUNNING" not in job_statuses(env), timeout=60, what="the last look")
    finally:
        stop(second)
    log = (tmp_path / "second.log").read_text()
    assert query(env, "SELECT COUNT(*), COUNT(DISTINCT headline) FROM articles_article") == [
        (count, count)
    ], log
    assert query(env, "SELECT COUNT(*) FROM articles_revision") == [
        (count,)
    ]  # one "Imported from Agency K, version 1" each
    assert query(env, "SELECT outcome, COUNT(*) FROM articles_ingesteditem GROUP BY outcome") == [
        ("taken", count)
    ]

"""Live-coverage benchmark (not a test): readers polling a live page while an editor posts.

    .venv/bin/python bench/live.py                  # 64 connections, a post every 5 s for 60 s
    .venv/bin/python bench/live.py --posts 6 --interval 2

The production set-up of bench/load.sh: gunicorn (2 x cores + 1 sync workers, production
settings) on a fresh PostgreSQL database with Redis as the cache and the page cache on. wrk keeps
CONNECTIONS connections polling the seed story's `updates.json` (each sends back the ETag it last
got, as browsers do, so most answers are 304s) for the whole run, while this process posts an
update every INTERVAL seconds through the editorial service (`live.post_update`, what the desk
calls) and a watcher polls the same address every 0.1 s to see when each update is served.

Reported: wrk's req/s, p50 and p99 and failed requests (anything but 200/304, errors, timeouts);
for each post, how long until the endpoint served it; and the worst case for a reader, that
delay plus the page script's longest wait between polls (1.2 x 5 s).
Needs wrk, PostgreSQL at 127.0.0.1:5432 and Redis (REDIS_URL, default redis://127.0.0.1:6379/3;
its keys are prefixed, nothing is flushed).
"""

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432")
READER_LONGEST_WAIT = 1.2 * 5.0  # static/js/live.js: 5 s ± 20 %


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--posts", type=int, default=12, help="updates to post (default 12)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between posts")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8103)))
    return parser.parse_args()


def environment(database: str, tmp: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-only-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUST_X_FORWARDED_PROTO": "true",
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "CACHE_KEY_PREFIX": f"livebench{os.getpid()}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "USE_MANIFEST_STATIC": "false",
        "LOG_LEVEL": "WARNING",
        "PAGE_CACHE_SECONDS": "300",
    }


def manage(env, *args) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def get(port: int, path: str, etag: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Forwarded-Proto": "https"}
    if etag:
        headers["If-None-Match"] = etag
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("ETag"), body


class Watcher(threading.Thread):
    """Polls the endpoint every 0.1 s and notes when each update id is first served."""

    def __init__(self, port: int, path: str):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.first_seen: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self):
        etag = None
        while not self.stop.is_set():
            try:
                status, new_etag, body = get(self.port, self.path, etag)
            except OSError:
                time.sleep(0.1)
                continue
            now = time.monotonic()
            if status == 200:
                etag = new_etag
                for pk in json.loads(body)["ids"]:
                    self.first_seen.setdefault(pk, now)
            time.sleep(0.1)


def main():
    args = parse_args()
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="livebench-"))
    database = f"newsroom_livebench_{os.getpid()}"
    env = environment(database, tmp)
    workers = 2 * os.cpu_count() + 1
    duration = int(args.posts * args.interval + 10)
    server = wrk = None
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    try:
        print(f"== Preparing {database}")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        path = (
            manage(
                env,
                "shell",
                "-c",
                "from articles.models import Article\n"
                "from articles.editorial import live\n"
                "a = Article.objects.get()\n"
                "live.start_coverage(article=a, user=None)\n"
                "for n in range(20):\n"
                "    live.post_update(article=a, user=None, body=f'<p>Earlier update {n}.</p>')\n"
                "print(a.get_absolute_url())",
            )
            .strip()
            .splitlines()[-1]
        )
        poll = f"{path}updates.json"

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
        import django

        django.setup()
        from articles.editorial import live
        from articles.models import Article

        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "newsroom.wsgi", "--bind",
             f"127.0.0.1:{args.port}", "--workers", str(workers), "--timeout", "30",
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        for _ in range(150):
            try:
                if get(args.port, poll)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")

        print(
            f"== {args.connections} connections polling {poll} for {duration} s; "
            f"a post every {args.interval:g} s ({args.posts} posts); {workers} workers"
        )
        wrk = subprocess.Popen(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s",
             "--latency", "-s", str(ROOT / "bench/live_poll.lua"),
             f"http://127.0.0.1:{args.port}{poll}"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        watcher = Watcher(args.port, poll)
        watcher.start()
        time.sleep(3)
        article = Article.objects.get()
        posted: dict[int, float] = {}
        for n in range(args.posts):
            started = time.monotonic()
            update = live.post_update(article=article, user=None, body=f"<p>Bench post {n}.</p>")
            posted[update.pk] = time.monotonic()  # committed: readers may see it from now
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
        output, _ = wrk.communicate()
        watcher.stop.set()
        watcher.join()

        found = re.search(r"^RESULT (\S+) (\S+) (\S+) (\d+) (\d+) (\d+)$", output, re.M)
        rps, p50, p99, failed, requests, unchanged = found.groups()
        delays = [
            watcher.first_seen[pk] - at for pk, at in posted.items() if pk in watcher.first_seen
        ]
        missing = len(posted) - len(delays)
        print()
        print(f"Machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end")
        print(f"poll: {rps} req/s, p50 {p50} ms, p99 {p99} ms, {failed} failed of {requests} "
              f"({unchanged} answered 304)")  # fmt: skip
        if delays:
            print(
                f"served after posting: p50 {statistics.median(delays) * 1000:.0f} ms, "
                f"max {max(delays) * 1000:.0f} ms ({len(delays)} posts)"
            )
            worst = max(delays) + READER_LONGEST_WAIT
            wait = f"+ {READER_LONGEST_WAIT:g} s between polls"
            print(f"worst case for a reader ({wait}): {worst:.1f} s")
        if missing:
            print(f"{missing} posts were never seen by the watcher")
        ok = bool(delays) and not missing and int(failed) == 0
        ok = ok and max(delays) + READER_LONGEST_WAIT <= 10
        print("target (visible within 10 s, 0 failed, p99 < 50 ms):",
              "met" if ok and float(p99) < 50 else "NOT met")  # fmt: skip
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # best effort before dropping the database
            pass
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
            check=False,
        )


if __name__ == "__main__":
    main()

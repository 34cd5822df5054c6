#!/usr/bin/env bash
# Load benchmark (not a test): the production server on PostgreSQL + Redis, driven by wrk.
#
#   bench/load.sh                 # 2,000 synthetic stories, 64 connections, 10 s per run
#   STORIES=10000 DURATION=30s bench/load.sh
#   MAX_REQUESTS=2000 MAX_REQUESTS_JITTER=200 DURATION=40s bench/load.sh   # other worker recycling
#   ONLY="floor front" bench/load.sh   # only these endpoints (the floor is always measured)
#
# Starts gunicorn exactly as the README's production command (2 × cores + 1 sync workers) on a
# fresh PostgreSQL database holding the seed story plus $STORIES synthetic ones, with Redis as the
# cache, then measures requests/s, p50 and p99 latency and the count of failed requests (non-2xx
# answers, errors and timeouts; it must be 0) for the front page, an article, a tag page, a search
# and an API list, each against a floor measured in the same run (`/healthz`: a Django response
# through every middleware, with no query, template or cache):
#   cold = page cache off: every request renders from the database;
#   warm = page cache on (Redis) and primed: what readers get between changes.
# Needs: wrk (apt-get install wrk), PostgreSQL at 127.0.0.1:5432, Redis (REDIS_URL, default
# redis://127.0.0.1:6379/14 — database 14 is emptied).
set -euo pipefail
cd "$(dirname "$0")/.."

STORIES=${STORIES:-2000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-8097}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=newsroom_bench_$$
PY=.venv/bin/python
WORKERS=$((2 * $(nproc) + 1))
MAX_REQUESTS=${MAX_REQUESTS:-100000}               # as the README's command
MAX_REQUESTS_JITTER=${MAX_REQUESTS_JITTER:-20000}

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -INT "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_ENV=production
export SECRET_KEY="bench-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export TRUST_X_FORWARDED_PROTO=true
export DATABASE_URL="$PG/$DB"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/14}
export CACHE_KEY_PREFIX=bench
export STATIC_ROOT="$work/static" MEDIA_ROOT="$work/media"
export USE_MANIFEST_STATIC=false
export LOG_LEVEL=WARNING

echo "== Preparing $STORIES synthetic stories on PostgreSQL ($DB)"
psql "$PG/postgres" -qc "CREATE DATABASE $DB"
$PY manage.py migrate --no-input -v 0
$PY manage.py seed >/dev/null
$PY manage.py collectstatic --no-input -v 0
$PY bench/pages.py --stories "$STORIES" --fill-only

article=$($PY manage.py shell -c "from articles.models import Article; print(Article.objects.published().newest_first()[5].get_absolute_url())" | tail -1)
ENDPOINTS=(
  "floor|/healthz"
  "front|/"
  "article|$article"
  "tag|/tags/mali/"
  "search|/search/?q=ceasefire+harvest"
  "api-list|/api/articles/"
)
if [ -n "${ONLY:-}" ]; then
  chosen=()
  for endpoint in "${ENDPOINTS[@]}"; do
    name=${endpoint%%|*}
    [ "$name" = floor ] || [[ " $ONLY " == *" $name "* ]] && chosen+=("$endpoint")
  done
  ENDPOINTS=("${chosen[@]}")
fi

start_server() {
  PAGE_CACHE_SECONDS=$1 .venv/bin/gunicorn newsroom.wsgi --bind "127.0.0.1:$PORT" \
    --workers "$WORKERS" --timeout 30 --max-requests "$MAX_REQUESTS" \
    --max-requests-jitter "$MAX_REQUESTS_JITTER" --log-level info >>"$work/gunicorn.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/" && return 0
    sleep 0.2
  done
  cat "$work/gunicorn.log" >&2
  echo "gunicorn did not start" >&2
  exit 1
}
stop_server() { kill -INT "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

results=()
run() { # phase name path
  local line boots_before restarts
  boots_before=$(grep -c "Booting worker" "$work/gunicorn.log" || true)
  line=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s bench/report.lua "http://127.0.0.1:$PORT$3" | grep '^RESULT')
  read -r _ rps p50 p99 bad total <<<"$line"
  restarts=$(($(grep -c "Booting worker" "$work/gunicorn.log" || true) - boots_before))
  results+=("$(printf '%-6s %-9s %9s %9s %9s %8s %9s %8s' "$1" "$2" "$rps" "$p50" "$p99" "$bad" "$total" "$restarts")")
}

echo "== Cold: page cache off ($WORKERS gunicorn workers, $CONNECTIONS connections, $DURATION each)"
$PY manage.py shell -c "from django.core.cache import cache; cache.clear()"
start_server 0
for endpoint in "${ENDPOINTS[@]}"; do run cold "${endpoint%%|*}" "${endpoint#*|}"; done
stop_server

echo "== Warm: page cache on (Redis), primed"
$PY manage.py shell -c "from django.core.cache import cache; cache.clear()"
start_server 300
for endpoint in "${ENDPOINTS[@]}"; do
  curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT${endpoint#*|}"
  run warm "${endpoint%%|*}" "${endpoint#*|}"
done
stop_server

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "Stories: $((STORIES + 1)); wrk: 2 threads, $CONNECTIONS connections, $DURATION per run"
echo "Worker recycling: --max-requests $MAX_REQUESTS --max-requests-jitter $MAX_REQUESTS_JITTER"
printf '%-6s %-9s %9s %9s %9s %8s %9s %8s %9s\n' phase endpoint "req/s" "p50 ms" "p99 ms" failed requests restarts "× floor"
floor=""
for line in "${results[@]}"; do
  read -r phase endpoint rps _ <<<"$line"
  [ "$endpoint" = floor ] && floor=$rps
  printf '%s %9s\n' "$line" "$(awk -v a="$rps" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
done
failed=0
for line in "${results[@]}"; do
  [ "$(awk '{print $6}' <<<"$line")" = 0 ] || failed=1
done
[ "$failed" = 0 ] || { echo "Some requests failed (non-2xx, errors or timeouts)." >&2; exit 1; }

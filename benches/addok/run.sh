#!/usr/bin/env bash
# Peer comparison, not run in CI: addok (the BAN's engine, Redis-backed) indexing the same BAN
# CSV, against urbaclic, on the same labelled query set; then throughput with 8 concurrent
# clients (ApacheBench). Needs: python3 -m venv + pip install addok addok-fr addok-france gunicorn,
# apt install redis-server apache2-utils, and a release build of urbaclic.
#   ADDOK_VENV=/tmp/addokenv benches/addok/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${ADDOK_VENV:-$HERE/.venv}"
WORK="${WORK:-/tmp/urbaclic-addok}"
REDIS_PORT="${REDIS_PORT:-6399}"
ADDOK_PORT="${ADDOK_PORT:-7878}"
URB_PORT="${URB_PORT:-8765}"
CSV="$ROOT/data/ban-adresses-75118/adresses-75118.csv"
mkdir -p "$WORK"
export ADDOK_CONFIG_MODULE="$HERE/addok_conf.py" REDIS_PORT

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
pids+=($!)
sleep 1
python3 "$HERE/ban_to_addok.py" "$CSV" >"$WORK/docs.ndjson"
redis-cli -p "$REDIS_PORT" flushall >/dev/null
t0=$(date +%s%N)
"$VENV/bin/addok" batch "$WORK/docs.ndjson" >"$WORK/batch.log" 2>&1
"$VENV/bin/addok" ngrams >>"$WORK/batch.log" 2>&1
t1=$(date +%s%N)
echo "addok import (batch + ngrams): $(( (t1 - t0) / 1000000 )) ms"
# gunicorn with 2 workers per core, as the BAN runs it (`addok serve` is a one-thread demo).
"$VENV/bin/gunicorn" -w 4 -b "127.0.0.1:$ADDOK_PORT" addok.http.wsgi >"$WORK/addok.log" 2>&1 &
pids+=($!)
"$ROOT/target/release/urbaclic" serve --data "$ROOT/data/ban-adresses-75118" --listen "127.0.0.1:$URB_PORT" >"$WORK/urbaclic.log" 2>&1 &
pids+=($!)
sleep 4

python3 "$HERE/compare.py" "urbaclic=http://127.0.0.1:$URB_PORT" "addok=http://127.0.0.1:$ADDOK_PORT"

# Throughput with 8 concurrent clients on three representative requests: a full address with
# a typo, an autocomplete prefix, a reverse.
for target in "urbaclic $URB_PORT 40000" "addok $ADDOK_PORT 2000"; do
  set -- $target
  for q in "search/?q=18%20rue%20ordenr%2075018%20paris&autocomplete=0" "search/?q=18%20rue%20ord" \
           "reverse/?lon=2.3437&lat=48.8917"; do
    echo "== $1 /$q"
    ab -q -c 8 -n "$3" "http://127.0.0.1:$2/$q" | grep -E "Requests per second|Failed requests|  50%|  99%|100%"
  done
done

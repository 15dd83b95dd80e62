#!/usr/bin/env bash
# Soak: EchoBot `serve` driven at half its measured maximum for MINUTES (default 30) against the minimal
# Bot API, one minute at a time. After each minute: resident memory, that minute's p50/p99 latency and
# errors, the queue's depth (/metrics), the dedup table's rows (read-only), and replies against accepted
# updates. At the end, after the queue drains: every accepted update must have its reply (zero loss).
# Everything on 127.0.0.1. One line per minute:
#   SOAK minute=N rss_mb=R p50_ms=A p99_ms=B rps=S non2xx=X errors=E queue_depth=D dedup_rows=U accepted=T replies=P
#
#   Benchmarks/soak.sh [MINUTES] [RATE]     RATE defaults to half of a 10-second maximum measured first
#
# The dedup table keeps a day of ids by default, so within a half hour it could only grow; the soak runs
# `serve --dedup-window-minutes` (SOAK_DEDUP_WINDOW_MINUTES, default 10) to show it level off.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-30}"
RATE="${2:-}"
DEDUP_WINDOW_MINUTES="${SOAK_DEDUP_WINDOW_MINUTES:-10}"
source Benchmarks/local-servers.sh

run_wrk() { # seconds rate base
  RATE="$2" THREADS=$THREADS CONNECTIONS_PER_THREAD=$((CONNECTIONS / THREADS)) UPDATE_ID_BASE="$3" \
    wrk -t$THREADS -c$CONNECTIONS -d"${1}s" --latency -s Benchmarks/webhook.lua http://127.0.0.1:18093 | grep RESULT
}
metric() { curl -fs http://127.0.0.1:18093/metrics | sed -n "s/^$1 \([0-9.]*\)$/\1/p" | awk '{printf "%d", $1}'; }
dedup_rows() {
  python3 -c 'import sqlite3, sys; db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True); print(db.execute("SELECT COUNT(*) FROM seen_updates").fetchone()[0])' \
    "$WORK/data/ferry.sqlite"
}

$SERVERS telegram --port 18092 & PIDS+=($!)
wait_for http://127.0.0.1:18092/count
TELEGRAM_BOT_TOKEN=123:soak TELEGRAM_API_URL=http://127.0.0.1:18092 TELEGRAM_WEBHOOK_SECRET=$SECRET LOG_LEVEL=error \
  $BIN/EchoBot serve --port 18093 --data-dir "$WORK/data" --dedup-window-minutes "$DEDUP_WINDOW_MINUTES" & BOT=$!; PIDS+=($BOT)
wait_for http://127.0.0.1:18093/healthz
replies_before=$(curl -fs http://127.0.0.1:18092/count)

accepted=0
if [ -z "$RATE" ]; then
  maximum=$(run_wrk 10 0 1)
  if [ "$(echo "$maximum" | field non2xx)" != 0 ]; then echo "serve refused requests: $maximum" >&2; exit 1; fi
  accepted=$(echo "$maximum" | field requests)
  RATE=$(echo "$maximum" | field rps | awk '{printf "%d", $1 / 2}')
  echo "maximum: $maximum"
fi
echo "soak: $MINUTES minutes at $RATE requests/s, dedup window $DEDUP_WINDOW_MINUTES minutes"
for minute in $(seq 1 "$MINUTES"); do
  result=$(run_wrk 60 "$RATE" "$((minute * 1000000000))")
  accepted=$((accepted + $(echo "$result" | field requests) - $(echo "$result" | field non2xx)))
  replies=$(( $(curl -fs http://127.0.0.1:18092/count) - replies_before ))
  echo "SOAK minute=$minute rss_mb=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$BOT/status)" \
    "p50_ms=$(echo "$result" | field p50_ms) p99_ms=$(echo "$result" | field p99_ms) rps=$(echo "$result" | field rps)" \
    "non2xx=$(echo "$result" | field non2xx) errors=$(echo "$result" | field errors) queue_depth=$(metric ferry_queue_depth)" \
    "dedup_rows=$(dedup_rows) accepted=$accepted replies=$replies"
done
# Drain (bounded): every accepted update must get its reply.
for _ in $(seq 1 1200); do
  replies=$(( $(curl -fs http://127.0.0.1:18092/count) - replies_before ))
  [ "$replies" -ge "$accepted" ] && break
  sleep 0.1
done
echo "SOAK_END accepted=$accepted replies=$replies lost=$((accepted > replies ? accepted - replies : 0)) rss_mb=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$BOT/status) peak_rss_mb=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$BOT/status)"

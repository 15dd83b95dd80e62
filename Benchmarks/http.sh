#!/usr/bin/env bash
# The local runtime's HTTP benchmarks (README, "Measured"): webhook ingress against a bare
# Hummingbird route, p99 at half the maximum load, end-to-end updates/s from webhook to reply
# against a minimal Bot API beside the floor of that path (HTTP in and out, nothing else), and the
# bot's resident memory. Everything on 127.0.0.1; every comparison measured side by side in this one run.
#
#   Benchmarks/http.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
source Benchmarks/local-servers.sh

run_wrk() { # port [rate]
  RATE="${2:-0}" THREADS=$THREADS CONNECTIONS_PER_THREAD=$((CONNECTIONS / THREADS)) UPDATE_ID_BASE=$RANDOM$RANDOM \
    wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency -s Benchmarks/webhook.lua "http://127.0.0.1:$1" | grep RESULT
}
rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# CPU time (user + system) a process has used, in clock ticks; the name field may hold spaces, so count from its end.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

echo "== the disk under the data directory: 4 KiB write + fdatasync, as a WAL commit does (500 times)"
disk=$(python3 - "$WORK" <<'PY'
import os, sys, time
fd = os.open(os.path.join(sys.argv[1], "sync-probe"), os.O_CREAT | os.O_WRONLY)
times = []
for _ in range(500):
    os.write(fd, b"x" * 4096)
    start = time.perf_counter(); os.fdatasync(fd); times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"fdatasync_p50_ms={times[250]:.2f} fdatasync_p99_ms={times[495]:.2f}")
PY
)
echo "$disk"

echo "== bare Hummingbird route (reads the body, answers 200)"
$SERVERS bare --port 18081 & PIDS+=($!)
sleep 0.5
bare=$(run_wrk 18081); echo "$bare"
kill "${PIDS[-1]}"

echo "== webhook ingress alone: the same checks and durable enqueue as serve, no dispatcher"
$SERVERS ingress --port 18084 --data-dir "$WORK/ingress" & PIDS+=($!)
sleep 0.5
alone=$(run_wrk 18084); echo "$alone"
alone_half=$(echo "$alone" | field rps | awk '{printf "%d", $1 / 2}')
alone_paced=$(run_wrk 18084 "$alone_half"); echo "at half its maximum load ($alone_half requests/s): $alone_paced"
kill "${PIDS[-1]}"

echo "== minimal Bot API for the bot's replies"
$SERVERS telegram --port 18082 & TELEGRAM=$!; PIDS+=($TELEGRAM)
wait_for http://127.0.0.1:18082/count

echo "== the floor of an end-to-end update: webhook in, one sendMessage out through TelegramClient, nothing else"
$SERVERS relay --port 18085 --api http://127.0.0.1:18082 & RELAY=$!; PIDS+=($RELAY)
sleep 0.5
calls_before=$(curl -fs http://127.0.0.1:18082/count); relay_cpu_before=$(cpu_ticks $RELAY); api_cpu_before=$(cpu_ticks $TELEGRAM)
relay=$(run_wrk 18085); echo "$relay"
relay_calls=$(( $(curl -fs http://127.0.0.1:18082/count) - calls_before ))
relay_cpu=$(echo "$(cpu_ticks $RELAY) $relay_cpu_before $(getconf CLK_TCK) $relay_calls" | awk '{printf "%.0f", ($1 - $2) / $3 * 1e6 / $4}')
api_cpu=$(echo "$(cpu_ticks $TELEGRAM) $api_cpu_before $(getconf CLK_TCK) $relay_calls" | awk '{printf "%.0f", ($1 - $2) / $3 * 1e6 / $4}')
echo "CPU per update: relay $relay_cpu µs, minimal Bot API $api_cpu µs"
kill "$RELAY"

echo "== EchoBot serve: durable enqueue (SQLite, fsync per group commit) + dispatcher + replies"
TELEGRAM_BOT_TOKEN=123:bench TELEGRAM_API_URL=http://127.0.0.1:18082 TELEGRAM_WEBHOOK_SECRET=$SECRET LOG_LEVEL=error \
  $BIN/EchoBot serve --port 18083 --data-dir "$WORK/data" & BOT=$!; PIDS+=($BOT)
wait_for http://127.0.0.1:18083/healthz
before=$(curl -fs http://127.0.0.1:18082/count)
cpu_before=$(cpu_ticks $BOT)
start=$(date +%s.%N)
ingress=$(run_wrk 18083); echo "$ingress"
accepted=$(echo "$ingress" | field requests)
# Wait (bounded) until every accepted update has its reply.
for _ in $(seq 1 600); do
  replies=$(( $(curl -fs http://127.0.0.1:18082/count) - before ))
  [ "$replies" -ge "$accepted" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
cpu_per_update=$(echo "$(cpu_ticks $BOT) $cpu_before $(getconf CLK_TCK) $replies" | awk '{printf "%.0f", ($1 - $2) / $3 * 1e6 / $4}')
e2e=$(echo "$replies $start $end" | awk '{printf "%.0f", $1 / ($3 - $2)}')
echo "end-to-end: $replies replies for $accepted accepted updates in $(echo "$start $end" | awk '{printf "%.1f", $2 - $1}') s = $e2e updates/s"
echo "resident memory (peak): $(rss_mb $BOT) MB"
echo "bot CPU per update (user + system): $cpu_per_update µs"

bare_rps=$(echo "$bare" | field rps); ingress_rps=$(echo "$ingress" | field rps)
half=$(echo "$ingress_rps" | awk '{printf "%d", $1 / 2}')
echo "== EchoBot at half its maximum load ($half requests/s)"
paced=$(run_wrk 18083 "$half"); echo "$paced"
echo "resident memory (peak): $(rss_mb $BOT) MB"

echo
alone_rps=$(echo "$alone" | field rps)
echo "SUMMARY bare_rps=$bare_rps ingress_alone_rps=$alone_rps alone_ratio=$(echo "$alone_rps $bare_rps" | awk '{printf "%.2f", $1 / $2}')" \
  "alone_half_load_p99_ms=$(echo "$alone_paced" | field p99_ms) ingress_rps=$ingress_rps ratio=$(echo "$ingress_rps $bare_rps" | awk '{printf "%.2f", $1 / $2}')" \
  "ingress_p99_ms=$(echo "$ingress" | field p99_ms) half_load_p50_ms=$(echo "$paced" | field p50_ms) half_load_p99_ms=$(echo "$paced" | field p99_ms)" \
  "relay_floor_rps=$(echo "$relay" | field rps) relay_cpu_us=$relay_cpu bot_api_cpu_us=$api_cpu" \
  "$disk e2e_updates_per_s=$e2e cpu_us_per_update=$cpu_per_update peak_rss_mb=$(rss_mb $BOT)"

#!/usr/bin/env bash
# The AWS capacity and cost model (issue 14, item 5; docs/scaling.md): the real bootstrap under a Lambda Runtime
# API emulator on 127.0.0.1 (FerryBenchServers lambda), whose Bot API answers after a set latency, as Telegram
# does from an AWS region.
#   - consumer: SQS FIFO batches of 1 and of 10 records spread over 1, 2, 5 and 10 chats (message groups), at a
#     Bot API latency of 50, 100 and 200 ms; per case the invocation duration (median and p90, as Lambda bills
#     it: event handed out to response posted), the CPU per record (user+system of the process, a start that
#     serves nothing subtracted), and from them updates/s per consumer instance, per stage at
#     MaximumConcurrency 10, 100 and 1000, billed GB-s and dollars per million updates;
#   - webhook: the function URL role enqueueing each update into an SQS stand-in answering after SQS_MS;
#   - the assumptions (memory, architecture, list prices) are printed with the figures.
#
#   Benchmarks/aws-scale.sh [bootstrap binary]    default: builds .build-bootstrap/release/EchoBot as `deploy` does
# Environment: LATENCIES ("50 100 200"), CASES ("1x1 10x1 10x2 10x5 10x10": records x chats), RECORDS (records
# per case, 100), SQS_MS (10), MEMORY_MB (256), PORT (18091).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
source Benchmarks/bench-package.sh
source Benchmarks/lambda-emulator.sh
bootstrap_binary "${1:-}"
PORT="${PORT:-18091}"
LATENCIES="${LATENCIES:-50 100 200}"
CASES="${CASES:-1x1 10x1 10x2 10x5 10x10}"
RECORDS="${RECORDS:-100}"
SQS_MS="${SQS_MS:-10}"
MEMORY_MB="${MEMORY_MB:-256}"
start_lambda_emulator "$PORT"

export AWS_LAMBDA_RUNTIME_API="127.0.0.1:$PORT" TELEGRAM_API_URL="http://127.0.0.1:$PORT" \
  TELEGRAM_BOT_TOKEN="123456:bench-token" TELEGRAM_WEBHOOK_SECRET="bench-secret" \
  QUEUE_URL="http://127.0.0.1:$PORT/000000000000/bench.fifo" \
  DEAD_LETTER_QUEUE_URL="http://127.0.0.1:$PORT/000000000000/bench-dlq.fifo" AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" \
  AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIABENCH AWS_SECRET_ACCESS_KEY=bench LOG_LEVEL=warning

# events.py RECORDS CHATS FILE: one SQS event, record i in chat i % CHATS (so each chat's records are in order);
# events.py webhook FILE: one function URL request carrying one update, with the webhook secret.
cat >"$WORK/events.py" <<'PY'
import json, sys

def update(index, chat):
    return {"update_id": 1000 + index, "message": {"message_id": index + 1, "date": 1700000000,
            "chat": {"id": chat, "type": "private", "first_name": "Ada"},
            "from": {"id": chat, "is_bot": False, "first_name": "Ada"}, "text": f"hello {index}"}}

if sys.argv[1] == "webhook":
    body = json.dumps(update(0, 500))
    event = {"version": "2.0", "rawPath": "/", "rawQueryString": "", "isBase64Encoded": False, "body": body,
             "headers": {"content-type": "application/json", "x-telegram-bot-api-secret-token": "bench-secret"},
             "requestContext": {"accountId": "000000000000", "apiId": "bench", "domainName": "bench.lambda-url.us-east-1.on.aws",
                                "requestId": "bench", "timeEpoch": 1700000000000,
                                "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "91.108.6.1"}}}
    json.dump(event, open(sys.argv[2], "w"))
    sys.exit(0)
count, chats = int(sys.argv[1]), int(sys.argv[2])
records = []
for index in range(count):
    chat = 500 + index % chats
    records.append({"messageId": f"m-{index}", "receiptHandle": f"r-{index}", "body": json.dumps(update(index, chat)),
                    "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": f"chat:{chat}",
                                   "MessageDeduplicationId": str(1000 + index), "SentTimestamp": "1700000000000"},
                    "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:bench.fifo", "awsRegion": "us-east-1"})
json.dump({"Records": records}, open(sys.argv[3], "w"))
PY

# run ROLE EVENT INVOCATIONS BOT_MS: the bootstrap serves INVOCATIONS events, then exits (next answers 500);
# prints "user_s system_s responses errors", and leaves the durations in $WORK/durations.
run() {
  curl -fs -X POST "http://127.0.0.1:$PORT/bench/reset?invocations=$3&bot_latency_ms=$4&sqs_latency_ms=$SQS_MS" \
    --data-binary "@$2" >/dev/null
  _HANDLER="$1" /usr/bin/time -f "%U %S" -o "$WORK/time" "$BIN" >/dev/null 2>"$WORK/log" || true
  local stats; stats=$(curl -fs "http://127.0.0.1:$PORT/bench/stats")
  curl -fs "http://127.0.0.1:$PORT/bench/durations" >"$WORK/durations"
  local responses errors sqs_calls
  responses=$(sed -n 's/.*responses=\([0-9]*\).*/\1/p' <<<"$stats")
  errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$stats")
  sqs_calls=$(sed -n 's/.*sqs_calls=\([0-9]*\).*/\1/p' <<<"$stats")
  if [ "$responses" != "$3" ]; then
    echo "only $responses of $3 invocations were answered ($errors errors):" >&2; cat "$WORK/log" >&2; exit 1
  fi
  # Only answers that did the work are measured: the webhook stored each update (200, one SQS call each), the
  # consumer handled its whole batch (no batch item failures).
  local expected='"batchItemFailures":[]'
  [ "$1" = webhook ] && expected='"statusCode":200'
  if [ "$3" != 0 ] && ! grep -qF "$expected" <<<"$stats"; then
    echo "the last $1 invocation did not succeed: $stats" >&2; cat "$WORK/log" >&2; exit 1
  fi
  if [ "$1" = webhook ] && [ "$sqs_calls" != "$3" ]; then
    echo "the webhook sent $sqs_calls of $3 updates to SQS: $stats" >&2; cat "$WORK/log" >&2; exit 1
  fi
  echo "$(tail -n 1 "$WORK/time") $responses $errors"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average before: $(load)"
python3 "$WORK/events.py" 1 1 "$WORK/empty.json"
idle_cpu=$(for _ in 1 2 3; do run consumer "$WORK/empty.json" 0 0; done | awk '{s += $1 + $2} END {printf "%.4f", s / NR}')
echo "CPU of a start that serves nothing (subtracted below): ${idle_cpu} s"

: >"$WORK/results"
for latency in $LATENCIES; do
  for case in $CASES; do
    records=${case%x*}; chats=${case#*x}
    invocations=$(( (RECORDS + records - 1) / records ))
    python3 "$WORK/events.py" "$records" "$chats" "$WORK/event.json"
    read -r user system _ _ < <(run consumer "$WORK/event.json" "$invocations" "$latency")
    sort -n "$WORK/durations" | awk -v l="$latency" -v r="$records" -v c="$chats" -v n="$invocations" \
      -v cpu="$(python3 -c "print($user + $system - $idle_cpu)")" -v load="$(load | cut -d' ' -f1)" \
      '{d[NR] = $1} END {print l, r, c, n, d[int((NR + 1) / 2)], d[int(NR * 0.9 + 0.5)], cpu, load}' >>"$WORK/results"
  done
done

python3 "$WORK/events.py" webhook "$WORK/webhook.json"
read -r wuser wsystem _ _ < <(run webhook "$WORK/webhook.json" "$RECORDS" 0)
webhook_ms=$(sort -n "$WORK/durations" | awk '{d[NR] = $1} END {printf "%.1f", d[int((NR + 1) / 2)] / 1000}')
webhook_cpu_us=$(python3 -c "print(f'{($wuser + $wsystem - $idle_cpu) / $RECORDS * 1e6:.0f}')")
echo "== load average after: $(load)"

python3 - "$WORK/results" "$MEMORY_MB" "$webhook_ms" "$webhook_cpu_us" "$SQS_MS" <<'PY'
import math, sys
rows = [line.split() for line in open(sys.argv[1])]
memory_mb, webhook_ms, webhook_cpu_us, sqs_ms = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
memory_gb = memory_mb / 1024
price = {"x86_64": 0.0000166667, "arm64": 0.0000133334}  # Lambda, per GB-s (us-east-1 list price)
per_request = 0.20 / 1e6                                  # Lambda, per request
sqs_fifo = 0.50 / 1e6                                     # SQS FIFO, per request (64 KB chunk)
million = 1e6

def billed_ms(ms):  # Lambda bills duration in whole milliseconds, rounded up
    return math.ceil(ms)

print(f"\nAssumptions: {memory_mb} MB functions; Lambda ${price['x86_64']}/GB-s on x86_64 and ${price['arm64']}/GB-s on arm64,")
print(f"${per_request * million:.2f} per million requests; SQS FIFO ${sqs_fifo * million:.2f} per million requests: one SendMessage per")
print("update (the webhook) and one ReceiveMessage and one DeleteMessageBatch per batch (Lambda's poller); every record")
print(f"succeeds; no cold starts; the webhook billed its measured median ({webhook_ms} ms, SQS answering after {sqs_ms} ms,")
print(f"{webhook_cpu_us:.0f} µs CPU per update); the Lambda poller's empty receives of an idle queue, logs and data transfer not included.")
print("Stage throughput is MaximumConcurrency x one instance's updates/s, when at least that many chats have updates waiting")
print("(SQS FIFO gives one message group to one batch at a time).\n")

print("| Bot API | batch | chats | invocation median (p90) | CPU per record | updates/s per instance | per stage at MC 10 / 100 / 1000 | GB-s per million updates | $ per million updates x86_64 (arm64) | load |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
webhook_gbs = billed_ms(webhook_ms) / 1000 * memory_gb * million
summary = []
for latency, records, chats, invocations, median_us, p90_us, cpu_s, load in rows:
    records, chats, invocations = int(records), int(chats), int(invocations)
    median_ms, p90_ms = float(median_us) / 1000, float(p90_us) / 1000
    cpu_us = float(cpu_s) / (records * invocations) * 1e6
    per_instance = records / (median_ms / 1000)
    stage = " / ".join(f"{per_instance * mc:,.0f}" for mc in (10, 100, 1000))
    batches = million / records
    consumer_gbs = batches * billed_ms(median_ms) / 1000 * memory_gb
    costs = {}
    for arch, gbs_price in price.items():
        lambda_cost = (million + batches) * per_request + (consumer_gbs + webhook_gbs) * gbs_price
        sqs_cost = (million + 2 * batches) * sqs_fifo
        costs[arch] = lambda_cost + sqs_cost
    print(f"| {latency} ms | {records} | {chats} | {median_ms:,.1f} ms ({p90_ms:,.1f}) | {cpu_us:,.0f} µs | {per_instance:,.1f} | {stage} |"
          f" {consumer_gbs:,.0f} + {webhook_gbs:,.0f} webhook | ${costs['x86_64']:.2f} (${costs['arm64']:.2f}) | {load} |")
    summary.append((latency, records, chats, costs["x86_64"]))

print("\nPer month (30 days) at a sustained rate, x86_64, from the dollars per million updates above:")
print("| Bot API | batch | chats | 100 updates/s | 1,000 updates/s | 10,000 updates/s |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for latency, records, chats, cost in summary:
    months = [cost * rate * 86400 * 30 / million for rate in (100, 1000, 10000)]
    print(f"| {latency} ms | {records} | {chats} | " + " | ".join(f"${m:,.0f}" for m in months) + " |")
PY

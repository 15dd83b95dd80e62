#!/usr/bin/env bash
# The Lambda benchmarks (issue 5, item 12; README, "Measured"): the real bootstrap against a Lambda Runtime API
# emulator on 127.0.0.1 (FerryBenchServers lambda, which is also the Bot API the handlers answer through).
#   - init: process start to the first `next` call, consumer role, token from the environment (on AWS the
#     token comes from SSM: one more request, in-region, at each cold start);
#   - consumer CPU per record: user+system time of a bootstrap that handles N SQS batches of 10 records
#     (one EchoBot reply each, 10 message groups), minus that of one that handles none, divided by the records;
#   - the zipped bootstrap, deflated at level 9 as `deploy` packages it;
#   - a cost estimate per million updates from those figures and AWS list prices (printed with its assumptions).
#
#   Benchmarks/lambda.sh [bootstrap binary]   default: builds .build-bootstrap/release/EchoBot as `deploy` does
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
source Benchmarks/bench-package.sh
source Benchmarks/lambda-emulator.sh
bootstrap_binary "${1:-}"
PORT="${PORT:-18090}"
RUNS="${RUNS:-20}"
BATCHES="${BATCHES:-300}"
start_lambda_emulator "$PORT"

export AWS_LAMBDA_RUNTIME_API="127.0.0.1:$PORT" TELEGRAM_API_URL="http://127.0.0.1:$PORT" _HANDLER=consumer \
  TELEGRAM_BOT_TOKEN="123456:bench-token" QUEUE_URL="http://127.0.0.1:9/000000000000/bench.fifo" \
  DEAD_LETTER_QUEUE_URL="http://127.0.0.1:9/000000000000/bench-dlq.fifo" AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=AKIABENCH AWS_SECRET_ACCESS_KEY=bench LOG_LEVEL=warning

python3 - "$WORK/batch.json" <<'PY'
import json, sys
records = []
for index in range(10):
    update = {"update_id": 1000 + index, "message": {"message_id": index + 1, "date": 1700000000,
              "chat": {"id": 500 + index, "type": "private", "first_name": "Ada"},
              "from": {"id": 500 + index, "is_bot": False, "first_name": "Ada"}, "text": f"hello {index}"}}
    records.append({"messageId": f"m-{index}", "receiptHandle": f"r-{index}", "body": json.dumps(update),
                    "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": f"chat:{500 + index}",
                                   "MessageDeduplicationId": str(1000 + index), "SentTimestamp": "1700000000000"},
                    "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:bench.fifo", "awsRegion": "us-east-1"})
json.dump({"Records": records}, open(sys.argv[1], "w"))
PY

# Runs the bootstrap once with `invocations` batches to serve; prints "init_ms user_s system_s responses".
run_once() { # invocations
  curl -fs -X POST "http://127.0.0.1:$PORT/bench/reset?invocations=$1" --data-binary "@$WORK/batch.json" >/dev/null
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%U %S" -o "$WORK/time" "$BIN" >/dev/null 2>"$WORK/log" || true  # ends when next answers 500
  local stats; stats=$(curl -fs "http://127.0.0.1:$PORT/bench/stats")
  local first; first=$(sed -n 's/.*first_next_ns=\([0-9]*\).*/\1/p' <<<"$stats")
  local responses; responses=$(sed -n 's/.*responses=\([0-9]*\).*/\1/p' <<<"$stats")
  [ -n "$first" ] || { echo "the bootstrap never called next:" >&2; cat "$WORK/log" >&2; exit 1; }
  python3 -c "import sys; print(f'{(int(sys.argv[1]) / 1e6) - float(sys.argv[2]) * 1e3:.2f}', sys.argv[3], sys.argv[4], sys.argv[5])" \
    "$first" "$start" $(tail -n 1 "$WORK/time") "$responses"
}

echo "== init: process start to the first next call ($RUNS cold starts)"
for _ in $(seq 1 "$RUNS"); do run_once 0; done >"$WORK/init"
init_ms=$(cut -d' ' -f1 "$WORK/init" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
init_p90=$(cut -d' ' -f1 "$WORK/init" | sort -n | awk '{a[NR]=$1} END {print a[int(NR * 0.9 + 0.5)]}')
idle_cpu=$(awk '{s += $2 + $3} END {printf "%.4f", s / NR}' "$WORK/init")
echo "init median ${init_ms} ms, p90 ${init_p90} ms; CPU of a start that serves nothing: ${idle_cpu} s"

echo "== consumer CPU per record ($BATCHES batches of 10 records, 3 runs)"
for _ in 1 2 3; do run_once "$BATCHES"; done >"$WORK/busy"
awk -v batches="$BATCHES" '$4 != batches { print "only " $4 " of " batches " batches were answered" > "/dev/stderr"; exit 1 }' "$WORK/busy"
cpu_us=$(awk -v idle="$idle_cpu" -v records=$((BATCHES * 10)) \
  '{ v = ($2 + $3 - idle) / records * 1e6; if (best == "" || v < best) best = v } END {printf "%.1f", best}' "$WORK/busy")
echo "consumer CPU per record: ${cpu_us} µs (best of 3; user+system, init subtracted; includes the reply's HTTP call)"

echo "== zipped bootstrap"
size_bytes=$(stat -c %s "$BIN")
zip_bytes=$(python3 -c "
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z: z.write(sys.argv[1], 'bootstrap')
print(os.path.getsize(sys.argv[2]))" "$BIN" "$WORK/bootstrap.zip")
# MiB, as AWS counts its Lambda package limits ("50 MB zipped" is 52,428,800 bytes); the bytes too.
echo "bootstrap $size_bytes bytes ($(python3 -c "print(f'{$size_bytes / 1048576:.1f}')") MiB)," \
  "zipped $zip_bytes bytes ($(python3 -c "print(f'{$zip_bytes / 1048576:.2f}')") MiB)"

echo "== cost per million updates (AWS list prices, us-east-1 and eu-west-1 alike)"
python3 - "$init_ms" "$cpu_us" <<'PY'
import sys
init_ms, cpu_us = float(sys.argv[1]), float(sys.argv[2])
memory_gb = 256 / 1024                 # BotStack's default memory
gb_second = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
per_request = 0.20 / 1e6               # Lambda requests
sqs_fifo = 0.50 / 1e6                  # SQS FIFO requests (per 64 KB chunk)
logs_gb = 0.50                         # CloudWatch Logs ingestion
out_gb = 0.09                          # data transfer out (the replies to Telegram)
# Assumptions, per update: one reply; batches of one (low traffic; busier bots batch up to 10, which cuts
# consumer invocations and SQS receive/delete calls); webhook billed 10 ms (SQS SendMessage in-region);
# consumer billed 40 ms of waiting on the Bot API plus the measured CPU; 1 cold start per 1000 invocations,
# billed for the measured init plus 20 ms for the SSM read of the token; 3 SQS requests (send, receive,
# delete); ~300 bytes of Lambda platform log lines per invocation; ~1 KB sent to Telegram.
cold = 1 / 1000
webhook_s = 0.010 + cold * init_ms / 1000
consumer_s = 0.040 + cpu_us / 1e6 + cold * (init_ms + 20) / 1000
for arch, price in gb_second.items():
    lambda_cost = 2 * per_request * 1e6 + (webhook_s + consumer_s) * memory_gb * price * 1e6
    sqs_cost = 3 * sqs_fifo * 1e6
    logs_cost = 2 * 300 * 1e6 / 1e9 * logs_gb
    transfer_cost = 1e3 * 1e6 / 1e9 * out_gb
    total = lambda_cost + sqs_cost + logs_cost + transfer_cost
    print(f"{arch}: Lambda ${lambda_cost:.2f} + SQS ${sqs_cost:.2f} + logs ${logs_cost:.2f} + transfer ${transfer_cost:.2f}"
          f" = ${total:.2f} per million updates")
PY

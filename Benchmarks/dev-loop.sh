#!/usr/bin/env bash
# The dev loop's edit-to-answer time on EchoBot: from saving a one-line change of its echo reply to the new
# reply in the playground. Runs `EchoBot dev` from the repository root (build EchoBot first:
# `swift build --product EchoBot`), changes the reply three times, and restores the file when done.
#
#   Benchmarks/dev-loop.sh [rounds]        PORT=8181 by default
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
rounds=${1:-3}
port=${PORT:-8181}
work=$(mktemp -d)
file=Examples/ExampleBots/EchoBotExample.swift
cp "$file" "$work/original.swift"
base="http://127.0.0.1:$port/playground/api"

.build/debug/EchoBot dev --port "$port" --data-dir "$work/data" > "$work/dev.log" 2>&1 &
dev=$!
finish() {
    cp "$work/original.swift" "$file"
    kill -INT "$dev" 2>/dev/null || true
    wait "$dev" 2>/dev/null || true
    echo "dev's log: $work/dev.log"
}
trap finish EXIT

for _ in $(seq 1 1200); do
    curl -sf "$base/world" > "$work/world.json" 2>/dev/null && break
    sleep 0.5
done
user=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["users"][0]["id"])' "$work/world.json")
send() {
    curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"chatID\":$user,\"userID\":$user,\"text\":\"$1\"}" "$base/messages" > /dev/null 2>&1 || true
}
now() { python3 -c 'import time; print(time.time())'; }

for round in $(seq 1 "$rounds"); do
    marker="Round $round says:"
    python3 - "$file" "$marker" <<'PY'
import re, sys
path, marker = sys.argv[1], sys.argv[2]
source = open(path).read()
changed = re.sub(r'ctx\.reply\("[^"]*\\\(text\)"', 'ctx.reply("%s \\\\(text)"' % marker, source, count=1)
assert changed != source, "the echo reply was not found"
open(path, "w").write(changed)
PY
    saved=$(now)
    # Ask every 250 ms (a message sent while the bot restarts is answered after it) until the new reply shows.
    for attempt in $(seq 1 2400); do
        send "ping $round.$attempt"
        if curl -sf "$base/chats/$user/messages" | grep -q "$marker ping $round\."; then break; fi
        sleep 0.25
    done
    answered=$(now)
    python3 -c "print('round $round: %.1f s from saving the change to the new reply in the playground' % ($answered - $saved))"
done
grep -E "^dev: built in" "$work/dev.log" | sed 's/^/  /'

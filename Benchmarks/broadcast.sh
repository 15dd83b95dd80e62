#!/usr/bin/env bash
# Issue 20's throttle measurement: a broadcast to 1,000 private chats (or $1) through ThrottledBotAPI, to the Bot API
# simulator in process with Telegram's flood limits on, then the same broadcast unthrottled. Prints the 429s met
# and the time taken next to the least Telegram's 30 messages a second allow (docs/plugins.md quotes it).
# The time is set by the limits, not the CPU, so the debug build that `swift build` leaves is enough.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/bench-package.sh
build_bench --product FerryBenchmarks
FERRY_BENCHMARK=broadcast FERRY_BROADCAST_CHATS="${1:-1000}" Benchmarks/.build/debug/FerryBenchmarks

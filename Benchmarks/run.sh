#!/usr/bin/env bash
# Runs Ferry's benchmarks in release mode and prints their figures (quoted in the README).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product FerryBenchmarks
# One core, as the targets are stated per core.
taskset -c 0 .build/release/FerryBenchmarks "${1:-../shared/telegram/updates}"

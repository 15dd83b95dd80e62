#!/usr/bin/env bash
# Runs Ferry's benchmarks in release mode and prints their figures (quoted in the README).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/bench-package.sh
build_bench -c release --product FerryBenchmarks
# One core, as the targets are stated per core.
taskset -c 0 Benchmarks/.build/release/FerryBenchmarks "${1:-../shared/telegram/updates}"

# Sourced by the benchmarks that drive the local runtime over HTTP (http.sh, soak.sh): builds the release
# binaries (EchoBot in $BIN, FerryBenchServers as $SERVERS), makes a scratch directory and stops every
# process started in PIDS on exit. Also:
#   wait_for URL        until it answers (10 s at most)
#   field NAME          the NAME=value number in a RESULT line on stdin
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
export PATH="/opt/swift/usr/bin:$PATH"
THREADS=2
CONNECTIONS=32
# The webhook secret `serve` checks: webhook.lua sends it with every request, as Telegram does.
export SECRET=ferry-bench-secret
swift build -c release --product EchoBot >/dev/null
source Benchmarks/bench-package.sh
build_bench -c release --product FerryBenchServers >/dev/null
BIN=.build/release
SERVERS=Benchmarks/.build/release/FerryBenchServers
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

wait_for() { # url
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done
  echo "no answer from $1" >&2; exit 1
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

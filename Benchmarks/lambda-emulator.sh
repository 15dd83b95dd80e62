# Sourced by the scripts that run a Lambda bootstrap against the Runtime API emulator (lambda.sh, aws-scale.sh):
#   bootstrap_binary [path]        sets BIN: the path given, or .build-bootstrap/release/EchoBot built as `deploy` does
#   start_lambda_emulator PORT     starts FerryBenchServers' Runtime API emulator on 127.0.0.1:PORT, waits until it
#                                  answers, and makes a scratch directory WORK; both go when the script exits
# Both need the repository root as the working directory and Benchmarks/bench-package.sh sourced.
bootstrap_binary() {
  BIN="${1:-}"
  if [ -z "$BIN" ]; then
    # The same arguments as BootstrapBuild.arguments (Sources/FerryDeploy/Deploy/BootstrapBuild.swift).
    swift build -c release --product EchoBot --scratch-path .build-bootstrap --static-swift-stdlib -Xswiftc -Osize \
      -Xlinker -l_FoundationCollections -Xlinker -l_FoundationCShims -Xlinker --no-export-dynamic -Xlinker --strip-all \
      >/dev/null
    BIN=.build-bootstrap/release/EchoBot
  fi
}

start_lambda_emulator() {
  build_bench --product FerryBenchServers >/dev/null 2>&1
  local servers
  servers="$(swift build --package-path Benchmarks --show-bin-path)/FerryBenchServers"
  WORK="$(mktemp -d)"
  EMULATOR=""
  trap '[ -n "$EMULATOR" ] && kill "$EMULATOR" 2>/dev/null; rm -rf "$WORK"' EXIT
  "$servers" lambda --port "$1" & EMULATOR=$!
  for _ in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$1/bench/stats" && return 0; sleep 0.05; done
  echo "the Runtime API emulator did not answer on port $1" >&2
  exit 1
}

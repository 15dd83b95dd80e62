# Sourced by the scripts that run the benchmark executables (FerryBenchmarks, FerryBenchServers), which live in
# the package Benchmarks/Package.swift, not in the main one:
#   build_bench [swift build arguments]   builds in Benchmarks/.build
# A first build there resolves the same dependency versions as the main package's, and works offline when the
# main package's build has its checkouts.
build_bench() {
  if [ ! -d Benchmarks/.build/checkouts ] && [ -d .build/checkouts ]; then
    mkdir -p Benchmarks/.build
    cp -a .build/checkouts .build/repositories Benchmarks/.build/ 2>/dev/null || true
    cp .build/workspace-state.json Benchmarks/.build/ 2>/dev/null || true
  fi
  [ -f Benchmarks/Package.resolved ] || { [ -f Package.resolved ] && cp Package.resolved Benchmarks/Package.resolved; } || true
  swift build --package-path Benchmarks "$@"
}

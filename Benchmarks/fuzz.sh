#!/usr/bin/env bash
# Runs one libFuzzer target of Fuzz/ (the parsers that face the internet) for MINUTES, built with
# -sanitize=fuzzer,address in its own scratch path (.build-fuzz), outside `swift build` and `swift test`.
# Seeds are read in place from ../shared (never copied); what the fuzzer adds goes to
# .build-fuzz/corpus/TARGET, crashes to .build-fuzz/crashes/TARGET. The last line sums up the run:
#   fuzz TARGET: N runs in S s (R exec/s), coverage C, features F, corpus K, crashes X
#
#   Benchmarks/fuzz.sh TARGET MINUTES     targets: routing-keys update-decoding webhook-ingress
#                                                  lambda-events sigv4 simulator-forms
#   FUZZ_BUILT=1 skips the build (the binary in .build-fuzz/release is used as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
TARGET="${1:?usage: Benchmarks/fuzz.sh TARGET MINUTES}"
MINUTES="${2:?usage: Benchmarks/fuzz.sh TARGET MINUTES}"
SHARED="$PWD/../shared"
SCRATCH="$PWD/.build-fuzz"

case "$TARGET" in
  routing-keys|update-decoding|webhook-ingress) SEEDS=("$SHARED/telegram/updates") ;;
  lambda-events) SEEDS=("$SHARED/aws/lambda-events") ;;
  sigv4) SEEDS=("$SHARED"/aws/sigv4/v4/*/) ;;
  simulator-forms) SEEDS=() ;;
  *) echo "unknown target $TARGET" >&2; exit 2 ;;
esac

# The fuzz package resolves the main package's dependencies; offline, it starts from the default build's.
if [ ! -d "$SCRATCH/checkouts" ] && [ -d .build/checkouts ]; then
  mkdir -p "$SCRATCH"
  cp -a .build/checkouts .build/repositories "$SCRATCH/"
  cp .build/workspace-state.json "$SCRATCH/" 2>/dev/null || true
  [ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
fi
if [ "${FUZZ_BUILT:-}" != 1 ]; then
  swift build --package-path Fuzz --scratch-path "$SCRATCH" -c release --product "$TARGET" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing 2>&1 | tail -n 3
fi
BINARY="$SCRATCH/release/$TARGET"

CORPUS="$SCRATCH/corpus/$TARGET"
CRASHES="$SCRATCH/crashes/$TARGET"
mkdir -p "$CORPUS" "$CRASHES"
if [ "$TARGET" = simulator-forms ] && [ -z "$(ls -A "$CORPUS")" ]; then
  # No form bodies among the shared samples: two written here, as a client sends them.
  printf 'chat_id=42&text=hello%%20there&parse_mode=HTML&reply_markup=%%7B%%22inline_keyboard%%22%%3A%%5B%%5D%%7D' > "$CORPUS/seed-form"
  printf -- '--b0undary\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n42\r\n--b0undary\r\nContent-Disposition: form-data; name="photo"; filename="cat.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0 jpeg bytes\r\n--b0undary--\r\n' > "$CORPUS/seed-multipart"
fi
LOG="$SCRATCH/fuzz-$TARGET.log"
# -timeout: one input taking 10 s is a hang, and a finding. -rss_limit_mb: a leak or a blow-up is one too.
set +e
nice -n 10 "$BINARY" "$CORPUS" "${SEEDS[@]}" -max_total_time=$((MINUTES * 60)) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$CRASHES/" -print_final_stats=1 > "$LOG" 2>&1
STATUS=$?
set -e
STATS=$(grep -E '^(#[0-9]+|stat::)' "$LOG" | tail -n 20)
RUNS=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
SECONDS_RUN=$(sed -n 's/^stat::.*_time.*: *//p' "$LOG" | tail -n 1)
LAST=$(grep -E '^#[0-9]+' "$LOG" | tail -n 1)
COVERAGE=$(echo "$LAST" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
FEATURES=$(echo "$LAST" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
CORPUS_SIZE=$(echo "$LAST" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
EXECS=$(echo "$LAST" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p')
FOUND=$(ls "$CRASHES" | wc -l)
echo "$STATS" | tail -n 3
echo "fuzz $TARGET: ${RUNS:-?} runs in $((MINUTES * 60)) s (${EXECS:-?} exec/s), coverage ${COVERAGE:-?}, features ${FEATURES:-?}, corpus ${CORPUS_SIZE:-?}, crashes $FOUND (exit $STATUS; log $LOG)"
exit "$STATUS"

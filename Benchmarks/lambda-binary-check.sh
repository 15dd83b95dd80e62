#!/usr/bin/env bash
# Checks that a bot binary can be the Lambda bootstrap on Amazon Linux 2023 (issue 5, item 10):
#   - no glibc symbol newer than 2.34 (AL2023's glibc), no libstdc++ symbol newer than GCC 11's (3.4.29);
#   - no shared library beyond glibc's, libgcc_s, libstdc++ and zlib (so no system SQLite);
#   - FoundationEssentials only: neither full Foundation nor ICU's data linked in.
# Cheap: give it a binary built with --static-swift-stdlib. The debug build links the same libraries
# and symbols as the release build, so CI can check a relink of what it built anyway:
#   swift build --static-swift-stdlib --product EchoBot && Benchmarks/lambda-binary-check.sh .build/debug/EchoBot
#
#   Benchmarks/lambda-binary-check.sh [binary, default .build/release/EchoBot]
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY="${1:-.build/release/EchoBot}"
[ -x "$BINARY" ] || { echo "no executable at $BINARY" >&2; exit 2; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

newest() { # prefix: the newest version of a symbol-version family the binary asks for
  objdump -T "$BINARY" | grep -o "($1_[0-9.]*)\| $1_[0-9.]* " | tr -d '() ' | sort -u -V | tail -n 1
}
glibc=$(newest GLIBC)
echo "newest glibc symbol version: ${glibc:-none}"
too_new=$(objdump -T "$BINARY" | grep -E "GLIBC_2\.(3[5-9]|[4-9][0-9])" || true)
[ -z "$too_new" ] || fail "symbols newer than glibc 2.34 (Amazon Linux 2023):"$'\n'"$too_new"
glibcxx=$(newest GLIBCXX)
echo "newest libstdc++ symbol version: ${glibcxx:-none}"
if [ -n "$glibcxx" ] && [ "$(printf '%s\n' "$glibcxx" GLIBCXX_3.4.29 | sort -V | tail -n 1)" != GLIBCXX_3.4.29 ]; then
  fail "libstdc++ symbols newer than GCC 11's (GLIBCXX_3.4.29): $glibcxx"
fi

allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12]|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libz\.so\.1)$'
needed=$(readelf -d "$BINARY" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
echo "shared libraries: $(echo $needed)"
for library in $needed; do
  [[ "$library" =~ $allowed ]] || fail "links $library, which Amazon Linux 2023's Lambda runtime does not promise"
done

# Full Foundation's and ICU's symbols; a stripped binary keeps its dynamic symbols, which name them too.
# The bootstrap `deploy` builds has neither (--strip-all, --no-export-dynamic): check a build with symbols,
# as .ci/run does, since this check cannot see into one without.
symbols() { nm --defined-only "$BINARY" 2>/dev/null || true; nm -D --defined-only "$BINARY" 2>/dev/null || true; }
if [ -z "$(symbols | head -n 1)" ]; then
  echo "note: $BINARY has no symbols, so the full Foundation / ICU check cannot look; run it on a build with symbols"
elif symbols | grep -qE 'icudt[0-9]+_dat|\$s10Foundation[0-9]'; then
  fail "full Foundation or ICU's data is linked in (FoundationEssentials is all a bot needs)"
fi

size=$(stat -c %s "$BINARY")
echo "size: $((size / 1024 / 1024)) MB ($size bytes)"
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "ok: $BINARY can be the bootstrap on Amazon Linux 2023"

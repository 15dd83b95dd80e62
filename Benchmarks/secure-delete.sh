#!/usr/bin/env bash
# What SQLite's secure_delete costs the queue's write pattern (docs/security.md): updates inserted in
# group-commit batches and deleted again once handled, WAL, with the shared test updates as bodies,
# secure_delete off and on in alternating runs. Python's SQLite library, not the one SQLiteNIO compiles in:
# a focused A/B of the pragma on the same disk, not a figure of Ferry's throughput.
#
#   Benchmarks/secure-delete.sh [updates per run, default 20000] [runs per setting, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" "${1:-20000}" "${2:-3}" ../shared/telegram/updates <<'PY'
import glob, os, sqlite3, statistics, sys, time
work, count, runs, updates = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
bodies = [open(path, "rb").read() for path in sorted(glob.glob(os.path.join(updates, "*.json")))]
batch = 32  # units per transaction, as group commit gathers them under load

def run(secure, synchronous):
    path = os.path.join(work, f"q-{secure}-{synchronous}-{time.monotonic_ns()}.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {synchronous}")
    db.execute(f"PRAGMA secure_delete = {secure}")
    db.execute("CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, update_id INTEGER, group_id TEXT, body BLOB)")
    start = time.perf_counter()
    for first in range(0, count, batch):
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO updates (update_id, group_id, body) VALUES (?, ?, ?)",
                       [(i, f"chat:{i % 100}", bodies[i % len(bodies)]) for i in range(first, first + batch)])
        # The batch before this one has been handled: acknowledged, so deleted.
        db.execute("DELETE FROM updates WHERE update_id >= ? AND update_id < ?", (first - batch, first))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
    return count / elapsed

for synchronous in ("OFF", "FULL"):
    rates = {"OFF": [], "ON": []}
    for _ in range(runs):
        for secure in ("OFF", "ON"):
            rates[secure].append(run(secure, synchronous))
    off, on = statistics.median(rates["OFF"]), statistics.median(rates["ON"])
    print(f"synchronous={synchronous} secure_delete_off_per_s={off:.0f} secure_delete_on_per_s={on:.0f} "
          f"on_vs_off={on / off:.3f} runs_off={[round(r) for r in rates['OFF']]} runs_on={[round(r) for r in rates['ON']]}")
PY

#!/usr/bin/env bash
# What `kizuki pii scan --resume STATE` costs and saves (run by hand, not in the test suite).
#
#   scripts/bench/pii-resume.sh [CORPUS_DIR] [OUT_DIR]
#
# Builds a file server's worth of small files from the corpus of scripts/bench/pii.sh
# (20,000 texts of ~1.5 KB: consecutive whole lines of its UTF-8 notes, in 200 directories),
# then times on all cores, best of 3, page cache warm:
#   - the scan without a ledger, with a new ledger, and again with the full ledger (nothing
#     read: every file's items from the ledger);
#   - a crash half-way (`KIZUKI_TEST_CRASH_AFTER`: the process aborts once that many files are
#     recorded) and the resumed run: its output must equal the uninterrupted run's.
set -euo pipefail
CORPUS=${1:-/tmp/kizuki-pii-bench}
OUT=${2:-/tmp/kizuki-pii-many}
cd "$(dirname "$0")/../.."
cargo build -q --release -p kizuki-cli --bin kizuki
K=$PWD/target/release/kizuki
[ -f "$CORPUS/notes-5-utf8.txt" ] || scripts/bench/pii.sh 1024 "$CORPUS" > /dev/null
if [ ! -f "$OUT/.done" ]; then
  rm -rf "$OUT"
  python3 - "$CORPUS/notes-5-utf8.txt" "$OUT" <<'PY'
import os, sys
src, out = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    data = f.read(40 << 20)
lines = data.split(b"\n")
i = 0
for n in range(20000):
    d = os.path.join(out, "d%03d" % (n // 100))
    os.makedirs(d, exist_ok=True)
    buf = []
    size = 0
    while size < 1500:
        buf.append(lines[i]); size += len(lines[i]) + 1; i += 1
    with open(os.path.join(d, "f%05d.txt" % n), "wb") as f:
        f.write(b"\n".join(buf) + b"\n")
PY
  touch "$OUT/.done"
fi
cat "$OUT"/*/* > /dev/null
STATE=$(mktemp -d)
best() { # label, command...: best wall time of 3
  local label=$1; shift
  local b=""
  for _ in 1 2 3; do
    "${PRE:-true}"
    /usr/bin/time -f "%e %U %S %M" -o "$STATE/t" "$@" > /dev/null || true
    read -r w u s m < <(tail -1 "$STATE/t")
    if [ -z "$b" ] || [ "$(echo "$w < ${b%% *}" | bc)" = 1 ]; then b="$w $(echo "$u + $s" | bc) $m"; fi
  done
  read -r w c m <<< "$b"
  printf '%-34s %6.2f s wall %6.2f CPU-s %7d KB RSS\n' "$label" "$w" "$c" "$m"
}
fresh() { rm -f "$STATE"/s.db*; }
best "no ledger" "$K" --format json pii scan "$OUT"
PRE=fresh best "a new ledger (every file recorded)" "$K" --format json pii scan --resume "$STATE/s.db" "$OUT"
PRE=true best "the full ledger (nothing read)" "$K" --format json pii scan --resume "$STATE/s.db" "$OUT"
ls -l "$STATE/s.db" | awk '{printf "ledger: %d bytes for 20,000 files\n", $5}'
"$K" --format json pii scan "$OUT" > "$STATE/whole.jsonl" || true
fresh
KIZUKI_TEST_CRASH_AFTER=10000 "$K" --format json pii scan --resume "$STATE/s.db" "$OUT" > /dev/null 2>&1 || true
/usr/bin/time -f "%e %U %S" -o "$STATE/t" "$K" -v --format json pii scan --resume "$STATE/s.db" "$OUT" > "$STATE/resumed.jsonl" 2> "$STATE/log" || true
read -r w u s < <(tail -1 "$STATE/t")
echo "resumed after a crash at 10,000 files: $w s wall, $(grep -o 'recorded=[0-9]* from_ledger=[0-9]*' "$STATE/log")"
cmp "$STATE/whole.jsonl" "$STATE/resumed.jsonl" && echo "output of the resumed run = the uninterrupted run's ($(wc -l < "$STATE/whole.jsonl") items)"
rm -rf "$STATE"

#!/usr/bin/env bash
# Carving a disk image on every core, and resuming inside it (run by hand, not in the test
# suite).
#
#   scripts/bench/pii-image.sh [CORPUS_DIR] [IMAGE]
#
# Builds a 1 GiB disk image of "files" laid one after the other, each followed by the zeros
# of its last block's slack (0-2 more blocks): slices of 1-12 MiB of the corpus of
# scripts/bench/pii.sh (CSV and notes in UTF-8 and CP932, decoy logs), random bytes of 1-8 MiB
# (compressed or encrypted files; Python's seeded generator: the same bytes every run) and
# this machine's shared libraries (/usr/lib/x86_64-linux-gnu, the first 400 files). Then,
# page cache warm, best of 3:
#   - the raw image with one thread and with all (the segments of 64 MiB on every core);
#   - the same image as an EnCase image (`ewfacquire -c deflate:fast`, when ewf-tools is
#     installed): one thread and all;
#   - a crash after two segments (`KIZUKI_TEST_CRASH_AFTER=2`) and the resumed run: its
#     output must equal the uninterrupted run's.
set -euo pipefail
CORPUS=${1:-/tmp/kizuki-pii-bench}
IMG=${2:-/tmp/kizuki-pii-image.dd}
cd "$(dirname "$0")/../.."
cargo build -q --release -p kizuki-cli --bin kizuki
K=$PWD/target/release/kizuki
[ -f "$CORPUS/notes-5-utf8.txt" ] || scripts/bench/pii.sh 1024 "$CORPUS" > /dev/null
if [ ! -f "$IMG" ]; then
  python3 - "$CORPUS" "$IMG" <<'PY'
import os, random, sys
corpus, out = sys.argv[1], sys.argv[2]
random.seed(42)
src = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if not f.startswith("."))
root = "/usr/lib/x86_64-linux-gnu"
bins = [os.path.join(root, f) for f in sorted(os.listdir(root))[:400]]
bins = [p for p in bins if os.path.isfile(p) and not os.path.islink(p)]
total = 0
with open(out, "wb") as o:
    while total < 1 << 30:
        kind = random.random()
        if kind < 0.35:
            p = random.choice(src)
            n = random.randint(1 << 20, 12 << 20)
            with open(p, "rb") as f:
                f.seek(random.randint(0, os.path.getsize(p) - n))
                data = f.read(n)
        elif kind < 0.6:
            data = random.randbytes(random.randint(1 << 20, 8 << 20))
        else:
            with open(random.choice(bins), "rb") as f:
                data = f.read(16 << 20)
        o.write(data)
        total += len(data)
        pad = (-total) % 4096 + 4096 * random.randint(0, 2)
        o.write(b"\0" * pad)
        total += pad
PY
fi
best() { # best wall of 3: "wall cpu"
  local b="" c=""
  for _ in 1 2 3; do
    local o
    o=$( { env "$@" > /tmp/kizuki-image-out.json; } 2>&1 | tail -1)
    local w=${o%% *}
    if [ -z "$b" ] || [ "$(echo "$w < $b" | bc)" = 1 ]; then b=$w; c=$(echo "$o" | awk '{print $2+$3}'); fi
  done
  echo "wall ${b}s cpu ${c}s"
}
T=(/usr/bin/time -f "%e %U %S")
size=$(stat -c %s "$IMG")
echo "image: $IMG ($size bytes)"
echo "raw, 1 thread:     $(best RAYON_NUM_THREADS=1 "${T[@]}" "$K" --format json pii scan "$IMG")"
echo "raw, all threads:  $(best "${T[@]}" "$K" --format json pii scan "$IMG")"
cp /tmp/kizuki-image-out.json /tmp/kizuki-image-full.json
E01=${IMG%.*}
if command -v ewfacquire > /dev/null; then
  [ -f "$E01.E01" ] || ewfacquire -u -q -c deflate:fast -S 256MiB -t "$E01" "$IMG" > /dev/null
  echo "E01, 1 thread:     $(best RAYON_NUM_THREADS=1 "${T[@]}" "$K" --format json pii scan "$E01.E01")"
  echo "E01, all threads:  $(best "${T[@]}" "$K" --format json pii scan "$E01.E01")"
fi
rm -f /tmp/kizuki-image.state*
KIZUKI_TEST_CRASH_AFTER=2 "$K" --format json pii scan --resume /tmp/kizuki-image.state "$IMG" > /dev/null 2>&1 || true
start=$(date +%s.%N)
"$K" -v --format json pii scan --resume /tmp/kizuki-image.state "$IMG" > /tmp/kizuki-image-resumed.json 2> /tmp/kizuki-image-resumed.log || true
end=$(date +%s.%N)
echo "resumed after a crash at two segments: $(echo "$end - $start" | bc)s wall; $(grep -o 'segments_recorded=[0-9]* segments_from_ledger=[0-9]*' /tmp/kizuki-image-resumed.log)"
if cmp -s /tmp/kizuki-image-resumed.json /tmp/kizuki-image-full.json; then
  echo "output of the resumed run = the uninterrupted run's"
else
  echo "OUTPUT DIFFERS" >&2
  exit 1
fi

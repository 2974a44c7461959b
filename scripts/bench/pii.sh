#!/usr/bin/env bash
# Whole-tool benchmark of `kizuki pii scan` against ripgrep (run by hand, not in the test suite).
#
#   scripts/bench/pii.sh [SIZE_MB] [DIR]      default 1024 MB in /tmp/kizuki-pii-bench
#
# Generates a mixed corpus (UTF-8 and CP932 persons CSV, persons free text in UTF-8 and CP932,
# decoy logs) with kizuki_pii::synth, warms the page cache, then times:
#   - kizuki pii scan (release) on 1 worker and on all cores (RAYON_NUM_THREADS),
#   - ripgrep on the same files with an equivalent email|phone regex (-c, -j1 and all cores),
# and prints MB/s per core and peak RSS. Needs ripgrep (`apt-get install ripgrep`).
# Presidio is not run: it needs spaCy models downloaded at first use (no network here) and
# has no Japanese recognisers.
set -euo pipefail
SIZE_MB=${1:-1024}
DIR=${2:-/tmp/kizuki-pii-bench}
cd "$(dirname "$0")/../.."
cargo build -q --release -p kizuki-cli --bin kizuki
cargo build -q --release -p kizuki-pii --example pii_bench_corpus
if [ ! -f "$DIR/.size-$SIZE_MB" ]; then
  rm -rf "$DIR"
  ./target/release/examples/pii_bench_corpus "$DIR" "$SIZE_MB"
  touch "$DIR/.size-$SIZE_MB"
fi
BYTES=$(cat "$DIR"/*.csv "$DIR"/*.txt "$DIR"/*.log | wc -c)
MB=$(echo "$BYTES / 1048576" | bc -l)
cat "$DIR"/* > /dev/null  # warm the cache
CORES=$(nproc)
# Email or Japanese phone (mobile/IP/fixed, hyphen or not, +81), ASCII digits: what a regex
# scanner can do; kizuki additionally validates and detects every other category.
RE='[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|(\+81[- ]?|0)[1-9]0?[0-9]{0,3}[- ]?[0-9]{1,4}[- ]?[0-9]{4}'
run() { # label, threads, command...
  local label=$1 threads=$2; shift 2
  local t0 t1 secs rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o /tmp/pii-bench-rss "$@" > /dev/null || true
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  read -r rss usr sys < <(tail -n1 /tmp/pii-bench-rss)
  cpu=$(echo "$usr + $sys" | bc -l)
  # MB per CPU second is the per-core figure that survives a busy machine; wall figures too.
  printf "%-28s %7.2f s wall %7.1f MB/s wall %7.1f MB/s/core(wall) %7.2f s cpu %7.1f MB/cpu-s %6d MB RSS\n" \
    "$label" "$secs" "$(echo "$MB / $secs" | bc -l)" "$(echo "$MB / $secs / $threads" | bc -l)" \
    "$cpu" "$(echo "$MB / $cpu" | bc -l)" "$((rss / 1024))"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: $DIR, $(printf %.0f "$MB") MB, $(ls "$DIR" | wc -l) files, $CORES cores"
run "kizuki pii scan (1 worker)" 1 env RAYON_NUM_THREADS=1 ./target/release/kizuki --format json pii scan "$DIR"
run "kizuki pii scan ($CORES workers)" "$CORES" ./target/release/kizuki --format json pii scan "$DIR"
run "rg email|phone (-j1)" 1 rg -j1 -c -e "$RE" "$DIR"
run "rg email|phone (-j$CORES)" "$CORES" rg -c -e "$RE" "$DIR"

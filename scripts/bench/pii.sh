#!/usr/bin/env bash
# Whole-tool benchmark of `kizuki pii scan` against ripgrep (run by hand, not in the test suite).
#
#   scripts/bench/pii.sh [SIZE_MB] [DIR]      default 1024 MB in /tmp/kizuki-pii-bench
#
# Generates a mixed corpus (UTF-8 and CP932 persons CSV, persons free text in UTF-8 and CP932,
# decoy logs) with kizuki_pii::synth, warms the page cache, then times:
#   - kizuki pii scan (release) on 1 worker and on all cores (RAYON_NUM_THREADS),
#   - ripgrep on the same files with an email|phone regex (-c, -j1 and all cores): ASCII
#     digits only on raw bytes, then the equivalent of what kizuki finds (full-width digits and
#     hyphens, CP932 files decoded by ripgrep),
# and prints MB/s per core and peak RSS; then one large CSV alone (wall time: kizuki reads one
# file on every core, ripgrep on one thread). Needs ripgrep (`apt-get install ripgrep`).
# Presidio, the other peer, runs on samples of the same corpus: scripts/bench/pii-presidio.sh
# (its speed is three orders of magnitude below, so the whole corpus would take an hour).
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
# The same job done equivalently: the phone forms kizuki finds (full-width digits, the hyphen
# variants, parentheses, +81 and ＋８１). On CP932 files either as a byte regex over the
# CP932 codes of those characters (the speed limit: no decoding) or with ripgrep decoding
# them (`-E shift_jis`, what a user would type). ripgrep takes one encoding per run: two runs.
SEP='[-－‐‑–—−ー ]'
D='[0-9０-９]'
RE_EQ="[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|([+＋]8[1１]$SEP?[(（]?|[(（]?[0０])[1-9１-９]$D{0,4}[)）]?$SEP?$D{1,4}[)）]?$SEP?$D{4}"
# CP932: ０-９ 82 4F-58, ＋ 81 7B, ー ‐ － 81 5B/5D/7C, （ ） 81 69/6A.
SD='(?:[0-9]|(?-u:\x82[\x4F-\x58]))'
SSEP='(?:[- ]|(?-u:\x81[\x5B\x5D\x7C]))'
SLP='(?:[(]|(?-u:\x81\x69))'
SRP='(?:[)]|(?-u:\x81\x6A))'
SNZ='(?:[1-9]|(?-u:\x82[\x50-\x58]))'
RE_SJ="[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|((?:[+]|(?-u:\x81\x7B))(?:8|(?-u:\x82\x57))(?:1|(?-u:\x82\x50))$SSEP?$SLP?|$SLP?(?:0|(?-u:\x82\x4F)))$SNZ$SD{0,4}$SRP?$SSEP?$SD{1,4}$SRP?$SSEP?$SD{4}"
rg_eq() { # -jN, then -E shift_jis to decode CP932 instead of the byte regex
  rg "$1" -c -e "$RE_EQ" --glob '!*cp932*' "$DIR" || true
  if [ "${2:-}" = decode ]; then
    rg "$1" -c -E shift_jis -e "$RE_EQ" --glob '*cp932*' "$DIR" || true
  else
    rg "$1" -c -e "$RE_SJ" --glob '*cp932*' "$DIR" || true
  fi
}
export -f rg_eq; export RE_EQ RE_SJ DIR
run "rg equivalent (-j1)" 1 bash -c 'rg_eq -j1'
run "rg equivalent (-j$CORES)" "$CORES" bash -c "rg_eq -j$CORES"
run "rg equiv., -E sjis (-j1)" 1 bash -c 'rg_eq -j1 decode'
# One large file (the restored data file): kizuki reads it on every core in chunks; ripgrep
# reads one file on one thread whatever -j says. Wall time is the figure here.
ONE="$DIR/persons-1-utf8.csv"
ONE_MB=$(echo "$(wc -c < "$ONE") / 1048576" | bc -l)
MB=$ONE_MB
run "kizuki, one CSV (1 worker)" 1 env RAYON_NUM_THREADS=1 ./target/release/kizuki --format json pii scan "$ONE"
run "kizuki, one CSV ($CORES workers)" "$CORES" ./target/release/kizuki --format json pii scan "$ONE"
run "rg email|phone, one CSV" 1 rg -c -e "$RE" "$ONE"

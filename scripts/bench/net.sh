#!/usr/bin/env bash
# Whole-tool benchmark of `kizuki net scan` against DuckDB (run by hand; see docs/BENCHMARKS.md).
# Generates >= 10M conn rows (plus dns/ssl/http/open_conn) once into $DATA (not the repo), gzipped
# and rotated hourly like Zeek, then measures wall time and peak RSS of both tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-/tmp/kizuki-bench-net}
HOSTS=${HOSTS:-11500}
HOURS=${HOURS:-48}
THREADS=${THREADS:-2}

cargo build --release --quiet -p kizuki-cli -p kizuki-net --example zeekgen
if [ ! -f "$DATA/.done" ]; then
  rm -rf "$DATA"
  target/release/examples/zeekgen "$DATA" "$HOSTS" "$HOURS" | tee "$DATA.rows"
  touch "$DATA/.done"
fi
rows=$(cut -d' ' -f1 "$DATA.rows")
echo "data: $DATA, $rows conn rows, $(du -sh --exclude='*.done' "$DATA" | cut -f1) gzipped (all logs)"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" > "/tmp/kizuki-bench-$label.out" 2> "/tmp/kizuki-bench-$label.time" || true
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "/tmp/kizuki-bench-$label.time" | awk '{print $NF}' \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "/tmp/kizuki-bench-$label.time" | awk '{print $NF}')
  echo "$label: wall ${wall}s, peak RSS $((rss / 1024)) MiB, $(awk -v r="$rows" -v w="$wall" 'BEGIN{printf "%.2f", r/w/1e6}')M conn rows/s"
  eval "${label}_wall=$wall"
}

RAYON_NUM_THREADS=$THREADS measure kizuki target/release/kizuki --format json net scan "$DATA"
echo "kizuki findings: $(wc -l < /tmp/kizuki-bench-kizuki.out)"
measure duckdb python3 scripts/bench/net_duckdb.py "$DATA" "$THREADS"
cat /tmp/kizuki-bench-duckdb.out
awk -v k="$kizuki_wall" -v d="$duckdb_wall" 'BEGIN{printf "ratio (DuckDB wall / kizuki wall): %.2fx\n", d/k}'

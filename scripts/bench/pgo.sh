#!/usr/bin/env bash
# A profile-guided build of kizuki (run by hand, not in the test suite), and its per-core
# speed on the pii benchmark's files against the plain release build.
#
#   scripts/bench/pgo.sh [DIR]      DIR: the corpus of scripts/bench/pii.sh (/tmp/kizuki-pii-bench)
#
# 1. builds kizuki instrumented (-Cprofile-generate) in target/pgo-gen,
# 2. trains it on the first 16 MB of each file of the corpus (pii scan), the files golden corpus
#    (file scan) and the demo,
# 3. merges the profiles with llvm-profdata of rustc's LLVM major version (apt's llvm-NN),
# 4. builds kizuki with them (-Cprofile-use) in target/pgo,
# 5. times both binaries on each file of the corpus, one core pinned, best of three.
# The binary is target/pgo/release/kizuki. Needs the corpus (scripts/bench/pii.sh makes it).
set -euo pipefail
DIR=${1:-/tmp/kizuki-pii-bench}
cd "$(dirname "$0")/../.."
LLVM=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
PROFDATA=$(command -v "llvm-profdata-$LLVM" || true)
if [ -z "$PROFDATA" ]; then
  echo "pgo.sh: llvm-profdata-$LLVM not found (apt-get install llvm-$LLVM)" >&2
  exit 2
fi
[ -d "$DIR" ] || { echo "pgo.sh: no corpus in $DIR (run scripts/bench/pii.sh first)" >&2; exit 2; }
PROF=$(mktemp -d /tmp/kizuki-pgo.XXXXXX)
SAMPLES=$(mktemp -d /tmp/kizuki-pgo-samples.XXXXXX)
trap 'rm -rf "$PROF" "$SAMPLES"' EXIT

RUSTFLAGS="-Cprofile-generate=$PROF" cargo build -q --release -p kizuki-cli --bin kizuki \
  --target-dir target/pgo-gen
GEN=target/pgo-gen/release/kizuki
for f in "$DIR"/*.csv "$DIR"/*.txt "$DIR"/*.log; do
  head -c 16777216 "$f" > "$SAMPLES/$(basename "$f")"
done
"$GEN" --format json pii scan "$SAMPLES" > /dev/null || true
"$GEN" --format json file scan crates/files/testdata/*.in > /dev/null || true
"$PROFDATA" merge -o "$PROF/merged.profdata" "$PROF"/*.profraw

RUSTFLAGS="-Cprofile-use=$PROF/merged.profdata" cargo build -q --release -p kizuki-cli \
  --bin kizuki --target-dir target/pgo
cargo build -q --release -p kizuki-cli --bin kizuki

best() { # binary file: the best CPU seconds (user + sys) of three, one core pinned
  local b=$1 f=$2 best=""
  for _ in 1 2 3; do
    RAYON_NUM_THREADS=1 taskset -c 1 /usr/bin/time -f "%U %S" -o /tmp/kizuki-pgo-time \
      "$b" --format json pii scan "$f" > /dev/null || true
    local t
    t=$(awk 'END {print $1 + $2}' /tmp/kizuki-pgo-time)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
printf "%-24s %10s %10s %8s\n" file release pgo speed-up
for f in "$DIR"/*.csv "$DIR"/*.txt "$DIR"/*.log; do
  a=$(best target/release/kizuki "$f")
  b=$(best target/pgo/release/kizuki "$f")
  printf "%-24s %10s %10s %8.2f\n" "$(basename "$f")" "$a" "$b" "$(echo "$a / $b" | bc -l)"
done

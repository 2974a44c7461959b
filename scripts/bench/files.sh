#!/usr/bin/env bash
# Whole-tool comparison of `kizuki file scan` with pdfid.py and olevba (oletools) on the same
# generated corpus. Run by hand (not part of the test suite):
#   scripts/bench/files.sh [N_FILES]
# Needs python3 with venv; installs pdfid and oletools from PyPI into a private venv.
# All tools run single-threaded on one core (taskset -c 0), so the ratio is per core.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-600}
WORK=${WORK:-/tmp/kizuki-bench-files}
VENV=${VENV:-$WORK/venv}
mkdir -p "$WORK"
if [ ! -x "$VENV/bin/olevba" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q oletools pdfid
fi
cargo build --release -q -p kizuki-cli
cargo run --release -q -p kizuki-files --example gen_corpus -- "$WORK/corpus" "$N"
C="$WORK/corpus"
PIN="taskset -c 0"
count() { find "$C" -maxdepth 1 -type f -name "$1" | wc -l; }
bytes() { find "$C" -maxdepth 1 -type f -name "$1" -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

row() { # label glob seconds
  local n b; n=$(count "$2"); b=$(bytes "$2")
  printf '%-34s %6d files %8.1f MB %8.3f s %10.1f files/s %8.2f MB/s\n' "$1" "$n" "$(echo "$b/1000000" | bc -l)" "$3" \
    "$(echo "$n/$3" | bc -l)" "$(echo "$b/1000000/$3" | bc -l)"
}

t_all=$(secs $PIN target/release/kizuki --format json file scan "$C")
row "kizuki file scan (all)" "*" "$t_all"

t_kpdf=$(secs $PIN target/release/kizuki --format json file scan "$C"/*.pdf)
row "kizuki file scan (*.pdf)" "*.pdf" "$t_kpdf"
t_pdfid=$(secs $PIN "$VENV/bin/python" -m pdfid.pdfid "$C"/*.pdf)
row "pdfid.py (*.pdf)" "*.pdf" "$t_pdfid"

t_kole=$(secs $PIN target/release/kizuki --format json file scan "$C"/*.doc "$C"/*.docx "$C"/*.xlsx)
n_ole=$(( $(count '*.doc') + $(count '*.docx') + $(count '*.xlsx') ))
printf 'kizuki file scan (office)          %6d files %8.3f s\n' "$n_ole" "$t_kole"
t_olevba=$(secs $PIN "$VENV/bin/olevba" -j "$C"/*.doc "$C"/*.docx "$C"/*.xlsx)
printf 'olevba -j (office)                 %6d files %8.3f s\n' "$n_ole" "$t_olevba"

echo "per-core ratio vs pdfid.py: $(echo "$t_pdfid/$t_kpdf" | bc -l | cut -c1-6)x"
echo "per-core ratio vs olevba:   $(echo "$t_olevba/$t_kole" | bc -l | cut -c1-6)x"

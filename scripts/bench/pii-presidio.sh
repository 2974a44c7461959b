#!/usr/bin/env bash
# Microsoft Presidio against kizuki pii scan on samples of the pii benchmark corpus (run by
# hand, not in the test suite; scripts/bench/pii.sh makes the corpus).
#
#   scripts/bench/pii-presidio.sh [SAMPLE_MB] [CORPUS_DIR]     default 2 MB of each file kind
#
# Installs presidio-analyzer (and spaCy, libphonenumber's port) from PyPI into a virtualenv
# under /tmp/kizuki-presidio on first use. Presidio finds e-mails and phones only (no Japanese
# recogniser for the rest: see presidio_driver.py), so the table compares those two counts and
# the speed: MB per CPU second (see presidio_driver.py).
set -euo pipefail
SAMPLE_MB=${1:-2}
DIR=${2:-/tmp/kizuki-pii-bench}
CACHE=${PRESIDIO_CACHE:-/tmp/kizuki-presidio}
cd "$(dirname "$0")/../.."
[ -d "$DIR" ] || { echo "no corpus in $DIR: run scripts/bench/pii.sh first" >&2; exit 2; }
if [ ! -x "$CACHE/venv/bin/python" ]; then
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q 'presidio-analyzer==2.2.*'
fi
cargo build -q --release -p kizuki-cli --bin kizuki
cat "$DIR"/* > /dev/null  # warm the cache
"$CACHE/venv/bin/python" scripts/bench/presidio_driver.py "$PWD/target/release/kizuki" "$DIR" "$SAMPLE_MB" "$CACHE"

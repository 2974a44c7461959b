#!/usr/bin/env bash
# Deleted rows of an SQLite database: `kizuki pii scan` against SQLite Dissect (DC3's
# recovery tool, `sqlite-dissect` on PyPI), run by hand, not in the test suite.
#
#   scripts/bench/pii-sqlite-deleted.sh [PERSONS] [DIR]    default 40000 in /tmp/kizuki-sqlite-bench
#
# The database comes from the pii_sqlite_deleted example (synthetic persons, a tenth deleted
# here and there and a run of another tenth; the truth beside it as DB.deleted.csv).
# SQLite Dissect carves table cells from freeblocks, unallocated space and (-f) freelist pages
# into an SQLite file (its CSV export stops at an empty carved value in 1.0.0; without -k its
# strict checks stop at the first page whose fragment count it cannot account for); the
# script counts its carved rows and how many of them are exactly a deleted row.
set -euo pipefail
N=${1:-40000}
DIR=${2:-/tmp/kizuki-sqlite-bench}
cd "$(dirname "$0")/../.."
cargo build -q --release -p kizuki-cli --bin kizuki
cargo build -q --release -p kizuki-pii --example pii_sqlite_deleted
mkdir -p "$DIR"
DB="$DIR/crm.db"
./target/release/examples/pii_sqlite_deleted "$DB" "$N"
VENV="$DIR/venv"
if [ ! -x "$VENV/bin/sqlite_dissect" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q sqlite-dissect==1.0.0
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "kizuki pii scan: %e s wall, %U+%S s cpu, %M KB" \
  ./target/release/kizuki --format json pii scan "$DB" > "$DIR/kizuki.json" || true
python3 - "$DIR/kizuki.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(f"  {o['path']}: records {o['records']}, e-mails {o['categories'].get('email')}")
PY
rm -rf "$DIR/sqd" && mkdir -p "$DIR/sqd"
/usr/bin/time -o "$DIR/sqd.time" -f "sqlite_dissect -c -f -k: %e s wall, %U+%S s cpu, %M KB" \
  "$VENV/bin/sqlite_dissect" -c -f -k -d "$DIR/sqd" -e sqlite -l off "$DB" > /dev/null 2>&1 || true
cat "$DIR/sqd.time"
python3 - "$DIR/sqd/crm.db-sqlite-dissect.db3" "$DB" <<'PY'
import csv, sqlite3, sys
out = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in out.execute("PRAGMA table_info(customers)")]
data = cols[cols.index("id") + 1:]
sel = ",".join(f'"{c}"' for c in data)
def cell(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else ("" if v is None else str(v))
carved = [tuple(cell(v) for v in r) for r in
          out.execute(f"SELECT {sel} FROM customers WHERE sd_operation = 'Carved'")]
truth = sys.argv[2].rsplit(".", 1)[0] + ".deleted.csv"
with open(truth, encoding="utf-8") as f:
    rows = list(csv.reader(f))[1:]
deleted = set(tuple(r) for r in rows)
emails = {c for r in rows for c in r if "@" in c}
seen = {c for r in carved for c in r if c in emails}
print(f"  carved rows {len(carved)}, distinct {len(set(carved))}, "
      f"exactly a deleted row {len(set(carved) & deleted)} of {len(deleted)}, "
      f"deleted e-mails seen in a carved cell {len(seen)} of {len(emails)}")
PY

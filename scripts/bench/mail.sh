#!/usr/bin/env bash
# Whole-tool comparison for `kizuki mail scan` against rspamd and SpamAssassin (Debian packages,
# installed by hand: apt-get install rspamd spamassassin; NOT part of scripts/setup). Network
# checks are off everywhere: SpamAssassin runs with -L, rspamd with every DNS/URL-reputation/
# fuzzy/redis module disabled and no reachable resolver, kizuki with offline --dns-records.
# Per core: kizuki is single-threaded; rspamd runs one normal worker; SpamAssassin one process.
# Usage: scripts/bench/mail.sh [N_MESSAGES]   (default 1000). Prints messages/s per tool.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000}
WORK=$(mktemp -d /tmp/kizuki-mail-bench.XXXXXX)
trap 'kill "${RSPAMD_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet -p kizuki-cli --bin kizuki
cargo build --release --quiet -p kizuki-mail --example gen_corpus
target/release/examples/gen_corpus "$WORK" "$N"
K=target/release/kizuki

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
now() { date +%s.%N; }

t0=$(now); "$K" --format json --config "$WORK/kizuki.toml" mail scan "$WORK/mixed.mbox" >/dev/null || true; t1=$(now)
k_nodns=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now); "$K" --format json --config "$WORK/kizuki.toml" mail scan --dns-records "$WORK/dns-records.txt" "$WORK/mixed.mbox" >/dev/null || true; t1=$(now)
k_dns=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "kizuki (no DNS)        $N msgs in ${k_nodns}s: $(rate "$N" "$k_nodns") msg/s"
echo "kizuki (offline DNS)   $N msgs in ${k_dns}s: $(rate "$N" "$k_dns") msg/s"

if command -v spamassassin >/dev/null; then
  t0=$(now); spamassassin -L --mbox <"$WORK/mixed.mbox" >/dev/null 2>&1 || true; t1=$(now)
  sa=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  echo "spamassassin -L        $N msgs in ${sa}s: $(rate "$N" "$sa") msg/s"
fi

if command -v rspamd >/dev/null; then
  L="$WORK/rspamd-local"; mkdir -p "$L/local.d" "$L/override.d" "$WORK/rspamd-db"
  cat >"$L/override.d/worker-normal.inc" <<CONF
count = 1;
bind_socket = "127.0.0.1:21333";
task_timeout = 30s;
CONF
  echo 'bind_socket = "127.0.0.1:21334";' >"$L/override.d/worker-controller.inc"
  echo 'enabled = false;' >"$L/override.d/worker-proxy.inc"
  cat >"$L/local.d/options.inc" <<CONF
dns { nameserver = ["127.0.0.1:1"]; timeout = 0.05s; retransmits = 0; }
CONF
  cat >"$L/local.d/logging.inc" <<CONF
type = "file"; filename = "$WORK/rspamd.log"; level = "error";
CONF
  for m in rbl fuzzy_check dcc asn spf dkim dmarc arc emails neural ratelimit greylist replies \
           history_redis url_redirector rspamd_update mx_check dkim_signing arc_signing \
           external_services antivirus clickhouse elastic metadata_exporter reputation \
           maillist whitelist p0f fuzzy_collect url_reputation url_tags multimap milter_headers; do
    echo 'enabled = false;' >"$L/override.d/$m.conf"
  done
  rspamd -f -i -u root -g root --var LOCAL_CONFDIR="$L" --var DBDIR="$WORK/rspamd-db" \
    --var RUNDIR="$WORK" -p "$WORK/rspamd.pid" >"$WORK/rspamd.out" 2>&1 &
  RSPAMD_PID=$!
  for _ in $(seq 1 100); do
    rspamc -h 127.0.0.1:21333 stat >/dev/null 2>&1 && break
    rspamc -h 127.0.0.1:21333 symbols </dev/null >/dev/null 2>&1 && break
    sleep 0.2
  done
  t0=$(now); rspamc -h 127.0.0.1:21333 -n 4 -t 60 symbols "$WORK/eml" >"$WORK/rspamc.out" 2>&1 || true; t1=$(now)
  rs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  done_n=$(grep -c '^Results for file' "$WORK/rspamc.out" || true)
  echo "rspamd (1 worker)      $done_n msgs in ${rs}s: $(rate "$done_n" "$rs") msg/s"
fi

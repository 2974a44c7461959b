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
RSPAMD_PID=""
cleanup() {
  if [ -n "$RSPAMD_PID" ]; then kill "$RSPAMD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet -p kizuki-cli --bin kizuki
cargo build --release --quiet -p kizuki-mail --example gen_corpus
target/release/examples/gen_corpus "$WORK" "$N"
K=target/release/kizuki

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
now() { date +%s.%N; }
# run LABEL CMD...: wall and CPU (user+sys) seconds of one command, and the per-core rate.
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
  read -r wall user sys < <(tail -n 1 "$WORK/time")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  printf '%-24s %6d msgs  wall %7.2fs  cpu %7.2fs  %8s msg/cpu-s\n' "$label" "$N" "$wall" "$cpu" "$(rate "$N" "$cpu")"
}

run "kizuki (no DNS)" "$K" --format json --config "$WORK/kizuki.toml" mail scan "$WORK/mixed.mbox"
run "kizuki (offline DNS)" "$K" --format json --config "$WORK/kizuki.toml" mail scan \
  --dns-records "$WORK/dns-records.txt" "$WORK/mixed.mbox"
if command -v spamassassin >/dev/null; then
  run "spamassassin -L" sh -c "spamassassin -L --mbox <'$WORK/mixed.mbox'"
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
  for _ in $(seq 1 600); do
    rspamc -h 127.0.0.1:21333 symbols <"$WORK/eml/000000.eml" 2>/dev/null | grep -q '^Action:' && break
    sleep 0.5
  done
  P=$(pgrep -f "rspamd: normal process" | head -1)
  c0=$(awk '{ print $14 + $15 }' "/proc/$P/stat")
  t0=$(now); rspamc -h 127.0.0.1:21333 -n 8 -t 60 symbols "$WORK/eml" >"$WORK/rspamc.out" 2>&1 || true; t1=$(now)
  c1=$(awk '{ print $14 + $15 }' "/proc/$P/stat")
  cpu=$(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" 'BEGIN { print (b - a) / t }')
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  done_n=$(grep -c '^Action:' "$WORK/rspamc.out" || true)
  printf '%-24s %6d msgs  wall %7.2fs  cpu %7.2fs  %8s msg/cpu-s\n' "rspamd (1 worker)" "$done_n" "$wall" "$cpu" "$(rate "$done_n" "$cpu")"
fi

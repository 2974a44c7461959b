#!/usr/bin/env python3
"""Peer for scripts/bench/net.sh: DuckDB computes per-pair interval statistics (count, quartiles,
Bowley skew, MAD/median of the time between connections, failed handshakes excluded) over the
same gzipped Zeek conn logs. Usage: net_duckdb.py DATA_DIR [THREADS]"""
import sys, time
import duckdb

data, threads = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
cols = ("ts DOUBLE, uid VARCHAR, src VARCHAR, sport INTEGER, dst VARCHAR, dport INTEGER, proto VARCHAR,"
        " service VARCHAR, duration DOUBLE, orig_bytes BIGINT, resp_bytes BIGINT, conn_state VARCHAR,"
        " local_orig VARCHAR, local_resp VARCHAR, missed_bytes BIGINT, history VARCHAR, orig_pkts BIGINT,"
        " orig_ip_bytes BIGINT, resp_pkts BIGINT, resp_ip_bytes BIGINT, tunnel_parents VARCHAR")
colmap = "{" + ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in cols.split(", ")) + "}"
sql = f"""
WITH c AS (
  SELECT src, dst, ts FROM read_csv('{data}/*/conn.*.log.gz', delim='\t', header=false, comment='#',
       nullstr='-', auto_detect=false, columns={colmap})
  WHERE conn_state NOT IN ('REJ', 'S0')
), d AS (
  SELECT src, dst, ts - lag(ts) OVER (PARTITION BY src, dst ORDER BY ts) AS delta FROM c
), s AS (
  SELECT src, dst, count(*) AS n,
         quantile_cont(delta, 0.25) AS q1, quantile_cont(delta, 0.5) AS q2,
         quantile_cont(delta, 0.75) AS q3, mad(delta) AS m
  FROM d WHERE delta IS NOT NULL GROUP BY src, dst
)
SELECT count(*) AS pairs, sum(n) + count(*) AS rows,
       avg(CASE WHEN q3 > q1 THEN (q3 + q1 - 2 * q2) / (q3 - q1) ELSE 0 END) AS mean_bowley,
       avg(CASE WHEN q2 > 0 THEN m / q2 ELSE 0 END) AS mean_madm
FROM s
"""
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
t = time.time()
r = con.execute(sql).fetchall()
print(f"duckdb {duckdb.__version__}: pairs={r[0][0]} rows={r[0][1]} seconds={time.time() - t:.2f}")

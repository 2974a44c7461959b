//! `kizuki net scan`: findings from Zeek logs, one item per finding, sorted by score.

use anyhow::{Context, bail};
use kizuki_net::stats::parse_time;
use kizuki_net::{Options, ReadOptions, Window};

use crate::args::{Global, NetCmd, NetScanArgs};
use crate::cmd::load_config;
use crate::output::{Emitter, Exit};

/// Runs a `kizuki net` verb.
pub fn run(g: &Global, c: &NetCmd) -> anyhow::Result<Exit> {
    match c {
        NetCmd::Scan(a) => scan(g, a),
    }
}

fn time_arg(flag: &str, v: Option<&String>) -> anyhow::Result<Option<f64>> {
    match v {
        None => Ok(None),
        Some(s) => match parse_time(s) {
            Some(t) => Ok(Some(t)),
            None => bail!(
                "--{flag} '{s}': not a time; use epoch seconds, 2016-03-19 or 2016-03-19T10:00:00Z"
            ),
        },
    }
}

fn scan(g: &Global, a: &NetScanArgs) -> anyhow::Result<Exit> {
    let cfg = load_config(g)?;
    let opts = Options {
        window: Window {
            since: time_arg("since", a.since.as_ref())?,
            until: time_arg("until", a.until.as_ref())?,
        },
        read: ReadOptions {
            failed_states: cfg.net.failed_states.clone(),
        },
        thresholds: cfg.net.thresholds.clone(),
    };
    let res = kizuki_net::scan(&a.paths, &cfg.net, &opts).context("net scan")?;
    let mut em = Emitter::new(g);
    if res.files.is_empty() {
        em.error(
            &a.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            &"no Zeek conn/open_conn/dns/ssl/http logs or Suricata eve.json found; name them like conn.log or pass the files",
        )?;
    }
    for f in &res.files {
        let path = f.path.display().to_string();
        if let Some(e) = &f.error {
            em.error(&path, &format!("{e}; the rows before it were analysed"))?;
        }
        if f.malformed() > 0 && !g.quiet {
            eprintln!(
                "kizuki: {path}: {} malformed row(s) skipped ({} wrong column count, {} bad timestamp, {} other)",
                f.malformed(),
                f.bad_columns,
                f.bad_timestamps,
                f.bad_other
            );
        }
        if f.kind.is_none() && f.error.is_none() {
            em.error(
                &path,
                &"not a Zeek conn/open_conn/dns/ssl/http log or Suricata eve.json; skipped",
            )?;
        }
    }
    tracing::info!(
        files = res.files.len(),
        records = res.records(),
        findings = res.findings.len(),
        "net scan"
    );
    for f in &res.findings {
        em.item(f)?;
    }
    Ok(em.finish()?)
}

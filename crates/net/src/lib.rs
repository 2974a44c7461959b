//! kizuki net: outbound traffic that should not exist, from the Zeek logs teams already have.
//!
//! `kizuki net scan` reads Zeek conn, open_conn, dns, ssl and http logs (TSV or JSON, plain or
//! gzip, rotated into dated folders) and Suricata eve.json (flow, dns, tls, http events), builds per-pair partial states in parallel (one per
//! rayon worker, merged at the end) and runs the analyses: beacon, strobe, long_connection,
//! dns_tunnel, exfiltration, egress_violation and threat_intel. Each finding has one score
//! 0..=1 (prevalence, first-seen and allow-list modifiers included) and its evidence.
//!
//! Design choices:
//! - The readers are hand-written on `memchr`: there is no maintained Rust crate for Zeek's
//!   TSV dialect (`#separator`, `#fields`, `-` / `(empty)`, set separators), and the hot loop
//!   must split lines and fields without allocating. JSON rows go through `serde_json`.
//!   gzip is inflated by `flate2` on the `zlib-rs` backend (the fastest pure-Rust inflate).
//! - Everything an analysis needs is a mergeable partial state ([`state`]): counters,
//!   min/max times, capped timestamp buffers, hour histograms and HyperLogLogs. Files are
//!   folded into per-worker states and merged, so memory grows with the number of pairs, not
//!   with the number of rows, and the same states can be computed by a distributed engine.
//! - Beacon scoring follows RITA (Bowley skew and MAD/median of intervals and sizes, a 24-bin
//!   histogram, a duration score, averaged) on sub-second timestamps, skipping failed
//!   handshakes, and adds a periodicity test for slow beacons and a two-level histogram fit
//!   so that sleep windows do not hide a beacon.
//! - Registered domains come from the public suffix list embedded in the `psl` crate.
//! - A malformed row is counted per file and skipped; a broken gzip stream ends that file with
//!   an error; the rest is analysed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analyze;
pub mod finding;
pub mod policy;
pub mod read;
pub mod state;
pub mod stats;
pub mod synth;

use std::path::{Path, PathBuf};

use kizuki_core::config::NetConfig;
use rayon::prelude::*;

pub use analyze::Thresholds;
pub use finding::{Kind, NetFinding};
pub use policy::Policy;
pub use read::{FileStats, ReadOptions};
pub use state::{Partial, Window};

/// Errors of the net analysis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad `[net]` setting.
    #[error("config: {key}: {message}")]
    Config {
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A threat-intelligence file could not be read.
    #[error("{}: cannot read intel file: {message}", path.display())]
    Intel {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// An input path could not be listed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Everything a scan can be told.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Reader options (failed-handshake states).
    pub read: ReadOptions,
    /// Time window.
    pub window: Window,
    /// Analysis thresholds.
    pub thresholds: Thresholds,
}

/// The result of a scan.
#[derive(Debug)]
pub struct ScanResult {
    /// Findings, sorted by score descending.
    pub findings: Vec<NetFinding>,
    /// Per-file reading statistics (malformed rows, errors), in input order.
    pub files: Vec<FileStats>,
}

impl ScanResult {
    /// Records read in all files.
    pub fn records(&self) -> u64 {
        self.files.iter().map(|f| f.records).sum()
    }
}

/// Scans files and folders with the `[net]` configuration.
pub fn scan(paths: &[PathBuf], cfg: &NetConfig, opts: &Options) -> Result<ScanResult, Error> {
    let policy = Policy::new(cfg)?;
    let files = read::discover(paths).map_err(|source| Error::Io {
        path: paths.first().cloned().unwrap_or_default(),
        source,
    })?;
    Ok(scan_files(&files, &policy, opts))
}

/// Scans a list of files (no folder walking) with a compiled policy.
///
/// Exactly one partial state per worker thread (as many as rayon's pool): each worker pulls
/// the next file from a shared counter, so the number of states alive — and the memory — does
/// not grow with work stealing; the states are merged at the end.
pub fn scan_files(files: &[PathBuf], policy: &Policy, opts: &Options) -> ScanResult {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let t0 = std::time::Instant::now();
    let next = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().clamp(1, files.len().max(1));
    let results: Vec<(Partial, Vec<(usize, FileStats)>)> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut part = Partial::new();
            let mut stats = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                stats.push((i, read_into(f, policy, opts, &mut part)));
            }
            (part, stats)
        })
        .collect();
    let t1 = std::time::Instant::now();
    let mut state = Partial::new();
    let mut stats = Vec::new();
    for (p, s) in results {
        state.merge(p);
        stats.extend(s);
    }
    stats.sort_by_key(|(i, _)| *i);
    let t2 = std::time::Instant::now();
    let findings = analyze::analyse(state, policy, &opts.thresholds);
    tracing::debug!(
        read_ms = (t1 - t0).as_millis() as u64,
        merge_ms = (t2 - t1).as_millis() as u64,
        analyse_ms = t2.elapsed().as_millis() as u64,
        "net scan phases"
    );
    ScanResult {
        findings,
        files: stats.into_iter().map(|(_, s)| s).collect(),
    }
}

fn read_into(f: &Path, policy: &Policy, opts: &Options, part: &mut Partial) -> FileStats {
    let span = tracing::debug_span!("file", path = %f.display());
    let _g = span.enter();
    read::read_file(f, &opts.read, &mut |r| part.add(r, policy, opts.window))
}

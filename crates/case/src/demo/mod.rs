//! The demo incident: generated into a folder, then every stage that exists runs on it.
//!
//! A [`Stage`] prepares its inputs in the demo folder (deterministically) and then runs the real
//! analysis of its area on them, returning a [`StageReport`]. New areas add a stage to
//! [`stages`]; the CLI's `kizuki demo` prints each report as it comes.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Error;
use crate::scenario::{Scenario, reference};

mod file;
mod net;
mod pii;
mod timeline;

/// The seed every demo generator derives its own stream from.
pub const SEED: u64 = 0x6b69_7a75_6b69; // "kizuki"

/// What one stage found, for printing.
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    /// Stage name (`scenario`, `file`, `mail`, …).
    pub stage: &'static str,
    /// The scenario step it covers.
    pub step: &'static str,
    /// The inputs it read, relative to the demo folder.
    pub inputs: Vec<String>,
    /// Number of findings (or hits) the stage produced.
    pub findings: usize,
    /// Human lines summarising what it found (masked: no personal data).
    pub summary: Vec<String>,
    /// True when the stage found what the scenario planted.
    pub ok: bool,
}

/// One step of the chain.
pub trait Stage {
    /// Short name.
    fn name(&self) -> &'static str;
    /// The scenario step it covers.
    fn step(&self) -> &'static str;
    /// Writes this stage's inputs under `dir`.
    fn prepare(&self, scenario: &Scenario, dir: &Path) -> Result<(), Error>;
    /// Runs the analysis on them.
    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error>;
}

/// The stages, in the order of the incident.
pub fn stages() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(timeline::Timeline),
        Box::new(file::FileStage),
        Box::new(net::Net),
        Box::new(pii::Pii),
    ]
}

/// Writes a file under the demo folder, creating parents; errors name the path.
pub fn write(dir: &Path, rel: &str, data: &[u8]) -> Result<PathBuf, Error> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    fs::write(&p, data).map_err(|source| Error::Io {
        path: p.clone(),
        source,
    })?;
    Ok(p)
}

/// Prepares and runs every stage in `dir`, handing each report to `each` as soon as it is done.
/// A failing stage is reported and the next one still runs; the error count is returned.
pub fn run(dir: &Path, mut each: impl FnMut(Result<StageReport, Error>)) -> Result<usize, Error> {
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let scenario = reference();
    let mut failures = 0;
    for stage in stages() {
        let span = tracing::info_span!("stage", name = stage.name());
        let _g = span.enter();
        let r = stage
            .prepare(&scenario, dir)
            .and_then(|()| stage.run(&scenario, dir));
        if r.as_ref().map_or(true, |r| !r.ok) {
            failures += 1;
        }
        each(r);
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_runs_every_stage_and_is_deterministic() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let mut reports = Vec::new();
        let failures = run(a.path(), |r| reports.push(r.unwrap())).unwrap();
        assert_eq!(failures, 0);
        assert_eq!(reports.len(), stages().len());
        assert!(reports.iter().all(|r| r.ok));
        run(b.path(), |_| {}).unwrap();
        for r in &reports {
            for input in &r.inputs {
                let x = fs::read(a.path().join(input)).unwrap();
                let y = fs::read(b.path().join(input)).unwrap();
                assert_eq!(x, y, "{input} differs between runs");
            }
        }
    }
}

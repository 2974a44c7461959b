//! Helpers shared by the tests of encrypted documents.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use kizuki_files::{Analyzer, FileReport, Options};

/// `data` analysed as `name` with the candidate `passwords`.
pub fn analyze(name: &str, data: &[u8], passwords: &[&str]) -> FileReport {
    let opts = Options {
        passwords: passwords.iter().map(|p| p.to_string()).collect(),
        ..Options::default()
    };
    Analyzer::new(opts).unwrap().analyze_bytes(name, data, &[])
}

/// The rule ids of a report's findings and its children's, sorted, once each.
pub fn rules(r: &FileReport) -> Vec<String> {
    let mut v: Vec<String> = r
        .all_findings()
        .iter()
        .map(|f| f.rule.to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

//! YARA rules (feature `yara`): compiled once from a folder, matched against every analysed
//! object (top-level files, members, embedded files). Matches become `yara.<rule>` findings.
//! Uses the `yara` crate over Debian's libyara 4.2 (BSD-3-Clause).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kizuki_core::{Finding, Severity};

use crate::Error;

/// Compiled rules, cheap to clone and share.
#[derive(Clone)]
pub struct YaraRules(Arc<yara::Rules>);

impl std::fmt::Debug for YaraRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("YaraRules")
    }
}

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rule_files(&p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yar") || e.eq_ignore_ascii_case("yara"))
        {
            out.push(p);
        }
    }
    Ok(())
}

impl YaraRules {
    /// Compiles every `*.yar` / `*.yara` file under `dir`.
    pub fn compile(dir: &Path) -> Result<YaraRules, Error> {
        let fail = |m: String| Error::Yara {
            dir: dir.to_path_buf(),
            message: m,
        };
        let mut files = Vec::new();
        rule_files(dir, &mut files).map_err(|e| fail(e.to_string()))?;
        if files.is_empty() {
            return Err(fail("no *.yar or *.yara files".into()));
        }
        let mut c = yara::Compiler::new().map_err(|e| fail(e.to_string()))?;
        for f in &files {
            c = c
                .add_rules_file(f)
                .map_err(|e| fail(format!("{}: {e}", f.display())))?;
        }
        let rules = c.compile_rules().map_err(|e| fail(e.to_string()))?;
        Ok(YaraRules(Arc::new(rules)))
    }

    /// Matches `data`; one finding per matching rule.
    pub fn scan(&self, data: &[u8], out: &mut Vec<Finding>) {
        match self.0.scan_mem(data, 10) {
            Ok(matches) => {
                for r in matches {
                    let id: String = r
                        .identifier
                        .chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() {
                                c.to_ascii_lowercase()
                            } else {
                                '_'
                            }
                        })
                        .collect();
                    out.push(Finding::new(
                        format!("yara.{id}"),
                        Severity::High,
                        format!("YARA rule {} matched", r.identifier),
                    ));
                }
            }
            Err(e) => out.push(Finding::new(
                "file.limit",
                Severity::Low,
                format!("YARA scan failed: {e}"),
            )),
        }
    }
}

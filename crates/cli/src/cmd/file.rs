//! `kizuki file scan`: triage files and folders with kizuki-files.

use std::path::{Path, PathBuf};

use kizuki_files::{Analyzer, Options};

use crate::args::{FileCmd, FileScanArgs, Global};
use crate::output::{Emitter, Exit};
use crate::progress::Progress;

/// Runs a `file` verb.
pub fn run(g: &Global, c: &FileCmd) -> anyhow::Result<Exit> {
    match c {
        FileCmd::Scan(a) => scan(g, a),
    }
}

/// Files under `p` (folders recurse, symlinks to folders are not followed), sorted per folder.
fn collect(p: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<(PathBuf, std::io::Error)>) {
    let meta = match std::fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) => {
            errors.push((p.to_path_buf(), e));
            return;
        }
    };
    if !meta.is_dir() {
        out.push(p.to_path_buf());
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            errors.push((p.to_path_buf(), e));
            return;
        }
    };
    entries.sort();
    for e in entries {
        match std::fs::symlink_metadata(&e) {
            Ok(m) if m.is_dir() => collect(&e, out, errors),
            Ok(m) if m.file_type().is_symlink() => {
                if e.is_file() {
                    out.push(e);
                }
            }
            _ => out.push(e),
        }
    }
}

fn scan(g: &Global, a: &FileScanArgs) -> anyhow::Result<Exit> {
    let cfg = super::load_config(g)?;
    let mut opts = Options::from_config(&cfg.files);
    opts.passwords.extend(a.passwords.iter().cloned());
    opts.yara_dir = a.yara.clone();
    let analyzer = Analyzer::new(opts)?;
    let mut em = Emitter::new(g);
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in &a.paths {
        collect(p, &mut files, &mut errors);
    }
    for (p, e) in &errors {
        em.error(&p.display().to_string(), e)?;
    }
    let mut progress = Progress::new(g, files.len() as u64, "file scan");
    for f in &files {
        match analyzer.analyze_path(f) {
            Ok(r) => em.item(&r)?,
            Err(e) => em.error(&f.display().to_string(), &e)?,
        }
        progress.inc(1);
    }
    progress.finish();
    Ok(em.finish()?)
}

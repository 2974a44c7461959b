//! `kizuki pii scan`: personal data in files, archives and spreadsheets.

use kizuki_pii::{Item, Options, Scanner};

use crate::args::{Global, PiiCmd, PiiScanArgs};
use crate::output::{Emitter, Exit};
use crate::progress::Progress;

/// Runs a `pii` verb.
pub fn run(g: &Global, c: &PiiCmd) -> anyhow::Result<Exit> {
    match c {
        PiiCmd::Scan(a) => scan(g, a),
    }
}

fn scan(g: &Global, a: &PiiScanArgs) -> anyhow::Result<Exit> {
    let cfg = super::load_config(g)?;
    let mut opts = Options::from_config(&cfg);
    if !a.categories.is_empty() {
        opts = opts.with_categories(&a.categories);
    }
    if let Some(n) = a.min_count {
        opts.min_count = n.max(1);
    }
    opts.reveal = a.reveal;
    let scanner = Scanner::new(opts);
    let mut em = Emitter::new(g);
    let mut progress = Progress::new(g, 0, "pii scan");
    let mut io_err = None;
    scanner.scan_paths(&a.paths, &mut |item| {
        progress.inc(1);
        let res = match item {
            Item::Found(r) => em.item(&r),
            Item::Failed { path, error } => em.error(&path, &error),
        };
        if let Err(e) = res {
            io_err.get_or_insert(e);
        }
    });
    progress.finish();
    if let Some(e) = io_err {
        return Err(e.into());
    }
    Ok(em.finish()?)
}

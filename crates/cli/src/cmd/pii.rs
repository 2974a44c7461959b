//! `kizuki pii scan`: personal data in files, archives and spreadsheets.

use anyhow::Context;
use kizuki_pii::resume::Ledger;
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
    opts.passwords.extend(a.passwords.iter().cloned());
    let mut ledger = match &a.resume {
        Some(p) => Some(Ledger::open(p, &opts).context("--resume")?),
        None => None,
    };
    let scanner = Scanner::new(opts);
    let mut em = Emitter::new(g);
    let mut progress = Progress::new(g, 0, "pii scan: files");
    let mut io_err = None;
    // A disk image is one file carved for hours, a restored dump one file read for an hour:
    // how far, in the bar's message.
    let ticker = progress.ticker();
    let mut files = |done: u64, total: u64| {
        if done == 0 {
            progress.set_total(total);
        } else {
            progress.inc(1);
        }
    };
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let res = std::thread::scope(|s| {
        if let Some(t) = &ticker {
            let scanner = &scanner;
            s.spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(std::time::Duration::from_millis(250))
                {
                    let gb = |(done, total): (u64, u64), what: &str| {
                        (total > 0).then(|| {
                            format!(
                                "{what} {:.1} of {:.1} GB",
                                done as f64 / 1e9,
                                total as f64 / 1e9
                            )
                        })
                    };
                    let parts: Vec<String> = [
                        gb(scanner.images(), "images"),
                        gb(scanner.large_files(), "large files"),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    if !parts.is_empty() {
                        t.message(parts.join(", "));
                    }
                }
            });
        }
        let res = scanner.scan_paths_resuming(&a.paths, ledger.as_mut(), &mut files, &mut |item| {
            let res = match item {
                Item::Found(r) => em.item(&r),
                Item::Failed { path, error } => em.error(&path, &error),
            };
            if let Err(e) = res {
                io_err.get_or_insert(e);
            }
        });
        drop(stop);
        res
    });
    progress.finish();
    res.context("--resume")?;
    if let Some(l) = &ledger {
        tracing::info!(
            recorded = l.recorded,
            from_ledger = l.replayed,
            segments_recorded = l.parts_recorded,
            segments_from_ledger = l.parts_replayed,
            "pii scan: files read and recorded, files given from the ledger; segments of images recorded, and taken from the ledger"
        );
    }
    if let Some(e) = io_err {
        return Err(e.into());
    }
    Ok(em.finish()?)
}

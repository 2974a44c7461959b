//! `kizuki mail scan`.

use std::sync::Arc;

use anyhow::Context;
use kizuki_mail::{Analyzer, DnsMode, DnsRecords, Options};

use crate::args::{Global, MailScanArgs};
use crate::output::{Emitter, Exit};
use crate::progress::Progress;

/// Scans every message of every path, one report per message.
pub fn scan(g: &Global, a: &MailScanArgs) -> anyhow::Result<Exit> {
    let cfg = super::load_config(g)?;
    let mut opts = Options::from_config(&cfg);
    if let Some(p) = &a.dns_records {
        let r = DnsRecords::load(p).context("reading --dns-records")?;
        opts.dns = DnsMode::Records(Arc::new(r));
    } else if a.live_dns {
        opts.dns = DnsMode::Live;
    }
    let max = opts.limits.max_message;
    let analyzer = Analyzer::new(opts).context("setting up mail verification")?;
    let mut session = analyzer.session();
    let mut em = Emitter::new(g);
    let mut progress = Progress::new(g, 0, "messages");
    let mut io_err: Option<std::io::Error> = None;
    for path in &a.paths {
        kizuki_mail::input::walk(path, max, &mut |item| {
            let r = match item {
                Ok((source, bytes)) => {
                    let report = session.scan(&source, &bytes);
                    em.item(&report)
                }
                Err(e) => {
                    let shown = match &e {
                        kizuki_mail::Error::Io { path, .. } => path.display().to_string(),
                        _ => path.display().to_string(),
                    };
                    em.error(&shown, &e)
                }
            };
            progress.inc(1);
            match r {
                Ok(()) => true,
                Err(e) => {
                    io_err = Some(e);
                    false
                }
            }
        });
        if io_err.is_some() {
            break;
        }
    }
    progress.finish();
    if let Some(e) = io_err {
        return Err(e.into());
    }
    Ok(em.finish()?)
}

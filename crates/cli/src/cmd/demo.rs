//! `kizuki demo`: the whole chain on the bundled incident.

use kizuki_case::demo::{self, StageReport};
use kizuki_core::Text;
use kizuki_core::report::Style;

use crate::args::{DemoArgs, Global};
use crate::output::{Emitter, Exit};
use crate::progress::Progress;

fn text_of(r: &StageReport) -> Text {
    let mut t = Text::new();
    let mark = if r.ok { "ok" } else { "MISSED" };
    t.line()
        .push(Style::Path, format!("== {} ", r.stage))
        .push(Style::Dim, format!("(step {})", r.step))
        .plain(format!("  {} finding(s)  ", r.findings))
        .push(if r.ok { Style::Rule } else { Style::Error }, mark);
    for s in &r.summary {
        t.line().plain("   ").plain(s.clone());
    }
    t
}

/// Generates the sample incident and runs every stage on it.
pub fn run(g: &Global, d: &DemoArgs) -> anyhow::Result<Exit> {
    let mut em = Emitter::new(g);
    if g.format == crate::args::Format::Text {
        let mut t = Text::new();
        t.line()
            .plain("kizuki demo: sample incident in ")
            .push(Style::Path, d.out.display().to_string());
        em.record(&(), &t)?;
    }
    let mut io_err = None;
    let mut progress = Progress::new(g, demo::stages().len() as u64, "demo");
    let failures = demo::run(&d.out, |r| {
        progress.inc(1);
        let res = match r {
            Ok(rep) => em.record(&rep, &text_of(&rep)),
            Err(e) => em.error(&d.out.display().to_string(), &e),
        };
        if let Err(e) = res {
            io_err.get_or_insert(e);
        }
    })?;
    progress.finish();
    if let Some(e) = io_err {
        return Err(e.into());
    }
    let exit = em.finish()?;
    if failures > 0 {
        eprintln!("kizuki: demo: {failures} stage(s) did not find what the scenario planted");
        return Ok(Exit::Error);
    }
    Ok(exit)
}

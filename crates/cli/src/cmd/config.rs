//! `kizuki config check|example`.

use std::io::Write;

use anyhow::Context;
use kizuki_core::Text;
use kizuki_core::config::{self, Config, Source};
use kizuki_core::report::Style;
use serde::Serialize;

use crate::args::{ConfigCmd, Global};
use crate::output::{Emitter, Exit};

#[derive(Serialize)]
struct CheckResult {
    path: Option<String>,
    ok: bool,
}

/// Runs a config verb.
pub fn run(g: &Global, c: &ConfigCmd) -> anyhow::Result<Exit> {
    match c {
        ConfigCmd::Example => {
            let mut out = std::io::stdout().lock();
            out.write_all(config::EXAMPLE.as_bytes())
                .context("writing the example")?;
            Ok(Exit::Clean)
        }
        ConfigCmd::Check { file } => {
            let explicit = file.as_deref().or(g.config.as_deref());
            let (_cfg, source) = Config::discover(explicit)?;
            let path = match &source {
                Source::File(p) => Some(p.display().to_string()),
                Source::Defaults => None,
            };
            let mut t = Text::new();
            match &path {
                Some(p) => t.line().push(Style::Path, p.clone()).plain(": ok"),
                None => t
                    .line()
                    .plain("no configuration file found: built-in defaults are in use"),
            };
            let mut em = Emitter::new(g);
            em.record(&CheckResult { path, ok: true }, &t)?;
            Ok(em.finish()?)
        }
    }
}

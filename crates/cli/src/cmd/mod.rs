//! One module per area or verb; each turns parsed arguments into library calls and output.

pub mod completions;
pub mod config;
pub mod demo;
pub mod file;
pub mod net;
pub mod pii;

use kizuki_core::Config;

use crate::args::Global;

/// The configuration for a command: `--config`, else the usual lookup (see docs/config.md).
pub fn load_config(g: &Global) -> anyhow::Result<Config> {
    let (cfg, source) = Config::discover(g.config.as_deref())?;
    tracing::debug!(?source, "configuration");
    Ok(cfg)
}

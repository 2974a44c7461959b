//! Logging: tracing to stderr. Libraries log ids, hashes and offsets, never personal data.

use tracing_subscriber::EnvFilter;

use crate::args::Global;

/// Sets up the subscriber: `-q` errors only, default warnings, `-v` info, `-vv` debug, `-vvv`
/// trace; `KIZUKI_LOG` (an EnvFilter directive) overrides.
pub fn init(g: &Global) {
    let level = if g.quiet {
        "error"
    } else {
        match g.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = EnvFilter::try_from_env("KIZUKI_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    // A second init (tests) is harmless.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

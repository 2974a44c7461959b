//! CLI integration tests: one test binary (after ripgrep), one module per area.
//!
//! Every test runs the real `kizuki` binary with a clean environment (no user configuration,
//! no colour, no TTY) in a temporary working directory.

mod harness;

mod config;
mod demo;
mod file;
mod global;
mod net;
mod pii;

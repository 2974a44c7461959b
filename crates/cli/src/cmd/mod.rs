//! One module per area or verb; each turns parsed arguments into library calls and output.

pub mod completions;
pub mod config;
pub mod demo;

//! kizuki-case: the incident as a whole.
//!
//! This crate ties the areas together. Today it holds the bundled demo incident ([`demo`]): a
//! deterministic sample that follows the reference incident (spear-phishing mail with a PDF,
//! beaconing from a PC and from a server that must never talk out, a staged and deleted data
//! file, the affected people, the notification mail). Each area adds its inputs and its stage to
//! the demo, so `kizuki demo` always runs the whole chain that exists.
//!
//! The case store, timeline and HTML report come with their own issue.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod demo;
pub mod scenario;

/// Errors of the case crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing or reading a demo file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A stage failed.
    #[error("stage {stage}: {message}")]
    Stage {
        /// The stage name.
        stage: &'static str,
        /// What went wrong.
        message: String,
    },
}

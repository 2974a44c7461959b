//! Errors of the core crate. Each area crate has its own `Error`; they convert into this one
//! where they cross into shared code.

use std::path::PathBuf;

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in shared code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file is invalid. Displayed as one line: `file:line: key: message`.
    #[error("{}:{line}: {key}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line of the offending key or value (0 when unknown).
        line: usize,
        /// The dotted key (`mail.trusted_domains`), or `-` for a syntax error.
        key: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// An input exceeded a configured cap.
    #[error("{what} exceeds the limit of {limit}")]
    Limit {
        /// What was capped (`file size`, `nesting depth`).
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// An input is malformed beyond what the parser can make sense of.
    #[error("{name}: malformed at offset {offset}: {reason}")]
    Malformed {
        /// The input's display name.
        name: String,
        /// Where.
        offset: u64,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// Builds an [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

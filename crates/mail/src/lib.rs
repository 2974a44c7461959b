//! kizuki-mail: triage of e-mail messages (`kizuki mail scan`).
//!
//! A message goes through four analyses, each in its own module, and every reason ends up as a
//! [`Finding`] with a stable, dotted rule id (listed in docs/output.md):
//!
//! - [`sender`]: the display name against the shipped brand table ([`brands`]) and the configured
//!   trusted partners, lookalike domains ([`domain`]: edit distance, UTS #39 confusable skeletons
//!   via `unicode-security`, IDN/punycode via `idna`, hyphen and suffix swaps), Reply-To and
//!   Return-Path organisations (registered domain via the `psl` public-suffix list), and the
//!   first external `Received` hop as evidence.
//! - [`auth`]: `Authentication-Results` headers, believed only with the configured authserv-id,
//!   and real DKIM / SPF / DMARC verification with `mail-auth`, offline against a records file
//!   ([`dns`], for hermetic runs) or live.
//! - [`content`]: empty bodies with attachments, URLs (IP literals, punycode, lookalikes, link
//!   text that names another domain) and Japanese lure subjects (weak signals only).
//! - attachments: analysed by `kizuki-files`; their findings come up prefixed `attachment.`
//!   and their file reports are listed in the message report.
//!
//! The [`Session`] adds what needs more than one message: the "PPAP" pair (an encrypted zip, and
//! a later mail from the same sender that carries its password).
//!
//! Input ([`input`]): a `.eml` file, an mbox (streamed message by message under a size cap, by
//! hand because `mail_parser::mailbox::mbox` has no cap), a Maildir (`cur/`, `new/`) or a
//! directory of `.eml` files, or standard input.
//!
//! MIME parsing is `mail-parser` 0.11 (lenient by contract, `full_encoding` for ISO-2022-JP,
//! CP932 and EUC-JP). What is hand-written and why: the `Authentication-Results` reader (mail-auth
//! only writes that header), the mbox splitter (caps), the URL scanner (hrefs and text in one
//! pass, no regex engine on hostile input) and the DNS records file reader (a tiny format).
//!
//! Caps: message size, MIME parts looked at, URLs, header length analysed and nesting depth are
//! all bounded ([`Limits`]); a message over a cap is analysed as far as the cap and says so.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analyzer;
pub mod auth;
pub mod brands;
pub mod content;
pub mod dns;
pub mod domain;
pub mod input;
pub mod raw;
pub mod report;
pub mod sender;

pub use analyzer::{Analyzer, Limits, Options, Session};
pub use dns::{DnsMode, DnsRecords};
pub use kizuki_core::Finding;
pub use report::MailReport;

use std::path::PathBuf;

/// Errors of the mail crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading an input failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An input is over a size cap.
    #[error("{what} is larger than the limit of {limit} bytes; raise the cap or split the input")]
    TooLarge {
        /// What was too large (`message 3 of x.mbox`).
        what: String,
        /// The cap.
        limit: u64,
    },
    /// The DNS records file is invalid.
    #[error("{}:{line}: {message}", path.display())]
    DnsRecords {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The path is neither a message, an mbox, a Maildir nor a directory.
    #[error("{}: not a message file, mbox, Maildir or directory", path.display())]
    NotMail {
        /// The path.
        path: PathBuf,
    },
    /// Setting up the attachment analyser failed.
    #[error("attachment analyser: {0}")]
    Files(String),
    /// Setting up DNS verification failed.
    #[error("DNS set-up: {0}")]
    Dns(String),
}
pub mod synth;

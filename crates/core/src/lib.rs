//! The shared vocabulary of kizuki.
//!
//! Every area crate (files, mail, milter, net, pii, people, notify, case) speaks in the types
//! defined here, so that a finding produced by the PDF analyser, by the beacon detector or by the
//! personal-data scanner can be scored, printed, stored in a case and put on a timeline the same way.
//!
//! Design choices:
//! - [`Finding`] is deliberately small: a dotted, stable rule id (`pdf.javascript`), a
//!   [`Severity`], a human detail line and an optional [`Location`]. Rule ids are part of the public
//!   interface (users script against them) and are listed in `docs/output.md`.
//! - [`Scoring`] turns a set of findings into a score 0..=100 and a [`Verdict`]. The rule is
//!   documented on the type and its thresholds come from configuration.
//! - [`Category`] fixes the personal-data category ids used by every area.
//! - [`Detector`] and [`FindingSink`] are the push-style plug-in traits (after ripgrep's `Sink`):
//!   a detector pushes findings, the sink may ask it to stop.
//! - [`config`] holds the `kizuki.toml` model. Unknown keys and wrong types are rejected with the
//!   file, line and key; sections belong to the areas and grow with them.
//! - [`Text`] is a renderer-neutral description of human output, so library crates describe what
//!   to show and the CLI decides about colour and terminals.
//! - [`mask`] holds the masking rules: personal data shown to a person is masked unless revealed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod category;
pub mod civil;
pub mod config;
pub mod detector;
pub mod error;
pub mod finding;
pub mod hll;
pub mod io;
pub mod le;
pub mod mask;
pub mod report;
pub mod rng;
pub mod split;
pub mod verdict;

pub use category::Category;
pub use config::Config;
pub use detector::{Detector, FindingSink, Input};
pub use error::{Error, Result};
pub use finding::{Finding, Location, Severity};
pub use report::{Report, Style, Text};
pub use verdict::{Assessment, Scoring, Verdict};

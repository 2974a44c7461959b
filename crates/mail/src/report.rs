//! The per-message report: one JSON object per message (see docs/output.md).

use kizuki_core::report::Style;
use kizuki_core::{Finding, Report, Text, Verdict};
use serde::Serialize;

pub use kizuki_files::FileReport;

/// What `kizuki mail scan` reports for one message.
#[derive(Clone, Debug, Serialize)]
pub struct MailReport {
    /// The path, `path#N` for the N-th message of an mbox, `-` for standard input.
    pub source: String,
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The From address, masked (`s****@partner-air.example`).
    pub from: Option<String>,
    /// The decoded subject (at most 512 characters).
    pub subject: Option<String>,
    /// The Date header, RFC 3339.
    pub date: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// 0..=100.
    pub score: u8,
    /// Every reason.
    pub findings: Vec<Finding>,
    /// The attachments, as `kizuki file scan` reports them (path `source!name`).
    pub attachments: Vec<FileReport>,
}

impl Report for MailReport {
    fn is_hit(&self) -> bool {
        self.verdict != Verdict::Clean
    }

    fn text(&self) -> Text {
        let mut t = Text::new();
        t.line()
            .push(Style::Path, self.source.clone())
            .cell()
            .push(Style::Verdict(self.verdict), self.verdict.as_str())
            .cell()
            .push(Style::Dim, format!("score {}", self.score));
        t.line()
            .plain("  ")
            .push(Style::Dim, "from ")
            .plain(self.from.clone().unwrap_or_else(|| "-".into()))
            .push(Style::Dim, "  subject ")
            .plain(self.subject.clone().unwrap_or_else(|| "-".into()));
        t.findings("  ", &self.findings);
        for a in &self.attachments {
            t.line()
                .plain("  ")
                .push(Style::Dim, "attachment ")
                .push(Style::Path, a.path.clone())
                .push(Style::Dim, format!("  {} {} B  ", a.file_type, a.size))
                .push(Style::Verdict(a.verdict), a.verdict.as_str())
                .plain(format!(" ({})", a.score));
        }
        t
    }
}

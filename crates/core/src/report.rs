//! What a scan command prints, independent of terminals.
//!
//! A scanned item implements [`Report`]: it serialises to one JSON object (the JSON Lines
//! output) and describes its human output as [`Text`] — lines of styled spans. The CLI turns
//! styles into colours when stdout is a terminal and aligns the columns; library crates never
//! touch terminals.

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::verdict::Verdict;

/// The role of a span of text; the CLI maps roles to colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Ordinary text.
    Plain,
    /// A path or object name (bold).
    Path,
    /// A rule id.
    Rule,
    /// Coloured by a severity.
    Severity(Severity),
    /// Coloured by a verdict.
    Verdict(Verdict),
    /// Secondary information (dimmed).
    Dim,
    /// An error.
    Error,
}

/// One span of styled text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// How to show it.
    pub style: Style,
    /// The text.
    pub text: String,
}

/// Lines of spans. A line whose spans are separated into cells by [`Text::cell`] is aligned
/// with the neighbouring lines of the same block by the CLI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// The lines; each line is a list of cells, each cell a list of spans.
    pub lines: Vec<Vec<Vec<Span>>>,
}

impl Text {
    /// An empty text.
    pub fn new() -> Self {
        Text::default()
    }

    /// Starts a new line.
    pub fn line(&mut self) -> &mut Self {
        self.lines.push(vec![Vec::new()]);
        self
    }

    /// Starts a new cell on the current line (cells are aligned across lines).
    pub fn cell(&mut self) -> &mut Self {
        if self.lines.is_empty() {
            self.line();
        }
        if let Some(l) = self.lines.last_mut() {
            l.push(Vec::new());
        }
        self
    }

    /// Appends a span to the current cell.
    pub fn push(&mut self, style: Style, text: impl Into<String>) -> &mut Self {
        if self.lines.is_empty() {
            self.line();
        }
        if let Some(cell) = self.lines.last_mut().and_then(|l| l.last_mut()) {
            cell.push(Span {
                style,
                text: text.into(),
            });
        }
        self
    }

    /// Appends plain text.
    pub fn plain(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Style::Plain, text)
    }

    /// Adds one aligned line per finding: `  severity  rule  detail`.
    pub fn findings(&mut self, indent: &str, findings: &[Finding]) -> &mut Self {
        for f in findings {
            self.line()
                .plain(indent)
                .push(Style::Severity(f.severity), f.severity.as_str())
                .cell()
                .push(Style::Rule, f.rule.to_string())
                .cell()
                .plain(f.detail.clone());
        }
        self
    }

    /// The text without styles, cells joined by single spaces (for logs and tests).
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let cells: Vec<String> = line
                .iter()
                .map(|c| c.iter().map(|s| s.text.as_str()).collect::<String>())
                .collect();
            out.push_str(cells.join(" ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// One scanned item as printed by a scan command.
pub trait Report: Serialize {
    /// True when the item is at or above the command's threshold (sets exit code 1).
    fn is_hit(&self) -> bool;
    /// The human output.
    fn text(&self) -> Text;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_cells_and_plain_text() {
        let mut t = Text::new();
        t.line()
            .push(Style::Path, "a.pdf")
            .cell()
            .push(Style::Verdict(Verdict::Malicious), "malicious");
        t.findings(
            "  ",
            &[Finding::new(
                "pdf.launch",
                Severity::Critical,
                "/Launch cmd.exe",
            )],
        );
        assert_eq!(t.lines.len(), 2);
        assert_eq!(t.lines[1].len(), 3);
        assert_eq!(
            t.to_plain(),
            "a.pdf malicious\n  critical pdf.launch /Launch cmd.exe\n"
        );
    }
}

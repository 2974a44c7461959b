//! Findings: what a detector reports.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is on its own. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth recording, no weight in the score (e.g. "a URI is present").
    Info,
    /// A weak signal, never enough alone.
    Low,
    /// A real signal that needs a second one to make a verdict.
    Medium,
    /// A strong signal: suspicious on its own.
    High,
    /// Malicious on its own (e.g. JavaScript run on open, an executable hidden behind a bidi control).
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in JSON and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input a finding was made. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file or message the finding is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Byte offset in the (decoded) object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The member inside a container (`dir/x.pdf` inside a zip, `obj 12 0` inside a PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

/// One thing a detector noticed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Dotted, stable rule id (`pdf.javascript`). Documented in docs/output.md.
    pub rule: Cow<'static, str>,
    /// How bad it is on its own.
    pub severity: Severity,
    /// One human line of evidence. Never raw personal data.
    pub detail: String,
    /// Where it was found, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Finding {
    /// A finding without a location.
    pub fn new(
        rule: impl Into<Cow<'static, str>>,
        severity: Severity,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            detail: detail.into(),
            location: None,
        }
    }

    /// Sets the byte offset of the finding.
    pub fn at_offset(mut self, offset: u64) -> Self {
        self.location.get_or_insert_with(Location::default).offset = Some(offset);
        self
    }

    /// Sets the container member of the finding.
    pub fn in_member(mut self, member: impl Into<String>) -> Self {
        self.location.get_or_insert_with(Location::default).member = Some(member.into());
        self
    }

    /// Sets the path of the finding.
    pub fn in_path(mut self, path: impl Into<String>) -> Self {
        self.location.get_or_insert_with(Location::default).path = Some(path.into());
        self
    }

    /// The same finding under a prefixed rule id (`attachment.` + `pdf.javascript`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.rule = Cow::Owned(format!("{prefix}{}", self.rule));
        self
    }
}

/// True when `rule` is a well-formed rule id: two or more dot-separated parts of
/// `[a-z0-9_-]`, the first starting with a letter. Tests of every area check their ids with it.
pub fn is_valid_rule_id(rule: &str) -> bool {
    let mut parts = 0;
    for part in rule.split('.') {
        parts += 1;
        if part.is_empty()
            || !part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return false;
        }
    }
    parts >= 2 && rule.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_serialises_lowercase() {
        assert!(Severity::Info < Severity::Critical);
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
    }

    #[test]
    fn finding_json_omits_empty_location() {
        let f = Finding::new("pdf.javascript", Severity::High, "1 /JS");
        let j = serde_json::to_value(&f).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"rule":"pdf.javascript","severity":"high","detail":"1 /JS"})
        );
        let f = f.at_offset(7).in_member("obj 3 0");
        let j = serde_json::to_value(&f).unwrap();
        assert_eq!(j["location"]["offset"], 7);
        assert_eq!(j["location"]["member"], "obj 3 0");
    }

    #[test]
    fn rule_ids_are_checked() {
        assert!(is_valid_rule_id("pdf.javascript"));
        assert!(is_valid_rule_id("yara.my_rule"));
        assert!(is_valid_rule_id("attachment.pdf.open_action"));
        assert!(!is_valid_rule_id("pdf"));
        assert!(!is_valid_rule_id("PDF.js"));
        assert!(!is_valid_rule_id("pdf..js"));
        assert!(!is_valid_rule_id("1pdf.js"));
    }

    #[test]
    fn prefixed_keeps_the_rest() {
        let f = Finding::new("pdf.launch", Severity::Critical, "x").prefixed("attachment.");
        assert_eq!(f.rule, "attachment.pdf.launch");
    }
}

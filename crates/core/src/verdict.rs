//! From findings to a score and a verdict.
//!
//! # The rule
//! Each severity has a weight `w` in `0.0..=1.0` (defaults: info 0, low 0.10, medium 0.25,
//! high 0.50, critical 0.90). Findings are combined like independent pieces of evidence:
//!
//! ```text
//! score = round(100 * (1 - Π (1 - w_i)))
//! ```
//!
//! so the score only grows with more evidence, never passes 100, and many weak signals cannot
//! reach what one critical finding reaches unless there are many of them (ten low findings give
//! 65). Findings with the same rule id count once (the strongest), so a PDF with 40 `/JS` names
//! does not outweigh one with a `/Launch`.
//!
//! The verdict compares the score with two thresholds (defaults: suspicious at 25, malicious at
//! 70): one medium finding makes a suspicious item, one high finding is suspicious, two high
//! findings or one critical finding make it malicious. Each area may set its own thresholds in its
//! configuration section.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};

/// The overall judgement on an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing at or above the suspicious threshold.
    Clean,
    /// Worth a person's look.
    Suspicious,
    /// Block or quarantine.
    Malicious,
}

impl Verdict {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Weights and thresholds; see the module documentation for the rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scoring {
    /// Score at or above which an item is suspicious (1..=100).
    pub suspicious: u8,
    /// Score at or above which an item is malicious (1..=100, >= suspicious).
    pub malicious: u8,
    /// Weight of an info finding.
    pub weight_info: f64,
    /// Weight of a low finding.
    pub weight_low: f64,
    /// Weight of a medium finding.
    pub weight_medium: f64,
    /// Weight of a high finding.
    pub weight_high: f64,
    /// Weight of a critical finding.
    pub weight_critical: f64,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            suspicious: 25,
            malicious: 70,
            weight_info: 0.0,
            weight_low: 0.10,
            weight_medium: 0.25,
            weight_high: 0.50,
            weight_critical: 0.90,
        }
    }
}

/// A score and the verdict it gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// 0..=100.
    pub score: u8,
    /// The verdict for that score.
    pub verdict: Verdict,
}

impl Scoring {
    /// The weight of one severity.
    pub fn weight(&self, s: Severity) -> f64 {
        let w = match s {
            Severity::Info => self.weight_info,
            Severity::Low => self.weight_low,
            Severity::Medium => self.weight_medium,
            Severity::High => self.weight_high,
            Severity::Critical => self.weight_critical,
        };
        w.clamp(0.0, 1.0)
    }

    /// Checks the invariants a configuration must hold; the error names the offending key.
    pub fn validate(&self) -> Result<(), String> {
        if self.suspicious == 0 || self.suspicious > 100 {
            return Err("suspicious must be in 1..=100".into());
        }
        if self.malicious < self.suspicious || self.malicious > 100 {
            return Err("malicious must be in suspicious..=100".into());
        }
        for (k, w) in [
            ("weight_info", self.weight_info),
            ("weight_low", self.weight_low),
            ("weight_medium", self.weight_medium),
            ("weight_high", self.weight_high),
            ("weight_critical", self.weight_critical),
        ] {
            if !(0.0..=1.0).contains(&w) {
                return Err(format!("{k} must be in 0.0..=1.0"));
            }
        }
        Ok(())
    }

    /// The verdict for a score.
    pub fn verdict_for(&self, score: u8) -> Verdict {
        if score >= self.malicious {
            Verdict::Malicious
        } else if score >= self.suspicious {
            Verdict::Suspicious
        } else {
            Verdict::Clean
        }
    }

    /// Scores a set of findings (one per rule id counts, the strongest).
    pub fn assess<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> Assessment {
        let mut strongest: HashMap<&str, Severity> = HashMap::new();
        for f in findings {
            let e = strongest.entry(f.rule.as_ref()).or_insert(f.severity);
            if f.severity > *e {
                *e = f.severity;
            }
        }
        let keep: f64 = strongest.values().map(|s| 1.0 - self.weight(*s)).product();
        let score = (100.0 * (1.0 - keep)).round().clamp(0.0, 100.0) as u8;
        Assessment {
            score,
            verdict: self.verdict_for(score),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(rule: &'static str, s: Severity) -> Finding {
        Finding::new(rule, s, "")
    }

    #[test]
    fn documented_examples_hold() {
        let sc = Scoring::default();
        assert_eq!(sc.assess(&[]).verdict, Verdict::Clean);
        assert_eq!(sc.assess(&[f("a.b", Severity::Info)]).score, 0);
        let one_medium = sc.assess(&[f("a.b", Severity::Medium)]);
        assert_eq!(
            (one_medium.score, one_medium.verdict),
            (25, Verdict::Suspicious)
        );
        let one_high = sc.assess(&[f("a.b", Severity::High)]);
        assert_eq!(one_high.verdict, Verdict::Suspicious);
        let two_high = sc.assess(&[f("a.b", Severity::High), f("a.c", Severity::High)]);
        assert_eq!((two_high.score, two_high.verdict), (75, Verdict::Malicious));
        let crit = sc.assess(&[f("a.b", Severity::Critical)]);
        assert_eq!((crit.score, crit.verdict), (90, Verdict::Malicious));
        let ten_low: Vec<Finding> = (0..10)
            .map(|i| Finding::new(format!("low.r{i}"), Severity::Low, ""))
            .collect();
        assert_eq!(sc.assess(&ten_low).score, 65);
    }

    #[test]
    fn same_rule_counts_once_at_its_strongest() {
        let sc = Scoring::default();
        let many: Vec<Finding> = (0..40)
            .map(|_| f("pdf.javascript", Severity::High))
            .collect();
        assert_eq!(sc.assess(&many).score, 50);
        let mixed = [f("x.y", Severity::Low), f("x.y", Severity::Critical)];
        assert_eq!(sc.assess(&mixed).score, 90);
    }

    #[test]
    fn score_is_monotone_and_capped() {
        let sc = Scoring::default();
        let mut v = Vec::new();
        let mut last = 0;
        for i in 0..50 {
            v.push(Finding::new(format!("r.n{i}"), Severity::Critical, ""));
            let s = sc.assess(&v).score;
            assert!(s >= last && s <= 100);
            last = s;
        }
        assert_eq!(last, 100);
    }

    #[test]
    fn thresholds_are_configurable_and_validated() {
        let sc = Scoring {
            suspicious: 10,
            malicious: 40,
            ..Scoring::default()
        };
        assert_eq!(
            sc.assess(&[f("a.b", Severity::Low)]).verdict,
            Verdict::Suspicious
        );
        assert_eq!(
            sc.assess(&[f("a.b", Severity::High)]).verdict,
            Verdict::Malicious
        );
        assert!(sc.validate().is_ok());
        let bad = Scoring {
            suspicious: 50,
            malicious: 20,
            ..Scoring::default()
        };
        assert!(bad.validate().is_err());
    }
}

//! One network finding, as printed (`kizuki net scan` emits one per line, sorted by score).

use kizuki_core::{Report, Severity, Style, Text};
use serde::Serialize;
use serde_json::{Map, Value};

/// What kind of traffic a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Regular call-backs (RITA-class score plus a periodicity test).
    Beacon,
    /// So many connections that timing says nothing (>= 86,400 a day).
    Strobe,
    /// A connection open for a long time (open_conn.log included).
    LongConnection,
    /// Many unique subdomains below one registered domain.
    DnsTunnel,
    /// Far more bytes out than the host's own baseline, and far more out than in.
    Exfiltration,
    /// A host whose role denies egress talked to a non-internal address.
    EgressViolation,
    /// A destination on a threat-intelligence list.
    ThreatIntel,
}

impl Kind {
    /// The stable id (also the JSON value), used as the rule id `net.<kind>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Beacon => "beacon",
            Kind::Strobe => "strobe",
            Kind::LongConnection => "long_connection",
            Kind::DnsTunnel => "dns_tunnel",
            Kind::Exfiltration => "exfiltration",
            Kind::EgressViolation => "egress_violation",
            Kind::ThreatIntel => "threat_intel",
        }
    }
}

/// One finding. The JSON fields are the interface (docs/output.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetFinding {
    /// What was found.
    pub kind: Kind,
    /// The internal (or originating) host.
    pub src: String,
    /// The destination address or name; for dns_tunnel the registered domain.
    pub dst: String,
    /// Ranking score 0..=1 (modifiers included); output is sorted by it.
    pub score: f64,
    /// First time seen (RFC 3339, UTC).
    pub first_seen: String,
    /// Last time seen.
    pub last_seen: String,
    /// Connections (for dns_tunnel: queries; for threat_intel on names: matches).
    pub connections: u64,
    /// Payload bytes from src.
    pub bytes_out: u64,
    /// Payload bytes to src.
    pub bytes_in: u64,
    /// Why: the sub-scores, counts and modifiers behind the score.
    pub evidence: Map<String, Value>,
}

impl NetFinding {
    /// The severity a score maps to (for the text output).
    pub fn severity(&self) -> Severity {
        match self.score {
            s if s >= 0.9 => Severity::Critical,
            s if s >= 0.75 => Severity::High,
            s if s >= 0.6 => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

impl Report for NetFinding {
    fn is_hit(&self) -> bool {
        true
    }

    fn text(&self) -> Text {
        let mut t = Text::new();
        t.line()
            .push(
                Style::Severity(self.severity()),
                format!("{:.3}", self.score),
            )
            .cell()
            .push(Style::Rule, self.kind.as_str())
            .cell()
            .push(Style::Path, format!("{} -> {}", self.src, self.dst))
            .cell()
            .plain(format!(
                "{} conns  out {}  in {}",
                self.connections, self.bytes_out, self.bytes_in
            ))
            .cell()
            .push(
                Style::Dim,
                format!("{} .. {}", self.first_seen, self.last_seen),
            );
        let ev: Vec<String> = self
            .evidence
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        t.line().plain("    ").push(Style::Dim, ev.join(" "));
        t
    }
}

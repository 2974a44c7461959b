//! `kizuki.toml`: the configuration model, its lookup and its validation.
//!
//! Each area owns one section ([files], [mail], [milter], [net], [pii], [people], [notify]); every
//! struct denies unknown fields, so a typo is an error, not a silently ignored setting. Errors are
//! one line: `file:line: key: message`. The doc comments on the fields are the user documentation
//! (see also `kizuki config example` and docs/config.md).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::verdict::Scoring;

/// The name looked up in the working directory and in `$XDG_CONFIG_HOME/kizuki/`.
pub const FILE_NAME: &str = "kizuki.toml";

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `kizuki file scan` and the attachment analysis used by mail, milter and pii.
    pub files: FilesConfig,
    /// `kizuki mail scan`.
    pub mail: MailConfig,
    /// `kizuki mail milter`.
    pub milter: MilterConfig,
    /// `kizuki net scan`.
    pub net: NetConfig,
    /// `kizuki pii scan`.
    pub pii: PiiConfig,
    /// `kizuki people resolve|lookup`.
    pub people: PeopleConfig,
    /// `kizuki notify`.
    pub notify: NotifyConfig,
}

/// [files]: caps and verdict thresholds of the file analyser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// Maximum container nesting depth (a zip in a zip in a PDF is depth 3).
    pub max_depth: u32,
    /// Maximum members looked at in one container.
    pub max_members: u32,
    /// Maximum bytes decompressed from one top-level file, all members together.
    pub max_total_size: u64,
    /// Maximum decompression ratio of one member before it counts as a bomb.
    pub max_ratio: u32,
    /// Candidate passwords for encrypted archives (the "PPAP" practice).
    pub passwords: Vec<String>,
    /// Verdict thresholds and severity weights.
    pub scoring: Scoring,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            max_depth: 4,
            max_members: 10_000,
            max_total_size: 512 * 1024 * 1024,
            max_ratio: 200,
            passwords: Vec::new(),
            scoring: Scoring::default(),
        }
    }
}

/// [mail]: sender trust and verdict thresholds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// Domains of business partners whose names and lookalikes are watched.
    pub trusted_domains: Vec<String>,
    /// The authserv-id of your own border MTA: only Authentication-Results headers with this
    /// id are believed (others can be forged by the sender).
    pub authserv_id: Option<String>,
    /// Extra brand names and their real domains, added to the shipped table.
    pub brands: Vec<Brand>,
    /// Verdict thresholds and severity weights.
    pub scoring: Scoring,
}

/// A name shown in display names, and the domains that may legitimately use it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// The name as it appears (`日本航空`, `JAL`).
    pub name: String,
    /// Its real domains (`jal.co.jp`).
    pub domains: Vec<String>,
}

/// [milter]: the Postfix milter service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MilterConfig {}

/// [net]: network roles, allow-lists and threat intelligence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetConfig {
    /// Internal networks; anything else is external.
    pub internal: Vec<String>,
    /// Host roles and their egress policy (`[[net.role]]`).
    pub role: Vec<NetRole>,
    /// Domains whose traffic is expected (CDNs, update services); lowers or drops scores.
    pub allow_domains: Vec<String>,
    /// Networks whose traffic is expected.
    pub allow_cidrs: Vec<String>,
    /// Threat-intelligence files: IPs and domains, one per line.
    pub intel: Vec<PathBuf>,
    /// `conn_state` values that are failed handshakes: counted, not timed (a rejected
    /// connection retried every second is no beacon).
    pub failed_states: Vec<String>,
    /// Analysis thresholds (`[net.thresholds]`).
    pub thresholds: NetThresholds,
}

/// [net.thresholds]: when an analysis reports (defaults follow RITA where it has one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetThresholds {
    /// Findings below this final score (0..1) are not reported.
    pub min_score: f64,
    /// Connections a pair needs before its timing is scored as a beacon (at least 3).
    pub beacon_min_conns: u64,
    /// Connections per day that make a strobe (RITA: 86,400).
    pub strobe_per_day: u64,
    /// Seconds that make a long connection.
    pub long_min_secs: f64,
    /// Unique query names below one registered domain that make a DNS tunnel candidate.
    pub dns_min_unique: u64,
    /// Bytes out of one pair before exfiltration is considered.
    pub exfil_min_bytes: u64,
    /// Minimum bytes-out / bytes-in ratio for exfiltration.
    pub exfil_min_ratio: f64,
}

impl Default for NetThresholds {
    fn default() -> Self {
        NetThresholds {
            min_score: 0.5,
            beacon_min_conns: 6,
            strobe_per_day: 86_400,
            long_min_secs: 3600.0,
            dns_min_unique: 100,
            exfil_min_bytes: 100 << 20,
            exfil_min_ratio: 3.0,
        }
    }
}

impl NetThresholds {
    /// The first out-of-range value: (key below `net.thresholds`, message).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let t = self;
        if !(0.0..=1.0).contains(&t.min_score) {
            return Err((
                "min_score",
                format!("{} is not between 0 and 1", t.min_score),
            ));
        }
        if t.beacon_min_conns < 3 {
            return Err((
                "beacon_min_conns",
                format!(
                    "{} is below 3 (a beacon needs two intervals)",
                    t.beacon_min_conns
                ),
            ));
        }
        if t.strobe_per_day == 0 {
            return Err(("strobe_per_day", "must be at least 1".into()));
        }
        if !(t.long_min_secs.is_finite() && t.long_min_secs > 0.0) {
            return Err((
                "long_min_secs",
                format!("{} is not a positive number of seconds", t.long_min_secs),
            ));
        }
        if t.dns_min_unique == 0 {
            return Err(("dns_min_unique", "must be at least 1".into()));
        }
        if !(t.exfil_min_ratio.is_finite() && t.exfil_min_ratio >= 0.0) {
            return Err((
                "exfil_min_ratio",
                format!("{} is not a ratio of 0 or more", t.exfil_min_ratio),
            ));
        }
        Ok(())
    }
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            internal: vec![
                "10.0.0.0/8".into(),
                "172.16.0.0/12".into(),
                "192.168.0.0/16".into(),
                "fc00::/7".into(),
            ],
            role: Vec::new(),
            allow_domains: Vec::new(),
            allow_cidrs: Vec::new(),
            intel: Vec::new(),
            failed_states: vec!["REJ".into(), "S0".into()],
            thresholds: NetThresholds::default(),
        }
    }
}

/// A host role: which hosts, and whether they may talk to the outside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetRole {
    /// Role name (`db-server`).
    pub name: String,
    /// The hosts, as CIDRs.
    pub hosts: Vec<String>,
    /// `deny`: any traffic to a non-internal address is a finding.
    pub egress: Egress,
}

/// Egress policy of a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Egress {
    /// May talk to the outside.
    Allow,
    /// Must never talk to the outside.
    Deny,
}

/// [pii]: personal-data scanning.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PiiConfig {
    /// Categories to look for (empty: all).
    pub categories: Vec<crate::category::Category>,
    /// Report an object only when it holds at least this many values.
    pub min_count: Option<u64>,
}

/// [people]: record normalisation and linkage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeopleConfig {}

/// [notify]: notification mail and regulator reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {}

/// A commented example that passes `kizuki config check`.
pub const EXAMPLE: &str = include_str!("example.toml");

/// Where the configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// No file found: built-in defaults.
    Defaults,
    /// This file.
    File(PathBuf),
}

impl Config {
    /// Parses a configuration text; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, path, "-", &e))?;
        let cfg: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            toml_error(text, path, &key, e.inner())
        })?;
        cfg.validate(text, path)?;
        Ok(cfg)
    }

    /// Reads and parses one file.
    pub fn load_file(path: &Path) -> Result<Config, Error> {
        let bytes = crate::io::read_file_capped(path, 4 * 1024 * 1024)?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            line: 0,
            key: "-".into(),
            message: format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        Config::parse(&text, path)
    }

    /// Finds and loads the configuration: `explicit` if given, else `./kizuki.toml`, else
    /// `$XDG_CONFIG_HOME/kizuki/kizuki.toml` (`~/.config/...` when unset), else defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<(Config, Source), Error> {
        if let Some(p) = explicit {
            return Ok((Config::load_file(p)?, Source::File(p.to_path_buf())));
        }
        for candidate in candidates() {
            if candidate.is_file() {
                return Ok((Config::load_file(&candidate)?, Source::File(candidate)));
            }
        }
        Ok((Config::default(), Source::Defaults))
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), Error> {
        let fail = |key: &str, message: String| Error::Config {
            path: path.to_path_buf(),
            line: find_key_line(text, key),
            key: key.to_string(),
            message,
        };
        for (key, sc) in [
            ("files.scoring", &self.files.scoring),
            ("mail.scoring", &self.mail.scoring),
        ] {
            sc.validate().map_err(|m| fail(key, m))?;
        }
        for c in self.net.internal.iter().chain(&self.net.allow_cidrs) {
            check_cidr(c).map_err(|m| fail("net", m))?;
        }
        for (i, r) in self.net.role.iter().enumerate() {
            for h in &r.hosts {
                check_cidr(h).map_err(|m| fail(&format!("net.role[{i}].hosts"), m))?;
            }
        }
        self.net
            .thresholds
            .validate()
            .map_err(|(k, m)| fail(&format!("net.thresholds.{k}"), m))?;
        Ok(())
    }
}

/// The lookup order after an explicit `--config`.
fn candidates() -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(FILE_NAME)];
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = xdg {
        v.push(dir.join("kizuki").join(FILE_NAME));
    }
    v
}

/// Accepts `a.b.c.d/n` and IPv6 `x::/n`, and bare addresses.
fn check_cidr(s: &str) -> Result<(), String> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let ip: std::net::IpAddr = addr
        .parse()
        .map_err(|_| format!("'{s}' is not an IP address or CIDR"))?;
    if let Some(l) = len {
        let max = if ip.is_ipv4() { 32 } else { 128 };
        match l.parse::<u8>() {
            Ok(n) if n <= max => {}
            _ => return Err(format!("'{s}': prefix length must be 0..={max}")),
        }
    }
    Ok(())
}

fn toml_error(text: &str, path: &Path, key: &str, e: &toml::de::Error) -> Error {
    let line = match e.span() {
        Some(span) => line_of(text, span.start),
        None => find_key_line(text, key),
    };
    let message = e.message().trim().replace('\n', " ");
    let key = if key.is_empty() || key == "." {
        "-"
    } else {
        key
    };
    Error::Config {
        path: path.to_path_buf(),
        line,
        key: key.to_string(),
        message,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Best-effort line of a dotted key (`mail.trusted_domains`, `net.role[0].hosts`): the line of
/// the last key part inside the section named by the first part, or of the section header.
fn find_key_line(text: &str, key: &str) -> usize {
    let parts: Vec<&str> = key
        .split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .filter(|p| !p.is_empty())
        .collect();
    let Some(last) = parts.last() else { return 0 };
    let section = parts.first().copied().unwrap_or("");
    let mut in_section = parts.len() == 1;
    let mut header_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.starts_with('[') {
            let name = l.trim_matches(|c| c == '[' || c == ']').trim();
            in_section = name == section || name.starts_with(&format!("{section}."));
            if in_section && header_line == 0 {
                header_line = i + 1;
            }
            continue;
        }
        if in_section
            && let Some((k, _)) = l.split_once('=')
            && k.trim().trim_matches('"') == *last
        {
            return i + 1;
        }
    }
    header_line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<Config, Error> {
        Config::parse(t, Path::new("k.toml"))
    }

    #[test]
    fn example_parses_and_differs_only_where_it_says() {
        let c = parse(EXAMPLE).expect("example must pass check");
        assert_eq!(c.mail.trusted_domains, ["partner-air.example"]);
        assert_eq!(c.net.role[0].egress, Egress::Deny);
    }

    #[test]
    fn empty_is_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = parse("[mail]\ntrusted_domains = []\ntrusted_domain = [\"x\"]\n").unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("k.toml:3: "), "{s}");
        assert!(s.contains("trusted_domain"), "{s}");
        assert_eq!(s.lines().count(), 1);
    }

    #[test]
    fn unknown_section_is_rejected() {
        let s = parse("\n\n[mial]\nx = 1\n").unwrap_err().to_string();
        assert!(s.starts_with("k.toml:3: "), "{s}");
        assert!(s.contains("mial"), "{s}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let s = parse("[files]\nmax_depth = \"four\"\n")
            .unwrap_err()
            .to_string();
        assert!(s.starts_with("k.toml:2: files.max_depth: "), "{s}");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let s = parse("[net]\ninternal = [\"10.0.0.0/8\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            s.starts_with("k.toml:2: -: ") || s.starts_with("k.toml:3: -: "),
            "{s}"
        );
    }

    #[test]
    fn bad_values_are_validated() {
        let s = parse("[net]\ninternal = [\"10.0.0.0/33\"]\n")
            .unwrap_err()
            .to_string();
        assert!(s.contains("k.toml:1: net: "), "{s}");
        let s = parse("[files.scoring]\nsuspicious = 80\nmalicious = 20\n")
            .unwrap_err()
            .to_string();
        assert!(s.contains("files.scoring"), "{s}");
        let s = parse(
            "[net]\ninternal = []\n[net.thresholds]\nbeacon_min_conns = 6\nmin_score = 2.0\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            s.contains("k.toml:5: net.thresholds.min_score: 2 is not between 0 and 1"),
            "{s}"
        );
        let s = parse("[net.thresholds]\nbeacon_min_conns = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            s.contains("k.toml:2: net.thresholds.beacon_min_conns: "),
            "{s}"
        );
        let s = parse("[net.thresholds]\nbeacon_minimum = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            s.contains("k.toml:2: net.thresholds.beacon_minimum: unknown field"),
            "{s}"
        );
        let c = parse("[net]\nfailed_states = [\"REJ\"]\n[net.thresholds]\nlong_min_secs = 60.0\n")
            .unwrap();
        assert_eq!(c.net.failed_states, ["REJ"]);
        assert_eq!(c.net.thresholds.long_min_secs, 60.0);
        assert_eq!(
            c.net.thresholds.min_score,
            NetThresholds::default().min_score
        );
    }

    #[test]
    fn discover_prefers_explicit_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.toml");
        std::fs::write(&p, "[pii]\nmin_count = 3\n").unwrap();
        let (c, src) = Config::discover(Some(&p)).unwrap();
        assert_eq!(c.pii.min_count, Some(3));
        assert_eq!(src, Source::File(p));
    }
}

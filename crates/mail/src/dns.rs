//! DNS for verification: an offline records file (`--dns-records FILE`) or live lookups.
//!
//! # The records file
//! One record per line, `#` starts a comment, names are case-insensitive (a trailing dot is
//! optional):
//!
//! ```text
//! partner-air.example              TXT  "v=spf1 ip4:192.0.2.0/24 -all"
//! _dmarc.partner-air.example       TXT  "v=DMARC1; p=reject"
//! k1._domainkey.partner-air.example TXT "v=DKIM1; k=ed25519; " "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
//! mail.partner-air.example         A    192.0.2.10
//! partner-air.example              MX   10 mail.partner-air.example
//! ```
//!
//! TXT values are one or more double-quoted strings (joined without separator, as DNS does) or
//! the bare rest of the line. Types: TXT, A, AAAA, MX, PTR (`10.2.0.192.in-addr.arpa` style
//! names are not needed: write the address, `203.0.113.5 PTR host.example`). A name that is not
//! in the file does not exist (NXDOMAIN): offline verification never touches the network.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::Dmarc;
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::Spf;
use mail_auth::{DnssecStatus, MX, RecordSet, ResolverCache, Txt};

use crate::Error;

/// Where verification gets DNS answers.
#[derive(Clone, Debug, Default)]
pub enum DnsMode {
    /// No verification: only trusted `Authentication-Results` headers count.
    #[default]
    Off,
    /// Offline, from a records file.
    Records(Arc<DnsRecords>),
    /// The system resolver.
    Live,
}

/// The parsed records file.
#[derive(Clone, Debug, Default)]
pub struct DnsRecords {
    txt: HashMap<String, Vec<Vec<u8>>>,
    a: HashMap<String, Vec<Ipv4Addr>>,
    aaaa: HashMap<String, Vec<Ipv6Addr>>,
    mx: HashMap<String, Vec<(u16, String)>>,
    ptr: HashMap<IpAddr, Vec<String>>,
}

fn norm(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl DnsRecords {
    /// Reads a records file (capped at 16 MiB).
    pub fn load(path: &Path) -> Result<DnsRecords, Error> {
        let bytes = kizuki_core::io::read_file_capped(path, 16 * 1024 * 1024).map_err(|e| {
            Error::DnsRecords {
                path: path.to_path_buf(),
                line: 0,
                message: e.to_string(),
            }
        })?;
        let text = String::from_utf8_lossy(&bytes);
        DnsRecords::parse(&text).map_err(|(line, message)| Error::DnsRecords {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// Parses the text of a records file; errors are (line, message).
    pub fn parse(text: &str) -> Result<DnsRecords, (usize, String)> {
        let mut r = DnsRecords::default();
        for (i, raw) in text.lines().enumerate() {
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            let n = i + 1;
            let mut it = line.splitn(3, char::is_whitespace);
            let name = it.next().unwrap_or("");
            let rest = it.next().map(str::trim).unwrap_or("");
            let (ty, value) = match rest.split_once(char::is_whitespace) {
                Some((t, v)) => (t, v.trim().to_string() + " " + it.next().unwrap_or("")),
                None => (rest, it.next().unwrap_or("").to_string()),
            };
            let value = value.trim();
            let bad = |m: &str| (n, format!("{m} (expected: NAME TYPE VALUE)"));
            match ty.to_ascii_uppercase().as_str() {
                "TXT" => {
                    let v = txt_value(value).ok_or_else(|| bad("unterminated quoted string"))?;
                    r.txt.entry(norm(name)).or_default().push(v);
                }
                "A" => {
                    let ip: Ipv4Addr = value.parse().map_err(|_| bad("not an IPv4 address"))?;
                    r.a.entry(norm(name)).or_default().push(ip);
                }
                "AAAA" => {
                    let ip: Ipv6Addr = value.parse().map_err(|_| bad("not an IPv6 address"))?;
                    r.aaaa.entry(norm(name)).or_default().push(ip);
                }
                "MX" => {
                    let (p, h) = value
                        .split_once(char::is_whitespace)
                        .ok_or_else(|| bad("MX needs a preference and a host"))?;
                    let p: u16 = p
                        .parse()
                        .map_err(|_| bad("MX preference is not a number"))?;
                    r.mx.entry(norm(name)).or_default().push((p, norm(h)));
                }
                "PTR" => {
                    let ip: IpAddr = name
                        .parse()
                        .map_err(|_| bad("PTR name must be an address"))?;
                    r.ptr.entry(ip).or_default().push(norm(value));
                }
                "" => return Err(bad("missing type")),
                t => {
                    return Err((
                        n,
                        format!("unknown record type '{t}' (TXT, A, AAAA, MX, PTR)"),
                    ));
                }
            }
        }
        Ok(r)
    }

    /// Number of names with records.
    pub fn len(&self) -> usize {
        self.txt.len() + self.a.len() + self.aaaa.len() + self.mx.len() + self.ptr.len()
    }

    /// True when the file held no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn txt_for(&self, name: &str) -> Txt {
        let n = norm(name);
        let Some(records) = self.txt.get(&n) else {
            return nxdomain();
        };
        let mut last = Txt::Error(mail_auth::Error::Dns(
            mail_auth::DnsError::InvalidRecordType,
        ));
        for rec in records {
            let parsed: Option<Txt> = if n.starts_with("_dmarc.") {
                Dmarc::parse(rec).ok().map(|d| Txt::Dmarc(Arc::new(d)))
            } else if n.contains("._domainkey.") {
                DomainKey::parse(rec)
                    .ok()
                    .map(|d| Txt::DomainKey(Arc::new(d)))
            } else if rec.len() >= 6 && rec[..6].eq_ignore_ascii_case(b"v=spf1") {
                Spf::parse(rec).ok().map(|s| Txt::Spf(Arc::new(s)))
            } else {
                None
            };
            match parsed {
                Some(t) => return t,
                None => last = Txt::Error(mail_auth::Error::ParseError),
            }
        }
        last
    }
}

fn nxdomain() -> Txt {
    Txt::Error(mail_auth::Error::Dns(mail_auth::DnsError::RecordNotFound(
        ResponseCode::NXDomain,
    )))
}

fn strip_comment(line: &str) -> &str {
    let mut in_q = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_q = !in_q,
            '#' if !in_q => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `"a" "b"` -> `ab`; a bare value is taken as is.
fn txt_value(v: &str) -> Option<Vec<u8>> {
    if !v.starts_with('"') {
        return Some(v.as_bytes().to_vec());
    }
    let mut out = Vec::new();
    let mut rest = v;
    while let Some(r) = rest.trim_start().strip_prefix('"') {
        let end = r.find('"')?;
        out.extend_from_slice(&r.as_bytes()[..end]);
        rest = &r[end + 1..];
    }
    Some(out)
}

fn set<T>(v: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(v),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

/// A prefilled cache for one message: the records file in mail-auth's cache types, plus
/// NXDOMAIN answers for the names this message's verification will ask for that the file does
/// not hold. mail-auth asks its caches first, so verification never reaches the resolver for
/// those; names reached only through SPF `include:`/`redirect=` must be in the file.
pub(crate) struct Prefilled<V> {
    base: Arc<HashMap<Box<str>, V>>,
    extra: HashMap<Box<str>, V>,
}

impl<V: Clone> ResolverCache<Box<str>, V> for Prefilled<V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.base
            .get(name)
            .or_else(|| self.extra.get(name))
            .cloned()
    }
    fn remove<Q>(&self, _: &Q) -> Option<V>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        None
    }
    fn insert(&self, _: Box<str>, _: V, _: std::time::Instant) {}
}

/// PTR answers from the file.
pub(crate) struct PtrCache {
    map: Arc<HashMap<IpAddr, RecordSet<Box<str>>>>,
}

impl ResolverCache<IpAddr, RecordSet<Box<str>>> for PtrCache {
    fn get<Q>(&self, name: &Q) -> Option<RecordSet<Box<str>>>
    where
        IpAddr: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.get(name).cloned()
    }
    fn remove<Q>(&self, _: &Q) -> Option<RecordSet<Box<str>>>
    where
        IpAddr: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        None
    }
    fn insert(&self, _: IpAddr, _: RecordSet<Box<str>>, _: std::time::Instant) {}
}

/// The five caches mail-auth takes.
pub(crate) struct Caches {
    pub txt: Prefilled<Txt>,
    pub mx: Prefilled<RecordSet<MX>>,
    pub a: Prefilled<RecordSet<Ipv4Addr>>,
    pub aaaa: Prefilled<RecordSet<Ipv6Addr>>,
    pub ptr: PtrCache,
}

fn fqdn(name: &str) -> Box<str> {
    format!("{}.", norm(name)).into_boxed_str()
}

/// The records file parsed once into mail-auth's cache types.
#[derive(Clone, Default)]
pub(crate) struct Base {
    txt: Arc<HashMap<Box<str>, Txt>>,
    mx: Arc<HashMap<Box<str>, RecordSet<MX>>>,
    a: Arc<HashMap<Box<str>, RecordSet<Ipv4Addr>>>,
    aaaa: Arc<HashMap<Box<str>, RecordSet<Ipv6Addr>>>,
    ptr: Arc<HashMap<IpAddr, RecordSet<Box<str>>>>,
}

impl DnsRecords {
    /// Parses every record into mail-auth's types (done once per scan).
    pub(crate) fn base(&self) -> Base {
        let txt = self
            .txt
            .keys()
            .map(|k| (fqdn(k), self.txt_for(k)))
            .collect();
        let a = self
            .a
            .iter()
            .map(|(k, v)| (fqdn(k), set(v.clone())))
            .collect();
        let aaaa = self
            .aaaa
            .iter()
            .map(|(k, v)| (fqdn(k), set(v.clone())))
            .collect();
        let mx = self
            .mx
            .iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                v.sort();
                let mxs = v
                    .iter()
                    .map(|(p, h)| MX {
                        exchanges: vec![fqdn(h)].into_boxed_slice(),
                        preference: *p,
                    })
                    .collect();
                (fqdn(k), set(mxs))
            })
            .collect();
        let ptr = self
            .ptr
            .iter()
            .map(|(ip, v)| (*ip, set(v.iter().map(|h| fqdn(h)).collect())))
            .collect();
        Base {
            txt: Arc::new(txt),
            mx: Arc::new(mx),
            a: Arc::new(a),
            aaaa: Arc::new(aaaa),
            ptr: Arc::new(ptr),
        }
    }
}

impl Base {
    /// Caches answering everything in the file, and NXDOMAIN for `expected` names
    /// (fully qualified or not) that the file lacks.
    pub(crate) fn caches<'a>(&self, expected: impl IntoIterator<Item = &'a str>) -> Caches {
        let mut txt = HashMap::new();
        let mut a = HashMap::new();
        let mut aaaa = HashMap::new();
        let mut mx = HashMap::new();
        for name in expected {
            let k = fqdn(name);
            if !self.txt.contains_key(&k) {
                txt.insert(k.clone(), nxdomain());
            }
            if !self.a.contains_key(&k) {
                a.insert(k.clone(), set(Vec::new()));
            }
            if !self.aaaa.contains_key(&k) {
                aaaa.insert(k.clone(), set(Vec::new()));
            }
            if !self.mx.contains_key(&k) {
                mx.insert(k, set(Vec::new()));
            }
        }
        Caches {
            txt: Prefilled {
                base: self.txt.clone(),
                extra: txt,
            },
            mx: Prefilled {
                base: self.mx.clone(),
                extra: mx,
            },
            a: Prefilled {
                base: self.a.clone(),
                extra: a,
            },
            aaaa: Prefilled {
                base: self.aaaa.clone(),
                extra: aaaa,
            },
            ptr: PtrCache {
                map: self.ptr.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_format() {
        let r = DnsRecords::parse(
            "# c\npartner-air.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\" # why\n\
             _dmarc.partner-air.example TXT \"v=DMARC1; \" \"p=reject\"\n\
             mail.partner-air.example A 192.0.2.10\n\
             partner-air.example MX 10 mail.partner-air.example\n",
        )
        .unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(
            r.txt["_dmarc.partner-air.example"][0],
            b"v=DMARC1; p=reject"
        );
        assert!(matches!(r.txt_for("partner-air.example"), Txt::Spf(_)));
        assert!(matches!(
            r.txt_for("_dmarc.partner-air.example"),
            Txt::Dmarc(_)
        ));
        assert!(matches!(r.txt_for("nothing.example"), Txt::Error(_)));
        let e = DnsRecords::parse("x.example TXT ok\nx.example SRV 1\n").unwrap_err();
        assert_eq!(e.0, 2);
        assert!(DnsRecords::parse("x A notanip").is_err());
    }
}

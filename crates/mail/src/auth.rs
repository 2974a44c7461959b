//! Authentication: `Authentication-Results` headers and DKIM / SPF / DMARC verification.
//!
//! An `Authentication-Results` header is only believed when its authserv-id is the configured
//! one (`[mail] authserv_id`): anyone can write that header, and a phishing mail that carries
//! `dmarc=pass` from a made-up server must not gain trust. Untrusted headers are recorded (as
//! `auth.untrusted_results` when they claim a pass) and otherwise ignored.
//!
//! When DNS is available (a records file or live), the message is verified for real with
//! mail-auth: DKIM signatures, SPF for the first external hop's address and the Return-Path,
//! and DMARC for the From domain. Real verification wins over a trusted header.
//!
//! The header reader is hand-written: mail-auth writes `Authentication-Results` but does not
//! read it, and we only need `method=result` pairs and the authserv-id.

use std::net::IpAddr;

use kizuki_core::{Finding, Severity};
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, Parameters, SpfResult,
};

use crate::dns::DnsMode;

/// A result as written in `Authentication-Results` (`pass`, `fail`, `softfail`, `none`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    /// SPF result.
    pub spf: Option<String>,
    /// DKIM results, one per signature.
    pub dkim: Vec<String>,
    /// DMARC result.
    pub dmarc: Option<String>,
    /// Where the results came from: `header` (trusted Authentication-Results) or `verified`.
    pub origin: &'static str,
}

/// One parsed `Authentication-Results` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    /// The authserv-id.
    pub authserv_id: String,
    /// (method, result) pairs, lower-cased.
    pub results: Vec<(String, String)>,
}

/// Parses one header value (`mx.example; spf=pass smtp.mailfrom=…; dkim=fail …`).
pub fn parse_header(value: &str) -> Option<AuthHeader> {
    let value = strip_comments(value);
    let mut parts = value.split(';');
    let id = parts
        .next()?
        .split_whitespace()
        .next()?
        .to_ascii_lowercase();
    if id.is_empty() || id.contains('=') {
        return None;
    }
    let mut results = Vec::new();
    for p in parts.take(64) {
        let Some(first) = p.split_whitespace().next() else {
            continue;
        };
        if let Some((m, r)) = first.split_once('=') {
            let m = m.trim().to_ascii_lowercase();
            let m = m.split('/').next().unwrap_or(&m).to_string();
            results.push((m, r.trim().to_ascii_lowercase()));
        }
    }
    Some(AuthHeader {
        authserv_id: id,
        results,
    })
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars().take(8192) {
        match c {
            '(' => depth = depth.saturating_add(1),
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Reads the headers: results of the trusted authserv-id, and findings for untrusted ones.
pub fn from_headers(
    headers: &[String],
    authserv_id: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Option<Results> {
    let mut trusted: Option<Results> = None;
    for h in headers {
        let Some(ah) = parse_header(h) else { continue };
        let is_trusted = authserv_id.is_some_and(|id| id.eq_ignore_ascii_case(&ah.authserv_id));
        if !is_trusted {
            let claims_pass = ah.results.iter().any(|(_, r)| r == "pass");
            if claims_pass {
                findings.push(Finding::new(
                    "auth.untrusted_results",
                    Severity::Info,
                    format!(
                        "Authentication-Results from '{}' claims a pass; ignored (not the configured authserv-id)",
                        ah.authserv_id
                    ),
                ));
            }
            continue;
        }
        let r = trusted.get_or_insert_with(|| Results {
            origin: "header",
            ..Results::default()
        });
        for (m, v) in ah.results {
            match m.as_str() {
                "spf" => r.spf = r.spf.take().or(Some(v)),
                "dkim" => r.dkim.push(v),
                "dmarc" => r.dmarc = r.dmarc.take().or(Some(v)),
                _ => {}
            }
        }
    }
    trusted
}

/// What the SPF check needs: the connecting client (first external hop).
#[derive(Clone, Debug)]
pub struct Envelope {
    /// The client address.
    pub ip: IpAddr,
    /// Its HELO name.
    pub helo: String,
    /// The Return-Path (MAIL FROM), possibly empty.
    pub mail_from: String,
}

/// Runs mail-auth verification: one runtime and one authenticator for many messages.
///
/// The runtime is a current-thread tokio runtime owned here, so `verify` must not be called
/// from inside another tokio runtime (use `spawn_blocking` there).
pub struct Verifier {
    rt: tokio::runtime::Runtime,
    authenticator: MessageAuthenticator,
    records: Option<crate::dns::Base>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("offline", &self.records.is_some())
            .finish()
    }
}

impl Verifier {
    /// A verifier for the DNS mode; `Ok(None)` when DNS is off.
    pub fn new(dns: &DnsMode) -> Result<Option<Verifier>, crate::Error> {
        use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
        let records = match dns {
            DnsMode::Off => return Ok(None),
            DnsMode::Records(r) => Some(r.base()),
            DnsMode::Live => None,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::Error::Dns(e.to_string()))?;
        let offline = records.is_some();
        let authenticator = rt
            .block_on(async {
                if offline {
                    MessageAuthenticator::new(
                        ResolverConfig::from_name_servers(Vec::new()),
                        ResolverOpts::default(),
                    )
                } else {
                    MessageAuthenticator::new_system_conf()
                }
            })
            .map_err(|e| crate::Error::Dns(e.to_string()))?;
        Ok(Some(Verifier {
            rt,
            authenticator,
            records,
        }))
    }

    /// Verifies DKIM, SPF and DMARC of one message. `None` when the message has no headers.
    pub fn verify(
        &self,
        raw: &[u8],
        from_domain: Option<&str>,
        envelope: Option<&Envelope>,
    ) -> Option<Results> {
        self.rt.block_on(verify_async(
            &self.authenticator,
            raw,
            from_domain,
            envelope,
            self.records.as_ref(),
        ))
    }
}

async fn verify_async(
    authenticator: &MessageAuthenticator,
    raw: &[u8],
    from_domain: Option<&str>,
    envelope: Option<&Envelope>,
    records: Option<&crate::dns::Base>,
) -> Option<Results> {
    let msg = AuthenticatedMessage::parse(raw)?;
    // Names this message's checks will query: answered NXDOMAIN offline when not in the file.
    let mut expected: Vec<String> = Vec::new();
    for sig in &msg.dkim_headers {
        expected.push(format!("{}._domainkey.{}", sig.header.s, sig.header.d));
    }
    let mail_from_domain = envelope
        .and_then(|e| crate::domain::domain_of(&e.mail_from))
        .or_else(|| envelope.map(|e| e.helo.to_ascii_lowercase()))
        .unwrap_or_default();
    for d in [from_domain.unwrap_or(""), mail_from_domain.as_str()] {
        let labels: Vec<&str> = d.split('.').filter(|l| !l.is_empty()).collect();
        for i in 0..labels.len() {
            let suffix = labels[i..].join(".");
            expected.push(format!("_dmarc.{suffix}"));
            expected.push(suffix);
        }
    }
    let caches = match records {
        Some(r) => r.caches(expected.iter().map(String::as_str)),
        None => crate::dns::Base::default().caches(std::iter::empty()),
    };
    macro_rules! params {
        ($p:expr) => {
            Parameters::new($p)
                .with_txt_cache(&caches.txt)
                .with_mx_cache(&caches.mx)
                .with_ipv4_cache(&caches.a)
                .with_ipv6_cache(&caches.aaaa)
                .with_ptr_cache(&caches.ptr)
        };
    }
    let dkim = authenticator.verify_dkim(params!(&msg)).await;
    let mut out = Results {
        origin: "verified",
        ..Results::default()
    };
    for d in &dkim {
        out.dkim.push(
            match d.result() {
                DkimResult::Pass => "pass",
                DkimResult::Neutral(_) => "neutral",
                DkimResult::Fail(_) => "fail",
                DkimResult::PermError(_) => "permerror",
                DkimResult::TempError(_) => "temperror",
                DkimResult::None => "none",
            }
            .to_string(),
        );
    }
    let spf = match envelope {
        Some(e) => {
            let helo = if e.helo.is_empty() {
                "unknown"
            } else {
                e.helo.as_str()
            };
            let sender = if e.mail_from.is_empty() {
                format!("postmaster@{helo}")
            } else {
                e.mail_from.clone()
            };
            let o = authenticator
                .verify_spf(params!(SpfParameters::verify_mail_from(
                    e.ip,
                    helo,
                    "kizuki.invalid",
                    &sender
                )))
                .await;
            Some(o)
        }
        None => None,
    };
    if let Some(o) = &spf {
        out.spf = Some(
            match o.result() {
                SpfResult::Pass => "pass",
                SpfResult::Fail => "fail",
                SpfResult::SoftFail => "softfail",
                SpfResult::Neutral => "neutral",
                SpfResult::TempError => "temperror",
                SpfResult::PermError => "permerror",
                SpfResult::None => "none",
            }
            .to_string(),
        );
    }
    let spf_out = spf.unwrap_or_else(|| mail_auth::SpfOutput::new(mail_from_domain.clone()));
    let dmarc = authenticator
        .verify_dmarc(params!(DmarcParameters::new(
            &msg,
            &dkim,
            &mail_from_domain,
            &spf_out
        )))
        .await;
    out.dmarc = Some(
        match dmarc.result() {
            DmarcResult::Pass => "pass",
            DmarcResult::Fail(_) => "fail",
            DmarcResult::TempError(_) => "temperror",
            DmarcResult::PermError(_) => "permerror",
            DmarcResult::None => "none",
        }
        .to_string(),
    );
    Some(out)
}

/// Findings from results. `strong` is true when the From domain is a trusted partner or a
/// brand domain: then a DMARC failure (or no DMARC at all) is a strong signal.
pub fn findings(r: &Results, from_domain: &str, strong: bool, out: &mut Vec<Finding>) {
    let how = if r.origin == "verified" {
        "verified"
    } else {
        "trusted Authentication-Results"
    };
    out.push(Finding::new(
        "auth.results",
        Severity::Info,
        format!(
            "spf={} dkim={} dmarc={} ({how})",
            r.spf.as_deref().unwrap_or("-"),
            if r.dkim.is_empty() {
                "none".to_string()
            } else {
                r.dkim.join(",")
            },
            r.dmarc.as_deref().unwrap_or("-")
        ),
    ));
    match r.spf.as_deref() {
        Some("fail") => out.push(Finding::new(
            "auth.spf_fail",
            Severity::Medium,
            format!("SPF fail ({how})"),
        )),
        Some("softfail") => out.push(Finding::new(
            "auth.spf_fail",
            Severity::Low,
            format!("SPF softfail ({how})"),
        )),
        _ => {}
    }
    let failed = r
        .dkim
        .iter()
        .filter(|d| *d == "fail" || *d == "permerror")
        .count();
    if failed > 0 && !r.dkim.iter().any(|d| d == "pass") {
        out.push(Finding::new(
            "auth.dkim_fail",
            Severity::Medium,
            format!("{failed} DKIM signature(s) fail, none passes ({how})"),
        ));
    }
    match r.dmarc.as_deref() {
        Some("fail") => out.push(Finding::new(
            "auth.dmarc_fail",
            if strong { Severity::High } else { Severity::Medium },
            if strong {
                format!("DMARC fail for trusted/brand domain {from_domain} ({how})")
            } else {
                format!("DMARC fail for {from_domain} ({how})")
            },
        )),
        Some("none") | None if strong => out.push(Finding::new(
            "auth.dmarc_none",
            Severity::High,
            format!("no DMARC pass for trusted/brand domain {from_domain}: no policy or no result ({how})"),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing_and_trust() {
        let h = parse_header(
            "mx.example.co.jp (kizuki test); spf=fail (sender not permitted) smtp.mailfrom=a@b.example;\r\n dkim=none; dmarc=fail header.from=partner-air.example",
        )
        .unwrap();
        assert_eq!(h.authserv_id, "mx.example.co.jp");
        assert_eq!(h.results.len(), 3);
        let mut f = Vec::new();
        let forged = "evil.example; spf=pass; dkim=pass; dmarc=pass".to_string();
        let real = "mx.example.co.jp; spf=fail; dmarc=fail".to_string();
        let r = from_headers(&[forged.clone(), real], Some("MX.example.co.jp"), &mut f).unwrap();
        assert_eq!(r.spf.as_deref(), Some("fail"));
        assert_eq!(r.dmarc.as_deref(), Some("fail"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "auth.untrusted_results");
        let mut f = Vec::new();
        assert!(from_headers(&[forged], Some("mx.example.co.jp"), &mut f).is_none());
        assert!(from_headers(&["x; dmarc=pass".into()], None, &mut f).is_none());
    }
}

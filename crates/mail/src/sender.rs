//! Sender analysis: who the message claims to be from, and whether the rest agrees.
//!
//! Rules: `sender.display_name_mismatch` (the display name names a brand or trusted partner,
//! the address is elsewhere), `sender.lookalike_domain` (From, Reply-To or Return-Path domain
//! imitates a watched domain), `sender.reply_to_mismatch` and `sender.return_path_mismatch`
//! (another organisation than From's), `sender.first_external_hop` (evidence: the first
//! `Received` hop from outside, low when a trusted or brand sender came from a network that
//! does not carry its name).

use std::net::IpAddr;

use kizuki_core::{Finding, Severity};

use crate::auth::Envelope;
use crate::brands::{BrandTable, fold};
use crate::domain::{Watched, domain_of, is_free_mail, registered, within};

/// One `Received` hop, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hop {
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name it gave.
    pub helo: Option<String>,
    /// The reverse-DNS name the receiving server recorded.
    pub rdns: Option<String>,
    /// The receiving server (`by`).
    pub by: Option<String>,
}

/// What the sender analysis looks at.
#[derive(Clone, Debug, Default)]
pub struct SenderView {
    /// The From display name.
    pub from_name: Option<String>,
    /// The From address.
    pub from_addr: Option<String>,
    /// Reply-To addresses.
    pub reply_to: Vec<String>,
    /// Return-Path address (may be empty: `<>`).
    pub return_path: Option<String>,
    /// `Received` hops, newest (top) first.
    pub hops: Vec<Hop>,
}

/// The context: brands, trusted partners and all watched domains.
pub struct SenderContext<'a> {
    /// The brand table.
    pub brands: &'a BrandTable,
    /// `[mail] trusted_domains`.
    pub trusted: &'a [String],
    /// Trusted and brand domains, for lookalike checks.
    pub watched: &'a Watched,
}

/// True for addresses that are not "outside": private, loopback, link-local, CGNAT.
pub fn is_internal(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            v.is_loopback()
                || v.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// The first hop (from the top) whose client is outside.
pub fn first_external(hops: &[Hop]) -> Option<&Hop> {
    hops.iter()
        .find(|h| h.ip.is_some_and(|ip| !is_internal(&ip)))
}

/// Is this domain a trusted partner's or a brand's?
pub fn is_trusted_or_brand(domain: &str, ctx: &SenderContext<'_>) -> bool {
    ctx.trusted.iter().any(|t| within(domain, t))
        || ctx.brands.all_domains().any(|b| within(domain, b))
}

/// Runs the sender rules; returns the SMTP envelope reconstructed for SPF.
pub fn analyze(
    v: &SenderView,
    ctx: &SenderContext<'_>,
    out: &mut Vec<Finding>,
) -> Option<Envelope> {
    let from_domain = v.from_addr.as_deref().and_then(domain_of);
    let from_reg = from_domain.as_deref().map(registered);

    // Display name.
    if let Some(name) = v.from_name.as_deref() {
        let folded = fold(name);
        let mut claimed: Option<(String, Vec<String>)> = None;
        if let Some((brand, matched)) = ctx.brands.named_in(&folded) {
            claimed = Some((matched.to_string(), brand.domains.clone()));
        } else if let Some(t) = ctx.trusted.iter().find(|t| {
            let t = t.to_ascii_lowercase();
            let label = t.split('.').next().unwrap_or(&t).to_string();
            let f = folded.to_ascii_lowercase();
            f.contains(&t) || (label.len() >= 4 && f.contains(&label))
        }) {
            claimed = Some((t.clone(), vec![t.clone()]));
        } else if let Some(addr_dom) = embedded_address_domain(&folded)
            && from_reg
                .as_deref()
                .is_some_and(|r| registered(&addr_dom) != r)
        {
            claimed = Some((addr_dom.clone(), vec![addr_dom]));
        }
        if let (Some((what, domains)), Some(fd)) = (claimed, from_domain.as_deref())
            && !domains
                .iter()
                .any(|d| within(fd, d) || registered(fd) == registered(d))
        {
            let reg = registered(fd);
            let kind = if is_free_mail(&reg) { "free-mail " } else { "" };
            out.push(Finding::new(
                "sender.display_name_mismatch",
                Severity::High,
                format!(
                    "display name names '{what}' ({}) but the address is at {kind}{reg}",
                    domains.join(", ")
                ),
            ));
        }
    }

    // Lookalikes: From, Reply-To, Return-Path.
    let mut seen = Vec::new();
    let rp_domain = v.return_path.as_deref().and_then(domain_of);
    let reply_domains: Vec<String> = v.reply_to.iter().filter_map(|a| domain_of(a)).collect();
    for (field, d) in from_domain
        .iter()
        .map(|d| ("From", d))
        .chain(reply_domains.iter().map(|d| ("Reply-To", d)))
        .chain(rp_domain.iter().map(|d| ("Return-Path", d)))
    {
        if seen.contains(d) {
            continue;
        }
        seen.push(d.clone());
        if let Some((real, how)) = ctx.watched.lookalike(d) {
            out.push(Finding::new(
                "sender.lookalike_domain",
                Severity::High,
                format!("{field} domain {d} looks like {real} ({})", how.as_str()),
            ));
        }
    }

    // Reply-To and Return-Path organisations.
    if let Some(fr) = from_reg.as_deref() {
        let strong = from_domain
            .as_deref()
            .is_some_and(|d| is_trusted_or_brand(d, ctx));
        for rd in &reply_domains {
            let rr = registered(rd);
            if rr != fr {
                let sev = if is_free_mail(&rr) || strong {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let kind = if is_free_mail(&rr) { "free-mail " } else { "" };
                out.push(Finding::new(
                    "sender.reply_to_mismatch",
                    sev,
                    format!("Reply-To goes to {kind}{rr}, From is {fr}"),
                ));
                break;
            }
        }
        if let Some(rp) = rp_domain.as_deref() {
            let rr = registered(rp);
            if rr != fr {
                out.push(Finding::new(
                    "sender.return_path_mismatch",
                    if strong {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    format!("Return-Path is at {rr}, From is {fr}"),
                ));
            }
        }
    }

    // First external hop.
    let hop = first_external(&v.hops)?;
    let ip = hop.ip?;
    let name = hop
        .rdns
        .clone()
        .or_else(|| hop.helo.clone())
        .unwrap_or_default();
    let strong = from_domain
        .as_deref()
        .is_some_and(|d| is_trusted_or_brand(d, ctx));
    let hop_org = if name.is_empty() {
        String::new()
    } else {
        registered(&name)
    };
    let unexpected = strong && from_reg.as_deref().is_some_and(|fr| hop_org != fr);
    out.push(Finding::new(
        "sender.first_external_hop",
        if unexpected {
            Severity::Low
        } else {
            Severity::Info
        },
        format!(
            "first external hop {ip} ({}){}",
            if name.is_empty() {
                "no name"
            } else {
                name.as_str()
            },
            if unexpected {
                format!(", not a network of {}", from_reg.as_deref().unwrap_or(""))
            } else {
                String::new()
            }
        ),
    ));
    Some(Envelope {
        ip,
        helo: hop.helo.clone().unwrap_or_default(),
        mail_from: v.return_path.clone().unwrap_or_default(),
    })
}

/// `"sato@partner-air.example" <x@gmail.com>`: the domain of an address written in the
/// display name.
fn embedded_address_domain(name: &str) -> Option<String> {
    let at = name.find('@')?;
    let rest = &name[at + 1..];
    let d: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    if d.contains('.') { Some(d) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &SenderView) -> Vec<Finding> {
        let brands = BrandTable::new(&[]);
        let trusted = vec!["partner-air.example".to_string()];
        let watched = Watched::new(
            trusted
                .iter()
                .map(String::as_str)
                .chain(brands.all_domains()),
        );
        let ctx = SenderContext {
            brands: &brands,
            trusted: &trusted,
            watched: &watched,
        };
        let mut f = Vec::new();
        analyze(v, &ctx, &mut f);
        f
    }

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_ref()).collect()
    }

    #[test]
    fn brand_name_on_free_mail() {
        let f = run(&SenderView {
            from_name: Some("日本航空 予約センター".into()),
            from_addr: Some("jal-info@gmail.com".into()),
            ..SenderView::default()
        });
        assert_eq!(rules(&f), ["sender.display_name_mismatch"]);
        assert!(
            f[0].detail.contains("free-mail gmail.com"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn real_brand_and_ordinary_names_are_fine() {
        let f = run(&SenderView {
            from_name: Some("JAL".into()),
            from_addr: Some("info@mail.jal.co.jp".into()),
            return_path: Some("bounce@jal.co.jp".into()),
            ..SenderView::default()
        });
        assert!(f.is_empty(), "{f:?}");
        let f = run(&SenderView {
            from_name: Some("佐藤 一郎".into()),
            from_addr: Some("sato@tokyo-shoji.example".into()),
            ..SenderView::default()
        });
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn reply_to_return_path_lookalike_and_hop() {
        let f = run(&SenderView {
            from_name: Some("佐藤".into()),
            from_addr: Some("sato@partner-air.example".into()),
            reply_to: vec!["sato.partner@gmail.com".into()],
            return_path: Some("b@partner-alr.example".into()),
            hops: vec![
                Hop {
                    ip: Some("10.0.0.5".parse().unwrap()),
                    ..Hop::default()
                },
                Hop {
                    ip: Some("198.51.100.23".parse().unwrap()),
                    helo: Some("vps1.hosting.example".into()),
                    ..Hop::default()
                },
            ],
        });
        let r = rules(&f);
        assert!(r.contains(&"sender.lookalike_domain"), "{r:?}");
        assert!(r.contains(&"sender.reply_to_mismatch"), "{r:?}");
        assert!(r.contains(&"sender.return_path_mismatch"), "{r:?}");
        let hop = f
            .iter()
            .find(|f| f.rule == "sender.first_external_hop")
            .unwrap();
        assert_eq!(hop.severity, Severity::Low);
        assert!(hop.detail.contains("198.51.100.23"));
    }
}

//! Domains: registered domains (public-suffix list), free-mail providers, and lookalikes.
//!
//! A lookalike is a domain that is not one of the watched domains (trusted partners and brand
//! domains) but could be read as one:
//! - **confusable**: the UTS #39 skeleton of its Unicode form (after decoding punycode) equals a
//!   watched domain's skeleton (`jaI.co.jp`, `rnizuhobank.co.jp`, Cyrillic `а`);
//! - **edit**: Damerau–Levenshtein distance 1 (2 for names of 10+ characters) from a watched
//!   registered domain;
//! - **hyphen**: hyphens and dots swapped (`jal-co.jp`, `partner-air.example` vs `partnerair`);
//! - **embedded**: the watched domain followed by more labels (`jal.co.jp.example`,
//!   `jal.co.jp-secure.example`);
//! - **suffix**: the same name under another public suffix (`jal.com.example`, `jal.jp`) —
//!   only for names of 4+ characters, so `ana.com` (a real other business) is not flagged.

use std::net::IpAddr;

/// The registered domain (eTLD+1) of a host, lower-cased, without a trailing dot. Unknown
/// suffixes (`.example`) count as public suffixes, so `mail.partner-air.example` gives
/// `partner-air.example`.
pub fn registered(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if h.parse::<IpAddr>().is_ok() {
        return h;
    }
    match psl::domain_str(&h) {
        Some(d) => d.to_string(),
        None => h,
    }
}

/// The domain part of an address (`a@b.example` -> `b.example`), lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, d) = address.trim().trim_matches(['<', '>']).rsplit_once('@')?;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() { None } else { Some(d) }
}

/// Free-mail and consumer mailbox providers: an organisation does not send from these.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.co.jp",
    "yahoo.com",
    "ymail.com",
    "outlook.com",
    "outlook.jp",
    "hotmail.com",
    "hotmail.co.jp",
    "live.jp",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.com",
    "mail.ru",
    "yandex.ru",
    "qq.com",
    "163.com",
    "126.com",
    "protonmail.com",
    "proton.me",
    "excite.co.jp",
    "goo.jp",
    "infoseek.jp",
];

/// True when the registered domain belongs to a free-mail provider.
pub fn is_free_mail(reg: &str) -> bool {
    FREE_MAIL.contains(&reg)
}

/// True when `host` is `domain` or a subdomain of it.
pub fn within(host: &str, domain: &str) -> bool {
    let h = host.trim_end_matches('.');
    h.eq_ignore_ascii_case(domain)
        || (h.len() > domain.len()
            && h.to_ascii_lowercase()
                .ends_with(&domain.to_ascii_lowercase())
            && h.as_bytes()[h.len() - domain.len() - 1] == b'.')
}

/// Why a domain looks like a watched one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Likeness {
    /// Same UTS #39 skeleton.
    Confusable,
    /// Small edit distance.
    Edit,
    /// Hyphens and dots swapped.
    Hyphen,
    /// The watched domain followed by more labels.
    Embedded,
    /// Same name under another suffix.
    Suffix,
}

impl Likeness {
    /// A short word for details.
    pub fn as_str(self) -> &'static str {
        match self {
            Likeness::Confusable => "confusable characters",
            Likeness::Edit => "one or two letters changed",
            Likeness::Hyphen => "dots and hyphens swapped",
            Likeness::Embedded => "real domain embedded in another",
            Likeness::Suffix => "same name, other suffix",
        }
    }
}

/// The watched domains: trusted partners and brand domains, with precomputed forms.
#[derive(Clone, Debug)]
pub struct Watched {
    items: Vec<WatchedDomain>,
}

#[derive(Clone, Debug)]
struct WatchedDomain {
    domain: String,
    skeleton: String,
    dehyphen: String,
    name: String,
}

/// Unicode form of a (possibly punycode) host, lower-cased.
pub fn to_unicode(host: &str) -> String {
    let (u, res) = idna::domain_to_unicode(host);
    if res.is_ok() { u } else { host.to_string() }.to_lowercase()
}

/// True when any label is punycode (`xn--`) or the host holds non-ASCII characters.
pub fn is_idn(host: &str) -> bool {
    !host.is_ascii()
        || host
            .split('.')
            .any(|l| l.to_ascii_lowercase().starts_with("xn--"))
}

fn skeleton(s: &str) -> String {
    unicode_security::skeleton(s)
        .collect::<String>()
        .to_lowercase()
}

fn dehyphen(s: &str) -> String {
    s.chars().filter(|c| *c != '-' && *c != '.').collect()
}

/// The name part of a registered domain (`jal.co.jp` -> `jal`).
fn name_part(reg: &str) -> &str {
    reg.split('.').next().unwrap_or(reg)
}

impl Watched {
    /// Builds the set from domain names (registered domains are taken of each).
    pub fn new<'a>(domains: impl IntoIterator<Item = &'a str>) -> Self {
        let mut items: Vec<WatchedDomain> = Vec::new();
        for d in domains {
            let domain = registered(d);
            if domain.is_empty() || items.iter().any(|w| w.domain == domain) {
                continue;
            }
            items.push(WatchedDomain {
                skeleton: skeleton(&domain),
                dehyphen: dehyphen(&domain),
                name: name_part(&domain).to_string(),
                domain,
            });
        }
        Watched { items }
    }

    /// True when `host` is (under) a watched domain.
    pub fn contains(&self, host: &str) -> bool {
        let reg = registered(&to_ascii(host));
        self.items.iter().any(|w| w.domain == reg)
    }

    /// The watched domain `host` imitates, if any, and how.
    pub fn lookalike(&self, host: &str) -> Option<(&str, Likeness)> {
        let ascii = to_ascii(host);
        let host_l = ascii.trim_end_matches('.').to_ascii_lowercase();
        if host_l.is_empty() || host_l.parse::<IpAddr>().is_ok() {
            return None;
        }
        let reg = registered(&host_l);
        if self.items.iter().any(|w| w.domain == reg) {
            return None;
        }
        let uni = to_unicode(&reg);
        let sk = skeleton(&uni);
        let dh = dehyphen(&reg);
        for w in &self.items {
            if sk == w.skeleton {
                return Some((&w.domain, Likeness::Confusable));
            }
            // embedded: the watched domain as leading labels of a longer host.
            if let Some(rest) = host_l.strip_prefix(w.domain.as_str())
                && (rest.starts_with('.') || rest.starts_with('-'))
            {
                return Some((&w.domain, Likeness::Embedded));
            }
            if dh == w.dehyphen {
                return Some((&w.domain, Likeness::Hyphen));
            }
            let limit = if w.domain.len() >= 10 { 2 } else { 1 };
            if w.domain.len() >= 6 && reg.len().abs_diff(w.domain.len()) <= limit {
                let d = strsim::damerau_levenshtein(&reg, &w.domain);
                if d >= 1 && d <= limit {
                    return Some((&w.domain, Likeness::Edit));
                }
            }
            if w.name.len() >= 4 && name_part(&reg) == w.name {
                return Some((&w.domain, Likeness::Suffix));
            }
        }
        None
    }

    /// Number of watched domains.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is watched.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// ASCII (punycode) form of a host; the input when it cannot be converted.
pub fn to_ascii(host: &str) -> String {
    if host.is_ascii() {
        return host.to_ascii_lowercase();
    }
    idna::domain_to_ascii(host).unwrap_or_else(|_| host.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w() -> Watched {
        Watched::new([
            "jal.co.jp",
            "partner-air.example",
            "mizuhobank.co.jp",
            "ana.co.jp",
        ])
    }

    #[test]
    fn registered_domains() {
        assert_eq!(
            registered("mail.partner-air.example"),
            "partner-air.example"
        );
        assert_eq!(registered("www.jal.co.jp."), "jal.co.jp");
        assert_eq!(registered("203.0.113.4"), "203.0.113.4");
        assert_eq!(
            domain_of("Sato <sato@Mail.Partner-Air.example>").unwrap(),
            "mail.partner-air.example"
        );
    }

    #[test]
    fn lookalikes_are_found_and_real_domains_are_not() {
        let w = w();
        assert_eq!(w.lookalike("www.jal.co.jp"), None);
        assert_eq!(w.lookalike("partner-air.example"), None);
        assert_eq!(
            w.lookalike("jal-co.jp").map(|x| x.1),
            Some(Likeness::Hyphen)
        );
        assert_eq!(
            w.lookalike("jal.co.jp.example").map(|x| x.1),
            Some(Likeness::Embedded)
        );
        assert_eq!(
            w.lookalike("partner-alr.example").map(|x| x.1),
            Some(Likeness::Edit)
        );
        assert_eq!(
            w.lookalike("partnerair.example").map(|x| x.1),
            Some(Likeness::Hyphen)
        );
        assert_eq!(
            w.lookalike("rnizuhobank.co.jp").map(|x| x.1),
            Some(Likeness::Confusable)
        );
        // Cyrillic a in punycode.
        let cyr = to_ascii("pаrtner-air.example");
        assert!(cyr.starts_with("xn--"), "{cyr}");
        assert_eq!(w.lookalike(&cyr).map(|x| x.1), Some(Likeness::Confusable));
        assert_eq!(
            w.lookalike("partner-air.example.com").map(|x| x.1),
            Some(Likeness::Embedded)
        );
        assert_eq!(
            w.lookalike("mizuhobank.com").map(|x| x.1),
            Some(Likeness::Suffix)
        );
        assert_eq!(w.lookalike("ana.com"), None);
        assert_eq!(w.lookalike("tokyo-shoji.example"), None);
        assert_eq!(w.lookalike("gmail.com"), None);
    }
}

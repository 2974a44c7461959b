//! Content: the body, its links, the subject, and the pieces of the "PPAP" practice.
//!
//! Rules: `body.empty_with_attachment`, `url.ip_literal`, `url.punycode`,
//! `url.lookalike_domain`, `url.text_mismatch` (an anchor's text names another domain than its
//! href), `lure.subject` (a Japanese lure word in the subject: low, never enough alone).
//!
//! The URL scanner is hand-written: it walks the text once for `http://`/`https://` and `href=`
//! and caps the number of URLs, so hostile bodies cannot make it slow.

use std::net::IpAddr;

use kizuki_core::{Finding, Severity};

use crate::domain::{Watched, is_idn, registered, to_unicode};

/// URLs looked at per message.
pub const MAX_URLS: usize = 500;

/// Visible characters below which a body counts as empty.
pub const NEAR_EMPTY: usize = 20;

/// Subject words of Japanese lure mail (air tickets, invoices, résumés, enquiries, delivery,
/// public agencies), matched on the NFKC-folded subject.
const LURE_WORDS: &[&str] = &[
    "航空券",
    "eチケット",
    "Eチケット",
    "搭乗",
    "請求書",
    "ご請求",
    "お支払い",
    "支払い",
    "振込",
    "履歴書",
    "応募",
    "お問い合わせ",
    "問い合わせ",
    "問合せ",
    "ご不在",
    "不在連絡",
    "配達",
    "お届け",
    "荷物",
    "税務署",
    "国税",
    "年金",
    "マイナンバー",
    "給付金",
    "添付のご連絡",
    "至急",
    "緊急",
    "アカウント停止",
    "本人確認",
];

/// The lure word in a subject, if any.
pub fn lure_word(subject: &str) -> Option<&'static str> {
    let folded = crate::brands::fold(subject);
    LURE_WORDS
        .iter()
        .copied()
        .find(|w| folded.contains(&crate::brands::fold(w)))
}

/// Visible characters of a body (HTML tags dropped, whitespace ignored).
pub fn visible_chars(text: &str, html: bool) -> usize {
    let mut n = 0;
    let mut in_tag = false;
    for c in text.chars() {
        if html {
            match c {
                '<' => {
                    in_tag = true;
                    continue;
                }
                '>' => {
                    in_tag = false;
                    continue;
                }
                _ if in_tag => continue,
                _ => {}
            }
        }
        if !c.is_whitespace() && c != '\u{3000}' && c != '\u{feff}' {
            n += 1;
        }
    }
    n
}

/// One link: the href and, for HTML anchors, the visible text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The URL.
    pub url: String,
    /// Anchor text (HTML only).
    pub text: Option<String>,
}

/// Extracts links from plain text and HTML, at most `cap`.
pub fn links(text: &str, html: bool, cap: usize, out: &mut Vec<Link>) {
    if html {
        let lower = text.to_ascii_lowercase();
        let mut pos = 0;
        while out.len() < cap {
            let Some(i) = lower[pos..].find("href") else {
                break;
            };
            let start = pos + i + 4;
            pos = start;
            let rest = &text[start..];
            let rest_t = rest.trim_start();
            let Some(after_eq) = rest_t.strip_prefix('=') else {
                continue;
            };
            let after_eq = after_eq.trim_start();
            let (url, consumed) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], end + 2)
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after_eq.len());
                    (&after_eq[..end], end)
                }
            };
            let skip = rest.len() - after_eq.len() + consumed.min(after_eq.len());
            pos = (start + skip).min(text.len());
            while !text.is_char_boundary(pos) {
                pos += 1;
            }
            // Anchor text: after the closing '>' up to '</a'.
            let anchor = lower[pos..].find('>').and_then(|gt| {
                let from = pos + gt + 1;
                lower[from..]
                    .find("</a")
                    .map(|end| strip_tags(&text[from..from + end]))
            });
            if url.to_ascii_lowercase().starts_with("http") {
                out.push(Link {
                    url: decode_entities(url),
                    text: anchor
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty()),
                });
            }
        }
    }
    let lower = text.to_ascii_lowercase();
    let mut pos = 0;
    while out.len() < cap {
        let Some(i) = lower[pos..].find("http") else {
            break;
        };
        let start = pos + i;
        let rest = &lower[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            pos = start + 4;
            continue;
        }
        let end = text[start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '）' | '」' | '　')
            })
            .map_or(text.len(), |e| start + e);
        let url = &text[start..end];
        if !out.iter().any(|l| l.url == url) {
            out.push(Link {
                url: url.to_string(),
                text: None,
            });
        }
        pos = end.max(start + 4);
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars().take(2000) {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
}

fn decode_entities(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#46;", ".")
        .replace("&period;", ".")
}

/// The host of a URL (lower-cased, no port, no userinfo; IPv6 without brackets).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let auth = rest.split(['/', '?', '#', '\\']).next()?;
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let host = if let Some(v6) = auth.strip_prefix('[') {
        v6.split(']').next()?.to_string()
    } else {
        auth.split(':').next()?.to_string()
    };
    let host = host.trim_end_matches('.').to_lowercase();
    if host.is_empty() { None } else { Some(host) }
}

/// A domain written in anchor text (`www.jal.co.jp`, `https://jal.co.jp/…`), if any.
fn domain_in_text(t: &str) -> Option<String> {
    let t = t.trim();
    if let Some(h) = host_of(t) {
        return Some(h);
    }
    let cand: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let cand = cand.trim_end_matches('.').to_ascii_lowercase();
    let rest = &t[cand.len().min(t.len())..];
    let whole = rest.is_empty() || rest.starts_with('/');
    if whole && cand.contains('.') && cand.split('.').all(|l| !l.is_empty()) && cand.len() >= 4 {
        let tld = cand.rsplit('.').next().unwrap_or("");
        if tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2 {
            return Some(cand);
        }
    }
    None
}

fn is_ip_literal(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    // Decimal or hex integer forms (http://3232235777/).
    !host.is_empty()
        && (host.chars().all(|c| c.is_ascii_digit())
            || (host.starts_with("0x") && host[2..].chars().all(|c| c.is_ascii_hexdigit())))
}

/// URL rules over the message's links.
pub fn url_findings(links: &[Link], watched: &Watched, out: &mut Vec<Finding>) {
    let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
    for l in links {
        let key = (l.url.as_str(), l.text.as_deref());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let Some(host) = host_of(&l.url) else {
            continue;
        };
        let shown = truncate(&l.url, 120);
        if is_ip_literal(&host) {
            out.push(Finding::new(
                "url.ip_literal",
                Severity::Medium,
                format!("link to an IP address: {shown}"),
            ));
        } else {
            if is_idn(&host) {
                out.push(Finding::new(
                    "url.punycode",
                    Severity::Medium,
                    format!(
                        "link to an internationalised (punycode) host {} shown as {}",
                        crate::domain::to_ascii(&host),
                        to_unicode(&host)
                    ),
                ));
            }
            if let Some((real, how)) = watched.lookalike(&host) {
                out.push(Finding::new(
                    "url.lookalike_domain",
                    Severity::High,
                    format!("link host {host} looks like {real} ({})", how.as_str()),
                ));
            }
        }
        if let Some(t) = &l.text
            && let Some(td) = domain_in_text(t)
            && registered(&td) != registered(&host)
        {
            out.push(Finding::new(
                "url.text_mismatch",
                Severity::Medium,
                format!(
                    "link text shows {} but goes to {}",
                    registered(&td),
                    registered(&host)
                ),
            ));
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// True when the bytes are a zip whose first entry is encrypted (general-purpose flag bit 0).
pub fn is_encrypted_zip(data: &[u8]) -> bool {
    data.len() >= 8 && data.starts_with(b"PK\x03\x04") && (data[6] & 1) == 1
}

/// Password candidates in a PPAP password mail body: the token after `パスワード`,
/// `password`, `PW` or `パス` and a separator. At most four.
pub fn password_candidates(body: &str) -> Vec<String> {
    let folded = crate::brands::fold(body);
    let lower = folded.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for key in [
        "パスワード",
        "password",
        "pw",
        "passcode",
        "暗証番号",
        "解凍",
    ] {
        let mut pos = 0;
        while let Some(i) = lower[pos..].find(key) {
            let after = pos + i + key.len();
            pos = after;
            let rest = &folded[after.min(folded.len())..];
            let rest = rest.trim_start_matches(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        ':' | '：' | '=' | 'は' | '】' | ']' | '「' | '『' | '"' | '\'' | '(' | ')'
                    )
            });
            let tok: String = rest
                .chars()
                .take_while(|c| {
                    c.is_ascii_graphic()
                        && !matches!(c, '」' | '』' | '"' | '\'' | ')' | '。' | '、')
                })
                .take(64)
                .collect();
            if tok.len() >= 4 && !out.contains(&tok) && out.len() < 4 {
                out.push(tok);
            }
            if pos >= lower.len() {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_from_html_and_text() {
        let mut l = Vec::new();
        links(
            r#"<p>Visit <a href="http://198.51.100.7/login">https://www.jal.co.jp/</a> or
            <A HREF='https://xn--jl-lka.example/x'>here</A></p> plain https://ok.example/a."#,
            true,
            MAX_URLS,
            &mut l,
        );
        assert_eq!(l[0].url, "http://198.51.100.7/login");
        assert_eq!(l[0].text.as_deref(), Some("https://www.jal.co.jp/"));
        assert_eq!(l[1].text.as_deref(), Some("here"));
        assert!(l.iter().any(|x| x.url == "https://ok.example/a."));
        let w = Watched::new(["jal.co.jp"]);
        let mut f = Vec::new();
        url_findings(&l, &w, &mut f);
        let r: Vec<&str> = f.iter().map(|f| f.rule.as_ref()).collect();
        assert!(r.contains(&"url.ip_literal"), "{r:?}");
        assert!(r.contains(&"url.punycode"), "{r:?}");
        let mut f = Vec::new();
        url_findings(
            &[Link {
                url: "https://evil.example/x".into(),
                text: Some("www.jal.co.jp".into()),
            }],
            &w,
            &mut f,
        );
        assert_eq!(f[0].rule, "url.text_mismatch");
        let mut f = Vec::new();
        url_findings(
            &[Link {
                url: "https://jal-co.jp/".into(),
                text: None,
            }],
            &w,
            &mut f,
        );
        assert_eq!(f[0].rule, "url.lookalike_domain");
    }

    #[test]
    fn caps_hold_on_hostile_text() {
        let text = "http://a.example/ ".repeat(10_000);
        let mut l = Vec::new();
        links(&text, true, MAX_URLS, &mut l);
        assert!(l.len() <= MAX_URLS);
        let mut l = Vec::new();
        links(&"href=".repeat(50_000), true, MAX_URLS, &mut l);
        assert!(l.is_empty());
    }

    #[test]
    fn lure_ppap_and_empty() {
        assert_eq!(lure_word("航空券控え 添付のご連絡"), Some("航空券"));
        assert_eq!(
            lure_word("Ｅチケット送付"),
            Some("eチケット")
                .or(Some("Eチケット"))
                .and(lure_word("Ｅチケット送付"))
        );
        assert_eq!(lure_word("定例会議の議事録"), None);
        assert_eq!(
            password_candidates("先ほどのファイルのパスワード：Xk7-pq29\n"),
            ["Xk7-pq29"]
        );
        assert_eq!(
            password_candidates("パスワードは「Ab12Cd34」です"),
            ["Ab12Cd34"]
        );
        assert!(password_candidates("パスワードを別途お送りします").is_empty());
        assert_eq!(visible_chars("<p> </p>\r\n", true), 0);
        assert_eq!(visible_chars("　\n", false), 0);
        assert!(is_encrypted_zip(b"PK\x03\x04\x14\x00\x01\x00"));
        assert!(!is_encrypted_zip(b"PK\x03\x04\x14\x00\x00\x00"));
    }
}

/// Domains of the addresses and links in the last lines of a plain-text body (the signature
/// block), at most eight.
pub fn signature_domains(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(12)..];
    let mut out: Vec<String> = Vec::new();
    for l in tail {
        for word in l.split(|c: char| {
            c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '：' | ':' | '　')
        }) {
            let d = if let Some((_, d)) = word.rsplit_once('@') {
                d.trim_end_matches(['.', ',']).to_ascii_lowercase()
            } else if let Some(h) = host_of(word) {
                h
            } else {
                continue;
            };
            if d.contains('.')
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                let r = registered(&d);
                if !out.contains(&r) && out.len() < 8 {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// `body.signature_mismatch`: the signature names another organisation than the From address
/// (IPA: a free-mail sender posing as an organisation, "From unlike the signature").
pub fn signature_findings(text: &str, from_reg: &str, from_free: bool, out: &mut Vec<Finding>) {
    let others: Vec<String> = signature_domains(text)
        .into_iter()
        .filter(|d| d != from_reg && !crate::domain::is_free_mail(d))
        .collect();
    if let Some(d) = others.first() {
        out.push(Finding::new(
            "body.signature_mismatch",
            if from_free {
                Severity::Medium
            } else {
                Severity::Low
            },
            format!(
                "the signature names {d}, the message comes from {}{from_reg}",
                if from_free { "free-mail " } else { "" }
            ),
        ));
    }
}

#[cfg(test)]
mod signature_tests {
    use super::*;

    #[test]
    fn signature_of_another_organisation() {
        let body = "ご確認ください。\n\n--\n日本航空 予約センター\nTEL 03-0000-0000\nsupport@jal.co.jp\nhttps://www.jal.co.jp/\n";
        assert_eq!(signature_domains(body), ["jal.co.jp"]);
        let mut f = Vec::new();
        signature_findings(body, "gmail.com", true, &mut f);
        assert_eq!(f[0].rule, "body.signature_mismatch");
        assert_eq!(f[0].severity, Severity::Medium);
        let mut f = Vec::new();
        signature_findings(body, "jal.co.jp", false, &mut f);
        assert!(f.is_empty());
    }
}

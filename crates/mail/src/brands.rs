//! The shipped brand table: names that appear in display names of Japanese phishing and
//! targeted mail, and the domains allowed to use them. `[[mail.brands]]` adds entries.
//!
//! Matching is on the NFKC-folded display name (so full-width `ＪＡＬ` matches `JAL`). Short
//! Latin names (four letters or fewer, `JAL`, `ANA`, `JCB`) match only as whole upper-case
//! words, so a person called Ana is not an airline.

use kizuki_core::config::Brand;
use unicode_normalization::UnicodeNormalization;

/// One brand: names and the registered domains that may use them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandEntry {
    /// Names as they appear in display names.
    pub names: Vec<String>,
    /// Registered domains (`jal.co.jp`); subdomains of them are allowed too.
    pub domains: Vec<String>,
}

/// (names, domains) of the shipped table.
const SHIPPED: &[(&[&str], &[&str])] = &[
    // Airlines
    (&["日本航空", "JAL", "ジャル"], &["jal.co.jp", "jal.com"]),
    (&["全日空", "全日本空輸", "ANA"], &["ana.co.jp", "ana.com"]),
    (&["スカイマーク", "Skymark"], &["skymark.co.jp"]),
    (
        &["ピーチ・アビエーション", "Peach Aviation"],
        &["flypeach.com"],
    ),
    // Banks
    (
        &["三菱UFJ銀行", "三菱UFJ", "MUFG"],
        &["bk.mufg.jp", "mufg.jp"],
    ),
    (&["三井住友銀行", "SMBC"], &["smbc.co.jp"]),
    (
        &["みずほ銀行", "みずほ", "Mizuho"],
        &["mizuhobank.co.jp", "mizuho-fg.co.jp"],
    ),
    (
        &["りそな銀行", "りそな", "Resona"],
        &["resonabank.co.jp", "resona-gr.co.jp"],
    ),
    (
        &["ゆうちょ銀行", "ゆうちょ", "Japan Post Bank"],
        &["jp-bank.japanpost.jp", "japanpost.jp"],
    ),
    (&["楽天銀行"], &["rakuten-bank.co.jp"]),
    (&["PayPay銀行"], &["paypay-bank.co.jp"]),
    (&["住信SBIネット銀行"], &["netbk.co.jp"]),
    // Card issuers
    (
        &["三井住友カード", "Vpass"],
        &["smbc-card.com", "vpass.ne.jp"],
    ),
    (&["JCB"], &["jcb.co.jp", "jcb.jp"]),
    (&["楽天カード"], &["rakuten-card.co.jp"]),
    (
        &["イオンカード", "イオン"],
        &["aeon.co.jp", "aeonbank.co.jp"],
    ),
    (
        &["セゾンカード", "クレディセゾン"],
        &["saisoncard.co.jp", "saison.co.jp"],
    ),
    (
        &["アメリカン・エキスプレス", "American Express", "AMEX"],
        &["americanexpress.com", "aexp.com"],
    ),
    (&["エポスカード"], &["eposcard.co.jp"]),
    (&["オリコ"], &["orico.co.jp"]),
    // Carriers
    (
        &["NTTドコモ", "ドコモ", "docomo"],
        &["docomo.ne.jp", "nttdocomo.co.jp"],
    ),
    (&["KDDI", "エーユー"], &["kddi.com", "au.com"]),
    (
        &["ソフトバンク", "SoftBank"],
        &["softbank.jp", "softbank.ne.jp", "softbank.co.jp"],
    ),
    (&["楽天モバイル"], &["rakuten.co.jp", "rakuten.jp"]),
    // Delivery
    (
        &["ヤマト運輸", "クロネコヤマト", "クロネコ"],
        &["kuronekoyamato.co.jp", "yamato-hd.co.jp"],
    ),
    (&["佐川急便"], &["sagawa-exp.co.jp"]),
    (
        &["日本郵便", "郵便局"],
        &["post.japanpost.jp", "japanpost.jp"],
    ),
    (&["西濃運輸"], &["seino.co.jp"]),
    // Ministries and agencies
    (&["国税庁", "税務署"], &["nta.go.jp"]),
    (&["総務省"], &["soumu.go.jp"]),
    (&["警察庁"], &["npa.go.jp"]),
    (&["厚生労働省"], &["mhlw.go.jp"]),
    (&["経済産業省"], &["meti.go.jp"]),
    (&["外務省"], &["mofa.go.jp"]),
    (&["法務省"], &["moj.go.jp"]),
    (&["財務省"], &["mof.go.jp"]),
    (&["デジタル庁"], &["digital.go.jp"]),
    (&["個人情報保護委員会"], &["ppc.go.jp"]),
    (&["日本年金機構"], &["nenkin.go.jp"]),
    (
        &["内閣サイバーセキュリティセンター", "NISC"],
        &["nisc.go.jp"],
    ),
    // Retail and services often imitated
    (
        &["Amazon", "アマゾン"],
        &["amazon.co.jp", "amazon.com", "amazon.jp"],
    ),
    (
        &["楽天市場", "楽天"],
        &["rakuten.co.jp", "rakuten.com", "rakuten.jp"],
    ),
    (&["メルカリ"], &["mercari.com", "mercari.jp"]),
    (
        &["えきねっと", "JR東日本"],
        &["eki-net.com", "jreast.co.jp"],
    ),
];

/// The brand table in use: shipped entries plus configured ones.
#[derive(Clone, Debug)]
pub struct BrandTable {
    entries: Vec<BrandEntry>,
}

/// Folds a name for matching: NFKC (full-width to ASCII, half-width kana to full-width).
pub fn fold(s: &str) -> String {
    s.nfkc().collect()
}

impl BrandTable {
    /// The shipped table plus `extra` (`[[mail.brands]]`).
    pub fn new(extra: &[Brand]) -> Self {
        let mut entries: Vec<BrandEntry> = SHIPPED
            .iter()
            .map(|(n, d)| BrandEntry {
                names: n.iter().map(|s| fold(s)).collect(),
                domains: d.iter().map(|s| s.to_ascii_lowercase()).collect(),
            })
            .collect();
        for b in extra {
            entries.push(BrandEntry {
                names: vec![fold(&b.name)],
                domains: b.domains.iter().map(|s| s.to_ascii_lowercase()).collect(),
            });
        }
        BrandTable { entries }
    }

    /// Every brand entry.
    pub fn entries(&self) -> &[BrandEntry] {
        &self.entries
    }

    /// Every domain of every brand (for lookalike checks).
    pub fn all_domains(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .flat_map(|e| e.domains.iter().map(String::as_str))
    }

    /// The first brand whose name appears in `display` (already folded), with the name matched.
    pub fn named_in<'a>(&'a self, display: &str) -> Option<(&'a BrandEntry, &'a str)> {
        for e in &self.entries {
            for n in &e.names {
                if name_matches(display, n) {
                    return Some((e, n.as_str()));
                }
            }
        }
        None
    }
}

/// True when `name` occurs in `text`; short Latin names only as whole words with the same case.
fn name_matches(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let short_latin = name.is_ascii() && name.chars().count() <= 4;
    if !name.is_ascii() {
        return text.contains(name);
    }
    let hay = if short_latin {
        text.to_string()
    } else {
        text.to_ascii_lowercase()
    };
    let needle = if short_latin {
        name.to_string()
    } else {
        name.to_ascii_lowercase()
    };
    let mut start = 0;
    while let Some(pos) = hay.get(start..).and_then(|h| h.find(&needle)) {
        let at = start + pos;
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        start = at + needle.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_folded_and_as_words() {
        let t = BrandTable::new(&[]);
        let (e, n) = t.named_in(&fold("ＪＡＬ 予約センター")).unwrap();
        assert_eq!(n, "JAL");
        assert!(e.domains.contains(&"jal.co.jp".to_string()));
        assert!(t.named_in("日本航空 カスタマーサービス").is_some());
        assert!(t.named_in("Ana Smith").is_none());
        assert!(t.named_in("Janalyn").is_none());
        assert!(t.named_in("佐藤 一郎").is_none());
        let extra = [Brand {
            name: "パートナー航空".into(),
            domains: vec!["partner-air.example".into()],
        }];
        let t = BrandTable::new(&extra);
        assert!(t.named_in("パートナー航空 予約").is_some());
    }
}

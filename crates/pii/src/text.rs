//! Free text: a hand-written finder (`Candidates`) locates candidates, the validators of
//! [`crate::value`] decide, and keywords in a window before a candidate give the context that
//! dates, passport numbers, My Numbers and bank accounts need.
//!
//! Boundaries are checked by hand on ASCII letters and digits only: Unicode `\b` is slow and
//! wrong for Japanese (it sees no boundary in `電話09012345678`).

use std::sync::LazyLock;

use kizuki_core::Category;

use crate::kv::Key;
use crate::tables::{PREFECTURES, has_prefix};
use crate::tally::Tally;
use crate::value;

/// Bytes of text before a candidate searched for context keywords.
pub const WINDOW: usize = 48;

/// A character of the middle of a number candidate (the class of [`number_at`]).
fn in_number(c: char) -> bool {
    matches!(
        c,
        '0'..='9'
            | '０'..='９'
            | '-'
            | '－'
            | '‐'
            | '‑'
            | '–'
            | '—'
            | '−'
            | 'ー'
            | '('
            | ')'
            | '（'
            | '）'
            | '/'
            | '／'
            | '.'
            | '．'
            | '年'
            | '月'
            | ' '
    )
}

/// The leftmost number candidate at or after `from`: what the regular expression
/// `[+＋]?[0-9０-９][0-9０-９\-－‐‑–—−ー()（）/／.．年月\x20]*[0-9０-９日]` finds with
/// leftmost-first semantics, scanned by hand (numbers are most candidates, and the regex
/// would run a reverse pass over each to find its start).
#[cfg(test)]
fn number_at(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        // Next possible start: an ASCII digit, `+`, or the lead byte of `０`-`９`/`＋`.
        i += bytes
            .get(i..)?
            .iter()
            .position(|b| b.is_ascii_digit() || *b == b'+' || *b == 0xEF)?;
        if let Some(e) = number_here(text, i) {
            return Some((i, e));
        }
        i += text.get(i..)?.chars().next()?.len_utf8();
    }
}

/// The end of the number candidate starting exactly at `i` (see [`number_at`]), if one does.
fn number_here(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let c0 = *b.get(i)?;
    // The first digit: ASCII, or `０`-`９` (`EF BC 90`..`EF BC 99`), after an optional sign.
    let digit_at = |j: usize| match b.get(j) {
        Some(x) if x.is_ascii_digit() => Some(j + 1),
        Some(0xEF)
            if b.get(j + 1) == Some(&0xBC)
                && b.get(j + 2).is_some_and(|z| (0x90..=0x99).contains(z)) =>
        {
            Some(j + 3)
        }
        _ => None,
    };
    let mut j = if c0 == b'+' {
        // The digit must follow the sign; else the digit itself may still start one.
        digit_at(i + 1)?
    } else if c0 == 0xEF && b.get(i + 1..i + 3) == Some(&[0xBC, 0x8B]) {
        digit_at(i + 3)? // `＋`
    } else {
        digit_at(i)?
    };
    // The end after the last digit past the first (a candidate has two characters at least).
    let mut last_digit = None;
    // Greedy run of the middle class, then back off to a final digit (or take a `日` right
    // after the run). ASCII bytes are judged as bytes, other characters decoded.
    loop {
        let Some(&x) = b.get(j) else {
            return last_digit;
        };
        if x < 0x80 {
            match x {
                b'0'..=b'9' => last_digit = Some(j + 1),
                b'-' | b'(' | b')' | b'/' | b'.' | b' ' => {}
                _ => return last_digit,
            }
            j += 1;
            continue;
        }
        let c = text.get(j..)?.chars().next()?;
        if in_number(c) {
            j += c.len_utf8();
            if value::digit(c).is_some() {
                last_digit = Some(j);
            }
        } else if c == '日' {
            return Some(j + c.len_utf8());
        } else {
            return last_digit;
        }
    }
}

/// The pattern the hand-written candidate finder ([`Candidates`]) replaces, kept as the
/// reference its unit tests compare against: one alternation, leftmost-first, the numbers of
/// [`number_at`] merged in after it on a tie.
#[cfg(test)]
fn reference_pattern() -> String {
    let prefs = PREFECTURES.join("|");
    let roles = ROLE_KEYWORDS.join("|");
    format!(
        r#"(?x)
        [A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+
        | [A-Z]{{2}}[0-9]{{7}}
        | (?:明治|大正|昭和|平成|令和|[㍾㍽㍼㍻㋿]|[MTSHR])[\x20]?(?:元|[0-9０-９]{{1,2}})[\x20]?[年.．/／]
        | {prefs}
        | 氏名|お名前|名前|フリガナ|ふりがな|ローマ字|Name|NAME|性別|Gender|GENDER|Sex|SEX
        | {roles}
        | 住所|所在地|Address|ADDRESS
        | DOCS
        | From|To|Cc|CC|差出人|送信者|宛先
        | 〒
        | 様|殿|さん|さま|氏|君|くん|ちゃん
        | (?m:^)[\x20\t\u{{3000}}]*(?:[・•●○■][\x20\u{{3000}}]*)?
          (?:[\u{{4000}}-\u{{9FFF}}]+
             (?:[\x20\u{{3000}}][\u{{4000}}-\u{{9FFF}}]+(?:\r?(?m:$)|[\x20\t\u{{3000}}(（])
               |\r?(?m:$)|[(（])
           |[\u{{4000}}-\u{{9FFF}}]{{3,6}}[\x20\t\u{{3000}}]
             (?:[0-9+〒０-９＋]|\([0-9]|[A-Za-z0-9._%+\-]+@))
        "#
    )
}

/// Keywords after which a value is taken by hand (`氏名：山田 太郎`).
const VALUE_KEYWORDS: [&str; 13] = [
    "氏名",
    "お名前",
    "名前",
    "フリガナ",
    "ふりがな",
    "ローマ字",
    "Name",
    "NAME",
    "性別",
    "Gender",
    "GENDER",
    "Sex",
    "SEX",
];

/// Roles a person's name follows in forms, minutes and mails (`担当者：田中 誠`, `参加者：高橋健一、
/// 伊藤美咲`, `口座名義 ヤマダ タロウ`): value keywords, but weaker ones than `氏名`, so their value
/// counts only as a full name (a family and a given name the dictionary knows). A longer
/// keyword comes before its prefix (`担当者`, `担当`).
const ROLE_KEYWORDS: [&str; 70] = [
    "担当者",
    "担当",
    "申込者",
    "申請者",
    "契約者",
    "被保険者",
    "受取人",
    "依頼者",
    "依頼人",
    "代表者",
    "参加者",
    "出席者",
    "保護者",
    "患者",
    "利用者",
    "会員",
    "顧客",
    "購入者",
    "注文者",
    "名義人",
    "口座名義",
    "連絡者",
    "世帯主",
    "記入者",
    "入居者",
    "配偶者",
    "宛名",
    "相談者",
    "作成者",
    "承認者",
    "送り主",
    // Travel: passengers and guests (`搭乗者：YAMADA/TARO MR`, `宿泊者 山田 太郎`).
    "搭乗者",
    "旅客",
    "宿泊者",
    "渡航者",
    "旅行者",
    "Passenger",
    "PASSENGER",
    // Shipping labels and orders (`お届け先：山田 太郎`, `送付先 高橋 健太`).
    "お届け先",
    "届け先",
    "送付先",
    "送り先",
    "配送先",
    "発送先",
    "ご依頼主",
    "依頼主",
    "保証人",
    "緊急連絡先",
    // Titles before a name (`代表取締役 山田太郎`, `弁護士 鈴木 一郎`); not those that start
    // with a character common in other words (`理事長`: `管理`, `処理`; `税理士`: `税込`).
    "代表取締役",
    "取締役",
    "社長",
    "副社長",
    "会長",
    "専務",
    "常務",
    "部長",
    "次長",
    "課長",
    "係長",
    "主任",
    "店長",
    "支店長",
    "所長",
    "院長",
    "校長",
    "教授",
    "医師",
    "弁護士",
    "司法書士",
    "看護師",
];

/// Header lines of a mail quoted or forwarded in a body (`差出人: 山田 太郎 <taro@…>`,
/// `From: Taro Yamada <…>`): a name follows, as after [`VALUE_KEYWORDS`]. Kept apart from
/// them: an address starting with `To` (`Tomoko@…`) is no keyword's value.
const MAIL_KEYWORDS: [&str; 7] = ["From", "To", "Cc", "CC", "差出人", "送信者", "宛先"];

/// Keywords after which an address may be written without its prefecture (`住所：千代田区
/// 千代田1-1`); an address with its prefecture is found by the prefecture.
const ADDRESS_KEYWORDS: [&str; 4] = ["住所", "所在地", "Address", "ADDRESS"];

/// Honorifics after a name in letters, mails and records (`山田 太郎 様`, `山田太郎殿`,
/// `山田太郎さん`, `山田太郎氏`), and those of school records and class lists (`山田太郎君`,
/// `山田太郎くん`, `山田花子ちゃん`). A full name must come before them: a given name alone
/// (`太郎くん`) says little.
const HONORIFICS: [&str; 8] = ["様", "殿", "さん", "さま", "氏", "君", "くん", "ちゃん"];

/// Era names and era characters that start a date (`昭和55年`, `㍻2年`).
const ERA_STARTS: [&str; 10] = [
    "明治", "大正", "昭和", "平成", "令和", "㍾", "㍽", "㍼", "㍻", "㋿",
];

/// The literal starts of candidates (eras, prefectures, value keywords, `〒`), indexed by
/// their first character: a bit per BMP code point says whether any literal starts with it,
/// then the few literals of that character are compared in the order of the old pattern
/// (eras first). An era's tail is checked by hand ([`era_tail`]).
struct Literals {
    bits: Vec<u64>,
    by_first: Vec<(char, Vec<(&'static str, Kind)>)>,
    /// `by_first`'s index of a first character: open addressing on the code point (the
    /// first characters of prefectures are common kanji of names, `山` `田` `佐`: a binary
    /// search per occurrence cost more than the compare).
    slots: [(u32, u8); LIT_SLOTS],
}

/// The slot of a code point in [`Literals::slots`].
#[inline]
fn lit_slot(cp: u32) -> usize {
    (cp.wrapping_mul(0x9E37_79B1) >> 24) as usize
}

/// Slots of [`Literals::slots`]: twice the first characters at least (127 now: a new
/// first character may need 512 slots, which measured 4 % slower on text of names).
const LIT_SLOTS: usize = 256;

/// What a candidate is, as the finder saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `local@domain`.
    Email,
    /// A passport number, a Latin-letter era date (`S55.`), or `DOCS` (an airline booking's
    /// passenger data may follow: [`docs`]).
    Upper,
    /// An era name or character and its year (`昭和55年`).
    Era,
    /// A prefecture (the address follows).
    Pref,
    /// A value keyword (`氏名`; the value follows).
    Keyword,
    /// A role (`担当者`): a full name, or a list of them, may follow.
    Role,
    /// An address keyword (`住所`): an address without its prefecture may follow.
    AddressKeyword,
    /// A mail header's name (`差出人`, `From`): a value keyword unless another keyword
    /// follows (`From: Name: 山田 太郎`, as [`crate::mail`] writes a message's correspondents).
    MailKeyword,
    /// `〒` (the code follows).
    Postal,
    /// Digits and separators.
    Number,
    /// An honorific (`様`, `殿`): a full name may come right before it.
    Honorific,
    /// The first character of a value after an ASCII label ([`crate::kv::key_before`]:
    /// `name=山田 太郎`, `"customer":"山田 太郎"`, `sex: F`).
    AsciiKey,
    /// The first kanji or list mark of a line (after spaces): the line may be a full name
    /// alone or before a row ([`line_name`]). The candidate starts at the line's start.
    LineStart,
}

static LITERALS: LazyLock<Literals> = LazyLock::new(|| {
    let mut l = Literals {
        bits: vec![0; 1024],
        by_first: Vec::new(),
        slots: [(0, 0); LIT_SLOTS],
    };
    let all = ERA_STARTS
        .iter()
        .map(|e| (*e, Kind::Era))
        .chain(PREFECTURES.iter().map(|p| (*p, Kind::Pref)))
        .chain(VALUE_KEYWORDS.iter().map(|k| (*k, Kind::Keyword)))
        .chain(ROLE_KEYWORDS.iter().map(|k| (*k, Kind::Role)))
        .chain(ADDRESS_KEYWORDS.iter().map(|k| (*k, Kind::AddressKeyword)))
        .chain(MAIL_KEYWORDS.iter().map(|k| (*k, Kind::MailKeyword)))
        .chain([("〒", Kind::Postal)])
        .chain(HONORIFICS.iter().map(|h| (*h, Kind::Honorific)));
    for (p, era) in all {
        let Some(c) = p.chars().next() else { continue };
        let cp = c as usize;
        if let Some(w) = l.bits.get_mut(cp / 64) {
            *w |= 1 << (cp % 64);
        }
        match l.by_first.iter_mut().find(|(f, _)| *f == c) {
            Some((_, v)) => v.push((p, era)),
            None => l.by_first.push((c, vec![(p, era)])),
        }
    }
    l.by_first.sort_by_key(|(c, _)| *c);
    assert!(
        l.by_first.len() < LIT_SLOTS / 2,
        "literal slots: at most half full"
    );
    for (k, (c, _)) in l.by_first.iter().enumerate() {
        let mut h = lit_slot(*c as u32);
        while l.slots[h].0 != 0 {
            h = (h + 1) % LIT_SLOTS;
        }
        l.slots[h] = (*c as u32, k as u8);
    }
    l
});

impl Literals {
    /// Does any literal start with the code point `cp`?
    #[inline]
    fn may_start(&self, cp: u32) -> bool {
        let cp = cp as usize;
        self.bits
            .get(cp / 64)
            .is_some_and(|w| w & (1 << (cp % 64)) != 0)
    }

    /// The literal candidate starting with `c` at `i`, if any.
    fn at(&self, text: &str, i: usize, c: char) -> Option<Cand> {
        let cp = c as usize;
        if self
            .bits
            .get(cp / 64)
            .is_none_or(|w| w & (1 << (cp % 64)) == 0)
        {
            return None;
        }
        let cp = c as u32;
        let mut h = lit_slot(cp);
        let k = loop {
            match self.slots[h] {
                (0, _) => return None,
                (x, k) if x == cp => break usize::from(k),
                _ => h = (h + 1) % LIT_SLOTS,
            }
        };
        let rest = text.get(i..)?;
        let (p, kind) = self
            .by_first
            .get(k)?
            .1
            .iter()
            .find(|(p, _)| has_prefix(rest.as_bytes(), p.as_bytes()))?;
        if *kind == Kind::Era {
            era_tail(text, i + p.len()).map(|e| (i, e, Kind::Era))
        } else {
            Some((i, i + p.len(), *kind))
        }
    }
}

/// End of `[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+` at `i` (greedy), if it matches.
fn domain_end(b: &[u8], i: usize) -> Option<usize> {
    let run = |from: usize| {
        b.get(from..).map_or(0, |r| {
            r.iter()
                .take_while(|c| value::email_label_byte(**c))
                .count()
        })
    };
    let mut j = i + run(i);
    if j == i {
        return None;
    }
    let mut more = 0;
    while b.get(j) == Some(&b'.') {
        let n = run(j + 1);
        if n == 0 {
            break;
        }
        j += 1 + n;
        more += 1;
    }
    (more > 0).then_some(j)
}

/// The leftmost e-mail candidate starting at or after `from`: the run of local-part
/// characters before an `@` (cut at `from`), then a dotted domain.
fn email_at(text: &str, from: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = from;
    loop {
        let a = i + memchr::memchr(b'@', b.get(i..)?)?;
        let mut s = a;
        while s > from && b.get(s - 1).is_some_and(|c| value::email_local_byte(*c)) {
            s -= 1;
        }
        if s < a
            && let Some(e) = domain_end(b, a + 1)
        {
            return Some((s, e));
        }
        i = a + 1;
    }
}

/// The rest of an era date after its era (`[ ]?(元|[0-9０-９]{1,2})[ ]?[年.．/／]`): its end.
fn era_tail(text: &str, i: usize) -> Option<usize> {
    let rest = text.get(i..)?;
    let mut it = rest.char_indices().peekable();
    if it.peek().is_some_and(|(_, c)| *c == ' ') {
        it.next();
    }
    match it.next()? {
        (_, '元') => {}
        (_, c) if value::digit(c).is_some() => {
            if it.peek().is_some_and(|(_, c)| value::digit(*c).is_some()) {
                it.next();
            }
        }
        _ => return None,
    }
    if it.peek().is_some_and(|(_, c)| *c == ' ') {
        it.next();
    }
    match it.next()? {
        (j, c @ ('年' | '.' | '．' | '/' | '／')) => Some(i + j + c.len_utf8()),
        _ => None,
    }
}

/// The end of a passport number (`[A-Z]{2}[0-9]{7}`), Latin-letter era date (`S55.4.12`) or
/// `DOCS` starting exactly at `i`, if one does.
fn upper_here(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(i + 1).is_some_and(u8::is_ascii_uppercase) {
        if b.get(i + 2..i + 9)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        {
            return Some(i + 9);
        }
        // `DOCS`: an airline booking's passenger data may follow ([`docs`]).
        if b.get(i..i + 4) == Some(b"DOCS") {
            return Some(i + 4);
        }
    }
    // An era's year starts right after the letter or a space: a digit, `０`-`９` (`EF …`) or
    // `元` (`E5 85 83`). Capitals are common in logs and code (`SELECT`, `HTTP`).
    if matches!(b.get(i), Some(b'M' | b'T' | b'S' | b'H' | b'R'))
        && matches!(b.get(i + 1), Some(b' ' | b'0'..=b'9' | 0xE5 | 0xEF))
    {
        return era_tail(text, i + 1);
    }
    None
}

/// Byte classes of the fused scan: bytes that may start a number (ASCII digits, `+`, and
/// 0xEF, the lead byte of `０`-`９` and `＋`), capitals (passport numbers, Latin-letter eras,
/// `Name`/`Gender`/`Sex`), and lead bytes of three-byte characters (every other literal).
const C_NUM: u8 = 1;
const C_UPPER: u8 = 2;
const C_LEAD3: u8 = 4;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() || b == b'+' {
            C_NUM
        } else if b.is_ascii_uppercase() {
            C_UPPER
        } else if b == 0xEF {
            C_NUM | C_LEAD3
        } else if b >= 0xE0 && b < 0xF0 {
            C_LEAD3
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The leftmost candidate other than an e-mail (passport number, era date, prefecture,
/// value keyword, `〒`, number) starting at or after `from`, in one pass over the bytes: a
/// table lookup skips the bytes that start nothing, and at the others the kinds are tried
/// in the order of the old pattern.
fn fused_at(text: &str, from: usize) -> Option<Cand> {
    let b = text.as_bytes();
    let lits = &*LITERALS;
    let mut i = from;
    loop {
        let x = loop {
            let x = *b.get(i)?;
            if CLASS[usize::from(x)] != 0 {
                break x;
            }
            i += 1;
        };
        let class = CLASS[usize::from(x)];
        if class & C_UPPER != 0 {
            if let Some(e) = upper_here(text, i) {
                return Some((i, e, Kind::Upper));
            }
            // `Name`/`NAME`, `Gender`, `Sex`, `Address`, `From`, `To`, `Cc`: the second
            // letter first (capitals are common in logs and code).
            if matches!(
                (x, b.get(i + 1)),
                (b'N', Some(b'a' | b'A'))
                    | (b'G' | b'S', Some(b'e' | b'E'))
                    | (b'A', Some(b'd' | b'D'))
                    | (b'F', Some(b'r'))
                    | (b'T', Some(b'o'))
                    | (b'C', Some(b'c' | b'C'))
                    | (b'P', Some(b'a' | b'A'))
            ) && let Some(m) = lits.at(text, i, char::from(x))
            {
                return Some(m);
            }
            let p1 = i.checked_sub(1).map(|k| b[k]);
            if matches!(p1, Some(b'=' | b':' | b'"' | b'\'' | b' ')) && ascii_key_at(b, i, p1, true)
            {
                return Some((i, i + 1, Kind::AsciiKey));
            }
            i += 1;
            continue;
        }
        if class & C_LEAD3 != 0
            && let (Some(&y), Some(&z)) = (b.get(i + 1), b.get(i + 2))
        {
            let cp = (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
            // The first character of a line (after spaces)? A line that may be a name alone
            // is a candidate from its start, before a literal at its first character when
            // spaces come first (the line starts before the literal), else after it.
            // (A space between two words, `日高 実恵`, ends the test at once.)
            // Also: may a value after an ASCII label start here ([`ascii_key_at`])?
            // The byte before by its class first: most often a kanji's last byte, which
            // starts neither.
            let p1 = i.checked_sub(1).map(|k| b[k]);
            let p2 = || i.checked_sub(2).map(|k| b[k]);
            let (ls, key) = match p1.map_or(BEFORE_LINE, |x| BEFORE_CLASS[usize::from(x)]) {
                BEFORE_OTHER => (None, false),
                BEFORE_LINE => (Some(i), false),
                BEFORE_KEY => (None, true),
                BEFORE_SPACE => match p2() {
                    Some(b'=' | b':' | b'>' | 0x9A) => (None, true),
                    Some(0x21..) => (None, false),
                    _ => (line_start(b, from, i), false),
                },
                BEFORE_TAB if p2().is_some_and(|x| x >= 0x21) => (None, false),
                _ => (line_start(b, from, i), false),
            };
            let ls = ls.filter(|_| line_name_start(cp));
            if let Some(ls) = ls.filter(|ls| *ls < i)
                && let Some(end) = name_line_end(b, i)
            {
                return Some((ls, end, Kind::LineStart));
            }
            if lits.may_start(cp)
                && let Some(c) = char::from_u32(cp)
                && let Some(m) = lits.at(text, i, c)
            {
                return Some(m);
            }
            if key && ascii_key_at(b, i, p1, false) {
                return Some((i, i + 3, Kind::AsciiKey));
            }
            if let Some(ls) = ls
                && let Some(end) = name_line_end(b, i)
            {
                return Some((ls, end, Kind::LineStart));
            }
        }
        if class & C_NUM != 0
            && let Some(e) = number_here(text, i)
        {
            return Some((i, e, Kind::Number));
        }
        i += if x < 0x80 { 1 } else { 3 };
    }
}

/// [`fused_at`]'s classes of the byte before a three-byte character: a line's start (a
/// line feed), a space, a tab, the last byte of `U+3000` (`E3 80 80`), a separator after
/// an ASCII label or a quote ([`ascii_key_at`]; `>` for `=>`), or anything else.
const BEFORE_OTHER: u8 = 0;
const BEFORE_LINE: u8 = 1;
const BEFORE_SPACE: u8 = 2;
const BEFORE_TAB: u8 = 3;
const BEFORE_IDEO_SPACE: u8 = 4;
const BEFORE_KEY: u8 = 5;
const BEFORE_CLASS: [u8; 256] = {
    let mut t = [BEFORE_OTHER; 256];
    t[b'\n' as usize] = BEFORE_LINE;
    t[b' ' as usize] = BEFORE_SPACE;
    t[b'\t' as usize] = BEFORE_TAB;
    t[0x80] = BEFORE_IDEO_SPACE;
    t[b'=' as usize] = BEFORE_KEY;
    t[b':' as usize] = BEFORE_KEY;
    t[b'>' as usize] = BEFORE_KEY;
    t[b'"' as usize] = BEFORE_KEY;
    t[b'\'' as usize] = BEFORE_KEY;
    t[0x9A] = BEFORE_KEY;
    t
};

/// What may come right before the value of an ASCII label ([`ascii_key_at`]): a separator
/// or a quote (`=`, `:`, `>` of `=>`, `"`, `'`), a space after one (`name: 山田`), or the
/// last byte of `：` (`EF BC 9A`).
const KEY_SEP: u8 = 1;
const KEY_SPACE: u8 = 2;
const KEY_FULL: u8 = 4;
const KEY_BEFORE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'=' as usize] = KEY_SEP;
    t[b':' as usize] = KEY_SEP;
    t[b'>' as usize] = KEY_SEP;
    t[b'"' as usize] = KEY_SEP;
    t[b'\'' as usize] = KEY_SEP;
    t[b' ' as usize] = KEY_SPACE;
    t[0x9A] = KEY_FULL;
    t
};

/// The label of a value starting at `i` (a capital when `upper`, else a three-byte
/// character), when a separator or a quote comes right before it (`name=山田`,
/// `"name":"山田"`, `name: 山田`, `name：山田`): a table look-up first, as this runs at every
/// capital and every kanji the finder stops at. The look-up only lets through what
/// [`crate::kv::key_before`] may accept (a capital right after the separator or quote, a kanji
/// after one space at most).
#[inline(always)]
fn ascii_key_at(b: &[u8], i: usize, p1: Option<u8>, upper: bool) -> bool {
    let at = |k: usize| b.get(i.wrapping_sub(k)).copied().unwrap_or(0);
    // How far back the byte before the separator is (the label's last, or a space or quote
    // after it): it must be ASCII, not a line feed.
    let before = match KEY_BEFORE[usize::from(p1.unwrap_or(0))] {
        0 => return false,
        KEY_SEP => 2,
        // A capital after `: ` (`customer_name: Yamada Taro`, YAML's `name: Sato Hanako`).
        KEY_SPACE if upper => match at(2) {
            b':' => 3,
            _ => return false,
        },
        KEY_SPACE => match KEY_BEFORE[usize::from(at(2))] {
            KEY_SEP => 3,
            KEY_FULL if at(3) == 0xBC && at(4) == 0xEF => 5,
            _ => return false,
        },
        _ if at(2) == 0xBC && at(3) == 0xEF => 4,
        _ => return false,
    };
    matches!(at(before), 0x01..=0x7F)
        && at(before) != b'\n'
        && crate::kv::key_before(b, i).is_some()
}

/// A candidate: start, end, kind.
type Cand = (usize, usize, Kind);

/// One kind of candidate: its next match, kept while it starts at or after the search
/// position.
#[derive(Default)]
struct Stream {
    next: Option<Cand>,
    done: bool,
}

impl Stream {
    fn at(&mut self, pos: usize, find: impl FnOnce(usize) -> Option<Cand>) -> Option<Cand> {
        if !self.done && self.next.is_none_or(|m| m.0 < pos) {
            self.next = find(pos);
            self.done = self.next.is_none();
        }
        self.next.filter(|m| m.0 >= pos)
    }
}

/// The candidate finder: what one leftmost-first alternation of every candidate pattern
/// would find (e-mail, passport number, era date, prefecture, value keyword, `〒`, then
/// number), written by hand: e-mails by `memchr` for `@` ([`email_at`]), everything else in
/// one table-driven pass ([`fused_at`]), instead of a lazy DFA over the union, which ran a
/// reverse search to find each match's start. The unit tests check it against that pattern
/// ([`reference_pattern`]).
#[derive(Default)]
struct Candidates {
    email: Stream,
    other: Stream,
}

impl Candidates {
    /// The leftmost candidate starting at or after `pos` (an e-mail on a tie).
    fn next(&mut self, text: &str, pos: usize) -> Option<Cand> {
        let e = self
            .email
            .at(pos, |p| email_at(text, p).map(|(s, e)| (s, e, Kind::Email)));
        let o = self.other.at(pos, |p| fused_at(text, p));
        match (e, o) {
            (Some(e), Some(o)) if o.0 < e.0 => Some(o),
            (Some(e), _) => Some(e),
            (None, o) => o,
        }
    }
}

/// [`extend`]'s class of each ASCII byte.
const X_STOP: u8 = 1;
const X_SPACE: u8 = 2;
const EXTEND_ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let x = i as u8;
        t[i] = if x.is_ascii_control()
            || matches!(x, b',' | b'"' | b'\'' | b'<' | b'>' | b'|' | b';')
        {
            X_STOP
        } else if x == b' ' {
            X_SPACE
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The text after `e` up to a stop character, at most `max_chars` characters, and at most
/// `words` space-separated words.
fn extend(text: &str, e: usize, max_chars: usize, words: usize) -> &str {
    let rest = text.get(e..).unwrap_or("");
    let b = rest.as_bytes();
    let mut end = 0;
    let mut seen_words = 0;
    let mut in_word = false;
    let (mut i, mut n) = (0, 0);
    // Bytes, not chars: the stop characters are ASCII controls and punctuation, `，、。`
    // (three bytes each) and the C1 controls (two bytes); the spaces are ` ` and `\u{3000}`.
    while let Some(&x) = b.get(i) {
        if n >= max_chars {
            break;
        }
        let (len, stop, space) = match x {
            0x00..=0x7F => {
                let c = EXTEND_ASCII[usize::from(x)];
                (1, c == X_STOP, c == X_SPACE)
            }
            // CJK ideographs (U+4000..U+9FFF): neither stops nor spaces.
            0xE4..=0xE9 => (3, false, false),
            // C1 controls U+0080..U+009F are `C2 80`..`C2 9F`.
            0xC0..=0xDF => (
                2,
                x == 0xC2 && b.get(i + 1).is_some_and(|y| (0x80..=0x9F).contains(y)),
                false,
            ),
            0xE0..=0xEF => {
                let (y, z) = (b.get(i + 1).copied(), b.get(i + 2).copied());
                // `、` E3 80 81, `。` E3 80 82, `，` EF BC 8C; U+3000 is E3 80 80.
                let cjk_punct = x == 0xE3 && y == Some(0x80);
                (
                    3,
                    (cjk_punct && matches!(z, Some(0x81 | 0x82)))
                        || (x == 0xEF && y == Some(0xBC) && z == Some(0x8C)),
                    cjk_punct && z == Some(0x80),
                )
            }
            _ => (4, false, false),
        };
        if stop {
            break;
        }
        if space {
            if in_word {
                in_word = false;
                if seen_words >= words {
                    break;
                }
            }
        } else if !in_word {
            in_word = true;
            seen_words += 1;
            if seen_words > words {
                break;
            }
        }
        i += len;
        n += 1;
        end = i;
    }
    rest.get(..end).unwrap_or("").trim_end()
}

/// `t` up to a closing bracket it did not open (`大阪府大阪市北区梅田3丁目1番3号）` in `（新住所：
/// 大阪府…）`): an address or a name ends there.
fn unopened_close(t: &str) -> &str {
    // By bytes (this runs for every address): `(` `)`, and the brackets `（` `）` (`EF BC 88`,
    // `89`), `「` `」` `『` `』` `【` `】` (`E3 80 8C`..`91`). Most addresses hold no closing
    // bracket: a vector search for its bytes first.
    let b = t.as_bytes();
    let closes = memchr::memchr3_iter(b')', 0xBC, 0x80, b).any(|i| match b[i] {
        b')' => true,
        0xBC => i > 0 && b[i - 1] == 0xEF && b.get(i + 1) == Some(&0x89),
        _ => i > 0 && b[i - 1] == 0xE3 && matches!(b.get(i + 1), Some(0x8D | 0x8F | 0x91)),
    });
    if !closes {
        return t;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        let open = match x {
            b'(' => Some(true),
            b')' => Some(false),
            0xEF if b.get(i + 1) == Some(&0xBC) => match b.get(i + 2) {
                Some(0x88) => Some(true),
                Some(0x89) => Some(false),
                _ => None,
            },
            0xE3 if b.get(i + 1) == Some(&0x80) => match b.get(i + 2) {
                Some(0x8C | 0x8E | 0x90) => Some(true),
                Some(0x8D | 0x8F | 0x91) => Some(false),
                _ => None,
            },
            _ => None,
        };
        match open {
            Some(true) => depth += 1,
            Some(false) if depth == 0 => return t.get(..i).unwrap_or(t).trim_end(),
            Some(false) => depth -= 1,
            None => {}
        }
        i += 1;
    }
    t
}

/// An era date: the regex finds its start (`昭和55年`), the month and day are taken by hand.
fn extend_era(text: &str, e: usize) -> &str {
    let rest = text.get(e..).unwrap_or("");
    let mut end = 0;
    for (n, (i, c)) in rest.char_indices().enumerate() {
        if n >= 10 {
            break;
        }
        if value::digit(c).is_some() || matches!(c, '月' | '.' | '．' | '/' | '／' | ' ') {
            end = i + c.len_utf8();
        } else if c == '日' {
            end = i + c.len_utf8();
            break;
        } else {
            break;
        }
    }
    rest.get(..end).unwrap_or("").trim_end()
}

const BIRTH: [&str; 8] = [
    "生年月日",
    "誕生日",
    "生まれ",
    "birth",
    "Birth",
    "BIRTH",
    "DOB",
    "dob",
];
const ISSUE: [&str; 7] = ["発行", "交付", "issue", "Issue", "ISSUE", "発給", "Issued"];
const PASSPORT: [&str; 6] = [
    "旅券",
    "パスポート",
    "passport",
    "Passport",
    "PASSPORT",
    "P<JPN",
];
const MYNUMBER: [&str; 6] = [
    "マイナンバー",
    "個人番号",
    "My Number",
    "my number",
    "MyNumber",
    "MY NUMBER",
];
const BANK: [&str; 6] = ["口座", "account", "Account", "ACCOUNT", "普通", "当座"];
/// Before a card number written without its groups (`カード番号：4111111111111111`,
/// `"cardNumber":"…"`, `VISA 4111…`): 13 to 19 digits that pass Luhn's check and an issuer's
/// range are one in a few dozen of such numbers (constants in code, an index's digits).
const CARD: [&str; 14] = [
    "カード",
    "クレジット",
    "card",
    "Card",
    "CARD",
    "MasterCard",
    "Mastercard",
    "VISA",
    "Visa",
    "JCB",
    "AMEX",
    "Amex",
    "Diners",
    "有効期限",
];

/// The context keyword lists, in the order of [`last_kws`]'s answer.
const KEYWORD_LISTS: [&[&str]; 6] = [&BIRTH, &ISSUE, &PASSPORT, &MYNUMBER, &BANK, &CARD];

/// The context keywords by their start: the first two bytes of an ASCII keyword, the first
/// character of a Japanese one (three bytes: two bytes would also take `田`, `日`, `名`…,
/// which share their first two bytes with `生`, `旅`, `口`). A bit per start says whether any
/// keyword begins there, then the few keywords of that start are compared. Windows are short
/// (48 or 96 bytes) and searched once per date, passport number or account candidate: a
/// general automaton cost about 16 instructions per byte there, this a table look-up per
/// character.
struct Keywords {
    /// By two-byte ASCII prefix (`x | y << 8`).
    ascii: [u64; 1 << 10],
    /// By the code point of a three-byte character.
    cjk: [u64; 1 << 10],
    by_start: Vec<(u32, Vec<Keyword>)>,
}

/// A context keyword's bytes and the index of its list in [`KEYWORD_LISTS`].
type Keyword = (&'static [u8], usize);

/// The start key at `i` (ASCII pair, or `0x10000 |` the code point of a three-byte character)
/// and the length of the character there.
#[inline]
fn kw_start(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let x = *b.get(i)?;
    if x < 0x80 {
        Some((u32::from(x) | u32::from(*b.get(i + 1)?) << 8, 1))
    } else if (0xE0..0xF0).contains(&x) {
        let (y, z) = (*b.get(i + 1)?, *b.get(i + 2)?);
        let cp = (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
        Some((0x10000 | cp, 3))
    } else {
        Some((u32::MAX, if x >= 0xF0 { 4 } else { 2 }))
    }
}

static KEYWORDS: LazyLock<Keywords> = LazyLock::new(|| {
    let mut k = Keywords {
        ascii: [0; 1 << 10],
        cjk: [0; 1 << 10],
        by_start: Vec::new(),
    };
    for (class, list) in KEYWORD_LISTS.iter().enumerate() {
        for kw in *list {
            let Some((p, _)) = kw_start(kw.as_bytes(), 0).filter(|(p, _)| *p != u32::MAX) else {
                continue;
            };
            let bits = if p < 0x10000 {
                &mut k.ascii
            } else {
                &mut k.cjk
            };
            bits[(p as usize & 0xFFFF) >> 6] |= 1 << (p & 63);
            match k.by_start.iter_mut().find(|(q, _)| *q == p) {
                Some((_, v)) => v.push((kw.as_bytes(), class)),
                None => k.by_start.push((p, vec![(kw.as_bytes(), class)])),
            }
        }
    }
    k.by_start.sort_by_key(|(p, _)| *p);
    k
});

/// The last position of any keyword of `kws` (one of the lists above) in `w`.
fn last_kw(w: &str, kws: &[&str]) -> Option<usize> {
    let want = KEYWORD_LISTS
        .iter()
        .position(|l| std::ptr::eq(l.as_ptr(), kws.as_ptr()))?;
    last_kws(w)[want]
}

/// The last start of a keyword of each list (BIRTH, ISSUE, PASSPORT, MYNUMBER, BANK, CARD) in `w`,
/// every occurrence counted (overlapping ones too), in one pass.
fn last_kws(w: &str) -> [Option<usize>; 6] {
    let mut last = [None; 6];
    let k = &*KEYWORDS;
    let b = w.as_bytes();
    // Keywords start on characters, and `w` starts on one: a step per character.
    let mut i = 0;
    while let Some((p, len)) = kw_start(b, i) {
        let at = i;
        i += len;
        let bits = if p < 0x10000 {
            &k.ascii
        } else if p != u32::MAX {
            &k.cjk
        } else {
            continue;
        };
        if bits[(p as usize & 0xFFFF) >> 6] & (1 << (p & 63)) == 0 {
            continue;
        }
        let Ok(j) = k.by_start.binary_search_by_key(&p, |(q, _)| *q) else {
            continue;
        };
        let rest = b.get(at..).unwrap_or(&[]);
        for (kw, class) in k.by_start.get(j).map_or(&[][..], |e| &e.1[..]) {
            if has_prefix(rest, kw)
                && ascii_kw_bounded(b, at, kw)
                && let Some(slot) = last.get_mut(*class)
            {
                *slot = Some(at);
            }
        }
    }
    last
}

/// Is the context keyword `kw` found at `at` in `b` a word of its own? An English keyword
/// must not be the end of a longer word (`adobe`, `GCC`) nor the start of one other than its
/// own forms: `issued` and `birthday` are keywords, `issues` (`CVE issues, fixed in the
/// 20141104 snapshot`) and `accounting` (`accounting from upstream.  Closes: #964141`) are
/// not; `issue` is one for a date only (below). Japanese keywords have no word boundaries.
#[inline(never)]
fn ascii_kw_bounded(b: &[u8], at: usize, kw: &[u8]) -> bool {
    if kw.first().is_none_or(|x| !x.is_ascii_alphabetic()) {
        return true;
    }
    if at > 0 && b.get(at - 1).is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let is = |w: &[u8]| kw.eq_ignore_ascii_case(w);
    let after = b.get(at + kw.len()..).unwrap_or(&[]);
    if is(b"issue") {
        // A problem or a newsletter's number as often (`fixed issue in …`, `the issue
        // reported on 2022-08-08`, `Newsletter II-2 issue 2010-06-30`): `issued`, `Issue
        // date`, `issue_date`, `Issue:` and `date of issue` only.
        let rest = after.strip_prefix(b" ").unwrap_or(after);
        let rest = rest.strip_prefix(b"_").unwrap_or(rest);
        return after.first() == Some(&b'd')
            || rest
                .get(..4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"date"))
            || after.first() == Some(&b':')
            || at >= 3 && b[at - 3..at].eq_ignore_ascii_case(b"of ");
    }
    match after.first() {
        // `birthday`, `birthdate`, `birthplace`; `accounts`.
        Some(x) if x.is_ascii_lowercase() => is(b"birth") || (is(b"account") && *x == b's'),
        _ => true,
    }
}

fn window(text: &str, start: usize, n: usize) -> &str {
    let mut s = start.saturating_sub(n);
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let w = text.get(s..start).unwrap_or("");
    // Context stays on the candidate's line.
    match memchr::memrchr(b'\n', w.as_bytes()) {
        Some(i) => &w[i + 1..],
        None => w,
    }
}

fn ascii_word(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Marks a name alone on its line may follow (`・山田 太郎`, `● 鈴木 花子`).
const LIST_MARKS: [char; 5] = ['・', '•', '●', '○', '■'];

/// Can a name at a line's start begin with `cp` (a kanji or a list mark)?
#[inline]
fn line_name_start(cp: u32) -> bool {
    (0x4000..=0x9FFF).contains(&cp) || matches!(cp, 0x30FB | 0x2022 | 0x25CF | 0x25CB | 0x25A0)
}

/// The start of the line whose first character other than spaces and tabs is at `i`, if it
/// is at or after `floor` (the text's start counts as a line's).
#[inline(never)]
fn line_start(b: &[u8], floor: usize, i: usize) -> Option<usize> {
    let mut j = i;
    loop {
        if j == 0 {
            return Some(0);
        }
        match b[j - 1] {
            b'\n' => return Some(j),
            b' ' | b'\t' => j -= 1,
            0x80 if j >= 3 && b[j - 3..j] == [0xE3, 0x80, 0x80] => j -= 3,
            _ => return None,
        }
        if j <= floor {
            return (j == floor && (j == 0 || b[j - 1] == b'\n')).then_some(j);
        }
    }
}

/// Whether a line whose first character (after spaces) is at `i` starts like a name: a list
/// mark and spaces if any, then either two runs of kanji (U+4000-U+9FFF) with one space
/// between them, followed by the line's end (a `\r` before it included), a space, a tab or
/// an opening bracket; or one run followed by the line's end or an opening bracket. Returns
/// the end of that; [`line_name`] judges it. A byte loop: most lines that start with a kanji
/// have a kana, a digit or a colon right after their first word (`お客様`, `電話090…`,
/// `注文番号: …`) and stop at once.
#[inline(never)]
fn name_line_end(b: &[u8], i: usize) -> Option<usize> {
    let n = b.len();
    // A kanji's lead byte (U+4000-U+9FFF), its two bytes after it in the text (UTF-8).
    let is_kanji = |j: usize| j + 2 < n && b[j].wrapping_sub(0xE4) < 6;
    let is_wide_space =
        |j: usize| j + 2 < n && b[j] == 0xE3 && b[j + 1] == 0x80 && b[j + 2] == 0x80;
    let mut j = i;
    if !is_kanji(j) {
        // A list mark, then spaces.
        j += 3;
        loop {
            if b.get(j) == Some(&b' ') {
                j += 1;
            } else if is_wide_space(j) {
                j += 3;
            } else {
                break;
            }
        }
    }
    let start = j;
    while is_kanji(j) {
        j += 3;
    }
    if j == start {
        return None;
    }
    let first = j;
    // What may follow a name: the line's end, a space, a tab or an opening bracket.
    let end_at = |j: usize| match b.get(j) {
        None | Some(b'\n') => Some(j),
        Some(b'\r') if matches!(b.get(j + 1), None | Some(b'\n')) => Some(j + 1),
        Some(b' ' | b'\t' | b'(') => Some(j + 1),
        // A full-width space or bracket.
        Some(0xE3) if is_wide_space(j) => Some(j + 3),
        Some(0xEF) if b.get(j + 1..j + 3) == Some(&[0xBC, 0x88]) => Some(j + 3),
        _ => None,
    };
    // The given name after one space, if what follows it may follow a name (`山本 良宜,…` is
    // a row of a CSV).
    let gap = if b.get(first) == Some(&b' ') {
        1
    } else if is_wide_space(first) {
        3
    } else {
        0
    };
    if gap > 0 {
        let mut k = first + gap;
        while is_kanji(k) {
            k += 3;
        }
        if k > first + gap
            && let Some(e) = end_at(k)
        {
            return Some(e);
        }
        // A name without a space (`田中一郎`) alone on its line, before its reading, or before
        // a value that starts the rest of a row (`田中一郎 090-1234-5678`); the first word of
        // any other row is any word (`管理番号 5920…` is judged, `接続元 192.…` too, by
        // the dictionary).
        return no_space_name(start, first)
            .then(|| value_after(b, first + gap))
            .flatten();
    }
    match b.get(first) {
        Some(b'\t') => no_space_name(start, first)
            .then(|| value_after(b, first + 1))
            .flatten(),
        _ => end_at(first),
    }
}

/// Can the kanji from `start` to `end` (bytes) be a full name without a space: three to six
/// kanji (`林一郎`, `長谷川由美子`; `在庫 447` is two).
#[inline]
fn no_space_name(start: usize, end: usize) -> bool {
    (9..=18).contains(&(end - start))
}

/// Whether a value starts at `k` (what may follow a name without a space in a row): a digit,
/// `+`, `〒`, a full-width digit or `＋`, or `(` and a digit (a phone), or an e-mail's local
/// part and its `@`. Returns the end of what was looked at.
fn value_after(b: &[u8], k: usize) -> Option<usize> {
    match *b.get(k..)? {
        [b'0'..=b'9' | b'+', ..] => Some(k + 1),
        [b'(', b'0'..=b'9', ..] => Some(k + 2),
        // 〒, ０-９, ＋.
        [0xE3, 0x80, 0x92, ..] | [0xEF, 0xBC, 0x90..=0x99 | 0x8B, ..] => Some(k + 3),
        _ => {
            let local = b[k..]
                .iter()
                .take_while(|c| value::email_local_byte(**c))
                .count();
            (local > 0 && b.get(k + local) == Some(&b'@')).then_some(k + local + 1)
        }
    }
}

/// The largest character boundary of `text` at or below `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A full name at the start of a line: alone on it, as rosters, attendee lists and the cells
/// that a PDF gives as lines hold it (`山田 太郎`, `・鈴木　花子`, `田中一郎`), or before the
/// rest of a row after a space (`山田 太郎 090-1234-5678 taro@…`, `山田 太郎 営業部`), with a
/// reading in brackets after it if any (`山田 太郎（ヤマダ タロウ）`). The name must be a
/// family and a given name the dictionary knows, with a space between them, or four kanji at
/// least without one ([`value::full_name_kanji`]). An honorific after it is left to that rule
/// (`山田 太郎 様（ヤマダ タロウ）`), and a line whose first word runs into something else
/// (`氏名 山田 太郎`, `山田太郎から`) is no name. `seg` runs from the line's start to its
/// end; returns the end of what was taken (within `seg`).
#[inline(never)]
fn line_name(seg: &str, tally: &mut Tally) -> Option<usize> {
    let spaces = [' ', '\u{3000}'];
    let blank = [' ', '\t', '\u{3000}', '\r', '\n'];
    let body = seg
        .trim_start_matches(blank)
        .trim_start_matches(LIST_MARKS)
        .trim_start_matches(spaces);
    let lead = seg.len() - body.len();
    let run = |t: &str| {
        t.char_indices()
            .find(|(_, c)| !value::is_kanji_char(*c))
            .map_or(t.len(), |(i, _)| i)
    };
    // Family name, then one space and the given name if there is one.
    let a = run(body);
    let mut n = a;
    if let Some(sp) = body[a..].chars().next().filter(|c| spaces.contains(c)) {
        let b = run(&body[a + sp.len_utf8()..]);
        if b > 0 {
            n = a + sp.len_utf8() + b;
        }
    }
    let name = &body[..n];
    if a == 0 || name.len() > 48 {
        return None;
    }
    // Most rows that start with a word and a number start with no name (`管理番号 5920…`):
    // its first and last characters say so before any look-up.
    if n == a
        && !name
            .chars()
            .next()
            .zip(name.chars().next_back())
            .is_some_and(|(x, z)| crate::tables::NAMES_DICT.may_be_full_name(x, z))
    {
        return None;
    }
    // A reading in brackets right after (or after a space).
    let mut end = n;
    let mut reading = None;
    let after = body[n..].trim_start_matches(spaces);
    if let Some(open) = after.chars().next().filter(|c| matches!(c, '(' | '（')) {
        let inner = &after[open.len_utf8()..];
        let close = inner.find([')', '）'])?;
        reading = Some(&inner[..close]);
        let closing = inner[close..].chars().next().map_or(1, char::len_utf8);
        end = body.len() - inner.len() + close + closing;
    }
    // Then the line's end, or a space and the rest of the row (no honorific). A name without
    // a space must be alone on its line (and four kanji at least: `林一郎` alone may be any
    // word), or start a row with a value (`林一郎 090-…`; `管理番号 5920…` is no name
    // the dictionary knows).
    let rest = &body[end..];
    let rest_t = rest.trim_start_matches(blank);
    let before_value = rest_t.len() < rest.len() && value_after(rest_t.as_bytes(), 0).is_some();
    if n == a && !before_value && (!rest_t.is_empty() || name.chars().count() < 4) {
        return None;
    }
    if !rest_t.is_empty()
        && (rest_t.len() == rest.len() || HONORIFICS.iter().any(|h| rest_t.starts_with(h)))
    {
        return None;
    }
    if !value::full_name_kanji(name) {
        return None;
    }
    tally.add(Category::NameKanji, name, &name_key(name));
    if let Some(r) = reading.map(value::trim)
        && value::name_kana(r)
    {
        tally.add(Category::NameKana, r, &crate::tables::katakana(r));
        return Some(lead + end);
    }
    // A bracket that holds no reading is searched as any text (`山田 太郎（03-1234-5678）`).
    Some(lead + n)
}

/// Scans free text, adding what it finds to `tally`.
pub fn scan(text: &str, tally: &mut Tally) {
    // Percent-encoded query strings and form bodies (web server and proxy logs), `\uXXXX`
    // and `\xHH` escapes (JSON and Python logs) are read decoded.
    // SQL `INSERT`s in logs are read with each value after its column's name.
    let decoded = crate::kv::decode_escapes(text);
    let text = decoded.as_deref().unwrap_or(text);
    let inserts = crate::sql::labelled_inserts(text);
    let text = inserts.as_deref().unwrap_or(text);
    // Hibernate's binds, a line each after their statement, labelled by its columns.
    match crate::sql::labelled_binds(text) {
        Some(labelled) => scan_decoded(&labelled, tally),
        None => scan_decoded(text, tally),
    }
}

/// [`scan`] after encoded values were decoded and `INSERT`s labelled.
fn scan_decoded(text: &str, tally: &mut Tally) {
    let bytes = text.as_bytes();
    // End of the last value taken by hand: matches inside it were already judged.
    let mut consumed = 0;
    let mut pos = 0;
    let mut cands = Candidates::default();
    // The other part of a split name joined to the part before it: its start and end.
    let mut joined: Option<(usize, usize)> = None;
    while let Some((s, mut e, kind)) = cands.next(text, pos) {
        pos = e;
        if s < consumed {
            // A candidate that began inside the value taken by hand and runs past it (the
            // number from `1-1` on in `東京都千代田区千代田1-1 03-1234-5678`): search again
            // from the value's end, so what follows it is still judged.
            if e > consumed {
                pos = consumed;
            }
            continue;
        }
        if kind == Kind::LineStart {
            // A line a name may start: the search goes on after the name when it is one;
            // else from the line's first character (a literal there when spaces came first),
            // or after it (its literals were tried).
            // The line's end, or enough of a long line for a name, its reading and what
            // follows them.
            let window = floor_char(text, (s + 256).min(bytes.len()));
            let line_end =
                memchr::memchr(b'\n', &bytes[e.min(window)..window]).map_or(window, |k| e + k);
            if let Some(end) = text.get(s..line_end).and_then(|l| line_name(l, tally)) {
                consumed = s + end;
                pos = s + end;
            } else {
                let line = text.get(s..e).unwrap_or("");
                let first = s + line.len() - line.trim_start_matches([' ', '\t', '\u{3000}']).len();
                pos = if first == s { s + 3 } else { first };
            }
            continue;
        }
        // Where a value before this candidate may start (an honorific's name).
        let floor = consumed;
        let Some(tok) = text.get(s..e) else {
            break;
        };
        // The end of the literal (a keyword's value may be none: the search goes on there).
        let literal_end = e;
        // An English label is a word of its own, and a mail header's has its colon.
        let mut strict_value = kind == Kind::Role;
        if matches!(kind, Kind::Keyword | Kind::MailKeyword) && tok.as_bytes()[0].is_ascii() {
            match english_label(bytes, s, e, kind) {
                Some(strict) => strict_value |= strict,
                None => continue,
            }
        }
        // Alternatives matched by their start only: take the value by hand.
        // Two words (a family and a given name); three after a role, whose name may follow a
        // company (`依頼人 株式会社山田商事 山田 太郎`).
        let keyword = |e: usize, words: usize| {
            let after = text.get(e..).unwrap_or("");
            let sep = after.len() - after.trim_start_matches(KEYWORD_SEPARATORS).len();
            sep + extend(text, e + sep, 40, words).len()
        };
        match kind {
            Kind::Postal => e += extend(text, e, 10, 1).len(),
            Kind::Pref => e += unopened_close(extend(text, e, 60, 1)).len(),
            // A keyword's value stops where an e-mail starts (`To: eigyo@…`), which is
            // judged as one.
            Kind::Keyword | Kind::Role | Kind::MailKeyword => {
                let before_keyword = || {
                    let v = (e + keyword_separators(text, e)).min(bytes.len());
                    VALUE_KEYWORDS
                        .iter()
                        .any(|k| has_prefix(&bytes[v..], k.as_bytes()))
                };
                if kind != Kind::MailKeyword || !before_keyword() {
                    e += keyword(e, if kind == Kind::Role { 3 } else { 2 });
                }
                if let Some((m, _, _)) = cands.email.next {
                    e = e.min(m.max(s + tok.len()));
                }
            }
            // `Name@example.com`: the keyword rule ran first in the old pattern's order.
            Kind::Email if is_keyword_value(tok) => e += keyword(e, 2),
            Kind::Era => e += extend_era(text, e).len(),
            Kind::Upper if tok.ends_with(['年', '.', '．', '/', '／']) => {
                e += extend_era(text, e).len();
            }
            _ => {}
        }
        let tok = text.get(s..e).unwrap_or(tok);
        consumed = e;
        let before = s.checked_sub(1).and_then(|i| bytes.get(i).copied());
        let after = bytes.get(e).copied();
        // A value taken by hand that runs into an `@` is judged as an e-mail.
        let kind = match kind {
            Kind::Postal | Kind::Pref | Kind::Keyword | Kind::Role | Kind::MailKeyword
                if memchr::memchr(b'@', tok.as_bytes()).is_some() =>
            {
                Kind::Email
            }
            k => k,
        };
        match kind {
            Kind::Number => {
                // After a colon only when a label ends there (`TEL:03-1234-5678`), not a
                // number (`10:23`, `::1`).
                let colon_after_number = before == Some(b':')
                    && s.checked_sub(2)
                        .and_then(|i| bytes.get(i))
                        .is_none_or(|b| b.is_ascii_digit() || *b == b':');
                if ascii_word(before)
                    || matches!(before, Some(b'-' | b'.' | b'/' | b'_'))
                    || colon_after_number
                    || ascii_word(after)
                {
                    continue;
                }
                // An area code in brackets (`(03)1234-5678`): the number starts at the bracket
                // (the finder starts numbers at digits), so the sample shows it.
                let (s, tok) = match s.checked_sub(1).and_then(|i| bytes.get(i)) {
                    Some(b'(') if tok.contains(')') => (s - 1, &text[s - 1..e]),
                    _ => (s, tok),
                };
                if !number(text, s, tok, tally) && tok.contains(' ') {
                    let mut off = 0;
                    for part in tok.split(' ') {
                        if part.len() >= 6 {
                            number(text, s + off, part, tally);
                        }
                        off += part.len() + 1;
                    }
                }
            }
            Kind::Email => {
                if value::email(tok) {
                    tally.add_upper(Category::Email, tok, tok);
                }
            }
            Kind::Upper if tok.len() == 9 && value::passport_number(tok) => {
                // MRZ line 2: number, check digit, nationality (`TK12345674JPN…`).
                let mrz = !ascii_word(before)
                    && bytes.get(e..e + 4).is_some_and(|r| {
                        (r[0].is_ascii_digit() || r[0] == b'<') && r[1..] == *b"JPN"
                    });
                if !mrz && (ascii_word(before) || ascii_word(after)) {
                    continue;
                }
                if mrz || last_kw(window(text, s, WINDOW * 2), &PASSPORT).is_some() {
                    tally.add(Category::PassportNumber, tok, tok);
                }
                if mrz && let Some(end) = mrz_rest(text, s, tally) {
                    consumed = end;
                }
            }
            Kind::Upper if tok == "DOCS" => {
                if let Some(end) = docs(text, e, tally) {
                    consumed = end;
                }
            }
            Kind::Upper => {
                if ascii_word(before) {
                    continue;
                }
                date(text, s, tok, None, tally);
            }
            Kind::Era => {
                date(text, s, tok, None, tally);
            }
            Kind::Postal => {
                if let Some(code) = value::postal_code(tok)
                    && !ascii_word(after)
                {
                    tally.add(Category::PostalCode, tok, tok);
                    // `〒100-0001 千代田区千代田1-1`: the address after the code may lack its
                    // prefecture; the code says where it is.
                    if let Some(end) = address_after(text, e, Some(code), tally) {
                        consumed = end;
                    }
                }
            }
            Kind::AddressKeyword => {
                if let Some(end) = address_after(text, e, None, tally) {
                    consumed = end;
                }
            }
            Kind::Pref => {
                let postal = nearby_postal(text, s, e);
                if value::address(tok, postal) {
                    tally.add(Category::Address, tok, tok);
                }
            }
            Kind::Keyword | Kind::Role | Kind::MailKeyword => {
                consumed = keyword_value(text, e, tok, strict_value, tally).unwrap_or(literal_end);
            }
            Kind::Honorific => {
                if let Some(end) = honorific(text, floor, s, e, tally) {
                    consumed = end;
                }
            }
            Kind::AsciiKey => {
                // The other part of a split name, already joined to its partner.
                if let Some((_, end)) = joined.filter(|(at, _)| *at == s) {
                    consumed = end;
                    continue;
                }
                let (end, partner) = ascii_value(text, s, tally);
                consumed = end.unwrap_or(s);
                if partner.is_some() {
                    joined = partner;
                }
            }
            Kind::LineStart => {}
        }
    }
}

/// The passenger data an airline booking holds in its `SSR DOCS` element (APIS: Amadeus'
/// `SSR DOCS JL HK1 P/JPN/TK1234567/JPN/12APR80/M/01JUN25/YAMADA/TARO-1.1`, Sabre's
/// `3DOCS/P/…`, Galileo's `SSRDOCSJLHK1/P/…`; Secure Flight's `DOCS/DB/12APR1980/M/YAMADA/
/// TARO`), after `DOCS` at `e`: the passport number, birth date, gender and name at their
/// places, counted as such (the name whether the dictionary knows it or not: the place says
/// it is one). Returns the end of what was taken.
#[cold]
#[inline(never)]
fn docs(text: &str, e: usize, tally: &mut Tally) -> Option<usize> {
    let b = text.as_bytes();
    let max = (e + 240).min(b.len());
    let line_end = memchr::memchr(b'\n', b.get(e..max)?).map_or(max, |k| e + k);
    let line = b.get(e..line_end)?;
    // The document's type after the carrier and the status (`JL HK1 `, `/`).
    let start = (0..line.len().min(24)).find(|&k| {
        (k == 0 || matches!(line[k - 1], b' ' | b'/'))
            && (line[k..].starts_with(b"P/") || line[k..].starts_with(b"DB/"))
    })?;
    let at = e + start;
    let rest = text.get(at..line_end)?;
    let mut f = rest.split('/');
    let doc = f.next()?;
    let upper3 =
        |s: &str| s.is_empty() || s.len() == 3 && s.bytes().all(|c| c.is_ascii_uppercase());
    let number = if doc == "P" {
        let (issuer, number, nationality) = (f.next()?, f.next()?, f.next()?);
        let ok = (5..=15).contains(&number.len())
            && number
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && number.bytes().any(|c| c.is_ascii_digit());
        if !upper3(issuer) || !upper3(nationality) || !ok {
            return None;
        }
        Some(number)
    } else {
        None
    };
    let (birth, gender) = (f.next()?, f.next()?);
    if !docs_date(birth) || !matches!(gender, "M" | "F" | "MI" | "FI" | "U" | "X") {
        return None;
    }
    let mut end = offset_in(text, gender) + gender.len();
    if doc == "P" {
        // The passport's expiry (no category of its own).
        let expiry = f.next()?;
        end = offset_in(text, expiry) + expiry.len();
    }
    let surname = f.next().unwrap_or("");
    // The given name ends at the passenger's number (`-1.1`) or the next field.
    let given = f.next().unwrap_or("");
    let given = given.split('-').next().unwrap_or("").trim_end();
    let name_part = |s: &str| {
        !s.is_empty() && s.len() <= 40 && s.bytes().all(|c| c.is_ascii_alphabetic() || c == b' ')
    };
    if let Some(n) = number {
        tally.add(Category::PassportNumber, n, n);
    }
    tally.add(Category::BirthDate, birth, birth);
    tally.add(Category::Gender, gender, gender);
    if name_part(surname) && name_part(given) {
        let from = offset_in(text, surname);
        let until = offset_in(text, given) + given.len();
        if let Some(v) = text.get(from..until) {
            tally.add_upper(Category::NameRomaji, v, &format!("{surname} {given}"));
            end = until;
        }
    }
    Some(end)
}

/// The rest of a passport's machine-readable zone (ICAO 9303, TD3) whose second line starts
/// at `s` with the passport number (`TK12345674JPN8004125M2506013<<<<<<<<<<<<<<06`): the birth
/// date and sex at their places, each with its check digit, and the name on the line above
/// (`P<JPNYAMADA<<TARO<<<…`), as a passport scanned and read by OCR gives them. Returns the end
/// of the line.
#[cold]
#[inline(never)]
fn mrz_rest(text: &str, s: usize, tally: &mut Tally) -> Option<usize> {
    let line = text.as_bytes().get(s..s + 44)?;
    let value = |c: u8| match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    };
    let check = |field: &[u8], digit: u8| {
        let mut sum = 0;
        for (i, c) in field.iter().enumerate() {
            let Some(v) = value(*c) else { return false };
            sum += v * [7, 3, 1][i % 3];
        }
        digit.is_ascii_digit() && sum % 10 == u32::from(digit - b'0')
    };
    if !check(&line[..9], line[9]) || !check(&line[13..19], line[19]) {
        return None;
    }
    let birth = text.get(s + 13..s + 19)?;
    let (mm, dd) = (&birth[2..4], &birth[4..6]);
    if !("01"..="12").contains(&mm) || !("01"..="31").contains(&dd) {
        return None;
    }
    tally.add(Category::BirthDate, birth, birth);
    if let Some(sex @ ("M" | "F")) = text.get(s + 20..s + 21) {
        tally.add(Category::Gender, sex, sex);
    }
    // The line above: `P<` (or `PP`, `PE` …), the issuing state, then `SURNAME<<GIVEN<NAMES`.
    let above_end = text
        .get(..s)?
        .trim_end_matches([' ', '\r'])
        .strip_suffix('\n')?;
    let above = above_end.rsplit('\n').next()?.trim_matches([' ', '\r']);
    if above.len() == 44 && above.starts_with('P') {
        let names = above.get(5..)?.trim_end_matches('<');
        if let Some((surname, given)) = names.split_once("<<")
            && !surname.is_empty()
            && !given.is_empty()
            && names.bytes().all(|c| c.is_ascii_uppercase() || c == b'<')
        {
            let name = format!("{} {}", surname.replace('<', " "), given.replace('<', " "));
            tally.add_upper(Category::NameRomaji, &name, &name);
        }
    }
    Some(s + 44)
}

/// A date as airlines write it (`12APR80`, `12APR1980`): day, month, year.
fn docs_date(s: &str) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV",
        b"DEC",
    ];
    let b = s.as_bytes();
    if !matches!(b.len(), 7 | 9) || !b[..2].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let day = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    (1..=31).contains(&day) && MONTHS.contains(&&b[2..5]) && b[5..].iter().all(u8::is_ascii_digit)
}

/// A value after an ASCII label at `s` ([`crate::kv`]: `name=山田 太郎`, `"sex":"F"`), counted
/// when it is what the label says. A family or a given name is joined to the other part
/// when its label follows on the same line (`sei=山田&mei=太郎`) and counted once. Returns
/// the end of what was taken, and the span of the other part when one was joined (the scan
/// skips it when it gets there).
#[inline(never)]
fn ascii_value(text: &str, s: usize, tally: &mut Tally) -> (Option<usize>, Option<(usize, usize)>) {
    let b = text.as_bytes();
    // The finder's kind holds no label (a fieldless kind keeps its comparisons cheap).
    let Some((key, quote)) = crate::kv::key_before(b, s) else {
        return (None, None);
    };
    let value_at = |i: usize, quote| crate::kv::value_at(text, i, quote, extend(text, i, 40, 2));
    let v = value_at(s, quote);
    match key {
        Key::Gender => {
            let g = v
                .split([' ', '\u{3000}'])
                .next()
                .unwrap_or("")
                .trim_end_matches(['.', '。', '、', '．']);
            if !value::gender(g) {
                return (None, None);
            }
            tally.add(Category::Gender, g, g);
            (Some(s + g.len()), None)
        }
        Key::Name => (name_at(text, s, v, false, tally), None),
        Key::Person => (
            name_at(text, s, v, true, tally).map(|e| more_names(text, e, tally)),
            None,
        ),
        Key::Family | Key::Given => {
            let want = if key == Key::Family {
                Key::Given
            } else {
                Key::Family
            };
            let part = name_words(v);
            if !part.is_empty()
                && let Some((j, q)) = crate::kv::partner(text, s + v.len(), want)
            {
                let w = value_at(j, q);
                let other = name_words(w);
                let joined = if key == Key::Family {
                    format!("{part} {other}")
                } else {
                    format!("{other} {part}")
                };
                if !other.is_empty() && count_name(&joined, None, false, tally).is_some() {
                    return (Some(s + v.len()), Some((j, j + w.len())));
                }
            }
            (name_at(text, s, v, false, tally), None)
        }
    }
}

/// Last characters of an organisation's or a post's name, which a name may follow without a
/// space (`営業部鈴木一郎様`, `株式会社山田太郎様`).
const ORG_ENDS: [char; 12] = [
    '部', '課', '係', '室', '店', '社', '所', '局', '科', '院', '校', '会',
];

/// A full name right before the honorific at `s..e` (`山田太郎様`, `山田 太郎 様`), not
/// before `floor`, with its reading in brackets before or after the honorific
/// (`山田太郎（ヤマダタロウ）様`, `山田 太郎 様（ヤマダ タロウ）`). Only a name whose family and
/// given name are both in the dictionary counts: `お客様`, `皆様`, `仕様` and a lone family
/// name do not. Returns the end of what was taken.
#[inline(never)]
fn honorific(text: &str, floor: usize, s: usize, e: usize, tally: &mut Tally) -> Option<usize> {
    let spaces = [' ', '\u{3000}'];
    let before = text.get(floor..s)?.trim_end_matches(spaces);
    let bracketed = |t: &str| -> Option<(usize, usize)> {
        // `t` ends with a closing bracket: the span of what is inside.
        let close = t.chars().next_back().filter(|c| matches!(c, ')' | '）'))?;
        let inner_end = t.len() - close.len_utf8();
        let open = t[..inner_end].rfind(['(', '（'])?;
        let open_len = t[open..].chars().next()?.len_utf8();
        Some((open + open_len, inner_end))
    };
    let (name_part, mut reading) = match bracketed(before) {
        Some((a, b)) if b - a <= 48 => (
            before[..a]
                .trim_end_matches(['(', '（'])
                .trim_end_matches(spaces),
            Some(&before[a..b]),
        ),
        _ => (before, None),
    };
    // The run of name characters (and one space between the parts) before the honorific,
    // at most 12 characters; the longest of its tails that is a full name.
    let mut start = name_part.len();
    let mut kanji = 0;
    for (i, c) in name_part.char_indices().rev().take(12) {
        if !(value::is_kanji_char(c) || value::is_kana_char(c) || spaces.contains(&c)) {
            break;
        }
        kanji += usize::from(value::is_kanji_char(c));
        start = i;
    }
    // A family and a given name hold two kanji at least (`お客様`, `皆様` stop here).
    if kanji < 2 {
        return None;
    }
    let run = &name_part[start..];
    // A name starts the run, or follows a space, a kana (`担当の`) or the last kanji of an
    // organisation (`営業部`, `株式会社`); not any kanji (`東京大学様` holds no `京大学`).
    let mut prev = None;
    let name = run
        .char_indices()
        .filter(|(_, c)| {
            let p = prev.replace(*c);
            (value::is_kanji_char(*c) || value::is_kana_char(*c))
                && p.is_none_or(|p: char| !value::is_kanji_char(p) || ORG_ENDS.contains(&p))
        })
        .map(|(i, _)| &run[i..])
        .find(|t| value::full_name_kanji(t))?;
    tally.add(Category::NameKanji, name, &name_key(name));
    let mut end = e;
    // A bracket after the honorific is taken only when it holds the reading: else it is
    // searched as any text (`山田太郎様（東京都千代田区…、電話03-…）`).
    let mut reading_end = None;
    if reading.is_none() {
        let after = text.get(e..)?;
        let after_t = after.trim_start_matches(spaces);
        if after_t.starts_with(['(', '（'])
            && let Some(close) = after_t.find([')', '）'])
            && close <= 60
        {
            let open_len = after_t.chars().next().map_or(1, char::len_utf8);
            reading = after_t.get(open_len..close);
            reading_end = Some(e + (after.len() - after_t.len()) + close);
        }
    }
    if let Some(r) = reading.map(value::trim)
        && value::name_kana(r)
    {
        let k = crate::tables::katakana(r);
        tally.add(Category::NameKana, r, &k);
        end = reading_end.unwrap_or(end);
    }
    Some(end)
}

/// Is the number `tok` at `s` in `text` a function's argument (`format_time(342342342342345)` in a
/// server's documentation): a `(` right before it, a name's letter or `_` before that?
fn call_argument(text: &str, s: usize, tok: &str) -> bool {
    let b = text.as_bytes();
    // The bracket may open the token (a phone's `(03)` shape).
    let s = s + usize::from(tok.starts_with('('));
    s >= 2
        && b.get(s - 1) == Some(&b'(')
        && b.get(s - 2)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Is the postal code at `s..e`, written without its `〒`, in a Japanese context: a Japanese
/// character on its line, or a postal code's or an address's English label before it
/// (`zip=100-0001`, `Address: 100-0001 Tokyo`)? One in eighty `NNN-NNNN` is a code Japan
/// Post uses: in English text the shape says a local phone number as often
/// (`"Daniel" => "798-1364"`).
#[inline(never)]
fn japanese_context(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let start = memchr::memrchr(b'\n', &b[..s]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &b[e..]).map_or(b.len(), |i| e + i);
    if !b[start..end].is_ascii() {
        return true;
    }
    let w = window(text, s, WINDOW).as_bytes();
    ["zip", "postal", "post code", "postcode", "address"]
        .iter()
        .any(|k| {
            w.windows(k.len())
                .any(|x| x.eq_ignore_ascii_case(k.as_bytes()))
        })
}

/// Does the card number `tok` at `s` (valid by itself) stand as one? Written in its groups
/// (`4111 1111 1111 1111`, `4111-1111-1111-1111`), when it is not a slice of a longer run
/// of numbers (`527D 5282 5281 5290 5293` in a table of code points); written without them,
/// after a card's keyword ([`CARD`]) only.
#[inline(never)]
fn card_here(text: &str, s: usize, tok: &str, x: &value::Digits) -> bool {
    if x.groups().len() == 1 {
        return last_kw(window(text, s, WINDOW), &CARD).is_some();
    }
    let b = text.as_bytes();
    // A word with a digit in it right before or after, across one space or hyphen.
    let numeric = |w: &mut dyn Iterator<Item = &u8>| {
        w.take_while(|c| c.is_ascii_alphanumeric())
            .any(u8::is_ascii_digit)
    };
    let e = s + tok.len();
    let sep = |k: Option<usize>| {
        k.and_then(|k| b.get(k))
            .is_some_and(|c| matches!(c, b' ' | b'-'))
    };
    !(sep(s.checked_sub(1)) && numeric(&mut b[..s - 1].iter().rev())
        || sep(Some(e)) && numeric(&mut b.get(e + 1..).unwrap_or(&[]).iter()))
}

/// SQL's operators and keywords that follow a column's name in a query (`NAME IN (…)`).
const SQL_OPERATORS: [&str; 10] = [
    "IN", "IS", "LIKE", "NOT", "AND", "OR", "AS", "BETWEEN", "ASC", "DESC",
];

/// Is the English label (`Name`, `Gender`, `Sex`, `From`, `To`, `Cc`) at `s..e` one?
/// `None` when it is part of a longer word or name (`FileName`, `pnToken`, `GCC`,
/// `SO_UPDATE_ACCEPT_CONTEXT`, `Namespace`), unless a colon follows (`customerName: …`), and for a mail
/// header's label without its colon (`To do so,`, `Add a CC to the list`, `A Handle To An
/// Open BLOB`: a mail quoted in a body keeps `From:`); else whether its value must be a full
/// name: without a colon (`Name Yamada Taro` on a scanned form, but also `set the Name to
/// use`), a single word says too little.
#[inline(never)]
fn english_label(b: &[u8], s: usize, e: usize, kind: Kind) -> Option<bool> {
    let after = b.get(e..).unwrap_or(&[]);
    let gap = after
        .iter()
        .take_while(|x| matches!(x, b' ' | b'\t'))
        .count();
    let rest = &after[gap..];
    let colon = rest.first() == Some(&b':') || rest.starts_with("：".as_bytes());
    let word = |x: &u8| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'-' | b'.');
    let glued_before = s.checked_sub(1).and_then(|k| b.get(k)).is_some_and(word);
    let glued_after = after
        .first()
        .is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_');
    if !colon && (glued_before || glued_after || kind == Kind::MailKeyword) || glued_after {
        return None;
    }
    if glued_before {
        // The whole label says whose name it is (`customerName:`, `Upstream-Name:`,
        // `hostName:`), as a log's labels do ([`crate::kv::classify`]).
        let mut label = [0u8; 40];
        let mut n = 0;
        for x in b[..e].iter().rev().take_while(|x| word(x)) {
            if x.is_ascii_alphanumeric() {
                if n == label.len() {
                    return None;
                }
                label[label.len() - 1 - n] = x.to_ascii_lowercase();
                n += 1;
            }
        }
        return match crate::kv::classify(&label[label.len() - n..])? {
            crate::kv::Key::Person => Some(true),
            _ => Some(false),
        };
    }
    Some(!colon)
}

/// What may stand between a value keyword and its value (`氏名：`, `Name: `, `氏名<TAB>` as
/// pasted from a form or a table).
const KEYWORD_SEPARATORS: [char; 5] = [' ', '\u{3000}', ':', '：', '\t'];

fn is_keyword_value(tok: &str) -> bool {
    VALUE_KEYWORDS.iter().any(|k| tok.starts_with(k))
}

/// The first `(`/`（` or `/`/`／` in `b`: its index and `b'('` or `b'/'`. By bytes, in a plain
/// loop (a keyword's value is short: memchr's set-up cost more): `（` is `EF BC 88`, `／` is
/// `EF BC 8F`.
fn split_mark(b: &[u8]) -> Option<(usize, u8)> {
    for (i, &x) in b.iter().enumerate() {
        if x != b'(' && x != b'/' && x != 0xEF {
            continue;
        }
        match (x, b.get(i + 1..i + 3)) {
            (b'(', _) | (0xEF, Some([0xBC, 0x88])) => return Some((i, b'(')),
            (b'/', _) | (0xEF, Some([0xBC, 0x8F])) => return Some((i, b'/')),
            _ => {}
        }
    }
    None
}

/// The distinct key of a kanji name found in text: as written when it has an ASCII space
/// (most do), else [`value::kanji_name_key`] (`佐藤花子` and `佐藤　花子` are `佐藤 花子`).
fn name_key(v: &str) -> std::borrow::Cow<'_, str> {
    if v.as_bytes().contains(&b' ') {
        std::borrow::Cow::Borrowed(v)
    } else {
        value::kanji_name_key(v)
    }
}

/// The first `)`/`）` (`EF BC 89`) in `b`.
fn split_mark_close(b: &[u8]) -> Option<usize> {
    b.iter()
        .enumerate()
        .position(|(i, x)| *x == b')' || (*x == 0xEF && b.get(i + 1..i + 3) == Some(&[0xBC, 0x89])))
}

/// `氏名：山田 太郎`, `性別: 女`, `参加者：高橋健一、伊藤美咲`. `tok` (the keyword and what
/// follows it, at most two words) ends at `e` in `text`. Returns the end of the value taken,
/// or `None` when there was none: what follows the keyword is then searched as any text,
/// so `氏名：山田太郎 03-1234-5678` gives the name and the phone number. `role`: the keyword is
/// one of [`ROLE_KEYWORDS`].
fn keyword_value(text: &str, e: usize, tok: &str, role: bool, tally: &mut Tally) -> Option<usize> {
    let v = tok
        .trim_start_matches(|c: char| !KEYWORD_SEPARATORS.contains(&c))
        .trim_start_matches(KEYWORD_SEPARATORS);
    let vs = e - v.len();
    // SQL's `NAME IN (…)`, `name LIKE '%…'`, `NAME IS NULL` (a query in a log, a stored
    // procedure's body): an operator after a column, not a value after a label.
    let first = v.split([' ', '\u{3000}', '(']).next().unwrap_or("");
    if !tok[..tok.len() - v.len()].contains([':', '：'])
        && SQL_OPERATORS.iter().any(|k| first.eq_ignore_ascii_case(k))
    {
        return None;
    }
    if tok.starts_with("性別") || tok.starts_with(['G', 'S']) {
        let g = v
            .split([' ', '\u{3000}'])
            .next()
            .unwrap_or("")
            .trim_end_matches(['.', '。', '、', '．']);
        if !value::gender(g) {
            return None;
        }
        tally.add(Category::Gender, g, g);
        return Some(vs + g.len());
    }
    // A role (`担当者`) says less than `氏名`: only a full name counts after it.
    let end = name_at(text, vs, v, role, tally)?;
    Some(more_names(text, end, tally))
}

/// A person's name at `vs` in `text`, where `v` (one or two words) was cut: the words before
/// a bracket or a `/` (`Name: KURODA TAKATOSHI / 氏名 …`), with a reading in brackets after
/// them (`山田 太郎（ヤマダ タロウ）`, on the same line when it runs past `v`), else the first
/// word alone (`山田太郎 03-1234-5678`). `strict`: a full name only. Counts what it finds and
/// returns the end of it (the reading's closing bracket when it was one).
fn name_at(text: &str, vs: usize, v: &str, strict: bool, tally: &mut Tally) -> Option<usize> {
    // An airline's `YAMADA/TARO MR` (the slash joins the names, a title may follow): the
    // two words, or the first.
    if v.as_bytes().first().is_some_and(u8::is_ascii_uppercase) && v.as_bytes().contains(&b'/') {
        let first = v.split([' ', '\u{3000}']).next().unwrap_or(v);
        for n in [v, first] {
            if value::airline_name(n).is_some() {
                tally.add_upper(Category::NameRomaji, n, &value::romaji_key(n));
                return Some(vs + n.len());
            }
        }
    }
    let ve = vs + v.len();
    let close_len = |b: &[u8], c: usize| if b.get(c) == Some(&b')') { 1 } else { 3 };
    let (body, reading) = match split_mark(v.as_bytes()) {
        Some((open, b'(')) => {
            let inner_at = open + if v[open..].starts_with('(') { 1 } else { 3 };
            let inner = &v[inner_at..];
            let reading = match split_mark_close(inner.as_bytes()) {
                Some(c) => Some((
                    &inner[..c],
                    vs + inner_at + c + close_len(inner.as_bytes(), c),
                )),
                None => {
                    // The rest of the reading after `v`, on the same line.
                    let rest = text.get(ve..).unwrap_or("");
                    let line = &rest.as_bytes()[..rest.len().min(48)];
                    split_mark_close(line)
                        .filter(|c| !line[..*c].contains(&b'\n'))
                        .and_then(|c| {
                            let r = text.get(vs + inner_at..ve + c)?;
                            Some((r, ve + c + close_len(line, c)))
                        })
                }
            };
            (&v[..open], reading)
        }
        Some((at, _)) => (&v[..at], None),
        None => (v, reading_after(text, ve)),
    };
    let whole = name_words(body);
    if whole.is_empty() {
        return None;
    }
    let whole_end = vs + offset_in(v, whole) + whole.len();
    if let Some(read) = count_name(whole, reading.map(|r| r.0), strict, tally) {
        return Some(match reading {
            Some((_, end)) if read => end,
            _ => whole_end,
        });
    }
    // The first of names joined by `・` (`西原 楓乃・榎本 和明`), else the first two words or
    // the first word alone (`山田太郎 03-…`); after a role, the words after the first (a
    // company or a post: `株式会社山田商事 山田 太郎`).
    let space = |t: &str| t.find([' ', '\u{3000}']);
    let p1 = space(whole);
    let p2 = p1.and_then(|a| {
        let next = a + whole[a..].chars().next().map_or(1, char::len_utf8);
        space(&whole[next..]).map(|b| next + b)
    });
    let rest = p1.map(|a| &whole[a..]);
    let parts = [
        whole.find('・').map(|k| &whole[..k]),
        p2.map(|k| &whole[..k]),
        p1.map(|k| &whole[..k]),
        rest.filter(|_| strict),
        rest.zip(p2)
            .filter(|_| strict)
            .map(|(r, k)| &whole[whole.len() - r.len()..k]),
    ];
    for part in parts.into_iter().flatten() {
        let name = name_words(part);
        if !name.is_empty() && count_name(name, None, strict, tally).is_some() {
            return Some(vs + offset_in(v, name) + name.len());
        }
    }
    None
}

/// A reading in brackets after spaces at `i`, on the same line (`佐藤 花子 (サトウ ハナコ)`,
/// which a value cut after two words leaves out): its text and the end of its closing bracket.
fn reading_after(text: &str, i: usize) -> Option<(&str, usize)> {
    let rest = text.get(i..)?;
    let r = rest.trim_start_matches([' ', '\u{3000}']);
    let open = r.chars().next().filter(|c| matches!(c, '(' | '（'))?;
    let inner = &r[open.len_utf8()..];
    let line = &inner.as_bytes()[..inner.len().min(48)];
    let close = split_mark_close(line).filter(|c| !line[..*c].contains(&b'\n'))?;
    let close_len = if line.get(close) == Some(&b')') { 1 } else { 3 };
    let start = text.len() - inner.len();
    Some((inner.get(..close)?, start + close + close_len))
}

/// `t` without white space around it, the punctuation after it and an honorific
/// (`氏名：山田太郎様`: the honorific is no part of the name).
fn name_words(t: &str) -> &str {
    let t = t.trim().trim_end_matches(['.', '。', '、', '．']);
    HONORIFICS
        .iter()
        .find_map(|h| t.strip_suffix(h))
        .map_or(t, |x| x.trim_end_matches([' ', '\u{3000}']))
}

/// Where `inner`, a part of `outer`, starts in it.
fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

/// Counts `v` when it is a name in kanji (with `reading` when that is its reading in kana),
/// in kana or in Latin letters: a full name when `strict`, else a family or a given name
/// alone too. Returns whether the reading was counted, or `None` for no name.
fn count_name(v: &str, reading: Option<&str>, strict: bool, tally: &mut Tally) -> Option<bool> {
    let kanji = if strict {
        value::full_name_kanji(v)
    } else {
        value::name_kanji(v)
    };
    if kanji {
        tally.add(Category::NameKanji, v, &name_key(v));
        if let Some(r) = reading.map(value::trim)
            && value::name_kana(r)
        {
            let k = crate::tables::katakana(r);
            tally.add(Category::NameKana, r, &k);
            return Some(true);
        }
        return Some(false);
    }
    if strict && value::full_name_kana(v) || !strict && value::name_kana(v) {
        let k = crate::tables::katakana(v);
        tally.add(Category::NameKana, v, &k);
        return Some(false);
    }
    if (strict && value::full_name_romaji(v) || !strict && value::name_romaji(v))
        && !value::english_words(v)
    {
        tally.add_upper(Category::NameRomaji, v, &value::romaji_key(v));
        return Some(false);
    }
    None
}

/// The names listed after the first one, which ends at `end` (`参加者：高橋健一、伊藤美咲、渡辺大輔`,
/// `To: 山田 太郎 <taro@…>, 佐藤 花子 <hanako@…>`): after `、`, `，`, `,` or `・`, each a full
/// name, with an honorific or an address in angle brackets between them. Returns the end of
/// the last name taken before any such address (the scan still has to judge it).
fn more_names(text: &str, end: usize, tally: &mut Tally) -> usize {
    const SEPARATORS: [&str; 4] = ["、", "，", ",", "・"];
    let spaces = [' ', '\u{3000}'];
    let (mut end, mut at, mut gap) = (end, end, false);
    for _ in 0..MAX_LISTED_NAMES {
        let Some(rest) = text.get(at..) else {
            break;
        };
        let mut r = rest.trim_start_matches(spaces);
        if let Some(h) = HONORIFICS.iter().find(|h| r.starts_with(**h)) {
            r = r[h.len()..].trim_start_matches(spaces);
        }
        if r.starts_with('<')
            && let Some(k) = r.find('>').filter(|k| *k < 100 && !r[..*k].contains('\n'))
        {
            r = r[k + 1..].trim_start_matches(spaces);
            gap = true;
        }
        let Some(sep) = SEPARATORS.iter().find(|s| r.starts_with(**s)) else {
            break;
        };
        let after = r[sep.len()..].trim_start_matches(spaces);
        let start = text.len() - after.len();
        let v = extend(text, start, 24, 2);
        let Some(e) = name_at(text, start, v, true, tally) else {
            break;
        };
        at = e;
        if !gap {
            end = e;
        }
    }
    end
}

/// Names counted in one list after a keyword: a bound on the work a crafted line can cause.
const MAX_LISTED_NAMES: usize = 64;

/// The length of the separators after a keyword ending at `e` (`：`, ` `, tab).
fn keyword_separators(text: &str, e: usize) -> usize {
    let after = text.get(e..).unwrap_or("");
    after.len() - after.trim_start_matches(KEYWORD_SEPARATORS).len()
}

/// An address without its prefecture right after `e` (the end of `〒` and its code, or of
/// `住所`), past separators: counted, and the end of what was taken returned. An address
/// that starts with its prefecture is left to the prefecture's candidate.
#[inline(never)]
fn address_after(text: &str, e: usize, postal: Option<u32>, tally: &mut Tally) -> Option<usize> {
    // Past the separators (`KEYWORD_SEPARATORS`, by bytes: this runs after every code).
    let b = text.as_bytes();
    let mut start = e;
    loop {
        match b.get(start..) {
            Some([b' ' | b':' | b'\t', ..]) => start += 1,
            Some([0xE3, 0x80, 0x80, ..] | [0xEF, 0xBC, 0x9A, ..]) => start += 3,
            _ => break,
        }
    }
    // A municipality starts with a kanji or kana (`千代田区`, `さいたま市`); most of what
    // follows a code or `Address:` does not, or starts with a prefecture (`愛知県…`).
    let rest = text.get(start..)?;
    let first = rest.chars().next()?;
    if !(value::is_kanji_char(first) || value::is_kana_char(first))
        || crate::tables::prefecture_prefix(rest).is_some()
    {
        return None;
    }
    let v = unopened_close(extend(text, start, 60, 1));
    let end = start + v.len();
    let postal = postal.or_else(|| nearby_postal(text, e, end));
    if value::address_without_prefecture(v, postal) {
        tally.add(Category::Address, v, v);
        return Some(end);
    }
    None
}

/// A postal code within a short distance of an address (for the cross-check).
fn nearby_postal(text: &str, s: usize, e: usize) -> Option<u32> {
    let w = window(text, s, 24);
    let mut end = (e + 24).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    let after = text.get(e..end).unwrap_or("");
    for part in [w, after] {
        // Tokens of ASCII digits, `-` and `〒` (`E3 80 92`), byte by byte; a code has at
        // least seven bytes.
        let b = part.as_bytes();
        let (mut i, mut start) = (0, 0);
        loop {
            let len = match b.get(i) {
                Some(x) if x.is_ascii_digit() || *x == b'-' => 1,
                Some(0xE3) if b.get(i + 1..i + 3) == Some(&[0x80, 0x92]) => 3,
                _ => 0,
            };
            if len > 0 {
                i += len;
                continue;
            }
            if i - start >= 7
                && let Some(c) = part.get(start..i).and_then(value::postal_code)
            {
                return Some(c);
            }
            if i >= b.len() {
                break;
            }
            i += 1;
            start = i;
        }
    }
    None
}

/// A date: birth or issue by the nearest keyword before it. `parsed` is the date when the
/// caller already parsed `tok`.
fn date(text: &str, s: usize, tok: &str, parsed: Option<value::Ymd>, tally: &mut Tally) -> bool {
    let w = window(text, s, WINDOW);
    let kws = last_kws(w);
    // A keyword with a number after it belongs to that number: `生年月日 1988年7月7日 入社日
    // 2012年4月1日` holds one birth date.
    let own = |k: Option<usize>| k.filter(|i| !has_digit(w.as_bytes().get(*i..).unwrap_or(&[])));
    let cat = match (own(kws[0]), own(kws[1])) {
        (Some(b), Some(i)) if i > b => Category::PassportIssueDate,
        (Some(_), _) => Category::BirthDate,
        (None, Some(_)) => Category::PassportIssueDate,
        (None, None) if born_after(text, s + tok.len()) => Category::BirthDate,
        // `旅券番号：TK1234567（2015年6月1日発行）`: issued, after a passport's keyword.
        (None, None) if kws[2].is_some() && issued_after(text, s + tok.len()) => {
            Category::PassportIssueDate
        }
        (None, None) => return false,
    };
    let Some(d) = parsed.or_else(|| value::date(tok)) else {
        return false;
    };
    // The ranges of `value::birth_date` and `value::issue_date`.
    let ok = match cat {
        Category::BirthDate => (1900..=2026).contains(&d.0),
        _ => (1990..=value::MAX_YEAR).contains(&d.0),
    };
    if ok {
        tally.add(cat, tok, tok);
    }
    ok
}

/// Does `b` hold a digit (ASCII, or full-width: `EF BC 90`..`99`)?
fn has_digit(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, x)| {
        x.is_ascii_digit()
            || (*x == 0xEF
                && b.get(i + 1) == Some(&0xBC)
                && b.get(i + 2).is_some_and(|z| (0x90..=0x99).contains(z)))
    })
}

/// Is the date ending at `e` marked as a birth date after it (`1980年4月12日生まれ`,
/// `（昭和55年4月12日生）`)? `生` alone must end the word: `4月1日生産分` is no birth date.
fn born_after(text: &str, e: usize) -> bool {
    let rest = text.get(e..).unwrap_or("");
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    match rest.strip_prefix('生') {
        Some(r) => {
            r.starts_with("まれ")
                || r.chars()
                    .next()
                    .is_none_or(|c| !(value::is_kanji_char(c) || value::is_kana_char(c)))
        }
        None => false,
    }
}

/// Is the date ending at `e` marked as an issue date after it (`2015年6月1日発行`, `交付`,
/// `発給`)?
fn issued_after(text: &str, e: usize) -> bool {
    let rest = text.get(e..).unwrap_or("");
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    ["発行", "交付", "発給"].iter().any(|k| rest.starts_with(k))
}

/// A token of digits and separators.
fn number(text: &str, s: usize, tok: &str, tally: &mut Tally) -> bool {
    let tok = value::trim(tok);
    // Split once: digits and separators only (`None`: other characters, e.g. a date's `/`).
    let groups = value::digit_groups(tok);
    let ndigits = match &groups {
        Some(x) => x.digits().len(),
        None => tok.chars().filter(|c| value::digit(*c).is_some()).count(),
    };
    // Fewer than 6 digits is nothing we look for (the shortest is a date like 1980-4-1).
    if ndigits < 6 {
        return false;
    }
    let lead = tok.chars().next().unwrap_or(' ');
    // The groups split once serve the phone and postal-code checks (a `+81` number has none:
    // `+` is no separator).
    // Digits alone right after a `/` or a backquote are an id in a path or in code (a
    // commit's `[`0847954331`](…/commit/0847954331)`), not a phone number.
    let id = groups.as_ref().is_some_and(|x| x.groups().len() == 1)
        && matches!(
            s.checked_sub(1).and_then(|k| text.as_bytes().get(k)),
            Some(b'/' | b'`')
        );
    if matches!(lead, '0' | '０' | '+' | '＋' | '(' | '（')
        && !id
        && let Some(n) = match &groups {
            Some(x) => value::phone_of(*x, false),
            None => value::phone(tok),
        }
    {
        tally.add(Category::Phone, tok, &n);
        return true;
    }
    if tok.len() == 8
        && tok.as_bytes().get(3) == Some(&b'-')
        && groups.as_ref().and_then(value::postal_code_of).is_some()
        && japanese_context(text, s, s + tok.len())
    {
        tally.add(Category::PostalCode, tok, tok);
        return true;
    }
    // A date of digits and hyphens has 8 digits or a 4-digit year and two more groups
    // (`value::date` joins digits across spaces, so a space keeps every shape possible).
    let may_be_date = match &groups {
        None => true,
        Some(x) => {
            ndigits == 8
                || (x.groups().len() == 3 && x.groups().first() == Some(&4))
                || tok.contains(' ')
        }
    };
    if may_be_date && let Some(d) = value::date(tok) {
        return date(text, s, tok, Some(d), tally);
    }
    let Some(x) = groups else {
        return false;
    };
    if value::my_number_of(&x) && last_kw(window(text, s, WINDOW), &MYNUMBER).is_some() {
        tally.add(Category::MyNumber, tok, tok);
        return true;
    }
    if value::credit_card_of(&x) && !call_argument(text, s, tok) && card_here(text, s, tok, &x) {
        tally.add(Category::CreditCard, tok, tok);
        return true;
    }
    // `#472876` is a ticket's or a bug's number (`taken into account … Fixes rh#472876`).
    let ticket = s.checked_sub(1).and_then(|k| text.as_bytes().get(k)) == Some(&b'#');
    if value::bank_account_of(&x) && !ticket && last_kw(window(text, s, WINDOW), &BANK).is_some() {
        tally.add(Category::BankAccount, tok, tok);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;
    use regex::Regex;

    fn found(text: &str) -> Vec<(Category, u64)> {
        let mut t = Tally::new(CatSet::all());
        scan(text, &mut t);
        Category::ALL
            .iter()
            .filter(|c| t.count(**c) > 0)
            .map(|c| (*c, t.count(*c)))
            .collect()
    }

    #[test]
    fn finds_with_context() {
        let f = found(
            "氏名：佐藤 太郎\n電話09012345678 メール taro@example.co.jp\n〒100-0001 東京都千代田区千代田1-1\n生年月日 昭和55年4月12日 旅券番号 TK1234567 発行日 2015/6/1\n性別: 男",
        );
        for c in [
            Category::NameKanji,
            Category::Phone,
            Category::Email,
            Category::PostalCode,
            Category::Address,
            Category::BirthDate,
            Category::PassportNumber,
            Category::PassportIssueDate,
            Category::Gender,
        ] {
            assert!(f.iter().any(|(x, n)| *x == c && *n == 1), "{c}: {f:?}");
        }
    }

    /// English prose and code, as source trees and manuals hold them (a scan of a file server
    /// meets them by the million): `To`, `From`, `CC` and `Name` are words there, or parts of
    /// identifiers, and the words after them (`to`, `an`, `so`, `do`) are in the romaji name
    /// dictionary. A label counts as one with its colon, or as a word of its own before a full
    /// name; context keywords are whole words (`issues`, `accounting` are none).
    #[test]
    fn english_prose_and_code_are_no_labels() {
        use Category as C;
        for t in [
            "/* check access; if READ_ACCESS_WRITE to the file fails, give up */",
            "sets *pnToken to the number of tokens in the phrase",
            "unless the GCC to use was set by hand",
            "Return A Handle To An Open Blob",
            "Build A String From an SQL Value",
            "The buffer is flushed. To do this, call finish(). To do so, see below.",
            "Add a CC to the list itself.",
            "the FileName an object was opened with; set the Name to use; hostName mika",
            "struct Name to; NAME Taro; Namespace an",
            "Upstream-Name: fuse\nhostName: mika\nNames: an",
            "Converting a Distinguished Name to an RFC 2253 string failed.",
            "- name: go\n  name: date\nName: to",
            "# Use SO_UPDATE_ACCEPT_CONTEXT so peer names work.",
            // Context keywords inside longer words.
            "Mention the CVE issues fixed in the 20141104 snapshot.",
            "Fix accounting from upstream.  Closes: #964141.",
            "* fixed issue in file entry introduced in 20101025",
            "This should solve the issue reported on 2022-08-08 by a user:",
            "Changes from the Newsletter II-2 issue 2010-06-30.",
            "contacts.insert(\"Daniel\", \"798-1364\");",
            "- [[`0847954331`](https://example.org/node/commit/0847954331)] - deps: update",
            "adobe 1980-04-12",
            "Take the package's arch into account for filtering. Fixes rh#472876",
            "digits = \"0123456789\"; rev = '0987654321'",
            "parse(\"Aug 09 2013 -0900: 23:54:35\")",
            // Numbers that pass a card's checks: constants, a table of code points.
            "pub const MINUS_ONE: [u64; 5] = [2251799813685228, 2251799813685247];",
            "check_round(11270725851789228032, 435, 5503284107318959, 446);",
            "524C 525E 5261 527D 5282 5281 5290 5293",
        ] {
            assert_eq!(found(t), vec![], "{t}");
        }
        for (t, want) in [
            ("From: Yamada Taro", vec![(C::NameRomaji, 1)]),
            ("Cc : 佐藤花子", vec![(C::NameKanji, 1)]),
            ("Name Yamada Taro", vec![(C::NameRomaji, 1)]),
            ("NAME: Taro", vec![(C::NameRomaji, 1)]),
            ("customerName: Yamada Taro", vec![(C::NameRomaji, 1)]),
            ("Customer-Name: YAMADA", vec![(C::NameRomaji, 1)]),
            // `An` (杏) alone is the English word; beside a family name, a given name.
            ("Name: Yamada An", vec![(C::NameRomaji, 1)]),
            ("Gender male", vec![(C::Gender, 1)]),
            (
                "Passport issued 2015-06-01",
                vec![(C::PassportIssueDate, 1)],
            ),
            ("Date of issue 2015-06-01", vec![(C::PassportIssueDate, 1)]),
            ("zip=798-1364", vec![(C::PostalCode, 1)]),
            ("Address: 100-0001 Tokyo", vec![(C::PostalCode, 1)]),
            ("お届け先 798-1364", vec![(C::PostalCode, 1)]),
            ("Issue date: 2015-06-01", vec![(C::PassportIssueDate, 1)]),
            ("ISSUE: 2015-06-01", vec![(C::PassportIssueDate, 1)]),
            (
                "passport_issue_date=2015-06-01",
                vec![(C::PassportIssueDate, 1)],
            ),
            ("Birthday 1980-04-12", vec![(C::BirthDate, 1)]),
            ("bank accounts 1234567", vec![(C::BankAccount, 1)]),
            ("カード番号：5503284107318959", vec![(C::CreditCard, 1)]),
            (
                "{\"cardNumber\":\"5503284107318959\"}",
                vec![(C::CreditCard, 1)],
            ),
            ("paid with 5282 5281 5290 5293.", vec![(C::CreditCard, 1)]),
            ("5282-5281-5290-5293", vec![(C::CreditCard, 1)]),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// A label in small letters, `: ` and a name in Latin letters, as YAML, logs and
    /// configuration dumps write them: counted when the label says a person's (its capital
    /// after a space no longer ends the look-up), not after a status, a role given as a team,
    /// a step's name, an `=` and a space, or a sentence's words.
    #[test]
    fn labels_in_small_letters_before_a_capital() {
        use Category as C;
        for (t, want) in [
            ("customer_name: Yamada Taro", vec![(C::NameRomaji, 1)]),
            ("full_name: YAMADA TARO", vec![(C::NameRomaji, 1)]),
            ("user.full_name: Sato Hanako", vec![(C::NameRomaji, 1)]),
            (
                "- name: Suzuki Ichiro\n  email: ichiro@example.jp",
                vec![(C::NameRomaji, 1), (C::Email, 1)],
            ),
            ("contact: Tanaka Jiro", vec![(C::NameRomaji, 1)]),
            ("gender: Female", vec![(C::Gender, 1)]),
            (
                // (A part on a line of its own counts alone: parts join on one line only.)
                "last_name: Yamada\nfirst_name: Taro",
                vec![(C::NameRomaji, 2)],
            ),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
        for t in [
            "Status: OK\nlevel: Info",
            "contact: Support Team",
            "- name: Build And Test\n- name: Checkout",
            "name= Yamada Taro",
            "the customer name: Yamada Taro",
            "error: Connection refused by Yamada Taro",
        ] {
            assert_eq!(found(t), vec![], "{t}");
        }
    }

    /// A column's name in a query (`NAME IN (…)`) is no label: what follows is an operator.
    #[test]
    fn sql_operators_after_a_column_are_no_values() {
        for t in [
            "SET ENABLED = IF(NAME IN ('events_statements_current', 'thread'), 'YES', 'NO')",
            "WHERE name LIKE 'AI%' AND NAME IS NOT NULL",
        ] {
            assert_eq!(found(t), vec![], "{t}");
        }
        assert_eq!(found("NAME: YAMADA TARO"), vec![(Category::NameRomaji, 1)]);
        // A function's argument is no card number; the same number alone or in brackets is.
        assert_eq!(found("mysql> select format_time(342342342342345);"), vec![]);
        for t in ["カード 342342342342345", "カード番号 (342342342342345)"] {
            assert_eq!(found(t), vec![(Category::CreditCard, 1)], "{t}");
        }
    }

    /// A full name before `様`/`殿` counts, with its reading in brackets; words that end in
    /// the same characters and lone family names do not.
    #[test]
    fn names_before_an_honorific() {
        use Category as C;
        for (t, want) in [
            ("山田 太郎 様\n\nこのたびは", vec![(C::NameKanji, 1)]),
            ("山田太郎殿", vec![(C::NameKanji, 1)]),
            (
                "お客様：山田太郎様（ヤマダ タロウ）より入電",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            (
                "山田太郎（やまだたろう）様",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            ("氏名：山田太郎様", vec![(C::NameKanji, 1)]),
            ("お客様各位、皆様、仕様書、様々な、宮殿、山田様", vec![]),
            ("山田太郎さんから電話がありました", vec![(C::NameKanji, 1)]),
            ("佐藤 花子さま", vec![(C::NameKanji, 1)]),
            ("担当の鈴木一郎氏によれば", vec![(C::NameKanji, 1)]),
            (
                "2年1組 山田太郎君、鈴木 花子ちゃん（スズキ ハナコ）、佐藤一郎くん",
                vec![(C::NameKanji, 3), (C::NameKana, 1)],
            ),
            (
                "太郎くん、花子ちゃん、諸君、君主、くんせい、ちゃんと",
                vec![],
            ),
            // Lone family names, some of which split into two known parts (`藤` `原`).
            ("藤原様、菅原さん、千葉氏、田中さん、佐々木さま", vec![]),
            ("社長さん、部長様、東京大学様、京都大学様", vec![]),
            (
                "営業部鈴木一郎様、株式会社ABC 総務課 佐藤 花子様",
                vec![(C::NameKanji, 2)],
            ),
            (
                "皆さん、お父さん、たくさん、お疲れさまです、さまざまな、氏名欄、彼氏、源氏",
                vec![],
            ),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// A line that is a full name and nothing else counts, once (a roster, an attendee list,
    /// table cells a PDF gave as lines); words, places, titles and short names alone on a
    /// line do not.
    #[test]
    fn names_alone_on_a_line() {
        use Category as C;
        for (t, want) in [
            ("参加者\n山田 太郎\n鈴木　花子\r\n", vec![(C::NameKanji, 2)]),
            (
                "・田中一郎\n● 佐藤 健\n\t  高橋　誠\n",
                vec![(C::NameKanji, 3)],
            ),
            // A name that starts a row (a table a PDF or a list gives as lines), with its
            // reading; the first of two names on a line.
            (
                "山田太郎様\n山田 太郎 090-1234-5678\n鈴木 花子（スズキ ハナコ）\ttaro@example.jp\n",
                vec![
                    (C::NameKanji, 3),
                    (C::NameKana, 1),
                    (C::Email, 1),
                    (C::Phone, 1),
                ],
            ),
            (
                "佐藤 一郎 営業部 東京都千代田区千代田1-1\n山田 太郎 鈴木 花子\n",
                vec![(C::NameKanji, 2), (C::Address, 1)],
            ),
            (
                "山田 太郎（ヤマダ タロウ）\n",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            // The other rules take these, once.
            ("山田 太郎 様\n氏名 山田 太郎\n", vec![(C::NameKanji, 2)]),
            (
                "概要\n会議室\n東京 大阪\n株式会社山田商店\n千代田区\n林一郎\n山田\n",
                vec![],
            ),
            (
                "山田  太郎\n山田太郎から電話\n管理番号 592060898940\n接続元 192.168.0.1\n",
                vec![],
            ),
            // A name without a space that starts a row before a value: a phone, an e-mail,
            // a postal code, full-width digits; three kanji too (`林一郎`), which alone on a
            // line may be any word.
            (
                "山田太郎 090-1234-5678\n林一郎\ttaro@example.jp\n佐藤花子　〒100-0001 東京都千代田区千代田1-1\n\
                 高橋誠二 ０３－１２３４－５６７８\n鈴木一郎（スズキ イチロウ） (03)1234-5678\n",
                vec![
                    (C::NameKanji, 5),
                    (C::NameKana, 1),
                    (C::Email, 1),
                    (C::PostalCode, 1),
                    (C::Address, 1),
                    (C::Phone, 3),
                ],
            ),
            // Words the dictionary does not split into a family and a given name start rows
            // with values all the time; and a name before a word is not before a value.
            (
                "東京本社 03-1234-5678\n受付番号 0013570987\n合計金額 984769\n在庫数量 447\n\
                 山田太郎 営業部\n",
                vec![(C::Phone, 1)],
            ),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// A number right after a label's colon counts; after a time's or an address's colon not.
    #[test]
    fn numbers_after_a_labels_colon() {
        use Category as C;
        for t in [
            "TEL:03-1234-5678",
            "電話:090-1234-5678",
            "TEL;TYPE=CELL:09012345678",
        ] {
            assert_eq!(found(t), vec![(C::Phone, 1)], "{t}");
        }
        for t in ["10:0312345678", "fe80::0312345678", ":0312345678"] {
            assert_eq!(found(t), vec![], "{t}");
        }
    }

    /// The correspondents of a mail quoted in a body count as names; an address that starts
    /// like a header does not lose its value.
    #[test]
    fn names_in_quoted_mail_headers() {
        use Category as C;
        let f = found(
            "-----Original Message-----\n差出人: 山田 太郎 <taro@example.co.jp>\n\
             送信日時: 2024年3月1日 10:00\n宛先: 佐藤 花子 <hanako@example.jp>\n\
             From: Ichiro Suzuki <ichiro@example.jp>\nCc: 営業部各位\nTo: all staff\n",
        );
        assert_eq!(
            f,
            vec![(C::NameKanji, 2), (C::NameRomaji, 1), (C::Email, 3)],
            "{f:?}"
        );
        assert_eq!(
            found("Tomoko.Sato@example.jp Frank@example.jp"),
            vec![(C::Email, 2)]
        );
        assert_eq!(
            found("To: eigyo@example.co.jp\nCc:sato@example.jp"),
            vec![(C::Email, 2)]
        );
        // As crate::mail writes a message's correspondents.
        assert_eq!(
            found("From: Name: 山田 太郎 <taro@example.jp>\nTo: <eigyo@example.jp>\n"),
            vec![(C::NameKanji, 1), (C::Email, 2)]
        );
    }

    /// After a name keyword, the name is the two words cut, else the first word alone; what
    /// follows it is judged as any text. A bracket after a name that holds no reading is
    /// judged too.
    #[test]
    fn values_after_a_keywords_name_are_judged() {
        use Category as C;
        for (t, want) in [
            (
                "氏名：山田太郎 03-1234-5678",
                vec![(C::NameKanji, 1), (C::Phone, 1)],
            ),
            (
                "氏名：山田太郎 東京都千代田区丸の内1-1-1",
                vec![(C::NameKanji, 1), (C::Address, 1)],
            ),
            (
                "氏名：山田太郎（東京都千代田区丸の内1-1-1 電話03-1234-5678）",
                vec![(C::NameKanji, 1), (C::Address, 1), (C::Phone, 1)],
            ),
            (
                "1. 山田太郎様（東京都千代田区丸の内1-1-1、電話03-1234-5678）",
                vec![(C::NameKanji, 1), (C::Address, 1), (C::Phone, 1)],
            ),
            (
                "山田 太郎（03-1234-5678）",
                vec![(C::NameKanji, 1), (C::Phone, 1)],
            ),
            (
                "性別：男性 生年月日：1990/1/2",
                vec![(C::Gender, 1), (C::BirthDate, 1)],
            ),
            (
                "Name: Taro Yamada 090-1234-5678",
                vec![(C::NameRomaji, 1), (C::Phone, 1)],
            ),
            // The reading is still taken, and a bracket holding it is not judged again.
            (
                "お客様：山田太郎様（ヤマダ タロウ）",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// A role (`担当者`, `参加者`) is followed by full names only, one or a list of them;
    /// a list after a name keyword or a mail header counts each name.
    #[test]
    fn values_after_ascii_labels_and_in_urls() {
        use Category as C;
        for (t, want) in [
            // Logs: logfmt, JSON in a line, YAML, English labels.
            (
                r#"INFO registered name="山田 太郎" kana="ヤマダ タロウ" sex=M tel=090-1234-5678"#,
                vec![
                    (C::NameKanji, 1),
                    (C::NameKana, 1),
                    (C::Gender, 1),
                    (C::Phone, 1),
                ],
            ),
            (
                r#"body={"customer_name":"佐藤花子","gender":"女","mail":"h@example.jp"}"#,
                vec![(C::NameKanji, 1), (C::Gender, 1), (C::Email, 1)],
            ),
            (
                "member:\n  name: 鈴木 一郎\n  furigana: スズキ イチロウ",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            (
                "Customer: 高橋 健一\nName (kana): タカハシ ケンイチ",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            (r#"{"name":"YAMADA TARO"}"#, vec![(C::NameRomaji, 1)]),
            // A database's query log: `INSERT`s by their columns, `UPDATE`s by labels.
            (
                "2026-12-01T10:00:00Z\t15 Query\tINSERT INTO customers (name, kana, birthday, tel) VALUES ('山田 太郎', 'ヤマダ タロウ', '1980-04-12', '090-1234-5678')\n2026-12-01T10:00:01Z\t15 Query\tUPDATE customers SET name='佐藤 花子' WHERE id=2",
                vec![
                    (C::NameKanji, 2),
                    (C::NameKana, 1),
                    (C::BirthDate, 1),
                    (C::Phone, 1),
                ],
            ),
            (
                "LOG:  statement: INSERT INTO 顧客 (氏名, 性別) VALUES ('鈴木 一郎', '男')",
                vec![(C::NameKanji, 1), (C::Gender, 1)],
            ),
            // Rails' SQL binds.
            (
                r#"INSERT INTO "members" ("name", "kana") VALUES ($1, $2)  [["name", "山田 太郎"], ["kana", "ヤマダ タロウ"], ["sex", "M"]]"#,
                vec![(C::NameKanji, 1), (C::NameKana, 1), (C::Gender, 1)],
            ),
            // Rails' parameters, PHP's `print_r`.
            (
                r#"Parameters: {"user"=>{"name"=>"山田 太郎", "kana"=>"ヤマダ タロウ", "email"=>"t@example.jp"}}"#,
                vec![(C::NameKanji, 1), (C::NameKana, 1), (C::Email, 1)],
            ),
            (
                "Array\n(\n    [name] => 佐藤 花子\n    [sex] => 女\n)",
                vec![(C::NameKanji, 1), (C::Gender, 1)],
            ),
            // A name split over two labels is one name, in either order and script.
            ("sei=山田 mei=太郎", vec![(C::NameKanji, 1)]),
            (
                r#"{"last_name":"佐藤","email":"h@example.jp","first_name":"花子"}"#,
                vec![(C::NameKanji, 1), (C::Email, 1)],
            ),
            (
                r#"{"firstName":"Jiro","lastName":"Suzuki"}"#,
                vec![(C::NameRomaji, 1)],
            ),
            ("sei_kana=ヤマダ mei_kana=タロウ", vec![(C::NameKana, 1)]),
            // A family name whose partner is on another line counts alone (a given name
            // alone does not: one word is judged as a family name).
            ("last_name=山田\nfirst_name=太郎", vec![(C::NameKanji, 1)]),
            // Web logs: a query string in UTF-8 or Shift_JIS, a form body.
            (
                "GET /entry?name=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&mail=taro%40example.jp&tel=090-1234-5678 HTTP/1.1",
                vec![(C::NameKanji, 1), (C::Email, 1), (C::Phone, 1)],
            ),
            (
                "GET /old/form.cgi?shimei=%8ER%93c+%91%BE%98Y&sex=%92j HTTP/1.0",
                vec![(C::NameKanji, 1), (C::Gender, 1)],
            ),
            (
                "POST body: sei=%E5%B1%B1%E7%94%B0&mei=%E5%A4%AA%E9%83%8E",
                vec![(C::NameKanji, 1)],
            ),
            // Not persons: other labels, a bare `name` that is no full name, lower-case
            // values (not looked at), a label's word before a quoted text.
            (
                r#"filename=山田商店.pdf app_name=会計システム {"name":"Chrome","dept_name":"営業部"}"#,
                vec![],
            ),
            (
                r#"name=東京 name=営業部 name="テスト" Customer: ABC Corp"#,
                vec![],
            ),
            (
                r#"title="山田の件について" status: OK Sex: unknown"#,
                vec![],
            ),
            ("load 100%ABC name=x%20y", vec![]),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    #[test]
    fn names_after_roles_and_in_lists() {
        use Category as C;
        for (t, want) in [
            ("担当者 田中 誠（内線 1234）", vec![(C::NameKanji, 1)]),
            (
                "申込者: 渡辺大輔（ワタナベ ダイスケ）",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            ("受取人 : 林 真理子", vec![(C::NameKanji, 1)]),
            ("口座名義 ヤマダ タロウ", vec![(C::NameKana, 1)]),
            (
                "参加者：高橋健一、伊藤美咲、渡辺大輔",
                vec![(C::NameKanji, 3)],
            ),
            (
                "出席者：高橋健一・伊藤美咲・渡辺大輔",
                vec![(C::NameKanji, 3)],
            ),
            ("宛先：山田太郎様、佐藤花子様", vec![(C::NameKanji, 2)]),
            (
                "送付先 高橋 健太 (090-1234-5678)",
                vec![(C::NameKanji, 1), (C::Phone, 1)],
            ),
            ("お届け先：山田 太郎", vec![(C::NameKanji, 1)]),
            (
                "ご依頼主 佐藤花子　配送先 鈴木一郎",
                vec![(C::NameKanji, 2)],
            ),
            (
                "To: 山田 太郎 <taro@example.jp>, 佐藤 花子 <hanako@example.jp>",
                vec![(C::NameKanji, 2), (C::Email, 2)],
            ),
            (
                "Cc: Taro Yamada, Hanako Sato, all staff",
                vec![(C::NameRomaji, 2)],
            ),
            // Not names: departments, lone family names after a role, words after a list.
            (
                "担当：営業部
担当者：田中
会員番号：12345
参加者数：30名
顧客情報の確認、対応",
                vec![],
            ),
            (
                "参加者：高橋健一、営業部、伊藤美咲",
                vec![(C::NameKanji, 1)],
            ),
            // Titles, with a company before them, or another title.
            (
                "株式会社山田商事 代表取締役 山田太郎\n代表取締役社長　鈴木 一郎\n弁護士 林 真理子",
                vec![(C::NameKanji, 3)],
            ),
            (
                "取締役会 議事録\n社長室 部長会議 課長補佐 主任研究員",
                vec![],
            ),
            // After a role, a company or a post may come before the name.
            (
                "依頼人 株式会社山田商事 山田 太郎\n担当者：総務部 佐藤花子（内線123）\n担当 営業部 山田",
                vec![(C::NameKanji, 2)],
            ),
            (
                "担当者 田中 誠 090-1234-5678",
                vec![(C::NameKanji, 1), (C::Phone, 1)],
            ),
            (
                "緊急連絡先：山田花子（妻）090-1234-5678",
                vec![(C::NameKanji, 1), (C::Phone, 1)],
            ),
            // A reading after the two words cut.
            (
                "患者氏名: 佐藤 花子 (サトウ ハナコ) 様",
                vec![(C::NameKanji, 1), (C::NameKana, 1)],
            ),
            // Passengers and guests; names as airlines write them, a title joined or not.
            (
                "Passenger: YAMADA/TARO MR\n搭乗者名 SATO/HANAKOMS\nName: Suzuki/Ichiro\n宿泊者 田中 健 様",
                vec![(C::NameKanji, 1), (C::NameRomaji, 3)],
            ),
            (
                "搭乗者：TAKAHASHI/MISAKI MS 090-1234-5678",
                vec![(C::NameRomaji, 1), (C::Phone, 1)],
            ),
            // Not names: a path and a date after a role.
            ("Passenger: SELECT/INSERT\n乗客数 2016/03/15", vec![]),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// A passport's machine-readable zone read by OCR: number, birth date, sex and name,
    /// each at its place and checked; a broken check digit gives the number only (the
    /// nationality after it still marks a passport).
    #[test]
    fn passport_mrz_gives_its_holder() {
        use Category as C;
        let l1 = "P<JPNYAMADA<<TARO<<<<<<<<<<<<<<<<<<<<<<<<<<<";
        let l2 = "TK12345671JPN8004129M2506012<<<<<<<<<<<<<<04";
        let mut t = Tally::new(CatSet::all());
        scan(&format!("旅券の写し\n{l1}\r\n{l2}\n"), &mut t);
        let r = t.report(String::new(), None, None, Vec::new(), true);
        assert_eq!(
            found(&format!("旅券の写し\n{l1}\r\n{l2}\n")),
            vec![
                (C::NameRomaji, 1),
                (C::Gender, 1),
                (C::BirthDate, 1),
                (C::PassportNumber, 1)
            ]
        );
        assert_eq!(r.samples[&C::NameRomaji], ["YAMADA TARO"]);
        assert_eq!(r.samples[&C::BirthDate], ["800412"]);
        // The birth date's check digit broken: the number alone.
        let bad = l2.replace("8004129", "8004128");
        assert_eq!(
            found(&format!("{l1}\n{bad}\n")),
            vec![(C::PassportNumber, 1)]
        );
    }

    /// Passenger data in a booking's `SSR DOCS` element, as the reservation systems write
    /// it: the passport number, birth date, gender and name at their places, each once;
    /// foreign names too.
    #[test]
    fn airline_passenger_data_is_read_at_its_places() {
        use Category as C;
        let person = vec![
            (C::NameRomaji, 1),
            (C::Gender, 1),
            (C::BirthDate, 1),
            (C::PassportNumber, 1),
        ];
        for t in [
            "SSR DOCS JL HK1 P/JPN/TK1234567/JPN/12APR80/M/01JUN25/YAMADA/TARO-1.1",
            "SSR DOCS YY HK1/P/JPN/TZ7654321/JPN/03NOV85/F/10FEB24/SATO/HANAKO/P2",
            "3DOCS/P/JPN/MU1122334/JPN/20JAN1972/MI/15AUG22/SUZUKI/ICHIRO-1.1",
            "SRDOCSJLHK1/P/USA/561234567/USA/07JUL90/F/05JAN30/SMITH/JANE MARIE-3.1",
        ] {
            assert_eq!(found(t), person, "{t}");
        }
        assert_eq!(
            found("3DOCS/DB/12APR1980/M/YAMADA/TARO-1.1"),
            vec![(C::NameRomaji, 1), (C::Gender, 1), (C::BirthDate, 1)]
        );
        // The distinct person is the name's, as written elsewhere.
        let mut t = Tally::new(CatSet::all());
        scan(
            "SSR DOCS JL HK1 P/JPN/TK1234567/JPN/12APR80/M/01JUN25/YAMADA/TARO-1.1\n\
             Name: YAMADA/TARO MR",
            &mut t,
        );
        let r = t.report(String::new(), None, None, Vec::new(), false);
        assert_eq!((r.categories[&C::NameRomaji], r.persons_estimate), (2, 1));
        assert_eq!(r.samples[&C::BirthDate], ["**APR**"]);
        // Not passenger data: documentation, a path, a broken element.
        for t in [
            "See the DOCS/P/ folder and DOCS/DB/schema.sql",
            "DOCS P/JPN/TK1234567/JPN/31FOO80/M/01JUN25/YAMADA/TARO",
            "DOCS P/JPN/x/JPN/12APR80/M/01JUN25/YAMADA/TARO",
        ] {
            assert_eq!(found(t), vec![], "{t}");
        }
    }

    /// A date followed by `生` or `生まれ` is a birth date; one followed by a word that
    /// starts with `生` is not.
    #[test]
    fn birth_dates_marked_after_them() {
        use Category as C;
        for (t, want) in [
            ("1980年4月12日生まれ", vec![(C::BirthDate, 1)]),
            ("（昭和55年4月12日生）", vec![(C::BirthDate, 1)]),
            ("S55.4.12 生、東京都出身", vec![(C::BirthDate, 1)]),
            ("2024年4月1日生産分、2024/04/01 生成", vec![]),
            // A keyword belongs to the first date after it.
            (
                "氏名 中川 大樹 生年月日 1988年7月7日 入社日 2012年4月1日",
                vec![(C::NameKanji, 1), (C::BirthDate, 1)],
            ),
            (
                "旅券番号 TK1234567 発行日 2019年5月1日 有効期限 2029年5月1日",
                vec![(C::PassportNumber, 1), (C::PassportIssueDate, 1)],
            ),
            // Marked issued after it, near a passport; not without one.
            (
                "旅券番号：TK1234567（2015年6月1日発行）",
                vec![(C::PassportNumber, 1), (C::PassportIssueDate, 1)],
            ),
            ("請求書 2015年6月1日発行", vec![]),
        ] {
            assert_eq!(found(t), want, "{t}");
        }
    }

    /// An address ends at a closing bracket it did not open.
    #[test]
    fn addresses_end_at_an_unopened_bracket() {
        let mut t = Tally::new(CatSet::all());
        scan(
            "住所変更の連絡（新住所：大阪府大阪市北区梅田3丁目1番3号）。",
            &mut t,
        );
        let r = t.report(String::new(), None, None, Vec::new(), true);
        let got = &r.samples[&Category::Address];
        assert_eq!(got, &vec!["大阪府大阪市北区梅田3丁目1番3号".to_string()]);
        assert_eq!(
            unopened_close("千代田1-1（丸の内ビル）"),
            "千代田1-1（丸の内ビル）"
        );
        assert_eq!(unopened_close("梅田3-1】x"), "梅田3-1");
    }

    /// A reading in brackets after a name taken by its keyword counts; a name with and
    /// without its space is one person.
    #[test]
    fn readings_after_keyword_names_and_one_key_per_name() {
        let mut t = Tally::new(CatSet::all());
        scan(
            "佐藤花子様\nお名前　：佐藤 花子（サトウ ハナコ）\n氏名：佐藤　花子\n",
            &mut t,
        );
        assert_eq!(t.count(Category::NameKanji), 3);
        assert_eq!(t.count(Category::NameKana), 1);
        let r = t.report(String::new(), None, None, Vec::new(), false);
        assert_eq!(r.persons_estimate, 1);
    }

    /// A phone with its area code in brackets is sampled with its opening bracket.
    #[test]
    fn bracketed_area_codes_keep_their_bracket() {
        let mut t = Tally::new(CatSet::all());
        scan("電話 (03)1234-5678、(06) 1234-5678", &mut t);
        let r = t.report(String::new(), None, None, Vec::new(), true);
        assert_eq!(
            r.samples[&Category::Phone],
            vec!["(03)1234-5678".to_string(), "(06) 1234-5678".to_string()]
        );
    }

    /// What follows a value taken by hand on the same line is still judged (the number from
    /// `1-1` on began inside the address and was skipped whole).
    #[test]
    fn values_after_an_address_are_judged() {
        use Category as C;
        for t in [
            "東京都千代田区千代田1-1 03-1234-5678",
            "東京都千代田区千代田1-1      0312345678",
            "大阪府大阪市北区梅田1-1-1　090-1234-5678 まで",
        ] {
            assert_eq!(found(t), vec![(C::Address, 1), (C::Phone, 1)], "{t}");
        }
    }

    /// An address without its prefecture counts after `住所` or a postal code; an address
    /// with one counts once.
    #[test]
    fn addresses_without_their_prefecture_after_a_keyword_or_code() {
        use Category as C;
        for (t, want) in [
            ("ご住所：千代田区千代田1-1-1", vec![(C::Address, 1)]),
            ("Address: 横浜市中区山下町1-2", vec![(C::Address, 1)]),
            (
                "〒100-0001 千代田区千代田1-1",
                vec![(C::PostalCode, 1), (C::Address, 1)],
            ),
            ("住所：東京都千代田区千代田1-1", vec![(C::Address, 1)]),
            (
                "Address: 〒489-0838 愛知県瀬戸市西軽部816番地.",
                vec![(C::PostalCode, 1), (C::Address, 1)],
            ),
            ("住所変更のお知らせ。所在地は本社です。住所：未定", vec![]),
        ] {
            let mut got = found(t);
            got.sort();
            let mut want = want;
            want.sort();
            assert_eq!(got, want, "{t}");
        }
    }

    #[test]
    fn values_after_a_tab_are_taken() {
        // A form pasted into a document: label, tab, value.
        let f = found("氏名\t佐藤 太郎\nフリガナ\tサトウ タロウ\n性別\t男\nName\tSATO TARO\n");
        for c in [
            Category::NameKanji,
            Category::NameKana,
            Category::Gender,
            Category::NameRomaji,
        ] {
            assert!(f.iter().any(|(x, n)| *x == c && *n == 1), "{c}: {f:?}");
        }
    }

    /// The keyword search as first written: one overlapping Aho-Corasick automaton.
    fn last_kws_reference(w: &str) -> [Option<usize>; 6] {
        type Ac = (aho_corasick::AhoCorasick, Vec<usize>, Vec<&'static str>);
        static AC: LazyLock<Ac> = LazyLock::new(|| {
            let mut pats = Vec::new();
            let mut class = Vec::new();
            for (i, l) in KEYWORD_LISTS.iter().enumerate() {
                for k in *l {
                    pats.push(*k);
                    class.push(i);
                }
            }
            (aho_corasick::AhoCorasick::new(&pats).unwrap(), class, pats)
        });
        let (ac, class, pats) = &*AC;
        let mut last = [None; 6];
        for m in ac.find_overlapping_iter(w) {
            if !ascii_kw_bounded(
                w.as_bytes(),
                m.start(),
                pats[m.pattern().as_usize()].as_bytes(),
            ) {
                continue;
            }
            let slot = &mut last[class[m.pattern().as_usize()]];
            *slot = Some(slot.map_or(m.start(), |p: usize| p.max(m.start())));
        }
        last
    }

    #[test]
    fn keywords_are_found_as_the_automaton_finds_them() {
        let mut texts = vec![
            "DOBirth date of birth: 1980-04-12, issued 2015 Issued ISSUE passport P<JPN".to_string(),
            "生年月日 誕生日 生まれ 発行 交付 発給 旅券 パスポート マイナンバー 個人番号 口座 普通 当座".to_string(),
            "My Number my number MyNumber MY NUMBER account Account ACCOUNT dobdob isissue".to_string(),
        ];
        for form in crate::synth::Form::ALL
            .into_iter()
            .chain([crate::synth::Form::Memo, crate::synth::Form::Logs])
        {
            texts.push(crate::synth::persons_text(11, 30, form).0);
        }
        texts.push(crate::synth::decoys_text(11, 40));
        let mut found = 0;
        for t in &texts {
            for s in (0..t.len()).filter(|i| t.is_char_boundary(*i)) {
                for n in [48, 96] {
                    let w = window(t, s, n);
                    assert_eq!(last_kws(w), last_kws_reference(w), "{w:?}");
                    found += last_kws(w).iter().flatten().count();
                }
            }
        }
        assert!(found > 1000, "{found}");
    }

    /// [`extend`] over characters, as its documentation says.
    fn extend_reference(text: &str, e: usize, max_chars: usize, words: usize) -> &str {
        let rest = &text[e..];
        let (mut end, mut seen, mut in_word) = (0, 0, false);
        for (n, (i, c)) in rest.char_indices().enumerate() {
            let stop = c.is_control()
                || matches!(
                    c,
                    ',' | '"' | '\'' | '<' | '>' | '|' | ';' | '，' | '、' | '。'
                );
            if n >= max_chars || stop {
                break;
            }
            if c == ' ' || c == '\u{3000}' {
                if in_word {
                    in_word = false;
                    if seen >= words {
                        break;
                    }
                }
            } else if !in_word {
                in_word = true;
                seen += 1;
                if seen > words {
                    break;
                }
            }
            end = i + c.len_utf8();
        }
        rest[..end].trim_end()
    }

    #[test]
    fn extend_stops_where_its_reference_stops() {
        let mut texts = vec![
            "東京都千代田区千代田1-1、 ｱ\u{85}x　山田 太郎，次。\t<a>|b;c\"d'e 😀 é".to_string(),
        ];
        for form in crate::synth::Form::ALL
            .into_iter()
            .chain([crate::synth::Form::Memo, crate::synth::Form::Logs])
        {
            texts.push(crate::synth::persons_text(5, 20, form).0);
        }
        for t in &texts {
            for e in (0..t.len()).filter(|i| t.is_char_boundary(*i)) {
                for (max, words) in [(10, 1), (60, 1), (40, 2)] {
                    assert_eq!(
                        extend(t, e, max, words),
                        extend_reference(t, e, max, words),
                        "{:?}",
                        &t[e..]
                    );
                }
            }
        }
    }

    #[test]
    fn prefixes_compare_like_starts_with() {
        let lits: Vec<&str> = ERA_STARTS
            .iter()
            .chain(PREFECTURES.iter())
            .chain(VALUE_KEYWORDS.iter())
            .chain(KEYWORD_LISTS.iter().flat_map(|l| l.iter()))
            .copied()
            .chain(["〒", "", "a", "abcdefghijklmnopqrstuvwxyz"])
            .collect();
        for p in &lits {
            for q in &lits {
                for rest in [q.to_string(), format!("{q}x"), q.chars().skip(1).collect()] {
                    assert_eq!(
                        has_prefix(rest.as_bytes(), p.as_bytes()),
                        rest.starts_with(p),
                        "{rest:?} {p:?}"
                    );
                }
            }
            // A near miss in every byte.
            for i in 0..p.len() {
                let mut b = p.as_bytes().to_vec();
                b[i] ^= 1;
                assert!(!has_prefix(&b, p.as_bytes()), "{p:?} {i}");
            }
        }
    }

    #[test]
    fn finds_the_postal_code_beside_an_address() {
        let at = |t: &str, a: &str| {
            let s = t.find(a).unwrap();
            nearby_postal(t, s, s + a.len())
        };
        assert_eq!(
            at("〒100-0001 東京都千代田区千代田1-1", "東京都"),
            Some(1_000_001)
        );
        assert_eq!(
            at(
                "東京都千代田区千代田1-1 〒1000001",
                "東京都千代田区千代田1-1"
            ),
            Some(1_000_001)
        );
        assert_eq!(at("〒〒100-0001東京都", "東京都"), Some(1_000_001));
        // Not a listed code, too short, or cut by other characters.
        assert_eq!(at("〒000-0000 東京都", "東京都"), None);
        assert_eq!(at("〒100-000 東京都", "東京都"), None);
        assert_eq!(at("100x0001 東京都", "東京都"), None);
        // Full-width digits are not read here.
        assert_eq!(at("〒１００－０００１ 東京都", "東京都"), None);
    }

    #[test]
    fn number_scanner_matches_the_regex() {
        let re =
            Regex::new(r"[+＋]?[0-9０-９][0-9０-９\-－‐‑–—−ー()（）/／.．年月\x20]*[0-9０-９日]")
                .unwrap();
        for t in [
            "電話09012345678 x +81-3-1234-5678 ＋８１ ９０ 1",
            "1980年4月12日生 2015/6/1 5 日 7日 + 3 +5x ++12 1-2-3-",
            "〒100-0001 (03)1234-5678 ０９０ー１２３４ー５６７８ 12年 1 2 3  ",
            "a1b 22 x9 (9) 0x1234_5678 192.168.0.1 v1.2.3 Ａ１２ ＋Ａ 9",
        ] {
            for from in (0..=t.len()).filter(|i| t.is_char_boundary(*i)) {
                let want = re.find_at(t, from).map(|m| (m.start(), m.end()));
                assert_eq!(number_at(t, from), want, "{t:?} from {from}");
            }
        }
    }

    /// The reference: the old combined pattern merged with [`number_at`] and with the
    /// values after ASCII labels ([`reference_key`]); on a tie the pattern first, then the
    /// label's value, then the number.
    fn reference_next(re: &Regex, t: &str, from: usize) -> Option<(usize, usize)> {
        let r = re.find_at(t, from).map(|m| (m.start(), m.end()));
        [r, reference_key(t, from), number_at(t, from)]
            .into_iter()
            .flatten()
            .enumerate()
            .min_by_key(|(k, c)| (c.0, *k))
            .map(|(_, c)| c)
    }

    /// The first value after an ASCII label at or after `from`, tried at every character:
    /// a capital or a three-byte character whose label [`crate::kv::key_before`] accepts.
    fn reference_key(t: &str, from: usize) -> Option<(usize, usize)> {
        let b = t.as_bytes();
        (from..b.len())
            .filter(|i| t.is_char_boundary(*i))
            .find(|&i| {
                (b[i].is_ascii_uppercase() || (0xE0..0xF0).contains(&b[i]))
                    && crate::kv::key_before(b, i).is_some()
            })
            .map(|i| (i, i + if b[i] < 0x80 { 1 } else { 3 }))
    }

    #[test]
    fn candidates_match_the_reference_pattern() {
        let re = Regex::new(&reference_pattern()).unwrap();
        let tricky = [
            "a@b x@y.z ..@-.- a.b@c.d.e. +81@x.jp 0901234@tel.example.jp user@@x.com @a.b",
            "AB1234567@x.com AB12345678 ab1234567 XAB1234567 S55.4.12 S 5 年 H元年 R01/ M555年",
            "昭和55年4月12日 平成元年 ㍻2年 令和 5年 大正１２．明治 東京都千代田区 京都府 大阪府",
            "氏名：佐藤 お名前 名前 Name: NAME Gender GENDER Sex SEX 性別 フリガナ ふりがな 〒100-0001",
            "Sex@a.bc Name@x.io S5@a.b 東京都@x.y 〒@a.b 2015/6/1 ０９０ー１２３４ー５６７８ ＋８１ ９０",
            "山田 太郎\n  鈴木 花子\r\n・田中\n\u{3000}高橋 誠\nx 山田\n\t一\n東京都港区\n明治\n\n様",
            "[[\"name\", \"山田 太郎\"], [\"sex\", \"F\"]] (\"name\", \"山田\") {\"name\"=>\"山田 太郎\"} [kana] => ヤマダ <td>山田</td> x=>鈴木 'sex' => 'F' a =>山\n",
            "name=山田 太郎 \"kana\":\"ヤマダ\" sex: F Customer：鈴木 file_name=山田 x=Y name = 'T' 名=山 10:00 山田 KANA:ＡＢ name=東京都 sei=０９０ 1",
            "SSR DOCS JL HK1 P/JPN/TK1234567/JPN/12APR80/M/01JUN25/YAMADA/TARO-1.1 xDOCS DOC DOCSS",
            "山田太郎 090\n林一郎\tx.y+z@a.b\n佐藤花子\u{3000}〒1\n高橋 ０\n鈴木（ス） (03)\n田中 (x\n森 @a\n谷  1\n東京都 1\n氏名 x@y\n山 +\n在庫 447\n一二三四五六七 1\n一二三四五六 1",
        ];
        let mut texts: Vec<String> = tricky.iter().map(|s| s.to_string()).collect();
        for form in crate::synth::Form::ALL
            .into_iter()
            .chain([crate::synth::Form::Memo, crate::synth::Form::Logs])
        {
            texts.push(crate::synth::persons_text(7, 40, form).0);
        }
        texts.push(crate::synth::decoys_text(7, 60));
        for t in &texts {
            // From every position, with a fresh finder.
            for from in (0..=t.len()).filter(|i| t.is_char_boundary(*i)) {
                assert_eq!(
                    Candidates::default().next(t, from).map(|c| (c.0, c.1)),
                    reference_next(&re, t, from),
                    "{t:?} from {from}"
                );
            }
            // As the scan walks: one finder, from the end of each match.
            let mut c = Candidates::default();
            let mut pos = 0;
            loop {
                let got = c.next(t, pos).map(|c| (c.0, c.1));
                assert_eq!(got, reference_next(&re, t, pos), "walk at {pos}");
                match got {
                    Some((_, e)) => pos = e,
                    None => break,
                }
            }
        }
    }

    #[test]
    fn decoys_are_quiet() {
        let f = found(
            "order ORD-2024-0312345678 product AB1234567 at 2024-03-15 10:23:45 v1.2.3 from 192.168.10.23 id 123456789012\nfn main() { let x = 0x1234_5678; }",
        );
        assert!(f.is_empty(), "{f:?}");
    }
}

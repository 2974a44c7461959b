//! Validators of single values, one per category: the rules a candidate must pass before it
//! counts. They are shared by the column classifier (tables) and the free-text scanner.
//!
//! Digits are accepted in ASCII and full width (`０９０`), hyphens in every variant Japanese
//! text uses (`-－‐‑–—−ー`), and date strings go through NFKC first so `㍻` reads as `平成`.

use kizuki_core::Category;
use unicode_normalization::UnicodeNormalization;

use crate::tables::{NAMES_DICT, POSTAL_TABLE, PREFECTURES, Part};

/// Is `c` one of the hyphen variants seen in Japanese numbers?
pub fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ'
    )
}

/// `str::trim` with a fast path: a value that starts and ends with a character that cannot
/// be white space (the common case) is returned as is without the generic pattern search.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(&l) = b.last() else {
        return s;
    };
    // Unicode white space outside ASCII is U+0085, U+00A0, U+1680, U+2000..U+205F and U+3000
    // (`E3 80 80`): a character led by 0xE3 other than U+3000, or by 0xE4..=0xF4, is none.
    let visible_at = |i: usize| match b.get(i) {
        Some(&x) if x.is_ascii_graphic() || (0xE4..=0xF4).contains(&x) => true,
        Some(0xE3) => b.get(i + 1..i + 3) != Some(&[0x80, 0x80][..]),
        _ => false,
    };
    // A value ending in a three-byte character (a byte 0xE0..=0xEF only ever leads one, so
    // three bytes from the end it starts the last character); any other non-ASCII ending,
    // as the two bytes of U+00A0, goes the slow way.
    let ends_in_three = b.len() >= 3 && b.get(b.len() - 3).is_some_and(|x| x & 0xF0 == 0xE0);
    // Inlined: this runs several times per cell, and nearly every cell is already trimmed.
    if visible_at(0) && (l.is_ascii_graphic() || (ends_in_three && visible_at(b.len() - 3))) {
        s
    } else {
        trim_slow(s)
    }
}

#[inline(never)]
fn trim_slow(s: &str) -> &str {
    match s.chars().next_back() {
        Some(c) if !c.is_whitespace() && !s.starts_with(char::is_whitespace) => s,
        _ => s.trim(),
    }
}

/// Full-width digit -> ASCII digit value.
pub fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// Digits and digit-group lengths of a short number, on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    d: [u8; 24],
    n: usize,
    g: [usize; 8],
    ng: usize,
}

impl Digits {
    pub(crate) fn digits(&self) -> &[u8] {
        &self.d[..self.n]
    }
    pub(crate) fn groups(&self) -> &[usize] {
        &self.g[..self.ng]
    }
}

/// The digits of `s` and the lengths of its digit groups (split at separators). `None` when
/// `s` holds anything but digits, hyphens, spaces and parentheses, or is too long.
pub(crate) fn digit_groups(s: &str) -> Option<Digits> {
    // The counts live in locals, not in the returned struct: kept in the struct they went
    // through memory at every digit (a store-to-load chain of several cycles a digit).
    let mut d = [0u8; 24];
    let mut g = [0usize; 8];
    let (mut n, mut ng, mut start) = (0usize, 0usize, 0usize);
    let b = s.as_bytes();
    let mut i = 0;
    // Bytes, with the ASCII cases first (nearly every number is ASCII); a character outside
    // ASCII is decoded and judged by `digit` and `is_hyphen`.
    while let Some(&c) = b.get(i) {
        let sep = if c.is_ascii_digit() {
            *d.get_mut(n)? = c - b'0';
            n += 1;
            i += 1;
            continue;
        } else if c < 0x80 {
            i += 1;
            matches!(c, b'-' | b' ' | b'(' | b')')
        } else {
            // Every full-width digit and separator is a three-byte character.
            let ch = bmp3(b, i)?;
            i += 3;
            if let Some(x) = digit(ch) {
                *d.get_mut(n)? = x;
                n += 1;
                continue;
            }
            is_hyphen(ch) || matches!(ch, '\u{3000}' | '（' | '）')
        };
        if !sep {
            return None;
        }
        if n > start {
            *g.get_mut(ng)? = n - start;
            ng += 1;
        }
        start = n;
    }
    if n > start {
        *g.get_mut(ng)? = n - start;
        ng += 1;
    }
    Some(Digits { d, n, g, ng })
}

/// A Japanese phone number: returns its national digits (`0312345678`).
///
/// Rules (after the national numbering plan that libphonenumber encodes): `+81` or `0` prefix;
/// mobile and IP numbers `0[5-9]0[1-9]` and 7 more digits (060 is the new mobile range; the
/// `0X0-0` blocks are not allocated); toll free `0120` and 6 digits, `0800` and 7; geographic
/// numbers have 10 digits, begin with an allocated area-code prefix ([`fixed_line_prefix`]),
/// and when written with separators the area code plus exchange make 6 digits and the
/// subscriber number 4.
pub fn phone(s: &str) -> Option<PhoneDigits> {
    let t = trim(s);
    let (intl, rest) = if let Some(r) = t.strip_prefix("+81").or_else(|| t.strip_prefix("＋８１"))
    {
        (true, r)
    } else {
        (false, t)
    };
    phone_of(digit_groups(rest)?, intl)
}

/// [`phone`] on the digits already split (after a `+81`, when `intl`).
#[inline]
pub(crate) fn phone_of(mut x: Digits, intl: bool) -> Option<PhoneDigits> {
    if !(9..=12).contains(&x.n) {
        return None;
    }
    if intl {
        // `+81 (0)3 …` keeps a trunk zero in parentheses; drop it, then add the national 0
        // (room for it: at most 12 digits here, 24 in `Digits`).
        if x.d[0] == 0 {
            x.d.copy_within(1..x.n, 0);
            x.n -= 1;
            if x.ng > 0 {
                x.g[0] -= 1;
                if x.g[0] == 0 {
                    x.g.copy_within(1..x.ng, 0);
                    x.ng -= 1;
                }
            }
        }
        x.d.copy_within(0..x.n, 1);
        x.d[0] = 0;
        x.n += 1;
        if x.ng > 0 {
            x.g[0] += 1;
        }
    }
    let (d, groups) = (x.digits(), x.groups());
    if d.first() != Some(&0) || d.get(1) == Some(&0) || groups.len() == 1 && counting(d) {
        return None;
    }
    let n = d.len();
    let p = |i: usize| d.get(i).copied().unwrap_or(99);
    let ok = match (p(1), p(2)) {
        (8, 0) if p(3) == 0 => n == 11 && groups_ok(groups, &[&[4, 3, 4], &[3, 4, 4], &[11]]),
        (5..=9, 0) => p(3) != 0 && n == 11 && groups_ok(groups, &[&[3, 4, 4], &[11]]),
        (1, 2) if p(3) == 0 => n == 10 && groups_ok(groups, &[&[4, 3, 3], &[10], &[4, 6]]),
        (2, 0) => false,
        _ => {
            n == 10
                && fixed_line_prefix(p(1), p(2), p(3))
                && (groups.len() == 1
                    || (groups.len() == 3
                        && (2..=5).contains(&groups[0])
                        // Only `03` (Tokyo), `04` (Tokorozawa, Kashiwa…) and `06` (Osaka) are
                        // area codes of two digits, and `03` and `06` are never cut after
                        // three (`03-1234-5678`, not `031-234-5678`); `09 2013 -0900` (a date
                        // and its time zone) is no phone.
                        && (groups[0] != 2 || matches!(p(1), 3 | 4 | 6))
                        && (groups[0] == 2 || !matches!(p(1), 3 | 6))
                        && groups[0] + groups[1] == 6
                        && groups[2] == 4)
                    || (groups.len() == 2 && groups[0] + groups[1] == 10 && groups[1] == 4))
        }
    };
    if !ok {
        return None;
    }
    let mut key = PhoneDigits { b: [b'0'; 12], n };
    for (slot, x) in key.b.iter_mut().zip(d) {
        *slot = b'0' + x;
    }
    Some(key)
}

/// Digits that count up or down by one (`0123456789`, `0987654321`): written without
/// separators, the digits of a character class in code (`"0123456789abcdef"`) or a
/// placeholder, not a subscriber's number (`0123-45-6789`, written as one, stays one).
fn counting(d: &[u8]) -> bool {
    let step = |k: u8| d.windows(2).all(|w| (w[0] + k) % 10 == w[1]);
    d.len() > 2 && (step(1) || step(9))
}

/// The national digits of a phone number (at most 11), on the stack.
#[derive(Clone, Copy, Debug)]
pub struct PhoneDigits {
    b: [u8; 12],
    n: usize,
}

impl PhoneDigits {
    /// The digits as text (`09012345678`).
    pub fn as_str(&self) -> &str {
        self.b
            .get(..self.n)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl std::ops::Deref for PhoneDigits {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

fn groups_ok(groups: &[usize], allowed: &[&[usize]]) -> bool {
    allowed.contains(&groups)
}

/// Whether the first three digits after the trunk `0` of a geographic number (`0AB-C…`) are
/// allocated: libphonenumber's fixed-line pattern for Japan (its `PhoneNumberMetadata`
/// `JP`, `nationalNumberPattern` of `fixedLine`), digit by digit. `03-0…`, `011-9…` and
/// `0120` written as a 10-digit geographic number are not.
fn fixed_line_prefix(a: u8, b: u8, c: u8) -> bool {
    match (a, b) {
        (1, 1) => matches!(c, 2 | 3 | 5..=8),
        (1, 2) => matches!(c, 3..=6),
        (1, 3) => matches!(c, 3..=9),
        (1, 4) => matches!(c, 2..=6),
        (1, 5 | 8) => matches!(c, 2..=8),
        (1, 6) => matches!(c, 2..=7),
        (1, 7) => matches!(c, 2..=9),
        (1, 9) => matches!(c, 1..=9),
        (2, 2..=9) | (3 | 6, 1..=9) => c <= 9,
        (4, 2..=5 | 7 | 8) => c <= 9,
        (4, 6) => matches!(c, 0 | 2..=8),
        (4, 9) => matches!(c, 2..=5 | 9),
        (5, 2..=5 | 8 | 9) => c <= 9,
        (5, 6) => matches!(c, 1..=9),
        (5, 7) => matches!(c, 2..=8),
        (7, 2 | 5..=9) => c <= 9,
        (7, 3) => matches!(c, 4..=9),
        (7, 4) => matches!(c, 0 | 2..=9),
        (8, 2 | 6 | 7 | 9) => c <= 9,
        (8, 3) => matches!(c, 2..=9),
        (8, 4) => matches!(c, 5..=9),
        (8, 5) => matches!(c, 1..=9),
        (8, 8) => matches!(c, 0 | 3..=9),
        (9, 2..=5 | 8) => c <= 9,
        (9, 6 | 7 | 9) => matches!(c, 1..=9),
        _ => false,
    }
}

/// A postal code (`100-0001`, `〒1000001`, full width too) that Japan Post lists: the code.
pub fn postal_code(s: &str) -> Option<u32> {
    let t = trim(s).trim_start_matches('〒').trim_start();
    postal_code_of(&digit_groups(t)?)
}

/// [`postal_code`] on the digits already split.
#[inline]
pub(crate) fn postal_code_of(x: &Digits) -> Option<u32> {
    let (d, groups) = (x.digits(), x.groups());
    if d.len() != 7 || !(groups == [3, 4] || groups == [7]) {
        return None;
    }
    let code = d.iter().fold(0u32, |a, x| a * 10 + u32::from(*x));
    POSTAL_TABLE.contains(code).then_some(code)
}

/// An e-mail address (ASCII local part and domain with a dot and a letters-only TLD).
pub fn email(s: &str) -> bool {
    let b = trim(s).as_bytes();
    let Some(at) = memchr::memrchr(b'@', b) else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    if local.is_empty()
        || local.len() > 64
        || domain.len() > 253
        || local.first() == Some(&b'.')
        || local.last() == Some(&b'.')
        || !local.iter().all(|c| email_local_byte(*c))
    {
        return false;
    }
    // Labels: non-empty, letters, digits and `-`, not starting with `-`; at least two; the
    // last (the TLD) two letters or more. One pass, a table lookup per byte.
    let (mut labels, mut len, mut alpha) = (0, 0, true);
    for &c in domain {
        if c == b'.' {
            if len == 0 {
                return false;
            }
            (labels, len, alpha) = (labels + 1, 0, true);
            continue;
        }
        let k = EMAIL[usize::from(c)];
        if k & E_DOMAIN == 0 || (len == 0 && c == b'-') {
            return false;
        }
        len += 1;
        alpha &= k & E_ALPHA != 0;
    }
    len >= 2 && alpha && labels >= 1
}

/// Can `b` stand in an e-mail's local part (letters, digits, `.` `_` `%` `+` `-`)?
#[inline]
pub(crate) fn email_local_byte(b: u8) -> bool {
    EMAIL[usize::from(b)] & E_LOCAL != 0
}

/// Can `b` stand in a domain label (letters, digits, `-`)?
#[inline]
pub(crate) fn email_label_byte(b: u8) -> bool {
    EMAIL[usize::from(b)] & E_DOMAIN != 0
}

/// [`email`]'s classes of bytes: in a local part, in a domain label, a letter.
const E_LOCAL: u8 = 1;
const E_DOMAIN: u8 = 2;
const E_ALPHA: u8 = 4;
const EMAIL: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphabetic() {
            t[i] = E_LOCAL | E_DOMAIN | E_ALPHA;
        } else if c.is_ascii_digit() || c == b'-' {
            t[i] = E_LOCAL | E_DOMAIN;
        } else if matches!(c, b'.' | b'_' | b'%' | b'+') {
            t[i] = E_LOCAL;
        }
        i += 1;
    }
    t
};

/// A date as (year, month, day).
pub type Ymd = (i32, u32, u32);

/// Latest year accepted for any date.
pub const MAX_YEAR: i32 = 2030;

const ERAS: [(&str, char, i32, i32); 5] = [
    ("明治", 'M', 1868, 45),
    ("大正", 'T', 1912, 15),
    ("昭和", 'S', 1926, 64),
    ("平成", 'H', 1989, 31),
    ("令和", 'R', 2019, 30),
];

/// The squared era characters, in the order of [`ERAS`]: `㍾` `㍽` `㍼` `㍻` `㋿`.
const ERA_SQUARED: [&[u8]; 5] = [
    b"\xE3\x8D\xBE",
    b"\xE3\x8D\xBD",
    b"\xE3\x8D\xBC",
    b"\xE3\x8D\xBB",
    b"\xE3\x8B\xBF",
];

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Up to three numbers of a date.
#[derive(Default)]
struct Nums {
    v: [u32; 3],
    n: usize,
}

impl Nums {
    /// `None` when a fourth number comes (no date has one).
    fn push(&mut self, x: u32) -> Option<()> {
        *self.v.get_mut(self.n)? = x;
        self.n += 1;
        Some(())
    }
    fn is_empty(&self) -> bool {
        self.n == 0
    }
    fn as_slice(&self) -> &[u32] {
        &self.v[..self.n]
    }
}

/// Parses a calendar date: `1980-04-12`, `1980/4/12`, `1980.4.12`, `1980年4月12日`,
/// `19800412`, `昭和55年4月12日`, `S55.4.12`, `平成元年1月8日`, `㍻2年3月4日`.
pub fn date(s: &str) -> Option<Ymd> {
    if s.is_ascii() {
        return date_ascii(trim(s).as_bytes());
    }
    match date_kanji(trim(s).as_bytes()) {
        Some(d) => d,
        None => date_chars(s),
    }
}

/// [`date`] of the common forms with kanji (`昭和55年4月12日`, `1980年4月12日`,
/// `平成元年1月8日`, `㍻2年3月4日`), byte by byte: ASCII digits, an era name or squared era
/// character at the start, `年` `月` `日` and `元`. `None` when anything else is there
/// (full-width digits, spaces outside ASCII): [`date_chars`] decides those.
fn date_kanji(t: &[u8]) -> Option<Option<Ymd>> {
    const NEN: [u8; 3] = *b"\xE5\xB9\xB4"; // 年
    const TSUKI: [u8; 3] = *b"\xE6\x9C\x88"; // 月
    const HI: [u8; 3] = *b"\xE6\x97\xA5"; // 日
    const GEN: [u8; 3] = *b"\xE5\x85\x83"; // 元
    let mut era = None;
    let mut rest = t;
    if !t.first()?.is_ascii_digit() {
        // An era name, or its squared character (NFKC turns `㍻` into `平成`).
        let (i, len) = match ERAS.iter().position(|e| t.starts_with(e.0.as_bytes())) {
            Some(i) => (i, 6),
            None => (ERA_SQUARED.iter().position(|e| t.starts_with(e))?, 3),
        };
        let (_, _, base, max) = *ERAS.get(i)?;
        era = Some((base, max));
        rest = t.get(len..)?;
    }
    let skip = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        .count();
    let mut rest = rest.get(skip..)?;
    let mut nums = Nums::default();
    let mut cur: Option<u32> = None;
    let mut seps = 0;
    while let Some((&c, tail)) = rest.split_first() {
        let sep = match c {
            b'0'..=b'9' => {
                let v = cur
                    .unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u32::from(c - b'0')));
                match v {
                    Some(v) if v <= 99_999_999 => cur = Some(v),
                    _ => return Some(None),
                }
                rest = tail;
                continue;
            }
            b'-' | b'/' | b'.' => 1,
            b' ' => {
                rest = tail;
                continue;
            }
            0..=0x7F => return Some(None),
            _ => match rest.get(..3)? {
                x if x == NEN || x == TSUKI => 3,
                x if x == HI => {
                    if let Some(v) = cur.take() {
                        if nums.push(v).is_none() {
                            return Some(None);
                        }
                        seps += 1;
                    }
                    // Anything after `日`: no date (checked on the slow path when it is not
                    // ASCII, as NFKC might apply there).
                    return match rest.get(3..)? {
                        [] => Some(ymd(&nums, seps, era)),
                        r if r.is_ascii() => Some(None),
                        _ => None,
                    };
                }
                x if x == GEN && era.is_some() && nums.is_empty() && cur.is_none() => {
                    cur = Some(1);
                    rest = rest.get(3..)?;
                    continue;
                }
                _ => return None,
            },
        };
        match cur.take() {
            Some(v) => {
                if nums.push(v).is_none() {
                    return Some(None);
                }
                seps += 1;
            }
            None => return Some(None),
        }
        rest = rest.get(sep..)?;
    }
    if let Some(v) = cur
        && nums.push(v).is_none()
    {
        return Some(None);
    }
    Some(ymd(&nums, seps, era))
}

/// [`date`] character by character: every form, ASCII ones included (the unit tests check
/// [`date_ascii`] against it).
fn date_chars(s: &str) -> Option<Ymd> {
    // NFKC only when a compatibility character is there (㍻, full-width digits): it allocates.
    let owned: String;
    let t = if s.chars().any(|c| {
        ('\u{3300}'..='\u{33FF}').contains(&c)
            || ('\u{32FF}'..='\u{32FF}').contains(&c)
            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
    }) {
        owned = s.trim().nfkc().collect();
        owned.trim()
    } else {
        trim(s)
    };
    let mut era: Option<(i32, i32)> = None;
    let mut rest = t;
    // Gregorian dates (the common case) start with a digit: no era to look for.
    let eras: &[_] = if t.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        &[]
    } else {
        &ERAS
    };
    for &(name, abbr, base, max) in eras {
        if let Some(r) = rest.strip_prefix(name) {
            era = Some((base, max));
            rest = r;
            break;
        }
        if let Some(r) = rest
            .strip_prefix(abbr)
            .or_else(|| rest.strip_prefix(abbr.to_ascii_lowercase()))
        {
            era = Some((base, max));
            rest = r;
            break;
        }
    }
    let rest = rest.trim_start();
    // At most three numbers (more is no date), on the stack.
    let mut nums = Nums::default();
    let mut cur: Option<u32> = None;
    let mut seps = 0;
    let mut chars = rest.chars().peekable();
    for c in chars.by_ref() {
        if let Some(dg) = c.to_digit(10) {
            let v = cur.unwrap_or(0).checked_mul(10)?.checked_add(dg)?;
            if v > 99_999_999 {
                return None;
            }
            cur = Some(v);
        } else if c == '元' && era.is_some() && nums.is_empty() && cur.is_none() {
            cur = Some(1);
        } else if matches!(c, '-' | '/' | '.' | '年' | '月' | '日') {
            if let Some(v) = cur.take() {
                nums.push(v)?;
                seps += 1;
            } else if c != '日' {
                return None;
            }
            if c == '日' {
                break;
            }
        } else if c == ' ' {
            continue;
        } else {
            return None;
        }
    }
    if let Some(v) = cur {
        nums.push(v)?;
    }
    if chars.next().is_some() {
        return None;
    }
    ymd(&nums, seps, era)
}

/// [`date`] of an ASCII string (already trimmed), byte by byte: Gregorian dates and
/// Latin-letter era dates (`S55.4.12`), the forms tables hold by the million.
fn date_ascii(t: &[u8]) -> Option<Ymd> {
    let (era, rest) = match t.first()? {
        b'0'..=b'9' => (None, t),
        c => {
            let up = char::from(c.to_ascii_uppercase());
            let &(_, _, base, max) = ERAS.iter().find(|e| e.1 == up)?;
            (Some((base, max)), t.get(1..)?)
        }
    };
    let mut nums = Nums::default();
    let mut cur: Option<u32> = None;
    let mut seps = 0;
    // `str::trim_start` on ASCII (which, unlike `trim_ascii_start`, also drops U+000B).
    let skip = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        .count();
    for &c in rest.get(skip..)? {
        match c {
            b'0'..=b'9' => {
                let v = cur
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u32::from(c - b'0'))?;
                if v > 99_999_999 {
                    return None;
                }
                cur = Some(v);
            }
            b'-' | b'/' | b'.' => {
                nums.push(cur.take()?)?;
                seps += 1;
            }
            b' ' => {}
            _ => return None,
        }
    }
    if let Some(v) = cur {
        nums.push(v)?;
    }
    ymd(&nums, seps, era)
}

/// The date of up to three numbers and an era, when it is one.
fn ymd(nums: &Nums, seps: usize, era: Option<(i32, i32)>) -> Option<Ymd> {
    let (y, m, d) = match (nums.as_slice(), era) {
        ([ymd], None) if seps == 0 && *ymd >= 1000_0000 => {
            (*ymd as i32 / 10000, ymd / 100 % 100, ymd % 100)
        }
        ([y, m, d], None) if *y >= 1000 => (*y as i32, *m, *d),
        ([n, m, d], Some((base, max))) if (1..=max as u32).contains(n) => {
            (base + *n as i32 - 1, *m, *d)
        }
        _ => return None,
    };
    if !(1868..=MAX_YEAR).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// A plausible birth date (1900..=2026).
pub fn birth_date(s: &str) -> Option<Ymd> {
    date(s).filter(|d| (1900..=2026).contains(&d.0))
}

/// A plausible passport issue date (1990..=2030: passports are valid ten years at most, and
/// older issues only matter for history).
pub fn issue_date(s: &str) -> Option<Ymd> {
    date(s).filter(|d| (1990..=MAX_YEAR).contains(&d.0))
}

/// A Japanese passport number: two capital letters and seven digits (`TK1234567`).
pub fn passport_number(s: &str) -> bool {
    let b = trim(s).as_bytes();
    b.len() == 9
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// A value that stands for none in a form's field (`unknown`, `N/A`, `不明`, `未入力`, `退会`):
/// no name, though it has a name's shape.
#[inline]
pub fn placeholder(s: &str) -> bool {
    // Longer values (most names: `今村 啓恵` is 13 bytes) are none, without a call.
    let t = trim(s);
    t.len() <= 12 && placeholder_word(t)
}

#[inline(never)]
fn placeholder_word(s: &str) -> bool {
    let t = s.as_bytes();
    // It runs for every name cell: one match on the value in ASCII lower case (the compiler
    // switches on the length first), no scan of a word list.
    let mut low = [0u8; 12];
    let Some(l) = low.get_mut(..t.len()) else {
        return false;
    };
    l.copy_from_slice(t);
    l.make_ascii_lowercase();
    matches!(
        &*l,
        b"unknown"
            | b"none"
            | b"null"
            | b"nil"
            | b"na"
            | b"n/a"
            | b"test"
            | b"tbd"
            | b"dummy"
            | b"sample"
            | b"anonymous"
            | b"guest"
            | b"noname"
    ) || matches!(
        trim(s),
        "不明"
            | "なし"
            | "無し"
            | "未定"
            | "未入力"
            | "未登録"
            | "削除"
            | "削除済み"
            | "退会"
            | "退会済み"
            | "テスト"
    )
}

/// A passport number of another country (China's `E12345678`, Korea's `M12345678`, the United
/// States' `561234567`): 6 to 10 capital letters and digits, 6 digits at least. Counted only
/// in a column named for passports (a hotel's register of foreign guests).
pub fn foreign_passport(s: &str) -> bool {
    let b = trim(s).as_bytes();
    (6..=10).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 6
}

/// A phone number in the international form of a country other than Japan
/// (`+86-10-1234-5678`, `+1 212 555 0100`, `+44 (0)20 7946 0958`): `+`, a country code and 8
/// to 15 digits in all (ITU-T E.164), with spaces, hyphens, dots or brackets between. Counted
/// only in a column named for phones; the key is `+` and the digits.
pub fn intl_phone(s: &str) -> Option<String> {
    let t = trim(s);
    let rest = t.strip_prefix('+').or_else(|| t.strip_prefix('＋'))?;
    // A trunk zero in brackets (`+44 (0)20 …`) is no digit of the number.
    let rest = rest.replacen("(0)", "", 1);
    let mut key = String::with_capacity(16);
    key.push('+');
    for c in rest.chars() {
        match c {
            '0'..='9' => key.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let n = key.len() - 1;
    ((8..=15).contains(&n) && !key.starts_with("+0") && !key.starts_with("+81")).then_some(key)
}

/// The My Number check digit (個人番号の指定等に関する省令 第5条) holds for 12 digits.
pub fn my_number_digits(d: &[u8]) -> bool {
    if d.len() != 12 || d.iter().all(|x| *x == d[0]) {
        return false;
    }
    let sum: u32 = (1..=11)
        .map(|n| {
            let p = u32::from(d[11 - n]);
            let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
            p * q
        })
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    u32::from(d[11]) == check
}

/// A My Number (12 digits, optionally 4-4-4, check digit valid).
pub fn my_number(s: &str) -> bool {
    digit_groups(trim(s)).is_some_and(|x| my_number_of(&x))
}

/// [`my_number`] of a number already split into digit groups.
pub(crate) fn my_number_of(x: &Digits) -> bool {
    let g = x.groups();
    (g == [12] || g == [4, 4, 4]) && my_number_digits(x.digits())
}

/// A payment card number: 13-19 digits (groups of 4, or Amex 4-6-5), Luhn, a known IIN range.
pub fn credit_card(s: &str) -> bool {
    digit_groups(trim(s)).is_some_and(|x| credit_card_of(&x))
}

/// [`credit_card`] of a number already split into digit groups.
pub(crate) fn credit_card_of(x: &Digits) -> bool {
    let (d, g) = (x.digits(), x.groups());
    let n = d.len();
    if !(13..=19).contains(&n)
        || !(g.len() == 1
            || g.iter().all(|x| *x == 4)
            || g == [4, 6, 5]
            || (g.len() > 1 && g[..g.len() - 1].iter().all(|x| *x == 4)))
    {
        return false;
    }
    let luhn: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, x)| {
            let x = u32::from(*x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    if !luhn.is_multiple_of(10) {
        return false;
    }
    let pre = |k: usize| d[..k].iter().fold(0u32, |a, x| a * 10 + u32::from(*x));
    match d[0] {
        4 => matches!(n, 13 | 16 | 19),
        5 => (51..=55).contains(&pre(2)) && n == 16,
        2 => (2221..=2720).contains(&pre(4)) && n == 16,
        3 => {
            (matches!(pre(2), 34 | 37) && n == 15)
                || ((3528..=3589).contains(&pre(4)) && n == 16)
                || ((300..=305).contains(&pre(3)) || matches!(pre(2), 36 | 38 | 39)) && n >= 14
        }
        6 => (pre(4) == 6011 || pre(2) == 65 || (644..=649).contains(&pre(3))) && n == 16,
        _ => false,
    }
}

/// A Japanese bank account number: 7 digits (6-8 tolerated; the keyword or header is what
/// makes it an account).
pub fn bank_account(s: &str) -> bool {
    digit_groups(trim(s)).is_some_and(|x| bank_account_of(&x))
}

/// [`bank_account`] of a number already split into digit groups.
pub(crate) fn bank_account_of(x: &Digits) -> bool {
    x.groups().len() == 1 && (6..=8).contains(&x.n)
}

/// A gender value as it appears in a gender column.
pub fn gender(s: &str) -> bool {
    matches!(
        trim(s),
        "男" | "女"
            | "男性"
            | "女性"
            | "M"
            | "F"
            | "m"
            | "f"
            | "male"
            | "female"
            | "Male"
            | "Female"
            | "MALE"
            | "FEMALE"
            | "男子"
            | "女子"
    )
}

/// Splits a full name at a space (ASCII, ideographic) or a middle dot.
/// The parts of a name split at spaces, `・` and commas (at most three kept, on the stack).
struct NameParts<'a> {
    p: [&'a str; 3],
    n: usize,
}

impl<'a> NameParts<'a> {
    fn as_slice(&self) -> &[&'a str] {
        &self.p[..self.n]
    }
}

fn split_name(s: &str) -> NameParts<'_> {
    let mut x = NameParts { p: [""; 3], n: 0 };
    // Bytes, not a char-set search: ` ` and `,`, U+3000 (`E3 80 80`), `・` (`E3 83 BB`).
    let b = s.as_bytes();
    let (mut i, mut start) = (0, 0);
    loop {
        let sep = match b.get(i) {
            None => 0,
            Some(b' ' | b',') => 1,
            Some(0xE3) if matches!(b.get(i + 1..i + 3), Some([0x80, 0x80] | [0x83, 0xBB])) => 3,
            // A whole character at a time (`i` stays on character starts).
            Some(&x) => {
                i += match x {
                    0xF0.. => 4,
                    0xE0.. => 3,
                    0xC0.. => 2,
                    _ => 1,
                };
                continue;
            }
        };
        if i > start {
            let Some(slot) = x.p.get_mut(x.n) else {
                break;
            };
            *slot = s.get(start..i).unwrap_or("");
            x.n += 1;
        }
        if sep == 0 {
            break;
        }
        i += sep;
        start = i;
    }
    x
}

/// The three-byte character at `i` of UTF-8 bytes `b`, if one starts there.
#[inline]
fn bmp3(b: &[u8], i: usize) -> Option<char> {
    let x = *b.get(i)?;
    if !(0xE0..0xF0).contains(&x) {
        return None;
    }
    let (y, z) = (*b.get(i + 1)?, *b.get(i + 2)?);
    char::from_u32((u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F))
}

pub(crate) fn is_kanji_char(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || c == '々'
        || c == 'ヶ'
}

pub(crate) fn is_kana_char(c: char) -> bool {
    ('\u{30A1}'..='\u{30FC}').contains(&c) || ('\u{3041}'..='\u{3096}').contains(&c)
}

/// At most 12 characters, kanji, kana and spaces only, at least one kanji: one pass over the
/// bytes (every such character but ` ` is three bytes in UTF-8).
fn kanji_shape(s: &str) -> bool {
    let (mut n, mut kanji) = (0, false);
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        n += 1;
        if n > 12 {
            return false;
        }
        if x == b' ' {
            i += 1;
            continue;
        }
        let Some(c) = bmp3(b, i) else {
            return false;
        };
        if is_kanji_char(c) {
            kanji = true;
        } else if !(c == '\u{3000}' || is_kana_char(c)) {
            return false;
        }
        i += 3;
    }
    kanji
}

/// At most 20 characters, kana, `・` and spaces only, not empty (one pass over the bytes).
fn kana_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let (mut i, mut n) = (0, 0);
    while let Some(&x) = b.get(i) {
        n += 1;
        if n > 20 {
            return false;
        }
        if x == b' ' {
            i += 1;
            continue;
        }
        match bmp3(b, i) {
            Some(c) if is_kana_char(c) || c == '\u{3000}' || c == '・' => i += 3,
            _ => return false,
        }
    }
    n > 0
}

/// A name in kanji: family name (and given name) in the dictionary. `strict` asks for both
/// parts to be known; the column classifier uses the lenient form.
pub fn name_kanji(s: &str) -> bool {
    let s = trim(s);
    if !kanji_shape(s) {
        return false;
    }
    let d = &*NAMES_DICT;
    let parts = split_name(s);
    match parts.as_slice() {
        [last, first] => d.is_kanji(Part::Last, last) || d.is_kanji(Part::First, first),
        [one] => {
            // No separator: try every split point, family name first.
            d.is_kanji(Part::Last, one)
                || one.char_indices().skip(1).any(|(i, _)| {
                    let (a, b) = one.split_at(i);
                    d.is_kanji(Part::Last, a) && d.is_kanji(Part::First, b)
                })
        }
        _ => false,
    }
}

/// A full name in kanji whose family *and* given name are in the dictionary (`山田太郎`,
/// `山田 太郎`): the form for a name found by what follows it (`様`), not by a keyword.
pub fn full_name_kanji(s: &str) -> bool {
    let s = trim(s);
    if !kanji_shape(s) {
        return false;
    }
    let d = &*NAMES_DICT;
    match split_name(s).as_slice() {
        [last, first] => d.is_kanji(Part::Last, last) && d.is_kanji(Part::First, first),
        // Without a space, a family name alone is no full name, though it may split into
        // two known parts (`藤原` into `藤` and `原`), nor are two kanji (`社長` would be
        // `社` and `長`: the dictionary has rare one-kanji names).
        [one] => {
            one.chars().nth(2).is_some()
                && one
                    .chars()
                    .next()
                    .zip(one.chars().next_back())
                    .is_some_and(|(a, z)| d.may_be_full_name(a, z))
                && !d.is_kanji(Part::Last, one)
                && one.char_indices().skip(1).any(|(i, _)| {
                    let (a, b) = one.split_at(i);
                    d.is_kanji(Part::Last, a) && d.is_kanji(Part::First, b)
                })
        }
        _ => false,
    }
}

/// The key a kanji name found in text is counted by: its parts joined by one space, so that
/// `佐藤花子`, `佐藤 花子` and `佐藤　花子` are one person. A name written without a space is
/// split where the dictionary knows both parts; else it is kept as written.
pub fn kanji_name_key(s: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let s = trim(s);
    let parts = split_name(s);
    match parts.as_slice() {
        [last, first]
            if s.len() == last.len() + 1 + first.len() && s.bytes().any(|b| b == b' ') =>
        {
            Cow::Borrowed(s)
        }
        [last, first] => Cow::Owned(format!("{last} {first}")),
        [one] => {
            let d = &*NAMES_DICT;
            one.char_indices()
                .skip(1)
                .map(|(i, _)| one.split_at(i))
                .find(|(a, b)| d.is_kanji(Part::Last, a) && d.is_kanji(Part::First, b))
                .map_or(Cow::Borrowed(s), |(a, b)| Cow::Owned(format!("{a} {b}")))
        }
        _ => Cow::Borrowed(s),
    }
}

/// A name in katakana or hiragana, with the dictionary's readings.
pub fn name_kana(s: &str) -> bool {
    kana_name(s, false)
}

/// A full name in kana whose family *and* given name are in the dictionary (`ヤマダ タロウ`,
/// `ヤマダタロウ`): the form for a name found in a list or after a role (`参加者：…`), not
/// after a name keyword.
pub fn full_name_kana(s: &str) -> bool {
    kana_name(s, true)
}

/// A name in kana: a family or a given name the dictionary knows, or both (`full`); without
/// a separator, a split point with both parts known.
fn kana_name(s: &str, full: bool) -> bool {
    let s = trim(s);
    if !kana_shape(s) {
        // Half-width katakana (`ﾔﾏﾀﾞ ﾀﾛｳ`): judged in full width.
        return crate::tables::has_halfwidth_kana(s)
            && kana_name(&crate::tables::fullwidth_kana(s), full);
    }
    let d = &*NAMES_DICT;
    match split_name(s).as_slice() {
        [last, first] if full => d.is_kana(Part::Last, last) && d.is_kana(Part::First, first),
        [last, first] => d.is_kana(Part::Last, last) || d.is_kana(Part::First, first),
        [one] => {
            (!full && (d.is_kana(Part::Last, one) || d.is_kana(Part::First, one)))
                // No separator (`ヤマダタロウ`): a split point with both parts known.
                || one.char_indices().skip(2).any(|(i, _)| {
                    let (a, b) = one.split_at(i);
                    b.chars().nth(1).is_some()
                        && d.is_kana(Part::Last, a)
                        && d.is_kana(Part::First, b)
                })
        }
        _ => false,
    }
}

/// A full name in Latin letters: two words, a family and a given name the dictionary knows
/// in either order (`Taro Yamada`, `YAMADA TARO`), or a name as airlines write it
/// (`YAMADA/TARO MR`).
pub fn full_name_romaji(s: &str) -> bool {
    airline_name(s).is_some() || split_name(trim(s)).as_slice().len() == 2 && name_romaji(s)
}

/// Titles airlines write after a given name (`MR`, `MRS`, `MS`, `MISS`, `MSTR` for a boy,
/// `CHD` and `INF` for a child and an infant), longest first.
const AIRLINE_TITLES: [&str; 8] = ["MSTR", "MISS", "MRS", "CHD", "INF", "MR", "MS", "DR"];

/// A name as airlines write it on tickets, boarding passes and bookings (`YAMADA/TARO MR`,
/// `YAMADA/HANAKOMRS`, `Yamada/Taro`): the family name, a slash, the given name and perhaps
/// a title, after a space or joined to it; both names known to the dictionary. The family
/// and the given name.
pub fn airline_name(s: &str) -> Option<(&str, &str)> {
    let s = trim(s);
    // By bytes: this is asked of every name in letters (most have no slash).
    let b = s.as_bytes();
    if b.len() > 48 || !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let slash = b.iter().position(|x| *x == b'/')?;
    let (last, rest) = (s.get(..slash)?, s.get(slash + 1..)?);
    let letters = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic());
    let d = &*NAMES_DICT;
    if !letters(last) || !d.is_romaji(Part::Last, last) {
        return None;
    }
    let rest = rest.trim_end();
    std::iter::once(rest)
        .chain(AIRLINE_TITLES.iter().filter_map(|t| {
            // The title in either case (`Yamada/Taro Mr`), after a space or joined.
            let cut = rest.len().checked_sub(t.len())?;
            let tail = rest.get(cut..)?;
            tail.eq_ignore_ascii_case(t)
                .then(|| rest.get(..cut).map(str::trim_end))
                .flatten()
        }))
        .find(|g| letters(g) && d.is_romaji(Part::First, g))
        .map(|g| (last, g))
}

/// The key a name in Latin letters is counted under: an airline's `YAMADA/TARO MR` as
/// `YAMADA TARO`, so that it is the person written the other way too.
pub fn romaji_key(s: &str) -> std::borrow::Cow<'_, str> {
    match airline_name(s) {
        Some((last, first)) => std::borrow::Cow::Owned(format!("{last} {first}")),
        None => std::borrow::Cow::Borrowed(trim(s)),
    }
}

/// A name in Latin letters (`YAMADA TARO`, `Taro Yamada`, `Yamada, Taro`), with at least one
/// part in the dictionary.
pub fn name_romaji(s: &str) -> bool {
    let s = trim(s);
    if s.is_empty()
        || s.len() > 40
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b' ' || b == b',')
    {
        // Or as airlines write it (`YAMADA/TARO MR`).
        return s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && airline_name(s).is_some();
    }
    let d = &*NAMES_DICT;
    match split_name(s).as_slice() {
        [a, b] => {
            (d.is_romaji(Part::Last, a) && d.is_romaji(Part::First, b))
                || (d.is_romaji(Part::First, a) && d.is_romaji(Part::Last, b))
        }
        [one] => d.is_romaji(Part::Last, one) || d.is_romaji(Part::First, one),
        _ => false,
    }
}

/// Common English words the romaji dictionary also holds as names (`to` ト, `an` 杏, `so`
/// 宗, `hide` 秀, `date` 伊達, `go` 剛): in free text after a label (`Name to use`, `name: go`
/// in a build file, `Distinguished Name to an RFC 2253 string`) they are the words they
/// are. A name in a table's name column is judged by its column, not by this list.
fn english_word(w: &[u8]) -> bool {
    let mut l = [0u8; 5];
    let Some(dst) = l.get_mut(..w.len()) else {
        return false;
    };
    for (d, x) in dst.iter_mut().zip(w) {
        *d = x.to_ascii_lowercase();
    }
    matches!(
        &l[..w.len()],
        b"a" | b"an"
            | b"as"
            | b"at"
            | b"be"
            | b"by"
            | b"date"
            | b"den"
            | b"do"
            | b"en"
            | b"fuse"
            | b"gen"
            | b"go"
            | b"he"
            | b"hide"
            | b"i"
            | b"if"
            | b"in"
            | b"is"
            | b"it"
            | b"me"
            | b"mine"
            | b"more"
            | b"no"
            | b"note"
            | b"o"
            | b"of"
            | b"on"
            | b"one"
            | b"or"
            | b"ran"
            | b"sea"
            | b"so"
            | b"son"
            | b"take"
            | b"ten"
            | b"to"
            | b"todo"
            | b"token"
            | b"wake"
            | b"you"
    )
}

/// Is every word of `s` a common English word ([`english_word`])?
pub(crate) fn english_words(s: &str) -> bool {
    let mut words = s.split([' ', ',']).filter(|w| !w.is_empty()).peekable();
    words.peek().is_some() && words.all(|w| english_word(w.as_bytes()))
}

/// An address: a prefecture (optional when the municipality is unambiguous is not accepted),
/// a municipality Japan Post lists for it, then a block number (`1-2-3`, `1丁目2番3号`,
/// `123番地`). `postal` is the postal code seen beside it, if any: when its municipality
/// matches, a municipality missing from the table is accepted too.
pub fn address(s: &str, postal: Option<u32>) -> bool {
    let s = trim(s);
    let Some((pi, rest)) = crate::tables::prefecture_prefix(s) else {
        return false;
    };
    let table = &*POSTAL_TABLE;
    let city = table.municipality_prefix(pi, rest);
    // Cross-check with the postal code only when the municipality is not in the table.
    let cross = || {
        postal
            .and_then(|c| table.lookup(c))
            .is_some_and(|(p, _)| p == PREFECTURES[pi])
    };
    let after = match city {
        Some(c) => &rest[c.len()..],
        None if cross() => rest,
        None => return false,
    };
    has_block(after)
}

/// A block number somewhere after the municipality (`1-2-3`, `三丁目`, `１番地`).
fn has_block(after: &str) -> bool {
    after.bytes().any(|b| b.is_ascii_digit())
        || after
            .chars()
            .any(|c| digit(c).is_some() || "一二三四五六七八九十".contains(c))
        || after.contains("丁目")
        || after.contains("番地")
}

/// An address written without its prefecture (`千代田区千代田1-1`, `横浜市中区山下町1-2`), as
/// address columns often hold it: a municipality (the postal code's, when the row has one;
/// else of any prefecture), then a block number. For table cells under an address header:
/// it tries every prefecture's municipalities.
pub fn address_without_prefecture(s: &str, postal: Option<u32>) -> bool {
    let s = trim(s);
    if crate::tables::prefecture_prefix(s).is_some() {
        return false;
    }
    let table = &*POSTAL_TABLE;
    let city = match postal.and_then(|c| table.lookup(c)) {
        Some((_, c)) if s.starts_with(c) => Some(c),
        _ => (0..PREFECTURES.len()).find_map(|pi| table.municipality_prefix(pi, s)),
    };
    city.is_some_and(|c| has_block(&s[c.len()..]))
}

/// Classifies a lone value (a table cell) by the validators that need no keyword. Dates are
/// left to the caller (their meaning comes from the header).
pub fn classify_cell(s: &str) -> Option<Category> {
    let s = trim(s);
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if s.contains('@') {
        return email(s).then_some(Category::Email);
    }
    if phone(s).is_some() {
        return Some(Category::Phone);
    }
    if postal_code(s).is_some() {
        return Some(Category::PostalCode);
    }
    if passport_number(s) {
        return Some(Category::PassportNumber);
    }
    if credit_card(s) {
        return Some(Category::CreditCard);
    }
    if gender(s) {
        return Some(Category::Gender);
    }
    if address(s, None) {
        return Some(Category::Address);
    }
    if name_kanji(s) {
        return Some(Category::NameKanji);
    }
    if name_kana(s) {
        return Some(Category::NameKana);
    }
    if name_romaji(s) {
        return Some(Category::NameRomaji);
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    #[test]
    fn placeholders_are_the_words_for_none() {
        for w in [
            "unknown",
            "UNKNOWN",
            " Unknown ",
            "none",
            "NULL",
            "nil",
            "NA",
            "n/a",
            "N/A",
            "test",
            "TBD",
            "dummy",
            "Sample",
            "anonymous",
            "Guest",
            "noname",
            "不明",
            "なし",
            "無し",
            "未定",
            "未入力",
            "未登録",
            "削除",
            "削除済み",
            "退会",
            "退会済み",
            "テスト",
            "　不明　",
        ] {
            assert!(placeholder(w), "{w}");
        }
        for n in [
            "",
            "n",
            "nana",
            "unknowns",
            "TESTER",
            "YAMADA TARO",
            "IMAMURA AKIE",
            "山田 太郎",
            "不明な人",
            "テスト太郎",
            "ナシ",
            "退会済みです",
            "ｎ/ａ",
        ] {
            assert!(!placeholder(n), "{n}");
        }
    }

    #[test]
    fn kanji_names_are_keyed_with_one_space() {
        for n in ["佐藤花子", "佐藤 花子", "佐藤　花子", " 佐藤  花子 "] {
            assert_eq!(kanji_name_key(n), "佐藤 花子", "{n}");
        }
        assert_eq!(kanji_name_key("佐々木希"), "佐々木 希");
    }

    /// A family name alone is no full name, though it may split into two known parts.
    #[test]
    fn family_names_alone_are_no_full_names() {
        let lone: Vec<&str> = include_str!("../data/names.tsv")
            .lines()
            .filter_map(|l| l.strip_prefix("L\t"))
            .filter_map(|l| l.split('\t').next())
            .filter(|n| full_name_kanji(n))
            .collect();
        assert!(lone.is_empty(), "{lone:?}");
        for n in ["山田太郎", "山田 太郎", "藤原紀香", "佐々木 希"] {
            assert!(full_name_kanji(n), "{n}");
        }
    }

    use super::*;

    /// 20,000 strings of up to `most - 1` pieces of `parts` each, drawn by xorshift from `seed`.
    pub(crate) fn joined(parts: &[&str], most: u64, seed: u64) -> impl Iterator<Item = String> {
        let mut x = seed;
        (0..20_000).map(move |_| {
            let mut s = String::new();
            for _ in 0..(x % most) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(parts[(x % parts.len() as u64) as usize]);
            }
            x = x.wrapping_add(1);
            s
        })
    }

    #[test]
    fn trim_is_str_trim() {
        let parts = [
            "a", "山", " ", "\u{3000}", "\u{a0}", "\u{85}", "\t", "\n", "ア", "😀", ":",
            "\u{2028}", "é",
        ];
        for s in joined(&parts, 6, 5) {
            assert_eq!(trim(&s), s.trim(), "{s:?}");
        }
    }

    /// [`digit_groups`] over chars, as first written.
    fn digit_groups_reference(s: &str) -> Option<(Vec<u8>, Vec<usize>)> {
        let (mut d, mut g, mut run) = (Vec::new(), Vec::new(), 0);
        for ch in s.chars() {
            if let Some(x) = digit(ch) {
                d.push(x);
                run += 1;
                continue;
            }
            if !(is_hyphen(ch) || matches!(ch, ' ' | '(' | ')' | '\u{3000}' | '（' | '）')) {
                return None;
            }
            if run > 0 {
                g.push(run);
            }
            run = 0;
        }
        if run > 0 {
            g.push(run);
        }
        (d.len() <= 24 && g.len() <= 8).then_some((d, g))
    }

    #[test]
    fn digit_groups_like_reference() {
        let parts = [
            "0", "12", "３", "-", "‐", "ー", "−", " ", "\u{3000}", "（", ")", "é", "😀", "a", "〒",
        ];
        let mut n = 0;
        for s in joined(&parts, 14, 3) {
            let got = digit_groups(&s).map(|x| (x.digits().to_vec(), x.groups().to_vec()));
            assert_eq!(got, digit_groups_reference(&s), "{s:?}");
            n += usize::from(got.is_some());
        }
        assert!(n > 1000, "{n}");
    }

    /// [`email`] as first written, over split iterators.
    fn email_reference(s: &str) -> bool {
        let b = trim(s).as_bytes();
        let Some(at) = b.iter().rposition(|c| *c == b'@') else {
            return false;
        };
        let (local, domain) = (&b[..at], &b[at + 1..]);
        let local_ok = |c: &u8| c.is_ascii_alphanumeric() || b"._%+-".contains(c);
        if local.is_empty()
            || local.len() > 64
            || domain.len() > 253
            || local.first() == Some(&b'.')
            || local.last() == Some(&b'.')
            || !local.iter().all(local_ok)
        {
            return false;
        }
        let labels: Vec<&[u8]> = domain.split(|c| *c == b'.').collect();
        let label_ok = |l: &&[u8]| {
            l.first().is_some_and(|c| *c != b'-')
                && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        };
        let tld = labels.last().copied().unwrap_or(&[]);
        labels.len() >= 2
            && labels.iter().all(label_ok)
            && tld.len() >= 2
            && tld.iter().all(u8::is_ascii_alphabetic)
    }

    #[test]
    fn email_byte_classes() {
        for b in 0..=255u8 {
            assert_eq!(
                email_local_byte(b),
                b.is_ascii_alphanumeric() || b"._%+-".contains(&b)
            );
            assert_eq!(email_label_byte(b), b.is_ascii_alphanumeric() || b == b'-');
        }
    }

    #[test]
    fn email_like_reference() {
        let local = ["a", "Z", "0", "x.y", "-", "_", "+", "%", ".", "é", " ", "@"];
        let domain = [
            "ex", "co", ".jp", ".com", "a", "9", ".", "-", "_", "é", " ", "@",
        ];
        let mut n = 0;
        for (l, d) in joined(&local, 6, 7).zip(joined(&domain, 8, 11)) {
            for s in [format!("{l}@{d}"), format!("{l}{d}")] {
                assert_eq!(email(&s), email_reference(&s), "{s:?}");
                n += usize::from(email(&s));
            }
        }
        assert!(n > 200, "{n}");
    }

    /// The character-class checks of [`name_kanji`] and [`name_kana`] over chars.
    fn kanji_shape_reference(s: &str) -> bool {
        let n = s.chars().count();
        n <= 12
            && s.chars().any(is_kanji_char)
            && s.chars()
                .all(|c| is_kanji_char(c) || c == ' ' || c == '\u{3000}' || is_kana_char(c))
    }

    fn kana_shape_reference(s: &str) -> bool {
        !s.is_empty()
            && s.chars().count() <= 20
            && s.chars()
                .all(|c| is_kana_char(c) || c == ' ' || c == '\u{3000}' || c == '・')
    }

    #[test]
    fn name_shapes_are_checked_like_over_chars() {
        let parts = [
            "佐藤",
            "太郎",
            "サトウ",
            "さとう",
            " ",
            "\u{3000}",
            "・",
            "々",
            "ヶ",
            "A",
            "𠮷",
            "é",
            "ー",
            "〇",
            "タロウ",
        ];
        for s in joined(&parts, 9, 11) {
            let t = trim(&s);
            assert_eq!(kanji_shape(t), kanji_shape_reference(t), "{s:?}");
            assert_eq!(kana_shape(t), kana_shape_reference(t), "{s:?}");
        }
        assert!(name_kanji("佐藤 太郎") && name_kana("サトウ タロウ") && name_kana("さとう"));
        assert!(!name_kanji("佐藤 A") && !name_kana("サトウ A"));
    }

    #[test]
    fn names_split_like_the_char_search() {
        let mut parts = vec![
            "",
            " ",
            ",",
            "\u{3000}",
            "・",
            "山田",
            "ヤマダ",
            "Taro",
            "x",
        ];
        parts.extend(["ー", "é", "😀", "\u{3001}"]);
        for s in joined(&parts, 7, 7) {
            let want: Vec<&str> = s
                .split([' ', '\u{3000}', '・', ','])
                .filter(|p| !p.is_empty())
                .take(3)
                .collect();
            assert_eq!(split_name(&s).as_slice(), &want[..], "{s:?}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "090-1234-5678",
            "09012345678",
            "０９０－１２３４－５６７８",
            "03-1234-5678",
            "0312345678",
            "06-6123-4567",
            "0123-45-6789",
            "01564-2-1234",
            "050-1234-5678",
            "0120-123-456",
            "0800-123-4567",
            "+81-90-1234-5678",
            "+81 3 1234 5678",
            "+81 (0)3-1234-5678",
            "060-1234-5678",
            "(03)1234-5678",
            "04-2992-1234",
            "042-612-3456",
        ] {
            assert!(phone(ok).is_some(), "{ok}");
        }
        for bad in [
            "1234567890",
            "0012345678",
            "03-123-45678",
            "090-1234-567",
            "020-1234-5678",
            "2024-03-15",
            // Not allocated (libphonenumber's JP metadata): `0X0-0…`, a Sapporo exchange
            // `011-9…`, `03-0…`, `0570` (a shared-cost number) as a geographic one.
            "090-0123-4567",
            "050-0123-4567",
            "011-950-7183",
            "03-0123-4567",
            "0570-123-456",
            "0100-12-3456",
            // Counting digits; a date and its time zone; a two-digit area code other than
            // Tokyo's and Osaka's, or theirs cut after three digits.
            "0123456789",
            "0987654321",
            "09 2013 -0900",
            "09-2013-0900",
            "031-234-5678",
            "061-234-5678",
        ] {
            assert!(phone(bad).is_none(), "{bad}");
        }
        // Every area code of the plan's first digits, as libphonenumber's fixed-line pattern
        // takes it: a few allocated prefixes of each row.
        for ok in [
            "011-211-1234",
            "0154-22-1234",
            "0191-23-4567",
            "022-212-3456",
            "0463-12-3456",
            "0495-22-3456",
            "0561-21-2345",
            "0742-12-3456",
            "0848-12-3456",
            "0885-12-3456",
            "096-212-3456",
            "0980-12-3456",
        ] {
            assert!(phone(ok).is_some(), "{ok}");
        }
        assert_eq!(phone("+81-90-1234-5678").as_deref(), Some("09012345678"));
    }

    #[test]
    fn dates() {
        assert_eq!(date("1980-04-12"), Some((1980, 4, 12)));
        assert_eq!(date("1980年4月12日"), Some((1980, 4, 12)));
        assert_eq!(date("昭和55年4月12日"), Some((1980, 4, 12)));
        assert_eq!(date("S55.4.12"), Some((1980, 4, 12)));
        assert_eq!(date("平成元年1月8日"), Some((1989, 1, 8)));
        assert_eq!(date("㍻2年3月4日"), Some((1990, 3, 4)));
        assert_eq!(date("Ｒ２．３．４"), Some((2020, 3, 4)));
        assert_eq!(date("19800412"), Some((1980, 4, 12)));
        assert_eq!(date("昭和65年1月1日"), None);
        assert_eq!(date("1980-02-30"), None);
        assert_eq!(date("1.2.3"), None);
    }

    #[test]
    fn ascii_dates_parse_as_the_general_path_does() {
        let parts = [
            "",
            "1980",
            "2024",
            "19800412",
            "0",
            "12",
            "4",
            "31",
            "29",
            "2",
            "S",
            "h",
            "R",
            "M",
            "T",
            "x",
            "-",
            "/",
            ".",
            " ",
            "\t",
            "\u{b}",
            "99999999",
            "123456789",
            "1e",
        ];
        let mut n = 0;
        for a in parts {
            for b in parts {
                for c in ["", "4", "12", "/", ".", "S"] {
                    for d in ["", ".", "-", "/", " "] {
                        for e in parts {
                            let s = format!("{a}{b}{c}{d}{e}");
                            assert_eq!(date_ascii(trim(&s).as_bytes()), date_chars(&s), "{s:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(n, 25 * 25 * 6 * 5 * 25);
    }

    #[test]
    fn kanji_dates_parse_as_the_general_path_does() {
        let kanji = [
            "", "昭和", "平成", "令和", "明治", "大正", "㍾", "㍽", "㍼", "㋿", "S", "1980", "55",
            "元", "年", "月", "日", "4", "12", " ", "\u{3000}", "１", "㍻", "-", ".", "x", "31",
            "99999999", "ア",
        ];
        let (mut fast, mut n) = (0, 0);
        for a in kanji {
            for b in kanji {
                for c in ["", "元", "年", "月", "日", "4", "/", "12"] {
                    for d in ["", "年", "月", "日", "4", "/"] {
                        for e in ["", "日", "8", "年4月12日", "日x", "日１", "元年", "月3日"]
                        {
                            let s = format!("{a}{b}{c}{d}{e}");
                            if let Some(got) = date_kanji(trim(&s).as_bytes()) {
                                assert_eq!(got, date_chars(&s), "{s:?}");
                                fast += usize::from(got.is_some());
                            }
                            assert_eq!(date(&s), date_chars(&s), "{s:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(n, 29 * 29 * 8 * 6 * 8);
        assert!(fast > 200, "{fast} dates read on the fast path");
        for (s, want) in [
            ("昭和55年4月12日", (1980, 4, 12)),
            ("平成元年1月8日", (1989, 1, 8)),
            ("1980年4月12日", (1980, 4, 12)),
            ("㍻2年3月4日", (1990, 3, 4)),
        ] {
            assert_eq!(date_kanji(s.as_bytes()), Some(Some(want)), "{s}");
        }
        assert_eq!(date_kanji("Ｒ２．３．４".as_bytes()), None);
        for s in [
            "S55.4.12",
            "h8.10.3",
            "R 2.3.4",
            "2003/2/10",
            "1980-02-29",
            "2000-02-29",
        ] {
            assert_eq!(date_ascii(trim(s).as_bytes()), date_chars(s), "{s}");
            assert!(date(s).is_some(), "{s}");
        }
    }

    #[test]
    fn digit_groups_split_ascii_and_full_width_alike() {
        for (s, want) in [
            ("090-1234-5678", Some((vec![3, 4, 4], 11))),
            ("０９０－１２３４ー５６７８", Some((vec![3, 4, 4], 11))),
            ("(03)1234-5678", Some((vec![2, 4, 4], 10))),
            ("（03）1234\u{3000}5678", Some((vec![2, 4, 4], 10))),
            ("  12  ", Some((vec![2], 2))),
            ("12a", None),
            ("1.2", None),
            ("1234567890123456789012345", None),
            ("1-2-3-4-5-6-7-8-9", None),
            ("", Some((vec![], 0))),
        ] {
            let got = digit_groups(s).map(|x| (x.groups().to_vec(), x.digits().len()));
            assert_eq!(got, want, "{s}");
        }
    }

    #[test]
    fn numbers() {
        assert!(postal_code("100-0001").is_some());
        assert!(postal_code("〒１００－０００１").is_some());
        assert!(postal_code("000-0000").is_none());
        assert!(my_number("123456789018"));
        assert!(!my_number("123456789012"));
        assert!(credit_card("4111 1111 1111 1111"));
        assert!(credit_card("3530111333300000"));
        assert!(!credit_card("4111111111111112"));
        assert!(passport_number("TK1234567"));
        assert!(!passport_number("Tk1234567"));
    }

    #[test]
    fn names_and_addresses() {
        assert!(name_kanji("佐藤 太郎"));
        assert!(name_kanji("佐藤太郎"));
        // Family and given names from IPAdic (not in gimei), joined without a space.
        assert!(name_kanji("勅使河原眞人"));
        assert!(name_romaji("TESHIGAWARA MASATO"));
        assert!(name_kana("サトウ タロウ"));
        assert!(name_romaji("SATO TARO"));
        assert!(name_romaji("Taro Sato"));
        assert!(!name_romaji("HELLO WORLD"));
        // As airlines write them, with or without a title, joined or not.
        for n in [
            "YAMADA/TARO MR",
            "YAMADA/TAROMR",
            "SATO/HANAKO MRS",
            "SATO/HANAKOMS",
            "Yamada/Taro Mr",
            "YAMADA/TARO",
            "TANAKA/KEN MSTR",
        ] {
            assert!(name_romaji(n), "{n}");
            assert!(full_name_romaji(n), "{n}");
        }
        assert_eq!(romaji_key("SATO/HANAKO MRS"), "SATO HANAKO");
        // Other countries' phones and passports (counted under their headers only).
        assert_eq!(
            intl_phone("+86-10-1234-5678").as_deref(),
            Some("+861012345678")
        );
        assert_eq!(
            intl_phone("+44 (0)20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        for p in [
            "+81-90-1234-5678",
            "+0 1234 5678",
            "+86 10",
            "090-1234-5678",
            "+1 212 x",
        ] {
            assert_eq!(intl_phone(p), None, "{p}");
        }
        for p in ["E12345678", "M12345678", "561234567", "C01X00T47"] {
            assert!(foreign_passport(p), "{p}");
        }
        for p in ["AB12", "ABCDEFGH", "e12345678", "12345678901"] {
            assert!(!foreign_passport(p), "{p}");
        }
        assert_eq!(romaji_key("Taro Yamada"), "Taro Yamada");
        for n in [
            "TARO/YAMADA MR",
            "YAMADA/MR",
            "HELLO/WORLD",
            "YAMADA/TARO MR X",
            "a/b",
            "2024/04/01",
            "YAMADA/",
        ] {
            assert!(!name_romaji(n), "{n}");
        }
        assert!(address("東京都千代田区千代田1-1", None));
        assert!(address("北海道札幌市中央区北一条西2丁目", Some(600000)));
        assert!(!address("東京都はいいところ", None));
        assert!(email("taro.yamada@example.co.jp"));
        assert!(!email("user@localhost"));
    }
}

//! Values labelled in ASCII, as logs, configuration files, API payloads and web forms write
//! them (`name=山田 太郎`, `"customer_name":"山田 太郎"`, `kana: ヤマダ タロウ`, `Customer: 山田
//! 太郎`, `sex=F`, `sei=山田&mei=太郎`), and the percent-encoded query strings and form
//! bodies of web server and proxy logs (`/entry?name=%E5%B1%B1%E7%94%B0…`).
//!
//! The text scanner ([`crate::text`]) finds the start of a value (a kanji, a kana or a
//! capital right after a separator) and asks [`key_before`] what its label says; the label is
//! read backwards, normalised (lower case, letters and digits only) and judged by its ending,
//! so `name`, `full_name`, `customerName`, `CUST_NM` and `Name (kana)` need no list of their
//! own. Query strings are decoded before the scan ([`decode_escapes`]): their bytes may be UTF-8,
//! Shift_JIS or EUC-JP, which is what older Japanese sites still send.
//!
//! Written by hand: the label rules are this crate's, and the URL work is finding the
//! encoded tokens in free text; the percent decoding itself is the `percent-encoding` crate's.

/// What a label says its value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// A name whose label says whose (`full_name`, `customer_name`, `shimei`, `kana`,
    /// `furigana`): a family name alone counts too, as after `氏名`.
    Name,
    /// A person by their role (`customer`, `contact`, `attendees`), or a bare `name` (a
    /// product's or a place's as often): a full name only, as after `担当者`.
    Person,
    /// A family name (`last_name`, `sei`): a given name's label may follow it.
    Family,
    /// A given name (`first_name`, `mei`): a family name's label may follow it.
    Given,
    /// `sex`, `gender`.
    Gender,
}

/// The longest label read (normalised bytes); a longer one is judged by its end.
const MAX_LABEL: usize = 32;

/// Words before the `name` of a label that say it is no person's (`file_name`, `hostName`,
/// `shop_nm`). A person's name is still counted after the others only when the value passes
/// the name dictionary.
const NOT_PERSONS: [&[u8]; 65] = [
    b"file",
    b"host",
    b"server",
    b"db",
    b"database",
    b"table",
    b"column",
    b"field",
    b"class",
    b"app",
    b"product",
    b"item",
    b"shop",
    b"store",
    b"company",
    b"corp",
    b"dept",
    b"group",
    b"path",
    b"dir",
    b"device",
    b"domain",
    b"project",
    b"bank",
    b"branch",
    b"city",
    b"town",
    b"street",
    b"building",
    b"station",
    b"event",
    b"plan",
    b"tag",
    b"module",
    b"method",
    b"function",
    b"queue",
    b"topic",
    b"bucket",
    b"cluster",
    b"node",
    b"job",
    b"task",
    b"process",
    b"program",
    b"site",
    b"brand",
    b"school",
    b"hospital",
    b"header",
    b"target",
    b"attribute",
    b"element",
    b"variable",
    b"service",
    b"machine",
    b"printer",
    b"container",
    b"network",
    b"interface",
    b"command",
    b"cookie",
    b"image",
    b"font",
    b"package",
];

/// Do the words before a label's `name` say it names a thing ([`NOT_PERSONS`]: `host` of
/// `hostname`)? For a table's header as for a log's label. (A profile's name is a
/// person's, not a file's.)
pub(crate) fn names_a_thing(before: &[u8]) -> bool {
    NOT_PERSONS.iter().any(|w| ends(before, w)) && !ends(before, b"profile")
}

/// Roles whose value is a person (`customer: 山田 太郎`), in English and in the romanised
/// column names of Japanese systems (`kokyaku`, `kaiin`).
const PERSONS: [&[u8]; 34] = [
    b"customer",
    b"client",
    b"patient",
    b"applicant",
    b"contact",
    b"recipient",
    b"sender",
    b"owner",
    b"holder",
    b"accountholder",
    b"attendee",
    b"attendees",
    b"participant",
    b"participants",
    b"member",
    b"guest",
    b"insured",
    b"beneficiary",
    b"representative",
    b"user",
    b"employee",
    b"staff",
    b"student",
    b"addressee",
    b"consignee",
    b"payer",
    b"payee",
    b"subscriber",
    b"person",
    b"requester",
    b"assignee",
    b"kokyaku",
    b"kaiin",
    b"tantosha",
];

/// Words before `name` that say it is a person's own (`full_name`, `real_name`).
const PERSONAL: [&[u8]; 5] = [b"full", b"real", b"legal", b"your", b"my"];

/// What a label's script marks add to it (`name_kana`, `kana_sei`, `shimei_kj`): stripped
/// before the label is judged, since the value's own shape tells its script.
const SCRIPT_MARKS: [&[u8]; 12] = [
    b"furigana",
    b"phonetic",
    b"alphabet",
    b"english",
    b"romaji",
    b"reading",
    b"kanji",
    b"roman",
    b"kana",
    b"yomi",
    b"kn",
    b"kj",
];

/// `l` ends with `s`: compared from the last byte, which tells most labels apart at once
/// (`slice::ends_with` calls `memcmp` for each of the ~100 endings tried).
#[inline]
fn ends(l: &[u8], s: &[u8]) -> bool {
    l.len() >= s.len() && l.iter().rev().zip(s.iter().rev()).all(|(a, b)| a == b)
}

/// `l` starts with `s`, by bytes (see [`ends`]).
#[inline]
fn starts(l: &[u8], s: &[u8]) -> bool {
    l.len() >= s.len() && l.iter().zip(s).all(|(a, b)| a == b)
}

/// Judges a normalised label (lower case ASCII letters and digits).
pub(crate) fn classify(label: &[u8]) -> Option<Key> {
    let mut l = label;
    // Script marks at either end, once each (`kana_sei`, `name_kana`, `shimei_kn`); `en`,
    // `jp` only after `name` (`name_en`: `given` ends with `en`).
    let mut marked = false;
    if let Some(m) = SCRIPT_MARKS
        .iter()
        .find(|m| l.len() > m.len() && starts(l, m))
    {
        l = &l[m.len()..];
        marked = true;
    }
    if let Some(m) = SCRIPT_MARKS.iter().find(|m| ends(l, m)) {
        l = &l[..l.len() - m.len()];
        marked = true;
    }
    for m in [b"nameen", b"namejp", b"nameja"] {
        if ends(l, m) {
            l = &l[..l.len() - 2];
        }
    }
    if l.is_empty() {
        // The label was a script mark alone: `kana`, `furigana`.
        return Some(Key::Name);
    }
    if ends(l, b"sex") || ends(l, b"gender") || ends(l, b"seibetsu") {
        return Some(Key::Gender);
    }
    if l == b"sei"
        || [
            &b"lastname"[..],
            b"familyname",
            b"surname",
            b"myoji",
            b"myouji",
            b"namelast",
            b"namefamily",
        ]
        .iter()
        .any(|s| ends(l, s))
    {
        return Some(Key::Family);
    }
    if l == b"mei"
        || [
            &b"firstname"[..],
            b"givenname",
            b"forename",
            b"namefirst",
            b"namegiven",
        ]
        .iter()
        .any(|s| ends(l, s))
    {
        return Some(Key::Given);
    }
    if l == b"shimei" || l == b"simei" || l == b"namae" {
        return Some(Key::Name);
    }
    for suffix in [&b"name"[..], b"nm", b"shimei"] {
        if ends(l, suffix) {
            let before = &l[..l.len() - suffix.len()];
            if names_a_thing(before) {
                return None;
            }
            // A name whose label says whose (`customer_name`, `full_name`, `name_kana`) may
            // be a family or a given name alone; after a bare `name` (a product's, a
            // place's, a team's in the same logs: `"name":"東京"`) only a full name counts.
            let personal = marked
                || suffix == b"shimei"
                || PERSONS.iter().chain(&PERSONAL).any(|p| ends(before, p));
            return Some(if personal { Key::Name } else { Key::Person });
        }
    }
    PERSONS.iter().any(|p| ends(l, p)).then_some(Key::Person)
}

/// The label before a value starting at `i` in `b` (a kanji, a kana or a capital), when the
/// value follows a separator: `name=`, `name:`, `name：`, `"name":"`, `name='`, `"name"=>"`,
/// `[name] => `, with spaces
/// around the separator (unquoted, one space at most after it, and none before a capital).
/// Returns what the label says and the quote the value opens with.
///
/// The label is read backwards: letters, digits, `_`, `-`, `.` and brackets (`Name (kana):`);
/// after a `:` it may hold three words (`Full name:`, `Date of birth:`), after `=` one
/// (`level=info name=山田`: `info` is another field's value).
#[inline(never)]
pub(crate) fn key_before(b: &[u8], i: usize) -> Option<(Key, Option<u8>)> {
    let mut k = i;
    let quote = match k.checked_sub(1).map(|j| b[j]) {
        Some(q @ (b'"' | b'\'')) => {
            k -= 1;
            Some(q)
        }
        _ => None,
    };
    // JSON written inside a JSON string escapes its quotes (`{\"name\":\"山田\"}`).
    let escaped = |k: &mut usize| {
        if k.checked_sub(1).map(|j| b[j]) == Some(b'\\') {
            *k -= 1;
        }
    };
    if quote.is_some() {
        escaped(&mut k);
    }
    let spaces = |k: &mut usize| {
        for _ in 0..4 {
            match k.checked_sub(1).map(|j| b[j]) {
                Some(b' ') => *k -= 1,
                _ => break,
            }
        }
    };
    let before_spaces = k;
    spaces(&mut k);
    // Unquoted, a value follows its separator at once or after one space, and a capital
    // at once (`SELECT * FROM`, `INFO`: logs hold many capitals after spaces), or after
    // `: ` when the label says a person's (`customer_name: Yamada Taro`, YAML's `name:
    // Sato Hanako`; not `Status: OK`, `contact: Support Team`: checked after the label).
    let capital_after_space =
        quote.is_none() && before_spaces > k && b.get(i).is_some_and(u8::is_ascii_uppercase);
    if quote.is_none() && before_spaces - k > 1 {
        return None;
    }
    // `["name", "山田 太郎"]`: a pair in Rails' SQL binds (checked after the label).
    let mut pair = false;
    let eq = match k.checked_sub(1).map(|j| b[j]) {
        Some(b'=') => true,
        Some(b',') if quote.is_some() => {
            pair = true;
            true
        }
        Some(b':') => false,
        // `=>`: Ruby's and Rails' hashes (`"name"=>"山田 太郎"`), PHP's `print_r` (`[name] =>
        // 山田 太郎`), Perl's `Data::Dumper`.
        Some(b'>') if k >= 2 && b[k - 2] == b'=' => {
            k -= 1;
            true
        }
        // `：`, `EF BC 9A`.
        Some(0x9A) if k >= 3 && b[k - 3] == 0xEF && b[k - 2] == 0xBC => {
            k -= 2;
            false
        }
        _ => return None,
    };
    if capital_after_space && eq {
        return None;
    }
    k -= 1;
    spaces(&mut k);
    let quoted_label = matches!(k.checked_sub(1).map(|j| b[j]), Some(b'"' | b'\''));
    if quoted_label {
        k -= 1;
        escaped(&mut k);
    }
    // The label, backwards, normalised into `buf` from its end.
    let mut buf = [0u8; MAX_LABEL];
    let mut n = 0;
    let mut words = 1;
    // Words of the label that hold a letter or digit (`- name:` of a YAML list is one).
    let (mut spoken, mut space) = (1, false);
    while let Some(j) = k.checked_sub(1) {
        let c = b[j];
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => {
                if n == MAX_LABEL {
                    break;
                }
                spoken += usize::from(space);
                space = false;
                n += 1;
                buf[MAX_LABEL - n] = c.to_ascii_lowercase();
            }
            b'_' | b'-' | b'.' | b'(' | b')' | b'[' | b']' => {}
            b' ' if !eq && !quoted_label && words < 3 && n > 0 => {
                words += 1;
                space = true;
            }
            _ => break,
        }
        k = j;
    }
    if n == 0
        || pair && !(quoted_label && k >= 2 && matches!(b[k - 1], b'"' | b'\'') && b[k - 2] == b'[')
    {
        return None;
    }
    // A capital after `: `: the label in small letters (`customer_name:`), one word. One
    // that starts with a capital (`Name:`, `Customer Name:`) is the literal finder's.
    if capital_after_space && (spoken != 1 || b.get(k).is_some_and(u8::is_ascii_uppercase)) {
        return None;
    }
    classify(&buf[MAX_LABEL - n..]).map(|key| (key, quote))
}

/// The value at `i`, which [`key_before`] found after a label: up to its closing quote when
/// it opened with `quote` (on the same line, at most 120 bytes), else the first two words,
/// cut where another field starts (`&`, `}`, `]`, or ` label=`).
pub(crate) fn value_at<'a>(
    text: &'a str,
    i: usize,
    quote: Option<u8>,
    two_words: &'a str,
) -> &'a str {
    let b = text.as_bytes();
    if let Some(q) = quote {
        let rest = &b[i..b.len().min(i + 120)];
        if let Some(c) = rest.iter().position(|&x| x == q || x == b'\n')
            && rest[c] == q
        {
            let v = text.get(i..i + c).unwrap_or("");
            return v.strip_suffix('\\').unwrap_or(v);
        }
    }
    let v = two_words.as_bytes();
    let Some(c) = v
        .iter()
        .position(|x| matches!(x, b'&' | b'}' | b']' | b'='))
    else {
        return two_words;
    };
    let cut = if v[c] == b'=' {
        v[..c].iter().rposition(|x| *x == b' ').unwrap_or(c)
    } else {
        c
    };
    two_words.get(..cut).unwrap_or("").trim_end()
}

/// Where the value of the other part of a split name starts after `from` on the same line
/// (`sei=山田&mei=太郎`, `"last_name":"山田","email":"…","first_name":"太郎"`): the first
/// value within 200 bytes whose label is `want`, with its quote.
pub(crate) fn partner(text: &str, from: usize, want: Key) -> Option<(usize, Option<u8>)> {
    let b = text.as_bytes();
    let end = b.len().min(from + 200);
    let mut j = from;
    while j < end {
        let x = b[j];
        if x == b'\n' {
            return None;
        }
        // A value's first byte: a capital or the lead byte of a kanji or kana.
        if (x.is_ascii_uppercase() || (0xE3..=0xE9).contains(&x))
            && j > from
            && let Some((key, q)) = key_before(b, j)
            && key == want
        {
            return Some((j, q));
        }
        j += 1;
    }
    None
}

/// Bytes a URL in a log may hold (RFC 3986's unreserved and reserved characters and `%`).
fn url_byte(x: u8) -> bool {
    x.is_ascii_alphanumeric()
        || matches!(
            x,
            b'%' | b'-'
                | b'.'
                | b'_'
                | b'~'
                | b':'
                | b'/'
                | b'?'
                | b'#'
                | b'['
                | b']'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
        )
}

/// `%` and two hex digits at `p`.
fn escape_at(b: &[u8], p: usize) -> bool {
    b.get(p) == Some(&b'%')
        && b.get(p + 1).is_some_and(u8::is_ascii_hexdigit)
        && b.get(p + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// The longest token the decoder takes (a URL longer than this is left as written).
const MAX_TOKEN: usize = 64 * 1024;

/// `text` with its encoded values decoded, or `None` when it holds none (the usual case: one
/// `memchr2` pass):
/// - percent-encoded URLs and form bodies (`name=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E` →
///   `name=山田 太郎`). In a query or a form body `+` is a space and `&` a tab, so each field's
///   value ends where the next field starts. A token encoded twice (`%25E5…`) is decoded
///   twice.
/// - JSON's and Python's `\uXXXX` escapes (`"\u5c71\u7530"`: Python's `json.dumps` writes
///   every non-ASCII character so by default, and many loggers follow it), surrogate pairs
///   included;
/// - runs of `\xHH` escapes, as Python prints bytes (`b'\xe5\xb1\xb1'`).
///
/// Escaped bytes are read as UTF-8, else EUC-JP, else Shift_JIS (old Japanese sites send
/// their forms in the page's encoding), else UTF-8 with replacement characters. Control
/// characters other than line feeds and tabs become spaces.
pub(crate) fn decode_escapes(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(k) = memchr::memchr2(b'%', b'\\', &b[from..]) {
        let p = from + k;
        let found = if b[p] == b'%' {
            url_at(b, from, p)
        } else {
            // `\\` is an escaped backslash: what follows it is no escape.
            let skip = if b.get(p + 1) == Some(&b'\\') { 2 } else { 1 };
            escapes_at(b, p).ok_or(p + skip)
        };
        let (start, end, decoded) = match found {
            Ok(f) => f,
            Err(next) => {
                from = next;
                continue;
            }
        };
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(text.get(copied..start).unwrap_or(""));
        o.push_str(&decoded);
        copied = end;
        from = end.max(p + 1);
    }
    let mut o = out?;
    o.push_str(text.get(copied..).unwrap_or(""));
    Some(o)
}

/// The percent-encoded token around the `%` at `p` (not starting before `from`), decoded:
/// its start, end and text; else where to search on (after the `%`, or after the token when
/// it is no encoded value or too long: each byte is looked at a bounded number of times).
fn url_at(b: &[u8], from: usize, p: usize) -> Result<(usize, usize, String), usize> {
    if !escape_at(b, p) {
        return Err(p + 1);
    }
    let start = b[from..p]
        .iter()
        .rposition(|x| !url_byte(*x))
        .map_or(from, |j| from + j + 1);
    let end = b[p..]
        .iter()
        .position(|x| !url_byte(*x))
        .map_or(b.len(), |j| p + j);
    let tok = &b[start..end];
    // One escape in a token without fields is more likely a per cent sign before hex
    // letters (`100%ABC`) than an encoded value.
    let encoded = tok.contains(&b'=') || (p + 3..end).any(|q| escape_at(b, q));
    if end - start <= MAX_TOKEN && encoded {
        Ok((start, end, decode_token(tok)))
    } else {
        Err(end.max(p + 1))
    }
}

/// The value of `n` hex digits at `i`.
fn hex_at(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let d = b.get(i..i + n)?;
    d.iter()
        .try_fold(0u32, |v, x| Some(v * 16 + char::from(*x).to_digit(16)?))
}

/// The run of `\uXXXX` or `\xHH` escapes starting at `p`, decoded: its start, end and text.
/// A lone `\xHH` is left as written (`C:\xampp`).
fn escapes_at(b: &[u8], p: usize) -> Option<(usize, usize, String)> {
    let (kind, width) = match b.get(p + 1) {
        Some(b'u') => (b'u', 4),
        Some(b'x') => (b'x', 2),
        _ => return None,
    };
    let step = 2 + width;
    let mut units: Vec<u16> = Vec::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut i = p;
    while i - p < MAX_TOKEN
        && b.get(i) == Some(&b'\\')
        && b.get(i + 1) == Some(&kind)
        && let Some(v) = hex_at(b, i + 2, width)
    {
        i += step;
        if kind == b'u' {
            units.push(v as u16);
            continue;
        }
        bytes.push(v as u8);
        // Python prints a byte from 0x20 to 0x7E as itself: a Shift_JIS trail byte after an
        // escaped lead byte (`\x8eR` is `8E 52`), `\\` for 0x5C.
        if matches!(v, 0x81..=0x9F | 0xE0..=0xFC) {
            match b.get(i) {
                Some(b'\\') if b.get(i + 1) == Some(&b'\\') => {
                    bytes.push(b'\\');
                    i += 2;
                }
                Some(&t @ 0x40..=0x7E) if t != b'\\' => {
                    bytes.push(t);
                    i += 1;
                }
                _ => {}
            }
        }
    }
    let decoded = match kind {
        b'u' if !units.is_empty() => String::from_utf16_lossy(&units),
        b'x' if bytes.len() >= 2 => text_of_bytes(bytes),
        _ => return None,
    };
    let clean: String = decoded
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    Some((p, i, clean))
}

/// One URL or form body, decoded (see [`decode_escapes`]).
fn decode_token(tok: &[u8]) -> String {
    // The query: after the first `?`, or the whole token when it is a form body (fields
    // and no path: `name=…&tel=…`).
    let query = match memchr::memchr(b'?', tok) {
        Some(q) => q,
        None if tok.contains(&b'=') && !tok.contains(&b'/') => 0,
        None => tok.len(),
    };
    let mut bytes: Vec<u8> = Vec::with_capacity(tok.len());
    for (i, &x) in tok.iter().enumerate() {
        bytes.push(match x {
            b'+' if i > query => b' ',
            b'&' if i >= query => b'\t',
            _ => x,
        });
    }
    for _ in 0..2 {
        let escapes = (0..bytes.len()).any(|p| escape_at(&bytes, p));
        if !escapes {
            break;
        }
        bytes = percent_encoding::percent_decode(&bytes).collect();
    }
    for x in &mut bytes {
        if *x < 0x20 && *x != b'\n' && *x != b'\t' || *x == 0x7F {
            *x = b' ';
        }
    }
    text_of_bytes(bytes)
}

/// Decoded bytes as text: UTF-8, else EUC-JP, else Shift_JIS, else UTF-8 with replacement
/// characters.
fn text_of_bytes(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            // EUC-JP first: its bytes are all over 0xA0, which Shift_JIS would read as
            // half-width katakana, while Shift_JIS kanji and kana lead with 0x81-0x9F,
            // invalid in EUC-JP.
            [encoding_rs::EUC_JP, encoding_rs::SHIFT_JIS]
                .iter()
                .find_map(|enc| {
                    enc.decode_without_bom_handling_and_without_replacement(&bytes)
                        .map(std::borrow::Cow::into_owned)
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str) -> Option<(Key, Option<u8>)> {
        // The value starts after the last separator, its spaces and its quote.
        let Some(sep) = t.rfind(['=', ':', '：']) else {
            let i = t.bytes().position(|x| x >= 0x80).unwrap();
            return key_before(t.as_bytes(), i);
        };
        let after = &t[sep..];
        let after = &after[after.chars().next().unwrap().len_utf8()..];
        let after = after.strip_prefix('>').unwrap_or(after);
        let v = after
            .trim_start_matches(' ')
            .trim_start_matches(['\\', '"', '\'']);
        key_before(t.as_bytes(), t.len() - v.len())
    }

    #[test]
    fn labels_are_judged_by_their_ending() {
        use Key::*;
        for (t, want) in [
            ("name=山田", Some((Person, None))),
            ("NAME = 山田", Some((Person, None))),
            ("\"name\":\"山田", Some((Person, Some(b'"')))),
            ("display_name=山田", Some((Person, None))),
            ("'customer_name': '山田", Some((Name, Some(b'\'')))),
            ("customerName=山田", Some((Name, None))),
            ("CUST_NM=山田", Some((Person, None))),
            ("KOKYAKU_NM=山田", Some((Name, None))),
            ("shimei_kana=ヤマダ", Some((Name, None))),
            ("kana: ヤマダ", Some((Name, None))),
            ("furigana=ヤマダ", Some((Name, None))),
            ("Name (kana): ヤマダ", Some((Name, None))),
            ("Full name: 山田", Some((Name, None))),
            ("name_en=\"T", Some((Person, Some(b'"')))),
            ("name_romaji=\"T", Some((Name, Some(b'"')))),
            ("氏名 name：山田", Some((Person, None))),
            ("Customer: 山田", Some((Person, None))),
            ("attendees: 山田", Some((Person, None))),
            ("last_name=山田", Some((Family, None))),
            ("sei_kana=ヤマダ", Some((Family, None))),
            ("SEI=山田", Some((Family, None))),
            ("firstName: \"T", Some((Given, Some(b'"')))),
            ("mei=太郎", Some((Given, None))),
            ("sex=M", Some((Gender, None))),
            ("\"gender\": \"女", Some((Gender, Some(b'"')))),
            // Not a person's name, or no label.
            ("file_name=山田", None),
            ("hostName: W", None),
            ("shop_nm=山田", None),
            ("status=OK", None),
            ("注文番号: ORD", None),
            ("sku = 'K", None),
            ("10:00 山田", None),
            ("name 山田", None),
            ("given=山田", None),
            // Rails' SQL binds: a pair in brackets, not any list.
            (r#"[["name", "山田"#, Some((Person, Some(b'"')))),
            (r#"["kana", "ヤマダ"#, Some((Name, Some(b'"')))),
            (r#"("name", "山田"#, None),
            (r#""name", "山田"#, None),
            // Ruby, PHP and Perl hashes.
            (r#"{"user"=>{"name"=>"山田"#, Some((Person, Some(b'"')))),
            ("[kana] => ヤマダ", Some((Name, None))),
            ("'sex' => '男", Some((Gender, Some(b'\'')))),
            ("<td>山田", None),
            // JSON inside a JSON string.
            (r#"{\"name\":\"山田"#, Some((Person, Some(b'"')))),
            // A capital after a space: after `: ` and a label of one word only.
            ("customer_name: Y", Some((Name, None))),
            ("- name: S", Some((Person, None))),
            ("name= Y", None),
            ("name => Y", None),
            ("the customer name: Y", None),
            ("name:  Y", None),
        ] {
            assert_eq!(key(t), want, "{t}");
        }
        // After `=`, the label is one word: `info` is another field's value.
        assert_eq!(key("level=info name=山田"), Some((Key::Person, None)));
        assert_eq!(key("user name=山田"), Some((Key::Person, None)));
        assert_eq!(key("filename=x name=山田"), Some((Key::Person, None)));
        assert_eq!(key("user_name=山田"), Some((Key::Name, None)));
    }

    #[test]
    fn values_end_where_the_next_field_starts() {
        let at = |t: &str, two: &str, q| {
            let i = t.find(two).unwrap();
            value_at(t, i, q, two).to_string()
        };
        assert_eq!(at("name=山田 太郎 tel=1", "山田 太郎", None), "山田 太郎");
        assert_eq!(
            at("name=山田太郎 kana=ヤ", "山田太郎 kana=ヤ", None),
            "山田太郎"
        );
        assert_eq!(at("name=山田&x=1", "山田&x=1", None), "山田");
        assert_eq!(at("{name: 山田}", "山田}", None), "山田");
        assert_eq!(
            at("n=\"山田 太郎 様\"", "山田 太郎", Some(b'"')),
            "山田 太郎 様"
        );
        // An unclosed quote: the words.
        assert_eq!(at("n=\"山田 太郎\n", "山田 太郎", Some(b'"')), "山田 太郎");
    }

    #[test]
    fn partners_are_found_on_the_same_line() {
        let t = "sei=山田&mei=太郎";
        assert_eq!(
            partner(t, 5, Key::Given),
            Some((t.find("太").unwrap(), None))
        );
        let t = r#"{"last_name":"山田","email":"a@b.jp","first_name":"太郎"}"#;
        let from = t.find("山").unwrap() + 3;
        assert_eq!(
            partner(t, from, Key::Given),
            Some((t.find("太").unwrap(), Some(b'"')))
        );
        assert_eq!(partner("sei=山田\nmei=太郎", 5, Key::Given), None);
        assert_eq!(partner("sei=山田 x=太郎", 5, Key::Given), None);
    }

    #[test]
    fn urls_are_decoded_in_their_encoding() {
        let d = |t: &str| decode_escapes(t);
        assert_eq!(d("GET /a HTTP/1.1 100%"), None);
        assert_eq!(d("no escapes at all"), None);
        assert_eq!(d("load 100%ABC done"), None);
        assert_eq!(
            d("GET /entry?name=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&mail=taro%40example.jp HTTP/1.1")
                .as_deref(),
            Some("GET /entry?name=山田 太郎\tmail=taro@example.jp HTTP/1.1")
        );
        // Shift_JIS (`山田` is `8E 52 93 63`) and EUC-JP (`BB B3 C5 C4`).
        assert_eq!(
            d("/f.cgi?name=%8ER%93c&x=1").as_deref(),
            Some("/f.cgi?name=山田\tx=1")
        );
        assert_eq!(d("/f.cgi?n=%BB%B3%C5%C4").as_deref(), Some("/f.cgi?n=山田"));
        // A form body; a path keeps its `+`; twice encoded; controls.
        assert_eq!(
            d("body=name=%E5%B1%B1%E7%94%B0&tel=090").as_deref(),
            Some("body=name=山田\ttel=090")
        );
        assert_eq!(d("/a+b/%E5%B1%B1").as_deref(), Some("/a+b/山"));
        assert_eq!(d("q=%25E5%25B1%25B1").as_deref(), Some("q=山"));
        assert_eq!(d("a=%00%0A%0D").as_deref(), Some("a= \n "));
        // Two tokens, text between them kept.
        assert_eq!(
            d("x %E5%B1%B1 y \"%E7%94%B0\" z").as_deref(),
            Some("x 山 y \"田\" z")
        );
        // `\uXXXX` (a surrogate pair too) and `\xHH` runs; an escaped backslash, a lone
        // `\xHH` and a Windows path are left as written.
        assert_eq!(
            d(r#"{"name": "\u5c71\u7530 \u592a\u90ce", "e": "\ud83d\ude00"}"#).as_deref(),
            Some(r#"{"name": "山田 太郎", "e": "😀"}"#)
        );
        assert_eq!(
            d(r"b'\xe5\xb1\xb1\xe7\x94\xb0' sjis=b'\x8eR\x93c'").as_deref(),
            Some("b'山田' sjis=b'山田'")
        );
        assert_eq!(d(r"b'\x8e\x52\x93\x63'").as_deref(), Some("b'山田'"));
        assert_eq!(d(r"C:\\users\xampp \\u5c71 \x41 \u12"), None);
        // A token over the cap is left as written, and looked at once (each `%` in it used
        // to search its whole length again).
        assert_eq!(d(&"%E5".repeat(300_000)), None);
        // Invalid bytes in no encoding: replacement characters, never a panic.
        assert_eq!(
            d("a=%FF%FE%FD").as_deref(),
            Some("a=\u{FFFD}\u{FFFD}\u{FFFD}")
        );
    }
}

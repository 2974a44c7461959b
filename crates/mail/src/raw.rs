//! Header values as Japanese mailers send them.
//!
//! RFC 2047 (`=?ISO-2022-JP?B?…?=`) and RFC 2231 (`filename*=ISO-2022-JP''%1B%24B…`) values
//! are decoded by mail-parser. Many Japanese mailers (Outlook Express, Becky!, older webmails
//! and business systems) put Japanese in a header as it is instead: ISO-2022-JP with its
//! escape sequences, or 8-bit Shift_JIS. mail-parser reads 8-bit bytes as UTF-8 (each
//! Shift_JIS character a replacement character), and a quoted value's `\` as an escape (the
//! second byte of `顧` in ISO-2022-JP is a `\`, which is lost). Such a value is read again
//! from the raw header: the subject, the correspondents' names and the attachment names the
//! recipient saw, for the report, the name checks and the personal data they hold.

use mail_parser::{HeaderName, Message, MessagePart, MimeHeaders};

/// The file name of an attachment: the raw value of `filename=` (else `name=`) in the part's
/// header when it holds an escape or 8-bit bytes, in ISO-2022-JP when it has escapes, else as
/// an archive's names are read ([`kizuki_files::names::stored_name`]: UTF-8, CP932,
/// EUC-JP); else mail-parser's (RFC 2047 and 2231 decoded, quoted pairs unescaped).
pub fn attachment_name(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let head = msg
        .raw_message
        .get(part.offset_header as usize..part.offset_body as usize);
    let raw = head.and_then(|h| param(h, b"filename").or_else(|| param(h, b"name")));
    match raw {
        Some(r) if r.iter().any(|b| *b == 0x1b || *b >= 0x80) => Some(decode(&r, euc(msg))),
        _ => part.attachment_name().map(str::to_string),
    }
}

/// The value of the message's header `name` (`Subject`, `From`) as its raw bytes give it,
/// unfolded and decoded ([`decode`]), when they hold an escape or 8-bit bytes; `None` when
/// mail-parser's reading stands (ASCII, encoded words included).
pub fn header(msg: &Message<'_>, name: HeaderName<'_>) -> Option<String> {
    let h = msg.parts.first()?.headers.iter().find(|h| h.name == name)?;
    let raw = msg
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)?;
    if !raw.iter().any(|b| *b == 0x1b || *b >= 0x80) {
        return None;
    }
    let unfolded: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|c| *c != b'\r' && *c != b'\n')
        .collect();
    Some(decode(&unfolded, euc(msg)).trim().to_string())
}

/// The display names and addresses of an address header's raw value (`佐藤 花子
/// <hanako@example.jp>, "山田 太郎" <taro@example.jp>, a@example.jp`): split at commas
/// outside quotes and angle brackets.
pub fn addresses(value: &str) -> Vec<(Option<String>, Option<String>)> {
    let (mut out, mut cur, mut quoted, mut angle) = (Vec::new(), String::new(), false, false);
    let mut push = |s: &str| {
        let s = s.trim();
        if s.is_empty() {
            return;
        }
        let (name, addr) = match (s.find('<'), s.rfind('>')) {
            (Some(a), Some(b)) if a < b => (s[..a].trim(), Some(s[a + 1..b].trim().to_string())),
            _ if s.contains('@') => ("", Some(s.to_string())),
            _ => (s, None),
        };
        let name = name.trim_matches('"').trim();
        out.push(((!name.is_empty()).then(|| name.to_string()), addr));
    };
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                push(&cur);
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    push(&cur);
    out
}

/// Raw header bytes decoded: ISO-2022-JP when they have an escape, else as stored names are
/// (UTF-8, CP932, EUC-JP); EUC-JP rather than CP932 where both read them equally well when
/// `euc` (the message's text is in EUC-JP: `佐藤` is `ｺｴﾆ｣` in CP932).
pub fn decode(raw: &[u8], euc: bool) -> String {
    if raw.contains(&0x1b) {
        let (s, _, bad) = encoding_rs::ISO_2022_JP.decode(raw);
        if !bad {
            return s.into_owned();
        }
    }
    let legacy = if euc {
        kizuki_files::names::Legacy::Unix
    } else {
        kizuki_files::names::Legacy::Unstated
    };
    kizuki_files::names::stored_name(raw, legacy)
}

/// Whether the message's first text part says it is in EUC-JP.
fn euc(msg: &Message<'_>) -> bool {
    let id = msg.text_body.first().or(msg.html_body.first());
    id.and_then(|id| msg.parts.get(*id as usize))
        .and_then(|p| p.content_type()?.attribute("charset"))
        .is_some_and(|c| c.eq_ignore_ascii_case("euc-jp"))
}

/// The raw value of the parameter `key` (`filename="…"`, `name=…`) in a header block: the
/// bytes between its quotes as they are (a `\` kept: it is a byte of ISO-2022-JP or of a
/// Shift_JIS character far more often than an escape), the folds of a long value removed;
/// or up to `;` or the line's end when it is not quoted. Parameters in RFC 2231's form
/// (`filename*=`) are mail-parser's.
fn param(head: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    let mut from = 0;
    while let Some(k) = find_ci(&head[from..], key).map(|k| from + k) {
        from = k + key.len();
        let before = k.checked_sub(1).map(|i| head[i]);
        if !matches!(before, Some(b';' | b' ' | b'\t' | b'\n')) {
            continue;
        }
        let mut i = from;
        while head.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
            i += 1;
        }
        if head.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while head.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
            i += 1;
        }
        let rest = head.get(i..)?;
        let value: &[u8] = if rest.first() == Some(&b'"') {
            let end = rest[1..].iter().position(|c| *c == b'"')?;
            &rest[1..1 + end]
        } else {
            let end = rest
                .iter()
                .position(|c| matches!(c, b';' | b'\r' | b'\n'))
                .unwrap_or(rest.len());
            &rest[..end]
        };
        let unfolded: Vec<u8> = value
            .iter()
            .copied()
            .filter(|c| *c != b'\r' && *c != b'\n')
            .collect();
        return (!unfolded.is_empty()).then_some(unfolded);
    }
    None
}

/// Where `needle` (lower-case ASCII) starts in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(param: &[u8]) -> Vec<u8> {
        let mut m = b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n\
            body\r\n--XX\r\nContent-Type: text/csv\r\n"
            .to_vec();
        m.extend_from_slice(param);
        m.extend_from_slice(b"\r\nContent-Transfer-Encoding: base64\r\n\r\nYSxi\r\n--XX--\r\n");
        m
    }

    fn names(m: &[u8]) -> Vec<String> {
        let msg = mail_parser::MessageParser::default().parse(m).unwrap();
        msg.attachments
            .iter()
            .filter_map(|id| attachment_name(&msg, &msg.parts[*id as usize]))
            .collect()
    }

    #[test]
    fn subjects_and_senders_as_japanese_mailers_write_them() {
        for enc in [
            encoding_rs::ISO_2022_JP,
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
        ] {
            let mut m = b"From: ".to_vec();
            m.extend_from_slice(&enc.encode("佐藤 花子 <hanako@example.jp>").0);
            m.extend_from_slice(b"\r\nTo: \"");
            m.extend_from_slice(&enc.encode("山田 太郎").0);
            m.extend_from_slice(b"\" <taro@example.jp>,\r\n b@example.jp\r\nSubject: ");
            m.extend_from_slice(&enc.encode("山田太郎様 ご注文の件").0);
            if enc == encoding_rs::EUC_JP {
                m.extend_from_slice(b"\r\nContent-Type: text/plain; charset=EUC-JP");
            }
            m.extend_from_slice(b"\r\n\r\nbody\r\n");
            let msg = mail_parser::MessageParser::default().parse(&m).unwrap();
            assert_eq!(
                header(&msg, HeaderName::Subject).as_deref(),
                Some("山田太郎様 ご注文の件"),
                "{}",
                enc.name()
            );
            let from = header(&msg, HeaderName::From).unwrap();
            assert_eq!(
                addresses(&from),
                [(Some("佐藤 花子".into()), Some("hanako@example.jp".into()))]
            );
            let to = header(&msg, HeaderName::To).unwrap();
            assert_eq!(
                addresses(&to),
                [
                    (Some("山田 太郎".into()), Some("taro@example.jp".into())),
                    (None, Some("b@example.jp".into()))
                ]
            );
        }
        let msg = mail_parser::MessageParser::default()
            .parse(&b"Subject: =?UTF-8?B?5bGx55Sw?=\r\nFrom: a@example.jp\r\n\r\nx"[..])
            .unwrap();
        assert_eq!(header(&msg, HeaderName::Subject), None);
    }

    #[test]
    fn names_as_japanese_mailers_write_them() {
        let jis = encoding_rs::ISO_2022_JP
            .encode("顧客リスト.csv")
            .0
            .into_owned();
        let sjis = encoding_rs::SHIFT_JIS
            .encode("顧客リスト.csv")
            .0
            .into_owned();
        let euc = encoding_rs::EUC_JP.encode("顧客リスト.csv").0.into_owned();
        // `顧` in ISO-2022-JP is `8\`: the backslash must stay.
        assert!(jis.contains(&b'\\'));
        for raw in [&jis, &sjis, &euc] {
            let mut quoted = b"Content-Disposition: attachment; filename=\"".to_vec();
            quoted.extend_from_slice(raw);
            quoted.push(b'"');
            assert_eq!(names(&mail(&quoted)), ["顧客リスト.csv"], "{quoted:x?}");
            let mut bare = b"Content-Disposition: attachment;\r\n\tFileName=".to_vec();
            bare.extend_from_slice(raw);
            assert_eq!(names(&mail(&bare)), ["顧客リスト.csv"], "{bare:x?}");
            // Only in Content-Type's `name`.
            let mut ct =
                b"Content-Disposition: attachment\r\nContent-Type: text/csv; name=\"".to_vec();
            ct.extend_from_slice(raw);
            ct.push(b'"');
            assert_eq!(names(&mail(&ct)), ["顧客リスト.csv"], "{ct:x?}");
        }
        // What mail-parser decodes stays its own.
        for p in [
            &b"Content-Disposition: attachment; filename=\"=?ISO-2022-JP?B?GyRCOFw1UiVqJTklSBsoQg==?=.csv\""[..],
            b"Content-Disposition: attachment; filename*=UTF-8''%E9%A1%A7%E5%AE%A2%E3%83%AA%E3%82%B9%E3%83%88.csv",
        ] {
            assert_eq!(names(&mail(p)), ["顧客リスト.csv"]);
        }
        assert_eq!(
            names(&mail(
                b"Content-Disposition: attachment; filename=\"a\\\"b.txt\""
            )),
            ["a\"b.txt"]
        );
    }
}

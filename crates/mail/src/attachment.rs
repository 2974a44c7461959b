//! Attachment names as Japanese mailers send them.
//!
//! RFC 2231 (`filename*=ISO-2022-JP''%1B%24B…`) and RFC 2047 (`=?ISO-2022-JP?B?…?=`) names
//! are decoded by mail-parser. Many Japanese mailers (Outlook Express, Becky!, older webmails
//! and business systems) put the name in the header as it is instead: ISO-2022-JP with its
//! escape sequences, or 8-bit Shift_JIS. mail-parser reads a quoted value's `\` as an escape
//! (the second byte of `顧` in ISO-2022-JP is a `\`, which is lost) and 8-bit bytes as UTF-8
//! (each Shift_JIS character a replacement character). Such a name is read again from the
//! part's raw header: the name the recipient saw, for the report and for the name checks.

use mail_parser::{Message, MessagePart, MimeHeaders};

/// The file name of an attachment: the raw value of `filename=` (else `name=`) in the part's
/// header when it holds an escape or 8-bit bytes, in ISO-2022-JP when it has escapes, else as
/// an archive's names are read ([`kizuki_files::names::stored_name`]: UTF-8, CP932,
/// EUC-JP); else mail-parser's (RFC 2047 and 2231 decoded, quoted pairs unescaped).
pub fn name(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let head = msg
        .raw_message
        .get(part.offset_header as usize..part.offset_body as usize);
    let raw = head.and_then(|h| param(h, b"filename").or_else(|| param(h, b"name")));
    match raw {
        Some(r) if r.iter().any(|b| *b == 0x1b || *b >= 0x80) => Some(decode(&r)),
        _ => part.attachment_name().map(str::to_string),
    }
}

/// A raw name's bytes decoded: ISO-2022-JP when it has an escape, else as stored names are.
pub fn decode(raw: &[u8]) -> String {
    if raw.contains(&0x1b) {
        let (s, _, bad) = encoding_rs::ISO_2022_JP.decode(raw);
        if !bad {
            return s.into_owned();
        }
    }
    kizuki_files::names::stored_name(raw, kizuki_files::names::Legacy::Unstated)
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
            .filter_map(|id| name(&msg, &msg.parts[*id as usize]))
            .collect()
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

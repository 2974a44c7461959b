//! Files that are base64 as a whole: a staged archive encoded for the way out (`certutil
//! -encode data.rar data.txt`, with its `-----BEGIN CERTIFICATE-----` lines, is a habit of
//! intruders on Windows; `base64 data.zip > data.txt` on Unix). Read as text such a file
//! holds nothing; decoded, it is the archive, scanned as a file (`data.txt!base64`,
//! `data.txt!base64!customers.csv`).
//!
//! A file is taken for base64 when, past an optional `-----BEGIN …-----` line, its first
//! 64 KiB are base64 characters and line ends only, at least [`MIN_CHARS`] of them, in lines
//! of one length of at least 60 characters (the last one shorter), or in one line: a word
//! list or a text is not. The decoding is mail-parser's (already used for mail).

/// Fewer base64 characters are not taken for an encoded file.
pub const MIN_CHARS: usize = 1024;

/// The base64 body of `data`: past a `-----BEGIN …-----` line and before its `-----END`.
fn body(data: &[u8]) -> &[u8] {
    let mut b = data;
    if b.starts_with(b"-----BEGIN ") {
        b = match memchr::memchr(b'\n', b) {
            Some(nl) => &b[nl + 1..],
            None => &[],
        };
    }
    match memchr::memmem::find(b, b"-----END ") {
        Some(end) => &b[..end],
        None => b,
    }
}

/// Is `head` (a file's first bytes) the start of a base64 file?
pub fn is_encoded(head: &[u8]) -> bool {
    let b = body(head);
    // Base64 characters and line ends only (most texts fail at their first space).
    if !b
        .iter()
        .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'+' | b'/' | b'=' | b'\r' | b'\n'))
    {
        return false;
    }
    let line_ends = b.iter().filter(|x| matches!(x, b'\r' | b'\n')).count();
    if b.len() - line_ends < MIN_CHARS {
        return false;
    }
    // Lines of one length (the last one, maybe cut by the head's end, aside).
    let mut lines = b
        .split(|x| *x == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .filter(|n| *n > 0);
    let Some(first) = lines.next() else {
        return false;
    };
    let rest: Vec<usize> = lines.collect();
    let whole = rest.len().saturating_sub(1);
    first >= 60 && rest.iter().take(whole).all(|n| *n == first)
}

/// The bytes a base64 file encodes; `None` when it does not decode.
pub fn decode(data: &[u8]) -> Option<Vec<u8>> {
    let b = body(data);
    let clean: Vec<u8> = b
        .iter()
        .copied()
        .filter(|x| !matches!(x, b'\r' | b'\n'))
        .collect();
    mail_parser::decoders::base64::base64_decode(&clean).filter(|d| !d.is_empty())
}

/// The bytes of a string value that is a file in base64 (an attachment's `contentBytes` in a
/// mail API's JSON, a `data:…;base64,` URI): at least [`MIN_CHARS`] base64 characters and
/// line ends only, padded to whole groups of four. Words, hashes, tokens (`-`, `_`, `.`) and
/// hex are not.
pub fn value_bytes(s: &str) -> Option<Vec<u8>> {
    let s = match s.strip_prefix("data:") {
        Some(uri) => uri.split_once(";base64,")?.1,
        None => s,
    };
    if s.len() < MIN_CHARS {
        return None;
    }
    let mut chars = 0usize;
    let mut upper = false;
    let mut lower = false;
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' => upper = true,
            b'a'..=b'z' => lower = true,
            b'0'..=b'9' | b'+' | b'/' | b'=' => {}
            b'\r' | b'\n' => continue,
            _ => return None,
        }
        chars += 1;
    }
    // Both cases (hex and words in one case are not base64 of a file).
    if chars < MIN_CHARS || !chars.is_multiple_of(4) || !(upper && lower) {
        return None;
    }
    decode(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::base64_of as encode;

    #[test]
    fn encoded_files_are_known_and_decoded() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        for (width, certutil) in [(64, true), (76, false), (1 << 20, false)] {
            let e = encode(&data, width, certutil);
            assert!(is_encoded(&e), "{width} {certutil}");
            assert_eq!(decode(&e).as_deref(), Some(&data[..]));
        }
        // Too short, a word list, a text, a hex dump with spaces.
        assert!(!is_encoded(&encode(&data[..300], 64, true)));
        let words = "apple\nbanana\ncherry\n".repeat(200);
        assert!(!is_encoded(words.as_bytes()));
        assert!(!is_encoded("氏名,電話\n".repeat(300).as_bytes()));
        assert!(!is_encoded("00 01 02 03\n".repeat(300).as_bytes()));
        // Lines of several lengths are no encoding's.
        let ragged = format!(
            "{}\n{}\n{}\n",
            "A".repeat(700),
            "B".repeat(64),
            "C".repeat(900)
        );
        assert!(!is_encoded(ragged.as_bytes()));
    }

    #[test]
    fn encoded_values_are_known_and_decoded() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let one = String::from_utf8(encode(&data, 1 << 20, false)).unwrap_or_default();
        let one = one.trim_end();
        let lines = String::from_utf8(encode(&data, 76, false)).unwrap_or_default();
        for v in [
            one.to_string(),
            lines.replace('\n', "\r\n"),
            format!("data:text/csv;base64,{one}"),
        ] {
            assert_eq!(value_bytes(&v).as_deref(), Some(&data[..]), "{v:.40}");
        }
        // Short, unpadded, hex, a token with `-`/`_`, one case only, text.
        for v in [
            one[..600].to_string(),
            one[..one.len() - 1].to_string(),
            "0123456789abcdef".repeat(100),
            format!("{}-_x", &one[..2000]),
            "QUJD".repeat(400),
            "氏名 山田".repeat(300),
            format!("data:text/plain,{one}"),
        ] {
            assert!(value_bytes(&v).is_none(), "{v:.40}");
        }
    }
}

//! Encoding detection and streaming decoding.
//!
//! Order: a byte-order mark; then, when the head holds NUL bytes, UTF-16 without a BOM
//! (chardetng does not detect UTF-16, so this is done by hand: the share of code units that are
//! plausible for Japanese text in each byte order); then valid UTF-8; then the ISO-2022-JP
//! escape sequences; then chardetng (with the `.jp` hint) for Shift_JIS/CP932 and EUC-JP.
//! Decoding is encoding_rs, in fixed-size chunks split at line ends, so memory stays bounded
//! whatever the file size.

use std::io::{self, Read};

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};

/// Bytes looked at to detect the encoding.
pub const HEAD: usize = 64 * 1024;
/// Bytes read per chunk.
pub const CHUNK: usize = 1 << 20;
/// Longest text handed over without a line end (a longer line is cut).
pub const MAX_LINE: usize = 4 << 20;

fn plausible(u: u16) -> bool {
    matches!(u, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x3000..=0x30FF | 0x4E00..=0x9FFF | 0xFF01..=0xFF9F)
}

fn utf16_score(head: &[u8], le: bool) -> usize {
    let units = head.len() / 2;
    if units == 0 {
        return 0;
    }
    let ok = head
        .chunks_exact(2)
        .filter(|p| {
            let u = if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            };
            plausible(u)
        })
        .count();
    ok * 100 / units
}

/// The encoding of a text, or `None` for binary data.
pub fn detect(head: &[u8]) -> Option<&'static Encoding> {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return Some(enc);
    }
    if head.is_empty() {
        return Some(UTF_8);
    }
    if memchr::memchr(0, head).is_some() {
        let (le, be) = (utf16_score(head, true), utf16_score(head, false));
        return if le >= 90 && le > be {
            Some(UTF_16LE)
        } else if be >= 90 && be > le {
            Some(UTF_16BE)
        } else {
            None
        };
    }
    if memchr::memmem::find(head, b"\x1b$B").is_some()
        || memchr::memmem::find(head, b"\x1b$@").is_some()
    {
        return Some(ISO_2022_JP);
    }
    // Valid UTF-8, allowing a character cut at the end of the head.
    match std::str::from_utf8(head) {
        Ok(_) => return Some(UTF_8),
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            return Some(UTF_8);
        }
        Err(_) => {}
    }
    let mut d = chardetng::EncodingDetector::new();
    d.feed(head, false);
    let guess = d.guess(Some(b"jp"), true);
    // Control bytes other than whitespace mean binary data.
    let controls = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if controls * 100 > head.len() {
        return None;
    }
    Some(
        if guess == EUC_JP || guess == SHIFT_JIS || guess == ISO_2022_JP {
            guess
        } else {
            // Other single-byte guesses on Japanese-tool inputs are nearly always CP932 with few
            // non-ASCII bytes; CP932 decodes ASCII the same way.
            SHIFT_JIS
        },
    )
}

/// The name reported for an encoding (`Shift_JIS` stands for CP932: encoding_rs decodes the
/// Windows extensions).
pub fn name(enc: &'static Encoding) -> &'static str {
    if enc == SHIFT_JIS {
        "Shift_JIS"
    } else {
        enc.name()
    }
}

/// Decodes `r` (whose first bytes are `head`) and hands the text to `f` in pieces that end at
/// a line end (except a line longer than [`MAX_LINE`], which is cut).
pub fn decode_chunks(
    enc: &'static Encoding,
    head: &[u8],
    r: &mut dyn Read,
    f: &mut dyn FnMut(&str),
) -> io::Result<()> {
    let mut dec = enc.new_decoder();
    // Shift_JIS through the table decoder (the same output, see `sjis`). encoding_rs' decoder
    // would also sniff a BOM, but `detect` already chose the BOM's encoding when there is one.
    let mut sjis = (enc == SHIFT_JIS).then(crate::sjis::Decoder::new);
    let mut text = String::new();
    let mut buf = vec![0u8; CHUNK];
    let mut first = Some(head);
    loop {
        let (input, last): (&[u8], bool) = match first.take() {
            Some(h) => (h, false),
            None => {
                let n = kizuki_core::io::read_full(r, &mut buf)?;
                (&buf[..n], n == 0)
            }
        };
        match &mut sjis {
            Some(d) => d.decode_to_string(input, &mut text, last),
            None => {
                if let Some(need) = dec.max_utf8_buffer_length(input.len()) {
                    text.reserve(need);
                }
                let _ = dec.decode_to_string(input, &mut text, last);
            }
        }
        if last {
            if !text.is_empty() {
                f(&text);
            }
            return Ok(());
        }
        if let Some(p) = memchr::memrchr(b'\n', text.as_bytes()) {
            f(&text[..=p]);
            text.drain(..=p);
        } else if text.len() > MAX_LINE {
            f(&text);
            text.clear();
        }
    }
}

/// Encodings the generator writes; `UTF-16` ones are encoded by hand (encoding_rs only decodes them).
pub fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
    if enc == UTF_16LE {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    } else if enc == UTF_16BE {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    } else {
        enc.encode(s).0.into_owned()
    }
}

/// The encodings the scanner handles (and the generator writes).
pub const ENCODINGS: [&Encoding; 6] = [UTF_8, SHIFT_JIS, EUC_JP, ISO_2022_JP, UTF_16LE, UTF_16BE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_encoding() {
        let s = "氏名,メール,電話\n佐藤 太郎,taro@example.com,090-1234-5678\n鈴木 花子,hana@example.jp,03-1234-5678\n高橋 一郎,ichi@example.com,06-6123-4567\n".repeat(3);
        for enc in ENCODINGS {
            let b = encode(enc, &s);
            assert_eq!(detect(&b).map(name), Some(name(enc)), "{}", enc.name());
            let mut out = String::new();
            decode_chunks(enc, &b, &mut io::empty(), &mut |t| out.push_str(t)).unwrap();
            assert_eq!(out, s, "{}", enc.name());
        }
        assert_eq!(detect(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"), None);
    }
}

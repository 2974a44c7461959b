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

/// The encoding an HTML page declares in its head (`<meta charset="EUC-JP">`, or
/// `<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">`), when it is one
/// this reader reports (UTF-8, Shift_JIS/CP932, EUC-JP, ISO-2022-JP): what the page says
/// comes before a guess (a short page's bytes can pass for the wrong Japanese encoding), as
/// in a browser. A BOM still comes first.
pub fn html_declared(head: &[u8]) -> Option<&'static Encoding> {
    if Encoding::for_bom(head).is_some() {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(k) = memchr::memmem::find(&lower[from..], b"<meta") {
        let at = from + k;
        let end = memchr::memchr(b'>', &lower[at..]).map_or(lower.len(), |e| at + e);
        let tag = &lower[at..end];
        if let Some(c) = memchr::memmem::find(tag, b"charset=") {
            let v = &tag[c + 8..];
            let v = v
                .strip_prefix(b"\"")
                .or_else(|| v.strip_prefix(b"'"))
                .unwrap_or(v);
            let label_len = v
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
                .count();
            return Encoding::for_label(&v[..label_len])
                .filter(|e| [UTF_8, SHIFT_JIS, EUC_JP, ISO_2022_JP].contains(e));
        }
        from = end;
    }
    None
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
///
/// UTF-8 is read straight into the buffer that is handed on (checked by simdutf8, not copied
/// by a decoder), and Shift_JIS is decoded into it by [`crate::sjis`]; the other encodings go
/// through encoding_rs. A UTF-8 file with invalid bytes continues through encoding_rs from the
/// line where they are, so the text (U+FFFD for each error) is encoding_rs' in every case.
pub fn decode_chunks(
    enc: &'static Encoding,
    head: &[u8],
    r: &mut dyn Read,
    f: &mut dyn FnMut(&str),
) -> io::Result<()> {
    if enc == UTF_8 {
        // encoding_rs' decoder would remove the BOM.
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        return utf8_chunks(head, r, f);
    }
    if enc == SHIFT_JIS {
        // `detect` already chose the BOM's encoding when there is one: no BOM sniffing here.
        return sjis_chunks(head, r, f);
    }
    decoder_chunks(enc.new_decoder(), head, r, f)
}

/// Text waiting to be handed on: UTF-8 bytes in `buf[..have]`, from a line start. The buffer
/// keeps its length between rounds (it is zero-filled only when it grows), and what is left
/// after the last line end moves to the front.
struct Pending {
    buf: Vec<u8>,
    have: usize,
}

impl Pending {
    fn new(head: &[u8]) -> Self {
        Pending {
            buf: head.to_vec(),
            have: head.len(),
        }
    }

    /// Hands on the text up to its last line end (all of it when `last`; a line longer than
    /// [`MAX_LINE`] up to its last whole character). `Err` with nothing handed on when that
    /// text is not UTF-8.
    fn hand(&mut self, last: bool, f: &mut dyn FnMut(&str)) -> Result<(), ()> {
        let text = &self.buf[..self.have];
        let cut = if last {
            text.len()
        } else if let Some(p) = memchr::memrchr(b'\n', text) {
            // A `\n` byte is never inside a multi-byte character.
            p + 1
        } else if text.len() > MAX_LINE {
            whole_chars(text)
        } else {
            return Ok(());
        };
        match simdutf8::basic::from_utf8(&text[..cut]) {
            Ok("") => {}
            Ok(s) => f(s),
            Err(_) => return Err(()),
        }
        self.buf.copy_within(cut..self.have, 0);
        self.have -= cut;
        Ok(())
    }
}

/// The length of `b` without a character cut at its end.
fn whole_chars(b: &[u8]) -> usize {
    // The last lead byte among the last four bytes, and the length it announces.
    for back in 1..=b.len().min(4) {
        let x = b[b.len() - back];
        if x & 0xC0 == 0x80 {
            continue;
        }
        let need = match x {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xFF => 4,
            _ => 1,
        };
        return if need > back { b.len() - back } else { b.len() };
    }
    b.len()
}

fn utf8_chunks(head: &[u8], r: &mut dyn Read, f: &mut dyn FnMut(&str)) -> io::Result<()> {
    let mut p = Pending::new(head);
    // The head is handed on by itself first, as the other encodings do.
    let mut last = false;
    loop {
        if p.hand(last, f).is_err() {
            // Not UTF-8 from this line on: encoding_rs takes over (without BOM handling: a
            // BOM was removed already).
            let rest = &p.buf[..p.have];
            return decoder_chunks(UTF_8.new_decoder_without_bom_handling(), rest, r, f);
        }
        if last {
            return Ok(());
        }
        let n = read_more(r, &mut p.buf, p.have, CHUNK)?;
        p.have += n;
        last = n == 0;
    }
}

fn sjis_chunks(head: &[u8], r: &mut dyn Read, f: &mut dyn FnMut(&str)) -> io::Result<()> {
    let mut d = crate::sjis::Decoder::new();
    let mut p = Pending::new(&[]);
    let mut inputs = Inputs::new(head);
    loop {
        let (input, last) = inputs.next(r)?;
        p.have = d.decode_into(input, &mut p.buf, p.have, last);
        if p.hand(last, f).is_err() {
            // The decoder writes whole characters only; should that ever fail, the text is
            // handed on with replacement characters rather than lost.
            let cut = if last {
                p.have
            } else {
                memchr::memrchr(b'\n', &p.buf[..p.have]).map_or(0, |i| i + 1)
            };
            f(&String::from_utf8_lossy(&p.buf[..cut]));
            p.buf.copy_within(cut..p.have, 0);
            p.have -= cut;
        }
        if last {
            return Ok(());
        }
    }
}

/// The head, then chunks of the rest, then an empty last input.
struct Inputs<'h> {
    first: Option<&'h [u8]>,
    buf: Vec<u8>,
}

impl<'h> Inputs<'h> {
    fn new(head: &'h [u8]) -> Self {
        Inputs {
            first: Some(head),
            buf: Vec::new(),
        }
    }

    /// The next input, and whether it is the (empty) last one.
    fn next(&mut self, r: &mut dyn Read) -> io::Result<(&[u8], bool)> {
        if let Some(h) = self.first.take() {
            return Ok((h, false));
        }
        let n = read_more(r, &mut self.buf, 0, CHUNK)?;
        Ok((&self.buf[..n], n == 0))
    }
}

/// Reads up to `n` bytes into `buf` from `at` (fewer only at the end of the input): the
/// number read. `buf` grows to `at + n` only when a first byte came: most archive members
/// and carved runs end with their head, and a chunk-sized buffer would be zero-filled (a
/// MiB) for nothing each time.
fn read_more(r: &mut dyn Read, buf: &mut Vec<u8>, at: usize, n: usize) -> io::Result<usize> {
    if buf.len() >= at + n {
        return kizuki_core::io::read_full(r, &mut buf[at..at + n]);
    }
    let mut first = [0u8; 1];
    if kizuki_core::io::read_full(r, &mut first)? == 0 {
        return Ok(0);
    }
    buf.resize(at + n, 0);
    buf[at] = first[0];
    Ok(1 + kizuki_core::io::read_full(r, &mut buf[at + 1..at + n])?)
}

/// The other encodings, through an encoding_rs decoder.
fn decoder_chunks(
    mut dec: encoding_rs::Decoder,
    head: &[u8],
    r: &mut dyn Read,
    f: &mut dyn FnMut(&str),
) -> io::Result<()> {
    let mut text = String::new();
    let mut inputs = Inputs::new(head);
    loop {
        let (input, last) = inputs.next(r)?;
        if let Some(need) = dec.max_utf8_buffer_length(input.len()) {
            text.reserve(need);
        }
        let _ = dec.decode_to_string(input, &mut text, last);
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
    #[test]
    fn html_pages_declare_their_encoding() {
        for (head, want) in [
            (&b"<html><head><meta charset=\"EUC-JP\">"[..], Some(EUC_JP)),
            (b"<META CHARSET=shift_jis>", Some(SHIFT_JIS)),
            (
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Windows-31J\">",
                Some(SHIFT_JIS),
            ),
            (
                b"<meta name=x><meta charset='iso-2022-jp'>",
                Some(ISO_2022_JP),
            ),
            (b"<meta charset=\"iso-8859-1\">", None),
            (b"\xEF\xBB\xBF<meta charset=\"EUC-JP\">", None),
            (b"<html><body>charset=EUC-JP</body>", None),
        ] {
            assert_eq!(
                html_declared(head),
                want,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

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

    fn pieces(file: &[u8], enc: &'static Encoding, reference: bool) -> Vec<String> {
        let head = &file[..file.len().min(HEAD)];
        let mut r = &file[head.len()..];
        let mut out = Vec::new();
        let mut f = |t: &str| out.push(t.to_string());
        if reference {
            decoder_chunks(enc.new_decoder(), head, &mut r, &mut f).unwrap();
        } else {
            decode_chunks(enc, head, &mut r, &mut f).unwrap();
        }
        out
    }

    /// The UTF-8 and Shift_JIS paths hand on the same pieces as encoding_rs' decoder:
    /// several chunks, a line longer than `MAX_LINE`, a BOM, invalid bytes here and there.
    #[test]
    fn fast_paths_hand_on_what_encoding_rs_gives() {
        let line = "氏名,山田 太郎,ﾔﾏﾀﾞ,taro@example.jp,〒100-0001 東京都千代田区①\n";
        let lines = line.repeat(3 * CHUNK / line.len());
        let long = "長い行".repeat(MAX_LINE / 7) + "\n終わり";
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for text in [lines.as_str(), long.as_str(), "", "一行だけ", "\n\n"] {
            let b = text.as_bytes().to_vec();
            cases.push(b.clone());
            cases.push([b"\xEF\xBB\xBF".as_slice(), &b].concat());
            cases.push([&b, b"\xE6\xB0".as_slice()].concat());
            for at in [10, HEAD + 5, CHUNK + 3, 2 * CHUNK + HEAD] {
                if at < b.len() {
                    let mut bad = b.clone();
                    bad[at] = 0xFF;
                    cases.push(bad);
                }
            }
        }
        for b in &cases {
            assert_eq!(
                pieces(b, UTF_8, false),
                pieces(b, UTF_8, true),
                "UTF-8, {} bytes",
                b.len()
            );
            let sj = encode(SHIFT_JIS, &String::from_utf8_lossy(b));
            let mut sj_bad = sj.clone();
            sj_bad.extend_from_slice(b"\x81");
            for s in [&sj, &sj_bad] {
                assert_eq!(
                    pieces(s, SHIFT_JIS, false),
                    pieces(s, SHIFT_JIS, true),
                    "Shift_JIS, {} bytes",
                    s.len()
                );
            }
        }
    }
}

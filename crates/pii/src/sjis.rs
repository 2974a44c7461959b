//! A faster Shift_JIS (CP932) to UTF-8 decoder for the common case, checked against
//! encoding_rs and built from it.
//!
//! Why by hand: encoding_rs decodes CP932 with a branchy per-character path (range checks
//! into several JIS X 0208 tables, then UTF-8 encoding); on the Japanese CSV of the benchmark
//! it was a fifth of the whole scan. Here every valid double-byte character is one lookup in
//! a table of ready UTF-8 bytes, and ASCII runs go eight bytes at a time. The table is made
//! at first use by asking encoding_rs to decode each of the 11,340 byte pairs, so the mapping
//! (Windows extensions, vendor-specific rows, the private-use area) is exactly encoding_rs'
//! WHATWG one. Anything else — an invalid or unmapped sequence — is handed to encoding_rs
//! itself, so the output is byte for byte what encoding_rs gives (the unit tests check this on
//! random bytes cut into random chunks).

use std::sync::LazyLock;

use encoding_rs::SHIFT_JIS;

/// 1 + the row in [`Table::pairs`] of each lead byte of a double-byte character (WHATWG
/// Shift_JIS: 0x81..=0x9F, 0xE0..=0xFC), 0 for other bytes.
const LEAD_ROW: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x81;
    while b <= 0xFC {
        if b <= 0x9F || b >= 0xE0 {
            t[b] = 1 + if b < 0xE0 { b - 0x81 } else { b - 0xE0 + 0x1F } as u8;
        }
        b += 1;
    }
    t
};

fn is_lead(b: u8) -> bool {
    LEAD_ROW[usize::from(b)] != 0
}

/// Row of a lead byte in [`Table::pairs`].
fn lead_row(b: u8) -> usize {
    usize::from(LEAD_ROW[usize::from(b)].saturating_sub(1))
}

/// Leads: 0x81..=0x9F and 0xE0..=0xFC.
const LEADS: usize = 0x1F + 0x1D;

/// A character as UTF-8 bytes in the low bytes of a `u32` (little-endian) and its length in
/// the high byte; 0 for none.
type Packed = u32;

fn pack(s: &str) -> Packed {
    let b = s.as_bytes();
    if s.chars().count() != 1 || b.len() > 3 {
        return 0;
    }
    let mut a = [0u8; 4];
    a[..b.len()].copy_from_slice(b);
    a[3] = b.len() as u8;
    u32::from_le_bytes(a)
}

struct Table {
    /// Single bytes 0x80..=0xFF that stand alone (U+0080, half-width katakana).
    single: [Packed; 128],
    /// Double-byte characters by lead row and trail byte (all 256, invalid ones 0).
    pairs: Vec<Packed>,
}

fn decode_exact(bytes: &[u8]) -> Option<String> {
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut t = Table {
        single: [0; 128],
        pairs: vec![0; LEADS * 256],
    };
    for b in 0x80..=0xFFu8 {
        if !is_lead(b)
            && let Some(s) = decode_exact(&[b])
        {
            t.single[usize::from(b - 0x80)] = pack(&s);
        }
    }
    for lead in (0x81..=0xFCu8).filter(|b| is_lead(*b)) {
        for trail in 0x40..=0xFCu8 {
            // An ASCII trail of an invalid pair is given back to the stream: leave such pairs
            // (and every unmapped one) to encoding_rs.
            if let Some(s) = decode_exact(&[lead, trail]) {
                t.pairs[lead_row(lead) * 256 + usize::from(trail)] = pack(&s);
            }
        }
    }
    t
});

/// A streaming decoder with the semantics of encoding_rs' `Decoder::decode_to_string`
/// (replacement characters for errors) for Shift_JIS, writing into a byte buffer: the caller
/// checks the UTF-8 once, when it hands the text on.
#[derive(Default)]
pub struct Decoder {
    /// A lead byte left at the end of the last input.
    pending: Option<u8>,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `input` into `out` from byte `o` on and returns the end of what it wrote;
    /// `last` ends the stream (a lead byte left over becomes U+FFFD). `out` grows when it is
    /// short (and only then is it zero-filled); what it writes is whole UTF-8 characters.
    // Out of line: inlined into its caller it ran 10 % slower (a change elsewhere in the
    // crate once tipped the compiler into it).
    #[inline(never)]
    pub fn decode_into(&mut self, input: &[u8], out: &mut Vec<u8>, o: usize, last: bool) -> usize {
        let t = &*TABLE;
        let mut input = input;
        // Worst case: every byte a half-width katakana (three bytes of UTF-8); 8 of slack
        // for the word stores.
        let need = o + 3 * (input.len() + 1) + 8;
        if out.len() < need {
            out.resize(need, 0);
        }
        let mut o = o;
        if let Some(lead) = self.pending.take() {
            match input.first() {
                Some(&trail) => {
                    o = put_pair(t, lead, trail, out, o);
                    input = &input[1..];
                }
                None if last => o = put_slow(&[lead], out, o),
                None => self.pending = Some(lead),
            }
        }
        let b = input;
        let mut i = 0;
        while let Some(&x) = b.get(i) {
            if x < 0x80 {
                // ASCII eight bytes at a time: the word is copied whole, and the ASCII bytes
                // it starts with (one at least) are taken; the rest is written again after.
                if let (Some(w), Some(dst)) = (b.get(i..i + 8), out.get_mut(o..o + 8)) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(w);
                    dst.copy_from_slice(w);
                    let high = u64::from_le_bytes(a) & 0x8080_8080_8080_8080;
                    let n = if high == 0 {
                        8
                    } else {
                        (high.trailing_zeros() / 8) as usize
                    };
                    i += n;
                    o += n;
                    continue;
                }
                if let Some(d) = out.get_mut(o) {
                    *d = x;
                }
                i += 1;
                o += 1;
                continue;
            }
            let row = LEAD_ROW[usize::from(x)];
            if row != 0 {
                match b.get(i + 1) {
                    Some(&y) => {
                        let p = t
                            .pairs
                            .get(usize::from(row - 1) * 256 + usize::from(y))
                            .copied()
                            .unwrap_or(0);
                        o = if p != 0 {
                            put(p, out, o)
                        } else {
                            put_slow(&[x, y], out, o)
                        };
                        i += 2;
                    }
                    None if last => {
                        o = put_slow(&[x], out, o);
                        i += 1;
                    }
                    None => {
                        self.pending = Some(x);
                        i += 1;
                    }
                }
                continue;
            }
            let p = t.single[usize::from(x & 0x7F)];
            o = if p != 0 {
                put(p, out, o)
            } else {
                put_slow(&[x], out, o)
            };
            i += 1;
        }
        o
    }
}

#[inline]
fn put(p: Packed, out: &mut [u8], o: usize) -> usize {
    let len = (p >> 24) as usize;
    if let Some(d) = out.get_mut(o..o + 4) {
        d.copy_from_slice(&p.to_le_bytes());
    }
    o + len
}

#[inline]
fn put_pair(t: &Table, lead: u8, trail: u8, out: &mut [u8], o: usize) -> usize {
    let p = t
        .pairs
        .get(lead_row(lead) * 256 + usize::from(trail))
        .copied()
        .unwrap_or(0);
    if p != 0 {
        put(p, out, o)
    } else {
        put_slow(&[lead, trail], out, o)
    }
}

/// A complete sequence that is not a plain character: encoding_rs decides (U+FFFD, and an
/// ASCII trail byte kept as itself).
#[cold]
fn put_slow(seq: &[u8], out: &mut [u8], o: usize) -> usize {
    let (s, _) = SHIFT_JIS.decode_without_bom_handling(seq);
    let s = s.as_bytes();
    match out.get_mut(o..o + s.len()) {
        Some(d) => {
            d.copy_from_slice(s);
            o + s.len()
        }
        None => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(chunks: &[&[u8]]) -> String {
        let mut d = SHIFT_JIS.new_decoder_without_bom_handling();
        let mut s = String::new();
        for (k, c) in chunks.iter().enumerate() {
            let last = k + 1 == chunks.len();
            s.reserve(d.max_utf8_buffer_length(c.len()).unwrap_or(0));
            let _ = d.decode_to_string(c, &mut s, last);
        }
        s
    }

    fn fast(chunks: &[&[u8]]) -> String {
        let mut d = Decoder::new();
        // Stale bytes past the end: the decoder must not depend on a zeroed buffer.
        let mut out = vec![0xFF; 5];
        let mut o = 0;
        for (k, c) in chunks.iter().enumerate() {
            o = d.decode_into(c, &mut out, o, k + 1 == chunks.len());
        }
        out.truncate(o);
        String::from_utf8(out).expect("whole characters")
    }

    /// xorshift, deterministic.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn every_pair_and_byte_decodes_like_encoding_rs() {
        for a in 0..=255u8 {
            assert_eq!(fast(&[&[a]]), reference(&[&[a]]), "{a:02x}");
            for b in 0..=255u8 {
                let s = [a, b, b'x'];
                assert_eq!(fast(&[&s]), reference(&[&s]), "{a:02x} {b:02x}");
                // The pair cut between two inputs.
                assert_eq!(fast(&[&s[..1], &s[1..]]), reference(&[&s[..1], &s[1..]]));
            }
        }
    }

    #[test]
    fn random_bytes_in_random_chunks_decode_like_encoding_rs() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let text = encoding_rs::SHIFT_JIS
            .encode("氏名,フリガナ,住所\n山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,東京都千代田区①丁目 ㈱ ～ ∑\n")
            .0
            .into_owned();
        for round in 0..2000 {
            let len = (r.next() % 200) as usize;
            let mut data: Vec<u8> = Vec::new();
            while data.len() < len {
                let v = r.next();
                if round % 2 == 0 && !v.is_multiple_of(4) {
                    // Mostly runs of real text, cut anywhere.
                    let s = (v >> 8) as usize % text.len();
                    let n = ((v >> 32) as usize % 24).min(text.len() - s);
                    data.extend_from_slice(&text[s..s + n]);
                } else {
                    data.push((v >> 8) as u8);
                }
            }
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                let n = ((r.next() % 20) as usize).min(rest.len());
                chunks.push(&rest[..n]);
                rest = &rest[n..];
            }
            chunks.push(&[]);
            assert_eq!(fast(&chunks), reference(&chunks), "{data:02x?}");
        }
    }
}

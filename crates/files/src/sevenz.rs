//! 7-Zip listing from the header: member names when the header is stored plainly, and whether
//! the header or members are AES-encrypted (coder id 06F10701, the 7z "PPAP" form). Compressed
//! ("encoded") headers are reported, not decoded: that needs LZMA, which the crate does not
//! carry for a listing.

/// What the header says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SevenZipListing {
    /// Member names (plain headers only).
    pub names: Vec<String>,
    /// The header is compressed: names unknown.
    pub header_encoded: bool,
    /// An AES coder appears (encrypted header or members).
    pub encrypted: bool,
}

const AES: &[u8] = &[0x06, 0xF1, 0x07, 0x01];

fn number(d: &[u8], p: &mut usize) -> Option<u64> {
    let first = *d.get(*p)?;
    *p += 1;
    let mut mask = 0x80u8;
    let mut value = 0u64;
    for i in 0..8 {
        if first & mask == 0 {
            let high = u64::from(first & mask.wrapping_sub(1));
            return Some(value | (high << (8 * i)));
        }
        value |= u64::from(*d.get(*p)?) << (8 * i);
        *p += 1;
        mask >>= 1;
    }
    Some(value)
}

/// Lists a 7z archive (best effort, at most `max` names).
pub fn list(d: &[u8], max: usize) -> SevenZipListing {
    let mut out = SevenZipListing::default();
    let le64 = |o: usize| {
        d.get(o..o + 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    };
    let (Some(off), Some(size)) = (le64(12), le64(20)) else {
        return out;
    };
    let start = 32u64.saturating_add(off);
    let end = start.saturating_add(size).min(d.len() as u64);
    let Some(h) = d.get(start as usize..end as usize) else {
        return out;
    };
    out.encrypted = memchr::memmem::find(h, AES).is_some();
    match h.first() {
        Some(0x17) => out.header_encoded = true,
        Some(0x01) => {
            // Find FilesInfo's name property: 0x11, size, external = 0, UTF-16LE names.
            let mut p = 0;
            while let Some(i) = memchr::memchr(0x11, &h[p..]) {
                let mut q = p + i + 1;
                p += i + 1;
                let Some(len) = number(h, &mut q) else {
                    continue;
                };
                // (A declared size near 2^64 must not wrap around to a small end.)
                let end = (q as u64).checked_add(len).filter(|e| *e <= h.len() as u64);
                let (Some(end), Some(&0), true) = (end, h.get(q), len >= 3) else {
                    continue;
                };
                let Some(names) = h.get(q + 1..end as usize) else {
                    continue;
                };
                let units: Vec<u16> = names
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                for n in units.split(|&u| u == 0).filter(|n| !n.is_empty()).take(max) {
                    out.names.push(String::from_utf16_lossy(n));
                }
                break;
            }
        }
        _ => {}
    }
    out
}

/// A 7z archive whose plain header lists `names` as empty files; `encrypted` instead writes an
/// encoded header that names the AES coder (for the synthetic corpus).
pub fn synth(names: &[&str], encrypted: bool) -> Vec<u8> {
    let header: Vec<u8> = if encrypted {
        // kEncodedHeader, kPackInfo … with a folder whose coder is AES (abridged).
        vec![
            0x17, 0x06, 0x00, 0x01, 0x09, 0x10, 0x00, 0x0B, 0x01, 0x00, 0x01, 0x24, 0x06, 0xF1,
            0x07, 0x01, 0x00,
        ]
    } else {
        let mut names_bytes = Vec::new();
        for n in names {
            for u in n.encode_utf16() {
                names_bytes.extend_from_slice(&u.to_le_bytes());
            }
            names_bytes.extend_from_slice(&[0, 0]);
        }
        let mut h = vec![0x01, 0x05, names.len() as u8, 0x11];
        let len = names_bytes.len() + 1;
        // 7z NUMBER for len < 0x4000: two bytes 0x80|high, low.
        h.push(0x80 | (len >> 8) as u8);
        h.push((len & 0xff) as u8);
        h.push(0);
        h.extend_from_slice(&names_bytes);
        h.extend_from_slice(&[0x00, 0x00]);
        h
    };
    let mut crc = flate2::Crc::new();
    crc.update(&header);
    let mut start = Vec::new();
    start.extend_from_slice(&0u64.to_le_bytes());
    start.extend_from_slice(&(header.len() as u64).to_le_bytes());
    start.extend_from_slice(&crc.sum().to_le_bytes());
    let mut scrc = flate2::Crc::new();
    scrc.update(&start);
    let mut out = b"7z\xbc\xaf\x27\x1c\x00\x04".to_vec();
    out.extend_from_slice(&scrc.sum().to_le_bytes());
    out.extend_from_slice(&start);
    out.extend_from_slice(&header);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_plain_headers_and_sees_aes() {
        let l = list(&synth(&["docs/a.pdf", "run.exe"], false), 100);
        assert_eq!(l.names, ["docs/a.pdf", "run.exe"]);
        assert!(!l.encrypted);
        let e = list(&synth(&[], true), 100);
        assert!(e.encrypted && e.header_encoded);
    }
}

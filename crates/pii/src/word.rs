//! Word 97-2003 documents (`.doc`, MS-DOC): their text in reading order, tables as rows of
//! cells between tabs.
//!
//! Carved, a `.doc` gave its UTF-16 runs as they lie in the file: a document saved in haste
//! ("fast save") keeps its edits in pieces out of order, 8-bit pieces were another region,
//! field codes (`HYPERLINK "mailto:…"`) counted a value twice, and a table was a string of
//! cells with `\x07` between them, so a customer table had no header above its columns. Here
//! the piece table (the CLX in the table stream) gives the text in order, and the paragraph
//! properties (the PAPX pages) tell a cell's end from a row's: each row becomes a line of
//! cells between tabs, which the text scanner reads as a table (as a range pasted from a
//! spreadsheet), its header classifying its columns. Field codes are dropped, their results
//! kept. The text of headers, footnotes, comments and text boxes follows the body's, as in
//! the file. No crate reads this format; what is needed of it is small and written here.
//!
//! Caps: the streams are read within the `[files]` total-size cap, the text kept is at most
//! that many bytes, pieces and pages are bounded by the sizes of the structures that list
//! them. An encrypted or obfuscated document is reported as not read.

use std::io::Cursor;

use cfb::CompoundFile;

use crate::Error;

/// A document's text.
#[derive(Debug)]
pub struct Doc {
    /// Paragraphs as lines; a table row as a line of cells between tabs.
    pub text: String,
    /// `UTF-16LE`, or `windows-1252` when every piece is 8-bit.
    pub encoding: &'static str,
}

/// The FIB's signature.
const W_IDENT: u16 = 0xA5EC;
/// The FIB versions of the Word 97 format (0x00C1; 0x00C0 and 0x00C2 in some builds and
/// languages of Word 97 and 98; later versions keep 0x00C1 and add fields after). Word 6 and
/// 95 wrote 0x0065 to 0x0068, a FIB of another layout.
const NFIB_97: u16 = 0x00C0;
/// Offsets in the FIB: flags, and the (fc, lcb) pairs of the paragraph-property bin table
/// and of the piece table.
const FLAGS: usize = 0x0A;
const PLCF_BTE_PAPX: usize = 0x102;
const CLX: usize = 0x1A2;
/// `fEncrypted`, `fWhichTblStm`, `fObfuscated`.
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TBL: u16 = 0x0200;
const F_OBFUSCATED: u16 = 0x8000;
/// A formatted disk page's size.
const PAGE: usize = 512;
/// Paragraph sprms: in a table, a row's end (table terminating paragraph), the nested
/// table's, and the table depth.
const SPRM_IN_TABLE: u16 = 0x2416;
const SPRM_TTP: u16 = 0x2417;
const SPRM_INNER_TTP: u16 = 0x244C;
const SPRM_ITAP: u16 = 0x6649;

use crate::ole::{u16_at, u32_at};

/// Reads a Word 97-2003 document within `cap` bytes; `None` when `data` is not one (the
/// caller carves it), `Err` when it is one that cannot be read (encrypted).
pub fn read(data: &[u8], cap: u64) -> Option<Result<Doc, Error>> {
    let mut comp = CompoundFile::open(Cursor::new(data)).ok()?;
    if !comp.is_stream("/WordDocument") {
        return None;
    }
    let mut stream = |name: &str| -> Result<Vec<u8>, Error> {
        let s = comp
            .open_stream(name)
            .map_err(|e| Error::Read(format!("{name}: {e}")))?;
        match kizuki_core::io::read_capped(s, cap) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(Error::Cap(format!("{name} larger than {cap} bytes"))),
            Err(e) => Err(Error::Read(format!("{name}: {e}"))),
        }
    };
    let word = match stream("/WordDocument") {
        Ok(w) => w,
        Err(e) => return Some(Err(e)),
    };
    if u16_at(&word, 0) != Some(W_IDENT) || u16_at(&word, 2).is_none_or(|n| n < NFIB_97) {
        return None;
    }
    let flags = u16_at(&word, FLAGS).unwrap_or(0);
    if flags & (F_ENCRYPTED | F_OBFUSCATED) != 0 {
        return Some(Err(Error::Read("encrypted document: not read".into())));
    }
    let table = if flags & F_WHICH_TBL != 0 {
        "/1Table"
    } else {
        "/0Table"
    };
    let table = match stream(table) {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    Some(from_streams(&word, &table, cap))
}

/// A document's text from its `WordDocument` stream (FIB checked) and its table stream.
fn from_streams(word: &[u8], table: &[u8], cap: u64) -> Result<Doc, Error> {
    let pair = |at: usize| Some((u32_at(word, at)? as usize, u32_at(word, at + 4)? as usize));
    let slice = |(fc, lcb): (usize, usize)| table.get(fc..fc.checked_add(lcb)?);
    let Some(clx) = pair(CLX).and_then(slice) else {
        return Err(Error::Read("no piece table".into()));
    };
    let Some(pieces) = pieces(clx) else {
        return Err(Error::Read("damaged piece table".into()));
    };
    let marks = pair(PLCF_BTE_PAPX)
        .and_then(slice)
        .map(|b| table_marks(b, word))
        .unwrap_or_default();
    Ok(text(word, &pieces, &marks, cap))
}

/// A piece of the text: its characters' count and where they are (`compressed`: 8-bit at
/// `fc`, else UTF-16LE).
#[derive(Debug, PartialEq)]
struct Piece {
    chars: usize,
    fc: usize,
    compressed: bool,
}

/// The pieces of the CLX (after any `Prc` property blocks).
fn pieces(clx: &[u8]) -> Option<Vec<Piece>> {
    let mut at = 0;
    // Prc blocks: 0x01, a 16-bit size, properties.
    while clx.get(at) == Some(&0x01) {
        let n = usize::from(u16_at(clx, at + 1)?);
        at += 3 + n;
    }
    if clx.get(at) != Some(&0x02) {
        return None;
    }
    let lcb = u32_at(clx, at + 1)? as usize;
    let plc = clx.get(at + 5..(at + 5).checked_add(lcb)?)?;
    if lcb < 4 || !(lcb - 4).is_multiple_of(12) {
        return None;
    }
    let n = (lcb - 4) / 12;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (u32_at(plc, 4 * i)?, u32_at(plc, 4 * (i + 1))?);
        let fc = u32_at(plc, 4 * (n + 1) + 8 * i + 2)?;
        let compressed = fc & 0x4000_0000 != 0;
        let fc = (fc & 0x3FFF_FFFF) as usize;
        out.push(Piece {
            chars: b.checked_sub(a)? as usize,
            fc: if compressed { fc / 2 } else { fc },
            compressed,
        });
    }
    Some(out)
}

/// What a paragraph mark ends: a paragraph in a table cell, or a table row.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Mark {
    in_table: bool,
    row_end: bool,
}

/// Runs of paragraphs with their properties from the PAPX pages: `(fc from, fc to, mark)`,
/// sorted, only those in tables.
fn table_marks(bte: &[u8], word: &[u8]) -> Vec<(u32, u32, Mark)> {
    let mut out = Vec::new();
    if bte.len() < 4 || !(bte.len() - 4).is_multiple_of(8) {
        return out;
    }
    let n = (bte.len() - 4) / 8;
    for i in 0..n {
        let Some(pn) = u32_at(bte, 4 * (n + 1) + 4 * i) else {
            continue;
        };
        let at = (pn & 0x003F_FFFF) as usize * PAGE;
        let Some(page) = word.get(at..at + PAGE) else {
            continue;
        };
        let crun = usize::from(page[PAGE - 1]);
        for r in 0..crun {
            let (Some(from), Some(to)) = (u32_at(page, 4 * r), u32_at(page, 4 * (r + 1))) else {
                break;
            };
            let bx = 4 * (crun + 1) + 13 * r;
            let off = usize::from(page.get(bx).copied().unwrap_or(0)) * 2;
            if off == 0 {
                continue;
            }
            let mark = papx_mark(page, off);
            if mark.in_table {
                out.push((from, to, mark));
            }
        }
    }
    out.sort_by_key(|m| m.0);
    out
}

/// The table flags of the PAPX at `off` of a page.
fn papx_mark(page: &[u8], off: usize) -> Mark {
    let mut m = Mark::default();
    let Some(&cb) = page.get(off) else {
        return m;
    };
    let grpprl = if cb == 0 {
        let n = usize::from(page.get(off + 1).copied().unwrap_or(0)) * 2;
        page.get(off + 2..off + 2 + n)
    } else {
        page.get(off + 1..off + 2 * usize::from(cb))
    };
    // The style index, then the sprms.
    let Some(prl) = grpprl.and_then(|g| g.get(2..)) else {
        return m;
    };
    let mut at = 0;
    while let Some(op) = u16_at(prl, at) {
        at += 2;
        let size = match op >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            // Variable: a size byte (two for sprmTDefTable, which is no paragraph sprm).
            _ => match op {
                0xD608 => usize::from(u16_at(prl, at).unwrap_or(0)) + 1,
                _ => usize::from(prl.get(at).copied().unwrap_or(0)) + 1,
            },
        };
        let v = prl.get(at).copied().unwrap_or(0);
        match op {
            SPRM_IN_TABLE => m.in_table = v != 0,
            SPRM_TTP | SPRM_INNER_TTP => m.row_end |= v != 0,
            SPRM_ITAP => m.in_table |= u32_at(prl, at).is_some_and(|d| d > 0),
            _ => {}
        }
        at += size;
    }
    m
}

/// The mark of the paragraph whose end mark is at `fc`.
fn mark_at(marks: &[(u32, u32, Mark)], fc: usize) -> Mark {
    let fc = fc as u32;
    let i = marks.partition_point(|m| m.0 <= fc);
    match i.checked_sub(1).and_then(|i| marks.get(i)) {
        Some((from, to, m)) if *from <= fc && fc < *to => *m,
        _ => Mark::default(),
    }
}

/// The text of the pieces, at most `cap` bytes: paragraphs as lines, rows as lines of cells
/// between tabs, field codes dropped.
fn text(word: &[u8], pieces: &[Piece], marks: &[(u32, u32, Mark)], cap: u64) -> Doc {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut t = String::new();
    let mut unicode = false;
    // Fields: depth, and the depth of the innermost one whose code is being read.
    let mut fields: Vec<bool> = Vec::new();
    'pieces: for p in pieces {
        unicode |= !p.compressed;
        let width = if p.compressed { 1 } else { 2 };
        let Some(bytes) = p
            .chars
            .checked_mul(width)
            .and_then(|n| word.get(p.fc..p.fc.checked_add(n)?))
        else {
            continue;
        };
        let units: Vec<u16> = if p.compressed {
            // 8-bit pieces are windows-1252.
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            s.encode_utf16().collect()
        } else {
            bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect()
        };
        // The offset of each character in the piece, in code units (a surrogate pair is two).
        let mut unit = 0;
        for c in char::decode_utf16(units.iter().copied()) {
            if t.len() >= cap {
                break 'pieces;
            }
            let i = unit;
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            unit += c.len_utf16();
            let in_code = fields.last() == Some(&true);
            match c {
                '\u{13}' => fields.push(true),
                '\u{14}' => {
                    if let Some(f) = fields.last_mut() {
                        *f = false;
                    }
                }
                '\u{15}' => {
                    fields.pop();
                }
                _ if in_code => {}
                '\r' | '\u{7}' => {
                    // 8-bit pieces are counted in characters of one byte each.
                    let fc = p.fc + i * width;
                    let m = mark_at(marks, fc);
                    if c == '\u{7}' && m.row_end {
                        if t.ends_with('\t') {
                            t.pop();
                        }
                        t.push('\n');
                    } else if c == '\u{7}' {
                        t.push('\t');
                    } else if m.in_table {
                        t.push(' ');
                    } else {
                        t.push('\n');
                    }
                }
                '\u{b}' | '\u{c}' => t.push('\n'),
                '\u{1e}' => t.push('-'),
                '\t' => t.push('\t'),
                c if c < ' ' => {}
                c => t.push(c),
            }
        }
    }
    Doc {
        text: t,
        encoding: if unicode || pieces.is_empty() {
            "UTF-16LE"
        } else {
            "windows-1252"
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{DocPart, doc_of};

    #[test]
    fn paragraphs_and_table_rows_come_out_as_lines() {
        let parts = vec![
            DocPart::Para("顧客一覧（社外秘）".into()),
            DocPart::Row(vec!["氏名".into(), "電話番号".into()]),
            DocPart::Row(vec!["山田 太郎".into(), "090-1234-5678".into()]),
            DocPart::Row(vec!["".into(), "03-1234-5678".into()]),
            DocPart::Para("連絡先：{HYPERLINK \"mailto:a@example.jp\"|a@example.jp}".into()),
        ];
        let d = doc_of(&parts, false).unwrap();
        let doc = read(&d, 1 << 20).unwrap().unwrap();
        assert_eq!(
            doc.text,
            "顧客一覧（社外秘）\n氏名\t電話番号\n山田 太郎\t090-1234-5678\n\t03-1234-5678\n\
             連絡先：a@example.jp\n"
        );
        assert_eq!(doc.encoding, "UTF-16LE");
    }

    #[test]
    fn pieces_out_of_order_and_8_bit_read_in_order() {
        let parts = vec![
            DocPart::Para("first paragraph".into()),
            DocPart::Para("second".into()),
        ];
        // Pieces stored back to front, 8-bit.
        let d = doc_of(&parts, true).unwrap();
        let doc = read(&d, 1 << 20).unwrap().unwrap();
        assert_eq!(doc.text, "first paragraph\nsecond\n");
        assert_eq!(doc.encoding, "windows-1252");
        // The cap bounds the text.
        let doc = read(&d, 1 << 20).unwrap().unwrap();
        assert!(doc.text.len() <= 1 << 20);
    }

    #[test]
    fn what_is_not_a_word_document_is_left_to_the_carver() {
        assert!(read(b"plain", 100).is_none());
        let xls = crate::synth::ole_of(&[("/Workbook", b"\x09\x08")]).unwrap();
        assert!(read(&xls, 1 << 20).is_none());
        // A Word 6/95 document (older FIB): carved.
        let old = crate::synth::ole_of(&[("/WordDocument", &[0xEC, 0xA5, 0x65, 0x00])]).unwrap();
        assert!(read(&old, 1 << 20).is_none());
        // Encrypted: reported, not read.
        let mut fib = vec![0u8; 1024];
        fib[..4].copy_from_slice(&[0xEC, 0xA5, 0xC1, 0x00]);
        fib[FLAGS] = 0x00;
        fib[FLAGS + 1] = 0x01;
        let enc = crate::synth::ole_of(&[("/WordDocument", &fib)]).unwrap();
        assert!(matches!(read(&enc, 1 << 20), Some(Err(Error::Read(_)))));
    }

    #[test]
    fn bent_structures_never_panic_and_stay_bounded() {
        let mut parts = vec![DocPart::Para("氏名：山田 太郎 {PAGE|1}".into())];
        for i in 0..40 {
            parts.push(DocPart::Row(vec![
                format!("山田 {i}"),
                "090-1234-5678".into(),
            ]));
        }
        let d = doc_of(&parts, false).unwrap();
        let mut comp = CompoundFile::open(Cursor::new(&d[..])).unwrap();
        let mut get = |n: &str| {
            kizuki_core::io::read_capped(comp.open_stream(n).unwrap(), 1 << 20)
                .unwrap()
                .unwrap()
        };
        let (word, table) = (get("/WordDocument"), get("/1Table"));
        assert!(
            from_streams(&word, &table, 1 << 20)
                .unwrap()
                .text
                .contains("山田 39\t090")
        );
        let mut rng = kizuki_core::rng::Rng::new(5);
        for _ in 0..20_000 {
            let (mut w, mut t) = (word.clone(), table.clone());
            for _ in 0..1 + rng.below(6) {
                // The FIB's pairs, the piece table, the PAPX pages: where the structure is.
                if rng.chance(0.5) {
                    let i = rng.below(t.len() as u64) as usize;
                    t[i] = rng.next_u64() as u8;
                } else {
                    let i = if rng.chance(0.5) {
                        0x100 + rng.below(0xB0) as usize
                    } else {
                        w.len() - 1 - rng.below(1024) as usize
                    };
                    w[i] = rng.next_u64() as u8;
                }
            }
            if let Ok(doc) = from_streams(&w, &t, 4096) {
                assert!(doc.text.len() <= 4096 + 4);
            }
        }
    }

    #[test]
    fn damaged_piece_tables_are_errors_not_panics() {
        assert_eq!(pieces(&[0x02, 0xFF, 0xFF, 0xFF, 0xFF]), None);
        assert_eq!(pieces(&[0x01, 0x05, 0x00]), None);
        assert_eq!(pieces(&[]), None);
        // A piece whose end is before its start.
        let mut clx = vec![0x02];
        clx.extend_from_slice(&16u32.to_le_bytes());
        for v in [10u32, 5] {
            clx.extend_from_slice(&v.to_le_bytes());
        }
        clx.extend_from_slice(&[0; 8]);
        assert_eq!(pieces(&clx), None);
    }
}

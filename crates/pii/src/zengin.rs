//! Bank transfer files in the Zengin format (全銀協規定フォーマット): the fixed-width
//! records that Japanese companies send their bank for payroll (給与振込), supplier payments
//! (総合振込) and direct debits (口座振替), and that stay on file shares afterwards. Each
//! data record holds a payee's account number and name in half-width katakana (`ﾔﾏﾀﾞ ﾀﾛｳ`);
//! as free text neither is found (no keyword, no separator between the fields).
//!
//! The layout (120 characters a record, one byte each in Shift_JIS: ASCII and half-width
//! katakana only; records one after the other, or one a line):
//! - header `1`, type code (`21` 総合振込, `11`/`12` 給与/賞与, `71`/`72` the same for
//!   public servants, `91` 口座振替), code class (`0` Shift_JIS), requester code (10), name (40), …;
//! - data `2`: bank number (4) and name (15), branch number (3) and name (15), clearing
//!   house (4), deposit type (1), **account number (7)**, **payee name (30)**, amount (10), …;
//!   the direct-debit record has the same fields where these are;
//! - trailer `8` (count and total), end `9`.
//!
//! Written by hand: a fixed layout, no crate reads it. Payees written as companies (`ｶ)`,
//! `(ﾕ`: the legal form's abbreviation in brackets) are not persons and are left out. A file
//! that stops matching the layout goes on as free text.

use crate::table::Table;
use crate::tally::Tally;
use crate::text;

/// Characters (Shift_JIS bytes) in a record.
pub const RECORD: usize = 120;

/// Type codes of the header record.
const TYPES: [&str; 7] = ["11", "12", "21", "71", "72", "91", "43"];

/// The width of `c` in Shift_JIS bytes if the format allows it (ASCII and half-width
/// katakana: one byte each).
fn narrow(c: char) -> bool {
    c.is_ascii() && !c.is_ascii_control() || ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// Whether a text starts with a Zengin header record: `1`, a known type code, a code class,
/// a ten-digit requester code, and 120 characters the format allows, then a line end, the
/// next record or the end.
pub fn looks_like(head: &str) -> bool {
    let head = head.trim_start_matches('\u{feff}');
    let mut chars = head.char_indices();
    let mut end = None;
    for n in 0..RECORD {
        match chars.next() {
            Some((_, c)) if narrow(c) => {}
            _ => return false,
        }
        if n == RECORD - 1 {
            end = chars.next().map(|(_, c)| c);
        }
    }
    let b = head.as_bytes();
    b.first() == Some(&b'1')
        && TYPES.iter().any(|t| b.get(1..3) == Some(t.as_bytes()))
        && matches!(b.get(3), Some(b'0' | b'1'))
        && b.get(4..14)
            .is_some_and(|c| c.iter().all(u8::is_ascii_digit))
        && matches!(end, None | Some('\r' | '\n' | '2' | '8' | '9' | '\u{1a}'))
}

/// A Zengin file being read.
#[derive(Default)]
pub struct Zengin {
    /// The record read so far (at most [`RECORD`] characters).
    rec: String,
    /// Characters in `rec`.
    width: usize,
    /// The file stopped matching the layout: the rest is text.
    lost: bool,
    /// Data records read.
    pub records: u64,
}

impl Zengin {
    /// Reads the next piece of the file.
    pub fn chunk(&mut self, chunk: &str, table: &mut Table, tally: &mut Tally) {
        if self.lost {
            text::scan(chunk, tally);
            return;
        }
        for (i, c) in chunk.char_indices() {
            if self.width == 0 && matches!(c, '\r' | '\n' | '\u{1a}') {
                continue;
            }
            if !narrow(c) {
                // A line end inside a record, or a character the format has not.
                let rec = std::mem::take(&mut self.rec);
                text::scan(&rec, tally);
                text::scan(&chunk[i..], tally);
                self.lost = true;
                return;
            }
            self.rec.push(c);
            self.width += 1;
            if self.width == RECORD {
                self.record(table, tally);
                self.rec.clear();
                self.width = 0;
            }
        }
    }

    /// A whole record.
    fn record(&mut self, table: &mut Table, tally: &mut Tally) {
        // Fields by character: every character is one byte of the layout.
        let field = |from: usize, len: usize| -> String {
            self.rec.chars().skip(from).take(len).collect::<String>()
        };
        match self.rec.as_bytes().first() {
            Some(b'2') => {
                self.records += 1;
                let account = field(43, 7);
                let name = field(50, 30);
                let name = name.trim_end();
                // A company (`ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ`, `(ﾕ)…`): no person's account.
                let company = name.contains(['(', ')']);
                let (name, account) = if company {
                    (String::new(), String::new())
                } else {
                    (name.to_string(), account)
                };
                table.push_named(
                    vec![
                        ("受取人名（カナ）".to_string(), name),
                        ("口座番号".to_string(), account),
                    ],
                    tally,
                );
            }
            Some(b'1' | b'8' | b'9') => {}
            _ => text::scan(&self.rec, tally),
        }
    }

    /// The end of the file: an incomplete record is text.
    pub fn finish(&mut self, tally: &mut Tally) {
        let rec = std::mem::take(&mut self.rec);
        text::scan(&rec, tally);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;
    use kizuki_core::Category;

    fn read(file: &str, piece: usize) -> (Table, Tally, u64) {
        let mut table = Table::named();
        let mut tally = Tally::new(CatSet::all());
        let mut z = Zengin::default();
        for p in crate::pieces(file, piece) {
            z.chunk(p, &mut table, &mut tally);
        }
        z.finish(&mut tally);
        table.finish(&mut tally);
        (table, tally, z.records)
    }

    #[test]
    fn reads_payees_and_accounts_in_any_pieces() {
        for newline in ["\r\n", ""] {
            let (file, truth) = crate::synth::zengin(3, 300, newline);
            assert!(looks_like(&file), "{newline:?}");
            for piece in [7, 4096] {
                let (table, tally, records) = read(&file, piece);
                assert_eq!((records, table.records), (310, 310), "{newline:?} {piece}");
                for (c, n) in &truth {
                    assert_eq!(tally.count(*c), *n, "{c}, {newline:?} {piece}");
                }
                assert_eq!(tally.total(), truth.values().sum::<u64>());
            }
        }
    }

    #[test]
    fn tells_a_header_from_other_text() {
        let (file, _) = crate::synth::zengin(3, 2, "\r\n");
        assert!(looks_like(&file));
        assert!(!looks_like(&file[..100]));
        assert!(!looks_like(&file.replacen("1210", "1310", 1)));
        assert!(!looks_like(&format!("x{file}")));
        assert!(!looks_like("1210 a line of a log\n"));
    }

    /// A record cut short by a line end: the records before it count, the rest is text (an
    /// e-mail in it is still found).
    #[test]
    fn a_broken_record_turns_the_rest_to_text() {
        let (file, _) = crate::synth::zengin(3, 5, "\r\n");
        let second = file.match_indices("\r\n2").nth(1).map_or(0, |(i, _)| i + 2);
        let broken = format!(
            "{}\n{} taro@example.jp\r\n",
            &file[..second + 20],
            &file[second + 20..]
        );
        let (_, tally, records) = read(&broken, 64);
        assert_eq!(records, 1);
        assert_eq!(tally.count(Category::NameKana), 1);
        assert_eq!(tally.count(Category::Email), 1);
    }
}

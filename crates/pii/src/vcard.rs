//! vCard address books (`.vcf`: contacts exported from phones, mail clients and CRMs; vCard
//! 2.1, 3.0 and 4.0). Each card is a record of a table whose columns are named after what its
//! properties hold (`氏名`, `フリガナ`, `電話番号.0`, `住所.0`, …), so the table classifier and
//! the per-row persons bound apply as to a CSV export of the same contacts.
//!
//! Written by hand: the vCard crates on crates.io read 3.0/4.0 only, and Japanese phones wrote
//! 2.1 with `QUOTED-PRINTABLE` values in Shift_JIS (`CHARSET=SHIFT_JIS`) and readings in
//! `SOUND;X-IRMC-N`; what is needed here is small (unfolding, quoted-printable, escapes, the
//! structured `N` and `ADR`). Caps: logical lines over [`MAX_LINE`] (a photo) are dropped,
//! at most [`MAX_VALUES`] values of a kind per card.

use crate::table::Table;
use crate::tally::Tally;
use crate::text;

/// A logical (unfolded) line longer than this is dropped (inline photos and keys).
pub const MAX_LINE: usize = 64 * 1024;
/// Values of one kind (phones, e-mails, addresses) kept per card.
pub const MAX_VALUES: usize = 8;

/// Whether a text looks like an address book: its first line is `BEGIN:VCARD`.
pub fn looks_like(head: &str) -> bool {
    head.trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.eq_ignore_ascii_case("BEGIN:VCARD"))
}

/// One card being read.
#[derive(Default)]
struct Card {
    formatted: Option<String>,
    structured: Option<String>,
    kana_last: Option<String>,
    kana_first: Option<String>,
    kana: Option<String>,
    fields: Vec<(String, String)>,
    phones: usize,
    mails: usize,
    addresses: usize,
}

/// The state of an address book being read.
#[derive(Default)]
pub struct Cards {
    /// The logical line being assembled, and whether it is being dropped (too long).
    line: String,
    dropping: bool,
    /// The last piece ended inside a line: the next one continues it.
    pending_cut: bool,
    card: Option<Card>,
    /// Cards handed to the table.
    pub records: u64,
}

impl Cards {
    /// The next piece of the text (whole lines, but for the last).
    pub fn chunk(&mut self, chunk: &str, table: &mut Table, tally: &mut Tally) {
        for raw in chunk.split_inclusive('\n') {
            let l = raw.trim_end_matches(['\r', '\n']);
            let complete = raw.ends_with('\n');
            self.physical(l, table, tally);
            if !complete {
                // A line cut at the end of the piece: the next piece continues it.
                self.pending_cut = true;
            }
        }
    }

    /// The end of the text.
    pub fn finish(&mut self, table: &mut Table, tally: &mut Tally) {
        self.logical(table, tally);
        if let Some(card) = self.card.take() {
            self.end_card(card, table, tally);
        }
    }

    fn physical(&mut self, l: &str, table: &mut Table, tally: &mut Tally) {
        if std::mem::take(&mut self.pending_cut) {
            self.append(l);
            return;
        }
        // Folding (`CRLF` and a space or tab), and the soft line break of a
        // quoted-printable value (`=` at the end).
        if let Some(rest) = l.strip_prefix([' ', '\t'])
            && (!self.line.is_empty() || self.dropping)
        {
            self.append(rest);
            return;
        }
        if self.line.ends_with('=') && is_quoted_printable(&self.line) {
            self.line.pop();
            self.append(l);
            return;
        }
        self.logical(table, tally);
        self.append(l);
    }

    fn append(&mut self, s: &str) {
        if self.dropping {
            return;
        }
        if self.line.len() + s.len() > MAX_LINE {
            self.line.clear();
            self.dropping = true;
            return;
        }
        self.line.push_str(s);
    }

    /// Handles the logical line assembled so far.
    fn logical(&mut self, table: &mut Table, tally: &mut Tally) {
        self.dropping = false;
        let line = std::mem::take(&mut self.line);
        self.property(&line, table, tally);
        self.line = line;
        self.line.clear();
    }

    fn property(&mut self, line: &str, table: &mut Table, tally: &mut Tally) {
        if line.trim().is_empty() {
            return;
        }
        let Some((head, raw)) = split_property(line) else {
            // Not a property line: free text (what a broken export leaves).
            text::scan(line, tally);
            return;
        };
        let mut params = head.split(';');
        // `item1.TEL`: the group is no part of the name.
        let name = params.next().unwrap_or("");
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        let params: Vec<&str> = params.collect();
        let param = |key: &str| {
            params.iter().find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.eq_ignore_ascii_case(key).then_some(v.trim_matches('"'))
            })
        };
        match name.as_str() {
            "BEGIN" if raw.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(card) = self.card.take() {
                    self.end_card(card, table, tally);
                }
                self.card = Some(Card::default());
                return;
            }
            "END" if raw.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(card) = self.card.take() {
                    self.end_card(card, table, tally);
                }
                return;
            }
            _ => {}
        }
        let Some(card) = self.card.as_mut() else {
            text::scan(line, tally);
            return;
        };
        let binary = param("ENCODING")
            .is_some_and(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("BASE64"))
            || params.iter().any(|p| p.eq_ignore_ascii_case("BASE64"));
        if binary {
            return;
        }
        let qp = param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
            || params
                .iter()
                .any(|p| p.eq_ignore_ascii_case("QUOTED-PRINTABLE"));
        let value = if qp {
            decode_qp(raw, param("CHARSET"))
        } else {
            raw.to_string()
        };
        let parts = || components(&value);
        let joined = |v: Vec<String>| -> String {
            v.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match name.as_str() {
            "FN" => card.formatted = Some(unescape(&value)),
            // Family; given; middle; prefix; suffix.
            "N" => card.structured = Some(joined(parts().into_iter().take(3).collect())),
            "SOUND" | "SORT-STRING" => card.kana = Some(joined(parts())),
            "X-PHONETIC-LAST-NAME" => card.kana_last = Some(unescape(&value)),
            "X-PHONETIC-FIRST-NAME" => card.kana_first = Some(unescape(&value)),
            "TEL" if card.phones < MAX_VALUES => {
                // vCard 4.0 writes phones as URIs (`tel:+81-90-…`).
                let v = unescape(&value);
                let v = v
                    .strip_prefix("tel:")
                    .or_else(|| v.strip_prefix("TEL:"))
                    .unwrap_or(&v)
                    .to_string();
                card.fields.push((format!("電話番号.{}", card.phones), v));
                card.phones += 1;
            }
            "EMAIL" if card.mails < MAX_VALUES => {
                card.fields
                    .push((format!("メール.{}", card.mails), unescape(&value)));
                card.mails += 1;
            }
            // PO box; extended; street; locality; region; postal code; country: written
            // in Japanese order, region first.
            "ADR" if card.addresses < MAX_VALUES => {
                let p = parts();
                let get = |i: usize| p.get(i).map_or("", |s| s.trim());
                let address: String = [get(4), get(3), get(2), get(1)].concat();
                let k = card.addresses;
                card.fields.push((format!("住所.{k}"), address));
                if !get(5).is_empty() {
                    card.fields
                        .push((format!("郵便番号.{k}"), get(5).to_string()));
                }
                card.addresses += 1;
            }
            "BDAY" => card.fields.push(("生年月日".into(), unescape(&value))),
            "GENDER" | "X-GENDER" => {
                let g = parts().into_iter().next().unwrap_or_default();
                card.fields.push(("性別".into(), g));
            }
            "NOTE" => text::scan(&unescape(&value), tally),
            _ => {}
        }
    }

    fn end_card(&mut self, card: Card, table: &mut Table, tally: &mut Tally) {
        let mut fields = card.fields;
        // The name once: the formatted name, else the structured one.
        if let Some(n) = card
            .formatted
            .filter(|n| !n.trim().is_empty())
            .or(card.structured)
        {
            fields.push(("氏名".into(), n));
        }
        let kana = match (card.kana_last, card.kana_first) {
            (None, None) => card.kana,
            (l, f) => Some(
                [l, f]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        if let Some(k) = kana.filter(|k| !k.trim().is_empty()) {
            fields.push(("フリガナ".into(), k));
        }
        table.push_named(fields, tally);
        self.records += 1;
    }
}

/// `NAME;PARAMS` and the value of a property line: split at the first colon outside
/// double quotes (parameter values may hold colons).
fn split_property(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                let head = &line[..i];
                // A property name is a token of letters, digits, `-` and a group's `.`.
                let name = head.split(';').next()?;
                return (!name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
                .then(|| (head, &line[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

fn is_quoted_printable(line: &str) -> bool {
    split_property(line).is_some_and(|(head, _)| {
        head.split(';')
            .skip(1)
            .any(|p| p.to_ascii_uppercase().contains("QUOTED-PRINTABLE"))
    })
}

/// A quoted-printable value's bytes in its charset (UTF-8 when none is named or the name is
/// unknown).
fn decode_qp(raw: &str, charset: Option<&str>) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |x: u8| char::from(x).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'=', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (x, _, _) => {
                out.push(x);
                i += 1;
            }
        }
    }
    let enc = charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    enc.decode_without_bom_handling(&out).0.into_owned()
}

/// The components of a structured value (`N`, `ADR`), split at unescaped `;`, unescaped.
fn components(v: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut it = v.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                if let Some(n) = it.next()
                    && let Some(last) = out.last_mut()
                {
                    last.push(if matches!(n, 'n' | 'N') { ' ' } else { n });
                }
            }
            ';' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// A text value unescaped (`\,` `\;` `\\`, `\n` as a space).
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut it = v.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                if let Some(n) = it.next() {
                    out.push(if matches!(n, 'n' | 'N') { ' ' } else { n });
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;
    use kizuki_core::Category;

    fn read(book: &str, piece: usize) -> (Table, Tally, u64) {
        let mut table = Table::named();
        let mut tally = Tally::new(CatSet::all());
        let mut c = Cards::default();
        for p in crate::pieces(book, piece) {
            c.chunk(p, &mut table, &mut tally);
        }
        c.finish(&mut table, &mut tally);
        table.finish(&mut tally);
        (table, tally, c.records)
    }

    /// An iPhone export (3.0, phonetic names, grouped properties), an Android 4.0 card, and a
    /// Japanese feature phone's 2.1 card in quoted-printable Shift_JIS with `SOUND` readings.
    const BOOK: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:山田 太郎\r\nN:山田;太郎;;;\r\n\
X-PHONETIC-LAST-NAME:ヤマダ\r\nX-PHONETIC-FIRST-NAME:タロウ\r\n\
item1.TEL;type=CELL;type=pref:090-1234-5678\r\nTEL;TYPE=HOME:03-1234-\r\n 5678\r\n\
EMAIL;TYPE=INTERNET:taro@example.jp\r\n\
ADR;TYPE=HOME:;;千代田1-1;千代田区;東京都;100-0001;日本\r\nBDAY:1980-04-01\r\n\
NOTE:携帯は夜のみ\\, 090-9999-8888\r\n\
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n QUFBQUFBQUFB\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:鈴木 花子\r\nGENDER:F\r\nTEL;VALUE=uri;TYPE=cell:tel:080-2222-3333\r\n\
EMAIL:hanako@example.jp\r\nADR:;;梅田1-1-1;大阪市北区;大阪府;530-0001;\r\nBDAY:19851231\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:2.1\r\n\
N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=8D=B2=93=A1;=88=EA=98=59\r\n\
SOUND;X-IRMC-N;CHARSET=SHIFT_JIS:サトウ;イチロウ;;;\r\nTEL;CELL:07012345678\r\nEND:VCARD\r\n";

    #[test]
    fn cards_are_records_in_any_pieces() {
        use Category as C;
        for piece in [3, 50, 1 << 20] {
            let (_, tally, records) = read(BOOK, piece);
            assert_eq!(records, 3, "piece {piece}");
            let want = [
                (C::NameKanji, 3),
                (C::NameKana, 2),
                (C::Phone, 5),
                (C::Email, 2),
                (C::PostalCode, 2),
                (C::Address, 2),
                (C::BirthDate, 2),
                (C::Gender, 1),
            ];
            crate::assert_counts(&tally, &want, &format!("piece {piece}"));
        }
    }

    #[test]
    fn quoted_printable_in_its_charset() {
        assert_eq!(decode_qp("=8D=B2=93=A1", Some("SHIFT_JIS")), "佐藤");
        assert_eq!(decode_qp("=E5=B1=B1=E7=94=B0 x=", None), "山田 x=");
        assert_eq!(
            components(r"a\;b;c\,d;;e\nf"),
            vec!["a;b", "c,d", "", "e f"]
        );
    }

    #[test]
    fn hostile_books_are_capped() {
        // A photo folded over a million lines, an unterminated card, no colon, a bare END.
        let mut book = String::from("BEGIN:VCARD\nFN:山田 太郎\nPHOTO:");
        for _ in 0..100_000 {
            book.push_str(" QUFBQUFBQUFBQUFB\n");
        }
        book.push_str("EMAIL:taro@example.jp\nnonsense line\nEND:VCARD\nEND:VCARD\nBEGIN:VCARD\nTEL:0312345678");
        let (_, tally, records) = read(&book, 4096);
        assert_eq!(records, 2);
        assert_eq!(tally.count(Category::Email), 1);
        assert_eq!(tally.count(Category::Phone), 1);
    }

    #[test]
    fn tells_address_books() {
        assert!(looks_like("\u{feff}BEGIN:VCARD\r\nVERSION:3.0"));
        assert!(looks_like("\n begin:vcard\n"));
        assert!(!looks_like("BEGIN:VCALENDAR\n"));
    }
}

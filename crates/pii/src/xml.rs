//! XML data exports (`<customers><customer><name>…</name>…</customer>…</customers>`, as
//! business systems, web services and EDI write them): elements that repeat under one parent
//! and hold elements of their own are records, counted as the rows of a table per element
//! name whose columns are their children (`name`, nested ones as `address.zip`, attributes as
//! `@id`). The rest is free text.
//!
//! Read as the text streams by, with a small tokenizer of tags, comments, CDATA and
//! entities: quick-xml reads from a `BufRead` or a whole string, and the text arrives here in
//! decoded pieces of any size. A record is known once its element repeats: the first one waits
//! in its parent until the second closes (or the parent closes, which makes it part of the
//! parent). Caps: [`MAX_DEPTH`] open elements, [`MAX_FIELDS`] fields per element,
//! [`MAX_TEXT`] bytes of text per element, [`MAX_TABLES`] record names; beyond them the text
//! goes to the free-text scanner.

use kizuki_core::Category;

use crate::table::Table;
use crate::tally::Tally;
use crate::text;

/// Open elements tracked; deeper markup makes the rest of the document text.
pub const MAX_DEPTH: usize = 64;
/// Fields kept per element; further values are scanned as text.
pub const MAX_FIELDS: usize = 256;
/// Text kept per element; more is scanned as text.
pub const MAX_TEXT: usize = 64 * 1024;
/// Record names (tables) per document; records of further names are scanned as text.
pub const MAX_TABLES: usize = 32;
/// The longest markup (a tag, comment, CDATA section) held while it is cut between pieces.
const MAX_MARKUP: usize = 1 << 20;

/// Whether a text is an XML document: it starts with the XML declaration. (Without one,
/// only a `.xml` name says so: a fragment of HTML or markup in a note is free text.)
pub fn looks_like(head: &str) -> bool {
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("<?xml")
}

/// An open element.
#[derive(Default)]
struct Frame {
    name: String,
    /// Its leaf children's and flattened descendants' values, and its attributes.
    fields: Vec<(String, String)>,
    /// Its own text (a leaf's value).
    text: String,
    /// Whether it has element children.
    parent: bool,
    /// The first child record candidate (an element with children), waiting for a sibling
    /// of the same name.
    pending: Option<(String, Vec<(String, String)>)>,
    /// The name of its children that are records (seen twice).
    record: Option<String>,
}

/// The state of an XML document being read.
#[derive(Default)]
pub struct Xml {
    /// Text of the last piece from an unfinished markup on.
    carry: String,
    stack: Vec<Frame>,
    /// Per record name, its table.
    tables: Vec<(String, Table)>,
    /// Deeper than [`MAX_DEPTH`], or markup over [`MAX_MARKUP`]: the rest is text.
    lost: bool,
    /// Records handed to the tables.
    emitted: u64,
    /// Data rows of the tables (header rows of positional tables excluded), known at
    /// [`Xml::finish`].
    pub records: u64,
}

impl Xml {
    /// The next piece of the document.
    pub fn chunk(&mut self, piece: &str, tally: &mut Tally) {
        if self.lost {
            text::scan(piece, tally);
            return;
        }
        let owned;
        let s = if self.carry.is_empty() {
            piece
        } else {
            owned = std::mem::take(&mut self.carry) + piece;
            owned.as_str()
        };
        let mut i = 0;
        while i < s.len() {
            let Some(lt) = memchr::memchr(b'<', &s.as_bytes()[i..]) else {
                self.text(&s[i..], tally);
                return;
            };
            self.text(&s[i..i + lt], tally);
            i += lt;
            let rest = &s[i..];
            let (end, kind) = if rest.starts_with("<!--") {
                (rest.find("-->").map(|e| e + 3), Markup::Skip)
            } else if rest.starts_with("<![CDATA[") {
                (rest.find("]]>").map(|e| e + 3), Markup::Cdata)
            } else if rest.starts_with("<?") {
                (rest.find("?>").map(|e| e + 2), Markup::Skip)
            } else if rest.starts_with("<!") {
                (rest.find('>').map(|e| e + 1), Markup::Skip)
            } else {
                (tag_end(rest), Markup::Tag)
            };
            let Some(end) = end else {
                // Cut between pieces: keep it for the next one.
                if rest.len() > MAX_MARKUP {
                    self.give_up(rest, tally);
                } else {
                    self.carry = rest.to_string();
                }
                return;
            };
            let m = &rest[..end];
            match kind {
                Markup::Skip => {}
                Markup::Cdata => self.text_raw(&m[9..m.len() - 3], tally),
                Markup::Tag => {
                    if !self.tag(m, tally) {
                        self.give_up(&rest[end..], tally);
                        return;
                    }
                }
            }
            i += end;
        }
    }

    /// The end of the document: its tables' columns.
    pub fn finish(&mut self, tally: &mut Tally) -> Vec<(String, Category)> {
        let carry = std::mem::take(&mut self.carry);
        text::scan(&carry, tally);
        while !self.stack.is_empty() {
            self.close(tally);
        }
        let mut columns = Vec::new();
        let many = self.tables.len() > 1;
        for (name, table) in &mut self.tables {
            for (col, cat) in table.finish(tally) {
                columns.push((if many { format!("{name}.{col}") } else { col }, cat));
            }
        }
        self.records = self.tables.iter().map(|(_, t)| t.records).sum();
        tally.persons_at_most(self.tables.iter().map(|(_, t)| t.person_rows()).sum());
        columns
    }

    /// Text between tags, entities decoded.
    fn text(&mut self, s: &str, tally: &mut Tally) {
        if s.trim().is_empty() {
            return;
        }
        if s.contains('&') {
            self.text_raw(&entities(s), tally);
        } else {
            self.text_raw(s, tally);
        }
    }

    fn text_raw(&mut self, s: &str, tally: &mut Tally) {
        match self.stack.last_mut() {
            Some(f) if f.text.len() + s.len() <= MAX_TEXT => f.text.push_str(s),
            _ => text::scan(s, tally),
        }
    }

    /// A start, end or empty tag; false when the depth cap is hit.
    fn tag(&mut self, m: &str, tally: &mut Tally) -> bool {
        let inner = &m[1..m.len() - 1];
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim();
            // Close up to the matching element (a missing end tag closes with its parent).
            if let Some(k) = self.stack.iter().rposition(|f| f.name == name) {
                while self.stack.len() > k {
                    self.close(tally);
                }
            }
            return true;
        }
        let empty = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        if self.stack.len() >= MAX_DEPTH {
            return false;
        }
        let mut frame = Frame {
            name: name.to_string(),
            ..Frame::default()
        };
        for (k, v) in attributes(&inner[name_end..]) {
            if frame.fields.len() < MAX_FIELDS {
                frame.fields.push((format!("@{k}"), v));
            }
        }
        self.stack.push(frame);
        if empty {
            self.close(tally);
        }
        true
    }

    /// Closes the innermost element.
    fn close(&mut self, tally: &mut Tally) {
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        if let Some((name, fields)) = f.pending.take() {
            flatten_into(&mut f.fields, &name, fields, tally);
        }
        if self.stack.is_empty() {
            // The root: a lone record when nothing repeated, else its own values are text.
            let own = f.fields.iter().filter(|(k, _)| !k.starts_with('@')).count();
            if self.emitted == 0 && own >= 2 {
                self.emit(&f.name, f.fields, tally);
            } else {
                for (_, v) in &f.fields {
                    text::scan(v, tally);
                }
                text::scan(&f.text, tally);
            }
            return;
        }
        // An element around one value (`<Cell><Data>…</Data></Cell>`) is that value.
        if f.parent
            && f.record.is_none()
            && f.fields.iter().filter(|(k, _)| !k.starts_with('@')).count() == 1
            && let Some(k) = f.fields.iter().position(|(k, _)| !k.starts_with('@'))
        {
            f.text = f.fields.swap_remove(k).1;
            f.fields.clear();
            f.parent = false;
        }
        // A leaf: its text is its parent's field. An empty element with attributes only
        // (`<customer name="…" email="…"/>`) is a record like one with children.
        let attrs_only = !f.parent && f.fields.len() >= 2 && f.text.trim().is_empty();
        let mut emit = Vec::new();
        if let Some(p) = self.stack.last_mut() {
            p.parent = true;
            if !f.parent && !attrs_only {
                for (_, v) in &f.fields {
                    text::scan(v, tally);
                }
                let v = f.text.trim().to_string();
                push_field(&mut p.fields, f.name, v, tally);
                return;
            }
            // Mixed content of an element with children is text.
            text::scan(&f.text, tally);
            if p.record.as_deref() == Some(f.name.as_str()) {
                emit.push((f.name, f.fields));
            } else {
                match p.pending.take() {
                    Some((name, fields)) if name == f.name => {
                        p.record = Some(name.clone());
                        emit.push((name, fields));
                        emit.push((f.name, f.fields));
                    }
                    Some((name, fields)) => {
                        flatten_into(&mut p.fields, &name, fields, tally);
                        p.pending = Some((f.name, f.fields));
                    }
                    None => p.pending = Some((f.name, f.fields)),
                }
            }
        }
        for (name, fields) in emit {
            self.emit(&name, fields, tally);
        }
    }

    fn emit(&mut self, name: &str, fields: Vec<(String, String)>, tally: &mut Tally) {
        let k = match self.tables.iter().position(|(n, _)| n == name) {
            Some(k) => k,
            None if self.tables.len() < MAX_TABLES => {
                // A row of same-named cells (`<Row><Cell>…</Cell><Cell>…</Cell>`, Excel's XML
                // spreadsheet): a table read by position, its header found as a CSV's is.
                let table = if positional(&fields) {
                    Table::new()
                } else {
                    Table::named()
                };
                self.tables.push((name.to_string(), table));
                self.tables.len() - 1
            }
            None => {
                for (_, v) in &fields {
                    text::scan(v, tally);
                }
                return;
            }
        };
        if let Some((_, t)) = self.tables.get_mut(k) {
            if t.is_named() {
                t.push_named(fields, tally);
            } else {
                let row: Vec<String> = fields.into_iter().map(|(_, v)| v).collect();
                t.push(&row, tally);
            }
            self.emitted += 1;
        }
    }

    fn give_up(&mut self, rest: &str, tally: &mut Tally) {
        while let Some(f) = self.stack.pop() {
            for (_, v) in f
                .fields
                .iter()
                .chain(f.pending.iter().flat_map(|p| p.1.iter()))
            {
                text::scan(v, tally);
            }
            text::scan(&f.text, tally);
        }
        text::scan(rest, tally);
        self.lost = true;
    }
}

enum Markup {
    Tag,
    Cdata,
    Skip,
}

/// The end of the tag at the start of `s` (after its `>`, outside quoted attribute values).
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), x) if x == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// `k="v"` pairs of a tag, values unescaped.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(close) = after[1..].find(q) else {
            break;
        };
        if !key.is_empty() && !key.contains(char::is_whitespace) {
            out.push((key.to_string(), entities(&after[1..1 + close])));
        }
        rest = &after[close + 2..];
    }
    out
}

/// A value with the XML entities and character references decoded.
fn entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find('&') {
        out.push_str(&rest[..a]);
        let tail = &rest[a..];
        let decoded = tail.find(';').filter(|e| *e <= 10).and_then(|e| {
            let c = match &tail[1..e] {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                r => {
                    let n = r.strip_prefix('#')?;
                    let v = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(v)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Adds a field; a repeated name gets its index (`tel`, `tel.1`); beyond the cap, text.
fn push_field(fields: &mut Vec<(String, String)>, name: String, v: String, tally: &mut Tally) {
    if fields.len() >= MAX_FIELDS {
        text::scan(&v, tally);
        return;
    }
    let n = fields
        .iter()
        .filter(|(k, _)| {
            *k == name
                || k.strip_prefix(name.as_str()).is_some_and(|r| {
                    r.starts_with('.') && r[1..].bytes().all(|b| b.is_ascii_digit())
                })
        })
        .count();
    let key = if n == 0 { name } else { format!("{name}.{n}") };
    fields.push((key, v));
}

/// Whether a record's fields are cells of one name (`Cell`, `Cell.1`, `Cell.2`, …).
fn positional(fields: &[(String, String)]) -> bool {
    let Some((base, _)) = fields.first() else {
        return false;
    };
    fields.len() >= 2
        && fields.iter().enumerate().skip(1).all(|(i, (k, _))| {
            k.strip_prefix(base.as_str())
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|n| n == i.to_string())
        })
}

/// A child element's fields as its parent's, under its name (`address.zip`).
fn flatten_into(
    into: &mut Vec<(String, String)>,
    name: &str,
    fields: Vec<(String, String)>,
    tally: &mut Tally,
) {
    for (k, v) in fields {
        push_field(into, format!("{name}.{k}"), v, tally);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;

    fn read(doc: &str, piece: usize) -> (Xml, Tally, Vec<(String, Category)>) {
        let mut x = Xml::default();
        let mut tally = Tally::new(CatSet::all());
        for p in crate::pieces(doc, piece) {
            x.chunk(p, &mut tally);
        }
        let cols = x.finish(&mut tally);
        (x, tally, cols)
    }

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- 顧客一覧 <customer> in a comment -->
<export date="2024-03-31">
  <customers>
    <customer id="1">
      <name>山田 太郎</name><kana>ヤマダ タロウ</kana><gender>男</gender>
      <birthday>1980-04-01</birthday><email>taro@example.jp</email>
      <address><zip>100-0001</zip><line>東京都千代田区千代田1-1</line></address>
      <tel>03-1234-5678</tel><tel>090-1234-5678</tel>
      <note><![CDATA[連絡は <夜> のみ]]> &amp; 週末</note>
    </customer>
    <customer id="2">
      <name>鈴木 花子</name><kana>スズキ ハナコ</kana><gender>女</gender>
      <birthday>1985-12-31</birthday><email>hanako@example.jp</email>
      <address><zip>530-0001</zip><line>大阪府大阪市北区梅田1-1-1</line></address>
      <tel>06-1234-5678</tel><empty/>
    </customer>
  </customers>
  <contact>担当 support@example.com</contact>
</export>
"#;

    #[test]
    fn repeated_elements_are_records_in_any_pieces() {
        use Category as C;
        for piece in [1, 7, 64, 1 << 20] {
            let (x, tally, cols) = read(DOC, piece);
            assert_eq!(x.records, 2, "piece {piece}");
            crate::assert_counts(&tally, &crate::TWO_CUSTOMERS, &format!("piece {piece}"));
            assert!(
                cols.contains(&("address.zip".into(), C::PostalCode)),
                "{cols:?}"
            );
            assert!(cols.contains(&("tel.1".into(), C::Phone)), "{cols:?}");
        }
    }

    /// Excel's XML spreadsheet: rows of cells by position, the header in the first row.
    #[test]
    fn spreadsheet_rows_are_read_by_position() {
        let head = "<Row><Cell><Data>氏名</Data></Cell><Cell><Data>電話番号</Data></Cell>\
            <Cell><Data>生年月日</Data></Cell></Row>\n";
        let rows = "<Row><Cell ss:StyleID=\"s1\"><Data ss:Type=\"String\">山田 太郎</Data></Cell>\
            <Cell><Data>03-1234-5678</Data></Cell><Cell><Data>1980/04/01</Data></Cell></Row>\n"
            .repeat(3);
        let doc = format!(
            "<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook>\
             <Worksheet ss:Name=\"顧客\"><Table>{head}{rows}</Table></Worksheet></Workbook>"
        );
        let (x, tally, cols) = read(&doc, 100);
        assert_eq!(x.records, 3);
        assert_eq!(tally.count(Category::NameKanji), 3);
        assert_eq!(tally.count(Category::Phone), 3);
        assert_eq!(tally.count(Category::BirthDate), 3);
        assert!(
            cols.contains(&("氏名".into(), Category::NameKanji)),
            "{cols:?}"
        );
    }

    #[test]
    fn a_lone_record_is_one() {
        let (x, tally, _) = read(
            "<person><name>山田 太郎</name><mail>taro@example.jp</mail></person>",
            5,
        );
        assert_eq!(x.records, 1);
        assert_eq!(tally.count(Category::NameKanji), 1);
    }

    /// The generator's XML export: every planted value once, one record per person.
    #[test]
    fn a_generated_export_counts_every_value_once() {
        let (doc, truth) = crate::synth::persons_text(8, 200, crate::synth::Form::Xml);
        let (x, tally, _) = read(&doc, 4096);
        assert_eq!(x.records, 200);
        for (c, n) in &truth {
            assert_eq!(tally.count(*c), *n, "{c}");
        }
    }

    #[test]
    fn hostile_documents_fall_back_to_text() {
        let deep = format!(
            "{}taro@example.jp{}",
            "<a>".repeat(10_000),
            "</a>".repeat(10_000)
        );
        let (_, t, _) = read(&deep, 4096);
        assert_eq!(t.count(Category::Email), 1);
        let open = format!(
            "<r><c><m>taro@example.jp</m><x a=\"{}",
            "y".repeat(MAX_MARKUP + 10)
        );
        let (_, t, _) = read(&open, 65536);
        assert_eq!(t.count(Category::Email), 1);
        assert_eq!(entities("&lt;&#x5C71;&#30000;&bogus;&"), "<山田&bogus;&");
        assert_eq!(
            attributes(r#" id="1" name='a &amp; b' broken"#),
            vec![("id".into(), "1".into()), ("name".into(), "a & b".into())]
        );
    }

    #[test]
    fn tells_xml() {
        assert!(looks_like("<?xml version=\"1.0\"?><a/>"));
        assert!(looks_like("\u{feff}  <?xml version=\"1.0\"?>"));
        assert!(!looks_like("<html><body>"));
        assert!(!looks_like("<div><p>氏名：山田太郎</p></div>"));
        assert!(!looks_like("< 3 and > 2"));
    }
}

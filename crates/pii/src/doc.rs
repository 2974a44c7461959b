//! Office documents: the text parts of Word (`.docx`), PowerPoint (`.pptx`) and OpenDocument
//! (`.odt`, `.ods`, `.odp`) packages, read as paragraphs and tables.
//!
//! Scanned as plain text, their XML hid most of what they hold: Word splits a line into runs
//! wherever the formatting changes (`<w:t>氏名：</w:t></w:r><w:r><w:t>山田 太郎</w:t>`), so a
//! value never stood beside its keyword, and a table of customers was a string of cells with
//! no header above them. Here the XML is parsed (quick-xml) and:
//! - paragraphs become lines of text for the free-text detectors;
//! - a table whose first row is a header becomes a table for [`Table`] (columns classified
//!   by header and values, rows counted as records), as a CSV would;
//! - a form (`氏名 | 山田 太郎`, `電話番号 | 090-…`: labels down the first column, or in
//!   label/value pairs across a row) becomes one record of named fields, as a JSON object
//!   would; unpaired cells go to the text;
//! - deleted text kept for tracked changes (`w:delText`) is read: it is still in the file;
//! - the fallback copy of a text box (`mc:Fallback`) is skipped: it repeats the text box;
//!   so are tab stops, which are layout.
//!
//! Caps: the part is already within the container caps; a cell keeps at most
//! [`crate::table::MAX_ROW`] bytes, tables nest at most [`MAX_NESTING`] deep (deeper ones are
//! read as text of their cell), and OpenDocument's repeated rows and cells
//! (`number-rows-repeated="1048576"` fills a sheet with empty rows) are expanded only when
//! they hold text, within [`MAX_REPEAT`] and [`crate::table::MAX_COLUMNS`]. An XML error
//! stops the reading; what was read before it is scanned and the error is reported.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use crate::table::{self, Table};
use crate::tally::Tally;
use kizuki_core::Category;

/// Tables inside table cells followed this deep; deeper ones are text of their cell.
pub const MAX_NESTING: usize = 16;
/// Most copies made of one repeated OpenDocument row or cell.
pub const MAX_REPEAT: usize = 1024;
/// Rows of a table that may be a form; a longer table is a table (and is counted as it is
/// read, not held).
pub const FORM_ROWS: usize = 64;
/// Rows kept of a table nested in a cell.
const MAX_NESTED_ROWS: usize = 4096;
/// Longest first cell read as a form's label (`メールアドレス（携帯）`).
const MAX_LABEL_CHARS: usize = 24;

/// The XML vocabulary of a document part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// WordprocessingML and DrawingML (`w:t`, `a:t` runs; `tbl`/`tr`/`tc`).
    Ooxml,
    /// OpenDocument (`text:p`; `table:table-row`/`table:table-cell`).
    Odf,
    /// HTML ([`read_html`]).
    Html,
}

/// The dialect of a package member named `name` (`report.docx!word/document.xml`), when it is
/// a text part of a document: Word's body, headers, footers, notes and comments; slides and
/// their notes; OpenDocument's `content.xml`.
pub fn dialect(name: &str) -> Option<Dialect> {
    let (_, part) = name.rsplit_once('!')?;
    let p = part.to_ascii_lowercase();
    if !p.ends_with(".xml") {
        return None;
    }
    if let Some(w) = p.strip_prefix("word/") {
        const WORD: [&str; 6] = [
            "document",
            "header",
            "footer",
            "footnotes",
            "endnotes",
            "comments",
        ];
        return (!w.contains('/') && WORD.iter().any(|k| w.starts_with(k)))
            .then_some(Dialect::Ooxml);
    }
    if p.starts_with("ppt/slides/slide") || p.starts_with("ppt/notesslides/notesslide") {
        return (p.matches('/').count() == 2).then_some(Dialect::Ooxml);
    }
    (p == "content.xml").then_some(Dialect::Odf)
}

/// A document's text and tables.
#[derive(Debug, PartialEq)]
pub struct Doc {
    /// Paragraphs outside tables, a line each.
    pub text: String,
    /// Top-level tables of at most [`FORM_ROWS`] rows, not yet counted (they may be forms):
    /// rows of cells (a cell's paragraphs joined by spaces).
    pub tables: Vec<Vec<Vec<String>>>,
    /// Data rows of the longer tables, counted as they were read.
    pub records: Option<u64>,
    /// Their classified columns.
    pub columns: Vec<(String, Category)>,
    /// The XML error that stopped the reading, if one did.
    pub error: Option<String>,
    /// The part's encoding (Office writes UTF-8).
    pub encoding: &'static str,
}

/// A table being read.
#[derive(Default)]
struct Open {
    rows: Vec<Vec<String>>,
    /// A top-level table longer than [`FORM_ROWS`] rows: no form, counted row by row.
    stream: Option<Table>,
    row: Option<Vec<String>>,
    cell: Option<String>,
    /// Repeats of the open row and cell (OpenDocument).
    row_repeat: usize,
    cell_repeat: usize,
}

struct Reader<'t> {
    tally: &'t mut Tally,
    dialect: Dialect,
    doc: Doc,
    tables: Vec<Open>,
    /// Tables opened beyond [`MAX_NESTING`] (read as text of the innermost cell).
    deep: usize,
    /// Open elements whose character data is text (`t`, `delText`; OpenDocument's `p`, `h`).
    in_text: usize,
    /// Open elements whose content is skipped (`mc:Fallback`).
    skip: usize,
}

impl<'t> Reader<'t> {
    fn new(tally: &'t mut Tally, dialect: Dialect, encoding: &'static str) -> Self {
        Reader {
            tally,
            dialect,
            doc: Doc {
                text: String::new(),
                tables: Vec::new(),
                records: None,
                columns: Vec::new(),
                error: None,
                encoding,
            },
            tables: Vec::new(),
            deep: 0,
            in_text: 0,
            skip: 0,
        }
    }

    /// Where text goes now: the open cell of the innermost table, or the document's text.
    /// `None`: a table row or table is open but no cell (text there is layout).
    fn sink(&mut self) -> Option<&mut String> {
        match self.tables.last_mut() {
            None => Some(&mut self.doc.text),
            Some(t) => t.cell.as_mut(),
        }
    }

    fn push_text(&mut self, s: &str) {
        // A cell is capped like a table row; the text is within the part's size.
        let cap = if self.tables.is_empty() {
            usize::MAX
        } else {
            table::MAX_ROW
        };
        if let Some(out) = self.sink()
            && out.len() + s.len() <= cap
        {
            out.push_str(s);
        }
    }

    /// HTML text between tags ([`html_text`]), `buf` its room: white space at its start
    /// is a space after the text before (`<b>山田</b> 太郎`, `</a> 090-…`: no words glued).
    fn push_html(&mut self, s: &str, buf: &mut String) {
        buf.clear();
        html_text(s, buf);
        if s.starts_with(|c: char| c.is_ascii_whitespace())
            && let Some(out) = self.sink()
            && !out.is_empty()
            && !out.ends_with(['\n', ' '])
        {
            out.push(' ');
        }
        self.push_text(buf);
    }

    /// A paragraph or line break: a new line in the text, a space in a cell.
    fn push_break(&mut self) {
        let in_cell = !self.tables.is_empty();
        if let Some(out) = self.sink()
            && !out.is_empty()
            && !out.ends_with(['\n', ' '])
        {
            out.push(if in_cell { ' ' } else { '\n' });
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let local = name.as_ref();
        // Tab stops (`w:tabs`, `a:tabLst`) hold `tab` elements that are layout, not text.
        if self.skip > 0 || matches!(local, "Fallback" | "tabs" | "tabLst") {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        let odf = self.dialect == Dialect::Odf;
        match local {
            "t" | "delText" if !odf && !empty => self.in_text += 1,
            "p" | "h" if odf && !empty => self.in_text += 1,
            "t" | "delText" | "p" | "h" => {}
            "tab" => self.push_text(if self.tables.is_empty() { "\t" } else { " " }),
            "br" | "cr" | "line-break" => self.push_break(),
            "s" if odf => {
                let n = repeat(e, "text:c").min(64);
                self.push_text(&" ".repeat(n));
            }
            "tbl" | "table" if !empty => self.open_table(),
            "tr" | "table-row" if self.deep == 0 => {
                self.open_row(repeat(e, "table:number-rows-repeated"), empty);
            }
            "tc" | "table-cell" | "covered-table-cell" if self.deep == 0 => {
                self.open_cell(repeat(e, "table:number-columns-repeated"), empty);
            }
            "tc" | "table-cell" | "covered-table-cell" => self.push_break(),
            _ => {}
        }
    }

    fn open_table(&mut self) {
        if self.tables.len() >= MAX_NESTING || self.tables.last().is_some_and(|t| t.cell.is_none())
        {
            self.deep += 1;
            self.push_break();
        } else {
            self.tables.push(Open::default());
        }
    }

    fn open_row(&mut self, repeat: usize, empty: bool) {
        if let Some(t) = self.tables.last_mut() {
            t.row = Some(Vec::new());
            t.row_repeat = repeat;
            if empty {
                self.end_row();
            }
        }
    }

    fn open_cell(&mut self, repeat: usize, empty: bool) {
        if let Some(t) = self.tables.last_mut()
            && t.row.is_some()
        {
            t.cell = Some(String::new());
            t.cell_repeat = repeat;
            if empty {
                self.end_cell();
            }
        }
    }

    fn close_table(&mut self) {
        if self.deep > 0 {
            self.deep -= 1;
            self.push_break();
        } else if let Some(t) = self.tables.pop() {
            self.end_table(t);
        }
    }

    fn end(&mut self, local: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        let odf = self.dialect == Dialect::Odf;
        match local {
            "t" | "delText" if !odf => self.in_text = self.in_text.saturating_sub(1),
            "p" | "h" => {
                if odf {
                    self.in_text = self.in_text.saturating_sub(1);
                }
                self.push_break();
            }
            "tbl" | "table" => self.close_table(),
            "tr" | "table-row" if self.deep == 0 => self.end_row(),
            "tc" | "table-cell" | "covered-table-cell" if self.deep == 0 => self.end_cell(),
            _ => {}
        }
    }

    fn end_cell(&mut self) {
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let (Some(cell), Some(row)) = (t.cell.take(), t.row.as_mut()) else {
            return;
        };
        let cell = cell.trim().to_string();
        let n = if cell.is_empty() { 1 } else { t.cell_repeat };
        for _ in 0..n.min(table::MAX_COLUMNS.saturating_sub(row.len())) {
            row.push(cell.clone());
        }
    }

    fn end_row(&mut self) {
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        if t.cell.is_some() {
            self.end_cell();
        }
        let top = self.tables.len() == 1;
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let Some(mut row) = t.row.take() else { return };
        // Trailing empty cells (a sheet's row runs to its last column) say nothing.
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        if row.is_empty() {
            return;
        }
        for _ in 1..t.row_repeat {
            t.rows.push(row.clone());
        }
        t.rows.push(row);
        if top {
            // Top level: beyond a form's length, count the rows as they come.
            if t.stream.is_none() && t.rows.len() > FORM_ROWS {
                t.stream = Some(Table::new());
            }
            if let Some(table) = &mut t.stream {
                for row in t.rows.drain(..) {
                    table.push(&row, self.tally);
                }
            }
        } else if t.rows.len() > MAX_NESTED_ROWS {
            // A nested table is text of one cell, which keeps at most `MAX_ROW` bytes.
            t.rows.truncate(MAX_NESTED_ROWS);
        }
    }

    /// A table ends: a top-level one is kept; a nested one becomes text of its cell.
    fn end_table(&mut self, mut t: Open) {
        if t.row.is_some() {
            self.tables.push(t);
            self.end_row();
            let Some(back) = self.tables.pop() else {
                return;
            };
            t = back;
        }
        if self.tables.is_empty() {
            if let Some(mut table) = t.stream.take() {
                self.doc.columns.extend(table.finish(self.tally));
                *self.doc.records.get_or_insert(0) += table.records;
            } else if !t.rows.is_empty() {
                self.doc.tables.push(t.rows);
            }
            return;
        }
        for row in &t.rows {
            self.push_text(&row.join(" "));
            self.push_break();
        }
    }
}

/// HTML elements that break a line (block elements, list items, options).
const HTML_BLOCKS: [&str; 30] = [
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "hr",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "address",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "form",
    "fieldset",
    "legend",
    "option",
    "caption",
    "title",
    "body",
];

/// HTML elements that hold no end tag.
const HTML_VOID: [&str; 10] = [
    "br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr",
];

impl Reader<'_> {
    /// An HTML start tag (lowercase name): tables as tables, with the end tags HTML lets a
    /// page leave out (`<tr><td>a<td>b<tr>…`), block elements as line breaks.
    fn html_start(&mut self, name: &str, empty: bool) {
        match name {
            "table" if !empty => self.open_table(),
            "tr" if self.deep == 0 => {
                if self.tables.last().is_some_and(|t| t.row.is_some()) {
                    self.end_row();
                }
                self.open_row(1, empty);
            }
            "td" | "th" if self.deep == 0 && !self.tables.is_empty() => {
                if self.tables.last().is_some_and(|t| t.cell.is_some()) {
                    self.end_cell();
                }
                if self.tables.last().is_some_and(|t| t.row.is_none()) {
                    self.open_row(1, false);
                }
                self.open_cell(1, empty);
            }
            "td" | "th" => self.push_break(),
            _ if HTML_BLOCKS.contains(&name) => self.push_break(),
            _ => {}
        }
    }

    fn html_end(&mut self, name: &str) {
        match name {
            "table" => self.close_table(),
            "tr" if self.deep == 0 => self.end_row(),
            "td" | "th" if self.deep == 0 => self.end_cell(),
            _ if HTML_BLOCKS.contains(&name) => self.push_break(),
            _ => {}
        }
    }
}

/// HTML text: character references decoded, white space collapsed to one space.
fn html_text(s: &str, out: &mut String) {
    let mut space = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        let mut ch = Some(c);
        if c == '&'
            && let Some(semi) = rest.get(..rest.len().min(12)).and_then(|h| h.find(';'))
        {
            let name = &rest[1..semi];
            let decoded = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
                "yen" => Some('¥'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            if decoded.is_some() {
                ch = decoded;
                len = semi + 1;
            }
        }
        match ch {
            Some(c) if c.is_ascii_whitespace() => space = true,
            Some(c) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
            None => {}
        }
        rest = &rest[len..];
    }
    if space {
        out.push(' ');
    }
}

/// Reads an HTML page (already decoded to text): its tables as tables, the rest as lines of
/// text; script and style contents skipped. A hand-written tag scanner, not an HTML5 parser:
/// what matters here is which text sits in which cell and where lines break, and pages in
/// the wild leave out end tags and quote attributes loosely, which an XML reader refuses.
pub fn read_html(html: &str, tally: &mut Tally) -> Doc {
    let mut r = Reader::new(tally, Dialect::Html, "UTF-8");
    let b = html.as_bytes();
    let mut i = 0;
    let mut buf = String::new();
    // Open elements whose text keeps its lines (`pre`, `textarea`).
    let mut pre = 0usize;
    while i < b.len() {
        let lt = memchr::memchr(b'<', &b[i..]).map_or(b.len(), |k| i + k);
        if lt > i {
            if pre > 0 {
                // Preformatted text keeps its lines: a CSV, a log or a database client's
                // table pasted into `<pre>` is read as one (white space within a line is
                // still one space).
                for (k, line) in html[i..lt].split('\n').enumerate() {
                    if k > 0 {
                        r.push_break();
                    }
                    r.push_html(line.trim_end(), &mut buf);
                }
            } else {
                r.push_html(&html[i..lt], &mut buf);
            }
        }
        i = lt;
        if i >= b.len() {
            break;
        }
        let rest = &b[i + 1..];
        if rest.starts_with(b"!--") {
            i = memchr::memmem::find(&b[i..], b"-->").map_or(b.len(), |k| i + k + 3);
            continue;
        }
        let close = rest.first() == Some(&b'/');
        let name_at = i + 1 + usize::from(close);
        let name_len = b[name_at..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 && !matches!(rest.first(), Some(b'!' | b'?')) {
            r.push_text("<");
            i += 1;
            continue;
        }
        // The tag's end: the first `>` outside quotes.
        let mut j = name_at + name_len;
        let mut quote = None;
        while let Some(&c) = b.get(j) {
            match (quote, c) {
                (None, b'"' | b'\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let empty = j > 0 && b.get(j - 1) == Some(&b'/') || HTML_VOID.contains(&name.as_str());
        i = (j + 1).min(b.len());
        if name_len == 0 {
            continue;
        }
        let keeps_lines = matches!(name.as_str(), "pre" | "textarea" | "listing" | "xmp");
        if close {
            pre = pre.saturating_sub(usize::from(keeps_lines));
            r.html_end(&name);
        } else {
            pre += usize::from(keeps_lines && !empty);
            r.html_start(&name, empty);
            // Raw text elements: their content is no text of the page.
            if matches!(name.as_str(), "script" | "style" | "template") {
                let end = format!("</{name}");
                let lower_find = b[i..]
                    .windows(end.len())
                    .position(|w| w.eq_ignore_ascii_case(end.as_bytes()));
                i = lower_find.map_or(b.len(), |k| i + k);
            }
        }
    }
    while let Some(t) = r.tables.pop() {
        r.deep = 0;
        r.end_table(t);
    }
    r.doc
}

/// An OpenDocument repeat count (`table:number-rows-repeated="3"`), capped; 1 without one.
fn repeat(e: &BytesStart<'_>, attr: &str) -> usize {
    e.try_get_attribute(attr)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_REPEAT)
}

/// Reads a document part (`xml`, as stored) in its dialect. Tables longer than a form are
/// counted into `tally` as they are read; the rest waits for [`scan`].
pub fn read(xml: &[u8], dialect: Dialect, tally: &mut Tally) -> Doc {
    // Office writes UTF-8; a UTF-16 part carries a BOM.
    let (text, encoding): (Cow<'_, str>, _) = match encoding_rs::Encoding::for_bom(xml) {
        Some((enc, bom)) => (enc.decode_without_bom_handling(&xml[bom..]).0, enc.name()),
        None => (String::from_utf8_lossy(xml), "UTF-8"),
    };
    let mut xr = quick_xml::Reader::from_str(&text);
    let config = xr.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut r = Reader::new(tally, dialect, encoding);
    loop {
        match xr.read_event() {
            Ok(Event::Start(e)) => r.start(&e, false),
            Ok(Event::Empty(e)) => r.start(&e, true),
            Ok(Event::End(e)) => r.end(e.local_name().as_ref()),
            Ok(Event::Text(t)) if r.in_text > 0 && r.skip == 0 => r.push_text(&t.xml10_content()),
            Ok(Event::CData(t)) if r.in_text > 0 && r.skip == 0 => {
                r.push_text(&t);
            }
            Ok(Event::GeneralRef(g)) if r.in_text > 0 && r.skip == 0 => {
                let c = match g.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match g.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                    Err(_) => None,
                };
                if let Some(c) = c {
                    r.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                r.doc.error = Some(format!("XML error at byte {}: {e}", xr.error_position()));
                break;
            }
        }
    }
    // Close what a cut document left open.
    while let Some(t) = r.tables.pop() {
        r.deep = 0;
        r.end_table(t);
    }
    r.doc
}

/// Is this cell a form's label (`氏名`, `メールアドレス`)?
fn is_label(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().count() <= MAX_LABEL_CHARS && table::is_header(cell)
}

/// Is this table a form (labels down its first column) rather than rows under a header?
fn is_form(rows: &[Vec<String>]) -> bool {
    let labels = rows
        .iter()
        .filter(|r| r.first().is_some_and(|c| is_label(c)))
        .count();
    labels >= 2 && labels * 2 >= rows.len()
}

/// Scans a document: its text with the free-text detectors, its tables as tables, its forms
/// as records of named fields. Returns the records (data rows of tables and forms; `None`
/// when it has neither) and the classified columns.
pub fn scan(doc: &Doc, tally: &mut Tally) -> (Option<u64>, Vec<(String, Category)>) {
    let mut text = Cow::Borrowed(doc.text.as_str());
    let mut forms = Table::named();
    let mut columns = doc.columns.clone();
    let mut records = doc.records;
    let mut any_form = false;
    for rows in &doc.tables {
        if is_form(rows) {
            let mut fields: Vec<(String, String)> = Vec::new();
            for row in rows {
                let mut i = 0;
                while let Some(c) = row.get(i) {
                    match row.get(i + 1) {
                        // The value is whatever follows its label, even a cell that could
                        // be a label (`タナカ メイ` holds `メイ`).
                        Some(v) if is_label(c) => {
                            let mut key = c.clone();
                            let mut n = 1;
                            while fields.iter().any(|(k, _)| *k == key) {
                                n += 1;
                                key = format!("{c}#{n}");
                            }
                            fields.push((key, v.clone()));
                            i += 2;
                        }
                        _ => {
                            if !c.is_empty() {
                                let t = text.to_mut();
                                t.push('\n');
                                t.push_str(c);
                            }
                            i += 1;
                        }
                    }
                }
            }
            if !fields.is_empty() {
                any_form = true;
                forms.push_named(fields, tally);
            }
        } else {
            let mut t = Table::new();
            for row in rows {
                t.push(row, tally);
            }
            columns.extend(t.finish(tally));
            *records.get_or_insert(0) += t.records;
        }
    }
    if any_form {
        columns.extend(forms.finish(tally));
        *records.get_or_insert(0) += forms.records;
    }
    crate::text::scan(&text, tally);
    columns.dedup();
    (records, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;

    fn rd(xml: &[u8], d: Dialect) -> Doc {
        read(xml, d, &mut Tally::new(CatSet::all()))
    }

    fn word(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        )
    }

    fn p(runs: &[&str]) -> String {
        let r: String = runs
            .iter()
            .map(|t| {
                format!(r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>"#)
            })
            .collect();
        format!("<w:p><w:pPr><w:tabs><w:tab w:val=\"left\"/></w:tabs></w:pPr>{r}</w:p>")
    }

    fn tbl(rows: &[&[&str]]) -> String {
        let rows: String = rows
            .iter()
            .map(|r| {
                let cells: String = r
                    .iter()
                    .map(|c| format!("<w:tc><w:tcPr/>{}</w:tc>", p(&[c])))
                    .collect();
                format!("<w:tr><w:trPr/>{cells}</w:tr>")
            })
            .collect();
        format!("<w:tbl><w:tblGrid/>{rows}</w:tbl>")
    }

    #[test]
    fn runs_join_into_lines_and_tables_into_rows() {
        let xml = word(&format!(
            "{}{}{}",
            p(&["氏名：", "山田 ", "太郎"]),
            tbl(&[&["氏名", "電話"], &["佐藤 花子", "03-1234-5678"]]),
            p(&["a &amp; b &#x3012;"]),
        ));
        let d = rd(xml.as_bytes(), Dialect::Ooxml);
        assert_eq!(d.error, None);
        assert_eq!(d.text, "氏名：山田 太郎\na & b 〒\n");
        assert_eq!(
            d.tables,
            vec![vec![
                vec!["氏名".to_string(), "電話".into()],
                vec!["佐藤 花子".into(), "03-1234-5678".into()]
            ]]
        );
    }

    #[test]
    fn deleted_text_is_read_and_fallbacks_are_not() {
        let xml = word(
            r#"<w:p><w:del><w:r><w:delText>090-1111-2222</w:delText></w:r></w:del><w:r><w:instrText>HYPERLINK</w:instrText></w:r><mc:AlternateContent><mc:Choice><w:r><w:t>box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"#,
        );
        let d = rd(xml.as_bytes(), Dialect::Ooxml);
        assert_eq!(d.text, "090-1111-2222box\n");
    }

    #[test]
    fn nested_tables_are_text_of_their_cell() {
        let inner = tbl(&[&["a", "b"], &["c", "d"]]);
        let xml = word(&format!(
            "<w:tbl><w:tr><w:tc>{}{inner}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            p(&["x"]),
            p(&["y"])
        ));
        let d = rd(xml.as_bytes(), Dialect::Ooxml);
        assert_eq!(
            d.tables,
            vec![vec![vec!["x a b c d".to_string(), "y".into()]]]
        );
    }

    #[test]
    fn hostile_nesting_and_cut_documents_end_cleanly() {
        let deep = "<w:tbl><w:tr><w:tc>".repeat(10_000) + "<w:p><w:r><w:t>z</w:t></w:r></w:p>";
        let d = rd(word(&deep).as_bytes(), Dialect::Ooxml);
        assert_eq!(d.tables.len(), 1);
        assert!(d.tables[0][0][0].contains('z'));
        let cut = word(&tbl(&[&["氏名", "電話"], &["佐藤 花子", "03-1234-5678"]]));
        let d = rd(&cut.as_bytes()[..cut.len() - 60], Dialect::Ooxml);
        assert_eq!(d.tables[0].len(), 2);
        let bad = rd(
            b"<w:document><w:body><w:p><w:t>a</w:t><!-- x",
            Dialect::Ooxml,
        );
        assert!(bad.error.is_some());
        assert_eq!(bad.text, "a");
    }

    #[test]
    fn opendocument_repeats_are_capped() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table>
<table:table-row><table:table-cell><text:p>氏名</text:p></table:table-cell><table:table-cell><text:p>メール</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16382"/></table:table-row>
<table:table-row table:number-rows-repeated="3"><table:table-cell><text:p>山田<text:s text:c="2"/>太郎</text:p></table:table-cell><table:table-cell><text:p>t@example.com</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
</table:table><text:p>電話<text:tab/>090-1234-5678</text:p></office:spreadsheet></office:body></office:document-content>"#;
        let d = rd(xml.as_bytes(), Dialect::Odf);
        assert_eq!(d.error, None);
        assert_eq!(d.tables[0].len(), 4);
        assert_eq!(d.tables[0][0], vec!["氏名".to_string(), "メール".into()]);
        assert_eq!(
            d.tables[0][3],
            vec!["山田  太郎".to_string(), "t@example.com".into()]
        );
        assert_eq!(d.text, "電話\t090-1234-5678\n");
    }

    #[test]
    fn long_tables_are_counted_as_they_are_read() {
        let mut rows: Vec<Vec<String>> = vec![vec!["氏名".into(), "メール".into()]];
        for i in 0..FORM_ROWS * 3 {
            rows.push(vec!["山田 太郎".into(), format!("t{i}@example.com")]);
        }
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let xml = word(&format!("{}{}", tbl(&slices), tbl(&slices[..3])));
        let mut tally = Tally::new(CatSet::all());
        let d = read(xml.as_bytes(), Dialect::Ooxml, &mut tally);
        // The long table was counted while read and not kept; the short one waits.
        assert_eq!(d.records, Some(FORM_ROWS as u64 * 3));
        assert_eq!(tally.count(Category::Email), FORM_ROWS as u64 * 3);
        assert_eq!(d.tables.len(), 1);
        let (records, cols) = scan(&d, &mut tally);
        assert_eq!(records, Some(FORM_ROWS as u64 * 3 + 2));
        assert_eq!(tally.count(Category::Email), FORM_ROWS as u64 * 3 + 2);
        assert!(
            cols.contains(&("メール".to_string(), Category::Email)),
            "{cols:?}"
        );
    }

    #[test]
    fn html_tables_and_lines() {
        let html = "<!DOCTYPE html><html><head><title>顧客</title><style>td { color: red }</style>
            <script>var x = '<td>090-0000-0000</td>';</script></head><body>
            <p>氏名：<b>高橋&nbsp;健太</b></p><!-- <td>x</td> -->
            <table border=1><tr><th>氏名<th>メール</tr>
            <tr><td>山田 太郎<td>taro&#64;example.com
            <tr><td class=\"a>b\">佐藤\n   花子</td><td>h@example.jp</td></tr></table>
            <div>電話 03-1234-5678<br>a &lt; b</div></body></html>";
        let mut tally = Tally::new(CatSet::all());
        let d = read_html(html, &mut tally);
        assert_eq!(
            d.tables,
            vec![vec![
                vec!["氏名".to_string(), "メール".into()],
                vec!["山田 太郎".into(), "taro@example.com".into()],
                vec!["佐藤 花子".into(), "h@example.jp".into()],
            ]]
        );
        let lines: Vec<&str> = d
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            lines,
            ["顧客", "氏名：高橋 健太", "電話 03-1234-5678", "a < b"]
        );
        // Preformatted text keeps its lines (runs of white space in a line are one space);
        // after it, white space collapses again.
        let d = read_html(
            "<p>出力</p><pre>order_id,tel\r\n  0158121914,<b>x</b>  y\n\n1,2\n</pre>a\nb",
            &mut tally,
        );
        assert_eq!(d.text, "出力\norder_id,tel\n0158121914,x y\n1,2\na b");
    }

    #[test]
    fn parts_are_known_by_name() {
        assert_eq!(dialect("a.docx!word/document.xml"), Some(Dialect::Ooxml));
        assert_eq!(dialect("a.docx!word/header2.xml"), Some(Dialect::Ooxml));
        assert_eq!(
            dialect("a.pptx!ppt/slides/slide12.xml"),
            Some(Dialect::Ooxml)
        );
        assert_eq!(dialect("a.odt!content.xml"), Some(Dialect::Odf));
        assert_eq!(dialect("a.docx!word/styles.xml"), None);
        assert_eq!(dialect("a.pptx!ppt/slides/_rels/slide1.xml.rels"), None);
        assert_eq!(dialect("word/document.xml"), None);
    }

    fn counts(d: &Doc) -> (Option<u64>, Vec<(String, Category)>, Tally) {
        let mut t = Tally::new(CatSet::all());
        let (records, cols) = scan(d, &mut t);
        (records, cols, t)
    }

    #[test]
    fn tables_forms_and_text_are_counted() {
        let xml = word(&format!(
            "{}{}{}",
            p(&["氏名：", "高橋 ", "健太"]),
            tbl(&[
                &["氏名", "フリガナ", "メールアドレス", "生年月日"],
                &["山田 太郎", "ヤマダ タロウ", "taro@example.com", "1980/4/1"],
                &[
                    "佐藤 花子",
                    "サトウ ハナコ",
                    "hanako@example.jp",
                    "1975/12/24"
                ],
            ]),
            tbl(&[
                &["お名前", "鈴木 一郎", "フリガナ", "スズキ イチロウ"],
                &["電話番号", "090-1234-5678", "電話番号", "03-1234-5678"],
                &["生年月日", "昭和55年4月1日", "", ""],
                &["備考なし"],
            ]),
        ));
        let d = rd(xml.as_bytes(), Dialect::Ooxml);
        let (records, cols, counts) = counts(&d);
        assert_eq!(records, Some(3));
        let get = |c| counts.count(c);
        assert_eq!(get(Category::NameKanji), 4);
        assert_eq!(get(Category::NameKana), 3);
        assert_eq!(get(Category::Email), 2);
        assert_eq!(get(Category::BirthDate), 3);
        assert_eq!(get(Category::Phone), 2);
        assert!(
            cols.contains(&("電話番号#2".to_string(), Category::Phone)),
            "{cols:?}"
        );
        assert!(cols.contains(&("メールアドレス".to_string(), Category::Email)));
    }
}

//! RTF documents (`.rtf`: saved from Word or WordPad, exported by business systems): their
//! text in its code pages, tables as rows of cells between tabs.
//!
//! Read as text, an RTF file hid all its Japanese: every character is an escape (`\'8e\'52`
//! is 山 in the Shift_JIS of `\ansicpg932` or of a font with `\fcharset128`; `\u23665?` the same
//! in Unicode with an ASCII fallback), so names, addresses and dates in kanji were never seen,
//! and a table's cells ran together. Here the control words are read: the code page of the
//! document and of each font, `\'hh` bytes decoded in the code page of the current font (a
//! double-byte character's trail byte may stand as a plain character), `\uN` with its
//! fallback skipped (`\ucN`), paragraphs and line breaks as lines, `\cell`/`\row` as cells
//! between tabs and a line per row (read by the text scanner as a table), field results kept
//! and field instructions dropped (`HYPERLINK "mailto:…"` would count the address twice), and
//! destinations that hold no text skipped (font and colour tables, styles, pictures and
//! objects in hex, `\*` destinations, document properties). The RTF crates build the whole
//! document in memory (a vector of tokens, then styled blocks) before giving its text; this
//! is one pass over the bytes.
//!
//! Caps: the text kept is at most the size cap; groups nest at most [`MAX_DEPTH`] deep (the
//! groups deeper are read as their parent); `\binN` data is skipped within the file's bytes.

use encoding_rs::Encoding;

/// Groups followed this deep.
pub const MAX_DEPTH: usize = 256;

/// A document's text and the encoding of its `\ansicpg`.
#[derive(Debug)]
pub struct Doc {
    /// Paragraphs as lines; a table row as a line of cells between tabs.
    pub text: String,
    /// The document's code page (`Shift_JIS` for `\ansicpg932`).
    pub encoding: &'static str,
}

/// Does `head` start an RTF document?
pub fn is_rtf(head: &[u8]) -> bool {
    head.starts_with(b"{\\rtf")
}

/// Destinations whose text is no document text.
const SKIPPED: [&str; 26] = [
    "fonttbl",
    "colortbl",
    "stylesheet",
    "listtable",
    "listoverridetable",
    "info",
    "pict",
    "object",
    "objdata",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "mmathPr",
    "filetbl",
    "revtbl",
    "pgdsctbl",
    "fldinst",
    "shpinst",
    "nonshppict",
    "xe",
    "tc",
    "bkmkstart",
];

/// The encoding of a font's `\fcharsetN`, as Windows maps character sets to code pages.
fn charset_encoding(charset: i32) -> Option<&'static Encoding> {
    let cp = match charset {
        0 => 1252,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    };
    codepage::to_encoding(cp)
}

/// The state a group keeps (restored at its end).
#[derive(Clone, Copy)]
struct State {
    /// Inside a destination that is skipped.
    skip: bool,
    /// Inside the font table (its entries are read for their character sets).
    fonts: bool,
    /// The current font's encoding (None: the document's).
    enc: Option<&'static Encoding>,
    /// Fallback characters after `\uN`.
    uc: usize,
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    out: String,
    cap: usize,
    /// Bytes of text not yet decoded, and their encoding.
    pending: Vec<u8>,
    pending_enc: &'static Encoding,
    /// The document's code page.
    doc_enc: &'static Encoding,
    /// Font number → encoding (from the font table).
    font_encs: Vec<(i32, &'static Encoding)>,
    /// The font-table entry being read.
    font_def: Option<i32>,
    /// A `\uN` high surrogate waiting for its low half.
    high: Option<u16>,
    /// Fallback characters still to skip after a `\uN`.
    to_skip: usize,
}

/// Reads an RTF document; its text is at most `cap` bytes.
pub fn read(data: &[u8], cap: usize) -> Doc {
    let mut r = Reader {
        b: data,
        i: 0,
        out: String::new(),
        cap,
        pending: Vec::new(),
        pending_enc: encoding_rs::WINDOWS_1252,
        doc_enc: encoding_rs::WINDOWS_1252,
        font_encs: Vec::new(),
        font_def: None,
        high: None,
        to_skip: 0,
    };
    r.run();
    Doc {
        encoding: crate::decode::name(r.doc_enc),
        text: r.out,
    }
}

impl Reader<'_> {
    /// Decodes the pending bytes.
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let (s, _) = self.pending_enc.decode_without_bom_handling(&self.pending);
            self.out.push_str(&s);
            self.pending.clear();
        }
    }

    /// A byte of text in encoding `enc`.
    fn byte(&mut self, x: u8, enc: &'static Encoding) {
        if self.to_skip > 0 {
            self.to_skip -= 1;
            return;
        }
        if enc != self.pending_enc {
            self.flush();
            self.pending_enc = enc;
        }
        self.pending.push(x);
    }

    fn push(&mut self, s: &str) {
        self.to_skip = 0;
        self.flush();
        self.out.push_str(s);
    }

    /// The end of a row: its last cell's tab becomes the line end.
    fn row(&mut self) {
        self.flush();
        if self.out.ends_with('\t') {
            self.out.pop();
        }
        self.out.push('\n');
    }

    fn run(&mut self) {
        let mut stack: Vec<State> = Vec::new();
        // Groups deeper than the cap: counted so that their braces still match.
        let mut deeper = 0usize;
        let mut st = State {
            skip: false,
            fonts: false,
            enc: None,
            uc: 1,
        };
        // At a group's start: a destination may follow (`{\*\name` or `{\fonttbl`).
        let mut group_start = false;
        while self.i < self.b.len() && self.out.len() + self.pending.len() < self.cap {
            let c = self.b[self.i];
            match c {
                b'{' => {
                    self.i += 1;
                    self.flush();
                    if stack.len() >= MAX_DEPTH {
                        deeper += 1;
                    } else {
                        stack.push(st);
                    }
                    group_start = true;
                    self.to_skip = 0;
                    continue;
                }
                b'}' => {
                    self.i += 1;
                    self.flush();
                    if deeper > 0 {
                        deeper -= 1;
                    } else if let Some(s) = stack.pop() {
                        if st.fonts && !s.fonts {
                            self.font_def = None;
                        }
                        st = s;
                    }
                    self.to_skip = 0;
                    group_start = false;
                    continue;
                }
                b'\\' => {
                    let at_start = std::mem::take(&mut group_start);
                    self.control(&mut st, at_start);
                    continue;
                }
                b'\r' | b'\n' => {
                    self.i += 1;
                    continue;
                }
                _ => {
                    self.i += 1;
                    group_start = false;
                    if st.skip {
                        continue;
                    }
                    let enc = st.enc.unwrap_or(self.doc_enc);
                    self.byte(c, enc);
                }
            }
        }
        self.flush();
    }

    /// A control word or symbol at `self.i` (a `\`).
    fn control(&mut self, st: &mut State, at_start: bool) {
        let b = self.b;
        self.i += 1;
        let Some(&c) = b.get(self.i) else {
            return;
        };
        if !c.is_ascii_alphabetic() {
            self.i += 1;
            match c {
                b'\'' => {
                    let hex = b
                        .get(self.i..self.i + 2)
                        .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
                    if let Some(x) = hex {
                        self.i += 2;
                        if !st.skip {
                            let enc = st.enc.unwrap_or(self.doc_enc);
                            self.byte(x, enc);
                        }
                    }
                }
                // An ignorable destination (`{\*\name`): skipped.
                b'*' if at_start => st.skip = true,
                b'\\' | b'{' | b'}' if !st.skip => {
                    let enc = st.enc.unwrap_or(self.doc_enc);
                    self.byte(c, enc);
                }
                b'~' if !st.skip => self.push(" "),
                b'_' if !st.skip => self.push("-"),
                b'\r' | b'\n' if !st.skip => self.push("\n"),
                _ => {}
            }
            return;
        }
        // A word: letters, an optional signed number, an optional space.
        let start = self.i;
        while self.i < b.len() && b[self.i].is_ascii_alphabetic() && self.i - start < 32 {
            self.i += 1;
        }
        let word = std::str::from_utf8(&b[start..self.i]).unwrap_or("");
        let neg = b.get(self.i) == Some(&b'-');
        if neg {
            self.i += 1;
        }
        // The number, saturated (more than 10 digits: no valid parameter, but a `\bin` of
        // that many bytes skips the rest).
        let digits = self.i;
        let mut v: i64 = 0;
        while self.i < b.len() && b[self.i].is_ascii_digit() {
            v = v
                .saturating_mul(10)
                .saturating_add(i64::from(b[self.i] - b'0'));
            self.i += 1;
        }
        let n_digits = self.i - digits;
        let v = if neg { -v } else { v };
        let param = (n_digits > 0 && n_digits <= 10).then_some(v);
        if b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
        if word == "bin" {
            // Binary data: skipped, whatever the destination.
            let n = usize::try_from(v.max(0)).unwrap_or(usize::MAX);
            self.i = self.i.saturating_add(n).min(b.len());
            return;
        }
        if at_start && SKIPPED.contains(&word) {
            st.skip = true;
            if word == "fonttbl" {
                st.fonts = true;
            }
            return;
        }
        if st.fonts {
            match (word, param) {
                ("f", Some(n)) => self.font_def = i32::try_from(n).ok(),
                ("fcharset", Some(n)) => {
                    if let (Some(f), Some(e)) = (
                        self.font_def,
                        charset_encoding(i32::try_from(n).unwrap_or(-1)),
                    ) {
                        self.font_encs.retain(|(k, _)| *k != f);
                        self.font_encs.push((f, e));
                    }
                }
                ("cpg", Some(n)) => {
                    if let (Some(f), Some(e)) = (
                        self.font_def,
                        u16::try_from(n).ok().and_then(codepage::to_encoding),
                    ) {
                        self.font_encs.retain(|(k, _)| *k != f);
                        self.font_encs.push((f, e));
                    }
                }
                _ => {}
            }
            return;
        }
        match (word, param) {
            ("ansicpg", Some(n)) => {
                if let Some(e) = u16::try_from(n).ok().and_then(codepage::to_encoding) {
                    self.doc_enc = e;
                }
            }
            ("f", Some(n)) => {
                let n = i32::try_from(n).unwrap_or(-1);
                st.enc = self
                    .font_encs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, e)| *e);
            }
            ("uc", Some(n)) => st.uc = usize::try_from(n).unwrap_or(1).min(8),
            _ if st.skip => {}
            ("u", Some(n)) => {
                let u = (n as i32 as i16) as u16;
                self.flush();
                match (self.high.take(), u) {
                    (_, 0xD800..=0xDBFF) => self.high = Some(u),
                    (Some(h), 0xDC00..=0xDFFF) => {
                        if let Some(c) = char::decode_utf16([h, u]).next().and_then(Result::ok) {
                            self.out.push(c);
                        }
                    }
                    (_, u) => {
                        if let Some(c) = char::from_u32(u32::from(u)) {
                            self.out.push(c);
                        }
                    }
                }
                self.to_skip = st.uc;
            }
            ("par" | "line" | "sect" | "page", _) => self.push("\n"),
            ("tab", _) => self.push("\t"),
            ("cell" | "nestcell", _) => self.push("\t"),
            ("row" | "nestrow", _) => self.row(),
            ("emdash", _) => self.push("—"),
            ("endash", _) => self.push("–"),
            ("lquote", _) => self.push("‘"),
            ("rquote", _) => self.push("’"),
            ("ldblquote", _) => self.push("“"),
            ("rdblquote", _) => self.push("”"),
            ("bullet", _) => self.push("•"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rtf: &str) -> String {
        read(rtf.as_bytes(), 1 << 20).text
    }

    #[test]
    fn code_pages_escapes_and_unicode() {
        // 山田 in Shift_JIS escapes (the trail byte of 田, 0x63, as a plain `c`), then in
        // Unicode with fallbacks, in a font of charset 128 under an ANSI document.
        let rtf = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times;}{\\f1\\fnil\\fcharset128 MS Mincho;}}\
                   {\\colortbl;\\red0\\green0\\blue0;}{\\*\\generator Riched20;}{\\info{\\author X}}\
                   \\f1 \\'8e\\'52\\'93c\\par\\uc1\\u23665?\\u30000?\\uc2\\u22826\\'91\\'be\\par\
                   \\f0 caf\\'e9 \\{x\\} a\\~b\\line end}";
        assert_eq!(text(rtf), "山田\n山田太\ncafé {x} a b\nend");
        let d = read(b"{\\rtf1\\ansi\\ansicpg932 \\'8e\\'52}", 100);
        assert_eq!((d.text.as_str(), d.encoding), ("山", "Shift_JIS"));
    }

    #[test]
    fn tables_fields_pictures_and_binary() {
        let rtf = "{\\rtf1\\ansi\\ansicpg932\\trowd\\cellx1000\\cellx2000\\intbl \\u27663?\\u21517?\\cell \\u38651?\\u35441?\\cell\\row\
                   \\trowd\\intbl a\\cell 090\\cell\\row\
                   {\\field{\\*\\fldinst HYPERLINK \"mailto:a@example.jp\"}{\\fldrslt a@example.jp}}\\par\
                   {\\pict\\pngblip 89504e47}{\\*\\shppict x}\\bin4 {}}}x\\par\
                   \\u-10179?\\u-8704?}";
        assert_eq!(text(rtf), "氏名\t電話\na\t090\na@example.jp\nx\n\u{1F600}");
    }

    #[test]
    fn hostile_documents_end_and_stay_bounded() {
        let deep = format!("{{\\rtf1 {}x{}", "{".repeat(100_000), "}".repeat(100_000));
        assert_eq!(text(&deep), "x");
        assert_eq!(text("{\\rtf1 \\bin99999999999 abc"), "");
        assert_eq!(text("{\\rtf1 \\'zz\\u99999999999999 \\"), "zz");
        let big = format!("{{\\rtf1 {}}}", "a".repeat(10_000));
        assert!(read(big.as_bytes(), 100).text.len() <= 100);
        assert_eq!(text("}}}{\\rtf1 a}}}b"), "ab");
    }
}

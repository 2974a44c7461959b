//! PDF text: the text shown on each page, for the free-text detectors.
//!
//! A PDF's text is in compressed content streams, and its strings are font codes, not
//! characters: read as bytes, a PDF gave nothing. Here the objects come from the hardened
//! parser of `kizuki-files` (object streams unpacked, streams decoded within caps), and:
//! - each page's content streams are read for the text operators (`Tj`, `TJ`, `'`, `"`),
//!   with the font chosen by `Tf`;
//! - codes become characters through the font's `ToUnicode` CMap (how Word, LibreOffice
//!   and most generators embed Japanese fonts: `Identity-H` CIDs), or through the predefined
//!   Japanese CMaps by their encoding (`90ms-RKSJ-H` is Shift_JIS, `UniJIS-UCS2-H` and
//!   `UniJIS-UTF16-H` UTF-16BE, `EUC-H` EUC-JP); a simple font's bytes are Latin-1;
//! - a line break is put where the text moves to another line (`Td`/`TD` with a vertical
//!   move, `T*`, `'`, `"`, `Tm` to another baseline), a space where it jumps right past the
//!   estimated end of the last text (a label and its value in two text objects).
//!
//! - a table is found by where its cells start: a line of three cells or more (each a piece
//!   of text placed by `Td`/`Tm`) over two lines whose cells start at its cells' columns (or
//!   within them: numbers are right-aligned) opens it, and its rows go on while lines fit its
//!   columns, over page breaks too ([`Grid`]). Its rows are read as a table's (a name or a
//!   birth date in a column has no keyword beside it); the other lines are text.
//!
//! Widths are estimated (full width for CJK, half for the rest), not read from the fonts.
//! Text in form XObjects and annotations is not read.
//! An encrypted PDF is decrypted first ([`kizuki_files::pdfcrypt`]: the empty password, then
//! the passwords given); one no password opens is reported as not read.

use std::collections::HashMap;
use std::rc::Rc;

use kizuki_files::pdf::{self, Document, Obj, PdfObject};

/// Most objects parsed from one PDF.
pub const MAX_OBJECTS: usize = 200_000;
/// Most pages read.
pub const MAX_PAGES: usize = 50_000;
/// Most text taken from one PDF, bytes.
pub const MAX_TEXT: usize = 64 << 20;
/// Most pieces of text of a page laid out at once.
const MAX_RUNS: usize = 1 << 16;
/// Most bytes one content stream or CMap decodes to.
const STREAM_CAP: u64 = 32 << 20;
/// Most entries read from one CMap.
const MAX_CMAP: usize = 1 << 17;
/// Most `/Parent` links followed for a page's resources.
const MAX_PARENTS: usize = 32;

/// How a font's string bytes become text.
enum Font {
    /// A `ToUnicode` CMap.
    Map(CMap),
    /// A predefined CMap that is an encoding.
    Enc(&'static encoding_rs::Encoding),
    /// A simple font without a map: Latin-1 (ASCII for the standard encodings).
    Simple,
    /// CIDs without a map to Unicode: not readable.
    Opaque,
}

/// A `ToUnicode` CMap.
#[derive(Default)]
struct CMap {
    /// Codespace ranges: byte length, low, high.
    spaces: Vec<(u8, u32, u32)>,
    /// Byte lengths of the codes, shortest first.
    lens: Vec<u8>,
    chars: HashMap<(u8, u32), String>,
    /// (length, low, high, destination), sorted.
    ranges: Vec<(u8, u32, u32, Dst)>,
}

enum Dst {
    /// The first code's UTF-16 units; the next codes add to the last unit.
    Start(Vec<u16>),
    /// One destination per code.
    List(Vec<String>),
}

/// Tokens of content streams and CMaps.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Num(f64),
    Str(Vec<u8>),
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Word(&'a [u8]),
    Open,
    Close,
    Other,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0)
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

struct Lexer<'a> {
    d: &'a [u8],
    p: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Tok<'a>> {
        let d = self.d;
        loop {
            let b = *d.get(self.p)?;
            if is_ws(b) {
                self.p += 1;
            } else if b == b'%' {
                while d.get(self.p).is_some_and(|c| !matches!(c, b'\r' | b'\n')) {
                    self.p += 1;
                }
            } else {
                break;
            }
        }
        let start = self.p;
        let b = d[start];
        self.p += 1;
        Some(match b {
            b'(' => {
                let mut s = Vec::new();
                let mut depth = 1;
                while let Some(&c) = d.get(self.p) {
                    self.p += 1;
                    match c {
                        b'\\' => {
                            let Some(&e) = d.get(self.p) else { break };
                            self.p += 1;
                            match e {
                                b'n' => s.push(b'\n'),
                                b'r' => s.push(b'\r'),
                                b't' => s.push(b'\t'),
                                b'b' => s.push(8),
                                b'f' => s.push(12),
                                b'0'..=b'7' => {
                                    let mut v = u32::from(e - b'0');
                                    for _ in 0..2 {
                                        match d.get(self.p) {
                                            Some(o @ b'0'..=b'7') => {
                                                v = v * 8 + u32::from(o - b'0');
                                                self.p += 1;
                                            }
                                            _ => break,
                                        }
                                    }
                                    s.push(v as u8);
                                }
                                b'\r' => {
                                    if d.get(self.p) == Some(&b'\n') {
                                        self.p += 1;
                                    }
                                }
                                b'\n' => {}
                                other => s.push(other),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            s.push(c);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                }
                Tok::Str(s)
            }
            b'<' if d.get(self.p) == Some(&b'<') => {
                self.p += 1;
                Tok::Other
            }
            b'>' if d.get(self.p) == Some(&b'>') => {
                self.p += 1;
                Tok::Other
            }
            b'<' => {
                let mut s = Vec::new();
                let mut hi: Option<u8> = None;
                while let Some(&c) = d.get(self.p) {
                    self.p += 1;
                    if c == b'>' {
                        break;
                    }
                    let Some(v) = (c as char).to_digit(16) else {
                        continue;
                    };
                    match hi.take() {
                        Some(h) => s.push(h << 4 | v as u8),
                        None => hi = Some(v as u8),
                    }
                }
                if let Some(h) = hi {
                    s.push(h << 4);
                }
                Tok::Hex(s)
            }
            b'[' => Tok::Open,
            b']' => Tok::Close,
            b'/' => {
                while d.get(self.p).is_some_and(|c| !is_ws(*c) && !is_delim(*c)) {
                    self.p += 1;
                }
                Tok::Name(&d[start + 1..self.p])
            }
            _ if is_delim(b) => Tok::Other,
            _ => {
                while d.get(self.p).is_some_and(|c| !is_ws(*c) && !is_delim(*c)) {
                    self.p += 1;
                }
                let w = &d[start..self.p];
                match std::str::from_utf8(w)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                {
                    Some(n)
                        if n.is_finite()
                            && (b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.')) =>
                    {
                        Tok::Num(n)
                    }
                    _ => Tok::Word(w),
                }
            }
        })
    }

    /// Skips an inline image's data (after `ID`, up to `EI` between white space).
    fn skip_inline_image(&mut self) {
        let d = self.d;
        let mut i = self.p + 1;
        while let Some(at) = d.get(i..).and_then(|r| memchr::memmem::find(r, b"EI")) {
            let e = i + at;
            if e > 0 && is_ws(d[e - 1]) && d.get(e + 2).is_none_or(|c| is_ws(*c) || is_delim(*c)) {
                self.p = e + 2;
                return;
            }
            i = e + 2;
        }
        self.p = d.len();
    }
}

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().take(4).fold(0, |v, b| v << 8 | u32::from(*b))
}

fn utf16be(b: &[u8]) -> Vec<u16> {
    b.chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

impl CMap {
    fn parse(d: &[u8]) -> CMap {
        let mut m = CMap::default();
        let mut lx = Lexer { d, p: 0 };
        let mut entries = 0;
        while let Some(t) = lx.next() {
            let Tok::Word(w) = t else { continue };
            match w {
                b"begincodespacerange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (lx.next(), lx.next()) {
                        if (1..=4).contains(&lo.len()) && lo.len() == hi.len() {
                            m.spaces.push((lo.len() as u8, be(&lo), be(&hi)));
                        }
                    }
                }
                b"beginbfchar" => {
                    while let (Some(Tok::Hex(src)), Some(dst)) = (lx.next(), lx.next()) {
                        if let (1..=4, Tok::Hex(dst)) = (src.len(), dst) {
                            let s = String::from_utf16_lossy(&utf16be(&dst));
                            m.chars.insert((src.len() as u8, be(&src)), s);
                        }
                        entries += 1;
                        if entries > MAX_CMAP {
                            break;
                        }
                    }
                }
                b"beginbfrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (lx.next(), lx.next()) {
                        let dst = match lx.next() {
                            Some(Tok::Hex(d)) => Dst::Start(utf16be(&d)),
                            Some(Tok::Open) => {
                                let mut v = Vec::new();
                                while let Some(Tok::Hex(d)) = lx.next() {
                                    if v.len() < MAX_CMAP {
                                        v.push(String::from_utf16_lossy(&utf16be(&d)));
                                    }
                                }
                                Dst::List(v)
                            }
                            _ => break,
                        };
                        if (1..=4).contains(&lo.len()) && lo.len() == hi.len() && be(&lo) <= be(&hi)
                        {
                            m.ranges.push((lo.len() as u8, be(&lo), be(&hi), dst));
                        }
                        entries += 1;
                        if entries > MAX_CMAP {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        m.ranges.sort_by_key(|r| (r.0, r.1));
        let mut lens: Vec<u8> = m
            .spaces
            .iter()
            .map(|s| s.0)
            .chain(m.chars.keys().map(|k| k.0))
            .chain(m.ranges.iter().map(|r| r.0))
            .collect();
        lens.sort_unstable();
        lens.dedup();
        m.lens = lens;
        m
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    fn lookup(&self, n: u8, code: u32, out: &mut String) -> bool {
        if let Some(s) = self.chars.get(&(n, code)) {
            out.push_str(s);
            return true;
        }
        let i = self.ranges.partition_point(|r| (r.0, r.1) <= (n, code));
        let Some((len, lo, hi, dst)) = i.checked_sub(1).and_then(|i| self.ranges.get(i)) else {
            return false;
        };
        if *len != n || code > *hi {
            return false;
        }
        let k = code - lo;
        match dst {
            Dst::Start(units) => {
                let mut u = units.clone();
                if let Some(last) = u.last_mut() {
                    *last = last.wrapping_add(k as u16);
                }
                out.push_str(&String::from_utf16_lossy(&u));
            }
            Dst::List(v) => match v.get(k as usize) {
                Some(s) => out.push_str(s),
                None => return false,
            },
        }
        true
    }

    fn decode(&self, b: &[u8], out: &mut String) {
        let mut i = 0;
        let lens: &[u8] = if self.lens.is_empty() {
            &[1]
        } else {
            &self.lens
        };
        while i < b.len() {
            let mut step = 0;
            for &n in lens {
                let Some(c) = b.get(i..i + usize::from(n)) else {
                    break;
                };
                let code = be(c);
                let in_space = self.spaces.is_empty()
                    || self
                        .spaces
                        .iter()
                        .any(|(l, lo, hi)| *l == n && (*lo..=*hi).contains(&code));
                if in_space {
                    self.lookup(n, code, out);
                    step = usize::from(n);
                    break;
                }
            }
            i += step.max(1);
        }
    }
}

impl Font {
    fn of(doc: &Document, dict: &Obj, budget: &mut u64) -> Font {
        if let Some(tu) = dict.get("ToUnicode")
            && let Obj::Ref(n, g) = tu
            && let Some(o) = doc.get((*n, *g))
            && let Some(raw) = &o.stream
        {
            let (d, _) = pdf::decode(doc, &o.value, raw, STREAM_CAP.min(*budget));
            *budget = budget.saturating_sub(d.len() as u64);
            let m = CMap::parse(&d);
            if !m.is_empty() {
                return Font::Map(m);
            }
        }
        let enc = match dict.get("Encoding").map(|e| doc.resolve(e).0) {
            Some(Obj::Name(n)) => n.clone(),
            _ => Vec::new(),
        };
        let enc = String::from_utf8_lossy(&enc);
        let type0 = matches!(dict.get("Subtype"), Some(Obj::Name(n)) if n == b"Type0");
        if enc.contains("RKSJ") {
            Font::Enc(encoding_rs::SHIFT_JIS)
        } else if enc.contains("UCS2") || enc.contains("UTF16") {
            Font::Enc(encoding_rs::UTF_16BE)
        } else if enc.starts_with("EUC") {
            Font::Enc(encoding_rs::EUC_JP)
        } else if type0 {
            Font::Opaque
        } else {
            Font::Simple
        }
    }

    fn decode(&self, b: &[u8], out: &mut String) {
        match self {
            Font::Map(m) => m.decode(b, out),
            Font::Enc(e) => out.push_str(&e.decode_without_bom_handling(b).0),
            Font::Simple => out.extend(b.iter().map(|c| char::from(*c))),
            Font::Opaque => {}
        }
    }
}

/// A dictionary entry with references followed.
fn get<'a>(doc: &'a Document, d: &'a Obj, key: &str) -> Option<&'a Obj> {
    d.get(key).map(|v| doc.resolve(v).0)
}

/// The fonts of a page's resources (inherited from its parents), by resource name.
fn page_fonts(
    doc: &Document,
    page: &Obj,
    cache: &mut HashMap<(u32, u16), Rc<Font>>,
    budget: &mut u64,
) -> HashMap<Vec<u8>, Rc<Font>> {
    let mut node = page;
    let mut res = None;
    for _ in 0..MAX_PARENTS {
        if let Some(r) = get(doc, node, "Resources") {
            res = Some(r);
            break;
        }
        match get(doc, node, "Parent") {
            Some(p) => node = p,
            None => break,
        }
    }
    let mut fonts = HashMap::new();
    let Some(Obj::Dict(entries)) = res.and_then(|r| get(doc, r, "Font")) else {
        return fonts;
    };
    for (name, v) in entries.iter().take(4096) {
        let font = match v {
            Obj::Ref(n, g) => match cache.get(&(*n, *g)) {
                Some(f) => f.clone(),
                None => {
                    let f = Rc::new(Font::of(doc, doc.resolve(v).0, budget));
                    cache.insert((*n, *g), f.clone());
                    f
                }
            },
            direct => Rc::new(Font::of(doc, direct, budget)),
        };
        fonts.insert(name.clone(), font);
    }
    fonts
}

/// A page's content, its streams decoded and joined.
fn contents(doc: &Document, page: &Obj, budget: &mut u64) -> Vec<u8> {
    let refs: Vec<&Obj> = match page.get("Contents") {
        Some(Obj::Arr(a)) => a.iter().collect(),
        Some(r) => match doc.resolve(r).0 {
            Obj::Arr(a) => a.iter().collect(),
            _ => vec![r],
        },
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for r in refs.into_iter().take(4096) {
        let Obj::Ref(n, g) = r else { continue };
        let Some(PdfObject {
            value,
            stream: Some(raw),
            ..
        }) = doc.get((*n, *g))
        else {
            continue;
        };
        let (d, _) = pdf::decode(doc, value, raw, STREAM_CAP.min(*budget));
        *budget = budget.saturating_sub(d.len() as u64);
        out.extend_from_slice(&d);
        out.push(b'\n');
    }
    out
}

/// What separates a piece of text from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    None,
    Space,
    Line,
}

/// A piece of text shown (a string of `Tj`, `'`, `"` or of a `TJ` array).
struct Run {
    sep: Sep,
    /// The text position was set for it (`BT`, `Td`, `TD`, `Tm`), as for a table's cell.
    moved: bool,
    /// Where it starts (user space, estimated).
    x: f64,
    /// Its text in the page's buffer.
    span: (usize, usize),
}

/// The text a page shows, piece by piece.
#[derive(Default)]
struct Page {
    buf: String,
    runs: Vec<Run>,
}

/// The text state of a content stream.
struct Shower<'f> {
    fonts: &'f HashMap<Vec<u8>, Rc<Font>>,
    font: Option<Rc<Font>>,
    size: f64,
    /// Scale of the text matrix (font size in user space = size × scale).
    scale: f64,
    /// Start of the current line, and the current position (user space, estimated).
    line: (f64, f64),
    at: (f64, f64),
    /// Baseline and estimated end of the last text shown (kept across text objects).
    last_y: f64,
    x_end: f64,
    /// A line break owed (`T*`, `'`, `"`), a space owed (a gap in `TJ`).
    newline: bool,
    space: bool,
    shown: bool,
    /// The text position was set since the last text shown.
    moved: bool,
    page: Page,
}

impl Shower<'_> {
    fn em(&self) -> f64 {
        (self.size * self.scale).abs()
    }

    fn move_to(&mut self, x: f64, y: f64) {
        self.line = (x, y);
        self.at = (x, y);
        self.moved = true;
    }

    fn show(&mut self, b: &[u8]) {
        let Some(font) = self.font.clone() else {
            return;
        };
        let em = self.em().max(1e-3);
        let buf = &mut self.page.buf;
        let at = buf.len();
        font.decode(b, buf);
        if buf.len() == at {
            return;
        }
        let sep = if !self.shown {
            Sep::None
        } else if self.newline || (self.at.1 - self.last_y).abs() > 0.5 * em {
            Sep::Line
        } else if self.space || self.at.0 > self.x_end + 0.25 * em {
            Sep::Space
        } else {
            Sep::None
        };
        // Advance by an estimate: full width for CJK, half for the rest.
        let width: f64 = buf[at..]
            .chars()
            .map(|c| if c >= '\u{1100}' { 1.0 } else { 0.5 })
            .sum();
        self.page.runs.push(Run {
            sep,
            moved: self.moved,
            x: self.at.0,
            span: (at, buf.len()),
        });
        self.moved = false;
        self.at.0 += width * em;
        self.x_end = self.at.0;
        self.last_y = self.at.1;
        self.newline = false;
        self.space = false;
        self.shown = true;
    }
}

/// The text a content stream shows, handed to `lay_out` a part at a time: at most
/// [`MAX_RUNS`] pieces (a hostile stream of a million one-letter strings stays small).
fn show_text(
    content: &[u8],
    fonts: &HashMap<Vec<u8>, Rc<Font>>,
    lay_out: &mut dyn FnMut(&Page),
) -> usize {
    let mut st = Shower {
        fonts,
        font: None,
        size: 1.0,
        scale: 1.0,
        line: (0.0, 0.0),
        at: (0.0, 0.0),
        last_y: 0.0,
        x_end: 0.0,
        newline: false,
        space: false,
        shown: false,
        moved: false,
        page: Page::default(),
    };
    // Bytes of text handed on.
    let mut shown = 0;
    let mut lx = Lexer { d: content, p: 0 };
    let mut ops: Vec<Tok<'_>> = Vec::new();
    // The operands of a `TJ` array.
    let mut array: Option<Vec<Tok<'_>>> = None;
    let mut last_array: Vec<Tok<'_>> = Vec::new();
    let num =
        |ops: &[Tok<'_>], back: usize| match ops.len().checked_sub(back).and_then(|i| ops.get(i)) {
            Some(Tok::Num(n)) => *n,
            _ => 0.0,
        };
    while let Some(t) = lx.next() {
        if st.page.runs.len() >= MAX_RUNS {
            shown += st.page.buf.len();
            lay_out(&st.page);
            st.page = Page::default();
        }
        if shown + st.page.buf.len() > MAX_TEXT {
            break;
        }
        match t {
            Tok::Open => array = Some(Vec::new()),
            Tok::Close => {
                if let Some(a) = array.take() {
                    last_array = a;
                }
            }
            Tok::Word(w) if array.is_none() => {
                match w {
                    // `BT` and `Tm` set the position outright: a `T*` before them
                    // (reportlab ends each table cell with one) breaks no line.
                    b"BT" => {
                        st.scale = 1.0;
                        st.move_to(0.0, 0.0);
                        st.newline = false;
                    }
                    b"Tf" => {
                        st.size = num(&ops, 1);
                        if let Some(Tok::Name(n)) =
                            ops.len().checked_sub(2).and_then(|i| ops.get(i))
                        {
                            st.font = st.fonts.get(*n).cloned();
                        }
                    }
                    b"Td" | b"TD" => {
                        let (tx, ty) = (num(&ops, 2), num(&ops, 1));
                        st.move_to(st.line.0 + tx * st.scale, st.line.1 + ty * st.scale);
                    }
                    b"Tm" => {
                        st.scale = num(&ops, 6).abs().max(num(&ops, 3).abs()).max(1e-3);
                        st.move_to(num(&ops, 2), num(&ops, 1));
                        st.newline = false;
                    }
                    b"T*" => st.newline = true,
                    b"Tj" | b"'" | b"\"" => {
                        if w != b"Tj" {
                            st.newline = true;
                        }
                        if let Some(Tok::Str(s) | Tok::Hex(s)) = ops.last() {
                            st.show(s);
                        }
                    }
                    b"TJ" => {
                        for t in std::mem::take(&mut last_array) {
                            match t {
                                Tok::Str(s) | Tok::Hex(s) => st.show(&s),
                                // Thousandths of an em, leftwards; a move right of a fifth
                                // of an em or more is a word space (TeX justifies so).
                                Tok::Num(n) => {
                                    st.at.0 -= n / 1000.0 * st.em();
                                    st.space |= n < -200.0;
                                }
                                _ => {}
                            }
                        }
                    }
                    b"ID" => lx.skip_inline_image(),
                    _ => {}
                }
                ops.clear();
                last_array.clear();
            }
            t => match &mut array {
                Some(a) if a.len() < 1 << 16 => a.push(t),
                Some(_) => {}
                None if ops.len() < 64 => ops.push(t),
                None => {}
            },
        }
    }
    lay_out(&st.page);
    shown + st.page.buf.len()
}

/// A line of a page: its text as shown (pieces joined by the spaces between them) and its
/// cells (where a piece placed by `Td`/`Tm` starts, and its text up to the next one, as a
/// range of the line's text).
struct Line {
    text: String,
    cells: Vec<(f64, usize, usize)>,
}

impl Line {
    fn cell(&self, c: &(f64, usize, usize)) -> &str {
        self.text.get(c.1..c.2).unwrap_or("").trim()
    }
}

impl Page {
    fn lines(&self) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        for r in &self.runs {
            let t = self.buf.get(r.span.0..r.span.1).unwrap_or("");
            let line = match lines.last_mut() {
                Some(l) if r.sep != Sep::Line => l,
                _ => {
                    lines.push(Line {
                        text: String::new(),
                        cells: Vec::new(),
                    });
                    lines.last_mut().expect("pushed")
                }
            };
            if r.sep == Sep::Space {
                line.text.push(' ');
            }
            let start = line.text.len();
            line.text.push_str(t);
            let end = line.text.len();
            match line.cells.last_mut() {
                Some((x, _, e)) if !(r.moved && r.x > *x) => *e = end,
                _ => line.cells.push((r.x, start, end)),
            }
        }
        lines
    }
}

/// How far (user space units) a cell may start from its column's start and still be
/// aligned with it.
const ALIGN: f64 = 3.0;
/// Most columns a table has.
const MAX_GRID_COLUMNS: usize = 64;

/// A table's columns (where its header's cells start) and its rows, the header first.
struct Grid {
    cols: Vec<f64>,
    rows: Vec<Vec<String>>,
    /// The rows go on the last table closed (after a page break).
    continues: bool,
}

impl Grid {
    /// `line` as a row of these columns: each cell goes to the column it starts in, and a
    /// row has two cells or more, a third of them (two at least) aligned on a column's start
    /// (a right-aligned number starts within its column).
    fn row(&self, line: &Line) -> Option<Vec<String>> {
        if line.cells.len() < 2 {
            return None;
        }
        let mut row = vec![String::new(); self.cols.len()];
        let mut aligned = 0;
        for c in &line.cells {
            let x = c.0;
            let j = self.cols.iter().rposition(|s| *s - ALIGN <= x)?;
            if (x - self.cols[j]).abs() <= ALIGN {
                aligned += 1;
            }
            let cell = &mut row[j];
            if !cell.is_empty() {
                cell.push(' ');
            }
            cell.push_str(line.cell(c));
        }
        (aligned >= 2 && aligned * 3 >= line.cells.len()).then_some(row)
    }

    /// A table whose header is `head`, when the two lines after it are its rows.
    fn open(head: &Line, next: &[Line]) -> Option<Grid> {
        if !(3..=MAX_GRID_COLUMNS).contains(&head.cells.len())
            || head.cells.windows(2).any(|w| w[1].0 <= w[0].0 + ALIGN)
        {
            return None;
        }
        let mut g = Grid {
            cols: head.cells.iter().map(|c| c.0).collect(),
            rows: vec![
                head.cells
                    .iter()
                    .map(|c| head.cell(c).to_string())
                    .collect(),
            ],
            continues: false,
        };
        for l in next.get(..2)? {
            let r = g.row(l)?;
            g.rows.push(r);
        }
        Some(g)
    }
}

/// A PDF's text (the lines outside tables) and its tables (rows of cells, the first row
/// perhaps a header).
#[derive(Default)]
pub struct PdfText {
    /// The lines outside tables.
    pub text: String,
    /// Each table's rows.
    pub tables: Vec<Vec<Vec<String>>>,
}

/// Lays a page out into `out`: its tables' rows to `out.tables`, the other lines to
/// `out.text`. `grid` is the table open at the page's end (its rows go on on the next page),
/// `last` the columns of the last table closed (rows after a page's footer and the next
/// page's header go on in it).
fn lay_out(page: &Page, out: &mut PdfText, grid: &mut Option<Grid>, last: &mut Option<Vec<f64>>) {
    let lines = page.lines();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if let Some(g) = grid {
            if let Some(r) = g.row(line) {
                g.rows.push(r);
                i += 1;
                continue;
            }
            close(grid, out, last);
        }
        // Two rows of the last table's columns, after its page break.
        if let Some(cols) = last.take() {
            let g = Grid {
                cols,
                rows: Vec::new(),
                continues: true,
            };
            let two: Vec<Vec<String>> = lines
                .get(i..i + 2)
                .unwrap_or(&[])
                .iter()
                .map_while(|l| g.row(l))
                .collect();
            if two.len() == 2 {
                *grid = Some(Grid { rows: two, ..g });
                i += 2;
                continue;
            }
            *last = Some(g.cols);
        }
        let rest = lines.get(i + 1..).unwrap_or(&[]);
        if let Some(g) = Grid::open(line, rest) {
            *grid = Some(g);
            i += 3;
            continue;
        }
        out.text.push_str(&line.text);
        out.text.push('\n');
        i += 1;
    }
}

/// Closes the open table: its rows join the table closed before it when they go on from it
/// (a table over several pages), else make a new one.
fn close(grid: &mut Option<Grid>, out: &mut PdfText, last: &mut Option<Vec<f64>>) {
    let Some(g) = grid.take() else {
        return;
    };
    match out.tables.last_mut() {
        Some(t) if g.continues => t.extend(g.rows),
        _ => out.tables.push(g.rows),
    }
    // The header printed again at the top of each page is no row.
    if let Some(t) = out.tables.last_mut()
        && let Some((head, rows)) = t.split_first()
        && rows.contains(head)
    {
        let head = head.clone();
        let mut first = true;
        t.retain(|r| std::mem::take(&mut first) || *r != head);
    }
    *last = Some(g.cols);
}

/// The text of a PDF, page by page, and its tables; `Err` when it cannot be read
/// (encrypted with a password none of `passwords` is: most encrypted PDFs open with the
/// empty password, an owner's restrictions only, [`kizuki_files::pdfcrypt`]).
pub fn text(data: &[u8], cap: u64, passwords: &[String]) -> Result<PdfText, crate::Error> {
    use kizuki_files::pdfcrypt::Refused;
    let mut doc = pdf::parse(data, MAX_OBJECTS);
    match kizuki_files::pdfcrypt::open(&mut doc, passwords) {
        Ok(_) => {}
        Err(e @ Refused::NoPassword(_)) if passwords.is_empty() => {
            return Err(crate::Error::Locked(format!(
                "{e}: give its password with --password"
            )));
        }
        Err(e @ Refused::NoPassword(_)) => return Err(crate::Error::Locked(e.to_string())),
        Err(e) => return Err(crate::Error::Read(e.to_string())),
    }
    let mut budget = cap;
    pdf::unpack_object_streams_within(&mut doc, MAX_OBJECTS, &mut budget, &mut || false);
    let mut cache = HashMap::new();
    let mut out = PdfText::default();
    let (mut grid, mut last) = (None, None);
    let mut size = 0;
    let pages = doc
        .objects
        .iter()
        .filter(|o| matches!(o.value.get("Type"), Some(Obj::Name(n)) if n == b"Page"))
        .take(MAX_PAGES);
    for page in pages {
        let fonts = page_fonts(&doc, &page.value, &mut cache, &mut budget);
        let content = contents(&doc, &page.value, &mut budget);
        size += show_text(&content, &fonts, &mut |page| {
            lay_out(page, &mut out, &mut grid, &mut last);
        });
        if size > MAX_TEXT || budget == 0 {
            break;
        }
    }
    close(&mut grid, &mut out, &mut last);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmaps_map_chars_ranges_and_lists() {
        let m = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 1 begincodespacerange <0000> <FFFF> endcodespacerange
              2 beginbfchar <0003> <0020> <0010> <5C71 7530> endbfchar
              2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<3042> <D842DFB7>] endbfrange
              endcmap",
        );
        let mut s = String::new();
        m.decode(
            &[0, 0x10, 0, 3, 0, 0x20, 0, 0x22, 0, 0x30, 0, 0x31, 0, 0x99],
            &mut s,
        );
        assert_eq!(s, "山田 AC\u{3042}\u{20BB7}");
    }

    #[test]
    fn content_streams_give_lines_and_spaces() {
        let mut fonts = HashMap::new();
        fonts.insert(b"F1".to_vec(), Rc::new(Font::Simple));
        fonts.insert(b"F2".to_vec(), Rc::new(Font::Enc(encoding_rs::SHIFT_JIS)));
        let sjis = encoding_rs::SHIFT_JIS.encode("山田 太郎").0;
        let hex: String = sjis.iter().map(|b| format!("{b:02X}")).collect();
        let content = format!(
            "q BT /F1 10 Tf 1 0 0 1 72 700 Tm (Name:) Tj ET BT /F2 10 Tf 1 0 0 1 120 700 Tm <{hex}> Tj ET
             BT /F1 10 Tf 72 680 Td [(te) -30 (l) -400 (090\\0551234) ] TJ 0 -20 Td (a\\(b\\)) Tj T* (c) ' ET
             BI /W 1 /H 1 ID \x00EI\x01 EI Q"
        );
        let mut text = Vec::new();
        show_text(content.as_bytes(), &fonts, &mut |page| {
            text.extend(page.lines().into_iter().map(|l| l.text));
        });
        assert_eq!(text.join("\n"), "Name: 山田 太郎\ntel 090-1234\na(b)\nc");
    }

    /// A stream of many small pieces is laid out a part at a time, every piece kept.
    #[test]
    fn many_pieces_are_laid_out_in_parts() {
        let mut fonts = HashMap::new();
        fonts.insert(b"F1".to_vec(), Rc::new(Font::Simple));
        let content = format!(
            "BT /F1 10 Tf {}ET",
            "20 0 Td (a) Tj 0 -20 Td (b) Tj ".repeat(MAX_RUNS)
        );
        let (mut parts, mut letters) = (0, 0);
        let shown = show_text(content.as_bytes(), &fonts, &mut |page| {
            assert!(page.runs.len() <= MAX_RUNS);
            parts += 1;
            letters += page
                .lines()
                .iter()
                .map(|l| l.text.bytes().filter(|b| *b != b' ').count())
                .sum::<usize>();
        });
        assert_eq!((parts, letters, shown), (3, 2 * MAX_RUNS, 2 * MAX_RUNS));
    }
}

#[cfg(test)]
mod table_rows {
    use crate::tally::{CatSet, Tally};
    use kizuki_core::Category;

    /// A customer table printed to PDF over three pages (the header on the first only or on
    /// each, a title above and page numbers below): one table of every row, each value
    /// counted as its column's, the title and page numbers left as text.
    #[test]
    fn tables_printed_to_pdf_are_read_as_tables() {
        for style in [
            crate::synth::PdfTable::Sheet,
            crate::synth::PdfTable::Report,
        ] {
            printed_table(style);
        }
    }

    fn printed_table(style: crate::synth::PdfTable) {
        let (csv, truth) = crate::synth::persons_text(21, 90, crate::synth::Form::Csv);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let Ok(pdf) = crate::synth::pdf_table_of(&rows, style) else {
            panic!("pdf");
        };
        let Ok(t) = super::text(&pdf, 1 << 30, &[]) else {
            panic!("text");
        };
        assert_eq!(t.tables.len(), 1, "{}", t.text);
        assert_eq!(t.tables[0].len(), 91);
        assert_eq!(t.tables[0][0], rows[0]);
        assert_eq!(
            t.text,
            "顧客一覧（2024年3月末現在）\n- 1 -\n顧客一覧（2024年3月末現在）\n- 2 -\n\
             顧客一覧（2024年3月末現在）\n- 3 -\n"
        );
        let mut tally = Tally::new(CatSet::all());
        crate::text::scan(&t.text, &mut tally);
        let (records, columns) = crate::table::read_tables(t.tables, &mut tally);
        assert_eq!(records, Some(90));
        let want: Vec<(Category, u64)> = truth.into_iter().collect();
        crate::assert_counts(&tally, &want, &format!("{columns:?}"));
        for (h, c) in [
            ("氏名", Category::NameKanji),
            ("生年月日", Category::BirthDate),
        ] {
            assert!(columns.contains(&(h.to_string(), c)), "{columns:?}");
        }
    }

    /// A customer list printed to PDF: each row comes out as one line of text, the name first
    /// with no keyword before it. The name counts, as the row's other values do.
    #[test]
    fn names_that_start_the_rows_of_a_printed_list() {
        let lines = [
            "顧客一覧",
            "山田 太郎 090-1234-5678 taro@example.jp",
            "鈴木 花子 03-1234-5678 hanako@example.jp",
            "佐藤 一郎 営業部 06-1234-5678",
            // Written without a space, as lists often are.
            "高橋誠二 080-1234-5678 seiji@example.jp",
            "林一郎 〒100-0001 東京都千代田区千代田1-1",
        ];
        let Ok(pdf) = crate::synth::pdf_of(&lines) else {
            panic!("pdf");
        };
        let Ok(text) = super::text(&pdf, 1 << 30, &[]) else {
            panic!("text");
        };
        let mut t = Tally::new(CatSet::all());
        assert!(text.tables.is_empty());
        let text = text.text;
        crate::text::scan(&text, &mut t);
        let want = [
            (Category::NameKanji, 5),
            (Category::Phone, 4),
            (Category::Email, 3),
            (Category::PostalCode, 1),
            (Category::Address, 1),
        ];
        crate::assert_counts(&t, &want, &text);
    }
}

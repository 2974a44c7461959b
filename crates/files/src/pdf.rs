//! PDF: a tolerant pdfid-style byte scan, then object-level analysis.
//!
//! 1. [`pdfid`] counts the names that matter (`/JS`, `/OpenAction`, `/Launch`, …) over the raw
//!    bytes after decoding `#xx` hex escapes in names; a keyword written with escapes
//!    (`/J#61vaScript`) is `pdf.obfuscated_name`. It works on broken and encrypted files.
//! 2. [`parse`] finds `N G obj … endobj` where they are (no trust in the xref table), parses each
//!    value with a depth cap, decodes streams (Flate, ASCIIHex, ASCII85, LZW; each capped) and
//!    unpacks object streams, so JavaScript hidden in compressed objects is found.
//! 3. The analysis resolves what `/OpenAction` and `/AA` point to (reference chains capped, loops
//!    detected), collects JavaScript, `/Launch`, URIs and XFA, flags known-dangerous JS API calls
//!    and hands embedded files to the analyser recursively.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use kizuki_core::{Finding, Severity};

use crate::{Ctx, Out};

/// The names the byte scan counts (pdfid's list plus `/URI`).
pub const KEYWORDS: &[&str] = &[
    "JS",
    "JavaScript",
    "OpenAction",
    "AA",
    "Launch",
    "EmbeddedFile",
    "XFA",
    "RichMedia",
    "AcroForm",
    "ObjStm",
    "Encrypt",
    "JBIG2Decode",
    "URI",
];

/// Known-dangerous Acrobat JavaScript API calls (exploited in the past).
pub const DANGEROUS_JS: &[&str] = &[
    "util.printf",
    "Collab.collectEmailInfo",
    "Collab.getIcon",
    "getIcon",
    "media.newPlayer",
    "spell.customDictionaryOpen",
    "getAnnots",
    "printSeps",
];

/// Cap on one decoded stream.
const STREAM_CAP: u64 = 32 * 1024 * 1024;
/// Cap on value nesting.
const MAX_NESTING: u32 = 64;
/// Cap on reference hops when resolving one value.
const MAX_HOPS: usize = 32;

/// Result of the byte scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfId {
    /// Count per keyword, in [`KEYWORDS`] order.
    pub counts: Vec<(&'static str, u32)>,
    /// Keywords that appeared written with `#xx` escapes (raw forms).
    pub obfuscated: Vec<String>,
}

impl PdfId {
    /// The count of one keyword.
    pub fn count(&self, k: &str) -> u32 {
        self.counts
            .iter()
            .find(|(n, _)| *n == k)
            .map_or(0, |(_, c)| *c)
    }
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    ) || is_ws(b)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0)
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `#xx` escapes in a raw name (without the slash).
pub fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).copied().and_then(hexval),
                raw.get(i + 2).copied().and_then(hexval),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// The pdfid-style byte scan.
pub fn pdfid(data: &[u8]) -> PdfId {
    let mut counts = vec![0u32; KEYWORDS.len()];
    let mut obfuscated = Vec::new();
    for pos in memchr::memchr_iter(b'/', data) {
        let start = pos + 1;
        let mut end = start;
        while end < data.len() && !is_delim(data[end]) && end - start < 128 {
            end += 1;
        }
        let raw = &data[start..end];
        if raw.is_empty() {
            continue;
        }
        let has_escape = memchr::memchr(b'#', raw).is_some();
        let name = if has_escape {
            decode_name(raw)
        } else {
            raw.to_vec()
        };
        if let Some(i) = KEYWORDS
            .iter()
            .position(|k| k.as_bytes() == name.as_slice())
        {
            counts[i] = counts[i].saturating_add(1);
            if has_escape && obfuscated.len() < 16 {
                obfuscated.push(String::from_utf8_lossy(raw).into_owned());
            }
        }
    }
    PdfId {
        counts: KEYWORDS.iter().copied().zip(counts).collect(),
        obfuscated,
    }
}

/// A PDF value.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    /// `null` or anything unparsable.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string (literal or hex), decoded.
    Str(Vec<u8>),
    /// A name, `#xx` decoded, without the slash.
    Name(Vec<u8>),
    /// An array.
    Arr(Vec<Obj>),
    /// A dictionary, in file order.
    Dict(Vec<(Vec<u8>, Obj)>),
    /// An indirect reference.
    Ref(u32, u16),
}

impl Obj {
    /// A dictionary entry.
    pub fn get(&self, key: &str) -> Option<&Obj> {
        match self {
            Obj::Dict(d) => d
                .iter()
                .rev()
                .find(|(k, _)| k == key.as_bytes())
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn name_is(&self, n: &str) -> bool {
        matches!(self, Obj::Name(x) if x == n.as_bytes())
    }

    fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Num(n) if n.fract() == 0.0 && n.is_finite() => Some(*n as i64),
            _ => None,
        }
    }
}

/// An object found in the file (or in an object stream).
#[derive(Clone, Debug)]
pub struct PdfObject {
    /// Object number and generation.
    pub id: (u32, u16),
    /// Its value (the stream dictionary for streams).
    pub value: Obj,
    /// The raw (still encoded) stream bytes.
    pub stream: Option<Vec<u8>>,
}

struct Lexer<'a> {
    d: &'a [u8],
    p: usize,
    budget: usize,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        while self.p < self.d.len() {
            let b = self.d[self.p];
            if is_ws(b) {
                self.p += 1;
            } else if b == b'%' {
                while self.p < self.d.len() && !matches!(self.d[self.p], b'\r' | b'\n') {
                    self.p += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.d.get(self.p).copied()
    }

    fn regular(&mut self) -> &'a [u8] {
        let s = self.p;
        while self.p < self.d.len() && !is_delim(self.d[self.p]) {
            self.p += 1;
        }
        &self.d[s..self.p]
    }

    fn value(&mut self, depth: u32) -> Obj {
        self.skip_ws();
        if depth > MAX_NESTING || self.budget == 0 {
            return Obj::Null;
        }
        self.budget -= 1;
        let Some(b) = self.peek() else {
            return Obj::Null;
        };
        match b {
            b'/' => {
                self.p += 1;
                Obj::Name(decode_name(self.regular()))
            }
            b'(' => Obj::Str(self.literal()),
            b'<' if self.d.get(self.p + 1) == Some(&b'<') => {
                self.p += 2;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => break,
                        Some(b'>') => {
                            self.p += 2;
                            break;
                        }
                        Some(b'/') => {
                            self.p += 1;
                            let k = decode_name(self.regular());
                            let v = self.value(depth + 1);
                            items.push((k, v));
                        }
                        Some(_) => {
                            // Garbage where a key should be: skip one token.
                            let before = self.p;
                            let _ = self.value(depth + 1);
                            if self.p == before {
                                self.p += 1;
                            }
                        }
                    }
                    if self.budget == 0 {
                        break;
                    }
                }
                Obj::Dict(items)
            }
            b'<' => {
                self.p += 1;
                let mut out = Vec::new();
                let mut hi: Option<u8> = None;
                while let Some(c) = self.peek() {
                    self.p += 1;
                    if c == b'>' {
                        break;
                    }
                    if let Some(v) = hexval(c) {
                        match hi.take() {
                            Some(h) => out.push(h << 4 | v),
                            None => hi = Some(v),
                        }
                    }
                }
                if let Some(h) = hi {
                    out.push(h << 4);
                }
                Obj::Str(out)
            }
            b'[' => {
                self.p += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => break,
                        Some(b']') => {
                            self.p += 1;
                            break;
                        }
                        Some(_) => {
                            let before = self.p;
                            let v = self.value(depth + 1);
                            if self.p == before {
                                self.p += 1;
                            }
                            items.push(v);
                        }
                    }
                    if self.budget == 0 {
                        break;
                    }
                }
                fold_refs(items)
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                self.p += 1;
                Obj::Null
            }
            _ => {
                let tok = self.regular();
                if tok.is_empty() {
                    self.p += 1;
                    return Obj::Null;
                }
                match tok {
                    b"true" => Obj::Bool(true),
                    b"false" => Obj::Bool(false),
                    b"null" => Obj::Null,
                    b"R" => Obj::Name(b"R".to_vec()),
                    _ => std::str::from_utf8(tok)
                        .ok()
                        .and_then(|s| s.parse::<f64>().ok())
                        .map_or(Obj::Null, Obj::Num),
                }
                .pipe(|v| self.maybe_ref(v))
            }
        }
    }

    /// After a number: `N G R` is a reference.
    fn maybe_ref(&mut self, v: Obj) -> Obj {
        let Some(n) = v.as_int() else { return v };
        let save = self.p;
        self.skip_ws();
        let g = self.regular();
        if let Some(g) = std::str::from_utf8(g)
            .ok()
            .and_then(|s| s.parse::<u16>().ok())
        {
            self.skip_ws();
            if self.regular() == b"R"
                && let Ok(n) = u32::try_from(n)
            {
                return Obj::Ref(n, g);
            }
        }
        self.p = save;
        v
    }

    fn literal(&mut self) -> Vec<u8> {
        self.p += 1;
        let mut out = Vec::new();
        let mut depth = 1u32;
        while let Some(c) = self.peek() {
            self.p += 1;
            match c {
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.p += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.p += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.p += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

/// Arrays keep `N G R` triples that were not folded by `maybe_ref` (e.g. after garbage).
fn fold_refs(items: Vec<Obj>) -> Obj {
    Obj::Arr(items)
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)
        .and_then(|h| memchr::memmem::find(h, needle))
        .map(|i| i + from)
}

/// Parses the integer token ending just before `end` (skipping whitespace backwards).
fn int_before(d: &[u8], end: usize) -> Option<(u64, usize)> {
    let mut e = end;
    while e > 0 && is_ws(d[e - 1]) {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && d[s - 1].is_ascii_digit() && e - s < 10 {
        s -= 1;
    }
    if s == e {
        return None;
    }
    let n = std::str::from_utf8(&d[s..e]).ok()?.parse().ok()?;
    Some((n, s))
}

/// A parsed document.
#[derive(Debug, Default)]
pub struct Document {
    /// The objects, later definitions (incremental updates) replacing earlier ones.
    pub objects: Vec<PdfObject>,
    index: HashMap<(u32, u16), usize>,
    /// Trailer dictionaries found.
    pub trailers: Vec<Obj>,
    /// True when the object cap was hit.
    pub truncated: bool,
}

impl Document {
    fn insert(&mut self, o: PdfObject, replace: bool) {
        match self.index.get(&o.id) {
            Some(&i) if replace => self.objects[i] = o,
            Some(_) => {}
            None => {
                self.index.insert(o.id, self.objects.len());
                self.objects.push(o);
            }
        }
    }

    /// The object with this id.
    pub fn get(&self, id: (u32, u16)) -> Option<&PdfObject> {
        self.index.get(&id).and_then(|&i| self.objects.get(i))
    }

    /// Follows references from `v` (capped); the second value is true when a loop was met.
    pub fn resolve<'a>(&'a self, v: &'a Obj) -> (&'a Obj, bool) {
        let mut cur = v;
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            match cur {
                Obj::Ref(n, g) => {
                    if !seen.insert((*n, *g)) {
                        return (&Obj::Null, true);
                    }
                    match self.get((*n, *g)) {
                        Some(o) => cur = &o.value,
                        None => return (&Obj::Null, false),
                    }
                }
                _ => return (cur, false),
            }
        }
        (&Obj::Null, true)
    }
}

/// Finds and parses the objects of a PDF (tolerant, capped).
pub fn parse(data: &[u8], max_objects: usize) -> Document {
    let mut doc = Document::default();
    let mut from = 0;
    while let Some(at) = find_from(data, b"obj", from) {
        from = at + 3;
        // `endobj` also contains `obj`.
        if at >= 3 && &data[at - 3..at] == b"end" {
            continue;
        }
        if data.get(at + 3).is_some_and(|&b| !is_delim(b)) {
            continue;
        }
        if at == 0 || !is_ws(data[at - 1]) {
            continue;
        }
        let Some((gen_, gs)) = int_before(data, at) else {
            continue;
        };
        if gs == 0 || !is_ws(data[gs - 1]) {
            continue;
        }
        let Some((num, _)) = int_before(data, gs) else {
            continue;
        };
        let (Ok(num), Ok(gen_)) = (u32::try_from(num), u16::try_from(gen_)) else {
            continue;
        };
        if doc.objects.len() >= max_objects {
            doc.truncated = true;
            break;
        }
        let mut lx = Lexer {
            d: data,
            p: at + 3,
            budget: 1_000_000,
        };
        let value = lx.value(0);
        lx.skip_ws();
        let mut stream = None;
        if data.get(lx.p..lx.p + 6) == Some(b"stream") {
            let mut s = lx.p + 6;
            if data.get(s) == Some(&b'\r') {
                s += 1;
            }
            if data.get(s) == Some(&b'\n') {
                s += 1;
            }
            let direct = value
                .get("Length")
                .and_then(Obj::as_int)
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| {
                    s.checked_add(l).is_some_and(|e| {
                        e <= data.len()
                            && data
                                .get(e..(e + 12).min(data.len()))
                                .is_some_and(|t| memchr::memmem::find(t, b"endstream").is_some())
                    })
                });
            let end = match direct {
                Some(l) => s + l,
                None => find_from(data, b"endstream", s).unwrap_or(data.len()),
            };
            stream = data.get(s..end).map(<[u8]>::to_vec);
            from = end.max(from);
        } else {
            from = lx.p.max(from);
        }
        doc.insert(
            PdfObject {
                id: (num, gen_),
                value,
                stream,
            },
            true,
        );
    }
    // Trailers (classic): `trailer << … >>`.
    let mut tf = 0;
    while let Some(at) = find_from(data, b"trailer", tf) {
        tf = at + 7;
        let mut lx = Lexer {
            d: data,
            p: at + 7,
            budget: 100_000,
        };
        let v = lx.value(0);
        if matches!(v, Obj::Dict(_)) {
            doc.trailers.push(v);
        }
        if doc.trailers.len() > 64 {
            break;
        }
    }
    doc
}

/// Why a stream could not be fully decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeIssue {
    /// Output reached the cap (result truncated).
    Cap,
    /// A filter we do not decode (result is the input of that filter).
    Unsupported(String),
    /// Corrupt data (result is what decoded before the error).
    Corrupt(String),
}

/// Decodes a stream through its filters, each capped at `cap` bytes of output.
pub fn decode(doc: &Document, dict: &Obj, raw: &[u8], cap: u64) -> (Vec<u8>, Option<DecodeIssue>) {
    let filters: Vec<Vec<u8>> = match dict.get("Filter").map(|f| doc.resolve(f).0) {
        Some(Obj::Name(n)) => vec![n.clone()],
        Some(Obj::Arr(a)) => a
            .iter()
            .filter_map(|x| match doc.resolve(x).0 {
                Obj::Name(n) => Some(n.clone()),
                _ => None,
            })
            .take(8)
            .collect(),
        _ => Vec::new(),
    };
    let mut cur = raw.to_vec();
    for f in filters {
        let r = match f.as_slice() {
            b"FlateDecode" | b"Fl" => flate(&cur, cap),
            b"ASCIIHexDecode" | b"AHx" => Ok(ascii_hex(&cur)),
            b"ASCII85Decode" | b"A85" => Ok(ascii85(&cur)),
            b"LZWDecode" | b"LZW" => lzw(&cur, cap),
            other => {
                return (
                    cur,
                    Some(DecodeIssue::Unsupported(
                        String::from_utf8_lossy(other).into_owned(),
                    )),
                );
            }
        };
        match r {
            Ok(v) => cur = v,
            Err((partial, issue)) => return (partial, Some(issue)),
        }
    }
    (cur, None)
}

type Decoded = Result<Vec<u8>, (Vec<u8>, DecodeIssue)>;

fn flate(data: &[u8], cap: u64) -> Decoded {
    // zlib first; raw deflate as a fallback for streams without the zlib header.
    let mut out = Vec::new();
    let r = flate2::read::ZlibDecoder::new(data)
        .take(cap.saturating_add(1))
        .read_to_end_capped(&mut out);
    match r {
        Ok(()) if out.len() as u64 > cap => {
            out.truncate(cap as usize);
            Err((out, DecodeIssue::Cap))
        }
        Ok(()) => Ok(out),
        Err(e) if out.is_empty() => {
            let mut raw = Vec::new();
            let r2 = flate2::read::DeflateDecoder::new(data)
                .take(cap.saturating_add(1))
                .read_to_end_capped(&mut raw);
            match r2 {
                Ok(()) if raw.len() as u64 <= cap && !raw.is_empty() => Ok(raw),
                _ => Err((raw, DecodeIssue::Corrupt(e.to_string()))),
            }
        }
        // Truncated streams are common: keep what decoded.
        Err(e) => Err((out, DecodeIssue::Corrupt(e.to_string()))),
    }
}

/// `read_to_end` into a buffer whose reader is already capped by `take`.
trait ReadCapped {
    fn read_to_end_capped(&mut self, out: &mut Vec<u8>) -> std::io::Result<()>;
}

impl<R: Read> ReadCapped for std::io::Take<R> {
    fn read_to_end_capped(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        let mut chunk = [0u8; 32 * 1024];
        loop {
            let n = self.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            out.extend_from_slice(&chunk[..n]);
        }
    }
}

/// ASCIIHexDecode.
pub fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut hi = None;
    for &c in data {
        if c == b'>' {
            break;
        }
        if let Some(v) = hexval(c) {
            match hi.take() {
                Some(h) => out.push(h << 4 | v),
                None => hi = Some(v),
            }
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    out
}

/// ASCII85Decode (tolerant: stops at `~>` or the first invalid byte).
pub fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u32; 5];
    let mut n = 0;
    let data = data.strip_prefix(b"<~").unwrap_or(data);
    for &c in data {
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0, 0, 0, 0]),
            b'!'..=b'u' => {
                group[n] = u32::from(c - b'!');
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            c if is_ws(c) => {}
            _ => break,
        }
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = 84;
        }
        let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
        out.extend_from_slice(&(v as u32).to_be_bytes()[..n - 1]);
    }
    out
}

fn lzw(data: &[u8], cap: u64) -> Decoded {
    // PDF's LZW is MSB-first with early change, as TIFF's.
    let mut dec = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut input = data;
    loop {
        let r = dec.decode_bytes(input, &mut buf);
        out.extend_from_slice(&buf[..r.consumed_out]);
        input = &input[r.consumed_in..];
        if out.len() as u64 > cap {
            out.truncate(cap as usize);
            return Err((out, DecodeIssue::Cap));
        }
        match r.status {
            Ok(weezl::LzwStatus::Done) => return Ok(out),
            Ok(weezl::LzwStatus::NoProgress) => return Ok(out),
            Ok(weezl::LzwStatus::Ok) => {
                if r.consumed_in == 0 && r.consumed_out == 0 {
                    return Ok(out);
                }
            }
            Err(e) => return Err((out, DecodeIssue::Corrupt(e.to_string()))),
        }
    }
}

/// Unpacks object streams (`/Type /ObjStm`) into the document.
fn unpack_object_streams(doc: &mut Document, ctx: &mut Ctx<'_>, out: &mut Out) {
    let mut budget = ctx.budget;
    let max = ctx.opts.max_pdf_objects;
    let cut = unpack_object_streams_within(doc, max, &mut budget, &mut || ctx.expired());
    ctx.budget = budget;
    if let Some((id, cap)) = cut {
        stream_limit(out, id, cap);
    }
}

/// Unpacks object streams (`/Type /ObjStm`) into the document (at most `max_objects` in
/// all), each decoded within [`STREAM_CAP`] and what is left of `budget` (the bytes decoded
/// are taken from it); `stop` ends the work early (a time budget). Returns the first stream
/// cut at its cap and that cap.
pub fn unpack_object_streams_within(
    doc: &mut Document,
    max_objects: usize,
    budget: &mut u64,
    stop: &mut dyn FnMut() -> bool,
) -> Option<((u32, u16), u64)> {
    let mut found = Vec::new();
    let mut cut = None;
    for o in &doc.objects {
        if !o.value.get("Type").is_some_and(|t| t.name_is("ObjStm")) {
            continue;
        }
        let Some(raw) = &o.stream else { continue };
        let cap = STREAM_CAP.min(*budget);
        let (dec, issue) = decode(doc, &o.value, raw, cap);
        if issue == Some(DecodeIssue::Cap) && cut.is_none() {
            cut = Some((o.id, cap));
        }
        *budget = budget.saturating_sub(dec.len() as u64);
        let n = o
            .value
            .get("N")
            .and_then(Obj::as_int)
            .unwrap_or(0)
            .clamp(0, 100_000) as usize;
        let first = o
            .value
            .get("First")
            .and_then(Obj::as_int)
            .unwrap_or(0)
            .max(0) as usize;
        let mut lx = Lexer {
            d: &dec,
            p: 0,
            budget: 4 * n + 16,
        };
        let mut pairs = Vec::new();
        for _ in 0..n {
            let (a, b) = (lx.value(0), lx.value(0));
            match (a.as_int(), b.as_int()) {
                (Some(num), Some(off)) => pairs.push((num, off)),
                _ => break,
            }
        }
        for (num, off) in pairs {
            let (Ok(num), Ok(off)) = (u32::try_from(num), usize::try_from(off)) else {
                continue;
            };
            let mut lx = Lexer {
                d: &dec,
                p: first.saturating_add(off).min(dec.len()),
                budget: 1_000_000,
            };
            found.push(PdfObject {
                id: (num, 0),
                value: lx.value(0),
                stream: None,
            });
        }
        if stop() {
            break;
        }
    }
    for o in found {
        if doc.objects.len() >= max_objects {
            doc.truncated = true;
            break;
        }
        doc.insert(o, false);
    }
    cut
}

fn stream_limit(out: &mut Out, id: (u32, u16), cap: u64) {
    if out.findings.iter().any(|f| f.rule == "pdf.stream_limit") {
        return;
    }
    out.findings.push(
        Finding::new(
            "pdf.stream_limit",
            Severity::Medium,
            format!(
                "stream of obj {} {} decodes to more than {cap} bytes: truncated",
                id.0, id.1
            ),
        )
        .in_member(format!("obj {} {}", id.0, id.1)),
    );
}

/// Text of a string or stream value holding JavaScript (UTF-16BE when it has a BOM).
fn js_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Analyses a PDF.
pub(crate) fn analyze(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    let id = pdfid(data);
    if !id.obfuscated.is_empty() {
        out.add(
            "pdf.obfuscated_name",
            Severity::High,
            format!(
                "names written with #xx escapes: /{}",
                id.obfuscated.join(" /")
            ),
        );
    }
    let mut doc = parse(data, ctx.opts.max_pdf_objects);
    // Encrypted: decrypted with the empty password (an owner's restrictions only: most
    // encrypted PDFs) or a candidate one, then inspected as any.
    if id.count("Encrypt") > 0 || crate::pdfcrypt::is_encrypted(&doc) {
        let hidden = "strings and streams cannot be inspected";
        match crate::pdfcrypt::open(&mut doc, &ctx.passwords) {
            Ok(Some(o)) if o.by.is_none() => out.add(
                "pdf.encrypted",
                Severity::Info,
                format!(
                    "document is encrypted ({}) with no password to open (an owner's restrictions): decrypted and inspected",
                    o.scheme
                ),
            ),
            Ok(Some(o)) => out.add(
                "pdf.password_opened",
                Severity::Info,
                format!(
                    "document is encrypted ({}) with a password, opened with a candidate password: decrypted and inspected",
                    o.scheme
                ),
            ),
            Ok(None) => out.add(
                "pdf.encrypted",
                Severity::Medium,
                format!("document is encrypted (/Encrypt): {hidden}"),
            ),
            Err(e) => out.add(
                "pdf.encrypted",
                Severity::Medium,
                format!("document is encrypted (/Encrypt; {e}): {hidden}"),
            ),
        }
    }
    if doc.truncated {
        out.add(
            "file.limit",
            Severity::Low,
            format!(
                "more than {} objects: the rest is not analysed",
                ctx.opts.max_pdf_objects
            ),
        );
    }
    unpack_object_streams(&mut doc, ctx, out);

    let mut js: Vec<(String, String)> = Vec::new(); // (where, code)
    let mut launch = Vec::new();
    let mut uris = Vec::new();
    let mut xfa = false;
    let mut richmedia = false;
    let mut loops = false;
    let mut embedded: Vec<((u32, u16), String)> = Vec::new();
    let mut names_of: HashMap<(u32, u16), String> = HashMap::new();

    // Pass 1: file specifications, to name embedded files.
    for o in &doc.objects {
        if let Some(ef) = o.value.get("EF") {
            let (ef, l) = doc.resolve(ef);
            loops |= l;
            let fname = ["UF", "F"]
                .iter()
                .find_map(|k| match o.value.get(k).map(|v| doc.resolve(v).0) {
                    Some(Obj::Str(s)) => Some(js_text(s)),
                    _ => None,
                })
                .unwrap_or_default();
            for key in ["F", "UF"] {
                if let Some(Obj::Ref(n, g)) = ef.get(key) {
                    names_of.entry((*n, *g)).or_insert_with(|| fname.clone());
                }
            }
        }
    }

    // Pass 2: every object.
    for o in &doc.objects {
        if ctx.expired() {
            break;
        }
        let v = &o.value;
        let here = format!("obj {} {}", o.id.0, o.id.1);
        if let Some(code) = v.get("JS") {
            let (code, l) = doc.resolve(code);
            loops |= l;
            let text = match code {
                Obj::Str(s) => js_text(s),
                _ => code_stream(&doc, v.get("JS"), ctx, out).unwrap_or_default(),
            };
            js.push((here.clone(), text));
        }
        if v.get("S").is_some_and(|s| s.name_is("Launch")) || v.get("Launch").is_some() {
            launch.push(format!("{here}: {}", launch_target(&doc, v)));
        }
        if let Some(u) = v.get("URI")
            && let (Obj::Str(s), _) = doc.resolve(u)
            && uris.len() < 64
        {
            uris.push(String::from_utf8_lossy(s).into_owned());
        }
        xfa |= v.get("XFA").is_some();
        richmedia |= v.get("RichMedia").is_some()
            || v.get("Subtype").is_some_and(|s| s.name_is("RichMedia"));
        if v.get("Type").is_some_and(|t| t.name_is("EmbeddedFile")) && o.stream.is_some() {
            let n = names_of
                .get(&o.id)
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("embedded-{}-{}", o.id.0, o.id.1));
            embedded.push((o.id, n));
        }
    }

    // Open actions and additional actions.
    let mut on_open = Vec::new();
    for o in &doc.objects {
        let v = &o.value;
        if let Some(a) = v.get("OpenAction") {
            describe_action(
                &doc,
                a,
                &format!("/OpenAction of obj {} {}", o.id.0, o.id.1),
                &mut on_open,
                &mut loops,
            );
        }
        if let Some(aa) = v.get("AA") {
            let (aa, l) = doc.resolve(aa);
            loops |= l;
            if let Obj::Dict(items) = aa {
                for (k, a) in items.iter().take(32) {
                    describe_action(
                        &doc,
                        a,
                        &format!(
                            "/AA /{} of obj {} {}",
                            String::from_utf8_lossy(k),
                            o.id.0,
                            o.id.1
                        ),
                        &mut on_open,
                        &mut loops,
                    );
                }
            }
        }
    }

    if !js.is_empty() || id.count("JS") > 0 || id.count("JavaScript") > 0 {
        let size: usize = js.iter().map(|(_, c)| c.len()).sum();
        out.add(
            "pdf.javascript",
            Severity::High,
            format!(
                "JavaScript: {} /JS action(s) parsed ({size} chars); byte scan /JS {} /JavaScript {}",
                js.len(),
                id.count("JS"),
                id.count("JavaScript")
            ),
        );
    }
    let mut danger = Vec::new();
    let mut obfusc = Vec::new();
    for (_, code) in &js {
        for d in DANGEROUS_JS {
            if code.contains(d) && !danger.contains(d) {
                danger.push(*d);
            }
        }
        for d in ["eval(", "unescape(", "String.fromCharCode"] {
            if code.contains(d) && !obfusc.contains(&d) {
                obfusc.push(d);
            }
        }
    }
    if !danger.is_empty() {
        out.add(
            "pdf.js_exploit_api",
            Severity::Critical,
            format!(
                "JavaScript calls known-exploited API: {}",
                danger.join(", ")
            ),
        );
    }
    if !obfusc.is_empty() {
        out.add(
            "pdf.js_obfuscation",
            Severity::Medium,
            format!("JavaScript unpacks code at run time: {}", obfusc.join(", ")),
        );
    }
    let mut open_action_seen = false;
    for (what, kind) in &on_open {
        let sev = match kind.as_str() {
            "JavaScript" | "Launch" => Severity::Critical,
            "URI" | "SubmitForm" | "ImportData" | "GoToR" | "GoToE" => Severity::Medium,
            _ => continue,
        };
        open_action_seen = true;
        out.findings.push(
            Finding::new(
                "pdf.open_action",
                sev,
                format!("{what} runs a {kind} action"),
            )
            .in_member(what.clone()),
        );
    }
    if !open_action_seen
        && (id.count("OpenAction") > 0 || id.count("AA") > 0)
        && (id.count("JS") > 0 || id.count("JavaScript") > 0 || id.count("Launch") > 0)
        && (js.is_empty() && launch.is_empty())
    {
        out.add(
            "pdf.open_action",
            Severity::High,
            "byte scan: /OpenAction or /AA together with /JS or /Launch in objects that could not be parsed",
        );
    }
    if !launch.is_empty() || (id.count("Launch") > 0 && doc.objects.is_empty()) {
        out.add(
            "pdf.launch",
            Severity::Critical,
            format!(
                "/Launch action: {}",
                launch
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "byte scan".into())
            ),
        );
    }
    if xfa || id.count("XFA") > 0 {
        out.add(
            "pdf.xfa",
            Severity::Medium,
            "XFA form (scriptable XML forms)",
        );
    }
    if richmedia || id.count("RichMedia") > 0 {
        out.add(
            "pdf.richmedia",
            Severity::Medium,
            "RichMedia (embedded Flash/video)",
        );
    }
    if id.count("JBIG2Decode") > 0 {
        out.add(
            "pdf.jbig2",
            Severity::Low,
            "JBIG2Decode stream (exploited decoder)",
        );
    }
    if !uris.is_empty() {
        out.add(
            "pdf.uri",
            Severity::Info,
            format!(
                "{} URI(s): {}",
                uris.len(),
                uris.iter().take(5).cloned().collect::<Vec<_>>().join(" ")
            ),
        );
    }
    if loops {
        out.add(
            "pdf.reference_loop",
            Severity::Low,
            "indirect references form a loop (resolution stopped)",
        );
    }
    if !embedded.is_empty() || (id.count("EmbeddedFile") > 0 && doc.objects.is_empty()) {
        out.add(
            "pdf.embedded_file",
            Severity::Low,
            format!(
                "{} embedded file(s): {}",
                embedded.len(),
                embedded
                    .iter()
                    .take(5)
                    .map(|(_, n)| n.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for (oid, fname) in embedded {
        if ctx.expired() {
            break;
        }
        let Some(o) = doc.get(oid) else { continue };
        let Some(raw) = &o.stream else { continue };
        let cap = STREAM_CAP.min(ctx.budget);
        let (bytes, issue) = decode(&doc, &o.value, raw, cap);
        if issue == Some(DecodeIssue::Cap) {
            stream_limit(out, oid, cap);
        }
        ctx.take(bytes.len() as u64);
        let before = out.children.len();
        crate::child(ctx, name, &fname, &bytes, depth, out);
        if let Some(c) = out.children.get(before)
            && matches!(c.file_type.as_str(), "pe" | "elf" | "script" | "lnk")
        {
            out.findings.push(
                Finding::new(
                    "archive.executable_inside",
                    Severity::Critical,
                    format!("embedded file '{fname}' is an executable ({})", c.file_type),
                )
                .in_member(fname.clone()),
            );
        }
    }
}

fn code_stream(
    doc: &Document,
    v: Option<&Obj>,
    ctx: &mut Ctx<'_>,
    out: &mut Out,
) -> Option<String> {
    let mut cur = v?;
    for _ in 0..MAX_HOPS {
        match cur {
            Obj::Ref(n, g) => {
                let o = doc.get((*n, *g))?;
                if let Some(raw) = &o.stream {
                    let cap = STREAM_CAP.min(ctx.budget);
                    let (dec, issue) = decode(doc, &o.value, raw, cap);
                    if issue == Some(DecodeIssue::Cap) {
                        stream_limit(out, o.id, cap);
                    }
                    ctx.take(dec.len() as u64);
                    return Some(js_text(&dec));
                }
                cur = &o.value;
            }
            _ => return None,
        }
    }
    None
}

fn launch_target(doc: &Document, v: &Obj) -> String {
    let mut parts = Vec::new();
    let l = v.get("Launch").map(|x| doc.resolve(x).0).unwrap_or(v);
    for src in [
        l,
        l.get("Win").map(|w| doc.resolve(w).0).unwrap_or(&Obj::Null),
    ] {
        for k in ["F", "P"] {
            match src.get(k).map(|x| doc.resolve(x).0) {
                Some(Obj::Str(s)) => parts.push(String::from_utf8_lossy(s).into_owned()),
                Some(f @ Obj::Dict(_)) => {
                    if let Some(Obj::Str(s)) = f.get("F") {
                        parts.push(String::from_utf8_lossy(s).into_owned());
                    }
                }
                _ => {}
            }
        }
    }
    if parts.is_empty() {
        "(no target)".into()
    } else {
        parts.join(" ")
    }
}

/// Resolves an action (and its `/Next` chain) and records `(where, action type)`.
fn describe_action(
    doc: &Document,
    a: &Obj,
    what: &str,
    out: &mut Vec<(String, String)>,
    loops: &mut bool,
) {
    let mut seen: HashSet<*const Obj> = HashSet::new();
    let mut todo = vec![a];
    let mut steps = 0;
    while let Some(a) = todo.pop() {
        steps += 1;
        if steps > MAX_HOPS {
            *loops = true;
            break;
        }
        let (d, l) = doc.resolve(a);
        *loops |= l;
        if !seen.insert(d as *const Obj) {
            *loops = true;
            continue;
        }
        // A destination array (`[3 0 R /Fit]`) is a benign page jump: only dictionaries matter.
        if let Obj::Dict(_) = d {
            {
                if let Some(Obj::Name(s)) = d.get("S") {
                    out.push((what.to_string(), String::from_utf8_lossy(s).into_owned()));
                } else if d.get("JS").is_some() {
                    out.push((what.to_string(), "JavaScript".into()));
                }
                match d.get("Next") {
                    Some(Obj::Arr(items)) => todo.extend(items.iter().take(MAX_HOPS)),
                    Some(n) => todo.push(n),
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfid_decodes_hex_names() {
        let id = pdfid(b"%PDF-1.4\n1 0 obj << /J#61vaScript (x) /JS (y) /OpenAction 2 0 R >>");
        assert_eq!(id.count("JavaScript"), 1);
        assert_eq!(id.count("JS"), 1);
        assert_eq!(id.count("OpenAction"), 1);
        assert_eq!(id.obfuscated, ["J#61vaScript"]);
    }

    #[test]
    fn filters_decode() {
        assert_eq!(ascii_hex(b"48 65 6c6c6f>"), b"Hello");
        assert_eq!(ascii85(b"<~87cURD]i,\"Ebo80~>"), b"Hello World!");
        assert_eq!(decode_name(b"J#61vaScript"), b"JavaScript");
    }

    #[test]
    fn lzw_decodes_pdf_style_codes() {
        let plain = b"app.alert(1); app.alert(1); app.alert(1);".repeat(20);
        let enc = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(&plain)
            .unwrap();
        assert_eq!(lzw(&enc, 1 << 20).unwrap(), plain);
        assert!(matches!(lzw(&enc, 10), Err((_, DecodeIssue::Cap))));
    }

    #[test]
    fn parses_values_and_refs() {
        let d = parse(
            b"%PDF-1.4\n1 0 obj\n<< /A [1 2 0 R (a\\)b) <4142>] /B << /C true >> >>\nendobj\n",
            10,
        );
        let o = d.get((1, 0)).unwrap();
        assert_eq!(
            o.value.get("A"),
            Some(&Obj::Arr(vec![
                Obj::Num(1.0),
                Obj::Ref(2, 0),
                Obj::Str(b"a)b".to_vec()),
                Obj::Str(b"AB".to_vec())
            ]))
        );
        assert_eq!(
            o.value.get("B").and_then(|b| b.get("C")),
            Some(&Obj::Bool(true))
        );
    }

    #[test]
    fn reference_loops_end() {
        let d = parse(b"1 0 obj 2 0 R endobj 2 0 obj 1 0 R endobj", 10);
        let r = Obj::Ref(1, 0);
        let (_, looped) = d.resolve(&r);
        assert!(looped);
    }
}

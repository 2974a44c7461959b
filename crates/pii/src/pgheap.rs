//! PostgreSQL table files (a heap relation: `base/<database>/<relfilenode>`, its segments
//! `<relfilenode>.1`, `.2`…), read page by page and row by row without PostgreSQL and without
//! its catalog: what an investigator has when a database server's data directory, or a
//! `pg_basebackup` of it, is all that is left.
//!
//! Why by hand: no crate reads PostgreSQL's on-disk pages (pg_filedump, in C, needs the column
//! types given to it). A page is 8 KiB: a 24-byte header, an array of line pointers, and the
//! rows (tuples) from the end. A tuple is a 23-byte header (with its column count and a null
//! bitmap) and its columns one after another, each aligned as its type wants: text, varchar,
//! char(n), numeric, jsonb and bytea as a *varlena* (a 1-byte length header for values up to
//! 126 bytes, else a 4-byte one aligned to 4), integers, dates, timestamps and booleans as
//! fixed-width values. The types are not in the file: the database's catalog beside it gives
//! them ([`crate::pgcatalog`], [`Schema`]: named columns, dates, values out of line); without
//! it they are inferred from the rows themselves ([`infer`]), as the one list of column
//! kinds under which every row of a page parses to exactly its length, the padding between
//! columns being zeros. The text columns are then cells of a table without a header, classified by their values like any other
//! ([`crate::table`]); the other columns are left empty (a `date` is a number of days, which
//! could as well be a quantity).
//!
//! Rows deleted (or replaced by an update) stay in their page until the table is vacuumed:
//! a tuple whose `xmax` is set is counted apart, as a SQLite database's deleted rows are.
//! Values compressed with pglz (PostgreSQL's default, [`pglz`]) or lz4 are decompressed;
//! values stored out of line (TOAST) are read from the TOAST table's file when the catalog
//! names it, and counted unread otherwise.

use std::io::{self, Read};

use kizuki_core::Category;

use crate::table::Table;
use crate::tally::{CatSet, Tally};

/// The page size of a default build of PostgreSQL.
pub const PAGE: usize = 8192;
/// Header of a page.
const PAGE_HEADER: usize = 24;
/// Header of a tuple, before its null bitmap.
const TUPLE_HEADER: usize = 23;
/// `pd_pagesize_version` of an 8 KiB page of layout version 4 (PostgreSQL 8.3 and later).
const SIZE_VERSION: u16 = 0x2004;
/// Places [`infer`] keeps per column.
const PLACES: usize = 64;
/// Values [`infer`] may read for one file, all pages and rows together: past them, rows that
/// do not fit the kinds found are not read (a file of pages built to fail the search ends in
/// about a second).
const FILE_STEPS: usize = 5_000_000;
/// Columns of a tuple (PostgreSQL's `MaxHeapAttributeNumber`).
pub(crate) const MAX_ATTS: usize = 1600;

/// `t_infomask` bits.
const HASNULL: u16 = 0x0001;
const XMAX_LOCK_ONLY: u16 = 0x0080;
const XMAX_INVALID: u16 = 0x0800;

/// Relation file numbers below this are given by `initdb` to the system catalog and the
/// `information_schema` (PostgreSQL's `FirstNormalObjectId`): a table a user made has a
/// higher one.
const FIRST_NORMAL: u64 = 16384;

/// Is `path` a file of the system catalog in a data directory (`base/5/1259`,
/// `global/1262`, `base/5/13391.1`; in an archive too: `base.tar!base/5/1259`)? They hold
/// the database's own description, no person's data, and are not read.
pub fn is_catalog(path: &str) -> bool {
    let mut parts = path.rsplit(['/', '\\', '!']);
    let file = parts.next().unwrap_or("");
    // Its segments after the first: `1259.1`, `1259.2`…
    let (number, segment) = file.split_once('.').unwrap_or((file, "0"));
    let (Ok(n), Ok(_)) = (number.parse::<u64>(), segment.parse::<u32>()) else {
        return false;
    };
    let dir = parts.next().unwrap_or("");
    let in_base = dir.parse::<u64>().is_ok() && parts.next() == Some("base");
    n < FIRST_NORMAL && (in_base || dir == "global")
}

/// Is this a segment of PostgreSQL's write-ahead log (`pg_wal/000000010000000000000001`)?
/// Its first page's long header: the magic of a version (`0xD0xx`-`0xD1xx`), the long-header
/// flag, the segment size (a power of two, 1 MiB to 1 GiB) and the page size.
pub fn is_wal_segment(head: &[u8]) -> bool {
    let magic = u16_at(head, 0);
    let seg = u32_at(head, 32);
    head.len() >= 40
        && matches!(magic >> 8, 0xD0 | 0xD1)
        && u16_at(head, 2) & 0x0002 != 0
        && seg.is_power_of_two()
        && (1 << 20..=1 << 30).contains(&seg)
        && matches!(u32_at(head, 36), 1024..=32768)
        && u32_at(head, 36).is_power_of_two()
}

/// Is this the first page of a PostgreSQL table file? (Its first pages are checked as far as
/// `head` holds them: an index, a free space map or a visibility map has other pages.)
pub fn is_heap(head: &[u8]) -> bool {
    let mut pages = head.chunks_exact(PAGE).take(8);
    let Some(first) = pages.next() else {
        return false;
    };
    heap_page(first) && pages.all(|p| heap_page(p) || p.iter().all(|b| *b == 0))
}

pub(crate) fn u16_at(b: &[u8], i: usize) -> u16 {
    b.get(i..i + 2)
        .map_or(0, |x| u16::from_le_bytes([x[0], x[1]]))
}

pub(crate) fn u32_at(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

/// Does `s` (a page's first bytes, a sector at least) start with a heap page's header
/// ([`heap_page`] needs only the header)?
pub(crate) fn page_header(s: &[u8]) -> bool {
    s.len() >= PAGE_HEADER && heap_page_header(s)
}

/// A heap page's header: its size and version, line pointers between the header and the free
/// space, no special space (an index page has one), no flag bits PostgreSQL does not set,
/// and at least one line pointer.
pub(crate) fn heap_page(p: &[u8]) -> bool {
    p.len() == PAGE && heap_page_header(p)
}

/// [`heap_page`]'s checks of the header alone.
fn heap_page_header(p: &[u8]) -> bool {
    let (lower, upper, special) = (
        usize::from(u16_at(p, 12)),
        usize::from(u16_at(p, 14)),
        usize::from(u16_at(p, 16)),
    );
    u16_at(p, 18) == SIZE_VERSION
        && u16_at(p, 10) & !0x7 == 0
        && special == PAGE
        && lower > PAGE_HEADER
        && lower <= upper
        && upper <= special
        && (lower - PAGE_HEADER).is_multiple_of(4)
}

/// One tuple of a page.
pub(crate) struct Tuple<'a> {
    /// The tuple, header included (alignment is counted from its start).
    pub t: &'a [u8],
    /// Where its columns start.
    pub hoff: usize,
    natts: usize,
    /// Its null bitmap (bit set: the column has a value), when it has nulls.
    nulls: Option<&'a [u8]>,
    /// Deleted, or the old version of an updated row.
    pub dead: bool,
}

impl Tuple<'_> {
    fn is_null(&self, att: usize) -> bool {
        if att >= self.natts {
            // Columns added after the row was written: null.
            return true;
        }
        self.nulls
            .is_some_and(|n| n.get(att / 8).is_none_or(|b| b & (1 << (att % 8)) == 0))
    }
}

/// The tuples of a heap page (line pointers that are normal and lie in the page).
pub(crate) fn tuples(p: &[u8]) -> Vec<Tuple<'_>> {
    let lower = usize::from(u16_at(p, 12));
    let mut out = Vec::new();
    for k in 0..(lower.saturating_sub(PAGE_HEADER) / 4) {
        let lp = u32_at(p, PAGE_HEADER + 4 * k);
        let (off, flags, len) = ((lp & 0x7FFF) as usize, (lp >> 15) & 3, (lp >> 17) as usize);
        // 1: LP_NORMAL (0 unused, 2 redirect, 3 dead without storage).
        if flags != 1 || len < TUPLE_HEADER || off < lower {
            continue;
        }
        let Some(t) = p.get(off..off + len) else {
            continue;
        };
        let (infomask2, infomask, hoff) = (u16_at(t, 18), u16_at(t, 20), usize::from(t[22]));
        let natts = usize::from(infomask2 & 0x07FF);
        let bitmap = if infomask & HASNULL != 0 {
            natts.div_ceil(8)
        } else {
            0
        };
        if natts > MAX_ATTS || hoff < TUPLE_HEADER + bitmap || !hoff.is_multiple_of(8) || hoff > len
        {
            continue;
        }
        let xmax = u32_at(t, 4);
        out.push(Tuple {
            t,
            hoff,
            natts,
            nulls: (bitmap > 0).then(|| &t[TUPLE_HEADER..TUPLE_HEADER + bitmap]),
            dead: xmax != 0 && infomask & (XMAX_INVALID | XMAX_LOCK_ONLY) == 0,
        });
    }
    out
}

/// How a column is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Variable length (text, varchar, char(n), numeric, jsonb, bytea…).
    Var,
    /// Variable length, a 4-byte header aligned to 8 (arrays of 8-byte values).
    Var8,
    /// Fixed width: size and alignment.
    Fixed(u8, u8),
    /// Fixed width as the catalog gives it (size and alignment): any bytes, where
    /// [`Kind::Fixed`] checks what the search for kinds guesses (a boolean's 0 or 1).
    Bytes(u16, u8),
}

/// The kinds tried, most common first: text, then integer, date and float (4), bigint and
/// timestamp (8), smallint (2), boolean (1: 0 or 1), uuid (16), interval (16, aligned 8),
/// `name` (64: the catalog's names of things, as in `information_schema`), arrays of 8-byte
/// values.
const KINDS: [Kind; 9] = [
    Kind::Var,
    Kind::Fixed(4, 4),
    Kind::Fixed(8, 8),
    Kind::Fixed(2, 2),
    Kind::Fixed(1, 1),
    Kind::Fixed(16, 1),
    Kind::Fixed(16, 8),
    Kind::Fixed(64, 1),
    Kind::Var8,
];

/// A value as stored: where its bytes are, or that they are compressed or out of line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    Plain(usize, usize),
    /// Compressed in line: the bytes after the 4-byte header (the raw size and method, then
    /// the compressed data).
    Compressed(usize, usize),
    /// A fixed-width value's bytes.
    Fixed(usize, usize),
    /// Out of line: where the 16-byte TOAST pointer is.
    Toast(usize),
}

/// Zeros from `from` up to `to` (the padding before an aligned value)?
fn zeros(t: &[u8], from: usize, to: usize) -> bool {
    t.get(from..to).is_some_and(|z| z.iter().all(|b| *b == 0))
}

/// Reads a value of kind `k` at `o` of tuple `t`: its end and what it holds, or `None` when
/// the bytes there cannot be one.
pub(crate) fn step(t: &[u8], o: usize, k: Kind) -> Option<(usize, Option<Stored>)> {
    match k {
        Kind::Bytes(n, a) => {
            let s = o.next_multiple_of(usize::from(a));
            let e = s + usize::from(n);
            (e <= t.len() && zeros(t, o, s)).then_some((e, Some(Stored::Fixed(s, e))))
        }
        Kind::Fixed(n, a) => {
            let s = o.next_multiple_of(usize::from(a));
            let e = s + usize::from(n);
            let v = t.get(s..e)?;
            // A boolean is 0 or 1; a `name` ends in zeros after its characters.
            let fits = match n {
                1 => v[0] <= 1,
                64 => v
                    .iter()
                    .position(|b| *b == 0)
                    .is_some_and(|z| zeros(v, z, 64)),
                _ => true,
            };
            (fits && zeros(t, o, s)).then_some((e, Some(Stored::Fixed(s, e))))
        }
        Kind::Var | Kind::Var8 => {
            let align = if k == Kind::Var8 { 8 } else { 4 };
            let first = *t.get(o)?;
            if first == 0 || o.is_multiple_of(align) && first & 1 == 0 {
                // A 4-byte header, aligned (the bytes skipped are padding).
                let s = o.next_multiple_of(align);
                if !zeros(t, o, s) {
                    return None;
                }
                let h = u32_at(t, s);
                let len = (h >> 2) as usize;
                let e = s.checked_add(len)?;
                if len < 4 || e > t.len() {
                    return None;
                }
                // Low bits 00: plain; 10: compressed in line.
                return match h & 3 {
                    0 => Some((e, Some(Stored::Plain(s + 4, e)))),
                    2 => Some((e, Some(Stored::Compressed(s + 4, e)))),
                    _ => None,
                };
            }
            if first == 1 {
                // Out of line (TOAST): a tag, then a pointer of 16 bytes on disk.
                return (t.get(o + 1) == Some(&18) && o + 18 <= t.len())
                    .then_some((o + 18, Some(Stored::Toast(o + 2))));
            }
            if first & 1 == 0 {
                return None;
            }
            let e = o + usize::from(first >> 1);
            (e <= t.len()).then_some((e, Some(Stored::Plain(o + 1, e))))
        }
    }
}

/// The kinds of the first `natts` columns under which every tuple of `rows` parses to its
/// exact end, if any is found within the file's `budget` (values read). Columns null in every
/// row are taken as text (any kind fits them).
///
/// A beam search, column by column: every kind is tried from every place the columns before
/// may have left the rows at, and lists of kinds that leave every row at the same places are
/// one (the first, in the order of [`KINDS`]). The [`PLACES`] places kept per column are
/// those whose lists read the most values as text: read from the right places, every value
/// of a text column is text; read from the wrong ones, few are (a list of wrong kinds, each
/// taking any bytes, would otherwise crowd out the right one).
fn infer(rows: &[&Tuple<'_>], natts: usize, budget: &mut usize) -> Option<Vec<Kind>> {
    struct State {
        at: Vec<usize>,
        kinds: Vec<Kind>,
        texts: usize,
    }
    let per = rows.len().max(1);
    let mut states = vec![State {
        at: rows.iter().map(|r| r.hoff).collect(),
        kinds: Vec::new(),
        texts: 0,
    }];
    for att in 0..natts {
        let all_null = rows.iter().all(|r| r.is_null(att));
        let tried: &[Kind] = if all_null { &[Kind::Var] } else { &KINDS };
        let mut next: Vec<State> = Vec::new();
        let mut seen: std::collections::HashMap<Vec<usize>, usize> =
            std::collections::HashMap::new();
        for st in &states {
            for &k in tried {
                *budget = budget.checked_sub(per)?;
                let mut texts = st.texts;
                let moved: Option<Vec<usize>> = rows
                    .iter()
                    .zip(&st.at)
                    .map(|(r, o)| {
                        if r.is_null(att) {
                            return Some(*o);
                        }
                        let (e, v) = step(r.t, *o, k)?;
                        if let Some(Stored::Plain(a, b)) = v
                            && r.t.get(a..b).is_some_and(looks_like_text)
                        {
                            texts += 1;
                        }
                        Some(e)
                    })
                    .collect();
                let Some(m) = moved else { continue };
                match seen.get(&m) {
                    Some(&i) => {
                        if next[i].texts < texts {
                            next[i].texts = texts;
                            next[i].kinds = st.kinds.clone();
                            next[i].kinds.push(k);
                        }
                    }
                    None => {
                        seen.insert(m.clone(), next.len());
                        let mut kinds = st.kinds.clone();
                        kinds.push(k);
                        next.push(State {
                            at: m,
                            kinds,
                            texts,
                        });
                    }
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        // Stable: among equals, the order of the kinds.
        next.sort_by_key(|s| std::cmp::Reverse(s.texts));
        next.truncate(PLACES);
        states = next;
    }
    states
        .into_iter()
        .find(|s| rows.iter().zip(&s.at).all(|(r, o)| *o == r.t.len()))
        .map(|s| s.kinds)
}

/// Bytes that read as a text value: not empty, no control bytes but tab and line ends, UTF-8
/// or bytes above ASCII (EUC-JP).
fn looks_like_text(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|b| *b >= 0x20 && *b != 0x7F || matches!(b, b'\t' | b'\n' | b'\r'))
}

/// The values of a tuple's text columns under `kinds` (other columns empty), or `None` when
/// it does not parse to its end under them.
fn cells(r: &Tuple<'_>, kinds: &[Kind]) -> Option<Vec<Option<Stored>>> {
    if r.natts > kinds.len() {
        return None;
    }
    let mut o = r.hoff;
    let mut out = Vec::with_capacity(kinds.len());
    for (att, k) in kinds.iter().enumerate() {
        if r.is_null(att) {
            out.push(None);
            continue;
        }
        let (e, v) = step(r.t, o, *k)?;
        out.push(v);
        o = e;
    }
    (o == r.t.len()).then_some(out)
}

/// What a table file held: its live rows and its dead ones.
pub(crate) struct Heap {
    pub encoding: &'static str,
    /// The table's name, when the catalog named its columns (`table.column`).
    pub table: Option<String>,
    pub live: Part,
    pub dead: Part,
    /// Rows no list of column kinds explained (skipped).
    pub unread: u64,
    /// Values stored out of line (TOAST) not read: no TOAST table at hand, or its value
    /// missing or compressed with lz4.
    pub out_of_line: u64,
    /// Rows read, live and dead.
    rows: u64,
    /// Values the search for column kinds read (at most [`FILE_STEPS`]).
    searched: usize,
}

/// Rows of one kind (live or dead) and what they hold.
pub(crate) struct Part {
    pub tally: Tally,
    pub table: Table,
}

impl Heap {
    /// Were any rows read (live or dead)?
    pub fn has_rows(&self) -> bool {
        self.rows > 0
    }
}

impl Part {
    pub(crate) fn new(cats: CatSet) -> Self {
        Part {
            tally: Tally::new(cats),
            table: Table::headless(),
        }
    }

    /// Its data rows and classified columns (`#N`: the column's number in the table).
    pub fn finish(&mut self) -> (u64, Vec<(String, Category)>) {
        let cols = self.table.finish(&mut self.tally);
        (self.table.records, cols)
    }
}

/// The largest value decompressed (PostgreSQL's own limit is 1 GB).
pub(crate) const MAX_VALUE: usize = 4 << 20;

/// A value compressed in line (`c`: its raw size and method in 4 bytes, then the data), when
/// it is PostgreSQL's pglz (the default; lz4 is not read) and decompresses to the size it
/// gives, at most [`MAX_VALUE`].
///
/// By hand: no crate decodes pglz, and the format is a page of code (`pg_lzcompress.c`): a
/// control byte for eight items, each a literal byte or a back-reference of 3 to 273 bytes
/// at most 4095 back.
/// A value compressed (`c`: its raw size and method in 4 bytes, then the data) with pglz
/// ([`pglz`]) or lz4 (PostgreSQL 14's `default_toast_compression = lz4`, a raw block),
/// when it decompresses to the size it gives, at most [`MAX_VALUE`].
pub(crate) fn decompress(c: &[u8]) -> Option<Vec<u8>> {
    let info = u32_at(c, 0);
    let raw = (info & 0x3FFF_FFFF) as usize;
    match info >> 30 {
        1 if raw <= MAX_VALUE => lz4_flex::block::decompress(c.get(4..)?, raw)
            .ok()
            .filter(|v| v.len() == raw),
        _ => pglz(c),
    }
}

pub(crate) fn pglz(c: &[u8]) -> Option<Vec<u8>> {
    let info = u32_at(c, 0);
    let (raw, method) = ((info & 0x3FFF_FFFF) as usize, info >> 30);
    if method != 0 || raw > MAX_VALUE || c.len() < 4 {
        return None;
    }
    let src = &c[4..];
    let mut out = Vec::with_capacity(raw);
    let mut i = 0;
    while i < src.len() && out.len() < raw {
        let mut ctrl = src[i];
        i += 1;
        for _ in 0..8 {
            if i >= src.len() || out.len() >= raw {
                break;
            }
            if ctrl & 1 == 1 {
                let (a, b) = (*src.get(i)?, *src.get(i + 1)?);
                i += 2;
                let mut len = usize::from(a & 0x0F) + 3;
                let off = (usize::from(a & 0xF0) << 4) | usize::from(b);
                if len == 18 {
                    len += usize::from(*src.get(i)?);
                    i += 1;
                }
                if off == 0 || off > out.len() {
                    return None;
                }
                for _ in 0..len.min(raw - out.len()) {
                    out.push(out[out.len() - off]);
                }
            } else {
                out.push(src[i]);
                i += 1;
            }
            ctrl >>= 1;
        }
    }
    (out.len() == raw).then_some(out)
}

/// A text column's value: UTF-8, unless the first value that is not UTF-8 is EUC-JP (the two
/// server encodings of Japanese databases; `euc` keeps what that first value showed). Bytes
/// that are no text (a bytea, a number in binary) make no cell.
fn text<'a>(v: &'a [u8], euc: &mut Option<bool>) -> std::borrow::Cow<'a, str> {
    // Control bytes other than tab and line ends: no text (one pass without branches).
    let control = v.iter().fold(0u8, |acc, &b| {
        acc | u8::from(b < 0x20) & u8::from(b != b'\t' && b != b'\n' && b != b'\r')
    });
    if control != 0 {
        return std::borrow::Cow::Borrowed("");
    }
    match simdutf8::basic::from_utf8(v) {
        Ok(s) if *euc != Some(true) || s.is_ascii() => std::borrow::Cow::Borrowed(s),
        _ => {
            let is_euc = *euc.get_or_insert_with(|| {
                encoding_rs::EUC_JP
                    .decode_without_bom_handling_and_without_replacement(v)
                    .is_some()
            });
            is_euc
                .then(|| encoding_rs::EUC_JP.decode_without_bom_handling_and_without_replacement(v))
                .flatten()
                .unwrap_or_default()
        }
    }
}

/// How a column's value becomes a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Show {
    /// A varlena read as text (bytes that are no text make an empty cell).
    Text,
    /// A `name`: text padded with zeros to 64 bytes.
    Name,
    /// A `smallint`, `integer` or `bigint`, in decimal.
    Int,
    /// A `date` (days from 2000-01-01), as `YYYY-MM-DD`.
    Date,
    /// A `timestamp` or `timestamptz` (microseconds from 2000-01-01), as `YYYY-MM-DD`
    /// at midnight, else `YYYY-MM-DD HH:MM:SS`.
    Timestamp,
    /// Nothing a person's data is kept as (a boolean, a number in binary, an oid…).
    Nothing,
}

/// What the database's catalog says of the table a file holds ([`crate::pgcatalog`]).
pub(crate) struct Schema<'a> {
    /// The table's name (columns are reported as `table.column`).
    pub table: &'a str,
    /// Every column in its place, dropped ones too (their bytes stay in the rows written
    /// before): its name, how it is stored and shown.
    pub columns: Vec<(&'a str, Kind, Show)>,
    /// Its TOAST table's values, when it has one.
    pub toast: Option<&'a crate::pgcatalog::Toast>,
}

impl Schema<'_> {
    fn kinds(&self) -> Vec<Kind> {
        self.columns.iter().map(|(_, k, _)| *k).collect()
    }

    fn table(&self) -> Table {
        Table::with_columns(self.columns.iter().map(|(n, _, _)| n.to_string()).collect())
    }
}

/// The civil date of a number of days from 2000-01-01 (PostgreSQL's epoch), years 1 to
/// 9999 only (`infinity` and the like are no dates here).
pub(crate) fn civil(days: i64) -> Option<(i64, u32, u32)> {
    // Howard Hinnant's `civil_from_days`, from 1970-01-01.
    let z = days + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (1..=9999).contains(&y).then_some((y, m, d))
}

/// A fixed-width value shown as `show` wants (empty when it cannot be).
pub(crate) fn show_fixed(v: &[u8], show: Show) -> String {
    let int = || -> Option<i64> {
        Some(match v.len() {
            2 => i64::from(i16::from_le_bytes(v.try_into().ok()?)),
            4 => i64::from(i32::from_le_bytes(v.try_into().ok()?)),
            8 => i64::from_le_bytes(v.try_into().ok()?),
            _ => return None,
        })
    };
    let out = match show {
        Show::Int => int().map(|n| n.to_string()),
        Show::Date if v.len() == 4 => int()
            .and_then(civil)
            .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        Show::Timestamp if v.len() == 8 => int().and_then(|us| {
            let secs = us.div_euclid(1_000_000);
            let (y, m, d) = civil(secs.div_euclid(86_400))?;
            let s = secs.rem_euclid(86_400);
            Some(if s == 0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!(
                    "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                    s / 3600,
                    s / 60 % 60,
                    s % 60
                )
            })
        }),
        Show::Name => {
            let end = v.iter().position(|b| *b == 0).unwrap_or(v.len());
            std::str::from_utf8(&v[..end]).ok().map(str::to_string)
        }
        _ => None,
    };
    out.unwrap_or_default()
}

/// Reads a table file from `r` to its end, page by page: memory stays one page and the rows
/// of one page, whatever the table's size. With the catalog's `schema`, columns are named
/// and typed by it (dates, numbers and values out of line are read too); without, or when
/// not one row of the first page fits it (another table's), their kinds are inferred.
pub(crate) fn read(
    r: &mut dyn Read,
    cats: CatSet,
    mut schema: Option<Schema<'_>>,
) -> io::Result<Heap> {
    let mut heap = Heap {
        encoding: "UTF-8",
        live: Part::new(cats),
        dead: Part::new(cats),
        unread: 0,
        out_of_line: 0,
        rows: 0,
        searched: 0,
        table: None,
    };
    if let Some(s) = &schema {
        heap.live.table = s.table();
        heap.dead.table = s.table();
        heap.table = Some(s.table.to_string());
    }
    let mut page = vec![0u8; PAGE];
    let mut kinds: Option<Vec<Kind>> = schema.as_ref().map(Schema::kinds);
    let mut euc: Option<bool> = None;
    let mut budget = FILE_STEPS;
    loop {
        let n = kizuki_core::io::read_full(r, &mut page)?;
        if n < PAGE {
            heap.searched = FILE_STEPS - budget;
            return Ok(heap);
        }
        if !heap_page(&page) {
            // A page never written (zeros) or not a heap page: nothing to read.
            continue;
        }
        let rows = tuples(&page);
        let natts = rows.iter().map(|t| t.natts).max().unwrap_or(0);
        if natts == 0 {
            continue;
        }
        // The kinds found so far, unless some row of this page does not fit them.
        let parse = |k: &[Kind]| -> Vec<Option<Vec<Option<Stored>>>> {
            rows.iter().map(|t| cells(t, k)).collect()
        };
        let mut parsed = kinds.as_deref().map(parse);
        if schema.is_some()
            && heap.rows == 0
            && heap.unread == 0
            && parsed
                .as_ref()
                .is_some_and(|p| p.iter().all(Option::is_none))
        {
            // The catalog describes another table than the file holds (a file copied
            // beside another database's catalog): as if there were none.
            schema = None;
            heap.table = None;
            heap.live = Part::new(cats);
            heap.dead = Part::new(cats);
            parsed = None;
            kinds = None;
        }
        if schema.is_none()
            && parsed
                .as_ref()
                .is_none_or(|p| p.iter().any(Option::is_none))
            && budget > 0
        {
            let all: Vec<&Tuple<'_>> = rows.iter().collect();
            // Rows of another layout (columns added), or damaged: when no kinds fit them all,
            // those that fit the kinds found before are read.
            if let Some(k) = infer(&all, natts, &mut budget) {
                parsed = Some(parse(&k));
                kinds = Some(k);
            }
        }
        let Some(parsed) = parsed else {
            heap.unread += rows.len() as u64;
            continue;
        };
        for (t, stored) in rows.iter().zip(parsed) {
            let Some(stored) = stored else {
                heap.unread += 1;
                continue;
            };
            let part = if t.dead {
                &mut heap.dead
            } else {
                &mut heap.live
            };
            let out_of_line = &mut heap.out_of_line;
            let mut value = |s: &Option<Stored>, show: Show| -> std::borrow::Cow<'_, str> {
                let bytes = |a: usize, b: usize| t.t.get(a..b).unwrap_or(&[]);
                let owned = |v: &[u8], euc: &mut Option<bool>| {
                    std::borrow::Cow::Owned(text(v, euc).into_owned())
                };
                match (*s, show) {
                    (Some(Stored::Plain(a, b)), Show::Text) => text(bytes(a, b), &mut euc),
                    (Some(Stored::Compressed(a, b)), Show::Text) => decompress(bytes(a, b))
                        .map(|v| owned(&v, &mut euc))
                        .unwrap_or_default(),
                    (Some(Stored::Toast(a)), Show::Text) => {
                        match schema
                            .as_ref()
                            .and_then(|s| s.toast)
                            .and_then(|toast| toast.value(bytes(a, a + 16)))
                        {
                            Some(v) => owned(&v, &mut euc),
                            None => {
                                *out_of_line += 1;
                                std::borrow::Cow::Borrowed("")
                            }
                        }
                    }
                    (Some(Stored::Fixed(a, b)), show) => {
                        std::borrow::Cow::Owned(show_fixed(bytes(a, b), show))
                    }
                    _ => std::borrow::Cow::Borrowed(""),
                }
            };
            // Without the catalog, fixed-width values are no cells: a `date` is a number of
            // days, which could as well be a quantity. Columns the table no longer counts
            // (classified as none) are not decoded.
            let shows = stored.iter().enumerate().map(|(i, s)| {
                let show = schema.as_ref().map_or(Show::Text, |sc| {
                    sc.columns.get(i).map_or(Show::Nothing, |c| c.2)
                });
                (i, s, show)
            });
            let toast_at_hand = schema.as_ref().is_some_and(|s| s.toast.is_some());
            let mut unread_toast = 0;
            let row: Vec<std::borrow::Cow<'_, str>> = shows
                .map(|(i, s, show)| {
                    if part.table.reads_column(i) {
                        value(s, show)
                    } else {
                        // A column classified without its values out of line (none could be
                        // read): still said to be unread.
                        if matches!(s, Some(Stored::Toast(_))) && !toast_at_hand {
                            unread_toast += 1;
                        }
                        std::borrow::Cow::Borrowed("")
                    }
                })
                .collect();
            heap.out_of_line += unread_toast;
            part.table.push(&row, &mut part.tally);
            heap.rows += 1;
        }
        if euc == Some(true) {
            heap.encoding = "EUC-JP";
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A column of a synthetic tuple: its kind and value (`None`: null).
    pub(crate) type Col = (Kind, Option<Vec<u8>>);

    /// A tuple as PostgreSQL writes it (`heap_fill_tuple`): header, null bitmap, columns
    /// aligned with zero padding, short varlenas with a 1-byte header.
    pub(crate) fn tuple(cols: &[Col], xmax: u32) -> Vec<u8> {
        let natts = cols.len();
        let has_null = cols.iter().any(|c| c.1.is_none());
        let bitmap = if has_null { natts.div_ceil(8) } else { 0 };
        let hoff = (TUPLE_HEADER + bitmap).next_multiple_of(8);
        let mut t = vec![0u8; hoff];
        t[4..8].copy_from_slice(&xmax.to_le_bytes());
        t[18..20].copy_from_slice(&(natts as u16).to_le_bytes());
        let mask = u16::from(has_null) | if xmax == 0 { XMAX_INVALID } else { 0 };
        t[20..22].copy_from_slice(&mask.to_le_bytes());
        t[22] = hoff as u8;
        for (i, (k, v)) in cols.iter().enumerate() {
            let Some(v) = v else { continue };
            if has_null {
                t[TUPLE_HEADER + i / 8] |= 1 << (i % 8);
            }
            match k {
                Kind::Fixed(n, a) => {
                    t.resize(t.len().next_multiple_of(usize::from(*a)), 0);
                    assert_eq!(v.len(), usize::from(*n));
                    t.extend_from_slice(v);
                }
                Kind::Bytes(n, a) => {
                    t.resize(t.len().next_multiple_of(usize::from(*a)), 0);
                    assert_eq!(v.len(), usize::from(*n));
                    t.extend_from_slice(v);
                }
                Kind::Var if v.len() < 127 => {
                    t.push(((v.len() as u8 + 1) << 1) | 1);
                    t.extend_from_slice(v);
                }
                Kind::Var | Kind::Var8 => {
                    let align = if *k == Kind::Var8 { 8 } else { 4 };
                    t.resize(t.len().next_multiple_of(align), 0);
                    t.extend_from_slice(&(((v.len() + 4) as u32) << 2).to_le_bytes());
                    t.extend_from_slice(v);
                }
            }
        }
        t
    }

    /// A heap page of these tuples.
    pub(crate) fn page(tuples: &[Vec<u8>]) -> Vec<u8> {
        let mut p = vec![0u8; PAGE];
        let mut upper = PAGE;
        for (k, t) in tuples.iter().enumerate() {
            upper = (upper - t.len()) / 8 * 8;
            p[upper..upper + t.len()].copy_from_slice(t);
            let lp = upper as u32 | 1 << 15 | (t.len() as u32) << 17;
            p[PAGE_HEADER + 4 * k..PAGE_HEADER + 4 * k + 4].copy_from_slice(&lp.to_le_bytes());
        }
        let lower = PAGE_HEADER + 4 * tuples.len();
        p[12..14].copy_from_slice(&(lower as u16).to_le_bytes());
        p[14..16].copy_from_slice(&(upper as u16).to_le_bytes());
        p[16..18].copy_from_slice(&(PAGE as u16).to_le_bytes());
        p[18..20].copy_from_slice(&SIZE_VERSION.to_le_bytes());
        p
    }

    fn customer(i: u32, dead: bool) -> Vec<u8> {
        let t = |s: String| Some(s.into_bytes());
        let long = "東京都千代田区千代田1番1号 ".repeat(if i.is_multiple_of(5) { 6 } else { 1 });
        tuple(
            &[
                (Kind::Fixed(4, 4), Some(i.to_le_bytes().to_vec())),
                (Kind::Var, t(format!("山田 太郎{i}"))),
                (Kind::Fixed(1, 1), Some(vec![u8::from(i.is_multiple_of(2))])),
                (Kind::Fixed(8, 8), Some(u64::from(i).to_le_bytes().to_vec())),
                (
                    Kind::Var,
                    if i.is_multiple_of(3) {
                        None
                    } else {
                        t(format!("taro{i}@example.jp"))
                    },
                ),
                (Kind::Fixed(2, 2), Some((i as u16).to_le_bytes().to_vec())),
                (Kind::Var, t(long)),
                (Kind::Var, t(format!("090-1234-{:04}", i % 10_000))),
            ],
            if dead { 777 } else { 0 },
        )
    }

    #[test]
    fn column_kinds_are_found_from_the_rows() {
        let rows: Vec<Vec<u8>> = (1..40).map(|i| customer(i, false)).collect();
        let p = page(&rows);
        assert!(heap_page(&p) && is_heap(&p));
        let ts = tuples(&p);
        assert_eq!(ts.len(), 39);
        let all: Vec<&Tuple<'_>> = ts.iter().collect();
        let kinds = infer(&all, 8, &mut FILE_STEPS.clone()).unwrap();
        // What the rows show: the 4-, 1-, 8- and 2-byte columns, the texts.
        assert_eq!(
            kinds,
            [
                Kind::Fixed(4, 4),
                Kind::Var,
                Kind::Fixed(1, 1),
                Kind::Fixed(8, 8),
                Kind::Var,
                Kind::Fixed(2, 2),
                Kind::Var,
                Kind::Var
            ]
        );
        let c = cells(&ts[5], &kinds).unwrap();
        let text = |k: usize| match c[k] {
            Some(Stored::Plain(a, b)) => String::from_utf8(ts[5].t[a..b].to_vec()).unwrap(),
            _ => String::new(),
        };
        assert_eq!((text(1), text(4)), ("山田 太郎6".into(), String::new()));
        assert_eq!(text(7), "090-1234-0006");
    }

    #[test]
    fn a_table_file_is_read_as_a_table_with_its_deleted_rows_apart() {
        let mut file = Vec::new();
        let mut id = 1;
        for _ in 0..3 {
            let rows: Vec<Vec<u8>> = (0..30)
                .map(|_| {
                    id += 1;
                    customer(id, id.is_multiple_of(10))
                })
                .collect();
            file.extend(page(&rows));
        }
        // A page never written, as at a file's end.
        file.extend(vec![0u8; PAGE]);
        let heap = read(&mut &file[..], CatSet::all(), None).unwrap();
        let (mut live, mut dead) = (heap.live, heap.dead);
        let (records, cols) = live.finish();
        assert_eq!(records, 81);
        assert_eq!(dead.finish().0, 9);
        assert_eq!(heap.unread, 0);
        let count = |c| live.tally.count(c);
        assert_eq!(count(Category::Phone), 81);
        assert_eq!(
            count(Category::Email),
            81 - (2..=91).filter(|i| i % 3 == 0 && i % 10 != 0).count() as u64
        );
        assert!(
            cols.contains(&("#8".to_string(), Category::Phone)),
            "{cols:?}"
        );
        assert!(
            cols.contains(&("#5".to_string(), Category::Email)),
            "{cols:?}"
        );
    }

    #[test]
    fn pglz_values_decompress_to_their_size_or_not_at_all() {
        let stream = |raw: u32, data: &[u8]| {
            let mut c = raw.to_le_bytes().to_vec();
            c.extend_from_slice(data);
            c
        };
        // Three literals, then 6 bytes from 3 back (overlapping).
        let ok = [8, b'a', b'b', b'c', 0x03, 3];
        assert_eq!(pglz(&stream(9, &ok)).as_deref(), Some(&b"abcabcabc"[..]));
        // A length of 18 takes a third byte: 18 + 2 = 20.
        let long = [2, b'x', 0x0F, 1, 2];
        assert_eq!(pglz(&stream(21, &long)), Some(vec![b'x'; 21]));
        // Another size than the one given; a reference before the start; lz4; too large.
        assert_eq!(pglz(&stream(10, &ok)), None);
        assert_eq!(pglz(&stream(9, &[8, b'a', b'b', b'c', 0x03, 4])), None);
        assert_eq!(pglz(&stream(9, &[1, 0x03, 0])), None);
        assert_eq!(pglz(&stream(9 | 1 << 30, &ok)), None);
        assert_eq!(pglz(&stream(64 << 20, &ok)), None);
        assert_eq!(pglz(&[1, 2]), None);
    }

    #[test]
    fn lz4_values_decompress_to_their_size_or_not_at_all() {
        let raw = "連絡先 taro@example.jp。".repeat(50).into_bytes();
        let packed = lz4_flex::block::compress(&raw);
        let value = |size: usize, method: u32| {
            let mut c = (size as u32 | method << 30).to_le_bytes().to_vec();
            c.extend_from_slice(&packed);
            c
        };
        assert_eq!(decompress(&value(raw.len(), 1)), Some(raw.clone()));
        assert_eq!(decompress(&value(raw.len() + 1, 1)), None);
        assert_eq!(decompress(&value(raw.len() - 1, 1)), None);
        assert_eq!(decompress(&value(MAX_VALUE + 1, 1)), None);
        // The same bytes as pglz: no value.
        assert_eq!(decompress(&value(raw.len(), 0)), None);
    }

    #[test]
    fn catalog_files_are_known_by_their_place() {
        for p in [
            "data/base/5/1259",
            "/var/lib/postgresql/15/main/global/1262",
            "base/16384/13391.1",
            "base.tar!base/5/2619",
        ] {
            assert!(is_catalog(p), "{p}");
        }
        for p in [
            "data/base/5/16384",
            "base/5/24601.2",
            "backup/1259",
            "base/x/1259",
            "16384",
            "base/5/1259.csv",
        ] {
            assert!(!is_catalog(p), "{p}");
        }
    }

    #[test]
    fn write_ahead_log_segments_are_known_by_their_first_page() {
        // PostgreSQL 15's long page header: magic 0xD110, XLP_LONG_HEADER, timeline 1,
        // then (at 24) the system id, a segment of 16 MiB and pages of 8 KiB.
        let mut h = vec![0u8; 8192];
        h[..4].copy_from_slice(&[0x10, 0xD1, 0x02, 0x00]);
        h[4] = 1;
        h[32..36].copy_from_slice(&(16u32 << 20).to_le_bytes());
        h[36..40].copy_from_slice(&8192u32.to_le_bytes());
        assert!(is_wal_segment(&h));
        assert!(!is_wal_segment(&h[..39]));
        let mut other = h.clone();
        other[2] = 0; // not the long header: a later page
        assert!(!is_wal_segment(&other));
        let mut other = h.clone();
        other[32..36].copy_from_slice(&(3u32 << 20).to_le_bytes());
        assert!(!is_wal_segment(&other));
        let mut other = h;
        other[1] = 0xD2;
        assert!(!is_wal_segment(&other));
        assert!(!is_wal_segment(&page(&[customer(1, false)])));
    }

    #[test]
    fn other_files_are_not_heaps() {
        let rows: Vec<Vec<u8>> = (1..5).map(|i| customer(i, false)).collect();
        let mut p = page(&rows);
        assert!(is_heap(&p));
        // An index page: special space at its end.
        p[16..18].copy_from_slice(&(PAGE as u16 - 16).to_le_bytes());
        assert!(!is_heap(&p));
        assert!(!is_heap(&[0u8; PAGE]));
        assert!(!is_heap(b"SQLite format 3\0"));
    }

    #[test]
    fn hostile_pages_end_in_bounded_time() {
        // Rows of 40 columns whose values are all zero bytes, 100 bytes in one row and 101
        // in the other: every list of fixed widths parses both alike, so none ends both, and
        // the search (6^40 lists) stops at its step cap.
        let row = |n: usize| {
            let mut t = tuple(&[(Kind::Fixed(1, 1), Some(vec![0]))], 0);
            t[18..20].copy_from_slice(&40u16.to_le_bytes());
            t.truncate(24);
            t.resize(24 + n, 0);
            t
        };
        let p = page(&[row(100), row(101)]);
        let heap = read(&mut &p[..], CatSet::all(), None).unwrap();
        assert_eq!(heap.unread, 2);
        let one = heap.searched;
        assert!(one > 10_000, "{one}");
        // A file of such pages: the file's budget ends the searches (then each page's rows
        // are counted unread without one).
        let file = p.repeat(2000);
        let start = std::time::Instant::now();
        let heap = read(&mut &file[..], CatSet::all(), None).unwrap();
        assert_eq!(heap.unread, 4000);
        assert!(heap.searched <= FILE_STEPS && heap.searched < 2000 * one);
        // Not a timing test: a bound far above the budget's cost, against a hang.
        assert!(start.elapsed().as_secs() < 120);
    }
}

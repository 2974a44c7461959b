//! Deleted rows of an SQLite database: records left in its free space.
//!
//! `DELETE` does not erase a row unless the database runs with `secure_delete`: the row's cell
//! becomes a freeblock of its page (its first four bytes overwritten by the freeblock's link
//! and size), or stays in the unallocated gap between the page's cell pointers and its cells,
//! and a page left empty goes to the freelist whole. The write-ahead log keeps, besides the
//! pages it has not checkpointed, the older versions of pages (older frames, frames of an
//! earlier salt beyond the log's current end), and a rollback journal (`app.db-journal`)
//! the pages as they were before the last transaction. What a breach exposed is what the
//! file held, deleted rows included; SQLite itself shows none of it.
//!
//! Written by hand: no maintained crate reads SQLite's free space (the forensic tools that do,
//! such as undark or bring2lite, are C or Python programs). The file format is documented
//! (<https://www.sqlite.org/fileformat2.html>) and only three parts of it are needed: the
//! header (page size, reserved bytes, text encoding, freelist), a table leaf page's header
//! (its freeblock chain, cell pointers and content start), and the record format. The regions
//! are searched for records byte by byte, as those tools do: a record header whose serial
//! types add up to its length, as many as one of the schema's tables has columns, with a body
//! that fits the region, text where the table's column has text affinity, and at least one
//! text. A row whose texts equal a live row's (a copy left by a page split or an update that
//! moved it) is not counted, nor is a row twice (the same page in several log frames).
//!
//! Page 1 is the schema's own table (`sqlite_master`): its free space holds dropped tables'
//! definitions, not rows, and is not searched. Tables of 64 columns or more are not
//! searched for.
//!
//! A freed cell whose header's length (and first serial type, a NULL rowid alias) the
//! freeblock's four bytes overwrote is read from its serial types on ([`headerless`]). Not
//! recovered: a freed cell that lost a serial type other than such a NULL (a cell size and
//! rowid of two bytes together, and no rowid alias first), rows spilled to overflow pages,
//! rows of a dropped table whose `CREATE TABLE` record is gone from page 1 (its schema is
//! found there otherwise: [`dropped_tables`]), rows of `WITHOUT ROWID` tables and index
//! entries (other b-trees), rows SQLite's rebalancing or a later table overwrote, and
//! anything once `secure_delete` or `VACUUM` has run.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

/// Rows recovered per database, at most (memory stays bounded: rows are kept until the live
/// rows have been read).
const MAX_ROWS: usize = 200_000;
/// Bytes of recovered text kept per database, at most.
const MAX_TEXT: usize = 64 << 20;

/// A table of the schema: what a recovered record is matched against.
#[derive(Debug, Clone)]
pub(crate) struct TableDef {
    pub name: String,
    pub columns: Vec<String>,
    /// Columns of text affinity (declared `TEXT`, `CHAR`, `CLOB`): SQLite stores text in them
    /// (numbers are converted), so a record with a number there is not this table's.
    pub text: Vec<bool>,
    /// The column that is the rowid under another name (`id INTEGER PRIMARY KEY`): a record
    /// holds NULL there (the rowid is the cell's key).
    pub rowid_alias: Option<usize>,
}

impl TableDef {
    /// Is the declared type `decl` of text affinity (SQLite's rule 2)?
    pub(crate) fn text_affinity(decl: &str) -> bool {
        let d = decl.to_ascii_uppercase();
        !d.contains("INT") && (d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT"))
    }
}

/// A value of a recovered record.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob,
}

/// The text encoding of a database's strings (header offset 56).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// The key a row is known by across copies: its table and the texts of its columns (a
/// rowid alias is NULL in a record and a number when read live, so numbers are left out).
pub(crate) fn row_key<'a>(table: usize, texts: impl Iterator<Item = (usize, &'a str)>) -> u64 {
    let mut h = table as u64;
    for (i, t) in texts {
        h = (h.rotate_left(23) ^ crate::tally::hash_bytes(t.as_bytes(), false) ^ i as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h
}

/// Rows recovered from a database's free space, before the live rows are read.
#[derive(Debug, Default)]
pub(crate) struct Recovered {
    /// Table index and the row's cells (as the live rows are read: numbers in decimal).
    pub rows: Vec<(usize, Vec<String>)>,
    /// Row key → index in `rows`.
    keys: HashMap<u64, usize>,
    /// Rows found to be copies of live rows.
    live: Vec<bool>,
    text: usize,
    /// The caps were reached: more rows may be there.
    pub capped: bool,
}

impl Recovered {
    /// A live row with this key: its recovered copy, if any, is not a deleted row.
    pub(crate) fn live_row(&mut self, key: u64) {
        if let Some(&i) = self.keys.get(&key) {
            self.live[i] = true;
        }
    }

    /// The recovered rows that are no live row's copy.
    pub(crate) fn deleted(self) -> impl Iterator<Item = (usize, Vec<String>)> {
        self.rows
            .into_iter()
            .zip(self.live)
            .filter(|(_, live)| !live)
            .map(|(r, _)| r)
    }

    fn add(&mut self, t: usize, vals: Vec<Val>) {
        let key = row_key(
            t,
            vals.iter().enumerate().filter_map(|(i, v)| match v {
                Val::Text(s) => Some((i, s.as_str())),
                _ => None,
            }),
        );
        if self.keys.contains_key(&key) {
            return;
        }
        if self.rows.len() >= MAX_ROWS || self.text >= MAX_TEXT {
            self.capped = true;
            return;
        }
        let row: Vec<String> = vals
            .into_iter()
            .map(|v| match v {
                Val::Null | Val::Blob => String::new(),
                Val::Int(x) => x.to_string(),
                Val::Real(x) => x.to_string(),
                Val::Text(s) => s,
            })
            .collect();
        self.text += row.iter().map(String::len).sum::<usize>();
        self.keys.insert(key, self.rows.len());
        self.rows.push((t, row));
        self.live.push(false);
    }
}

/// SQLite's variable-length integer at `i`: its value and the index after it.
fn varint(b: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for n in 0..9 {
        let x = *b.get(i)?;
        i += 1;
        if n == 8 {
            return Some(((v << 8) | u64::from(x), i));
        }
        v = (v << 7) | u64::from(x & 0x7F);
        if x < 0x80 {
            return Some((v, i));
        }
    }
    None
}

/// Bytes of a value of serial type `t` (None for the reserved types 10 and 11).
fn serial_len(t: u64) -> Option<usize> {
    Some(match t {
        0 | 8 | 9 => 0,
        1..=4 => t as usize,
        5 => 6,
        6 | 7 => 8,
        10 | 11 => return None,
        t => usize::try_from((t - 12) / 2).ok()?,
    })
}

/// Text as stored, if it is text a person would have typed (no control characters but
/// tab and line ends).
fn text(b: &[u8], enc: Enc) -> Option<String> {
    let s = match enc {
        Enc::Utf8 => std::str::from_utf8(b).ok()?.to_string(),
        Enc::Utf16Le | Enc::Utf16Be => {
            if !b.len().is_multiple_of(2) {
                return None;
            }
            let units = b.chunks_exact(2).map(|c| match enc {
                Enc::Utf16Le => u16::from_le_bytes([c[0], c[1]]),
                _ => u16::from_be_bytes([c[0], c[1]]),
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()?
        }
    };
    (!s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
    .then_some(s)
}

/// A record found: its values, end, number of non-empty texts, and table.
type Rec = (Vec<Val>, usize, usize, usize);

/// What records are searched for.
struct Schema<'a> {
    tables: &'a [TableDef],
    /// Bit N set: a table has N columns (N < 64).
    counts: u64,
    enc: Enc,
    /// Bytes of record bodies decoded so far: a region is given up when its search has
    /// decoded many times its size (records crafted to overlap, each read whole, would
    /// otherwise cost the square of the region's size).
    work: std::cell::Cell<usize>,
    /// The table tried first, then those after it, then those before: the dropped tables
    /// first on a page freed whole (a dropped table's rows go to the freelist whole; a live
    /// table of the same columns would take them as copies of its own rows).
    prefer: std::cell::Cell<usize>,
}

impl<'a> Schema<'a> {
    fn new(tables: &'a [TableDef], enc: Enc) -> Self {
        Schema {
            tables,
            counts: tables
                .iter()
                .filter(|t| t.columns.len() < 64)
                .fold(0u64, |m, t| m | (1 << t.columns.len())),
            enc,
            work: std::cell::Cell::new(0),
            prefer: std::cell::Cell::new(0),
        }
    }

    /// The first table a record of these serial types may be a row of: as many columns,
    /// NULL in its rowid alias, text (or NULL or a blob) in its columns of text affinity.
    fn fit(&self, types: &[u64]) -> Option<usize> {
        let n = self.tables.len();
        let from = self.prefer.get().min(n);
        (from..n).chain(0..from).find(|&i| {
            let t = &self.tables[i];
            t.columns.len() == types.len()
                && t.rowid_alias.is_none_or(|i| types.get(i) == Some(&0))
                && t.text
                    .iter()
                    .zip(types)
                    .all(|(text, ty)| !text || *ty == 0 || *ty >= 12)
        })
    }
}

/// The record starting at `k` in `b` with a column count in `counts` (bit N set for N
/// columns, N < 64).
fn record_at(b: &[u8], k: usize, sc: &Schema) -> Option<Rec> {
    let (h, mut i) = varint(b, k)?;
    let h = usize::try_from(h).ok()?;
    let hend = k.checked_add(h)?;
    if h < 2 || hend > b.len() {
        return None;
    }
    let mut types: [u64; 64] = [0; 64];
    let mut n = 0;
    let mut body = 0usize;
    while i < hend {
        let (t, j) = varint(b, i)?;
        if n == 64 || sc.counts >> n == 0 {
            return None;
        }
        body = body.checked_add(serial_len(t)?)?;
        types[n] = t;
        n += 1;
        i = j;
    }
    if i != hend || sc.counts & (1 << n) == 0 {
        return None;
    }
    body_at(b, hend, &types[..n], sc)
}

/// The values of serial types `types` stored from `at` on, if they fit in `b` and hold a
/// text.
fn body_at(b: &[u8], mut at: usize, types: &[u64], sc: &Schema) -> Option<Rec> {
    // The table and the body's size first: no text is decoded for a record that cannot be.
    let t = sc.fit(types)?;
    let mut size = 0usize;
    for &ty in types {
        size = size.checked_add(serial_len(ty)?)?;
    }
    if at.checked_add(size)? > b.len() || !types.iter().any(|ty| *ty >= 15 && ty % 2 == 1) {
        return None;
    }
    sc.work.set(sc.work.get() + size);
    let mut vals = Vec::with_capacity(types.len());
    let mut texts = 0;
    for &ty in types {
        let len = serial_len(ty)?;
        let v = b.get(at..at.checked_add(len)?)?;
        at += len;
        vals.push(match ty {
            0 => Val::Null,
            8 => Val::Int(0),
            9 => Val::Int(1),
            1..=6 => {
                let mut x = if v[0] & 0x80 != 0 { -1i64 } else { 0 };
                for byte in v {
                    x = (x << 8) | i64::from(*byte);
                }
                Val::Int(x)
            }
            7 => Val::Real(f64::from_be_bytes(v.try_into().ok()?)),
            ty if ty % 2 == 0 => Val::Blob,
            _ => {
                let s = text(v, sc.enc)?;
                texts += usize::from(!s.is_empty());
                Val::Text(s)
            }
        });
    }
    (texts > 0).then_some((vals, at, texts, t))
}

/// The record of a freed cell whose header's length (and maybe its first serial type) the
/// freeblock's link and size overwrote: a cell's size and rowid take two or three bytes
/// when the record is under 128 bytes or the rowid under 16,384, so the four bytes reach
/// into the record's header. Its serial types are read from `k` (the cell's fifth byte),
/// either all of them or all but a first one that is NULL (a rowid alias, as `id INTEGER
/// PRIMARY KEY` is stored), and the body right after; of the column counts of the schema,
/// the reading with the most texts, then the longest, is taken.
fn headerless(b: &[u8], k: usize, sc: &Schema) -> Option<Rec> {
    let mut best: Option<Rec> = None;
    for lost_null in [false, true] {
        let mut types: [u64; 64] = [0; 64];
        let mut n = usize::from(lost_null);
        let mut i = k;
        while n < 63 && sc.counts >> (n + 1) != 0 {
            let Some((t, j)) = varint(b, i) else { break };
            if serial_len(t).is_none() {
                break;
            }
            types[n] = t;
            n += 1;
            i = j;
            if sc.counts & (1 << n) != 0
                && let Some(r) = body_at(b, i, &types[..n], sc)
                && best.as_ref().is_none_or(|x| (r.2, r.1) > (x.2, x.1))
            {
                best = Some(r);
            }
        }
    }
    best
}

/// The intact cell of a table leaf starting at `k`: its payload's size, its rowid, then a
/// record of exactly that size.
fn cell_at(b: &[u8], k: usize, sc: &Schema) -> Option<Rec> {
    let (size, j) = varint(b, k)?;
    if size > b.len() as u64 {
        return None;
    }
    let (_rowid, j) = varint(b, j)?;
    let rec = record_at(b, j, sc)?;
    (rec.1 - j == size as usize).then_some(rec)
}

/// The record at `k`: an intact cell; or a record whose cell's first bytes a freeblock's
/// link and size overwrote. Such a record can also be read a few bytes early, the rowid or
/// the freeblock's size taken for the header's length (`04 | 04 00 1F 2F`: rowid 4, then a
/// header of 4 bytes): of the records starting in the next eight bytes, the one with the
/// most texts, then the longest, is taken.
fn best_at(b: &[u8], k: usize, sc: &Schema) -> Option<Rec> {
    if let Some(c) = cell_at(b, k, sc) {
        return Some(c);
    }
    let first = record_at(b, k, sc)?;
    Some(
        (k + 1..=k + 8)
            .filter_map(|j| record_at(b, j, sc))
            .fold(first, |best, r| {
                if (r.2, r.1) > (best.2, best.1) {
                    r
                } else {
                    best
                }
            }),
    )
}

/// The record of a freed cell whose first four bytes are just before `k` (a freeblock's
/// link and size overwrote them): its header intact a few bytes on (a long size or rowid),
/// or partly lost ([`headerless`]). The freed cells of a freeblock fill it exactly, so a
/// reading that ends at its end goes first; then the one with the most texts, then one with
/// its header intact (a lost header read from the bytes before a real one can line the
/// same texts up under other columns: `10 | 0D 00 27 …` read as a blob of two bytes, an
/// empty text and a NULL before the real columns), then the longest.
fn freed_at(b: &[u8], k: usize, sc: &Schema) -> Option<Rec> {
    let rank = |r: &Rec, intact: bool| (r.1 == b.len(), r.2, intact, r.1);
    let mut best: Option<(Rec, bool)> = cell_at(b, k, sc).map(|r| (r, true));
    let more = (k..=k + 8)
        .filter_map(|j| record_at(b, j, sc).map(|r| (r, true)))
        .chain(headerless(b, k, sc).map(|r| (r, false)));
    for (r, intact) in more {
        if best
            .as_ref()
            .is_none_or(|(x, xi)| rank(&r, intact) > rank(x, *xi))
        {
            best = Some((r, intact));
        }
    }
    best.map(|(r, _)| r)
}

/// Searches `region` for records of the schema's tables, byte by byte; a record found is
/// skipped whole. A freed cell's record may have lost its header's start ([`headerless`]):
/// at the start of a freeblock (`freed`: the region starts after its link and size), and
/// four bytes after any record (a freed cell next to it, merged in one freeblock, or in the
/// unallocated space when the cell before it was freed at its start).
fn search(region: &[u8], sc: &Schema, freed: bool, out: &mut Recovered) {
    let mut k = 0;
    let mut clobbered = freed.then_some(0);
    let budget = sc.work.get() + 16 * region.len() + 65536;
    while k < region.len() && !out.capped && sc.work.get() < budget {
        let found = if clobbered == Some(k) {
            freed_at(region, k, sc)
        } else {
            best_at(region, k, sc)
        };
        match found {
            Some((vals, end, _, t)) => {
                out.add(t, vals);
                k = end.max(k + 1);
                // A freed cell may start here (merged into the same freeblock, or into the
                // unallocated space with the cell before it): its first four bytes are the
                // link and size it had. In a freeblock nothing else can.
                if freed {
                    k += 4;
                }
                clobbered = Some(end + 4);
            }
            None => k += 1,
        }
    }
}

/// A region of a page: start and end offsets.
type Span = (usize, usize);

/// The regions of free space of a table leaf page (`hdr`: its header's offset, 100 on page
/// 1): the gap between its cell pointers and its cells, and the bytes of its freeblocks
/// after their four-byte link and size.
fn leaf_free(page: &[u8], hdr: usize) -> (Option<Span>, Vec<Span>) {
    let u16_at = |i: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes([
            *page.get(i)?,
            *page.get(i + 1)?,
        ])))
    };
    let mut out = Vec::new();
    let (Some(cells), Some(content)) = (u16_at(hdr + 3), u16_at(hdr + 5)) else {
        return (None, out);
    };
    let content = if content == 0 { 65536 } else { content }.min(page.len());
    let gap_start = hdr + 8 + 2 * cells;
    let gap = (gap_start < content).then_some((gap_start, content));
    let mut fb = u16_at(hdr + 1).unwrap_or(0);
    // Freeblocks are in increasing order of offset: a loop ends.
    while fb != 0 && fb >= content.min(gap_start) {
        let (Some(next), Some(size)) = (u16_at(fb), u16_at(fb + 2)) else {
            break;
        };
        if size < 4 || fb + size > page.len() {
            break;
        }
        out.push((fb + 4, fb + size));
        if next <= fb {
            break;
        }
        fb = next;
    }
    (gap, out)
}

/// An older version of page `pgno` (a log frame, or the database file's page that the log
/// replaced): a table leaf's cells and its free space (copies of live rows are told apart
/// later).
fn older_page(page: &[u8], pgno: u64, sc: &Schema, out: &mut Recovered) {
    // Page 1 is the schema's table: its records are tables, not rows.
    if pgno != 1 {
        page_records(page, pgno, sc, out);
    }
}

/// The records of a table leaf page, live and freed: its cells and its free space.
fn page_records(page: &[u8], pgno: u64, sc: &Schema, out: &mut Recovered) {
    let hdr = header_offset(pgno);
    if page.get(hdr) != Some(&0x0D) {
        return;
    }
    let cells = page
        .get(hdr + 3..hdr + 5)
        .map_or(0, |c| usize::from(u16::from_be_bytes([c[0], c[1]])));
    let from = (hdr + 8 + 2 * cells).min(page.len());
    search(&page[from..], sc, false, out);
    for (s, e) in leaf_free(page, hdr).1 {
        search(&page[s..e], sc, true, out);
    }
}

/// The tables a database once had and has no more: `CREATE TABLE` statements of records in
/// page 1 (the schema's own table, `sqlite_master`: type, name, table name, root page, SQL),
/// its free space included, and in `older` (the database file's page 1 when a log replaced
/// it), whose names are not `live`. Their rows stay in the freelist pages after `DROP
/// TABLE` (a staging copy dropped after use); with their columns known, they are found.
/// Returns each table's name and statement.
pub(crate) fn dropped_tables<R: Read + Seek>(
    r: &mut R,
    older: Option<&[u8]>,
    live: &[String],
) -> io::Result<Vec<(String, String)>> {
    let master = [TableDef {
        name: "sqlite_master".into(),
        columns: ["type", "name", "tbl_name", "rootpage", "sql"]
            .map(String::from)
            .to_vec(),
        text: vec![true, true, true, false, true],
        rowid_alias: None,
    }];
    let mut head = [0u8; 100];
    r.seek(SeekFrom::Start(0))?;
    if kizuki_core::io::read_full(r, &mut head)? < 100 {
        return Ok(Vec::new());
    }
    let Some((page_size, usable, enc)) = header(&head) else {
        return Ok(Vec::new());
    };
    let sc = &Schema::new(&master, enc);
    let mut page = vec![0u8; page_size];
    r.seek(SeekFrom::Start(0))?;
    let n = kizuki_core::io::read_full(r, &mut page)?;
    let mut out = Recovered::default();
    page_records(&page[..n.min(usable)], 1, sc, &mut out);
    if let Some(p) = older {
        page_records(&p[..p.len().min(usable)], 1, sc, &mut out);
    }
    let mut found: Vec<(String, String)> = Vec::new();
    for (_, row) in out.rows {
        let [kind, name, _, _, sql] = row.as_slice() else {
            continue;
        };
        let create = sql
            .get(..12)
            .is_some_and(|c| c.eq_ignore_ascii_case("CREATE TABLE"));
        if kind == "table"
            && create
            && sql.len() <= 65536
            && !name.starts_with("sqlite_")
            && !live.contains(name)
            && !found.iter().any(|(n, _)| n == name)
        {
            found.push((name.clone(), sql.clone()));
        }
    }
    Ok(found)
}

/// A database's page size, usable bytes of a page and text encoding, from its first 100
/// bytes, if they are an SQLite header.
fn header(head: &[u8; 100]) -> Option<(usize, usize, Enc)> {
    if !head.starts_with(crate::sqlite::MAGIC) {
        return None;
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        n if n >= 512 && n.is_power_of_two() => usize::from(n),
        _ => return None,
    };
    let usable = page_size.saturating_sub(usize::from(head[20]));
    let enc = match u32::from_be_bytes([head[56], head[57], head[58], head[59]]) {
        2 => Enc::Utf16Le,
        3 => Enc::Utf16Be,
        _ => Enc::Utf8,
    };
    Some((page_size, usable, enc))
}

/// Where a page's b-tree header is.
fn header_offset(pgno: u64) -> usize {
    if pgno == 1 { 100 } else { 0 }
}

/// Recovers the deleted rows of the database read by `r` (the file, or a copy with its log
/// applied), and of the pages of its write-ahead log `log` if any.
///
/// `replaced`: when `r` is a copy with the log applied, the database file itself and the
/// pages the log replaced in it: their older versions are searched too.
///
/// `tables[live..]` are dropped tables ([`dropped_tables`]); `journal`, the rollback journal
/// beside the database, if any.
pub(crate) fn recover<R: Read + Seek>(
    r: &mut R,
    log: Option<&mut dyn Read>,
    replaced: Option<(&mut std::fs::File, &[u32])>,
    tables: &[TableDef],
    live: usize,
    journal: Option<&mut dyn Read>,
) -> io::Result<Recovered> {
    let mut out = Recovered::default();
    if tables.iter().all(|t| t.columns.len() >= 64) {
        return Ok(out);
    }
    let mut head = [0u8; 100];
    r.seek(SeekFrom::Start(0))?;
    if kizuki_core::io::read_full(r, &mut head)? < 100 {
        return Ok(out);
    }
    let Some((page_size, usable, enc)) = header(&head) else {
        return Ok(out);
    };
    let sc = &Schema::new(tables, enc);
    let len = r.seek(SeekFrom::End(0))?;
    let pages = len / page_size as u64;
    let mut page = vec![0u8; page_size];
    let read_page = |r: &mut R, pgno: u64, page: &mut [u8]| -> io::Result<()> {
        r.seek(SeekFrom::Start((pgno - 1) * page_size as u64))?;
        r.read_exact(page)
    };
    // The freelist: trunk pages (a link, a count, then leaf page numbers) and their leaves.
    // 0: in use; 1: a trunk (its free bytes start after its list); 2: a free leaf.
    let mut free: HashMap<u64, usize> = HashMap::new();
    let mut trunk = u64::from(u32::from_be_bytes([head[32], head[33], head[34], head[35]]));
    while trunk >= 1 && trunk <= pages && !free.contains_key(&trunk) {
        read_page(r, trunk, &mut page)?;
        let n = u32::from_be_bytes([page[4], page[5], page[6], page[7]]) as usize;
        let n = n.min(usable.saturating_sub(8) / 4);
        free.insert(trunk, 8 + 4 * n);
        for j in 0..n {
            let at = 8 + 4 * j;
            let leaf = u64::from(u32::from_be_bytes([
                page[at],
                page[at + 1],
                page[at + 2],
                page[at + 3],
            ]));
            if leaf >= 1 && leaf <= pages {
                free.entry(leaf).or_insert(0);
            }
        }
        trunk = u64::from(u32::from_be_bytes([page[0], page[1], page[2], page[3]]));
    }
    r.seek(SeekFrom::Start(0))?;
    for pgno in 1..=pages {
        if out.capped {
            break;
        }
        r.read_exact(&mut page)?;
        let body = &page[..usable];
        if let Some(&from) = free.get(&pgno) {
            sc.prefer.set(live);
            search(&body[from.min(usable)..], sc, false, &mut out);
            // A leaf page freed whole keeps its own freeblocks.
            if from == 0 && body.first() == Some(&0x0D) {
                for (s, e) in leaf_free(body, 0).1 {
                    search(&body[s..e], sc, true, &mut out);
                }
            }
            sc.prefer.set(0);
            continue;
        }
        let hdr = header_offset(pgno);
        if pgno > 1 && body.get(hdr) == Some(&0x0D) {
            let (gap, freeblocks) = leaf_free(body, hdr);
            if let Some((s, e)) = gap {
                search(&body[s..e], sc, false, &mut out);
            }
            for (s, e) in freeblocks {
                search(&body[s..e], sc, true, &mut out);
            }
        }
    }
    // Every page image in the log, committed or not, of this salt or an older one: a table
    // leaf's cells and free space (live copies are told apart later).
    if let Some(log) = log {
        let mut h = [0u8; 32];
        if kizuki_core::io::read_full(log, &mut h)? == 32 && crate::wal::is_wal(&h) {
            let log_page = u32::from_be_bytes([h[8], h[9], h[10], h[11]]) as usize;
            if log_page == page_size {
                let mut fh = [0u8; 24];
                while !out.capped
                    && kizuki_core::io::read_full(log, &mut fh)? == 24
                    && kizuki_core::io::read_full(log, &mut page)? == page_size
                {
                    let pgno = u64::from(u32::from_be_bytes([fh[0], fh[1], fh[2], fh[3]]));
                    older_page(&page[..usable], pgno, sc, &mut out);
                }
            }
        }
    }
    // The database file's versions of the pages the log replaced: rows deleted since the
    // last checkpoint are still cells there.
    if let Some((f, pages)) = replaced {
        for &pgno in pages {
            f.seek(SeekFrom::Start(u64::from(pgno - 1) * page_size as u64))?;
            if kizuki_core::io::read_full(f, &mut page)? < page_size || out.capped {
                break;
            }
            older_page(&page[..usable], pgno.into(), sc, &mut out);
        }
    }
    // A rollback journal beside the database: the pages as they were before the last
    // transaction changed them (a journal kept after commits, `journal_mode=PERSIST`, or
    // one left by an unfinished transaction).
    if let Some(j) = journal {
        // Its first MAX_JOURNAL bytes (`take`: never more, so never `None`).
        let data =
            kizuki_core::io::read_capped(j.take(MAX_JOURNAL), MAX_JOURNAL)?.unwrap_or_default();
        for (pgno, p) in journal_pages(&data, page_size, pages) {
            if out.capped {
                break;
            }
            older_page(&p[..usable.min(p.len())], pgno, sc, &mut out);
        }
    }
    Ok(out)
}

/// A rollback journal's first eight bytes (zeroed when a persistent journal is done with).
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/// The part of a rollback journal read (its page images are held in memory while they are
/// searched; a longer journal's first 64 MiB).
const MAX_JOURNAL: u64 = 64 << 20;

/// The page images of a rollback journal (`data`) of a database of `pages` pages of
/// `page_size` bytes: after a header padded to a sector, records of a page number, the page
/// and a checksum. The header gives the sector size; a zeroed one (a persistent journal after
/// its commit) does not, and the sizes SQLite uses are tried until the first record is a
/// page of the database. Records end at a page number of 0 or beyond the database.
fn journal_pages(data: &[u8], page_size: usize, pages: u64) -> Vec<(u64, &[u8])> {
    let be = |i: usize| {
        data.get(i..i + 4)
            .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    };
    let valid = |pgno: Option<u64>| pgno.is_some_and(|p| p >= 1 && p <= pages.max(1) * 2);
    let sectors: Vec<usize> = if data.starts_with(&JOURNAL_MAGIC) {
        let sector = be(20).unwrap_or(512) as usize;
        let own = be(24).unwrap_or(0) as usize;
        if own != page_size || !(512..=65536).contains(&sector) || !sector.is_power_of_two() {
            return Vec::new();
        }
        vec![sector]
    } else {
        vec![512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
    };
    let Some(mut at) = sectors.into_iter().find(|s| valid(be(*s))) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while valid(be(at)) {
        let Some(p) = data.get(at + 4..at + 4 + page_size) else {
            break;
        };
        out.push((be(at).unwrap_or(0), p));
        at += 8 + page_size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `id INTEGER PRIMARY KEY` and columns of text affinity or not.
    fn table(text: &[bool]) -> TableDef {
        TableDef {
            name: "t".into(),
            columns: (0..=text.len()).map(|i| format!("c{i}")).collect(),
            text: std::iter::once(false).chain(text.iter().copied()).collect(),
            rowid_alias: Some(0),
        }
    }

    fn schema(tables: &[TableDef]) -> Schema<'_> {
        Schema::new(tables, Enc::Utf8)
    }

    #[test]
    fn varints_and_records() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xFF; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
        // Header 4 bytes: NULL, text of 3, int of 1 byte.
        let rec = [4, 0, 13 + 6, 1, b'a', b'b', b'c', 0xFE];
        let three = [table(&[true, false])];
        let three = &schema(&three);
        let two = [table(&[true])];
        let two = &schema(&two);
        let (vals, end, texts, _) = record_at(&rec, 0, three).unwrap();
        assert_eq!(texts, 1);
        assert_eq!(end, rec.len());
        assert_eq!(vals, vec![Val::Null, Val::Text("abc".into()), Val::Int(-2)]);
        // Another column count, a body past the end, control characters, no text, a number
        // in the rowid alias or in a column of text affinity: none.
        assert!(record_at(&rec, 0, two).is_none());
        assert!(record_at(&rec[..7], 0, three).is_none());
        assert!(record_at(&[4, 0, 19, 1, 1, 2, 3, 0], 0, three).is_none());
        assert!(record_at(&[3, 0, 1, 7], 0, two).is_none());
        assert!(record_at(&[4, 1, 19, 1, 7, b'a', b'b', b'c', 0], 0, three).is_none());
        assert!(record_at(&[4, 0, 1, 19, 7, b'a', b'b', b'c'], 0, three).is_none());
        // Reserved serial types.
        assert!(record_at(&[3, 10, 15, b'x'], 0, two).is_none());
        // A cell: payload size 8, rowid 4, the record. Its rowid (4) reads as a header of
        // 4 bytes too (`04 00 13 01`: NULL, text, int; one text): the cell is taken.
        let mut cell = vec![8, 4];
        cell.extend_from_slice(&rec);
        let (vals, end, _, _) = best_at(&cell, 0, three).unwrap();
        assert_eq!(
            (end, vals[1].clone()),
            (cell.len(), Val::Text("abc".into()))
        );
        // Its first four bytes overwritten (a freeblock): the record after them.
        let mut freed = vec![0, 0, 0, 4];
        freed.extend_from_slice(&rec);
        let mut out = Recovered::default();
        search(&freed, three, true, &mut out);
        assert_eq!(
            out.rows,
            vec![(0, vec![String::new(), "abc".into(), "-2".into()])]
        );
    }

    #[test]
    fn mutated_databases_never_panic_or_loop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA secure_delete=OFF; PRAGMA page_size=512;
             CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, mail TEXT);",
        )
        .unwrap();
        for i in 0..300 {
            conn.execute(
                "INSERT INTO t VALUES (NULL, '山田 太郎', ?)",
                [format!("taro{i}@example.com")],
            )
            .unwrap();
        }
        conn.execute_batch("DELETE FROM t WHERE id % 3 = 0 OR id > 200")
            .unwrap();
        drop(conn);
        let db = std::fs::read(&path).unwrap();
        let tables = [TableDef {
            name: "t".into(),
            columns: vec!["id".into(), "name".into(), "mail".into()],
            text: vec![false, true, true],
            rowid_alias: Some(0),
        }];
        let whole = recover(&mut io::Cursor::new(&db), None, None, &tables, 1, None).unwrap();
        assert!(whole.rows.len() >= 150, "{}", whole.rows.len());
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..2000 {
            let mut d = db.clone();
            for _ in 0..1 + next() % 8 {
                // Header fields, page headers and freeblock links most of the time.
                let i = match next() % 3 {
                    0 => (next() % 100) as usize,
                    1 => ((next() % (d.len() as u64 / 512)) * 512 + next() % 12) as usize,
                    _ => (next() % d.len() as u64) as usize,
                };
                d[i] = next() as u8;
            }
            if round % 5 == 0 {
                d.truncate((next() % d.len() as u64) as usize);
            }
            let r = recover(&mut io::Cursor::new(&d), None, None, &tables, 1, None);
            assert!(r.is_ok_and(|r| r.rows.len() < 1000));
        }
    }

    #[test]
    fn journal_pages_by_header_or_by_trying_sector_sizes() {
        let page = |b: u8| vec![b; 1024];
        let record = |pgno: u32, b: u8| {
            let mut r = pgno.to_be_bytes().to_vec();
            r.extend(page(b));
            r.extend([0, 0, 0, 0]);
            r
        };
        // A hot journal: its header (sector 512, pages of 1024) padded to a sector.
        let mut hot = JOURNAL_MAGIC.to_vec();
        for v in [2u32, 7, 10, 512, 1024] {
            hot.extend(v.to_be_bytes());
        }
        hot.resize(512, 0);
        hot.extend(record(3, 0xAA));
        hot.extend(record(1, 0xBB));
        hot.extend([0; 100]);
        let got: Vec<(u64, u8)> = journal_pages(&hot, 1024, 10)
            .iter()
            .map(|(p, d)| (*p, d[0]))
            .collect();
        assert_eq!(got, vec![(3, 0xAA), (1, 0xBB)]);
        // Another page size than the database's: nothing.
        assert!(journal_pages(&hot, 4096, 10).is_empty());
        // Its header zeroed with a sector of 4096: found by trying; a page number beyond
        // the database ends the records.
        let mut done = vec![0u8; 4096];
        done.extend(record(2, 0xCC));
        done.extend(record(900, 0xDD));
        let got: Vec<u64> = journal_pages(&done, 1024, 10)
            .iter()
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(got, vec![2]);
        assert!(journal_pages(&[0u8; 100], 1024, 10).is_empty());
    }

    #[test]
    fn hostile_regions_end() {
        let tables = [TableDef {
            name: "t".into(),
            columns: vec!["a".into(), "b".into()],
            text: vec![true, false],
            rowid_alias: None,
        }];
        let mut out = Recovered::default();
        let mut x: u64 = 7;
        let noise: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let sc = &schema(&tables);
        search(&noise, sc, true, &mut out);
        search(&[0xFF; 4096], sc, true, &mut out);
        // Records that overlap at every offset and fail at their end (`?` is a header of 63
        // bytes and a text of 25 bytes; a control character every 2,000 bytes): the search
        // gives the region up after decoding 16 times its size (without the budget: 480).
        let wide = [TableDef {
            name: "w".into(),
            columns: (0..62).map(|i| format!("c{i}")).collect(),
            text: vec![true; 62],
            rowid_alias: None,
        }];
        let sc = &schema(&wide);
        let mut region = Vec::new();
        for _ in 0..33 {
            region.extend_from_slice(&[b'?'; 1999]);
            region.push(1);
        }
        let mut out = Recovered::default();
        search(&region, sc, false, &mut out);
        assert!(
            sc.work.get() <= 16 * region.len() + 65536 + 2000,
            "{}",
            sc.work.get()
        );
        // A freeblock chain that loops or points outside the page.
        let mut page = vec![0u8; 512];
        page[0] = 0x0D;
        page[1..3].copy_from_slice(&300u16.to_be_bytes());
        page[5..7].copy_from_slice(&200u16.to_be_bytes());
        page[300..302].copy_from_slice(&300u16.to_be_bytes());
        page[302..304].copy_from_slice(&8u16.to_be_bytes());
        assert_eq!(leaf_free(&page, 0), (Some((8, 200)), vec![(304, 308)]));
        page[302..304].copy_from_slice(&9000u16.to_be_bytes());
        assert_eq!(leaf_free(&page, 0), (Some((8, 200)), vec![]));
    }
}

//! A PostgreSQL database's description of its own tables, read from the catalog's files
//! beside the table files (`base/<db>/1259` is `pg_class`, `1249` `pg_attribute`, unless
//! `pg_filenode.map` names others), and the TOAST tables where long values are kept out of
//! line: what turns a table file's rows into named, typed columns ([`crate::pgheap::Schema`]).
//!
//! Why by hand: the catalog is itself a set of heap files ([`crate::pgheap`] reads their
//! pages); only the places of a few columns are needed. They are PostgreSQL 12's and later
//! (since the `oid` is an ordinary column), and those that moved between versions
//! (`attlen`, `attnum`, `attalign`, `relkind`) are found from the catalog's description of
//! `pg_class` itself, whose columns are known: a catalog that does not describe itself as
//! expected is not used (the table's columns are then inferred, as without one).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

use crate::pgheap::{self, Kind, Show, Stored, u16_at, u32_at};

/// `pg_class` and `pg_attribute`'s oids (their file numbers unless mapped elsewhere).
const PG_CLASS: u32 = 1259;
const PG_ATTRIBUTE: u32 = 1249;
/// `pg_filenode.map`'s magic number.
const MAP_MAGIC: u32 = 0x0059_2717;
/// Bytes of one catalog file read, segments included (a catalog of ten thousand tables
/// is tens of MB).
const CATALOG_CAP: u64 = 256 << 20;
/// Bytes of values kept from one TOAST table: values past them are not read (and said so).
pub const TOAST_CAP: usize = 64 << 20;
/// A column's name in `pg_attribute` once dropped.
const DROPPED: &[u8] = b"........pg.dropped.";

/// The tables of one database, by their file number (`relfilenode`).
#[derive(Debug)]
pub(crate) struct Catalog {
    rels: HashMap<u32, Relation>,
}

/// A table (or materialized view, or TOAST table) of the catalog.
#[derive(Debug)]
pub(crate) struct Relation {
    pub name: String,
    /// `relkind`: `r` a table, `t` a TOAST table, `m` a materialized view…
    pub kind: u8,
    /// The file number of its TOAST table.
    pub toast: Option<u32>,
    /// Its columns by number (`None`: not found).
    pub columns: Vec<Option<Column>>,
}

/// A column: its name, how it is stored and how it is shown.
#[derive(Debug)]
pub(crate) struct Column {
    pub name: String,
    pub kind: Kind,
    pub show: Show,
}

impl Relation {
    /// The schema [`pgheap::read`] reads the table's rows with; `None` when a column's
    /// storage is unknown (its row in `pg_attribute` not found, a `cstring`).
    pub fn schema<'a>(&'a self, toast: Option<&'a Toast>) -> Option<pgheap::Schema<'a>> {
        let columns = self
            .columns
            .iter()
            .map(|c| c.as_ref().map(|c| (c.name.as_str(), c.kind, c.show)))
            .collect::<Option<Vec<_>>>()?;
        (!columns.is_empty()).then_some(pgheap::Schema {
            table: &self.name,
            columns,
            toast,
        })
    }
}

/// A name stored in 64 bytes padded with zeros.
fn name(b: &[u8]) -> &[u8] {
    let b = b.get(..64).unwrap_or(b);
    &b[..b.iter().position(|x| *x == 0).unwrap_or(b.len())]
}

/// A name as text: UTF-8, else EUC-JP (names are kept in the database's encoding).
fn decoded(n: &[u8]) -> String {
    match std::str::from_utf8(n) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::EUC_JP
            .decode_without_bom_handling(n)
            .0
            .into_owned(),
    }
}

fn i16_at(b: &[u8], i: usize) -> i16 {
    u16_at(b, i) as i16
}

/// The live rows' columns (after their header) of a catalog file's pages.
fn rows(file: &[u8]) -> Vec<&[u8]> {
    file.chunks_exact(pgheap::PAGE)
        .filter(|p| pgheap::heap_page(p))
        .flat_map(pgheap::tuples)
        .filter(|t| !t.dead)
        .filter_map(|t| t.t.get(t.hoff..))
        .collect()
}

/// How a column of type `typid` is stored (`len`, `align` from `pg_attribute`).
fn kind_of(len: i16, align: u8) -> Option<Kind> {
    let a = match align {
        b'c' => 1,
        b's' => 2,
        b'i' => 4,
        b'd' => 8,
        _ => return None,
    };
    match len {
        // A varlena aligned as a `char` or `int2` has no padding PostgreSQL's way that a
        // 4-byte-aligned one has: none of the built-in types is one.
        -1 if a == 4 => Some(Kind::Var),
        -1 if a == 8 => Some(Kind::Var8),
        n if n > 0 => Some(Kind::Bytes(n as u16, a)),
        _ => None,
    }
}

/// How a value of type `typid` becomes a cell.
fn show_of(typid: u32, len: i16) -> Show {
    match typid {
        19 => Show::Name,
        20 | 21 | 23 => Show::Int,
        1082 => Show::Date,
        1114 | 1184 => Show::Timestamp,
        // numeric (binary digits), tsvector, jsonb are varlenas but no text.
        1700 | 3614 | 3802 => Show::Nothing,
        _ if len == -1 => Show::Text,
        _ => Show::Nothing,
    }
}

/// The first offset among `at` where `f` holds for every row given (rows are the catalog's
/// own, of known values).
fn find(at: impl Iterator<Item = usize>, f: impl Fn(usize) -> bool) -> Option<usize> {
    at.into_iter().find(|&o| f(o))
}

impl Catalog {
    /// The catalog of the database whose directory is `dir`, if its files are there and
    /// describe themselves as expected.
    pub fn load(dir: &Path) -> Option<Catalog> {
        let map = std::fs::read(dir.join("pg_filenode.map")).ok();
        let node = |oid: u32| -> u32 {
            map.as_deref()
                .and_then(|m| mapped(m, oid))
                .unwrap_or(oid)
        };
        let class = relation_file(dir, node(PG_CLASS), CATALOG_CAP).ok()??;
        let attribute = relation_file(dir, node(PG_ATTRIBUTE), CATALOG_CAP).ok()??;
        Catalog::parse(&class, &attribute)
    }

    /// The catalog from the files of `pg_class` and `pg_attribute`.
    pub fn parse(class: &[u8], attribute: &[u8]) -> Option<Catalog> {
        let class = rows(class);
        let attribute = rows(attribute);
        // pg_class: oid, relname (64), relnamespace, reltype, reloftype, relowner, relam,
        // relfilenode (at 88)… relkind 115 (PostgreSQL 12 to 17) or 119 (18: relallfrozen),
        // reltoastrelid 7 bytes before it.
        let own = class
            .iter()
            .find(|d| u32_at(d, 0) == PG_CLASS && d.get(4..).map(name) == Some(b"pg_class"))?;
        let kind_at = find([115, 119].into_iter(), |o| own.get(o) == Some(&b'r'))?;
        let toast_at = kind_at - 7;
        // pg_attribute: attrelid, attname (64), atttypid (at 68), then attlen, attnum and
        // attalign where this version keeps them: found from pg_class's own columns.
        let own_atts: HashMap<&[u8], &[u8]> = attribute
            .iter()
            .filter(|d| u32_at(d, 0) == PG_CLASS)
            .filter_map(|d| Some((name(d.get(4..)?), *d)))
            .collect();
        let known = |col: &str, f: &dyn Fn(&[u8]) -> bool| {
            own_atts.get(col.as_bytes()).is_some_and(|d| f(d))
        };
        let num_at = find((72..=100).step_by(2), |o| {
            [("oid", 1), ("relname", 2), ("relnamespace", 3), ("relfilenode", 8)]
                .iter()
                .all(|(c, n)| known(c, &|d| i16_at(d, o) == *n))
        })?;
        let len_at = find((72..=100).step_by(2), |o| {
            [("oid", 4), ("relname", 64), ("relkind", 1), ("relpages", 4)]
                .iter()
                .all(|(c, n)| known(c, &|d| i16_at(d, o) == *n))
        })?;
        let align_at = find(72..=110, |o| {
            [("oid", b'i'), ("relname", b'c'), ("relkind", b'c'), ("reltuples", b'i')]
                .iter()
                .all(|(c, a)| known(c, &|d| d.get(o) == Some(a)))
        })?;

        let mut by_oid: HashMap<u32, (String, u8, u32, u32)> = HashMap::new();
        for d in &class {
            let (Some(n), Some(&kind)) = (d.get(4..), d.get(kind_at)) else {
                continue;
            };
            let (oid, node) = (u32_at(d, 0), u32_at(d, 88));
            if node == 0 || !matches!(kind, b'r' | b't' | b'm') {
                continue;
            }
            let n = decoded(name(n));
            by_oid.insert(oid, (n, kind, node, u32_at(d, toast_at)));
        }
        let mut columns: HashMap<u32, Vec<Option<Column>>> = HashMap::new();
        for d in &attribute {
            let rel = u32_at(d, 0);
            let num = i16_at(d, num_at);
            if num <= 0 || !by_oid.contains_key(&rel) {
                continue;
            }
            let (Some(n), Some(&align)) = (d.get(4..), d.get(align_at)) else {
                continue;
            };
            let (n, typid, len) = (name(n), u32_at(d, 68), i16_at(d, len_at));
            let Some(kind) = kind_of(len, align) else {
                continue;
            };
            let cols = columns.entry(rel).or_default();
            let i = usize::from(num as u16 - 1);
            if cols.len() <= i {
                cols.resize_with(i + 1, || None);
            }
            // A dropped column's values stay in the rows written before (its type is
            // gone, its storage not): text is still read, under its number.
            cols[i] = Some(if n.starts_with(DROPPED) {
                Column {
                    name: format!("#{num}(dropped)"),
                    kind,
                    show: if len == -1 { Show::Text } else { Show::Nothing },
                }
            } else {
                Column {
                    name: decoded(n),
                    kind,
                    show: show_of(typid, len),
                }
            });
        }
        let node_of: HashMap<u32, u32> = by_oid.iter().map(|(o, r)| (*o, r.2)).collect();
        let rels = by_oid
            .into_iter()
            .map(|(oid, (name, kind, node, toast))| {
                let rel = Relation {
                    name,
                    kind,
                    toast: node_of.get(&toast).copied(),
                    columns: columns.remove(&oid).unwrap_or_default(),
                };
                (node, rel)
            })
            .collect();
        Some(Catalog { rels })
    }

    /// The relation whose file number is `node`.
    pub fn relation(&self, node: u32) -> Option<&Relation> {
        self.rels.get(&node)
    }
}

/// The file number `pg_filenode.map` gives the catalog relation `oid`.
fn mapped(map: &[u8], oid: u32) -> Option<u32> {
    if u32_at(map, 0) != MAP_MAGIC {
        return None;
    }
    let n = (u32_at(map, 4) as usize).min(map.len().saturating_sub(8) / 8);
    (0..n)
        .map(|i| (u32_at(map, 8 + 8 * i), u32_at(map, 12 + 8 * i)))
        .find(|(o, _)| *o == oid)
        .map(|(_, node)| node)
}

/// The file number of a relation file's name (`16390`, `16390.1`), if it is one.
pub fn node_of(file: &str) -> Option<u32> {
    let (n, seg) = file.split_once('.').unwrap_or((file, "0"));
    seg.parse::<u32>().ok()?;
    n.parse().ok()
}

/// A relation's file and its segments (`N`, `N.1`, `N.2`…) read whole, within `cap` bytes
/// (`None`: no such file).
fn relation_file(dir: &Path, node: u32, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    for seg in 0.. {
        let name = if seg == 0 {
            node.to_string()
        } else {
            format!("{node}.{seg}")
        };
        let f = match std::fs::File::open(dir.join(name)) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound && seg > 0 => break,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let left = cap.saturating_sub(out.len() as u64);
        match kizuki_core::io::read_capped(f, left)? {
            Some(b) => out.extend(b),
            None => return Err(io::Error::other("catalog file over its cap")),
        }
    }
    Ok(Some(out))
}

/// The values of a TOAST table (`chunk_id`, `chunk_seq`, `chunk_data`), by value.
#[derive(Default)]
pub(crate) struct Toast {
    chunks: HashMap<u32, Vec<(u32, Vec<u8>)>>,
    /// Bytes kept.
    size: usize,
    /// Chunks not kept: past [`TOAST_CAP`].
    pub dropped: u64,
}

impl Toast {
    /// The TOAST table of the relation whose file number is `node`, from `dir` (its
    /// segments too): `None` when it has no file.
    pub fn load(dir: &Path, node: u32) -> io::Result<Option<Toast>> {
        let mut toast = Toast::default();
        let mut found = false;
        for seg in 0.. {
            let name = if seg == 0 {
                node.to_string()
            } else {
                format!("{node}.{seg}")
            };
            match std::fs::File::open(dir.join(name)) {
                Ok(mut f) => {
                    found = true;
                    toast.read(&mut f)?;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(e),
            }
        }
        Ok(found.then_some(toast))
    }

    /// Adds the chunks of a TOAST table's file (or segment) read from `r`, page by page.
    pub fn read(&mut self, r: &mut dyn Read) -> io::Result<()> {
        let mut page = vec![0u8; pgheap::PAGE];
        loop {
            if kizuki_core::io::read_full(r, &mut page)? < pgheap::PAGE {
                return Ok(());
            }
            if !pgheap::heap_page(&page) {
                continue;
            }
            for t in pgheap::tuples(&page) {
                let (id, seq) = (u32_at(t.t, t.hoff), u32_at(t.t, t.hoff + 4));
                let Some((_, Some(Stored::Plain(a, b)))) =
                    pgheap::step(t.t, t.hoff + 8, Kind::Var)
                else {
                    continue;
                };
                let data = &t.t[a..b];
                if self.size + data.len() > TOAST_CAP {
                    self.dropped += 1;
                    continue;
                }
                self.size += data.len();
                self.chunks.entry(id).or_default().push((seq, data.to_vec()));
            }
        }
    }

    /// The value a TOAST pointer (16 bytes: raw size, stored size and method, value id,
    /// TOAST table's oid) points to: its chunks in order, decompressed when they are
    /// compressed (pglz; lz4 is not read). `None` when a chunk is missing.
    pub fn value(&self, ptr: &[u8]) -> Option<Vec<u8>> {
        let (raw, ext, id) = (
            u32_at(ptr, 0) as usize,
            u32_at(ptr, 4),
            u32_at(ptr, 8),
        );
        let (size, method) = ((ext & 0x3FFF_FFFF) as usize, ext >> 30);
        let mut chunks: Vec<&(u32, Vec<u8>)> = self.chunks.get(&id)?.iter().collect();
        chunks.sort_by_key(|c| c.0);
        let mut out = Vec::with_capacity(size.min(pgheap::MAX_VALUE));
        for (i, (seq, data)) in chunks.iter().enumerate() {
            if *seq as usize != i {
                return None;
            }
            out.extend_from_slice(data);
        }
        if out.len() != size {
            return None;
        }
        if size + 4 < raw {
            // Compressed: the chunks hold the method and raw size in 4 bytes, then the data.
            return (method == 0).then(|| pgheap::pglz(&out)).flatten();
        }
        Some(out)
    }
}

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
/// is tens of MB): past them the catalog is not used, and the columns are inferred.
pub const CATALOG_CAP: u64 = 64 << 20;
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
    /// Its columns with their numbers (from 1), in order.
    pub columns: Vec<(u16, Column)>,
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
        // Every number from 1, none missing.
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (num, c))| {
                (usize::from(*num) == i + 1).then_some((c.name.as_str(), c.kind, c.show))
            })
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
        // 512 bytes in every version.
        let map = std::fs::File::open(dir.join("pg_filenode.map"))
            .and_then(|f| kizuki_core::io::read_capped(f, 4096))
            .ok()
            .flatten();
        let node = |oid: u32| -> u32 { map.as_deref().and_then(|m| mapped(m, oid)).unwrap_or(oid) };
        let class = relation_file(dir, node(PG_CLASS), CATALOG_CAP).ok()??;
        let attribute = relation_file(dir, node(PG_ATTRIBUTE), CATALOG_CAP).ok()??;
        Catalog::parse(&class, &attribute)
    }

    /// The catalog of a database directory's files held in `files` (by name: `1259`,
    /// `pg_filenode.map`…), as an archive's members are.
    pub fn from_files(files: &HashMap<String, Vec<u8>>) -> Option<Catalog> {
        let map = files.get("pg_filenode.map");
        let node = |oid: u32| -> u32 { map.and_then(|m| mapped(m, oid)).unwrap_or(oid) };
        let class = files.get(&node(PG_CLASS).to_string())?;
        let attribute = files.get(&node(PG_ATTRIBUTE).to_string())?;
        Catalog::parse(class, attribute)
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
            [
                ("oid", 1),
                ("relname", 2),
                ("relnamespace", 3),
                ("relfilenode", 8),
            ]
            .iter()
            .all(|(c, n)| known(c, &|d| i16_at(d, o) == *n))
        })?;
        let len_at = find((72..=100).step_by(2), |o| {
            [("oid", 4), ("relname", 64), ("relkind", 1), ("relpages", 4)]
                .iter()
                .all(|(c, n)| known(c, &|d| i16_at(d, o) == *n))
        })?;
        let align_at = find(72..=110, |o| {
            [
                ("oid", b'i'),
                ("relname", b'c'),
                ("relkind", b'c'),
                ("reltuples", b'i'),
            ]
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
        let mut columns: HashMap<u32, Vec<(u16, Column)>> = HashMap::new();
        for d in &attribute {
            let rel = u32_at(d, 0);
            let num = i16_at(d, num_at);
            if num <= 0 || num as usize > pgheap::MAX_ATTS || !by_oid.contains_key(&rel) {
                continue;
            }
            let (Some(n), Some(&align)) = (d.get(4..), d.get(align_at)) else {
                continue;
            };
            let (n, typid, len) = (name(n), u32_at(d, 68), i16_at(d, len_at));
            let Some(kind) = kind_of(len, align) else {
                continue;
            };
            // A dropped column's values stay in the rows written before (its type is
            // gone, its storage not): text is still read, under its number.
            let col = if n.starts_with(DROPPED) {
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
            };
            columns.entry(rel).or_default().push((num as u16, col));
        }
        let node_of: HashMap<u32, u32> = by_oid.iter().map(|(o, r)| (*o, r.2)).collect();
        let rels = by_oid
            .into_iter()
            .map(|(oid, (name, kind, node, toast))| {
                let mut columns = columns.remove(&oid).unwrap_or_default();
                // Live rows only: one per number (the first, should a damaged page hold two).
                columns.sort_by_key(|c| c.0);
                columns.dedup_by_key(|c| c.0);
                let rel = Relation {
                    name,
                    kind,
                    toast: node_of.get(&toast).copied(),
                    columns,
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

/// The file name of segment `seg` of relation file `node` (`16390`, `16390.1`…).
fn segment(node: u32, seg: u32) -> String {
    if seg == 0 {
        node.to_string()
    } else {
        format!("{node}.{seg}")
    }
}

/// A relation's file and its segments (`N`, `N.1`, `N.2`…) read whole, within `cap` bytes
/// (`None`: no such file).
fn relation_file(dir: &Path, node: u32, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    for seg in 0.. {
        let f = match std::fs::File::open(dir.join(segment(node, seg))) {
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
            match std::fs::File::open(dir.join(segment(node, seg))) {
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
                let Some((_, Some(Stored::Plain(a, b)))) = pgheap::step(t.t, t.hoff + 8, Kind::Var)
                else {
                    continue;
                };
                let data = &t.t[a..b];
                if self.size + data.len() > TOAST_CAP {
                    self.dropped += 1;
                    continue;
                }
                self.size += data.len();
                self.chunks
                    .entry(id)
                    .or_default()
                    .push((seq, data.to_vec()));
            }
        }
    }

    /// The value a TOAST pointer (16 bytes: raw size, stored size and method, value id,
    /// TOAST table's oid) points to: its chunks in order, decompressed when they are
    /// compressed (pglz or lz4). `None` when a chunk is missing.
    pub fn value(&self, ptr: &[u8]) -> Option<Vec<u8>> {
        let (raw, ext, id) = (u32_at(ptr, 0) as usize, u32_at(ptr, 4), u32_at(ptr, 8));
        let size = (ext & 0x3FFF_FFFF) as usize;
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
            return pgheap::decompress(&out);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pgheap::tests::{page, tuple};
    use crate::tally::CatSet;
    use kizuki_core::Category;

    /// Where a version keeps `attlen`, `attnum` and `attalign` in `pg_attribute`, and
    /// `relkind` in `pg_class`: PostgreSQL 15's, and another order (as 17 and 18 moved them).
    const V15: (usize, usize, usize, usize) = (76, 78, 93, 115);
    const OTHER: (usize, usize, usize, usize) = (72, 74, 87, 119);

    /// A row of the catalog: its columns' bytes as one fixed value after the header.
    fn row(data: Vec<u8>, dead: bool) -> Vec<u8> {
        let n = data.len();
        let mut t = tuple(
            &[(Kind::Bytes(n as u16, 1), Some(data))],
            u32::from(dead) * 9,
        );
        t[18..20].copy_from_slice(&1u16.to_le_bytes());
        t
    }

    fn put(d: &mut Vec<u8>, at: usize, b: &[u8]) {
        if d.len() < at + b.len() {
            d.resize(at + b.len(), 0);
        }
        d[at..at + b.len()].copy_from_slice(b);
    }

    fn class_row(
        v: (usize, usize, usize, usize),
        oid: u32,
        name: &str,
        node: u32,
        toast: u32,
        kind: u8,
    ) -> Vec<u8> {
        let mut d = vec![0u8; 124];
        put(&mut d, 0, &oid.to_le_bytes());
        put(&mut d, 4, name.as_bytes());
        put(&mut d, 88, &node.to_le_bytes());
        put(&mut d, v.3 - 7, &toast.to_le_bytes());
        put(&mut d, v.3, &[kind]);
        d
    }

    fn att_row(
        v: (usize, usize, usize, usize),
        rel: u32,
        name: &[u8],
        typid: u32,
        len: i16,
        num: i16,
        align: u8,
    ) -> Vec<u8> {
        let mut d = vec![0u8; 112];
        put(&mut d, 0, &rel.to_le_bytes());
        put(&mut d, 4, name);
        put(&mut d, 68, &typid.to_le_bytes());
        put(&mut d, v.0, &len.to_le_bytes());
        put(&mut d, v.1, &num.to_le_bytes());
        put(&mut d, v.2, &[align]);
        d
    }

    /// The files of `pg_class` and `pg_attribute` of a database with one table, `customers`
    /// (file 16410, TOAST table file 16413): id, name, a dropped column, birthday, note.
    fn catalog_files(v: (usize, usize, usize, usize)) -> (Vec<u8>, Vec<u8>) {
        let class = page(&[
            row(class_row(v, 1259, "pg_class", 0, 0, b'r'), false),
            // The row before an update: dead, and another file number.
            row(class_row(v, 16400, "customers", 16399, 16403, b'r'), true),
            row(class_row(v, 16400, "customers", 16410, 16403, b'r'), false),
            row(class_row(v, 16403, "pg_toast_16400", 16413, 0, b't'), false),
            row(class_row(v, 16405, "customers_pkey", 16415, 0, b'i'), false),
        ]);
        let mut atts: Vec<Vec<u8>> = [
            ("oid", 26, 4, 1, b'i'),
            ("relname", 19, 64, 2, b'c'),
            ("relnamespace", 26, 4, 3, b'i'),
            ("relfilenode", 26, 4, 8, b'i'),
            ("relpages", 23, 4, 10, b'i'),
            ("reltuples", 700, 4, 11, b'i'),
            ("relkind", 18, 1, 17, b'c'),
        ]
        .iter()
        .map(|(n, t, l, k, a)| row(att_row(v, 1259, n.as_bytes(), *t, *l, *k, *a), false))
        .collect();
        for (n, t, l, k, a) in [
            (&b"id"[..], 23, 4, 1, b'i'),
            ("名前".as_bytes(), 25, -1, 2, b'i'),
            (b"........pg.dropped.3........", 0, -1, 3, b'i'),
            (b"birthday", 1082, 4, 4, b'i'),
            (b"note", 25, -1, 5, b'i'),
        ] {
            atts.push(row(att_row(v, 16400, n, t, l, k, a), false));
        }
        (class, page(&atts))
    }

    #[test]
    fn the_catalog_is_read_where_its_version_keeps_its_columns() {
        for v in [V15, OTHER] {
            let (class, attribute) = catalog_files(v);
            let cat = Catalog::parse(&class, &attribute).expect("catalog");
            assert!(cat.relation(16399).is_none(), "dead row");
            assert!(cat.relation(16415).is_none(), "index");
            let rel = cat.relation(16410).expect("customers");
            assert_eq!(
                (rel.name.as_str(), rel.kind, rel.toast),
                ("customers", b'r', Some(16413))
            );
            let cols: Vec<(&str, Kind, Show)> = rel
                .columns
                .iter()
                .map(|(_, c)| (c.name.as_str(), c.kind, c.show))
                .collect();
            assert_eq!(
                cols,
                [
                    ("id", Kind::Bytes(4, 4), Show::Int),
                    ("名前", Kind::Var, Show::Text),
                    ("#3(dropped)", Kind::Var, Show::Text),
                    ("birthday", Kind::Bytes(4, 4), Show::Date),
                    ("note", Kind::Var, Show::Text),
                ]
            );
            assert_eq!(cat.relation(16413).map(|r| r.kind), Some(b't'));
        }
        // A catalog that does not describe itself as expected (pg_class's own columns
        // elsewhere) is not used.
        let (class, _) = catalog_files(V15);
        let (_, attribute) = catalog_files((80, 82, 99, 115));
        let mut wrong = attribute.clone();
        // Every attnum of pg_class's columns made 0.
        for k in 0..12 {
            let lp = u32_at(&wrong, 24 + 4 * k);
            let off = (lp & 0x7FFF) as usize;
            if off > 0 {
                let hoff = usize::from(wrong[off + 22]);
                wrong[off + hoff + 82] = 0;
                wrong[off + hoff + 83] = 0;
            }
        }
        assert!(Catalog::parse(&class, &wrong).is_none());
        assert!(Catalog::parse(&class, &[]).is_none());
        assert!(Catalog::parse(&[], &attribute).is_none());
    }

    #[test]
    fn a_table_is_read_with_its_columns_named_typed_and_out_of_line() {
        let (class, attribute) = catalog_files(V15);
        let cat = Catalog::parse(&class, &attribute).unwrap();
        let rel = cat.relation(16410).unwrap();
        // The note of row 0 in three chunks of its TOAST table (out of order, on two pages),
        // that of row 1 compressed with pglz in one, that of row 2 missing.
        let note = "連絡先 taro.note@example.jp 以上。"
            .repeat(100)
            .into_bytes();
        let thirds: Vec<&[u8]> = note.chunks(note.len().div_ceil(3)).collect();
        let chunk = |id: u32, seq: u32, data: &[u8]| {
            tuple(
                &[
                    (Kind::Bytes(4, 4), Some(id.to_le_bytes().to_vec())),
                    (Kind::Bytes(4, 4), Some(seq.to_le_bytes().to_vec())),
                    (Kind::Var, Some(data.to_vec())),
                ],
                0,
            )
        };
        // pglz: `x` then 40 bytes from one back; the raw size (41) first.
        let mut packed = 41u32.to_le_bytes().to_vec();
        packed.extend_from_slice(&[0b10, b'x', 0x0F, 1, 40 - 18 + 3 - 3]);
        let mut toast_file = page(&[chunk(7, 2, thirds[2]), chunk(8, 0, &packed)]);
        toast_file.extend(page(&[chunk(7, 0, thirds[0]), chunk(7, 1, thirds[1])]));
        let mut toast = Toast::default();
        toast.read(&mut &toast_file[..]).unwrap();
        let pointer = |raw: usize, ext: usize, id: u32| {
            let mut p = vec![1u8, 18];
            p.extend_from_slice(&(raw as u32).to_le_bytes());
            p.extend_from_slice(&(ext as u32).to_le_bytes());
            p.extend_from_slice(&id.to_le_bytes());
            p.extend_from_slice(&16403u32.to_le_bytes());
            (Kind::Fixed(18, 1), Some(p))
        };
        assert_eq!(
            toast.value(&pointer(note.len() + 4, note.len(), 7).1.unwrap()[2..]),
            Some(note.clone())
        );
        assert_eq!(
            toast.value(&pointer(45, packed.len(), 8).1.unwrap()[2..]),
            Some(vec![b'x'; 41])
        );
        assert_eq!(
            toast.value(&pointer(note.len() + 4, note.len() - 1, 7).1.unwrap()[2..]),
            None
        );
        let days = |y: i32| (y - 2000) * 365;
        let person = |i: u32, name: &str, kana: &str, note: Col| {
            tuple(
                &[
                    (Kind::Fixed(4, 4), Some(i.to_le_bytes().to_vec())),
                    (Kind::Var, Some(name.as_bytes().to_vec())),
                    (Kind::Var, Some(kana.as_bytes().to_vec())),
                    (
                        Kind::Fixed(4, 4),
                        Some(days(1970 + i as i32).to_le_bytes().to_vec()),
                    ),
                    note,
                ],
                0,
            )
        };
        type Col = crate::pgheap::tests::Col;
        let file = page(&[
            person(
                0,
                "山田 太郎",
                "ヤマダ タロウ",
                pointer(note.len() + 4, note.len(), 7),
            ),
            person(
                1,
                "佐藤 花子",
                "サトウ ハナコ",
                pointer(45, packed.len(), 8),
            ),
            person(2, "鈴木 一郎", "スズキ イチロウ", pointer(5004, 5000, 9)),
            person(3, "高橋 次郎", "タカハシ ジロウ", (Kind::Var, None)),
        ]);
        let heap = pgheap::read(&mut &file[..], CatSet::all(), rel.schema(Some(&toast))).unwrap();
        assert_eq!(
            (heap.table.as_deref(), heap.out_of_line, heap.unread),
            (Some("customers"), 1, 0)
        );
        let mut live = heap.live;
        let (records, cols) = live.finish();
        assert_eq!(records, 4);
        for (col, cat) in [
            ("名前", Category::NameKanji),
            ("#3(dropped)", Category::NameKana),
            ("birthday", Category::BirthDate),
        ] {
            assert!(cols.contains(&(col.to_string(), cat)), "{col}: {cols:?}");
        }
        let count = |c| live.tally.count(c);
        assert_eq!(
            (count(Category::BirthDate), count(Category::NameKana)),
            (4, 4)
        );
        assert_eq!(count(Category::Email), 100);

        // The same file without the catalog: columns by number, the dates no cells, the
        // values out of line not read (three of them).
        let heap = pgheap::read(&mut &file[..], CatSet::all(), None).unwrap();
        assert_eq!((heap.table, heap.out_of_line), (None, 3));
        let mut live = heap.live;
        live.finish();
        assert_eq!(live.tally.count(Category::BirthDate), 0);
        // A schema of another table (every row fails it): as if there were none.
        let other = Relation {
            name: "other".into(),
            kind: b'r',
            toast: None,
            columns: vec![(
                1,
                Column {
                    name: "x".into(),
                    kind: Kind::Bytes(8, 8),
                    show: Show::Int,
                },
            )],
        };
        let heap = pgheap::read(&mut &file[..], CatSet::all(), other.schema(None)).unwrap();
        assert_eq!((heap.table, heap.unread), (None, 0));
    }

    /// The fuzz seed `pii_file/postgres-catalog` (what [`crate::fuzzing::scan_file`] lays
    /// out as a database directory): pg_class, pg_attribute, a TOAST table and the table,
    /// a page each. `UPDATE_GOLDEN=1` writes it.
    #[test]
    fn the_catalog_fuzz_seed_is_current() {
        let (class, attribute) = catalog_files(V15);
        let note = "連絡先 taro.note@example.jp 以上。".repeat(40).into_bytes();
        let toast = page(&[tuple(
            &[
                (Kind::Bytes(4, 4), Some(7u32.to_le_bytes().to_vec())),
                (Kind::Bytes(4, 4), Some(0u32.to_le_bytes().to_vec())),
                (Kind::Var, Some(note.clone())),
            ],
            0,
        )]);
        let mut ptr = vec![1u8, 18];
        for v in [note.len() as u32 + 4, note.len() as u32, 7, 16403] {
            ptr.extend_from_slice(&v.to_le_bytes());
        }
        let rows: Vec<Vec<u8>> = ["山田 太郎", "佐藤 花子", "鈴木 一郎"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                tuple(
                    &[
                        (Kind::Fixed(4, 4), Some((i as u32).to_le_bytes().to_vec())),
                        (Kind::Var, Some(name.as_bytes().to_vec())),
                        (Kind::Var, Some("ヤマダ タロウ".as_bytes().to_vec())),
                        (Kind::Fixed(4, 4), Some((-7000i32).to_le_bytes().to_vec())),
                        (Kind::Fixed(18, 1), Some(ptr.clone())),
                    ],
                    0,
                )
            })
            .collect();
        let seed = [class, attribute, toast, page(&rows)].concat();
        crate::fuzzing::check_file_seed("postgres-catalog", &seed);
        let items = crate::fuzzing::scan_file(&seed);
        let found = items.iter().find_map(|i| match i {
            crate::Item::Found(r) if r.path.ends_with("base/5/16410") => Some(r),
            _ => None,
        });
        let r = found.unwrap_or_else(|| panic!("{items:?}"));
        assert_eq!(r.categories.get(&Category::Email), Some(&120), "{r:?}");
        assert_eq!(r.categories.get(&Category::BirthDate), Some(&3), "{r:?}");
    }

    #[test]
    fn dates_and_numbers_are_shown_as_postgresql_prints_them() {
        let show = |v: i64, len: usize, s: Show| {
            let b = v.to_le_bytes();
            pgheap::show_fixed(&b[..len], s)
        };
        assert_eq!(show(0, 4, Show::Date), "2000-01-01");
        assert_eq!(show(-10_957, 4, Show::Date), "1970-01-01");
        assert_eq!(show(-365 * 20 - 5 + 102, 4, Show::Date), "1980-04-12");
        assert_eq!(show(9_190, 4, Show::Date), "2025-02-28");
        assert_eq!(show(i64::from(i32::MAX), 4, Show::Date), "");
        let day = 86_400_000_000i64;
        assert_eq!(show(-10_957 * day, 8, Show::Timestamp), "1970-01-01");
        assert_eq!(
            show(day + 3_723_000_000, 8, Show::Timestamp),
            "2000-01-02 01:02:03"
        );
        assert_eq!(show(-42, 2, Show::Int), "-42");
        assert_eq!(show(9_012_345_678, 8, Show::Int), "9012345678");
        assert_eq!(
            pgheap::show_fixed(b"postgres\0\0\0", Show::Name),
            "postgres"
        );
        assert_eq!(show(1, 4, Show::Nothing), "");
    }

    #[test]
    fn the_file_map_and_file_names() {
        let mut map = MAP_MAGIC.to_le_bytes().to_vec();
        map.extend_from_slice(&2u32.to_le_bytes());
        for (o, n) in [(1259u32, 16500u32), (1249, 16501)] {
            map.extend_from_slice(&o.to_le_bytes());
            map.extend_from_slice(&n.to_le_bytes());
        }
        assert_eq!(mapped(&map, 1249), Some(16501));
        assert_eq!(mapped(&map, 1247), None);
        assert_eq!(mapped(&map[..12], 1259), None);
        assert_eq!(mapped(b"nothing at all..", 1259), None);
        assert_eq!(node_of("16390"), Some(16390));
        assert_eq!(node_of("16390.2"), Some(16390));
        assert_eq!(node_of("16390_fsm"), None);
        assert_eq!(node_of("16390.csv"), None);
    }
}

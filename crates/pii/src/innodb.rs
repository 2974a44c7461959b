//! MySQL and MariaDB InnoDB tablespaces (`shop/customers.ibd`), read as tables: the
//! clustered index's leaf pages hold every row, and the InnoDB data dictionary in the
//! system tablespace beside them (`ibdata1`: `SYS_TABLES`, `SYS_COLUMNS`, `SYS_INDEXES`,
//! `SYS_FIELDS`) gives each table's columns, their types and the order in which a row
//! stores them. MariaDB (every version) and MySQL up to 5.7 keep that dictionary (else an
//! export's `.cfg` or the table's `.frm` describe it); MySQL 8 keeps a table's description
//! in its own file (SDI: zlib-compressed JSON in a B-tree of its own), read by [`from_sdi`].
//!
//! Why by hand: no crate reads InnoDB pages (innodb_ruby and the Percona tools are Ruby and
//! C, and need the server's own description of the table). The formats are stable and
//! small: a 38-byte page header, an index page header, records linked from `infimum` to
//! `supremum` whose fields are found from their lengths kept before each record
//! (COMPACT and DYNAMIC: a null bitmap and one or two bytes per variable field; REDUNDANT,
//! the dictionary's own: the end offset of every field). Long values kept out of the
//! record are read from the chain of BLOB pages the record points to (within a cap).
//!
//! Rows purged after a `DELETE` stay on the page's free list until the space is reused:
//! they are read too, and reported apart (`!(deleted)`), as rows marked deleted but not yet
//! purged are. Not read: ROW_FORMAT=COMPRESSED and page-compressed or encrypted
//! tablespaces (the file is then carved, as any binary file is), and the rows of a table
//! whose instant ALTER's metadata does not parse (counted, and said so).

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use crate::pgheap::Part;
use crate::tally::CatSet;

/// Offsets in the page header (`FIL_PAGE_*`).
const FIL_PAGE_OFFSET: usize = 4;
const FIL_PAGE_NEXT: usize = 12;
const FIL_PAGE_TYPE: usize = 24;
const FIL_PAGE_SPACE_ID: usize = 34;
const FIL_PAGE_DATA: usize = 38;
const FIL_NULL: u32 = 0xFFFF_FFFF;
/// Page types.
const PAGE_INDEX: u16 = 17855;
const PAGE_FSP_HDR: u16 = 8;
const PAGE_BLOB: u16 = 10;
/// MariaDB's root page of a table changed by an instant ALTER TABLE (an index page).
const PAGE_INSTANT: u16 = 18;
/// The index page header's fields (from [`FIL_PAGE_DATA`]).
const PAGE_N_HEAP: usize = FIL_PAGE_DATA + 4;
const PAGE_FREE: usize = FIL_PAGE_DATA + 6;
const PAGE_LEVEL: usize = FIL_PAGE_DATA + 26;
/// MariaDB's `PAGE_INSTANT` (in place of the direction of the last insert): the fields of
/// the records written before an instant ALTER, shifted by 3.
const PAGE_INSTANT_FIELDS: usize = FIL_PAGE_DATA + 12;
const PAGE_INDEX_ID: usize = FIL_PAGE_DATA + 28;
/// `infimum` and `supremum`'s origins, COMPACT and REDUNDANT.
const INFIMUM_NEW: usize = 99;
const SUPREMUM_NEW: usize = 112;
const INFIMUM_OLD: usize = 101;
const SUPREMUM_OLD: usize = 116;
/// The page of the system tablespace where the dictionary's roots are kept.
const DICT_HDR_PAGE: u32 = 7;
/// Record flags: deleted (info bits), the metadata record of MariaDB's instant ALTER.
const REC_DELETED: u8 = 0x20;
const REC_MIN_REC: u8 = 0x10;
/// Record status (COMPACT): ordinary, node pointer, infimum, supremum, instant.
const STATUS_ORDINARY: u8 = 0;
const STATUS_INSTANT: u8 = 4;
/// Type flags of `SYS_COLUMNS.PRTYPE`.
const DATA_NOT_NULL: u32 = 0x100;
const DATA_UNSIGNED: u32 = 0x200;
const DATA_VIRTUAL: u32 = 0x2000;
/// `SYS_COLUMNS.MTYPE`.
const DATA_VARCHAR: u32 = 1;
const DATA_CHAR: u32 = 2;
const DATA_FIXBINARY: u32 = 3;
const DATA_BINARY: u32 = 4;
const DATA_BLOB: u32 = 5;
const DATA_INT: u32 = 6;
const DATA_SYS: u32 = 8;
const DATA_VARMYSQL: u32 = 12;
const DATA_MYSQL: u32 = 13;
const DATA_GEOMETRY: u32 = 14;
/// MySQL's field types (`PRTYPE & 0xFF`) shown as dates.
const MYSQL_TYPE_TIMESTAMP: u32 = 7;
const MYSQL_TYPE_DATE: u32 = 10;
const MYSQL_TYPE_DATETIME: u32 = 12;
const MYSQL_TYPE_NEWDATE: u32 = 14;
/// The bytes of a pointer to a value kept out of the record.
const EXTERN_REF: usize = 20;

/// Pages of the system tablespace read for the dictionary (a dictionary of ten thousand
/// tables is some thousand pages).
const DICT_PAGES: usize = 100_000;
/// Records of the dictionary kept (of its four tables together; the values' first 256
/// bytes): a dictionary of twenty thousand tables of twenty columns. Past them the tables
/// not yet described are carved.
const DICT_RECORDS: usize = 400_000;
/// Columns of one table (InnoDB's own limit is 1017).
const MAX_COLUMNS: usize = 4096;
/// Bytes of one value kept out of the record that are read (the rest is cut).
pub(crate) const MAX_VALUE: usize = 4 << 20;
/// Bytes of values kept out of records read from one tablespace.
pub(crate) const EXTERN_CAP: usize = 256 << 20;

/// A source of pages: a file, or bytes in memory (tests).
pub(crate) trait Pages {
    /// Fills `buf` from byte `at`.
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()>;
    /// Its length in bytes.
    fn size(&self) -> u64;
}

impl Pages for std::fs::File {
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        let mut f = self;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)
    }
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }
}

impl Pages for [u8] {
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        let at = usize::try_from(at).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let src = self
            .get(at..at.saturating_add(buf.len()))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

fn u16_at(p: &[u8], i: usize) -> u16 {
    p.get(i..i + 2)
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(p: &[u8], i: usize) -> u32 {
    p.get(i..i + 4)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(p: &[u8], i: usize) -> u64 {
    (u64::from(u32_at(p, i)) << 32) | u64::from(u32_at(p, i + 4))
}

/// A big-endian unsigned number of up to eight bytes.
fn uint(b: &[u8]) -> u64 {
    b.iter().take(8).fold(0, |a, &x| (a << 8) | u64::from(x))
}

/// The page size that a tablespace's flags (`FSP_SPACE_FLAGS`) give, when they are flags of
/// an uncompressed tablespace: MariaDB's `full_crc32` format (a marker bit, the size in the
/// low bits) or the older one (MySQL's too: the size at bits 6-9, 0 for 16 KiB).
fn page_size(flags: u32) -> Option<usize> {
    let ssize = if flags & 0x10 != 0 {
        if flags & !0x3F != 0 && flags & 0x1E0 != 0 {
            // Page compression: not read.
            return None;
        }
        flags & 0xF
    } else {
        // ROW_FORMAT=COMPRESSED (a zip size), page compression (bit 16), or encryption
        // flags: not read.
        if (flags >> 1) & 0xF != 0 || flags >> 16 != 0 {
            return None;
        }
        match (flags >> 6) & 0xF {
            0 => 5,
            s => s,
        }
    };
    (3..=7).contains(&ssize).then(|| 1 << (ssize + 9))
}

/// Does `head` start an InnoDB tablespace (its first page, `FSP_HDR`, with the space id in
/// both places and valid flags)?
pub fn is_tablespace(head: &[u8]) -> bool {
    head.len() >= FIL_PAGE_DATA + 24
        && u16_at(head, FIL_PAGE_TYPE) == PAGE_FSP_HDR
        && u32_at(head, FIL_PAGE_OFFSET) == 0
        && u32_at(head, FIL_PAGE_SPACE_ID) == u32_at(head, FIL_PAGE_DATA)
        && u32_at(head, FIL_PAGE_DATA + 8) > 0
        && page_size(u32_at(head, FIL_PAGE_DATA + 16)).is_some()
}

/// The size in bytes and the page size of a MySQL 8 tablespace whose first page starts
/// with `head` (its flags in MySQL's format, with the SDI flag): as a raw image's carver
/// copies such a file out.
pub(crate) fn mysql8_size(head: &[u8]) -> Option<(u64, usize)> {
    if !is_tablespace(head) {
        return None;
    }
    let flags = u32_at(head, FIL_PAGE_DATA + 16);
    if flags & 0x10 != 0 || flags & FSP_FLAGS_SDI == 0 {
        return None;
    }
    let ps = page_size(flags)?;
    Some((u64::from(u32_at(head, FIL_PAGE_DATA + 8)) * ps as u64, ps))
}

/// The space id and page size of a tablespace whose first page is `head`.
pub(crate) fn space_of(head: &[u8]) -> Option<(u32, usize)> {
    is_tablespace(head).then(|| {
        (
            u32_at(head, FIL_PAGE_SPACE_ID),
            page_size(u32_at(head, FIL_PAGE_DATA + 16)).unwrap_or(16384),
        )
    })
}

/// A column of a table.
#[derive(Clone, Debug)]
struct Col {
    name: String,
    mtype: u32,
    prtype: u32,
    len: u32,
}

impl Col {
    fn nullable(&self) -> bool {
        self.prtype & DATA_NOT_NULL == 0
    }
    /// The collation (character set) of a string column.
    fn collation(&self) -> u32 {
        (self.prtype >> 16) & 0xFFFF
    }
    /// The bytes a COMPACT record always gives it, or `None` when its length is kept.
    fn fixed(&self) -> Option<usize> {
        let len = self.len as usize;
        match self.mtype {
            DATA_INT | DATA_FIXBINARY | DATA_CHAR | DATA_SYS | 9 | 10 => Some(len),
            DATA_MYSQL => (!multibyte(self.collation())).then_some(len),
            _ => None,
        }
    }
    /// A variable field whose length may take two bytes.
    fn big(&self) -> bool {
        self.len > 255 || matches!(self.mtype, DATA_BLOB | DATA_GEOMETRY)
    }
    /// Its text encoding, for a string column.
    fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        match self.mtype {
            DATA_VARCHAR | DATA_CHAR => Some(encoding_rs::WINDOWS_1252),
            DATA_VARMYSQL | DATA_MYSQL | DATA_BLOB | DATA_BINARY => Some(charset(self.collation())),
            _ => None,
        }
    }
}

/// Is a collation's character set one of several bytes per character at most but one at
/// least (its CHAR columns then keep their lengths in COMPACT records)?
fn multibyte(coll: u32) -> bool {
    let c = if (1024..2048).contains(&coll) {
        coll - 1024
    } else {
        coll
    };
    matches!(
        c,
        1 | 84 | 12 | 91 | 13 | 88 | 19 | 85 | 24 | 86 | 28 | 87 | 33 | 83 | 45 | 46 | 54 | 55
            | 56 | 62 | 95 | 96 | 97 | 98 | 101..=124 | 192..=247 | 248..=255
    ) || (2048..2560).contains(&coll)
        || (2816..3072).contains(&coll)
        || coll > 255 && coll < 1024
}

/// The text encoding of a collation: Japanese character sets by name (cp932/sjis as
/// Shift_JIS, ujis/eucjpms as EUC-JP), UCS-2 and UTF-16, Latin-1; everything else
/// (utf8mb3, utf8mb4, binary) as UTF-8.
fn charset(coll: u32) -> &'static encoding_rs::Encoding {
    let c = if (1024..2048).contains(&coll) {
        coll - 1024
    } else {
        coll
    };
    match c {
        12 | 91 | 97 | 98 => encoding_rs::EUC_JP,
        13 | 88 | 95 | 96 => encoding_rs::SHIFT_JIS,
        35 | 90 | 128..=159 | 54 | 55 | 101..=124 => encoding_rs::UTF_16BE,
        56 | 62 => encoding_rs::UTF_16LE,
        5 | 8 | 15 | 31 | 47 | 48 | 49 | 94 => encoding_rs::WINDOWS_1252,
        _ if (2560..3072).contains(&coll) => encoding_rs::UTF_16BE,
        _ => encoding_rs::UTF_8,
    }
}

/// One field of a clustered index record: a column of the table, or a system field
/// (`DB_ROW_ID`, `DB_TRX_ID`, `DB_ROLL_PTR`).
#[derive(Clone, Debug)]
struct Field {
    col: Option<usize>,
    fixed: Option<usize>,
    big: bool,
    nullable: bool,
}

/// A table of the dictionary.
#[derive(Clone, Debug)]
pub(crate) struct TableDef {
    /// `database/table`.
    pub name: String,
    space: u32,
    /// COMPACT or DYNAMIC (else REDUNDANT).
    compact: bool,
    cols: Vec<Col>,
    /// The clustered index.
    index: Option<Index>,
    /// A table MySQL 8 describes (its records' flags name their instant format).
    mysql: Option<Instant8>,
}

/// The fields of a MySQL 8 table's records after instant ALTERs.
#[derive(Clone, Debug, Default)]
struct Instant8 {
    /// 8.0.29 and later, after an instant ADD or DROP COLUMN: the fields of the records of
    /// each row version (a record flagged names its version; one without is of version 0).
    versions: Vec<Vec<Field>>,
    /// 8.0.12 to 8.0.28, after an instant ADD COLUMN: the fields of the records written
    /// before it (a record flagged keeps its own count).
    core: Option<usize>,
}

impl TableDef {
    /// The table's name without its database (and partition): the columns' prefix.
    pub fn short_name(&self) -> &str {
        let t = self.name.rsplit('/').next().unwrap_or(&self.name);
        t.split("#P#").next().unwrap_or(t)
    }
    /// Its columns' names.
    pub fn column_names(&self) -> Vec<String> {
        self.cols.iter().map(|c| c.name.clone()).collect()
    }
    /// The encoding of its first text column (UTF-8 when it has none).
    pub fn encoding(&self) -> &'static str {
        self.cols
            .iter()
            .find_map(Col::encoding)
            .map_or("UTF-8", |e| e.name())
    }
}

/// A table's clustered index.
#[derive(Clone, Debug)]
struct Index {
    id: u64,
    /// Its root page.
    root: u32,
    /// The fields of its key (the primary key's columns, or `DB_ROW_ID`).
    keys: usize,
    /// The fields of its leaf records.
    fields: Vec<Field>,
}

/// The dictionary: tables by their tablespace's id.
#[derive(Debug, Default)]
pub(crate) struct Dict {
    tables: Vec<TableDef>,
    /// Tables by their tablespace's id (a file of their own: one table, or several in a
    /// general tablespace of MySQL 5.7, `CREATE TABLESPACE`).
    by_space: HashMap<u32, Vec<usize>>,
}

impl Dict {
    /// The dictionary of the system tablespace at `path` (`ibdata1`), if it is one.
    pub fn load(path: &Path) -> Option<Dict> {
        let f = std::fs::File::open(path).ok()?;
        Dict::read(&f)
    }

    /// The dictionary in a system tablespace (space 0).
    pub fn read(src: &(impl Pages + ?Sized)) -> Option<Dict> {
        let mut head = vec![0u8; FIL_PAGE_DATA + 24];
        src.read_at(&mut head, 0).ok()?;
        let (space, ps) = space_of(&head)?;
        if space != 0 {
            return None;
        }
        let hdr = page(src, ps, DICT_HDR_PAGE)?;
        // DICT_HDR: row id, table id, index id, max space id, mix id low, then the roots.
        let root = |i: usize| u32_at(&hdr, FIL_PAGE_DATA + 32 + 4 * i);
        let mut budget = DICT_PAGES;
        let mut left = DICT_RECORDS;
        let mut recs = |r: u32| -> Vec<Vec<Option<Vec<u8>>>> {
            let mut out = Vec::new();
            leaves(src, ps, r, &mut budget, &mut |p| {
                for o in chain(p, false) {
                    if left == 0 {
                        return;
                    }
                    if p.get(o.saturating_sub(6))
                        .is_some_and(|b| b & REC_DELETED != 0)
                    {
                        continue;
                    }
                    if let Some(f) = old_fields(p, o) {
                        left -= 1;
                        out.push(
                            f.iter()
                                .map(|x| x.map(|(s, e, _)| p[s..e.min(s + 256)].to_vec()))
                                .collect(),
                        );
                    }
                }
            });
            out
        };
        let (tables, columns, indexes, fields) =
            (recs(root(0)), recs(root(2)), recs(root(3)), recs(root(4)));
        let num = |r: &[Option<Vec<u8>>], i: usize| r.get(i).and_then(|v| v.as_deref()).map(uint);
        let text = |r: &[Option<Vec<u8>>], i: usize| {
            r.get(i)
                .and_then(|v| v.as_deref())
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        // Columns by table id, in their order.
        let mut cols: HashMap<u64, Vec<(u64, Col)>> = HashMap::new();
        for r in &columns {
            let (Some(tid), Some(pos), Some(name), Some(mtype), Some(prtype), Some(len)) = (
                num(r, 0),
                num(r, 1),
                text(r, 4),
                num(r, 5),
                num(r, 6),
                num(r, 7),
            ) else {
                continue;
            };
            let prtype = prtype as u32;
            if prtype & DATA_VIRTUAL != 0 {
                continue;
            }
            let v = cols.entry(tid).or_default();
            if v.len() < MAX_COLUMNS {
                v.push((
                    pos,
                    Col {
                        name,
                        mtype: mtype as u32,
                        prtype,
                        len: len as u32,
                    },
                ));
            }
        }
        // Clustered indexes by table id; their key fields by index id.
        let mut clustered: HashMap<u64, (u64, u32)> = HashMap::new();
        for r in &indexes {
            if let (Some(tid), Some(id), Some(t), Some(root)) =
                (num(r, 0), num(r, 1), num(r, 6), num(r, 8))
                && t & 1 != 0
            {
                clustered.insert(tid, (id, root as u32));
            }
        }
        let mut keys: HashMap<u64, Vec<(u64, String)>> = HashMap::new();
        for r in &fields {
            if let (Some(iid), Some(pos), Some(name)) = (num(r, 0), num(r, 1), text(r, 4)) {
                keys.entry(iid).or_default().push((pos, name));
            }
        }
        let mut by_space = HashMap::new();
        let mut tables_out = Vec::new();
        for r in &tables {
            let (Some(name), Some(id), Some(n_cols), Some(space)) =
                (text(r, 0), num(r, 3), num(r, 4), num(r, 9))
            else {
                continue;
            };
            let Some(mut cs) = cols.remove(&id) else {
                continue;
            };
            cs.sort_by_key(|(p, _)| *p);
            let cols: Vec<Col> = cs.into_iter().map(|(_, c)| c).collect();
            let compact = n_cols & 0x8000_0000 != 0;
            let index = clustered.get(&id).and_then(|(iid, root)| {
                let mut k = keys.remove(iid).unwrap_or_default();
                k.sort_by_key(|(p, _)| *p);
                let names: Vec<String> = k.into_iter().map(|(_, n)| n).collect();
                layout(&cols, &names, compact).map(|fields| Index {
                    id: *iid,
                    root: *root,
                    keys: names.len().max(1),
                    fields,
                })
            });
            if space != 0 {
                let v: &mut Vec<usize> = by_space.entry(space as u32).or_default();
                v.push(tables_out.len());
            }
            tables_out.push(TableDef {
                name,
                space: space as u32,
                compact,
                cols,
                index,
                mysql: None,
            });
        }
        Some(Dict {
            tables: tables_out,
            by_space,
        })
    }

    /// The table kept in tablespace `space` (a file of its own), if it is the only one.
    #[cfg(test)]
    pub fn table(&self, space: u32) -> Option<&TableDef> {
        match self.tables_in(space).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The tables kept in tablespace `space` (not the system tablespace's).
    pub fn tables_in(&self, space: u32) -> Vec<&TableDef> {
        self.by_space
            .get(&space)
            .map(|v| v.iter().filter_map(|i| self.tables.get(*i)).collect())
            .unwrap_or_default()
    }

    /// The users' tables kept in the system tablespace itself (`innodb_file_per_table=0`,
    /// the default before MySQL 5.6), not the dictionary's own (`SYS_FOREIGN`…).
    pub fn system_tables(&self) -> Vec<&TableDef> {
        self.tables
            .iter()
            .filter(|t| t.space == 0 && t.index.is_some() && t.name.contains('/'))
            .collect()
    }
}

/// The field of column `i` in a clustered index's records.
fn col_field(cols: &[Col], i: usize, compact: bool) -> Option<Field> {
    let c = cols.get(i)?;
    Some(Field {
        col: Some(i),
        fixed: if compact {
            c.fixed()
        } else {
            Some(c.len as usize)
        },
        big: c.big(),
        nullable: c.nullable(),
    })
}

/// A system field of `n` bytes (`DB_ROW_ID`, `DB_TRX_ID`, `DB_ROLL_PTR`).
fn sys_field(n: usize) -> Field {
    Field {
        col: None,
        fixed: Some(n),
        big: false,
        nullable: false,
    }
}

/// The fields of a clustered index's leaf records: the key's columns (or `DB_ROW_ID`), the
/// transaction id and roll pointer, then every other column in the table's order.
fn layout(cols: &[Col], key: &[String], compact: bool) -> Option<Vec<Field>> {
    let mut out = Vec::new();
    let mut in_key = vec![false; cols.len()];
    if key.is_empty() {
        out.push(sys_field(6));
    }
    for k in key {
        let i = cols.iter().position(|c| c.name == *k)?;
        out.push(col_field(cols, i, compact)?);
        in_key[i] = true;
    }
    out.push(sys_field(6));
    out.push(sys_field(7));
    for (i, _) in cols.iter().enumerate() {
        if !in_key[i] {
            out.push(col_field(cols, i, compact)?);
        }
    }
    Some(out)
}

/// The largest `.frm` file read (the server's own limit is 64 MiB; a table's is some KiB).
pub(crate) const FRM_CAP: u64 = 4 << 20;

/// Little-endian numbers of the `.frm` format.
fn le16(b: &[u8], i: usize) -> usize {
    b.get(i..i + 2)
        .map_or(0, |v| usize::from(u16::from_le_bytes([v[0], v[1]])))
}

/// The table described by the `.frm` file MariaDB (every version) and MySQL up to 5.7 keep
/// beside each table file (`shop/customers.frm`): for a table file found without `ibdata1`
/// or a `.cfg`. Its fields (17 bytes each after the form information, then their names
/// between `0xFF` bytes) give the columns, their MySQL types, lengths, character sets and
/// nullability, mapped to InnoDB's types as the server maps them; its keys give the
/// clustered index (the `PRIMARY` key, else the first unique key of columns that are not
/// NULL, else the row id). The clustered index's id and root and the row format come from
/// the table file itself (`clustered_index`).
pub(crate) fn from_frm(
    b: &[u8],
    name: &str,
    (id, root, compact): (u64, u32, bool),
) -> Option<TableDef> {
    if b.get(..2) != Some(&[0xFE, 0x01]) {
        return None;
    }
    let extra2 = le16(b, 4);
    let keys_at = le16(b, 6);
    let forminfo = u32::from_le_bytes(b.get(64 + extra2..68 + extra2)?.try_into().ok()?) as usize;
    let n = le16(b, forminfo.checked_add(258)?);
    let screens = le16(b, forminfo + 260);
    let names_len = le16(b, forminfo + 268);
    let intervals_len = le16(b, forminfo + 274);
    if n == 0 || n > MAX_COLUMNS {
        return None;
    }
    let fields_at = forminfo + 288 + screens;
    let names_at = fields_at + 17 * n;
    let names: Vec<&[u8]> = b
        .get(names_at..names_at + names_len)?
        .split(|x| *x == 0xFF)
        .skip(1)
        .take(n)
        .collect();
    if names.len() != n {
        return None;
    }
    // The values of each ENUM and SET (for their stored width).
    let intervals_at = names_at + names_len;
    let intervals: Vec<usize> = match b.get(intervals_at..intervals_at + intervals_len) {
        Some(iv) if !iv.is_empty() => iv
            .split(|x| *x == 0)
            .filter(|v| !v.is_empty())
            .map(|v| v.iter().filter(|x| **x == v[0]).count().saturating_sub(1))
            .collect(),
        _ => Vec::new(),
    };
    let mut cols = Vec::with_capacity(n);
    for (i, col_name) in names.iter().enumerate() {
        let e = b.get(fields_at + 17 * i..fields_at + 17 * i + 17)?;
        let len = le16(e, 3) as u32;
        let pack = le16(e, 8) as u32;
        let ty = u32::from(e[13]);
        let cs = u32::from(e[14]) | (u32::from(e[11]) << 8);
        let nullable = pack & 0x8000 != 0;
        let signed = pack & 1 != 0;
        let dec = (pack >> 8) & 31;
        let values = || intervals.get(usize::from(e[12]).wrapping_sub(1)).copied();
        let (ty, values) = match ty {
            // ENUM and SET are kept as strings with flags in a `.frm`.
            254 if pack & 0x100 != 0 => (247, values()?),
            254 if pack & 0x200 != 0 => (248, values()?),
            _ => (ty, 0),
        };
        let (mtype, prtype, len) = innodb_type(&MyType {
            ty,
            len,
            cs,
            nullable,
            unsigned: !signed,
            dec,
            precision: len.saturating_sub(u32::from(dec > 0) + u32::from(signed)),
            values,
        })?;
        cols.push(Col {
            name: String::from_utf8_lossy(col_name).into_owned(),
            mtype,
            prtype,
            len,
        });
    }
    // The keys: their count (one byte, or two with 0x80 set), then each key's 8 bytes and
    // its parts' 9 bytes each, then their names between `0xFF` bytes.
    let k = b.get(keys_at..)?;
    let (n_keys, mut at) = match k.first()? {
        x if x & 0x80 != 0 => ((usize::from(*k.get(1)?) << 7) | usize::from(x & 0x7F), 6),
        x => (usize::from(*x), 6),
    };
    let mut keys: Vec<(bool, Vec<usize>)> = Vec::new();
    for _ in 0..n_keys.min(1024) {
        let unique = le16(k, at) & 1 == 0;
        let parts = usize::from(*k.get(at + 4)?);
        at += 8;
        let mut cols_of = Vec::with_capacity(parts);
        for _ in 0..parts {
            cols_of.push((le16(k, at) & 0x3FFF).checked_sub(1)?);
            at += 9;
        }
        keys.push((unique, cols_of));
    }
    let key_names: Vec<&[u8]> = k
        .get(at..)?
        .split(|x| *x == 0xFF)
        .skip(1)
        .take(n_keys)
        .collect();
    let primary = key_names
        .iter()
        .position(|n| *n == b"PRIMARY")
        .and_then(|i| keys.get(i))
        .or_else(|| {
            keys.iter().find(|(unique, c)| {
                *unique
                    && !c.is_empty()
                    && c.iter()
                        .all(|i| cols.get(*i).is_some_and(|c| !c.nullable()))
            })
        });
    let key: Vec<String> = match primary {
        Some((_, c)) => c
            .iter()
            .map(|i| cols.get(*i).map(|c| c.name.clone()))
            .collect::<Option<_>>()?,
        None => Vec::new(),
    };
    let fields = layout(&cols, &key, compact)?;
    Some(TableDef {
        name: name.to_string(),
        space: 1,
        compact,
        cols,
        index: Some(Index {
            id,
            root,
            keys: key.len().max(1),
            fields,
        }),
        mysql: None,
    })
}

/// The bytes of a DECIMAL of `precision` digits, `scale` after the point (MySQL's binary
/// format: nine digits in four bytes, the rest in as few as they need).
fn decimal_bytes(precision: u32, scale: u32) -> u32 {
    const DIG: [u32; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
    let int = precision.saturating_sub(scale);
    int / 9 * 4 + DIG[(int % 9) as usize] + scale / 9 * 4 + DIG[(scale % 9) as usize]
}

/// A column as the server describes it (a `.frm` field, a MySQL 8 dictionary column).
struct MyType {
    /// Its MySQL type (`enum_field_types`: 3 `LONG`, 15 `VARCHAR`, 254 `STRING`...).
    ty: u32,
    /// Its length in bytes (strings: characters times the character set's widest).
    len: u32,
    /// Its collation.
    cs: u32,
    nullable: bool,
    unsigned: bool,
    /// Digits after the point (decimals, fractional seconds).
    dec: u32,
    /// A decimal's digits.
    precision: u32,
    /// An ENUM's or a SET's values.
    values: usize,
}

/// The InnoDB type (`mtype`, `prtype`, length) of a column of MySQL type `t`, as the
/// server maps it (`get_innobase_type_from_mysql_type`): `None` for a type it does not know.
fn innodb_type(t: &MyType) -> Option<(u32, u32, u32)> {
    let ty = t.ty;
    let flags = if t.nullable { 0 } else { DATA_NOT_NULL };
    let int = |n: u32, unsigned: bool, kind: u32| {
        (
            DATA_INT,
            kind | flags | if unsigned { DATA_UNSIGNED } else { 0 },
            n,
        )
    };
    let text = |mtype: u32, kind: u32| (mtype, kind | flags | (t.cs << 16), t.len);
    let frac = t.dec.div_ceil(2);
    Some(match ty {
        1 => int(1, t.unsigned, ty),
        2 => int(2, t.unsigned, ty),
        9 => int(3, t.unsigned, ty),
        3 => int(4, t.unsigned, ty),
        8 => int(8, t.unsigned, ty),
        13 => int(1, true, ty),
        14 => int(3, false, ty),
        12 => int(8, true, ty),
        7 => int(4, true, ty),
        11 => int(3, false, ty),
        18 => (DATA_FIXBINARY, MYSQL_TYPE_DATETIME | flags, 5 + frac),
        17 => (DATA_FIXBINARY, MYSQL_TYPE_TIMESTAMP | flags, 4 + frac),
        19 => (DATA_FIXBINARY, 19 | flags, 3 + frac),
        4 => (9, ty | flags, 4),
        5 => (10, ty | flags, 8),
        16 => (DATA_FIXBINARY, ty | flags, t.len.div_ceil(8)),
        246 => (
            DATA_FIXBINARY,
            ty | flags,
            decimal_bytes(t.precision, t.dec),
        ),
        15 | 253 if t.cs == 63 => text(DATA_BINARY, ty),
        15 | 253 => text(DATA_VARMYSQL, ty),
        // ENUM: a value's number, one or two bytes; SET: a bit per value (both typed as
        // strings, 254, in `prtype`).
        247 => int(if t.values < 256 { 1 } else { 2 }, true, 254),
        248 => int(
            match t.values.div_ceil(8) {
                w @ 0..=4 => w.max(1) as u32,
                _ => 8,
            },
            true,
            254,
        ),
        254 if t.cs == 63 => text(DATA_FIXBINARY, ty),
        254 => text(DATA_MYSQL, ty),
        249..=252 | 245 => text(DATA_BLOB, ty),
        255 => (DATA_GEOMETRY, ty | flags, t.len),
        _ => return None,
    })
}

/// The clustered index of a file-per-table tablespace: the index whose root is page 3 (the
/// first the server creates), its id, and whether its records are COMPACT.
pub(crate) fn clustered_index(src: &(impl Pages + ?Sized), ps: usize) -> Option<(u64, u32, bool)> {
    let p = page(src, ps, 3)?;
    matches!(u16_at(&p, FIL_PAGE_TYPE), PAGE_INDEX | PAGE_INSTANT).then(|| {
        (
            u64_at(&p, PAGE_INDEX_ID),
            3,
            u16_at(&p, PAGE_N_HEAP) & 0x8000 != 0,
        )
    })
}

/// MySQL 8's tablespace flag: the file keeps SDI.
const FSP_FLAGS_SDI: u32 = 1 << 14;
/// A MySQL 8 dictionary's page of serialized dictionary information (SDI).
const PAGE_SDI: u16 = 17853;
/// A page of a long SDI value (the BLOB chain of older servers' format).
const PAGE_SDI_BLOB: u16 = 18;
/// The pages of a long value in MySQL 8's format: its first page (an index of its parts
/// and the first part), further index pages, and data pages.
const PAGE_LOB_INDEX: u16 = 22;
const PAGE_LOB_DATA: u16 = 23;
const PAGE_LOB_FIRST: u16 = 24;
/// The largest SDI value inflated (a table's description is some KiB; a table of 4096
/// columns some MiB).
const SDI_CAP: u64 = 32 << 20;
/// SDI records read at most (one per table and one for the tablespace; a general
/// tablespace holds many tables).
const SDI_RECORDS: usize = 100_000;

/// Where page 0 of a MySQL 8 tablespace keeps the SDI version and root page: after the
/// space header, the extent descriptors and the encryption information (10505 for 16 KiB
/// pages).
fn sdi_offset(ps: usize) -> usize {
    let extent = if ps <= 16384 { (1 << 20) / ps } else { 64 };
    let xdes = 24 + (2 * extent).div_ceil(8);
    FIL_PAGE_DATA + 112 + xdes * (ps / extent) + 115
}

/// The tables a MySQL 8 tablespace describes itself (its SDI: a B-tree of zlib-compressed
/// JSON, one record per table and one for the tablespace, rooted at the page that page 0
/// names): one for a table's file, several for a general tablespace or `mysql.ibd`.
/// Empty when the file has no SDI (MariaDB, MySQL up to 5.7) or it does not parse.
pub(crate) fn from_sdi(src: &(impl Pages + ?Sized), ps: usize) -> Vec<TableDef> {
    let mut out = Vec::new();
    let Some(p0) = page(src, ps, 0) else {
        return out;
    };
    let at = sdi_offset(ps);
    if u32_at(&p0, at) != 1 {
        return out;
    }
    let space = u32_at(&p0, FIL_PAGE_SPACE_ID);
    let Some(mut p) = page(src, ps, u32_at(&p0, at + 4)) else {
        return out;
    };
    // The record's fields: type, id, DB_TRX_ID, DB_ROLL_PTR, the lengths inflated and
    // compressed, the data.
    let mut fields: Vec<Field> = [4, 8, 6, 7, 4, 4].into_iter().map(sys_field).collect();
    fields.push(Field {
        col: None,
        fixed: None,
        big: true,
        nullable: false,
    });
    // Down the leftmost node pointers (type, id, child page).
    for _ in 0..32 {
        if u16_at(&p, FIL_PAGE_TYPE) != PAGE_SDI {
            return out;
        }
        if u16_at(&p, PAGE_LEVEL) == 0 {
            break;
        }
        let Some(child) = chain(&p, true).first().map(|o| u32_at(&p, o + 12)) else {
            return out;
        };
        match page(src, ps, child) {
            Some(c) => p = c,
            None => return out,
        }
    }
    let mut left = SDI_CAP as usize;
    // What all records inflate to, at most (each record's JSON is capped too): a file of
    // many records that each inflate to the cap is no description.
    let mut inflated = 0u64;
    let mut records = 0;
    for _ in 0..DICT_PAGES {
        if u16_at(&p, FIL_PAGE_TYPE) != PAGE_SDI || u16_at(&p, PAGE_LEVEL) != 0 {
            break;
        }
        for o in chain(&p, true) {
            records += 1;
            if records > SDI_RECORDS {
                return out;
            }
            let info = p.get(o.wrapping_sub(5)).copied().unwrap_or(0);
            let Some(f) = (info & REC_DELETED == 0)
                .then(|| new_fields(&p, o, 0, &fields))
                .flatten()
            else {
                continue;
            };
            // Type 1: a table (2 is the tablespace).
            let (Some(Some((t, _, _))), Some(Some((s, e, ext)))) = (f.first(), f.get(6)) else {
                continue;
            };
            if u32_at(&p, *t) != 1 {
                continue;
            }
            let data = if *ext {
                let (inline, r) = p[*s..*e].split_at(e - s - EXTERN_REF);
                match external(src, ps, r, &mut left) {
                    Some(mut v) => {
                        let mut all = inline.to_vec();
                        all.append(&mut v);
                        all
                    }
                    None => continue,
                }
            } else {
                p[*s..*e].to_vec()
            };
            let z = flate2::read::ZlibDecoder::new(&data[..]);
            let json = match kizuki_core::io::read_capped(z, SDI_CAP - inflated) {
                Ok(Some(json)) => json,
                Ok(None) => return out,
                Err(_) => continue,
            };
            inflated += json.len() as u64;
            if let Some(def) = serde_json::from_slice(&json)
                .ok()
                .and_then(|v| sdi_table(&v, space))
            {
                out.push(def);
            }
        }
        let next = u32_at(&p, FIL_PAGE_NEXT);
        match (next != FIL_NULL).then(|| page(src, ps, next)).flatten() {
            Some(n) => p = n,
            None => break,
        }
    }
    out
}

/// A number in a dictionary's `key=value;` list (`id=188;root=4;space_id=19;`).
fn private_value(list: &str, key: &str) -> Option<u64> {
    list.split(';').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.parse().ok()).flatten()
    })
}

/// The `se_private_data` of the clustered index of the partition (or subpartition) of
/// table `t` kept in tablespace `space`.
fn partition_index(t: &serde_json::Value, space: u32) -> Option<String> {
    use serde_json::Value;
    let mut parts: Vec<&Value> = t.get("partitions")?.as_array()?.iter().collect();
    let mut seen = 0;
    while let Some(p) = parts.pop() {
        seen += 1;
        if seen > 100_000 {
            return None;
        }
        if let Some(sub) = p.get("subpartitions").and_then(Value::as_array) {
            parts.extend(sub);
        }
        for ix in p
            .get("indexes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let se = ix
                .get("se_private_data")
                .and_then(Value::as_str)
                .unwrap_or("");
            if ix.get("index_opx").and_then(Value::as_u64).unwrap_or(0) == 0
                && private_value(se, "space_id") == Some(u64::from(space))
            {
                return Some(se.to_string());
            }
        }
    }
    None
}

/// The table a MySQL 8 SDI record describes (`dd_object_type` `Table`): its columns, typed
/// as the server maps them to InnoDB's types, and its clustered index (the first index:
/// `PRIMARY`, or the hidden one on `DB_ROW_ID`), whose elements give the order of a
/// record's fields; for a table altered by an instant ADD or DROP COLUMN (8.0.29 and
/// later), the fields of each row version (by the columns' physical positions).
fn sdi_table(v: &serde_json::Value, space: u32) -> Option<TableDef> {
    use serde_json::Value;
    if v.get("dd_object_type")?.as_str()? != "Table" {
        return None;
    }
    let t = v.get("dd_object")?;
    let name = t.get("name")?.as_str()?;
    let schema = t.get("schema_ref").and_then(Value::as_str).unwrap_or("");
    let compact = t.get("row_format").and_then(Value::as_u64) != Some(4);
    let num = |c: &Value, k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0);
    let flag = |c: &Value, k: &str| c.get(k).and_then(Value::as_bool).unwrap_or(false);
    let private = |c: &Value| {
        c.get("se_private_data")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let columns = t.get("columns")?.as_array()?;
    if columns.len() > MAX_COLUMNS {
        return None;
    }
    // Each stored column: the table's column it is (`None`: a system column, or one an
    // instant DROP left in older rows), and its field.
    let mut cols: Vec<Col> = Vec::new();
    let mut stored: Vec<Option<(Option<usize>, Field)>> = Vec::with_capacity(columns.len());
    for c in columns {
        let col_name = c.get("name").and_then(Value::as_str).unwrap_or("");
        let se = private(c);
        if flag(c, "is_virtual") {
            stored.push(None);
            continue;
        }
        let field = match col_name {
            "DB_ROW_ID" | "DB_TRX_ID" => (None, sys_field(6)),
            "DB_ROLL_PTR" => (None, sys_field(7)),
            _ => {
                // dd's column types (1 DECIMAL .. 20 TIME2, 21 NEWDECIMAL, 22 ENUM, 23 SET,
                // 24-27 BLOBs, 28 VAR_STRING, 29 STRING, 30 GEOMETRY, 31 JSON) as MySQL's.
                let ty = match num(c, "type") {
                    n @ 1..=20 => n as u32 - 1,
                    n @ 21..=30 => n as u32 + 225,
                    31 => 245,
                    _ => return None,
                };
                let values = c
                    .get("elements")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                let (mtype, prtype, len) = innodb_type(&MyType {
                    ty,
                    len: num(c, "char_length") as u32,
                    cs: num(c, "collation_id") as u32,
                    nullable: flag(c, "is_nullable"),
                    unsigned: flag(c, "is_unsigned"),
                    dec: if matches!(ty, 17..=19 | 7 | 11 | 12) {
                        num(c, "datetime_precision") as u32
                    } else {
                        num(c, "numeric_scale") as u32
                    },
                    precision: num(c, "numeric_precision") as u32,
                    values,
                })?;
                let col = Col {
                    name: col_name.to_string(),
                    mtype,
                    prtype,
                    len,
                };
                let dropped = private_value(&se, "version_dropped").is_some();
                let field = Field {
                    col: None,
                    fixed: if compact {
                        col.fixed()
                    } else {
                        Some(len as usize)
                    },
                    big: col.big(),
                    nullable: col.nullable(),
                };
                if dropped {
                    (None, field)
                } else {
                    cols.push(col);
                    (
                        Some(cols.len() - 1),
                        Field {
                            col: Some(cols.len() - 1),
                            ..field
                        },
                    )
                }
            }
        };
        stored.push(Some(field));
    }
    let index = t.get("indexes")?.as_array()?.first()?;
    // The clustered index's id and root: the table's, or for a partitioned table the
    // partition's in this tablespace (its indexes name the table's by `index_opx`).
    let se = match private_value(&private(index), "id") {
        Some(_) => private(index),
        None => partition_index(t, space)?,
    };
    let id = private_value(&se, "id")?;
    let root = u32::try_from(private_value(&se, "root")?).ok()?;
    let elements = index.get("elements")?.as_array()?;
    let mut fields = Vec::with_capacity(elements.len());
    let mut keys = 0;
    for e in elements {
        let (_, f) = stored.get(num(e, "column_opx") as usize)?.clone()?;
        if !flag(e, "hidden") {
            keys += 1;
        }
        fields.push(f);
    }
    // Row versions: the stored columns present in version `v` (added at or before it, not
    // dropped by it), in their physical order.
    let pos = |c: &Value| private_value(&private(c), "physical_pos");
    let versions = if columns.iter().any(|c| pos(c).is_some()) {
        let last = columns
            .iter()
            .flat_map(|c| {
                let se = private(c);
                [
                    private_value(&se, "version_added"),
                    private_value(&se, "version_dropped"),
                ]
            })
            .flatten()
            .max()
            .unwrap_or(0)
            .min(255);
        let mut versions = Vec::new();
        for v in 0..=last {
            let mut present: Vec<(u64, Field)> = Vec::new();
            for (c, f) in columns.iter().zip(&stored) {
                let (Some((_, f)), Some(at)) = (f, pos(c)) else {
                    continue;
                };
                let se = private(c);
                let added = private_value(&se, "version_added").unwrap_or(0);
                let dropped = private_value(&se, "version_dropped").unwrap_or(u64::MAX);
                if added <= v && v < dropped {
                    present.push((at, f.clone()));
                }
            }
            present.sort_by_key(|(at, _)| *at);
            versions.push(present.into_iter().map(|(_, f)| f).collect());
        }
        versions
    } else {
        Vec::new()
    };
    // 8.0.12 to 8.0.28: `instant_col=N`, the columns the table had at its first instant
    // ADD COLUMN; the records written before it end before the columns added since.
    let core = private_value(&private(t), "instant_col").and_then(|n| {
        let added = cols.len().checked_sub(usize::try_from(n).ok()?)?;
        fields.len().checked_sub(added)
    });
    Some(TableDef {
        name: if schema.is_empty() {
            name.to_string()
        } else {
            format!("{schema}/{name}")
        },
        space: 1,
        compact,
        cols,
        index: Some(Index {
            id,
            root,
            keys: keys.max(1),
            fields,
        }),
        mysql: Some(Instant8 { versions, core }),
    })
}

/// The largest `.cfg` file read.
pub(crate) const CFG_CAP: u64 = 1 << 20;

/// The table described by the `.cfg` file that `FLUSH TABLES … FOR EXPORT` (and
/// `mariabackup --export`) writes beside a tablespace for its import elsewhere (format
/// version 1, MariaDB's and MySQL 5.6's): the table's name and flags, its columns (system
/// ones included) and its indexes with their fields in order: what the dictionary would
/// give, for a file copied without `ibdata1`.
pub(crate) fn from_cfg(b: &[u8]) -> Option<TableDef> {
    let mut at = 0usize;
    let mut u32_next = || {
        let v = b.get(at..at + 4)?;
        at += 4;
        Some(u32::from_be_bytes([v[0], v[1], v[2], v[3]]))
    };
    if u32_next()? != 1 {
        return None;
    }
    // A string: its length (with its closing zero), then its bytes.
    fn text(b: &[u8], at: &mut usize) -> Option<String> {
        let n = u32_at(b, *at) as usize;
        let v = b.get(*at + 4..(*at + 4).checked_add(n)?)?;
        *at += 4 + n;
        (n <= 4096).then(|| String::from_utf8_lossy(v.strip_suffix(&[0]).unwrap_or(v)).into_owned())
    }
    let _host = text(b, &mut at)?;
    let name = text(b, &mut at)?;
    // The auto-increment value, the page size, the table's flags, the columns.
    let flags = u32_at(b, at + 12);
    let n_cols = u32_at(b, at + 16) as usize;
    at += 20;
    if n_cols > MAX_COLUMNS + 3 || b.len() < at {
        return None;
    }
    let compact = flags & 1 != 0;
    let mut all: Vec<Col> = Vec::with_capacity(n_cols);
    for _ in 0..n_cols {
        let (prtype, mtype, len) = (u32_at(b, at), u32_at(b, at + 4), u32_at(b, at + 8));
        // Then mbminmaxlen, ind, ord_part, max_prefix.
        at += 28;
        let name = text(b, &mut at)?;
        all.push(Col {
            name,
            mtype,
            prtype,
            len,
        });
    }
    let cols: Vec<Col> = all
        .iter()
        .filter(|c| c.mtype != DATA_SYS)
        .cloned()
        .collect();
    let n_indexes = u32_at(b, at) as usize;
    at += 4;
    for _ in 0..n_indexes.min(1024) {
        let id = u64_at(b, at);
        let (space, root, kind) = (u32_at(b, at + 8), u32_at(b, at + 12), u32_at(b, at + 16));
        // Then the offset of DB_TRX_ID and the user-defined columns.
        let (uniq, n_fields) = (u32_at(b, at + 28), u32_at(b, at + 36) as usize);
        at += 40;
        let _index = text(b, &mut at)?;
        if n_fields > MAX_COLUMNS + 3 {
            return None;
        }
        let mut fields = Vec::with_capacity(n_fields);
        for _ in 0..n_fields {
            let prefix = u32_at(b, at) as usize;
            at += 8;
            let f = text(b, &mut at)?;
            fields.push(match f.as_str() {
                "DB_ROW_ID" | "DB_TRX_ID" => sys_field(6),
                "DB_ROLL_PTR" => sys_field(7),
                _ => {
                    let i = cols.iter().position(|c| c.name == f)?;
                    let mut field = col_field(&cols, i, compact)?;
                    if prefix > 0 {
                        // A key on the column's first bytes: its length is kept.
                        field.fixed = None;
                        field.big = prefix > 255;
                    }
                    field
                }
            });
        }
        if kind & 1 != 0 {
            return Some(TableDef {
                name,
                space,
                compact,
                cols,
                index: Some(Index {
                    id,
                    root,
                    keys: (uniq as usize).clamp(1, fields.len().max(1)),
                    fields,
                }),
                mysql: None,
            });
        }
    }
    None
}

/// Page `n` of a tablespace of pages of `ps` bytes.
fn page(src: &(impl Pages + ?Sized), ps: usize, n: u32) -> Option<Vec<u8>> {
    let mut p = vec![0u8; ps];
    src.read_at(&mut p, u64::from(n) * ps as u64).ok()?;
    (u32_at(&p, FIL_PAGE_OFFSET) == n).then_some(p)
}

/// Calls `f` with each leaf page of the B-tree at `root`, left to right (at most `budget`
/// pages in all).
fn leaves(
    src: &(impl Pages + ?Sized),
    ps: usize,
    root: u32,
    budget: &mut usize,
    f: &mut dyn FnMut(&[u8]),
) {
    let Some(mut p) = page(src, ps, root) else {
        return;
    };
    // Down the leftmost node pointers (the dictionary's trees are REDUNDANT: the child's
    // page number is the first record's last field).
    for _ in 0..32 {
        if u16_at(&p, PAGE_LEVEL) == 0 || *budget == 0 {
            break;
        }
        *budget -= 1;
        if u16_at(&p, PAGE_N_HEAP) & 0x8000 != 0 {
            return;
        }
        let Some(o) = chain(&p, false).into_iter().next() else {
            return;
        };
        let child = match old_fields(&p, o).and_then(|f| f.last().copied().flatten()) {
            Some((s, e, _)) if e == s + 4 => u32_at(&p, s),
            _ => return,
        };
        match page(src, ps, child) {
            Some(c) => p = c,
            None => return,
        }
    }
    while *budget > 0 && u16_at(&p, FIL_PAGE_TYPE) == PAGE_INDEX && u16_at(&p, PAGE_LEVEL) == 0 {
        *budget -= 1;
        f(&p);
        let next = u32_at(&p, FIL_PAGE_NEXT);
        match (next != FIL_NULL).then(|| page(src, ps, next)).flatten() {
            Some(n) => p = n,
            None => break,
        }
    }
}

/// The origins of the records of a page from `infimum` to `supremum` (each once, in order;
/// a loop or a pointer out of the page ends the chain).
fn chain(p: &[u8], compact: bool) -> Vec<usize> {
    let (start, end) = if compact {
        (INFIMUM_NEW, SUPREMUM_NEW)
    } else {
        (INFIMUM_OLD, SUPREMUM_OLD)
    };
    follow(p, start, compact, Some(end))
}

/// The records from `o` on (excluded), following their next pointers until `end` (or a
/// zero pointer): each at most once.
fn follow(p: &[u8], mut o: usize, compact: bool, end: Option<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    // The origins met, a bit each.
    let mut seen = vec![0u64; p.len().div_ceil(64)];
    let mask = p.len() - 1;
    for _ in 0..p.len() / 5 {
        let Some(raw) = o.checked_sub(2).map(|i| u16_at(p, i)) else {
            break;
        };
        let next = if compact {
            if raw == 0 {
                break;
            }
            (o + usize::from(raw)) & 0xFFFF & mask
        } else {
            usize::from(raw)
        };
        if next == 0 || Some(next) == end || next < INFIMUM_NEW || next >= p.len() - 8 {
            break;
        }
        let (word, bit) = (next / 64, 1u64 << (next % 64));
        match seen.get_mut(word) {
            Some(w) if *w & bit == 0 => *w |= bit,
            _ => break,
        }
        out.push(next);
        o = next;
    }
    out
}

/// A field's place in its page: start, end, and whether its value goes on out of the
/// record (the end's last 20 bytes then point to it).
type At = (usize, usize, bool);

/// The fields of a REDUNDANT record at `o` (`None`: SQL NULL), from the end offsets kept
/// before it.
fn old_fields(p: &[u8], o: usize) -> Option<Vec<Option<At>>> {
    let info = u16_at(p, o.checked_sub(4)?);
    let n = usize::from((info >> 1) & 0x3FF);
    let short = info & 1 != 0;
    let mut out = Vec::with_capacity(n);
    let mut start = 0usize;
    for i in 0..n {
        let (end, null, ext) = if short {
            let b = *p.get(o.checked_sub(7 + i)?)?;
            (usize::from(b & 0x7F), b & 0x80 != 0, false)
        } else {
            let v = u16_at(p, o.checked_sub(8 + 2 * i)?);
            (usize::from(v & 0x3FFF), v & 0x8000 != 0, v & 0x4000 != 0)
        };
        if end < start || o + end > p.len() - 8 {
            return None;
        }
        out.push((!null).then_some((o + start, o + end, ext)));
        start = end;
    }
    Some(out)
}

/// The fields of a COMPACT (or DYNAMIC) record at `o` under `fields`, from its null bitmap
/// and the lengths kept before it (after `extra` bytes: the count of fields an instant
/// ALTER added).
fn new_fields(p: &[u8], o: usize, extra: usize, fields: &[Field]) -> Option<Vec<Option<At>>> {
    let nullable = fields.iter().filter(|f| f.nullable).count();
    let mut null_byte = o.checked_sub(6 + extra)?;
    let mut len_at = o.checked_sub(6 + extra + nullable.div_ceil(8))?;
    let mut bit = 0;
    let mut at = o;
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        if f.nullable {
            let b = *p.get(null_byte)?;
            let null = b & (1 << bit) != 0;
            bit += 1;
            if bit == 8 {
                bit = 0;
                null_byte = null_byte.checked_sub(1)?;
            }
            if null {
                out.push(None);
                continue;
            }
        }
        let (len, ext) = match f.fixed {
            Some(n) => (n, false),
            None => {
                let b1 = *p.get(len_at)?;
                len_at = len_at.checked_sub(1)?;
                if f.big && b1 & 0x80 != 0 {
                    let b2 = *p.get(len_at)?;
                    len_at = len_at.checked_sub(1)?;
                    (
                        (usize::from(b1 & 0x3F) << 8) | usize::from(b2),
                        b1 & 0x40 != 0,
                    )
                } else {
                    (usize::from(b1), false)
                }
            }
        };
        let end = at + len;
        if end > p.len() - 8 || ext && len < EXTERN_REF {
            return None;
        }
        out.push(Some((at, end, ext)));
        at = end;
    }
    Some(out)
}

/// What a tablespace's rows held.
pub(crate) struct Space {
    pub encoding: &'static str,
    pub table: String,
    pub live: Part,
    pub dead: Part,
    /// Rows of a format not read (MariaDB's instant ALTER), or that did not parse.
    pub unread: u64,
    /// Values kept out of records not read (past the cap, or their pages missing).
    pub extern_missing: u64,
    /// Pages read from the clustered index.
    pub pages: u64,
}

/// Deleted rows known by their hashes until the live ones are known: at most this many
/// (16 bytes each; more are counted as not read).
const DEAD_ROWS: usize = 4_000_000;

/// What an instant ALTER TABLE of MariaDB left in a table: the fields of the records
/// written before it (`None`: not altered), or a format not read (metadata that does not
/// parse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Instant {
    None,
    Core(usize),
    Unread,
}

/// Reads the rows of the table `def` from its tablespace `src` (pages of `ps` bytes): the
/// clustered index's leaf pages in file order (so pages no longer linked are read too).
/// Rows deleted (marked, or on a page's free list) that hold the same bytes as a live row
/// are copies a page split or an update left behind, not deleted data: they are left out.
pub(crate) fn read(src: &(impl Pages + ?Sized), ps: usize, def: &TableDef, cats: CatSet) -> Space {
    read_all(src, ps, &[def], cats)
        .pop()
        .unwrap_or_else(|| Reader::new(def, cats).space)
}

/// Reads the rows of the tables `defs` kept in one tablespace (the system tablespace of an
/// older server, `innodb_file_per_table=0`) in one pass over its pages: their [`Space`]s in
/// the same order.
pub(crate) fn read_all(
    src: &(impl Pages + ?Sized),
    ps: usize,
    defs: &[&TableDef],
    cats: CatSet,
) -> Vec<Space> {
    // Each table as its records are: after MariaDB's instant DROP COLUMN or reordering,
    // its clustered index's fields as the ALTER's metadata maps them.
    let owned: Vec<(TableDef, Instant)> = defs
        .iter()
        .map(|d| {
            let mut d = (*d).clone();
            let instant = match d.index.as_mut() {
                Some(ix) => {
                    let (instant, fields) = instant_of(src, ps, ix, &d.cols, d.compact);
                    if let Some(f) = fields {
                        ix.fields = f;
                    }
                    instant
                }
                None => Instant::None,
            };
            (d, instant)
        })
        .collect();
    let defs: Vec<&TableDef> = owned.iter().map(|(d, _)| d).collect();
    let mut readers: Vec<Reader<'_>> = defs.iter().map(|d| Reader::new(d, cats)).collect();
    let tables: Vec<(&TableDef, &Index, Instant)> = owned
        .iter()
        .filter_map(|(d, instant)| Some((d, d.index.as_ref()?, *instant)))
        .collect();
    // The readers of the tables with an index, in the order of `tables`.
    let at: Vec<usize> = (0..defs.len())
        .filter(|i| defs[*i].index.is_some())
        .collect();
    let mut extern_left = EXTERN_CAP;
    let pages = each_record(src, ps, &tables, &mut |t, p, rec| {
        if let Some(r) = at.get(t).and_then(|i| readers.get_mut(*i)) {
            r.record(p, rec, src, ps, &mut extern_left);
        }
    });
    for (t, n) in pages.iter().enumerate() {
        if let Some(r) = at.get(t).and_then(|i| readers.get_mut(*i)) {
            r.space.pages = *n;
            r.space.unread += r.dead_dropped;
        }
    }
    // The live rows' bytes, for the deleted rows that are copies of them: their keys first
    // (a hash of the key's bytes), then the whole rows of those keys. The deleted rows left
    // are read in a last pass. (Neither pass runs when no row was deleted.)
    let keys: Vec<std::collections::HashSet<u64>> = at
        .iter()
        .map(|i| readers[*i].dead.iter().map(|(_, k)| *k).collect())
        .collect();
    if keys.iter().all(std::collections::HashSet::is_empty) {
        return readers.into_iter().map(|r| r.space).collect();
    }
    let mut alive: Vec<std::collections::HashSet<u64>> = vec![Default::default(); at.len()];
    each_record(src, ps, &tables, &mut |t, p, rec| {
        if let Rec::Row {
            fields,
            deleted: false,
        } = rec
            && let (Some(k), Some(a), Some((_, ix, _))) =
                (keys.get(t), alive.get_mut(t), tables.get(t))
            && !k.is_empty()
            && k.contains(&row_hash(p, ix, fields, ix.keys))
        {
            a.insert(row_hash(p, ix, fields, ix.fields.len()));
        }
    });
    let mut any = false;
    for (t, i) in at.iter().enumerate() {
        let r = &mut readers[*i];
        let keep: std::collections::HashSet<u64> = std::mem::take(&mut r.dead)
            .into_iter()
            .map(|(h, _)| h)
            .filter(|h| !alive[t].contains(h))
            .collect();
        any |= !keep.is_empty();
        r.survivors = Some(keep);
    }
    if any {
        each_record(src, ps, &tables, &mut |t, p, rec| {
            if let Some(r) = at.get(t).and_then(|i| readers.get_mut(*i)) {
                r.record(p, rec, src, ps, &mut extern_left);
            }
        });
    }
    readers.into_iter().map(|r| r.space).collect()
}

/// What is read of one table's rows.
struct Reader<'a> {
    def: &'a TableDef,
    space: Space,
    /// Deleted rows: the hash of their values and of their key.
    dead: Vec<(u64, u64)>,
    dead_dropped: u64,
    /// In the last pass: the hashes of the deleted rows to read (no live row's).
    survivors: Option<std::collections::HashSet<u64>>,
    /// The row's cells (reused) and its UTF-8 text joined ([`Reader::record`]).
    row: Vec<String>,
    joined: Vec<u8>,
    encs: Vec<Option<&'static encoding_rs::Encoding>>,
}

impl<'a> Reader<'a> {
    fn new(def: &'a TableDef, cats: CatSet) -> Self {
        let mut space = Space {
            encoding: def.encoding(),
            table: def.short_name().to_string(),
            live: Part::new(cats),
            dead: Part::new(cats),
            unread: 0,
            extern_missing: 0,
            pages: 0,
        };
        space.live.table = crate::table::Table::with_columns(def.column_names());
        space.dead.table = crate::table::Table::with_columns(def.column_names());
        Reader {
            def,
            space,
            dead: Vec::new(),
            dead_dropped: 0,
            survivors: None,
            row: Vec::new(),
            joined: Vec::new(),
            encs: def.cols.iter().map(Col::encoding).collect(),
        }
    }

    /// Adds a record: a live row to the table, a deleted one kept until the live rows are
    /// known.
    fn record(
        &mut self,
        p: &[u8],
        rec: Rec<'_>,
        src: &(impl Pages + ?Sized),
        ps: usize,
        extern_left: &mut usize,
    ) {
        let def = self.def;
        let Some(ix) = &def.index else {
            return;
        };
        let (fields, deleted) = match rec {
            Rec::Unread => {
                if self.survivors.is_none() {
                    self.space.unread += 1;
                }
                return;
            }
            Rec::Row { fields, deleted } => (fields, deleted),
        };
        if deleted && zeroed(p, ix, fields) {
            // Purged, and its bytes cleared (MariaDB 10.5 and later): nothing left.
            return;
        }
        match (&mut self.survivors, deleted) {
            // The first pass: deleted rows are known by their hashes until the live rows
            // are ([`read_all`]).
            (None, true) => {
                if self.dead.len() < DEAD_ROWS {
                    let h = row_hash(p, ix, fields, ix.fields.len());
                    self.dead.push((h, row_hash(p, ix, fields, ix.keys)));
                } else {
                    self.dead_dropped += 1;
                }
                return;
            }
            (None, false) => {}
            // The last pass: the deleted rows that copy no live row, each once.
            (Some(keep), true) => {
                if !keep.remove(&row_hash(p, ix, fields, ix.fields.len())) {
                    return;
                }
            }
            (Some(_), false) => return,
        }
        self.row.resize(def.cols.len(), String::new());
        for cell in &mut self.row {
            cell.clear();
        }
        let part = if deleted {
            &self.space.dead
        } else {
            &self.space.live
        };
        // The row's UTF-8 text validated at once (SIMD validation pays from 64 bytes; a
        // value alone is shorter): joined, each value is valid if the whole is and each
        // starts and ends at a character's boundary in it.
        self.joined.clear();
        for (f, v) in ix.fields.iter().zip(fields) {
            if let (Some(c), Some((s, e, false))) = (f.col, v)
                && self.encs.get(c).copied().flatten() == Some(encoding_rs::UTF_8)
                && !is_number(def.cols.get(c))
                && self.row.len() > c
                && part.table.reads_column(c)
            {
                self.joined.extend_from_slice(&p[*s..*e]);
            }
        }
        let text = simdutf8::basic::from_utf8(&self.joined).unwrap_or("");
        let mut at = 0;
        for (f, v) in ix.fields.iter().zip(fields) {
            let (Some(c), Some((s, e, ext))) = (f.col, v) else {
                continue;
            };
            let (Some(col), Some(cell)) = (def.cols.get(c), self.row.get_mut(c)) else {
                continue;
            };
            if !part.table.reads_column(c) {
                continue;
            }
            let enc = self.encs.get(c).copied().flatten();
            let local = &p[*s..*e];
            if *ext {
                let (inline, r) = local.split_at(local.len() - EXTERN_REF);
                match external(src, ps, r, extern_left) {
                    Some(mut v) => {
                        let mut all = inline.to_vec();
                        all.append(&mut v);
                        show(col, enc, &all, cell);
                    }
                    None => {
                        self.space.extern_missing += 1;
                        show(col, enc, inline, cell);
                    }
                }
            } else if enc == Some(encoding_rs::UTF_8) && !is_number(Some(col)) {
                let piece = text.get(at..at + local.len());
                at += local.len();
                match piece {
                    Some(t) => show_text(col, t, cell),
                    None => show(col, enc, local, cell),
                }
            } else {
                show(col, enc, local, cell);
            }
        }
        if crate::table::blank(&self.row) {
            return;
        }
        let part = if deleted {
            &mut self.space.dead
        } else {
            &mut self.space.live
        };
        part.table.push(&self.row, &mut part.tally);
    }
}

/// A record of a leaf page: its fields (and whether it is deleted: marked, or on the free
/// list), or one of a format not read.
enum Rec<'a> {
    Row {
        fields: &'a [Option<At>],
        deleted: bool,
    },
    Unread,
}

/// Calls `f` with the number of the table in `tables` and each record of the leaf pages of
/// its clustered index (those on the free lists too, unless they do not parse), in one
/// pass over the pages; returns the pages read of each table.
fn each_record(
    src: &(impl Pages + ?Sized),
    ps: usize,
    tables: &[(&TableDef, &Index, Instant)],
    f: &mut dyn FnMut(usize, &[u8], Rec<'_>),
) -> Vec<u64> {
    let n_pages = src.size() / ps as u64;
    let mut p = vec![0u8; ps];
    let mut pages = vec![0; tables.len()];
    for n in 0..n_pages {
        if src.read_at(&mut p, n * ps as u64).is_err() {
            break;
        }
        if !matches!(u16_at(&p, FIL_PAGE_TYPE), PAGE_INDEX | PAGE_INSTANT)
            || u64::from(u32_at(&p, FIL_PAGE_OFFSET)) != n
            || u16_at(&p, PAGE_LEVEL) != 0
        {
            continue;
        }
        let id = u64_at(&p, PAGE_INDEX_ID);
        let compact = u16_at(&p, PAGE_N_HEAP) & 0x8000 != 0;
        let Some(t) = tables
            .iter()
            .position(|(d, ix, _)| ix.id == id && d.compact == compact)
        else {
            continue;
        };
        let (def, ix, instant) = tables[t];
        pages[t] += 1;
        let live = chain(&p, def.compact);
        let free = match usize::from(u16_at(&p, PAGE_FREE)) {
            o if o >= INFIMUM_NEW && o < ps - 8 => {
                let mut v = vec![o];
                v.extend(follow(&p, o, def.compact, None));
                v
            }
            _ => Vec::new(),
        };
        let recs = live
            .into_iter()
            .map(|o| (o, false))
            .chain(free.into_iter().map(|o| (o, true)));
        for (o, freed) in recs {
            let info = p
                .get(o.wrapping_sub(if def.compact { 5 } else { 6 }))
                .copied()
                .unwrap_or(0);
            if info & REC_MIN_REC != 0 {
                // MariaDB's metadata record of an instant ALTER: no row.
                continue;
            }
            let fields = match instant {
                Instant::Unread => None,
                _ if !def.compact => old_fields(&p, o).filter(|f| f.len() <= ix.fields.len()),
                _ if def.mysql.is_some() => mysql_fields(&p, o, info, ix, def.mysql.as_ref()),
                _ => match p.get(o.wrapping_sub(3)).map(|b| b & 7) {
                    Some(STATUS_ORDINARY) => {
                        let core = match instant {
                            Instant::Core(n) => n,
                            _ => ix.fields.len(),
                        };
                        ix.fields
                            .get(..core)
                            .and_then(|fs| new_fields(&p, o, 0, fs))
                    }
                    Some(STATUS_INSTANT) if matches!(instant, Instant::Core(_)) => {
                        // The fields added since: one byte, or two (`0x80` set in the first).
                        let core = match instant {
                            Instant::Core(n) => n,
                            _ => 0,
                        };
                        let b1 = p.get(o.wrapping_sub(6)).copied().unwrap_or(0);
                        let (add, extra) = if b1 & 0x80 == 0 {
                            (usize::from(b1), 1)
                        } else {
                            let b2 = p.get(o.wrapping_sub(7)).copied().unwrap_or(0);
                            (usize::from(b1 & 0x7F) | (usize::from(b2) << 7), 2)
                        };
                        ix.fields
                            .get(..core + 1 + add)
                            .and_then(|fs| new_fields(&p, o, extra, fs))
                    }
                    _ => None,
                },
            };
            match fields {
                Some(fields) => f(
                    t,
                    &p,
                    Rec::Row {
                        fields: &fields,
                        deleted: freed || info & REC_DELETED != 0,
                    },
                ),
                // A freed record that no longer parses was overwritten in part: no row.
                None if !freed => f(t, &p, Rec::Unread),
                None => {}
            }
        }
    }
    pages
}

/// The fields of a clustered index's records after MariaDB's instant DROP COLUMN or
/// reordering, from the metadata record at `o` of page `p` (the leftmost leaf's first):
/// its field after the key and `DB_TRX_ID`, `DB_ROLL_PTR` points to a BLOB of a count
/// (4 bytes) and a 2-byte element per field that follows them: `0x8000` dropped (then
/// `0x4000` NOT NULL, and the low 10 bits 0 for a variable length up to 255 bytes, 1 for a
/// longer one, else 1 + its fixed length), else the column's number in the low 10 bits.
/// `None` when the map does not parse.
fn instant_map(
    src: &(impl Pages + ?Sized),
    ps: usize,
    p: &[u8],
    o: usize,
    ix: &Index,
    cols: &[Col],
    compact: bool,
) -> Option<Vec<Field>> {
    let head = ix.keys + 2;
    let at = if compact {
        // The metadata record's key is empty: zeros in fixed-length fields, no bytes in
        // variable ones (a pointer that does not lead to a map says otherwise: not read).
        let key: usize = ix.fields.get(..head)?.iter().filter_map(|f| f.fixed).sum();
        o + key
    } else {
        match old_fields(p, o)?.get(head).copied().flatten()? {
            (s, e, true) if e == s + EXTERN_REF => s,
            _ => return None,
        }
    };
    let r = p.get(at..at + EXTERN_REF)?;
    let mut left = 1 << 20;
    let map = external(src, ps, r, &mut left)?;
    let n = u32_at(&map, 0) as usize;
    if n > MAX_COLUMNS || map.len() < 4 + 2 * n {
        return None;
    }
    let mut fields: Vec<Field> = ix.fields.get(..head)?.to_vec();
    for i in 0..n {
        let e = u16_at(&map, 4 + 2 * i);
        let ind = usize::from(e & 0x3FF);
        fields.push(if e & 0x8000 != 0 {
            Field {
                col: None,
                fixed: ind.checked_sub(1).filter(|l| *l > 0),
                big: ind == 1,
                nullable: e & 0x4000 == 0,
            }
        } else {
            col_field(cols, ind, compact)?
        });
    }
    Some(fields)
}

/// Record flags of MySQL 8 (its `info` bits): the record names its row version (8.0.29
/// and later), or keeps its count of fields (8.0.12 to 8.0.28).
const REC_VERSION: u8 = 0x40;
const REC_INSTANT: u8 = 0x80;

/// The fields of a COMPACT record at `o` of a table MySQL 8 describes, with `info` its
/// flags: a flagged record's row version (a byte before its header) or count of fields
/// (one byte, or two with `0x80` set in the first) picks its fields; one without is of the
/// first version (or was written before the first instant ADD).
fn mysql_fields(
    p: &[u8],
    o: usize,
    info: u8,
    ix: &Index,
    m: Option<&Instant8>,
) -> Option<Vec<Option<At>>> {
    let m = m?;
    if p.get(o.wrapping_sub(3)).map(|b| b & 7) != Some(STATUS_ORDINARY) {
        return None;
    }
    if info & REC_VERSION != 0 {
        let v = usize::from(*p.get(o.checked_sub(6)?)?);
        return new_fields(p, o, 1, m.versions.get(v)?);
    }
    if info & REC_INSTANT != 0 {
        let b1 = *p.get(o.checked_sub(6)?)?;
        let (n, extra) = if b1 & 0x80 == 0 {
            (usize::from(b1), 1)
        } else {
            let b2 = *p.get(o.checked_sub(7)?)?;
            ((usize::from(b1 & 0x7F) << 8) | usize::from(b2), 2)
        };
        return new_fields(p, o, extra, ix.fields.get(..n)?);
    }
    match (m.versions.first(), m.core) {
        (Some(fields), _) => new_fields(p, o, 0, fields),
        (None, Some(core)) => new_fields(p, o, 0, ix.fields.get(..core)?),
        (None, None) => new_fields(p, o, 0, &ix.fields),
    }
}

/// Are a record's column values all zero bytes (a purged record whose data was cleared)?
fn zeroed(p: &[u8], ix: &Index, fields: &[Option<At>]) -> bool {
    ix.fields
        .iter()
        .zip(fields)
        .all(|(f, v)| f.col.is_none() || v.is_none_or(|(s, e, _)| p[s..e].iter().all(|b| *b == 0)))
}

/// A hash of the first `n` fields of a record as stored, its transaction fields left out
/// (`DB_ROW_ID` is kept: with no primary key, it is the key).
fn row_hash(p: &[u8], ix: &Index, fields: &[Option<At>], n: usize) -> u64 {
    let mut h = 0u64;
    for (i, (f, v)) in ix.fields.iter().zip(fields).take(n).enumerate() {
        if f.col.is_none() && i >= ix.keys {
            continue;
        }
        let k = v.map_or(0, |(s, e, _)| crate::tally::hash_bytes(&p[s..e], false) | 1);
        h = (h.rotate_left(17) ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h
}

/// Whether MariaDB's instant ALTER TABLE changed the table: the root page says so
/// ([`PAGE_INSTANT`] type; the fields of the older records in its header), and the
/// metadata record that starts the leftmost leaf tells a mere ADD COLUMN (the new columns
/// at the end) from a DROP or a reordering (the record is then marked deleted, and a BLOB
/// maps the fields: [`instant_map`], whose fields are returned to replace the index's).
fn instant_of(
    src: &(impl Pages + ?Sized),
    ps: usize,
    ix: &Index,
    cols: &[Col],
    compact: bool,
) -> (Instant, Option<Vec<Field>>) {
    let Some(root) = page(src, ps, ix.root) else {
        return (Instant::None, None);
    };
    if u16_at(&root, FIL_PAGE_TYPE) != PAGE_INSTANT {
        return (Instant::None, None);
    }
    let core = usize::from(u16_at(&root, PAGE_INSTANT_FIELDS) >> 3);
    // Down to the leftmost leaf: a node pointer holds the key's fields, then the child.
    let mut p = root;
    for _ in 0..32 {
        if u16_at(&p, PAGE_LEVEL) == 0 {
            break;
        }
        let Some(o) = chain(&p, compact).into_iter().next() else {
            return (Instant::Unread, None);
        };
        let child = if compact {
            let mut node: Vec<Field> = ix.fields.iter().take(ix.keys).cloned().collect();
            node.push(Field {
                col: None,
                fixed: Some(4),
                big: false,
                nullable: false,
            });
            new_fields(&p, o, 0, &node).and_then(|f| f.last().copied().flatten())
        } else {
            old_fields(&p, o).and_then(|f| f.last().copied().flatten())
        };
        match child.and_then(|(s, _, _)| page(src, ps, u32_at(&p, s))) {
            Some(c) => p = c,
            None => return (Instant::Unread, None),
        }
    }
    let first = chain(&p, compact).into_iter().next();
    let info = first
        .and_then(|o| p.get(o.wrapping_sub(if compact { 5 } else { 6 })))
        .copied()
        .unwrap_or(0);
    if info & REC_MIN_REC == 0 || core == 0 {
        return (Instant::Unread, None);
    }
    if info & REC_DELETED == 0 {
        return if core > ix.fields.len() {
            (Instant::Unread, None)
        } else {
            (Instant::Core(core), None)
        };
    }
    // Columns dropped or reordered: the metadata record holds, after the key and the
    // system fields, a BLOB that maps each field after them to its column or, dropped,
    // to its length and nullability.
    match first.and_then(|o| instant_map(src, ps, &p, o, ix, cols, compact)) {
        Some(fields) if core <= fields.len() => (Instant::Core(core), Some(fields)),
        _ => (Instant::Unread, None),
    }
}

/// The least a part of a long value read costs from the table's budget ([`EXTERN_CAP`]):
/// a page read for a few bytes counts as this many.
const PART_COST: usize = 256;

/// A value kept out of its record, from the BLOB pages that `r` (20 bytes: space, page,
/// offset, length) points to: at most [`MAX_VALUE`] bytes, taken from `left`.
fn external(src: &(impl Pages + ?Sized), ps: usize, r: &[u8], left: &mut usize) -> Option<Vec<u8>> {
    let mut n = u32_at(r, 4);
    let mut off = u32_at(r, 8) as usize;
    let want = (u32_at(r, 16) as usize).min(MAX_VALUE);
    let mut out = Vec::new();
    for _ in 0..MAX_VALUE / 1024 {
        if out.len() >= want || n == FIL_NULL {
            break;
        }
        let p = page(src, ps, n)?;
        match u16_at(&p, FIL_PAGE_TYPE) {
            PAGE_LOB_FIRST if out.is_empty() => return lob(src, ps, &p, want, left),
            PAGE_BLOB | PAGE_SDI_BLOB if off + 8 <= ps - 8 => {}
            _ => return None,
        }
        let part = u32_at(&p, off) as usize;
        let data = p.get(off + 8..(off + 8 + part).min(ps - 8))?;
        let take = data.len().min(want - out.len()).min(*left);
        out.extend_from_slice(&data[..take]);
        // Each page read costs at least a page's worth of a small share: a chain of tiny
        // parts cannot make a table's values read without end.
        *left = left.saturating_sub(take.max(PART_COST));
        if *left == 0 {
            return None;
        }
        n = u32_at(&p, off + 4);
        off = FIL_PAGE_DATA;
    }
    Some(out)
}

/// A long value in MySQL 8's format from its first page `first`: the index entries listed
/// from the first page (and further index pages) name each part's page and length, in
/// order; a part is on the first page after its ten entries, or on a data page. At most
/// `want` bytes, taken from `left`.
fn lob(
    src: &(impl Pages + ?Sized),
    ps: usize,
    first: &[u8],
    want: usize,
    left: &mut usize,
) -> Option<Vec<u8>> {
    const INDEX_LIST: usize = FIL_PAGE_DATA + 26;
    const FIRST_DATA: usize = FIL_PAGE_DATA + 58 + 10 * 60;
    const DATA: usize = FIL_PAGE_DATA + 11;
    let first_no = u32_at(first, FIL_PAGE_OFFSET);
    let mut out = Vec::new();
    // The list's first entry (page, offset), then each entry's next.
    let (mut n, mut off) = (
        u32_at(first, INDEX_LIST + 4),
        usize::from(u16_at(first, INDEX_LIST + 8)),
    );
    let mut holder: Option<Vec<u8>> = None;
    for _ in 0..MAX_VALUE / 1024 {
        if n == FIL_NULL || out.len() >= want || off + 60 > ps - 8 {
            break;
        }
        let entries = if n == first_no {
            first
        } else {
            if holder
                .as_ref()
                .is_none_or(|h| u32_at(h, FIL_PAGE_OFFSET) != n)
            {
                holder = Some(page(src, ps, n)?);
            }
            let h = holder.as_deref()?;
            if !matches!(u16_at(h, FIL_PAGE_TYPE), PAGE_LOB_INDEX | PAGE_LOB_FIRST) {
                return None;
            }
            h
        };
        let e = entries.get(off..off + 60)?;
        let part_no = u32_at(e, 48);
        let part_len = usize::from(u16_at(e, 52));
        let (next, next_off) = (u32_at(e, 6), usize::from(u16_at(e, 10)));
        let take = part_len.min(want - out.len()).min(*left);
        if take == 0 {
            break;
        }
        if part_no == first_no {
            out.extend_from_slice(first.get(FIRST_DATA..FIRST_DATA + take)?);
        } else {
            let d = page(src, ps, part_no)?;
            if u16_at(&d, FIL_PAGE_TYPE) != PAGE_LOB_DATA {
                return None;
            }
            out.extend_from_slice(d.get(DATA..DATA + take)?);
        }
        // Each page read costs at least a page's worth of a small share: a chain of tiny
        // parts cannot make a table's values read without end.
        *left = left.saturating_sub(take.max(PART_COST));
        if *left == 0 {
            return None;
        }
        (n, off) = (next, next_off);
    }
    Some(out)
}

/// A field's bytes as a cell, written to `cell`: text decoded from its column's character
/// set `enc` (CHAR padding trimmed; nothing when the bytes are no text in it), integers in
/// decimal, dates as `YYYY-MM-DD` and date-times as `YYYY-MM-DD HH:MM:SS`; nothing for
/// what holds no one's data (binary numbers, decimals, geometry).
fn show(col: &Col, enc: Option<&'static encoding_rs::Encoding>, v: &[u8], cell: &mut String) {
    use std::fmt::Write;
    let kind = col.prtype & 0xFF;
    match col.mtype {
        DATA_INT => {
            let bits = 8 * v.len().min(8) as u32;
            if bits == 0 {
                return;
            }
            let raw = uint(v);
            // Signed numbers are kept with their sign bit flipped (so that they sort as
            // bytes): flipped back, then sign-extended.
            let val = if col.prtype & DATA_UNSIGNED == 0 {
                let x = i128::from(raw ^ (1u64 << (bits - 1)));
                let m = 1i128 << bits;
                if x >= m / 2 { x - m } else { x }
            } else {
                i128::from(raw)
            };
            match kind {
                MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE if v.len() == 3 => {
                    let d = val as u64;
                    date(cell, d >> 9, (d >> 5) & 15, d & 31);
                }
                MYSQL_TYPE_DATETIME if v.len() == 8 => {
                    // The old DATETIME: YYYYMMDDhhmmss in decimal.
                    let d = val as u64;
                    let (ymd, hms) = (d / 1_000_000, d % 1_000_000);
                    datetime(
                        cell,
                        [ymd / 10_000, ymd / 100 % 100, ymd % 100],
                        [hms / 10_000, hms / 100 % 100, hms % 100],
                    );
                }
                MYSQL_TYPE_TIMESTAMP if v.len() == 4 => unix(cell, val as i64),
                _ => {
                    let _ = write!(cell, "{val}");
                }
            }
        }
        DATA_FIXBINARY => match kind {
            MYSQL_TYPE_DATETIME if (5..=8).contains(&v.len()) => {
                // MySQL 5.6's DATETIME(n): 40 bits from 0x8000000000, then fractions.
                let Some(x) = uint(&v[..5]).checked_sub(0x80_0000_0000) else {
                    return;
                };
                let (ymd, hms) = (x >> 17, x & 0x1FFFF);
                let (ym, day) = (ymd >> 5, ymd & 31);
                datetime(
                    cell,
                    [ym / 13, ym % 13, day],
                    [hms >> 12, (hms >> 6) & 63, hms & 63],
                );
            }
            MYSQL_TYPE_TIMESTAMP if (4..=7).contains(&v.len()) => unix(cell, uint(&v[..4]) as i64),
            _ => {}
        },
        _ => {
            let Some(enc) = enc else {
                return;
            };
            if enc == encoding_rs::UTF_8 {
                if let Ok(t) = simdutf8::basic::from_utf8(v) {
                    show_text(col, t, cell);
                }
            } else if let Some(t) = enc.decode_without_bom_handling_and_without_replacement(v) {
                show_text(col, &t, cell);
            }
        }
    }
}

/// A text value as its cell (CHAR padding trimmed).
fn show_text(col: &Col, t: &str, cell: &mut String) {
    let fixed = col.mtype == DATA_MYSQL || col.mtype == DATA_CHAR;
    cell.push_str(if fixed { t.trim_end_matches(' ') } else { t });
}

/// Is the column one whose bytes are a number or a date (no text)?
fn is_number(col: Option<&Col>) -> bool {
    col.is_none_or(|c| matches!(c.mtype, DATA_INT | DATA_FIXBINARY))
}

/// `YYYY-MM-DD`, or nothing for a zero or impossible date.
fn date(cell: &mut String, y: u64, m: u64, d: u64) -> bool {
    use std::fmt::Write;
    if y == 0 || !(1..=12).contains(&m) || !(1..=31).contains(&d) || y > 9999 {
        return false;
    }
    let _ = write!(cell, "{y:04}-{m:02}-{d:02}");
    true
}

/// `YYYY-MM-DD` at midnight, else `YYYY-MM-DD HH:MM:SS`.
fn datetime(cell: &mut String, [y, mo, d]: [u64; 3], [h, mi, s]: [u64; 3]) {
    use std::fmt::Write;
    if date(cell, y, mo, d) && (h, mi, s) != (0, 0, 0) {
        let _ = write!(cell, " {h:02}:{mi:02}:{s:02}");
    }
}

/// A TIMESTAMP (seconds from 1970 in UTC) as [`datetime`] shows it.
fn unix(cell: &mut String, secs: i64) {
    if secs <= 0 {
        return;
    }
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u64);
    if let Some((y, m, d)) = crate::pgheap::civil(days - 10_957) {
        datetime(
            cell,
            [y as u64, u64::from(m), u64::from(d)],
            [rem / 3600, rem / 60 % 60, rem % 60],
        );
    }
}

/// Tablespaces built in memory (pages of 4 KiB): a system tablespace whose dictionary
/// describes one table, and that table's file. For the unit tests and the fuzz seed.
#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// The page size built.
    pub const PS: usize = 4096;
    /// The table's space id, index id and root page.
    pub const SPACE: u32 = 5;
    const INDEX_ID: u64 = 40;
    const ROOT: u32 = 3;
    /// The system tablespace's pages.
    pub const SYS_PAGES: usize = 13;

    /// A field's value: `None` is SQL NULL.
    pub type Value = Option<Vec<u8>>;

    fn put16(p: &mut [u8], i: usize, v: u16) {
        p[i..i + 2].copy_from_slice(&v.to_be_bytes());
    }
    fn put32(p: &mut [u8], i: usize, v: u32) {
        p[i..i + 4].copy_from_slice(&v.to_be_bytes());
    }

    /// An empty page `n` of type `ty`.
    fn blank(n: u32, space: u32, ty: u16) -> Vec<u8> {
        let mut p = vec![0u8; PS];
        put32(&mut p, FIL_PAGE_OFFSET, n);
        put32(&mut p, 8, FIL_NULL);
        put32(&mut p, FIL_PAGE_NEXT, FIL_NULL);
        put16(&mut p, FIL_PAGE_TYPE, ty);
        put32(&mut p, FIL_PAGE_SPACE_ID, space);
        p
    }

    /// A tablespace's first page (MariaDB's `full_crc32` flags, 4 KiB pages).
    fn fsp(space: u32, pages: u32) -> Vec<u8> {
        let mut p = blank(0, space, PAGE_FSP_HDR);
        put32(&mut p, FIL_PAGE_DATA, space);
        put32(&mut p, FIL_PAGE_DATA + 8, pages);
        put32(&mut p, FIL_PAGE_DATA + 16, 0x13);
        p
    }

    fn index_page(n: u32, space: u32, id: u64, compact: bool) -> Vec<u8> {
        let mut p = blank(n, space, PAGE_INDEX);
        p[PAGE_INDEX_ID..PAGE_INDEX_ID + 8].copy_from_slice(&id.to_be_bytes());
        put16(&mut p, PAGE_N_HEAP, if compact { 0x8002 } else { 2 });
        p
    }

    /// A leaf page of REDUNDANT records (the dictionary's).
    pub fn old_page(n: u32, space: u32, id: u64, recs: &[Vec<Value>]) -> Vec<u8> {
        let mut p = index_page(n, space, id, false);
        p[INFIMUM_OLD..INFIMUM_OLD + 8].copy_from_slice(b"infimum\0");
        p[SUPREMUM_OLD..SUPREMUM_OLD + 8].copy_from_slice(b"supremum");
        let mut at = SUPREMUM_OLD + 9;
        let mut prev = INFIMUM_OLD;
        for r in recs {
            let total: usize = r.iter().map(|v| v.as_ref().map_or(0, Vec::len)).sum();
            let short = total < 128;
            let offs = r.len() * if short { 1 } else { 2 };
            let o = at + offs + 6;
            let mut end = 0;
            for (i, v) in r.iter().enumerate() {
                let len = v.as_ref().map_or(0, Vec::len);
                if let Some(v) = v {
                    p[o + end..o + end + len].copy_from_slice(v);
                }
                end += len;
                if short {
                    p[o - 7 - i] = end as u8 | if v.is_none() { 0x80 } else { 0 };
                } else {
                    put16(
                        &mut p,
                        o - 8 - 2 * i,
                        end as u16 | if v.is_none() { 0x8000 } else { 0 },
                    );
                }
            }
            put16(&mut p, o - 4, ((r.len() as u16) << 1) | u16::from(short));
            put16(&mut p, prev - 2, o as u16);
            prev = o;
            at = o + end;
        }
        put16(&mut p, prev - 2, SUPREMUM_OLD as u16);
        p
    }

    /// The bytes before a COMPACT record's origin and its data, under `fields`; the
    /// fields at `ext` hold a 20-byte pointer to a value kept out of the record (flagged in
    /// their length's two bytes).
    fn new_record(fields: &[Field], r: &[Value], ext: &[usize]) -> (Vec<u8>, Vec<u8>) {
        let (mut lens, mut nulls, mut data) = (Vec::new(), Vec::new(), Vec::new());
        let mut bit = 0;
        for (i, (f, v)) in fields.iter().zip(r).enumerate() {
            if f.nullable {
                if bit % 8 == 0 {
                    nulls.push(0u8);
                }
                if v.is_none() {
                    *nulls.last_mut().unwrap() |= 1 << (bit % 8);
                }
                bit += 1;
            }
            let Some(v) = v else { continue };
            if f.fixed.is_none() {
                if ext.contains(&i) {
                    lens.push(0xC0 | (v.len() >> 8) as u8);
                    lens.push(v.len() as u8);
                } else if f.big && v.len() >= 128 {
                    lens.push(0x80 | (v.len() >> 8) as u8);
                    lens.push(v.len() as u8);
                } else {
                    lens.push(v.len() as u8);
                }
            }
            data.extend_from_slice(v);
        }
        // From low addresses up: lengths, then the null bitmap, each read backwards.
        let mut before: Vec<u8> = lens.into_iter().rev().collect();
        before.extend(nulls.into_iter().rev());
        (before, data)
    }

    /// A leaf page of COMPACT records under `fields`: live ones (marked deleted when the
    /// flag says so), then ones on the free list.
    pub(super) fn new_page(
        n: u32,
        id: u64,
        fields: &[Field],
        live: &[(Vec<Value>, bool)],
        free: &[Vec<Value>],
    ) -> Vec<u8> {
        let mut p = index_page(n, SPACE, id, true);
        p[INFIMUM_NEW - 3] = 2;
        p[SUPREMUM_NEW - 3] = 3;
        p[INFIMUM_NEW..INFIMUM_NEW + 8].copy_from_slice(b"infimum\0");
        p[SUPREMUM_NEW..SUPREMUM_NEW + 8].copy_from_slice(b"supremum");
        let mut at = SUPREMUM_NEW + 8;
        let mut write = |p: &mut Vec<u8>, r: &[Value], deleted: bool| {
            let (before, data) = new_record(fields, r, &[]);
            let o = at + before.len() + 5;
            p[at..at + before.len()].copy_from_slice(&before);
            p[o - 5] = if deleted { REC_DELETED } else { 0 };
            p[o..o + data.len()].copy_from_slice(&data);
            at = o + data.len();
            o
        };
        let mut prev = INFIMUM_NEW;
        for (r, deleted) in live {
            let o = write(&mut p, r, *deleted);
            put16(&mut p, prev - 2, (o as u16).wrapping_sub(prev as u16));
            prev = o;
        }
        put16(
            &mut p,
            prev - 2,
            (SUPREMUM_NEW as u16).wrapping_sub(prev as u16),
        );
        let mut prev = None;
        for r in free {
            let o = write(&mut p, r, true);
            match prev {
                None => put16(&mut p, PAGE_FREE, o as u16),
                Some(q) => put16(&mut p, q - 2, (o as u16).wrapping_sub(q as u16)),
            }
            prev = Some(o);
        }
        p
    }

    fn n8(v: u64) -> Value {
        Some(v.to_be_bytes().to_vec())
    }
    fn n4(v: u32) -> Value {
        Some(v.to_be_bytes().to_vec())
    }
    fn s(v: &str) -> Value {
        Some(v.as_bytes().to_vec())
    }
    fn sys(n: usize) -> Value {
        Some(vec![0; n])
    }

    /// The table: `id INT` (the key), `name VARCHAR(64)`, `email VARCHAR(100)`,
    /// `birthday DATE`, `gender CHAR(1)` (utf8mb4: a length kept), `points INT`.
    pub fn columns() -> Vec<(&'static str, u32, u32, u32)> {
        vec![
            ("id", DATA_INT, 0x503, 4),
            ("name", DATA_VARMYSQL, 0x002d_000f, 256),
            ("email", DATA_VARMYSQL, 0x002d_000f, 400),
            ("birthday", DATA_INT, 0x40a, 3),
            ("gender", DATA_MYSQL, 0x002d_00fe, 4),
            ("points", DATA_INT, 0x403, 4),
        ]
    }

    /// A row of the table ([`columns`]), its system fields zero.
    pub fn row(
        id: i32,
        name: &str,
        email: Option<&str>,
        birth: (u32, u32, u32),
        gender: &str,
        points: i32,
    ) -> Vec<Value> {
        let date = (birth.0 * 512 + birth.1 * 32 + birth.2) ^ 0x80_0000;
        vec![
            n4(id as u32 ^ 0x8000_0000),
            sys(6),
            sys(7),
            s(name),
            email.map(|e| e.as_bytes().to_vec()),
            Some(date.to_be_bytes()[1..].to_vec()),
            s(gender),
            n4(points as u32 ^ 0x8000_0000),
        ]
    }

    /// The system tablespace: its dictionary describes the table ([`columns`]) in space
    /// [`SPACE`].
    pub fn ibdata() -> Vec<u8> {
        ibdata_for(SPACE, ROOT)
    }

    /// The system tablespace of an older server, the table kept in it (its root page 5).
    pub fn ibdata_with_table() -> Vec<u8> {
        let mut sys = ibdata_for(0, 5);
        let page = ibd()[ROOT as usize * PS..(ROOT as usize + 1) * PS].to_vec();
        let mut page = page;
        page[FIL_PAGE_OFFSET..FIL_PAGE_OFFSET + 4].copy_from_slice(&5u32.to_be_bytes());
        sys[5 * PS..6 * PS].copy_from_slice(&page);
        sys
    }

    fn ibdata_for(space: u32, root: u32) -> Vec<u8> {
        let cols = columns();
        let tables = vec![vec![
            s("shop/customers"),
            sys(6),
            sys(7),
            n8(30),
            n4(0x8000_0000 | cols.len() as u32),
            n4(33),
            sys(8),
            sys(4),
            None,
            n4(space),
        ]];
        let columns: Vec<Vec<Value>> = cols
            .iter()
            .enumerate()
            .map(|(i, (name, mtype, prtype, len))| {
                vec![
                    n8(30),
                    n4(i as u32),
                    sys(6),
                    sys(7),
                    s(name),
                    n4(*mtype),
                    n4(*prtype),
                    n4(*len),
                    n4(0),
                ]
            })
            .collect();
        let indexes = vec![vec![
            n8(30),
            n8(INDEX_ID),
            sys(6),
            sys(7),
            s("PRIMARY"),
            n4(1),
            n4(3),
            n4(space),
            n4(root),
        ]];
        let fields = vec![vec![n8(INDEX_ID), n4(0), sys(6), sys(7), s("id")]];
        let mut pages: Vec<Vec<u8>> = (0..SYS_PAGES as u32).map(|n| blank(n, 0, 0)).collect();
        pages[0] = fsp(0, SYS_PAGES as u32);
        let mut hdr = blank(DICT_HDR_PAGE, 0, 6);
        for (i, root) in [8u32, 9, 10, 11, 12].iter().enumerate() {
            put32(&mut hdr, FIL_PAGE_DATA + 32 + 4 * i, *root);
        }
        pages[DICT_HDR_PAGE as usize] = hdr;
        pages[8] = old_page(8, 0, 1, &tables);
        pages[10] = old_page(10, 0, 2, &columns);
        pages[11] = old_page(11, 0, 3, &indexes);
        pages[12] = old_page(12, 0, 4, &fields);
        pages.concat()
    }

    /// The `.cfg` an export writes for the table (format version 1).
    pub fn cfg() -> Vec<u8> {
        let mut b = Vec::new();
        let text = |b: &mut Vec<u8>, s: &str| {
            b.extend_from_slice(&(s.len() as u32 + 1).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
            b.push(0);
        };
        b.extend_from_slice(&1u32.to_be_bytes());
        text(&mut b, "db1");
        text(&mut b, "shop/customers");
        b.extend_from_slice(&0u64.to_be_bytes());
        for v in [PS as u32, 0x21, columns().len() as u32 + 3] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        let sys = [("DB_ROW_ID", 6u32), ("DB_TRX_ID", 6), ("DB_ROLL_PTR", 7)];
        for (name, mtype, prtype, len) in columns()
            .into_iter()
            .chain(sys.iter().map(|(n, l)| (*n, DATA_SYS, 0x100, *l)))
        {
            for v in [prtype, mtype, len, 0, 0, 0, 0] {
                b.extend_from_slice(&v.to_be_bytes());
            }
            text(&mut b, name);
        }
        // A secondary index first, then the clustered one.
        b.extend_from_slice(&2u32.to_be_bytes());
        for (id, kind, name, fields) in [
            (41u64, 0u32, "by_email", vec!["email", "id"]),
            (
                INDEX_ID,
                3,
                "PRIMARY",
                vec![
                    "id",
                    "DB_TRX_ID",
                    "DB_ROLL_PTR",
                    "name",
                    "email",
                    "birthday",
                    "gender",
                    "points",
                ],
            ),
        ] {
            b.extend_from_slice(&id.to_be_bytes());
            for v in [SPACE, ROOT, kind, 0, 1, 1, 0, fields.len() as u32] {
                b.extend_from_slice(&v.to_be_bytes());
            }
            text(&mut b, name);
            for f in fields {
                b.extend_from_slice(&[0; 8]);
                text(&mut b, f);
            }
        }
        b
    }

    /// The `.frm` the server keeps for the table ([`columns`]; its key `PRIMARY` on `id`).
    pub fn frm() -> Vec<u8> {
        // name, MySQL type, length, pack flags, character set.
        let fields: [(&str, u8, u16, u16, u16); 6] = [
            ("id", 3, 11, 0x1b, 8),
            ("name", 15, 256, 0x8000, 45),
            ("email", 15, 400, 0x8000, 45),
            ("birthday", 14, 10, 0x8000, 8),
            ("gender", 254, 4, 0x8000, 45),
            ("points", 3, 11, 0x8001, 8),
        ];
        let mut keys = vec![1u8, 1, 0, 0, 0, 0];
        keys.extend_from_slice(&[0, 0, 4, 0, 1, 0, 0, 0]);
        keys.extend_from_slice(&[0x01, 0x80, 1, 0, 0, 0x1b, 0, 4, 0]);
        keys.extend_from_slice(b"\xffPRIMARY\xff\0");
        let forminfo = 68 + keys.len();
        let mut b = vec![0u8; 64];
        b[0] = 0xFE;
        b[1] = 0x01;
        b[6..8].copy_from_slice(&68u16.to_le_bytes());
        b.extend_from_slice(&(forminfo as u32).to_le_bytes());
        b.extend_from_slice(&keys);
        let mut names = vec![0xFFu8];
        for (n, ..) in &fields {
            names.extend_from_slice(n.as_bytes());
            names.push(0xFF);
        }
        names.push(0);
        let mut info = vec![0u8; 288];
        info[258..260].copy_from_slice(&(fields.len() as u16).to_le_bytes());
        info[268..270].copy_from_slice(&(names.len() as u16).to_le_bytes());
        b.extend_from_slice(&info);
        for (_, ty, len, pack, cs) in fields {
            let mut e = [0u8; 17];
            e[3..5].copy_from_slice(&len.to_le_bytes());
            e[8..10].copy_from_slice(&pack.to_le_bytes());
            e[11] = (cs >> 8) as u8;
            e[13] = ty;
            e[14] = cs as u8;
            b.extend_from_slice(&e);
        }
        b.extend_from_slice(&names);
        b
    }

    /// The table's leaf fields (as the dictionary gives them).
    pub(super) fn fields() -> Vec<Field> {
        let dict = Dict::read(&ibdata()[..]).expect("dictionary");
        dict.table(SPACE)
            .and_then(|t| t.index.clone())
            .expect("index")
            .fields
    }

    /// The table's file: three live rows, one marked deleted, one purged (on the free
    /// list), and a copy of a live row that a page split left on the free list.
    pub fn ibd() -> Vec<u8> {
        let f = fields();
        let live = vec![
            (
                row(
                    1,
                    "山田 太郎",
                    Some("taro.yamada@example.jp"),
                    (1980, 4, 12),
                    "男",
                    -5,
                ),
                false,
            ),
            (row(2, "鈴木 花子", None, (1992, 11, 3), "女", 120), false),
            (
                row(
                    3,
                    "佐藤 次郎",
                    Some("jiro.sato@example.ne.jp"),
                    (1975, 1, 30),
                    "男",
                    0,
                ),
                false,
            ),
            (
                row(
                    4,
                    "高橋 一郎",
                    Some("ichiro@example.org"),
                    (1969, 7, 7),
                    "男",
                    1,
                ),
                true,
            ),
        ];
        let free = vec![
            row(
                5,
                "伊藤 美咲",
                Some("misaki.ito@example.com"),
                (2001, 2, 28),
                "女",
                7,
            ),
            row(
                1,
                "山田 太郎",
                Some("taro.yamada@example.jp"),
                (1980, 4, 12),
                "男",
                -5,
            ),
        ];
        let mut pages = vec![fsp(SPACE, 4), blank(1, SPACE, 5), blank(2, SPACE, 3)];
        pages.push(new_page(ROOT, INDEX_ID, &f, &live, &free));
        pages.concat()
    }

    /// A COMPACT record of MySQL 8 under `fields` with `info` flags (and the row version
    /// byte after its null bitmap when given); the fields at `ext` hold a 20-byte pointer
    /// to a value kept out of the record.
    pub(super) struct Rec8<'a> {
        pub fields: &'a [Field],
        pub values: Vec<Value>,
        pub info: u8,
        pub version: Option<u8>,
        pub ext: &'a [usize],
    }

    /// A leaf page (`ty`: an index's or the SDI's) of MySQL 8 records, all live.
    pub(super) fn page8(n: u32, space: u32, id: u64, ty: u16, recs: &[Rec8<'_>]) -> Vec<u8> {
        let mut p = index_page(n, space, id, true);
        put16(&mut p, FIL_PAGE_TYPE, ty);
        p[INFIMUM_NEW - 3] = 2;
        p[SUPREMUM_NEW - 3] = 3;
        p[INFIMUM_NEW..INFIMUM_NEW + 8].copy_from_slice(b"infimum\0");
        p[SUPREMUM_NEW..SUPREMUM_NEW + 8].copy_from_slice(b"supremum");
        let mut at = SUPREMUM_NEW + 8;
        let mut prev = INFIMUM_NEW;
        for r in recs {
            let (mut before, data) = new_record(r.fields, &r.values, r.ext);
            if let Some(v) = r.version {
                before.push(v);
            }
            let o = at + before.len() + 5;
            p[at..at + before.len()].copy_from_slice(&before);
            p[o - 5] = r.info;
            p[o..o + data.len()].copy_from_slice(&data);
            put16(&mut p, prev - 2, (o as u16).wrapping_sub(prev as u16));
            prev = o;
            at = o + data.len();
        }
        put16(
            &mut p,
            prev - 2,
            (SUPREMUM_NEW as u16).wrapping_sub(prev as u16),
        );
        p
    }

    /// MySQL 8's description of the table `shop/customers`: `id INT` (the key),
    /// `name VARCHAR(64)`, `email VARCHAR(100)` (NULL), `birthday DATE`, `notes TEXT`,
    /// then `phone VARCHAR(20)` added by an instant ADD COLUMN (row version 1), in the
    /// SDI's JSON.
    pub fn sdi_json() -> Vec<u8> {
        let col = |name: &str,
                   ty: u64,
                   nullable: bool,
                   len: u64,
                   coll: u64,
                   pos: u64,
                   hidden: u64,
                   extra: &str| {
            serde_json::json!({
                "name": name, "type": ty, "is_nullable": nullable, "is_unsigned": false,
                "is_virtual": false, "hidden": hidden, "char_length": len,
                "numeric_precision": 0, "numeric_scale": 0, "datetime_precision": 0,
                "collation_id": coll, "elements": [],
                "se_private_data": format!("{extra}physical_pos={pos};table_id=1081;"),
            })
        };
        let el = |opx: u64, hidden: bool| serde_json::json!({"column_opx": opx, "hidden": hidden, "length": 4});
        serde_json::to_vec(&serde_json::json!({
            "mysqld_version_id": 80037,
            "dd_object_type": "Table",
            "dd_object": {
                "name": "customers",
                "schema_ref": "shop",
                "row_format": 2,
                "se_private_data": "autoinc=0;version=2;",
                "columns": [
                    col("id", 4, false, 11, 8, 0, 1, ""),
                    col("name", 16, false, 256, 255, 3, 1, ""),
                    col("email", 16, true, 400, 255, 4, 1, ""),
                    col("birthday", 15, true, 10, 8, 5, 1, ""),
                    col("notes", 27, true, 65535, 255, 6, 1, ""),
                    col("phone", 16, true, 80, 255, 7, 1, "default_null=1;version_added=1;"),
                    col("DB_TRX_ID", 10, false, 6, 63, 1, 2, ""),
                    col("DB_ROLL_PTR", 9, false, 7, 63, 2, 2, ""),
                ],
                "indexes": [{
                    "name": "PRIMARY",
                    "hidden": false,
                    "se_private_data": format!("id={INDEX_ID};root=4;space_id={SPACE};table_id=1081;"),
                    "elements": [el(0, false), el(6, true), el(7, true), el(1, true), el(2, true),
                                 el(3, true), el(4, true), el(5, true)],
                }],
            }
        }))
        .unwrap()
    }

    /// [`ibd8`] with its table named `schema/table`.
    pub fn ibd8_named(schema: &str, table: &str) -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_slice(&sdi_json()).unwrap();
        v["dd_object"]["schema_ref"] = schema.into();
        v["dd_object"]["name"] = table.into();
        let mut f = ibd8();
        f[3 * PS..4 * PS].copy_from_slice(&sdi_page(&serde_json::to_vec(&v).unwrap()));
        f
    }

    /// [`ibd8`] as MySQL 8.0.12 to 8.0.28 write an instant ADD COLUMN: no physical
    /// positions or row versions, `instant_col=5` (the columns before `phone` was added);
    /// rows written before it have no `phone` field, the one after is flagged and keeps its
    /// count of fields (8).
    pub fn ibd8_v1() -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_slice(&sdi_json()).unwrap();
        v["dd_object"]["se_private_data"] = "autoinc=0;instant_col=5;version=2;".into();
        for c in v["dd_object"]["columns"].as_array_mut().unwrap() {
            let name = c["name"].as_str().unwrap();
            c["se_private_data"] = if name == "phone" {
                "default_null=1;table_id=1081;"
            } else {
                "table_id=1081;"
            }
            .into();
        }
        let json = serde_json::to_vec(&v).unwrap();
        let def = sdi_table(&v, SPACE).unwrap();
        let ix = def.index.unwrap();
        let core = def.mysql.unwrap().core.unwrap();
        let id = |i: u32| n4(i ^ 0x8000_0000);
        let rows = page8(
            4,
            SPACE,
            INDEX_ID,
            PAGE_INDEX,
            &[
                Rec8 {
                    fields: &ix.fields[..core],
                    values: vec![
                        id(1),
                        sys(6),
                        sys(7),
                        s("山田 太郎"),
                        s("taro.yamada@example.jp"),
                        None,
                        None,
                    ],
                    info: 0,
                    version: None,
                    ext: &[],
                },
                Rec8 {
                    fields: &ix.fields,
                    values: vec![
                        id(2),
                        sys(6),
                        sys(7),
                        s("佐藤 次郎"),
                        None,
                        None,
                        None,
                        s("03-5321-1111"),
                    ],
                    info: REC_INSTANT,
                    version: Some(8),
                    ext: &[],
                },
            ],
        );
        let mut f = ibd8();
        f[3 * PS..4 * PS].copy_from_slice(&sdi_page(&json));
        f[4 * PS..5 * PS].copy_from_slice(&rows);
        f
    }

    /// A MySQL 8 table's file (4 KiB pages): its SDI (page 3) describes the table
    /// ([`sdi_json`]); its rows (page 4): two of version 0, one of version 1 (with a
    /// phone), one marked deleted; a long note kept out of its row on a LOB's first page
    /// (5) and a data page (6).
    /// The SDI page (page 3) of a MySQL 8 tablespace whose table's description is `json`.
    fn sdi_page(json: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(json).unwrap();
        let packed = z.finish().unwrap();
        let mut sdi_fields: Vec<Field> = [4, 8, 6, 7, 4, 4].into_iter().map(sys_field).collect();
        sdi_fields.push(Field {
            col: None,
            fixed: None,
            big: true,
            nullable: false,
        });
        let tablespace = b"x\x9c\x03\x00\x00\x00\x00\x01".to_vec();
        page8(
            3,
            SPACE,
            u64::MAX,
            PAGE_SDI,
            &[
                Rec8 {
                    fields: &sdi_fields,
                    values: vec![
                        n4(1),
                        n8(1081),
                        sys(6),
                        sys(7),
                        n4(0),
                        n4(packed.len() as u32),
                        Some(packed),
                    ],
                    info: 0,
                    version: None,
                    ext: &[],
                },
                Rec8 {
                    fields: &sdi_fields,
                    values: vec![
                        n4(2),
                        n8(19),
                        sys(6),
                        sys(7),
                        n4(0),
                        n4(8),
                        Some(tablespace),
                    ],
                    info: 0,
                    version: None,
                    ext: &[],
                },
            ],
        )
    }

    pub fn ibd8() -> Vec<u8> {
        let sdi = sdi_page(&sdi_json());
        let def = sdi_table(&serde_json::from_slice(&sdi_json()).unwrap(), SPACE).unwrap();
        let versions = def.mysql.unwrap().versions;
        let date = |y: u32, m: u32, d: u32| {
            Some(((y * 512 + m * 32 + d) ^ 0x80_0000).to_be_bytes()[1..].to_vec())
        };
        let id = |i: u32| n4(i ^ 0x8000_0000);
        // The long note: a phone at its start (first page), an e-mail at its end (data page).
        let mut note = "連絡先 090-4821-7735。".to_string();
        while note.len() < 3600 {
            note.push_str("お問い合わせの件、担当より折り返しご連絡いたします。");
        }
        note.push_str(" 返信先 hanako.suzuki@example.ne.jp");
        let first_part = PS - 8 - (FIL_PAGE_DATA + 58 + 600);
        let mut lob_ref = vec![0u8; 20];
        lob_ref[..4].copy_from_slice(&SPACE.to_be_bytes());
        lob_ref[4..8].copy_from_slice(&5u32.to_be_bytes());
        lob_ref[8..12].copy_from_slice(&1u32.to_be_bytes());
        lob_ref[16..20].copy_from_slice(&(note.len() as u32).to_be_bytes());
        let v0 = &versions[0];
        let v1 = &versions[1];
        let rows = page8(
            4,
            SPACE,
            INDEX_ID,
            PAGE_INDEX,
            &[
                Rec8 {
                    fields: v0,
                    values: vec![
                        id(1),
                        sys(6),
                        sys(7),
                        s("山田 太郎"),
                        s("taro.yamada@example.jp"),
                        date(1980, 4, 12),
                        s("特になし"),
                    ],
                    info: 0,
                    version: None,
                    ext: &[],
                },
                Rec8 {
                    fields: v0,
                    values: vec![
                        id(2),
                        sys(6),
                        sys(7),
                        s("鈴木 花子"),
                        None,
                        date(1992, 11, 3),
                        Some(lob_ref),
                    ],
                    info: 0,
                    version: None,
                    ext: &[6],
                },
                Rec8 {
                    fields: v1,
                    values: vec![
                        id(3),
                        sys(6),
                        sys(7),
                        s("佐藤 次郎"),
                        s("jiro.sato@example.ne.jp"),
                        date(1975, 1, 30),
                        None,
                        s("03-5321-1111"),
                    ],
                    info: REC_VERSION,
                    version: Some(1),
                    ext: &[],
                },
                Rec8 {
                    fields: v1,
                    values: vec![
                        id(4),
                        sys(6),
                        sys(7),
                        s("高橋 一郎"),
                        s("ichiro@example.org"),
                        date(1969, 7, 7),
                        None,
                        s("080-2468-1357"),
                    ],
                    info: REC_VERSION | REC_DELETED,
                    version: Some(1),
                    ext: &[],
                },
            ],
        );
        // The LOB: its first page lists two parts (one on it, one on page 6).
        let mut first = blank(5, SPACE, PAGE_LOB_FIRST);
        first[FIL_PAGE_DATA] = 1;
        let list = FIL_PAGE_DATA + 26;
        put32(&mut first, list, 2);
        put32(&mut first, list + 4, 5);
        put16(&mut first, list + 8, 96);
        let entry = |p: &mut Vec<u8>, at: usize, next: Option<u16>, page: u32, len: usize| {
            put32(p, at + 6, if next.is_some() { 5 } else { FIL_NULL });
            put16(p, at + 10, next.unwrap_or(0));
            put32(p, at + 48, page);
            put16(p, at + 52, len as u16);
        };
        entry(&mut first, 96, Some(156), 5, first_part);
        entry(&mut first, 156, None, 6, note.len() - first_part);
        let data_at = FIL_PAGE_DATA + 58 + 600;
        first[data_at..data_at + first_part].copy_from_slice(&note.as_bytes()[..first_part]);
        let mut data = blank(6, SPACE, PAGE_LOB_DATA);
        let rest = &note.as_bytes()[first_part..];
        data[FIL_PAGE_DATA + 11..FIL_PAGE_DATA + 11 + rest.len()].copy_from_slice(rest);
        // Page 0: MySQL's flags (4 KiB pages, SDI), the SDI's version and root.
        let mut p0 = fsp(SPACE, 7);
        put32(&mut p0, FIL_PAGE_DATA + 16, 0x4021 | (3 << 6));
        put32(&mut p0, sdi_offset(PS), 1);
        put32(&mut p0, sdi_offset(PS) + 4, 3);
        [
            p0,
            blank(1, SPACE, 5),
            blank(2, SPACE, 3),
            sdi,
            rows,
            first,
            data,
        ]
        .concat()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::build::{self, PS, SPACE};
    use super::*;
    use kizuki_core::Category;

    fn table(s: &mut Part) -> (u64, Vec<(String, Category)>) {
        s.finish()
    }

    /// Asserts that the table's columns classified include these.
    fn has_columns(cols: &[(String, Category)], want: &[(&str, Category)]) {
        for (name, c) in want {
            assert!(cols.contains(&(name.to_string(), *c)), "{name}: {cols:?}");
        }
    }

    #[test]
    fn reads_rows_under_the_dictionary_and_deleted_rows_apart() {
        let dict = Dict::read(&build::ibdata()[..]).unwrap();
        let def = dict.table(SPACE).unwrap();
        assert_eq!(def.name, "shop/customers");
        assert_eq!(def.short_name(), "customers");
        assert!(dict.table(0).is_none() && dict.table(6).is_none());
        let mut s = read(&build::ibd()[..], PS, def, CatSet::all());
        assert_eq!((s.pages, s.unread, s.extern_missing), (1, 0, 0));
        let (records, cols) = table(&mut s.live);
        assert_eq!(records, 3);
        has_columns(
            &cols,
            &[
                ("email", Category::Email),
                ("birthday", Category::BirthDate),
            ],
        );
        let r = s
            .live
            .tally
            .report("t".into(), None, Some(3), Vec::new(), true);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"email\":2"), "{json}");
        assert!(json.contains("\"birth_date\":3"), "{json}");
        assert!(json.contains("1980-04-12"), "{json}");
        assert!(json.contains("\"gender\":3"), "{json}");
        // The row marked deleted and the purged one; the split's copy of row 1 is no
        // deleted row.
        let (records, _) = table(&mut s.dead);
        assert_eq!(records, 2);
        let r = s
            .dead
            .tally
            .report("t".into(), None, Some(2), Vec::new(), true);
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            json.contains("misaki.ito@example.com") && json.contains("ichiro@example.org"),
            "{json}"
        );
        assert!(!json.contains("taro.yamada"), "{json}");
    }

    /// An export's `.cfg` describes the table as the dictionary does; cut or flipped, it
    /// describes nothing or something that reads no row wrongly enough to panic.
    #[test]
    fn reads_rows_under_an_exports_cfg() {
        let cfg = build::cfg();
        let def = from_cfg(&cfg).unwrap();
        let dict = Dict::read(&build::ibdata()[..]).unwrap();
        let want = dict.table(SPACE).unwrap();
        assert_eq!(def.name, want.name);
        assert_eq!(def.column_names(), want.column_names());
        let mut s = read(&build::ibd()[..], PS, &def, CatSet::all());
        assert_eq!(table(&mut s.live).0, 3);
        assert_eq!(table(&mut s.dead).0, 2);
        let mut rng = kizuki_core::rng::Rng::new(62);
        for cut in 0..cfg.len() {
            assert!(from_cfg(&cfg[..cut]).is_none() || cut > cfg.len() - 200);
        }
        for _ in 0..2000 {
            let mut c = cfg.clone();
            let at = rng.below(c.len() as u64) as usize;
            c[at] = rng.next_u64() as u8;
            if let Some(d) = from_cfg(&c) {
                let _ = read(&build::ibd()[..], PS, &d, CatSet::all());
            }
        }
        assert!(from_cfg(&[0, 0, 0, 2]).is_none());
    }

    /// The `.frm` beside a table file describes it as the dictionary does (with the index
    /// whose root is page 3); cut or flipped, it never panics.
    #[test]
    fn reads_rows_under_the_frm() {
        let (frm, ibd) = (build::frm(), build::ibd());
        let index = clustered_index(&ibd[..], PS).unwrap();
        assert_eq!(index.1, 3);
        let def = from_frm(&frm, "shop/customers", index).unwrap();
        let dict = Dict::read(&build::ibdata()[..]).unwrap();
        assert_eq!(
            def.column_names(),
            dict.table(SPACE).unwrap().column_names()
        );
        let mut s = read(&ibd[..], PS, &def, CatSet::all());
        assert_eq!((table(&mut s.live).0, table(&mut s.dead).0), (3, 2));
        let mut rng = kizuki_core::rng::Rng::new(63);
        for cut in 0..frm.len() {
            let _ = from_frm(&frm[..cut], "t/t", index);
        }
        for _ in 0..3000 {
            let mut f = frm.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(f.len() as u64) as usize;
                f[at] = rng.next_u64() as u8;
            }
            if let Some(d) = from_frm(&f, "t/t", index) {
                let _ = read(&ibd[..], PS, &d, CatSet::all());
            }
        }
        assert_eq!(decimal_bytes(10, 2), 5);
        assert_eq!(decimal_bytes(18, 9), 8);
    }

    /// A MySQL 8 table's file describes itself (SDI): its rows are read without `ibdata1`,
    /// `.cfg` or `.frm`, those of each row version after an instant ADD COLUMN, a long
    /// value from its LOB pages, the deleted row apart.
    #[test]
    fn reads_a_mysql8_table_under_its_sdi() {
        let ibd = build::ibd8();
        let defs = from_sdi(&ibd[..], PS);
        assert_eq!(defs.len(), 1);
        let def = &defs[0];
        assert_eq!(def.name, "shop/customers");
        assert_eq!(
            def.column_names(),
            ["id", "name", "email", "birthday", "notes", "phone"]
        );
        assert_eq!(def.mysql.as_ref().unwrap().versions.len(), 2);
        let mut s = read(&ibd[..], PS, def, CatSet::all());
        assert_eq!((s.unread, s.extern_missing, s.pages), (0, 0, 1));
        let (rows, cols) = table(&mut s.live);
        assert_eq!(rows, 3);
        has_columns(
            &cols,
            &[
                ("phone", Category::Phone),
                ("birthday", Category::BirthDate),
            ],
        );
        let t = &s.live.tally;
        assert_eq!(t.count(Category::NameKanji), 3);
        // Two in their column, one at the end of the note (its LOB's data page).
        assert_eq!(t.count(Category::Email), 3, "{t:?}");
        // One in its column (row version 1), one at the start of the note.
        assert_eq!(t.count(Category::Phone), 2, "{t:?}");
        assert_eq!(t.count(Category::BirthDate), 3);
        let (dead, _) = table(&mut s.dead);
        assert_eq!(dead, 1);
        assert_eq!(s.dead.tally.count(Category::Phone), 1);
        // Without SDI (MariaDB's flags, no SDI root): nothing.
        assert!(from_sdi(&build::ibd()[..], PS).is_empty());
        // Hostile: cut anywhere, bytes flipped.
        for cut in (0..ibd.len()).step_by(7) {
            for d in from_sdi(&ibd[..cut], PS) {
                let _ = read(&ibd[..cut], PS, &d, CatSet::all());
            }
        }
        let mut rng = kizuki_core::rng::Rng::new(88);
        for _ in 0..3000 {
            let mut f = ibd.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(f.len() as u64) as usize;
                f[at] = rng.next_u64() as u8;
            }
            for d in from_sdi(&f[..], PS) {
                let _ = read(&f[..], PS, &d, CatSet::all());
            }
        }
        // MySQL 8.0.12 to 8.0.28's instant ADD COLUMN: the rows before it end before
        // `phone`; the flagged one keeps its count of fields.
        let v1 = build::ibd8_v1();
        let defs = from_sdi(&v1[..], PS);
        assert_eq!(defs[0].mysql.as_ref().unwrap().core, Some(7));
        let mut s = read(&v1[..], PS, &defs[0], CatSet::all());
        assert_eq!(s.unread, 0);
        assert_eq!(table(&mut s.live).0, 2);
        assert_eq!(s.live.tally.count(Category::Phone), 1);
        assert_eq!(s.live.tally.count(Category::Email), 1);
        assert_eq!(s.live.tally.count(Category::NameKanji), 2);
        // A partition's file: the partition's index in this tablespace.
        let mut v: serde_json::Value = serde_json::from_slice(&build::sdi_json()).unwrap();
        let t = &mut v["dd_object"];
        t["indexes"][0]["se_private_data"] = "table_id=1081;".into();
        t["partitions"] = serde_json::json!([
            {"name": "p0", "indexes": [{"index_opx": 0, "se_private_data": format!("id=77;root=4;space_id={};", SPACE + 1)}]},
            {"name": "p1", "subpartitions": [
                {"name": "p1sp0", "indexes": [
                    {"index_opx": 1, "se_private_data": format!("id=79;root=5;space_id={SPACE};")},
                    {"index_opx": 0, "se_private_data": format!("id=78;root=4;space_id={SPACE};")},
                ]},
            ]},
        ]);
        let ix = sdi_table(&v, SPACE).unwrap().index.unwrap();
        assert_eq!((ix.id, ix.root), (78, 4));
        assert_eq!(sdi_table(&v, SPACE + 1).unwrap().index.unwrap().id, 77);
        assert!(sdi_table(&v, SPACE + 2).is_none());
        // The JSON cut or changed: no panic, no table or one.
        let json = build::sdi_json();
        for cut in (0..json.len()).step_by(3) {
            if let Ok(v) = serde_json::from_slice(&json[..cut]) {
                let _ = sdi_table(&v, SPACE);
            }
        }
    }

    /// A general tablespace (MySQL 5.7's `CREATE TABLESPACE`) holds several tables: each is
    /// read from its own index's pages, in one pass.
    #[test]
    fn reads_each_table_of_a_shared_tablespace() {
        let dict = Dict::read(&build::ibdata()[..]).unwrap();
        let one = dict.table(SPACE).unwrap().clone();
        let mut other = one.clone();
        other.name = "shop/orders".into();
        if let Some(ix) = &mut other.index {
            ix.id = 99;
        }
        let shared = Dict {
            tables: vec![one, other],
            by_space: HashMap::from([(SPACE, vec![0, 1])]),
        };
        assert!(shared.table(SPACE).is_none());
        let defs = shared.tables_in(SPACE);
        assert_eq!(defs.len(), 2);
        let mut spaces = read_all(&build::ibd()[..], PS, &defs, CatSet::all());
        assert_eq!((spaces[0].pages, spaces[1].pages), (1, 0));
        assert_eq!(table(&mut spaces[0].live).0, 3);
        assert_eq!(table(&mut spaces[1].live).0, 0);
    }

    /// A table kept in the system tablespace (`innodb_file_per_table=0`) is read from it;
    /// the dictionary's own tables are not users'.
    #[test]
    fn reads_tables_kept_in_the_system_tablespace() {
        let sys = build::ibdata_with_table();
        let dict = Dict::read(&sys[..]).unwrap();
        assert!(dict.table(SPACE).is_none());
        let defs = dict.system_tables();
        assert_eq!(defs.len(), 1);
        let mut spaces = read_all(&sys[..], PS, &defs, CatSet::all());
        let s = &mut spaces[0];
        assert_eq!(s.pages, 1);
        assert_eq!(table(&mut s.live).0, 3);
        assert_eq!(table(&mut s.dead).0, 2);
        assert!(
            Dict::read(&build::ibdata()[..])
                .unwrap()
                .system_tables()
                .is_empty()
        );
    }

    #[test]
    fn shows_numbers_and_dates_as_the_server_does() {
        let col = |mtype, prtype, len| Col {
            name: String::new(),
            mtype,
            prtype,
            len,
        };
        let shown = |c: &Col, v: &[u8]| {
            let mut s = String::new();
            show(c, c.encoding(), v, &mut s);
            s
        };
        let int = col(DATA_INT, 0x403, 4);
        assert_eq!(
            shown(&int, &(-5i32 as u32 ^ 0x8000_0000).to_be_bytes()),
            "-5"
        );
        assert_eq!(shown(&int, &(7u32 ^ 0x8000_0000).to_be_bytes()), "7");
        let unsigned = col(DATA_INT, 0x603, 4);
        assert_eq!(shown(&unsigned, &u32::MAX.to_be_bytes()), "4294967295");
        let big = col(DATA_INT, 0x408, 8);
        assert_eq!(shown(&big, &(-1i64 as u64 ^ (1 << 63)).to_be_bytes()), "-1");
        let date = col(DATA_INT, 0x40a, 3);
        let d = (1980u32 * 512 + 4 * 32 + 12) ^ 0x80_0000;
        assert_eq!(shown(&date, &d.to_be_bytes()[1..]), "1980-04-12");
        assert_eq!(shown(&date, &0x80_0000u32.to_be_bytes()[1..]), "");
        // DATETIME (MySQL 5.6's format): 2024-05-01 10:20:30, and a midnight.
        let dt = col(DATA_FIXBINARY, 0x8040c, 5);
        let packed = |y: u64, mo: u64, d: u64, h: u64, mi: u64, s: u64| {
            let v =
                0x80_0000_0000 + ((((y * 13 + mo) << 5) | d) << 17) + ((h << 12) | (mi << 6) | s);
            v.to_be_bytes()[3..].to_vec()
        };
        assert_eq!(
            shown(&dt, &packed(2024, 5, 1, 10, 20, 30)),
            "2024-05-01 10:20:30"
        );
        assert_eq!(shown(&dt, &packed(1975, 1, 30, 0, 0, 0)), "1975-01-30");
        let ts = col(DATA_FIXBINARY, 0x407, 4);
        assert_eq!(
            shown(&ts, &1_700_000_000u32.to_be_bytes()),
            "2023-11-14 22:13:20"
        );
        // Text: CHAR padding trimmed, CP932 and EUC-JP decoded, bytes no text in it left out.
        let chr = col(DATA_MYSQL, 0x002d_00fe, 40);
        assert_eq!(shown(&chr, "山田  ".as_bytes()), "山田");
        let sjis = col(DATA_VARMYSQL, 0x005f_000f, 64);
        assert_eq!(shown(&sjis, b"\x8eR\x93c"), "山田");
        let euc = col(DATA_VARMYSQL, 0x0061_000f, 64);
        assert_eq!(shown(&euc, b"\xbb\xb3\xc5\xc4"), "山田");
        let utf8 = col(DATA_VARMYSQL, 0x002d_000f, 64);
        assert_eq!(shown(&utf8, b"\xff\xfe"), "");
        // Decimals and binary strings hold no one's data.
        assert_eq!(
            shown(&col(DATA_FIXBINARY, 0x4f6, 5), &[0x80, 0, 0, 1, 2]),
            ""
        );
    }

    #[test]
    fn tells_tablespaces_and_their_page_sizes() {
        let ibd = build::ibd();
        assert!(is_tablespace(&ibd));
        assert_eq!(space_of(&ibd), Some((SPACE, PS)));
        assert_eq!(space_of(&build::ibdata()), Some((0, PS)));
        assert_eq!(page_size(0x15), Some(16384));
        assert_eq!(page_size(0), Some(16384));
        assert_eq!(page_size(0x21), Some(16384));
        assert_eq!(page_size(3 << 6), Some(4096));
        // ROW_FORMAT=COMPRESSED (a zip size) and page compression: not read.
        assert_eq!(page_size(0x29), None);
        assert_eq!(page_size(1 << 16), None);
        assert!(!is_tablespace(&ibd[..40]));
        assert!(!is_tablespace(&[0u8; 4096]));
    }

    /// Hostile pages: bytes flipped anywhere in both files, and files cut short, never
    /// panic nor loop; rows that no longer parse are counted, not read.
    #[test]
    fn survives_flipped_and_cut_files() {
        let (sys, ibd) = (build::ibdata(), build::ibd());
        let mut rng = kizuki_core::rng::Rng::new(61);
        for round in 0..3000 {
            let (mut a, mut b) = (sys.clone(), ibd.clone());
            let target = if round % 2 == 0 { &mut a } else { &mut b };
            for _ in 0..1 + rng.below(8) {
                // Mostly near the records and headers, where the structure is.
                let page = [0, 3, 7, 8, 10, 11, 12][rng.below(7) as usize] % (target.len() / PS);
                let at = page * PS + rng.below(PS as u64 / 4) as usize;
                target[at] = rng.next_u64() as u8;
            }
            if let Some(dict) = Dict::read(&a[..])
                && let Some(def) = dict.table(SPACE)
            {
                let s = read(&b[..], PS, def, CatSet::all());
                assert!(s.pages <= 1);
            }
        }
        let dict = Dict::read(&sys[..]).unwrap();
        let def = dict.table(SPACE).unwrap();
        for cut in (0..ibd.len()).step_by(97) {
            let _ = read(&ibd[..cut], PS, def, CatSet::all());
        }
        for cut in (0..sys.len()).step_by(331) {
            let _ = Dict::read(&sys[..cut]);
        }
    }

    /// The fuzz seed: the system tablespace, then the table's file
    /// ([`crate::fuzzing::scan_file`] lays them out as a data directory).
    #[test]
    fn fuzz_seed_is_current() {
        let seed = [build::ibdata(), build::ibd()].concat();
        crate::fuzzing::check_file_seed("innodb", &seed);
        // The fuzz target reads it as the table it is.
        let tables: Vec<_> = crate::fuzzing::scan_file(&seed)
            .into_iter()
            .filter_map(|i| match i {
                crate::Item::Found(o) if o.path.ends_with("shop/customers.ibd") => Some(o),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].records, Some(3));
        // The table's `.frm` (padded to 16 KiB), then its file.
        let mut seed = build::frm();
        seed.resize(16 * 1024, 0);
        seed.extend(build::ibd());
        crate::fuzzing::check_file_seed("innodb-frm", &seed);
        let found = crate::fuzzing::scan_file(&seed).into_iter().any(|i| {
            matches!(i, crate::Item::Found(o) if o.path.ends_with("frm/shop/customers.ibd") && o.records == Some(3))
        });
        assert!(found);
        // A MySQL 8 table's file alone: read as `fuzz.csv` (its SDI describes it).
        let seed = build::ibd8();
        crate::fuzzing::check_file_seed("innodb8", &seed);
        let found = crate::fuzzing::scan_file(&seed).into_iter().any(|i| {
            matches!(i, crate::Item::Found(o) if o.path.ends_with("fuzz.csv") && o.records == Some(3))
        });
        assert!(found);
    }
}

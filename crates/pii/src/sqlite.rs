//! SQLite databases (application stores, exported customer databases): every table is read
//! through the table classifier with its column names as header, as a SQL dump's tables are
//! ([`crate::sql`]). The object's columns are reported as `table.column`.
//!
//! The file is opened read-only and `immutable` (SQLite then takes no lock and writes no
//! journal, WAL index or anything else beside the evidence), with `trusted_schema` off (no
//! function of the schema runs); virtual tables are not read. A database inside an archive
//! is read from a read-only copy in memory (SQLite's deserialize).

use std::path::Path;

use kizuki_core::Category;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::sqlite_free::{Recovered, TableDef, row_key};
use crate::table::Table;
use crate::tally::Tally;

/// The first bytes of an SQLite 3 database.
pub(crate) const MAGIC: &[u8] = b"SQLite format 3\0";

/// Tables read per database.
const MAX_TABLES: usize = 1024;

/// What a database held.
pub(crate) struct Db {
    /// The log beside the database could not be read: why (the file alone was read).
    pub wal_error: Option<String>,
    /// Committed pages of the log beside the database that were read with it.
    pub wal_pages: usize,
    /// Rows of every table read.
    pub records: u64,
    /// Classified columns, as `table.column`.
    pub columns: Vec<(String, Category)>,
    /// Tables that could not be read: name, error.
    pub errors: Vec<(String, String)>,
    /// Deleted rows recovered from the free space ([`crate::sqlite_free`]), when any.
    pub deleted: Option<Deleted>,
}

/// Deleted rows of a database, read as its tables are.
pub(crate) struct Deleted {
    pub tally: Tally,
    pub records: u64,
    pub columns: Vec<(String, Category)>,
    /// The recovery stopped at its caps.
    pub capped: bool,
}

/// Reads every table of the database at `path` into `tally`, with the committed
/// transactions of its write-ahead log (`path-wal`) when it has one ([`crate::wal`]), and
/// recovers its deleted rows.
pub(crate) fn scan(path: &Path, tally: &mut Tally) -> rusqlite::Result<Db> {
    let log = crate::wal::beside(path);
    let has_log = log.is_file();
    let (copy, replaced, wal_error) = if has_log {
        match crate::wal::apply(path, &log) {
            Ok(Some((tmp, c))) => {
                let mut pages: Vec<u32> = c.frames.into_keys().collect();
                pages.sort_unstable();
                (Some(tmp), pages, None)
            }
            Ok(None) => (None, Vec::new(), None),
            Err(e) => (None, Vec::new(), Some(e.to_string())),
        }
    } else {
        (None, Vec::new(), None)
    };
    let wal_pages = replaced.len();
    let image = copy.as_ref().map_or(path, |t| t.path());
    let conn = Connection::open_with_flags(
        uri(image),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut db = scan_conn(&conn, tally, |tables| {
        let mut f = std::fs::File::open(image)?;
        let mut log = if has_log {
            Some(std::io::BufReader::new(std::fs::File::open(&log)?))
        } else {
            None
        };
        let mut original = if replaced.is_empty() {
            None
        } else {
            Some(std::fs::File::open(path)?)
        };
        // The database file's page 1, when the log replaced it: a table dropped since the
        // last checkpoint is still in its schema there.
        let older = match original.as_mut() {
            Some(o) if replaced.first() == Some(&1) => {
                let mut p = vec![0u8; 65536];
                let n = kizuki_core::io::read_full(o, &mut p)?;
                p.truncate(n);
                Some(p)
            }
            _ => None,
        };
        let live = tables.len();
        add_dropped(tables, &mut f, older.as_deref())?;
        let mut journal = {
            let mut p = path.as_os_str().to_owned();
            p.push("-journal");
            std::fs::File::open(p).ok()
        };
        crate::sqlite_free::recover(
            &mut f,
            log.as_mut().map(|l| l as &mut dyn std::io::Read),
            original.as_mut().map(|o| (o, replaced.as_slice())),
            tables,
            live,
            journal.as_mut().map(|j| j as &mut dyn std::io::Read),
        )
    })?;
    db.wal_pages = wal_pages;
    db.wal_error = wal_error;
    Ok(db)
}

/// Reads every table of a database held in memory (a member of an archive) into `tally`:
/// SQLite reads a read-only copy of the bytes; nothing is written anywhere.
pub(crate) fn scan_bytes(data: &[u8], tally: &mut Tally) -> rusqlite::Result<Db> {
    use std::io::Read;
    // A database in WAL mode (header bytes 18-19 are 2) is read as a rollback-journal one:
    // a memory database has no WAL, and the copy has no `-wal` file beside it anyway.
    let mut head = data[..data.len().min(100)].to_vec();
    if head.get(18..20) == Some(&[2, 2]) {
        head[18] = 1;
        head[19] = 1;
    }
    let copy = head.as_slice().chain(&data[head.len()..]);
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact("main", copy, data.len(), true)?;
    scan_conn(&conn, tally, |tables| {
        let mut r = std::io::Cursor::new(data);
        let live = tables.len();
        add_dropped(tables, &mut r, None)?;
        crate::sqlite_free::recover(&mut r, None, None, tables, live, None)
    })
}

/// Reads the tables of `conn`, after `recover` has searched the free space for deleted rows
/// of them (told from live rows as the live rows are read).
fn scan_conn(
    conn: &Connection,
    tally: &mut Tally,
    recover: impl FnOnce(&mut Vec<TableDef>) -> std::io::Result<Recovered>,
) -> rusqlite::Result<Db> {
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    let names: Vec<String> = {
        let mut st = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
             ESCAPE '\\' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid",
        )?;
        st.query_map([], |r| r.get(0))?
            .take(MAX_TABLES)
            .collect::<rusqlite::Result<_>>()?
    };
    let mut db = Db {
        wal_error: None,
        wal_pages: 0,
        records: 0,
        columns: Vec::new(),
        errors: Vec::new(),
        deleted: None,
    };
    // The schema the free space is searched with: tables whose columns are known.
    let mut tables = Vec::new();
    for name in &names {
        match schema(conn, name) {
            Ok(t) => tables.push(t),
            Err(e) => db.errors.push((name.clone(), e.to_string())),
        }
    }
    let live = tables.len();
    let mut recovered = match recover(&mut tables) {
        Ok(r) => r,
        Err(e) => {
            db.errors
                .push(("(deleted)".to_string(), format!("free space not read: {e}")));
            Recovered::default()
        }
    };
    for (i, t) in tables.iter().enumerate().take(live) {
        match table(conn, i, &t.name, tally, &mut recovered) {
            Ok((records, cols)) => {
                db.records += records;
                db.columns.extend(
                    cols.into_iter()
                        .map(|(c, cat)| (format!("{}.{c}", t.name), cat)),
                );
            }
            Err(e) => db.errors.push((t.name.clone(), e.to_string())),
        }
    }
    let capped = recovered.capped;
    let mut by_table: Vec<Vec<Vec<String>>> = vec![Vec::new(); tables.len()];
    for (t, row) in recovered.deleted() {
        if let Some(rows) = by_table.get_mut(t) {
            rows.push(row);
        }
    }
    if by_table.iter().any(|r| !r.is_empty()) {
        let mut del = Deleted {
            tally: Tally::new(tally.categories()),
            records: 0,
            columns: Vec::new(),
            capped,
        };
        for (t, rows) in tables.iter().zip(by_table) {
            if rows.is_empty() {
                continue;
            }
            let mut tab = Table::with_columns(t.columns.clone());
            for row in &rows {
                tab.push(row, &mut del.tally);
            }
            let cols = tab.finish(&mut del.tally);
            del.tally.persons_at_most(tab.person_rows());
            del.records += tab.records;
            del.columns.extend(
                cols.into_iter()
                    .map(|(c, cat)| (format!("{}.{c}", t.name), cat)),
            );
        }
        db.deleted = Some(del);
    }
    Ok(db)
}

/// Adds to `tables` the tables the database at `r` once had and dropped, whose rows its
/// freelist may still hold ([`crate::sqlite_free::dropped_tables`]). Each statement is run
/// alone in a database of its own in memory (defensive, schema untrusted) only for SQLite to
/// say the table's columns: `CREATE TABLE` evaluates nothing.
fn add_dropped<R: std::io::Read + std::io::Seek>(
    tables: &mut Vec<TableDef>,
    r: &mut R,
    older: Option<&[u8]>,
) -> std::io::Result<()> {
    let live: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    for (name, sql) in crate::sqlite_free::dropped_tables(r, older, &live)? {
        let Ok(conn) = Connection::open_in_memory() else {
            continue;
        };
        let safe = conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .is_ok()
            && conn.pragma_update(None, "trusted_schema", "OFF").is_ok();
        if safe
            && conn.execute(&sql, []).is_ok()
            && let Ok(t) = schema(&conn, &name)
            && !t.columns.is_empty()
        {
            tables.push(t);
        }
    }
    Ok(())
}

/// A table's columns and their affinities (`PRAGMA table_info`).
fn schema(conn: &Connection, name: &str) -> rusqlite::Result<TableDef> {
    let mut st = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1)")?;
    let mut columns = Vec::new();
    let mut text = Vec::new();
    let mut keys = Vec::new();
    for r in st.query_map([name], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (c, decl, pk) = r?;
        if pk > 0 {
            keys.push((columns.len(), decl.eq_ignore_ascii_case("INTEGER")));
        }
        columns.push(c);
        text.push(TableDef::text_affinity(&decl));
    }
    // `INTEGER PRIMARY KEY` alone: the rowid under another name, stored as NULL.
    let rowid_alias = match keys.as_slice() {
        [(i, true)] => Some(*i),
        _ => None,
    };
    Ok(TableDef {
        name: name.to_string(),
        columns,
        text,
        rowid_alias,
    })
}

/// One table's rows into `tally`: its records and classified columns.
fn table(
    conn: &Connection,
    index: usize,
    name: &str,
    tally: &mut Tally,
    recovered: &mut Recovered,
) -> rusqlite::Result<(u64, Vec<(String, Category)>)> {
    let mut st = conn.prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))?;
    let cols: Vec<String> = st.column_names().map(String::from).collect();
    let n = cols.len();
    let mut t = Table::with_columns(cols);
    let mut rows = st.query([])?;
    let mut row: Vec<String> = Vec::with_capacity(n);
    // Which cells are text (what a recovered row is matched on).
    let mut text: Vec<bool> = vec![false; n];
    while let Some(r) = rows.next()? {
        row.clear();
        for (i, is_text) in text.iter_mut().enumerate() {
            let v = r.get_ref(i)?;
            *is_text = matches!(v, ValueRef::Text(_));
            row.push(match v {
                ValueRef::Null => String::new(),
                ValueRef::Integer(x) => x.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(b) => String::from_utf8_lossy(b).into_owned(),
                // Text kept as a blob by some applications; other blobs say nothing here.
                ValueRef::Blob(b) => std::str::from_utf8(b).unwrap_or("").to_string(),
            });
        }
        if !recovered.rows.is_empty() {
            let texts = (0..n).filter(|i| text[*i]).map(|i| (i, row[i].as_str()));
            recovered.live_row(row_key(index, texts));
        }
        t.push(&row, tally);
    }
    let cols = t.finish(tally);
    tally.persons_at_most(t.person_rows());
    Ok((t.records, cols))
}

/// What a [`Spotter`] copied out of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Spotted {
    /// An SQLite database (its size from its header).
    Sqlite,
    /// An OLE compound file (Word, Excel, Outlook): the most its FAT can address, which
    /// may run past the file into what follows it ([`crate::ole::used_len`] trims it).
    Ole,
    /// A PostgreSQL table file's pages ([`crate::pgheap`]): as many heap pages as follow one
    /// another (a dropped table's file, deleted, keeps its pages in its blocks), in pieces
    /// of at most the cap.
    Postgres,
    /// A MySQL 8 tablespace (a table's `.ibd`, which describes itself): its size from its
    /// first page.
    Innodb,
    /// An Outlook data file (PST or OST): its size from its header ([`crate::pst::size`]).
    Pst,
    /// A 7z archive (a staged archive, deleted): its size from its start header
    /// ([`seven_z_size`]).
    SevenZip,
    /// An LZH archive: its size from its members' headers, read as they are copied
    /// ([`kizuki_files::archive::lzh_extent`]); `cut` when they end before its end mark (a
    /// header that is none, or the image's end).
    Lzh { cut: bool },
    /// A RAR archive (the staged archive of many intrusions, deleted): its size from its
    /// blocks' headers, read as they are copied ([`kizuki_files::rar::extent`]), or up to the
    /// cap when they are encrypted; `cut` as for [`Spotted::Lzh`].
    Rar { cut: bool },
    /// A zip member or a gzip file, decompressed as the image passed ([`crate::unzip`]), or
    /// an archive rebuilt from members that followed one another (no name): its name, the
    /// end of its compressed bytes, why it is not whole; the archive of an encrypted
    /// member (no name), whose bytes hold nothing to read unless a password opens it.
    Unzipped {
        name: String,
        end: u64,
        cut: Option<String>,
        encrypted: bool,
    },
}

/// Files whose header a raw image holds at a sector boundary, as a file system stores a
/// file's first block (a deleted file's too): a reader that passes an image's bytes through
/// while it copies each such file out of them. SQLite databases: their size from their
/// header (which must hold: the fixed payload fractions 64/32/32, a known page size, a page
/// count that its change counter vouches for). Outlook data files: their size from their
/// header ([`crate::pst::size`]). OLE compound files: as many bytes as their FAT
/// can address (at an image's end, what there is). PostgreSQL table files: their pages while
/// they follow one another. A file larger than the cap is left to the text carver (a
/// PostgreSQL file is handed on in pieces of the cap, each read as a table). Only a file stored in one piece is whole this way (a fragmented file's copy
/// fails to open, and the text carver's regions stand). Each file copied is handed to
/// `on_file` (its kind, offset and bytes) at once, so at most one is held at a time.
pub(crate) struct Spotter<R, F: FnMut(Spotted, u64, Vec<u8>)> {
    inner: R,
    on_file: F,
    /// Offset of the next sector.
    pos: u64,
    cap: u64,
    /// Bytes of the sector being filled.
    sector: Vec<u8>,
    /// The file being copied.
    capture: Option<Capture>,
    /// Files seen but larger than the cap: kind, offset and size.
    pub too_large: Vec<(Spotted, u64, u64)>,
    /// Stop at the first rest point at or after this offset ([`Spotter::stopping`]).
    stop_after: Option<u64>,
    /// Where it stopped, if it did.
    pub stopped: Option<u64>,
    /// The files copied: their offset and the end of the sector read when the copy ended
    /// (`u64::MAX` while it lasts). The sector boundaries strictly between the two found the
    /// spotter busy ([`busy_at`]).
    pub copies: Vec<(u64, u64)>,
    /// Zip members and gzip files, decompressed as their bytes pass.
    unzip: crate::unzip::Finder,
}

/// Was a file being copied at the sector boundary `y` (after the sector before it), by the
/// [`Spotter`] whose `copies` these are?
pub(crate) fn busy_at(copies: &[(u64, u64)], y: u64) -> bool {
    copies.iter().any(|(a, b)| *a < y && y < *b)
}

/// Sector size a file's start is aligned to in an image.
const SECTOR: usize = crate::carve::SECTOR as usize;

/// A file being copied out of an image.
struct Capture {
    kind: Spotted,
    /// Its offset in the image.
    at: u64,
    /// Its size (for a compound file, the most it can be until its FAT is read).
    want: usize,
    /// A compound file's FAT is in once the copy is this long: its size is then known.
    fat_in: Option<usize>,
    /// An LZH archive's next member header, a RAR archive's next block, in `buf`.
    next: usize,
    buf: Vec<u8>,
}

impl<R: std::io::Read, F: FnMut(Spotted, u64, Vec<u8>)> Spotter<R, F> {
    pub(crate) fn new(inner: R, cap: u64, on_file: F) -> Self {
        Spotter {
            inner,
            on_file,
            pos: 0,
            cap,
            sector: Vec::with_capacity(SECTOR),
            capture: None,
            too_large: Vec::new(),
            stop_after: None,
            stopped: None,
            copies: Vec::new(),
            // Half the cap: a file decompressed may be held while another is copied.
            unzip: crate::unzip::Finder::new(cap / 2),
        }
    }

    /// Reads an image from offset `at` on (the inner reader starts there: a sector boundary),
    /// and, with `stop_after`, ends the read at the first *rest point* at or after it: a
    /// sector boundary behind a sector of zeros, where no file is being copied. Text carving
    /// is at rest there too (zeros are no text in either pass, and a sector of them is at
    /// least [`crate::carve::GAP`]), so what an image holds after a rest point does not depend
    /// on what came before it: the carving of an image can be cut there
    /// ([`crate::carve::rest_after`]).
    pub(crate) fn stopping(mut self, at: u64, stop_after: Option<u64>) -> Self {
        self.pos = at;
        self.stop_after = stop_after;
        self
    }

    /// Is the end of the sector `s` just taken the rest point to stop at (at or after
    /// `stop_after`, no file being copied or decompressed, `s` all zeros)?
    fn rests_after(&self, s: &[u8]) -> bool {
        self.capture.is_none()
            && !self.unzip.busy()
            && self.stop_after.is_some_and(|b| self.pos >= b)
            && s.iter().all(|x| *x == 0)
    }

    /// Marks the copy being made as ended with the sector at `self.pos`.
    fn copy_ended(&mut self, len: usize) {
        let end = self.pos + len as u64;
        if let Some(c) = self.copies.last_mut().filter(|c| c.1 == u64::MAX) {
            c.1 = end;
        }
    }

    /// The size in bytes of the database whose first 100 bytes are `h`, if they are an
    /// SQLite header that says it.
    fn size(h: &[u8]) -> Option<u64> {
        if h.len() < 100 || !h.starts_with(MAGIC) || h[21..24] != [64, 32, 32] {
            return None;
        }
        let page = match u16::from_be_bytes([h[16], h[17]]) {
            1 => 65536,
            n if n >= 512 && n.is_power_of_two() => u64::from(n),
            _ => return None,
        };
        let be = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        // The page count is valid when the change counter equals "version valid for".
        (be(24) == be(92) && be(28) > 0).then(|| u64::from(be(28)) * page)
    }

    /// Hands on a file decompressed out of the image.
    fn unzipped(on_file: &mut F, u: crate::unzip::Unzipped) {
        if u.data.is_empty() {
            return;
        }
        let kind = Spotted::Unzipped {
            name: u.name,
            end: u.end,
            cut: u.cut,
            encrypted: u.encrypted,
        };
        on_file(kind, u.at, u.data);
    }

    /// One whole sector at `self.pos`.
    fn take_sector(&mut self, s: &[u8]) {
        let on_file = &mut self.on_file;
        self.unzip
            .feed(self.pos, s, &mut |u| Self::unzipped(on_file, u));
        // A PostgreSQL file's pages end at the first page that is none (or at the cap: the
        // pieces are read apart).
        if let Some(c) = self.capture.take_if(|c| {
            c.kind == Spotted::Postgres
                && c.buf.len().is_multiple_of(crate::pgheap::PAGE)
                && (c.buf.len() >= c.want || !crate::pgheap::page_header(s))
        }) {
            (self.on_file)(c.kind, c.at, c.buf);
            self.copy_ended(s.len());
        }
        if let Some(c) = &mut self.capture {
            c.buf
                .extend_from_slice(&s[..s.len().min(c.want - c.buf.len())]);
            // A compound file's size, once its FAT is in: the copy stops at its end, before
            // the next file's first sector.
            if c.fat_in.is_some_and(|n| c.buf.len() >= n) {
                c.fat_in = None;
                if let Some(end) = crate::ole::fat_end(&c.buf) {
                    c.want = c.want.min(end.max(SECTOR));
                    c.buf.truncate(c.want);
                }
            }
            // An LZH archive ends after its last member (its end mark), or where a header is
            // none: one that has no member is no archive.
            // So does a RAR archive after its end header; one whose headers are encrypted
            // runs to the cap (or the image's end).
            let end = match c.kind {
                Spotted::Lzh { .. } => kizuki_files::archive::lzh_extent(&c.buf, &mut c.next),
                Spotted::Rar { .. } => kizuki_files::rar::extent(&c.buf, &mut c.next),
                _ => None,
            };
            if let Some(end) = end {
                match end {
                    Ok(n) | Err(n) if n > 0 => {
                        let cut = end.is_err();
                        c.kind = match c.kind {
                            Spotted::Lzh { .. } => Spotted::Lzh { cut },
                            _ => Spotted::Rar { cut },
                        };
                        c.want = n;
                        c.buf.truncate(n);
                    }
                    _ => {
                        self.capture = None;
                        self.copies.pop();
                    }
                }
            }
        } else {
            let found = if s.starts_with(MAGIC) {
                Self::size(s).map(|n| (Spotted::Sqlite, n))
            } else if let Some(n) = crate::pst::size(s) {
                Some((Spotted::Pst, n))
            } else if let Some((n, _)) = crate::innodb::mysql8_size(s) {
                Some((Spotted::Innodb, n))
            } else if let Some(n) = seven_z_size(s) {
                Some((Spotted::SevenZip, n))
            } else if kizuki_files::sniff::is_lzh(s) {
                Some((Spotted::Lzh { cut: false }, self.cap))
            } else if kizuki_files::rar::is_rar(s) {
                Some((Spotted::Rar { cut: false }, self.cap))
            } else if crate::pgheap::page_header(s) {
                Some((Spotted::Postgres, self.cap))
            } else {
                crate::ole::size_bound(s).map(|n| (Spotted::Ole, n))
            };
            match found {
                Some((kind, n)) if n <= self.cap => {
                    let mut buf = Vec::with_capacity(n.min(1 << 20) as usize);
                    buf.extend_from_slice(&s[..s.len().min(n as usize)]);
                    let fat_in = match kind {
                        Spotted::Ole => crate::ole::fat_sectors_end(s),
                        _ => None,
                    };
                    self.copies.push((self.pos, u64::MAX));
                    self.capture = Some(Capture {
                        kind,
                        at: self.pos,
                        want: n as usize,
                        fat_in,
                        next: 0,
                        buf,
                    });
                }
                Some((kind, n)) => self.too_large.push((kind, self.pos, n)),
                None => {}
            }
        }
        if let Some(c) = self.capture.take() {
            if c.buf.len() >= c.want {
                (self.on_file)(c.kind, c.at, c.buf);
                self.copy_ended(s.len());
            } else {
                self.capture = Some(c);
            }
        }
        self.pos += s.len() as u64;
    }
}

impl<R: std::io::Read, F: FnMut(Spotted, u64, Vec<u8>)> std::io::Read for Spotter<R, F> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.stopped.is_some() {
            return Ok(0);
        }
        let n = self.inner.read(out)?;
        if n == 0 && !out.is_empty() {
            // The image's end: a compound file's FAT may address more than there is (its
            // copy is read as far as it goes), and an Outlook data file cut short is told
            // (its reader says what it cannot read); a database cut short is left to the
            // carver. A file being decompressed is given as far as it went.
            self.copy_ended(self.sector.len());
            let on_file = &mut self.on_file;
            let mut give = |u| Self::unzipped(on_file, u);
            self.unzip.feed(self.pos, &self.sector, &mut give);
            self.unzip.finish(&mut give);
            if let Some(c) = self.capture.take_if(|c| {
                c.kind == Spotted::Postgres && c.buf.len().is_multiple_of(crate::pgheap::PAGE)
            }) {
                (self.on_file)(c.kind, c.at, c.buf);
                return Ok(0);
            }
            if let Some(mut c) = self.capture.take()
                && matches!(
                    c.kind,
                    Spotted::Ole | Spotted::Pst | Spotted::Lzh { .. } | Spotted::Rar { .. }
                )
            {
                // An archive cut by the image's end (not one whose headers, encrypted, give
                // no end: it is read as far as the image goes).
                match c.kind {
                    Spotted::Lzh { .. } => c.kind = Spotted::Lzh { cut: true },
                    Spotted::Rar { .. } if c.next != kizuki_files::rar::EXTENT_LOCKED => {
                        c.kind = Spotted::Rar { cut: true };
                    }
                    _ => {}
                }
                let rest = c.want.saturating_sub(c.buf.len()).min(self.sector.len());
                c.buf.extend_from_slice(&self.sector[..rest]);
                (self.on_file)(c.kind, c.at, c.buf);
            }
            return Ok(0);
        }
        let mut data = &out[..n];
        // Whole sectors straight from the read, the rest through `self.sector`.
        while !data.is_empty() {
            let rest = if self.sector.is_empty() && data.len() >= SECTOR {
                let (s, rest) = data.split_at(SECTOR);
                self.take_sector(s);
                data = rest;
                self.rests_after(s)
            } else {
                let k = (SECTOR - self.sector.len()).min(data.len());
                self.sector.extend_from_slice(&data[..k]);
                data = &data[k..];
                if self.sector.len() == SECTOR {
                    let s = std::mem::take(&mut self.sector);
                    self.take_sector(&s);
                    let rest = self.rests_after(&s);
                    self.sector = s;
                    self.sector.clear();
                    rest
                } else {
                    false
                }
            };
            if rest {
                // A rest point: the bytes after it are not handed on.
                self.stopped = Some(self.pos);
                return Ok(n - data.len());
            }
        }
        Ok(n)
    }
}

/// The size of the 7z archive whose first bytes are `h`, if they are a start header that says
/// it: the signature, version 0.x, the CRC of the next 20 bytes right (so by accident once in
/// 2^32), and the end of its header past them: 32 bytes, then the offset and size of the
/// header at its end.
pub(crate) fn seven_z_size(h: &[u8]) -> Option<u64> {
    if !h.starts_with(b"7z\xBC\xAF\x27\x1C") || h.get(6) != Some(&0) {
        return None;
    }
    let le = |i: usize| Some(u64::from_le_bytes(h.get(i..i + 8)?.try_into().ok()?));
    let crc = u32::from_le_bytes(h.get(8..12)?.try_into().ok()?);
    if crc != crc32fast::hash(h.get(12..32)?) {
        return None;
    }
    let (offset, size) = (le(12)?, le(20)?);
    32u64
        .checked_add(offset)?
        .checked_add(size)
        .filter(|_| size > 0)
}

/// The `file:` URI of `path`, read-only and immutable (`%`, `?` and `#` escaped).
fn uri(path: &Path) -> String {
    let p = path.to_string_lossy();
    let mut out = String::from("file:");
    for c in p.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out.push_str("?mode=ro&immutable=1");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;
    use crate::tally::CatSet;

    #[test]
    fn reads_every_table_by_its_columns_and_leaves_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop #1?.sqlite");
        let truth = {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "PRAGMA journal_mode=WAL; CREATE TABLE orders(id INTEGER, sku TEXT);",
            )
            .unwrap();
            let (_, _, truth) = synth::sqlite_persons(&conn, "customers", 21, 50).unwrap();
            conn.execute("INSERT INTO orders VALUES (1, 'AB1234567')", [])
                .unwrap();
            // A small table after the customers (tables are read in the order created).
            conn.execute_batch(
                "CREATE TABLE admins(login TEXT); INSERT INTO admins VALUES ('root');",
            )
            .unwrap();
            truth
        };
        let before: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let mut tally = Tally::new(CatSet::all());
        let db = scan(&path, &mut tally).unwrap();
        assert!(db.errors.is_empty(), "{:?}", db.errors);
        assert_eq!(db.records, 52);
        for (c, n) in &truth {
            assert_eq!(tally.count(*c), *n, "{c:?}");
        }
        assert!(
            db.columns
                .contains(&("customers.氏名".to_string(), Category::NameKanji)),
            "{:?}",
            db.columns
        );
        let after: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(before, after, "no -wal, -shm or journal written");
        // Through the scanner: one object for the database, known by its first bytes.
        let mut items = Vec::new();
        crate::Scanner::default().scan_paths(std::slice::from_ref(&path), &mut |i| items.push(i));
        match items.as_slice() {
            [crate::Item::Found(r)] => {
                assert_eq!(r.path, path.display().to_string());
                assert_eq!((r.records, r.encoding.as_deref()), (Some(52), None));
                assert_eq!(
                    r.categories.get(&Category::Email),
                    truth.get(&Category::Email)
                );
                // The rows of every table bound the persons, not the last table's one row.
                assert_eq!(r.persons_estimate, 50);
            }
            _ => panic!("{items:?}"),
        }
        // In an archive (the file is in WAL mode): read from a copy in memory, the same.
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.get(18..20), Some(&[2u8, 2][..]), "WAL mode");
        let zip = synth::zip_of(&[("app/shop.sqlite", &bytes)]).unwrap();
        let items = crate::Scanner::default().scan_bytes("backup.zip", &zip);
        match items.as_slice() {
            [crate::Item::Found(r)] => {
                assert_eq!(r.path, "backup.zip!app/shop.sqlite");
                assert_eq!((r.records, r.persons_estimate), (Some(52), 50));
                for (c, n) in &truth {
                    assert_eq!(r.categories.get(c), Some(n), "{c:?}");
                }
            }
            _ => panic!("{items:?}"),
        }
        // Damaged in an archive: an error for the member.
        let mut bad = bytes.clone();
        bad[100..].fill(0xFF);
        let zip = synth::zip_of(&[("app/bad.sqlite", &bad)]).unwrap();
        let items = crate::Scanner::default().scan_bytes("backup.zip", &zip);
        assert!(
            matches!(items.as_slice(), [crate::Item::Failed { path, .. }] if path == "backup.zip!app/bad.sqlite"),
            "{items:?}"
        );
    }

    #[test]
    fn reads_the_rows_still_in_the_write_ahead_log() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::wal::tests::db_with_rows_in_log(dir.path(), 20, 60);
        std::fs::remove_file(dir.path().join("src.db")).unwrap();
        let _ = std::fs::remove_file(dir.path().join("src.db-wal"));
        let _ = std::fs::remove_file(dir.path().join("src.db-shm"));
        let listing = || {
            let mut v: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            v.sort();
            v
        };
        let before = listing();
        // The folder: one object, the database with its log; the log is not an object.
        let mut items = Vec::new();
        crate::Scanner::default().scan_paths(&[dir.path().to_path_buf()], &mut |i| items.push(i));
        match items.as_slice() {
            [crate::Item::Found(r)] => {
                assert_eq!(r.path, db.display().to_string());
                assert_eq!(r.records, Some(80));
                assert_eq!(r.categories.get(&Category::Email), Some(&80));
                assert_eq!(r.persons_estimate, 80);
            }
            _ => panic!("{items:?}"),
        }
        assert_eq!(listing(), before, "nothing written beside the evidence");
        // A database moved away from its log is read alone.
        std::fs::rename(&db, dir.path().join("moved.db")).unwrap();
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&dir.path().join("moved.db"), &mut tally).unwrap();
        assert_eq!((read.records, read.wal_pages), (20, 0));
        // A log whose first frame is damaged holds no commit: the database alone.
        std::fs::rename(dir.path().join("moved.db"), &db).unwrap();
        let log = crate::wal::beside(&db);
        let mut bytes = std::fs::read(&log).unwrap();
        bytes[40] ^= 0xFF;
        std::fs::write(&log, &bytes).unwrap();
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&db, &mut tally).unwrap();
        assert_eq!((read.records, read.wal_pages), (20, 0));
    }

    /// A customers table of `n` synthetic persons (ids from 1) in a new database at `path`,
    /// with `secure_delete` as given; the header and the rows as cells.
    fn customers(path: &Path, n: usize, secure_delete: bool) -> (Vec<String>, Vec<Vec<String>>) {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "secure_delete", secure_delete)
            .unwrap();
        let (header, rows, _) = synth::sqlite_persons(&conn, "customers", 33, n).unwrap();
        (header, rows)
    }

    /// What a table of exactly `rows` counts (the oracle for recovered rows).
    fn expected(header: &[String], rows: &[&Vec<String>]) -> (u64, Tally) {
        let mut cols = vec!["id".to_string()];
        cols.extend(header.iter().cloned());
        let mut t = Table::with_columns(cols);
        let mut tally = Tally::new(CatSet::all());
        for (i, r) in rows.iter().enumerate() {
            let mut row = vec![i.to_string()];
            row.extend(r.iter().cloned());
            t.push(&row, &mut tally);
        }
        t.finish(&mut tally);
        (t.records, tally)
    }

    #[test]
    fn recovers_deleted_rows_from_free_space() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.sqlite");
        let (header, rows) = customers(&path, 600, false);
        // Rows deleted here and there (freeblocks in pages still in use), then a run of rows
        // (pages freed whole, to the freelist).
        let gone = |id: usize| id.is_multiple_of(7) || (400..=520).contains(&id);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("DELETE FROM customers WHERE id % 7 = 0 OR id BETWEEN 400 AND 520")
                .unwrap();
            let free: i64 = conn
                .query_row("PRAGMA freelist_count", [], |r| r.get(0))
                .unwrap();
            assert!(free > 0, "whole pages freed");
        }
        // SQLite rewrites the pages it rebalances after a delete, and what it deleted there is
        // gone. The rows still in the file: those whose record body (the cells one after the
        // other, the id being NULL) is there.
        let file = std::fs::read(&path).unwrap();
        let in_file = |r: &Vec<String>| {
            let body = r.concat();
            file.windows(body.len()).any(|w| w == body.as_bytes())
        };
        let deleted: Vec<&Vec<String>> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| gone(i + 1) && in_file(r))
            .map(|(_, r)| r)
            .collect();
        let all = (1..=600).filter(|i| gone(*i)).count();
        assert!(
            deleted.len() * 4 > all * 3,
            "{} of {all} in the file",
            deleted.len()
        );
        let (n, truth) = expected(&header, &deleted);
        let mut items = Vec::new();
        crate::Scanner::default().scan_paths(std::slice::from_ref(&path), &mut |i| items.push(i));
        match items.as_slice() {
            [crate::Item::Found(live), crate::Item::Found(del)] => {
                assert_eq!(live.records, Some((600 - all) as u64));
                assert_eq!(del.path, format!("{}!(deleted)", path.display()));
                assert_eq!(del.records, Some(n));
                for c in Category::ALL {
                    assert_eq!(
                        del.categories.get(&c).copied(),
                        Some(truth.count(c)).filter(|n| *n > 0),
                        "{c:?}"
                    );
                }
                assert_eq!(del.persons_estimate, n);
                assert!(
                    del.columns
                        .0
                        .contains(&("customers.氏名".to_string(), Category::NameKanji)),
                    "{:?}",
                    del.columns
                );
            }
            _ => panic!("{items:?}"),
        }
        // The same in an archive (read from memory).
        let zip = synth::zip_of(&[("crm.sqlite", &std::fs::read(&path).unwrap())]).unwrap();
        let items = crate::Scanner::default().scan_bytes("b.zip", &zip);
        match items.as_slice() {
            [crate::Item::Found(_), crate::Item::Found(del)] => {
                assert_eq!(
                    (del.path.as_str(), del.records),
                    ("b.zip!crm.sqlite!(deleted)", Some(n))
                );
            }
            _ => panic!("{items:?}"),
        }
    }

    #[test]
    fn recovers_rows_deleted_in_the_write_ahead_log() {
        // Rows written and deleted since the last checkpoint: the log's older frames hold the
        // page with them, its latest frame the page without.
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.db");
        let conn = Connection::open(&src).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA secure_delete=ON;
             CREATE TABLE customers(id INTEGER PRIMARY KEY, 氏名 TEXT, メール TEXT);",
        )
        .unwrap();
        for i in 0..40 {
            conn.execute(
                "INSERT INTO customers VALUES (NULL, '山田 太郎', ?)",
                [format!("taro{i}@example.com")],
            )
            .unwrap();
        }
        // `secure_delete` zeroes the deleted cells in the page, not the page's older frames.
        conn.execute_batch("DELETE FROM customers WHERE id % 4 = 0")
            .unwrap();
        let db = dir.path().join("app.db");
        std::fs::copy(&src, &db).unwrap();
        std::fs::copy(crate::wal::beside(&src), crate::wal::beside(&db)).unwrap();
        drop(conn);
        std::fs::remove_file(&src).unwrap();
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&db, &mut tally).unwrap();
        assert_eq!(read.records, 30);
        let del = read.deleted.expect("deleted rows");
        assert_eq!(del.records, 10);
        assert_eq!(del.tally.count(Category::Email), 10);
        assert_eq!(
            del.columns,
            vec![
                ("customers.氏名".to_string(), Category::NameKanji),
                ("customers.メール".to_string(), Category::Email)
            ]
        );
    }

    #[test]
    fn recovers_deleted_rows_of_a_utf16_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u16.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA encoding='UTF-16le'; PRAGMA secure_delete=OFF;
             CREATE TABLE members(id INTEGER PRIMARY KEY, name VARCHAR(40), mail TEXT);",
        )
        .unwrap();
        for i in 0..40 {
            conn.execute(
                "INSERT INTO members VALUES (?, '佐藤 花子', ?)",
                rusqlite::params![1000 + i, format!("hanako{i}@example.jp")],
            )
            .unwrap();
        }
        conn.execute_batch("DELETE FROM members WHERE id % 4 = 0")
            .unwrap();
        drop(conn);
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&path, &mut tally).unwrap();
        assert_eq!(read.records, 30);
        let del = read.deleted.expect("deleted rows");
        assert_eq!(del.records, 10);
        assert_eq!(del.tally.count(Category::Email), 10);
        assert_eq!(del.tally.count(Category::NameKanji), 10);
    }

    #[test]
    fn recovers_the_rows_of_a_dropped_table() {
        // A staging copy of some columns, and a backup of the whole table, made and dropped:
        // their rows stay in the freelist, their statements in page 1's free space.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let (header, rows) = customers(&path, 120, false);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE export_tmp AS SELECT \"{}\", \"{}\", \"{}\" FROM customers;
             CREATE TABLE backup AS SELECT * FROM customers;
             DROP TABLE export_tmp; DROP TABLE backup;",
            header[0], header[5], header[8]
        ))
        .unwrap();
        drop(conn);
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&path, &mut tally).unwrap();
        assert_eq!(read.records, 120);
        let del = read.deleted.expect("deleted rows");
        assert_eq!(del.records, 240, "{:?}", del.columns);
        assert_eq!(del.tally.count(Category::Email), 240);
        assert_eq!(del.tally.count(Category::NameKanji), 240);
        assert_eq!(del.tally.count(Category::Phone), 240);
        assert_eq!(del.tally.count(Category::Address), 120);
        let cols: Vec<&str> = del.columns.iter().map(|(c, _)| c.as_str()).collect();
        for c in [
            format!("export_tmp.{}", header[0]),
            format!("backup.{}", header[7]),
        ] {
            assert!(cols.contains(&c.as_str()), "{c}: {cols:?}");
        }
        assert_eq!(rows.len(), 120);
        // A copy with the very columns of the live table (its rows fit both): taken as the
        // dropped table's, its pages being freed whole, not as copies of live rows.
        let path = dir.path().join("stage.db");
        customers(&path, 120, false);
        let conn = Connection::open(&path).unwrap();
        let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\" TEXT")).collect();
        conn.execute_batch(&format!(
            "CREATE TABLE staging(id INTEGER PRIMARY KEY, {});
             INSERT INTO staging SELECT * FROM customers; DROP TABLE staging;",
            cols.join(",")
        ))
        .unwrap();
        drop(conn);
        let mut tally = Tally::new(CatSet::all());
        let read = scan(&path, &mut tally).unwrap();
        let del = read.deleted.expect("deleted rows");
        assert_eq!(del.records, 120);
        assert_eq!(del.tally.count(Category::Email), 120);
        assert!(
            del.columns.iter().all(|(c, _)| c.starts_with("staging.")),
            "{:?}",
            del.columns
        );
    }

    #[test]
    fn recovers_deleted_rows_from_a_persistent_rollback_journal() {
        // `secure_delete` zeroes the rows in the database; the journal kept after the
        // commit (`PERSIST`) holds the pages as they were before the delete.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        customers(&path, 60, true);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=PERSIST; PRAGMA secure_delete=ON;
             DELETE FROM customers WHERE id % 3 = 0;",
        )
        .unwrap();
        drop(conn);
        let journal = dir.path().join("j.db-journal");
        assert!(std::fs::metadata(&journal).unwrap().len() > 0);
        assert!(
            !std::fs::read(&journal).unwrap().starts_with(&[0xd9, 0xd5]),
            "header zeroed"
        );
        let mut items = Vec::new();
        crate::Scanner::default().scan_paths(&[dir.path().to_path_buf()], &mut |i| items.push(i));
        match items.as_slice() {
            [crate::Item::Found(live), crate::Item::Found(del)] => {
                assert_eq!(live.records, Some(40));
                assert_eq!(del.path, format!("{}!(deleted)", path.display()));
                assert_eq!(del.records, Some(20));
                assert_eq!(del.categories.get(&Category::Email), Some(&20));
            }
            _ => panic!("{items:?}"),
        }
        // Without the journal, nothing is left to recover.
        std::fs::remove_file(&journal).unwrap();
        let mut tally = Tally::new(CatSet::all());
        assert!(scan(&path, &mut tally).unwrap().deleted.is_none());
    }

    #[test]
    fn nothing_recovered_after_secure_delete_or_vacuum() {
        let dir = tempfile::tempdir().unwrap();
        for (name, secure, vacuum) in [("s.db", true, false), ("v.db", false, true)] {
            let path = dir.path().join(name);
            customers(&path, 300, secure);
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "secure_delete", secure).unwrap();
            conn.execute_batch("DELETE FROM customers WHERE id % 3 = 0 OR id > 200")
                .unwrap();
            if vacuum {
                conn.execute_batch("VACUUM").unwrap();
            }
            drop(conn);
            let mut tally = Tally::new(CatSet::all());
            let db = scan(&path, &mut tally).unwrap();
            assert_eq!(db.records, 134, "{name}");
            assert!(
                db.deleted.is_none(),
                "{name}: {:?}",
                db.deleted.map(|d| d.records)
            );
        }
    }

    #[test]
    fn spots_databases_at_sector_boundaries_in_an_image() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        customers(&path, 40, false);
        let db = std::fs::read(&path).unwrap();
        let mut img = vec![0x5Au8; 3 * 512];
        img.extend_from_slice(&db);
        // Not at a sector boundary: not a database's start.
        img.extend_from_slice(&[0u8; 7]);
        img.extend_from_slice(&db[..600]);
        img.resize(img.len() + 2000, 0);
        // A second one, at a boundary, after the first; then one cut by the image's end.
        let second = img.len().div_ceil(512) * 512;
        img.resize(second, 0);
        img.extend_from_slice(&db);
        img.extend_from_slice(&db[..1024]);
        for chunk in [1, 100, 512, 777, 1 << 16] {
            let mut found: Vec<(u64, Vec<u8>)> = Vec::new();
            let mut spot = Spotter::new(std::io::Cursor::new(&img), 1 << 20, |k, a, d| {
                assert_eq!(k, Spotted::Sqlite);
                found.push((a, d));
            });
            let mut buf = vec![0u8; chunk];
            while spot.read(&mut buf).unwrap() > 0 {}
            assert!(spot.too_large.is_empty());
            drop(spot);
            let at: Vec<(u64, usize)> = found.iter().map(|(a, d)| (*a, d.len())).collect();
            assert_eq!(
                at,
                vec![(1536, db.len()), (second as u64, db.len())],
                "{chunk}"
            );
            assert!(found.iter().all(|(_, d)| *d == db));
        }
        let mut none = 0;
        let mut spot = Spotter::new(std::io::Cursor::new(&img), 4096, |_, _, _| none += 1);
        std::io::copy(&mut spot, &mut std::io::sink()).unwrap();
        let cut = (second + db.len()) as u64;
        let size = db.len() as u64;
        assert_eq!(
            spot.too_large,
            vec![
                (Spotted::Sqlite, 1536, size),
                (Spotted::Sqlite, second as u64, size),
                (Spotted::Sqlite, cut, size)
            ]
        );
        drop(spot);
        assert_eq!(none, 0);
        // Through the scanner: the database read as one, its pages not carved as text.
        let items = crate::Scanner::default().scan_bytes("disk.img", &img);
        let paths: Vec<String> = items
            .iter()
            .map(|i| match i {
                crate::Item::Found(r) => format!("{} {:?}", r.path, r.records),
                crate::Item::Failed { path, .. } => format!("{path} failed"),
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                "disk.img!@1536 Some(40)".to_string(),
                format!("disk.img!@{second} Some(40)"),
            ]
        );
    }

    #[test]
    fn compound_files_are_copied_out_to_their_fat_s_end() {
        use std::io::Read as _;
        let a = crate::synth::ole_of(&[("/Workbook", &[1u8; 9000])]).unwrap();
        let b = crate::synth::ole_of(&[("/WordDocument", &[2u8; 30_000])]).unwrap();
        // `a` at a sector boundary, `b` right after it (within `a`'s FAT's reach), `a` again
        // near the image's end (its reach past the end).
        let mut img = vec![0x5Au8; 1024];
        img.extend_from_slice(&a);
        let at_b = img.len();
        img.extend_from_slice(&b);
        img.extend_from_slice(&[0u8; 512]);
        let at_end = img.len();
        img.extend_from_slice(&a);
        // And one cut by the image's end: copied as far as it goes.
        let at_cut = img.len();
        img.extend_from_slice(&a[..4096 + 100]);
        for chunk in [1, 100, 512, 777, 1 << 16] {
            let mut found: Vec<(Spotted, u64, usize)> = Vec::new();
            let mut spot = Spotter::new(std::io::Cursor::new(&img), 1 << 20, |k, at, d| {
                found.push((k, at, d.len()));
            });
            let mut buf = vec![0u8; chunk];
            while spot.read(&mut buf).unwrap() > 0 {}
            drop(spot);
            assert_eq!(
                found,
                vec![
                    (Spotted::Ole, 1024, a.len()),
                    (Spotted::Ole, at_b as u64, b.len()),
                    (Spotted::Ole, at_end as u64, a.len()),
                    (Spotted::Ole, at_cut as u64, 4096 + 100),
                ],
                "{chunk}"
            );
        }
    }

    #[test]
    fn a_7z_archive_s_size_is_its_start_header_s() {
        let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
        w.push_archive_entry(
            sevenz_rust2::ArchiveEntry::new_file("a.csv"),
            Some(&b"taro@example.jp"[..]),
        )
        .unwrap();
        let a = w.finish().unwrap().into_inner();
        assert_eq!(seven_z_size(&a[..512.min(a.len())]), Some(a.len() as u64));
        // A byte of the start header changed: its CRC fails.
        for i in [6, 12, 20, 31] {
            let mut b = a.clone();
            b[i] ^= 1;
            assert_eq!(seven_z_size(&b), None, "{i}");
        }
        assert_eq!(seven_z_size(&a[..20]), None);
    }

    #[test]
    fn outlook_data_files_are_copied_out_to_their_header_s_end() {
        use std::io::Read as _;
        let (csv, _) = synth::persons_text(81, 12, synth::Form::Csv);
        let pst = crate::pst::write::file(&crate::pst::write::mailbox(&csv, true));
        let ansi = crate::pst::write::file(&crate::pst::write::mailbox(&csv, false));
        // An OST of Outlook 2013 (4 KiB pages, deflated blocks).
        let k4 = crate::pst::write::file(&crate::pst::write::Spec {
            k4: true,
            ..crate::pst::write::mailbox(&csv, true)
        });
        let empty: &[u8] = include_bytes!("../testdata/outlook/empty.pst");
        let sector = |img: &mut Vec<u8>| img.resize(img.len().div_ceil(512) * 512, 0);
        let mut img = vec![0x5Au8; 1024];
        img.extend_from_slice(&pst);
        sector(&mut img);
        let at_ansi = img.len();
        img.extend_from_slice(&ansi);
        sector(&mut img);
        let at_k4 = img.len();
        img.extend_from_slice(&k4);
        sector(&mut img);
        let at_empty = img.len();
        img.extend_from_slice(empty);
        // A header with a byte changed is none; a file cut by the image's end is copied as
        // far as it goes.
        let mut bad = pst[..4096].to_vec();
        bad[100] ^= 1;
        img.extend_from_slice(&bad);
        let at_cut = img.len();
        img.extend_from_slice(&pst[..8192]);
        for chunk in [1, 100, 512, 777, 1 << 16] {
            let mut found = Vec::new();
            let mut spot = Spotter::new(std::io::Cursor::new(&img), 1 << 20, |k, at, d| {
                found.push((k, at, d));
            });
            let mut buf = vec![0u8; chunk];
            while spot.read(&mut buf).unwrap() > 0 {}
            drop(spot);
            let want = [
                (1024, &pst[..]),
                (at_ansi, &ansi),
                (at_k4, &k4),
                (at_empty, empty),
                (at_cut, &pst[..8192]),
            ];
            assert_eq!(found.len(), want.len(), "{chunk}");
            for ((k, at, d), (w_at, w)) in found.iter().zip(want) {
                assert_eq!((k.clone(), *at), (Spotted::Pst, w_at as u64), "{chunk}");
                assert!(d == w, "{chunk} {at}");
            }
        }
        // Through the scanner: the mailboxes read as the files are, under their offsets;
        // nothing carved from their blocks besides; the one cut short told.
        let paths = |name: &str, data: &[u8]| -> Vec<String> {
            crate::Scanner::default()
                .scan_bytes(name, data)
                .iter()
                .map(|i| match i {
                    crate::Item::Found(r) => format!("{} {:?}", r.path, r.categories),
                    crate::Item::Failed { path, error } => format!("{path} {error}"),
                })
                .collect()
        };
        let mut want = paths("box.pst", &pst);
        want.extend(paths("ansi.pst", &ansi));
        want.extend(paths("k4.ost", &k4));
        assert!(want.len() >= 3, "{want:?}");
        let want: Vec<String> = want
            .iter()
            .map(|p| {
                p.replacen("box.pst", "disk.img!@1024", 1)
                    .replacen("ansi.pst", &format!("disk.img!@{at_ansi}"), 1)
                    .replacen("k4.ost", &format!("disk.img!@{at_k4}"), 1)
            })
            .collect();
        let got = paths("disk.img", &img);
        assert_eq!(got[..want.len()], want);
        let cut = format!(
            "disk.img!@{at_cut} cannot decode: Outlook data file of {} bytes by its header, cut by the image's end after 8192 (no block found; damaged pages: 1): carved",
            pst.len()
        );
        assert_eq!(got.get(want.len()), Some(&cut), "{got:?}");
        // Cut after its blocks and their B-tree: read, and told.
        let mut short = img[..at_ansi].to_vec();
        short.truncate(1024 + pst.len() - 512);
        let got = paths("disk.img", &short);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            format!(
                "disk.img!@1024 cannot decode: Outlook data file of {} bytes by its header, cut by the image's end after {}: read as far as it goes",
                pst.len(),
                pst.len() - 512
            )
        );
        assert!(
            got[1].starts_with("disk.img!@1024 {NameKanji: 36, Email: 24"),
            "{got:?}"
        );
        assert!(
            got[2].ends_with("1 damaged pages or blocks skipped"),
            "{got:?}"
        );
        // A file whose pages are not where its header says (a fragmented file): told.
        let mut moved = img[..at_empty].to_vec();
        moved.truncate(1024 + 0x4400);
        moved.extend_from_slice(&[0x5A; 4096]);
        moved.extend_from_slice(&pst[0x4400..]);
        let got = paths("disk.img", &moved);
        assert!(
            got.iter().any(
                |p| p.starts_with("disk.img!@1024 cannot decode: Outlook data file of")
                    && p.contains("not stored in one piece here")
            ),
            "{got:?}"
        );
        // Outlook's own file says its size.
        assert_eq!(crate::pst::size(empty), Some(empty.len() as u64));
        assert_eq!(crate::pst::size(&bad), None);
    }

    #[test]
    fn a_damaged_database_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let mut data = MAGIC.to_vec();
        data.extend_from_slice(&[0xFF; 4000]);
        std::fs::write(&path, &data).unwrap();
        let mut tally = Tally::new(CatSet::all());
        assert!(scan(&path, &mut tally).is_err());
    }
}

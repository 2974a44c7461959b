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
}

/// Reads every table of the database at `path` into `tally`, with the committed
/// transactions of its write-ahead log (`path-wal`) when it has one ([`crate::wal`]).
pub(crate) fn scan(path: &Path, tally: &mut Tally) -> rusqlite::Result<Db> {
    let log = crate::wal::beside(path);
    let (copy, wal_pages, wal_error) = if log.is_file() {
        match crate::wal::apply(path, &log) {
            Ok(Some((tmp, c))) => (Some(tmp), c.frames.len(), None),
            Ok(None) => (None, 0, None),
            Err(e) => (None, 0, Some(e.to_string())),
        }
    } else {
        (None, 0, None)
    };
    let conn = Connection::open_with_flags(
        uri(copy.as_ref().map_or(path, |t| t.path())),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut db = scan_conn(&conn, tally)?;
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
    scan_conn(&conn, tally)
}

fn scan_conn(conn: &Connection, tally: &mut Tally) -> rusqlite::Result<Db> {
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
    };
    for name in names {
        match table(conn, &name, tally) {
            Ok((records, cols)) => {
                db.records += records;
                db.columns.extend(
                    cols.into_iter()
                        .map(|(c, cat)| (format!("{name}.{c}"), cat)),
                );
            }
            Err(e) => db.errors.push((name, e.to_string())),
        }
    }
    Ok(db)
}

/// One table's rows into `tally`: its records and classified columns.
fn table(
    conn: &Connection,
    name: &str,
    tally: &mut Tally,
) -> rusqlite::Result<(u64, Vec<(String, Category)>)> {
    let mut st = conn.prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))?;
    let cols: Vec<String> = st.column_names().map(String::from).collect();
    let n = cols.len();
    let mut t = Table::with_columns(cols);
    let mut rows = st.query([])?;
    let mut row: Vec<String> = Vec::with_capacity(n);
    while let Some(r) = rows.next()? {
        row.clear();
        for i in 0..n {
            row.push(match r.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(x) => x.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(b) => String::from_utf8_lossy(b).into_owned(),
                // Text kept as a blob by some applications; other blobs say nothing here.
                ValueRef::Blob(b) => std::str::from_utf8(b).unwrap_or("").to_string(),
            });
        }
        t.push(&row, tally);
    }
    let cols = t.finish(tally);
    tally.one_person_per_row(t.records);
    Ok((t.records, cols))
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
    use crate::synth::{self, Form};
    use crate::tally::CatSet;

    #[test]
    fn reads_every_table_by_its_columns_and_leaves_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop #1?.sqlite");
        let (csv, truth) = synth::persons_text(21, 50, Form::Csv);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "PRAGMA journal_mode=WAL; CREATE TABLE orders(id INTEGER, sku TEXT);",
            )
            .unwrap();
            let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\" TEXT")).collect();
            conn.execute(
                &format!(
                    "CREATE TABLE customers(id INTEGER PRIMARY KEY, {})",
                    cols.join(",")
                ),
                [],
            )
            .unwrap();
            let marks = vec!["?"; header.len()].join(",");
            let mut ins = conn
                .prepare(&format!("INSERT INTO customers VALUES (NULL, {marks})"))
                .unwrap();
            for l in lines {
                let cells: Vec<Option<&str>> =
                    l.split(',').map(|c| (!c.is_empty()).then_some(c)).collect();
                ins.execute(rusqlite::params_from_iter(cells)).unwrap();
            }
            conn.execute("INSERT INTO orders VALUES (1, 'AB1234567')", [])
                .unwrap();
            // A small table after the customers (tables are read in the order created).
            conn.execute_batch(
                "CREATE TABLE admins(login TEXT); INSERT INTO admins VALUES ('root');",
            )
            .unwrap();
        }
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

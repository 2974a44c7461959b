//! Entry points of the fuzz targets of `pii scan` (fuzz/fuzz_targets/pii_scan.rs,
//! pii_file.rs and pii_text.rs); the tests replay the checked-in seed corpus through them,
//! so CI runs the code the fuzzer runs.

use crate::tally::{CatSet, Tally};
use crate::{Scanner, text, value};

/// One object of arbitrary bytes read as each kind the scanner tells by name: a CSV (and
/// whatever the bytes turn out to be: containers, encodings, tables, free text), a raw
/// image (carved), a file of records (fixed width, Zengin), the text parts of Word and
/// OpenDocument packages, a message, an HTML page, a PDF. The items found.
pub fn scan(data: &[u8]) -> Vec<crate::Item> {
    let scanner = Scanner::default();
    let mut items = Vec::new();
    for name in [
        "fuzz.csv",
        "fuzz.img",
        "fuzz.dat",
        "fuzz.docx!word/document.xml",
        "fuzz.odt!content.xml",
        "fuzz.eml",
        "fuzz.html",
    ] {
        items.extend(scanner.scan_bytes(name, data));
    }
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(data);
    items.extend(scanner.scan_bytes("fuzz.pdf", &pdf));
    items
}

/// One file of arbitrary bytes read from disk as `pii scan PATH` reads it, under two names
/// (`fuzz.csv`, `fuzz.tar.gz`), cut in pages as a PostgreSQL database's catalog, TOAST
/// table and table, as a MySQL data directory's system tablespace and table file, and as a
/// table's `.frm` and file: the readers that stream from a file rather than from memory
/// (compressed streams, tar as it streams, zip a member at a time, SQLite with its free
/// pages, raw images, mbox) and the checks that pick them; encrypted members with the
/// password `fuzz`. The items found. The file lives in
/// a directory of the thread's, removed when the thread ends.
pub fn scan_file(data: &[u8]) -> Vec<crate::Item> {
    thread_local! {
        static DIR: Option<tempfile::TempDir> = tempfile::Builder::new()
            .prefix("kizuki-fuzz-")
            .tempdir()
            .ok();
    }
    // A password, so that an encrypted member (the seed `raw-zip-encrypted`) is opened.
    let scanner = Scanner::new(crate::Options {
        passwords: vec!["fuzz".into()],
        ..crate::Options::default()
    });
    let mut items = Vec::new();
    DIR.with(|dir| {
        let Some(dir) = dir else {
            return;
        };
        for name in ["fuzz.csv", "fuzz.tar.gz"] {
            let path = dir.path().join(name);
            if std::fs::write(&path, data).is_ok() {
                items.extend(scanner.scan_file(&path));
            }
        }
        // A PostgreSQL database directory: the first page is pg_class's file, the second
        // pg_attribute's, the third a TOAST table's (16413), the rest a table's (16410).
        let page = crate::pgheap::PAGE;
        if data.len() > 3 * page {
            let db = dir.path().join("base/5");
            let files = [
                ("1259", &data[..page]),
                ("1249", &data[page..2 * page]),
                ("16413", &data[2 * page..3 * page]),
                ("16410", &data[3 * page..]),
            ];
            if std::fs::create_dir_all(&db).is_ok()
                && files
                    .iter()
                    .all(|(n, b)| std::fs::write(db.join(n), b).is_ok())
            {
                // A scanner of its own: the catalog is read again for each input.
                items.extend(Scanner::default().scan_file(&db.join("16410")));
            }
        }
        // A MySQL/MariaDB data directory: the first 13 pages of 4 KiB are the system
        // tablespace (`ibdata1`, its dictionary), the rest a table's file.
        let sys = 13 * 4096;
        if data.len() > sys {
            let datadir = dir.path().join("mysql");
            let table = datadir.join("shop/customers.ibd");
            if std::fs::create_dir_all(datadir.join("shop")).is_ok()
                && std::fs::write(datadir.join("ibdata1"), &data[..sys]).is_ok()
                && std::fs::write(&table, &data[sys..]).is_ok()
            {
                items.extend(Scanner::default().scan_file(&table));
            }
        }
        // A database's directory without the data directory's files: the first 16 KiB are
        // the table's `.frm` (zeros after it are no matter to its reader), the rest its file.
        let frm = 16 * 1024;
        if data.len() > frm && data.starts_with(&[0xFE, 0x01]) {
            let db = dir.path().join("frm/shop");
            if std::fs::create_dir_all(&db).is_ok()
                && std::fs::write(db.join("customers.frm"), &data[..frm]).is_ok()
                && std::fs::write(db.join("customers.ibd"), &data[frm..]).is_ok()
            {
                items.extend(Scanner::default().scan_file(&db.join("customers.ibd")));
            }
        }
    });
    items
}

/// The free-text detectors and the single-value validators on arbitrary text.
pub fn text(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let mut t = Tally::new(CatSet::all());
        text::scan(s, &mut t);
        let _ = (value::date(s), value::phone(s), value::classify_cell(s));
    }
}

/// Checks that the seed `fuzz/corpus/pii_file/<name>` holds `seed` (a seed built by a unit
/// test, so that it follows the code that writes it); `UPDATE_GOLDEN=1` writes it.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test helper")]
pub(crate) fn check_file_seed(name: &str, seed: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/pii_file")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, seed).unwrap();
    }
    assert!(
        std::fs::read(&path).unwrap() == seed,
        "UPDATE_GOLDEN=1 rewrites {}",
        path.display()
    );
}

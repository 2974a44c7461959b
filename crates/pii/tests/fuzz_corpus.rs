//! Replays the checked-in seed corpora of the `pii_scan` and `pii_text` fuzz targets
//! (fuzz/corpus/) through the functions the targets call, with truncated and bit-flipped
//! variants of each seed, so CI runs what the fuzzer starts from.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::path::{Path, PathBuf};

use kizuki_core::rng::Rng;
use kizuki_pii::{Item, fuzzing};

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no seeds for {target}");
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn variants(data: &[u8], rng: &mut Rng) -> [Vec<u8>; 2] {
    let mut flipped = data.to_vec();
    for _ in 0..8 {
        if !flipped.is_empty() {
            let i = rng.below(flipped.len() as u64) as usize;
            flipped[i] ^= 1 << rng.below(8);
        }
    }
    [data[..data.len() / 2].to_vec(), flipped]
}

/// Every seed holds persons (found read as one kind at least), but the decoys (found as
/// none).
#[test]
fn pii_scan_seeds_replay() {
    let mut rng = Rng::new(11);
    for (name, data) in seeds("pii_scan") {
        let found: Vec<String> = fuzzing::scan(&data)
            .into_iter()
            .filter_map(|i| match i {
                Item::Found(r) => Some(format!("{} {:?}", r.path, r.categories)),
                Item::Failed { .. } => None,
            })
            .collect();
        if name.starts_with("decoys") {
            assert!(found.is_empty(), "{name}: {found:?}");
        } else {
            assert!(!found.is_empty(), "{name}");
        }
        for v in variants(&data, &mut rng) {
            fuzzing::scan(&v);
        }
    }
}

#[test]
fn pii_text_seeds_replay() {
    let mut rng = Rng::new(12);
    for (_, data) in seeds("pii_text") {
        fuzzing::text(&data);
        for v in variants(&data, &mut rng) {
            fuzzing::text(&v);
        }
    }
}

/// Every seed of the disk readers holds persons, and the paths say which reader read them.
#[test]
fn pii_file_seeds_replay() {
    let mut rng = Rng::new(13);
    for (name, data) in seeds("pii_file") {
        let found: Vec<String> = fuzzing::scan_file(&data)
            .into_iter()
            .filter_map(|i| match i {
                Item::Found(r) => Some(r.path),
                Item::Failed { .. } => None,
            })
            .collect();
        assert!(!found.is_empty(), "{name}");
        let inner = match name.as_str() {
            "tar-csv-zip" => "fuzz.csv!out/in.zip!in/顧客.csv",
            "tgz-csv-zip" => "fuzz.tar.gz!fuzz.tar!out/in.zip!in/顧客.csv",
            // A zstd stream named `.gz`: its content has no name of its own.
            "zstd-tar-csv-zip" => "fuzz.tar.gz!data!out/in.zip!in/顧客.csv",
            "zip-csv" => "fuzz.csv!in/顧客.csv",
            // An EnCase image of a disk that holds the table at 64 KiB.
            "e01-deflate" => "fuzz.csv!@65536",
            // A PostgreSQL table file with one row deleted.
            "postgres-heap" => "fuzz.csv!(deleted)",
            // The same table's page in a disk image, at 4096.
            "raw-postgres" => "fuzz.csv!@4096!(deleted)",
            // A MySQL 8 table's file (the `innodb8` seed) in a disk image, at 4096.
            "raw-innodb8" => "fuzz.csv!@4096!(deleted)",
            // A database's catalog, a TOAST table and a table, a page each.
            "postgres-catalog" => "base/5/16410",
            // A pg_dump archive with a file stored as a large object.
            "pgdump-custom" => "fuzz.csv!lo/16500",
            // MariaDB 10.11's table after an instant DROP COLUMN and reordering, with its
            // `.frm` (made by the integration test's statements).
            "innodb-dropped" => "frm/shop/customers.ibd",
            // An Outlook 2013 OST (4 KiB pages, deflated blocks): the zip a mail attached.
            "ost2013-mailbox" => "fuzz.csv!顧客リストの送付!list.zip!list.csv",
            // A zip member at 4096 and a gzip file at 5120 in a disk image: inflated there.
            "raw-zip-gzip" => "fuzz.csv!@5120!app.log",
            // A zip member encrypted with ZipCrypto (password `fuzz`) at 4096 in a disk image.
            "raw-zip-encrypted" => "fuzz.csv!@4096!out/顧客.csv",
            // The same as Info-ZIP writes it: its sizes in a data descriptor after it.
            "raw-zip-encrypted-streamed" => "fuzz.csv!@4096!out/顧客.csv",
            // An LZH archive (jLHA, `-lh5-`, level 2) at 4096 in a disk image.
            "raw-lzh" => "fuzz.csv!@4096!out/顧客.csv",
            // A solid RAR archive (RAR 2.9's format, written by the `rars` crate) at 4096 in
            // a disk image; the same in RAR 5 with its headers encrypted (password `fuzz`).
            "raw-rar" | "raw-rar-encrypted" => "fuzz.csv!@4096!out/顧客.csv",
            // A workbook encrypted with a password (`fuzz`; agile, msoffcrypto-tool).
            "xlsx-encrypted" => "fuzz.csv!顧客",
            // The same in Excel 97-2003's RC4 CryptoAPI encryption (`synth::binary_encrypted`).
            "xls-encrypted" => "fuzz.csv!顧客",
            // A Word 97-2003 letter encrypted with Office 97's RC4 (password `fuzz`).
            "doc-encrypted" => "fuzz.csv",
            // A PowerPoint 97-2003 presentation (`synth::ppt_of`) with the rows on a slide and
            // as an embedded workbook.
            "ppt-embedded" => "fuzz.csv!object1!顧客",
            // The same presentation encrypted with RC4 CryptoAPI (password `fuzz`).
            "ppt-encrypted" => "fuzz.csv!object1!顧客",
            _ => "",
        };
        assert!(
            found.iter().any(|p| p.ends_with(inner)),
            "{name}: {found:?}"
        );
        if name == "raw-zip-gzip" {
            assert!(
                found
                    .iter()
                    .any(|p| p.ends_with("fuzz.csv!@4096!out/顧客.csv")),
                "{name}: {found:?}"
            );
        }
        for v in variants(&data, &mut rng) {
            fuzzing::scan_file(&v);
        }
    }
}

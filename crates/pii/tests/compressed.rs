//! Compressed files and 7z archives: a restored data file is as often found compressed
//! (`customers.csv.gz`, `dump.sql.zst`, `staged.7z`) as plain. Each must give the report its
//! content gives, under the content's own name.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::io::{Cursor, Write};
use std::path::Path;

use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Error, Item, Options, Scanner};

fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 1).unwrap()
}

fn seven_z(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    let entries = files
        .iter()
        .map(|(n, _)| sevenz_rust2::ArchiveEntry::new_file(n))
        .collect();
    let readers = files.iter().map(|(_, d)| (*d).into()).collect();
    w.push_archive_entries(entries, readers).unwrap();
    w.finish().unwrap().into_inner()
}

/// The report as JSON without its path, and the path.
fn found(items: &[Item]) -> Vec<(String, serde_json::Value)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Found(r) => {
                let mut v = serde_json::to_value(r).unwrap();
                v.as_object_mut().unwrap().remove("path");
                Some((r.path.clone(), v))
            }
            Item::Failed { .. } => None,
        })
        .collect()
}

fn failed(items: &[Item]) -> Vec<(String, String)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Failed { path, error } => Some((path.clone(), error.to_string())),
            Item::Found(_) => None,
        })
        .collect()
}

/// The paths of what was found, none failed.
fn paths_of(items: &[Item]) -> Vec<String> {
    assert!(failed(items).is_empty(), "{items:?}");
    found(items).into_iter().map(|(p, _)| p).collect()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

#[test]
fn compressed_files_report_what_their_content_holds() {
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(7, 3000, Form::Csv, encoding_rs::SHIFT_JIS);
    let scanner = Scanner::default();
    let plain = found(&scanner.scan_file(&write(dir.path(), "顧客.csv", &g.data)));
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].1["records"], 3000);
    let gz = synth::gzip_of(&g.data).unwrap();
    let tar = synth::tar_of(&[("out/顧客.csv", &g.data)]).unwrap();
    for (name, data, member) in [
        ("顧客.csv.gz", gz, "顧客.csv"),
        ("顧客.csv.xz", xz(&g.data), "顧客.csv"),
        ("顧客.csv.bz2", bz2(&g.data), "顧客.csv"),
        ("顧客.csv.zst", zst(&g.data), "顧客.csv"),
        // Found by content whatever its name.
        ("backup-1", zst(&g.data), "data"),
        // Archives go to the walker (read whole under the caps).
        ("staged.tar.xz", xz(&tar), "staged.tar!out/顧客.csv"),
        (
            "staged.7z",
            seven_z(&[("out/顧客.csv", &g.data)]),
            "out/顧客.csv",
        ),
    ] {
        let path = write(dir.path(), name, &data);
        let items = scanner.scan_file(&path);
        assert!(failed(&items).is_empty(), "{name}: {items:?}");
        let got = found(&items);
        assert_eq!(got.len(), 1, "{name}: {items:?}");
        assert_eq!(got[0].0, format!("{}!{member}", path.display()), "{name}");
        assert_eq!(got[0].1, plain[0].1, "{name}");
    }
}

#[test]
fn a_compressed_text_is_streamed_beyond_the_container_cap() {
    // A decompression budget smaller than the table: a compressed file and a tar's members
    // of text are read to their end as they stream (memory is a stream's); a member read
    // whole (a zip) is refused.
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(8, 4000, Form::Csv, encoding_rs::UTF_8);
    assert!(g.data.len() > 256 * 1024);
    let scanner = Scanner::new(Options {
        max_total_size: 256 * 1024,
        ..Options::default()
    });
    let items = scanner.scan_file(&write(dir.path(), "c.csv.zst", &zst(&g.data)));
    let got = found(&items);
    assert!(failed(&items).is_empty(), "{items:?}");
    assert_eq!(got[0].1["records"], 4000);
    let zip = synth::zip_of(&[("in.csv", &g.data)]).unwrap();
    let small = synth::persons_file(9, 20, Form::Csv, encoding_rs::UTF_8);
    let tar = synth::tar_of(&[
        ("b/c.csv", &g.data),
        ("b/in.zip", &zip),
        (
            "b/small.zip",
            &synth::zip_of(&[("s.csv", &small.data)]).unwrap(),
        ),
    ])
    .unwrap();
    for (name, data, inner) in [
        ("b.tar", tar.clone(), "b.tar"),
        ("b.tar.zst", zst(&tar), "b.tar.zst!b.tar"),
    ] {
        let items = scanner.scan_file(&write(dir.path(), name, &data));
        let got = found(&items);
        let root = format!("{}", dir.path().join(inner).display());
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{root}!b/c.csv"),
                format!("{root}!b/small.zip!s.csv")
            ],
            "{items:?}"
        );
        assert_eq!(got[0].1["records"], 4000);
        assert_eq!(got[1].1["records"], 20);
        let bad = failed(&items);
        assert_eq!(bad.len(), 1, "{items:?}");
        assert_eq!(bad[0].0, format!("{root}!b/in.zip"));
        assert!(
            items.iter().any(|i| matches!(
                i,
                Item::Failed {
                    error: Error::Cap(_),
                    ..
                }
            )),
            "{items:?}"
        );
    }
}

#[test]
fn broken_and_exploding_streams_report_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(9, 3000, Form::Csv, encoding_rs::UTF_8);
    let scanner = Scanner::default();
    // Cut in the middle: the rows before the cut, then the error.
    let z = zst(&g.data);
    let path = write(dir.path(), "cut.csv.zst", &z[..z.len() / 2]);
    let items = scanner.scan_file(&path);
    let got = found(&items);
    assert_eq!(got.len(), 1, "{items:?}");
    let records = got[0].1["records"].as_u64().unwrap();
    assert!((500..3000).contains(&records), "{records}");
    let bad = failed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert_eq!(bad[0].0, format!("{}!cut.csv", path.display()));
    assert!(bad[0].1.contains("compressed stream"), "{bad:?}");
    // A table, then 16 MiB of empty lines in frames of 4 MiB (a few hundred bytes each):
    // past 200:1 the stream ends; the table is reported, then the cap.
    let small = synth::persons_file(10, 300, Form::Csv, encoding_rs::UTF_8);
    let mut bomb = zst(&small.data);
    let frame = zst(&vec![b'\n'; 4 << 20]);
    for _ in 0..4 {
        bomb.extend_from_slice(&frame);
    }
    let items = scanner.scan_file(&write(dir.path(), "bomb.csv.zst", &bomb));
    let got = found(&items);
    assert_eq!(got.len(), 1, "{items:?}");
    assert_eq!(got[0].1["records"], 300);
    assert!(
        items
            .iter()
            .any(|i| matches!(i, Item::Failed { error: Error::Cap(e), .. } if e.contains("200:1"))),
        "{items:?}"
    );
}

#[test]
fn a_zip_file_is_read_a_member_at_a_time() {
    // As the tar above: a member of text beyond the container cap is read as it
    // decompresses; a zip inside beyond it is refused; one within it is walked; a member
    // that expands past the ratio cap ends with an error after what it held.
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(11, 4000, Form::Csv, encoding_rs::SHIFT_JIS);
    let small = synth::persons_file(12, 20, Form::Csv, encoding_rs::UTF_8);
    let inner_big = synth::zip_of(&[("in.csv", &g.data)]).unwrap();
    let inner_small = synth::zip_of(&[("s.csv", &small.data)]).unwrap();
    let mut padded = small.data.clone();
    padded.extend(std::iter::repeat_n(b'\n', 8 << 20));
    let z = synth::zip_of(&[
        ("out/顧客.csv", &g.data),
        ("out/in.zip", &inner_big),
        ("out/small.zip", &inner_small),
        ("out/padded.csv", &padded),
    ])
    .unwrap();
    let path = write(dir.path(), "export.zip", &z);
    let root = path.display().to_string();
    let limited = Scanner::new(Options {
        max_total_size: 256 * 1024,
        ..Options::default()
    });
    let items = limited.scan_file(&path);
    let got = found(&items);
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{root}!out/顧客.csv"),
            format!("{root}!out/small.zip!s.csv"),
            format!("{root}!out/padded.csv"),
        ],
        "{items:?}"
    );
    assert_eq!(got[0].1["records"], 4000);
    assert_eq!(got[2].1["records"], 20);
    let bad = failed(&items);
    let bad_paths: Vec<&str> = bad.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        bad_paths,
        [
            format!("{root}!out/in.zip"),
            format!("{root}!out/padded.csv")
        ],
        "{items:?}"
    );
    assert!(bad[1].1.contains("200:1"), "{bad:?}");
    // With the default caps the same report as the walker's, which reads it whole (and
    // drops the padded member whole at the ratio cap).
    let mut streamed = found(&Scanner::default().scan_file(&path));
    assert_eq!(
        streamed.pop().map(|(p, _)| p),
        Some(format!("{root}!out/padded.csv"))
    );
    let walked = found(&Scanner::default().scan_bytes(&root, &z));
    assert_eq!(streamed, walked);
}

#[test]
fn bent_and_cut_files_read_as_streams_never_panic() {
    // The readers that take a file from disk a piece at a time (compressed files, tar, zip)
    // on damaged copies: each ends with what it read and, at most, error items.
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(13, 200, Form::Csv, encoding_rs::SHIFT_JIS);
    let tar = synth::tar_of(&[("a/c.csv", &g.data), ("a/b.txt", b"memo")]).unwrap();
    let zip = synth::zip_of(&[
        ("c.csv", &g.data),
        ("in.zip", &synth::zip_of(&[("d.csv", &g.data)]).unwrap()),
    ])
    .unwrap();
    let mut rng = kizuki_core::rng::Rng::new(29);
    for (name, data) in [
        ("c.csv.gz", synth::gzip_of(&g.data).unwrap()),
        ("c.csv.xz", xz(&g.data)),
        ("c.csv.bz2", bz2(&g.data)),
        ("c.tar", tar.clone()),
        ("c.tar.zst", zst(&tar)),
        ("c.zip", zip),
    ] {
        let scanner = Scanner::default();
        for round in 0..12 {
            let mut bent = data.clone();
            if round % 3 == 0 {
                bent.truncate(rng.below(data.len() as u64) as usize);
            } else {
                for _ in 0..1 + round {
                    let i = rng.below(bent.len() as u64) as usize;
                    bent[i] ^= 1 << rng.below(8);
                }
            }
            let path = write(dir.path(), name, &bent);
            let items = scanner.scan_file(&path);
            for i in &items {
                if let Item::Found(r) = i {
                    assert!(r.path.starts_with(&path.display().to_string()), "{r:?}");
                }
            }
        }
    }
}

#[test]
fn nesting_counts_the_archives_read_as_streams() {
    // A table four containers deep (zip in zip in zip, in a tar, in a gzip): with
    // `max_depth` 3 its innermost zip is too deep whether the outer tar and gzip are read as
    // streams from disk or whole by the walker (sent as an attachment); with 5 it is read.
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(13, 50, Form::Csv, encoding_rs::UTF_8);
    let z1 = synth::zip_of(&[("in.csv", &g.data)]).unwrap();
    let z2 = synth::zip_of(&[("z1.zip", &z1)]).unwrap();
    let tar = synth::tar_of(&[("z2.zip", &z2)]).unwrap();
    let tgz = synth::gzip_of(&tar).unwrap();
    for (name, data, inner) in [
        ("n.tar.gz", &tgz, "n.tar.gz!n.tar"),
        ("n.tar", &tar, "n.tar"),
        (
            "n.zip",
            &synth::zip_of(&[("z2.zip", &z2)]).unwrap(),
            "n.zip",
        ),
    ] {
        let path = write(dir.path(), name, data);
        let root = format!("{}", dir.path().join(inner).display());
        let levels = name.matches('.').count() as u32 - 1 + 2;
        for (max_depth, read) in [(levels, false), (levels + 1, true)] {
            let scanner = Scanner::new(Options {
                max_depth,
                ..Options::default()
            });
            let streamed = scanner.scan_file(&path);
            let whole = scanner.scan_bytes(&path.display().to_string(), data);
            let paths =
                |items: &[Item]| found(items).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
            assert_eq!(paths(&streamed), paths(&whole), "{name} {max_depth}");
            let deep = |items: &[Item]| {
                items.iter().any(|i| {
                    matches!(i, Item::Failed { error: Error::Cap(e), .. } if e.contains("deeper"))
                })
            };
            if read {
                assert_eq!(
                    paths(&streamed),
                    [format!("{root}!z2.zip!z1.zip!in.csv")],
                    "{name}: {streamed:?}"
                );
                assert!(!deep(&streamed), "{name}: {streamed:?}");
            } else {
                assert!(paths(&streamed).is_empty(), "{name}: {streamed:?}");
                assert!(deep(&streamed), "{name}: {streamed:?}");
                assert!(deep(&whole), "{name}: {whole:?}");
            }
        }
    }
}

#[test]
fn a_mostly_empty_disk_taken_through_gzip_is_read_to_its_end() {
    // `dd if=/dev/sda | gzip`: a partition table, 32 MiB of unused space, then a table in
    // Shift_JIS. gzip takes the zeros about 1000:1, past the cap on other contents (200:1)
    // and within the one on disk images (ten times it).
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(14, 200, Form::Csv, encoding_rs::SHIFT_JIS);
    let mut img = vec![0u8; 32 << 20];
    img[446..462].copy_from_slice(&[0x80, 0, 0, 0, 0x83, 0, 0, 0, 0, 8, 0, 0, 0, 0, 1, 0]);
    img[510..512].copy_from_slice(&[0x55, 0xAA]);
    let at = img.len();
    img.extend_from_slice(&g.data);
    img.resize(img.len().next_multiple_of(512), 0);
    let scanner = Scanner::default();
    // `gzip -9` (the fast level takes zeros only about 100:1).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&img).unwrap();
    let path = write(dir.path(), "disk.dd.gz", &gz.finish().unwrap());
    let items = scanner.scan_file(&path);
    assert!(failed(&items).is_empty(), "{items:?}");
    let got = found(&items);
    assert_eq!(got.len(), 1, "{items:?}");
    assert_eq!(got[0].0, format!("{}!disk.dd!@{at}", path.display()));
    assert_eq!(got[0].1["records"], 200);
    // Zstandard takes 256 MiB of zeros beyond 10,000:1: a bomb, stopped at the cap.
    let mut w = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    w.write_all(&img[..512]).unwrap();
    for _ in 0..256 {
        w.write_all(&[0u8; 1 << 20]).unwrap();
    }
    let path = write(dir.path(), "bomb.dd.zst", &w.finish().unwrap());
    let items = scanner.scan_file(&path);
    assert!(found(&items).is_empty(), "{items:?}");
    assert!(
        items.iter().any(
            |i| matches!(i, Item::Failed { error: Error::Cap(e), .. } if e.contains("2000:1"))
        ),
        "{items:?}"
    );
}

/// A zip encrypted with AES-256 (as 7-Zip makes one; its salt random: the zip crate does not
/// take one from outside).
fn zip_aes(name: &str, data: &[u8], password: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .with_aes_encryption(zip::AesMode::Aes256, password);
    w.start_file(name, opts).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().into_inner()
}

/// A 7z archive encrypted with AES-256 (its IV and salt fixed), its header too or not.
fn seven_z_aes(name: &str, data: &[u8], password: &str, header: bool) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    let aes = sevenz_rust2::encoder_options::AesEncoderOptions {
        password: password.into(),
        iv: [3; 16],
        salt: [5; 16],
        num_cycles_power: 16,
    };
    w.set_content_methods(vec![
        aes.into(),
        sevenz_rust2::encoder_options::Lzma2Options::from_level(1).into(),
    ]);
    w.set_encrypt_header(header);
    w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(name), Some(data))
        .unwrap();
    w.finish().unwrap().into_inner()
}

/// A RAR archive of `files` as WinRAR writes one in `format` (by the `rars` crate's writer):
/// solid or not, with a password, and its headers encrypted too when `headers` (`rar a
/// -hp`).
fn rar(
    format: rars::ArchiveVersion,
    files: &[(&str, &[u8])],
    solid: bool,
    password: Option<&str>,
    headers: bool,
) -> Vec<u8> {
    let mut b = rars::Builder::new(format)
        .solid(solid)
        .password(password.map(|p| p.as_bytes().to_vec()))
        .header_encryption(headers);
    for (name, data) in files {
        b.add_bytes(
            name.as_bytes().to_vec(),
            data.to_vec(),
            Some(0x4870_0000),
            None,
        )
        .unwrap();
    }
    b.to_bytes().unwrap()
}

/// The staged archive of the incident, encrypted: its members are told as encrypted until
/// the password (found in a command history) is given; then read as a plain archive's, on
/// disk (a zip streamed a member at a time) and in memory (through the walker).
#[test]
fn encrypted_archives_are_read_with_the_password_given() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth::persons_file(9, 500, Form::Csv, encoding_rs::SHIFT_JIS);
    let pw = "Staged#2016";
    let archives = [
        (
            "ppap.zip",
            kizuki_files::synth::zip_encrypted(&[("顧客.csv", &csv.data)], pw),
        ),
        ("aes.zip", zip_aes("顧客.csv", &csv.data, pw)),
        ("header.7z", seven_z_aes("顧客.csv", &csv.data, pw, true)),
        ("members.7z", seven_z_aes("顧客.csv", &csv.data, pw, false)),
        (
            "members.rar",
            rar(
                rars::ArchiveVersion::Rar29,
                &[("顧客.csv", &csv.data)],
                false,
                Some(pw),
                false,
            ),
        ),
        (
            "solid.rar",
            rar(
                rars::ArchiveVersion::Rar50,
                &[("顧客.csv", &csv.data)],
                true,
                Some(pw),
                false,
            ),
        ),
        (
            "header.rar",
            rar(
                rars::ArchiveVersion::Rar50,
                &[("顧客.csv", &csv.data)],
                false,
                Some(pw),
                true,
            ),
        ),
    ];
    let plain = Scanner::default().scan_bytes("顧客.csv", &csv.data);
    let want = found(&plain);
    assert_eq!(want.len(), 1);
    for (name, data) in &archives {
        let path = write(dir.path(), name, data);
        let locked = Scanner::default();
        let open = Scanner::new(Options {
            passwords: vec!["wrong".into(), "Staged#2016!".into(), pw.into()],
            ..Options::default()
        });
        for how in ["file", "bytes"] {
            let scan = |s: &Scanner| match how {
                "file" => s.scan_file(&path),
                _ => s.scan_bytes(name, data),
            };
            let items = scan(&locked);
            assert!(found(&items).is_empty(), "{name} {how}: {items:?}");
            let told = failed(&items);
            assert!(
                told.iter().any(|(_, e)| e.contains("encrypted")),
                "{name} {how}: {told:?}"
            );
            let items = scan(&open);
            assert!(failed(&items).is_empty(), "{name} {how}: {items:?}");
            let got = found(&items);
            assert_eq!(got.len(), 1, "{name} {how}: {items:?}");
            let member = match how {
                "file" => format!("{}!顧客.csv", path.display()),
                _ => format!("{name}!顧客.csv"),
            };
            assert_eq!(got[0].0, member, "{name} {how}");
            assert_eq!(got[0].1, want[0].1, "{name} {how}");
        }
    }
}

/// The staged archive encrypted and deleted, found in a disk image: a zip's members (ZipCrypto
/// and AES; each given as the archive of that member, named by its header's offset) and a 7z
/// archive stored in one piece are told as encrypted until the password is given, then read
/// as the archives themselves are, from a file and from memory.
#[test]
fn encrypted_archives_in_a_disk_image_are_read_with_the_password_given() {
    let dir = tempfile::tempdir().unwrap();
    let a = synth::persons_file(21, 300, Form::Csv, encoding_rs::SHIFT_JIS).data;
    let b = synth::persons_file(22, 200, Form::Tsv, encoding_rs::UTF_8).data;
    let pw = "Staged#2016";
    let crypto = kizuki_files::synth::zip_encrypted(&[("out/a.csv", &a), ("b.tsv", &b)], pw);
    let aes = zip_aes("c.csv", &a, pw);
    let staged = seven_z_aes("d.csv", &b, pw, true);
    let mut img = vec![0x11u8; 4096];
    let at_crypto = img.len();
    img.extend_from_slice(&crypto);
    let at_second = at_crypto + 30 + "out/a.csv".len() + 12 + a.len();
    img.resize(img.len().next_multiple_of(512) + 1024 + 77, 0x22);
    let at_aes = img.len();
    img.extend_from_slice(&aes);
    img.resize(img.len().next_multiple_of(512) + 512, 0);
    let at_staged = img.len();
    img.extend_from_slice(&staged);
    img.resize(img.len() + 8192, 0);
    let path = write(dir.path(), "disk.img", &img);
    // What each member holds, read from its archive.
    let open = Scanner::new(Options {
        passwords: vec!["wrong".into(), pw.into()],
        ..Options::default()
    });
    let mut want: Vec<(String, serde_json::Value)> = Vec::new();
    for (at, name, data) in [
        (at_crypto, "crypto.zip", &crypto),
        (at_aes, "aes.zip", &aes),
        (at_staged, "staged.7z", &staged),
    ] {
        for (p, v) in found(&open.scan_bytes(name, data)) {
            let member = p.strip_prefix(&format!("{name}!")).unwrap().to_string();
            let at = if member == "b.tsv" { at_second } else { at };
            want.push((format!("disk.img!@{at}!{member}"), v));
        }
    }
    assert_eq!(want.len(), 4, "{want:?}");
    for how in ["file", "bytes"] {
        let scan = |s: &Scanner| match how {
            "file" => s.scan_file(&path),
            _ => s.scan_bytes("disk.img", &img),
        };
        let strip = |v: Vec<(String, serde_json::Value)>| -> Vec<(String, serde_json::Value)> {
            let prefix = format!("{}", dir.path().display());
            v.into_iter()
                .map(|(p, v)| {
                    (
                        p.strip_prefix(&prefix)
                            .map_or(p.clone(), |s| s[1..].to_string()),
                        v,
                    )
                })
                .collect()
        };
        let items = scan(&Scanner::default());
        assert!(found(&items).is_empty(), "{how}: {items:?}");
        let told: Vec<String> = failed(&items)
            .into_iter()
            .filter(|(_, e)| e.contains("encrypted") && e.contains("--password"))
            .map(|(p, _)| p.rsplit('!').next().unwrap().to_string())
            .collect();
        assert_eq!(
            told,
            [
                format!("@{at_crypto}"),
                format!("@{at_second}"),
                format!("@{at_aes}"),
                format!("@{at_staged}")
            ],
            "{how}: {items:?}"
        );
        let items = scan(&open);
        assert!(failed(&items).is_empty(), "{how}: {items:?}");
        assert_eq!(strip(found(&items)), want, "{how}");
    }
}

/// An encrypted member whose bytes look like a disk image (a file system's magic where a
/// superblock's is) is told once: its archive is not read again as an image, which would
/// find the member in it again, and again (a loop the fuzzer found).
#[test]
fn an_encrypted_member_is_not_read_again_as_an_image() {
    let name = b"a.bin";
    let mut data = vec![0u8; 2048];
    let head_len = 30 + name.len();
    data[1080 - head_len..1082 - head_len].copy_from_slice(&[0x53, 0xEF]);
    let mut member = b"PK\x03\x04\x14\x00\x01\x00\x00\x00\x00\x00\x00\x00".to_vec();
    member.extend_from_slice(&0u32.to_le_bytes()); // CRC
    member.extend_from_slice(&(data.len() as u32).to_le_bytes());
    member.extend_from_slice(&(data.len() as u32 - 12).to_le_bytes());
    member.extend_from_slice(&(name.len() as u16).to_le_bytes());
    member.extend_from_slice(&[0, 0]);
    member.extend_from_slice(name);
    member.extend_from_slice(&data);
    let mut img = vec![0x11u8; 4096];
    img.extend_from_slice(&member);
    img.resize(img.len() + 8192, 0);
    for scanner in [
        Scanner::default(),
        Scanner::new(Options {
            passwords: vec!["wrong".into()],
            ..Options::default()
        }),
    ] {
        let items = scanner.scan_bytes("disk.img", &img);
        let told = failed(&items);
        assert_eq!(told.len(), 1, "{items:?}");
        assert_eq!(told[0].0, "disk.img!@4096", "{items:?}");
        assert!(told[0].1.contains("encrypted"), "{items:?}");
        assert!(found(&items).is_empty(), "{items:?}");
    }
}

/// Info-ZIP's `zip -P` (Debian's `zip`, installed by scripts/setup), as an attacker stages a
/// table on a Linux server: to a file (the sizes in the header, and a data descriptor after
/// the data) and to a pipe (Zip64, the sizes only in the descriptor). Both, deleted and
/// found in a disk image, open with the password.
#[test]
fn info_zip_encrypted_archives_in_a_disk_image_open_with_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth::persons_file(23, 300, Form::Csv, encoding_rs::UTF_8).data;
    std::fs::write(dir.path().join("顧客.csv"), &csv).unwrap();
    let pw = "Staged#2016";
    let zip = |args: &[&str], stdin: Option<&[u8]>| {
        let mut c = std::process::Command::new("zip");
        c.current_dir(dir.path()).args(args);
        c.stdin(std::process::Stdio::piped());
        let mut child = c
            .spawn()
            .expect("Info-ZIP's zip (scripts/setup installs it)");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
    };
    zip(&["-q", "-P", pw, "staged.zip", "顧客.csv"], None);
    zip(&["-q", "-P", pw, "piped.zip", "-"], Some(&csv));
    let staged = std::fs::read(dir.path().join("staged.zip")).unwrap();
    let piped = std::fs::read(dir.path().join("piped.zip")).unwrap();
    // Encrypted, sizes after the data; the pipe's in Zip64.
    assert_eq!(staged[6] & 9, 9);
    assert_eq!((piped[6] & 9, &piped[18..26]), (9, &[0xFF; 8][..]));
    let mut img = vec![0x11u8; 4096];
    img.extend_from_slice(&staged);
    img.resize(img.len().next_multiple_of(512) + 1024, 0);
    let at = img.len();
    img.extend_from_slice(&piped);
    img.resize(img.len() + 8192, 0);
    let open = Scanner::new(Options {
        passwords: vec![pw.into()],
        ..Options::default()
    });
    let items = open.scan_bytes("disk.img", &img);
    assert!(failed(&items).is_empty(), "{items:?}");
    let got: Vec<(String, u64)> = found(&items)
        .into_iter()
        .map(|(p, v)| (p, v["records"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("disk.img!@4096!顧客.csv".to_string(), 300),
            (format!("disk.img!@{at}!-"), 300)
        ]
    );
    let told = failed(&Scanner::default().scan_bytes("disk.img", &img));
    assert_eq!(told.len(), 2, "{told:?}");
}

/// A zip from a Japanese Windows names its members in CP932, without the UTF-8 flag (Info-ZIP
/// on Unix stores a name's bytes as they are, the same way): the report names the member as
/// its user did, whether the zip is a file, a member read as it streams, or found in a disk
/// image; a tar from an old Unix system, in EUC-JP.
#[test]
fn member_names_in_japanese_code_pages_are_read_as_written() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let csv = synth::persons_file(29, 200, Form::Csv, encoding_rs::UTF_8).data;
    let sjis = encoding_rs::SHIFT_JIS
        .encode("顧客リスト.csv")
        .0
        .into_owned();
    let euc = encoding_rs::EUC_JP.encode("会員名簿.csv").0.into_owned();
    // Info-ZIP's zip of a file whose name is `name`'s bytes, as it stores them.
    let info_zip = |name: &[u8], archive: &str| {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), &csv).unwrap();
        let status = std::process::Command::new("zip")
            .current_dir(dir.path())
            .arg("-q")
            .arg(archive)
            .arg(std::ffi::OsStr::from_bytes(name))
            .status()
            .expect("Info-ZIP's zip (scripts/setup installs it)");
        assert!(status.success());
        std::fs::read(dir.path().join(archive)).unwrap()
    };
    let info_zip_sjis = info_zip(&sjis, "staged.zip");
    // The name's bytes as they were, no UTF-8 flag.
    assert_eq!(info_zip_sjis[7] & 0x08, 0);
    assert_eq!(&info_zip_sjis[30..30 + sjis.len()], sjis.as_slice());
    // An old Japanese Unix server's zip: EUC-JP, whose `顧客` is also four half-width kana
    // in CP932. The entry says Unix made it: EUC-JP is read; the same bytes from Windows
    // (DOS) read as CP932.
    let euc_only = encoding_rs::EUC_JP.encode("顧客.csv").0.into_owned();
    let unix_zip = info_zip(&euc_only, "unix.zip");
    assert_eq!(
        paths_of(&Scanner::default().scan_bytes("unix.zip", &unix_zip)),
        ["unix.zip!顧客.csv"]
    );
    let dos_zip = kizuki_files::synth::zip_raw_names(&[(&euc_only, &csv)]);
    assert_eq!(
        paths_of(&Scanner::default().scan_bytes("dos.zip", &dos_zip)),
        ["dos.zip!ｸﾜｵﾒ.csv"]
    );
    let windows = kizuki_files::synth::zip_raw_names(&[(&sjis, &csv)]);
    let mut h = tar::Header::new_gnu();
    h.set_size(csv.len() as u64);
    h.set_mode(0o644);
    h.set_path(std::ffi::OsStr::from_bytes(&euc)).unwrap();
    h.set_cksum();
    let mut b = tar::Builder::new(Vec::new());
    b.append(&h, csv.as_slice()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    let tar_gz = gz.finish().unwrap();
    let mut img = vec![0x11u8; 4096];
    img.extend_from_slice(&windows);
    img.resize(img.len() + 8192, 0);
    let scanner = Scanner::default();
    let paths = paths_of;
    let file = write(dir.path(), "windows.zip", &windows);
    assert_eq!(
        paths(&scanner.scan_file(&file)),
        [format!("{}!顧客リスト.csv", file.display())]
    );
    assert_eq!(
        paths(&scanner.scan_bytes("staged.zip", &info_zip_sjis)),
        ["staged.zip!顧客リスト.csv"]
    );
    assert_eq!(
        paths(&scanner.scan_bytes("a.tar.gz", &tar_gz)),
        ["a.tar.gz!a.tar!会員名簿.csv"]
    );
    assert_eq!(
        paths(&scanner.scan_bytes("disk.img", &img)),
        ["disk.img!@4096!顧客リスト.csv"]
    );
}

/// An LZH archive (jLHA, `-lh7-`, its names in CP932 as LhaPlus writes them): its members are
/// read as a zip's are, under their names.
#[test]
fn lzh_archives_give_their_members() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth::persons_file(31, 250, Form::Csv, encoding_rs::SHIFT_JIS).data;
    std::fs::create_dir(dir.path().join("名簿")).unwrap();
    std::fs::write(dir.path().join("名簿/顧客.csv"), &csv).unwrap();
    jlha(dir.path(), &["ayo7", "staged.lzh", "名簿/顧客.csv"]);
    let items = Scanner::default().scan_file(&dir.path().join("staged.lzh"));
    assert!(failed(&items).is_empty(), "{items:?}");
    let got: Vec<(String, String, u64)> = found(&items)
        .into_iter()
        .map(|(p, v)| {
            let p = p.rsplit_once("staged.lzh").unwrap().1.to_string();
            (
                p,
                v["encoding"].as_str().unwrap().to_string(),
                v["records"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("!名簿/顧客.csv".to_string(), "Shift_JIS".to_string(), 250)]
    );
}

/// A RAR archive, WinRAR's (the staging tool of many intrusions), solid or not, in the formats
/// of RAR 2.9-4 and 5: its members are read as a zip's are, under their names.
#[test]
fn rar_archives_give_their_members() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth::persons_file(33, 250, Form::Csv, encoding_rs::SHIFT_JIS).data;
    for (format, solid) in [
        (rars::ArchiveVersion::Rar29, false),
        (rars::ArchiveVersion::Rar29, true),
        (rars::ArchiveVersion::Rar50, true),
    ] {
        let files: [(&str, &[u8]); 2] = [("名簿/顧客.csv", &csv), ("名簿/顧客_bak.csv", &csv)];
        let a = rar(format, &files, solid, None, false);
        let path = write(dir.path(), "staged.rar", &a);
        for items in [
            Scanner::default().scan_file(&path),
            Scanner::default().scan_bytes("staged.rar", &a),
        ] {
            assert!(failed(&items).is_empty(), "{format:?} {solid}: {items:?}");
            let got: Vec<(String, String, u64)> = found(&items)
                .into_iter()
                .map(|(p, v)| {
                    let p = p.rsplit_once("staged.rar").unwrap().1.to_string();
                    (
                        p,
                        v["encoding"].as_str().unwrap().to_string(),
                        v["records"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                [
                    ("!名簿/顧客.csv".to_string(), "Shift_JIS".to_string(), 250),
                    (
                        "!名簿/顧客_bak.csv".to_string(),
                        "Shift_JIS".to_string(),
                        250
                    )
                ],
                "{format:?} {solid}"
            );
        }
    }
}

/// Runs jLHA (Debian's jlha-utils, installed by scripts/setup) in `dir`, its names in CP932.
fn jlha(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("jlha")
        .current_dir(dir)
        .args(args)
        .env(
            "JAVA_TOOL_OPTIONS",
            "-Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8",
        )
        .output()
        .expect("jLHA (scripts/setup installs jlha-utils)");
    assert!(out.status.success(), "{out:?}");
}

/// An LZH archive deleted from a disk: found at its sector, copied up to its end mark by its
/// members' headers (no header gives its size), its members read under it; one whose second
/// header is overwritten gives the member before it, and is told as cut.
#[test]
fn lzh_archives_in_a_disk_image_give_their_members() {
    let dir = tempfile::tempdir().unwrap();
    let customers = synth::persons_file(37, 300, Form::Csv, encoding_rs::SHIFT_JIS).data;
    let members = synth::persons_file(38, 100, Form::Csv, encoding_rs::UTF_8).data;
    std::fs::write(dir.path().join("顧客.csv"), &customers).unwrap();
    std::fs::write(dir.path().join("会員.csv"), &members).unwrap();
    jlha(dir.path(), &["ay2", "a.lzh", "顧客.csv", "会員.csv"]);
    jlha(dir.path(), &["ay1", "b.lzh", "顧客.csv", "会員.csv"]);
    let a = std::fs::read(dir.path().join("a.lzh")).unwrap();
    let mut b = std::fs::read(dir.path().join("b.lzh")).unwrap();
    let second = 1 + b[3..].windows(5).position(|w| w == b"-lh5-").unwrap();
    b[second..second + 8].fill(0x5A);
    // `a`, then bytes that are not zeros (the copy must stop at its end mark), then `b` at
    // a sector boundary.
    let mut img = vec![0u8; 8192];
    img.extend_from_slice(&a);
    img.resize((img.len() + 3000).next_multiple_of(512), 0x5A);
    let at_b = img.len();
    img.extend_from_slice(&b);
    img.resize(img.len() + 4096, 0);
    let items = Scanner::default().scan_bytes("disk.img", &img);
    let got: Vec<(String, u64)> = found(&items)
        .into_iter()
        .map(|(p, v)| (p, v["records"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        got,
        [
            ("disk.img!@8192!顧客.csv".to_string(), 300),
            ("disk.img!@8192!会員.csv".to_string(), 100),
            (format!("disk.img!@{at_b}!顧客.csv"), 300),
        ],
        "{items:?}"
    );
    // The cut archive is told; the whole one is not.
    let told = failed(&items);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, format!("disk.img!@{at_b}"));
    assert!(told[0].1.contains("end mark"), "{told:?}");
}

/// A RAR archive deleted from a disk: found at its sector, copied up to its end header by its
/// blocks' headers (no header gives its size), its members read under it; one in RAR 2.9's
/// format, which has no end header, up to the zeros after it. One whose second file header
/// is overwritten gives the member before it, and is told as cut; one whose
/// headers are encrypted is copied to the image's end, told as encrypted, and read with its
/// password.
#[test]
fn rar_archives_in_a_disk_image_give_their_members() {
    use rars::ArchiveVersion::{Rar29, Rar50};
    let customers = synth::persons_file(41, 300, Form::Csv, encoding_rs::SHIFT_JIS).data;
    let members = synth::persons_file(42, 100, Form::Csv, encoding_rs::UTF_8).data;
    let files: [(&str, &[u8]); 2] = [("顧客.csv", &customers), ("会員.csv", &members)];
    let a = rar(Rar50, &files, true, None, false);
    let mut b = rar(Rar29, &files, false, None, false);
    let name = "会員.csv".as_bytes();
    let second = b.windows(name.len()).position(|w| w == name).unwrap() - 32;
    assert_eq!(b[second + 2], 0x74, "a file header");
    b[second..second + 7].fill(0x5A);
    let pw = "Staged#2016";
    let c = rar(Rar50, &files, false, Some(pw), true);
    // `a`, then bytes that are not zeros (the copy must stop at its end header), then `b`
    // and `c` at sector boundaries.
    let mut img = vec![0u8; 8192];
    img.extend_from_slice(&a);
    img.resize((img.len() + 3000).next_multiple_of(512), 0x5A);
    let at_b = img.len();
    img.extend_from_slice(&b);
    img.resize((img.len() + 1000).next_multiple_of(512), 0);
    // A whole archive in RAR 2.9's format, which has no end header: zeros end it.
    let at_d = img.len();
    img.extend_from_slice(&rar(Rar29, &files[1..], false, None, false));
    img.resize((img.len() + 1000).next_multiple_of(512), 0);
    let at_c = img.len();
    img.extend_from_slice(&c);
    img.resize(img.len() + 4096, 0);
    let records = |items: &[Item]| -> Vec<(String, u64)> {
        found(items)
            .into_iter()
            .map(|(p, v)| (p, v["records"].as_u64().unwrap_or(0)))
            .collect()
    };
    let plain = [
        ("disk.img!@8192!顧客.csv".to_string(), 300),
        ("disk.img!@8192!会員.csv".to_string(), 100),
        (format!("disk.img!@{at_b}!顧客.csv"), 300),
        (format!("disk.img!@{at_d}!会員.csv"), 100),
    ];
    let items = Scanner::default().scan_bytes("disk.img", &img);
    assert_eq!(records(&items), plain, "{items:?}");
    // The cut archive is told, the encrypted one too; the whole one is not.
    let told = failed(&items);
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(told[0].0, format!("disk.img!@{at_b}"));
    assert!(told[0].1.contains("end mark"), "{told:?}");
    assert!(
        told[1].0.starts_with(&format!("disk.img!@{at_c}")),
        "{told:?}"
    );
    assert!(told[1].1.contains("encrypted"), "{told:?}");
    // With its password, the encrypted archive's members are read too.
    let open = Scanner::new(Options {
        passwords: vec![pw.into()],
        ..Options::default()
    });
    let items = open.scan_bytes("disk.img", &img);
    let mut want = plain.to_vec();
    want.push((format!("disk.img!@{at_c}!顧客.csv"), 300));
    want.push((format!("disk.img!@{at_c}!会員.csv"), 100));
    assert_eq!(records(&items), want, "{items:?}");
    assert_eq!(failed(&items).len(), 1, "{items:?}");
}

/// The staged archive split into volumes for the way out (`rar a -v50m`), restored beside one
/// another: read together from the first volume (a member split over volumes comes out
/// whole, under the first volume's name), the later ones not read on their own; WinRAR's new
/// names (`x.part1.rar`) and old ones (`x.rar`, `x.r00`), encrypted with a password too. A
/// later volume given alone is read as far as it goes, and what it cannot read is told.
#[test]
fn rar_archives_in_volumes_are_read_together() {
    use rars::ArchiveVersion::{Rar29, Rar50};
    let dir = tempfile::tempdir().unwrap();
    let customers = synth::persons_file(43, 300, Form::Csv, encoding_rs::SHIFT_JIS).data;
    let memo = synth::persons_file(44, 20, Form::Text, encoding_rs::UTF_8).data;
    let pw = "Staged#2016";
    let sets = [
        ("new", Rar50, None, "staged.part{}.rar", 1),
        ("old", Rar29, None, "old.{}", 0),
        ("locked", Rar50, Some(pw), "locked.part{:02}.rar", 1),
    ];
    let mut written = Vec::new();
    for (what, format, password, pattern, from) in sets {
        let mut b = rars::Builder::new(format)
            .password(password.map(|p| p.as_bytes().to_vec()))
            .volume_size(Some(8192));
        b.add_bytes(
            "顧客.csv".as_bytes().to_vec(),
            customers.clone(),
            Some(0x4870_0000),
            None,
        )
        .unwrap();
        // (The writer puts one file only in volumes of RAR 2.9's format.)
        if format == Rar50 {
            b.add_bytes(
                "メモ.txt".as_bytes().to_vec(),
                memo.clone(),
                Some(0x4870_0000),
                None,
            )
            .unwrap();
        }
        let volumes = b.build_volumes(None).unwrap();
        assert!(volumes.len() >= 3, "{what}: {}", volumes.len());
        let mut paths = Vec::new();
        for (k, v) in volumes.iter().enumerate() {
            let name = match pattern {
                "old.{}" if k == 0 => "old.rar".to_string(),
                "old.{}" => format!("old.r{:02}", k - 1),
                "locked.part{:02}.rar" => format!("locked.part{:02}.rar", k + from),
                _ => format!("staged.part{}.rar", k + from),
            };
            paths.push(write(dir.path(), &name, v));
        }
        written.push((what, paths));
    }
    let open = Scanner::new(Options {
        passwords: vec![pw.into()],
        ..Options::default()
    });
    let mut items = Vec::new();
    open.scan_paths(&[dir.path().to_path_buf()], &mut |i| items.push(i));
    assert!(failed(&items).is_empty(), "{:?}", failed(&items));
    let got: Vec<(String, u64)> = found(&items)
        .into_iter()
        .map(|(p, v)| {
            let p = p.rsplit_once('/').unwrap().1.to_string();
            (p, v["records"].as_u64().unwrap_or(0))
        })
        .collect();
    let texts = |first: &str| {
        [
            (format!("{first}!顧客.csv"), 300),
            (format!("{first}!メモ.txt"), 0),
        ]
    };
    let mut want = Vec::new();
    want.extend(texts("locked.part01.rar"));
    want.push(("old.rar!顧客.csv".to_string(), 300));
    want.extend(texts("staged.part1.rar"));
    assert_eq!(got, want);
    // Without the password: the locked set is told encrypted, once, at its first volume.
    let mut items = Vec::new();
    Scanner::default().scan_paths(&[dir.path().to_path_buf()], &mut |i| items.push(i));
    let told = failed(&items);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].0.ends_with("locked.part01.rar"), "{told:?}");
    assert!(told[0].1.contains("encrypted"), "{told:?}");
    // A later volume alone: no panic; what continues from the volume before is told.
    let later = &written[0].1[1];
    let items = Scanner::default().scan_file(later);
    assert!(!failed(&items).is_empty(), "{items:?}");
}

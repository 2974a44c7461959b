//! Compressed streams (xz, bzip2, Zstandard, gzip), 7z archives and zip members in other
//! methods than deflate: each is opened and its content handed over as the walker hands a
//! zip's, under the same caps. The archives and streams are written here by the crates'
//! own encoders, from fixed content.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::io::{Cursor, Write};

use kizuki_files::{Analyzer, Options, walk_members, walk_members_reporting};

/// A CSV of a few hundred lines (fixed, so every run writes the same archives).
fn table() -> Vec<u8> {
    let mut t = b"id,name,mail\n".to_vec();
    for i in 0..400 {
        writeln!(t, "{i},person {i},p{i}@example.jp").unwrap();
    }
    t
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A 7z archive of `files`; one solid block when `solid`, else a block per file.
fn seven_z(files: &[(&str, &[u8])], solid: bool, method: sevenz_rust2::EncoderMethod) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    w.set_content_methods(vec![method.into()]);
    w.push_archive_entry::<&[u8]>(sevenz_rust2::ArchiveEntry::new_directory("dir"), None)
        .unwrap();
    if solid {
        let entries = files
            .iter()
            .map(|(n, _)| sevenz_rust2::ArchiveEntry::new_file(n))
            .collect();
        let readers = files.iter().map(|(_, d)| (*d).into()).collect();
        w.push_archive_entries(entries, readers).unwrap();
    } else {
        for (n, d) in files {
            w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(n), Some(*d))
                .unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn zip_with(method: zip::CompressionMethod, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(method);
    for (n, d) in files {
        z.start_file(*n, o).unwrap();
        z.write_all(d).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// The members the walker hands over: path and bytes.
fn members(name: &str, data: &[u8], opts: &Options) -> Vec<(String, Vec<u8>)> {
    let mut got = Vec::new();
    walk_members(name, data, opts, &mut |p, b| {
        got.push((p.to_string(), b.to_vec()));
        true
    })
    .unwrap();
    got
}

/// The paths of members handed over (for a failed assertion's message: not their bytes).
fn paths_of(got: &[(String, Vec<u8>)]) -> Vec<(&str, usize)> {
    got.iter().map(|(p, b)| (p.as_str(), b.len())).collect()
}

/// Nothing but the container's own bytes was handed over (as the walker does with a
/// container it could not open).
fn no_member(name: &str, data: &[u8], opts: &Options) -> bool {
    members(name, data, opts).iter().all(|(p, _)| p == name)
}

/// The rules of the problems met on the way.
fn problems(name: &str, data: &[u8], opts: &Options) -> Vec<String> {
    let mut rules = Vec::new();
    walk_members_reporting(
        name,
        data,
        opts,
        &|_, _| false,
        &mut |_, _| true,
        &mut |_, f| rules.push(f.rule.to_string()),
    )
    .unwrap();
    rules
}

#[test]
fn compressed_streams_hand_over_their_content() {
    let t = table();
    let opts = Options::default();
    for (name, data, member) in [
        ("顧客.csv.xz", xz(&t), "顧客.csv"),
        ("dump.csv.bz2", bz2(&t), "dump.csv"),
        ("export.csv.zst", zst(&t), "export.csv"),
        // Renamed: found by content, named `data`.
        ("blob", zst(&t), "data"),
    ] {
        let got = members(name, &data, &opts);
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0].0, format!("{name}!{member}"));
        assert!(got[0].1 == t, "{name}: content differs");
        assert!(problems(name, &data, &opts).is_empty(), "{name}");
    }
    // Streams written one after another (`cat a.xz b.xz`, pbzip2, zstd's frames) read as one.
    for (name, data) in [
        ("two.xz", [xz(&t), xz(&t)].concat()),
        ("two.bz2", [bz2(&t), bz2(&t)].concat()),
        ("two.zst", [zst(&t), zst(&t)].concat()),
    ] {
        let got = members(name, &data, &opts);
        assert_eq!(got[0].1, [t.clone(), t.clone()].concat(), "{name}");
    }
}

#[test]
fn compressed_tars_and_nested_archives_are_walked() {
    let t = table();
    let inner = tar(&[("out/customers.csv", &t), ("out/readme.txt", b"staged")]);
    let opts = Options::default();
    for (name, data, stem) in [
        ("backup.tar.xz", xz(&inner), "backup.tar"),
        ("backup.tbz2", bz2(&inner), "backup.tar"),
        ("backup.tar.zst", zst(&inner), "backup.tar"),
    ] {
        let got = members(name, &data, &opts);
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{name}!{stem}!out/customers.csv"),
                format!("{name}!{stem}!out/readme.txt")
            ],
            "{name}"
        );
        assert!(got[0].1 == t);
    }
    // A zip of an xz of a CSV.
    let z = zip_with(
        zip::CompressionMethod::Stored,
        &[("data/persons.csv.xz", &xz(&t))],
    );
    let got = members("x.zip", &z, &opts);
    assert_eq!(got[0].0, "x.zip!data/persons.csv.xz!persons.csv");
    assert!(got[0].1 == t);
}

#[test]
fn seven_z_archives_are_unpacked_solid_or_not() {
    let t = table();
    let other = b"second file".to_vec();
    let files: [(&str, &[u8]); 3] = [
        ("dir/顧客.csv", &t),
        ("dir/notes.txt", &other),
        ("empty.txt", b""),
    ];
    let opts = Options::default();
    for (solid, method) in [
        (true, sevenz_rust2::EncoderMethod::LZMA2),
        (false, sevenz_rust2::EncoderMethod::LZMA2),
        (false, sevenz_rust2::EncoderMethod::BZIP2),
        (false, sevenz_rust2::EncoderMethod::COPY),
    ] {
        let a = seven_z(&files, solid, method);
        let mut got = members("a.7z", &a, &opts);
        got.sort();
        let want: Vec<(String, Vec<u8>)> = {
            let mut w: Vec<_> = files
                .iter()
                .map(|(n, d)| (format!("a.7z!{n}"), d.to_vec()))
                .collect();
            w.sort();
            w
        };
        assert_eq!(got, want, "solid {solid}");
        assert!(problems("a.7z", &a, &opts).is_empty());
    }
    // The file analyser sees its members (an executable among them).
    let a = seven_z(
        &[("invoice.pdf.exe", b"MZ\x90\x00 not really"), ("a.csv", &t)],
        false,
        sevenz_rust2::EncoderMethod::LZMA2,
    );
    let r = Analyzer::new(Options::default())
        .unwrap()
        .analyze_bytes("請求書.7z", &a, &[]);
    assert!(r.has_rule("archive.executable_inside"), "{r:?}");
    assert!(!r.has_rule("archive.unsupported"), "{r:?}");
    assert_eq!(r.children.len(), 2, "{r:?}");
}

#[test]
fn zip_members_in_other_methods_are_read() {
    let t = table();
    let opts = Options::default();
    for method in [
        zip::CompressionMethod::Bzip2,
        zip::CompressionMethod::Xz,
        zip::CompressionMethod::Zstd,
    ] {
        let z = zip_with(method, &[("顧客.csv", &t)]);
        let got = members("m.zip", &z, &opts);
        assert_eq!(got.len(), 1, "{method:?}");
        assert!(got[0].1 == t, "{method:?}");
        assert!(problems("m.zip", &z, &opts).is_empty(), "{method:?}");
    }
}

#[test]
fn compressed_bombs_stop_at_the_caps() {
    // 16 MiB of zeros: ratios of thousands to one.
    let zeros = vec![0u8; 16 << 20];
    let opts = Options::default();
    for (name, data) in [
        ("z.xz", xz(&zeros)),
        ("z.bz2", bz2(&zeros)),
        ("z.zst", zst(&zeros)),
        (
            "z.7z",
            seven_z(
                &[("z.bin", &zeros)],
                false,
                sevenz_rust2::EncoderMethod::LZMA2,
            ),
        ),
        (
            "z.zip",
            zip_with(zip::CompressionMethod::Zstd, &[("z.bin", &zeros)]),
        ),
    ] {
        assert!(data.len() < 1 << 20, "{name}: {}", data.len());
        assert!(no_member(name, &data, &opts), "{name}");
        assert!(
            problems(name, &data, &opts).contains(&"archive.bomb".to_string()),
            "{name}"
        );
    }
    // Below the ratio cap but beyond the budget left.
    let small = Options {
        max_total_size: 1 << 20,
        ..Options::default()
    };
    let text: Vec<u8> = (0..4 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for (name, data) in [
        ("t.xz", xz(&text)),
        ("t.zst", zst(&text)),
        (
            "t.7z",
            seven_z(
                &[("t.bin", &text)],
                true,
                sevenz_rust2::EncoderMethod::LZMA2,
            ),
        ),
    ] {
        assert!(no_member(name, &data, &small), "{name}");
        assert!(
            problems(name, &data, &small).contains(&"archive.bomb".to_string()),
            "{name}"
        );
    }
}

#[test]
fn broken_streams_are_malformed_not_panics() {
    let t = table();
    let opts = Options::default();
    for (name, data) in [
        ("cut.xz", xz(&t)),
        ("cut.bz2", bz2(&t)),
        ("cut.zst", zst(&t)),
        (
            "cut.7z",
            seven_z(&[("a.csv", &t)], true, sevenz_rust2::EncoderMethod::LZMA2),
        ),
    ] {
        for keep in [12, data.len() / 2, data.len() - 3] {
            let cut = &data[..keep];
            let p = problems(name, cut, &opts);
            assert!(
                p.iter().any(|r| r == "file.malformed"),
                "{name} cut at {keep}: {p:?}"
            );
        }
        // A flipped byte in the middle: an error or (a stored 7z) other bytes, never a panic.
        let mut bent = data.clone();
        let mid = bent.len() / 2;
        bent[mid] ^= 0x55;
        let _ = problems(name, &bent, &opts);
    }
}

/// A 7z archive encrypted with AES-256 as 7-Zip's `-p` makes one (its header encrypted too
/// with `-mhe`), IV and salt fixed.
fn seven_z_aes(files: &[(&str, &[u8])], password: &str, header: bool) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    let aes = sevenz_rust2::encoder_options::AesEncoderOptions {
        password: password.into(),
        iv: [9; 16],
        salt: [4; 16],
        num_cycles_power: 16,
    };
    w.set_content_methods(vec![
        aes.into(),
        sevenz_rust2::encoder_options::Lzma2Options::from_level(1).into(),
    ]);
    w.set_encrypt_header(header);
    for (n, d) in files {
        w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(n), Some(*d))
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The "PPAP" practice with 7z: the archive's password in the next mail (the mail analyser
/// hands it on) or on the command line. With it the members are read; without, the archive
/// is told encrypted, as before.
#[test]
fn encrypted_seven_z_archives_open_with_a_candidate_password() {
    let t = table();
    let files: [(&str, &[u8]); 2] = [("invoice.pdf.exe", b"MZ\x90\x00 not really"), ("a.csv", &t)];
    for header in [true, false] {
        let a = seven_z_aes(&files, "Kz8x2QpW", header);
        let locked = Analyzer::new(Options::default())
            .unwrap()
            .analyze_bytes("請求書.7z", &a, &[]);
        assert!(locked.has_rule("archive.encrypted"), "{header}: {locked:?}");
        assert!(locked.children.is_empty(), "{header}: {locked:?}");
        let r = Analyzer::new(Options::default()).unwrap().analyze_bytes(
            "請求書.7z",
            &a,
            &["2016".into(), "Kz8x2QpW".into()],
        );
        assert!(r.has_rule("archive.password_opened"), "{header}: {r:?}");
        assert!(r.has_rule("archive.executable_inside"), "{header}: {r:?}");
        assert!(!r.has_rule("archive.encrypted"), "{header}: {r:?}");
        assert_eq!(r.children.len(), 2, "{header}: {r:?}");
        let opts = Options {
            passwords: vec!["Kz8x2QpW".into()],
            ..Options::default()
        };
        let mut got = members("a.7z", &a, &opts);
        got.sort();
        assert_eq!(got.len(), 2, "{header}");
        assert!(got[0].1 == t, "{header}");
        // A wrong password: told, not read.
        let opts = Options {
            passwords: vec!["wrong".into()],
            ..Options::default()
        };
        assert!(no_member("a.7z", &a, &opts), "{header}");
        assert!(
            problems("a.7z", &a, &opts).contains(&"archive.encrypted".to_string()),
            "{header}"
        );
    }
}

/// Member names in a Japanese code page, as a zip from Explorer on a Japanese Windows (CP932,
/// no UTF-8 flag) and a tar from an old Unix system (EUC-JP) store them: read as the user saw
/// them, so the name checks see the ideographic spaces that hide an extension.
#[test]
fn member_names_in_japanese_code_pages_are_read_as_written() {
    let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
    let t = table();
    let lure = "請求書.pdf\u{3000}\u{3000}\u{3000}\u{3000}.exe";
    let zip = kizuki_files::synth::zip_raw_names(&[
        (&sjis("顧客リスト/顧客.csv"), &t),
        (&sjis(lure), &kizuki_files::synth::pe_stub()),
    ]);
    let mut h = tar::Header::new_gnu();
    h.set_size(t.len() as u64);
    h.set_mode(0o644);
    let euc = encoding_rs::EUC_JP.encode("名簿/会員.csv").0;
    {
        use std::os::unix::ffi::OsStrExt;
        h.set_path(std::ffi::OsStr::from_bytes(&euc)).unwrap();
    }
    h.set_cksum();
    let mut b = tar::Builder::new(Vec::new());
    b.append(&h, t.as_slice()).unwrap();
    let tar = b.into_inner().unwrap();
    let opts = Options::default();
    for (name, data, want) in [
        (
            "a.zip",
            &zip,
            vec![
                "a.zip!顧客リスト/顧客.csv".to_string(),
                format!("a.zip!{lure}"),
            ],
        ),
        ("a.tar", &tar, vec!["a.tar!名簿/会員.csv".to_string()]),
    ] {
        let mut got = Vec::new();
        walk_members(name, data, &opts, &mut |p, _| {
            got.push(p.to_string());
            true
        })
        .unwrap();
        assert_eq!(got, want);
    }
    let r = Analyzer::new(Options::default())
        .unwrap()
        .analyze_bytes("請求書.zip", &zip, &[]);
    let lured = r
        .children
        .iter()
        .find(|c| c.path.ends_with(".exe"))
        .unwrap();
    assert_eq!(lured.path, format!("請求書.zip!{lure}"));
    assert!(lured.has_rule("name.double_extension"), "{lured:?}");
}

/// Runs jLHA (Debian's `jlha-utils`, installed by scripts/setup) in `dir`: `jlha ARGS`, its
/// file names read and written in CP932 (`y`) from the UTF-8 names of the file system.
fn jlha(dir: &std::path::Path, args: &[&str]) {
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

/// LZH archives as a Japanese archiver writes them (jLHA: header levels 0, 1 and 2; stored,
/// `-lh5-`, `-lh6-` and `-lh7-`; names in CP932 with a directory): every member comes out
/// whole under its name; a member cut short or changed fails its CRC and is told, one that
/// declares more than the caps allow is a bomb and is not decoded, and no byte of a broken
/// archive makes the reader panic.
#[test]
fn lzh_archives_from_a_japanese_archiver_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let t = table();
    let note = "顧客対応メモ\n".repeat(300);
    std::fs::create_dir(dir.path().join("名簿")).unwrap();
    std::fs::write(dir.path().join("名簿/顧客.csv"), &t).unwrap();
    std::fs::write(dir.path().join("メモ.txt"), &note).unwrap();
    let opts = Options::default();
    let want = vec![
        ("a.lzh!名簿/顧客.csv".to_string(), t.clone()),
        ("a.lzh!メモ.txt".to_string(), note.as_bytes().to_vec()),
    ];
    let mut archives = Vec::new();
    for (cmd, method, level) in [
        ("ay0", "-lh5-", 0),
        ("ay1", "-lh5-", 1),
        ("ay2", "-lh5-", 2),
        ("ayz", "-lh0-", 2),
        ("ayo6", "-lh6-", 2),
        ("ayo7", "-lh7-", 2),
    ] {
        let name = format!("{cmd}.lzh");
        jlha(dir.path(), &[cmd, &name, "名簿/顧客.csv", "メモ.txt"]);
        let a = std::fs::read(dir.path().join(&name)).unwrap();
        assert_eq!((&a[2..7], a[20]), (method.as_bytes(), level), "{cmd}");
        assert_eq!(
            kizuki_files::sniff::sniff(&a, &name),
            kizuki_files::FileType::Lzh
        );
        let mut got = Vec::new();
        walk_members("a.lzh", &a, &opts, &mut |p, b| {
            got.push((p.to_string(), b.to_vec()));
            true
        })
        .unwrap();
        assert_eq!(got, want, "{cmd}");
        assert!(problems("a.lzh", &a, &opts).is_empty(), "{cmd}");
        // Its extent, as a disk image's copy finds it: to its end mark; more needed before.
        let mut next = 0;
        assert_eq!(
            kizuki_files::archive::lzh_extent(&a, &mut next),
            Some(Ok(a.len()))
        );
        let mut next = 0;
        assert_eq!(
            kizuki_files::archive::lzh_extent(&a[..a.len() - 1], &mut next),
            None
        );
        assert_eq!(next, a.len() - 1, "{cmd}: past both members");
        let second = 1 + a[3..].windows(3).position(|w| w == b"-lh").unwrap();
        let mut bent = a.clone();
        bent[second + 2..second + 7].copy_from_slice(b"-zz9-");
        let mut next = 0;
        assert_eq!(
            kizuki_files::archive::lzh_extent(&bent, &mut next),
            Some(Err(second))
        );
        archives.push(a);
    }
    // The file analyser sees its members; an executable among them is told.
    std::fs::write(
        dir.path().join("請求書.pdf.exe"),
        kizuki_files::synth::pe_stub(),
    )
    .unwrap();
    jlha(dir.path(), &["ay2", "lure.lzh", "請求書.pdf.exe"]);
    let lure = std::fs::read(dir.path().join("lure.lzh")).unwrap();
    let r = Analyzer::new(Options::default())
        .unwrap()
        .analyze_bytes("請求書.lzh", &lure, &[]);
    assert!(r.has_rule("archive.executable_inside"), "{r:?}");
    assert_eq!(r.children[0].path, "請求書.lzh!請求書.pdf.exe");
    // A changed byte in the compressed data: its CRC fails (or its decoding does); told.
    let lh5 = &archives[2];
    let data_at = usize::from(u16::from_le_bytes([lh5[0], lh5[1]]));
    let mut bent = lh5.clone();
    bent[data_at + 200] ^= 0x55;
    assert!(!problems("a.lzh", &bent, &opts).is_empty());
    // A member declaring 4 GiB from its few bytes is not decoded (a level 0 header: its
    // checksum, the sum of its bytes, made right again).
    let mut bomb = archives[0].clone();
    bomb[11..15].copy_from_slice(&u32::MAX.to_le_bytes());
    bomb[1] = bomb[2..2 + usize::from(bomb[0])]
        .iter()
        .fold(0u8, |s, b| s.wrapping_add(*b));
    let told = problems("a.lzh", &bomb, &opts);
    assert!(told.iter().any(|rule| rule == "archive.bomb"), "{told:?}");
    // Every cut and many changed bytes: an error or a finding, never a panic.
    for a in &archives {
        for cut in (0..a.len()).step_by(7) {
            let _ = problems("a.lzh", &a[..cut], &opts);
        }
        for i in (0..a.len()).step_by(9) {
            let mut b = a.clone();
            b[i] = b[i].wrapping_add(0x3B);
            let _ = problems("a.lzh", &b, &opts);
        }
    }
}

/// A RAR archive of `files` (raw names: a RAR 2.9 archive from a Japanese Windows stores them
/// in CP932), in `format`, solid or not, with a password and, when `headers`, its headers
/// encrypted too (`rar a -hp`): written by the `rars` crate's own writer.
fn rar(
    format: rars::ArchiveVersion,
    files: &[(&[u8], &[u8])],
    solid: bool,
    password: Option<&str>,
    headers: bool,
) -> Vec<u8> {
    let mut b = rars::Builder::new(format)
        .solid(solid)
        .password(password.map(|p| p.as_bytes().to_vec()))
        .header_encryption(headers);
    for (name, data) in files {
        b.add_bytes(name.to_vec(), data.to_vec(), Some(0x5A21_0000), None)
            .unwrap();
    }
    b.to_bytes().unwrap()
}

/// RAR archives, the staging format of many intrusions (`rar a -hp` before the copy out), as
/// WinRAR writes them in its formats of 2.9-4 and 5-7, solid or not: every member comes out
/// whole under its name (CP932 names of RAR 2.9 too); with a password (the members', or the
/// headers' too) they come out when a candidate fits, and are told encrypted when none does;
/// a member cut or changed is told, never handed on; no cut makes the reader panic.
#[test]
fn rar_archives_are_unpacked_solid_or_not() {
    use rars::ArchiveVersion::{Rar29, Rar50, Rar70};
    let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
    let t = table();
    let note = "顧客対応メモ\n".repeat(300).into_bytes();
    let opts = Options::default();
    let want = vec![
        ("a.rar!名簿/顧客.csv".to_string(), t.clone()),
        ("a.rar!メモ.txt".to_string(), note.clone()),
    ];
    for format in [Rar29, Rar50, Rar70] {
        // RAR 2.9's names are bytes of the writer's code page; RAR 5's UTF-8.
        let (csv, memo) = if format == Rar29 {
            (sjis("名簿\\顧客.csv"), sjis("メモ.txt"))
        } else {
            (
                "名簿/顧客.csv".as_bytes().to_vec(),
                "メモ.txt".as_bytes().to_vec(),
            )
        };
        let files: [(&[u8], &[u8]); 2] = [(&csv, &t), (&memo, &note)];
        for solid in [false, true] {
            let a = rar(format, &files, solid, None, false);
            assert_eq!(
                kizuki_files::sniff::sniff(&a, "a.rar"),
                kizuki_files::FileType::Rar
            );
            let got = members("a.rar", &a, &opts);
            assert!(got == want, "{format:?} {solid}: {:?}", paths_of(&got));
            assert!(
                problems("a.rar", &a, &opts).is_empty(),
                "{format:?} {solid}"
            );
            // Its extent, as a disk image's copy finds it: to its end header (RAR 2.9's
            // format has none: to the zeros after it); more needed before; a main header
            // that is none is no archive.
            let mut padded = a.clone();
            padded.resize(a.len() + 512, 0);
            let mut next = 0;
            assert_eq!(
                kizuki_files::rar::extent(&padded, &mut next),
                Some(Ok(a.len()))
            );
            let mut next = 0;
            assert_eq!(
                kizuki_files::rar::extent(&a[..a.len() - 1], &mut next),
                None
            );
            assert!(
                next > 8 && next <= a.len(),
                "{format:?} {solid}: past the members"
            );
            let mut bent = a.clone();
            bent[10] ^= 0x55;
            assert_eq!(kizuki_files::rar::extent(&bent, &mut 0), Some(Err(0)));
            // A changed byte (in the packed data, or a header's CRC fails): told, and no
            // member handed on that is not as written.
            for at in [a.len() / 3, a.len() / 2, a.len() * 2 / 3] {
                let mut bent = a.clone();
                bent[at] ^= 0x55;
                assert!(
                    !problems("a.rar", &bent, &opts).is_empty(),
                    "{format:?} {solid} {at}"
                );
                for (p, b) in members("a.rar", &bent, &opts) {
                    assert!(
                        p == "a.rar" || want.contains(&(p.clone(), b)),
                        "{format:?} {at} {p}"
                    );
                }
            }
            // Cut anywhere: never a panic, and no member that is not whole.
            for cut in (0..a.len()).step_by(7) {
                for (p, b) in members("a.rar", &a[..cut], &opts) {
                    assert!(
                        p == "a.rar" || want.contains(&(p.clone(), b)),
                        "{format:?} {cut} {p}"
                    );
                }
            }
        }
        // Encrypted members, and (RAR 5) encrypted headers.
        for headers in [false, format != Rar29] {
            let a = rar(format, &files, true, Some("Kz8x2QpW"), headers);
            // Encrypted headers give no extent: the copy runs on.
            let mut next = 0;
            let extent = kizuki_files::rar::extent(&a, &mut next);
            if headers {
                assert_eq!((extent, next), (None, kizuki_files::rar::EXTENT_LOCKED));
            } else {
                let mut padded = a.clone();
                padded.resize(a.len() + 512, 0);
                let extent = kizuki_files::rar::extent(&padded, &mut 0);
                assert_eq!(extent, Some(Ok(a.len())), "{format:?}");
            }
            let locked = Analyzer::new(Options::default())
                .unwrap()
                .analyze_bytes("a.rar", &a, &[]);
            assert!(
                locked.has_rule("archive.encrypted"),
                "{format:?} {headers}: {locked:?}"
            );
            assert!(
                locked.children.is_empty(),
                "{format:?} {headers}: {locked:?}"
            );
            let r = Analyzer::new(Options::default()).unwrap().analyze_bytes(
                "a.rar",
                &a,
                &["2016".into(), "Kz8x2QpW".into()],
            );
            let opened = r
                .findings
                .iter()
                .find(|f| f.rule == "archive.password_opened");
            assert!(
                opened.is_some_and(|f| f.detail.starts_with("2 encrypted rar member(s)")),
                "{format:?} {headers}: {r:?}"
            );
            assert!(
                !r.has_rule("archive.encrypted"),
                "{format:?} {headers}: {r:?}"
            );
            let with = |pw: &str| Options {
                passwords: vec!["2016".into(), pw.into()],
                ..Options::default()
            };
            let got = members("a.rar", &a, &with("Kz8x2QpW"));
            assert!(got == want, "{format:?} {headers}: {:?}", paths_of(&got));
            assert!(
                no_member("a.rar", &a, &with("wrong")),
                "{format:?} {headers}"
            );
            assert!(
                problems("a.rar", &a, &with("wrong")).contains(&"archive.encrypted".to_string()),
                "{format:?} {headers}"
            );
        }
    }
    // RAR 1.3's archives (DOS, `RE~^`): read too.
    let old = rar(
        rars::ArchiveVersion::Rar13,
        &[(b"KOKYAKU.CSV", &t)],
        false,
        None,
        false,
    );
    assert!(old.starts_with(b"RE~^"));
    let got = members("a.rar", &old, &opts);
    assert!(
        got == vec![("a.rar!KOKYAKU.CSV".to_string(), t.clone())],
        "{:?}",
        paths_of(&got)
    );
    // The file analyser sees the members: an executable among them is told.
    let lure = rar(
        Rar50,
        &[("請求書.pdf.exe".as_bytes(), &kizuki_files::synth::pe_stub())],
        false,
        None,
        false,
    );
    let r = Analyzer::new(Options::default())
        .unwrap()
        .analyze_bytes("請求書.rar", &lure, &[]);
    assert!(r.has_rule("archive.executable_inside"), "{r:?}");
    assert!(!r.has_rule("archive.unsupported"), "{r:?}");
    assert_eq!(r.children[0].path, "請求書.rar!請求書.pdf.exe");
    // A member past the ratio cap is a bomb, not decoded; the one after it is read.
    let zeros = vec![0u8; 8 << 20];
    let bomb = rar(
        Rar50,
        &[(b"zeros.bin", &zeros), (b"a.csv", &t)],
        false,
        None,
        false,
    );
    let small = Options {
        max_ratio: 20,
        ..Options::default()
    };
    let got = members("a.rar", &bomb, &small);
    assert!(
        got == vec![("a.rar!a.csv".to_string(), t.clone())],
        "{:?}",
        paths_of(&got)
    );
    assert!(problems("a.rar", &bomb, &small).contains(&"archive.bomb".to_string()));
}

/// A RAR archive in volumes, walked together: a member split over them comes out whole (with
/// the password given, when encrypted), under the first volume's name; a set missing its last
/// volume hands over nothing unread whole, and says why.
#[test]
fn rar_volumes_are_walked_together() {
    let t = table();
    for (format, password) in [
        (rars::ArchiveVersion::Rar50, Some("Kz8x2QpW")),
        (rars::ArchiveVersion::Rar50, None),
        (rars::ArchiveVersion::Rar29, None),
    ] {
        let mut b = rars::Builder::new(format)
            .password(password.map(|p| p.as_bytes().to_vec()))
            .store(true)
            .volume_size(Some(t.len() / 3));
        b.add_bytes(
            "名簿/顧客.csv".as_bytes().to_vec(),
            t.clone(),
            Some(0x5A21_0000),
            None,
        )
        .unwrap();
        let volumes = b.build_volumes(None).unwrap();
        assert!(volumes.len() >= 3, "{format:?}");
        let volumes: Vec<&[u8]> = volumes.iter().map(Vec::as_slice).collect();
        let walk = |volumes: &[&[u8]], passwords: Vec<String>| {
            let opts = Options {
                passwords,
                ..Options::default()
            };
            let (mut got, mut rules) = (Vec::new(), Vec::new());
            kizuki_files::walk_rar_volumes_reporting(
                "x.part1.rar",
                volumes,
                &opts,
                &|_, _| false,
                &mut |p, b| {
                    got.push((p.to_string(), b.to_vec()));
                    true
                },
                &mut |_, f| rules.push(f.rule.to_string()),
            )
            .unwrap();
            (got, rules)
        };
        let given = || {
            password
                .map(|p| vec!["2016".to_string(), p.to_string()])
                .unwrap_or_default()
        };
        let (got, rules) = walk(&volumes, given());
        let want = vec![("x.part1.rar!名簿/顧客.csv".to_string(), t.clone())];
        assert!(got == want, "{format:?}: {:?} {rules:?}", paths_of(&got));
        assert!(
            !rules.contains(&"file.malformed".to_string()),
            "{format:?}: {rules:?}"
        );
        // The last volume missing: the member is not handed over (its bytes are not all
        // there); told.
        let (got, rules) = walk(&volumes[..volumes.len() - 1], given());
        assert!(
            got.iter().all(|(p, _)| p == "x.part1.rar"),
            "{format:?}: {:?}",
            paths_of(&got)
        );
        assert!(!rules.is_empty(), "{format:?}");
        if password.is_some() {
            // No password that fits: told encrypted.
            let (got, rules) = walk(&volumes, vec!["wrong".into()]);
            assert!(
                got.iter().all(|(p, _)| p == "x.part1.rar"),
                "{:?}",
                paths_of(&got)
            );
            assert!(
                rules.contains(&"archive.encrypted".to_string()),
                "{rules:?}"
            );
        }
    }
}

/// A RAR 5 member declaring a dictionary past the reader's cap (512 MiB: the decoder would
/// allocate it) is not decoded, and told; the member after it is read.
#[test]
fn rar_dictionaries_past_the_cap_are_refused() {
    let t = table();
    let a = rar(
        rars::ArchiveVersion::Rar50,
        &[(b"big.csv", &t), (b"a.csv", &t)],
        false,
        None,
        false,
    );
    // The first file header: after the mark and the main header; its compression information
    // (a variable-length integer after the sizes, attributes, time and CRC) gets dictionary
    // size 12 (128 KiB << 12), its header's CRC made right again.
    let vint = |b: &[u8], p: &mut usize| {
        let mut v = 0u64;
        for shift in (0..).step_by(7) {
            let x = b[*p];
            *p += 1;
            v |= u64::from(x & 0x7F) << shift;
            if x & 0x80 == 0 {
                return v;
            }
        }
        unreachable!()
    };
    let mut bent = a.clone();
    let mut at = 8;
    loop {
        let mut p = at + 4;
        let size = vint(&bent, &mut p) as usize;
        let end = p + size;
        let kind = vint(&bent, &mut p);
        let flags = vint(&bent, &mut p);
        if flags & 1 != 0 {
            vint(&bent, &mut p);
        }
        let data = if flags & 2 != 0 {
            vint(&bent, &mut p)
        } else {
            0
        };
        if kind == 2 {
            let file_flags = vint(&bent, &mut p);
            vint(&bent, &mut p); // unpacked size
            vint(&bent, &mut p); // attributes
            p += if file_flags & 2 != 0 { 4 } else { 0 };
            p += if file_flags & 4 != 0 { 4 } else { 0 };
            let info_at = p;
            let info = vint(&bent, &mut p);
            assert_eq!(p - info_at, 2, "a two-byte compression information");
            let info = (info & !(0x1F << 10)) | (12 << 10);
            bent[info_at] = (info & 0x7F) as u8 | 0x80;
            bent[info_at + 1] = (info >> 7) as u8;
            let crc = crc32fast::hash(&bent[at + 4..end]);
            bent[at..at + 4].copy_from_slice(&crc.to_le_bytes());
            break;
        }
        at = end + data as usize;
    }
    let opts = Options::default();
    let got = members("a.rar", &bent, &opts);
    let mut details = Vec::new();
    walk_members_reporting(
        "a.rar",
        &bent,
        &opts,
        &|_, _| false,
        &mut |_, _| true,
        &mut |_, f| details.push(f.detail.clone()),
    )
    .unwrap();
    assert!(
        got == vec![("a.rar!a.csv".to_string(), t.clone())],
        "{:?} {details:?}",
        paths_of(&got)
    );
    assert!(
        problems("a.rar", &bent, &opts).contains(&"archive.unsupported".to_string()),
        "{:?}",
        problems("a.rar", &bent, &opts)
    );
}

//! Objects embedded in Office files and Outlook items: read as the files they are.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use kizuki_pii::synth::{self, DocPart, Form, MsgPart, MsgSpec};
use kizuki_pii::{Item, Scanner};

/// The paths and records of what a scan found (failures as `path failed`).
fn found(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Item::Found(r) => format!("{} {:?}", r.path, r.records),
            Item::Failed { path, error } => format!("{path} failed: {error}"),
        })
        .collect()
}

/// An xlsx of `rows` on one sheet named `name`.
fn xlsx(name: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// A Word report with an Excel 97 table pasted as an object and an Excel 2007 one (its
/// package in a `Package` stream): the report's text, and each workbook's sheet with its
/// rows. Before, the objects were carved with the report's text (or not found: a package
/// is compressed).
#[test]
fn objects_embedded_in_a_word_document_are_read_as_workbooks() {
    let (csv, truth) = synth::persons_text(80, 20, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let (csv2, truth2) = synth::persons_text(81, 15, Form::Csv);
    let rows2: Vec<Vec<&str>> = csv2.lines().map(|l| l.split(',').collect()).collect();
    let wb = synth::stream_of(&synth::xls_of("顧客", &rows, false).unwrap(), "/Workbook").unwrap();
    let doc = synth::doc_of(
        &[DocPart::Para("担当：山田 太郎 taro@example.jp".into())],
        false,
    )
    .unwrap();
    let doc = synth::with_streams(
        &doc,
        &[
            ("/ObjectPool/_1234/\u{1}CompObj", b"\x01\x00\xfe\xff"),
            ("/ObjectPool/_1234/Workbook", &wb),
            ("/ObjectPool/_5678/Package", &xlsx("名簿", &rows2)),
        ],
    )
    .unwrap();
    let items = Scanner::default().scan_bytes("報告書.doc", &doc);
    assert_eq!(
        found(&items),
        [
            "報告書.doc None",
            "報告書.doc!ObjectPool/_1234!顧客 Some(20)",
            "報告書.doc!ObjectPool/_5678/Package.xlsx!名簿 Some(15)",
        ]
    );
    for (i, t) in [(1, &truth), (2, &truth2)] {
        let Item::Found(r) = &items[i] else {
            unreachable!()
        };
        for (c, n) in t {
            assert_eq!(r.categories.get(c).copied().unwrap_or(0), *n, "{c}");
        }
    }
}

/// An Outlook item with a Word document attached as an OLE object (attach method 6: the
/// document's storage under the attachment's) is read as that document.
#[test]
fn an_ole_object_attached_to_an_outlook_item_is_read() {
    let (csv, _) = synth::persons_text(82, 12, Form::Csv);
    let parts: Vec<DocPart> = csv
        .lines()
        .map(|l| DocPart::Row(l.split(',').map(str::to_string).collect()))
        .collect();
    let doc = synth::doc_of(&parts, false).unwrap();
    let msg = synth::msg_of(&MsgSpec {
        unicode: true,
        strings: vec![(0x1000, "資料を添付します。".into())],
        attachments: vec![MsgPart::File("x.txt".into(), b"-".to_vec())],
        ..MsgSpec::default()
    })
    .unwrap();
    let at = "/__attach_version1.0_#00000001/__substg1.0_3701000D";
    // Its properties: attach method 6 (afStorage).
    let mut props = vec![0u8; 8];
    props.extend_from_slice(&0x3705_0003u32.to_le_bytes());
    props.extend_from_slice(&6u32.to_le_bytes());
    props.extend_from_slice(&6u64.to_le_bytes());
    let msg = synth::with_streams(
        &msg,
        &[
            (
                "/__attach_version1.0_#00000001/__properties_version1.0",
                &props,
            ),
            (
                &format!("{at}/WordDocument"),
                &synth::stream_of(&doc, "/WordDocument").unwrap(),
            ),
            (
                &format!("{at}/1Table"),
                &synth::stream_of(&doc, "/1Table").unwrap(),
            ),
        ],
    )
    .unwrap();
    let items = Scanner::default().scan_bytes("mail.msg", &msg);
    assert_eq!(found(&items), ["mail.msg!attachment2 Some(12)"]);
}

/// An Excel binary workbook (`.xlsb`, as Excel saves large lists): read sheet by sheet as an
/// xlsx is. Before, calamine's xlsx reader failed on it; bent ones are errors, not panics.
#[test]
fn binary_workbooks_are_read_as_workbooks() {
    let (csv, truth) = synth::persons_text(83, 40, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let xlsb = synth::xlsb_of("顧客", &rows).unwrap();
    let items = Scanner::default().scan_bytes("顧客.xlsb", &xlsb);
    assert_eq!(found(&items), ["顧客.xlsb!顧客 Some(40)"]);
    let Item::Found(r) = &items[0] else {
        unreachable!()
    };
    for (c, n) in &truth {
        assert_eq!(r.categories.get(c).copied().unwrap_or(0), *n, "{c}");
    }
    // Records bent inside the package (the zip rebuilt around them, so they reach the reader).
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&xlsb)).unwrap();
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let data = kizuki_core::io::read_capped(&mut f, 1 << 20)
            .unwrap()
            .unwrap();
        members.push((name, data));
    }
    let mut rng = kizuki_core::rng::Rng::new(11);
    let (mut read, mut failed) = (0, 0);
    for k in 0..600 {
        let bent: Vec<(String, Vec<u8>)> = members
            .iter()
            .enumerate()
            .map(|(i, (n, d))| {
                let d = if i == 1 + k % (members.len() - 1) {
                    synth::bend(&mut rng, d, 4, 0.2)
                } else {
                    d.clone()
                };
                (n.clone(), d)
            })
            .collect();
        let refs: Vec<(&str, &[u8])> = bent.iter().map(|(n, d)| (n.as_str(), &d[..])).collect();
        for i in Scanner::default().scan_bytes("x.xlsb", &synth::zip_of(&refs).unwrap()) {
            match i {
                Item::Found(_) => read += 1,
                Item::Failed { .. } => failed += 1,
            }
        }
    }
    assert!(read > 0 && failed > 0, "{read} {failed}");
}

/// A workbook, a zip of two lists and a 7z archive left on a disk (deleted: only their blocks
/// remain): their members, compressed, hold no text the carver could read; decompressed as the
/// image streams past and rebuilt as the archives they were (the 7z copied out by the size its
/// start header gives), they read as the files do: the sheet with its rows and columns, each
/// list as a table.
#[test]
fn workbooks_and_archives_in_a_disk_image_read_as_the_files() {
    let (csv, _) = synth::persons_text(82, 30, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let book = xlsx("顧客", &rows);
    let (a, _) = synth::persons_text(83, 20, Form::Csv);
    let (b, _) = synth::persons_text(84, 10, Form::Tsv);
    let lists = synth::zip_of(&[("out/a.csv", a.as_bytes()), ("out/b.tsv", b.as_bytes())]).unwrap();
    let (c, _) = synth::persons_text(85, 25, Form::Csv);
    let staged = {
        let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
        w.push_archive_entry(
            sevenz_rust2::ArchiveEntry::new_file("export/list.csv"),
            Some(c.as_bytes()),
        )
        .unwrap();
        w.finish().unwrap().into_inner()
    };
    let mut img = vec![0x11u8; 4096];
    img.extend_from_slice(&book);
    img.resize(img.len().next_multiple_of(512) + 1024, 0);
    let at_lists = img.len() + 300;
    img.resize(at_lists, 0x22);
    img.extend_from_slice(&lists);
    img.resize(img.len().next_multiple_of(512) + 512, 0x33);
    let at_staged = img.len();
    img.extend_from_slice(&staged);
    img.resize(img.len() + 8192, 0);
    let report = |items: &[Item]| -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Found(r) => format!(
                    "{} {:?} {}",
                    r.path,
                    r.records,
                    serde_json::to_string(&r.categories).unwrap()
                ),
                Item::Failed { path, error } => format!("{path} failed: {error}"),
            })
            .collect()
    };
    let mut want = report(&Scanner::default().scan_bytes("book.xlsx", &book));
    want.extend(report(&Scanner::default().scan_bytes("lists.zip", &lists)));
    want.extend(report(&Scanner::default().scan_bytes("staged.7z", &staged)));
    let want: Vec<String> = want
        .iter()
        .map(|w| {
            w.replace("book.xlsx", "disk.img!@4096")
                .replace("lists.zip", &format!("disk.img!@{at_lists}"))
                .replace("staged.7z", &format!("disk.img!@{at_staged}"))
        })
        .collect();
    assert_eq!(want.len(), 4, "{want:?}");
    assert_eq!(
        report(&Scanner::default().scan_bytes("disk.img", &img)),
        want
    );
}

/// `package` in agile encryption under `password` (Excel 365's way; an independent writer,
/// seeded: the same bytes on every run).
fn agile(package: &[u8], password: &str, seed: u64) -> Vec<u8> {
    use rand_chacha::rand_core::SeedableRng;
    use std::io::Write;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w =
            ms_offcrypto_writer::Ecma376AgileWriter::create(&mut rng, password, &mut out).unwrap();
        w.write_all(package).unwrap();
        w.finalize().unwrap();
    }
    out.into_inner()
}

/// Reads the encrypted workbook `sealed` (sheet `顧客`) with `open` (its password given) as
/// `name` alone, in a zip and in a disk image at 4096: `records` rows each time, `truth`'s
/// counts. Gives the sheet's path when read alone.
fn read_everywhere(
    open: &Scanner,
    name: &str,
    sealed: &[u8],
    records: u64,
    truth: &std::collections::BTreeMap<kizuki_core::Category, u64>,
    how: &str,
) {
    let items = open.scan_bytes(name, sealed);
    assert_eq!(
        found(&items),
        [format!("{name}!顧客 Some({records})")],
        "{how}"
    );
    let Item::Found(r) = &items[0] else {
        unreachable!()
    };
    for (c, n) in truth {
        assert_eq!(r.categories.get(c).copied().unwrap_or(0), *n, "{how} {c}");
    }
    // In a zip (sent with its password in another mail), and on a disk.
    let zip = synth::zip_of(&[(&format!("out/{name}"), sealed)]).unwrap();
    assert_eq!(
        found(&open.scan_bytes("send.zip", &zip)),
        [format!("send.zip!out/{name}!顧客 Some({records})")],
        "{how}"
    );
    let mut img = vec![0x11u8; 4096];
    img.extend_from_slice(sealed);
    img.resize(img.len().next_multiple_of(512) + 8192, 0);
    assert_eq!(
        found(&open.scan_bytes("disk.img", &img)),
        [format!("disk.img!@4096!顧客 Some({records})")],
        "{how}"
    );
}

/// A customer list in a workbook encrypted with a password ("Encrypt with Password": agile
/// encryption since Excel 2010, standard in Excel 2007) is read with the password given, as
/// the workbook it is, on its own, in a zip and in a disk image; without it, it is told.
/// Excel's built-in password opens one with no password given. Before, such a workbook was
/// a compound file of no known kind: carved, nothing found in its ciphertext.
#[test]
fn encrypted_workbooks_are_read_with_the_password_given() {
    let (csv, truth) = synth::persons_text(86, 40, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let book = xlsx("顧客", &rows);
    let pw = "顧客2016";
    let open = Scanner::new(kizuki_pii::Options {
        passwords: vec!["wrong".into(), pw.into()],
        ..kizuki_pii::Options::default()
    });
    for (how, sealed) in [
        ("agile", agile(&book, pw, 5)),
        (
            "standard",
            kizuki_files::synth::office_encrypted(&book, pw, 5),
        ),
    ] {
        let locked = found(&Scanner::default().scan_bytes("顧客.xlsx", &sealed));
        assert_eq!(locked.len(), 1, "{how}: {locked:?}");
        assert!(
            locked[0].starts_with("顧客.xlsx failed: ")
                && locked[0].contains("Office document encrypted with a password (agile")
                    | locked[0].contains("Office document encrypted with a password (standard")
                && locked[0].ends_with("give its password with --password"),
            "{how}: {locked:?}"
        );
        let wrong = Scanner::new(kizuki_pii::Options {
            passwords: vec!["wrong".into()],
            ..kizuki_pii::Options::default()
        });
        let told = found(&wrong.scan_bytes("顧客.xlsx", &sealed));
        assert!(
            told[0].ends_with("none of the passwords given opens it (--password)"),
            "{told:?}"
        );
        read_everywhere(&open, "顧客.xlsx", &sealed, 40, &truth, how);
        let mut img = vec![0x11u8; 4096];
        img.extend_from_slice(&sealed);
        img.resize(img.len().next_multiple_of(512) + 8192, 0);
        let locked = found(&Scanner::default().scan_bytes("disk.img", &img));
        assert!(
            locked.len() == 1
                && locked[0].starts_with("disk.img!@4096 failed: ")
                && locked[0].contains("Office document encrypted"),
            "{how}: {locked:?}"
        );
    }
    let silent = agile(&book, kizuki_files::offcrypto::DEFAULT_PASSWORD, 6);
    assert_eq!(
        found(&Scanner::default().scan_bytes("顧客.xlsx", &silent)),
        ["顧客.xlsx!顧客 Some(40)"]
    );
}

/// Excel and Word 97-2003 documents encrypted with RC4 (Office 97/2000's, and CryptoAPI's as
/// Office 2003 and later save `.xls`/`.doc`): read with the password given, as the document
/// they hold, alone, in a zip and on a disk; told without it; a workbook encrypted with
/// Excel's built-in password read with none. Before, "Workbook is password protected" and
/// "encrypted document: not read".
#[test]
fn encrypted_binary_documents_are_read_with_the_password_given() {
    let (csv, truth) = synth::persons_text(87, 30, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let xls = synth::xls_of("顧客", &rows, false).unwrap();
    let letter: Vec<DocPart> = csv
        .lines()
        .skip(1)
        .take(12)
        .map(|l| DocPart::Para(format!("お客様情報 {l}")))
        .collect();
    let doc = synth::doc_of(&letter, false).unwrap();
    let want_doc = found(&Scanner::default().scan_bytes("案内.doc", &doc));
    assert_eq!(want_doc, ["案内.doc Some(12)"]);
    let pw = "社外秘2009";
    let open = Scanner::new(kizuki_pii::Options {
        passwords: vec!["wrong".into(), pw.into()],
        ..kizuki_pii::Options::default()
    });
    for cryptoapi in [false, true] {
        let how = if cryptoapi { "CryptoAPI" } else { "RC4" };
        let sealed = kizuki_files::synth::binary_encrypted(&xls, pw, cryptoapi, 3).unwrap();
        let locked = found(&Scanner::default().scan_bytes("顧客.xls", &sealed));
        assert!(
            locked.len() == 1
                && locked[0].starts_with("顧客.xls failed: ")
                && locked[0].contains("(Excel 97-2003 workbook, RC4")
                && locked[0].ends_with("give its password with --password"),
            "{how}: {locked:?}"
        );
        read_everywhere(&open, "顧客.xls", &sealed, 30, &truth, how);
        let silent = kizuki_files::synth::binary_encrypted(
            &xls,
            kizuki_files::offcrypto::DEFAULT_PASSWORD,
            cryptoapi,
            4,
        )
        .unwrap();
        assert_eq!(
            found(&Scanner::default().scan_bytes("顧客.xls", &silent)),
            ["顧客.xls!顧客 Some(30)"],
            "{how}"
        );

        let sealed = kizuki_files::synth::binary_encrypted(&doc, pw, cryptoapi, 5).unwrap();
        let locked = found(&Scanner::default().scan_bytes("案内.doc", &sealed));
        assert!(
            locked.len() == 1 && locked[0].contains("(Word 97-2003 document, RC4"),
            "{how}: {locked:?}"
        );
        let wrong = Scanner::new(kizuki_pii::Options {
            passwords: vec!["wrong".into()],
            ..kizuki_pii::Options::default()
        });
        let told = found(&wrong.scan_bytes("案内.doc", &sealed));
        assert!(
            told[0].ends_with("none of the passwords given opens it (--password)"),
            "{told:?}"
        );
        let items = open.scan_bytes("案内.doc", &sealed);
        assert_eq!(found(&items), want_doc, "{how}");
        let (Item::Found(a), Item::Found(b)) = (
            &items[0],
            &Scanner::default().scan_bytes("案内.doc", &doc)[0],
        ) else {
            unreachable!()
        };
        assert_eq!(a.categories, b.categories, "{how}");
        assert!(
            a.categories.values().sum::<u64>() >= 12 * 5,
            "{how}: {:?}",
            a.categories
        );
    }
}

/// PowerPoint 97-2003 presentations: the text of the live version of each object (through
/// the Current User stream's last edit and the persist directories; an older version left by
/// an incremental save is not counted), and their embedded objects (a workbook pasted into a
/// slide) read as the files they are. Before, a `.ppt` was carved: its text found as bytes,
/// old versions counted, embedded workbooks (compressed) not read, and the theme inside every
/// `.ppt` PowerPoint writes read as names.
#[test]
fn presentations_are_read_with_their_embedded_workbooks() {
    let (csv, truth) = synth::persons_text(88, 20, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let xls = synth::xls_of("顧客", &rows, false).unwrap();
    let (list, list_truth) = synth::persons_text(89, 6, Form::Csv);
    let slides = [
        "セミナー参加者名簿",
        list.trim_end(),
        "Contact: support desk",
    ];
    let ppt = synth::ppt_of(
        &slides,
        &[&xls],
        Some("旧版 担当 old.contact@example.jp 03-5555-0101"),
    )
    .unwrap();
    let items = Scanner::default().scan_bytes("名簿.ppt", &ppt);
    assert_eq!(
        found(&items),
        ["名簿.ppt Some(6)", "名簿.ppt!object1!顧客 Some(20)"],
        "{items:?}"
    );
    let (Item::Found(text), Item::Found(sheet)) = (&items[0], &items[1]) else {
        unreachable!()
    };
    for (c, n) in &list_truth {
        assert_eq!(text.categories.get(c).copied().unwrap_or(0), *n, "{c}");
    }
    for (c, n) in &truth {
        assert_eq!(sheet.categories.get(c).copied().unwrap_or(0), *n, "{c}");
    }
    // The stale version is in the stream, only not live: read when the edit chain is gone.
    let raw = synth::stream_of(&ppt, "/PowerPoint Document").unwrap();
    let chainless = synth::ole_of(&[("/PowerPoint Document", &raw)]).unwrap();
    let items = Scanner::default().scan_bytes("名簿.ppt", &chainless);
    let Item::Found(all) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!(
        all.categories.get(&kizuki_core::Category::Email).copied(),
        text.categories
            .get(&kizuki_core::Category::Email)
            .map(|n| n + 1),
        "{items:?}"
    );
    // Encrypted (RC4 CryptoAPI, every object by its persist id): read with its password,
    // told without.
    let sealed = kizuki_files::synth::binary_encrypted(&ppt, "名簿2024", true, 6).unwrap();
    let locked = found(&Scanner::default().scan_bytes("名簿.ppt", &sealed));
    assert!(
        locked.len() == 1 && locked[0].contains("(PowerPoint 97-2003 presentation, RC4 CryptoAPI"),
        "{locked:?}"
    );
    let open = Scanner::new(kizuki_pii::Options {
        passwords: vec!["名簿2024".into()],
        ..kizuki_pii::Options::default()
    });
    let items = open.scan_bytes("名簿.ppt", &sealed);
    assert_eq!(
        found(&items),
        ["名簿.ppt Some(6)", "名簿.ppt!object1!顧客 Some(20)"],
        "{items:?}"
    );
    let Item::Found(opened) = &items[0] else {
        unreachable!()
    };
    assert_eq!(opened.categories, text.categories);
    // A presentation PowerPoint wrote (blank, with its theme): nothing.
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/powerpoint/plain.ppt"
    ))
    .unwrap();
    assert_eq!(
        found(&Scanner::default().scan_bytes("plain.ppt", &real)),
        Vec::<String>::new()
    );
    // Bent presentations: errors or findings, never a panic.
    let mut rng = kizuki_core::rng::Rng::new(5);
    for _ in 0..300 {
        let bent = synth::ole_of(&[
            (
                "/Current User",
                &synth::stream_of(&ppt, "/Current User").unwrap(),
            ),
            ("/PowerPoint Document", &synth::bend(&mut rng, &raw, 4, 0.3)),
        ])
        .unwrap();
        Scanner::default().scan_bytes("x.ppt", &bent);
    }
}

/// The items holding `part`, `prefix` replaced by `with`, a failure's reason cut
/// (`… failed`).
fn outcomes(items: &[Item], part: &str, prefix: &str, with: &str) -> Vec<String> {
    found(items)
        .into_iter()
        .filter(|l| l.contains(part))
        .map(|l| l.replace(prefix, with))
        .map(|l| match l.split_once(" failed:") {
            Some((p, _)) => format!("{p} failed"),
            None => l,
        })
        .collect()
}

/// Mail `n` from `from` with `text`, and an attachment (name, bytes) in base64 if given: a
/// message as a `.eml` file holds it (an mbox's adds its `From ` line).
fn mail_of(n: u32, from: &str, text: &str, att: Option<(&str, &[u8])>) -> String {
    let head = format!(
        "From: <{from}>\nTo: <keiri@example.co.jp>\nSubject: mail {n}\nMessage-ID: <{n}@example.jp>\nMIME-Version: 1.0\n"
    );
    match att {
        None => format!(
            "{head}Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n\n"
        ),
        Some((name, data)) => format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"{name}\"\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n\n",
            kizuki_mail::synth::b64(data)
        ),
    }
}

/// PPAP across mail files: a directory of `.eml` files and a Maildir, each mail a file of its
/// own. An encrypted attachment is read with the password its sender's other mail file
/// carries (whichever file comes first); another sender's password is not tried. Before, each
/// mail file was read alone and every encrypted attachment was an error item.
#[test]
fn mail_files_of_a_directory_lend_their_passwords_to_each_other() {
    let (csv, _) = synth::persons_text(90, 10, Form::Csv);
    let zip = kizuki_files::synth::zip_encrypted(&[("顧客.csv", csv.as_bytes())], "Xk7pq29a");
    let other = kizuki_files::synth::zip_encrypted(&[("x.csv", csv.as_bytes())], "never-sent");
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("export");
    let maildir = dir.path().join("Maildir/cur");
    std::fs::create_dir_all(&eml).unwrap();
    std::fs::create_dir_all(&maildir).unwrap();
    // The password mail sorts after the attachment's in one, before it in the other.
    let files = [
        (
            &eml,
            "1.eml",
            "tanaka@a.example",
            "資料を送付します。",
            Some(("list.zip", &zip[..])),
        ),
        (
            &eml,
            "2.eml",
            "tanaka@a.example",
            "パスワード：Xk7pq29a",
            None,
        ),
        (
            &eml,
            "3.eml",
            "suzuki@c.example",
            "別送します。",
            Some(("x.zip", &other[..])),
        ),
        (
            &eml,
            "4.eml",
            "kato@d.example",
            "パスワード：never-sent",
            None,
        ),
        (
            &maildir,
            "1700000000.1.host:2,S",
            "sato@b.example",
            "PW: Xk7pq29a",
            None,
        ),
        (
            &maildir,
            "1700000001.2.host:2,S",
            "Sato@B.example",
            "名簿です。",
            Some(("list.zip", &zip[..])),
        ),
    ];
    for (n, (dir, name, from, text, att)) in files.into_iter().enumerate() {
        std::fs::write(dir.join(name), mail_of(n as u32, from, text, att)).unwrap();
    }
    let mut items = Vec::new();
    Scanner::default().scan_paths(&[dir.path().to_path_buf()], &mut |i| items.push(i));
    let prefix = format!("{}/", dir.path().display());
    let got = outcomes(&items, ".zip", &prefix, "");
    assert_eq!(
        got,
        [
            "Maildir/cur/1700000001.2.host:2,S!list.zip!顧客.csv Some(10)",
            "export/1.eml!list.zip!顧客.csv Some(10)",
            "export/3.eml!x.zip failed",
        ],
        "{items:?}"
    );
}

/// A PDF encrypted by qpdf (`--encrypt USER OWNER BITS`, fixed /ID and AES IVs) from `plain`.
fn qpdf_encrypted(plain: &[u8], args: &[&str]) -> Vec<u8> {
    kizuki_files::synth::qpdf_encrypted(plain, args).unwrap()
}

/// PDFs encrypted by the standard security handler, as qpdf writes them (RC4 of 40 and 128
/// bits, AES-128 with plain metadata, AES-256 of revision 6, objects in object streams):
/// those with an owner's password alone (copy and print restrictions) are read with no
/// password, as every reader opens them; those with a user password are told, and read
/// with `--password` given as the user's or the owner's (revision 6 in UTF-8). Before, every
/// encrypted PDF was "encrypted PDF: its text cannot be read".
#[test]
fn encrypted_pdfs_are_read_with_the_password_given() {
    let lines: Vec<String> = (0..20)
        .map(|i| format!("Customer {i}: mail user{i}@example.jp tel 090-1234-{i:04}"))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let plain = kizuki_files::synth::pdf_text(&refs);
    let count = |items: &[Item]| -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Found(r) => format!(
                    "{} email={} phone={}",
                    r.path,
                    r.categories
                        .get(&kizuki_core::Category::Email)
                        .unwrap_or(&0),
                    r.categories
                        .get(&kizuki_core::Category::Phone)
                        .unwrap_or(&0)
                ),
                Item::Failed { path, error } => format!("{path} failed: {error}"),
            })
            .collect()
    };
    assert_eq!(
        count(&Scanner::default().scan_bytes("list.pdf", &plain)),
        ["list.pdf email=20 phone=20"]
    );
    let with = |pw: &str| {
        Scanner::new(kizuki_pii::Options {
            passwords: vec!["wrong".into(), pw.into()],
            ..kizuki_pii::Options::default()
        })
    };
    let read = ["list.pdf email=20 phone=20"];
    // Restrictions only: no password to open.
    for args in [
        vec!["--encrypt", "", "owner", "40", "--"],
        vec!["--encrypt", "", "owner", "128", "--use-aes=n", "--"],
        vec![
            "--encrypt",
            "",
            "owner",
            "128",
            "--use-aes=y",
            "--cleartext-metadata",
            "--",
        ],
        vec![
            "--encrypt",
            "",
            "owner",
            "256",
            "--",
            "--object-streams=generate",
        ],
    ] {
        let sealed = qpdf_encrypted(&plain, &args);
        assert!(sealed.windows(8).any(|w| w == b"/Encrypt"), "{args:?}");
        assert_eq!(
            count(&Scanner::default().scan_bytes("list.pdf", &sealed)),
            read,
            "{args:?}"
        );
    }
    // A user password: told without it, read with it (or with the owner's).
    for args in [
        vec!["--encrypt", "user", "owner", "40", "--"],
        vec!["--encrypt", "user", "owner", "128", "--use-aes=n", "--"],
        vec![
            "--encrypt",
            "user",
            "owner",
            "128",
            "--use-aes=y",
            "--",
            "--object-streams=generate",
        ],
        vec!["--encrypt", "user", "owner", "256", "--"],
        vec![
            "--encrypt",
            "利用者",
            "所有者",
            "256",
            "--",
            "--object-streams=generate",
        ],
    ] {
        let sealed = qpdf_encrypted(&plain, &args);
        let told = count(&Scanner::default().scan_bytes("list.pdf", &sealed));
        assert_eq!(told.len(), 1, "{args:?}: {told:?}");
        assert!(
            told[0].starts_with("list.pdf failed: ")
                && told[0].contains("PDF encrypted (")
                && told[0].ends_with("give its password with --password"),
            "{args:?}: {told:?}"
        );
        let (user, owner) = (args[1], args[2]);
        assert_eq!(
            count(&with(user).scan_bytes("list.pdf", &sealed)),
            read,
            "{args:?}"
        );
        assert_eq!(
            count(&with(owner).scan_bytes("list.pdf", &sealed)),
            read,
            "{args:?}"
        );
        let wrong = count(&with("guess").scan_bytes("list.pdf", &sealed));
        assert!(
            wrong[0].contains("with a password that none given opens"),
            "{wrong:?}"
        );
    }
}

/// A mailbox of "PPAP" pairs: an encrypted zip whose password its sender mails next, an
/// encrypted workbook whose password came first, and a zip whose password never comes. The
/// first two are read with the passwords the mailbox carries (no `--password`), the third is
/// told. Before, each was an error item until its password was given by hand.
#[test]
fn a_mailbox_reads_its_ppap_attachments_with_the_passwords_it_carries() {
    let (csv, _) = synth::persons_text(87, 30, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let zip = kizuki_files::synth::zip_encrypted(&[("顧客.csv", csv.as_bytes())], "Xk7pq29a");
    let book = kizuki_files::synth::office_encrypted(&xlsx("顧客", &rows), "abc-2016", 7);
    let other = kizuki_files::synth::zip_encrypted(&[("x.csv", csv.as_bytes())], "never-sent");
    let old_book = kizuki_files::synth::binary_encrypted(
        &synth::xls_of("顧客", &rows, false).unwrap(),
        "abc-2016",
        true,
        8,
    )
    .unwrap();
    let mail = |n: u32, from: &str, text: &str, att: Option<(&str, &[u8])>| -> String {
        format!(
            "From {from} Tue Mar 15 10:1{n}:00 2016\n{}",
            mail_of(n, from, text, att)
        )
    };
    let mbox = [
        mail(
            1,
            "tanaka@a.example",
            "資料を送付します。",
            Some(("list.zip", &zip)),
        ),
        mail(2, "tanaka@a.example", "パスワード：Xk7pq29a", None),
        mail(3, "sato@b.example", "パスワード：abc-2016", None),
        mail(
            4,
            "sato@b.example",
            "名簿です。",
            Some(("book.xlsx", &book)),
        ),
        mail(
            5,
            "suzuki@c.example",
            "別送します。",
            Some(("x.zip", &other)),
        ),
        // Another sender's password opens nothing of the others'.
        mail(6, "kato@d.example", "パスワード：never-sent", None),
        // An Excel 97-2003 workbook under the password sent before.
        mail(
            7,
            "sato@b.example",
            "旧形式です。",
            Some(("book.xls", &old_book)),
        ),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("box.mbox");
    std::fs::write(&path, mbox).unwrap();
    let items = Scanner::default().scan_file(&path);
    let got = outcomes(&items, "!", &path.display().to_string(), "box.mbox");
    assert_eq!(
        got,
        [
            "box.mbox#1!list.zip!顧客.csv Some(30)",
            "box.mbox#4!book.xlsx!顧客 Some(30)",
            "box.mbox#5!x.zip failed",
            "box.mbox#7!book.xls!顧客 Some(30)",
        ],
        "{items:?}"
    );
}

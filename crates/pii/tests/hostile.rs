//! Hostile and damaged input: no panic, no hang, caps hold.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use kizuki_core::rng::Rng;
use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Error, Item, Options, Scanner};

#[test]
fn mutated_inputs_never_panic() {
    let base = synth::persons_file(3, 20, Form::Csv, encoding_rs::SHIFT_JIS).data;
    let zip = synth::zip_of(&[("a.csv", &base)]).unwrap();
    let gz = synth::gzip_of(&base).unwrap();
    let tar = synth::tar_of(&[("t/a.csv", &base)]).unwrap();
    // The same persons as a mysqldump: a CREATE TABLE, then one INSERT a row.
    let (csv, _) = synth::persons_text(3, 20, Form::Csv);
    let mut lines = csv.lines();
    let cols: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|c| format!("`{c}` text"))
        .collect();
    let mut dump = format!(
        "-- MySQL dump\nCREATE TABLE `c` (\n{}\n);\n",
        cols.join(",\n")
    );
    for l in lines {
        let cells: Vec<String> = l.split(',').map(|c| format!("'{c}'")).collect();
        dump.push_str(&format!("INSERT INTO `c` VALUES ({});\n", cells.join(",")));
    }
    let dump = dump.into_bytes();
    // The same persons as a Word table and an OpenDocument table: XML cut and bent anywhere.
    let rows: String = csv
        .lines()
        .map(|l| {
            let cells: String = l
                .split(',')
                .map(|c| format!("<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>"))
                .collect();
            format!("<w:tr>{cells}</w:tr>")
        })
        .collect();
    let word =
        format!("<w:document><w:body><w:tbl>{rows}</w:tbl></w:body></w:document>").into_bytes();
    let odf = String::from_utf8(word.clone())
        .unwrap()
        .replace("w:tbl", "table:table")
        .replace("w:tr", "table:table-row")
        .replace("w:tc", "table:table-cell")
        .replace("w:p", "text:p")
        .into_bytes();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let xls = synth::xls_of("c", &rows, false).unwrap();
    // A message with the rows pasted into its body (cells between tabs) and the CSV
    // attached, both base64.
    let mut spec = kizuki_mail::synth::reference_spec();
    spec.text = csv.replace(',', "\t");
    spec.attachments[0] = kizuki_mail::synth::Attachment {
        name: "a.csv".into(),
        ctype: "text/csv".into(),
        data: base.clone(),
    };
    let eml = kizuki_mail::synth::render(&spec, kizuki_mail::synth::Eol::Lf);
    let pdf = synth::pdf_of(&csv.lines().collect::<Vec<_>>()).unwrap();
    // The same rows printed as a table (cells placed by position, over pages).
    let pdf_table = {
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        synth::pdf_table_of(&rows, synth::PdfTable::Report).unwrap()
    };
    let html = String::from_utf8(word.clone())
        .unwrap()
        .replace("w:tbl", "table")
        .replace("w:tr", "tr")
        .replace("<w:tc><w:p><w:r><w:t>", "<td>")
        .replace("</w:t></w:r></w:p></w:tc>", "")
        .into_bytes();
    let scanner = Scanner::default();
    // Unbent, both are read as tables of 20 records.
    for (name, xml) in [
        ("x.html", &html),
        ("x.xls", &xls),
        ("x.docx!word/document.xml", &word),
        ("x.ods!content.xml", &odf),
    ] {
        match scanner.scan_bytes(name, xml).as_slice() {
            [Item::Found(r)] => assert_eq!(r.records, Some(20), "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // The message: its body with the rows pasted (a table), and its attachment (Shift_JIS
    // sent as `text/csv` with no charset) as a table.
    match scanner.scan_bytes("x.eml", &eml).as_slice() {
        [Item::Found(body), Item::Found(csv)] => {
            assert_eq!((body.path.as_str(), body.records), ("x.eml", Some(20)));
            assert_eq!((csv.path.as_str(), csv.records), ("x.eml!a.csv", Some(20)));
            assert_eq!(csv.encoding, Some("Shift_JIS".into()));
        }
        other => panic!("x.eml: {other:?}"),
    }
    // An Outlook mail: the rows pasted into its body, the CSV attached, a forwarded item
    // attached with the zip (a compound file's sectors, directory and chains bent anywhere).
    let msg = {
        use synth::{MsgPart, MsgSpec};
        let fwd = MsgSpec {
            strings: vec![(0x0037, "FW".into()), (0x1000, csv.clone())],
            attachments: vec![MsgPart::File("a.zip".into(), zip.clone())],
            ..MsgSpec::default()
        };
        synth::msg_of(&MsgSpec {
            unicode: true,
            strings: vec![(0x0037, "名簿".into()), (0x1000, csv.replace(',', "\t"))],
            recipients: vec![(1, "山田 太郎".into(), "taro@example.jp".into())],
            attachments: vec![
                MsgPart::File("a.csv".into(), base.clone()),
                MsgPart::Item("FW".into(), fwd),
            ],
            ..MsgSpec::default()
        })
        .unwrap()
    };
    match scanner.scan_bytes("x.msg", &msg).as_slice() {
        [
            Item::Found(body),
            Item::Found(csv),
            Item::Found(fwd),
            Item::Found(inner),
        ] => {
            assert_eq!((body.path.as_str(), body.records), ("x.msg", Some(20)));
            assert_eq!((csv.path.as_str(), csv.records), ("x.msg!a.csv", Some(20)));
            assert_eq!(fwd.path, "x.msg!FW");
            assert_eq!(
                (inner.path.as_str(), inner.records),
                ("x.msg!FW!a.zip!a.csv", Some(20))
            );
        }
        other => panic!("x.msg: {other:?}"),
    }
    // A Word 97 document: the rows as a table, a paragraph with a field.
    let doc = {
        use synth::DocPart;
        let mut parts: Vec<DocPart> = csv
            .lines()
            .map(|l| DocPart::Row(l.split(',').map(str::to_string).collect()))
            .collect();
        parts.push(DocPart::Para(
            "連絡先：{HYPERLINK \"mailto:a@example.jp\"|a@example.jp}".into(),
        ));
        synth::doc_of(&parts, false).unwrap()
    };
    match scanner.scan_bytes("x.doc", &doc).as_slice() {
        [Item::Found(r)] => assert_eq!((r.path.as_str(), r.records), ("x.doc", Some(20))),
        other => panic!("x.doc: {other:?}"),
    }
    // The document with the workbook embedded as an object (ObjectPool).
    let report = synth::with_streams(
        &doc,
        &[(
            "/ObjectPool/_1/Workbook",
            &synth::stream_of(&xls, "/Workbook").unwrap(),
        )],
    )
    .unwrap();
    assert_eq!(scanner.scan_bytes("r.doc", &report).len(), 2);
    // The rows as an RTF table in Shift_JIS escapes (a picture, a field, fonts).
    let rtf = {
        use synth::DocPart;
        let mut parts: Vec<DocPart> = csv
            .lines()
            .map(|l| DocPart::Row(l.split(',').map(str::to_string).collect()))
            .collect();
        parts.push(DocPart::Para(
            "{HYPERLINK \"mailto:a@example.jp\"|a@example.jp}".into(),
        ));
        synth::rtf_of(&parts, false)
    };
    match scanner.scan_bytes("x.rtf", &rtf).as_slice() {
        [Item::Found(r)] => assert_eq!(r.records, Some(20)),
        other => panic!("x.rtf: {other:?}"),
    }
    // The rows attached to a rich-text mail's `winmail.dat` (TNEF), with an attached item.
    let tnef = synth::tnef_of(&synth::MsgSpec {
        strings: vec![(0x0037, "名簿".into()), (0x1000, "本文".into())],
        attachments: vec![
            synth::MsgPart::File("a.csv".into(), base.clone()),
            synth::MsgPart::Item(
                "FW".into(),
                synth::MsgSpec {
                    unicode: true,
                    attachments: vec![synth::MsgPart::File("b.csv".into(), base.clone())],
                    ..synth::MsgSpec::default()
                },
            ),
        ],
        ..synth::MsgSpec::default()
    });
    let paths: Vec<String> = scanner
        .scan_bytes("winmail.dat", &tnef)
        .into_iter()
        .filter_map(|i| match i {
            Item::Found(r) => Some(format!("{} {:?}", r.path, r.records)),
            Item::Failed { .. } => None,
        })
        .collect();
    assert_eq!(
        paths,
        [
            "winmail.dat!a.csv Some(20)",
            "winmail.dat!FW!b.csv Some(20)"
        ]
    );
    // A disk image holding the mail and the document at sector boundaries, between junk:
    // copied out and read as what they are, headers and FATs bent anywhere.
    let img = [&[0x5Au8; 1024][..], &msg, &[0u8; 512], &doc, &[0x41; 700]].concat();
    let found: Vec<String> = scanner
        .scan_bytes("y.img", &img)
        .into_iter()
        .filter_map(|i| match i {
            Item::Found(r) => Some(r.path),
            Item::Failed { .. } => None,
        })
        .collect();
    let at_doc = 1024 + msg.len() + 512;
    assert_eq!(
        found,
        [
            "y.img!@1024".to_string(),
            "y.img!@1024!a.csv".into(),
            "y.img!@1024!FW".into(),
            "y.img!@1024!FW!a.zip!a.csv".into(),
            format!("y.img!@{at_doc}"),
        ]
    );
    let mut rng = Rng::new(99);
    // A member export (split columns, half-width readings) and a letter (names before `様`,
    // readings in brackets, values kept with labels around them).
    let members = synth::persons_file(5, 20, Form::Members, encoding_rs::SHIFT_JIS).data;
    let letter = "山田 太郎 様（ヤマダ タロウ）\nお客様各位\n佐藤花子（ｻﾄｳ ﾊﾅｺ）殿\n\
        電話：03(1234)5678 内線12／090-1234-5678\n〒100-0001 千代田区千代田1-1\n"
        .repeat(3)
        .into_bytes();
    // An API document: nested records, arrays, strings with brackets and escapes.
    let api = synth::persons_file(6, 20, Form::Json, encoding_rs::UTF_8).data;
    // An address book (folded lines, a folded photo, grouped properties).
    let book = synth::persons_file(7, 20, Form::Vcard, encoding_rs::UTF_8).data;
    // An XML export (nested elements, a comment, CDATA, attributes).
    let export = synth::persons_file(8, 20, Form::Xml, encoding_rs::UTF_8).data;
    // What database clients print (a boxed table, vertical records), and business memos
    // (roles, lists of names, brackets after names).
    let mysql = synth::client_table(&rows, synth::Printed::Mysql);
    let vertical = synth::client_vertical(&rows);
    let memo = synth::persons_text(10, 20, Form::Memo).0.into_bytes();
    // A work log: text with several clients' tables in it (each read on its own).
    let session = [
        &memo[..memo.len() / 2],
        &mysql,
        &synth::client_table(&rows, synth::Printed::Psql),
        b"\n",
        &synth::client_table(&rows, synth::Printed::Markdown),
        &vertical,
        &memo[memo.len() / 2..],
    ]
    .concat();
    // Server and application logs: percent-encoded queries, `\uXXXX` escapes, ASCII labels.
    let logs = synth::persons_text(11, 30, Form::Logs).0.into_bytes();
    // Prepared statements with their parameters and binds.
    let db_log = synth::db_log(12, 30).0.into_bytes();
    // A bank transfer file (fixed-width Shift_JIS records, one after the other).
    let transfers = encoding_rs::SHIFT_JIS
        .encode(&synth::zengin(9, 20, "").0)
        .0
        .into_owned();
    // A core system's batch export: records of fixed width, fields found by their places
    // (the mutations shift places, break widths and cut characters).
    let fixed = synth::persons_file(13, 24, Form::Fixed, encoding_rs::SHIFT_JIS).data;
    match scanner.scan_bytes("customers.dat", &fixed).as_slice() {
        [Item::Found(r)] => assert_eq!(r.records, Some(24)),
        other => panic!("customers.dat: {other:?}"),
    }
    // Ten of the records without line ends (cut at the width their places repeat at; the
    // shifts scored and the layouts tried make this the slowest seed in a debug build).
    let unlined: Vec<u8> = fixed[..fixed.len() * 10 / 24]
        .split(|b| *b == b'\n')
        .flat_map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect();
    match scanner.scan_bytes("unlined.dat", &unlined).as_slice() {
        [Item::Found(r)] => assert_eq!(r.records, Some(10)),
        other => panic!("unlined.dat: {other:?}"),
    }
    // An SQLite database with deleted rows (free space, a freelist), read by SQLite and by
    // the recovery of deleted rows.
    let sqlite = {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA secure_delete=OFF; PRAGMA page_size=1024;")
            .unwrap();
        synth::sqlite_persons(&conn, "c", 4, 60).unwrap();
        conn.execute_batch("DELETE FROM c WHERE id % 3 = 0 OR id > 40")
            .unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    };
    match scanner.scan_bytes("x.sqlite", &sqlite).as_slice() {
        [Item::Found(live), Item::Found(del)] => {
            assert_eq!(
                (live.records, del.path.as_str()),
                (Some(27), "x.sqlite!(deleted)")
            );
        }
        other => panic!("x.sqlite: {other:?}"),
    }
    let mut runs = 0;
    for (name, seed) in [
        ("x.sqlite", &sqlite),
        ("m.csv", &members),
        ("furikomi.dat", &transfers),
        ("customers.dat", &fixed),
        ("unlined.dat", &unlined),
        ("api.json", &api),
        ("book.vcf", &book),
        ("export.xml", &export),
        ("letter.txt", &letter),
        ("mysql.txt", &mysql),
        ("vertical.txt", &vertical),
        ("memo.txt", &memo),
        ("session.txt", &session),
        ("app.log", &logs),
        ("db.log", &db_log),
        ("x.csv", &base),
        ("x.zip", &zip),
        ("x.gz", &gz),
        ("x.tar", &tar),
        // As a raw image: carved, with the mutations cutting the runs anywhere.
        ("x.img", &base),
        ("x.sql", &dump),
        ("x.xls", &xls),
        ("x.eml", &eml),
        ("x.msg", &msg),
        ("x.doc", &doc),
        ("y.img", &img),
        ("r.doc", &report),
        ("x.rtf", &rtf),
        ("winmail.dat", &tnef),
        ("data.txt", &synth::base64_of(&zip, 64, true)),
        ("x.pdf", &pdf),
        ("table.pdf", &pdf_table),
        ("x.html", &html),
        ("x.docx!word/document.xml", &word),
        ("x.ods!content.xml", &odf),
    ] {
        for _ in 0..150 {
            let d = synth::bend(&mut rng, seed, 8, 0.3);
            let _ = scanner.scan_bytes(name, &d);
            runs += 1;
        }
    }
    assert!(runs > 0);
}

#[test]
fn decompression_bomb_hits_the_ratio_cap() {
    let zeros = vec![b'0'; 8 << 20];
    let zip = synth::zip_of(&[("bomb.csv", &zeros)]).unwrap();
    assert!(zip.len() * 200 < zeros.len());
    let items = Scanner::default().scan_bytes("bomb.zip", &zip);
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

/// Outlook items attached in items attached in items: reading stops at the message depth,
/// with a cap error, and what is above it is read.
#[test]
fn attached_outlook_items_nest_within_the_cap() {
    use synth::{MsgPart, MsgSpec};
    let mut m = MsgSpec {
        strings: vec![(0x1000, "taro@example.jp".into())],
        ..MsgSpec::default()
    };
    for i in 0..12 {
        m = MsgSpec {
            strings: vec![(0x1000, format!("user{i}@example.jp"))],
            attachments: vec![MsgPart::Item(format!("l{i}"), m)],
            ..MsgSpec::default()
        };
    }
    let items = Scanner::default().scan_bytes("deep.msg", &synth::msg_of(&m).unwrap());
    let found = items.iter().filter(|i| matches!(i, Item::Found(_))).count();
    assert_eq!(found, kizuki_pii::mail::MAX_DEPTH as usize, "{items:?}");
    assert!(
        items.iter().any(
            |i| matches!(i, Item::Failed { error: Error::Cap(e), .. } if e.contains("nested"))
        ),
        "{items:?}"
    );
}

/// Records holding files in base64 that are records holding files in base64…: read down to
/// the nesting cap, then a cap error.
#[test]
fn encoded_values_nest_within_the_cap() {
    // The innermost: a JSON record with an e-mail and a kilobyte of filler.
    let mut doc = format!(
        "{{\"email\":\"taro@example.jp\",\"pad\":\"{}\"}}\n",
        "x".repeat(1024)
    );
    for i in 0..12 {
        let b64 = String::from_utf8(synth::base64_of(doc.as_bytes(), usize::MAX, false)).unwrap();
        doc = format!(
            "{{\"email\":\"user{i}@example.jp\",\"file\":\"{}\"}}\n",
            b64.trim_end()
        );
    }
    let items = Scanner::default().scan_bytes("deep.jsonl", doc.as_bytes());
    let found = items.iter().filter(|i| matches!(i, Item::Found(_))).count();
    assert_eq!(found, kizuki_pii::mail::MAX_DEPTH as usize + 1, "{items:?}");
    assert!(
        items.iter().any(
            |i| matches!(i, Item::Failed { error: Error::Cap(e), .. } if e.contains("nested"))
        ),
        "{items:?}"
    );
}

#[test]
fn nesting_deeper_than_the_cap_stops() {
    let base = synth::persons_file(4, 5, Form::Csv, encoding_rs::UTF_8).data;
    let mut d = base;
    for i in 0..8 {
        d = synth::zip_of(&[(&format!("level{i}.zip"), &d)]).unwrap();
    }
    let opts = Options {
        max_depth: 3,
        ..Options::default()
    };
    let items = Scanner::new(opts).scan_bytes("deep.zip", &d);
    assert!(items.iter().all(|i| !matches!(i, Item::Found(_))));
    assert!(items.iter().any(|i| matches!(
        i,
        Item::Failed {
            error: Error::Cap(_),
            ..
        }
    )));
}

#[test]
fn huge_quoted_field_and_binary_are_bounded() {
    let mut csv = b"name,email\n\"".to_vec();
    csv.extend(std::iter::repeat_n(b'a', 3 << 20));
    csv.extend(b"\nsato taro,taro@example.com\n");
    let items = Scanner::default().scan_bytes("x.csv", &csv);
    assert!(items.iter().all(|i| !matches!(i, Item::Failed { .. })));
    let bin: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 256) as u8).collect();
    assert!(Scanner::default().scan_bytes("x.bin", &bin).is_empty());
}

#[test]
fn documents_and_gzip_streams_are_opened_by_the_files_walker() {
    let xml =
        "<w:document><w:t>連絡先 taro.yamada@example.co.jp 電話 090-1234-5678</w:t></w:document>";
    let docx = synth::zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", xml.as_bytes()),
    ])
    .unwrap();
    let gz = synth::gzip_of(&docx).unwrap();
    let items = Scanner::default().scan_bytes("mail/report.docx.gz", &gz);
    let found: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Found(r) => Some(r.path.as_str()),
            Item::Failed { .. } => None,
        })
        .collect();
    assert_eq!(
        found,
        ["mail/report.docx.gz!report.docx!word/document.xml"],
        "{items:?}"
    );
}

#[test]
fn a_disk_image_file_is_walked_too() {
    let dir = tempfile::tempdir().unwrap();
    let g = synth::persons_file(3, 20, Form::Csv, encoding_rs::UTF_8);
    let iso = kizuki_files::synth::iso(&[("EXPORT.CSV", &g.data)]);
    let path = dir.path().join("backup.iso");
    std::fs::write(&path, iso).unwrap();
    let items = Scanner::default().scan_file(&path);
    let found: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Found(r) => Some(r.path.clone()),
            Item::Failed { .. } => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{items:?}");
    assert!(found[0].ends_with("backup.iso!EXPORT.CSV"), "{found:?}");
}

/// A workbook as Excel writes it (shared strings, a date cell with a date format), with one
/// more cell in the last row and column of the sheet.
fn far_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (c, h) in ["氏名", "メールアドレス", "生年月日"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "山田 太郎").unwrap();
    ws.write_string(1, 1, "taro@example.com").unwrap();
    let d = ExcelDateTime::from_ymd(1980, 4, 1).unwrap();
    ws.write_datetime_with_format(1, 2, &d, &date).unwrap();
    // calamine's dense range over A1:XFD1048576 asked for 512 GiB and aborted.
    ws.write_string(1_048_575, 16_383, "far").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn sheets_are_read_sparse_and_forged_counts_are_refused() {
    let data = far_workbook();
    let items = Scanner::default().scan_bytes("far.xlsx", &data);
    let [Item::Found(r)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(r.records, Some(1));
    let count = |c| r.categories.get(&c).copied().unwrap_or(0);
    assert_eq!(count(kizuki_core::Category::Email), 1);
    assert_eq!(count(kizuki_core::Category::NameKanji), 1);
    assert_eq!(count(kizuki_core::Category::BirthDate), 1, "{r:?}");

    // The same package with a shared-string count of 4e12 (calamine reserves it up front).
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&data)).unwrap();
    let mut members = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = kizuki_core::io::read_capped(&mut f, 1 << 20)
            .unwrap()
            .unwrap();
        if name == "xl/sharedStrings.xml" {
            let s = String::from_utf8(bytes).unwrap();
            let forged = s.replacen("uniqueCount=\"", "uniqueCount=\"4000000000000", 1);
            assert_ne!(forged, s);
            bytes = forged.into_bytes();
        }
        members.push((name, bytes));
    }
    let entries: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let forged = synth::zip_of(&entries).unwrap();
    let items = Scanner::default().scan_bytes("forged.xlsx", &forged);
    assert!(
        matches!(items.as_slice(), [Item::Failed { error: Error::Cap(e), .. }] if e.contains("shared strings")),
        "{items:?}"
    );
}

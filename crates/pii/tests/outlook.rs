//! Outlook data files (PST): the mailbox read through its blocks, written here by
//! `kizuki_pii::pst::write` (checked against Microsoft's reader in the crate's unit tests).
#![allow(clippy::unwrap_used, reason = "test helpers")]

use kizuki_core::Category as C;
use kizuki_pii::pst::write::file;
use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Item, Scanner};

/// The formats written: (Unicode, the 4 KiB format of Outlook 2013's OSTs): Unicode,
/// ANSI, and the 4 KiB one (Unicode strings, deflated blocks).
const FORMATS: [(bool, bool); 3] = [(true, false), (false, false), (true, true)];

/// A mailbox of `n` customers' mails ([`kizuki_pii::pst::write::mailbox`]), with HTML
/// copies (in the heap, and a large one) and a compressed RTF copy of the first body (not
/// counted: the plain body holds it),
/// and a CSV in Shift_JIS attached, zipped (and as it is, in a Unicode file).
fn mailbox((unicode, k4): (bool, bool), n: usize) -> (Vec<u8>, Vec<Vec<String>>) {
    let (csv, _) = synth::persons_text(61, n, Form::Csv);
    let rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let mut spec = kizuki_pii::pst::write::mailbox(&csv, unicode);
    spec.k4 = k4;
    // A small HTML copy of the first body, kept in the mail's heap as Outlook keeps one.
    spec.heaps[0]
        .push(format!("<html><body>{} {}</body></html>", rows[0][0], rows[0][5]).into_bytes());
    let streams = &mut spec.streams;
    streams.push(format!("<html><body>{} {}</body></html>", rows[0][0], rows[0][5]).into_bytes());
    let rtf = compressed_rtf::compress_rtf(&format!("{{\\rtf1 {}\\par}}", rows[0][5])).unwrap();
    streams.push(rtf);
    let (list, _) = synth::persons_text(62, 20, Form::Csv);
    let list = encoding_rs::SHIFT_JIS.encode(&list).0.into_owned();
    // A zip of it; and, in a Unicode file (where any stream that is no UTF-16 text is a
    // file), the list itself. (In an ANSI file a text attachment reads as the bodies do.)
    streams.push(synth::zip_of(&[("顧客.csv", &list)]).unwrap());
    if unicode {
        streams.push(list);
    }
    (file(&spec), rows)
}

#[test]
fn a_mailbox_is_read_through_its_blocks() {
    for (unicode, k4) in FORMATS {
        let n = 40;
        let (pst, rows) = mailbox((unicode, k4), n);
        let items = Scanner::default().scan_bytes("box.pst", &pst);
        let reports: Vec<_> = items
            .iter()
            .map(|i| match i {
                Item::Found(r) => r,
                Item::Failed { path, error } => panic!("{path}: {error}"),
            })
            .collect();
        assert_eq!(
            reports.len(),
            if unicode { 3 } else { 2 },
            "the mailbox, then the attached lists"
        );
        let m = reports[0];
        assert_eq!(m.path, "box.pst");
        assert_eq!(
            m.encoding.as_deref(),
            Some(if unicode { "UTF-16LE" } else { "Shift_JIS" })
        );
        let count = |c: C| m.categories.get(&c).copied().unwrap_or(0);
        // Each customer's address once (in the heap: the HTML and RTF copies are not
        // read), the support address once per mail; each phone and postal code in a body.
        assert_eq!(count(C::Email), 2 * n as u64, "{unicode} {k4}");
        assert_eq!(count(C::Phone), n as u64, "{unicode} {k4}");
        assert_eq!(count(C::PostalCode), n as u64, "{unicode} {k4}");
        assert!(
            count(C::Address) >= n as u64 * 95 / 100,
            "{unicode} {k4}: {m:?}"
        );
        assert!(count(C::NameKanji) >= n as u64, "{unicode} {k4}: {m:?}");
        assert_eq!(
            m.persons_estimate,
            n as u64 + 1,
            "the customers and the support desk"
        );
        // Samples masked: no customer's address in the output.
        let json = serde_json::to_string(m).unwrap();
        assert!(rows.iter().all(|r| !json.contains(&r[5])), "{json}");
        // The attached Shift_JIS list (zipped, and as it is), as a table.
        for list in &reports[1..] {
            assert!(list.path.starts_with("box.pst!@"), "{}", list.path);
            assert_eq!(list.records, Some(20));
            assert_eq!(list.encoding.as_deref(), Some("Shift_JIS"));
        }
        assert!(
            reports[1].path.ends_with("!顧客.csv"),
            "{}",
            reports[1].path
        );
    }
}

#[test]
fn a_mailbox_without_the_pst_reader_would_be_noise() {
    // The same bytes as a raw image find nothing: the blocks are scrambled ("compressible
    // encryption"), which is why the file is read through its blocks.
    let (pst, _) = mailbox((true, false), 40);
    let mut disk = vec![0u8; 4096];
    disk.extend_from_slice(&pst[512..]);
    let items = Scanner::default().scan_bytes("disk.dd", &disk);
    assert!(
        items
            .iter()
            .all(|i| !matches!(i, Item::Found(r) if r.categories.contains_key(&C::Email))),
        "{items:?}"
    );
}

#[test]
fn a_damaged_mailbox_reports_what_it_could_not_read() {
    let (mut pst, _) = mailbox((true, false), 5);
    // A block's trailer broken: that block is skipped and told; the rest is read.
    let at = 0x4400 + 64;
    pst[at..at + 64].fill(0xAB);
    let items = Scanner::default().scan_bytes("box.pst", &pst);
    assert!(
        items
            .iter()
            .any(|i| matches!(i, Item::Found(r) if r.path == "box.pst"))
    );
    assert!(
        items.iter().any(|i| matches!(i, Item::Failed { path, error } if path == "box.pst" && error.to_string().contains("damaged"))),
        "{items:?}"
    );
    // Not a PST at all past its magic: one error, no panic.
    let items = Scanner::default().scan_bytes("bad.pst", b"!BDN\0\0\0\0SM\x24\0");
    assert!(matches!(&items[..], [Item::Failed { .. }]), "{items:?}");
}

/// Mails deleted from the mailbox (their heaps written, then left out of the B-tree, as
/// Outlook frees a deleted mail's blocks) are found in the free space, as their own object.
#[test]
fn deleted_mails_are_found_in_the_free_space() {
    let (csv, _) = synth::persons_text(63, 10, Form::Csv);
    let (gone, _) = synth::persons_text(64, 3, Form::Csv);
    for (unicode, k4) in FORMATS {
        let mut spec = kizuki_pii::pst::write::mailbox(&csv, unicode);
        spec.k4 = k4;
        spec.deleted = kizuki_pii::pst::write::mailbox(&gone, unicode).heaps;
        let items = Scanner::default().scan_bytes("box.pst", &file(&spec));
        let got: Vec<(String, u64, u64)> = items
            .iter()
            .map(|i| match i {
                Item::Found(r) => (
                    r.path.clone(),
                    r.categories.get(&C::Email).copied().unwrap_or(0),
                    r.persons_estimate,
                ),
                Item::Failed { path, error } => panic!("{path}: {error}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("box.pst".to_string(), 20, 11),
                // Their own addresses; the desk's, in the live mails too, is left out.
                ("box.pst!(deleted)".to_string(), 3, 3)
            ],
            "{unicode} {k4}"
        );
    }
}

/// Attachments named as their mail says: its subject, their file name (the message's
/// subnodes, the attachment's properties); a small one kept in its mail's heap is read as
/// a file too, a small text one with the mail's text.
#[test]
fn attachments_are_named_by_their_mail() {
    use kizuki_pii::pst::write::Mail;
    for (unicode, k4) in FORMATS {
        let (csv, _) = synth::persons_text(65, 5, Form::Csv);
        let mut spec = kizuki_pii::pst::write::mailbox(&csv, unicode);
        spec.k4 = k4;
        let (list, _) = synth::persons_text(66, 40, Form::Csv);
        let list = encoding_rs::SHIFT_JIS.encode(&list).0.into_owned();
        let (few, _) = synth::persons_text(67, 3, Form::Csv);
        spec.mails = vec![
            Mail {
                subject: "\u{1}\u{5}顧客リストの送付".into(),
                attachments: vec![
                    ("顧客.csv".into(), list.clone()),
                    (
                        "backup.zip".into(),
                        synth::zip_of(&[("old/顧客.csv", &list)]).unwrap(),
                    ),
                ],
                ..Default::default()
            },
            Mail {
                subject: "Re: 小さな添付".into(),
                attachments: vec![
                    (
                        "few.zip".into(),
                        synth::zip_of(&[("few.csv", few.as_bytes())]).unwrap(),
                    ),
                    ("note.txt".into(), "担当 山田".as_bytes().to_vec()),
                ],
                ..Default::default()
            },
        ];
        let items = Scanner::default().scan_bytes("box.pst", &file(&spec));
        let got: Vec<(String, Option<u64>)> = items
            .iter()
            .map(|i| match i {
                Item::Found(r) => (r.path.clone(), r.records),
                Item::Failed { path, error } => panic!("{path}: {error}"),
            })
            .collect();
        let mut want = vec![("box.pst".to_string(), None)];
        if unicode {
            // (In an ANSI file a text attachment in a stream reads as bodies do.)
            want.push(("box.pst!顧客リストの送付!顧客.csv".into(), Some(40)));
        }
        want.push((
            "box.pst!顧客リストの送付!backup.zip!old/顧客.csv".into(),
            Some(40),
        ));
        want.push(("box.pst!Re: 小さな添付!few.zip!few.csv".into(), Some(3)));
        assert_eq!(got, want, "{unicode} {k4}");
    }
}

/// A mail saved with an HTML body and no plain one (as some clients import them) is read
/// by its HTML, small in the heap or large in a subnode; one with only a compressed RTF body
/// by its RTF; one with both a plain and an HTML body by its plain body only.
#[test]
fn mails_without_a_plain_body_are_read_by_their_html_or_rtf() {
    use kizuki_pii::pst::write::Mail;
    for (unicode, k4) in FORMATS {
        let mut spec = kizuki_pii::pst::write::mailbox("", unicode);
        spec.k4 = k4;
        let page = |who: &str| {
            format!(
                "<html><body><p>{who}</p><table><tr><td>山田 太郎</td><td>taro@example.jp</td></tr></table></body></html>"
            )
        };
        spec.mails = vec![
            Mail {
                subject: "小さなHTML".into(),
                html: Some(page("hanako@example.jp")),
                ..Mail::default()
            },
            Mail {
                subject: "大きなHTML".into(),
                html: Some(page("jiro@example.jp") + &"<p>よろしくお願いします。</p>".repeat(200)),
                ..Mail::default()
            },
            Mail {
                subject: "RTFだけ".into(),
                rtf: Some(
                    compressed_rtf::compress_rtf(
                        "{\\rtf1\\ansi Contact: saburo@example.jp, shiro@example.jp\\par}",
                    )
                    .unwrap(),
                ),
                ..Mail::default()
            },
            Mail {
                subject: "両方".into(),
                body: Some("saburo@example.jp".into()),
                html: Some(page("saburo@example.jp")),
                ..Mail::default()
            },
        ];
        let items = Scanner::default().scan_bytes("box.pst", &file(&spec));
        let [Item::Found(m)] = &items[..] else {
            panic!("{items:?}");
        };
        // hanako, jiro, taro twice (two HTML-only mails), saburo and shiro (the RTF-only
        // mail), saburo once more (a plain body: its HTML not read).
        assert_eq!(
            m.categories.get(&C::Email),
            Some(&7),
            "{unicode} {k4}: {m:?}"
        );
        assert_eq!(m.persons_estimate, 5, "{unicode} {k4}");
    }
}

/// A subject that names a customer (`山田 太郎様`), or holds an address or a phone, names an
/// attachment with those values masked, as samples are (output is no second leak); shown as
/// it is with `--reveal`.
#[test]
fn subjects_in_paths_are_masked_unless_revealed() {
    use kizuki_pii::Options;
    use kizuki_pii::pst::write::Mail;
    let (csv, _) = synth::persons_text(68, 3, Form::Csv);
    let mut spec = kizuki_pii::pst::write::mailbox(&csv, true);
    let (list, _) = synth::persons_text(69, 5, Form::Csv);
    let zip = synth::zip_of(&[("list.csv", list.as_bytes())]).unwrap();
    let subjects = [
        "山田 太郎様 ご注文の件",
        "Re: taro.yamada@example.jp 090-1234-5678",
        "顧客リストの送付",
        "a1@example.jp a2@example.jp a3@example.jp a4@example.jp",
    ];
    spec.mails = subjects
        .iter()
        .map(|s| Mail {
            subject: (*s).into(),
            attachments: vec![("list.zip".into(), zip.clone())],
            ..Mail::default()
        })
        .collect();
    let pst = file(&spec);
    let paths = |reveal: bool| -> Vec<String> {
        let opts = Options {
            reveal,
            ..Options::default()
        };
        Scanner::new(opts)
            .scan_bytes("box.pst", &pst)
            .iter()
            .map(|i| match i {
                Item::Found(r) => r.path.clone(),
                Item::Failed { path, error } => panic!("{path}: {error}"),
            })
            .filter(|p| p.ends_with("!list.csv"))
            .collect()
    };
    let masked = paths(false);
    assert_eq!(masked.len(), 4, "{masked:?}");
    for p in &masked {
        for secret in ["山田", "太郎", "taro.yamada", "1234-5678"] {
            assert!(!p.contains(secret), "{p}");
        }
    }
    assert!(
        masked[0].ends_with("様 ご注文の件!list.zip!list.csv"),
        "{masked:?}"
    );
    assert!(masked[1].contains("@example.jp"), "{masked:?}");
    assert_eq!(masked[2], "box.pst!顧客リストの送付!list.zip!list.csv");
    // More values than a tally keeps samples of: the subject is not shown.
    assert_eq!(masked[3], "box.pst!(subject masked)!list.zip!list.csv");
    let shown = paths(true);
    let want: Vec<String> = subjects
        .iter()
        .map(|s| format!("box.pst!{s}!list.zip!list.csv"))
        .collect();
    assert_eq!(shown, want);
}

/// PPAP in an Outlook data file: an encrypted attachment (a zip; an Excel 97-2003
/// workbook) is read with the password its sender mailed without an attachment, before or
/// after it; another sender's password is not tried, and one never sent leaves it told.
/// Before, each attachment was read alone and every one was an error item.
#[test]
fn a_mailbox_s_ppap_attachments_are_read_with_the_passwords_it_carries() {
    use kizuki_pii::pst::write::Mail;
    let (csv, _) = synth::persons_text(71, 3, Form::Csv);
    let mut spec = kizuki_pii::pst::write::mailbox(&csv, true);
    let (list, _) = synth::persons_text(72, 12, Form::Csv);
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split(',').collect()).collect();
    let zip = kizuki_files::synth::zip_encrypted(&[("顧客.csv", list.as_bytes())], "Xk7pq29a");
    let xls = kizuki_files::synth::binary_encrypted(
        &synth::xls_of("顧客", &rows, false).unwrap(),
        "abc-2016",
        true,
        9,
    )
    .unwrap();
    let other = kizuki_files::synth::zip_encrypted(&[("x.csv", list.as_bytes())], "never-sent");
    let third = kizuki_files::synth::zip_encrypted(&[("y.csv", list.as_bytes())], "Hq4-77zz");
    let mail = |subject: &str, from: &str, body: &str, att: Option<(&str, &Vec<u8>)>| Mail {
        subject: subject.into(),
        sender: Some(from.into()),
        body: Some(body.into()),
        attachments: att
            .map(|(n, d)| (n.to_string(), d.clone()))
            .into_iter()
            .collect(),
        ..Mail::default()
    };
    spec.mails = vec![
        mail(
            "資料送付",
            "Tanaka@A.example",
            "資料を送付します。",
            Some(("list.zip", &zip)),
        ),
        mail(
            "パスワード送付",
            "tanaka@a.example",
            "パスワード：Xk7pq29a\r\nよろしくお願いします。",
            None,
        ),
        mail("パスワード", "sato@b.example", "PW: abc-2016", None),
        mail(
            "名簿",
            "sato@b.example",
            "名簿です。",
            Some(("book.xls", &xls)),
        ),
        mail(
            "別送",
            "suzuki@c.example",
            "別送します。",
            Some(("x.zip", &other)),
        ),
        mail("pw", "kato@d.example", "パスワード：never-sent", None),
        // A password mail with an HTML body only (Outlook keeps no plain one beside it).
        Mail {
            subject: "PW".into(),
            sender: Some("ito@e.example".into()),
            html: Some("<html><body><p>パスワード：Hq4-77zz</p></body></html>".into()),
            ..Mail::default()
        },
        mail(
            "送付",
            "ito@e.example",
            "送付します。",
            Some(("y.zip", &third)),
        ),
    ];
    let pst = file(&spec);
    let items = Scanner::default().scan_bytes("box.pst", &pst);
    let mut got: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Found(r) if r.path.contains('!') => Some(format!("{} {:?}", r.path, r.records)),
            Item::Failed { path, .. } => Some(format!("{path} failed")),
            _ => None,
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "box.pst!別送!x.zip failed",
            "box.pst!名簿!book.xls!顧客 Some(12)",
            "box.pst!資料送付!list.zip!顧客.csv Some(12)",
            "box.pst!送付!y.zip!y.csv Some(12)",
        ],
        "{items:?}"
    );
}

/// An Outlook item attached to another is named by its display name, its subject: masked as
/// a mailbox's subjects are.
#[test]
fn attached_items_named_by_a_customer_are_masked() {
    use kizuki_pii::Options;
    use kizuki_pii::synth::{MsgPart, MsgSpec};
    let (list, _) = synth::persons_text(70, 5, Form::Csv);
    let fwd = MsgSpec {
        unicode: true,
        strings: vec![(0x0037, "FW: 山田 太郎様".into())],
        attachments: vec![MsgPart::File("list.csv".into(), list.into_bytes())],
        ..MsgSpec::default()
    };
    let mail = MsgSpec {
        unicode: true,
        strings: vec![(0x0037, "転送".into())],
        attachments: vec![MsgPart::Item("FW: 山田 太郎様".into(), fwd)],
        ..MsgSpec::default()
    };
    let msg = synth::msg_of(&mail).unwrap();
    let paths = |reveal: bool| -> Vec<String> {
        let opts = Options {
            reveal,
            ..Options::default()
        };
        Scanner::new(opts)
            .scan_bytes("mail.msg", &msg)
            .iter()
            .filter_map(|i| match i {
                Item::Found(r) => Some(r.path.clone()),
                Item::Failed { .. } => None,
            })
            .collect()
    };
    assert!(
        paths(false).contains(&"mail.msg!FW: 山* 太*様!list.csv".to_string()),
        "{:?}",
        paths(false)
    );
    assert!(
        paths(true).contains(&"mail.msg!FW: 山田 太郎様!list.csv".to_string()),
        "{:?}",
        paths(true)
    );
}

/// The files written here in each format, Outlook 2013's 4 KiB OST among them, read by
/// another reader: libpff (Debian's python3-pypff, installed by scripts/setup), which finds
/// each mail's node and reads its subject and body from its property context. The mails
/// have no folder, so libpff lists them as orphan items.
#[test]
fn libpff_reads_the_files_written_here_in_every_format() {
    use kizuki_pii::pst::write::Mail;
    let dir = tempfile::tempdir().unwrap();
    for (unicode, k4) in FORMATS {
        let mut spec = kizuki_pii::pst::write::mailbox("", unicode);
        spec.k4 = k4;
        spec.mails = (0..3)
            .map(|i| Mail {
                subject: format!("ご注文の件 {i}"),
                body: Some(format!("山田 太郎 様 090-1234-567{i}\r\n").repeat(40 * (i + 1))),
                ..Default::default()
            })
            .collect();
        let path = dir.path().join(format!("box-{unicode}-{k4}.pst"));
        std::fs::write(&path, file(&spec)).unwrap();
        let script = r#"
import sys, pypff
f = pypff.file()
f.set_ascii_codepage("cp932")  # an ANSI file's strings, in Shift_JIS
f.open(sys.argv[1])
print(f.get_format() if hasattr(f, "get_format") else "")
for i in range(f.get_number_of_orphan_items()):
    rs = f.get_orphan_item(i).get_record_set(0)
    props = {}
    for e in range(rs.get_number_of_entries()):
        en = rs.get_entry(e)
        props[en.get_entry_type()] = en.get_data_as_string()
    print(props.get(0x0037), len(props.get(0x1000) or ""))
"#;
        let out = std::process::Command::new("/usr/bin/python3")
            .args(["-c", script])
            .arg(&path)
            .output()
            .expect("python3 (scripts/setup installs python3-pypff)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{unicode} {k4}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<&str> = stdout.lines().skip(1).collect();
        lines.sort_unstable();
        let want: Vec<String> = (0..3)
            .map(|i| {
                let body = format!("山田 太郎 様 090-1234-567{i}\r\n").repeat(40 * (i + 1));
                format!("ご注文の件 {i} {}", body.chars().count())
            })
            .collect();
        assert_eq!(lines, want, "{unicode} {k4}");
    }
}

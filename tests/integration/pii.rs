//! `kizuki pii scan`.

use kizuki_pii::synth::{self, Form};

use crate::harness::{Sandbox, json_lines};

const FIELDS: [&str; 7] = [
    "path",
    "encoding",
    "records",
    "categories",
    "columns",
    "samples",
    "persons_estimate",
];

/// `kizuki --format json pii scan PATH` in the sandbox, which must find something (exit 1):
/// the objects it printed.
fn scan_found(sb: &Sandbox, path: &str) -> Vec<serde_json::Value> {
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", path])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    json_lines(&out)
}

/// The object printed for `path`.
fn object(items: &[serde_json::Value], path: &str) -> serde_json::Value {
    items
        .iter()
        .find(|o| o["path"] == path)
        .unwrap_or_else(|| panic!("{path}: {items:?}"))
        .clone()
}

/// Asserts that object `o` (at `path`) holds `records` rows and the planted counts `truth`.
fn assert_counts<R: Into<serde_json::Value>>(
    o: &serde_json::Value,
    path: &str,
    records: R,
    truth: &std::collections::BTreeMap<kizuki_core::Category, u64>,
) {
    assert_eq!(o["records"], records.into(), "{path}");
    for (c, k) in truth {
        assert_eq!(n(o, *c), *k, "{path} {c}");
    }
}

/// How many values of `c` an object counts.
fn n(o: &serde_json::Value, c: kizuki_core::Category) -> u64 {
    o["categories"][c.id()].as_u64().unwrap_or(0)
}

/// How many values of `c` were planted.
fn want(
    t: &std::collections::BTreeMap<kizuki_core::Category, u64>,
    c: kizuki_core::Category,
) -> u64 {
    t.get(&c).copied().unwrap_or(0)
}

/// A message's object counts its body's values (`truth`) plus its correspondents' `emails`
/// addresses and `names` names in kanji.
fn assert_mail_body(
    o: &serde_json::Value,
    truth: &std::collections::BTreeMap<kizuki_core::Category, u64>,
    emails: u64,
    names: u64,
) {
    use kizuki_core::Category;
    assert_eq!(n(o, Category::Email), want(truth, Category::Email) + emails);
    assert_eq!(
        n(o, Category::NameKanji),
        want(truth, Category::NameKanji) + names
    );
    for c in [
        Category::Phone,
        Category::PostalCode,
        Category::BirthDate,
        Category::NameKana,
    ] {
        assert_eq!(n(o, c), want(truth, c), "{c}");
    }
}

fn sjis_csv() -> synth::Generated {
    synth::persons_file(42, 30, Form::Csv, encoding_rs::SHIFT_JIS)
}

#[test]
fn finds_people_in_a_cp932_csv_with_exact_fields() {
    let sb = Sandbox::new();
    let g = sjis_csv();
    sb.write("restored.csv", &g.data);
    let items = scan_found(&sb, "restored.csv");
    assert_eq!(items.len(), 1);
    let o = items[0].as_object().unwrap();
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(o["encoding"], "Shift_JIS");
    assert_eq!(o["records"], 30);
    assert_eq!(o["persons_estimate"], 30);
    for (c, n) in &g.truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(o["columns"]["氏名"], "name_kanji");
    assert_eq!(o["columns"]["旅券発行日"], "passport_issue_date");
}

/// A member database's export (title line, split names and addresses, sex codes, home and
/// mobile phones), in EUC-JP: every value once per person, the header's column names, and as
/// many persons as rows.
#[test]
fn reads_a_member_export_with_split_columns() {
    let sb = Sandbox::new();
    let g = synth::persons_file(41, 25, Form::Members, encoding_rs::EUC_JP);
    sb.write("members.csv", &g.data);
    let items = scan_found(&sb, "members.csv");
    assert_eq!(items.len(), 1);
    let o = &items[0];
    assert_eq!(o["encoding"], "EUC-JP");
    assert_eq!(o["records"], 25);
    assert_eq!(o["persons_estimate"], 25);
    for (c, n) in &g.truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    for (col, cat) in [
        ("姓", "name_kanji"),
        ("メイ", "name_kana"),
        ("性別", "gender"),
        ("都道府県", "address"),
        ("町域・番地", "address"),
        ("携帯電話", "phone"),
    ] {
        assert_eq!(o["columns"][col], cat, "{col}");
    }
    assert!(o["columns"].get("会員番号").is_none());
}

/// A mainframe's export of fixed-width records (固定長) in Shift_JIS, in a zip as it was
/// taken off a server: read as a table whose columns are named by their places in the
/// record, every planted value counted once (the update times and blank dates are none),
/// samples masked.
#[test]
fn reads_fixed_width_records_by_their_places() {
    let sb = Sandbox::new();
    let g = synth::persons_file(43, 40, Form::Fixed, encoding_rs::SHIFT_JIS);
    sb.write("customers.dat", &g.data);
    sb.write(
        "export.zip",
        synth::zip_of(&[("batch/CUSTOMER.DAT", &g.data)]).unwrap(),
    );
    for (file, path) in [
        ("customers.dat", "customers.dat"),
        ("export.zip", "export.zip!batch/CUSTOMER.DAT"),
    ] {
        let o = object(&scan_found(&sb, file), path);
        assert_eq!(o["encoding"], "Shift_JIS", "{path}");
        assert_eq!(o["records"], 40, "{path}");
        assert_eq!(o["persons_estimate"], 40, "{path}");
        for (c, n) in &g.truth {
            assert_eq!(o["categories"][c.id()], *n, "{path}: {c}");
        }
        for (col, cat) in [
            ("9-32", "name_kanji"),
            ("33-52", "name_kana"),
            ("53-53", "gender"),
            ("54-61", "birth_date"),
            ("62-68", "postal_code"),
            ("212-220", "passport_number"),
            ("221-228", "passport_issue_date"),
        ] {
            assert_eq!(o["columns"][col], cat, "{path}: {col}");
        }
        assert_eq!(
            o["columns"].as_object().map(|c| c.len()),
            Some(10),
            "{path}"
        );
        for c in [
            "name_kanji",
            "name_kana",
            "email",
            "phone",
            "passport_number",
        ] {
            for v in o["samples"][c].as_array().unwrap() {
                assert!(
                    v.as_str().is_some_and(|v| v.contains('*')),
                    "{path}: {c} {v}"
                );
            }
        }
    }
}

/// An API document (UTF-8), a phone's address book (Shift_JIS) and an XML export (UTF-16LE)
/// of the same kind of persons: each read as records, every planted value counted once, as
/// many persons as records, and the columns named after the keys, properties and elements.
#[test]
fn reads_structured_exports_as_records() {
    let sb = Sandbox::new();
    for (form, enc, file, enc_name, col, cat) in [
        (
            Form::Json,
            encoding_rs::UTF_8,
            "api.json",
            "UTF-8",
            "address.zip",
            "postal_code",
        ),
        (
            Form::Vcard,
            encoding_rs::SHIFT_JIS,
            "contacts.vcf",
            "Shift_JIS",
            "フリガナ",
            "name_kana",
        ),
        (
            Form::Xml,
            encoding_rs::UTF_16LE,
            "export.xml",
            "UTF-16LE",
            "birthday",
            "birth_date",
        ),
    ] {
        let g = synth::persons_file(43, 40, form, enc);
        sb.write(file, &g.data);
        let items = scan_found(&sb, file);
        assert_eq!(items.len(), 1, "{file}");
        let o = &items[0];
        assert_eq!(o["encoding"], enc_name, "{file}");
        assert_eq!(o["records"], 40, "{file}");
        assert_eq!(o["persons_estimate"], 40, "{file}");
        for (c, n) in &g.truth {
            assert_eq!(o["categories"][c.id()], *n, "{file}: {c}");
        }
        assert_eq!(o["columns"][col], cat, "{file}: {}", o["columns"]);
    }
}

/// What database clients print (MySQL's boxed tables, psql's aligned ones, MySQL's vertical
/// records), saved from a terminal, and a Markdown table: read as tables, their rules, footers and prompts left
/// out of the records, the names and birth dates found by their columns.
#[test]
fn reads_the_output_of_database_clients() {
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(46, 40, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    for (file, data) in [
        (
            "mysql.txt",
            synth::client_table(&rows, synth::Printed::Mysql),
        ),
        ("psql.out", synth::client_table(&rows, synth::Printed::Psql)),
        (
            "wiki.md",
            synth::client_table(&rows, synth::Printed::Markdown),
        ),
        ("vertical.log", synth::client_vertical(&rows)),
    ] {
        sb.write(file, &data);
        let items = scan_found(&sb, file);
        assert_eq!(items.len(), 1, "{file}");
        let o = &items[0];
        assert_eq!(o["records"], 40, "{file}");
        assert_eq!(o["persons_estimate"], 40, "{file}");
        for (c, n) in &truth {
            assert_eq!(o["categories"][c.id()], *n, "{file}: {c}");
        }
        assert_eq!(
            o["columns"]["氏名"], "name_kanji",
            "{file}: {}",
            o["columns"]
        );
        assert_eq!(o["columns"]["生年月日"], "birth_date", "{file}");
    }
}

/// A terminal session kept as a work log: paragraphs, then what several queries printed
/// (MySQL boxes, an orders table, a Markdown table pasted from a wiki, `\G` records) past
/// the first 40 lines. Each table is read on its own with its own header: every planted
/// value, the rows of all tables as records, and the orders' dates no birth dates.
#[test]
fn reads_tables_of_database_clients_anywhere_in_a_text() {
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(48, 40, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let part = |a: usize, b: usize| {
        let mut p = vec![rows[0].clone()];
        p.extend(rows[a..b].iter().cloned());
        p
    };
    let prose = "障害対応の作業記録。原因調査のため本番環境の表を確認した。\n".repeat(45);
    let orders = [
        vec!["order_id", "sku", "ordered", "qty"],
        vec!["1001", "AB1234567", "2024-03-01", "3"],
        vec!["1002", "CD7654321", "2024-03-02", "1"],
        vec!["1003", "EF1111111", "2024-03-03", "2"],
    ];
    let mut text = prose.clone().into_bytes();
    text.extend(synth::client_table(&part(1, 21), synth::Printed::Mysql));
    text.extend(synth::client_table(&orders, synth::Printed::Mysql));
    text.extend(prose.as_bytes());
    text.extend(synth::client_table(&part(21, 31), synth::Printed::Markdown));
    text.extend("\n以下、詳細。\n".as_bytes());
    text.extend(synth::client_vertical(&part(31, 41)));
    text.extend(prose.as_bytes());
    sb.write("worklog.txt", &text);
    let items = scan_found(&sb, "worklog.txt");
    assert_eq!(items.len(), 1);
    let o = &items[0];
    assert_eq!(o["records"], 20 + 3 + 10 + 10, "{o}");
    assert_eq!(o["persons_estimate"], 40, "{o}");
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}: {o}");
    }
    assert_eq!(o["columns"]["氏名"], "name_kanji", "{o}");
    assert_eq!(o["columns"]["生年月日"], "birth_date", "{o}");
    assert!(o["columns"].get("ordered").is_none(), "{o}");
}

/// Web server and application logs (percent-encoded queries in UTF-8 and Shift_JIS, form
/// bodies with split names, `logfmt`, JSON payloads with `\uXXXX` escapes): every planted
/// value, as many persons as planted, read as text (no records), and nothing shown unmasked.
#[test]
fn finds_people_in_server_and_application_logs() {
    let sb = Sandbox::new();
    let (text, truth) = synth::persons_text(47, 60, Form::Logs);
    sb.write("app.log", text.as_bytes());
    let items = scan_found(&sb, "app.log");
    assert_eq!(items.len(), 1);
    let o = &items[0];
    assert_eq!(o["records"], serde_json::Value::Null);
    assert_eq!(o["persons_estimate"], 60);
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(
        o["categories"].as_object().unwrap().len(),
        truth.len(),
        "{}",
        o["categories"]
    );
    let shown = o.to_string();
    for line in text.lines().filter(|l| l.contains(" name=\"")) {
        let name = line
            .split(" name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(!shown.contains(name), "{name}");
    }
}

/// Database and application logs of prepared statements (PostgreSQL's `DETAIL:  parameters:`
/// after the statement, Rails' binds after it by name): each value is read as its column's,
/// so the names and birth dates count as in a table, and nothing else (an id, a timestamp
/// bound as `created_at`) counts.
#[test]
fn reads_values_bound_to_prepared_statements_in_logs() {
    let sb = Sandbox::new();
    let (text, truth) = synth::db_log(49, 60);
    sb.write("db/postgresql.log", text.as_bytes());
    let items = scan_found(&sb, "db/postgresql.log");
    assert_eq!(items.len(), 1);
    let o = &items[0];
    assert_eq!(o["records"], serde_json::Value::Null);
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}: {}", o["categories"]);
    }
    assert_eq!(
        o["categories"].as_object().unwrap().len(),
        truth.len(),
        "{}",
        o["categories"]
    );
    assert_eq!(o["persons_estimate"], 60, "{o}");
}

/// A Zengin bank transfer file as a bank's software writes it (Shift_JIS, fixed-width
/// records a line): payees' names and accounts as records, companies left out, and neither
/// shown unmasked.
#[test]
fn reads_bank_transfer_files() {
    let sb = Sandbox::new();
    let (text, truth) = synth::zengin(44, 40, "\r\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    sb.write("FURIKOMI.DAT", &sjis);
    let items = scan_found(&sb, "FURIKOMI.DAT");
    assert_eq!(items.len(), 1);
    let o = &items[0];
    assert_eq!(o["encoding"], "Shift_JIS");
    assert_eq!(o["records"], 41, "40 persons and a company");
    assert_eq!(o["persons_estimate"], 40);
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(o["columns"]["口座番号"], "bank_account");
    assert_eq!(o["columns"]["受取人名（カナ）"], "name_kana");
    let shown = o.to_string();
    for line in text.lines().filter(|l| l.starts_with('2')) {
        let account: String = line.chars().skip(43).take(7).collect();
        let name: String = line.chars().skip(50).take(30).collect();
        assert!(!shown.contains(&account), "{account}");
        assert!(!shown.contains(name.trim_end()), "{name}");
    }
}

/// An application's SQLite database in WAL mode, copied from a live server with its log:
/// the rows only in the log are read, the rows deleted since (and still in the file) are a
/// second object, `app.db!(deleted)`, and neither shows a value unmasked.
#[test]
fn reads_an_sqlite_database_with_its_log_and_its_deleted_rows() {
    let sb = Sandbox::new();
    let src = sb.path().join("live/app.db");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&src).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA secure_delete=OFF;",
    )
    .unwrap();
    let insert = |seed: u64, n: usize| {
        let (_, rows, truth) = synth::sqlite_persons(&conn, "members", seed, n).unwrap();
        let emails: Vec<String> = rows
            .concat()
            .into_iter()
            .filter(|c| c.contains('@'))
            .collect();
        (truth, emails)
    };
    insert(61, 60);
    let (gone, gone_emails) = insert(62, 20);
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    // Since the checkpoint, only in the log: 20 members deleted, 30 new.
    conn.execute_batch("DELETE FROM members WHERE id > 60")
        .unwrap();
    let (_, new_emails) = insert(63, 30);
    std::fs::copy(&src, sb.path().join("app.db")).unwrap();
    std::fs::copy(
        sb.path().join("live/app.db-wal"),
        sb.path().join("app.db-wal"),
    )
    .unwrap();
    drop(conn);
    std::fs::remove_dir_all(sb.path().join("live")).unwrap();

    let items = scan_found(&sb, ".");
    let by_path = |p: &str| {
        items
            .iter()
            .find(|o| o["path"] == p)
            .unwrap_or_else(|| panic!("{p}: {items:?}"))
    };
    assert_eq!(items.len(), 2, "the log is no object of its own: {items:?}");
    let live = by_path("./app.db");
    assert_eq!(live["records"], 90);
    assert_eq!(live["persons_estimate"], 90);
    let del = by_path("./app.db!(deleted)");
    assert_eq!(del["records"], 20);
    assert_eq!(del["encoding"], serde_json::Value::Null);
    for (c, n) in &gone {
        assert_eq!(del["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(del["columns"]["members.氏名"], "name_kanji");
    let shown = serde_json::to_string(&items).unwrap();
    for e in gone_emails.iter().chain(&new_emails) {
        assert!(!shown.contains(e.as_str()), "{e} shown");
    }
}

/// A deleted SQLite database in an ext4 image: copied out of the image from its header
/// (its size in the header) and read as the file itself is, its deleted rows included; its
/// pages are not carved as text besides.
#[test]
fn finds_a_deleted_sqlite_database_in_an_ext4_image() {
    let sb = Sandbox::new();
    let db = sb.path().join("src/app.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "secure_delete", false).unwrap();
        synth::sqlite_persons(&conn, "members", 71, 60).unwrap();
        conn.execute_batch("DELETE FROM members WHERE id % 4 = 0")
            .unwrap();
    }
    let direct = scan_found(&sb, "src/app.db");
    assert_eq!(direct.len(), 2, "{direct:?}");
    assert_eq!(direct[0]["records"], 45);
    let img = ext4_without(&sb, "src", "app.db");
    let items = scan_found(&sb, "server.img");
    assert_eq!(items.len(), 2, "{items:?}");
    let path = items[0]["path"].as_str().unwrap();
    let off: usize = path.strip_prefix("server.img!@").unwrap().parse().unwrap();
    let bytes = std::fs::read(&img).unwrap();
    assert!(bytes[off..].starts_with(b"SQLite format 3\0"), "{path}");
    assert_eq!(items[1]["path"], format!("{path}!(deleted)"));
    for (carved, file) in items.iter().zip(&direct) {
        for key in [
            "records",
            "categories",
            "columns",
            "persons_estimate",
            "samples",
        ] {
            assert_eq!(carved[key], file[key], "{key}");
        }
    }
}

/// A Word document, an Outlook mail with a list attached and an Excel 97 workbook, written
/// to an ext4 file system and deleted: each is found at its first block and read as the file
/// itself is (its table's rows, its attachment, its sheet), not carved as text besides.
#[test]
fn finds_deleted_office_files_and_mails_in_an_ext4_image() {
    use synth::{DocPart, MsgPart, MsgSpec};
    let sb = Sandbox::new();
    let (csv, _) = synth::persons_text(72, 30, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let parts: Vec<DocPart> = rows
        .iter()
        .map(|r| DocPart::Row(r.iter().map(|c| c.to_string()).collect()))
        .collect();
    let list = synth::persons_file(73, 40, Form::Csv, encoding_rs::SHIFT_JIS);
    let (body, _) = synth::persons_text(74, 5, Form::Text);
    let mail = MsgSpec {
        unicode: true,
        strings: vec![(0x0037, "名簿".into()), (0x1000, body)],
        recipients: vec![(1, "山田 太郎".into(), "taro@example.jp".into())],
        attachments: vec![MsgPart::File("顧客.csv".into(), list.data.clone())],
        ..MsgSpec::default()
    };
    let files = [
        ("顧客管理.doc", synth::doc_of(&parts, false).unwrap()),
        ("送付.msg", synth::msg_of(&mail).unwrap()),
        ("顧客.xls", synth::xls_of("顧客一覧", &rows, true).unwrap()),
    ];
    for (name, data) in &files {
        sb.write(&format!("src/{name}"), data);
    }
    let img = sb.path().join("server.img");
    run_ok(
        e2fs("mkfs.ext4")
            .args(["-q", "-F", "-b", "4096", "-d"])
            .arg(sb.path().join("src"))
            .arg(&img)
            .arg("8M"),
    );
    for (name, _) in &files {
        run_ok(
            e2fs("debugfs")
                .args(["-w", "-R", &format!("rm {name}")])
                .arg(&img),
        );
    }
    let bytes = std::fs::read(&img).unwrap();
    let items = scan_found(&sb, "server.img");
    for (name, data) in &files {
        let at = bytes
            .windows(512)
            .position(|w| w == &data[..512])
            .unwrap_or_else(|| panic!("{name} not in the image"));
        let direct = scan_found(&sb, &format!("src/{name}"));
        assert!(!direct.is_empty());
        for file in &direct {
            let path = file["path"].as_str().unwrap().replacen(
                &format!("src/{name}"),
                &format!("server.img!@{at}"),
                1,
            );
            let carved = object(&items, &path);
            for key in [
                "records",
                "categories",
                "columns",
                "persons_estimate",
                "samples",
            ] {
                assert_eq!(carved[key], file[key], "{path} {key}");
            }
        }
        // Nothing else from the file's blocks.
        let end = at + data.len();
        for o in &items {
            let p = o["path"].as_str().unwrap();
            let off: usize = p
                .strip_prefix("server.img!@")
                .and_then(|r| r.split('!').next())
                .unwrap()
                .parse()
                .unwrap();
            assert!(off == at || !(at..end).contains(&off), "{p} inside {name}");
        }
    }
}

/// The staged data file encoded for the way out, as intruders do on Windows (`certutil
/// -encode` of a zip) and on Unix (`base64` of a gzip): decoded and read as the archive it
/// is, its CSV found with its rows. As text, the encoding hid everything.
#[test]
fn reads_a_staged_archive_encoded_in_base64() {
    let sb = Sandbox::new();
    let g = sjis_csv();
    let zip = synth::zip_of(&[("customers_20160321.csv", &g.data)]).unwrap();
    sb.write("staged/data.txt", synth::base64_of(&zip, 64, true));
    sb.write(
        "staged/dump.b64",
        synth::base64_of(&synth::gzip_of(&g.data).unwrap(), 76, false),
    );
    let items = scan_found(&sb, "staged");
    for path in [
        "staged/data.txt!base64!customers_20160321.csv",
        "staged/dump.b64!base64!data",
    ] {
        let o = object(&items, path);
        assert_eq!(o["encoding"], "Shift_JIS", "{path}");
        assert_counts(&o, path, 30, &g.truth);
    }
}

/// A mail API's export (JSON Lines, and the same records as a JSON document's `value`
/// array): attachments in base64 in the records' values are read as the files they are, named
/// by their record and their file name (or their key), and their records are not the export's.
#[test]
fn reads_attachments_encoded_in_json_records() {
    let sb = Sandbox::new();
    let (jsonl, _) = synth::persons_text(71, 300, Form::Jsonl);
    let (export, attached) = synth::with_attachments(&jsonl, 97, 71);
    assert_eq!(attached, 3);
    sb.write("mail/export.jsonl", export.as_bytes());
    let records: Vec<&str> = export.lines().collect();
    sb.write(
        "mail/messages.json",
        format!("{{\"value\": [\n{}\n]}}\n", records.join(",\n")),
    );
    let items = scan_found(&sb, "mail");
    for file in ["mail/export.jsonl", "mail/messages.json"] {
        let o = object(&items, file);
        assert_eq!(o["records"], 300, "{file}");
        assert_eq!(n(&o, kizuki_core::Category::Email), 300, "{file}");
        // Record 97 (the file 名簿-1.csv) and record 291 (a zip in a `data:` URI, no name).
        for (path, at) in [
            (format!("{file}!#97!名簿-1.csv"), 96),
            (format!("{file}!#194!名簿-2.csv"), 193),
            (format!("{file}!#291!file!名簿.csv"), 290),
        ] {
            let csv = synth::persons_file(71 + at, 20, Form::Csv, encoding_rs::SHIFT_JIS);
            let o = object(&items, &path);
            assert_eq!(o["encoding"], "Shift_JIS", "{path}");
            assert_counts(&o, &path, 20, &csv.truth);
        }
    }
    assert_eq!(items.len(), 8, "{items:?}");
}

/// A program of e2fsprogs (in /usr/sbin, which a non-root PATH may lack).
fn e2fs(name: &str) -> std::process::Command {
    let sbin = std::path::Path::new("/usr/sbin").join(name);
    std::process::Command::new(if sbin.exists() { sbin } else { name.into() })
}

fn run_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd
        .output()
        .expect("e2fsprogs missing: scripts/setup installs it");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An 8 MiB ext4 file system of the files of `src` (in the sandbox), `server.img` in the
/// sandbox, from which `gone` is then deleted: the image.
fn ext4_without(sb: &Sandbox, src: &str, gone: &str) -> std::path::PathBuf {
    let img = sb.path().join("server.img");
    run_ok(
        e2fs("mkfs.ext4")
            .args(["-q", "-F", "-b", "4096", "-d"])
            .arg(sb.path().join(src))
            .arg(&img)
            .arg("8M"),
    );
    run_ok(
        e2fs("debugfs")
            .args(["-w", "-R", &format!("rm {gone}")])
            .arg(&img),
    );
    img
}

/// The staged export (CP932) and a readme written to an 8 MiB ext4 file system,
/// `server.img` in the sandbox, and the export deleted from it: the export, the image.
fn staged_and_deleted(sb: &Sandbox) -> (synth::Generated, std::path::PathBuf) {
    let g = sjis_csv();
    sb.write("src/customers_20160321.csv", &g.data);
    sb.write("src/readme.txt", b"nothing personal here\n");
    let img = ext4_without(sb, "src", "customers_20160321.csv");
    (g, img)
}

/// The reference incident's staged file: a CP932 export written to an ext4 file system and
/// deleted. Its blocks still hold it; the scan of the raw image finds it, as a table, at the
/// offset where its data starts.
#[test]
fn finds_a_deleted_file_in_an_ext4_image() {
    let sb = Sandbox::new();
    let (g, img) = staged_and_deleted(&sb);
    let ls = run_ok(e2fs("debugfs").args(["-R", "ls"]).arg(&img));
    let listing = String::from_utf8_lossy(&ls.stdout);
    assert!(
        listing.contains("readme.txt") && !listing.contains("customers"),
        "{listing}"
    );
    let items = scan_found(&sb, "server.img");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    let path = o["path"].as_str().unwrap();
    let off: usize = path.strip_prefix("server.img!@").unwrap().parse().unwrap();
    let bytes = std::fs::read(&img).unwrap();
    assert!(bytes[off..].starts_with(&g.data[..64]), "{path}");
    assert_eq!(o["encoding"], "Shift_JIS");
    assert_eq!(o["records"], 30);
    for (c, n) in &g.truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(o["columns"]["氏名"], "name_kanji");
}

/// The same server handed over by a forensic firm as an EnCase image (`ewfacquire` of
/// libewf, as FTK Imager or EnCase would write it): compressed chunks, stored chunks split
/// over segments of 1 MiB (`server.E01`…`server.E09`), small chunks with empty blocks
/// compressed. Each reads as the raw image does, at the same offsets, from its first
/// segment; the other segments are read with it, not alone. A first segment cut short, or
/// one whose next segments are missing, ends in an error, not a panic.
#[test]
fn finds_a_deleted_file_in_an_encase_image() {
    let sb = Sandbox::new();
    let (_, img) = staged_and_deleted(&sb);
    let raw = scan_found(&sb, "server.img");
    assert_eq!(raw.len(), 1, "{raw:?}");
    for (dir, args) in [
        ("best", &["-c", "deflate:best"][..]),
        ("split", &["-c", "none", "-S", "1MiB"][..]),
        ("small", &["-c", "empty-block", "-b", "16"][..]),
    ] {
        std::fs::create_dir_all(sb.path().join(dir)).unwrap();
        let out = std::process::Command::new("ewfacquire")
            .args(["-u", "-q", "-t"])
            .arg(sb.path().join(dir).join("server"))
            .args(args)
            .arg(&img)
            .output()
            .expect("ewfacquire missing: scripts/setup installs ewf-tools");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let e01 = format!("{dir}/server.E01");
        let items = scan_found(&sb, &e01);
        assert_eq!(items.len(), raw.len(), "{dir}: {items:?}");
        for (a, b) in items.iter().zip(&raw) {
            let at = b["path"].as_str().unwrap().replace("server.img", &e01);
            assert_eq!(a["path"], at.as_str(), "{dir}");
            for key in &FIELDS[1..] {
                assert_eq!(a[key], b[key], "{dir} {key}");
            }
        }
        // The directory: the image once, from its first segment.
        let whole = scan_found(&sb, dir);
        let paths: Vec<&str> = whole.iter().map(|o| o["path"].as_str().unwrap()).collect();
        assert_eq!(
            paths,
            [raw[0]["path"].as_str().unwrap().replace("server.img", &e01)]
        );
    }
    let segments = std::fs::read_dir(sb.path().join("split")).unwrap().count();
    assert!(segments >= 8, "{segments} segments");
    // Cut short, or alone without the segments after it.
    let first = std::fs::read(sb.path().join("best/server.E01")).unwrap();
    sb.write("cut/server.E01", &first[..first.len() / 2]);
    std::fs::copy(
        sb.path().join("split/server.E01"),
        sb.path().join("alone.E01"),
    )
    .unwrap();
    for path in ["cut/server.E01", "alone.E01"] {
        let out = sb.cmd().args(["pii", "scan", path]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(path) && err.contains("EWF"), "{path}: {err}");
    }
    // Evidence handed over packed: an image of one segment in a zip and in a tar is read as
    // the file is; a split image's segments in a tar are errors, not a silent nothing.
    let small = std::fs::read(sb.path().join("small/server.E01")).unwrap();
    sb.write(
        "evidence.zip",
        synth::zip_of(&[("case/server.E01", &first)]).unwrap(),
    );
    sb.write(
        "evidence.tar",
        synth::tar_of(&[("case/server.E01", &small)]).unwrap(),
    );
    for (archive, member) in [
        ("evidence.zip", "evidence.zip!case/server.E01"),
        ("evidence.tar", "evidence.tar!case/server.E01"),
    ] {
        let items = scan_found(&sb, archive);
        assert_eq!(items.len(), raw.len(), "{archive}: {items:?}");
        for (a, b) in items.iter().zip(&raw) {
            let at = b["path"].as_str().unwrap().replace("server.img", member);
            assert_eq!(a["path"], at.as_str());
            for key in &FIELDS[1..] {
                assert_eq!(a[key], b[key], "{archive} {key}");
            }
        }
    }
    let split: Vec<(String, Vec<u8>)> = ["E01", "E02"]
        .iter()
        .map(|e| {
            let name = format!("server.{e}");
            let data = std::fs::read(sb.path().join("split").join(&name)).unwrap();
            (name, data)
        })
        .collect();
    let entries: Vec<(&str, &[u8])> = split
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    sb.write("split.tar", synth::tar_of(&entries).unwrap());
    let out = sb.cmd().args(["pii", "scan", "split.tar"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("split.tar!server.E01") && err.contains("chunks found"),
        "{err}"
    );
    assert!(
        err.contains("split.tar!server.E02") && err.contains("segment 2"),
        "{err}"
    );
}

/// The staged file as a database dump: every table's rows are classified by their column
/// names, as the CSV export of the same data is.
#[test]
fn reads_a_mysqldump_as_tables() {
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(42, 40, Form::Csv);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut dump = String::from(
        "-- MySQL dump 10.13  Distrib 8.0.36\n\nCREATE TABLE `customers` (\n  `id` int NOT NULL AUTO_INCREMENT,\n",
    );
    for h in &header {
        dump.push_str(&format!("  `{h}` varchar(255) DEFAULT NULL,\n"));
    }
    dump.push_str("  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n");
    let rows: Vec<String> = lines
        .enumerate()
        .map(|(i, l)| {
            let cells: Vec<String> = l
                .split(',')
                .map(|c| {
                    if c.is_empty() {
                        "NULL".into()
                    } else {
                        format!("'{}'", c.replace('\'', "\\'"))
                    }
                })
                .collect();
            format!("({},{})", i + 1, cells.join(","))
        })
        .collect();
    dump.push_str(&format!(
        "INSERT INTO `customers` VALUES {};\n",
        rows.join(",")
    ));
    sb.write("backup/shop.sql", dump.as_bytes());
    let items = scan_found(&sb, "backup/shop.sql");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["records"], 40);
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    assert_eq!(o["columns"]["customers.氏名"], "name_kanji");
    assert_eq!(o["columns"]["customers.旅券番号"], "passport_number");
}

/// Old Office files on the share: an Excel 95 workbook in Shift_JIS is read as a table, and
/// a compound file that is no workbook (here a Word 97 `WordDocument` stream of UTF-16 text)
/// is carved.
#[test]
fn reads_old_excel_workbooks_and_carves_other_office_files() {
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(43, 25, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    sb.write(
        "share/顧客.xls",
        synth::xls_of("顧客一覧", &rows, true).unwrap(),
    );
    let items = scan_found(&sb, "share/顧客.xls");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["path"], "share/顧客.xls!顧客一覧");
    assert_eq!(o["records"], 25);
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }

    let (text, _) = synth::persons_text(44, 10, Form::Text);
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let doc = synth::ole_of(&[("/WordDocument", &utf16)]).unwrap();
    sb.write("share/letter.doc", doc);
    let items = scan_found(&sb, "share/letter.doc");
    assert!(!items.is_empty());
    let emails: u64 = items
        .iter()
        .map(|o| o["categories"]["email"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(emails, 10, "{items:?}");
    assert!(
        items[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("share/letter.doc!@")
    );
    assert_eq!(items[0]["encoding"], "UTF-16LE");
}

/// Outlook items saved from a mailbox (`.msg`): a mail in UTF-16 with its correspondents, a
/// customer list attached in Shift_JIS, a zip holding another list, and a forwarded mail
/// attached as an item (8-bit strings in code page 932, its own attachment); and a contact
/// (names, reading, sex, birthday, mobile, home address, e-mail). Carved as before, the
/// attachments were lost and the text was cut at the compound file's sectors.
#[test]
fn reads_outlook_messages_and_contacts() {
    use kizuki_core::Category;
    use synth::{MsgPart, MsgSpec};
    let sb = Sandbox::new();
    let (text, truth) = synth::persons_text(48, 12, Form::Text);
    let (fwd_text, fwd_truth) = synth::persons_text(49, 9, Form::Text);
    let list = synth::persons_file(50, 20, Form::Csv, encoding_rs::SHIFT_JIS);
    let inner = synth::persons_file(51, 15, Form::Csv, encoding_rs::UTF_8);
    let zip = synth::zip_of(&[("顧客/一覧.csv", &inner.data)]).unwrap();
    let fwd = MsgSpec {
        unicode: false,
        strings: vec![
            (0x0037, "FW: 名簿".into()),
            (0x0C1A, "総務部".into()),
            (0x5D01, "soumu@partner-air.co.jp".into()),
            (0x1000, fwd_text.clone()),
        ],
        attachments: vec![MsgPart::File("再送.csv".into(), list.data.clone())],
        ..MsgSpec::default()
    };
    let mail = MsgSpec {
        unicode: true,
        strings: vec![
            (0x0037, "顧客リスト送付".into()),
            (0x0C1A, "山田 太郎".into()),
            (0x5D01, "yamada@sample-travel.co.jp".into()),
            (0x1000, text.clone()),
        ],
        recipients: vec![
            (1, "佐藤 花子".into(), "sato@partner-air.co.jp".into()),
            (2, "eigyo".into(), "eigyo@sample-travel.co.jp".into()),
        ],
        attachments: vec![
            MsgPart::File("顧客/リスト.csv".into(), list.data.clone()),
            MsgPart::File("archive.zip".into(), zip),
            MsgPart::Item("FW: 名簿".into(), fwd),
        ],
        ..MsgSpec::default()
    };
    sb.write("outlook/送付.msg", synth::msg_of(&mail).unwrap());
    let items = scan_found(&sb, "outlook/送付.msg");
    let get = |path: &str| object(&items, path);
    assert_eq!(items.len(), 5, "{items:#?}");

    // The body, plus the correspondents: three addresses, two names in kanji.
    let m = get("outlook/送付.msg");
    assert_eq!(m["encoding"], "UTF-16LE");
    assert_mail_body(&m, &truth, 3, 2);
    // Attachments as files: a `/` of the name is no path separator.
    for (path, g) in [
        ("outlook/送付.msg!顧客_リスト.csv", &list),
        ("outlook/送付.msg!archive.zip!顧客/一覧.csv", &inner),
        ("outlook/送付.msg!FW: 名簿!再送.csv", &list),
    ] {
        assert_counts(&get(path), path, g.persons, &g.truth);
    }
    let f = get("outlook/送付.msg!FW: 名簿");
    assert_eq!(f["encoding"], "Shift_JIS");
    assert_eq!(
        n(&f, Category::Email),
        want(&fwd_truth, Category::Email) + 1
    );
    for c in [Category::Phone, Category::Address, Category::NameKana] {
        assert_eq!(n(&f, c), want(&fwd_truth, c), "{c}");
    }

    // A contact: every field once, under its label.
    let mut rng = kizuki_core::rng::Rng::new(52);
    let p = synth::Person::random(&mut rng);
    sb.write(
        "outlook/contact.msg",
        synth::msg_of(&synth::contact_msg(&p)).unwrap(),
    );
    let items = scan_found(&sb, "outlook/contact.msg");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    for c in [
        Category::NameKanji,
        Category::NameKana,
        Category::Gender,
        Category::BirthDate,
        Category::Phone,
        Category::PostalCode,
        Category::Address,
        Category::Email,
    ] {
        assert_eq!(n(o, c), 1, "{c}: {o}");
    }
    assert_eq!(o["persons_estimate"], 1);
}

/// A Word 97-2003 document (`.doc`) on the share: a memo with a customer table (header
/// row, one row per person) and a letter's paragraphs. Carved, the table's cells ran
/// together without the header above them; read from the piece table and the paragraph
/// properties, its rows are records and its columns are classified by their headers.
#[test]
fn reads_word_97_documents_with_their_tables() {
    use kizuki_core::Category;
    use synth::DocPart;
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(53, 25, Form::Csv);
    let (letter, letter_truth) = synth::persons_text(54, 4, Form::Text);
    let mut parts = vec![DocPart::Para("顧客一覧（社外秘）".into())];
    parts.extend(
        csv.lines()
            .map(|l| DocPart::Row(l.split(',').map(str::to_string).collect())),
    );
    parts.extend(letter.lines().map(|l| DocPart::Para(l.into())));
    sb.write("share/顧客管理.doc", synth::doc_of(&parts, false).unwrap());
    let items = scan_found(&sb, "share/顧客管理.doc");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["path"], "share/顧客管理.doc");
    assert_eq!(o["encoding"], "UTF-16LE");
    assert_eq!(o["records"], 25);
    assert_eq!(o["columns"]["氏名"], "name_kanji");
    assert_eq!(o["columns"]["フリガナ"], "name_kana");
    for c in Category::ALL {
        let want = truth.get(&c).copied().unwrap_or(0) + letter_truth.get(&c).copied().unwrap_or(0);
        assert_eq!(o["categories"][c.id()].as_u64().unwrap_or(0), want, "{c}");
    }
}

/// RTF documents (a customer table and a letter), their Japanese in Shift_JIS escapes or in
/// Unicode escapes: read as text with a table, every value counted as in the CSV. Read as
/// text before, their Japanese was escapes: no name, address or date in kanji was found.
#[test]
fn reads_rtf_documents_in_their_code_pages() {
    use kizuki_core::Category;
    use synth::DocPart;
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(55, 25, Form::Csv);
    let (letter, letter_truth) = synth::persons_text(56, 4, Form::Text);
    let mut parts = vec![DocPart::Para(
        "顧客一覧 {HYPERLINK \"mailto:x@example.jp\"|担当}".into(),
    )];
    parts.extend(
        csv.lines()
            .map(|l| DocPart::Row(l.split(',').map(str::to_string).collect())),
    );
    parts.extend(letter.lines().map(|l| DocPart::Para(l.into())));
    for (name, unicode) in [("sjis.rtf", false), ("unicode.rtf", true)] {
        sb.write(&format!("share/{name}"), synth::rtf_of(&parts, unicode));
        let items = scan_found(&sb, &format!("share/{name}"));
        assert_eq!(items.len(), 1, "{items:?}");
        let o = &items[0];
        assert_eq!(o["encoding"], "Shift_JIS");
        assert_eq!(o["records"], 25, "{name}");
        assert_eq!(o["columns"]["氏名"], "name_kanji", "{name}");
        for c in Category::ALL {
            assert_eq!(
                n(o, c),
                want(&truth, c) + want(&letter_truth, c),
                "{name} {c}"
            );
        }
    }
}

/// A rich-text mail as Exchange sends it outside: its body and attachments in `winmail.dat`
/// (TNEF). Scanned as a file, `winmail.dat` was binary and the list attached in it was lost.
#[test]
fn reads_winmail_dat_in_a_mail() {
    use kizuki_core::Category;
    use kizuki_mail::synth::{self as msynth, Attachment, Eol};
    use synth::{MsgPart, MsgSpec};
    let sb = Sandbox::new();
    let (text, truth) = synth::persons_text(58, 6, Form::Text);
    let list = synth::persons_file(59, 30, Form::Csv, encoding_rs::SHIFT_JIS);
    let tnef = synth::tnef_of(&MsgSpec {
        unicode: false,
        strings: vec![(0x0037, "顧客リスト".into()), (0x1000, text.clone())],
        attachments: vec![
            MsgPart::File("顧客リスト.csv".into(), list.data.clone()),
            MsgPart::Item(
                "FW: 名簿".into(),
                MsgSpec {
                    unicode: true,
                    strings: vec![(0x1000, "転送します".into())],
                    attachments: vec![MsgPart::File("再送.csv".into(), list.data.clone())],
                    ..MsgSpec::default()
                },
            ),
        ],
        ..MsgSpec::default()
    });
    // Saved from the mail as a file: read the same way.
    sb.write("mail/winmail.dat", &tnef);
    let saved = scan_found(&sb, "mail/winmail.dat");
    assert_eq!(
        object(&saved, "mail/winmail.dat!顧客リスト.csv")["records"],
        30
    );
    let mut m = msynth::reference_spec();
    m.text = "(本文は添付をご覧ください)".into();
    m.attachments = vec![Attachment {
        name: "winmail.dat".into(),
        ctype: "application/ms-tnef".into(),
        data: tnef,
    }];
    sb.write("mail/rich.eml", msynth::render(&m, Eol::Crlf));
    let items = scan_found(&sb, "mail/rich.eml");
    let body = object(&items, "mail/rich.eml!winmail.dat");
    assert_eq!(body["encoding"], "Shift_JIS");
    for c in Category::ALL {
        assert_eq!(n(&body, c), want(&truth, c), "{c}");
    }
    for path in [
        "mail/rich.eml!winmail.dat!顧客リスト.csv",
        "mail/rich.eml!winmail.dat!FW: 名簿!再送.csv",
    ] {
        assert_counts(&object(&items, path), path, 30, &list.truth);
    }
}

/// A mailbox as a mail client exports it: a UTF-8 body in base64 with a customer list in
/// Shift_JIS attached, a body in ISO-2022-JP, and that message forwarded as an attachment.
/// Read as text, the base64 hid the body and the list.
#[test]
fn reads_mailboxes_as_mail() {
    use kizuki_core::Category;
    use kizuki_mail::synth::{self as msynth, Attachment, Eol};
    let sb = Sandbox::new();
    let (text, truth) = synth::persons_text(45, 12, Form::Text);
    let (jis_text, jis_truth) = synth::persons_text(47, 8, Form::Text);
    let list = synth::persons_file(46, 20, Form::Csv, encoding_rs::SHIFT_JIS);
    let spec = |from_name: &str, body: &str, jis: bool, attachments: Vec<Attachment>| {
        let mut m = msynth::reference_spec();
        m.from_name = from_name.into();
        m.from_addr = "sato@partner-air.co.jp".into();
        m.to = "eigyo@sample-travel.co.jp".into();
        m.text = body.into();
        m.jis = jis;
        m.attachments = attachments;
        msynth::render(&m, Eol::Crlf)
    };
    let a = spec(
        "山田 太郎",
        &text,
        false,
        vec![Attachment {
            name: "顧客リスト.csv".into(),
            ctype: "text/csv; charset=Shift_JIS".into(),
            data: list.data.clone(),
        }],
    );
    let b = spec("総務部", &jis_text, true, Vec::new());
    let c = spec(
        "総務部",
        "転送します。",
        false,
        vec![Attachment {
            name: "fwd.eml".into(),
            ctype: "message/rfc822".into(),
            data: b.clone(),
        }],
    );
    sb.write("export/inbox.mbox", msynth::to_mbox(&[a, b, c]));
    let items = scan_found(&sb, "export/inbox.mbox");
    let get = |path: &str| object(&items, path);

    // The body, plus the correspondents: two addresses and the sender's name.
    let first = get("export/inbox.mbox#1");
    assert_mail_body(&first, &truth, 2, 1);
    let csv = "export/inbox.mbox#1!顧客リスト.csv";
    assert_counts(&get(csv), csv, 20, &list.truth);
    for path in ["export/inbox.mbox#2", "export/inbox.mbox#3!fwd.eml"] {
        let o = get(path);
        assert_eq!(o["encoding"], "ISO-2022-JP", "{path}");
        assert_eq!(
            n(&o, Category::Email),
            want(&jis_truth, Category::Email) + 2,
            "{path}"
        );
        for c in [Category::Phone, Category::Address, Category::NameKana] {
            assert_eq!(n(&o, c), want(&jis_truth, c), "{path} {c}");
        }
    }
}

/// A customer list copied from a spreadsheet and pasted into a mail's body (cells between
/// tabs, as Excel puts a range on the clipboard), or sent as a table in an HTML body: read as
/// a table, so the names, kana and dates in its columns count without a keyword beside them,
/// and its rows are `records`.
#[test]
fn reads_a_range_pasted_into_a_mail() {
    use kizuki_core::Category;
    use kizuki_mail::synth::{self as msynth, Eol};
    let sb = Sandbox::new();
    let (range, truth) = synth::persons_text(48, 20, Form::Tsv);
    let mut m = msynth::reference_spec();
    m.from_name = "総務部".into();
    m.from_addr = "somu@partner-air.co.jp".into();
    m.to = "eigyo@sample-travel.co.jp".into();
    m.text = format!(
        "営業部 各位\n\nお世話になっております。\n対象のお客様は以下のとおりです。\n\n{range}\nご確認をお願いいたします。\n"
    );
    m.attachments = Vec::new();
    sb.write("mail/list.eml", msynth::render(&m, Eol::Crlf));
    let items = scan_found(&sb, "mail/list.eml");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["records"], 20, "{o}");
    let n = |c: Category| o["categories"][c.id()].as_u64().unwrap_or(0);
    for (c, k) in &truth {
        // The correspondents' two addresses besides the list's.
        let k = if *c == Category::Email { k + 2 } else { *k };
        assert_eq!(n(*c), k, "{c}: {o}");
    }
    let columns = o["columns"].to_string();
    for name in ["氏名", "フリガナ", "生年月日", "旅券番号"] {
        assert!(columns.contains(name), "{name}: {columns}");
    }

    // The same list as a table in a mail with an HTML body only (no text alternative): the
    // body is read as a page, its table as a table.
    let rows: String = range
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let tag = if i == 0 { "th" } else { "td" };
            let cells: String = l
                .split('\t')
                .map(|c| format!("<{tag}>{c}</{tag}>"))
                .collect();
            format!("<tr>{cells}</tr>\n")
        })
        .collect();
    m.text = String::new();
    m.html = format!(
        "<html><body><p>営業部 各位</p><p>対象のお客様は以下のとおりです。</p>\n<table border=\"1\">\n{rows}</table>\n<p>ご確認をお願いいたします。</p></body></html>\n"
    );
    sb.write("mail/list-html.eml", msynth::render(&m, Eol::Crlf));
    let items = scan_found(&sb, "mail/list-html.eml");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["records"], 20, "{o}");
    for (c, k) in &truth {
        let k = if *c == Category::Email { k + 2 } else { *k };
        assert_eq!(o["categories"][c.id()].as_u64().unwrap_or(0), k, "{c}: {o}");
    }
}

/// A PDF of customer letters (fonts with `ToUnicode` CMaps and with Shift_JIS codes, pages in
/// an object stream): every value the text holds is found.
#[test]
fn reads_the_text_of_pdfs() {
    let sb = Sandbox::new();
    let (text, truth) = synth::persons_text(48, 30, Form::Text);
    let lines: Vec<&str> = text.lines().collect();
    sb.write("share/letters.pdf", synth::pdf_of(&lines).unwrap());
    let items = scan_found(&sb, "share/letters.pdf");
    assert_eq!(items.len(), 1, "{items:?}");
    let o = &items[0];
    assert_eq!(o["path"], "share/letters.pdf");
    for (c, n) in &truth {
        assert_eq!(o["categories"][c.id()], *n, "{c}");
    }
    // A text that mentions a PDF header near its start is still read as text.
    let mut notes = b"converted with %PDF-1.4 export\n".to_vec();
    notes.extend_from_slice(text.as_bytes());
    sb.write("share/notes.txt", notes);
    let items = scan_found(&sb, "share/notes.txt");
    assert_eq!(
        items[0]["categories"]["email"],
        truth[&kizuki_core::Category::Email]
    );
}

#[test]
fn no_unmasked_value_without_reveal() {
    let sb = Sandbox::new();
    let (text, _) = synth::persons_text(42, 30, Form::Csv);
    sb.write("restored.csv", text.as_bytes());
    let values: Vec<&str> = text
        .lines()
        .skip(1)
        .flat_map(|l| l.split(','))
        .filter(|v| v.chars().count() >= 4)
        .collect();
    assert!(values.len() > 100);
    for format in ["json", "text"] {
        let out = sb
            .cmd()
            .args(["--format", format, "pii", "scan", "restored.csv"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let s = String::from_utf8(out).unwrap();
        for v in &values {
            assert!(!s.contains(v), "{format} output shows {v}");
        }
    }
    let revealed = sb
        .cmd()
        .args([
            "--format",
            "json",
            "pii",
            "scan",
            "--reveal",
            "restored.csv",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(revealed).unwrap();
    assert!(
        values.iter().any(|v| s.contains(v)),
        "--reveal shows samples"
    );
}

#[test]
fn walks_nested_archives_with_member_paths() {
    let sb = Sandbox::new();
    let g = sjis_csv();
    let inner = synth::zip_of(&[("db/customers.csv", &g.data)]).unwrap();
    let tar = synth::tar_of(&[("export/inner.zip", &inner)]).unwrap();
    sb.write("dump.tar.gz", synth::gzip_of(&tar).unwrap());
    let items = scan_found(&sb, ".");
    assert_eq!(items.len(), 1, "{items:?}");
    let p = items[0]["path"].as_str().unwrap();
    assert!(
        p.ends_with("dump.tar.gz!dump.tar!export/inner.zip!db/customers.csv"),
        "{p}"
    );
    assert_eq!(items[0]["records"], 30);
}

#[test]
fn decoys_exit_zero_and_filters_apply() {
    let sb = Sandbox::new();
    sb.write("app.log", synth::decoys_text(3, 300));
    sb.write("orders.csv", synth::decoys_csv(4, 100));
    sb.cmd()
        .args(["--format", "json", "pii", "scan", "app.log", "orders.csv"])
        .assert()
        .code(0)
        .stdout("");
    sb.write("restored.csv", sjis_csv().data);
    let out = sb
        .cmd()
        .args([
            "--format",
            "json",
            "pii",
            "scan",
            "--categories",
            "email,phone",
            "restored.csv",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let items = json_lines(&out);
    let cats = items[0]["categories"].as_object().unwrap();
    assert_eq!(cats.len(), 2);
    // The columns listed are those of the categories asked for, as the counts are.
    let columns = items[0]["columns"].as_object().unwrap();
    let listed: Vec<&str> = columns.values().filter_map(|v| v.as_str()).collect();
    assert_eq!(listed, ["email", "phone"], "{columns:?}");
    sb.cmd()
        .args(["pii", "scan", "--min-count", "100000", "restored.csv"])
        .assert()
        .code(0);
}

/// A large table and a large text are read on every thread (chunks read apart, the text
/// decoded on one thread while another reads it): what is printed is what one thread
/// prints, to the sample and the persons estimate, for one file and for a directory.
#[test]
fn reads_a_large_file_on_every_thread_as_on_one() {
    let sb = Sandbox::new();
    // A Shift_JIS table and a UTF-8 text of several chunks (1 MiB each) apiece.
    let csv = synth::persons_file(61, 24_000, Form::Csv, encoding_rs::SHIFT_JIS);
    let notes = synth::persons_file(62, 12_000, Form::Text, encoding_rs::UTF_8);
    assert!(csv.data.len() > 3 << 20 && notes.data.len() > 3 << 20);
    sb.write("big/restored.csv", &csv.data);
    sb.write("big/notes.txt", &notes.data);
    sb.write("big/small.csv", &sjis_csv().data);
    // A dump and JSON Lines, as a database or mongoexport writes them.
    let dump = synth::dump_of(
        &synth::persons_text(63, 16_000, Form::Csv).0,
        synth::Dumped::Mysql,
    );
    let jsonl = synth::persons_file(64, 12_000, Form::Jsonl, encoding_rs::UTF_8);
    assert!(dump.len() > 3 << 20 && jsonl.data.len() > 3 << 20);
    sb.write("big/restored.sql", dump.as_bytes());
    sb.write("big/export.jsonl", &jsonl.data);
    // And a JSON document, as an API returns one (pretty-printed, nested).
    let doc = synth::persons_file(65, 12_000, Form::Json, encoding_rs::UTF_8);
    assert!(doc.data.len() > 3 << 20);
    sb.write("big/customers.json", &doc.data);
    let run = |threads: &str, path: &str| {
        sb.cmd()
            .env("RAYON_NUM_THREADS", threads)
            .args(["--format", "json", "pii", "scan", "--reveal", path])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    for path in [
        "big/restored.csv",
        "big/notes.txt",
        "big/restored.sql",
        "big/export.jsonl",
        "big/customers.json",
        "big",
    ] {
        let one = run("1", path);
        let items = json_lines(&one);
        assert!(!items.is_empty(), "{path}");
        for threads in ["2", "4"] {
            let many = run(threads, path);
            assert_eq!(
                String::from_utf8_lossy(&many),
                String::from_utf8_lossy(&one),
                "{path}, {threads} threads"
            );
        }
    }
    let items = json_lines(&run("2", "big/restored.csv"));
    assert_eq!(items[0]["records"], 24_000);
    // (A few generated persons share a name and an e-mail.)
    let persons = items[0]["persons_estimate"].as_u64().unwrap_or(0);
    assert!((23_900..=24_000).contains(&persons), "{persons}");
    for (c, n) in &csv.truth {
        assert_eq!(items[0]["categories"][c.id()], *n, "{c}");
    }
    // Two tables and the small one's two rows; every record of the export.
    assert_eq!(
        json_lines(&run("2", "big/restored.sql"))[0]["records"],
        16_002
    );
    let items = json_lines(&run("2", "big/export.jsonl"));
    assert_eq!(items[0]["records"], 12_000);
    for (c, n) in &jsonl.truth {
        assert_eq!(items[0]["categories"][c.id()], *n, "{c}");
    }
    let items = json_lines(&run("2", "big/customers.json"));
    assert_eq!(items[0]["records"], 12_000);
    for (c, n) in &doc.truth {
        assert_eq!(items[0]["categories"][c.id()], *n, "{c}");
    }
}

/// A disk image is carved in segments of 64 MiB on every thread, and with a ledger each
/// segment is recorded as it is carved: a scan that crashes inside an image goes on after
/// the segments recorded, and prints what one uninterrupted run prints (which is what one
/// thread prints).
#[test]
fn resumes_inside_a_disk_image_after_a_crash() {
    use std::io::{Seek, SeekFrom, Write};
    let sb = Sandbox::new();
    // 200 MiB, sparse: files at offsets in four segments, zeros between.
    let img = sb.path().join("disk.dd");
    let mut f = std::fs::File::create(&img).unwrap();
    f.set_len(200 << 20).unwrap();
    let texts = [
        (
            1 << 20,
            synth::persons_file(61, 400, Form::Csv, encoding_rs::SHIFT_JIS).data,
        ),
        (
            (64 << 20) - 20_000,
            synth::persons_file(62, 300, Form::Text, encoding_rs::UTF_8).data,
        ),
        (
            70 << 20,
            synth::persons_file(63, 200, Form::Csv, encoding_rs::EUC_JP).data,
        ),
        (
            130 << 20,
            synth::persons_file(64, 300, Form::Csv, encoding_rs::UTF_8).data,
        ),
        (
            199 << 20,
            synth::persons_file(65, 100, Form::Text, encoding_rs::SHIFT_JIS).data,
        ),
    ];
    for (at, data) in &texts {
        f.seek(SeekFrom::Start(*at)).unwrap();
        f.write_all(data).unwrap();
    }
    drop(f);
    let scan = |threads: &str, crash: Option<&str>| {
        let mut c = sb.cmd();
        c.env("RAYON_NUM_THREADS", threads);
        if let Some(n) = crash {
            c.env("KIZUKI_TEST_CRASH_AFTER", n);
        }
        c.args(["-v", "--format", "json", "pii", "scan"]);
        if crash.is_some() || threads == "2" {
            c.args(["--resume", "state.db"]);
        }
        c.arg("disk.dd");
        c.output().unwrap()
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let one = scan("1", None);
    assert_eq!(one.status.code(), Some(1), "{}", text(&one.stderr));
    let found = json_lines(&one.stdout);
    let paths: Vec<&str> = found.iter().map(|i| i["path"].as_str().unwrap()).collect();
    let expect: Vec<String> = texts
        .iter()
        .map(|(at, _)| format!("disk.dd!@{at}"))
        .collect();
    assert_eq!(paths, expect);
    assert_eq!(found[0]["records"], 400);
    assert_eq!(found[0]["encoding"], "Shift_JIS");
    assert_eq!(found[2]["encoding"], "EUC-JP");

    // Two threads, a crash once two segments are recorded.
    let crashed = scan("2", Some("2"));
    assert_eq!(crashed.status.code(), None, "{}", text(&crashed.stderr));
    let conn = rusqlite::Connection::open(sb.path().join("state.db")).unwrap();
    let parts: Vec<(i64, i64)> = conn
        .prepare("SELECT start, stop FROM part ORDER BY start")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts[0].0, 0);
    assert_eq!(parts[0].1, parts[1].0);
    // The text across the first boundary is in the first segment.
    assert!(
        parts[0].1 > (64 << 20) && parts[1].1 >= (128 << 20),
        "{parts:?}"
    );

    let resumed = scan("2", None);
    assert_eq!(resumed.status.code(), Some(1));
    assert_eq!(text(&resumed.stdout), text(&one.stdout));
    let log = text(&resumed.stderr);
    assert!(
        log.contains("recorded=1 from_ledger=0 segments_recorded=1 segments_from_ledger=2"),
        "{log}"
    );
    // Recorded whole: its segments are gone, and nothing is carved again.
    let again = scan("2", None);
    assert_eq!(text(&again.stdout), text(&one.stdout));
    assert!(
        text(&again.stderr).contains("recorded=0 from_ledger=1 segments_recorded=0"),
        "{}",
        text(&again.stderr)
    );

    // The same disk as an EnCase image (opened once, read from both threads): the same
    // objects.
    let out = std::process::Command::new("ewfacquire")
        .args(["-u", "-q", "-c", "deflate:fast", "-t"])
        .arg(sb.path().join("disk"))
        .arg(&img)
        .output()
        .expect("ewfacquire missing: scripts/setup installs ewf-tools");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut c = sb.cmd();
    c.env("RAYON_NUM_THREADS", "2")
        .args(["--format", "json", "pii", "scan", "disk.E01"]);
    let e01 = c.output().unwrap();
    assert_eq!(
        text(&e01.stdout),
        text(&one.stdout).replace("disk.dd!", "disk.E01!")
    );
}

/// A scan with a ledger (`--resume STATE`) that crashes goes on where it stopped: the files
/// read before are not read again, and what the run prints is what one uninterrupted run
/// prints, in either format. A file changed since, or one that could not be read, is read
/// again; another scan's ledger is refused; the ledger holds no value unmasked.
#[test]
fn resumes_a_scan_after_a_crash() {
    let sb = Sandbox::new();
    for i in 0..12u64 {
        let (form, ext) = if i % 3 == 0 {
            (Form::Text, "txt")
        } else {
            (Form::Csv, "csv")
        };
        let enc = if i % 2 == 0 {
            encoding_rs::SHIFT_JIS
        } else {
            encoding_rs::UTF_8
        };
        let g = synth::persons_file(70 + i, 30, form, enc);
        sb.write(&format!("share/{i:02}.{ext}"), &g.data);
    }
    sb.write("share/zz/orders.log", synth::decoys_text(5, 200));
    let scan = |args: &[&str]| {
        let mut c = sb.cmd();
        c.args(args);
        c.output().unwrap()
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let json = ["-v", "--format", "json", "pii", "scan"];
    let full = scan(&["--format", "json", "pii", "scan", "share"]);
    assert_eq!(full.status.code(), Some(1));
    assert_eq!(json_lines(&full.stdout).len(), 12);

    // A crash (the process aborts, as on a fault) once five files are recorded.
    let mut c = sb.cmd();
    c.env("KIZUKI_TEST_CRASH_AFTER", "5")
        .args(json)
        .args(["--resume", "state.db", "share"]);
    let crashed = c.output().unwrap();
    assert_eq!(crashed.status.code(), None, "{}", text(&crashed.stderr));
    let done = |sb: &Sandbox| -> i64 {
        let conn = rusqlite::Connection::open(sb.path().join("state.db")).unwrap();
        conn.query_row("SELECT count(*) FROM done", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(done(&sb), 5);

    let resume = |extra: &[&str]| {
        let mut args = json.to_vec();
        args.extend(["--resume", "state.db"]);
        args.extend(extra);
        args.push("share");
        scan(&args)
    };
    let resumed = resume(&[]);
    assert_eq!(resumed.status.code(), Some(1));
    assert_eq!(text(&resumed.stdout), text(&full.stdout));
    let log = text(&resumed.stderr);
    assert!(log.contains("recorded=8 from_ledger=5"), "{log}");
    // Once done, nothing is read again.
    let again = resume(&[]);
    assert_eq!(text(&again.stdout), text(&full.stdout));
    assert!(text(&again.stderr).contains("recorded=0 from_ledger=13"));
    // Text output from the ledger is the text a fresh scan prints.
    let fresh_text = scan(&["pii", "scan", "share"]);
    let ledger_text = scan(&["pii", "scan", "--resume", "state.db", "share"]);
    assert_eq!(text(&ledger_text.stdout), text(&fresh_text.stdout));
    assert!(text(&fresh_text.stdout).contains("share/05.csv"));

    // A file changed since it was recorded is read again.
    let changed = synth::persons_file(99, 50, Form::Csv, encoding_rs::UTF_8);
    sb.write("share/04.csv", &changed.data);
    let fresh = scan(&["--format", "json", "pii", "scan", "share"]);
    let resumed = resume(&[]);
    assert_eq!(text(&resumed.stdout), text(&fresh.stdout));
    assert_ne!(text(&resumed.stdout), text(&full.stdout));
    assert!(text(&resumed.stderr).contains("recorded=1 from_ledger=12"));

    // A path that cannot be read is not recorded: it is tried again.
    let missing = resume(&["later.csv"]);
    assert!(text(&missing.stderr).contains("later.csv"));
    assert!(text(&missing.stderr).contains("recorded=0 from_ledger=13"));
    sb.write("later.csv", sjis_csv().data);
    let found = resume(&["later.csv"]);
    assert!(text(&found.stderr).contains("recorded=1 from_ledger=13"));
    assert!(text(&found.stdout).contains("\"path\":\"later.csv\""));

    // A ledger kept in the directory scanned is not scanned (it changes as the scan goes).
    let with_ledger = |state: &str, dir: &str| {
        let mut args = json.to_vec();
        args.extend(["--resume", state, dir]);
        scan(&args)
    };
    let inside = with_ledger("share/state.db", "share");
    assert_eq!(text(&inside.stdout), text(&fresh.stdout));
    assert!(text(&inside.stderr).contains("recorded=13 from_ledger=0"));
    assert!(sb.path().join("share/state.db").is_file());
    let again = with_ledger("./share/state.db", "share/");
    assert!(
        text(&again.stderr).contains("recorded=0 from_ledger=13"),
        "{}",
        text(&again.stderr)
    );
    std::fs::remove_file(sb.path().join("share/state.db")).unwrap();

    // Another scan's ledger: one error line naming the file and what differs.
    let other = resume(&["--reveal"]);
    assert_eq!(other.status.code(), Some(2));
    let err = text(&other.stderr);
    assert!(
        err.contains("state.db") && err.contains("reveal false there, reveal true here"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(other.stdout.is_empty());

    // The ledger holds what the output holds: no sample unmasked, and only its owner reads it.
    let revealed = scan(&["--format", "json", "pii", "scan", "--reveal", "share"]);
    let mut stored = Vec::new();
    for f in ["state.db", "state.db-wal"] {
        if let Ok(b) = std::fs::read(sb.path().join(f)) {
            stored.extend(b);
        }
    }
    let stored = String::from_utf8_lossy(&stored).into_owned();
    let mut checked = 0;
    for item in json_lines(&revealed.stdout) {
        for values in item["samples"].as_object().unwrap().values() {
            for v in values.as_array().unwrap() {
                let v = v.as_str().unwrap();
                assert!(!stored.contains(v), "{v} unmasked in the ledger");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path().join("state.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn missing_path_is_an_error() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["pii", "scan", "nope.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nope.csv"));
}

/// A PostgreSQL server of the test's own (the Debian package's binaries; scripts/setup
/// installs `postgresql`): a cluster made by `initdb` in a fresh directory, listening on a
/// Unix socket there only, autovacuum off (deleted rows stay in their pages until a vacuum).
/// When the test runs as root (CI) the server runs as the `postgres` user: PostgreSQL
/// refuses root. Stopped when dropped.
struct Postgres {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    as_postgres: bool,
}

impl Postgres {
    fn start() -> Self {
        let mut bins: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL missing: scripts/setup installs postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").is_file())
            .collect();
        bins.sort();
        let bin = bins.pop().expect("no initdb under /usr/lib/postgresql");
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let dir = tempfile::tempdir().expect("tempdir");
        if root {
            run_ok(
                std::process::Command::new("chown")
                    .args(["-R", "postgres"])
                    .arg(dir.path()),
            );
        }
        let pg = Postgres {
            dir,
            bin,
            as_postgres: root,
        };
        let data = pg.data();
        run_ok(
            pg.cmd("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "-N",
                    "-D",
                ])
                .arg(&data),
        );
        let opts = format!(
            "-k {} -c listen_addresses= -c autovacuum=off -c fsync=off",
            pg.dir.path().display()
        );
        run_ok(
            pg.cmd("pg_ctl")
                .args(["-w", "-D"])
                .arg(&data)
                .args(["-o", &opts, "-l"])
                .arg(pg.dir.path().join("log"))
                .arg("start"),
        );
        pg
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn cmd(&self, prog: &str) -> std::process::Command {
        let exe = self.bin.join(prog);
        if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            std::process::Command::new(exe)
        }
    }

    /// Runs `sql` in database `db` (a file of statements, written where the server's user
    /// can read it): what it printed, unaligned.
    fn sql(&self, db: &str, sql: &str) -> String {
        let file = self.dir.path().join("statements.sql");
        std::fs::write(&file, format!("SET client_encoding = 'UTF8';\n{sql}"))
            .expect("write statements");
        if self.as_postgres {
            run_ok(
                std::process::Command::new("chown")
                    .arg("postgres")
                    .arg(&file),
            );
        }
        let out = run_ok(
            self.cmd("psql")
                .arg("-h")
                .arg(self.dir.path())
                .args([
                    "-U",
                    "postgres",
                    "-d",
                    db,
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-qAt",
                    "-f",
                ])
                .arg(&file),
        );
        String::from_utf8(out.stdout).expect("psql prints UTF-8")
    }

    /// Stops the server (a fast shutdown writes every page to its file first).
    fn stop(&self) {
        run_ok(
            self.cmd("pg_ctl")
                .args(["-w", "-m", "fast", "-D"])
                .arg(self.data())
                .arg("stop"),
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .output();
    }
}

/// A SQL string literal of `s` (`NULL` when empty).
fn sql_quote(s: &str) -> String {
    if s.is_empty() {
        "NULL".to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// `INSERT` statements for the persons of a CSV (header and rows) into `table`, with typed
/// columns between the text ones (a serial id, points, a flag, a timestamp, a date, an
/// amount, a UUID) and, in every seventh row, a note long enough for a 4-byte length.
fn pg_inserts(table: &str, csv: &str) -> String {
    let quote = sql_quote;
    let mut out = String::new();
    for (i, line) in csv.lines().skip(1).enumerate() {
        let c: Vec<&str> = line.split(',').collect();
        let note = if i % 7 == 0 {
            "備考なし。".repeat(30)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "INSERT INTO {table} (氏名, points, フリガナ, vip, ローマ字, 性別, created, 生年月日, メール, amount, 郵便番号, 住所, member_since, 電話番号, token, 旅券番号, 旅券発行日, note) VALUES ({}, {}, {}, {}, {}, {}, now(), {}, {}, {}.5, {}, {}, DATE '2020-01-01' + {}, {}, gen_random_uuid(), {}, {}, {});\n",
            quote(c[0]), i * 3, quote(c[1]), i % 2 == 0, quote(c[2]), quote(c[3]), quote(c[4]), quote(c[5]), i, quote(c[6]), quote(c[7]), i, quote(c[8]), quote(c[9]), quote(c[10]), quote(&note)
        ));
    }
    out
}

/// `mysqldump --tab` output (a `.sql` with the `CREATE TABLE`, a `.txt` of tab-separated
/// rows without a header, `\N` for NULL), in UTF-8 and in CP932: the rows read under the
/// table's columns; the `.txt` alone reads as a table without a header.
#[test]
fn reads_mysqldump_tab_files() {
    let (csv, truth) = synth::persons_text(87, 200, Form::Csv);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let defs: String = header
        .iter()
        .map(|h| format!("  `{h}` varchar(255) DEFAULT NULL,\n"))
        .collect();
    let sql = format!(
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: shop\n\
         DROP TABLE IF EXISTS `customers`;\n/*!50503 SET character_set_client = utf8mb4 */;\n\
         CREATE TABLE `customers` (\n  `id` int NOT NULL AUTO_INCREMENT,\n{defs}  PRIMARY KEY (`id`)\n\
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n"
    );
    let rows: String = lines
        .enumerate()
        .map(|(i, l)| {
            let cells: Vec<&str> = l
                .split(',')
                .map(|c| if c.is_empty() { "\\N" } else { c })
                .collect();
            format!("{}\t{}\n", i + 1, cells.join("\t"))
        })
        .collect();
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path().join("utf8")).unwrap();
    std::fs::create_dir_all(sb.path().join("sjis")).unwrap();
    std::fs::create_dir_all(sb.path().join("alone")).unwrap();
    sb.write("utf8/customers.sql", &sql);
    sb.write("utf8/customers.txt", &rows);
    let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
    sb.write("sjis/customers.sql", sjis(&sql));
    sb.write("sjis/customers.txt", sjis(&rows));
    sb.write("alone/customers.txt", &rows);
    // A text beside a schema: read as a text (its rows are not the table's).
    std::fs::create_dir_all(sb.path().join("project")).unwrap();
    sb.write("project/customers.sql", &sql);
    sb.write(
        "project/customers.txt",
        "担当: 山田 太郎 taro.yamada@example.jp 090-1234-5678\n",
    );
    let items = scan_found(&sb, ".");
    let o = object(&items, "./project/customers.txt");
    assert_eq!(n(&o, kizuki_core::Category::Email), 1, "{o}");
    assert_eq!(o["records"], serde_json::Value::Null, "{o}");
    for (path, enc) in [
        ("./utf8/customers.txt", "UTF-8"),
        ("./sjis/customers.txt", "Shift_JIS"),
    ] {
        let o = object(&items, path);
        assert_counts(&o, path, 200, &truth);
        assert_eq!(o["encoding"], enc, "{path}");
        assert_eq!(o["columns"]["customers.メールアドレス"], "email", "{o}");
        assert_eq!(o["columns"]["customers.旅券番号"], "passport_number", "{o}");
    }
    // Without its definition: columns by number, and what needs a column's name to be told
    // (passport numbers) is not counted.
    let o = object(&items, "./alone/customers.txt");
    assert!(
        o["columns"].get("customers.メールアドレス").is_none(),
        "{o}"
    );
    assert_eq!(n(&o, kizuki_core::Category::PassportNumber), 0, "{o}");
    assert_eq!(items.len(), 4, "{items:?}");
}

/// The person table of the PostgreSQL tests: text columns between typed ones.
const PG_CUSTOMERS: &str = "CREATE TABLE customers (id serial PRIMARY KEY, 氏名 text, points int, フリガナ varchar(80), vip boolean, ローマ字 text, 性別 char(1), created timestamptz, 生年月日 text, メール varchar(254), amount numeric, 郵便番号 char(8), 住所 text, member_since date, 電話番号 text, token uuid, 旅券番号 text, 旅券発行日 text, note text);";

/// Backups made with a real `pg_dump -Fc` (the custom format; compressed, the default, and
/// not), of a UTF-8 and an EUC-JP database, read as the SQL dump of the same tables; a
/// file stored as a large object read as a file; the archive compressed and in a zip.
#[test]
fn reads_pg_dump_custom_archives() {
    let pg = Postgres::start();
    pg.sql(
        "postgres",
        "CREATE DATABASE crm; CREATE DATABASE legacy ENCODING 'EUC_JP' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';",
    );
    let (kept, kept_truth) = synth::persons_text(84, 300, Form::Csv);
    let (old, old_truth) = synth::persons_text(85, 120, Form::Csv);
    let (listed, listed_truth) = synth::persons_text(86, 25, Form::Csv);
    for (db, csv) in [("crm", &kept), ("legacy", &old)] {
        pg.sql(
            db,
            &format!("{PG_CUSTOMERS}\n{}", pg_inserts("customers", csv)),
        );
    }
    let oid = pg
        .sql(
            "crm",
            &format!(
                "SELECT lo_from_bytea(0, convert_to('{}', 'UTF8'));",
                listed.replace('\'', "''")
            ),
        )
        .trim()
        .to_string();
    let dump = |db: &str, extra: &[&str], file: &str| {
        let path = pg.dir.path().join(file);
        run_ok(
            pg.cmd("pg_dump")
                .arg("-h")
                .arg(pg.dir.path())
                .args(["-U", "postgres", "-Fc"])
                .args(extra)
                .arg("-f")
                .arg(&path)
                .arg(db),
        );
        std::fs::read(&path).unwrap()
    };
    let sb = Sandbox::new();
    let crm = dump("crm", &[], "crm.dump");
    sb.write("crm.dump", &crm);
    sb.write("crm0.dump", dump("crm", &["-Z0"], "crm0.dump"));
    sb.write("legacy.dump", dump("legacy", &[], "legacy.dump"));
    sb.write("crm.dump.gz", synth::gzip_of(&crm).unwrap());
    sb.write(
        "backups.zip",
        synth::zip_of(&[("db/crm.dump", &crm)]).unwrap(),
    );
    let items = scan_found(&sb, ".");
    for path in [
        "./crm.dump",
        "./crm0.dump",
        "./crm.dump.gz!crm.dump",
        "./backups.zip!db/crm.dump",
    ] {
        let o = object(&items, path);
        assert_counts(&o, path, 300, &kept_truth);
        assert_eq!(o["encoding"], "UTF-8", "{path}");
        assert_eq!(o["columns"]["customers.メール"], "email", "{o}");
        assert_eq!(o["columns"]["customers.生年月日"], "birth_date", "{o}");
        let lo = object(&items, &format!("{path}!lo/{oid}"));
        assert_counts(&lo, &format!("{path}!lo/{oid}"), 25, &listed_truth);
    }
    let o = object(&items, "./legacy.dump");
    assert_eq!(o["encoding"], "EUC-JP");
    assert_counts(&o, "legacy.dump", 120, &old_truth);
    assert_eq!(items.len(), 9, "{items:?}");
    // Read on one thread, or decompressed on one while others read its rows: the same.
    let on = |threads: &str| {
        sb.cmd()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "--format",
                "json",
                "pii",
                "scan",
                "--reveal",
                "crm.dump",
                "legacy.dump",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(
        String::from_utf8(on("1")).unwrap(),
        String::from_utf8(on("4")).unwrap()
    );

    // The directory format (`-Fd`: `toc.dat`, a gzip file per table) and the tar format
    // (`-Ft`): each table's file read with the columns `toc.dat` gives, the large object's
    // file as a file.
    let dir = pg.dir.path().join("crm.dir");
    run_ok(
        pg.cmd("pg_dump")
            .arg("-h")
            .arg(pg.dir.path())
            .args(["-U", "postgres", "-Fd", "-f"])
            .arg(&dir)
            .arg("crm"),
    );
    let dumps = Sandbox::new();
    std::fs::create_dir(dumps.path().join("crm.dir")).unwrap();
    for f in std::fs::read_dir(&dir).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dumps.path().join("crm.dir").join(f.file_name())).unwrap();
    }
    dumps.write("crm.tar", dump("crm", &["-Ft"], "crm.tar"));
    dumps.write("legacy.tar", dump("legacy", &["-Ft"], "legacy.tar"));
    let items = scan_found(&dumps, ".");
    let table = |prefix: &str, suffix: &str| {
        items
            .iter()
            .find(|o| {
                let p = o["path"].as_str().unwrap();
                p.starts_with(prefix) && p.ends_with(suffix) && o["records"] == 300
            })
            .unwrap_or_else(|| panic!("{prefix}…{suffix}: {items:?}"))
            .clone()
    };
    for (prefix, suffix) in [("./crm.dir/", ".dat.gz"), ("./crm.tar!", ".dat")] {
        let o = table(prefix, suffix);
        assert_counts(&o, prefix, 300, &kept_truth);
        assert_eq!(o["columns"]["customers.メール"], "email", "{o}");
        assert_eq!(o["columns"]["customers.生年月日"], "birth_date", "{o}");
        let lo = items
            .iter()
            .find(|o| {
                let p = o["path"].as_str().unwrap();
                p.starts_with(prefix) && p.contains("blob_")
            })
            .unwrap_or_else(|| panic!("{prefix} blob: {items:?}"));
        assert_eq!(
            n(lo, kizuki_core::Category::Email),
            want(&listed_truth, kizuki_core::Category::Email),
            "{lo}"
        );
    }
    let o = items
        .iter()
        .find(|o| o["path"].as_str().unwrap().starts_with("./legacy.tar!") && o["records"] == 120)
        .unwrap_or_else(|| panic!("{items:?}"));
    assert_eq!(o["encoding"], "EUC-JP");
    assert_counts(o, "legacy.tar", 120, &old_truth);

    // Cut short: what came before the cut, and an error.
    sb.write("cut.dump", &crm[..crm.len() * 2 / 3]);
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "cut.dump"])
        .assert()
        .get_output()
        .clone();
    let items = json_lines(&out.stdout);
    let o = object(&items, "cut.dump");
    assert!(n(&o, kizuki_core::Category::Email) > 50, "{o}");
    assert!(
        items
            .iter()
            .any(|i| i["path"] == "cut.dump" && i.get("error").is_some()),
        "{items:?}"
    );
}

/// The same person table in a real PostgreSQL, read from its files with the server
/// stopped: the rows of `base/<db>/<relfilenode>` as a table (typed columns between the text
/// ones skipped), the deleted rows apart (`!(deleted)`), a database in EUC-JP read as such,
/// and the whole data directory giving the tables alone (the system catalog is not read).
#[test]
fn reads_the_table_files_of_a_postgresql_data_directory() {
    let pg = Postgres::start();
    let table = |db: &str| {
        pg.sql(db, PG_CUSTOMERS);
    };
    pg.sql(
        "postgres",
        "CREATE DATABASE crm; CREATE DATABASE legacy ENCODING 'EUC_JP' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';",
    );
    table("crm");
    table("legacy");
    let (kept, kept_truth) = synth::persons_text(81, 300, Form::Csv);
    let (gone, gone_truth) = synth::persons_text(82, 40, Form::Csv);
    let (old, old_truth) = synth::persons_text(83, 120, Form::Csv);
    pg.sql("crm", &pg_inserts("customers", &kept));
    pg.sql("crm", &pg_inserts("customers", &gone));
    pg.sql("legacy", &pg_inserts("customers", &old));
    // Memos long enough to be compressed in the row (pglz, PostgreSQL's default), each with
    // an e-mail address in it.
    let memos: String = (0..5)
        .map(|i| {
            format!(
                "INSERT INTO memos (body) VALUES ('{}連絡先 memo.owner{i}@example.org まで。{}');\n",
                "定型文です。".repeat(300),
                "以上。".repeat(200)
            )
        })
        .collect();
    pg.sql(
        "crm",
        &format!("CREATE TABLE memos (id serial, body text);\n{memos}"),
    );
    assert_eq!(
        pg.sql(
            "crm",
            "SELECT DISTINCT pg_column_compression(body) FROM memos;"
        )
        .trim(),
        "pglz"
    );
    let file = |db: &str| {
        pg.sql(db, "SELECT pg_relation_filepath('customers');")
            .trim()
            .to_string()
    };
    let (crm, legacy) = (file("crm"), file("legacy"));
    let memos = pg
        .sql("crm", "SELECT pg_relation_filepath('memos');")
        .trim()
        .to_string();
    // A table the catalog names and types: a `date` of birth, a dropped column whose values
    // stay in the rows, notes too long for the row stored out of line uncompressed
    // (`EXTERNAL`), and a letter compressed and still too long (TOAST, pglz).
    let members: String = kept
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let c: Vec<&str> = line.split(',').collect();
            let note = if i % 10 == 0 {
                format!("'連絡先 note.{i}@example.org。{}'", "備考。".repeat(800))
            } else {
                "NULL".to_string()
            };
            format!(
                "INSERT INTO members (name, kana, birthday, email, tel, note) VALUES ('{}', '{}', DATE '1950-01-01' + {}, '{}', '{}', {note});\n",
                c[0], c[1], i * 37, c[5], c[8]
            )
        })
        .collect();
    pg.sql(
        "crm",
        &format!(
            "CREATE TABLE members (id serial PRIMARY KEY, name text, kana text, birthday date, email varchar(254), tel text, joined timestamptz DEFAULT now(), note text);
            ALTER TABLE members ALTER COLUMN note SET STORAGE EXTERNAL;
            {members}
            ALTER TABLE members DROP COLUMN kana;
            CREATE TABLE letters (id int, body text);
            INSERT INTO letters SELECT 1, string_agg(md5(i::text) || ' user' || i || '@example.com', ' ') FROM generate_series(1, 400) i;
            CREATE TABLE lz4 (id int, body text COMPRESSION lz4);
            INSERT INTO lz4 SELECT 1, string_agg(md5(i::text) || ' lz' || i || '@example.com', ' ') FROM generate_series(1, 300) i;
            INSERT INTO lz4 VALUES (2, repeat('定型文です。', 300) || ' inline@example.com ' || repeat('以上。', 200));"
        ),
    );
    // lz4 (PostgreSQL 14 on, when built with it): one value out of line, one in the row.
    assert_eq!(
        pg.sql(
            "crm",
            "SELECT string_agg(pg_column_compression(body) || (pg_column_size(body) > 2100)::text, ',' ORDER BY id) FROM lz4;"
        )
        .trim(),
        "lz4true,lz4false"
    );
    assert_eq!(
        pg.sql(
            "crm",
            "SELECT pg_column_compression(body), length(body) > 8000, pg_column_size(body) > 2100 FROM letters;"
        )
        .trim(),
        "pglz|t|t"
    );
    let path_of = |table: &str| {
        pg.sql("crm", &format!("SELECT pg_relation_filepath('{table}');"))
            .trim()
            .to_string()
    };
    let (members, letters, lz4) = (path_of("members"), path_of("letters"), path_of("lz4"));
    // Deleted, not vacuumed: still in their pages.
    pg.sql("crm", "DELETE FROM customers WHERE id > 300;");
    pg.stop();

    let sb = Sandbox::new();
    let copy = |rel: &str, to: &str| {
        std::fs::copy(pg.data().join(rel), sb.path().join(to)).unwrap();
    };
    copy(&crm, "customers");
    copy(&legacy, "legacy_customers");
    let items = scan_found(&sb, "customers");
    let live = object(&items, "customers");
    assert_counts(&live, "customers", 300, &kept_truth);
    assert_eq!(live["persons_estimate"], 300);
    assert_eq!(live["encoding"], "UTF-8");
    // The text columns by their number in the table; the typed ones are no cells.
    assert_eq!(live["columns"]["#2"], "name_kanji", "{live}");
    assert_eq!(live["columns"]["#10"], "email", "{live}");
    assert_eq!(live["columns"]["#15"], "phone", "{live}");
    let dead = object(&items, "customers!(deleted)");
    assert_counts(&dead, "customers!(deleted)", 40, &gone_truth);
    assert_eq!(items.len(), 2, "{items:?}");

    copy(&memos, "memos");
    let items = scan_found(&sb, "memos");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(n(&items[0], kizuki_core::Category::Email), 5, "{items:?}");
    assert_eq!(items[0]["records"], 5);

    let items = scan_found(&sb, "legacy_customers");
    let o = object(&items, "legacy_customers");
    assert_eq!(o["encoding"], "EUC-JP");
    assert_counts(&o, "legacy_customers", 120, &old_truth);

    // The data directory: the two tables, nothing of the catalog (nor an error for it).
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan"])
        .arg(pg.data())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let items = json_lines(&out.stdout);
    let at = |rel: &str| pg.data().join(rel).display().to_string();
    // The write-ahead log's segments: carved (one object per segment), they give the long
    // texts the rows they logged held (the notes; a row's short values are cut apart by
    // the record's bytes, as in a carved page).
    let (wal, mut paths): (Vec<String>, Vec<String>) = items
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .partition(|p| p.starts_with(&at("pg_wal/")));
    assert!(
        !wal.is_empty() && wal.iter().all(|p| !p.contains('!')),
        "{wal:?}"
    );
    let logged = object(&items, &wal[0]);
    assert!(n(&logged, kizuki_core::Category::Email) >= 30, "{logged}");
    paths.sort();
    let mut wanted = vec![
        at(&crm),
        format!("{}!(deleted)", at(&crm)),
        at(&legacy),
        at(&memos),
        at(&members),
        at(&letters),
        at(&lz4),
    ];
    wanted.sort();
    assert_eq!(paths, wanted, "{}", String::from_utf8_lossy(&out.stderr));
    // Beside their database's catalog, columns have their names (`table.column`), in the
    // database's encoding too, and typed values are read: dates of birth, the dropped
    // column's text, values out of line (the TOAST tables' own files are not reported).
    let o = object(&items, &at(&crm));
    assert_counts(&o, "customers", 300, &kept_truth);
    assert_eq!(o["columns"]["customers.メール"], "email", "{o}");
    assert_eq!(o["columns"]["customers.生年月日"], "birth_date", "{o}");
    let o = object(&items, &at(&legacy));
    assert_counts(&o, "legacy", 120, &old_truth);
    assert_eq!(o["columns"]["customers.氏名"], "name_kanji", "{o}");
    let o = object(&items, &at(&members));
    assert_eq!(o["records"], 300, "{o}");
    for (col, cat) in [
        ("members.name", "name_kanji"),
        ("members.#3(dropped)", "name_kana"),
        ("members.birthday", "birth_date"),
        ("members.email", "email"),
        ("members.tel", "phone"),
    ] {
        assert_eq!(o["columns"][col], cat, "{col}: {o}");
    }
    use kizuki_core::Category as C;
    assert_eq!(n(&o, C::NameKanji), 300, "{o}");
    assert_eq!(n(&o, C::NameKana), 300, "{o}");
    assert_eq!(n(&o, C::BirthDate), 300, "{o}");
    assert_eq!(n(&o, C::Email), want(&kept_truth, C::Email) + 30, "{o}");
    assert_eq!(n(&o, C::Phone), want(&kept_truth, C::Phone), "{o}");
    assert_eq!(n(&object(&items, &at(&letters)), C::Email), 400);
    assert_eq!(n(&object(&items, &at(&lz4)), C::Email), 301);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same file alone: columns by number, and the values it keeps out of line said
    // to be unread.
    std::fs::copy(pg.data().join(&members), sb.path().join("members")).unwrap();
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "members"])
        .assert()
        .get_output()
        .clone();
    let items = json_lines(&out.stdout);
    let o = object(&items, "members");
    assert_eq!(n(&o, C::BirthDate), 0, "{o}");
    assert_eq!(n(&o, C::Email), want(&kept_truth, C::Email), "{o}");
    let failed = items
        .iter()
        .find(|o| o.get("error").is_some())
        .unwrap_or_else(|| panic!("{items:?}"));
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("30 values stored out of line"),
        "{failed}"
    );

    // A `pg_basebackup -Ft` archive: the table's file read from the tar as it streams, the
    // catalog's files beside it skipped.
    let catalog = crm
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/1259"))
        .unwrap();
    let table = std::fs::read(pg.data().join(&crm)).unwrap();
    let pg_class = std::fs::read(pg.data().join(&catalog)).unwrap();
    sb.write(
        "base.tar",
        synth::tar_of(&[(catalog.as_str(), &pg_class), (crm.as_str(), &table)]).unwrap(),
    );
    let items = scan_found(&sb, "base.tar");
    let member = format!("base.tar!{crm}");
    assert_eq!(items.len(), 2, "{items:?}");
    let o = object(&items, &member);
    for key in &FIELDS[1..] {
        assert_eq!(o[key], live[key], "{key}");
    }
    object(&items, &format!("{member}!(deleted)"));
    // With the catalog's files in the tar (after the table's: a first pass reads them), the
    // columns are named.
    let db_dir = crm.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap();
    let file = |n: &str| std::fs::read(pg.data().join(format!("{db_dir}/{n}"))).unwrap();
    let named: Vec<(String, Vec<u8>)> = vec![
        (crm.clone(), table.clone()),
        (format!("{db_dir}/1259"), file("1259")),
        (format!("{db_dir}/1249"), file("1249")),
        (format!("{db_dir}/pg_filenode.map"), file("pg_filenode.map")),
    ];
    let refs: Vec<(&str, &[u8])> = named.iter().map(|(n, d)| (n.as_str(), &d[..])).collect();
    sb.write("named.tar", synth::tar_of(&refs).unwrap());
    let items = scan_found(&sb, "named.tar");
    let o = object(&items, &format!("named.tar!{crm}"));
    assert_counts(&o, "named.tar", 300, &kept_truth);
    assert_eq!(o["columns"]["customers.メール"], "email", "{o}");
    object(&items, &format!("named.tar!{crm}!(deleted)"));
    assert_eq!(items.len(), 2, "{items:?}");

    // The table's file on a server's disk, deleted (`DROP TABLE`): its pages are carved
    // from the image as the file itself is read, at the offset where they start.
    std::fs::create_dir_all(sb.path().join("src")).unwrap();
    std::fs::copy(sb.path().join("customers"), sb.path().join("src/16397")).unwrap();
    sb.write("src/PG_VERSION", b"15\n");
    ext4_without(&sb, "src", "16397");
    let items = scan_found(&sb, "server.img");
    assert_eq!(items.len(), 2, "{items:?}");
    let carved = &items[0];
    let path = carved["path"].as_str().unwrap();
    assert!(path.starts_with("server.img!@"), "{path}");
    assert_eq!(items[1]["path"], format!("{path}!(deleted)"));
    for key in &FIELDS[1..] {
        assert_eq!(carved[key], live[key], "{key}");
        assert_eq!(items[1][key], dead[key], "{key}");
    }
}

/// Binary files of no format the scanner reads (an application's store, a core dump) are
/// carved as raw images are: the table in them is found at its offset. Executables, media and
/// random bytes are not (an author's address in a program's strings is no leak).
#[test]
fn carves_binary_files_of_unknown_formats() {
    let sb = Sandbox::new();
    let (csv, truth) = synth::persons_text(91, 40, Form::Csv);
    let junk: Vec<u8> = (0..5000u32).map(|i| (i * 97 % 251) as u8 % 32).collect();
    let mut store = b"\x01\x02APPSTORE\x00\x00".to_vec();
    store.extend_from_slice(&junk);
    let at = store.len();
    store.extend_from_slice(csv.as_bytes());
    store.extend_from_slice(&junk);
    sb.write("app.store", &store);
    // A process's memory: an ELF core dump (`e_type` 4).
    let mut core = b"\x7FELF\x02\x01\x01\x00".to_vec();
    core.resize(16, 0);
    core.extend_from_slice(&[4, 0, 0x3E, 0]);
    core.resize(4096, 0);
    let core_at = core.len();
    core.extend_from_slice(csv.as_bytes());
    core.resize(core.len() + 4096, 0);
    sb.write("core.1234", &core);
    let items = scan_found(&sb, ".");
    let o = object(&items, &format!("./app.store!@{at}"));
    assert_counts(&o, "app.store", 40, &truth);
    let o = object(&items, &format!("./core.1234!@{core_at}"));
    assert_counts(&o, "core", 40, &truth);
    assert_eq!(items.len(), 2, "{items:?}");
    // In archives and compressed: read whole, then carved.
    let packed = Sandbox::new();
    packed.write("app.tar", synth::tar_of(&[("app.store", &store)]).unwrap());
    packed.write("app.zip", synth::zip_of(&[("app.store", &store)]).unwrap());
    packed.write("core.1234.gz", synth::gzip_of(&core).unwrap());
    let items = scan_found(&packed, ".");
    for path in [
        format!("./app.tar!app.store!@{at}"),
        format!("./app.zip!app.store!@{at}"),
    ] {
        assert_counts(&object(&items, &path), &path, 40, &truth);
    }
    let gz = items
        .iter()
        .find(|o| {
            let p = o["path"].as_str().unwrap();
            p.starts_with("./core.1234.gz!") && p.ends_with(&format!("!@{core_at}"))
        })
        .unwrap_or_else(|| panic!("{items:?}"));
    assert_counts(gz, "core.1234.gz", 40, &truth);
    assert_eq!(items.len(), 3, "{items:?}");

    // Not carved: a program (ELF, PE, Mach-O), a video, a font, random bytes.
    let decoy = Sandbox::new();
    let text = format!("Report bugs to: taro.yamada@example.jp\n{csv}");
    for (name, head) in [
        (
            "tool",
            &b"\x7FELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00"[..],
        ),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("tool.dylib", b"\xCF\xFA\xED\xFE\x07\x00\x00\x01"),
        ("clip.mp4", b"\x00\x00\x00\x20ftypisom"),
        ("font.ttf", b"\x00\x01\x00\x00\x00\x10\x00\x80"),
    ] {
        let mut data = head.to_vec();
        data.extend_from_slice(&junk);
        data.extend_from_slice(text.as_bytes());
        decoy.write(name, &data);
    }
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let random: Vec<u8> = (0..2_000_000)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 24) as u8
        })
        .collect();
    decoy.write("random.bin", &random);
    decoy
        .cmd()
        .args(["--format", "json", "pii", "scan", "."])
        .assert()
        .code(0)
        .stdout("");
}

/// A MariaDB server of the test's own (the Debian package; scripts/setup installs
/// `mariadb-server`): a data directory made by `mariadb-install-db` in a fresh directory,
/// the server on a Unix socket there only. Stopped when dropped.
struct Mariadb {
    dir: tempfile::TempDir,
    server: std::process::Child,
}

impl Mariadb {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let user: &[&str] = if root { &["--user=root"] } else { &[] };
        let data = dir.path().join("data");
        run_ok(
            std::process::Command::new("mariadb-install-db")
                .args(["--no-defaults", "--auth-root-authentication-method=normal"])
                .args(user)
                .arg(format!("--datadir={}", data.display())),
        );
        let server = std::process::Command::new("/usr/sbin/mariadbd")
            .arg("--no-defaults")
            .args(user)
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!(
                "--log-error={}",
                dir.path().join("err.log").display()
            ))
            .args([
                "--skip-networking",
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mariadbd missing: scripts/setup installs mariadb-server");
        let db = Mariadb { dir, server };
        for _ in 0..600 {
            if db
                .client("mariadb-admin")
                .arg("ping")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                return db;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "mariadbd did not start: {}",
            std::fs::read_to_string(db.dir.path().join("err.log")).unwrap_or_default()
        );
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn client(&self, prog: &str) -> std::process::Command {
        let mut c = std::process::Command::new(prog);
        c.arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.dir.path().join("sock").display()
            ))
            .arg("-uroot");
        c
    }

    /// Runs `sql` (UTF-8 statements) in database `db`: what it printed, tab-separated.
    fn sql(&self, db: &str, sql: &str) -> String {
        let file = self.dir.path().join("statements.sql");
        std::fs::write(&file, sql).expect("write statements");
        let out = run_ok(
            self.client("mariadb")
                .args(["--default-character-set=utf8mb4", "-N", "-B", db])
                .stdin(std::fs::File::open(&file).expect("statements")),
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    }

    /// Stops the server after a slow shutdown (purge done, every page written).
    fn stop(&mut self) {
        self.sql("mysql", "SET GLOBAL innodb_fast_shutdown = 0;");
        run_ok(self.client("mariadb-admin").arg("shutdown"));
        let _ = self.server.wait();
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The person table's definition in MySQL (`{charset}`, `{format}`: the table's character
/// set and row format), with typed columns between the text ones.
const MY_CUSTOMERS: &str = "CREATE TABLE customers (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, `氏名` VARCHAR(64) NOT NULL, points INT, `フリガナ` VARCHAR(80), vip TINYINT(1), `ローマ字` VARCHAR(80), `性別` CHAR(1), created DATETIME, `生年月日` VARCHAR(32), `メール` VARCHAR(254), amount DECIMAL(10,2), `郵便番号` CHAR(8), `住所` TEXT, member_since DATE, `電話番号` VARCHAR(20), token BINARY(16), `旅券番号` CHAR(9), `旅券発行日` VARCHAR(32), note TEXT) ENGINE=InnoDB DEFAULT CHARSET={charset} ROW_FORMAT={format};";

/// `INSERT` statements for the persons of a CSV (header and rows) into `customers`
/// ([`MY_CUSTOMERS`]); every tenth row has a note too long for its row (kept on BLOB pages),
/// an e-mail address in it.
fn my_inserts(csv: &str, first: usize) -> String {
    let quote = sql_quote;
    let mut out = String::new();
    for (i, line) in csv.lines().skip(1).enumerate() {
        let c: Vec<&str> = line.split(',').collect();
        let id = first + i;
        let note = if i % 10 == 0 {
            format!(
                "'{}連絡先 note.{id}@example.org。{}'",
                "備考。".repeat(2000),
                "以上。".repeat(500)
            )
        } else {
            "NULL".to_string()
        };
        out.push_str(&format!(
            "INSERT INTO customers VALUES ({id}, {}, {}, {}, {}, {}, {}, NOW(), {}, {}, {}.5, {}, {}, DATE_ADD('2020-01-01', INTERVAL {} DAY), {}, UNHEX(MD5('{id}')), {}, {}, {note});\n",
            quote(c[0]), i * 3, quote(c[1]), i % 2, quote(c[2]), quote(c[3]), quote(c[4]), quote(c[5]), i, quote(c[6]), quote(c[7]), i, quote(c[8]), quote(c[9]), quote(c[10])
        ));
    }
    out
}

/// Tables of a real MariaDB read from their files with the server stopped: each
/// `db/table.ibd` as its table, columns named and typed from the dictionary in `ibdata1`
/// (DYNAMIC, COMPACT and REDUNDANT rows; UTF-8, CP932 and EUC-JP tables; a DATE of birth;
/// notes kept on BLOB pages; a column added by an instant ALTER), rows deleted but not yet
/// purged apart (`!(deleted)`), a table kept in `ibdata1` itself, an exported file read with
/// its `.cfg` instead of `ibdata1`, table files read with their `.frm` instead, and a table
/// file without any of them carved as before.
#[test]
fn reads_innodb_tables_with_their_dictionary() {
    let mut db = Mariadb::start();
    let (kept, kept_truth) = synth::persons_text(91, 300, Form::Csv);
    let (gone, gone_truth) = synth::persons_text(92, 40, Form::Csv);
    let (old, old_truth) = synth::persons_text(93, 120, Form::Csv);
    let (older, older_truth) = synth::persons_text(94, 60, Form::Csv);
    // Every tenth row's note holds an e-mail address too.
    let noted = |t: &std::collections::BTreeMap<kizuki_core::Category, u64>, rows: u64| {
        let mut t = t.clone();
        *t.entry(kizuki_core::Category::Email).or_default() += rows.div_ceil(10);
        t
    };
    let (kept_truth, gone_truth) = (noted(&kept_truth, 300), noted(&gone_truth, 40));
    let (old_truth, older_truth) = (noted(&old_truth, 120), noted(&older_truth, 60));
    db.sql(
        "mysql",
        "CREATE DATABASE shop; CREATE DATABASE legacy; CREATE DATABASE older;",
    );
    let table = |charset: &str, format: &str| {
        MY_CUSTOMERS
            .replace("{charset}", charset)
            .replace("{format}", format)
    };
    db.sql(
        "shop",
        &format!(
            "{}\n{}{}",
            table("utf8mb4", "DYNAMIC"),
            my_inserts(&kept, 1),
            my_inserts(&gone, 1001)
        ),
    );
    db.sql(
        "legacy",
        &format!("{}\n{}", table("cp932", "COMPACT"), my_inserts(&old, 1)),
    );
    db.sql(
        "older",
        &format!(
            "{}\n{}",
            table("eucjpms", "REDUNDANT"),
            my_inserts(&older, 1)
        ),
    );
    // Dates of birth as DATE; a column added since the first rows (instantly: the rows
    // written before keep their fields).
    let members: String = kept
        .lines()
        .skip(1)
        .take(50)
        .enumerate()
        .map(|(i, line)| {
            let c: Vec<&str> = line.split(',').collect();
            format!(
                "INSERT INTO members (name, birthday) VALUES ('{}', DATE_ADD('1950-01-01', INTERVAL {} DAY));\n",
                c[0],
                i * 97
            )
        })
        .collect();
    db.sql(
        "shop",
        &format!(
            "CREATE TABLE members (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64), birthday DATE) DEFAULT CHARSET=utf8mb4;\n{members}\
             ALTER TABLE members ADD COLUMN email VARCHAR(100), ALGORITHM=INSTANT;\n\
             INSERT INTO members (name, birthday, email) VALUES ('山田 太郎', '1980-04-12', 'taro.yamada@example.jp');\n"
        ),
    );
    // Columns dropped and reordered instantly (MariaDB 10.4 and later: a metadata record
    // maps the records' fields): rows of each format, one updated since.
    db.sql(
        "shop",
        "CREATE TABLE dropped (id INT PRIMARY KEY, code CHAR(4) NOT NULL, name VARCHAR(64), memo VARCHAR(300), email VARCHAR(100), birthday DATE) DEFAULT CHARSET=utf8mb4;\n\
         INSERT INTO dropped VALUES (1, 'A001', '山田 太郎', '備考', 'taro.yamada@example.jp', '1980-04-12'), (2, 'A002', '鈴木 花子', NULL, 'hanako.suzuki@example.ne.jp', '1992-11-03');\n\
         ALTER TABLE dropped DROP COLUMN memo, ALGORITHM=INSTANT;\n\
         INSERT INTO dropped VALUES (3, 'A003', '佐藤 次郎', 'jiro.sato@example.co.jp', '1975-01-30');\n\
         ALTER TABLE dropped DROP COLUMN code, ALGORITHM=INSTANT;\n\
         ALTER TABLE dropped ADD COLUMN phone VARCHAR(20) AFTER name, ALGORITHM=INSTANT;\n\
         INSERT INTO dropped VALUES (4, '高橋 一郎', '090-1234-5678', 'ichiro@example.org', '1969-07-07');\n\
         UPDATE dropped SET phone = '03-3333-4444' WHERE id = 1;\n\
         CREATE TABLE dropped_by_mail (email VARCHAR(100) PRIMARY KEY, name VARCHAR(64), memo VARCHAR(300)) DEFAULT CHARSET=utf8mb4;\n\
         INSERT INTO dropped_by_mail VALUES ('taro.yamada@example.jp', '山田 太郎', '備考'), ('hanako.suzuki@example.ne.jp', '鈴木 花子', NULL);\n\
         ALTER TABLE dropped_by_mail DROP COLUMN memo, ALGORITHM=INSTANT;\n\
         INSERT INTO dropped_by_mail VALUES ('jiro.sato@example.co.jp', '佐藤 次郎');\n\
         CREATE TABLE dropped_old (id INT PRIMARY KEY, code CHAR(4) NOT NULL, name VARCHAR(64), memo VARCHAR(300), email VARCHAR(100)) DEFAULT CHARSET=utf8mb4 ROW_FORMAT=REDUNDANT;\n\
         INSERT INTO dropped_old VALUES (1, 'A001', '山田 太郎', '備考', 'taro.yamada@example.jp'), (2, 'A002', '鈴木 花子', NULL, 'hanako.suzuki@example.ne.jp');\n\
         ALTER TABLE dropped_old DROP COLUMN memo, ALGORITHM=INSTANT;\n\
         ALTER TABLE dropped_old ADD COLUMN phone VARCHAR(20) AFTER name, ALGORITHM=INSTANT;\n\
         INSERT INTO dropped_old VALUES (3, 'A003', '佐藤 次郎', '090-1234-5678', 'jiro.sato@example.co.jp');\n",
    );
    // A table in partitions (`parts#P#p0.ibd`, `parts#P#p1.ibd`: one `.frm`).
    let (parted, _) = synth::persons_text(96, 20, Form::Csv);
    db.sql(
        "shop",
        &format!(
            "{} PARTITION BY HASH(id) PARTITIONS 2;\n{}",
            table("utf8mb4", "DYNAMIC")
                .replace("TABLE customers", "TABLE parts")
                .trim_end_matches(';'),
            my_inserts(&parted, 1).replace("INTO customers", "INTO parts")
        ),
    );
    // A table kept in the system tablespace, as before MySQL 5.6 (`innodb_file_per_table`
    // off).
    let (shared, shared_truth) = synth::persons_text(95, 30, Form::Csv);
    let shared_truth = noted(&shared_truth, 30);
    db.sql(
        "shop",
        &format!(
            "SET GLOBAL innodb_file_per_table = OFF;\n{}\n{}SET GLOBAL innodb_file_per_table = ON;\n",
            table("utf8mb4", "DYNAMIC").replace("TABLE customers", "TABLE shared"),
            my_inserts(&shared, 1).replace("INTO customers", "INTO shared")
        ),
    );
    // Deleted, not purged yet: a copy made while the table is quiesced for export (the
    // dictionary taken once the server stopped: its new tables were in its memory still).
    // A transaction's snapshot, open in another session from before the `DELETE`, keeps
    // the purge from removing the rows before the copy.
    let sb = Sandbox::new();
    let export = sb.path().join("export");
    std::fs::create_dir_all(export.join("shop")).unwrap();
    std::fs::create_dir_all(sb.path().join("cfg/shop")).unwrap();
    let mut snapshot = db
        .client("mariadb")
        .args(["-N", "-B", "shop"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("mariadb client");
    {
        use std::io::Write;
        let stdin = snapshot.stdin.as_mut().expect("stdin");
        stdin
            .write_all(
                b"START TRANSACTION WITH CONSISTENT SNAPSHOT;\nSELECT COUNT(*) FROM members;\n",
            )
            .expect("write");
        stdin.flush().expect("flush");
    }
    for _ in 0..600 {
        if db
            .sql(
                "mysql",
                "SELECT COUNT(*) FROM information_schema.innodb_trx;",
            )
            .trim()
            != "0"
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    db.sql(
        "shop",
        &format!(
            "DELETE FROM customers WHERE id > 1000;\nFLUSH TABLES customers FOR EXPORT;\n\
             system cp {} {}\nsystem cp {} {} {}\nUNLOCK TABLES;\n",
            db.data().join("shop/customers.ibd").display(),
            export.join("shop/customers.ibd").display(),
            db.data().join("shop/customers.ibd").display(),
            db.data().join("shop/customers.cfg").display(),
            sb.path().join("cfg/shop").display(),
        ),
    );
    drop(snapshot.stdin.take());
    let _ = snapshot.wait();
    db.stop();
    std::fs::copy(db.data().join("ibdata1"), export.join("ibdata1")).unwrap();

    let items = scan_found(&sb, "export/shop/customers.ibd");
    let live = object(&items, "export/shop/customers.ibd");
    assert_counts(&live, "customers", 300, &kept_truth);
    assert_eq!(live["persons_estimate"], 300);
    assert_eq!(live["encoding"], "UTF-8");
    assert_eq!(live["columns"]["customers.メール"], "email", "{live}");
    assert_eq!(live["columns"]["customers.電話番号"], "phone", "{live}");
    let dead = object(&items, "export/shop/customers.ibd!(deleted)");
    assert_counts(&dead, "customers!(deleted)", 40, &gone_truth);
    assert_eq!(items.len(), 2, "{items:?}");
    // The same copy without `ibdata1`, with the `.cfg` the export wrote beside it: the
    // same table.
    let by_cfg = scan_found(&sb, "cfg/shop/customers.ibd");
    let strip = |items: &[serde_json::Value]| -> Vec<String> {
        items
            .iter()
            .map(|o| {
                o.to_string()
                    .replace("export/shop", "")
                    .replace("cfg/shop", "")
            })
            .collect()
    };
    assert_eq!(strip(&by_cfg), strip(&items));

    // The databases' directories (the dictionary found in the data directory above them):
    // every table of ours, typed and named; the rows deleted are purged by now (and their
    // bytes cleared: nothing is left of them). (The whole data directory takes a debug
    // build long: its redo log and system tablespace are carved.)
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "--reveal"])
        .args(["shop", "legacy", "older"].map(|d| db.data().join(d)))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let items = json_lines(&out.stdout);
    let at = |rel: &str| db.data().join(rel).display().to_string();
    let o = object(&items, &at("shop/customers.ibd"));
    assert_counts(&o, "customers", 300, &kept_truth);
    assert!(
        !items
            .iter()
            .any(|o| o["path"] == format!("{}!(deleted)", at("shop/customers.ibd"))),
        "{items:?}"
    );
    let o = object(&items, &at("legacy/customers.ibd"));
    assert_eq!(o["encoding"], "Shift_JIS");
    assert_counts(&o, "legacy", 120, &old_truth);
    let o = object(&items, &at("older/customers.ibd"));
    assert_eq!(o["encoding"], "EUC-JP");
    assert_counts(&o, "older", 60, &older_truth);
    assert_eq!(o["columns"]["customers.氏名"], "name_kanji", "{o}");
    let o = object(&items, &at("shop/members.ibd"));
    assert_eq!(o["records"], 51, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::BirthDate), 51, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::Email), 1, "{o}");
    assert_eq!(o["samples"]["email"][0], "taro.yamada@example.jp", "{o}");
    assert_eq!(o["samples"]["birth_date"][0], "1950-01-01", "{o}");
    assert_eq!(o["columns"]["members.birthday"], "birth_date", "{o}");
    let o = object(&items, &at("shop/dropped.ibd"));
    assert_eq!(o["records"], 4, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::NameKanji), 4, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::Email), 4, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::Phone), 2, "{o}");
    assert_eq!(o["columns"]["dropped.phone"], "phone", "{o}");
    assert_eq!(o["samples"]["phone"][0], "03-3333-4444", "{o}");
    // The same with a variable-length key (the metadata record's key is empty).
    let o = object(&items, &at("shop/dropped_by_mail.ibd"));
    assert_eq!(o["records"], 3, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::NameKanji), 3, "{o}");
    // And in REDUNDANT records (their fields found by their end offsets).
    let o = object(&items, &at("shop/dropped_old.ibd"));
    assert_eq!(o["records"], 3, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::Phone), 1, "{o}");
    assert_eq!(n(&o, kizuki_core::Category::Email), 3, "{o}");
    let failed: Vec<_> = items.iter().filter(|o| o.get("error").is_some()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let parts: u64 = ["p0", "p1"]
        .iter()
        .map(|p| {
            object(&items, &at(&format!("shop/parts#P#{p}.ibd")))["records"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(parts, 20);

    // The databases' directories copied without `ibdata1`: each table file read with the
    // `.frm` beside it (its types mapped as the server maps them: a DECIMAL, a BINARY(16),
    // a DATETIME, a DATE, TEXT between the text columns), the same objects.
    for d in ["shop", "legacy", "older"] {
        std::fs::create_dir_all(sb.path().join("frm").join(d)).unwrap();
        for e in std::fs::read_dir(db.data().join(d)).unwrap() {
            let e = e.unwrap().path();
            if e.extension().is_some_and(|x| x == "ibd" || x == "frm") {
                std::fs::copy(
                    &e,
                    sb.path().join("frm").join(d).join(e.file_name().unwrap()),
                )
                .unwrap();
            }
        }
    }
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "--reveal", "frm"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let mut by_frm: Vec<String> = json_lines(&out.stdout)
        .iter()
        .map(|o| o.to_string().replace("frm/", ""))
        .collect();
    let data = format!("{}/", db.data().display());
    let mut by_dict: Vec<String> = items
        .iter()
        .map(|o| o.to_string().replace(&data, ""))
        .collect();
    by_frm.sort();
    by_dict.sort();
    assert_eq!(by_frm, by_dict);

    // The system tablespace: the table kept in it, as an object of its own.
    let items = scan_found(&sb, &db.data().join("ibdata1").display().to_string());
    let o = object(&items, &format!("{}!shop/shared", at("ibdata1")));
    assert_counts(&o, "shared", 30, &shared_truth);
    assert_eq!(o["columns"]["shared.メール"], "email", "{o}");
    assert_eq!(items.len(), 1, "{items:?}");

    // The file alone: no dictionary, carved as any binary file (the notes' long texts).
    std::fs::create_dir_all(sb.path().join("alone")).unwrap();
    std::fs::copy(
        db.data().join("older/customers.ibd"),
        sb.path().join("alone/customers.ibd"),
    )
    .unwrap();
    let items = scan_found(&sb, "alone/customers.ibd");
    assert!(
        items.iter().all(|o| o["path"]
            .as_str()
            .unwrap()
            .starts_with("alone/customers.ibd!@")),
        "{items:?}"
    );
    let emails: u64 = items
        .iter()
        .map(|o| n(o, kizuki_core::Category::Email))
        .sum();
    assert!(emails >= 6, "{items:?}");
}

/// An Outlook mailbox exported to a PST, the same file in a disk image, and an older one
/// (ANSI, Shift_JIS) in a zip: each read through its blocks (scrambled as Outlook stores them
/// by default), its mails counted as one object, values masked.
#[test]
fn reads_outlook_data_files_on_disk_and_in_archives() {
    use kizuki_pii::pst::write::{file, mailbox};
    let sb = Sandbox::new();
    let (csv, _) = synth::persons_text(71, 30, Form::Csv);
    sb.write("mail/export.pst", file(&mailbox(&csv, true)));
    // The same file deleted from a PC's disk: its blocks in the image (after other data,
    // before free space), its header at a sector boundary.
    let mut img = vec![0x5Au8; 8192];
    img.extend_from_slice(&file(&mailbox(&csv, true)));
    img.resize(img.len() + (1 << 20), 0);
    sb.write("mail/pc.img", img);
    let (old, _) = synth::persons_text(72, 12, Form::Csv);
    let zip = synth::zip_of(&[("old.pst", &file(&mailbox(&old, false)))]).unwrap();
    sb.write("mail/backup.zip", zip);
    let items = scan_found(&sb, "mail");
    let export = object(&items, "mail/export.pst");
    assert_eq!(export["encoding"], "UTF-16LE");
    assert_eq!(
        n(&export, kizuki_core::Category::Email),
        60,
        "a customer and the desk a mail"
    );
    assert_eq!(n(&export, kizuki_core::Category::Phone), 30);
    assert_eq!(export["persons_estimate"], 31);
    let deleted = object(&items, "mail/pc.img!@8192");
    for key in ["encoding", "categories", "persons_estimate", "samples"] {
        assert_eq!(deleted[key], export[key], "{key}");
    }
    assert!(
        items.iter().all(|o| o["path"] == "mail/pc.img!@8192"
            || !o["path"].as_str().unwrap().starts_with("mail/pc.img")),
        "nothing carved from its blocks"
    );
    let old_box = object(&items, "mail/backup.zip!old.pst");
    assert_eq!(old_box["encoding"], "Shift_JIS");
    assert_eq!(old_box["persons_estimate"], 13);
    // Masked: no address of a customer in the output.
    let printed = serde_json::to_string(&items).unwrap();
    for line in csv.lines().skip(1).chain(old.lines().skip(1)) {
        let email = line.split(',').nth(5).unwrap();
        assert!(!printed.contains(email), "{email} printed");
    }
}

/// The staged archive, encrypted (a PPAP zip; a 7z with its header encrypted): told as
/// encrypted (exit 2) until `--password` gives what a command history showed; then read
/// as the plain file is. The password is printed nowhere.
#[test]
fn reads_encrypted_archives_with_the_password_given() {
    let sb = Sandbox::new();
    let g = synth::persons_file(73, 200, Form::Csv, encoding_rs::SHIFT_JIS);
    let pw = "Tr4vel#0321";
    sb.write("staged/list.csv", &g.data);
    sb.write(
        "staged/ppap.zip",
        kizuki_files::synth::zip_encrypted(&[("顧客.csv", &g.data)], pw),
    );
    let plain = scan_found(&sb, "staged/list.csv");
    std::fs::remove_file(sb.path().join("staged/list.csv")).unwrap();
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "staged"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let told = json_lines(&out.stdout);
    assert!(!told.is_empty(), "told");
    for o in &told {
        assert!(o["error"].as_str().unwrap().contains("encrypted"), "{o}");
        assert!(o.get("categories").is_none(), "{o}");
    }
    let out = sb
        .cmd()
        .args(["--format", "json", "pii", "scan", "--password", "nope"])
        .args(["--password", pw, "staged"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let items = json_lines(&out.stdout);
    let got = object(&items, "staged/ppap.zip!顧客.csv");
    for key in [
        "encoding",
        "records",
        "categories",
        "columns",
        "persons_estimate",
    ] {
        assert_eq!(got[key], plain[0][key], "{key}");
    }
    for stream in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(pw));
    }
}

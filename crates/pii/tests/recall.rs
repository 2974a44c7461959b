//! Recall and precision per category on the generated corpus, in every form and encoding.
//!
//! Prints a table (run with `--nocapture` to see it) and asserts the goals of issue 6:
//! recall >= 0.98 for e-mail, phone, postal code, passport number and both dates, >= 0.95 for
//! names, address and gender; decoys yield no findings.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::collections::BTreeMap;

use kizuki_core::Category;
use kizuki_pii::decode::ENCODINGS;
use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Item, Options, Scanner};

const PERSONS: usize = 150;

fn found(scanner: &Scanner, name: &str, data: &[u8]) -> BTreeMap<Category, u64> {
    let mut out = BTreeMap::new();
    for item in scanner.scan_bytes(name, data) {
        match item {
            Item::Found(r) => {
                for (c, n) in r.categories {
                    *out.entry(c).or_insert(0) += n;
                }
            }
            Item::Failed { path, error } => panic!("{path}: {error}"),
        }
    }
    out
}

fn goal(c: Category) -> f64 {
    match c {
        Category::NameKanji
        | Category::NameKana
        | Category::NameRomaji
        | Category::Address
        | Category::Gender => 0.95,
        _ => 0.98,
    }
}

/// Planted, true positives and false positives per category.
type Totals = BTreeMap<Category, (u64, u64, u64)>;

/// Adds one file's counts (`found` against `truth`) to `total`; a category below its goal
/// goes to `failures`.
fn score(
    name: &str,
    truth: &BTreeMap<Category, u64>,
    found: &BTreeMap<Category, u64>,
    total: &mut Totals,
    failures: &mut Vec<String>,
) {
    for c in Category::ALL {
        let planted = truth.get(&c).copied().unwrap_or(0);
        let got = found.get(&c).copied().unwrap_or(0);
        let tp = got.min(planted);
        let e = total.entry(c).or_default();
        e.0 += planted;
        e.1 += tp;
        e.2 += got - tp;
        if planted > 0 && (tp as f64) < goal(c) * planted as f64 {
            failures.push(format!("{name}: {c} {tp}/{planted}"));
        }
    }
}

#[test]
fn recall_and_precision_per_category() {
    let scanner = Scanner::new(Options::default());
    let mut total = Totals::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (ei, enc) in ENCODINGS.iter().enumerate() {
        for (fi, form) in Form::ALL
            .iter()
            .chain([
                &Form::Memo,
                &Form::Logs,
                &Form::Orders,
                &Form::Bookings,
                &Form::Fixed,
            ])
            .enumerate()
        {
            // Records of fixed width are no mail's: ISO-2022-JP has no half-width katakana
            // (encoding_rs writes them in full width, the records lose their width) and its
            // escapes give no fixed places.
            if *form == Form::Fixed && *enc == encoding_rs::ISO_2022_JP {
                continue;
            }
            let g = synth::persons_file(1000 + (ei * 10 + fi) as u64, PERSONS, *form, enc);
            let f = found(&scanner, &g.name, &g.data);
            cases += 1;
            score(&g.name, &g.truth, &f, &mut total, &mut failures);
            // The same records one after the other without line ends (a data set copied as
            // it is), where a line end is its bytes alone.
            if *form == Form::Fixed && enc.is_ascii_compatible() {
                let glued: Vec<u8> = g
                    .data
                    .split(|b| *b == b'\n')
                    .flat_map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
                    .collect();
                let name = format!("unlined-{}", g.name);
                let f = found(&scanner, &name, &glued);
                cases += 1;
                score(&name, &g.truth, &f, &mut total, &mut failures);
            }
        }
        // The same persons as workbooks and as documents (once, not per encoding): xlsx, xls
        // (Excel 97, Unicode), xls (Excel 95, Shift_JIS), a Word table, a Word form per person, Word paragraphs whose runs split keyword
        // and value, an OpenDocument table, a PDF of the text,
        // an HTML table in Shift_JIS with end tags left out, HTML paragraphs; a CSV
        // and a workbook with title lines above the header; the output of database clients,
        // a range pasted into a text, the logs of prepared statements; Word 97 and RTF
        // documents, Outlook items.
        if ei == 0 {
            let (csv, truth) = synth::persons_text(77, PERSONS, Form::Csv);
            let (text, text_truth) = synth::persons_text(78, PERSONS, Form::Text);
            let (tsv, tsv_truth) = synth::persons_text(77, PERSONS, Form::Tsv);
            let (db_log, db_truth) = synth::db_log(79, PERSONS);
            let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
            let forms: String = rows
                .iter()
                .skip(1)
                .map(|r| {
                    let pairs: Vec<Vec<&str>> =
                        rows[0].iter().zip(r).map(|(h, v)| vec![*h, *v]).collect();
                    word_table(&pairs)
                })
                .collect();
            let paragraphs: String = text
                .lines()
                .map(|l| {
                    let runs: String = l
                        .split_inclusive(['：', ' '])
                        .map(|r| {
                            format!(r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#, esc(r))
                        })
                        .collect();
                    format!("<w:p>{runs}</w:p>")
                })
                .collect();
            let mut both_truth = truth.clone();
            for (c, n) in &text_truth {
                *both_truth.entry(*c).or_insert(0) += n;
            }
            let doc_rows: Vec<synth::DocPart> = rows
                .iter()
                .map(|r| synth::DocPart::Row(r.iter().map(|c| c.to_string()).collect()))
                .collect();
            let doc_letters: Vec<synth::DocPart> = text
                .lines()
                .map(|l| synth::DocPart::Para(l.into()))
                .collect();
            // Title lines above the header, as exported reports have them.
            let titled = format!("顧客一覧（2024年3月末）\n出力日,2024/03/31\n\n{csv}");
            for (name, data, truth) in [
                ("persons.xlsx", workbook(&csv), &truth),
                ("titled.csv", titled.clone().into_bytes(), &truth),
                ("titled.xlsx", workbook(&titled), &truth),
                (
                    "persons.xls",
                    synth::xls_of("顧客", &rows, false).unwrap(),
                    &truth,
                ),
                (
                    "persons95.xls",
                    synth::xls_of("顧客", &rows, true).unwrap(),
                    &truth,
                ),
                ("table.docx", docx(&word_table(&rows)), &truth),
                ("forms.docx", docx(&forms), &truth),
                ("letters.docx", docx(&paragraphs), &text_truth),
                (
                    "letters.pdf",
                    synth::pdf_of(&text.lines().collect::<Vec<_>>()).unwrap(),
                    &text_truth,
                ),
                (
                    "table.pdf",
                    synth::pdf_table_of(&rows, synth::PdfTable::Sheet).unwrap(),
                    &truth,
                ),
                (
                    "report.pdf",
                    synth::pdf_table_of(&rows, synth::PdfTable::Report).unwrap(),
                    &truth,
                ),
                ("table.odt", odt(&odf_table(&rows)), &truth),
                ("persons.html", html_table(&rows), &truth),
                ("letters.htm", html_letters(&text), &text_truth),
                (
                    "select-mysql.txt",
                    synth::client_table(&rows, synth::Printed::Mysql),
                    &truth,
                ),
                (
                    "select-psql.txt",
                    synth::client_table(&rows, synth::Printed::Psql),
                    &truth,
                ),
                (
                    "customers.md",
                    synth::client_table(&rows, synth::Printed::Markdown),
                    &truth,
                ),
                ("select-vertical.txt", synth::client_vertical(&rows), &truth),
                // A range pasted from a spreadsheet into a mail's text, and the logs of
                // prepared statements.
                (
                    "pasted.txt",
                    format!("営業部 各位\n\n対象のお客様は以下のとおりです。\n\n{tsv}\n以上\n")
                        .into_bytes(),
                    &tsv_truth,
                ),
                ("postgresql.log", db_log.into_bytes(), &db_truth),
                // Word 97 and RTF (Shift_JIS and Unicode escapes): a table and letters;
                // an Outlook mail with the letters as its body and one with the table
                // attached (its correspondents add no value: none are set).
                (
                    "persons.xlsb",
                    synth::xlsb_of("顧客", &rows).unwrap(),
                    &truth,
                ),
                (
                    "table.doc",
                    synth::doc_of(&doc_rows, false).unwrap(),
                    &truth,
                ),
                (
                    "letters.doc",
                    synth::doc_of(&doc_letters, false).unwrap(),
                    &text_truth,
                ),
                // PowerPoint 97-2003: the letters as slides' text, the table as a worksheet
                // embedded in a slide.
                (
                    "letters.ppt",
                    synth::ppt_of(&text.lines().collect::<Vec<_>>(), &[], None).unwrap(),
                    &text_truth,
                ),
                ("table.rtf", synth::rtf_of(&doc_rows, false), &truth),
                (
                    "letters.rtf",
                    synth::rtf_of(&doc_letters, true),
                    &text_truth,
                ),
                (
                    "letters.msg",
                    synth::msg_of(&synth::MsgSpec {
                        unicode: true,
                        strings: vec![(0x1000, text.clone())],
                        ..synth::MsgSpec::default()
                    })
                    .unwrap(),
                    &text_truth,
                ),
                // A rich-text mail's winmail.dat: the letters as its body (Shift_JIS), the
                // table attached.
                (
                    "winmail.dat",
                    synth::tnef_of(&synth::MsgSpec {
                        strings: vec![(0x1000, text.clone())],
                        attachments: vec![synth::MsgPart::File(
                            "顧客.csv".into(),
                            csv.clone().into_bytes(),
                        )],
                        ..synth::MsgSpec::default()
                    }),
                    &both_truth,
                ),
                (
                    "table.msg",
                    synth::msg_of(&synth::MsgSpec {
                        attachments: vec![synth::MsgPart::File(
                            "顧客.csv".into(),
                            kizuki_pii::decode::encode(encoding_rs::SHIFT_JIS, &csv),
                        )],
                        ..synth::MsgSpec::default()
                    })
                    .unwrap(),
                    &truth,
                ),
            ] {
                let f = found(&scanner, name, &data);
                cases += 1;
                score(name, truth, &f, &mut total, &mut failures);
            }
        }
        // Decoys: text and an order table, in the same encoding.
        for (name, text) in [
            (
                format!("decoys-{}.txt", enc.name()),
                synth::decoys_text(7 + ei as u64, 600),
            ),
            (
                format!("orders-{}.csv", enc.name()),
                synth::decoys_csv(9 + ei as u64, 200),
            ),
            (
                format!("注文-{}.csv", enc.name()),
                synth::decoys_csv_ja(19 + ei as u64, 200),
            ),
        ] {
            let data = kizuki_pii::decode::encode(enc, &text);
            let f = found(&scanner, &name, &data);
            for (c, n) in &f {
                total.entry(*c).or_default().2 += n;
                failures.push(format!("{name}: decoy found as {c} x{n}"));
            }
        }
    }
    assert!(cases > 0);
    println!(
        "\n{:<20} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "category", "planted", "found", "false+", "recall", "precision"
    );
    for (c, (planted, tp, fp)) in &total {
        if *planted == 0 && *fp == 0 {
            continue;
        }
        let recall = if *planted > 0 {
            *tp as f64 / *planted as f64
        } else {
            1.0
        };
        let precision = if tp + fp > 0 {
            *tp as f64 / (tp + fp) as f64
        } else {
            1.0
        };
        println!(
            "{:<20} {planted:>8} {tp:>8} {fp:>8} {recall:>8.3} {precision:>9.3}",
            c.id()
        );
    }
    assert!(
        failures.is_empty(),
        "below the goals:\n{}",
        failures.join("\n")
    );
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A table of these rows in XML: `open` and `close` around it, each row in `row` tags (the
/// close tag preceded by `row_tail`), each cell escaped into `cell`'s `{}`.
fn xml_table(
    rows: &[Vec<&str>],
    open: &str,
    row: [&str; 3],
    cell: [&str; 2],
    close: &str,
) -> String {
    let mut x = String::from(open);
    for r in rows {
        x.push_str(row[0]);
        for c in r {
            x.push_str(cell[0]);
            x.push_str(&esc(c));
            x.push_str(cell[1]);
        }
        x.push_str(row[1]);
        x.push_str(row[2]);
    }
    x + close
}

/// A Word table (`w:tbl`) of these rows, each cell one paragraph of one run.
fn word_table(rows: &[Vec<&str>]) -> String {
    xml_table(
        rows,
        "<w:tbl><w:tblPr/>",
        ["<w:tr>", "", "</w:tr>"],
        [
            "<w:tc><w:tcPr/><w:p><w:r><w:t>",
            "</w:t></w:r></w:p></w:tc>",
        ],
        "</w:tbl><w:p/>",
    )
}

/// A minimal Word document with this body.
fn docx(body: &str) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let ct = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    synth::zip_of(&[
        ("[Content_Types].xml", ct.as_bytes()),
        ("word/document.xml", doc.as_bytes()),
    ])
    .unwrap()
}

/// An OpenDocument table of these rows, with the repeated empty cells and rows a
/// spreadsheet application writes after them.
fn odf_table(rows: &[Vec<&str>]) -> String {
    xml_table(
        rows,
        "<table:table table:name=\"顧客\">",
        [
            "<table:table-row>",
            "<table:table-cell table:number-columns-repeated=\"16000\"/>",
            "</table:table-row>",
        ],
        [
            "<table:table-cell office:value-type=\"string\"><text:p>",
            "</text:p></table:table-cell>",
        ],
        "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row></table:table>",
    )
}

/// A minimal OpenDocument text with this body.
fn odt(body: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
    );
    synth::zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.text".as_slice(),
        ),
        ("content.xml", content.as_bytes()),
    ])
    .unwrap()
}

/// An HTML page in Shift_JIS (as older Japanese systems export) with the rows in a table
/// whose cell and row end tags are left out, as HTML allows.
fn html_table(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut x = String::from(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"><title>顧客一覧</title></head><body>\n<table border=\"1\">\n",
    );
    for (i, r) in rows.iter().enumerate() {
        x.push_str("<tr>");
        for c in r {
            x.push_str(if i == 0 { "<th>" } else { "<td>" });
            x.push_str(&esc(c));
        }
        x.push('\n');
    }
    x.push_str("</table></body></html>\n");
    encoding_rs::SHIFT_JIS.encode(&x).0.into_owned()
}

/// An HTML page with a paragraph per line of the text, spaces as `&nbsp;` here and there.
fn html_letters(text: &str) -> Vec<u8> {
    let mut x = String::from("<!DOCTYPE html>\n<html lang=\"ja\"><body>\n");
    for l in text.lines() {
        x.push_str(&format!("<p>{}</p>\n", esc(l).replacen(' ', "&nbsp;", 1)));
    }
    (x + "</body></html>\n").into_bytes()
}

/// A minimal workbook (inline strings) with the CSV's rows in one sheet, built with the
/// crate's own zip writer: the smallest xlsx calamine and Excel accept.
fn workbook(csv: &str) -> Vec<u8> {
    let mut rows = String::new();
    for (r, line) in csv.lines().enumerate() {
        rows.push_str(&format!("<row r=\"{}\">", r + 1));
        for cell in line.split(',') {
            rows.push_str(&format!(
                "<c t=\"inlineStr\"><is><t>{}</t></is></c>",
                esc(cell)
            ));
        }
        rows.push_str("</row>");
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    let ct = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="顧客" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    synth::zip_of(&[
        ("[Content_Types].xml", ct.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
    .unwrap()
}

/// Phone numbers and postal codes typed into Excel as numbers lose their leading zeros
/// (`9012345678`, `60001`); under their headers they still count, as the numbers they were.
#[test]
fn numbers_a_spreadsheet_stored_as_numbers_count() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["氏名", "電話番号", "郵便番号", "会員番号"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ("山田 太郎", 9012345678.0, 60001.0),
        ("佐藤 花子", 312345678.0, 1000001.0),
        ("鈴木 一郎", 8023456789.0, 5300001.0),
    ];
    for (r, (name, phone, postal)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *name).unwrap();
        ws.write_number(r, 1, *phone).unwrap();
        ws.write_number(r, 2, *postal).unwrap();
        ws.write_number(r, 3, 123456.0 + f64::from(r)).unwrap();
    }
    let data = wb.save_to_buffer().unwrap();
    let f = found(&Scanner::new(Options::default()), "members.xlsx", &data);
    assert_eq!(f.get(&Category::Phone), Some(&3), "{f:?}");
    assert_eq!(f.get(&Category::PostalCode), Some(&3), "{f:?}");
    assert_eq!(f.values().sum::<u64>(), 9, "{f:?}");
}

/// A short EUC-JP page whose bytes pass for Shift_JIS (half-width kana are two bytes in
/// EUC-JP): read in the encoding its `<meta>` declares.
#[test]
fn html_pages_are_read_in_their_declared_encoding() {
    let page = "<html><head><meta charset=\"euc-jp\"></head><body>\
                <p>氏名：ｻﾄｳ ﾊﾅｺ 様</p><p>ﾌﾘｶﾞﾅ：ｻﾄｳ ﾊﾅｺ</p></body></html>";
    let (data, _, _) = encoding_rs::EUC_JP.encode(page);
    let items = Scanner::new(Options::default()).scan_bytes("p.html", &data);
    let [Item::Found(r)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(r.encoding.as_deref(), Some("EUC-JP"));
    assert_eq!(r.categories.get(&Category::NameKana), Some(&1), "{r:?}");
}

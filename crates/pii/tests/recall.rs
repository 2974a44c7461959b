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

#[test]
fn recall_and_precision_per_category() {
    let scanner = Scanner::new(Options::default());
    // category -> (planted, true positives, false positives)
    let mut total: BTreeMap<Category, (u64, u64, u64)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (ei, enc) in ENCODINGS.iter().enumerate() {
        for (fi, form) in Form::ALL.iter().enumerate() {
            let g = synth::persons_file(1000 + (ei * 10 + fi) as u64, PERSONS, *form, enc);
            let f = found(&scanner, &g.name, &g.data);
            cases += 1;
            for c in Category::ALL {
                let planted = g.truth.get(&c).copied().unwrap_or(0);
                let got = f.get(&c).copied().unwrap_or(0);
                let tp = got.min(planted);
                let e = total.entry(c).or_default();
                e.0 += planted;
                e.1 += tp;
                e.2 += got - tp;
                if planted > 0 && (tp as f64) < goal(c) * planted as f64 {
                    failures.push(format!("{}: {c} {tp}/{planted}", g.name));
                }
            }
        }
        // The same persons as a workbook (cells are Unicode: once, not per encoding).
        if ei == 0 {
            let (text, truth) = synth::persons_text(77, PERSONS, Form::Csv);
            let xlsx = workbook(&text);
            let f = found(&scanner, "persons.xlsx", &xlsx);
            cases += 1;
            for c in Category::ALL {
                let planted = truth.get(&c).copied().unwrap_or(0);
                let got = f.get(&c).copied().unwrap_or(0);
                let tp = got.min(planted);
                let e = total.entry(c).or_default();
                e.0 += planted;
                e.1 += tp;
                e.2 += got - tp;
                if planted > 0 && (tp as f64) < goal(c) * planted as f64 {
                    failures.push(format!("persons.xlsx: {c} {tp}/{planted}"));
                }
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

/// A minimal workbook (inline strings) with the CSV's rows in one sheet, built with the
/// crate's own zip writer: the smallest xlsx calamine and Excel accept.
fn workbook(csv: &str) -> Vec<u8> {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
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

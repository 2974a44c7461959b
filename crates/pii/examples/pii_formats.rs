//! Writes the same generated persons in each document and mail format pii scan reads, for a
//! throughput comparison by hand (docs/BENCHMARKS.md):
//! `cargo run --release -p kizuki-pii --example pii_formats -- DIR PERSONS`.
//!
//! persons.csv (UTF-8, the reference), persons.json / persons.vcf / persons.xml (the API
//! document, address book and XML export forms of the generator), persons.xlsx (rust_xlsxwriter, shared strings),
//! persons.xls (Excel 97 cells), table.docx (one Word table), letters.pdf (the free-text form,
//! Japanese fonts), inbox.mbox (a message per 20 persons: their letters as a base64 body and
//! their rows as a CSV attachment), transfers.txt (a Zengin bank transfer file in Shift_JIS,
//! one record a line), customers.dat (records of fixed width in Shift_JIS, `Form::Fixed`) and
//! customers-sjis.csv (the same records' fields as a Shift_JIS CSV).
#![allow(clippy::unwrap_used, reason = "benchmark data writer")]

use kizuki_mail::synth as msynth;
use kizuki_pii::synth::{self, Form};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "/tmp/pii-formats".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    std::fs::create_dir_all(&dir).unwrap();
    let (csv, _) = synth::persons_text(7, n, Form::Csv);
    let (text, _) = synth::persons_text(8, n, Form::Text);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    std::fs::write(dir.join("persons.csv"), &csv).unwrap();
    // The same persons as an API document, an address book and an XML export.
    for (form, name) in [
        (Form::Json, "persons.json"),
        (Form::Vcard, "persons.vcf"),
        (Form::Xml, "persons.xml"),
    ] {
        std::fs::write(dir.join(name), synth::persons_text(7, n, form).0).unwrap();
    }
    let (zengin, _) = synth::zengin(7, n, "\r\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&zengin);
    std::fs::write(dir.join("transfers.txt"), sjis).unwrap();
    // Records of fixed width, and their fields (cut at the generator's places, in
    // Shift_JIS bytes) as a CSV.
    let (fixed, _) = synth::persons_text(7, n, Form::Fixed);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&fixed);
    const PLACES: [usize; 13] = [0, 8, 32, 52, 53, 61, 68, 148, 161, 211, 220, 228, 242];
    let header = "顧客番号,氏名,カナ,性別,生年月日,郵便番号,住所,電話番号,メール,旅券番号,旅券発行日,更新日時\n";
    let mut cut = encoding_rs::SHIFT_JIS.encode(header).0.into_owned();
    for rec in sjis.split(|b| *b == b'\n') {
        let rec = rec.strip_suffix(b"\r").unwrap_or(rec);
        if rec.len() != 242 {
            continue;
        }
        for (k, w) in PLACES.windows(2).enumerate() {
            if k > 0 {
                cut.push(b',');
            }
            cut.extend(rec[w[0]..w[1]].trim_ascii());
        }
        cut.push(b'\n');
    }
    std::fs::write(dir.join("customers.dat"), &sjis).unwrap();
    std::fs::write(dir.join("customers-sjis.csv"), cut).unwrap();

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    std::fs::write(dir.join("persons.xlsx"), wb.save_to_buffer().unwrap()).unwrap();

    std::fs::write(
        dir.join("persons.xls"),
        synth::xls_of("顧客", &rows, false).unwrap(),
    )
    .unwrap();

    let mut body = String::from("<w:tbl>");
    for r in &rows {
        body.push_str("<w:tr>");
        for c in r {
            body.push_str(&format!(
                "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>",
                esc(c)
            ));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let docx = synth::zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", doc.as_bytes()),
    ])
    .unwrap();
    std::fs::write(dir.join("table.docx"), docx).unwrap();

    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(dir.join("letters.pdf"), synth::pdf_of(&lines).unwrap()).unwrap();

    let header = rows[0].join(",");
    let letters: Vec<&str> = text.split("\n\n").collect();
    let mut msgs = Vec::new();
    for (k, chunk) in rows[1..].chunks(20).enumerate() {
        let mut m = msynth::reference_spec();
        m.text = letters
            .iter()
            .skip(k * 20)
            .take(20)
            .copied()
            .collect::<Vec<_>>()
            .join("\n\n");
        let list: String = std::iter::once(header.clone())
            .chain(chunk.iter().map(|r| r.join(",")))
            .collect::<Vec<_>>()
            .join("\n");
        m.attachments = vec![msynth::Attachment {
            name: "list.csv".into(),
            ctype: "text/csv; charset=UTF-8".into(),
            data: list.into_bytes(),
        }];
        msgs.push(msynth::render(&m, msynth::Eol::Lf));
    }
    std::fs::write(dir.join("inbox.mbox"), msynth::to_mbox(&msgs)).unwrap();
}

//! Entry points of the fuzz targets (fuzz/), one per parser. Each runs the full analyser on
//! arbitrary bytes presented as that format; the tests replay the checked-in seed corpus
//! through them so CI exercises the same code.

use crate::{Analyzer, Options};

fn run(name: &str, data: &[u8]) {
    // Small caps keep each fuzz iteration fast.
    let opts = Options {
        max_total_size: 16 * 1024 * 1024,
        max_time: std::time::Duration::from_secs(2),
        ..Options::default()
    };
    if let Ok(a) = Analyzer::new(opts) {
        let _ = a.analyze_bytes(name, data, &["infected".into()]);
    }
}

/// PDF scanner and object parser (prefixes `%PDF-` so the input is taken as a PDF).
pub fn pdf(data: &[u8]) {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend_from_slice(data);
    run("fuzz.pdf", &v);
    let _ = crate::pdf::pdfid(data);
}

/// OLE2 + VBA: the compound-file reader, the VBA source finder and the MS-OVBA decompressor.
pub fn ole_vba(data: &[u8]) {
    run("fuzz.doc", data);
    let _ = crate::office::vba_sources_in(data);
    let _ = crate::office::decompress_vba(data, 1 << 20);
}

/// OOXML packages.
pub fn ooxml(data: &[u8]) {
    run("fuzz.docx", data);
}

/// Zip walker (and other archives by content), plus `walk_members`.
pub fn zip(data: &[u8]) {
    run("fuzz.zip", data);
    let _ = crate::walk_members("fuzz.zip", data, &Options::default(), &mut |_, _| true);
    // A RAR archive in volumes: the input cut where a second RAR mark starts (the seeds
    // `rar*_volumes*.in` are two volumes one after the other).
    if data.starts_with(b"Rar!")
        && let Some(k) = memchr::memmem::find(&data[4..], b"Rar!\x1A\x07").map(|k| k + 4)
    {
        let opts = Options {
            max_total_size: 16 * 1024 * 1024,
            max_time: std::time::Duration::from_secs(2),
            passwords: vec!["infected".into()],
            ..Options::default()
        };
        let _ = crate::walk_rar_volumes_reporting(
            "fuzz.part1.rar",
            &[&data[..k], &data[k..]],
            &opts,
            &|_, _| false,
            &mut |_, _| true,
            &mut |_, _| {},
        );
    }
}

/// LNK parser.
pub fn lnk(data: &[u8]) {
    let _ = crate::lnk::parse(data);
    run("fuzz.lnk", data);
}

/// A fuzz entry point.
pub type Target = fn(&[u8]);

/// The targets by name, for the corpus replay test.
pub const TARGETS: &[(&str, Target)] = &[
    ("pdf", pdf),
    ("ole_vba", ole_vba),
    ("ooxml", ooxml),
    ("zip", zip),
    ("lnk", lnk),
];

//! Hostile inputs: each must end with a finding, never a panic, hang or huge allocation.
//! (Timing and memory are measured by hand, see docs/BENCHMARKS.md; tests assert behaviour.)

use kizuki_files::{Analyzer, Options, synth, walk_members};

fn analyzer() -> Analyzer {
    Analyzer::new(Options::default()).expect("analyzer")
}

#[test]
fn regression_zip_declaring_10_gib_is_a_bomb() {
    let z = synth::zip_bomb_declared(10, 1 << 30);
    assert!(z.len() < 1200, "{}", z.len());
    let r = analyzer().analyze_bytes("bomb.zip", &z, &[]);
    assert!(r.has_rule("archive.bomb"), "{r:?}");
}

#[test]
fn regression_zip_that_really_expands_is_capped() {
    // 32 MiB of zeros deflate to ~32 KiB: ratio ~1000 > 200. The header lies about the size
    // only in the bomb above; here it is honest, and the ratio check stops it before reading.
    let zeros = vec![0u8; 32 * 1024 * 1024];
    let z = synth::zip(&[("zeros.bin", &zeros)], false);
    let r = analyzer().analyze_bytes("zeros.zip", &z, &[]);
    assert!(r.has_rule("archive.bomb"), "{r:?}");
    assert!(r.children.is_empty());
}

#[test]
fn regression_100_deep_nested_zip_stops_at_the_depth_cap() {
    let z = synth::zip_nested(100);
    let r = analyzer().analyze_bytes("nested.zip", &z, &[]);
    assert!(r.has_rule("archive.too_deep"), "{r:?}");
    let mut depth = 0;
    let mut cur = &r;
    while let Some(c) = cur.children.first() {
        depth += 1;
        cur = c;
    }
    assert_eq!(depth, 4);
}

#[test]
fn regression_pdf_reference_loop_ends_with_a_finding() {
    let s = synth::corpus()
        .into_iter()
        .find(|s| s.case == "hostile_pdf_reference_loop")
        .unwrap();
    let r = analyzer().analyze_bytes(&s.name, &s.data, &[]);
    assert!(r.has_rule("pdf.reference_loop"), "{r:?}");
    assert!(r.has_rule("pdf.open_action"), "{r:?}");
}

#[test]
fn huge_flate_stream_in_pdf_is_capped() {
    let mut b = synth::PdfBuilder::new();
    let zeros = vec![0u8; 40 * 1024 * 1024];
    let js = b.stream("/Filter /FlateDecode", &synth::zlib(&zeros));
    let act = b.obj(&format!("<< /S /JavaScript /JS {js} 0 R >>"));
    let root = b.obj(&format!("<< /Type /Catalog /OpenAction {act} 0 R >>"));
    let pdf = b.finish(root);
    let r = analyzer().analyze_bytes("big.pdf", &pdf, &[]);
    assert!(r.has_rule("pdf.stream_limit"), "{r:?}");
    assert!(r.has_rule("pdf.open_action"));
}

#[test]
fn truncated_inputs_never_panic() {
    let a = analyzer();
    for s in synth::corpus() {
        for cut in [
            1,
            7,
            s.data.len() / 3,
            s.data.len() / 2,
            s.data.len().saturating_sub(5),
        ] {
            let part = &s.data[..cut.min(s.data.len())];
            let _ = a.analyze_bytes(&s.name, part, &[]);
        }
    }
}

#[test]
fn ppap_zip_opens_with_the_right_password() {
    let s = synth::corpus()
        .into_iter()
        .find(|s| s.case == "zip_encrypted_ppap")
        .unwrap();
    let a = analyzer();
    let locked = a.analyze_bytes(&s.name, &s.data, &["wrong".into()]);
    assert!(locked.has_rule("archive.encrypted"));
    let open = a.analyze_bytes(&s.name, &s.data, &["Kz8x2QpW".into()]);
    assert!(!open.has_rule("archive.encrypted"), "{open:?}");
    assert_eq!(open.children.len(), 1);
    assert_eq!(open.children[0].file_type, "pdf");
}

#[test]
fn walk_members_hands_over_leaves_with_bang_paths() {
    let pdf = synth::pdf_text(&["x"]);
    let inner = synth::zip(&[("dir/x.csv", b"a,b\n1,2\n")], false);
    let outer = synth::zip(&[("inner.zip", &inner), ("doc.pdf", &pdf)], false);
    let mut seen = Vec::new();
    walk_members("a.zip", &outer, &Options::default(), &mut |p, d| {
        seen.push((p.to_string(), d.len()));
        true
    })
    .unwrap();
    let names: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["a.zip!inner.zip!dir/x.csv", "a.zip!doc.pdf"]);
    // Stopping early.
    let mut n = 0;
    walk_members("a.zip", &outer, &Options::default(), &mut |_, _| {
        n += 1;
        false
    })
    .unwrap();
    assert_eq!(n, 1);
}

//! YARA rules (feature `yara`): `cargo test -p kizuki-files --features yara --test yara`.
#![cfg(feature = "yara")]

use kizuki_files::{Analyzer, Options, synth};

#[test]
fn yara_rule_matches_become_findings_on_members_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inert.yar"),
        "rule Inert_Alert { strings: $a = \"app.alert\" condition: $a }\n",
    )
    .unwrap();
    let a = Analyzer::new(Options {
        yara_dir: Some(dir.path().to_path_buf()),
        ..Options::default()
    })
    .unwrap();
    // The JS of this sample is in plain text inside an uncompressed object.
    let s = synth::corpus()
        .into_iter()
        .find(|s| s.case == "pdf_obfuscated_names")
        .unwrap();
    let r = a.analyze_bytes(&s.name, &s.data, &[]);
    assert!(r.has_rule("yara.inert_alert"), "{r:?}");
    // Inside a zip: the member matches.
    let z = synth::zip(&[("x.pdf", &s.data)], false);
    let r = a.analyze_bytes("x.zip", &z, &[]);
    assert!(r.children[0].has_rule("yara.inert_alert"), "{r:?}");
    // Clean text does not.
    let r = a.analyze_bytes("a.txt", b"hello", &[]);
    assert!(!r.has_rule("yara.inert_alert"));
}

#[test]
fn bad_rules_are_an_error_naming_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yar"), "rule { oops").unwrap();
    let e = Analyzer::new(Options {
        yara_dir: Some(dir.path().to_path_buf()),
        ..Options::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("YARA rules in"), "{e}");
}

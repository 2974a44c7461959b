//! PDFs encrypted by the standard security handler, as qpdf writes them: decrypted with the
//! empty password (an owner's restrictions only) or a candidate one, then inspected as any.
//! An encryption with no password to open is a way to hide JavaScript from scanners that do
//! not decrypt.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use kizuki_files::synth::{PdfBuilder, pdf_text_with};
use kizuki_files::{Analyzer, FileReport, Options};

fn qpdf_encrypted(plain: &[u8], args: &[&str]) -> Vec<u8> {
    kizuki_files::synth::qpdf_encrypted(plain, args).unwrap()
}

fn rules(r: &FileReport) -> Vec<String> {
    r.all_findings()
        .iter()
        .map(|f| format!("{} {:?}", f.rule, f.severity))
        .collect()
}

#[test]
fn encrypted_pdfs_are_decrypted_and_inspected() {
    let mut b = PdfBuilder::new();
    let act = b.obj(
        "<< /S /JavaScript /JS (var s = unescape\\(\"%u9090%u9090\"\\); util.printf\\(\"%45000f\", 1\\);) >>",
    );
    let root = pdf_text_with(&["Invoice"], &format!("/OpenAction {act} 0 R"), &mut b);
    let plain = b.finish(root);
    let scan = |data: &[u8], passwords: &[&str]| {
        let opts = Options {
            passwords: passwords.iter().map(|p| p.to_string()).collect(),
            ..Options::default()
        };
        rules(
            &Analyzer::new(opts)
                .unwrap()
                .analyze_bytes("invoice.pdf", data, &[]),
        )
    };
    let has = |got: &[String], r: &str| got.iter().any(|g| g.starts_with(r));
    assert!(has(&scan(&plain, &[]), "pdf.js_exploit_api"));
    // No password to open: decrypted, the code seen, the encryption told for information.
    for bits in [
        vec!["40"],
        vec!["128", "--use-aes=n"],
        vec!["128", "--use-aes=y"],
        vec!["256"],
    ] {
        let mut args = vec!["--encrypt", "", "owner"];
        args.extend(bits.iter().copied());
        args.push("--");
        let sealed = qpdf_encrypted(&plain, &args);
        let got = scan(&sealed, &[]);
        assert!(has(&got, "pdf.js_exploit_api"), "{args:?}: {got:?}");
        assert!(has(&got, "pdf.js_obfuscation"), "{args:?}: {got:?}");
        assert!(
            got.contains(&"pdf.encrypted Info".to_string()),
            "{args:?}: {got:?}"
        );
    }
    // A user password: hidden without it, seen with it.
    let sealed = qpdf_encrypted(&plain, &["--encrypt", "infected", "owner", "256", "--"]);
    let got = scan(&sealed, &[]);
    assert!(!has(&got, "pdf.js_exploit_api"), "{got:?}");
    assert!(got.contains(&"pdf.encrypted Medium".to_string()), "{got:?}");
    let got = scan(&sealed, &["wrong", "infected"]);
    assert!(has(&got, "pdf.js_exploit_api"), "{got:?}");
    assert!(
        got.contains(&"pdf.password_opened Info".to_string()),
        "{got:?}"
    );
}

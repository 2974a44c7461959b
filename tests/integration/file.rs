//! `kizuki file scan`: output shapes and exit codes.

use predicates::prelude::*;

use crate::harness::{Sandbox, json_lines};

fn corpus(case: &str) -> Vec<u8> {
    kizuki_files::synth::corpus()
        .into_iter()
        .find(|s| s.case == case)
        .map(|s| s.data)
        .expect("case exists")
}

#[test]
fn malicious_pdf_exits_1_with_json_fields() {
    let sb = Sandbox::new();
    sb.write(
        "mail/北京行きのEチケット.pdf",
        corpus("pdf_eticket_openaction_js"),
    );
    sb.write("mail/notes.txt", "hello\n");
    let out = sb
        .cmd()
        .args(["--format", "json", "file", "scan", "mail"])
        .assert()
        .code(1);
    let items = json_lines(&out.get_output().stdout);
    assert_eq!(items.len(), 2);
    let pdf = items.iter().find(|i| i["type"] == "pdf").unwrap();
    for k in [
        "path", "sha256", "size", "type", "verdict", "score", "findings", "children",
    ] {
        assert!(pdf.get(k).is_some(), "{k} missing: {pdf}");
    }
    assert_eq!(pdf["verdict"], "malicious");
    let rules: Vec<&str> = pdf["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"pdf.open_action"), "{rules:?}");
}

#[test]
fn clean_files_exit_0_and_text_output_names_them() {
    let sb = Sandbox::new();
    sb.write("docs.zip", corpus("benign_zip_of_pdfs"));
    sb.cmd()
        .args(["file", "scan", "docs.zip"])
        .assert()
        .success()
        .stdout(predicate::str::contains("docs.zip").and(predicate::str::contains("clean")));
}

#[test]
fn unreadable_path_exits_2_and_password_flag_opens_ppap() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["file", "scan", "missing.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.pdf"));
    sb.write("q.zip", corpus("zip_encrypted_ppap"));
    let out = sb
        .cmd()
        .args([
            "--format",
            "json",
            "file",
            "scan",
            "--password",
            "Kz8x2QpW",
            "q.zip",
        ])
        .assert()
        .success();
    let items = json_lines(&out.get_output().stdout);
    assert_eq!(items[0]["children"][0]["type"], "pdf");
}

#[test]
fn yara_without_the_feature_is_a_clear_error() {
    let sb = Sandbox::new();
    sb.write("a.txt", "x");
    sb.write("rules/r.yar", "rule r { condition: true }");
    let run = sb
        .cmd()
        .args(["file", "scan", "--yara", "rules", "a.txt"])
        .assert();
    if cfg!(feature = "yara") {
        // Built with YARA: the catch-all rule matches and makes the file suspicious.
        run.code(1).stdout(predicate::str::contains("yara.r"));
    } else {
        run.code(2).stderr(predicate::str::contains("yara"));
    }
}

#[test]
fn demo_file_stage_flags_the_eticket() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["--format", "json", "demo", "--out", "d"])
        .assert()
        .success();
    let items = json_lines(&out.get_output().stdout);
    let stage = items
        .iter()
        .find(|i| i["stage"] == "file")
        .expect("file stage");
    assert_eq!(stage["ok"], true);
    let summary = stage["summary"].to_string();
    assert!(summary.contains("malicious"), "{summary}");
    assert!(summary.contains("pdf.open_action"), "{summary}");
}

/// Member names come from the archive: one in CP932 is shown as its user saw it, and one with
/// an escape sequence, a line break and a reversal is shown as escapes, so it can neither
/// drive the terminal nor pass for a line of its own.
#[test]
fn member_names_are_shown_as_written_and_never_acted_on() {
    let sb = Sandbox::new();
    let sjis = encoding_rs::SHIFT_JIS
        .encode("顧客リスト.csv")
        .0
        .into_owned();
    let hostile = "a\u{1b}[2J\r\n  x.pdf  text 1 B  clean (0)\u{202E}fdp.exe".as_bytes();
    sb.write(
        "in.zip",
        kizuki_files::synth::zip_raw_names(&[(&sjis, b"a,b\n"), (hostile, b"a,b\n")]),
    );
    let out = sb.cmd().args(["file", "scan", "in.zip"]).assert();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("in.zip!顧客リスト.csv"), "{text}");
    assert!(
        text.contains(r"in.zip!a\x1b[2J\x0d\x0a  x.pdf  text 1 B  clean (0)\u{202e}fdp.exe"),
        "{text}"
    );
    assert!(!text.contains(['\u{1b}', '\r', '\u{202E}']), "{text:?}");
    assert!(!text.lines().any(|l| l.starts_with("  x.pdf")), "{text}");
}

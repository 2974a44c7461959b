//! Global behaviour: help, version, exit codes, completions, man page.

use predicates::prelude::*;

use crate::harness::Sandbox;

#[test]
fn help_lists_the_areas() {
    let sb = Sandbox::new();
    let out = sb.cmd().arg("--help").assert().success();
    let s = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for area in [
        "file",
        "mail",
        "net",
        "pii",
        "demo",
        "config",
        "completions",
        "man",
    ] {
        assert!(
            s.contains(&format!("\n  {area} ")),
            "--help lacks {area}:\n{s}"
        );
    }
}

#[test]
fn usage_error_exits_2() {
    Sandbox::new().cmd().arg("no-such-area").assert().code(2);
    Sandbox::new()
        .cmd()
        .args(["--format", "yaml", "demo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("yaml"));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        Sandbox::new()
            .cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("kizuki"));
    }
}

#[test]
fn man_page_renders() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie").or(predicate::str::contains(".TH kizuki")));
    sb.cmd().args(["man", "--out", "man"]).assert().success();
    assert!(sb.path().join("man/kizuki.1").is_file());
    assert!(sb.path().join("man/kizuki-demo.1").is_file());
}

#[test]
fn version_is_printed() {
    Sandbox::new()
        .cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kizuki "));
}

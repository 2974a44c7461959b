//! `kizuki config check|example` and configuration lookup.

use predicates::prelude::*;

use crate::harness::{Sandbox, json_lines};

#[test]
fn example_passes_check() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["config", "example"]).assert().success();
    sb.write("k.toml", &out.get_output().stdout);
    sb.cmd()
        .args(["config", "check", "k.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("k.toml: ok"));
}

#[test]
fn unknown_key_exits_2_naming_file_line_and_key() {
    let sb = Sandbox::new();
    sb.write(
        "bad.toml",
        "[mail]\n\ntrusted_domains = []\nauthserv = \"mx\"\n",
    );
    let out = sb
        .cmd()
        .args(["config", "check", "bad.toml"])
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml:4: mail.authserv: unknown field"),
        "{err}"
    );
}

#[test]
fn wrong_type_exits_2() {
    let sb = Sandbox::new();
    sb.write("bad.toml", "[files]\nmax_depth = -1\n");
    sb.cmd()
        .args(["config", "check", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:2: files.max_depth"));
}

#[test]
fn lookup_order_is_flag_then_cwd_then_xdg() {
    let sb = Sandbox::new();
    // Nothing anywhere: defaults.
    sb.cmd()
        .args(["config", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("defaults"));
    // XDG.
    sb.write("xdg/kizuki/kizuki.toml", "[pii]\nmin_count = 2\n");
    let out = sb
        .cmd()
        .args(["--format", "json", "config", "check"])
        .assert()
        .success();
    let v = json_lines(&out.get_output().stdout);
    assert!(
        v[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("xdg/kizuki/kizuki.toml")
    );
    // ./kizuki.toml wins over XDG.
    sb.write("kizuki.toml", "[pii]\n");
    let out = sb
        .cmd()
        .args(["--format", "json", "config", "check"])
        .assert()
        .success();
    assert_eq!(
        json_lines(&out.get_output().stdout)[0]["path"],
        "kizuki.toml"
    );
    // --config wins over both, and a broken one fails.
    sb.write("other.toml", "oops = 1\n");
    sb.cmd()
        .args(["--config", "other.toml", "config", "check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("other.toml:1: oops"));
}

#[test]
fn missing_file_exits_2() {
    Sandbox::new()
        .cmd()
        .args(["config", "check", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}

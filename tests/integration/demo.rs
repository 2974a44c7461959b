//! `kizuki demo`: the main job.

use crate::harness::{Sandbox, json_lines};

#[test]
fn demo_runs_clean_and_prints_each_stage() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["demo", "--out", "d"]).assert().success();
    let s = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(s.contains("== scenario"), "{s}");
    assert!(!s.contains("MISSED"), "{s}");
    assert!(sb.path().join("d/incident.json").is_file());
}

#[test]
fn demo_json_is_json_lines() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["--format", "json", "demo", "--out", "d"])
        .assert()
        .success();
    let items = json_lines(&out.get_output().stdout);
    assert!(!items.is_empty());
    for i in &items {
        assert_eq!(i["ok"], true, "{i}");
        assert!(i["stage"].is_string());
    }
}

#[test]
fn demo_default_folder_is_kizuki_demo() {
    let sb = Sandbox::new();
    sb.cmd().arg("demo").assert().success();
    assert!(sb.path().join("kizuki-demo/incident.json").is_file());
}

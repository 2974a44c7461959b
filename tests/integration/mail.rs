//! `kizuki mail scan`.

use std::io::Read;
use std::path::PathBuf;
use std::process::Stdio;

use crate::harness::{Sandbox, json_lines, repo_root};

fn testdata() -> PathBuf {
    repo_root().join("crates/mail/testdata")
}

fn scan(sb: &Sandbox, extra: &[&str]) -> assert_cmd::Command {
    let mut c = sb.cmd();
    let td = testdata();
    c.args(["--format", "json", "--config"])
        .arg(td.join("kizuki.toml"))
        .args(["mail", "scan", "--dns-records"])
        .arg(td.join("dns-records.txt"))
        .args(extra);
    c
}

#[test]
fn reference_mail_is_malicious_with_the_documented_fields() {
    let sb = Sandbox::new();
    let p = testdata().join("reference.eml");
    let out = scan(&sb, &[p.to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let r = &v[0];
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "attachments",
            "date",
            "findings",
            "from",
            "message_id",
            "score",
            "source",
            "subject",
            "verdict"
        ]
    );
    assert_eq!(r["verdict"], "malicious");
    assert_eq!(r["subject"], "航空券控え 添付のご連絡");
    assert_eq!(r["from"], "s****@partner-air.example");
    let rules: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for want in [
        "auth.dmarc_fail",
        "body.empty_with_attachment",
        "sender.return_path_mismatch",
        "lure.subject",
    ] {
        assert!(rules.contains(&want), "{want} missing from {rules:?}");
    }
}

#[test]
fn business_mail_is_clean_and_mbox_sources_are_numbered() {
    let sb = Sandbox::new();
    let p = testdata().join("business.mbox");
    let out = scan(&sb, &[p.to_str().unwrap()])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 6);
    for (i, r) in v.iter().enumerate() {
        assert!(
            r["source"]
                .as_str()
                .unwrap()
                .ends_with(&format!("business.mbox#{}", i + 1))
        );
        assert_eq!(r["verdict"], "clean");
    }
}

#[test]
fn maildir_directory_and_stdin() {
    let sb = Sandbox::new();
    let td = testdata();
    let business = std::fs::read(td.join("business-01-utf8-lf.eml")).unwrap();
    let reference = std::fs::read(td.join("reference.eml")).unwrap();
    sb.write("Maildir/cur/1.host:2,S", &business);
    sb.write("Maildir/new/2.host", &reference);
    sb.write("Maildir/tmp/3.host", &reference);
    let out = scan(&sb, &["Maildir"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 2, "tmp/ must be skipped");
    assert_eq!(v[0]["verdict"], "clean");
    assert_eq!(v[1]["verdict"], "malicious");
    let out = scan(&sb, &["-"])
        .write_stdin(business)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v[0]["source"], "-");
    // Text output names the verdict.
    sb.cmd()
        .args(["mail", "scan", "Maildir/new/2.host"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("malicious"));
}

#[test]
fn missing_input_is_exit_2_and_bad_records_file_names_the_line() {
    let sb = Sandbox::new();
    sb.cmd().args(["mail", "scan", "nope.eml"]).assert().code(2);
    sb.write(
        "dns.txt",
        "ok.example TXT \"v=spf1 -all\"\nbad.example SRV 1\n",
    );
    sb.write("m.eml", "Subject: x\n\nhi\n");
    sb.cmd()
        .args(["mail", "scan", "--dns-records", "dns.txt", "m.eml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("dns.txt:2:"));
}

#[test]
fn a_50_mb_mbox_streams_in_bounded_memory() {
    let sb = Sandbox::new();
    // 50 messages of about 1 MiB each (a base64 attachment), 50 MiB in all.
    let mut mbox = Vec::with_capacity(52 << 20);
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n";
    for i in 0..50 {
        mbox.extend_from_slice(format!(
            "From x Tue Mar 15 10:12:00 2016\nFrom: a <a@b.example>\nSubject: m{i}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream; name=\"d.bin\"\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n"
        ).as_bytes());
        for _ in 0..(1 << 20) / line.len() {
            mbox.extend_from_slice(line.as_bytes());
        }
        mbox.extend_from_slice(b"--b--\n\n");
    }
    assert!(mbox.len() >= 50 << 20);
    let p = sb.write("big.mbox", &mbox);
    drop(mbox);
    let bin = assert_cmd::cargo::cargo_bin("kizuki");
    let mut child = std::process::Command::new(bin)
        .args(["--format", "json", "mail", "scan"])
        .arg(&p)
        .env("HOME", sb.path())
        .env("XDG_CONFIG_HOME", sb.path().join("xdg"))
        .current_dir(sb.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let mut peak_kb = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            for l in status.lines() {
                if let Some(v) = l.strip_prefix("VmHWM:") {
                    let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak_kb = peak_kb.max(kb);
                }
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = reader.join().unwrap();
    assert_eq!(out.lines().count(), 50);
    assert!(out.lines().last().unwrap().contains("big.mbox#50"));
    eprintln!("peak RSS {peak_kb} kB for a {} MiB mbox", 50);
    // The whole file is 50 MiB; streaming keeps about one message (1 MiB, a few copies) live.
    assert!(peak_kb < 40 * 1024, "peak RSS {peak_kb} kB");
}

#![allow(clippy::unwrap_used, reason = "test helpers")]
//! Golden tests: generated office logs (planted patterns) and hand-written malformed logs.
//! `UPDATE_GOLDEN=1 cargo test -p kizuki-net --test golden` regenerates the `.out.json` files.

use std::path::{Path, PathBuf};

use kizuki_net::read::Format;
use kizuki_net::synth::{self, Layout, Plan};
use kizuki_net::{Kind, NetFinding, Options, ScanResult, scan};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn generate(
    plan: &Plan,
    format: Format,
    gzip: bool,
    rotate: bool,
) -> (tempfile::TempDir, ScanResult) {
    let dir = tempfile::tempdir().unwrap();
    synth::write(
        plan,
        dir.path(),
        Layout {
            format,
            gzip,
            rotate,
        },
    )
    .unwrap();
    let r = scan(
        &[dir.path().to_path_buf()],
        &synth::config(plan),
        &Options::default(),
    )
    .unwrap();
    (dir, r)
}

fn json(findings: &[NetFinding]) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&serde_json::to_string(f).unwrap());
        s.push('\n');
    }
    s
}

fn check_golden(name: &str, got: &str) {
    let path = testdata().join(format!("{name}.out.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        got, want,
        "golden {name} differs (UPDATE_GOLDEN=1 regenerates)"
    );
}

/// Reads `seed = N` from a `.in` plan file.
fn plan_of(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).unwrap();
    let mut plan = Plan::office(1);
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            match k.trim() {
                "seed" => plan.seed = v.parse().unwrap(),
                "hours" => plan.hours = v.parse().unwrap(),
                "hosts" => plan.hosts = v.parse().unwrap(),
                _ => {}
            }
        }
    }
    plan
}

#[test]
fn planted_patterns_are_found_and_rank_above_benign() {
    let mut cases = 0;
    for e in std::fs::read_dir(testdata()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let Some(stem) = name.strip_suffix(".plan.in") else {
            continue;
        };
        cases += 1;
        let plan = plan_of(&p);
        let (_d, tsv) = generate(&plan, Format::Tsv, false, false);
        for f in &tsv.files {
            assert_eq!(f.malformed(), 0, "{f:?}");
        }
        let got = &tsv.findings;
        let labels = plan.labels();
        let mut lowest_planted = f64::MAX;
        for (kind, src, dst) in &labels {
            let f = got
                .iter()
                .find(|f| f.kind == *kind && &f.src == src && &f.dst == dst)
                .unwrap_or_else(|| {
                    panic!(
                        "{stem}: planted {kind:?} {src} -> {dst} not found:\n{}",
                        json(got)
                    )
                });
            lowest_planted = lowest_planted.min(f.score);
        }
        // Nothing benign ranks above the weakest planted pattern.
        for f in got {
            let planted = labels.iter().any(|(_, s, d)| &f.src == s && &f.dst == d)
                || f.dst == plan.c2.to_string();
            if !planted {
                assert!(
                    f.score < lowest_planted,
                    "{stem}: benign {f:?} ranks above a planted pattern"
                );
            }
        }
        // Every format and layout gives the same findings.
        let (_d, js) = generate(&plan, Format::Json, true, true);
        assert_eq!(
            json(&js.findings),
            json(got),
            "{stem}: JSON differs from TSV"
        );
        check_golden(stem, &json(got));
    }
    assert!(cases > 0);
}

#[test]
fn malformed_logs_are_counted_and_the_rest_analysed() {
    let mut cases = 0;
    for e in std::fs::read_dir(testdata()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let Some(stem) = name.strip_suffix(".log.in") else {
            continue;
        };
        cases += 1;
        let dir = tempfile::tempdir().unwrap();
        // The .in file is a conn log; the case also runs truncated-gzip of the same content.
        let data = std::fs::read(&p).unwrap();
        std::fs::write(dir.path().join("conn.log"), &data).unwrap();
        let mut gz = Vec::new();
        {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::default());
            enc.write_all(&data).unwrap();
            enc.finish().unwrap();
        }
        gz.truncate(gz.len() * 2 / 3);
        std::fs::write(dir.path().join("conn.trunc.log.gz"), &gz).unwrap();
        let r = scan(
            &[dir.path().to_path_buf()],
            &Default::default(),
            &Options::default(),
        )
        .unwrap();
        let mut out = String::new();
        for f in &r.files {
            let mut f = f.clone();
            f.path = f.path.file_name().unwrap().into();
            out.push_str(&serde_json::to_string(&f).unwrap());
            out.push('\n');
        }
        out.push_str(&json(&r.findings));
        assert!(r.files.iter().any(|f| f.malformed() > 0));
        assert!(
            r.files.iter().any(|f| f.error.is_some()),
            "truncated gzip reported"
        );
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::Beacon),
            "the good rows were analysed"
        );
        check_golden(stem, &out);
    }
    assert!(cases > 0);
}

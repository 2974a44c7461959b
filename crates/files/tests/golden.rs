//! Golden tests: every sample of `synth::corpus()` is stored as `testdata/<case>.in` beside
//! `<case>.out.json` (the expected report). The stored inputs must analyse to exactly the stored
//! reports; the generator's output must analyse to the same reports up to hashes and sizes (its
//! compressed parts depend on which deflate backend the workspace's feature unification picks, so
//! its bytes are not compared with the stored ones; it is checked to be deterministic instead).
//! `UPDATE_GOLDEN=1 cargo test -p kizuki-files --test golden` regenerates both.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kizuki_core::Verdict;
use kizuki_files::{Analyzer, FileReport, Options, synth};

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// The rule ids issue 3 requires a golden case for (yara.<rule> is covered by the feature).
const REQUIRED: &[&str] = &[
    "type.mismatch",
    "name.double_extension",
    "name.bidi_control",
    "pdf.javascript",
    "pdf.open_action",
    "pdf.launch",
    "pdf.embedded_file",
    "pdf.xfa",
    "pdf.obfuscated_name",
    "pdf.encrypted",
    "office.vba_macro",
    "office.autoexec",
    "office.remote_template",
    "office.dde",
    "office.ole_object",
    "archive.encrypted",
    "archive.executable_inside",
    "archive.too_deep",
    "archive.bomb",
    "exe.windows",
    "script.file",
    "lnk.command",
    "container.disk_image",
    "html.form_credentials",
];

fn rules(r: &FileReport, into: &mut BTreeSet<String>) {
    for f in r.all_findings() {
        into.insert(f.rule.to_string());
    }
}

#[test]
fn golden_corpus() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let analyzer = Analyzer::new(Options::default()).unwrap();
    let mut fired = BTreeSet::new();
    let mut ran = 0;
    let mut failures = Vec::new();
    for s in synth::corpus() {
        let report = analyzer.analyze_bytes(&s.name, &s.data, &[]);
        let input = testdata().join(format!("{}.in", s.case));
        let expected = testdata().join(format!("{}.out.json", s.case));
        let mut json = serde_json::to_string_pretty(&report).unwrap();
        json.push('\n');
        if update {
            std::fs::write(&input, &s.data).unwrap();
            std::fs::write(&expected, &json).unwrap();
        } else {
            let want = std::fs::read_to_string(&expected).unwrap_or_default();
            let want: serde_json::Value = serde_json::from_str(&want).unwrap_or_default();
            let got = serde_json::to_value(&report).unwrap();
            if without_hashes(want) != without_hashes(got) {
                failures.push(format!(
                    "{}: report differs from {}:\n{json}",
                    s.case,
                    expected.display()
                ));
            }
        }
        let benign = s.case.starts_with("benign_");
        if benign != (report.verdict == Verdict::Clean) {
            failures.push(format!(
                "{}: verdict {} ({}): {json}",
                s.case,
                report.verdict,
                if benign {
                    "must be clean"
                } else {
                    "must not be clean"
                }
            ));
        }
        rules(&report, &mut fired);
        ran += 1;
    }
    assert!(ran > 0);
    for r in REQUIRED {
        assert!(
            fired.contains(*r),
            "no golden case fires {r}; fired: {fired:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The report with `sha256` and `size` removed at every level.
fn without_hashes(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("sha256");
        o.remove("size");
        for c in o.values_mut() {
            *c = without_hashes(c.take());
        }
    } else if let Some(a) = v.as_array_mut() {
        for c in a.iter_mut() {
            *c = without_hashes(c.take());
        }
    }
    v
}

#[test]
fn generators_are_deterministic() {
    let a = synth::corpus();
    let b = synth::corpus();
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(x.data == y.data, "{}: two runs differ", x.case);
    }
}

#[test]
fn stored_inputs_replay() {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        return; // the other test is rewriting the files
    }
    // The checked-in inputs analyse to the checked-in outputs (independent of the generators).
    let analyzer = Analyzer::new(Options::default()).unwrap();
    let mut ran = 0;
    for e in std::fs::read_dir(testdata()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "in") {
            continue;
        }
        let out = p.with_extension("out.json");
        let want: FileReport =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let data = std::fs::read(&p).unwrap();
        let got = analyzer.analyze_bytes(&want.path, &data, &[]);
        assert_eq!(got, want, "{}", p.display());
        ran += 1;
    }
    assert!(ran > 0);
}

//! Golden files: `testdata/<case>.in` beside `<case>.out.json` (the JSON objects the scanner
//! reports for it, samples revealed so a change in what is found shows). `UPDATE_GOLDEN=1`
//! regenerates the outputs — and the generated inputs, from `kizuki_pii::synth`.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::fs;
use std::path::Path;

use kizuki_pii::decode::{self, ENCODINGS};
use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Item, Options, Scanner};

fn generated_inputs(dir: &Path) {
    for (i, (enc, form)) in ENCODINGS.iter().zip(Form::ALL.iter().cycle()).enumerate() {
        let g = synth::persons_file(500 + i as u64, 6, *form, enc);
        let case = g.name.trim_start_matches("persons-").replace('.', "-");
        fs::write(dir.join(format!("{case}.in")), &g.data).unwrap();
    }
    fs::write(dir.join("decoys-text.in"), synth::decoys_text(5, 48)).unwrap();
    fs::write(dir.join("decoys-orders.in"), synth::decoys_csv(6, 12)).unwrap();
    fs::write(dir.join("decoys-orders-ja.in"), synth::decoys_csv_ja(6, 12)).unwrap();
}

#[test]
fn golden() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    if update {
        fs::create_dir_all(&dir).unwrap();
        generated_inputs(&dir);
    }
    let opts = Options {
        reveal: true,
        ..Options::default()
    };
    let scanner = Scanner::new(opts);
    let mut cases = 0;
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "in"))
        .collect();
    names.sort();
    for input in names {
        let case = input.file_stem().unwrap().to_string_lossy().to_string();
        let data = fs::read(&input).unwrap();
        let items: Vec<serde_json::Value> = scanner
            .scan_bytes(&case, &data)
            .into_iter()
            .map(|i| match i {
                Item::Found(r) => serde_json::to_value(&r).unwrap(),
                Item::Failed { path, error } => {
                    serde_json::json!({"path": path, "error": error.to_string()})
                }
            })
            .collect();
        let got = serde_json::to_string_pretty(&items).unwrap() + "\n";
        let want_path = dir.join(format!("{case}.out.json"));
        if update {
            fs::write(&want_path, &got).unwrap();
        } else {
            let want = fs::read_to_string(&want_path).unwrap_or_else(|e| {
                panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", want_path.display())
            });
            assert_eq!(got, want, "golden case {case}");
        }
        cases += 1;
    }
    assert!(cases > 0, "no golden cases ran");
    let _ = decode::HEAD;
}

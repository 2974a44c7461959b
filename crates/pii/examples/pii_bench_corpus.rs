//! Writes the benchmark corpus: `cargo run --release -p kizuki-pii --example pii_bench_corpus -- DIR MB`.
//! Half the bytes are persons CSV (UTF-8 and CP932), a quarter free text with persons (UTF-8
//! and CP932), a quarter decoy logs (UTF-8): eight files, each about MB/8.
use std::io::Write;

use kizuki_pii::decode;
use kizuki_pii::synth::{self, Form};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "/tmp/pii-bench".into()));
    let mb: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1024);
    std::fs::create_dir_all(&dir)?;
    let per_file = mb * (1 << 20) / 8;
    let plan: [(&str, Option<Form>, &'static encoding_rs::Encoding); 8] = [
        ("persons-1-utf8.csv", Some(Form::Csv), encoding_rs::UTF_8),
        ("persons-2-utf8.csv", Some(Form::Csv), encoding_rs::UTF_8),
        (
            "persons-3-cp932.csv",
            Some(Form::Csv),
            encoding_rs::SHIFT_JIS,
        ),
        (
            "persons-4-cp932.csv",
            Some(Form::Csv),
            encoding_rs::SHIFT_JIS,
        ),
        ("notes-5-utf8.txt", Some(Form::Text), encoding_rs::UTF_8),
        (
            "notes-6-cp932.txt",
            Some(Form::Text),
            encoding_rs::SHIFT_JIS,
        ),
        ("app-7.log", None, encoding_rs::UTF_8),
        ("app-8.log", None, encoding_rs::UTF_8),
    ];
    for (i, (name, form, enc)) in plan.iter().enumerate() {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
        let mut written = 0;
        let mut seed = (i as u64) << 32;
        while written < per_file {
            let text = match form {
                Some(form) => synth::persons_text(seed, 2000, *form).0,
                None => synth::decoys_text(seed, 20_000),
            };
            // Only the first block of a CSV keeps its header.
            let text = if seed != (i as u64) << 32 && *form == Some(Form::Csv) {
                text.split_once('\n')
                    .map(|x| x.1.to_string())
                    .unwrap_or_default()
            } else {
                text
            };
            let bytes = decode::encode(enc, &text);
            f.write_all(&bytes)?;
            written += bytes.len();
            seed += 1;
        }
        f.flush()?;
        eprintln!("{name}: {written} bytes");
    }
    Ok(())
}

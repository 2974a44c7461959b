//! Writes the benchmark corpus: `cargo run --release -p kizuki-files --example gen_corpus -- DIR N`.
#![allow(missing_docs)]

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "files-corpus".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    std::fs::create_dir_all(&dir)?;
    for (name, data) in kizuki_files::synth::bench_corpus(42, n) {
        std::fs::write(dir.join(name), data)?;
    }
    Ok(())
}

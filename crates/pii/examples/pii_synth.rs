//! Writes the synthetic corpus: `cargo run -p kizuki-pii --example pii_synth -- DIR PERSONS`.
use kizuki_pii::decode::ENCODINGS;
use kizuki_pii::synth::{self, Form};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "pii-corpus".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    std::fs::create_dir_all(&dir)?;
    for (ei, enc) in ENCODINGS.iter().enumerate() {
        for (fi, form) in Form::ALL
            .iter()
            .chain([&Form::Memo, &Form::Logs])
            .enumerate()
        {
            let g = synth::persons_file((ei * 10 + fi) as u64, n, *form, enc);
            std::fs::write(dir.join(&g.name), &g.data)?;
        }
    }
    // A customer table printed to PDF (cells placed by position, over pages).
    let (csv, _) = synth::persons_text(3, n, Form::Csv);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    std::fs::write(
        dir.join("customers.pdf"),
        synth::pdf_table_of(&rows, synth::PdfTable::Report)?,
    )?;
    // A database's and an application's logs of prepared statements.
    std::fs::write(dir.join("db.log"), synth::db_log(4, n).0)?;
    std::fs::write(dir.join("decoys.txt"), synth::decoys_text(1, n * 4))?;
    std::fs::write(dir.join("orders.csv"), synth::decoys_csv(2, n))?;
    Ok(())
}

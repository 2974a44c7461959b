//! Writes an Outlook data file holding a mail from each person of a CSV (the benchmark
//! corpus's columns): `cargo run --release -p kizuki-pii --example pii_pst -- IN.csv OUT.pst
//! [ROWS] [ansi]` (the first ROWS rows; a Unicode file unless `ansi`). See
//! `kizuki_pii::pst::write::mailbox`.
use kizuki_pii::pst::write::{file, mailbox};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        eprintln!("usage: pii_pst IN.csv OUT.pst [ROWS] [ansi]");
        std::process::exit(2);
    };
    let rows: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    let unicode = args.next().as_deref() != Some("ansi");
    let csv = std::fs::read_to_string(input)?;
    let head: String = csv
        .split_inclusive('\n')
        .take(rows.saturating_add(1))
        .collect();
    std::fs::write(output, file(&mailbox(&head, unicode)))
}

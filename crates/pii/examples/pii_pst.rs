//! Writes an Outlook data file holding a mail from each person of a CSV (the benchmark
//! corpus's columns): `cargo run --release -p kizuki-pii --example pii_pst -- IN.csv OUT.pst
//! [ROWS] [ansi|ost2013]` (the first ROWS rows; a Unicode file unless `ansi`, or the 4 KiB
//! format of Outlook 2013's OSTs with `ost2013`), and a mail with them attached as `list.zip`. See `kizuki_pii::pst::write::mailbox`.
use kizuki_pii::pst::write::{Mail, file, mailbox};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        eprintln!("usage: pii_pst IN.csv OUT.pst [ROWS] [ansi|ost2013]");
        std::process::exit(2);
    };
    let rows: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    let format = args.next();
    let unicode = format.as_deref() != Some("ansi");
    let csv = std::fs::read_to_string(input)?;
    let head: String = csv
        .split_inclusive('\n')
        .take(rows.saturating_add(1))
        .collect();
    // And a mail with the list attached, zipped, and a note kept in its heap.
    let mut spec = mailbox(&head, unicode);
    spec.k4 = format.as_deref() == Some("ost2013");
    let zip = kizuki_pii::synth::zip_of(&[("list.csv", head.as_bytes())])?;
    spec.mails = vec![Mail {
        subject: "顧客リストの送付".into(),
        attachments: vec![
            ("list.zip".into(), zip),
            ("note.txt".into(), "担当：山田".as_bytes().to_vec()),
        ],
        ..Default::default()
    }];
    std::fs::write(output, file(&spec))
}

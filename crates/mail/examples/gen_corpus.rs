//! Writes the mixed benchmark corpus: `gen_corpus OUT_DIR N` writes `mixed.mbox` (N messages,
//! one in five an attack), `dns-records.txt` and `kizuki.toml` for `kizuki mail scan`.
#![allow(missing_docs)]

use std::path::PathBuf;

use kizuki_mail::synth;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "mail-bench".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5000);
    std::fs::create_dir_all(&out)?;
    let msgs = synth::mixed(n, 0x0062_656e_6368);
    std::fs::write(out.join("mixed.mbox"), synth::to_mbox(&msgs))?;
    std::fs::write(out.join("dns-records.txt"), synth::dns_records())?;
    std::fs::write(out.join("kizuki.toml"), synth::CONFIG)?;
    let dir = out.join("eml");
    std::fs::create_dir_all(&dir)?;
    for (i, m) in msgs.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:06}.eml")), m)?;
    }
    eprintln!("{} messages in {}", msgs.len(), out.display());
    Ok(())
}

//! Writes synthetic Zeek logs for benchmarks: `zeekgen OUT_DIR [HOSTS] [HOURS] [tsv|json]`.
//! gzip-compressed, rotated hourly into dated folders, as Zeek writes them.

use std::path::PathBuf;
use std::process::ExitCode;

use kizuki_net::read::Format;
use kizuki_net::synth::{self, Layout, Plan};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: zeekgen OUT_DIR [HOSTS] [HOURS] [tsv|json]");
        return ExitCode::from(2);
    };
    let mut plan = Plan::office(2026);
    plan.hosts = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(11_500);
    plan.hours = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(48);
    let format = match args.get(3).map(String::as_str) {
        Some("json") => Format::Json,
        _ => Format::Tsv,
    };
    let layout = Layout {
        format,
        gzip: true,
        rotate: true,
    };
    match synth::write(&plan, &out, layout) {
        Ok((files, rows)) => {
            println!(
                "{rows} conn rows in {} files under {}",
                files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zeekgen: {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}

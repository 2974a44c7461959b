//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

/// kizuki (気付き, "noticing"): catch a targeted attack where victims failed to notice it, and do
/// the urgent work after a breach — find the personal data, count the people, tell them, report.
#[derive(Debug, Parser)]
#[command(
    name = "kizuki",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, ClapArgs)]
pub struct Global {
    /// Output format: aligned text for people, JSON Lines (one object per item) for scripts.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Configuration file (default: ./kizuki.toml, then $XDG_CONFIG_HOME/kizuki/kizuki.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to colour text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Never show progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable, aligned, coloured on a terminal.
    Text,
    /// JSON Lines: one object per scanned item (see docs/output.md).
    Json,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The areas and their verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Triage files and attachments (PDF, Office, archives, shortcuts, executables…).
    #[command(subcommand)]
    File(FileCmd),
    /// Triage e-mail messages.
    #[command(subcommand)]
    Mail(MailCmd),
    /// Outbound traffic that should not exist, from Zeek logs.
    #[command(subcommand)]
    Net(NetCmd),
    /// Find Japanese personal data in files, archives and spreadsheets.
    #[command(subcommand)]
    Pii(PiiCmd),
    /// Run the whole chain on the bundled sample incident.
    Demo(DemoArgs),
    /// Check or print the configuration file (kizuki.toml).
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man(ManArgs),
}

/// `kizuki config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Validate a configuration file (default: the one kizuki would use).
    Check {
        /// The file to check.
        file: Option<PathBuf>,
    },
    /// Print a commented example configuration that passes `config check`.
    Example,
}

/// `kizuki demo`
#[derive(Debug, ClapArgs)]
pub struct DemoArgs {
    /// Folder to generate the sample incident into.
    #[arg(long, value_name = "DIR", default_value = "kizuki-demo")]
    pub out: PathBuf,
}

/// `kizuki completions`
#[derive(Debug, ClapArgs)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `kizuki man`
#[derive(Debug, ClapArgs)]
pub struct ManArgs {
    /// Write one page per command into this folder instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `kizuki mail …`
#[derive(Debug, Subcommand)]
pub enum MailCmd {
    /// Analyse messages: .eml files, mbox files (message N is reported as PATH#N), Maildirs,
    /// directories of messages, or `-` for standard input. Exit 0 all clean, 1 any suspicious
    /// or malicious, 2 errors only.
    Scan(MailScanArgs),
}

/// `kizuki mail scan`
#[derive(Debug, ClapArgs)]
pub struct MailScanArgs {
    /// Verify DKIM, SPF and DMARC offline against this records file (format: docs/output.md).
    #[arg(long, value_name = "FILE")]
    pub dns_records: Option<PathBuf>,
    /// Verify DKIM, SPF and DMARC with live DNS (the system resolver).
    #[arg(long, conflicts_with = "dns_records")]
    pub live_dns: bool,
    /// Messages, mboxes, Maildirs or directories; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `kizuki pii …`
#[derive(Debug, Subcommand)]
pub enum PiiCmd {
    /// Scan files, directories, archives (zip, 7z, tar, gz/xz/bz2/zst, nested) and spreadsheets
    /// for personal data; one item per object holding some. Exit 0 none found, 1 found, 2 error.
    Scan(PiiScanArgs),
}

/// `kizuki pii scan`
#[derive(Debug, ClapArgs)]
pub struct PiiScanArgs {
    /// Show sample values unmasked (they are masked by default: output must not become a
    /// second leak).
    #[arg(long)]
    pub reveal: bool,
    /// Only these categories (comma-separated ids: email,phone,name_kanji,…; default: all).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub categories: Vec<kizuki_core::Category>,
    /// Report an object only when it holds at least N values (default: [pii] min_count, or 1).
    #[arg(long, value_name = "N")]
    pub min_count: Option<u64>,
    /// Keep a ledger of finished files in STATE (SQLite, created when missing) and resume
    /// from it: run again with the same STATE after a crash or Ctrl-C, and files read before
    /// (unchanged since) are not read again; their results are printed from STATE.
    #[arg(long, value_name = "STATE")]
    pub resume: Option<PathBuf>,
    /// Password for encrypted archives (zip, 7z; repeatable; added to [files] passwords): the
    /// staged archive's, found in a command history.
    #[arg(long = "password", value_name = "P")]
    pub passwords: Vec<String>,
    /// Files or directories to scan.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `kizuki net …`
#[derive(Debug, Subcommand)]
pub enum NetCmd {
    /// Find beacons, strobes, long connections, DNS tunnels, exfiltration, egress-policy
    /// violations and threat-intel hits in Zeek logs (conn, open_conn, dns, ssl, http; TSV or
    /// JSON) and Suricata eve.json; plain or gzip; folders are searched recursively.
    Scan(NetScanArgs),
}

/// `kizuki net scan`
#[derive(Debug, ClapArgs)]
pub struct NetScanArgs {
    /// Only records at or after this time (epoch seconds, 2016-03-19 or 2016-03-19T10:00:00Z).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Only records before this time.
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Zeek log files or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `kizuki file …`
#[derive(Debug, Subcommand)]
pub enum FileCmd {
    /// Identify and analyse files; folders recurse. Exit 0 all clean, 1 any suspicious or
    /// malicious, 2 an unreadable path.
    Scan(FileScanArgs),
}

/// `kizuki file scan`
#[derive(Debug, ClapArgs)]
pub struct FileScanArgs {
    /// Folder of YARA rules (`*.yar`, `*.yara`); needs a build with the `yara` feature.
    #[arg(long, value_name = "DIR")]
    pub yara: Option<PathBuf>,
    /// Candidate password for encrypted archives (repeatable; added to [files] passwords).
    #[arg(long = "password", value_name = "P")]
    pub passwords: Vec<String>,
    /// Files or folders to scan.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

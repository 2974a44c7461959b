//! kizuki-files: attachment and file triage.
//!
//! One entry point, [`Analyzer`], looks at a file (or an in-memory attachment), identifies its
//! type by content, compares it with the name, runs the analyser of that format and recurses into
//! members and embedded files, each under the caps of [`Options`]. The result is a
//! [`FileReport`] tree with findings, a score and a verdict (scored with
//! [`kizuki_core::Scoring`] over the file's own findings and those of all its members).
//! [`walk_members`] walks the same containers for other areas (personal-data scanning) and hands
//! each leaf member's bytes to a callback.
//!
//! # Design choices
//! - Formats are identified by magic bytes first ([`sniff`]); the extension only matters to detect
//!   a mismatch (`invoice.pdf` that is a Windows executable).
//! - Every decoder is capped: nesting depth, members per container, total decompressed bytes per
//!   top-level file, decompression ratio per member, PDF objects and stream sizes, and a wall-clock
//!   budget per top-level file. Hitting a cap is a finding (`archive.bomb`, `archive.too_deep`,
//!   `file.limit`), never an out-of-memory or a hang.
//! - Malformed input is analysed as far as possible; a parser error is recorded as a
//!   `file.malformed` info finding, never a panic.
//! - Hand-written parsers, and why:
//!   - PDF ([`pdf`]): a tolerant pdfid-style byte scan plus a small object parser. `lopdf` builds
//!     the whole document model, follows references without a visit cap and gives up on broken
//!     cross-reference tables, which is exactly what hostile PDFs have; our parser reads objects
//!     where they are (like pdf-parser.py), with caps on object count, nesting, and decoded size.
//!     Stream filters use `flate2` and `weezl` (LZW); ASCIIHex and ASCII85 are a few lines each.
//!   - VBA source decompression (MS-OVBA 2.4.1): `ovba` has no declared licence, so the
//!     decompressor (80 lines) is written here; OLE2 containers themselves are read with `cfb`.
//!   - LNK (MS-SHLLINK), HTML, RTF: only a few fields matter for triage (target, arguments,
//!     forms, `\objdata`), far less than any crate would parse.
//!   - Office password encryption (MS-OFFCRYPTO, [`offcrypto`]): the key derivation on
//!     RustCrypto's primitives; `office-crypto` slices by the sizes a file declares (a hostile
//!     file makes it panic) and caps neither the spin count nor the package's size.
//!   - PDF encryption ([`pdfcrypt`]): the standard security handler's key derivations on
//!     RustCrypto's primitives, applied to the objects of the tolerant parser above (`lopdf`
//!     decrypts only within its own document model).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kizuki_core::config::FilesConfig;
use kizuki_core::report::Style;
use kizuki_core::{Finding, Report, Scoring, Severity, Text, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod archive;
pub mod bincrypt;
pub mod fuzzing;
pub mod html;
pub mod lnk;
pub mod names;
pub mod offcrypto;
pub mod office;
pub mod pdf;
pub mod pdfcrypt;
pub mod ppt;
pub mod rar;
pub mod sevenz;
pub mod sniff;
pub mod synth;
#[cfg(feature = "yara")]
pub mod yara_rules;

pub use sniff::FileType;

/// Errors of the file analyser. Malformed input is not an error (it is analysed as far as
/// possible); errors are about reading inputs and setting up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a path failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is larger than the analyser reads into memory.
    #[error("{}: larger than the {limit} byte limit; raise [files] max_total_size", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The cap.
        limit: u64,
    },
    /// The YARA rules could not be read or compiled.
    #[error("YARA rules in {}: {message}", dir.display())]
    Yara {
        /// The rules folder.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `--yara` was given but this build has no YARA support.
    #[error(
        "YARA rules given ({}) but kizuki was built without the `yara` feature; rebuild with `cargo build --release --features kizuki-cli/yara`",
        dir.display()
    )]
    YaraUnavailable {
        /// The rules folder.
        dir: PathBuf,
    },
}

/// Caps and inputs of the analyser.
#[derive(Clone, Debug)]
pub struct Options {
    /// Maximum container nesting depth (members deeper than this are not opened).
    pub max_depth: u32,
    /// Maximum members looked at in one container.
    pub max_members: u32,
    /// Maximum bytes decompressed from one top-level file, all members together.
    pub max_total_size: u64,
    /// Decompression ratio of one member above which it is a bomb.
    pub max_ratio: u32,
    /// Candidate passwords for encrypted archives.
    pub passwords: Vec<String>,
    /// Verdict thresholds and weights.
    pub scoring: Scoring,
    /// Wall-clock budget for one top-level file.
    pub max_time: Duration,
    /// Maximum number of PDF objects parsed.
    pub max_pdf_objects: usize,
    /// Folder of YARA rules (needs the `yara` feature).
    pub yara_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options::from_config(&FilesConfig::default())
    }
}

impl Options {
    /// Options from the `[files]` configuration section.
    pub fn from_config(cfg: &FilesConfig) -> Self {
        Options {
            max_depth: cfg.max_depth,
            max_members: cfg.max_members,
            max_total_size: cfg.max_total_size,
            max_ratio: cfg.max_ratio.max(1),
            passwords: cfg.passwords.clone(),
            scoring: cfg.scoring.clone(),
            max_time: Duration::from_secs(20),
            max_pdf_objects: 100_000,
            yara_dir: None,
        }
    }
}

/// The analysis of one file or member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// The path, or `outer.zip!member` for members.
    pub path: String,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The type identified by content (`pdf`, `zip`, `ooxml`, …).
    #[serde(rename = "type")]
    pub file_type: String,
    /// Verdict over this file's findings and those of all its members.
    pub verdict: Verdict,
    /// Score 0..=100 for the same.
    pub score: u8,
    /// This file's own findings.
    pub findings: Vec<Finding>,
    /// Members and embedded files.
    pub children: Vec<FileReport>,
}

impl FileReport {
    /// This report's findings and those of every descendant.
    pub fn all_findings(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        for c in &self.children {
            v.extend(c.all_findings());
        }
        v
    }

    /// True when this report or a descendant has a finding with this rule id.
    pub fn has_rule(&self, rule: &str) -> bool {
        self.all_findings().iter().any(|f| f.rule == rule)
    }

    fn text_into(&self, t: &mut Text, indent: usize) {
        let pad = "  ".repeat(indent);
        t.line()
            .plain(pad.clone())
            .push(Style::Path, self.path.clone())
            .plain("  ")
            .push(Style::Dim, format!("{} {} B", self.file_type, self.size))
            .plain("  ")
            .push(Style::Verdict(self.verdict), self.verdict.as_str())
            .plain(format!(" ({})", self.score));
        t.findings(&format!("{pad}  "), &self.findings);
        for c in &self.children {
            c.text_into(t, indent + 1);
        }
    }
}

impl Report for FileReport {
    fn is_hit(&self) -> bool {
        self.verdict != Verdict::Clean
    }

    fn text(&self) -> Text {
        let mut t = Text::new();
        self.text_into(&mut t, 0);
        t
    }
}

/// The analyser. Cheap to share between threads.
#[derive(Clone, Debug)]
pub struct Analyzer {
    opts: Options,
    #[cfg(feature = "yara")]
    yara: Option<yara_rules::YaraRules>,
}

impl Analyzer {
    /// An analyser with these options. Fails when YARA rules are given to a build without them.
    pub fn new(opts: Options) -> Result<Analyzer, Error> {
        #[cfg(feature = "yara")]
        {
            let yara = match &opts.yara_dir {
                Some(dir) => Some(yara_rules::YaraRules::compile(dir)?),
                None => None,
            };
            Ok(Analyzer { opts, yara })
        }
        #[cfg(not(feature = "yara"))]
        {
            if let Some(dir) = &opts.yara_dir {
                return Err(Error::YaraUnavailable { dir: dir.clone() });
            }
            Ok(Analyzer { opts })
        }
    }

    /// The options in use.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Analyses one in-memory object (an attachment). `extra_passwords` are tried on encrypted
    /// archives in addition to the configured ones.
    pub fn analyze_bytes(&self, name: &str, data: &[u8], extra_passwords: &[String]) -> FileReport {
        let mut ctx = Ctx::new(&self.opts, extra_passwords);
        #[cfg(feature = "yara")]
        {
            ctx.yara = self.yara.as_ref();
        }
        analyze(&mut ctx, name, data, 0)
    }

    /// Reads and analyses one file.
    pub fn analyze_path(&self, path: &Path) -> Result<FileReport, Error> {
        let data = read_path(path, self.opts.max_total_size)?;
        Ok(self.analyze_bytes(&path.display().to_string(), &data, &[]))
    }
}

fn read_path(path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match kizuki_core::io::read_capped(f, cap) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit: cap,
        }),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Walks a (nested) container and hands each leaf member's bytes to `f`, with the caps of
/// `opts`. Member paths use `!` (`a.zip!dir/x.csv`). A non-container is handed over as itself.
/// `f` returns `false` to stop the walk. Problems on the way are dropped: see
/// [`walk_members_reporting`].
pub fn walk_members(
    name: &str,
    data: &[u8],
    opts: &Options,
    f: &mut dyn FnMut(&str, &[u8]) -> bool,
) -> Result<(), Error> {
    walk_members_reporting(name, data, opts, &|_, _| false, f, &mut |_, _| {})
}

/// [`walk_members`] for callers that read members themselves (`pii scan`):
/// - zip-based documents (docx, xlsx, pptx) are opened like zips; objects for which
///   `whole(path, bytes)` is true are handed over whole, container or not (a spreadsheet the
///   caller parses);
/// - every problem met on the way goes to `problem` with the path of the container it
///   concerns: a cap reached (`archive.too_deep`, `archive.too_many_members`, `archive.bomb`,
///   `file.limit` for time), a member that could not be read (`file.malformed`,
///   `archive.encrypted`, `archive.unsupported`), or a note (`archive.password_opened`).
///
/// A container nested deeper than `max_depth` is reported and handed over as bytes.
pub fn walk_members_reporting(
    name: &str,
    data: &[u8],
    opts: &Options,
    whole: &dyn Fn(&str, &[u8]) -> bool,
    f: &mut dyn FnMut(&str, &[u8]) -> bool,
    problem: &mut dyn FnMut(&str, &Finding),
) -> Result<(), Error> {
    walk_members_reporting_at(name, data, 0, opts, whole, f, problem)
}

/// [`walk_members_reporting`] on an object already `depth` containers deep (a member its
/// caller read from an archive or a compressed stream as it streamed): `max_depth` counts
/// those levels too, as when the walker opens the whole archive.
pub fn walk_members_reporting_at(
    name: &str,
    data: &[u8],
    depth: u32,
    opts: &Options,
    whole: &dyn Fn(&str, &[u8]) -> bool,
    f: &mut dyn FnMut(&str, &[u8]) -> bool,
    problem: &mut dyn FnMut(&str, &Finding),
) -> Result<(), Error> {
    let mut ctx = Ctx::new(opts, &[]);
    let mut w = Walker { whole, f, problem };
    w.walk(&mut ctx, name, data, depth);
    w.timed_out(&ctx, name);
    Ok(())
}

/// [`walk_members_reporting`] on a RAR archive in volumes (`x.part1.rar`, `x.part2.rar`…, or
/// `x.rar`, `x.r00`…), given in order, named `name` (the first volume's): its members read
/// across them, one split over two volumes whole, as `x.part1.rar!out/list.csv`
/// ([`rar::volume_names`] finds a set's volumes by their names).
pub fn walk_rar_volumes_reporting(
    name: &str,
    volumes: &[&[u8]],
    opts: &Options,
    whole: &dyn Fn(&str, &[u8]) -> bool,
    f: &mut dyn FnMut(&str, &[u8]) -> bool,
    problem: &mut dyn FnMut(&str, &Finding),
) -> Result<(), Error> {
    let mut ctx = Ctx::new(opts, &[]);
    let mut w = Walker { whole, f, problem };
    let first = volumes.first().copied().unwrap_or_default();
    w.open(&mut ctx, name, first, 0, &mut |ctx, sink, visit| {
        archive::rar_volume_members(ctx, volumes, sink, visit);
    });
    w.timed_out(&ctx, name);
    Ok(())
}

/// The callbacks of [`walk_members_reporting`].
struct Walker<'w> {
    whole: &'w dyn Fn(&str, &[u8]) -> bool,
    f: &'w mut dyn FnMut(&str, &[u8]) -> bool,
    problem: &'w mut dyn FnMut(&str, &Finding),
}

impl Walker<'_> {
    /// Tells when the time budget was spent walking `name` (members were left unread).
    fn timed_out(&mut self, ctx: &Ctx<'_>, name: &str) {
        if ctx.out_of_time {
            (self.problem)(
                name,
                &Finding::new(
                    "file.limit",
                    Severity::Low,
                    "time budget spent: members not read",
                ),
            );
        }
    }

    fn walk(&mut self, ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32) -> bool {
        let t = sniff::sniff(data, name);
        let open = (t.is_container() || t == FileType::Ooxml) && !(self.whole)(name, data);
        if !open {
            return (self.f)(name, data);
        }
        if depth >= ctx.opts.max_depth {
            (self.problem)(
                name,
                &Finding::new(
                    "archive.too_deep",
                    Severity::Medium,
                    format!(
                        "nesting deeper than {} levels: members not read",
                        ctx.opts.max_depth
                    ),
                ),
            );
            return (self.f)(name, data);
        }
        self.open(ctx, name, data, depth, &mut |ctx, sink, visit| {
            archive::members(ctx, name, t, data, sink, visit);
        })
    }

    /// Walks the members that `read` gives of the container `name` (`data`: its bytes,
    /// handed over when it gives none), `depth` containers deep.
    fn open(
        &mut self,
        ctx: &mut Ctx<'_>,
        name: &str,
        data: &[u8],
        depth: u32,
        read: &mut dyn FnMut(&mut Ctx<'_>, &mut Vec<Finding>, &mut archive::Visit<'_>),
    ) -> bool {
        let mut sink = Vec::new();
        let mut go_on = true;
        let mut any = false;
        let mut visit = |ctx: &mut Ctx<'_>, member: &str, bytes: &[u8]| -> bool {
            any = true;
            let child = format!("{name}!{member}");
            go_on = self.walk(ctx, &child, bytes, depth + 1);
            go_on
        };
        read(ctx, &mut sink, &mut visit);
        for fd in &sink {
            (self.problem)(name, fd);
        }
        if !any && go_on {
            // A container we could not open (encrypted, broken): hand over the raw bytes.
            return (self.f)(name, data);
        }
        go_on
    }
}

/// Per top-level file state: caps left and passwords.
pub(crate) struct Ctx<'a> {
    pub(crate) opts: &'a Options,
    pub(crate) passwords: Vec<String>,
    /// Bytes that may still be decompressed.
    pub(crate) budget: u64,
    pub(crate) deadline: Instant,
    pub(crate) out_of_time: bool,
    #[cfg(feature = "yara")]
    pub(crate) yara: Option<&'a yara_rules::YaraRules>,
}

impl<'a> Ctx<'a> {
    fn new(opts: &'a Options, extra: &[String]) -> Self {
        let mut passwords = opts.passwords.clone();
        passwords.extend(extra.iter().cloned());
        Ctx {
            opts,
            passwords,
            budget: opts.max_total_size,
            deadline: Instant::now() + opts.max_time,
            out_of_time: false,
            #[cfg(feature = "yara")]
            yara: None,
        }
    }

    /// True once the time budget is spent (checked in loops of every analyser).
    pub(crate) fn expired(&mut self) -> bool {
        if !self.out_of_time && Instant::now() >= self.deadline {
            self.out_of_time = true;
        }
        self.out_of_time
    }

    /// Takes `n` bytes from the decompression budget; false when not enough is left.
    pub(crate) fn take(&mut self, n: u64) -> bool {
        if n > self.budget {
            self.budget = 0;
            false
        } else {
            self.budget -= n;
            true
        }
    }
}

/// What an analyser produces for one object.
#[derive(Default)]
pub(crate) struct Out {
    pub(crate) findings: Vec<Finding>,
    pub(crate) children: Vec<FileReport>,
}

impl Out {
    pub(crate) fn add(&mut self, rule: &'static str, sev: Severity, detail: impl Into<String>) {
        self.findings.push(Finding::new(rule, sev, detail));
    }
}

pub(crate) fn hex_sha256(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Analyses one object at a nesting depth (0 = top level).
pub(crate) fn analyze(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32) -> FileReport {
    let ft = sniff::sniff(data, name);
    let mut out = Out::default();
    let leaf = name.rsplit('!').next().unwrap_or(name);
    names::check(leaf, ft, &mut out);
    match ft {
        FileType::Pdf => pdf::analyze(ctx, name, data, depth, &mut out),
        FileType::Ole => office::analyze_ole(ctx, name, data, depth, &mut out),
        FileType::Ooxml => office::analyze_ooxml(ctx, name, data, depth, &mut out),
        FileType::Rtf => office::analyze_rtf(ctx, name, data, depth, &mut out),
        FileType::Lnk => lnk::analyze(data, &mut out),
        FileType::Html => html::analyze(data, &mut out),
        FileType::Pe => out.add("exe.windows", Severity::High, "Windows executable (PE/MZ)"),
        FileType::Elf => out.add("exe.elf", Severity::High, "ELF executable"),
        FileType::Script => out.add(
            "script.file",
            Severity::High,
            format!(
                "script file ({})",
                names::extension(leaf).unwrap_or_default()
            ),
        ),
        FileType::Iso => out.add(
            "container.disk_image",
            Severity::Medium,
            "disk image (ISO/IMG): its contents escape the mark-of-the-web",
        ),
        _ => {}
    }
    #[cfg(feature = "yara")]
    if let Some(y) = ctx.yara {
        y.scan(data, &mut out.findings);
    }
    if ft.is_container() {
        archive::analyze(ctx, name, ft, data, depth, &mut out);
    }
    if ctx.out_of_time {
        out.add(
            "file.limit",
            Severity::Low,
            "time budget spent: analysis incomplete",
        );
        ctx.out_of_time = false;
        ctx.deadline = Instant::now();
    }
    finish(ctx, name, ft, data, out)
}

pub(crate) fn finish(ctx: &Ctx<'_>, name: &str, ft: FileType, data: &[u8], out: Out) -> FileReport {
    let mut all: Vec<&Finding> = out.findings.iter().collect();
    for c in &out.children {
        all.extend(c.all_findings());
    }
    let a = ctx.opts.scoring.assess(all);
    FileReport {
        path: name.to_string(),
        sha256: hex_sha256(data),
        size: data.len() as u64,
        file_type: ft.as_str().to_string(),
        verdict: a.verdict,
        score: a.score,
        findings: out.findings,
        children: out.children,
    }
}

/// Analyses a member of a container, or records that it is too deep.
pub(crate) fn child(
    ctx: &mut Ctx<'_>,
    parent: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    out: &mut Out,
) {
    let name = format!("{parent}!{member}");
    if depth + 1 > ctx.opts.max_depth {
        if !out.findings.iter().any(|f| f.rule == "archive.too_deep") {
            out.findings.push(
                Finding::new(
                    "archive.too_deep",
                    Severity::Medium,
                    format!(
                        "nesting deeper than {} levels: members not analysed",
                        ctx.opts.max_depth
                    ),
                )
                .in_member(member.to_string()),
            );
        }
        return;
    }
    let r = analyze(ctx, &name, data, depth + 1);
    out.children.push(r);
}

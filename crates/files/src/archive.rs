//! Archives and containers: zip (with candidate passwords for encrypted "PPAP" archives; every
//! method but PPMd and the legacy ones), gzip, xz, bzip2 and Zstandard streams, tar, 7z
//! (sevenz-rust2), RAR 1.3 to 7 (rars), LZH (delharc), listing of encrypted 7z archives and of
//! RAR archives the reader rejects, and disk images. Every member read is capped by the
//! remaining decompression budget of the top-level file and by the ratio cap; a member that
//! declares or reaches more is an `archive.bomb` finding and is not read further.

use std::io::{Cursor, Read};

use kizuki_core::{Finding, Severity};

use crate::sniff::FileType;
use crate::{Ctx, Out, names};

/// Members smaller than this are never called bombs, whatever their ratio.
const BOMB_FLOOR: u64 = 1024 * 1024;

/// Visitor of container members: gets the member path and bytes, returns false to stop.
pub(crate) type Visit<'v> = dyn FnMut(&mut Ctx<'_>, &str, &[u8]) -> bool + 'v;

/// Analyses a container: findings about the container and a child report per member.
pub(crate) fn analyze(
    ctx: &mut Ctx<'_>,
    name: &str,
    ft: FileType,
    data: &[u8],
    depth: u32,
    out: &mut Out,
) {
    let mut findings = Vec::new();
    let mut children = Out::default();
    let mut visit = |ctx: &mut Ctx<'_>, member: &str, bytes: &[u8]| -> bool {
        crate::child(ctx, name, member, bytes, depth, &mut children);
        true
    };
    members(ctx, name, ft, data, &mut findings, &mut visit);
    out.findings.extend(findings);
    out.findings.extend(children.findings);
    for c in &children.children {
        let leaf = names::base_name(&c.path);
        let ext = names::extension(leaf).unwrap_or_default();
        let exe_type = matches!(c.file_type.as_str(), "pe" | "elf" | "script" | "lnk");
        if exe_type || names::is_executable_extension(&ext) {
            push_exe_inside(out, leaf, &c.file_type);
        }
    }
    out.children.extend(children.children);
}

fn push_exe_inside(out: &mut Out, leaf: &str, what: &str) {
    out.findings.push(
        Finding::new(
            "archive.executable_inside",
            Severity::Critical,
            format!("executable member '{leaf}' ({what})"),
        )
        .in_member(leaf.to_string()),
    );
}

/// Reads each member of a container under the caps and hands it to `visit`. Findings about the
/// container (encrypted members, bombs, limits) go to `findings`.
pub(crate) fn members(
    ctx: &mut Ctx<'_>,
    name: &str,
    ft: FileType,
    data: &[u8],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
) {
    match ft {
        FileType::Zip | FileType::Ooxml => zip_members(ctx, data, findings, visit),
        FileType::Gzip | FileType::Xz | FileType::Bzip2 | FileType::Zstd => {
            stream_member(ctx, name, ft, data, findings, visit);
        }
        FileType::Tar => tar_members(ctx, data, findings, visit),
        FileType::Lzh => lzh_members(ctx, data, findings, visit),
        FileType::Rar => rar_members(ctx, data, findings, visit),
        FileType::SevenZip => sevenz_members(ctx, data, findings, visit),
        FileType::Iso => crate::archive::iso_members(ctx, data, findings, visit),
        _ => {}
    }
}

/// Read cap for one member: the budget left, and the ratio cap from the compressed size.
fn member_cap(ctx: &Ctx<'_>, compressed: u64) -> u64 {
    let by_ratio = compressed
        .saturating_mul(u64::from(ctx.opts.max_ratio))
        .max(BOMB_FLOOR);
    by_ratio.min(ctx.budget)
}

fn bomb(findings: &mut Vec<Finding>, member: &str, detail: String) {
    if findings.iter().any(|f| f.rule == "archive.bomb") {
        return;
    }
    findings
        .push(Finding::new("archive.bomb", Severity::High, detail).in_member(member.to_string()));
}

fn malformed(findings: &mut Vec<Finding>, what: &str, e: &dyn std::fmt::Display) {
    findings.push(Finding::new(
        "file.malformed",
        Severity::Info,
        format!("{what}: {e}"),
    ));
}

fn read_member<R: Read>(r: R, cap: u64) -> Result<Option<Vec<u8>>, std::io::Error> {
    kizuki_core::io::read_capped(r, cap)
}

fn zip_members(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>, visit: &mut Visit<'_>) {
    let mut za = match zip::ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => return malformed(findings, "zip", &e),
    };
    let n = za.len();
    let max = ctx.opts.max_members as usize;
    if n > max {
        findings.push(Finding::new(
            "archive.too_many_members",
            Severity::Medium,
            format!("{n} members; only the first {max} are analysed"),
        ));
    }
    let mut encrypted: Vec<String> = Vec::new();
    let mut opened_with_password = 0usize;
    for i in 0..n.min(max) {
        if ctx.expired() {
            break;
        }
        let (mname, size, csize, enc, is_dir) = match za.by_index_raw(i) {
            Ok(f) => (
                crate::names::stored_name(f.name_raw(), crate::names::zip_legacy(f.system())),
                f.size(),
                f.compressed_size(),
                f.encrypted(),
                f.is_dir(),
            ),
            Err(e) => {
                malformed(findings, "zip member", &e);
                continue;
            }
        };
        if is_dir {
            continue;
        }
        if size > BOMB_FLOOR && size / csize.max(1) > u64::from(ctx.opts.max_ratio) {
            bomb(
                findings,
                &mname,
                format!(
                    "'{mname}' declares {size} bytes from {csize} (ratio {} > {})",
                    size / csize.max(1),
                    ctx.opts.max_ratio
                ),
            );
            continue;
        }
        if size > ctx.budget {
            bomb(
                findings,
                &mname,
                format!(
                    "'{mname}' declares {size} bytes, more than the {} left of the decompression budget",
                    ctx.budget
                ),
            );
            continue;
        }
        let cap = member_cap(ctx, csize);
        let bytes = if enc {
            let mut got = None;
            for pw in &ctx.passwords {
                match za.by_index_decrypt(i, pw.as_bytes()) {
                    Ok(f) => {
                        if let Ok(Some(b)) = read_member(f, cap) {
                            got = Some(b);
                            break;
                        }
                    }
                    Err(_) => continue,
                }
            }
            match got {
                Some(b) => {
                    opened_with_password += 1;
                    b
                }
                None => {
                    encrypted.push(mname.clone());
                    let ext = names::extension(&mname).unwrap_or_default();
                    if names::is_executable_extension(&ext) {
                        findings.push(
                            Finding::new(
                                "archive.executable_inside",
                                Severity::Critical,
                                format!(
                                    "encrypted member '{}' has an executable extension",
                                    names::base_name(&mname)
                                ),
                            )
                            .in_member(mname.clone()),
                        );
                    }
                    continue;
                }
            }
        } else if let Some(b) = raw_member(&mut za, i, cap, u64::from(ctx.opts.max_ratio)) {
            // Stored and deflated members are decoded here from the raw bytes, so a header
            // that lies about the size cannot stop (or fool) the cap.
            match b {
                Ok(Some(b)) => b,
                Ok(None) => {
                    bomb(
                        findings,
                        &mname,
                        format!(
                            "'{mname}' expands more than {}:1 or beyond {cap} bytes (declared {size} from {csize})",
                            ctx.opts.max_ratio
                        ),
                    );
                    continue;
                }
                Err(e) => {
                    malformed(findings, &mname, &e);
                    continue;
                }
            }
        } else {
            match za.by_index(i) {
                Ok(f) => match read_member(f, cap) {
                    Ok(Some(b)) => b,
                    Ok(None) => {
                        bomb(
                            findings,
                            &mname,
                            format!("'{mname}' expands beyond {cap} bytes (declared {size})"),
                        );
                        continue;
                    }
                    Err(e) => {
                        malformed(findings, &mname, &e);
                        continue;
                    }
                },
                Err(e) => {
                    malformed(findings, &mname, &e);
                    continue;
                }
            }
        };
        if !ctx.take(bytes.len() as u64) {
            bomb(findings, &mname, "decompression budget spent".into());
            break;
        }
        if !visit(ctx, &mname, &bytes) {
            return;
        }
    }
    if !encrypted.is_empty() {
        findings.push(Finding::new(
            "archive.encrypted",
            Severity::Medium,
            format!(
                "{} encrypted member(s) could not be opened (no candidate password fits): {}",
                encrypted.len(),
                encrypted
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if opened_with_password > 0 {
        findings.push(Finding::new(
            "archive.password_opened",
            Severity::Info,
            format!("{opened_with_password} encrypted member(s) opened with a candidate password"),
        ));
    }
}

/// The name of a compressed stream's content: the name in a gzip header, else the stream's
/// own name without its extension (`.tgz`, `.txz`, `.tbz2`, `.tzst` become `.tar`), else
/// `data`.
pub fn stream_member_name(name: &str, ft: FileType, data: &[u8]) -> String {
    if ft == FileType::Gzip
        && let Some(n) = flate2::read::GzDecoder::new(data)
            .header()
            .and_then(|h| h.filename())
    {
        return crate::names::stored_name(n, crate::names::Legacy::Latin1);
    }
    let base = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let (plain, tarred): (&[&str], &[&str]) = match ft {
        FileType::Gzip => (&[".gz"], &[".tgz"]),
        FileType::Xz => (&[".xz"], &[".txz"]),
        FileType::Bzip2 => (&[".bz2"], &[".tbz2", ".tbz"]),
        _ => (&[".zst"], &[".tzst"]),
    };
    let stem = |n: usize| base.get(..base.len() - n).filter(|s| !s.is_empty());
    if let Some(e) = tarred.iter().find(|e| lower.ends_with(**e)) {
        stem(e.len()).map_or_else(|| "data".to_string(), |s| format!("{s}.tar"))
    } else if let Some(e) = plain.iter().find(|e| lower.ends_with(**e)) {
        stem(e.len()).map_or_else(|| "data".to_string(), str::to_string)
    } else {
        "data".to_string()
    }
}

/// A reader of the content of a compressed stream (gzip, xz, bzip2, Zstandard; several
/// streams one after another are read as one, as their command-line tools do). The decoders'
/// own memory is capped: an xz or Zstandard header may ask for a window of gigabytes.
pub fn stream_decoder<'r, R: Read + 'r>(ft: FileType, raw: R) -> Option<Box<dyn Read + 'r>> {
    Some(match ft {
        FileType::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        FileType::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            raw,
            true,
            DECODER_MEMORY_KIB,
        )),
        FileType::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        FileType::Zstd => match zstd::stream::read::Decoder::new(raw) {
            Ok(mut d) => match d.window_log_max(ZSTD_WINDOW_LOG_MAX) {
                Ok(()) => Box::new(d),
                Err(e) => Box::new(Failed(Some(e))),
            },
            Err(e) => Box::new(Failed(Some(e))),
        },
        _ => return None,
    })
}

/// The memory a stream decoder may take (the xz dictionary): 7-Zip's and xz's largest
/// presets use 64 MiB.
const DECODER_MEMORY_KIB: u32 = 256 * 1024;
/// Zstandard windows up to 2^27 bytes (128 MiB, `zstd --long`'s default); the format allows
/// 2^31.
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// A reader that fails with the error a decoder's set-up gave.
struct Failed(Option<std::io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| std::io::Error::other("decoder failed")))
    }
}

fn stream_member(
    ctx: &mut Ctx<'_>,
    name: &str,
    ft: FileType,
    data: &[u8],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
) {
    let member = stream_member_name(name, ft, data);
    let what = ft.as_str();
    let cap = member_cap(ctx, data.len() as u64);
    let decoder = |raw| stream_decoder(ft, raw).unwrap_or_else(|| Box::new(Failed(None)));
    match read_ratio_capped(data, decoder, cap, u64::from(ctx.opts.max_ratio)) {
        Ok(Some(b)) => {
            if ctx.take(b.len() as u64) {
                visit(ctx, &member, &b);
            } else {
                bomb(findings, &member, "decompression budget spent".into());
            }
        }
        Ok(None) => bomb(
            findings,
            &member,
            format!(
                "{what} stream expands more than {}:1 or beyond {cap} bytes",
                ctx.opts.max_ratio
            ),
        ),
        Err(e) => malformed(findings, what, &e),
    }
}

/// Whether a walk through an archive whose members are read one after another stops before
/// member `count`: past the member cap (told) or the time cap.
fn stop_at(ctx: &mut Ctx<'_>, count: usize, findings: &mut Vec<Finding>) -> bool {
    if count >= ctx.opts.max_members as usize {
        findings.push(Finding::new(
            "archive.too_many_members",
            Severity::Medium,
            format!("more than {} members", ctx.opts.max_members),
        ));
        return true;
    }
    ctx.expired()
}

fn tar_members(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>, visit: &mut Visit<'_>) {
    let mut ar = tar::Archive::new(Cursor::new(data));
    let entries = match ar.entries() {
        Ok(e) => e,
        Err(e) => return malformed(findings, "tar", &e),
    };
    for (count, entry) in entries.enumerate() {
        if stop_at(ctx, count, findings) {
            break;
        }
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                malformed(findings, "tar entry", &err);
                break;
            }
        };
        if !e.header().entry_type().is_file() {
            continue;
        }
        let mname = crate::names::stored_name(&e.path_bytes(), crate::names::Legacy::Unix);
        let cap = ctx.budget;
        match read_member(e, cap) {
            Ok(Some(b)) => {
                ctx.take(b.len() as u64);
                if !visit(ctx, &mname, &b) {
                    return;
                }
            }
            Ok(None) => {
                bomb(findings, &mname, "decompression budget spent".into());
                break;
            }
            Err(err) => malformed(findings, &mname, &err),
        }
    }
}

/// LHA/LZH: each member decoded by `delharc` (`-lh0-` to `-lh7-`, `-lhx-`, LArc's and PMarc's
/// methods) under the caps. A member's size is read from its header before anything is
/// decoded, and the decoder gives no more than that size: a member declaring more than the
/// budget or the ratio cap is a bomb and is not decoded. Its CRC-16 is checked.
fn lzh_members(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>, visit: &mut Visit<'_>) {
    let mut r = match delharc::LhaDecodeReader::new(Cursor::new(data)) {
        Ok(r) => r,
        Err(e) => return malformed(findings, "lzh", &e),
    };
    for count in 0.. {
        if stop_at(ctx, count, findings) {
            break;
        }
        let h = r.header();
        let mname = lzh_name(h);
        let (size, csize) = (h.original_size, h.compressed_size);
        if !h.is_directory() {
            if !r.is_decoder_supported() {
                let method = String::from_utf8_lossy(&h.compression).into_owned();
                findings.push(
                    Finding::new(
                        "archive.unsupported",
                        Severity::Low,
                        format!("'{mname}': method {method} not read"),
                    )
                    .in_member(mname.clone()),
                );
            } else if size > member_cap(ctx, csize) {
                bomb(
                    findings,
                    &mname,
                    format!(
                        "'{mname}' declares {size} bytes from {csize}, past the ratio cap or the budget"
                    ),
                );
            } else {
                match read_member(&mut r, size) {
                    Ok(Some(b)) if r.crc_is_ok() => {
                        ctx.take(b.len() as u64);
                        if !visit(ctx, &mname, &b) {
                            return;
                        }
                    }
                    Ok(Some(_)) => malformed(findings, &mname, &"CRC-16 mismatch"),
                    // The decoder stops at the size declared: never more.
                    Ok(None) => malformed(findings, &mname, &"more data than it declares"),
                    Err(e) => malformed(findings, &mname, &e),
                }
            }
        }
        match r.next_file() {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return malformed(findings, "lzh", &e),
        }
    }
}

/// How far the LZH archive that starts `b` runs, its headers read from `*next` on (the
/// offset of the next header, moved on as members are passed): `None` while more bytes are
/// needed; `Some(Ok(end))` past its end mark (a 0 byte); `Some(Err(at))` when the header at
/// `at` is none (the archive's members end there: a fragmented or overwritten file). For
/// an archive found in a disk image, whose size no header gives.
pub fn lzh_extent(b: &[u8], next: &mut usize) -> Option<Result<usize, usize>> {
    /// A header longer than this that does not parse is none (level 2 headers are at most
    /// 64 KiB).
    const MAX_HEADER: usize = 1 << 17;
    loop {
        let rest = b.get(*next..).filter(|r| !r.is_empty())?;
        if rest[0] == 0 {
            return Some(Ok(*next + 1));
        }
        let mut c = Cursor::new(rest);
        match delharc::LhaHeader::read(&mut c) {
            Ok(Some(h)) => {
                let data = usize::try_from(c.position()).ok()?;
                let end = usize::try_from(h.compressed_size)
                    .ok()
                    .and_then(|n| n.checked_add(data))
                    .and_then(|n| n.checked_add(*next));
                match end {
                    Some(end) if end <= b.len() => *next = end,
                    Some(_) => return None,
                    None => return Some(Err(*next)),
                }
            }
            Ok(None) => return Some(Ok(*next)),
            // Cut by the bytes copied so far: more are needed (a header is at most 64 KiB,
            // but for a level 3 header's extensions; past this, it is none).
            Err(delharc::LhaError::Io(_)) if rest.len() < MAX_HEADER => return None,
            Err(_) => return Some(Err(*next)),
        }
    }
}

/// An LZH member's path from its header's bytes: the directory (extended header 2, parts
/// split by 0xFF) and the name (extended header 1, else the name field of level 0 and 1
/// headers, `\` between directories), each in the code page that wrote it ([`stored_name`]:
/// LhaPlus and LHA for Windows write CP932); the UTF-16 name and directory of UNLHA32's
/// Unicode headers (0x44, 0x45) when there are.
///
/// [`stored_name`]: crate::names::stored_name
fn lzh_name(h: &delharc::LhaHeader) -> String {
    let (mut dir, mut file): (&[u8], &[u8]) = (&[], &h.filename);
    let (mut wide_dir, mut wide_file) = (None, None);
    let utf16 = |d: &[u8]| {
        let units: Vec<u16> = d
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|u| *u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    for x in h.iter_extra() {
        match x {
            [0x01, d @ ..] => file = d,
            [0x02, d @ ..] => dir = d,
            [0x44, d @ ..] => wide_file = Some(utf16(d)),
            [0x45, d @ ..] => wide_dir = Some(utf16(d)),
            _ => {}
        }
    }
    let file = file.split(|&b| b == 0).next().unwrap_or(file);
    let decode = |b: &[u8]| {
        let parts: Vec<String> = b
            .split(|&c| c == 0xFF)
            .map(|p| crate::names::stored_name(p, crate::names::Legacy::Unstated))
            .collect();
        parts.join("/").replace('\\', "/")
    };
    let dir = wide_dir
        .unwrap_or_else(|| decode(dir))
        .replace(['\\', '\u{FFFF}'], "/");
    let file = wide_file.unwrap_or_else(|| decode(file));
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

/// ISO 9660: walks the directory tree from the primary volume descriptor (sector 16) and hands
/// each file extent to `visit`. Directory records are bounds-checked; the walk is capped by the
/// member count and a directory-visit cap (loops in hostile images end there).
pub(crate) fn iso_members(
    ctx: &mut Ctx<'_>,
    data: &[u8],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
) {
    const SECTOR: usize = 2048;
    let pvd = 16 * SECTOR;
    let Some(root) = data.get(pvd + 156..pvd + 156 + 34) else {
        return malformed(findings, "iso", &"no primary volume descriptor");
    };
    let le32 = |b: &[u8], o: usize| -> usize {
        b.get(o..o + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .unwrap_or(0)
    };
    let mut stack = vec![(String::new(), le32(root, 2), le32(root, 10))];
    let mut dirs_seen = 0usize;
    let mut files = 0usize;
    while let Some((prefix, lba, len)) = stack.pop() {
        dirs_seen += 1;
        if dirs_seen > 4096 || ctx.expired() {
            break;
        }
        let start = lba.saturating_mul(SECTOR);
        let Some(dir) = data.get(start..start.saturating_add(len).min(data.len())) else {
            continue;
        };
        let mut off = 0usize;
        while off < dir.len() {
            let rec_len = dir[off] as usize;
            if rec_len == 0 {
                // Records do not cross sectors: skip to the next one.
                off = (off / SECTOR + 1) * SECTOR;
                continue;
            }
            let Some(rec) = dir.get(off..off + rec_len) else {
                break;
            };
            off += rec_len;
            if rec.len() < 34 {
                continue;
            }
            let name_len = rec[32] as usize;
            let Some(raw) = rec.get(33..33 + name_len) else {
                continue;
            };
            if raw == [0] || raw == [1] {
                continue;
            }
            let name = String::from_utf8_lossy(raw);
            let name = name.split(';').next().unwrap_or("").to_string();
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let (elba, elen) = (le32(rec, 2), le32(rec, 10));
            if rec[25] & 2 != 0 {
                if elba != lba {
                    stack.push((path, elba, elen));
                }
                continue;
            }
            files += 1;
            if files > ctx.opts.max_members as usize {
                findings.push(Finding::new(
                    "archive.too_many_members",
                    Severity::Medium,
                    format!("more than {} members", ctx.opts.max_members),
                ));
                return;
            }
            let s = elba.saturating_mul(SECTOR);
            if let Some(bytes) = data.get(s..s.saturating_add(elen))
                && !visit(ctx, &path, bytes)
            {
                return;
            }
        }
    }
}

/// The largest dictionary a RAR 5 or 7 member may declare and still be read: the decoder
/// allocates it. WinRAR's default is 32 MiB (RAR 5) and its `-md` goes to 1 GiB (RAR 5) or
/// 64 GiB (RAR 7); a larger one is told as `archive.unsupported`.
const RAR_DICTIONARY: u64 = 256 << 20;

/// RAR 5 members larger than this are decoded as a stream, not in one buffer of the reader's.
const RAR_BUFFERED: u64 = 64 << 20;

/// The reader's limits for one RAR archive: its headers (count and bytes), the dictionary a
/// member may declare, the buffer the reader may decode a member in.
fn rar_options<'p>(
    opts: &crate::Options,
    password: Option<&'p [u8]>,
) -> rars::ArchiveReadOptions<'p> {
    rars::ArchiveReadOptions::with_optional_password(password)
        // A member has a file header and, in RAR 5, may have service headers (streams,
        // comments): a few per member; past this, the listing reads the first ones.
        .with_max_header_count(
            u64::from(opts.max_members)
                .saturating_mul(4)
                .saturating_add(64),
        )
        .with_max_header_bytes(64 << 20)
        .with_rar50_dictionary_size_limit(RAR_DICTIONARY)
        .with_rar50_buffered_decode_limit(RAR_BUFFERED)
}

/// The dictionary a RAR 5 or 7 member declares (its compression information: 128 KiB
/// shifted by bits 10-14, plus RAR 7's 1/32 steps in bits 15-19); `None` for other formats
/// and stored members.
fn rar_dictionary(m: &rars::ArchiveMember) -> Option<u64> {
    let rars::ArchiveMemberDetail::Rar50Plus {
        compression_info, ..
    } = &m.detail
    else {
        return None;
    };
    if m.meta.is_stored || m.meta.is_directory {
        return None;
    }
    let base = (128u64 << 10) << ((compression_info >> 10) & 0x1F);
    Some(base + base / 32 * ((compression_info >> 15) & 0x1F))
}

/// Is this the reader telling that a password is missing or wrong?
fn rar_locked(e: &rars::Error) -> bool {
    matches!(
        e.kind(),
        rars::ErrorKind::PasswordRequired | rars::ErrorKind::BadPassword
    )
}

/// A RAR member's path: UTF-8 when the archive says its names are Unicode (RAR 5, and RAR
/// 3-4 names with their Unicode form); else in the code page that wrote it ([`stored_name`]:
/// WinRAR on a Japanese Windows writes CP932), `\` between directories read as `/`.
///
/// [`stored_name`]: crate::names::stored_name
fn rar_name(m: &rars::ArchiveMember) -> String {
    let raw = &m.meta.name;
    let name = if m.name_is_unicode() {
        String::from_utf8_lossy(raw).into_owned()
    } else {
        crate::names::stored_name(raw, crate::names::Legacy::Unstated)
    };
    name.replace('\\', "/")
}

/// Why a RAR member's output was cut by [`RarSink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RarCut {
    None,
    /// Past the member's cap (the budget left, or the ratio to its packed size).
    Bomb,
    /// The time budget is spent.
    Time,
}

/// Where a RAR member's bytes go as they are decoded: a buffer shared with
/// [`rar_members`], refusing (an I/O error the reader stops the member at) what passes the
/// member's cap or comes after the deadline.
struct RarSink {
    /// The bytes, or `None` to count them only (a password's trial).
    buf: Option<std::rc::Rc<std::cell::RefCell<Vec<u8>>>>,
    len: u64,
    cap: u64,
    deadline: std::time::Instant,
    cut: std::rc::Rc<std::cell::Cell<RarCut>>,
}

impl std::io::Write for RarSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let (before, after) = (self.len, self.len.saturating_add(b.len() as u64));
        let cut = if after > self.cap {
            RarCut::Bomb
        } else if before >> 20 != after >> 20 && std::time::Instant::now() >= self.deadline {
            RarCut::Time
        } else {
            RarCut::None
        };
        if cut != RarCut::None {
            self.cut.set(cut);
            return Err(std::io::Error::other("member cut by kizuki's caps"));
        }
        self.len = after;
        if let Some(buf) = &self.buf {
            buf.borrow_mut().extend_from_slice(b);
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The state of one RAR archive's reading ([`rar_members`]), shared by the reader's two
/// callbacks (the decision before each member, the error after a failed one).
struct RarRun<'a, 'c, 'v> {
    ctx: &'a mut Ctx<'c>,
    findings: &'a mut Vec<Finding>,
    visit: &'a mut Visit<'v>,
    /// The member being decoded, its bytes, and why its output was cut.
    current: Option<String>,
    buf: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
    cut: std::rc::Rc<std::cell::Cell<RarCut>>,
    /// Members counted for the member cap.
    count: usize,
    /// Encrypted members no password opened.
    encrypted: Vec<String>,
    /// Members opened with a candidate password.
    opened: usize,
    /// The visitor asked to stop, or a cap was met.
    stop: bool,
    /// A candidate password opened the archive.
    password: bool,
    /// The member being decoded is encrypted.
    sealed: bool,
}

impl<'a, 'c, 'v> RarRun<'a, 'c, 'v> {
    fn new(
        ctx: &'a mut Ctx<'c>,
        findings: &'a mut Vec<Finding>,
        visit: &'a mut Visit<'v>,
        password: bool,
    ) -> Self {
        RarRun {
            ctx,
            findings,
            visit,
            current: None,
            buf: std::rc::Rc::new(std::cell::RefCell::new(Vec::new())),
            cut: std::rc::Rc::new(std::cell::Cell::new(RarCut::None)),
            count: 0,
            encrypted: Vec::new(),
            opened: 0,
            stop: false,
            password,
            sealed: false,
        }
    }

    /// Hands the member just decoded (verified: the reader called on) to the visitor.
    fn finish(&mut self) {
        let Some(name) = self.current.take() else {
            return;
        };
        let bytes = std::mem::take(&mut *self.buf.borrow_mut());
        if !self.ctx.take(bytes.len() as u64) {
            bomb(self.findings, &name, "decompression budget spent".into());
            self.stop = true;
            return;
        }
        if self.sealed {
            self.opened += 1;
        }
        if !(self.visit)(self.ctx, &name, &bytes) {
            self.stop = true;
        }
    }

    /// Tells a member that could not be read, from the reader's error.
    fn failed(&mut self, name: String, e: &rars::Error) {
        self.buf.borrow_mut().clear();
        match self.cut.replace(RarCut::None) {
            RarCut::Bomb => {
                bomb(
                    self.findings,
                    &name,
                    format!(
                        "'{name}' expands beyond its cap (ratio {}:1 or the budget left)",
                        self.ctx.opts.max_ratio
                    ),
                );
                return;
            }
            RarCut::Time => {
                // (The sink saw the deadline pass; the walk tells it.)
                self.ctx.out_of_time = true;
                self.stop = true;
                return;
            }
            RarCut::None => {}
        }
        if rar_locked(e) {
            self.encrypted.push(name);
        } else if e.kind() == rars::ErrorKind::ResourceLimit {
            self.findings.push(
                Finding::new(
                    "archive.unsupported",
                    Severity::Low,
                    format!("'{name}' not read: {e}"),
                )
                .in_member(name.clone()),
            );
        } else {
            malformed(self.findings, &name, e);
        }
    }

    /// The reader's decision on member `m`: read it (into the shared buffer, under its
    /// cap), pass it, or stop.
    fn decide(&mut self, m: &rars::ArchiveMember) -> rars::ExtractionDecision {
        use rars::ExtractionDecision::{Extract, Skip, Stop};
        self.finish();
        if self.stop || self.ctx.expired() {
            return Stop;
        }
        if m.meta.is_directory || m.meta.is_redirection {
            return Skip;
        }
        let name = rar_name(m);
        if m.meta.is_split_before || m.meta.is_split_after {
            self.findings.push(
                Finding::new(
                    "archive.unsupported",
                    Severity::Low,
                    format!(
                        "'{name}' continues in another volume of a multi-volume archive: not read"
                    ),
                )
                .in_member(name.clone()),
            );
            return Skip;
        }
        // A dictionary past the cap: told and passed here (the reader's own refusal would
        // end the archive); in a solid archive the members after it need it, and end there.
        if let Some(dictionary) = rar_dictionary(m).filter(|d| *d > RAR_DICTIONARY) {
            self.findings.push(
                Finding::new(
                    "archive.unsupported",
                    Severity::Low,
                    format!(
                        "'{name}' not read: its RAR 5 dictionary of {} MiB passes the {} MiB kizuki decodes",
                        dictionary >> 20,
                        RAR_DICTIONARY >> 20
                    ),
                )
                .in_member(name.clone()),
            );
            return Skip;
        }
        let meta = &m.meta;
        match self.begin(
            name,
            meta.unpacked_size,
            meta.packed_size,
            meta.is_encrypted,
        ) {
            Some(sink) => Extract(Box::new(sink)),
            None if self.stop => Stop,
            None => Skip,
        }
    }

    /// Starts reading a member (its name, declared and packed sizes, whether it is
    /// encrypted): the sink for its bytes, or `None` when it is not read (past the member
    /// cap, past its own cap, encrypted and no password opened the archive).
    fn begin(&mut self, name: String, size: u64, packed: u64, encrypted: bool) -> Option<RarSink> {
        if stop_at(self.ctx, self.count, self.findings) {
            self.stop = true;
            return None;
        }
        self.count += 1;
        let cap = member_cap(self.ctx, packed);
        if size > cap {
            bomb(
                self.findings,
                &name,
                format!(
                    "'{name}' declares {size} bytes from {packed}, past the ratio cap or the budget"
                ),
            );
            return None;
        }
        if encrypted && !self.password {
            self.encrypted.push(name);
            return None;
        }
        self.buf.borrow_mut().clear();
        self.cut.set(RarCut::None);
        self.current = Some(name);
        self.sealed = encrypted;
        Some(RarSink {
            buf: Some(self.buf.clone()),
            len: 0,
            cap,
            deadline: self.ctx.deadline,
            cut: self.cut.clone(),
        })
    }

    /// Tells what was found (encrypted members, members opened with a password) once the
    /// reading ended.
    fn end(self) {
        if !self.encrypted.is_empty() {
            let n = self.encrypted.len();
            for name in &self.encrypted {
                let ext = names::extension(name).unwrap_or_default();
                if names::is_executable_extension(&ext) {
                    self.findings.push(
                        Finding::new(
                            "archive.executable_inside",
                            Severity::Critical,
                            format!(
                                "encrypted member '{}' has an executable extension",
                                names::base_name(name)
                            ),
                        )
                        .in_member(name.clone()),
                    );
                }
            }
            let shown: Vec<&str> = self.encrypted.iter().take(5).map(String::as_str).collect();
            self.findings.push(Finding::new(
                "archive.encrypted",
                Severity::Medium,
                format!(
                    "{n} encrypted rar member(s) could not be opened (no candidate password fits): {}",
                    shown.join(", ")
                ),
            ));
        }
        if self.opened > 0 {
            self.findings.push(Finding::new(
                "archive.password_opened",
                Severity::Info,
                format!(
                    "{} encrypted rar member(s) opened with a candidate password",
                    self.opened
                ),
            ));
        }
    }
}

/// Reads the members of a RAR archive (RAR 1.3 to 7, solid or not, through `rars`) under the
/// caps: a member's declared size is checked against the budget and the ratio to its packed
/// size before it is decoded, and its output is cut there; a RAR 5 dictionary is capped
/// ([`RAR_DICTIONARY`]); each member is handed on once its CRC or hash checked. An archive
/// whose headers are encrypted, or whose members are, is read with the first candidate
/// password that opens it ([`rar_password`]); one that none opens, or that the reader
/// rejects, is listed from its headers ([`rar_listing`]). Members split over volumes, of
/// which this is one, are told and left.
fn rar_members(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>, visit: &mut Visit<'_>) {
    let opts = ctx.opts;
    let (archive, password) =
        match rars::ArchiveReader::read_with_options(data, rar_options(opts, None)) {
            Ok(a) => {
                if a.members().any(|m| m.meta.is_encrypted) {
                    match rar_password(ctx, data) {
                        Some((a, pw)) => (a, Some(pw)),
                        None => (a, None),
                    }
                } else {
                    (a, None)
                }
            }
            // Encrypted headers (`rar a -hp`; RAR 5 checks the password against them).
            Err(e) if rar_locked(&e) => match rar_password(ctx, data) {
                Some((a, pw)) => (a, Some(pw)),
                None => return rar_listing(ctx, data, findings),
            },
            Err(e) => {
                if matches!(e, rars::Error::HeaderCountLimitExceeded { .. }) {
                    findings.push(Finding::new(
                        "archive.too_many_members",
                        Severity::Medium,
                        format!("more than {} members", opts.max_members),
                    ));
                } else {
                    malformed(findings, "rar", &e);
                }
                return rar_listing(ctx, data, findings);
            }
        };
    let run = std::cell::RefCell::new(RarRun::new(ctx, findings, visit, password.is_some()));
    let options = rar_options(opts, password.as_deref().map(str::as_bytes));
    let res = archive.extract_with_control_and_errors(
        options,
        |m| Ok(run.borrow_mut().decide(m)),
        |m, e| {
            let mut r = run.borrow_mut();
            let name = r.current.take().unwrap_or_else(|| rar_name(m));
            r.failed(name, e);
            Ok(rars::ExtractionErrorAction::Continue)
        },
    );
    let mut r = run.into_inner();
    match res {
        Ok(_) => r.finish(),
        // Skipping a member of a solid archive (a bomb, one no password opens) ends it.
        Err(rars::Error::CannotSkipSolidMember) => {}
        Err(e) => match r.current.take() {
            Some(name) => r.failed(name, &e),
            None => malformed(r.findings, "rar", &e),
        },
    }
    r.end();
}

/// The first candidate password that opens an encrypted RAR archive, and the archive read
/// with it: its headers decrypt (when they are encrypted: RAR 5 checks a password against
/// a value of its own, RAR 3-4 against the headers' CRCs), and its first encrypted member
/// decodes to its CRC (RAR 3-4 keep no check value: a wrong key gives bytes that fail it).
/// The members before it are decoded too (a solid archive's history), all under the caps.
fn rar_password(ctx: &Ctx<'_>, data: &[u8]) -> Option<(rars::Archive, String)> {
    ctx.passwords.iter().find_map(|pw| {
        let options = rar_options(ctx.opts, Some(pw.as_bytes()));
        let a = rars::ArchiveReader::read_with_options(data, options).ok()?;
        let mut tried = false;
        let cut = std::rc::Rc::new(std::cell::Cell::new(RarCut::None));
        let res = a.extract_with_control(options, |m| {
            use rars::ExtractionDecision::{Extract, Skip, Stop};
            if tried {
                return Ok(Stop);
            }
            if m.meta.is_directory || m.meta.is_redirection {
                return Ok(Skip);
            }
            tried = m.meta.is_encrypted;
            Ok(Extract(Box::new(RarSink {
                buf: None,
                len: 0,
                cap: member_cap(ctx, m.meta.packed_size),
                deadline: ctx.deadline,
                cut: cut.clone(),
            })))
        });
        (res.is_ok() || !a.members().any(|m| m.meta.is_encrypted)).then(|| (a, pw.clone()))
    })
}

/// Reads the members of a RAR archive in volumes (`x.part1.rar`, `x.part2.rar`…, or `x.rar`,
/// `x.r00`…; given in order) under the caps, as [`rar_members`] reads one archive: a member
/// split over volumes comes out whole, checked at its end. With encrypted members or headers,
/// the first candidate password that opens its first member is used ([`rar_volumes_open`]).
/// A volume that does not parse ends the set before it; the reading stops at the first
/// member that fails (a volume missing, a byte changed): each told, the members before stand.
pub(crate) fn rar_volume_members(
    ctx: &mut Ctx<'_>,
    volumes: &[&[u8]],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
) {
    let opts = ctx.opts;
    let parse = |pw: Option<&[u8]>| {
        let mut set = Vec::new();
        for (k, v) in volumes.iter().enumerate() {
            match rars::ArchiveReader::read_with_options(v, rar_options(opts, pw)) {
                Ok(a) => set.push(a),
                Err(e) => return (set, Some((k, e))),
            }
        }
        (set, None)
    };
    let (mut set, mut broken) = parse(None);
    let mut password = None;
    let locked = broken.as_ref().is_some_and(|(_, e)| rar_locked(e))
        || set.iter().any(|a| a.members().any(|m| m.meta.is_encrypted));
    if locked
        && let Some(pw) = ctx
            .passwords
            .iter()
            .find(|pw| rar_volumes_open(ctx, volumes, pw))
    {
        (set, broken) = parse(Some(pw.as_bytes()));
        password = Some(pw.clone());
    }
    if let Some((k, e)) = &broken {
        if rar_locked(e) && password.is_none() {
            findings.push(Finding::new(
                "archive.encrypted",
                Severity::Medium,
                "rar volumes with encrypted headers: member names and contents cannot be inspected",
            ));
        } else {
            malformed(findings, &format!("rar volume {}", k + 1), e);
        }
    }
    if set.is_empty() {
        return;
    }
    if locked && password.is_none() {
        // The reader wants the password before the first member: the set is told, its
        // names listed.
        let names: Vec<String> = rars::volume_members(&set)
            .unwrap_or_default()
            .iter()
            .filter(|m| m.meta.is_encrypted && !m.meta.is_directory)
            .map(rar_name)
            .collect();
        let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        findings.push(Finding::new(
            "archive.encrypted",
            Severity::Medium,
            format!(
                "rar volumes with {} encrypted member(s) (no candidate password fits): {}",
                names.len(),
                shown.join(", ")
            ),
        ));
        return;
    }
    // The members in the order the reader opens them (redirections open none).
    let logical = rars::volume_members(&set).unwrap_or_default();
    let mut members = logical.iter().filter(|m| !m.meta.is_redirection);
    let whole = volumes.iter().map(|v| v.len() as u64).sum::<u64>();
    let run = std::cell::RefCell::new(RarRun::new(ctx, findings, visit, password.is_some()));
    let options = rar_options(opts, password.as_deref().map(str::as_bytes));
    let res = rars::extract_volumes_to_with_options(&set, options, |meta| {
        let mut r = run.borrow_mut();
        r.finish();
        let member = members.next();
        if meta.is_directory {
            return Ok(Box::new(std::io::sink()));
        }
        if r.stop || r.ctx.expired() {
            return Err(rars::Error::Cancelled);
        }
        let name = if meta.name_is_unicode {
            String::from_utf8_lossy(&meta.name).into_owned()
        } else {
            crate::names::stored_name(&meta.name, crate::names::Legacy::Unstated)
        }
        .replace('\\', "/");
        // (Should the reader's order and the listing's differ, the set's size bounds it.)
        let (size, packed, encrypted) =
            member
                .filter(|m| m.meta.name == meta.name)
                .map_or((0, whole, false), |m| {
                    (
                        m.meta.unpacked_size,
                        m.meta.packed_size,
                        m.meta.is_encrypted,
                    )
                });
        match r.begin(name, size, packed, encrypted) {
            Some(sink) => Ok(Box::new(sink) as Box<dyn std::io::Write>),
            // A member not read ends the set's reading: the reader has no way to pass one.
            None => {
                r.stop = true;
                Err(rars::Error::Cancelled)
            }
        }
    });
    let mut r = run.into_inner();
    match res {
        Ok(()) => r.finish(),
        Err(rars::Error::Cancelled) => {}
        Err(e) => match r.current.take() {
            Some(name) => r.failed(name, &e),
            None => malformed(r.findings, "rar volumes", &e),
        },
    }
    r.end();
}

/// Does the candidate password `pw` open a RAR archive in volumes: do they parse with it
/// (their headers decrypt when they are encrypted), and does its first member decode to its
/// CRC (the reading is stopped as the second one opens)?
fn rar_volumes_open(ctx: &Ctx<'_>, volumes: &[&[u8]], pw: &str) -> bool {
    let options = rar_options(ctx.opts, Some(pw.as_bytes()));
    let Ok(set) = volumes
        .iter()
        .map(|v| rars::ArchiveReader::read_with_options(v, options))
        .collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let mut opened = 0;
    let cut = std::rc::Rc::new(std::cell::Cell::new(RarCut::None));
    let res = rars::extract_volumes_to_with_options(&set, options, |meta| {
        if meta.is_directory {
            return Ok(Box::new(std::io::sink()));
        }
        opened += 1;
        if opened > 1 {
            return Err(rars::Error::Cancelled);
        }
        Ok(Box::new(RarSink {
            buf: None,
            len: 0,
            cap: ctx.budget,
            deadline: ctx.deadline,
            cut: cut.clone(),
        }))
    });
    res.is_ok() || opened > 1
}

fn rar_listing(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>) {
    let l = crate::rar::list(data, ctx.opts.max_members as usize);
    if l.headers_encrypted {
        findings.push(Finding::new(
            "archive.encrypted",
            Severity::Medium,
            "rar archive with encrypted headers: member names and contents cannot be inspected",
        ));
        return;
    }
    let enc: Vec<&str> = l
        .entries
        .iter()
        .filter(|e| e.encrypted)
        .map(|e| e.name.as_str())
        .collect();
    if !enc.is_empty() {
        findings.push(Finding::new(
            "archive.encrypted",
            Severity::Medium,
            format!(
                "{} encrypted rar member(s): {}",
                enc.len(),
                enc.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for e in &l.entries {
        let ext = names::extension(&e.name).unwrap_or_default();
        if names::is_executable_extension(&ext) {
            push_exe_inside_f(findings, names::base_name(&e.name), "by name, rar member");
        }
    }
    let shown: Vec<String> = l
        .entries
        .iter()
        .take(10)
        .map(|e| format!("{} ({} B)", e.name, e.size))
        .collect();
    findings.push(Finding::new(
        "archive.unsupported",
        Severity::Low,
        format!(
            "rar archive: {} member(s) listed, not unpacked: {}",
            l.entries.len(),
            shown.join(", ")
        ),
    ));
}

fn push_exe_inside_f(findings: &mut Vec<Finding>, leaf: &str, what: &str) {
    findings.push(
        Finding::new(
            "archive.executable_inside",
            Severity::Critical,
            format!("executable member '{leaf}' ({what})"),
        )
        .in_member(leaf.to_string()),
    );
}

/// A reader that counts the bytes taken from it into a shared cell (the compressed bytes a
/// decoder has read, for the ratio cap).
pub struct Counting<R> {
    inner: R,
    n: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R> Counting<R> {
    /// Counts what is read from `inner` into `n`.
    pub fn new(inner: R, n: std::rc::Rc<std::cell::Cell<u64>>) -> Self {
        Counting { inner, n }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.set(self.n.get() + k as u64);
        Ok(k)
    }
}

/// Decompresses `raw` through `decoder`, stopping as soon as the output passes `cap` or, past
/// the bomb floor, the ratio of output to compressed input consumed so far passes `ratio`:
/// a bomb is recognised after about a megabyte, whatever its headers say. `Ok(None)` = bomb.
fn read_ratio_capped<R: Read, D: Read>(
    raw: R,
    decoder: impl FnOnce(Counting<R>) -> D,
    cap: u64,
    ratio: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let n = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut d = decoder(Counting {
        inner: raw,
        n: n.clone(),
    });
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let k = d.read(&mut chunk)?;
        if k == 0 {
            return Ok(Some(out));
        }
        out.extend_from_slice(&chunk[..k]);
        let len = out.len() as u64;
        if len > cap || (len > BOMB_FLOOR && len > n.get().max(1).saturating_mul(ratio)) {
            return Ok(None);
        }
    }
}

/// Reads a stored or deflated member from its raw bytes under `cap`; `None` for other methods.
fn raw_member(
    za: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    cap: u64,
    ratio: u64,
) -> Option<std::io::Result<Option<Vec<u8>>>> {
    let f = za.by_index_raw(i).ok()?;
    match f.compression() {
        zip::CompressionMethod::Stored => Some(read_member(f, cap)),
        zip::CompressionMethod::Deflated => Some(read_ratio_capped(
            f,
            flate2::read::DeflateDecoder::new,
            cap,
            ratio,
        )),
        _ => None,
    }
}

/// The memory a 7z reader may take for its headers and for each decoder's dictionary.
const SEVENZ_MEMORY_KIB: usize = 256 * 1024;

/// Reads the members of a 7z archive (LZMA, LZMA2, BCJ filters, bzip2, deflate, stored; solid
/// or not) under the caps. A solid block is decoded in order, so a member is read after those
/// before it in its block; a bomb or a spent budget abandons the rest of its block. An
/// archive whose members or header are encrypted (AES) is read with the first candidate
/// password that opens it ([`sevenz_password`]); one that none opens, or that the reader
/// rejects, is listed from its headers, as before.
fn sevenz_members(
    ctx: &mut Ctx<'_>,
    data: &[u8],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
) {
    let listing = crate::sevenz::list(data, ctx.opts.max_members as usize);
    // An encrypted header shows its AES coder; members encrypted under a compressed header
    // show theirs when it is decoded: a password is looked for then.
    let mut password = None;
    if listing.encrypted {
        match sevenz_password(ctx, data) {
            Some(p) => password = Some(p),
            None => return sevenz_listing(ctx, data, findings),
        }
    }
    loop {
        let tried = password.is_some();
        match sevenz_read(ctx, data, findings, visit, password.clone()) {
            Ok(()) => {}
            Err(lock) => {
                if !tried && let Some(p) = sevenz_password(ctx, data) {
                    password = Some(p);
                    continue;
                }
                match lock {
                    Locked::Header => sevenz_listing(ctx, data, findings),
                    Locked::Members => findings.push(Finding::new(
                        "archive.encrypted",
                        Severity::Medium,
                        "7z archive with AES-encrypted members",
                    )),
                }
            }
        }
        break;
    }
    if password.is_some() {
        findings.push(Finding::new(
            "archive.password_opened",
            Severity::Info,
            "7z archive opened with a candidate password",
        ));
    }
}

/// What a 7z archive's reading stopped at: its header or a block is encrypted and the
/// password given (if any) does not open it.
enum Locked {
    Header,
    Members,
}

/// Reads the members of a 7z archive with `password` ([`sevenz_members`]).
fn sevenz_read(
    ctx: &mut Ctx<'_>,
    data: &[u8],
    findings: &mut Vec<Finding>,
    visit: &mut Visit<'_>,
    password: Option<sevenz_rust2::Password>,
) -> Result<(), Locked> {
    let mut reader = match sevenz_rust2::ArchiveReader::new_with_memory_limit(
        Cursor::new(data),
        password.unwrap_or_else(sevenz_rust2::Password::empty),
        SEVENZ_MEMORY_KIB,
    ) {
        Ok(r) => r,
        Err(sevenz_rust2::Error::PasswordRequired | sevenz_rust2::Error::MaybeBadPassword(_)) => {
            return Err(Locked::Header);
        }
        Err(e) => {
            malformed(findings, "7z", &e);
            sevenz_listing(ctx, data, findings);
            return Ok(());
        }
    };
    reader.set_thread_count(1);
    let max = ctx.opts.max_members as usize;
    let n = reader.archive().files.len();
    if n > max {
        findings.push(Finding::new(
            "archive.too_many_members",
            Severity::Medium,
            format!("{n} members; only the first {max} are analysed"),
        ));
    }
    let mut seen = 0usize;
    // The ratio is judged against the whole archive: the members of a solid block have no
    // compressed size of their own.
    let cap_of = |ctx: &Ctx<'_>| member_cap(ctx, data.len() as u64);
    let ratio = u64::from(ctx.opts.max_ratio);
    let res = reader.for_each_entries_with_decision(|entry, r| {
        use sevenz_rust2::EntryDecision::{Continue, SkipBlock, Stop};
        if entry.is_directory() || entry.is_anti_item() {
            return Ok(Continue);
        }
        seen += 1;
        if seen > max || ctx.expired() {
            return Ok(Stop);
        }
        let mname = entry.name().to_string();
        let size = entry.size();
        let cap = cap_of(ctx);
        if size > cap {
            bomb(
                findings,
                &mname,
                format!(
                    "'{mname}' declares {size} bytes, more than {cap} (ratio cap {ratio}:1 on the archive's {} bytes, or the budget left)",
                    data.len()
                ),
            );
            return Ok(SkipBlock);
        }
        let bytes = match read_member(r, cap) {
            Ok(Some(b)) => b,
            Ok(None) => {
                bomb(findings, &mname, format!("'{mname}' expands beyond {cap} bytes"));
                return Ok(SkipBlock);
            }
            Err(e) => {
                malformed(findings, &mname, &e);
                return Ok(SkipBlock);
            }
        };
        if !ctx.take(bytes.len() as u64) {
            bomb(findings, &mname, "decompression budget spent".into());
            return Ok(Stop);
        }
        Ok(if visit(ctx, &mname, &bytes) { Continue } else { Stop })
    });
    match res {
        Ok(()) => {}
        // A block encrypted where the headers did not show it (a compressed header).
        Err(sevenz_rust2::Error::PasswordRequired | sevenz_rust2::Error::MaybeBadPassword(_)) => {
            return Err(Locked::Members);
        }
        Err(e) => malformed(findings, "7z", &e),
    }
    Ok(())
}

/// The first candidate password that opens an encrypted 7z archive: its header decrypts
/// (when it is encrypted), and the first 64 KiB of its first member decode (with a wrong
/// AES key the decoder meets bytes it rejects at once; a stored member, which no decoder
/// checks, fails its CRC when it is read).
fn sevenz_password(ctx: &Ctx<'_>, data: &[u8]) -> Option<sevenz_rust2::Password> {
    ctx.passwords.iter().find_map(|pw| {
        let password = || sevenz_rust2::Password::from(pw.as_str());
        let mut r = sevenz_rust2::ArchiveReader::new_with_memory_limit(
            Cursor::new(data),
            password(),
            SEVENZ_MEMORY_KIB,
        )
        .ok()?;
        r.set_thread_count(1);
        let mut decoded = true;
        let res = r.for_each_entries_with_decision(|entry, rd| {
            use sevenz_rust2::EntryDecision::{Continue, Stop};
            if entry.is_directory() || entry.is_anti_item() || entry.size() == 0 {
                return Ok(Continue);
            }
            let mut head = vec![0u8; entry.size().min(64 * 1024) as usize];
            decoded = kizuki_core::io::read_full(rd, &mut head).is_ok();
            Ok(Stop)
        });
        (res.is_ok() && decoded).then(password)
    })
}

fn sevenz_listing(ctx: &mut Ctx<'_>, data: &[u8], findings: &mut Vec<Finding>) {
    let l = crate::sevenz::list(data, ctx.opts.max_members as usize);
    if l.encrypted {
        findings.push(Finding::new(
            "archive.encrypted",
            Severity::Medium,
            if l.header_encoded {
                "7z archive with an AES-encrypted header: member names and contents cannot be inspected"
            } else {
                "7z archive with AES-encrypted members"
            },
        ));
    }
    for n in &l.names {
        let ext = names::extension(n).unwrap_or_default();
        if names::is_executable_extension(&ext) {
            push_exe_inside_f(findings, names::base_name(n), "by name, 7z member");
        }
    }
    let detail = if l.header_encoded {
        "7z archive with a compressed header: members are not listed or unpacked".to_string()
    } else {
        format!(
            "7z archive: {} member(s) listed, not unpacked: {}",
            l.names.len(),
            l.names
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    findings.push(Finding::new("archive.unsupported", Severity::Low, detail));
}

#[cfg(test)]
mod stream_name_tests {
    use super::stream_member_name;
    use crate::sniff::FileType;

    #[test]
    fn stream_content_is_named_after_the_stream() {
        // A gzip stream without a name in its header.
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, b"x").unwrap();
        let plain = e.finish().unwrap();
        let gz = |n| stream_member_name(n, FileType::Gzip, &plain);
        assert_eq!(gz("a/dump.tar.gz"), "dump.tar");
        assert_eq!(gz("x.zip!logs.TGZ"), "logs.tar");
        assert_eq!(gz("blob"), "data");
        assert_eq!(gz(".gz"), "data");
        let other = |n, ft| stream_member_name(n, ft, b"");
        assert_eq!(other("out/顧客.csv.xz", FileType::Xz), "顧客.csv");
        assert_eq!(other("backup.TXZ", FileType::Xz), "backup.tar");
        assert_eq!(other("dump.sql.bz2", FileType::Bzip2), "dump.sql");
        assert_eq!(other("a.tbz", FileType::Bzip2), "a.tar");
        assert_eq!(other("a.tbz2", FileType::Bzip2), "a.tar");
        assert_eq!(other("x.zip!logs.tar.zst", FileType::Zstd), "logs.tar");
        assert_eq!(other("logs.tzst", FileType::Zstd), "logs.tar");
        // A name that is not the stream's own (renamed, or a member without one).
        assert_eq!(other("data.bin", FileType::Zstd), "data");
        assert_eq!(other("archive.gz", FileType::Xz), "data");
    }
}

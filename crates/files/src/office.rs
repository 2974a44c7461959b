//! Office documents: OLE2 compound files (with VBA projects), OOXML packages and RTF.
//!
//! VBA: module sources are stored compressed (MS-OVBA 2.4.1) in the streams of the `VBA`
//! storage. Like olevba's fallback, each stream is searched for the start of a compressed
//! container whose first token is `Attribut` (every module begins with `Attribute VB_Name`), and
//! decompressed from there ([`decompress_vba`], capped). The source is then judged in the
//! mraptor sense: a macro (`office.vba_macro`), run automatically (`office.autoexec`), that
//! writes or executes (`office.suspicious_call`).

use std::io::Cursor;

use kizuki_core::{Finding, Severity};

use crate::sniff::FileType;
use crate::{Ctx, Out};

/// Cap on one decompressed VBA module or OLE stream read.
const STREAM_CAP: u64 = 16 * 1024 * 1024;

/// Entry points that run a macro without the user asking (case-insensitive).
pub const AUTOEXEC: &[&str] = &[
    "AutoOpen",
    "Auto_Open",
    "AutoExec",
    "AutoNew",
    "AutoClose",
    "Auto_Close",
    "AutoExit",
    "Document_Open",
    "Document_New",
    "Document_Close",
    "DocumentOpen",
    "DocumentBeforeClose",
    "Workbook_Open",
    "Workbook_Activate",
    "Workbook_Close",
    "Workbook_BeforeClose",
    "Presentation_Open",
    "Document_ContentControlOnEnter",
    "InkPicture1_Painted",
];

/// Calls that write, download or execute (mraptor's W and X classes).
pub const SUSPICIOUS: &[&str] = &[
    "Shell",
    "ShellExecute",
    "Shell.Application",
    "CreateObject",
    "GetObject",
    "URLDownloadToFile",
    "WScript.Shell",
    "WScript",
    "PowerShell",
    "cmd.exe",
    "MacScript",
    "CallByName",
    "ExecuteExcel4Macro",
    "Kill",
    "SaveToFile",
    "Lib \"kernel32",
    "Lib \"urlmon",
    "XMLHTTP",
    "ADODB.Stream",
];

/// CLSID of the Equation Editor 3.0 (CVE-2017-11882 and relatives).
pub const EQUATION_CLSID: &str = "0002ce02-0000-0000-c000-000000000046";

/// Decompresses an MS-OVBA compressed container (starts with 0x01). Returns what decoded
/// before an error (best effort), at most `cap` bytes.
pub fn decompress_vba(data: &[u8], cap: usize) -> Vec<u8> {
    let mut out = Vec::new();
    if data.first() != Some(&1) {
        return out;
    }
    let mut pos = 1;
    while pos + 2 <= data.len() && out.len() < cap {
        let header = u16::from_le_bytes([data[pos], data[pos + 1]]);
        let chunk_end = (pos + (header & 0x0FFF) as usize + 3).min(data.len());
        pos += 2;
        if header & 0x8000 == 0 {
            let end = (pos + 4096).min(data.len());
            out.extend_from_slice(&data[pos..end]);
            pos = end;
            continue;
        }
        let start = out.len();
        'chunk: while pos < chunk_end {
            let flags = data[pos];
            pos += 1;
            for bit in 0..8 {
                if pos >= chunk_end {
                    break 'chunk;
                }
                if flags & (1 << bit) == 0 {
                    out.push(data[pos]);
                    pos += 1;
                } else {
                    if pos + 1 >= chunk_end {
                        break 'chunk;
                    }
                    let token = u16::from_le_bytes([data[pos], data[pos + 1]]);
                    pos += 2;
                    let d = out.len() - start;
                    if d == 0 {
                        return out;
                    }
                    let mut bits = 4u32;
                    while (1usize << bits) < d {
                        bits += 1;
                    }
                    let bits = bits.min(12);
                    let len_mask = 0xFFFFu16 >> bits;
                    let length = (token & len_mask) as usize + 3;
                    let offset = ((token & !len_mask) >> (16 - bits)) as usize + 1;
                    if offset > d {
                        return out;
                    }
                    for _ in 0..length {
                        let b = out[out.len() - offset];
                        out.push(b);
                    }
                }
            }
            if out.len() >= cap {
                break;
            }
        }
        pos = chunk_end;
    }
    out.truncate(cap);
    out
}

/// Compresses with literal tokens only (valid MS-OVBA; used by the synthetic corpus).
pub fn compress_vba_literal(src: &[u8]) -> Vec<u8> {
    let mut out = vec![1u8];
    for chunk in src.chunks(3600) {
        let mut body = Vec::with_capacity(chunk.len() + chunk.len() / 8 + 1);
        for group in chunk.chunks(8) {
            body.push(0);
            body.extend_from_slice(group);
        }
        let header = 0xB000u16 | ((body.len() + 2 - 3) as u16 & 0x0FFF);
        out.extend_from_slice(&header.to_le_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// Finds the VBA sources in one stream of a `VBA` storage.
pub fn vba_sources_in(stream: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(stream, b"\x00Attribut") {
        if at < 3 || stream[at - 3] != 1 || stream[at - 1] & 0x70 != 0x30 {
            continue;
        }
        let src = decompress_vba(&stream[at - 3..], STREAM_CAP as usize);
        if !src.is_empty() {
            out.push(String::from_utf8_lossy(&src).into_owned());
            break;
        }
    }
    out
}

fn word_in(hay_lower: &str, word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let hb = hay_lower.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(i) = hay_lower[from..].find(&w) {
        let s = from + i;
        let e = s + w.len();
        let before_ok = s == 0 || !ident(hb[s - 1]);
        let after_ok = e >= hb.len() || !ident(hb[e]) || !ident(w.as_bytes()[w.len() - 1]);
        if before_ok && after_ok {
            return true;
        }
        from = s + 1;
    }
    false
}

/// Judges VBA sources (mraptor): findings for macro, auto-exec and suspicious calls.
pub(crate) fn judge_vba(sources: &[String], out: &mut Out) {
    if sources.is_empty() {
        return;
    }
    let all = sources.join("\n").to_ascii_lowercase();
    let lines: usize = sources.iter().map(|s| s.lines().count()).sum();
    out.add(
        "office.vba_macro",
        Severity::Medium,
        format!("VBA project: {} module(s), {lines} line(s)", sources.len()),
    );
    let auto: Vec<&str> = AUTOEXEC
        .iter()
        .copied()
        .filter(|k| word_in(&all, k))
        .collect();
    if !auto.is_empty() {
        out.add(
            "office.autoexec",
            Severity::High,
            format!("macro runs automatically: {}", auto.join(", ")),
        );
    }
    let sus: Vec<&str> = SUSPICIOUS
        .iter()
        .copied()
        .filter(|k| word_in(&all, k))
        .collect();
    if !sus.is_empty() {
        out.add(
            "office.suspicious_call",
            Severity::High,
            format!("macro writes, downloads or executes: {}", sus.join(", ")),
        );
    }
}

/// Analyses an OLE2 compound file.
pub(crate) fn analyze_ole(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    if encrypted(ctx, name, data, depth, out) {
        return;
    }
    let mut cf = match cfb::CompoundFile::open(Cursor::new(data)) {
        Ok(c) => c,
        Err(e) => {
            out.add("file.malformed", Severity::Info, format!("OLE2: {e}"));
            return;
        }
    };
    let root_clsid = cf.root_entry().clsid().to_string();
    let mut vba_streams = Vec::new();
    let mut equation = root_clsid == EQUATION_CLSID;
    let mut packages = Vec::new();
    let mut count = 0u32;
    for e in cf.walk() {
        count += 1;
        if count > ctx.opts.max_members {
            break;
        }
        let path = e.path().to_path_buf();
        let comps: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let leaf = comps.last().cloned().unwrap_or_default();
        if e.is_storage() && e.clsid().to_string() == EQUATION_CLSID {
            equation = true;
        }
        if !e.is_stream() {
            continue;
        }
        if leaf.eq_ignore_ascii_case("Equation Native") {
            equation = true;
        }
        if leaf == "\u{1}Ole10Native" {
            packages.push(path.display().to_string());
        }
        let in_vba = comps.len() >= 2 && comps[comps.len() - 2].eq_ignore_ascii_case("VBA");
        if in_vba
            && !matches!(
                leaf.as_str(),
                "dir" | "_VBA_PROJECT" | "PROJECT" | "PROJECTwm"
            )
            && !leaf.starts_with("__SRP_")
        {
            vba_streams.push(path);
        }
    }
    let mut sources = Vec::new();
    for p in vba_streams {
        if ctx.expired() {
            break;
        }
        let Ok(s) = cf.open_stream(&p) else { continue };
        let cap = STREAM_CAP.min(ctx.budget);
        if let Ok(Some(bytes)) = kizuki_core::io::read_capped(s, cap) {
            ctx.take(bytes.len() as u64);
            sources.extend(vba_sources_in(&bytes));
        }
    }
    judge_vba(&sources, out);
    if equation {
        out.add(
            "office.ole_object",
            Severity::Critical,
            "Equation Editor 3.0 object (CLSID 0002CE02, exploited by CVE-2017-11882)",
        );
    } else if !packages.is_empty() {
        out.add(
            "office.ole_object",
            Severity::Medium,
            format!("embedded OLE package: {}", packages.join(", ")),
        );
    }
    if cf.is_stream("/PowerPoint Document") {
        drop(cf);
        // (An encrypted one was decrypted and read by `binary`.)
        if crate::bincrypt::find(data).is_none() {
            presentation(ctx, name, data, depth, out);
        }
    }
}

/// A PowerPoint 97-2003 presentation ([`crate::ppt`]) keeps its VBA project and its embedded
/// objects as compressed compound files among its records, not as storages of its own
/// compound file: each is analysed as a member (`x.ppt!object1`: its macros, its objects).
fn presentation(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    let show = match crate::ppt::read(data, ctx.budget) {
        None => return,
        Some(Ok(show)) => show,
        Some(Err(e)) => {
            out.add("file.malformed", Severity::Info, format!("PowerPoint: {e}"));
            return;
        }
    };
    for e in show.errors {
        out.add("file.malformed", Severity::Info, format!("PowerPoint: {e}"));
    }
    for (member, bytes) in show.objects {
        if ctx.expired() {
            break;
        }
        if !ctx.take(bytes.len() as u64) {
            out.add(
                "archive.bomb",
                Severity::High,
                "embedded objects past the size budget: not analysed",
            );
            break;
        }
        crate::child(ctx, name, &member, &bytes, depth, out);
    }
}

/// An Office document encrypted with a password ([`crate::offcrypto`]): opened with Excel's
/// built-in password or a candidate one, its package is analysed as its member
/// `EncryptedPackage` (the stream that holds it); else told. Returns whether `data` was one
/// (an OOXML package encrypted, or a binary document encrypted: nothing else to read in it).
fn encrypted(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) -> bool {
    use crate::offcrypto::{self, Opened};
    let found = match offcrypto::find(data, ctx.budget) {
        Some(f) => f,
        None => {
            binary(ctx, name, data, depth, out);
            // A binary document's macros are not encrypted (the VBA storage stays plain):
            // analysed as any.
            return false;
        }
    };
    // Office writes an OOXML document encrypted with a password as a compound file: no
    // mismatch with its `.docx`/`.xlsx`/`.pptx` name.
    let leaf = name.rsplit('!').next().unwrap_or(name);
    if crate::names::extension(leaf)
        .is_some_and(|e| FileType::claimed_by(&e).contains(&FileType::Ooxml))
    {
        out.findings.retain(|f| f.rule != "type.mismatch");
    }
    let enc = match found {
        Ok(e) => e,
        Err(e) => {
            out.add(
                "office.encrypted",
                Severity::Medium,
                format!("Office document encrypted with a password, not read: {e}"),
            );
            return true;
        }
    };
    let how = enc.describe();
    match enc.open(&ctx.passwords, ctx.deadline) {
        Ok(Opened::Plain { data: plain, by }) => {
            match by {
                None => out.add(
                    "office.default_password",
                    Severity::High,
                    format!(
                        "encrypted with Excel's built-in password \"{}\" ({how}): Excel opens it without a prompt, while scanners see only ciphertext",
                        offcrypto::DEFAULT_PASSWORD
                    ),
                ),
                Some(_) => out.add(
                    "office.password_opened",
                    Severity::Info,
                    format!("Office document encrypted with a password ({how}), opened with a candidate password"),
                ),
            }
            if ctx.take(plain.len() as u64) {
                crate::child(ctx, name, "EncryptedPackage", &plain, depth, out);
            } else {
                out.add(
                    "archive.bomb",
                    Severity::High,
                    "decrypted document past the size budget: not analysed",
                );
            }
        }
        Ok(Opened::NoPassword) => out.add(
            "office.encrypted",
            Severity::Medium,
            format!(
                "Office document encrypted with a password ({how}) that no candidate password opens: its content (macros, links, objects) cannot be inspected"
            ),
        ),
        Ok(Opened::OutOfTime) => ctx.out_of_time = true,
        Err(e) => out.add(
            "office.encrypted",
            Severity::Medium,
            format!("Office document encrypted with a password ({how}), opened but not decrypted: {e}"),
        ),
    }
    true
}

/// A Word or Excel 97-2003 document encrypted with RC4 ([`crate::bincrypt`]): told opened
/// (with Excel's built-in password: high) or not. Its macros are stored plain, and analysed
/// as any document's; the decrypted streams hold the text and cells.
fn binary(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    use crate::bincrypt;
    let enc = match bincrypt::find(data) {
        None => return,
        Some(Ok(enc)) => enc,
        Some(Err(e)) => {
            out.add(
                "office.encrypted",
                Severity::Medium,
                format!("{e}: its content cannot be inspected"),
            );
            return;
        }
    };
    let (what, how) = (enc.what(), enc.scheme());
    // The password checked, nothing decrypted: the streams hold text and cells, not code.
    match enc.verify(&ctx.passwords) {
        Some(None) => out.add(
            "office.default_password",
            Severity::High,
            format!(
                "{what} encrypted with its application's built-in password \"{}\" ({how}): it opens without a prompt, while scanners see only ciphertext",
                enc.default_password().unwrap_or_default()
            ),
        ),
        Some(Some(_)) => out.add(
            "office.password_opened",
            Severity::Info,
            format!("{what} encrypted with a password ({how}), opened with a candidate password"),
        ),
        None => out.add(
            "office.encrypted",
            Severity::Medium,
            format!(
                "{what} encrypted with a password ({how}) that no candidate password opens: its content cannot be inspected"
            ),
        ),
    }
    // A presentation's VBA project and objects are encrypted with the rest (a workbook's
    // and a document's macros are not): decrypted, they are analysed.
    if enc.is_presentation()
        && let Ok(bincrypt::Opened::Plain { data: plain, .. }) = enc.open(data, &ctx.passwords)
    {
        presentation(ctx, name, &plain, depth, out);
    }
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let rest = &tag[i..];
    Some(&rest[..rest.find('"')?])
}

/// Analyses an OOXML package (docx, xlsm, pptm, …).
pub(crate) fn analyze_ooxml(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    let mut findings = Vec::new();
    let mut parts = Out::default();
    let mut visit = |ctx: &mut Ctx<'_>, member: &str, bytes: &[u8]| -> bool {
        let lower = member.to_ascii_lowercase();
        if lower.ends_with("vbaproject.bin") {
            crate::child(ctx, name, member, bytes, depth, &mut parts);
        } else if lower.contains("embeddings/") || lower.contains("oleobject") {
            parts.findings.push(
                Finding::new(
                    "office.ole_object",
                    Severity::Medium,
                    format!("embedded object {member}"),
                )
                .in_member(member.to_string()),
            );
            crate::child(ctx, name, member, bytes, depth, &mut parts);
        } else if lower.ends_with(".rels") {
            rels(member, bytes, &mut parts);
        } else if lower.ends_with(".xml") {
            dde(member, bytes, &mut parts);
        }
        true
    };
    crate::archive::members(ctx, name, FileType::Zip, data, &mut findings, &mut visit);
    out.findings.extend(findings);
    out.findings.extend(parts.findings);
    out.children.extend(parts.children);
}

fn rels(member: &str, bytes: &[u8], out: &mut Out) {
    let text = String::from_utf8_lossy(bytes);
    for tag in text.split("<Relationship ").skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if attr(tag, "TargetMode") != Some("External") {
            continue;
        }
        let ty = attr(tag, "Type").unwrap_or("");
        let target = attr(tag, "Target").unwrap_or("");
        let kind = ty.rsplit('/').next().unwrap_or("");
        match kind {
            "attachedTemplate" | "frame" | "subDocument" => out.findings.push(
                Finding::new(
                    "office.remote_template",
                    Severity::High,
                    format!("{kind} loaded from {target}"),
                )
                .in_member(member.to_string()),
            ),
            "oleObject" => out.findings.push(
                Finding::new(
                    "office.ole_object",
                    Severity::High,
                    format!("external OLE link to {target}"),
                )
                .in_member(member.to_string()),
            ),
            _ => {}
        }
    }
}

fn dde(member: &str, bytes: &[u8], out: &mut Out) {
    let text = String::from_utf8_lossy(bytes);
    // Field codes may be split over runs: look at the concatenated instrText contents too.
    let mut instr = String::new();
    for seg in text.split("<w:instrText").skip(1) {
        if let Some(body) = seg.split_once('>').map(|(_, b)| b)
            && let Some((t, _)) = body.split_once("</w:instrText>")
        {
            instr.push_str(t);
        }
    }
    for seg in text.split("w:instr=\"").skip(1) {
        if let Some((t, _)) = seg.split_once('"') {
            instr.push(' ');
            instr.push_str(t);
        }
    }
    let up = instr.to_ascii_uppercase();
    let hit = up.contains("DDEAUTO") || up.trim_start().starts_with("DDE ") || up.contains(" DDE ");
    if hit || text.contains("ddeService=") {
        let cmd: String = instr.trim().chars().take(120).collect();
        out.findings.push(
            Finding::new(
                "office.dde",
                Severity::High,
                format!(
                    "DDE field{}",
                    if cmd.is_empty() {
                        String::new()
                    } else {
                        format!(": {cmd}")
                    }
                ),
            )
            .in_member(member.to_string()),
        );
    }
}

/// Analyses an RTF document: `\objdata` objects (hex-decoded, OLE1 class name, embedded OLE2).
pub(crate) fn analyze_rtf(ctx: &mut Ctx<'_>, name: &str, data: &[u8], depth: u32, out: &mut Out) {
    let mut n = 0;
    for at in memchr::memmem::find_iter(data, b"\\objdata") {
        n += 1;
        if n > 32 || ctx.expired() {
            break;
        }
        let mut bytes = Vec::new();
        let mut hi = None;
        for &c in &data[at + 8..] {
            if c == b'}' || bytes.len() as u64 >= STREAM_CAP {
                break;
            }
            let v = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => continue,
            };
            match hi.take() {
                Some(h) => bytes.push(h << 4 | v),
                None => hi = Some(v),
            }
        }
        // OLE1: version, format, class name length (u32 LE) and class name.
        let class = bytes
            .get(8..12)
            .map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize)
            .and_then(|l| bytes.get(12..12 + l.min(256)))
            .map(|c| {
                String::from_utf8_lossy(c)
                    .trim_end_matches('\0')
                    .to_string()
            })
            .unwrap_or_default();
        let eq = class.to_ascii_lowercase().contains("equation");
        out.findings.push(
            Finding::new(
                "office.ole_object",
                if eq {
                    Severity::Critical
                } else {
                    Severity::Medium
                },
                format!(
                    "RTF \\objdata object{}{}",
                    if class.is_empty() {
                        String::new()
                    } else {
                        format!(" of class {class}")
                    },
                    if eq {
                        " (Equation Editor, CVE-2017-11882)"
                    } else {
                        ""
                    }
                ),
            )
            .at_offset(at as u64),
        );
        if let Some(ole) = memchr::memmem::find(&bytes, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
            ctx.take(bytes.len() as u64);
            crate::child(
                ctx,
                name,
                &format!("objdata-{n}"),
                &bytes[ole..],
                depth,
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vba_roundtrip_and_mraptor() {
        let src =
            "Attribute VB_Name = \"ThisDocument\"\nSub AutoOpen()\n  Shell \"calc\"\nEnd Sub\n"
                .repeat(200);
        let c = compress_vba_literal(src.as_bytes());
        assert_eq!(decompress_vba(&c, 1 << 20), src.as_bytes());
        let mut stream = b"junk".to_vec();
        stream.extend_from_slice(&c);
        let found = vba_sources_in(&stream);
        assert_eq!(found.len(), 1);
        let mut out = Out::default();
        judge_vba(&found, &mut out);
        let rules: Vec<_> = out.findings.iter().map(|f| f.rule.as_ref()).collect();
        assert_eq!(
            rules,
            [
                "office.vba_macro",
                "office.autoexec",
                "office.suspicious_call"
            ]
        );
    }

    #[test]
    fn decompresses_copy_tokens() {
        // MS-OVBA 3.2.1 example: "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa".
        let c: &[u8] = &[
            0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64, 0x65, 0x82, 0x66,
            0x00, 0x70, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08, 0x61, 0x6B, 0x6C, 0x00,
            0x30, 0x6D, 0x6E, 0x6F, 0x70, 0x06, 0x71, 0x02, 0x70, 0x04, 0x10, 0x72, 0x73, 0x74,
            0x75, 0x76, 0x10, 0x77, 0x78, 0x79, 0x7A, 0x00, 0x3C,
        ];
        assert_eq!(
            String::from_utf8(decompress_vba(c, 1000)).unwrap(),
            "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
        );
    }
}

//! RAR listing (RAR 4 and RAR 5 block headers): member names, sizes and encryption flags. The
//! members are read by the `rars` crate ([`crate::archive`]); this listing is what is left
//! when it cannot read them (headers encrypted and no candidate password fits, or an archive
//! it rejects): the names alone reveal executables, and encrypted headers are reported.

/// One listed member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RarEntry {
    /// Path inside the archive.
    pub name: String,
    /// Unpacked size as declared.
    pub size: u64,
    /// The member's data is encrypted.
    pub encrypted: bool,
}

/// What the listing found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RarListing {
    /// Members, in order.
    pub entries: Vec<RarEntry>,
    /// The headers themselves are encrypted (names unknown without the password).
    pub headers_encrypted: bool,
}

fn vint(d: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *d.get(*pos)?;
        *pos += 1;
        if shift < 64 {
            v |= u64::from(b & 0x7f) << shift;
        }
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn le16(d: &[u8], o: usize) -> Option<u16> {
    d.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn le32(d: &[u8], o: usize) -> Option<u32> {
    d.get(o..o + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Lists a RAR archive (best effort, at most `max` members).
pub fn list(d: &[u8], max: usize) -> RarListing {
    if d.starts_with(b"Rar!\x1a\x07\x01\x00") {
        list5(d, max)
    } else {
        list4(d, max)
    }
}

fn list5(d: &[u8], max: usize) -> RarListing {
    let mut out = RarListing::default();
    let mut pos = 8;
    while out.entries.len() < max {
        let start = pos;
        pos += 4; // CRC32
        let Some(hsize) = vint(d, &mut pos) else {
            break;
        };
        let body = pos;
        let Some(htype) = vint(d, &mut pos) else {
            break;
        };
        let Some(hflags) = vint(d, &mut pos) else {
            break;
        };
        if hflags & 1 != 0 && vint(d, &mut pos).is_none() {
            break;
        }
        let mut data_size = 0;
        if hflags & 2 != 0 {
            match vint(d, &mut pos) {
                Some(s) => data_size = s,
                None => break,
            }
        }
        match htype {
            2 => {
                let mut p = pos;
                let (Some(fflags), Some(size), Some(_attr)) =
                    (vint(d, &mut p), vint(d, &mut p), vint(d, &mut p))
                else {
                    break;
                };
                if fflags & 2 != 0 {
                    p += 4;
                }
                if fflags & 4 != 0 {
                    p += 4;
                }
                let (Some(_comp), Some(_os), Some(nlen)) =
                    (vint(d, &mut p), vint(d, &mut p), vint(d, &mut p))
                else {
                    break;
                };
                let nlen = nlen.min(4096) as usize;
                let Some(name) = d.get(p..p + nlen) else {
                    break;
                };
                // Extra records: type 1 is file encryption.
                let extra = d.get(p + nlen..body + hsize as usize).unwrap_or(&[]);
                let encrypted = extra_has_encryption(extra);
                out.entries.push(RarEntry {
                    name: String::from_utf8_lossy(name).into_owned(),
                    size,
                    encrypted,
                });
            }
            4 => {
                out.headers_encrypted = true;
                break;
            }
            5 => break,
            _ => {}
        }
        let next = (body as u64)
            .checked_add(hsize)
            .and_then(|x| x.checked_add(data_size));
        match next {
            Some(n) if (n as usize) > start && (n as usize) < d.len() => pos = n as usize,
            _ => break,
        }
    }
    out
}

fn extra_has_encryption(extra: &[u8]) -> bool {
    let mut p = 0;
    while p < extra.len() {
        let Some(size) = vint(extra, &mut p) else {
            return false;
        };
        let rec = p;
        let Some(ty) = vint(extra, &mut p) else {
            return false;
        };
        if ty == 1 {
            return true;
        }
        p = rec + size as usize;
    }
    false
}

fn list4(d: &[u8], max: usize) -> RarListing {
    let mut out = RarListing::default();
    let mut pos = 7;
    while out.entries.len() < max {
        let (Some(ty), Some(flags), Some(size)) =
            (d.get(pos + 2), le16(d, pos + 3), le16(d, pos + 5))
        else {
            break;
        };
        let size = size as usize;
        if size < 7 {
            break;
        }
        let mut add = 0usize;
        match ty {
            0x73 => {
                if flags & 0x80 != 0 {
                    out.headers_encrypted = true;
                    break;
                }
            }
            0x74 => {
                let pack = le32(d, pos + 7).unwrap_or(0) as usize;
                let unp = le32(d, pos + 11).unwrap_or(0);
                let nlen = le16(d, pos + 26).unwrap_or(0) as usize;
                let name_at = pos + 32 + if flags & 0x100 != 0 { 8 } else { 0 };
                let name = d
                    .get(name_at..name_at + nlen)
                    .map(|n| {
                        let n = n.split(|&b| b == 0).next().unwrap_or(n);
                        crate::names::stored_name(n, crate::names::Legacy::Unstated)
                    })
                    .unwrap_or_default();
                out.entries.push(RarEntry {
                    name,
                    size: u64::from(unp),
                    encrypted: flags & 0x04 != 0,
                });
                add = pack;
            }
            0x7b => break,
            _ => {
                if flags & 0x8000 != 0 {
                    add = le32(d, pos + 7).unwrap_or(0) as usize;
                }
            }
        }
        let next = pos.saturating_add(size).saturating_add(add);
        if next <= pos || next >= d.len() {
            break;
        }
        pos = next;
    }
    out
}

/// RAR 5's mark (RAR 5 to 7).
const RAR5: &[u8] = b"Rar!\x1A\x07\x01\x00";

/// RAR 1.5 to 4's mark (its first block).
const RAR4: &[u8] = b"Rar!\x1A\x07\x00";

/// Does `b` start a RAR archive of 1.5 or later (as its first sector holds it)?
pub fn is_rar(b: &[u8]) -> bool {
    b.starts_with(RAR5) || b.starts_with(RAR4)
}

/// [`extent`]'s next header once the headers are encrypted (`rar a -hp`): none can be read.
pub const EXTENT_LOCKED: usize = usize::MAX;

/// How far the RAR archive that starts `b` runs (RAR 1.5 to 7), its block headers read from
/// `*next` on (the offset of the next header, moved on as blocks are passed; 0 at first):
/// `None` while more bytes are needed; `Some(Ok(end))` past its end-of-archive header;
/// `Some(Err(at))` when the header at `at` is none (its CRC fails: a fragmented or
/// overwritten file, or an archive that ends without an end header; `Err(0)` when the first,
/// the main header, is none: no archive). Encrypted headers
/// (`rar a -hp`) cannot be read: `*next` becomes [`EXTENT_LOCKED`], and the answer `None`
/// whatever follows (the copy runs to its cap). For an archive found in a disk image, whose
/// size no header gives.
pub fn extent(b: &[u8], next: &mut usize) -> Option<Result<usize, usize>> {
    if *next == EXTENT_LOCKED {
        return None;
    }
    let mark = if b.starts_with(RAR5) { RAR5 } else { RAR4 }.len();
    *next = (*next).max(mark);
    let end = if mark == RAR5.len() {
        extent5(b, next)
    } else {
        extent4(b, next)
    };
    // No main header after the mark: no archive (`Err(0)`).
    end.map(|e| e.map_err(|at| if at == mark { 0 } else { at }))
}

/// [`extent`] of RAR 5: a header is its CRC-32, its size (a variable-length integer), its
/// type, flags, and the sizes of its extra area and of the data after it.
fn extent5(b: &[u8], next: &mut usize) -> Option<Result<usize, usize>> {
    /// RAR 5 headers are at most 2 MiB.
    const MAX_HEADER: u64 = 2 << 20;
    loop {
        let at = *next;
        let rest = b.get(at..)?;
        let mut p = 4;
        let Some(size) = vint(rest, &mut p) else {
            // Its size's bytes are not all in yet (three at most: 2 MiB), or they are none.
            return (rest.len() >= 4 + 3).then_some(Err(at));
        };
        if size == 0 || size > MAX_HEADER {
            return Some(Err(at));
        }
        let end = p + size as usize;
        let header = rest.get(4..end)?;
        if crc32fast::hash(header) != u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) {
            return Some(Err(at));
        }
        let mut q = p;
        let (Some(kind), Some(flags)) = (vint(rest, &mut q), vint(rest, &mut q)) else {
            return Some(Err(at));
        };
        if flags & 1 != 0 && vint(rest, &mut q).is_none() {
            return Some(Err(at));
        }
        let data = if flags & 2 != 0 {
            match vint(rest, &mut q) {
                Some(n) => n,
                None => return Some(Err(at)),
            }
        } else {
            0
        };
        match kind {
            // Archive encryption: the headers after it are encrypted.
            4 => {
                *next = EXTENT_LOCKED;
                return None;
            }
            5 => return Some(Ok(at + end)),
            _ => {}
        }
        match usize::try_from(data)
            .ok()
            .and_then(|d| (at + end).checked_add(d))
        {
            Some(n) => *next = n,
            None => return Some(Err(at)),
        }
    }
}

/// [`extent`] of RAR 1.5 to 4: a block is its header's CRC (the low 16 bits of a CRC-32),
/// type, flags and size, then the size of the data after it (a file's packed size, with its
/// high 32 bits when flag 0x100 says so) when it has some. The end block is optional here:
/// zeros where a block would be end the archive too.
fn extent4(b: &[u8], next: &mut usize) -> Option<Result<usize, usize>> {
    loop {
        let at = *next;
        let rest = b.get(at..)?;
        let (Some(crc), Some(&kind), Some(flags), Some(size)) =
            (le16(rest, 0), rest.get(2), le16(rest, 3), le16(rest, 5))
        else {
            return None;
        };
        let size = usize::from(size);
        let none = size < 7
            || !(0x72..=0x7B).contains(&kind)
            || rest
                .get(2..size)
                .is_some_and(|h| crc32fast::hash(h) & 0xFFFF != u32::from(crc));
        if none {
            // RAR 2 archives (and writers of its format) have no end block: zeros after a
            // block end the archive (a file's slack); anything else cuts it.
            return Some(if rest[..7] == [0; 7] { Ok(at) } else { Err(at) });
        }
        if rest.len() < size {
            return None;
        }
        // File and service headers always give their packed size; other blocks when flag
        // 0x8000 (a long block) says they have data.
        let file = matches!(kind, 0x74 | 0x7A);
        let mut data = 0u64;
        if file || flags & 0x8000 != 0 {
            let Some(low) = le32(rest, 7).filter(|_| size >= 11) else {
                return Some(Err(at));
            };
            data = u64::from(low);
            if file && flags & 0x100 != 0 {
                data |= u64::from(le32(rest, 32).filter(|_| size >= 36).unwrap_or(0)) << 32;
            }
        }
        match kind {
            // The main header: its flag 0x80 says the headers after it are encrypted.
            0x73 if flags & 0x80 != 0 => {
                *next = EXTENT_LOCKED;
                return None;
            }
            0x7B => return Some(Ok(at + size)),
            _ => {}
        }
        match usize::try_from(data)
            .ok()
            .and_then(|d| (at + size).checked_add(d))
        {
            Some(n) => *next = n,
            None => return Some(Err(at)),
        }
    }
}

/// Does the RAR archive that starts `b` say it is a volume of a multi-volume set (its main
/// header's first flag, in RAR 1.5-4 and in RAR 5)?
pub fn is_volume(b: &[u8]) -> bool {
    if b.starts_with(RAR5) {
        let mut p = RAR5.len() + 4;
        let Some(_size) = vint(b, &mut p) else {
            return false;
        };
        let (Some(kind), Some(flags)) = (vint(b, &mut p), vint(b, &mut p)) else {
            return false;
        };
        if kind != 1 {
            return false;
        }
        for skip in [1, 2] {
            if flags & skip != 0 && vint(b, &mut p).is_none() {
                return false;
            }
        }
        vint(b, &mut p).is_some_and(|archive_flags| archive_flags & 1 != 0)
    } else if b.starts_with(RAR4) {
        b.get(RAR4.len() + 2) == Some(&0x73) && le16(b, RAR4.len() + 3).is_some_and(|f| f & 1 != 0)
    } else {
        false
    }
}

/// A volume's place in its set, by its name: the set's stem and the volume's number from 0,
/// for `x.part1.rar` (any digits, any case: 0) and `x.rar` (0), `x.r00` (1), `x.r01` (2)…
/// (WinRAR's names, new and old).
fn volume_number(path: &std::path::Path) -> Option<(String, Style, usize)> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix(".rar") {
        if let Some((base, n)) = stem.rsplit_once(".part")
            && !n.is_empty()
            && n.bytes().all(|c| c.is_ascii_digit())
        {
            let k: usize = n.parse().ok()?;
            return Some((
                name[..base.len()].to_string(),
                Style::Part(n.len()),
                k.checked_sub(1)?,
            ));
        }
        return Some((name[..stem.len()].to_string(), Style::Old, 0));
    }
    let (stem, ext) = lower.rsplit_once('.')?;
    let digits = ext.strip_prefix('r')?;
    if digits.len() == 2 && digits.bytes().all(|c| c.is_ascii_digit()) {
        let k: usize = digits.parse().ok()?;
        return Some((name[..stem.len()].to_string(), Style::Old, k + 1));
    }
    None
}

/// How a set names its volumes: `.partN.rar` (the digits of the first's number), or `.rar`,
/// `.r00`, `.r01`…
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Part(usize),
    Old,
}

/// The file of volume `k` (from 0) of a set, beside `dir`: either case of the extension.
fn volume_path(
    dir: &std::path::Path,
    stem: &str,
    style: Style,
    k: usize,
) -> Option<std::path::PathBuf> {
    let names = match style {
        Style::Part(width) => vec![
            format!("{stem}.part{:0width$}.rar", k + 1),
            format!("{stem}.part{:0width$}.RAR", k + 1),
            format!("{stem}.PART{:0width$}.RAR", k + 1),
        ],
        Style::Old if k == 0 => vec![format!("{stem}.rar"), format!("{stem}.RAR")],
        Style::Old if k <= 100 => vec![
            format!("{stem}.r{:02}", k - 1),
            format!("{stem}.R{:02}", k - 1),
        ],
        Style::Old => return None,
    };
    names.into_iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// The volumes of the multi-volume RAR set whose first volume is `first`, in order (its
/// siblings named as WinRAR names them: `x.part1.rar`, `x.part2.rar`…, or `x.rar`, `x.r00`,
/// `x.r01`…), up to the first one missing; `None` when `first` is not a first volume's name
/// or no second volume is beside it.
pub fn volume_names(first: &std::path::Path) -> Option<Vec<std::path::PathBuf>> {
    let (stem, style, k) = volume_number(first)?;
    if k != 0 {
        return None;
    }
    let dir = first.parent()?;
    let mut set = vec![first.to_path_buf()];
    while let Some(p) = volume_path(dir, &stem, style, set.len()) {
        set.push(p);
    }
    (set.len() > 1).then_some(set)
}

/// The first volume of the set whose later volume `path` is, by its name, when it is beside
/// it (`x.part2.rar` gives `x.part1.rar`, `x.r03` gives `x.rar`).
pub fn first_volume(path: &std::path::Path) -> Option<std::path::PathBuf> {
    let (stem, style, k) = volume_number(path)?;
    if k == 0 {
        return None;
    }
    let dir = path.parent()?;
    match style {
        // `x.part10.rar`'s first may be `x.part1.rar` or `x.part01.rar`.
        Style::Part(width) => (1..=width).find_map(|w| volume_path(dir, &stem, Style::Part(w), 0)),
        Style::Old => volume_path(dir, &stem, style, 0),
    }
}

/// A RAR 5 archive with stored, unencrypted members (for the synthetic corpus).
pub fn synth_rar5(files: &[(&str, &[u8])], encrypted: bool) -> Vec<u8> {
    fn put_vint(v: &mut Vec<u8>, mut x: u64) {
        loop {
            let b = (x & 0x7f) as u8;
            x >>= 7;
            if x == 0 {
                v.push(b);
                return;
            }
            v.push(b | 0x80);
        }
    }
    fn block(out: &mut Vec<u8>, body: &[u8], data: &[u8]) {
        let mut hs = Vec::new();
        put_vint(&mut hs, body.len() as u64);
        let mut crc = flate2::Crc::new();
        crc.update(&hs);
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&hs);
        out.extend_from_slice(body);
        out.extend_from_slice(data);
    }
    let mut out = b"Rar!\x1a\x07\x01\x00".to_vec();
    block(&mut out, &[1, 0, 0], &[]); // main header
    for (name, data) in files {
        let mut b = Vec::new();
        let mut extra = Vec::new();
        if encrypted {
            // Encryption record: type 1, version 0, flags 0, kdf 15, salt 16, iv 16.
            let mut rec = vec![1, 0, 0, 15];
            rec.extend_from_slice(&[0u8; 32]);
            put_vint(&mut extra, rec.len() as u64);
            extra.extend_from_slice(&rec);
        }
        put_vint(&mut b, 2); // file header
        // Header flags: 1 = extra area present, 2 = data area present.
        put_vint(&mut b, if extra.is_empty() { 2 } else { 3 });
        if !extra.is_empty() {
            put_vint(&mut b, extra.len() as u64);
        }
        put_vint(&mut b, data.len() as u64);
        put_vint(&mut b, 0); // file flags
        put_vint(&mut b, data.len() as u64);
        put_vint(&mut b, 0x20); // attributes
        put_vint(&mut b, 0); // compression: stored
        put_vint(&mut b, 0); // Windows
        put_vint(&mut b, name.len() as u64);
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(&extra);
        block(&mut out, &b, data);
    }
    block(&mut out, &[5, 0, 0], &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WinRAR's volume names, new (`x.part1.rar`, any width, any case) and old (`x.rar`,
    /// `x.r00`…): a first volume gives its set up to the first missing; a later one its first.
    #[test]
    fn volumes_are_found_by_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let touch = |n: &str| {
            std::fs::write(dir.path().join(n), b"Rar!").unwrap();
            dir.path().join(n)
        };
        let p1 = touch("staged.part01.rar");
        let p2 = touch("staged.part02.rar");
        let p3 = touch("staged.part03.rar");
        touch("staged.part05.rar");
        let o = touch("old.RAR");
        let o0 = touch("old.R00");
        let o1 = touch("old.r01");
        let alone = touch("alone.rar");
        assert_eq!(
            volume_names(&p1),
            Some(vec![p1.clone(), p2.clone(), p3.clone()])
        );
        assert_eq!(
            volume_names(&o),
            Some(vec![o.clone(), o0.clone(), o1.clone()])
        );
        assert_eq!(volume_names(&p2), None, "not a first volume");
        assert_eq!(volume_names(&alone), None, "no second volume");
        assert_eq!(first_volume(&p3), Some(p1.clone()));
        assert_eq!(first_volume(&o1), Some(o.clone()));
        assert_eq!(first_volume(&p1), None);
        assert_eq!(
            first_volume(&dir.path().join("x.part2.rar")),
            None,
            "no first beside it"
        );
        let p10 = touch("big.part10.rar");
        let b1 = touch("big.part1.rar");
        assert_eq!(first_volume(&p10), Some(b1));
    }

    #[test]
    fn lists_rar5() {
        let r = synth_rar5(&[("docs/a.pdf", b"%PDF-1.4"), ("run.exe", b"MZ")], false);
        let l = list(&r, 100);
        let names: Vec<_> = l.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["docs/a.pdf", "run.exe"]);
        assert!(l.entries.iter().all(|e| !e.encrypted));
        let e = list(&synth_rar5(&[("x.exe", b"MZ")], true), 100);
        assert!(e.entries[0].encrypted, "{e:?}");
    }
}

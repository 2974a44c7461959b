//! Compressed files inside a disk image, decompressed as the image streams past: zip members
//! (a workbook's, a document's, an archive's: `xlsx`, `docx` and `zip` are zip archives) and
//! gzip files (rotated logs, `dump.sql.gz`, `backup.tar.gz`). Their bytes are deflated, so the
//! text carver finds nothing in them; bulk_extractor reads them with its zip and gzip
//! scanners, and so does this.
//!
//! A zip member is found by its local header (`PK\3\4`) anywhere in the image (a member
//! starts wherever the one before it ended), checked as a zip writer makes it: a method of
//! stored or deflate, a name of 1 to 1,024 printable characters, an extra field of at most
//! 4 KiB; a stored member needs its size. An encrypted member (ZipCrypto or AES: the
//! attacker's staged archive, deleted) cannot be inflated here: its bytes are copied as they
//! are and given as the archive of that one member, which the archive reader opens with the
//! passwords given (`--password`), or tells that it needs one; one whose sizes follow its
//! data (Info-ZIP's `zip -e`) is copied up to the data descriptor that gives its size. A
//! gzip file is found by its header at a sector boundary (where a file system puts a file's
//! first byte), its flags and the fields they announce checked. Each is inflated from the
//! bytes that follow, as they pass, by a raw deflate decoder that stops at the stream's end:
//! nothing is read twice or ahead, whatever the member's size, and a member stored in pieces
//! (a fragmented file) gives what inflates before its first break; one that inflates to
//! its end through another file's bytes fails its CRC (a zip header's, a gzip trailer's) or
//! size, and is told. The bytes given are capped (the copy cap of an image: 128 MiB); past
//! it the rest is skipped and told.
//!
//! Members that follow one another (each header where the member before it ended, or after
//! its data descriptor) are one archive: they are given together, rebuilt as an archive
//! (stored), so that a workbook is read as a workbook (its sheets' rows and columns), not as
//! its parts' XML; a member alone is given as itself. An archive larger than half the cap is
//! given member by member.
//!
//! Written by hand: the `zip` and `flate2` readers read a whole archive, from its central
//! directory at its end, or a stream from its start; here a member's header and data come
//! as an image streams past, with no directory (a deleted file's may be overwritten) and no
//! seeking back. Inflating is `flate2`'s (zlib-rs).

use flate2::{Decompress, FlushDecompress, Status};

use kizuki_files::names::{Legacy, stored_name};

use crate::ole::{u16_at, u32_at, u64_at};

/// A file decompressed out of an image.
#[derive(Debug)]
pub(crate) struct Unzipped {
    /// Offset of its header in the image.
    pub at: u64,
    /// End of its compressed bytes read (the header's offset for a file cut short).
    pub end: u64,
    /// Its name: the member's, or the gzip header's (else `data`); empty for an archive
    /// rebuilt from members that followed one another, or made of an encrypted member
    /// (`data` is then the archive).
    pub name: String,
    /// Its bytes, at most the cap.
    pub data: Vec<u8>,
    /// Why it is not whole, if it is not: the stream broke, the image ended, the cap.
    pub cut: Option<String>,
    /// A zip member (else a gzip file or an encrypted member, which join no archive).
    zip: bool,
    /// The archive of an encrypted member ([`wrap`]).
    pub encrypted: bool,
}

/// A member being decompressed.
struct Open {
    at: u64,
    name: String,
    /// Stored bytes left, or (deflate) the compressed bytes left when the header says them.
    left: Option<u64>,
    z: Option<Decompress>,
    out: Vec<u8>,
    /// Offset of the next byte it takes.
    pos: u64,
    /// Bytes were left out at the cap.
    over: bool,
    /// A zip member, not encrypted (else a gzip file, or an encrypted member: copied).
    zip: bool,
    /// The CRC-32 its zip header gives (none with a data descriptor), or its gzip trailer.
    crc: Option<u32>,
    /// An encrypted member's local header: its bytes are copied as they are (`out`), to be
    /// given as the one-member archive they make ([`wrap`]), read with the passwords given.
    head: Option<Vec<u8>>,
    /// Where the search for an encrypted member's data descriptor goes on.
    seek: usize,
    /// A gzip file's trailer (its CRC-32 and size), read once its stream ended.
    trailer: Option<Vec<u8>>,
}

/// Finds and decompresses zip members and gzip files in the bytes of an image, given in
/// order ([`Finder::feed`]).
pub(crate) struct Finder {
    cap: usize,
    /// Bytes kept from the last feed (a header cut by its end), and their offset.
    tail: Vec<u8>,
    tail_at: u64,
    open: Option<Open>,
    /// Members that followed one another so far, and the bytes they hold.
    group: Vec<Unzipped>,
    held: usize,
    /// The bytes are a zip archive's (a local header at offset 0: an archive whose members
    /// the archive reader could not open, handed back whole): its encrypted members are
    /// left alone, told already by that reader, with the passwords given.
    archive: bool,
}

/// The most bytes between a member's data and the next member's header: a data descriptor
/// (12 bytes, 16 with its signature, 24 in Zip64).
const DESCRIPTOR: u64 = 24;

const LOCAL: &[u8] = b"PK\x03\x04";
/// A gzip header's magic and method (deflate).
const GZIP: &[u8] = &[0x1F, 0x8B, 8];

/// The searcher of [`LOCAL`], built once (each sector of an image is searched).
fn local() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new(LOCAL))
}
/// The most bytes of a header kept across feeds: the fixed part, a name, an extra field.
const MAX_HEAD: usize = 30 + 1024 + 4096;

impl Finder {
    pub(crate) fn new(cap: u64) -> Self {
        Finder {
            cap: usize::try_from(cap).unwrap_or(usize::MAX),
            tail: Vec::new(),
            tail_at: 0,
            open: None,
            group: Vec::new(),
            held: 0,
            archive: false,
        }
    }

    /// A file decompressed: a zip member joins the members before it when it follows them.
    fn done(&mut self, u: Unzipped, found: &mut dyn FnMut(Unzipped)) {
        let follows = self
            .group
            .last()
            .is_some_and(|g| u.at >= g.end && u.at <= g.end + DESCRIPTOR);
        if !follows {
            self.flush(found);
        }
        if !u.zip {
            found(u);
            return;
        }
        if self.held + u.data.len() > self.cap / 2 {
            // Too large to hold together (rebuilt, it is copied once more): member by member.
            for g in self.group.drain(..) {
                found(g);
            }
            self.held = 0;
            found(u);
            return;
        }
        self.held += u.data.len();
        self.group.push(u);
    }

    /// Gives the members held: one as itself, several as the archive they make.
    fn flush(&mut self, found: &mut dyn FnMut(Unzipped)) {
        self.held = 0;
        match self.group.len() {
            0 => {}
            1 => found(self.group.remove(0)),
            _ => {
                let group = std::mem::take(&mut self.group);
                match rebuild(&group) {
                    Some(a) => found(a),
                    None => group.into_iter().for_each(&mut *found),
                }
            }
        }
    }

    /// Takes the image's bytes `bytes` at offset `at` (right after those of the last feed),
    /// calling `found` with each file decompressed.
    pub(crate) fn feed(&mut self, at: u64, bytes: &[u8], found: &mut dyn FnMut(Unzipped)) {
        if at == 0 {
            self.archive = bytes.starts_with(LOCAL);
        }
        let joined;
        let (buf, base) = if self.tail.is_empty() {
            (bytes, at)
        } else {
            let mut t = std::mem::take(&mut self.tail);
            t.extend_from_slice(bytes);
            joined = t;
            (&joined[..], self.tail_at)
        };
        let mut i = 0;
        loop {
            if let Some(mut o) = self.open.take() {
                let (took, done) = self.take(&mut o, &buf[i..]);
                i += took;
                match done {
                    Some(cut) => self.done(finish(o, cut), found),
                    None => {
                        self.open = Some(o);
                        return;
                    }
                }
                continue;
            }
            let rest = &buf[i..];
            // A gzip file's header at a sector boundary; a zip member's anywhere.
            let z = local().find(rest);
            let g = gzip_at(base + i as u64, rest);
            let next = z.into_iter().chain(g).min();
            // Members held end where no member follows them.
            let far = base + (i + next.unwrap_or(rest.len())) as u64;
            if self.group.last().is_some_and(|l| far > l.end + DESCRIPTOR) {
                self.flush(found);
            }
            let h = match next {
                Some(h) => h,
                None => {
                    // Keep what may start a header (`P`, `PK`, `PK\3` at the end), if any.
                    let zip = (1..LOCAL.len())
                        .rev()
                        .find(|k| rest.ends_with(&LOCAL[..*k]));
                    // Or a gzip header's first bytes at a sector boundary.
                    let end = base + buf.len() as u64;
                    let gz = (1..GZIP.len()).rev().find(|k| {
                        end.checked_sub(*k as u64)
                            .is_some_and(|p| p.is_multiple_of(crate::carve::SECTOR))
                            && rest.ends_with(&GZIP[..*k])
                    });
                    let keep = zip.into_iter().chain(gz).max().unwrap_or(0);
                    self.keep(base + (buf.len() - keep) as u64, &buf[buf.len() - keep..]);
                    return;
                }
            };
            let head = &rest[h..];
            let hat = base + (i + h) as u64;
            let parsed = if head.starts_with(LOCAL) {
                zip_header(head)
            } else {
                gzip_header(head)
            };
            match parsed {
                Header::Short if head.len() < MAX_HEAD => {
                    self.keep(hat, head);
                    return;
                }
                Header::Short | Header::No => i += h + 1,
                Header::Yes {
                    encrypted: true, ..
                } if self.archive => i += h + 1,
                Header::Yes {
                    len,
                    name,
                    stored,
                    size,
                    crc,
                    encrypted,
                } => {
                    self.open = Some(Open {
                        at: hat,
                        name,
                        left: size,
                        z: (!stored).then(|| Decompress::new(false)),
                        out: Vec::new(),
                        pos: hat + len as u64,
                        over: false,
                        zip: head.starts_with(LOCAL) && !encrypted,
                        crc,
                        head: encrypted.then(|| head[..len].to_vec()),
                        seek: 0,
                        trailer: None,
                    });
                    i += h + len;
                }
            }
        }
    }

    /// Is a file being decompressed, or are members held, or a header's first bytes? Then
    /// the image may not be cut here: a segment carved from here would not see the header
    /// before ([`crate::sqlite::Spotter`]'s rest points).
    pub(crate) fn busy(&self) -> bool {
        self.open.is_some() || !self.group.is_empty() || !self.tail.is_empty()
    }

    /// The image ended: a file being decompressed is given as far as it went.
    pub(crate) fn finish(&mut self, found: &mut dyn FnMut(Unzipped)) {
        if let Some(o) = self.open.take() {
            self.done(finish(o, Some("cut by the image's end".into())), found);
        }
        self.flush(found);
    }

    fn keep(&mut self, at: u64, b: &[u8]) {
        self.tail_at = at;
        self.tail.clear();
        self.tail.extend_from_slice(b);
    }

    /// Feeds `b` to the open file: the bytes it took, and whether it is done (with why it
    /// is cut, if it is).
    fn take(&self, o: &mut Open, b: &[u8]) -> (usize, Option<Option<String>>) {
        let over = || {
            Some(format!(
                "more than the {} bytes read of a file in an image",
                self.cap
            ))
        };
        if let Some(t) = &mut o.trailer {
            // A gzip file's trailer: its CRC is checked as a zip member's is ([`finish`]).
            let k = (8 - t.len()).min(b.len());
            t.extend_from_slice(&b[..k]);
            o.pos += k as u64;
            if t.len() < 8 {
                return (k, None);
            }
            o.crc = u32_at(t, 0);
            let whole = u32_at(t, 4) == Some(o.out.len() as u32);
            let cut = (!whole).then(|| "its size fails (a part of it is another file's)".into());
            return (k, Some(cut));
        }
        if o.z.is_none() && o.left.is_none() {
            return self.take_until_descriptor(o, b);
        }
        let Some(z) = &mut o.z else {
            // Stored: its size is known.
            let left = o.left.unwrap_or(0);
            let k = usize::try_from(left).unwrap_or(usize::MAX).min(b.len());
            // An encrypted member's archive holds its header twice, and the directory's end.
            let wrapper = o.head.as_ref().map_or(0, |h| 2 * h.len() + 64);
            let room = self.cap.saturating_sub(wrapper + o.out.len());
            o.over |= k > room;
            o.out.extend_from_slice(&b[..k.min(room)]);
            o.left = Some(left - k as u64);
            o.pos += k as u64;
            let done = (left == k as u64).then(|| if o.over { over() } else { None });
            return (k, done);
        };
        let input = match o.left {
            Some(left) => &b[..b.len().min(usize::try_from(left).unwrap_or(usize::MAX))],
            None => b,
        };
        let mut took = 0;
        loop {
            if o.out.len() >= self.cap {
                // The cap: the rest of the stream is skipped when its size is known, else
                // left (to be searched as any bytes are).
                let skip = o
                    .left
                    .map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX));
                let k = skip.min(b.len() - took);
                o.left = o.left.map(|l| l - k as u64);
                o.pos += k as u64;
                let done = o.left.is_none_or(|l| l == 0).then(over);
                return (took + k, done);
            }
            o.out.reserve((self.cap - o.out.len()).min(1 << 16));
            let (in0, out0) = (z.total_in(), o.out.len());
            let st = z.decompress_vec(&input[took..], &mut o.out, FlushDecompress::None);
            let k = usize::try_from(z.total_in() - in0).unwrap_or(0);
            took += k;
            o.pos += k as u64;
            o.left = o.left.map(|l| l.saturating_sub(k as u64));
            match st {
                Ok(Status::StreamEnd) if o.zip => return (took, Some(None)),
                Ok(Status::StreamEnd) => {
                    // A gzip file: its trailer follows.
                    o.trailer = Some(Vec::with_capacity(8));
                    let (k, done) = self.take(o, &b[took..]);
                    return (took + k, done);
                }
                Err(_) => return (took, Some(Some("its stream breaks".into()))),
                Ok(_) if o.left == Some(0) => {
                    return (took, Some(Some("its stream breaks".into())));
                }
                // The input is spent (or no progress): more is needed.
                Ok(_) if took == input.len() || k == 0 && o.out.len() == out0 => {
                    return (took, None);
                }
                Ok(_) => {}
            }
        }
    }

    /// [`Finder::take`] for an encrypted member whose sizes follow its data: its bytes are
    /// copied up to the data descriptor whose compressed size is the count of bytes before
    /// it (signed, as writers write it: `PK\7\8`, the CRC, the sizes on 4 bytes, or on 8 when
    /// the header's sizes are Zip64's mark); that descriptor's CRC and sizes go into the header
    /// kept.
    fn take_until_descriptor(&self, o: &mut Open, b: &[u8]) -> (usize, Option<Option<String>>) {
        let wrapper = o.head.as_ref().map_or(0, |h| 2 * h.len() + 64);
        let room = self.cap.saturating_sub(wrapper + o.out.len());
        let before = o.out.len();
        let k = b.len().min(room);
        o.out.extend_from_slice(&b[..k]);
        let mut from = o.seek;
        // Zip64's mark in the header's sizes: the descriptor's sizes are on 8 bytes.
        let zip64 = o.head.as_ref().and_then(|h| h.get(18..22)) == Some(&[0xFF; 4][..]);
        let dlen = if zip64 { 24 } else { 16 };
        // A descriptor cut by this read's end: looked at again with the next.
        let mut pending = None;
        while let Some(p) = memchr::memmem::find(&o.out[from..], b"PK\x07\x08").map(|p| p + from) {
            let Some(d) = o.out.get(p..p + dlen) else {
                pending = Some(p);
                break;
            };
            let sizes = if zip64 {
                (u64_at(d, 8), u64_at(d, 16))
            } else {
                (u32_at(d, 8).map(u64::from), u32_at(d, 12).map(u64::from))
            };
            let fits = match (u32_at(d, 4), sizes) {
                (Some(crc), (Some(c), Some(u))) if c == p as u64 => u32::try_from(c)
                    .ok()
                    .zip(u32::try_from(u).ok())
                    .map(|cu| (crc, cu)),
                _ => None,
            };
            if let (Some((crc, (csize, usize_))), Some(head)) = (fits, o.head.as_mut()) {
                head[14..18].copy_from_slice(&crc.to_le_bytes());
                head[18..22].copy_from_slice(&csize.to_le_bytes());
                head[22..26].copy_from_slice(&usize_.to_le_bytes());
                o.out.truncate(p);
                let took = (p + dlen).saturating_sub(before);
                o.pos += took as u64;
                return (took, Some(None));
            }
            from = p + 1;
        }
        o.seek = pending.unwrap_or_else(|| o.out.len().saturating_sub(3).max(from));
        o.pos += k as u64;
        if k < b.len() {
            let why = format!(
                "no data descriptor within the {} bytes read of a file in an image",
                self.cap
            );
            return (k, Some(Some(why)));
        }
        (k, None)
    }
}

fn finish(o: Open, cut: Option<String>) -> Unzipped {
    if let Some(head) = o.head {
        // Encrypted: its CRC is the plain bytes', checked as the archive is read.
        return Unzipped {
            at: o.at,
            end: o.pos,
            name: String::new(),
            data: wrap(&head, &o.out),
            cut,
            zip: false,
            encrypted: true,
        };
    }
    // Whole by its stream, but not the bytes its header vouches for: a part of it is another
    // file's (a fragmented file: the decoder may read on through another's bytes).
    let cut = cut.or_else(|| {
        o.crc
            .filter(|c| *c != crc32fast::hash(&o.out))
            .map(|_| "its CRC fails (a part of it is another file's)".to_string())
    });
    Unzipped {
        at: o.at,
        end: o.pos,
        name: o.name,
        data: o.out,
        cut,
        zip: o.zip,
        encrypted: false,
    }
}

/// The archive of one member: its local header `head` and the bytes `data` that follow it,
/// as the image holds them (encrypted), then the central directory entry its header makes
/// (APPNOTE 4.3.12: the same fields, at offset 0) and the end of the directory. Not written
/// with `zip`'s writer: that one encrypts what it is given, and these bytes are encrypted
/// already under a password not known here.
fn wrap(head: &[u8], data: &[u8]) -> Vec<u8> {
    let field = |i: usize, n: usize| head.get(i..i + n).unwrap_or_default();
    let mut out = Vec::with_capacity(2 * head.len() + data.len() + 64);
    out.extend_from_slice(head);
    out.extend_from_slice(data);
    let dir = out.len();
    out.extend_from_slice(b"PK\x01\x02");
    out.extend_from_slice(field(4, 2)); // made by: the version needed
    out.extend_from_slice(field(4, 26)); // version needed .. extra field length
    out.extend_from_slice(&[0; 10]); // comment length, disk, attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // the local header's offset
    out.extend_from_slice(head.get(30..).unwrap_or_default()); // name, extra field
    let len = out.len() - dir;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&u32::try_from(dir).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// The archive that members which followed one another make, rebuilt (stored): at the first
/// one's offset, to the last one's end; cut when one of them is.
fn rebuild(group: &[Unzipped]) -> Option<Unzipped> {
    use std::io::Write;
    let (first, last) = (group.first()?, group.last()?);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(group.iter().map(|g| g.data.len()).sum::<usize>() > u32::MAX as usize / 2);
    for g in group {
        w.start_file(g.name.as_str(), opts).ok()?;
        w.write_all(&g.data).ok()?;
    }
    let data = w.finish().ok()?.into_inner();
    Some(Unzipped {
        at: first.at,
        end: last.end,
        name: String::new(),
        data,
        cut: group.iter().find_map(|g| g.cut.clone()),
        zip: true,
        encrypted: false,
    })
}

/// What a header says.
enum Header {
    /// Not one.
    No,
    /// Cut by the bytes' end.
    Short,
    /// Its length, the file's name, stored (else deflated), its stored or compressed size
    /// and its CRC-32 when known; encrypted (then `stored`: its bytes are copied).
    Yes {
        len: usize,
        name: String,
        stored: bool,
        size: Option<u64>,
        crc: Option<u32>,
        encrypted: bool,
    },
}

/// A zip local file header (APPNOTE 4.3.7) at the start of `h`.
fn zip_header(h: &[u8]) -> Header {
    let (
        Some(version),
        Some(flags),
        Some(method),
        Some(crc),
        Some(csize),
        Some(usize_),
        Some(n),
        Some(e),
    ) = (
        u16_at(h, 4),
        u16_at(h, 6),
        u16_at(h, 8),
        u32_at(h, 14),
        u32_at(h, 18),
        u32_at(h, 22),
        u16_at(h, 26),
        u16_at(h, 28),
    )
    else {
        return Header::Short;
    };
    let (n, e) = (usize::from(n), usize::from(e));
    // Version 6.3 at most; no strong encryption (bit 6); stored or deflate; a stored
    // member's sizes known and equal (a descriptor after it would leave its end unknown).
    // Encrypted (bit 0: ZipCrypto, or AES as WinZip and 7-Zip write it, method 99): stored,
    // deflate or AES, its compressed size known and at least its encryption header's.
    let descriptor = flags & 8 != 0;
    let encrypted = flags & 1 != 0;
    // Encrypted with its sizes after its data (a data descriptor, as Info-ZIP's `zip -e`
    // writes one on a pipe): the header's sizes are zeros (and its CRC), or Zip64's mark.
    let trailing = encrypted
        && descriptor
        && (csize == 0 && usize_ == 0 && crc == 0 || csize == u32::MAX && usize_ == u32::MAX);
    let stored = match method {
        _ if encrypted => {
            if !trailing && csize < 12 || !matches!(method, 0 | 8 | 99) {
                return Header::No;
            }
            true
        }
        0 if !descriptor && csize == usize_ && csize > 0 => true,
        8 => false,
        _ => return Header::No,
    };
    if (version & 0xFF) > 63 || flags & 0x40 != 0 || n == 0 || n > 1024 || e > 4096 {
        return Header::No;
    }
    let Some(raw) = h.get(30..30 + n) else {
        return Header::Short;
    };
    if h.len() < 30 + n + e {
        return Header::Short;
    }
    // AES: its extra field (0x9901) holds the method and the key's strength.
    if method == 99 && !has_extra(&h[30 + n..30 + n + e], 0x9901) {
        return Header::No;
    }
    let Some(name) = member_name(raw, flags & 0x800 != 0) else {
        return Header::No;
    };
    if name.ends_with('/') {
        return Header::No;
    }
    Header::Yes {
        len: 30 + n + e,
        name,
        stored,
        size: (!descriptor || stored && !trailing).then_some(u64::from(csize)),
        crc: (!descriptor).then_some(crc),
        encrypted,
    }
}

/// Does the extra field `x` hold a block of id `id`?
fn has_extra(x: &[u8], id: u16) -> bool {
    let mut i = 0;
    while let (Some(k), Some(n)) = (u16_at(x, i), u16_at(x, i + 2)) {
        if k == id {
            return true;
        }
        i += 4 + usize::from(n);
    }
    false
}

/// A member's name as its header writes it: UTF-8 (its flag set, or valid), else as a zip's
/// names are read ([`stored_name`]: a Japanese code page, else code page 437); `None` with a
/// control character.
fn member_name(raw: &[u8], utf8: bool) -> Option<String> {
    if utf8 && std::str::from_utf8(raw).is_err() {
        return None;
    }
    let name = stored_name(raw, Legacy::Cp437);
    (!name.chars().any(char::is_control)).then_some(name)
}

/// Offset in `b` (which starts at image offset `at`) of the first sector boundary that
/// starts a gzip header's magic and method.
fn gzip_at(at: u64, b: &[u8]) -> Option<usize> {
    let sector = crate::carve::SECTOR;
    let mut i = usize::try_from((sector - at % sector) % sector).ok()?;
    while i + 3 <= b.len() {
        if b[i..i + 3] == *GZIP {
            return Some(i);
        }
        i += sector as usize;
    }
    None
}

/// A gzip member header (RFC 1952) at the start of `h`.
fn gzip_header(h: &[u8]) -> Header {
    let (Some(&flags), Some(&xfl)) = (h.get(3), h.get(8)) else {
        return Header::Short;
    };
    // Reserved flags clear; extra flags 0, 2 (best) or 4 (fastest).
    if flags & 0xE0 != 0 || !matches!(xfl, 0 | 2 | 4) {
        return Header::No;
    }
    let mut i = 10;
    if flags & 4 != 0 {
        let Some(x) = u16_at(h, i) else {
            return Header::Short;
        };
        i += 2 + usize::from(x);
    }
    let mut name = None;
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let Some(z) = h
                .get(i..)
                .and_then(|t| t.iter().take(1024).position(|&c| c == 0))
            else {
                return if h.len() < i + 1024 {
                    Header::Short
                } else {
                    Header::No
                };
            };
            if bit == 8 {
                name = h.get(i..i + z).map(|n| stored_name(n, Legacy::Latin1));
            }
            i += z + 1;
        }
    }
    if flags & 2 != 0 {
        i += 2;
    }
    if h.len() < i {
        return Header::Short;
    }
    let name = name
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        .map_or_else(
            || "data".to_string(),
            |n| n.rsplit(['/', '\\']).next().unwrap_or(&n).to_string(),
        );
    Header::Yes {
        len: i,
        name,
        stored: false,
        size: None,
        crc: None,
        encrypted: false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use std::io::Write;

    /// What a finder gives for `img` fed in pieces of `n` bytes.
    fn unzip(img: &[u8], n: usize, cap: u64) -> Vec<(u64, String, Vec<u8>, Option<String>)> {
        let mut f = Finder::new(cap);
        let mut got = Vec::new();
        let mut push = |u: Unzipped| got.push((u.at, u.name, u.data, u.cut));
        for (k, piece) in img.chunks(n).enumerate() {
            f.feed((k * n) as u64, piece, &mut push);
        }
        f.finish(&mut push);
        got
    }

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut rng = kizuki_core::rng::Rng::new(seed);
        (0..n).map(|_| rng.next_u64() as u8).collect()
    }

    fn gzip(name: Option<&str>, data: &[u8]) -> Vec<u8> {
        let mut b = flate2::GzBuilder::new();
        if let Some(n) = name {
            b = b.filename(n);
        }
        let mut e = b.write(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default());
        w.start_file(name, opts).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn members_and_gzip_files_come_out_of_an_image_whatever_its_reads() {
        let csv = "氏名,メール\n山田 太郎,taro@example.jp\n".repeat(3000);
        let xml = "<sst><si><t>山田 太郎</t></si></sst>".repeat(500);
        let zip = crate::synth::zip_of(&[
            ("顧客.csv", csv.as_bytes()),
            ("xl/sharedStrings.xml", xml.as_bytes()),
        ])
        .unwrap();
        let stored = stored_zip("note.txt", b"tel 090-1234-5678");
        let gz = gzip(Some("var/log/app.log"), csv.as_bytes());
        // A zip at an odd offset (a member may start anywhere), a gzip file at a sector
        // boundary, a stored member, noise between; a gzip header off a boundary is none.
        let mut img = noise(777, 1);
        let at_zip = img.len() as u64;
        img.extend_from_slice(&zip);
        img.extend_from_slice(&noise(3000, 2));
        img.resize(img.len().div_ceil(512) * 512, 0);
        let at_gz = img.len() as u64;
        img.extend_from_slice(&gz);
        img.extend_from_slice(&noise(100, 3));
        let at_stored = img.len() as u64;
        img.extend_from_slice(&stored);
        img.extend_from_slice(&gzip(None, b"off a boundary"));
        img.extend_from_slice(&noise(5000, 4));
        for n in [1, 7, 512, 4096, 1 << 20] {
            let got = unzip(&img, n, 1 << 30);
            let names: Vec<(u64, &str)> = got.iter().map(|g| (g.0, g.1.as_str())).collect();
            // The two members, one after the other: their archive, rebuilt (no name).
            assert_eq!(
                names,
                [(at_zip, ""), (at_gz, "app.log"), (at_stored, "note.txt")],
                "{n}"
            );
            let mut a = zip::ZipArchive::new(std::io::Cursor::new(&got[0].2)).unwrap();
            for (name, want) in [("顧客.csv", &csv), ("xl/sharedStrings.xml", &xml)] {
                let mut d = String::new();
                std::io::Read::read_to_string(&mut a.by_name(name).unwrap(), &mut d).unwrap();
                assert!(d == **want, "{n} {name}");
            }
            assert!(got[1].2 == csv.as_bytes(), "{n}");
            assert_eq!(got[2].2, b"tel 090-1234-5678", "{n}");
            assert!(got.iter().all(|g| g.3.is_none()), "{n}");
        }
        // Held together up to half the cap: beyond, member by member.
        let got = unzip(&zip, 512, 2 * (csv.len() + 100) as u64);
        let names: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(names, ["顧客.csv", "xl/sharedStrings.xml"]);
    }

    #[test]
    fn cut_broken_and_capped_files_give_what_came_before() {
        let csv = "山田 太郎,taro@example.jp,090-1234-5678\n".repeat(20000);
        let zip = crate::synth::zip_of(&[("a.csv", csv.as_bytes())]).unwrap();
        // At the cap: the first bytes, told.
        let got = unzip(&zip, 4096, 10_000);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2[..], csv.as_bytes()[..10_000]);
        assert!(
            got[0].3.as_deref().unwrap().contains("10000 bytes"),
            "{:?}",
            got[0].3
        );
        // Broken in its middle (a fragment of another file there): what inflated before.
        let mut broken = zip.clone();
        let mid = broken.len() / 2;
        broken[mid..mid + 600].fill(0xFF);
        let got = unzip(&broken, 512, 1 << 30);
        // (The bytes after the break may inflate to others before the decoder tells.)
        assert!(!got.is_empty() && got[0].1 == "a.csv");
        let same = got[0]
            .2
            .iter()
            .zip(csv.as_bytes())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(same > 1000, "{same}");
        let why = got[0].3.as_deref().unwrap();
        assert!(
            why == "its stream breaks" || why.starts_with("its CRC fails"),
            "{why}"
        );
        // Cut by the image's end.
        let got = unzip(&zip[..mid], 512, 1 << 30);
        assert_eq!(got[0].3.as_deref(), Some("cut by the image's end"));
        assert!(csv.as_bytes().starts_with(&got[0].2));
        // Noise gives nothing; headers that fail their checks neither.
        assert!(unzip(&noise(1 << 20, 9), 4096, 1 << 30).is_empty());
        let mut bad = zip.clone();
        bad[8] = 99; // method 99 (AES): not read here
        assert!(unzip(&bad, 4096, 1 << 30).iter().all(|g| g.1 != "a.csv"));
    }

    #[test]
    fn damaged_images_give_no_panic() {
        let csv = "山田 太郎,taro@example.jp\n".repeat(400);
        let mut img = noise(300, 5);
        img.extend_from_slice(
            &crate::synth::zip_of(&[("a.csv", csv.as_bytes()), ("b", b"x")]).unwrap(),
        );
        img.resize(img.len().next_multiple_of(512), 0);
        img.extend_from_slice(&gzip(Some("c.csv"), csv.as_bytes()));
        img.extend_from_slice(&stored_zip("d.txt", csv.as_bytes()));
        let mut rng = kizuki_core::rng::Rng::new(11);
        for round in 0..300 {
            let mut d = img.clone();
            for _ in 0..1 + round % 9 {
                let i = (rng.next_u64() % d.len() as u64) as usize;
                d[i] = rng.next_u64() as u8;
            }
            let cut = d.len() - (rng.next_u64() % 200) as usize;
            let n = 1 + (rng.next_u64() % 1500) as usize;
            for g in unzip(&d[..cut], n, 4096) {
                assert!(g.2.len() <= 4096, "{round}");
            }
        }
    }

    /// A zip written as a stream (LibreOffice, Java, Python on a pipe): each member's sizes
    /// and CRC left out of its header (flag bit 3) and given in a data descriptor after its
    /// data. Made from [`crate::synth::zip_of`]'s archive, member by member.
    fn with_descriptors(zip: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while zip[i..].starts_with(LOCAL) {
            let u16_ = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
            let csize = u32::from_le_bytes(zip[i + 18..i + 22].try_into().unwrap()) as usize;
            let (n, e) = (u16_(i + 26), u16_(i + 28));
            let mut head = zip[i..i + 30 + n + e].to_vec();
            head[6] |= 8;
            let sums = head[14..26].to_vec();
            head[14..26].fill(0);
            out.extend_from_slice(&head);
            let data = i + 30 + n + e;
            out.extend_from_slice(&zip[data..data + csize]);
            out.extend_from_slice(b"PK\x07\x08");
            out.extend_from_slice(&sums);
            i = data + csize;
        }
        out.extend_from_slice(&zip[i..]);
        out
    }

    #[test]
    fn members_with_data_descriptors_make_their_archive_too() {
        let a = "山田 太郎,taro@example.jp\n".repeat(300);
        let b = "<t>佐藤 花子</t>".repeat(200);
        let zip =
            crate::synth::zip_of(&[("a.csv", a.as_bytes()), ("b.xml", b.as_bytes())]).unwrap();
        let streamed = with_descriptors(&zip);
        assert_ne!(streamed, zip);
        let mut img = noise(1000, 21);
        img.extend_from_slice(&streamed);
        img.extend_from_slice(&noise(1000, 22));
        for n in [1, 512, 1 << 20] {
            let got = unzip(&img, n, 1 << 30);
            assert_eq!(got.len(), 1, "{n}: one archive");
            assert_eq!(
                (got[0].0, got[0].1.as_str(), &got[0].3),
                (1000, "", &None),
                "{n}"
            );
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(&got[0].2)).unwrap();
            let mut d = String::new();
            std::io::Read::read_to_string(&mut z.by_name("b.xml").unwrap(), &mut d).unwrap();
            assert_eq!(d, b);
        }
    }

    /// `archive` holds one member, `name`, which opens with `pw` (not with another) to `want`.
    fn assert_opens(archive: &[u8], pw: &str, name: &str, want: &str) {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
        assert_eq!(z.len(), 1, "{name}");
        assert!(z.by_index_decrypt(0, b"wrong").is_err(), "{name}");
        let mut d = String::new();
        std::io::Read::read_to_string(&mut z.by_index_decrypt(0, pw.as_bytes()).unwrap(), &mut d)
            .unwrap();
        assert!(d == want, "{name}");
        assert_eq!(z.by_index_raw(0).unwrap().name().unwrap(), name);
    }

    /// The attacker's staged archive, encrypted (ZipCrypto as Windows and `zip -e` write it,
    /// AES as 7-Zip and WinZip do), deleted: each member is given as the archive of that
    /// member alone, its bytes as they were, which opens with the password and not without.
    #[test]
    fn encrypted_members_are_given_as_their_archives() {
        let a = "山田 太郎,taro@example.jp\n".repeat(300);
        let b = "佐藤 花子,hanako@example.jp\n".repeat(200);
        let pw = "Staged#2016";
        let crypto = kizuki_files::synth::zip_encrypted(
            &[("out/a.csv", a.as_bytes()), ("b.csv", b.as_bytes())],
            pw,
        );
        let aes = {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .with_aes_encryption(zip::AesMode::Aes256, pw);
            w.start_file("c.csv", opts).unwrap();
            w.write_all(a.as_bytes()).unwrap();
            w.finish().unwrap().into_inner()
        };
        let mut img = noise(1001, 31);
        let at_crypto = img.len() as u64;
        img.extend_from_slice(&crypto);
        img.extend_from_slice(&noise(2000, 32));
        let at_aes = img.len() as u64;
        img.extend_from_slice(&aes);
        img.extend_from_slice(&noise(2000, 33));
        // A zip archive's own bytes (the reader tried its members, and told them): left alone.
        assert!(unzip(&crypto, 512, 1 << 30).is_empty());
        // Local headers start each member: the second ZipCrypto one where the first ended.
        let second = at_crypto + 30 + 9 + 12 + a.len() as u64;
        for n in [1, 7, 512, 1 << 20] {
            let got = unzip(&img, n, 1 << 30);
            let at: Vec<(u64, &str)> = got.iter().map(|g| (g.0, g.1.as_str())).collect();
            assert_eq!(at, [(at_crypto, ""), (second, ""), (at_aes, "")], "{n}");
            for (g, (name, want)) in
                got.iter()
                    .zip([("out/a.csv", &a), ("b.csv", &b), ("c.csv", &a)])
            {
                assert_eq!(g.3, None, "{n} {name}");
                assert_opens(&g.2, pw, name, want);
            }
        }
    }

    /// Info-ZIP's `zip -e` (the Linux server's staging): each encrypted member's CRC and
    /// sizes in a data descriptor after its data, the header's zeros, the password checked
    /// against the header's time. Copied up to the descriptor that gives the size, whatever
    /// the reads.
    #[test]
    fn encrypted_members_with_their_sizes_after_them() {
        let a = "山田 太郎,taro@example.jp\n".repeat(300);
        let b = "佐藤 花子,hanako@example.jp\n".repeat(200);
        let pw = "Staged#2016";
        let mut crypto = kizuki_files::synth::zip_encrypted(
            &[("out/a.csv", a.as_bytes()), ("b.csv", b.as_bytes())],
            pw,
        );
        // The check byte is the CRC's high byte: the time's, as Info-ZIP writes it.
        let second = 30 + 9 + 12 + a.len();
        for at in [0, second] {
            let high = crypto[at + 17];
            crypto[at + 10..at + 12].copy_from_slice(&[0, high]);
        }
        let streamed = with_descriptors(&crypto);
        assert_eq!(&streamed[6..8], &[9, 8]);
        let mut img = noise(999, 41);
        img.extend_from_slice(&streamed);
        img.extend_from_slice(&noise(3000, 42));
        for n in [1, 7, 512, 1 << 20] {
            let got = unzip(&img, n, 1 << 30);
            let at: Vec<u64> = got.iter().map(|g| g.0).collect();
            assert_eq!(at, [999, 999 + second as u64 + 16], "{n}");
            for (g, (name, want)) in got.iter().zip([("out/a.csv", &a), ("b.csv", &b)]) {
                assert_eq!(g.3, None, "{n} {name}");
                assert_opens(&g.2, pw, name, want);
            }
        }
        // No descriptor within the cap: cut, told.
        let got = unzip(&img[..999 + 2000], 512, 1 << 30);
        assert_eq!(got.len(), 1);
        assert!(got[0].3.is_some());
    }

    /// A gzip file's trailer is checked: a CRC or a size that fails says the bytes inflated
    /// are not all the file's (a fragmented file decoded on through another's bytes).
    #[test]
    fn a_gzip_file_s_trailer_is_checked() {
        let text = "山田 太郎 taro@example.jp 090-1234-5678\n".repeat(400);
        let gz = gzip(Some("app.log"), text.as_bytes());
        let n = gz.len();
        let mut bad_crc = gz.clone();
        bad_crc[n - 8] ^= 1;
        let mut bad_size = gz.clone();
        bad_size[n - 4] ^= 1;
        for (data, want) in [
            (&gz, None),
            (&bad_crc, Some("its CRC fails")),
            (&bad_size, Some("its size fails")),
        ] {
            let mut img = vec![0u8; 1024];
            img.extend_from_slice(data);
            img.extend_from_slice(&noise(700, 51));
            for k in [1, 7, 512] {
                let got = unzip(&img, k, 1 << 30);
                assert_eq!(got.len(), 1, "{k}");
                assert!(got[0].2 == text.as_bytes(), "{k}");
                assert_eq!(
                    got[0].3.as_deref().map(|c| &c[..want.map_or(0, str::len)]),
                    want,
                    "{k}"
                );
            }
        }
        // The image ends inside the trailer.
        let mut img = vec![0u8; 1024];
        img.extend_from_slice(&gz[..n - 3]);
        let got = unzip(&img, 512, 1 << 30);
        assert_eq!(got[0].3.as_deref(), Some("cut by the image's end"));
    }
}

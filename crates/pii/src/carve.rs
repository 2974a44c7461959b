//! Raw disk and memory images: the text in them, deleted remnants included.
//!
//! A file system hides nothing from a byte scan: the data of a deleted file stays in its
//! blocks until they are reused (the reference incident's staged file was restored that
//! way). An image is read as a stream of bytes and cut into *runs* of bytes that can be
//! text in a Japanese encoding (printable ASCII, tab, line ends, ESC for ISO-2022-JP, and
//! the bytes 0x80..=0xFE that UTF-8, Shift_JIS and EUC-JP use); control bytes, 0x7F and
//! 0xFF end a run. Each run of at least [`MIN_RUN`] bytes is streamed through the ordinary
//! text and table scanner ([`crate::scan`]) with its own encoding and its own table (a
//! carved CSV keeps its header and columns). Runs less than [`GAP`] bytes apart form one
//! *region*, reported as one object `image!@OFFSET` (its first byte's offset in the image,
//! decimal, as `dd skip=` and bulk_extractor take it). Nothing is buffered beyond one read
//! block, so an image of any size runs in bounded memory.
//!
//! UTF-16LE text (Windows files and metadata, Word's binary documents, memory) is carved in a
//! second pass over the image, by code units at even offsets: its ASCII characters hold zero
//! bytes, which end every byte run.
//!
//! An image on disk (raw or EnCase) is carved in segments on every thread
//! (`Scanner::scan_image`): each from its first *rest point* (`rest_after`: the end of a
//! sector of zeros, where every region is closed in both passes) to the first one after its
//! end where no database is being copied out; what follows a rest point is carved alike from
//! there or from the image's start, so the segments joined give one carving's objects, and a
//! scan with a ledger records them one by one.

use std::io::{self, BufRead, Read};

use kizuki_core::Category;

use crate::decode;
use crate::scan::scan_into;
use crate::tally::{CatSet, Tally};

/// Shorter runs are skipped. In random data (compressed or encrypted blocks) 88 % of the
/// bytes can be text: a run of 64 such bytes starts about once per 30 KB, decodes as Shift_JIS
/// to something, and 1 GB of it held a "table" with a one-kanji "name"; a run of 128 starts
/// once per 100 MB. A file of personal data is longer; a remnant shorter than that is missed.
pub const MIN_RUN: usize = 128;
/// Runs closer than this belong to one region (a file's data and its zero padding, a
/// database page's records).
pub const GAP: u64 = 512;

/// Bytes that may be text (see the module documentation).
const TEXT: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i, 0x09 | 0x0A | 0x0D | 0x1B | 0x20..=0x7E | 0x80..=0xFE);
        i += 1;
    }
    t
};

/// Extensions of raw images that carry no signature at their start (a partition or memory
/// dump).
const RAW_EXTENSIONS: [&str; 9] = [
    ".img", ".dd", ".raw", ".001", ".mem", ".vmem", ".dmp", ".vhd", ".vmdk",
];

/// Is this a raw disk, partition or memory image (by its first bytes, or by its name when
/// they say nothing)? ISO 9660 images are not: their files are read as members.
pub fn is_raw_image(head: &[u8], name: &str) -> bool {
    let at = |i: usize, sig: &[u8]| head.get(i..i + sig.len()) == Some(sig);
    if at(0x8001, b"CD001") || at(0x8001, b"BEA01") {
        return false;
    }
    let boot = at(510, &[0x55, 0xAA]);
    let signature = at(1080, &[0x53, 0xEF]) // ext2/3/4 superblock magic
        || at(3, b"NTFS    ")
        || at(3, b"EXFAT   ")
        || (boot && (at(54, b"FAT12") || at(54, b"FAT16") || at(82, b"FAT32")))
        || at(512, b"EFI PART") // GPT
        || at(512, b"LABELONE") // LVM2
        || at(0, b"XFSB")
        || at(0, b"conectix") // VHD
        || at(0, b"vhdxfile")
        || at(0, b"KDMV") // VMDK sparse extent
        || at(0, b"QFI\xFB") // qcow2
        || (boot && mbr_partitions(head));
    let lower = name.rsplit('!').next().unwrap_or(name).to_ascii_lowercase();
    signature || RAW_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Does a boot sector hold a plausible MBR partition table (boot flags 0x00 or 0x80, and
/// at least one partition type set)?
fn mbr_partitions(head: &[u8]) -> bool {
    let entries = (0..4).filter_map(|k| head.get(446 + 16 * k..462 + 16 * k));
    let mut any = false;
    for e in entries {
        let (flag, kind) = (e.first().copied(), e.get(4).copied());
        if !matches!(flag, Some(0x00 | 0x80)) {
            return false;
        }
        any |= kind.is_some_and(|t| t != 0);
    }
    any
}

/// A region of an image: runs of text close together, counted as one object.
pub(crate) struct Region {
    /// Offset of its first byte in the image.
    pub start: u64,
    /// End of its last run.
    end: u64,
    /// What its runs hold.
    pub tally: Tally,
    /// The encoding of its first run.
    pub encoding: &'static str,
    /// Data rows of the tables carved in it, if any.
    pub records: Option<u64>,
    /// Their columns.
    pub columns: Vec<(String, Category)>,
}

/// How carving reads text: a byte at a time (UTF-8, Shift_JIS, EUC-JP, ISO-2022-JP) or a
/// UTF-16LE code unit at a time.
trait Unit {
    /// Bytes per unit.
    const W: usize;
    /// Can the unit at the start of `u` (`W` bytes) be text?
    fn is_text(u: &[u8]) -> bool;
    /// Bit `j` set when unit `j` of `w` (at most 64 whole units) can be text (branch-free:
    /// runs in random data are short, and a branch per unit mispredicts).
    fn mask(w: &[u8]) -> u64;
    /// The byte offset of the first whole unit of `b` that is text (`want`) or is not.
    fn find(b: &[u8], want: bool) -> Option<usize> {
        b.chunks_exact(Self::W)
            .position(|u| Self::is_text(u) == want)
            .map(|p| p * Self::W)
    }
}

/// Bytes: see [`TEXT`].
struct Bytes;

impl Unit for Bytes {
    const W: usize = 1;
    fn is_text(u: &[u8]) -> bool {
        u.first().is_some_and(|x| TEXT[usize::from(*x)])
    }
    fn find(b: &[u8], want: bool) -> Option<usize> {
        b.iter().position(|x| TEXT[usize::from(*x)] == want)
    }
    #[inline]
    fn mask(w: &[u8]) -> u64 {
        w.iter()
            .take(64)
            .enumerate()
            .fold(0, |m, (j, x)| m | u64::from(TEXT[usize::from(*x)]) << j)
    }
}

/// UTF-16LE code units at even offsets: tab, line ends, printable ASCII, dashes, quotes and
/// ellipsis, the minus sign, CJK punctuation and kana, enclosed and compatibility characters
/// (`㈱`, `㍻`), CJK ideographs (extension A and the main block) and the full- and
/// half-width forms. Other code units
/// end a run (in random data about 45 % of them are text: a run of 64 is never met by chance).
struct Utf16Le;

impl Unit for Utf16Le {
    const W: usize = 2;
    fn is_text(u: &[u8]) -> bool {
        let [a, b] = *u else { return false };
        text16(u16::from_le_bytes([a, b]))
    }
    #[inline]
    fn mask(w: &[u8]) -> u64 {
        w.chunks_exact(2).take(64).enumerate().fold(0, |m, (j, p)| {
            let &[x, y] = p else { return m };
            let u = usize::from(u16::from_le_bytes([x, y]));
            m | TEXT16.get(u >> 6).map_or(0, |t| (t >> (u & 63)) & 1) << j
        })
    }
}

/// [`text16`] for every code unit, a bit each (8 KiB).
static TEXT16: [u64; 1 << 10] = {
    let mut t = [0u64; 1 << 10];
    let mut u = 0usize;
    while u <= 0xFFFF {
        if text16(u as u16) {
            t[u >> 6] |= 1 << (u & 63);
        }
        u += 1;
    }
    t
};

/// The UTF-16 code units of [`Utf16Le`] that may be text.
const fn text16(u: u16) -> bool {
    matches!(
        u,
        0x09 | 0x0A
            | 0x0D
            | 0x20..=0x7E
            | 0x2010..=0x2027
            | 0x2212
            | 0x3000..=0x30FF
            | 0x3200..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xFF01..=0xFF9F
    )
}

/// Reads `src` to its end, calling `emit` with each region of text in a byte encoding
/// (holding personal data or not: the caller filters).
/// `src` reads the image from offset `at` on (0, or a rest point: [`rest_after`]).
pub(crate) fn regions(
    src: &mut dyn Read,
    at: u64,
    cats: CatSet,
    emit: &mut dyn FnMut(Region),
) -> io::Result<()> {
    regions_of::<Bytes>(src, at, cats, emit)
}

/// [`regions`] for UTF-16LE text (Windows files and metadata, memory): a second pass, since
/// the zero bytes of its ASCII end every byte run.
pub(crate) fn regions_utf16(
    src: &mut dyn Read,
    at: u64,
    cats: CatSet,
    emit: &mut dyn FnMut(Region),
) -> io::Result<()> {
    regions_of::<Utf16Le>(src, at, cats, emit)
}

/// Sectors of an image: rest points lie behind a sector of zeros ([`rest_after`]).
pub(crate) const SECTOR: u64 = 512;

// A sector of zeros closes any region before it in either pass.
const _: () = assert!(GAP <= SECTOR && SECTOR.is_multiple_of(2));

/// The first *rest point* at or after `b` (a multiple of [`SECTOR`]) and at most `limit`:
/// the end of the first sector of zeros that ends there or later. `src` reads the image
/// from `b - SECTOR` on. The carving of an image is at rest there: every region before it
/// is closed (the zeros are no text in either pass and as long as [`GAP`]), so what follows
/// is carved alike whether the image is read from its start or from there. (A file being
/// copied out of the image by the spotter of databases may run past it: the spotter tells
/// those, [`crate::sqlite::busy_at`].) Offset 0 is one.
pub(crate) fn rest_after(src: &mut dyn Read, b: u64, limit: u64) -> io::Result<Option<u64>> {
    if b == 0 {
        return Ok(Some(0));
    }
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = b - SECTOR;
    while pos < limit {
        let n = kizuki_core::io::read_full(src, &mut buf)?;
        let whole = n - n % SECTOR as usize;
        if let Some(k) = buf
            .get(..whole)
            .unwrap_or(&[])
            .chunks_exact(SECTOR as usize)
            .position(|s| s.iter().all(|x| *x == 0))
        {
            let y = pos + (k as u64 + 1) * SECTOR;
            return Ok((y <= limit).then_some(y));
        }
        if n < buf.len() {
            return Ok(None);
        }
        pos += n as u64;
    }
    Ok(None)
}

fn regions_of<U: Unit>(
    src: &mut dyn Read,
    at: u64,
    cats: CatSet,
    emit: &mut dyn FnMut(Region),
) -> io::Result<()> {
    let mut src = Blocks {
        inner: src,
        buf: vec![0u8; 1 << 20],
        pos: 0,
        len: 0,
    };
    // A UTF-16 run is handed on behind a byte-order mark, which makes its encoding known.
    let bom: &[u8] = if U::W == 2 { &[0xFF, 0xFE] } else { &[] };
    let mut offset = at;
    let mut region: Option<Region> = None;
    let mut head = vec![0u8; decode::HEAD];
    head[..bom.len()].copy_from_slice(bom);
    loop {
        let (skipped, eof) = skip_to_run::<U>(&mut src)?;
        offset += skipped;
        if let Some(r) = region.take_if(|r| eof || offset - r.end >= GAP) {
            emit(r);
        }
        if eof {
            return Ok(());
        }
        let start = offset;
        let mut run = Run::<U, _> {
            src: &mut src,
            done: false,
            read: 0,
            carry: None,
            unit: std::marker::PhantomData,
        };
        // Into the buffer as it is (no zero-filling per run: most runs are a few bytes).
        let n = kizuki_core::io::read_full(&mut run, &mut head[bom.len()..])?;
        if n < MIN_RUN {
            // The run ended before filling the head: it is all of it.
            offset += run.read;
            continue;
        }
        let text = head.get(..bom.len() + n).unwrap_or(&[]);
        // A byte run often starts with the tail of something else (binary data that happens
        // to be text bytes): cut it when UTF-8 starts right after, so it neither sways the
        // encoding nor sticks to a table's header.
        let k = if bom.is_empty() { utf8_start(text) } else { 0 };
        let reg = region.get_or_insert_with(|| Region {
            start: start + k as u64,
            end: start,
            tally: Tally::new(cats),
            encoding: "",
            records: None,
            columns: Vec::new(),
        });
        // No extension: the content decides between text and table.
        let found = scan_into(
            "",
            text.get(k..).unwrap_or(&[]),
            &mut run,
            &mut reg.tally,
            None,
        )?;
        io::copy(&mut run, &mut io::sink())?;
        offset += run.read;
        reg.end = offset;
        if let Some(f) = found {
            if reg.encoding.is_empty() {
                reg.encoding = f.encoding;
            }
            if let Some(n) = f.records {
                reg.records = Some(reg.records.unwrap_or(0) + n);
            }
            for c in f.columns {
                if !reg.columns.contains(&c) {
                    reg.columns.push(c);
                }
            }
        }
    }
}

/// Bytes at the start of a run that [`utf8_start`] may cut.
const JUNK: usize = 64;

/// Where UTF-8 starts in the head of a run: after the last invalid byte among its first
/// [`JUNK`] bytes when everything after it is UTF-8 (but for a character cut at the end),
/// else 0 (another encoding, or text from the first byte).
fn utf8_start(b: &[u8]) -> usize {
    let mut k = 0;
    loop {
        match std::str::from_utf8(b.get(k..).unwrap_or(&[])) {
            Ok(_) => return k,
            Err(e) => match e.error_len() {
                None => return k,
                Some(len) => {
                    let bad = k + e.valid_up_to();
                    if bad >= JUNK {
                        return 0;
                    }
                    k = bad + len;
                }
            },
        }
    }
}

/// Runs of at least this many units are scanned.
const fn min_units<U: Unit>() -> usize {
    MIN_RUN / U::W
}

/// The unit index where the first run of `b` (whole units) starts that is [`MIN_RUN`]
/// bytes long or reaches the end of `b` (it may go on in the next buffer), if any. Units
/// are classified 64 at a time into a bit mask, without a branch per unit; a run that long
/// crosses a word boundary, so only the run going on from one word into the next is
/// followed. Zero-filled space (most of an empty disk) is passed a word at a time.
fn first_run<U: Unit>(b: &[u8]) -> Option<usize> {
    let units = b.len() / U::W;
    // Text units just before unit `k`.
    let mut cur = 0usize;
    let mut k = 0;
    while k < units {
        if cur == 0 {
            while b
                .get(k * U::W..(k + 64) * U::W)
                .is_some_and(|w| w.iter().all(|x| *x == 0))
            {
                k += 64;
            }
            if k >= units {
                break;
            }
        }
        let n = (units - k).min(64);
        let m = U::mask(b.get(k * U::W..(k + n) * U::W).unwrap_or(&[]));
        let t = (m.trailing_ones() as usize).min(n);
        if cur + t >= min_units::<U>() {
            return Some(k - cur);
        }
        cur = if t == n {
            cur + n
        } else {
            // The run at the word's end (bits below `n` only).
            (m << (64 - n)).leading_ones() as usize
        };
        k += n;
    }
    (cur > 0).then(|| units - cur)
}

/// Skips the units that cannot be text and the runs shorter than [`MIN_RUN`] bytes that
/// lie wholly in the read buffer (most of those in binary data are a few bytes: they are
/// passed over here rather than read through [`Run`]): how many bytes, and whether the
/// input ended. A run reaching the buffer's end is left to [`Run`], which reads across
/// buffers.
fn skip_to_run<U: Unit>(src: &mut impl BufRead) -> io::Result<(u64, bool)> {
    let mut skipped = 0u64;
    loop {
        let buf = src.fill_buf()?;
        // Whole units only ([`Blocks`] fills whole blocks: only the input's end is odd).
        let len = buf.len() - buf.len() % U::W;
        if len == 0 {
            let rest = buf.len();
            src.consume(rest);
            return Ok((skipped + rest as u64, true));
        }
        match first_run::<U>(buf.get(..len).unwrap_or(&[])) {
            Some(k) => {
                src.consume(k * U::W);
                return Ok((skipped + (k * U::W) as u64, false));
            }
            None => {
                src.consume(len);
                skipped += len as u64;
            }
        }
    }
}

/// One run of text units, read through to the first unit that cannot be text (left in the
/// source for [`skip_to_run`]).
struct Run<'a, U, R: BufRead> {
    src: &'a mut R,
    done: bool,
    /// Bytes taken from the source so far.
    read: u64,
    /// The second byte of a unit read into a one-byte buffer.
    carry: Option<u8>,
    unit: std::marker::PhantomData<U>,
}

impl<U: Unit, R: BufRead> Read for Run<'_, U, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Some(first) = out.first_mut() else {
            return Ok(0);
        };
        if let Some(c) = self.carry.take() {
            *first = c;
            return Ok(1);
        }
        if self.done {
            return Ok(0);
        }
        let buf = self.src.fill_buf()?;
        if out.len() < U::W {
            // A buffer smaller than a unit (a reader probing for more input): one byte now,
            // the rest of the unit at the next call.
            let unit = buf.get(..U::W).filter(|u| U::is_text(u));
            let Some(&[a, b]) = unit else {
                self.done = true;
                return Ok(0);
            };
            if let Some(x) = out.first_mut() {
                *x = a;
            }
            self.carry = Some(b);
            self.src.consume(U::W);
            self.read += U::W as u64;
            return Ok(1);
        }
        let most = buf.len().min(out.len());
        let most = most - most % U::W;
        let avail = buf.get(..most).unwrap_or(&[]);
        let n = match U::find(avail, false) {
            Some(i) => {
                self.done = true;
                i
            }
            None if most == 0 => {
                self.done = true;
                0
            }
            None => most,
        };
        if let (Some(dst), Some(from)) = (out.get_mut(..n), buf.get(..n)) {
            dst.copy_from_slice(from);
        }
        self.src.consume(n);
        self.read += n as u64;
        Ok(n)
    }
}

/// A buffered reader whose every refill is a whole block (`read_full`), so that a buffer
/// only ends in the middle of a UTF-16 code unit at the end of the input.
struct Blocks<'a> {
    inner: &'a mut dyn Read,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
}

impl Read for Blocks<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let b = self.fill_buf()?;
        let n = b.len().min(out.len());
        if let (Some(dst), Some(from)) = (out.get_mut(..n), b.get(..n)) {
            dst.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Blocks<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.len {
            self.len = kizuki_core::io::read_full(self.inner, &mut self.buf)?;
            self.pos = 0;
        }
        Ok(self.buf.get(self.pos..self.len).unwrap_or(&[]))
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.len);
    }
}

/// Bytes a [`Tee`] gathers before it hands them on: the second reader lags the first by at
/// most this, times the blocks the channel holds.
const TEE_BLOCK: usize = 1 << 20;

/// A reader that hands a copy of what it reads to a reader on another thread
/// ([`Received`]), so that an image is read (and inflated, when compressed or an EnCase
/// image) once for both passes of the carver. The channel is bounded: this reader waits when
/// the other falls behind, and memory stays at a few blocks whatever the image's size.
pub(crate) struct Tee<'a> {
    inner: Box<dyn Read + 'a>,
    to: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    pending: Vec<u8>,
}

impl<'a> Tee<'a> {
    /// Reads `inner`, handing what it reads to `to` when there is one.
    pub fn new(
        inner: Box<dyn Read + 'a>,
        to: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    ) -> Self {
        Tee {
            inner,
            to,
            pending: Vec::new(),
        }
    }

    fn hand_on(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let block = std::mem::take(&mut self.pending);
        // The other reader stopped: the rest is for this one alone.
        if self.to.as_ref().is_some_and(|tx| tx.send(block).is_err()) {
            self.to = None;
        }
    }

    /// Reads what this reader's user left to its end, for the other reader, and hands it
    /// all on.
    pub fn finish(mut self) -> io::Result<()> {
        if self.to.is_some() {
            io::copy(&mut self, &mut io::sink())?;
        }
        self.hand_on();
        Ok(())
    }
}

impl Read for Tee<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if self.to.is_some() {
            if let Some(read) = out.get(..n) {
                if self.pending.capacity() == 0 {
                    self.pending.reserve_exact(TEE_BLOCK);
                }
                self.pending.extend_from_slice(read);
            }
            if n == 0 || self.pending.len() >= TEE_BLOCK {
                self.hand_on();
            }
        }
        Ok(n)
    }
}

/// The reader of what a [`Tee`] hands on: its end when the tee is dropped.
pub(crate) struct Received {
    rx: std::sync::mpsc::Receiver<Vec<u8>>,
    block: Vec<u8>,
    pos: usize,
}

impl Received {
    pub fn new(rx: std::sync::mpsc::Receiver<Vec<u8>>) -> Self {
        Received {
            rx,
            block: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for Received {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.block.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.block = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let rest = self.block.get(self.pos..).unwrap_or(&[]);
        let n = rest.len().min(out.len());
        if let (Some(dst), Some(from)) = (out.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(from);
        }
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{self, Form};

    /// Regions found in `img`, with the offsets, encodings and counts the caller checks.
    fn carve(img: &[u8]) -> Vec<Region> {
        let mut out = Vec::new();
        let mut r = img;
        regions(&mut r, 0, CatSet::all(), &mut |reg| out.push(reg)).unwrap();
        out
    }

    #[test]
    fn carves_tables_and_text_out_of_binary_data() {
        // Each longer than a decoder chunk: runs are read on across buffers.
        let (csv, truth) = synth::persons_text(7, 8000, Form::Csv);
        assert!(csv.len() > decode::CHUNK);
        let sjis = encoding_rs::SHIFT_JIS.encode(&csv).0.into_owned();
        let mut img = vec![0u8; 8192];
        // Noise that holds no run of 64 text bytes: every 16th byte is a control byte.
        img.extend((0..100_000u32).map(|i| {
            if i % 16 == 0 {
                1
            } else {
                (i * 7 % 251) as u8 + 4
            }
        }));
        // The run starts with noise that is text bytes, the last one no UTF-8.
        img.extend_from_slice(b"\x80ab\xC0");
        let a = img.len() as u64;
        img.extend_from_slice(csv.as_bytes());
        img.resize(img.len() + 4096, 0);
        // Across the reader's 1 MiB blocks: the region must not be cut there.
        img.resize((img.len() + 300).next_multiple_of(1 << 20) - 300, 0);
        let b = img.len() as u64;
        img.extend_from_slice(&sjis);
        img.extend_from_slice(&[0xFF; 3000]);
        let found = carve(&img);
        let found: Vec<_> = found.iter().filter(|r| r.tally.total() > 0).collect();
        assert_eq!(
            found.len(),
            2,
            "{:?}",
            found.iter().map(|r| r.start).collect::<Vec<_>>()
        );
        assert_eq!((found[0].start, found[0].encoding), (a, "UTF-8"));
        assert_eq!((found[1].start, found[1].encoding), (b, "Shift_JIS"));
        for r in &found {
            assert_eq!(r.records, Some(8000));
            for c in [Category::Email, Category::NameKanji, Category::Phone] {
                assert_eq!(r.tally.count(c), truth[&c], "{c:?}");
            }
            assert!(
                r.columns
                    .contains(&("氏名".to_string(), Category::NameKanji)),
                "{:?}",
                r.columns
            );
        }
    }

    #[test]
    fn carves_utf16_text_in_a_second_pass() {
        // Longer than the head (64 KiB) and a decoder chunk: the run is read on through
        // buffers of every size.
        let (text, truth) = synth::persons_text(11, 6000, Form::Text);
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(utf16.len() > 2 * decode::CHUNK);
        let mut img = vec![0u8; 4096];
        img.extend((0..50_000u32).map(|i| {
            if i % 16 == 0 {
                1
            } else {
                (i * 7 % 251) as u8 + 4
            }
        }));
        img.resize(img.len().next_multiple_of(4096), 0);
        let at = img.len() as u64;
        img.extend_from_slice(&utf16);
        img.resize(img.len() + 8192, 0);
        let mut found = Vec::new();
        let mut r = &img[..];
        regions_utf16(&mut r, 0, CatSet::all(), &mut |reg| {
            if reg.tally.total() > 0 {
                found.push(reg);
            }
        })
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].encoding), (at, "UTF-16LE"));
        for (c, n) in &truth {
            assert_eq!(found[0].tally.count(*c), *n, "{c:?}");
        }
        // The byte pass finds none of it (its ASCII has zero bytes).
        let bytes = carve(&img);
        assert!(bytes.iter().all(|r| r.tally.total() == 0));
    }

    #[test]
    fn a_tee_hands_on_everything_in_order() {
        let data: Vec<u8> = (0..3_500_000u32).map(|i| (i * 31 % 253) as u8).collect();
        // The first reader stops early, in small reads: the rest is read for the second.
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let copied = std::thread::scope(|s| {
            let t = s.spawn(|| {
                kizuki_core::io::read_capped(Received::new(rx), 1 << 30)
                    .unwrap()
                    .unwrap()
            });
            let mut tee = Tee::new(Box::new(&data[..]), Some(tx));
            let mut first = vec![0u8; 1000];
            let mut n = 0;
            while n < 300_000 {
                let k = tee.read(&mut first[..(n % 977) + 1]).unwrap();
                assert_eq!(first[..k], data[n..n + k]);
                n += k;
            }
            tee.finish().unwrap();
            t.join().unwrap()
        });
        assert!(copied == data);
        // The second reader gone, the first reads on alone.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        drop(rx);
        let mut tee = Tee::new(Box::new(&data[..]), Some(tx));
        let all = kizuki_core::io::read_capped(&mut tee, 1 << 30)
            .unwrap()
            .unwrap();
        assert!(all == data);
        assert!(tee.to.is_none());
    }

    #[test]
    fn runs_close_together_are_one_region_and_short_ones_are_skipped() {
        let line = "氏名：山田 太郎 連絡先 taro.yamada@example.co.jp 電話 090-1234-5678 〒100-0001 東京都千代田区千代田1-1 生年月日 1980年4月12日\n";
        assert!(line.len() >= MIN_RUN);
        let mut img = Vec::new();
        for _ in 0..3 {
            img.extend_from_slice(line.as_bytes());
            img.extend_from_slice(&[0u8; 100]); // a record header, a page's padding
        }
        img.extend_from_slice(&[0u8; 600]);
        img.extend_from_slice(b"short run: a@example.jp");
        img.extend_from_slice(&[0u8; 600]);
        let found = carve(&img);
        let found: Vec<_> = found.iter().filter(|r| r.tally.total() > 0).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].start, 0);
        assert_eq!(found[0].tally.count(Category::Email), 3);
        assert_eq!(found[0].tally.count(Category::Phone), 3);
        assert_eq!(found[0].records, None);
    }

    /// [`first_run`] as a plain scan: each run in turn, by [`Unit::is_text`].
    fn first_run_reference<U: Unit>(b: &[u8]) -> Option<usize> {
        let units: Vec<bool> = b.chunks_exact(U::W).map(U::is_text).collect();
        let mut k = 0;
        while k < units.len() {
            if !units[k] {
                k += 1;
                continue;
            }
            let n = units[k..].iter().take_while(|t| **t).count();
            if n >= min_units::<U>() || k + n == units.len() {
                return Some(k);
            }
            k += n;
        }
        None
    }

    #[test]
    fn runs_are_found_as_a_plain_scan_finds_them() {
        let mut b = vec![0u8; 1000];
        b.extend_from_slice(&[1, 2, 3]);
        b.push(b'a');
        assert_eq!(first_run::<Bytes>(&b), Some(1003));
        assert_eq!(first_run::<Bytes>(&b[..1003]), None);
        assert_eq!(first_run::<Bytes>(b""), None);
        assert_eq!(first_run::<Utf16Le>(b"\0\0\x01\0a\0"), Some(2));
        // Runs of every length around the word size and the minimum, at every phase.
        let mut rng = kizuki_core::rng::Rng::new(5);
        for _ in 0..3000 {
            let mut b = Vec::new();
            while b.len() < 700 {
                let n = rng.below(200) as usize;
                let text = rng.chance(0.5);
                for _ in 0..n {
                    let x = rng.next_u64() as u8;
                    b.push(match (text, x) {
                        (true, _) => b'a' + x % 26,
                        (false, 0..=127) => 0,
                        (false, _) => 0x01 + x % 8,
                    });
                }
            }
            assert_eq!(
                first_run::<Bytes>(&b),
                first_run_reference::<Bytes>(&b),
                "{b:?}"
            );
            assert_eq!(
                first_run::<Utf16Le>(&b),
                first_run_reference::<Utf16Le>(&b),
                "{b:?}"
            );
        }
    }

    #[test]
    fn utf8_starts_after_the_junk() {
        assert_eq!(utf8_start("氏名,メール".as_bytes()), 0);
        assert_eq!(utf8_start(b"\x80ab\xC0x,y"), 4);
        // Cut at the end of the head: still UTF-8.
        assert_eq!(utf8_start(&"\u{3042}".as_bytes()[..2]), 0);
        // Shift_JIS: invalid UTF-8 past the first bytes too.
        let sjis = encoding_rs::SHIFT_JIS
            .encode(&"山田 太郎,".repeat(20))
            .0
            .into_owned();
        assert_eq!(utf8_start(&sjis), 0);
    }

    #[test]
    fn images_are_known_by_signature_or_name() {
        let mut ext = vec![0u8; 4096];
        ext[1080..1082].copy_from_slice(&[0x53, 0xEF]);
        assert!(is_raw_image(&ext, "sda1"));
        let mut mbr = vec![0u8; 4096];
        mbr[510..512].copy_from_slice(&[0x55, 0xAA]);
        assert!(!is_raw_image(&mbr, "boot"), "no partition");
        mbr[446 + 4] = 0x83;
        assert!(is_raw_image(&mbr, "disk"));
        assert!(is_raw_image(b"", "case.zip!server.DD"));
        assert!(!is_raw_image(b"plain text", "notes.txt"));
        let mut iso = vec![0u8; 0x8010];
        iso[0x8001..0x8006].copy_from_slice(b"CD001");
        assert!(!is_raw_image(&iso, "cd.img"), "ISO 9660: members are read");
    }
}

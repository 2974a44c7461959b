//! Outlook data files (`.pst`, and the `.ost` caches of Exchange mailboxes; MS-PST): the text
//! of the messages, contacts and appointments they hold, and their attachments as files.
//!
//! A mailbox exported to a PST (or left on a laptop as Outlook's OST cache) is where a
//! company's customer lists travel: in mail bodies, in signatures, as attached workbooks. Its
//! data blocks are scrambled by default ("compressible encryption", a byte substitution), so
//! carved as bytes it gives nothing. Read here, at the level of the node database (NDB):
//! - the header gives the format (ANSI: 32-bit ids, Unicode: 64-bit) and how blocks are
//!   encoded (none, permutation, cyclic: MS-PST 5.1);
//! - the block B-tree lists every block still allocated (id, offset, size): it is walked
//!   page by page, and each data block decoded; data trees (XBLOCK, XXBLOCK: a body or an
//!   attachment larger than a block) are joined in order;
//! - a heap-on-node (the properties of a message, a folder, a recipients' or attachments'
//!   table) is cut into its allocations; each allocation that is a string (UTF-16, or 8 bits
//!   in a code page) becomes a line of text: subjects, names and addresses of senders and
//!   recipients, a contact's fields, short bodies;
//! - any other stream is a long body (UTF-16 or 8-bit text: its text), an attachment (a
//!   file), or neither;
//! - the node B-tree lists the mails: through each one's subnodes (SLBLOCK, SIBLOCK) and
//!   property contexts (a B-tree of property records on the heap) come its attachments'
//!   names (`box.pst!subject!file name`; `box.pst!@OFFSET` for data no mail names) and, for
//!   a mail with an HTML body and no plain one, that HTML;
//! - blocks no longer in the B-tree (deleted mails) are found in the free space by their
//!   trailers ([`Deleted`]): the strings only they hold.
//!
//! All of a file's text is counted as one object, so the persons estimate covers the whole
//! mailbox. Not read: HTML and compressed RTF bodies beside a plain one (counting them would
//! count each value two or three times), files encrypted with Windows Information Protection.
//!
//! The OST caches of Outlook 2013 and later (`wVer` 36, no MS-PST of their own) are read
//! too: their B-tree pages are 4 KiB (entries to 4,056, `cEnt` on 2 bytes, a 24-byte
//! trailer), their blocks 512-byte aligned with a 24-byte trailer and up to 64 KiB, each
//! stored deflated when that is smaller (zlib, its inflated size in the block B-tree's entry
//! and the trailer), and a heap id's block index starts at bit 19. As libpff documents them
//! and pstreader reads them; a block is inflated before or after its decoding, whichever
//! inflates to its stated size (the two readers differ in that order).
//!
//! Written by hand: `outlook-pst` (Microsoft, MIT) reads a PST through its folders and
//! messages (Rc-based, with no caps on what a crafted file claims), but has no walk over
//! every block or over the free space, and keeps its block decoding private; the part
//! needed here (header, B-tree pages, block decoding, data trees, heap allocations, subnodes,
//! property records) is MS-PST with our caps. The tests check the files they write, and the
//! block decoding, against `outlook-pst`, and the files of all three formats against libpff
//! (Debian's python3-pypff: it reads their mails' subjects and bodies).
//!
//! Caps: at most [`MAX_BLOCKS`] blocks, B-tree pages at most [`MAX_LEVEL`] deep and each read
//! once (a page met twice is a loop: skipped), a stream at most the caller's cap, all blocks
//! read at most [`READ_FACTOR`] times the file's size, subnodes [`MAX_SUBNODES`] a mail, HTML
//! bodies [`MAX_HTML`] a file. A block whose trailer does not match its B-tree entry is
//! counted as damaged and skipped; one that fails its CRC is read and counted.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Mutex;

use crate::ole::{u16_at, u32_at, u64_at};

/// Most blocks listed in one file (a PST of 50 GB, Outlook's largest, holds about six
/// million of 8 KB): their list takes 24 bytes a block.
pub const MAX_BLOCKS: usize = 1 << 23;
/// Blocks read from a file at most, in bytes: this many times its size (data trees may
/// share blocks, so a crafted file could make each read all the others).
pub const READ_FACTOR: u64 = 4;
/// B-tree pages are at most this many levels above the leaves (MS-PST: `cLevel` <= 8).
pub const MAX_LEVEL: u8 = 8;
/// Pages (and blocks) are stored in 512-byte pages and 64-byte aligned slots; in the 4 KiB
/// format ([`Pst::k4`]), 4,096-byte pages and 512-byte aligned slots.
const PAGE: usize = 512;
const PAGE_4K: usize = 4096;

/// Is this the start of a PST or OST file (`!BDN`, then `SM` or `SO`)?
pub fn is_pst(head: &[u8]) -> bool {
    head.starts_with(b"!BDN") && matches!(head.get(8..10), Some(b"SM" | b"SO"))
}

/// The size of the PST or OST file whose first sector is `head`, if it is a header that
/// says it: a version read here (Unicode or ANSI), its partial CRC right (bytes 8..479, so
/// by accident once in 2^32), and its end (`ibFileEof`) past the header's pages. For a file
/// found in a disk image ([`crate::sqlite::Spotter`]).
pub fn size(head: &[u8]) -> Option<u64> {
    if !is_pst(head) || u32_at(head, 4)? != crc(head.get(8..8 + 471)?) {
        return None;
    }
    let eof = match u16_at(head, 10)? {
        14 | 15 => u64::from(u32_at(head, 168)?),
        23 | 36 => u64_at(head, 184)?,
        _ => return None,
    };
    (eof > 0x4400).then_some(eof)
}

/// Bytes that can be read at any offset: a file, or a file held in memory.
pub trait At {
    /// Reads `buf.len()` bytes at `off`.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<()>;
}

/// A file held in memory.
pub struct Bytes<'a>(pub &'a [u8]);

impl At for Bytes<'_> {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<()> {
        let from = usize::try_from(off).map_err(io::Error::other)?;
        let src = from
            .checked_add(buf.len())
            .and_then(|to| self.0.get(from..to))
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "past the end"))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// A file read at offsets.
pub struct FileAt(Mutex<File>);

impl FileAt {
    /// Reads `file`.
    pub fn new(file: File) -> Self {
        FileAt(Mutex::new(file))
    }
}

impl At for FileAt {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<()> {
        let mut f = self.0.lock().map_err(|_| io::Error::other("poisoned"))?;
        f.seek(SeekFrom::Start(off))?;
        f.read_exact(buf)
    }
}

/// MS-PST 5.1, `mpbbCrypt`: the substitution `R` (its first 256 bytes).
const R: [u8; 256] = [
    0x41, 0x36, 0x13, 0x62, 0xA8, 0x21, 0x6E, 0xBB, 0xF4, 0x16, 0xCC, 0x04, 0x7F, 0x64, 0xE8, 0x5D,
    0x1E, 0xF2, 0xCB, 0x2A, 0x74, 0xC5, 0x5E, 0x35, 0xD2, 0x95, 0x47, 0x9E, 0x96, 0x2D, 0x9A, 0x88,
    0x4C, 0x7D, 0x84, 0x3F, 0xDB, 0xAC, 0x31, 0xB6, 0x48, 0x5F, 0xF6, 0xC4, 0xD8, 0x39, 0x8B, 0xE7,
    0x23, 0x3B, 0x38, 0x8E, 0xC8, 0xC1, 0xDF, 0x25, 0xB1, 0x20, 0xA5, 0x46, 0x60, 0x4E, 0x9C, 0xFB,
    0xAA, 0xD3, 0x56, 0x51, 0x45, 0x7C, 0x55, 0x00, 0x07, 0xC9, 0x2B, 0x9D, 0x85, 0x9B, 0x09, 0xA0,
    0x8F, 0xAD, 0xB3, 0x0F, 0x63, 0xAB, 0x89, 0x4B, 0xD7, 0xA7, 0x15, 0x5A, 0x71, 0x66, 0x42, 0xBF,
    0x26, 0x4A, 0x6B, 0x98, 0xFA, 0xEA, 0x77, 0x53, 0xB2, 0x70, 0x05, 0x2C, 0xFD, 0x59, 0x3A, 0x86,
    0x7E, 0xCE, 0x06, 0xEB, 0x82, 0x78, 0x57, 0xC7, 0x8D, 0x43, 0xAF, 0xB4, 0x1C, 0xD4, 0x5B, 0xCD,
    0xE2, 0xE9, 0x27, 0x4F, 0xC3, 0x08, 0x72, 0x80, 0xCF, 0xB0, 0xEF, 0xF5, 0x28, 0x6D, 0xBE, 0x30,
    0x4D, 0x34, 0x92, 0xD5, 0x0E, 0x3C, 0x22, 0x32, 0xE5, 0xE4, 0xF9, 0x9F, 0xC2, 0xD1, 0x0A, 0x81,
    0x12, 0xE1, 0xEE, 0x91, 0x83, 0x76, 0xE3, 0x97, 0xE6, 0x61, 0x8A, 0x17, 0x79, 0xA4, 0xB7, 0xDC,
    0x90, 0x7A, 0x5C, 0x8C, 0x02, 0xA6, 0xCA, 0x69, 0xDE, 0x50, 0x1A, 0x11, 0x93, 0xB9, 0x52, 0x87,
    0x58, 0xFC, 0xED, 0x1D, 0x37, 0x49, 0x1B, 0x6A, 0xE0, 0x29, 0x33, 0x99, 0xBD, 0x6C, 0xD9, 0x94,
    0xF3, 0x40, 0x54, 0x6F, 0xF0, 0xC6, 0x73, 0xB8, 0xD6, 0x3E, 0x65, 0x18, 0x44, 0x1F, 0xDD, 0x67,
    0x10, 0xF1, 0x0C, 0x19, 0xEC, 0xAE, 0x03, 0xA1, 0x14, 0x7B, 0xA9, 0x0B, 0xFF, 0xF8, 0xA3, 0xC0,
    0xA2, 0x01, 0xF7, 0x2E, 0xBC, 0x24, 0x68, 0x75, 0x0D, 0xFE, 0xBA, 0x2F, 0xB5, 0xD0, 0xDA, 0x3D,
];
/// MS-PST 5.1, `mpbbCrypt`: `S` (the next 256), for the cyclic encoding.
const S: [u8; 256] = [
    0x14, 0x53, 0x0F, 0x56, 0xB3, 0xC8, 0x7A, 0x9C, 0xEB, 0x65, 0x48, 0x17, 0x16, 0x15, 0x9F, 0x02,
    0xCC, 0x54, 0x7C, 0x83, 0x00, 0x0D, 0x0C, 0x0B, 0xA2, 0x62, 0xA8, 0x76, 0xDB, 0xD9, 0xED, 0xC7,
    0xC5, 0xA4, 0xDC, 0xAC, 0x85, 0x74, 0xD6, 0xD0, 0xA7, 0x9B, 0xAE, 0x9A, 0x96, 0x71, 0x66, 0xC3,
    0x63, 0x99, 0xB8, 0xDD, 0x73, 0x92, 0x8E, 0x84, 0x7D, 0xA5, 0x5E, 0xD1, 0x5D, 0x93, 0xB1, 0x57,
    0x51, 0x50, 0x80, 0x89, 0x52, 0x94, 0x4F, 0x4E, 0x0A, 0x6B, 0xBC, 0x8D, 0x7F, 0x6E, 0x47, 0x46,
    0x41, 0x40, 0x44, 0x01, 0x11, 0xCB, 0x03, 0x3F, 0xF7, 0xF4, 0xE1, 0xA9, 0x8F, 0x3C, 0x3A, 0xF9,
    0xFB, 0xF0, 0x19, 0x30, 0x82, 0x09, 0x2E, 0xC9, 0x9D, 0xA0, 0x86, 0x49, 0xEE, 0x6F, 0x4D, 0x6D,
    0xC4, 0x2D, 0x81, 0x34, 0x25, 0x87, 0x1B, 0x88, 0xAA, 0xFC, 0x06, 0xA1, 0x12, 0x38, 0xFD, 0x4C,
    0x42, 0x72, 0x64, 0x13, 0x37, 0x24, 0x6A, 0x75, 0x77, 0x43, 0xFF, 0xE6, 0xB4, 0x4B, 0x36, 0x5C,
    0xE4, 0xD8, 0x35, 0x3D, 0x45, 0xB9, 0x2C, 0xEC, 0xB7, 0x31, 0x2B, 0x29, 0x07, 0x68, 0xA3, 0x0E,
    0x69, 0x7B, 0x18, 0x9E, 0x21, 0x39, 0xBE, 0x28, 0x1A, 0x5B, 0x78, 0xF5, 0x23, 0xCA, 0x2A, 0xB0,
    0xAF, 0x3E, 0xFE, 0x04, 0x8C, 0xE7, 0xE5, 0x98, 0x32, 0x95, 0xD3, 0xF6, 0x4A, 0xE8, 0xA6, 0xEA,
    0xE9, 0xF3, 0xD5, 0x2F, 0x70, 0x20, 0xF2, 0x1F, 0x05, 0x67, 0xAD, 0x55, 0x10, 0xCE, 0xCD, 0xE3,
    0x27, 0x3B, 0xDA, 0xBA, 0xD7, 0xC2, 0x26, 0xD4, 0x91, 0x1D, 0xD2, 0x1C, 0x22, 0x33, 0xF8, 0xFA,
    0xF1, 0x5A, 0xEF, 0xCF, 0x90, 0xB6, 0x8B, 0xB5, 0xBD, 0xC0, 0xBF, 0x08, 0x97, 0x1E, 0x6C, 0xE2,
    0x61, 0xE0, 0xC6, 0xC1, 0x59, 0xAB, 0xBB, 0x58, 0xDE, 0x5F, 0xDF, 0x60, 0x79, 0x7E, 0xB2, 0x8A,
];

/// `I`, the inverse of [`R`] (the last 256 bytes of `mpbbCrypt`), computed.
const I: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[R[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// How data blocks are encoded (`bCryptMethod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crypt {
    /// Stored as they are.
    None,
    /// `NDB_CRYPT_PERMUTE`: each byte through `R` (Outlook's default).
    Permute,
    /// `NDB_CRYPT_CYCLIC`: through `R`, `S` and `I` with a key from the block id.
    Cyclic,
}

/// Decodes (or encodes: the cyclic encoding is its own inverse; the permutation is not)
/// the data of the block with id `bid`.
pub fn decode(crypt: Crypt, bid: u64, data: &mut [u8]) {
    match crypt {
        Crypt::None => {}
        Crypt::Permute => data.iter_mut().for_each(|b| *b = I[usize::from(*b)]),
        Crypt::Cyclic => cyclic(data, (bid & !1) as u32),
    }
}

/// Encodes data for a block with id `bid` (the writer of the tests).
pub fn encode(crypt: Crypt, bid: u64, data: &mut [u8]) {
    match crypt {
        Crypt::Permute => data.iter_mut().for_each(|b| *b = R[usize::from(*b)]),
        _ => decode(crypt, bid, data),
    }
}

/// MS-PST 5.2: the cyclic encoding, keyed by the low 32 bits of the block id.
fn cyclic(data: &mut [u8], key: u32) {
    let mut k = (key ^ (key >> 16)) as u16;
    for b in data.iter_mut() {
        let [lo, hi] = k.to_le_bytes();
        let mut x = b.wrapping_add(lo);
        x = R[usize::from(x)].wrapping_add(hi);
        x = S[usize::from(x)].wrapping_sub(hi);
        *b = I[usize::from(x)].wrapping_sub(lo);
        k = k.wrapping_add(1);
    }
}

/// The CRC of MS-PST 5.3: CRC-32 without its two inversions.
pub fn crc(data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(!0);
    h.update(data);
    !h.finalize()
}

/// A block as the block B-tree lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Block {
    bid: u64,
    ib: u64,
    cb: u16,
    /// Its data's size inflated, in the 4 KiB format (0 elsewhere, or when the B-tree's
    /// entry does not say).
    inflated: u16,
}

impl Block {
    /// Internal blocks (data trees, subnode trees) are never encoded.
    fn internal(&self) -> bool {
        self.bid & 2 != 0
    }
}

/// An Outlook data file opened: its block B-tree read.
pub struct Pst<'a> {
    src: &'a dyn At,
    unicode: bool,
    /// The 4 KiB format of the OSTs of Outlook 2013 and later.
    k4: bool,
    crypt: Crypt,
    /// The offset of the node B-tree's root page.
    nbt: u64,
    /// Every block, by id (bit 0, reserved, cleared).
    blocks: Vec<Block>,
    /// Blocks that are parts of a data tree (read through it, not alone), sorted.
    parts: Vec<u64>,
    /// Pages and blocks that could not be read (damaged, or not what the B-tree says).
    damaged: std::cell::Cell<u64>,
    /// Bytes of blocks that may still be read ([`READ_FACTOR`]).
    budget: std::cell::Cell<u64>,
}

impl<'a> Pst<'a> {
    /// Reads the header and the block B-tree of `src`.
    pub fn open(src: &'a dyn At, len: u64) -> Result<Self, String> {
        let mut h = vec![0u8; 564.min(usize::try_from(len).unwrap_or(564))];
        src.read_at(0, &mut h).map_err(|e| e.to_string())?;
        if !is_pst(&h) {
            return Err("not an Outlook data file".into());
        }
        let (unicode, k4) = match u16_at(&h, 10) {
            Some(14 | 15) => (false, false),
            Some(23) => (true, false),
            Some(36) => (true, true),
            v => return Err(format!("unknown format version {v:?}")),
        };
        let (crypt_at, bbt_at) = if unicode { (513, 240) } else { (461, 196) };
        let crypt = match h.get(crypt_at) {
            Some(0) => Crypt::None,
            Some(1) => Crypt::Permute,
            Some(2) => Crypt::Cyclic,
            Some(0x10) => {
                return Err("encrypted by Windows Information Protection: not read".into());
            }
            m => return Err(format!("unknown block encoding {m:?}")),
        };
        // The node B-tree's root page comes just before the block B-tree's.
        let id_at = |at: usize| {
            if unicode {
                u64_at(&h, at)
            } else {
                u32_at(&h, at).map(u64::from)
            }
        };
        let root = id_at(bbt_at).ok_or("cut header")?;
        let nbt = id_at(bbt_at - if unicode { 16 } else { 8 }).ok_or("cut header")?;
        let mut pst = Pst {
            src,
            unicode,
            k4,
            crypt,
            nbt,
            blocks: Vec::new(),
            parts: Vec::new(),
            damaged: std::cell::Cell::new(0),
            budget: std::cell::Cell::new(len.saturating_mul(READ_FACTOR).max(1 << 20)),
        };
        pst.walk(root, len)?;
        pst.find_parts();
        Ok(pst)
    }

    /// [`Pst::open`] of a file found in a disk image by its header: an error too when no block
    /// is found (its B-tree's pages are not where the header says: a fragmented file).
    pub fn open_found(src: &'a dyn At, len: u64) -> Result<Self, String> {
        let pst = Pst::open(src, len)?;
        if pst.blocks() == 0 {
            return Err(format!("no block found; damaged pages: {}", pst.damaged()));
        }
        Ok(pst)
    }

    /// `UTF-16LE` for a Unicode file, else the strings' code page is detected per string.
    pub fn unicode(&self) -> bool {
        self.unicode
    }

    /// The 4 KiB format of the OSTs of Outlook 2013 and later (blocks may be deflated)?
    pub fn k4(&self) -> bool {
        self.k4
    }

    /// How its data blocks are encoded.
    pub fn crypt(&self) -> Crypt {
        self.crypt
    }

    /// Blocks listed in the B-tree.
    pub fn blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Pages and blocks skipped as damaged so far.
    pub fn damaged(&self) -> u64 {
        self.damaged.get()
    }

    /// Did reading stop at the budget of [`READ_FACTOR`] times the file's size?
    pub fn exhausted(&self) -> bool {
        self.budget.get() < self.max_slot() as u64
    }

    /// A block's trailer's size and the alignment of its slot.
    fn slots(&self) -> (usize, usize) {
        match (self.k4, self.unicode) {
            (true, _) => (24, 512),
            (false, true) => (16, 64),
            (false, false) => (12, 64),
        }
    }

    /// The largest slot a block takes.
    fn max_slot(&self) -> usize {
        let (t, align) = self.slots();
        (if self.k4 { MAX_BLOCK_4K } else { MAX_BLOCK } + t).div_ceil(align) * align
    }

    fn hurt(&self) {
        self.damaged.set(self.damaged.get() + 1);
    }

    /// Ids are 8 bytes in a Unicode file, 4 in an ANSI one.
    fn id(&self, b: &[u8], i: usize) -> Option<u64> {
        if self.unicode {
            u64_at(b, i)
        } else {
            u32_at(b, i).map(u64::from)
        }
    }

    fn id_size(&self) -> usize {
        if self.unicode { 8 } else { 4 }
    }

    /// Walks the block B-tree from the page at `root`, each page once.
    fn walk(&mut self, root: u64, len: u64) -> Result<(), String> {
        let w = self.id_size();
        let mut blocks = Vec::new();
        let k4 = self.k4;
        self.pages(root, len, 0x80, 2 * w + 2, &mut |e| {
            if let (Some(bid), Some(ib), Some(cb)) =
                (self.id(e, 0), self.id(e, w), u16_at(e, 2 * w))
            {
                blocks.push(Block {
                    bid: bid & !1,
                    ib,
                    cb,
                    // `cbInflated` follows `cb` in the 4 KiB format's entries.
                    inflated: if k4 {
                        u16_at(e, 2 * w + 2).unwrap_or(0)
                    } else {
                        0
                    },
                });
            }
            blocks.len() <= MAX_BLOCKS
        })?;
        blocks.sort_unstable_by_key(|b| b.bid);
        blocks.dedup_by_key(|b| b.bid);
        self.blocks = blocks;
        Ok(())
    }

    /// Walks the B-tree of pages of type `ptype` (0x80 blocks, 0x81 nodes) from the page at
    /// `root`, each page once, calling `leaf` with each leaf entry (of `leaf_min` bytes at
    /// least) until it says stop (an error: too many entries).
    fn pages(
        &self,
        root: u64,
        len: u64,
        ptype: u8,
        leaf_min: usize,
        leaf: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), String> {
        let w = self.id_size();
        // Entries end where `cEnt` is (one byte, two in the 4 KiB format, then `cEntMax`
        // as long, `cbEnt`, `cLevel`); the page trailer starts at `trailer`.
        let (size, ents, trailer, wide) = match (self.k4, self.unicode) {
            (true, _) => (PAGE_4K, 4056, 4072, 2),
            (false, true) => (PAGE, 488, 496, 1),
            (false, false) => (PAGE, 496, 500, 1),
        };
        let mut seen = HashSet::new();
        let mut todo = vec![(root, None::<u8>)];
        let mut page = vec![0u8; size];
        while let Some((ib, level)) = todo.pop() {
            if !seen.insert(ib)
                || ib.checked_add(size as u64).is_none_or(|e| e > len)
                || self.src.read_at(ib, &mut page).is_err()
            {
                self.hurt();
                continue;
            }
            let c_ent = if wide == 2 {
                u16_at(&page, ents)
            } else {
                page.get(ents).map(|&c| u16::from(c))
            };
            let (Some(c_ent), Some(&cb_ent), Some(&lvl)) = (
                c_ent,
                page.get(ents + 2 * wide),
                page.get(ents + 2 * wide + 1),
            ) else {
                continue;
            };
            let (c_ent, cb_ent) = (usize::from(c_ent), usize::from(cb_ent));
            if page.get(trailer..trailer + 2) != Some(&[ptype, ptype])
                || level.is_some_and(|l| l != lvl)
                || lvl > MAX_LEVEL
                || c_ent * cb_ent > ents
                || cb_ent < if lvl == 0 { leaf_min } else { 3 * w }
            {
                self.hurt();
                continue;
            }
            for e in page
                .get(..c_ent * cb_ent)
                .unwrap_or(&[])
                .chunks_exact(cb_ent)
            {
                if lvl == 0 {
                    if !leaf(e) {
                        return Err(format!("more than {MAX_BLOCKS} entries in a B-tree"));
                    }
                } else if let Some(child) = self.id(e, 2 * w) {
                    todo.push((child, Some(lvl - 1)));
                }
            }
        }
        Ok(())
    }

    fn find(&self, bid: u64) -> Option<Block> {
        let bid = bid & !1;
        self.blocks
            .binary_search_by_key(&bid, |b| b.bid)
            .ok()
            .and_then(|i| self.blocks.get(i).copied())
    }

    /// The offsets of the blocks in the B-tree, sorted (to tell the blocks that are not).
    fn live_offsets(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.blocks.iter().map(|b| b.ib).collect();
        v.sort_unstable();
        v
    }

    /// Reads and decodes one block; `None` (counted as damaged) when its trailer does not
    /// match the B-tree's entry.
    fn read(&self, b: Block) -> Option<Vec<u8>> {
        let (t, align) = self.slots();
        let slot = (usize::from(b.cb) + t).div_ceil(align) * align;
        let left = self.budget.get();
        if left < slot as u64 {
            return None;
        }
        self.budget.set(left - slot as u64);
        let mut buf = vec![0u8; slot];
        let ok = self.src.read_at(b.ib, &mut buf).is_ok()
            && u16_at(&buf, slot - t) == Some(b.cb)
            && self
                .id(&buf, slot - t + if self.unicode { 8 } else { 4 })
                .is_some_and(|id| id & !1 == b.bid);
        if !ok {
            self.hurt();
            return None;
        }
        let crc = u32_at(&buf, slot - t + if self.unicode { 4 } else { 8 });
        // The 4 KiB format's trailer says the inflated size too (after 2 bytes of 2).
        let inflated = match (self.k4, b.inflated) {
            (false, _) => 0,
            (true, 0) => u16_at(&buf, slot - t + 18).unwrap_or(0),
            (true, n) => n,
        };
        buf.truncate(usize::from(b.cb));
        // A block whose CRC fails is read all the same (its text may be whole), and told.
        if crc != Some(self::crc(&buf)) {
            self.hurt();
        }
        let crypt = if b.internal() {
            Crypt::None
        } else {
            self.crypt
        };
        if inflated != 0 && inflated != b.cb {
            let data = inflate(crypt, b.bid, buf, usize::from(inflated));
            if data.is_none() {
                self.hurt();
            }
            return data;
        }
        decode(crypt, b.bid, &mut buf);
        Some(buf)
    }

    /// The children of a data tree block (XBLOCK: data blocks; XXBLOCK: XBLOCKs), if it is one.
    fn children(&self, data: &[u8]) -> Option<(u8, Vec<u64>)> {
        if data.first() != Some(&1) {
            return None;
        }
        let level = *data.get(1)?;
        let n = usize::from(u16_at(data, 2)?);
        let w = self.id_size();
        let ids = data.get(8..8 + n * w)?;
        let ids = ids.chunks_exact(w).filter_map(|c| self.id(c, 0)).collect();
        matches!(level, 1 | 2).then_some((level, ids))
    }

    /// Marks the blocks read through data trees.
    fn find_parts(&mut self) {
        let mut parts = Vec::new();
        for b in self.blocks.iter().filter(|b| b.internal()) {
            let Some((level, ids)) = self.read(*b).and_then(|d| self.children(&d)) else {
                continue;
            };
            for id in ids {
                parts.push(id & !1);
                if level == 2
                    && let Some(x) = self.find(id).and_then(|c| self.read(c))
                    && let Some((1, leaves)) = self.children(&x)
                {
                    parts.extend(leaves.into_iter().map(|l| l & !1));
                }
            }
        }
        parts.sort_unstable();
        parts.dedup();
        self.parts = parts;
    }

    /// The streams of data, in the order of their first block's id: each a block alone, or
    /// the leaves of a data tree in order.
    pub fn streams(&self) -> impl Iterator<Item = Stream> + '_ {
        self.blocks
            .iter()
            .filter(|b| self.parts.binary_search(&b.bid).is_err())
            .map(|b| Stream::of(*b))
    }

    /// The leaf blocks of `s`, read and decoded, until `cap` bytes: calls `each` with each
    /// (false from `each` stops). A tree that is no data tree (a subnode tree) gives nothing.
    pub fn each_block(&self, s: &Stream, cap: u64, each: &mut dyn FnMut(&[u8]) -> bool) {
        if !s.tree {
            if let Some(d) = self.read(s.first) {
                each(&d);
            }
            return;
        }
        let Some((level, ids)) = self.read(s.first).and_then(|d| self.children(&d)) else {
            return;
        };
        let mut read = 0u64;
        let mut leaf = |id: u64| -> bool {
            let Some(d) = self.find(id).and_then(|b| self.read(b)) else {
                return true;
            };
            read += d.len() as u64;
            read <= cap && each(&d)
        };
        for id in ids {
            let go = if level == 1 {
                leaf(id)
            } else {
                match self
                    .find(id)
                    .and_then(|b| self.read(b))
                    .and_then(|x| self.children(&x))
                {
                    Some((1, leaves)) => leaves.into_iter().all(&mut leaf),
                    _ => {
                        self.hurt();
                        true
                    }
                }
            };
            if !go {
                return;
            }
        }
    }

    /// All of stream `s`, at most `cap` bytes.
    pub fn read_stream(&self, s: &Stream, cap: u64) -> Vec<u8> {
        let mut all = Vec::new();
        self.each_block(s, cap, &mut |d| {
            all.extend_from_slice(d);
            true
        });
        all
    }
}

/// What the mails of a PST say of their attachments ([`Pst::attachments`]).
#[derive(Debug, Default)]
pub struct Attachments {
    /// The stream that holds an attachment's bytes (by the id of its first block) -> the
    /// attachment's path in the file: `subject!file name`.
    pub named: std::collections::HashMap<u64, String>,
    /// Attachments small enough to be kept in their property context: path, bytes.
    pub inline: Vec<(String, Vec<u8>)>,
    /// The HTML bodies of the mails that have no plain body (decoded), at most
    /// [`MAX_HTML`] bytes of them.
    pub html: Vec<String>,
    /// The text of the compressed RTF bodies of the mails that have neither a plain nor an
    /// HTML body (within [`MAX_HTML`] with the HTML bodies).
    pub rtf: Vec<String>,
    /// Were HTML or RTF bodies left out at [`MAX_HTML`]?
    pub html_capped: bool,
    /// The sender (address, lower case) of the mail each attachment came with, by the
    /// attachment's path (`subject!file name`).
    pub senders: std::collections::HashMap<String, String>,
    /// The password candidates the mails without attachments carry (`パスワード：…`: the
    /// second mail of a PPAP pair), by sender ([`crate::mail::keep_passwords`]).
    pub passwords: std::collections::HashMap<String, Vec<String>>,
}

/// Most bytes of one plain body read for its password candidates.
const MAX_BODY: u64 = 1 << 20;

/// Most bytes of HTML and RTF bodies (of mails without a plain one) held for one file.
pub const MAX_HTML: usize = 64 << 20;

/// Most subnodes read from one message (its recipients, attachments and large values).
pub const MAX_SUBNODES: usize = 4096;

/// The heap of a node (its blocks), for its property context; the bit where a heap id's
/// block index starts (16; 19 in the 4 KiB format, three bits of flags before it).
struct Heap(Vec<Vec<u8>>, u32);

impl Heap {
    /// The allocation that a heap id (HID: its block and its index, MS-PST 2.3.1.1) names.
    fn hid(&self, hid: u32) -> Option<&[u8]> {
        if hid & 0x1F != 0 {
            return None;
        }
        let k = usize::try_from((hid >> 5) & 0x7FF).ok()?.checked_sub(1)?;
        allocations(self.0.get(usize::try_from(hid >> self.1).ok()?)?).nth(k)
    }

    /// The records of its property context (MS-PST 2.3.3): id, type, value or where it is.
    fn props(&self) -> Vec<(u16, u16, u32)> {
        let Some(first) = self.0.first() else {
            return Vec::new();
        };
        if first.get(2..4) != Some(&[0xEC, 0xBC]) {
            return Vec::new();
        }
        let Some(bth) = u32_at(first, 4).and_then(|h| self.hid(h)) else {
            return Vec::new();
        };
        // A B-tree of 2-byte keys and 6-byte records, on one level (a mail's or an
        // attachment's properties fit).
        if bth.get(..4) != Some(&[0xB5, 2, 6, 0]) {
            return Vec::new();
        }
        let Some(recs) = u32_at(bth, 4).and_then(|h| self.hid(h)) else {
            return Vec::new();
        };
        recs.chunks_exact(8)
            .filter_map(|r| Some((u16_at(r, 0)?, u16_at(r, 2)?, u32_at(r, 4)?)))
            .collect()
    }
}

impl Pst<'_> {
    /// The blocks of the stream that starts with block `bid`, at most 64 (a heap's).
    fn heap(&self, bid: u64) -> Heap {
        let mut blocks = Vec::new();
        if let Some(b) = self.find(bid) {
            let s = Stream::of(b);
            self.each_block(&s, MAX_TEXT, &mut |d| {
                blocks.push(d.to_vec());
                blocks.len() < 64
            });
        }
        Heap(blocks, if self.k4 { 19 } else { 16 })
    }

    /// The subnodes `(nid, data, subnodes)` of the subnode tree at `bid` (SLBLOCK, or an
    /// SIBLOCK of them: MS-PST 2.2.2.8.3.3).
    fn subnodes(&self, bid: u64, depth: u8, out: &mut Vec<(u32, u64, u64)>) {
        let Some(d) = self
            .find(bid)
            .filter(Block::internal)
            .and_then(|b| self.read(b))
        else {
            return;
        };
        if d.first() != Some(&2) {
            return;
        }
        let (w, start) = if self.unicode { (8, 8) } else { (4, 4) };
        let n = u16_at(&d, 2).map_or(0, usize::from);
        let level = d.get(1).copied();
        let size = if level == Some(0) { 3 * w } else { 2 * w };
        for e in d.get(start..).unwrap_or(&[]).chunks_exact(size).take(n) {
            if out.len() >= MAX_SUBNODES {
                return;
            }
            match (level, self.id(e, 0), self.id(e, w)) {
                (Some(0), Some(nid), Some(data)) => {
                    out.push((nid as u32, data, self.id(e, 2 * w).unwrap_or(0)));
                }
                (Some(1), _, Some(child)) if depth > 0 => self.subnodes(child, depth - 1, out),
                _ => {}
            }
        }
    }

    /// A string property's value in the heap.
    fn string(&self, h: &Heap, props: &[(u16, u16, u32)], id: u16) -> Option<String> {
        let (_, kind, hid) = props.iter().find(|p| p.0 == id)?;
        let b = h.hid(*hid)?;
        match kind {
            0x001F => Some(
                encoding_rs::UTF_16LE
                    .decode_without_bom_handling(b)
                    .0
                    .into_owned(),
            ),
            // (A subject's prefix marker is two control bytes: dropped, as `clean` drops
            // control characters from UTF-16.)
            0x001E => {
                let b: Vec<u8> = b.iter().copied().filter(|x| *x >= 0x20).collect();
                bytes8(&b, true).map(|(t, _)| t)
            }
            _ => None,
        }
    }

    /// The attachments of the mails listed in the node B-tree: their names, from each
    /// mail's subject and each attachment's file name (MS-PST 2.4.6: a message's
    /// subnodes, its attachments' property contexts, their data's subnode).
    pub fn attachments(&self, len: u64) -> Attachments {
        let mut found = Attachments::default();
        let w = self.id_size();
        let mut mails = Vec::new();
        // Node entries: nid, data, subnodes, parent. Mails: types 0x04 and 0x08 (hidden).
        let _ = self.pages(self.nbt, len, 0x81, 3 * w + 4, &mut |e| {
            if let (Some(nid), Some(data), Some(sub)) =
                (self.id(e, 0), self.id(e, w), self.id(e, 2 * w))
                && matches!(nid & 0x1F, 0x04 | 0x08)
            {
                mails.push((data, sub));
            }
            mails.len() <= MAX_BLOCKS
        });
        let clean = |t: &str| -> String {
            let t: String = t
                .chars()
                .filter(|c| !c.is_control())
                .map(|c| {
                    if matches!(c, '/' | '\\' | '!') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            t.trim().to_string()
        };
        let mut html_bytes = 0usize;
        for (data, sub) in mails {
            let mut subs = Vec::new();
            if sub != 0 {
                self.subnodes(sub, 1, &mut subs);
            }
            let heap = self.heap(data);
            let props = heap.props();
            // A mail with no plain body (PidTagBody): its HTML body is its text, else its
            // compressed RTF body's (PidTagRtfCompressed).
            let binary = |id: u16| -> Option<Vec<u8>> {
                let (_, kind, hnid) = props.iter().find(|p| p.0 == id).copied()?;
                if kind != 0x0102 {
                    return None;
                }
                if hnid & 0x1F == 0 {
                    return heap.hid(hnid).map(<[u8]>::to_vec);
                }
                let b = subs
                    .iter()
                    .find(|s| s.0 == hnid)
                    .and_then(|s| self.find(s.1))?;
                let st = Stream::of(b);
                Some(self.read_stream(&st, MAX_TEXT))
            };
            // The text of a mail without a plain body (its HTML's, tags dropped, or its RTF's),
            // for the password a PPAP mail carries.
            let mut other_text: Option<String> = None;
            if !props.iter().any(|p| p.0 == 0x1000) {
                let body = match binary(0x1013) {
                    Some(b) => Some((true, b)),
                    None => binary(0x1009).map(|b| (false, b)),
                };
                if let Some((html, b)) = body {
                    if html_bytes + b.len() > MAX_HTML {
                        found.html_capped = true;
                    } else if html {
                        html_bytes += b.len();
                        let page = html_text(&b, &props);
                        other_text = Some(without_tags(&page));
                        found.html.push(page);
                    } else if let Ok(rtf) = crate::msg::decompress(&b, MAX_TEXT) {
                        html_bytes += rtf.len();
                        let cap = usize::try_from(MAX_TEXT).unwrap_or(usize::MAX);
                        let text = crate::rtf::read(&rtf, cap).text;
                        other_text = Some(text.clone());
                        found.rtf.push(text);
                    }
                }
            }
            // The sender: its SMTP address (PidTagSenderSmtpAddress), else its address
            // (PidTagSenderEmailAddress, PidTagSentRepresentingEmailAddress).
            let sender = [0x5D01, 0x0C1F, 0x0065]
                .iter()
                .find_map(|id| self.string(&heap, &props, *id))
                .map(|a| a.trim().to_ascii_lowercase())
                .filter(|a| !a.is_empty());
            if !subs.iter().any(|s| s.0 & 0x1F == 0x05) {
                // A mail without attachments may carry the password of one with them.
                if let Some(from) = sender
                    && let Some(body) = self.body(&heap, &props, &subs).or(other_text)
                {
                    let cands = kizuki_mail::content::password_candidates(&body);
                    crate::mail::keep_passwords(&mut found.passwords, from, cands);
                }
                continue;
            }
            let subject = self
                .string(&heap, &props, 0x0037)
                .map(|t| clean(&t))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "(no subject)".into());
            for (k, (_, att, att_sub)) in subs.iter().filter(|s| s.0 & 0x1F == 0x05).enumerate() {
                let h = self.heap(*att);
                let props = h.props();
                let name = [0x3707, 0x3704]
                    .iter()
                    .find_map(|id| self.string(&h, &props, *id))
                    .map(|t| clean(&t))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| format!("attachment{}", k + 1));
                let path = format!("{subject}!{name}");
                if let Some(from) = &sender {
                    found.senders.insert(path.clone(), from.clone());
                }
                let Some((_, 0x0102, hnid)) = props.iter().find(|p| p.0 == 0x3701).copied() else {
                    continue;
                };
                if hnid & 0x1F == 0 {
                    if let Some(b) = h.hid(hnid) {
                        found.inline.push((path, b.to_vec()));
                    }
                    continue;
                }
                let mut inner = Vec::new();
                self.subnodes(*att_sub, 1, &mut inner);
                if let Some((_, bid, _)) = inner.iter().find(|s| s.0 == hnid) {
                    found.named.insert(bid & !1, path);
                }
            }
        }
        found
    }

    /// A mail's plain body (PidTagBody), in its heap or, when long, in a subnode of
    /// `subs`; at most [`MAX_BODY`] bytes of it.
    fn body(
        &self,
        heap: &Heap,
        props: &[(u16, u16, u32)],
        subs: &[(u32, u64, u64)],
    ) -> Option<String> {
        let (_, kind, hnid) = props.iter().find(|p| p.0 == 0x1000).copied()?;
        let b: Vec<u8> = if hnid & 0x1F == 0 {
            heap.hid(hnid)?.to_vec()
        } else {
            let b = subs
                .iter()
                .find(|s| s.0 == hnid)
                .and_then(|s| self.find(s.1))?;
            self.read_stream(&Stream::of(b), MAX_BODY)
        };
        match kind {
            0x001F => Some(
                encoding_rs::UTF_16LE
                    .decode_without_bom_handling(&b)
                    .0
                    .into_owned(),
            ),
            0x001E => bytes8(&b, true).map(|(t, _)| t),
            _ => None,
        }
    }

    /// Is `a` read as a string by [`Text`] (then it counts in the file's text already)?
    pub fn is_string(&self, a: &[u8]) -> bool {
        utf16(a).is_some() || bytes8(a, !self.unicode).is_some()
    }
}

/// An HTML body's text: in the mail's Internet code page (PidTagInternetCodepage, a 4-byte
/// value kept in its record), else the page's declared charset, else detected.
fn html_text(b: &[u8], props: &[(u16, u16, u32)]) -> String {
    let head = b.get(..b.len().min(crate::decode::HEAD)).unwrap_or(&[]);
    let enc = props
        .iter()
        .find(|p| p.0 == 0x3FDE && p.1 == 0x0003)
        .and_then(|p| codepage::to_encoding(u16::try_from(p.2).ok()?))
        .or_else(|| crate::decode::html_declared(head))
        .or_else(|| crate::decode::detect(head))
        .unwrap_or(encoding_rs::UTF_8);
    enc.decode_without_bom_handling(b).0.into_owned()
}

/// An HTML page's text for its password candidates: each tag a line break (`<p>パスワード：
/// x</p>` gives `パスワード：x` on its own line), the common entities decoded.
fn without_tags(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push('\n');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A stream of data in a PST: a block, or a data tree.
#[derive(Clone, Copy, Debug)]
pub struct Stream {
    first: Block,
    tree: bool,
}

impl Stream {
    /// The stream that starts with block `b`: a data tree when it is internal.
    fn of(b: Block) -> Self {
        Stream {
            first: b,
            tree: b.internal(),
        }
    }

    /// The offset of its first block in the file.
    pub fn offset(&self) -> u64 {
        self.first.ib
    }

    /// The id of its first block.
    pub fn id(&self) -> u64 {
        self.first.bid
    }
}

/// Most bytes of a body read as text (longer bodies are cut there).
pub const MAX_TEXT: u64 = 64 << 20;

/// The text of a PST, a line per string, read as UTF-8 ([`Read`]); the streams that hold
/// files are put aside in [`Text::files`] as they are met.
pub struct Text<'p, 'a> {
    pst: &'p Pst<'a>,
    streams: Box<dyn Iterator<Item = Stream> + 'p>,
    cap: u64,
    buf: Vec<u8>,
    pos: usize,
    /// Streams that are files (attachments), to be read as files.
    pub files: Vec<Stream>,
    /// The encoding of the strings in a code page, when one was met (`Shift_JIS`).
    pub code_page: Option<&'static str>,
    /// The strings read.
    pub seen: Seen,
}

impl<'p, 'a> Text<'p, 'a> {
    /// The text of `pst`, streams read up to `cap` bytes (and bodies up to [`MAX_TEXT`]).
    pub fn new(pst: &'p Pst<'a>, cap: u64) -> Self {
        Text {
            pst,
            streams: Box::new(pst.streams()),
            cap,
            buf: Vec::new(),
            pos: 0,
            files: Vec::new(),
            code_page: None,
            seen: Seen::default(),
        }
    }

    /// The encoding to report: UTF-16 for a Unicode file, else its code page's.
    pub fn encoding(&self) -> &'static str {
        match (self.pst.unicode, self.code_page) {
            (true, _) => "UTF-16LE",
            (false, Some(e)) => e,
            (false, None) => "UTF-8",
        }
    }

    /// Puts the text of stream `s` in the buffer.
    fn fill(&mut self, s: Stream) {
        let pst = self.pst;
        let unicode = pst.unicode;
        let mut heap = None;
        let mut file = false;
        let mut whole = Vec::new();
        let (buf, code_page, seen) = (&mut self.buf, &mut self.code_page, &mut self.seen);
        pst.each_block(&s, self.cap.min(MAX_TEXT), &mut |d| {
            let in_heap = *heap.get_or_insert_with(|| is_heap(d));
            if in_heap {
                // (A small HTML or RTF body is kept in the heap: skipped as a large one is.)
                for a in allocations(d).filter(|a| !markup(a)) {
                    push_string(a, unicode, buf, code_page, seen, false);
                }
                return true;
            }
            if whole.is_empty() {
                let skip = markup(d);
                if skip || is_file(d, unicode) {
                    file = !skip;
                    return false;
                }
            }
            whole.extend_from_slice(d);
            true
        });
        if file {
            self.files.push(s);
        } else if !whole.is_empty() {
            push_string(&whole, unicode, buf, code_page, seen, false);
        }
    }
}

impl Read for Text<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            let Some(s) = self.streams.next() else {
                return Ok(0);
            };
            self.fill(s);
        }
        Ok(give(&self.buf, &mut self.pos, out))
    }
}

/// Copies what is left of `buf` from `pos` into `out`, as much as fits; moves `pos` on.
fn give(buf: &[u8], pos: &mut usize, out: &mut [u8]) -> usize {
    let rest = buf.get(*pos..).unwrap_or(&[]);
    let n = rest.len().min(out.len());
    if let (Some(o), Some(r)) = (out.get_mut(..n), rest.get(..n)) {
        o.copy_from_slice(r);
    }
    *pos += n;
    n
}

/// Does block `d` start a heap-on-node (`bSig` 0xEC, its page map inside it)?
fn is_heap(d: &[u8]) -> bool {
    d.get(2) == Some(&0xEC) && u16_at(d, 0).is_some_and(|m| usize::from(m) < d.len())
}

/// The allocations of one block of a heap-on-node (MS-PST 2.3.1): its page map, at the
/// offset its first two bytes give, lists where each starts.
fn allocations(d: &[u8]) -> impl Iterator<Item = &[u8]> {
    let map = u16_at(d, 0).map_or(0, usize::from);
    let n = u16_at(d, map).map_or(0, usize::from);
    (0..n).filter_map(move |k| {
        let a = usize::from(u16_at(d, map + 4 + 2 * k)?);
        let b = usize::from(u16_at(d, map + 6 + 2 * k)?);
        (a <= b && b <= map).then(|| d.get(a..b)).flatten()
    })
}

/// Is the block that starts a stream (not a heap) a file: an attachment, or a value that
/// is no text? In a Unicode file a body is UTF-16: anything else is read as a file (a CSV
/// attachment in Shift_JIS, a workbook, an image). In an ANSI file bodies are in its code
/// page: only what is known as no text (a document, an archive) is.
fn is_file(d: &[u8], unicode: bool) -> bool {
    use kizuki_files::sniff::FileType as T;
    if unicode {
        let head = d.get(..d.len().min(512) & !1).unwrap_or(&[]);
        return utf16(head).is_none();
    }
    !matches!(
        kizuki_files::sniff::sniff(d, ""),
        T::Text | T::Unknown | T::Html | T::Script
    )
}

/// An HTML body or a compressed RTF one (`LZFu`, `MELA` at offset 8): the plain body holds
/// the same text.
fn markup(d: &[u8]) -> bool {
    matches!(d.get(8..12), Some(b"LZFu" | b"MELA"))
        || kizuki_files::sniff::sniff(d, "") == kizuki_files::sniff::FileType::Html
}

/// Data blocks whose place is free: no longer in the B-tree (a mail deleted, and emptied
/// from the Deleted Items; the old version of a mail saved again), their bytes left until
/// the space is reused. Found by their trailers, at every 64-byte boundary past the header:
/// a size of at most 8,192 bytes, the signature of its offset and id, and the CRC of its
/// data must all hold (one chance in 2^48 by accident). Read as [`Text`] reads blocks: a
/// heap's strings, a text block's text, a line each (a body longer than a block comes in
/// pieces; attachments, which need their other blocks, are not read); a string that the
/// live blocks hold too (an older version of a mail saved again, of a folder) is left out,
/// and each is given once: what is left is what the file holds only in its free space.
pub struct Deleted<'p, 'a> {
    pst: &'p Pst<'a>,
    len: u64,
    live: Vec<u64>,
    /// The next end of a slot to try.
    end: u64,
    window: Vec<u8>,
    buf: Vec<u8>,
    pos: usize,
    code_page: Option<&'static str>,
    /// The strings of the live blocks, and those given.
    seen: Seen,
    /// Blocks found.
    pub blocks: u64,
}

/// The largest block data (as stored: 64 KiB in the 4 KiB format).
const MAX_BLOCK: usize = 8192;
const MAX_BLOCK_4K: usize = 65536;
/// Where blocks may start: past the header and the first allocation map (MS-PST 2.2.2.7).
const FIRST_BLOCK: u64 = 0x4400;

impl<'p, 'a> Deleted<'p, 'a> {
    /// The deleted blocks of `pst` (a file of `len` bytes): the strings in them that are
    /// not in `seen` (those of its live blocks, [`Text::seen`]), each once.
    pub fn new(pst: &'p Pst<'a>, len: u64, seen: Seen) -> Self {
        Deleted {
            pst,
            len,
            live: pst.live_offsets(),
            end: FIRST_BLOCK + pst.slots().1 as u64,
            window: Vec::new(),
            buf: Vec::new(),
            pos: 0,
            code_page: None,
            seen,
            blocks: 0,
        }
    }

    /// Tries the slot ends of the next window (1 MiB, and the largest slot before it).
    fn fill(&mut self) -> bool {
        if self.end > self.len {
            return false;
        }
        let pst = self.pst;
        let (t, align) = pst.slots();
        let step = align as u64;
        let max = if pst.k4 { MAX_BLOCK_4K } else { MAX_BLOCK };
        let from = self
            .end
            .saturating_sub(pst.max_slot() as u64)
            .max(FIRST_BLOCK);
        let to = (self.end + (1 << 20)).min(self.len);
        self.window
            .resize(usize::try_from(to - from).unwrap_or(0), 0);
        if pst.src.read_at(from, &mut self.window).is_err() {
            pst.hurt();
            self.end = self.len + 1;
            return true;
        }
        let w = &self.window;
        let mut e = self.end;
        while e <= to {
            let at = |x: u64| usize::try_from(x - from).unwrap_or(usize::MAX);
            let tr = w.get(at(e).saturating_sub(t)..at(e)).unwrap_or(&[]);
            e += step;
            let (Some(cb), Some(sig), Some(bid), Some(crc)) = (
                u16_at(tr, 0),
                u16_at(tr, 2),
                pst.id(tr, if pst.unicode { 8 } else { 4 }),
                u32_at(tr, if pst.unicode { 4 } else { 8 }),
            ) else {
                continue;
            };
            let inflated = if pst.k4 {
                u16_at(tr, 18).unwrap_or(0)
            } else {
                0
            };
            let cb16 = cb;
            let cb = usize::from(cb);
            if cb == 0 || cb > max || bid & 2 != 0 {
                continue;
            }
            let slot = (cb + t).div_ceil(align) * align;
            let Some(ib) = (e - step).checked_sub(slot as u64) else {
                continue;
            };
            if ib < from || sig != super_sig(ib, bid) || self.live.binary_search(&ib).is_ok() {
                continue;
            }
            let Some(data) = w.get(at(ib)..at(ib) + cb) else {
                continue;
            };
            if crc != self::crc(data) {
                continue;
            }
            let mut d = data.to_vec();
            if inflated != 0 && inflated != cb16 {
                match inflate(pst.crypt, bid & !1, d, usize::from(inflated)) {
                    Some(x) => d = x,
                    None => continue,
                }
            } else {
                decode(pst.crypt, bid & !1, &mut d);
            }
            self.blocks += 1;
            let heap = is_heap(&d);
            if heap {
                for a in allocations(&d).filter(|a| !markup(a)) {
                    let (b, c, s) = (&mut self.buf, &mut self.code_page, &mut self.seen);
                    push_string(a, pst.unicode, b, c, s, true);
                }
            } else {
                let (b, c, s) = (&mut self.buf, &mut self.code_page, &mut self.seen);
                push_string(&d, pst.unicode, b, c, s, true);
            }
        }
        self.end = e;
        true
    }
}

impl Read for Deleted<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if !self.fill() {
                return Ok(0);
            }
        }
        Ok(give(&self.buf, &mut self.pos, out))
    }
}

/// The data of a deflated block (of the 4 KiB format) inflated to its `size` bytes and
/// decoded; `None` when it does not inflate to that size. libpff inflates the stored bytes,
/// then decodes them; pstreader decodes, then inflates: the first order that gives the
/// stated size is taken (with no encoding, one).
fn inflate(crypt: Crypt, bid: u64, stored: Vec<u8>, size: usize) -> Option<Vec<u8>> {
    // One inflater a thread, reset for each block (a block is at most 64 KiB: inflated into
    // a buffer of its stated size and one byte more, which a longer stream fills).
    thread_local! {
        static Z: std::cell::RefCell<flate2::Decompress> =
            std::cell::RefCell::new(flate2::Decompress::new(true));
    }
    let unzip = |d: &[u8]| -> Option<Vec<u8>> {
        Z.with(|z| {
            let mut z = z.borrow_mut();
            z.reset(true);
            let mut out = Vec::with_capacity(size + 1);
            let st = z
                .decompress_vec(d, &mut out, flate2::FlushDecompress::Finish)
                .ok()?;
            (st == flate2::Status::StreamEnd && out.len() == size).then_some(out)
        })
    };
    if let Some(mut out) = unzip(&stored) {
        decode(crypt, bid, &mut out);
        return Some(out);
    }
    if crypt == Crypt::None {
        return None;
    }
    let mut d = stored;
    decode(crypt, bid, &mut d);
    unzip(&d)
}

/// The signature of a block or page at `ib` with id `bid` (MS-PST 5.5).
fn super_sig(ib: u64, bid: u64) -> u16 {
    let x = ib ^ bid;
    ((x >> 16) as u16) ^ (x as u16)
}

/// Adds `a` as a line when it is a string: in a Unicode file UTF-16, else UTF-8; in an ANSI
/// file 8 bits in its code page, else UTF-16. (The order matters: ASCII of an even length
/// reads as UTF-16 ideographs, and `山田` in UTF-16 is the ASCII `q\\0u`.)
///
/// Each string is recorded in `seen`; with `only_new`, one met before is left out.
fn push_string(
    a: &[u8],
    unicode: bool,
    buf: &mut Vec<u8>,
    code_page: &mut Option<&'static str>,
    seen: &mut Seen,
    only_new: bool,
) {
    let mut eight = || {
        let (t, enc) = bytes8(a, !unicode)?;
        if enc != "UTF-8" {
            code_page.get_or_insert(enc);
        }
        Some(t)
    };
    let text = if unicode {
        utf16(a).or_else(eight)
    } else {
        eight().or_else(|| utf16(a))
    };
    if let Some(t) = text
        && (seen.insert(&t) || !only_new)
    {
        buf.extend_from_slice(t.as_bytes());
        buf.push(b'\n');
    }
}

/// Most strings remembered (by a 64-bit hash each: about 64 MB).
pub const MAX_SEEN: usize = 1 << 22;

/// The strings met in a file's live blocks, by a hash of each: [`Deleted`] leaves them out,
/// so that what it gives is what the file holds only in its free space.
#[derive(Debug, Default)]
pub struct Seen(HashSet<u64>);

impl Seen {
    /// Records `t`; true when it was not met before (beyond [`MAX_SEEN`] strings, those not
    /// recorded are all new).
    fn insert(&mut self, t: &str) -> bool {
        let h = crate::tally::hash_bytes(t.as_bytes(), false);
        if self.0.contains(&h) {
            return false;
        }
        if self.0.len() < MAX_SEEN {
            self.0.insert(h);
        }
        true
    }
}

/// A character of text: what strings hold, not what binary values decode to.
const fn texty(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r'
            | ' '..='~'
            | '\u{A0}'..='\u{2FF}'
            | '\u{2010}'..='\u{206F}'
            | '\u{2100}'..='\u{27BF}'
            | '\u{3000}'..='\u{30FF}'
            | '\u{3200}'..='\u{33FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF01}'..='\u{FFEF}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

/// Text of which at most one character in twenty is not [`texty`] (none in a short one).
fn mostly_text(s: &str, chars: usize, bad: usize) -> bool {
    chars >= 2
        && (bad == 0 || chars >= 32 && bad * 20 <= chars)
        && s.chars().any(|c| !c.is_whitespace())
}

/// [`texty`] for each UTF-16 code unit, a bit each (8 KiB); surrogates count as text (an
/// unpaired one decodes to U+FFFD, which [`mostly_text`] then sees).
static TEXTY16: [u64; 1 << 10] = {
    let mut t = [0u64; 1 << 10];
    let mut u = 0u32;
    while u <= 0xFFFF {
        let ok = match char::from_u32(u) {
            Some(c) => texty(c),
            None => true,
        };
        if ok {
            t[(u >> 6) as usize] |= 1 << (u & 63);
        }
        u += 1;
    }
    t
};

/// `a` as UTF-16LE text (trailing NULs dropped): checked unit by unit through
/// [`TEXTY16`] (a short string has no unit that is no text, a long one few), then decoded.
fn utf16(a: &[u8]) -> Option<String> {
    if !a.len().is_multiple_of(2) {
        return None;
    }
    let mut a = a;
    while let Some(rest) = a.strip_suffix(&[0, 0]) {
        a = rest;
    }
    let n = a.len() / 2;
    let (mut bad, mut surrogates) = (0usize, 0usize);
    for (i, p) in a.chunks_exact(2).enumerate() {
        let u = usize::from(u16::from_le_bytes([
            p.first().copied()?,
            p.get(1).copied()?,
        ]));
        surrogates += usize::from(u & 0xF800 == 0xD800);
        if TEXTY16.get(u >> 6).is_none_or(|t| (t >> (u & 63)) & 1 == 0) {
            bad += 1;
            if n < 32 || bad * 20 > i + 400 {
                return None;
            }
        }
    }
    let s = encoding_rs::UTF_16LE
        .decode_without_bom_handling(a)
        .0
        .into_owned();
    // Without surrogates, a unit a character; with them, count what they decoded to.
    let (chars, bad) = if surrogates == 0 {
        (n, bad)
    } else {
        let lost = s
            .chars()
            .filter(|c| *c == char::REPLACEMENT_CHARACTER)
            .count();
        (s.chars().count(), bad + lost)
    };
    mostly_text(&s, chars, bad).then_some(s)
}

/// `a` as 8-bit text: UTF-8 (ASCII), or, with `code_page`, ISO-2022-JP, Shift_JIS or EUC-JP
/// when it decodes without error in one of them. Gives the encoding's name.
fn bytes8(a: &[u8], code_page: bool) -> Option<(String, &'static str)> {
    let mut a = a;
    while let Some(rest) = a.strip_suffix(&[0]) {
        a = rest;
    }
    if a.len() < 3
        || a.iter()
            .any(|b| matches!(b, 0..=8 | 0x0B | 0x0C | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F | 0xFF))
    {
        return None;
    }
    let s = if let Ok(s) = std::str::from_utf8(a) {
        if a.contains(&0x1B) {
            encoding_rs::ISO_2022_JP
                .decode_without_bom_handling_and_without_replacement(a)
                .map(|t| (t.into_owned(), "ISO-2022-JP"))
        } else {
            Some((s.to_string(), "UTF-8"))
        }
    } else if code_page {
        [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP]
            .iter()
            .find_map(|e| {
                e.decode_without_bom_handling_and_without_replacement(a)
                    .map(|t| (t.into_owned(), e.name()))
            })
    } else {
        None
    }?;
    let (n, bad) =
        s.0.chars()
            .fold((0, 0), |(n, b), c| (n + 1, b + usize::from(!texty(c))));
    mostly_text(&s.0, n, bad).then_some(s)
}

/// Writes PST files for the tests and the benchmark: no folders or messages (nothing here
/// reads them), but the node database Outlook's readers check (header and page CRCs, page
/// and block signatures, the block B-tree in levels, encoded data blocks, data trees).
pub mod write {
    use super::{Crypt, crc, encode, super_sig as sig};

    /// What to write.
    pub struct Spec {
        /// Unicode (64-bit ids), else ANSI.
        pub unicode: bool,
        /// The 4 KiB format of Outlook 2013's OSTs (Unicode): 4 KiB pages, 512-byte slots,
        /// each block's data deflated (zlib) when that makes it smaller.
        pub k4: bool,
        /// How data blocks are encoded.
        pub crypt: Crypt,
        /// Heaps, each the allocations of one block (at most ~8 KB in all).
        pub heaps: Vec<Vec<Vec<u8>>>,
        /// Streams of data: a block each, or a data tree of blocks of `block` bytes.
        pub streams: Vec<Vec<u8>>,
        /// Largest data block (8,176 in Outlook's files; smaller to make trees of trees).
        pub block: usize,
        /// Heaps written after the others but left out of the B-tree: mails deleted.
        pub deleted: Vec<Vec<Vec<u8>>>,
        /// The first data tree's root written again this many times, its parts shared (as a
        /// crafted file could, to make each tree read them all).
        pub again: usize,
        /// Mails as message objects (listed in the node B-tree, with their subject and
        /// their attachments' names and data), read to name the attachments.
        pub mails: Vec<Mail>,
    }

    /// A mail of [`Spec::mails`].
    #[derive(Clone, Debug, Default)]
    pub struct Mail {
        /// Its subject.
        pub subject: String,
        /// Its attachments: file name, data.
        pub attachments: Vec<(String, Vec<u8>)>,
        /// Its plain body (PidTagBody), in its property context.
        pub body: Option<String>,
        /// Its sender's address (PidTagSenderEmailAddress), in its property context.
        pub sender: Option<String>,
        /// Its HTML body (PidTagHtml, UTF-8), in its heap up to 3,580 bytes, else in a
        /// subnode.
        pub html: Option<String>,
        /// Its compressed RTF body (PidTagRtfCompressed: the bytes as they are), in its heap.
        pub rtf: Option<Vec<u8>>,
    }

    struct Out {
        file: Vec<u8>,
        unicode: bool,
        k4: bool,
        next: u64,
        /// (bid, ib, cb, inflated size) of each block written.
        bbt: Vec<(u64, u64, u16, u16)>,
        /// The last block written.
        written: Option<(u64, u64, u16, u16)>,
        /// The children, level and size of the last data tree's root, and of the first.
        root: Option<(Vec<u64>, u8, usize)>,
        first: Option<(Vec<u64>, u8, usize)>,
    }

    impl Out {
        fn id(&self, v: &mut Vec<u8>, x: u64) {
            if self.unicode {
                v.extend_from_slice(&x.to_le_bytes());
            } else {
                v.extend_from_slice(&(x as u32).to_le_bytes());
            }
        }

        /// Writes a block; gives its id.
        fn block(&mut self, data: &[u8], internal: bool, crypt: Crypt) -> u64 {
            let bid = self.unlisted(data, internal, crypt);
            if let Some(b) = self.written.take() {
                self.bbt.push(b);
            }
            bid
        }

        /// Writes a block left out of the B-tree (its place free); gives its id.
        fn unlisted(&mut self, data: &[u8], internal: bool, crypt: Crypt) -> u64 {
            self.next += 1;
            let bid = (self.next << 2) | if internal { 2 } else { 0 };
            let mut d = data.to_vec();
            if !internal {
                encode(crypt, bid, &mut d);
            }
            let inflated = d.len() as u16;
            if self.k4 {
                // Encoded, then deflated (libpff's order) when that is smaller.
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                let _ = std::io::Write::write_all(&mut z, &d);
                if let Ok(z) = z.finish()
                    && z.len() < d.len()
                {
                    d = z;
                }
            }
            let ib = self.file.len() as u64;
            let (t, align) = match (self.k4, self.unicode) {
                (true, _) => (24, 512),
                (false, true) => (16, 64),
                (false, false) => (12, 64),
            };
            let slot = (d.len() + t).div_ceil(align) * align;
            let mut b = d.clone();
            b.resize(slot - t, 0);
            b.extend_from_slice(&(d.len() as u16).to_le_bytes());
            b.extend_from_slice(&sig(ib, bid).to_le_bytes());
            if self.unicode {
                b.extend_from_slice(&crc(&d).to_le_bytes());
                b.extend_from_slice(&bid.to_le_bytes());
            } else {
                b.extend_from_slice(&(bid as u32).to_le_bytes());
                b.extend_from_slice(&crc(&d).to_le_bytes());
            }
            if self.k4 {
                b.extend_from_slice(&2u16.to_le_bytes());
                b.extend_from_slice(&inflated.to_le_bytes());
                b.extend_from_slice(&[0; 4]);
            }
            self.file.extend_from_slice(&b);
            self.written = Some((bid, ib, d.len() as u16, inflated));
            bid
        }

        /// Writes a B-tree page of `entries` (each `size` bytes) at `level`; gives its offset.
        fn page(
            &mut self,
            ptype: u8,
            level: u8,
            size: usize,
            entries: &[Vec<u8>],
            pid: u64,
        ) -> u64 {
            let page = if self.k4 { 4096 } else { 512 };
            while !self.file.len().is_multiple_of(page) {
                self.file.push(0);
            }
            let ib = self.file.len() as u64;
            let mut p = vec![0u8; page];
            for (i, e) in entries.iter().enumerate() {
                p[i * size..i * size + e.len()].copy_from_slice(e);
            }
            if self.k4 {
                // `cEnt`, `cEntMax` on two bytes, `cbEnt`, `cLevel`, padding, the trailer.
                p[4056..4058].copy_from_slice(&(entries.len() as u16).to_le_bytes());
                p[4058..4060].copy_from_slice(&((4056 / size) as u16).to_le_bytes());
                p[4060] = size as u8;
                p[4061] = level;
                p[4072] = ptype;
                p[4073] = ptype;
                p[4074..4076].copy_from_slice(&sig(ib, pid).to_le_bytes());
                let c = crc(&p[..4072]);
                p[4076..4080].copy_from_slice(&c.to_le_bytes());
                p[4080..4088].copy_from_slice(&pid.to_le_bytes());
                self.file.extend_from_slice(&p);
                return ib;
            }
            let (ents, tr) = if self.unicode { (488, 496) } else { (496, 500) };
            p[ents] = entries.len() as u8;
            p[ents + 1] = (ents / size) as u8;
            p[ents + 2] = size as u8;
            p[ents + 3] = level;
            p[tr] = ptype;
            p[tr + 1] = ptype;
            p[tr + 2..tr + 4].copy_from_slice(&sig(ib, pid).to_le_bytes());
            if self.unicode {
                let c = crc(&p[..496]);
                p[500..504].copy_from_slice(&c.to_le_bytes());
                p[504..512].copy_from_slice(&pid.to_le_bytes());
            } else {
                let c = crc(&p[..500]);
                p[504..508].copy_from_slice(&(pid as u32).to_le_bytes());
                p[508..512].copy_from_slice(&c.to_le_bytes());
            }
            self.file.extend_from_slice(&p);
            ib
        }

        /// A subnode block (SLBLOCK) of `(nid, data, subnodes)` entries.
        fn slblock(&self, entries: &[(u32, u64, u64)]) -> Vec<u8> {
            let mut b = vec![2, 0];
            b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
            if self.unicode {
                b.extend_from_slice(&[0; 4]);
            }
            for (nid, data, sub) in entries {
                self.id(&mut b, u64::from(*nid));
                self.id(&mut b, *data);
                self.id(&mut b, *sub);
            }
            b
        }

        /// Writes a mail as a message: its attachments' data, property contexts and subnode
        /// blocks, then its own; gives its node's `(nid, data, subnodes)`.
        fn mail(&mut self, i: usize, m: &Mail, crypt: Crypt, block: usize) -> (u32, u64, u64) {
            let unicode = self.unicode;
            let s = |t: &str| -> Vec<u8> {
                if unicode {
                    t.encode_utf16().flat_map(u16::to_le_bytes).collect()
                } else {
                    encoding_rs::SHIFT_JIS.encode(t).0.into_owned()
                }
            };
            let string = if self.unicode { 0x001F } else { 0x001E };
            let mut subnodes = Vec::new();
            for (j, (name, data)) in m.attachments.iter().enumerate() {
                // Up to 3,580 bytes in the heap, as Outlook keeps them; larger in a subnode
                // (an id of type NID_TYPE_LTP, 0x1F) of their own.
                let (value, att_sl) = if data.len() <= 3580 {
                    (Value::Heap(data.clone()), 0)
                } else {
                    let data_root = self.stream(data, crypt, block);
                    let data_nid = (0x100 << 5) | 0x1F;
                    let sl = self.slblock(&[(data_nid, data_root, 0)]);
                    (Value::Node(data_nid), self.block(&sl, true, crypt))
                };
                let att = pc(&mut [
                    (0x3701, 0x0102, value),
                    (0x3707, string, Value::Heap(s(name))),
                ]);
                let att_pc = self.block(&att, false, crypt);
                subnodes.push((((j as u32 + 1) << 5) | 0x05, att_pc, att_sl));
            }
            let mut props = vec![(0x0037, string, Value::Heap(s(&m.subject)))];
            if let Some(b) = &m.body {
                props.push((0x1000, string, Value::Heap(s(b))));
            }
            if let Some(a) = &m.sender {
                props.push((0x0C1F, string, Value::Heap(s(a))));
            }
            if let Some(h) = &m.html {
                if h.len() <= 3580 {
                    props.push((0x1013, 0x0102, Value::Heap(h.clone().into_bytes())));
                } else {
                    let root = self.stream(h.as_bytes(), crypt, block);
                    let nid = (0x200 << 5) | 0x1F;
                    subnodes.push((nid, root, 0));
                    props.push((0x1013, 0x0102, Value::Node(nid)));
                }
            }
            if let Some(r) = &m.rtf {
                props.push((0x1009, 0x0102, Value::Heap(r.clone())));
            }
            let sl = self.slblock(&subnodes);
            let msg_sl = self.block(&sl, true, crypt);
            let msg = pc(&mut props);
            let msg_pc = self.block(&msg, false, crypt);
            ((((0x1000 + i) as u32) << 5) | 0x04, msg_pc, msg_sl)
        }

        /// Writes the B-tree of pages of type `ptype` over `leaves` (key, entry of `size`
        /// bytes), leaves up; gives its root page's offset and id.
        fn tree(
            &mut self,
            ptype: u8,
            size: usize,
            leaves: &[(u64, Vec<u8>)],
            pid: &mut u64,
        ) -> (u64, u64) {
            let ents = match (self.k4, self.unicode) {
                (true, _) => 4056,
                (false, true) => 488,
                (false, false) => 496,
            };
            let int_size = if self.unicode { 24 } else { 12 };
            let mut level: Vec<(u64, u64, u64)> = Vec::new(); // (first key, ib, pid)
            for chunk in leaves.chunks(ents / size) {
                let es: Vec<Vec<u8>> = chunk.iter().map(|(_, e)| e.clone()).collect();
                *pid += 1;
                let ib = self.page(ptype, 0, size, &es, *pid);
                level.push((chunk.first().map_or(0, |c| c.0), ib, *pid));
            }
            if level.is_empty() {
                *pid += 1;
                return (self.page(ptype, 0, size, &[], *pid), *pid);
            }
            let mut lvl = 0u8;
            while level.len() > 1 {
                lvl += 1;
                let mut up = Vec::new();
                for chunk in level.chunks(ents / int_size) {
                    let es: Vec<Vec<u8>> = chunk
                        .iter()
                        .map(|(key, ib, p)| {
                            let mut e = Vec::new();
                            self.id(&mut e, *key);
                            self.id(&mut e, *p);
                            self.id(&mut e, *ib);
                            e
                        })
                        .collect();
                    *pid += 1;
                    let ib = self.page(ptype, lvl, int_size, &es, *pid);
                    up.push((chunk.first().map_or(0, |c| c.0), ib, *pid));
                }
                level = up;
            }
            level.first().map_or((0, 0), |l| (l.1, l.2))
        }

        /// Writes `data` as one block or a data tree; gives the id of its root.
        fn stream(&mut self, data: &[u8], crypt: Crypt, block: usize) -> u64 {
            if data.len() <= block {
                return self.block(data, false, crypt);
            }
            let leaves: Vec<u64> = data
                .chunks(block)
                .map(|c| self.block(c, false, crypt))
                .collect();
            let w = if self.unicode { 8 } else { 4 };
            let per = (block - 8) / w;
            let xblock = |o: &mut Out, ids: &[u64], level: u8, total: usize| {
                let mut x = vec![1, level];
                x.extend_from_slice(&(ids.len() as u16).to_le_bytes());
                x.extend_from_slice(&(total as u32).to_le_bytes());
                for id in ids {
                    o.id(&mut x, *id);
                }
                o.block(&x, true, crypt)
            };
            if leaves.len() <= per {
                self.root = Some((leaves.clone(), 1, data.len()));
                return xblock(self, &leaves, 1, data.len());
            }
            let xs: Vec<u64> = leaves
                .chunks(per)
                .zip(data.chunks(per * block))
                .map(|(ids, d)| xblock(self, ids, 1, d.len()))
                .collect();
            self.root = Some((xs.clone(), 2, data.len()));
            xblock(self, &xs, 2, data.len())
        }

        /// The root of the first data tree written again (its children shared).
        fn again(&mut self, crypt: Crypt) {
            let Some((ids, level, total)) = self.first.clone() else {
                return;
            };
            let mut x = vec![1, level];
            x.extend_from_slice(&(ids.len() as u16).to_le_bytes());
            x.extend_from_slice(&(total as u32).to_le_bytes());
            for id in &ids {
                self.id(&mut x, *id);
            }
            self.block(&x, true, crypt);
        }
    }

    /// A property's value: bytes in the heap, or the id of a subnode holding them.
    enum Value {
        Heap(Vec<u8>),
        Node(u32),
    }

    /// A property context: its B-tree header (first allocation, the heap's user root), its
    /// records sorted by property id, then the values kept in the heap.
    fn pc(props: &mut [(u16, u16, Value)]) -> Vec<u8> {
        props.sort_by_key(|p| p.0);
        let mut records = Vec::new();
        let mut values = Vec::new();
        for (id, kind, v) in props.iter() {
            records.extend_from_slice(&id.to_le_bytes());
            records.extend_from_slice(&kind.to_le_bytes());
            let hnid = match v {
                Value::Heap(b) => {
                    values.push(b.clone());
                    ((values.len() as u32) + 2) << 5
                }
                Value::Node(nid) => *nid,
            };
            records.extend_from_slice(&hnid.to_le_bytes());
        }
        let mut allocs = vec![vec![0xB5, 2, 6, 0, 0x40, 0, 0, 0], records];
        allocs.extend(values);
        heap(&allocs)
    }

    /// A heap-on-node block holding `allocs` (a property context's header first).
    pub fn heap(allocs: &[Vec<u8>]) -> Vec<u8> {
        let mut d = vec![0u8; 12];
        d[2] = 0xEC;
        d[3] = 0xBC;
        // hidUserRoot: the first allocation (a property context's B-tree header).
        d[4] = 0x20;
        let mut offs = vec![12u16];
        for a in allocs {
            d.extend_from_slice(a);
            offs.push(d.len() as u16);
        }
        if !d.len().is_multiple_of(2) {
            d.push(0);
        }
        let map = d.len() as u16;
        d[0..2].copy_from_slice(&map.to_le_bytes());
        d.extend_from_slice(&(allocs.len() as u16).to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        for o in offs {
            d.extend_from_slice(&o.to_le_bytes());
        }
        d
    }

    /// A mailbox of a support desk, a mail from each person of `csv` (the columns of
    /// [`crate::synth::persons_text`]'s CSV: name, reading, romaji, sex, birth date, e-mail,
    /// postal code, address, phone…): its heap (subject, the sender's name and address, a
    /// date's 8 bytes, the desk's name and address) and its body (the person's name,
    /// address and phone, then 300 lines of courtesy, so it spans blocks). Strings in UTF-16,
    /// or Shift_JIS for an ANSI file; blocks encoded as Outlook does by default.
    pub fn mailbox(csv: &str, unicode: bool) -> Spec {
        let s = |t: &str| -> Vec<u8> {
            if unicode {
                t.encode_utf16().flat_map(u16::to_le_bytes).collect()
            } else {
                encoding_rs::SHIFT_JIS.encode(t).0.into_owned()
            }
        };
        let (mut heaps, mut streams) = (Vec::new(), Vec::new());
        for (i, line) in csv.lines().skip(1).enumerate() {
            let r: Vec<&str> = line.split(',').collect();
            let f = |k: usize| r.get(k).copied().unwrap_or("");
            let (name, email, postal, address, phone) = (f(0), f(5), f(6), f(7), f(8));
            heaps.push(vec![
                vec![0xB5, 2, 6, 0, 0x20, 0, 0, 0],
                s("お問い合わせの件"),
                s(name),
                s(email),
                (0x01DA_5E3C_0000_0000u64 + i as u64 * 977)
                    .to_le_bytes()
                    .to_vec(),
                s("サポート窓口"),
                s("support@example.co.jp"),
            ]);
            streams.push(s(&format!(
                "{name} 様\r\n\r\nいつもご利用ありがとうございます。\r\nご登録の内容は次のとおりです。\r\n\r\nお名前：{name}\r\nご住所：〒{postal} {address}\r\nお電話：{phone}\r\n\r\n{}",
                "今後ともよろしくお願いいたします。\r\n".repeat(300)
            )));
        }
        Spec {
            unicode,
            k4: false,
            crypt: Crypt::Permute,
            heaps,
            streams,
            block: 8176,
            deleted: Vec::new(),
            again: 0,
            mails: Vec::new(),
        }
    }

    /// The file.
    pub fn file(spec: &Spec) -> Vec<u8> {
        let unicode = spec.unicode || spec.k4;
        let mut o = Out {
            file: vec![0u8; 0x4400],
            unicode,
            k4: spec.k4,
            next: 0,
            bbt: Vec::new(),
            written: None,
            root: None,
            first: None,
        };
        for h in &spec.heaps {
            o.block(&heap(h), false, spec.crypt);
        }
        for s in &spec.streams {
            o.stream(s, spec.crypt, spec.block);
            if o.first.is_none() {
                o.first = o.root.take();
            }
        }
        for _ in 0..spec.again {
            o.again(spec.crypt);
        }
        for h in &spec.deleted {
            o.unlisted(&heap(h), false, spec.crypt);
        }
        let nodes: Vec<(u32, u64, u64)> = spec
            .mails
            .iter()
            .enumerate()
            .map(|(i, m)| o.mail(i, m, spec.crypt, spec.block))
            .collect();
        let mut pid = 0x1000u64;
        // The block B-tree: (bid, ib, cb, cRef).
        let mut bbt = std::mem::take(&mut o.bbt);
        bbt.sort_unstable();
        let leaves: Vec<(u64, Vec<u8>)> = bbt
            .iter()
            .map(|(bid, ib, cb, inflated)| {
                let mut e = Vec::new();
                o.id(&mut e, *bid);
                o.id(&mut e, *ib);
                e.extend_from_slice(&cb.to_le_bytes());
                if spec.k4 {
                    e.extend_from_slice(&inflated.to_le_bytes());
                }
                e.extend_from_slice(&2u16.to_le_bytes());
                e.resize(if unicode { 24 } else { 12 }, 0);
                (*bid, e)
            })
            .collect();
        let (bbt_ib, bbt_pid) = o.tree(0x80, if unicode { 24 } else { 12 }, &leaves, &mut pid);
        // The node B-tree: (nid, data, subnodes, parent), the mails in a folder (0x122).
        let leaves: Vec<(u64, Vec<u8>)> = nodes
            .iter()
            .map(|(nid, data, sub)| {
                let mut e = Vec::new();
                o.id(&mut e, u64::from(*nid));
                o.id(&mut e, *data);
                o.id(&mut e, *sub);
                e.extend_from_slice(&0x122u32.to_le_bytes());
                e.resize(if unicode { 32 } else { 16 }, 0);
                (u64::from(*nid), e)
            })
            .collect();
        let (nbt_ib, nbt_pid) = o.tree(0x81, if unicode { 32 } else { 16 }, &leaves, &mut pid);
        let eof = o.file.len() as u64;
        let next_b = o.next + 1;
        let f = &mut o.file;
        f[0..4].copy_from_slice(b"!BDN");
        f[8..10].copy_from_slice(b"SM");
        f[12..14].copy_from_slice(&19u16.to_le_bytes());
        f[14] = 1;
        f[15] = 1;
        let crypt = match spec.crypt {
            Crypt::None => 0,
            Crypt::Permute => 1,
            Crypt::Cyclic => 2,
        };
        let put = |f: &mut Vec<u8>, at: usize, x: u64| {
            if unicode {
                f[at..at + 8].copy_from_slice(&x.to_le_bytes());
            } else {
                f[at..at + 4].copy_from_slice(&(x as u32).to_le_bytes());
            }
        };
        // Where the header's fields are (MS-PST 2.2.2.6): the version, then bidNextB,
        // bidNextP, ibFileEof, the two B-trees' page ids and offsets, bSentinel; the CRCs
        // (the full one in a Unicode header only).
        let (ver, at, sentinel) = if unicode {
            let ver = if spec.k4 { 36u16 } else { 23 };
            (ver, [516, 32, 184, 216, 224, 232, 240], 512)
        } else {
            (14u16, [24, 28, 168, 184, 188, 192, 196], 460)
        };
        f[10..12].copy_from_slice(&ver.to_le_bytes());
        let values = [next_b << 2, pid + 1, eof, nbt_pid, nbt_ib, bbt_pid, bbt_ib];
        for (a, v) in at.iter().zip(values) {
            put(f, *a, v);
        }
        f[sentinel] = 0x80;
        f[sentinel + 1] = crypt;
        let c = crc(&f[8..8 + 471]);
        f[4..8].copy_from_slice(&c.to_le_bytes());
        if unicode {
            let c = crc(&f[8..524]);
            f[524..528].copy_from_slice(&c.to_le_bytes());
        }
        o.file
    }
}

#[cfg(test)]
mod tests {
    use super::write::{Spec, file};
    use super::*;
    use outlook_pst::PstFile;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// Blocks as Microsoft's reader decodes them, by id.
    fn theirs(data: &[u8], unicode: bool) -> Vec<(u64, Vec<u8>)> {
        let src = Bytes(data);
        let pst = Pst::open(&src, data.len() as u64).expect("opens");
        // Data blocks (outlook-pst reads an internal block only as a data tree's root).
        let ids: Vec<u64> = pst
            .blocks
            .iter()
            .filter(|b| !b.internal())
            .map(|b| b.bid)
            .collect();
        let reader = Box::new(io::Cursor::new(data.to_vec()));
        if unicode {
            let f = outlook_pst::UnicodePstFile::read_from(reader).expect("outlook-pst opens it");
            ids.iter()
                .map(|id| {
                    (
                        *id,
                        f.read_block((*id).into())
                            .expect("outlook-pst reads the block"),
                    )
                })
                .collect()
        } else {
            let f = outlook_pst::AnsiPstFile::read_from(reader).expect("outlook-pst opens it");
            ids.iter()
                .map(|id| {
                    let b = f
                        .read_block((*id as u32).into())
                        .expect("outlook-pst reads the block");
                    (*id, b)
                })
                .collect()
        }
    }

    fn spec(unicode: bool, crypt: Crypt) -> Spec {
        let long: String = (0..700)
            .map(|i| format!("行{i} 山田 太郎 090-1234-{i:04}\r\n"))
            .collect();
        // Strings in UTF-16 in a Unicode file, in Shift_JIS in an ANSI one.
        let utf16 = |t: &str| {
            if unicode {
                utf16(t)
            } else {
                encoding_rs::SHIFT_JIS.encode(t).0.into_owned()
            }
        };
        Spec {
            unicode,
            k4: false,
            crypt,
            heaps: vec![
                vec![
                    vec![0xB5, 2, 6, 0, 0x20, 0, 0, 0],
                    utf16("ご注文の確認"),
                    utf16("山田 太郎"),
                ],
                vec![b"taro@example.jp".to_vec(), vec![1, 2, 3, 0, 0, 0xFF, 7, 8]],
            ],
            streams: vec![
                utf16(&long),
                b"PK\x03\x04 not quite a zip".to_vec(),
                vec![7u8; 9000],
            ],
            block: 256,
            deleted: Vec::new(),
            again: 0,
            mails: (0..40)
                .map(|i| write::Mail {
                    subject: format!("件名{i}"),
                    attachments: vec![(format!("a{i}.bin"), vec![i as u8; 100 + 100 * i])],
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[test]
    fn the_crc_is_ms_psts() {
        // The bitwise form of MS-PST 5.3's table-driven CRC.
        let bitwise = |data: &[u8]| {
            let mut c = 0u32;
            for b in data {
                c ^= u32::from(*b);
                for _ in 0..8 {
                    c = if c & 1 != 0 {
                        (c >> 1) ^ 0xEDB8_8320
                    } else {
                        c >> 1
                    };
                }
            }
            c
        };
        for d in [&b""[..], b"a", b"123456789", &[0xFF; 1000]] {
            assert_eq!(crc(d), bitwise(d));
        }
    }

    #[test]
    fn blocks_decode_as_outlook_pst_decodes_them() {
        for unicode in [true, false] {
            for crypt in [Crypt::None, Crypt::Permute, Crypt::Cyclic] {
                let data = file(&spec(unicode, crypt));
                let src = Bytes(&data);
                let pst = Pst::open(&src, data.len() as u64).expect("opens");
                assert!(pst.blocks() > 100, "a tree of trees: {}", pst.blocks());
                // Data blocks (outlook-pst gives an internal block's tree as one).
                for (id, want) in theirs(&data, unicode) {
                    let b = pst.find(id).expect("listed");
                    if !b.internal() {
                        let ok = pst.read(b) == Some(want);
                        assert!(ok, "block {id:#x} ({unicode}, {crypt:?})");
                    }
                }
                // The mails' nodes, as outlook-pst finds them in the node B-tree (in levels:
                // 40 nodes), and their attachments named.
                let nids = (0..40u32).map(|i| ((0x1000 + i) << 5) | 0x04);
                let reader = Box::new(io::Cursor::new(data.clone()));
                if unicode {
                    let f = outlook_pst::UnicodePstFile::read_from(reader).expect("opens");
                    for nid in nids {
                        assert!(f.read_node(nid.into()).is_ok(), "node {nid:#x}");
                    }
                } else {
                    let f = outlook_pst::AnsiPstFile::read_from(reader).expect("opens");
                    for nid in nids {
                        assert!(f.read_node(nid.into()).is_ok(), "node {nid:#x}");
                    }
                }
                let att = pst.attachments(data.len() as u64);
                assert_eq!(
                    att.named.len() + att.inline.len(),
                    40,
                    "{unicode} {crypt:?}"
                );
                assert!(
                    att.named.values().any(|p| p == "件名39!a39.bin"),
                    "{:?}",
                    att.named
                );
                assert!(
                    att.inline
                        .iter()
                        .any(|(p, d)| p == "件名0!a0.bin" && d.len() == 100)
                );
                // The streams come back whole, in order, after the heaps.
                let s = spec(unicode, crypt);
                let got: Vec<Vec<u8>> = pst
                    .streams()
                    .map(|st| pst.read_stream(&st, u64::MAX))
                    .filter(|d| !d.is_empty())
                    .collect();
                // (The mails' blocks follow: their heaps, their attachments' data.)
                assert!(got.len() > s.heaps.len() + s.streams.len());
                assert_eq!(
                    &got[s.heaps.len()..s.heaps.len() + s.streams.len()],
                    &s.streams[..],
                    "{unicode} {crypt:?}"
                );
                assert_eq!(pst.damaged(), 0);
            }
        }
    }

    #[test]
    fn text_is_a_line_per_string_and_files_are_put_aside() {
        for unicode in [true, false] {
            let data = file(&spec(unicode, Crypt::Permute));
            let src = Bytes(&data);
            let pst = Pst::open(&src, data.len() as u64).expect("opens");
            let mut t = Text::new(&pst, u64::MAX);
            let mut text = String::new();
            t.read_to_string(&mut text).expect("reads");
            let lines: Vec<&str> = text.lines().take(3).collect();
            assert_eq!(lines, ["ご注文の確認", "山田 太郎", "taro@example.jp"]);
            assert!(
                text.contains("行699 山田 太郎 090-1234-0699"),
                "the long body, joined"
            );
            // The zip's start and the binary stream are files (in an ANSI file only what is
            // known as a file is: the binary stream is no text, and not read).
            assert_eq!(t.files.len(), if unicode { 2 } else { 1 }, "{unicode}");
            assert_eq!(t.encoding(), if unicode { "UTF-16LE" } else { "Shift_JIS" });
        }
    }

    /// The empty data file of `outlook-pst`'s examples, made by Outlook (MIT: see
    /// testdata/outlook/README.md).
    const EMPTY: &[u8] = include_bytes!("../testdata/outlook/empty.pst");

    #[test]
    fn outlooks_own_file_reads_as_microsofts_reader_reads_it() {
        let src = Bytes(EMPTY);
        let pst = Pst::open(&src, EMPTY.len() as u64).expect("opens");
        assert_eq!((pst.blocks(), pst.crypt()), (31, Crypt::Permute));
        for (id, want) in theirs(EMPTY, true) {
            let b = pst.find(id).expect("listed");
            if !b.internal() {
                assert!(pst.read(b) == Some(want), "block {id:#x}");
            }
        }
        // The folders' names, and nothing a binary value decodes to.
        let mut t = Text::new(&pst, u64::MAX);
        let mut text = String::new();
        t.read_to_string(&mut text).expect("reads");
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(
            lines,
            [
                "Deleted Items",
                "Deleted Items folder",
                "Empty",
                "IPM_COMMON_VIEWS",
                "SPAM Search Folder 2",
                "Search Root",
                "Top of Outlook data file"
            ]
        );
        assert_eq!(pst.damaged(), 0);
        // Its node B-tree walked (no mail, so no attachment), no page refused.
        let att = pst.attachments(EMPTY.len() as u64);
        assert!(att.named.is_empty() && att.inline.is_empty());
        assert_eq!(pst.damaged(), 0);
        // Outlook freed seven blocks while it made the file (older versions of folders'
        // properties): found in the free space by their trailers, decoded, their strings read.
        // They hold no string the live blocks do not: nothing is given.
        let mut gone = Deleted::new(&pst, EMPTY.len() as u64, Seen::default());
        let mut text = String::new();
        gone.read_to_string(&mut text).expect("reads");
        assert_eq!(gone.blocks, 7);
        assert_eq!(
            text, "Top of Outlook data file\nSearch Root\nEmpty\n",
            "each once"
        );
        let mut live = Text::new(&pst, u64::MAX);
        io::copy(&mut live, &mut io::sink()).expect("reads");
        let mut gone = Deleted::new(&pst, EMPTY.len() as u64, live.seen);
        let mut text = String::new();
        gone.read_to_string(&mut text).expect("reads");
        assert_eq!((gone.blocks, text.as_str()), (7, ""));
    }

    /// [`spec`] in the 4 KiB format of Outlook 2013's OSTs.
    fn spec_4k(crypt: Crypt) -> Spec {
        Spec {
            k4: true,
            ..spec(true, crypt)
        }
    }

    #[test]
    fn the_4k_format_of_outlook_2013_s_osts_reads_as_a_unicode_file() {
        for crypt in [Crypt::None, Crypt::Permute, Crypt::Cyclic] {
            let data = file(&spec_4k(crypt));
            assert_eq!(u16_at(&data, 10), Some(36));
            assert_eq!(
                size(&data[..512]),
                Some(data.len() as u64),
                "spotted in images"
            );
            let src = Bytes(&data);
            let pst = Pst::open(&src, data.len() as u64).expect("opens");
            assert!(pst.k4() && pst.unicode());
            assert!(pst.blocks() > 100, "a tree of trees: {}", pst.blocks());
            let deflated = pst.blocks.iter().filter(|b| b.inflated > b.cb).count();
            assert!(deflated > 20, "{deflated} blocks deflated");
            // Every block as the Unicode file's: the streams whole, in order, after the heaps.
            let s = spec(true, crypt);
            let got: Vec<Vec<u8>> = pst
                .streams()
                .map(|st| pst.read_stream(&st, u64::MAX))
                .filter(|d| !d.is_empty())
                .collect();
            assert_eq!(
                &got[s.heaps.len()..s.heaps.len() + s.streams.len()],
                &s.streams[..],
                "{crypt:?}"
            );
            let att = pst.attachments(data.len() as u64);
            assert_eq!(att.named.len() + att.inline.len(), 40, "{crypt:?}");
            assert!(att.named.values().any(|p| p == "件名39!a39.bin"));
            let mut text = String::new();
            Text::new(&pst, u64::MAX)
                .read_to_string(&mut text)
                .expect("reads");
            let unicode = file(&s);
            let src = Bytes(&unicode);
            let theirs = Pst::open(&src, unicode.len() as u64).expect("opens");
            let mut want = String::new();
            Text::new(&theirs, u64::MAX)
                .read_to_string(&mut want)
                .expect("reads");
            assert_eq!(text, want, "{crypt:?}");
            assert_eq!(pst.damaged(), 0);
        }
    }

    #[test]
    fn a_heap_id_names_its_block_by_the_format_s_bits() {
        let blocks = vec![
            write::heap(&[b"zero".to_vec()]),
            write::heap(&[b"one".to_vec(), b"two".to_vec()]),
        ];
        // The second allocation of the second block: index 2, block 1 at bit 16; in the
        // 4 KiB format at bit 19, bits 16..19 flags (set here: they do not count).
        let hid = (2 << 5) | (1 << 16);
        assert_eq!(Heap(blocks.clone(), 16).hid(hid), Some(&b"two"[..]));
        let hid = (2 << 5) | (1 << 19) | (0b111 << 16);
        assert_eq!(Heap(blocks.clone(), 19).hid(hid), Some(&b"two"[..]));
        assert_eq!(Heap(blocks, 19).hid(1 << 5), Some(&b"zero"[..]));
    }

    #[test]
    fn a_deflated_block_inflates_before_or_after_its_decoding() {
        let plain: Vec<u8> = "山田 太郎 090-1234-5678\r\n"
            .repeat(50)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let zlib = |d: &[u8]| {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            io::Write::write_all(&mut z, d).expect("writes");
            z.finish().expect("deflates")
        };
        let bid = 0x1234_5678;
        for crypt in [Crypt::None, Crypt::Permute, Crypt::Cyclic] {
            // libpff's order: the encoded data deflated.
            let mut enc = plain.clone();
            encode(crypt, bid, &mut enc);
            let got = inflate(crypt, bid, zlib(&enc), plain.len());
            assert_eq!(got.as_deref(), Some(&plain[..]), "{crypt:?}");
            // pstreader's: the deflated data encoded.
            let mut z = zlib(&plain);
            encode(crypt, bid, &mut z);
            let got = inflate(crypt, bid, z.clone(), plain.len());
            assert_eq!(got.as_deref(), Some(&plain[..]), "{crypt:?}");
            // A size it does not inflate to; bytes that are no zlib stream: none.
            assert_eq!(inflate(crypt, bid, z.clone(), plain.len() + 1), None);
            assert_eq!(inflate(crypt, bid, z, plain.len() - 1), None);
            assert_eq!(inflate(crypt, bid, plain.clone(), 100), None);
        }
    }

    #[test]
    fn damaged_files_give_errors_not_panics() {
        for data in [
            file(&spec(true, Crypt::Permute)),
            file(&spec_4k(Crypt::Permute)),
        ] {
            damaged_file_gives_errors_not_panics(&data);
        }
    }

    fn damaged_file_gives_errors_not_panics(data: &[u8]) {
        let data = data.to_vec();
        // Cut anywhere, or bytes flipped: it opens or says why; it never panics or hangs.
        for cut in [0, 8, 600, 0x4400, data.len() / 2, data.len() - 1] {
            let src = Bytes(&data[..cut]);
            if let Ok(p) = Pst::open(&src, cut as u64) {
                let mut t = Text::new(&p, 1 << 20);
                let _ = io::copy(&mut t, &mut io::sink());
                let mut t = Deleted::new(&p, cut as u64, Seen::default());
                let _ = io::copy(&mut t, &mut io::sink());
            }
        }
        let mut rng = kizuki_core::rng::Rng::new(7);
        for _ in 0..200 {
            let mut d = data.clone();
            for _ in 0..8 {
                let i = (rng.next_u64() % d.len() as u64) as usize;
                d[i] = rng.next_u64() as u8;
            }
            let src = Bytes(&d);
            if let Ok(p) = Pst::open(&src, d.len() as u64) {
                let mut t = Text::new(&p, 1 << 20);
                let _ = io::copy(&mut t, &mut io::sink());
                let mut t = Deleted::new(&p, d.len() as u64, Seen::default());
                let _ = io::copy(&mut t, &mut io::sink());
            }
        }
        if u16_at(&data, 10) == Some(36) {
            // A deflated block whose stream is broken: told, no panic.
            let src = Bytes(&data);
            let p = Pst::open(&src, data.len() as u64).expect("opens");
            let b = p
                .blocks
                .iter()
                .find(|b| b.inflated > b.cb)
                .copied()
                .expect("deflated");
            let mut d = data.clone();
            let at = usize::try_from(b.ib).expect("offset") + 20;
            d[at..at + 8].fill(0x55);
            let src = Bytes(&d);
            let p = Pst::open(&src, d.len() as u64).expect("opens");
            assert_eq!(p.read(b), None);
            assert!(p.damaged() >= 2, "CRC and inflating: {}", p.damaged());
            return;
        }
        // Data trees that share their blocks are read within four times the file's size (or
        // 1 MiB).
        let mut sp = spec(true, Crypt::Permute);
        sp.again = 40;
        let shared = file(&sp);
        let src = Bytes(&shared);
        let p = Pst::open(&src, shared.len() as u64).expect("opens");
        let mut t = Text::new(&p, u64::MAX);
        let read = io::copy(&mut t, &mut io::sink()).expect("reads");
        assert!(
            p.exhausted(),
            "{read} bytes of text from {} bytes",
            shared.len()
        );
        // (UTF-8 text of UTF-16 blocks: 1.5 bytes a byte at most.)
        assert!(read <= 3 * (READ_FACTOR * shared.len() as u64).max(1 << 20) / 2);
        // A B-tree page that points to itself is read once.
        let mut d = data.clone();
        let root = u64_at(&d, 240).expect("root") as usize;
        let mut page = d[root..root + 512].to_vec();
        page[491] = 1; // an intermediate page
        page[488] = 1;
        page[490] = 24;
        page[..8].copy_from_slice(&0u64.to_le_bytes());
        page[16..24].copy_from_slice(&(root as u64).to_le_bytes());
        d[root..root + 512].copy_from_slice(&page);
        let src = Bytes(&d);
        let p = Pst::open(&src, d.len() as u64).expect("opens");
        assert_eq!(p.blocks(), 0);
        assert!(p.damaged() >= 1, "the loop is told");
    }
}

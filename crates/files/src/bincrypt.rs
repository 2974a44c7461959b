//! Word and Excel 97-2003 binary documents (`.doc`, `.xls`) encrypted with a password: RC4
//! with an MD5-derived key (Office 97/2000 compatible, MS-OFFCRYPTO 2.3.6) or RC4 through
//! CryptoAPI with a SHA-1-derived key (Office 2002-2003 and the `.xls`/`.doc` files of Office
//! 2007 and later, 2.3.5). The compound file stays readable; the streams are encrypted in
//! place, the key renewed every block (512 bytes in Word, 1024 in Excel) from the block's
//! number:
//! - Word (MS-DOC 2.2.6.2): the `WordDocument` stream after its first 68 bytes (the FIB's
//!   base, whose `fEncrypted` flag tells it), the table stream (`0Table`/`1Table`, which
//!   starts with the encryption header, `lKey` bytes), and the `Data` stream;
//! - Excel (MS-XLS 2.2.10): the `Workbook` stream's record bodies after its `FILEPASS`
//!   record (which holds the encryption header), record headers and a few records
//!   (`BOF`, `FILEPASS`, `INTERFACEHDR`, …) and each `BOUNDSHEET`'s stream position left
//!   plain.
//!
//! Still the encryption Japanese offices send customer lists in (`パスワード付きExcel` saved
//! as `.xls`), and the one a workbook with Excel's built-in password ([`DEFAULT_PASSWORD`],
//! `VelvetSweatshop`) hides its Excel 4.0 macros behind. [`Binary::open`] gives back the
//! compound file with the streams decrypted and the document marked plain (the FIB's flags
//! cleared, `FILEPASS` turned into a record of type 0 of the same size, as msoffcrypto-tool
//! does), so that it is read as any other.
//!
//! Written here: no crate reads these (`office-crypto` reads the OOXML encryption only). The
//! cryptography is RustCrypto's `md-5`, `sha1` and `rc4`; the compound file is read with
//! `cfb` and rewritten as a new one (no write into a hostile file's own sector chains). Not
//! read, told: the XOR obfuscation of Excel 95 and Word 95 compatible files, and PowerPoint
//! 97-2003's encryption (its persist objects each encrypted on their own).

use kizuki_core::le::{u16_at, u32_at};
use std::io::{Cursor, Read, Write};

use md5::{Digest as _, Md5};
use rc4::StreamCipher;
use sha1::Sha1;

pub use crate::offcrypto::{DEFAULT_PASSWORD, Opened};

/// PowerPoint's built-in password: a presentation encrypted with it opens without a prompt.
pub const PPT_DEFAULT_PASSWORD: &str = "/01Hannes Ruescher/01";

/// Entries (streams and storages) copied from an encrypted document into its plain copy.
const MAX_ENTRIES: usize = 4096;

/// Word encrypts in blocks of 512 bytes, Excel in blocks of 1024.
pub(crate) const WORD_BLOCK: usize = 512;
const EXCEL_BLOCK: usize = 1024;

/// The FIB base's length: plain in an encrypted `WordDocument` stream.
pub(crate) const FIB_BASE: usize = 68;
/// The FIB base's flags (`fEncrypted` 0x0100, `fWhichTblStm` 0x0200, `fObfuscated` 0x8000)
/// and `lKey` (the encryption header's size, or the XOR verifier).
pub(crate) const FIB_FLAGS: usize = 0x0A;
pub(crate) const FIB_LKEY: usize = 0x0E;
pub(crate) const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TBL: u16 = 0x0200;
const F_OBFUSCATED: u16 = 0x8000;

/// Excel records left plain in an encrypted workbook (MS-XLS 2.2.10): BOF, FILEPASS,
/// USREXCL, FILELOCK, INTERFACEHDR, RRDINFO, RRDHEAD.
const PLAIN_RECORDS: [u16; 7] = [0x0809, 0x002F, 0x0194, 0x0195, 0x00E1, 0x0196, 0x0138];
const FILEPASS: u16 = 0x002F;
/// PowerPoint's `CryptSession10Container`: the encryption header, a persistent object of its
/// own, not encrypted.
const CRYPT_SESSION: u16 = 0x2F14;
const BOUNDSHEET: u16 = 0x0085;

/// A Word or Excel 97-2003 document encrypted with RC4.
#[derive(Debug)]
pub struct Binary {
    kind: Kind,
    key: Key,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Word {
        table: &'static str,
    },
    Excel,
    /// The last edit's offset and the persist id of the `CryptSession10Container`.
    PowerPoint {
        edit: usize,
        session: u32,
    },
}

#[derive(Debug)]
enum Key {
    /// Office 97/2000: MD5, 128-bit RC4.
    Rc4 {
        salt: [u8; 16],
        verifier: [u8; 16],
        hash: [u8; 16],
    },
    /// CryptoAPI: SHA-1, RC4 of `bits` (40 to 128).
    CryptoApi {
        salt: [u8; 16],
        bits: u32,
        verifier: [u8; 16],
        hash: [u8; 20],
    },
}

/// Is `data` a Word or Excel 97-2003 document encrypted with a password? `None`: it is not
/// (or not a compound file); `Some(Err)`: it is, with an encryption not read here (XOR
/// obfuscation, an unknown header; the text says which).
pub fn find(data: &[u8]) -> Option<Result<Binary, String>> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(data)).ok()?;
    if let Ok(mut s) = cf.open_stream("/WordDocument") {
        let mut fib = [0u8; FIB_BASE];
        s.read_exact(&mut fib).ok()?;
        drop(s);
        let flags = u16::from_le_bytes([fib[FIB_FLAGS], fib[FIB_FLAGS + 1]]);
        if fib[..2] != [0xEC, 0xA5] || flags & F_ENCRYPTED == 0 {
            return None;
        }
        if flags & F_OBFUSCATED != 0 {
            return Some(Err(
                "Word document obfuscated with a password (XOR, Word 95 compatible): not read"
                    .into(),
            ));
        }
        let table = if flags & F_WHICH_TBL != 0 {
            "/1Table"
        } else {
            "/0Table"
        };
        let head = cf.open_stream(table).ok().and_then(|s| {
            kizuki_core::io::read_capped(s.take(4096), 4096)
                .ok()
                .flatten()
        });
        let Some(head) = head else {
            return Some(Err(format!(
                "encrypted Word document without its table stream {}",
                &table[1..]
            )));
        };
        return Some(key(&head).map(|key| Binary {
            kind: Kind::Word { table },
            key,
        }));
    }
    // PowerPoint: the Current User stream's CurrentUserAtom says whether the presentation
    // is encrypted (headerToken 0xF3D1C4DF, MS-PPT 2.3.2).
    if let Ok(s) = cf.open_stream("/Current User") {
        let head = kizuki_core::io::read_capped(s.take(64), 64).ok()??;
        let (token, edit) = crate::ppt::current_user(&head)?;
        if token != crate::ppt::ENCRYPTED {
            return None;
        }
        let doc = cf
            .open_stream("/PowerPoint Document")
            .ok()
            .and_then(|s| {
                kizuki_core::io::read_capped(s, data.len() as u64)
                    .ok()
                    .flatten()
            })
            .unwrap_or_default();
        // The last edit names the CryptSession10Container (encryptSessionPersistIdRef, after
        // the 28 bytes of an edit not encrypted), whose body is the encryption header.
        let session = || -> Option<(u32, &[u8])> {
            let (_, kind, len) = crate::ppt::record(&doc, edit)?;
            if kind != crate::ppt::USER_EDIT || len < 32 {
                return None;
            }
            let session = u32_at(&doc, edit + 8 + 28)?;
            let at = *crate::ppt::persist_map(&doc, edit)?.get(&session)?;
            let (_, kind, len) = crate::ppt::record(&doc, at)?;
            (kind == CRYPT_SESSION).then(|| (session, &doc[at + 8..at + 8 + len]))
        };
        return Some(match session() {
            None => Err(
                "PowerPoint 97-2003 presentation encrypted with a password: its encryption header cannot be found"
                    .into(),
            ),
            Some((session, body)) => key(body).map(|key| Binary {
                kind: Kind::PowerPoint { edit, session },
                key,
            }),
        });
    }
    if cf.is_stream("/Book") && !cf.is_stream("/Workbook") {
        let s = cf.open_stream("/Book").ok()?;
        let head = kizuki_core::io::read_capped(s.take(4096), 4096).ok()??;
        return filepass(&head)
            .map(|_| Err("Excel 95 workbook obfuscated with a password (XOR): not read".into()));
    }
    let s = cf.open_stream("/Workbook").ok()?;
    let head = kizuki_core::io::read_capped(s.take(4096), 4096).ok()??;
    let body = filepass(&head)?;
    Some(match u16_at(body, 0) {
        Some(0) => Err(
            "Excel workbook obfuscated with a password (XOR, Excel 95 compatible): not read".into(),
        ),
        Some(1) => key(&body[2..]).map(|key| Binary {
            kind: Kind::Excel,
            key,
        }),
        _ => {
            Err("Excel workbook with an unknown encryption in its FILEPASS record: not read".into())
        }
    })
}

/// The body of the workbook's `FILEPASS` record, among its first records.
fn filepass(head: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    for _ in 0..32 {
        let (kind, len) = (u16_at(head, at)?, usize::from(u16_at(head, at + 2)?));
        if kind == FILEPASS {
            return head.get(at + 4..at + 4 + len);
        }
        at += 4 + len;
    }
    None
}

/// Reads an RC4 encryption header (MS-OFFCRYPTO 2.3.6.1, version 1.1) or an RC4 CryptoAPI
/// one (2.3.5.1, versions 2-4.2: flags, header size, header, verifier).
fn key(h: &[u8]) -> Result<Key, String> {
    let arr16 = |at: usize| -> Option<[u8; 16]> { h.get(at..at + 16)?.try_into().ok() };
    let short = || "encryption header cut short".to_string();
    let (major, minor) = (
        u16_at(h, 0).ok_or_else(short)?,
        u16_at(h, 2).ok_or_else(short)?,
    );
    match (major, minor) {
        (1, 1) => Ok(Key::Rc4 {
            salt: arr16(4).ok_or_else(short)?,
            verifier: arr16(20).ok_or_else(short)?,
            hash: arr16(36).ok_or_else(short)?,
        }),
        (2..=4, 2) => {
            let size = u32_at(h, 8).ok_or_else(short)? as usize;
            let head = h.get(12..12usize.saturating_add(size)).ok_or_else(short)?;
            let (alg, alg_hash, bits) = (
                u32_at(head, 8).ok_or_else(short)?,
                u32_at(head, 12).ok_or_else(short)?,
                u32_at(head, 16).ok_or_else(short)?,
            );
            // AlgID 0 is RC4 for these documents; 0x6801 says it; the hash is SHA-1.
            if !matches!(alg, 0 | 0x6801) || !matches!(alg_hash, 0 | 0x8004) {
                return Err(format!(
                    "CryptoAPI encryption with algorithm {alg:#x} and hash {alg_hash:#x}: not read"
                ));
            }
            let bits = if bits == 0 { 40 } else { bits };
            if !(40..=128).contains(&bits) || bits % 8 != 0 {
                return Err(format!("RC4 key of {bits} bits: not read"));
            }
            let v = 12 + size;
            // Verifier: salt size, salt, encrypted verifier, hash size, encrypted hash.
            if u32_at(h, v) != Some(16) {
                return Err("CryptoAPI verifier with a salt not of 16 bytes: not read".into());
            }
            Ok(Key::CryptoApi {
                salt: arr16(v + 4).ok_or_else(short)?,
                bits,
                verifier: arr16(v + 20).ok_or_else(short)?,
                hash: h
                    .get(v + 40..v + 60)
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(short)?,
            })
        }
        _ => Err(format!(
            "encryption header version {major}.{minor}: not read"
        )),
    }
}

/// The keys of one password: each block's RC4 key comes from these and the block's number.
pub(crate) enum Keys {
    Rc4 { h1: [u8; 5] },
    CryptoApi { h0: [u8; 20], len: usize },
}

impl Keys {
    fn new(key: &Key, password: &str) -> Keys {
        let pw: Vec<u8> = password.encode_utf16().flat_map(u16::to_le_bytes).collect();
        match key {
            Key::Rc4 { salt, .. } => {
                // MS-OFFCRYPTO 2.3.6.2: MD5 of the password, its first 5 bytes and the salt
                // 16 times, MD5 again, its first 5 bytes.
                let h0 = Md5::digest(&pw);
                let mut md = Md5::new();
                for _ in 0..16 {
                    md.update(&h0[..5]);
                    md.update(salt);
                }
                let mut h1 = [0u8; 5];
                h1.copy_from_slice(&md.finalize()[..5]);
                Keys::Rc4 { h1 }
            }
            Key::CryptoApi { salt, bits, .. } => {
                // 2.3.5.2: SHA-1 of the salt and the password.
                let mut md = Sha1::new();
                md.update(salt);
                md.update(&pw);
                let mut h0 = [0u8; 20];
                h0.copy_from_slice(&md.finalize());
                Keys::CryptoApi {
                    h0,
                    len: (*bits / 8) as usize,
                }
            }
        }
    }

    /// The RC4 cipher of block `n` (`None` never: its key is 16 bytes, which RC4 takes).
    fn block(&self, n: u32) -> Option<rc4::Rc4> {
        let mut key = [0u8; 16];
        match self {
            Keys::Rc4 { h1 } => {
                let mut md = Md5::new();
                md.update(h1);
                md.update(n.to_le_bytes());
                key.copy_from_slice(&md.finalize());
            }
            Keys::CryptoApi { h0, len } => {
                let mut md = Sha1::new();
                md.update(h0);
                md.update(n.to_le_bytes());
                // A 40-bit key is padded with zeros to 128 bits (2.3.5.2).
                key[..*len].copy_from_slice(&md.finalize()[..*len]);
            }
        }
        <rc4::Rc4 as rc4::KeyInit>::new_from_slice(&key).ok()
    }

    /// Does the password fit the document's verifier?
    fn check(&self, key: &Key) -> bool {
        let Some(mut c) = self.block(0) else {
            return false;
        };
        match key {
            Key::Rc4 { verifier, hash, .. } => {
                let (mut v, mut h) = (*verifier, *hash);
                c.apply_keystream(&mut v);
                c.apply_keystream(&mut h);
                Md5::digest(v)[..] == h
            }
            Key::CryptoApi { verifier, hash, .. } => {
                let (mut v, mut h) = (*verifier, *hash);
                c.apply_keystream(&mut v);
                c.apply_keystream(&mut h);
                Sha1::digest(v)[..] == h
            }
        }
    }

    /// XORs `data[from..]` with the keystream of its positions in a stream encrypted in
    /// blocks of `block` bytes (the keystream runs over the bytes before `from` too).
    pub(crate) fn apply(&self, data: &mut [u8], from: usize, block: usize) {
        for (n, chunk) in data.chunks_mut(block).enumerate() {
            let start = n * block;
            if start + chunk.len() <= from {
                continue;
            }
            let Some(mut c) = self.block(n as u32) else {
                continue;
            };
            let skip = from.saturating_sub(start);
            let mut waste = [0u8; EXCEL_BLOCK];
            c.apply_keystream(&mut waste[..skip]);
            c.apply_keystream(&mut chunk[skip..]);
        }
    }
}

impl Binary {
    /// What the document is: "Word 97-2003 document" or "Excel 97-2003 workbook".
    pub fn what(&self) -> &'static str {
        match self.kind {
            Kind::Word { .. } => "Word 97-2003 document",
            Kind::Excel => "Excel 97-2003 workbook",
            Kind::PowerPoint { .. } => "PowerPoint 97-2003 presentation",
        }
    }

    /// How it is encrypted: "RC4, 128-bit key" or "RC4 CryptoAPI, 40-bit key"…
    pub fn scheme(&self) -> String {
        match self.key {
            Key::Rc4 { .. } => "RC4, 128-bit key".into(),
            Key::CryptoApi { bits, .. } => format!("RC4 CryptoAPI, {bits}-bit key"),
        }
    }

    /// Both, for a message: "Excel 97-2003 workbook, RC4 CryptoAPI, 128-bit key".
    pub fn describe(&self) -> String {
        format!("{}, {}", self.what(), self.scheme())
    }

    /// Is it an Excel workbook (which Excel opens with [`DEFAULT_PASSWORD`] unprompted)?
    pub fn is_excel(&self) -> bool {
        self.kind == Kind::Excel
    }

    /// Is it a PowerPoint presentation (whose VBA project is encrypted with the rest)?
    pub fn is_presentation(&self) -> bool {
        matches!(self.kind, Kind::PowerPoint { .. })
    }

    /// The password its application tries by itself before it asks: Excel's
    /// [`DEFAULT_PASSWORD`], PowerPoint's [`PPT_DEFAULT_PASSWORD`]; none for Word.
    pub fn default_password(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Excel => Some(DEFAULT_PASSWORD),
            Kind::PowerPoint { .. } => Some(PPT_DEFAULT_PASSWORD),
            Kind::Word { .. } => None,
        }
    }

    /// The candidates in the order they are tried: [`DEFAULT_PASSWORD`] (workbooks only:
    /// Excel tries it, Word does not; index `None`), then each of `passwords`.
    fn candidates<'a>(
        &self,
        passwords: &'a [String],
    ) -> impl Iterator<Item = (Option<usize>, &'a str)> {
        let default = self.default_password().map(|p| (None, p));
        default.into_iter().chain(
            passwords
                .iter()
                .enumerate()
                .map(|(i, p)| (Some(i), p.as_str())),
        )
    }

    /// The candidate that fits the document's verifier (`Some(None)`: the built-in password),
    /// without decrypting anything.
    pub fn verify(&self, passwords: &[String]) -> Option<Option<usize>> {
        self.candidates(passwords)
            .find(|(_, p)| Keys::new(&self.key, p).check(&self.key))
            .map(|(by, _)| by)
    }

    /// Tries the candidates (see [`Binary::verify`]) against the document's verifier; gives
    /// `data` (the compound file [`find`] was given) with its streams decrypted. No
    /// deadline: a key costs two hashes.
    pub fn open(&self, data: &[u8], passwords: &[String]) -> Result<Opened, String> {
        for (by, p) in self.candidates(passwords) {
            let keys = Keys::new(&self.key, p);
            if keys.check(&self.key) {
                return Ok(Opened::Plain {
                    data: self.decrypt(data, &keys).map_err(|e| e.to_string())?,
                    by,
                });
            }
        }
        Ok(Opened::NoPassword)
    }

    fn decrypt(&self, data: &[u8], keys: &Keys) -> std::io::Result<Vec<u8>> {
        let mut cf = cfb::CompoundFile::open(Cursor::new(data))?;
        let read = |cf: &mut cfb::CompoundFile<Cursor<&[u8]>>, path: &str| {
            let s = cf.open_stream(path)?;
            kizuki_core::io::read_capped(s, data.len() as u64)?
                .ok_or_else(|| std::io::Error::other(format!("{path} larger than its file")))
        };
        let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
        match self.kind {
            Kind::Word { table } => {
                let mut word = read(&mut cf, "/WordDocument")?;
                keys.apply(&mut word, FIB_BASE, WORD_BLOCK);
                let flags = u16_at(&word, FIB_FLAGS).unwrap_or(0) & !(F_ENCRYPTED | F_OBFUSCATED);
                word[FIB_FLAGS..FIB_FLAGS + 2].copy_from_slice(&flags.to_le_bytes());
                word[FIB_LKEY..FIB_LKEY + 4].copy_from_slice(&[0; 4]);
                plain.push(("/WordDocument".into(), word));
                // The table stream whole (its encryption header becomes noise: nothing
                // points at it).
                let mut t = read(&mut cf, table)?;
                keys.apply(&mut t, 0, WORD_BLOCK);
                plain.push((table.into(), t));
                if cf.is_stream("/Data") {
                    let mut d = read(&mut cf, "/Data")?;
                    keys.apply(&mut d, 0, WORD_BLOCK);
                    plain.push(("/Data".into(), d));
                }
            }
            Kind::PowerPoint { edit, session } => {
                let mut doc = read(&mut cf, "/PowerPoint Document")?;
                presentation(&mut doc, edit, session, keys, true);
                let mut user = read(&mut cf, "/Current User")?;
                if user.len() >= 16 {
                    user[12..16].copy_from_slice(&crate::ppt::NOT_ENCRYPTED.to_le_bytes());
                }
                plain.push(("/PowerPoint Document".into(), doc));
                plain.push(("/Current User".into(), user));
            }
            Kind::Excel => {
                let mut book = read(&mut cf, "/Workbook")?;
                workbook(&mut book, keys, true);
                plain.push(("/Workbook".into(), book));
            }
        }
        copy_with(&mut cf, data.len() as u64, &mut plain)
    }
}

/// Decrypts (or encrypts) an Excel workbook stream: the keystream runs over the whole
/// stream, but record headers, the records of [`PLAIN_RECORDS`] and each BOUNDSHEET's
/// `lbPlyPos` are never encrypted. Decrypting, FILEPASS becomes a record of type 0 and the
/// same size, zeros (the workbook is no longer encrypted; the stream's positions stay).
pub(crate) fn workbook(book: &mut [u8], keys: &Keys, decrypting: bool) {
    let orig = book.to_vec();
    keys.apply(book, 0, EXCEL_BLOCK);
    let mut at = 0;
    while at + 4 <= orig.len() {
        let kind = u16_at(&orig, at).unwrap_or(0);
        let len = usize::from(u16_at(&orig, at + 2).unwrap_or(0));
        let end = (at + 4 + len).min(orig.len());
        book[at..at + 4].copy_from_slice(&orig[at..at + 4]);
        if kind == FILEPASS && decrypting {
            book[at..at + 2].copy_from_slice(&[0, 0]);
            book[at + 4..end].fill(0);
        } else if PLAIN_RECORDS.contains(&kind) {
            book[at + 4..end].copy_from_slice(&orig[at + 4..end]);
        } else if kind == BOUNDSHEET {
            let ply = (at + 8).min(end);
            book[at + 4..ply].copy_from_slice(&orig[at + 4..ply]);
        }
        at = end;
    }
}

/// Decrypts (or encrypts) a presentation's persistent objects (MS-PPT 2.3.7): each, record
/// header and body, one RC4 stream keyed by its persist id; the CryptSession10Container
/// (`session`) zeroed when decrypting (as msoffcrypto-tool does: the document is no longer
/// encrypted), left when encrypting; edits and persist directories are never encrypted.
pub(crate) fn presentation(
    doc: &mut [u8],
    edit: usize,
    session: u32,
    keys: &Keys,
    decrypting: bool,
) {
    let Some(map) = crate::ppt::persist_map(doc, edit) else {
        return;
    };
    for (id, at) in map {
        let Some(raw) = doc.get(at..at + 8) else {
            continue;
        };
        let kind = u16::from_le_bytes([raw[2], raw[3]]);
        if id == session {
            if decrypting && kind == CRYPT_SESSION {
                let len = u32_at(doc, at + 4).unwrap_or(0) as usize;
                let end = (at + 8).saturating_add(len).min(doc.len());
                doc[at..end].fill(0);
            }
            continue;
        }
        if matches!(kind, crate::ppt::USER_EDIT | crate::ppt::PERSIST_DIRECTORY) && decrypting {
            continue;
        }
        let Some(mut c) = keys.block(id) else {
            continue;
        };
        // The record's length: from its header, plain (before encrypting it) or decrypted.
        let mut head = [0u8; 8];
        head.copy_from_slice(raw);
        if decrypting {
            c.apply_keystream(&mut head);
        }
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let Some(end) = (at + 8).checked_add(len).filter(|e| *e <= doc.len()) else {
            continue;
        };
        let Some(mut c) = keys.block(id) else {
            continue;
        };
        c.apply_keystream(&mut doc[at..end]);
    }
}

/// An encryption header for `password` (RC4, or RC4 CryptoAPI with a 128-bit key) with
/// `salt` and `verifier`, and the keys it gives: what Office writes, for the tests' writer
/// ([`crate::synth::binary_encrypted`]).
pub(crate) fn header(
    password: &str,
    cryptoapi: bool,
    salt: [u8; 16],
    verifier: [u8; 16],
) -> (Vec<u8>, Keys) {
    let mut h = Vec::new();
    let key = if cryptoapi {
        Key::CryptoApi {
            salt,
            bits: 128,
            verifier,
            hash: [0; 20],
        }
    } else {
        Key::Rc4 {
            salt,
            verifier,
            hash: [0; 16],
        }
    };
    let keys = Keys::new(&key, password);
    let Some(mut c) = keys.block(0) else {
        return (h, keys);
    };
    let mut v = verifier;
    c.apply_keystream(&mut v);
    if cryptoapi {
        let mut hash: [u8; 20] = Sha1::digest(verifier).into();
        c.apply_keystream(&mut hash);
        let csp: Vec<u8> = "Microsoft Enhanced Cryptographic Provider v1.0\0"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut head = Vec::new();
        // Flags (fCryptoAPI), no extra size, RC4, SHA-1, 128 bits, PROV_RSA_FULL.
        for v in [0x04u32, 0, 0x6801, 0x8004, 128, 1, 0, 0] {
            head.extend_from_slice(&v.to_le_bytes());
        }
        head.extend_from_slice(&csp);
        h.extend_from_slice(&[4, 0, 2, 0]);
        h.extend_from_slice(&0x04u32.to_le_bytes());
        h.extend_from_slice(&(head.len() as u32).to_le_bytes());
        h.extend_from_slice(&head);
        h.extend_from_slice(&16u32.to_le_bytes());
        h.extend_from_slice(&salt);
        h.extend_from_slice(&v);
        h.extend_from_slice(&20u32.to_le_bytes());
        h.extend_from_slice(&hash);
    } else {
        let mut hash: [u8; 16] = Md5::digest(verifier).into();
        c.apply_keystream(&mut hash);
        h.extend_from_slice(&[1, 0, 1, 0]);
        h.extend_from_slice(&salt);
        h.extend_from_slice(&v);
        h.extend_from_slice(&hash);
    }
    (h, keys)
}

/// A new compound file holding `cf`'s storages and streams, those of `replaced` (absolute
/// paths) with the contents given.
pub(crate) fn copy_with(
    cf: &mut cfb::CompoundFile<Cursor<&[u8]>>,
    cap: u64,
    replaced: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<Vec<u8>> {
    struct Meta {
        path: std::path::PathBuf,
        stream: bool,
        clsid: uuid::Uuid,
        bits: u32,
        created: std::time::SystemTime,
        modified: std::time::SystemTime,
    }
    let entries: Vec<Meta> = cf
        .walk()
        .take(MAX_ENTRIES + 1)
        .map(|e| Meta {
            path: e.path().to_path_buf(),
            stream: e.is_stream(),
            clsid: *e.clsid(),
            bits: e.state_bits(),
            created: e.created(),
            modified: e.modified(),
        })
        .collect();
    if entries.len() > MAX_ENTRIES {
        return Err(std::io::Error::other(format!(
            "more than {MAX_ENTRIES} streams and storages"
        )));
    }
    // Version 3 (512-byte sectors), as Office writes these documents (calamine's own
    // reader of compound files refuses the version 4 file `create` makes).
    let mut out =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    for e in &entries {
        if e.path == std::path::Path::new("/") {
        } else if !e.stream {
            out.create_storage(&e.path)?;
        } else {
            let text = e.path.to_string_lossy();
            let bytes = match replaced.iter().position(|(p, _)| p.as_str() == text) {
                Some(i) => replaced.swap_remove(i).1,
                None => {
                    let s = cf.open_stream(&e.path)?;
                    kizuki_core::io::read_capped(s, cap)?.unwrap_or_default()
                }
            };
            out.create_stream(&e.path)?.write_all(&bytes)?;
        }
        // The entry's class, state bits and times as they were (the copy is the same file).
        if !e.stream {
            out.set_storage_clsid(&e.path, e.clsid)?;
        }
        out.set_state_bits(&e.path, e.bits)?;
        out.set_created_time(&e.path, e.created)?;
        out.set_modified_time(&e.path, e.modified)?;
    }
    out.flush()?;
    Ok(out.into_inner().into_inner())
}

//! Office documents encrypted with a password ("Encrypt with Password" in Word, Excel and
//! PowerPoint 2007 and later; MS-OFFCRYPTO 2.3.4): the document (a zip package, `.docx`,
//! `.xlsx`, `.pptx`) is stored encrypted in the `EncryptedPackage` stream of an OLE compound
//! file, with its key wrapped in the `EncryptionInfo` stream, either
//! - agile encryption (Office 2010 and later: an XML descriptor; AES with CBC, keys derived
//!   by a spun SHA-512 by default, 100,000 rounds), or
//! - standard encryption (Office 2007: a binary header; AES-128 to AES-256 with ECB, keys
//!   derived by SHA-1 spun 50,000 times).
//!
//! A customer list kept in a password-protected workbook is the daily habit of Japanese
//! offices, and a workbook encrypted with Excel's built-in password, `VelvetSweatshop`
//! ([`DEFAULT_PASSWORD`]), opens in Excel without a prompt while scanners see only ciphertext:
//! malware mails use it to hide exploits and macros. [`Encrypted::open`] tries the candidate
//! passwords, and that default first; the document comes back whole, for its own analysis.
//!
//! Written here, not taken from a crate: `office-crypto` (MIT) reads the compound file with a
//! parser of its own that slices by the sizes a file declares (a hostile file makes it panic),
//! and caps neither the spin count nor the package's size. This module reads the streams with
//! `cfb` (as the other Office readers do), the descriptor with `quick-xml`, and leaves the
//! cryptography to RustCrypto's `aes`, `sha1` and `sha2`; what is left is the key derivation
//! of MS-OFFCRYPTO 2.3.4.7, 2.3.4.11 and 2.3.4.13, each step checked against the document's
//! own verifier before anything is decrypted. Capped: the package's size (the caller's
//! budget), the spin count (10,000,000, the specification's maximum; each candidate's rounds
//! also end at the caller's deadline).
//!
//! The older RC4 encryption of Word and Excel 97-2003 binary files is read by
//! [`crate::bincrypt`].

use kizuki_core::le::{u16_at, u32_at};
use std::io::Cursor;
use std::time::Instant;

use aes::cipher::{BlockCipherDecrypt, KeyInit};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Excel's built-in password: a workbook encrypted with it opens without a prompt.
pub const DEFAULT_PASSWORD: &str = "VelvetSweatshop";

/// The largest spin count MS-OFFCRYPTO allows (2.3.4.11: "MUST NOT be greater than
/// 10,000,000"); a descriptor that asks for more is refused.
pub const MAX_SPIN_COUNT: u32 = 10_000_000;

/// The streams of an encrypted package, at most this size each: the descriptor is a few
/// kilobytes.
const MAX_INFO: u64 = 1 << 20;

/// Block keys of agile encryption (MS-OFFCRYPTO 2.3.4.13): the verifier's input, its hash,
/// and the document's key.
const BLOCK_VERIFIER_INPUT: [u8; 8] = [0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79];
const BLOCK_VERIFIER_HASH: [u8; 8] = [0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e];
const BLOCK_KEY: [u8; 8] = [0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6];

/// Agile encryption's package segments.
const SEGMENT: usize = 4096;

/// A hash algorithm of agile encryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn parse(name: &str) -> Option<Hash> {
        match name.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Some(Hash::Sha1),
            "SHA256" => Some(Hash::Sha256),
            "SHA384" => Some(Hash::Sha384),
            "SHA512" => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    fn len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// The hash of `parts` one after the other, into `out` (its first [`Hash::len`] bytes).
    fn of(self, parts: &[&[u8]], out: &mut [u8; 64]) {
        fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8; 64]) {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            let h = d.finalize();
            let n = h.len().min(64);
            out[..n].copy_from_slice(&h[..n]);
        }
        match self {
            Hash::Sha1 => run::<Sha1>(parts, out),
            Hash::Sha256 => run::<Sha256>(parts, out),
            Hash::Sha384 => run::<Sha384>(parts, out),
            Hash::Sha512 => run::<Sha512>(parts, out),
        }
    }
}

/// Agile encryption's parameters of one key (the document's, or the password's).
#[derive(Clone, Debug)]
struct KeyParams {
    salt: Vec<u8>,
    key_bytes: usize,
    hash: Hash,
}

/// How a package was encrypted.
#[derive(Clone, Debug)]
enum Scheme {
    Agile {
        data: KeyParams,
        password: KeyParams,
        spins: u32,
        verifier_input: Vec<u8>,
        verifier_hash: Vec<u8>,
        key_value: Vec<u8>,
    },
    Standard {
        key_bytes: usize,
        salt: Vec<u8>,
        verifier: Vec<u8>,
        verifier_hash: Vec<u8>,
    },
}

/// An encrypted Office document: its descriptor and its encrypted package.
#[derive(Debug)]
pub struct Encrypted {
    scheme: Scheme,
    package: Vec<u8>,
}

/// What [`Encrypted::open`] gives.
#[derive(Debug)]
pub enum Opened {
    /// The document (a zip package), and the candidate that opened it: `None` for Excel's
    /// built-in password.
    Plain {
        /// The decrypted package.
        data: Vec<u8>,
        /// Index of the candidate password that opened it; `None`: [`DEFAULT_PASSWORD`].
        by: Option<usize>,
    },
    /// No candidate fits.
    NoPassword,
    /// The deadline came before every candidate was tried.
    OutOfTime,
}

/// Is `data` a compound file holding an encrypted package (its `EncryptionInfo` and
/// `EncryptedPackage` streams)? `None`: it is not; `Some(Err)`: it is, but its streams or
/// descriptor cannot be read (over `cap` bytes, damaged, or an encryption not read here:
/// the text says which).
pub fn find(data: &[u8], cap: u64) -> Option<Result<Encrypted, String>> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(data)).ok()?;
    let has = |cf: &cfb::CompoundFile<_>, n: &str| cf.is_stream(n);
    if !(has(&cf, "/EncryptionInfo") && has(&cf, "/EncryptedPackage")) {
        return None;
    }
    Some(read_streams(&mut cf, cap))
}

fn read_streams(cf: &mut cfb::CompoundFile<Cursor<&[u8]>>, cap: u64) -> Result<Encrypted, String> {
    let mut read = |name: &str, cap: u64| -> Result<Vec<u8>, String> {
        let s = cf.open_stream(name).map_err(|e| format!("{name}: {e}"))?;
        match kizuki_core::io::read_capped(s, cap) {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(format!("{name} larger than {cap} bytes")),
            Err(e) => Err(format!("{name}: {e}")),
        }
    };
    let info = read("/EncryptionInfo", MAX_INFO)?;
    // The package's size first (8 bytes), then at most a segment's padding more.
    let package = read("/EncryptedPackage", cap.saturating_add(8 + SEGMENT as u64))?;
    if let Some(size) = package.get(..8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    }) && size > cap
    {
        return Err(format!(
            "EncryptedPackage of {size} bytes, larger than {cap}"
        ));
    }
    let scheme = scheme(&info)?;
    Ok(Encrypted { scheme, package })
}

/// The encryption `EncryptionInfo` describes.
fn scheme(info: &[u8]) -> Result<Scheme, String> {
    let major = u16_at(info, 0).ok_or("EncryptionInfo too short")?;
    let minor = u16_at(info, 2).ok_or("EncryptionInfo too short")?;
    match (major, minor) {
        (4, 4) => agile(info.get(8..).unwrap_or(&[])),
        (2..=4, 2) => standard(info),
        (4, 3) | (3, 3) => Err("extensible encryption (a custom provider): not read".into()),
        _ => Err(format!("EncryptionInfo version {major}.{minor}: not read")),
    }
}

/// Agile encryption's XML descriptor (MS-OFFCRYPTO 2.3.4.10): `keyData` (the package's key
/// parameters) and the password's `encryptedKey`.
fn agile(xml: &[u8]) -> Result<Scheme, String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut data = None;
    let mut password = None;
    let mut buf = Vec::new();
    // Elements read before the descriptor is given up: it has a handful.
    for _ in 0..10_000 {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("EncryptionInfo: {e}"))?;
        let e = match &ev {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        let local = e.local_name();
        let mut attrs = Vec::new();
        for a in e.attributes().flatten() {
            let key = a.key.local_name().as_ref().to_string();
            let value = a.value.to_string();
            attrs.push((key, value));
        }
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        match local.as_ref() {
            "keyData" => data = Some(params(&get)?),
            // The password's key; a certificate's `encryptedKey` has no spin count.
            "encryptedKey" if get("spinCount").is_some() => {
                let spins: u32 = get("spinCount")
                    .and_then(|s| s.trim().parse().ok())
                    .ok_or("EncryptionInfo: spinCount not a number")?;
                if spins > MAX_SPIN_COUNT {
                    return Err(format!(
                        "EncryptionInfo: spin count {spins} over the maximum {MAX_SPIN_COUNT}"
                    ));
                }
                let b64 = |k: &str| -> Result<Vec<u8>, String> {
                    base64(get(k).ok_or_else(|| format!("EncryptionInfo: no {k}"))?)
                };
                password = Some((
                    params(&get)?,
                    spins,
                    b64("encryptedVerifierHashInput")?,
                    b64("encryptedVerifierHashValue")?,
                    b64("encryptedKeyValue")?,
                ));
            }
            _ => {}
        }
        buf.clear();
    }
    let data = data.ok_or("EncryptionInfo: no keyData")?;
    let (password, spins, verifier_input, verifier_hash, key_value) =
        password.ok_or("EncryptionInfo: no password key (a certificate's only)")?;
    Ok(Scheme::Agile {
        data,
        password,
        spins,
        verifier_input,
        verifier_hash,
        key_value,
    })
}

/// A key's parameters from its element's attributes: AES in CBC, a known hash.
fn params<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> Result<KeyParams, String> {
    let cipher = get("cipherAlgorithm").unwrap_or("");
    if cipher != "AES" {
        return Err(format!("agile encryption with {cipher}: not read"));
    }
    let chaining = get("cipherChaining").unwrap_or("");
    if chaining != "ChainingModeCBC" {
        return Err(format!("agile encryption in {chaining}: not read"));
    }
    let hash_name = get("hashAlgorithm").unwrap_or("");
    let hash = Hash::parse(hash_name)
        .ok_or_else(|| format!("agile encryption with {hash_name}: not read"))?;
    let key_bits: usize = get("keyBits")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if !matches!(key_bits, 128 | 192 | 256) {
        return Err(format!(
            "agile encryption with a {key_bits}-bit key: not read"
        ));
    }
    let block: usize = get("blockSize")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if block != 16 {
        return Err(format!(
            "agile encryption with blocks of {block} bytes: not read"
        ));
    }
    let salt = base64(get("saltValue").ok_or("EncryptionInfo: no saltValue")?)?;
    if salt.is_empty() || salt.len() > 64 {
        return Err(format!("EncryptionInfo: a salt of {} bytes", salt.len()));
    }
    Ok(KeyParams {
        salt,
        key_bytes: key_bits / 8,
        hash,
    })
}

fn base64(s: &str) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    data_encoding::BASE64
        .decode(&clean)
        .map_err(|e| format!("EncryptionInfo: base64: {e}"))
}

/// Standard encryption's header and verifier (MS-OFFCRYPTO 2.3.4.5, 2.3.4.6, 2.3.3): AES
/// with a SHA-1 key.
fn standard(info: &[u8]) -> Result<Scheme, String> {
    let flags = u32_at(info, 4).ok_or("EncryptionInfo too short")?;
    // fCryptoAPI and fAES: RC4 with CryptoAPI is the binary formats' encryption.
    if flags & 0x24 != 0x24 {
        return Err("standard encryption without AES: not read".into());
    }
    let header_size = u32_at(info, 8).ok_or("EncryptionInfo too short")? as usize;
    let header = info
        .get(12..12usize.saturating_add(header_size))
        .ok_or("EncryptionInfo: header cut")?;
    let alg = u32_at(header, 8).ok_or("EncryptionInfo: header cut")?;
    let alg_hash = u32_at(header, 12).ok_or("EncryptionInfo: header cut")?;
    let key_bits = u32_at(header, 16).ok_or("EncryptionInfo: header cut")? as usize;
    if !matches!(alg, 0x660E..=0x6610) || !matches!(alg_hash, 0 | 0x8004) {
        return Err(format!(
            "standard encryption with algorithm {alg:#x}, hash {alg_hash:#x}: not read"
        ));
    }
    if !matches!(key_bits, 128 | 192 | 256) {
        return Err(format!(
            "standard encryption with a {key_bits}-bit key: not read"
        ));
    }
    let v = info
        .get(12 + header_size..)
        .ok_or("EncryptionInfo: verifier cut")?;
    let salt_size = u32_at(v, 0).ok_or("EncryptionInfo: verifier cut")? as usize;
    if salt_size != 16 {
        return Err(format!("EncryptionInfo: a salt of {salt_size} bytes"));
    }
    let salt = v.get(4..20).ok_or("EncryptionInfo: verifier cut")?.to_vec();
    let verifier = v
        .get(20..36)
        .ok_or("EncryptionInfo: verifier cut")?
        .to_vec();
    let verifier_hash = v
        .get(40..72)
        .ok_or("EncryptionInfo: verifier cut")?
        .to_vec();
    Ok(Scheme::Standard {
        key_bytes: key_bits / 8,
        salt,
        verifier,
        verifier_hash,
    })
}

/// An AES key of 16, 24 or 32 bytes.
enum Aes {
    A128(Box<aes::Aes128>),
    A192(Box<aes::Aes192>),
    A256(Box<aes::Aes256>),
}

impl Aes {
    fn new(key: &[u8]) -> Option<Aes> {
        Some(match key.len() {
            16 => Aes::A128(Box::new(aes::Aes128::new_from_slice(key).ok()?)),
            24 => Aes::A192(Box::new(aes::Aes192::new_from_slice(key).ok()?)),
            32 => Aes::A256(Box::new(aes::Aes256::new_from_slice(key).ok()?)),
            _ => return None,
        })
    }

    /// Decrypts whole blocks in place (ECB; what is past the last whole block is left).
    fn ecb(&self, buf: &mut [u8]) {
        let (blocks, _) = aes::Block::slice_as_chunks_mut(buf);
        match self {
            Aes::A128(c) => c.decrypt_blocks(blocks),
            Aes::A192(c) => c.decrypt_blocks(blocks),
            Aes::A256(c) => c.decrypt_blocks(blocks),
        }
    }

    /// Decrypts whole blocks in place in CBC after `iv`: the blocks decrypted at once, then
    /// each one joined to the ciphertext before it.
    fn cbc(&self, iv: &[u8; 16], buf: &mut [u8]) {
        let n = buf.len() / 16 * 16;
        let Some(buf) = buf.get_mut(..n) else { return };
        let tail: Vec<u8> = buf.get(..n.saturating_sub(16)).unwrap_or(&[]).to_vec();
        self.ecb(buf);
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= if i < 16 { iv[i] } else { tail[i - 16] };
        }
    }
}

/// A key of agile encryption derived from the password's hash `h` for `block`:
/// `H(h + block)`, cut or padded with 0x36 to `n` bytes (2.3.4.11).
fn derive(hash: Hash, h: &[u8], block: &[u8], n: usize) -> Vec<u8> {
    let mut out = [0u8; 64];
    hash.of(&[h, block], &mut out);
    let mut k = out[..hash.len()].to_vec();
    k.resize(n, 0x36);
    k
}

/// An IV of agile encryption: the salt, or `H(salt + block)`, cut or padded with 0x36 to
/// 16 bytes (2.3.4.12).
fn iv(p: &KeyParams, block: Option<&[u8]>) -> [u8; 16] {
    let mut full = [0u8; 64];
    let src: &[u8] = match block {
        Some(b) => {
            p.hash.of(&[&p.salt, b], &mut full);
            &full[..p.hash.len()]
        }
        None => &p.salt,
    };
    let mut iv = [0x36u8; 16];
    let n = src.len().min(16);
    iv[..n].copy_from_slice(&src[..n]);
    iv
}

/// The password as MS-OFFCRYPTO hashes it: UTF-16LE, at most 255 characters.
fn utf16(password: &str) -> Vec<u8> {
    password
        .encode_utf16()
        .take(255)
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// `H(salt + password)` spun `spins` times (`H(LE32(i) + h)`), or `None` when `deadline`
/// came first.
fn spin(hash: Hash, salt: &[u8], password: &str, spins: u32, deadline: Instant) -> Option<Vec<u8>> {
    let n = hash.len();
    let mut h = [0u8; 64];
    hash.of(&[salt, &utf16(password)], &mut h);
    for i in 0..spins {
        if i % 4096 == 4095 && Instant::now() >= deadline {
            return None;
        }
        let prev = h;
        hash.of(&[&i.to_le_bytes(), &prev[..n]], &mut h);
    }
    Some(h[..n].to_vec())
}

impl Encrypted {
    /// The encryption, for a report: `agile encryption (AES-256, SHA-512, 100000 spins)`.
    pub fn describe(&self) -> String {
        match &self.scheme {
            Scheme::Agile { data, spins, .. } => format!(
                "agile encryption (AES-{}, {}, {spins} spins)",
                data.key_bytes * 8,
                data.hash.name()
            ),
            Scheme::Standard { key_bytes, .. } => {
                format!("standard encryption (AES-{}, SHA-1)", key_bytes * 8)
            }
        }
    }

    /// The package's key under `password` when the document's verifier accepts it;
    /// `Err(())` when `deadline` came first.
    fn key(&self, password: &str, deadline: Instant) -> Result<Option<Vec<u8>>, ()> {
        match &self.scheme {
            Scheme::Agile {
                data,
                password: p,
                spins,
                verifier_input,
                verifier_hash,
                key_value,
            } => {
                let h = spin(p.hash, &p.salt, password, *spins, deadline).ok_or(())?;
                let n = p.key_bytes;
                let open = |block: &[u8], value: &[u8]| -> Option<Vec<u8>> {
                    let aes = Aes::new(&derive(p.hash, &h, block, n))?;
                    let mut v = value.to_vec();
                    aes.cbc(&iv(p, None), &mut v);
                    Some(v)
                };
                let (Some(input), Some(hashed)) = (
                    open(&BLOCK_VERIFIER_INPUT, verifier_input),
                    open(&BLOCK_VERIFIER_HASH, verifier_hash),
                ) else {
                    return Ok(None);
                };
                let salt_len = p.salt.len().min(input.len());
                let mut want = [0u8; 64];
                p.hash.of(&[&input[..salt_len]], &mut want);
                let hl = p.hash.len();
                if hashed.len() < hl || hashed[..hl] != want[..hl] {
                    return Ok(None);
                }
                let Some(mut key) = open(&BLOCK_KEY, key_value) else {
                    return Ok(None);
                };
                if key.len() < data.key_bytes {
                    return Ok(None);
                }
                key.truncate(data.key_bytes);
                Ok(Some(key))
            }
            Scheme::Standard {
                key_bytes,
                salt,
                verifier,
                verifier_hash,
            } => {
                let h = spin(Hash::Sha1, salt, password, 50_000, deadline).ok_or(())?;
                let mut fin = [0u8; 64];
                Hash::Sha1.of(&[&h, &0u32.to_le_bytes()], &mut fin);
                // 2.3.4.7: X1 = SHA-1 of 0x36 pads xor the hash, X2 of 0x5c pads.
                let pad = |c: u8| {
                    let mut b = [c; 64];
                    for (x, f) in b.iter_mut().zip(&fin[..20]) {
                        *x ^= f;
                    }
                    let mut o = [0u8; 64];
                    Hash::Sha1.of(&[&b], &mut o);
                    o
                };
                let (x1, x2) = (pad(0x36), pad(0x5c));
                let mut key = x1[..20].to_vec();
                key.extend_from_slice(&x2[..20]);
                key.truncate(*key_bytes);
                let Some(aes) = Aes::new(&key) else {
                    return Ok(None);
                };
                let mut v = verifier.clone();
                aes.ecb(&mut v);
                let mut vh = verifier_hash.clone();
                aes.ecb(&mut vh);
                let mut want = [0u8; 64];
                Hash::Sha1.of(&[&v], &mut want);
                Ok((vh[..20] == want[..20]).then_some(key))
            }
        }
    }

    /// The package decrypted with `key`, cut to the size it declares.
    fn decrypt(&self, key: &[u8]) -> Result<Vec<u8>, String> {
        let size = self
            .package
            .get(..8)
            .map(|s| {
                let mut a = [0u8; 8];
                a.copy_from_slice(s);
                u64::from_le_bytes(a)
            })
            .ok_or("EncryptedPackage shorter than its size")?;
        let body = &self.package[8..];
        if size > body.len() as u64 {
            return Err(format!(
                "EncryptedPackage declares {size} bytes and holds {}",
                body.len()
            ));
        }
        let aes = Aes::new(key).ok_or("key of a length AES has not")?;
        let mut out = body.to_vec();
        match &self.scheme {
            Scheme::Agile { data, .. } => {
                for (i, seg) in out.chunks_mut(SEGMENT).enumerate() {
                    let index = (i as u32).to_le_bytes();
                    aes.cbc(&iv(data, Some(&index)), seg);
                }
            }
            Scheme::Standard { .. } => aes.ecb(&mut out),
        }
        out.truncate(size as usize);
        Ok(out)
    }

    /// Tries [`DEFAULT_PASSWORD`], then each of `passwords`, until the document's verifier
    /// accepts one; decrypts the package with it.
    pub fn open(&self, passwords: &[String], deadline: Instant) -> Result<Opened, String> {
        let candidates = std::iter::once((None, DEFAULT_PASSWORD)).chain(
            passwords
                .iter()
                .enumerate()
                .map(|(i, p)| (Some(i), p.as_str())),
        );
        for (by, p) in candidates {
            match self.key(p, deadline) {
                Err(()) => return Ok(Opened::OutOfTime),
                Ok(None) => {}
                Ok(Some(key)) => {
                    return Ok(Opened::Plain {
                        data: self.decrypt(&key)?,
                        by,
                    });
                }
            }
        }
        Ok(Opened::NoPassword)
    }
}

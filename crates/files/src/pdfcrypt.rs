//! PDFs encrypted by the standard security handler (ISO 32000-2 7.6.4): RC4 of 40 to 128
//! bits (revisions 2 and 3), RC4 or AES-128 by crypt filter (revision 4), AES-256 (revisions
//! 5 and 6, Acrobat 9 and X and later).
//!
//! Most encrypted PDFs have no password to open: an owner password alone restricts printing
//! or copying (`コピー禁止`), and every reader opens them with the empty user password; their
//! strings and streams are encrypted all the same, so a reader that does not decrypt sees no
//! text. Others are opened with a password sent apart (a "PPAP" PDF). [`open`] tries the
//! empty password, then each candidate as the user's and as the owner's password; the
//! document's strings and streams are decrypted in place, object by object, so the rest of
//! the reader goes on as for a plain PDF.
//!
//! Written here: no Rust crate decrypts PDFs without its own document model (`lopdf`'s
//! decryption comes with the parser kizuki does not use, see [`crate::pdf`]). The key
//! derivations are those of the standard (algorithms 1, 2, 2.A, 2.B, 4, 5, 7) on RustCrypto's
//! `md-5`, `sha2`, `rc4` and `aes`; each password is checked against the document's `/U` or
//! `/O` before anything is decrypted.

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use md5::{Digest as _, Md5};
use rc4::StreamCipher;
use sha2::{Sha256, Sha384, Sha512};

use crate::pdf::{Document, Obj};

/// Algorithm 2's padding of passwords (ISO 32000-2 7.6.4.3.2).
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// How strings or streams are encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// Not encrypted (`/Identity`).
    None,
    Rc4,
    Aes128,
    Aes256,
}

/// What a document's `/Encrypt` dictionary says.
#[derive(Debug)]
struct Handler {
    revision: i64,
    /// The file key's length, bytes (revisions 2-4).
    key_len: usize,
    o: Vec<u8>,
    u: Vec<u8>,
    oe: Vec<u8>,
    ue: Vec<u8>,
    p: i32,
    id: Vec<u8>,
    encrypt_metadata: bool,
    strings: Method,
    streams: Method,
}

/// A document's encryption, once a password opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The handler's description, for a report: `RC4 128-bit (revision 3)`.
    pub scheme: String,
    /// Index of the candidate password that opened it; `None`: the empty user password (the
    /// document opens without one).
    pub by: Option<usize>,
}

/// Why an encrypted document was not decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No candidate is its user or owner password.
    NoPassword(String),
    /// A handler or method not read here (a public-key handler, an unknown revision).
    Unsupported(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoPassword(s) => write!(f, "{s} with a password that none given opens"),
            Refused::Unsupported(s) => write!(f, "{s}: not read"),
        }
    }
}

/// An `/Encrypt` dictionary, the object that holds it (not itself encrypted), and the
/// document's first `/ID`.
type EncryptEntry = (Obj, Option<(u32, u16)>, Vec<u8>);

/// The `/Encrypt` dictionary of `doc` (from a trailer, or a cross-reference stream's
/// dictionary).
fn encrypt_dict(doc: &Document) -> Option<EncryptEntry> {
    let trailers = doc
        .trailers
        .iter()
        .rev()
        .chain(doc.objects.iter().map(|o| &o.value));
    for t in trailers {
        let Some(e) = t.get("Encrypt") else { continue };
        let at = match e {
            Obj::Ref(n, g) => Some((*n, *g)),
            _ => None,
        };
        let dict = doc.resolve(e).0.clone();
        let id = match t.get("ID").map(|i| doc.resolve(i).0) {
            Some(Obj::Arr(a)) => match a.first() {
                Some(Obj::Str(s)) => s.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        return Some((dict, at, id));
    }
    None
}

/// Is `doc` encrypted (an `/Encrypt` entry in a trailer)?
pub fn is_encrypted(doc: &Document) -> bool {
    encrypt_dict(doc).is_some()
}

fn int(o: Option<&Obj>) -> Option<i64> {
    match o {
        Some(Obj::Num(n)) if n.fract() == 0.0 && n.is_finite() => Some(*n as i64),
        _ => None,
    }
}

fn bytes(o: Option<&Obj>) -> Vec<u8> {
    match o {
        Some(Obj::Str(s)) => s.clone(),
        _ => Vec::new(),
    }
}

fn name(o: Option<&Obj>) -> Option<&[u8]> {
    match o {
        Some(Obj::Name(n)) => Some(n),
        _ => None,
    }
}

impl Handler {
    fn read(dict: &Obj, id: Vec<u8>) -> Result<Handler, Refused> {
        let filter = name(dict.get("Filter")).unwrap_or(b"");
        if filter != b"Standard" {
            return Err(Refused::Unsupported(format!(
                "PDF encrypted by the {} security handler",
                String::from_utf8_lossy(filter)
            )));
        }
        let v = int(dict.get("V")).unwrap_or(0);
        let revision = int(dict.get("R")).unwrap_or(0);
        let bits = int(dict.get("Length")).unwrap_or(40);
        let key_len = match v {
            1 => 5,
            2 | 4 if (40..=128).contains(&bits) && bits % 8 == 0 => (bits / 8) as usize,
            2 | 4 => 16,
            5 => 32,
            _ => {
                return Err(Refused::Unsupported(format!("PDF encryption version {v}")));
            }
        };
        // Revision 4's methods by crypt filter: the one `/StmF` and `/StrF` name.
        let method_of = |which: &str| -> Result<Method, Refused> {
            if v < 4 {
                return Ok(Method::Rc4);
            }
            let f = name(dict.get(which)).unwrap_or(b"Identity");
            if f == b"Identity" {
                return Ok(Method::None);
            }
            let cf = dict
                .get("CF")
                .and_then(|c| c.get(std::str::from_utf8(f).unwrap_or("")));
            match cf.and_then(|c| name(c.get("CFM"))) {
                Some(b"V2") => Ok(Method::Rc4),
                Some(b"AESV2") => Ok(Method::Aes128),
                Some(b"AESV3") => Ok(Method::Aes256),
                Some(b"None") | None => Ok(Method::None),
                Some(m) => Err(Refused::Unsupported(format!(
                    "PDF crypt filter method {}",
                    String::from_utf8_lossy(m)
                ))),
            }
        };
        let h = Handler {
            revision,
            key_len,
            o: bytes(dict.get("O")),
            u: bytes(dict.get("U")),
            oe: bytes(dict.get("OE")),
            ue: bytes(dict.get("UE")),
            p: int(dict.get("P")).unwrap_or(0) as i32,
            id,
            encrypt_metadata: !matches!(dict.get("EncryptMetadata"), Some(Obj::Bool(false))),
            strings: method_of("StrF")?,
            streams: method_of("StmF")?,
        };
        let ok = match revision {
            2..=4 => h.o.len() >= 32 && h.u.len() >= 32,
            5 | 6 => h.o.len() >= 48 && h.u.len() >= 48 && h.oe.len() >= 32 && h.ue.len() >= 32,
            _ => false,
        };
        if !ok {
            return Err(Refused::Unsupported(format!(
                "PDF standard security handler revision {revision} (or its /O, /U damaged)"
            )));
        }
        Ok(h)
    }

    fn describe(&self) -> String {
        let m = match (self.streams, self.strings) {
            (Method::Aes256, _) | (_, Method::Aes256) => "AES-256".to_string(),
            (Method::Aes128, _) | (_, Method::Aes128) => "AES-128".to_string(),
            _ => format!("RC4 {}-bit", self.key_len * 8),
        };
        format!("{m} (revision {})", self.revision)
    }

    /// Algorithm 2: the file key of revisions 2-4 from a (padded) user password.
    fn key_r4(&self, password: &[u8]) -> Vec<u8> {
        let mut md = Md5::new();
        md.update(padded(password));
        md.update(&self.o[..32]);
        md.update(self.p.to_le_bytes());
        md.update(&self.id);
        if self.revision >= 4 && !self.encrypt_metadata {
            md.update([0xFF; 4]);
        }
        let mut h = md.finalize().to_vec();
        let n = self.key_len.min(16);
        if self.revision >= 3 {
            for _ in 0..50 {
                h = Md5::digest(&h[..n]).to_vec();
            }
        }
        h.truncate(n);
        h
    }

    /// Algorithms 4 and 5: the file key when `password` is the user password.
    fn user_r4(&self, password: &[u8]) -> Option<Vec<u8>> {
        let key = self.key_r4(password);
        if self.revision == 2 {
            let mut x = PAD.to_vec();
            rc4(&key, &mut x);
            return (x[..] == self.u[..32]).then_some(key);
        }
        let mut md = Md5::new();
        md.update(PAD);
        md.update(&self.id);
        let mut x = md.finalize().to_vec();
        for i in 0..20u8 {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            rc4(&k, &mut x);
        }
        (x[..16] == self.u[..16]).then_some(key)
    }

    /// Algorithm 7: the file key when `password` is the owner password (it recovers the
    /// user password from `/O`).
    fn owner_r4(&self, password: &[u8]) -> Option<Vec<u8>> {
        let mut h = Md5::digest(padded(password)).to_vec();
        let n = if self.revision == 2 {
            5
        } else {
            self.key_len.min(16)
        };
        if self.revision >= 3 {
            for _ in 0..50 {
                h = Md5::digest(&h[..n]).to_vec();
            }
        }
        let key = &h[..n];
        let mut user = self.o[..32].to_vec();
        if self.revision == 2 {
            rc4(key, &mut user);
        } else {
            for i in (0..20u8).rev() {
                let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
                rc4(&k, &mut user);
            }
        }
        self.user_r4(&user)
    }

    /// Algorithms 2.A and 2.B: the file key of revisions 5 and 6 when `password` is the
    /// user's or the owner's.
    fn key_r6(&self, password: &[u8]) -> Option<Vec<u8>> {
        let pw = &password[..password.len().min(127)];
        let u = &self.u[..48];
        let o = &self.o[..48];
        let (check, salt, extra, wrapped) = if self.hash(pw, &o[32..40], u) == o[..32] {
            (true, &o[40..48], u, &self.oe[..32])
        } else if self.hash(pw, &u[32..40], &[]) == u[..32] {
            (true, &u[40..48], &[][..], &self.ue[..32])
        } else {
            (false, &u[..0], &[][..], &self.ue[..0])
        };
        if !check {
            return None;
        }
        let kek = self.hash(pw, salt, extra);
        let aes = aes::Aes256::new_from_slice(&kek).ok()?;
        let mut key = wrapped.to_vec();
        cbc_decrypt_256(&aes, &[0u8; 16], &mut key);
        Some(key)
    }

    /// Algorithm 2.B (revision 6), or revision 5's plain SHA-256.
    fn hash(&self, pw: &[u8], salt: &[u8], udata: &[u8]) -> Vec<u8> {
        let mut k = Sha256::new_with_prefix(pw)
            .chain_update(salt)
            .chain_update(udata)
            .finalize()
            .to_vec();
        if self.revision == 5 {
            return k;
        }
        let mut round = 0u32;
        loop {
            let mut k1 = Vec::with_capacity(64 * (pw.len() + k.len() + udata.len()));
            for _ in 0..64 {
                k1.extend_from_slice(pw);
                k1.extend_from_slice(&k);
                k1.extend_from_slice(udata);
            }
            let Ok(aes) = aes::Aes128::new_from_slice(&k[..16]) else {
                return k;
            };
            let mut iv = [0u8; 16];
            iv.copy_from_slice(&k[16..32]);
            cbc_encrypt_128(&aes, &iv, &mut k1);
            let sum: u32 = k1[..16].iter().map(|b| u32::from(*b)).sum();
            k = match sum % 3 {
                0 => Sha256::digest(&k1).to_vec(),
                1 => Sha384::digest(&k1).to_vec(),
                _ => Sha512::digest(&k1).to_vec(),
            };
            round += 1;
            // At least 64 rounds, then until the last byte of E is at most round - 32.
            if round >= 64 && u32::from(*k1.last().unwrap_or(&0)) <= round - 32 {
                break;
            }
            if round > 4096 {
                break;
            }
        }
        k.truncate(32);
        k
    }

    /// The file key under `password` (user's or owner's), if it is one.
    fn key(&self, password: &[u8]) -> Option<Vec<u8>> {
        match self.revision {
            5 | 6 => self.key_r6(password),
            _ => self.user_r4(password).or_else(|| self.owner_r4(password)),
        }
    }
}

/// A password padded or cut to 32 bytes (algorithm 2, step a).
fn padded(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    out[..n].copy_from_slice(&password[..n]);
    out[n..].copy_from_slice(&PAD[..32 - n]);
    out
}

fn rc4(key: &[u8], data: &mut [u8]) {
    if let Ok(mut c) = rc4::Rc4::new_from_slice(key) {
        c.apply_keystream(data);
    }
}

fn cbc_encrypt_128(aes: &aes::Aes128, iv: &[u8; 16], data: &mut [u8]) {
    let mut prev = *iv;
    for chunk in data.chunks_exact_mut(16) {
        for (b, p) in chunk.iter_mut().zip(prev) {
            *b ^= p;
        }
        let (blocks, _) = aes::Block::slice_as_chunks_mut(chunk);
        aes.encrypt_blocks(blocks);
        prev.copy_from_slice(chunk);
    }
}

fn cbc_decrypt_256(aes: &aes::Aes256, iv: &[u8; 16], data: &mut [u8]) {
    let n = data.len() / 16 * 16;
    let cipher = data[..n].to_vec();
    let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut data[..n]);
    aes.decrypt_blocks(blocks);
    for (i, b) in data[..n].iter_mut().enumerate() {
        *b ^= if i < 16 { iv[i] } else { cipher[i - 16] };
    }
}

/// AES-CBC with the IV in the data's first 16 bytes and PKCS #7 padding (strings and streams
/// of AESV2 and AESV3): the plaintext, or what decrypted when the padding is damaged.
fn aes_cbc_padded(key: &[u8], data: &[u8]) -> Vec<u8> {
    let Some((iv, body)) = data.split_at_checked(16) else {
        return Vec::new();
    };
    let mut out = body[..body.len() / 16 * 16].to_vec();
    let mut ivb = [0u8; 16];
    ivb.copy_from_slice(iv);
    let cipher = out.clone();
    {
        let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut out);
        match key.len() {
            16 => {
                if let Ok(a) = aes::Aes128::new_from_slice(key) {
                    a.decrypt_blocks(blocks);
                }
            }
            32 => {
                if let Ok(a) = aes::Aes256::new_from_slice(key) {
                    a.decrypt_blocks(blocks);
                }
            }
            _ => return Vec::new(),
        }
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b ^= if i < 16 { ivb[i] } else { cipher[i - 16] };
    }
    if let Some(&p) = out.last()
        && (1..=16).contains(&p)
        && out.len() >= usize::from(p)
        && out[out.len() - usize::from(p)..].iter().all(|b| *b == p)
    {
        out.truncate(out.len() - usize::from(p));
    }
    out
}

/// Decrypts `data` of object `id` by `method` under the file key (algorithm 1: a key per
/// object for RC4 and AES-128).
fn decrypt(key: &[u8], method: Method, id: (u32, u16), data: &[u8]) -> Vec<u8> {
    let object_key = || {
        let mut md = Md5::new();
        md.update(key);
        md.update(&id.0.to_le_bytes()[..3]);
        md.update(id.1.to_le_bytes());
        if method == Method::Aes128 {
            md.update(b"sAlT");
        }
        let h = md.finalize();
        h[..(key.len() + 5).min(16)].to_vec()
    };
    match method {
        Method::None => data.to_vec(),
        Method::Rc4 => {
            let mut out = data.to_vec();
            rc4(&object_key(), &mut out);
            out
        }
        Method::Aes128 => aes_cbc_padded(&object_key(), data),
        Method::Aes256 => aes_cbc_padded(key, data),
    }
}

/// Decrypts every string in `v` (nested in arrays and dictionaries).
fn decrypt_strings(v: &mut Obj, key: &[u8], method: Method, id: (u32, u16)) {
    match v {
        Obj::Str(s) => *s = decrypt(key, method, id, s),
        Obj::Arr(a) => {
            for x in a {
                decrypt_strings(x, key, method, id);
            }
        }
        Obj::Dict(d) => {
            for (_, x) in d {
                decrypt_strings(x, key, method, id);
            }
        }
        _ => {}
    }
}

/// Opens an encrypted `doc` with the empty password or one of `passwords` (as the user's or
/// the owner's) and decrypts its strings and streams in place, before its object streams
/// are unpacked (the objects in them are not encrypted apart). `Ok(None)`: not encrypted.
pub fn open(doc: &mut Document, passwords: &[String]) -> Result<Option<Opened>, Refused> {
    let Some((dict, holder, id)) = encrypt_dict(doc) else {
        return Ok(None);
    };
    let h = Handler::read(&dict, id)?;
    let scheme = h.describe();
    let candidates = std::iter::once((None, String::new())).chain(
        passwords
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, p)| (Some(i), p)),
    );
    let mut found = None;
    'tries: for (by, p) in candidates {
        // Revisions 5-6 take UTF-8; older ones a single-byte encoding: the text's bytes, and
        // for Japanese passwords its Shift_JIS bytes (Acrobat on a Japanese Windows).
        let mut forms = vec![p.as_bytes().to_vec()];
        if h.revision <= 4 && !p.is_ascii() {
            forms.push(encoding_rs::SHIFT_JIS.encode(&p).0.into_owned());
        }
        for f in forms {
            if let Some(k) = h.key(&f) {
                found = Some((by, k));
                break 'tries;
            }
        }
    }
    let Some((by, key)) = found else {
        return Err(Refused::NoPassword(format!("PDF encrypted ({scheme})")));
    };
    for o in &mut doc.objects {
        if Some(o.id) == holder {
            continue;
        }
        let ty = name(o.value.get("Type")).map(<[u8]>::to_vec);
        // Cross-reference streams are never encrypted; metadata may be left plain.
        if ty.as_deref() == Some(b"XRef") {
            continue;
        }
        decrypt_strings(&mut o.value, &key, h.strings, o.id);
        if let Some(s) = &mut o.stream
            && (ty.as_deref() != Some(b"Metadata") || h.encrypt_metadata)
        {
            *s = decrypt(&key, h.streams, o.id, s);
        }
    }
    Ok(Some(Opened { scheme, by }))
}

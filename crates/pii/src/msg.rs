//! Outlook messages (`.msg`, MS-OXMSG): a mail or a contact saved from Outlook, read as a
//! message rather than carved.
//!
//! A `.msg` is an OLE compound file whose streams are the message's properties, each named
//! by its tag (`__substg1.0_0037001F`: the subject, in UTF-16). cfb reads the compound file;
//! what is left is a naming scheme and a table of tags, kept here (the `.msg` crates on
//! crates.io each read OLE with a reader of their own, without caps). Carved, a message lost
//! its attachments (a customer list sent as an xlsx or a zip is no text), its recipients'
//! names came apart from their addresses, and its text was cut where the compound file's
//! sectors are. Read here, a message gives:
//! - its text: the sender and the recipients (`From: Name: 山田 太郎 <taro@…>`, as an
//!   `.eml`'s), the subject, a contact's fields under the labels a Japanese form uses (氏名,
//!   フリガナ, 性別, 生年月日 from the birthday's FILETIME, 電話, 住所 with its 〒), the values
//!   of other named properties (a contact's e-mail addresses), and the plain body; the HTML
//!   body when there is no plain one;
//! - its attachments, scanned as files (`mail.msg!顧客.xlsx`), and attached messages as
//!   messages (`mail.msg!転送.msg!…`).
//!
//! Strings are UTF-16 (type `001F`) or 8-bit (`001E`) in the message's code page
//! (PidTagMessageCodepage, else PidTagInternetCodepage, else detected per string). A message
//! with neither a plain nor an HTML body gives the text of its compressed RTF body
//! (compressed-rtf, then [`crate::rtf`]).
//!
//! Caps: all streams of a file are read within one byte budget (the `[files]` total-size
//! cap); once it is spent reading stops with a cap error. At most [`MAX_OBJECTS`]
//! recipients and attachments per message; attached messages nest at most
//! [`crate::mail::MAX_DEPTH`] deep.

use std::collections::HashMap;
use std::io::Cursor;

use cfb::CompoundFile;
use encoding_rs::Encoding;

use crate::Error;

/// Most recipients, and most attachments, read per message.
pub const MAX_OBJECTS: usize = crate::mail::MAX_PARTS;

/// A message read from a `.msg` file.
#[derive(Debug, Default)]
pub struct Message {
    /// Correspondents, subject, contact fields and plain body, for the text detectors.
    pub text: String,
    /// The HTML body, when the message has no plain one.
    pub html: Option<String>,
    /// How its strings were stored (`UTF-16LE`, or a code page's encoding).
    pub encoding: &'static str,
    /// Its attachments, in their order.
    pub attachments: Vec<Attachment>,
    /// What could not be read (the rest was).
    pub errors: Vec<Error>,
}

/// An attachment of a message.
#[derive(Debug)]
pub struct Attachment {
    /// Its file name (no `/`, `\` or `!`), or `attachmentN`.
    pub name: String,
    /// What it holds.
    pub body: Body,
}

/// What an attachment holds.
#[derive(Debug)]
pub enum Body {
    /// A file's bytes.
    File(Vec<u8>),
    /// A message attached as an Outlook item.
    Message(Message),
}

/// The property stream of every object.
const PROPS: &str = "__properties_version1.0";
/// The prefix of a property's stream or storage.
const SUBSTG: &str = "__substg1.0_";
/// Property types.
const PT_SHORT: u16 = 0x0002;
const PT_LONG: u16 = 0x0003;
const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_SYSTIME: u16 = 0x0040;
const PT_BINARY: u16 = 0x0102;
/// Multiple values of a type.
const MV: u16 = 0x1000;
/// PSETID_Address, as stored in the GUID stream (little-endian fields).
const PSETID_ADDRESS: [u8; 16] = [
    0x04, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];

/// Is `comp` an Outlook message (a property stream and property streams at its root)?
fn is_message_file(comp: &CompoundFile<Cursor<&[u8]>>) -> bool {
    comp.is_stream(format!("/{PROPS}"))
        && comp
            .read_root_storage()
            .any(|e| e.name().starts_with(SUBSTG))
}

/// Reads an Outlook message within `cap` bytes of streams; `None` when `data` is no message.
pub fn read(data: &[u8], cap: u64) -> Option<Message> {
    let comp = CompoundFile::open(Cursor::new(data)).ok()?;
    if !is_message_file(&comp) {
        return None;
    }
    let mut r = Reader {
        comp,
        budget: cap,
        cap,
        spent: false,
        named: HashMap::new(),
    };
    let mut errors = Vec::new();
    r.named = r.named_map(&mut errors);
    let mut m = r.message("", 32, 0, &mut errors);
    m.errors = errors;
    Some(m)
}

/// What a named property (id 0x8000 and up) is, when it is one of PSETID_Address.
type Named = HashMap<u16, u32>;

struct Reader<'a> {
    comp: CompoundFile<Cursor<&'a [u8]>>,
    /// Bytes still to be read.
    budget: u64,
    cap: u64,
    /// The budget ran out (reported once).
    spent: bool,
    /// Named property id → PSETID_Address LID.
    named: Named,
}

/// The properties of one object (message, recipient or attachment).
#[derive(Default)]
struct Props {
    /// String properties by id, in stream order (several values of a multi-valued one).
    strings: Vec<(u16, String)>,
    /// Fixed-size properties by tag (type in the low half): the 8 value bytes.
    fixed: Vec<(u32, u64)>,
    /// Any string was UTF-16.
    unicode: bool,
    /// The encoding of the last 8-bit string.
    narrow: Option<&'static Encoding>,
}

impl Props {
    /// A value (a name, an address), trimmed.
    fn string(&self, id: u16) -> Option<&str> {
        self.text(id).map(str::trim)
    }
    /// A text (a body) as stored: a table's last row keeps its empty cells.
    fn text(&self, id: u16) -> Option<&str> {
        self.strings
            .iter()
            .find(|(i, s)| *i == id && !s.trim().is_empty())
            .map(|(_, s)| s.as_str())
    }
    fn fixed(&self, id: u16, ty: u16) -> Option<u64> {
        let tag = u32::from(id) << 16 | u32::from(ty);
        self.fixed.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v)
    }
}

/// A property stream's id and type (`__substg1.0_3701000D` → 0x3701, 0x000D), with whether
/// it is one value of a multi-valued property (`…101F-00000001`).
fn tag_of(name: &str) -> Option<(u16, u16, bool)> {
    let rest = name.strip_prefix(SUBSTG)?;
    let (hex, element) = match rest.split_once('-') {
        Some((h, _)) => (h, true),
        None => (rest, false),
    };
    if hex.len() != 8 {
        return None;
    }
    let id = u16::from_str_radix(hex.get(..4)?, 16).ok()?;
    let ty = u16::from_str_radix(hex.get(4..)?, 16).ok()?;
    Some((id, ty, element))
}

/// A date from a FILETIME (100 ns since 1601), to the nearest day: Outlook stores a birthday
/// as local midnight in UTC (15:00 the day before, in Japan).
fn filetime_date(ft: u64) -> Option<String> {
    let days_1601 = (ft / 10_000_000 + 43_200) / 86_400;
    let days = i64::try_from(days_1601).ok()? - 134_774;
    let (y, m, d) = kizuki_core::civil::civil_from_days(days);
    (1800..=2200)
        .contains(&y)
        .then(|| format!("{y}/{m:02}/{d:02}"))
}

/// A name from a message used as a path part: no separators or `!`, no control characters,
/// at most 255 characters.
pub fn member_name(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(255)
        .map(|c| {
            if matches!(c, '/' | '\\' | '!') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

impl Reader<'_> {
    /// Reads a stream within the budget.
    fn stream(&mut self, path: &str, errors: &mut Vec<Error>) -> Option<Vec<u8>> {
        if self.spent {
            return None;
        }
        let s = match self.comp.open_stream(path) {
            Ok(s) => s,
            Err(e) => {
                errors.push(Error::Read(format!("{path}: {e}")));
                return None;
            }
        };
        match kizuki_core::io::read_capped(s, self.budget) {
            Ok(Some(v)) => {
                self.budget -= v.len() as u64;
                Some(v)
            }
            Ok(None) => {
                self.spent = true;
                errors.push(Error::Cap(format!(
                    "message streams larger than {} bytes",
                    self.cap
                )));
                None
            }
            Err(e) => {
                errors.push(Error::Read(format!("{path}: {e}")));
                None
            }
        }
    }

    /// The names of the entries of storage `dir` (`""` for the root), sorted.
    fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        let path = if dir.is_empty() { "/" } else { dir };
        let mut v: Vec<(String, bool)> = match self.comp.read_storage(path) {
            Ok(es) => es.map(|e| (e.name().to_string(), e.is_stream())).collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }

    /// The root's named-property map: which ids are which PSETID_Address properties.
    fn named_map(&mut self, errors: &mut Vec<Error>) -> Named {
        let base = "/__nameid_version1.0";
        if !self.comp.is_storage(base) {
            return Named::new();
        }
        let guids = self
            .stream(&format!("{base}/{SUBSTG}00020102"), errors)
            .unwrap_or_default();
        let entries = self
            .stream(&format!("{base}/{SUBSTG}00030102"), errors)
            .unwrap_or_default();
        let mut map = Named::new();
        for e in entries.chunks_exact(8) {
            let lid = u32::from_le_bytes([e[0], e[1], e[2], e[3]]);
            let info = u32::from_le_bytes([e[4], e[5], e[6], e[7]]);
            // A numeric name (kind 0) in a GUID of the stream (index 3 on).
            let guid = (info >> 1) & 0x7FFF;
            if info & 1 != 0 || guid < 3 {
                continue;
            }
            let at = (guid as usize - 3) * 16;
            if guids.get(at..at + 16) == Some(&PSETID_ADDRESS[..]) {
                let id = 0x8000u32 + (info >> 16);
                if let Ok(id) = u16::try_from(id) {
                    map.insert(id, lid);
                }
            }
        }
        map
    }

    /// Reads the properties of the object in storage `dir`, whose property stream has a
    /// header of `header` bytes; 8-bit strings in `enc` (or their own, detected).
    fn props(
        &mut self,
        dir: &str,
        header: usize,
        enc: Option<&'static Encoding>,
        errors: &mut Vec<Error>,
    ) -> Props {
        let mut p = Props::default();
        if let Some(s) = self.stream(&format!("{dir}/{PROPS}"), errors) {
            for e in s.get(header..).unwrap_or(&[]).chunks_exact(16) {
                let tag = u32::from_le_bytes([e[0], e[1], e[2], e[3]]);
                let mut v = [0u8; 8];
                v.copy_from_slice(&e[8..16]);
                p.fixed.push((tag, u64::from_le_bytes(v)));
            }
        }
        // The message's own code page for its 8-bit strings.
        let enc = enc.or_else(|| {
            [0x3FFD, 0x3FDE]
                .into_iter()
                .filter_map(|id| p.fixed(id, PT_LONG))
                .find_map(|cp| codepage::to_encoding(u16::try_from(cp & 0xFFFF_FFFF).ok()?))
        });
        for (name, is_stream) in self.entries(dir) {
            let Some((id, ty, element)) = tag_of(&name) else {
                continue;
            };
            // A multi-valued property's values are its element streams.
            let base = if element { ty & !MV } else { ty };
            if !is_stream || (ty & MV != 0 && !element) {
                continue;
            }
            let text = match base {
                PT_UNICODE => {
                    let Some(b) = self.stream(&format!("{dir}/{name}"), errors) else {
                        continue;
                    };
                    p.unicode = true;
                    crate::ole::utf16le(&b)
                }
                PT_STRING8 => {
                    let Some(b) = self.stream(&format!("{dir}/{name}"), errors) else {
                        continue;
                    };
                    let e = enc
                        .or_else(|| crate::decode::detect(&b))
                        .unwrap_or(encoding_rs::UTF_8);
                    p.narrow = Some(e);
                    e.decode_without_bom_handling(&b).0.into_owned()
                }
                _ => continue,
            };
            p.strings
                .push((id, text.trim_end_matches('\0').to_string()));
        }
        p
    }

    /// Reads the message in storage `dir` (`""`: the file's), `depth` messages down.
    fn message(
        &mut self,
        dir: &str,
        header: usize,
        depth: u32,
        errors: &mut Vec<Error>,
    ) -> Message {
        let p = self.props(dir, header, None, errors);
        let enc = p.narrow;
        let mut m = Message {
            encoding: match p.narrow {
                Some(e) if !p.unicode => crate::decode::name(e),
                _ => "UTF-16LE",
            },
            ..Message::default()
        };
        let t = &mut m.text;
        // The author (sent representing), then the sender when another one sent it.
        let from = p.string(0x0042).or(p.string(0x0C1A));
        let from_addr = smtp(&p, &[0x5D02, 0x0065, 0x5D01, 0x0C1F]);
        correspondent(t, "From", from, from_addr);
        if let (Some(n), Some(f)) = (p.string(0x0C1A), from)
            && n != f
        {
            correspondent(t, "Sender", Some(n), smtp(&p, &[0x5D01, 0x0C1F]));
        }
        let mut recips = 0;
        let mut attachments = Vec::new();
        for (name, is_stream) in self.entries(dir) {
            if is_stream {
                continue;
            }
            let path = format!("{dir}/{name}");
            if name.starts_with("__recip_version1.0_#") {
                recips += 1;
                if recips > MAX_OBJECTS {
                    continue;
                }
                let r = self.props(&path, 8, enc, errors);
                let label = match r.fixed(0x0C15, PT_LONG) {
                    Some(2) => "Cc",
                    Some(3) => "Bcc",
                    _ => "To",
                };
                let name = r.string(0x3001).or(r.string(0x5FF6));
                correspondent(t, label, name, smtp(&r, &[0x39FE, 0x3003]));
            } else if name.starts_with("__attach_version1.0_#") && attachments.len() < MAX_OBJECTS {
                attachments.push(path);
            }
        }
        if recips > MAX_OBJECTS {
            errors.push(Error::Cap(format!(
                "{recips} recipients: only the first {MAX_OBJECTS} read"
            )));
        }
        if let Some(s) = p.string(0x0037) {
            t.push_str("Subject: ");
            t.push_str(s);
            t.push('\n');
        }
        self.contact(&p, t);
        if let Some(body) = p.text(0x1000) {
            t.push('\n');
            t.push_str(body);
            t.push('\n');
        } else {
            m.html = self.html(dir, &p, errors);
            if m.html.is_none()
                && let Some(body) = self.rtf_body(dir, errors)
            {
                t.push('\n');
                t.push_str(&body);
                t.push('\n');
            }
        }
        for (i, path) in attachments.into_iter().enumerate() {
            if self.spent {
                break;
            }
            if let Some(a) = self.attachment(&path, i, enc, depth, errors) {
                m.attachments.push(a);
            }
        }
        m
    }

    /// A contact's fields under the labels of a Japanese form, and the values of the other
    /// named properties.
    fn contact(&self, p: &Props, t: &mut String) {
        let line = |t: &mut String, label: &str, v: &str| {
            t.push_str(label);
            t.push('：');
            t.push_str(v);
            t.push('\n');
        };
        let joined = |parts: &[Option<&str>], sep: &str| {
            let v: Vec<&str> = parts.iter().flatten().copied().collect();
            (!v.is_empty()).then(|| v.join(sep))
        };
        if let Some(n) = joined(&[p.string(0x3A11), p.string(0x3A06)], " ") {
            line(t, "氏名", &n);
        }
        let named = |lid: u32| {
            self.named
                .iter()
                .filter(|(_, l)| **l == lid)
                .find_map(|(id, _)| p.string(*id))
        };
        // Yomi: last name (0x802D), then first (0x802C).
        if let Some(n) = joined(&[named(0x802D), named(0x802C)], " ") {
            line(t, "フリガナ", &n);
        }
        match p.fixed(0x3A4D, PT_SHORT).map(|v| v & 0xFFFF) {
            Some(1) => line(t, "性別", "女"),
            Some(2) => line(t, "性別", "男"),
            _ => {}
        }
        if let Some(d) = p.fixed(0x3A42, PT_SYSTIME).and_then(filetime_date) {
            line(t, "生年月日", &d);
        }
        for id in [
            0x3A1C, 0x3A09, 0x3A2F, 0x3A08, 0x3A1B, 0x3A1A, 0x3A1F, 0x3A1E, 0x3A1D, 0x3A21, 0x3A25,
            0x3A24, 0x3A23,
        ] {
            if let Some(v) = p.string(id) {
                line(
                    t,
                    if id == 0x3A1C {
                        "携帯電話"
                    } else {
                        "電話"
                    },
                    v,
                );
            }
        }
        // Home, business and other addresses: 〒, prefecture, city, street.
        let mut composed = false;
        for [postal, state, city, street] in [
            [0x3A5B, 0x3A5C, 0x3A59, 0x3A5D],
            [0x3A2A, 0x3A28, 0x3A27, 0x3A29],
            [0x3A61, 0x3A62, 0x3A5F, 0x3A63],
        ] {
            let place = joined(&[p.string(state), p.string(city), p.string(street)], "");
            let postal = p.string(postal).map(|c| format!("〒{c}"));
            if let Some(a) = joined(&[postal.as_deref(), place.as_deref()], " ") {
                line(t, "住所", &a);
                composed = true;
            }
        }
        // Other named properties (a contact's e-mail addresses, custom fields); the
        // addresses Outlook composes from the fields above only when there were none.
        let known = [0x802C, 0x802D];
        let mut ids: Vec<u16> = p
            .strings
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| *id >= 0x8000)
            .collect();
        ids.dedup();
        for id in ids {
            let lid = self.named.get(&id).copied();
            if lid.is_some_and(|l| known.contains(&l)) {
                continue;
            }
            let address = lid.is_some_and(|l| (0x801A..=0x801C).contains(&l));
            if address && composed {
                continue;
            }
            for (_, v) in p.strings.iter().filter(|(i, _)| *i == id) {
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                match lid {
                    Some(0x8083 | 0x8093 | 0x80A3) => line(t, "メール", v),
                    _ if address => line(t, "住所", v),
                    _ => {
                        t.push_str(v);
                        t.push('\n');
                    }
                }
            }
        }
    }

    /// The HTML body (binary in the message's Internet code page, or a string).
    fn html(&mut self, dir: &str, p: &Props, errors: &mut Vec<Error>) -> Option<String> {
        if let Some(s) = p.text(0x1013) {
            return Some(s.to_string());
        }
        let path = format!("{dir}/{SUBSTG}{:04X}{:04X}", 0x1013, PT_BINARY);
        if !self.comp.is_stream(&path) {
            return None;
        }
        let b = self.stream(&path, errors)?;
        let head = &b[..b.len().min(crate::decode::HEAD)];
        let enc = p
            .fixed(0x3FDE, PT_LONG)
            .and_then(|cp| codepage::to_encoding(u16::try_from(cp & 0xFFFF_FFFF).ok()?))
            .or_else(|| crate::decode::html_declared(head))
            .or_else(|| crate::decode::detect(head))
            .unwrap_or(encoding_rs::UTF_8);
        Some(enc.decode_without_bom_handling(&b).0.into_owned())
    }

    /// The text of the compressed RTF body (PidTagRtfCompressed, MS-OXRTFCP), for a message
    /// saved with no plain or HTML body. The header is checked before the decompressor sees
    /// it (it would index a short stream and allocate the size the header claims).
    fn rtf_body(&mut self, dir: &str, errors: &mut Vec<Error>) -> Option<String> {
        let path = format!("{dir}/{SUBSTG}{:04X}{:04X}", 0x1009, PT_BINARY);
        if !self.comp.is_stream(&path) {
            return None;
        }
        let b = self.stream(&path, errors)?;
        match decompress(&b, self.cap) {
            Ok(bytes) => {
                let cap = usize::try_from(self.cap).unwrap_or(usize::MAX);
                Some(crate::rtf::read(&bytes, cap).text)
            }
            Err(e) => {
                errors.push(Error::Read(format!("compressed RTF body: {e}")));
                None
            }
        }
    }

    /// The `i`th attachment, in storage `dir`.
    fn attachment(
        &mut self,
        dir: &str,
        i: usize,
        enc: Option<&'static Encoding>,
        depth: u32,
        errors: &mut Vec<Error>,
    ) -> Option<Attachment> {
        let p = self.props(dir, 8, enc, errors);
        let name = [0x3707, 0x3704, 0x3001]
            .into_iter()
            .find_map(|id| p.string(id))
            .map(member_name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("attachment{}", i + 1));
        let object = format!("{dir}/{SUBSTG}3701000D");
        if self.comp.is_storage(&object) {
            // An OLE object (afStorage: a Word document, a workbook) as a compound file of
            // its own.
            if !self.comp.is_stream(format!("{object}/{PROPS}")) {
                if self.spent {
                    return None;
                }
                return match crate::ole::copy_storage(
                    &mut self.comp,
                    std::path::Path::new(&object),
                    &mut self.budget,
                ) {
                    Ok(file) => Some(Attachment {
                        name,
                        body: Body::File(file),
                    }),
                    Err(e) if self.budget == 0 => {
                        self.spent = true;
                        errors.push(Error::Cap(format!("{name}: {e}")));
                        None
                    }
                    Err(e) => {
                        errors.push(Error::Read(format!("{name}: {e}")));
                        None
                    }
                };
            }
            if depth + 1 >= crate::mail::MAX_DEPTH {
                errors.push(Error::Cap(format!(
                    "{name}: messages nested more than {} deep",
                    crate::mail::MAX_DEPTH
                )));
                return None;
            }
            let mut inner = Vec::new();
            let mut m = self.message(&object, 24, depth + 1, &mut inner);
            m.errors = inner;
            return Some(Attachment {
                name,
                body: Body::Message(m),
            });
        }
        let data = format!("{dir}/{SUBSTG}3701{PT_BINARY:04X}");
        if !self.comp.is_stream(&data) {
            return None;
        }
        let bytes = self.stream(&data, errors)?;
        Some(Attachment {
            name,
            body: Body::File(bytes),
        })
    }
}

/// The RTF of a compressed RTF stream, at most `cap` bytes of it.
pub(crate) fn decompress(b: &[u8], cap: u64) -> Result<Vec<u8>, String> {
    let head = |i: usize| {
        b.get(i..i + 4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    let (Some(raw), Some(kind)) = (head(4), head(8)) else {
        return Err("cut header".into());
    };
    let plain = kind == 0x414C_454D;
    if b.len() < 16 || u64::from(raw) > cap || (plain && raw as usize + 16 > b.len()) {
        return Err("bad header".into());
    }
    // The decompressor gives the bytes as Latin-1 characters.
    compressed_rtf::decompress_rtf(b)
        .map(|s| s.chars().map(|c| c as u32 as u8).collect())
        .map_err(|e| e.to_string())
}

/// The first of `ids` that holds an e-mail address.
fn smtp<'p>(p: &'p Props, ids: &[u16]) -> Option<&'p str> {
    ids.iter()
        .filter_map(|id| p.string(*id))
        .find(|a| a.contains('@'))
}

/// A correspondent's line, as [`crate::mail::text_of`] writes one.
fn correspondent(t: &mut String, label: &str, name: Option<&str>, addr: Option<&str>) {
    if name.is_none() && addr.is_none() {
        return;
    }
    t.push_str(label);
    t.push_str(": ");
    if let Some(n) = name {
        t.push_str("Name: ");
        t.push_str(n);
        t.push(' ');
    }
    if let Some(a) = addr {
        t.push('<');
        t.push_str(a);
        t.push('>');
    }
    t.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_give_tags() {
        assert_eq!(
            tag_of("__substg1.0_0037001F"),
            Some((0x0037, 0x001F, false))
        );
        assert_eq!(
            tag_of("__substg1.0_3701000D"),
            Some((0x3701, 0x000D, false))
        );
        assert_eq!(
            tag_of("__substg1.0_8005101F-00000001"),
            Some((0x8005, 0x101F, true))
        );
        assert_eq!(tag_of("__substg1.0_37010"), None);
        assert_eq!(tag_of("__properties_version1.0"), None);
        assert_eq!(tag_of("__substg1.0_zz37001F"), None);
    }

    #[test]
    fn birthdays_are_read_to_the_nearest_day() {
        // 1985-04-12 00:00 JST = 1985-04-11 15:00 UTC.
        let secs = (kizuki_core::civil::days_from_civil(1985, 4, 11) + 134_774) as u64 * 86_400
            + 15 * 3600;
        assert_eq!(
            filetime_date(secs * 10_000_000).as_deref(),
            Some("1985/04/12")
        );
        // Midnight UTC, and 05:00 UTC (midnight in New York).
        let day = (kizuki_core::civil::days_from_civil(2001, 12, 31) + 134_774) as u64 * 86_400;
        assert_eq!(
            filetime_date(day * 10_000_000).as_deref(),
            Some("2001/12/31")
        );
        assert_eq!(
            filetime_date((day + 5 * 3600) * 10_000_000).as_deref(),
            Some("2001/12/31")
        );
        // Outlook's "none" (4501-01-01) is no date.
        assert_eq!(filetime_date(0x0CB3_4557_A3DD_4000), None);
        assert_eq!(filetime_date(u64::MAX), None);
    }

    #[test]
    fn names_from_a_message_are_safe_path_parts() {
        assert_eq!(member_name("a/b\\c!d\u{7}.csv"), "a_b_c_d.csv");
        assert_eq!(member_name(&"x".repeat(300)).len(), 255);
    }

    #[test]
    fn a_contact_reads_as_a_form() {
        let mut rng = kizuki_core::rng::Rng::new(7);
        let p = crate::synth::Person::random(&mut rng);
        let data = crate::synth::msg_of(&crate::synth::contact_msg(&p)).unwrap();
        let m = read(&data, 1 << 20).unwrap();
        let (y, mo, d) = p.birth;
        let want = format!(
            "氏名：{} {}\nフリガナ：{} {}\n性別：{}\n生年月日：{y}/{mo:02}/{d:02}\n携帯電話：{}\n\
             住所：〒{:03}-{:04} {}\nメール：{}\n",
            p.last.kanji,
            p.first.kanji,
            p.last.kana,
            p.first.kana,
            if p.male { "男" } else { "女" },
            p.phone,
            p.postal / 10_000,
            p.postal % 10_000,
            p.address,
            p.email,
        );
        assert_eq!(m.text, want);
        assert_eq!(m.encoding, "UTF-16LE");
        assert!(m.attachments.is_empty() && m.errors.is_empty());
    }

    #[test]
    fn a_mail_gives_its_correspondents_body_and_attachments() {
        use crate::synth::{MsgPart, MsgSpec};
        let inner = MsgSpec {
            strings: vec![(0x0037, "転送".into()), (0x1000, "本文".into())],
            ..MsgSpec::default()
        };
        let spec = MsgSpec {
            unicode: false,
            strings: vec![
                (0x0037, "件名".into()),
                (0x0042, "山田 太郎".into()),
                (0x0065, "taro@example.jp".into()),
                (0x0C1A, "秘書室".into()),
                (0x1000, "本文です".into()),
            ],
            recipients: vec![(3, "佐藤".into(), "sato@example.jp".into())],
            attachments: vec![
                MsgPart::File("a/b.csv".into(), b"x,y\n".to_vec()),
                MsgPart::Item("転送".into(), inner),
            ],
            ..MsgSpec::default()
        };
        let m = read(&crate::synth::msg_of(&spec).unwrap(), 1 << 20).unwrap();
        assert_eq!(
            m.text,
            "From: Name: 山田 太郎 <taro@example.jp>\nSender: Name: 秘書室 \n\
             Bcc: Name: 佐藤 <sato@example.jp>\nSubject: 件名\n\n本文です\n"
        );
        assert_eq!(m.encoding, "Shift_JIS");
        assert_eq!(m.attachments.len(), 2);
        assert_eq!(m.attachments[0].name, "a_b.csv");
        assert!(matches!(&m.attachments[0].body, Body::File(b) if b == b"x,y\n"));
        match &m.attachments[1].body {
            Body::Message(i) => assert_eq!(i.text, "Subject: 転送\n\n本文\n"),
            b => panic!("{b:?}"),
        }
        // A body only in compressed RTF (Shift_JIS escapes, a table).
        let rtf = crate::synth::rtf_of(
            &[
                crate::synth::DocPart::Para("山田 太郎 様".into()),
                crate::synth::DocPart::Row(vec!["電話".into(), "090-1234-5678".into()]),
            ],
            false,
        );
        let only_rtf = MsgSpec {
            rtf: Some(rtf),
            ..MsgSpec::default()
        };
        let m = read(&crate::synth::msg_of(&only_rtf).unwrap(), 1 << 20).unwrap();
        assert_eq!(m.text, "\n山田 太郎 様\n電話\t090-1234-5678\n\n");
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        // The budget: the attachment's bytes do not fit in 10 bytes of streams.
        let small = read(&crate::synth::msg_of(&spec).unwrap(), 10).unwrap();
        assert!(
            matches!(small.errors.as_slice(), [Error::Cap(_)]),
            "{:?}",
            small.errors
        );
        assert!(small.attachments.is_empty());
    }

    #[test]
    fn bent_compressed_rtf_is_an_error_not_a_panic() {
        let z = compressed_rtf::compress_rtf(&"{\\rtf1 abc\\par}".repeat(50)).unwrap();
        assert_eq!(
            decompress(&z, 1 << 20).unwrap(),
            "{\\rtf1 abc\\par}".repeat(50).into_bytes()
        );
        assert!(decompress(&z, 10).is_err());
        assert_eq!(crc(&z[16..]).to_le_bytes(), z[12..16]);
        let mut rng = kizuki_core::rng::Rng::new(9);
        for _ in 0..20_000 {
            let mut d = crate::synth::bend(&mut rng, &z, 4, 0.2);
            // The CRC stops most; a header bent to "uncompressed" reads what is there.
            if let Ok(v) = decompress(&d, 1 << 20) {
                assert!(v.len() <= 1 << 20);
            }
            // With the CRC made to match: the decompressor runs over the bent tokens.
            if d.len() >= 16 && !rng.chance(0.2) {
                let c = crc(&d[16..]).to_le_bytes();
                d[12..16].copy_from_slice(&c);
                if let Ok(v) = decompress(&d, 1 << 20) {
                    assert!(v.len() <= 9 * d.len());
                }
            }
        }
    }

    /// MS-OXRTFCP's CRC-32 is MS-PST's (the reflected polynomial, no inversion).
    use crate::pst::crc;

    #[test]
    fn what_is_not_a_message_is_not_read() {
        assert!(read(b"not a compound file", 1 << 20).is_none());
        let xls = crate::synth::ole_of(&[("/Workbook", b"\x09\x08")]).unwrap();
        assert!(read(&xls, 1 << 20).is_none());
    }
}
